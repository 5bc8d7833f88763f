"""The units report back: register units from the office's list, hand tasks to a group, collect
one 填报表 per unit, fill them as units would (openpyxl), merge them, and read the result;
and each mistake a unit or a clerk makes on the way."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import openpyxl
import pytest

from conftest import as_json, ok, rows
from test_email import smtp_server  # noqa: F401  (the fixture: a real SMTP server on 127.0.0.1)

AS_OF = ("--as-of", "2022-07-01")
LATER = ("--as-of", "2022-07-10")
REGISTER = ("单位名称,简称,类别,联系人,邮箱,手机,分组\n"
            "华罗庚实验学校党支部,华校,党组织,张文书,hua@example.org,13800000001,各直属党组织\n"
            "金坛第一中学党委,一中,党组织,李四,,13800000002,各直属党组织\n"
            "组织科,,科室,王五,zzk@example.org,,各科室\n")
HUA, YIZHONG = "华罗庚实验学校党支部", "金坛第一中学党委"


@pytest.fixture
def round_(run, plan22, tmp_path):
    """Units registered, 5.2 and 5.3 handed to 各直属党组织, 1.1 led by 组织科, forms collected
    on 2022-07-01 into tmp_path/forms; returns the forms by unit."""
    register = tmp_path / "单位名单.csv"
    register.write_text(REGISTER, encoding="utf-8")
    ok(run, *AS_OF, "units", "import", str(register))
    ok(run, *AS_OF, "assign", "5.2", "5.3", "--each", "各直属党组织")
    ok(run, *AS_OF, "assign", "1.1", "--to", "组织科")
    result = ok(run, *AS_OF, "collect", "-o", str(tmp_path / "forms"))
    paths = [p for p in result.stdout.splitlines() if p]
    return {unit: next(p for p in paths if unit in p) for unit in (HUA, YIZHONG, "组织科")}


@pytest.fixture
def mail_server(smtp_server, monkeypatch):
    """A real SMTP server on 127.0.0.1 and the settings that send to it; its inbox."""
    inbox, port = smtp_server()
    monkeypatch.setenv("JTDJ_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JTDJ_SMTP_PORT", str(port))
    monkeypatch.setenv("JTDJ_MAIL_FROM", "督查室 <jtdj@example.org>")
    return inbox


def fill(path, filled_on=dt.date(2022, 7, 6), **cells):
    """Fill a form as a unit does: the 填报日期 and the cells named like G5 (状态 of row 5)."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    if filled_on:
        sheet["C3"] = filled_on
    for cell, value in cells.items():
        sheet[cell] = value
    book.save(path)


def share_of(run, task_id, unit, *as_of):
    detail = as_json(ok(run, *as_of, "show", task_id, "-f", "json"))
    return next(u for u in detail["units"] if u["unit"] == unit)


def test_the_register_reads_the_offices_list_and_masks_mobiles(run, round_):
    units = as_json(ok(run, "units", "-f", "json"))
    hua = next(u for u in units if u["name"] == HUA)
    assert (hua["short"], hua["kind"], hua["groups"]) == ("华校", "party_org", ["各直属党组织"])
    assert hua["mobile"] == "138****0001" and hua["shares"] == 2
    exported = ok(run, "units", "export").stdout
    assert "13800000001" in exported and "hua@example.org" in exported
    assert "13800000001" not in ok(run, "export", "-f", "json").stdout


def test_each_unit_gets_a_form_of_its_own_open_rows(round_):
    for unit, ids in ((HUA, ["5.2", "5.3"]), (YIZHONG, ["5.2", "5.3"]), ("组织科", ["1.1"])):
        sheet = openpyxl.load_workbook(round_[unit]).worksheets[0]
        assert [sheet.cell(r, 2).value for r in range(5, sheet.max_row + 1)] == ids
        assert sheet.protection.sheet and not sheet["G5"].protection.locked
        assert unit in round_[unit] and "截至2022-07-01" in round_[unit]


