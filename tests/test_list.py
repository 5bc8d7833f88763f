"""`jtdj list`: every filter, their combinations and the sort orders, against the bundled plan.

Expected ids are computed from plans/2022.toml read with tomli, not copied from the tool.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import tomli
from conftest import PLAN_2022, as_json

AS_OF = "2022-07-01"


PLAN = tomli.loads(PLAN_2022.read_text(encoding="utf-8"))
ISSUED, PLAN_DUE = PLAN["plan"]["issued"], PLAN["plan"]["due"]


def _plan_tasks() -> list[dict]:
    """The plan's tasks in the file's order (a split's new parts stand beside the first)."""
    out = []
    for s in PLAN["sections"]:
        for it in s["items"]:
            for tk in it["tasks"]:
                out.append({"id": f"{it['no']}.{tk['no']}", "item": it["no"], "section": s["no"],
                            "title": tk["title"], "item_text": it["text"],
                            "tags": tk.get("tags", []), "due": tk.get("due", PLAN_DUE),
                            "ongoing": tk.get("kind") == "ongoing", "every": tk.get("every")})
    return out


def _periods(every: str, as_of: date) -> list[tuple[str, date]]:
    """A recurring task's occurrences begun by ``as_of`` (from the plan's issue date, up to its
    due date): each period's name and last day."""
    if every == "year":
        return [(f"{ISSUED.year}-Y", date(ISSUED.year, 12, 31))]
    step = 3 if every == "quarter" else 1
    last = min(as_of, PLAN_DUE)
    out, (y, m) = [], (ISSUED.year, (ISSUED.month - 1) // step * step + 1)
    while (y, m) <= (last.year, last.month):
        end = date(y + (m + step > 12), (m + step - 1) % 12 + 1, 1) - timedelta(days=1)
        out.append((f"{y}-Q{(m + 2) // 3}" if step == 3 else f"{y}-{m:02d}", end))
        y, m = (y + 1, m + step - 12) if m + step > 12 else (y, m + step)
    return out


def rows_as_listed(tasks: list[dict], as_of: str = "2022-07-01") -> list[dict]:
    """The tasks as `list` shows them on ``as_of``: a recurring task (4.5 and its family, each
    branch's 组织生活) as one row per occurrence begun by then, 4.5@2022-Q2 …, due on its
    period's last day."""
    day = date.fromisoformat(as_of)
    return [t if not t["every"] else {**t, "id": f"{t['id']}@{name}", "due": end}
            for t in tasks for name, end in (_periods(t["every"], day) if t["every"] else [(None, None)])]


@pytest.fixture(autouse=True)
def on_the_as_of_day(monkeypatch):
    """Every command here acts on AS_OF, the day the lists are read for: a change made on a
    later day would not show in them (figures for a day are what was true that day)."""
    monkeypatch.setenv("JTDJ_TODAY", AS_OF)


TASKS = _plan_tasks()
# the rows `list` shows on AS_OF: the six recurring tasks of item 4 as their begun occurrences
ROWS = rows_as_listed(TASKS, AS_OF)
ALL_IDS = [t["id"] for t in ROWS]
# 常态推进 (kind = "ongoing"): no due date, never overdue, sorted after every dated task
ONGOING = [t["id"] for t in TASKS if t["ongoing"]]
# the occurrences overdue on AS_OF: May's and June's meetings and 4.5's second quarter
MISSED = ["4.5@2022-Q2", "4.11@2022-05", "4.11@2022-06", "4.12@2022-05", "4.12@2022-06",
          "4.14@2022-05", "4.14@2022-06"]


def ids_where(pred, as_of=AS_OF) -> list[str]:
    return [t["id"] for t in rows_as_listed(TASKS, as_of) if pred(t)]


def listed(run, *args, as_of=AS_OF) -> list[str]:
    result = run("list", "--as-of", as_of, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return [r["id"] for r in as_json(result)]


def test_plan_file_is_what_these_tests_assume():
    assert len(TASKS) == 112
    assert len([t for t in TASKS if t["item"] == 2]) == 14  # 2.7 split: 2.14 beside it
    assert {t["id"]: t["due"] for t in TASKS
            if t["due"] != date(2022, 12, 31) and not t["every"]} == {
        "3.1": date(2022, 10, 15), "3.5": date(2022, 10, 15), "4.8": date(2023, 2, 28),
        "7.6": date(2022, 8, 31), "7.7": date(2022, 8, 31), "7.13": date(2022, 8, 31),
        "7.14": date(2022, 8, 31), "8.5": date(2022, 7, 15), "8.6": date(2022, 7, 15),
        "10.8": date(2023, 2, 28)}
    assert {t["id"]: t["every"] for t in TASKS if t["every"]} == {
        "4.5": "quarter", "4.11": "month", "4.12": "month", "4.13": "year", "4.14": "month",
        "4.15": "year"}
    # on 07-01 (issued 05-09): 4.5 Q2 and Q3, the monthly ones 05-07, the yearly ones once
    assert len(ALL_IDS) == 112 - 6 + 2 + 3 + 3 + 1 + 3 + 1


def test_default_lists_every_open_task_in_natural_id_order(run, imported):
    assert listed(run) == ALL_IDS
    item2 = listed(run, "--item", "2")
    assert item2 == [f"2.{n}" for n in range(1, 8)] + ["2.14"] + [f"2.{n}" for n in range(8, 14)]
    assert item2.index("2.10") == item2.index("2.9") + 1


def test_default_leaves_out_done_and_dropped(run, imported):
    assert run("--as-of", AS_OF, "done", "1.1").exit_code == 0
    assert run("--as-of", AS_OF, "drop", "1.2", "--reason", "上级调整").exit_code == 0
    shown = listed(run)
    assert "1.1" not in shown and "1.2" not in shown
    assert len(shown) == len(ALL_IDS) - 2


@pytest.mark.parametrize("value", ["3", "三", "３", "三、"])
def test_section_filter_accepts_arabic_and_chinese_numerals(run, imported, value):
    assert listed(run, "--section", value) == ids_where(lambda t: t["section"] == 3)


@pytest.mark.parametrize("value", ["0", "x", "六七"])
def test_bad_section_or_item_number_is_usage_error(run, imported, value):
    assert run("list", "--section", value).exit_code == 2
    assert run("list", "--item", value).exit_code == 2


@pytest.mark.parametrize("option, value, closest", [
    ("--section", "9", "5"), ("--section", "六", "5"), ("--item", "14", "13")])
def test_a_section_or_item_the_plan_lacks_is_exit_1_naming_the_closest(run, imported, option,
                                                                        value, closest):
    """A filter value that does not exist is an error (exit 1), as an unknown id is; a filter
    that exists but matches nothing is an empty result (exit 0)."""
    result = run("list", "--as-of", AS_OF, option, value, "--format", "json")
    assert result.exit_code == 1 and result.stdout == ""
    assert closest in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert run("units", "add", "组织科").exit_code == 0
    assert as_json(run("list", "--item", "7", "--owner", "组织科", "--format", "json")) == []


def test_owner_matches_exactly_then_a_unique_beginning(run, imported):
    assert run("assign", "--new-unit", "5", "--to", "组织科").exit_code == 0
    assert run("assign", "--new-unit", "6", "--to", "组织部门").exit_code == 0
    assert run("assign", "--new-unit", "7", "--to", "宣传科").exit_code == 0
    assert listed(run, "--owner", "宣") == ids_where(lambda t: t["item"] == 7)
    assert listed(run, "--owner", "组织科") == ids_where(lambda t: t["item"] == 5)
    ambiguous = run("list", "--owner", "组织")
    assert ambiguous.exit_code == 2 and "组织科" in ambiguous.stderr and "组织部门" in ambiguous.stderr
    typo = run("list", "--owner", "组织课", "--format", "json")  # not registered: exit 1
    assert typo.exit_code == 1 and typo.stdout == ""
    assert typo.stderr.strip().startswith("错误：没有名为“组织课”的单位或分组（相近的：组织科")


@pytest.mark.parametrize("word, code", [("未开始", "todo"), ("推进中", "doing"),
                                        ("已完成", "done"), ("已调整", "dropped"),
                                        ("未完成", "open"), ("全部", "all")])
def test_status_takes_the_words_the_tables_print(run, imported, word, code):
    assert run("done", "1.1").exit_code == 0
    assert run("start", "1.2").exit_code == 0
    assert run("drop", "1.3", "--reason", "调整").exit_code == 0
    assert listed(run, "--status", word) == listed(run, "--status", code)


def test_owner_and_unassigned(run, imported):
    assert run("assign", "--new-unit", "5", "--to", "组织科").exit_code == 0
    item5 = ids_where(lambda t: t["item"] == 5)
    assert listed(run, "--owner", "组织科") == item5
    unassigned = listed(run, "--unassigned")
    assert len(unassigned) == len(ALL_IDS) - len(item5)
    assert not set(unassigned) & set(item5)
    assert run("units", "add", "宣传科").exit_code == 0  # registered, leading nothing
    assert listed(run, "--owner", "宣传科") == []


def test_status_each_value(run, imported):
    for args in (("start", "1.1"), ("done", "1.2"), ("drop", "1.3", "--reason", "合并到 1.4")):
        assert run("--as-of", AS_OF, *args).exit_code == 0
    assert listed(run, "--status", "doing") == ["1.1"]
    assert listed(run, "--status", "done") == ["1.2"]
    assert listed(run, "--status", "dropped") == ["1.3"]
    todo = listed(run, "--status", "todo")
    assert len(todo) == len(ALL_IDS) - 3 and not {"1.1", "1.2", "1.3"} & set(todo)
    assert listed(run, "--status", "open") == ["1.1"] + todo
    assert listed(run, "--status", "all") == ALL_IDS


def overdue_on(as_of: str) -> list[str]:
    day = date.fromisoformat(as_of)
    return ids_where(lambda t: not t["ongoing"] and t["due"] < day, as_of=as_of)


def test_overdue_depends_on_the_as_of_date(run, imported):
    assert listed(run, "--overdue") == MISSED == overdue_on(AS_OF)
    assert listed(run, "--overdue", as_of="2022-07-15") == MISSED  # due today is not overdue
    assert listed(run, "--overdue", as_of="2022-07-16") == MISSED + ["8.5", "8.6"]
    assert listed(run, "--overdue", as_of="2022-09-01") == overdue_on("2022-09-01")
    assert {"7.6", "7.7", "7.13", "7.14", "4.11@2022-08"} <= set(overdue_on("2022-09-01"))
    # every task but the 15 ongoing ones (常态推进), which are never overdue, and 4.8 and
    # 10.8, due 2023-02-28; each recurring task's occurrences through 2022-12
    assert listed(run, "--overdue", as_of="2023-01-01") == [
        i for i in ids_where(lambda t: True, as_of="2023-01-01")
        if i not in ONGOING and i not in ("4.8", "10.8")]
    assert len(ONGOING) == 15


def test_due_before_is_strict(run, imported):
    assert listed(run, "--due-before", "2022-07-15") == MISSED
    assert listed(run, "--due-before", "2022-07-16") == MISSED + ["8.5", "8.6"]
    by_september = ids_where(lambda t: t["due"] < date(2022, 9, 1))
    assert by_september == [*MISSED[:1], "4.11@2022-05", "4.11@2022-06", "4.11@2022-07",
                            "4.12@2022-05", "4.12@2022-06", "4.12@2022-07", "4.14@2022-05",
                            "4.14@2022-06", "4.14@2022-07", "7.6", "7.7", "7.13", "7.14",
                            "8.5", "8.6"]
    assert listed(run, "--due-before", "2022-09-01") == by_september
    assert listed(run, "--due-before", "2022年9月1日") == by_september


def test_due_within_counts_from_the_as_of_date_inclusive(run, imported):
    assert listed(run, "--due-within", "13") == []
    assert listed(run, "--due-within", "14") == ["8.5", "8.6"]
    assert listed(run, "--due-within", "0", as_of="2022-07-15") == ["8.5", "8.6"]
    assert listed(run, "--due-within", "0", as_of="2022-07-16") == []
    # through 08-31: July's occurrences (due 07-31), the 暑期 trainings and the “七一” pair
    assert listed(run, "--due-within", "61") == ["4.11@2022-07", "4.12@2022-07", "4.14@2022-07",
                                                 "7.6", "7.7", "7.13", "7.14", "8.5", "8.6"]


def test_search_two_character_chinese_query_matches_title_or_item_text(run, imported):
    expected = ids_where(lambda t: "党建" in t["title"] or "党建" in t["item_text"])
    assert 0 < len(expected) < len(ALL_IDS)
    assert listed(run, "--search", "党建") == expected


def test_search_matching_only_an_item_text(run, imported):
    phrase = "辐射引领"
    assert not [t for t in TASKS if phrase in t["title"]]
    assert listed(run, "--search", phrase) == ids_where(lambda t: phrase in t["item_text"])
    assert listed(run, "--search", phrase) == [f"5.{n}" for n in range(1, 7)]


def test_search_title_only_phrase_and_no_match(run, imported):
    phrase = "决定性意义，胸怀"  # the task's words, not the item's
    assert ids_where(lambda t: phrase in t["title"] or phrase in t["item_text"]) == ["1.1"]
    assert listed(run, "-q", phrase) == ["1.1"]
    result = run("list", "--as-of", AS_OF, "--search", "没有这个词", "--format", "json")
    assert result.exit_code == 0 and as_json(result) == []


def test_tag(run, imported):
    assert listed(run, "--tag", "培训") == ids_where(lambda t: "培训" in t["tags"])
    # in the file's order: 7.7's split parts 7.13, 7.14 beside it, 9.6's 9.8 before 9.7
    assert listed(run, "--tag", "培训") == ["3.4", "7.6", "7.7", "7.13", "7.14", "9.5", "9.6",
                                            "9.8", "9.7"]
    assert listed(run, "--tag", "培") == []  # tags match whole


def test_filters_combine_with_and(run, imported):
    assert run("assign", "--new-unit", "2.10", "2.11", "3.4", "--to", "宣传科").exit_code == 0
    assert listed(run, "--section", "一", "--tag", "思政课") == ["2.10", "2.11", "2.12", "2.13"]
    assert listed(run, "--tag", "思政课", "--owner", "宣传科") == ["2.10", "2.11"]
    assert listed(run, "--owner", "宣传科", "--search", "培训") == ["3.4"]
    assert listed(run, "--tag", "培训", "--due-before", "2022-09-01") == [
        "7.6", "7.7", "7.13", "7.14"]  # 7.7's three 暑期 classes, each its own task
    assert listed(run, "--item", "8", "--due-within", "14", "--unassigned") == ["8.5", "8.6"]
    assert listed(run, "--section", "1", "--item", "8") == []


@pytest.fixture
def archived_13_6(run, imported, tmp_path):
    """Re-import the plan without task 13.6: the import archives it."""
    text = PLAN_2022.read_text(encoding="utf-8")
    cut = text.rindex("[[sections.items.tasks]]\nno = 6\n")
    shorter = tmp_path / "2022-shorter.toml"
    shorter.write_text(text[:cut], encoding="utf-8")
    result = run("import", shorter)
    assert result.exit_code == 0, result.output


def test_archived_tasks_only_with_archived(run, archived_13_6):
    assert "13.6" not in listed(run, "--status", "all")
    assert listed(run, "--archived") == ["13.6"]
    assert listed(run, "--archived", "--item", "12") == []


def test_sort_by_due_then_natural_id(run, imported):
    shown = listed(run, "--sort", "due")
    # May's occurrences (due 05-31), June's and 4.5's second quarter (06-30), then the “七一” pair
    assert shown[:9] == ["4.11@2022-05", "4.12@2022-05", "4.14@2022-05", "4.5@2022-Q2",
                         "4.11@2022-06", "4.12@2022-06", "4.14@2022-06", "8.5", "8.6"]
    # by due date, then in the plan's order; the ongoing tasks (常态推进) have no due date: last
    dated = [t for t in ROWS if not t["ongoing"]]
    assert shown == [t["id"] for t in sorted(dated, key=lambda t: t["due"])] + ONGOING


def test_sort_by_owner_puts_unassigned_last(run, imported):
    assert run("assign", "--new-unit", "3.2", "--to", "组织科").exit_code == 0
    assert run("assign", "--new-unit", "2.10", "2.9", "--to", "办公室").exit_code == 0
    shown = listed(run, "--sort", "owner")
    assert shown[:3] == ["2.9", "2.10", "3.2"]  # 办公室 before 组织科, then by id
    assert shown[3:] == [i for i in ALL_IDS if i not in ("3.2", "2.9", "2.10")]


def test_sort_by_status(run, imported):
    for args in (("drop", "1.1", "--reason", "取消"), ("done", "1.2"), ("start", "1.3")):
        assert run("--as-of", AS_OF, *args).exit_code == 0
    shown = listed(run, "--sort", "status", "--status", "all")
    rest = [i for i in ALL_IDS if i not in ("1.1", "1.2", "1.3")]
    assert shown == rest + ["1.3", "1.2", "1.1"]


def test_list_record_values(run, imported):
    result = run("list", "--as-of", AS_OF, "--item", "7", "--format", "json")
    record = next(r for r in as_json(result) if r["id"] == "7.6")
    assert record == {
        "id": "7.6", "item": 7, "section": 3, "title": ROWS[ALL_IDS.index("7.6")]["title"],
        "status": "todo", "owner": None, "support": [], "due": "2022-08-31",
        "start": "2022-07-01", "when": "暑期", "done_on": None, "percent": None,
        "tags": ["培训", "工委"], "light": "green", "signal": "on_track",
        "expected_percent": 0, "lag": 0, "ongoing": False,
        "last_note": None, "period": None}  # its window (暑期) opens on 07-01: nothing due yet
