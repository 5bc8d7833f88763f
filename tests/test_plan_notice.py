"""The notice's own fields of a plan's `[plan]` table (docs/plan-format.md): notice_title,
addressee (主送机关), public (此件公开发布), printed_by and printed_on (印发机关和印发日期).
Checked like the other fields, stored on import, updated by a re-import (not logged), written by
both exports, and filled in an old database by its next import."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import as_json, ok, one_item_plan, rows

NOTICE = ('notice_title = "关于印发《测试要点》的通知"\naddressee = "直属各党组织"\npublic = true\n'
          'printed_by = "某局办公室"\nprinted_on = 2022-05-10\n')
V1 = Path(__file__).resolve().parent / "data" / "schema-v1.db"
BEFORE_SPLITS = Path(__file__).resolve().parent / "data" / "plan-2022-before-splits.toml"


def _plan(tmp_path, head: str = NOTICE, name: str = "plan.toml") -> Path:
    text = one_item_plan("t", "测试要点", "2022-05-09", ["", ""])
    path = tmp_path / name
    path.write_text(text.replace("due = 2022-12-31\n", "due = 2022-12-31\n" + head, 1),
                    encoding="utf-8")
    return path


def _head(db_path) -> dict:
    return rows(db_path, "SELECT notice_title, addressee, public, printed_by, printed_on"
                         " FROM plans WHERE key = 't'")[0]


@pytest.mark.parametrize("line, problem", [
    ("notice_title = 1", 'plan.notice_title: expected a string, got 1'),
    ('addressee = ["直属各党组织"]', "plan.addressee: expected a string, got an array"),
    ('public = "true"', 'plan.public: expected true or false, got "true"'),
    ("public = 1", "plan.public: expected true or false, got 1"),
    ('printed_on = "2022-05-09"', 'plan.printed_on: expected a date, got "2022-05-09"'),
    ("printed_on = 2022-05-09T08:00:00", "plan.printed_on: expected a date, got 2022-05-09T08:00:00"),
    ('notice_title = "  "', "plan.notice_title: must not be empty"),
    ('addressee = ""', "plan.addressee: must not be empty"),
    ('printed_by = "\u3000"', "plan.printed_by: must not be empty"),
    ("printed_at = 2022-05-09", 'plan.printed_at: unknown field; did you mean "printed_on"?'),
])
def test_a_notice_field_of_the_wrong_kind_or_blank_is_refused_with_its_path(
        run, db_path, tmp_path, line, problem):
    path = _plan(tmp_path, line + "\n")
    result = run("--lang", "en", "import", path)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == f"Error: {path}: {problem}"
    assert not db_path.exists() or not rows(db_path, "SELECT key FROM plans")


def test_every_problem_of_the_notice_fields_is_said_at_once(run, tmp_path):
    path = _plan(tmp_path, 'notice_title = ""\npublic = "是"\nprinted_on = "5月9日"\n')
    result = run("--lang", "en", "import", path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert "3 problems" in lines[0]
    assert sorted(line.split(": ")[1] for line in lines[1:]) == [
        "plan.notice_title", "plan.printed_on", "plan.public"]


def test_the_notice_fields_are_stored_on_import_and_left_empty_when_absent(run, db_path, tmp_path):
    ok(run, "import", _plan(tmp_path))
    assert _head(db_path) == {"notice_title": "关于印发《测试要点》的通知", "addressee": "直属各党组织",
                              "public": 1, "printed_by": "某局办公室", "printed_on": "2022-05-10"}
    ok(run, "import", _plan(tmp_path, "", "bare.toml"))
    assert _head(db_path) == {"notice_title": None, "addressee": None, "public": 0,
                              "printed_by": None, "printed_on": None}


def test_a_re_import_that_changes_them_updates_the_plan_row_and_logs_nothing(
        run, db_path, tmp_path):
    ok(run, "import", _plan(tmp_path))
    tasks = rows(db_path, "SELECT * FROM tasks ORDER BY id")
    events = rows(db_path, "SELECT * FROM events ORDER BY id")
    changed = NOTICE.replace("直属各党组织", "各学校党组织").replace("public = true\n", "")
    dry = ok(run, "import", "--dry-run", _plan(tmp_path, changed))
    assert _head(db_path)["addressee"] == "直属各党组织"  # a dry run writes nothing
    assert dry.stdout == ""  # the plan head is not one of the changes it lists
    ok(run, "import", _plan(tmp_path, changed))
    assert _head(db_path) == {"notice_title": "关于印发《测试要点》的通知", "addressee": "各学校党组织",
                              "public": 0, "printed_by": "某局办公室", "printed_on": "2022-05-10"}
    assert rows(db_path, "SELECT * FROM tasks ORDER BY id") == tasks
    assert rows(db_path, "SELECT * FROM events ORDER BY id") == events


def test_both_exports_write_them_and_the_toml_leaves_out_public_when_false(run, tmp_path):
    ok(run, "import", _plan(tmp_path))
    toml = ok(run, "export", "--format", "toml").stdout
    assert ('issued = 2022-05-09\nnotice_title = "关于印发《测试要点》的通知"\naddressee = "直属各党组织"\n'
            'public = true\nprinted_by = "某局办公室"\nprinted_on = 2022-05-10\ndue = 2022-12-31\n'
            ) in toml
    head = as_json(ok(run, "export", "--format", "json"))["plan"]
    assert list(head) == ["key", "title", "issuer", "doc_no", "issued", "notice_title",
                          "addressee", "public", "printed_by", "printed_on", "due", "preamble"]
    assert (head["public"], head["printed_on"]) == (True, "2022-05-10")

    ok(run, "import", _plan(tmp_path, NOTICE.replace("public = true\n", "public = false\n")))
    assert "public" not in ok(run, "export", "--format", "toml").stdout
    assert as_json(ok(run, "export", "--format", "json"))["plan"]["public"] is False


def test_an_old_database_gets_the_notice_fields_from_its_next_import(run, db_path):
    db_path.parent.mkdir(parents=True)
    shutil.copy(V1, db_path)
    ok(run, "plans")  # migrated: the plan has no notice fields yet
    assert rows(db_path, "SELECT addressee, public FROM plans") == [{"addressee": None, "public": 0}]
    tasks = rows(db_path, "SELECT id, status, owner FROM tasks ORDER BY id")
    # the bundled plan as it was before its splits (issue 18), the file this database was made
    # from: the bundled plan now has a 4.10 of its own, where this database has a task added
    # with `jtdj add`, which an import rightly refuses to overwrite
    ok(run, "import", str(BEFORE_SPLITS))
    assert rows(db_path, "SELECT notice_title, addressee, public, printed_by, printed_on"
                         " FROM plans") == [{
        "notice_title": "关于印发《2022年区委教育工委党的建设工作要点》的通知",
        "addressee": "直属各党组织", "public": 1, "printed_by": "常州市金坛区教育局办公室",
        "printed_on": "2022-05-09"}]
    assert rows(db_path, "SELECT id, status, owner FROM tasks ORDER BY id") == tasks
