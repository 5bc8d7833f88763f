"""The parts of the summary and the period report about units: the shares block (任务 N 项，分解到
单位 M 项次) and the per-unit table, with each unit's last form and whether it came late.

Pure: each function returns the keyword arguments of a ``render.report.Block`` (or None when
there is nothing to show), so the report's writers lay them out as every other block.
"""

from __future__ import annotations

from jtdj.i18n import t

SHARE_ROWS = ("done", "review", "doing", "todo", "dropped", "overdue", "due_soon")


def shares_block(shares: dict | None) -> dict | None:
    """The shares counted as of the day; None when no task was handed to units."""
    if not shares or not shares["total"]:
        return None
    return {"heading": t("summary.share_title"),
            "headers": [t("report.col_metric"), t("report.col_value")],
            "rows": [[t("summary.share_tasks"), str(shares["tasks"])],
                     [t("summary.share_total"), str(shares["total"])]]
            + [[t(f"metric.{k}"), str(shares[k])] for k in SHARE_ROWS
               if k != "review" or shares.get("review")], "right": {1}}


def owners_block(owners: list[dict], heading: str) -> dict:
    """Per unit: open, done, overdue; where forms were issued, the last one merged and the
    mark 未按时反馈."""
    forms = any("late" in o for o in owners)
    review = any(o["review"] for o in owners)
    headers = [t("col.owner"), t("metric.open"), t("metric.done"), t("metric.overdue")]
    if review:
        headers.insert(2, t("metric.review"))
    if forms:
        headers += [t("report.share_col_last"), t("report.share_col_late")]
    rows = []
    for o in owners:
        row = [o["owner"] or t("report.no_owner"), str(o["open"]), str(o["done"]),
               str(o["overdue"])]
        if review:
            row.insert(2, str(o["review"]))
        if forms:
            last = o.get("last_report")
            row += [str(last) if last else "—", t("report.share_late") if o.get("late") else ""]
        rows.append(row)
    return {"heading": heading, "headers": headers, "rows": rows,
            "right": {1, 2, 3, 4} if review else {1, 2, 3},
            "styles": ["warn" if o.get("late") else None for o in owners] if forms else None}


def has_forms(owners: list[dict]) -> bool:
    return any("late" in o for o in owners)


BULLETIN_COLUMNS = ("rank", "unit", "tasks", "done", "percent_done", "overdue", "review", "extensions",
           "urges", "on_time")


def bulletin_block(data: dict) -> dict:
    """The 通报's ranking (``bulletin.figures``'s units, the late ones marked): in the 通报
    itself and as a part of the period report."""
    rows = []
    for u in data["units"]:
        back = f"{u['forms_on_time']}/{u['forms_issued']}" if u["forms_issued"] else "—"
        rows.append([str(u["rank"]), u["unit"], str(u["tasks"]), str(u["done"]),
                     f"{u['percent_done']}%", str(u["overdue"]), str(u["review"]),
                     str(u["extensions"]), str(u["urges"]), back])
    return {"heading": t("bulletin.h_ranking"),
            "headers": [t(f"bulletin.col_{c}") for c in BULLETIN_COLUMNS], "rows": rows,
            "right": {0, 2, 3, 4, 5, 6, 7, 8, 9},
            "styles": ["warn" if u["unit"] in data["late"] else None for u in data["units"]]}
