"""The body of `jtdj export`: choose the format, build the data, write it to stdout or a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from jtdj.errors import EXIT_FAILED, JtdjError, UsageError
from jtdj.i18n import t
from jtdj.session import Session

FORMATS = ("toml", "json", "csv", "xlsx")


def export(session: Session, fmt: str | None, output: Path | None) -> None:
    to_stdout = output is None or str(output) == "-"
    fmt = fmt or _format_from_suffix(output) or "toml"
    if fmt not in FORMATS:
        raise UsageError(t("error.bad_format", value=fmt, allowed="|".join(FORMATS)))
    if fmt == "xlsx":
        if to_stdout:
            raise UsageError(t("export.xlsx_needs_file"))
        require_openpyxl()
    from jtdj import export as ex
    from jtdj import render

    store = session.store
    plan = session.plan_key()
    if fmt == "toml":
        data: bytes = ex.to_toml(store, plan).encode("utf-8")
    elif fmt == "json":
        data = render.to_json(ex.to_data(store, plan, session.today)).encode("utf-8")
    elif fmt == "csv":
        data = ex.to_csv(store, plan, session.today).encode("utf-8")
    else:
        data = ex.ledger_xlsx(store, plan, session.today)
    if to_stdout:
        session.out(data.decode("utf-8"))
        return
    write_file(Path(output), data)
    session.confirm(t("export.written", format=fmt, plan=plan, path=str(output)))


def _format_from_suffix(output: Path | None) -> str | None:
    if output is None:
        return None
    suffix = Path(output).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else None


def require_openpyxl() -> None:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        raise JtdjError(t("export.no_openpyxl"), EXIT_FAILED) from None


def write_file(path: Path, data: bytes) -> None:
    """Write all or nothing: a half-written ledger is never left behind under the real name."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise JtdjError(t("export.no_folder", path=str(path), folder=str(folder)), EXIT_FAILED)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise JtdjError(t("export.cannot_write", path=str(path), reason=exc.strerror or exc),
                        EXIT_FAILED) from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def _mode_for(path: Path) -> int:
    """An existing file keeps its permissions; a new one gets the usual ones (umask applied)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
