"""Tables at an 80-column terminal: `summary` with the per-unit columns of a 填报 round (待审核,
最近填报, 反馈情况), a long unit name wrapping in its column and no count's header cut; `list`
with the occurrences of recurring tasks (4.11@2022-05), in either language, every border in."""

from __future__ import annotations

import io
import os
from datetime import date

import pytest
from rich.cells import cell_len
from rich.console import Console

from conftest import ok



def test_the_per_unit_table_keeps_every_header_whole_at_80_columns(imported):
    from jtdj import report
    from jtdj.render.summary import summary_table
    from jtdj.store import Store

    store = Store.open(os.environ["JTDJ_DB"])
    data = report.summary(store, "2022", date(2022, 7, 12), 50)
    store.close()
    data["owners"] = [
        {"owner": "示例实验小学党支部", "open": 2, "review": 1, "done": 0, "overdue": 3,
         "last_report": "2022-07-07", "late": False},
        {"owner": "金坛区华罗庚实验学校党委", "open": 2, "review": 0, "done": 1, "overdue": 0,
         "last_report": None, "late": True}]
    console = Console(width=80, record=True, color_system=None, file=io.StringIO())
    console.print(summary_table(data))
    text = console.export_text()
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "各责任单位")
    header = next(line for line in lines[at:] if line.startswith("│"))
    for word in ("未完成", "待审核", "已完成", "逾期", "最近填报", "反馈情况"):
        assert word in header, (word, header)
    assert "未按时反馈" in text  # the mark itself is not cut either
    rows = lines[at:lines.index(next(line for line in lines[at:] if line.startswith("└")))]
    names = "".join(line.split("│")[1].strip() for line in rows if line.startswith("│"))
    assert "金坛区华罗庚实验学校党委" in names  # wrapped, whole


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_list_with_occurrence_ids_fits_80_columns_with_every_border(run, imported, lang):
    ok(run, "--as-of", "2022-07-01", "done", "5.2")
    ok(run, "--as-of", "2022-07-01", "drop", "5.4", "--reason", "上级取消")
    out = ok(run, "--lang", lang, "--as-of", "2022-07-20", "list", "--status", "all",
             "--format", "table").stdout
    lines = out.rstrip("\n").splitlines()
    table = [line for line in lines if line[:1] in "┌├│└"]
    assert {cell_len(line) for line in table} == {80}  # none cut, every border in place
    assert all(line.endswith(("┐", "┤", "│", "┘")) for line in table)
    ids = [line.split("│")[1].strip() for line in table if line.startswith("│")]
    assert "4.11" in ids and "@2022-05" in ids  # an occurrence's id on two lines
    words = ("▲ overdue", "○ closed", "● on track") if lang == "en" else ("▲ 逾期", "○ 已结", "● 正常")
    for word in words:
        assert word in out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_widest_light_still_fits_80_columns_beside_occurrence_ids(run, lang):
    """「▲ 严重滞后」 / 「▲ far behind」 with 4.11@2022-05 and —/100 in one table: the light's
    word goes under its symbol if it must, the table never runs past the border."""
    ok(run, "--as-of", "2022-06-01", "import")
    ok(run, "--as-of", "2022-06-02", "note", "4.3", "已启动", "--percent", "5")
    out = ok(run, "--lang", lang, "--as-of", "2022-09-01", "list", "--item", "4",
             "--format", "table").stdout
    table = [line for line in out.splitlines() if line[:1] in "┌├│└"]
    assert {cell_len(line) for line in table} == {80}
    assert all(line.endswith(("┐", "┤", "│", "┘")) for line in table)
    assert "严重滞后" in out if lang == "zh" else "behind" in out
