"""Promise 4: backups. `backup` makes a consistent copy while others write; `import` keeps the
previous state (the last five); `restore` only puts back a checked jtdj database, and asks first."""

from __future__ import annotations

import os
import pty
import select
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import PLAN_2022, dump, rows

AS_OF = ("--as-of", "2022-07-01")




def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_backup_defaults_to_the_backups_folder(run, imported, db_path):
    result = run("backup")
    assert result.exit_code == 0, result.stderr
    made = Path(result.stdout.strip())
    assert made.parent == db_path.parent / "backups" and made.is_file()
    assert dump(made) == dump(db_path)


def test_backup_to_a_path(run, imported, db_path, tmp_path):
    target = tmp_path / "copies" / "one.db"
    result = run("backup", target)
    assert result.exit_code == 0, result.stderr
    assert Path(result.stdout.strip()) == target
    assert integrity(target) == "ok" and dump(target) == dump(db_path)


WRITER = textwrap.dedent("""
    import sys
    from jtdj.cli import main
    ids = sys.argv[1:]
    for i in ids:
        for argv in (["done", i], ["note", i, "进展" * 200], ["reopen", i]):
            try:
                main(argv)
            except SystemExit as exc:
                if exc.code:
                    sys.exit(exc.code)
""")


@pytest.mark.slow
def test_backup_while_another_process_writes_is_consistent(run, imported, db_path, tmp_path):
    # every task and every occurrence of the recurring ones (4.5 and its family) by its own id:
    # a bare 4.13 means its earliest open begun occurrence, none once that one is done
    ids = [r["id"] for r in rows(db_path, "SELECT id FROM tasks WHERE every IS NULL"
                                          " ORDER BY item, no, period")]
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {**os.environ, "JTDJ_DB": str(db_path), "JTDJ_TODAY": "2022-07-01"}
    writer = subprocess.Popen([sys.executable, str(script), *ids], env=env,
                              stderr=subprocess.PIPE, text=True)
    copies = []
    try:
        while writer.poll() is None and len(copies) < 30:
            result = run("backup", tmp_path / f"copy-{len(copies)}.db")
            assert result.exit_code == 0, result.stderr
            copies.append(Path(result.stdout.strip()))
    finally:
        _, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert len(copies) >= 2, "the writer finished before a backup could be taken"
    for copy in copies:
        assert integrity(copy) == "ok"
        # whole commands only: every note a backup holds has its event, and no done is half-made
        notes = rows(copy, "SELECT count(*) AS n FROM notes")[0]["n"]
        note_events = rows(copy, "SELECT count(*) AS n FROM events WHERE action = 'note'")[0]["n"]
        assert notes == note_events
        half = rows(copy, "SELECT count(*) AS n FROM tasks WHERE (status = 'done') != (done_on IS NOT NULL)")
        assert half[0]["n"] == 0


def test_import_keeps_the_last_five_automatic_backups(run, imported, db_path, tmp_path):
    text = PLAN_2022.read_text(encoding="utf-8")
    title = rows(db_path, "SELECT title FROM tasks WHERE id = '1.1'")[0]["title"]
    for n in range(1, 8):
        edited = tmp_path / f"plan-{n}.toml"
        edited.write_text(text.replace(title, f"第 {n} 版标题", 1), encoding="utf-8")
        assert run("--as-of", "2022-07-01", "import", edited).exit_code == 0
    autos = sorted((db_path.parent / "backups").glob("auto-*.db"))
    assert len(autos) == 5
    # the newest holds the state just before the last import; the oldest kept, before the 3rd
    titles = [rows(a, "SELECT title FROM tasks WHERE id = '1.1'")[0]["title"] for a in autos]
    assert titles == [f"第 {n} 版标题" for n in range(2, 7)]


def test_a_dry_run_import_makes_no_backup(run, imported, db_path):
    assert run("import", "--dry-run").exit_code == 0
    assert not list((db_path.parent / "backups").glob("auto-*.db"))


def test_restore_puts_a_backup_back_and_keeps_the_current_state(run, imported, db_path, tmp_path):
    saved = tmp_path / "saved.db"
    assert run("backup", saved).exit_code == 0
    assert run("done", "1.1", "2.1", *AS_OF).exit_code == 0

    result = run("restore", saved, "--yes")
    assert result.exit_code == 0, result.stderr
    assert rows(db_path, "SELECT count(*) AS n FROM tasks WHERE status = 'done'")[0]["n"] == 0
    before_restore = list((db_path.parent / "backups").glob("before-restore-*.db"))
    assert len(before_restore) == 1
    assert rows(before_restore[0], "SELECT count(*) AS n FROM tasks WHERE status = 'done'")[0]["n"] == 2
    assert integrity(db_path) == "ok"


def _not_restored(run, db_path, path, *extra):
    before = dump(db_path)
    result = run("restore", path, *extra)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert dump(db_path) == before
    return result


def test_restore_refuses_a_file_that_is_not_a_database(run, imported, db_path, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(8192))
    _not_restored(run, db_path, junk, "--yes")


