"""The task list query: which tasks match a filter, with their status and light as of a day.

`list`, `tree`, `show` and the exports read tasks through ``select_tasks``; the counting in
``counts`` follows the same rules (``EFFECTIVE_STATUS``, ``DUE_LIGHT``, ``lights``) without
evaluating them per task, and ``tests/test_counting.py`` holds the two together.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Iterator

from jtdj.store import history, lights, occurrences
from jtdj.tuples import named_tuple

DUE_SOON_DAYS = lights.Lights().due_soon_days  # the default; the config's [lights] may differ


@named_tuple
class TaskFilter:
    """What `list`, `tree`, `summary` and friends select; all conditions combine with AND."""

    section: int | None = None
    item: int | None = None
    owner: str | None = None
    unassigned: bool = False
    status: str = "open"  # todo|doing|review|done|dropped|open|all
    overdue: bool = False
    due_before: date | None = None
    due_within: int | None = None
    search: str | None = None
    tag: str | None = None
    archived: bool | None = False  # None: live and archived alike (task_query)
    ids: list[str] | None = None
    lagging: bool = False  # behind or far behind the pace of its window (序时进度)
    ongoing: bool | None = None  # True: the ongoing tasks (常态推进) alone; False: the others
    # a recurring task as its occurrences whose period has begun (`list`), not as one row
    occurrences: bool = False
    parents: list[str] | None = None  # only the begun occurrences of these recurring tasks

    def picks_few(self) -> bool:
        """Whether the filter picks its tasks by a seek or a partial index (asked for by id or
        item, occurrences, lagging, ongoing): rows few enough to sort, where a full list's
        come in index order (``ordered_query``)."""
        return (self.ids is not None or self.parents is not None or self.item is not None
                or self.lagging or self.ongoing is True)


def effective_status(row: str) -> str:
    """The status as of :d of the task (or share) ``row``: done or dropped only from its date
    on, else doing once started (a stored 推进中 with no start date too), else todo. A report
    waiting for review (待审核) is so from the event that made it; a past day before it is the
    replayed row's (history), so the rule needs no date. ``shares.effective`` is this rule in
    Python (``tests/test_counting.py`` holds them together).

    Written as a switch on the stored status, which a list reads once per row and per mention
    of ``eff``: an open task is decided by two comparisons, not five (a full piped list at
    100,000 tasks: its statement 217 -> 195 ms, bench/README.md)."""
    started = f"CASE WHEN {row}.started_on <= :d THEN 'doing' ELSE 'todo' END"
    return (f"CASE {row}.status WHEN 'todo' THEN {started}"
            f" WHEN 'doing' THEN CASE WHEN {row}.started_on IS NULL OR {row}.started_on <= :d"
            " THEN 'doing' ELSE 'todo' END"
            f" WHEN 'done' THEN CASE WHEN {row}.done_on IS NULL OR {row}.done_on <= :d"
            f" THEN 'done' WHEN {row}.started_on <= :d THEN 'doing' ELSE 'todo' END"
            f" WHEN 'dropped' THEN CASE WHEN {row}.dropped_on IS NULL OR {row}.dropped_on <= :d"
            f" THEN 'dropped' WHEN {row}.started_on <= :d THEN 'doing' ELSE 'todo' END"
            f" WHEN 'review' THEN 'review' ELSE {started} END")


EFFECTIVE_STATUS = effective_status("t")
def as_of_params(store, plan: str, as_of: date) -> dict:
    """The named parameters EFFECTIVE_STATUS, DUE_LIGHT and the pace rules (``lights``)
    read: the plan, the day, the day due-soon ends, the config's thresholds, the window's
    default start."""
    return {"plan": plan, "d": as_of.isoformat(),
            **lights.params(store.lights, as_of, plan_start(store, plan))}


def plan_start(store, plan: str) -> str | None:
    """Where a task's window starts when it has no ``start``: the plan's issue date, else the
    day the plan was first imported."""
    key = ("plan_start", plan)
    if key not in store.cache:
        row = store.conn.execute(
            "SELECT coalesce((SELECT issued FROM plans WHERE key = :plan), (SELECT min(on_date)"
            " FROM events WHERE plan = :plan AND action = 'import'))", {"plan": plan}).fetchone()
        store.cache[key] = row[0] if row else None
    return store.cache[key]


# The light of the due date alone, which the counts of overdue (逾期) and due soon (临期) keep
# to: a report waiting for review is blue, unless the unit reported after the due date: then
# it was late, and stays red. The light a task shows also weighs its pace (lights.LIGHT).
DUE_LIGHT = """CASE
  WHEN eff IN ('done', 'dropped') THEN 'grey'
  WHEN eff = 'review' THEN CASE WHEN due < reported_on AND due < :d THEN 'red' ELSE 'blue' END
  WHEN due IS NULL THEN 'green'
  WHEN due < :d THEN 'red'
  WHEN due <= :soon THEN 'yellow'
  ELSE 'green' END"""
# what task_record reads, in its order: not the wide file_values snapshot nor the evidence list
_RECORD_FIELDS = ("id", "item", "no", "section", "title", "status", "owner", "support", "due",
                  "start", "timing", "done_on", "percent", "tags", "reported_on", "kind",
                  "period", "pos")
RECORD_COLUMNS = ", ".join(f"t.{c}" for c in _RECORD_FIELDS) + (
    f", {lights.WINDOW_START} AS ws, {lights.LAST_NOTE} AS last_note")
_POS = _RECORD_FIELDS.index("pos")
SORTS = {  # the terms of each list order, over task_query's columns
    "id": ("item", "pos", "no"),
    "due": ("due IS NULL", "due", "item", "pos", "no"),
    "owner": ("owner IS NULL", "owner", "item", "pos", "no"),
    "status": ("CASE eff WHEN 'todo' THEN 0 WHEN 'doing' THEN 1 WHEN 'review' THEN 2"
               " WHEN 'done' THEN 3 ELSE 4 END", "item", "pos", "no"),
}


def select_tasks(store, plan: str, f: TaskFilter, as_of: date, sort: str = "id") -> list[dict]:
    """Tasks matching ``f`` with their status and traffic light as of ``as_of``."""
    return list(iter_tasks(store, plan, f, as_of, sort))


def iter_tasks(store, plan: str, f: TaskFilter, as_of: date, sort: str = "id") -> Iterator[dict]:
    """``select_tasks`` as a stream: the query runs now, its records come from the cursor as
    they are read (a full list is written without holding it; read it once)."""
    rows, day = _rows(store, plan, f, as_of, sort)
    return (task_record(*r, day) for r in rows)


def iter_placed(store, plan: str, f: TaskFilter, as_of: date) -> Iterator[tuple[dict, int]]:
    """``iter_tasks``' records each with the task's place in its item (m018 ``pos``), for a
    caller that merges two lists in the plan's order (`list --owner`)."""
    rows, day = _rows(store, plan, f, as_of, "id")
    return ((task_record(*r, day), r[_POS]) for r in rows)


