"""Errors that cross the CLI boundary.

Domain code raises these; the one handler in ``cli.main`` prints the message as a single line on
stderr and exits with ``exit_code``. Messages are already translated when raised.
"""

EXIT_FAILED = 1  # the request could not be done (unknown id, nothing to undo, send failed, ...)
EXIT_USAGE = 2  # usage or invalid input (bad date, bad option, invalid plan file)
EXIT_OVERDUE = 3  # --fail-on-overdue found overdue tasks (after doing its job)
EXIT_INTERRUPTED = 130


class JtdjError(Exception):
    """A failure the user can act on; carries its exit code."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(JtdjError):
    """Invalid input: a bad date, id, option value or plan file."""

    exit_code = EXIT_USAGE


class NotFound(JtdjError):
    """A well-formed id or name that does not exist."""

    exit_code = EXIT_FAILED


class PlanFileError(UsageError):
    """A plan file that cannot be imported; ``problems`` lists every problem found."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or [message]


class StorageError(JtdjError):
    """The database cannot be opened, created or written."""

    exit_code = EXIT_FAILED
