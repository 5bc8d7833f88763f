"""jtdj's first page as data for its template (``templates/jtdj_home.html``), and the 周报.

All figures are the core's for the day asked: ``report.summary`` (总体情况, sections and items,
the overdue tasks), ``bulletin.figures`` (the 通报's table: rank, 完成率, 逾期, 滞后, 待审核,
延期, 催办) and ``report.lagging_by_owner``; the ledger is opened read-only for each page.
"""

from __future__ import annotations

from datetime import date

from jtdj.i18n import language, t

# Marks on <html> whether the page fits the window's width (no horizontal scrolling): what a
# test reads from headless Chromium's --dump-dom. Only the first page carries it.
FITS = ("addEventListener('load',function(){var d=document.documentElement;"
        "d.setAttribute('data-fits',String(d.scrollWidth<=window.innerWidth))});")

METRICS = ("tasks", "done", "percent_done", "open", "overdue", "due_soon", "review")


def _bar(label: str, title: str, c: dict) -> dict:
    return {"label": label, "title": title, "done": c["done"],
            "total": c["tasks"] - c["dropped"], "percent": c["percent_done"]}


def _by_owner(rows: list[dict]) -> list[dict]:
    groups: dict = {}
    for r in rows:
        groups.setdefault(r["owner"], []).append(r)
    return [{"owner": owner or t("report.no_owner"), "tasks": tasks}
            for owner, tasks in sorted(groups.items(), key=lambda g: (g[0] is not None, g[0] or ""))]


def labels() -> dict:
    keys = ("title_suffix", "as_of", "go", "today", "h_totals", "h_sections", "h_items",
            "h_units", "h_overdue", "h_lagging", "h_weekly", "weekly_link", "h_browse",
            "none", "due", "lag", "footer", "doc_no")
    out = {k: t(f"serve.{k}") for k in keys}
    out.update({f"col_{k}": t(f"bulletin.col_{k}") for k in (
        "rank", "unit", "tasks", "done", "percent_done", "overdue", "lagging", "review",
        "extensions", "urges")})
    return out


def context(web, day: date) -> dict:
    """What the first page shows as of ``day``."""
    from jtdj import bulletin, report
    from jtdj.render.records import section_label
    from jtdj.web.data import browse

    store = web.store()
    try:
        plan = web.plan
        data = report.summary(store, plan, day)
        head = report.plan_head(store, plan)
        units, late = bulletin.figures(store, plan, day)
        lagging = report.lagging_by_owner(store, plan, day)
    finally:
        store.close()
    totals = data["totals"]
    metrics = [{"key": k, "label": t(f"metric.{k}"),
                "value": f"{totals[k]}%" if k == "percent_done" else totals[k]} for k in METRICS]
    lag = totals["behind"] + totals["far_behind"]
    metrics.insert(6, {"key": "lagging", "label": t("bulletin.col_lagging"), "value": lag})
    return {
        "L": labels(), "lang": "zh-CN" if language() == "zh" else "en",
        "head": head, "as_of": day.isoformat(), "today": web.today().isoformat(),
        "metrics": metrics,
        "sections": [_bar(section_label(s["section"]), s["title"], s) for s in data["sections"]],
        "items": [_bar(f"{i['item']}.", i["title"], i) for i in data["items"]],
        "units": units, "late": late,
        "late_line": t("bulletin.late", units=t("bulletin.sep").join(late)) if late else "",
        "overdue": _by_owner(data["overdue"]),
        "lagging": [{"owner": g["owner"] or t("report.no_owner"), "tasks": g["tasks"]}
                    for g in lagging],
        "weekly_url": f"/-/weekly?as_of={day.isoformat()}", "browse": browse(), "fits": FITS,
    }


def weekly_html(web, day: date) -> str:
    """The 周报 of ``day``'s week up to the day, as `jtdj report --week --format html`."""
    from jtdj import bulletin
    from jtdj.render.report import report_html
    from jtdj.web.data import week_of

    store = web.store()
    try:
        data = bulletin.period_report(store, web.plan, week_of(day), day)
    finally:
        store.close()
    return report_html(data)
