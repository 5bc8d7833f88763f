"""plans/2022.toml is faithful to its source document, and tests/data/sample-2023.toml is what
it claims to be.

These tests read the TOML files with tomli directly (not through jtdj), and compute the expected
text from the source document itself (shared/seeds/, beside the clone), so that a slip in the
plan file cannot hide behind a slip in a hand-copied expectation.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import tomli

HERE = Path(__file__).resolve()
REPO = HERE.parents[1]
PLAN_2022 = REPO / "plans" / "2022.toml"
SAMPLE_2023 = HERE.parent / "data" / "sample-2023.toml"
SEED_NAME = "000_d52be6504ac9c036.txt"
SEED_CANDIDATES = [
    HERE.parents[2] / "shared" / "seeds" / SEED_NAME,
    REPO.parent / "shared" / "seeds" / SEED_NAME,
    REPO / "shared" / "seeds" / SEED_NAME,
    HERE.parent / "data" / "seed-2022.txt",  # the same document, shipped (此件公开发布)
]

ATTACHMENT_HEADING = "2022年区委教育工委党的建设重点工作要点"
SECTION_RE = re.compile(r"^([一二三四五六七八九十]+)、(.+)$")
ITEM_RE = re.compile(r"^(\d+)\.(.+)$")
CN_NUMBERS = "一二三四五六七八九十"

# The format's fields (docs/plan-format.md); unknown fields are errors for the importer.
TOP_KEYS = {"format", "plan", "sections"}
PLAN_KEYS = {"key", "title", "issuer", "doc_no", "issued", "due", "preamble"}
NOTICE_KEYS = {"notice_title", "addressee", "public", "printed_by", "printed_on"}  # the notice's
SECTION_KEYS = {"no", "title", "items"}
ITEM_KEYS = {"no", "title", "text", "notes", "tasks"}
TASK_PLAN_KEYS = {"no", "title", "due", "start", "when", "owner", "support", "tags"}
TASK_STATE_KEYS = {"status", "percent", "done_on", "dropped_on", "drop_reason", "archived",
                   "added", "evidence", "notes"}
TASK_KEYS = TASK_PLAN_KEYS | TASK_STATE_KEYS
KIND_KEYS = {"kind"}  # a task's kind, "ongoing" (常态推进); the 2023 sample has no such task
UNIT_TIME_KEYS = {"each", "every", "day"}  # 承办单位 and recurring obligations: nor these
NOTE_KEYS = {"on", "by", "text", "percent"}


def squeeze(s: str) -> str:
    return re.sub(r"\s+", "", s)


def load(path: Path) -> dict:
    with path.open("rb") as f:
        return tomli.load(f)


def items_of(plan: dict) -> list[tuple[dict, dict]]:
    return [(s, i) for s in plan["sections"] for i in s.get("items", [])]


def tasks_of(plan: dict) -> list[tuple[dict, dict]]:
    return [(i, t) for _s, i in items_of(plan) for t in i.get("tasks", [])]


# --- the source document ------------------------------------------------------------------------

def parse_seed(text: str) -> dict:
    """Preamble, sections and items of the attachment, with page breaks joined.

    A paragraph broken by a page break continues after one or more blank lines; it is recognised
    by the previous piece not ending a sentence (。) and the next one not starting a section
    (一、…) or an item (1.…).
    """
    lines = [line.strip() for line in text.splitlines()]
    heading = next(n for n, line in enumerate(lines) if squeeze(line) == ATTACHMENT_HEADING)
    paras: list[str] = []
    for line in lines[heading + 1:]:
        if not line:
            continue
        continues = (paras and not paras[-1].endswith("。") and not SECTION_RE.match(paras[-1])
                     and not SECTION_RE.match(line) and not ITEM_RE.match(line))
        if continues:
            paras[-1] += line
        else:
            paras.append(line)
    preamble, sections, items = paras[0], [], {}
    assert not SECTION_RE.match(preamble) and not ITEM_RE.match(preamble)
    for para in paras[1:]:
        if m := SECTION_RE.match(para):
            sections.append((CN_NUMBERS.index(m.group(1)) + 1, m.group(2)))
        elif m := ITEM_RE.match(para):
            items[int(m.group(1))] = (sections[-1][0], m.group(2))
        else:  # pragma: no cover - the document has no other kind of paragraph
            raise AssertionError(f"unexpected paragraph: {para[:30]}")
    return {"preamble": preamble, "sections": sections, "items": items}


def parse_notice(text: str) -> dict:
    """The notice before its attachment (附件): 发文机关, 发文字号, its title (its two lines joined:
    the space in "党的建设 工作要点" is where the layout broke it), 主送机关 (before its "："),
    成文日期, 此件公开发布, and the 版记's 印发机关 and 印发日期 (the line "…年…月…日印发")."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = lines[:lines.index("附件")]

    def day(line: str) -> dt.date:
        found = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日(?:印发)?", line)
        return dt.date(*map(int, found.groups()))

    title = next(n for n, line in enumerate(lines) if line.startswith("关于印发"))
    printed = next(n for n, line in enumerate(lines) if line.endswith("日印发"))
    assert lines[title + 1].endswith("：")
    return {"issuer": lines[0], "doc_no": lines[1], "notice_title": squeeze(lines[title]),
            "addressee": lines[title + 1].removesuffix("："), "issued": day(lines[printed - 3]),
            "public": "（此件公开发布）" in lines, "printed_by": lines[printed - 1],
            "printed_on": day(lines[printed])}


