"""督办 outputs with review (issue 16): the 通报's 待审核 column (and in the ledger's 各单位
sheet, and as a part of the period report), a unit's own report listing what waits for review
and what was sent back, and the 催办通知 showing the office's reason — all as of their day."""

from __future__ import annotations

from datetime import date

import openpyxl

from conftest import as_json, ok
from test_bulletin import MADE, W27, bulletin, office  # noqa: F401  (the fixture)
from test_unit_brief import HUA, MADE as BRIEF_MADE, PERIOD, brief, ids, week
from test_urge import AS_OF as URGE_DAY, YIZHONG, chased  # noqa: F401  (the fixture)

W28 = ("--week", "2022-W28")  # 2022-07-11 .. 2022-07-17


def by_unit(data) -> dict[str, dict]:
    return {u["unit"]: u for u in data["units"]}


def test_the_bulletin_counts_what_waits_for_review_as_open_and_stays_true_for_its_week(
        run, office):
    on = ("--as-of", "2022-07-06")
    ok(run, *on, "done", "1.8", "--unit", "己科", "--reported")  # a share reported
    ok(run, *on, "done", "1.4", "--unit", "乙科", "--reported")  # a task 乙科 leads
    week27 = bulletin(run)
    ji, yi = by_unit(week27)["己科"], by_unit(week27)["乙科"]
    assert (ji["review"], ji["done"], ji["percent_done"]) == (1, 0, 0)  # open, not done
    assert (yi["review"], yi["done"], yi["percent_done"]) == (1, 1, 50)
    assert by_unit(week27)["甲科"]["review"] == 0
    text = ok(run, *MADE, "report", *W27, "--by-unit").stdout
    header = next(line for line in text.splitlines() if line.startswith("位次"))
    row = next(line for line in text.splitlines() if "己科" in line.split()[:2])
    assert row.split()[header.split().index("待审核")] == "1"
    later = ("--as-of", "2022-07-12")
    ok(run, *later, "accept", "--all")
    assert bulletin(run, made=later)["units"] == week27["units"]  # W27 as it was
    week28 = by_unit(bulletin(run, made=("--as-of", "2022-07-18"), week=W28))
    assert (week28["己科"]["review"], week28["己科"]["done"]) == (0, 1)
    assert (week28["乙科"]["review"], week28["乙科"]["percent_done"]) == (0, 100)


def test_an_accepted_extension_request_counts_as_an_extension_and_a_waiting_one_does_not(
        run, office):
    on = ("--as-of", "2022-07-06")
    ok(run, *on, "extend", "1.9", "2023-03-31", "--reason", "待上级批复")  # 庚科 leads 1.9
    ok(run, *on, "extend", "1.8", "2023-01-31", "--unit", "己科", "--reason", "场地未定")
    ok(run, *on, "extend", "1.6", "2023-02-28", "--reason", "另有安排")  # 丙科's, never accepted
    ok(run, *on, "done", "1.10", "--unit", "己科", "--reported")
    ok(run, "--as-of", "2022-07-07", "accept", "1.9", "1.8")
    units = by_unit(bulletin(run))
    assert (units["庚科"]["extensions"], units["己科"]["extensions"],
            units["丙科"]["extensions"]) == (1, 1, 0)
    assert (units["己科"]["review"], units["丙科"]["review"]) == (1, 0)  # a request is no report


def test_the_period_report_shows_the_bulletins_table_for_its_period(run, office):
    ok(run, "--as-of", "2022-07-06", "done", "1.8", "--unit", "己科", "--reported")
    report = as_json(ok(run, *MADE, "report", *W27, "-f", "json"))
    whole = bulletin(run)
    assert report["by_unit"] == {"units": whole["units"], "late": whole["late"]}
    text = ok(run, *MADE, "report", *W27).stdout.splitlines()
    start = text.index("各单位落实情况及位次")
    header = text[start + 1]
    assert header.split()[:2] == ["位次", "单位"] and "待审核" in header
    assert all(len(line) <= 80 for line in text[start:start + 4])  # an 80-column terminal
    assert any(line.split()[1] == "己科" for line in text[start + 2:start + 12] if line.strip())
    assert "各单位落实情况及位次" in ok(run, *MADE, "report", *W27, "-f", "html").stdout


def test_a_plan_without_units_at_work_has_no_bulletin_section(run, plan22):
    report = as_json(ok(run, "--as-of", "2022-07-11", "report", *W27, "-f", "json"))
    assert "by_unit" not in report
    assert "各单位落实情况及位次" not in ok(run, "--as-of", "2022-07-11", "report", *W27).stdout


