"""Group robots (钉钉 DingTalk, 企业微信 WeCom): their settings, the signature, and the messages
as the platforms take them (docs/notify.md).

A robot is a ``[robots.NAME]`` table of the config file; ``JTDJ_ROBOT_<NAME>_URL``,
``…_SECRET`` and ``…_CAFILE`` override its keys (never a flag), and ``JTDJ_ROBOT_TIMEOUT``
every robot's ``timeout``. The token (DingTalk) and the key
(WeCom) live in the URL's query, so a URL is only ever shown through ``shown_url`` and the
secret never: not by ``--dry-run``, not in an error, not with ``--debug``.

Nothing here sends or prints: ``webhook`` posts, ``robot_delivery`` is the way out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote_plus, urlsplit

from jtdj.errors import UsageError
from jtdj.i18n import t
from jtdj.tuples import named_tuple

ROBOT_NAME = re.compile(r"^[A-Za-z0-9_]+$")
KINDS = ("dingtalk", "wecom")
KEYS = ("kind", "url", "secret", "keyword", "cafile", "timeout")

# The size limits, in bytes of UTF-8, of what each platform takes.
# DingTalk: the custom robot's request body may be at most 20000 bytes (DingTalk open platform,
# 自定义机器人发送群消息, open.dingtalk.com/document/orgapp/custom-bot-send-message-type; over it
# the robot answers errcode 460101 "message too long, exceed 20000 bytes", in the platform's other
# wording "body 大小不合法 … 请保持大小在 20000bytes 以内"). jtdj keeps the whole JSON body under
# it, which keeps markdown.text under it too. Cited in docs/notify.md.
DINGTALK_MARKDOWN_BYTES = 20000
# WeCom: markdown.content ≤ 4096 bytes, text.content ≤ 2048 bytes (群机器人配置说明,
# developer.work.weixin.qq.com/document/path/91770).
WECOM_MARKDOWN_BYTES = 4096
WECOM_TEXT_BYTES = 2048

DEFAULT_TIMEOUT = 10.0  # seconds: one deadline per request
DEFAULT_RETRY_DAYS = 3  # days a temporarily failing message is tried again ([notify])


@named_tuple
class Robot:
    name: str
    kind: str  # "dingtalk" | "wecom"
    url: str
    secret: str | None = None
    keyword: str | None = None
    cafile: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    def __repr__(self) -> str:  # a robot in a traceback or a log shows neither query nor secret
        return f"Robot({self.name!r}, {self.kind!r}, {shown_url(self.url)!r})"


@named_tuple
class NotifyMessage:
    """One message for a group: its title, its markdown lines for each platform
    (``lines["dingtalk"]``, ``lines["wecom"]``), and the mobiles it mentions with the short text
    that carries the mention (WeCom's follow-up text message; DingTalk's ``@138…`` line)."""

    title: str
    lines: Mapping[str, list[str]]
    mobiles: tuple[str, ...] = ()
    mention: str = ""


# --- settings --------------------------------------------------------------------------------

def robots_of(config: dict, environ: Mapping[str, str]) -> dict[str, Robot]:
    """The configured robots by name, the environment over the file; a bad table is an error
    (exit 2) naming the robot and the key, never the URL's query or the secret."""
    tables = config.get("robots") or {}
    if not isinstance(tables, dict):
        raise UsageError(t("robot.bad_table", name="robots"))
    timeout = environ.get("JTDJ_ROBOT_TIMEOUT") or None
    if timeout is not None and _seconds(timeout) is None:
        raise UsageError(t("robot.bad_env_timeout", value=timeout))
    out = {}
    for name, table in tables.items():
        if not ROBOT_NAME.match(str(name)):
            raise UsageError(t("robot.bad_name", name=name))
        if not isinstance(table, dict):
            raise UsageError(t("robot.bad_table", name=f"robots.{name}"))
        out[name] = _robot(name, table, environ)
        if timeout is not None:
            out[name] = out[name]._replace(timeout=_seconds(timeout))
    return out


def _seconds(value) -> float | None:
    """A timeout: seconds, more than 0 and at most 600; None when not one."""
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if 0 < seconds <= 600 else None


def _robot(name: str, table: dict, environ: Mapping[str, str]) -> Robot:
    prefix = f"JTDJ_ROBOT_{name.upper()}_"
    values = {}
    for key in KEYS:
        value = table.get(key)
        env = environ.get(prefix + key.upper()) if key in ("url", "secret", "cafile") else None
        if env:
            value = env
        if value is not None and key != "timeout" and not isinstance(value, str):
            raise UsageError(t("robot.bad_key", name=name, key=key))
        values[key] = value if value != "" else None
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise UsageError(t("robot.unknown_key", name=name, key=unknown[0]))
    if values["kind"] not in KINDS:
        raise UsageError(t("robot.bad_kind", name=name, key="kind", kinds="|".join(KINDS)))
    if not values["url"]:
        raise UsageError(t("robot.no_url", name=name, key="url", env=prefix + "URL"))
    check_url(name, values["url"])
    if values["cafile"] and not Path(values["cafile"]).expanduser().is_file():
        raise UsageError(t("robot.no_cafile", name=name, key="cafile", path=values["cafile"]))
    timeout = DEFAULT_TIMEOUT if values["timeout"] is None else _seconds(values["timeout"])
    if timeout is None:
        raise UsageError(t("robot.bad_key", name=name, key="timeout"))
    cafile = str(Path(values["cafile"]).expanduser()) if values["cafile"] else None
    return Robot(name, values["kind"], values["url"].strip(), values["secret"],
                 values["keyword"], cafile, timeout)