def _seed_text() -> str:
    for candidate in SEED_CANDIDATES:
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    pytest.skip(f"source document {SEED_NAME} not found beside the clone (shared/seeds/)")


@pytest.fixture(scope="module")
def seed() -> dict:
    return parse_seed(_seed_text())


@pytest.fixture(scope="module")
def notice() -> dict:
    return parse_notice(_seed_text())


@pytest.fixture(scope="module")
def plan() -> dict:
    return load(PLAN_2022)


def test_seed_parses_as_expected(seed):
    assert len(seed["sections"]) == 5
    assert sorted(seed["items"]) == list(range(1, 14))
    # the page breaks the brief names are joined
    joined = "".join(text for _s, text in seed["items"].values())
    for piece in ("深入理解和掌握新时代", "深化细化全面从严治党", "以党建重点课题", "“红圩向党”教育党建基地",
                  "引导和激励党员教师", "开展形式多样的学习教育活动"):
        assert piece in joined


# --- plans/2022.toml against the source ---------------------------------------------------------

def test_plan_head(plan):
    assert plan.get("format", 1) == 1
    head = plan["plan"]
    assert head["key"] == "2022"
    assert head["title"] == "2022年区委教育工委党的建设重点工作要点"
    assert head["issuer"] == "中共常州市金坛区委教育工作委员会"
    assert head["doc_no"] == "坛教委字〔2022〕6号"
    assert head["issued"] == dt.date(2022, 5, 9)
    assert head["due"] == dt.date(2022, 12, 31)


def test_the_plan_head_holds_the_notice_s_own_fields_as_the_source_has_them(plan, notice):
    head = plan["plan"]
    assert notice["notice_title"] == "关于印发《2022年区委教育工委党的建设工作要点》的通知"
    assert {k: head.get(k) for k in notice} == notice
    assert (head["addressee"], head["printed_by"], head["printed_on"], head["public"]) == (
        "直属各党组织", "常州市金坛区教育局办公室", dt.date(2022, 5, 9), True)


def test_preamble_is_the_source_paragraph(plan, seed):
    assert squeeze(plan["plan"]["preamble"]) == squeeze(seed["preamble"])
    assert plan["plan"]["preamble"].startswith("2022 年是新时代新征程")


def test_sections_have_the_source_titles(plan, seed):
    got = [(s["no"], s["title"]) for s in plan["sections"]]
    assert got == seed["sections"]
    assert got[0][1] == "强化政治统领，坚定捍卫“两个确立”"
    assert got[4][1] == "强化党建引领,切实提升党建实效"  # half-width comma, as in the source


def test_items_are_numbered_1_to_13_in_the_right_sections(plan, seed):
    got = [(i["no"], s["no"]) for s, i in items_of(plan)]
    assert got == [(no, section) for no, (section, _text) in sorted(seed["items"].items())]


