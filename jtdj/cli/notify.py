"""`jtdj notify`: the period's report to the 钉钉 / 企业微信 groups (docs/notify.md); and the
body of `jtdj urge --robot`. Through the robots' outbox: queued, claimed, sent, then removed.

Cron-friendly as `email` is: stdout carries only what was asked for (the payloads with
--dry-run, the queue with --queue); notices go to stderr; a success is silent unless -v.
"""

from typing import Annotated, List, Optional

import typer

from jtdj.cli.app import AsOf, Format, PeriodOptions, PlanKey, app, session_of
from jtdj.i18n import t

# the period options as `report` declares them (not imported: cli.reports registers its
# commands when imported, and a run of `notify` imports only this module)
Since = Annotated[Optional[str], typer.Option("--since", metavar=t("metavar.since"),
                                              help=t("help.report.since"))]
Until = Annotated[Optional[str], typer.Option("--until", metavar=t("metavar.date"),
                                              help=t("help.report.until"))]
Week = Annotated[bool, typer.Option("--week", help=t("help.report.week"))]
WeekArg = Annotated[Optional[str], typer.Argument(metavar=t("metavar.week"),
                                                  help=t("help.report.week_arg"),
                                                  show_default=False)]

RobotOpt = Annotated[Optional[List[str]], typer.Option(
    "--robot", "-r", metavar=t("robot.metavar"), help=t("help.robot.robot"))]


@app.command("notify", help=t("help.cmd.notify"))
def notify_cmd(
    ctx: typer.Context, week_spec: WeekArg = None, robot: RobotOpt = None,
    since: Since = None, until: Until = None, week: Week = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help=t("help.robot.dry_run"))] = False,
    force: Annotated[bool, typer.Option("--force", help=t("help.robot.force"))] = False,
    flush: Annotated[bool, typer.Option("--flush", help=t("help.robot.flush"))] = False,
    failed: Annotated[bool, typer.Option("--failed", help=t("help.robot.failed"))] = False,
    queue: Annotated[bool, typer.Option("--queue", help=t("help.robot.queue"))] = False,
    retry: Annotated[Optional[str], typer.Option("--retry", metavar=t("metavar.id"),
                                                 help=t("help.robot.retry"))] = None,
    fmt: Format = None,
    attach_xlsx: Annotated[bool, typer.Option("--attach-xlsx", help=t("help.robot.attach_xlsx"))] = False,
    as_of: AsOf = None, plan: PlanKey = None,
) -> None:
    from jtdj.errors import UsageError

    session = session_of(ctx, as_of, plan)
    modes = [f for f, on in (("--queue", queue), ("--flush", flush),
                             ("--retry", retry is not None)) if on]
    if len(modes) > 1:
        raise UsageError(t("mail.flags_conflict", first=modes[0], second=modes[1]))
    if failed and not flush:
        raise UsageError(t("robot.failed_needs_flush"))
    if fmt is not None and not queue:
        raise UsageError(t("mail.format_needs_queue"))
    chosen = chosen_robots(session, robot, required=not queue or bool(robot))
    only = set(chosen) if robot else None  # without --robot: every message, of any robot
    if queue:
        _show_queue(session, fmt, only)
    elif retry is not None:
        _retry(session, chosen, retry)
    elif flush:
        _flush(session, chosen, failed, only)
    else:
        _notify(session, chosen, PeriodOptions(since, until, week, week_spec), dry_run, force,
                attach_xlsx)


def chosen_robots(session, names, required: bool = True):
    """The robots named (each must be configured), else every configured one (at least one
    when ``required``)."""
    import os

    from jtdj.errors import UsageError
    from jtdj.robots import robots_of

    robots = robots_of(session.settings.config, os.environ)
    if not robots and required:
        raise UsageError(t("robot.none_configured", file=session.settings.config_path))
    if not names:
        return robots
    unknown = [n for n in names if n not in robots]
    if unknown:
        raise UsageError(t("robot.unknown", name=unknown[0], known="、".join(robots)))
    return {n: robots[n] for n in dict.fromkeys(names)}


