"""Writers for records: table, JSON, CSV, TSV and Markdown. Pure: rows in, text (or a table) out.

Machine formats (json, csv, tsv) use the English keys and status codes, whatever the interface
language; people's formats (table, md) use translated headers and words.
"""

from __future__ import annotations

import io
import json
from typing import Callable, NamedTuple, Sequence

from jtdj.i18n import t

LIGHT_STYLE = {"red": "bold red", "yellow": "yellow", "green": "green", "grey": "bright_black"}
LIGHT_SYMBOL = {"red": "▲", "yellow": "◆", "green": "●", "grey": "○"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# A NamedTuple, not a dataclass: building a dataclass costs 0.7 ms of every start.
class Column(NamedTuple):
    key: str
    header: str  # catalogue key
    min_width: int | None = None
    max_width: int | None = None
    ratio: int | None = None
    no_wrap: bool = False
    justify: str = "left"


_WIDTHS: dict[str, int] = {}  # each character met so far, with its columns


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal or a monospaced mail: CJK characters take two.

    Plain-text reports use this instead of Rich's measure, which costs 9 ms to import. A
    report at 100,000 tasks measures some 10,000 cells, so each character's width is looked
    up once and then summed in C."""
    if text.isascii():
        return len(text)
    try:
        return sum(map(_WIDTHS.__getitem__, text))
    except KeyError:
        from unicodedata import combining, east_asian_width

        for ch in set(text).difference(_WIDTHS):
            _WIDTHS[ch] = 0 if combining(ch) else 2 if east_asian_width(ch) in "WF" else 1
        return sum(map(_WIDTHS.__getitem__, text))


def section_label(no: int) -> str:
    """How a section is numbered for a reader: 一、二、… in Chinese (as the plan does), Section 1…"""
    numerals = t("export.numerals").split(",")
    numeral = numerals[no - 1] if 0 < no <= len(numerals) else str(no)
    return t("tree.section", no=no, numeral=numeral)


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


_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False).encode


def to_json(data) -> str:
    """Indented JSON; a list of records has one record per line, which reads and diffs well
    and lets the C encoder do the work (2.5 s less for 100,000 tasks than indenting each key)."""
    if isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
        return "[\n" + ",\n".join("  " + _COMPACT_JSON(r) for r in data) + "\n]\n"
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_csv(records: Sequence[dict], keys: Sequence[str]) -> str:
    """CSV for spreadsheets: BOM so Excel/WPS read UTF-8, formula-like cells neutralised."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(keys)
    for r in records:
        writer.writerow([_defuse(machine_value(r.get(k))) for k in keys])
    return "\ufeff" + buf.getvalue()


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
    return "\n".join(lines) + "\n"


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


# Chinese line breaking: these never start a line, those never end one.
_NO_START = set("，。、；：？！）」』”’》〉】〕｝,.;:?!)]}…—·%％")
_NO_END = set("（「『“‘《〈【〔｛([{")


def _units(text: str):
    """(start, end) of each unbreakable unit: an ASCII word, or one other character."""
    i = 0
    while i < len(text):
        j = i + 1
        if text[i].isascii() and text[i].isalnum():
            while j < len(text) and text[j].isascii() and not text[j].isspace():
                j += 1
        yield i, j
        i = j


def _bad_break(text: str, cut: int) -> bool:
    after = text[cut:].lstrip()
    return (after[:1] in _NO_START and after[:1] != "") or text[cut - 1] in _NO_END


def break_offsets(text: str, width: int) -> list[int]:
    """Where to break ``text`` so that no line is wider than ``width`` cells. A line never
    starts with closing punctuation nor ends with an opening one (a character moves down with
    it), and ASCII words stay whole when they fit."""
    from rich.cells import cell_len

    offsets: list[int] = []
    line: list[int] = []  # starts of the units on the current line
    used = 0
    for a, b in _units(text):
        w = cell_len(text[a:b])
        if used + w > width and line:
            k = len(line)  # break before unit k of the line (k == len: before this unit)
            cut = a
            while k > 1 and _bad_break(text, cut):
                k -= 1
                cut = line[k]
            offsets.append(cut)
            line = line[k:]
            used = cell_len(text[cut:a])
            if used + w > width and line:  # still too wide: only when the unit is huge
                offsets.append(a)
                line, used = [], 0
        if w > width:  # a unit wider than the line is folded by character
            for k in range(a, b):
                cw = cell_len(text[k])
                if used and used + cw > width:
                    offsets.append(k)
                    used = 0
                used += cw
            line = [a] if used else []
            continue
        line.append(a)
        used += w
    return offsets


class Wrapped:
    """Text that wraps by display width with Chinese line-breaking rules; never cut."""

    def __init__(self, text, min_width: int = 6):
        from rich.text import Text

        self.text = text if isinstance(text, Text) else Text(str(text))
        self.min_width = min_width

    def __rich_measure__(self, console, options):
        from rich.cells import cell_len
        from rich.measure import Measurement

        widest = max((cell_len(line) for line in self.text.plain.split("\n")), default=0)
        return Measurement(min(widest, self.min_width), widest).with_maximum(options.max_width)

    def __rich_console__(self, console, options):
        width = max(options.max_width, 2)
        for part in self.text.split("\n"):
            if not part.plain:
                yield part
                continue
            for line in part.divide(break_offsets(part.plain, width)):
                yield line[1:] if line.plain.startswith(" ") else line


def rich_table(records: Sequence[dict], columns: Sequence[Column], title: str | None = None,
               caption: str | None = None, value: Callable[[str, object], str] = human_value):
    """A Rich table whose long Chinese titles wrap inside their column, never cut."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, caption=caption, box=box.SQUARE, show_lines=False,
                  header_style="bold", title_justify="left", caption_justify="left", expand=False)
    for c in columns:
        table.add_column(t(c.header), min_width=c.min_width, max_width=c.max_width, ratio=c.ratio,
                         no_wrap=c.no_wrap, overflow="fold", justify=c.justify)
    for r in records:
        cells = []
        for c in columns:
            text = Text(value(c.key, r.get(c.key)))  # Text(): plan words are never markup
            if c.key == "light" and r.get("light"):
                text.stylize(LIGHT_STYLE[r["light"]])
            cells.append(text if c.no_wrap else Wrapped(text))
        table.add_row(*cells)
    return table


def render_records(records: Sequence[dict], fmt: str, columns: Sequence[Column],
                   keys: Sequence[str]) -> str:
    """Text for the machine formats and Markdown; tables are printed by the caller."""
    if fmt == "json":
        return to_json([{k: r.get(k) for k in keys} for r in records])
    if fmt == "csv":
        return to_csv(records, keys)
    if fmt == "tsv":
        return to_tsv(records, keys)
    if fmt == "md":
        return to_markdown(records, columns)
    raise ValueError(fmt)
