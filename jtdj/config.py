"""Where settings come from: flag > JTDJ_* environment variable > config file > default.

Paths are resolved once here and can be shown with ``jtdj paths``.
"""

from __future__ import annotations

import os
import sys
from datetime import date, datetime, timezone
from pathlib import Path

from jtdj.errors import UsageError
from jtdj.i18n import t

APP = "jtdj"


def _xdg_dir(variable: str, fallback: str) -> Path:
    """The XDG base directory rule, as platformdirs applies it on Linux (an unset or blank
    variable means the fallback under the home folder)."""
    path = os.environ.get(variable, "")
    return Path(path if path.strip() else os.path.expanduser(fallback)) / APP


def _user_data_dir() -> Path:
    # On Linux the rule is two lines, applied here rather than importing platformdirs
    if sys.platform.startswith("linux"):
        return _xdg_dir("XDG_DATA_HOME", "~/.local/share")
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP, appauthor=False))


def _user_config_dir() -> Path:
    if sys.platform.startswith("linux"):
        return _xdg_dir("XDG_CONFIG_HOME", "~/.config")
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP, appauthor=False))


def default_config_path() -> Path:
    return _user_config_dir() / "config.toml"


def resolve_config_path(flag: str | None) -> Path:
    value = flag or os.environ.get("JTDJ_CONFIG")
    return Path(value).expanduser() if value else default_config_path()


def load_config(path: Path) -> dict:
    """The config file's tables; a missing file is an empty config, a broken one an error."""
    if not path.exists():
        return {}
    import tomli

    try:
        with open(path, "rb") as fh:
            data = tomli.load(fh)
    except tomli.TOMLDecodeError as exc:
        raise UsageError(t("error.bad_config", file=path, reason=exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(t("error.bad_config", file=path, reason=exc)) from None
    for key in TEXT_KEYS:  # read as text further on: a number or list here is a typo
        if key in data and not isinstance(data[key], str):
            raise UsageError(t("error.bad_config_value", file=path, key=key, value=data[key]))
    return data


# The config file's top-level settings that are text.
TEXT_KEYS = ("db", "lang", "user")


def resolve_db_path(flag: str | None, config: dict) -> Path:
    value = flag or os.environ.get("JTDJ_DB") or config.get("db")
    return Path(value).expanduser() if value else _user_data_dir() / "jtdj.db"


def outbox_dir_for(db_path: Path) -> Path:
    return db_path.parent / "outbox"


def robots_outbox_dir_for(db_path: Path) -> Path:
    """The group robots' messages: a folder of their own, which `email --flush` never reads."""
    return outbox_dir_for(db_path) / "robots"


def backups_dir_for(db_path: Path) -> Path:
    return db_path.parent / "backups"


def os_user() -> str:
    import getpass  # only here: it loads termios, which a run with JTDJ_USER never needs

    try:
        return getpass.getuser()
    except Exception:  # getuser raises various errors when no user name can be found
        return "unknown"


class Settings:
    """Everything a command needs to know about its surroundings, resolved once (options after
    the command may still change today, plan_key and actor). ``today_fixed``: the day was
    given (--as-of or JTDJ_TODAY), not the calendar's."""

    __slots__ = ("db_path", "config_path", "config", "plan_key", "today", "today_fixed", "actor",
                 "verbose")

    def __init__(self, db_path: Path, config_path: Path, today: date,
                 config: dict | None = None, plan_key: str | None = None, actor: str = "",
                 verbose: int = 0, today_fixed: bool = False):
        self.db_path, self.config_path = db_path, config_path
        self.config = {} if config is None else config
        self.plan_key, self.today, self.today_fixed = plan_key, today, today_fixed
        self.actor, self.verbose = actor, verbose

    @property
    def outbox_dir(self) -> Path:
        return outbox_dir_for(self.db_path)

    @property
    def backups_dir(self) -> Path:
        return backups_dir_for(self.db_path)


def clock() -> datetime:
    """The time now, in UTC. With ``resolve_today`` the only reading of the clock: the rest of
    jtdj is handed the as-of day and this clock."""
    return datetime.now(timezone.utc)


def resolve_today(flag: str | None) -> tuple[date, bool]:
    """The as-of day: --as-of, else JTDJ_TODAY, else the calendar (local time); and whether it
    was fixed (by one of the first two) rather than the calendar's."""
    from jtdj.parse import parse_date

    real = date.today()
    value = flag or os.environ.get("JTDJ_TODAY")
    if not value:
        return real, False
    return parse_date(value, real, what="--as-of" if flag else "JTDJ_TODAY"), True


def resolve_actor(flag: str | None, config: dict) -> str:
    return flag or os.environ.get("JTDJ_USER") or config.get("user") or os_user()


def resolve_plan_key(flag: str | None) -> str | None:
    return flag or os.environ.get("JTDJ_PLAN") or None
