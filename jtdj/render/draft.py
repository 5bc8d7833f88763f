"""The plan file ``jtdj draft`` writes: docs/plan-format.md's format, with a ``# 待核：…`` comment
above each decision a person should check. Pure: the document and its tasks in, text out."""

from __future__ import annotations

import re
from datetime import date

from jtdj.i18n import t
from jtdj.render.records import numeral
from jtdj.render.toml import quote, value

_PLAN_FIELDS = ("key", "title", "issuer", "doc_no", "issued", "notice_title", "addressee",
                "public", "printed_by", "printed_on", "due")
_TASK_FIELDS = ("kind", "every", "when", "start", "due", "owner", "support")
_COMMENT_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def plan_toml(document, tasks: list[list[dict]], tally: dict, source: str = "") -> str:
    """The whole plan file as text; ``tasks`` as draft_tasks.propose gives them, item by item."""
    plan = document["plan"]
    lines = [_comment(plan.get("issuer") or "")] if plan.get("issuer") else []
    if plan.get("notice_title"):
        lines.append(_comment(plan["notice_title"] + (f"（{plan['doc_no']}）" if plan.get("doc_no") else "")))
    lines.append(_comment(t("draft.header", source=source or "-")))
    lines.append(_comment(t("draft.header_check", checks=tally.get("checks", 0))))
    for note in document.get("notes") or []:
        lines.append(_check(note))
    lines += ["", "format = 1", "", "[plan]"]
    for name in _PLAN_FIELDS:
        v = plan.get(name)
        if v is None or (name == "public" and not v) or v == "":
            continue
        lines.append(f"{name} = {value(v)}")
    if document.get("preamble"):
        lines.append("preamble = " + _long(document["preamble"]))
    items = iter(tasks)
    for section in document["sections"]:
        lines += ["", "", _comment(f"{numeral(section['no'])}、{section['title']}"), "[[sections]]",
                  f"no = {section['no']}", f"title = {quote(section['title'])}"]
        for item in section["items"]:
            lines += ["", _comment(f"{item['no']}. {item['title']}"), "[[sections.items]]",
                      f"no = {item['no']}", f"title = {quote(item['title'])}"]
            if item.get("text"):
                lines.append("text = " + _long(item["text"]))
            if item.get("marker"):
                lines.append(_comment(t("draft.marker", marker=item["marker"])))
            for task in next(items, []):
                lines.append("")
                lines += [_check(note) for note in task.get("check") or []]
                lines += ["[[sections.items.tasks]]", f"no = {task['no']}",
                          f"title = {quote(task['title'])}"]
                for name in _TASK_FIELDS:
                    v = task.get(name)
                    if v is None or v == [] or (name == "kind" and v == "task"):
                        continue
                    lines.append(f"{name} = {value(v)}")
    return "\n".join(lines) + "\n"


def tally_line(tally: dict) -> str:
    """The last line on stderr: what was drafted and how much there is to check."""
    return t("draft.tally", **tally)


def _check(note: str) -> str:
    return _comment(t("draft.check_prefix") + note)


def _comment(text: str) -> str:
    return ("# " + _COMMENT_UNSAFE.sub(" ", text)).rstrip()


def _long(text: str) -> str:
    """A multi-line basic string whose lines end with a backslash, broken after each 。 and ； (TOML
    joins them with nothing in between, so the text stays exactly as written)."""
    body = quote(text)[1:-1]
    parts = re.split(r"(?<=[。；])(?=[^\s\\])", body)
    return '"""\\\n' + "".join(p + "\\\n" for p in parts if p) + '"""'


def count(document, tasks: list[list[dict]]) -> dict:
    """The tally: sections, items, candidate tasks, timing words dated, ongoing and recurring
    proposals, marks to check."""
    flat = [task for item in tasks for task in item]
    return {
        "sections": len(document["sections"]),
        "items": sum(len(s["items"]) for s in document["sections"]),
        "tasks": len(flat),
        "dated": sum(1 for task in flat if isinstance(task.get("due"), date)
                     or isinstance(task.get("start"), date)),
        "ongoing": sum(1 for task in flat if task.get("kind") == "ongoing"),
        "recurring": sum(1 for task in flat if task.get("every")),
        "checks": len(document.get("notes") or []) + sum(len(task.get("check") or [])
                                                         for task in flat),
    }
