"""Tasks handed to several units (分解到单位): each 承办单位 carries out its own share.

A share has its own status, percent, dates, evidence and notes. The task's own row is kept as
the roll-up of its shares (done when every share is done or dropped, its percent the mean of
the shares', started when any share is), written by the same batch as the share's change and
dated the same day, so every count, list and past day that reads task rows stays true without
knowing about shares. A task with no shares is an ordinary task.

A share's past day is its row with the changes dated after that day put back (``as_of``).
"""

from __future__ import annotations

from datetime import date

from jtdj.actions import Context, Outcome, apply_action
from jtdj.errors import NotFound, UsageError
from jtdj.i18n import t
from jtdj.store import units as db
from jtdj.store import lights
from jtdj.store.lights import Lights

OPEN = ("todo", "doing", "review")


def label(task_id: str, unit_name: str) -> str:
    return t("shares.label", id=task_id, unit=unit_name)


# --- reading ----------------------------------------------------------------------------------

def effective(share: dict, task_due: str | None, day: date, rules: Lights | None = None,
              start: str | None = None) -> dict:
    """A share's status, light, percent and done date as of ``day`` (by the status rules of
    ``store.tasks``: a state counts from its date on), and its pace (``store.lights``:
    ``rules``, the window from ``start``, its task's, to its due date)."""
    d = day.isoformat()
    status = share["status"]
    if status == "done" and (share["done_on"] is None or share["done_on"] <= d):
        eff = "done"
    elif status == "dropped" and (share["dropped_on"] is None or share["dropped_on"] <= d):
        eff = "dropped"
    elif status == "review":
        eff = "review"
    elif share["started_on"] is not None and share["started_on"] <= d:
        eff = "doing"
    elif status == "doing" and share["started_on"] is None:
        eff = "doing"
    else:
        eff = "todo"
    due = share.get("due") or task_due
    reported = share.get("reported_on")
    kind = share.get("kind")
    last_note = max((n for n in share.get("note_days", ()) if n <= d), default=None)
    signal = lights.signal_of(rules or Lights(), eff, due, start, share["percent"], reported, day,
                              kind, last_note)
    expected = lights.expected_of(eff, due, start, day)
    return {"unit": share["unit_name"], "unit_id": share["unit"], "status": eff,
            "light": lights.SIGNAL_LIGHT[signal], "signal": signal,
            "percent": 100 if eff == "done" else share["percent"], "due": due,
            "expected_percent": expected,
            "lag": expected - (share["percent"] or 0) if expected is not None else None,
            "done_on": share["done_on"] if eff == "done" else None,
            "started_on": share["started_on"], "evidence": share["evidence"],
            "drop_reason": share["drop_reason"] if eff == "dropped" else None,
            "reported_on": reported if eff == "review" else None,
            "request": share.get("request"), "returned": share.get("returned"),
            "ongoing": kind is not None, "last_note": last_note}


def as_of(store, plan: str, day: date, task_ids: list[str] | None = None) -> dict[str, list]:
    """The shares of the plan's tasks as they were at the end of ``day``: each field that a
    change dated later touched takes back its old value; a share handed out later is left out.
    Undone batches are as if they never ran."""
    from jtdj.store.history import undone_batches

    by_task = db.shares(store, plan, task_ids)
    if day >= db.latest_share_day(store, plan):
        return by_task
    undone = undone_batches(store, plan)
    index = {db.share_target(s["task"], s["unit"]): s for ss in by_task.values() for s in ss}
    gone = set()
    for target, field, old, batch, action in db.share_events_after(store, plan, day):
        share = index.get(target)
        if share is None or batch in undone:
            continue
        if action == "share":
            gone.add(target)
        elif field in db.SHARE_COLUMNS:
            share[field] = _decoded(field, old)
    if gone:
        by_task = {task: [s for s in ss if db.share_target(s["task"], s["unit"]) not in gone]
                   for task, ss in by_task.items()}
        by_task = {task: ss for task, ss in by_task.items() if ss}
    return by_task


def on_day(store, plan: str, day: date) -> tuple[dict, dict]:
    """The live tasks handed to units as of ``day`` (their records as `list` shows them that
    day) and their shares' records that day (``effective``); a recurring task once per unit,
    by its occurrence shares (``_recurring``). ``share_tally.shared`` keeps them for the command."""
    from jtdj.store.tasks import TaskFilter, plan_start, select_tasks

    by_task = as_of(store, plan, day)
    tasks = {r["id"]: r for r in select_tasks(
        store, plan, TaskFilter(status="all", ids=list(by_task)), day)}
    start = plan_start(store, plan)
    out = {task: [effective(s, tasks[task]["due"], day, store.lights,
                            tasks[task]["start"] or start) for s in ss]
           for task, ss in by_task.items() if task in tasks}
    if any("@" in task for task in by_task):  # occurrence shares (4.3@2022-05)
        _recurring(store, plan, day, by_task, start, tasks, out)
    return tasks, out


