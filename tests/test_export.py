"""`jtdj export`: the plan file with progress (lossless round trip), JSON, CSV and the xlsx ledger."""

from __future__ import annotations

import csv
import io
import sys
import zipfile

import pytest
import tomli
from conftest import PLAN_2022, SAMPLE_2023, as_json, ok, rows

from jtdj.views import percent

AS_OF = "2022-07-20"
STATE_COLUMNS = ("id", "item", "no", "section", "title", "timing", "start", "due", "owner",
                 "support", "tags", "status", "percent", "done_on", "dropped_on", "drop_reason",
                 "archived", "origin", "evidence")


@pytest.fixture
def busy(run, imported):
    """The 2022 plan after a few weeks of the clerk's work, touching every state field."""
    for args in (
        ("assign", "--new-unit", "5.1", "--to", "组织科", "--with", "宣传科", "--with", "各学校"),
        ("start", "5.1", "--on", "2022-06-01"),
        ("done", "5.2", "--note", "已下发通知 \"第1号\"", "--on", "2022-06-30",
         "--evidence", "docs/通知.pdf", "--evidence", "https://example.org/a?b=1&c=2"),
        ("note", "5.3", "启动会已召开\n下一步：\\ 汇总", "--percent", "40"),
        ("drop", "5.4", "--reason", "并入区级工作"),
        ("due", "5.5", "2022-09-30"),
        ("due", "7.6", "2022-12-31"),  # a 暑期 task whose due now equals the plan's
        ("note", "5", "条目整体推进顺利"),
        ("add", "5", "=SUM(A1)品牌展示"),
        ("done", "8.1", "--on", "2022-07-01"),
    ):
        ok(run, "--as-of", "2022-07-01", *args)
    return run


def test_toml_round_trip_into_an_empty_database_is_byte_identical(busy, run, db_path, tmp_path):
    first = tmp_path / "first.toml"
    ok(run, "--as-of", AS_OF, "export", "--format", "toml", "-o", first)
    other_db = tmp_path / "other" / "jtdj.db"
    ok(run, "--db", other_db, "import", first)
    second = tmp_path / "second.toml"
    ok(run, "--db", other_db, "--as-of", AS_OF, "export", "--format", "toml", "-o", second)
    assert first.read_bytes() == second.read_bytes()
    # the notice's own fields go round too, in the order of plan-format.md
    head = first.read_text(encoding="utf-8").split("[plan]\n", 1)[1].split("\n\n", 1)[0]
    assert [line.split(" = ")[0] for line in head.splitlines()] == [
        "key", "title", "issuer", "doc_no", "issued", "notice_title", "addressee", "public",
        "printed_by", "printed_on", "due", "preamble"]
    assert 'addressee = "直属各党组织"\npublic = true\nprinted_by = "常州市金坛区教育局办公室"\n' \
        'printed_on = 2022-05-09\n' in head

    cols = ", ".join(STATE_COLUMNS)
    before = rows(db_path, f"SELECT {cols} FROM tasks ORDER BY id")
    after = rows(other_db, f"SELECT {cols} FROM tasks ORDER BY id")
    assert after == before
    # the plan's 112, the 29 occurrence rows of its six recurring tasks (3 + 8 + 8 + 1 + 8 + 1)
    # and the added one
    assert len(before) == 112 + 29 + 1
    notes_sql = "SELECT target, on_date, actor, text, percent FROM notes ORDER BY target, on_date, text"
    old_notes, new_notes = rows(db_path, notes_sql), rows(other_db, notes_sql)
    assert all(n in new_notes for n in old_notes)
    # the note given with `done --note` is kept as an ordinary note of the task
    assert [n for n in new_notes if n not in old_notes] == [
        {"target": "5.2", "on_date": "2022-06-30", "actor": "tester",
         "text": "已下发通知 \"第1号\"", "percent": None}]


