"""The 常态工作 block (issue 17 §2): the summary, the period report and a unit's report show the
ongoing tasks (常态推进) apart — how many, the quiet ones (久未报进展: no note within [lights]
ongoing_quiet_days), the latest note of each (a share's with its unit) or 暂无进展记录, and in a
period's report the ones without a note in the period (本期无进展). As of a past day a later
note does not count. Through the real CLI on a small plan written into tmp_path."""

from __future__ import annotations

from conftest import ONGOING_PLAN, as_json, ok

from jtdj.render.text import display_width

PLAN = ONGOING_PLAN
REGISTER = ("单位名称,简称,类别,联系人,邮箱,手机,分组\n"
            "甲校党支部,,党组织,张,a@example.org,,各直属党组织\n"
            "乙校党支部,,党组织,李,b@example.org,,各直属党组织\n"
            "组织科,,科室,王,z@example.org,,各科室\n")
T1, T3 = "深刻领悟“两个确立”决定性意义", "常态化收集分析党员干部思想动态"
WEEK = ("--week", "2022-W25")  # 2022-06-20 .. 2022-06-26


def _plan(run, tmp_path) -> None:
    """1.1 noted on 04-01 (quiet by 07-01: 91 days), 1.3 on 06-22; 1.2 is an ordinary task."""
    path = tmp_path / "og.toml"
    path.write_text(PLAN, encoding="utf-8")
    ok(run, "--as-of", "2022-03-01", "import", str(path))
    ok(run, "note", "1.1", "学习研讨", "--as-of", "2022-04-01")
    ok(run, "note", "1.3", "收集思想动态报告", "--as-of", "2022-06-22")


def _row(id, title, owner, light, signal, last_note, note, unit=None, **more):
    return {"id": id, "title": title, "owner": owner, "status": "todo", "light": light,
            "signal": signal, "last_note": last_note, "note": note, "unit": unit, **more}


def test_the_summary_lists_each_ongoing_task_with_its_latest_note_and_the_quiet_ones(
        run, tmp_path):
    _plan(run, tmp_path)
    data = as_json(ok(run, "--as-of", "2022-07-01", "summary", "-f", "json"))
    assert list(data) == ["plan", "as_of", "totals", "shares", "ongoing", "sections", "items",
                          "owners", "overdue", "due_soon"]
    assert data["ongoing"] == {"tasks": 2, "quiet": 1, "rows": [
        _row("1.1", T1, None, "yellow", "behind", "2022-04-01", "学习研讨"),
        _row("1.3", T3, "组织科", "green", "on_track", "2022-06-22", "收集思想动态报告")]}
    md = ok(run, "--as-of", "2022-07-01", "summary", "-f", "md").stdout
    assert "## 常态工作（2 项，1 项久未报进展）" in md
    assert (f"| 1.1 | {T1} | 未明确责任单位 | 2022-04-01 | 学习研讨 | 久未报进展 |") in md
    assert f"| 1.3 | {T3} | 组织科 | 2022-06-22 | 收集思想动态报告 |  |" in md
    assert md.index("## 常态工作") < md.index("## 分项进度")  # after the overall figures


def test_as_of_a_day_before_the_notes_an_ongoing_task_shows_no_note(run, tmp_path):
    _plan(run, tmp_path)
    data = as_json(ok(run, "--as-of", "2022-03-31", "summary", "-f", "json"))
    assert data["ongoing"] == {"tasks": 2, "quiet": 0, "rows": [
        _row("1.1", T1, None, "green", "on_track", None, None),
        _row("1.3", T3, "组织科", "green", "on_track", None, None)]}
    md = ok(run, "--as-of", "2022-03-31", "summary", "-f", "md").stdout
    assert f"| 1.1 | {T1} | 未明确责任单位 | — | 暂无进展记录 |  |" in md


