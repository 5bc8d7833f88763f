"""Issue 18 §1: the 2022 plan's split tasks. A database that imported the plan before the
splits and checked some tasks off re-imports the new file with every history on its own
action: the first-listed part of a split keeps the old number and what was done on it, the new
parts start afresh, and every list shows them in the document's order."""

from __future__ import annotations

from pathlib import Path

from conftest import as_json, ok, rows

BEFORE = Path(__file__).parent / "data" / "plan-2022-before-splits.toml"  # the file as it was
PLAN = Path(__file__).resolve().parents[1] / "plans" / "2022.toml"


def _events(run, task_id: str) -> list[tuple]:
    return [(e["action"], e["field"], e["new"], e["note"])
            for e in as_json(run("history", task_id, "--format", "json", "--as-of", "2022-07-01"))
            if e["target"] == task_id and e["action"] != "import"]


def test_a_database_of_the_old_file_re_imports_the_split_plan_with_each_history_on_its_action(
        run, db_path):
    ok(run, "--as-of", "2022-05-10", "import", str(BEFORE))
    ok(run, "done", "7.7", "--note", "三个班均已开班", "--as-of", "2022-06-01")
    ok(run, "start", "2.7", "--as-of", "2022-06-02")
    ok(run, "note", "8.5", "七一表彰名单已报", "--as-of", "2022-06-03")
    ok(run, "done", "10.7", "--as-of", "2022-06-04")
    before = {k: _events(run, k) for k in ("7.7", "2.7", "8.5", "10.7")}
    assert all(before.values())

    result = ok(run, "--as-of", "2022-06-05", "import", str(PLAN))
    assert "14" in result.stderr + result.stdout  # the new parts are added, none archived

    for task_id, events in before.items():  # each history stays on the task it was done on
        assert _events(run, task_id) == events, task_id
    for task_id in ("7.13", "7.14", "2.14", "8.6", "10.8", "9.8", "12.7", "4.10", "3.6"):
        assert _events(run, task_id) == [], task_id  # a new part starts afresh
    tasks = {t["id"]: t for t in as_json(run("list", "--status", "all", "--format", "json",
                                             "--as-of", "2022-07-01"))}
    assert tasks["7.7"]["status"] == "done" and tasks["7.7"]["title"] == "组织好暑期校科级干部研修"
    assert tasks["7.13"]["status"] == tasks["7.14"]["status"] == "todo"
    assert tasks["2.7"]["status"] == "doing" and tasks["2.14"]["status"] == "todo"
    assert tasks["10.7"]["status"] == "done" and tasks["10.8"]["due"] == "2023-02-28"
    assert rows(db_path, "SELECT count(*) AS n FROM tasks WHERE archived = 1")[0]["n"] == 0
    show = as_json(run("show", "8.5", "--format", "json", "--as-of", "2022-07-01"))
    assert "七一表彰名单已报" in str(show)


def test_split_parts_are_listed_exported_and_written_back_in_the_document_s_order(
        run, tmp_path):
    ok(run, "--as-of", "2022-05-10", "import", str(PLAN))
    listed = [t["id"] for t in as_json(run("list", "--item", "7", "--status", "all",
                                           "--format", "json", "--as-of", "2022-07-01"))]
    assert listed == ["7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "7.7", "7.13", "7.14", "7.8",
                      "7.9", "7.10", "7.11", "7.12"]
    exported = as_json(run("export", "--format", "json", "--as-of", "2022-07-01"))
    item7 = next(i for s in exported["sections"] for i in s["items"] if i["no"] == 7)
    assert [t["id"] for t in item7["tasks"]] == listed
    csv_ids = [line.split(",")[0] for line in
               run("export", "--format", "csv", "--as-of", "2022-07-01").stdout.splitlines()]
    assert [i for i in csv_ids if i.startswith("7.")] == listed
    # a task added to the item stands after its last task, whatever its number
    ok(run, "add", "7", "组织好暑期班主任培训", "--as-of", "2022-07-01")
    listed = [t["id"] for t in as_json(run("list", "--item", "7", "--format", "json",
                                           "--as-of", "2022-07-01"))]
    assert listed[-2:] == ["7.12", "7.15"]
    # the plan file written back keeps the order, and imports again unchanged
    ok(run, "export", "--format", "toml", "-o", str(tmp_path / "back.toml"))
    text = (tmp_path / "back.toml").read_text(encoding="utf-8")
    at = [text.index(f'title = "{t}"') for t in ("组织好暑期校科级干部研修", "组织好暑期园长培训班",
                                                   "组织好暑期新提拔校级领导上岗培训",
                                                   "结合挂职锻炼、轮岗交流等形式，持续加大党政干部队伍建设")]
    assert at == sorted(at)
