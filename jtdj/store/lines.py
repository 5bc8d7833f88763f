"""The list's records as SQLite writes them: each record of ``tasks.task_record`` as one line of
JSON or TSV, made in SQL.

A full `list` in a machine format spends most of its time in Python otherwise: a tuple per row,
a dict per record, then the encoder (bench/README.md). Here SQLite hands over one line per
record, as its UTF-8 bytes, and the writers in ``render.records`` only join them in chunks and
show or escape the rare control character, as they do for records built in Python. The bytes are
the same: ``tests/test_lines.py`` holds every kind of row (ongoing, recurring, shares, a past
day, quotes, tabs, controls) to ``task_record`` and the Python writers, and
``tests/test_review.py`` a report waiting for review.
"""

from __future__ import annotations

from typing import Iterator

from jtdj.store import lights

# The keys of every record ``tasks.task_record`` makes, in their order, each with its value as
# SQL over the columns ``task_query`` gives (``RECORD_COLUMNS``, eff, signal, light) and ``x``,
# the expected percent (``lights.EXPECTED``).
_PERCENT = "CASE WHEN eff = 'done' THEN 100 ELSE percent END"
_DONE_ON = "CASE WHEN eff = 'done' THEN done_on END"
_LAG = "x - coalesce(percent, 0)"  # x is NULL unless eff is todo or doing: percent as stored
_ONGOING = "CASE WHEN kind IS NULL THEN 'false' ELSE 'true' END"
_VALUES = {
    "id": "id", "item": "item", "section": "section", "title": "title", "status": "eff",
    "owner": "owner", "support": "support", "due": "due", "start": "start", "when": "timing",
    "done_on": _DONE_ON, "percent": _PERCENT, "tags": "tags", "light": "light",
    "signal": "signal", "expected_percent": "x", "lag": _LAG, "ongoing": _ONGOING,
    "last_note": "last_note", "period": "period",
}
RECORD_KEYS = tuple(_VALUES)
_NUMBERS = frozenset(("item", "section", "percent", "expected_percent", "lag"))
_LISTS = frozenset(("support", "tags"))  # kept as JSON text, NULL or '[]' for none


def _json_list(column: str) -> str:
    """A list column as the Python encoder writes it: ``["a", "b"]``, whatever spacing the
    stored text has."""
    return (f"CASE WHEN {column} IS NULL OR {column} = '[]' THEN '[]' ELSE coalesce((SELECT"
            f" '[' || group_concat(json_quote(value), ', ') || ']' FROM json_each({column})),"
            " '[]') END")


def _json_value(key: str) -> str:
    value = _VALUES[key]
    if key in _LISTS:
        return _json_list(value)
    if key in _NUMBERS:
        return f"coalesce({value}, 'null')"
    if key == "ongoing":
        return value
    return f"json_quote({value})"  # escapes as the encoder does; NULL is null


# a tab or line break inside a value would shift the columns: each is a space there (the
# search first: most text has none, and replace() copies it even then)
def _one_line(text: str) -> str:
    return (f"iif(instr({text}, char(9)) OR instr({text}, char(10)) OR instr({text}, char(13)),"
            f" replace(replace(replace({text}, char(9), ' '), char(10), ' '), char(13), ' '),"
            f" {text})")


def _tsv_value(key: str) -> str:
    value = _VALUES[key]
    if key in _LISTS:  # ``machine_value``: the members joined by "; "
        return (f"CASE WHEN {value} IS NULL OR {value} = '[]' THEN '' ELSE coalesce((SELECT"
                f" group_concat({_one_line('value')}, '; ') FROM json_each({value})), '') END")
    if key in ("title", "owner", "when"):  # the free text; ids, dates and words hold no tab
        return f"coalesce({_one_line(value)}, '')"
    if key == "ongoing":
        return value
    return f"coalesce({value}, '')"


