"""A plan file that cannot be imported: one clear message per problem (file, and line/column or
path), exit code 2, no traceback, and the database exactly as it was."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import tomli

from conftest import PLAN_2022, dump

AS_OF = ("--as-of", "2022-07-01")

# A small valid plan: section 2's first item has three tasks, so the brief's example path
# sections[2].items[1].tasks[3] exists.
VALID = """\
[plan]
key = "t"
title = "测试计划"
due = 2022-12-31

[[sections]]
no = 1
title = "第一部分"

[[sections.items]]
no = 1
title = "条目一"

[[sections.items.tasks]]
no = 1
title = "任务一"

[[sections]]
no = 2
title = "第二部分"

[[sections.items]]
no = 2
title = "条目二"

[[sections.items.tasks]]
no = 1
title = "任务甲"

[[sections.items.tasks]]
no = 2
title = "任务乙"

[[sections.items.tasks]]
no = 3
title = "任务丙"
"""




@pytest.fixture
def before(run, db_path):
    """A database holding the bundled plan with some work done; its dump before the attempt."""
    assert run(*AS_OF, "import").exit_code == 0
    assert run(*AS_OF, "done", "5.2").exit_code == 0
    return dump(db_path)


def write(tmp_path: Path, content: str | bytes, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def refused(run, db_path, before, path, *args) -> list[str]:
    """Import ``path``; check the refusal; return the lines written to stderr."""
    result = run(*AS_OF, *args, "import", path)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert str(path) in result.stderr
    assert dump(db_path) == before
    lines = result.stderr.splitlines()
    assert lines and lines[0].startswith("错误：" if "en" not in args else "Error: ")
    return lines


def test_valid_template_imports(run, tmp_path):
    result = run(*AS_OF, "import", write(tmp_path, VALID, "ok.toml"))
    assert result.exit_code == 0, result.output


# --- the file cannot be read as TOML ---------------------------------------------------------

def test_malformed_toml_names_line_and_column(run, db_path, before, tmp_path):
    path = write(tmp_path, VALID.replace('title = "任务乙"', 'title = "任务乙'))
    line = VALID.splitlines().index('title = "任务乙"') + 1
    [message] = refused(run, db_path, before, path)
    assert f"第 {line} 行第" in message and "列" in message and "TOML" in message


def test_malformed_toml_in_english(run, db_path, before, tmp_path):
    path = write(tmp_path, "[plan]\nkey = \n")
    [message] = refused(run, db_path, before, path, "--lang", "en")
    assert f"{path}: line 2, column 7: invalid TOML" in message


@pytest.mark.parametrize("content", [b"", b"  \n\n\t\n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n \n"],
                         ids=["empty", "blank", "bom-only", "bom-blank"])
def test_empty_file(run, db_path, before, tmp_path, content):
    [message] = refused(run, db_path, before, write(tmp_path, content))
    assert "文件为空" in message


def test_binary_file(run, db_path, before, tmp_path):
    [message] = refused(run, db_path, before, write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
    assert "二进制" in message


def test_non_utf8_file_names_the_line(run, db_path, before, tmp_path):
    gbk = VALID.encode("utf-8").split(b"\n")
    gbk[2] = 'title = "测试计划"'.encode("gbk")  # line 3, as Notepad in GBK would save it
    [message] = refused(run, db_path, before, write(tmp_path, b"\n".join(gbk)))
    assert "第 3 行" in message and "UTF-8" in message


def test_file_over_32_mb_is_refused(run, db_path, before, tmp_path):
    path = tmp_path / "huge.toml"
    with path.open("wb") as fh:  # sparse: costs no disk
        fh.truncate(32 * 1024 * 1024 + 1)
    [message] = refused(run, db_path, before, path)
    assert "文件过大" in message and "32 MB" in message
    [english] = refused(run, db_path, before, path, "--lang", "en")
    assert "too large" in english and "32 MB" in english


def test_a_file_of_exactly_32_mb_is_read(run, db_path, before, tmp_path):
    path = tmp_path / "big.toml"
    body = VALID.encode("utf-8")
    path.write_bytes(body + b"#" * (32 * 1024 * 1024 - len(body)))
    result = run(*AS_OF, "import", path)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("nesting", ["[" * 100_000 + "]" * 100_000,
                                     "{a=" * 100_000 + "1" + "}" * 100_000],
                         ids=["arrays", "inline-tables"])
def test_nesting_too_deep(run, db_path, before, tmp_path, nesting):
    [message] = refused(run, db_path, before, write(tmp_path, "a = " + nesting + "\n"))
    assert "嵌套" in message


def test_date_that_does_not_exist(run, db_path, before, tmp_path):
    path = write(tmp_path, VALID.replace("due = 2022-12-31", "due = 2022-02-30"))
    [message] = refused(run, db_path, before, path)
    assert "第 4 行第 7 列" in message


def test_missing_file(run, db_path, before, tmp_path):
    [message] = refused(run, db_path, before, tmp_path / "nope.toml")
    assert "不存在" in message


def test_directory(run, db_path, before, tmp_path):
    [message] = refused(run, db_path, before, tmp_path)
    assert "目录" in message


# --- the TOML parses, but the plan is not valid ----------------------------------------------

def test_wrong_type_names_the_path(run, db_path, before, tmp_path):
    path = write(tmp_path, VALID.replace('title = "任务丙"', 'title = "任务丙"\ndue = "July"'))
    [message] = refused(run, db_path, before, path, "--lang", "en")
    assert message == f'Error: {path}: sections[2].items[1].tasks[3].due: expected a date, got "July"'


@pytest.mark.parametrize("line, problem", [
    ('due = "2022-12-31"', 'sections[2].items[1].tasks[3].due: 应为日期'),
    ("due = 2022-12-31T10:00:00", "sections[2].items[1].tasks[3].due: 应为日期"),
    ("no = 3\nno_x = 1", "sections[2].items[1].tasks[3].no_x: 未知字段"),
    ('support = "组织科"', "sections[2].items[1].tasks[3].support: 应为字符串数组"),
    ("percent = 101", "sections[2].items[1].tasks[3].percent: 应为 0-100 的整数"),
    ("archived = 1", "sections[2].items[1].tasks[3].archived: 应为"),
])
def test_wrong_types(run, db_path, before, tmp_path, line, problem):
    text = VALID.replace('no = 3\ntitle = "任务丙"', 'no = 3\ntitle = "任务丙"\n' + line
                         if not line.startswith("no = 3") else line + '\ntitle = "任务丙"')
    [message] = refused(run, db_path, before, write(tmp_path, text))
    assert problem in message


def test_missing_required_fields(run, db_path, before, tmp_path):
    text = VALID.replace('title = "任务乙"\n', "").replace('key = "t"\n', "")
    lines = refused(run, db_path, before, write(tmp_path, text))
    assert any(line.endswith("plan.key: 缺少必填字段") for line in lines), lines
    assert any(line.endswith("sections[2].items[1].tasks[2].title: 缺少必填字段") for line in lines)


def test_unknown_field_suggests_the_right_one(run, db_path, before, tmp_path):
    path = write(tmp_path, VALID.replace('title = "任务乙"', 'titel = "任务乙"'))
    lines = refused(run, db_path, before, path)
    assert any("sections[2].items[1].tasks[2].titel: 未知字段，是否应为 “title”？" in line
               for line in lines), lines
    [english] = [line for line in refused(run, db_path, before, path, "--lang", "en")
                 if "titel" in line]
    assert english.endswith('sections[2].items[1].tasks[2].titel: unknown field; did you mean "title"?')


def test_unknown_top_level_table(run, db_path, before, tmp_path):
    [message] = refused(run, db_path, before, write(tmp_path, VALID + "\n[plann]\nx = 1\n"))
    assert f"{tmp_path / 'bad.toml'}: plann: 未知字段" in message


def test_duplicate_item_number(run, db_path, before, tmp_path):
    path = write(tmp_path, VALID.replace("no = 2\ntitle = \"条目二\"", "no = 1\ntitle = \"条目二\""))
    [message] = refused(run, db_path, before, path)
    assert "sections[2].items[1].no: 条目编号 1 重复（已见于 sections[1].items[1]）" in message


def test_duplicate_task_number(run, db_path, before, tmp_path):
    path = write(tmp_path, VALID.replace('no = 3\ntitle = "任务丙"', 'no = 2\ntitle = "任务丙"'))
    [message] = refused(run, db_path, before, path)
    assert "sections[2].items[1].tasks[3].no: 任务编号 2.2 重复（已见于 sections[2].items[1].tasks[2]）" \
        in message


def test_bad_status(run, db_path, before, tmp_path):
    path = write(tmp_path, VALID.replace('title = "任务丙"', 'title = "任务丙"\nstatus = "finished"'))
    [message] = refused(run, db_path, before, path)
    assert 'sections[2].items[1].tasks[3].status: 状态应为 todo|doing|done|dropped 之一，实际为 "finished"' \
        in message


def test_bad_plan_key_and_empty_title(run, db_path, before, tmp_path):
    path = write(tmp_path, VALID.replace('key = "t"', 'key = "二〇二二"')
                 .replace('title = "条目一"', 'title = "  "'))
    lines = refused(run, db_path, before, path)
    assert any("plan.key: 代号只能包含" in line for line in lines), lines
    assert any("sections[1].items[1].title: 不能为空" in line for line in lines), lines


def test_every_problem_is_listed_one_per_line(run, db_path, before, tmp_path):
    text = (VALID.replace('title = "任务乙"', 'titel = "任务乙"')
            .replace('title = "任务丙"', 'title = "任务丙"\ndue = "July"')
            .replace('no = 1\ntitle = "任务一"', 'no = 1\ntitle = "任务一"\nstatus = "finished"'))
    path = write(tmp_path, text)
    lines = refused(run, db_path, before, path)
    assert lines[0] == f"错误：{path}：发现 3 处问题"
    problems = lines[1:]
    assert len(problems) == 3, lines
    assert all(p.startswith(f"{path}: sections[") for p in problems)
    assert any("tasks[2].titel" in p for p in problems)
    assert any("tasks[3].due" in p and '"July"' in p for p in problems)
    assert any("sections[1].items[1].tasks[1].status" in p for p in problems)


def test_problems_in_a_real_size_plan_are_all_reported(run, db_path, before, tmp_path):
    """Quote every date of the bundled plan: each one is named, none is left out."""
    text, count = re.subn(r"^(due|start|issued) = (\d{4}-\d\d-\d\d)$", r'\1 = "\2"',
                          PLAN_2022.read_text(encoding="utf-8"), flags=re.M)
    assert count >= 5
    lines = refused(run, db_path, before, write(tmp_path, text))
    assert lines[0].endswith(f"发现 {count} 处问题")
    assert len([line for line in lines[1:] if "应为日期" in line]) == count


# --- accepted --------------------------------------------------------------------------------

def test_utf8_with_byte_order_mark_is_accepted(run, db_path, tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbf" + PLAN_2022.read_bytes(), "bom.toml")
    result = run(*AS_OF, "import", path)
    assert result.exit_code == 0, result.output
    titles = [r[0] for r in sqlite3.connect(db_path).execute(
        "SELECT title FROM plans")]
    assert titles == ["2022年区委教育工委党的建设重点工作要点"]


def test_windows_line_endings_are_accepted(run, db_path, tmp_path):
    path = write(tmp_path, PLAN_2022.read_bytes().replace(b"\n", b"\r\n"), "crlf.toml")
    result = run(*AS_OF, "import", path)
    assert result.exit_code == 0, result.output
    expected = [i["text"] for s in tomli.loads(PLAN_2022.read_text(encoding="utf-8"))["sections"]
                for i in s["items"]]
    texts = [r[0] for r in sqlite3.connect(db_path).execute("SELECT text FROM items ORDER BY no")]
    assert texts == expected and all("\r" not in text for text in texts)


def test_plan_key_with_a_trailing_newline_is_refused(run, db_path, before, tmp_path):
    [message] = refused(run, db_path, before, write(tmp_path, VALID.replace('key = "t"',
                                                                            'key = "t\\n"')))
    assert 'plan.key: 代号只能包含字母、数字、- 和 _，实际为 "t\\n"' in message


def test_a_mistyped_plan_table_is_one_problem(run, db_path, before, tmp_path):
    text = VALID.replace('[plan]\nkey = "t"\ntitle = "测试计划"\ndue = 2022-12-31\n', "plan = [1]\n")
    [message] = refused(run, db_path, before, write(tmp_path, text))
    assert message.endswith("plan: 应为表，实际为 数组")


def test_state_fields_that_contradict_the_status(run, db_path, before, tmp_path):
    text = VALID.replace('title = "任务丙"', 'title = "任务丙"\ndropped_on = 2022-05-01\n'
                         'done_on = 2022-05-02\nstatus = "doing"')
    lines = refused(run, db_path, before, write(tmp_path, text))
    assert any(line.endswith("tasks[3].dropped_on: 字段 dropped_on 仅在状态为 dropped 时有效")
               for line in lines), lines
    assert any(line.endswith("tasks[3].done_on: 字段 done_on 仅在状态为 done 时有效")
               for line in lines), lines
