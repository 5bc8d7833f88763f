"""The plan file: read, validate (every problem, with its path), and return plain records.

Nothing here touches the database. ``docs/plan-format.md`` is the user-facing description of
the format this module accepts; keep the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jtdj import planfile
from jtdj.planfile import (ITEM_FIELDS, NOTE_FIELDS, OCCURRENCE_FIELDS, PLAN_FIELDS,
                           SECTION_FIELDS, SHARE_FIELDS, TASK_FIELDS, TOP_FIELDS)
from jtdj.errors import PlanFileError
from jtdj.i18n import t
from jtdj.parse import MAX_NUMBER as MAX_PLAN_INT, plan_year, timing_dates  # 64-bit SQLite
from jtdj.plancheck import Checker, describe
from jtdj.tuples import named_tuple

STATUSES = ("todo", "doing", "done", "dropped")
KINDS = ("task", "ongoing")  # a task with a due date; a standing requirement (常态推进)
KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
NOTICE_TEXTS = ("notice_title", "addressee", "printed_by")  # the notice's text fields

@named_tuple
class Note:
    on: date
    text: str
    by: str | None = None
    percent: int | None = None


@dataclass(slots=True)  # 100,000 of them in a large import: a fifth of the memory of a __dict__
class Task:
    """One task of an item; the state fields apply only to tasks new to the database."""

    item: int
    no: int
    title: str
    support: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    due: date | None = None
    start: date | None = None
    when: str | None = None
    owner: str | None = None
    status: str = "todo"
    percent: int | None = None
    done_on: date | None = None
    dropped_on: date | None = None
    drop_reason: str | None = None
    archived: bool = False
    added: bool = False
    evidence: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    each: list[str] = field(default_factory=list)  # 承办单位: units or groups (their members)
    shares: list["Share"] = field(default_factory=list)  # an export's shares, with their state
    kind: str | None = None  # None: a task with a due date; "ongoing": a standing requirement
    every: str | None = None  # a recurring obligation: month | quarter | half-year | year
    day: int | None = None  # its occurrences' due day in the period's last month
    occurrences: list["OccurrenceState"] = field(default_factory=list)  # an export's, changed

    id: str = field(init=False, repr=False, compare=False, default="")

    def __post_init__(self) -> None:
        self.id = f"{self.item}.{self.no}"  # kept, not a property: an import reads it often


@dataclass(slots=True)
class Share:
    """A unit's share of a task (``[[…tasks.shares]]``): applied only to a share new here."""

    unit: str
    status: str = "todo"
    percent: int | None = None
    due: date | None = None
    done_on: date | None = None
    dropped_on: date | None = None
    drop_reason: str | None = None
    evidence: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


@dataclass(slots=True)
class OccurrenceState(Share):
    """An occurrence's state (``[[…tasks.occurrences]]``: ``unit`` None), or a unit's share of
    one: a share's fields with its period, applied only to an occurrence (or share) new here."""

    period: str = ""


@dataclass
class Item:
    """A numbered item of a section: its title, its text, its tasks."""

    no: int
    section: int
    title: str
    text: str = ""
    tasks: list[Task] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


@dataclass
class Section:
    """A section of the plan (一、二、…) and its items."""

    no: int
    title: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Plan:
    """The plan file as read: its heading and its sections."""

    key: str
    title: str
    issuer: str | None = None
    doc_no: str | None = None
    issued: date | None = None
    due: date | None = None
    preamble: str | None = None
    # the notice's own fields (docs/plan-format.md): its title (the attachment's is ``title``),
    # 主送机关, 印发机关 and 印发日期, 此件公开发布
    notice_title: str | None = None
    addressee: str | None = None
    public: bool = False
    printed_by: str | None = None
    printed_on: date | None = None
    sections: list[Section] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # imported all the same, said on stderr

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    @property
    def tasks(self) -> list[Task]:
        return [task for item in self.items for task in item.tasks]


def load_plan(path: Path | str, today: date, raw: bytes | None = None) -> Plan:
    """Read and validate a plan file; raise PlanFileError listing every problem. Timing words
    without a year (暑期) fall in the plan's year, else in the year of ``today`` (the as-of day).
    Control and bidi characters in its text are kept, with a warning each (``Plan.warnings``).
    ``raw``: the file's bytes when the caller has read them already (``planfile.read_bytes``)."""
    from jtdj.render.safe import unsafe_paths

    path = Path(path)
    text = planfile.decode(planfile.read_bytes(path) if raw is None else raw, path)
    data = planfile.parse_toml(text, path)
    plan = plan_from_data(data, today, str(path))
    plan.warnings = [t("import.unsafe_text", file=path, path=where, chars=chars)
                     for where, chars in unsafe_paths(text, data)]  # kept exactly, shown visibly
    return plan


