"""序时进度 where people look (issue 17 §1): the list's 进度 column (20/70 at 80 columns, apart
from 100), the light's word by its signal, `show`'s expected percent and lag, the 填报表's
expected percent under the current one, and the ledger's 提示. The 2022 plan was issued on
2022-05-09 and its tasks are due 2022-12-31: on 2022-09-01, 49 % of their time has gone."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from conftest import as_json, ok

LATER = ("--as-of", "2022-09-01")
HUA = "华罗庚实验学校党支部"


@pytest.fixture
def paced(run, plan22):
    """4.1 at 20 % (behind: 29 points), 4.3 at 5 % (far behind: 44), 4.2 done, 4.4 overdue.
    Item 4, not item 1: item 1's tasks are ongoing (常态推进), with no due date and no pace."""
    ok(run, "--as-of", "2022-06-02", "note", "4.1", "进展", "-p", "20")
    ok(run, "--as-of", "2022-06-02", "note", "4.3", "进展", "-p", "5")
    ok(run, "--as-of", "2022-06-02", "done", "4.2")
    ok(run, "--as-of", "2022-06-02", "due", "4.4", "2022-08-01")


def _width(line: str) -> int:
    from jtdj.render.text import display_width

    return display_width(line)


def _row(out: str, task_id: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(f"│ {task_id} "))


def test_at_80_columns_the_list_has_one_progress_column_reading_reported_over_expected(
        run, paced):
    out = ok(run, *LATER, "list", "--status", "all", "--item", "4", "-f", "table",
             env={"COLUMNS": "80"}).stdout
    assert all(_width(line) <= 80 for line in out.splitlines())
    header = out.splitlines()[1]
    assert "进度" in header and "序时进度" not in header
    assert "20/49" in _row(out, "4.1")
    # nothing reported yet (4.6: 4.5 is now the branches' recurring 党员大会, rows by quarter)
    assert "—/49" in _row(out, "4.6")
    closed = _row(out, "4.2")
    assert "/" not in closed and "○ 已结" in closed


def test_a_units_own_list_fits_80_columns_with_its_role_in_place_of_the_owner(run, paced):
    ok(run, "--as-of", "2022-06-02", "assign", "4.1", "4.3", "--to", "华罗庚实验学校党支部",
       "--new-unit")
    out = ok(run, *LATER, "list", "--owner", "华罗庚实验学校党支部", "-f", "table",
             env={"COLUMNS": "80"}).stdout
    assert all(_width(line) <= 80 for line in out.splitlines())
    header = out.splitlines()[1]
    assert "进度" in header and "角色" in header and "责任单位" not in header
    assert "20/49" in _row(out, "4.1") and "▲ 严重滞后" in _row(out, "4.3")
    wide = ok(run, *LATER, "list", "--owner", "华罗庚实验学校党支部", "-f", "table",
              env={"COLUMNS": "120"}).stdout
    assert "责任单位" in wide.splitlines()[1] and "序时进度" in wide.splitlines()[1]


def test_from_100_columns_the_list_shows_progress_and_expected_progress_apart(run, paced):
    out = ok(run, *LATER, "list", "--item", "4", "-f", "table",
             env={"COLUMNS": "120"}).stdout
    assert all(_width(line) <= 120 for line in out.splitlines())
    assert "序时进度" in out.splitlines()[1]
    row = _row(out, "4.1")
    assert "20%" in row and "49%" in row and "20/49" not in row
    md = ok(run, *LATER, "list", "--item", "4", "-f", "md").stdout
    assert md.splitlines()[0] == ("| 编号 | 工作任务 | 责任单位 | 完成时限 | 状态 | 进度 | 序时进度 "
                                  "| 提示 |")
    assert next(line for line in md.splitlines() if line.startswith("| 4.1 ")).endswith(
        "| 20% | 49% | ◆ 滞后 |")


