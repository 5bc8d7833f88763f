"""Export documents as data: the plan file with progress (TOML), a full dump with the event
history (JSON), one row per task (CSV) and the office's 工作台账 (xlsx); ``render.exports``
and ``render.xlsx`` write them.

The TOML export is the plan-file format of ``docs/plan-format.md`` with its state fields, written
so that importing it into an empty database and exporting again gives the same bytes. It does
not depend on the interface language: two clerks exporting the same database get the same file.
"""

from __future__ import annotations

from datetime import date
from typing import Iterator

from jtdj import occurrences
from jtdj.i18n import t
from jtdj.parse import FIXED_TIMINGS
from jtdj.store import Store, TaskFilter
from jtdj.store import units as units_db
from jtdj.store.bulk import all_task_rows
from jtdj.store.occurrence_counts import rolled_up
from jtdj.store.occurrences import OCCURRENCE
from jtdj.store.dump import ExportTask, events_in_order, export_tasks, item_notes, share_notes
from jtdj.store.tasks import decode_list
from jtdj.views import NoteBook, event_record, note_record, percent
from jtdj.tuples import named_tuple


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _note(n: dict) -> dict:
    """A note as the plan file holds it: its day a date."""
    return {**note_record(n), "on": _date(n["on_date"])}


def _tasks_by_item(store: Store, plan: str) -> tuple[dict[int, list[dict]], dict[str, list]]:
    """Every task of the plan, archived and added ones too, in id order, grouped by item; and
    the live occurrences of each recurring task, by period."""
    grouped: dict[int, list[dict]] = {}
    held: dict[str, list[dict]] = {}
    for row in sorted(all_task_rows(store, plan).values(),
                      key=lambda r: (r["item"], r["pos"], r["no"], r["period"] or "")):
        if row["parent"] is None:
            grouped.setdefault(row["item"], []).append(row)
        elif row["archived"] == OCCURRENCE:
            held.setdefault(row["parent"], []).append(dict(row))
    return grouped, held


# --- TOML: the plan file with its state ------------------------------------------------------

def plan_document(store: Store, plan: str) -> dict:
    """The plan as plan-file data (the mapping the TOML writer writes), state fields included."""
    head = store.plan(plan)
    plan_due = head["due"]
    tasks, held = _tasks_by_item(store, plan)
    book = NoteBook.read(store, plan)
    shares = units_db.shares(store, plan)
    series = occurrences.export_series(store, head, tasks, held, shares, book, _planned, _note)
    items_by_section: dict[int, list[dict]] = {}
    for it in store.items(plan):
        item = {"no": it["no"], "title": it["title"], "text": it["text"] or None,
                "notes": [_note(n) for n in book.notes.get(str(it["no"]), [])] or None,
                "tasks": [_task_entry(book, row, plan_due, shares.get(row["id"], []))
                          | series.get(row["id"], {}) for row in tasks.get(it["no"], [])] or None}
        items_by_section.setdefault(it["section"], []).append(item)
    sections = [{"no": s["no"], "title": s["title"], "items": items_by_section.get(s["no"]) or None}
                for s in store.sections(plan)]
    return {
        "format": 1,
        "plan": {"key": head["key"], "title": head["title"], "issuer": head["issuer"],
                 "doc_no": head["doc_no"], "issued": _date(head["issued"]),
                 "notice_title": head["notice_title"], "addressee": head["addressee"],
                 "public": True if head["public"] else None, "printed_by": head["printed_by"],
                 "printed_on": _date(head["printed_on"]),
                 "due": _date(plan_due), "preamble": head["preamble"] or None},
        "sections": sections,
    }


def _share_entry(book: NoteBook, task_id: str, s: dict) -> dict:
    """A share as its ``[[…tasks.shares]]`` table: the unit and its state that is not the
    default."""
    status = _planned(s["status"])
    return {"unit": s["unit_name"], "status": status if status != "todo" else None,
            "percent": s["percent"], "due": _date(s["due"]),
            "done_on": _date(s["done_on"]) if status == "done" else None,
            "dropped_on": _date(s["dropped_on"]) if status == "dropped" else None,
            "drop_reason": s["drop_reason"] if status == "dropped" else None,
            "evidence": s["evidence"] or None,
            "notes": [_note(n) for n in book.task_notes(units_db.share_target(task_id, s["unit"]),
                                                        status)] or None}


def _planned(status: str) -> str:
    """A plan file keeps each task's state, not what waits for the office: a report waiting
    for review (待审核) is written as 推进中, what it is until accepted (docs/plan-format.md)."""
    return "doing" if status == "review" else status