def test_toml_export_is_the_plan_format_with_state_fields(busy, run):
    text = ok(run, "--as-of", AS_OF, "export").stdout  # toml on stdout by default
    data = tomli.loads(text)
    assert data["format"] == 1 and data["plan"]["key"] == "2022"
    tasks = {f"{i['no']}.{t['no']}": t for s in data["sections"] for i in s.get("items", [])
             for t in i.get("tasks", [])}
    assert tasks["5.1"]["owner"] == "组织科" and tasks["5.1"]["support"] == ["宣传科", "各学校"]
    assert tasks["5.1"]["status"] == "doing"
    assert tasks["5.2"]["status"] == "done" and str(tasks["5.2"]["done_on"]) == "2022-06-30"
    assert tasks["5.2"]["evidence"] == ["docs/通知.pdf", "https://example.org/a?b=1&c=2"]
    assert tasks["5.3"]["notes"][0]["text"] == "启动会已召开\n下一步：\\ 汇总"
    assert tasks["5.3"]["percent"] == 40 and tasks["5.3"]["notes"][0]["percent"] == 40
    assert tasks["5.4"]["drop_reason"] == "并入区级工作" and "done_on" not in tasks["5.4"]
    assert str(tasks["5.5"]["due"]) == "2022-09-30"
    assert "due" not in tasks["5.6"] and "status" not in tasks["5.6"]  # defaults left out
    assert str(tasks["7.6"]["due"]) == "2022-12-31"  # written: 暑期 would otherwise fill it in
    assert tasks["5.7"] == {"no": 7, "title": "=SUM(A1)品牌展示", "added": True}
    item5 = next(i for s in data["sections"] for i in s.get("items", []) if i["no"] == 5)
    assert item5["notes"][0]["text"] == "条目整体推进顺利"
    assert text.startswith("# 2022年区委教育工委党的建设重点工作要点\n")


def test_toml_export_keeps_archived_and_added_tasks_of_another_plan(run, tmp_path):
    ok(run, "import", SAMPLE_2023)
    first = ok(run, "export", "--plan", "2023-demo").stdout
    data = tomli.loads(first)
    task11 = data["sections"][0]["items"][0]["tasks"][0]
    assert task11["archived"] is True and task11["status"] == "done"
    assert data["sections"][1]["items"][0]["tasks"][2]["added"] is True
    assert data["sections"][1]["items"][0]["notes"][0]["by"] == "办公室"
    path = tmp_path / "demo.toml"
    path.write_text(first, encoding="utf-8")
    other = tmp_path / "b.db"
    ok(run, "--db", other, "import", path)
    assert ok(run, "--db", other, "export").stdout == first


def test_toml_export_does_not_depend_on_the_interface_language(busy, run):
    assert ok(run, "--lang", "en", "export").stdout == ok(run, "export").stdout


def test_json_export_has_plan_sections_tasks_and_events(busy, run):
    data = as_json(ok(run, "--as-of", AS_OF, "export", "--format", "json"))
    assert set(data) == {"format", "as_of", "plan", "sections", "events"}
    assert data["as_of"] == AS_OF and data["plan"]["doc_no"] == "坛教委字〔2022〕6号"
    assert [s["no"] for s in data["sections"]] == [1, 2, 3, 4, 5]
    items = {i["id"]: i for s in data["sections"] for i in s["items"]}
    assert len(items) == 13 and items["5"]["notes"][0]["text"] == "条目整体推进顺利"
    tasks = {t["id"]: t for i in items.values() for t in i["tasks"]}
    assert tasks["5.2"]["status"] == "done" and tasks["5.2"]["light"] == "grey"
    assert tasks["5.2"]["notes"][0]["text"] == "已下发通知 \"第1号\""
    assert tasks["5.1"]["started_on"] == "2022-06-01" and tasks["5.7"]["origin"] == "added"
    assert tasks["8.5"]["light"] == "red"  # “七一”前后, due 2022-07-15
    actions = [(e["target"], e["action"], e["field"]) for e in data["events"]]
    assert ("5.2", "done", "status") in actions and ("5.7", "add", "title") in actions
    assert [e["id"] for e in data["events"]] == sorted(e["id"] for e in data["events"])
    assert as_json(ok(run, "--lang", "en", "--as-of", AS_OF, "export", "-f", "json")) == data