class TaskStream:
    """``iter_tasks``' records for one list, read once, the query run when they are first
    read; or, for a machine format that writes every key of them, the lines SQLite writes
    (``written``: the same bytes, made in SQL; ``store.lines``). ``extra``: keys with the same
    value in every record, after the record's own (`list --owner U`: the unit and its role)."""

    def __init__(self, store, plan: str, f: TaskFilter, as_of: date, sort: str = "id",
                 extra: dict[str, str] | None = None):
        self._query = (store, plan, f, as_of, sort)
        self._extra = extra or {}

    def __iter__(self) -> Iterator[dict]:
        records = iter_tasks(*self._query)
        if not self._extra:
            return records
        return ({**r, **self._extra} for r in records)

    def written(self, fmt: str, keys, size: int) -> Iterator[list[str]] | None:
        """Lists of at most ``size`` lines of ``fmt`` (json, tsv), one per record, when the
        records are written with exactly their own keys; else None."""
        from jtdj.store import lines  # only a full list in a machine format builds its SQL

        extra = tuple(self._extra)
        if fmt not in lines.LINES or tuple(keys) != lines.RECORD_KEYS + extra:
            return None
        store, plan, f, as_of, sort = self._query
        sql, params, _keys = ordered_query(store, plan, f, as_of, sort,
                                           lines.line(fmt, extra) if extra else lines.LINES[fmt],
                                           expected=True)
        params.update({f"extra_{key}": value for key, value in self._extra.items()})
        return lines.line_batches(store.conn, sql, params, size)