def test_a_filled_form_merges_into_the_shares_with_the_units_credit(run, round_, db_path):
    fill(round_[HUA], G5="已完成", M5=dt.date(2022, 7, 5), I5="已确定10家单位", L5="名单.pdf",
         G6="推进中", H6=40, K6="下周开会")
    fill(round_["组织科"], filled_on=dt.date(2022, 7, 7), H5="30%", I5="学习中")
    preview = ok(run, *LATER, "merge", round_[HUA], round_["组织科"], "--dry-run")
    assert f"5.2 {HUA}：状态 未开始 → 待审核" in preview.stdout  # a unit's 已完成 waits
    assert rows(db_path, "SELECT count(*) AS n FROM shares WHERE status = 'review'")[0]["n"] == 0
    merged = ok(run, *LATER, "merge", round_[HUA], round_["组织科"], "--yes")
    assert "已合并 3 项变化" in merged.stderr
    assert share_of(run, "5.2", HUA, *LATER)["status"] == "review"
    ok(run, *LATER, "accept", "5.2", "--unit", HUA)

    assert share_of(run, "5.2", HUA, *LATER)["status"] == "done"
    assert share_of(run, "5.2", HUA, *LATER)["done_on"] == "2022-07-05"
    assert share_of(run, "5.2", YIZHONG, *LATER)["status"] == "todo"
    task52 = as_json(ok(run, *LATER, "show", "5.2", "-f", "json"))
    assert (task52["status"], task52["percent"]) == ("doing", 50)  # one of two shares done
    assert share_of(run, "5.3", HUA, *LATER)["percent"] == 40
    assert as_json(ok(run, *LATER, "show", "1.1", "-f", "json"))["percent"] == 30
    # history-true: on the day before the form's 完成日期 the share was still open
    assert share_of(run, "5.2", HUA, "--as-of", "2022-07-04")["status"] == "todo"
    history = as_json(ok(run, *LATER, "history", "5.2", "-f", "json"))
    from_form = [e for e in history if e["source"]]
    assert from_form and all(e["unit"] == HUA and e["actor"] == "tester" for e in from_form)
    assert f"{HUA} 填报，tester 导入" in ok(run, *LATER, "history", "5.2", "-f", "md").stdout
    # the acceptance is one undo step, the merge another
    ok(run, *LATER, "undo")
    assert share_of(run, "5.2", HUA, *LATER)["status"] == "review"
    ok(run, *LATER, "undo")
    assert share_of(run, "5.2", HUA, *LATER)["status"] == "todo"
    assert as_json(ok(run, *LATER, "show", "1.1", "-f", "json"))["percent"] is None


def test_merging_the_same_file_twice_changes_nothing_and_says_so(run, round_, db_path):
    fill(round_[HUA], G5="推进中", H5=20)
    ok(run, *LATER, "merge", round_[HUA], "--yes")
    before = rows(db_path, "SELECT count(*) AS n FROM events")[0]["n"]
    again = ok(run, *LATER, "merge", round_[HUA], "--yes")
    assert "没有需要写入的变化" in again.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM events")[0]["n"] == before


def test_a_renamed_file_still_merges(run, round_, tmp_path):
    fill(round_[YIZHONG], G6="推进中")
    renamed = tmp_path / "一中回传(1).xlsx"
    shutil.move(round_[YIZHONG], renamed)
    ok(run, *LATER, "merge", str(renamed), "--yes")
    assert share_of(run, "5.3", YIZHONG, *LATER)["status"] == "doing"


@pytest.mark.parametrize("cells, where", [
    ({"C5": "改过的任务名"}, "工作任务"),         # a locked cell changed
    ({"H5": 140}, "进度%"),                        # a percent out of range
    ({"B6": "9.9"}, "编号"),                       # an id typed over (unknown here)
    ({"G5": "差不多了"}, "状态"),                  # not a word of the list
])
def test_a_bad_row_stops_the_merge_naming_file_row_and_column(run, round_, db_path, cells,
                                                              where):
    fill(round_[HUA], G6="推进中", **cells)
    before = rows(db_path, "SELECT count(*) AS n FROM events")[0]["n"]
    result = run(*LATER, "merge", round_[HUA], "--yes")
    assert result.exit_code == 2
    assert "填报表中有" in result.stderr and where in result.stderr
    assert "Traceback" not in result.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM events")[0]["n"] == before
    skipped = ok(run, *LATER, "merge", round_[HUA], "--yes", "--skip-bad")
    if where != "编号":  # (there the bad row is the only one filled)
        assert "已合并" in skipped.stderr
        assert share_of(run, "5.3", HUA, *LATER)["status"] == "doing"


