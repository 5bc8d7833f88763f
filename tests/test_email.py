"""`jtdj email` against a real SMTP server (aiosmtpd) on 127.0.0.1, started by the tests."""

from __future__ import annotations

import email
import io
import json
import socket
import ssl
import stat
from email import policy

import pytest
from conftest import rows

SECRET = "s3cret-Pa55"
WEEK = ("--as-of", "2022-07-04", "email", "--week")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it accepts and refuses nobody@…"""

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def messages(self):
        return [email.message_from_bytes(raw, policy=policy.default) for _, _, raw in self.received]


def authenticator(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult

    ok = auth_data.login == b"clerk" and auth_data.password == SECRET.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: the server sends the 535


@pytest.fixture
def smtp_server():
    """start(**smtp_options) -> (inbox, port); every server is stopped after the test."""
    from aiosmtpd.controller import Controller

    started = []

    def start(port=None, **options):
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port(), **options)
        controller.start()
        started.append(controller)
        return inbox, controller.port

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def tls(tmp_path):
    """A CA made for the test, a certificate for 127.0.0.1, and the CA file for the client."""
    import trustme

    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    return server_context, cafile


@pytest.fixture
def mail_env(monkeypatch, imported):
    monkeypatch.setenv("JTDJ_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JTDJ_MAIL_FROM", "督查室 <jtdj@example.org>")

    def use(port):
        monkeypatch.setenv("JTDJ_SMTP_PORT", str(port))

    return use


def outbox(db_path):
    folder = db_path.parent / "outbox"
    return sorted(folder.glob("*.json")) if folder.exists() else []


def test_delivered_with_both_parts_and_the_right_recipients(run, smtp_server, mail_env, db_path):
    inbox, port = smtp_server()
    mail_env(port)
    result = run(*WEEK, "--to", "书记 <leader@example.org>", "--to", "b@example.org",
                 "--cc", "c@example.org", "--bcc", "hidden@example.org")
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == ""  # silent for cron
    [(mail_from, rcpt, _raw)] = inbox.received
    assert mail_from == "jtdj@example.org"
    assert sorted(rcpt) == ["b@example.org", "c@example.org", "hidden@example.org",
                            "leader@example.org"]
    [msg] = inbox.messages()
    assert msg["Subject"] == "2022年区委教育工委党的建设重点工作要点进展周报（2022年第26周，6月27日至7月3日）"
    assert msg["From"].addresses[0].display_name == "督查室"
    assert [a.addr_spec for a in msg["To"].addresses] == ["leader@example.org", "b@example.org"]
    assert msg["To"].addresses[0].display_name == "书记"
    assert msg["Cc"] == "c@example.org"
    assert msg["Bcc"] is None and b"hidden@" not in inbox.received[0][2]
    assert msg["Date"] and msg["Message-ID"].endswith("@example.org>")
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = msg.get_payload()
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert plain.get_content_charset() == "utf-8"
    text = plain.get_content()
    assert text.replace("\r\n", "\n").startswith(
        "2022年区委教育工委党的建设重点工作要点 进展周报\n"
        "中共常州市金坛区委教育工作委员会 坛教委字〔2022〕6号\n"
        "统计期间：2022-06-27 至 2022-07-03（2022-W26），截至 2022-07-04")
    assert "一、总体情况" in text and "六、分项进度" in text
    page = html.get_content()
    assert "<h2" in page and "四、滞后事项" in page and "“七一”前后" in page
    log = rows(db_path, "SELECT * FROM mail_log")
    assert [(r["plan"], r["since"], r["until"], r["state"], r["message_id"]) for r in log] == [
        ("2022", "2022-06-27", "2022-07-03", "sent", msg["Message-ID"])]
    assert json.loads(log[0]["recipients"]) == sorted(rcpt)


def test_the_ledger_arrives_as_a_named_xlsx_part(run, smtp_server, mail_env):
    """`jtdj email --attach-xlsx`: the weekly mail carries the 工作台账 as a named .xlsx part."""
    from openpyxl import load_workbook

    inbox, port = smtp_server()
    mail_env(port)
    run("--as-of", "2022-06-30", "done", "5.2", "--note", "已确定10家单位")
    result = run(*WEEK, "--to", "leader@example.org", "--attach-xlsx")
    assert result.exit_code == 0, result.output
    [msg] = inbox.messages()
    assert msg.get_content_type() == "multipart/mixed"
    body, attachment = msg.get_payload()
    assert body.get_content_type() == "multipart/alternative"
    assert attachment.get_filename() == "工作台账-2022-截至2022-07-03.xlsx"
    assert attachment.get_content_type().endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(attachment.get_content())).worksheets[0]
    cells = {row[1]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert "已完成" in cells["5.2"]


def test_dry_run_writes_the_message_and_sends_nothing(run, smtp_server, mail_env, db_path):
    inbox, port = smtp_server()
    mail_env(port)
    result = run(*WEEK, "--to", "a@example.org", "--bcc", "hidden@example.org", "--dry-run",
                 "--subject", "本周 进展")
    assert result.exit_code == 0, result.output
    msg = email.message_from_string(result.stdout, policy=policy.default)
    assert msg["Subject"] == "本周 进展" and msg["To"] == "a@example.org"
    assert msg["Bcc"] == "hidden@example.org"  # for `| sendmail -t`, which removes it
    assert "\r" not in result.stdout
    assert "本期完成" in msg.get_body(("plain",)).get_content()
    assert inbox.received == [] and rows(db_path, "SELECT * FROM mail_log") == []


def test_recipients_from_the_config_file(run, smtp_server, mail_env, tmp_path):
    inbox, port = smtp_server()
    mail_env(port)
    (tmp_path / "config.toml").write_text(
        '[mail]\nto = ["leader@example.org"]\ncc = "office@example.org"\n', encoding="utf-8")
    assert run(*WEEK).exit_code == 0
    assert sorted(inbox.received[0][1]) == ["leader@example.org", "office@example.org"]


def test_no_recipient_is_a_usage_error(run, smtp_server, mail_env):
    inbox, port = smtp_server()
    mail_env(port)
    result = run(*WEEK)
    assert result.exit_code == 2
    assert "收件人" in result.stderr and inbox.received == []
    assert run(*WEEK, "--to", "not-an-address").exit_code == 2


def test_closed_port_queues_then_flush_delivers_once(run, smtp_server, mail_env, db_path):
    port = free_port()  # nothing listens here
    mail_env(port)
    failed = run(*WEEK, "--to", "leader@example.org", "--bcc", "hidden@example.org")
    assert failed.exit_code == 1
    assert len(failed.stderr.strip().splitlines()) == 1
    assert f"127.0.0.1:{port}" in failed.stderr and "拒绝" in failed.stderr
    [queued] = outbox(db_path)
    assert stat.S_IMODE(queued.stat().st_mode) == 0o600
    assert stat.S_IMODE(queued.parent.stat().st_mode) == 0o700
    entry = json.loads(queued.read_text(encoding="utf-8"))
    assert entry["recipients"] == ["leader@example.org", "hidden@example.org"]
    assert rows(db_path, "SELECT state FROM mail_log") == [{"state": "queued"}]

    inbox, live = smtp_server()
    mail_env(live)
    flushed = run("email", "--flush")
    assert flushed.exit_code == 0, flushed.output
    assert len(inbox.received) == 1 and outbox(db_path) == []
    assert sorted(inbox.received[0][1]) == ["hidden@example.org", "leader@example.org"]
    assert inbox.messages()[0]["Message-ID"] == entry["message_id"]
    assert rows(db_path, "SELECT state FROM mail_log") == [{"state": "sent"}]
    assert run("email", "--flush").exit_code == 0
    assert len(inbox.received) == 1  # exactly once

    again = run(*WEEK, "--to", "leader@example.org", "--bcc", "hidden@example.org")
    assert again.exit_code == 0 and len(inbox.received) == 1
    assert entry["message_id"] in again.stderr and "--force" in again.stderr
    forced = run(*WEEK, "--to", "leader@example.org", "--bcc", "hidden@example.org", "--force")
    assert forced.exit_code == 0 and len(inbox.received) == 2


def test_rerun_flushes_the_queued_copy_instead_of_a_new_one(run, smtp_server, mail_env, db_path):
    mail_env(free_port())
    assert run(*WEEK, "--to", "leader@example.org").exit_code == 1
    entry = json.loads(outbox(db_path)[0].read_text(encoding="utf-8"))
    inbox, live = smtp_server()
    mail_env(live)
    result = run(*WEEK, "--to", "leader@example.org")
    assert result.exit_code == 0, result.output
    assert [m["Message-ID"] for m in inbox.messages()] == [entry["message_id"]]
    assert outbox(db_path) == []
    other_recipients = run(*WEEK, "--to", "deputy@example.org")
    assert other_recipients.exit_code == 0 and len(inbox.received) == 2


def test_starttls_with_a_self_signed_certificate(run, smtp_server, mail_env, tls, monkeypatch,
                                                  db_path):
    server_context, cafile = tls
    inbox, port = smtp_server(tls_context=server_context, require_starttls=True)
    mail_env(port)
    monkeypatch.setenv("JTDJ_SMTP_SECURITY", "starttls")
    untrusted = run(*WEEK, "--to", "leader@example.org")
    assert untrusted.exit_code == 1 and "TLS" in untrusted.stderr
    assert len(outbox(db_path)) == 1 and inbox.received == []
    monkeypatch.setenv("JTDJ_SMTP_CAFILE", str(cafile))
    assert run("email", "--flush").exit_code == 0
    assert len(inbox.received) == 1 and outbox(db_path) == []
    plain = run(*WEEK, "--to", "other@example.org", "--smtp-security", "none")
    assert plain.exit_code == 1  # the server requires STARTTLS: refused, not sent in clear


def test_login_and_a_wrong_password(run, smtp_server, mail_env, tls, monkeypatch, db_path):
    server_context, cafile = tls
    inbox, port = smtp_server(tls_context=server_context, require_starttls=True,
                              authenticator=authenticator, auth_required=True,
                              auth_require_tls=True)
    mail_env(port)
    monkeypatch.setenv("JTDJ_SMTP_SECURITY", "starttls")
    monkeypatch.setenv("JTDJ_SMTP_CAFILE", str(cafile))
    monkeypatch.setenv("JTDJ_SMTP_USER", "clerk")
    monkeypatch.setenv("JTDJ_SMTP_PASSWORD", "wrong-" + SECRET)
    monkeypatch.setenv("JTDJ_SMTP_TIMEOUT", "10")
    bad = run("-v", *WEEK, "--to", "leader@example.org")
    assert bad.exit_code == 1
    assert "认证失败" in bad.stderr and "clerk" in bad.stderr
    assert SECRET not in bad.output
    [queued] = outbox(db_path)
    assert SECRET not in queued.read_text(encoding="utf-8")
    monkeypatch.setenv("JTDJ_SMTP_PASSWORD", SECRET)
    good = run("-v", "email", "--flush")
    assert good.exit_code == 0, good.output
    assert len(inbox.received) == 1 and SECRET not in good.output


def test_implicit_tls(run, smtp_server, mail_env, tls, monkeypatch):
    server_context, cafile = tls
    inbox, port = smtp_server(ssl_context=server_context)
    mail_env(port)
    monkeypatch.setenv("JTDJ_SMTP_CAFILE", str(cafile))
    result = run(*WEEK, "--to", "leader@example.org", "--smtp-security", "ssl")
    assert result.exit_code == 0, result.output
    assert len(inbox.received) == 1


def test_a_refused_recipient(run, smtp_server, mail_env, db_path):
    inbox, port = smtp_server()
    mail_env(port)
    result = run(*WEEK, "--to", "leader@example.org", "--to", "nobody@example.org")
    assert result.exit_code == 1
    assert "nobody@example.org" in result.stderr and "550" in result.stderr
    assert [r for _, r, _ in inbox.received] == [["leader@example.org"]]
    assert outbox(db_path) == []  # a 550 is for good: nothing waits to be retried
    [aside] = (db_path.parent / "outbox" / "failed").glob("*.json")
    entry = json.loads(aside.read_text(encoding="utf-8"))
    assert entry["recipients"] == ["nobody@example.org"]  # the others have it already
    assert "550" in entry["reason"] and f"--retry {aside.stem}" in result.stderr


def test_a_server_that_never_answers_times_out(run, mail_env, monkeypatch, db_path):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        mail_env(silent.getsockname()[1])
        monkeypatch.setenv("JTDJ_SMTP_TIMEOUT", "0.3")
        result = run(*WEEK, "--to", "leader@example.org")
    assert result.exit_code == 1 and "超时" in result.stderr
    assert len(outbox(db_path)) == 1


def test_fail_on_overdue_after_sending(run, smtp_server, mail_env):
    inbox, port = smtp_server()
    mail_env(port)
    assert run("--as-of", "2022-06-01", "due", "2.1", "2022-06-20").exit_code == 0
    result = run(*WEEK, "--to", "leader@example.org", "--fail-on-overdue")
    assert result.exit_code == 3 and len(inbox.received) == 1


def test_settings_flag_over_env_over_config(monkeypatch, tmp_path):
    from jtdj.errors import UsageError
    from jtdj.mail import smtp_settings

    config = {"smtp": {"host": "conf.example.org", "port": 2525, "security": "ssl",
                       "user": "conf", "password": "pw", "from": "conf@example.org"}}
    s = smtp_settings({}, {}, config)
    assert (s.host, s.port, s.security, s.user, s.sender, s.password_from_config) == (
        "conf.example.org", 2525, "ssl", "conf", "conf@example.org", True)
    env = {"JTDJ_SMTP_HOST": "env.example.org", "JTDJ_SMTP_PORT": "587",
           "JTDJ_SMTP_SECURITY": "starttls", "JTDJ_SMTP_USER": "env",
           "JTDJ_MAIL_FROM": "env@example.org", "JTDJ_SMTP_PASSWORD": "envpw"}
    s = smtp_settings({}, env, config)
    assert (s.host, s.port, s.security, s.user, s.sender, s.password) == (
        "env.example.org", 587, "starttls", "env", "env@example.org", "envpw")
    flags = {"smtp_host": "flag.example.org", "smtp_port": 25, "smtp_security": "none",
             "smtp_user": "flag", "sender": "flag@example.org"}
    s = smtp_settings(flags, env, config)
    assert (s.host, s.port, s.security, s.user, s.sender) == (
        "flag.example.org", 25, "none", "flag", "flag@example.org")
    assert "envpw" not in repr(s)
    assert smtp_settings({}, {}, {}).port == 25
    assert smtp_settings({}, {"JTDJ_SMTP_SECURITY": "ssl"}, {}).port == 465
    for bad in ({"JTDJ_SMTP_SECURITY": "tls"}, {"JTDJ_SMTP_PORT": "abc"},
                {"JTDJ_SMTP_USER": "u"}):
        with pytest.raises(UsageError):
            smtp_settings({}, bad, {})


def test_warns_when_others_can_read_the_password(run, smtp_server, mail_env, tmp_path):
    inbox, port = smtp_server()
    mail_env(port)
    config = tmp_path / "config.toml"
    config.write_text('[smtp]\npassword = "pw"\n[mail]\nto = "leader@example.org"\n',
                      encoding="utf-8")
    config.chmod(0o644)
    result = run(*WEEK, "--dry-run")
    assert result.exit_code == 0 and "chmod 600" in result.stderr and "pw\"" not in result.stderr
    config.chmod(0o600)
    assert run(*WEEK, "--dry-run").stderr == ""


def test_mail_log_migration_columns(run, imported, db_path):
    columns = [r["name"] for r in rows(db_path, "PRAGMA table_info(mail_log)")]
    assert columns == ["id", "at", "plan", "since", "until", "recipients", "message_id",
                       "subject", "state", "outbox"]
    assert {"name": "m002_mail_log"} in rows(db_path, "SELECT name FROM migrations")
