"""Plan files and exports carry units and shares: an import registers the names a file gives,
`each` hands a task to a group's members at every import (never taking a share back), the TOML
export keeps each share's state so the round trip is byte-identical, and the JSON and CSV
exports carry one record per share with its unit."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import dump, ok, rows

AS_OF = ("--as-of", "2022-07-01")


def unchanged_part(db_path) -> list[str]:
    """The dump of the database but the plan's 最近导入 time, which an unchanged import
    renews (it says when the file was last read)."""
    return [line for line in dump(db_path) if not line.startswith('INSERT INTO "plans"')] + [
        str(r) for r in rows(db_path, "SELECT key, title, issuer, doc_no, issued, due, preamble,"
                                      " source FROM plans ORDER BY key")]


GROUP = "各直属党组织"

PLAN = """\
format = 1

[plan]
key = "u2022"
title = "分解到单位的试验计划"
issued = 2022-05-09
due = 2022-12-31

[[sections]]
no = 1
title = "组织建设"

[[sections.items]]
no = 1
title = "加强基层组织建设"

[[sections.items.tasks]]
no = 1
title = "开展主题党日活动"
owner = "组织科"
support = ["宣传科"]
each = ["各直属党组织"]

[[sections.items.tasks]]
no = 2
title = "报送党建工作总结"
each = ["实验小学党支部"]

