"""审核: what a unit reports waits for the office before it counts (docs/workflow.md).

A unit's 已完成 (from `merge`, or `done --unit U --reported`) makes its task or share 待审核
(status ``review``, ``reported_on`` the day it reported): open, not yet done, and not overdue
when it came by the due date. A unit's 申请延期 or 申请取消 (from the form, or `extend`) is a
``request`` attached to the task or share, whose status stays as it was.

`accept` makes a report 已完成, its 完成日期 the day the unit reported (which decides "on
time"), and does what a request asked (the new date; the drop). `return` sends a report back to
推进中 and turns a request down, with the office's reason, which the unit's next 填报表 shows.
Both are dated the day they are made, so a 周报 already sent for an earlier week stays true;
both are one batch each, undone by `undo`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from jtdj import shares
from jtdj.actions import Context, Outcome
from jtdj.errors import NotFound, UsageError
from jtdj.i18n import t
from jtdj.store import reviews as db
from jtdj.store.units import split_target
from jtdj.store import units as units_db
from jtdj.store.tasks import decode_list

REQUEST_KINDS = ("extend", "cancel")


def held(config: dict) -> bool:
    """``[review] units``: whether a unit's 已完成 waits for review (the default) or counts
    at once."""
    table = config.get("review") or {}
    value = table.get("units", True) if isinstance(table, dict) else table
    if not isinstance(value, bool):
        raise UsageError(t("review.bad_config", key="review.units", value=value))
    return value


# --- the fields each step sets, through put(column, value, note=None) ----------------------

def put_report(put, row: dict, day: date, note: str | None = None,
               evidence: list[str] | None = None) -> bool:
    """A unit's 已完成 on a task or share as it is (``row``): 待审核 from ``day``. False when
    it is done already, or waits with the same day."""
    status = row["status"]
    if status == "done" or (status == "review" and row.get("reported_on") == day.isoformat()):
        return False
    put("status", "review", note)
    put("reported_on", day)
    if status == "todo" or not row.get("started_on"):
        put("started_on", day)  # a unit that reports it done has been at it
    for column in ("done_on", "dropped_on", "drop_reason", "returned"):
        put(column, None)
    _add_evidence(put, row, evidence)
    return True


def put_request(put, row: dict, kind: str, day: date, reason: str,
                due: date | None = None) -> bool:
    """A unit's request (``extend`` to ``due``, or ``cancel``), waiting; it replaces one that
    waited before."""
    if row["status"] in ("done", "dropped"):
        return False
    text = json.dumps({"kind": kind, "due": due.isoformat() if due else None,
                       "reason": reason, "on": day.isoformat()}, ensure_ascii=False)
    return put("request", text, reason)


def put_accept(put, row: dict, day: date) -> bool:
    """The office accepts what waits: a report becomes 已完成 on the day the unit reported; a
    request for a new date moves the due date; a request to cancel drops it with its reason."""
    changed = False
    request = _request(row)
    if row["status"] == "review":
        put("status", "done")
        put("done_on", row["reported_on"])
        for column in ("reported_on", "returned"):
            put(column, None)
        changed = True
    if request and request["kind"] == "extend" and row["status"] not in ("done", "dropped"):
        put("due", request["due"], request["reason"])
        changed = True
    elif request and request["kind"] == "cancel" and row["status"] not in ("done", "dropped"):
        put("status", "dropped", request["reason"])
        put("dropped_on", day)
        put("drop_reason", request["reason"])
        for column in ("done_on", "reported_on", "returned"):
            put(column, None)
        changed = True
    if request:
        put("request", None)
        changed = True
    return changed


def put_return(put, row: dict, reason: str) -> bool:
    """The office sends a report back (推进中 again) or turns a request down, with its
    reason; the unit's next form shows it."""
    if row["status"] != "review" and not row.get("request"):
        return False
    if row["status"] == "review":
        put("status", "doing", reason)
        put("reported_on", None)
    if row.get("request"):
        put("request", None, reason)
    put("returned", reason)
    return True


def _request(row: dict) -> dict | None:
    value = row.get("request")
    if isinstance(value, str):
        return json.loads(value)
    return value


def _add_evidence(put, row: dict, evidence: list[str] | None) -> None:
    if not evidence:
        return
    now = row["evidence"] if isinstance(row["evidence"], list) else decode_list(row["evidence"])
    added = [e for e in evidence if e not in now]
    if added:
        put("evidence", now + added)


# --- what the commands change ----------------------------------------------------------------

