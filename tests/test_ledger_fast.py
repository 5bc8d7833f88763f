"""The ledger's task rows are written as XML text (render.xlsx_rows), not cell by cell through
openpyxl; the workbook stays the same to a reader: every cell's value and style, read back with
openpyxl, equals a reference built with openpyxl's normal API from the same data."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import ok

openpyxl = pytest.importorskip("openpyxl")

AS_OF = "2022-07-01"
CONTROL_TITLE = "任务\x1b[2J清屏\u202e反转 & <b>"


@pytest.fixture
def worked(run, imported):
    """The bundled plan with done tasks (one with a check-off note), a note, a title that looks
    like a formula and one with control and bidi characters and markup."""
    for args in (("done", "1.2", "--on", "2022-06-20"),
                 ("done", "2.1", "--on", "2022-06-21", "--note", "按期完成 & <报告> 已上报"),
                 ("due", "1.3", "2022-06-30"), ("due", "1.4", "2022-07-10"),
                 ("note", "3.1", "进展：已召开 2 次会议"),
                 ("add", "5", "=1+1 开展活动"), ("add", "5", CONTROL_TITLE)):
        ok(run, "--as-of", AS_OF, *args)
    return run


def _reference(data: dict):
    """Sheet 1 as openpyxl's normal (not write-only) API writes it from ``data``: the
    cells as the ledger means them, set one by one."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    from jtdj.i18n import t
    from jtdj.render.records import light_word, numeral, status_word
    from jtdj.render.safe import visible
    from jtdj.render.xlsx import LEDGER_COLUMNS, LIGHT_FILL, STATUS_COL

    wb = openpyxl.Workbook()
    ws = wb.active
    thin = Side(style="thin", color="000000")
    sections = {s["no"]: t("export.section_label", numeral=numeral(s["no"]), title=s["title"])
                for s in data["sections"]}
    for n, r in enumerate(data["rows"], 1):
        # an ongoing task (常态推进: 1.1, 2.3 …) reads 常态推进 in 完成时限, and in 状态 while open
        ongoing = r.kind == "ongoing"
        values = (n, r.id, sections[r.section], f"{r.item}. {data['items'][r.item]}", r.title,
                  r.owner or "", t("list.sep").join(r.support),
                  t("word.ongoing") if ongoing else date.fromisoformat(r.due) if r.due else None,
                  r.when or "",
                  t("word.ongoing") if ongoing and r.status in ("todo", "doing")
                  else status_word(r.status),
                  light_word(r.light), r.progress,
                  date.fromisoformat(r.done_on) if r.done_on else None, "\n".join(r.evidence))
        for col, value in enumerate(values, 1):
            cell = ws.cell(row=3 + n, column=col)
            if isinstance(value, str):
                value = visible(value)
                cell.value = value
                cell.data_type = "s"
                cell.quotePrefix = value.startswith(("=", "+", "-", "@"))
            else:
                cell.value = value
                if isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
            cell.font = Font(name="宋体", size=10)
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(wrap_text=True, vertical="center",
                                       horizontal=LEDGER_COLUMNS[col - 1][2])
            if col == STATUS_COL:
                cell.fill = PatternFill("solid", fgColor=LIGHT_FILL[r.light])
    return ws


def _style(cell) -> tuple:
    b, f, a = cell.border, cell.font, cell.alignment
    return (f.name, f.sz, bool(f.b), cell.fill.fill_type, cell.fill.fgColor.rgb[-6:],
            tuple((s.style, s.color.rgb[-6:] if s.color is not None else None)
                  for s in (b.left, b.right, b.top, b.bottom)),
            a.horizontal, a.vertical, bool(a.wrap_text), cell.number_format,
            bool(cell.quotePrefix))


def _value(value):
    """How a value reads back: dates as datetimes, an empty text as an empty cell."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, datetime.min.time())
    return None if value == "" else value


def test_every_task_cell_reads_back_as_the_normal_api_writes_it(worked, run, tmp_path):
    from jtdj import export
    from jtdj.store import Store

    path = tmp_path / "ledger.xlsx"
    ok(run, "--as-of", AS_OF, "export", "--format", "xlsx", "-o", path)
    store = Store.open(Path(os.environ["JTDJ_DB"]))
    data = export.ledger_data(store, "2022", date.fromisoformat(AS_OF))
    ref = _reference(data)
    ws = openpyxl.load_workbook(path).worksheets[0]
    # the plan's 112 and the two added, with item 4's six recurring tasks as their occurrences
    # begun by 07-01 (4.5 Q2, Q3; 4.11, 4.12, 4.14 05-07; 4.13, 4.15 once): 121 rows
    rows = 112 + 2 - 6 + 2 + 3 + 3 + 1 + 3 + 1
    assert ws.max_row == 3 + len(data["rows"]) == 3 + rows
    compared = 0
    for row in ref.iter_rows(min_row=4):
        for want in row:
            got = ws[want.coordinate]
            assert got.value == _value(want.value), want.coordinate
            assert _style(got) == _style(want), want.coordinate
            if isinstance(got.value, str):
                assert got.data_type == "s", want.coordinate
            compared += 1
    assert compared == 14 * rows
    cells = {c.value: c for r in ws.iter_rows(min_row=4) for c in r}
    assert cells["=1+1 开展活动"].quotePrefix
    assert "任务\\x1b[2J清屏<U+202E>反转 & <b>" in cells
    assert "按期完成 & <报告> 已上报" in cells
    # the sheet around the rows, as before
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$1:$3"
    assert ws.auto_filter.ref == f"A3:N{3 + rows}"
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:N1", "A2:N2"}
    assert ws.dimensions == f"A1:N{3 + rows}"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.row_dimensions[4].height and ws.row_dimensions[3 + rows].height


def test_the_task_rows_are_not_written_cell_by_cell_through_openpyxl(worked, run, tmp_path,
                                                                     monkeypatch):
    """openpyxl's per-cell serialisation was nearly all of a large ledger's time: it writes the
    title and header rows and the summary sheet, never a task's cells."""
    from openpyxl.worksheet import _writer

    written = []
    real = _writer.write_cell

    def counted(xf, worksheet, cell, styled=None):
        written.append((worksheet.title, cell.row))
        return real(xf, worksheet, cell, styled)

    monkeypatch.setattr(_writer, "write_cell", counted)
    ok(run, "--as-of", AS_OF, "export", "--format", "xlsx", "-o", tmp_path / "ledger.xlsx")
    task_sheet = {row for title, row in written if title == "工作台账"}
    assert task_sheet == {1, 2, 3}, sorted(task_sheet)
