"""Records (one dict a row) as JSON, CSV, TSV, Markdown or a table, and how values read.

Machine formats (json, csv, tsv) use the English keys and status codes, whatever the interface
language; people's formats (table, md) use translated headers and words.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from itertools import islice
from typing import Callable, Iterable, Iterator, NamedTuple, Sequence

from jtdj.i18n import t
from jtdj.render.safe import UNSAFE, escape_raw, guarded, visible, visible_data
from jtdj.render.text import Column, cell_of, shown_columns

LIGHT_SYMBOL = {"red": "▲", "yellow": "◆", "green": "●", "grey": "○", "blue": "◎"}
SIGNAL_WORD = {"overdue": "red", "far_behind": "far_behind", "behind": "behind",
               "due_soon": "yellow", "on_track": "green", "closed": "grey", "review": "blue",
               "quiet": "quiet"}  # quiet: an ongoing task's behind, no note for long (shown rows)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# rows per chunk of a streamed output: large enough that each write is one system call of some
# hundred kilobytes, small enough that memory stays flat whatever the number of rows
CHUNK_ROWS = 2000
_CHUNK_CHARS = 1 << 19  # characters per chunk of a streamed document (``json_stream``)


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


def _iso(value):
    """Dates travel as ``date`` objects until written; JSON gets them as ISO 8601."""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, default=_iso).encode


def _record_encoder() -> Callable[[dict], str]:
    """``_COMPACT_JSON`` without its set-up on each call: the C encoder made once, called per
    record (a third faster over a long list); ``_COMPACT_JSON`` itself where there is none."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return _COMPACT_JSON
    try:
        encode = make({}, _iso, json.encoder.encode_basestring, None, ": ", ", ", False, False,
                      True)
        if "".join(encode({"a": [1, None, "\u00e9\n"]}, 0)) != _COMPACT_JSON(
                {"a": [1, None, "\u00e9\n"]}):
            return _COMPACT_JSON
    except TypeError:  # another signature in another Python
        return _COMPACT_JSON
    join = "".join
    return lambda record: join(encode(record, 0))


def to_json(data) -> str:
    """Indented JSON; a list of records has one record per line, which reads and diffs well
    and lets the C encoder do the work (see bench/README.md). The encoder escapes C0; DEL, C1
    and bidi controls are escaped too, as ``\\u202e`` (the same text, nothing a terminal
    obeys)."""
    if isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
        return "".join(json_chunks(data))
    return escape_raw(json.dumps(data, ensure_ascii=False, indent=2, default=_iso) + "\n")


_SCALARS = frozenset((str, int, type(None), bool, float))
_EMPTY_ABLE = frozenset((list, dict, tuple))  # written "[]" or "{}" when empty, at any depth
_flat_encoders: dict[str, Callable] = {}


def _flat_encoder(separator: str) -> Callable:
    """The C encoder writing a list or dict of scalars with ``separator`` between members:
    with a line break and the indentation of the depth, exactly what ``json.dumps(indent=2)``
    writes there (encoded strings hold no line break of their own)."""
    encode = _flat_encoders.get(separator)
    if encode is None:
        make = getattr(json.encoder, "c_make_encoder", None)
        try:
            c_encode = make(None, _iso, json.encoder.encode_basestring, None, ": ", separator,
                            False, False, True) if make else None
        except TypeError:  # another signature in another Python
            c_encode = None
        if c_encode is None:
            encode = json.JSONEncoder(ensure_ascii=False, default=_iso,
                                      separators=(separator, ": ")).encode
        else:
            join = "".join
            encode = lambda value: join(c_encode(value, 0))  # noqa: E731
        _flat_encoders[separator] = encode
    return encode


