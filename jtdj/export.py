"""Export data built from the store: the plan file with progress (TOML), a full dump with the
event history (JSON), one row per task (CSV) and the office's 工作台账 (xlsx).

The TOML export is the plan-file format of ``docs/plan-format.md`` with its state fields, written
so that importing it into an empty database and exporting again gives the same bytes. It does
not depend on the interface language: two clerks exporting the same database get the same file.
"""

from __future__ import annotations

import json
from datetime import date

from jtdj import toml_writer
from jtdj.plan import FIXED_TIMINGS
from jtdj.store import Store, TaskFilter
from jtdj.store_writes import all_task_rows

TOML_HEADER = ("{title}\n"
               "Written by `jtdj export --format toml`: the plan with its progress (state fields).\n"
               "Format: docs/plan-format.md. Import into an empty database with `jtdj import FILE`.")
CSV_KEYS = ("id", "section", "item", "title", "when", "start", "due", "owner", "support", "tags",
            "status", "light", "percent", "done_on", "dropped_on", "drop_reason", "progress",
            "evidence", "archived", "origin")


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _list(text: str | None) -> list[str]:
    return json.loads(text) if text else []


def _note(n: dict) -> dict:
    return {"on": _date(n["on_date"]), "by": n["actor"], "text": n["text"], "percent": n["percent"]}


def _tasks_by_item(store: Store, plan: str) -> dict[int, list[dict]]:
    """Every task of the plan, archived and added ones too, in id order, grouped by item."""
    grouped: dict[int, list[dict]] = {}
    for row in sorted(all_task_rows(store, plan).values(), key=lambda r: (r["item"], r["no"])):
        grouped.setdefault(row["item"], []).append(row)
    return grouped


# --- TOML: the plan file with its state ------------------------------------------------------

def plan_document(store: Store, plan: str) -> dict:
    """The plan as plan-file data (the mapping the TOML writer writes), state fields included."""
    head = store.plan(plan)
    plan_due = head["due"]
    tasks = _tasks_by_item(store, plan)
    items_by_section: dict[int, list[dict]] = {}
    for it in store.items(plan):
        item = {"no": it["no"], "title": it["title"], "text": it["text"] or None,
                "notes": [_note(n) for n in store.notes(plan, str(it["no"]))] or None,
                "tasks": [_task_entry(store, plan, row, plan_due)
                          for row in tasks.get(it["no"], [])] or None}
        items_by_section.setdefault(it["section"], []).append(item)
    sections = [{"no": s["no"], "title": s["title"], "items": items_by_section.get(s["no"]) or None}
                for s in store.sections(plan)]
    return {
        "format": 1,
        "plan": {"key": head["key"], "title": head["title"], "issuer": head["issuer"],
                 "doc_no": head["doc_no"], "issued": _date(head["issued"]),
                 "due": _date(plan_due), "preamble": head["preamble"] or None},
        "sections": sections,
    }


def _task_entry(store: Store, plan: str, row: dict, plan_due: str | None) -> dict:
    status = row["status"]
    timing = row["timing"]
    # A task without `due` takes the plan's; but a fixed period such as 暑期 would fill in its own
    # dates on import, so there the due is always written out.
    fixed = (timing or "").strip() in FIXED_TIMINGS
    due = row["due"] if row["due"] and (row["due"] != plan_due or fixed) else None
    return {
        "no": row["no"], "title": row["title"], "when": timing, "start": _date(row["start"]),
        "due": _date(due), "owner": row["owner"] or None,
        "support": _list(row["support"]) or None, "tags": _list(row["tags"]) or None,
        "status": status if status != "todo" else None, "percent": row["percent"],
        "done_on": _date(row["done_on"]) if status == "done" else None,
        "dropped_on": _date(row["dropped_on"]) if status == "dropped" else None,
        "drop_reason": row["drop_reason"] if status == "dropped" else None,
        "archived": True if row["archived"] else None,
        "added": True if row["origin"] == "added" else None,
        "evidence": _list(row["evidence"]) or None,
        "notes": [_note(n) for n in task_notes(store, plan, row["id"], status)] or None,
    }


def done_note(store: Store, plan: str, task_id: str, status: str) -> dict | None:
    """The note given with `jtdj done --note` (kept on the event), while the task is done."""
    latest_first = sorted(store.events(plan, task_id), key=lambda e: e["id"], reverse=True)
    for e in latest_first:  # the change that made the current status
        if e["field"] == "status":
            if e["note"] and e["action"] == "done" and status == "done":
                return {"on_date": e["on_date"], "at": e["at"], "actor": e["actor"],
                        "text": e["note"], "percent": None}
            return None
    return None


def task_notes(store: Store, plan: str, task_id: str, status: str) -> list[dict]:
    """The task's notes with its done note among them, by date: the plan file has no other place
    for it, and after a restore it is an ordinary note."""
    notes = store.notes(plan, task_id)
    extra = done_note(store, plan, task_id, status)
    if extra and not any((n["on_date"], n["text"]) == (extra["on_date"], extra["text"])
                         for n in notes):
        notes = sorted(notes + [extra], key=lambda n: n["on_date"])
    return notes


