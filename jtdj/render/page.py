"""The parts of an HTML page shared by the period report, the 通报, a unit's report and the
催办通知: one look (inline CSS, which a mail client keeps), one head, one table writer."""

from __future__ import annotations

from jtdj.i18n import language

CSS = {
    "body": "margin:0;padding:16px;background:#f4f5f7;color:#1f2328;"
            "font-family:'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',Arial,sans-serif;"
            "font-size:14px;line-height:1.6",
    "main": "max-width:820px;margin:0 auto;background:#ffffff;padding:20px 24px;"
            "border:1px solid #d0d7de;border-radius:6px",
    "h1": "font-size:20px;margin:0 0 4px 0;color:#b71c1c",
    "sub": "margin:0 0 12px 0;color:#57606a",
    "h2": "font-size:16px;margin:20px 0 8px 0;padding-bottom:4px;border-bottom:2px solid #b71c1c",
    "table": "border-collapse:collapse;width:100%;font-size:13px",
    "th": "border:1px solid #d0d7de;background:#f6f8fa;padding:4px 8px",
    "td": "border:1px solid #d0d7de;padding:4px 8px;vertical-align:top",
    "warn": "color:#b71c1c",
    "strong": "font-weight:bold;background:#fafbfc",
    "none": "margin:0;color:#57606a",
    "bar": "font-family:monospace;color:#2e7d32;white-space:nowrap",
}


def html_head(title: str, subtitle_html: str) -> list[str]:
    """The opening lines of a report's page (the report, the 通报, a unit's report): the
    document head, the card, its title and the subtitle (already HTML)."""
    import html

    e = html.escape
    lang = "zh-CN" if language() == "zh" else "en"
    return ["<!DOCTYPE html>", f'<html lang="{lang}">', "<head>", '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{e(title)}</title>", "</head>", f'<body style="{CSS["body"]}">',
            f'<div style="{CSS["main"]}">', f'<h1 style="{CSS["h1"]}">{e(title)}</h1>',
            f'<p style="{CSS["sub"]}">{subtitle_html}</p>']


def html_blocks(blocks, none: str) -> list[str]:
    """Each block (``render.report.Block``) as a heading and its table, or ``none`` when it has
    no rows, and the line saying how many were left out; the parts of every report page."""
    import html

    e = html.escape
    out = []
    for b in blocks:
        out.append(f'<h2 style="{CSS["h2"]}">{e(b.heading)}</h2>')
        if not b.rows:
            out.append(f'<p style="{CSS["none"]}">{e(none)}</p>')
            continue
        out += html_table(b)
        if b.more_line:
            out.append(f'<p style="{CSS["none"]}">{e(b.more_line)}</p>')
    return out


_BAR = "█░"  # the characters of a 进度条 (``render.report.bar``)


def html_table(b) -> list[str]:
    """A block's (``render.report.Block``) table as HTML lines, inline-styled (a mail client keeps it); 进度条 cells in
    the bar's font."""
    import html

    e = html.escape
    out = [f'<table style="{CSS["table"]}">', "<tr>" + "".join(
        f'<th style="{CSS["th"]};text-align:{"right" if i in b.right else "left"}">{e(h)}</th>'
        for i, h in enumerate(b.headers)) + "</tr>"]
    # each column's opening tag, by the row's style, built once: a 100,000-task report
    # has some 10,000 cells
    aligns = [";text-align:right" if i in b.right else "" for i in range(len(b.headers))]
    opening: dict = {}
    bar = CSS["bar"]
    cells = _escaped([c for r in b.rows for c in r])
    end = 0
    for r, style in zip(b.rows, b.styles or [None] * len(b.rows)):
        tags = opening.get(style)
        if tags is None:
            extra = ";" + CSS[style] if style else ""
            tags = opening[style] = [f'<td style="{CSS["td"]}{a}{extra}' for a in aligns]
        start, end = end, end + len(r)  # this row's cells, escaped with all the others
        out.append("<tr>" + "".join([
            f'{tag};{bar}">{c}</td>' if c and c[0] in _BAR and not c.strip(_BAR) else
            f'{tag}">{c}</td>' for tag, c in zip(tags, cells[start:end])]) + "</tr>")
    out.append("</table>")
    return out


def _escaped(cells: list[str]) -> list[str]:
    """``html.escape`` of each cell, in one call over them all joined by NUL (the cells of a
    100,000-task report number some 10,000); one by one if a cell holds a NUL itself."""
    import html

    joined = "\0".join(cells)
    if joined.count("\0") != len(cells) - 1:
        return [html.escape(c) for c in cells]
    return html.escape(joined).split("\0") if cells else []
