"""Records (one dict a row) as JSON, CSV, TSV, Markdown or a table, and how values read.

Machine formats (json, csv, tsv) use the English keys and status codes, whatever the interface
language; people's formats (table, md) use translated headers and words.
"""

from __future__ import annotations

import io
import re
from typing import Callable, Iterable, Iterator, Sequence

from jtdj.i18n import t
from jtdj.render.json_text import CHUNK_ROWS, batches, json_chunks, json_line_bytes
from jtdj.render.safe import UNSAFE, guarded, may_hold_unsafe, visible, visible_data
from jtdj.render.text import Column, cell_of, shown_columns
from jtdj.tuples import named_tuple

LIGHT_SYMBOL = {"red": "▲", "yellow": "◆", "green": "●", "grey": "○", "blue": "◎"}
SIGNAL_WORD = {"overdue": "red", "far_behind": "far_behind", "behind": "behind",
               "due_soon": "yellow", "on_track": "green", "closed": "grey", "review": "blue",
               "quiet": "quiet"}  # quiet: an ongoing task's behind, no note for long (shown rows)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def numeral(no: int) -> str:
    """A section's number as the plan writes it: 一, 二, … in Chinese, 1, 2, … in English."""
    numerals = t("export.numerals").split(",")
    return numerals[no - 1] if 0 < no <= len(numerals) else str(no)


def section_label(no: int) -> str:
    """How a section is headed for a reader: 一、 in Chinese (as the plan does), Section 1."""
    return t("tree.section", no=no, numeral=numeral(no))


def status_word(code: str | None) -> str:
    return t(f"status.{code}") if code else ""


def light_word(code: str | None, signal: str | None = None) -> str:
    """The symbol of the light (black and white alike), the word of why (``signal``)."""
    word = SIGNAL_WORD.get(signal or "", code)
    return f"{LIGHT_SYMBOL[code]} {t(f'light.{word}')}" if code else ""


def human_value(key: str, value) -> str:
    """How a record's value reads for a person (table and Markdown)."""
    if value is None:
        return "—" if key in ("owner", "due") else ""
    if key == "status":
        return status_word(value)
    if key == "light":
        return light_word(*value) if isinstance(value, tuple) else light_word(value)
    if key in ("percent", "expected_percent"):
        return f"{value}%"
    if key == "pace":  # (reported, expected) of an open task: 20/70
        return "/".join("—" if v is None else str(v) for v in value)
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


def to_csv(records: Iterable[dict], keys: Sequence[str]) -> str:
    """CSV for spreadsheets: BOM so Excel/WPS read UTF-8, formula-like cells neutralised,
    control and bidi characters shown (``visible``)."""
    return "".join(csv_chunks(records, keys))


def csv_chunks(records: Iterable[dict], keys: Sequence[str]) -> Iterator[str]:
    """``to_csv`` as chunks of text written as the records come. Each chunk is searched once
    for control and bidi characters and, only when it holds one, written again with them shown
    (rows are independent, so a chunk at a time is the same as the whole at once)."""
    import csv

    def write(rows, cell) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows(
            [[_defuse(cell(machine_value(r.get(k)))) for k in keys] for r in rows])
        return buf.getvalue()

    head = io.StringIO()
    csv.writer(head, lineterminator="\r\n").writerow(keys)
    yield "\ufeff" + head.getvalue()
    for batch in batches(records):
        out = write(batch, str)
        # the one search: no such character but the carriage returns of the line ends
        if re.search(UNSAFE, out.replace("\r\n", "\n")) is not None:
            out = write(batch, visible)
        yield out


