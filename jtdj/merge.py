"""`jtdj merge`: the 填报表 units returned, back into the ledger.

Every form is read (``forms.read_form``) and every row checked before anything changes; the
plan of changes is shown, then applied as one batch (one undo step), each event credited to the
unit (``events.unit``) and the clerk, marked ``form:<collect>`` (``events.source``), and dated
the form's 填报日期 (a check-off: its 完成日期).

A unit's 已完成 waits for the office's review (``review.put_report``) unless the config says
units' reports count at once; its 申请延期 and 申请取消 are requests waiting the same way.

A row whose task or share changed in the database after the form was made, by anything but an
earlier merge of a form of the same collect, is a conflict: the database is kept unless
``theirs``. Forms of one collect are applied in the order they were filled, so the later wins.
A row equal to the database is no change, so merging a file twice changes nothing.
An occurrence's row (4.3@2022-05) is any task's: it goes back to that occurrence's share, the
occurrence rolls up, and the recurring task's own row is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jtdj import review, shares
from jtdj.actions import apply_action
from jtdj.forms import Form, FormRow, Problem
from jtdj.i18n import t
from jtdj.store import Store, utc_text
from jtdj.store import forms as forms_db
from jtdj.store import units as units_db

_STATUS_ACTION = {"todo": "reopen", "doing": "start", "done": "done", "review": "report"}


@dataclass
class Change:
    """One row's change: its task (and share), the values before and after, the note."""

    form: Form
    row: FormRow
    task_id: str
    unit: dict
    share: dict | None
    before: dict
    after: dict
    note: str | None
    evidence: str | None
    day: date
    conflict: list[dict] = field(default_factory=list)
    request: tuple | None = None  # (kind, new due date, reason) of a 申请延期 or 申请取消

    @property
    def label(self) -> str:
        return shares.label(self.task_id, self.unit["name"])


@dataclass
class Plan:
    """What a merge would do: the changes, the conflicts among them, the bad rows, notices."""

    forms: list[Form]
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    unchanged: int = 0
    issued: dict = field(default_factory=dict)  # form path -> its forms-table row

    @property
    def conflicts(self) -> list[Change]:
        return [c for c in self.changes if c.conflict]


def effective_day(form: Form, today: date, notices: list[str]) -> date:
    """The day a form's changes take effect: its 填报日期, else the file's modified date, else
    today (each fallback said)."""
    if form.filled_on and form.filled_on_source == "form":
        return min(form.filled_on, today)
    if form.filled_on:
        notices.append(t("merge.day_from_file", file=form.path.name, day=form.filled_on.isoformat()))
        return min(form.filled_on, today)
    notices.append(t("merge.day_today", file=form.path.name, day=today.isoformat()))
    return today


def prepare(store: Store, plan: str, forms: list[Form], today: date,
            held: bool = True) -> Plan:
    """Check every form and row against the database; nothing is written. ``held``: a unit's
    已完成 waits for review (待审核)."""
    result = Plan(forms=sorted(forms, key=lambda f: (f.collect, f.filled_on or date.min)))
    register = {u["name"]: u for u in units_db.units(store)}
    for form in result.forms:
        result.problems += form.problems
        bad_rows = {p.row for p in form.problems}
        name = form.path.name
        if form.plan != plan:
            result.problems.append(Problem(name, None, None, t("merge.other_plan", plan=form.plan,
                                                                 current=plan)))
            continue
        unit = register.get(form.unit)
        issued = forms_db.issued(store, plan, form.collect, unit["id"]) if unit else None
        if issued is None:
            result.problems.append(Problem(name, None, None, t("merge.not_issued", unit=form.unit)))
            continue
        result.issued[form.path] = issued
        day = effective_day(form, today, result.notices)
        shares_held = units_db.shares(store, plan, [r.id for r in form.rows], unit["id"])
        for row in form.rows:
            result.notices += [f"{name}: {n}" for n in row.notices]
            if not row.changed or row.row in bad_rows:
                continue
            change = _row_change(store, plan, form, row, unit, shares_held, day, result, held)
            if change is None:
                continue
            if (change.before == change.after and not change.note and not change.evidence
                    and not change.request):
                result.unchanged += 1
                continue
            result.changes.append(change)
    return result