def ordered_query(store, plan: str, f: TaskFilter, as_of: date, sort: str, columns: str = "*",
                  expected: bool = False) -> tuple[str, dict, int]:
    """``task_query`` with ``columns`` selected from its rows (``x``, the expected percent,
    among them when ``expected``), ordered by ``sort`` (SORTS); and how many columns of sort
    keys follow those. A query of several parts (a plan's recurring tasks' occurrences, a past
    day's rows) is ordered part by part and merged, each part giving its sort keys as columns:
    as one union, all of its lines would be sorted in memory (bench/README.md), where the
    tasks' own part comes item by item from the index."""
    parts, outer, params = _query_parts(store, plan, f, as_of)
    terms = list(SORTS.get(sort, SORTS["id"]))
    if occurrences.has_recurring(store, plan):  # a task's occurrences share its number
        terms.append("period")

    def source(rows: str) -> str:
        sql = _with_lights(rows, outer, whole=f.picks_few() and not expected)
        return f"(SELECT *, {lights.EXPECTED} AS x FROM ({sql}))" if expected else f"({sql})"

    if len(parts) == 1:
        return f"SELECT {columns} FROM {source(parts[0])} ORDER BY {', '.join(terms)}", params, 0
    keys = ", ".join(f"{term} AS k{n}" for n, term in enumerate(terms))
    merged = " UNION ALL ".join(f"SELECT {columns}, {keys} FROM {source(part)}" for part in parts)
    return (f"{merged} ORDER BY " + ", ".join(f"k{n}" for n in range(len(terms))), params,
            len(terms))


def _rows(store, plan: str, f: TaskFilter, as_of: date, sort: str):
    sql, params, keys = ordered_query(store, plan, f, as_of, sort)
    cursor = store.conn.cursor()
    cursor.row_factory = None  # plain tuples: task_record unpacks them by position
    day = (as_of.isoformat(), as_of.toordinal())
    rows = cursor.execute(sql, params)
    return (rows if not keys else (row[:-keys] for row in rows)), day


def task_query(store, plan: str, f: TaskFilter, as_of: date,
               whole: bool = False) -> tuple[str, dict]:
    """The SQL (unordered) and parameters of ``iter_tasks``: RECORD_COLUMNS, eff and light of
    the tasks matching ``f`` as of the day. ``f.archived`` None: live and archived alike.
    ``whole``: the rows made apart from the rules (``_with_lights``)."""
    parts, outer, params = _query_parts(store, plan, f, as_of)
    return _with_lights(" UNION ALL ".join(parts), outer, whole), params


def _with_lights(rows: str, outer: list[str], whole: bool = False) -> str:
    """The signal and light of the ``rows`` (RECORD_COLUMNS and eff), and the conditions on
    them (``outer``). ``whole``: every column of a few rows is read, so the rows are made
    once and read as they are (``OFFSET 0`` keeps SQLite from flattening them into the rules,
    whose dozen mentions of eff and ws each become a copy of their SQL to prepare:
    bench/README.md). Flattened, a count reads its few columns from an index, and a full
    list comes in the index's order, unsorted."""
    rows = f"{rows} LIMIT -1 OFFSET 0" if whole else rows
    return (f"SELECT *, {lights.LIGHT} AS light FROM (SELECT *, {lights.SIGNAL} AS signal"
            f" FROM ({rows}))" + (f" WHERE {' AND '.join(outer)}" if outer else ""))