def _defuse(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def to_tsv(records: Iterable[dict], keys: Sequence[str]) -> str:
    """Tab-separated for pipes: header of JSON keys, one line per record, nothing else."""
    return "".join(tsv_chunks(records, keys))


def tsv_chunks(records: Iterable[dict], keys: Sequence[str]) -> Iterator[str]:
    """``to_tsv`` as chunks of text written as the records come."""
    tabs = len(keys) - 1

    def lines(batch: list[dict]) -> list[str]:
        out = []
        for r in batch:
            values = [v if v.__class__ is str else "" if v is None else
                      str(v) if v.__class__ is int else machine_value(v) for v in map(r.get, keys)]
            line = "\t".join(values)
            # a tab or line break inside a value would shift the columns: only then blank them
            if line.count("\t") != tabs or "\n" in line or "\r" in line:
                line = "\t".join([v.translate(_TSV_SAFE) for v in values])
            out.append(line)
        return out

    yield "\t".join(keys) + "\n"
    for batch in map(lines, batches(records)):
        batch.append("")
        yield visible("\n".join(batch))  # tabs and line breaks are the layout's own here


def tsv_line_bytes(keys: Sequence[str], line_batches: Iterable[list[bytes]]) -> Iterator[bytes]:
    """TSV from its header ``keys`` and lists of lines, each a record's cells as SQLite wrote
    them in UTF-8 (``store.lines``): written as they are unless a chunk may hold a control or
    bidi character (``safe.may_hold_unsafe``), which is then shown (tabs and line breaks are
    the layout's own here)."""
    yield ("\t".join(keys) + "\n").encode("utf-8")
    for batch in line_batches:
        batch.append(b"")
        chunk = b"\n".join(batch)
        if may_hold_unsafe(chunk):
            chunk = visible(chunk.decode("utf-8", "replace")).encode("utf-8")
        yield chunk


_TSV_SAFE = str.maketrans({"\t": " ", "\r": " ", "\n": " "})


def md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def to_markdown(records: Sequence[dict], columns: Sequence[Column],
                value: Callable[[str, object], str] | None = None) -> str:
    value = value or human_value
    columns = shown_columns(columns, None)
    head = "| " + " | ".join(t(c.header) for c in columns) + " |"
    rule = "|" + "|".join("---:" if c.justify == "right" else "---" for c in columns) + "|"
    rows = ["| " + " | ".join(md_escape(value(c.key, cell_of(r, c.key))) for c in columns)
            + " |" for r in records]
    return "\n".join([head, rule, *rows]) + "\n"


@named_tuple
class Records:
    """What a list command shows: rows for machines (``keys``), and for people the ``columns``
    of ``shown`` (the same rows unless the command words them differently), with a caption.

    ``rows`` may be a stream (a cursor's records, read once): the machine formats write them as
    they come; the table and Markdown take them all first. A caption may be a function of the
    number of rows, known only then; ``shown`` a function of the rows read."""

    rows: Iterable[dict]
    columns: Sequence[Column]
    keys: Sequence[str]
    caption: str | Callable[[int], str] | None = None
    value: Callable[[str, object], str] = human_value
    shown: Sequence[dict] | Callable[[list], Sequence[dict]] | None = None


def _all_rows(r: Records) -> Records:
    """``r`` with its rows read into a list and its caption worded for their number."""
    rows = r.rows if isinstance(r.rows, list) else list(r.rows)
    caption = r.caption(len(rows)) if callable(r.caption) else r.caption
    return r._replace(rows=rows, caption=caption,
                      shown=r.shown(rows) if callable(r.shown) else r.shown)


def _written(r: Records, fmt: str):
    """The lines of ``fmt`` the rows' source writes itself (a task list: SQLite), or None."""
    written = getattr(r.rows, "written", None)
    return written(fmt, r.keys, CHUNK_ROWS) if written is not None else None


def records_json(r: Records) -> Iterator[str] | Iterator[bytes]:
    lines = _written(r, "json")
    return json_chunks(r.rows, r.keys) if lines is None else json_line_bytes(lines)


def records_csv(r: Records) -> Iterator[str]:
    return csv_chunks(r.rows, r.keys)


def records_tsv(r: Records) -> Iterator[str] | Iterator[bytes]:
    lines = _written(r, "tsv")
    return tsv_chunks(r.rows, r.keys) if lines is None else tsv_line_bytes(r.keys, lines)


def records_md(r: Records) -> str:
    return _records_md(_all_rows(r))


@guarded
def _records_md(r: Records) -> str:
    return to_markdown(r.rows if r.shown is None else r.shown, r.columns, r.value)


def records_table(r: Records):
    from jtdj.render.text import rich_table

    r = visible_data(_all_rows(r))
    return rich_table(r.rows if r.shown is None else r.shown, r.columns, caption=r.caption,
                      value=r.value)
