"""Promise 8 (files): what jtdj creates that may hold personal data is readable by its owner
only; a file that already exists keeps the mode its owner gave it. (The outbox and the SMTP
password are tested with the mail commands, test_email.py.)"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import PLAN_2022

AS_OF = ("--as-of", "2022-07-01")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask():
    """A permissive umask, so the modes below are jtdj's doing, not the umask's."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_database_and_its_folder_are_private(run, tmp_path):
    db = tmp_path / "new" / "deeper" / "jtdj.db"
    assert run("--db", db, "list", *AS_OF).exit_code == 0
    assert mode(db) == 0o600
    assert mode(db.parent) == 0o700 and mode(db.parent.parent) == 0o700


def test_wal_and_shm_files_are_private_too(run, imported, db_path):
    from jtdj.store import Store

    store = Store.open(db_path)
    try:
        store.conn.execute("SELECT count(*) FROM tasks").fetchone()
        for suffix in ("-wal", "-shm"):
            side = Path(str(db_path) + suffix)
            if side.exists():
                assert mode(side) == 0o600, suffix
    finally:
        store.close()


def test_backups_are_private(run, imported, db_path, tmp_path):
    assert run("backup").exit_code == 0
    assert run("backup", tmp_path / "mine" / "copy.db").exit_code == 0
    assert run("--as-of", "2022-07-01", "import", PLAN_2022).exit_code == 0  # an automatic one
    assert run("restore", tmp_path / "mine" / "copy.db", "--yes").exit_code == 0  # keeps one
    backups = db_path.parent / "backups"
    assert mode(backups) == 0o700
    made = sorted(p.name.split("-")[0] for p in backups.iterdir())
    assert made == ["auto", "before", "jtdj"]
    for path in backups.iterdir():
        assert mode(path) == 0o600, path
    assert mode(tmp_path / "mine") == 0o700
    assert mode(tmp_path / "mine" / "copy.db") == 0o600


def test_an_existing_database_keeps_its_mode(run, tmp_path):
    db = tmp_path / "shared" / "jtdj.db"
    assert run("--db", db, "import").exit_code == 0
    db.chmod(0o644)
    db.parent.chmod(0o755)
    assert run("--db", db, "done", "1.1", *AS_OF).exit_code == 0
    assert run("--db", db, "backup").exit_code == 0
    assert run("--db", db, "list", *AS_OF).exit_code == 0
    assert mode(db) == 0o644
    assert mode(db.parent) == 0o755


def test_a_backup_over_an_existing_file_keeps_its_mode(run, imported, tmp_path):
    target = tmp_path / "copy.db"
    target.write_bytes(b"")
    target.chmod(0o640)
    assert run("backup", target).exit_code == 0
    assert mode(target) == 0o640
