"""The outbox: messages waiting to go out, one file each, claimed by one process at a time.

Everything jtdj sends goes through here first — the status e-mail today; the unit forms,
催办 notices and chat-robot messages are the same kind of entry with another ``kind``. A message
is written (fsynced, 0600) before the first attempt to send it, and removed only once it has
gone, so a sender killed at any point leaves it here for the next ``--flush``.

Layout, beside the database (the folder is checked by ``folders.trusted_dir``)::

    outbox/<id>.json          waiting: the entry, its attempts and the last error
    outbox/failed/<id>.json   set aside: refused for good, or out of retry days; with the reason

A claim is an exclusive ``flock`` on the entry's file, which the system drops when the process
ends, however it ends: a killed sender never leaves a message claimed. A claim holds only while
the path still names the locked file, so a message sent and removed by one process cannot be
sent again by another that opened it a moment before. An entry is rewritten by writing a new
file, locking it, and renaming it over the old one, so the lock travels with the entry.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import datetime, timezone
from hashlib import sha1
from pathlib import Path

from jtdj.errors import JtdjError
from jtdj.i18n import t
from jtdj.store import utc_text

VERSION = 2  # 1: the mail-only outbox before claims (no id, kind or attempts), still read
FAILED = "failed"


def entry_id(now: datetime, key: str) -> str:
    """An id that sorts by the time queued, to the millisecond (two reports queued in the same
    second keep their order), and names the entry: 20220704T080000123-1a2b3c."""
    moment = now.astimezone(timezone.utc)
    stamp = moment.strftime("%Y%m%dT%H%M%S") + f"{moment.microsecond // 1000:03d}"
    return f"{stamp}-{sha1(key.encode('utf-8')).hexdigest()[:6]}"


class Claim:
    """One entry in the hands of this process until ``done``, ``set_aside`` or ``release``."""

    def __init__(self, path: Path, fd: int, entry: dict):
        self.path, self._fd, self.entry = path, fd, entry

    @property
    def id(self) -> str:
        return self.path.stem

    def update(self, **changes) -> None:
        """Keep the entry with ``changes`` (its attempts, its recipients still to reach)."""
        self.entry = {**self.entry, **changes}
        fd = _write_locked(self.path, self.entry)
        os.close(self._fd)
        self._fd = fd

    def done(self) -> None:
        """The message has gone: remove it, then let go of it."""
        self.path.unlink(missing_ok=True)
        self.release()

    def set_aside(self, reason: str, now: datetime) -> Path:
        """Move the entry to ``failed/`` with the reason; it blocks nothing any more."""
        target = self.copy_aside(self.entry.get("recipients"), reason, now)
        self.done()
        return target

    def copy_aside(self, recipients, reason: str, now: datetime) -> Path:
        """Set aside a copy for ``recipients`` only (refused for good while the others got
        the message, or still wait for it); the entry itself stays claimed here."""
        folder = self.path.parent / FAILED
        if not folder.is_dir():
            folder.mkdir(mode=0o700)
        target, n = folder / self.path.name, 1
        while target.exists():  # a part of the same message set aside before
            n += 1
            target = folder / f"{self.path.stem}-{n}.json"
        os.close(_write_locked(target, {**self.entry, "id": target.stem,
                                        "recipients": recipients, "failed_at": utc_text(now),
                                        "reason": reason}))
        return target

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing the last descriptor drops the flock
            self._fd = -1


def put(folder: Path, entry: dict, now: datetime) -> Claim:
    """A new entry, written and already claimed by this process (no other run can take it
    between its writing and its first attempt)."""
    key = entry.get("message_id") or json.dumps(entry, sort_keys=True, ensure_ascii=False)
    ident = entry_id(now, key)
    entry = {"version": VERSION, "id": ident, "queued_at": utc_text(now), "attempts": 0, **entry}
    path = folder / f"{ident}.json"
    return Claim(path, _write_locked(path, entry), entry)


def waiting(folder: Path) -> list[Path]:
    """The entries waiting, oldest first."""
    return _entries(folder)


def failed(folder: Path) -> list[Path]:
    """The entries set aside, oldest first."""
    return _entries(folder / FAILED)


def _entries(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.json") if not p.name.startswith("."))


def records(folder: Path, keys: tuple[str, ...]) -> list[dict]:
    """What waits in ``folder``, then what was set aside, oldest first: one record each of
    ``keys``, read from its file, with ``id``, ``state`` (``waiting`` or ``failed``) and
    ``reason`` (the last error of a waiting message, or why one was set aside). A file that
    cannot be read is listed with the reason why."""
    rows = []
    for state, paths in (("waiting", waiting(folder)), ("failed", failed(folder))):
        for path in paths:
            try:
                entry = read(path)
            except JtdjError as exc:
                entry = {"last_error": exc.message}
            rows.append({key: entry.get(key) for key in keys} | {
                "id": path.stem, "state": state,
                "reason": entry.get("reason") or entry.get("last_error")})
    return rows


def find(folder: Path, ident: str) -> Path | None:
    """The entry called ``ident`` (its id, or its file name), waiting or set aside."""
    name = ident if ident.endswith(".json") else f"{ident}.json"
    if "/" in name or name.startswith("."):
        return None
    for path in (folder / name, folder / FAILED / name):
        if path.is_file():
            return path
    return None


def claim(path: Path) -> Claim | None:
    """Take the entry at ``path``, or None when another process holds it or it has gone."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise JtdjError(t("mail.bad_outbox_file", path=path, reason=exc.strerror)) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    try:
        held, named = os.fstat(fd), os.stat(path)
    except FileNotFoundError:  # sent and removed by the process that held it until now
        os.close(fd)
        return None
    if (held.st_dev, held.st_ino) != (named.st_dev, named.st_ino):  # rewritten meanwhile
        os.close(fd)
        return claim(path)
    try:
        return Claim(path, fd, read(path, fd))
    except BaseException:
        os.close(fd)
        raise


