"""A document file → its paragraphs as text, in order (no layout): what `jtdj draft` reads.

.txt (UTF-8, UTF-8 with BOM, GB18030, tried in that order), .docx (python-docx: paragraphs and
table cells), .pdf with a text layer (pdfplumber: its lines joined into paragraphs by where they
end), .doc and .wps through LibreOffice (``soffice --headless --convert-to docx``). The readers
are the optional ``draft`` extra, imported here only, inside the functions that use them.
"""

from __future__ import annotations

from pathlib import Path

from jtdj.errors import EXIT_FAILED, JtdjError, UsageError
from jtdj.i18n import t

SUFFIXES = (".txt", ".docx", ".pdf", ".doc", ".wps")
ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig reads plain UTF-8 too
SOFFICE = ("soffice", "libreoffice")
CONVERT_SECONDS = 120


class DraftReadError(UsageError):
    """A file that cannot be read as a document (exit 2)."""


def read_paragraphs(path: Path) -> list[str]:
    """The document's paragraphs, in order, as text."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DraftReadError(t("draft.read.suffix", file=path.name, suffix=suffix or "—",
                               known=" ".join(SUFFIXES)))
    if not path.is_file():
        raise DraftReadError(t("draft.read.no_file", file=str(path)))
    if suffix == ".txt":
        return read_text(path)
    if suffix == ".docx":
        return read_docx(path)
    if suffix == ".pdf":
        return read_pdf(path)
    return read_converted(path)


def read_text(path: Path) -> list[str]:
    data = _bytes(path)
    if b"\x00" in data:
        raise DraftReadError(t("draft.read.encoding", file=path.name))
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [line.rstrip() for line in text.splitlines()]
    raise DraftReadError(t("draft.read.encoding", file=path.name))


def read_docx(path: Path) -> list[str]:
    try:
        import docx
    except ImportError:
        raise _no_extra("python-docx") from None

    try:
        document = docx.Document(str(path))
    # not a zip (BadZipFile), a part missing (KeyError), bad XML, python-docx's own errors: they
    # have no common base but Exception
    except Exception as exc:
        raise DraftReadError(t("draft.read.not_document", file=path.name, kind="docx",
                               reason=type(exc).__name__)) from None
    body = document.element.body
    paragraphs: list[str] = []
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraphs.append(_p_text(child))
        elif tag == "tbl":
            # each cell once as the XML holds it (a merged cell is one w:tc), nested tables too
            paragraphs.extend(_p_text(p) for p in child.iter(child.tag[:-3] + "p"))
    return paragraphs


def _p_text(p) -> str:
    """A paragraph's text: its runs' text, tabs and breaks as spaces and new lines."""
    parts = []
    for node in p.iter():
        tag = node.tag.rsplit("}", 1)[-1]
        if tag == "t" and node.text:
            parts.append(node.text)
        elif tag == "tab":
            parts.append("\t")
        elif tag in ("br", "cr"):
            parts.append("\n")
    return "".join(parts)


def read_pdf(path: Path) -> list[str]:
    try:
        import pdfplumber
    except ImportError:
        raise _no_extra("pdfplumber") from None
    try:
        pdf = pdfplumber.open(str(path))
    except Exception as exc:  # pdfminer's syntax errors have no common public base
        raise DraftReadError(t("draft.read.not_document", file=path.name, kind="pdf",
                               reason=type(exc).__name__)) from None
    with pdf:
        pages = [_page_lines(page) for page in pdf.pages]
    from jtdj.draft_structure import without_running_lines

    paragraphs = _pdf_paragraphs(without_running_lines(pages, text=lambda line: line[0]))
    if not any(p.strip() for p in paragraphs):
        raise DraftReadError(t("draft.read.scanned", file=path.name))
    return paragraphs


def _page_lines(page) -> list[tuple[str, float, float]]:
    """A page's lines as (text, right end, font size), page-number lines left out."""
    from jtdj.draft_structure import PAGE_NUMBER

    lines = []
    for ln in page.extract_text_lines(return_chars=True):
        text = ln["text"].strip()
        if text and not PAGE_NUMBER.match(text):
            size = max((c.get("size") or 0 for c in ln["chars"]), default=0) or 10.0
            lines.append((text, float(ln["x1"]), float(size)))
    return lines


def _pdf_paragraphs(pages: list[list[tuple]]) -> list[str]:
    """Lines joined into paragraphs: a line that reaches the right margin goes on (onto the next
    page too), unless the next one starts with a heading's number."""
    from jtdj.draft_structure import LEVELS

    right = max((ln[1] for lines in pages for ln in lines), default=0.0)
    out: list[str] = []
    going_on = False
    for lines in pages:
        for text, x1, size in lines:
            if going_on and out and not any(p.match(text) for p in LEVELS.values()):
                out[-1] += text
            else:
                out.append(text)
            going_on = x1 >= right - 1.5 * size
    return out


def read_converted(path: Path) -> list[str]:
    """.doc / .wps: LibreOffice converts it to .docx in a scratch folder, read as .docx."""
    import shutil
    import subprocess
    import tempfile

    program = next((p for p in SOFFICE if shutil.which(p)), None)
    if program is None:
        raise JtdjError(t("draft.read.no_soffice", file=path.name), EXIT_FAILED)
    with tempfile.TemporaryDirectory(prefix="jtdj-draft-") as scratch:
        profile = Path(scratch, "profile").as_uri()
        command = [program, f"-env:UserInstallation={profile}", "--headless",
                   "--convert-to", "docx", "--outdir", scratch, str(path)]
        try:
            subprocess.run(command, capture_output=True, timeout=CONVERT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise JtdjError(t("draft.read.convert_failed", file=path.name,
                              reason=type(exc).__name__), EXIT_FAILED) from None
        made = Path(scratch, path.stem + ".docx")
        if not made.is_file():
            raise DraftReadError(t("draft.read.not_document", file=path.name,
                                   kind=path.suffix.lstrip(".").lower(),
                                   reason=t("draft.read.not_converted")))
        return read_docx(made)


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DraftReadError(t("draft.read.no_file", file=f"{path} ({exc.strerror})")) from None


def _no_extra(module: str) -> JtdjError:
    """The reader from the ``draft`` extra is missing: exit 1, saying how to install it."""
    return JtdjError(t("draft.read.no_extra", module=module), EXIT_FAILED)
