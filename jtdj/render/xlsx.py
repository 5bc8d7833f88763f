"""The 工作台账 as an Excel/WPS workbook: one row per task, and a per-section summary, both set
up to be printed and handed over (A4 landscape, title rows, borders, page numbers).

openpyxl is an optional extra, imported only here and in ``xlsx_rows`` (the task rows,
written as XML text), and only when a ledger is written.

The page arithmetic. A4 landscape is 297 × 210 mm = 842 × 595 pt; with left and right margins
of 0.4 in (28.8 pt) the printable width is 842 − 2 × 28.8 = 784.4 pt. A column width ``w`` is
counted in the digit width of the workbook's Normal font, Calibri 11, which Excel rounds to
7 px at 96 dpi: 5.25 pt. Both sheets' widths sum to 146 units = 766.5 pt, 98 % of the printable
width, so in Excel and WPS "fit to one page wide" has nothing to shrink: the 10 pt text prints
at 10 pt. LibreOffice takes Carlito's unrounded digit width, 5.55 pt, so it measures 810 pt and
prints at 784.4 / 810 ≈ 96 % (it rounds down to 94–96 %): 9.4 pt and more. Printing under 9 pt
would take a scale below 9/10, i.e. widths above 784.4 / 0.9 / 5.55 ≈ 157 units.

Neither Excel nor LibreOffice sizes a row to wrapped text when it opens a file, so each row's
height is computed here (``line_count``). A column holds (5.25w − padding) / 5 display columns
of 10 pt text: a CJK character is two (``render.text.display_width``), and so is a symbol of
ambiguous width (“ ” ● ▲ ◆ ○), which a Chinese font prints full width; an ASCII character
counts 1.25, because LibreOffice prints the Latin letters of 宋体 in DejaVu Sans, which is that
much wider than SimSun's half width. ASCII words stay whole, closing punctuation takes the
character before it to the next line, and a line is 1.45 × the font size high (ascent + descent
of the CJK fonts; SimSun needs less, so Excel shows a little air rather than cutting text).
"""

from __future__ import annotations

import re
from datetime import date

from jtdj.i18n import t
from jtdj.render.records import light_word, numeral, status_word
from jtdj.render.tasks import shown_signal
from jtdj.render.safe import visible
from jtdj.render.text import _NO_START, display_width
from jtdj.render.xlsx_rows import splice, write_rows

# (catalogue key, width in Excel units, horizontal alignment); each sheet's widths sum to 146.
# A date column needs 11.5 (ten DejaVu digits at 10 pt are 58 pt), 状态 6.5 (推进中), 提示 7.5
# (● 正常); 部分 at 15 takes a section title in three lines.
LEDGER_COLUMNS = (
    ("export.col.seq", 4.5, "center"), ("export.col.ref", 5.5, "center"),
    ("export.col.section", 15, "left"), ("export.col.item", 11, "left"),
    ("export.col.task", 25, "left"), ("export.col.owner", 8.5, "left"),
    ("export.col.support", 8.5, "left"), ("export.col.due", 11.5, "center"),
    ("export.col.when", 7, "left"), ("export.col.status", 6.5, "center"),
    ("export.col.hint", 7.5, "center"), ("export.col.progress", 13.5, "left"),
    ("export.col.done_on", 11.5, "center"), ("export.col.evidence", 10.5, "left"),
)
SUMMARY_COLUMNS = (
    ("export.summary.section", 62, "left"), ("export.summary.tasks", 14, "center"),
    ("export.summary.done", 14, "center"), ("export.summary.dropped", 14, "center"),
    ("export.summary.open", 14, "center"), ("export.summary.overdue", 14, "center"),
    ("export.summary.percent", 14, "center"),
)
# with ongoing tasks (常态推进) in the plan: their count before 完成率, 部分 narrower to make room
SUMMARY_ONGOING_COLUMNS = (("export.summary.section", 48, "left"), *SUMMARY_COLUMNS[1:6],
                           ("export.summary.ongoing", 14, "center"), SUMMARY_COLUMNS[6])
STATUS_COL = 10  # 状态, filled by light; 提示 (symbol and word) is the column after it
# Excel's own "good / neutral / bad" fills, so the sheet looks familiar
LIGHT_FILL = {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE", "grey": "D9D9D9",
              "blue": "BDD7EE"}

