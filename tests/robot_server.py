"""A fake 钉钉 (DingTalk) and 企业微信 (WeCom) group-robot server on 127.0.0.1, over HTTP or HTTPS.

It checks what the platforms check and answers as they answer (HTTP 200 with
``{"errcode": …, "errmsg": …}``; the shapes are those the platforms send, see docs/notify.md):

- DingTalk ``POST /robot/send?access_token=T``: the token is known (300001), the Content-Type is
  JSON (43004), the body is JSON (40035), a robot with a secret gets ``timestamp`` (ms, within one
  hour of now) and ``sign`` = base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")) (310000), a
  robot with a keyword finds it in the message (310000), the payload has its msgtype and that
  object (40035), ``at`` is ``{"atMobiles": [str…], "isAtAll": bool}``, the request body is at
  most 20000 bytes (460101 "message too long, exceed 20000 bytes"; the platform's other wording
  of it says "body 大小不合法 … 请保持大小在 20000bytes 以内"), at most 20 messages a minute (130101).
- WeCom ``POST /cgi-bin/webhook/send?key=K``: the key is known (93000), markdown content ≤ 4096
  bytes and text content ≤ 2048 bytes of UTF-8 (40058), ``mentioned_mobile_list`` a list of
  strings, a file message's media_id one the server gave (40007), at most 20 a minute (45009);
  ``POST /cgi-bin/webhook/upload_media?key=K&type=file`` takes a multipart field ``media`` and
  returns a media_id.

Every request is recorded (``server.requests``); ``server.fail_next(n, shape)`` makes the next n
sends answer with a shape of ``SHAPES`` (or HTTP 500, or a hang longer than the client's deadline).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import threading
import time
import urllib.parse
import uuid
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

import pytest

OK = {"errcode": 0, "errmsg": "ok"}
DINGTALK_BYTES = 20000  # "message too long, exceed 20000 bytes" (errcode 460101)
WECOM_MARKDOWN_BYTES = 4096
WECOM_TEXT_BYTES = 2048
PER_MINUTE = 20

SHAPES = {
    "sign": {"errcode": 310000,
             "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"},
    "timestamp": {"errcode": 310000,
                  "errmsg": "invalid timestamp, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"},
    "keyword": {"errcode": 310000,
                "errmsg": "keywords not in content, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"},
    "token": {"errcode": 300001, "errmsg": "token is not exist"},
    "dingtalk_throttle": {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
    "dingtalk_too_long": {"errcode": 460101, "errmsg": "message too long, exceed 20000 bytes"},
    "dingtalk_content_type": {"errcode": 43004, "errmsg": "无效的HTTP HEADER Content-Type"},
    "dingtalk_json": {"errcode": 40035, "errmsg": "缺少参数 json"},
    "key": {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1669900000_fake], from ip: 127.0.0.1, "
                                        "more info at https://open.work.weixin.qq.com/devtool/query?e=93000"},
    "wecom_throttle": {"errcode": 45009, "errmsg": "api freq out of limit, hint: [1669900000_fake]"},
    "wecom_markdown_too_long": {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096. invalid "
                                                           "Request Parameter, hint: [1669900000_fake]"},
    "wecom_text_too_long": {"errcode": 40058, "errmsg": "text.content exceed max length 2048. invalid "
                                                       "Request Parameter, hint: [1669900000_fake]"},
    "wecom_invalid": {"errcode": 40058, "errmsg": "invalid Request Parameter, hint: [1669900000_fake]"},
    "wecom_msgtype": {"errcode": 40008, "errmsg": "invalid message type, hint: [1669900000_fake]"},
    "wecom_empty": {"errcode": 44004, "errmsg": "empty content, hint: [1669900000_fake]"},
    "wecom_media": {"errcode": 40007, "errmsg": "invalid media_id, hint: [1669900000_fake]"},
    "wecom_no_media": {"errcode": 44001, "errmsg": "empty media data, hint: [1669900000_fake]"},
    "not_found": {"errcode": 404, "errmsg": "not found"},
}
# HTTP-level faults for fail_next: a 500 with an HTML body, and a hang past the client's deadline
HTTP_500 = "500"
HANG = "hang"

DINGTALK_TYPES = {"text": ("content",), "markdown": ("title", "text"), "link": ("title", "text", "messageUrl"),
                  "actionCard": ("title", "text"), "feedCard": ("links",)}


class Request(NamedTuple):
    """One request as the server saw it: ``query`` with single values, ``body`` the JSON (None
    when it was not JSON), ``files`` the multipart fields {name: (filename, bytes)}."""

    method: str
    path: str
    query: dict
    headers: dict
    raw: bytes
    body: object
    files: dict
    answer: object
    at: float


def dingtalk_sign(secret: str, timestamp_ms: int | str) -> str:
    """The platform's signature before URL-encoding: base64(HMAC-SHA256(secret, "ts\\nsecret"))."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def utf8_len(text) -> int:
    return len(str(text).encode("utf-8"))


