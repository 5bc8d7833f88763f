"""Writers for `jtdj summary`: Markdown, JSON and Rich tables, from the blocks the period
report's writers use (``render.report``), so the two never disagree on how a figure reads.
Pure: data from ``jtdj.report`` in, text out."""

from __future__ import annotations

from jtdj.i18n import t
from jtdj.render import unit_report as units
from jtdj.render.occurrences import occurrence_blocks
from jtdj.render.ongoing import ongoing_block
from jtdj.render.json_text import to_json
from jtdj.render.records import md_escape, section_label
from jtdj.render.report import (Block, bar, count_heading, fraction, md_document, metric_cell,
                                owner_word, shown_metric)
from jtdj.render.safe import guarded, visible_data


def summary_title(data: dict) -> str:
    return t("summary.title", title=data["title"], as_of=data["as_of"])


def summary_blocks(data: dict) -> list[Block]:
    tot = data["totals"]
    blocks = [Block(t("summary.h_totals"), [t("report.col_metric"), t("report.col_value")],
                    [[t(f"metric.{k}"), metric_cell(k, v)] for k, v in tot.items()
                     if shown_metric(k, tot)], right={1})]
    blocks += [Block(**b) for b in [units.shares_block(data.get("shares"))] if b]
    blocks += [Block(**b) for b in [ongoing_block(data.get("ongoing"), owner_word)] if b]
    blocks += [Block(**b) for b in occurrence_blocks(data.get("occurrences"))]
    progress_headers = [t("col.id"), t("report.col_name"), t("report.col_done"),
                        t("col.percent"), t("report.col_bar")]
    blocks.append(Block(t("summary.h_sections"), progress_headers,
                        [[section_label(s["section"]), s["title"], fraction(s),
                          f"{s['percent_done']}%", bar(s["percent_done"])]
                         for s in data["sections"]], right={2, 3}))
    blocks.append(Block(t("summary.h_items"), progress_headers,
                        [[f"{i['item']}.", i["title"], fraction(i), f"{i['percent_done']}%",
                          bar(i["percent_done"])] for i in data["items"]], right={2, 3}))
    blocks.append(Block(**units.owners_block(data["owners"], t("summary.h_owners"))))
    task_headers = [t("col.id"), t("col.task"), t("col.owner"), t("col.due")]
    for key, heading in (("overdue", "summary.h_overdue"), ("due_soon", "summary.h_due_soon")):
        # the totals count every task; the list may hold only the first (--limit)
        blocks.append(Block(count_heading(heading, tot[key]), task_headers,
                            [[r["id"], r["title"], owner_word(r["owner"]), r["due"]]
                             for r in data[key]], more=tot[key] - len(data[key])))
    return blocks


@guarded
def summary_md(data: dict) -> str:
    return md_document([f"# {md_escape(summary_title(data))}"], summary_blocks(data))


SUMMARY_KEYS = ("plan", "as_of", "totals", "shares", "ongoing", "occurrences", "sections",
                "items", "owners", "overdue", "due_soon")  # ongoing, occurrences: where any


def summary_json(data: dict) -> str:
    return to_json({k: data[k] for k in SUMMARY_KEYS if k in data})


def summary_table(data: dict):
    """Rich tables for a terminal; plan words are Text (never markup), titles wrap."""
    from rich import box
    from rich.cells import cell_len
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    data = visible_data(data)
    parts = [Text(summary_title(data), style="bold")]
    for b in summary_blocks(data):
        table = Table(title=b.heading, box=box.SQUARE, header_style="bold", title_justify="left",
                      expand=False)
        for i, h in enumerate(b.headers):
            # words wrap (a unit's long name too); a count or a date keeps its header whole
            wide = {t("col.task"): 10, t("report.col_name"): 10, t("col.latest_note"): 10,
                    t("col.owner"): 8}.get(h)
            table.add_column(h, justify="right" if i in b.right else "left", overflow="fold",
                             ratio=1 if wide else None, min_width=wide or cell_len(h),
                             no_wrap=not wide)
        for r in b.rows:
            cells = []
            for c in r:
                text = Text(c)
                if c and set(c) <= {"█", "░"}:
                    text.stylize("green")
                cells.append(text)
            table.add_row(*cells)
        parts += [Text(b.heading, style="bold"), Text(t("word.none"))] if not b.rows else [table]
        if b.more_line:
            parts.append(Text(b.more_line))
    return Group(*parts)
