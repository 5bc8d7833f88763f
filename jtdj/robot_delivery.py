"""A group robot's way out, as ``delivery`` is the e-mail's: into the outbox first (its own
folder, ``outbox/robots``, which `jtdj email --flush` never reads), claimed, sent, logged, and
only then removed (docs/notify.md, docs/reliability.md "Robots").

1. ``post`` reads the robot log's duplicate guard and queues the message in one write
   transaction; the file is claimed from its birth. It holds the robot's *name* and the
   payloads, never the URL or the secret: those are read from the settings at each attempt,
   and a DingTalk signature (valid for an hour) is made at each attempt, never at queueing;
2. ``attempt`` posts each payload still due, each only after ``robot_log.take_slot`` found
   the robot under 20 posts in the last minute (the send log, counted by every process); over
   it, the message waits (``limited``) for the next ``notify --flush``. After each payload the
   file keeps how many went, so a retry never posts one twice (but for a kill between the
   platform's answer and that update);
3. a failure decides by its kind (``webhook.PostFailed``): ``permanent`` sets the message
   aside (``outbox/robots/failed``), ``temporary`` leaves it waiting, ``throttled`` and
   ``settings`` leave it waiting and stop this run's posts to that robot. A message that has
   failed (temporary or throttled) for ``retry_days`` is set aside with a reason saying so, as
   ``delivery._later`` does for mail; a settings failure waits until they are fixed.

Nothing here prints.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from jtdj import webhook
from jtdj.errors import JtdjError
from jtdj.i18n import t
from jtdj.robots import DEFAULT_RETRY_DAYS, Robot, file_payload, signed_url
from jtdj.store import Store, outbox, robot_log, utc_text
from jtdj.tuples import named_tuple

RATE_LIMIT = 20  # posts a minute per robot: both platforms' limit
KIND = "robot"


@named_tuple
class Outcome:
    """What became of one message: ``sent``, ``waiting`` (tried again by the next flush),
    ``failed`` (set aside; ``path`` names the copy), ``stopped`` (the robot's settings or a
    throttling answer stop every message to it: it waits), ``limited`` (20 posts in the last
    minute: it waits), ``busy`` (another run holds it)."""

    state: str
    id: str
    robot: str = ""
    cause: str = ""
    path: Path | None = None


@named_tuple
class Sender:
    """What every attempt needs: the store (the robot log, the send log, the clock), the
    robots configured now, the limit a minute and how many days a temporarily failing message
    is tried again (``[notify] retry_days``)."""

    store: Store
    robots: dict[str, Robot]
    limit: int = RATE_LIMIT
    retry_days: float = DEFAULT_RETRY_DAYS


def entry_of(robot: str, plan: str, since: str, until: str, unit: str, key: str, title: str,
             payloads: list[dict], message_id: str,
             upload: tuple[str, bytes] | None = None) -> dict:
    """An outbox entry: the payloads to post in order, and a file to upload first (WeCom's
    file message, sent after the payloads)."""
    steps = [{"payload": p} for p in payloads]
    if upload is not None:
        steps.append({"upload": {"filename": upload[0],
                                 "data": base64.b64encode(upload[1]).decode("ascii")}})
    return {"kind": KIND, "robot": robot, "plan": plan, "since": since, "until": until,
            "unit": unit, "key": key, "title": title, "message_id": message_id,
            "steps": steps, "done": 0}


def post(sender: Sender, folder: Path, entry: dict, force: bool) -> Outcome | dict:
    """Queue a new message and send it; or, when the same one already went (or waits) to the
    same robot and not ``force``, return that robot-log row untouched."""
    claimed: list[outbox.Claim] = []

    def counts(last: dict) -> bool:
        return not force and (last["state"] == "sent" or (
            last["state"] == "queued" and bool(last["outbox"])
            and (folder / last["outbox"]).exists()))

    def queue() -> str:
        claimed.append(outbox.put(folder, entry, sender.store.clock()))
        return claimed[0].path.name

    try:
        standing = robot_log.reserve(sender.store, entry, counts, queue)
    except BaseException:
        for claim in claimed:
            claim.done()
        raise
    if standing is not None:
        return standing
    return attempt(sender, claimed[0])


def post_each(sender: Sender, folder: Path, entries: list[dict], force: list[bool]
              ) -> Iterator[tuple[dict, dict | None, list[Outcome]]]:
    """``post`` each entry (``force``: one flag per entry); for each, the entry, the robot-log
    row of the same message when one went or waits already (else None), and the outcomes: one
    that waits still is sent now rather than queued again; one that went is not sent."""
    for entry, forced in zip(entries, force, strict=True):
        result = post(sender, folder, entry, forced)
        if not isinstance(result, dict):
            yield entry, None, [result]
        elif result["state"] == "queued":
            yield entry, result, flush(sender, [folder / result["outbox"]])
        else:
            yield entry, result, []


def flush(sender: Sender, paths: list[Path], robots: set[str] | None = None) -> list[Outcome]:
    """Send the waiting messages (of ``robots`` only, when given), oldest first, each
    claimed; a robot that stopped or reached its limit gets nothing more in this run."""
    outcomes, held = [], {}
    for path in paths:
        try:
            name = outbox.read(path).get("robot")
        except JtdjError as exc:
            outcomes.append(Outcome("waiting", path.stem, "", exc.message, path))
            continue
        if robots is not None and name not in robots:
            continue
        if name in held:
            outcomes.append(held[name]._replace(id=path.stem, path=path))
            continue
        try:
            claim = outbox.claim(path)
            if claim is None:
                outcomes.append(Outcome("busy", path.stem, name or ""))
                continue
            outcome = attempt(sender, claim)
        except JtdjError as exc:
            outcomes.append(Outcome("waiting", path.stem, name or "", exc.message, path))
            continue
        outcomes.append(outcome)
        if outcome.state in ("stopped", "limited"):
            held[name] = outcome
    return outcomes


def attempt(sender: Sender, claim: outbox.Claim) -> Outcome:
    """Post what is still due of one claimed message and settle its file and its log row."""
    entry, store = claim.entry, sender.store
    name = entry.get("robot") or ""
    steps = entry.get("steps")
    if entry.get("kind") != KIND or not isinstance(steps, list):
        claim.release()
        reason = (t("robot.not_robot", kind=entry.get("kind")) if entry.get("kind") != KIND
                  else t("robot.no_steps"))
        raise JtdjError(t("mail.bad_outbox_file", path=claim.path, reason=reason))
    robot = sender.robots.get(name)
    if robot is None:
        claim.release()
        return Outcome("stopped", claim.id, name, t("robot.not_configured", name=name),
                       claim.path)
    message_id = entry.get("message_id") or ""
    logged = robot_log.of_message(store, message_id) if message_id else None
    if logged and logged["state"] == "sent" and logged["outbox"] != claim.path.name:
        claim.done()  # logged as sent, then killed before its file went: not again
        return Outcome("sent", claim.id, name)
    done = int(entry.get("done") or 0)
    for number, step in enumerate(steps[done:], done + 1):
        if not robot_log.take_slot(store, name, store.clock(), sender.limit):
            claim.release()
            return Outcome("limited", claim.id, name, t("robot.limit", name=name,
                                                         count=sender.limit), claim.path)
        try:
            _post_step(robot, step, store)
        except webhook.PostFailed as exc:
            return _failed(sender, claim, exc, message_id)
        claim.update(done=number)
    if message_id:
        robot_log.mark(store, message_id, "sent")
    claim.done()
    return Outcome("sent", claim.id, name)


def _post_step(robot: Robot, step: dict, store: Store) -> None:
    payload = step.get("payload")
    if "upload" in step:
        upload = step["upload"]
        media = webhook.upload_file(robot, upload["filename"],
                                    base64.b64decode(upload["data"]), timeout=robot.timeout)
        payload = file_payload(media)
    url = signed_url(robot, int(store.clock().timestamp() * 1000))  # at each attempt
    webhook.post_json(url, payload, cafile=robot.cafile, timeout=robot.timeout)


def _failed(sender: Sender, claim: outbox.Claim, exc: webhook.PostFailed,
            message_id: str) -> Outcome:
    now, name = sender.store.clock(), claim.entry.get("robot") or ""
    since = claim.entry.get("failing_since") or utc_text(now)
    reason = exc.message
    if exc.kind in ("temporary", "throttled") and (
            now - datetime.fromisoformat(since) >= timedelta(days=sender.retry_days)):
        reason = t("mail.gave_up", days=f"{sender.retry_days:g}", cause=exc.message)
    if exc.kind == "permanent" or reason != exc.message:
        path = claim.set_aside(reason, now)
        if message_id:
            robot_log.mark(sender.store, message_id, "failed", f"{outbox.FAILED}/{path.name}")
        return Outcome("failed", claim.id, name, reason, path)
    claim.update(attempts=int(claim.entry.get("attempts") or 0) + 1, last_error=exc.message,
                 failing_since=claim.entry.get("failing_since") if exc.kind == "settings"
                 else since, last_attempt_at=utc_text(now))  # settings: no days counted
    claim.release()
    state = "waiting" if exc.kind == "temporary" else "stopped"
    return Outcome(state, claim.id, name, exc.message, claim.path)


def retry_failed(sender: Sender, folder: Path, robots: set[str] | None = None) -> list[Outcome]:
    """Bring the messages set aside (of ``robots``) back to wait, then send them."""
    outcomes = []
    for path in outbox.failed(folder):
        try:
            name = outbox.read(path).get("robot")
        except JtdjError:
            continue
        if robots is not None and name not in robots:
            continue
        outcomes.append(retry(sender, path, name or ""))
    return outcomes


def retry(sender: Sender, path: Path, name: str = "") -> Outcome:
    """Send one message again, set aside (it waits again, its retry days start over) or
    waiting (`jtdj notify --retry ID`)."""
    claim = outbox.retry(path)
    if claim is None:
        return Outcome("busy", path.stem, name)
    if claim.entry.get("message_id"):
        robot_log.mark(sender.store, claim.entry["message_id"], "queued", claim.path.name)
    return attempt(sender, claim)


QUEUE_KEYS = ("id", "state", "robot", "queued_at", "attempts", "last_attempt_at", "reason",
              "failed_at", "plan", "since", "until", "unit", "key", "title", "message_id")


def queue_rows(folder: Path, robots: set[str] | None = None) -> list[dict]:
    """What waits for a robot (of ``robots``, if given), then what was set aside
    (``outbox.records``)."""
    return [{**row, "unit": row["unit"] or None} for row in outbox.records(folder, QUEUE_KEYS)
            if robots is None or row["robot"] in robots]
