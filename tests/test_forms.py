"""The 填报表: written by render.form, filled in as a unit would (openpyxl, the csv module,
LibreOffice), read back by forms.read_form: real files in tmp_path, no database."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from jtdj.errors import UsageError
from jtdj.forms import read_form
from jtdj.render.form import form_csv, form_xlsx

FORM = {
    "plan": "2022", "plan_title": "2022年全区教育系统党的建设工作要点",
    "unit": "华罗庚实验学校党支部",
    "as_of": "2022-07-01", "reply_by": "2022-07-08", "collected_at": "2022-07-01T08:00:00+00:00",
    "collect": "a1b2c3d4",
    "rows": [
        {"id": "1.2", "title": "深入学习贯彻习近平新时代中国特色社会主义思想", "due": "2022-06-30",
         "status": "doing", "percent": 40, "version": 123, "returned": None},
        {"id": "2.1", "title": "开展“七一”主题党日活动", "due": "2022-07-15", "status": "todo",
         "percent": None, "version": 7, "returned": "佐证材料不全，请补充签到表"},
        {"id": "3.4", "title": "组织生活会", "due": None, "status": "doing", "percent": 10,
         "version": 9, "returned": None},
        {"id": "5.1", "title": "党风廉政建设检查", "due": "2022-12-31", "status": "todo",
         "percent": None, "version": 1, "returned": None},
        {"id": "5.10", "title": "年度述职评议", "due": "2022-12-31", "status": "todo",
         "percent": None, "version": 2, "returned": None},
    ],
}
# the sheet's columns (render.form.COLUMNS): A 序号 … F 当前进度, G 状态 … O 理由
COL = dict(zip(["seq", "id", "task", "due", "cur_status", "cur_percent", "status", "percent",
                "progress", "problems", "next", "evidence", "done_on", "new_due", "reason"],
               "ABCDEFGHIJKLMNO"))
FIRST = 5  # the first task row


def _write(tmp_path, name="华罗庚-填报表.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(form_xlsx(FORM))
    return path


def _fill(path: Path, cells: dict, out: Path | None = None, hidden: bool = False) -> Path:
    """Fill cells ({"G5": "推进中"} or {"H6": (0.4, "0%")}) as a unit would, and save."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.worksheets[0]
    for ref, value in cells.items():
        if isinstance(value, tuple):
            ws[ref].value, ws[ref].number_format = value
        else:
            ws[ref].value = value
    if hidden:
        wb["jtdj"].sheet_state = "hidden"
    out = out or path
    wb.save(out)
    return out


def _rows(form):
    return {r.id: r for r in form.rows}


def _where(form):
    return {(p.row, p.column) for p in form.problems}


def test_a_filled_form_reads_back_status_percent_dates_and_text(tmp_path):
    path = _fill(_write(tmp_path), {
        "C3": date(2022, 7, 5),
        "G5": " 推进中 ", "H5": 60, "I5": "已组织专题学习3次", "J5": "部分党员参学不够",
        "K5": "下月开展专题研讨", "L5": "https://example.org/photos",
        "G6": "已完成", "H6": (1, "0%"), "M6": "2022/7/1",
        "H7": (0.4, "0%"),
        "H8": "40%", "I8": "只改了进度",
        "G9": "申请延期", "N9": "2022年9月30日", "O9": "上级安排调整",
    })
    form = read_form(path)
    assert (form.plan, form.unit, form.collect) == ("2022", "华罗庚实验学校党支部", "a1b2c3d4")
    assert (form.as_of, form.reply_by) == (date(2022, 7, 1), date(2022, 7, 8))
    assert (form.filled_on, form.filled_on_source) == (date(2022, 7, 5), "form")
    assert form.problems == []
    rows = _rows(form)
    assert [r.row for r in form.rows] == [5, 6, 7, 8, 9]
    a = rows["1.2"]
    assert (a.status, a.percent, a.version, a.changed) == ("doing", 60, 123, True)
    assert (a.progress, a.problems_text, a.next_steps, a.evidence) == (
        "已组织专题学习3次", "部分党员参学不够", "下月开展专题研讨", "https://example.org/photos")
    assert (rows["2.1"].status, rows["2.1"].percent, rows["2.1"].done_on) == (
        "done", 100, date(2022, 7, 1))
    assert rows["3.4"].percent == 40 and rows["3.4"].status is None
    assert (rows["5.1"].percent, rows["5.1"].status, rows["5.1"].progress) == (40, None, "只改了进度")
    e = rows["5.10"]
    assert (e.status, e.new_due, e.reason) == ("extend", date(2022, 9, 30), "上级安排调整")


