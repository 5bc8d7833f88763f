"""The command line: options, arguments and help text. Each command parses its options, calls one
function of the core, and hands the result to a renderer. Errors cross here once, in ``main``.
"""

# No `from __future__ import annotations` here: typer would have to eval every annotation string
# of every command on each start (about 15 ms).

import gc
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, List, Optional

import typer

from jtdj import __version__
from jtdj.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, JtdjError
from jtdj.i18n import language_from_environment, set_language, t


def _early_language(argv: list[str] | None = None) -> None:
    """Help text is built at import, so pick the language before the commands are declared
    (and again per run, for errors found before the global options are read)."""
    argv = sys.argv[1:] if argv is None else argv
    flag = None
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            flag = argv[i + 1]
        elif arg.startswith("--lang="):
            flag = arg.split("=", 1)[1]
    set_language(language_from_environment(flag, None))


_early_language()

_APP_SETTINGS = dict(
    name="jtdj", help=t("help.app"), no_args_is_help=True, rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]}, pretty_exceptions_enable=False,
)
app = typer.Typer(add_completion=True, **_APP_SETTINGS)


class Fmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    md = "md"


class SortBy(str, Enum):
    id = "id"
    due = "due"
    owner = "owner"
    status = "status"


class StatusFilter(str, Enum):
    todo = "todo"
    doing = "doing"
    done = "done"
    dropped = "dropped"
    open = "open"
    all = "all"


# --- shared options, declared once -----------------------------------------------------------

def _complete_ids(incomplete: str) -> list[str]:
    from jtdj.session import completion_ids

    return [i for i in completion_ids() if i.startswith(incomplete)]


def _complete_owners(incomplete: str) -> list[str]:
    from jtdj.session import completion_owners

    return [o for o in completion_owners() if o.startswith(incomplete)]


AsOf = Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help=t("help.opt.as_of"))]
PlanKey = Annotated[Optional[str], typer.Option("--plan", metavar="KEY", help=t("help.opt.plan"))]
By = Annotated[Optional[str], typer.Option("--by", metavar="NAME", help=t("help.opt.by"))]
Format = Annotated[Optional[Fmt], typer.Option("--format", "-f", help=t("help.opt.format"))]
Ids = Annotated[List[str], typer.Argument(metavar="ID...", help=t("help.arg.ids"),
                                          autocompletion=_complete_ids)]
OneId = Annotated[str, typer.Argument(metavar="ID", help=t("help.arg.id"),
                                      autocompletion=_complete_ids)]
Section = Annotated[Optional[str], typer.Option("--section", "-s", metavar="N", help=t("help.opt.section"))]
ItemOpt = Annotated[Optional[str], typer.Option("--item", "-i", metavar="N", help=t("help.opt.item"))]
Owner = Annotated[Optional[str], typer.Option("--owner", "-o", metavar="NAME", help=t("help.opt.owner"),
                                              autocompletion=_complete_owners)]
Unassigned = Annotated[bool, typer.Option("--unassigned", help=t("help.opt.unassigned"))]
Status = Annotated[Optional[StatusFilter], typer.Option("--status", help=t("help.opt.status"))]
Overdue = Annotated[bool, typer.Option("--overdue", help=t("help.opt.overdue"))]
DueBefore = Annotated[Optional[str], typer.Option("--due-before", metavar="DATE", help=t("help.opt.due_before"))]
DueWithin = Annotated[Optional[int], typer.Option("--due-within", metavar="DAYS", min=0, help=t("help.opt.due_within"))]
Search = Annotated[Optional[str], typer.Option("--search", "-q", metavar="TEXT", help=t("help.opt.search"))]
Tag = Annotated[Optional[str], typer.Option("--tag", metavar="TAG", help=t("help.opt.tag"))]
Archived = Annotated[bool, typer.Option("--archived", help=t("help.opt.archived"))]


def _version(value: bool) -> None:
    if value:
        print(f"jtdj {__version__}")
        raise typer.Exit()


