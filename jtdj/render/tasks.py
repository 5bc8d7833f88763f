"""Tasks as people and scripts see them: the list's columns, the tree, and the words of a change
in the history (one task in detail: ``detail``)."""

from __future__ import annotations

import json

from jtdj.i18n import t
from jtdj.render.records import (Records, human_value, light_word, md_escape, records_csv,
                                 records_json, records_md, records_table, records_tsv,
                                 section_label, status_word)
from jtdj.render.json_text import to_json
from jtdj.render.review import asked_word
from jtdj.render.safe import guarded, visible_data
from jtdj.render.text import Column, Wrapped
from jtdj.tuples import named_tuple

LIST_KEYS = ("id", "item", "section", "title", "status", "owner", "support", "due", "start",
             "when", "done_on", "percent", "tags", "light", "signal", "expected_percent", "lag",
             "ongoing", "last_note", "period")
LIST_COLUMNS = (
    # an occurrence's id (4.11@2022-05) takes two lines, so that the columns fit 80
    Column("id", "col.id", no_wrap=True, break_before="@"),
    Column("title", "col.task", min_width=10, ratio=1),
    Column("owner", "col.owner", max_width=12),
    Column("due", "col.due", no_wrap=True),
    Column("status", "col.status", no_wrap=True),
    Column("pace", "col.percent", no_wrap=True, justify="right", fit="narrow"),  # 20/70
    Column("percent", "col.percent", no_wrap=True, justify="right", fit="wide"),
    Column("expected_percent", "pace_view.expected", no_wrap=True, justify="right", fit="wide"),
    # the light's word may go under its symbol when the widest of them would not fit
    Column("light", "col.light", min_width=6),
)
HISTORY_KEYS = ("id", "at", "on", "actor", "target", "action", "field", "old", "new", "note",
                "unit", "source", "batch")
HISTORY_COLUMNS = (
    Column("time", "history.time", no_wrap=True), Column("actor", "col.actor", max_width=10),
    Column("target", "col.id", no_wrap=True), Column("action", "col.action", no_wrap=True),
    Column("change", "col.change", ratio=1),
)


def task_list(rows, caption) -> Records:
    """The list's records: ``rows`` a list or a stream, ``caption`` text or a function of the
    count. People read an ongoing task (常态推进) as such (``shown_rows``)."""
    return Records(rows, LIST_COLUMNS, LIST_KEYS, caption=caption, value=list_value,
                   shown=shown_rows)


# --- ongoing tasks (常态推进) as people read them: no due date, no 序时进度, and a light that
# says it is quiet (久未报进展) rather than behind its pace; the records keep their values

def ongoing(r: dict) -> bool:
    return bool(r.get("ongoing"))


def shown_signal(r: dict) -> str | None:
    """The signal whose word a person reads: ``quiet`` for an ongoing task that is behind."""
    return "quiet" if ongoing(r) and r.get("signal") == "behind" else r.get("signal")


def due_text(r: dict) -> str | None:
    """What 完成时限 reads: 常态推进 for an ongoing task, else its due date."""
    return t("word.ongoing") if ongoing(r) else r.get("due")


_NO_PACE = ""  # the expected percent of an ongoing task's shown row: it has none to show


def shown_rows(rows: list[dict]) -> list[dict]:
    return [{**r, "due": due_text(r), "signal": shown_signal(r), "expected_percent": _NO_PACE}
            if ongoing(r) else r for r in rows]


def list_value(key: str, value) -> str:
    """``human_value``, but an ongoing task's 进度 is its percent alone (or nothing)."""
    if key == "pace" and isinstance(value, tuple) and value[1] == _NO_PACE:
        return "" if value[0] is None else f"{value[0]}%"
    if key == "expected_percent" and value == _NO_PACE:
        return ""
    return human_value(key, value)


def _node_tasks(node: dict) -> list[dict]:
    return node["tasks"] if "tasks" in node else [r for i in node["items"] for r in i["tasks"]]


def progress_label(node: dict) -> str:
    """``[done/total] percent%`` of a section, an item or a plan, dropped and ongoing tasks left
    out (as ``views.progress``), then how many ongoing ones: ``[1/2] 50% · 常态推进 1 项``."""
    og = [r["status"] == "done" for r in _node_tasks(node)
          if ongoing(r) and r["status"] != "dropped"]
    base = node["total"] - node["dropped"] - len(og)
    label = f"[{node['done'] - sum(og)}/{base}] {node['percent']}%" if base or not og else ""
    more = t("tree.ongoing", count=len(og)) if og else ""
    return " · ".join(x for x in (label, more) if x)


# An import's events, and only an import's: a batch of these is one import.
IMPORT_ACTIONS = ("import", "archive", "restore")


