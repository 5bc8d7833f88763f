"""What the web view serves, as tables the core computes for one day (`jtdj serve`).

Every row comes from the core's own reads, as `jtdj list`, `summary` and `report --by-unit`
show them that day: the tasks with their status and light, the units' shares, the change log
(without the unit register's events, which carry contacts, e-mail addresses and mobiles), and
the tables behind the canned queries (本周完成, 逾期事项, 各单位进度, 延期记录, 催办记录). Column
and table names are the interface's words (t()); the canned queries in ``metadata.json`` name
them by their catalogue keys. ``store.snapshot`` writes them to the file Datasette serves.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from jtdj.i18n import t
from jtdj.store import Store
from jtdj.store.snapshot import Table

# the unit register's own events: what they change is contacts, e-mail addresses and mobiles
PRIVATE_ACTIONS = {"unit_add", "unit_edit", "unit_rename", "unit_remove"}
PRIVATE_FIELDS = {"contact", "email", "mobile"}

# table → catalogue key of its name; the hidden ones hold the canned queries' rows
TABLES = {"tasks": "serve.table_tasks", "shares": "serve.table_shares",
          "events": "serve.table_events", "completed": "serve.table_completed",
          "overdue": "serve.table_overdue", "units": "serve.table_units",
          "extensions": "serve.table_extensions", "urges": "serve.table_urges"}

TASK_COLUMNS = ("col.id", "col.section", "col.item", "col.task", "col.owner", "col.due",
                "col.status", "col.light", "col.percent", "col.done_on")
SHARE_COLUMNS = ("col.id", "col.task", "col.unit", "col.due", "col.status", "col.light",
                 "col.percent", "col.done_on")
EVENT_COLUMNS = ("col.on", "col.id", "col.action", "col.change", "serve.col_old",
                 "serve.col_new", "serve.col_note", "col.unit")
COMPLETED_COLUMNS = ("col.id", "col.task", "col.owner", "col.done_on", "serve.col_note")
OVERDUE_COLUMNS = ("col.id", "col.task", "col.owner", "col.due")
UNIT_COLUMNS = ("bulletin.col_rank", "bulletin.col_unit", "bulletin.col_tasks",
                "bulletin.col_done", "bulletin.col_percent_done", "bulletin.col_overdue",
                "bulletin.col_lagging", "bulletin.col_review", "bulletin.col_extensions",
                "bulletin.col_urges", "bulletin.col_on_time", "serve.col_forms_issued")
EXTENSION_COLUMNS = ("col.on", "col.id", "col.unit", "serve.col_old", "serve.col_new",
                     "serve.col_note")
URGE_COLUMNS = ("col.on", "col.id", "col.unit", "serve.col_note")


# The database's name in the server's URLs (/jtdj/任务)
DB_NAME = "jtdj"

# The catalogue keys of the tables and canned queries one can browse, in the order shown (the
# first page's links and `serve --check`'s list)
BROWSE = ("serve.table_tasks", "serve.table_shares", "serve.table_events", "serve.q_completed",
          "serve.q_overdue", "serve.q_units", "serve.q_extensions", "serve.q_urges")


def table_name(key: str) -> str:
    return t(TABLES[key])


def browse(base: str = "") -> list[tuple[str, str]]:
    """(name, URL) of each table and canned query, under the server's address ``base``."""
    from datasette.utils import tilde_encode as quote

    return [(t(k), f"{base}/{DB_NAME}/{quote(t(k))}") for k in BROWSE]


def open_ledger(db_path: Path, config: dict) -> Store:
    """The ledger opened read-only (``mode=ro``): the web view can never change it."""
    from jtdj.store.lights import from_config

    lights = from_config(config)
    store = Store.open_read_only(db_path)
    store.lights = lights
    return store


def week_of(day: date):
    """The latest whole week as of ``day``: the 周报's (`jtdj report --week`)."""
    from jtdj.parse import period

    return period(day, None, None, None, True)


