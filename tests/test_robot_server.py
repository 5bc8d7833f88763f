"""The fake 钉钉 / 企业微信 server of tests/robot_server.py checks what the platforms check and
answers in their shapes, so the notify tests that pass against it mean something."""

from __future__ import annotations

import json
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from robot_server import SHAPES, dingtalk_sign, robot_server, robot_tls_server, tls_ca  # noqa: F401

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(url, payload, *, raw=None, content_type="application/json;charset=utf-8", context=None,
         timeout=5.0):
    data = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPSHandler(context=context))
    with opener.open(request, timeout=timeout) as answer:
        return json.loads(answer.read().decode("utf-8"))


def markdown(text, title="周报"):
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text},
            "at": {"atMobiles": [], "isAtAll": False}}


def signed(url, secret, stamp=None):
    stamp = stamp if stamp is not None else int(time.time() * 1000)
    return f"{url}&timestamp={stamp}&sign={urllib.parse.quote_plus(dingtalk_sign(secret, stamp))}"


def test_a_correct_dingtalk_signature_is_accepted_and_a_wrong_one_answered_310000(robot_server):
    url = robot_server.dingtalk("tok", secret="SEC123")
    assert post(signed(url, "SEC123"), markdown("本周完成3项")) == {"errcode": 0, "errmsg": "ok"}
    assert post(signed(url, "other"), markdown("本周完成3项")) == SHAPES["sign"]
    assert post(url, markdown("本周完成3项")) == SHAPES["timestamp"]  # not signed at all
    two_hours_ago = int((time.time() - 7200) * 1000)
    assert post(signed(url, "SEC123", two_hours_ago), markdown("x")) == SHAPES["timestamp"]
    assert len(robot_server.sends("tok")) == 1


def test_an_unencoded_signature_is_not_accepted(robot_server):
    url = robot_server.dingtalk("tok", secret="SEC123")
    for stamp in range(1669900000000, 1669900000000 + 50):  # find one whose base64 has a "+"
        if "+" in dingtalk_sign("SEC123", stamp):
            break
    robot_server.clock = lambda: stamp / 1000
    raw = f"{url}&timestamp={stamp}&sign={dingtalk_sign('SEC123', stamp)}"
    assert post(raw, markdown("x"))["errcode"] == 310000
    assert post(signed(url, "SEC123", stamp), markdown("x"))["errcode"] == 0


def test_the_dingtalk_keyword_must_be_in_the_message(robot_server):
    url = robot_server.dingtalk("tok", keyword="督查")
    assert post(url, markdown("本周完成3项")) == SHAPES["keyword"]
    assert post(url, markdown("本周完成3项", title="督查周报"))["errcode"] == 0
    assert post(url, markdown("督查：本周完成3项"))["errcode"] == 0


def test_dingtalk_refuses_a_bad_token_a_bad_schema_and_a_message_over_20000_bytes(robot_server):
    url = robot_server.dingtalk("tok")
    assert post(url.replace("tok", "nope"), markdown("x")) == SHAPES["token"]
    assert post(url, None, raw=b"not json") == SHAPES["dingtalk_json"]
    assert post(url, markdown("x"), content_type="text/plain") == SHAPES["dingtalk_content_type"]
    assert post(url, {"msgtype": "markdown", "markdown": {"text": "no title"}})["errcode"] == 40035
    assert post(url, {"msgtype": "markdown", "markdown": {"title": "t", "text": "x"},
                      "at": {"atMobiles": [13800000001]}})["errcode"] == 40035
    envelope = len(json.dumps(markdown("", title="t")).encode())
    fits = "a" * (20000 - envelope)  # the whole request body counts: 20000 bytes
    assert post(url, markdown(fits, title="t"))["errcode"] == 0
    assert post(url, markdown(fits + "a", title="t")) == SHAPES["dingtalk_too_long"]