def retry(path: Path) -> Claim | None:
    """Bring an entry set aside back to wait (its attempts start again), claimed."""
    if path.parent.name != FAILED:
        return claim(path)
    held = claim(path)
    if held is None:
        return None
    entry = {k: v for k, v in held.entry.items() if k not in ("failed_at", "reason")}
    entry.update(attempts=0, failing_since=None)
    target = path.parent.parent / path.name
    fresh = Claim(target, _write_locked(target, entry), entry)
    held.done()
    return fresh


def read(path: Path, fd: int | None = None) -> dict:
    """An entry's data; a broken file is one clear error naming it."""
    try:
        if fd is None:
            text = path.read_text(encoding="utf-8")
        else:
            with os.fdopen(os.dup(fd), "r", encoding="utf-8") as fh:
                text = fh.read()
        entry = json.loads(text)
        if not isinstance(entry, dict):
            raise ValueError("not an object")
    except (OSError, ValueError) as exc:
        reason = " ".join(str(getattr(exc, "strerror", None) or exc).split())
        raise JtdjError(t("mail.bad_outbox_file", path=path, reason=reason)) from None
    entry.setdefault("id", path.stem)
    entry.setdefault("kind", "mail")
    entry.setdefault("attempts", 0)
    return entry


def _write_locked(path: Path, entry: dict) -> int:
    """Write ``entry`` to ``path`` by a locked temporary file renamed into place; return the
    open, locked descriptor (the caller's claim)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        data = memoryview(json.dumps(entry, ensure_ascii=False, indent=1).encode("utf-8"))
        while data:
            data = data[os.write(fd, data):]
        os.fsync(fd)
        os.replace(tmp, path)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)
    return fd


def _sync_folder(folder: Path) -> None:
    """The rename itself survives a power cut only once the folder is synced."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
