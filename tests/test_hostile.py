"""Promise 6: hostile and broken input gets one line on stderr, the documented exit code, no
traceback and no change. (Plan-file problems are in test_plan_errors.py.)"""

from __future__ import annotations

import atexit
import hashlib
import json
import shutil
import signal
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import as_json, dump, rows
from test_crash import env_for, fingerprint, start_and_kill_while_writing, write_big_plan

AS_OF = ("--as-of", "2022-07-01")


def _permissions_bite() -> bool:
    """False for root (or anyone with CAP_DAC_OVERRIDE): a read-only file is writable to them."""
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe"
        probe.write_text("")
        probe.chmod(0o444)
        try:
            with open(probe, "w"):
                return False
        except PermissionError:
            return True


needs_non_root = pytest.mark.skipif(not _permissions_bite(), reason="running as root: file "
                                    "permissions do not apply, so nothing can be read-only here")


def one_line_error(result, code: int) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- where the database lives --------------------------------------------------------------------

def test_database_folder_that_cannot_be_created(run, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for argv in (["list"], ["import"], ["done", "1.1"]):
        line = one_line_error(run("--db", blocker / "sub" / "jtdj.db", *argv), 1)
        assert str(blocker / "sub") in line
    assert blocker.read_text() == "not a folder"


@needs_non_root
def test_database_in_a_read_only_folder(run, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        line = one_line_error(run("--db", folder / "jtdj.db", "list"), 1)
        assert str(folder) in line
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


@needs_non_root
def test_existing_database_in_a_read_only_folder(run, tmp_path):
    """SQLite needs to create its -wal/-shm files beside a WAL database, even to read it."""
    folder = tmp_path / "locked"
    db = folder / "jtdj.db"
    import subprocess
    import sys

    # in a process of its own, so that closing it removes the -wal and -shm files
    assert subprocess.run([sys.executable, "-m", "jtdj", "import"], env=env_for(db)).returncode == 0
    assert sorted(p.name for p in folder.iterdir()) == ["jtdj.db"]
    folder.chmod(0o500)
    try:
        before = sha(db)
        for argv in (["list"], ["done", "1.1"]):
            line = one_line_error(run("--db", db, *argv, *AS_OF), 1)
            assert str(db) in line
        assert sha(db) == before
    finally:
        folder.chmod(0o700)


@needs_non_root
def test_read_only_database_file(run, imported, db_path):
    db_path.chmod(0o444)
    try:
        before = sha(db_path)
        line = one_line_error(run("done", "1.1", *AS_OF), 1)
        assert str(db_path) in line
        assert sha(db_path) == before
        listed = run("list", "--format", "json", *AS_OF)  # reading still works
        assert listed.exit_code == 0, listed.stderr
        assert len(as_json(listed)) == 119  # 112, 6 recurring as 13 occurrences
    finally:
        db_path.chmod(0o600)


def test_a_file_that_is_not_a_database(run, db_path):
    db_path.parent.mkdir(parents=True)
    db_path.write_text("名单\n张三,李四\n" * 200, encoding="utf-8")
    before = sha(db_path)
    for argv in (["list"], ["done", "1.1"], ["import"], ["undo"]):
        line = one_line_error(run(*argv), 1)
        assert "jtdj restore" in line
    assert sha(db_path) == before


def _task_pages(db_path: Path) -> list[int]:
    try:
        return [r["pageno"] for r in rows(db_path, "SELECT pageno FROM dbstat WHERE name = 'tasks'")]
    except sqlite3.OperationalError:  # SQLite built without dbstat: damage every page but the first
        return list(range(2, db_path.stat().st_size // rows(db_path, "PRAGMA page_size")[0]["page_size"]))


@pytest.mark.parametrize("where", ["schema page", "task pages"])
def test_a_corrupted_database_suggests_restore(run, imported, db_path, where):
    conn = sqlite3.connect(db_path)  # everything into the main file, so the damage hits it
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    page = rows(db_path, "PRAGMA page_size")[0]["page_size"]
    with open(db_path, "r+b") as f:
        if where == "schema page":  # found when the database is opened
            f.seek(100)
            f.write(b"\xff" * (page - 100))
        else:  # found only when the tasks are read
            for n in _task_pages(db_path):
                f.seek((n - 1) * page + 8)
                f.write(b"\xa5" * 64)
    before = sha(db_path)
    for argv in (["list", "--status", "all", "--format", "json"], ["done", "1.1"],
                 ["show", "1.1"], ["summary"]):
        line = one_line_error(run(*argv, *AS_OF), 1)
        assert "jtdj restore" in line, line
    assert sha(db_path) == before


# --- ids and dates on the command line ----------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["done", "1.1", "../5"], ["done", "5.2.1.9"], ["assign", "--new-unit", "../5", "--to", "x"],
    ["done", "1.1", "--on", "2022-02-30"], ["due", "1.1", "2022-02-30"],
    ["--as-of", "2022-02-30", "done", "1.1"],
])
def test_bad_ids_and_dates_change_nothing(run, imported, db_path, argv):
    before = rows(db_path, "SELECT * FROM tasks ORDER BY id")
    events = rows(db_path, "SELECT count(*) AS n FROM events")
    result = run(*argv) if argv[0] == "--as-of" else run(*argv, *AS_OF)
    one_line_error(result, 2)
    assert rows(db_path, "SELECT * FROM tasks ORDER BY id") == before
    assert rows(db_path, "SELECT count(*) AS n FROM events") == events


# --- Ctrl-C --------------------------------------------------------------------------------------

@pytest.mark.slow
def test_ctrl_c_during_an_import_exits_130_and_writes_nothing(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "data" / "jtdj.db"
    assert subprocess.run([sys.executable, "-m", "jtdj", "import"], env=env_for(db)).returncode == 0
    before = fingerprint(db)
    big = write_big_plan(tmp_path / "big.toml")

    # at once when the write lock is seen: a Ctrl-C that lands in the commit keeps the work
    # (and exits 0), and on a loaded machine 0.15 s after the lock can already be there
    proc = start_and_kill_while_writing(db, ["import", str(big)], sig=signal.SIGINT, into=0.0)
    err = proc.err
    assert proc.returncode == 130, (err, signal.getsignal(signal.SIGINT))
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert fingerprint(db) == before


# --- any sequence of commands keeps the counts adding up ----------------------------------------

_TEMPLATE: dict = {}
_TASKS = ["1.1", "1.2", "2.1", "2.2", "5.1", "5.2", "8.5", "13.1"]
_ITEMS = ["5", "7"]
STATUSES = ("todo", "doing", "done", "dropped")


def _template(run) -> Path:
    """One imported database, copied for every example (importing each time would be slow)."""
    if "path" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="jtdj-template-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "jtdj.db"
        assert run("--db", path, "import").exit_code == 0
        _TEMPLATE["path"] = path
    return _TEMPLATE["path"]


command = st.one_of(
    st.tuples(st.just("start"), st.sampled_from(_TASKS + _ITEMS)),
    st.tuples(st.just("done"), st.sampled_from(_TASKS + _ITEMS)),
    st.tuples(st.just("reopen"), st.sampled_from(_TASKS + _ITEMS)),
    st.tuples(st.just("drop"), st.sampled_from(_TASKS + _ITEMS)),
    st.tuples(st.just("assign"), st.sampled_from(_TASKS + _ITEMS)),
    st.tuples(st.just("undo"), st.just("")),
)


def _summary_totals(run, db: Path) -> dict | None:
    probe = run("--db", db, "summary", "--help")
    if probe.exit_code != 0:
        return None
    result = run("--db", db, "summary", "--format", "json", *AS_OF)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(command, max_size=10))
def test_any_command_sequence_keeps_counts_consistent(run, commands):
    work = Path(tempfile.mkdtemp(prefix="jtdj-prop-"))
    try:
        db = work / "jtdj.db"
        source, target = sqlite3.connect(_template(run)), sqlite3.connect(db)
        source.backup(target)  # a copy of the file alone could miss pages still in its -wal
        source.close()
        target.close()
        for name, target in commands:
            argv = {"undo": ["undo"], "drop": ["drop", target, "--reason", "不做了"],
                    "assign": ["assign", "--new-unit", target, "--to", "组织科"]}.get(name, [name, target])
            result = run("--db", db, *argv, "--by", "小王", *AS_OF)
            assert result.exit_code in (0, 1), result.output  # 1: nothing left to undo
            assert "Traceback" not in result.stderr
        counts = {}
        for status in STATUSES:
            result = run("--db", db, "list", "--status", status, "--format", "json", *AS_OF)
            assert result.exit_code == 0, result.stderr
            listed = as_json(result)
            assert {r["status"] for r in listed} <= {status}
            counts[status] = len(listed)
        every = as_json(run("--db", db, "list", "--status", "all", "--format", "json", *AS_OF))
        # 112 tasks; the six recurring ones of item 4 as their 13 occurrences begun by 07-01
        assert sum(counts.values()) == len(every) == 112 - 6 + 13
        opened = as_json(run("--db", db, "list", "--status", "open", "--format", "json", *AS_OF))
        assert len(opened) == counts["todo"] + counts["doing"]
        # the rows `list` shows: the tasks but the recurring ones' own, and the begun occurrences
        stored = rows(db, "SELECT status, count(*) AS n FROM tasks WHERE archived = 0 AND every"
                          " IS NULL OR archived = 2 AND start <= ? GROUP BY status", AS_OF[1])
        assert {r["status"]: r["n"] for r in stored} == {k: v for k, v in counts.items() if v}
        summary = _summary_totals(run, db)
        if summary is not None:  # the summary's totals are the same counts
            totals = summary["totals"]
            # ... but a recurring task counted once: the commands here never reach item 4, so
            # its 13 occurrences are still todo, and 7 of them overdue (May's and June's 4.11,
            # 4.12 and 4.14, and 4.5's second quarter), 4 tasks
            begun = [r for r in every if r["period"]]
            assert len(begun) == 13 and {r["status"] for r in begun} == {"todo"}
            assert totals["tasks"] == len(every) - 13 + 6
            assert {k: totals[k] for k in STATUSES} == {**counts, "todo": counts["todo"] - 7}
            assert totals["open"] == len(opened) - 7
            overdue = as_json(run("--db", db, "list", "--overdue", "--format", "json", *AS_OF))
            assert len([r for r in overdue if r["period"]]) == 7
            assert totals["overdue"] == len(overdue) - 7 + 4
    finally:
        shutil.rmtree(work, ignore_errors=True)



# --- out-of-range values and bytes that are not text (issue 13, point 5) -------------------------

HUGE = str(2**64)  # 18446744073709551616: past SQLite's 64-bit integers


def refused_unchanged(result, db_path, before) -> str:
    line = one_line_error(result, 2)
    assert dump(db_path) == before
    return line


@pytest.mark.parametrize("argv", [
    ["list", "--item", HUGE, *AS_OF], ["due", "5.2", "+999999999d", *AS_OF],
    ["done", "5.2", "--on", "-999999999d", *AS_OF], ["history", "--since", "999999999d", *AS_OF],
    ["--as-of", "9999-12-31", "summary"], ["--as-of", "9999-12-31", "list"],
    ["--as-of", "9999-12-31", "report"], ["--as-of", "0001-01-01", "report"],
    ["--as-of", "0001-01-01", "report", "--week"], ["report", "--week", "9999-W52", *AS_OF],
    ["list", "--due-within", "1000000000000", *AS_OF], ["report", "--limit", HUGE, *AS_OF],
    ["due", "5.2", "9001-01-01", *AS_OF], ["due", "5.2", "1899-12-31", *AS_OF],
])
def test_out_of_range_dates_and_numbers_are_refused_in_one_line(run, imported, db_path, argv):
    before = dump(db_path)
    line = refused_unchanged(run(*argv), db_path, before)
    assert "Traceback" not in line


def test_the_date_range_is_named_when_a_date_falls_outside_it(run, imported, db_path):
    line = one_line_error(run("due", "5.2", "+999999999d", *AS_OF), 2)
    assert "1900-01-01" in line and "9000-12-31" in line, line


@pytest.mark.parametrize("argv", [
    [b"note", b"5.2", b"\xff"], [b"--by", b"\xff", b"done", b"5.2"],
    [b"list", b"--search", b"\xff"],
])
def test_bytes_that_are_not_utf8_are_refused_in_one_line(tmp_path, argv):
    import subprocess
    import sys

    db = tmp_path / "data" / "jtdj.db"
    assert subprocess.run([sys.executable, "-m", "jtdj", "import"], env=env_for(db)).returncode == 0
    before = dump(db)
    proc = subprocess.run([sys.executable.encode(), b"-m", b"jtdj", *argv], env=env_for(db),
                          capture_output=True, timeout=60)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "\\xff" in err, err
    assert dump(db) == before


@pytest.mark.parametrize("text", ["db = 5\n", "lang = [1]\n", "user = 7\n"])
def test_a_config_value_of_the_wrong_kind_is_refused_in_one_line(run, imported, db_path,
                                                                 tmp_path, monkeypatch, text):
    before = dump(db_path)
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    monkeypatch.delenv("JTDJ_DB")  # so that `db` in the file is read
    line = refused_unchanged(run("--db", db_path, "list", *AS_OF) if "db" not in text
                             else run("list", *AS_OF), db_path, before)
    assert "config.toml" in line, line


def test_an_unknown_lang_option_is_refused_naming_the_catalogues(run, imported, db_path):
    before = dump(db_path)
    line = refused_unchanged(run("--lang", "xx", "list", *AS_OF), db_path, before)
    assert "xx" in line and "en|zh" in line, line


@pytest.mark.parametrize("where", ["JTDJ_LANG", "config", "LANG"])
def test_an_unknown_language_from_the_environment_warns_and_speaks_chinese(run, imported,
                                                                          tmp_path, monkeypatch,
                                                                          where):
    if where == "JTDJ_LANG":
        monkeypatch.setenv("JTDJ_LANG", "xx")
    elif where == "LANG":
        monkeypatch.setenv("LANG", "xx_YY.UTF-8")
    else:
        (tmp_path / "config.toml").write_text('lang = "xx"\n', encoding="utf-8")
    result = run("list", *AS_OF)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.stderr
    warning = result.stderr.strip().splitlines()
    assert len(warning) == 1 and "xx" in warning[0] and "en|zh" in warning[0], result.stderr
    assert "未开始" in result.stdout or "推进中" in result.stdout  # Chinese, as before


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo", "sparse file over 32 MB"])
def test_a_plan_that_is_not_a_small_regular_file_is_refused_before_reading(tmp_path, kind):
    import os
    import subprocess
    import sys

    db = tmp_path / "data" / "jtdj.db"
    assert subprocess.run([sys.executable, "-m", "jtdj", "import"], env=env_for(db)).returncode == 0
    before = dump(db)
    if kind == "/dev/zero":
        source = "/dev/zero"
    elif kind == "fifo":
        source = str(tmp_path / "plan.fifo")
        os.mkfifo(source)
    else:
        source = str(tmp_path / "big.toml")
        with open(source, "wb") as fh:
            fh.truncate(33 * 1024 * 1024)  # sparse: takes no room, would take 33 MB to read
    proc = subprocess.run([sys.executable, "-m", "jtdj", "import", source], env=env_for(db),
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert dump(db) == before


def test_a_plan_number_past_64_bits_is_refused_in_one_line(run, imported, db_path, tmp_path):
    from conftest import PLAN_2022

    before = dump(db_path)
    text = PLAN_2022.read_text(encoding="utf-8").replace("no = 1\n", f"no = {2**70}\n", 1)
    plan = tmp_path / "huge.toml"
    plan.write_text(text, encoding="utf-8")
    result = run(*AS_OF, "import", plan)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr and str(2**70) in result.stderr
    assert dump(db_path) == before


_HOSTILE_DAYS = st.integers(min_value=-(10**12), max_value=10**12)
_HOSTILE_VALUE = st.one_of(
    _HOSTILE_DAYS.map(lambda n: f"{n:+d}d"), _HOSTILE_DAYS.map(lambda n: f"{abs(n)}d"),
    _HOSTILE_DAYS.map(lambda n: f"{n:+d}w"),
    st.dates().map(date.isoformat),  # 0001-01-01 .. 9999-12-31
    st.integers(min_value=1, max_value=9999).map(lambda y: f"{y:04d}-W52"),
)
_HOSTILE_ARGV = st.one_of(
    _HOSTILE_VALUE.map(lambda v: ["--as-of", v, "report"]),
    _HOSTILE_VALUE.map(lambda v: ["--as-of", v, "list"]),
    _HOSTILE_VALUE.map(lambda v: ["due", "5.2", v, *AS_OF]),
    _HOSTILE_VALUE.map(lambda v: ["done", "5.2", "--on", v, *AS_OF]),
    _HOSTILE_VALUE.map(lambda v: ["history", "--since", v, *AS_OF]),
    _HOSTILE_VALUE.map(lambda v: ["report", "--week", v, *AS_OF]),
    st.integers(min_value=-(2**70), max_value=2**70).map(
        lambda n: ["list", "--item", str(n), *AS_OF]),
    st.integers(min_value=0, max_value=2**70).map(lambda n: ["list", "--due-within", str(n), *AS_OF]),
    st.integers(min_value=0, max_value=2**70).map(lambda n: ["report", "--limit", str(n), *AS_OF]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_HOSTILE_ARGV)
def test_drawn_hostile_values_exit_0_or_2_never_a_traceback(run, argv):
    work = Path(tempfile.mkdtemp(prefix="jtdj-hostile-"))
    try:
        db = work / "jtdj.db"
        source, target = sqlite3.connect(_template(run)), sqlite3.connect(db)
        source.backup(target)
        source.close()
        target.close()
        result = run("--db", db, *argv)
        assert "Traceback" not in result.stderr, result.stderr
        # 0, or 2 for a value out of range; 1 only for an item the plan lacks (NotFound)
        assert result.exit_code in ((0, 1, 2) if "--item" in argv else (0, 2)), (argv, result.stderr)
        if result.exit_code:  # one error line (a notice about the plan year may precede it)
            errors = [ln for ln in result.stderr.splitlines() if ln.startswith("错误：")]
            assert len(errors) == 1, result.stderr
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.mark.parametrize("locale", ["C.UTF-8", "POSIX", "en_US.UTF-8", "zh_CN.UTF-8"])
def test_a_usual_locale_gives_no_language_warning(run, imported, monkeypatch, locale):
    monkeypatch.setenv("LANG", locale)
    result = run("list", *AS_OF)
    assert result.exit_code == 0 and result.stderr == "", result.stderr
