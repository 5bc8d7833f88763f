"""A full disk: reading commands still work, a change fails in one line and keeps the data.

The disk is made full for one process by a file-size limit (``RLIMIT_FSIZE``, with SIGXFSZ
ignored so a write past it fails with EFBIG as on a full disk, instead of killing the process):
with the limit at the size of the database no file it keeps may grow past it, and with a limit
of one byte nothing can be written at all, not even the 32 KiB WAL index (-shm) that a read of a
WAL database makes first: the disk that is really full. A tmpfs would do the same but CI cannot
mount one.
"""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import sqlite3
import subprocess
import sys

import pytest

from conftest import PLAN_2022

pytestmark = pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="no RLIMIT_FSIZE")

READS = [
    ("list",),
    ("summary",),
    ("show", "1.1"),
    ("report",),
    ("export", "--format", "json"),
    ("list", "--as-of", "2022-03-01", "--status", "all"),  # a past day: a temporary table
]
NOTHING_FITS = 1


def _jtdj(db, *argv, limit: int | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JTDJ_")}
    env.update(JTDJ_DB=str(db), JTDJ_USER="tester", JTDJ_TODAY="2022-07-01",
               JTDJ_CONFIG=str(db.parent / "config.toml"), NO_COLOR="1", COLUMNS="80",
               TMPDIR=str(db.parent))

    def full_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "jtdj", *argv], env=env, capture_output=True,
                          text=True, timeout=60, preexec_fn=full_disk if limit else None)


@pytest.fixture
def full(db_path):
    """A database with the 2022 plan and a few changes, closed as after any command, and the
    size of the database (or of its WAL, if larger)."""
    assert _jtdj(db_path, "import", str(PLAN_2022)).returncode == 0
    assert _jtdj(db_path, "done", "1.2", "--note", "交了").returncode == 0
    assert _jtdj(db_path, "start", "2.1").returncode == 0
    sizes = [os.path.getsize(p) for p in (db_path, f"{db_path}-wal") if os.path.exists(p)]
    return db_path, max(sizes)


def _content(db) -> str:
    """What the database holds, whatever its pages: every row of every table, hashed."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    digest = hashlib.sha256()
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                " AND name NOT LIKE 'sqlite_%' ORDER BY name"):
        for row in conn.execute(f'SELECT * FROM "{name}" ORDER BY 1'):
            digest.update(repr(row).encode())
    conn.close()
    return digest.hexdigest()


@pytest.mark.parametrize("room", ["nothing fits", "no file grows"])
@pytest.mark.parametrize("argv", READS, ids=lambda a: " ".join(a))
def test_reading_commands_work_on_a_full_disk(full, argv, room):
    db, size = full
    limit = NOTHING_FITS if room == "nothing fits" else size
    expected = _jtdj(db, *argv)
    assert expected.returncode == 0, expected.stderr
    result = _jtdj(db, *argv, limit=limit)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected.stdout
    assert "Traceback" not in result.stderr


def test_reading_commands_work_on_a_full_disk_with_a_wal_left_behind(full):
    """A WAL left by a killed writer (not yet checkpointed into the database) is read, not
    checkpointed, when there is no room."""
    db, _ = full
    # another program holds the database open, then is killed: the WAL stays, not folded in
    holder = subprocess.Popen([sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect("
                               "sys.argv[1]); c.execute('SELECT count(*) FROM tasks').fetchone();"
                               " print('open', flush=True); sys.stdin.read()", str(db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "open\n"
    assert _jtdj(db, "done", "3.1").returncode == 0
    expected = _jtdj(db, "list", "--status", "all", "--format", "json")
    holder.kill()
    holder.wait()
    assert os.path.getsize(f"{db}-wal") > 0
    result = _jtdj(db, "list", "--status", "all", "--format", "json", limit=NOTHING_FITS)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected.stdout


def test_a_change_on_a_full_disk_fails_in_one_line_and_keeps_the_data(full):
    db, _ = full
    before = _content(db)
    result = _jtdj(db, "done", "1.1", limit=NOTHING_FITS)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "磁盘可能已满" in result.stderr
    assert _content(db) == before
    shown = _jtdj(db, "list", "--status", "all", "--format", "json")
    assert '"id": "1.1"' in shown.stdout and '"id": "1.1", "item": 1, "section": 1' in shown.stdout
    assert _jtdj(db, "done", "1.1").returncode == 0  # with room again, the change goes through
