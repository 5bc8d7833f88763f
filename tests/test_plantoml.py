"""The line reader of plain plan files (``jtdj.plantoml``) gives tomli's tables or nothing: never
other tables, never tables for a file tomli refuses."""

from __future__ import annotations

from datetime import date

import pytest
import tomli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PLAN_2022, SAMPLE_2023
from jtdj.plantoml import plain_toml


def _tomli(text: str):
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError:
        return "refused"


@pytest.mark.parametrize("source", [PLAN_2022, SAMPLE_2023], ids=["2022", "sample-2023"])
def test_the_plans_we_ship_are_read_by_the_line_reader_as_tomli_reads_them(source):
    text = source.read_text(encoding="utf-8")
    read = plain_toml(text)
    assert read is not None  # escaped and multi-line strings are read where they stand
    assert read == tomli.loads(text)


def test_plain_lines_give_their_values_and_windows_line_ends_change_nothing():
    text = ('# 计划\nformat = 1\n[plan]\nkey = "p"\ntitle = "计划 # 不是注释"\nissued = 2022-01-01'
            '\npublic = true\n\n[[sections]]\nno = 1  # 第一部分\ntitle = \'字面\'\n'
            '[[sections.items]]\nno = -0\ntags = ["甲", "乙",]\nsupport = []\n'
            'text = "引号\\"转义\\""\npreamble = """\\\n  第一行，\\\n  第二行。"""\n'
            'each = [\n  "丙",\n  "丁",\n]\n')
    expected = {"format": 1, "plan": {"key": "p", "title": "计划 # 不是注释",
                                      "issued": date(2022, 1, 1), "public": True},
                "sections": [{"no": 1, "title": "字面", "items": [
                    {"no": 0, "tags": ["甲", "乙"], "support": [], "text": '引号"转义"',
                     "preamble": "第一行，第二行。", "each": ["丙", "丁"]}]}]}
    assert plain_toml(text) == expected == tomli.loads(text)
    assert plain_toml(text.replace("\n", "\r\n")) == expected


@pytest.mark.parametrize("text", [
    'a = 1\na = 2',                              # a key twice
    '[plan]\n[plan]',                            # a table twice
    'a.b = 1',                                   # a dotted key
    '"a b" = 1',                                 # a quoted key
    '[a.b]\nc = 1',                              # a dotted table header
    'a = [1]\n[[a]]\nb = 1',                     # an array of tables onto a static array
    '[[a.b]]\nc = 1',                            # a parent never made
    'a = 2022-02-30',                            # no such day
    'a = 007',                                   # a leading zero
    'a = "x\x01y"',                              # a control character in a string
    '# a comment with \x7f',                     # and in a comment
    'a = "x"\rb = 1',                            # a carriage return alone
    'a = "unended',                              # a string never closed
    'a = """never closed\nb = 1',
    'a = 1 b = 2',                               # two values on a line
    'a =',                                       # no value
])
def test_a_file_the_reader_does_not_know_or_tomli_refuses_is_left_to_tomli(text):
    assert plain_toml(text) is None


# Lines of the shapes plan files have, and near misses of them.
KEYS = st.sampled_from(["no", "title", "due", "owner", "tags", "a-b", "a_1", "a.b", '"q"', "键"])
VALUES = st.sampled_from([
    '1', '0', '-3', '+3', '007', '1_000', '1.5', 'true', 'false', 'True',
    '2022-01-31', '2022-02-30', '2022-1-31', '2022-01-31T08:00:00', '12:00:00',
    '"文本"', '""', '"含 # 号"', '"转义\\"引号"', '"\\u4e2d"', '"x\\q"', '"坏\x01"', '"含\t制表"',
    "'字面'", "'含\"'", '"未闭合', '["甲", "乙"]', '[]', '["甲",]', '[,]', '[1, 2]',
    '["甲", 1]', '[[1]]', '{ a = 1 }', '"""多\n行"""', '"""\\\n  续行"""', "'''字面\n多行'''",
    '[\n  "甲",\n  "乙",\n]', '[\n  "未闭合",', '"a" # 注释', '1 # 注释', '"a" "b"', '',
])
HEADERS = st.sampled_from(["[plan]", "[[sections]]", "[[sections.items]]",
                           "[[sections.items.tasks]]", "[[sections.items.tasks.notes]]",
                           "[[sections.items.notes]]", "[sections]", "[plan.x]", "[[plan]]",
                           "[[ sections ]]", "[[sections]] # 注释", "[x]", "[[items]]"])
LINES = st.one_of(
    st.builds(lambda k, v, sp: f"{k}{sp}={sp}{v}", KEYS, VALUES, st.sampled_from([" ", "", "\t"])),
    HEADERS, st.sampled_from(["", "   ", "# 注释", "  # 缩进的注释", "\t"]))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, max_size=25), st.sampled_from(["\n", "\r\n"]))
def test_the_line_reader_gives_tomli_s_tables_or_nothing(lines, line_end):
    text = line_end.join(lines)
    read = plain_toml(text)
    if read is not None:
        assert read == _tomli(text)


def test_the_bench_plan_shape_is_read_by_the_line_reader():
    """The shape of a large plan file (bench/run.py) takes the fast path, not tomli."""
    text = "\n".join(['[plan]', 'key = "bench"', 'title = "基准"', 'issued = 2022-01-01', ''] + [
        line for n in range(1, 4) for line in (
            '[[sections]]', f'no = {n}', f'title = "第{n}部分"', '', '[[sections.items]]',
            f'no = {n}', f'title = "条目{n}"', '', '[[sections.items.tasks]]', 'no = 1',
            'title = "任务"', 'due = 2022-03-01', 'owner = "组织科1"', 'each = ["甲校", "乙校"]',
            '')])
    read = plain_toml(text)
    assert read is not None and read == tomli.loads(text)
    assert read["sections"][2]["items"][0]["tasks"][0]["each"] == ["甲校", "乙校"]


def test_a_file_of_many_values_tomli_must_read_goes_to_tomli_whole(monkeypatch, tmp_path):
    """Each escaped value is read by tomli on its own; past ``MAX_OTHER_VALUES`` of them the whole
    file through tomli is faster, and the file's tables are the same either way."""
    from jtdj import plantoml
    from jtdj.planfile import parse_toml

    text = "\n".join(f'k{n} = "转义\\"{n}\\""' for n in range(5))
    assert plain_toml(text) == tomli.loads(text)
    monkeypatch.setattr(plantoml, "MAX_OTHER_VALUES", 4)
    assert plain_toml(text) is None
    assert parse_toml(text, tmp_path / "p.toml") == tomli.loads(text)
