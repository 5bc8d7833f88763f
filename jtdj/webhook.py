"""One POST to a group robot's webhook, with the standard library (urllib.request + ssl).

HTTPS is verified against the system's CAs, or the robot's ``cafile`` alone when it has one;
``HTTPS_PROXY`` is honoured as urllib honours it (``NO_PROXY`` too), and a loopback host is
never sent through a proxy. Each request has one deadline (``timeout``: the connection and
every read). The platforms answer HTTP 200 with ``{"errcode": …, "errmsg": …}``; what an
answer means decides the message's fate (``PostFailed.kind``):

- ``temporary``: a connection error, a timeout, HTTP 5xx, a TLS error other than a failed
  verification, an answer that is not JSON — tried again by the next ``notify --flush`` (for
  ``[notify] retry_days``, then set aside);
- ``throttled``: too many messages (DingTalk 130101 / 410100, WeCom 45009, HTTP 429) — waits
  (for ``retry_days`` too), and this run posts nothing more to that robot;
- ``settings``: the robot's settings are wrong (DingTalk 310000 keyword / signature / IP,
  300001 / 300005 / 400101 token; WeCom 93000 / 93004 / 40014 / 40001 key, HTTP 401 / 403 /
  404, a certificate that does not verify) — every message to that robot waits until they
  are fixed;
- ``permanent``: the platform refuses this message (WeCom 40058 too long, 44004 empty,
  40008 bad type; DingTalk 460101 too long; any other errcode or HTTP 4xx) — set aside.

The table of docs/notify.md "How each answer is classified" says the same: keep them alike.

No message built here contains the URL's query.
"""

from __future__ import annotations

import http.client
import json
import secrets
import socket
import ssl
import threading
import urllib.error
import urllib.request
from urllib.parse import quote, urlsplit, urlunsplit

from jtdj.i18n import t
from jtdj.robots import Robot, is_loopback, shown_url
from jtdj.smtp import why

THROTTLED = {130101, 410100, 45009}
SETTINGS = {310000, 300001, 300005, 400101, 93000, 93004, 40014, 40001}
MAX_ANSWER = 1 << 20  # a robot's answer is a few hundred bytes