def recurring_on_day(store, plan: str, day: date, shared: set[str]) -> tuple[dict, dict]:
    """``on_day`` of the recurring tasks alone: their records (as their begun occurrences make
    them) and their records per unit, of the tasks with shares ``shared`` (their ids: the
    occurrences' hold ``@``). For a day no later change to a share reaches back to
    (``db.latest_share_day``), where the shares of the other tasks are counted by SQLite
    (``store.share_counts``) and no record of them is made."""
    from jtdj.store.tasks import plan_start

    tasks: dict = {}
    recurring: dict = {}
    occurrence_ids = sorted(task for task in shared if "@" in task)
    if occurrence_ids:
        _recurring(store, plan, day, db.shares(store, plan, occurrence_ids),
                   plan_start(store, plan), tasks, recurring)
    return tasks, recurring


def _recurring(store, plan: str, as_of: date, by_task: dict, start: str | None,
               tasks: dict, out: dict) -> None:
    """A recurring task handed to units counts once per unit: under each unit as its begun
    occurrence shares make it that day (``occurrence_counts.rolled_record``; the shares
    themselves in ``occurrences``), and its own record as its begun occurrences make it (what
    the owner's count holds of it, taken off there as any shared task's)."""
    from jtdj.store import occurrence_counts as oc

    shares_of: dict[str, list[tuple[str, list[dict]]]] = {}  # a task's occurrences' shares
    for occ, ss in by_task.items():
        if "@" in occ:
            shares_of.setdefault(occ.split("@")[0], []).append((occ, ss))
    # the day's records of the live recurring tasks and their begun occurrences, which the
    # counts and the 周期性工作 block read too (read once per command and day)
    own_rows, occurrence_rows = oc.day_rows(store, plan, as_of)
    begun = {r["id"]: r for r in occurrence_rows}
    of_task = oc.by_parent(own_rows, occurrence_rows)
    for own in own_rows:
        if own["id"] not in shares_of:
            continue
        units: dict[int, tuple[str, list[dict]]] = {}
        for occ, ss in shares_of[own["id"]]:
            for s in ss:
                held = units.setdefault(s["unit"], (s["unit_name"], []))[1]
                if occ in begun:
                    o = begun[occ]
                    held.append({**effective(s, o["due"], as_of, store.lights,
                                             o["start"] or start), "id": occ})
        tasks[own["id"]] = oc.rolled_record(own, of_task[own["id"]], store.lights, as_of)
        out[own["id"]] = [oc.rolled_record({"unit": name, "unit_id": unit, "ongoing": False,
                                            "occurrences": held}, held, store.lights, as_of)
                          for unit, (name, held) in units.items()]


def _decoded(field: str, value):
    if field == "percent":
        return int(value) if value is not None else None
    if field in ("evidence", "request"):
        import json

        return json.loads(value) if value else ([] if field == "evidence" else None)
    return value


# --- changing ----------------------------------------------------------------------------------

def rollup(store, batch, task_id: str, action: str, on: date) -> None:
    """Write the task's row as the roll-up of its shares (nothing when it has none)."""
    rollup_tasks(store, batch, [task_id], action, on)


def rollup_tasks(store, batch, task_ids: list[str], action: str, on: date) -> None:
    """``rollup`` of each of the tasks, their shares read in one go (a rolled-up row changes
    no share), and each task's row once: a field already so is passed over, as ``set_task``
    would after a read of its own (an import hands out a thousand tasks: bench/README.md)."""
    held = db.shares(store, batch.plan, task_ids) if task_ids else {}
    for task_id in task_ids:
        if held.get(task_id):
            row = store.task(batch.plan, task_id) or {}
            for column, value in _rolled_up(held[task_id]).items():
                if column not in row or row[column] != value:
                    batch.set_task(task_id, column, value, action, on=on)


