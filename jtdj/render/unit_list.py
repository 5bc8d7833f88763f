"""`list --owner U` as records: the list's keys and columns, with the unit and its role."""

from __future__ import annotations

from jtdj.i18n import t
from jtdj.render.records import Records, human_value
from jtdj.render.tasks import LIST_COLUMNS, LIST_KEYS
from jtdj.render.text import Column

OWNER_KEYS = (*LIST_KEYS, "unit", "role")
# below 100 columns the role takes the place of 责任单位 (U itself, or the task's lead)
OWNER_COLUMNS = (*(c._replace(fit="wide") if c.key == "owner" else c for c in LIST_COLUMNS),
                 Column("role", "col.role", no_wrap=True))


def _value(key: str, value) -> str:
    if key == "role":
        return t(f"list.unit_role_{value}")
    return human_value(key, value)


def owner_list(rows: list[dict], caption) -> Records:
    return Records(rows, OWNER_COLUMNS, OWNER_KEYS, caption=caption, value=_value)