def to_toml(store: Store, plan: str) -> str:
    document = plan_document(store, plan)
    return toml_writer.dumps(document, header=TOML_HEADER.format(title=document["plan"]["title"]))


# --- JSON: everything, with the event history ------------------------------------------------

def _as_of_records(store: Store, plan: str, as_of: date) -> dict[str, dict]:
    """Status and light as of the date, for live and archived tasks alike."""
    records = {}
    for archived in (False, True):
        for r in store.select_tasks(plan, TaskFilter(status="all", archived=archived), as_of):
            records[r["id"]] = r
    return records


def to_data(store: Store, plan: str, as_of: date) -> dict:
    """{"plan", "sections" > "items" > "tasks" (with state and notes), "events"}:
    see docs/export.md."""
    from jtdj.views import event_record

    head = store.plan(plan)
    live = _as_of_records(store, plan, as_of)
    tasks = _tasks_by_item(store, plan)

    def note(n):
        return {"on": n["on_date"], "by": n["actor"], "text": n["text"], "percent": n["percent"]}

    def task(row):
        now = live.get(row["id"], {})
        return {
            "id": row["id"], "no": row["no"], "title": row["title"], "when": row["timing"],
            "start": row["start"], "due": row["due"], "owner": row["owner"],
            "support": _list(row["support"]), "tags": _list(row["tags"]),
            "status": row["status"], "status_as_of": now.get("status"), "light": now.get("light"),
            "percent": row["percent"], "started_on": row["started_on"], "done_on": row["done_on"],
            "dropped_on": row["dropped_on"], "drop_reason": row["drop_reason"],
            "archived": bool(row["archived"]), "origin": row["origin"],
            "evidence": _list(row["evidence"]),
            "notes": [note(n) for n in task_notes(store, plan, row["id"], row["status"])],
        }

    items_by_section: dict[int, list[dict]] = {}
    for it in store.items(plan):
        items_by_section.setdefault(it["section"], []).append({
            "id": str(it["no"]), "no": it["no"], "title": it["title"], "text": it["text"],
            "notes": [note(n) for n in store.notes(plan, str(it["no"]))],
            "tasks": [task(row) for row in tasks.get(it["no"], [])]})
    events = [event_record(e) for e in sorted(store.events(plan), key=lambda e: e["id"])]
    return {
        "format": 1, "as_of": as_of.isoformat(),
        "plan": {k: head[k] for k in ("key", "title", "issuer", "doc_no", "issued", "due",
                                      "preamble")},
        "sections": [{"no": s["no"], "title": s["title"],
                      "items": items_by_section.get(s["no"], [])} for s in store.sections(plan)],
        "events": events,
    }


# --- rows: CSV and the ledger ----------------------------------------------------------------

def progress_text(store: Store, plan: str, row: dict, status: str) -> str:
    """What the ledger's 完成情况/进展 shows: the latest of the task's notes, its done note
    (`jtdj done --note`, while it is done) and its drop reason (while it is dropped)."""
    candidates = [((n["on_date"], n["at"] or ""), n["text"])
                  for n in task_notes(store, plan, row["id"], status)]
    if status == "dropped" and row["drop_reason"]:
        candidates.append(((row["dropped_on"] or "", "\uffff"), row["drop_reason"]))
    return max(candidates, key=lambda c: c[0])[1] if candidates else ""


def task_rows(store: Store, plan: str, as_of: date, include_archived: bool = True) -> list[dict]:
    """One flat record per task (the CSV's rows, the ledger's source), in id order."""
    live = _as_of_records(store, plan, as_of)
    rows = []
    for item_tasks in _tasks_by_item(store, plan).values():
        for row in item_tasks:
            if row["archived"] and not include_archived:
                continue
            now = live[row["id"]]
            rows.append({
                "id": row["id"], "section": row["section"], "item": row["item"],
                "title": row["title"], "when": row["timing"], "start": row["start"],
                "due": row["due"], "owner": row["owner"], "support": _list(row["support"]),
                "tags": _list(row["tags"]), "status": now["status"], "light": now["light"],
                "percent": now["percent"], "done_on": now["done_on"],
                "dropped_on": row["dropped_on"] if now["status"] == "dropped" else None,
                "drop_reason": row["drop_reason"] if now["status"] == "dropped" else None,
                "progress": progress_text(store, plan, row, now["status"]),
                "evidence": _list(row["evidence"]), "archived": bool(row["archived"]),
                "origin": row["origin"],
            })
    return rows


def to_csv(store: Store, plan: str, as_of: date) -> str:
    from jtdj import render

    return render.to_csv(task_rows(store, plan, as_of), CSV_KEYS)


