"""Export documents written out: the plan file with progress (TOML), the full dump (JSON) and
one row per task (CSV). The ledger (xlsx) has a module of its own."""

from __future__ import annotations

from typing import Iterable, Iterator

from jtdj.render.json_text import json_stream
from jtdj.render.records import csv_chunks
from jtdj.render.safe import escape_raw
from jtdj.render.toml import dumps

TOML_HEADER = ("{title}\n"
               "Written by `jtdj export --format toml`: the plan with its progress (state fields).\n"
               "Format: docs/plan-format.md. Import into an empty database with `jtdj import FILE`.")
CSV_KEYS = ("id", "section", "item", "title", "when", "start", "due", "owner", "support", "tags",
            "status", "light", "percent", "done_on", "dropped_on", "drop_reason", "progress",
            "evidence", "archived", "origin", "kind", "unit")  # unit: a share's (one row per share)


def plan_file(document: dict) -> str:
    """The plan-file document (``export.plan_document``) as TOML that imports again. The text
    is kept exactly: C0 controls are escaped by the writer, DEL, C1 and bidi controls here
    (``\\u202e``: TOML holds them only in strings, or in the header's comment lines)."""
    return escape_raw(dumps(document, header=TOML_HEADER.format(title=document["plan"]["title"])))


def dump_json(data: dict) -> Iterator[str]:
    """The full dump (``export.to_data``, its lists read from the cursors) as chunks of text:
    the bytes of ``to_json`` of the whole, written as they come."""
    return json_stream(data)


def rows_csv(rows: Iterable[dict]) -> Iterator[str]:
    """One row per task (``export.task_rows``) as chunks of CSV, written as the rows come."""
    return csv_chunks(rows, CSV_KEYS)
