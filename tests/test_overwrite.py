"""Outputs never overwrite what they must not, and the folders beside the database are trusted
only when nobody else can change them (docs/reliability.md, "Nothing overwritten")."""

from __future__ import annotations

import os
import pty
import shutil
import stat
import threading
from pathlib import Path

import pytest

from conftest import PLAN_2022, dump

AS_OF = ("--as-of", "2022-07-01")
FOREIGN_UID = 65534  # nobody


def one_line(result) -> str:
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def open_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


# --- export -o and backup PATH -----------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_export_onto_the_database_or_its_wal_or_shm_is_refused(run, imported, db_path, suffix):
    before, raw = dump(db_path), db_path.read_bytes()
    result = run("export", "--format", "csv", "-o", f"{db_path}{suffix}", *AS_OF)
    assert result.exit_code == 2, result.output
    one_line(result)
    assert dump(db_path) == before and db_path.read_bytes() == raw


def test_export_through_a_symlink_to_the_database_is_refused(run, imported, db_path, tmp_path):
    link = tmp_path / "ledger.csv"
    link.symlink_to(db_path)
    before = dump(db_path)
    result = run("export", "--format", "csv", "-o", link, *AS_OF)
    assert result.exit_code == 2, result.output
    one_line(result)
    assert link.is_symlink() and dump(db_path) == before


@pytest.mark.parametrize("folder", ["backups", "outbox"])
def test_export_into_the_backups_or_outbox_folder_is_refused(run, imported, db_path, folder):
    inside = db_path.parent / folder
    inside.mkdir(mode=0o700, exist_ok=True)
    result = run("export", "-o", inside / "plan.toml", *AS_OF)
    assert result.exit_code == 2, result.output
    one_line(result)
    assert not (inside / "plan.toml").exists()


def test_export_over_the_imported_plan_file_only_warns(run, db_path, tmp_path):
    plan = tmp_path / "2022.toml"
    shutil.copy(PLAN_2022, plan)
    assert run(*AS_OF, "import", plan).exit_code == 0
    assert run("done", "1.1", *AS_OF).exit_code == 0
    result = run("export", "-o", plan, *AS_OF)
    assert result.exit_code == 0, result.output
    assert str(plan) in one_line(result)
    assert plan.read_text(encoding="utf-8") == run("export", *AS_OF).stdout


