"""The 催办通知 (`jtdj urge`, docs/urge.md) as text, Markdown and HTML: pure functions of the
data ``jtdj.urge`` builds. Text is for a chat group or for printing; each row carries its due
date, the days overdue (or left), its percent and expected percent where it is behind its pace
(进度 20%，序时进度 70%) — an ongoing task (常态推进) 久未报进展 instead —, the unit's last report on it and the office's reason where it sent it
back (columns of their own in Markdown and HTML where a row has one)."""

from __future__ import annotations

import html as html_lib
from datetime import date

from jtdj.i18n import t
from jtdj.render.records import md_escape
from jtdj.render.safe import visible
from jtdj.render.text import break_offsets

WIDTH = 80  # a printed notice's lines, for a chat group or an A4 page


def long_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    return t("urge.date", year=d.year, month=d.month, day=d.day)


def days_text(days: int) -> str:
    if days > 0:
        return t("urge.days_overdue", days=days)
    if days == 0:
        return t("urge.due_today")
    return t("urge.days_left", days=-days)


def _heading(d: dict) -> str:
    if d.get("doc_no"):
        return t("urge.plan_with_no", title=d["plan_title"], doc_no=d["doc_no"])
    return d["plan_title"]


def _ongoing(row: dict) -> bool:
    return bool(row.get("ongoing"))


def _lagging(row: dict) -> bool:
    """Behind its pace (an ongoing task, 常态推进, has none: it is quiet instead)."""
    return row.get("signal") in ("behind", "far_behind") and not _ongoing(row)


def _due(row: dict) -> str:
    return t("word.ongoing") if _ongoing(row) else row["due"]


def _days(row: dict) -> str:
    """The days overdue or left; 久未报进展 for an ongoing task, which has no due date."""
    return t("light.quiet") if _ongoing(row) else days_text(row["days"])


def _title(row: dict) -> str:
    """The title; an occurrence's with its period in words (开展主题党日（2022年5月）)."""
    from jtdj.render.form import occurrence_title

    return occurrence_title(row["title"], row.get("period"))


def _pace(row: dict) -> str:
    return t("pace_report.urge_pace", percent=row["percent"] or 0,
             expected=row["expected_percent"])


def _intro(d: dict) -> str:
    key = ("urge.intro_quiet" if any(map(_ongoing, d["rows"])) else "pace_report.urge_intro"
           if any(map(_lagging, d["rows"])) else "urge.intro")
    return t(key, as_of=long_date(d["as_of"]), count=len(d["rows"]),
             reply_by=long_date(d["reply_by"]))


def _report(row: dict) -> str:
    last = row["last_report"]
    return t("urge.last_report", on=last["on"], text=last["text"]) if last else t(
        "urge.no_report")


def _wrapped(text: str, indent: str = "", lead: str = "") -> list[str]:
    """``text`` in lines of at most WIDTH columns: the first begun by ``lead``, the later ones
    indented by ``indent``."""
    cuts = [0, *break_offsets(text, WIDTH - max(len(indent), len(lead))), len(text)]
    parts = [text[a:b].strip() for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]
    return [(lead if i == 0 else indent) + part for i, part in enumerate(parts)]


def notice_text(d: dict) -> str:
    lines = [t("urge.title"), "", *_wrapped(visible(_heading(d))), "",
             t("urge.to", unit=visible(d["unit"])), *_wrapped(_intro(d)), ""]
    for n, row in enumerate(d["rows"], 1):
        lines += _wrapped(f"{n}. {visible(row['id'])} {visible(_title(row))}", "   ")
        lines.append("   " + t("urge.due_line", due=_due(row), days=_days(row)))
        if _lagging(row):
            lines.append("   " + _pace(row))
        lines += _wrapped(visible(_report(row)), "   ", "   ")
        if row.get("returned"):
            lines += _wrapped(visible(t("urge.returned", reason=row["returned"])), "   ", "   ")
    lines += ["", t("urge.sign", as_of=long_date(d["as_of"]))]
    return "\n".join(lines) + "\n"


def notices_text(notices: list[dict]) -> str:
    return ("\n" + "-" * 40 + "\n\n").join(notice_text(d) for d in notices)


def notice_md(d: dict) -> str:
    lines = [f"# {t('urge.title')}", "", f"**{md_escape(_heading(d))}**", "",
             md_escape(t("urge.to", unit=d["unit"])), "", md_escape(_intro(d)), "",
             "| " + " | ".join(t(f"urge.col.{c}") for c in _columns(d)) + " |",
             "|" + "---|" * len(_columns(d))]
    for n, row in enumerate(d["rows"], 1):
        lines.append("| " + " | ".join(md_escape(str(v)) for v in _cells(n, row, d)) + " |")
    lines += ["", md_escape(t("urge.sign", as_of=long_date(d["as_of"])))]
    return "\n".join(lines) + "\n"


def notices_md(notices: list[dict]) -> str:
    return "\n---\n\n".join(notice_md(d) for d in notices)


_COLUMNS = ("no", "id", "title", "due", "days", "report")


def _columns(d: dict) -> tuple[str, ...]:
    """The table's columns: 进度 too where a row is behind its pace, 退回原因 where a row was
    sent back."""
    return (_COLUMNS[:5] + (("pace",) if any(map(_lagging, d["rows"])) else ()) + _COLUMNS[5:]
            + (("returned",) if any(r.get("returned") for r in d["rows"]) else ()))


def _cells(n: int, row: dict, d: dict) -> list:
    last = row["last_report"]
    columns = _columns(d)
    cells = [n, row["id"], _title(row), _due(row), _days(row)]
    if "pace" in columns:
        cells.append(_pace(row) if _lagging(row) else "—")
    cells.append(f"{last['on']} {last['text']}" if last else "—")
    return cells + ([row.get("returned") or "—"] if "returned" in columns else [])


def notice_html(d: dict) -> str:
    """One notice as a card in the report's look (inline CSS: a mail client keeps it)."""
    from jtdj.render.page import CSS

    e = html_lib.escape
    nowrap = {"no", "id", "due", "days"}
    head = "".join(f'<th style="{CSS["th"]}{";white-space:nowrap" if c in nowrap else ""}">'
                   f'{e(t(f"urge.col.{c}"))}</th>' for c in _columns(d))
    body = "".join(
        "<tr>" + "".join(f'<td style="{CSS["td"]}{";white-space:nowrap" if c in nowrap else ""}">'
                         f"{e(str(v))}</td>" for c, v in zip(_columns(d), _cells(n, row, d)))
        + "</tr>"
        for n, row in enumerate(d["rows"], 1))
    return (f'<div style="{CSS["main"]};margin-bottom:16px">'
            f'<h1 style="{CSS["h1"]}">{e(t("urge.title"))}</h1>'
            f'<p style="{CSS["sub"]}">{e(_heading(d))}</p>'
            f"<p>{e(t('urge.to', unit=d['unit']))}</p><p>{e(_intro(d))}</p>"
            f'<table style="{CSS["table"]}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            f'</table><p style="text-align:right">'
            f"{e(t('urge.sign', as_of=long_date(d['as_of'])))}</p></div>")


def notices_html(notices: list[dict]) -> str:
    from jtdj.render.page import CSS

    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>"
            + html_lib.escape(t("urge.title")) + f'</title></head><body style="{CSS["body"]}">'
            + "".join(notice_html(d) for d in notices) + "</body></html>\n")