class RobotServer:
    """The fake platform. ``dingtalk(token, secret=…, keyword=…)`` and ``wecom(key)`` register a
    robot and return its webhook URL; ``requests`` / ``sends(token_or_key)`` what arrived."""

    def __init__(self, tls_context: ssl.SSLContext | None = None, hang_seconds: float = 5.0):
        self.tls_context = tls_context
        self.hang_seconds = hang_seconds
        self.dingtalk_robots: dict[str, dict] = {}
        self.wecom_keys: set[str] = set()
        self.media: dict[str, tuple[str, bytes]] = {}
        self.requests: list[Request] = []
        self.clock = time.time  # the server's "now" (seconds), replaceable by a test
        self.per_minute = PER_MINUTE
        self._faults: list[str] = []
        self._sent: dict[str, list[float]] = {}  # robot → times of accepted sends (rate limit)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- set-up -------------------------------------------------------------------------------
    @property
    def base(self) -> str:
        scheme = "https" if self.tls_context else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def dingtalk(self, token: str = "T0KEN", *, secret: str | None = None,
                 keyword: str | None = None) -> str:
        self.dingtalk_robots[token] = {"secret": secret, "keyword": keyword}
        return f"{self.base}/robot/send?access_token={token}"

    def wecom(self, key: str = "0000-KEY") -> str:
        self.wecom_keys.add(key)
        return f"{self.base}/cgi-bin/webhook/send?key={key}"

    def fail_next(self, n: int, shape: str) -> None:
        """The next ``n`` sends (not uploads) answer ``shape``: a key of SHAPES, "500" or "hang"."""
        assert shape in SHAPES or shape in (HTTP_500, HANG), shape
        with self._lock:
            self._faults.extend([shape] * n)

    def start(self) -> "RobotServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                server._handle(self)

            def do_GET(self):
                server._handle(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        if self.tls_context is not None:
            self._httpd.socket = self.tls_context.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    # --- what arrived -------------------------------------------------------------------------
    def sends(self, robot: str | None = None) -> list[Request]:
        """The message sends (not uploads) the server accepted, for one token/key or all."""
        return [r for r in list(self.requests)
                if r.path.endswith("/send") and r.answer == OK
                and (robot is None or robot in (r.query.get("access_token"), r.query.get("key")))]

    def payloads(self, robot: str | None = None) -> list[dict]:
        return [r.body for r in self.sends(robot)]

    # --- the platforms --------------------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urllib.parse.urlsplit(handler.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        body, files = None, {}
        if url.path.endswith("/upload_media"):
            files = parse_multipart(headers.get("content-type", ""), raw)
        else:
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                body = None
        fault = None
        if url.path.endswith("/send"):
            with self._lock:
                fault = self._faults.pop(0) if self._faults else None
        if fault == HANG:
            self._stop.wait(self.hang_seconds)
            answer = OK  # too late: the client has given up, and nothing is delivered
            self._record(handler, url.path, query, headers, raw, body, files, {"hung": True})
            self._reply(handler, 200, answer)
            return
        if fault == HTTP_500:
            self._record(handler, url.path, query, headers, raw, body, files, 500)
            self._reply_raw(handler, 500, b"<html><body>500 Internal Server Error</body></html>", "text/html")
            return
        if fault is not None:
            answer = SHAPES[fault]
        elif url.path == "/robot/send":
            answer = self._dingtalk(query, headers, raw, body)
        elif url.path == "/cgi-bin/webhook/send":
            answer = self._wecom(query, raw, body)
        elif url.path == "/cgi-bin/webhook/upload_media":
            answer = self._upload(query, files)
        else:
            self._record(handler, url.path, query, headers, raw, body, files, 404)
            self._reply_raw(handler, 404, b"not found", "text/plain")
            return
        self._record(handler, url.path, query, headers, raw, body, files, answer)
        self._reply(handler, 200, answer)

    def _record(self, handler, path, query, headers, raw, body, files, answer) -> None:
        with self._lock:
            self.requests.append(Request(handler.command, path, query, headers, raw, body, files,
                                         answer, self.clock()))

    def _reply(self, handler, status: int, answer: dict) -> None:
        self._reply_raw(handler, status, json.dumps(answer, ensure_ascii=False).encode("utf-8"),
                        "application/json; charset=utf-8")

    @staticmethod
    def _reply_raw(handler, status: int, data: bytes, content_type: str) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:  # the client gave up (a hang past its deadline)
            pass

    def _throttled(self, robot: str) -> bool:
        """True when this send would be the 21st within 60 s; else counts it."""
        now = self.clock()
        with self._lock:
            times = [t for t in self._sent.get(robot, []) if now - t < 60]
            if len(times) >= self.per_minute:
                self._sent[robot] = times
                return True
            self._sent[robot] = times + [now]
            return False

    def _dingtalk(self, query: dict, headers: dict, raw: bytes, body) -> dict:
        robot = self.dingtalk_robots.get(query.get("access_token", ""))
        if robot is None:
            return SHAPES["token"]
        if "json" not in headers.get("content-type", ""):
            return SHAPES["dingtalk_content_type"]
        if not isinstance(body, dict):
            return SHAPES["dingtalk_json"]
        if robot["secret"] is not None:
            stamp, sign = query.get("timestamp", ""), query.get("sign", "")
            if not stamp.isdigit() or abs(self.clock() * 1000 - int(stamp)) > 3600 * 1000:
                return SHAPES["timestamp"]
            if not hmac.compare_digest(sign, dingtalk_sign(robot["secret"], stamp)):
                return SHAPES["sign"]
        msgtype = body.get("msgtype")
        fields = DINGTALK_TYPES.get(msgtype)
        message = body.get(msgtype) if fields else None
        if not isinstance(message, dict) or any(not isinstance(message.get(f), (str, list))
                                                or not message.get(f) for f in fields):
            return {"errcode": 40035, "errmsg": f"缺少参数 {msgtype or 'msgtype'}"}
        at = body.get("at", {})
        if not isinstance(at, dict) or not all(isinstance(m, str) for m in at.get("atMobiles", [])) \
                or not isinstance(at.get("atMobiles", []), list) \
                or not isinstance(at.get("isAtAll", False), bool):
            return {"errcode": 40035, "errmsg": "缺少参数 at"}
        text = json.dumps(message, ensure_ascii=False)
        if robot["keyword"] is not None and robot["keyword"] not in text:
            return SHAPES["keyword"]
        if len(raw) > DINGTALK_BYTES:  # "body 大小不合法 … 请保持大小在 20000bytes 以内"
            return SHAPES["dingtalk_too_long"]
        if self._throttled(query["access_token"]):
            return SHAPES["dingtalk_throttle"]
        return OK

    def _wecom(self, query: dict, raw: bytes, body) -> dict:
        key = query.get("key", "")
        if key not in self.wecom_keys:
            return SHAPES["key"]
        if not isinstance(body, dict):
            return SHAPES["wecom_invalid"]
        msgtype = body.get("msgtype")
        message = body.get(msgtype) if isinstance(msgtype, str) else None
        if msgtype not in ("text", "markdown", "image", "news", "file", "template_card") \
                or not isinstance(message, dict):
            return SHAPES["wecom_msgtype"]
        if msgtype in ("text", "markdown"):
            content = message.get("content")
            if not isinstance(content, str) or not content:
                return SHAPES["wecom_empty"]
            if msgtype == "markdown" and utf8_len(content) > WECOM_MARKDOWN_BYTES:
                return SHAPES["wecom_markdown_too_long"]
            if msgtype == "text" and utf8_len(content) > WECOM_TEXT_BYTES:
                return SHAPES["wecom_text_too_long"]
            for name in ("mentioned_list", "mentioned_mobile_list"):
                value = message.get(name, [])
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    return SHAPES["wecom_invalid"]
        if msgtype == "file" and message.get("media_id") not in self.media:
            return SHAPES["wecom_media"]
        if self._throttled(key):
            return SHAPES["wecom_throttle"]
        return OK

    def _upload(self, query: dict, files: dict) -> dict:
        if query.get("key", "") not in self.wecom_keys:
            return SHAPES["key"]
        if query.get("type") not in ("file", "voice") or "media" not in files or not files["media"][1]:
            return SHAPES["wecom_no_media"]
        media_id = "3a8asd892asd8asd" + uuid.uuid4().hex
        self.media[media_id] = files["media"]
        return {"errcode": 0, "errmsg": "ok", "type": query["type"], "media_id": media_id,
                "created_at": str(int(self.clock()))}


def parse_multipart(content_type: str, raw: bytes) -> dict:
    """{field name: (filename, bytes)} of a multipart/form-data body; {} when it is none."""
    if not content_type.startswith("multipart/form-data"):
        return {}
    message = message_from_bytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw,
                                 policy=policy.default)
    if not message.is_multipart():
        return {}
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[name] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return fields


# --- fixtures ---------------------------------------------------------------------------------

@pytest.fixture
def tls_ca(tmp_path):
    """A CA made for the test, a server context with a certificate for 127.0.0.1, and the CA's
    PEM file for the robot's ``cafile``."""
    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    cafile = tmp_path / "robot-ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    return context, cafile


@pytest.fixture
def robot_server(monkeypatch):
    """A fake platform over HTTP on 127.0.0.1; a proxy in the environment is not used for it."""
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    server = RobotServer().start()
    yield server
    server.stop()


@pytest.fixture
def robot_tls_server(monkeypatch, tls_ca):
    """The fake platform over HTTPS (a trustme certificate); ``server.cafile`` verifies it."""
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    context, cafile = tls_ca
    server = RobotServer(tls_context=context).start()
    server.cafile = cafile
    yield server
    server.stop()


def robots_config(**robots: dict) -> str:
    """The config file's [robots.NAME] tables: robots_config(office={"kind": "dingtalk", …})."""
    lines = []
    for name, keys in robots.items():
        lines.append(f"[robots.{name}]")
        lines += [f"{key} = {json.dumps(str(value), ensure_ascii=False)}" for key, value in keys.items()
                  if value is not None]
        lines.append("")
    return "\n".join(lines)
