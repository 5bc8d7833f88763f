"""Writers for the summary and the period report: text, Markdown, HTML, JSON, Rich tables.

Pure: data from ``jtdj.report`` in, text out. The report is first laid out once as blocks
(a heading and a table of cells); each format then writes the same blocks its own way, so the
formats never disagree on content. Nothing here reads the clock: the same data gives the same
bytes. Plan words are escaped in every format that has markup (html.escape, md_escape,
rich Text), and their control and bidi characters shown visibly in every format (render.safe).
"""

from __future__ import annotations

from jtdj.i18n import t
from jtdj.render import unit_report as units
from jtdj.render.occurrences import occurrence_blocks
from jtdj.render.ongoing import ongoing_block
from jtdj.render.page import html_blocks, html_head
from jtdj.render.json_text import to_json
from jtdj.render.records import md_escape, section_label
from jtdj.render.safe import guarded
from jtdj.render.text import display_width

BAR_WIDTH = 10


def bar(pct: int, width: int = BAR_WIDTH) -> str:
    filled = (pct * width * 2 + 100) // 200
    return "█" * filled + "░" * (width - filled)


def signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def owner_word(owner: str | None) -> str:
    return owner if owner else t("report.no_owner")


# counts a people's format shows only where they are not zero: 待审核 where reports wait for
# review, 滞后 and 严重滞后 where tasks fall behind their pace (JSON always has the keys)
QUIET_METRICS = ("review", "behind", "far_behind", "ongoing")


def shown_metric(key: str, *counts: dict) -> bool:
    """Whether a people's format shows a count (QUIET_METRICS: only when one is not 0)."""
    return key not in QUIET_METRICS or any(c[key] for c in counts)


def fraction(c: dict) -> str:
    return f"{c['done']}/{c['tasks'] - c['dropped']}"


class Block:
    """One part of a report: a heading, and a table (or nothing to say)."""

    def __init__(self, heading: str, headers: list[str] | None = None,
                 rows: list[list[str]] | None = None, right: set[int] | None = None,
                 lines: list[str] | None = None, styles: list[str | None] | None = None,
                 more: int = 0, more_in_lines: bool = False):
        self.heading = heading
        self.headers = headers or []
        self.rows = rows or []
        self.right = right or set()  # right-aligned columns
        self.lines = lines  # how plain text lists long rows instead of a wide table
        self.styles = styles or []  # per row, for html: "warn", "strong"
        self.more = more  # rows left out (--limit); said in a line after the table
        self.more_in_lines = more_in_lines  # the plain-text lines already say it, per group

    @property
    def more_line(self) -> str | None:
        return t("report.more", count=self.more) if self.more else None


# --- the report, laid out once ---------------------------------------------------------------

def is_weekly(data: dict) -> bool:
    """An ISO week or any seven days: the office's weekly report (周报)."""
    p = data["period"]
    return bool(p["week"]) or (p["until"] - p["since"]).days == 6


def report_title(data: dict) -> str:
    key = "report.title_week" if is_weekly(data) else "report.title_period"
    return t(key, title=data["title"])


def report_subtitle(data: dict) -> str:
    """The lines under the title: who issued the plan and its 文号, then the period and the
    day the report is made for (never the clock: a rerun gives the same bytes)."""
    p = data["period"]
    week = t("report.week", week=p["week"]) if p["week"] else ""
    issued = " ".join(x for x in (data.get("issuer"), data.get("doc_no")) if x)
    period = t("report.period", first=p["first_day"], until=p["until"], week=week)
    if data.get("as_of"):
        period += t("report.as_of", as_of=data["as_of"])
    return "\n".join(x for x in (issued, period) if x)