[[sections.items.tasks]]
no = 3
title = "一项不分解的任务"
"""


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / "u2022.toml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def share_units(db_path, task_id: str) -> list[str]:
    return [r["name"] for r in rows(
        db_path, "SELECT u.name FROM shares s JOIN units u ON u.id = s.unit"
        " WHERE s.task = ? ORDER BY s.rowid", task_id)]


def registered(db_path) -> tuple[list[str], list[str]]:
    return ([r["name"] for r in rows(db_path, "SELECT name FROM units ORDER BY id")],
            [r["name"] for r in rows(db_path, "SELECT name FROM unit_groups ORDER BY name")])


def test_an_import_registers_the_units_and_groups_the_file_names_and_the_group_starts_empty(
        run, plan_file, db_path):
    ok(run, *AS_OF, "import", plan_file)
    units, groups = registered(db_path)
    assert "实验小学党支部" in units
    assert groups == [GROUP]  # a new name in `each` starting with 各 is a group
    assert share_units(db_path, "1.1") == []  # the group has no members yet
    assert share_units(db_path, "1.2") == ["实验小学党支部"]
    assert json.loads(ok(run, "show", "1.2", "--format", "json").stdout)["percent"] is None


def test_an_import_registers_the_lead_and_supporting_units_too(run, plan_file, db_path):
    ok(run, *AS_OF, "import", plan_file)
    assert registered(db_path)[0] == ["组织科", "宣传科", "实验小学党支部"]


def test_an_import_lists_the_new_units_and_groups_on_stderr(run, plan_file):
    result = ok(run, *AS_OF, "import", plan_file)
    for name in ("实验小学党支部", GROUP):
        assert name in result.stderr


def test_every_import_hands_the_task_to_the_members_the_group_has_then_and_never_takes_one_back(
        run, plan_file, db_path):
    ok(run, *AS_OF, "import", plan_file)
    ok(run, *AS_OF, "units", "add", "华罗庚实验学校党支部", "--group", GROUP)
    ok(run, *AS_OF, "units", "add", "第二小学党支部", "--group", GROUP)
    ok(run, *AS_OF, "import", plan_file)
    assert share_units(db_path, "1.1") == ["华罗庚实验学校党支部", "第二小学党支部"]
    before = unchanged_part(db_path)
    ok(run, *AS_OF, "import", plan_file)  # unchanged: nothing changes
    assert unchanged_part(db_path) == before
    ok(run, *AS_OF, "units", "edit", "第二小学党支部", "--group", "其他")  # leaves the group
    ok(run, *AS_OF, "import", plan_file)
    assert share_units(db_path, "1.1") == ["华罗庚实验学校党支部", "第二小学党支部"]


@pytest.fixture
def worked(run, plan_file):
    """The plan handed to two units of the group; one has checked its share off with a note
    and evidence, the other noted 40%."""
    ok(run, *AS_OF, "import", plan_file)
    ok(run, *AS_OF, "units", "add", "华罗庚实验学校党支部", "--group", GROUP)
    ok(run, *AS_OF, "units", "add", "第二小学党支部", "--group", GROUP)
    ok(run, *AS_OF, "import", plan_file)
    ok(run, *AS_OF, "done", "1.1", "--unit", "华罗庚实验学校党支部", "--note", "已召开",
       "--on", "2022-06-30", "--evidence", "docs/照片.zip")
    ok(run, *AS_OF, "note", "1.1", "已筹备", "--unit", "第二小学党支部", "--percent", "40")
    return run


def test_the_toml_export_keeps_each_share_and_its_state_and_the_round_trip_is_byte_identical(
        worked, run, tmp_path, db_path):
    first = ok(run, *AS_OF, "export", "-f", "toml").stdout
    assert "[[sections.items.tasks.shares]]" in first
    block = first.split('unit = "华罗庚实验学校党支部"', 1)[1].split("[[sections.items.tasks]]")[0]
    assert 'status = "done"' in block and "done_on = 2022-06-30" in block
    assert 'evidence = ["docs/照片.zip"]' in block and 'text = "已召开"' in block
    other = first.split('unit = "第二小学党支部"', 1)[1].split("[[sections.items.tasks]]")[0]
    assert "percent = 40" in other and 'text = "已筹备"' in other and "status" not in other
    assert "each" not in first  # the shares themselves, not the group they came from
    exported = tmp_path / "export.toml"
    exported.write_text(first, encoding="utf-8")

    fresh = tmp_path / "fresh.db"
    ok(run, "--db", fresh, *AS_OF, "import", exported)
    assert share_units(fresh, "1.1") == ["华罗庚实验学校党支部", "第二小学党支部"]
    state = ("SELECT u.name, s.status, s.percent, s.done_on, s.evidence FROM shares s"
             " JOIN units u ON u.id = s.unit ORDER BY s.task, s.rowid")
    assert rows(fresh, state) == rows(db_path, state)
    again = ok(run, "--db", fresh, *AS_OF, "export", "-f", "toml").stdout
    assert again == first
    task = json.loads(ok(run, "--db", fresh, *AS_OF, "show", "1.1", "--format", "json").stdout)
    assert task["status"] == "doing" and task["percent"] == 70  # the roll-up: (100 + 40) / 2
    before = unchanged_part(fresh)
    ok(run, "--db", fresh, *AS_OF, "import", exported)  # again: nothing changes
    assert unchanged_part(fresh) == before


def test_a_past_day_of_an_imported_share_is_before_its_check_off(worked, run, tmp_path):
    exported = tmp_path / "export.toml"
    exported.write_text(ok(run, *AS_OF, "export", "-f", "toml").stdout, encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    ok(run, "--db", fresh, *AS_OF, "import", exported)
    data = json.loads(ok(run, "--db", fresh, "--as-of", "2022-06-29", "export", "-f",
                         "json").stdout)
    task = data["sections"][0]["items"][0]["tasks"][0]
    assert [(s["unit"], s["status"]) for s in task["shares"]] == [
        ("华罗庚实验学校党支部", "todo"), ("第二小学党支部", "todo")]


def test_the_json_export_gives_each_task_its_shares_with_the_unit_and_state(worked, run):
    data = json.loads(ok(run, *AS_OF, "export", "-f", "json").stdout)
    tasks = {t["id"]: t for t in data["sections"][0]["items"][0]["tasks"]}
    done, noted = tasks["1.1"]["shares"]
    assert (done["unit"], done["status"], done["percent"], done["done_on"]) == (
        "华罗庚实验学校党支部", "done", 100, "2022-06-30")
    assert done["evidence"] == ["docs/照片.zip"] and done["notes"][0]["text"] == "已召开"
    assert (noted["unit"], noted["status"], noted["percent"]) == ("第二小学党支部", "todo", 40)
    assert tasks["1.3"]["shares"] == []


def test_the_csv_export_has_one_row_per_share_with_its_unit_in_a_last_column(worked, run):
    text = ok(run, *AS_OF, "export", "-f", "csv").stdout.lstrip("\ufeff")
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0])[-1] == "unit" and list(table[0])[:3] == ["id", "section", "item"]
    mine = [(r["id"], r["unit"], r["status"], r["percent"], r["done_on"]) for r in table
            if r["id"] == "1.1"]
    assert mine == [("1.1", "华罗庚实验学校党支部", "done", "100", "2022-06-30"),
                    ("1.1", "第二小学党支部", "todo", "40", "")]
    assert [(r["id"], r["unit"]) for r in table if r["id"] == "1.3"] == [("1.3", "")]


def test_a_share_table_naming_a_unit_twice_is_refused_with_its_path(run, tmp_path, db_path):
    path = tmp_path / "twice.toml"
    path.write_text(PLAN + '\n[[sections.items.tasks.shares]]\nunit = "组织科"\n'
                    '\n[[sections.items.tasks.shares]]\nunit = "组织科"\nstatus = "done"\n',
                    encoding="utf-8")
    result = run(*AS_OF, "import", path)
    assert result.exit_code == 2
    assert "sections[1].items[1].tasks[3].shares[2].unit" in result.stderr
    assert "sections[1].items[1].tasks[3].shares[2].done_on" not in result.stderr
    assert not db_path.exists() or rows(db_path, "SELECT count(*) AS n FROM shares")[0]["n"] == 0