def _query_parts(store, plan: str, f: TaskFilter, as_of: date,
                 ) -> tuple[list[str], list[str], dict]:
    """``task_query``'s parts (each a SELECT of RECORD_COLUMNS and eff), the conditions on
    their signal and status (``outer``), and the parameters."""
    where = ["t.plan = :plan",
             "t.archived IN (0, 1)" if f.archived is None else "t.archived = :archived"]
    params = {**as_of_params(store, plan, as_of), "archived": 1 if f.archived else 0}
    if f.section is not None:
        where.append("t.section = :section")
        params["section"] = f.section
    if f.item is not None:
        where.append("t.item = :item")
        params["item"] = f.item
    if f.owner:
        where.append("t.owner = :owner")
        params["owner"] = f.owner
    if f.unassigned:  # no lead, and no share handed out by :d
        where.append("t.owner IS NULL AND NOT EXISTS (SELECT 1 FROM shares s WHERE s.plan = :plan"
                     " AND s.task = t.id AND NOT EXISTS (SELECT 1 FROM events e WHERE"
                     " e.plan = :plan AND e.target = s.task || '@' || s.unit"
                     " AND e.action = 'share' AND e.on_date > :d))")
    if f.due_before is not None:
        where.append("t.due < :due_before")
        params["due_before"] = f.due_before.isoformat()
    if f.due_within is not None:
        where.append("t.due >= :d AND t.due <= :due_within")
        params["due_within"] = (as_of + timedelta(days=f.due_within)).isoformat()
    if f.search:
        params["q"] = f.search.lower()
        fts = store.setting("search_index") == "fts5-trigram"
        if fts and len(f.search) >= 3:
            titles = "{rowid} IN (SELECT rowid FROM task_search WHERE task_search MATCH :fts)"
            params["fts"] = '"' + params["q"].replace('"', '""') + '"'
        elif fts:  # too short for a trigram: the titles themselves (store.search_index)
            titles = "instr(lower(t.title), :q) > 0"
        else:
            titles = "{rowid} IN (SELECT rowid FROM task_search WHERE instr(title, :q) > 0)"
        where.append(f"({titles} OR t.item IN (SELECT i.no FROM items i"
                     " WHERE i.plan = :plan AND instr(lower(i.text), :q) > 0))")
    if f.tag:
        where.append("EXISTS (SELECT 1 FROM json_each(t.tags) WHERE value = :tag)")
        params["tag"] = f.tag
    if f.ids is not None:
        where.append("t.id IN (SELECT value FROM json_each(:ids))")
        params["ids"] = json.dumps(f.ids)
    if f.status in ("open", "todo", "doing", "review"):
        # open as of :d means open now or closed after :d; this reads the state from the
        # index, so closed tasks are passed over without fetching their rows
        where.append("(t.status IN ('todo', 'doing', 'review') OR t.done_on > :d"
                     " OR t.dropped_on > :d)")
    if f.ongoing is not None:
        where.append("t.kind IS NOT NULL" if f.ongoing else "t.kind IS NULL")
    if f.lagging and store.lights.pace == "reported":
        # only a reported percent can lag, or an ongoing task's silence (m015)
        where.append("(t.percent IS NOT NULL OR t.kind IS NOT NULL)")
    elif f.lagging and store.lights.pace == "off" and not f.ongoing:
        where.append("t.kind IS NOT NULL")
    outer = []
    if f.status == "open":
        outer.append("eff IN ('todo', 'doing', 'review')")
    elif f.status != "all":
        outer.append("eff = :status")
        params["status"] = f.status
    if f.overdue:  # about the due date alone
        outer.append("signal = 'overdue'")
    if f.lagging:
        outer.append("signal IN ('behind', 'far_behind')")
    # one owner's tasks are a range of the owner index; left to itself the planner would
    # rather walk every task in (item, no) order to save a sort
    source = ("tasks t INDEXED BY idx_tasks_owner_state" if f.owner or f.unassigned
              # the few that reported a percent or are ongoing, the only ones that can lag
              else "tasks t INDEXED BY idx_tasks_judged"
              if "(t.percent IS NOT NULL OR t.kind IS NOT NULL)" in where
              else "tasks t INDEXED BY idx_tasks_ongoing" if "t.kind IS NOT NULL" in where
              # tasks asked for by id: each one sought by (plan, id); left to itself the
              # planner walks every task in (item, no) order to save sorting the few it wants
              else "(SELECT DISTINCT value AS id FROM json_each(:ids)) wanted CROSS JOIN tasks t"
                   " ON t.plan = :plan AND t.id = wanted.id" if f.ids is not None
              else "tasks t")
    conditions, sources = [" AND ".join(where)], [source]
    if ((f.occurrences or f.parents is not None) and not f.archived
            and occurrences.has_recurring(store, plan)):
        # `list` (no ids; live tasks): a recurring task as its occurrences begun by the day;
        # asked for by id (`show`) or exported, every occurrence, and the task itself too
        listing = f.ids is None and f.archived is False
        if f.parents is not None:
            conditions, sources = [], []
            params["parents"] = json.dumps(f.parents)
        elif listing:
            conditions[0] += " AND t.every IS NULL"
        conditions.append(_occurrences_of(f, where[2:], listing))
        sources.append("tasks t INDEXED BY idx_tasks_occurrences")
    kept = history.kept_rows(store, plan, as_of) if history.as_of(store, plan, as_of) else None
    parts = [f"SELECT {RECORD_COLUMNS}, {EFFECTIVE_STATUS} AS eff FROM {src}"
             f" WHERE {cond.format(rowid='t.rowid')}{kept or ''}"
             for src, cond in zip(sources, conditions)]
    if kept is not None:  # tasks that were otherwise on that day
        parts += [f"SELECT {RECORD_COLUMNS}, {EFFECTIVE_STATUS} AS eff FROM temp.asof_tasks t"
                  f" WHERE t.day = :d AND {cond.format(rowid='t.task_rowid')}"
                  for cond in conditions]
    return parts, outer, params