def check_url(name: str, url: str) -> None:
    """https:// anywhere; http:// only to a loopback host (a test server)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        parts.port  # a port that is not a number raises here
    except ValueError:
        raise UsageError(t("robot.bad_url", name=name, key="url")) from None
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and host and is_loopback(host):
        return
    if parts.scheme == "http" and host:
        raise UsageError(t("robot.http_not_local", name=name, key="url", host=host))
    raise UsageError(t("robot.bad_url", name=name, key="url"))


def retry_days(config: dict) -> float:
    """``[notify] retry_days``: how long a robot message that meets only temporary failures
    (network errors, timeouts, HTTP 5xx, throttling) is tried again by ``notify --flush``
    before it is set aside (3 days unless set, as ``[mail] retry_days``)."""
    conf = config.get("notify") or {}
    value = conf.get("retry_days", DEFAULT_RETRY_DAYS) if isinstance(conf, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 3650:
        raise UsageError(t("mail.bad_setting", source="[notify] retry_days", value=value))
    return float(value)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def shown_url(url: str) -> str:
    """scheme://host[:port]/path, the query (the token, the key) replaced by ``?…``: the only
    way a robot's URL is ever printed."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "…"
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{port}{parts.path}" + ("?…" if parts.query else "")


def secrets_exposed(config_path: Path, config: dict) -> bool:
    """A config file holding a robot's URL or secret that group or others may read."""
    tables = config.get("robots")
    if not isinstance(tables, dict) or not any(
            isinstance(v, dict) and (v.get("url") or v.get("secret")) for v in tables.values()):
        return False
    try:
        return bool(os.stat(config_path).st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        return False


# --- DingTalk's signature --------------------------------------------------------------------

def sign(secret: str, timestamp_ms: int) -> str:
    """base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), URL-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"),
                      hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def signed_url(robot: Robot, timestamp_ms: int) -> str:
    """The URL to post to: with ``&timestamp=…&sign=…`` when the robot signs (valid for an
    hour: made at each attempt, never when queued)."""
    if robot.kind != "dingtalk" or not robot.secret:
        return robot.url
    joint = "&" if urlsplit(robot.url).query else "?"
    return f"{robot.url}{joint}timestamp={timestamp_ms}&sign={sign(robot.secret, timestamp_ms)}"


# --- sizes -----------------------------------------------------------------------------------

def size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(text: str, limit: int) -> str:
    """The longest beginning of ``text`` of at most ``limit`` bytes, whole characters only."""
    if limit <= 0:
        return ""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def fit(lines: list[str], limit: int, tail: str) -> str:
    """The lines joined by newlines; when over ``limit`` bytes, cut after the last whole line
    that fits with ``tail`` on a line of its own after it (a first line too long alone is cut
    at a character). Never splits a UTF-8 character; the result is at most ``limit`` bytes."""
    text = "\n".join(lines)
    if size(text) <= limit:
        return text
    room = limit - size(tail) - 1
    kept, used = [], 0
    for line in lines:
        cost = size(line) + (1 if kept else 0)
        if used + cost > room:
            break
        kept.append(line)
        used += cost
    if not kept:
        head = _cut(lines[0] if lines else "", room) if room > 0 else ""
        return (head + "\n" + tail) if head else _cut(tail, limit)
    return "\n".join(kept) + "\n" + tail


def with_keyword(robot: Robot, text: str) -> str:
    """DingTalk's keyword security: the keyword must be in the message."""
    if robot.keyword and robot.keyword not in text:
        return f"{robot.keyword} {text}"
    return text


def notify_payloads(robot: Robot, message: NotifyMessage) -> list[dict]:
    """The JSON bodies to post for ``message``, in order: DingTalk one markdown message (the
    mentions in ``at`` and as ``@138…`` in its text); WeCom a markdown message, then, when it
    mentions anyone, a short text message carrying ``mentioned_mobile_list`` (WeCom mentions by
    mobile work in text messages only)."""
    tail = t("notify.cut")
    lines = list(message.lines.get(robot.kind) or [])
    mobiles = [m for m in message.mobiles if m]
    if robot.kind == "dingtalk":
        title = with_keyword(robot, message.title)
        first = lines[0] if lines else message.title
        if robot.keyword and robot.keyword not in first:
            marks = first[:len(first) - len(first.lstrip("#"))]
            rest = first[len(marks):].lstrip()
            first = f"{marks} {robot.keyword}｜{rest}" if marks else f"{robot.keyword}｜{rest}"
        if robot.keyword:
            lines = [first, *lines[1:]]
        at_line = " ".join(f"@{m}" for m in mobiles)
        limit = DINGTALK_MARKDOWN_BYTES - (size(at_line) + 2 if at_line else 0)
        while True:  # the limit is the whole body's, as JSON: cut until the body fits
            text = fit(lines, limit, tail)
            if at_line:
                text += "\n\n" + at_line
            payload = {"msgtype": "markdown", "markdown": {"title": title, "text": text},
                       "at": {"atMobiles": mobiles, "isAtAll": False}}
            over = size(json.dumps(payload, ensure_ascii=False)) - DINGTALK_MARKDOWN_BYTES
            if over <= 0 or limit <= 0:
                return [payload]
            limit -= over
    payloads = [{"msgtype": "markdown",
                 "markdown": {"content": fit(lines, WECOM_MARKDOWN_BYTES, tail)}}]
    if mobiles:
        payloads.append({"msgtype": "text", "text": {
            "content": fit([message.mention or message.title], WECOM_TEXT_BYTES, ""),
            "mentioned_mobile_list": mobiles}})
    return payloads


def file_payload(media_id: str) -> dict:
    """WeCom's file message, once the file is uploaded."""
    return {"msgtype": "file", "file": {"media_id": media_id}}