def history(data: dict, caption: str) -> Records:
    """The change log (``views.history``) as records: one raw row per event for machines; for
    people one row per line, in words (an import's counts, what an undo undid), at local time."""
    shown = [{"time": local_time(line["at"]), "actor": line["actor"],
              "target": line["target"] or "", "action": _line_action(line),
              "change": line_text(line)}
             for line in data["lines"]]
    return Records(data["events"], HISTORY_COLUMNS, HISTORY_KEYS, caption=caption, shown=shown)


def history_stream(events) -> Records:
    """The change log for machines: one raw row per event, written as the cursor gives them
    (memory flat in the plan's size)."""
    return Records(events, HISTORY_COLUMNS, HISTORY_KEYS)


# `history` (a views.HistoryLog): the machine formats stream its events, the formats people
# read group them into lines first
def history_json(log):
    return records_json(history_stream(log.events()))


def history_csv(log):
    return records_csv(history_stream(log.events()))


def history_tsv(log):
    return records_tsv(history_stream(log.events()))


def _history_read(log) -> Records:
    data = log.data()
    return history(data, t("history.footer", count=len(data["lines"])))


def history_table(log):
    return records_table(_history_read(log))


def history_md(log):
    return records_md(_history_read(log))


def _line_action(line: dict) -> str:
    action = line["kind"] if line["kind"] != "event" else line["events"][0]["action"]
    return t(f"action.{action}")


def credited(e: dict) -> str:
    """Who made a change, as a person reads it: a unit's form merged by the clerk is
    「华罗庚实验学校党支部 填报，张文书 导入」."""
    if (e.get("source") or "").startswith("form") and e.get("unit"):
        return t("history.by_form", unit=e["unit"], actor=e["actor"])
    return e["actor"]


def shown_target(e: dict) -> str:
    """What a person reads for an event's target: a unit by the name it had that day, a
    share as its task and unit."""
    target = e["target"] or ""
    if target.startswith(("unit:", "group:")):
        return e.get("unit") or target.split(":", 1)[1]
    task, _, unit = target.rpartition("@")
    if task and unit.isdigit():  # a share (``task@unit``), not an occurrence (``4.5@2022-07``)
        return f"{task} {e.get('unit') or ''}".strip()
    return target


def local_time(at: str | None) -> str:
    """A recorded moment (ISO 8601, UTC) as people read it: local time, to the minute."""
    from datetime import datetime

    return datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M") if at else ""


def line_text(line: dict) -> str:
    """A line of the history in words: an event's change, an import's counts
    (``导入计划 2022：新增 98``), or what an undo undid (``撤销：5.2 完成``)."""
    if line["kind"] == "import":
        return import_text(line["events"], line["plan"])
    if line["kind"] == "undo":
        return undo_text(line["undone"], line["plan"])
    return change_text(line["events"][0])


def _import_counts(events: list[dict]) -> str:
    """An import's tasks (and items) added, changed, archived and restored, and the units it
    registered, the nonzero ones: as the import itself said them, so a recurring task's
    occurrences and the tasks' shares (``4.5@2022-Q2``, ``5.2@3``) are not counted as tasks."""
    registered = {e["target"] for e in events if (e["target"] or "").startswith(("unit:", "group:"))}
    events = [e for e in events
              if e["target"] not in registered and "@" not in (e["target"] or "")]
    added = {e["target"] for e in events
             if e["action"] == "import" and e["field"] == "status" and e["old"] is None}
    archived = {e["target"] for e in events if e["action"] == "archive"}
    restored = {e["target"] for e in events if e["action"] == "restore"}
    changed = {e["target"] for e in events if e["action"] == "import"} - added - restored
    counts = [t(f"history.{key}", count=len(targets)) for key, targets in (
        ("added", added), ("changed", changed), ("archived", archived), ("restored", restored),
        ("registered", registered)) if targets]
    return t("history.count_sep").join(counts) or t("word.none")


def import_text(events: list[dict], plan: str) -> str:
    return t("history.import", plan=plan, counts=_import_counts(events))


def undo_text(undone: list[list[dict]], plan: str | None) -> str:
    """``撤销：5.2 完成``: the actions of each batch undone (``undone``, their events oldest
    first) with their targets; an undone import of the plan (``plan`` given) by its counts."""
    parts = []
    for events in undone:
        if not events:
            continue
        if plan is not None and all(e["action"] in IMPORT_ACTIONS for e in events):
            parts.append(t("history.undone_import", plan=plan, counts=_import_counts(events)))
            continue
        targets: dict[str, dict[str, None]] = {}
        for e in events:
            targets.setdefault(e["action"], {})[e["target"]] = None
        parts += [t("history.undone", action=t(f"action.{action}"),
                    targets=t("list.sep").join(ids)) for action, ids in targets.items()]
    return t("history.undo", what=t("list.group_sep").join(parts) or "—")


