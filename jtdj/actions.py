"""The clerk's changes: status, owner, due date, notes, added tasks.

Each public function resolves its ids first (all-or-nothing), then makes every change in one
batch (one transaction, one batch id for undo), and returns what changed and what was already so.
"""

from __future__ import annotations

from datetime import date

from jtdj.errors import NotFound, UsageError
from jtdj.i18n import t
from jtdj.parse import Ref, closest, natural_key
from jtdj.store import Store
from jtdj.store.tasks import decode_list
from jtdj.tuples import named_tuple


class Outcome:
    """The ids a command changed, and those already as asked."""

    def __init__(self) -> None:
        self.changed: list[str] = []
        self.unchanged: list[str] = []
        self.before: dict[str, dict] = {}  # the changed tasks' rows as they were


@named_tuple
class Context:
    """Who acts, on which plan, on which day."""

    store: Store
    plan: str
    actor: str
    today: date


def resolve(ctx: Context, refs: list[Ref], expand_items: bool = True, series: bool = False,
            on: date | None = None, skipped: list[str] | None = None,
            units: list[int] | None = None) -> list[str]:
    """Task ids for ``refs`` (an item means all its tasks); unknown ids fail together. A
    recurring task means one of its occurrences (``occurrences.pick``: the period typed, else
    the one of ``on``, else the current one) — or, with ``series``, itself and all of them; an
    item's recurring tasks are left out (their ids added to ``skipped``)."""
    # look up only what was asked for: a plan may hold 100,000 tasks
    known = ctx.store.existing_task_ids(ctx.plan, [str(r) for r in refs if not r.is_item])
    recurring = _recurring(ctx, known) if known else {}
    items = ctx.store.existing_items(ctx.plan, [r.item for r in refs if r.is_item])
    missing = []
    out: list[str] = []
    all_items: list[str] = []
    all_tasks: list[str] = []
    for ref in refs:
        if ref.is_item:
            if ref.item not in items:
                all_items = all_items or [str(i["no"]) for i in ctx.store.items(ctx.plan)]
                missing.append(t("error.missing_one", id=str(ref), near=_near(str(ref), all_items)))
            elif expand_items:
                ids = ctx.store.item_task_ids(ctx.plan, ref.item)
                left = _recurring(ctx, set(ids)) if ids else {}
                out.extend(i for i in ids if i not in left)
                if skipped is not None:
                    skipped.extend(left)
            else:
                out.append(str(ref))
        elif str(ref) not in known or (ref.period is not None and str(ref) not in recurring):
            all_tasks = all_tasks or ctx.store.task_ids(ctx.plan, occurrences=False)
            missing.append(t("error.missing_one", id=str(ref), near=_near(str(ref), all_tasks)))
        elif str(ref) in recurring:
            from jtdj import occurrences

            if series and ref.period is None:
                out.append(str(ref))
                out.extend(recurring[str(ref)])
            else:
                out.append(occurrences.pick(ctx.store, ctx.plan, str(ref), ref.period, on,
                                            ctx.today, units))
        else:
            out.append(str(ref))
    if missing:
        raise NotFound(t("error.missing_ids", plan=ctx.plan, list=t("list.group_sep").join(missing)))
    seen: set[str] = set()
    unique = [i for i in out if not (i in seen or seen.add(i))]
    return unique


def _recurring(ctx: Context, ids: set[str]) -> dict[str, list[str]]:
    """Of ``ids``, the recurring tasks, each with its live occurrences' ids."""
    from jtdj.store import occurrences as db

    if not db.has_recurring(ctx.store, ctx.plan):
        return {}
    parents = [r["id"] for r in db.recurring_tasks(ctx.store, ctx.plan, sorted(ids))]
    held = db.of_tasks(ctx.store, ctx.plan, parents) if parents else {}
    return {p: [r["id"] for r in held.get(p, []) if r["archived"] == db.OCCURRENCE]
            for p in parents}


def _near(wanted: str, existing: list[str]) -> str:
    return t("list.sep").join(closest(wanted, existing)) or "-"


