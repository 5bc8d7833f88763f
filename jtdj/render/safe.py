"""Terminal text is shown, never obeyed: the one place that says which characters a person's
output shows in a visible form, and how.

A title, owner or note may hold a control character (an ESC that starts a terminal sequence
such as ``\\x1b[2J``, an OSC title ``\\x1b]0;…\\x07``, a carriage return that writes over a
line, DEL, the C1 range U+0080–U+009F) or a bidi control (U+202A–U+202E, U+2066–U+2069) that
turns the text after it around. The database keeps the text exactly (and so do JSON and the
TOML export, escaped as their formats escape); every format a person reads, and CSV, TSV and
xlsx, show each such character as ``\\x1b`` or ``<U+202E>`` instead.

The common case, text without any of them, costs one regex search: the writers search their
whole output once and only when it holds such a character write it again from data passed
through ``visible_data`` (so escaping and column widths see the visible form).
"""

from __future__ import annotations

import re
from functools import wraps

_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but tab and newline, DEL, C1
_BIDI = "\u202a-\u202e\u2066-\u2069"
UNSAFE = f"[{_CONTROLS}{_BIDI}]"
# what JSON (ensure_ascii=False) and TOML leave raw: DEL, C1, bidi (C0 they escape themselves)
RAW_IN_ESCAPED = f"[\x7f-\x9f{_BIDI}]"
# an escape in a TOML file that may decode to such a character (two searches are twice as
# fast as one with an alternation)
_TOML_ESCAPE = r"\\[bfruU]"
# raw in a TOML file: a carriage return there only ends a line (CRLF), and never reaches a value
_RAW_IN_TOML = f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]"


# In UTF-8, the bytes that start DEL, a C1 control (U+0080-009F) or a bidi control (U+202A-202E,
# U+2066-2069): text holding none of them holds none of those characters
_RAW_STARTS = (b"\x7f", b"\xc2", b"\xe2\x80", b"\xe2\x81")
# every byte of a C0 control but tab and newline made a NUL, the others kept
_C0_AS_NUL = bytes(0 if n < 0x20 and n not in (0x09, 0x0A) else n for n in range(256))


def may_hold_raw(chunk: bytes) -> bool:
    """Whether UTF-8 ``chunk`` may hold a character ``RAW_IN_ESCAPED`` matches: False means it
    holds none (a few byte searches in C); True (“” start as a bidi control does) means the
    text must be searched."""
    return any(start in chunk for start in _RAW_STARTS)


def may_hold_unsafe(chunk: bytes) -> bool:
    """``may_hold_raw``, or a C0 control but tab and newline: a character ``UNSAFE`` matches."""
    return b"\x00" in chunk.translate(_C0_AS_NUL) or may_hold_raw(chunk)


def _shown(match: re.Match) -> str:
    code = ord(match.group())
    return f"<U+{code:04X}>" if code > 0x9F else f"\\x{code:02x}"


def visible(text: str) -> str:
    """``text`` with each control and bidi character shown as ``\\x1b`` or ``<U+202E>``; tab
    and newline are kept (a layout that cannot hold them replaces them itself)."""
    if re.search(UNSAFE, text) is None:
        return text
    return re.sub(UNSAFE, _shown, text)


def visible_data(data):
    """``data`` (dicts, lists, tuples, named tuples, strings) with every string ``visible``;
    other values as they are."""
    if isinstance(data, str):
        return visible(data)
    if isinstance(data, dict):
        return {k: visible_data(v) for k, v in data.items()}
    if isinstance(data, list):
        return [visible_data(v) for v in data]
    if isinstance(data, tuple):
        values = [visible_data(v) for v in data]
        return data._make(values) if hasattr(data, "_make") else tuple(values)
    return data


def _printable(text: str) -> bool:
    """True when ``text`` holds no character ``UNSAFE`` matches, known from its being printable
    but for its line breaks: every such character is a control or a format character, which
    Python does not print. One pass in C, half the time of the search over a report's
    megabyte of HTML (bench/README.md); False (a tab, an ideographic space) means search."""
    return text.replace("\n", " ").isprintable()


def guarded(writer):
    """A text writer whose output never carries a control or bidi character: written once; if
    the output holds one (rare), written again from ``visible_data(data)``."""

    @wraps(writer)
    def write(data):
        out = writer(data)
        if _printable(out) or re.search(UNSAFE, out) is None:
            return out
        return re.sub(UNSAFE, _shown, writer(visible_data(data)))  # sub: words of our own, if any

    return write


def escape_raw(text: str) -> str:
    """JSON or TOML text with DEL, C1 and bidi characters written as ``\\u202e``-style escapes: the
    same value for a machine, nothing a terminal obeys. Both formats hold them only in strings."""
    if re.search(RAW_IN_ESCAPED, text) is None:
        return text
    return re.sub(RAW_IN_ESCAPED, lambda m: f"\\u{ord(m.group()):04x}", text)


def unsafe_paths(text: str, data: dict) -> list[tuple[str, str]]:
    """Where a plan file's values hold such characters: (path, the characters shown), such as
    ``("sections[2].items[1].tasks[3].title", "\\x1b")``. ``text`` is the file: when it holds
    neither such a character nor an escape that could make one, nothing is walked."""
    if re.search(_RAW_IN_TOML, text) is None and re.search(_TOML_ESCAPE, text) is None:
        return []
    found: list[tuple[str, str]] = []

    def walk(value, path: str) -> None:
        if isinstance(value, str):
            chars = dict.fromkeys(re.findall(UNSAFE, value))
            if chars:
                found.append((path, ", ".join(re.sub(UNSAFE, _shown, c) for c in chars)))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(value, list):
            for n, v in enumerate(value, 1):
                walk(v, f"{path}[{n}]")

    walk(data, "")
    return found
