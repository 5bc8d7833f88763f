"""The unit names a clerk types (`--to`, `--with`, `--each`, `--unit`, `--owner`), checked
against the register before anything changes, and the options that carry them."""

from typing import Annotated, List, Optional

import typer

from jtdj.i18n import t

UnitOpt = Annotated[Optional[List[str]], typer.Option(
    "--unit", "-u", metavar=t("metavar.unit"), help=t("help.opt.unit"))]
NewUnit = Annotated[bool, typer.Option("--new-unit", help=t("help.opt.new_unit"))]


def checked(session, names: list[str], new_unit: bool = False,
            groups: bool = True) -> tuple[list[str], list[str]]:
    """The registered names ``names`` stand for (exact, short or unique prefix), and those
    not registered yet (only with ``new_unit``; else the first is an error, exit 1)."""
    from jtdj import units
    from jtdj.errors import NotFound

    out, new = [], []
    for name in (n.strip() for n in names):
        if not name:
            continue
        try:
            found = units.find(session.store, name, groups=groups)
        except NotFound:
            if not new_unit:
                raise
            out.append(name)
            new.append(name)
            continue
        out.append(found.unit["name"] if found.unit else found.group)
    return list(dict.fromkeys(out)), new


def units_of(session, names: list[str] | None):
    """The units ``--unit`` names (a group: its members now), or None when not given."""
    if not names:
        return None
    from jtdj import units

    return units.resolve(session.store, [n for n in names if n.strip()])


def owner_named(session, name: str) -> str:
    """The registered unit ``--owner`` means (exact, short name or unique prefix)."""
    return checked(session, [name], groups=False)[0][0]