class PostFailed(Exception):
    """A post that did not go: ``kind`` is temporary, throttled, permanent or settings;
    ``message`` is one line without the URL's query."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind, self.message = kind, message


class _Deadline:
    """One deadline for a whole request: when it passes, the connection's socket is shut, so a
    server that trickles its answer a byte at a time cannot hold the run (a socket timeout
    alone bounds each read, not their sum)."""

    def __init__(self, seconds: float):
        self.seconds, self.expired, self.connections = seconds, False, []
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True

    def _expire(self) -> None:
        self.expired = True
        for connection in self.connections:
            sock = getattr(connection, "sock", None)
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def http(self, *args, **kwargs):
        self.connections.append(http.client.HTTPConnection(*args, **kwargs))
        return self.connections[-1]

    def https(self, *args, **kwargs):
        self.connections.append(http.client.HTTPSConnection(*args, **kwargs))
        return self.connections[-1]


class _HTTP(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(self.deadline.http, req)


class _HTTPS(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline, context: ssl.SSLContext):
        super().__init__(context=context)
        self.deadline = deadline

    def https_open(self, req):
        return self.do_open(self.deadline.https, req, context=self._context)


def _opener(url: str, cafile: str | None, deadline: _Deadline):
    handlers = [_HTTP(deadline)]
    if urlsplit(url).scheme == "https":
        context = ssl.create_default_context(cafile=cafile) if cafile else \
            ssl.create_default_context()
        handlers.append(_HTTPS(deadline, context))
    if is_loopback(urlsplit(url).hostname or ""):
        handlers.append(urllib.request.ProxyHandler({}))  # never a proxy for 127.0.0.1
    return urllib.request.build_opener(*handlers)


def _request(url: str, body: bytes, content_type: str, cafile: str | None,
             timeout: float) -> dict:
    where = shown_url(url)
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": content_type,
                                              "User-Agent": "jtdj"})
    deadline = _Deadline(timeout)
    deadline.timer.start()
    try:
        with _opener(url, cafile, deadline).open(request, timeout=timeout) as answer:
            raw = answer.read(MAX_ANSWER)
    except Exception as exc:
        if deadline.expired:
            raise _timed_out(where, timeout) from None
        raise _failure(exc, where, timeout) from None
    finally:
        deadline.timer.cancel()
    if deadline.expired:
        raise _timed_out(where, timeout)
    return _answer(raw, where)


def _timed_out(where: str, timeout: float) -> PostFailed:
    return PostFailed("temporary", t("robot.fail.timeout", where=where, seconds=f"{timeout:g}"))


def _failure(exc: Exception, where: str, timeout: float) -> PostFailed:
    """What a failed request means, said without the URL's query."""
    if isinstance(exc, urllib.error.HTTPError):
        code = exc.code
        exc.close()
        kind = ("throttled" if code == 429 else "temporary" if code >= 500
                else "settings" if code in (401, 403, 404) else "permanent")
        return PostFailed(kind, t("robot.fail.http", where=where, code=code))
    if isinstance(exc, urllib.error.URLError):
        if not isinstance(exc.reason, BaseException):
            return PostFailed("temporary", t("robot.fail.network", where=where,
                                             reason=str(exc.reason)))
        exc = exc.reason
    if isinstance(exc, ssl.SSLCertVerificationError):
        text = exc.verify_message or "certificate verify failed"
        return PostFailed("settings", t("robot.fail.tls", where=where, reason=text))
    if isinstance(exc, ssl.SSLError):
        return PostFailed("temporary", t("robot.fail.tls", where=where, reason=why(exc)))
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return _timed_out(where, timeout)
    if isinstance(exc, ConnectionRefusedError):
        return PostFailed("temporary", t("robot.fail.refused", where=where))
    if isinstance(exc, (OSError, ValueError)):  # ValueError: urllib quotes the URL — never shown
        text = getattr(exc, "strerror", None) or type(exc).__name__
        return PostFailed("temporary", t("robot.fail.network", where=where, reason=text))
    # http.client's protocol errors: a broken answer
    return PostFailed("temporary", t("robot.fail.network", where=where,
                                     reason=type(exc).__name__))


def _answer(raw: bytes, where: str) -> dict:
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError
    except (UnicodeDecodeError, ValueError):
        raise PostFailed("temporary", t("robot.fail.not_json", where=where)) from None
    code = data.get("errcode", 0)
    if code in (0, None):
        return data
    text = " ".join(str(data.get("errmsg") or "").split())[:200]
    kind = "throttled" if code in THROTTLED else "settings" if code in SETTINGS else "permanent"
    raise PostFailed(kind, t("robot.fail.errcode", where=where, code=code, text=text))


def post_json(url: str, payload: dict, *, cafile: str | None, timeout: float) -> dict:
    """POST ``payload`` as JSON; the platform's answer, or PostFailed."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return _request(url, body, "application/json; charset=utf-8", cafile, timeout)


def upload_url(url: str) -> str:
    """WeCom's upload_media address from the webhook's: …/webhook/send?key=K →
    …/webhook/upload_media?key=K&type=file."""
    parts = urlsplit(url)
    path = parts.path
    path = path[: -len("/send")] + "/upload_media" if path.endswith("/send") else path
    query = "&".join(q for q in (parts.query, "type=file") if q)
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def upload_file(robot: Robot, filename: str, data: bytes, *, timeout: float) -> str:
    """Upload a file for WeCom's file message (multipart field ``media``); its media_id."""
    boundary = "jtdj" + secrets.token_hex(12)
    quoted = filename.replace("\\", "_").replace('"', "_").replace("\r", "").replace("\n", "")
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; "
            f"filename=\"{quoted}\"; filename*=UTF-8''{quote(filename)}; "
            f"filelength={len(data)}\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode("utf-8")
    body = head + data + f"\r\n--{boundary}--\r\n".encode("ascii")
    answer = _request(upload_url(robot.url), body, f"multipart/form-data; boundary={boundary}",
                      robot.cafile, timeout)
    media = answer.get("media_id")
    if not isinstance(media, str) or not media:
        raise PostFailed("temporary", t("robot.fail.no_media", where=shown_url(robot.url)))
    return media