@app.callback()
def global_options(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option("--db", metavar="PATH", help=t("help.opt.db"))] = None,
    config: Annotated[Optional[str], typer.Option("--config", metavar="PATH", help=t("help.opt.config"))] = None,
    plan: PlanKey = None,
    as_of: AsOf = None,
    lang: Annotated[Optional[str], typer.Option("--lang", metavar="zh|en", help=t("help.opt.lang"))] = None,
    by: By = None,
    debug: Annotated[bool, typer.Option("--debug", help=t("help.opt.debug"))] = False,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help=t("help.opt.verbose"))] = 0,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help=t("help.opt.version"))] = False,
) -> None:
    from jtdj.session import Session

    ctx.obj = Session.from_options(db=db, config=config, plan=plan, as_of=as_of, lang=lang,
                                   by=by, debug=debug, verbose=verbose)


def _session(ctx: typer.Context, as_of: str | None = None, plan: str | None = None,
             by: str | None = None):
    session = ctx.obj
    session.override(as_of=as_of, plan=plan, by=by)
    return session


def _filters(section, item, owner, unassigned, status, overdue, due_before, due_within, search,
             tag, archived, session):
    from jtdj.session import build_filter

    return build_filter(session, section=section, item=item, owner=owner, unassigned=unassigned,
                        status=status.value if status else None, overdue=overdue,
                        due_before=due_before, due_within=due_within, search=search, tag=tag,
                        archived=archived)


# --- plans and the database ------------------------------------------------------------------

@app.command("import", help=t("help.cmd.import"))
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Optional[Path], typer.Argument(metavar="[FILE]", help=t("help.arg.plan_file"))] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help=t("help.opt.dry_run"))] = False,
    by: By = None,
) -> None:
    from jtdj import commands

    commands.import_plan(_session(ctx, by=by), file, dry_run)


@app.command("plans", help=t("help.cmd.plans"))
def plans_cmd(ctx: typer.Context, fmt: Format = None) -> None:
    from jtdj import commands

    commands.plans(_session(ctx), fmt)


@app.command("use", help=t("help.cmd.use"))
def use_cmd(ctx: typer.Context,
            key: Annotated[str, typer.Argument(metavar="KEY", help=t("help.arg.plan_key"))]) -> None:
    from jtdj import commands

    commands.use(_session(ctx), key)


@app.command("paths", help=t("help.cmd.paths"))
def paths_cmd(ctx: typer.Context, fmt: Format = None) -> None:
    from jtdj import commands

    commands.paths(_session(ctx), fmt)


# --- reading ---------------------------------------------------------------------------------

@app.command("list", help=t("help.cmd.list"))
def list_cmd(
    ctx: typer.Context, section: Section = None, item: ItemOpt = None, owner: Owner = None,
    unassigned: Unassigned = False, status: Status = None, overdue: Overdue = False,
    due_before: DueBefore = None, due_within: DueWithin = None, search: Search = None,
    tag: Tag = None, archived: Archived = False,
    sort: Annotated[SortBy, typer.Option("--sort", help=t("help.opt.sort"))] = SortBy.id,
    fmt: Format = None, as_of: AsOf = None, plan: PlanKey = None,
) -> None:
    from jtdj import commands

    session = _session(ctx, as_of, plan)
    f = _filters(section, item, owner, unassigned, status, overdue, due_before, due_within,
                 search, tag, archived, session)
    commands.list_tasks(session, f, sort.value, fmt)


@app.command("tree", help=t("help.cmd.tree"))
def tree_cmd(
    ctx: typer.Context, section: Section = None, item: ItemOpt = None, owner: Owner = None,
    unassigned: Unassigned = False, status: Status = None, overdue: Overdue = False,
    due_before: DueBefore = None, due_within: DueWithin = None, search: Search = None,
    tag: Tag = None, archived: Archived = False, fmt: Format = None, as_of: AsOf = None,
    plan: PlanKey = None,
) -> None:
    from jtdj import commands

    session = _session(ctx, as_of, plan)
    f = _filters(section, item, owner, unassigned, status or StatusFilter.all, overdue,
                 due_before, due_within, search, tag, archived, session)
    commands.tree(session, f, fmt)


