"""The command line: the only package that imports typer or click.

``main`` is the console script's entry point and the one error boundary: every expected failure
becomes one line on stderr and a documented exit code. It imports the app only when called, so
a Ctrl-C while typer is still loading ends as quietly as one later on. The commands live in
``plans``, ``tasks``, ``data`` and ``reports``; ``app`` holds what they share.
"""

import gc
import os
import sys

from jtdj.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, JtdjError
from jtdj.i18n import language_from_environment, set_language, t

def full_app():
    """The Typer app with every command registered, in the order help lists them."""
    from jtdj.cli import plans, lists, tasks, data, reports, forms, units, supervise, notify, serve, draft  # noqa: F401, I001
    from jtdj.cli.app import app

    # in the order of COMMAND_MODULES, whichever module an earlier run in this process loaded
    order = list(COMMAND_MODULES)
    app.registered_commands.sort(key=lambda c: order.index(c.name) if c.name in order else 99)
    return app


# Each command's module, so that a run imports only the module of its command (the four
# together cost some 3 ms at start-up); a test holds this to what the modules register.
COMMAND_MODULES = {
    **dict.fromkeys(("import", "plans", "use", "paths"), "plans"),
    **dict.fromkeys(("list", "tree", "show", "history"), "lists"),
    **dict.fromkeys(("assign", "unassign", "start", "done", "reopen", "drop", "due", "note",
                     "add"), "tasks"),
    **dict.fromkeys(("undo", "backup", "restore", "export"), "data"),
    **dict.fromkeys(("summary", "report", "email"), "reports"),
    "notify": "notify",
    **dict.fromkeys(("collect", "merge"), "forms"),
    **dict.fromkeys(("urge", "review", "accept", "return", "extend"), "supervise"),
    "serve": "serve",
    "draft": "draft",
    "units": "units",
}


# Each command's help line as its module declares it, so that `jtdj --help` lists the commands
# without importing their modules (7 ms of its start); a test holds this to what they register.
COMMAND_HELP = {
    **{name: f"help.cmd.{name}" for name in COMMAND_MODULES},
    "undo": "help.safety.undo", "backup": "help.safety.backup",
    "restore": "help.safety.restore", "export": "help.export.cmd",
    "summary": "help.report.summary", "report": "help.report.report",
    "email": "help.report.email",
}


_GLOBAL_OPTIONS_WITH_VALUE = {"--db", "--config", "--plan", "--as-of", "--lang", "--by"}


class Argv:
    """What main needs to know before the parser runs, from one look at the arguments: the
    command's name (to register only it; none when help is asked before it: the app's own help
    lists every command), --lang (help text is built in the language when the app is
    imported), and --debug (for the error edge)."""

    def __init__(self, args: list[str]):
        self.command = self.lang = None
        self.debug = "--debug" in args
        helped = False
        skip = False
        for i, arg in enumerate(args):
            if arg == "--lang" and i + 1 < len(args):
                self.lang = args[i + 1]
            elif arg.startswith("--lang="):
                self.lang = arg.split("=", 1)[1]
            if skip:
                skip = False
            elif arg in _GLOBAL_OPTIONS_WITH_VALUE:
                skip = True
            elif arg in ("-h", "--help"):
                helped = True
            elif self.command is None and not arg.startswith("-") and not helped:
                self.command = arg