def section_summary(rows: list[dict], sections: list[dict]) -> list[dict]:
    """Per section: tasks, done, dropped, open, overdue, % done (dropped left out of the base)."""
    from jtdj.views import percent

    out = []
    for s in sections:
        mine = [r for r in rows if r["section"] == s["no"]]
        if not mine:
            continue
        done = sum(r["status"] == "done" for r in mine)
        dropped = sum(r["status"] == "dropped" for r in mine)
        out.append({"section": s["no"], "title": s["title"], "tasks": len(mine), "done": done,
                    "dropped": dropped, "open": len(mine) - done - dropped,
                    "overdue": sum(r["light"] == "red" for r in mine),
                    "percent": percent(done, len(mine) - dropped)})
    return out


# --- xlsx: the 工作台账 ---------------------------------------------------------------------

LEDGER_COLUMNS = (  # (catalogue key, width in characters)
    ("export.col.seq", 7), ("export.col.section", 20), ("export.col.item", 20),
    ("export.col.task", 40), ("export.col.owner", 14), ("export.col.support", 14),
    ("export.col.due", 12), ("export.col.when", 12), ("export.col.status", 9),
    ("export.col.progress", 36), ("export.col.done_on", 12), ("export.col.evidence", 28),
)
SUMMARY_COLUMNS = (
    ("export.summary.section", 40), ("export.summary.tasks", 9), ("export.summary.done", 9),
    ("export.summary.dropped", 9), ("export.summary.open", 9), ("export.summary.overdue", 9),
    ("export.summary.percent", 9),
)
# Excel's own "good / neutral / bad" fills, so the sheet looks familiar
LIGHT_FILL = {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE", "grey": "D9D9D9"}


def _numeral(no: int) -> str:
    from jtdj.i18n import t

    numerals = t("export.numerals").split(",")
    return numerals[no - 1] if 0 < no <= len(numerals) else str(no)


def ledger_xlsx(store: Store, plan: str, as_of: date) -> bytes:
    """The 工作台账 workbook: sheet 1 one row per task, sheet 2 the per-section summary."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from jtdj.i18n import t
    from jtdj.render import status_word

    head = store.plan(plan)
    sections = store.sections(plan)
    section_label = {s["no"]: t("export.section_label", numeral=_numeral(s["no"]), title=s["title"])
                     for s in sections}
    item_label = {i["no"]: f"{i['no']}. {i['title']}" for i in store.items(plan)}
    rows = task_rows(store, plan, as_of, include_archived=False)

    wb = Workbook()
    wb.properties.title = head["title"]
    wb.properties.creator = "jtdj"
    ws = wb.active
    ws.title = t("export.sheet_tasks")
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header_fill = PatternFill("solid", fgColor="DDEBF7")

    def header(sheet, columns):
        for col, (key, width) in enumerate(columns, 1):
            cell = sheet.cell(row=1, column=col)
            _text(cell, t(key))
            cell.font, cell.fill = bold, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            sheet.column_dimensions[get_column_letter(col)].width = width
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True

    header(ws, LEDGER_COLUMNS)
    sep = t("list.sep")
    for n, r in enumerate(rows, 2):
        values = (r["id"], section_label.get(r["section"], ""), item_label.get(r["item"], ""),
                  r["title"], r["owner"] or "", sep.join(r["support"]), _date(r["due"]),
                  r["when"] or "", status_word(r["status"]), r["progress"], _date(r["done_on"]),
                  "\n".join(r["evidence"]))
        for col, v in enumerate(values, 1):
            cell = ws.cell(row=n, column=col)
            if isinstance(v, date):
                cell.value, cell.number_format = v, "yyyy-mm-dd"
            else:
                _text(cell, v)
            cell.alignment = wrap
        ws.cell(row=n, column=9).fill = PatternFill("solid", fgColor=LIGHT_FILL[r["light"]])
    ws.auto_filter.ref = f"A1:{get_column_letter(len(LEDGER_COLUMNS))}{max(len(rows) + 1, 2)}"
    ws.oddHeader.center.text = head["title"].replace("&", "&&")
    ws.oddFooter.center.text = t("export.as_of", date=as_of.isoformat()).replace("&", "&&")

    summary = wb.create_sheet(t("export.sheet_summary"))
    header(summary, SUMMARY_COLUMNS)
    lines = section_summary(rows, sections)
    totals = section_summary([{**r, "section": 0} for r in rows],
                             [{"no": 0, "title": t("export.summary.total")}])
    for n, s in enumerate(lines + totals, 2):
        label = section_label[s["section"]] if s["section"] else s["title"]
        _text(summary.cell(row=n, column=1), label)
        summary.cell(row=n, column=1).alignment = wrap
        for col, key in enumerate(("tasks", "done", "dropped", "open", "overdue"), 2):
            summary.cell(row=n, column=col, value=s[key])
        cell = summary.cell(row=n, column=7, value=s["percent"] / 100)
        cell.number_format = "0%"
        if not s["section"]:
            for col in range(1, 8):
                summary.cell(row=n, column=col).font = bold
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text(cell, value: str) -> None:
    """A text cell that stays text: a title starting with "=" is never run as a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value or "")
    cell.data_type = "s"
