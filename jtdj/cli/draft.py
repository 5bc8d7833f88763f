"""`jtdj draft`: a 工作要点 document → a plan file for a person to check (docs/draft.md).

It never opens the database: it reads the document (and the rules file) and writes the plan.
"""

from pathlib import Path
from typing import Annotated, Optional

import typer

from jtdj.cli.app import app
from jtdj.errors import UsageError
from jtdj.i18n import t


@app.command("draft", help=t("help.cmd.draft"))
def draft_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar=t("metavar.file"), help=t("help.arg.draft_file"))],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar=t("metavar.file"),
                                                   help=t("help.opt.draft_output"))] = None,
    key: Annotated[Optional[str], typer.Option("--key", help=t("help.opt.draft_key"))] = None,
    rules: Annotated[Optional[Path], typer.Option("--rules", metavar=t("metavar.file"),
                                                  help=t("help.opt.draft_rules"))] = None,
    force: Annotated[bool, typer.Option("--force", help=t("help.opt.draft_force"))] = False,
) -> None:
    import sys

    from jtdj import draft_tasks
    from jtdj.render.draft import tally_line

    to_stdout = output is None or str(output) == "-"
    if not to_stdout:
        _check_output(ctx.obj.settings, Path(output), force)
    text, tally = draft_tasks.draft(file, key=key, rules_path=rules, source=Path(file).name)
    if to_stdout:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from jtdj.cli.data import write_file

        write_file(Path(output), text.encode("utf-8"))
        print(t("draft.written", path=output), file=sys.stderr)
    print(tally_line(tally), file=sys.stderr)


def _check_output(settings, path: Path, force: bool) -> None:
    """Never the database, its -wal/-shm, or anything in backups/ or outbox/ (as `export -o`),
    and an existing file only with --force: a plan checked by hand is not lost to a rerun."""
    from jtdj.cli.data import protected

    if protected(settings, path):
        raise UsageError(t("draft.protected", path=path))
    if path.exists() and not force:
        raise UsageError(t("draft.exists", path=path))
