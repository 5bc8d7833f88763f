"""The task rows of the ledger's first sheet, written as XML text and spliced into the workbook
openpyxl writes for everything else (``render.xlsx``: styles, workbook, print setup, the title
and header rows, merged cells, frozen panes, widths, filter, the summary sheet).

Why by hand: openpyxl serialises each cell element by element through et_xmlfile, and a ledger
row has 14 cells; that was nearly all of a ledger's time (10,000 tasks 6.4 s → 1.0 s, 100,000
53 s → 11 s on a 2-core machine). Here a cell is one f-string with the style index openpyxl
assigned to its kind of cell, written as openpyxl writes it (an inline string, ``xml:space``
where the text has outer spaces, numbers ``%.16g``, a date as its serial number in a
``yyyy-mm-dd`` style, an empty cell as a styled empty element): the same sheet XML, byte for
byte (see bench/README.md). Text is shown (``safe.visible``) and escaped here.
The rows go to a temporary file while they are made and into the zip in chunks: memory holds
neither the sheet's cells nor its XML.
"""

from __future__ import annotations

import re
from datetime import date

from jtdj.render.safe import UNSAFE, visible

DATE_FORMAT = "yyyy-mm-dd"
SHEET_DATA_END = b"</sheetData>"
CHUNK_ROWS = 2000  # rows joined and encoded at a time
# what a cell's text may need done to it: shown (control, bidi), escaped (& < >), or replaced
# (U+FFFE and U+FFFF, which XML 1.0 cannot hold even as a reference)
_SPECIAL = re.compile(f"[&<>\ufffe\uffff{UNSAFE[1:-1]}]")
_NOT_XML = re.compile("[\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """``text`` in its visible form, escaped for an XML text node."""
    text = visible(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _NOT_XML.sub(lambda m: f"&lt;U+{ord(m.group()):04X}&gt;", text)


def write_rows(out, rows, first: int, letters, style_id, starts_formula) -> None:
    """Write ``rows`` ((values, fills, height) each; ``fills`` maps a column to its fill) as
    ``<row>`` elements numbered from ``first`` to the binary file ``out``. ``style_id(col,
    fill, number_format, quote)`` gives the index of a kind of cell (asked once per kind);
    ``starts_formula`` the prefixes that take the quote prefix."""
    from openpyxl.utils.datetime import to_excel

    ids: dict = {}
    serials: dict = {}

    def sid(col, fill, fmt, quote):
        key = (col, fill, fmt, quote)
        n = ids.get(key)
        if n is None:
            n = ids[key] = style_id(col, fill, fmt, quote)
        return n

    chunk = []
    for r, (values, fills, height) in enumerate(rows, first):
        cells = []
        add = cells.append
        for col, (letter, v) in enumerate(zip(letters, values), 1):
            ref = f"{letter}{r}"
            fill = fills.get(col)
            if isinstance(v, str):
                if not v:
                    add(f'<c r="{ref}" s="{sid(col, fill, None, False)}" t="inlineStr" />')
                    continue
                if _SPECIAL.search(v):
                    shown = visible(v)
                    quote, v = shown.startswith(starts_formula), _xml_text(v)
                else:
                    quote = v.startswith(starts_formula)
                space = ' xml:space="preserve"' if v != v.strip() and v.strip() else ""
                add(f'<c r="{ref}" s="{sid(col, fill, None, quote)}" t="inlineStr">'
                    f"<is><t{space}>{v}</t></is></c>")
            elif v is None:
                add(f'<c r="{ref}" s="{sid(col, fill, None, False)}" t="n" />')
            elif isinstance(v, date):
                serial = serials.get(v)
                if serial is None:
                    serial = serials[v] = f"{to_excel(v):.16g}"
                add(f'<c r="{ref}" s="{sid(col, fill, DATE_FORMAT, False)}" t="n">'
                    f"<v>{serial}</v></c>")
            else:
                add(f'<c r="{ref}" s="{sid(col, fill, None, False)}" t="n"><v>{v:.16g}</v></c>')
        chunk.append(f'<row r="{r}" ht="{height:.16g}" customHeight="1">{"".join(cells)}</row>')
        if len(chunk) >= CHUNK_ROWS:
            out.write("".join(chunk).encode("utf-8"))
            chunk.clear()
    out.write("".join(chunk).encode("utf-8"))


def splice(workbook: bytes, part: str, body) -> bytes:
    """The xlsx ``workbook`` with the rows in the binary file ``body`` added at the end of the
    ``<sheetData>`` of its ``part`` (such as ``xl/worksheets/sheet1.xml``); every other part,
    and the order of the parts, as openpyxl wrote them."""
    import io
    import shutil
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename != part:
                zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            head, tail = data.split(SHEET_DATA_END, 1)
            body_size = body.seek(0, io.SEEK_END)
            body.seek(0)
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.file_size = len(head) + body_size + len(SHEET_DATA_END) + len(tail)
            with zout.open(entry, "w") as sheet:
                sheet.write(head)
                shutil.copyfileobj(body, sheet, 1 << 20)
                sheet.write(SHEET_DATA_END + tail)
    return out.getvalue()
