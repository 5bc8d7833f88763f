"""A small, deterministic TOML writer for plan files (tomli only reads).

It writes exactly the kinds of value the plan format uses — strings, integers, booleans, local
dates, arrays of strings, tables and arrays of tables — in the order the mapping gives them, so
the same data always gives the same bytes (a file in git diffs only where progress changed).
``None`` means "leave the key out". Anything else (floats, date-times, mixed arrays) is refused
rather than written in a form the plan reader would reject.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Iterator, Mapping

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}
# TOML basic strings may not hold control characters other than tab; we escape tab too.
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')
_COMMENT_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # not allowed in a TOML comment


def quote(text: str) -> str:
    """``text`` as a one-line TOML basic string; non-ASCII characters are kept as they are."""
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, text) + '"'


def _escape_char(match: re.Match) -> str:
    char = match.group(0)
    return _ESCAPES.get(char) or f"\\u{ord(char):04X}"


def key(name: str) -> str:
    return name if _BARE_KEY.match(name) else quote(name)


def value(v) -> str:
    """One inline value: string, integer, boolean, local date or array of strings."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return quote(v)
    if isinstance(v, datetime):
        raise TypeError(f"date-times are not part of the plan format: {v!r}")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v):
        return "[" + ", ".join(quote(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} as a plan-file value: {v!r}")


def _is_table_array(v) -> bool:
    return isinstance(v, (list, tuple)) and len(v) > 0 and all(isinstance(x, Mapping) for x in v)


def dumps(document: Mapping, header: str = "") -> str:
    """The whole document as TOML text: ``header`` lines (comments) first, then the keys."""
    lines = [f"# {_COMMENT_UNSAFE.sub('', line)}".rstrip()
             for line in header.split("\n")] if header else []
    body = list(_table(document, []))
    while body and body[0] == "":
        body.pop(0)
    if lines and body:
        lines.append("")
    lines.extend(body)
    return "\n".join(lines) + "\n"


def _table(table: Mapping, path: list[str]) -> Iterator[str]:
    """Scalars of ``table`` first (a key after a sub-table would belong to the sub-table),
    then its sub-tables and arrays of tables, each under its own header."""
    nested = []
    for name, v in table.items():
        if v is None:
            continue
        if isinstance(v, Mapping) or _is_table_array(v):
            nested.append((name, v))
        elif isinstance(v, (list, tuple)) and not v:
            yield f"{key(name)} = []"
        else:
            yield f"{key(name)} = {value(v)}"
    for name, v in nested:
        sub = path + [key(name)]
        dotted = ".".join(sub)
        if isinstance(v, Mapping):
            yield ""
            yield f"[{dotted}]"
            yield from _table(v, sub)
        else:
            for element in v:
                yield ""
                yield f"[[{dotted}]]"
                yield from _table(element, sub)
