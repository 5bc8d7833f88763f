"""The 填报表 round trip: `jtdj collect` sends each unit a pre-filled form, `jtdj merge` takes
the returned forms back into the ledger (docs/units.md)."""

import shutil
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from jtdj.cli.app import AsOf, By, PlanKey, app, session_of
from jtdj.errors import EXIT_FAILED, JtdjError, UsageError
from jtdj.i18n import t


# the forms are xlsx or csv; `--missing` lists in the formats of any list
FormFmt = Enum("FormFmt", {f: f for f in ("xlsx", "csv", "table", "json", "tsv", "md")}, type=str)


@app.command("collect", help=t("help.cmd.collect"))
def collect_cmd(
    ctx: typer.Context,
    unit: Annotated[Optional[List[str]], typer.Option("--unit", "-u", metavar=t("metavar.unit"), help=t("help.collect.unit"))] = None,
    group: Annotated[Optional[List[str]], typer.Option("--group", "-g", metavar=t("metavar.group"), help=t("help.collect.group"))] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar=t("metavar.folder"), help=t("help.collect.output"))] = None,
    fmt: Annotated[Optional[FormFmt], typer.Option("--format", "-f", help=t("help.collect.format"))] = None,
    reply_by: Annotated[Optional[str], typer.Option("--reply-by", metavar=t("metavar.date"), help=t("help.collect.reply_by"))] = None,
    send: Annotated[bool, typer.Option("--send", help=t("help.collect.send"))] = False,
    attach_report: Annotated[bool, typer.Option("--attach-report", help=t("help.opt.attach_report"))] = False,
    missing: Annotated[bool, typer.Option("--missing", help=t("help.collect.missing"))] = False,
    by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from datetime import timedelta

    from jtdj import collect, units
    from jtdj.parse import parse_date
    from jtdj.store.units import units as registered

    session = session_of(ctx, as_of, plan, by)
    store, plan_key = session.store, session.plan_key()
    fmt = fmt.value if fmt is not None else None
    if missing:
        if fmt == "xlsx":
            raise UsageError(t("collect.missing_format"))
        _show_missing(session, collect.missing(store, plan_key, session.today), fmt)
        return
    fmt = fmt or "xlsx"
    if fmt not in ("xlsx", "csv"):
        raise UsageError(t("collect.form_format", format=fmt))
    names = [*(unit or []), *(group or [])]
    chosen = units.resolve(store, names) if names else registered(store)
    due = parse_date(reply_by, session.today, "--reply-by") if reply_by else (
        session.today + timedelta(days=7))
    if fmt == "xlsx":
        from jtdj.cli.data import require_openpyxl

        require_openpyxl()
    made, empty = collect.prepare(store, plan_key, chosen, session.today, due, session.now())
    if empty:
        session.notice(t("collect.nothing_for", units=t("list.sep").join(empty)))
    if not made:
        session.notice(t("collect.no_forms"))
        return
    folder = output or collect.default_folder(plan_key, session.today)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise JtdjError(t("export.cannot_write", path=str(folder), reason=exc.strerror or exc),
                        EXIT_FAILED) from None
    written = _write_forms(session, made, folder, plan_key, fmt)
    collect.record(store, plan_key, made)
    for path in written:
        session.out(f"{path}\n")
    session.confirm(t("collect.done", count=len(written), folder=folder))
    if send:
        _send(session, made, written, attach_report)


def _write_forms(session, made, folder: Path, plan_key: str, fmt: str) -> list[Path]:
    from jtdj import collect
    from jtdj.cli.data import check_output, write_file
    from jtdj.render import form

    written = []
    for one in made:
        path = folder / collect.file_name(plan_key, one.unit["name"], session.today, fmt)
        check_output(session, path)
        data = form.form_xlsx(one.data) if fmt == "xlsx" else form.form_csv(one.data).encode(
            "utf-8")
        write_file(path, data)
        written.append(path)
    return written


