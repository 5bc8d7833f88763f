"""Ids and dates as a clerk types them, and the all-or-nothing rule for several ids."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import as_json, rows

from jtdj.parse import parse_date
from jtdj.errors import UsageError
from jtdj.parse import Ref, parse_ref

TODAY = date(2022, 7, 1)


def count_events(db_path) -> int:
    return rows(db_path, "SELECT count(*) AS n FROM events WHERE action != 'import'")[0]["n"]


def status(run, task_id) -> str:
    result = run("show", task_id, "--as-of", "2022-07-01", "--format", "json")
    assert result.exit_code == 0, result.output
    return as_json(result)["status"]


# --- ids -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, ref", [
    ("5.2", Ref(5, 2)), ("５．２", Ref(5, 2)), ("5。2", Ref(5, 2)), ("５。２", Ref(5, 2)),
    (" 2.10 ", Ref(2, 10)), ("5", Ref(5)), ("１３", Ref(13)),
])
def test_ids_typed_with_a_chinese_input_method(text, ref):
    assert parse_ref(text) == ref


@pytest.mark.parametrize("text", ["../5", "5.2.1", "abc", "", "5.", ".2", "0", "5.0", "-5", "5,2",
                                  "2、5"])
def test_malformed_ids(text):
    with pytest.raises(UsageError):
        parse_ref(text)


@pytest.mark.parametrize("typed, ids", [
    (["2、5"], ["2", "5"]), (["5.2,5.3"], ["5.2", "5.3"]), (["５．２，５．３"], ["5.2", "5.3"]),
    (["5.2、5.3"], ["5.2", "5.3"]), (["5.2；5.3"], ["5.2", "5.3"]), (["5.2;5.3"], ["5.2", "5.3"]),
    (["5.2 5.3"], ["5.2", "5.3"]), (["5.2　5.3"], ["5.2", "5.3"]), (["５。２、 ５．３ ,"], ["5.2", "5.3"]),
    (["5.2", "5.3、5.4"], ["5.2", "5.3", "5.4"]), (["１３"], ["13"]),
])
def test_an_id_list_is_split_at_every_separator(typed, ids):
    """、 ， , ； ; and spaces separate ids; . ． 。 are the decimal mark inside one."""
    from jtdj.parse import parse_refs, split_ids

    assert split_ids(typed) == ids
    assert [str(r) for r in parse_refs(typed)] == ids


def test_done_2_5_acts_on_items_2_and_5_as_done_2_5_does(run, db_path, tmp_path):
    """`done 2、5` is never task 2.5: it checks off every task of items 2 and 5."""
    def statuses(db) -> dict:
        return {r["id"]: r["status"] for r in rows(db, "SELECT id, status FROM tasks")}

    results = []
    for name, args in (("list", ["2、5"]), ("words", ["2", "5"])):
        db = tmp_path / name / "jtdj.db"
        assert run("--db", db, "import").exit_code == 0
        assert run("--db", db, "--as-of", "2022-07-01", "done", *args).exit_code == 0
        results.append(statuses(db))
    assert results[0] == results[1]
    done = {i for i, s in results[0].items() if s == "done"}
    assert done == {i for i in results[0] if i.split(".")[0] in ("2", "5")}
    assert "2.5" in done and results[0]["1.1"] == "todo"


def test_show_takes_several_ids(run, imported):
    result = run("show", "5.2，5.3", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [d["id"] for d in as_json(result)] == ["5.2", "5.3"]
    result = run("show", "2、5", "--format", "tsv")
    lines = result.stdout.splitlines()
    assert lines[0] == "id\tfield\tvalue" and "2\tkind\titem" in lines and "5\tkind\titem" in lines
    assert as_json(run("show", "2.5", "--format", "json"))["id"] == "2.5"


def test_a_filter_value_is_not_split(run, imported):
    """--item takes one value: `--item 2、5` is a bad number, not items 2 and 5."""
    result = run("list", "--item", "2、5")
    assert result.exit_code == 2 and "2、5" in result.stderr


def test_full_width_ids_work_in_commands(run, imported):
    assert run("--as-of", "2022-07-01", "done", "５．２").exit_code == 0
    assert run("--as-of", "2022-07-01", "start", "5。3").exit_code == 0
    assert (status(run, "5.2"), status(run, "5.3")) == ("done", "doing")


def test_malformed_id_is_usage_error(run, imported):
    result = run("done", "abc")
    assert result.exit_code == 2
    assert "abc" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("bad", ["../5", "5.2.1", "abc"])
def test_a_malformed_id_among_good_ones_changes_nothing(run, imported, db_path, bad):
    result = run("--as-of", "2022-07-01", "done", "5.1", bad, "5.2")
    assert result.exit_code == 2
    assert bad in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert count_events(db_path) == 0 and status(run, "5.1") == "todo"


def test_unknown_ids_exit_1_list_each_with_the_closest_and_change_nothing(run, imported, db_path):
    result = run("--as-of", "2022-07-01", "done", "5.1", "5.9", "14", "2.15")
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "5.9（最接近：5.6、5.5、5.4）" in message
    assert "2.15（最接近：2.14、2.13、2.12）" in message  # 2.14: 2.7's split part
    assert "14（最接近：" in message
    assert "5.1（" not in message
    assert count_events(db_path) == 0 and status(run, "5.1") == "todo"


def test_unknown_ids_for_every_changing_command(run, imported, db_path):
    for args in (("assign", "--new-unit", "5.9", "--to", "组织科"), ("unassign", "5.9"), ("start", "5.9"),
                 ("reopen", "5.9"), ("drop", "5.9", "--reason", "x"), ("due", "5.9", "today"),
                 ("note", "5.9", "进展"), ("show", "5.9"), ("history", "5.9"),
                 ("start", "99")):
        result = run(*args)
        assert result.exit_code == 1, args
        assert "5.6" in result.stderr or "99" in result.stderr
    assert count_events(db_path) == 0


def test_the_same_task_twice_is_changed_once(run, imported, db_path):
    assert run("--as-of", "2022-07-01", "done", "5.1", "5.1", "5").exit_code == 0
    assert rows(db_path, "SELECT count(*) AS n FROM events WHERE field = 'status'"
                " AND action = 'done'")[0]["n"] == 6


# --- dates ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2022-07-01", date(2022, 7, 1)), ("2022/7/1", date(2022, 7, 1)),
    ("2022年7月1日", date(2022, 7, 1)), ("２０２２年７月１日", date(2022, 7, 1)),
    ("7月1日", date(2022, 7, 1)), ("12月31日", date(2022, 12, 31)), ("today", TODAY),
    ("今天", TODAY), ("+7d", date(2022, 7, 8)), ("-7d", date(2022, 6, 24)),
    ("7d", date(2022, 6, 24)), ("+2w", date(2022, 7, 15)),
])
def test_date_forms(text, expected):
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["2022-02-30", "2022-13-01", "13月1日", "soon", "7x", "", "2022"])
def test_bad_dates(text):
    with pytest.raises(UsageError):
        parse_date(text, TODAY)


@pytest.mark.parametrize("typed, stored", [
    ("2022-09-30", "2022-09-30"), ("2022/9/30", "2022-09-30"), ("2022年9月30日", "2022-09-30"),
    ("9月30日", "2022-09-30"), ("today", "2022-07-01"), ("+7d", "2022-07-08"),
    ("7d", "2022-06-24"),
])
def test_dates_in_commands(run, imported, typed, stored):
    assert run("--as-of", "2022-07-01", "due", "5.2", typed).exit_code == 0
    result = run("show", "5.2", "--as-of", "2022-07-01", "--format", "json")
    assert as_json(result)["due"] == stored


@pytest.mark.parametrize("args", [
    ("due", "5.2", "2022-02-30"), ("list", "--due-before", "下周"), ("history", "--since", "x"),
    ("done", "5.2", "--on", "昨日"), ("--as-of", "2022-13-01", "list"), ("list", "--as-of", "x"),
])
def test_a_bad_date_is_a_usage_error(run, imported, db_path, args):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert count_events(db_path) == 0


def test_today_comes_from_jtdj_today(run, imported, monkeypatch):
    monkeypatch.setenv("JTDJ_TODAY", "2022-07-16")
    result = run("list", "--overdue", "--format", "json")
    # May's and June's occurrences of the recurring 4.x and the “七一” pair 8.5, 8.6 (due 07-15)
    assert [r["id"] for r in as_json(result)] == [
        "4.5@2022-Q2", "4.11@2022-05", "4.11@2022-06", "4.12@2022-05", "4.12@2022-06",
        "4.14@2022-05", "4.14@2022-06", "8.5", "8.6"]
    # --as-of wins over JTDJ_TODAY
    result = run("list", "--overdue", "--as-of", "2022-07-01", "--format", "json")
    assert "8.5" not in [r["id"] for r in as_json(result)] and len(as_json(result)) == 7
