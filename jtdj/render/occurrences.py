"""The 周期性工作 block of the summary and the period report: each recurring task's occurrences
(begun, done, open, overdue, all of its series, the expected and the actual percent), and each
unit's occurrence shares.

Pure: each function returns the keyword arguments of a ``render.report.Block`` (or None when
there is nothing to show), so the writers lay it out as every other block.
"""

from __future__ import annotations

from jtdj.i18n import t
from jtdj.render.ongoing import wrapped

COUNTS = ("begun", "done", "open", "overdue")


def tasks_block(block: dict | None) -> dict | None:
    """Per recurring task, a row (plain text: two lines, fit to 80 columns); None when the
    plan has no recurring task."""
    if not block:
        return None
    rows = block["tasks"]
    lines = []
    for r in rows:
        lines += wrapped(f"{r['id']} {r['title']}", "- ")
        lines += wrapped(t("occurrence_report.line", every=t(f"every.{r['every']}"),
                           total=r["total"], begun=r["begun"], done=r["done"], open=r["open"],
                           overdue=r["overdue"], expected=r["expected_percent"],
                           percent=r["percent"]), "  ")
    # a table of seven columns, the period in the title's cell: it fits 80 columns in Rich
    return {"heading": t("occurrence_report.h") + t("report.paren", text=t(
                "occurrence_report.n_tasks", count=len(rows))),
            "headers": [t("col.id"), t("col.task"), t("occurrence_report.col_done_begun"),
                        t("occurrence_report.col_overdue"), t("occurrence_report.col_total"),
                        t("occurrence_report.col_expected"), t("occurrence_report.col_percent")],
            "rows": [[r["id"], t("occurrence_report.titled", title=r["title"],
                                 every=t(f"every.{r['every']}")),
                      f"{r['done']}/{r['begun']}", str(r["overdue"]), str(r["total"]),
                      f"{r['expected_percent']}%", f"{r['percent']}%"] for r in rows],
            "right": set(range(2, 7)), "lines": lines,
            "styles": ["warn" if r["overdue"] else None for r in rows]}


def units_block(block: dict | None) -> dict | None:
    """Per unit, its occurrence shares begun by the day; None where no unit holds any."""
    if not block or not block["units"]:
        return None
    rows = block["units"]
    return {"heading": t("occurrence_report.h_units"),
            "headers": [t("col.unit"), *(t(f"occurrence_report.col_{k}") for k in COUNTS)],
            "rows": [[r["unit"], *(str(r[k]) for k in COUNTS)] for r in rows],
            "right": {1, 2, 3, 4},
            "styles": ["warn" if r["overdue"] else None for r in rows]}


def occurrence_blocks(block: dict | None) -> list[dict]:
    """The block's parts that have something to show (the writers' ``Block`` arguments)."""
    return [b for b in (tasks_block(block), units_block(block)) if b]
