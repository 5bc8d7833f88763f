"""Commands that change tasks: assign … add (reading them: ``lists``).

Each parses its options (ids and dates through ``parse``), calls one function of the core and
hands the result to ``Session.show``, or says what changed.
"""

from typing import Annotated, List, Optional

import typer

from jtdj.cli.app import AsOf, By, Ids, OneId, PlanKey, _complete_owners, app, session_of
from jtdj.cli import unitnames
from jtdj.cli.unitnames import NewUnit, UnitOpt
from jtdj.errors import NotFound, UsageError
from jtdj.i18n import t

On = Annotated[Optional[str], typer.Option("--on", metavar=t("metavar.date"), help=t("help.opt.on"))]


# --- changing --------------------------------------------------------------------------------

def _targets(session, raw_ids: list[str], on=None, series: bool = False, told: bool = True,
             units: list[dict] | None = None):
    """The action context and the task ids the command acts on; every id is checked (and
    items expanded to their tasks) before anything is changed. A recurring task means the
    occurrence of ``on`` or the current one (``series``: itself and all its occurrences); an
    item's recurring tasks are left out, and the clerk is told."""
    from jtdj import actions
    from jtdj.parse import parse_refs

    refs = parse_refs(raw_ids)
    ctx = session.action_context()
    skipped: list[str] = []
    ids = actions.resolve(ctx, refs, series=series, on=on, skipped=skipped,
                          units=[u["id"] for u in units] if units else None)
    if skipped and told:
        session.notice(t("occurrence.item_skips", ids=t("list.sep").join(skipped)))
    if not ids:
        raise NotFound(t("error.no_tasks", ids=t("list.sep").join(raw_ids)))
    return ctx, ids


def _on(session, text: str | None):
    from jtdj.parse import parse_date

    return parse_date(text, session.today, "--on") if text else None


def _change(session, raw_ids: list[str], action: str, change) -> None:
    """Check every id, make the change (``change(context, task_ids)``), say what happened."""
    actx, task_ids = _targets(session, raw_ids)
    _say(session, action, change(actx, task_ids))


SAID_AT_MOST = 12  # labels a confirmation names


def _say(session, action: str, outcome, **words) -> None:
    """What changed, in words (for a person at a terminal), and what was already so (always).
    A long list of a task's shares (60 units) names the first ones and counts the rest."""
    sep = t("list.sep")

    def listed(labels: list[str]) -> str:
        shown = sep.join(labels[:SAID_AT_MOST])
        extra = len(labels) - SAID_AT_MOST
        return shown + (t("units.more", count=extra) if extra > 0 else "")

    if outcome.unchanged:
        session.notice(t(f"change.already.{action}", ids=listed(outcome.unchanged)))
    if not outcome.changed:
        return
    if action == "due":  # each old date → the new one
        by_old: dict = {}
        for task_id in outcome.changed:
            before = outcome.before[task_id]  # an ongoing task had no date: 常态推进 → the new one
            by_old.setdefault(before["due"] or (t("word.ongoing") if before["kind"] else "—"),
                              []).append(task_id)
        for old, ids in by_old.items():
            session.confirm(t("change.done.due", ids=sep.join(ids), old=old, **words))
        return
    session.confirm(t(f"change.done.{action}", ids=listed(outcome.changed),
                      count=len(outcome.changed), **words))


def _check_day(session, day, what: str) -> None:
    """A day typed for a change that falls before the plan was issued or after its year is
    taken, with a warning (a typo of 2021 for 2022 is easy to make)."""
    if day is None:
        return
    head = session.store.plan(session.plan_key()) or {}
    issued, due = head.get("issued"), head.get("due")
    if issued and day.isoformat() < issued:
        session.notice(t("change.before_issued", what=what, day=day.isoformat(), issued=issued))
    elif due and day.year > int(due[:4]):
        session.notice(t("change.after_year", what=what, day=day.isoformat(), year=due[:4]))


