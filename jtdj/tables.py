"""A spreadsheet the office hands jtdj (a CSV or an xlsx file) as rows of cells.

CSV files come from Excel and WPS in UTF-8 (with or without a BOM) or in GB18030, the
encoding a Chinese Windows saves "CSV" in; the first that decodes the whole file is taken.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from jtdj.errors import UsageError
from jtdj.i18n import t

ENCODINGS = ("utf-8-sig", "gb18030")


def decode_csv(data: bytes, path: Path) -> str:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UsageError(t("table.bad_encoding", path=path))


def read_rows(path: Path) -> list[list]:
    """The cells of the file's first sheet (CSV: its lines), row by row; blank rows left out."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(t("table.unreadable", path=path, reason=exc.strerror or exc)) from None
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        rows = list(csv.reader(io.StringIO(decode_csv(data, path))))
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(data, path)
    else:
        raise UsageError(t("table.bad_kind", path=path))
    return [r for r in rows if any(str(c).strip() for c in r if c is not None)]


def _xlsx_rows(data: bytes, path: Path) -> list[list]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise UsageError(t("table.not_xlsx", path=path)) from None
    try:
        sheet = book.worksheets[0]
        return [["" if c is None else c for c in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