def test_csv_export_one_row_per_task_with_bom_and_defused_formulas(busy, run):
    out = ok(run, "--as-of", AS_OF, "export", "--format", "csv").stdout
    assert out.startswith("\ufeffid,section,item,title,")
    records = list(csv.DictReader(io.StringIO(out[1:])))
    # the plan's 112 and the added one; a recurring task's own row, then each occurrence of its
    # series, begun or not (29 of the six of item 4: 4.11@2022-12 …)
    assert len(records) == 112 + 1 + 29
    assert {"4.11", "4.11@2022-05", "4.11@2022-12"} <= {r["id"] for r in records}
    by_id = {r["id"]: r for r in records}
    assert by_id["5.7"]["title"] == "'=SUM(A1)品牌展示"
    assert by_id["5.2"]["status"] == "done" and by_id["5.2"]["progress"] == "已下发通知 \"第1号\""
    assert by_id["5.4"]["progress"] == "并入区级工作" and by_id["8.5"]["light"] == "red"
    assert by_id["5.1"]["support"] == "宣传科; 各学校"


def test_format_follows_the_output_extension(busy, run, tmp_path):
    ok(run, "export", "-o", tmp_path / "plan.json")
    assert (tmp_path / "plan.json").read_text(encoding="utf-8").lstrip().startswith("{")
    ok(run, "export", "-o", tmp_path / "plan.txt")
    assert (tmp_path / "plan.txt").read_text(encoding="utf-8").startswith("# ")


# --- the xlsx 工作台账 -------------------------------------------------------------------------

def _ledger(run, tmp_path, *extra):
    path = tmp_path / "台账.xlsx"
    ok(run, *extra, "--as-of", AS_OF, "export", "--format", "xlsx", "-o", path)
    import openpyxl

    return path, openpyxl.load_workbook(path)


def test_xlsx_ledger_rows_headers_and_colours(busy, run, tmp_path):
    path, wb = _ledger(run, tmp_path)
    assert wb.sheetnames == ["工作台账", "分部分汇总", "各单位"]  # 组织科 leads 5.1
    ws = wb.worksheets[0]
    assert [c.value for c in ws[3]] == ["序号", "编号", "部分", "条目", "工作任务",
                                        "牵头单位/责任人", "配合单位", "完成时限", "时限原文",
                                        "状态", "提示", "完成情况/进展", "完成日期", "佐证材料"]
    assert ws.freeze_panes == "A4"
    assert ws.column_dimensions["E"].width >= 20 and ws.column_dimensions["A"].width < 10
    by_id = {row[1].value: row for row in ws.iter_rows(min_row=4)}
    # as `list` shows them: the six recurring tasks as their 13 occurrences begun by 07-20
    # (4.5@2022-Q2, 4.11@2022-05 …), not their own rows; the added 5.7
    assert len(by_id) == 112 - 6 + 13 + 1
    assert "4.11" not in by_id and "4.11@2022-07" in by_id and "4.11@2022-08" not in by_id
    r52 = by_id["5.2"]
    assert r52[2].value == "二、强化组织建设，全力服务“五大行动”"
    assert r52[3].value == "5. 加强党建品牌阵地建设"
    assert r52[4].value == "确定华罗庚实验学校等10家重点创建单位"
    assert r52[9].value == "已完成" and r52[11].value == "已下发通知 \"第1号\""
    assert r52[12].value.date().isoformat() == "2022-06-30"
    assert r52[13].value == "docs/通知.pdf\nhttps://example.org/a?b=1&c=2"
    assert r52[4].alignment.wrap_text
    assert by_id["5.1"][5].value == "组织科" and by_id["5.1"][6].value == "宣传科、各学校"
    assert by_id["8.5"][8].value == "“七一”前后"
    assert by_id["8.5"][7].value.date().isoformat() == "2022-07-15"
    fills = {i: by_id[i][9].fill.fgColor.rgb[-6:] for i in ("8.5", "5.2", "5.6")}
    assert fills == {"8.5": "FFC7CE", "5.2": "D9D9D9", "5.6": "C6EFCE"}  # red, grey, green
    # a title starting with "=" stays text, never a formula
    assert by_id["5.7"][4].value == "=SUM(A1)品牌展示" and by_id["5.7"][4].data_type == "s"
    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_xlsx_ledger_summary_sheet(busy, run, tmp_path):
    _, wb = _ledger(run, tmp_path)
    ws = wb.worksheets[1]
    assert ws.freeze_panes == "A4"
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    # the plan has ongoing tasks (常态推进), so their count comes before 完成率
    assert values[0] == ["部分", "任务数", "已完成", "已调整", "未完成", "逾期", "其中常态推进",
                         "完成率"]
    section2 = values[2]
    assert section2[0].startswith("二、")
    tasks, done, dropped, open_, overdue, ongoing, share = section2[1:]
    assert (done, dropped, ongoing) == (1, 1, 1) and tasks == done + dropped + open_  # 6.1 ongoing
    # dropped and ongoing tasks are not in the base
    assert share == pytest.approx(percent(1, tasks - 1 - 1) / 100)
    total = values[-1]
    # 112 and the added 5.7, a recurring task once; overdue on 2022-07-20: the “七一” pair 8.5,
    # 8.6 (due 07-15) and 4.5, 4.11, 4.12, 4.14 by their missed occurrences (May's, June's, Q2)
    assert total[0] == "合计" and total[1:7] == [113, 2, 1, 110, 6, 15]
    # 8.1, done, is ongoing: 5.2 alone counts, out of 113 less 5.4 dropped and the 15 ongoing
    assert total[7] == pytest.approx(percent(1, 113 - 1 - 15) / 100)
    assert sum(v[1] for v in values[1:-1]) == 113
    assert ws.cell(row=5, column=8).number_format == "0%"


