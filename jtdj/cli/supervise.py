"""督办: `jtdj urge`, the 催办通知 for each unit's overdue or due-soon work (docs/urge.md), and
审核: `review`, `accept`, `return` and `extend`, what units report waiting for the office
(docs/workflow.md)."""

from enum import Enum
from typing import Annotated, List, Optional

import typer

from jtdj.cli.app import AsOf, By, Format, Ids, OneId, PlanKey, app, session_of
from jtdj.cli.unitnames import UnitOpt
from jtdj.errors import EXIT_USAGE, JtdjError, UsageError
from jtdj.i18n import t

UrgeFmt = Enum("UrgeFmt", {f: f for f in ("text", "md", "html")}, type=str)


@app.command("urge", help=t("help.cmd.urge"))
def urge_cmd(
    ctx: typer.Context,
    unit: Annotated[Optional[List[str]], typer.Option("--unit", "-u", metavar=t("metavar.unit"), help=t("help.urge.unit"))] = None,
    group: Annotated[Optional[List[str]], typer.Option("--group", "-g", metavar=t("metavar.group"), help=t("help.urge.group"))] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help=t("help.urge.overdue"))] = False,
    lagging: Annotated[bool, typer.Option("--lagging", help=t("help.opt.pace.urge_lagging"))] = False,
    due_within: Annotated[Optional[str], typer.Option("--due-within", metavar=t("metavar.days"), help=t("help.urge.due_within"))] = None,
    reply_by: Annotated[Optional[str], typer.Option("--reply-by", metavar=t("metavar.date"), help=t("help.urge.reply_by"))] = None,
    fmt: Annotated[Optional[UrgeFmt], typer.Option("--format", "-f", help=t("help.urge.format"))] = None,
    send: Annotated[bool, typer.Option("--send", help=t("help.urge.send"))] = False,
    force: Annotated[bool, typer.Option("--force", help=t("help.urge.force"))] = False,
    attach_report: Annotated[bool, typer.Option("--attach-report", help=t("help.opt.attach_report"))] = False,
    robot: Annotated[Optional[List[str]], typer.Option("--robot", "-r", metavar=t("robot.metavar"), help=t("help.robot.urge"))] = None,
    by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import units, urge
    from jtdj.parse import MAX_DAYS, parse_date, positive_number
    from jtdj.store.units import units as registered

    session = session_of(ctx, as_of, plan, by)
    if robot:  # a robot unknown: said before anything is done or said
        from jtdj.cli.notify import chosen_robots

        chosen_robots(session, robot)
    store, plan_key, today = session.store, session.plan_key(), session.today
    within = None
    if due_within is not None:
        within = positive_number(due_within, "--due-within")
        if within > MAX_DAYS:
            raise JtdjError(t("error.number_range", what="--due-within", value=due_within,
                              most=MAX_DAYS), EXIT_USAGE)
    overdue = overdue or (within is None and not lagging)
    due = parse_date(reply_by, today, "--reply-by") if reply_by else urge.default_reply_by(
        today, session.settings.config)
    names = [*(unit or []), *(group or [])]
    chosen = units.resolve(store, names) if names else registered(store)
    made, empty = urge.prepare(store, plan_key, chosen, today, due, overdue, within, lagging)
    if empty:
        session.notice(t("urge.nothing_for", units=t("list.sep").join(empty)))
    if not made:
        session.notice(t("urge.no_notices"))
        return
    repeated = urge.duplicates(store, plan_key, made, today)
    if robot:  # to the groups (each notice recorded once, mailed too with --send)
        from jtdj.cli.notify import urge_to_robots

        urge.record(store, plan_key, session.settings.actor, today,
                    [n for n in made if force or n.unit["name"] not in repeated])
        if send:
            _mail(session, made, repeated, force, attach_report)
        urge_to_robots(session, robot, made, repeated, force)
    elif send:
        fresh = [n for n in made if n.unit.get("email")
                 and (force or n.unit["name"] not in repeated)]
        urge.record(store, plan_key, session.settings.actor, today, fresh)
        _mail(session, made, repeated, force, attach_report)
    else:
        _print(session, made, fmt.value if fmt is not None else "text")
        fresh = [n for n in made if force or n.unit["name"] not in repeated]
        urge.record(store, plan_key, session.settings.actor, today, fresh)
    if repeated and not force:
        session.notice(t("urge.already", units=t("list.sep").join(sorted(repeated))))


def _print(session, made, fmt: str) -> None:
    from jtdj.render import urge as render

    writer = {"text": render.notices_text, "md": render.notices_md,
              "html": render.notices_html}[fmt]
    session.out(writer([n.data for n in made]))


