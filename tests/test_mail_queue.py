"""The outbox as a queue: written before the first attempt, claimed by one run, removed only
after the server's 250 — against a real aiosmtpd on 127.0.0.1, with real jtdj processes run side
by side and killed at each stage of a send (from the server's own hooks, so never by timing)."""

from __future__ import annotations

import asyncio
import email
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from email import policy

import pytest
from conftest import rows
from test_email import WEEK, Inbox, free_port, outbox

pytestmark = pytest.mark.slow

TO = ("--to", "leader@example.org")


def failed_dir(db_path):
    folder = db_path.parent / "outbox" / "failed"
    return sorted(folder.glob("*.json")) if folder.exists() else []


def message_ids(inbox) -> list[str]:
    return [email.message_from_bytes(raw, policy=policy.default)["Message-ID"]
            for _, _, raw in inbox.received]


def jtdj(*args, env=None, **popen):
    """A real jtdj process (the console script's module), sharing the test's environment."""
    return subprocess.Popen([sys.executable, "-m", "jtdj", *map(str, args)],
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


class SlowInbox(Inbox):
    """Takes a moment over each message, so that runs started together really overlap."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.3)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def server():
    """server(handler) -> port; every server is stopped after the test."""
    from aiosmtpd.controller import Controller

    started = []

    def start(handler):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        return controller.port

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def queued_weeks(run, imported, monkeypatch, db_path):
    """Three weekly reports queued while the server was down (W24, W25, W26), oldest first."""
    monkeypatch.setenv("JTDJ_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JTDJ_MAIL_FROM", "督查室 <jtdj@example.org>")
    monkeypatch.setenv("JTDJ_SMTP_PORT", str(free_port()))

    def queue(*recipients):
        for week, to in zip(("2022-W24", "2022-W25", "2022-W26"), recipients):
            assert run("--as-of", "2022-07-04", "email", "--week", week, "--to", to).exit_code == 1
        assert len(outbox(db_path)) == len(recipients)

    return queue


def use_port(monkeypatch, port):
    monkeypatch.setenv("JTDJ_SMTP_PORT", str(port))


@pytest.mark.parametrize("runs", [2, 4])
def test_overlapping_flush_runs_deliver_each_queued_message_once(runs, queued_weeks, server,
                                                                 monkeypatch, db_path):
    queued_weeks("a@example.org", "b@example.org", "c@example.org")
    inbox = SlowInbox()
    use_port(monkeypatch, server(inbox))
    procs = [jtdj("email", "--flush") for _ in range(runs)]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert all(code == 0 for _, _, code in results), results
    assert len(inbox.received) == 3 and len(set(message_ids(inbox))) == 3
    assert outbox(db_path) == []
    assert [r["state"] for r in rows(db_path, "SELECT state FROM mail_log")] == ["sent"] * 3


@pytest.mark.parametrize("runs", [2, 4])
def test_overlapping_identical_email_runs_send_the_report_once(runs, run, imported, server,
                                                               monkeypatch, db_path):
    monkeypatch.setenv("JTDJ_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JTDJ_MAIL_FROM", "jtdj@example.org")
    inbox = SlowInbox()
    use_port(monkeypatch, server(inbox))
    procs = [jtdj(*WEEK, *TO) for _ in range(runs)]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert all(code == 0 for _, _, code in results), results
    assert len(inbox.received) == 1
    assert [r["state"] for r in rows(db_path, "SELECT state FROM mail_log")] == ["sent"]
    assert outbox(db_path) == []


class Killer(Inbox):
    """Kills the jtdj process that talks to it at one stage of the conversation: after the
    greeting (EHLO), at MAIL, at RCPT, during DATA (before the 250), or after the 250 (at QUIT)."""

    def __init__(self, stage: str):
        super().__init__()
        self.stage, self.victim = stage, None

    def _kill(self, stage):
        if stage == self.stage and self.victim is not None:
            self.victim.send_signal(signal.SIGKILL)
            self.victim.wait()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self._kill("connect")
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self._kill("mail")
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self._kill("rcpt")
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        if self.stage == "data":
            self._kill("data")
            return "451 4.3.0 the sender went away"
        return await super().handle_DATA(server, session, envelope)

    async def handle_QUIT(self, server, session, envelope):
        self._kill("after-250")
        return "221 Bye"


@pytest.mark.parametrize("stage", ["connect", "mail", "rcpt", "data", "after-250"])
def test_a_sender_killed_at_any_stage_loses_nothing(stage, run, imported, server, monkeypatch,
                                                    db_path):
    monkeypatch.setenv("JTDJ_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JTDJ_MAIL_FROM", "jtdj@example.org")
    killer = Killer(stage)
    use_port(monkeypatch, server(killer))
    killer.victim = jtdj(*WEEK, *TO)
    killer.victim.communicate(timeout=120)
    assert killer.victim.returncode == -signal.SIGKILL
    before_flush = len(killer.received)
    if stage == "after-250":
        assert before_flush == 1  # it went; whether jtdj lived to record it is the question
    else:
        assert before_flush == 0
        [waiting] = outbox(db_path)  # written before the first attempt, so still there
        assert json.loads(waiting.read_text(encoding="utf-8"))["recipients"] == [TO[1]]
    inbox = Inbox()
    use_port(monkeypatch, server(inbox))
    flushed = run("email", "--flush")  # the killed run's claim died with it
    assert flushed.exit_code == 0, flushed.output
    assert outbox(db_path) == [] and failed_dir(db_path) == []
    delivered = message_ids(killer) + message_ids(inbox)
    if stage == "after-250":  # the one window left: sent once more, with the same Message-ID
        assert 1 <= len(delivered) <= 2 and len(set(delivered)) == 1
    else:
        assert len(delivered) == 1
    assert [r["state"] for r in rows(db_path, "SELECT state FROM mail_log")] == ["sent"]
    again = run(*WEEK, *TO)
    assert again.exit_code == 0 and len(message_ids(killer) + message_ids(inbox)) == len(delivered)


def test_a_message_logged_as_sent_whose_file_stayed_is_removed_not_sent(run, imported, server,
                                                                        monkeypatch, db_path):
    """A kill between the log's "sent" and the file's removal leaves the file: the next flush
    sees the log and removes it without sending (the file is put back by hand to stand in for
    that kill)."""
    monkeypatch.setenv("JTDJ_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JTDJ_MAIL_FROM", "jtdj@example.org")
    use_port(monkeypatch, free_port())
    assert run(*WEEK, *TO).exit_code == 1
    [waiting] = outbox(db_path)
    kept = waiting.read_bytes()
    inbox = Inbox()
    use_port(monkeypatch, server(inbox))
    assert run("email", "--flush").exit_code == 0 and len(inbox.received) == 1
    waiting.write_bytes(kept)
    assert run("email", "--flush").exit_code == 0
    assert len(inbox.received) == 1 and outbox(db_path) == []


def test_a_550_is_set_aside_and_blocks_none_of_the_others(run, queued_weeks, server, monkeypatch,
                                                          db_path):
    queued_weeks("nobody@example.org", "a@example.org", "b@example.org")
    inbox = Inbox()  # refuses nobody@… with 550
    use_port(monkeypatch, server(inbox))
    flushed = run("email", "--flush")
    assert flushed.exit_code == 1
    assert sorted(r for _, [r], _ in inbox.received) == ["a@example.org", "b@example.org"]
    assert outbox(db_path) == []
    [aside] = failed_dir(db_path)
    entry = json.loads(aside.read_text(encoding="utf-8"))
    assert entry["recipients"] == ["nobody@example.org"] and "550" in entry["reason"]
    assert aside.stem in flushed.stderr and "550" in flushed.stderr
    log = rows(db_path, "SELECT since, state, outbox FROM mail_log ORDER BY since")
    assert [r["state"] for r in log] == ["failed", "sent", "sent"]
    assert log[0]["outbox"] == f"failed/{aside.name}"

    quiet = run("email", "--flush")  # said once: a message set aside is not tried again
    assert quiet.exit_code == 0 and quiet.stderr == "" and len(inbox.received) == 2

    listed = json.loads(run("email", "--queue", "--format", "json").stdout)
    assert [(r["id"], r["state"], r["recipients"]) for r in listed] == [
        (aside.stem, "failed", ["nobody@example.org"])]
    assert "550" in listed[0]["reason"] and listed[0]["since"] == "2022-06-13"

    class Accepting(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            envelope.rcpt_tos.append(address)
            return "250 OK"

    fixed = Accepting()
    use_port(monkeypatch, server(fixed))
    retried = run("email", "--retry", aside.stem)
    assert retried.exit_code == 0, retried.output
    assert [r for _, r, _ in fixed.received] == [["nobody@example.org"]]
    assert failed_dir(db_path) == [] and outbox(db_path) == []
    assert [r["state"] for r in rows(db_path, "SELECT state FROM mail_log")] == ["sent"] * 3


def test_flush_failed_sends_what_was_set_aside_again(run, queued_weeks, server, monkeypatch,
                                                     db_path):
    queued_weeks("nobody@example.org")
    use_port(monkeypatch, server(Inbox()))
    assert run("email", "--flush").exit_code == 1 and len(failed_dir(db_path)) == 1
    assert run("email", "--retry", "no-such-id").exit_code == 2
    assert run("email", "--failed").exit_code == 2  # --failed goes with --flush
    refused_again = run("email", "--flush", "--failed")
    assert refused_again.exit_code == 1 and len(failed_dir(db_path)) == 1


def test_a_recipient_refused_for_now_waits_while_the_other_messages_go(run, queued_weeks, server,
                                                                       monkeypatch, db_path):
    queued_weeks("busy@example.org", "a@example.org")

    class Busy(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("busy@"):
                return "450 4.2.1 mailbox busy, try later"
            return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    inbox = Busy()
    use_port(monkeypatch, server(inbox))
    flushed = run("email", "--flush")
    assert flushed.exit_code == 1 and "450" in flushed.stderr
    assert [r for _, r, _ in inbox.received] == [["a@example.org"]]
    [waiting] = outbox(db_path)
    entry = json.loads(waiting.read_text(encoding="utf-8"))
    assert entry["recipients"] == ["busy@example.org"] and entry["attempts"] == 2  # queued, now
    assert "450" in entry["last_error"] and failed_dir(db_path) == []


def test_temporary_failures_wait_until_retry_days_then_are_set_aside(run, queued_weeks,
                                                                     monkeypatch, tmp_path,
                                                                     db_path):
    queued_weeks("a@example.org")  # the port stays closed
    assert run("email", "--flush").exit_code == 1
    assert len(outbox(db_path)) == 1 and failed_dir(db_path) == []  # within 3 days: waits
    config = tmp_path / "config.toml"
    config.write_text("[mail]\nretry_days = 0\n", encoding="utf-8")
    gave_up = run("email", "--flush")
    assert gave_up.exit_code == 1 and "0 天" in gave_up.stderr and "拒绝" in gave_up.stderr
    assert outbox(db_path) == [] and len(failed_dir(db_path)) == 1
    config.write_text('[mail]\nretry_days = "soon"\n', encoding="utf-8")
    bad = run("email", "--flush")
    assert bad.exit_code == 2 and "retry_days" in bad.stderr and len(bad.stderr.splitlines()) == 1


def test_a_wrong_password_keeps_every_message_waiting(run, queued_weeks, server, monkeypatch,
                                                      tmp_path, db_path):
    from test_email import authenticator

    queued_weeks("a@example.org", "b@example.org")
    (tmp_path / "config.toml").write_text("[mail]\nretry_days = 0\n", encoding="utf-8")
    from aiosmtpd.controller import Controller

    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port(),
                            authenticator=authenticator, auth_required=True,
                            auth_require_tls=False)
    controller.start()
    try:
        use_port(monkeypatch, controller.port)
        monkeypatch.setenv("JTDJ_SMTP_USER", "clerk")
        monkeypatch.setenv("JTDJ_SMTP_PASSWORD", "mistyped")
        result = run("email", "--flush")
    finally:
        controller.stop()
    assert result.exit_code == 1 and "认证失败" in result.stderr
    assert len(outbox(db_path)) == 2 and failed_dir(db_path) == []  # not the week's mail lost


def test_a_trickling_server_is_given_up_within_the_deadline(run, imported, monkeypatch, db_path):
    """One deadline for the whole conversation: a server sending a byte every 0.2 s would keep
    a per-read timeout waiting for ever."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def trickle():
        conn, _ = listener.accept()
        with conn:
            while not stop.is_set():
                try:
                    conn.sendall(b"2")
                except OSError:
                    return
                time.sleep(0.2)

    threading.Thread(target=trickle, daemon=True).start()
    monkeypatch.setenv("JTDJ_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JTDJ_SMTP_PORT", str(listener.getsockname()[1]))
    monkeypatch.setenv("JTDJ_MAIL_FROM", "jtdj@example.org")
    monkeypatch.setenv("JTDJ_SMTP_TIMEOUT", "1")
    started = time.monotonic()
    try:
        result = run(*WEEK, *TO)
    finally:
        stop.set()
        listener.close()
    assert result.exit_code == 1 and "超时" in result.stderr
    assert time.monotonic() - started < 15  # a per-read timeout would never give up
    assert len(outbox(db_path)) == 1


def test_the_queue_lists_what_waits_with_its_reason(run, queued_weeks, db_path):
    queued_weeks("a@example.org", "b@example.org")
    listed = json.loads(run("email", "--queue", "--format", "json").stdout)
    assert [r["state"] for r in listed] == ["waiting", "waiting"]
    assert set(listed[0]) == {"id", "state", "kind", "queued_at", "attempts", "last_attempt_at",
                              "reason", "failed_at", "recipients", "plan", "since", "until",
                              "subject", "message_id"}
    assert [r["recipients"] for r in listed] == [["a@example.org"], ["b@example.org"]]
    assert all("拒绝" in r["reason"] and r["kind"] == "mail" for r in listed)
    assert [r["id"] for r in listed] == [p.stem for p in outbox(db_path)]
    table = run("email", "--queue", "--format", "table")
    assert table.exit_code == 0 and "待发 2 封" in table.stdout and listed[0]["id"] in table.stdout
    assert run("email", "--queue", "--flush").exit_code == 2
    assert run("email", "--flush", "--format", "json").exit_code == 2  # --format is --queue's
