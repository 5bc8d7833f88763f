"""One command's surroundings: settings, the open database, the current plan, and the outputs.

Built once by the CLI callback; commands ask it for the store, the plan key and a console
instead of repeating the set-up.
"""

from __future__ import annotations

import os
import sys
from datetime import date

from jtdj import config as cfg
from jtdj.errors import NotFound, UsageError
from jtdj.i18n import language_from_environment, set_language, t

READ_FORMATS = ("table", "json", "csv", "tsv", "md")


class Session:
    def __init__(self, settings: cfg.Settings):
        self.settings = settings
        self._store = None
        self._as_of_flag: str | None = None

    @classmethod
    def from_options(cls, db=None, config=None, plan=None, as_of=None, lang=None, by=None,
                     debug=False, verbose=0) -> "Session":
        config_path = cfg.resolve_config_path(config)
        conf = cfg.load_config(config_path)
        set_language(language_from_environment(lang, conf.get("lang")))
        settings = cfg.Settings(
            db_path=cfg.resolve_db_path(db, conf), config_path=config_path, config=conf,
            plan_key=cfg.resolve_plan_key(plan), today=cfg.resolve_today(as_of),
            actor=cfg.resolve_actor(by, conf), debug=debug, verbose=verbose)
        return cls(settings)

    def override(self, as_of: str | None = None, plan: str | None = None,
                 by: str | None = None) -> None:
        """Options given after the command win over the global ones."""
        if as_of:
            self.settings.today = cfg.resolve_today(as_of)
        if plan:
            self.settings.plan_key = plan
        if by:
            self.settings.actor = by

    @property
    def today(self) -> date:
        return self.settings.today

    # --- database ------------------------------------------------------------------------------
    @property
    def store(self):
        if self._store is None:
            from jtdj.store import Store

            self._store = Store.open(self.settings.db_path)
        return self._store

    def plan_key(self, reading: bool = True) -> str:
        """The plan this command works on; a reading command on an empty database imports the
        bundled plan first, so `jtdj list` just works after install."""
        store = self.store
        if reading and not store.has_plans():
            self._first_run_import()
        key = self.settings.plan_key or store.setting("current_plan")
        if key is None:
            raise NotFound(t("error.no_plan"))
        if store.plan(key) is None:
            known = ", ".join(p["key"] for p in store.plans()) or "-"
            raise NotFound(t("error.unknown_plan", key=key, known=known))
        return key

    def _first_run_import(self) -> None:
        from jtdj import importer
        from jtdj.plan import load_plan

        path = importer.bundled_plan_path()
        plan = load_plan(path)
        importer.import_plan(self.store, plan, str(path), self.settings.actor, self.today)
        self.notice(t("import.first_run", key=plan.key, title=plan.title))

    def action_context(self):
        from jtdj.actions import Context

        return Context(store=self.store, plan=self.plan_key(), actor=self.settings.actor,
                       today=self.today)

    # --- output --------------------------------------------------------------------------------
    def out(self, text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    def notice(self, message: str) -> None:
        """Always shown on stderr: something the user should know."""
        print(message, file=sys.stderr)

    def confirm(self, message: str) -> None:
        """A confirmation: shown to a person at a terminal or with -v; silent for cron."""
        if self.settings.verbose or sys.stderr.isatty():
            print(message, file=sys.stderr)

    def format(self, fmt, allowed=READ_FORMATS) -> str:
        value = fmt.value if hasattr(fmt, "value") else fmt
        if value is None:
            return "table" if sys.stdout.isatty() else ("tsv" if "tsv" in allowed else allowed[-1])
        if value not in allowed:
            raise UsageError(t("error.bad_format", value=value, allowed="|".join(allowed)))
        return value

    def console(self):
        from rich.console import Console

        return Console(highlight=False, soft_wrap=False,
                       no_color=bool(os.environ.get("NO_COLOR")) or None)


def build_filter(session: Session, section=None, item=None, owner=None, unassigned=False,
                 status=None, overdue=False, due_before=None, due_within=None, search=None,
                 tag=None, archived=False):
    """Turn the shared filter options into a TaskFilter, checking each value."""
    from jtdj.dates import parse_date
    from jtdj.store import TaskFilter

    return TaskFilter(
        section=_section_number(section) if section is not None else None,
        item=_number(item, "--item") if item is not None else None,
        owner=owner.strip() if owner else None, unassigned=unassigned,
        status=status or ("all" if archived else "open"), overdue=overdue,
        due_before=parse_date(due_before, session.today, "--due-before") if due_before else None,
        due_within=due_within, search=search.strip() if search and search.strip() else None,
        tag=tag, archived=archived)


_CHINESE_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                     "九": 9, "十": 10}


def _section_number(text: str) -> int:
    cleaned = text.strip().rstrip("、")
    if cleaned in _CHINESE_NUMERALS:
        return _CHINESE_NUMERALS[cleaned]
    return _number(cleaned, "--section")


def _number(text: str, what: str) -> int:
    from jtdj.dates import normalise

    cleaned = normalise(text)
    if not cleaned.isdigit() or int(cleaned) < 1:
        raise UsageError(t("error.bad_number", what=what, value=text))
    return int(cleaned)


def _completion_session() -> Session | None:
    try:
        session = Session.from_options()
        if not session.settings.db_path.exists():
            return None
        return session
    except Exception:  # completion must never print a traceback into the shell
        return None


def completion_ids() -> list[str]:
    session = _completion_session()
    if session is None:
        return []
    try:
        key = session.plan_key(reading=False)
        items = [str(i["no"]) for i in session.store.items(key)]
        return items + session.store.task_ids(key, include_archived=False)
    except Exception:
        return []


def completion_owners() -> list[str]:
    session = _completion_session()
    if session is None:
        return []
    try:
        return session.store.owners(session.plan_key(reading=False))
    except Exception:
        return []
