"""The Typer app: global options, the options shared by many commands (declared once), and the
``--format`` choices of each view, taken from ``render.FORMATS``.

The commands are declared in ``plans``, ``tasks``, ``data`` and ``reports`` beside this module;
each parses its options, calls the core, and hands the result to ``Session.show``.
"""

# No `from __future__ import annotations` here nor in the command modules: typer would have to
# evaluate every annotation string of every command on each start.

from enum import Enum
from typing import Annotated, List, Optional

import typer

from jtdj import __version__
from jtdj.cli.help import Group
from jtdj.i18n import t
from jtdj.render import formats


APP_SETTINGS = dict(
    name="jtdj", help=t("help.app"), no_args_is_help=True, rich_markup_mode=None, cls=Group,
    context_settings={"help_option_names": ["-h", "--help"]}, pretty_exceptions_enable=False,
)
app = typer.Typer(add_completion=True, **APP_SETTINGS)


def _choices(name: str, view: str) -> type:
    """An Enum of the view's formats, so typer offers and checks them as choices."""
    return Enum(name, {f: f for f in formats(view)}, type=str)


RecordsFmt = _choices("RecordsFmt", "records")
SummaryFmt = _choices("SummaryFmt", "summary")
ReportFmt = _choices("ReportFmt", "report")
ExportFmt = _choices("ExportFmt", "export")


class SortBy(str, Enum):
    id = "id"
    due = "due"
    owner = "owner"
    status = "status"


# --- shared options, declared once -----------------------------------------------------------

def _complete_ids(incomplete: str) -> list[str]:
    from jtdj.cli.completion import ids

    return [i for i in ids() if i.startswith(incomplete)]


def _complete_owners(incomplete: str) -> list[str]:
    from jtdj.cli.completion import owners

    return [o for o in owners() if o.startswith(incomplete)]


AsOf = Annotated[Optional[str], typer.Option("--as-of", metavar=t("metavar.date"), help=t("help.opt.as_of"))]
PlanKey = Annotated[Optional[str], typer.Option("--plan", metavar=t("metavar.key"), help=t("help.opt.plan"))]
By = Annotated[Optional[str], typer.Option("--by", metavar=t("metavar.person"), help=t("help.opt.by"))]
Format = Annotated[Optional[RecordsFmt], typer.Option("--format", "-f", help=t("help.opt.format"))]
Ids = Annotated[List[str], typer.Argument(metavar=t("metavar.ids"), help=t("help.arg.ids"),
                                          autocompletion=_complete_ids)]
OneId = Annotated[str, typer.Argument(metavar=t("metavar.id"), help=t("help.arg.id"),
                                      autocompletion=_complete_ids)]
Section = Annotated[Optional[str], typer.Option("--section", "-s", metavar=t("metavar.number"), help=t("help.opt.section"))]
ItemOpt = Annotated[Optional[str], typer.Option("--item", "-i", metavar=t("metavar.number"), help=t("help.opt.item"))]
Owner = Annotated[Optional[str], typer.Option("--owner", "-o", metavar=t("metavar.owner"), help=t("help.opt.owner"),
                                              autocompletion=_complete_owners)]
Unassigned = Annotated[bool, typer.Option("--unassigned", help=t("help.opt.unassigned"))]
Status = Annotated[Optional[str], typer.Option("--status", metavar="todo|doing|done|dropped|open|all",
                                               help=t("help.opt.status"))]
Overdue = Annotated[bool, typer.Option("--overdue", help=t("help.opt.overdue"))]
Lagging = Annotated[bool, typer.Option("--lagging", help=t("help.opt.pace.lagging"))]
DueBefore = Annotated[Optional[str], typer.Option("--due-before", metavar=t("metavar.date"), help=t("help.opt.due_before"))]
DueWithin = Annotated[Optional[int], typer.Option("--due-within", metavar=t("metavar.days"), min=0, help=t("help.opt.due_within"))]
Search = Annotated[Optional[str], typer.Option("--search", "-q", metavar=t("metavar.text"), help=t("help.opt.search"))]
Tag = Annotated[Optional[str], typer.Option("--tag", metavar=t("metavar.tag"), help=t("help.opt.tag"))]
Archived = Annotated[bool, typer.Option("--archived", help=t("help.opt.archived"))]


def _version(value: bool) -> None:
    if value:
        print(f"jtdj {__version__}")
        raise typer.Exit()


