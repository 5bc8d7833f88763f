"""Output contracts: JSON keys, piped TSV, CSV for spreadsheets, Markdown, 80-column tables with
Chinese titles, exit codes and one-line errors, option placement, shell completion."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from conftest import as_json
from rich.cells import cell_len

AS_OF = "2022-07-01"
LIST_KEYS = ["id", "item", "section", "title", "status", "owner", "support", "due", "start",
             "when", "done_on", "percent", "tags", "light", "signal", "expected_percent", "lag",
             "ongoing", "last_note", "period"]
ANSI = re.compile(r"\x1b\[")
BOX = set("─│┌┐└┘├┤┬┴┼━┃╭╮╰╯")
_NO_START = "，。、；：？！）」』”’》"


def ok(run, *args, **kw):
    result = run(*args, **kw)
    assert result.exit_code == 0, result.output
    return result


# --- JSON ------------------------------------------------------------------------------------------

def test_list_json_exact_keys_in_order(run, imported):
    data = as_json(ok(run, "list", "--as-of", AS_OF, "--format", "json"))
    # 112 tasks; the six recurring ones of item 4 as their 13 occurrences begun by 07-01
    assert len(data) == 112 - 6 + 13
    assert all(list(r) == LIST_KEYS for r in data)
    # red: May's and June's branch meetings (4.11@2022-05 …) and 4.5's second quarter
    assert {r["light"] for r in data} == {"green", "yellow", "red"}
    assert {r["id"] for r in data if r["light"] == "red"} == {
        "4.5@2022-Q2", "4.11@2022-05", "4.11@2022-06", "4.12@2022-05", "4.12@2022-06",
        "4.14@2022-05", "4.14@2022-06"}
    assert {r["status"] for r in data} == {"todo"}


def test_json_keys_and_codes_do_not_change_with_the_language(run, imported):
    zh = ok(run, "list", "--as-of", AS_OF, "-f", "json").stdout
    en = ok(run, "--lang", "en", "list", "--as-of", AS_OF, "-f", "json").stdout
    assert zh == en


def test_json_lists_and_nulls(run, imported):
    data = as_json(ok(run, "list", "--as-of", AS_OF, "--item", "13", "-f", "json"))
    r = next(r for r in data if r["id"] == "13.5")
    assert r["support"] == ["退协", "关工委"] and r["owner"] is None and r["tags"] == ["老干部"]
    first = as_json(ok(run, "list", "--as-of", AS_OF, "--item", "1", "-f", "json"))[0]
    assert first["support"] == [] and first["tags"] == []  # empty lists, never null


# --- piped output: TSV -------------------------------------------------------------------------------

def test_piped_default_is_plain_tsv(run, imported):
    ok(run, "--as-of", AS_OF, "assign", "--new-unit", "13.5", "--to", "老干部科")
    out = ok(run, "list", "--as-of", AS_OF).stdout
    lines = out.splitlines()
    assert lines[0].split("\t") == LIST_KEYS
    assert len(lines) == 1 + 119  # header + 119 rows (112 tasks, 4.5's family as occurrences), no footer
    assert not ANSI.search(out) and not BOX & set(out)
    assert not [x for x in lines if x.startswith("共")]
    row = dict(zip(LIST_KEYS, next(x for x in lines if x.startswith("13.5\t")).split("\t")))
    assert row["support"] == "退协; 关工委" and row["owner"] == "老干部科"
    assert row["status"] == "todo" and row["light"] == "green" and row["done_on"] == ""
    assert all(len(x.split("\t")) == len(LIST_KEYS) for x in lines)


def test_tsv_status_codes_are_english_in_both_languages(run, imported):
    out = ok(run, "--lang", "en", "list", "--as-of", AS_OF, "--format", "tsv").stdout
    assert out == ok(run, "list", "--as-of", AS_OF, "--format", "tsv").stdout


def test_tsv_keeps_one_record_per_line(run, imported):
    ok(run, "--as-of", AS_OF, "add", "5", "标题\t带\n控制字符")
    lines = ok(run, "list", "--as-of", AS_OF, "--item", "5").stdout.splitlines()
    assert len(lines) == 8 and lines[-1].startswith("5.7\t5\t2\t标题 带 控制字符\t")


def test_empty_result_is_header_only_and_exit_0(run, imported):
    out = ok(run, "list", "--as-of", AS_OF, "--search", "没有这个词").stdout
    assert out.splitlines() == ["\t".join(LIST_KEYS)]
    table = ok(run, "list", "--as-of", AS_OF, "--search", "没有这个词", "-f", "table").stdout
    assert "共 0 项" in table


# --- CSV and Markdown -----------------------------------------------------------------------------

def test_csv_has_bom_and_joins_lists(run, imported):
    raw = ok(run, "list", "--as-of", AS_OF, "--format", "csv").stdout
    assert raw.startswith("\ufeffid,item,section,title,")
    records = list(csv.DictReader(io.StringIO(raw[1:])))
    assert len(records) == 119 and list(records[0]) == LIST_KEYS  # as the TSV's rows
    assert next(r for r in records if r["id"] == "13.5")["support"] == "退协; 关工委"
    assert next(r for r in records if r["id"] == "2.5")["tags"] == "意识形态"


def test_csv_defuses_formulas(run, imported):
    ok(run, "--as-of", AS_OF, "add", "5", "=HYPERLINK(\"http://x\")")
    raw = ok(run, "list", "--as-of", AS_OF, "--item", "5", "-f", "csv").stdout
    row = list(csv.DictReader(io.StringIO(raw[1:])))[-1]
    assert row["title"].startswith("'=")


def test_markdown_table(run, imported):
    out = ok(run, "list", "--as-of", AS_OF, "--item", "2", "--format", "md").stdout
    lines = out.splitlines()
    assert lines[0] == "| 编号 | 工作任务 | 责任单位 | 完成时限 | 状态 | 进度 | 序时进度 | 提示 |"
    assert lines[1].startswith("|---")
    # 14 tasks (2.7 split: 2.14 stands beside it, so 2.13 is still last)
    assert len(lines) == 2 + 14 and lines[-1].startswith("| 2.13 | ")
    assert lines[2 + 7].startswith("| 2.14 | ")
    assert "● 正常" in out


@pytest.mark.parametrize("command", [("list",), ("tree",), ("show", "5.2"), ("show", "5"),
                                     ("history",)])
@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "md", "table"])
def test_every_reading_command_speaks_every_format(run, imported, command, fmt):
    ok(run, "--as-of", AS_OF, "done", "5.2")
    out = ok(run, *command, "--as-of", AS_OF, "--format", fmt).stdout
    assert out.strip()
    assert not ANSI.search(out)
    if fmt == "json":
        json.loads(out)
    if fmt == "csv":
        assert out.startswith("\ufeff")
    if fmt in ("csv", "tsv", "json", "md"):
        assert not BOX & set(out)


# --- tables at 80 columns -------------------------------------------------------------------------

def _check_table_lines(text: str) -> list[str]:
    lines = text.rstrip("\n").split("\n")
    widths = {cell_len(line) for line in lines}
    assert max(widths) <= 80, widths
    assert "…" not in text and "..." not in text
    return lines


def test_list_table_at_80_columns(run, imported):
    ok(run, "--as-of", AS_OF, "assign", "--new-unit", "13", "--to", "区委教育工委组织宣传科",
       "--with", "区关工委")
    out = ok(run, "list", "--as-of", AS_OF, "--format", "table").stdout
    lines = _check_table_lines(out)
    table = lines[:-1]
    assert len({cell_len(line) for line in table}) == 1  # every border lines up
    assert lines[-1].startswith("共 119 项（截至 2022-07-01）")  # rows: occurrences each one
    body = [line for line in table if line.startswith("│")]
    assert len(body) > 99  # long titles wrap onto more lines
    title_cells = [line.split("│")[2].strip() for line in body[1:]]
    assert not [c for c in title_cells if c and c[0] in _NO_START]  # no line starts with "，"
    joined = "".join(title_cells)
    assert "引导全区青少年树立和践行社会主义核心价值观，教育广大青少年听党话、跟党走" in joined
    assert "区委教育工委组织宣传科" in "".join(line.split("│")[3].strip() for line in body)


def test_rich_table_recorded_at_80_columns():
    from rich.console import Console

    from jtdj.render import render
    from jtdj.render.tasks import task_list

    records = [{"id": f"2.{n}", "title": "把学习贯彻习近平新时代中国特色社会主义思想、党的十九届"
                "六中全会精神作为首要政治任务（" + "长" * n + "）", "owner": "组织科",
                "due": "2022-12-31", "status": "doing", "light": light}
               for n, light in zip(range(8, 13), ["red", "yellow", "green", "grey", "red"])]
    console = Console(width=80, record=True, color_system=None, file=io.StringIO())
    console.print(render("records", "table", task_list(records, caption="共 5 项")))
    text = console.export_text()
    lines = _check_table_lines(text)
    assert len({cell_len(line) for line in lines[:-1]}) == 1
    for word in ("▲ 逾期", "◆ 临期", "● 正常", "○ 已结"):  # the light survives without colour
        assert word in text
    assert [line.split("│")[1].strip() for line in lines if line.startswith("│ 2.")] == [
        "2.8", "2.9", "2.10", "2.11", "2.12"]


def test_tree_and_show_fit_80_columns(run, imported):
    ok(run, "--as-of", AS_OF, "note", "8.5", "已在“七一”前后开展系列活动，各学校党组织结合实际组织了"
       "重温入党誓词、党员过政治生日、走访慰问老党员等活动，效果良好", "--percent", "60")
    for args in (("tree",), ("show", "8.5"), ("show", "8"), ("history",)):
        out = ok(run, *args, "--as-of", AS_OF, "--format", "table").stdout
        _check_table_lines(out)
    show = ok(run, "show", "8.5", "--as-of", AS_OF, "-f", "table").stdout
    assert "走访慰问老党员等活动，效果良好" in show.replace(" ", "").replace("\n", "")


# --- exit codes and errors -----------------------------------------------------------------------

@pytest.mark.parametrize("args, code", [
    (("list", "--as-of", AS_OF), 0),
    (("show", "5.2"), 0),
    (("show", "5.9"), 1),
    (("done", "99.1"), 1),
    (("--plan", "1999", "list"), 1),
    (("list", "--plan", "1999"), 1),
    (("done", "abc"), 2),
    (("list", "--bogus"), 2),
    (("list", "--status", "finished"), 2),
    (("list", "--sort", "title"), 2),
    (("list", "--format", "xml"), 2),
    (("list", "--due-within", "-1"), 2),
    (("assign", "--new-unit", "5.2"), 2),
    (("show",), 2),
    (("frobnicate",), 2),
    (("due", "5.2", "2022-02-30"), 2),
])
def test_exit_codes_and_one_line_errors(run, imported, args, code):
    result = run(*args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if code:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stderr.startswith("错误：")
        assert result.stdout == ""


def test_debug_shows_the_traceback(run, imported):
    result = run("--debug", "done", "abc")
    assert result.exit_code == 2 and "Traceback" in result.stderr


# --- options before or after the command -----------------------------------------------------------

def test_as_of_and_plan_before_or_after_the_command(run, imported):
    before = ok(run, "--as-of", "2022-07-16", "--plan", "2022", "list", "--overdue", "-f", "json")
    after = ok(run, "list", "--overdue", "-f", "json", "--as-of", "2022-07-16", "--plan", "2022")
    # on 07-16: May's and June's occurrences, and the “七一” pair 8.5, 8.6 (due 07-15)
    missed = ["4.5@2022-Q2", "4.11@2022-05", "4.11@2022-06", "4.12@2022-05", "4.12@2022-06",
              "4.14@2022-05", "4.14@2022-06"]
    assert before.stdout == after.stdout and [r["id"] for r in as_json(after)] == missed + [
        "8.5", "8.6"]
    # after the command wins (on 07-01 8.5 and 8.6 are not overdue yet)
    both = ok(run, "--as-of", "2022-07-01", "list", "--overdue", "--as-of", "2022-07-16", "-f", "json")
    assert [r["id"] for r in as_json(both)] == missed + ["8.5", "8.6"]


def test_global_db_option(run, tmp_path):
    other = tmp_path / "other.db"
    ok(run, "--db", other, "--as-of", AS_OF, "done", "1.1")
    assert other.exists()
    done = ok(run, "--db", other, "list", "--as-of", AS_OF, "--status", "done", "-f", "json")
    assert [r["id"] for r in as_json(done)] == ["1.1"]


# --- shell completion ---------------------------------------------------------------------------

def test_completion_lists_ids_and_owners(run, imported):
    from jtdj.cli.app import _complete_ids, _complete_owners
    from jtdj.cli.completion import ids as completion_ids, owners as completion_owners

    ok(run, "assign", "--new-unit", "5.1", "--to", "组织科")
    ok(run, "assign", "--new-unit", "5.2", "--to", "宣传科")
    ids = completion_ids()
    assert ids[:13] == [str(n) for n in range(1, 14)]
    assert len(ids) == 13 + 112 and "2.10" in ids
    assert _complete_ids("2.1") == ["2.1", "2.10", "2.11", "2.12", "2.13", "2.14"]
    assert completion_owners() == sorted(["组织科", "宣传科"])
    assert _complete_owners("组") == ["组织科"]


def test_completion_is_silent_without_a_database(tmp_path, monkeypatch):
    from jtdj.cli.completion import ids as completion_ids, owners as completion_owners

    monkeypatch.setenv("JTDJ_DB", str(tmp_path / "none" / "jtdj.db"))
    assert completion_ids() == [] and completion_owners() == []
    assert not (tmp_path / "none").exists()


def test_completion_reads_an_old_database_without_migrating_it(tmp_path, monkeypatch):
    """Tab completion opens the file read-only: an old schema is not migrated (it completes
    nothing rather than write to the clerk's database from inside the shell)."""
    import shutil

    from conftest import ROOT, dump
    from jtdj.cli.completion import ids as completion_ids, owners as completion_owners

    old = tmp_path / "old.db"
    shutil.copy(ROOT / "tests" / "data" / "schema-v1.db", old)
    before = (old.read_bytes(), dump(old))
    monkeypatch.setenv("JTDJ_DB", str(old))
    assert completion_ids() == [] and completion_owners() == []
    assert (old.read_bytes(), dump(old)) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.db"]


def test_tsv_keeps_one_line_per_record_and_its_columns():
    """A tab or line break inside a value becomes a space; nothing else is touched."""
    from jtdj.render.records import to_tsv

    records = [{"a": "x\ty", "b": "l1\nl2\r", "c": 3}, {"a": None, "b": ["p", "q"], "c": True},
               {"a": "“引号”", "b": "=1+1", "c": ""}]
    assert to_tsv(records, ["a", "b", "c"]) == (
        "a\tb\tc\nx y\tl1 l2 \t3\n\tp; q\ttrue\n“引号”\t=1+1\t\n")


def test_every_writer_the_format_table_names_exists():
    from jtdj.render import FORMATS, writer

    for view, spec in FORMATS.items():
        assert spec.pipe in spec.writers, view
        for fmt in spec.writers:
            assert callable(writer(view, fmt)), (view, fmt)
