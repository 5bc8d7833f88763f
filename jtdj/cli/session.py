"""One command's surroundings: settings, the clock, the open database, the current plan, and
the outputs.

Built once by the CLI callback; commands ask it for the store, the plan key, the format and the
outputs instead of repeating the set-up. The as-of day and the clock are read here (through
``config``) and handed to the core.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import date, datetime
from weakref import WeakSet

from jtdj import config as cfg
from jtdj.errors import NotFound, UsageError
from jtdj.i18n import language_from_environment, set_language, t


class PipeClosed(Exception):
    """The reader of stdout went away (``jtdj list | head -1``). Not an OSError, so that typer
    does not end the run itself with status 1: ``cli.main`` ends it quietly."""


# The databases the commands of this process opened and still hold, which ``cli.entry`` closes
# before it ends the process (closing is what checkpoints the WAL and removes it)
OPENED: WeakSet = WeakSet()


class Session:
    def __init__(self, settings: cfg.Settings):
        self.settings = settings
        self._store = None

    @classmethod
    def from_options(cls, db=None, config=None, plan=None, as_of=None, lang=None, by=None,
                     verbose=0) -> "Session":
        config_path = cfg.resolve_config_path(config)
        conf = cfg.load_config(config_path)
        set_language(_language(lang, conf.get("lang"), config_path))
        today, fixed = cfg.resolve_today(as_of)
        settings = cfg.Settings(
            db_path=cfg.resolve_db_path(db, conf), config_path=config_path, config=conf,
            plan_key=cfg.resolve_plan_key(plan), today=today, today_fixed=fixed,
            actor=cfg.resolve_actor(by, conf), verbose=verbose)
        smtp = conf.get("smtp")
        if isinstance(smtp, dict) and smtp.get("password"):  # mail (and smtplib) only then
            from jtdj import mail

            if mail.password_exposed(config_path, conf):
                print(t("mail.password_exposed", path=config_path), file=sys.stderr)
        if isinstance(conf.get("robots"), dict):  # a robot's URL holds its token or key
            from jtdj.robots import secrets_exposed

            if secrets_exposed(config_path, conf):
                print(t("robot.config_exposed", path=config_path), file=sys.stderr)
        return cls(settings)

    def override(self, as_of: str | None = None, plan: str | None = None,
                 by: str | None = None) -> None:
        """Options given after the command win over the global ones."""
        if as_of:
            self.settings.today, self.settings.today_fixed = cfg.resolve_today(as_of)
        if plan:
            self.settings.plan_key = plan
        if by:
            self.settings.actor = by

    @property
    def today(self) -> date:
        return self.settings.today

    @staticmethod
    def now() -> datetime:
        return cfg.clock()

    # --- database ------------------------------------------------------------------------------
    @property
    def store(self):
        if self._store is None:
            from jtdj.store import Store

            from jtdj.store.lights import from_config

            lights = from_config(self.settings.config)  # a typo there: said before opening
            self._store = Store.open(self.settings.db_path, cfg.clock)
            OPENED.add(self._store)
            self._store.lights = lights
            self._store.on_wait = lambda: self.notice(t("lock.waiting"))
        return self._store

    def outbox(self):
        """The outbox folder beside the database, checked before use (made 0700 if missing;
        refused when a symlink, world-writable or someone else's; a group-writable one warns).
        The mail code takes the outbox from here, never from ``settings.outbox_dir`` directly."""
        from jtdj.store.folders import trusted_dir

        return trusted_dir(self.settings.outbox_dir, warn=self.notice)

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
            known = t("list.sep").join(p["key"] for p in store.plans()) or "-"
            raise NotFound(t("error.unknown_plan", key=key, known=known))
        return key

    def _first_run_import(self) -> None:
        from jtdj import importer
        from jtdj.plan import load_plan

        path = importer.bundled_plan_path()
        plan = load_plan(path, self.today)
        importer.import_plan(self.store, plan, str(path), self.settings.actor, self.today)
        self.notice(t("import.first_run", key=plan.key, title=plan.title))

    def action_context(self):
        from jtdj.actions import Context

        return Context(store=self.store, plan=self.plan_key(), actor=self.settings.actor,
                       today=self.today)

    # --- output --------------------------------------------------------------------------------
    def out(self, text: str) -> None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            raise PipeClosed from None

    def notice(self, message: str) -> None:
        """Always shown on stderr: something the user should know."""
        print(message, file=sys.stderr)

    def confirm(self, message: str) -> None:
        """A confirmation: shown to a person at a terminal or with -v; silent for cron."""
        if self.settings.verbose or sys.stderr.isatty():
            print(message, file=sys.stderr)

    def format(self, view: str, requested) -> str:
        """The one choice of format for this run: the one asked for, else a table on a
        terminal, else the view's pipe format (``render.FORMATS``)."""
        from jtdj import render

        value = getattr(requested, "value", requested)  # a --format Enum member, or text
        if value is None:
            return render.default_format(view, sys.stdout.isatty())
        allowed = render.formats(view)
        if value not in allowed:
            raise UsageError(t("error.bad_format", value=value, allowed="|".join(allowed)))
        return value

    def show(self, view: str, fmt: str, data) -> None:
        """Write ``data`` as ``view`` in ``fmt`` to stdout: text as it is, chunks of text as they
        come (a streamed machine format: memory stays flat), a table through Rich."""
        from jtdj import render

        written = render.render(view, fmt, data)
        try:
            if isinstance(written, str):
                self.out(written)
            elif isinstance(written, bytes):
                sys.stdout.buffer.write(written)
                sys.stdout.flush()
            elif isinstance(written, Iterator):
                _stream(written)
            else:
                self.console().print(written)
        except BrokenPipeError:
            raise PipeClosed from None

    def console(self):
        from rich.console import Console

        return Console(highlight=False, soft_wrap=False,
                       no_color=bool(os.environ.get("NO_COLOR")) or None)


def _language(flag: str | None, config_lang: str | None, config_path) -> str:
    """The language of this run: an unknown --lang is refused (exit 2) naming the catalogues;
    one from JTDJ_LANG, the config file or the locale only warns and falls back to Chinese, so
    a cron job keeps working."""
    from jtdj.i18n import DEFAULT_LANG, available_languages

    known = available_languages()
    wanted = language_from_environment(flag, config_lang)
    names = "|".join(known)
    if not (flag or os.environ.get("JTDJ_LANG") or config_lang):  # from the locale: en, else zh
        var = next((v for v in ("LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(v)), None)
        code = os.environ[var].split(".")[0].split("@")[0].split("_")[0].lower() if var else ""
        if code not in (*known, "c", "posix", ""):
            print(t("error.unknown_lang_env", value=os.environ[var], source=var, known=names),
                  file=sys.stderr)
    if (wanted or "").strip().lower().replace("_", "-").split("-")[0] in known:
        return wanted
    if flag:
        raise UsageError(t("error.unknown_lang", value=flag, known=names))
    source = "JTDJ_LANG" if os.environ.get("JTDJ_LANG") else str(config_path)
    set_language(DEFAULT_LANG)
    print(t("error.unknown_lang_env", value=wanted, source=source, known=names), file=sys.stderr)
    return DEFAULT_LANG


def _stream(chunks: Iterator) -> None:
    """Chunks of text, or of UTF-8 bytes (a full list in JSON or TSV, as SQLite wrote it):
    written to stdout's buffer as they are when stdout is UTF-8, else decoded for its own
    encoding."""
    import codecs

    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    utf8 = buffer is not None and codecs.lookup(out.encoding or "ascii").name == "utf-8"
    for chunk in chunks:
        if chunk.__class__ is not bytes:
            out.write(chunk)
        elif utf8:
            out.flush()  # whatever text came before goes first
            buffer.write(chunk)
        else:
            out.write(chunk.decode("utf-8", "replace"))
    out.flush()