def _send(session, made, written: list[Path], attach_report: bool = False) -> None:
    """Mail each unit its form (docs/reports.md: the outbox and the duplicate guard); units
    without an e-mail address are named."""
    from jtdj import collect
    from jtdj.cli.email import UnitMail

    mailer = UnitMail(session)
    no_address = []
    for one, path in zip(made, written):
        address = one.unit.get("email")
        if not address:
            no_address.append(one.unit["name"])
            continue
        subject, body = collect.mail_text(one)
        attachments = [(path.read_bytes(), path.name)]
        if attach_report:
            attachments.append(mailer.unit_report(one.data["plan"], one.unit["name"]))
        result = mailer.post(one.data["plan"], f"form:{one.unit['name']}", one.data["as_of"],
                             address, subject, body, _html(body), attachments)
        if isinstance(result, dict):
            session.notice(t("collect.already_mailed", unit=one.unit["name"], at=result["at"]))
    if no_address:
        session.notice(t("collect.no_email", units=t("list.sep").join(no_address)))


def _html(text: str) -> str:
    import html

    return "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines()
                                    ) + "</body></html>"


def _show_missing(session, rows: list[dict], list_fmt) -> None:
    from jtdj.render.units import missing_forms

    fmt = session.format("records", list_fmt)
    session.show("records", fmt, missing_forms(rows, t("collect.missing_footer", count=len(rows))))


@app.command("merge", help=t("help.cmd.merge"))
def merge_cmd(
    ctx: typer.Context,
    files: Annotated[List[Path], typer.Argument(metavar=t("metavar.files"), help=t("help.merge.files"))],
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help=t("help.merge.dry_run"))] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=t("help.merge.yes"))] = False,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help=t("help.merge.skip_bad"))] = False,
    theirs: Annotated[bool, typer.Option("--theirs", help=t("help.merge.theirs"))] = False,
    by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import merge, review

    session = session_of(ctx, as_of, plan, by)
    store, plan_key = session.store, session.plan_key()
    held = review.held(session.settings.config)
    forms = merge.read_all(files, lambda path: _convert(session, path))
    result = merge.prepare(store, plan_key, forms, session.today, held)
    for notice in result.notices:
        session.notice(notice)
    if result.problems:
        for problem in result.problems:
            session.notice(str(problem))
        if not skip_bad:
            raise UsageError(t("merge.bad_rows", count=len(result.problems)))
    lines = merge.change_lines(result)
    for line in lines:
        session.out(line + "\n")
    if result.conflicts and not theirs:
        session.notice(t("merge.conflicts_kept", count=len(result.conflicts)))
    wanted = [c for c in result.changes if theirs or not c.conflict]
    if not wanted:
        if not result.changes:  # every row as the database holds it: the forms are merged
            merge.apply(store, plan_key, session.settings.actor, session.today, result, theirs,
                        session.now())
        session.notice(t("merge.nothing", unchanged=result.unchanged))
        return
    if dry_run:
        session.notice(t("merge.dry_run", count=len(wanted)))
        return
    if not yes:
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            raise UsageError(t("merge.needs_yes"))
        if not typer.confirm(t("merge.confirm", count=len(wanted)), default=False, err=True):
            session.notice(t("merge.not_applied"))
            return
    applied = merge.apply(store, plan_key, session.settings.actor, session.today, result, theirs,
                          session.now())
    session.notice(t("merge.done", count=len(applied), forms=len(result.issued)))


def _convert(session, path: Path) -> Path:
    """An .xls or WPS .et file as xlsx, through LibreOffice; without it, a one-line error."""
    import subprocess
    import tempfile

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise JtdjError(t("merge.needs_xlsx", file=path), EXIT_FAILED)
    out = Path(tempfile.mkdtemp(prefix="jtdj-merge-"))
    profile = out / "profile"
    done = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                           "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                          capture_output=True, timeout=180)
    converted = out / (path.stem + ".xlsx")
    if done.returncode != 0 or not converted.exists():
        raise JtdjError(t("merge.convert_failed", file=path), EXIT_FAILED)
    return converted
