"""Promise 3: undo. One command is undone as one step, by its own actor, most recent first; a
later change by anyone to the same field blocks it; undo is recorded; undoing an import puts
the plan back without deleting anything."""

from __future__ import annotations

from conftest import PLAN_2022, as_json, rows

AS_OF = ("--as-of", "2022-07-01")


def task(db_path, task_id: str) -> dict:
    return rows(db_path, "SELECT * FROM tasks WHERE id = ?", task_id)[0]


def test_undo_reverts_the_last_command_and_says_what(run, imported, db_path):
    assert run("done", "5.1", "--note", "已完成", *AS_OF).exit_code == 0
    assert task(db_path, "5.1")["status"] == "done"

    result = run("undo", *AS_OF)
    assert result.exit_code == 0, result.stderr
    assert "5.1" in result.stderr
    row = task(db_path, "5.1")
    assert (row["status"], row["done_on"]) == ("todo", None)


def test_an_item_wide_assign_is_one_step(run, imported, db_path):
    ids = [r["id"] for r in rows(db_path, "SELECT id FROM tasks WHERE item = 5")]
    assert len(ids) > 2
    assert run("assign", "--new-unit", "5", "--to", "组织科", "--with", "宣传科", *AS_OF).exit_code == 0
    assert {task(db_path, i)["owner"] for i in ids} == {"组织科"}

    result = run("undo", *AS_OF)
    assert result.exit_code == 0, result.stderr
    assert all(i in result.stderr for i in ids)
    assert {task(db_path, i)["owner"] for i in ids} == {None}
    assert {task(db_path, i)["support"] for i in ids} == {"[]"}


def test_undo_again_goes_back_one_more_then_nothing_is_left(run, imported, db_path):
    by = ("--by", "小王")
    assert run("start", "2.1", *by, *AS_OF).exit_code == 0
    assert run("assign", "--new-unit", "2.1", "--to", "宣传科", *by, *AS_OF).exit_code == 0
    assert run("note", "2.1", "一半了", "--percent", "50", *by, *AS_OF).exit_code == 0

    assert run("undo", *by, *AS_OF).exit_code == 0  # the note and its percent
    assert rows(db_path, "SELECT * FROM notes WHERE target = '2.1'") == []
    assert task(db_path, "2.1")["percent"] is None
    assert task(db_path, "2.1")["owner"] == "宣传科"
    assert run("undo", *by, *AS_OF).exit_code == 0  # the assign
    assert task(db_path, "2.1")["owner"] is None and task(db_path, "2.1")["status"] == "doing"
    assert run("undo", *by, *AS_OF).exit_code == 0  # the start
    assert task(db_path, "2.1")["status"] == "todo" and task(db_path, "2.1")["started_on"] is None

    nothing = run("undo", *by, *AS_OF)
    assert nothing.exit_code == 1
    assert "小王" in nothing.stderr and len(nothing.stderr.strip().splitlines()) == 1
    # someone else's work (the import by "tester") was not touched by 小王's undo
    # (the plan's 112 tasks; a recurring task's occurrence rows are kept apart, archived = 2)
    assert rows(db_path, "SELECT count(*) AS n FROM tasks WHERE archived = 0")[0]["n"] == 112


def test_undo_refuses_when_someone_changed_the_same_field_later(run, imported, db_path):
    assert run("done", "3.1", *AS_OF).exit_code == 0
    assert run("reopen", "3.1", "--by", "小李", *AS_OF).exit_code == 0
    events_before = rows(db_path, "SELECT count(*) AS n FROM events")[0]["n"]

    result = run("undo", *AS_OF)
    assert result.exit_code == 1
    assert "3.1" in result.stderr and "小李" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert task(db_path, "3.1")["status"] == "todo"  # 小李's reopen stands
    assert rows(db_path, "SELECT count(*) AS n FROM events")[0]["n"] == events_before

    # once 小李 undoes the reopen, the original command can be undone
    assert run("undo", "--by", "小李", *AS_OF).exit_code == 0
    assert task(db_path, "3.1")["status"] == "done"
    assert run("undo", *AS_OF).exit_code == 0
    assert task(db_path, "3.1")["status"] == "todo"


