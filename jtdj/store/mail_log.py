"""The mail log: each report mailed, waiting or set aside; the duplicate-send guard reads it.

A row's ``state``: ``queued`` (its copy waits in the outbox, named by ``outbox``), ``sent`` (the
server took it; ``outbox`` is empty) or ``failed`` (set aside in ``outbox/failed/``).
"""

from __future__ import annotations

from typing import Callable

from jtdj.store import Store, utc_text


def reserve(store: Store, entry: dict, counts: Callable[[dict], bool], queue: Callable[[], str]):
    """The guard and the reservation in one write transaction, so two runs mailing the same
    report to the same people cannot both pass: the last row for ``entry``'s plan, period and
    recipients is returned when ``counts`` says it still stands; otherwise ``queue()`` puts the
    message in the outbox (returning its file name) and it is logged as queued. Returns the
    standing row, or None when this run queued the message."""
    with store.transaction():
        row = store.conn.execute(
            "SELECT * FROM mail_log WHERE plan = ? AND since = ? AND until = ? AND recipients = ?"
            " ORDER BY id DESC LIMIT 1",
            (entry["plan"], entry["since"], entry["until"], entry["recipients"])).fetchone()
        if row is not None and counts(dict(row)):
            return dict(row)
        name = queue()
        store.conn.execute(
            "INSERT INTO mail_log (at, plan, since, until, recipients, message_id, subject, state,"
            " outbox) VALUES (:at, :plan, :since, :until, :recipients, :message_id, :subject,"
            " 'queued', :outbox)", {"at": utc_text(store.clock()), **entry, "outbox": name})
    return None


def of_message(store: Store, message_id: str) -> dict | None:
    """The log row of one message (the newest, should a --force have reused nothing)."""
    row = store.conn.execute("SELECT * FROM mail_log WHERE message_id = ? ORDER BY id DESC"
                             " LIMIT 1", (message_id,)).fetchone()
    return dict(row) if row else None


def mark(store: Store, message_id: str, state: str, outbox: str | None = None) -> None:
    """A message's new state: sent (the server's final 250), queued again, or set aside."""
    with store.transaction():
        store.conn.execute("UPDATE mail_log SET state = ?, outbox = ?, at = ? WHERE message_id = ?",
                           (state, outbox, utc_text(store.clock()), message_id))