def _occurrences_of(f: TaskFilter, conditions: list[str], begun_only: bool) -> str:
    """The SQL condition on the occurrence rows matching ``f`` (its other ``conditions``):
    those of live recurring tasks (of ``f.parents`` only, when given), begun by the day when
    ``begun_only``."""
    return " AND ".join([
        "t.plan = :plan", "t.parent IS NOT NULL", f"t.archived = {occurrences.OCCURRENCE}",
        "t.start <= :d" if begun_only else "1",
        "EXISTS (SELECT 1 FROM tasks p WHERE p.plan = t.plan AND p.id = t.parent"
        " AND p.archived = 0)", *conditions,
        *(["t.parent IN (SELECT value FROM json_each(:parents))"] if f.parents is not None
          else [])])


def task_record(id, item, no, section, title, status, owner, support, due, start, timing,
                done_on, percent, tags, reported_on, kind, period, pos, ws, last_note, eff, signal,
                light, day: tuple[str, int]) -> dict:
    """A task row (RECORD_COLUMNS, then eff and light) as the stable record every output format
    shows (JSON keys in English). ``pos``, the task's place in its item, is selected only for
    the ORDER BY around the query (a union is ordered by its own columns); the record leaves it
    out, so that every record has exactly the keys the writers stream (``lines.RECORD_KEYS``,
    which SQLite writes itself for a full list)."""
    percent = 100 if eff == "done" else percent
    # in Python, not SQL: the dates of a plan repeat, so their day numbers are looked up once
    expected = lights.expected_on(eff, due, ws, *day)
    return {
        "id": id, "item": item, "section": section, "title": title, "status": eff,
        "owner": owner, "support": decode_list(support), "due": due, "start": start,
        "when": timing, "done_on": done_on if eff == "done" else None, "percent": percent,
        "tags": decode_list(tags), "light": light, "signal": signal,
        "expected_percent": expected,
        "lag": expected - (percent or 0) if expected is not None else None,
        "ongoing": kind is not None, "last_note": last_note, "period": period,
    }


def decode_list(text: str | None) -> list:
    """A list column (support, tags, evidence) as kept: JSON text, or NULL for none."""
    return json.loads(text) if text and text != "[]" else []
