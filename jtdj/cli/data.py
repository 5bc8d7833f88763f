"""Commands on the whole database: undo, backup, restore, export."""

import os
import stat
import sys
from pathlib import Path
from typing import Annotated, Iterable, Optional

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
    dest = safety.backup(session.store, path, warn=session.notice)
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
    _show_what_restore_replaces(session, safety.compare(session.store, path), path)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(t("restore.need_yes", path=path))
        answer = input(t("restore.confirm", path=path, tasks=info["tasks"],
                         plans=", ".join(info["plans"]) or "-", db=session.settings.db_path) + " ")
        if answer.strip().lower() not in ("y", "yes", "是", "好"):
            session.notice(t("restore.cancelled"))
            return
    safety_copy = safety.restore(session.store, path, warn=session.notice)
    session.notice(t("restore.done", path=path, copy=safety_copy))


def _show_what_restore_replaces(session, plans: list[dict], path: Path) -> None:
    lines = [t("restore.preview", path=path, db=session.settings.db_path)]
    for p in plans:
        lines.append(t("restore.preview_plan", **{k: v for k, v in p.items() if k != "newest"}))
        if p["newest"]:
            newest = p["newest"]
            lines.append(t("restore.preview_lost", count=p["lost"], at=newest["at"],
                           actor=newest["actor"], action=t(f"action.{newest['action']}"),
                           target=newest["target"]))
        else:
            lines.append(t("restore.preview_nothing_lost"))
    session.out("\n".join(lines) + "\n")


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
    check_output(session, Path(output))
    data = render.render("export", fmt, document)
    write_file(Path(output), data.encode("utf-8") if isinstance(data, str) else data)
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


def protected(settings, path: Path) -> bool:
    """Whether ``path`` is the database, its -wal/-shm, or anything in backups/ or outbox/: never
    an output file (`export -o`, `draft -o`)."""
    from jtdj.store.folders import is_database_file, is_inside

    return (is_database_file(path, settings.db_path) or is_inside(path, settings.backups_dir)
            or is_inside(path, settings.outbox_dir))


def check_output(session, path: Path) -> None:
    """Never a protected file; over the plan file a plan was imported from only with a warning
    (exporting back to it is a workflow)."""
    if protected(session.settings, path):
        raise UsageError(t("export.protected", path=path))
    for plan in session.store.plans():
        source = plan.get("source")
        if source and os.path.realpath(source) == os.path.realpath(path):
            session.notice(t("export.over_source", path=path, plan=plan["key"]))


def write_file(path: Path, data: bytes | Iterable[str]) -> None:
    """Write all or nothing: a half-written ledger is never left behind under the real name. A
    device or FIFO is written to directly (replacing it would put a regular file in its place).
    ``data``: bytes, or chunks of text (a streamed export) written into the temporary file as
    they come, which is renamed into place only once the last one is written."""
    try:
        kind = os.stat(path).st_mode
    except OSError:
        kind = None
    if kind is not None and not stat.S_ISREG(kind) and not stat.S_ISDIR(kind):
        return _write_directly(path, data)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise JtdjError(t("export.no_folder", path=str(path), folder=str(folder)), EXIT_FAILED)
    tmp = None
    try:
        import tempfile  # not on every run: it brings random

        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            _write_all(fh, data)
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise JtdjError(t("export.cannot_write", path=str(path), reason=exc.strerror or exc),
                        EXIT_FAILED) from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def _write_directly(path: Path, data: bytes | Iterable[str]) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
        with os.fdopen(fd, "wb") as fh:
            _write_all(fh, data)
    except OSError as exc:
        raise JtdjError(t("export.cannot_write", path=str(path), reason=exc.strerror or exc),
                        EXIT_FAILED) from None


def _write_all(fh, data: bytes | Iterable[str]) -> None:
    if isinstance(data, bytes):
        fh.write(data)
        return
    for chunk in data:
        fh.write(chunk.encode("utf-8"))


def _mode_for(path: Path) -> int:
    """An existing file keeps its permissions; a new one is owner-only like the database (it
    holds the same data)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o600
