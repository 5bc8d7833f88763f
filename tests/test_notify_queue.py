"""The robots' outbox over time, through the real CLI against the fake 钉钉 / 企业微信 server of
tests/robot_server.py: a temporary failure given up after `[notify] retry_days`, `jtdj notify
--retry ID`, and `jtdj urge --robot` with a robot that is not configured. docs/notify.md;
docs/reliability.md "Robots"."""

from __future__ import annotations

import json
from datetime import timedelta

from conftest import ok
from robot_server import robot_server, robots_config  # noqa: F401
from test_notify import (AS_OF, KEY, TOKEN, WEEK, configure, ding, no_secret,  # noqa: F401
                         set_aside, waiting, wecom, week)


def queue_json(run) -> list[dict]:
    listed = run(*AS_OF, "notify", "--queue", "-f", "json")
    assert listed.exit_code == 0, listed.output
    return json.loads(listed.stdout)


def test_a_message_failing_for_retry_days_is_set_aside_with_a_reason_saying_so(
        run, week, robot_server, tmp_path, db_path, monkeypatch):
    """First failed 4 days ago: with `[notify] retry_days = 5` a flush still tries it (and it
    waits); with the default 3 days the next failing flush sets it aside, says so, and no
    flush tries it again."""
    import jtdj.config as cfg

    config = tmp_path / "config.toml"
    configure(tmp_path, schools=wecom(robot_server))
    config.write_text(config.read_text(encoding="utf-8") + "\n[notify]\nretry_days = 5\n",
                      encoding="utf-8")
    real = cfg.clock
    monkeypatch.setattr(cfg, "clock", lambda: real() - timedelta(days=4))
    robot_server.fail_next(1, "500")
    assert run(*WEEK).exit_code == 1
    monkeypatch.setattr(cfg, "clock", real)
    robot_server.fail_next(1, "500")
    kept = run(*AS_OF, "notify", "--flush")
    assert kept.exit_code == 1 and len(waiting(db_path)) == 1 and set_aside(db_path) == []

    configure(tmp_path, schools=wecom(robot_server))  # no [notify]: 3 days
    robot_server.fail_next(1, "500")
    given_up = run(*AS_OF, "notify", "--flush")
    assert given_up.exit_code == 1
    assert "3" in given_up.stderr and "500" in given_up.stderr and "--retry" in given_up.stderr
    no_secret(given_up.stdout, given_up.stderr)
    assert waiting(db_path) == [] and len(set_aside(db_path)) == 1
    [row] = queue_json(run)
    assert row["state"] == "failed" and "3" in row["reason"] and "500" in row["reason"]
    tried = len(robot_server.requests)
    ok(run, *AS_OF, "notify", "--flush")
    assert len(robot_server.requests) == tried and robot_server.sends() == []

    ok(run, *AS_OF, "notify", "--retry", row["id"])  # sent again by hand
    assert len(robot_server.sends(KEY)) == 1 and set_aside(db_path) == []


def test_a_bad_retry_days_setting_is_a_one_line_error(run, week, robot_server, tmp_path):
    config = tmp_path / "config.toml"
    configure(tmp_path, schools=wecom(robot_server))
    config.write_text(config.read_text(encoding="utf-8") + '\n[notify]\nretry_days = "often"\n',
                      encoding="utf-8")
    result = run(*WEEK)
    assert result.exit_code == 2 and "retry_days" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and robot_server.requests == []


