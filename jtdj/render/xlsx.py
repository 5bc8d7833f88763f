"""The 工作台账 as an Excel/WPS workbook: one row per task, and a per-section summary, both set
up to be printed and handed over (A4 landscape, title rows, borders, page numbers).

openpyxl is an optional extra, imported only here and only when a ledger is written.

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
from jtdj.render.safe import visible
from jtdj.render.text import _NO_START, display_width

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
STATUS_COL = 10  # 状态, filled by light; 提示 (symbol and word) is the column after it
# Excel's own "good / neutral / bad" fills, so the sheet looks familiar
LIGHT_FILL = {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE", "grey": "D9D9D9"}

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
    """Display columns ``unit`` (an ASCII word or one character) takes when printed."""
    if unit.isascii():
        return len(unit) * ASCII_WIDTH
    from unicodedata import east_asian_width

    return 2 if east_asian_width(unit) == "A" else display_width(unit)


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


def row_height(texts, columns) -> float:
    """The height (pt) of a row whose cells hold ``texts``, so that every line shows."""
    lines = max((line_count(v, c[1]) for v, c in zip(texts, columns) if isinstance(v, str)),
                default=1)
    return round(max(lines, 1) * LINE_HEIGHT + ROW_PADDING, 1)


def ledger_xlsx(data: dict) -> bytes:
    """The 工作台账 workbook (``export.ledger_data``): sheet 1 one row per task, sheet 2 the
    per-section summary."""
    import io

    from openpyxl import Workbook

    rows = data["rows"]
    section_label = {s["no"]: t("export.section_label", numeral=numeral(s["no"]), title=s["title"])
                     for s in data["sections"]}
    item_label = {no: f"{no}. {title}" for no, title in data["items"].items()}

    wb = Workbook()
    wb.properties.title = visible(data["title"])
    wb.properties.creator = "jtdj"
    ws = wb.active
    ws.title = t("export.sheet_tasks")
    sheet = _Sheet(ws, LEDGER_COLUMNS)
    sheet.heading(data["title"], data)
    sep = t("list.sep")
    for n, r in enumerate(rows, 1):
        sheet.row((n, r["id"], section_label.get(r["section"], ""), item_label.get(r["item"], ""),
                   r["title"], r["owner"] or "", sep.join(r["support"]), _date(r["due"]),
                   r["when"] or "", status_word(r["status"]), light_word(r["light"]),
                   r["progress"], _date(r["done_on"]), "\n".join(r["evidence"])),
                  fill={STATUS_COL: LIGHT_FILL[r["light"]]})
    sheet.finish(filter_rows=True)

    summary = _Sheet(wb.create_sheet(t("export.sheet_summary")), SUMMARY_COLUMNS)
    summary.heading(t("export.summary_title", title=data["title"]), data)
    totals = [{**data["total"], "title": t("export.summary.total")}] if data["total"] else []
    for s in data["summary"] + totals:
        label = section_label[s["section"]] if s["section"] else s["title"]
        summary.row((label, s["tasks"], s["done"], s["dropped"], s["open"], s["overdue"],
                     s["percent"] / 100), bold=not s["section"], formats={7: "0%"})
    summary.finish(filter_rows=False)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


class _Sheet:
    """One printable table: two title rows, a header row, bordered body rows."""

    def __init__(self, ws, columns):
        from openpyxl.styles import Border, Font, Side

        self.ws, self.columns, self.next_row = ws, columns, HEADER_ROWS + 1
        self.font = Font(name=FONT, size=FONT_SIZE)
        self.bold = Font(name=FONT, size=FONT_SIZE, bold=True)
        thin = Side(style="thin", color="000000")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)

    def heading(self, title: str, data: dict) -> None:
        """Row 1 the title, row 2 文号, 截至 and 制表日期, row 3 the column headers."""
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        ws, last = self.ws, len(self.columns)
        day = data["as_of"].isoformat()
        meta = ([t("export.doc_no", doc_no=data["doc_no"])] if data.get("doc_no") else []) + [
            t("export.as_of", date=day), t("export.made_on", date=day)]
        table_width = sum(c[1] for c in self.columns)
        for row, text, size in ((1, title, TITLE_SIZE), (2, "\u3000\u3000".join(meta), FONT_SIZE)):
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
            cell = ws.cell(row=row, column=1)
            _text(cell, text)
            cell.font = Font(name=FONT, size=size, bold=row == 1)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            lines = line_count(text, table_width, size)  # a long title wraps, still shown whole
            ws.row_dimensions[row].height = round(lines * 1.45 * size + ROW_PADDING * 2, 1)
        fill = PatternFill("solid", fgColor="DDEBF7")
        for col, (key, width, _) in enumerate(self.columns, 1):
            cell = ws.cell(row=HEADER_ROWS, column=col)
            _text(cell, t(key))
            cell.font, cell.fill, cell.border = self.bold, fill, self.border
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            ws.column_dimensions[get_column_letter(col)].width = width
        ws.row_dimensions[HEADER_ROWS].height = row_height([t(c[0]) for c in self.columns],
                                                           self.columns)

    def row(self, values, fill=None, bold=False, formats=None) -> None:
        from openpyxl.styles import Alignment, PatternFill

        n = self.next_row
        for col, (v, (_, _, align)) in enumerate(zip(values, self.columns), 1):
            cell = self.ws.cell(row=n, column=col)
            if isinstance(v, date):
                cell.value, cell.number_format = v, "yyyy-mm-dd"
            elif isinstance(v, str):
                _text(cell, v)
            else:
                cell.value = v
            if formats and col in formats:
                cell.number_format = formats[col]
            cell.font = self.bold if bold else self.font
            cell.border = self.border
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal=align)
            if fill and col in fill:
                cell.fill = PatternFill("solid", fgColor=fill[col])
        self.ws.row_dimensions[n].height = row_height(values, self.columns)
        self.next_row += 1

    def finish(self, filter_rows: bool) -> None:
        """Freeze the header, and set the sheet up for printing."""
        from openpyxl.worksheet.page import PageMargins
        from openpyxl.utils import get_column_letter

        ws, last = self.ws, get_column_letter(len(self.columns))
        ws.freeze_panes = f"A{HEADER_ROWS + 1}"
        if filter_rows:
            ws.auto_filter.ref = f"A{HEADER_ROWS}:{last}{max(self.next_row - 1, HEADER_ROWS + 1)}"
        ws.print_title_rows = f"1:{HEADER_ROWS}"
        setup = ws.page_setup
        setup.paperSize, setup.orientation = ws.PAPERSIZE_A4, "landscape"
        setup.fitToWidth, setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6,
                                      header=0.3, footer=0.3)
        footer = t("export.footer", page="\x00P", pages="\x00N")
        ws.oddFooter.center.text = footer.replace("&", "&&").replace("\x00", "&")
        ws.oddFooter.center.size = 9
        ws.oddFooter.center.font = FONT


def _text(cell, value: str) -> None:
    """A text cell that stays text: a title starting with "=" (or + - @) is stored as it is,
    marked with Excel's quote prefix (shown as typed, never calculated, read back unchanged).
    Control and bidi characters are shown (``\\x1b``, ``<U+202E>``), which also keeps out the
    ones a workbook cannot hold."""
    value = visible(value or "")
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_START):
        cell.quotePrefix = True
