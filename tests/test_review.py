"""审核 and 延期 (issue 16, sections 1 and 2): a unit's 已完成 waits as 待审核 until the office
accepts it or sends it back; a unit's 申请延期 / 申请取消 waits as a request. Everything through
the real CLI, with forms filled as units fill them (openpyxl)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import openpyxl
import pytest

from conftest import as_json, ok
from test_units_roundtrip import HUA, REGISTER, YIZHONG, fill, share_of

AS_OF = ("--as-of", "2022-07-01")
LATER = ("--as-of", "2022-07-10")
NEXT_WEEK = ("--as-of", "2022-07-13")
ZZK = "组织科"
# the form's columns (render/form.py COLUMNS): B 编号, C 工作任务, G 状态, H 进度%, I 进展情况,
# L 佐证材料, M 完成日期, N 申请完成时限, O 理由; the first task row is 5
DUE = "2022-07-08"


@pytest.fixture
def round_(run, plan22, tmp_path):
    """Units registered; 5.2 and 5.3 handed to 各直属党组织; 1.1 and 1.2 led by 组织科, both due
    2022-07-08; forms collected on 2022-07-01 into tmp_path/forms; returns the forms by unit."""
    register = tmp_path / "单位名单.csv"
    register.write_text(REGISTER, encoding="utf-8")
    ok(run, *AS_OF, "units", "import", str(register))
    ok(run, *AS_OF, "assign", "5.2", "5.3", "--each", "各直属党组织")
    ok(run, *AS_OF, "assign", "1.1", "1.2", "--to", ZZK)
    ok(run, *AS_OF, "due", "1.1", DUE)
    ok(run, *AS_OF, "due", "1.2", DUE)
    result = ok(run, *AS_OF, "collect", "-o", str(tmp_path / "forms"))
    paths = [p for p in result.stdout.splitlines() if p]
    return {unit: next(p for p in paths if unit in p) for unit in (HUA, YIZHONG, ZZK)}


def task_of(run, task_id, *as_of):
    return as_json(ok(run, *as_of, "show", task_id, "-f", "json"))


def ids_of(run, *args):
    return [r["id"] for r in as_json(ok(run, *args, "-f", "json"))]


def totals(run, *as_of):
    return as_json(ok(run, *as_of, "summary", "-f", "json"))["totals"]


def report_11(round_, run, done_on=dt.date(2022, 7, 7), **more):
    """组织科 reports 1.1 已完成 on ``done_on`` in its form, merged on 2022-07-10."""
    fill(round_[ZZK], filled_on=done_on, G5="已完成", M5=done_on, I5="全员学完",
         L5="学习记录.pdf", **more)
    ok(run, *LATER, "merge", round_[ZZK], "--yes")


def test_a_merged_done_waits_for_review_counted_open_and_listed(run, round_):
    report_11(round_, run)
    task = task_of(run, "1.1", *LATER)
    assert (task["status"], task["light"], task["reported_on"]) == ("review", "blue",
                                                                    "2022-07-07")
    assert task["done_on"] is None
    counts = totals(run, *LATER)
    assert counts["review"] == 1 and counts["done"] == 0
    assert counts["open"] == counts["todo"] + counts["doing"] + counts["review"]
    assert counts["open"] == counts["tasks"] - counts["done"] - counts["dropped"]
    assert "1.1" in ids_of(run, *LATER, "list")  # the default list: what is open
    assert ids_of(run, *LATER, "list", "--status", "review") == ["1.1"]
    assert ids_of(run, *LATER, "list", "--status", "待审核") == ["1.1"]
    [waiting] = as_json(ok(run, *LATER, "review", "-f", "json"))
    assert (waiting["id"], waiting["unit"], waiting["kind"], waiting["on"]) == (
        "1.1", ZZK, "done", "2022-07-07")
    assert "全员学完" in waiting["note"] and waiting["evidence"] == ["学习记录.pdf"]
    assert waiting["late"] is False


def test_a_share_reported_done_by_its_unit_waits_for_review(run, round_):
    fill(round_[HUA], G5="已完成", M5=dt.date(2022, 7, 5), I5="已确定10家", L5="名单.pdf")
    ok(run, *LATER, "merge", round_[HUA], "--yes")
    share = share_of(run, "5.2", HUA, *LATER)
    assert (share["status"], share["light"], share["reported_on"]) == ("review", "blue",
                                                                      "2022-07-05")
    assert as_json(ok(run, *LATER, "summary", "-f", "json"))["shares"]["review"] == 1
    [waiting] = as_json(ok(run, *LATER, "review", "--unit", "华校", "-f", "json"))
    assert (waiting["id"], waiting["kind"], waiting["evidence"]) == ("5.2", "done", ["名单.pdf"])


def test_a_report_by_the_due_date_is_not_overdue_while_it_waits(run, round_):
    report_11(round_, run, done_on=dt.date(2022, 7, 7))  # due 07-08, now 07-10
    task = task_of(run, "1.1", *LATER)
    assert (task["status"], task["light"]) == ("review", "blue")
    assert "1.1" not in ids_of(run, *LATER, "list", "--overdue")
    assert "1.2" in ids_of(run, *LATER, "list", "--overdue")  # not reported: overdue
    # 1.2, and the four recurring tasks with a past occurrence open (4.5's second quarter; May
    # and June of 4.11, 4.12, 4.14), each counted once
    assert totals(run, *LATER)["overdue"] == 1 + 4


def test_a_report_on_the_due_date_itself_is_not_overdue(run, round_):
    report_11(round_, run, done_on=dt.date(2022, 7, 8))
    assert task_of(run, "1.1", *LATER)["light"] == "blue"
    assert "1.1" not in ids_of(run, *LATER, "list", "--overdue")


def test_a_report_after_the_due_date_is_overdue_and_red(run, round_):
    report_11(round_, run, done_on=dt.date(2022, 7, 9))
    task = task_of(run, "1.1", *LATER)
    assert (task["status"], task["light"]) == ("review", "red")
    assert "1.1" in ids_of(run, *LATER, "list", "--overdue")
    assert totals(run, *LATER)["overdue"] == 2 + 4  # 1.1, 1.2 and the four recurring tasks
    [waiting] = as_json(ok(run, *LATER, "review", "-f", "json"))
    assert waiting["late"] is True


def test_accept_with_a_unit_makes_it_done_on_the_day_reported(run, round_):
    fill(round_[HUA], G5="已完成", M5=dt.date(2022, 7, 5), G6="已完成", M6=dt.date(2022, 7, 6))
    fill(round_[YIZHONG], G5="已完成", M5=dt.date(2022, 7, 4))
    ok(run, *LATER, "merge", round_[HUA], round_[YIZHONG], "--yes")
    ok(run, *LATER, "accept", "5.2", "--unit", HUA)
    share = share_of(run, "5.2", HUA, *LATER)
    assert (share["status"], share["done_on"], share["reported_on"]) == ("done", "2022-07-05",
                                                                        None)
    assert share_of(run, "5.2", YIZHONG, *LATER)["status"] == "review"  # not named: waits
    assert share_of(run, "5.3", HUA, *LATER)["status"] == "review"


def test_accept_without_a_unit_accepts_every_waiting_share_of_that_task(run, round_):
    fill(round_[HUA], G5="已完成", M5=dt.date(2022, 7, 5), G6="已完成", M6=dt.date(2022, 7, 6))
    fill(round_[YIZHONG], G5="已完成", M5=dt.date(2022, 7, 4))
    ok(run, *LATER, "merge", round_[HUA], round_[YIZHONG], "--yes")
    assert task_of(run, "5.2", *LATER)["status"] == "review"  # every share waits: so does it
    ok(run, *LATER, "accept", "5.2")
    assert share_of(run, "5.2", HUA, *LATER)["done_on"] == "2022-07-05"
    assert share_of(run, "5.2", YIZHONG, *LATER)["done_on"] == "2022-07-04"
    task = task_of(run, "5.2", *LATER)
    assert (task["status"], task["done_on"]) == ("done", "2022-07-05")  # the latest share
    assert share_of(run, "5.3", HUA, *LATER)["status"] == "review"  # another task: waits


def test_accept_all_accepts_everything_that_waits(run, round_):
    fill(round_[HUA], G5="已完成", M5=dt.date(2022, 7, 5), G6="已完成", M6=dt.date(2022, 7, 6))
    ok(run, *LATER, "merge", round_[HUA], "--yes")
    report_11(round_, run)
    assert len(as_json(ok(run, *LATER, "review", "-f", "json"))) == 3
    ok(run, *LATER, "accept", "--all")
    assert as_json(ok(run, *LATER, "review", "-f", "json")) == []
    assert task_of(run, "1.1", *LATER)["status"] == "done"
    assert share_of(run, "5.3", HUA, *LATER)["done_on"] == "2022-07-06"
    assert totals(run, *LATER)["review"] == 0


def test_accept_of_something_not_waiting_is_an_error_and_changes_nothing(run, round_, db_path):
    from conftest import dump

    fill(round_[HUA], G5="已完成", M5=dt.date(2022, 7, 5))
    ok(run, *LATER, "merge", round_[HUA], "--yes")
    before = dump(db_path)
    for args in (("5.2", "--unit", YIZHONG), ("5.3",), ("1.1",), ("1.1", "--unit", ZZK),
                 ("5.2", "--unit", HUA, "5.3")):
        refused = run(*LATER, "accept", *args)
        assert refused.exit_code == 1, (args, refused.output)
        assert "Traceback" not in refused.output and len(refused.stderr.splitlines()) == 1
    assert dump(db_path) == before
    assert share_of(run, "5.2", HUA, *LATER)["status"] == "review"


def test_past_reports_stay_the_same_after_an_acceptance_made_later(run, round_):
    """Reported 07-05 (in the week 07-04..07-10), accepted on 07-13: the week's report, a
    summary of a day in between and show of that day read the same before and after."""
    fill(round_[HUA], G5="已完成", M5=dt.date(2022, 7, 5), G6="已完成", M6=dt.date(2022, 7, 6))
    fill(round_[YIZHONG], G5="已完成", M5=dt.date(2022, 7, 4))
    ok(run, *LATER, "merge", round_[HUA], round_[YIZHONG], "--yes")
    report_11(round_, run)
    week = (*NEXT_WEEK, "report", "--since", "2022-07-04", "--until", "2022-07-10", "-f", "json")
    by_unit = (*NEXT_WEEK, "report", "--since", "2022-07-04", "--until", "2022-07-10",
               "--by-unit", "-f", "json")
    between = ("--as-of", "2022-07-11")
    before = (as_json(ok(run, *week)), as_json(ok(run, *by_unit)), totals(run, *between),
              as_json(ok(run, *between, "summary", "-f", "json"))["shares"])
    assert before[2]["review"] == 2 and before[2]["done"] == 0  # 1.1 and 5.2
    ok(run, *NEXT_WEEK, "accept", "--all")
    assert totals(run, *NEXT_WEEK)["review"] == 0
    after = (as_json(ok(run, *week)), as_json(ok(run, *by_unit)), totals(run, *between),
             as_json(ok(run, *between, "summary", "-f", "json"))["shares"])
    assert after == before
    assert task_of(run, "1.1", *between)["status"] == "review"
    assert share_of(run, "5.2", HUA, *between)["status"] == "review"
    assert task_of(run, "5.2", *between)["status"] == "review"
    # before the report it was what it was
    assert task_of(run, "1.1", "--as-of", "2022-07-06")["status"] == "todo"
    assert share_of(run, "5.2", HUA, "--as-of", "2022-07-04")["status"] == "todo"


def test_return_sends_it_back_and_the_next_form_shows_the_reason(run, round_, tmp_path):
    fill(round_[HUA], G5="已完成", M5=dt.date(2022, 7, 5))
    ok(run, *LATER, "merge", round_[HUA], "--yes")
    ok(run, *LATER, "return", "5.2", "--unit", HUA, "--reason", "缺少名单盖章件")
    share = share_of(run, "5.2", HUA, *LATER)
    assert (share["status"], share["reported_on"], share["returned"]) == (
        "doing", None, "缺少名单盖章件")
    assert as_json(ok(run, *LATER, "review", "-f", "json")) == []
    out = ok(run, *LATER, "collect", "--unit", HUA, "-o", str(tmp_path / "again")).stdout
    [path] = [p for p in out.splitlines() if p]
    sheet = openpyxl.load_workbook(path).worksheets[0]
    cells = {sheet.cell(r, 2).value: sheet.cell(r, 3).value for r in range(5, sheet.max_row + 1)}
    assert "退回：缺少名单盖章件" in cells["5.2"]
    assert "退回" not in cells["5.3"]
    # the unit reports again: it waits again and can be accepted
    fill(path, filled_on=dt.date(2022, 7, 12), G5="已完成", M5=dt.date(2022, 7, 12),
         L5="盖章件.pdf")
    ok(run, *NEXT_WEEK, "merge", path, "--yes")
    share = share_of(run, "5.2", HUA, *NEXT_WEEK)
    assert (share["status"], share["reported_on"]) == ("review", "2022-07-12")
    ok(run, *NEXT_WEEK, "accept", "5.2", "--unit", HUA)
    share = share_of(run, "5.2", HUA, *NEXT_WEEK)
    assert (share["status"], share["done_on"]) == ("done", "2022-07-12")


def test_a_task_led_by_a_unit_is_returned_too(run, round_):
    report_11(round_, run)
    ok(run, *LATER, "return", "1.1", "--reason", "请补充学习记录")
    task = task_of(run, "1.1", *LATER)
    assert (task["status"], task["returned"], task["reported_on"]) == ("doing", "请补充学习记录",
                                                                      None)


def test_undo_of_accept_return_and_extend_each_restores_the_state_before(run, round_, db_path):
    from conftest import dump

    fill(round_[HUA], G5="已完成", M5=dt.date(2022, 7, 5))
    ok(run, *LATER, "merge", round_[HUA], "--yes")
    waiting = dump(db_path)
    for args in (("accept", "5.2", "--unit", HUA),
                 ("return", "5.2", "--unit", HUA, "--reason", "不全"),
                 ("extend", "5.3", "2023-03-31", "--unit", HUA, "--reason", "暑期")):
        ok(run, *LATER, *args)
        assert dump(db_path) != waiting
        ok(run, *LATER, "undo")
        assert share_of(run, "5.2", HUA, *LATER)["status"] == "review"
        assert share_of(run, "5.3", HUA, *LATER)["request"] is None
        assert _without_undo_log(dump(db_path)) == _without_undo_log(waiting), args


def _without_undo_log(lines: list[str]) -> list[str]:
    """The rows that say what the plan is (an undo leaves its own record behind)."""
    kept = ("INSERT INTO \"tasks\"", "INSERT INTO \"shares\"", "INSERT INTO \"notes\"")
    return sorted(line for line in lines if line.startswith(kept))


def test_extend_records_a_request_accepted_moves_the_due_date(run, round_):
    ok(run, *LATER, "extend", "5.3", "2023-03-31", "--unit", "华校", "--reason", "暑期不便组织")
    share = share_of(run, "5.3", HUA, *LATER)
    assert share["status"] == "todo" and share["due"] == "2022-12-31"  # status unchanged
    assert share["request"]["kind"] == "extend" and share["request"]["due"] == "2023-03-31"
    assert share["request"]["reason"] == "暑期不便组织"
    [waiting] = as_json(ok(run, *LATER, "review", "-f", "json"))
    assert (waiting["id"], waiting["unit"], waiting["kind"], waiting["new_due"],
            waiting["reason"]) == ("5.3", HUA, "extend", "2023-03-31", "暑期不便组织")
    ok(run, *LATER, "accept", "5.3", "--unit", HUA)
    share = share_of(run, "5.3", HUA, *LATER)
    assert (share["due"], share["request"], share["extensions"]) == ("2023-03-31", None, 1)
    assert share_of(run, "5.3", YIZHONG, *LATER)["due"] == "2022-12-31"
    bulletin = as_json(ok(run, *LATER, "report", "--since", "2022-07-04", "--by-unit",
                          "-f", "json"))
    extensions = {u["unit"]: u["extensions"] for u in bulletin["units"]}
    assert (extensions[HUA], extensions[YIZHONG]) == (1, 0)


def test_extend_of_a_task_led_by_a_unit_accepted_counts_one_extension(run, round_):
    ok(run, *LATER, "extend", "1.1", "2022-09-30", "--reason", "待上级部署")
    assert task_of(run, "1.1", *LATER)["request"]["kind"] == "extend"
    ok(run, *LATER, "accept", "1.1")
    task = task_of(run, "1.1", *LATER)
    assert (task["due"], task["extensions"], task["request"]) == ("2022-09-30", 1, None)


def test_the_ledger_says_how_often_each_task_was_extended_and_chased(run, round_, tmp_path):
    ok(run, *LATER, "extend", "5.3", "2023-03-31", "--unit", HUA, "--reason", "暑期不便组织")
    ok(run, *LATER, "accept", "5.3", "--unit", HUA)
    ok(run, *LATER, "urge", "--unit", YIZHONG, "--due-within", "200")
    ledger = tmp_path / "台账.xlsx"
    ok(run, *LATER, "export", "-f", "xlsx", "-o", str(ledger))
    sheet = openpyxl.load_workbook(ledger).worksheets[0]
    progress = {r[1]: r[11] for r in sheet.iter_rows(min_row=4, values_only=True) if r[1]}
    assert "已延期 1 次" in progress["5.3"] and "已催办 1 次" in progress["5.3"]
    assert "已延期" not in (progress["5.2"] or "") and "已催办 1 次" in progress["5.2"]
    assert not progress.get("1.2")  # nothing moved or chased: nothing said
    earlier = tmp_path / "台账-07-01.xlsx"  # history-true: before the extension and the urge
    ok(run, *AS_OF, "export", "-f", "xlsx", "-o", str(earlier))
    sheet = openpyxl.load_workbook(earlier).worksheets[0]
    assert not any("已延期" in (r[11] or "") for r in sheet.iter_rows(min_row=4, values_only=True))


def test_extend_returned_is_turned_down_with_the_due_date_unchanged(run, round_):
    ok(run, *LATER, "extend", "5.3", "2023-03-31", "--unit", HUA, "--reason", "暑期")
    ok(run, *LATER, "return", "5.3", "--unit", HUA, "--reason", "按原时限完成")
    share = share_of(run, "5.3", HUA, *LATER)
    assert (share["due"], share["request"], share["returned"], share["extensions"]) == (
        "2022-12-31", None, "按原时限完成", 0)
    assert share["status"] == "todo"
    assert as_json(ok(run, *LATER, "review", "-f", "json")) == []


def test_a_form_row_asking_for_more_time_becomes_a_waiting_request(run, round_):
    fill(round_[HUA], filled_on=dt.date(2022, 7, 7), G6="申请延期", N6=dt.date(2023, 3, 31),
         O6="暑期不便组织")
    ok(run, *LATER, "merge", round_[HUA], "--yes")
    share = share_of(run, "5.3", HUA, *LATER)
    assert share["status"] == "todo" and share["due"] == "2022-12-31"
    assert share["request"]["kind"] == "extend" and share["request"]["due"] == "2023-03-31"
    [waiting] = as_json(ok(run, *LATER, "review", "-f", "json"))
    assert (waiting["kind"], waiting["new_due"], waiting["reason"]) == (
        "extend", "2023-03-31", "暑期不便组织")
    ok(run, *LATER, "accept", "--all")
    assert share_of(run, "5.3", HUA, *LATER)["due"] == "2023-03-31"


def test_a_form_row_asking_to_cancel_accepted_drops_the_share_with_the_reason(run, round_):
    fill(round_[YIZHONG], G5="申请取消", O5="本校不涉及")
    ok(run, *LATER, "merge", round_[YIZHONG], "--yes")
    share = share_of(run, "5.2", YIZHONG, *LATER)
    assert share["status"] == "todo" and share["request"]["kind"] == "cancel"
    [waiting] = as_json(ok(run, *LATER, "review", "-f", "json"))
    assert (waiting["kind"], waiting["reason"]) == ("cancel", "本校不涉及")
    ok(run, *LATER, "accept", "5.2", "--unit", YIZHONG)
    share = share_of(run, "5.2", YIZHONG, *LATER)
    assert (share["status"], share["drop_reason"], share["request"]) == (
        "dropped", "本校不涉及", None)
    assert [u["unit"] for u in task_of(run, "5.2", *LATER)["units"]
            if u["status"] != "dropped"] == [HUA]


def test_done_reported_on_a_task_led_by_a_unit_goes_to_review(run, round_):
    ok(run, *LATER, "done", "1.1", "--unit", ZZK, "--reported", "--on", "2022-07-07",
       "--note", "电话报告已完成")
    task = task_of(run, "1.1", *LATER)
    assert (task["status"], task["reported_on"], task["done_on"]) == ("review", "2022-07-07",
                                                                      None)
    [waiting] = as_json(ok(run, *LATER, "review", "-f", "json"))
    assert (waiting["id"], waiting["kind"], waiting["note"]) == ("1.1", "done", "电话报告已完成")
    ok(run, *LATER, "accept", "1.1")
    assert task_of(run, "1.1", *LATER)["done_on"] == "2022-07-07"


def test_done_reported_on_a_share_goes_to_review(run, round_):
    ok(run, *LATER, "done", "5.2", "--unit", "华校", "--reported")
    share = share_of(run, "5.2", HUA, *LATER)
    assert (share["status"], share["reported_on"]) == ("review", "2022-07-10")


def test_the_clerks_own_done_is_never_held(run, round_):
    ok(run, *LATER, "done", "1.1", "--on", "2022-07-07")
    ok(run, *LATER, "done", "1.3")
    ok(run, *LATER, "done", "5.2", "--unit", HUA)
    assert task_of(run, "1.1", *LATER)["status"] == "done"
    assert task_of(run, "1.3", *LATER)["status"] == "done"
    assert share_of(run, "5.2", HUA, *LATER)["status"] == "done"
    assert as_json(ok(run, *LATER, "review", "-f", "json")) == []


def test_with_review_of_units_turned_off_a_merged_done_counts_at_once(run, round_, tmp_path):
    (tmp_path / "config.toml").write_text("[review]\nunits = false\n", encoding="utf-8")
    fill(round_[HUA], G5="已完成", M5=dt.date(2022, 7, 5))
    ok(run, *LATER, "merge", round_[HUA], "--yes")
    share = share_of(run, "5.2", HUA, *LATER)
    assert (share["status"], share["done_on"]) == ("done", "2022-07-05")
    assert totals(run, *LATER)["review"] == 0
    assert as_json(ok(run, *LATER, "review", "-f", "json")) == []


def test_with_review_of_units_turned_off_done_reported_counts_at_once(run, round_, tmp_path):
    (tmp_path / "config.toml").write_text("[review]\nunits = false\n", encoding="utf-8")
    ok(run, *LATER, "done", "5.2", "--unit", HUA, "--reported", "--on", "2022-07-06")
    assert share_of(run, "5.2", HUA, *LATER)["done_on"] == "2022-07-06"
    # a task led by a unit (no shares): the unit named is its lead, as with review on
    ok(run, *LATER, "done", "1.1", "--unit", ZZK, "--reported", "--on", "2022-07-07")
    task = task_of(run, "1.1", *LATER)
    assert (task["status"], task["done_on"]) == ("done", "2022-07-07")
    assert as_json(ok(run, *LATER, "review", "-f", "json")) == []


@pytest.mark.parametrize("args", [("merge", "FORM", "--yes"),
                                  ("done", "1.1", "--unit", ZZK, "--reported")])
def test_a_bad_review_setting_is_a_one_line_usage_error(run, round_, tmp_path, db_path, args):
    from conftest import dump

    (tmp_path / "config.toml").write_text('[review]\nunits = "yes"\n', encoding="utf-8")
    fill(round_[HUA], G5="已完成", M5=dt.date(2022, 7, 5))
    before = dump(db_path)
    result = run(*LATER, *[round_[HUA] if a == "FORM" else a for a in args])
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "review.units" in result.stderr
    assert "Traceback" not in result.output
    assert dump(db_path) == before


def _tasks(rows) -> set[str]:
    """The tasks of `list`'s rows: a recurring task (4.5 and its family) once however many of its
    occurrences (4.11@2022-05 …) are rows, as the summary counts it."""
    return {r["id"].partition("@")[0] for r in rows}


def _by_status(run, *as_of) -> Counter:
    # no occurrence is touched here, so a recurring task's begun occurrences share a status
    rows = as_json(ok(run, *as_of, "list", "--status", "all", "-f", "json"))
    return Counter(status for _, status in {(r["id"].partition("@")[0], r["status"])
                                            for r in rows})


@pytest.mark.parametrize("day, in_review", [("2022-07-06", 1), ("2022-07-10", 2),
                                             ("2022-07-11", 2)])
def test_summary_totals_equal_the_list_counted_by_status_with_tasks_in_review(run, round_,
                                                                              day, in_review):
    fill(round_[HUA], G5="已完成", M5=dt.date(2022, 7, 5), G6="推进中", H6=40)
    fill(round_[YIZHONG], G5="已完成", M5=dt.date(2022, 7, 4))
    ok(run, *LATER, "merge", round_[HUA], round_[YIZHONG], "--yes")
    report_11(round_, run)
    ok(run, *LATER, "done", "1.3")
    ok(run, *LATER, "drop", "1.4", "--reason", "合并到1.3")
    ok(run, *NEXT_WEEK, "accept", "1.1")  # after the day asked for: there 1.1 still waits
    as_of = ("--as-of", day)
    counts = totals(run, *as_of)
    listed = _by_status(run, *as_of)
    # 5.2 (both shares reported by 07-05) and, from 07-07, 1.1
    assert listed["review"] == in_review
    for status in ("todo", "doing", "done", "review", "dropped"):
        assert counts[status] == listed[status], status
    assert counts["tasks"] == sum(listed.values())
    assert counts["open"] == listed["todo"] + listed["doing"] + listed["review"]
    assert counts["open"] == len(_tasks(as_json(ok(run, *as_of, "list", "-f", "json"))))
    assert counts["overdue"] == len(_tasks(as_json(ok(run, *as_of, "list", "--overdue",
                                                      "-f", "json"))))
    # and today (07-13, after the acceptance) too
    now = totals(run, *NEXT_WEEK)
    listed = _by_status(run, *NEXT_WEEK)
    assert now["review"] == listed["review"] == 1 and now["done"] == listed["done"]
    assert now["open"] == len(_tasks(as_json(ok(run, *NEXT_WEEK, "list", "-f", "json"))))


@pytest.mark.parametrize("fmt", ["json", "tsv"])
def test_a_task_waiting_for_review_is_written_by_sqlite_as_in_python(run, round_, monkeypatch,
                                                                      fmt):
    """The lines SQLite writes for a full list (``store.lines``) hold a report waiting for
    review, on time and late, as the Python writers do."""
    from jtdj.store.tasks import TaskStream

    report_11(round_, run, done_on=dt.date(2022, 7, 9))
    days = [LATER, NEXT_WEEK, ("--as-of", "2022-07-08")]
    fast = [ok(run, *day, "list", "--status", "all", "--format", fmt).stdout for day in days]
    monkeypatch.setattr(TaskStream, "written", lambda self, *args: None)
    slow = [ok(run, *day, "list", "--status", "all", "--format", fmt).stdout for day in days]
    assert fast == slow
    assert "review" in fast[0]
