"""The robots' messages against the fake platform (tests/robot_server.py): within each platform's
byte limits, cut at a line with the tail, never a split character; DingTalk signed and carrying
its keyword; each answer sorted into its kind; HTTPS verified; the URL's query never shown."""

from __future__ import annotations

import time

import pytest

from robot_server import robot_server, robot_tls_server, tls_ca  # noqa: F401

TAIL = "……完整报告见邮件/附件"


def robot(name, kind, url, **keys):
    from jtdj.robots import Robot

    return Robot(name, kind, url, keys.get("secret"), keys.get("keyword"), keys.get("cafile"),
                 keys.get("timeout", 5.0))


def message(lines, *, mobiles=(), mention="", title="2022年第26周进展"):
    from jtdj.robots import NotifyMessage

    return NotifyMessage(title, {"dingtalk": lines, "wecom": lines}, tuple(mobiles), mention)


def send(bot, payloads):
    """Post each payload as robot_delivery does: signed at the attempt."""
    from jtdj.robots import signed_url
    from jtdj.webhook import post_json

    return [post_json(signed_url(bot, int(time.time() * 1000)), p, cafile=bot.cafile,
                      timeout=bot.timeout) for p in payloads]


LONG = [f"- {n}. 推进“两个确立”学习教育第{n}项任务（牵头：组织科，逾期{n}天）" for n in range(1, 800)]


def test_a_dingtalk_report_over_the_limit_is_cut_at_a_line_and_the_platform_takes_it(robot_server):
    from jtdj.robots import notify_payloads

    bot = robot("office", "dingtalk", robot_server.dingtalk("tok", secret="SECabc", keyword="督查"),
                secret="SECabc", keyword="督查")
    [payload] = notify_payloads(bot, message(LONG))
    text = payload["markdown"]["text"]
    assert text.endswith(TAIL)
    kept = text.split("\n")[:-1]
    assert kept and all(line in LONG or "督查" in line for line in kept)  # whole lines only
    assert "督查" in payload["markdown"]["title"] and "督查" in text
    assert send(bot, [payload]) == [{"errcode": 0, "errmsg": "ok"}]  # the whole body ≤ 20000 bytes


def test_a_dingtalk_urge_with_mentions_stays_within_the_limit_too(robot_server):
    from jtdj.robots import notify_payloads

    bot = robot("office", "dingtalk", robot_server.dingtalk("tok"))
    [payload] = notify_payloads(bot, message(LONG, mobiles=["13800000001", "13900000002"]))
    assert payload["at"] == {"atMobiles": ["13800000001", "13900000002"], "isAtAll": False}
    assert "@13800000001" in payload["markdown"]["text"]
    assert send(bot, [payload]) == [{"errcode": 0, "errmsg": "ok"}]


def test_wecom_markdown_fits_4096_bytes_and_the_mentions_follow_in_a_text(robot_server):
    from jtdj.robots import notify_payloads

    bot = robot("schools", "wecom", robot_server.wecom("k-1"))
    md, text = notify_payloads(bot, message(LONG, mobiles=["13800000001"], mention="请华校抓紧反馈"))
    content = md["markdown"]["content"]
    assert len(content.encode()) <= 4096 and content.endswith(TAIL)
    assert all(line in LONG for line in content.split("\n")[:-1])
    assert text == {"msgtype": "text", "text": {"content": "请华校抓紧反馈",
                                                "mentioned_mobile_list": ["13800000001"]}}
    assert send(bot, [md, text]) == [{"errcode": 0, "errmsg": "ok"}] * 2
    assert [p["msgtype"] for p in robot_server.payloads("k-1")] == ["markdown", "text"]


@pytest.mark.parametrize("limit", range(20, 60))
def test_a_cut_never_splits_a_multibyte_character(limit):
    from jtdj.robots import fit

    line = "a" + "é字😀" * 20  # 1, 2, 3 and 4 bytes
    out = fit([line, "second"], limit, "…")
    assert len(out.encode("utf-8")) <= limit
    out.encode("utf-8").decode("utf-8")  # whole characters
    assert "\ufffd" not in out
    head = out.rsplit("\n", 1)[0]
    assert line.startswith(head)


def test_a_message_that_fits_is_sent_whole():
    from jtdj.robots import fit

    assert fit(["# 周报", "本期完成 3 项"], 4096, TAIL) == "# 周报\n本期完成 3 项"


def test_each_platform_answer_is_sorted_into_its_kind_and_never_shows_the_token(robot_server):
    from jtdj.webhook import PostFailed, post_json

    robot_server.hang_seconds = 3
    ding = robot_server.dingtalk("SECRET-TOKEN-1", secret="SECxyz")
    wecom = robot_server.wecom("SECRET-KEY-2")
    md = {"msgtype": "markdown", "markdown": {"title": "t", "text": "x"}}
    cases = [(ding, "dingtalk_throttle", "throttled"), (ding, "sign", "settings"),
             (ding, "keyword", "settings"), (ding, "token", "settings"), (ding, "500", "temporary"),
             (wecom, "wecom_throttle", "throttled"), (wecom, "key", "settings"),
             (wecom, "wecom_markdown_too_long", "permanent"), (ding, "dingtalk_too_long", "permanent")]
    for url, shape, kind in cases:
        robot_server.fail_next(1, shape)
        with pytest.raises(PostFailed) as failed:
            post_json(url, md, cafile=None, timeout=2)
        assert (shape, failed.value.kind) == (shape, kind)
        assert "SECRET" not in failed.value.message and "?…" in failed.value.message
    robot_server.fail_next(1, "hang")
    started = time.monotonic()
    with pytest.raises(PostFailed) as failed:
        post_json(wecom, md, cafile=None, timeout=0.5)
    assert failed.value.kind == "temporary" and time.monotonic() - started < 2
    assert robot_server.sends() == []


