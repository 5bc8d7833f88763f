"""One message handed to an SMTP server, within one deadline, and what a failure means.

A failure says what should happen to the message (``SendFailed.kind``):

- ``permanent``: the server refused it for good (a 5xx answer to MAIL, RCPT or DATA); sending it
  again unchanged cannot work, so it is set aside and blocks nothing;
- ``temporary``: a 4xx answer, a refused or broken connection, a timeout; it is tried again;
- ``settings``: login, TLS, a certificate file, a host that does not exist; no message can go
  until the settings are fixed, so it stays waiting and nothing counts against it.

``stop`` says whether the next message would meet the same fate (the server, not this message,
is the trouble), so a flush does not wait out the deadline once per message.
"""

from __future__ import annotations

import signal
import smtplib
import socket
import ssl
import threading
from contextlib import contextmanager

from jtdj.errors import JtdjError
from jtdj.i18n import t


class SendFailed(JtdjError):
    """The server did not take the message. ``refused``: the recipients it refused, each with
    its reply code and text, when it refused recipients."""

    def __init__(self, message: str, kind: str, stop: bool = False,
                 refused: dict[str, tuple[int, str]] | None = None):
        super().__init__(message)
        self.kind, self.stop, self.refused = kind, stop, refused or {}


class _OutOfTime(Exception):
    """The conversation's deadline passed (raised from the alarm signal)."""


@contextmanager
def _deadline(seconds: float):
    """Bound the whole SMTP conversation, not each read: a server trickling a byte a second
    would otherwise hold the sender for ever. An interval timer interrupts whatever blocks;
    away from the main thread (where signals cannot be used) each read keeps its own timeout."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def ring(_signum, _frame):
        raise _OutOfTime()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def send(settings, sender: str, to: list[str], raw: bytes) -> dict[str, tuple[int, str]]:
    """Hand the message to the server. Returns the recipients the server refused while it took
    the message for the others (empty when all got it); raises SendFailed otherwise."""
    where = f"{settings.host}:{settings.port}"
    context = None
    if settings.security != "none":
        try:
            context = ssl.create_default_context(cafile=settings.cafile)
        except (OSError, ssl.SSLError) as exc:
            raise SendFailed(t("mail.fail.cafile", path=settings.cafile, reason=why(exc)),
                             "settings", stop=True) from None
    client = None
    try:
        with _deadline(settings.timeout):
            if settings.security == "ssl":
                client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                          context=context)
            else:
                client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
            client.ehlo()
            if settings.security == "starttls":
                if not client.has_extn("starttls"):
                    raise SendFailed(t("mail.fail.no_starttls", where=where), "settings", True)
                client.starttls(context=context)
                client.ehlo()
            if settings.user:
                client.login(settings.user, settings.password or "")
            refused = client.sendmail(sender, to, raw)
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                pass  # the message was taken: a failed goodbye changes nothing
    except Exception as exc:  # noqa: BLE001 - every way out is named in _failure
        raise _failure(exc, settings, sender, where) from None
    finally:
        if client is not None:
            client.close()
    return {addr: _code_text(code, text) for addr, (code, text) in (refused or {}).items()}


def _failure(exc: Exception, settings, sender: str, where: str) -> Exception:
    """What went wrong, in one line, and what it means for the message."""
    timeout = t("mail.fail.timeout", where=where, seconds=f"{settings.timeout:g}")
    if isinstance(exc, SendFailed):
        return exc
    if isinstance(exc, _OutOfTime):
        return SendFailed(timeout, "temporary", stop=True)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SendFailed(t("mail.fail.auth", user=settings.user, where=where, reply=reply(exc)),
                          "settings", stop=True)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = {a: _code_text(c, m) for a, (c, m) in exc.recipients.items()}
        kind = "permanent" if all(c >= 500 for c, _ in refused.values()) else "temporary"
        return SendFailed(refused_message(refused), kind, refused=refused)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return SendFailed(t("mail.fail.sender", sender=sender, reply=reply(exc)),
                          _by_code(exc.smtp_code))
    if isinstance(exc, smtplib.SMTPDataError):
        return SendFailed(t("mail.fail.smtp", where=where, reason=reply(exc)),
                          _by_code(exc.smtp_code))
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return SendFailed(t("mail.fail.smtp", where=where, reason=why(exc)), "settings", True)
    if isinstance(exc, smtplib.SMTPResponseException):  # the greeting, HELO, STARTTLS …
        return SendFailed(t("mail.fail.smtp", where=where, reason=reply(exc)), "temporary", True)
    if isinstance(exc, smtplib.SMTPException):
        if isinstance(exc.__context__, (socket.timeout, TimeoutError)):  # smtplib wraps it
            return SendFailed(timeout, "temporary", stop=True)
        return SendFailed(t("mail.fail.smtp", where=where, reason=why(exc)), "temporary", True)
    if isinstance(exc, ssl.SSLError):
        return SendFailed(t("mail.fail.tls", where=where, reason=why(exc)), "settings", True)
    if isinstance(exc, ConnectionRefusedError):
        return SendFailed(t("mail.fail.refused", where=where), "temporary", stop=True)
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return SendFailed(timeout, "temporary", stop=True)
    if isinstance(exc, socket.gaierror):
        return SendFailed(t("mail.fail.host", host=settings.host, reason=why(exc)),
                          "settings", stop=True)
    if isinstance(exc, OSError):
        return SendFailed(t("mail.fail.network", where=where, reason=why(exc)), "temporary", True)
    return exc


def _by_code(code: int) -> str:
    return "permanent" if code >= 500 else "temporary"


def _code_text(code: int, text) -> tuple[int, str]:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return int(code), " ".join(text.split())


def reply(exc: smtplib.SMTPResponseException) -> str:
    return "{} {}".format(*_code_text(exc.smtp_code, exc.smtp_error))


def why(exc: BaseException) -> str:
    return " ".join(str(getattr(exc, "reason", None) or getattr(exc, "strerror", None)
                        or exc or type(exc).__name__).split())


def refused_message(refused: dict[str, tuple[int, str]]) -> str:
    return t("mail.fail.recipients",
             list="; ".join(f"{addr} ({code} {text})" for addr, (code, text) in refused.items()))
