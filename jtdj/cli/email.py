"""The body of `jtdj email`: build the report message, send it, queue it when sending fails.

Apart from ``reports`` so that `summary` and `report` do not load smtplib, ssl and email.
"""

from __future__ import annotations

import json
import os

from jtdj import mail, report
from jtdj.cli.app import PeriodOptions, check_overdue, list_limit
from jtdj.cli.session import Session
from jtdj.errors import EXIT_FAILED, JtdjError
from jtdj.i18n import t
from jtdj.render import report as report_render
from jtdj.render.subject import subject as default_subject
from jtdj.store import mail_log, utc_text


def email(session: Session, period: PeriodOptions, to, cc, bcc, subject: str | None,
          dry_run: bool, flush: bool, force: bool, smtp_flags: dict,
          fail_on_overdue: bool, attach_xlsx: bool = False, limit: int | None = None) -> None:
    conf = session.settings.config
    settings = mail.smtp_settings(smtp_flags, os.environ, conf)
    if flush:
        _flush(session, settings, mail.queued(session.outbox()))
        return
    # a preview needs no configuration: From jtdj@host, To undisclosed-recipients; a send does
    lists = mail.recipients(to, cc, bcc, conf, required=not dry_run)
    sender = settings.sender or (mail.preview_sender() if dry_run else None)
    if not sender:
        raise JtdjError(t("mail.no_sender"), 2)
    if attach_xlsx:
        from jtdj.cli.data import require_openpyxl

        require_openpyxl()  # before anything is built or sent
    data = report.report(session.store, session.plan_key(), period.resolve(session),
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
    key = json.dumps(sorted({a.lower() for a in addresses}), ensure_ascii=False)
    last = mail_log.last(session.store, data["plan"], p["since"].isoformat(),
                                  p["until"].isoformat(), key)
    if last is not None and not force and _still_counts(session, last):
        _already(session, settings, last)
    else:
        _send_new(session, settings, msg, data, addresses, key, subject)
    check_overdue(data, fail_on_overdue)


def _send_new(session: Session, settings, msg, data: dict, addresses: list[str], key: str,
              subject: str) -> None:
    raw = msg.as_bytes()
    p = data["period"]
    since, until = p["since"].isoformat(), p["until"].isoformat()
    entry = {"plan": data["plan"], "since": since, "until": until, "recipients": key,
             "message_id": msg["Message-ID"], "subject": subject}
    sender = mail.address_only(settings.sender)
    try:
        mail.send(settings, sender, addresses, raw)
    except mail.SendFailed as exc:
        waiting = exc.refused or addresses
        path = mail.queue(session.outbox(), {
            "message_id": msg["Message-ID"], "plan": data["plan"], "since": since,
            "until": until, "subject": subject, "sender": sender, "recipients": waiting,
            "queued_at": utc_text(session.now())}, raw, session.now())
        mail_log.record(session.store, {**entry, "state": "queued", "outbox": path.name})
        raise JtdjError(t("mail.failed", cause=exc.message, path=path), EXIT_FAILED) from None
    mail_log.record(session.store, {**entry, "state": "sent"})
    session.confirm(t("mail.sent", count=len(addresses), id=msg["Message-ID"]))


def _still_counts(session: Session, last: dict) -> bool:
    """Sent, or queued with its copy still in the outbox (a deleted copy was given up)."""
    if last["state"] == "sent":
        return True
    return bool(last["outbox"]) and (session.outbox() / last["outbox"]).exists()


def _already(session: Session, settings, last: dict) -> None:
    """The same report to the same people: send nothing new; a queued copy is flushed."""
    if last["state"] == "queued":
        path = session.outbox() / last["outbox"]
        session.notice(t("mail.flushing_queued", at=last["at"], id=last["message_id"]))
        _flush(session, settings, [path])
        return
    session.notice(t("mail.already_sent", at=last["at"], id=last["message_id"]))


def _flush(session: Session, settings, paths) -> None:
    """Resend queued messages, oldest first; each file goes only once the server took it."""
    sent = 0
    for n, path in enumerate(paths):
        entry = mail.load(path)
        try:
            mail.send(settings, entry["sender"], entry["recipients"],
                      entry["message"].encode("utf-8"))
        except mail.SendFailed as exc:
            if exc.refused and len(exc.refused) < len(entry["recipients"]):
                mail.requeue(path, entry, exc.refused)
            raise JtdjError(t("mail.flush_failed", file=path.name, cause=exc.message,
                              left=len(paths) - n), EXIT_FAILED) from None
        path.unlink()
        mail_log.mark_sent(session.store, entry["message_id"])
        sent += 1
    session.confirm(t("mail.flushed", count=sent))
