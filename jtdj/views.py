"""Read models: what `list`, `tree`, `show`, `history`, `plans` and `paths` show, as plain data
(no printing, no formats; ``render`` writes them)."""

from __future__ import annotations

import json
from datetime import date
from typing import Iterator

from jtdj.render.tasks import credited, shown_target
from jtdj.store import Store, TaskFilter
from jtdj.store.tasks import decode_list, plan_start
from jtdj.store.history import events_of, undone_batches
from jtdj.store.lights import percent
from jtdj.tuples import named_tuple


def progress(records: list[dict]) -> dict:
    """done/total and % done; dropped tasks and ongoing ones (常态推进) are left out of the
    % done; a recurring task's occurrences count as the task, once (as the summary counts)."""
    from jtdj.store.occurrence_counts import rolled_status

    occurring: dict[str, list[str]] = {}
    for r in records:
        if r.get("period"):
            occurring.setdefault(r["id"].split("@")[0], []).append(r["status"])
    if occurring:
        records = [r for r in records if not r.get("period")] + [
            {"status": rolled_status(s)} for s in occurring.values()]
    total = len(records)
    done = sum(1 for r in records if r["status"] == "done")
    dropped = sum(1 for r in records if r["status"] == "dropped")
    ongoing = [r["status"] == "done" for r in records
               if r.get("ongoing") and r["status"] != "dropped"]
    return {"done": done, "total": total, "dropped": dropped,
            "percent": percent(done - sum(ongoing), total - dropped - len(ongoing))}


def tree(store: Store, plan: str, f: TaskFilter, as_of: date) -> list[dict]:
    """Sections > items > tasks with progress; items and sections with no matching task drop out
    when a filter is set, so the tree answers the same question as `list`."""
    records = store.select_tasks(plan, f, as_of)
    by_item: dict[int, list[dict]] = {}
    for r in records:
        by_item.setdefault(r["item"], []).append(r)
    items_by_section: dict[int, list[dict]] = {}
    for it in store.items(plan):
        tasks = by_item.get(it["no"], [])
        if not tasks:
            continue
        node = {"id": str(it["no"]), "title": it["title"], **progress(tasks), "tasks": tasks}
        items_by_section.setdefault(it["section"], []).append(node)
    out = []
    for s in store.sections(plan):
        items = items_by_section.get(s["no"], [])
        if not items:
            continue
        tasks = [r for it in items for r in it["tasks"]]
        out.append({"section": s["no"], "title": s["title"], **progress(tasks), "items": items})
    return out


def task_detail(store: Store, plan: str, task_id: str, as_of: date) -> dict:
    from jtdj.store import urges

    record = store.select_tasks(plan, TaskFilter(status="all", ids=[task_id], occurrences=True),
                                as_of)
    if not record:  # archived
        record = store.select_tasks(plan, TaskFilter(status="all", ids=[task_id], archived=True),
                                    as_of)
    row = store.task(plan, task_id)
    item = store.item(plan, row["item"])
    events = events_of(store, plan, task_id)
    then = Replay(events, as_of, undone_batches(store, plan))
    request = then.value(task_id, "request", row["request"])
    units = unit_shares(store, plan, task_id, row["due"], as_of, row["start"])
    start = row["start"] or plan_start(store, plan)
    for share in units:
        share["extensions"] = then.extensions(f"{task_id}@{share.pop('_unit_id')}", row["due"])
        share.update(quiet_fields(store, share, start, as_of))
    if row["origin"] == "added":  # its window starts on the day of its `add`
        start = row["start"] or min((e["on_date"] for e in events if e["action"] == "add"
                                     and e["target"] == task_id), default=start)
    series = {}
    if row["every"]:  # a recurring task: as its occurrences make it, each of them listed
        from jtdj.occurrences import detail

        series = {"every": row["every"], "day": row["due_day"],
                  **detail(store, plan, task_id, as_of)}
        total = len(series["occurrences"])
        series.update(percent=percent(series.pop("done"), total),
                      expected_percent=percent(series.pop("due_by_now"), total))
    return {
        "kind": "task", **record[0], **quiet_fields(store, record[0], start, as_of), **series,
        "archived": bool(row["archived"]),
        "origin": row["origin"], "drop_reason": row["drop_reason"],
        "evidence": decode_list(row["evidence"]),
        "reported_on": then.value(task_id, "reported_on", row["reported_on"]),
        "request": json.loads(request) if request else None,
        "returned": then.value(task_id, "returned", row["returned"]),
        "item_title": item["title"] if item else None, "item_text": item["text"] if item else None,
        "notes": [note_record(n) for n in task_notes(store, plan, task_id, row["status"])],
        "units": units,
        "urged": urges.count(store, plan, task_id),
        "extensions": then.extensions(task_id),
        "history": [event_record(e) for e in events],
    }


