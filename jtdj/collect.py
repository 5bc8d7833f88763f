"""`jtdj collect`: one pre-filled 填报表 per unit, recorded so that merge and `--missing` know it.

A unit's form holds the open tasks it leads (those not handed to units: their shares report),
its own open shares, nothing it only supports, nothing done and nothing waiting for the
office's review; a report the office sent back carries its reason (退回：…). Each row carries its version
(the id of the last event of its task or share), so a merge can tell a row changed in the
database since. Rows are pre-filled from the database as it stands; the rest is the unit's.
A recurring task is reported on by its occurrences whose period has begun by the form's as-of
day (one row each, 4.3@2022-05, the title with the period in words), never by its own row.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path

from jtdj.i18n import t
from jtdj.store import Store, utc_text
from jtdj.store import forms as forms_db
from jtdj.store import units as units_db
from jtdj.tuples import named_tuple

_UNSAFE = re.compile(r'[/\\:*?"<>|\x00-\x1f]')


@named_tuple
class UnitForm:
    """One unit's form: the unit, and the data ``render.form`` writes."""

    unit: dict
    data: dict


def file_name(plan: str, unit: str, as_of: date, fmt: str) -> str:
    """2022-填报表-华罗庚实验学校党支部-截至2022-07-01.xlsx: characters a file system refuses
    replaced."""
    name = t("collect.file_name", plan=plan, unit=unit, as_of=as_of.isoformat())
    return _UNSAFE.sub("_", name) + f".{fmt}"


def default_folder(plan: str, as_of: date) -> Path:
    return Path(_UNSAFE.sub("_", t("collect.folder_name", plan=plan, as_of=as_of.isoformat())))


def unit_rows(store: Store, plan: str, unit: dict, as_of: date | None = None) -> list[dict]:
    """The rows of the unit's form, in the plan's order, each with its version and (given
    ``as_of``, the form's 截至 day) its 序时进度: a task's as the list gives it, a share's from
    its due date and its task's window (``store.lights``)."""
    # (no as-of day: every occurrence held, whenever its period falls)
    recurring, occurrences = occurrence_rows(store, plan, [unit], as_of or date.max)
    rows = []
    for task in forms_db.led_open_tasks(store, plan, unit["name"]):
        if task["status"] in ("todo", "doing") and task["id"] not in recurring:
            rows.append({**task, "target": task["id"]})
    for share in forms_db.shares_of_unit(store, plan, unit["id"]):
        if share["status"] in ("todo", "doing"):
            rows.append({**share, "target": units_db.share_target(share["id"], unit["id"])})
    rows += [r for r in occurrences.get(unit["id"], []) if r["status"] in ("todo", "doing")]
    rows.sort(key=plan_order)
    versions = units_db.versions(store, plan, [r["target"] for r in rows])
    expected, kinds = _expected(store, plan, rows, as_of) if as_of is not None else ({}, {})
    return [{"id": r["id"], "title": r["title"], "due": r["due"], "status": r["status"],
             "percent": r["percent"], "version": versions.get(r["target"], 0),
             "returned": r["returned"], "expected": expected.get(r["target"]),
             "ongoing": kinds.get(r["id"], False), "period": r.get("period")}
            for r in rows]


def plan_order(row: dict) -> tuple:
    """A form's or notice's row order: the plan's, a recurring task's occurrences by period."""
    return row["item"], row.get("pos") or 0, row["no"], row.get("period") or ""


