"""The 工作台账 as an Excel/WPS workbook: one row per task, and a per-section summary.

openpyxl is an optional extra, imported only here and only when a ledger is written.
"""

from __future__ import annotations

from datetime import date

from jtdj.i18n import t
from jtdj.render.records import numeral, status_word

LEDGER_COLUMNS = (  # (catalogue key, width in characters)
    ("export.col.seq", 7), ("export.col.section", 20), ("export.col.item", 20),
    ("export.col.task", 40), ("export.col.owner", 14), ("export.col.support", 14),
    ("export.col.due", 12), ("export.col.when", 12), ("export.col.status", 9),
    ("export.col.progress", 36), ("export.col.done_on", 12), ("export.col.evidence", 28),
)
SUMMARY_COLUMNS = (
    ("export.summary.section", 40), ("export.summary.tasks", 9), ("export.summary.done", 9),
    ("export.summary.dropped", 9), ("export.summary.open", 9), ("export.summary.overdue", 9),
    ("export.summary.percent", 9),
)
# Excel's own "good / neutral / bad" fills, so the sheet looks familiar
LIGHT_FILL = {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE", "grey": "D9D9D9"}


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def ledger_xlsx(data: dict) -> bytes:
    """The 工作台账 workbook (``export.ledger_data``): sheet 1 one row per task, sheet 2 the
    per-section summary."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    as_of, rows = data["as_of"], data["rows"]
    section_label = {s["no"]: t("export.section_label", numeral=numeral(s["no"]), title=s["title"])
                     for s in data["sections"]}
    item_label = {no: f"{no}. {title}" for no, title in data["items"].items()}

    wb = Workbook()
    wb.properties.title = data["title"]
    wb.properties.creator = "jtdj"
    ws = wb.active
    ws.title = t("export.sheet_tasks")
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header_fill = PatternFill("solid", fgColor="DDEBF7")

    def header(sheet, columns):
        for col, (key, width) in enumerate(columns, 1):
            cell = sheet.cell(row=1, column=col)
            _text(cell, t(key))
            cell.font, cell.fill = bold, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            sheet.column_dimensions[get_column_letter(col)].width = width
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True

    header(ws, LEDGER_COLUMNS)
    sep = t("list.sep")
    for n, r in enumerate(rows, 2):
        values = (r["id"], section_label.get(r["section"], ""), item_label.get(r["item"], ""),
                  r["title"], r["owner"] or "", sep.join(r["support"]), _date(r["due"]),
                  r["when"] or "", status_word(r["status"]), r["progress"], _date(r["done_on"]),
                  "\n".join(r["evidence"]))
        for col, v in enumerate(values, 1):
            cell = ws.cell(row=n, column=col)
            if isinstance(v, date):
                cell.value, cell.number_format = v, "yyyy-mm-dd"
            else:
                _text(cell, v)
            cell.alignment = wrap
        ws.cell(row=n, column=9).fill = PatternFill("solid", fgColor=LIGHT_FILL[r["light"]])
    ws.auto_filter.ref = f"A1:{get_column_letter(len(LEDGER_COLUMNS))}{max(len(rows) + 1, 2)}"
    ws.oddHeader.center.text = data["title"].replace("&", "&&")
    ws.oddFooter.center.text = t("export.as_of", date=as_of.isoformat()).replace("&", "&&")

    summary = wb.create_sheet(t("export.sheet_summary"))
    header(summary, SUMMARY_COLUMNS)
    totals = [{**data["total"], "title": t("export.summary.total")}] if data["total"] else []
    for n, s in enumerate(data["summary"] + totals, 2):
        label = section_label[s["section"]] if s["section"] else s["title"]
        _text(summary.cell(row=n, column=1), label)
        summary.cell(row=n, column=1).alignment = wrap
        for col, key in enumerate(("tasks", "done", "dropped", "open", "overdue"), 2):
            summary.cell(row=n, column=col, value=s[key])
        cell = summary.cell(row=n, column=7, value=s["percent"] / 100)
        cell.number_format = "0%"
        if not s["section"]:
            for col in range(1, 8):
                summary.cell(row=n, column=col).font = bold
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text(cell, value: str) -> None:
    """A text cell that stays text: a title starting with "=" is never run as a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value or "")
    cell.data_type = "s"
