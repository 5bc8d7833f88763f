"""The xlsx 工作台账 as a printed document: page setup, title rows, borders, row heights, the
running 序号 and the 编号, the 提示 column, the summary sheet, formula-looking text; and a real
conversion to PDF with LibreOffice when it is installed."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import zipfile

import pytest
from conftest import ok

from jtdj.render.text import display_width

AS_OF = "2022-07-01"
TITLE = "2022年区委教育工委党的建设重点工作要点"
HEADERS = ["序号", "编号", "部分", "条目", "工作任务", "牵头单位/责任人", "配合单位", "完成时限",
           "时限原文", "状态", "提示", "完成情况/进展", "完成日期", "佐证材料"]
LONG_TITLE = "组织全区各级党组织围绕学习贯彻党的二十大精神开展专题学习研讨，" * 3
PRINTABLE_PT = 842 - 2 * 0.4 * 72  # A4 landscape less 0.4 in margins left and right


def _ledger(run, tmp_path, *extra, name="ledger.xlsx"):
    path = tmp_path / name
    ok(run, *extra, "--as-of", AS_OF, "export", "--format", "xlsx", "-o", path)
    import openpyxl

    return path, openpyxl.load_workbook(path)


@pytest.fixture
def worked(run, imported):
    """The 2022 plan with a few tasks moved, so that every light shows, a long task title and a
    title that looks like a formula."""
    for args in (("done", "1.2", "--on", "2022-06-20"),
                 ("due", "1.3", "2022-06-30"),   # past: 逾期
                 ("due", "1.4", "2022-07-10"),   # within 14 days: 临期
                 ("add", "5", LONG_TITLE),
                 ("add", "5", "=1+1 开展活动")):
        ok(run, "--as-of", AS_OF, *args)
    return run


def _table(ws):
    """Rows 3.. (the header and the tasks) as lists of cells."""
    return [list(row) for row in ws.iter_rows(min_row=3)]


def test_both_sheets_print_a4_landscape_one_page_wide(worked, run, tmp_path):
    _, wb = _ledger(run, tmp_path)
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape"
        assert int(setup.paperSize) == 9  # A4
        assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$3"  # title, 文号/date line and headers on every page
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
        # the widths fill the printable width (Excel: 5.25 pt a unit), so fitting to the page
        # never prints the 10 pt text below 9 pt, even in LibreOffice (5.55 pt a unit)
        widths = [ws.column_dimensions[c].width for c in "ABCDEFGHIJKLMN"[:ws.max_column]]
        assert 0.95 * PRINTABLE_PT <= sum(widths) * 5.25 <= PRINTABLE_PT
        assert PRINTABLE_PT / (sum(widths) * 5.55) * 10 >= 9


def test_title_rows_name_the_plan_its_doc_no_and_dates(worked, run, tmp_path):
    _, wb = _ledger(run, tmp_path)
    ws = wb.worksheets[0]
    assert ws["A1"].value == TITLE and ws["A1"].font.sz >= 14
    meta = ws["A2"].value
    for part in ("文号：坛教委字〔2022〕6号", f"统计截至 {AS_OF}", f"制表日期：{AS_OF}"):
        assert part in meta
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:N1", "A2:N2"} <= merged
    assert [c.value for c in ws[3]] == HEADERS
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref.startswith("A3:N")


def test_table_cells_have_thin_borders_and_wrap(worked, run, tmp_path):
    _, wb = _ledger(run, tmp_path)
    for ws in wb.worksheets:
        table = _table(ws)
        assert len(table) > 5
        for row in table:
            for cell in row:
                b = cell.border
                sides = (b.left.style, b.right.style, b.top.style, b.bottom.style)
                assert sides == ("thin",) * 4, cell.coordinate
                assert cell.alignment.wrap_text, cell.coordinate


def test_row_heights_show_the_whole_text(worked, run, tmp_path):
    _, wb = _ledger(run, tmp_path)
    ws = wb.worksheets[0]
    one_line = 10 * 1.2 + 4  # 10 pt text, leading and padding
    assert ws.row_dimensions[3].height > one_line  # 牵头单位/责任人 takes two lines
    long_row = next(r for r in _table(ws) if r[4].value == LONG_TITLE)
    width = ws.column_dimensions["E"].width
    # a CJK character is two display columns and 10 pt wide; the column is 5.25 pt a unit
    needed = math.ceil(display_width(LONG_TITLE) / ((width * 5.25 - 4) / 5))
    assert needed >= 6
    assert ws.row_dimensions[long_row[0].row].height >= needed * 10 * 1.2
    for row in _table(ws)[1:]:  # every row is at least as high as its widest text needs
        height = ws.row_dimensions[row[0].row].height
        for cell in row:
            if isinstance(cell.value, str):
                w = ws.column_dimensions[cell.column_letter].width
                lines = math.ceil(display_width(cell.value) / ((w * 5.25 - 4) / 5))
                assert height >= lines * 10 * 1.2, (cell.coordinate, cell.value)


def test_seq_runs_and_ref_holds_the_task_id(worked, run, tmp_path):
    _, wb = _ledger(run, tmp_path)
    rows = _table(wb.worksheets[0])[1:]
    # the plan's 112 and the two added, the six recurring tasks of item 4 as `list` shows them on
    # 07-01: one row per occurrence begun (4.5 Q2, Q3; 4.11, 4.12, 4.14 05-07; 4.13, 4.15 once)
    assert len(rows) == 112 + 2 - 6 + 2 + 3 + 3 + 1 + 3 + 1
    assert [r[0].value for r in rows] == list(range(1, len(rows) + 1))
    ids = [r[1].value for r in rows]
    assert ids[:3] == ["1.1", "1.2", "1.3"] and "5.2" in ids and ids[-1] == "13.6"
    assert all(r[1].data_type == "s" for r in rows)  # text: an id like 5.10 is not a number
    by_id = {r[1].value: r for r in rows}
    assert by_id["5.2"][4].value == "确定华罗庚实验学校等10家重点创建单位"


def test_hint_column_says_the_light_in_symbol_and_word(worked, run, tmp_path):
    _, wb = _ledger(run, tmp_path)
    rows = {r[1].value: r for r in _table(wb.worksheets[0])[1:]}
    hints = {i: rows[i][10].value for i in ("1.1", "1.2", "1.3", "1.4")}
    assert hints == {"1.1": "● 正常", "1.2": "○ 已结", "1.3": "▲ 逾期", "1.4": "◆ 临期"}
    assert {r[10].value for r in rows.values()} == {"● 正常", "○ 已结", "▲ 逾期", "◆ 临期"}
    fills = {i: rows[i][9].fill.fgColor.rgb[-6:] for i in ("1.1", "1.2", "1.3", "1.4")}
    assert fills == {"1.1": "C6EFCE", "1.2": "D9D9D9", "1.3": "FFC7CE", "1.4": "FFEB9C"}


def test_summary_sheet_has_the_title_dates_and_print_setup(worked, run, tmp_path):
    _, wb = _ledger(run, tmp_path)
    ws = wb.worksheets[1]
    assert ws.title == "分部分汇总"
    assert ws["A1"].value == f"{TITLE}（分部分汇总）"
    assert f"统计截至 {AS_OF}" in ws["A2"].value and f"制表日期：{AS_OF}" in ws["A2"].value
    # the plan has ongoing tasks (常态推进), so their count comes before 完成率
    assert [c.value for c in ws[3]] == ["部分", "任务数", "已完成", "已调整", "未完成", "逾期",
                                        "其中常态推进", "完成率"]
    total = [c.value for c in list(ws.iter_rows())[-1]]
    assert total[:2] == ["合计", 114]  # the plan's 112 (a recurring task counted once) and 2 added
    assert total[6] == 13  # the plan's 15 ongoing tasks less 1.3 and 1.4, given due dates above


def test_formula_looking_title_is_text_with_the_quote_prefix(worked, run, tmp_path):
    path, wb = _ledger(run, tmp_path)
    cells = [c for row in wb.worksheets[0].iter_rows() for c in row]
    cell = next(c for c in cells if c.value == "=1+1 开展活动")  # read back unchanged
    assert cell.data_type == "s" and cell.quotePrefix
    assert not any(c.quotePrefix for c in cells if c is not cell)  # only where it is needed
    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()
        assert 'quotePrefix="1"' in z.read("xl/styles.xml").decode()


def test_english_ledger_speaks_english(worked, run, tmp_path):
    _, wb = _ledger(run, tmp_path, "--lang", "en")
    ws = wb.worksheets[0]
    assert [c.value for c in ws[3]][:2] == ["No.", "ID"] and ws["K3"].value == "Alert"
    assert "Prepared on 2022-07-01" in ws["A2"].value
    assert ws.oddFooter.center.text == "Page &P of &N"
    assert wb.worksheets[1]["A1"].value == f"{TITLE}: by section"


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdfinfo")
                         and shutil.which("pdftotext")),
                    reason="needs LibreOffice (soffice) and poppler-utils (pdfinfo, pdftotext): "
                           "apt-get install libreoffice-calc fonts-noto-cjk poppler-utils")
def test_ledger_prints_on_a4_landscape_pages_with_numbers(worked, run, tmp_path):
    path, _ = _ledger(run, tmp_path)
    profile = (tmp_path / "lo-profile").as_uri()  # a profile of its own: no clash with others
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "ledger.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (round(w), round(h)) == (842, 595)  # A4 landscape
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 3
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout.split("\f")
    for n, page in enumerate(text[:pages], 1):
        assert f"第 {n} 页 共 {pages} 页" in page
        assert TITLE in page  # the title rows are repeated on every page
    assert all("工作任务" in page for page in text[:pages - 1])  # the ledger's header row