def _folder(session):
    from jtdj.config import robots_outbox_dir_for
    from jtdj.store.folders import trusted_dir

    session.outbox()  # the outbox itself checked (and made) first
    return trusted_dir(robots_outbox_dir_for(session.settings.db_path), warn=session.notice)


def _sender(session, robots):
    from jtdj.robot_delivery import Sender
    from jtdj.robots import retry_days

    return Sender(session.store, robots, retry_days=retry_days(session.settings.config))


def _new_id(session, *parts) -> str:
    import secrets

    return ":".join(["robot", *map(str, parts), session.now().strftime("%Y%m%dT%H%M%S"),
                     secrets.token_hex(4)])


def _notify(session, robots, period, dry_run: bool, force: bool, attach_xlsx: bool) -> None:
    import json

    from jtdj import notify_message
    from jtdj.robots import file_payload, notify_payloads

    if attach_xlsx:
        from jtdj.cli.data import require_openpyxl

        require_openpyxl()
    plan = session.plan_key()
    data = notify_message.report_data(session.store, plan, period.resolve(session),
                                      session.today)
    message = notify_message.report_message(data)
    p = data["period"]
    ledger = None
    if attach_xlsx and any(r.kind == "wecom" for r in robots.values()):
        from jtdj.export import ledger_data
        from jtdj.render.xlsx import ledger_xlsx

        ledger = (t("mail_extra.ledger_name", plan=data["plan"], until=p["until"]),
                  ledger_xlsx(ledger_data(session.store, data["plan"], p["until"])))
    if attach_xlsx:
        for robot in robots.values():
            if robot.kind == "dingtalk":
                session.notice(t("robot.no_files", name=robot.name))
    posts = []
    for robot in robots.values():
        payloads = notify_payloads(robot, message)
        upload = ledger if robot.kind == "wecom" else None
        if dry_run:
            for payload in payloads:
                session.out(json.dumps(payload, ensure_ascii=False) + "\n")
            if upload is not None:
                media = f"<upload_media: {upload[0]}, {len(upload[1])} bytes>"
                session.out(json.dumps(file_payload(media), ensure_ascii=False) + "\n")
            continue
        posts.append((robot, payloads, upload))
    if dry_run:
        return
    from jtdj.robot_delivery import entry_of

    since, until = p["since"].isoformat(), p["until"].isoformat()
    entries = [entry_of(robot.name, plan, since, until, "", "report", message.title, payloads,
                        _new_id(session, robot.name, plan, since, until), upload)
               for robot, payloads, upload in posts]
    post_all(session, robots, entries, [force] * len(entries))


def post_all(session, robots, entries, force: list[bool]) -> None:
    """Queue and send each entry (``force``: one flag per entry); one line for each that did
    not go, and exit 1 when any waits or was set aside."""
    from jtdj import robot_delivery

    folder = _folder(session)
    outcomes = []
    for entry, standing, done in robot_delivery.post_each(_sender(session, robots), folder,
                                                          entries, force):
        if standing is not None:
            unit = f" {entry['unit']}" if entry["unit"] else ""
            if standing["state"] == "queued":  # the same one still waits: it goes now
                session.notice(t("robot.flushing_queued", name=entry["robot"], unit=unit,
                                 at=standing["queued_at"]))
            else:
                session.notice(t("robot.already_sent", name=entry["robot"], unit=unit,
                                 at=standing["sent_at"] or standing["queued_at"]))
        outcomes += done
    _report(session, outcomes, folder)


def _flush(session, robots, failed: bool, names) -> None:
    from jtdj import robot_delivery
    from jtdj.store import outbox

    folder = _folder(session)
    how = _sender(session, robots)
    outcomes = robot_delivery.retry_failed(how, folder, names) if failed else []
    outcomes += robot_delivery.flush(how, outbox.waiting(folder), names)
    _report(session, outcomes, folder, flushing=True)