def _event_value(field: str, value: str | None) -> str:
    if value is None or value in ("", "[]"):
        return "—"
    if field == "status":
        return status_word(value)
    if field == "request" and value.startswith("{"):
        return asked_word(json.loads(value))
    if field in ("support", "tags", "evidence") and value.startswith("["):  # lists kept as JSON
        return t("list.sep").join(json.loads(value))
    return value


def change_text(e: dict) -> str:
    """What an event changed, in words: ``状态: 未开始 → 已完成; 已印发通知``."""
    parts = []
    if e["field"]:
        old, new = _event_value(e["field"], e["old"]), _event_value(e["field"], e["new"])
        parts.append(f"{t('field.' + e['field'])}: {old} → {new}")
    if e["note"]:
        parts.append(e["note"])
    return "; ".join(parts)


# --- the tree --------------------------------------------------------------------------------

@named_tuple
class Tree:
    """Sections > items > tasks with progress (``views.tree``), under the plan's title."""

    title: str
    nodes: list[dict]


_TREE_KEYS = ("kind", "id", "title", "done", "total", "dropped", "percent", "status", "owner",
              "due", "light")
_PROGRESS = ("done", "total", "dropped", "percent")


def _pick(record: dict, keys) -> dict:
    return {k: record.get(k) for k in keys}


def tree_json(tree: Tree) -> str:
    return to_json([{**s, "items": [{**i, "tasks": [_pick(r, LIST_KEYS) for r in i["tasks"]]}
                                    for i in s["items"]]} for s in tree.nodes])


def _tree_rows(tree: Tree) -> Records:
    """The tree flattened, a row per section, item and task, for CSV and TSV."""
    rows = []
    for s in tree.nodes:
        rows.append({"kind": "section", "id": str(s["section"]), "title": s["title"],
                     **_pick(s, _PROGRESS)})
        for i in s["items"]:
            rows.append({"kind": "item", "id": i["id"], "title": i["title"], **_pick(i, _PROGRESS)})
            for r in i["tasks"]:
                rows.append({"kind": "task", **_pick(r, ("id", "title", "status", "owner", "due",
                                                         "light"))})
    return Records(rows, (), _TREE_KEYS)


def tree_csv(tree: Tree) -> str:
    return records_csv(_tree_rows(tree))


def tree_tsv(tree: Tree) -> str:
    return records_tsv(_tree_rows(tree))


@guarded
def tree_md(tree: Tree) -> str:
    lines = []
    for s in tree.nodes:
        lines.append(f"- **{section_label(s['section'])} {md_escape(s['title'])}** "
                     f"{progress_label(s)}")
        for i in s["items"]:
            lines.append(f"  - **{i['id']}. {md_escape(i['title'])}** {progress_label(i)}")
            for r in i["tasks"]:
                mark = "x" if r["status"] == "done" else " "
                owner = f" — {r['owner']}" if r["owner"] else ""
                lines.append(f"    - [{mark}] {r['id']} {md_escape(r['title'])}{owner} "
                             f"({status_word(r['status'])}, {due_text(r) or '—'})")
    return "\n".join(lines) + "\n"


def tree_table(tree: Tree):
    from rich.text import Text
    from rich.tree import Tree as RichTree

    tree = visible_data(tree)
    root = RichTree(Text(tree.title, style="bold"))
    for s in tree.nodes:
        branch = root.add(Wrapped(Text(f"{section_label(s['section'])} {s['title']} ")
                                  + Text(progress_label(s), style="cyan")))
        for i in s["items"]:
            leaf = branch.add(Wrapped(Text(f"{i['id']}. {i['title']} ")
                                      + Text(progress_label(i), style="cyan")))
            for r in i["tasks"]:
                leaf.add(_tree_task(r))
    return root


def _tree_task(r: dict):
    """One task of the tree: id and light, then the title wrapped under itself."""
    from rich.table import Table
    from rich.text import Text

    from jtdj.render.text import LIGHT_STYLE

    head = Text(f"{r['id']} ")
    head.append(light_word(r["light"], shown_signal(r)), style=LIGHT_STYLE[r["light"]])
    body = Text(r["title"])
    extra = " · ".join(x for x in (r["owner"], due_text(r), status_word(r["status"])) if x)
    body.append(f"（{extra}）", style="dim")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(head, Wrapped(body))
    return grid


# --- one task or item: `show` ----------------------------------------------------------------
