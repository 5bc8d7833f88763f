"""`jtdj report --unit U`: one unit's own report — its figures (as the 通报 counts them) and its
rows (本期完成, 逾期, 近期到期, the other open ones), as of the period's last day."""

from __future__ import annotations

from conftest import as_json, ok

AS_OF = ("--as-of", "2022-07-01")
MADE = ("--as-of", "2022-07-08")
PERIOD = ("--since", "2022-07-04", "--until", "2022-07-08")
REGISTER = ("单位名称,简称,类别,联系人,邮箱,手机,分组\n"
            "华罗庚实验学校党支部,华校,党组织,张文书,hua@example.org,13800000001,各直属党组织\n"
            "金坛第一中学党委,一中,党组织,李四,,13800000002,各直属党组织\n"
            "组织科,,科室,王五,zzk@example.org,,各科室\n")
HUA, YIZHONG = "华罗庚实验学校党支部", "金坛第一中学党委"


def _import(run, tmp_path):
    register = tmp_path / "单位名单.csv"
    register.write_text(REGISTER, encoding="utf-8")
    ok(run, *AS_OF, "units", "import", str(register))
    ok(run, *AS_OF, "assign", "5.2", "5.3", "--each", "各直属党组织")
    ok(run, *AS_OF, "assign", "1.2", "1.3", "--to", HUA)
    ok(run, *AS_OF, "assign", "1.1", "--to", "组织科")


def week(run, plan22, tmp_path):
    """华校 holds shares of 5.2 (done on 07-05) and 5.3 (its own date 07-12, 60% on 07-02),
    leads 1.2 (overdue since 06-30, chased on 07-06) and 1.3 (due at the year's end)."""
    _import(run, tmp_path)
    ok(run, *AS_OF, "due", "5.2", "2022-06-28")
    ok(run, *AS_OF, "due", "5.3", "2022-07-12", "--unit", HUA)
    ok(run, *AS_OF, "due", "1.2", "2022-06-30")
    ok(run, *AS_OF, "due", "1.3", "2022-12-31")
    ok(run, "--as-of", "2022-07-02", "note", "5.3", "--unit", HUA, "过半", "-p", "60")
    ok(run, "--as-of", "2022-07-05", "done", "5.2", "--unit", "华校")
    ok(run, "--as-of", "2022-07-06", "urge", "--unit", HUA)


def brief(run, *extra, fmt="json"):
    result = ok(run, *MADE, "report", *PERIOD, "--unit", "华校", "-f", fmt, *extra)
    return as_json(result) if fmt == "json" else result.stdout


def ids(rows):
    return [r["id"] for r in rows]


def test_a_units_report_lists_its_done_overdue_due_soon_and_open_rows(run, plan22, tmp_path):
    week(run, plan22, tmp_path)
    data = brief(run)
    assert (data["unit"], str(data["period"]["until"]), data["doc_no"]) \
        == (HUA, "2022-07-08", as_json(ok(run, *MADE, "report", *PERIOD, "-f", "json"))["doc_no"])
    assert ids(data["completed"]) == ["5.2"] and data["completed"][0]["role"] == "share"
    assert ids(data["overdue"]) == ["1.2"] and data["overdue"][0]["role"] == "lead"
    soon = data["due_soon"]
    assert ids(soon) == ["5.3"]
    assert (soon[0]["due"], soon[0]["percent"], soon[0]["note"], soon[0]["status"]) \
        == ("2022-07-12", 60, "过半", "todo")
    assert ids(data["open"]) == ["1.3"]


def test_a_units_figures_are_the_ones_the_bulletin_gives_it(run, plan22, tmp_path):
    week(run, plan22, tmp_path)
    figures = brief(run)["figures"]
    bulletin = as_json(ok(run, *MADE, "report", *PERIOD, "--by-unit", "-f", "json"))
    row = next(u for u in bulletin["units"] if u["unit"] == HUA)
    assert (figures["tasks"], figures["done"], figures["percent_done"], figures["overdue"]) \
        == (4, 1, 25, 1)
    assert {k: figures[k] for k in ("tasks", "done", "percent_done", "overdue", "urges")} \
        == {k: row[k] for k in ("tasks", "done", "percent_done", "overdue", "urges")}
    assert figures["urges"] >= 1
    assert (figures["last_report"], figures["late"]) == (None, False)  # no form issued


def test_a_units_report_for_a_past_period_is_unchanged_by_later_work(run, plan22, tmp_path):
    week(run, plan22, tmp_path)
    before = brief(run, fmt="text")
    later = ("--as-of", "2022-07-12")
    ok(run, *later, "done", "5.3", "--unit", HUA)
    ok(run, *later, "note", "1.2", "已补报")
    ok(run, *later, "done", "1.3")
    ok(run, *later, "urge", "--unit", HUA, "--force")
    assert brief(run, fmt="text") == before
    now = as_json(ok(run, *later, "report", "--since", "2022-07-11", "--until", "2022-07-12",
                     "--unit", HUA, "-f", "json"))
    assert ids(now["completed"]) == ["1.3", "5.3"] and now["overdue"][0]["note"] == "已补报"


def test_the_report_of_an_unknown_or_ambiguous_unit_is_refused(run, plan22, tmp_path):
    _import(run, tmp_path)
    result = run(*MADE, "report", *PERIOD, "--unit", "不存在的单位")
    assert result.exit_code == 1 and "不存在的单位" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    ok(run, *AS_OF, "units", "add", "华罗庚小学党支部")
    ambiguous = run(*MADE, "report", *PERIOD, "--unit", "华罗庚")
    assert ambiguous.exit_code == 2 and "华罗庚小学党支部" in ambiguous.stderr
    assert run(*MADE, "report", *PERIOD, "--unit", " ").exit_code == 2


def test_a_units_report_in_json_has_the_documented_keys(run, plan22, tmp_path):
    week(run, plan22, tmp_path)
    data = brief(run)
    assert list(data) == ["plan", "title", "issuer", "doc_no", "unit", "as_of", "period",
                          "figures", "completed", "overdue", "lagging", "due_soon", "open", "review",
                          "returned"]
    assert list(data["figures"]) == ["tasks", "done", "percent_done", "overdue", "review",
                                     "urges", "last_report", "late"]
    assert list(data["open"][0]) == ["id", "title", "due", "status", "percent", "note", "role"]


def test_a_units_report_renders_as_markdown_and_html(run, plan22, tmp_path):
    week(run, plan22, tmp_path)
    md = brief(run, fmt="md")
    assert md.startswith("# ") and HUA in md.splitlines()[0] and "截至 2022-07-08" in md
    assert "## 本期完成" in md and "| 5.3 |" in md and "过半" in md
    html = brief(run, fmt="html")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<script" not in html and "逾期事项" in html and "催办次数" in html
    (tmp_path / "unit.html").write_text(html, encoding="utf-8")
    text = brief(run, fmt="text")
    assert text.splitlines()[1] == "数据截至 2022-07-08" and "近期到期（14天内）" in text
