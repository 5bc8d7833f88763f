"""The plain TOML of most plan files, read a line at a time: the same tables as tomli's, in
less of its time (bench/README.md).

A plan file as jtdj writes it and as people copy it is a few shapes of line: ``[plan]``,
``[[sections.items.tasks]]``, ``key = "text"``, a number, a date, a list of strings, comments.
``plain_toml`` reads those itself. A key's value of another shape (an escaped or multi-line
string, a list over several lines, an inline table, a comment after it) is read by tomli alone,
those lines only, and set where the key stands. Any other line (a dotted or quoted key, a header it does not
know, a key twice), or more than ``MAX_OTHER_VALUES`` such values, makes it give up and return None, and ``planfile.parse_toml`` hands the
whole text to tomli, which reads every TOML file and says what is wrong, where. So a file is
never read differently: this gives exactly tomli's tables or nothing
(``tests/test_plantoml.py`` holds the two equal on generated files, valid and not).
"""

from __future__ import annotations

import re
from datetime import date

import tomli

# TOML's forbidden characters in a string or comment: the controls but the tab
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_STRING = r'"[^"\\\x00-\x08\x0a-\x1f\x7f]*"'  # a basic string without an escape
_STRINGS = re.compile(rf"\[[ \t]*(?:{_STRING}[ \t]*,[ \t]*)*(?:{_STRING}[ \t]*)?\]")
_MEMBER = re.compile(r'"([^"]*)"')


class _NotPlain(Exception):
    """A line this reader does not read: tomli reads the file."""


def plain_toml(text: str) -> dict | None:
    """The TOML document ``text`` as tomli gives it, or None when it holds a line beyond the
    plain shapes (tomli then reads it, and says what is wrong with it, if anything is)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:  # a carriage return alone: not a line break in TOML
            return None
    try:
        return _read(text.split("\n"))
    except _NotPlain:
        return None


_OTHER = object()  # a value of a shape _value does not read


# A value that is not plain may go on for this many lines (a long preamble) before it ends;
# each line that could end it has the lines so far read again
MAX_VALUE_LINES = 200
# tomli reads a value alone in some 30 µs: past this many, the whole file through it is faster
MAX_OTHER_VALUES = 2000


def _read(lines: list[str]) -> dict:
    """The tables of ``lines``. A plan's 600,000 lines at 100,000 tasks make the loop itself
    the cost, so the commonest value, a string without an escape, is read in it, and a table
    header seen before is not checked again (bench/README.md)."""
    root: dict = {}
    table = root
    arrays: set[int] = set()  # the lists [[…]] made: only those take another table
    keys: set[str] = set()  # the keys seen to be bare already
    headers: dict[str, tuple[list[str], str]] = {}  # an [[a.b.c]] line: (["a", "b"], "c")
    others = 0  # values read by tomli
    resume = 0  # the lines before this one were read by tomli, as a value's
    for n, line in enumerate(lines):
        if n < resume:
            continue
        s = line.strip(" \t")
        if not s:
            continue
        first = s[0]
        if first == "#":
            if not s.isprintable() and _CONTROL.search(s):
                raise _NotPlain
            continue
        if first == "[":
            path = headers.get(s)
            table = (_array_table(path, root, arrays) if path is not None
                     else _header(s, root, arrays, headers))
            continue
        key, equals, value = s.partition("=")
        key = key.rstrip(" \t")
        if not equals or key in table:  # a key twice: tomli's error
            raise _NotPlain
        if key not in keys:
            if not _BARE_KEY.fullmatch(key):
                raise _NotPlain
            keys.add(key)
        value = value.lstrip(" \t")
        if value[:1] == '"' and len(value) > 1 and value[-1] == '"':
            inner = value[1:-1]
            if '"' not in inner and "\\" not in inner and (
                    inner.isprintable() or not _CONTROL.search(inner)):
                table[key] = inner
                continue
            read = _OTHER  # an escape, or a control tomli refuses
        else:
            read = _value(value)
        if read is _OTHER:
            others += 1
            if others > MAX_OTHER_VALUES:
                raise _NotPlain
            read, resume = _by_tomli(key, lines, n)
        table[key] = read
    return root


def _by_tomli(key: str, lines: list[str], start: int) -> tuple[object, int]:
    """The value of the key on line ``start`` as tomli reads the lines from there to where the
    value ends (the first of them that makes it whole), and the line after."""
    for end in range(start + 1, min(len(lines), start + MAX_VALUE_LINES) + 1):
        if end > start + 1 and not any(c in lines[end - 1] for c in "\"']}"):
            continue  # a value can only end on a line with a closing quote or bracket
        try:
            doc = tomli.loads("\n".join(lines[start:end]))
        except tomli.TOMLDecodeError:
            continue
        if list(doc) != [key]:  # a dotted key, or more than the one value
            raise _NotPlain
        return doc[key], end
    raise _NotPlain


def _header(s: str, root: dict, arrays: set[int], headers: dict) -> dict:
    """The table a ``[[a.b.c]]`` or ``[plan]`` line starts, added where it belongs; an array
    table's line goes into ``headers`` once its last name is known to be bare."""
    if s.startswith("[[") and s.endswith("]]"):
        *parents, last = s[2:-2].split(".")
        if not _BARE_KEY.fullmatch(last):
            raise _NotPlain
        headers[s] = (parents, last)
        return _array_table((parents, last), root, arrays)
    name = s[1:-1]
    if not s.endswith("]") or not _BARE_KEY.fullmatch(name) or name in root:
        raise _NotPlain
    root[name] = table = {}
    return table


def _array_table(path: tuple[list[str], str], root: dict, arrays: set[int]) -> dict:
    """A new table at the end of the array of tables ``path`` names, in the last table of
    each array before it."""
    parents, last = path
    node = root
    for part in parents:  # each the last table of an array of tables
        held = node.get(part)
        if type(held) is not list or id(held) not in arrays:
            raise _NotPlain
        node = held[-1]
    held = node.get(last)
    table: dict = {}
    if held is None:
        node[last] = held = [table]
        arrays.add(id(held))
    elif type(held) is list and id(held) in arrays:
        held.append(table)
    else:
        raise _NotPlain
    return table


def _value(value: str):
    """A value as written after ``=`` that is not a basic string (``_read`` reads those), when
    it is of a common shape (known by its look); ``_OTHER`` when it is not."""
    if value[:1] == "[" and _STRINGS.fullmatch(value):
        return _MEMBER.findall(value)
    if (len(value) == 10 and value[4] == "-" and value[7] == "-" and value.isascii()
            and value[:4].isdigit() and value[5:7].isdigit() and value[8:].isdigit()):
        return _date(value)
    if value.isdigit() and value.isascii() and (value[0] != "0" or value == "0"):
        return int(value)
    if value in ("true", "false"):
        return value == "true"
    return _OTHER


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2022-02-30: tomli's error
        raise _NotPlain from None