def _notes(c: Checker, raw_notes: list, path: str) -> list[Note]:
    notes = []
    for n, raw in enumerate(raw_notes, 1):
        npath = f"{path}.notes[{n}]"
        d = c.table(raw, NOTE_FIELDS, npath)
        c.text(d, "text", npath)
        percent = c.percent(d, npath)
        if "on" in d and "text" in d:
            notes.append(Note(on=d["on"], text=d["text"], by=d.get("by"), percent=percent))
    return notes


def plan_from_data(data: dict, today: date, source: str = "") -> Plan:
    c = Checker()
    top = c.table(data, TOP_FIELDS, "")
    if top.get("format", 1) != 1:
        c.add("format", t("plan.bad_format", got=top["format"]))
    # a missing or mistyped [plan] is one problem, not one per field inside it
    head = c.table(top["plan"], PLAN_FIELDS, "plan") if "plan" in top else {}
    key = c.text(head, "key", "plan")
    if key is not None and key.strip() and not KEY_RE.fullmatch(key):
        c.add("plan.key", t("plan.bad_key", got=describe(key)))
    c.text(head, "title", "plan")
    for name in NOTICE_TEXTS:  # blank is an error, as for the title
        c.text(head, name, "plan")
    plan = Plan(key=key or "", title=head.get("title", ""), issuer=head.get("issuer"),
                doc_no=head.get("doc_no"), issued=head.get("issued"), due=head.get("due"),
                preamble=head.get("preamble"), notice_title=head.get("notice_title"),
                addressee=head.get("addressee"), public=head.get("public", False),
                printed_by=head.get("printed_by"), printed_on=head.get("printed_on"))
    if "sections" in top and not top["sections"]:
        c.add("sections", t("plan.no_sections"))
    year = plan_year(plan.due, plan.issued, today)
    seen_sections: dict[int, str] = {}
    seen_items: dict[int, str] = {}
    for s, raw_section in enumerate(top.get("sections", []), 1):
        spath = f"sections[{s}]"
        sd = c.table(raw_section, SECTION_FIELDS, spath)
        c.text(sd, "title", spath)
        sno = c.number(sd, spath, seen_sections, "kind.section")
        section = Section(no=sno or 0, title=sd.get("title", ""))
        plan.sections.append(section)
        for i, raw_item in enumerate(sd.get("items", []), 1):
            ipath = f"{spath}.items[{i}]"
            idata = c.table(raw_item, ITEM_FIELDS, ipath)
            c.text(idata, "title", ipath)
            ino = c.number(idata, ipath, seen_items, "kind.item")
            item = Item(no=ino or 0, section=section.no, title=idata.get("title", ""),
                        text=idata.get("text", ""),
                        notes=_notes(c, idata.get("notes", []), ipath))
            section.items.append(item)
            seen_tasks: dict[int, str] = {}
            for k, raw_task in enumerate(idata.get("tasks", []), 1):
                tpath = f"{ipath}.tasks[{k}]"
                item.tasks.append(_plain_task(raw_task, tpath, item.no, seen_tasks, year)
                                  or _task(c, raw_task, tpath, item.no, seen_tasks, year))
    if c.problems:
        prefix = f"{source}: " if source else ""
        problems = [prefix + p for p in c.problems]
        raise PlanFileError(problems[0] if len(problems) == 1 else
                            t("plan.problems", count=len(problems), file=source), problems)
    return plan


# The fields of a plain task, each with the one class TOML gives a valid value of it.
_PLAIN = {"no": int, "title": str, "due": date, "start": date, "when": str, "owner": str,
          "support": list, "tags": list}


def _plain_task(raw: dict, tpath: str, item_no: int, seen: dict, year: int) -> Task | None:
    """A task of plain fields that ``_task`` would find no problem in, built without its
    checks (most tasks of a large plan: bench/README.md); None for any other, which ``_task``
    then checks in full, so every problem is still found and said the same way."""
    for name, value in raw.items():
        if _PLAIN.get(name) is not value.__class__:
            return None
    no, title, when = raw.get("no"), raw.get("title"), raw.get("when")
    support, tags = raw.get("support", []), raw.get("tags", [])
    if (no is None or title is None or not 0 < no <= MAX_PLAN_INT or no in seen
            or not title.strip() or any(x.__class__ is not str for x in support + tags)):
        return None
    start, due = timing_dates(when, raw.get("start"), raw.get("due"), year)
    if start and due and start > due:
        return None
    seen[no] = tpath
    return Task(item_no, no, title, support, tags, due, start, when, raw.get("owner") or None)


