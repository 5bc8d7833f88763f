"""The 常态工作 block of the summary, the period report and a unit's report: the ongoing tasks
(常态推进), each with the day and text of its latest note (or 暂无进展记录), those quiet for long
(久未报进展) and, in a period's report, those with no note in the period (本期无进展).

Pure: each function returns the keyword arguments of a ``render.report.Block`` (or None when
there is nothing to show), so the writers lay it out as every other block.
"""

from __future__ import annotations

from jtdj.i18n import t

OPEN = ("todo", "doing", "review")


def heading(block: dict, silent: int | None = None) -> str:
    """常态工作（2 项，1 项久未报进展，本期无进展 1 项）: the parts that are not 0."""
    parts = [t("ongoing_report.n_tasks", count=block["tasks"])]
    if block.get("quiet"):
        parts.append(t("ongoing_report.n_quiet", count=block["quiet"]))
    if silent:
        parts.append(t("ongoing_report.n_silent", count=silent))
    return t("ongoing_report.h") + t("report.paren", text=t("report.sep").join(parts))


def marks(r: dict) -> list[str]:
    """What a row's 提示 says: closed (已完成, 待审核), quiet for long, no note in the period."""
    out = []
    if r["status"] not in ("todo", "doing"):
        out.append(t(f"status.{r['status']}"))
    if r["signal"] == "behind":
        out.append(t("light.quiet"))
    if r.get("note_in_period") is False and r["status"] in OPEN:
        out.append(t("ongoing_report.silent"))
    return out


def note_cell(r: dict) -> str:
    """The latest note's text, a share's with its unit; 暂无进展记录 when there is none."""
    if not r["last_note"]:
        return t("ongoing_report.no_note")
    if r.get("unit"):
        return t("ongoing_report.by_unit", unit=r["unit"], text=r["note"] or "")
    return r["note"] or ""


def note_words(r: dict) -> str:
    """The latest note in a line: its day, a share's unit and its text."""
    if not r["last_note"]:
        return t("ongoing_report.no_note")
    if r.get("unit"):
        return t("ongoing_report.line_unit", on=r["last_note"], unit=r["unit"],
                 text=r["note"] or "")
    return t("ongoing_report.line", on=r["last_note"], text=r["note"] or "")


TEXT_WIDTH = 80


def wrapped(text: str, first: str) -> list[str]:
    """``text`` in lines of at most TEXT_WIDTH cells, the first after ``first``, the others
    indented by two (Chinese line breaking: render.text)."""
    from jtdj.render.text import break_offsets, display_width

    if display_width(text) + len(first) <= TEXT_WIDTH:
        return [first + text]
    cuts = [0, *break_offsets(text, TEXT_WIDTH - 2), len(text)]
    parts = [text[a:b].strip() for a, b in zip(cuts, cuts[1:])]
    return [(first if k == 0 else "  ") + p for k, p in enumerate(parts) if p]


def ongoing_block(block: dict | None, owner_word) -> dict | None:
    """The summary's and the period report's 常态工作; None when the plan has no ongoing
    task. ``owner_word`` names a row's owner (未明确责任单位 for none)."""
    if not block:
        return None
    rows = block["rows"]
    sep = t("ongoing_report.mark_sep")
    lines = []
    for r in rows:
        words = [owner_word(r["owner"]), *marks(r)]
        lines += wrapped(f"{r['id']} {r['title']}"
                         + t("report.paren", text=t("report.sep").join(words)), "- ")
        lines += wrapped(note_words(r), "  ")
    return {"heading": heading(block, block.get("no_note_in_period")),
            "headers": [t("col.id"), t("col.task"), t("col.owner"),
                        t("ongoing_report.col_day"), t("col.latest_note"),
                        t("ongoing_report.col_mark")],
            "rows": [[r["id"], r["title"], owner_word(r["owner"]), r["last_note"] or "—",
                      note_cell(r), sep.join(marks(r))] for r in rows],
            "lines": lines,
            "styles": ["warn" if r["signal"] == "behind" else None for r in rows]}


def unit_block(rows: list[dict]) -> dict:
    """A unit's own 常态工作: its open ongoing rows, each with its own latest note (a share's:
    the unit's notes on it)."""
    sep = t("ongoing_report.mark_sep")
    return {"heading": t("ongoing_report.h"),
            "headers": [t("col.id"), t("col.task"), t("col.status"),
                        t("ongoing_report.col_day"), t("col.latest_note"),
                        t("ongoing_report.col_mark")],
            "rows": [[r["id"], r["title"], t(f"status.{r['status']}"), r["last_note"] or "—",
                      r["note"] if r["last_note"] else t("ongoing_report.no_note"),
                      sep.join(m for m in marks(r) if m != t(f"status.{r['status']}"))]
                     for r in rows],
            "styles": ["warn" if r["signal"] == "behind" else None for r in rows]}
