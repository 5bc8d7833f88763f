"""The parts of the summary and the period report about units: the shares block (任务 N 项，分解到
单位 M 项次), the per-unit table, with each unit's last form and whether it came late, and the
tasks behind their pace (进度滞后) per unit.

Pure: each function returns the keyword arguments of a ``render.report.Block`` (or None when
there is nothing to show), so the report's writers lay them out as every other block.
"""

from __future__ import annotations

from jtdj.i18n import t

SHARE_ROWS = ("done", "review", "doing", "todo", "dropped", "overdue", "due_soon", "behind",
              "far_behind")  # 待审核, 滞后 and 严重滞后 only where not 0


def shares_block(shares: dict | None) -> dict | None:
    """The shares counted as of the day; None when no task was handed to units."""
    if not shares or not shares["total"]:
        return None
    return {"heading": t("summary.share_title"),
            "headers": [t("report.col_metric"), t("report.col_value")],
            "rows": [[t("summary.share_tasks"), str(shares["tasks"])],
                     [t("summary.share_total"), str(shares["total"])]]
            + [[t(f"metric.{k}"), str(shares[k])] for k in SHARE_ROWS
               if k not in ("review", "behind", "far_behind") or shares.get(k)],
            "right": {1}}


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


BULLETIN_COLUMNS = ("rank", "unit", "tasks", "done", "percent_done", "overdue", "lagging", "review",
                    "extensions", "urges", "on_time")


def bulletin_block(data: dict) -> dict:
    """The 通报's ranking (``bulletin.figures``'s units, the late ones marked): in the 通报
    itself and as a part of the period report. 滞后 (behind their pace) only where a unit has
    some, as the other quiet counts (JSON always has ``lagging``)."""
    shown = [c for c in BULLETIN_COLUMNS
             if c != "lagging" or any(u.get("lagging") for u in data["units"])]
    rows = []
    for u in data["units"]:
        back = f"{u['forms_on_time']}/{u['forms_issued']}" if u["forms_issued"] else "—"
        cells = {"rank": str(u["rank"]), "unit": u["unit"], "tasks": str(u["tasks"]),
                 "done": str(u["done"]), "percent_done": f"{u['percent_done']}%",
                 "overdue": str(u["overdue"]), "lagging": str(u.get("lagging", 0)),
                 "review": str(u["review"]), "extensions": str(u["extensions"]),
                 "urges": str(u["urges"]), "on_time": back}
        rows.append([cells[c] for c in shown])
    return {"heading": t("bulletin.h_ranking"),
            "headers": [t(f"bulletin.col_{c}") for c in shown], "rows": rows,
            "right": {i for i, c in enumerate(shown) if c != "unit"},
            "styles": ["warn" if u["unit"] in data["late"] else None for u in data["units"]]}


def pace_cells(r: dict) -> tuple[str, str, str]:
    """A row behind its pace: its reported %, its expected % (序时进度) and its lag in words
    (严重滞后 50 个百分点)."""
    return (f"{r['percent'] or 0}%", f"{r['expected_percent']}%",
            t("pace_report.lag", signal=t(f"light.{r['signal']}"), lag=r["lag"]))


def lagging_block(groups: list[dict], omitted: int, heading: str) -> dict | None:
    """The period report's 进度滞后: per owner, as the overdue ones, the tasks behind their pace
    as of the period's last day; None when none is (a quiet part, as 待审核 is)."""
    late = [(g["owner"], r) for g in groups for r in g["tasks"]]
    if not late and not omitted:
        return None
    lines = []
    for g in groups:
        left_out = g.get("omitted", 0)
        lines.append(t("report.group", owner=g["owner"] or t("report.no_owner"),
                       count=len(g["tasks"]) + left_out))
        lines += [f"  - {r['id']} {r['title']}" + t("report.paren", text=t(
            "pace_report.line", percent=r["percent"] or 0, expected=r["expected_percent"],
            lag=pace_cells(r)[2])) for r in g["tasks"]]
        if left_out:
            lines.append("  " + t("report.more", count=left_out))
    return {"heading": heading + t("report.count_tasks", count=len(late) + omitted),
            "headers": [t("col.owner"), t("col.id"), t("col.task"), t("col.percent"),
                        t("pace_report.col_expected"), t("pace_report.col_lag")],
            "rows": [[o or t("report.no_owner"), r["id"], r["title"], *pace_cells(r)]
                     for o, r in late],
            "right": {3, 4}, "lines": lines, "more": omitted, "more_in_lines": True,
            "styles": ["warn" if r["signal"] == "far_behind" else None for _o, r in late]}