def quiet_fields(store: Store, record: dict, start: str | None, as_of: date) -> dict:
    """An ongoing task's or share's days without a note, counted as its light counts them
    (from the later of its window's start and its last note), and the days after which it is
    滞后 (``quiet_for``, ``quiet_days``: `show` only); nothing for another task."""
    if not record.get("ongoing"):
        return {}
    since = max((d for d in (start, record.get("last_note")) if d), default=None)
    return {"quiet_for": (as_of - date.fromisoformat(since)).days if since else None,
            "quiet_days": store.lights.ongoing_quiet_days}


class Replay:
    """A task's events (newest first, as ``events_of`` gives them) read for a past day: a
    field's value then, and how often its due date was moved later by then (延期: a `due` or
    an accepted request, never an import or an undo). Undone batches are as if never run."""

    def __init__(self, events: list[dict], day: date, undone: set[str]):
        self.events = [e for e in events if e["action"] != "undo" and e["batch"] not in undone]
        self.day = day.isoformat()

    def value(self, target: str, field: str, now):
        for e in self.events:  # newest first: the oldest change after the day wins
            if e["target"] == target and e["field"] == field and e["on_date"] > self.day:
                now = e["old"]
        return now

    def extensions(self, target: str, task_due: str | None = None) -> int:
        """``task_due``: what a share without a date of its own worked to."""
        return sum(1 for e in self.events
                   if e["target"] == target and e["field"] == "due" and e["action"] != "import"
                   and e["on_date"] <= self.day and e["new"] and (e["old"] or task_due)
                   and e["new"] > (e["old"] or task_due))


def unit_shares(store: Store, plan: str, task_id: str, due: str | None, as_of: date,
                start: str | None = None) -> list:
    """The task's 承办单位 as of the day, each with its own status, light, percent and latest
    note (docs/output.md)."""
    from jtdj import shares
    from jtdj.store.units import last_notes, share_target

    out = []
    of_task = shares.as_of(store, plan, as_of, [task_id]).get(task_id, [])
    last = last_notes(store, plan, [share_target(task_id, s["unit"]) for s in of_task], as_of)
    for share in of_task:
        note = last.get(share_target(task_id, share["unit"]))
        record = shares.effective(share, due, as_of, store.lights,
                                  start or plan_start(store, plan))
        record["_unit_id"] = record.pop("unit_id")
        out.append({**record, "latest_note": note_record(note) if note else None})
    return out


def item_detail(store: Store, plan: str, item_no: int, as_of: date) -> dict:
    item = store.item(plan, item_no)
    tasks = store.select_tasks(plan, TaskFilter(status="all", item=item_no), as_of)
    section = {s["no"]: s["title"] for s in store.sections(plan)}.get(item["section"])
    return {
        "kind": "item", "id": str(item_no), "section": item["section"], "section_title": section,
        "title": item["title"], "text": item["text"], **progress(tasks), "tasks": tasks,
        "notes": [note_record(n) for n in store.notes(plan, str(item_no))],
        "history": [event_record(e) for e in events_of(store, plan, str(item_no))],
    }


def note_record(n: dict) -> dict:
    return {"on": n["on_date"], "by": n["actor"], "text": n["text"], "percent": n["percent"]}


class NoteBook:
    """The notes of a plan's tasks with the note of each one's check-off (given with `jtdj done
    --note` and kept on its event), read in two queries: what `show` lists under its notes and
    what an export writes for every task (the plan file has no other place for a check-off
    note, and after a restore it is an ordinary note)."""

    def __init__(self, notes: dict[str, list[dict]], last_status: dict[str, dict]):
        """From what was read already: notes by target, and each task's last status change
        (an export reads both with its tasks, in one cursor)."""
        self.notes, self.last_status = notes, last_status

    @classmethod
    def read(cls, store: Store, plan: str, task_id: str | None = None) -> "NoteBook":
        """The plan's (or one task's) notes and last status changes, in two queries."""
        return cls(store.notes_by_target(plan, task_id), store.last_status_changes(plan, task_id))

    def done_note(self, task_id: str, status: str) -> dict | None:
        """The check-off note, while the task is done (its last status change is that check-off)."""
        e = self.last_status.get(task_id)
        if e and e["note"] and e["action"] == "done" and status == "done":
            return {"on_date": e["on_date"], "at": e["at"], "actor": e["actor"],
                    "text": e["note"], "percent": None}
        return None

    def task_notes(self, task_id: str, status: str) -> list[dict]:
        """The task's notes with its check-off note among them, by date."""
        notes = self.notes.get(task_id, [])
        extra = self.done_note(task_id, status)
        if extra and not any((n["on_date"], n["text"]) == (extra["on_date"], extra["text"])
                             for n in notes):
            notes = sorted(notes + [extra], key=lambda n: n["on_date"])
        return notes


