"""`jtdj report`: a period report from events on known dates, in four formats."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from conftest import as_json, rows

PERIOD = ("--since", "2022-06-25", "--until", "2022-07-01")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@pytest.fixture
def scene(run, imported):
    """Events before, on the edges of, and inside the period 2022-06-25 ..= 2022-07-01."""
    for args in (
        ("assign", "--new-unit", "5", "--to", "组织科"), ("assign", "--new-unit", "8.5", "7.6", "--to", "宣传科"),
        ("due", "5.3", "2022-06-25"), ("due", "5.4", "2022-06-28"), ("due", "2.1", "2022-06-20"),
        ("due", "7.6", "2022-07-10"),
    ):
        assert run("--as-of", "2022-06-01", *args).exit_code == 0
    for args in (
        ("done", "5.1", "--on", "2022-06-28", "--note", "已印发通知"),
        ("done", "1.1", "--on", "2022-06-20"),  # before the period
        ("done", "5.5", "--on", "2022-06-24"),  # the day before `since`: not in the period
        ("done", "5.6", "--on", "2022-07-01"),  # on `until`: in it
        ("done", "6.1", "--on", "2022-07-02"),  # after it
        ("drop", "4.1", "--reason", "上级取消", "--on", "2022-06-26"),
    ):
        assert run("--as-of", "2022-07-05", *args).exit_code == 0
    for as_of, args in (
        ("2022-06-30", ("note", "5.2", "已召开动员会 <b>&", "--percent", "40")),
        ("2022-06-25", ("note", "5", "条目进展")),
        ("2022-06-24", ("note", "5.3", "期前的进展")),
        ("2022-07-02", ("note", "5.4", "期后的进展")),
    ):
        assert run("--as-of", as_of, *args).exit_code == 0


def title(db_path, task_id: str) -> str:
    return rows(db_path, "SELECT title FROM tasks WHERE id = ?", task_id)[0]["title"]


def report(run, *args, as_of="2022-07-05"):
    result = run("--as-of", as_of, "report", *args)
    assert result.exit_code == 0, result.output
    return result


def test_each_part_of_the_period(run, scene, db_path):
    data = as_json(report(run, *PERIOD, "--format", "json"))
    assert data["plan"] == "2022"
    assert data["period"] == {"since": "2022-06-25", "until": "2022-07-01",
                              "first_day": "2022-06-25", "week": None}
    ov = data["overview"]
    # the plan's 15 ongoing tasks (常态推进, 1.1 among them) are out of 完成率's base: at the
    # start 5.5 of 112 - 15 (1.1 done but ongoing) = 1/97 = 1 %; at the end 5.5, 5.1, 5.6 of
    # 112 - 1 dropped - 15 = 3/96 = 3 %. A recurring task counts once: overdue while a past
    # occurrence is open (at the start 2.1 and May's 4.11, 4.12, 4.14; at the end also 5.3,
    # 5.4 and 4.5's second quarter), due soon while one is due within 14 days (at the start
    # 5.3, 5.4 and the four whose occurrence falls due 06-30; at the end 7.6, 8.5 and 8.6)
    assert ov["start"] == {"tasks": 112, "done": 2, "doing": 0, "todo": 110, "review": 0,
                           "dropped": 0, "open": 110, "overdue": 4, "due_soon": 6,
                           "behind": 0, "far_behind": 0, "ongoing": 15, "percent_done": 1}
    assert ov["end"] == {"tasks": 112, "done": 4, "doing": 0, "todo": 107, "review": 0,
                         "dropped": 1, "open": 107, "overdue": 7, "due_soon": 3,
                         "behind": 0, "far_behind": 0, "ongoing": 15, "percent_done": 3}
    assert ov["change"] == {"tasks": 0, "done": 2, "doing": 0, "todo": -3, "review": 0, "dropped": 1,
                            "open": -3, "overdue": 3, "due_soon": -3,
                            "behind": 0, "far_behind": 0, "ongoing": 0, "percent_done": 2}
    assert data["completed"] == [
        {"id": "5.1", "title": title(db_path, "5.1"), "owner": "组织科", "on": "2022-06-28",
         "note": "已印发通知"},
        {"id": "5.6", "title": title(db_path, "5.6"), "owner": "组织科", "on": "2022-07-01",
         "note": None},
    ]
    assert data["progress"] == [
        {"id": "5.2", "title": title(db_path, "5.2"), "on": "2022-06-30", "by": "tester",
         "text": "已召开动员会 <b>&", "percent": 40},
        {"id": "5", "title": "加强党建品牌阵地建设", "on": "2022-06-25", "by": "tester",
         "text": "条目进展", "percent": None},
    ]
    def missed(task_id, due, days):  # a recurring task by its first overdue occurrence
        return {"id": task_id, "title": title(db_path, task_id.partition("@")[0]), "owner": None,
                "due": due, "days": days}

    assert data["overdue"] == [
        {"owner": None, "tasks": [
            missed("4.11@2022-05", "2022-05-31", 31), missed("4.12@2022-05", "2022-05-31", 31),
            missed("4.14@2022-05", "2022-05-31", 31),
            {"id": "2.1", "title": title(db_path, "2.1"), "owner": None,
             "due": "2022-06-20", "days": 11}, missed("4.5@2022-Q2", "2022-06-30", 1)]},
        {"owner": "组织科", "tasks": [
            {"id": "5.3", "title": title(db_path, "5.3"), "owner": "组织科", "due": "2022-06-25",
             "days": 6},
            {"id": "5.4", "title": title(db_path, "5.4"), "owner": "组织科", "due": "2022-06-28",
             "days": 3}]},
    ]
    assert data["due_soon"] == [
        {"id": "7.6", "title": title(db_path, "7.6"), "owner": "宣传科", "due": "2022-07-10"},
        {"id": "8.5", "title": title(db_path, "8.5"), "owner": "宣传科", "due": "2022-07-15"},
        # 8.5's 表彰, split off as 8.6 (not handed to 宣传科)
        {"id": "8.6", "title": title(db_path, "8.6"), "owner": None, "due": "2022-07-15"},
    ]
    sections = {s["section"]: s for s in data["sections"]}
    # 3 of 27 (item 4 has 15 tasks since the splits) - 1 dropped - 1 ongoing (6.1) = 3/25
    assert (sections[2]["done"], sections[2]["dropped"], sections[2]["percent_done"]) == (3, 1, 12)
    item5 = next(i for i in sections[2]["items"] if i["item"] == 5)
    assert (item5["tasks"], item5["done"], item5["percent_done"]) == (6, 3, 50)
    assert [i["item"] for i in sections[1]["items"]] == [1, 2, 3]


def test_text_report(run, scene, db_path):
    out = report(run, *PERIOD).stdout  # text is the default format
    parts = out.split("\n\n")
    assert parts[0] == ("2022年区委教育工委党的建设重点工作要点 进展周报\n"
                        "中共常州市金坛区委教育工作委员会 坛教委字〔2022〕6号\n"
                        "统计期间：2022-06-25 至 2022-07-01，截至 2022-07-05")
    assert parts[1].splitlines()[0] == "一、总体情况"
    # the label column is as wide as its longest label, 其中常态推进 (the ongoing tasks)
    assert "已完成           2     4           +2" in parts[1]
    # 1.1 (done before the period) is ongoing, out of 完成率's base, as are the other 14
    assert "其中常态推进    15    15            0" in parts[1]
    assert parts[1].splitlines()[-1] == "完成率          1%    3%  +2 个百分点"  # 3/96: see above
    assert parts[2] == (f"二、本期完成（2 项）\n"
                        f"- 5.1 {title(db_path, '5.1')}（组织科，2022-06-28）：已印发通知\n"
                        f"- 5.6 {title(db_path, '5.6')}（组织科，2022-07-01）")
    assert parts[3] == (f"三、本期进展（2 条）\n"
                        f"- 2022-06-30 5.2 {title(db_path, '5.2')}：已召开动员会 <b>&（40%，tester）\n"
                        f"- 2022-06-25 5 加强党建品牌阵地建设：条目进展（tester）")
    assert parts[4].splitlines()[0] == "常态工作（15 项，本期无进展 14 项）"  # 1.1 is done
    assert parts[5].splitlines()[0] == "周期性工作（6 项）"  # 4.5 and its family
    missed = "认真落实“三会一课”："
    parts = parts[:5] + parts[6:]
    assert parts[5] == (f"四、滞后事项（7 项）\n"
                        f"未明确责任单位（5 项）\n"
                        f"  - 4.11@2022-05 {missed}党支部委员会会议（完成时限 2022-05-31，逾期 31 天）\n"
                        f"  - 4.12@2022-05 {missed}党小组会（完成时限 2022-05-31，逾期 31 天）\n"
                        f"  - 4.14@2022-05 认真落实主题党日制度（完成时限 2022-05-31，逾期 31 天）\n"
                        f"  - 2.1 {title(db_path, '2.1')}（完成时限 2022-06-20，逾期 11 天）\n"
                        f"  - 4.5@2022-Q2 {missed}党支部党员大会（完成时限 2022-06-30，逾期 1 天）\n"
                        f"组织科（2 项）\n"
                        f"  - 5.3 {title(db_path, '5.3')}（完成时限 2022-06-25，逾期 6 天）\n"
                        f"  - 5.4 {title(db_path, '5.4')}（完成时限 2022-06-28，逾期 3 天）")
    assert parts[6] == (f"五、近期到期（3 项）\n"
                        f"- 7.6 {title(db_path, '7.6')}（宣传科，完成时限 2022-07-10）\n"
                        f"- 8.5 {title(db_path, '8.5')}（宣传科，完成时限 2022-07-15）\n"
                        f"- 8.6 {title(db_path, '8.6')}（未明确责任单位，完成时限 2022-07-15）")
    table = parts[7].splitlines()
    assert table[0] == "六、分项进度"
    assert "5.    加强党建品牌阵地建设               3/6   50%  █████░░░░░" in table
    assert len(table) == 2 + 5 + 13  # heading, header row, 5 sections, 13 items
    assert "\x1b[" not in out


def test_empty_parts_say_none(run, imported):
    out = report(run, "--since", "2022-01-02", "--until", "2022-01-08").stdout
    assert "二、本期完成（0 项）\n（无）" in out
    assert "三、本期进展（0 条）\n（无）" in out


def test_markdown(run, scene):
    out = report(run, *PERIOD, "--format", "md").stdout
    assert out.startswith("# 2022年区委教育工委党的建设重点工作要点 进展周报\n")
    for heading in ("一、总体情况", "二、本期完成（2 项）", "三、本期进展（2 条）",
                    "四、滞后事项（7 项）", "五、近期到期（3 项）", "六、分项进度"):
        assert f"\n## {heading}\n" in out
    assert "| 已完成 | 2 | 4 | +2 |" in out
    assert "| 2022-06-30 | 5.2 |" in out and "已召开动员会 &lt;b>& | 40% | tester |" in out
    assert "| 未明确责任单位 | 2.1 |" in out


class Balance(HTMLParser):
    """Checks that every non-void element is closed, in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_well_formed_and_self_contained(run, scene):
    out = report(run, *PERIOD, "--format", "html").stdout
    assert out.startswith("<!DOCTYPE html>\n")
    checker = Balance()
    checker.feed(out)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    assert {"html", "head", "body", "table", "h1", "h2"} <= checker.tags
    assert not checker.tags & {"script", "link", "img", "iframe", "object"}
    assert "http://" not in out and "https://" not in out and "src=" not in out
    # plan and note text is escaped: the note's <b> is text, not an element
    assert "已召开动员会 &lt;b&gt;&amp;" in out and "b" not in checker.tags
    text = "".join(checker.text)
    for heading in ("一、总体情况", "二、本期完成（2 项）", "六、分项进度", "已印发通知", "未明确责任单位"):
        assert heading in text