def test_another_units_form_row_is_refused(run, round_, db_path):
    """A form whose unit no longer carries the task out (taken back after the collect)."""
    fill(round_[YIZHONG], G5="推进中")
    ok(run, *AS_OF, "drop", "5.2", "--unit", YIZHONG, "--reason", "不适用")
    ok(run, *AS_OF, "units", "add", "新学校党支部")
    # a form of a unit the database never issued one to
    book = openpyxl.load_workbook(round_[YIZHONG])
    ident = book["jtdj"]
    for row in ident.iter_rows():
        if row[0].value == "unit":
            row[1].value = "新学校党支部"
    book.save(round_[YIZHONG])
    result = run(*LATER, "merge", round_[YIZHONG], "--yes")
    assert result.exit_code == 2 and "不是本数据库为“新学校党支部”生成的填报表" in result.stderr


def test_a_row_changed_in_the_ledger_since_the_collect_is_a_conflict(run, round_):
    ok(run, "--as-of", "2022-07-03", "note", "5.3", "--unit", HUA, "电话汇报：已启动", "-p", "10")
    fill(round_[HUA], G6="推进中", H6=40)
    kept = ok(run, *LATER, "merge", round_[HUA], "--yes")
    assert "冲突" in kept.stdout and "1 行有冲突" in kept.stderr
    assert share_of(run, "5.3", HUA, *LATER)["percent"] == 10
    ok(run, *LATER, "merge", round_[HUA], "--yes", "--theirs")
    assert share_of(run, "5.3", HUA, *LATER)["percent"] == 40


def test_without_a_terminal_a_merge_asks_for_yes(run, round_, db_path):
    fill(round_[HUA], G5="推进中")
    result = run(*LATER, "merge", round_[HUA])
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM shares WHERE status = 'doing'")[0]["n"] == 0


def test_collect_missing_lists_the_units_that_have_not_replied(run, round_):
    fill(round_[HUA], G5="推进中")
    ok(run, *LATER, "merge", round_[HUA], "--yes")
    missing = as_json(ok(run, *LATER, "collect", "--missing", "-f", "json"))
    assert sorted(m["unit"] for m in missing) == sorted([YIZHONG, "组织科"])
    assert all(m["reply_by"] == "2022-07-08" and m["late"] for m in missing)


def test_a_csv_form_round_trips(run, plan22, tmp_path):
    ok(run, *AS_OF, "units", "add", HUA, "--group", "各直属党组织")
    ok(run, *AS_OF, "assign", "5.2", "--each", HUA)
    out = ok(run, *AS_OF, "collect", "-f", "csv", "-o", str(tmp_path / "f")).stdout.split()
    path = out[0]
    text = open(path, encoding="utf-8-sig").read().splitlines()
    assert text[0].startswith("#jtdj:")
    import csv

    table = list(csv.reader(text[1:]))
    status, percent = table[0].index("状态"), table[0].index("进度%")
    table[1][status], table[1][percent] = "推进中", "60"
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(text[0] + "\r\n")
        csv.writer(fh).writerows(table)
    ok(run, *LATER, "merge", path, "--yes")
    assert share_of(run, "5.2", HUA, *LATER)["percent"] == 60


def test_done_on_a_task_handed_to_units_names_the_units_still_open(run, round_):
    refused = run(*AS_OF, "done", "5.2")
    assert refused.exit_code == 2 and HUA in refused.stderr and YIZHONG in refused.stderr
    ok(run, *AS_OF, "done", "5.2", "--all-units")
    assert as_json(ok(run, *AS_OF, "show", "5.2", "-f", "json"))["status"] == "done"


