"""`jtdj draft`: the tasks it proposes, the plan file it writes, the command (docs/draft.md)."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest

from conftest import PLAN_2022, ROOT

SEED = ROOT / "tests" / "data" / "seed-2022.txt"

SMALL = """\
某区教育局

关于印发《2023年校园安全工作要点》的通知

各学校：

现将《2023年校园安全工作要点》印发给你们，请认真贯彻落实。

某区教育局

2023年2月20日

附件

2023年校园安全工作要点

2023年，校园安全工作坚持人民至上、生命至上。

一、压实安全责任

1.落实安全工作责任制。制定年度安全工作责任清单，每季度开展一次安全工作专项督查；不断增强师生安全意识。（责任科室：安全科、办公室）

2.健全应急处置机制。暑期组织开展防溺水专题教育，年底前完成校园监控系统升级改造。牵头单位：安全科 配合单位：后勤科、团委
"""


def _trimmed(text: str) -> str:
    from jtdj.draft_tasks import Rules, _trim

    return _trim(text, Rules())


def _matches(candidate: str, wanted: str) -> bool:
    a, b = _trimmed(candidate), _trimmed(wanted)
    return a == b or a in b or b in a


def _draft(run, tmp_path, source, *args):
    out = tmp_path / "draft.toml"
    result = run("draft", str(source), "-o", str(out), *args)
    assert result.exit_code == 0, result.stderr
    return tomllib.loads(out.read_text(encoding="utf-8")), result


def _tasks(plan: dict) -> dict[int, list[dict]]:
    return {item["no"]: item.get("tasks", []) for s in plan["sections"] for item in s["items"]}


def test_the_seeds_draft_finds_at_least_70_percent_of_the_2022_plans_tasks(run, tmp_path):
    drafted, _ = _draft(run, tmp_path, SEED)
    wanted = _tasks(tomllib.loads(PLAN_2022.read_text(encoding="utf-8")))
    proposed = _tasks(drafted)
    found = sum(any(_matches(c["title"], w["title"]) for c in proposed.get(no, []))
                for no, tasks in wanted.items() for w in tasks)
    right = sum(any(_matches(c["title"], w["title"]) for w in wanted.get(no, []))
                for no, tasks in proposed.items() for c in tasks)
    total = sum(len(v) for v in wanted.values())
    candidates = sum(len(v) for v in proposed.values())
    recall, precision = found / total, right / candidates
    print(f"\ndraft of the seed: recall {found}/{total} = {recall:.1%}, "
          f"precision {right}/{candidates} = {precision:.1%}")
    assert recall >= 0.70


def test_the_seeds_draft_imports_as_it_is_with_dry_run(run, tmp_path, db_path):
    out = tmp_path / "2022-draft.toml"
    assert run("draft", str(SEED), "-o", str(out)).exit_code == 0
    result = run("import", str(out), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "# 待核：" in out.read_text(encoding="utf-8")


def test_the_seeds_draft_has_the_2022_plans_items_and_timing_rules(run, tmp_path):
    drafted, _ = _draft(run, tmp_path, SEED)
    tasks = _tasks(drafted)
    summer = [t for t in tasks[7] if t.get("when") == "暑期"]
    assert summer and summer[0]["start"] == date(2022, 7, 1) and summer[0]["due"] == date(2022, 8, 31)
    july = [t for t in tasks[8] if "七一" in t.get("when", "")]
    assert july and july[0]["due"] == date(2022, 7, 15) and july[0]["start"] == date(2022, 6, 15)
    assert tasks[1][0] == {"no": 1, "title": "深刻领悟“两个确立”决定性意义", "kind": "ongoing"}


def test_a_rules_file_changes_a_due_date_and_dates_an_event(run, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[words]\n"暑期" = { start = "07-10", due = "08-20" }\n'
                     '[events]\n"党的二十大" = 2022-10-16\n', encoding="utf-8")
    drafted, _ = _draft(run, tmp_path, SEED, "--rules", str(rules))
    tasks = _tasks(drafted)
    summer = [t for t in tasks[7] if t.get("when") == "暑期"][0]
    assert (summer["start"], summer["due"]) == (date(2022, 7, 10), date(2022, 8, 20))
    congress = [t for t in tasks[3] if "喜迎二十大" in t["title"]][0]
    assert congress["due"] == date(2022, 10, 15)


def test_a_rules_file_with_an_unknown_key_is_one_line_and_exit_2(run, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text('[wordz]\n"暑期" = "08-20"\n', encoding="utf-8")
    result = run("draft", str(SEED), "--rules", str(rules))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "wordz" in result.stderr


def test_aims_are_proposed_ongoing_and_a_quarterly_task_recurring(run, tmp_path):
    source = tmp_path / "要点.txt"
    source.write_text(SMALL, encoding="utf-8")
    drafted, _ = _draft(run, tmp_path, source)
    tasks = _tasks(drafted)[1]
    titles = [t["title"] for t in tasks]
    assert titles == ["制定年度安全工作责任清单", "每季度开展一次安全工作专项督查",
                      "不断增强师生安全意识"]
    assert tasks[1]["every"] == "quarter" and "due" not in tasks[1]
    assert tasks[2]["kind"] == "ongoing" and "due" not in tasks[2]


def test_a_unit_marker_becomes_owner_and_support(run, tmp_path):
    source = tmp_path / "要点.txt"
    source.write_text(SMALL, encoding="utf-8")
    drafted, _ = _draft(run, tmp_path, source)
    first, second = _tasks(drafted)[1], _tasks(drafted)[2]
    assert {(t["owner"], tuple(t["support"])) for t in first} == {("安全科", ("办公室",))}
    assert {(t["owner"], tuple(t["support"])) for t in second} == {("安全科", ("后勤科", "团委"))}
    assert [(t["title"], t.get("when"), t.get("due")) for t in second] == [
        ("暑期组织开展防溺水专题教育", "暑期", date(2023, 8, 31)),
        ("年底前完成校园监控系统升级改造", "年底前", date(2023, 12, 31))]


def test_without_o_the_plan_goes_to_stdout_and_stderr_ends_with_the_tally(run, tmp_path):
    source = tmp_path / "要点.txt"
    source.write_text(SMALL, encoding="utf-8")
    result = run("draft", str(source), "--key", "2023-safety")
    assert result.exit_code == 0, result.stderr
    plan = tomllib.loads(result.stdout)
    assert plan["plan"]["key"] == "2023-safety" and plan["plan"]["title"] == "2023年校园安全工作要点"
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("共 1 个部分、2 项条目、5 个拟定任务；") and "周期性 1 个" in last
    assert "常态推进 1 个" in last and "定出日期 2 个" in last and "待核" in last


def test_an_existing_output_file_is_not_overwritten_unless_forced(run, tmp_path):
    source = tmp_path / "要点.txt"
    source.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "plan.toml"
    out.write_text("# checked by hand\n", encoding="utf-8")
    refused = run("draft", str(source), "-o", str(out))
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "# checked by hand\n"
    forced = run("draft", str(source), "-o", str(out), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert tomllib.loads(out.read_text(encoding="utf-8"))["plan"]["key"] == "2023"


@pytest.mark.parametrize("key", ["二〇二三", "-x", "a b"])
def test_a_key_that_a_plan_file_refuses_is_refused_first(run, tmp_path, key):
    result = run("draft", str(SEED), "--key", key)
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1


PAREN = """\
中共某某县教育局委员会

