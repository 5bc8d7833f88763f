"""One task or item in detail (`show`): its fields, its units' shares, notes and history."""

from __future__ import annotations

from jtdj.i18n import t
from jtdj.render.json_text import to_json
from jtdj.render.records import (Records, human_value, light_word, machine_value, md_escape,
                                 records_csv, records_tsv)
from jtdj.render.review import status_with_request
from jtdj.render.safe import guarded, visible_data
from jtdj.render.tasks import (LIST_COLUMNS, change_text, credited, list_value, ongoing,
                               progress_label, shown_rows, shown_signal, shown_target, undo_text)
from jtdj.render.text import Column, Wrapped, rich_table

SHARE_COLUMNS = (
    Column("unit", "col.unit", min_width=8, ratio=1),
    Column("status_text", "col.status", min_width=6),
    Column("light", "col.light", no_wrap=True),
    Column("percent", "col.percent", no_wrap=True, justify="right"),
    Column("done_on", "col.done_on", no_wrap=True),
    Column("note", "col.latest_note", ratio=1),
)


def _share_rows(d: dict) -> list[dict]:
    return [{**s, "note": _returned(s) or (s.get("latest_note") or {}).get("text"),
             "status_text": status_with_request(s["status"], s.get("request"))
             + _counted(s) + _quiet(s, " "), "signal": shown_signal(s)}
            for s in d.get("units") or []]


def _quiet(d: dict, sep: str = "") -> str:
    """How long an open ongoing task (or share) has gone without a note, and the days after
    which it is 滞后: 「已 95 天无进展记录（满 90 天即为滞后）」 (``views.quiet_fields``)."""
    if d.get("quiet_for") is None or d.get("status") in ("done", "dropped"):
        return ""
    limit = d.get("quiet_days")
    return sep + (t("show.quiet", days=d["quiet_for"], limit=limit) if limit
                  else t("show.quiet_never", days=d["quiet_for"]))


def _returned(s: dict) -> str | None:
    """The office's reason for sending a report back, while the unit has not reported again."""
    return t("form.returned", reason=s["returned"]) if s.get("returned") else None


def _counted(s: dict) -> str:
    return (" " + t("show.extensions", count=s["extensions"])) if s.get("extensions") else ""


# `show` with one id writes one detail; with several, a list of them (JSON: an array; CSV and
# TSV: an id column before field and value; Markdown and the table: one after another).

def detail_json(d) -> str:
    return to_json(d)


def _detail_fields(d) -> Records:
    def fields(one: dict) -> list[dict]:
        return [{"id": one["id"], "field": k, "value": machine_value(v, "; ")}
                for k, v in one.items()
                if k not in ("tasks", "notes", "history", "units", "occurrences")]

    if isinstance(d, list):
        return Records([f for one in d for f in fields(one)], (), ("id", "field", "value"))
    return Records(fields(d), (), ("field", "value"))


def detail_csv(d) -> str:
    return records_csv(_detail_fields(d))


def detail_tsv(d) -> str:
    return records_tsv(_detail_fields(d))


def _fields(d: dict) -> list[tuple[str, str]]:
    """(label, value) pairs in reading order; empty values left out."""
    if d["kind"] == "item":
        rows = [
            ("col.id", d["id"]),
            ("col.section", f"{d['section']} {d['section_title'] or ''}".strip()),
            ("col.title", d["title"]),
            ("col.progress", progress_label(d)),
        ]
    else:
        rows = [
            ("col.id", d["id"]),
            ("col.task", d["title"]),
            ("col.item", f"{d['item']}. {d['item_title'] or ''}"),
            ("col.status", status_with_request(d["status"], d.get("request"))
             + (f" ({d['drop_reason']})" if d.get("drop_reason") else "")),
            ("col.reported_on", d.get("reported_on") if d["status"] == "review" else ""),
            ("col.returned", d.get("returned") or ""),
            ("col.kind", t("word.ongoing") if ongoing(d) else ""),
            ("col.every", _every(d)),
            ("col.light", light_word(d["light"], shown_signal(d))),
            ("col.last_note", (d.get("last_note") or t("word.none")) if ongoing(d) else ""),
            ("", _quiet(d)),
            ("col.percent", f"{d['percent']}%" if d["percent"] is not None else ""),
            ("pace_view.expected", f"{d['expected_percent']}%"
             if d.get("expected_percent") is not None else ""),
            ("pace_view.lag", _lag(d.get("lag"))),
            ("col.owner", d["owner"] or ""),
            ("col.support", t("list.sep").join(d["support"])),
            ("col.when", d["when"] or ""),
            ("col.start", d["start"] or ""),
            ("col.due", d["due"] or ""),
            ("col.done_on", d["done_on"] or ""),
            ("col.tags", t("list.sep").join(d["tags"])),
            ("col.evidence", t("list.sep").join(d["evidence"])),
            ("col.origin", t(f"origin.{d['origin']}")),
            ("col.extensions", t("show.extensions", count=d["extensions"])
             if d.get("extensions") else ""),
            ("col.urged", t("show.urged", count=d["urged"]) if d.get("urged") else ""),
        ]
        if d["archived"]:
            rows.append(("col.archived", t("word.yes")))
    return [(t(label) if label else "", value) for label, value in rows if value]