def test_a_share_with_history_is_not_taken_back(run, round_):
    ok(run, *AS_OF, "start", "5.2", "--unit", HUA)
    refused = run(*AS_OF, "unassign", "5.2", "--unit", HUA)
    assert refused.exit_code == 2 and "drop --unit" in refused.stderr
    ok(run, *AS_OF, "unassign", "5.2", "--unit", YIZHONG)
    assert [u["unit"] for u in as_json(ok(run, *AS_OF, "show", "5.2", "-f", "json"))["units"]] \
        == [HUA]


def test_a_unit_still_named_by_tasks_is_not_removed_and_a_rename_reaches_them(run, round_):
    refused = run("units", "remove", "组织科")
    assert refused.exit_code == 2 and "1.1" in refused.stderr
    ok(run, *LATER, "units", "rename", "组织科", "组织人事科")
    assert as_json(ok(run, *LATER, "show", "1.1", "-f", "json"))["owner"] == "组织人事科"
    # lists show the new name, on a past day too (history keeps the old one with its events)
    assert as_json(ok(run, *AS_OF, "show", "1.1", "-f", "json"))["owner"] == "组织人事科"
    assert as_json(ok(run, *LATER, "list", "--owner", "组织人事科", "-f", "json"))
    renamed = [e for e in as_json(ok(run, *LATER, "history", "-f", "json"))
               if e["action"] == "unit_rename"]
    assert (renamed[0]["old"], renamed[0]["new"]) == ("组织科", "组织人事科")
    ok(run, *LATER, "undo")
    assert as_json(ok(run, *LATER, "show", "1.1", "-f", "json"))["owner"] == "组织科"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_forms_resaved_by_libreoffice_merge(run, round_, tmp_path):
    fill(round_[HUA], G5="推进中", H5=25)
    fill(round_[YIZHONG], G6="已完成", M6=dt.date(2022, 7, 4))
    out = tmp_path / "resaved"
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), round_[HUA], round_[YIZHONG]],
                   check=True, capture_output=True, timeout=300)
    resaved = sorted(str(p) for p in out.glob("*.xlsx"))
    assert len(resaved) == 2
    ok(run, *LATER, "merge", *resaved, "--yes")
    ok(run, *LATER, "accept", "--all")
    assert share_of(run, "5.2", HUA, *LATER)["percent"] == 25
    assert share_of(run, "5.3", YIZHONG, *LATER)["status"] == "done"


def test_collect_send_mails_each_unit_its_form_once(run, round_, mail_server, tmp_path):
    inbox = mail_server
    result = ok(run, *AS_OF, "collect", "--send", "-o", str(tmp_path / "again"))
    assert YIZHONG in result.stderr  # no e-mail address: named, not skipped silently
    got = sorted(to for _, tos, _ in inbox.received for to in tos)
    assert got == ["hua@example.org", "zzk@example.org"]
    message = inbox.messages()[0]
    assert "填报表（截至7月1日，请于7月8日前反馈）" in message["Subject"]
    assert any(part.get_filename() and part.get_filename().endswith(".xlsx")
               for part in message.iter_attachments())
    ok(run, *AS_OF, "collect", "--send", "-o", str(tmp_path / "again2"))
    assert len(inbox.received) == 2  # the duplicate guard: the same forms are not sent twice


def test_units_are_checked_where_the_clerk_types_them(run, round_, db_path):
    unknown = run(*AS_OF, "assign", "5.4", "--each", "华罗庚小学")
    assert unknown.exit_code == 1 and HUA in unknown.stderr
    ok(run, *AS_OF, "units", "add", "华罗庚小学党支部")
    ambiguous = run(*AS_OF, "start", "5.2", "--unit", "华罗庚")
    assert ambiguous.exit_code == 2 and HUA in ambiguous.stderr and "华罗庚小学党支部" in \
        ambiguous.stderr
    assert run(*AS_OF, "start", "5.2", "--unit", "华校").exit_code == 0  # by its short name
    assert share_of(run, "5.2", HUA, *AS_OF)["status"] == "doing"
    assert run("units", "add", "各直属党组织").exit_code == 2  # a group's name


