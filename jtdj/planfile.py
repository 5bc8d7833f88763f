"""A plan file off the disk: a small regular file, UTF-8 (with or without a BOM), TOML; and
the fields its tables may have.

Apart from ``plan`` (which validates what the TOML says) because an import reads the bytes
first: when they are the bytes it imported last time, nothing else needs doing
(``importer.unchanged_import``).
"""

from __future__ import annotations

import stat
from hashlib import sha256
from pathlib import Path

import tomli

from jtdj.errors import PlanFileError
from jtdj.i18n import t
from jtdj.plantoml import plain_toml

MAX_PLAN_BYTES = 32 * 1024 * 1024

# The fields each table of the file may have (docs/plan-format.md): field -> (kind, required);
# ``plan`` checks them.
TOP_FIELDS = {"format": ("integer", False), "plan": ("table", True), "sections": ("tables", True)}
PLAN_FIELDS = {
    "key": ("string", True), "title": ("string", True), "issuer": ("string", False),
    "doc_no": ("string", False), "issued": ("date", False), "due": ("date", False),
    "preamble": ("string", False),
    # the notice's own fields (通知, docs/plan-format.md): its title, 主送机关, 此件公开发布, 印发
    "notice_title": ("string", False), "addressee": ("string", False),
    "public": ("boolean", False), "printed_by": ("string", False), "printed_on": ("date", False),
}
SECTION_FIELDS = {"no": ("integer", True), "title": ("string", True), "items": ("tables", False)}
ITEM_FIELDS = {
    "no": ("integer", True), "title": ("string", True), "text": ("string", False),
    "tasks": ("tables", False), "notes": ("tables", False),
}
TASK_FIELDS = {
    "no": ("integer", True), "title": ("string", True), "due": ("date", False),
    "start": ("date", False), "when": ("string", False), "owner": ("string", False),
    "support": ("strings", False), "tags": ("strings", False), "status": ("string", False),
    "percent": ("integer", False), "done_on": ("date", False), "dropped_on": ("date", False),
    "drop_reason": ("string", False), "archived": ("boolean", False), "added": ("boolean", False),
    "evidence": ("strings", False), "notes": ("tables", False), "each": ("strings", False),
    "shares": ("tables", False), "kind": ("string", False), "every": ("string", False),
    "day": ("integer", False), "occurrences": ("tables", False),
}
SHARE_FIELDS = {"unit": ("string", True), **{n: TASK_FIELDS[n] for n in (
    "status", "percent", "due", "done_on", "dropped_on", "drop_reason", "evidence", "notes")}}
OCCURRENCE_FIELDS = {"period": ("string", True), "unit": ("string", False), **{
    n: TASK_FIELDS[n] for n in ("status", "percent", "due", "done_on", "dropped_on",
                                "drop_reason", "evidence", "notes")}}
NOTE_FIELDS = {"on": ("date", True), "text": ("string", True), "by": ("string", False),
               "percent": ("integer", False)}


def read_bytes(path: Path) -> bytes:
    """A regular file's bytes (not a FIFO or a device), no more than the size limit."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a folder, /dev/zero or a FIFO: never read
            raise PlanFileError(t("plan.unreadable", file=path, reason=t("plan.is_directory"))
                                if stat.S_ISDIR(info.st_mode) else t("error.plan_not_file", file=path))
        with open(path, "rb") as fh:  # read no more than the limit, even if the file grew
            raw = fh.read(MAX_PLAN_BYTES + 1) if info.st_size <= MAX_PLAN_BYTES else b""
    except FileNotFoundError:
        raise PlanFileError(t("plan.not_found", file=path)) from None
    except OSError as exc:
        raise PlanFileError(t("plan.unreadable", file=path, reason=exc.strerror or exc)) from None
    size = max(info.st_size, len(raw))
    if size > MAX_PLAN_BYTES:
        raise PlanFileError(t("plan.too_large", file=path, size=size // (1024 * 1024),
                              limit=MAX_PLAN_BYTES // (1024 * 1024)))
    return raw


def digest(raw: bytes) -> str:
    return sha256(raw).hexdigest()


def decode(raw: bytes, path: Path) -> str:
    """The file's text: not empty, not binary, UTF-8 (a BOM is dropped)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise PlanFileError(t("plan.empty_file", file=path))
    if b"\x00" in raw[:8192]:
        raise PlanFileError(t("plan.binary", file=path))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PlanFileError(t("plan.not_utf8", file=path, line=line)) from None


def parse_toml(text: str, path: Path | str) -> dict:
    """The file's tables: read line by line when every line is plain TOML (``plantoml``: the
    same tables, faster), else by tomli, whose errors say what is wrong and where."""
    try:
        plain = plain_toml(text)
        return plain if plain is not None else tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        reason = getattr(exc, "msg", None) or str(exc).split(" (at ")[0]
        if line is None:
            raise PlanFileError(t("plan.bad_toml_nopos", file=path, reason=reason)) from None
        raise PlanFileError(t("plan.bad_toml", file=path, line=line, col=col, reason=reason)) from None
    except RecursionError:
        raise PlanFileError(t("plan.too_deep", file=path)) from None