def _light_and_signal(separator: str, named: bool) -> str:
    """The light's and the signal's cells, from one evaluation of the signal: written apart,
    each would evaluate its whole rule again (lights.LIGHT is a CASE over lights.SIGNAL)."""
    if named:
        pair = f'"light": "{{}}"{separator}"signal": "{{}}"'
        other = f"""printf('"light": %s{separator}"signal": %s', json_quote(light),"""
        other += " json_quote(signal))"
    else:
        pair = f"{{}}{separator}{{}}"
        other = f"printf('%s{separator}%s', light, signal)"
    known = " ".join(f"WHEN '{signal}' THEN '{pair.format(light, signal)}'"
                     for signal, light in lights.SIGNAL_LIGHT.items())
    return f"CASE signal {known} ELSE {other} END"


def _expected_and_lag(separator: str, named: bool) -> str:
    """The expected percent's and the lag's cells, from one evaluation of ``x``: named twice in
    the line, the flattened query would work out ``lights.EXPECTED`` for each, where the
    scalar subquery over it works it out once (a piped list at 100,000 tasks: 213 -> 181 ms,
    bench/README.md)."""
    none = "'null'" if named else "''"
    cells = '"expected_percent": %s{}"lag": %s' if named else "%s{}%s"
    # inside, ``x`` is the subquery's own column (the nearer name), ``percent`` the row's
    return (f"(SELECT printf('{cells.format(separator)}',"
            f" coalesce({_VALUES['expected_percent']}, {none}), coalesce({_VALUES['lag']}, {none}))"
            " FROM (SELECT x AS x LIMIT 1))")


_PAIRED = {"light": _light_and_signal, "expected_percent": _expected_and_lag}


def _line(separator: str, value, named: bool, extra: tuple[str, ...] = ()) -> str:
    """One ``printf`` for the whole line (a single string built, not one per ``||``): the
    values of ``value(key)`` in RECORD_KEYS' order, each after its key when ``named``; the
    light and the signal, which follow each other, as one, and so the expected percent and
    the lag; then the ``extra`` keys, whose values are the same in every record (the
    parameter ``:extra_KEY``)."""
    cells, values = [], []
    for key in RECORD_KEYS + extra:
        if key in ("signal", "lag"):  # written with the key just before
            continue
        cells.append("%s" if key in _PAIRED or not named else f'"{key}": %s')
        values.append(_PAIRED[key](separator, named) if key in _PAIRED
                      else value(key) if key not in extra else _constant(key, named))
    template = "{" + separator.join(cells) + "}" if named else separator.join(cells)
    return f"printf('{template}', " + ", ".join(values) + ")"


def _constant(key: str, named: bool) -> str:
    return f"json_quote(:extra_{key})" if named else f"coalesce({_one_line(f':extra_{key}')}, '')"


_FORMATS = {
    # ``render.json_text._record_encoder``'s compact JSON: ", " and ": ", no ASCII escaping
    "json": (", ", _json_value, True),
    # ``records.tsv_chunks``' cells, before ``visible``
    "tsv": ("\t", _tsv_value, False),
}


def line(fmt: str, extra: tuple[str, ...] = ()) -> str:
    """The SQL of a record's line in ``fmt`` (json, tsv), with ``extra`` keys after its own.
    The line comes as its UTF-8 bytes (a BLOB: the same bytes, not decoded into text), which
    ``render.json_text.json_line_bytes`` and ``records.tsv_line_bytes`` write as they are."""
    return f"CAST({_line(*_FORMATS[fmt], extra)} AS BLOB)"


LINES = {fmt: line(fmt) for fmt in _FORMATS}


def line_batches(conn, sql: str, params: dict, size: int) -> Iterator[list[bytes]]:
    """The lines of ``sql`` (``tasks.ordered_query`` selecting ``LINES[fmt]``, then maybe its
    sort keys), ``size`` at a time from the cursor."""
    cursor = conn.cursor()
    cursor.row_factory = None
    cursor.execute(sql, params)
    while rows := cursor.fetchmany(size):
        yield [row[0] for row in rows]
