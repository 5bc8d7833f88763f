"""`jtdj import`: the bundled plan arrives whole, re-import is a sync, state fields restore a
database, and several plans live side by side. Real CLI, real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import tomli

from conftest import PLAN_2022, SAMPLE_2023, as_json, dump, rows

AS_OF = ("--as-of", "2022-07-01")


def load_toml(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomli.load(fh)




def count(db_path: Path, sql: str, *params) -> int:
    return list(rows(db_path, sql, *params)[0].values())[0]


def task(db_path: Path, task_id: str, plan: str = "2022") -> dict:
    found = rows(db_path, "SELECT * FROM tasks WHERE plan = ? AND id = ?", plan, task_id)
    assert found, task_id
    return found[0]


def list_ids(run, *args) -> list[str]:
    result = run(*AS_OF, "list", "--status", "all", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return [r["id"] for r in as_json(result)]


def edited_plan(tmp_path: Path, *replacements: tuple[str, str], name="plan.toml") -> Path:
    """A copy of the bundled plan with exact, checked text replacements."""
    text = PLAN_2022.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def task_block(task_id: str) -> str:
    """The exact `[[sections.items.tasks]]` block of one task in plans/2022.toml."""
    item, no = (int(x) for x in task_id.split("."))
    text = PLAN_2022.read_text(encoding="utf-8")
    item_start = text.index(f"[[sections.items]]\nno = {item}\n")
    start = text.index(f"[[sections.items.tasks]]\nno = {no}\n", item_start)
    end = text.find("\n[[", start + 1)
    return text[start:end + 1]


# --- 1. the bundled plan, whole --------------------------------------------------------------

def test_bundled_plan_imports_whole(run, db_path):
    result = run(*AS_OF, "import")
    assert result.exit_code == 0, result.output
    data = load_toml(PLAN_2022)
    file_items = [(s, i) for s in data["sections"] for i in s["items"]]
    file_tasks = [(s, i, t) for s, i in file_items for t in i["tasks"]]

    sections = rows(db_path, "SELECT no, title FROM sections WHERE plan = '2022' ORDER BY no")
    assert [(s["no"], s["title"]) for s in sections] == \
        [(s["no"], s["title"]) for s in data["sections"]]
    assert len(sections) == 5

    items = rows(db_path, "SELECT no, section, title, text FROM items WHERE plan='2022' ORDER BY no")
    assert len(items) == 13
    assert [(i["no"], i["section"], i["title"], i["text"]) for i in items] == \
        [(i["no"], s["no"], i["title"], i["text"]) for s, i in file_items]
    assert items[0]["title"] == "加强党的政治建设"

    for item in items:
        # the tasks, not the occurrence rows of the recurring ones (4.5 and its family)
        n = count(db_path, "SELECT count(*) FROM tasks WHERE plan='2022' AND item=?"
                  " AND period IS NULL", item["no"])
        assert n >= 3, item
        assert n == len(next(i for _s, i in file_items if i["no"] == item["no"])["tasks"])
    assert count(db_path, "SELECT count(*) FROM tasks WHERE plan='2022' AND period IS NULL") \
        == len(file_tasks)

    # lossless: every plan field of every task, the plan's due where the task has none, and
    # none for an ongoing task (常态推进), whose kind is kept
    plan_due = data["plan"]["due"].isoformat()
    for s, i, t in file_tasks:
        row = task(db_path, f"{i['no']}.{t['no']}")
        assert (row["title"], row["section"], row["item"], row["no"]) == \
            (t["title"], s["no"], i["no"], t["no"])
        assert row["kind"] == t.get("kind")
        ongoing = t.get("kind") == "ongoing"
        # a recurring task (every: 4.5 and its family) has its due dates on its occurrences
        assert row["due"] == (None if ongoing or "every" in t else t["due"].isoformat() if "due" in t else plan_due)
        assert row["start"] == (t["start"].isoformat() if "start" in t else None)
        assert (row["timing"], row["owner"]) == (t.get("when"), t.get("owner"))
        assert json.loads(row["support"]) == t.get("support", [])
        assert json.loads(row["tags"]) == t.get("tags", [])
        assert (row["status"], row["archived"], row["origin"]) == ("todo", 0, "plan")

    head = rows(db_path, "SELECT * FROM plans")[0]
    assert (head["key"], head["title"], head["doc_no"], head["issued"], head["due"]) == (
        "2022", "2022年区委教育工委党的建设重点工作要点", "坛教委字〔2022〕6号", "2022-05-09",
        "2022-12-31")
    assert head["preamble"] == data["plan"]["preamble"]

    # the one-line count on stderr, and `jtdj plans` shows it as current
    assert f"新增 {len(file_tasks)}" in result.stderr
    listed = run("plans", "--format", "json")
    assert listed.exit_code == 0, listed.output
    plans = as_json(listed)
    assert [(p["key"], p["current"], p["tasks"]) for p in plans] == [
        ("2022", True, len(file_tasks))]


def test_timing_words_become_dates(run, imported, db_path):
    seven_one = task(db_path, "8.5")
    assert (seven_one["timing"], seven_one["start"], seven_one["due"]) == (
        "“七一”前后", "2022-06-15", "2022-07-15")
    summer = rows(db_path, "SELECT * FROM tasks WHERE plan='2022' AND timing = '暑期'")
    assert summer and all((t["start"], t["due"]) == ("2022-07-01", "2022-08-31") for t in summer)


def test_import_without_a_plan_file_argument_is_the_bundled_plan(run, db_path):
    result = run(*AS_OF, "import", PLAN_2022)
    assert result.exit_code == 0, result.output
    before = dump(db_path)
    again = run(*AS_OF, "import")
    assert again.exit_code == 0, again.output
    assert "新增 0，更新 0，归档 0" in again.stderr
    assert [line for line in dump(db_path) if "INSERT INTO \"events\"" in line] == \
        [line for line in before if "INSERT INTO \"events\"" in line]


# --- 3. re-import is a sync ------------------------------------------------------------------

def test_reimport_of_unchanged_file_keeps_the_clerks_work(run, imported, db_path):
    for args in (("done", "5.2"), ("assign", "--new-unit", "5.3", "--to", "组织科"),
                 ("note", "5.2", "已召开警示教育大会")):
        result = run(*AS_OF, *args)
        assert result.exit_code == 0, result.output
    events = rows(db_path, "SELECT * FROM events ORDER BY id")
    notes = rows(db_path, "SELECT * FROM notes ORDER BY id")

    result = run(*AS_OF, "import")
    assert result.exit_code == 0, result.output
    total = count(db_path, "SELECT count(*) FROM tasks WHERE period IS NULL")  # 112, not occurrences
    assert result.stderr.strip().splitlines()[-1] == \
        f"已导入计划 2022：新增 0，更新 0，归档 0，未变 {total}"
    assert rows(db_path, "SELECT * FROM events ORDER BY id") == events  # no event written
    assert rows(db_path, "SELECT * FROM notes ORDER BY id") == notes
    assert (task(db_path, "5.2")["status"], task(db_path, "5.2")["done_on"]) == ("done", "2022-07-01")
    assert task(db_path, "5.3")["owner"] == "组织科"
    shown = run(*AS_OF, "list", "--status", "done", "--format", "json")
    assert [r["id"] for r in as_json(shown)] == ["5.2"]


def test_title_changed_in_the_file_is_updated_and_logged(run, imported, db_path, tmp_path):
    old_title = task(db_path, "5.2")["title"]
    run(*AS_OF, "done", "5.2")
    path = edited_plan(tmp_path, (f'title = "{old_title}"', 'title = "召开全区警示教育大会"'))
    result = run(*AS_OF, "import", path)
    assert result.exit_code == 0, result.output
    assert "更新 1" in result.stderr
    row = task(db_path, "5.2")
    assert (row["title"], row["status"]) == ("召开全区警示教育大会", "done")
    logged = rows(db_path, "SELECT * FROM events WHERE target='5.2' AND action='import'"
                           " AND field='title'")
    assert [(e["old"], e["new"], e["actor"], e["on_date"]) for e in logged] == [
        (old_title, "召开全区警示教育大会", "tester", "2022-07-01")]
    # importing the same edited file again changes nothing more
    again = run(*AS_OF, "import", path)
    assert "更新 0" in again.stderr
    assert count(db_path, "SELECT count(*) FROM events WHERE target='5.2' AND field='title'") == 1


def test_owner_from_the_clerk_stands_until_the_file_changes_it(run, db_path, tmp_path):
    block = task_block("2.1")
    assert "owner" not in block
    with_owner = block.replace("\ntitle = ", '\nowner = "宣传科"\ntitle = ', 1)
    first = edited_plan(tmp_path, (block, with_owner), name="first.toml")
    assert run(*AS_OF, "import", first).exit_code == 0
    assert task(db_path, "2.1")["owner"] == "宣传科"

    assert run(*AS_OF, "assign", "--new-unit", "2.1", "--to", "办公室").exit_code == 0
    assert run(*AS_OF, "import", first).exit_code == 0  # unchanged file: the clerk's owner stands
    assert task(db_path, "2.1")["owner"] == "办公室"

    second = edited_plan(tmp_path, (block, with_owner.replace("宣传科", "组织科")),
                         name="second.toml")
    result = run(*AS_OF, "import", second)
    assert result.exit_code == 0, result.output
    assert task(db_path, "2.1")["owner"] == "组织科"  # the file changed it: the file wins
    logged = rows(db_path, "SELECT old, new FROM events WHERE target='2.1' AND action='import'"
                           " AND field='owner'")
    assert logged == [{"old": "办公室", "new": "组织科"}]


def test_removed_task_is_archived_and_restored(run, imported, db_path, tmp_path):
    assert run(*AS_OF, "note", "4.2", "已部署").exit_code == 0
    events_of_42 = rows(db_path, "SELECT * FROM events WHERE target='4.2' ORDER BY id")
    without = edited_plan(tmp_path, (task_block("4.2"), ""), name="without.toml")

    result = run(*AS_OF, "import", without)
    assert result.exit_code == 0, result.output
    assert "归档 1" in result.stderr
    assert "4.2" not in list_ids(run)
    assert list_ids(run, "--archived") == ["4.2"]
    assert rows(db_path, "SELECT * FROM events WHERE target='4.2' ORDER BY id")[:len(events_of_42)] \
        == events_of_42
    assert count(db_path, "SELECT count(*) FROM notes WHERE target='4.2'") == 1

    again = run(*AS_OF, "import", without)  # still gone: nothing more to archive
    assert "归档 0" in again.stderr

    back = run(*AS_OF, "import")
    assert back.exit_code == 0, back.output
    assert "更新 1" in back.stderr
    assert "4.2" in list_ids(run)
    assert list_ids(run, "--archived") == []
    actions = [e["action"] for e in rows(db_path, "SELECT action FROM events WHERE target='4.2'"
                                                  " ORDER BY id")]
    assert actions[-2:] == ["archive", "restore"]


def test_task_added_by_the_clerk_is_never_archived(run, imported, db_path):
    result = run(*AS_OF, "add", "5", "组织专题学习")
    assert result.exit_code == 0, result.output
    added = rows(db_path, "SELECT id FROM tasks WHERE origin = 'added'")
    assert len(added) == 1
    again = run(*AS_OF, "import")
    assert again.exit_code == 0, again.output
    assert "归档 0" in again.stderr
    assert added[0]["id"] in list_ids(run)


def test_dry_run_prints_changes_and_writes_nothing(run, imported, db_path, tmp_path):
    old_title = task(db_path, "5.2")["title"]
    path = edited_plan(tmp_path, (f'title = "{old_title}"', 'title = "召开全区警示教育大会"'),
                       (task_block("4.2"), ""))
    before = dump(db_path)
    result = run(*AS_OF, "import", "--dry-run", path)
    assert result.exit_code == 0, result.output
    assert dump(db_path) == before
    lines = result.stdout.splitlines()
    assert any("4.2" in line and "归档" in line for line in lines), result.stdout
    assert any("5.2" in line and "标题" in line for line in lines), result.stdout
    assert len(lines) == 2
    counts = [line for line in result.stderr.splitlines() if "试运行" in line]
    assert len(counts) == 1 and "更新 1" in counts[0] and "归档 1" in counts[0]


def test_dry_run_on_a_new_plan_writes_no_plan(run, db_path):
    result = run(*AS_OF, "import", "--dry-run", SAMPLE_2023)
    assert result.exit_code == 0, result.output
    assert count(db_path, "SELECT count(*) FROM plans") == 0
    assert count(db_path, "SELECT count(*) FROM tasks") == 0
    data = load_toml(SAMPLE_2023)
    n_tasks = sum(len(i["tasks"]) for s in data["sections"] for i in s["items"])
    assert len(result.stdout.splitlines()) == n_tasks
    assert "新增 8" in result.stderr and n_tasks == 8


# --- 4. state fields and a second plan -------------------------------------------------------

def test_state_fields_restore_into_an_empty_database(run, db_path):
    result = run(*AS_OF, "import", SAMPLE_2023)
    assert result.exit_code == 0, result.output
    t11, t12, t21, t22, t33 = (task(db_path, i, "2023-demo")
                               for i in ("1.1", "1.2", "2.1", "2.2", "3.3"))
    assert (t11["status"], t11["done_on"], t11["archived"]) == ("done", "2023-03-20", 1)
    assert json.loads(t11["evidence"]) == ["docs/2023/安全工作责任清单.pdf"]
    assert (t12["status"], t12["percent"]) == ("doing", 60)
    assert (t21["status"], t21["dropped_on"], t21["drop_reason"]) == (
        "dropped", "2023-05-10", "并入区级应急预案统一修订")
    assert json.loads(t22["evidence"]) == ["https://example.org/news/2023-04-18-drill",
                                           "photos/2023-04-18/"]
    assert (t33["origin"], t33["status"], t33["percent"]) == ("added", "doing", 20)
    notes = rows(db_path, "SELECT target, on_date, actor, text, percent FROM notes"
                          " WHERE plan='2023-demo' ORDER BY target, on_date")
    assert notes == [
        {"target": "1.2", "on_date": "2023-04-10", "actor": "王老师",
         "text": "已签订18份，剩余12份本月底前完成。", "percent": 60},
        {"target": "2.2", "on_date": "2023-04-18", "actor": "tester",
         "text": "全区32所学校同步开展演练。", "percent": None},
        {"target": "3", "on_date": "2023-06-30", "actor": "办公室",
         "text": "上半年食堂检查已覆盖全部学校。", "percent": 50},
    ]
    # the file's due where given, else the plan's
    assert task(db_path, "1.3", "2023-demo")["due"] == "2023-12-31"


def test_state_fields_do_not_override_the_database(run, db_path, tmp_path):
    assert run(*AS_OF, "import", SAMPLE_2023).exit_code == 0
    before = dump(db_path)
    text = SAMPLE_2023.read_text(encoding="utf-8")
    text = text.replace('status = "doing"\npercent = 60', 'status = "done"\npercent = 100\n'
                        'done_on = 2023-05-01', 1)
    text = text.replace("archived = true\n", "archived = false\n", 1)
    changed = tmp_path / "sample.toml"
    changed.write_text(text, encoding="utf-8")
    assert text != SAMPLE_2023.read_text(encoding="utf-8")

    result = run(*AS_OF, "import", changed)
    assert result.exit_code == 0, result.output
    state_lines = [line for line in result.stderr.splitlines() if "状态字段" in line]
    assert len(state_lines) == 1
    assert "更新 0" in result.stderr and "归档 0" in result.stderr
    row = task(db_path, "1.2", "2023-demo")
    assert (row["status"], row["percent"], row["done_on"]) == ("doing", 60, None)
    assert task(db_path, "1.1", "2023-demo")["archived"] == 1
    def kept(lines):  # the plan's row and the record of the last import move on
        return [line for line in lines
                if not line.startswith('INSERT INTO "plans"') and "'last_import:" not in line]

    assert kept(dump(db_path)) == kept(before)


def test_reimporting_an_archived_state_keeps_it_archived(run, db_path):
    assert run(*AS_OF, "import", SAMPLE_2023).exit_code == 0
    result = run(*AS_OF, "import", SAMPLE_2023)
    assert result.exit_code == 0, result.output
    assert "更新 0" in result.stderr
    assert task(db_path, "1.1", "2023-demo")["archived"] == 1


def test_second_plan_lives_beside_the_first(run, imported, db_path, monkeypatch):
    # re-importing a known key does not make it current; the first import of a new key does
    result = run(*AS_OF, "import", SAMPLE_2023)
    assert result.exit_code == 0, result.output
    assert count(db_path, "SELECT count(*) FROM tasks WHERE plan='2022'") > 0

    def current():
        listed = run("plans", "--format", "json")
        assert listed.exit_code == 0, listed.output
        return [p["key"] for p in as_json(listed) if p["current"]]

    assert current() == ["2023-demo"]
    assert run(*AS_OF, "import").exit_code == 0
    assert current() == ["2023-demo"]

    assert run("use", "2022").exit_code == 0
    assert current() == ["2022"]
    assert "5.2" in list_ids(run)
    sample_ids = ["1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "3.3"]  # 1.1 is archived
    in_2023 = ("--as-of", "2023-12-31")  # the plan's tasks exist from its issue date in 2023
    assert list_ids(run, "--plan", "2023-demo", *in_2023) == sample_ids
    assert [r["id"] for r in as_json(run("--plan", "2023-demo", *in_2023, "list", "--status",
                                         "all", "--format", "json"))] == sample_ids
    monkeypatch.setenv("JTDJ_PLAN", "2023-demo")
    assert list_ids(run, *in_2023) == sample_ids
    assert current() == ["2022"]  # an override is for one command only

    unknown = run("use", "1999")
    assert unknown.exit_code == 1 and "1999" in unknown.stderr


def test_item_title_changed_in_the_file_is_updated_and_logged(run, imported, db_path, tmp_path):
    old = "做好老干部服务和关心下一代工作"
    path = edited_plan(tmp_path, (f'title = "{old}"', 'title = "做好老干部服务工作"'))
    dry = run(*AS_OF, "import", "--dry-run", path)
    assert dry.exit_code == 0, dry.output
    assert [line for line in dry.stdout.splitlines() if "13" in line] == ["更新 13：标题"]
    result = run(*AS_OF, "import", path)
    assert result.exit_code == 0, result.output
    assert "更新 1" in result.stderr
    assert rows(db_path, "SELECT title FROM items WHERE plan='2022' AND no=13") == [
        {"title": "做好老干部服务工作"}]
    logged = rows(db_path, "SELECT action, old, new FROM events WHERE target='13'")
    assert logged == [{"action": "import", "old": old, "new": "做好老干部服务工作"}]


def test_file_task_numbered_like_a_clerks_task_is_refused(run, imported, db_path, tmp_path):
    result = run(*AS_OF, "add", "5", "组织专题学习")
    assert result.exit_code == 0, result.output
    [added] = rows(db_path, "SELECT id, no FROM tasks WHERE origin = 'added'")
    last = task_block(f"5.{added['no'] - 1}")
    new_block = f'[[sections.items.tasks]]\nno = {added["no"]}\ntitle = "开展廉政谈话"\n\n'
    path = edited_plan(tmp_path, (last, last + "\n" + new_block))
    before = dump(db_path)
    refused = run(*AS_OF, "import", path)
    assert refused.exit_code == 2, refused.output
    assert "Traceback" not in refused.output
    assert dump(db_path) == before
    lines = refused.stderr.splitlines()
    assert str(path) in lines[0]
    assert any(added["id"] in line and "开展廉政谈话" in line and "组织专题学习" in line
               for line in lines[1:]), lines

    # the same task written into the file (as `jtdj export` does) is the clerk's task: no clash
    same = edited_plan(tmp_path, (last, last + "\n" + new_block.replace("开展廉政谈话", "组织专题学习")),
                       name="same.toml")
    result = run(*AS_OF, "import", same)
    assert result.exit_code == 0, result.output
    assert task(db_path, added["id"])["title"] == "组织专题学习"


def test_as_of_reaches_the_timing_words_of_an_import(run, db_path, tmp_path):
    """暑期 falls in the plan's year whatever day it is imported on, and in the as-of day's
    year when the plan has neither `due` nor `issued`."""
    assert run("--as-of", "2021-06-01", "import").exit_code == 0
    summer = rows(db_path, "SELECT start, due FROM tasks WHERE plan = '2022' AND timing = '暑期'")
    assert summer and all((r["start"], r["due"]) == ("2022-07-01", "2022-08-31") for r in summer)
    undated = tmp_path / "undated.toml"
    undated.write_text('[plan]\nkey = "undated"\ntitle = "无日期的计划"\n\n[[sections]]\nno = 1\n'
                       'title = "一"\n\n[[sections.items]]\nno = 1\ntitle = "条目"\n\n'
                       '[[sections.items.tasks]]\nno = 1\ntitle = "暑期培训"\nwhen = "暑期"\n',
                       encoding="utf-8")
    assert run("--as-of", "2021-06-01", "import", undated).exit_code == 0
    assert rows(db_path, "SELECT start, due FROM tasks WHERE plan = 'undated'") == [
        {"start": "2021-07-01", "due": "2021-08-31"}]


def test_the_same_file_imported_again_with_nothing_changed_is_not_read_again(run, db_path):
    """The bytes imported last, from the same path, with no event since: nothing is parsed or
    backed up, the counts are the last import's, and the plan's import time moves on."""
    backups = db_path.parent / "backups"
    assert run(*AS_OF, "import", SAMPLE_2023).exit_code == 0
    dumped = [line for line in dump(db_path) if not line.startswith('INSERT INTO "plans"')]
    at = rows(db_path, "SELECT imported_at FROM plans")[0]["imported_at"]
    again = run("--as-of", "2022-07-02", "import", SAMPLE_2023)  # the same year: same timings
    assert again.exit_code == 0 and "新增 0，更新 0，归档 0，未变 8" in again.stderr
    assert list(backups.glob("auto-*.db")) == []  # no work, so nothing to back up
    assert [line for line in dump(db_path) if not line.startswith('INSERT INTO "plans"')] == dumped
    assert rows(db_path, "SELECT imported_at FROM plans")[0]["imported_at"] >= at

    # any change since (here a check-off) and the file is compared again, the backup kept first
    assert run(*AS_OF, "done", "1.2", "--plan", "2023-demo").exit_code == 0
    after_done = run(*AS_OF, "import", SAMPLE_2023)
    assert after_done.exit_code == 0 and "未变 8" in after_done.stderr
    assert len(list(backups.glob("auto-*.db"))) == 1
    assert task(db_path, "1.2", "2023-demo")["status"] == "done"


def test_a_changed_file_or_another_path_is_imported_in_full(run, db_path, tmp_path):
    assert run(*AS_OF, "import", SAMPLE_2023).exit_code == 0
    copy = tmp_path / "copy.toml"
    copy.write_bytes(SAMPLE_2023.read_bytes())
    moved = run(*AS_OF, "import", copy)
    assert moved.exit_code == 0
    assert rows(db_path, "SELECT source FROM plans WHERE key = '2023-demo'") == [
        {"source": str(copy)}]
    copy.write_text(SAMPLE_2023.read_text(encoding="utf-8").replace(
        'title = "制定年度安全工作责任清单"', 'title = "制定并公布年度安全工作责任清单"', 1),
        encoding="utf-8")
    changed = run(*AS_OF, "import", copy)
    assert changed.exit_code == 0 and "更新 1" in changed.stderr and "未变 7" in changed.stderr