@pytest.mark.parametrize("fmt", ["text", "md", "html", "json"])
def test_same_database_same_bytes(run, scene, fmt):
    first = report(run, *PERIOD, "--format", fmt).stdout
    second = report(run, *PERIOD, "--format", fmt).stdout
    assert first == second


def test_the_period_options(run, scene):
    def period(*args, as_of="2022-07-05"):
        return as_json(report(run, *args, "--format", "json", as_of=as_of))["period"]

    # --week alone: the last complete ISO week before today (Monday 27 June .. Sunday 3 July)
    assert period("--week") == {"since": "2022-06-27", "until": "2022-07-03",
                                "first_day": "2022-06-27", "week": "2022-W26"}
    assert period("--week", "2022-W26", as_of="2022-12-01") == period("--week")
    # defaults: until today, and the 7 days ending on it; `Nd` is the N days ending on until
    assert (period()["since"], period()["until"]) == ("2022-06-29", "2022-07-05")
    assert period("--since", "7d") == period()
    assert period("--until", "2022-07-01", "--since", "14d")["since"] == "2022-06-18"
    assert period("--until", "7月1日")["since"] == "2022-06-25"
    # --since is the first day, included; since = until is that one day
    assert period("--since", "2022-07-05", "--until", "2022-07-05")["since"] == "2022-07-05"


