"""`jtdj urge`: the 催办通知 per unit (docs/urge.md), printed or mailed through a real SMTP
server, recorded as events on each task and share, guarded against a repeat, and undone."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import as_json, ok
from test_units_roundtrip import HUA, REGISTER, YIZHONG
from test_email import smtp_server  # noqa: F401  (the fixture: a real SMTP server on 127.0.0.1)

AS_OF = ("--as-of", "2022-07-01")  # a Friday


@pytest.fixture
def chased(run, plan22, tmp_path):
    """5.2 and 5.3 handed to 各直属党组织, 1.1 led by 组织科; 5.2 overdue (due 06-28), 1.1
    overdue (06-30), 一中's share of 5.3 due in 3 days (07-04); reports on 1.1 and 华校's 5.2."""
    register = tmp_path / "单位名单.csv"
    register.write_text(REGISTER, encoding="utf-8")
    ok(run, *AS_OF, "units", "import", str(register))
    ok(run, *AS_OF, "assign", "5.2", "5.3", "--each", "各直属党组织")
    ok(run, *AS_OF, "assign", "1.1", "--to", "组织科")
    ok(run, *AS_OF, "due", "5.2", "2022-06-28")
    ok(run, *AS_OF, "due", "5.3", "2022-07-04", "--unit", YIZHONG)
    ok(run, *AS_OF, "due", "1.1", "2022-06-30")
    ok(run, "--as-of", "2022-06-20", "note", "1.1", "学习中")
    ok(run, *AS_OF, "note", "5.2", "--unit", HUA, "已确定10家单位")


def urged(run, task_id):
    return as_json(ok(run, *AS_OF, "show", task_id, "-f", "json"))["urged"]


def test_overdue_tasks_and_shares_get_one_notice_per_unit(run, chased):
    result = ok(run, *AS_OF, "urge")
    notices = result.stdout.split("-" * 40)
    assert len(notices) == 3
    hua = next(n for n in notices if f"{HUA}：" in n)
    assert "5.2 确定华罗庚实验学校等10家重点创建单位" in hua and "5.3" not in hua
    assert "完成时限：2022-06-28（已逾期3天）" in hua
    assert "最近反馈：2022-07-01 已确定10家单位" in hua and "2022年7月6日前反馈" in hua
    assert "坛教委字〔2022〕6号" in hua
    assert "最近反馈：2022-06-20 学习中" in next(n for n in notices if "组织科：" in n)
    assert "最近反馈：—" in next(n for n in notices if f"{YIZHONG}：" in n)
    assert all(len(line) <= 80 for line in result.stdout.splitlines())


def test_due_within_lists_the_tasks_due_soon_and_names_the_units_with_nothing(run, chased):
    result = ok(run, *AS_OF, "urge", "--due-within", "5")
    assert f"{YIZHONG}：" in result.stdout and "5.3" in result.stdout
    assert "还剩3天" in result.stdout and "5.2" not in result.stdout
    assert HUA in result.stderr and "组织科" in result.stderr  # nothing to chase: named
    both = ok(run, *AS_OF, "urge", "--overdue", "--due-within", "5", "--unit", YIZHONG)
    assert "5.2" in both.stdout and "5.3" in both.stdout


def test_md_and_html_notices(run, chased):
    md = ok(run, *AS_OF, "urge", "--unit", HUA, "-f", "md").stdout
    assert md.startswith("# 催办通知") and "| 1 | 5.2 |" in md
    html = ok(run, *AS_OF, "urge", "--unit", HUA, "-f", "html", "--force").stdout
    assert "催办通知</h1>" in html and ">2022-06-28</td>" in html and "<script" not in html


@pytest.mark.parametrize("calendar, reply_by", [
    ("", "2022年7月6日"),  # Friday: Saturday and Sunday are off
    ('holidays = ["2022-07-05"]', "2022年7月7日"),
    ('workdays = ["2022-07-02"]', "2022年7月5日"),  # a make-up working Saturday
])
def test_the_reply_by_day_is_three_working_days_on(run, chased, tmp_path, calendar, reply_by):
    (tmp_path / "config.toml").write_text(f"[calendar]\n{calendar}\n", encoding="utf-8")
    assert f"{reply_by}前反馈" in ok(run, *AS_OF, "urge", "--unit", "组织科").stdout


def test_working_days_skip_weekends_holidays_and_keep_make_up_days():
    from jtdj.parse import working_days_after

    friday = dt.date(2022, 9, 30)
    holidays = {dt.date(2022, 10, d) for d in range(3, 8)}
    workdays = {dt.date(2022, 10, 8), dt.date(2022, 10, 9)}
    assert working_days_after(friday, 3) == dt.date(2022, 10, 5)
    assert working_days_after(friday, 3, holidays, workdays) == dt.date(2022, 10, 10)


def test_a_bad_calendar_in_the_config_is_a_usage_error(run, chased, tmp_path):
    (tmp_path / "config.toml").write_text('[calendar]\nholidays = "2022-07-05"\n', encoding="utf-8")
    result = run(*AS_OF, "urge")
    assert result.exit_code == 2 and "calendar.holidays" in result.stderr


def test_each_notice_is_an_event_and_a_repeat_is_not_unless_forced(run, chased, db_path):
    ok(run, *AS_OF, "urge")
    assert (urged(run, "5.2"), urged(run, "1.1"), urged(run, "5.3")) == (2, 1, 0)
    again = ok(run, *AS_OF, "urge")
    assert "--force" in again.stderr and HUA in again.stderr
    assert (urged(run, "5.2"), urged(run, "1.1")) == (2, 1)
    ok(run, *AS_OF, "urge", "--unit", HUA, "--force")
    assert (urged(run, "5.2"), urged(run, "1.1")) == (3, 1)
    import sqlite3

    rows = sqlite3.connect(db_path).execute(
        "SELECT target, unit, note, field FROM events WHERE action = 'urge' AND unit = ?"
        " ORDER BY id", (HUA,)).fetchall()
    assert rows[0][1:] == (HUA, "2022-07-06", None) and rows[0][0].startswith("5.2@")
    history = ok(run, *AS_OF, "history", "5.2").stdout
    assert "\turge\t" in history


def test_undo_of_an_urge_takes_it_back_and_it_is_no_longer_a_repeat(run, chased):
    ok(run, *AS_OF, "urge")
    undone = ok(run, *AS_OF, "undo")
    assert "催办" in undone.stderr
    assert (urged(run, "5.2"), urged(run, "1.1")) == (0, 0)
    again = ok(run, *AS_OF, "urge")
    assert "--force" not in again.stderr
    assert urged(run, "5.2") == 2


def test_send_mails_each_unit_once_and_names_those_without_email(run, chased, smtp_server,
                                                                 monkeypatch):
    inbox, port = smtp_server()
    monkeypatch.setenv("JTDJ_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JTDJ_SMTP_PORT", str(port))
    monkeypatch.setenv("JTDJ_MAIL_FROM", "督查室 <jtdj@example.org>")
    result = ok(run, *AS_OF, "urge", "--send")
    assert result.stdout == "" and YIZHONG in result.stderr  # no e-mail: named
    got = sorted(to for _, tos, _ in inbox.received for to in tos)
    assert got == ["hua@example.org", "zzk@example.org"]
    message = next(m for m in inbox.messages() if "hua@" in m["To"])
    assert "催办" in message["Subject"] and HUA in message["Subject"]
    assert "已逾期3天" in message.get_body(("plain",)).get_content()
    assert (urged(run, "5.2"), urged(run, "1.1")) == (1, 1)  # 一中 was not sent one
    again = ok(run, *AS_OF, "urge", "--send")
    assert len(inbox.received) == 2 and "--force" in again.stderr
    ok(run, *AS_OF, "urge", "--send", "--force", "--unit", HUA)
    assert len(inbox.received) == 3 and urged(run, "5.2") == 2


def test_a_printed_notice_can_still_be_mailed_the_same_day(run, chased, smtp_server, monkeypatch):
    inbox, port = smtp_server()
    monkeypatch.setenv("JTDJ_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JTDJ_SMTP_PORT", str(port))
    monkeypatch.setenv("JTDJ_MAIL_FROM", "jtdj@example.org")
    ok(run, *AS_OF, "urge", "--unit", HUA)
    ok(run, *AS_OF, "urge", "--unit", HUA, "--send")
    assert len(inbox.received) == 1 and urged(run, "5.2") == 1