def _app_for(name: str | None):
    """The app with only the command being run registered.

    Typer builds a click command for every registered command on each start, most of jtdj's
    own start-up; completion and unknown names get the full app, the app's own help the
    listing app.
    """
    import typer

    from jtdj.cli.app import APP_SETTINGS

    module = COMMAND_MODULES.get(name)
    if any(var.endswith("_COMPLETE") for var in os.environ):
        return full_app()
    if module is None:
        return full_app() if name is not None else _listing_app()
    from importlib import import_module

    from jtdj.cli.app import app

    import_module(f"jtdj.cli.{module}")
    wanted = [c for c in app.registered_commands if c.name == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if not wanted and not groups:
        return full_app()
    lean = typer.Typer(add_completion=False, **APP_SETTINGS)
    lean.registered_callback = app.registered_callback
    lean.registered_commands = wanted
    lean.registered_groups = groups
    return lean


def _nothing() -> None:
    """The body of a command in the listing app: never run (only help is asked of it)."""


def _listing_app():
    """The app as `jtdj --help` (or `jtdj` alone) lists it: every command by its name and help
    line (``COMMAND_HELP``), none with its parameters, which only the command's own help shows
    and which typer would otherwise turn into click's for every command on each start (about
    70 ms); the units group as a command of its help. A test holds the listing to the full
    app's."""
    import typer

    from jtdj.cli.app import APP_SETTINGS, app

    lean = typer.Typer(add_completion=True, **APP_SETTINGS)
    lean.registered_callback = app.registered_callback
    for name, key in COMMAND_HELP.items():
        lean.command(name, help=t(key))(_nothing)
    return lean


def main(argv: list[str] | None = None) -> None:
    """Run the CLI with the cyclic garbage collector paused: a command lives for a moment, and
    its objects (records, rows, parsed plan tables) hold no cycles for it to find."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        _main(argv)
    finally:
        if collecting:
            gc.enable()


def entry() -> None:
    """The `jtdj` script and `python -m jtdj`: ``main``, then the process ends at once.

    Python's own end of a process takes down every module it loaded, one by one: after
    ``import typer`` that is 10 to 17 ms of every run, more than most commands take
    (bench/README.md). Nothing of jtdj needs it: what a command writes is flushed and its
    database closed here, and what was registered to run at exit is run; a process with a
    thread still working (`jtdj serve`) ends the usual way, which waits for it."""
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # as SystemExit would (sys.exit("text"))
        code = 1
    _end(code or 0)


def _end(code: int) -> None:
    import atexit
    import threading

    from jtdj.cli.session import OPENED

    try:
        sys.stdout.flush()  # what is still buffered (a `print` of help text)
    except OSError as exc:
        code = _unwritten(exc)
    sys.stderr.flush()
    for store in list(OPENED):
        store.close()
    atexit._run_exitfuncs()
    if any(not th.daemon for th in threading.enumerate() if th is not threading.main_thread()):
        sys.exit(code)
    os._exit(code)


def _unwritten(exc: Exception) -> int:
    """The exit status of a run whose output could not be written, the rest of it dropped: a
    reader such as `head` that closed the pipe is not an error of ours, so nothing is said and
    the status is the shell's for a command that SIGPIPE ended (`seq`, `git log`: 141), which
    `set -o pipefail` sees as it sees them (docs/output.md); any other (a full disk) is one
    line on stderr and EXIT_FAILED."""
    import signal

    from jtdj.cli.session import PipeClosed

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # what is still buffered goes nowhere, quietly
    if isinstance(exc, (BrokenPipeError, PipeClosed)):
        return 128 + signal.SIGPIPE
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
    print(t("error.prefix") + t("error.os", reason=reason, path="<stdout>"), file=sys.stderr)
    return EXIT_FAILED


def _main(argv: list[str] | None) -> None:
    """Run the CLI; turn every expected failure into one line on stderr and an exit code."""
    args = list(argv if argv is not None else sys.argv[1:])
    seen = Argv(args)
    debug = seen.debug
    set_language(language_from_environment(seen.lang, None))
    for arg in args:  # bytes that are not UTF-8 reach Python as lone surrogates: refuse them
        if any("\udc80" <= ch <= "\udcff" for ch in arg):
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            _fail(t("error.not_utf8_arg", value=shown), EXIT_USAGE, debug)
    try:
        run = _app_for(seen.command)
    except KeyboardInterrupt:  # Ctrl-C while typer is still loading
        _fail(t("error.interrupted"), EXIT_INTERRUPTED, debug)
    try:  # typer 0.2x parses with its own copy of click: catch *its* exceptions
        from typer import _click as click
        from typer.exceptions import Abort
    except ImportError:  # older typer uses the click package
        import click
        from click.exceptions import Abort

    import sqlite3

    from jtdj.cli.session import PipeClosed

    try:
        code = run(args=args, prog_name="jtdj", standalone_mode=False)
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
    except _no_args_is_help(click) as exc:
        # bare `jtdj`: the help, and success (click 8.2 raises this, earlier ones exit 0 alone)
        try:
            print(exc.ctx.get_help() if exc.ctx else "")
        except OSError as unwritten:
            sys.exit(_unwritten(unwritten))
        sys.exit(0)
    except click.exceptions.UsageError as exc:
        hint = ""
        if exc.ctx is not None:
            hint = " " + t("error.try_help", command=exc.ctx.command_path)
        from jtdj.cli import usage

        _fail(usage.message(exc) + hint, EXIT_USAGE, debug)
    except click.exceptions.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code, debug)
    except sqlite3.DatabaseError as exc:  # a read met a damaged page: one line, not a traceback
        from jtdj.store import explain_error

        _fail(explain_error(exc), EXIT_FAILED, debug)
    except (BrokenPipeError, PipeClosed) as exc:  # a reader such as `head` closed the pipe
        sys.exit(_unwritten(exc))
    except OSError as exc:
        _fail(t("error.os", reason=exc.strerror or exc, path=exc.filename or ""), EXIT_FAILED, debug)
    sys.exit(code if isinstance(code, int) else 0)


def _no_args_is_help(click) -> tuple:
    """click's NoArgsIsHelpError (click 8.2 and typer's copy), or nothing to catch before it."""
    error = getattr(click.exceptions, "NoArgsIsHelpError", None)
    return (error,) if error is not None else ()


def _fail(message: str, code: int, debug: bool) -> None:
    """One message on stderr, its control and bidi characters shown (a typed id is echoed)."""
    from jtdj.render.safe import visible

    if debug:
        import traceback

        traceback.print_exc()
    print(t("error.prefix") + visible(message), file=sys.stderr)
    sys.exit(code)
