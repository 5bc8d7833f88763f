"""The status e-mail's way out: into the outbox first, claimed, sent, and only then removed.

The order is what makes the promises of docs/reliability.md hold:

1. ``post`` checks the mail log and queues the message in one write transaction (two runs
   mailing the same report cannot both pass the duplicate guard), and the file is claimed from
   its birth;
2. ``attempt`` sends a claimed message; only after the server's final 250 is it logged as sent,
   then its file removed. A kill before the 250 leaves it waiting; a kill between the 250 and
   the log may send it once more, with the same Message-ID; a kill between the log and the
   removal is noticed by the next flush, which removes the file without sending;
3. a failure decides the message's fate by its kind (``smtp.SendFailed``): set aside for good,
   tried again for ``retry_days``, or left waiting until the settings are fixed.

The CLI turns the outcomes into words; nothing here prints.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from jtdj import smtp
from jtdj.errors import JtdjError
from jtdj.i18n import t
from jtdj.store import Store, mail_log, outbox, utc_text
from jtdj.tuples import named_tuple


@named_tuple
class Outcome:
    """What became of one message: ``sent`` (to every recipient still due), ``waiting`` (tried
    again later), ``failed`` (set aside; ``path`` names the copy), ``stopped`` (the settings or
    the server stop every message: it waits, and the flush stops), ``busy`` (another run holds
    it). ``cause`` is the server's or the system's reason; ``delivered`` how many recipients got
    it in this attempt."""

    state: str
    id: str
    cause: str = ""
    path: Path | None = None
    delivered: int = 0


@named_tuple
class Sender:
    """What every attempt needs: the store (the mail log), the SMTP settings, the clock's time
    now and how many days a temporarily failing message is retried."""

    store: Store
    settings: object
    now: datetime
    retry_days: float


def post(sender: Sender, folder: Path, entry: dict, force: bool) -> Outcome | dict:
    """Queue a new message (``entry``: plan, since, until, recipients key, message_id, subject,
    sender, to, message) and send it; or, when the same report already went (or waits) for
    the same people and not ``force``, return that mail-log row untouched."""
    claimed: list[outbox.Claim] = []

    def counts(last: dict) -> bool:
        """Sent, or waiting with its copy still in the outbox (a copy removed by hand, or set
        aside, was given up)."""
        return not force and (last["state"] == "sent" or (
            last["state"] == "queued" and bool(last["outbox"])
            and (folder / last["outbox"]).exists()))

    def queue() -> str:
        claimed.append(outbox.put(folder, _queued(entry), sender.now))
        return claimed[0].path.name

    log = {k: entry[k] for k in ("plan", "since", "until", "recipients", "message_id", "subject")}
    try:
        standing = mail_log.reserve(sender.store, log, counts, queue)
    except BaseException:
        for claim in claimed:  # queued but not logged: no copy the log does not know
            claim.done()
        raise
    if standing is not None:
        return standing
    return attempt(sender, claimed[0])


def _queued(entry: dict) -> dict:
    return {"kind": "mail", "message_id": entry["message_id"], "plan": entry["plan"],
            "since": entry["since"], "until": entry["until"], "subject": entry["subject"],
            "sender": entry["sender"], "recipients": entry["to"], "message": entry["message"]}


def flush(sender: Sender, paths: list[Path]) -> list[Outcome]:
    """Send the waiting messages, oldest first, each claimed; a message another run holds is
    left to it. Stops at the first failure that would stop every message."""
    outcomes = []
    for path in paths:
        try:
            claim = outbox.claim(path)
            if claim is None:
                outcomes.append(Outcome("busy", path.stem))
                continue
            outcome = attempt(sender, claim)
        except JtdjError as exc:  # a file that cannot be read blocks no other
            outcomes.append(Outcome("waiting", path.stem, exc.message, path))
            continue
        outcomes.append(outcome)
        if outcome.state == "stopped":
            break
    return outcomes


def retry(sender: Sender, path: Path) -> Outcome:
    """Send a message set aside again: it waits again (its retry days start over), then goes."""
    claim = outbox.retry(path)
    if claim is None:
        return Outcome("busy", path.stem)
    message_id = claim.entry.get("message_id")
    if message_id:
        mail_log.mark(sender.store, message_id, "queued", claim.path.name)
    return attempt(sender, claim)


def attempt(sender: Sender, claim: outbox.Claim) -> Outcome:
    """Send one claimed message and settle its file and its log row by what happened."""
    entry = claim.entry
    if entry.get("kind", "mail") != "mail":
        claim.release()
        raise JtdjError(t("mail.bad_outbox_file", path=claim.path, reason=entry.get("kind")))
    try:
        recipients, message = list(entry["recipients"]), entry["message"].encode("utf-8")
    except (KeyError, TypeError, AttributeError):
        claim.release()
        raise JtdjError(t("mail.bad_outbox_file", path=claim.path, reason="recipients/message"))
    message_id = entry.get("message_id") or ""
    logged = mail_log.of_message(sender.store, message_id) if message_id else None
    if logged and logged["state"] == "sent" and logged["outbox"] != claim.path.name:
        claim.done()  # logged as sent, then killed before its file went: do not send again
        return Outcome("sent", claim.id)
    try:
        refused = smtp.send(sender.settings, entry["sender"], recipients, message)
    except smtp.SendFailed as exc:
        return _failed(sender, claim, exc, message_id, len(recipients))
    return _settled(sender, claim, message_id, len(recipients) - len(refused), refused, "")


def _failed(sender: Sender, claim: outbox.Claim, exc: smtp.SendFailed, message_id: str,
            count: int) -> Outcome:
    if exc.kind == "settings":
        claim.update(last_error=exc.message, last_attempt_at=utc_text(sender.now))
        claim.release()
        return Outcome("stopped", claim.id, exc.message, claim.path)
    if exc.refused:  # every recipient refused: each by its own code
        outcome = _settled(sender, claim, message_id, 0, exc.refused, exc.message)
        return outcome._replace(state="stopped") if exc.stop else outcome
    if exc.kind == "permanent":
        return _set_aside(sender, claim, message_id, exc.message)
    return _later(sender, claim, message_id, exc.message, exc.stop)


def _settled(sender: Sender, claim: outbox.Claim, message_id: str, delivered: int,
             refused: dict[str, tuple[int, str]], cause: str) -> Outcome:
    """The server took the message for ``delivered`` recipients and refused ``refused``: the
    recipients refused for good are set aside in a copy of their own, those refused for now
    stay waiting, and the log says sent once anyone has it."""
    never = {a: r for a, r in refused.items() if r[0] >= 500}
    later = [a for a, r in refused.items() if r[0] < 500]
    cause = cause or smtp.refused_message(refused)
    aside = None
    if never and (later or delivered):
        aside = claim.copy_aside(sorted(never), smtp.refused_message(never), sender.now)
    elif never:
        return _set_aside(sender, claim, message_id, cause)
    if later:
        claim.update(recipients=later)
        return _later(sender, claim, message_id, smtp.refused_message(
            {a: refused[a] for a in later}), False, delivered, aside)
    if message_id:
        mail_log.mark(sender.store, message_id, "sent")
    claim.done()
    if aside is not None:
        return Outcome("failed", claim.id, cause, aside, delivered)
    return Outcome("sent", claim.id, delivered=delivered)


def _set_aside(sender: Sender, claim: outbox.Claim, message_id: str, reason: str) -> Outcome:
    path = claim.set_aside(reason, sender.now)
    if message_id:
        mail_log.mark(sender.store, message_id, "failed", f"{outbox.FAILED}/{path.name}")
    return Outcome("failed", claim.id, reason, path)


def _later(sender: Sender, claim: outbox.Claim, message_id: str, cause: str, stop: bool,
           delivered: int = 0, aside: Path | None = None) -> Outcome:
    """A temporary failure: tried again by the next flush, unless it has failed for longer
    than ``retry_days``; then it is set aside with a reason saying so."""
    since = claim.entry.get("failing_since") or utc_text(sender.now)
    if sender.now - datetime.fromisoformat(since) >= timedelta(days=sender.retry_days):
        reason = t("mail.gave_up", days=f"{sender.retry_days:g}", cause=cause)
        outcome = _set_aside(sender, claim, message_id, reason)
        return outcome._replace(delivered=delivered)
    claim.update(attempts=int(claim.entry.get("attempts") or 0) + 1, failing_since=since,
                 last_error=cause, last_attempt_at=utc_text(sender.now))
    claim.release()  # the log keeps it queued, so the same report's next run sends the rest
    state = "stopped" if stop else "waiting"
    return Outcome(state, claim.id, cause, aside or claim.path, delivered)


QUEUE_KEYS = ("id", "state", "kind", "queued_at", "attempts", "last_attempt_at", "reason",
              "failed_at", "recipients", "plan", "since", "until", "subject", "message_id")


def queue_rows(folder: Path) -> list[dict]:
    """What waits in the outbox, then what was set aside (``outbox.records``), with the keys of
    docs/output.md."""
    return outbox.records(folder, QUEUE_KEYS)