@app.command("show", help=t("help.cmd.show"))
def show_cmd(ctx: typer.Context, id: OneId, fmt: Format = None, as_of: AsOf = None,
             plan: PlanKey = None) -> None:
    from jtdj import commands

    commands.show(_session(ctx, as_of, plan), id, fmt)


@app.command("history", help=t("help.cmd.history"))
def history_cmd(
    ctx: typer.Context,
    id: Annotated[Optional[str], typer.Argument(metavar="[ID]", help=t("help.arg.id"),
                                                autocompletion=_complete_ids)] = None,
    since: Annotated[Optional[str], typer.Option("--since", metavar="DATE", help=t("help.opt.since"))] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help=t("help.opt.limit"))] = None,
    fmt: Format = None, as_of: AsOf = None, plan: PlanKey = None,
) -> None:
    from jtdj import commands

    commands.history(_session(ctx, as_of, plan), id, since, limit, fmt)


# --- changing --------------------------------------------------------------------------------

@app.command("assign", help=t("help.cmd.assign"))
def assign_cmd(
    ctx: typer.Context, ids: Ids,
    to: Annotated[str, typer.Option("--to", metavar="NAME", help=t("help.opt.to"),
                                    autocompletion=_complete_owners)],
    with_: Annotated[Optional[List[str]], typer.Option("--with", metavar="UNIT", help=t("help.opt.with"))] = None,
    by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import commands

    commands.change(_session(ctx, as_of, plan, by), "assign", ids, owner=to, support=with_)


@app.command("unassign", help=t("help.cmd.unassign"))
def unassign_cmd(ctx: typer.Context, ids: Ids, by: By = None, plan: PlanKey = None,
                 as_of: AsOf = None) -> None:
    from jtdj import commands

    commands.change(_session(ctx, as_of, plan, by), "unassign", ids)


@app.command("start", help=t("help.cmd.start"))
def start_cmd(ctx: typer.Context, ids: Ids,
              on: Annotated[Optional[str], typer.Option("--on", metavar="DATE", help=t("help.opt.on"))] = None,
              by: By = None, plan: PlanKey = None, as_of: AsOf = None) -> None:
    from jtdj import commands

    commands.change(_session(ctx, as_of, plan, by), "start", ids, on=on)


@app.command("done", help=t("help.cmd.done"))
def done_cmd(
    ctx: typer.Context, ids: Ids,
    note: Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help=t("help.opt.note"))] = None,
    on: Annotated[Optional[str], typer.Option("--on", metavar="DATE", help=t("help.opt.on"))] = None,
    evidence: Annotated[Optional[List[str]], typer.Option("--evidence", metavar="PATH_OR_URL",
                                                          help=t("help.opt.evidence"))] = None,
    by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import commands

    commands.change(_session(ctx, as_of, plan, by), "done", ids, on=on, note=note,
                    evidence=evidence)


@app.command("reopen", help=t("help.cmd.reopen"))
def reopen_cmd(ctx: typer.Context, ids: Ids, by: By = None, plan: PlanKey = None,
               as_of: AsOf = None) -> None:
    from jtdj import commands

    commands.change(_session(ctx, as_of, plan, by), "reopen", ids)


@app.command("drop", help=t("help.cmd.drop"))
def drop_cmd(
    ctx: typer.Context, ids: Ids,
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help=t("help.opt.reason"))],
    on: Annotated[Optional[str], typer.Option("--on", metavar="DATE", help=t("help.opt.on"))] = None,
    by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import commands

    commands.change(_session(ctx, as_of, plan, by), "drop", ids, reason=reason, on=on)


@app.command("due", help=t("help.cmd.due"),
             context_settings={"ignore_unknown_options": True})  # so `due 5.2 -7d` is a date
