"""The few reads that summaries, reports and `list --owner` need about shares and forms.

The shares themselves (and how they were on a past day) are read through ``store.units``; this
module only answers "are there any", "which tasks does this unit hold a share of" and "what
forms were issued to and merged from each unit".
"""

from __future__ import annotations

from jtdj.store import Store


def plan_has_shares(store: Store, plan: str) -> bool:
    """Whether any task of the plan was ever handed to units (one seek)."""
    return store.conn.execute("SELECT EXISTS (SELECT 1 FROM shares WHERE plan = ?)",
                              (plan,)).fetchone()[0] == 1


def unit_share_tasks(store: Store, plan: str, unit_id: int) -> list[str]:
    """The ids of the plan's tasks the unit holds a share of now."""
    return [r[0] for r in store.conn.execute(
        "SELECT task FROM shares WHERE plan = ? AND unit = ?", (plan, unit_id))]


def unit_id(store: Store, name: str) -> int | None:
    row = store.conn.execute("SELECT id FROM units WHERE name = ?", (name,)).fetchone()
    return row[0] if row else None


def forms(store: Store, plan: str) -> list[dict]:
    """Every form issued for the plan, with the unit's name now, oldest first: (unit, as_of,
    reply_by, merged_on, filled_on)."""
    return [dict(r) for r in store.conn.execute(
        "SELECT u.name AS unit, f.as_of, f.reply_by, f.merged_on, f.filled_on FROM forms f"
        " JOIN units u ON u.id = f.unit WHERE f.plan = ? ORDER BY f.at, f.id", (plan,))]
