"""Where the database lives, and what opening it sets up: created with its folder on first use,
schema version and migrations recorded, WAL on; a clear one-line error when it cannot be made."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from conftest import as_json, rows
from jtdj import config

AS_OF = ("--as-of", "2022-07-01")


def plan_keys(path: Path) -> list[str]:
    return [r["key"] for r in rows(path, "SELECT key FROM plans")]


def test_db_option_creates_the_file_and_its_folders(run, tmp_path, db_path):
    target = tmp_path / "deep" / "er" / "office.db"
    result = run("--db", target, *AS_OF, "import")
    assert result.exit_code == 0, result.output
    assert target.is_file()
    assert plan_keys(target) == ["2022"]
    assert not db_path.exists()  # JTDJ_DB (set by conftest) lost to the flag


def test_jtdj_db_environment_variable(run, tmp_path, monkeypatch):
    target = tmp_path / "from-env" / "j.db"
    monkeypatch.setenv("JTDJ_DB", str(target))
    result = run(*AS_OF, "import")
    assert result.exit_code == 0, result.output
    assert plan_keys(target) == ["2022"]


@pytest.mark.skipif(sys.platform != "linux", reason="XDG data directory is the Linux default")
def test_default_location_is_the_user_data_directory(run, tmp_path, monkeypatch):
    monkeypatch.delenv("JTDJ_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    result = run(*AS_OF, "list", "--format", "json")
    assert result.exit_code == 0, result.output
    expected = tmp_path / "xdg" / "jtdj" / "jtdj.db"
    assert plan_keys(expected) == ["2022"]
    paths = run("paths", "--format", "json")
    assert paths.exit_code == 0, paths.output
    assert str(expected) in paths.stdout


# On Linux the user folders follow the XDG rule without importing platformdirs; they must be
# the folders platformdirs gives, or an upgrade would lose the user's config and database.

@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux rule")
@pytest.mark.parametrize("xdg", ["set", "blank", "unset"])
def test_linux_user_dirs_are_those_of_platformdirs(monkeypatch, tmp_path, xdg):
    import platformdirs

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        if xdg == "set":
            monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
        elif xdg == "blank":
            monkeypatch.setenv(variable, "  ")
        else:
            monkeypatch.delenv(variable, raising=False)
    assert config._user_config_dir() == Path(platformdirs.user_config_dir("jtdj", appauthor=False))
    assert config._user_data_dir() == Path(platformdirs.user_data_dir("jtdj", appauthor=False))


def test_list_json_after_first_run_import(run, db_path):
    result = run("list", "--format", "json")
    assert result.exit_code == 0, result.output
    data = as_json(result)
    assert data and set(data[0]) == {"id", "item", "section", "title", "status", "owner",
                                     "support", "due", "start", "when", "done_on", "percent",
                                     "tags", "light", "signal", "expected_percent", "lag", "ongoing", "last_note",
                                     "period"}
    assert "内置计划" in result.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM plans")[0]["n"] == 1


def test_folder_that_cannot_be_created_is_one_line_exit_1(run, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run("--db", blocker / "sub" / "j.db", *AS_OF, "import")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：")
    assert str(blocker / "sub") in lines[0]
    assert blocker.read_text() == "not a folder"


def test_a_file_that_is_not_a_database_is_refused(run, tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite " * 100)
    result = run("--db", bogus, *AS_OF, "import")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert len(result.stderr.splitlines()) == 1 and str(bogus) in result.stderr
    assert bogus.read_bytes() == b"this is not sqlite " * 100


def test_schema_version_wal_and_recorded_migrations(run, imported, db_path):
    from jtdj.store.migrations import MIGRATIONS

    conn = sqlite3.connect(db_path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        names = [r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY rowid")]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    assert version == len(MIGRATIONS) >= 1
    assert mode == "wal"
    assert names[0] == "m001_initial"
    assert names == [step.__name__ for step in MIGRATIONS]
    assert {"settings", "plans", "sections", "items", "tasks", "notes", "events"} <= tables


def test_reopening_does_not_migrate_again(run, imported, db_path):
    before = rows(db_path, "SELECT name, applied_at FROM migrations ORDER BY rowid")
    assert run(*AS_OF, "list", "--format", "json").exit_code == 0
    assert rows(db_path, "SELECT name, applied_at FROM migrations ORDER BY rowid") == before


def test_database_from_a_newer_jtdj_is_left_alone(run, imported, db_path):
    from jtdj.store.migrations import MIGRATIONS

    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.close()
    result = run(*AS_OF, "list", "--format", "json")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert str(len(MIGRATIONS) + 5) in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_new_database_is_private(run, tmp_path):
    target = tmp_path / "private" / "j.db"
    assert run("--db", target, *AS_OF, "import").exit_code == 0
    assert target.stat().st_mode & 0o077 == 0
    assert target.parent.stat().st_mode & 0o077 == 0


# --- waiting for the lock, and the config file's password (issue 13, point 7) --------------------

def test_a_write_waiting_for_the_lock_says_so_once_and_then_goes_on(run, imported, db_path):
    import threading
    import time

    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another program writing for ~3.5 s
    release = threading.Timer(3.5, lambda: holder.execute("ROLLBACK"))
    release.start()
    started = time.monotonic()
    try:
        result = run("done", "5.2", *AS_OF)
    finally:
        release.join()
        holder.close()
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= 3
    assert result.stderr.count("数据库正被其他程序使用，等待中…") == 1, result.stderr
    assert rows(db_path, "SELECT status FROM tasks WHERE id = '5.2'")[0]["status"] == "done"


def test_a_write_that_gets_the_lock_at_once_says_nothing_about_waiting(run, imported, db_path):
    result = run("done", "5.2", *AS_OF)
    assert result.exit_code == 0, result.output
    assert "等待中" not in result.stderr


@pytest.mark.parametrize("argv", [["list"], ["summary"], ["email", "--dry-run"]])
def test_a_password_in_a_config_file_others_can_read_is_warned_about_on_every_command(
        run, imported, tmp_path, argv):
    conf = tmp_path / "config.toml"
    conf.write_text('[smtp]\npassword = "pw"\n[mail]\nto = "leader@example.org"\n',
                    encoding="utf-8")
    conf.chmod(0o644)
    result = run(*argv, *AS_OF)
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if "chmod 600" in line]
    assert len(warnings) == 1 and str(conf) in warnings[0], result.stderr  # once, naming it
    conf.chmod(0o600)
    assert str(conf) not in run(*argv, *AS_OF).stderr