@dataclass
class Target:
    """One task or share a step acts on: its task, its share (None: the task itself), and the
    unit it is credited to."""

    task_id: str
    share: dict | None
    unit: str | None

    @property
    def label(self) -> str:
        return shares.label(self.task_id, self.unit) if self.share else self.task_id


def targets(ctx: Context, ids: list[str], units: list[dict] | None,
            waiting_only: bool) -> list[Target]:
    """The tasks or shares ``ids`` × ``units`` name: on a task handed to units, each named
    unit's share (none named: every share that waits, or with ``waiting_only`` False every
    share); on a task not handed to units, the task itself (a unit named must be its lead).
    A unit named that holds neither is an error, before anything changes."""
    held_by = units_db.shares(ctx.store, ctx.plan, ids)
    out = []
    for task_id in ids:
        task = ctx.store.task(ctx.plan, task_id)
        ss = held_by.get(task_id, [])
        if ss and (units or not waiting_only or any(_waits(s) for s in ss)):
            if units:
                out += [Target(task_id, s, s["unit_name"]) for _task, s in
                        shares.held_shares(ctx, [task_id], units)]
            else:
                chosen = [s for s in ss if _waits(s)] if waiting_only else ss
                out += [Target(task_id, s, s["unit_name"]) for s in chosen]
            continue
        for u in units or []:
            if task["owner"] != u["name"]:
                raise NotFound(t("shares.not_held", id=task_id, unit=u["name"]))
        out.append(Target(task_id, None, task["owner"]))
    return out


def _waits(row: dict) -> bool:
    return row["status"] == "review" or bool(row.get("request"))


def _row(ctx: Context, target: Target) -> dict:
    if target.share is not None:
        return target.share
    row = ctx.store.task(ctx.plan, target.task_id)
    row["evidence"] = decode_list(row["evidence"])
    return row


def apply(ctx: Context, chosen: list[Target], step, action: str, day: date, batch=None,
          source: str | None = None) -> Outcome:
    """``step(put, row)`` on each target in one batch (``batch``: the caller's, as a merge
    has), each event of ``action`` dated ``day`` and credited to the target's unit; then each
    task handed to units rolled up."""
    if batch is None:
        with ctx.store.batch(ctx.plan, ctx.actor, ctx.today) as own:
            return apply(ctx, chosen, step, action, day, own, source)
    outcome = Outcome()
    rolled = []
    for target in chosen:
        row = _row(ctx, target)
        batch.unit = target.unit
        if source:
            batch.source = source
        if target.share is not None:
            share = target.share

            def put(column, value, note=None, _share=share, _task=target.task_id):
                return units_db.set_share(ctx.store, batch, _task, _share["unit"],
                                          _share["unit_name"], column, value, action, on=day,
                                          note=note)
            if target.task_id not in rolled:
                rolled.append(target.task_id)
        else:
            def put(column, value, note=None, _task=target.task_id):
                return batch.set_task(_task, column, value, action, on=day, note=note)
        (outcome.changed if step(put, row) else outcome.unchanged).append(target.label)
    batch.unit = batch.source = None  # a task's roll-up is every unit's
    for task_id in rolled:
        shares.rollup(ctx.store, batch, task_id, action, day)
    return outcome


def report(ctx: Context, ids: list[str], units: list[dict] | None, day: date,
           note: str | None = None, evidence: list[str] | None = None,
           held: bool = True) -> Outcome:
    """`done --unit U --reported`: the clerk records what a unit reported: 待审核, or (not
    ``held``) 已完成 at once, credited to the unit either way."""
    from jtdj.actions import apply_action

    chosen = targets(ctx, ids, units, waiting_only=False)

    def step(put, row):
        if not held:
            return apply_action(put, row["status"], row["evidence"], "done", day,
                                evidence=evidence)
        return put_report(put, row, day, None, evidence)

    with ctx.store.batch(ctx.plan, ctx.actor, ctx.today) as batch:
        outcome = apply(ctx, chosen, step, "report" if held else "done", day, batch)
        if note:  # what the unit said with it: a note, listed with the report
            for target in chosen:
                if target.label in outcome.changed:
                    ctx.store.add_note(batch, _target_key(target), note, None, on=day,
                                       unit=target.unit)
    return outcome


def _target_key(target: Target) -> str:
    return (units_db.share_target(target.task_id, target.share["unit"]) if target.share
            else target.task_id)


def request(ctx: Context, task_id: str, units: list[dict] | None, kind: str, reason: str,
            due: date | None = None) -> Outcome:
    """`extend ID DATE --reason`: a request received, waiting for `accept` or `return`."""
    if not reason.strip():
        raise UsageError(t("error.empty_value", what="--reason"))
    chosen = targets(ctx, [task_id], units, waiting_only=False) if units else [
        Target(task_id, None, ctx.store.task(ctx.plan, task_id)["owner"])]
    return apply(ctx, chosen, lambda put, row: put_request(put, row, kind, ctx.today, reason,
                                                           due), "request", ctx.today)