def this_week(day: date):
    """Monday of ``day``'s week to the day (本周: `jtdj report --since MONDAY --until DAY`)."""
    from datetime import timedelta

    from jtdj.parse import period

    monday = day - timedelta(days=day.weekday())
    return period(day, monday.isoformat(), day.isoformat())


def tables(store: Store, plan: str, day: date) -> list[Table]:
    """Every table the web view serves, as of ``day``."""
    from jtdj import bulletin, report, share_tally
    from jtdj.render.records import light_word, section_label, status_word
    from jtdj.render.tasks import due_text, shown_signal
    from jtdj.store import period_lists as pl
    from jtdj.store.tasks import TaskFilter, select_tasks

    sections = {s["no"]: f"{section_label(s['no'])}{s['title']}" for s in store.sections(plan)}
    items = {no: f"{no}. {title}" for no, _section, title in store.item_heads(plan)}
    # as `jtdj list --status all` shows them: a recurring task as its occurrences begun
    records = select_tasks(store, plan, TaskFilter(status="all", occurrences=True), day)
    task_rows = [(r["id"], sections.get(r["section"]), items.get(r["item"]), r["title"],
                  r["owner"], due_text(r), status_word(r["status"]),
                  light_word(r["light"], shown_signal(r)), r["percent"], r["done_on"])
                 for r in records]
    shared_tasks, by_task = share_tally.shared(store, plan, day)
    share_rows = [(task, shared_tasks[task]["title"], s["unit"], s.get("due"),
                   status_word(s["status"]), light_word(s.get("light"), s.get("signal")),
                   s.get("percent"), s.get("done_on"))
                  for task, ss in by_task.items() for s in ss]
    events, extensions, urges = _events(store, plan, day)
    period = this_week(day)
    done, _n = pl.completed_between(store, plan, period.before, period.until)
    completed = [(r["id"], r["title"], r["owner"], r["done_on"], r["note"]) for r in done]
    overdue = [tuple(r[k] for k in report.TASK_KEYS)
               for r in report.task_list(store, plan, day, "overdue")]
    units = [tuple(u[k] for k in bulletin.UNIT_KEYS) for u in bulletin.figures(store, plan, day)[0]]
    made = [("tasks", TASK_COLUMNS, task_rows, "col.task"), ("shares", SHARE_COLUMNS, share_rows),
            ("events", EVENT_COLUMNS, events), ("completed", COMPLETED_COLUMNS, completed),
            ("overdue", OVERDUE_COLUMNS, overdue), ("units", UNIT_COLUMNS, units),
            ("extensions", EXTENSION_COLUMNS, extensions), ("urges", URGE_COLUMNS, urges)]
    return [Table(table_name(key), [t(c) for c in columns], rows,
                  t(search[0]) if search else None, t("col.id") if key == "tasks" else None)
            for key, columns, rows, *search in made]


def _events(store: Store, plan: str, day: date) -> tuple[list, list, list]:
    """The change log up to ``day`` (newest first, undone batches left out), and of it the due
    dates moved later (延期) and the 催办."""
    from jtdj.store.history import undone_batches
    from jtdj.views import history_events

    undone = undone_batches(store, plan)
    events, extensions, urges = [], [], []
    for e in history_events(store, plan, None, None):
        if (e["on"] or "") > day.isoformat() or e["batch"] in undone:
            continue
        if e["action"] in PRIVATE_ACTIONS or e["field"] in PRIVATE_FIELDS:
            continue
        field = t(f"field.{e['field']}") if e["field"] else ""
        events.append((e["on"], e["target"], t(f"action.{e['action']}"), field, e["old"],
                       e["new"], e["note"], e["unit"]))
        if (e["field"] == "due" and e["action"] not in ("import", "undo") and e["old"]
                and e["new"] and e["new"] > e["old"]):
            extensions.append((e["on"], e["target"], e["unit"], e["old"], e["new"], e["note"]))
        if e["action"] == "urge":
            urges.append((e["on"], e["target"], e["unit"], e["note"]))
    return events, extensions, urges
