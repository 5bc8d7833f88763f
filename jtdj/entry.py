"""The console script's entry point: kept tiny so that a Ctrl-C while the CLI is still loading
(typer and friends take a few tens of milliseconds) ends quietly with exit 130, like one later on.
"""

import sys


def main() -> None:
    try:
        from jtdj.cli import main as run
    except KeyboardInterrupt:
        from jtdj.errors import EXIT_INTERRUPTED
        from jtdj.i18n import t

        print(t("error.prefix") + t("error.interrupted"), file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    run()