FONT = "宋体"  # SimSun, what a Chinese office prints tables in (LibreOffice substitutes)
FONT_SIZE = 10  # pt; printed at 94-100 % (see above), never below 9 pt
TITLE_SIZE = 16
PT_PER_UNIT = 5.25  # one Excel width unit: 7 px at 96 dpi (LibreOffice: 5.55, and it scales)
CELL_PADDING = 3.75  # pt of a column's width that text does not use (Excel's 5 px)
ASCII_WIDTH = 1.25  # display columns an ASCII character may take (DejaVu Sans / SimSun)
LINE_HEIGHT = 1.45 * FONT_SIZE  # pt per line of wrapped text
ROW_PADDING = 6.0  # pt above and below the lines
HEADER_ROWS = 3  # title, 文号 / 截至 / 制表日期, column headers: repeated on every page
FORMULA_START = ("=", "+", "-", "@")  # text a spreadsheet would otherwise calculate
_UNIT = re.compile(r"[!-~]+|.", re.S)  # an ASCII word, or one other character


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _width(unit: str) -> float:
    """Display columns ``unit`` (an ASCII word or one character) takes when printed; a
    character's width is looked up once (a ledger measures every task's title)."""
    if unit.isascii():
        return len(unit) * ASCII_WIDTH
    w = _CHAR_WIDTHS.get(unit)
    if w is None:
        from unicodedata import east_asian_width

        w = _CHAR_WIDTHS[unit] = 2 if east_asian_width(unit) == "A" else display_width(unit)
    return w


_CHAR_WIDTHS: dict = {}


def line_count(text: str, width: float, size: float = FONT_SIZE) -> int:
    """Lines ``text`` takes, wrapped in a column ``width`` Excel units wide at ``size`` pt."""
    room = max((width * PT_PER_UNIT - CELL_PADDING) / (size / 2), 2)
    lines = 0
    for part in str(text).split("\n"):
        lines, used, before = lines + 1, 0.0, 0.0
        for unit in _UNIT.findall(part):
            w = _width(unit)
            if used + w > room and used:
                lines += 1
                if unit.isspace():
                    used = before = 0.0
                    continue
                used = before if unit in _NO_START else 0.0  # it takes the one before along
            while used + w > room:  # a word wider than the line is folded
                lines, w, used = lines + 1, w - (room - used), 0.0
            used, before = used + w, w
    return lines


def _lines(text: str, width: float) -> int:
    """``line_count`` at the body size, remembered: most cells of a ledger repeat (部分, 条目,
    责任人, 状态 and 提示 are the same for a hundred rows)."""
    key = (text, width)
    n = _LINES.get(key)
    if n is None:
        if len(_LINES) > 4096:
            _LINES.clear()
        n = _LINES[key] = line_count(text, width)
    return n


_LINES: dict = {}


def row_height(texts, columns) -> float:
    """The height (pt) of a row whose cells hold ``texts``, so that every line shows."""
    lines = max((_lines(v, c[1]) for v, c in zip(texts, columns) if isinstance(v, str)),
                default=1)
    return round(max(lines, 1) * LINE_HEIGHT + ROW_PADDING, 1)


def ledger_xlsx(data: dict) -> bytes:
    """The 工作台账 workbook (``export.ledger_data``): sheet 1 one row per task, sheet 2 the
    per-section summary.

    openpyxl (write-only mode, one ready style per kind of cell: ``_Sheet.style``) writes all
    but the task rows; those are written as XML text (``render.xlsx_rows``) and spliced into
    sheet 1: time linear in the rows, and memory that does not hold the sheet."""
    import io
    import tempfile

    from openpyxl import Workbook

    rows = data["rows"]
    section_label = {s["no"]: t("export.section_label", numeral=numeral(s["no"]), title=s["title"])
                     for s in data["sections"]}
    item_label = {no: f"{no}. {title}" for no, title in data["items"].items()}

    wb = Workbook(write_only=True)
    wb.properties.title = visible(data["title"])
    wb.properties.creator = "jtdj"
    sheet = _Sheet(wb, t("export.sheet_tasks"), LEDGER_COLUMNS, len(rows), filter_rows=True)
    sheet.heading(data["title"], data)
    sep = t("list.sep")
    fills = {light: {STATUS_COL: fill} for light, fill in LIGHT_FILL.items()}

    ongoing = t("word.ongoing")

    def task_rows():
        for n, r in enumerate(rows, 1):
            # an ongoing task (常态推进) has no due date, and is 常态推进 while open
            og = r.kind == "ongoing"
            values = (n, r.id, section_label.get(r.section, ""), item_label.get(r.item, ""),
                      r.title, r.owner or "", sep.join(r.support),
                      ongoing if og else _date(r.due), r.when or "",
                      ongoing if og and r.status in ("todo", "doing") else status_word(r.status),
                      light_word(r.light, shown_signal({"ongoing": og, "signal": r.signal})),
                      r.progress, _date(r.done_on), "\n".join(r.evidence))
            yield values, fills[r.light], row_height(values, LEDGER_COLUMNS)

    # the task rows are written as XML text (render.xlsx_rows) and spliced in after the headers
    body = tempfile.TemporaryFile()
    write_rows(body, task_rows(), HEADER_ROWS + 1,
               [_letter(c) for c in range(1, len(LEDGER_COLUMNS) + 1)], sheet.style_id,
               FORMULA_START)

    totals = [{**data["total"], "title": t("export.summary.total")}] if data["total"] else []
    parts = data["summary"] + totals
    apart = any(s.get("ongoing") for s in parts)  # the plan has ongoing tasks (常态推进)
    summary = _Sheet(wb, t("export.sheet_summary"),
                     SUMMARY_ONGOING_COLUMNS if apart else SUMMARY_COLUMNS, len(parts),
                     filter_rows=False)
    summary.heading(t("export.summary_title", title=data["title"]), data)
    for s in parts:
        label = section_label[s["section"]] if s["section"] else s["title"]
        values = (label, s["tasks"], s["done"], s["dropped"], s["open"], s["overdue"],
                  *((s["ongoing"],) if apart else ()), s["percent"] / 100)
        summary.row(values, bold=not s["section"], formats={len(values): "0%"})
    if data.get("units"):
        _units_sheet(wb, data)
    buf = io.BytesIO()
    wb.save(buf)
    with body:
        return splice(buf.getvalue(), "xl/worksheets/sheet1.xml", body)


