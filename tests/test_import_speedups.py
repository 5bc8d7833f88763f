"""The import's speed tricks (bench/README.md) keep what an import writes and what it reports."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from conftest import PLAN_2022, SAMPLE_2023

AS_OF = date(2022, 7, 1)


def _plain_path_off(monkeypatch):
    from jtdj import plan

    monkeypatch.setattr(plan, "_plain_task", lambda *args: None)


@pytest.mark.parametrize("source", [PLAN_2022, SAMPLE_2023], ids=["2022", "sample-2023"])
def test_a_plan_read_through_the_plain_task_path_equals_the_plan_read_through_the_full_checks(
        monkeypatch, source):
    from jtdj.plan import load_plan

    fast = load_plan(source, AS_OF)
    _plain_path_off(monkeypatch)
    assert load_plan(source, AS_OF) == fast


# Each of these tasks looks plain at first sight; each must go through the full checks.
NOT_PLAIN = [
    'no = 1\ntitle = "   "',                                # a blank title
    'no = 0\ntitle = "零号"',                                # a number below 1
    'no = 1000000\ntitle = "太大"',                           # a number out of range
    'no = true\ntitle = "布尔编号"',                           # a boolean is not an integer
    'no = 1\ntitle = "重复"\n\n[[sections.items.tasks]]\nno = 1\ntitle = "重复二"',
    'no = 1\ntitle = "开始晚于完成"\nstart = 2022-05-01\ndue = 2022-04-01',
    'no = 1\ntitle = "暑期之后开始"\nwhen = "暑期"\nstart = 2022-09-01',
    'no = 1\ntitle = "标签"\ntags = ["甲", 2]',
    'no = 1\ntitle = "时刻"\ndue = 2022-04-01T08:00:00',
    'no = 1\ntitle = "错拼"\nownr = "组织科"',
    'title = "缺编号"',
    'no = 1\nowner = "组织科"',
]


@pytest.mark.parametrize("task", NOT_PLAIN)
def test_a_task_the_plain_path_must_not_take_is_reported_exactly_as_by_the_full_checks(
        monkeypatch, tmp_path, task):
    from jtdj.errors import PlanFileError
    from jtdj.plan import load_plan

    path = tmp_path / "plan.toml"
    path.write_text('[plan]\nkey = "p"\ntitle = "计划"\n\n[[sections]]\nno = 1\ntitle = "一"\n\n'
                    '[[sections.items]]\nno = 1\ntitle = "条目"\n\n[[sections.items.tasks]]\n'
                    + task + "\n", encoding="utf-8")

    def problems():
        try:
            load_plan(path, AS_OF)
        except PlanFileError as exc:
            return str(exc), exc.problems
        return None

    fast = problems()
    _plain_path_off(monkeypatch)
    assert fast is not None and fast == problems()


def _rows(db_path, sql):
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_new_tasks_file_values_written_by_sqlite_are_those_the_importer_compares_against(
        run, db_path):
    from jtdj.importer import file_values
    from jtdj.plan import load_plan

    assert run("import", str(SAMPLE_2023)).exit_code == 0
    plan = load_plan(SAMPLE_2023, AS_OF)
    stored = dict(_rows(db_path, "SELECT id, file_values FROM tasks"))
    expected = {task.id: file_values(task, section.no, plan.due)
                for section in plan.sections for item in section.items for task in item.tasks}
    assert {k: json.loads(v) for k, v in stored.items()} == expected


def test_a_new_plans_import_events_are_written_by_one_statement_one_per_task_in_row_order(
        db_path):
    from jtdj import importer
    from jtdj.plan import load_plan
    from jtdj.store import Store

    db_path.parent.mkdir(parents=True, exist_ok=True)
    store = Store.open(db_path)
    seen: list[str] = []
    try:
        store.conn.set_trace_callback(seen.append)
        importer.import_plan(store, load_plan(PLAN_2022, AS_OF), str(PLAN_2022), "tester", AS_OF)
    finally:
        store.close()
    # every row: the plan's 112 tasks, then the 29 occurrences of its six recurring ones
    # (4.5@2022-Q2 …); the units and the group the import registers (各直属党组织) aside
    tasks = _rows(db_path, "SELECT id, status FROM tasks ORDER BY rowid")
    events = _rows(db_path, "SELECT target, action, field, old, new, on_date, actor FROM events"
                            " WHERE target NOT LIKE 'unit:%' AND target NOT LIKE 'group:%'"
                            " ORDER BY id")
    assert len(tasks) > 10
    assert events == [(i, "import", "status", None, s, AS_OF.isoformat(), "tester")
                      for i, s in tasks]
    # one statement for the tasks' events and one for the occurrences': neither grows with
    # how many there are
    assert sum("INTO events" in s and "'status'" in s for s in seen) == 2


@pytest.mark.parametrize("source", [PLAN_2022, SAMPLE_2023], ids=["2022", "sample-2023"])
def test_each_new_tasks_stored_columns_are_its_row_as_built_whichever_are_null_in_every_row(
        run, db_path, source):
    from jtdj.importer import _new_row
    from jtdj.plan import load_plan
    from jtdj.store.bulk import TASK_COLUMNS

    assert run("import", str(source)).exit_code == 0
    plan = load_plan(source, AS_OF)
    # each task with its place in its item in the file (pos: 2.14 stands 8th, beside 2.7)
    built = [_new_row(plan.key, task, section.no, plan.due, pos)
             for section in plan.sections for item in section.items
             for pos, task in enumerate(item.tasks, 1)]
    # the plan's tasks: the rows of a recurring task's occurrences are not built from the file
    stored = _rows(db_path, f"SELECT {', '.join(TASK_COLUMNS[:-1])} FROM tasks"
                            " WHERE period IS NULL ORDER BY rowid")
    assert stored == built
    assert {column for column, *values in zip(TASK_COLUMNS, *built)
            if all(v is None for v in values)}  # some columns are written as NULL literals


def test_a_fresh_import_that_makes_the_task_indexes_after_leaves_the_same_database(
        tmp_path, monkeypatch):
    """A large import into an empty database makes the tasks' full indexes after inserting the
    rows (``bulk.indexes_made_after``): the same schema, rows and answers as growing them."""
    from jtdj import importer
    from jtdj.plan import load_plan
    from jtdj.store import Store, bulk

    def imported(name: str) -> tuple:
        path = tmp_path / name / "jtdj.db"
        path.parent.mkdir()
        store = Store.open(path)
        seen: list[str] = []
        store.conn.set_trace_callback(seen.append)
        importer.import_plan(store, load_plan(PLAN_2022, AS_OF), str(PLAN_2022), "tester", AS_OF)
        store.close()
        conn = sqlite3.connect(path)
        schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"
                              " ORDER BY type, name").fetchall()
        rows = conn.execute("SELECT * FROM tasks ORDER BY rowid").fetchall()
        events = conn.execute("SELECT on_date, actor, plan, target, action, field, old, new, note"
                              " FROM events ORDER BY id").fetchall()
        found = conn.execute("SELECT rowid FROM task_search WHERE task_search MATCH '\"党组织\"'"
                             " ORDER BY rowid").fetchall()
        merging = conn.execute("SELECT v FROM task_search_config WHERE k = 'automerge'").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()
        assert found and merging in ([], [(4,)])  # FTS5's default merging, as it was
        return (schema, rows, events, found), [s for s in seen if s.startswith(("DROP", "CREATE"))]

    grown, grown_ddl = imported("grown")
    monkeypatch.setattr(bulk, "INDEX_AFTER_ROWS", 1)
    after, after_ddl = imported("after")
    full = ["idx_tasks_owner_state", "idx_tasks_state",
            "idx_tasks_counting"]
    assert [s.split('"')[1] for s in after_ddl if s.startswith("DROP")] == full
    assert len([s for s in after_ddl if s.startswith("CREATE INDEX")]) >= len(full)
    assert not any(s.startswith("DROP") for s in grown_ddl)
    assert after == grown


def _fresh_import(tmp_path, monkeypatch, name: str = "jtdj.db"):
    """A large import (every import is, with the threshold at one task) into a new database;
    returns the store, still open, and the statements it ran."""
    from jtdj import importer
    from jtdj.plan import load_plan
    from jtdj.store import Store, bulk

    monkeypatch.setattr(bulk, "INDEX_AFTER_ROWS", 1)
    store = Store.open(tmp_path / name)
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    importer.import_plan(store, load_plan(PLAN_2022, AS_OF), str(PLAN_2022), "tester", AS_OF)
    return store, seen


def test_a_fresh_large_import_is_written_through_the_rollback_journal_and_leaves_the_wal(
        tmp_path, monkeypatch):
    store, seen = _fresh_import(tmp_path, monkeypatch)
    assert "PRAGMA journal_mode = DELETE" in seen and seen[-1] == "PRAGMA journal_mode = WAL"
    store.close()
    conn = sqlite3.connect(tmp_path / "jtdj.db")
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # readers alongside
    assert conn.execute("SELECT count(*) FROM tasks").fetchone()[0] > 40
    assert not (tmp_path / "jtdj.db-journal").exists()


def test_a_fresh_import_while_another_connection_reads_keeps_the_wal_and_does_not_wait(
        tmp_path, monkeypatch):
    from jtdj.store import Store

    Store.open(tmp_path / "jtdj.db").close()
    reader = sqlite3.connect(tmp_path / "jtdj.db")
    reader.execute("SELECT count(*) FROM tasks").fetchone()  # open, as `jtdj serve` holds it
    store, seen = _fresh_import(tmp_path, monkeypatch)
    assert "PRAGMA journal_mode = WAL" not in seen  # the switch was refused, so not undone
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert reader.execute("SELECT count(*) FROM tasks").fetchone()[0] > 40
    store.close()


def test_a_fresh_large_import_that_fails_leaves_no_task_and_the_wal(tmp_path, monkeypatch):
    from jtdj.store import bulk

    def broken(*args, **kwargs):
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(bulk, "insert_added_events", broken)
    with pytest.raises(RuntimeError):
        _fresh_import(tmp_path, monkeypatch)
    conn = sqlite3.connect(tmp_path / "jtdj.db")
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("SELECT count(*) FROM tasks").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM plans").fetchone() == (0,)