def _task(c: Checker, raw: dict, tpath: str, item_no: int, seen: dict, year: int) -> Task:
    d = c.table(raw, TASK_FIELDS, tpath)
    c.text(d, "title", tpath)
    tno = c.number(d, tpath, seen, "kind.task", prefix=f"{item_no}.")
    status = _status(c, d, tpath)
    when = d.get("when")
    kind = _kind(c, d, tpath)
    every, day = _every(c, d, tpath, kind)
    start, due = timing_dates(when, d.get("start"), d.get("due"), year)
    if kind == "ongoing" or every:  # never due itself: timing words set its start alone
        due = None
    if start and due and start > due:
        c.add(f"{tpath}.start", t("plan.start_after_due", start=start, due=due))
    shares, units = [], set()  # a unit holds one share of a task
    for n, raw_share in enumerate(d.get("shares", []), 1):
        spath = f"{tpath}.shares[{n}]"
        sd = c.table(raw_share, SHARE_FIELDS, spath)
        unit = (c.text(sd, "unit", spath) or "").strip()
        if unit in units:
            c.add(f"{spath}.unit", t("import.units_share_twice", unit=unit))
        units.add(unit)
        shares.append(Share(unit, _status(c, sd, spath), c.percent(sd, spath), *map(sd.get, (
            "due", "done_on", "dropped_on", "drop_reason")), sd.get("evidence", []),
            _notes(c, sd["notes"], spath) if "notes" in sd else []))
    return Task(
        item=item_no, no=tno or 0, title=d.get("title", ""), due=due, start=start, when=when,
        owner=d.get("owner") or None, support=d.get("support", []), tags=d.get("tags", []),
        status=status, percent=c.percent(d, tpath), done_on=d.get("done_on"),
        dropped_on=d.get("dropped_on"), drop_reason=d.get("drop_reason"),
        archived=d.get("archived", False), added=d.get("added", False),
        evidence=d.get("evidence", []),
        notes=_notes(c, d["notes"], tpath) if "notes" in d else [],
        each=[n.strip() for n in d.get("each", []) if n.strip()], shares=shares, kind=kind,
        every=every, day=day, occurrences=[_occurrence(c, o, f"{tpath}.occurrences[{n}]")
                                           for n, o in enumerate(d.get("occurrences", []), 1)],
    )


def _every(c: Checker, d: dict, path: str, kind: str | None) -> tuple[str | None, int | None]:
    """A recurring task's ``every`` and ``day`` (docs/plan-format.md): not with ``ongoing``
    nor ``due`` (each occurrence has its own), its state kept per occurrence."""
    from jtdj.recurrence import EVERY

    every, day = d.get("every"), d.get("day")
    if every is None:
        if day is not None:
            c.add(f"{path}.day", t("plan.day_without_every"))
        if d.get("occurrences"):
            c.add(f"{path}.occurrences", t("plan.occurrences_without_every"))
        return None, None
    if every not in EVERY:
        c.add(f"{path}.every", t("plan.bad_every", got=describe(every), allowed="|".join(EVERY)))
        return None, None
    if kind == "ongoing":
        c.add(f"{path}.every", t("plan.every_ongoing"))
    if d.get("due") is not None:
        c.add(f"{path}.due", t("plan.every_due"))
    for name in ("status", "percent", "done_on", "dropped_on", "drop_reason", "evidence", "shares"):
        if d.get(name) not in (None, "todo", []):
            c.add(f"{path}.{name}", t("plan.every_state"))
    if day is not None and not 1 <= day <= 31:
        c.add(f"{path}.day", t("plan.bad_day", got=day))
        day = None
    return every, day


def _occurrence(c: Checker, raw: dict, path: str) -> OccurrenceState:
    d = c.table(raw, OCCURRENCE_FIELDS, path)
    unit = c.text(d, "unit", path, required=False)
    return OccurrenceState(
        unit.strip() if unit else None, _status(c, d, path), c.percent(d, path),
        *map(d.get, ("due", "done_on", "dropped_on", "drop_reason")), d.get("evidence", []),
        _notes(c, d["notes"], path) if "notes" in d else [], period=(d.get("period") or "").strip())


def _kind(c: Checker, d: dict, path: str) -> str | None:
    """The ``kind`` of a task: None for an ordinary one; ``ongoing`` has no due date."""
    kind = d.get("kind", "task")
    if kind not in KINDS:
        c.add(f"{path}.kind", t("plan.bad_kind", got=describe(kind), allowed="|".join(KINDS)))
        return None
    if kind == "ongoing" and d.get("due") is not None:
        c.add(f"{path}.due", t("plan.ongoing_due"))
    return None if kind == "task" else kind


def _status(c: Checker, d: dict, path: str) -> str:
    """The ``status`` of a task or share, with the dates and reason only its status may have."""
    status = d.get("status", "todo")
    if status not in STATUSES:
        c.add(f"{path}.status", t("plan.bad_status", got=describe(status),
                                  allowed="|".join(STATUSES)))
        status = "todo"
    for name, needs in (("done_on", "done"), ("dropped_on", "dropped"), ("drop_reason", "dropped")):
        if d.get(name) is not None and status != needs:
            c.add(f"{path}.{name}", t("plan.state_mismatch", field=name, status=needs))
    return status
