"""`jtdj notify` and `jtdj urge --robot` through the real CLI, against the fake 钉钉 / 企业微信
server of tests/robot_server.py (it checks signatures, keywords, schemas and byte limits, and
answers with the platforms' error shapes). docs/notify.md; docs/reliability.md "Robots"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import ROOT, ok
from robot_server import robot_server, robot_tls_server, robots_config, tls_ca  # noqa: F401
from test_email import smtp_server  # noqa: F401  (a real SMTP server on 127.0.0.1)
from test_units_roundtrip import HUA, REGISTER, YIZHONG

AS_OF = ("--as-of", "2022-07-04")
WEEK = (*AS_OF, "notify", "--week")  # 2022-W26: 06-27 to 07-03
TOKEN, KEY, SECRET = "DTOKEN-a1b2c3", "WKEY-d4e5f6", "SECsign-g7h8"


@pytest.fixture
def week(run, plan22, tmp_path):
    """A week with work done and work late: 2.1 and 2.2 done in W26, 5.2 and 5.3 handed to
    各直属党组织 with 5.2 overdue (06-28), 1.1 led by 组织科 overdue (06-30); the register has
    华校 13800000001 and 一中 13800000002."""
    register = tmp_path / "单位名单.csv"
    register.write_text(REGISTER, encoding="utf-8")
    before = ("--as-of", "2022-06-20")  # handed out before the week: the week's report counts them
    ok(run, *before, "units", "import", str(register))
    ok(run, *before, "assign", "5.2", "5.3", "--each", "各直属党组织")
    ok(run, *before, "assign", "1.1", "--to", "组织科")
    ok(run, *before, "due", "5.2", "2022-06-28")
    ok(run, *before, "due", "1.1", "2022-06-30")
    ok(run, "--as-of", "2022-06-29", "done", "2.1")
    ok(run, "--as-of", "2022-06-30", "done", "2.2")


def configure(tmp_path: Path, **robots) -> None:
    """The config file with these robots, private (no readable-secrets warning)."""
    path = tmp_path / "config.toml"
    path.write_text(robots_config(**robots), encoding="utf-8")
    path.chmod(0o600)


def ding(server, **keys):
    return {"kind": "dingtalk", "url": server.dingtalk(TOKEN, secret=keys.get("secret"),
                                                      keyword=keys.get("keyword")), **keys}


def wecom(server, **keys):
    return {"kind": "wecom", "url": server.wecom(KEY), **keys}


def waiting(db_path: Path) -> list[Path]:
    folder = db_path.parent / "outbox" / "robots"
    return sorted(folder.glob("*.json")) if folder.exists() else []


def set_aside(db_path: Path) -> list[Path]:
    folder = db_path.parent / "outbox" / "robots" / "failed"
    return sorted(folder.glob("*.json")) if folder.exists() else []


def no_secret(*texts: str) -> None:
    for text in texts:
        for secret in (TOKEN, KEY, SECRET):
            assert secret not in text, f"{secret} shown in {text!r}"


def test_the_weeks_report_goes_to_each_configured_robot_signed_and_with_its_keyword(
        run, week, robot_server, tmp_path):
    configure(tmp_path, office=ding(robot_server, secret=SECRET, keyword="督查"),
              schools=wecom(robot_server))
    result = run(*WEEK)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == ""  # silent for cron
    [dt] = robot_server.payloads(TOKEN)  # the server checked the signature and the keyword
    assert dt["msgtype"] == "markdown" and "督查" in dt["markdown"]["title"]
    text = dt["markdown"]["text"]
    assert "督查" in text and "总体情况" in text and "本期完成" in text and "滞后" in text
    assert "统计期间：2022-06-27 至 2022-07-03，截至 2022-07-04" in text.splitlines()
    sent = robot_server.sends(TOKEN)[0]
    assert sent.query["timestamp"].isdigit() and sent.query["sign"]
    [wc] = robot_server.payloads(KEY)
    assert wc["msgtype"] == "markdown" and "本期完成" in wc["markdown"]["content"]
    assert len(wc["markdown"]["content"].encode()) <= 4096
    assert waiting(tmp_path / "data" / "jtdj.db") == []


def test_the_late_work_is_listed_under_each_unit_as_the_by_unit_report_counts_it(
        run, week, robot_server, tmp_path):
    """华校 and 一中 each have an overdue share of 5.2 (report --by-unit: 逾期 1 each): the
    message's 滞后事项 names them with 5.2, as it names 组织科 with 1.1."""
    configure(tmp_path, schools=wecom(robot_server))
    by_unit = ok(run, *AS_OF, "report", "--week", "--by-unit").stdout
    assert HUA in by_unit and YIZHONG in by_unit
    ok(run, *WEEK)
    [payload] = robot_server.payloads(KEY)
    late = payload["markdown"]["content"].split("滞后事项", 1)[1]
    assert "组织科" in late and "1.1" in late
    for unit in (HUA, YIZHONG):
        assert unit in late or {HUA: "华校", YIZHONG: "一中"}[unit] in late, unit


