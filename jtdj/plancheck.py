"""How a plan file's tables are checked: the kind of each field, and a checker that collects
every problem with its path instead of stopping at the first (``plan`` builds the records)."""

from __future__ import annotations

import difflib
import json
from datetime import date, datetime

from jtdj.i18n import t
from jtdj.parse import MAX_NUMBER as MAX_PLAN_INT  # 64-bit SQLite


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

def describe(value) -> str:
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


class Checker:
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
                     t("plan.expected", kind=t(_KINDS[kind[0]][1]), got=describe(value)))
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
