"""What waits for the office's review (`jtdj review`) as records: English keys for machines,
words for people (「已完成」, 「申请延期至10月31日」, 「申请取消」)."""

from __future__ import annotations

from datetime import date

from jtdj.i18n import t
from jtdj.render.records import Records, human_value, status_word
from jtdj.render.text import Column


def asked_word(request: dict | None) -> str:
    """A request waiting for review, in words: 申请延期至10月31日, 申请取消 ("" for none)."""
    if not request:
        return ""
    if request.get("kind") == "extend" and request.get("due"):
        d = date.fromisoformat(request["due"])
        return t("review.asked_extend", month=d.month, day=d.day)
    return t("review.asked_cancel")


def status_with_request(code: str | None, request: dict | None) -> str:
    """「推进中（申请延期至10月31日）」: the status, and what waits on it."""
    asked = asked_word(request)
    return status_word(code) + (t("review.paren", text=asked) if asked else "")


REVIEW_KEYS = ("id", "title", "unit", "kind", "on", "due", "new_due", "reason", "percent",
               "late", "note", "evidence")
REVIEW_COLUMNS = (
    Column("id", "col.id", no_wrap=True),
    Column("title", "col.task", min_width=10, ratio=3),
    Column("unit", "col.unit", min_width=6, ratio=1),
    Column("kind", "review.col_kind", min_width=6, ratio=1),
    Column("on", "review.col_on", no_wrap=True),
    Column("note", "review.col_note", min_width=6, ratio=2),
)


def asked(row: dict) -> str:
    """What a unit reported or asked, in words: 已完成（逾期报送）, 申请延期至10月31日, 申请取消."""
    if row["kind"] == "done":
        return t("review.asked_done_late") if row["late"] else t("review.asked_done")
    return asked_word({"kind": row["kind"], "due": row["new_due"]})


def _shown(row: dict) -> dict:
    """The reason asked with, the unit's note when it came with the report or request (not
    one older), and the evidence."""
    note = [row["reason"]] if row["reason"] else []
    if row["note"] and not (row["reason"] and row["reason"] in row["note"]):
        note.append(row["note"])
    if row["evidence"]:
        note.append(t("review.evidence", text=t("list.sep").join(row["evidence"])))
    return {**row, "kind": asked(row), "note": t("review.note_sep").join(note)}


def waiting(rows: list[dict], caption: str) -> Records:
    """`review` rows (``jtdj.review.waiting``) as records."""
    return Records(rows, REVIEW_COLUMNS, REVIEW_KEYS, caption=caption, value=human_value,
                   shown=[_shown(r) for r in rows])