def due_cmd(
    ctx: typer.Context, id: OneId,
    date_: Annotated[str, typer.Argument(metavar="DATE", help=t("help.arg.date"))],
    by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import commands

    commands.change(_session(ctx, as_of, plan, by), "due", [id], due=date_)


@app.command("note", help=t("help.cmd.note"))
def note_cmd(
    ctx: typer.Context, id: OneId,
    text: Annotated[str, typer.Argument(metavar="TEXT", help=t("help.arg.note_text"))],
    percent: Annotated[Optional[int], typer.Option("--percent", "-p", metavar="N", min=0, max=100,
                                                   help=t("help.opt.percent"))] = None,
    by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import commands

    commands.note(_session(ctx, as_of, plan, by), id, text, percent)


@app.command("add", help=t("help.cmd.add"))
def add_cmd(
    ctx: typer.Context,
    item: Annotated[str, typer.Argument(metavar="ITEM", help=t("help.arg.item"))],
    title: Annotated[str, typer.Argument(metavar="TITLE", help=t("help.arg.title"))],
    due: Annotated[Optional[str], typer.Option("--due", metavar="DATE", help=t("help.opt.due"))] = None,
    when: Annotated[Optional[str], typer.Option("--when", metavar="WORDS", help=t("help.opt.when"))] = None,
    owner: Annotated[Optional[str], typer.Option("--owner", metavar="NAME", help=t("help.opt.owner_set"))] = None,
    by: By = None, plan: PlanKey = None, as_of: AsOf = None,
) -> None:
    from jtdj import commands

    commands.add(_session(ctx, as_of, plan, by), item, title, due, when, owner)


# --- safety: undo, backup, restore -----------------------------------------------------------

@app.command("undo", help=t("help.safety.undo"))
def undo_cmd(ctx: typer.Context, by: By = None, plan: PlanKey = None, as_of: AsOf = None) -> None:
    from jtdj import safety_commands

    safety_commands.undo(_session(ctx, as_of, plan, by))


@app.command("backup", help=t("help.safety.backup"))
def backup_cmd(
    ctx: typer.Context,
    path: Annotated[Optional[Path], typer.Argument(metavar="[PATH]", help=t("help.safety.backup_path"))] = None,
) -> None:
    from jtdj import safety_commands

    safety_commands.backup(_session(ctx), path)


@app.command("restore", help=t("help.safety.restore"))
def restore_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="PATH", help=t("help.safety.restore_path"))],
    yes: Annotated[bool, typer.Option("--yes", "-y", help=t("help.safety.yes"))] = False,
) -> None:
    from jtdj import safety_commands

    safety_commands.restore(_session(ctx), path, yes)


# --- export ----------------------------------------------------------------------------------

class ExportFmt(str, Enum):
    toml = "toml"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


@app.command("export", help=t("help.export.cmd"))
def export_cmd(
    ctx: typer.Context,
    fmt: Annotated[Optional[ExportFmt], typer.Option("--format", "-f", help=t("help.export.format"))] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE",
                                                   help=t("help.export.output"))] = None,
    as_of: AsOf = None, plan: PlanKey = None,
) -> None:
    from jtdj import export_commands

    export_commands.export(_session(ctx, as_of, plan), fmt.value if fmt else None, output)


# --- summaries, reports and e-mail -----------------------------------------------------------

class SummaryFmt(str, Enum):
    table = "table"
    json = "json"
    md = "md"


class ReportFmt(str, Enum):
    text = "text"
    md = "md"
    html = "html"
    json = "json"


class Security(str, Enum):
    none = "none"
    starttls = "starttls"
    ssl = "ssl"


FailOnOverdue = Annotated[bool, typer.Option("--fail-on-overdue",
                                             help=t("help.report.fail_on_overdue"))]
Since = Annotated[Optional[str], typer.Option("--since", metavar="DATE|7d",
                                              help=t("help.report.since"))]
