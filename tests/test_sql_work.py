"""SQLite's own work grows with the plan no faster than the plan: the virtual machine steps a
command takes (counted with sqlite3's progress handler on the store's connection, through the
real CLI) for a plan of 4N tasks are at most about four times those for N, also when the plan
holds a recurring task's occurrences and tasks handed to units. A statement that reads the
plan again for every task (a list query joined as a subquery it cannot be flattened into) is
sixteen times the work at four times the size, and fails here."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import ok

from jtdj.store import Store

AS_OF = "2022-07-01"
SMALL = 200
STEPS = 1000  # virtual machine instructions per call of the handler


def _plan(path, tasks: int) -> None:
    """``tasks`` tasks, ten an item: the first task of item 2 recurring monthly and handed to
    two units, the tasks of item 3 handed to them too, the rest led by offices."""
    items = tasks // 10
    out = ['[plan]', f'key = "w{tasks}"', f'title = "工作量{tasks}"', 'issued = 2022-01-01',
           'due = 2022-12-31', '', '[[sections]]', 'no = 1', 'title = "第一部分"', '']
    for i in range(1, items + 1):
        out += ['[[sections.items]]', f'no = {i}', f'title = "条目{i}"', '']
        for k in range(1, 11):
            out += ['[[sections.items.tasks]]', f'no = {k}', f'title = "工作任务{i}-{k}"']
            if i == 2 and k == 1:
                out += ['every = "month"', 'each = ["甲校", "乙校"]', '']
                continue
            due = date(2022, 1, 10) + timedelta(days=(i * 10 + k) * 340 // (items * 10))
            out += [f'due = {due}', f'owner = "科室{(i + k) % 4}"']
            if i == 3:
                out.append('each = ["甲校", "乙校"]')
            if k % 3 == 0 and due < date(2022, 6, 1):
                out += ['status = "done"', f'done_on = {due}']
            out.append('')
    path.write_text("\n".join(out), encoding="utf-8")


@pytest.fixture
def plans(run, tmp_path):
    made = {}
    for size in (SMALL, 4 * SMALL):
        env = {"JTDJ_DB": str(tmp_path / f"db{size}" / "jtdj.db")}
        plan = tmp_path / f"plan{size}.toml"
        _plan(plan, size)
        ok(run, "--as-of", "2022-01-01", "import", plan, env=env)
        ok(run, "--as-of", "2022-03-01", "note", "4.2", "推进", "--percent", "40", env=env)
        made[size] = env
    return made


@pytest.fixture
def steps(monkeypatch):
    """How many thousand virtual machine steps the stores opened from now on have taken."""
    count = [0]
    real_open = Store.open.__func__

    def counted(cls, *args, **kwargs):
        store = real_open(cls, *args, **kwargs)

        def tick() -> int:
            count[0] += 1
            return 0  # go on

        store.conn.set_progress_handler(tick, STEPS)
        return store

    monkeypatch.setattr(Store, "open", classmethod(counted))
    return count


COMMANDS = {
    "export json": ["export", "--format", "json"],
    "export csv": ["export", "--format", "csv"],
    "export toml": ["export", "--format", "toml"],
    "list all json": ["list", "--status", "all", "--format", "json"],
    "list piped": ["list"],
    "list past day": ["--as-of", "2022-04-01", "list", "--status", "all", "--format", "json"],
    "summary": ["summary", "--format", "json"],
    "report": ["report", "--since", "2022-01-01", "--format", "json"],
}


@pytest.mark.parametrize("argv", COMMANDS.values(), ids=COMMANDS.keys())
def test_sqlites_work_grows_no_faster_than_the_plan(run, plans, steps, argv):
    work = {}
    for size, env in plans.items():
        steps[0] = 0
        ok(run, "--as-of", AS_OF, *argv, env=env)
        work[size] = steps[0]
    assert work[SMALL] > 0, "the progress handler saw no work"
    assert work[4 * SMALL] <= 6 * work[SMALL], (
        f"{' '.join(argv)}: {work[SMALL]}k steps for {SMALL} tasks, {work[4 * SMALL]}k for "
        f"{4 * SMALL}")


def test_a_list_with_occurrences_is_merged_from_parts_in_order_not_sorted_whole(plans):
    """A plan with a recurring task lists its tasks and the occurrences as two parts of a
    union. Each part is ordered apart and the two merged: the tasks' part comes from the index
    item by item (a sort of one item's tasks at a time), so a full list does not hold all of
    its lines in memory to sort them."""
    from pathlib import Path

    from jtdj.store.tasks import TaskFilter, ordered_query

    store = Store.open(Path(plans[SMALL]["JTDJ_DB"]))
    everything = TaskFilter(status="all", occurrences=True)
    sql, params, keys = ordered_query(store, f"w{SMALL}", everything, date(2022, 7, 1), "id")
    plan = store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    store.close()
    parent = {node: up for node, up, _, _ in plan}
    detail = {node: text for node, _, _, text in plan}

    def under(node: int, text: str) -> bool:
        while node in parent:
            node = parent[node]
            if detail.get(node) == text:
                return True
        return False

    assert keys == 4 and "MERGE (UNION ALL)" in detail.values()
    sorts = [node for node, text in detail.items() if text == "USE TEMP B-TREE FOR ORDER BY"]
    assert sorts and all(under(node, "RIGHT") for node in sorts), plan  # the occurrences only
    assert any(text == "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY" and under(node, "LEFT")
               for node, text in detail.items()), plan


def test_a_few_tasks_asked_for_are_made_once_not_flattened_into_the_rules(plans):
    """A list of a few tasks (by id, lagging, ongoing, occurrences: `show`, a summary's and a
    report's lists) reads its rows as SQLite makes them, once each: flattened into the rules,
    each mention of the window start and the last note would be a copy of their subqueries
    (dozens per part), which SQLite prepares on every run of every such list."""
    from pathlib import Path

    from jtdj.store.tasks import TaskFilter, ordered_query

    store = Store.open(Path(plans[SMALL]["JTDJ_DB"]))

    def plan_of(f: TaskFilter) -> list[str]:
        sql, params, _keys = ordered_query(store, f"w{SMALL}", f, date(2022, 7, 1), "id")
        return [row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]

    few = plan_of(TaskFilter(status="all", ids=["1.1", "4.2"]))
    full = plan_of(TaskFilter(status="all"))
    store.close()
    added_on = "SEARCH e USING INDEX idx_events_changes (plan=?)"  # an added task's first day
    assert any(text.startswith("CO-ROUTINE") for text in few), few
    assert few.count(added_on) == 1, few
    assert full.count(added_on) > 10, full  # a full list stays flattened, in index order
