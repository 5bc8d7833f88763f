"""The bodies of `jtdj summary` and `jtdj report` (`jtdj email` is in mail_commands).

Cron-friendly: stdout carries only what was asked for (the summary, the report, the message
with --dry-run); notices go to stderr; a success is silent unless -v (or stderr is a terminal).
"""

from __future__ import annotations

from typing import NamedTuple

from jtdj import report, report_render
from jtdj.errors import EXIT_OVERDUE, JtdjError
from jtdj.i18n import t
from jtdj.session import Session

SUMMARY_FORMATS = ("table", "json", "md")
REPORT_FORMATS = ("text", "md", "html", "json")
# Lists a person reads stop here (with a line saying how many more); JSON holds them all.
DEFAULT_LIMIT = 50


def list_limit(limit: int | None, fmt: str) -> int | None:
    """How many tasks each list shows: --limit N (0: all); else all in JSON, DEFAULT_LIMIT in
    the formats people read."""
    if limit is not None:
        return limit or None
    return None if fmt == "json" else DEFAULT_LIMIT


class PeriodOptions(NamedTuple):
    since: str | None = None
    until: str | None = None
    week: str | None = None
    week_flag: bool = False


def summary(session: Session, fmt, fail_on_overdue: bool, limit: int | None = None) -> None:
    fmt = session.format(fmt, SUMMARY_FORMATS)
    data = report.summary(session.store, session.plan_key(), session.today,
                          list_limit(limit, fmt))
    if fmt == "table":
        report_render.summary_rich(session.console(), data)
    else:
        session.out(report_render.SUMMARY_WRITERS[fmt](data))
    check_overdue(data, fail_on_overdue)


def report_cmd(session: Session, period: PeriodOptions, fmt, fail_on_overdue: bool,
               limit: int | None = None) -> None:
    fmt = _value(fmt) or "text"
    data = report_data(session, period, list_limit(limit, fmt))
    session.out(report_render.render_report(data, fmt))
    check_overdue(data, fail_on_overdue)


def report_data(session: Session, period: PeriodOptions, limit: int | None = None) -> dict:
    p = report.resolve_period(session.today, period.since, period.until, period.week,
                              period.week_flag)
    return report.report(session.store, session.plan_key(), p, limit)


def check_overdue(data: dict, fail_on_overdue: bool) -> None:
    count = report.overdue_count(data)
    if fail_on_overdue and count:
        raise JtdjError(t("report.overdue_exit", count=count), EXIT_OVERDUE)


def _value(option):
    return option.value if hasattr(option, "value") else option
