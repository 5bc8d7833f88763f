"""Summaries, period reports and the status e-mail.

Cron-friendly: stdout carries only what was asked for (the summary, the report, the message
with --dry-run); notices go to stderr; a success is silent unless -v (or stderr is a terminal).
"""

from enum import Enum
from typing import Annotated, List, Optional

import typer

from jtdj.cli.app import (AsOf, Format, PeriodOptions, PlanKey, ReportFmt, SummaryFmt, app,
                          check_overdue, list_limit, period_of, session_of)
from jtdj.i18n import t

class Security(str, Enum):
    none = "none"
    starttls = "starttls"
    ssl = "ssl"


FailOnOverdue = Annotated[bool, typer.Option("--fail-on-overdue",
                                             help=t("help.report.fail_on_overdue"))]
Since = Annotated[Optional[str], typer.Option("--since", metavar=t("metavar.since"),
                                              help=t("help.report.since"))]
Until = Annotated[Optional[str], typer.Option("--until", metavar=t("metavar.date"), help=t("help.report.until"))]
# `--week [YYYY-Www]`: a flag whose week, when given, follows as an argument
Week = Annotated[bool, typer.Option("--week", help=t("help.report.week"))]
Limit = Annotated[Optional[int], typer.Option("--limit", metavar=t("metavar.count"), min=0,
                                              help=t("help.report.limit"))]
WeekArg = Annotated[Optional[str], typer.Argument(metavar=t("metavar.week"), help=t("help.report.week_arg"),
                                                  show_default=False)]


def _publish(session, view: str, fmt: str, data: dict, fail_on_overdue: bool) -> None:
    session.show(view, fmt, data)
    check_overdue(data, fail_on_overdue)


@app.command("summary", help=t("help.report.summary"))
def summary_cmd(
    ctx: typer.Context,
    fmt: Annotated[Optional[SummaryFmt], typer.Option("--format", "-f",
                                                      help=t("help.report.summary_format"))] = None,
    limit: Limit = None, fail_on_overdue: FailOnOverdue = False, as_of: AsOf = None,
    plan: PlanKey = None,
) -> None:
    from jtdj import report

    session = session_of(ctx, as_of, plan)
    fmt = session.format("summary", fmt)
    data = report.summary(session.store, session.plan_key(), session.today,
                          list_limit(limit, fmt))
    _publish(session, "summary", fmt, data, fail_on_overdue)


@app.command("report", help=t("help.report.report"))
def report_cmd(
    ctx: typer.Context, week_spec: WeekArg = None, since: Since = None, until: Until = None,
    week: Week = False,
    fmt: Annotated[Optional[ReportFmt], typer.Option("--format", "-f",
                                                     help=t("help.report.report_format"))] = None,
    limit: Limit = None, fail_on_overdue: FailOnOverdue = False,
    by_unit: Annotated[bool, typer.Option("--by-unit", help=t("help.opt.by_unit"))] = False,
    issue_no: Annotated[Optional[int], typer.Option(
        "--issue-no", metavar=t("bulletin.metavar_no"), min=1, help=t("help.opt.issue_no"))] = None,
    unit: Annotated[Optional[str], typer.Option(
        "--unit", metavar=t("metavar.unit"), help=t("help.opt.report_unit"))] = None,
    as_of: AsOf = None, plan: PlanKey = None,
) -> None:
    from jtdj import bulletin

    session = session_of(ctx, as_of, plan)
    period = period_of(session, since, until, week, week_spec)
    fmt = session.format("report", fmt)
    if unit is not None:  # one unit's own report, as of the period's last day
        from jtdj import unit_brief
        from jtdj.cli.unitnames import checked
        from jtdj.errors import UsageError

        names = checked(session, [unit], groups=False)[0]
        if not names:
            raise UsageError(t("unit_brief.no_unit"))
        session.show("unit_brief", fmt, unit_brief.unit_brief(
            session.store, session.plan_key(), names[0], period, session.today))
        return
    if by_unit or issue_no is not None:  # the 通报: ranked units, numbered per plan
        session.show("bulletin", fmt, bulletin.bulletin(
            session.store, session.plan_key(), period, session.today, issue_no))
        return
    data = bulletin.period_report(session.store, session.plan_key(), period, session.today,
                                  list_limit(limit, fmt))
    _publish(session, "report", fmt, data, fail_on_overdue)


@app.command("email", help=t("help.report.email"))
def email_cmd(
    ctx: typer.Context, week_spec: WeekArg = None,
    to: Annotated[Optional[List[str]], typer.Option("--to", metavar=t("metavar.addr"), help=t("help.report.to"))] = None,
    cc: Annotated[Optional[List[str]], typer.Option("--cc", metavar=t("metavar.addr"), help=t("help.report.cc"))] = None,
    bcc: Annotated[Optional[List[str]], typer.Option("--bcc", metavar=t("metavar.addr"), help=t("help.report.bcc"))] = None,
    since: Since = None, until: Until = None, week: Week = False,
    subject: Annotated[Optional[str], typer.Option("--subject", metavar=t("metavar.text"),
                                                   help=t("help.report.subject"))] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help=t("help.report.dry_run"))] = False,
    flush: Annotated[bool, typer.Option("--flush", help=t("help.report.flush"))] = False,
    failed: Annotated[bool, typer.Option("--failed", help=t("help.report.failed"))] = False,
    retry: Annotated[Optional[str], typer.Option("--retry", metavar=t("metavar.id"),
                                                 help=t("help.report.retry"))] = None,
    queue: Annotated[bool, typer.Option("--queue", help=t("help.report.queue"))] = False,
    fmt: Format = None,
    force: Annotated[bool, typer.Option("--force", help=t("help.report.force"))] = False,
    smtp_host: Annotated[Optional[str], typer.Option("--smtp-host", metavar=t("metavar.host"),
                                                     help=t("help.report.smtp_host"))] = None,
    smtp_port: Annotated[Optional[int], typer.Option("--smtp-port", metavar=t("metavar.port"), min=1, max=65535,
                                                     help=t("help.report.smtp_port"))] = None,
    smtp_security: Annotated[Optional[Security], typer.Option(
        "--smtp-security", help=t("help.report.smtp_security"))] = None,
    smtp_user: Annotated[Optional[str], typer.Option("--smtp-user", metavar=t("metavar.user"),
                                                     help=t("help.report.smtp_user"))] = None,
    sender: Annotated[Optional[str], typer.Option("--from", metavar=t("metavar.addr"),
                                                  help=t("help.report.sender"))] = None,
    attach_xlsx: Annotated[bool, typer.Option("--attach-xlsx", help=t("help.mail_extra.attach_xlsx"))] = False,
    limit: Limit = None, fail_on_overdue: FailOnOverdue = False, as_of: AsOf = None,
    plan: PlanKey = None,
) -> None:
    from jtdj.cli import email

    session = session_of(ctx, as_of, plan)
    flags = {"smtp_host": smtp_host, "smtp_port": smtp_port,
             "smtp_security": smtp_security.value if smtp_security else None,
             "smtp_user": smtp_user, "sender": sender}
    outbox = email.Queue(show=queue, fmt=fmt, flush=flush, failed=failed, retry=retry)
    email.email(session, PeriodOptions(since, until, week, week_spec), to, cc, bcc, subject,
                dry_run, force, flags, fail_on_overdue, attach_xlsx=attach_xlsx, limit=limit,
                queue=outbox)
