"""The status e-mail: its settings, its recipients and the MIME message.

Sending is ``smtp``'s, the way out through the outbox ``delivery``'s. The SMTP password comes
only from JTDJ_SMTP_PASSWORD or the config file; it is never printed, queued or put in an error.
"""

from __future__ import annotations

import base64
import re
import socket
import stat
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from email.utils import format_datetime, getaddresses, make_msgid, quote
from pathlib import Path
from urllib.parse import quote as percent_encode

from jtdj.errors import UsageError
from jtdj.i18n import t

SECURITY = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRY_DAYS = 3
# Headers this module writes out itself (the attachment's, see ``attach``) are sent as written:
# with the default refold_source="long" the email package would fold them again, and it mangles
# a long Content-Type holding non-ASCII parameters (the subtype becomes an encoded word).
SMTP_POLICY = policy.SMTP.clone(refold_source="none")
PREVIEW_POLICY = policy.default.clone(refold_source="none")


@dataclass
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    security: str = "none"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str | None = None
    cafile: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    password_from_config: bool = False


def smtp_settings(flags: dict, environ, config: dict) -> SmtpSettings:
    """Each setting from its flag, else its JTDJ_* variable, else the config file's [smtp]."""
    conf = config.get("smtp") or {}
    if not isinstance(conf, dict):
        raise UsageError(t("mail.bad_setting", source="[smtp]", value=conf))

    def pick(flag: str | None, env: str, key: str):
        if flag is not None and flags.get(flag) not in (None, ""):
            return flags[flag], f"--{flag.replace('_', '-')}"
        if environ.get(env):
            return environ[env], env
        if conf.get(key) not in (None, ""):
            return conf[key], f"[smtp] {key}"
        return None, None

    security, source = pick("smtp_security", "JTDJ_SMTP_SECURITY", "security")
    security = str(security or "none").strip().lower()
    if security not in SECURITY:
        raise UsageError(t("mail.bad_security", source=source, value=security))
    port, source = pick("smtp_port", "JTDJ_SMTP_PORT", "port")
    port = _number(port, source, int) if port is not None else DEFAULT_PORTS[security]
    if not 0 < port < 65536:
        raise UsageError(t("mail.bad_setting", source=source, value=port))
    timeout, source = pick(None, "JTDJ_SMTP_TIMEOUT", "timeout")
    timeout = _number(timeout, source, float) if timeout is not None else DEFAULT_TIMEOUT
    if timeout <= 0:
        raise UsageError(t("mail.bad_setting", source=source, value=timeout))
    host = pick("smtp_host", "JTDJ_SMTP_HOST", "host")[0] or "localhost"
    user = pick("smtp_user", "JTDJ_SMTP_USER", "user")[0]
    password, source = pick(None, "JTDJ_SMTP_PASSWORD", "password")
    sender = pick("sender", "JTDJ_MAIL_FROM", "from")[0]
    if sender is None and user and "@" in str(user):
        sender = str(user)
    if sender is not None:
        check_address(str(sender), "--from")
    if user and password is None:
        raise UsageError(t("mail.no_password", user=user))
    cafile = pick(None, "JTDJ_SMTP_CAFILE", "cafile")[0]
    return SmtpSettings(host=str(host), port=port, security=security,
                        user=str(user) if user else None,
                        password=str(password) if password is not None else None,
                        sender=str(sender) if sender else None,
                        cafile=str(Path(str(cafile)).expanduser()) if cafile else None,
                        timeout=timeout, password_from_config=source == "[smtp] password")


def _number(value, source: str, kind):
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise UsageError(t("mail.bad_setting", source=source, value=value)) from None


