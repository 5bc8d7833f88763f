"""The body of `jtdj email`: build the report message and post it; flush, retry, list the queue.

Apart from ``reports`` so that `summary` and `report` do not load smtplib, ssl and email.
"""

from __future__ import annotations

import json
import os

from jtdj import bulletin, delivery, mail
from jtdj.cli.app import PeriodOptions, check_overdue, list_limit
from jtdj.cli.session import Session
from jtdj.errors import EXIT_FAILED, JtdjError, UsageError
from jtdj.i18n import t
from jtdj.render import report as report_render
from jtdj.render.records import Records
from jtdj.render.subject import subject as default_subject
from jtdj.render.text import Column
from jtdj.store import outbox


class Queue:
    """What to do with the outbox instead of mailing a report: list it (``show`` in ``fmt``),
    flush it (with the messages set aside too when ``failed``), or retry one message."""

    def __init__(self, show: bool = False, fmt=None, flush: bool = False, failed: bool = False,
                 retry: str | None = None):
        self.show, self.fmt, self.flush, self.failed, self.retry = show, fmt, flush, failed, retry
        used = [name for name, on in (("--queue", show), ("--flush", flush),
                                      ("--retry", retry is not None)) if on]
        if len(used) > 1:
            raise UsageError(t("mail.flags_conflict", first=used[0], second=used[1]))
        if failed and not flush:
            raise UsageError(t("mail.failed_needs_flush"))
        if fmt is not None and not show:
            raise UsageError(t("mail.format_needs_queue"))

    @property
    def wanted(self) -> bool:
        return self.show or self.flush or self.retry is not None


def email(session: Session, period: PeriodOptions, to, cc, bcc, subject: str | None,
          dry_run: bool, force: bool, smtp_flags: dict, fail_on_overdue: bool,
          attach_xlsx: bool = False, limit: int | None = None, queue: Queue | None = None) -> None:
    conf = session.settings.config
    if queue is not None and queue.show:
        _show_queue(session, queue.fmt)
        return
    settings = mail.smtp_settings(smtp_flags, os.environ, conf)
    if queue is not None and queue.wanted:
        _work_the_queue(session, settings, queue)
        return
    # a preview needs no configuration: From jtdj@host, To undisclosed-recipients; a send does
    lists = mail.recipients(to, cc, bcc, conf, required=not dry_run)
    sender = settings.sender or (mail.preview_sender() if dry_run else None)
    if not sender:
        raise JtdjError(t("mail.no_sender"), 2)
    retry_days = mail.retry_days(conf)
    if attach_xlsx:
        from jtdj.cli.data import require_openpyxl

        require_openpyxl()  # before anything is built or sent
    data = bulletin.period_report(session.store, session.plan_key(), period.resolve(session),
                                  session.today, list_limit(limit, "text"))
    p = data["period"]
    subject = subject or default_subject(data)
    msg = mail.build_message(subject, report_render.report_text(data),
                             report_render.report_html(data), sender, lists, session.now())
    if attach_xlsx:
        from jtdj.export import ledger_data
        from jtdj.render.xlsx import ledger_xlsx

        ledger = ledger_xlsx(ledger_data(session.store, data["plan"], p["until"]))
        mail.attach(msg, ledger, t("mail_extra.ledger_name", plan=data["plan"], until=p["until"]))
    if dry_run:
        session.out(mail.dry_run_text(msg, lists["bcc"]))
        check_overdue(data, fail_on_overdue)
        return
    addresses = mail.envelope(lists)
    entry = {"plan": data["plan"], "since": p["since"].isoformat(),
             "until": p["until"].isoformat(), "message_id": msg["Message-ID"],
             "recipients": json.dumps(sorted({a.lower() for a in addresses}), ensure_ascii=False),
             "subject": subject, "sender": mail.address_only(settings.sender), "to": addresses,
             "message": msg.as_bytes().decode("utf-8")}
    how = delivery.Sender(session.store, settings, session.now(), retry_days)
    folder = session.outbox()
    result = delivery.post(how, folder, entry, force)
    if isinstance(result, dict):
        _already(session, how, folder, result)
    else:
        report_one(session, result, len(addresses))
    check_overdue(data, fail_on_overdue)


def _already(session: Session, how: delivery.Sender, folder, last: dict) -> None:
    """The same report to the same people: send nothing new; a copy still waiting goes now."""
    if last["state"] != "queued":
        session.notice(t("mail.already_sent", at=last["at"], id=last["message_id"]))
        return
    session.notice(t("mail.flushing_queued", at=last["at"], id=last["message_id"]))
    [outcome] = delivery.flush(how, [folder / last["outbox"]])
    report_one(session, outcome, None)


def report_one(session: Session, outcome: delivery.Outcome, count: int | None) -> None:
    """One message's fate, in one line: silent when it went (but at a terminal or with -v)."""
    if outcome.state == "sent":
        session.confirm(t("mail.sent", count=outcome.delivered or count or 0, id=outcome.id))
    elif outcome.state == "busy":
        session.notice(t("mail.busy", id=outcome.id))
    elif outcome.state == "failed":
        key = "mail.partly_set_aside" if outcome.delivered else "mail.set_aside"
        raise JtdjError(t(key, cause=outcome.cause, path=outcome.path, id=outcome.path.stem,
                          count=outcome.delivered), EXIT_FAILED)
    else:
        key = "mail.partly_failed" if outcome.delivered else "mail.failed"
        raise JtdjError(t(key, cause=outcome.cause, path=outcome.path, count=outcome.delivered),
                        EXIT_FAILED)


