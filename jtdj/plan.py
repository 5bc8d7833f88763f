"""The plan file: read, validate (every problem, with its path), and return plain records.

Nothing here touches the database. ``docs/plan-format.md`` is the user-facing description of
the format this module accepts; keep the two in step.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from jtdj import planfile
from jtdj.planfile import (ITEM_FIELDS, NOTE_FIELDS, PLAN_FIELDS, SECTION_FIELDS, SHARE_FIELDS,
                           TASK_FIELDS, TOP_FIELDS)
from jtdj.errors import PlanFileError
from jtdj.i18n import t
from jtdj.parse import MAX_NUMBER as MAX_PLAN_INT, plan_year, timing_dates  # 64-bit SQLite

STATUSES = ("todo", "doing", "done", "dropped")
_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")

class Note(NamedTuple):
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
    sections: list[Section] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # imported all the same, said on stderr

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    @property
    def tasks(self) -> list[Task]:
        return [task for item in self.items for task in item.tasks]


# --- field kinds -------------------------------------------------------------------------------

def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_date(v):
    return isinstance(v, date) and not isinstance(v, datetime)


def _is_str_list(v):
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


_KINDS = {
    "string": (lambda v: isinstance(v, str), "kind.string"),
    "integer": (_is_int, "kind.integer"),
    "date": (_is_date, "kind.date"),
    "boolean": (lambda v: isinstance(v, bool), "kind.boolean"),
    "strings": (_is_str_list, "kind.strings"),
    "tables": (lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v), "kind.tables"),
    "table": (lambda v: isinstance(v, dict), "kind.table"),
}

def _describe(value) -> str:
    if isinstance(value, str):  # JSON quoting keeps a newline in the value from breaking the line
        return json.dumps(value if len(value) <= 40 else value[:37] + "...", ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return t("kind.table")
    if isinstance(value, list):
        return t("kind.array")
    return str(value)


_CHECKS: dict[int, tuple[dict, dict, tuple[str, ...]]] = {}


def _checks(spec: dict) -> tuple[dict, dict, tuple[str, ...]]:
    """For one spec: field name -> its kind's check, field name -> the one class a value of a
    scalar kind has (TOML gives exactly str, date, bool: a class test needs no call, which
    saves a third of validating 100,000 tasks), and the required names."""
    checks = _CHECKS.get(id(spec))
    if checks is None:
        classes = {"string": str, "date": date, "boolean": bool}
        checks = _CHECKS[id(spec)] = (
            {n: _KINDS[kind][0] for n, (kind, _req) in spec.items()},
            {n: classes[kind] for n, (kind, _req) in spec.items() if kind in classes},
            tuple(n for n, (_k, req) in spec.items() if req))
    return checks


class _Checker:
    """Collects every problem with its path instead of stopping at the first."""

    def __init__(self):
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}" if path else message)

    def table(self, data: dict, spec: dict, path: str) -> dict:
        """Check kinds, required and unknown fields; return the fields that are valid."""
        valid = {}
        suggested = set()
        checks, exact, required = _checks(spec)
        for name, value in data.items():
            if exact.get(name) is value.__class__ is not int:  # most fields: one lookup
                valid[name] = value
                continue
            check = checks.get(name)
            if check is not None and check(value):
                if _is_int(value) and abs(value) > MAX_PLAN_INT:
                    self.add(f"{path}.{name}" if path else name,
                             t("error.plan_integer_range", most=MAX_PLAN_INT, value=value))
                    continue
                valid[name] = value
                continue
            kind = spec.get(name)
            if kind is None:
                close = difflib.get_close_matches(name, [n for n in spec if n not in data], n=1)
                hint = t("plan.did_you_mean", name=close[0]) if close else ""
                suggested.update(close)
                self.add(f"{path}.{name}" if path else name, t("plan.unknown_field") + hint)
                continue
            self.add(f"{path}.{name}" if path else name,  # known, but of the wrong kind
                     t("plan.expected", kind=t(_KINDS[kind[0]][1]), got=_describe(value)))
        for name in required:
            # a misspelt required field is reported once, as unknown with its suggestion
            if name not in data and name not in suggested:
                self.add(f"{path}.{name}" if path else name, t("plan.missing"))
        return valid

    def text(self, d: dict, name: str, path: str, required: bool = True) -> str | None:
        value = d.get(name)
        if value is not None and required and not value.strip():
            self.add(f"{path}.{name}", t("plan.empty"))
        return value

    def positive(self, d: dict, name: str, path: str) -> int | None:
        value = d.get(name)
        if value is not None and value < 1:
            self.add(f"{path}.{name}", t("plan.expected_positive", got=value))
            return None
        return value

    def number(self, d: dict, path: str, seen: dict, kind: str, prefix: str = "") -> int | None:
        """The ``no`` of a section, item or task: positive, and not one taken already."""
        no = self.positive(d, "no", path)
        if no is not None:
            if no in seen:
                self.add(f"{path}.no", t("plan.duplicate", kind=t(kind), no=f"{prefix}{no}",
                                         other=seen[no]))
            seen.setdefault(no, path)
        return no

    def percent(self, d: dict, path: str) -> int | None:
        value = d.get("percent")
        if value is not None and not 0 <= value <= 100:
            self.add(f"{path}.percent", t("plan.expected_percent", got=value))
            return None
        return value


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


def _notes(c: _Checker, raw_notes: list, path: str) -> list[Note]:
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
    c = _Checker()
    top = c.table(data, TOP_FIELDS, "")
    if top.get("format", 1) != 1:
        c.add("format", t("plan.bad_format", got=top["format"]))
    # a missing or mistyped [plan] is one problem, not one per field inside it
    head = c.table(top["plan"], PLAN_FIELDS, "plan") if "plan" in top else {}
    key = c.text(head, "key", "plan")
    if key is not None and key.strip() and not _KEY_RE.fullmatch(key):
        c.add("plan.key", t("plan.bad_key", got=_describe(key)))
    c.text(head, "title", "plan")
    plan = Plan(key=key or "", title=head.get("title", ""), issuer=head.get("issuer"),
                doc_no=head.get("doc_no"), issued=head.get("issued"), due=head.get("due"),
                preamble=head.get("preamble"))
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


def _task(c: _Checker, raw: dict, tpath: str, item_no: int, seen: dict, year: int) -> Task:
    d = c.table(raw, TASK_FIELDS, tpath)
    c.text(d, "title", tpath)
    tno = c.number(d, tpath, seen, "kind.task", prefix=f"{item_no}.")
    status = _status(c, d, tpath)
    when = d.get("when")
    start, due = timing_dates(when, d.get("start"), d.get("due"), year)
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
        each=[n.strip() for n in d.get("each", []) if n.strip()], shares=shares,
    )


def _status(c: _Checker, d: dict, path: str) -> str:
    """The ``status`` of a task or share, with the dates and reason only its status may have."""
    status = d.get("status", "todo")
    if status not in STATUSES:
        c.add(f"{path}.status", t("plan.bad_status", got=_describe(status),
                                  allowed="|".join(STATUSES)))
        status = "todo"
    for name, needs in (("done_on", "done"), ("dropped_on", "dropped"), ("drop_reason", "dropped")):
        if d.get(name) is not None and status != needs:
            c.add(f"{path}.{name}", t("plan.state_mismatch", field=name, status=needs))
    return status
