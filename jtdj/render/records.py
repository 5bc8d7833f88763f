"""Records (one dict a row) as JSON, CSV, TSV, Markdown or a table, and how values read.

Machine formats (json, csv, tsv) use the English keys and status codes, whatever the interface
language; people's formats (table, md) use translated headers and words.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from typing import Callable, NamedTuple, Sequence

from jtdj.i18n import t
from jtdj.render.safe import UNSAFE, escape_raw, guarded, visible, visible_data
from jtdj.render.text import Column

LIGHT_SYMBOL = {"red": "▲", "yellow": "◆", "green": "●", "grey": "○"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def numeral(no: int) -> str:
    """A section's number as the plan writes it: 一, 二, … in Chinese, 1, 2, … in English."""
    numerals = t("export.numerals").split(",")
    return numerals[no - 1] if 0 < no <= len(numerals) else str(no)


def section_label(no: int) -> str:
    """How a section is headed for a reader: 一、 in Chinese (as the plan does), Section 1."""
    return t("tree.section", no=no, numeral=numeral(no))


def progress_label(node: dict) -> str:
    """``[done/total] percent%`` of a section, an item or a plan, dropped tasks left out."""
    return f"[{node['done']}/{node['total'] - node['dropped']}] {node['percent']}%"


def status_word(code: str | None) -> str:
    return t(f"status.{code}") if code else ""


def light_word(code: str | None) -> str:
    return f"{LIGHT_SYMBOL[code]} {t(f'light.{code}')}" if code else ""


def human_value(key: str, value) -> str:
    """How a record's value reads for a person (table and Markdown)."""
    if value is None:
        return "—" if key in ("owner", "due") else ""
    if key == "status":
        return status_word(value)
    if key == "light":
        return light_word(value)
    if key == "percent":
        return f"{value}%"
    if isinstance(value, list):
        return t("list.sep").join(str(v) for v in value)
    return str(value)


def machine_value(value, sep: str = "; ") -> str:
    if value is None:
        return ""
    if value.__class__ is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return sep.join(str(v) for v in value)
    return str(value)


def _iso(value):
    """Dates travel as ``date`` objects until written; JSON gets them as ISO 8601."""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, default=_iso).encode


def to_json(data) -> str:
    """Indented JSON; a list of records has one record per line, which reads and diffs well
    and lets the C encoder do the work (see bench/README.md). The encoder escapes C0; DEL, C1
    and bidi controls are escaped too, as ``\\u202e`` (the same text, nothing a terminal
    obeys)."""
    if isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
        return escape_raw("[\n" + ",\n".join("  " + _COMPACT_JSON(r) for r in data) + "\n]\n")
    return escape_raw(json.dumps(data, ensure_ascii=False, indent=2, default=_iso) + "\n")


def to_csv(records: Sequence[dict], keys: Sequence[str]) -> str:
    """CSV for spreadsheets: BOM so Excel/WPS read UTF-8, formula-like cells neutralised,
    control and bidi characters shown (``visible``)."""
    import csv

    def write(cell) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(keys)
        for r in records:
            writer.writerow([_defuse(cell(machine_value(r.get(k)))) for k in keys])
        return buf.getvalue()

    out = write(str)
    # the one search: no such character but the carriage returns of the line ends
    if re.search(UNSAFE, out.replace("\r\n", "\n")) is not None:
        out = write(visible)
    return "\ufeff" + out


def _defuse(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def to_tsv(records: Sequence[dict], keys: Sequence[str]) -> str:
    """Tab-separated for pipes: header of JSON keys, one line per record, nothing else."""
    lines = ["\t".join(keys)]
    tabs = len(keys) - 1
    for r in records:
        values = [v if v.__class__ is str else machine_value(v) for v in map(r.get, keys)]
        line = "\t".join(values)
        # a tab or line break inside a value would shift the columns: only then blank them
        if line.count("\t") != tabs or "\n" in line or "\r" in line:
            line = "\t".join([v.translate(_TSV_SAFE) for v in values])
        lines.append(line)
    return visible("\n".join(lines) + "\n")  # tabs and line breaks are the layout's own here


_TSV_SAFE = str.maketrans({"\t": " ", "\r": " ", "\n": " "})


def md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def to_markdown(records: Sequence[dict], columns: Sequence[Column],
                value: Callable[[str, object], str] | None = None) -> str:
    value = value or human_value
    head = "| " + " | ".join(t(c.header) for c in columns) + " |"
    rule = "|" + "|".join("---:" if c.justify == "right" else "---" for c in columns) + "|"
    rows = ["| " + " | ".join(md_escape(value(c.key, r.get(c.key))) for c in columns) + " |"
            for r in records]
    return "\n".join([head, rule, *rows]) + "\n"


class Records(NamedTuple):
    """What a list command shows: rows for machines (``keys``), and for people the ``columns``
    of ``shown`` (the same rows unless the command words them differently), with a caption."""

    rows: Sequence[dict]
    columns: Sequence[Column]
    keys: Sequence[str]
    caption: str | None = None
    value: Callable[[str, object], str] = human_value
    shown: Sequence[dict] | None = None


def records_json(r: Records) -> str:
    keys = r.keys
    return to_json([{k: row.get(k) for k in keys} for row in r.rows])


def records_csv(r: Records) -> str:
    return to_csv(r.rows, r.keys)


def records_tsv(r: Records) -> str:
    return to_tsv(r.rows, r.keys)


@guarded
def records_md(r: Records) -> str:
    return to_markdown(r.rows if r.shown is None else r.shown, r.columns, r.value)


def records_table(r: Records):
    from jtdj.render.text import rich_table

    r = visible_data(r)
    return rich_table(r.rows if r.shown is None else r.shown, r.columns, caption=r.caption,
                      value=r.value)