def _task_entry(book: NoteBook, row: dict, plan_due: str | None, shares: list[dict]) -> dict:
    status = _planned(row["status"])
    timing = row["timing"]
    # A task without `due` takes the plan's; but a fixed period such as 暑期 would fill in its own
    # dates on import, so there the due is always written out.
    fixed = (timing or "").strip() in FIXED_TIMINGS
    due = row["due"] if row["due"] and (row["due"] != plan_due or fixed) else None
    return {
        "no": row["no"], "title": row["title"], "kind": row["kind"], "every": row["every"],
        "day": row["due_day"], "when": timing, "start": _date(row["start"]),
        "due": _date(due), "owner": row["owner"] or None,
        "support": decode_list(row["support"]) or None, "tags": decode_list(row["tags"]) or None,
        "status": status if status != "todo" else None, "percent": row["percent"],
        "done_on": _date(row["done_on"]) if status == "done" else None,
        "dropped_on": _date(row["dropped_on"]) if status == "dropped" else None,
        "drop_reason": row["drop_reason"] if status == "dropped" else None,
        "archived": True if row["archived"] else None,
        "added": True if row["origin"] == "added" else None,
        "evidence": decode_list(row["evidence"]) or None,
        "notes": [_note(n) for n in book.task_notes(row["id"], status)] or None,
        "shares": [_share_entry(book, row["id"], s) for s in shares] or None,
    }


# --- JSON: everything, with the event history ------------------------------------------------

def _book_of(task: ExportTask) -> NoteBook:
    """The ``NoteBook`` of one task, from what the export's cursor read of it (no query)."""
    return NoteBook({task.id: task.notes}, {task.id: task.last} if task.last else {})


def _notes_of(task: ExportTask, status: str) -> list[dict]:
    """The task's notes with its check-off note among them (``NoteBook.task_notes``)."""
    if not task.notes and task.last is None:
        return []
    return _book_of(task).task_notes(task.id, status)


# The JSON export's plan head, in the order of docs/plan-format.md (``public``: true or false).
PLAN_HEAD = ("key", "title", "issuer", "doc_no", "issued", "notice_title", "addressee", "public",
             "printed_by", "printed_on", "due", "preamble")


def to_data(store: Store, plan: str, as_of: date) -> dict:
    """{"plan", "sections" > "items" > "tasks" (with state and notes), "events"}:
    see docs/export.md.

    ``sections`` (each one's ``items``, each one's ``tasks``) and ``events`` are iterators read
    from the cursors as the writer goes (``render.json_text.json_stream``): read them once, in
    order. Nothing grows with the plan but the sections, the items and the items' notes."""
    head = store.plan(plan)
    sections = store.sections(plan)
    items = store.items(plan)
    notes = item_notes(store, plan)
    unit_shares = _shares_as_of(store, plan, as_of)

    def task(row: ExportTask) -> dict:
        return {
            "id": row.id, "no": row.no, "title": row.title, "kind": row.kind or "task",
            "when": row.timing, "start": row.start, "due": row.due, "owner": row.owner,
            "support": decode_list(row.support), "tags": decode_list(row.tags),
            "status": row.status, "status_as_of": row.status_as_of, "light": row.light,
            "percent": row.percent, "started_on": row.started_on, "done_on": row.done_on,
            "dropped_on": row.dropped_on, "drop_reason": row.drop_reason,
            "archived": row.archived == 1, "origin": row.origin,
            "evidence": decode_list(row.evidence),
            "notes": [note_record(n) for n in _notes_of(row, row.status)],
            "shares": [{k: v for k, v in s.items() if k not in ("unit_id", "progress")}
                       | {"notes": [note_record(n) for n in s["notes"]]}
                       for s in unit_shares(row.id, row.due, row.start)],
        }

    def all_sections():
        tasks = export_tasks(store, plan, as_of, nested=True)
        ahead = [next(tasks, None)]  # the next task not yet written

        def tasks_of(item_no: int):
            while ahead[0] is not None and ahead[0].item == item_no:
                row, ahead[0] = ahead[0], next(tasks, None)
                yield task(row)

        def items_of(section_no: int):
            for it in items:
                if it["section"] != section_no:
                    continue
                yield {"id": str(it["no"]), "no": it["no"], "title": it["title"],
                       "text": it["text"],
                       "notes": [note_record(n) for n in notes.get(str(it["no"]), [])],
                       "tasks": tasks_of(it["no"])}
                for _ in tasks_of(it["no"]):  # what the writer left unread of this item
                    pass

        for s in sections:
            yield {"no": s["no"], "title": s["title"], "items": items_of(s["no"])}

    return {
        "format": 1, "as_of": as_of.isoformat(),
        "plan": {k: head[k] == 1 if k == "public" else head[k] for k in PLAN_HEAD},
        "sections": all_sections(),
        "events": (event_record(e) for e in events_in_order(store, plan)),
    }