def _mail(session, made, repeated: set, force: bool, attach_report: bool) -> None:
    """`urge --send`: mail the units with an e-mail address, and name those without one."""
    _send(session, [n for n in made if n.unit.get("email")], repeated, force, attach_report)
    no_address = [n.unit["name"] for n in made if not n.unit.get("email")]
    if no_address:
        session.notice(t("urge.no_email", units=t("list.sep").join(no_address)))


def _send(session, mailed, repeated: set, force: bool, attach_report: bool = False) -> None:
    """Mail each unit its notice through the outbox and the mail log's duplicate guard, as
    `collect --send` does; a notice of a new set of tasks goes even when one went that day."""
    from jtdj import urge
    from jtdj.cli.email import UnitMail
    from jtdj.render import urge as render

    mailer = UnitMail(session)
    for notice in mailed:
        attachments = ([mailer.unit_report(notice.data["plan"], notice.unit["name"])]
                       if attach_report else [])
        result = mailer.post(notice.data["plan"], f"urge:{notice.unit['name']}",
                             notice.data["as_of"], notice.unit["email"], urge.mail_subject(notice),
                             render.notice_text(notice.data), render.notices_html([notice.data]),
                             attachments, force=force or notice.unit["name"] not in repeated)
        if isinstance(result, dict):
            session.notice(t("urge.already_mailed", unit=notice.unit["name"], at=result["at"]))


Reason = Annotated[str, typer.Option("--reason", metavar=t("metavar.text"), help=t("help.review.reason"))]


@app.command("review", help=t("help.cmd.review"))
def review_cmd(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", "-u", metavar=t("metavar.unit"), help=t("help.review.unit"))] = None,
    fmt: Format = None, by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import review, units
    from jtdj.render.review import waiting

    session = session_of(ctx, as_of, plan, by)
    found = units.find(session.store, unit, groups=False).unit if unit else None
    rows = review.waiting(session.store, session.plan_key(), found, session.today)
    caption = t("review.caption", count=len(rows)) if rows else t("review.none")
    session.show("records", session.format("records", fmt), waiting(rows, caption))


@app.command("accept", help=t("help.cmd.accept"))
def accept_cmd(
    ctx: typer.Context,
    ids: Annotated[Optional[List[str]], typer.Argument(metavar=t("metavar.ids"), help=t("help.review.ids"))] = None,
    unit: UnitOpt = None,
    every: Annotated[bool, typer.Option("--all", help=t("help.review.all"))] = False,
    by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import review

    session = session_of(ctx, as_of, plan, by)
    if bool(ids) == every:
        raise UsageError(t("review.ids_or_all"))
    actx, task_ids, units = _review_targets(session, ids, unit)
    outcome = review.accept(actx, task_ids, units)
    if not outcome.changed and not outcome.unchanged:
        session.notice(t("review.none"))
    _said(session, "accept", outcome)


@app.command("return", help=t("help.cmd.return"))
def return_cmd(
    ctx: typer.Context,
    ids: Ids, reason: Reason, unit: UnitOpt = None,
    by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import review

    session = session_of(ctx, as_of, plan, by)
    actx, task_ids, units = _review_targets(session, ids, unit)
    _said(session, "return", review.send_back(actx, task_ids, units, reason), reason=reason)


@app.command("extend", help=t("help.cmd.extend"))
def extend_cmd(
    ctx: typer.Context,
    task: OneId,
    new_due: Annotated[str, typer.Argument(metavar=t("metavar.date"), help=t("help.review.date"))],
    reason: Reason, unit: UnitOpt = None,
    by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import review
    from jtdj.parse import parse_date

    session = session_of(ctx, as_of, plan, by)
    due = parse_date(new_due, session.today, "DATE")
    actx, task_ids, units = _review_targets(session, [task], unit)
    if len(task_ids) != 1:
        raise UsageError(t("review.one_task", ids=t("list.sep").join(task_ids)))
    _said(session, "request", review.request(actx, task_ids[0], units, "extend", reason, due),
          due=due.isoformat())


def _review_targets(session, ids: list[str] | None, unit: list[str] | None):
    """The action context, the task ids (None: every one that waits) and the units named."""
    from jtdj.cli import unitnames
    from jtdj.cli.tasks import _targets

    units = unitnames.units_of(session, unit)
    if not ids:
        return session.action_context(), None, units
    actx, task_ids = _targets(session, ids)
    return actx, task_ids, units


def _said(session, action: str, outcome, **words) -> None:
    from jtdj.cli.tasks import _say

    _say(session, action, outcome, **words)