def test_the_period_report_says_which_ongoing_tasks_had_no_note_in_the_period(run, tmp_path):
    _plan(run, tmp_path)
    data = as_json(ok(run, "--as-of", "2022-07-01", "report", *WEEK, "-f", "json"))
    assert data["ongoing"] == {"tasks": 2, "quiet": 0, "no_note_in_period": 1, "rows": [
        _row("1.1", T1, None, "green", "on_track", "2022-04-01", "学习研讨",
             note_in_period=False),
        _row("1.3", T3, "组织科", "green", "on_track", "2022-06-22", "收集思想动态报告",
             note_in_period=True)]}
    assert data["lagging"] == []  # an ongoing task has no pace: never in 进度滞后
    text = ok(run, "--as-of", "2022-07-01", "report", *WEEK).stdout
    assert (f"常态工作（2 项，本期无进展 1 项）\n"
            f"- 1.1 {T1}（未明确责任单位，本期无进展）\n"
            f"  2022-04-01 学习研讨\n"
            f"- 1.3 {T3}（组织科）\n"
            f"  2022-06-22 收集思想动态报告\n") in text
    assert "其中常态推进     2     2           0\n" in text
    html = ok(run, "--as-of", "2022-07-01", "report", *WEEK, "-f", "html").stdout
    assert "常态工作（2 项，本期无进展 1 项）</h2>" in html and "本期无进展</td>" in html


def _shared(run, tmp_path) -> None:
    """1.3 handed to both schools on 03-05; 甲校 notes its share on 06-22."""
    path = tmp_path / "og.toml"
    path.write_text(PLAN, encoding="utf-8")
    register = tmp_path / "单位名单.csv"
    register.write_text(REGISTER, encoding="utf-8")
    ok(run, "--as-of", "2022-03-01", "import", str(path))
    ok(run, "--as-of", "2022-03-01", "units", "import", str(register))
    ok(run, "--as-of", "2022-03-05", "assign", "1.3", "--each", "各直属党组织")
    ok(run, "--as-of", "2022-06-22", "note", "1.3", "--unit", "甲校党支部", "收集思想动态报告")


def test_a_note_on_a_share_is_the_ongoing_tasks_latest_and_names_its_unit(run, tmp_path):
    _shared(run, tmp_path)
    data = as_json(ok(run, "--as-of", "2022-07-01", "report", *WEEK, "-f", "json"))
    assert data["ongoing"]["rows"][1] == _row(
        "1.3", T3, "组织科", "green", "on_track", "2022-06-22", "收集思想动态报告",
        unit="甲校党支部", note_in_period=True)
    assert data["lagging"] == []  # 乙校's share is quiet, and no pace
    text = ok(run, "--as-of", "2022-07-01", "report", *WEEK).stdout
    assert f"- 1.3 {T3}（组织科）\n  2022-06-22（甲校党支部）收集思想动态报告\n" in text


def test_the_reports_ongoing_lines_wrap_at_80_columns(run, tmp_path):
    _plan(run, tmp_path)
    long = "按照区委要求，" * 12 + "持续开展学习研讨"
    ok(run, "note", "1.3", long, "--as-of", "2022-06-23")
    text = ok(run, "--as-of", "2022-07-01", "report", *WEEK).stdout
    part = text[text.index("常态工作"):text.index("四、滞后事项")].splitlines()
    assert all(display_width(line) <= 80 for line in part) and len(part) > 6
    assert "".join(x.strip() for x in part[4:-1]) == "2022-06-23 " + long


def test_a_units_report_lists_its_ongoing_tasks_with_their_own_latest_note(run, tmp_path):
    _shared(run, tmp_path)
    mine = as_json(ok(run, "--as-of", "2022-07-01", "report", *WEEK, "--unit", "甲校党支部",
                      "-f", "json"))
    assert mine["ongoing"] == [{"id": "1.3", "title": T3, "status": "todo",
                                "signal": "on_track", "last_note": "2022-06-22",
                                "note": "收集思想动态报告", "note_in_period": True,
                                "role": "share"}]
    assert mine["open"] == [] and mine["lagging"] == []
    other = as_json(ok(run, "--as-of", "2022-07-01", "report", *WEEK, "--unit", "乙校党支部",
                       "-f", "json"))
    assert other["ongoing"] == [{"id": "1.3", "title": T3, "status": "todo",
                                 "signal": "behind", "last_note": None, "note": None,
                                 "note_in_period": False, "role": "share"}]
    text = ok(run, "--as-of", "2022-07-01", "report", *WEEK, "--unit", "乙校党支部").stdout
    assert "\n常态工作\n" in text
    line = next(x for x in text.splitlines() if x.startswith("1.3"))
    assert line.split() == ["1.3", T3, "未开始", "—", "暂无进展记录", "久未报进展；本期无进展"]
