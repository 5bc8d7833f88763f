"""Text laid out for a terminal or a monospaced mail: display widths, Chinese line breaking,
and the Rich table every list is printed in (Rich is imported only when a table is drawn).
"""

from __future__ import annotations

from typing import Callable, Sequence

from jtdj.i18n import t
from jtdj.tuples import named_tuple

LIGHT_STYLE = {"red": "bold red", "yellow": "yellow", "green": "green", "grey": "bright_black",
               "blue": "blue"}


@named_tuple
class Column:
    """One column of a table a person reads: the record key, its header and how it lays out."""

    key: str
    header: str  # catalogue key
    min_width: int | None = None
    max_width: int | None = None
    ratio: int | None = None
    no_wrap: bool = False
    justify: str = "left"
    fit: str = ""  # "narrow": shown below WIDE columns only; "wide": from WIDE (and in md)
    break_before: str = ""  # a no-wrap cell's one line break, before this character


WIDE = 100  # a terminal this wide shows the list's 进度 and 序时进度 apart, a narrower one as 20/70


def shown_columns(columns: Sequence[Column], width: int | None) -> Sequence[Column]:
    """The columns a table of ``width`` shows (None: Markdown, which shows the wide ones)."""
    if not any(c.fit for c in columns):
        return columns
    wide = width is None or width >= WIDE
    return [c for c in columns if c.fit != ("narrow" if wide else "wide")]


def cell_of(record: dict, key: str):
    """What a column shows of a record: its value, but a light with its signal (the word says
    why) and the 进度 of an open task as (reported, expected), None when closed."""
    if key == "light" and record.get("signal"):
        return (record["light"], record["signal"])
    if key == "pace":
        if record.get("status") in ("done", "dropped"):
            return None
        return (record.get("percent"), record.get("expected_percent"))
    return record.get(key)


_WIDTHS: dict[str, int] = {}  # each character met so far, with its columns


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal or a monospaced mail: CJK characters take two.

    Plain-text reports measure with this rather than importing Rich; each character's width is
    looked up once and then summed in C, since a large report measures many cells."""
    if text.isascii():
        return len(text)
    try:
        return sum(map(_WIDTHS.__getitem__, text))
    except KeyError:
        from unicodedata import combining, east_asian_width

        for ch in set(text).difference(_WIDTHS):
            _WIDTHS[ch] = 0 if combining(ch) else 2 if east_asian_width(ch) in "WF" else 1
        return sum(map(_WIDTHS.__getitem__, text))


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
    it), and ASCII words stay whole when they fit. Widths by ``display_width``: a plain-text
    report wraps without importing Rich."""
    offsets: list[int] = []
    line: list[int] = []  # starts of the units on the current line
    used = 0
    for a, b in _units(text):
        w = display_width(text[a:b])
        if used + w > width and line:
            k = len(line)  # break before unit k of the line (k == len: before this unit)
            cut = a
            while k > 1 and _bad_break(text, cut):
                k -= 1
                cut = line[k]
            offsets.append(cut)
            line = line[k:]
            used = display_width(text[cut:a])
            if used + w > width and line:  # still too wide: only when the unit is huge
                offsets.append(a)
                line, used = [], 0
        if w > width:  # a unit wider than the line is folded by character
            for k in range(a, b):
                cw = display_width(text[k])
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
               caption: str | None = None, *, value: Callable[[str, object], str]):
    """A Rich table whose long Chinese titles wrap inside their column, never cut; with columns
    that fit the width (``Column.fit``), chosen when it is drawn."""
    if any(c.fit for c in columns):
        return _Fitted(records, columns, title, caption, value)
    return _table(records, columns, title, caption, value)


class _Fitted:
    """A table whose columns are chosen by the width it is drawn in."""

    def __init__(self, *args):
        self.args = args

    def _at(self, width: int):
        records, columns, *rest = self.args
        return _table(records, shown_columns(columns, width), *rest)

    def __rich_measure__(self, console, options):
        return self._at(options.max_width).__rich_measure__(console, options)

    def __rich_console__(self, console, options):
        yield self._at(options.max_width)


def _table(records, columns, title, caption, value):
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
            shown = value(c.key, cell_of(r, c.key))
            if c.break_before and c.break_before in shown:  # 4.11 / @2022-05 on two lines
                shown = shown.replace(c.break_before, "\n" + c.break_before, 1)
            text = Text(shown)  # Text(): plan words are never markup
            if c.key == "light" and r.get("light"):
                text.stylize(LIGHT_STYLE[r["light"]])
            cells.append(text if c.no_wrap else Wrapped(text))
        table.add_row(*cells)
    return table
