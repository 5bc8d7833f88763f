"""The group robots' pure parts (jtdj/robots.py, jtdj/render/robot.py): settings, signature,
URL shown, byte limits. The whole path through the CLI and a fake platform server is in
tests/test_notify*.py and tests/test_robot*.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import unquote_plus

import pytest

from jtdj import robots
from jtdj.errors import UsageError
from jtdj.robots import NotifyMessage, Robot


def ding(**kw) -> Robot:
    return Robot("ding", "dingtalk", "https://oapi.example.org/robot/send?access_token=T0KEN",
                 **kw)


def wecom() -> Robot:
    return Robot("wx", "wecom", "https://qyapi.example.org/cgi-bin/webhook/send?key=K3Y")


def test_the_signature_is_dingtalks_hmac_of_the_timestamp_and_secret():
    secret, ts = "SEC0123456789abcdef", 1656633600000
    expected = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert unquote_plus(robots.sign(secret, ts)) == expected
    url = robots.signed_url(ding(secret=secret), ts)
    assert url.startswith("https://oapi.example.org/robot/send?access_token=T0KEN&timestamp=")
    assert url.endswith("&sign=" + robots.sign(secret, ts))
    assert robots.signed_url(ding(), ts) == ding().url  # no secret: no signature


def test_a_url_is_shown_without_its_query():
    assert robots.shown_url(ding().url) == "https://oapi.example.org/robot/send?…"
    assert robots.shown_url("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"
    assert "T0KEN" not in repr(ding(secret="S3CRET")) and "S3CRET" not in repr(ding())


def test_robots_come_from_the_config_with_the_environment_over_it():
    conf = {"robots": {"group_1": {"kind": "dingtalk", "url": "https://a.example/robot/send?"
                                   "access_token=file", "keyword": "进展"}}}
    env = {"JTDJ_ROBOT_GROUP_1_URL": "https://b.example/robot/send?access_token=env",
           "JTDJ_ROBOT_GROUP_1_SECRET": "SECenv"}
    robot = robots.robots_of(conf, env)["group_1"]
    assert (robot.url, robot.secret, robot.keyword) == (env["JTDJ_ROBOT_GROUP_1_URL"], "SECenv",
                                                         "进展")


@pytest.mark.parametrize("table, words", [
    ({"kind": "slack", "url": "https://x.example/?k=S3CRET"}, ["bad", "kind"]),
    ({"kind": "wecom"}, ["bad", "url"]),
    ({"kind": "wecom", "url": "http://10.0.0.1/send?key=S3CRET"}, ["bad", "url", "10.0.0.1"]),
    ({"kind": "wecom", "url": "ftp://x.example/send?key=S3CRET"}, ["bad", "url"]),
])
def test_a_bad_robot_is_refused_naming_it_and_the_key_never_the_query(table, words):
    with pytest.raises(UsageError) as caught:
        robots.robots_of({"robots": {"bad": table}}, {})
    message = caught.value.message
    assert "S3CRET" not in message
    for word in words:
        assert word in message


def test_a_robot_name_outside_letters_digits_and_underscore_is_refused():
    with pytest.raises(UsageError):
        robots.robots_of({"robots": {"党建 群": {"kind": "wecom", "url": "https://x/send"}}}, {})


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "[::1]", "localhost"])
def test_http_is_accepted_for_loopback_hosts(host):
    conf = {"robots": {"t": {"kind": "wecom", "url": f"http://{host}:9/send?key=k"}}}
    assert robots.robots_of(conf, {})["t"].kind == "wecom"


def test_fit_cuts_at_a_whole_line_and_ends_with_the_tail():
    lines = [f"第{i}行：" + "汉" * 20 for i in range(100)]
    text = robots.fit(lines, 500, "……完整报告见邮件/附件")
    assert len(text.encode()) <= 500
    assert text.endswith("\n……完整报告见邮件/附件")
    kept = text.split("\n")[:-1]
    assert kept == lines[:len(kept)] and kept
    assert robots.fit(["短"], 500, "tail") == "短"


def test_fit_never_splits_a_character_even_in_one_long_line():
    text = robots.fit(["汉" * 1000], 100, "……")
    assert len(text.encode()) <= 100
    text.encode("utf-8").decode("utf-8")  # whole characters
    assert text.endswith("\n……")


def test_payloads_keep_each_platforms_byte_limits_and_mentions():
    lines = [f"- 5.{i} " + "工作任务" * 30 for i in range(200)]
    message = NotifyMessage("催办通知：甲校", {"dingtalk": lines, "wecom": lines},
                            ("13800000001",), "甲校：有 200 项工作待反馈")
    [d] = robots.notify_payloads(ding(keyword="催办"), message)
    assert len(d["markdown"]["text"].encode()) <= robots.DINGTALK_MARKDOWN_BYTES
    assert d["markdown"]["text"].endswith("@13800000001")
    assert "催办" in d["markdown"]["title"] and "催办" in d["markdown"]["text"]
    assert d["at"] == {"atMobiles": ["13800000001"], "isAtAll": False}
    md, text = robots.notify_payloads(wecom(), message)
    assert len(md["markdown"]["content"].encode()) <= robots.WECOM_MARKDOWN_BYTES
    assert text["text"]["mentioned_mobile_list"] == ["13800000001"]
    assert len(text["text"]["content"].encode()) <= robots.WECOM_TEXT_BYTES


def test_a_keyword_missing_from_the_message_is_put_in_its_title_and_text():
    message = NotifyMessage("周报", {"dingtalk": ["### 2022 要点", "正文"]})
    [d] = robots.notify_payloads(ding(keyword="jtdj"), message)
    assert "jtdj" in d["markdown"]["title"]
    assert d["markdown"]["text"].startswith("### jtdj")


def test_a_keyword_goes_once_into_a_message_without_lines():
    robot = ding(keyword="督查")
    [payload] = robots.notify_payloads(robot, NotifyMessage("周报", {}))
    assert payload["markdown"]["text"] == "督查｜周报"


def test_the_wecom_upload_address_is_the_send_address_with_upload_media():
    from jtdj.webhook import upload_url

    assert upload_url(wecom().url) == (
        "https://qyapi.example.org/cgi-bin/webhook/upload_media?key=K3Y&type=file")


def test_a_robot_server_trickling_its_answer_is_given_up_at_the_deadline():
    """One deadline for the whole request: a byte every 0.1 s keeps every read under a socket
    timeout, but not the request under its deadline."""
    import socket
    import threading
    import time

    from jtdj.webhook import PostFailed, post_json

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def trickle():
        conn, _ = listener.accept()
        conn.recv(65536)
        answer = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"errcode":0}'
        for byte in answer * 20:
            if stop.is_set():
                break
            try:
                conn.send(bytes([byte]))
            except OSError:
                break
            time.sleep(0.1)
        conn.close()

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/robot/send?access_token=T0KEN"
    began = time.monotonic()
    with pytest.raises(PostFailed) as caught:
        post_json(url, {"msgtype": "text", "text": {"content": "x"}}, cafile=None, timeout=1)
    stop.set()
    listener.close()
    assert time.monotonic() - began < 3
    assert caught.value.kind == "temporary" and "T0KEN" not in caught.value.message
    assert "超时（1 秒）" in caught.value.message


@pytest.mark.parametrize("answer, kind", [
    ({"errcode": 130101, "errmsg": "send too fast"}, "throttled"),
    ({"errcode": 45009, "errmsg": "api freq out of limit"}, "throttled"),
    ({"errcode": 310000, "errmsg": "sign not match"}, "settings"),
    ({"errcode": 93000, "errmsg": "invalid webhook url"}, "settings"),
    ({"errcode": 40058, "errmsg": "too long"}, "permanent"),
])
def test_a_platforms_answer_decides_the_kind_of_failure(answer, kind):
    from jtdj.webhook import PostFailed, _answer

    import json

    with pytest.raises(PostFailed) as caught:
        _answer(json.dumps(answer).encode(), "https://x.example/robot/send?…")
    assert caught.value.kind == kind