def occurrence_rows(store: Store, plan: str, units: list[dict],
                    as_of: date) -> tuple[set[str], dict[int, list[dict]]]:
    """The ids of the plan's recurring tasks (a unit reports on their occurrences, never on
    the task's own row), and by unit id the occurrences begun by ``as_of`` of its live
    recurring tasks it reports on: its shares of them, and those it leads not handed to
    units. Each row has the keys of ``forms_db.shares_of_unit``'s, its ``period``, ``start``
    and ``target``; closed ones too (the caller keeps what it wants)."""
    from jtdj.store import occurrences as occ_db

    parents = occ_db.recurring_tasks(store, plan) if occ_db.has_recurring(store, plan) else []
    if not parents:
        return set(), {}
    live = sorted(p["id"] for p in parents if p["archived"] == 0)
    day = as_of.isoformat()
    begun = [r for rows in occ_db.of_tasks(store, plan, live).values() for r in rows
             if r["archived"] == occ_db.OCCURRENCE and r["start"] <= day]
    held = units_db.shares(store, plan, [r["id"] for r in begun]) if begun else {}
    by_name = {u["name"]: u["id"] for u in units}
    ids = set(by_name.values())
    out: dict[int, list[dict]] = {}
    for r in begun:
        row = {k: r[k] for k in ("id", "title", "due", "status", "percent", "item", "no",
                                 "returned", "period", "start")}
        if r["id"] in held:
            for s in held[r["id"]]:
                if s["unit"] in ids:
                    out.setdefault(s["unit"], []).append({
                        **row, "status": s["status"], "percent": s["percent"],
                        "returned": s["returned"], "due": s["due"] or r["due"],
                        "target": units_db.share_target(r["id"], s["unit"])})
        elif r["owner"] in by_name:
            out.setdefault(by_name[r["owner"]], []).append({**row, "target": r["id"]})
    return {p["id"] for p in parents}, out


def _expected(store: Store, plan: str, rows: list[dict], as_of: date) -> tuple[dict, dict]:
    """The expected percent of each row's target on ``as_of`` (None: no due date, or an
    ongoing task's, 常态推进, which has none), and whether each task is ongoing."""
    from jtdj.store import lights
    from jtdj.store.tasks import TaskFilter, iter_tasks, plan_start

    ids = list(dict.fromkeys(r["id"] for r in rows))
    tasks = {r["id"]: r for r in iter_tasks(
        store, plan, TaskFilter(status="all", ids=ids, occurrences=True), as_of)}
    out = {}
    for r in rows:
        task = tasks.get(r["id"])
        if r["target"] == r["id"]:  # a task the unit leads
            out[r["target"]] = task["expected_percent"] if task else None
        else:
            start = (task or {}).get("start") or plan_start(store, plan)
            out[r["target"]] = lights.expected_of(r["status"], r["due"], start, as_of)
    return out, {i: task["ongoing"] for i, task in tasks.items()}


def prepare(store: Store, plan: str, units: list[dict], as_of: date, reply_by: date,
            now: datetime) -> tuple[list[UnitForm], list[str]]:
    """The forms of ``units`` (and the names of those with nothing to report)."""
    head = store.plan(plan)
    collect = os.urandom(4).hex()
    made, empty = [], []
    for unit in units:
        rows = unit_rows(store, plan, unit, as_of)
        if not rows:
            empty.append(unit["name"])
            continue
        made.append(UnitForm(unit, {
            "plan": plan, "plan_title": head["title"], "unit": unit["name"],
            "as_of": as_of.isoformat(), "reply_by": reply_by.isoformat(),
            "collected_at": utc_text(now), "collect": collect, "rows": rows}))
    return made, empty


def record(store: Store, plan: str, made: list[UnitForm]) -> None:
    """Record each form issued (one transaction), for merge and `collect --missing`."""
    with store.transaction():
        for form in made:
            d = form.data
            forms_db.issue(store, plan, form.unit["id"], d["collect"], d["collected_at"],
                           d["as_of"], d["reply_by"], {r["id"]: r["version"] for r in d["rows"]})


def missing(store: Store, plan: str, as_of: date) -> list[dict]:
    """The units whose latest issued form has not been merged: unit, collected, reply_by,
    and whether the reply-by day has passed."""
    out = []
    for row in forms_db.latest(store, plan):
        if row["merged_at"] is None:
            out.append({"unit": row["unit_name"], "collected": row["at"], "as_of": row["as_of"],
                        "reply_by": row["reply_by"], "late": row["reply_by"] < as_of.isoformat()})
    return out


def mail_text(form: UnitForm) -> tuple[str, str]:
    """The subject and body of the mail that carries a unit's form."""
    d = form.data
    as_of, reply_by = date.fromisoformat(d["as_of"]), date.fromisoformat(d["reply_by"])
    words = {"plan": d["plan"], "title": d["plan_title"], "unit": d["unit"],
             "as_of": t("collect.month_day", month=as_of.month, day=as_of.day),
             "reply_by": t("collect.month_day", month=reply_by.month, day=reply_by.day),
             "count": len(d["rows"])}
    return t("collect.subject", **words), t("collect.body", **words)
