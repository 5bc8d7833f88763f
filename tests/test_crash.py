"""Promise 2: crash safety. A jtdj process killed with SIGKILL in the middle of a large write
leaves the database exactly as it was before the command: whole commands or nothing."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ITEMS, PER_ITEM = 100, 300  # 30,000 tasks: about a second of writing


def write_big_plan(path: Path, key: str = "big", items: int = ITEMS, per_item: int = PER_ITEM) -> Path:
    lines = ["format = 1", "[plan]", f'key = "{key}"', 'title = "大计划"', "due = 2022-12-31", "",
             "[[sections]]", "no = 1", 'title = "一"', ""]
    for i in range(1, items + 1):
        lines += ["[[sections.items]]", f"no = {i}", f'title = "事项 {i}"', f'text = "事项 {i} 的要求"', ""]
        for j in range(1, per_item + 1):
            lines += ["[[sections.items.tasks]]", f"no = {j}",
                      f'title = "第 {i} 项的第 {j} 个任务，标题写得长一些，让每行多占一点地方"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def env_for(db: Path, **extra) -> dict:
    return {**os.environ, "JTDJ_DB": str(db), "JTDJ_TODAY": "2022-07-01", **extra}


def jtdj(db: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jtdj", *argv], env=env_for(db),
                          capture_output=True, text=True, timeout=120)


def fingerprint(db: Path) -> tuple[dict, str]:
    """Row counts and a digest of a full SQL dump (what a user could ever read back)."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("plans", "items", "tasks", "events", "notes")}
        digest = hashlib.sha256()
        for line in conn.iterdump():
            digest.update(line.encode())
        return counts, digest.hexdigest()
    finally:
        conn.close()


def writing(db: Path) -> bool:
    """True while another connection holds the write lock (a jtdj command inside its transaction)."""
    if not db.exists():
        return False
    conn = sqlite3.connect(f"file:{db}?mode=rw", uri=True, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()  # closing ends our own BEGIN at once
    return False


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_and_kill_while_writing(db: Path, argv: list[str], sig=signal.SIGKILL,
                                 into: float = 0.15) -> subprocess.Popen:
    """Start jtdj, wait until it has been inside its write transaction for ``into`` seconds
    (it holds the write lock all that time), and signal it while it still does."""
    # Ctrl-C in a terminal reaches a process whose SIGINT is the default; a test worker may
    # ignore SIGINT, and a child inherits an ignored signal (Python then installs no handler)
    proc = subprocess.Popen([sys.executable, "-m", "jtdj", *argv], env=env_for(db),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_sigint if sig == signal.SIGINT else None)
    deadline = time.monotonic() + 60
    since = None
    while time.monotonic() < deadline and proc.poll() is None:
        if writing(db):
            since = since or time.monotonic()
            if time.monotonic() - since >= into:
                proc.send_signal(sig)
                break
        else:
            since = None
        time.sleep(0.003)
    proc.out, proc.err = proc.communicate(timeout=60)
    return proc


@pytest.mark.slow
def test_import_killed_part_way_changes_nothing(tmp_path):
    db = tmp_path / "data" / "jtdj.db"
    assert jtdj(db, "import").returncode == 0
    assert jtdj(db, "done", "1.1", "8.5").returncode == 0
    before = fingerprint(db)
    big = write_big_plan(tmp_path / "big.toml")

    proc = start_and_kill_while_writing(db, ["import", str(big)])
    assert proc.returncode == -signal.SIGKILL, "the import finished before it could be killed"

    assert fingerprint(db) == before
    # and the database still works: the same import now goes through whole
    again = jtdj(db, "import", str(big))
    assert again.returncode == 0, again.stderr
    assert fingerprint(db)[0]["tasks"] == before[0]["tasks"] + ITEMS * PER_ITEM


@pytest.mark.slow
def test_multi_id_done_killed_part_way_changes_nothing(tmp_path):
    db = tmp_path / "data" / "jtdj.db"
    big = write_big_plan(tmp_path / "big.toml")
    assert jtdj(db, "import", str(big)).returncode == 0
    assert jtdj(db, "--plan", "big", "done", "7.7").returncode == 0
    before = fingerprint(db)

    ids = [str(i) for i in range(1, ITEMS + 1)]  # every item: all 30,000 tasks in one command
    proc = start_and_kill_while_writing(db, ["--plan", "big", "done", *ids])
    assert proc.returncode == -signal.SIGKILL, "done finished before it could be killed"

    after = fingerprint(db)
    assert after == before
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM tasks WHERE status = 'done'").fetchone()[0] == 1
    conn.close()
