"""No command reads the plan task by task: an export (TOML, JSON, CSV, the xlsx ledger) and a
report (text, HTML, JSON) run the same number of SQL statements for a plan of N tasks as for
one of 4N (counted with sqlite3's trace callback on the store's own connection, through the
real CLI), and the ledger sets each kind of cell style once, not once per cell."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import ok

from jtdj.store import Store

AS_OF = "2022-07-01"
SMALL = 200
OWNERS = ("组织科", "宣传科", "办公室", "纪检组")  # each has overdue tasks at either size


def _plan(path, tasks: int) -> None:
    """A plan of ``tasks`` tasks (10 an item, 3 sections) with some done (with a note),
    some dropped, some with progress notes, due over the year."""
    items = tasks // 10
    out = ['[plan]', f'key = "p{tasks}"', f'title = "线性测试计划{tasks}"', 'issued = 2022-01-01',
           'due = 2022-12-31', '']
    for s in range(1, 4):
        out += ['[[sections]]', f'no = {s}', f'title = "第{s}部分"', '']
        for i in range(s, items + 1, 3):
            out += ['[[sections.items]]', f'no = {i}', f'title = "条目{i}"', '']
            for k in range(1, 11):
                due = date(2022, 1, 3) + timedelta(days=(i * 10 + k) * 360 // (items * 10))
                out += ['[[sections.items.tasks]]', f'no = {k}', f'title = "工作任务{i}-{k}"',
                        f'due = {due}', f'owner = "{OWNERS[(i + k) % 4]}"',
                        'support = ["配合单位"]', 'evidence = ["材料.pdf"]']
                if k % 3 == 0 and due < date(2022, 6, 1):
                    out += ['status = "done"', f'done_on = {due}']
                elif k == 7:
                    out += ['status = "dropped"', f'dropped_on = {date(2022, 3, 1)}',
                            'drop_reason = "合并"']
                if k % 5 == 0:
                    out += ['', '[[sections.items.tasks.notes]]', f'on = {date(2022, 2, 1)}',
                            f'text = "进展{i}-{k}"', 'percent = 50']
                out.append('')
    path.write_text("\n".join(out), encoding="utf-8")


@pytest.fixture
def plans(run, tmp_path):
    """Two databases: a plan of SMALL tasks and one of 4 × SMALL, each with an item checked
    off by command with a note (kept on its event) and a note added by command."""
    made = {}
    for size in (SMALL, 4 * SMALL):
        db = tmp_path / f"db{size}" / "jtdj.db"
        env = {"JTDJ_DB": str(db)}
        plan = tmp_path / f"plan{size}.toml"
        _plan(plan, size)
        ok(run, "--as-of", "2022-01-01", "import", plan, env=env)
        done = [str(i) for i in range(2, size // 10 + 1, 4)]  # every fourth item: grows with N
        ok(run, "--as-of", AS_OF, "done", *done, "--on", "2022-06-20", "--note", "已完成",
           env=env)
        ok(run, "--as-of", AS_OF, "note", "1.1", "召开推进会", env=env)
        made[size] = env
    return made


@pytest.fixture
def count_sql(monkeypatch):
    """Every SQL statement the stores opened from now on run, in order."""
    statements: list[str] = []
    real_open = Store.open.__func__

    def traced(cls, *args, **kwargs):
        store = real_open(cls, *args, **kwargs)
        store.conn.set_trace_callback(statements.append)
        return store

    monkeypatch.setattr(Store, "open", classmethod(traced))
    return statements


def _statements(run, count_sql, env, *argv) -> list[str]:
    count_sql.clear()
    ok(run, "--as-of", AS_OF, *argv, env=env)
    assert count_sql, "the trace callback saw no statement"
    return list(count_sql)


def _assert_constant(run, count_sql, plans, *argv):
    small = _statements(run, count_sql, plans[SMALL], *argv)
    large = _statements(run, count_sql, plans[4 * SMALL], *argv)
    assert len(large) == len(small), (
        f"{' '.join(map(str, argv))}: {len(small)} statements for {SMALL} tasks, "
        f"{len(large)} for {4 * SMALL}")


@pytest.mark.parametrize("fmt", ["json", "csv", "toml"])
def test_an_export_runs_as_many_statements_for_4n_tasks_as_for_n(run, plans, count_sql, fmt,
                                                                   tmp_path):
    _assert_constant(run, count_sql, plans, "export", "--format", fmt, "-o",
                     tmp_path / f"out.{fmt}")


def test_the_xlsx_ledger_runs_as_many_statements_for_4n_tasks_as_for_n(run, plans, count_sql,
                                                                      tmp_path):
    pytest.importorskip("openpyxl")
    _assert_constant(run, count_sql, plans, "export", "--format", "xlsx", "-o",
                     tmp_path / "ledger.xlsx")


@pytest.mark.parametrize("fmt", ["text", "html", "json"])
def test_a_report_runs_as_many_statements_for_4n_tasks_as_for_n(run, plans, count_sql, fmt):
    # --limit 5: every list is cut at both sizes, so each counts what it left out (a query of
    # its own, run only for a list that was cut)
    _assert_constant(run, count_sql, plans, "report", "--since", "2022-01-01", "--limit", "5",
                     "--format", fmt)


def test_the_ledger_reads_notes_and_check_offs_in_bulk_not_per_task(run, plans, count_sql,
                                                                   tmp_path):
    """No statement of the ledger names one task: what it shows of each (notes, the check-off
    note) comes from queries over the whole plan."""
    pytest.importorskip("openpyxl")
    seen = _statements(run, count_sql, plans[4 * SMALL], "export", "--format", "xlsx", "-o",
                       tmp_path / "ledger.xlsx")
    assert not [s for s in seen if "'1.1'" in s or "'2.3'" in s]


def test_the_ledger_sets_each_kind_of_cell_style_once_not_per_cell(run, plans, tmp_path,
                                                                  monkeypatch):
    """openpyxl hashes every font, border, fill and alignment set on a cell (30 s of a
    10,000-task ledger): the ledger builds each kind once and shares it, so how many it sets
    does not grow with the rows."""
    pytest.importorskip("openpyxl")
    from openpyxl.styles import styleable

    sets = []
    real_set = styleable.StyleDescriptor.__set__

    def counted(self, instance, value):
        sets.append(self.key)
        return real_set(self, instance, value)

    monkeypatch.setattr(styleable.StyleDescriptor, "__set__", counted)
    counts = {}
    for size in (SMALL, 4 * SMALL):
        sets.clear()
        ok(run, "--as-of", AS_OF, "export", "--format", "xlsx", "-o", tmp_path / f"{size}.xlsx",
           env=plans[size])
        counts[size] = len(sets)
    assert counts[4 * SMALL] == counts[SMALL], counts
