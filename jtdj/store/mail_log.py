"""The mail log: each report mailed or queued, which the duplicate-send guard reads."""

from __future__ import annotations

from jtdj.store import Store, utc_text


def record(store: Store, entry: dict) -> None:
    """Record a report mailed or queued: at, plan, since, until, recipients (JSON), message_id,
    subject, state ('sent' or 'queued'), outbox (file name while queued)."""
    with store.transaction():
        store.conn.execute(
            "INSERT INTO mail_log (at, plan, since, until, recipients, message_id, subject, state,"
            " outbox) VALUES (:at, :plan, :since, :until, :recipients, :message_id, :subject,"
            " :state, :outbox)", {"at": utc_text(store.clock()), "outbox": None, **entry})


def last(store: Store, plan: str, since: str, until: str, recipients: str) -> dict | None:
    row = store.conn.execute(
        "SELECT * FROM mail_log WHERE plan = ? AND since = ? AND until = ? AND recipients = ?"
        " ORDER BY id DESC LIMIT 1", (plan, since, until, recipients)).fetchone()
    return dict(row) if row else None


def mark_sent(store: Store, message_id: str) -> None:
    """A queued message was accepted by the server."""
    with store.transaction():
        store.conn.execute(
            "UPDATE mail_log SET state = 'sent', outbox = NULL, at = ? WHERE message_id = ?",
            (utc_text(store.clock()), message_id))