def _shares_as_of(store: Store, plan: str, as_of: date):
    """``(task id, task due) -> [share record]``: each share of the task as it was on the day
    (``shares.effective``) with its notes and its progress (the latest note or drop reason)."""
    from jtdj.shares import as_of as shares_as_of, effective
    from jtdj.store.tasks import plan_start

    held = shares_as_of(store, plan, as_of)
    book = NoteBook(*share_notes(store, plan)) if held else None
    start = plan_start(store, plan) if held else None

    def of(task_id: str, task_due: str | None, task_start: str | None = None) -> list[dict]:
        out = []
        for s in held.get(task_id, []):
            now = effective(s, task_due, as_of, store.lights, task_start or start)
            target = units_db.share_target(task_id, s["unit"])
            dropped = now["status"] == "dropped"
            out.append({"unit": now["unit"], "unit_id": s["unit"], "status": now["status"],
                        "light": now["light"], "percent": now["percent"], "due": now["due"],
                        "started_on": now["started_on"], "done_on": now["done_on"],
                        "dropped_on": s["dropped_on"] if dropped else None,
                        "drop_reason": now["drop_reason"], "evidence": now["evidence"],
                        "notes": book.task_notes(target, now["status"]),
                        "progress": progress_text(book, {"id": target, "dropped_on":
                                                         s["dropped_on"], "drop_reason":
                                                         s["drop_reason"]}, now["status"])})
        return out

    return of


# --- rows: CSV and the ledger ----------------------------------------------------------------

def progress_text(book: NoteBook, row: dict, status: str) -> str:
    """What the ledger's 完成情况/进展 shows: the latest of the task's notes, its done note
    (`jtdj done --note`, while it is done) and its drop reason (while it is dropped)."""
    candidates = [((n["on_date"], n["at"] or ""), n["text"])
                  for n in book.task_notes(row["id"], status)]
    if status == "dropped" and row["drop_reason"]:
        candidates.append(((row["dropped_on"] or "", "\uffff"), row["drop_reason"]))
    return max(candidates, key=lambda c: c[0])[1] if candidates else ""


def task_rows(store: Store, plan: str, as_of: date,
              include_archived: bool = True) -> Iterator[dict]:
    """One flat record per task (the CSV's rows), in id order, read from the cursor as they
    are written (read them once)."""
    unit_shares = _shares_as_of(store, plan, as_of)
    for row in export_tasks(store, plan, as_of, nested=False):
        if row.archived and not include_archived:
            continue
        status = row.status_as_of
        dropped = status == "dropped"
        record = {
            "id": row.id, "section": row.section, "item": row.item,
            "title": row.title, "kind": row.kind or "task", "when": row.timing,
            "start": row.start, "due": row.due, "owner": row.owner, "support": decode_list(row.support),
            "tags": decode_list(row.tags), "status": status, "light": row.light,
            "percent": row.percent_as_of, "done_on": row.done_on_as_of,
            "dropped_on": row.dropped_on if dropped else None,
            "drop_reason": row.drop_reason if dropped else None,
            "progress": progress_text(_book_of(row), {"id": row.id, "dropped_on": row.dropped_on,
                                                       "drop_reason": row.drop_reason}, status)
            if row.notes or row.last or (dropped and row.drop_reason) else "",
            "evidence": decode_list(row.evidence), "archived": row.archived == 1,
            "origin": row.origin, "unit": None,
        }
        shares = unit_shares(row.id, row.due, row.start) if row.status_as_of is not None else []
        if not shares:
            yield record
        for s in shares:  # one row per share: the unit's own state
            yield {**record, **{k: s[k] for k in ("status", "light", "percent", "done_on",
                                                 "dropped_on", "drop_reason", "progress",
                                                 "evidence", "unit")}}


# --- the 工作台账 ------------------------------------------------------------------------

@named_tuple
class LedgerRow:
    """One task as the ledger shows it (``ledger_data``): only what it prints."""
    id: str
    section: int
    item: int
    title: str
    when: str | None
    due: str | None
    owner: str | None
    support: list
    status: str
    light: str
    done_on: str | None
    progress: str
    evidence: list
    signal: str | None = None  # why the light is what it is (the 提示 word)
    kind: str | None = None  # "ongoing" (常态推进: no due date, its light the age of its notes)