@pytest.mark.parametrize("args", [
    ("--week", "--since", "2022-06-01"),
    ("--week", "2022-W99"),
    ("2022-W26",),  # a week without --week
    ("--since", "2022-07-02", "--until", "2022-07-01"),
    ("--since", "someday"),
    ("--format", "csv"),
])
def test_bad_period_options_are_usage_errors(run, scene, args):
    result = run("--as-of", "2022-07-05", "report", *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1


def test_fail_on_overdue(run, scene):
    result = run("--as-of", "2022-07-05", "report", *PERIOD, "--fail-on-overdue")
    assert result.exit_code == 3
    assert "一、总体情况" in result.stdout
    # by 06-10 May's branch meetings (4.11@2022-05 …) are overdue; in the week to 05-20, nothing
    calm = run("--as-of", "2022-05-20", "report", "--fail-on-overdue")
    assert calm.exit_code == 0, calm.output


def test_english_report(run, scene):
    result = run("--lang", "en", "--as-of", "2022-07-05", "report", *PERIOD)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for heading in ("1. Overview", "2. Completed (2 tasks)", "3. Progress (2 notes)",
                    "4. Overdue (7 tasks)", "5. Due soon (3 tasks)", "6. By section"):
        assert f"\n{heading}\n" in out
    assert "No owner yet (5)" in out


def test_since_includes_its_day_in_report_and_history(run, imported):
    """A task done on the --since day is in the report's 本期完成, as history shows it."""
    assert run("--as-of", "2022-07-10", "done", "5.1", "--on", "2022-07-05").exit_code == 0
    data = as_json(report(run, "--since", "7月5日", "--until", "7月10日", "--format", "json",
                          as_of="2022-07-10"))
    assert [r["id"] for r in data["completed"]] == ["5.1"]
    history = as_json(run("--as-of", "2022-07-10", "history", "--since", "7月5日",
                          "--format", "json"))
    assert {e["target"] for e in history if e["action"] != "import"} == {"5.1"}
    one_day = as_json(report(run, "--since", "7月5日", "--until", "7月5日", "--format", "json",
                             as_of="2022-07-10"))
    assert [r["id"] for r in one_day["completed"]] == ["5.1"]


def test_the_report_lists_what_was_added_dropped_rescheduled_and_reassigned(run, scene):
    """Each change of the period with who and when; changes before it, and undone ones, are
    not there."""
    for as_of, args in (("2022-06-27", ("add", "5", "开展党建品牌展示活动")),
                        ("2022-06-29", ("due", "5.5", "2022-09-30")),
                        ("2022-06-30", ("assign", "--new-unit", "8.5", "--to", "组织科")),
                        ("2022-06-30", ("due", "6.2", "2022-10-31")),
                        ("2022-06-30", ("undo",))):
        assert run("--as-of", as_of, *args).exit_code == 0, args
    data = as_json(report(run, *PERIOD, "--format", "json"))
    changes = data["changes"]
    assert [(c["id"], c["on"], c["by"]) for c in changes["added"]] == [
        ("5.7", "2022-06-27", "tester")]
    assert [(c["id"], c["new"]) for c in changes["dropped"]] == [("4.1", "上级取消")]
    assert [(c["id"], c["old"], c["new"]) for c in changes["rescheduled"]] == [
        ("5.5", "2022-12-31", "2022-09-30")]  # 6.2's new due date was undone; 5.3's was before
    assert [(c["id"], c["old"], c["new"]) for c in changes["reassigned"]] == [
        ("8.5", "宣传科", "组织科")]
    assert (data["issuer"], data["doc_no"], data["as_of"]) == (
        "中共常州市金坛区委教育工作委员会", "坛教委字〔2022〕6号", "2022-07-05")
    text = report(run, *PERIOD).stdout
    block = text.split("七、本期调整（4 项）\n")[1].splitlines()
    assert block[0] == "- 2022-06-26 取消 4.1 " + data["changes"]["dropped"][0]["title"] + \
        "：原因：上级取消（tester）"
    assert "- 2022-06-29 调整时限 5.5 " in block[2] and "完成时限 2022-12-31 → 2022-09-30" in block[2]
