"""`history` in the machine formats is streamed: the events come from the cursor and are written
in chunks, the same bytes as the records written at once, and the memory of a run does not grow
with the plan."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT, ok, rows

from jtdj.render.json_text import to_json
from jtdj.render.records import to_csv, to_tsv
from jtdj.render.tasks import HISTORY_KEYS

AS_OF = ("--as-of", "2022-07-01")


def _out(run, *args) -> str:
    """What the command wrote, byte for byte (CSV's CRLF kept)."""
    return ok(run, *args).stdout_bytes.decode("utf-8")


def _reference(db_path, since: str | None = None, target: str | None = None,
               limit: int | None = None) -> list[dict]:
    """The events as the docs say `history` writes them, read directly: newest first by the day
    they took effect, then by id; keys in English."""
    events = rows(db_path, "SELECT * FROM events")
    if since:
        events = [e for e in events if e["on_date"] >= since]
    if target:
        events = [e for e in events if e["target"] == target
                  or e["target"].startswith(target + ".")]
    events.sort(key=lambda e: (e["on_date"], e["id"]), reverse=True)
    records = [{k: e["on_date" if k == "on" else k] for k in HISTORY_KEYS} for e in events]
    return records[:limit] if limit else records


def _events_of_a_busy_plan(run):
    """The bundled plan imported, then several batches: check-offs (one with a note holding an
    escape and a bidi control), a note, a reassignment undone, a re-import."""
    ok(run, "--as-of", "2022-06-01", "import")
    ok(run, *AS_OF, "done", "1.1", "1.2", "--on", "2022-06-30", "--note", "印发\x1b[2J通知\u202e完")
    ok(run, *AS_OF, "note", "5.2", "已起草通知", "--percent", "50", "--by", "李干事")
    ok(run, "--as-of", "2022-07-02", "assign", "--new-unit", "3", "--to", "宣传科")
    ok(run, "--as-of", "2022-07-02", "undo")
    ok(run, "--as-of", "2022-07-03", "start", "8.1")
    ok(run, "--as-of", "2022-07-04", "import")


def test_history_in_json_csv_and_tsv_is_every_event_newest_first_in_the_same_bytes(
        run, db_path):
    _events_of_a_busy_plan(run)
    reference = _reference(db_path)
    assert len({e["batch"] for e in reference}) >= 6 and any(
        e["action"] == "undo" for e in reference)
    for fmt, write in (("json", to_json), ("csv", lambda r: to_csv(r, HISTORY_KEYS)),
                       ("tsv", lambda r: to_tsv(r, HISTORY_KEYS))):
        out = _out(run, "history", "--format", fmt)
        assert out == write(reference), fmt
    assert "\\x1b[2J" in ok(run, "history", "--format", "tsv").stdout  # shown, not obeyed


def test_history_streamed_keeps_since_the_id_and_the_limit(run, db_path):
    _events_of_a_busy_plan(run)
    assert ok(run, "history", "--since", "2022-07-02", "--format", "json").stdout == to_json(
        _reference(db_path, since="2022-07-02"))
    assert ok(run, "history", "1", "--format", "json").stdout == to_json(
        _reference(db_path, target="1"))
    assert ok(run, "history", "1.2", "--format", "tsv").stdout == to_tsv(
        _reference(db_path, target="1.2"), HISTORY_KEYS)
    assert _out(run, "history", "--limit", "3", "--format", "csv") == to_csv(
        _reference(db_path, limit=3), HISTORY_KEYS)
    assert ok(run, "history", "--since", "2030-01-01", "--format", "json").stdout == "[]\n"


def _peak_rss_kib(argv: list[str], env: dict) -> int:
    """The peak resident set of one run of jtdj in a child of its own (``os.wait4``)."""
    proc = subprocess.Popen([sys.executable, "-m", "jtdj", *argv], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, proc.stderr.read()
    proc.stderr.close()
    return usage.ru_maxrss  # KiB on Linux


def _bench_db(tmp_path, tasks: int) -> dict:
    """A bench plan of ``tasks`` tasks (100 an item) imported, half its items checked off: about
    two events a task."""
    plan = tmp_path / f"p{tasks}.toml"
    subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--make-plan", str(plan),
                    str(tasks)], check=True, capture_output=True)
    env = {**os.environ, "JTDJ_DB": str(tmp_path / f"b{tasks}.db")}
    for argv in (["import", str(plan)],
                 ["--as-of", "2022-07-01", "done", *map(str, range(1, tasks // 200 + 1)),
                  "--all-units", "--on", "2022-06-30"]):  # item 50's tasks have shares
        subprocess.run([sys.executable, "-m", "jtdj", *argv], env=env, check=True,
                       capture_output=True)
    return env


def test_history_in_json_takes_no_more_memory_for_a_plan_ten_times_larger(tmp_path):
    small, large = _bench_db(tmp_path, 2000), _bench_db(tmp_path, 20000)
    argv = ["history", "--format", "json"]
    small_kib = min(_peak_rss_kib(argv, small) for _ in range(2))
    large_kib = min(_peak_rss_kib(argv, large) for _ in range(2))
    assert large_kib - small_kib < 20 * 1024, (small_kib, large_kib)