def test_xlsx_ledger_in_english(busy, run, tmp_path):
    _, wb = _ledger(run, tmp_path, "--lang", "en")
    assert wb.sheetnames == ["Ledger", "By section", "Units"]
    ws = wb.worksheets[0]
    assert ws["A3"].value == "No." and ws["F3"].value == "Lead unit / owner"
    statuses = {row[9].value for row in ws.iter_rows(min_row=4)}
    # an open ongoing task (常态推进, 1.1 say) reads "ongoing" there
    assert statuses == {"to do", "doing", "done", "dropped", "ongoing"}


def test_xlsx_needs_an_output_file(busy, run):
    result = run("export", "--format", "xlsx")
    assert result.exit_code == 2
    assert "-o" in result.stderr and result.stdout == ""


def test_xlsx_without_openpyxl_says_how_to_install(busy, run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now fails
    result = run("export", "--format", "xlsx", "-o", tmp_path / "x.xlsx")
    assert result.exit_code == 1
    assert "pip install 'jtdj[excel]'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.xlsx").exists()


def test_export_into_a_missing_folder_fails_cleanly(busy, run, tmp_path):
    result = run("export", "-o", tmp_path / "nowhere" / "plan.toml")
    assert result.exit_code == 1
    assert "nowhere" in result.stderr and "Traceback" not in result.output


def test_export_replaces_an_existing_file_whole(busy, run, tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text("old" * 100000, encoding="utf-8")
    ok(run, "export", "-o", path)
    assert path.read_text(encoding="utf-8") == ok(run, "export").stdout
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".plan.toml")] == []


def test_bundled_plan_exports_to_a_file_the_importer_accepts_unchanged(run, tmp_path):
    ok(run, "import", PLAN_2022)
    path = tmp_path / "p.toml"
    ok(run, "export", "-o", path)
    result = ok(run, "--as-of", AS_OF, "import", path)  # same database: nothing to change
    assert "更新 0" in result.stderr and "归档 0" in result.stderr


