"""Commands on plans and the database: import, plans, use, paths."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from jtdj.cli.app import By, Format, app, session_of
from jtdj.i18n import t
from jtdj.render.records import Records, human_value
from jtdj.render.text import Column


@app.command("import", help=t("help.cmd.import"))
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Optional[Path], typer.Argument(metavar=t("metavar.file_optional"), help=t("help.arg.plan_file"))] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help=t("help.opt.dry_run"))] = False,
    by: By = None,
) -> None:
    from jtdj import importer
    from jtdj.plan import load_plan
    from jtdj.planfile import read_bytes
    from jtdj.render.safe import visible

    session = session_of(ctx, by=by)
    path = file if file is not None else importer.bundled_plan_path()
    raw = read_bytes(path)
    result = None
    if session.settings.db_path.exists() and session.store.has_plans():
        result = importer.unchanged_import(session.store, raw, str(path), session.today)
    if result is not None:  # the very file imported last, and nothing changed since
        for warning in result.warnings:
            session.notice(visible(warning))
        if not dry_run:
            importer.touch(session.store, result.plan_key, session.now())
    else:
        plan = load_plan(path, session.today, raw)  # validates all before the database is touched
        for warning in plan.warnings:  # characters a terminal would obey: imported, and said so
            session.notice(visible(warning))  # the file's name too may hold one
        store = session.store
        if not dry_run and store.has_plans():
            from jtdj.store.safety import auto_backup

            auto_backup(store, warn=session.notice)
        result = importer.import_plan(store, plan, str(path), session.settings.actor,
                                      session.today, dry_run=dry_run, raw=raw)
    if dry_run:
        for change in result.changes:
            fields = t("list.sep").join(t(f"field.{name}") for name in change.fields)
            session.out(t(f"import.would_{change.kind}", id=change.task_id, fields=fields) + "\n")
    counts = dict(added=result.added, changed=result.changed, archived=result.archived,
                  unchanged=result.unchanged, key=result.plan_key)
    session.notice(t("import.dry_run_counts" if dry_run else "import.counts", **counts))
    if result.state_kept:
        session.notice(t("import.state_kept", count=result.state_kept))
    if result.new_units:
        session.notice(t("import.units_new",
                         names=t("list.sep").join(visible(n) for n in result.new_units)))
    if result.shares_added:
        session.notice(t("import.units_shares_added", count=result.shares_added))
    if result.made_current and not dry_run:
        session.confirm(t("import.now_current", key=result.plan_key))


PLAN_KEYS = ("key", "title", "doc_no", "issued", "due", "tasks", "current", "imported_at", "source")
PLAN_COLUMNS = (Column("current", "col.current", no_wrap=True),
                Column("key", "col.key", no_wrap=True), Column("title", "col.title", ratio=1),
                Column("tasks", "col.tasks", justify="right"),
                Column("imported_at", "col.imported_at"))


def _plan_value(key: str, value) -> str:
    return ("*" if value else "") if key == "current" else human_value(key, value)


@app.command("plans", help=t("help.cmd.plans"))
def plans_cmd(ctx: typer.Context, fmt: Format = None) -> None:
    from jtdj import views

    session = session_of(ctx)
    fmt = session.format("records", fmt)
    session.show("records", fmt, Records(views.plans(session.store), PLAN_COLUMNS, PLAN_KEYS,
                                         value=_plan_value))


@app.command("use", help=t("help.cmd.use"))
def use_cmd(ctx: typer.Context,
            key: Annotated[str, typer.Argument(metavar=t("metavar.key"), help=t("help.arg.plan_key"))]) -> None:
    session = session_of(ctx)
    session.settings.plan_key = key
    session.plan_key(reading=False)  # an unknown key fails here, naming the known ones
    store = session.store
    with store.transaction():
        store.set_setting("current_plan", key)
    session.confirm(t("use.done", key=key))


PATH_COLUMNS = (Column("name", "col.name", no_wrap=True), Column("path", "col.path", ratio=1),
                Column("exists", "col.exists", no_wrap=True))


def _path_value(key: str, value) -> str:
    if key == "exists":
        return t("word.yes") if value else t("word.no")
    return t(f"path.{value}") if key == "name" else str(value)


@app.command("paths", help=t("help.cmd.paths"))
def paths_cmd(ctx: typer.Context, fmt: Format = None) -> None:
    session = session_of(ctx)
    s = session.settings
    records = [{"name": name, "path": str(path), "exists": Path(path).exists()} for name, path in (
        ("database", s.db_path), ("config", s.config_path), ("outbox", s.outbox_dir),
        ("backups", s.backups_dir))]
    session.show("records", session.format("records", fmt),
                 Records(records, PATH_COLUMNS, ("name", "path", "exists"), value=_path_value))