@app.command("assign", help=t("help.cmd.assign"))
def assign_cmd(
    ctx: typer.Context, ids: Ids,
    to: Annotated[Optional[str], typer.Option("--to", metavar=t("metavar.owner"), help=t("help.opt.to"),
                                              autocompletion=_complete_owners)] = None,
    with_: Annotated[Optional[List[str]], typer.Option("--with", metavar=t("metavar.unit"), help=t("help.opt.with"))] = None,
    each: Annotated[Optional[List[str]], typer.Option("--each", metavar=t("metavar.unit"), help=t("help.opt.each"))] = None,
    new_unit: NewUnit = False, by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import shares

    session = session_of(ctx, as_of, plan, by)
    if to is None and not with_ and not each:
        raise UsageError(t("error.assign_nothing"))
    if to is not None and not to.strip():
        raise UsageError(t("error.empty_value", what="--to"))
    actx, task_ids = _targets(session, ids, series=True)
    lead, new = unitnames.checked(session, [to], new_unit, groups=False) if to else ([None], [])
    support, new_support = unitnames.checked(session, with_ or [], new_unit)
    handed, new_each = unitnames.checked(session, each or [], new_unit)
    new_names = list(dict.fromkeys(new + new_support + new_each))
    owners, shared = shares.assign(actx, task_ids, lead[0], support if with_ is not None else None,
                                   handed, new_names)
    if new_names:
        session.notice(t("units.new_registered", names=t("list.sep").join(new_names)))
    if to is not None or with_:
        words = t("change.support", units=t("list.sep").join(support)) if support else ""
        _say(session, "assign", owners, owner=lead[0] or "—", support=words)
    if each:
        _say(session, "share", shared)


@app.command("unassign", help=t("help.cmd.unassign"))
def unassign_cmd(ctx: typer.Context, ids: Ids, unit: UnitOpt = None, by: By = None,
                 plan: PlanKey = None, as_of: AsOf = None) -> None:
    from jtdj import actions, shares

    session = session_of(ctx, as_of, plan, by)
    actx, task_ids = _targets(session, ids, series=True)
    units = unitnames.units_of(session, unit)
    if units is None:
        _say(session, "unassign", actions.unassign(actx, task_ids))
    else:
        _say(session, "unshare", shares.take_back(actx, task_ids, units))


def _on_shares(session, raw_ids: list[str], unit: list[str] | None, action: str, plain,
               say_action: str | None = None, **options) -> None:
    """A change on the units' shares with ``--unit`` (every unit named must hold one), else
    ``plain(context, ids, shared)``: the task itself, or every share of a task handed out."""
    from jtdj import shares

    units = unitnames.units_of(session, unit)  # a recurring task: the units' open occurrence
    actx, task_ids = _targets(session, raw_ids, on=options.get("on"), units=units)
    if units is not None:
        outcome = shares.change(actx, shares.held_shares(actx, task_ids, units), action, **options)
    else:
        outcome = plain(actx, task_ids, shares.on_every_share(actx, action, **options))
    _say(session, say_action or action, outcome, **{k: v for k, v in options.items()
                                                    if k == "reason"})


@app.command("start", help=t("help.cmd.start"))
def start_cmd(ctx: typer.Context, ids: Ids, on: On = None, unit: UnitOpt = None, by: By = None,
              plan: PlanKey = None, as_of: AsOf = None) -> None:
    from jtdj import actions

    session = session_of(ctx, as_of, plan, by)
    day = _on(session, on)
    _check_day(session, day, "--on")
    _on_shares(session, ids, unit, "start", lambda c, i, s: actions.start(c, i, day, shared=s),
               on=day)


@app.command("done", help=t("help.cmd.done"))
def done_cmd(
    ctx: typer.Context, ids: Ids,
    note: Annotated[Optional[str], typer.Option("--note", metavar=t("metavar.text"), help=t("help.opt.note"))] = None,
    on: On = None,
    evidence: Annotated[Optional[List[str]], typer.Option("--evidence", metavar=t("metavar.evidence"),
                                                          help=t("help.opt.evidence"))] = None,
    unit: UnitOpt = None,
    all_units: Annotated[bool, typer.Option("--all-units", help=t("help.opt.all_units"))] = False,
    reported: Annotated[bool, typer.Option("--reported", help=t("help.opt.reported"))] = False,
    by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import actions, review, shares

    session = session_of(ctx, as_of, plan, by)
    day = _on(session, on)
    _check_day(session, day, "--on")
    if day is not None and day > session.today:
        raise UsageError(t("error.future_date", what="--on", value=day.isoformat()))
    if reported:  # what a unit reported: 待审核 (or done at once, without review)
        held = review.held(session.settings.config)
        actx, task_ids = _targets(session, ids, on=day)
        _say(session, "report" if held else "done", review.report(
            actx, task_ids, unitnames.units_of(session, unit), day or session.today, note,
            evidence, held))
        return
    if not unit and not all_units:
        actx, task_ids = _targets(session, ids, on=day, told=False)  # told below
        shares.refuse_done_of_shared(actx, task_ids)
    _on_shares(session, ids, unit, "done",
               lambda c, i, s: actions.done(c, i, day, note, evidence, shared=s),
               on=day, note=note, evidence=evidence)


@app.command("reopen", help=t("help.cmd.reopen"))
def reopen_cmd(ctx: typer.Context, ids: Ids, unit: UnitOpt = None, by: By = None,
               plan: PlanKey = None, as_of: AsOf = None) -> None:
    from jtdj import actions

    session = session_of(ctx, as_of, plan, by)
    _on_shares(session, ids, unit, "reopen", lambda c, i, s: actions.reopen(c, i, shared=s))


@app.command("drop", help=t("help.cmd.drop"))
def drop_cmd(
    ctx: typer.Context, ids: Ids,
    reason: Annotated[str, typer.Option("--reason", metavar=t("metavar.text"), help=t("help.opt.reason"))],
    on: On = None, unit: UnitOpt = None, by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import actions

    session = session_of(ctx, as_of, plan, by)
    day = _on(session, on)
    _check_day(session, day, "--on")
    if not reason.strip():
        raise UsageError(t("error.empty_value", what="--reason"))
    _on_shares(session, ids, unit, "drop",
               lambda c, i, s: actions.drop(c, i, reason, day, shared=s),
               on=day, reason=reason.strip())


@app.command("due", help=t("help.cmd.due"),
             context_settings={"ignore_unknown_options": True})  # so `due 5.2 -7d` is a date
def due_cmd(
    ctx: typer.Context, id: OneId,
    date_: Annotated[Optional[str], typer.Argument(metavar=t("metavar.date"),
                                                   help=t("help.arg.date"))] = None,
    ongoing: Annotated[bool, typer.Option("--ongoing", help=t("help.opt.due_ongoing"))] = False,
    unit: UnitOpt = None, by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import actions, shares
    from jtdj.parse import parse_date

    session = session_of(ctx, as_of, plan, by)
    if ongoing == (date_ is not None):  # one or the other
        raise UsageError(t("error.due_or_ongoing"))
    if ongoing and unit:
        raise UsageError(t("error.ongoing_whole_task"))
    actx, task_ids = _targets(session, [id])
    if ongoing:
        _say(session, "due", actions.set_due(actx, task_ids, None), new=t("word.ongoing"))
        return
    due = parse_date(date_, session.today, "DATE")
    _check_day(session, due, t("metavar.date"))
    units = unitnames.units_of(session, unit)
    if units is not None:
        outcome = shares.change(actx, shares.held_shares(actx, task_ids, units), "due", due=due)
        _say(session, "due_share", outcome, new=due.isoformat())
        return
    _say(session, "due", actions.set_due(actx, task_ids, due), new=due.isoformat())


@app.command("note", help=t("help.cmd.note"))
def note_cmd(
    ctx: typer.Context, id: OneId,
    text: Annotated[str, typer.Argument(metavar=t("metavar.text"), help=t("help.arg.note_text"))],
    percent: Annotated[Optional[str], typer.Option("--percent", "-p", metavar=t("metavar.percent"),
                                                   help=t("help.opt.percent"))] = None,
    unit: UnitOpt = None, by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import actions, parse, shares
    from jtdj.parse import parse_ref

    session = session_of(ctx, as_of, plan, by)
    ref = parse_ref(id)
    actx = session.action_context()
    target = actions.resolve(actx, [ref], expand_items=False)[0]  # a recurring task's: an occurrence
    value = parse.percent(percent) if percent is not None else None
    units = unitnames.units_of(session, unit)
    if units is not None:
        if ref.is_item:
            raise UsageError(t("error.expected_task", value=id))
        if not text.strip():
            raise UsageError(t("error.empty_value", what="TEXT"))
        shares.change(actx, shares.held_shares(actx, [target], units), "note",
                      note=text.strip(), percent=value)
    else:
        actions.add_note(actx, target, text, value)
    session.confirm(t("note.done", id=target))


@app.command("add", help=t("help.cmd.add"))
def add_cmd(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(metavar=t("metavar.item"), help=t("help.arg.item"))],
    title: Annotated[str, typer.Argument(metavar=t("metavar.title"), help=t("help.arg.title"))],
    due: Annotated[Optional[str], typer.Option("--due", metavar=t("metavar.date"), help=t("help.opt.due"))] = None,
    when: Annotated[Optional[str], typer.Option("--when", metavar=t("metavar.words"), help=t("help.opt.when"))] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", metavar=t("metavar.owner"), help=t("help.opt.owner_set"))] = None,
    ongoing: Annotated[bool, typer.Option("--ongoing", help=t("help.opt.add_ongoing"))] = False,
    by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import actions
    from jtdj.parse import parse_date, parse_ref

    session = session_of(ctx, as_of, plan, by)
    ref = parse_ref(item)
    if not ref.is_item:
        raise UsageError(t("error.expected_item", value=item))
    if ongoing and due:
        raise UsageError(t("error.ongoing_no_due"))
    due_date = parse_date(due, session.today, "--due") if due else None
    _check_day(session, due_date, "--due")
    task_id = actions.add_task(session.action_context(), ref.item, title, due_date, when, owner,
                               ongoing)
    session.out(task_id + "\n")
    session.confirm(t("add.done", id=task_id))