def test_wecom_markdown_over_4096_bytes_and_text_over_2048_are_refused(robot_server):
    url = robot_server.wecom("k-1")
    md = {"msgtype": "markdown", "markdown": {"content": "字" * 1365 + "a"}}  # 4096 bytes
    assert post(url, md)["errcode"] == 0
    md["markdown"]["content"] += "a"
    assert post(url, md) == SHAPES["wecom_markdown_too_long"]
    text = {"msgtype": "text", "text": {"content": "字" * 682 + "ab", "mentioned_mobile_list": ["13800000001"]}}
    assert post(url, text)["errcode"] == 0
    text["text"]["content"] += "a"
    assert post(url, text) == SHAPES["wecom_text_too_long"]
    bad = {"msgtype": "text", "text": {"content": "x", "mentioned_mobile_list": [13800000001]}}
    assert post(url, bad)["errcode"] == 40058
    assert post(url.replace("k-1", "k-2"), md) == SHAPES["key"]
    assert post(url, {"msgtype": "markdown", "markdown": {"content": ""}}) == SHAPES["wecom_empty"]


def test_wecom_upload_returns_a_media_id_that_a_file_message_can_use(robot_server):
    url = robot_server.wecom("k-1")
    upload = url.replace("/send?", "/upload_media?") + "&type=file"
    boundary = "----jtdjtest"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"台账.xlsx\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + b"PK\x03\x04data" \
        + f"\r\n--{boundary}--\r\n".encode()
    answer = post(upload, None, raw=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert answer["errcode"] == 0 and answer["type"] == "file" and answer["media_id"]
    assert set(answer) == {"errcode", "errmsg", "type", "media_id", "created_at"}
    [request] = robot_server.requests
    assert request.files["media"] == ("台账.xlsx", b"PK\x03\x04data")
    assert post(url, {"msgtype": "file", "file": {"media_id": answer["media_id"]}})["errcode"] == 0
    assert post(url, {"msgtype": "file", "file": {"media_id": "unknown"}}) == SHAPES["wecom_media"]


def test_the_21st_message_in_a_minute_is_throttled(robot_server):
    ding, wecom = robot_server.dingtalk("tok"), robot_server.wecom("k")
    for _ in range(20):
        assert post(ding, markdown("x"))["errcode"] == 0
        assert post(wecom, {"msgtype": "text", "text": {"content": "x"}})["errcode"] == 0
    assert post(ding, markdown("x")) == SHAPES["dingtalk_throttle"]
    assert post(wecom, {"msgtype": "text", "text": {"content": "x"}}) == SHAPES["wecom_throttle"]
    later = time.time() + 61
    robot_server.clock = lambda: later
    assert post(ding, markdown("x"))["errcode"] == 0


def test_faults_on_demand_a_shape_a_500_and_a_hang(robot_server):
    robot_server.hang_seconds = 2
    url = robot_server.wecom("k")
    message = {"msgtype": "text", "text": {"content": "x"}}
    robot_server.fail_next(1, "wecom_throttle")
    robot_server.fail_next(1, "500")
    robot_server.fail_next(1, "hang")
    assert post(url, message) == SHAPES["wecom_throttle"]
    with pytest.raises(urllib.error.HTTPError) as err:
        post(url, message)
    assert err.value.code == 500
    started = time.monotonic()
    with pytest.raises((TimeoutError, OSError)):
        post(url, message, timeout=0.5)
    assert time.monotonic() - started < 1.5
    assert post(url, message)["errcode"] == 0
    assert len(robot_server.sends("k")) == 1


def test_https_is_verified_with_the_test_ca_and_refused_without_it(robot_tls_server):
    url = robot_tls_server.wecom("k")
    assert url.startswith("https://127.0.0.1:")
    message = {"msgtype": "text", "text": {"content": "x"}}
    context = ssl.create_default_context(cafile=str(robot_tls_server.cafile))
    assert post(url, message, context=context)["errcode"] == 0
    with pytest.raises(urllib.error.URLError) as err:
        post(url, message, context=ssl.create_default_context())
    assert "CERTIFICATE_VERIFY_FAILED" in str(err.value)