def ledger_data(store: Store, plan: str, as_of: date) -> dict:
    """What the xlsx ledger shows (``render.xlsx``): the plan's heading (title, 文号), its
    sections and items, one row per live task as of the day, and the per-section and total
    counts. ``as_of`` is also the ledger's 制表日期: the core never reads the clock.

    The rows are those of ``task_rows``, built leaner: the table's columns are kept only for
    live tasks and only those the ledger prints, the as-of records are read from the cursor,
    and a row is a tuple (a 100,000-task ledger: 416 → 210 MiB, see bench/README.md)."""
    head = store.plan(plan)
    sections = store.sections(plan)
    table = {r["id"]: (r["section"], r["item"], r["title"], r["timing"], r["due"], r["owner"],
                       r["support"], r["evidence"], r["dropped_on"], r["drop_reason"])
             for r in all_task_rows(store, plan).values() if r["archived"] in (0, OCCURRENCE)}
    book = NoteBook.read(store, plan)
    chased = _chased(store, plan, as_of)
    rows = []
    counts: dict[int, list[int]] = {}  # section: [tasks, done, dropped, overdue]
    begun: dict[str, list[dict]] = {}  # a recurring task's rows: its begun occurrences
    for now in store.iter_tasks(plan, TaskFilter(status="all", archived=False, occurrences=True),
                                as_of):
        section, item, title, timing, due, owner, support, evidence, dropped_on, reason = \
            table[now["id"]]
        status = now["status"]
        progress = progress_text(book, {"id": now["id"], "dropped_on": dropped_on,
                                        "drop_reason": reason}, status)
        if now["id"] in chased:
            progress = t("review.note_sep").join(x for x in (progress, chased[now["id"]]) if x)
        rows.append(LedgerRow(now["id"], section, item, title, timing, due, owner,
                              decode_list(support), status, now["light"], now["done_on"],
                              progress, decode_list(evidence), now["signal"],
                              "ongoing" if now["ongoing"] else None))
        c = counts.setdefault(section, [0, 0, 0, 0, 0, 0])
        if now["period"]:  # counted once, as its begun occurrences make it (below)
            begun.setdefault(now["id"].split("@")[0], []).append(now)
            continue
        c[0] += 1
        c[1] += status == "done"
        c[2] += status == "dropped"
        c[3] += now["signal"] == "overdue"  # 逾期 by the due date alone, whatever the pace
        if now["ongoing"] and status != "dropped":  # 常态推进: out of the % done's base
            c[4] += 1
            c[5] += status == "done"
    for records in begun.values():
        status, flags = rolled_up(records, store.lights, as_of)
        c = counts[table[records[0]["id"]][0]]
        c[0] += 1
        c[1] += status == "done"
        c[2] += status == "dropped"
        c[3] += "overdue" in flags
    del table, book

    def summary(no: int, title: str, tasks: int, done: int, dropped: int, overdue: int,
                ongoing: int, ongoing_done: int) -> dict:
        """A section's (or the plan's) counts; ongoing tasks (常态推进) count among the tasks
        and apart (``ongoing``), not in the base of 完成率, as ``report.counts``."""
        return {"section": no, "title": title, "tasks": tasks, "done": done, "dropped": dropped,
                "open": tasks - done - dropped, "overdue": overdue, "ongoing": ongoing,
                "percent": percent(done - ongoing_done, tasks - dropped - ongoing)}

    from jtdj.bulletin import figures

    units, late = figures(store, plan, as_of)  # the 通报's table: its sheet, when units work
    return {
        "title": head["title"], "doc_no": head["doc_no"], "as_of": as_of, "sections": sections,
        "items": {i["no"]: i["title"] for i in store.items(plan)}, "rows": rows,
        "units": units, "late": late,
        "summary": [summary(s["no"], s["title"], *counts[s["no"]]) for s in sections
                    if s["no"] in counts],
        "total": summary(0, "", *map(sum, zip(*counts.values()))) if rows else None,
    }


def _chased(store: Store, plan: str, as_of: date) -> dict[str, str]:
    """Per task: 「已延期 N 次」 and 「已催办 N 次」 as of the day, the task's and its shares'
    together (the events the 通报 counts: two queries for the plan, undone ones left out)."""
    from jtdj.store import bulletins
    from jtdj.store.history import undone_batches

    moved = bulletins.extensions(store, plan, as_of)
    urged = bulletins.urges(store, plan, as_of)
    if not moved and not urged:
        return {}
    undone = undone_batches(store, plan)
    words = {}
    for key, events in (("show.extensions", moved), ("show.urged", urged)):
        per_task: dict[str, int] = {}
        for target, batch, _unit in events:
            if batch not in undone:
                task = units_db.split_target(target)[0]
                per_task[task] = per_task.get(task, 0) + 1
        for task, n in per_task.items():
            words.setdefault(task, []).append(t(key, count=n))
    return {task: t("list.sep").join(w) for task, w in words.items()}


# Which data each export format writes (``render.FORMATS["export"]`` says how).
DOCUMENTS = {"toml": lambda store, plan, as_of: plan_document(store, plan),
             "json": to_data, "csv": task_rows, "xlsx": ledger_data}
