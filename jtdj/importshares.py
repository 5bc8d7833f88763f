"""An import's units and shares: the names a plan file gives registered, and each task handed to
the units of its ``each`` and its ``shares`` (a recurring task: its occurrences)."""

from __future__ import annotations

from datetime import date

from jtdj.plan import Plan


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _unit_names(store, plan: Plan) -> tuple[list[str], list[str]]:
    """The units and the groups the file names (lead, support, ``each``, shares), which an
    import registers (`history` shows them within the import's one line): a name in ``each``
    is a group when it is registered as one, or is new and starts with 各."""
    from jtdj.store import units as db

    groups, known = set(db.group_names(store)), {u["name"] for u in db.units(store)}
    # each name once, where it first appears (setting a key again leaves it in its place);
    # a task of an owner alone, most of a large plan's, costs a look-up
    unit_names: dict[str, None] = {}
    group_names: dict[str, None] = {}
    for task in plan.tasks:
        owner = task.owner
        if owner and owner not in unit_names and owner.strip():
            unit_names[owner] = None
        if not (task.support or task.shares or task.each):
            continue
        for name in task.support:
            if name and name.strip():
                unit_names[name] = None
        for share in task.shares:
            unit_names[share.unit] = None
        for name in task.each:
            is_group = name in groups or (name not in known and name.startswith("各"))
            (group_names if is_group else unit_names)[name] = None
    return list(unit_names), list(group_names)


def sync_shares(store, plan: Plan, batch, result, kept: set, today: date,
                created: set[str] = frozenset()) -> None:
    """Register the names the file gives, then hand each task to the units of its ``each`` (a
    group: its members now) and of its ``shares``, adding shares, never taking one back; a
    share new here takes the state its table gives, through events. Then each task that
    gained a share is its roll-up."""
    from jtdj import occurrences, shares as sh, units
    from jtdj.store import units as db

    unit_names, group_names = _unit_names(store, plan)
    if batch is None:
        known = {u["name"] for u in db.units(store)} | set(db.group_names(store))
        result.new_units = [n for n in group_names + unit_names if n not in known]
        return
    result.new_units = units.register_names(store, batch, unit_names, group_names,
                                            action="import")
    by_name = {u["name"]: u for u in db.units(store)}
    held = db.shares(store, plan.key)
    issued = min(plan.issued or today, today)
    recurring = occurrences.live(store, plan.key) if any(t.every for t in plan.tasks) else {}
    # the units each ``each`` stands for, found once: the register reads and searched per task
    # were most of this loop (1,000 tasks handed to three units: 3,000 reads of it)
    resolved: dict[tuple[str, ...], list[dict]] = {}
    handed_out: list[str] = []  # the tasks given new shares: rolled up once all are written
    for task in plan.tasks:
        if not task.each and not task.shares:
            continue
        each = tuple(task.each)
        if each and each not in resolved:
            resolved[each] = units.resolve(store, task.each)
        wanted = {u["id"]: (u, None) for u in resolved[each]} if each else {}
        wanted.update({by_name[s.unit]["id"]: (by_name[s.unit], s) for s in task.shares})
        # a recurring task's occurrences, each handed out: all of those this import made,
        # of the others those from today's period on (a unit joins the group)
        targets = ([(o["id"], issued) for o in recurring.get(task.id, [])
                    if o["id"] in created or not occurrences.ended(o, today)]
                   if task.every else [(task.id, None)])
        # an export's state of a unit's share of an occurrence, applied to a share new here
        states = {(s.period, s.unit): s for s in task.occurrences if s.unit}
        for target, day in targets:
            have = {s["unit"]: s for s in held.get(target, [])}
            period = target.partition("@")[2]
            added = False
            for unit_id, (unit, share) in wanted.items():
                if task.every:
                    share = states.get((period, unit["name"]))
                if unit_id in have:
                    if share is not None and _share_differs(share, have[unit_id]):
                        kept.add(target)
                    continue
                db.add_share(store, batch, target, unit_id, unit["name"],
                             on=day or (issued if share is not None else today))
                if share is not None:
                    _share_state(store, batch, target, unit, share, today)
                result.shares_added += 1
                added = True
            if added:
                handed_out.append(target)
    sh.rollup_tasks(store, batch, handed_out, "import", today)


def _share_differs(share, row: dict) -> bool:
    return ((share.status, share.percent, _iso(share.due), _iso(share.done_on),
             _iso(share.dropped_on), share.drop_reason, share.evidence)
            != tuple(row[c] for c in ("status", "percent", "due", "done_on", "dropped_on",
                                      "drop_reason", "evidence")))


def _share_state(store, batch, task_id: str, unit: dict, share, today: date) -> None:
    """A new share's state from the file, each field an event dated the day it took effect
    (a check-off on its done day), so the share's past days stay true."""
    from jtdj.store import units as db

    def put(column, value, on=today):
        if value not in (None, []):
            db.set_share(store, batch, task_id, unit["id"], unit["name"], column, value,
                         "import", on=on)

    put("due", share.due)
    put("percent", share.percent)
    put("evidence", share.evidence)
    if share.status != "todo":
        on = share.done_on or share.dropped_on or today
        put("status", share.status, on)
        put("done_on", share.done_on, on)
        put("dropped_on", share.dropped_on, on)
        put("drop_reason", share.drop_reason, on)
    for n in share.notes:
        store.add_note(batch, db.share_target(task_id, unit["id"]), n.text, n.percent, on=n.on,
                       by=n.by, unit=unit["name"])