def _row_change(store, plan, form, row, unit, shares_held, day, result,
                held: bool) -> Change | None:
    share = next((s for s in shares_held.get(row.id, []) if s["unit"] == unit["id"]), None)
    task = store.task(plan, row.id)
    name = form.path.name
    if task is None or (share is None and task["owner"] != unit["name"]):
        result.problems.append(Problem(name, row.row, None, t("merge.not_this_units", id=row.id,
                                                              unit=unit["name"])))
        return None
    current = share or task
    before = {"status": current["status"], "percent": current["percent"]}
    after = dict(before)
    if row.status in _STATUS_ACTION:
        after["status"] = row.status
    if row.percent is not None:
        after["percent"] = row.percent
    if after["status"] == "done" and before["status"] != "done":
        after["done_on"] = (row.done_on or day).isoformat()
        if held:
            after["status"] = "review"
            if before["status"] == "review" and current["reported_on"] == after["done_on"]:
                after = dict(before)  # reported so already: the same form merged again
    target = units_db.share_target(row.id, unit["id"]) if share else row.id
    note = _note_text(row)
    if note and any(n["text"] == note for n in store.notes(plan, target)):
        note = None  # already recorded (the same form merged before)
    evidence = row.evidence
    if evidence and evidence in (share["evidence"] if share else _json_list(task["evidence"])):
        evidence = None
    change = Change(form, row, row.id, unit, share, before, after, note, evidence, day)
    if row.status in review.REQUEST_KINDS:
        asked = (row.status, row.new_due if row.status == "extend" else None, row.reason or "")
        waiting = _json_dict(current["request"])
        if not (waiting and (waiting["kind"], waiting["due"], waiting["reason"]) == (
                asked[0], asked[1].isoformat() if asked[1] else None, asked[2])):
            change.request = asked
    standing = forms_db.form_events(store, plan, [target], row.version or 0)
    change.conflict = [e for e in standing if e["source"] != f"form:{form.collect}"]
    return change


def _json_list(text):
    import json

    return json.loads(text) if text else []


def _json_dict(value):
    import json

    return json.loads(value) if isinstance(value, str) else value


def _note_text(row: FormRow) -> str | None:
    parts = []
    for key, value in (("progress", row.progress), ("problems", row.problems_text),
                       ("next_steps", row.next_steps)):
        if value:
            parts.append(t(f"merge.note_{key}", text=value))
    if row.status == "extend":
        parts.append(t("merge.note_extend", due=row.new_due.isoformat() if row.new_due else "",
                       reason=row.reason or ""))
    elif row.status == "cancel":
        parts.append(t("merge.note_cancel", reason=row.reason or ""))
    return t("merge.note_sep").join(parts) or None


def apply(store: Store, plan: str, actor: str, today: date, result: Plan, theirs: bool,
          now) -> list[Change]:
    """Apply the changes (conflicts only with ``theirs``) in one batch; mark each form merged.
    Returns the changes applied."""
    applied = [c for c in result.changes if theirs or not c.conflict]
    # by the day each change takes effect, so each task's roll-ups follow its days (and of
    # two forms of one collect the later-filled one comes last and wins)
    applied.sort(key=lambda c: (_status_day(c), c.day))
    rolled: dict[str, tuple[str, date]] = {}  # task -> the roll-up its shares' changes need
    with store.batch(plan, actor, today) as batch:
        for change in applied:
            batch.source = f"form:{change.form.collect}"
            batch.unit = change.unit["name"]
            rollup = _apply_one(store, batch, change)
            if rollup:
                # one roll-up per task and day, not per share: 60 units report on one task
                done = rolled.get(change.task_id)
                if done is not None and done[1] != rollup[1]:
                    batch.source = batch.unit = None  # a task's roll-up is every unit's
                    shares.rollup(store, batch, change.task_id, *done)
                rolled[change.task_id] = rollup
        batch.source = batch.unit = None  # a task's roll-up is every unit's, not one form's
        for task_id, (action, day) in rolled.items():
            shares.rollup(store, batch, task_id, action, day)
        for form in result.forms:
            issued = result.issued.get(form.path)
            if issued:
                forms_db.mark_merged(store, issued["id"], utc_text(now), today.isoformat(),
                                     form.filled_on.isoformat() if form.filled_on else None)
    return applied