def test_restore_refuses_a_sqlite_database_that_is_not_jtdj(run, imported, db_path, tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE tasks (id TEXT)")
    conn.execute("INSERT INTO tasks VALUES ('1.1')")
    conn.commit()
    conn.close()
    _not_restored(run, db_path, other, "--yes")


def test_restore_refuses_a_missing_file(run, imported, db_path, tmp_path):
    _not_restored(run, db_path, tmp_path / "nowhere.db", "--yes")


def test_restore_without_a_terminal_needs_yes(run, imported, db_path, tmp_path):
    saved = tmp_path / "saved.db"
    assert run("backup", saved).exit_code == 0
    assert run("done", "1.1", *AS_OF).exit_code == 0
    result = _not_restored(run, db_path, saved)
    assert "--yes" in result.stderr


def _restore_on_a_terminal(db_path: Path, backup: Path, answer: str) -> tuple[int, str]:
    """Run `jtdj restore` with a pseudo-terminal as stdin/stdout/stderr and type ``answer``."""
    master, slave = pty.openpty()
    env = {**os.environ, "JTDJ_DB": str(db_path), "JTDJ_TODAY": "2022-07-01"}
    proc = subprocess.Popen([sys.executable, "-m", "jtdj", "restore", str(backup)], env=env,
                            stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    seen = b""
    answered = False
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"[y/N]" in seen:
            os.write(master, answer.encode() + b"\n")
            answered = True
        if proc.poll() is not None and not ready:
            break
    proc.wait(timeout=30)
    os.close(master)
    assert answered, seen.decode(errors="replace")
    return proc.returncode, seen.decode(errors="replace")


@pytest.mark.slow
def test_restore_on_a_terminal_asks_first(run, imported, db_path, tmp_path):
    saved = tmp_path / "saved.db"
    assert run("backup", saved).exit_code == 0
    assert run("done", "1.1", *AS_OF).exit_code == 0
    before = dump(db_path)

    code, text = _restore_on_a_terminal(db_path, saved, "n")
    assert code == 0 and "已取消" in text
    assert dump(db_path) == before

    code, text = _restore_on_a_terminal(db_path, saved, "y")
    assert code == 0, text
    assert rows(db_path, "SELECT count(*) AS n FROM tasks WHERE status = 'done'")[0]["n"] == 0


def _preview(stdout: str) -> dict[str, list[str]]:
    """restore's lines per plan: {plan: [counts line, lost line]}."""
    plans, current = {}, None
    for line in stdout.splitlines()[1:]:
        if line.startswith("  计划 "):
            current = line.split("：")[0].removeprefix("  计划 ")
            plans[current] = [line]
        elif current:
            plans[current].append(line)
    return plans


def test_restore_says_per_plan_what_it_replaces_and_what_is_lost(run, imported, db_path, tmp_path):
    from conftest import SAMPLE_2023

    saved = tmp_path / "only-2022.db"
    assert run("backup", saved).exit_code == 0
    assert run(*AS_OF, "import", SAMPLE_2023).exit_code == 0
    assert run("done", "1.1", "--plan", "2022", *AS_OF).exit_code == 0
    tasks = {r["plan"]: r["n"] for r in rows(db_path, "SELECT plan, count(*) AS n FROM tasks GROUP BY plan")}
    events = {r["plan"]: r["n"] for r in rows(db_path, "SELECT plan, count(*) AS n FROM events GROUP BY plan")}
    kept = rows(saved, "SELECT count(*) AS n FROM events WHERE plan = '2022'")[0]["n"]
    before = dump(db_path)

    refused = run("restore", saved)  # not at a terminal: it shows what it would do, then stops
    assert refused.exit_code == 2 and dump(db_path) == before
    plans = _preview(refused.stdout)
    assert set(plans) == {"2022", "2023-demo"}
    assert f"任务 {tasks['2022']} → {tasks['2022']} 项，记录 {events['2022']} → {kept} 条" in plans["2022"][0]
    assert f"将丢失 {events['2022'] - kept} 条" in plans["2022"][1]
    assert "tester 完成 1.1" in plans["2022"][1]  # the newest of them
    assert f"任务 {tasks['2023-demo']} → 0 项，记录 {events['2023-demo']} → 0 条" in plans["2023-demo"][0]
    assert f"将丢失 {events['2023-demo']} 条" in plans["2023-demo"][1]

    done = run("restore", saved, "--yes")
    assert done.exit_code == 0, done.output
    assert _preview(done.stdout) == plans


def test_restore_matches_events_by_batch_and_time_not_by_row_id(run, imported, db_path, tmp_path):
    base, branch = tmp_path / "base.db", tmp_path / "branch.db"
    assert run("backup", base).exit_code == 0
    assert run("done", "2.1", *AS_OF).exit_code == 0
    assert run("backup", branch).exit_code == 0
    assert run("restore", base, "--yes").exit_code == 0
    assert run("done", "1.1", *AS_OF).exit_code == 0  # the same row ids as 2.1's in the branch
    assert ({r["id"] for r in rows(db_path, "SELECT id FROM events")}
            == {r["id"] for r in rows(branch, "SELECT id FROM events")})
    lost = _preview(run("restore", branch).stdout)["2022"][1]
    assert "将丢失 2 条" in lost and "完成 1.1" in lost


def test_a_backup_with_another_page_size_restores(run, imported, db_path, tmp_path):
    saved = tmp_path / "big-pages.db"
    assert run("backup", saved).exit_code == 0
    conn = sqlite3.connect(saved, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA page_size = 8192")
    conn.execute("VACUUM")
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 8192
    conn.close()
    expected = dump(saved)
    assert run("done", "1.1", "2.1", *AS_OF).exit_code == 0

    result = run("restore", saved, "--yes")
    assert result.exit_code == 0, result.stderr
    assert integrity(db_path) == "ok" and dump(db_path) == expected
    assert rows(db_path, "SELECT count(*) AS n FROM tasks WHERE status = 'done'")[0]["n"] == 0
    assert run("done", "3.1", *AS_OF).exit_code == 0  # and the database still takes writes
    leftovers = [p.name for p in (db_path.parent / "backups").iterdir()
                 if not p.name.startswith("before-restore-")]
    assert leftovers == []