def test_work_behind_the_pace_of_its_window_is_listed_under_its_unit_too(
        run, week, robot_server, tmp_path):
    """滞后事项 holds what is behind its 序时进度 as well as what is overdue: 8.5 (window
    06-15 to 07-15) reported at 10% by 组织科 is far behind on 07-04, and the message says so
    under 组织科 with its expected and reported percent."""
    ok(run, "--as-of", "2022-06-20", "assign", "8.5", "--to", "组织科")
    ok(run, "--as-of", "2022-06-20", "note", "8.5", "已发通知", "--percent", "10")
    configure(tmp_path, schools=wecom(robot_server))
    ok(run, *WEEK)
    [payload] = robot_server.payloads(KEY)
    late = payload["markdown"]["content"].split("滞后事项", 1)[1]
    assert "组织科：滞后 1 项" in late
    assert "8.5" in late and "已报 10%" in late


def test_robot_names_only_that_robot(run, week, robot_server, tmp_path):
    configure(tmp_path, office=ding(robot_server), schools=wecom(robot_server))
    ok(run, *WEEK, "--robot", "schools")
    assert robot_server.payloads(TOKEN) == [] and len(robot_server.payloads(KEY)) == 1
    unknown = run(*WEEK, "--robot", "nobody")
    assert unknown.exit_code == 2 and "nobody" in unknown.stderr


def test_dry_run_prints_one_json_payload_a_line_and_never_a_url_or_secret(
        run, week, robot_server, tmp_path, db_path):
    configure(tmp_path, office=ding(robot_server, secret=SECRET, keyword="督查"),
              schools=wecom(robot_server))
    result = run(*WEEK, "--dry-run")
    assert result.exit_code == 0, result.output
    payloads = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(p["msgtype"] for p in payloads) == ["markdown", "markdown"]
    no_secret(result.stdout, result.stderr)
    assert robot_server.requests == [] and waiting(db_path) == []
    again = run(*WEEK)  # a dry run is not a send: the real one still goes
    assert again.exit_code == 0 and len(robot_server.sends()) == 2


def test_a_second_run_for_the_same_period_sends_nothing_new_unless_force(
        run, week, robot_server, tmp_path):
    configure(tmp_path, schools=wecom(robot_server))
    ok(run, *WEEK)
    second = ok(run, *WEEK)
    assert len(robot_server.sends(KEY)) == 1
    assert second.stdout == "" and "schools" in second.stderr  # says it went already
    ok(run, *WEEK, "--force")
    assert len(robot_server.sends(KEY)) == 2


def test_a_throttle_answer_waits_in_the_outbox_and_flush_sends_it_signed_anew(
        run, week, robot_server, tmp_path, db_path):
    configure(tmp_path, office=ding(robot_server, secret=SECRET))
    robot_server.fail_next(1, "dingtalk_throttle")
    first = run(*WEEK)
    assert first.exit_code == 1 and "130101" in first.stderr
    no_secret(first.stdout, first.stderr)
    assert len(waiting(db_path)) == 1 and robot_server.sends() == []
    time.sleep(0.01)
    ok(run, *AS_OF, "notify", "--flush")
    assert len(robot_server.sends(TOKEN)) == 1 and waiting(db_path) == []
    stamps = [r.query["timestamp"] for r in robot_server.requests]
    assert len(stamps) == 2 and stamps[0] != stamps[1]  # signed at each attempt
    ok(run, *AS_OF, "notify", "--flush")
    assert len(robot_server.sends(TOKEN)) == 1  # once