def _status_day(change: Change) -> date:
    done_on = change.after.get("done_on")
    return date.fromisoformat(done_on) if done_on else change.day


def _apply_one(store, batch, change: Change) -> tuple[str, date] | None:
    """Write one row's change; for a share, return the (action, day) its task's roll-up
    takes."""
    day, task_id, share = change.day, change.task_id, change.share
    status_day = _status_day(change)
    action = _STATUS_ACTION.get(change.after["status"]) if (
        change.after["status"] != change.before["status"]) else None
    evidence = [change.evidence] if change.evidence else None
    if share is not None:
        def put_share(column, value, text=None, _action=action or "note", _on=day):
            return units_db.set_share(store, batch, task_id, share["unit"], share["unit_name"],
                                      column, value, _action, on=_on, note=text)
        if action == "report":
            review.put_report(lambda c, v, text=None: put_share(c, v, text, action, status_day),
                              share, status_day, evidence=evidence)
        elif action:
            apply_action(lambda c, v, text=None: put_share(c, v, text, action, status_day),
                                share["status"], share["evidence"], action, status_day,
                                evidence=evidence)
        elif evidence:
            put_share("evidence", share["evidence"] + evidence, None, "evidence")
        if change.after["percent"] != change.before["percent"]:
            put_share("percent", change.after["percent"])
        if change.note:
            store.add_note(batch, units_db.share_target(task_id, share["unit"]), change.note,
                           change.after["percent"] if change.row.percent is not None else None,
                           on=day, unit=change.unit["name"])
        if change.request:
            review.put_request(lambda c, v, text=None: put_share(c, v, text, "request", day),
                               share, change.request[0], day, change.request[2],
                               change.request[1])
        return action or ("request" if change.request else "note"), status_day
    task = store.task(batch.plan, task_id)
    if action == "report":
        review.put_report(
            lambda c, v, text=None: batch.set_task(task_id, c, v, action, on=status_day, note=text),
            task, status_day, evidence=evidence)
    elif action:
        apply_action(
            lambda c, v, text=None: batch.set_task(task_id, c, v, action, on=status_day, note=text),
            task["status"], _json_list(task["evidence"]), action, status_day, evidence=evidence)
    elif evidence:
        batch.set_task(task_id, "evidence", _json_list(task["evidence"]) + evidence, "evidence",
                       on=day)
    if change.after["percent"] != change.before["percent"]:
        batch.set_task(task_id, "percent", change.after["percent"], "note", on=day)
    if change.note:
        store.add_note(batch, task_id, change.note,
                       change.after["percent"] if change.row.percent is not None else None,
                       on=day, unit=change.unit["name"])
    if change.request:
        review.put_request(
            lambda c, v, text=None: batch.set_task(task_id, c, v, "request", on=day, note=text),
            task, change.request[0], day, change.request[2], change.request[1])


def change_lines(result: Plan) -> list[str]:
    """The plan of changes in words, task by task (old → new)."""
    from jtdj.render.records import status_word

    lines = []
    for c in result.changes:
        parts = []
        if c.after["status"] != c.before["status"]:
            parts.append(t("merge.was_now", field=t("field.status"),
                           old=status_word(c.before["status"]), new=status_word(c.after["status"])))
        if c.after["percent"] != c.before["percent"]:
            parts.append(t("merge.was_now", field=t("field.percent"),
                           old=_pct(c.before["percent"]), new=_pct(c.after["percent"])))
        if c.note:
            parts.append(c.note)
        if c.evidence:
            parts.append(t("merge.evidence", text=c.evidence))
        line = t("merge.line", label=c.label, changes=t("merge.note_sep").join(parts))
        if c.conflict:
            e = c.conflict[-1]
            line += " " + t("merge.conflict", actor=e["actor"], on=e["on_date"])
        lines.append(line)
    return lines


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def read_all(paths: list[Path], convert) -> list[Form]:
    """Every file as a form; .xls and .et first through ``convert`` (LibreOffice)."""
    from jtdj.forms import read_form

    out = []
    for path in paths:
        path = Path(path)
        if path.suffix.lower() in (".xls", ".et"):
            out.append(read_form(convert(path)))
            out[-1].path = path
        else:
            out.append(read_form(path))
    return out