def accept(ctx: Context, ids: list[str] | None, units: list[dict] | None) -> Outcome:
    """`accept ID… [--unit U]…` (``ids`` None: `--all`, everything that waits)."""
    chosen = _waiting_targets(ctx, ids, units)
    return apply(ctx, chosen, lambda put, row: put_accept(put, row, ctx.today), "accept",
                 ctx.today)


def send_back(ctx: Context, ids: list[str], units: list[dict] | None, reason: str) -> Outcome:
    """`return ID --unit U --reason TEXT`."""
    if not reason.strip():
        raise UsageError(t("error.empty_value", what="--reason"))
    chosen = _waiting_targets(ctx, ids, units)
    return apply(ctx, chosen, lambda put, row: put_return(put, row, reason), "return",
                 ctx.today)


def _waiting_targets(ctx: Context, ids: list[str] | None, units: list[dict] | None):
    if ids is None:
        chosen = [Target(r["id"], _share_of(ctx, r) if r["unit_id"] is not None else None,
                         r["unit"]) for r in db.waiting(ctx.store, ctx.plan)]
    else:
        chosen = targets(ctx, ids, units, waiting_only=True)
    idle = [c.label for c in chosen if not _waits(_row(ctx, c))]
    if idle:
        raise NotFound(t("review.nothing_waits", targets=t("list.sep").join(idle)))
    return chosen


def _share_of(ctx: Context, row: dict) -> dict:
    return next(s for s in units_db.shares(ctx.store, ctx.plan, [row["id"]])[row["id"]]
                if s["unit"] == row["unit_id"])


# --- what waits --------------------------------------------------------------------------

def waiting(store, plan: str, unit: dict | None = None, as_of: date | None = None) -> list[dict]:
    """The `review` list: each task or share that waits, with what was reported or asked,
    when, and the unit's latest note and evidence (JSON keys of docs/output.md). With
    ``as_of``, what waited at the end of that day: the rows changed since put back."""
    rows = _rows_then(store, plan, as_of) if as_of is not None else db.waiting(store, plan)
    if unit is not None:
        rows = [r for r in rows if r["unit"] == unit["name"]]
    notes = db.last_notes(store, plan, [r["target"] for r in rows], as_of)
    out = []
    for r in rows:
        request = json.loads(r["request"]) if r["request"] else None
        kinds = (["done"] if r["status"] == "review" else []) + ([request["kind"]] if request
                                                                  else [])
        for kind in kinds:  # a report and a request may wait together: a row each
            on = r["reported_on"] if kind == "done" else request["on"]
            note = notes.get(r["target"])
            if note and note["on"] < on:
                note = None  # said before the report: not what came with it
            out.append({
                "id": r["id"], "title": r["title"], "unit": r["unit"], "kind": kind, "on": on,
                "due": r["due"], "new_due": request["due"] if kind == "extend" else None,
                "reason": request["reason"] if kind != "done" else None,
                "percent": r["percent"], "note": note["text"] if note else None,
                "evidence": decode_list(r["evidence"]),
                "late": bool(kind == "done" and r["due"] and r["due"] < on),
            })
    return out


def _rows_then(store, plan: str, day: date) -> list[dict]:
    """What waited at the end of ``day``: the rows waiting now and those changed since, each
    field a later change touched put back to its old value; undone batches as if never run."""
    from jtdj.store.history import undone_batches

    changes = db.changes_after(store, plan, day.isoformat())
    undone = undone_batches(store, plan) if changes else set()
    changes = [c for c in changes if c[3] not in undone]
    targets = {r["target"] for r in db.waiting(store, plan)} | {c[0] for c in changes}
    targets |= {split_target(t)[0] for t in targets}  # a share's task: the date it works to
    rows = {r["target"]: r for r in db.rows_of(store, plan, sorted(targets))}
    for target, column, old, _batch in changes:  # newest first: the oldest change wins
        if target in rows:
            rows[target][column] = old
    for r in rows.values():
        if r["unit_id"] is not None and r["due"] is None:
            r["due"] = rows[r["id"]]["due"]
    shared = units_db.tasks_with_shares(store, plan)
    for r in rows.values():  # a task handed to units is 待审核 as their roll-up
        if r["unit_id"] is None and r["id"] in shared and r["status"] == "review":
            r["status"] = "doing"
    return [r for r in rows.values() if _waits(r)]
