"""Promise 1: concurrent writers. Eight processes write to one database at once while a reader
keeps reading; nobody sees "database is locked", every change is kept and in the history."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import rows

WORKERS = 8
COMMANDS = 25

# One worker = one Python process running 25 jtdj commands in-process (starting 200 interpreters
# would test the interpreter, not the database). Each command opens its own connection.
DRIVER = textwrap.dedent("""
    import json, sys
    from jtdj.cli import main

    failures = []
    for argv in json.loads(sys.argv[1]):
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        if code != 0:
            failures.append([argv, code])
    print(json.dumps(failures))
""")

READER = textwrap.dedent("""
    import json, os, sys
    from jtdj.cli import main

    stop, argv = sys.argv[1], json.loads(sys.argv[2])
    runs, failures = 0, []
    while True:
        last = os.path.exists(stop)  # one more read after the writers finished
        try:
            main(list(argv))
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        runs += 1
        if code != 0:
            failures.append(code)
        if last:
            break
    print(json.dumps({"runs": runs, "failures": failures}), file=sys.stderr)
""")


def _env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()}
    env.update({"JTDJ_DB": str(tmp_path / "data" / "jtdj.db"), "JTDJ_TODAY": "2022-07-01",
                "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra)
    return env


def _has_summary(env: dict) -> bool:
    probe = subprocess.run([sys.executable, "-m", "jtdj", "summary", "--help"], env=env,
                           capture_output=True, text=True)
    return probe.returncode == 0


def _plan(task_ids: list[str]) -> list[list[list[str]]]:
    """Per worker, 25 commands: done / assign / note in turn, on distinct tasks."""
    work, done_next, assign_next = [], 0, 0
    for w in range(WORKERS):
        commands = []
        for k in range(COMMANDS):
            if k % 3 == 0:
                commands.append(["done", task_ids[done_next]])
                done_next += 1
            elif k % 3 == 1:
                commands.append(["assign", task_ids[-1 - assign_next], "--to", f"owner-{w}-{k}",
                                 "--new-unit"])
                assign_next += 1
            else:
                commands.append(["note", task_ids[(w * COMMANDS + k) % len(task_ids)],
                                 f"note-{w}-{k}"])
        work.append(commands)
    return work


@pytest.mark.slow
def test_eight_writers_and_a_reader_lose_nothing(tmp_path, run, db_path):
    assert run("import").exit_code == 0
    # the plan's ordinary tasks (106 of 112): a recurring one (4.5 and its family) is done
    # occurrence by occurrence, and its bare id names its earliest open one, none once all are
    task_ids = [r["id"] for r in rows(db_path, "SELECT id FROM tasks WHERE every IS NULL"
                                               " AND period IS NULL ORDER BY item, no")]
    work = _plan(task_ids)
    assert len({c[1] for ws in work for c in ws if c[0] == "done"}) == 72  # distinct tasks
    driver, reader = tmp_path / "driver.py", tmp_path / "reader.py"
    driver.write_text(DRIVER)
    reader.write_text(READER)
    base = _env(tmp_path)
    read_argv = ["summary", "--format", "json"] if _has_summary(base) else \
        ["list", "--status", "all", "--format", "json"]
    stop = tmp_path / "stop"
    reading = subprocess.Popen([sys.executable, str(reader), str(stop), json.dumps(read_argv)],
                               env=base, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    writers = [subprocess.Popen([sys.executable, str(driver), json.dumps(cmds)],
                                env=_env(tmp_path, JTDJ_USER=f"worker{w}"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for w, cmds in enumerate(work)]
    outputs = [p.communicate(timeout=120) for p in writers]
    stop.touch()
    _, read_err = reading.communicate(timeout=120)

    for p, (out, err) in zip(writers, outputs):
        assert p.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1]) == [], err
        assert "locked" not in err and "Traceback" not in err, err
    report = json.loads(read_err.strip().splitlines()[-1])
    assert reading.returncode == 0 and report["failures"] == [], read_err
    assert report["runs"] >= 2

    # every one of the 200 commands is in the history, as its own batch by its own worker
    history = run("history", "--format", "json")
    assert history.exit_code == 0, history.stderr
    events = [e for e in json.loads(history.stdout) if e["actor"].startswith("worker")]
    assert len({e["batch"] for e in events}) == WORKERS * COMMANDS
    for w in range(WORKERS):
        assert len({e["batch"] for e in events if e["actor"] == f"worker{w}"}) == COMMANDS

    # the final state is what the commands asked for
    tasks = {r["id"]: r for r in rows(db_path, "SELECT * FROM tasks")}
    notes = rows(db_path, "SELECT target, actor, text FROM notes")
    for w, cmds in enumerate(work):
        for cmd in cmds:
            if cmd[0] == "done":
                assert tasks[cmd[1]]["status"] == "done" and tasks[cmd[1]]["done_on"] == "2022-07-01"
            elif cmd[0] == "assign":
                assert tasks[cmd[1]]["owner"] == cmd[3]
            else:
                assert {"target": cmd[1], "actor": f"worker{w}", "text": cmd[2]} in notes
    assert sum(t["status"] == "done" for t in tasks.values()) == 72
    assert len(notes) == WORKERS * (COMMANDS // 3)
    assert rows(db_path, "PRAGMA integrity_check")[0]["integrity_check"] == "ok"


@pytest.mark.slow
def test_first_runs_at_the_same_moment_import_the_plan_once(tmp_path):
    """A clerk and a cron job both starting jtdj on a new machine: the bundled plan is
    imported once, and neither of them fails."""
    env = _env(tmp_path)
    procs = [subprocess.Popen([sys.executable, "-m", "jtdj", "list", "--format", "json"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(WORKERS)]
    results = [(p, *p.communicate(timeout=120)) for p in procs]
    for p, out, err in results:
        assert p.returncode == 0, err
        # 112 tasks; the six recurring ones of item 4 as their 13 occurrences begun by 07-01
        assert len(json.loads(out)) == 112 - 6 + 13
    db = tmp_path / "data" / "jtdj.db"
    # 112 tasks and the 29 occurrence rows of the six recurring ones (3 + 8 + 8 + 1 + 8 + 1)
    assert rows(db, "SELECT count(*) AS n FROM tasks")[0]["n"] == 112 + 29
    assert rows(db, "SELECT count(DISTINCT batch) AS n FROM events")[0]["n"] == 1
