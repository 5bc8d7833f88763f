"""`jtdj units`: the register of units (单位库) and its groups.

`jtdj units` alone lists the register; its subcommands add, edit, rename, remove, import and
export units. Each change is one undoable batch (see ``jtdj.units``).
"""

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from jtdj.cli.app import By, Format, PlanKey, app, session_of
from jtdj.cli.help import Group
from jtdj.i18n import t

units_app = typer.Typer(cls=Group, help=t("help.cmd.units"), invoke_without_command=True,
                        no_args_is_help=False, rich_markup_mode=None)
app.add_typer(units_app, name="units")

Name = Annotated[str, typer.Argument(metavar=t("metavar.unit"), help=t("help.units.name"))]
Short = Annotated[Optional[str], typer.Option("--short", metavar=t("metavar.text"), help=t("help.units.short"))]
Kind = Annotated[Optional[str], typer.Option("--kind", metavar="科室|党组织|其他", help=t("help.units.kind"))]
Contact = Annotated[Optional[str], typer.Option("--contact", metavar=t("metavar.person"), help=t("help.units.contact"))]
Email = Annotated[Optional[str], typer.Option("--email", metavar=t("metavar.address"), help=t("help.units.email"))]
Mobile = Annotated[Optional[str], typer.Option("--mobile", metavar=t("metavar.phone"), help=t("help.units.mobile"))]
Groups = Annotated[Optional[List[str]], typer.Option("--group", metavar=t("metavar.group"), help=t("help.units.group"))]


@units_app.callback()
def units_cmd(ctx: typer.Context, fmt: Format = None, plan: PlanKey = None) -> None:
    if ctx.invoked_subcommand:
        return
    from jtdj import units
    from jtdj.render.units import register

    session = session_of(ctx.find_root(), plan=plan)
    fmt = session.format("records", fmt)
    store = session.store
    plan_key = session.plan_key() if store.has_plans() else None
    rows = units.register_table(store, plan_key)
    session.show("records", fmt, register(rows, t("units.footer", count=len(rows))))


def _values(short, kind, contact, email, mobile) -> dict:
    from jtdj import units

    values = {}
    if short is not None:
        values["short"] = short.strip() or None
    if kind is not None:
        values["kind"] = units.kind_of(kind)
    if contact is not None:
        values["contact"] = contact.strip() or None
    if email is not None:
        values["email"] = units.check_email(email)
    if mobile is not None:
        values["mobile"] = units.check_mobile(mobile)
    return values


@units_app.command("add", help=t("help.units.add"))
def add_cmd(ctx: typer.Context, name: Name, short: Short = None, kind: Kind = None,
            contact: Contact = None, email: Email = None, mobile: Mobile = None,
            group: Groups = None, by: By = None) -> None:
    from jtdj import units

    session = session_of(ctx.find_root(), by=by)
    values = {"name": name, **_values(short, kind, contact, email, mobile),
              "groups": [g.strip() for g in group or [] if g.strip()]}
    unit = units.add(session.store, session.settings.actor, session.today, values)
    session.confirm(t("units.added", name=unit["name"]))


@units_app.command("edit", help=t("help.units.edit"))
def edit_cmd(
    ctx: typer.Context, name: Name, short: Short = None, kind: Kind = None,
    contact: Contact = None, email: Email = None, mobile: Mobile = None, group: Groups = None,
    add_group: Annotated[Optional[List[str]], typer.Option("--add-group", metavar=t("metavar.group"),
                                                           help=t("help.units.add_group"))] = None,
    by: By = None,
) -> None:
    from jtdj import units

    session = session_of(ctx.find_root(), by=by)
    changes = _values(short, kind, contact, email, mobile)
    if group is not None:
        changes["groups"] = [g.strip() for g in group if g.strip()]
    unit, changed = units.edit(session.store, session.settings.actor, session.today, name,
                               changes, [g.strip() for g in add_group or [] if g.strip()])
    if changed:
        session.confirm(t("units.edited", name=unit["name"], fields=t("list.sep").join(
            t(f"units.field_{c}") for c in changed)))
    else:
        session.notice(t("units.unchanged", name=unit["name"]))


@units_app.command("rename", help=t("help.units.rename"))
def rename_cmd(
    ctx: typer.Context, old: Name,
    new: Annotated[str, typer.Argument(metavar=t("metavar.new_name"), help=t("help.units.new"))],
    by: By = None,
) -> None:
    from jtdj import units

    session = session_of(ctx.find_root(), by=by)
    unit = units.rename(session.store, session.settings.actor, session.today, old, new)
    session.confirm(t("units.renamed", old=old, new=unit["name"]))


@units_app.command("remove", help=t("help.units.remove"))
def remove_cmd(ctx: typer.Context, name: Name, by: By = None) -> None:
    from jtdj import units

    session = session_of(ctx.find_root(), by=by)
    unit = units.remove(session.store, session.settings.actor, session.today, name)
    session.confirm(t("units.removed", name=unit["name"]))


@units_app.command("import", help=t("help.units.import"))
def import_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar=t("metavar.file"), help=t("help.units.file"))],
    by: By = None,
) -> None:
    from jtdj import tables, units

    session = session_of(ctx.find_root(), by=by)
    rows = units.read_register(path, tables.read_rows(path))
    added, updated = units.import_rows(session.store, session.settings.actor, session.today, rows)
    session.notice(t("units.imported", path=path, added=len(added), updated=len(updated),
                     same=len(rows) - len(added) - len(updated)))


@units_app.command("export", help=t("help.units.export"))
def export_cmd(
    ctx: typer.Context,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar=t("metavar.file"),
                                                   help=t("help.units.output"))] = None,
) -> None:
    from jtdj import units
    from jtdj.render.units import csv_rows

    session = session_of(ctx.find_root())
    text = csv_rows(units.export_rows(session.store))
    if output is None:
        session.out(text)
        return
    from jtdj.cli.data import check_output, write_file

    check_output(session, output)
    write_file(output, ("\ufeff" + text).encode("utf-8"))
    session.confirm(t("units.exported", path=output))
