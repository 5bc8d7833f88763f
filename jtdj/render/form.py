"""The 填报表 (unit report form): the spreadsheet a unit gets, fills in with WPS or Excel without
a manual, and sends back for ``jtdj merge`` (read by ``jtdj.forms``).

Why it looks as it does:

- The pre-filled columns (序号 … 当前进度) are locked and the unit's columns unlocked, under a
  sheet protection without a password: it stops a slip of the hand, not a determined unit, and
  rows and columns can still be resized and text formatted. The reader compares the locked
  values with the copy in the identity sheet anyway, so a change shows however it was made.
- 状态 is a drop-down, 进度% and the dates are validated, each with a prompt: the form explains
  itself where the unit types.
- A returned task (``returned``) gets its reason as an extra line 「退回：…」 in the 工作任务
  cell, where it prints; a comment would not.
- The identity (plan, unit, collect run, each row's id and version and the pre-filled values as
  written) lives in a sheet named ``jtdj``, veryHidden so that a unit does not see or unhide it
  from the menu; the reader finds it by name, so a LibreOffice re-save (which makes it
  merely hidden), a renamed file or reordered sheets read the same.
- The printing follows the ledger (``render.xlsx``): A4 landscape, fit to width, 宋体 10 pt,
  rows as high as their wrapped text, the header rows repeated on every page.

openpyxl is imported inside the functions only, as everywhere else.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from jtdj.i18n import t
from jtdj.render.records import status_word
from jtdj.render.safe import visible
from jtdj.render.xlsx import (FONT, FONT_SIZE, FORMULA_START, LINE_HEIGHT, ROW_PADDING,
                              TITLE_SIZE, line_count, print_a4, row_height)

FORMAT = "jtdj-form-1"
IDENTITY_SHEET = "jtdj"
# (key, width in Excel units, horizontal alignment, the unit fills it). The widths sum to 156:
# fit to one A4 landscape page wide prints at about 94 % (784 pt / 156 × 5.25 pt), 9.4 pt text.
COLUMNS = (
    ("seq", 4.5, "center", False), ("id", 5.5, "center", False), ("task", 23, "left", False),
    ("due", 11, "center", False), ("cur_status", 7.5, "center", False),
    ("cur_percent", 10, "center", False),  # with the 序时进度 under the percent
    ("status", 9, "center", True), ("percent", 6.5, "center", True),
    ("progress", 15.5, "left", True), ("problems", 12, "left", True),
    ("next_steps", 12, "left", True), ("evidence", 10, "left", True),
    ("done_on", 11.5, "center", True), ("new_due", 11.5, "center", True),
    ("reason", 10, "left", True),
)
KEYS = [c[0] for c in COLUMNS]
CHOICES = ("todo", "doing", "done", "extend", "cancel")  # the 状态 drop-down, in this order
DATE_COLUMNS = ("done_on", "new_due")
IDENTITY_KEYS = ("format", "plan", "unit", "collect", "collected_at", "as_of", "reply_by")
TABLE_HEADER = ("row", "id", "version", "title", "due", "status", "percent")
HEADER_ROW = 4  # title, unit / as of / reply by, 填报日期 and 填报说明, then the column headers
FILLED_ON_CELL = "C3"
MIN_LINES = 3  # each task row has room for a few lines of the unit's text, on screen and paper
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = "DDEBF7"
OPEN_FILL = "FFFDE7"  # the cells the unit fills: a pale yellow says "write here"


def columns_for(rows: list[dict]) -> tuple:
    """COLUMNS, with a 编号 wide enough for an occurrence's id (4.3@2022-05) on one line."""
    if not any("@" in r["id"] for r in rows):
        return COLUMNS
    return tuple(("id", 13, "center", False) if c[0] == "id" else c for c in COLUMNS)


def header_words() -> list[str]:
    """The column headers in the interface language (the reader accepts every language's)."""
    return [t(f"form.col.{key}") for key in KEYS]


def day_text(day: str | None) -> str:
    """A day as a person reads it (2022年7月1日)."""
    if not day:
        return ""
    d = date.fromisoformat(day)
    return t("form.date", y=d.year, m=d.month, d=d.day)


def percent_text(value: int | None) -> str:
    return "" if value is None else f"{value}%"


def current_percent(row: dict) -> str:
    """当前进度 as written: the percent reported, and under it the 序时进度 of the form's 截至
    day when the row has a due date (「20%」「序时 49%」); a form made before carries none."""
    text = percent_text(row.get("percent"))
    if row.get("ongoing"):  # 常态推进: no 序时进度; the unit writes this period's 进展
        return f"{text or '—'}\n{t('form.ongoing_hint')}"
    if row.get("expected") is None:
        return text
    return f"{text or '—'}\n{t('pace_view.form_expected', n=row['expected'])}"


def period_words(period: str) -> str:
    """An occurrence's period in words: 2022年5月, 2022年第三季度, 2022年下半年, 2022年度."""
    year, _, rest = period.partition("-")
    if rest == "Y":
        return t("recurring_form.year", year=year)
    if rest[:1] in ("Q", "H"):
        return t(f"recurring_form.{rest.lower()}", year=year)
    return t("recurring_form.month", year=year, month=int(rest))


