"""Commands on the whole database: undo, backup, restore, export."""

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Optional

import typer

from jtdj.cli.app import AsOf, By, ExportFmt, PlanKey, app, session_of
from jtdj.errors import EXIT_FAILED, JtdjError, UsageError
from jtdj.i18n import t


@app.command("undo", help=t("help.safety.undo"))
def undo_cmd(ctx: typer.Context, by: By = None, plan: PlanKey = None, as_of: AsOf = None) -> None:
    from jtdj.store import safety

    session = session_of(ctx, as_of, plan, by)
    result = safety.undo(session.store, session.plan_key(reading=False), session.settings.actor,
                         session.today)
    actions = t("list.sep").join(t(f"action.{a}") for a in result.actions)
    targets = ", ".join(result.targets[:12]) + (" …" if len(result.targets) > 12 else "")
    session.notice(t("undo.done", actions=actions, count=len(result.targets), targets=targets,
                     at=result.at))


@app.command("backup", help=t("help.safety.backup"))
def backup_cmd(
    ctx: typer.Context,
    path: Annotated[Optional[Path], typer.Argument(metavar=t("metavar.path_optional"), help=t("help.safety.backup_path"))] = None,
) -> None:
    from jtdj.store import safety

    session = session_of(ctx)
    dest = safety.backup(session.store, path)
    session.out(f"{dest}\n")
    session.confirm(t("backup.done", path=dest))


@app.command("restore", help=t("help.safety.restore"))
def restore_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar=t("metavar.path"), help=t("help.safety.restore_path"))],
    yes: Annotated[bool, typer.Option("--yes", "-y", help=t("help.safety.yes"))] = False,
) -> None:
    from jtdj.store import safety

    session = session_of(ctx)
    info = safety.check_backup(path)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(t("restore.need_yes", path=path))
        answer = input(t("restore.confirm", path=path, tasks=info["tasks"],
                         plans=", ".join(info["plans"]) or "-", db=session.settings.db_path) + " ")
        if answer.strip().lower() not in ("y", "yes", "是", "好"):
            session.notice(t("restore.cancelled"))
            return
    safety_copy = safety.restore(session.store, path)
    session.notice(t("restore.done", path=path, copy=safety_copy))


@app.command("export", help=t("help.export.cmd"))
def export_cmd(
    ctx: typer.Context,
    fmt: Annotated[Optional[ExportFmt], typer.Option("--format", "-f", help=t("help.export.format"))] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar=t("metavar.file"),
                                                   help=t("help.export.output"))] = None,
    as_of: AsOf = None, plan: PlanKey = None,
) -> None:
    from jtdj import export, render

    session = session_of(ctx, as_of, plan)
    to_stdout = output is None or str(output) == "-"
    fmt = session.format("export", fmt or _format_from_suffix(output) or "toml")
    if fmt == "xlsx":
        if to_stdout:
            raise UsageError(t("export.xlsx_needs_file"))
        require_openpyxl()
    plan_key = session.plan_key()
    document = export.DOCUMENTS[fmt](session.store, plan_key, session.today)
    if to_stdout:
        session.show("export", fmt, document)
        return
    data = render.render("export", fmt, document)
    write_file(Path(output), data if isinstance(data, bytes) else data.encode("utf-8"))
    session.confirm(t("export.written", format=fmt, plan=plan_key, path=str(output)))


def _format_from_suffix(output: Path | None) -> str | None:
    from jtdj.render import formats

    if output is None:
        return None
    suffix = Path(output).suffix.lower().lstrip(".")
    return suffix if suffix in formats("export") else None


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
