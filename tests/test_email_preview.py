"""`jtdj email`: a preview with no configuration at all, the subject as an office writes it, and
the attachment's name in both the forms mail clients read. Real sends go to a real SMTP server
(aiosmtpd) on 127.0.0.1, as in test_email.py; every message is parsed back with the email package."""

from __future__ import annotations

import email
import io
import re
import socket
from datetime import date, datetime, timezone
from email import policy
from email.header import decode_header, make_header
from urllib.parse import unquote

import pytest
from conftest import as_json, ok, rows
from test_email import Inbox, free_port  # the real SMTP server's handler

TITLE = "2022年区委教育工委党的建设重点工作要点"
W28 = ("--as-of", "2022-07-20", "email", "--week", "2022-W28")
LEDGER = "工作台账-2022-截至2022-07-17.xlsx"


@pytest.fixture
def inbox(monkeypatch):
    """A real SMTP server on 127.0.0.1 that jtdj is pointed at (no sender, no recipient set)."""
    from aiosmtpd.controller import Controller

    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("JTDJ_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JTDJ_SMTP_PORT", str(controller.port))
    yield box
    controller.stop()


def preview(run, *args):
    """`jtdj … --dry-run`, asserted to succeed, parsed back as a message."""
    result = ok(run, *args, "--dry-run")
    return email.message_from_string(result.stdout, policy=policy.default)


# --- the preview needs no configuration; a send does ------------------------------------------

