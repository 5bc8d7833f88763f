"""How `jtdj show` looks for a person: a task or an item with its words, progress and history."""

from __future__ import annotations

from jtdj import render
from jtdj.i18n import t


def _fields(d: dict) -> list[tuple[str, str]]:
    """(label, value) pairs in reading order; empty values left out."""
    if d["kind"] == "item":
        rows = [
            ("col.id", d["id"]),
            ("col.section", f"{d['section']} {d['section_title'] or ''}".strip()),
            ("col.title", d["title"]),
            ("col.progress", f"[{d['done']}/{d['total'] - d['dropped']}] {d['percent']}%"),
        ]
    else:
        rows = [
            ("col.id", d["id"]),
            ("col.task", d["title"]),
            ("col.item", f"{d['item']}. {d['item_title'] or ''}"),
            ("col.status", render.status_word(d["status"])
             + (f" ({d['drop_reason']})" if d.get("drop_reason") else "")),
            ("col.light", render.light_word(d["light"])),
            ("col.percent", f"{d['percent']}%" if d["percent"] is not None else ""),
            ("col.owner", d["owner"] or ""),
            ("col.support", t("list.sep").join(d["support"])),
            ("col.when", d["when"] or ""),
            ("col.start", d["start"] or ""),
            ("col.due", d["due"] or ""),
            ("col.done_on", d["done_on"] or ""),
            ("col.tags", t("list.sep").join(d["tags"])),
            ("col.evidence", t("list.sep").join(d["evidence"])),
            ("col.origin", t(f"origin.{d['origin']}")),
        ]
        if d["archived"]:
            rows.append(("col.archived", t("word.yes")))
    return [(t(label), value) for label, value in rows if value]


def _note_line(n: dict) -> str:
    pct = f" [{n['percent']}%]" if n["percent"] is not None else ""
    return f"{n['on']} {n['by']}{pct}: {n['text']}"


def _event_line(e: dict) -> str:
    from jtdj.commands import _change_text

    return f"{e['on']} {e['actor']} {e['target']} {t('action.' + e['action'])} {_change_text(e)}".rstrip()


def print_rich(console, d: dict) -> None:
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, value in _fields(d):
        grid.add_row(Text(label), render.Wrapped(Text(value)))
    console.print(grid)
    text = d.get("item_text") if d["kind"] == "task" else d.get("text")
    if text:
        console.print(Text(t("show.item_text"), style="bold"))
        console.print(render.Wrapped(Text(text)))
    if d["kind"] == "item" and d["tasks"]:
        from jtdj.commands import LIST_COLUMNS

        console.print(render.rich_table(d["tasks"], LIST_COLUMNS))
    for heading, lines in ((t("show.notes"), [_note_line(n) for n in d["notes"]]),
                           (t("show.history"), [_event_line(e) for e in d["history"]])):
        console.print(Text(heading, style="bold"))
        if not lines:
            console.print(Text("  " + t("word.none"), style="dim"))
        for line in lines:
            console.print(Padding(render.Wrapped(Text(line)), (0, 0, 0, 2)))


def markdown(d: dict) -> str:
    out = [f"## {d['id']} {render.md_escape(d['title'])}", ""]
    out += [f"- **{label}**: {render.md_escape(value)}" for label, value in _fields(d)]
    text = d.get("item_text") if d["kind"] == "task" else d.get("text")
    if text:
        out += ["", f"### {t('show.item_text')}", "", render.md_escape(text)]
    out += ["", f"### {t('show.notes')}", ""]
    out += [f"- {render.md_escape(_note_line(n))}" for n in d["notes"]] or [f"- {t('word.none')}"]
    out += ["", f"### {t('show.history')}", ""]
    out += [f"- {render.md_escape(_event_line(e))}" for e in d["history"]] or [f"- {t('word.none')}"]
    return "\n".join(out) + "\n"
