"""Figures for a day are what was true that day: later commands do not change them, undo removes
its command as if it had never run, and a back-dated change corrects the past.

Hypothesis draws histories of add / done / due / assign / drop / reopen / start, each with its
effective day; the figures of `summary`, `report` and `list` for a day D are compared before and
after commands whose effective day is after D.
"""

from __future__ import annotations

from datetime import date, timedelta

from conftest import as_json, rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ISSUED = date(2022, 5, 9)  # plans/2022.toml
FIRST, LAST = date(2022, 6, 1), date(2022, 9, 30)
TASK_IDS = ["1.1", "2.3", "5.1", "5.2", "6.1", "7.6", "8.5", "13.5"]
OWNERS = ["组织科", "宣传科", "办公室"]

days = st.dates(min_value=FIRST, max_value=LAST)


def command(day: date):
    """One command with effective day ``day``: (as-of day, arguments)."""
    on = day.isoformat()
    task = st.sampled_from(TASK_IDS)
    return st.one_of(
        st.builds(lambda i: (on, ("add", i, "新增任务")), st.sampled_from(["5", "7"])),
        st.builds(lambda i: (on, ("done", i, "--on", on)), task),
        st.builds(lambda i: (on, ("start", i, "--on", on)), task),
        st.builds(lambda i: (on, ("drop", i, "--reason", "调整", "--on", on)), task),
        st.builds(lambda i: (on, ("reopen", i)), task),
        st.builds(lambda i, d: (on, ("due", i, d.isoformat())), task, days),
        st.builds(lambda i, o: (on, ("assign", "--new-unit", i, "--to", o)), task, st.sampled_from(OWNERS)),
    )


def commands_on(day_strategy, max_size=6):
    return st.lists(day_strategy.flatmap(command), max_size=max_size)


def figures(run, db, day: date) -> tuple:
    """Everything jtdj says about ``day``: the summary, the week ending on it, every task."""
    d = day.isoformat()

    def json(*args):
        result = run("--db", db, "--as-of", d, *args, "--format", "json")
        assert result.exit_code == 0, result.output
        return as_json(result)

    return (json("summary"), json("report", "--since", "7d"), json("list", "--status", "all"))


def replay(run, db, history) -> None:
    for as_of, args in history:
        result = run("--db", db, "--as-of", as_of, *args)
        assert result.exit_code == 0, (args, result.output)


def with_a_history(run, tmp_path_factory, data):
    """A new database with the plan imported on its issue day and a drawn history replayed."""
    db = tmp_path_factory.mktemp("h") / "jtdj.db"
    assert run("--db", db, "--as-of", ISSUED.isoformat(), "import").exit_code == 0
    replay(run, db, data.draw(commands_on(days), label="history"))
    return db


HYPOTHESIS = settings(max_examples=20, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow,
                                             HealthCheck.function_scoped_fixture])


@HYPOTHESIS
@given(data=st.data())
def test_later_commands_leave_a_day_as_it_was(run, tmp_path_factory, data):
    db = with_a_history(run, tmp_path_factory, data)
    day = data.draw(st.dates(min_value=FIRST, max_value=LAST - timedelta(days=1)), label="D")
    before = figures(run, db, day)
    later = st.dates(min_value=day + timedelta(days=1), max_value=LAST + timedelta(days=30))
    replay(run, db, data.draw(commands_on(later), label="after D"))
    assert figures(run, db, day) == before


@HYPOTHESIS
@given(data=st.data())
def test_an_undone_command_is_as_if_it_had_never_run(run, tmp_path_factory, data):
    db = with_a_history(run, tmp_path_factory, data)
    checked = [data.draw(days, label="day") for _ in range(2)]
    before = [figures(run, db, d) for d in checked]
    as_of, args = data.draw(days.flatmap(command), label="undone")
    events = len(rows(db, "SELECT id FROM events"))
    replay(run, db, [(as_of, args)])
    if len(rows(db, "SELECT id FROM events")) > events:  # a command that changed nothing
        replay(run, db, [(as_of, ("undo",))])            # leaves nothing to undo of its own
    assert [figures(run, db, d) for d in checked] == before


def test_a_back_dated_change_corrects_the_past(run, tmp_path):
    """`done --on` a past day is the record being corrected: that day's figures change."""
    db = tmp_path / "jtdj.db"
    assert run("--db", db, "--as-of", "2022-06-01", "import").exit_code == 0
    before = figures(run, db, date(2022, 6, 20))
    assert run("--db", db, "--as-of", "2022-07-15", "done", "5.1", "--on", "2022-06-10").exit_code == 0
    after = figures(run, db, date(2022, 6, 20))
    assert after != before
    assert after[0]["totals"]["done"] == before[0]["totals"]["done"] + 1


def test_a_task_exists_from_the_plans_issue_date_and_an_added_one_from_its_day(run, tmp_path):
    """A 2022 plan imported today still has its tasks in 2022 (from its issue date, 05-09); a
    task added on 07-15 is not counted at the start of the week of 07-11."""
    db = tmp_path / "jtdj.db"
    assert run("--db", db, "import").exit_code == 0  # imported on the real day, years later

    def total(day: str) -> int:
        result = run("--db", db, "--as-of", day, "summary", "--format", "json")
        return as_json(result)["totals"]["tasks"]

    # 112 tasks, a recurring one (4.5 and its family) counted once
    assert (total("2022-05-08"), total("2022-05-09"), total("2022-07-01")) == (0, 112, 112)
    assert run("--db", db, "--as-of", "2022-05-01", "add", "5", "印发前的任务").exit_code == 0
    assert (total("2022-04-30"), total("2022-05-01"), total("2022-05-09")) == (0, 1, 113)
    early = as_json(run("--db", db, "--as-of", "2022-05-05", "list", "--format", "json"))
    assert [r["id"] for r in early] == ["5.7"]
    assert run("--db", db, "--as-of", "2022-07-15", "add", "5", "新增任务").exit_code == 0
    week = as_json(run("--db", db, "--as-of", "2022-07-17", "report", "--week", "2022-W28",
                       "--format", "json"))
    assert (week["overview"]["start"]["tasks"], week["overview"]["end"]["tasks"]) == (113, 114)


def test_a_due_date_changed_later_leaves_last_weeks_overdue_figure(run, tmp_path):
    db = tmp_path / "jtdj.db"
    assert run("--db", db, "--as-of", "2022-06-01", "import").exit_code == 0
    assert run("--db", db, "--as-of", "2022-06-01", "due", "5.1", "2022-07-05").exit_code == 0

    def overdue() -> int:
        result = run("--db", db, "--as-of", "2022-07-17", "report", "--week", "2022-W28",
                     "--format", "json")
        return as_json(result)["overview"]["end"]["overdue"]

    before = overdue()
    # 5.1 (due 07-05), the “七一” pair 8.5 and 8.6 (due 07-15, 8.6 split from 8.5), and the
    # recurring 4.5, 4.11, 4.12, 4.14, each once, by their missed occurrences (4.11@2022-05 …)
    assert before == 7
    assert run("--db", db, "--as-of", "2022-07-20", "due", "5.1", "2022-08-31").exit_code == 0
    assert overdue() == before
    listed = as_json(run("--db", db, "--as-of", "2022-07-17", "list", "--format", "json"))
    assert {r["id"]: (r["due"], r["light"]) for r in listed}["5.1"] == ("2022-07-05", "red")