def indented_json(value, pad: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` as it reads nested at the
    indentation ``pad``: the same text, written by the C encoder (each run of scalar members at
    once) where the pure-Python one that ``indent`` brings would take ten times as long."""
    inner = pad + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        for v in value.values():
            if not (v.__class__ in _SCALARS or (v.__class__ in _EMPTY_ABLE and not v)):
                break
        else:  # scalars and empty lists only (the common record): one call of the C encoder
            return "{\n" + inner + _flat_encoder(",\n" + inner)(value)[1:-1] + "\n" + pad + "}"
        parts, run = [], {}
        for key, v in value.items():
            if v.__class__ in _SCALARS or (v.__class__ in _EMPTY_ABLE and not v):
                run[key] = v
                continue
            if run:
                parts.append(_flat_encoder(",\n" + inner)(run)[1:-1])
                run = {}
            if key.__class__ is not str:  # json.dumps words such keys its own way
                return _slow_json(value, pad)
            parts.append(_COMPACT_JSON(key) + ": " + indented_json(v, inner))
        if run:
            parts.append(_flat_encoder(",\n" + inner)(run)[1:-1])
        return "{\n" + inner + (",\n" + inner).join(parts) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if all(v.__class__ in _SCALARS or (v.__class__ in _EMPTY_ABLE and not v)
               for v in value):
            return "[\n" + inner + _flat_encoder(",\n" + inner)(value)[1:-1] + "\n" + pad + "]"
        return ("[\n" + inner + (",\n" + inner).join(indented_json(v, inner) for v in value)
                + "\n" + pad + "]")
    if value.__class__ in _SCALARS:
        return _COMPACT_JSON(value)
    return _slow_json(value, pad)


def _slow_json(value, pad: str) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=_iso).replace("\n", "\n" + pad)


def json_stream(data) -> Iterator[str]:
    """``to_json`` of a document whose lists may be iterators (a cursor's records, read once),
    as chunks of text written as they come: the bytes ``json.dumps(indent=2)`` writes for the
    document with its iterators read into lists. An iterator's members are alike: when the
    first is a dict holding an iterator, each is written member by member, else each whole
    (``indented_json``)."""
    buffer: list[str] = []
    size = 0
    for piece in _stream(data, "", None):
        buffer.append(piece)
        size += len(piece)
        if size >= _CHUNK_CHARS:
            yield escape_raw("".join(buffer))
            buffer, size = [], 0
    buffer.append("\n")
    yield escape_raw("".join(buffer))


def _lazy(value) -> bool:
    return isinstance(value, Iterator)


def _stream(value, pad: str, streamed: bool | None) -> Iterator[str]:
    """The pieces of ``value`` at the indentation ``pad``; ``streamed``: whether a dict is to
    be written member by member (None: see whether it holds an iterator)."""
    inner = pad + "  "
    if _lazy(value):
        first, members, batch = True, None, []
        for member in value:
            if members is None:
                members = isinstance(member, dict) and any(map(_lazy, member.values()))
            if members:
                yield ("[\n" if first else ",\n") + inner
                first = False
                yield from _stream(member, inner, True)
            else:  # whole records, joined a batch at a time
                batch.append(indented_json(member, inner))
                if len(batch) >= CHUNK_ROWS:
                    yield ("[\n" if first else ",\n") + inner + (",\n" + inner).join(batch)
                    first, batch = False, []
        if batch:
            yield ("[\n" if first else ",\n") + inner + (",\n" + inner).join(batch)
            first = False
        yield "[]" if first else "\n" + pad + "]"
        return
    if isinstance(value, dict) and value and (
            streamed or (streamed is None and any(map(_lazy, value.values())))):
        first = True
        for key, v in value.items():
            yield ("{\n" if first else ",\n") + inner + _COMPACT_JSON(key) + ": "
            first = False
            if _lazy(v):
                yield from _stream(v, inner, None)
            else:
                yield indented_json(v, inner)
        yield "\n" + pad + "}"
        return
    yield indented_json(value, pad)


def batches(rows: Iterable, size: int = CHUNK_ROWS) -> Iterator[list]:
    """``rows`` (a list or a cursor's stream) in lists of at most ``size``."""
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def json_chunks(records: Iterable[dict], keys: Sequence[str] | None = None) -> Iterator[str]:
    """``to_json`` of a list of records (each cut to ``keys`` when given), as chunks of text
    written as the records come: the same bytes, joined."""
    keys = tuple(keys) if keys is not None else None
    encode = _record_encoder()
    first = True
    for batch in batches(records):
        if keys is not None:
            batch = [r if tuple(r) == keys else {k: r.get(k) for k in keys} for r in batch]
        body = ",\n  ".join(map(encode, batch))
        yield escape_raw(("[\n  " if first else ",\n  ") + body)
        first = False
    yield "[]\n" if first else "\n]\n"


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
    yield "\t".join(keys) + "\n"
    tabs = len(keys) - 1
    for batch in batches(records):
        lines = []
        for r in batch:
            values = [v if v.__class__ is str else "" if v is None else
                      str(v) if v.__class__ is int else machine_value(v) for v in map(r.get, keys)]
            line = "\t".join(values)
            # a tab or line break inside a value would shift the columns: only then blank them
            if line.count("\t") != tabs or "\n" in line or "\r" in line:
                line = "\t".join([v.translate(_TSV_SAFE) for v in values])
            lines.append(line)
        lines.append("")
        yield visible("\n".join(lines))  # tabs and line breaks are the layout's own here


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


class Records(NamedTuple):
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


def records_json(r: Records) -> Iterator[str]:
    return json_chunks(r.rows, r.keys)


def records_csv(r: Records) -> Iterator[str]:
    return csv_chunks(r.rows, r.keys)


def records_tsv(r: Records) -> Iterator[str]:
    return tsv_chunks(r.rows, r.keys)


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