def _apply(ctx: Context, ids: list[str], change, shared=None) -> Outcome:
    """``change(batch, task_id, row)`` on each task; on a task handed to units, ``shared(batch,
    task_id)`` instead when given (``shares.on_every_share``: the change made on every share)."""
    from jtdj.store.units import tasks_with_shares

    outcome = Outcome()
    with_shares = tasks_with_shares(ctx.store, ctx.plan) if shared else set()
    with ctx.store.batch(ctx.plan, ctx.actor, ctx.today) as batch:
        for task_id in ids:
            row = ctx.store.task(ctx.plan, task_id)
            if task_id in with_shares:
                changed = shared(batch, task_id)
            else:
                changed = change(batch, task_id, row)
            if changed:
                outcome.changed.append(task_id)
                outcome.before[task_id] = row
            else:
                outcome.unchanged.append(task_id)
    return outcome


def apply_action(put, status: str, evidence_now: list, action: str, day: date,
                 note: str | None = None, evidence: list[str] | None = None,
                 reason: str | None = None, due: date | None = None) -> bool:
    """The fields ``action`` sets on a task or share whose status is ``status``, each through
    ``put(column, value, note=None)``; False when it is so already. Keeps a state date only on
    its status (done_on on done, dropped_on on dropped), as the counting indexes need."""
    if action == "due":
        return put("due", due)
    if action == "start":
        if status == "doing":
            return False
        put("status", "doing")
        if status != "review":  # a report sent back: it was started when it was reported
            put("started_on", day)
        for column in ("done_on", "dropped_on", "drop_reason", "reported_on"):
            put(column, None)
        return True
    if action == "done":
        if status == "done":
            return False
        put("status", "done", note)
        put("done_on", day)
        for column in ("dropped_on", "drop_reason", "reported_on", "request", "returned"):
            put(column, None)
        if evidence:
            put("evidence", evidence_now + [e for e in evidence if e not in evidence_now])
        return True
    if action == "reopen":
        if status == "todo":
            return False
        put("status", "todo")
        for column in ("started_on", "done_on", "dropped_on", "drop_reason", "reported_on"):
            put(column, None)
        return True
    if action == "drop":
        if status == "dropped":
            return False
        put("status", "dropped", reason)
        put("dropped_on", day)
        put("drop_reason", reason)
        for column in ("done_on", "reported_on", "request", "returned"):
            put(column, None)
        return True
    raise ValueError(action)


def _put(batch, task_id: str, action: str, day: date):
    """``apply_action``'s way to write a task's field: one event of ``action``."""
    return lambda column, value, note=None: batch.set_task(task_id, column, value, action,
                                                          on=day, note=note)


def start(ctx: Context, ids: list[str], on: date | None = None, shared=None) -> Outcome:
    day = on or ctx.today

    def change(batch, task_id, row):
        return apply_action(_put(batch, task_id, "start", day), row["status"], [], "start", day)

    return _apply(ctx, ids, change, shared)


def done(ctx: Context, ids: list[str], on: date | None = None, note: str | None = None,
         evidence: list[str] | None = None, shared=None) -> Outcome:
    """The clerk's own check-off: done at once, never held for review (a unit's report is
    ``review.report``)."""
    day = on or ctx.today
    if day > ctx.today:
        raise UsageError(t("error.future_date", what="--on", value=day.isoformat()))

    def change(batch, task_id, row):
        return apply_action(_put(batch, task_id, "done", day), row["status"],
                            decode_list(row["evidence"]), "done", day, note=note,
                            evidence=evidence)

    return _apply(ctx, ids, change, shared)


def reopen(ctx: Context, ids: list[str], shared=None) -> Outcome:
    def change(batch, task_id, row):
        return apply_action(_put(batch, task_id, "reopen", ctx.today), row["status"], [],
                            "reopen", ctx.today)

    return _apply(ctx, ids, change, shared)


def drop(ctx: Context, ids: list[str], reason: str, on: date | None = None,
         shared=None) -> Outcome:
    if not reason.strip():
        raise UsageError(t("error.empty_value", what="--reason"))
    day = on or ctx.today

    def change(batch, task_id, row):
        return apply_action(_put(batch, task_id, "drop", day), row["status"], [], "drop", day,
                            reason=reason)

    return _apply(ctx, ids, change, shared)