@pytest.mark.parametrize("no", range(1, 14))
def test_item_text_is_the_source_paragraph(plan, seed, no):
    item = next(i for _s, i in items_of(plan) if i["no"] == no)
    expected = seed["items"][no][1]
    assert squeeze(item["text"]) == squeeze(expected)
    assert item["title"] == expected.split("。", 1)[0]
    assert item["text"].startswith(item["title"] + "。")


def test_item_titles(plan):
    titles = {i["no"]: i["title"] for _s, i in items_of(plan)}
    assert titles[1] == "加强党的政治建设"
    assert titles[8] == "加大党员教育管理"
    assert titles[13] == "做好老干部服务和关心下一代工作"


def test_every_item_has_at_least_three_tasks_numbered_without_gaps(plan):
    """A task split in two keeps its number (and its history) and the new part takes the
    item's next free number, standing beside it in the file: numbers need not be in file order,
    but each item's are 1..n."""
    for _s, item in items_of(plan):
        numbers = [t["no"] for t in item["tasks"]]
        assert len(numbers) >= 3, item["no"]
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), item["no"]


def test_tasks_are_well_formed(plan):
    titles = set()
    for item, task in tasks_of(plan):
        where = f"{item['no']}.{task['no']}"
        # a plan carries no state fields
        assert set(task) <= TASK_PLAN_KEYS | KIND_KEYS | UNIT_TIME_KEYS, where
        if "kind" in task:  # only ever to mark an ongoing task, which has no due date
            assert task["kind"] == "ongoing" and "due" not in task, where
        assert isinstance(task["title"], str) and task["title"].strip(), where
        assert task["title"] == task["title"].strip(), where
        assert not task["title"].endswith("。"), where
        assert task["title"] not in titles, f"duplicate task title {where}"
        if "every" in task:  # a recurring obligation has no due date of its own
            assert "due" not in task and "kind" not in task, where
        titles.add(task["title"])
        for key in ("support", "tags"):
            if key in task:
                assert task[key] and all(isinstance(x, str) and x for x in task[key]), where
        assert "owner" not in task, f"{where}: the plan names no owner; the clerk assigns them"


# issue 18 §3: the dates an office gives the timing words (and the events they hang on)
DATED = {
    "3.1": (None, dt.date(2022, 10, 15)),  # 喜迎二十大: the 20th Congress opened on 2022-10-16
    "3.5": (None, dt.date(2022, 10, 15)),  # 迎接……胜利召开, likewise
    "3.4": (dt.date(2022, 10, 23), None),  # 学习培训 after it closed on 2022-10-22
    "3.6": (dt.date(2022, 10, 23), None),  # 学习宣传贯彻, ongoing from then
    "4.8": (None, dt.date(2023, 2, 28)),  # 述评考: January-February of the next year
    "10.8": (None, dt.date(2023, 2, 28)),  # 年度考核, likewise
    "8.5": (dt.date(2022, 6, 15), dt.date(2022, 7, 15)),  # “七一”前后
    "8.6": (dt.date(2022, 6, 1), dt.date(2022, 7, 15)),  # the 表彰, prepared from June
    **dict.fromkeys(("7.6", "7.7", "7.13", "7.14"),  # 暑期, over all four classes
                    (dt.date(2022, 7, 1), dt.date(2022, 8, 31))),
}


def test_only_the_fixed_periods_have_dates_and_they_are_the_office_s(plan):
    dated = {f"{i['no']}.{t['no']}": (t.get("start"), t.get("due"))
             for i, t in tasks_of(plan) if "start" in t or "due" in t}
    assert dated == DATED


def test_qiyi_tasks_are_the_branches_theme_day_and_the_work_committee_s_commendation(plan):
    tasks = {f"{i['no']}.{t['no']}": t for i, t in tasks_of(plan)}
    assert [k for k, t in tasks.items() if "七一" in t["title"]] == ["8.5"]
    theme, award = tasks["8.5"], tasks["8.6"]
    assert theme["title"] == "“七一”前后，开展主题党日活动"
    assert theme["each"] == ["各直属党组织"]
    assert award["title"] == "对“五大行动”中涌现出的先进基层党组织和党员进行表彰"
    assert "工委" in award["tags"] and "each" not in award
    assert theme["when"] == award["when"] == "“七一”前后"