def test_register_changes_are_in_history_and_undone(run, round_, db_path):
    ok(run, *LATER, "units", "add", "新建学校党支部", "--kind", "党组织", "--group", "各直属党组织")
    assert "新建学校党支部" in ok(run, *LATER, "history", "-f", "md").stdout
    ok(run, *LATER, "undo")
    assert "新建学校党支部" not in [u["name"] for u in as_json(ok(run, "units", "-f", "json"))]
    ok(run, *LATER, "units", "add", "宣传科", "--email", "xck@example.org")
    ok(run, *LATER, "units", "remove", "宣传科")
    ok(run, *LATER, "undo")
    back = next(u for u in as_json(ok(run, "units", "-f", "json")) if u["name"] == "宣传科")
    assert back["email"] == "xck@example.org"


def test_a_unit_is_late_only_when_its_form_came_after_the_reply_by_date(run, round_):
    """Filled on 07-06, merged by the clerk on 07-10 (reply by 07-08): on time; a unit whose
    form never came back is late once the date has passed."""
    fill(round_[HUA], filled_on=dt.date(2022, 7, 6), G5="推进中")
    ok(run, *LATER, "merge", round_[HUA], "--yes")
    owners = {o["owner"]: o for o in as_json(ok(run, *LATER, "summary", "-f", "json"))["owners"]}
    assert (owners[HUA]["last_report"], owners[HUA]["late"]) == ("2022-07-06", False)
    assert (owners[YIZHONG]["last_report"], owners[YIZHONG]["late"]) == (None, True)
    early = {o["owner"]: o for o in as_json(ok(run, "--as-of", "2022-07-05", "summary", "-f",
                                                  "json"))["owners"]}
    assert early[YIZHONG]["late"] is False  # not yet due


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_form_saved_as_xls_is_converted_and_merges(run, round_, tmp_path):
    fill(round_[HUA], G6="推进中", H6=55)
    out = tmp_path / "xls"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless",
                    "--convert-to", "xls", "--outdir", str(out), round_[HUA]],
                   check=True, capture_output=True, timeout=300)
    [xls] = list(out.glob("*.xls"))
    ok(run, *LATER, "merge", str(xls), "--yes")
    assert share_of(run, "5.3", HUA, *LATER)["percent"] == 55