Until = Annotated[Optional[str], typer.Option("--until", metavar="DATE", help=t("help.report.until"))]
# `--week [YYYY-Www]`: a flag whose week, when given, follows as an argument
Week = Annotated[bool, typer.Option("--week", help=t("help.report.week"))]
Limit = Annotated[Optional[int], typer.Option("--limit", metavar="N", min=0,
                                              help=t("help.report.limit"))]
WeekArg = Annotated[Optional[str], typer.Argument(metavar="[YYYY-Www]", help=t("help.report.week_arg"),
                                                  show_default=False)]


def _period(since, until, week, week_spec):
    from jtdj.report_commands import PeriodOptions

    return PeriodOptions(since=since, until=until, week=week_spec, week_flag=week)


@app.command("summary", help=t("help.report.summary"))
def summary_cmd(
    ctx: typer.Context,
    fmt: Annotated[Optional[SummaryFmt], typer.Option("--format", "-f",
                                                      help=t("help.report.summary_format"))] = None,
    limit: Limit = None, fail_on_overdue: FailOnOverdue = False, as_of: AsOf = None,
    plan: PlanKey = None,
) -> None:
    from jtdj import report_commands

    report_commands.summary(_session(ctx, as_of, plan), fmt, fail_on_overdue, limit)


@app.command("report", help=t("help.report.report"))
def report_cmd(
    ctx: typer.Context, week_spec: WeekArg = None, since: Since = None, until: Until = None,
    week: Week = False,
    fmt: Annotated[Optional[ReportFmt], typer.Option("--format", "-f",
                                                     help=t("help.report.report_format"))] = None,
    limit: Limit = None, fail_on_overdue: FailOnOverdue = False, as_of: AsOf = None,
    plan: PlanKey = None,
) -> None:
    from jtdj import report_commands

    report_commands.report_cmd(_session(ctx, as_of, plan), _period(since, until, week, week_spec),
                               fmt, fail_on_overdue, limit)


@app.command("email", help=t("help.report.email"))
def email_cmd(
    ctx: typer.Context, week_spec: WeekArg = None,
    to: Annotated[Optional[List[str]], typer.Option("--to", metavar="ADDR", help=t("help.report.to"))] = None,
    cc: Annotated[Optional[List[str]], typer.Option("--cc", metavar="ADDR", help=t("help.report.cc"))] = None,
    bcc: Annotated[Optional[List[str]], typer.Option("--bcc", metavar="ADDR", help=t("help.report.bcc"))] = None,
    since: Since = None, until: Until = None, week: Week = False,
    subject: Annotated[Optional[str], typer.Option("--subject", metavar="TEXT",
                                                   help=t("help.report.subject"))] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help=t("help.report.dry_run"))] = False,
    flush: Annotated[bool, typer.Option("--flush", help=t("help.report.flush"))] = False,
    force: Annotated[bool, typer.Option("--force", help=t("help.report.force"))] = False,
    smtp_host: Annotated[Optional[str], typer.Option("--smtp-host", metavar="HOST",
                                                     help=t("help.report.smtp_host"))] = None,
    smtp_port: Annotated[Optional[int], typer.Option("--smtp-port", metavar="PORT", min=1, max=65535,
                                                     help=t("help.report.smtp_port"))] = None,
    smtp_security: Annotated[Optional[Security], typer.Option(
        "--smtp-security", help=t("help.report.smtp_security"))] = None,
    smtp_user: Annotated[Optional[str], typer.Option("--smtp-user", metavar="USER",
                                                     help=t("help.report.smtp_user"))] = None,
    sender: Annotated[Optional[str], typer.Option("--from", metavar="ADDR",
                                                  help=t("help.report.sender"))] = None,
    attach_xlsx: Annotated[bool, typer.Option("--attach-xlsx", help=t("help.mail_extra.attach_xlsx"))] = False,
    limit: Limit = None, fail_on_overdue: FailOnOverdue = False, as_of: AsOf = None,
    plan: PlanKey = None,
) -> None:
    from jtdj import mail_commands

    flags = {"smtp_host": smtp_host, "smtp_port": smtp_port,
             "smtp_security": smtp_security.value if smtp_security else None,
             "smtp_user": smtp_user, "sender": sender}
    mail_commands.email(_session(ctx, as_of, plan), _period(since, until, week, week_spec),
                          to, cc, bcc, subject, dry_run, flush, force, flags, fail_on_overdue,
                          attach_xlsx=attach_xlsx, limit=limit)