UNIT_COLUMNS = tuple((f"bulletin.col_{key}", width, align) for key, width, align in (
    ("rank", 8, "center"), ("unit", 40, "left"), ("tasks", 10, "center"),
    ("done", 10, "center"), ("percent_done", 10, "center"), ("overdue", 10, "center"),
    ("lagging", 10, "center"), ("review", 10, "center"), ("extensions", 12, "center"), ("urges", 12, "center"),
    ("on_time", 12, "center")))


def _units_sheet(wb, data: dict) -> None:
    """The 通报's table as of the ledger's day (``bulletin.figures``): units ranked by 完成率,
    a late one's row in red."""
    units = data["units"]
    sheet = _Sheet(wb, t("export.sheet_units"), UNIT_COLUMNS, len(units), filter_rows=False)
    sheet.heading(t("export.units_title", title=data["title"]), data)
    for u in units:
        back = f"{u['forms_on_time']}/{u['forms_issued']}" if u["forms_issued"] else "—"
        late = {2: LIGHT_FILL["red"]} if u["unit"] in data["late"] else None
        sheet.row((u["rank"], u["unit"], u["tasks"], u["done"], u["percent_done"] / 100,
                   u["overdue"], u["lagging"], u["review"], u["extensions"], u["urges"], back),
                  fill=late, formats={5: "0%"})


