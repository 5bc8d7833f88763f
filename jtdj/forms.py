"""A 填报表 read back: the file a unit returns (made by ``render.form``) → ``Form``, with every
mistake found listed as a ``Problem`` (file, row, column, one translated line) rather than
stopping at the first, so the office can send one list back to the unit.

Why: the identity is the sheet named ``jtdj`` whatever its state (LibreOffice makes veryHidden
hidden), never the sheet order or file name; columns are found by header words (any language),
rows by id, and the identity's copy of the pre-filled values tells a changed locked cell. Units
type what they type: 40, "40%" and 0.4 in a percent cell are all 40; dates as cells or text
(``parse.parse_date``, the year the as-of day's). An empty 状态 means "unchanged". A file that is
not a form is a UsageError (exit 2); a form's mistakes are data, for ``jtdj merge`` to judge.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path

from jtdj.errors import UsageError
from jtdj.i18n import available_languages, catalogue, t
from jtdj.parse import normalise, parse_date

FORMAT = "jtdj-form-1"
IDENTITY_SHEET = "jtdj"
# the columns of render.form, by catalogue key (form.col.KEY); the first six are pre-filled
KEYS = ("seq", "id", "task", "due", "cur_status", "cur_percent", "status", "percent",
        "progress", "problems", "next_steps", "evidence", "done_on", "new_due", "reason")
UNIT_KEYS = KEYS[6:]
PREFILLED = {"task": "title", "due": "due", "cur_status": "status", "cur_percent": "percent"}
TEXT_KEYS = {"progress": "progress", "problems": "problems_text", "next_steps": "next_steps",
             "evidence": "evidence", "reason": "reason"}
CHOICES = ("todo", "doing", "done", "extend", "cancel")
FILLED_ON_CELL = "C3"
CSV_MARK = "#jtdj:"


@dataclass
class Problem:
    """One mistake in a returned form: where (file name, row, column header) and what."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return t("form.problem_in_file", file=self.file, message=self.message)
        if self.column is None:
            return t("form.problem_in_row", file=self.file, row=self.row, message=self.message)
        return t("form.problem_at", file=self.file, row=self.row, column=self.column,
                 message=self.message)


@dataclass
class FormRow:
    """One task row as the unit filled it; None everywhere means "not filled"."""

    row: int
    id: str
    version: int | None
    status: str | None = None
    percent: int | None = None
    progress: str | None = None
    problems_text: str | None = None
    next_steps: str | None = None
    evidence: str | None = None
    done_on: date | None = None
    new_due: date | None = None
    reason: str | None = None
    changed: bool = False
    prefilled_changed: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