def _retry(session, robots, ident: str) -> None:
    """`jtdj notify --retry ID`: one message, set aside or waiting, sent again now."""
    from jtdj import robot_delivery
    from jtdj.errors import UsageError
    from jtdj.store import outbox

    folder = _folder(session)
    path = outbox.find(folder, ident)
    if path is None:
        raise UsageError(t("robot.no_such_entry", id=ident))
    _report(session, [robot_delivery.retry(_sender(session, robots), path)], folder)


def _report(session, outcomes, folder, flushing: bool = False) -> None:
    from jtdj.errors import EXIT_FAILED, JtdjError

    tally = {"sent": 0, "waiting": 0, "failed": 0, "busy": 0, "limited": 0}
    for o in outcomes:
        if o.state == "failed":
            session.notice(t("robot.set_aside", name=o.robot, id=o.id, cause=o.cause))
        elif o.state in ("waiting", "stopped"):
            session.notice(t("robot.waiting", name=o.robot, id=o.id, cause=o.cause))
        elif o.state == "limited":
            session.notice(t("robot.limited", name=o.robot, id=o.id, cause=o.cause))
        elif o.state == "busy":
            session.notice(t("mail.busy", id=o.id))
        elif o.state == "sent":
            session.confirm(t("robot.sent", name=o.robot, id=o.id))
        tally["waiting" if o.state == "stopped" else o.state] += 1
    if tally["failed"] or tally["waiting"]:
        raise JtdjError(t("robot.summary", sent=tally["sent"], failed=tally["failed"],
                          left=tally["waiting"] + tally["limited"]), EXIT_FAILED)
    if flushing:
        session.confirm(t("robot.flushed", count=tally["sent"]))


def _show_queue(session, requested, robots) -> None:
    """`jtdj notify --queue`: what waits for the robots and what was set aside, with why."""
    from jtdj import robot_delivery
    from jtdj.render.records import Records
    from jtdj.render.text import Column

    fmt = session.format("records", requested)
    rows = robot_delivery.queue_rows(_folder(session), robots)
    columns = (Column("id", "col.queue_id", no_wrap=True), Column("state", "col.queue_state"),
               Column("robot", "robot.col_robot"), Column("period", "col.period"),
               Column("reason", "col.reason", ratio=2))
    shown = [{**r, "state": t(f"mail.queue_{r['state']}"),
              "period": f"{r['since'] or ''}–{r['until'] or ''}" + (
                  f" {r['unit']}" if r["unit"] else "")} for r in rows]
    waiting = sum(r["state"] == "waiting" for r in rows)
    caption = t("mail.queue_caption", waiting=waiting, failed=len(rows) - waiting)
    session.show("records", fmt, Records(rows, columns, robot_delivery.QUEUE_KEYS, caption,
                                         shown=shown))


def urge_to_robots(session, names, made, repeated: set, force: bool) -> None:
    """`jtdj urge --robot NAME`: each unit's 催办 list to each robot's group, mentioning the
    unit's contact by the register's mobile; one message per unit, each through the robot
    log's duplicate guard (per robot, day and unit)."""
    from jtdj import notify_message
    from jtdj.robot_delivery import entry_of
    from jtdj.robots import notify_payloads

    robots = chosen_robots(session, names)
    plan, day = session.plan_key(), session.today.isoformat()
    entries, flags = [], []
    for notice in made:
        message = notify_message.urge_message(notice.data, notice.unit.get("mobile"))
        for robot in robots.values():
            unit = notice.unit["name"]
            entries.append(entry_of(robot.name, plan, day, day, unit, "urge", message.title,
                                    notify_payloads(robot, message),
                                    _new_id(session, robot.name, plan, day, unit)))
            flags.append(force or unit not in repeated)
    post_all(session, robots, entries, flags)