def test_retry_sends_one_message_set_aside_or_waiting_by_its_id_from_queue(
        run, week, robot_server, tmp_path, db_path):
    configure(tmp_path, office=ding(robot_server), schools=wecom(robot_server))
    robot_server.fail_next(1, "dingtalk_throttle")  # office: waits
    robot_server.fail_next(1, "wecom_markdown_too_long")  # schools: set aside
    assert run(*WEEK).exit_code == 1
    rows = {r["robot"]: r for r in queue_json(run)}
    assert rows["office"]["state"] == "waiting" and rows["schools"]["state"] == "failed"

    ok(run, *AS_OF, "notify", "--retry", rows["schools"]["id"])
    assert len(robot_server.sends(KEY)) == 1 and set_aside(db_path) == []
    assert robot_server.sends(TOKEN) == [] and len(waiting(db_path)) == 1  # only that one

    ok(run, *AS_OF, "notify", "--retry", rows["office"]["id"])
    assert len(robot_server.sends(TOKEN)) == 1 and waiting(db_path) == []

    unknown = run(*AS_OF, "notify", "--retry", "robot-nothing-such")
    assert unknown.exit_code == 2 and "robot-nothing-such" in unknown.stderr
    assert "notify --queue" in unknown.stderr
    both = run(*AS_OF, "notify", "--retry", rows["office"]["id"], "--flush")
    assert both.exit_code == 2 and "--retry" in both.stderr


def test_urge_robot_with_an_unknown_robot_says_so_first_and_alone(
        run, week, robot_server, tmp_path, db_path):
    """Nothing to chase (before anything was due), or something to chase: either way the one
    line naming the robot, exit 2, and nothing recorded or posted."""
    configure(tmp_path, office=ding(robot_server))
    for day in ("2022-06-21", "2022-07-04"):
        result = run("--as-of", day, "urge", "--robot", "nobody")
        assert result.exit_code == 2, (day, result.output)
        assert result.stdout == ""
        [line] = result.stderr.strip().splitlines()
        assert "nobody" in line and "office" in line
    assert robot_server.requests == []
    ok(run, *AS_OF, "urge", "--robot", "office")  # nothing was recorded: the lists still go
    assert robot_server.sends(TOKEN)


def test_a_task_handed_to_units_is_listed_under_them_and_not_again_under_its_lead(
        run, week, robot_server, tmp_path):
    """5.2 has no lead and is handed to 华校 and 一中: the message lists it under each school,
    and the 未明确责任单位 group counts only its own overdue work (4, not 5); the figures are
    on two lines of their own."""
    configure(tmp_path, office=ding(robot_server))
    [line] = ok(run, *WEEK, "--dry-run").stdout.splitlines()
    text = json.loads(line)["markdown"]["text"]
    overview = text.split("#### 总体情况\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(overview) == 2 and overview[1].startswith("- **逾期 6 项**")
    late = text.split("滞后事项", 1)[1]
    assert late.count("5.2 ") == 2
    assert "- 未明确责任单位：逾期 4 项" in late


def test_the_docs_table_of_answers_is_the_classification_webhook_makes():
    """docs/notify.md "How each answer is classified": every errcode in a row is sorted into
    that row's class by jtdj/webhook.py, and every errcode webhook.py knows is in the table."""
    import re

    import pytest

    from conftest import ROOT
    from jtdj import webhook

    doc = (ROOT / "docs" / "notify.md").read_text(encoding="utf-8")
    table = doc.split("### How each answer is classified", 1)[1].split("\n### ", 1)[0]
    seen = set()
    for kind in ("throttled", "settings", "permanent"):
        [row] = [r for r in table.splitlines() if r.startswith(f"| {kind} |")]
        answers = row.split("|")[2]
        for code in map(int, re.findall(r"`(\d{5,6})`", answers)):
            seen.add(code)
            with pytest.raises(webhook.PostFailed) as failed:
                webhook._answer(json.dumps({"errcode": code, "errmsg": "x"}).encode(), "u")
            assert (code, failed.value.kind) == (code, kind)
        for status in map(int, re.findall(r"\b(4\d\d)\b", answers)):
            assert {"throttled": status == 429, "settings": status in (401, 403, 404),
                    "permanent": False}[kind], status
    assert webhook.THROTTLED | webhook.SETTINGS <= seen
    with pytest.raises(webhook.PostFailed) as failed:
        webhook._answer(b"<html>busy</html>", "u")
    assert failed.value.kind == "temporary" and "not JSON" in table.split("| temporary |")[1]