def report_blocks(data: dict) -> list[Block]:
    ov = data["overview"]
    blocks = [Block(t("report.h_overview"),
                    [t("report.col_metric"), t("report.col_start"), t("report.col_end"),
                     t("report.col_change")],
                    [[t(f"metric.{k}"), metric_cell(k, ov["start"][k]),
                      metric_cell(k, ov["end"][k]),
                      signed(ov["change"][k]) + (t("report.points") if k == "percent_done" else "")]
                     for k in ov["end"] if shown_metric(k, ov["start"], ov["end"])],
                    right={1, 2, 3})]
    blocks += [Block(**b) for b in [units.shares_block(data.get("shares"))] if b]
    omitted = data.get("omitted", {})
    done = data["completed"]
    blocks.append(Block(
        count_heading("report.h_completed", len(done) + omitted.get("completed", 0)),
        [t("col.id"), t("col.task"), t("col.owner"), t("col.done_on"), t("report.col_note")],
        [[r["id"], r["title"], owner_word(r["owner"]), r["on"], r["note"] or ""] for r in done],
        lines=[f"- {r['id']} {r['title']}"
               + t("report.paren", text=t("report.sep").join([owner_word(r["owner"]), r["on"]]))
               + (t("report.colon") + r["note"] if r["note"] else "") for r in done],
        more=omitted.get("completed", 0)))
    notes = data["progress"]
    blocks.append(Block(
        count_heading("report.h_progress", len(notes) + omitted.get("progress", 0),
                       "report.count_notes"),
        [t("col.on"), t("col.id"), t("col.task"), t("report.col_progress"), t("col.percent"),
         t("col.actor")],
        [[n["on"], n["id"], n["title"] or "", n["text"],
          "" if n["percent"] is None else f"{n['percent']}%", n["by"]] for n in notes],
        right={4},
        lines=[f"- {n['on']} {n['id']} {n['title'] or ''}{t('report.colon')}{n['text']}"
               + t("report.paren", text=t("report.sep").join(
                   ([f"{n['percent']}%"] if n["percent"] is not None else []) + [n["by"]]))
               for n in notes],
        more=omitted.get("progress", 0)))
    blocks += [Block(**b) for b in [ongoing_block(data.get("ongoing"), owner_word)] if b]
    blocks += [Block(**b) for b in occurrence_blocks(data.get("occurrences"))]
    late = [(g["owner"], r) for g in data["overdue"] for r in g["tasks"]]
    lines = []
    for g in data["overdue"]:
        left_out = g.get("omitted", 0)
        lines.append(t("report.group", owner=owner_word(g["owner"]),
                       count=len(g["tasks"]) + left_out))
        lines += [f"  - {r['id']} {r['title']}"
                  + t("report.paren", text=t("report.due_late", due=r["due"], days=r["days"]))
                  for r in g["tasks"]]
        if left_out:
            lines.append("  " + t("report.more", count=left_out))
    blocks.append(Block(
        count_heading("report.h_overdue", len(late) + omitted.get("overdue", 0)),
        [t("col.owner"), t("col.id"), t("col.task"), t("col.due"), t("report.col_days")],
        [[owner_word(o), r["id"], r["title"], r["due"], str(r["days"])] for o, r in late],
        right={4}, lines=lines, styles=["warn" if o is None else None for o, _ in late],
        more=omitted.get("overdue", 0), more_in_lines=True))
    blocks += [Block(**b) for b in [units.lagging_block(
        data.get("lagging") or [], omitted.get("lagging", 0), t("pace_report.h_lagging"))] if b]
    soon = data["due_soon"]
    blocks.append(Block(
        count_heading("report.h_due_soon", len(soon) + omitted.get("due_soon", 0)),
        [t("col.id"), t("col.task"), t("col.owner"), t("col.due")],
        [[r["id"], r["title"], owner_word(r["owner"]), r["due"]] for r in soon],
        lines=[f"- {r['id']} {r['title']}" + t("report.paren", text=t("report.sep").join(
            [owner_word(r["owner"]), t("report.due_on", due=r["due"])])) for r in soon],
        more=omitted.get("due_soon", 0)))
    rows, styles = [], []
    for s in data["sections"]:
        rows.append([section_label(s["section"]), s["title"], fraction(s),
                     f"{s['percent_done']}%", bar(s["percent_done"])])
        styles.append("strong")
        for i in s["items"]:
            rows.append([f"{i['item']}.", i["title"], fraction(i), f"{i['percent_done']}%",
                         bar(i["percent_done"])])
            styles.append(None)
    blocks.append(Block(t("report.h_sections"),
                        [t("col.id"), t("report.col_name"), t("report.col_done"),
                         t("col.percent"), t("report.col_bar")],
                        rows, right={2, 3}, styles=styles))
    blocks.append(_changes_block(data.get("changes") or {}))
    if data.get("by_unit"):  # the 通报's ranking, where units work on the plan
        blocks.append(Block(**units.bulletin_block(data["by_unit"])))
    if units.has_forms(data.get("owners") or []):  # each unit's last form, where forms went out
        blocks.append(Block(**units.owners_block(data["owners"], t("summary.h_owners"))))
    return blocks


def _change_words(kind: str, c: dict) -> str:
    if kind == "added":
        return t("report.change_added")
    if kind == "dropped":
        return t("report.change_dropped", reason=c["new"] or "")
    field = t("field.due" if kind == "rescheduled" else "field.owner")
    return t("report.change_value", field=field, old=c["old"] or "—", new=c["new"] or "—")


def _changes_block(changes: dict) -> Block:
    """Tasks added, dropped, rescheduled and reassigned in the period, with who and when:
    what leaders ask about first."""
    entries = sorted(((c["on"], n, kind, c) for kind, group in changes.items()
                      for n, c in enumerate(group)), key=lambda e: (e[0], e[1]))
    rows = [[c["on"], t(f"report.kind_{kind}"), c["id"], c["title"] or "",
             _change_words(kind, c), c["by"]] for _on, _n, kind, c in entries]
    return Block(
        count_heading("report.h_changes", len(rows)),
        [t("col.on"), t("report.col_kind"), t("col.id"), t("col.task"), t("report.col_what"),
         t("col.actor")], rows,
        lines=[f"- {r[0]} {r[1]} {r[2]} {r[3]}{t('report.colon')}{r[4]}"
               + t("report.paren", text=r[5]) for r in rows])


