"""Promise 7: text from the plan or notes never becomes markup or code. (HTML and e-mail escaping
are tested with the reports.)"""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import as_json, rows

AS_OF = ("--as-of", "2022-07-01")
MARKUP = "[red]x[/red] [bold]粗[/bold] [link=http://example.com]点[/link]"
FORMULAS = ["=1+2", "+SUM(A1:A9)", "-2+3", "@cmd", "=HYPERLINK(\"http://x\")"]


def add(run, title: str) -> str:
    # the test runner's own parser takes the first "--"; jtdj gets the second
    result = run("add", *AS_OF, "--", "--", "4", title)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def wide(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


def test_rich_markup_in_a_title_prints_literally(run, imported, wide):
    task_id = add(run, MARKUP)
    assert run("note", task_id, "[blink]注意[/blink]", *AS_OF).exit_code == 0
    for argv in (["list", "--item", "4"], ["show", task_id], ["tree", "--item", "4"],
                 ["history", task_id]):
        result = run(*argv, "--format", "table", *AS_OF)
        assert result.exit_code == 0, result.stderr
        assert "[red]x[/red]" in result.stdout, (argv, result.stdout)
        assert "[bold]粗[/bold]" in result.stdout
        if argv[0] in ("show", "history"):
            assert "[blink]注意[/blink]" in result.stdout


def test_csv_neutralises_formulas_tsv_and_json_stay_raw(run, imported):
    ids = [add(run, title) for title in FORMULAS]
    listed = ("list", "--item", "4", "--status", "all", *AS_OF)

    result = run(*listed, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    table = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    titles = {r["id"]: r["title"] for r in table}
    assert [titles[i] for i in ids] == ["'" + f for f in FORMULAS]
    # cells the user did not write are left alone: no stray quotes on ordinary values
    assert all(not v.startswith("'") for r in table for k, v in r.items() if r["id"] not in ids)

    tsv = run(*listed, "--format", "tsv")
    lines = {line.split("\t")[0]: line.split("\t") for line in tsv.stdout.splitlines()}
    header = tsv.stdout.splitlines()[0].split("\t")
    assert [lines[i][header.index("title")] for i in ids] == FORMULAS

    records = {r["id"]: r["title"] for r in as_json(run(*listed, "--format", "json"))}
    assert [records[i] for i in ids] == FORMULAS


def test_sql_in_text_is_only_text(run, imported, db_path):
    nasty = "x'); DROP TABLE tasks; --"
    task_id = add(run, nasty)
    assert run("assign", "--new-unit", task_id, "--to", "' OR 1=1 --", *AS_OF).exit_code == 0
    assert rows(db_path, "SELECT title, owner FROM tasks WHERE id = ?", task_id) == [
        {"title": nasty, "owner": "' OR 1=1 --"}]
    found = as_json(run("list", "--search", "DROP TABLE", "--format", "json", *AS_OF))
    assert [r["id"] for r in found] == [task_id]
    assert run("list", "--owner", "x' OR 1=1", "--format", "json", *AS_OF).exit_code == 1
    assert as_json(run("list", "--search", "%", "--format", "json", *AS_OF)) == []
    listed = as_json(run("list", "--status", "all", "--format", "json", *AS_OF))
    # every task is still there: the plan's 112 and the one added; its six recurring tasks
    # (4.5 and its family) as their 13 occurrences begun by 07-01, one row each
    assert len({r["id"].partition("@")[0] for r in listed}) == 112 + 1
    assert len(listed) == 112 - 6 + 13 + 1
    assert json.loads(run("show", task_id, "--format", "json", *AS_OF).stdout)["title"] == nasty