@dataclass
class Form:
    """A returned form: its identity, when it was filled in, its rows and its problems."""

    plan: str
    unit: str
    collect: str
    collected_at: str
    as_of: date
    reply_by: date | None
    filled_on: date | None
    filled_on_source: str | None  # "form" (the 填报日期 cell), "file" (its modified date), None
    path: Path
    rows: list[FormRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_form(path: Path) -> Form:
    """The returned form at ``path`` (.xlsx, or .csv in UTF-8, UTF-8 with BOM or GB18030)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(t("form.not_found", file=path)) from None
    except OSError as exc:
        raise UsageError(t("form.unreadable", file=path, reason=exc.strerror or exc)) from None
    suffix = path.suffix.lower()
    if raw.startswith(b"\xd0\xcf\x11\xe0") or suffix in (".xls", ".et", ".ods"):
        raise UsageError(t("form.bad_extension", file=path, ext=suffix or "?"))
    if raw.startswith(b"PK\x03\x04"):
        return _Reader(path).xlsx(raw)
    if suffix in (".csv", ".txt"):
        return _Reader(path).csv(raw)
    raise UsageError(t("form.not_spreadsheet", file=path))


@cache
def _words(prefix: str) -> dict[str, str]:
    """Every language's word (and the key itself) under ``prefix`` → the key; read once."""
    found = {}
    for lang in available_languages():
        for key, word in catalogue(lang).items():
            if key.startswith(prefix):
                code = key[len(prefix):]
                found[_fold(word)] = code
                found[code] = code
    return found


def _fold(text) -> str:
    return normalise(str(text)).casefold()


class _Reader:
    """One file's reading: the identity, the columns, then each row checked."""

    def __init__(self, path: Path):
        self.path, self.file = path, path.name
        self.problems: list[Problem] = []
        self.header_of = {key: t(f"form.col.{key}") for key in KEYS}
        self.header_of["filled_on"] = t("form.filled_on")

    def problem(self, row, key, message) -> None:
        column = self.header_of.get(key, key) if key else None
        self.problems.append(Problem(self.file, row, column, message))

    # --- the two file kinds -------------------------------------------------------------

    def xlsx(self, raw: bytes) -> Form:
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(raw), data_only=True, read_only=True)
        except Exception:  # a damaged zip or not a workbook: openpyxl raises many kinds
            raise UsageError(t("form.not_spreadsheet", file=self.path)) from None
        names = {ws.title: ws for ws in wb.worksheets}
        if IDENTITY_SHEET not in names:
            raise UsageError(t("form.no_identity", file=self.path))
        identity, table = self.identity(names[IDENTITY_SHEET])
        sheets = [ws for ws in wb.worksheets if ws.title != IDENTITY_SHEET]
        sheets.sort(key=lambda ws: ws.sheet_state != "visible")
        ws = next((s for s in sheets if self.find_header(s) is not None), None)
        if ws is None:
            raise UsageError(t("form.no_identity", file=self.path))
        form = self.form(identity)
        filled = ws[FILLED_ON_CELL].value
        if filled not in (None, ""):
            form.filled_on = self.day(filled, 3, "filled_on", form.as_of)
            form.filled_on_source = "form" if form.filled_on else None
        modified = wb.properties.modified
        if form.filled_on is None and isinstance(modified, datetime):
            form.filled_on, form.filled_on_source = modified.date(), "file"
        header_row, columns = self.find_header(ws)
        rows = []
        for cells in ws.iter_rows(min_row=header_row + 1):
            values = {key: cells[i] if i < len(cells) else None for key, i in columns.items()}
            if all(_blank(c.value if c is not None else None) for c in values.values()):
                continue
            rows.append((cells[0].row, values))
        return self.finish(form, table, rows, cell=True)

    def csv(self, raw: bytes) -> Form:
        text = None
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None or "\x00" in text:
            raise UsageError(t("form.not_spreadsheet", file=self.path))
        lines = text.splitlines(keepends=True)
        if not lines or not lines[0].lstrip('"').startswith(CSV_MARK):
            raise UsageError(t("form.no_identity", file=self.path))
        identity = self.csv_identity(lines[0])
        table = {i: {"id": i, "version": v} for i, v in (identity.get("rows") or {}).items()}
        records = list(csv.reader(io.StringIO("".join(lines[1:]))))
        if not records:
            raise UsageError(t("form.no_identity", file=self.path))
        columns = self.columns(records[0])
        if "id" not in columns:
            raise UsageError(t("form.no_identity", file=self.path))
        rows = []
        for line, record in enumerate(records[1:], 3):
            values = {key: (record[i] if i < len(record) else None) for key, i in columns.items()}
            if all(_blank(v) for v in values.values()):
                continue
            rows.append((line, values))
        return self.finish(self.form(identity), table, rows, cell=False)

    # --- the identity ---------------------------------------------------------------------

    def identity(self, ws) -> tuple[dict, dict]:
        """The key/value rows, then the table (sheet row, id, version, pre-filled values)."""
        values, table, header = {}, {}, None
        for row in ws.iter_rows(values_only=True):
            row = list(row) + [None] * 7
            if header is None:
                if row[0] == "row":
                    header = [str(h) for h in row if h is not None]
                elif row[0] is not None:
                    values[str(row[0])] = "" if row[1] is None else str(row[1])
                continue
            if row[1] is None:
                continue
            entry = dict(zip(header, row))
            entry["id"] = str(entry["id"])
            table[entry["id"]] = entry
        if values.get("format") != FORMAT:
            raise UsageError(t("form.no_identity", file=self.path))
        return values, table

    def csv_identity(self, line: str) -> dict:
        """The first line's JSON; if a spreadsheet re-saved the CSV and split it at its
        commas, the cells are joined again first."""
        text = line.strip().lstrip("\ufeff")
        candidates = [text[len(CSV_MARK):]]
        cells = next(csv.reader([text]), [])
        joined = ",".join(cells).rstrip(",")
        if joined.startswith(CSV_MARK):
            candidates.append(joined[len(CSV_MARK):])
        for candidate in candidates:
            try:
                identity = json.loads(candidate)
            except ValueError:
                continue
            if isinstance(identity, dict) and identity.get("format") == FORMAT:
                return {k: v if k == "rows" else ("" if v is None else str(v))
                        for k, v in identity.items()}
        raise UsageError(t("form.no_identity", file=self.path))

    def form(self, identity: dict) -> Form:
        try:
            as_of = date.fromisoformat(identity.get("as_of") or "")
            reply_by = date.fromisoformat(identity["reply_by"]) if identity.get("reply_by") else None
        except ValueError:
            raise UsageError(t("form.no_identity", file=self.path)) from None
        return Form(plan=identity.get("plan", ""), unit=identity.get("unit", ""),
                    collect=identity.get("collect", ""),
                    collected_at=identity.get("collected_at", ""), as_of=as_of,
                    reply_by=reply_by, filled_on=None, filled_on_source=None, path=self.path)

    def columns(self, headers) -> dict[str, int]:
        """Column index of each key, from the header words (any language, spaces ignored)."""
        words = _words("form.col.")
        found = {}
        for i, h in enumerate(headers):
            key = words.get(_fold(h)) if h is not None else None
            if key and key not in found:
                found[key] = i
        return found

    def find_header(self, ws):  # within the first rows: the title block is 3 rows
        for cells in ws.iter_rows(min_row=1, max_row=12):
            columns = self.columns([c.value for c in cells])
            if "id" in columns and "status" in columns:
                return cells[0].row, columns
        return None

    # --- the rows ---------------------------------------------------------------------------

    def finish(self, form: Form, table: dict, rows, cell: bool) -> Form:
        seen: dict[str, int] = {}
        for line, values in rows:
            got = {k: (getattr(v, "value", None) if cell else v) for k, v in values.items()}
            formats = {k: (v.number_format if cell and v is not None else "")
                       for k, v in values.items()}
            row_id = _clean(got.get("id"))
            row_id = None if row_id is None else normalise(row_id).replace("。", ".")
            if row_id is None or row_id not in table:
                self.problem(line, "id", t("form.unknown_id", id=row_id or ""))
                continue
            if row_id in seen:
                self.problem(line, "id", t("form.duplicate_id", id=row_id, first=seen[row_id]))
                continue
            seen[row_id] = line
            form.rows.append(self.row(line, row_id, table[row_id], got, formats, form))
        for row_id in table:
            if row_id not in seen:
                self.problem(None, None, t("form.missing_row", id=row_id))
        form.problems = self.problems
        return form

    def row(self, line, row_id, known, got, formats, form: Form) -> FormRow:
        r = FormRow(row=line, id=row_id, version=_int(known.get("version")))
        r.changed = any(not _blank(got.get(k)) for k in UNIT_KEYS)
        for key, name in PREFILLED.items():
            if name in known and key in got and _as_written(got[key]) != _as_written(known[name]):
                r.prefilled_changed.append(self.header_of[key])
                self.problem(line, key, t("form.locked_changed", was=_as_written(known[name]),
                                          now=_as_written(got[key])))
        status = _clean(got.get("status"))
        if status is not None:
            r.status = _words("form.choice.").get(_fold(status))
            if r.status is None:
                choices = t("list.sep").join(t(f"form.choice.{c}") for c in CHOICES)
                self.problem(line, "status", t("form.bad_status", value=status, choices=choices))
        r.percent = self.percent(got.get("percent"), formats.get("percent", ""), line)
        for key, name in TEXT_KEYS.items():
            setattr(r, name, _clean(got.get(key)))
        r.done_on = self.day(got.get("done_on"), line, "done_on", form.as_of)
        r.new_due = self.day(got.get("new_due"), line, "new_due", form.as_of)
        if r.status == "done" and r.done_on is None and _blank(got.get("done_on")):
            r.done_on = form.filled_on or form.as_of
            r.notices.append(t("form.done_on_assumed", date=r.done_on.isoformat()))
        if r.status == "extend" and r.new_due is None and _blank(got.get("new_due")):
            self.problem(line, "new_due", t("form.extend_needs_due"))
        if r.status in ("extend", "cancel") and r.reason is None:
            self.problem(line, "reason",
                         t("form.needs_reason", choice=t(f"form.choice.{r.status}")))
        return r

    def percent(self, value, number_format: str, line: int) -> int | None:
        """40, 40.0, "40", "40%", or 0.4 in a cell formatted as a percentage: 40."""
        if _blank(value):
            return None
        number = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = value * 100 if "%" in (number_format or "") and value <= 1 else value
        else:
            text = normalise(str(value)).rstrip("%").strip()
            try:
                number = float(text)
            except ValueError:
                number = None
        if number is not None and abs(number - round(number)) < 1e-6 and 0 <= round(number) <= 100:
            return int(round(number))
        self.problem(line, "percent", t("form.bad_percent", value=_shown(value)))
        return None

    def day(self, value, line: int, key: str, as_of: date) -> date | None:
        """A date cell, or a date as typed (parse.parse_date, its year the as-of day's)."""
        if _blank(value):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            if isinstance(value, (int, float)):
                raise UsageError("")
            return parse_date(str(value), as_of, key)
        except UsageError:
            self.problem(line, key, t("form.bad_date", value=_shown(value)))
            return None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value) -> str | None:
    """A text cell's value, stripped; empty → None."""
    return None if _blank(value) else _as_written(value)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _as_written(value) -> str:
    """A pre-filled value as text, however the file holds it (a date cell, a number, text)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _shown(value) -> str:
    return _clean(value) or ""