def task_notes(store: Store, plan: str, task_id: str, status: str) -> list[dict]:
    """One task's notes with its check-off note (see NoteBook)."""
    return NoteBook.read(store, plan, task_id).task_notes(task_id, status)


def event_record(e: dict) -> dict:
    return {"id": e["id"], "at": e["at"], "on": e["on_date"], "actor": e["actor"],
            "target": e["target"], "action": e["action"], "field": e["field"],
            "old": e["old"], "new": e["new"], "note": e["note"], "unit": e["unit"],
            "source": e["source"], "batch": e["batch"]}


def history(store: Store, plan: str, target: str | None, since: date | None,
            limit: int | None, each: bool = False) -> dict:
    """The change log, newest first: every event from ``since`` (inclusive) on, of one task or
    item (an item's history includes its tasks') or of the whole plan, at most ``limit`` of
    each of the two lists.

    ``events``: one record per event, what JSON, CSV and TSV write (``history_events`` reads
    them as a stream). ``lines``: what people read,
    each ``{kind, at, on, actor, target, plan, events, undone}``: an import is one line (kind
    ``import``) with its events unless ``each``, an undo one line (kind ``undo``) with, in
    ``undone``, the events of each batch it undid (whole, whatever the filter), and any other
    event a line of its own (kind ``event``); ``events`` are oldest first within a line."""
    events = list(history_events(store, plan, target, since))
    lines = history_lines(store, plan, events, each)
    return {"events": events[:limit] if limit else events,
            "lines": lines[:limit] if limit else lines}


@named_tuple
class HistoryLog:
    """One `history` request, read only as its output needs it: ``events()`` streams the
    events for the machine formats, ``data()`` reads them all to group them into lines for
    people (``render.FORMATS["history"]`` chooses, so the command need not)."""

    store: Store
    plan: str
    target: str | None
    since: date | None
    limit: int | None
    each: bool = False

    def events(self) -> Iterator[dict]:
        return history_events(self.store, self.plan, self.target, self.since, self.limit)

    def data(self) -> dict:
        return history(self.store, self.plan, self.target, self.since, self.limit, self.each)


def history_events(store: Store, plan: str, target: str | None, since: date | None,
                   limit: int | None = None) -> Iterator[dict]:
    """``history``'s ``events`` as a stream from the cursor, newest first, in one query: the
    machine formats write them as they come (memory flat in the plan's size), and a ``limit``
    stops the reading after that many."""
    from jtdj.store.history import iter_event_records

    return iter_event_records(store, plan, target, since, limit)


def history_lines(store: Store, plan: str, events: list[dict], each: bool = False) -> list[dict]:
    """``events`` (newest first) grouped into the lines of ``history``: an import's and an
    undo's by batch, at the place of their newest event."""
    from jtdj.render.tasks import IMPORT_ACTIONS
    from jtdj.store.history import UNDO_NOTE_PREFIX, batch_event_records

    lines: list[dict] = []
    grouped: dict[tuple[str, str], dict] = {}
    # the register's events of an import (the units its file names) belong to its line
    imports = {e["batch"] for e in events if e["action"] in IMPORT_ACTIONS} if not each else ()
    for e in events:
        kind = ("undo" if e["action"] == "undo" else
                "import" if e["batch"] in imports else "event")
        line = grouped.get((kind, e["batch"])) if kind != "event" else None
        if line is None:
            line = {"kind": kind, "at": e["at"], "on": e["on"], "actor": credited(e),
                    "target": shown_target(e) if kind == "event" else None, "plan": plan,
                    "events": [], "undone": []}
            lines.append(line)
            if kind != "event":
                grouped[(kind, e["batch"])] = line
        line["events"].append(e)
    for line in lines:
        line["events"].reverse()
    undos = [line for line in lines if line["kind"] == "undo"]
    if undos:
        undone = [list(dict.fromkeys(e["note"][len(UNDO_NOTE_PREFIX):] for e in line["events"]
                                     if (e["note"] or "").startswith(UNDO_NOTE_PREFIX)))
                  for line in undos]
        by_batch = batch_event_records(store, plan, [b for batches in undone for b in batches])
        for line, batches in zip(undos, undone):
            line["undone"] = [by_batch.get(batch, []) for batch in batches]
    return lines


def plans(store: Store) -> list[dict]:
    current = store.setting("current_plan")
    return [{**p, "current": p["key"] == current} for p in store.plans()]