def test_summer_reaches_all_four_trainings(plan):
    found = {f"{i['no']}.{t['no']}": t for i, t in tasks_of(plan) if "暑期" in t["title"]}
    assert list(found) == ["7.6", "7.7", "7.13", "7.14"]  # in the file's order
    for words, task in zip(("党组织书记专题培训", "校科级干部研修", "园长培训班",
                            "新提拔校级领导上岗培训"), found.values()):
        assert words in task["title"] and task["when"] == "暑期"
        assert "工委" in task["tags"]


def test_warning_education_actions_are_separate_tasks(plan):
    titles = [t["title"] for i, t in tasks_of(plan) if i["no"] == 11]
    for action in ("召开警示教育大会", "参观警示教育基地", "警示教育片", "党内法规知识竞赛"):
        assert sum(action in title for title in titles) == 1, action


def test_task_titles_come_from_their_item(plan):
    """Every task title is in its item's own words: compared on 4-character runs of Chinese
    text, so trimmed connectives and clause joints are allowed but invented wording is not."""
    for item, task in tasks_of(plan):
        text = squeeze(item["text"])
        if "组织生活" in task.get("tags", []):  # 4.5's obligations, in the 条例's words
            assert task["title"].startswith("认真落实") and "every" in task, task["no"]
            continue
        runs = re.findall(r"[\u4e00-\u9fff]{4,}", task["title"])
        grams = [run[k:k + 4] for run in runs for k in range(len(run) - 3)]
        assert grams, task["title"]
        missing = [g for g in grams if g not in text]
        assert len(missing) <= max(3, len(grams) // 3), (item["no"], task["no"], missing)


def test_plan_file_uses_only_known_fields(plan):
    assert_known_fields(plan)


# issue 18 §2: the aims and the standing principles of the plan are ongoing (常态推进)
ONGOING_AIMS = ["1.1", "1.2", "1.3", "1.5", "1.6", "2.3", "3.3", "13.6"]
ONGOING_PRINCIPLES = ["1.4", "6.1", "8.1", "10.1", "10.6", "13.2", "3.6"]  # 3.6: 学习宣传贯彻


def test_the_ongoing_tasks_are_the_aims_and_principles_and_1_3_and_1_4_keep_the_source_words(
        plan, seed):
    ongoing = {f"{i['no']}.{t['no']}" for i, t in tasks_of(plan) if t.get("kind") == "ongoing"}
    assert ongoing == set(ONGOING_AIMS) | set(ONGOING_PRINCIPLES)
    assert len(ongoing) == 15 and len(tasks_of(plan)) == 112
    titles = {f"{i['no']}.{t['no']}": t["title"] for i, t in tasks_of(plan)}
    source = squeeze(seed["items"][1][1])  # item 1's paragraph in the source document
    assert titles["1.3"] == ("深入理解和掌握新时代党的创新理论，"
                             "自觉以习近平新时代中国特色社会主义思想武装头脑、指导实践")
    assert titles["1.4"].endswith("作为首要政治任务抓紧抓实")
    for no in ("1.3", "1.4"):
        assert squeeze(titles[no]) in source, no


# --- tests/data/sample-2023.toml ---------------------------------------------------------------

def assert_known_fields(doc: dict) -> None:
    assert set(doc) <= TOP_KEYS
    assert set(doc["plan"]) <= PLAN_KEYS | NOTICE_KEYS
    for s in doc["sections"]:
        assert set(s) <= SECTION_KEYS
        for i in s.get("items", []):
            assert set(i) <= ITEM_KEYS
            for n in i.get("notes", []):
                assert set(n) <= NOTE_KEYS and {"on", "text"} <= set(n)
            for t in i.get("tasks", []):
                assert set(t) <= TASK_KEYS | KIND_KEYS | UNIT_TIME_KEYS, set(t) - TASK_KEYS
                for n in t.get("notes", []):
                    assert set(n) <= NOTE_KEYS and {"on", "text"} <= set(n)


@pytest.fixture(scope="module")
def sample() -> dict:
    return load(SAMPLE_2023)


def test_sample_shape(sample):
    assert sample["format"] == 1
    assert sample["plan"]["key"] == "2023-demo"
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", sample["plan"]["key"])
    assert [s["no"] for s in sample["sections"]] == [1, 2]
    assert [i["no"] for _s, i in items_of(sample)] == [1, 2, 3]
    for _s, item in items_of(sample):
        numbers = [t["no"] for t in item["tasks"]]
        assert 2 <= len(numbers) <= 4
        assert numbers == list(range(1, len(numbers) + 1))
    assert_known_fields(sample)


def test_sample_uses_every_optional_field(sample):
    assert set(sample) == TOP_KEYS
    assert set(sample["plan"]) == PLAN_KEYS
    item_keys = set().union(*(set(i) for _s, i in items_of(sample)))
    assert item_keys == ITEM_KEYS
    task_keys = set().union(*(set(t) for _i, t in tasks_of(sample)))
    assert task_keys == TASK_KEYS
    notes = [n for _s, i in items_of(sample) for n in i.get("notes", [])]
    notes += [n for _i, t in tasks_of(sample) for n in t.get("notes", [])]
    assert set().union(*(set(n) for n in notes)) == NOTE_KEYS
    assert any(i.get("notes") for _s, i in items_of(sample))
    statuses = {t.get("status", "todo") for _i, t in tasks_of(sample)}
    assert statuses == {"todo", "doing", "done", "dropped"}
    assert any(t.get("added") is True for _i, t in tasks_of(sample))
    assert any(t.get("archived") is True for _i, t in tasks_of(sample))


def test_sample_values_are_valid(sample):
    assert isinstance(sample["plan"]["issued"], dt.date)
    assert isinstance(sample["plan"]["due"], dt.date)
    for item, task in tasks_of(sample):
        where = f"{item['no']}.{task['no']}"
        for key in ("due", "start", "done_on", "dropped_on"):
            if key in task:
                assert type(task[key]) is dt.date, where
        if "start" in task and "due" in task:
            assert task["start"] <= task["due"], where
        assert task.get("status", "todo") in {"todo", "doing", "done", "dropped"}, where
        if "percent" in task:
            assert 0 <= task["percent"] <= 100, where
        if "done_on" in task:
            assert task["status"] == "done", where
        if "dropped_on" in task or "drop_reason" in task:
            assert task["status"] == "dropped", where
        for key in ("archived", "added"):
            if key in task:
                assert isinstance(task[key], bool), where
        for key in ("support", "tags", "evidence"):
            if key in task:
                assert all(isinstance(x, str) and x for x in task[key]), where
        for note in task.get("notes", []):
            assert type(note["on"]) is dt.date and note["text"].strip(), where
            if "percent" in note:
                assert 0 <= note["percent"] <= 100, where


def test_the_specifics_the_source_names_are_kept_and_the_tags_say_the_work(plan):
    """Issue 18 §5: what a shortened title had lost is back, in the source's words, and the
    廉政, 宣传, 从严治党, 群团统战 and 老干部 work can be listed by its tag."""
    tasks = {f"{i['no']}.{t['no']}": t for i, t in tasks_of(plan)}
    source = _seed_text().replace("\n", "")
    for task_id, words in (
            ("9.1", "依托常州市“优才计划”和《常州市金坛区优秀教育人才引育实施办法》"),
            ("11.1", "省纪委、市纪委和区纪委"), ("11.1", "党员干部反腐倡廉教育"),
            ("13.5", "青少年健康成长的“引路者”"), ("13.5", "青年教师更好发展的“指导师”"),
            ("13.5", "青年家长素质提升的“参谋长”"), ("12.6", "党建质量和教育形象")):
        assert words in tasks[task_id]["title"] and words in source, task_id
    assert not tasks["11.1"]["title"].startswith("深化廉政教育")
    tags = {task_id: t.get("tags", []) for task_id, t in tasks.items()}
    assert all("廉政" in tags[f"11.{n}"] for n in range(1, 11))
    assert "宣传" in tags["2.8"] and "宣传" in tags["2.9"]
    for item, tag in ((10, "从严治党"), (12, "群团统战"), (13, "老干部")):
        assert all(tag in v for k, v in tags.items() if k.split(".")[0] == str(item)), item


# issue 18 §1: what is checked off separately is a task of its own; the first-listed part keeps
# the number (and the history) of the task it was split from
SPLITS = {
    "2.7": ["2.7", "2.14"], "3.5": ["3.5", "3.6"], "4.3": ["4.3", "4.10"],
    "4.5": ["4.5", "4.11", "4.12", "4.13", "4.14", "4.15"], "7.7": ["7.7", "7.13", "7.14"],
    "8.5": ["8.5", "8.6"], "9.6": ["9.6", "9.8"], "10.7": ["10.7", "10.8"],
    "12.5": ["12.5", "12.7"],
}


def test_split_tasks_stand_together_in_the_file_in_the_source_s_order(plan, seed):
    order = [f"{i['no']}.{t['no']}" for i, t in tasks_of(plan)]
    titles = {f"{i['no']}.{t['no']}": t["title"] for i, t in tasks_of(plan)}
    source = _seed_text().replace("\n", "")
    for first, parts in SPLITS.items():
        at = order.index(first)
        assert order[at:at + len(parts)] == parts, first
    assert titles["2.7"] == "开展突发事件舆情处置模拟演练"  # as docs/plan-format.md shows it
    for task_id, words in (("4.3", "秋白党支部"), ("4.10", "先锋支部"), ("9.6", "35周岁以下骨干教师培训班"),
                           ("9.8", "新录用非师范类教师培训班"), ("12.5", "岗位练兵、技能竞赛"),
                           ("12.7", "巾帼建功"), ("10.7", "强化日常监督"), ("10.8", "年度考核")):
        assert words in titles[task_id] and words in source, task_id
    assert "巾帼建功" not in titles["12.5"] and "先锋支部" not in titles["4.3"]


def test_every_timing_word_is_kept(plan):
    tasks = {f"{i['no']}.{t['no']}": t for i, t in tasks_of(plan)}
    assert tasks["2.1"]["when"] == "持之以恒" and "持之以恒" in tasks["2.1"]["title"]
    assert tasks["3.1"]["when"] == "喜迎二十大"
    assert tasks["4.4"]["when"] == "定期；经常" and "经常对标对表" in tasks["4.4"]["title"]
    assert tasks["7.8"]["when"] == "持续" and "持续加大" in tasks["7.8"]["title"]
    assert tasks["10.8"]["when"] == "年度"
    for task_id in ("12.5", "12.7"):
        assert tasks[task_id]["when"] == "结合中国共青团建团100周年"
    for task_id in ("2.12", "11.6"):  # 「定期」 names a system here: not a time
        assert "定期" in tasks[task_id]["title"] and "when" not in tasks[task_id]
    assert tasks["3.6"]["kind"] == "ongoing"


def test_organisational_life_is_every_branch_s_recurring_obligations_as_the_rules_set_them(plan):
    """4.5 as 《中国共产党支部工作条例（试行）》 sets its frequencies (the file cites each article)."""
    tasks = {f"{i['no']}.{t['no']}": t for i, t in tasks_of(plan)}
    expected = {"4.5": ("党员大会", "quarter"), "4.11": ("支部委员会会议", "month"),
                "4.12": ("党小组会", "month"), "4.13": ("党课", "year"),
                "4.14": ("主题党日", "month"), "4.15": ("谈心谈话", "year")}
    for task_id, (words, every) in expected.items():
        task = tasks[task_id]
        assert words in task["title"] and task["every"] == every, task_id
        assert task["each"] == ["各直属党组织"], task_id
    raw = PLAN_2022.read_text(encoding="utf-8")
    for article in ("第十一条", "第十二条", "第十三条", "第十九条", "第二十条", "第二十三条"):
        assert f"# {article}" in raw or f"{article}:" in raw, article


def test_branch_tasks_go_to_every_branch_and_the_committee_s_own_are_tagged(plan):
    tasks = {f"{i['no']}.{t['no']}": t for i, t in tasks_of(plan)}
    for task_id in ("4.5", "4.7", "8.5", "6.3", "6.5"):
        assert tasks[task_id].get("each") == ["各直属党组织"], task_id
    for task_id in ("4.3", "4.10", "5.2", "10.2", "10.3", "11.2", "7.6", "7.7", "9.6", "8.6"):
        assert "工委" in tasks[task_id]["tags"] and "each" not in tasks[task_id], task_id
    assert not any("owner" in t for t in tasks.values())  # the office assigns its 科室
    assert "support" not in tasks["9.7"] and "市委教育工委" in tasks["9.7"]["title"]
