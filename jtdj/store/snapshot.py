"""The web view's copy (`jtdj serve`): a new SQLite file written from records the core made.

Nothing is copied from the ledger: the file holds only the tables the core fills (so internal
tables and personal columns cannot reach it), each with its columns as given, and, where asked,
an FTS5 index over one column with the ``trigram`` tokenizer (Chinese has no spaces; SQLite
≥ 3.34). The ledger itself is never opened here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterable
from jtdj.tuples import named_tuple


@named_tuple
class Table:
    name: str
    columns: list[str]
    rows: Iterable[tuple]
    search: str | None = None  # a column to index for full-text search
    key: str | None = None  # its primary key, a column of unique values


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def fts_name(table: str) -> str:
    return f"{table}_fts"


def write(path: Path, tables: list[Table]) -> None:
    """Write ``tables`` into a new file at ``path`` (which must not exist yet)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        for table in tables:
            columns = ", ".join(quoted(c) + (" PRIMARY KEY" if c == table.key else "")
                                for c in table.columns)
            conn.execute(f"CREATE TABLE {quoted(table.name)} ({columns})")
            marks = ", ".join("?" for _ in table.columns)
            conn.executemany(f"INSERT INTO {quoted(table.name)} VALUES ({marks})", table.rows)
            if table.search:
                fts = quoted(fts_name(table.name))
                conn.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({quoted(table.search)},"
                             f" content={quoted(table.name)}, tokenize='trigram')")
                conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        conn.commit()
    finally:
        conn.close()