def _every(d: dict) -> str:
    """A recurring task's period in words: 每月（20 日前）, 每季度 …; nothing for another."""
    if not d.get("every"):
        return ""
    word = t(f"every.{d['every']}")
    return word + (t("every.by_day", day=d["day"]) if d.get("day") else "")


def _lag(lag: int | None) -> str:
    """A lag behind 序时进度 in words: 29 个百分点, or 超前 5 个百分点 when ahead."""
    if lag is None:
        return ""
    return t("pace_view.points", n=lag) if lag >= 0 else t("pace_view.ahead", n=-lag)


def _note_line(n: dict) -> str:
    pct = f" [{n['percent']}%]" if n["percent"] is not None else ""
    return f"{n['on']} {n['by']}{pct}: {n['text']}"


def _event_line(e: dict) -> str:
    return (f"{e['on']} {credited(e)} {shown_target(e)} {t('action.' + e['action'])}"
            f" {change_text(e)}").rstrip()


def _history_lines(events: list[dict]) -> list[str]:
    """A task's or item's events (newest first) as `show` lists them: one line each, but an undo
    once, saying in the words of `history` what it undid here."""
    lines, undos = [], set()
    for e in events:
        if e["action"] != "undo":
            lines.append(_event_line(e))
        elif e["batch"] not in undos:
            undos.add(e["batch"])
            # an undo step notes "undo:<batch undone>"; that batch's events here are in the list
            undone = dict.fromkeys((x["note"] or "").partition(":")[2] for x in events
                                   if x["batch"] == e["batch"])
            lines.append(f"{e['on']} {e['actor']} " + undo_text(
                [[x for x in reversed(events) if x["batch"] == b] for b in undone], None))
    return lines


def detail_table(d):
    from rich.console import Group
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    d = visible_data(d)
    if isinstance(d, list):
        return Group(*(part for n, one in enumerate(d)
                       for part in ([Text("")] if n else []) + [detail_table(one)]))

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in _fields(d):
        grid.add_row(Text(label), Wrapped(Text(value)))
    parts = [grid]
    text = d.get("text") if d["kind"] == "item" else d.get("item_text")
    if text:
        parts += [Text(t("show.item_text"), style="bold"), Wrapped(Text(text))]
    if d["kind"] == "item" and d["tasks"]:
        parts.append(rich_table(shown_rows(d["tasks"]), LIST_COLUMNS, value=list_value))
    if d.get("occurrences"):  # a recurring task's periods: past, current and next
        parts += [Text(t("show.occurrences"), style="bold"),
                  rich_table(shown_rows(d["occurrences"]), LIST_COLUMNS, value=list_value)]
    if d.get("units"):
        parts += [Text(t("show.units"), style="bold"),
                  rich_table(_share_rows(d), SHARE_COLUMNS, value=human_value)]
    for heading, lines in ((t("show.notes"), [_note_line(n) for n in d["notes"]]),
                           (t("show.history"), _history_lines(d["history"]))):
        parts.append(Text(heading, style="bold"))
        if not lines:
            parts.append(Text("  " + t("word.none"), style="dim"))
        parts += [Padding(Wrapped(Text(line)), (0, 0, 0, 2)) for line in lines]
    return Group(*parts)


@guarded
def detail_md(d) -> str:
    if isinstance(d, list):
        return "\n".join(detail_md(one) for one in d)
    out = [f"## {d['id']} {md_escape(d['title'])}", ""]
    out += [f"- **{label}**: {md_escape(value)}" if label else f"- {md_escape(value)}"
            for label, value in _fields(d)]
    text = d.get("text") if d["kind"] == "item" else d.get("item_text")
    if text:
        out += ["", f"### {t('show.item_text')}", "", md_escape(text)]
    if d.get("occurrences"):
        out += ["", f"### {t('show.occurrences')}", ""]
        out += [f"- {o['id']} {t('col.due')} {o['due']}: {status_with_request(o['status'], None)}"
                f" {light_word(o['light'], o['signal'])}" for o in d["occurrences"]]
    if d.get("units"):
        out += ["", f"### {t('show.units')}", ""]
        out += [f"- {md_escape(r['unit'])}: {status_with_request(r['status'], r.get('request'))}"
                f"{_quiet(r, ' ')}"
                f" {light_word(r['light'], r['signal'])}"
                + (f" {r['percent']}%" if r["percent"] is not None else "")
                + (f" — {md_escape(r['note'])}" if r["note"] else "") for r in _share_rows(d)]
    out += ["", f"### {t('show.notes')}", ""]
    out += [f"- {md_escape(_note_line(n))}" for n in d["notes"]] or [f"- {t('word.none')}"]
    out += ["", f"### {t('show.history')}", ""]
    out += [f"- {md_escape(line)}" for line in _history_lines(d["history"])] or [
        f"- {t('word.none')}"]
    return "\n".join(out) + "\n"