def test_a_wrong_signature_is_refused_by_the_platform_and_a_right_one_taken(robot_server):
    from jtdj.webhook import PostFailed

    url = robot_server.dingtalk("tok", secret="SECright")
    payload = {"msgtype": "markdown", "markdown": {"title": "t", "text": "x"}}
    with pytest.raises(PostFailed) as failed:
        send(robot("office", "dingtalk", url, secret="SECwrong"), [payload])
    assert failed.value.kind == "settings" and "310000" in failed.value.message
    assert "SECwrong" not in failed.value.message
    assert send(robot("office", "dingtalk", url, secret="SECright"), [payload])[0]["errcode"] == 0
    [sent] = robot_server.sends("tok")
    assert sent.query["timestamp"].isdigit() and sent.query["sign"]


def test_https_is_verified_against_the_robots_cafile(robot_tls_server):
    from jtdj.webhook import PostFailed

    url = robot_tls_server.wecom("k")
    payload = {"msgtype": "text", "text": {"content": "x"}}
    assert send(robot("w", "wecom", url, cafile=str(robot_tls_server.cafile)), [payload])[0]["errcode"] == 0
    with pytest.raises(PostFailed) as failed:
        send(robot("w", "wecom", url), [payload])
    assert failed.value.kind == "settings" and "certificate" in failed.value.message.lower()
    assert len(robot_tls_server.sends("k")) == 1


def test_a_proxy_in_the_environment_is_not_used_for_a_loopback_robot(robot_server, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    payload = {"msgtype": "text", "text": {"content": "x"}}
    assert send(robot("w", "wecom", robot_server.wecom("k")), [payload])[0]["errcode"] == 0


def test_a_wecom_file_is_uploaded_then_sent_as_a_file_message(robot_server):
    from jtdj.robots import file_payload
    from jtdj.webhook import upload_file

    bot = robot("w", "wecom", robot_server.wecom("k"))
    media = upload_file(bot, "2022年工作台账.xlsx", b"PK\x03\x04ledger", timeout=5)
    upload = robot_server.requests[0]
    assert upload.path == "/cgi-bin/webhook/upload_media" and upload.query["type"] == "file"
    assert upload.files["media"][1] == b"PK\x03\x04ledger"
    assert send(bot, [file_payload(media)])[0]["errcode"] == 0


@pytest.mark.parametrize("table, key", [
    ({"kind": "dingtalk", "url": "http://robot.example.org/robot/send?access_token=SECRETQ"}, "url"),
    ({"kind": "dingtalk", "url": "ftp://127.0.0.1/robot/send?access_token=SECRETQ"}, "url"),
    ({"kind": "slack", "url": "https://robot.example.org/robot/send?access_token=SECRETQ"}, "kind"),
    ({"url": "https://robot.example.org/robot/send?access_token=SECRETQ"}, "kind"),
    ({"kind": "wecom"}, "url"),
])
def test_a_bad_robot_table_is_refused_naming_the_robot_and_the_key_not_the_query(table, key):
    from jtdj.errors import JtdjError
    from jtdj.robots import robots_of

    with pytest.raises(JtdjError) as refused:
        robots_of({"robots": {"office": table}}, {})
    assert refused.value.exit_code == 2
    text = str(refused.value)
    assert "office" in text and key in text and "SECRETQ" not in text


def test_a_bad_robot_name_is_refused():
    from jtdj.errors import JtdjError
    from jtdj.robots import robots_of

    with pytest.raises(JtdjError) as refused:
        robots_of({"robots": {"督查室": {"kind": "wecom", "url": "https://h/x?key=1"}}}, {})
    assert refused.value.exit_code == 2


def test_the_environment_overrides_the_files_url_secret_and_cafile(tmp_path):
    from jtdj.robots import robots_of

    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    env = {"JTDJ_ROBOT_OFFICE_URL": "https://oapi.example.org/robot/send?access_token=ENV",
           "JTDJ_ROBOT_OFFICE_SECRET": "SECenv", "JTDJ_ROBOT_OFFICE_CAFILE": str(ca)}
    table = {"kind": "dingtalk", "url": "https://oapi.example.org/robot/send?access_token=FILE",
             "secret": "SECfile"}
    office = robots_of({"robots": {"office": table}}, env)["office"]
    assert (office.url.endswith("ENV"), office.secret, office.cafile) == (True, "SECenv", str(ca))
    assert "ENV" not in repr(office) and "SECenv" not in repr(office)


def test_a_url_is_shown_without_its_query():
    from jtdj.robots import shown_url

    assert shown_url("https://oapi.dingtalk.com/robot/send?access_token=abc") == \
        "https://oapi.dingtalk.com/robot/send?…"
    assert shown_url("http://127.0.0.1:8080/cgi-bin/webhook/send?key=k") == \
        "http://127.0.0.1:8080/cgi-bin/webhook/send?…"