def _work_the_queue(session: Session, settings, queue: Queue) -> None:
    folder = session.outbox()
    how = delivery.Sender(session.store, settings, session.now(),
                          mail.retry_days(session.settings.config))
    if queue.retry is not None:
        path = outbox.find(folder, queue.retry)
        if path is None:
            raise UsageError(t("mail.no_such_entry", id=queue.retry))
        report_one(session, delivery.retry(how, path), None)
        return
    outcomes = []
    if queue.failed:
        for path in outbox.failed(folder):
            outcomes.append(delivery.retry(how, path))
            if outcomes[-1].state == "stopped":
                break
    if not outcomes or outcomes[-1].state != "stopped":
        outcomes += delivery.flush(how, outbox.waiting(folder))
    _report_flush(session, outcomes, len(outbox.waiting(folder)))


def _report_flush(session: Session, outcomes: list[delivery.Outcome], left: int) -> None:
    """A line for each message set aside (said once: it is never tried again by itself), one
    for each still waiting, and a summary; exit 1 unless every message tried has gone."""
    tally = {"sent": 0, "waiting": 0, "failed": 0, "busy": 0}
    for outcome in outcomes:
        if outcome.state == "failed":
            session.notice(t("mail.aside_notice", id=outcome.id, cause=outcome.cause,
                             path=outcome.path, retry=outcome.path.stem))
        elif outcome.state in ("waiting", "stopped"):
            session.notice(t("mail.waiting_notice", id=outcome.id, cause=outcome.cause))
        tally["waiting" if outcome.state == "stopped" else outcome.state] += 1
    if tally["busy"]:
        session.confirm(t("mail.busy_count", count=tally["busy"]))
    if tally["failed"] or tally["waiting"]:
        raise JtdjError(t("mail.flush_summary", sent=tally["sent"], failed=tally["failed"],
                          left=left), EXIT_FAILED)
    session.confirm(t("mail.flushed", count=tally["sent"]))


QUEUE_COLUMNS = (Column("id", "col.queue_id", no_wrap=True), Column("state", "col.queue_state"),
                 Column("period", "col.period"), Column("recipients", "col.recipients", ratio=1),
                 Column("reason", "col.reason", ratio=2))


def _show_queue(session: Session, requested) -> None:
    """`jtdj email --queue`: what waits and what was set aside, with why."""
    fmt = session.format("records", requested)
    rows = delivery.queue_rows(session.outbox())
    shown = [{**r, "state": t(f"mail.queue_{r['state']}"), "period": _period(r)} for r in rows]
    waiting = sum(r["state"] == "waiting" for r in rows)
    caption = t("mail.queue_caption", waiting=waiting, failed=len(rows) - waiting)
    session.show("records", fmt, Records(rows, QUEUE_COLUMNS, delivery.QUEUE_KEYS, caption,
                                         shown=shown))


def _period(row: dict) -> str:
    """2022-06-13–06-19: the year once when both days are in it (the id gives the time queued)."""
    since, until = row["since"] or "", row["until"] or ""
    if since[:5] == until[:5]:
        until = until[5:]
    return f"{since}–{until}" if since else ""


class UnitMail:
    """Mail to units (`collect --send`, `urge --send`): one message per unit, each through the
    outbox and the mail log's duplicate guard, keyed by what it is (``form:单位``,
    ``urge:单位``) and its as-of day."""

    def __init__(self, session: Session):
        conf = session.settings.config
        self.session = session
        self.settings = mail.smtp_settings({}, os.environ, conf)
        if not self.settings.sender:
            raise JtdjError(t("mail.no_sender"), 2)
        self.how = delivery.Sender(session.store, self.settings, session.now(),
                                   mail.retry_days(conf))
        self.folder = session.outbox()

    def post(self, plan: str, key: str, day: str, address: str, subject: str, text: str,
             html: str, attachments: list[tuple[bytes, str]] = (), force: bool = False):
        """Queue and send one message; the mail-log row of the same one sent before, if any
        (and not ``force``)."""
        msg = mail.build_message(subject, text, html, self.settings.sender,
                                 {"to": [address], "cc": [], "bcc": []}, self.session.now())
        for data, filename in attachments:
            mail.attach(msg, data, filename)
        entry = {"plan": plan, "since": key, "until": day, "message_id": msg["Message-ID"],
                 "recipients": json.dumps([address.lower()], ensure_ascii=False),
                 "subject": subject, "sender": mail.address_only(self.settings.sender),
                 "to": [address], "message": msg.as_bytes().decode("utf-8")}
        result = delivery.post(self.how, self.folder, entry, force)
        if not isinstance(result, dict):
            report_one(self.session, result, 1)
        return result

    def unit_report(self, plan: str, unit: str) -> tuple[bytes, str]:
        """The unit's own report (`report --unit`, the report's default period) as an HTML
        attachment (`--attach-report`)."""
        from jtdj import unit_brief
        from jtdj.parse import period
        from jtdj.render import writer

        session = self.session
        span = period(session.today)
        data = unit_brief.unit_brief(session.store, plan, unit, span, session.today)
        name = t("unit_brief.file_name", unit=unit, until=span.until.isoformat())
        return writer("unit_brief", "html")(data).encode("utf-8"), name
