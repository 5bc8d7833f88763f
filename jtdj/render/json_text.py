"""JSON as jtdj writes it: indented, a list of records one record per line (which reads and
diffs well), streamed in chunks as the records come, with the C encoder doing the work
(bench/README.md); DEL, C1 and bidi controls written as escapes (``safe.escape_raw``).
"""

from __future__ import annotations

import json
from datetime import date
from itertools import islice
from typing import Callable, Iterable, Iterator, Sequence

from jtdj.render.safe import escape_raw, may_hold_raw

# rows per chunk of a streamed output: large enough that each write is one system call of some
# hundred kilobytes, small enough that memory stays flat whatever the number of rows
CHUNK_ROWS = 2000
_CHUNK_CHARS = 1 << 19  # characters per chunk of a streamed document (``json_stream``)


def _iso(value):
    """Dates travel as ``date`` objects until written; JSON gets them as ISO 8601."""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, default=_iso).encode


def _record_encoder() -> Callable[[dict], str]:
    """``_COMPACT_JSON`` without its set-up on each call: the C encoder made once, called per
    record (a third faster over a long list); ``_COMPACT_JSON`` itself where there is none."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return _COMPACT_JSON
    try:
        encode = make({}, _iso, json.encoder.encode_basestring, None, ": ", ", ", False, False,
                      True)
        if "".join(encode({"a": [1, None, "\u00e9\n"]}, 0)) != _COMPACT_JSON(
                {"a": [1, None, "\u00e9\n"]}):
            return _COMPACT_JSON
    except TypeError:  # another signature in another Python
        return _COMPACT_JSON
    join = "".join
    return lambda record: join(encode(record, 0))


def to_json(data) -> str:
    """Indented JSON; a list of records has one record per line, which reads and diffs well
    and lets the C encoder do the work (see bench/README.md). The encoder escapes C0; DEL, C1
    and bidi controls are escaped too, as ``\\u202e`` (the same text, nothing a terminal
    obeys)."""
    if isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
        return "".join(json_chunks(data))
    return escape_raw(json.dumps(data, ensure_ascii=False, indent=2, default=_iso) + "\n")


_SCALARS = frozenset((str, int, type(None), bool, float))
_EMPTY_ABLE = frozenset((list, dict, tuple))  # written "[]" or "{}" when empty, at any depth
_flat_encoders: dict[str, Callable] = {}


def _flat_encoder(separator: str) -> Callable:
    """The C encoder writing a list or dict of scalars with ``separator`` between members:
    with a line break and the indentation of the depth, exactly what ``json.dumps(indent=2)``
    writes there (encoded strings hold no line break of their own)."""
    encode = _flat_encoders.get(separator)
    if encode is None:
        make = getattr(json.encoder, "c_make_encoder", None)
        try:
            c_encode = make(None, _iso, json.encoder.encode_basestring, None, ": ", separator,
                            False, False, True) if make else None
        except TypeError:  # another signature in another Python
            c_encode = None
        if c_encode is None:
            encode = json.JSONEncoder(ensure_ascii=False, default=_iso,
                                      separators=(separator, ": ")).encode
        else:
            join = "".join
            encode = lambda value: join(c_encode(value, 0))  # noqa: E731
        _flat_encoders[separator] = encode
    return encode


def indented_json(value, pad: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` as it reads nested at the
    indentation ``pad``: the same text, written by the C encoder (each run of scalar members at
    once) where the pure-Python one that ``indent`` brings would take ten times as long."""
    inner = pad + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        for v in value.values():
            if not (v.__class__ in _SCALARS or (v.__class__ in _EMPTY_ABLE and not v)):
                break
        else:  # scalars and empty lists only (the common record): one call of the C encoder
            return "{\n" + inner + _flat_encoder(",\n" + inner)(value)[1:-1] + "\n" + pad + "}"
        parts, run = [], {}
        for key, v in value.items():
            if v.__class__ in _SCALARS or (v.__class__ in _EMPTY_ABLE and not v):
                run[key] = v
                continue
            if run:
                parts.append(_flat_encoder(",\n" + inner)(run)[1:-1])
                run = {}
            if key.__class__ is not str:  # json.dumps words such keys its own way
                return _slow_json(value, pad)
            parts.append(_COMPACT_JSON(key) + ": " + indented_json(v, inner))
        if run:
            parts.append(_flat_encoder(",\n" + inner)(run)[1:-1])
        return "{\n" + inner + (",\n" + inner).join(parts) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if all(v.__class__ in _SCALARS or (v.__class__ in _EMPTY_ABLE and not v)
               for v in value):
            return "[\n" + inner + _flat_encoder(",\n" + inner)(value)[1:-1] + "\n" + pad + "]"
        return ("[\n" + inner + (",\n" + inner).join(indented_json(v, inner) for v in value)
                + "\n" + pad + "]")
    if value.__class__ in _SCALARS:
        return _COMPACT_JSON(value)
    return _slow_json(value, pad)