def test_xlsx_ledger_leaves_archived_tasks_out(run, tmp_path):
    ok(run, "import", SAMPLE_2023)
    path = tmp_path / "demo.xlsx"
    ok(run, "--as-of", "2023-07-01", "export", "--plan", "2023-demo", "-o", path)
    import openpyxl

    ws = openpyxl.load_workbook(path).worksheets[0]
    ids = [row[1].value for row in ws.iter_rows(min_row=4)]
    assert ids == ["1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "3.3"]  # 1.1 is archived


# --- the TOML writer ---------------------------------------------------------------------------

def test_writer_escapes_what_toml_requires():
    from jtdj.render.toml import dumps, quote

    assert quote('a "b" \\ c\nd\te\r\x01\x7f年') == '"a \\"b\\" \\\\ c\\nd\\te\\r\\u0001\\u007F年"'
    doc = {"s": "x\"\\\n\b\f\x00\x1f\u2028", "n": 3, "b": False, "l": ["a", "“b”"], "e": [],
           "t": {"k": 1}, "arr": [{"a": 1, "sub": [{"z": "q"}]}, {"a": 2}], "skip": None}
    from datetime import date

    doc["d"] = date(2022, 7, 1)
    text = dumps(doc, header="title\x01 with\nnewline")
    assert text.startswith("# title with\n# newline\n\n")
    back = tomli.loads(text)
    expected = {k: v for k, v in doc.items() if v is not None}
    assert back == expected


@pytest.mark.parametrize("bad", [1.5, float("nan"), ["a", 1], {"x": {1, 2}}])
def test_writer_refuses_values_the_plan_format_does_not_have(bad):
    from datetime import datetime

    from jtdj.render.toml import dumps

    with pytest.raises(TypeError):
        dumps({"v": bad})
    with pytest.raises(TypeError):
        dumps({"v": datetime(2022, 7, 1, 12, 0)})


# --- Hypothesis: plan file -> database -> plan file gives the same bytes -----------------------

from datetime import date  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from jtdj.parse import FIXED_TIMINGS  # noqa: E402

_TRICKY = list('"\\\n\t\r\x01\x1f\x7f\'#=[]{}.,:“”《》、。年月党建工作任务')
_chars = st.one_of(st.sampled_from(_TRICKY), st.characters(codec="utf-8"),
                   st.sampled_from("abcxyzABC 0123"))
_text = st.text(_chars, min_size=1, max_size=12).filter(lambda s: s.strip())
_maybe_text = st.none() | _text
_dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2025, 12, 31))
_strings = st.lists(_text, max_size=3)


@st.composite
def _notes(draw):
    return [{"on": draw(_dates), "by": draw(_text), "text": draw(_text),
             "percent": draw(st.none() | st.integers(0, 100))}
            for _ in range(draw(st.integers(0, 2)))]


@st.composite
def _task(draw, no: int, plan_due):
    """A task as `jtdj export` writes it: defaults left out, keys in the export's order."""
    status = draw(st.sampled_from(["todo", "doing", "done", "dropped"]))
    when = draw(st.none() | _text | st.just("暑期"))
    due = draw(st.none() | _dates | st.just(plan_due))
    start = draw(st.none() | _dates)
    fixed = (when or "").strip() in FIXED_TIMINGS
    if fixed:  # a fixed period fills in missing dates on import: the export writes both
        start, due = start or date(2022, 7, 1), due or date(2022, 8, 31)
    if start and due and start > due:
        start, due = due, start
    if due == plan_due and not fixed:
        due = None  # a task without `due` takes the plan's, and the export leaves it out
    notes = draw(_notes())
    notes.sort(key=lambda n: n["on"])
    task = {
        "no": no, "title": draw(_text), "when": when, "start": start, "due": due,
        "owner": draw(_maybe_text), "support": draw(_strings) or None,
        "tags": draw(_strings) or None, "status": None if status == "todo" else status,
        "percent": draw(st.none() | st.integers(0, 100)),
        "done_on": draw(_dates) if status == "done" else None,
        "dropped_on": draw(st.none() | _dates) if status == "dropped" else None,
        "drop_reason": draw(_maybe_text) if status == "dropped" else None,
        "archived": draw(st.sampled_from([None, True])),
        "added": draw(st.sampled_from([None, True])),
        "evidence": draw(_strings) or None, "notes": notes or None,
    }
    return task