def test_a_message_queued_hours_ago_is_signed_when_it_is_sent_and_its_file_holds_no_secret(
        run, week, robot_server, tmp_path, db_path, monkeypatch):
    import jtdj.config as cfg

    configure(tmp_path, office=ding(robot_server, secret=SECRET))
    real = cfg.clock
    earlier = real() - timedelta(hours=3)
    monkeypatch.setattr(cfg, "clock", lambda: earlier)  # queued (and first tried) 3 hours ago
    robot_server.fail_next(1, "dingtalk_throttle")
    assert run(*WEEK).exit_code == 1
    [queued] = waiting(db_path)
    stored = queued.read_text(encoding="utf-8")
    no_secret(stored)
    assert "sign=" not in stored and "timestamp=" not in stored
    monkeypatch.setattr(cfg, "clock", real)
    ok(run, *AS_OF, "notify", "--flush")  # a signature made at queueing would be 3 hours old
    assert len(robot_server.sends(TOKEN)) == 1


def test_a_network_error_waits_and_the_next_flush_sends_it(run, week, robot_server, tmp_path, db_path):
    configure(tmp_path, schools=wecom(robot_server))
    robot_server.fail_next(1, "500")
    first = run(*WEEK)
    assert first.exit_code == 1 and "回答 HTTP 500" in first.stderr  # said in the interface's words
    assert len(waiting(db_path)) == 1
    [row] = json.loads(ok(run, *AS_OF, "notify", "--queue", "-f", "json").stdout)
    assert row["reason"].startswith("机器人 http://127.0.0.1:") and "回答 HTTP 500" in row["reason"]
    ok(run, *AS_OF, "notify", "--flush")
    assert len(robot_server.sends(KEY)) == 1 and waiting(db_path) == []


def test_a_permanent_refusal_is_set_aside_and_listed_by_queue(run, week, robot_server, tmp_path, db_path):
    configure(tmp_path, schools=wecom(robot_server))
    robot_server.fail_next(1, "wecom_markdown_too_long")
    first = run(*WEEK)
    assert first.exit_code == 1 and "40058" in first.stderr
    assert waiting(db_path) == [] and len(set_aside(db_path)) == 1
    listed = run(*AS_OF, "notify", "--queue", "-f", "json")
    assert listed.exit_code == 0, listed.output
    assert "schools" in listed.stdout and "40058" in listed.stdout
    no_secret(listed.stdout, listed.stderr)
    ok(run, *AS_OF, "notify", "--flush")
    assert robot_server.sends() == []  # set aside: not tried again by a flush


def test_a_platform_that_hangs_is_given_up_at_the_deadline_and_the_message_waits(
        run, week, robot_server, tmp_path, db_path, monkeypatch):
    configure(tmp_path, schools=wecom(robot_server, timeout=1))
    robot_server.hang_seconds = 5
    robot_server.fail_next(1, "hang")
    started = time.monotonic()
    result = run(*WEEK)
    assert time.monotonic() - started < 4
    assert result.exit_code == 1 and len(waiting(db_path)) == 1
    assert "超时（1 秒）" in result.stderr and "timed out" not in result.stderr
    ok(run, *AS_OF, "notify", "--flush")
    assert len(robot_server.sends(KEY)) == 1


def test_https_with_the_robots_cafile_is_delivered_and_without_it_refused(
        run, week, robot_tls_server, tmp_path, db_path):
    configure(tmp_path, schools=wecom(robot_tls_server))
    refused = run(*WEEK)
    assert refused.exit_code == 1 and "certificate" in refused.stderr.lower()
    assert robot_tls_server.requests == [] and len(waiting(db_path)) == 1
    configure(tmp_path, schools=wecom(robot_tls_server, cafile=str(robot_tls_server.cafile)))
    ok(run, *AS_OF, "notify", "--flush")
    assert len(robot_tls_server.sends(KEY)) == 1 and waiting(db_path) == []


def test_http_to_a_host_that_is_not_loopback_is_refused(run, week, tmp_path):
    configure(tmp_path, office={"kind": "dingtalk",
                                "url": f"http://oapi.example.org/robot/send?access_token={TOKEN}"})
    result = run(*WEEK)
    assert result.exit_code == 2
    assert "office" in result.stderr and "url" in result.stderr and "Traceback" not in result.stderr
    no_secret(result.stdout, result.stderr)