class _Sheet:
    """One printable table in a write-only workbook: two title rows, a header row, bordered
    body rows. A write-only sheet writes its top (widths, frozen panes) with its first row, so
    everything but the rows is set up here, before any row."""

    def __init__(self, wb, title: str, columns, body_rows: int, filter_rows: bool):
        from openpyxl.styles import Border, Side

        self.ws = ws = wb.create_sheet(title)
        self.columns, self.next_row = columns, 1
        thin = Side(style="thin", color="000000")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.styles: dict = {}
        self.cells = None
        self._setup(filter_rows, HEADER_ROWS + body_rows)

    def style(self, col: int, bold: bool = False, size: float = FONT_SIZE, fill: str | None = None,
              number_format: str | None = None, border: bool = True, align: str | None = None,
              quote: bool = False):
        """The style of a cell (font, border, alignment, fill, number format, quote prefix),
        built once per kind and then shared: openpyxl hashes every style object set on a cell,
        which made a 10,000-task ledger take 30 s (see bench/README.md)."""
        key = (col, bold, size, fill, number_format, border, align, quote)
        made = self.styles.get(key)
        if made is None:
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.styles import Alignment, Font, PatternFill

            cell = WriteOnlyCell(self.ws)
            cell.font = Font(name=FONT, size=size, bold=bold)
            if border:
                cell.border = self.border
            cell.alignment = Alignment(wrap_text=True, vertical="center",
                                       horizontal=align or self.columns[col - 1][2])
            if fill:
                cell.fill = PatternFill("solid", fgColor=fill)
            if number_format:
                cell.number_format = number_format
            cell.quotePrefix = quote
            made = self.styles[key] = cell._style
        return made

    def style_id(self, col: int, fill: str | None, number_format: str | None,
                 quote: bool) -> int:
        """The index in the workbook's cell styles of a body cell's kind (``style``), for the
        rows written as text (``xlsx_rows``): the index openpyxl gives the same style."""
        made = self.style(col, fill=fill, number_format=number_format, quote=quote)
        return self.ws.parent._cell_styles.add(made)

    def _put(self, cell, value, col: int, **style):
        """``cell`` holding ``value`` in the style of its kind (``style``): a text stays text,
        shown in its visible form, with the quote prefix where a spreadsheet would calculate it
        (a title starting with = + - @ is read back unchanged). Control and bidi characters are
        shown (``\\x1b``, ``<U+202E>``), which also keeps out the ones a workbook cannot hold."""
        text = isinstance(value, str)
        if text:
            value = visible(value)
            style["quote"] = value.startswith(FORMULA_START)
        elif isinstance(value, date):
            style["number_format"] = "yyyy-mm-dd"
        # shared, so never changed: set before the value, which then finds its date format
        cell._style = self.style(col, **style)
        cell.value = value
        if text:
            cell.data_type = "s"  # not a formula, whatever it starts with
        return cell

    def _append(self, cells, height: float) -> None:
        self.ws.row_dimensions[self.next_row].height = height
        self.ws.append(cells)  # written out now: the cells can take the next row's values
        del self.ws.row_dimensions[self.next_row]  # written with its row: not kept
        self.next_row += 1

    def _new_cell(self):
        from openpyxl.cell import WriteOnlyCell

        return WriteOnlyCell(self.ws)

    def heading(self, title: str, data: dict) -> None:
        """Row 1 the title, row 2 文号, 截至 and 制表日期, row 3 the column headers."""
        last = len(self.columns)
        day = data["as_of"].isoformat()
        meta = ([t("export.doc_no", doc_no=data["doc_no"])] if data.get("doc_no") else []) + [
            t("export.as_of", date=day), t("export.made_on", date=day)]
        table_width = sum(c[1] for c in self.columns)
        for row, text, size in ((1, title, TITLE_SIZE), (2, "\u3000\u3000".join(meta), FONT_SIZE)):
            self.ws.merged_cells.add(f"A{row}:{_letter(last)}{row}")
            cell = self._put(self._new_cell(), text or "", 1, bold=row == 1, size=size,
                             border=False, align="center")
            lines = line_count(text, table_width, size)  # a long title wraps, still shown whole
            self._append([cell], round(lines * 1.45 * size + ROW_PADDING * 2, 1))
        header = [t(c[0]) for c in self.columns]
        self._append([self._put(self._new_cell(), text, col, bold=True, fill="DDEBF7",
                                align="center") for col, text in enumerate(header, 1)],
                     row_height(header, self.columns))

    def row(self, values, fill=None, bold=False, formats=None) -> None:
        """One body row; its cells are made once per sheet and refilled row by row."""
        cells = self.cells
        if cells is None:
            cells = self.cells = [self._new_cell() for _ in self.columns]
        fill, formats = fill or {}, formats or {}
        for col, (cell, v) in enumerate(zip(cells, values), 1):
            self._put(cell, v, col, bold=bold, fill=fill.get(col), number_format=formats.get(col))
        self._append(cells, row_height(values, self.columns))

    def _setup(self, filter_rows: bool, last_row: int) -> None:
        """Column widths, the frozen header, the filter, and the print setup."""
        ws, last = self.ws, _letter(len(self.columns))
        for col, (_, width, _) in enumerate(self.columns, 1):
            ws.column_dimensions[_letter(col)].width = width
        # the <dimension> a normal sheet states (readers size the sheet by it); the rows are known
        ws.calculate_dimension = lambda: f"A1:{last}{last_row}"
        ws.freeze_panes = f"A{HEADER_ROWS + 1}"
        if filter_rows:
            ws.auto_filter.ref = f"A{HEADER_ROWS}:{last}{max(last_row, HEADER_ROWS + 1)}"
        print_a4(ws, HEADER_ROWS, "export.footer")


PAPER_A4 = "9"  # openpyxl's Worksheet.PAPERSIZE_A4


def print_a4(ws, title_rows: int, footer_key: str) -> None:
    """A4 landscape, one page wide, the first ``title_rows`` rows repeated on every page, page
    N of M in the footer: how the ledger and the 填报表 print."""
    from openpyxl.worksheet.page import PageMargins

    ws.print_title_rows = f"1:{title_rows}"
    setup = ws.page_setup
    setup.paperSize, setup.orientation = PAPER_A4, "landscape"
    setup.fitToWidth, setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6,
                                  header=0.3, footer=0.3)
    footer = t(footer_key, page="\x00P", pages="\x00N")  # &P and &N, a literal & doubled
    ws.oddFooter.center.text = footer.replace("&", "&&").replace("\x00", "&")
    ws.oddFooter.center.size = 9
    ws.oddFooter.center.font = FONT


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)