def test_dry_run_needs_no_sender_and_no_recipient(run, imported, tmp_path, monkeypatch):
    monkeypatch.setattr(socket, "gethostname", lambda: "dcs-pc.example")
    assert not (tmp_path / "config.toml").exists()
    result = run("email", "--week", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    msg = email.message_from_string(result.stdout, policy=policy.default)
    assert msg["From"] == "jtdj@dcs-pc.example"  # as mail(1) does: the user at the host
    assert msg["To"] == "undisclosed-recipients:;"
    assert msg["Cc"] is None and msg["Bcc"] is None
    assert msg["Message-ID"].endswith("@dcs-pc.example>")
    assert "一、总体情况" in msg.get_body(("plain",)).get_content()
    monkeypatch.setattr(socket, "gethostname", lambda: "")  # no host name: still an address
    assert preview(run, "email", "--week")["From"] == "jtdj@localhost"


def test_a_real_send_still_needs_a_sender_and_a_recipient(run, imported, inbox, monkeypatch,
                                                          db_path):
    to = ("--to", "leader@example.org")
    assert preview(run, *W28, *to)["To"] == "leader@example.org"  # the preview goes ahead
    no_one = run(*W28)
    assert no_one.exit_code == 2 and "收件人" in no_one.stderr
    no_sender = run(*W28, *to)
    assert no_sender.exit_code == 2 and "发件人" in no_sender.stderr
    monkeypatch.setenv("JTDJ_MAIL_FROM", "督查室 <jtdj@example.org>")
    still_no_one = run(*W28)
    assert still_no_one.exit_code == 2 and "收件人" in still_no_one.stderr
    assert inbox.received == [] and rows(db_path, "SELECT * FROM mail_log") == []
    assert run(*W28, *to).exit_code == 0 and len(inbox.received) == 1  # both set: sent


# --- the subject -----------------------------------------------------------------------------

def test_the_weekly_subject_names_the_iso_week_and_its_days(run, imported, inbox, monkeypatch,
                                                            db_path):
    monkeypatch.setenv("JTDJ_MAIL_FROM", "jtdj@example.org")
    ok(run, *W28, "--to", "leader@example.org")
    [msg] = inbox.messages()
    subject = f"{TITLE}进展周报（2022年第28周，7月11日至17日）"
    assert msg["Subject"] == subject
    assert [r["subject"] for r in rows(db_path, "SELECT subject FROM mail_log")] == [subject]


def test_a_period_subject_gives_its_first_and_last_day(run, imported):
    two_weeks = preview(run, "email", "--since", "2022-06-20", "--until", "2022-07-03")
    assert two_weeks["Subject"] == f"{TITLE}进展报告（6月20日至7月3日）"
    # seven days given as dates: a weekly report, as the report's own title says, but no week
    span = ("--since", "2022-06-27", "--until", "2022-07-03")
    seven = preview(run, "email", *span)
    assert seven["Subject"] == f"{TITLE}进展周报（6月27日至7月3日）"
    assert "进展周报" in seven.get_body(("plain",)).get_content().splitlines()[0]
    period = as_json(ok(run, "report", *span, "--format", "json"))["period"]
    assert (period["first_day"], period["until"]) == ("2022-06-27", "2022-07-03")


def test_a_week_across_the_year_end_writes_both_years(run, imported):
    msg = preview(run, "--as-of", "2023-01-05", "email", "--week", "2022-W52")
    assert msg["Subject"] == f"{TITLE}进展周报（2022年第52周，2022年12月26日至2023年1月1日）"


def _data(first: date, last: date, week: str | None = None) -> dict:
    """Report data as jtdj.report.report gives it (the period: since = first_day to until)."""
    return {"plan": "2022", "title": TITLE,
            "period": {"since": first, "first_day": first, "until": last, "week": week}}


@pytest.mark.parametrize("first, last, week, expected", [
    (date(2022, 7, 11), date(2022, 7, 17), "2022-W28", "进展周报（2022年第28周，7月11日至17日）"),
    (date(2022, 6, 27), date(2022, 7, 3), "2022-W26", "进展周报（2022年第26周，6月27日至7月3日）"),
    (date(2022, 12, 26), date(2023, 1, 1), "2022-W52",
     "进展周报（2022年第52周，2022年12月26日至2023年1月1日）"),
    (date(2022, 7, 12), date(2022, 7, 18), None, "进展周报（7月12日至18日）"),  # seven days
    (date(2022, 6, 20), date(2022, 7, 3), None, "进展报告（6月20日至7月3日）"),
    (date(2022, 7, 1), date(2022, 7, 17), None, "进展报告（7月1日至17日）"),
    (date(2022, 12, 1), date(2023, 1, 3), None, "进展报告（2022年12月1日至2023年1月3日）"),
    (date(2022, 7, 17), date(2022, 7, 17), None, "进展报告（7月17日）"),
])
def test_subject_wording(first, last, week, expected):
    from jtdj.render.subject import subject

    assert subject(_data(first, last, week)) == TITLE + expected


def test_the_days_in_brackets():
    from jtdj.render.subject import days_text

    assert days_text(date(2022, 7, 11), date(2022, 7, 17)) == "7月11日至17日"
    assert days_text(date(2022, 6, 27), date(2022, 7, 3)) == "6月27日至7月3日"
    assert days_text(date(2022, 12, 26), date(2023, 1, 1)) == "2022年12月26日至2023年1月1日"


def test_subject_wording_in_english():
    from jtdj.i18n import set_language
    from jtdj.render.subject import subject

    set_language("en")
    assert subject(_data(date(2022, 7, 11), date(2022, 7, 17), "2022-W28")) == (
        f"{TITLE}: weekly progress report (week 28 of 2022, 11–17 July)")
    assert subject(_data(date(2022, 6, 20), date(2022, 7, 3))) == (
        f"{TITLE}: progress report (20 June – 3 July)")
    assert subject(_data(date(2022, 12, 26), date(2023, 1, 1), "2022-W52")) == (
        f"{TITLE}: weekly progress report (week 52 of 2022, 26 December 2022 – 1 January 2023)")


# --- the attachment's name -------------------------------------------------------------------

def _params(header: str) -> dict[str, str]:
    """The parameters of a raw (folded) MIME header as written: name → value, quotes removed."""
    unfolded = re.sub(r"\r?\n(?=[ \t])", "", header)
    params = {}
    for piece in unfolded.split(";")[1:]:
        name, _, value = piece.strip().partition("=")
        params[name] = value[1:-1] if value.startswith('"') else value
    return params


def _rfc2231(params: dict[str, str], name: str) -> str:
    """``name*=`` or its continuations ``name*0*=``, ``name*1*=``…, decoded."""
    if f"{name}*" in params:
        value = params[f"{name}*"]
    else:
        value = "".join(params[f"{name}*{n}*"]
                        for n in range(sum(k.startswith(f"{name}*") for k in params)))
    charset, _language, text = value.split("'", 2)
    assert charset.lower() == "utf-8"
    return unquote(text, encoding="utf-8", errors="strict")


def _rfc2047(value: str) -> str:
    assert value.startswith("=?utf-8?b?") and value.endswith("?=")
    return str(make_header(decode_header(value)))


def _both_forms(raw: bytes, filename: str):
    """The attachment's name decodes to ``filename`` from each form a client may read alone."""
    legacy = email.message_from_bytes(raw, policy=policy.compat32)  # headers as they were sent
    part = legacy.get_payload()[1]
    disposition = _params(part["Content-Disposition"])
    content_type = _params(part["Content-Type"])
    assert _rfc2231(disposition, "filename") == filename
    assert _rfc2047(disposition["filename"]) == filename
    assert _rfc2047(content_type["name"]) == filename
    assert part.get_content_type().endswith("spreadsheetml.sheet")
    lines = raw.decode("ascii").split("\r\n")
    assert max(len(line) for line in lines if not line.startswith("Content-Type: application/")) \
        <= 78
    parsed = email.message_from_bytes(raw, policy=policy.default)
    [attachment] = parsed.iter_attachments()
    assert attachment.get_filename() == filename
    assert attachment["Content-Type"].params["name"] == filename
    return attachment


def test_the_ledger_name_is_written_in_both_forms(run, imported, inbox, monkeypatch):
    from openpyxl import load_workbook

    monkeypatch.setenv("JTDJ_MAIL_FROM", "jtdj@example.org")
    ok(run, "--as-of", "2022-06-30", "done", "5.2", "--note", "已确定10家单位")
    ok(run, *W28, "--to", "leader@example.org", "--attach-xlsx")
    [(_from, _to, raw)] = inbox.received
    attachment = _both_forms(raw, LEDGER)
    sheet = load_workbook(io.BytesIO(attachment.get_content())).worksheets[0]
    assert "已完成" in next(row for row in sheet.iter_rows(values_only=True) if "5.2" in row)
    english = preview(run, "--lang", "en", *W28, "--attach-xlsx")
    [ledger] = english.iter_attachments()
    assert ledger.get_filename() == "ledger-2022-as-of-2022-07-17.xlsx"


def test_a_long_attachment_name_is_folded_and_still_decodes():
    from jtdj import mail

    lists = {"to": ["leader@example.org"], "cc": [], "bcc": []}
    msg = mail.build_message("周报", "正文", "<p>正文</p>", "jtdj@example.org", lists,
                             datetime(2022, 7, 18, 8, 0, tzinfo=timezone.utc))
    name = "工作台账-" + "区委教育工委党的建设重点工作要点" * 3 + "-截至2022-07-17.xlsx"
    mail.attach(msg, b"PK\x03\x04 not really a workbook", name)
    raw = msg.as_bytes()
    attachment = _both_forms(raw, name)
    assert attachment.get_content() == b"PK\x03\x04 not really a workbook"
    assert "filename*1*=" in raw.decode("ascii")  # continued over several lines (RFC 2231)
    preview_text = mail.dry_run_text(msg, [])
    assert _both_forms(preview_text.replace("\n", "\r\n").encode("ascii"), name)
