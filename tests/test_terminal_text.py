"""Terminal text is shown, not obeyed: control and bidi characters in plan titles, owners and notes
(and in ids typed into an error) reach no terminal, spreadsheet or mail raw; they are shown as
``\\x1b`` and ``<U+202E>``. JSON and the TOML export keep the exact text, escaped."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import as_json

AS_OF = ("--as-of", "2022-02-15")
CLEAR = "\x1b[2J"
OSC_TITLE = "\x1b]0;pwned\x07"
RLO = "\u202e"
TITLE = f"任务{CLEAR}清屏{RLO}反转"
OWNER = f"张三{OSC_TITLE}"
NOTE = f"进展{CLEAR}{RLO}说明"
PLAN_TITLE = f"计划{CLEAR}标题{RLO}"
RAW = ("\x1b", "\x07", RLO)

PLAN = r"""format = 1

[plan]
key = "evil"
title = "计划\u001b[2J标题\u202e"
issued = 2022-01-01
due = 2022-12-31

[[sections]]
no = 1
title = "部分\u001b]0;pwned\u0007一"

[[sections.items]]
no = 1
title = "事项\u202e甲"

[[sections.items.tasks]]
no = 1
title = "正常任务"
due = 2022-06-30

[[sections.items.tasks]]
no = 2
title = "任务\u001b[2J清屏\u202e反转"
owner = "张三\u001b]0;pwned\u0007"
due = 2022-02-01

