"""The robot log and the send log (m019): what went, or waits, to each group robot.

``robot_log``: one row per message queued for a robot — ``robot``, ``plan``, the period
(``since``, ``until``), ``unit`` ('' for the report; the unit of a 催办 list), ``key`` (what it
is: ``report`` or ``urge``), ``message_id``, ``state`` (``queued`` with its outbox file named by
``outbox``, ``sent``, or ``failed`` once set aside), ``queued_at``, ``sent_at``. The duplicate
guard reads it (the tables are made by ``migrations.m019_robot_log``). ``robot_sends``: one row per post to a robot (``robot``, ``sent_at``), for the
limit of 20 messages a minute per robot, counted by every process alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from jtdj.store import Store, utc_text

KEYS = ("robot", "plan", "since", "until", "unit", "key")


def reserve(store: Store, entry: dict, counts: Callable[[dict], bool], queue: Callable[[], str]):
    """The guard and the reservation in one write transaction (two runs posting the same
    report to the same robot cannot both pass): the last row of ``entry``'s robot, plan,
    period, unit and key is returned when ``counts`` says it still stands; otherwise
    ``queue()`` puts the message in the outbox (its file name) and it is logged as queued."""
    with store.transaction():
        row = store.conn.execute(
            "SELECT * FROM robot_log WHERE robot = ? AND plan = ? AND since = ? AND until = ?"
            " AND unit = ? AND key = ? ORDER BY id DESC LIMIT 1",
            tuple(entry[k] for k in KEYS)).fetchone()
        if row is not None and counts(dict(row)):
            return dict(row)
        name = queue()
        store.conn.execute(
            "INSERT INTO robot_log (robot, plan, since, until, unit, key, message_id, state,"
            " outbox, queued_at) VALUES (:robot, :plan, :since, :until, :unit, :key,"
            " :message_id, 'queued', :outbox, :at)",
            {**{k: entry[k] for k in (*KEYS, "message_id")}, "outbox": name,
             "at": utc_text(store.clock())})
    return None


def of_message(store: Store, message_id: str) -> dict | None:
    row = store.conn.execute("SELECT * FROM robot_log WHERE message_id = ? ORDER BY id DESC"
                             " LIMIT 1", (message_id,)).fetchone()
    return dict(row) if row else None


def mark(store: Store, message_id: str, state: str, outbox: str | None = None) -> None:
    """A message's new state: sent, queued again, or set aside (``failed``)."""
    with store.transaction():
        store.conn.execute(
            "UPDATE robot_log SET state = ?, outbox = ?,"
            " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE message_id = ?",
            (state, outbox, state, utc_text(store.clock()), message_id))


def take_slot(store: Store, robot: str, now: datetime, limit: int, window: float = 60) -> bool:
    """Count the robot's posts in the last ``window`` seconds and, when fewer than ``limit``,
    record this one — in one write transaction, so processes posting to the same robot at
    once never pass the limit together. False: over the limit, do not post now."""
    since = utc_text(now - timedelta(seconds=window))
    with store.transaction():
        count = store.conn.execute(
            "SELECT count(*) FROM robot_sends WHERE robot = ? AND sent_at > ?",
            (robot, since)).fetchone()[0]
        if count >= limit:
            return False
        store.conn.execute("INSERT INTO robot_sends (robot, sent_at) VALUES (?, ?)",
                           (robot, utc_text(now)))
        store.conn.execute("DELETE FROM robot_sends WHERE sent_at < ?",
                           (utc_text(now - timedelta(days=1)),))
    return True