def _slow_json(value, pad: str) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=_iso).replace("\n", "\n" + pad)


def json_stream(data) -> Iterator[str]:
    """``to_json`` of a document whose lists may be iterators (a cursor's records, read once),
    as chunks of text written as they come: the bytes ``json.dumps(indent=2)`` writes for the
    document with its iterators read into lists. An iterator's members are alike: when the
    first is a dict holding an iterator, each is written member by member, else each whole
    (``indented_json``)."""
    buffer: list[str] = []
    size = 0
    for piece in _stream(data, "", None):
        buffer.append(piece)
        size += len(piece)
        if size >= _CHUNK_CHARS:
            yield escape_raw("".join(buffer))
            buffer, size = [], 0
    buffer.append("\n")
    yield escape_raw("".join(buffer))


def _lazy(value) -> bool:
    return isinstance(value, Iterator)


def _stream(value, pad: str, streamed: bool | None) -> Iterator[str]:
    """The pieces of ``value`` at the indentation ``pad``; ``streamed``: whether a dict is to
    be written member by member (None: see whether it holds an iterator)."""
    inner = pad + "  "
    if _lazy(value):
        first, members, batch = True, None, []
        for member in value:
            if members is None:
                members = isinstance(member, dict) and any(map(_lazy, member.values()))
            if members:
                yield ("[\n" if first else ",\n") + inner
                first = False
                yield from _stream(member, inner, True)
            else:  # whole records, joined a batch at a time
                batch.append(indented_json(member, inner))
                if len(batch) >= CHUNK_ROWS:
                    yield ("[\n" if first else ",\n") + inner + (",\n" + inner).join(batch)
                    first, batch = False, []
        if batch:
            yield ("[\n" if first else ",\n") + inner + (",\n" + inner).join(batch)
            first = False
        yield "[]" if first else "\n" + pad + "]"
        return
    if isinstance(value, dict) and value and (
            streamed or (streamed is None and any(map(_lazy, value.values())))):
        first = True
        for key, v in value.items():
            yield ("{\n" if first else ",\n") + inner + _COMPACT_JSON(key) + ": "
            first = False
            if _lazy(v):
                yield from _stream(v, inner, None)
            else:
                yield indented_json(v, inner)
        yield "\n" + pad + "}"
        return
    yield indented_json(value, pad)


def batches(rows: Iterable, size: int = CHUNK_ROWS) -> Iterator[list]:
    """``rows`` (a list or a cursor's stream) in lists of at most ``size``."""
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


def json_chunks(records: Iterable[dict], keys: Sequence[str] | None = None) -> Iterator[str]:
    """``to_json`` of a list of records (each cut to ``keys`` when given), as chunks of text
    written as the records come: the same bytes, joined."""
    keys = tuple(keys) if keys is not None else None
    encode = _record_encoder()

    def lines(batch: list[dict]) -> list[str]:
        if keys is not None:
            batch = [r if tuple(r) == keys else {k: r.get(k) for k in keys} for r in batch]
        return list(map(encode, batch))

    return json_line_chunks(map(lines, batches(records)))


def json_line_chunks(line_batches: Iterable[list[str]]) -> Iterator[str]:
    """A JSON list, one record per line, from lists of the records' compact JSON lines. A
    batch whose every line is printable holds no DEL, C1 or bidi control (none of them is), and
    ``isprintable`` is twice as fast as ``escape_raw``'s search; a line that is not (a full-width
    space is not either) has the batch searched."""
    first = True
    for batch in line_batches:
        text = ("[\n  " if first else ",\n  ") + ",\n  ".join(batch)
        yield text if all(map(str.isprintable, batch)) else escape_raw(text)
        first = False
    yield "[]\n" if first else "\n]\n"


def json_line_bytes(line_batches: Iterable[list[bytes]]) -> Iterator[bytes]:
    """``json_line_chunks`` of lines that SQLite wrote as UTF-8 bytes (``store.lines``), as bytes:
    no decode into text and encode back (a sixth of a 100,000-task JSON list, bench/README.md).
    A chunk that may hold a DEL, C1 or bidi control (``safe.may_hold_raw``) is decoded and
    searched as text."""
    first = True
    for batch in line_batches:
        chunk = (b"[\n  " if first else b",\n  ") + b",\n  ".join(batch)
        if may_hold_raw(chunk):
            chunk = escape_raw(chunk.decode("utf-8", "replace")).encode("utf-8")
        yield chunk
        first = False
    yield b"[]\n" if first else b"\n]\n"
