"""The title index behind ``list --search`` (store/search_index.py): an FTS5 index over the
tasks' own titles, kept right through imports that change titles, additions and deletions,
and made again for a database of an older jtdj."""

from __future__ import annotations

import shutil
import sqlite3

from conftest import PLAN_2022, as_json

AS_OF = ("--as-of", "2022-07-01")
V1 = PLAN_2022.parents[1] / "tests" / "data" / "schema-v1.db"


def found(run, query: str) -> list[str]:
    result = run(*AS_OF, "list", "--status", "all", "--search", query, "--format", "json")
    assert result.exit_code == 0, result.output
    return [r["id"] for r in as_json(result)]


def indexed(db_path, query: str) -> list[str]:
    """The tasks whose titles the index holds ``query`` in (item texts aside)."""
    conn = sqlite3.connect(db_path)
    try:
        return [i for (i,) in conn.execute(
            "SELECT id FROM tasks WHERE rowid IN (SELECT rowid FROM task_search"
            " WHERE task_search MATCH ?) ORDER BY rowid", ('"' + query + '"',))]
    finally:
        conn.close()


def index_is_whole(db_path) -> bool:
    """FTS5's own check of the index against the titles it reads; raises when they differ."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("INSERT INTO task_search (task_search) VALUES ('integrity-check')")
        return conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def test_the_index_reads_the_titles_and_keeps_no_copy(run, imported, db_path):
    conn = sqlite3.connect(db_path)
    names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "task_search_titles" in names  # the view the index reads
    assert not names & {"task_search_content", "task_search_docsize"}
    assert index_is_whole(db_path)


def test_a_title_changed_by_an_import_is_found_by_its_new_words_only(run, imported, db_path,
                                                                     tmp_path):
    text = PLAN_2022.read_text(encoding="utf-8")
    conn = sqlite3.connect(db_path)
    (old,) = conn.execute("SELECT title FROM tasks WHERE id = '5.2'").fetchone()
    conn.close()
    assert "5.2" in found(run, old[:4])
    edited = tmp_path / "plan.toml"
    edited.write_text(text.replace(f'title = "{old}"', 'title = "召开甲乙丙丁专题会Xyz"', 1),
                      encoding="utf-8")
    assert run(*AS_OF, "import", edited).exit_code == 0
    assert found(run, "甲乙丙丁") == ["5.2"]
    assert found(run, "xyz") == ["5.2"] == found(run, "XYZ")  # lowered, as before
    assert indexed(db_path, old) == [] and indexed(db_path, "甲乙丙丁") == ["5.2"]
    assert index_is_whole(db_path)
    # undone, the old title is back in the index and the new one gone
    assert run(*AS_OF, "undo").exit_code == 0
    assert indexed(db_path, old) == ["5.2"] and found(run, "甲乙丙丁") == []
    assert index_is_whole(db_path)


def test_added_tasks_and_short_queries(run, imported, db_path):
    added = run(*AS_OF, "add", "4", "专项调研课题结题")
    assert added.exit_code == 0, added.output
    new_id = added.stdout.strip()
    assert found(run, "调研课题结") == [new_id]  # from the index: 3 characters or more
    assert new_id in found(run, "结题")  # two characters: read off the titles
    assert index_is_whole(db_path)


def test_a_task_deleted_by_another_program_leaves_the_index(run, imported, db_path):
    added = run(*AS_OF, "add", "4", "专项调研课题结题")
    new_id = added.stdout.strip()
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("DELETE FROM tasks WHERE id = ?", (new_id,))
    conn.close()
    assert index_is_whole(db_path)
    assert found(run, "调研课题结") == []


def test_an_older_database_gets_the_new_index_with_every_title(run, db_path):
    db_path.parent.mkdir(parents=True)
    shutil.copy(V1, db_path)
    conn = sqlite3.connect(db_path)
    titles = dict(conn.execute("SELECT id, title FROM tasks WHERE plan = '2022'"))
    conn.close()
    assert run("list").exit_code == 0  # opening it migrates it
    assert index_is_whole(db_path)
    some = sorted(titles)[:3]
    for task_id in some:
        assert task_id in found(run, titles[task_id][-4:])