def test_secrets_and_url_queries_stay_out_of_errors_even_with_debug(run, week, robot_server, tmp_path):
    configure(tmp_path, office=ding(robot_server, secret=SECRET), schools=wecom(robot_server))
    robot_server.fail_next(1, "sign")
    robot_server.fail_next(1, "key")
    result = run("--debug", *WEEK)
    assert result.exit_code == 1
    assert "310000" in result.stderr and "93000" in result.stderr  # each robot's own answer
    no_secret(result.stdout, result.stderr)
    queue = run("--debug", *AS_OF, "notify", "--queue")
    no_secret(queue.stdout, queue.stderr)


def test_a_bad_jtdj_robot_timeout_is_an_error_naming_the_variable_not_a_robot(
        run, week, robot_server, tmp_path, monkeypatch):
    configure(tmp_path, office=ding(robot_server), schools=wecom(robot_server))
    monkeypatch.setenv("JTDJ_ROBOT_TIMEOUT", "soon")
    result = run(*WEEK, "--robot", "schools")
    assert result.exit_code == 2 and "JTDJ_ROBOT_TIMEOUT" in result.stderr
    assert "office" not in result.stderr and "Traceback" not in result.stderr
    assert robot_server.requests == []


def test_jtdj_robot_timeout_is_every_robots_deadline(run, week, robot_server, tmp_path, db_path,
                                                     monkeypatch):
    configure(tmp_path, schools=wecom(robot_server, timeout=30))
    monkeypatch.setenv("JTDJ_ROBOT_TIMEOUT", "1")
    robot_server.hang_seconds = 5
    robot_server.fail_next(1, "hang")
    started = time.monotonic()
    result = run(*WEEK)
    assert time.monotonic() - started < 4 and result.exit_code == 1
    assert "超时（1 秒）" in result.stderr and len(waiting(db_path)) == 1


def test_a_file_in_the_robots_outbox_that_is_no_robot_message_says_why(
        run, week, robot_server, tmp_path, db_path):
    configure(tmp_path, schools=wecom(robot_server))
    ok(run, *AS_OF, "notify", "--queue")  # the outbox folders, made as jtdj makes them
    stray = db_path.parent / "outbox" / "robots" / "20220704T000000000-abcdef.json"
    stray.write_text(json.dumps({"version": 2, "kind": "mail", "robot": "schools"}),
                     encoding="utf-8")
    stray.chmod(0o600)
    result = run(*AS_OF, "notify", "--flush")
    assert result.exit_code == 1 and "不是机器人消息（kind 为 mail）" in result.stderr
    assert "None" not in result.stderr and stray.exists() and robot_server.requests == []


def test_the_environment_gives_the_url_and_secret_and_beats_the_file(
        run, week, robot_server, tmp_path, monkeypatch):
    configure(tmp_path, office={"kind": "dingtalk", "url": "https://oapi.example.org/robot/send?access_token=x",
                                "secret": "SECwrong"})
    monkeypatch.setenv("JTDJ_ROBOT_OFFICE_URL", robot_server.dingtalk(TOKEN, secret=SECRET))
    monkeypatch.setenv("JTDJ_ROBOT_OFFICE_SECRET", SECRET)
    ok(run, *WEEK)
    assert len(robot_server.sends(TOKEN)) == 1


def test_a_readable_config_with_a_robot_url_is_warned_about(run, week, robot_server, tmp_path):
    configure(tmp_path, schools=wecom(robot_server))
    (tmp_path / "config.toml").chmod(0o644)
    result = ok(run, *WEEK, "--dry-run")
    assert "config.toml" in result.stderr
    no_secret(result.stderr)


def test_urge_robot_mentions_each_units_contact_by_mobile_on_dingtalk(run, week, robot_server, tmp_path):
    configure(tmp_path, office=ding(robot_server, keyword="督查"))
    result = run(*AS_OF, "urge", "--robot", "office")
    assert result.exit_code == 0, result.output
    payloads = robot_server.payloads(TOKEN)
    hua = next(p for p in payloads if HUA in p["markdown"]["text"])
    assert hua["at"]["atMobiles"] == ["13800000001"] and "@13800000001" in hua["markdown"]["text"]
    assert "5.2" in hua["markdown"]["text"] and "督查" in hua["markdown"]["text"]
    office = next(p for p in payloads if "组织科" in p["markdown"]["text"])
    assert office["at"]["atMobiles"] == []  # 组织科 has no mobile in the register
    again = run(*AS_OF, "urge", "--robot", "office")
    assert again.exit_code == 0 and len(robot_server.sends(TOKEN)) == len(payloads)  # once per unit