def test_a_later_change_to_another_field_does_not_block(run, imported, db_path):
    assert run("done", "3.1", *AS_OF).exit_code == 0
    assert run("assign", "--new-unit", "3.1", "--to", "宣传科", "--by", "小李", *AS_OF).exit_code == 0
    assert run("undo", *AS_OF).exit_code == 0
    assert task(db_path, "3.1")["status"] == "todo"
    assert task(db_path, "3.1")["owner"] == "宣传科"


def test_undo_is_recorded_in_the_history(run, imported, db_path):
    assert run("done", "4.2", *AS_OF).exit_code == 0
    assert run("undo", *AS_OF).exit_code == 0
    history = as_json(run("history", "4.2", "--format", "json", *AS_OF))
    undos = [e for e in history if e["action"] == "undo"]
    assert {(e["field"], e["old"], e["new"]) for e in undos} >= {("status", "done", "todo")}
    assert {e["actor"] for e in undos} == {"tester"}
    # the done itself is still in the history: undo adds, it never erases
    assert any(e["action"] == "done" for e in history)


def test_undoing_an_added_task_archives_it(run, imported, db_path):
    added = run("add", "4", "临时任务", *AS_OF)
    assert added.exit_code == 0
    new_id = added.stdout.strip()
    assert run("undo", *AS_OF).exit_code == 0
    assert task(db_path, new_id)["archived"] == 1
    listed = as_json(run("list", "--status", "all", "--format", "json", *AS_OF))
    assert new_id not in {r["id"] for r in listed}


def test_undoing_an_import_restores_unarchives_and_archives(run, imported, db_path, tmp_path):
    text = PLAN_2022.read_text(encoding="utf-8")
    old_title = task(db_path, "1.1")["title"]
    changed = text.replace(old_title, "改过的标题", 1)
    # drop task 1.3 from the file (its whole block, with its kind = "ongoing") and add a new
    # task 1.9; 1.3's title, in the source's words, stays in item 1's text
    third = task(db_path, "1.3")["title"]
    block = f'[[sections.items.tasks]]\nno = 3\ntitle = "{third}"\nkind = "ongoing"\n'
    assert changed.count(block) == 1
    changed = changed.replace(block, "", 1)
    assert changed.count("改过的标题") == 1 and f'title = "{third}"' not in changed
    changed = changed.replace(
        "[[sections.items.tasks]]\nno = 1\n",
        '[[sections.items.tasks]]\nno = 9\ntitle = "新任务"\n\n[[sections.items.tasks]]\nno = 1\n', 1)
    edited = tmp_path / "2022-edited.toml"
    edited.write_text(changed, encoding="utf-8")
    count_before = rows(db_path, "SELECT count(*) AS n FROM tasks")[0]["n"]

    result = run("--as-of", "2022-07-01", "import", edited)
    assert result.exit_code == 0, result.stderr
    assert task(db_path, "1.1")["title"] == "改过的标题"
    assert task(db_path, "1.3")["archived"] == 1
    assert task(db_path, "1.9")["archived"] == 0

    undone = run("undo", *AS_OF)
    assert undone.exit_code == 0, undone.stderr
    assert task(db_path, "1.1")["title"] == old_title
    assert task(db_path, "1.3")["archived"] == 0
    assert task(db_path, "1.9")["archived"] == 1  # archived, not deleted
    assert rows(db_path, "SELECT count(*) AS n FROM tasks")[0]["n"] == count_before + 1
    listed = {r["id"] for r in as_json(run("list", "--status", "all", "--format", "json", *AS_OF))}
    assert "1.3" in listed and "1.9" not in listed

    # importing the edited file again applies it again
    assert run("--as-of", "2022-07-01", "import", edited).exit_code == 0
    assert task(db_path, "1.1")["title"] == "改过的标题"
    assert task(db_path, "1.3")["archived"] == 1
    assert task(db_path, "1.9")["archived"] == 0