def test_an_xls_form_without_libreoffice_says_to_save_as_xlsx(run, round_, tmp_path,
                                                               monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    xls = tmp_path / "回传.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    result = run(*LATER, "merge", str(xls), "--yes")
    assert result.exit_code == 1 and "xlsx" in result.stderr and "Traceback" not in result.stderr


def test_a_merged_round_shows_in_the_report_and_the_toml_export(run, round_, tmp_path):
    fill(round_[HUA], G5="已完成", M5=dt.date(2022, 7, 5), G6="推进中", H6=40)
    ok(run, *LATER, "merge", round_[HUA], "--yes")
    ok(run, *LATER, "accept", "--all")
    report = as_json(ok(run, *LATER, "report", "--since", "2022-07-04", "-f", "json"))
    assert (report["shares"]["total"], report["shares"]["done"], report["shares"]["doing"]) \
        == (4, 1, 1)
    toml = ok(run, *LATER, "export", "-f", "toml").stdout
    assert "[[sections.items.tasks.shares]]" in toml
    assert f'unit = "{HUA}"' in toml and 'done_on = 2022-07-05' in toml
    again = tmp_path / "again.toml"
    again.write_text(toml, encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    ok(run, "--db", str(fresh), *LATER, "import", str(again))
    assert ok(run, "--db", str(fresh), *LATER, "export", "-f", "toml").stdout == toml


def test_a_task_is_done_when_every_share_not_dropped_is_done(run, round_):
    ok(run, *AS_OF, "note", "5.3", "--unit", HUA, "过半", "-p", "60")
    ok(run, *AS_OF, "note", "5.3", "--unit", YIZHONG, "起步", "-p", "20")
    assert as_json(ok(run, *AS_OF, "show", "5.3", "-f", "json"))["percent"] == 40  # the mean
    ok(run, *AS_OF, "drop", "5.3", "--unit", YIZHONG, "--reason", "本校不涉及")
    task = as_json(ok(run, *AS_OF, "show", "5.3", "-f", "json"))
    assert (task["status"], task["percent"]) == ("todo", 60)  # the dropped share left out
    ok(run, "--as-of", "2022-07-03", "done", "5.3", "--unit", "华校")
    task = as_json(ok(run, "--as-of", "2022-07-03", "show", "5.3", "-f", "json"))
    assert (task["status"], task["done_on"]) == ("done", "2022-07-03")
    # history-true: on 07-02 it was still open
    assert as_json(ok(run, "--as-of", "2022-07-02", "show", "5.3", "-f", "json"))["status"] \
        != "done"
    ok(run, "--as-of", "2022-07-03", "reopen", "5.3", "--unit", HUA)
    assert as_json(ok(run, "--as-of", "2022-07-03", "show", "5.3", "-f", "json"))["status"] \
        == "todo"


def test_the_register_imports_from_xlsx_with_english_headers_and_names_a_bad_cell(run, plan22,
                                                                                  tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "short", "kind", "contact", "email", "mobile", "groups"])
    sheet.append(["示例中学党委", "示例中学", "party_org", "甲", "a@example.org", 13800000001,
                  "各直属党组织；示范校"])
    path = tmp_path / "units.xlsx"
    book.save(path)
    ok(run, "units", "import", str(path))
    unit = as_json(ok(run, "units", "-f", "json"))[-1]
    assert (unit["name"], unit["kind"], unit["groups"]) == ("示例中学党委", "party_org",
                                                            ["各直属党组织", "示范校"])
    sheet.append(["示例小学党支部", None, "学校", None, None, None, None])
    book.save(path)
    bad = run("units", "import", str(path))
    assert bad.exit_code == 2 and "第 3 行" in bad.stderr and "学校" in bad.stderr
    assert "示例小学党支部" not in ok(run, "units", "-f", "tsv").stdout  # nothing changed


def test_the_ledger_has_a_sheet_of_the_units_ranked_as_the_bulletin_ranks_them(run, round_,
                                                                               tmp_path):
    fill(round_[HUA], G5="已完成", M5=dt.date(2022, 7, 5))
    ok(run, *LATER, "merge", round_[HUA], "--yes")
    ok(run, *LATER, "accept", "--all")
    ledger = tmp_path / "台账.xlsx"
    ok(run, *LATER, "export", "-f", "xlsx", "-o", str(ledger))
    sheet = openpyxl.load_workbook(ledger)["各单位"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4)]
    assert rows[0][:5] == [1, HUA, 2, 1, 0.5]
    assert {r[1] for r in rows} == {HUA, YIZHONG, "组织科"}  # 组织科 leads 1.1
    bulletin = as_json(ok(run, *LATER, "report", "--since", "2022-07-04", "--by-unit",
                          "-f", "json"))
    assert [(u["rank"], u["unit"]) for u in bulletin["units"]] == [(r[0], r[1]) for r in rows]


def test_collect_send_can_attach_each_units_own_report(run, round_, mail_server, tmp_path):
    inbox = mail_server
    ok(run, *AS_OF, "collect", "--unit", HUA, "--send", "--attach-report", "-o",
       str(tmp_path / "f"))
    [message] = inbox.messages()
    names = sorted(p.get_filename() for p in message.iter_attachments())
    assert names[0].endswith(".xlsx") and names[1] == f"{HUA}-工作落实情况-截至2022-07-01.html"
    html = next(p for p in message.iter_attachments() if p.get_filename().endswith(".html"))
    assert html.get_content_type() == "text/html" and HUA in html.get_content()