def _rolled_up(shares: list[dict]) -> dict:
    """The task row's status, state dates and percent as its shares make them."""
    active = [s for s in shares if s["status"] != "dropped"]
    if not active:
        status = "dropped"
    elif all(s["status"] == "done" for s in active):
        status = "done"
    elif all(s["status"] in ("done", "review") for s in active):
        status = "review"  # what is left waits for the office, not for a unit
    elif any(s["status"] in ("doing", "done", "review") for s in active):
        status = "doing"
    else:
        status = "todo"
    dates = {
        "done_on": max((s["done_on"] for s in active if s["done_on"]), default=None)
        if status == "done" else None,
        "dropped_on": max((s["dropped_on"] for s in shares if s["dropped_on"]), default=None)
        if status == "dropped" else None,
        "drop_reason": next((s["drop_reason"] for s in reversed(shares) if s["drop_reason"]), None)
        if status == "dropped" else None,
        "started_on": min((s["started_on"] or s["done_on"] for s in active
                           if s["started_on"] or s["done_on"]), default=None)
        if status in ("doing", "done", "review") else None,
        # the latest report: the task was late when that came after its date
        "reported_on": max((s["reported_on"] for s in active if s["reported_on"]), default=None)
        if status == "review" else None,
    }
    known = [100 if s["status"] == "done" else s["percent"] for s in active]
    percent = (round(sum(p or 0 for p in known) / len(known))
               if any(p is not None for p in known) else None)
    return {"status": status, **dates, "percent": percent}


def hand_out(ctx: Context, ids: list[str], units: list[dict]) -> Outcome:
    """Hand each task to each unit as 承办单位 (a unit holding a share already is left so)."""
    outcome = Outcome()
    with ctx.store.batch(ctx.plan, ctx.actor, ctx.today) as batch:
        for task_id in ids:
            for u in units:
                key = label(task_id, u["name"])
                if db.add_share(ctx.store, batch, task_id, u["id"], u["name"]):
                    outcome.changed.append(key)
                else:
                    outcome.unchanged.append(key)
            rollup(ctx.store, batch, task_id, "share", ctx.today)
    return outcome


def take_back(ctx: Context, ids: list[str], units: list[dict]) -> Outcome:
    """Take back shares nothing has happened to yet; one with a history must be dropped. A
    recurring task (its id with its occurrences', ``resolve(series=True)``) is taken back from
    the occurrences the unit has done nothing on; those it worked on stay, said as unchanged."""
    outcome = Outcome()
    held = db.shares(ctx.store, ctx.plan, ids)
    rows = {i: ctx.store.task(ctx.plan, i) for i in ids}
    parents = {i for i, r in rows.items() if r["every"]}
    pairs, busy, kept = [], [], []
    for u in units:
        for task_id in ids:
            holds = any(s["unit"] == u["id"] for s in held.get(task_id, []))
            if task_id in parents:  # the unit must hold some occurrence of it
                if not any(any(s["unit"] == u["id"] for s in held.get(o, []))
                           for o in ids if rows[o]["parent"] == task_id):
                    raise NotFound(t("shares.not_held", id=task_id, unit=u["name"]))
                continue
            if not holds:
                if rows[task_id]["parent"]:
                    continue  # an occurrence handed out before the unit joined, or later
                raise NotFound(t("shares.not_held", id=task_id, unit=u["name"]))
            if db.share_has_events(ctx.store, ctx.plan, task_id, u["id"]):
                (kept if rows[task_id]["parent"] else busy).append(label(task_id, u["name"]))
                continue
            pairs.append((task_id, u))
    if busy:
        raise UsageError(t("shares.has_history", shares=t("list.sep").join(busy)))
    outcome.unchanged.extend(kept)
    with ctx.store.batch(ctx.plan, ctx.actor, ctx.today) as batch:
        for task_id, u in pairs:
            db.delete_share(ctx.store, batch, task_id, u["id"], u["name"])
            outcome.changed.append(label(task_id, u["name"]))
        for task_id in dict.fromkeys(task_id for task_id, _u in pairs):
            rollup(ctx.store, batch, task_id, "unshare", ctx.today)
    return outcome


def held_shares(ctx: Context, ids: list[str], units: list[dict] | None) -> list[tuple[str, dict]]:
    """(task, share) for each of ``units`` on each task (None: every share of the tasks);
    a unit that holds no share of a task named is an error, before anything changes."""
    held = db.shares(ctx.store, ctx.plan, ids)
    out = []
    missing = []
    for task_id in ids:
        for share in held.get(task_id, []):
            if units is None or any(u["id"] == share["unit"] for u in units):
                out.append((task_id, share))
        for u in units or []:
            if not any(s["unit"] == u["id"] for s in held.get(task_id, [])):
                missing.append(label(task_id, u["name"]))
    if missing:
        raise NotFound(t("shares.not_held_list", shares=t("list.sep").join(missing)))
    return out