def retry_days(config: dict) -> float:
    """``[mail] retry_days``: how long a message that meets only temporary failures is tried
    again before it is set aside (3 days unless set)."""
    conf = config.get("mail") or {}
    value = conf.get("retry_days", DEFAULT_RETRY_DAYS) if isinstance(conf, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 3650:
        raise UsageError(t("mail.bad_setting", source="[mail] retry_days", value=value))
    return float(value)


def password_exposed(config_path: Path, config: dict) -> bool:
    """A config file holding a password that group or others may read."""
    smtp = config.get("smtp")
    if not isinstance(smtp, dict) or not smtp.get("password"):
        return False
    try:
        return bool(config_path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        return False


# --- recipients ------------------------------------------------------------------------------

def check_address(text: str, what: str) -> str:
    """One address (``Name <a@b>`` or ``a@b``); CR/LF and anything without @ are refused."""
    pairs = getaddresses([text])
    if (len(pairs) != 1 or "@" not in pairs[0][1] or any(c in text for c in "\r\n")
            or any(c.isspace() for c in pairs[0][1])):
        raise UsageError(t("mail.bad_address", what=what, value=text))
    return text.strip()


def recipients(to: list[str] | None, cc: list[str] | None, bcc: list[str] | None,
               config: dict, required: bool = True) -> dict[str, list[str]]:
    """To, Cc and Bcc from the flags; when no flag names anyone, from the config's [mail].
    Nobody at all is an error unless not ``required`` (a preview: To undisclosed-recipients)."""
    lists = {"to": list(to or []), "cc": list(cc or []), "bcc": list(bcc or [])}
    if not any(lists.values()):
        conf = config.get("mail") or {}
        for key in lists:
            value = conf.get(key) if isinstance(conf, dict) else None
            lists[key] = [value] if isinstance(value, str) else list(value or [])
    for key, values in lists.items():
        lists[key] = [check_address(str(v), f"--{key}") for v in values if str(v).strip()]
    if required and not any(lists.values()):
        raise UsageError(t("mail.no_recipients"))
    return lists


def preview_sender() -> str:
    """The From of a preview when no sender is set: jtdj@ the host name, as mail(1) does."""
    host = socket.gethostname().strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", host):  # no name, or not a domain
        host = "localhost"
    return f"jtdj@{host}"


def envelope(lists: dict[str, list[str]]) -> list[str]:
    """Every address the message goes to (Bcc included), each once, in the given order."""
    seen: dict[str, None] = {}
    for key in ("to", "cc", "bcc"):
        for _name, addr in getaddresses(lists[key]):
            seen.setdefault(addr, None)
    return list(seen)


def address_only(text: str) -> str:
    return getaddresses([text])[0][1]


# --- the message -----------------------------------------------------------------------------

def build_message(subject: str, text: str, html: str, sender: str,
                  lists: dict[str, list[str]], now: datetime) -> EmailMessage:
    """multipart/alternative: the text report, then the HTML report; UTF-8, base64 bodies so any
    server takes them; the subject and names encoded by the email package (RFC 2047)."""
    if any(c in subject for c in "\r\n"):
        raise UsageError(t("mail.bad_subject"))
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["Subject"] = subject
    msg["From"] = sender
    if lists["to"]:
        msg["To"] = ", ".join(lists["to"])
    if lists["cc"]:
        msg["Cc"] = ", ".join(lists["cc"])
    if not lists["to"] and not lists["cc"]:
        msg["To"] = "undisclosed-recipients:;"
    msg["Date"] = format_datetime(now.astimezone())
    domain = address_only(sender).rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a cron job
    msg["X-Mailer"] = "jtdj"
    msg.set_content(text, subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    return msg


XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def attach(msg: EmailMessage, data: bytes, filename: str) -> None:
    """Add a named attachment; the message becomes multipart/mixed around the two reports.

    Older clients read only one form of a non-ASCII name, so it is written in both: RFC 2231
    (``filename*=``) and RFC 2047 (``filename="=?utf-8?b?…?="``) on Content-Disposition, RFC 2047
    as ``name=`` on Content-Type. ``add_attachment`` writes only the first, and refolds a
    ``name=`` added to it into RFC 2231: so these headers are written here, as they are sent.
    """
    part = Message()  # the legacy model keeps header values as written
    kind = ("text", "html; charset=utf-8") if filename.endswith(".html") else XLSX_TYPE
    part["Content-Type"] = f"{kind[0]}/{kind[1]};\n " + ";\n ".join(
        _name_params("name", filename, rfc2231=False))
    part["Content-Transfer-Encoding"] = "base64"
    part["Content-Disposition"] = "attachment;\n " + ";\n ".join(
        _name_params("filename", filename))
    part.set_payload(base64.encodebytes(data).decode("ascii"))
    if msg.get_content_type() != "multipart/mixed":  # a second attachment joins the first
        msg.make_mixed()
    msg.attach(part)


def _name_params(param: str, value: str, rfc2231: bool = True) -> list[str]:
    """``param`` as MIME parameters, one a header line, each line under 78 characters."""
    if value.isascii():
        return [f'{param}="{quote(value)}"']
    words = [""]
    for char in value:  # encoded words of at most 39 bytes: 64 characters
        if len((words[-1] + char).encode("utf-8")) > 39:
            words.append("")
        words[-1] += char
    params = [f'{param}="' + "\n ".join(
        f"=?utf-8?b?{base64.b64encode(w.encode('utf-8')).decode('ascii')}?=" for w in words) + '"']
    if rfc2231:  # segments of at most 18 characters or %XX, never a %XX cut in two
        segments = re.findall(r"(?:%[0-9A-F]{2}|[^%]){1,18}", percent_encode(value, safe=""))
        segments[0] = "utf-8''" + segments[0]
        names = ([f"{param}*"] if len(segments) == 1
                 else [f"{param}*{n}*" for n in range(len(segments))])
        params[:0] = [f"{name}={segment}" for name, segment in zip(names, segments)]
    return params


def dry_run_text(msg: EmailMessage, bcc: list[str]) -> str:
    """The RFC 5322 message for stdout; Bcc kept so that `| sendmail -t` delivers (and drops) it."""
    if bcc:
        msg["Bcc"] = ", ".join(bcc)
    try:
        return msg.as_string(policy=PREVIEW_POLICY)
    finally:
        del msg["Bcc"]