@st.composite
def plan_documents(draw):
    plan_due = draw(st.none() | _dates)
    sections, item_no = [], 0
    for s_no in range(1, draw(st.integers(1, 3)) + 1):
        items = []
        for _ in range(draw(st.integers(0, 2))):
            item_no += draw(st.integers(1, 3))
            tasks = [draw(_task(no, plan_due)) for no in range(1, draw(st.integers(0, 3)) + 1)]
            items.append({"no": item_no, "title": draw(_text), "text": draw(_maybe_text),
                          "notes": sorted(draw(_notes()), key=lambda n: n["on"]) or None,
                          "tasks": tasks or None})
        sections.append({"no": s_no, "title": draw(_text), "items": items or None})
    return {
        "format": 1,
        "plan": {"key": draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,8}", fullmatch=True)),
                 "title": draw(_text), "issuer": draw(_maybe_text), "doc_no": draw(_maybe_text),
                 "issued": draw(st.none() | _dates), "notice_title": draw(_maybe_text),
                 "addressee": draw(_maybe_text), "public": draw(st.sampled_from([None, True])),
                 "printed_by": draw(_maybe_text), "printed_on": draw(st.none() | _dates),
                 "due": plan_due, "preamble": draw(_maybe_text)},
        "sections": sections,
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=plan_documents())
def test_round_trip_of_generated_plans(document, tmp_path_factory):
    from jtdj import export, importer
    from jtdj.plan import load_plan
    from jtdj.render.exports import plan_file
    from jtdj.store import Store

    folder = tmp_path_factory.mktemp("rt")
    text = plan_file(document)
    path = folder / "plan.toml"
    path.write_bytes(text.encode("utf-8"))
    store = Store.open(folder / "jtdj.db")
    try:
        importer.import_plan(store, load_plan(path, date(2022, 7, 1)), str(path), "tester",
                             date(2022, 7, 1))
        assert plan_file(export.plan_document(store, document["plan"]["key"])) == text
    finally:
        store.close()


def _plan_of(path, tasks: int) -> None:
    lines = ['[plan]', 'key = "n"', 'title = "规模测试"', 'issued = 2022-01-01', 'due = 2022-12-31',
             '', '[[sections]]', 'no = 1', 'title = "一"', '', '[[sections.items]]', 'no = 1',
             'title = "条目"', '']
    for k in range(1, tasks + 1):
        lines += ['[[sections.items.tasks]]', f'no = {k}', f'title = "任务{k}"', 'status = "done"',
                  'done_on = 2022-03-01', '', '[[sections.items.tasks.notes]]', 'on = 2022-02-01',
                  f'text = "进展{k}"', '']
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize("build", ["toml", "json", "csv", "xlsx"])
def test_an_export_runs_as_many_statements_for_200_tasks_as_for_20(tmp_path, build):
    """No per-task query: the statements an export runs do not grow with the plan."""
    from jtdj import export, importer
    from jtdj.plan import load_plan
    from jtdj.store import Store

    counts = []
    for size in (20, 200):
        path = tmp_path / f"p{size}.toml"
        _plan_of(path, size)
        store = Store.open(tmp_path / f"{size}.db")
        try:
            importer.import_plan(store, load_plan(path, date(2022, 7, 1)), str(path), "t",
                                 date(2022, 7, 1))
            seen: list[str] = []
            store.conn.set_trace_callback(seen.append)
            document = export.DOCUMENTS[build](store, "n", date(2022, 7, 1))
            store.conn.set_trace_callback(None)
            counts.append(len(seen))
            assert document
        finally:
            store.close()
    assert counts[0] == counts[1], counts