def test_the_word_beside_the_light_says_why_and_machine_formats_keep_the_codes(run, paced):
    out = ok(run, *LATER, "list", "--item", "4", "-f", "table", env={"COLUMNS": "120"}).stdout
    assert "◆ 滞后" in _row(out, "4.1")
    assert "▲ 严重滞后" in _row(out, "4.3")  # red, but not late: the word says so
    assert "▲ 逾期" in _row(out, "4.4")
    assert "● 正常" in _row(out, "4.6")  # an ordinary task, untouched (4.5 now recurs)
    records = {r["id"]: r for r in as_json(ok(run, *LATER, "list", "-f", "json"))}
    assert (records["4.3"]["light"], records["4.3"]["signal"]) == ("red", "far_behind")
    tsv = ok(run, *LATER, "list", "-f", "tsv").stdout
    assert "far_behind" in tsv and "严重滞后" not in tsv and "▲" not in tsv
    tree = ok(run, *LATER, "tree", "-f", "table", env={"COLUMNS": "120"}).stdout
    assert "4.3 ▲ 严重滞后" in tree and "4.1 ◆ 滞后" in tree


def test_show_gives_the_expected_percent_and_the_lag_in_points(run, paced):
    out = ok(run, *LATER, "show", "4.1", "-f", "table").stdout
    assert "序时进度  49%" in out and "滞后      29 个百分点" in out and "◆ 滞后" in out
    md = ok(run, *LATER, "show", "4.1", "-f", "md").stdout
    assert "- **序时进度**: 49%" in md and "- **滞后**: 29 个百分点" in md
    closed = ok(run, *LATER, "show", "4.2", "-f", "md").stdout
    assert "序时进度" not in closed and "○ 已结" in closed


def test_shows_shares_table_words_each_units_light_by_its_signal(run, plan22, tmp_path):
    register = tmp_path / "单位名单.csv"
    register.write_text("单位名称,简称,类别,联系人,邮箱,手机,分组\n"
                        f"{HUA},华校,党组织,张文书,,,各直属党组织\n"
                        "金坛第一中学党委,一中,党组织,李四,,,各直属党组织\n", encoding="utf-8")
    ok(run, "--as-of", "2022-06-02", "units", "import", str(register))
    ok(run, "--as-of", "2022-06-02", "assign", "5.2", "--each", "各直属党组织")
    ok(run, "--as-of", "2022-06-03", "note", "5.2", "--unit", HUA, "已开始", "-p", "10")
    out = ok(run, *LATER, "show", "5.2", "-f", "table", env={"COLUMNS": "120"}).stdout
    hua = next(line for line in out.splitlines() if HUA in line)
    assert "▲ 严重滞后" in hua  # 10 % when 49 % of the time has gone
    md = ok(run, *LATER, "show", "5.2", "-f", "md").stdout
    assert f"- {HUA}: 未开始 ▲ 严重滞后 10%" in md


def test_the_form_shows_the_expected_percent_under_the_current_one_and_still_merges(
        run, plan22, tmp_path):
    ok(run, "--as-of", "2022-06-02", "assign", "4.1", "--to", "组织科", "--new-unit")
    ok(run, "--as-of", "2022-06-02", "note", "4.1", "进展", "-p", "20")
    result = ok(run, *LATER, "collect", "-o", str(tmp_path / "forms"))
    path = next(p for p in result.stdout.splitlines() if "组织科" in p)
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    assert (sheet["F4"].value, sheet["F5"].value) == ("当前进度", "20%\n序时 49%")
    assert sheet["F5"].protection.locked and sheet["G4"].value == "状态"
    sheet["C3"], sheet["H5"] = dt.date(2022, 9, 2), 60
    book.save(path)
    merged = ok(run, "--as-of", "2022-09-03", "merge", path, "--yes")
    assert "已合并" in merged.stderr
    assert as_json(ok(run, "--as-of", "2022-09-03", "show", "4.1", "-f", "json"))["percent"] == 60


def test_the_ledgers_tip_says_why_the_light_is_what_it_is(run, paced, tmp_path):
    path = tmp_path / "台账.xlsx"
    ok(run, *LATER, "export", "-f", "xlsx", "-o", str(path))
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    head = next(r for r in rows if "提示" in r)
    tip, ids = head.index("提示"), head.index("编号")
    # 4.6, untouched: 4.5 is now the branches' recurring 党员大会, a row per quarter
    by_id = {r[ids]: r[tip] for r in rows if r[ids] in ("4.1", "4.3", "4.4", "4.6")}
    assert by_id == {"4.1": "◆ 滞后", "4.3": "▲ 严重滞后", "4.4": "▲ 逾期", "4.6": "● 正常"}