[[sections.items.tasks.notes]]
on = 2022-01-20
text = "进展\u001b[2J\u202e说明"
"""


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / "evil.toml"
    path.write_text(PLAN, encoding="utf-8")
    return path


@pytest.fixture
def evil(run, plan_file, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    result = run(*AS_OF, "import", plan_file)
    assert result.exit_code == 0, result.stderr
    note = run(*AS_OF, "note", "1.2", NOTE)
    assert note.exit_code == 0, note.stderr
    return result


def no_raw(text: str) -> None:
    for ch in RAW:
        assert ch not in text, (ch, text)


@pytest.mark.parametrize("argv", [
    ("list", "--format", "table"), ("list", "--format", "tsv"), ("list", "--format", "csv"),
    ("list", "--format", "md"), ("show", "1.2", "--format", "table"),
    ("show", "1.2", "--format", "md"), ("show", "1.2", "--format", "tsv"),
    ("tree", "--format", "table"), ("tree", "--format", "tsv"), ("tree", "--format", "md"),
    ("history", "--format", "table"), ("history", "--format", "tsv"),
    ("summary", "--format", "table"), ("summary", "--format", "md"),
    ("report", "--format", "text"), ("report", "--format", "html"),
    ("report", "--format", "md"), ("export", "--format", "csv"),
])
def test_control_and_bidi_characters_are_shown_visibly_in_every_output_a_person_reads(
        run, evil, argv):
    result = run(*AS_OF, *argv)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    no_raw(out)
    shown = out.replace("\\\\", "\\").replace("&lt;", "<").replace("&gt;", ">")  # md and html
    assert "\\x1b[2J" in shown, out
    assert "<U+202E>" in shown, out


def test_the_text_report_which_is_also_the_mail_body_names_owner_and_title_visibly(run, evil):
    out = run(*AS_OF, "report", "--format", "text").stdout
    no_raw(out)
    assert "任务\\x1b[2J清屏<U+202E>反转" in out
    assert "张三\\x1b]0;pwned\\x07" in out
    assert "计划\\x1b[2J标题<U+202E>" in out.splitlines()[0]


def test_csv_cells_read_back_hold_the_visible_form(run, evil):
    out = run(*AS_OF, "export", "--format", "csv").stdout
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out.lstrip("\ufeff")))}
    assert rows["1.2"]["title"] == "任务\\x1b[2J清屏<U+202E>反转"
    assert rows["1.2"]["owner"] == "张三\\x1b]0;pwned\\x07"
    assert rows["1.1"]["title"] == "正常任务"


def test_xlsx_cells_hold_the_visible_form(run, evil, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "ledger.xlsx"
    result = run(*AS_OF, "export", "--format", "xlsx", "-o", path)
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(path)
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None]
    for cell in cells:
        no_raw(cell)
    assert "任务\\x1b[2J清屏<U+202E>反转" in cells
    assert "张三\\x1b]0;pwned\\x07" in cells
    assert any("计划\\x1b[2J标题<U+202E>" in c for c in cells)
    assert book.properties.title == "计划\\x1b[2J标题<U+202E>"


def test_json_keeps_the_exact_text_escaped(run, evil):
    listed = run(*AS_OF, "list", "--format", "json").stdout
    no_raw(listed)
    task = {r["id"]: r for r in json.loads(listed)}["1.2"]
    assert task["title"] == TITLE and task["owner"] == OWNER
    dump = run(*AS_OF, "export", "--format", "json").stdout
    no_raw(dump)
    assert json.loads(dump)["plan"]["title"] == PLAN_TITLE
    shown = as_json(run(*AS_OF, "show", "1.2", "--format", "json"))
    assert NOTE in [n["text"] for n in shown["notes"]]


def test_the_toml_export_imports_again_to_the_exact_text(run, evil, tmp_path):
    path = tmp_path / "again.toml"
    result = run(*AS_OF, "export", "--format", "toml", "-o", path)
    assert result.exit_code == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    no_raw(text)
    other = str(tmp_path / "other.db")
    again = run("--db", other, *AS_OF, "import", path)
    assert again.exit_code == 0, again.stderr
    task = {r["id"]: r for r in as_json(run("--db", other, *AS_OF, "list", "--format", "json"))}
    assert task["1.2"]["title"] == TITLE and task["1.2"]["owner"] == OWNER
    shown = as_json(run("--db", other, *AS_OF, "show", "1.2", "--format", "json"))
    assert NOTE in [n["text"] for n in shown["notes"]]
    plans = as_json(run("--db", other, "plans", "--format", "json"))
    assert plans[0]["title"] == PLAN_TITLE


def test_import_warns_with_the_path_of_each_such_text_and_still_imports(run, plan_file,
                                                                        tmp_path):
    plain = run("--db", tmp_path / "plain.db", "import")  # the bundled plan: nothing to say
    assert plain.exit_code == 0 and "\\x" not in plain.stderr and "<U+" not in plain.stderr
    result = run(*AS_OF, "import", plan_file)
    assert result.exit_code == 0, result.stderr
    no_raw(result.stderr)
    lines = result.stderr.splitlines()
    for path, chars in (("plan.title", "\\x1b, <U+202E>"),
                        ("sections[1].title", "\\x1b, \\x07"),
                        ("sections[1].items[1].title", "<U+202E>"),
                        ("sections[1].items[1].tasks[2].title", "\\x1b, <U+202E>"),
                        ("sections[1].items[1].tasks[2].owner", "\\x1b, \\x07"),
                        ("sections[1].items[1].tasks[2].notes[1].text", "\\x1b, <U+202E>")):
        assert any(f"{path} " in line and chars in line and "evil.toml" in line
                   for line in lines), (path, result.stderr)
    assert not any("tasks[1]." in line for line in lines)  # the plain task is not named
    task = {r["id"]: r for r in as_json(run(*AS_OF, "list", "--format", "json"))}["1.2"]
    assert task["title"] == TITLE  # kept exactly in the database


def test_an_error_shows_a_typed_id_visibly(run, evil):
    result = run(*AS_OF, "show", f"1.9{CLEAR}{RLO}")
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    no_raw(result.stderr)
    assert "\\x1b[2J<U+202E>" in result.stderr


def test_visible_names_each_kind_of_character_and_keeps_tab_and_newline():
    from jtdj.render.safe import visible

    assert visible("a\tb\nc") == "a\tb\nc"
    assert visible("普通文字 plain") == "普通文字 plain"
    assert visible("\x00\x1b\r\x7f\x85\x9b") == "\\x00\\x1b\\x0d\\x7f\\x85\\x9b"
    assert visible("\u202a\u202e\u2066\u2069") == "<U+202A><U+202E><U+2066><U+2069>"
    assert visible("\u200f\u3000") == "\u200f\u3000"  # marks and spaces are not controls
