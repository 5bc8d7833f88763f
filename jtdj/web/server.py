"""`jtdj serve`: Datasette over a copy made for the web, never over the ledger itself.

``Web`` holds what the server needs: the ledger's path (read with ``mode=ro`` only), the
config, the plan, the day (fixed by --as-of, else the clock's), and the copy Datasette serves
(``store.snapshot``, written from ``web.data`` into a private folder and opened immutable).
Before a request it looks, at most once a second, whether the ledger file or the day changed,
and then writes a new copy in a thread and swaps it in; a copy that cannot be made (the ledger
moved, locked, unreadable) leaves the last one served and is said once (``notice``), until one
is made again. Datasette and its plugins are imported here only.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import threading
from datetime import date
from pathlib import Path

from jtdj.errors import JtdjError, StorageError, UsageError
from jtdj.i18n import t
from jtdj.robots import is_loopback
from jtdj.web.data import DB_NAME, browse

HERE = Path(__file__).parent
DEFAULT_USER = "jtdj"
_KEY = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)+)\}")


def metadata(password_hash: str | None = None, user: str = DEFAULT_USER) -> dict:
    """metadata.json with each ``{catalogue.key}`` in the interface's words; with a password
    hash, datasette-auth-passwords asks every request for it (HTTP basic auth)."""
    text = (HERE / "metadata.json").read_text(encoding="utf-8")
    meta = json.loads(_KEY.sub(lambda m: json.dumps(t(m.group(1)))[1:-1], text))
    if password_hash:
        meta["plugins"] = {"datasette-auth-passwords": {
            f"{user}_password_hash": password_hash, "http_basic_auth": True}}
    return meta


SETTINGS = {"default_allow_sql": False, "allow_download": False, "suggest_facets": False,
            "default_page_size": 50, "sql_time_limit_ms": 2000, "max_returned_rows": 1000,
            "allow_csv_stream": True}


def check_host(host: str, password_hash: str | None) -> None:
    """Any host but the loopback needs a password in the config ([serve] password_hash)."""
    if not is_loopback(host) and not password_hash:
        raise UsageError(t("serve.needs_password", host=host))


def pages(base: str, plan: str) -> list[tuple[str, str]]:
    """(what, URL) of each page the server gives (what `serve --check` lists)."""
    out = [(t("serve.page_home"), f"{base}/"), (t("serve.page_weekly"), f"{base}/-/weekly")]
    return out + browse(base) + [("robots.txt", f"{base}/robots.txt")]


class Web:
    """The server's state: where the ledger is, which plan and day, and the copy served."""

    def __init__(self, db_path: Path, config: dict, plan: str, day: date | None, clock,
                 notice=lambda message: None):
        import tempfile

        self.db_path, self.config, self.plan = Path(db_path), config, plan
        self.fixed_day, self.clock, self.notice = day, clock, notice
        self.failing = False  # the last copy could not be made (and that was said)
        self.folder = Path(tempfile.mkdtemp(prefix="jtdj-web-"))  # 0700: ours alone
        self.lock = threading.Lock()
        self.seen, self.looked, self.copies = None, 0.0, 0
        self.building: threading.Thread | None = None
        self.datasette = None

    def today(self) -> date:
        return self.fixed_day or self.clock().date()

    def fingerprint(self) -> tuple:
        marks = [self.today()]
        for path in (self.db_path, self.db_path.with_name(self.db_path.name + "-wal")):
            try:
                st = path.stat()
                marks += [st.st_mtime_ns, st.st_size]
            except FileNotFoundError:
                marks += [None, None]
        return tuple(marks)

    def store(self):
        from jtdj.web.data import open_ledger

        try:
            return open_ledger(self.db_path, self.config)
        except sqlite3.Error as exc:  # moved, unreadable, not a database
            raise StorageError(t("error.db_open", path=self.db_path, reason=exc)) from None

    def make_copy(self) -> Path:
        """A new copy of what is served as of today, in the private folder."""
        from jtdj.store.snapshot import write
        from jtdj.web.data import tables

        store = self.store()
        try:
            self.copies += 1
            folder = self.folder / str(self.copies)
            folder.mkdir(mode=0o700)
            path = folder / f"{DB_NAME}.db"
            try:
                write(path, tables(store, self.plan, self.today()))
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)  # no half-made copy left behind
                raise
        finally:
            store.close()
        return path

    def refresh(self, now: float, wait: float = 2.0) -> None:
        """Start a new copy when the ledger or the day changed (looked at once a second), in a
        thread of its own, and wait for it up to ``wait`` seconds: a small ledger's page is
        never behind, a large one's (some 10 s for 100,000 tasks) is served from the last copy
        meanwhile."""
        with self.lock:
            if now - self.looked >= 1.0:
                self.looked = now
                mark = self.fingerprint()
                if mark != self.seen and not (self.building and self.building.is_alive()):
                    self.building = threading.Thread(target=self._build, args=(mark,),
                                                     daemon=True)
                    self.building.start()
            building = self.building
        if building is not None:
            building.join(wait)

    def _build(self, mark: tuple) -> None:
        """A new copy swapped in; if it cannot be made, the last one stays served, said once."""
        try:
            path = self.make_copy()
        except (JtdjError, sqlite3.Error, OSError) as exc:
            if not self.failing:
                self.failing = True
                reason = exc.message if isinstance(exc, JtdjError) else str(exc)
                self.notice(t("serve.copy_failed", reason=reason))
            return
        self.failing = False
        self.seen = mark
        self._swap(path)

    def _swap(self, path: Path) -> None:
        ds = self.datasette
        old = ds.databases.get(DB_NAME)
        db = copy_database(ds, path)
        db.name = db.route = DB_NAME
        databases = ds.databases.copy()
        databases[DB_NAME] = db
        ds.databases = databases  # one assignment: a request sees the old copy or the new
        if old is not None and old.path:
            _remove_later(Path(old.path))


