"""Writers for one unit's report (`report --unit U`): text, Markdown, HTML, JSON.

Pure: data from ``jtdj.unit_brief`` in, text out. Laid out as ``render.report.Block``s (the
figures, then 本期完成, 待审核, 退回, 逾期, 近期到期 and the other open rows) and written the way the period
report and the 通报 write theirs, so the three read alike.
"""

from __future__ import annotations

from jtdj.i18n import t
from jtdj.render.json_text import to_json
from jtdj.render.records import md_escape
from jtdj.render.page import html_blocks, html_head
from jtdj.render.report import Block, md_table, plain_table, report_subtitle
from jtdj.render.review import asked_word
from jtdj.render.safe import guarded

SHOWN = ("completed", "review", "returned", "overdue", "lagging", "ongoing", "due_soon", "open")
QUIET = ("lagging", "ongoing")  # shown only where the unit has some


def title(data: dict) -> str:
    return t("unit_brief.title", title=data["title"], unit=data["unit"])


def _late(f: dict) -> str:
    if f["last_report"] is None and not f["late"]:
        return "—"
    day = str(f["last_report"]) if f["last_report"] else t("unit_brief.no_form")
    return t("unit_brief.late_mark", day=day) if f["late"] else day


def figures(data: dict) -> Block:
    f = data["figures"]
    rows = [[t("unit_brief.tasks"), str(f["tasks"])], [t("unit_brief.done"), str(f["done"])],
            [t("unit_brief.percent_done"), f"{f['percent_done']}%"],
            [t("unit_brief.overdue"), str(f["overdue"])],
            [t("unit_brief.review"), str(f["review"])], [t("unit_brief.urges"), str(f["urges"])], [t("unit_brief.last_report"), _late(f)]]
    return Block(t("unit_brief.h_figures"), [t("report.col_metric"), t("report.col_value")], rows,
                 right={1}, styles=[None] * 6 + ["warn" if f["late"] else None])


def listing(data: dict, which: str) -> Block:
    rows = [[r["id"], r["title"], r["due"] or "—", t(f"status.{r['status']}"),
             "—" if r["percent"] is None else f"{r['percent']}%", r["note"] or "—"]
            for r in data[which]]
    headers = [t("col.id"), t("col.task"), t("col.due"), t("col.status"), t("col.percent"),
               t("col.latest_note")]
    return Block(t(f"unit_brief.h_{which}"), headers, rows, right={4},
                 styles=["warn" if which == "overdue" else None] * len(rows))


def waiting(data: dict) -> Block:
    """What waits for the office's review: what the unit reported (已完成, 申请延期至…, 申请取消),
    the day it did, and the reason it gave for a request."""
    rows = [[r["id"], r["title"], t("review.asked_done") if r["kind"] == "done"
             else asked_word({"kind": r["kind"], "due": r["new_due"]}), r["on"] or "—",
             r["reason"] or "—"] for r in data["review"]]
    headers = [t("col.id"), t("col.task"), t("review.col_kind"), t("col.reported_on"),
               t("review.col_note")]
    return Block(t("unit_brief.h_review"), headers, rows)


def sent_back(data: dict) -> Block:
    """What the office sent back: its status now, the day and the office's reason."""
    rows = [[r["id"], r["title"], t(f"status.{r['status']}"), r["on"] or "—", r["reason"]]
            for r in data["returned"]]
    headers = [t("col.id"), t("col.task"), t("col.status"), t("unit_brief.col_returned_on"),
               t("col.returned")]
    return Block(t("unit_brief.h_returned"), headers, rows, styles=["warn"] * len(rows))


def behind(data: dict) -> Block:
    """The rows behind the pace of their windows (进度滞后), far behind first: the percent
    reported, the expected one (序时进度) and the lag."""
    from jtdj.render.unit_report import pace_cells

    rows = [[r["id"], r["title"], r["due"] or "—", *pace_cells(r), r["note"] or "—"]
            for r in data.get("lagging", [])]
    headers = [t("col.id"), t("col.task"), t("col.due"), t("col.percent"),
               t("pace_report.col_expected"), t("pace_report.col_lag"), t("col.latest_note")]
    return Block(t("pace_report.h_unit_lagging"), headers, rows, right={3, 4},
                 styles=["warn" if r["signal"] == "far_behind" else None
                         for r in data.get("lagging", [])])


def ongoing(data: dict) -> Block:
    """The unit's ongoing tasks (常态推进, 常态工作), each with its latest note."""
    from jtdj.render.ongoing import unit_block

    return Block(**unit_block(data["ongoing"]))


def blocks(data: dict) -> list[Block]:
    made = {"review": waiting, "returned": sent_back, "lagging": behind, "ongoing": ongoing}
    return [figures(data)] + [made[w](data) if w in made else listing(data, w) for w in SHOWN
                              if w not in QUIET or data.get(w)]  # quiet when none


@guarded
def unit_brief_text(data: dict) -> str:
    out = [title(data), t("unit_brief.as_of", until=data["period"]["until"]),
           report_subtitle(data)]
    for b in blocks(data):
        out += ["", b.heading]
        out += plain_table(b) if b.rows else [t("unit_brief.none")]
    return "\n".join(out) + "\n"


@guarded
def unit_brief_md(data: dict) -> str:
    out = [f"# {md_escape(title(data))}", "",
           md_escape(t("unit_brief.as_of", until=data["period"]["until"])), "",
           *(md_escape(line) + "  " for line in report_subtitle(data).split("\n"))]
    for b in blocks(data):
        out += ["", f"## {md_escape(b.heading)}", ""]
        out += md_table(b) if b.rows else [md_escape(t("unit_brief.none"))]
    return "\n".join(out) + "\n"


@guarded
def unit_brief_html(data: dict) -> str:
    """A self-contained page as the period report's: inline CSS, no scripts, no assets."""
    import html

    e = html.escape
    sub = "<br>".join(e(x) for x in report_subtitle(data).split("\n"))
    out = html_head(title(data),
                    f'{e(t("unit_brief.as_of", until=data["period"]["until"]))}<br>{sub}')
    out += html_blocks(blocks(data), t("unit_brief.none"))
    out += ["</div>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def unit_brief_json(data: dict) -> str:
    return to_json(data)