def assign(ctx: Context, ids: list[str], owner: str, support: list[str] | None = None) -> Outcome:
    owner = owner.strip()
    if not owner:
        raise UsageError(t("error.empty_value", what="--to"))

    def change(batch, task_id, row):
        changed = batch.set_task(task_id, "owner", owner, "assign")
        if support is not None:
            changed = batch.set_task(task_id, "support", [s.strip() for s in support if s.strip()],
                                     "assign") or changed
        return changed

    return _apply(ctx, ids, change)


def unassign(ctx: Context, ids: list[str]) -> Outcome:
    def change(batch, task_id, row):
        changed = batch.set_task(task_id, "owner", None, "unassign")
        return batch.set_task(task_id, "support", [], "unassign") or changed

    return _apply(ctx, ids, change)


def set_due(ctx: Context, ids: list[str], due: date | None) -> Outcome:
    """A new due date; None makes the tasks ongoing (常态推进: no due date, judged by their
    notes), and a date makes an ongoing task an ordinary one again. Each change is logged.
    A recurring task (or one of its occurrences) is never ongoing."""
    if due is None:
        for task_id in ids:
            row = ctx.store.task(ctx.plan, task_id)
            if row["every"] or row["parent"]:
                raise UsageError(t("error.recurring_not_ongoing", id=row["parent"] or task_id))

    def change(batch, task_id, row):
        changed = batch.set_task(task_id, "kind", None if due else "ongoing", "due")
        return batch.set_task(task_id, "due", due, "due") or changed

    return _apply(ctx, ids, change)


def add_note(ctx: Context, target: str, text: str, percent: int | None) -> None:
    if not text.strip():
        raise UsageError(t("error.empty_value", what="TEXT"))
    if percent is not None and not 0 <= percent <= 100:
        raise UsageError(t("error.bad_percent", value=percent))
    with ctx.store.batch(ctx.plan, ctx.actor, ctx.today) as batch:
        ctx.store.add_note(batch, target, text.strip(), percent)
        if percent is not None and "." in target:
            batch.set_task(target, "percent", percent, "note")


def add_task(ctx: Context, item: int, title: str, due: date | None, when: str | None,
             owner: str | None, ongoing: bool = False) -> str:
    """A task the plan file does not have; it gets the item's next number. An ongoing one
    (常态推进) has no due date."""
    from jtdj.parse import plan_year, timing_dates
    from jtdj.store.bulk import insert_tasks, next_position

    if not title.strip():
        raise UsageError(t("error.empty_value", what="TITLE"))
    item_row = ctx.store.item(ctx.plan, item)
    if item_row is None:
        existing = [str(i["no"]) for i in ctx.store.items(ctx.plan)]
        raise NotFound(t("error.missing_ids", plan=ctx.plan, list=t(
            "error.missing_one", id=str(item), near=_near(str(item), existing))))
    plan_row = ctx.store.plan(ctx.plan)
    year = plan_year(*(date.fromisoformat(plan_row[k]) if plan_row[k] else None
                       for k in ("due", "issued")), ctx.today)
    start, due = timing_dates(when, None, due, year)
    with ctx.store.batch(ctx.plan, ctx.actor, ctx.today) as batch:
        numbers = [natural_key(i)[1] for i in ctx.store.task_ids(ctx.plan, occurrences=False)
                   if natural_key(i)[0] == item]
        no = max(numbers, default=0) + 1
        task_id = f"{item}.{no}"
        insert_tasks(ctx.store, [{
            "plan": ctx.plan, "id": task_id, "item": item, "no": no, "section": item_row["section"],
            "title": title.strip(), "timing": when, "start": start.isoformat() if start else None,
            "due": None if ongoing else (due.isoformat() if due else plan_row["due"]),
            "kind": "ongoing" if ongoing else None, "every": None, "due_day": None, "parent": None,
            "period": None, "owner": owner or None,
            "support": "[]", "tags": "[]", "status": "todo", "percent": None, "started_on": None,
            "done_on": None, "dropped_on": None, "drop_reason": None, "archived": 0,
            "origin": "added", "evidence": "[]", "file_values": None,
            "pos": next_position(ctx.store, ctx.plan, item),
        }])
        batch.event(task_id, "add", "title", None, title.strip())
    return task_id