def test_a_row_with_nothing_filled_is_unchanged(tmp_path):
    form = read_form(_fill(_write(tmp_path), {"H5": 50}))
    assert [r.changed for r in form.rows] == [True, False, False, False, False]
    assert _rows(form)["2.1"].status is None


def test_english_words_a_month_day_date_and_a_date_cell_are_accepted(tmp_path):
    form = read_form(_fill(_write(tmp_path), {
        "G5": "Done", "M5": "7月3日", "G6": "cancel", "O6": "并入其他任务",
        "G7": "已完成", "M7": date(2022, 6, 20), "H8": "40.0", "H9": 40.0}))
    rows = _rows(form)
    assert form.problems == []
    assert (rows["1.2"].status, rows["1.2"].done_on) == ("done", date(2022, 7, 3))
    assert (rows["2.1"].status, rows["2.1"].reason) == ("cancel", "并入其他任务")
    assert rows["3.4"].done_on == date(2022, 6, 20)
    assert rows["5.1"].percent == rows["5.10"].percent == 40


def test_done_without_a_date_takes_the_filled_on_day_with_a_notice(tmp_path):
    form = read_form(_fill(_write(tmp_path), {"C3": "2022-07-04", "G5": "已完成"}))
    row = _rows(form)["1.2"]
    assert form.problems == []
    assert row.done_on == date(2022, 7, 4)
    assert row.notices and "2022-07-04" in row.notices[0]


def test_each_mistake_is_a_problem_naming_file_row_and_column(tmp_path):
    path = _fill(_write(tmp_path), {
        "H5": 140, "M5": "七月底",          # row 5: percent out of range, a date that is no date
        "G6": "差不多了", "H6": "四十",     # row 6: a status not in the list, a percent no number
        "G7": "申请延期",                   # row 7: extension without new due date and reason
        "G8": "申请取消",                   # row 8: cancel without reason
        "C9": "改过的标题", "F9": "90%",    # row 9: locked cells changed
    })
    form = read_form(path)
    assert _where(form) == {
        (5, "进度%"), (5, "完成日期"), (6, "状态"), (6, "进度%"), (7, "申请完成时限"), (7, "理由"),
        (8, "理由"), (9, "工作任务"), (9, "当前进度")}
    assert {p.file for p in form.problems} == {path.name}
    assert all(p.message and "\n" not in p.message for p in form.problems)
    assert _rows(form)["5.10"].prefilled_changed == ["工作任务", "当前进度"]
    assert str(form.problems[0]).startswith(f"{path.name} 第 5 行")


def test_an_unknown_id_and_a_duplicate_id_are_problems(tmp_path):
    form = read_form(_fill(_write(tmp_path), {"B8": "9.9", "B9": "1.2"}))
    messages = {(p.row, p.column): p.message for p in form.problems}
    assert "9.9" in messages[(8, "编号")]
    assert "1.2" in messages[(9, "编号")] and "5" in messages[(9, "编号")]
    # the rows whose ids were typed over are missing
    assert {p.message for p in form.problems if p.row is None} and len(form.rows) == 3


def test_a_bad_filled_on_date_is_a_problem_and_the_file_date_is_used(tmp_path):
    form = read_form(_fill(_write(tmp_path), {"C3": "下周一"}))
    assert (3, "填报日期") in _where(form)
    assert form.filled_on_source == "file" and isinstance(form.filled_on, date)


def test_a_renamed_file_and_a_hidden_identity_read_the_same(tmp_path):
    path = _fill(_write(tmp_path), {"G5": "已完成", "M5": "2022-06-28"})
    renamed = tmp_path / "回执（最终版）.xlsx"
    shutil.copy(path, renamed)
    hidden = _fill(path, {}, tmp_path / "hidden.xlsx", hidden=True)
    first = read_form(path)
    for other in (read_form(renamed), read_form(hidden)):
        assert other.rows == first.rows and other.collect == first.collect


def test_files_that_are_not_forms_are_refused_naming_the_file(tmp_path):
    from openpyxl import Workbook

    plain = tmp_path / "plain.xlsx"
    Workbook().save(plain)
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")
    for name in ("plain.xlsx", "notes.csv", "old.xls", "broken.xlsx", "photo.png", "gone.xlsx"):
        with pytest.raises(UsageError) as caught:
            read_form(tmp_path / name)
        assert name in caught.value.message and "\n" not in caught.value.message
        assert caught.value.exit_code == 2