@app.callback()
def global_options(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option("--db", metavar=t("metavar.path"), help=t("help.opt.db"))] = None,
    config: Annotated[Optional[str], typer.Option("--config", metavar=t("metavar.path"), help=t("help.opt.config"))] = None,
    plan: PlanKey = None,
    as_of: AsOf = None,
    lang: Annotated[Optional[str], typer.Option("--lang", metavar="zh|en", help=t("help.opt.lang"))] = None,
    by: By = None,
    debug: Annotated[bool, typer.Option("--debug", help=t("help.opt.debug"))] = False,  # read by main()
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help=t("help.opt.verbose"))] = 0,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help=t("help.opt.version"))] = False,
) -> None:
    from jtdj.cli.session import Session

    ctx.obj = Session.from_options(db=db, config=config, plan=plan, as_of=as_of, lang=lang,
                                   by=by, verbose=verbose)


def session_of(ctx: typer.Context, as_of: str | None = None, plan: str | None = None,
             by: str | None = None):
    session = ctx.obj
    session.override(as_of=as_of, plan=plan, by=by)
    return session


def task_filter(session, section=None, item=None, owner=None, unassigned=False, status=None,
                overdue=False, due_before=None, due_within=None, search=None, tag=None,
                archived=False, lagging=False):
    """The shared filter options as a TaskFilter, each value read by ``parse`` and checked
    against the plan: a section or item it does not have is an error naming the closest; a
    unit may be given by a unique beginning of its name."""
    from jtdj import parse
    from jtdj.store.tasks import TaskFilter

    status = getattr(status, "value", status)
    if due_within is not None and due_within > parse.MAX_DAYS:  # today + days stays a date
        from jtdj.errors import UsageError

        raise UsageError(t("error.days_range", what="--due-within", value=due_within,
                           most=parse.MAX_DAYS))
    plan = session.plan_key()
    return TaskFilter(
        section=_known(session, plan, "section", parse.section_number(section))
        if section is not None else None,
        item=_known(session, plan, "item", parse.positive_number(item, "--item"))
        if item is not None else None,
        owner=owner_named(session, plan, owner.strip()) if owner and owner.strip() else None,
        unassigned=unassigned,
        status=parse.status_filter(status) if status else ("all" if archived else "open"),
        overdue=overdue,
        due_before=parse.parse_date(due_before, session.today, "--due-before") if due_before
        else None,
        due_within=due_within, search=search.strip() if search and search.strip() else None,
        tag=tag, archived=archived, lagging=lagging, occurrences=True)


def _known(session, plan: str, kind: str, number: int) -> int:
    from jtdj.errors import NotFound
    from jtdj.parse import closest

    store = session.store
    known = [str(s["no"]) for s in store.sections(plan)] if kind == "section" else [
        str(no) for no, _section, _title in store.item_heads(plan)]
    if str(number) in known:
        return number
    near = t("list.sep").join(closest(str(number), known)) or "-"
    raise NotFound(t(f"error.missing_{kind}", plan=plan, value=number, near=near))


def owner_named(session, plan: str, name: str) -> str:
    """The registered unit ``--owner`` means (``cli.unitnames``): an unknown name is an error
    with the closest ones (exit 1), an ambiguous beginning names the candidates (exit 2)."""
    from jtdj.cli.unitnames import owner_named as registered

    return registered(session, name)


# --- what the report commands share ----------------------------------------------------

# Lists a person reads stop here (with a line saying how many more); JSON holds them all.
DEFAULT_LIMIT = 50


def list_limit(limit: int | None, fmt: str) -> int | None:
    """How many tasks each list shows: --limit N (0: all); else all in JSON, DEFAULT_LIMIT in
    the formats people read."""
    if limit is not None:
        from jtdj.errors import UsageError
        from jtdj.parse import MAX_NUMBER

        if limit > MAX_NUMBER:
            raise UsageError(t("error.number_range", what="--limit", value=limit, most=MAX_NUMBER))
        return limit or None
    return None if fmt == "json" else DEFAULT_LIMIT


def check_overdue(data: dict, fail_on_overdue: bool) -> None:
    """--fail-on-overdue: exit 3 after the job is done when anything is overdue."""
    from jtdj.errors import EXIT_OVERDUE, JtdjError
    from jtdj.report import overdue_count

    count = overdue_count(data)
    if fail_on_overdue and count:
        raise JtdjError(t("report.overdue_exit", count=count), EXIT_OVERDUE)


def period_of(session, since, until, week, week_spec):
    from jtdj.parse import period

    return period(session.today, since, until, week_spec, week)


class PeriodOptions:
    """The period as typed, read only when the command needs it (after `email --flush`,
    which has none, and after the mail settings are checked)."""

    def __init__(self, since, until, week, week_spec):
        self.options = (since, until, week, week_spec)

    def resolve(self, session):
        return period_of(session, *self.options)