def metric_cell(key: str, value: int) -> str:
    return f"{value}%" if key == "percent_done" else str(value)


def count_heading(key: str, count: int, count_key: str = "report.count_tasks") -> str:
    return t(key) + t(count_key, count=count)


# --- writers ---------------------------------------------------------------------------------

@guarded
def report_text(data: dict) -> str:
    """Plain text for e-mail bodies and cron logs: no colour, no markup."""
    out = [report_title(data), report_subtitle(data)]
    for b in report_blocks(data):
        out += ["", b.heading]
        if not b.rows:
            out.append(t("word.none"))
        elif b.lines is not None:
            out += b.lines
        else:
            out += plain_table(b)
        if b.more_line and not (b.lines is not None and b.more_in_lines):
            out.append(b.more_line)
    return "\n".join(out) + "\n"


TEXT_WIDTH = 80  # a plain-text table fits an 80-column terminal where its headers allow


def plain_table(b: Block) -> list[str]:
    """The block as aligned lines. Wider than TEXT_WIDTH, the headers wider than their values
    take two lines (延期/次数), the ones that gain the most first, until it fits."""
    headers = [[h] for h in b.headers]
    sizes = [[display_width(c) for c in r] for r in b.rows]  # each cell measured once
    values = [max(col) for col in zip(*sizes)] if sizes else [0] * len(headers)

    def widths():
        return [max([v] + [display_width(x) for x in h]) for v, h in zip(values, headers)]

    while sum(widths()) + 2 * (len(headers) - 1) > TEXT_WIDTH:
        gains = [(widths()[i] - max(values[i], *map(display_width, halves(h[0]))), i)
                 for i, h in enumerate(headers) if len(h) == 1 and len(halves(h[0])) == 2]
        gain, i = max(gains, default=(0, None))
        if gain <= 0:
            break
        headers[i] = halves(headers[i][0])
    final = widths()
    right = [i in b.right for i in range(len(final))]

    def line(cells, cell_sizes):
        return "  ".join([" " * (width - size) + c if r else c + " " * (width - size)
                          for c, size, width, r in zip(cells, cell_sizes, final, right)]).rstrip()

    lines = []
    for n in range(max(len(h) for h in headers) if headers else 0):
        cells = [h[n] if n < len(h) else "" for h in headers]
        lines.append(line(cells, [display_width(c) for c in cells]))
    return lines + [line(cells, cell_sizes) for cells, cell_sizes in zip(b.rows, sizes)]


def halves(header: str) -> list[str]:
    """A header in two lines: at its middle space, or in the middle of Chinese words; one
    line when it cannot be broken."""
    if " " in header:
        spaces = [i for i, c in enumerate(header) if c == " "]
        cut = min(spaces, key=lambda i: abs(i - len(header) / 2))
        return [header[:cut], header[cut + 1:]]
    if len(header) >= 2 and display_width(header) == 2 * len(header):
        cut = (len(header) + 1) // 2
        return [header[:cut], header[cut:]]
    return [header]


@guarded
def report_md(data: dict) -> str:
    head = [f"# {md_escape(report_title(data))}", "", md_escape(report_subtitle(data))]
    return md_document(head, report_blocks(data))


def md_document(head: list[str], blocks: list[Block]) -> str:
    """A heading per block, its table (or 无), and the line saying how many were left out."""
    out = list(head)
    for b in blocks:
        out += ["", f"## {md_escape(b.heading)}", ""]
        out += md_table(b) if b.rows else [t("word.none")]
        if b.more_line:
            out += ["", md_escape(b.more_line)]
    return "\n".join(out) + "\n"


def md_table(b: Block) -> list[str]:
    rule = "|" + "|".join("---:" if i in b.right else "---" for i in range(len(b.headers))) + "|"
    rows = []
    for r, style in zip(b.rows, b.styles or [None] * len(b.rows)):
        cells = [md_escape(c) for c in r]
        if style == "strong":
            cells = [f"**{c}**" if c else c for c in cells]
        rows.append("| " + " | ".join(cells) + " |")
    return ["| " + " | ".join(md_escape(h) for h in b.headers) + " |", rule, *rows]


@guarded
def report_html(data: dict) -> str:
    """A self-contained page: inline CSS, no scripts, no external assets, every element closed."""
    import html  # only here: text reports do without it

    e = html.escape
    out = html_head(report_title(data), e(report_subtitle(data)))
    out += html_blocks(report_blocks(data), t("word.none"))
    out += ["</div>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def report_json(data: dict) -> str:
    return to_json(data)