def test_urge_robot_with_send_also_mails_and_names_the_units_without_email(
        run, week, robot_server, tmp_path, smtp_server, monkeypatch):
    inbox, port = smtp_server()
    monkeypatch.setenv("JTDJ_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JTDJ_SMTP_PORT", str(port))
    monkeypatch.setenv("JTDJ_MAIL_FROM", "督查室 <jtdj@example.org>")
    configure(tmp_path, office=ding(robot_server))
    result = ok(run, *AS_OF, "urge", "--robot", "office", "--send")
    assert sorted(to for _, tos, _ in inbox.received for to in tos) == [
        "hua@example.org", "zzk@example.org"]
    assert f"这些单位在名录中没有邮箱，未发送：{YIZHONG}" in result.stderr
    assert len(robot_server.sends(TOKEN)) == 3  # every unit's list to the group, 一中's too


def test_urge_robot_on_wecom_follows_each_list_with_a_text_carrying_the_mention(
        run, week, robot_server, tmp_path):
    configure(tmp_path, schools=wecom(robot_server))
    ok(run, *AS_OF, "urge", "--robot", "schools", "--unit", HUA)
    md, text = robot_server.payloads(KEY)
    assert md["msgtype"] == "markdown" and "5.2" in md["markdown"]["content"]
    assert text["msgtype"] == "text" and text["text"]["mentioned_mobile_list"] == ["13800000001"]


def test_attach_xlsx_on_wecom_uploads_the_ledger_then_sends_a_file_message(
        run, week, robot_server, tmp_path):
    configure(tmp_path, schools=wecom(robot_server))
    ok(run, *WEEK, "--attach-xlsx")
    upload = next(r for r in robot_server.requests if r.path.endswith("/upload_media"))
    name, data = upload.files["media"]
    assert name.endswith(".xlsx") and data[:2] == b"PK"
    kinds = [p["msgtype"] for p in robot_server.payloads(KEY)]
    assert kinds == ["markdown", "file"]
    assert robot_server.payloads(KEY)[1]["file"]["media_id"] in robot_server.media


def test_attach_xlsx_on_dingtalk_sends_the_message_and_says_files_cannot_go(
        run, week, robot_server, tmp_path):
    configure(tmp_path, office=ding(robot_server))
    result = ok(run, *WEEK, "--attach-xlsx")
    assert len(robot_server.sends(TOKEN)) == 1 and "office" in result.stderr
    assert not any(r.path.endswith("/upload_media") for r in robot_server.requests)


def jtdj(tmp_path: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("JTDJ_") and "proxy" not in k.lower()}
    env.update(JTDJ_DB=str(tmp_path / "data" / "jtdj.db"), JTDJ_CONFIG=str(tmp_path / "config.toml"),
               JTDJ_USER="tester", PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "jtdj", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_twenty_a_minute_per_robot_is_kept_across_two_processes(run, week, robot_server, tmp_path, db_path):
    configure(tmp_path, office=ding(robot_server, secret=SECRET))
    loop = f"for i in $(seq 15); do {sys.executable} -m jtdj --as-of 2022-07-04 notify --week --force; done"
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["PYTHONPATH"] = str(ROOT)
    both = [subprocess.Popen(["sh", "-c", loop], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in both]
    assert all("Traceback" not in err for _, err in outputs), outputs
    first = robot_server.requests[0].at if robot_server.requests else 0
    within = [r for r in robot_server.requests if r.at - first < 60]
    assert len(robot_server.sends(TOKEN)) == 20 and len(within) == 20  # never a 21st post
    assert all(r.answer == {"errcode": 0, "errmsg": "ok"} for r in robot_server.requests)
    assert len(waiting(db_path)) == 10  # the rest waits for a later --flush


@pytest.mark.slow
def test_a_subprocess_notify_delivers_and_exits_0(week, robot_server, tmp_path):
    configure(tmp_path, office=ding(robot_server, secret=SECRET, keyword="督查"))
    process = jtdj(tmp_path, "--as-of", "2022-07-04", "notify", "--week")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert (out, err) == ("", "")
    assert len(robot_server.sends(TOKEN)) == 1
