"""Writers for the 通报 (`report --by-unit`): text, Markdown, HTML, JSON.

Pure: data from ``jtdj.bulletin`` in, text out. Laid out once as a ``render.report.Block`` (the
ranking, ``unit_report.bulletin_block``, which the period report shows too) and a line naming the units that did not report on time, then written the way the
period report writes its blocks, so the two read alike.
"""

from __future__ import annotations

from jtdj.i18n import t
from jtdj.render import unit_report
from jtdj.render.json_text import to_json
from jtdj.render.records import md_escape
from jtdj.render.page import CSS, html_blocks, html_head
from jtdj.render.report import Block, md_table, plain_table, report_subtitle
from jtdj.render.safe import guarded

def title(data: dict) -> str:
    return t("bulletin.title", title=data["title"], no=data["issue_no"])


def ranking(data: dict) -> Block:
    return Block(**unit_report.bulletin_block(data))


def late_line(data: dict) -> str | None:
    """The units whose latest form came late or has not come; None where no form was due."""
    if not data["late"]:
        due = any(u["forms_issued"] for u in data["units"])
        return t("bulletin.late_none") if due else None
    return t("bulletin.late", units=t("bulletin.sep").join(data["late"]))


@guarded
def bulletin_text(data: dict) -> str:
    b = ranking(data)
    out = [title(data), report_subtitle(data), "", b.heading]
    out += plain_table(b) if b.rows else [t("bulletin.no_units")]
    return "\n".join(out + _late(late_line(data))) + "\n"


def _late(line: str | None) -> list[str]:
    return ["", line] if line else []


@guarded
def bulletin_md(data: dict) -> str:
    b = ranking(data)
    out = [f"# {md_escape(title(data))}", "", md_escape(report_subtitle(data)), "",
           f"## {md_escape(b.heading)}", ""]
    out += md_table(b) if b.rows else [md_escape(t("bulletin.no_units"))]
    return "\n".join(out + _late(md_escape(late_line(data) or ""))) + "\n"


@guarded
def bulletin_html(data: dict) -> str:
    """A self-contained page as the period report's: inline CSS, no scripts, no assets."""
    import html

    e = html.escape
    out = html_head(title(data), e(report_subtitle(data)))
    out += html_blocks([ranking(data)], t("bulletin.no_units"))
    if late_line(data):
        out.append(f'<p style="{CSS["sub"]}">{e(late_line(data))}</p>')
    out += ["</div>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def bulletin_json(data: dict) -> str:
    return to_json(data)
