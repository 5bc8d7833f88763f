"""How the `jtdj` script ends its process (``cli.entry``): at once, without Python's teardown,
yet with everything a command wrote out, its database closed, its exit status, the functions
registered to run at exit run, and a thread still at work waited for."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import PLAN_2022


@pytest.fixture
def env(db_path):
    db_path.parent.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JTDJ_")}
    env.update(JTDJ_DB=str(db_path), JTDJ_USER="tester", JTDJ_TODAY="2022-07-01",
               JTDJ_CONFIG=str(db_path.parent / "config.toml"), NO_COLOR="1", COLUMNS="80")
    done = subprocess.run([sys.executable, "-m", "jtdj", "import", str(PLAN_2022)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return env


def jtdj(env, *argv, code: str | None = None) -> subprocess.CompletedProcess:
    """The script (``python -m jtdj``), or ``code`` run first in its process and then it."""
    command = ([sys.executable, "-m", "jtdj", *argv] if code is None else
               [sys.executable, "-c", code + "\nimport sys\nsys.argv = ['jtdj', *"
                + repr(list(argv)) + "]\nfrom jtdj.cli import entry\nentry()"])
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_a_full_listing_arrives_whole_and_the_database_is_closed(env, db_path, run):
    piped = jtdj(env, "list", "--status", "all", "--format", "json")
    assert piped.returncode == 0 and piped.stderr == ""
    assert len(json.loads(piped.stdout)) == len(json.loads(run(
        "--as-of", "2022-07-01", "list", "--status", "all", "--format", "json").stdout))
    changed = jtdj(env, "done", "1.2", "--note", "交了")
    assert changed.returncode == 0, changed.stderr
    # closed: SQLite folds the WAL into the database and removes it when the last one closes
    assert not os.path.exists(f"{db_path}-wal")
    again = jtdj(env, "show", "1.2", "--format", "json")
    assert json.loads(again.stdout)["status"] == "done"


def test_the_exit_status_and_message_of_a_failure_are_kept(env, db_path):
    failed = jtdj(env, "done", "99.9")
    assert failed.returncode == 1
    assert failed.stderr.count("\n") == 1 and "99.9" in failed.stderr
    # the error held on to the database (its traceback): closed all the same
    assert not os.path.exists(f"{db_path}-wal")
    assert jtdj(env, "list", "--as-of", "2022-13-01").returncode == 2


def test_what_was_registered_to_run_at_exit_runs(env):
    ended = jtdj(env, "summary", code="import atexit\natexit.register(print, 'at exit ran')")
    assert ended.returncode == 0
    assert ended.stdout.rstrip().endswith("at exit ran")


def test_a_thread_still_working_is_waited_for(env):
    worker = ("import threading, time\n"
              "def later():\n    time.sleep(0.3)\n    print('the thread finished', flush=True)\n"
              "threading.Thread(target=later).start()")
    ended = jtdj(env, "list", code=worker)
    assert ended.returncode == 0
    assert "the thread finished" in ended.stdout


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("argv", [["--help"], [], ["list", "--status", "all"]])
def test_output_to_a_full_disk_is_one_line_and_a_failure(env, argv):
    with open("/dev/full", "w") as full:
        ended = subprocess.run([sys.executable, "-m", "jtdj", *argv], env=env, stdout=full,
                               stderr=subprocess.PIPE, text=True, timeout=60)
    assert ended.returncode == 1
    assert ended.stderr.count("\n") == 1 and "Traceback" not in ended.stderr