def occurrence_title(title: str, period: str | None) -> str:
    """A task's title, an occurrence's with its period in words (开展主题党日（2022年5月）)."""
    return t("recurring_form.titled", title=title, period=period_words(period)) if period \
        else title


def prefilled(row: dict) -> dict:
    """The locked values of a task row as written (and as the identity keeps them): title
    (an occurrence's with its period in words, so a row's id moved to another period's row
    shows as a changed locked cell) with the returned reason's line, due as ISO text, the
    status word, the percent text."""
    period = row.get("period")  # on a line of its own: the cell is narrow
    title = visible(t("recurring_form.titled_cell", title=row["title"],
                      period=period_words(period)) if period else row["title"])
    if row.get("returned"):
        title += "\n" + t("form.returned", reason=visible(row["returned"]))
    return {"title": title, "due": due_cell(row) or "", "status": status_word(row["status"]),
            "percent": current_percent(row)}


def due_cell(row: dict):
    """完成时限 as written: the due date, or 常态推进 for an ongoing task (it has none)."""
    return t("word.ongoing") if row.get("ongoing") else row.get("due")


def form_xlsx(form: dict) -> bytes:
    """The 填报表 workbook: sheet 1 the form, sheet ``jtdj`` (veryHidden) the identity."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.title = visible(form["plan_title"])
    wb.properties.creator = "jtdj"
    ws = wb.active
    ws.title = t("form.sheet")
    _Form(ws, form).write()
    _identity(wb.create_sheet(IDENTITY_SHEET), form)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def form_csv(form: dict) -> str:
    """The 填报表 as CSV: ``#jtdj:`` and the identity as compact JSON, the header, the rows.
    Starts with a BOM, so that Excel reads it as UTF-8."""
    identity = {k: form.get(k) for k in IDENTITY_KEYS[1:]}
    identity["format"] = FORMAT
    identity["rows"] = {r["id"]: r["version"] for r in form["rows"]}
    out = io.StringIO()
    out.write("\ufeff#jtdj:" + json.dumps(identity, ensure_ascii=False, separators=(",", ":"))
              + "\r\n")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header_words())
    for n, row in enumerate(form["rows"], 1):
        pre = prefilled(row)
        writer.writerow([n, row["id"], pre["title"], pre["due"], pre["status"], pre["percent"]]
                        + [""] * (len(COLUMNS) - 6))
    return out.getvalue()


class _Form:
    """Sheet 1: the title block, the header row, one row per task; protection, validations and
    the print setup."""

    def __init__(self, ws, form: dict):
        from openpyxl.styles import Border, Side

        self.ws, self.form = ws, form
        thin = Side(style="thin", color="000000")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.columns = columns_for(form["rows"])
        self.last = _letter(len(self.columns))
        self.width = sum(c[1] for c in self.columns)
        self.styles: dict[tuple, str] = {}

    def cell(self, ref: str, value, bold=False, size=FONT_SIZE, align="left", border=False,
             fill=None, locked=True, number_format=None):
        c = self.ws[ref]
        c.value = value
        if isinstance(value, str):
            c.data_type = "s"  # a title starting with = is text, not a formula
            c.quotePrefix = value.startswith(FORMULA_START)
        c.style = self.style(bold, size, align, border, fill, locked, number_format)
        return c

    def style(self, *key) -> str:
        """A named style per combination of looks, made once: a 100-row form has some 1,500
        cells in a handful of looks, and building the font, fill and border objects cell by
        cell took nine tenths of `collect`'s time (bench/README.md)."""
        name = self.styles.get(key)
        if name is None:
            from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection

            bold, size, align, border, fill, locked, number_format = key
            name = f"jtdj-form-{len(self.styles) + 1}"
            style = NamedStyle(name=name, font=Font(name=FONT, size=size, bold=bold),
                               alignment=Alignment(wrap_text=True, vertical="center",
                                                   horizontal=align),
                               protection=Protection(locked=locked))
            if border:
                style.border = self.border
            if fill:
                style.fill = PatternFill("solid", fgColor=fill)
            if number_format:
                style.number_format = number_format
            self.ws.parent.add_named_style(style)
            self.styles[key] = name
        return name

    def merged(self, row: int, first: int, last: int, text: str, size=FONT_SIZE, **style):
        self.ws.merge_cells(f"{_letter(first)}{row}:{_letter(last)}{row}")
        self.cell(f"{_letter(first)}{row}", text, size=size, **style)
        width = sum(c[1] for c in self.columns[first - 1:last])
        return line_count(text, width, size) * 1.45 * size + ROW_PADDING * 2

    def write(self) -> None:
        ws, form, n = self.ws, self.form, len(self.columns)
        heights = {1: self.merged(1, 1, n, visible(form["plan_title"]), TITLE_SIZE, bold=True,
                                  align="center")}
        meta = "\u3000\u3000".join([t("form.unit", unit=visible(form["unit"])),
                                    t("form.as_of", date=day_text(form["as_of"])),
                                    t("form.reply_by", date=day_text(form["reply_by"]))])
        heights[2] = self.merged(2, 1, n, meta, bold=True, align="center")
        # row 3: 填报日期 [the date cell] 填报说明
        self.merged(3, 1, 2, t("form.filled_on"), bold=True, align="right")
        self.cell(FILLED_ON_CELL, None, align="center", border=True, fill=OPEN_FILL, locked=False,
                  number_format=DATE_FORMAT)
        heights[3] = self.merged(3, 4, n, t("form.help"), align="left")
        headers = header_words()
        for col, text in enumerate(headers, 1):
            self.cell(f"{_letter(col)}{HEADER_ROW}", text, bold=True, align="center",
                      border=True, fill=HEADER_FILL)
        heights[HEADER_ROW] = row_height(headers, self.columns)
        for i, row in enumerate(form["rows"]):
            r = HEADER_ROW + 1 + i
            pre = prefilled(row)
            due = due_cell(row)
            values = [i + 1, row["id"], pre["title"], _date(due) if due == row.get("due") else due,
                      pre["status"], pre["percent"]]
            for col, ((key, _, align, open_), value) in enumerate(
                    zip(self.columns, values + [None] * (n - len(values))), 1):
                date_cell = key in DATE_COLUMNS or key == "due"
                self.cell(f"{_letter(col)}{r}", value, align=align, border=True,
                          locked=not open_, fill=OPEN_FILL if open_ else None,
                          number_format=DATE_FORMAT if date_cell else None)
            heights[r] = max(row_height(values, self.columns),
                             round(MIN_LINES * LINE_HEIGHT + ROW_PADDING, 1))
        for r, h in heights.items():
            ws.row_dimensions[r].height = round(h, 1)
        for col, (_, width, _, _) in enumerate(self.columns, 1):
            ws.column_dimensions[_letter(col)].width = width
        ws.freeze_panes = f"D{HEADER_ROW + 1}"
        self.validations()
        self.protect()
        self.page_setup()

    def validations(self) -> None:
        """The 状态 drop-down, 进度% a whole number 0-100, the dates dates; each with a prompt."""
        from openpyxl.worksheet.datavalidation import DataValidation

        rows = len(self.form["rows"])
        first, last = HEADER_ROW + 1, HEADER_ROW + max(rows, 1)

        def add(key_or_ref, kind, prompt, error, **kw):
            dv = DataValidation(type=kind, allow_blank=True, showInputMessage=True,
                                showErrorMessage=True, promptTitle=t("form.prompt_title"),
                                prompt=t(prompt), errorTitle=t("form.error_title"),
                                error=t(error), **kw)
            if key_or_ref in KEYS:
                col = _letter(KEYS.index(key_or_ref) + 1)
                key_or_ref = f"{col}{first}:{col}{last}"
            dv.add(key_or_ref)
            self.ws.add_data_validation(dv)

        words = ",".join(t(f"form.choice.{c}") for c in CHOICES)
        add("status", "list", "form.prompt_status", "form.error_status", formula1=f'"{words}"')
        add("percent", "whole", "form.prompt_percent", "form.error_percent",
            operator="between", formula1="0", formula2="100")
        dates = dict(operator="between", formula1="DATE(1900,1,1)", formula2="DATE(9000,12,31)")
        for key in DATE_COLUMNS:
            add(key, "date", "form.prompt_date", "form.error_date", **dates)
        add(FILLED_ON_CELL, "date", "form.prompt_date", "form.error_date", **dates)

    def protect(self) -> None:
        """Protected without a password; resizing rows and columns and formatting allowed
        (in the file format, ``False`` on these means "not forbidden")."""
        p = self.ws.protection
        p.sheet = True
        p.formatCells = p.formatColumns = p.formatRows = False
        p.selectLockedCells = p.selectUnlockedCells = False

    def page_setup(self) -> None:
        ws = self.ws
        ws.print_area = f"A1:{self.last}{HEADER_ROW + max(len(self.form['rows']), 1)}"
        print_a4(ws, HEADER_ROW, "form.footer")


def _identity(ws, form: dict) -> None:
    """The ``jtdj`` sheet: key/value rows, a blank row, then one row per task (sheet row
    number, id, version and the pre-filled values as written)."""
    ws.sheet_state = "veryHidden"
    values = {**{k: form.get(k) for k in IDENTITY_KEYS[1:]}, "format": FORMAT}
    for key in IDENTITY_KEYS:
        ws.append([key, _text(values[key])])
    ws.append([])
    ws.append(list(TABLE_HEADER))
    for i, row in enumerate(form["rows"]):
        pre = prefilled(row)
        ws.append([HEADER_ROW + 1 + i, row["id"], int(row["version"]), pre["title"], pre["due"],
                   pre["status"], pre["percent"]])
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str):
                c.data_type = "s"
    ws.protection.sheet = True


def _text(value) -> str:
    return "" if value is None else str(value)


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)