def _csv_filled(text: str, fills: dict) -> str:
    """Edit the CSV as a unit would: the cells by (line, header word)."""
    first, rest = text.split("\r\n", 1)
    records = list(csv.reader(io.StringIO(rest)))
    header = records[0]
    for (line, column), value in fills.items():
        records[line - 2][header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(records)
    return first + "\r\n" + out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_csv_form_round_trips(tmp_path, encoding):
    text = form_csv(FORM)
    assert text.startswith("\ufeff#jtdj:{") and "\r\n序号,编号,工作任务" in text
    filled = _csv_filled(text, {(3, "状态"): "推进中", (3, "进度%"): "40%",
                                (4, "完成日期"): "2022.7.1", (4, "状态"): "已完成",
                                (5, "进度%"): "150"})
    path = tmp_path / "form.csv"
    path.write_bytes(filled.lstrip("\ufeff").encode(encoding) if encoding != "utf-8"
                     else filled.encode("utf-8"))
    form = read_form(path)
    rows = _rows(form)
    assert (form.unit, form.collect, form.as_of) == ("华罗庚实验学校党支部", "a1b2c3d4",
                                                     date(2022, 7, 1))
    assert (rows["1.2"].row, rows["1.2"].status, rows["1.2"].percent) == (3, "doing", 40)
    assert (rows["2.1"].status, rows["2.1"].done_on) == ("done", date(2022, 7, 1))
    assert rows["5.10"].version == 2 and not rows["5.10"].changed
    assert _where(form) == {(5, "进度%")}


def test_the_form_is_protected_with_the_unit_cells_unlocked(tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(_write(tmp_path))
    ws = wb["填报表"]
    assert ws.protection.sheet and not ws.protection.password
    assert not (ws.protection.formatRows or ws.protection.formatColumns
                or ws.protection.formatCells)
    for col in "ABCDEF":
        assert ws[f"{col}{FIRST}"].protection.locked, col
    for col in "GHIJKLMNO":
        assert not ws[f"{col}{FIRST}"].protection.locked, col
    assert not ws["C3"].protection.locked
    assert ws["A4"].value == "序号" and ws["O4"].value == "理由"
    assert ws["D5"].value.date() == date(2022, 6, 30) and ws["F5"].value == "40%"
    assert ws["C6"].value.endswith("\n退回：佐证材料不全，请补充签到表")
    assert ws.max_row == FIRST + len(FORM["rows"]) - 1
    assert wb["jtdj"].sheet_state == "veryHidden"


def test_the_status_percent_and_date_cells_have_data_validation(tmp_path):
    from openpyxl import load_workbook

    ws = load_workbook(_write(tmp_path))["填报表"]
    kinds = {}
    for dv in ws.data_validations.dataValidation:
        for ref in str(dv.sqref).split():
            kinds[ref] = (dv.type, dv.formula1, dv.formula2)
    assert kinds["G5:G9"] == ("list", '"未开始,推进中,已完成,申请延期,申请取消"', None)
    assert kinds["H5:H9"] == ("whole", "0", "100")
    assert kinds["M5:M9"][0] == kinds["N5:N9"][0] == kinds["C3"][0] == "date"


def test_the_form_prints_on_a4_landscape_fit_to_width_with_repeated_headers(tmp_path):
    from openpyxl import load_workbook

    ws = load_workbook(_write(tmp_path))["填报表"]
    assert (ws.page_setup.paperSize, ws.page_setup.orientation) == (9, "landscape")
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$4"
    assert ws["C5"].alignment.wrap_text and ws["I5"].alignment.wrap_text
    assert ws["C5"].font.name == "宋体"
    assert ws.column_dimensions["C"].width >= 20


SOFFICE = shutil.which("soffice")


def _soffice(tmp_path, to: str, src: Path) -> Path:
    out = tmp_path / "out"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless",
                    "--convert-to", to, "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=180,
                   env={**os.environ, "HOME": str(tmp_path)})
    return out / (src.stem + "." + to.split(":")[0])


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_form_resaved_by_libreoffice_reads_the_same(tmp_path):
    path = _fill(_write(tmp_path), {"C3": date(2022, 7, 5), "G5": "已完成",
                                    "M5": date(2022, 6, 28), "H7": (0.4, "0%"),
                                    "I8": "已完成自查"})
    before = read_form(path)
    resaved = _soffice(tmp_path, "xlsx", path)
    after = read_form(resaved)
    assert after.problems == [] and after.rows == before.rows
    assert (after.filled_on, after.filled_on_source) == (date(2022, 7, 5), "form")