某教委〔2023〕5号

关于印发《2023年全县教育系统宣传工作要点》的通知

各学校：

现将《2023年全县教育系统宣传工作要点》印发给你们。

中共某某县教育局委员会

2023年3月1日

附件

2023年全县教育系统宣传工作要点

今年宣传工作的总体要求是：围绕中心、服务大局。

一、加强理论武装

（一）抓好理论学习。每月召开一次理论学习中心组学习会，上半年举办读书班；同时，组织开展

— 2 —

主题宣讲活动、征文比赛。（责任科室：宣传科、组干科）

（二）加强阵地建设。主要做好以下工作：
1.完善校园网站管理制度；
2.第三季度开展宣传阵地专项检查。牵头单位：宣传科 配合单位：信息中心、各学校
"""


def test_a_gb18030_document_with_paren_items_markers_and_page_numbers_drafts_right(run, tmp_path):
    source = tmp_path / "宣传要点.txt"
    source.write_bytes(PAREN.encode("gb18030"))
    drafted, result = _draft(run, tmp_path, source)
    assert drafted["plan"]["key"] == "2023" and drafted["plan"]["doc_no"] == "某教委〔2023〕5号"
    first, second = _tasks(drafted)[1], _tasks(drafted)[2]
    assert [(t["title"], t.get("every"), t.get("due")) for t in first] == [
        ("每月召开一次理论学习中心组学习会", "month", None),
        ("上半年举办读书班", None, date(2023, 6, 30)),
        ("组织开展主题宣讲活动", None, None),
        ("组织开展征文比赛", None, None)]
    assert {(t["owner"], tuple(t["support"])) for t in first} == {("宣传科", ("组干科",))}
    assert [(t["title"], t.get("due")) for t in second] == [
        ("完善校园网站管理制度", None), ("第三季度开展宣传阵地专项检查", date(2023, 9, 30))]
    assert {(t["owner"], tuple(t["support"])) for t in second} == {
        ("宣传科", ("信息中心", "各学校"))}
    assert run("import", str(tmp_path / "draft.toml"), "--dry-run").exit_code == 0


def test_one_verb_over_a_list_of_trainings_is_one_task_per_training(run, tmp_path):
    drafted, _ = _draft(run, tmp_path, SEED)
    tasks = _tasks(drafted)
    summer = [(t["title"], t["when"], t["due"]) for t in tasks[7] if t.get("when") == "暑期"]
    assert summer == [(f"精心组织好暑期{name}", "暑期", date(2022, 8, 31))
                      for name in ("党组织书记专题培训", "校科级干部研修", "园长培训班",
                                   "新提拔校级领导上岗培训")]
    titles = [t["title"] for t in tasks[9]]
    assert "精心实施“35周岁以下骨干教师培训班”" in titles
    assert "精心实施“新录用非师范类教师培训班”" in titles
    # a list of things that are not activities stays one task
    assert "认真落实“三会一课”、主题党日、谈心谈话等组织生活制度" in [t["title"] for t in tasks[4]]


def test_the_database_is_refused_as_the_output_even_with_force(run, tmp_path, db_path):
    assert run("import").exit_code == 0
    before = db_path.read_bytes()
    result = run("draft", str(SEED), "-o", str(db_path), "--force")
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert db_path.read_bytes() == before


def test_the_seed_as_a_docx_drafts_the_same_plan_as_its_text(run, tmp_path):
    import docx

    made = docx.Document()
    for line in SEED.read_text(encoding="utf-8").splitlines():
        made.add_paragraph(line)
    made.save(str(tmp_path / "seed-2022.docx"))
    from_text = run("draft", str(SEED))
    from_docx = run("draft", str(tmp_path / "seed-2022.docx"))
    assert from_text.exit_code == from_docx.exit_code == 0, from_docx.stderr
    assert tomllib.loads(from_docx.stdout) == tomllib.loads(from_text.stdout)
    assert from_docx.stderr.splitlines()[-1] == from_text.stderr.splitlines()[-1]