def test_export_to_a_fifo_writes_into_it_and_leaves_it_a_fifo(run, imported, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run("export", "--format", "json", "-o", fifo, *AS_OF)
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and got[0] == run("export", "--format", "json", *AS_OF).stdout.encode("utf-8")


def test_export_to_a_terminal_device_writes_into_it(run, imported):
    master, slave = pty.openpty()
    device = os.ttyname(slave)
    got = bytearray()

    def drain():
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            got.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        result = run("export", "--format", "csv", "-o", device, *AS_OF)
        assert result.exit_code == 0, result.output
        assert stat.S_ISCHR(os.stat(device).st_mode)
    finally:
        os.close(slave)
        reader.join(timeout=10)
        os.close(master)
    assert "1.1" in got.decode("utf-8", "replace")


def test_a_new_export_is_private_and_an_existing_one_keeps_its_mode(run, imported, tmp_path,
                                                                      open_umask):
    new = tmp_path / "new.toml"
    assert run("export", "-o", new, *AS_OF).exit_code == 0
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    shared = tmp_path / "shared.toml"
    shared.write_text("old")
    shared.chmod(0o644)
    assert run("export", "-o", shared, *AS_OF).exit_code == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o644 and shared.read_text() != "old"


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_backup_onto_the_database_is_refused(run, imported, db_path, suffix):
    before = dump(db_path)
    result = run("backup", f"{db_path}{suffix}")
    assert result.exit_code == 2, result.output
    one_line(result)
    assert dump(db_path) == before


# --- the backups folder ------------------------------------------------------------------------

def foreign_autos(folder: Path, count: int = 6) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for n in range(count):
        path = folder / f"auto-2000010{n}-000000-000000.db"
        path.write_bytes(b"someone else's")
        made.append(path)
    return made


def test_a_symlinked_backups_folder_is_refused_and_nothing_there_deleted(run, imported, db_path,
                                                                        tmp_path):
    elsewhere = tmp_path / "elsewhere"
    theirs = foreign_autos(elsewhere)
    (db_path.parent / "backups").symlink_to(elsewhere)
    result = run("backup")
    assert result.exit_code == 1, result.output
    assert "backups" in one_line(result)
    result = run(*AS_OF, "import", PLAN_2022)  # the automatic backup and its rotation
    assert result.exit_code == 1, result.output
    assert all(p.exists() for p in theirs) and len(list(elsewhere.iterdir())) == 6


def test_a_world_writable_backups_folder_is_refused(run, imported, db_path):
    folder = db_path.parent / "backups"
    folder.mkdir()
    folder.chmod(0o777)
    result = run("backup")
    assert result.exit_code == 1, result.output
    assert "chmod 700" in one_line(result)
    assert list(folder.iterdir()) == []


def test_a_backups_folder_owned_by_someone_else_is_refused(run, imported, db_path):
    if os.getuid() != 0:
        pytest.skip("giving a folder to another user needs root")
    folder = db_path.parent / "backups"
    folder.mkdir(mode=0o700)
    os.chown(folder, FOREIGN_UID, FOREIGN_UID)
    result = run("backup")
    assert result.exit_code == 1, result.output
    assert str(FOREIGN_UID) in one_line(result)
    assert list(folder.iterdir()) == []


def test_a_group_writable_backups_folder_is_used_with_a_warning(run, imported, db_path):
    folder = db_path.parent / "backups"
    folder.mkdir()
    folder.chmod(0o770)
    result = run("backup")
    assert result.exit_code == 0, result.output
    assert "chmod 700" in result.stderr
    assert Path(result.stdout.strip()).parent == folder


def test_rotation_deletes_only_regular_files_jtdj_named(run, imported, db_path, tmp_path):
    folder = db_path.parent / "backups"
    olds = foreign_autos(folder, 5)  # named as jtdj names them: these rotate
    keep = folder / "auto-keep.db"
    keep.write_bytes(b"mine, named by hand")
    outside = tmp_path / "precious.db"
    outside.write_bytes(b"precious")
    link = folder / "auto-19990101-000000-000000.db"
    link.symlink_to(outside)
    assert run(*AS_OF, "import", PLAN_2022).exit_code == 0
    assert link.is_symlink() and outside.read_bytes() == b"precious" and keep.exists()
    assert not olds[0].exists() and all(p.exists() for p in olds[1:])
    assert len([p for p in folder.glob("auto-2*.db") if not p.is_symlink()]) == 5


# --- the outbox folder (the mail code takes it from Session.outbox) ----------------------------

def session():
    from jtdj.cli.session import Session

    return Session.from_options()


def test_the_outbox_is_made_private_when_missing(db_path, open_umask):
    outbox = session().outbox()
    assert outbox == db_path.parent / "outbox"
    assert stat.S_IMODE(os.lstat(outbox).st_mode) == 0o700


@pytest.mark.parametrize("how", ["symlink", "world-writable", "foreign"])
def test_an_outbox_someone_else_can_change_is_refused(db_path, tmp_path, how):
    from jtdj.errors import StorageError

    outbox = db_path.parent / "outbox"
    db_path.parent.mkdir(parents=True, mode=0o700)
    if how == "symlink":
        (tmp_path / "planted").mkdir(mode=0o700)
        outbox.symlink_to(tmp_path / "planted")
    elif how == "world-writable":
        outbox.mkdir()
        outbox.chmod(0o777)
    else:
        if os.getuid() != 0:
            pytest.skip("giving a folder to another user needs root")
        outbox.mkdir(mode=0o700)
        os.chown(outbox, FOREIGN_UID, FOREIGN_UID)
    with pytest.raises(StorageError) as refused:
        session().outbox()
    assert str(outbox) in str(refused.value) and "\n" not in str(refused.value)


def test_email_will_not_queue_into_a_symlinked_outbox(run, imported, db_path, tmp_path):
    """A send that fails would queue the message: into a planted symlink it is refused."""
    planted = tmp_path / "planted"
    planted.mkdir()
    (db_path.parent / "outbox").symlink_to(planted)
    result = run("--as-of", "2022-07-04", "email", "--week", "--to", "leader@example.org",
                 "--from", "jtdj@example.org", "--smtp-host", "127.0.0.1", "--smtp-port", "9")
    assert result.exit_code == 1 and "outbox" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and list(planted.iterdir()) == []