def _review_week(run, plan22, tmp_path):
    """华校 reports its share of 5.3 and the task 1.3 it leads done on 07-06; the office sends
    1.3 back on 07-07; 华校 asks on 07-07 to move 1.2 to 08-31."""
    week(run, plan22, tmp_path)
    ok(run, "--as-of", "2022-07-06", "done", "5.3", "1.3", "--unit", HUA, "--reported")
    ok(run, "--as-of", "2022-07-07", "return", "1.3", "--unit", HUA, "--reason", "请补充会议记录")
    ok(run, "--as-of", "2022-07-07", "extend", "1.2", "2022-08-31", "--unit", HUA,
       "--reason", "暑期不便组织")


def test_a_units_report_lists_what_waits_for_review_and_what_was_sent_back(run, plan22,
                                                                          tmp_path):
    _review_week(run, plan22, tmp_path)
    data = brief(run)
    waits = [(r["id"], r["kind"], r["on"], r["new_due"], r["reason"]) for r in data["review"]]
    assert waits == [("1.2", "extend", "2022-07-07", "2022-08-31", "暑期不便组织"),
                     ("5.3", "done", "2022-07-06", None, None)]
    assert [(r["id"], r["reason"], r["on"], r["status"]) for r in data["returned"]] == [
        ("1.3", "请补充会议记录", "2022-07-07", "doing")]
    assert data["figures"]["review"] == 1  # 5.3's share, as the 通报 counts it
    assert "5.3" not in ids(data["due_soon"] + data["open"]) and "1.3" in ids(data["open"])
    text = brief(run, fmt="text")
    assert "待审核事项" in text and "退回事项" in text and "请补充会议记录" in text
    assert "申请延期至8月31日" in text
    md = brief(run, fmt="md")
    assert "## 待审核事项" in md and "| 1.3 |" in md.split("## 退回事项")[1]
    html = brief(run, fmt="html")
    assert "退回事项" in html and "请补充会议记录" in html
    english = ok(run, "--lang", "en", *BRIEF_MADE, "report", *PERIOD, "--unit", "华校").stdout
    assert "Waiting for review" in english and "Sent back" in english


def test_a_units_report_shows_review_and_returns_as_they_were_on_its_day(run, plan22,
                                                                         tmp_path):
    _review_week(run, plan22, tmp_path)
    before = brief(run)
    later = ("--as-of", "2022-07-12")
    ok(run, *later, "accept", "5.3", "1.2", "--unit", HUA)
    ok(run, *later, "done", "1.3", "--unit", HUA, "--reported")
    again = brief(run)
    assert (again["review"], again["returned"]) == (before["review"], before["returned"])
    earlier = as_json(ok(run, *BRIEF_MADE, "report", "--since", "2022-07-04", "--until",
                         "2022-07-05", "--unit", HUA, "-f", "json"))
    assert (earlier["review"], earlier["returned"]) == ([], [])
    now = as_json(ok(run, *later, "report", "--since", "2022-07-11", "--until", "2022-07-12",
                     "--unit", HUA, "-f", "json"))
    assert [(r["id"], r["kind"]) for r in now["review"]] == [("1.3", "done")]
    assert now["returned"] == []  # reported again: no longer sent back


def test_an_urge_shows_the_offices_return_reason_and_leaves_out_what_waits_for_review(
        run, chased):
    ok(run, *URGE_DAY, "done", "5.2", "--unit", "华校", "--reported")  # waits: not chased
    ok(run, *URGE_DAY, "done", "5.2", "--unit", YIZHONG, "--reported")
    ok(run, *URGE_DAY, "return", "5.2", "--unit", YIZHONG, "--reason", "请附名单")
    result = ok(run, *URGE_DAY, "urge")
    notices = result.stdout.split("-" * 40)
    assert not any("华罗庚实验学校党支部：" in n for n in notices)
    assert "华罗庚实验学校党支部" in result.stderr  # named as having nothing to chase
    yizhong = next(n for n in notices if f"{YIZHONG}：" in n)
    assert "5.2" in yizhong and "退回原因：请附名单" in yizhong
    assert "退回原因" not in next(n for n in notices if "组织科：" in n)
    md = ok(run, *URGE_DAY, "urge", "--unit", YIZHONG, "-f", "md", "--force").stdout
    assert "| 退回原因 |" in md and "请附名单 |" in md
    html = ok(run, *URGE_DAY, "urge", "--unit", YIZHONG, "-f", "html", "--force").stdout
    assert ">退回原因</th>" in html and ">请附名单</td>" in html


def test_the_ledgers_units_sheet_has_the_bulletins_review_column(run, office, tmp_path):
    ok(run, "--as-of", "2022-07-06", "done", "1.8", "--unit", "己科", "--reported")
    ledger = tmp_path / "台账.xlsx"
    ok(run, *MADE, "export", "-f", "xlsx", "-o", str(ledger))
    sheet = openpyxl.load_workbook(ledger)["各单位"]
    table = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    header = table[0]
    column = header.index("待审核")
    assert header[column - 2:column] == ["逾期", "滞后"] and header[column + 1] == "延期次数"
    assert {r[1]: r[column] for r in table[1:]}["己科"] == 1