def change(ctx: Context, pairs: list[tuple[str, dict]], action: str, on: date | None = None,
           note: str | None = None, evidence: list[str] | None = None,
           reason: str | None = None, due: date | None = None, percent: int | None = None,
           batch=None) -> Outcome:
    """Make ``action`` (start, done, reopen, drop, due, note) on each share, then roll each
    task up; in one batch (``batch``: the caller's, as a merge has)."""
    outcome = Outcome()
    if batch is None:
        with ctx.store.batch(ctx.plan, ctx.actor, ctx.today) as own:
            return change(ctx, pairs, action, on, note, evidence, reason, due, percent, own)
    day = on or ctx.today
    tasks = []
    for task_id, share in pairs:
        key = label(task_id, share["unit_name"])
        changed = _change_one(ctx.store, batch, task_id, share, action, day, note, evidence,
                              reason, due, percent)
        (outcome.changed if changed else outcome.unchanged).append(key)
        if task_id not in tasks:
            tasks.append(task_id)
    for task_id in tasks:
        rollup(ctx.store, batch, task_id, action, day)
    return outcome


def _change_one(store, batch, task_id, share, action, day, note, evidence, reason, due,
                percent) -> bool:
    def put(column, value, text=None):
        return db.set_share(store, batch, task_id, share["unit"], share["unit_name"], column,
                            value, action, on=day, note=text)

    if action == "note":
        target = db.share_target(task_id, share["unit"])
        store.add_note(batch, target, note, percent, on=day, unit=share["unit_name"])
        if percent is not None:
            put("percent", percent)
        return True
    return apply_action(put, share["status"], share["evidence"], action, day, note, evidence,
                        reason, due)


def on_every_share(ctx: Context, action: str, **options):
    """For `actions`: the change made on every share of a task handed to units (``start``,
    ``reopen``, ``drop`` without ``--unit``; ``done`` with ``--all-units``)."""

    def shared(batch, task_id: str) -> bool:
        pairs = held_shares(ctx, [task_id], None)
        return bool(change(ctx, pairs, action, batch=batch, **options).changed)

    return shared


def refuse_done_of_shared(ctx: Context, ids: list[str]) -> None:
    """`done ID` on a task handed to units checks off every share only with ``--all-units``:
    refused, naming the units still open."""
    open_units = []
    for task_id, ss in db.shares(ctx.store, ctx.plan, ids).items():
        names = [s["unit_name"] for s in ss if s["status"] in OPEN]
        if names:
            open_units.append(t("shares.open_units", id=task_id, units=t("list.sep").join(names)))
    if open_units:
        raise UsageError(t("shares.done_needs_unit", tasks=t("list.group_sep").join(open_units)))


def assign(ctx: Context, ids: list[str], lead: str | None, support: list[str] | None,
           each: list[str], new: list[str]) -> tuple[Outcome, Outcome]:
    """`assign`: the lead (牵头) and supporting (配合) units, and shares for ``each`` (units or
    groups: their members now), after registering the ``new`` names, in one batch. Returns
    what changed of the leads and supports, and of the shares."""
    from jtdj import occurrences, units

    owners, handed = Outcome(), Outcome()
    with ctx.store.batch(ctx.plan, ctx.actor, ctx.today) as batch:
        if new:
            units.register_names(ctx.store, batch, new, [])
        each_units = units.resolve(ctx.store, each) if each else []
        for task_id in ids:
            row = ctx.store.task(ctx.plan, task_id)
            changed = False
            if lead is not None:
                changed = batch.set_task(task_id, "owner", lead, "assign")
            if support is not None:
                changed = batch.set_task(task_id, "support", support, "assign") or changed
            if (lead is not None or support is not None) and not row["parent"]:
                # a recurring task's occurrences follow it, said as the task alone
                (owners.changed if changed else owners.unchanged).append(task_id)
                if changed:
                    owners.before[task_id] = row
            if row["every"] or (row["parent"] and occurrences.ended(row, ctx.today)):
                continue  # units carry a recurring task's occurrences from today's period on
            for u in each_units:
                key = label(task_id, u["name"])
                added = db.add_share(ctx.store, batch, task_id, u["id"], u["name"])
                (handed.changed if added else handed.unchanged).append(key)
            if each_units:
                rollup(ctx.store, batch, task_id, "share", ctx.today)
    return owners, handed