# --- the edge: errors cross here once ---------------------------------------------------------

_GLOBAL_OPTIONS_WITH_VALUE = {"--db", "--config", "--plan", "--as-of", "--lang", "--by"}


def _app_for(args: list[str]) -> typer.Typer:
    """The app with only the command being run registered.

    Typer builds a click command for every registered command on each start; with ~25 commands
    that is most of jtdj's own start-up. Help, completion and unknown names get the full app.
    """
    if any(var.endswith("_COMPLETE") for var in os.environ):
        return app
    name = None
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _GLOBAL_OPTIONS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            name = arg
            break
    wanted = [c for c in app.registered_commands if c.name == name]
    if not wanted:
        return app
    lean = typer.Typer(add_completion=False, **_APP_SETTINGS)
    lean.registered_callback = app.registered_callback
    lean.registered_commands = wanted
    return lean


def main(argv: list[str] | None = None) -> None:
    """Run the CLI with the cyclic garbage collector paused. A command lives for a moment; at
    100,000 tasks it makes up to a million objects (records, rows, parsed plan tables) that
    hold no cycles, and the collector would walk them again and again for nothing: a third of
    a full listing's time, half a second of an import."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        _main(argv)
    finally:
        if collecting:
            gc.enable()


def _main(argv: list[str] | None) -> None:
    """Run the CLI; turn every expected failure into one line on stderr and an exit code."""
    try:  # typer 0.2x parses with its own copy of click: catch *its* exceptions
        from typer import _click as click
        from typer.exceptions import Abort
    except ImportError:  # older typer uses the click package
        import click
        from click.exceptions import Abort

    import sqlite3

    args = list(argv if argv is not None else sys.argv[1:])
    _early_language(args)
    debug = "--debug" in args
    try:
        code = _app_for(args)(args=args, prog_name="jtdj", standalone_mode=False)
        if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C into a silent Exit(130)
            raise KeyboardInterrupt
    except JtdjError as exc:
        # a plan file with several problems: the summary line, then each problem on its own line
        details = [p for p in getattr(exc, "problems", None) or [] if p != exc.message]
        _fail("\n".join([exc.message, *details]), exc.exit_code, debug)
    except Abort:
        _fail(t("error.interrupted"), EXIT_INTERRUPTED, debug)
    except KeyboardInterrupt:
        _fail(t("error.interrupted"), EXIT_INTERRUPTED, debug)
    except click.exceptions.NoArgsIsHelpError as exc:
        print(exc.ctx.get_help() if exc.ctx else "", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except click.exceptions.UsageError as exc:
        hint = ""
        if exc.ctx is not None:
            hint = " " + t("error.try_help", command=exc.ctx.command_path)
        from jtdj import usage_errors

        _fail(usage_errors.message(exc) + hint, EXIT_USAGE, debug)
    except click.exceptions.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code, debug)
    except sqlite3.DatabaseError as exc:  # a read met a damaged page: one line, not a traceback
        from jtdj.store import explain_error

        _fail(explain_error(exc), EXIT_FAILED, debug)
    except BrokenPipeError:
        # a reader such as `head` closed the pipe: not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except OSError as exc:
        _fail(t("error.os", reason=exc.strerror or exc, path=exc.filename or ""), EXIT_FAILED, debug)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int, debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc()
    print(t("error.prefix") + message, file=sys.stderr)
    sys.exit(code)