def copy_database(ds, path: Path):
    """A Datasette database over one copy. Datasette keeps each worker thread's connection by
    the database's name, which every copy shares: here a thread's connection is kept with its
    copy's path, and one to an older copy is closed and opened anew on the new one."""
    import asyncio

    from datasette.database import Database, connections

    class Copy(Database):
        async def execute_fn(self, fn):
            if self.ds.executor is None:
                return await super().execute_fn(fn)

            def in_thread():
                held = getattr(connections, "jtdj_copy", None)
                if held is None or held[0] != self.path:
                    if held is not None:
                        held[1].close()
                    conn = self.connect()
                    self.ds._prepare_connection(conn, self.name)
                    held = (self.path, conn)
                    connections.jtdj_copy = held
                return fn(held[1])

            return await asyncio.get_running_loop().run_in_executor(self.ds.executor, in_thread)

    return Copy(ds, path=str(path), is_mutable=False)


def _remove_later(path: Path) -> None:
    """The old copy's file: gone once no request can still be reading it (after 60 s)."""
    def remove():
        for p in (path, path.parent):
            try:
                p.unlink() if p.is_file() else p.rmdir()
            except OSError:
                pass

    timer = threading.Timer(60.0, remove)
    timer.daemon = True
    timer.start()


def build(web: Web, password_hash: str | None = None, user: str = DEFAULT_USER):
    """The Datasette instance over the first copy, with jtdj's plugin."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from jtdj.web import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="jtdj-web")
    first = web.make_copy()
    web.seen = web.fingerprint()
    ds = Datasette(metadata=metadata(password_hash, user), settings=SETTINGS,
                   template_dir=str(HERE / "templates"))
    db = copy_database(ds, first)
    ds.add_database(db, name=DB_NAME)
    ds.jtdj_web = web
    web.datasette = ds
    return ds


def run(ds, host: str, port: int) -> None:
    """Serve until stopped (Ctrl-C)."""
    import asyncio

    import uvicorn

    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")


def hash_password(password: str) -> str:
    """The hash for [serve] password_hash (datasette-auth-passwords' own pbkdf2_sha256)."""
    from datasette_auth_passwords.utils import hash_password as make

    if not password:
        raise UsageError(t("serve.empty_password"))
    return make(password)
