"""The register of units as records: English keys for machines, words for people."""

from __future__ import annotations

from jtdj.i18n import t
from jtdj.render.records import Records, human_value
from jtdj.render.text import Column

REGISTER_KEYS = ("name", "short", "kind", "contact", "email", "mobile", "groups", "lead",
                 "support", "shares", "open_shares")
REGISTER_COLUMNS = (
    Column("name", "units.col_unit", min_width=12, ratio=3),
    Column("short", "units.col_short", max_width=8, ratio=1),  # contacts: JSON, CSV, export
    Column("kind", "units.col_kind", no_wrap=True),
    Column("mobile", "units.col_mobile", no_wrap=True),
    Column("groups", "units.col_groups", min_width=6, max_width=12, ratio=1),
    Column("lead", "units.col_lead", no_wrap=True, justify="right"),
    Column("shares", "units.col_shares", no_wrap=True, justify="right"),
)


def _value(key: str, value) -> str:
    if key == "kind":
        return t(f"unitkind.{value}")
    if key == "shares" and value is None:
        return "0"
    return human_value(key, value)


def register(rows: list[dict], caption: str) -> Records:
    """``units.register_table`` rows (mobiles masked) as records."""
    return Records(rows, REGISTER_COLUMNS, REGISTER_KEYS, caption=caption, value=_value)


MISSING_KEYS = ("unit", "collected", "as_of", "reply_by", "late")
MISSING_COLUMNS = (
    Column("unit", "units.col_unit", min_width=8, ratio=1),
    Column("as_of", "collect.col_as_of", no_wrap=True),
    Column("reply_by", "collect.col_reply_by", no_wrap=True),
    Column("late", "collect.col_late", no_wrap=True),
)


def _missing_value(key: str, value) -> str:
    if key == "late":
        return t("collect.late") if value else ""
    return human_value(key, value)


def missing_forms(rows: list[dict], caption: str) -> Records:
    """`collect --missing`: the units whose latest form has not come back."""
    return Records(rows, MISSING_COLUMNS, MISSING_KEYS, caption=caption, value=_missing_value)


def csv_rows(rows) -> str:
    """Rows of cells as CSV text (the register's export, read back by `units import`)."""
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()
