"""Import as a sync: the plan file is the source of the plan's words; the database of its progress.

For each task the database remembers the values the file had at the last import
(``file_values``). A field that changed in the file since then is updated and logged; a value the
clerk changed with a command is left alone when the file did not change. Tasks gone from the file
are archived, never deleted; tasks added with ``jtdj add`` are never archived by an import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jtdj import occurrences, store as st
from jtdj.importshares import sync_shares
from jtdj.errors import PlanFileError
from jtdj.i18n import t
from jtdj.plan import Plan, Task
from jtdj.store import bulk as sw
from jtdj.store.bulk import MISSING
from jtdj.store.tasks import decode_list
from jtdj.views import NoteBook

# Plan-owned fields of a task: (column in tasks, how to read it off a plan Task)
SYNCED_FIELDS = ("title", "timing", "start", "due", "owner", "support", "tags", "item", "section",
                 "kind", "every", "due_day")
# Plan-owned fields of an item, logged when the file changes them.
ITEM_FIELDS = ("title", "text", "section")


@dataclass
class Change:
    task_id: str
    kind: str  # added | changed | archived | restored
    fields: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    plan_key: str
    new_plan: bool = False
    made_current: bool = False
    added: int = 0
    changed: int = 0
    archived: int = 0
    unchanged: int = 0
    state_kept: int = 0
    changes: list[Change] = field(default_factory=list)  # what a dry run lists; only it keeps them
    warnings: list[str] = field(default_factory=list)  # the plan's, when it was not read again
    new_units: list[str] = field(default_factory=list)  # units and groups the file registered
    shares_added: int = 0  # tasks handed to units (``each``, ``shares``) by this import


# One encoder, reused (json.dumps with options builds a new one on every call); the snapshot's
# keys come in a fixed order already.
_JSON = json.JSONEncoder(ensure_ascii=False).encode


def json_list(values: list) -> str:
    return _JSON(values) if values else "[]"


def file_values(task: Task, section: int, plan_due: date | None) -> dict:
    return {
        "title": task.title, "timing": task.when, "start": _iso(task.start),
        "due": _iso(_due(task, plan_due)), "owner": task.owner,
        "support": json_list(task.support), "tags": json_list(task.tags),
        "item": task.item, "section": section, "kind": task.kind, "every": task.every,
        "due_day": task.day,
    }


def _due(task: Task, plan_due: date | None) -> date | None:
    """A task's due date: its own, else the plan's; an ongoing or recurring task has none."""
    return None if task.kind or task.every else task.due or plan_due


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _has_state(task: Task) -> bool:
    return bool(task.status != "todo" or task.percent is not None or task.notes or task.evidence
                or task.archived)


def _state_differs(notebook, task: Task, row: dict) -> bool:
    """Whether the file carries state for ``task`` that the database does not have
    (``notebook()`` gives the plan's notes, read once when first needed)."""
    if not _has_state(task):
        return False
    in_file = (task.status, task.percent, _iso(task.done_on), _iso(task.dropped_on),
               task.drop_reason, 1 if task.archived else 0, task.evidence)
    in_db = (row["status"], row["percent"], row["done_on"], row["dropped_on"], row["drop_reason"],
             row["archived"], decode_list(row["evidence"]))
    if in_file != in_db:
        return True
    # the done note (`jtdj done --note`) is one of the task's notes, as an export writes it
    held = {(n["on_date"], n["text"]) for n in notebook().task_notes(task.id, row["status"])}
    return any((n.on.isoformat(), n.text) not in held for n in task.notes)


def import_plan(store: st.Store, plan: Plan, source: str, actor: str, today: date,
                dry_run: bool = False, raw: bytes | None = None) -> ImportResult:
    """Sync ``plan`` into the database in one transaction (or only compute it, with dry_run).
    With the file's ``raw`` bytes, the import is remembered so that the same bytes imported
    again need no work (``unchanged_import``)."""
    result = ImportResult(plan_key=plan.key, new_plan=store.plan(plan.key) is None)
    if dry_run:
        _sync(store, plan, source, result, batch=None, today=today)
        return result
    with sw.rollback_journal(store, len(plan.tasks)), store.batch(plan.key, actor, today) as batch:
        # decided again under the write lock: two first runs at once must not both insert it
        result.new_plan = store.plan(plan.key) is None
        _sync(store, plan, source, result, batch=batch, today=today)
        if result.new_plan or store.setting("current_plan") is None:
            store.set_setting("current_plan", plan.key)
            result.made_current = True
        if raw is not None:
            sw.remember_import(store, plan.key, json.dumps({
                "mark": _mark(raw, source, today), "events": sw.event_mark(store),
                "tasks": len(plan.tasks), "state_kept": result.state_kept,
                "warnings": plan.warnings}, ensure_ascii=False))
    return result


def unchanged_import(store: st.Store, raw: bytes, source: str, today: date) -> ImportResult | None:
    """What importing ``raw`` would do, when it cannot do anything: the same bytes from the
    same path were imported last, by this jtdj and schema, for the same year (timing words),
    and no event has been written since (no command, undo or other import changed a task).
    Then nothing is parsed, compared or backed up (100,000 tasks: from seconds to a hash)."""
    mark = _mark(raw, source, today)
    for plan_key, text in sw.remembered_imports(store).items():
        last = json.loads(text)
        if last.get("mark") == mark and last.get("events") == sw.event_mark(store):
            return ImportResult(plan_key=plan_key, unchanged=last["tasks"],
                                state_kept=last["state_kept"], warnings=last["warnings"])
    return None


def touch(store: st.Store, plan_key: str, now) -> None:
    sw.touch_plan(store, plan_key, st.utc_text(now))


def _mark(raw: bytes, source: str, today: date) -> str:
    from jtdj import __version__
    from jtdj.planfile import digest
    from jtdj.store.migrations import MIGRATIONS

    return f"{digest(raw)} {__version__} {len(MIGRATIONS)} {today.year} {source}"


def _check_clashes(plan: Plan, source: str, existing: dict) -> None:
    """A file task numbered like a task the clerk added would take over its status and notes."""
    clashes = [t("import.clash.one", id=task.id, file_title=task.title, db_title=row["title"])
               for task in plan.tasks
               if (row := existing.get(task.id)) is not None and row["origin"] == "added"
               and not task.added and row["title"] != task.title]
    if clashes:
        raise PlanFileError(t("import.clash.summary", file=source, count=len(clashes)), clashes)


def _sync(store, plan: Plan, source: str, result: ImportResult, batch, today: date) -> None:
    existing = sw.all_task_rows(store, plan.key) if not result.new_plan else {}
    _check_clashes(plan, source, existing)
    inserts, events, notes = [], [], []
    writing = batch is not None

    def event(target, action, fld=None, old=None, new=None, note=None, on=None):
        events.append((batch.id, batch.at, (on or today).isoformat(), batch.actor, plan.key,
                       target, action, fld, st.to_text(old), st.to_text(new), note))

    old_items = {} if result.new_plan else {i["no"]: i for i in store.items(plan.key)}
    books: list[NoteBook] = []

    def notebook() -> NoteBook:
        if not books:
            books.append(NoteBook.read(store, plan.key))
        return books[0]

    seen, kept, moved = set(), set(), []
    for section in plan.sections:
        for item in section.items:
            _item_changes(item, section.no, old_items.get(item.no), result, event, writing)
            for pos, task in enumerate(item.tasks, 1):
                seen.add(task.id)
                row = existing.get(task.id)
                if row is None:
                    result.added += 1
                    if not writing:
                        result.changes.append(Change(task.id, "added"))
                        continue
                    inserts.append(_new_row(plan.key, task, section.no, plan.due, pos))
                    if not result.new_plan:  # a new plan's are written from its rows
                        event(task.id, "import", "status", None, task.status)
                    for n in task.notes:
                        notes.append((plan.key, task.id, n.on.isoformat(), batch.at,
                                      n.by or batch.actor, n.text, n.percent, batch.id))
                    continue
                values = file_values(task, section.no, plan.due)
                if _state_differs(notebook, task, row):
                    kept.add(task.id)
                _update_existing(store, plan.key, task, row, values, result, event, writing)
                if writing and row["pos"] != pos:  # where the file now lists it: no change to log
                    moved.append((pos, plan.key, task.id))
    for task_id, row in existing.items():
        if task_id in seen or row["archived"] or row["origin"] == "added":
            continue
        result.archived += 1
        if not writing:
            result.changes.append(Change(task_id, "archived"))
        else:
            gone = {**json.loads(row["file_values"] or "{}"), MISSING: True}
            sw.update_task_columns(store, plan.key, task_id, {
                "archived": 1, "file_values": _JSON(gone)})
            event(task_id, "archive", "archived", 0, 1)
    if writing:
        head = {"key": plan.key, "title": plan.title, "issuer": plan.issuer, "doc_no": plan.doc_no,
                "issued": _iso(plan.issued), "due": _iso(plan.due), "preamble": plan.preamble,
                "notice_title": plan.notice_title, "addressee": plan.addressee,
                "public": 1 if plan.public else 0, "printed_by": plan.printed_by,
                "printed_on": _iso(plan.printed_on), "source": source, "imported_at": batch.at}
        sections = [{"plan": plan.key, "no": s.no, "title": s.title} for s in plan.sections]
        items = [{"plan": plan.key, "no": i.no, "section": s.no, "title": i.title, "text": i.text}
                 for s in plan.sections for i in s.items]
        sw.upsert_plan(store, head, sections, items)
        first = sw.insert_task_values(store, inserts, snapshot=SYNCED_FIELDS)
        if result.new_plan:  # every event of a new plan's sync is a task's, in row order
            sw.insert_added_events(store, (batch.id, batch.at, today.isoformat(), batch.actor),
                                   first)
        if result.new_plan:
            for item in plan.items:
                for n in item.notes:
                    notes.append((plan.key, str(item.no), n.on.isoformat(), batch.at,
                                  n.by or batch.actor, n.text, n.percent, batch.id))
        sw.insert_notes(store, notes)
        sw.insert_events(store, events)
        sw.move_tasks(store, moved)
    created = occurrences.sync(store, batch, plan.key, today, states={
        t.id: t.occurrences for t in plan.tasks if t.occurrences}) if writing else set()
    sync_shares(store, plan, batch, result, kept, today, created)
    result.state_kept = len(kept)


def _item_changes(item, section_no: int, old: dict | None, result: ImportResult, event,
                  writing: bool) -> None:
    if old is None:
        return
    new = {"title": item.title, "text": item.text, "section": section_no}
    fields = [name for name in ITEM_FIELDS if old[name] != new[name]]
    if not fields:
        return
    result.changed += 1
    if not writing:
        result.changes.append(Change(str(item.no), "changed", fields))
    else:
        for name in fields:
            event(str(item.no), "import", name, old[name], new[name])


def _new_row(plan_key: str, task: Task, section: int, plan_due: date | None, pos: int) -> tuple:
    """A new task's row, in the order of ``bulk.TASK_COLUMNS`` up to ``file_values``, which
    SQLite writes from the row's SYNCED_FIELDS: their values are those of ``file_values()``."""
    return (plan_key, task.id, task.item, task.no, section, task.title, task.when,
            _iso(task.start), _iso(_due(task, plan_due)), task.owner, json_list(task.support),
            json_list(task.tags), task.status, task.percent, None,
            _iso(task.done_on), _iso(task.dropped_on), task.drop_reason,
            1 if task.archived else 0, "added" if task.added else "plan",
            json_list(task.evidence), task.kind, task.every, task.day, None, None, pos)


def _update_existing(store, plan_key, task: Task, row, values, result, event, writing) -> None:
    """Apply what the file changed since the last import, and only that. What is counted, shown
    by a dry run and logged is the same: the values the database does not hold yet (a field the
    file changed to what the clerk had already set changes nothing), and a restore. The snapshot
    of the file's values is kept up to date either way, without counting as a change."""
    last = json.loads(row["file_values"]) if row["file_values"] else {}
    updates = {}
    for name in SYNCED_FIELDS:
        new = values[name]
        if name in last and last[name] == new:
            continue  # the file did not change this field: the database's value stands
        if row[name] != new:
            updates[name] = new
    # only a task this importer archived (gone from the file) comes back; one archived by the
    # clerk or by a file's state field stays archived, and so does one the file itself marks
    # archived (an export of this database): it stays marked as gone, for the next file to bring
    gone = bool(row["archived"]) and bool(last.get(MISSING))
    restoring = gone and not task.archived
    snapshot = {**values, MISSING: True} if gone and not restoring else values
    if not updates and not restoring:
        result.unchanged += 1
    else:
        result.changed += 1
        if not writing:
            result.changes.append(Change(task.id, "restored" if restoring else "changed",
                                         list(updates)))
    if not writing:
        return
    for name, new in updates.items():
        event(task.id, "import", name, row[name], new)
    if restoring:
        updates["archived"] = 0
        event(task.id, "restore", "archived", 1, 0)
    if snapshot != last:
        updates["file_values"] = _JSON(snapshot)
    if updates:
        sw.update_task_columns(store, plan_key, task.id, updates)


def bundled_plan_path() -> Path:
    """The 2022 plan shipped with the package (wheel) or beside it (a source checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "plans" / "2022.toml", here.parent / "plans" / "2022.toml"):
        if candidate.exists():
            return candidate
    return here / "plans" / "2022.toml"
