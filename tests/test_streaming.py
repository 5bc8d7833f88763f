"""Full outputs in the machine formats are streamed from the cursor in chunks, with the same
bytes as when they were written at once; a reader that stops early (`jtdj list | head -1`) ends
jtdj quietly."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import PLAN_2022
from jtdj.render import records
from jtdj.render.json_text import CHUNK_ROWS


def _env(db):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JTDJ_")}
    env.update(JTDJ_DB=str(db), JTDJ_USER="tester", JTDJ_TODAY="2022-07-01",
               JTDJ_CONFIG=str(db.parent / "config.toml"), NO_COLOR="1", COLUMNS="80")
    return env


@pytest.fixture
def many(db_path):
    """A plan of 60 items of 100 tasks: 6,000 open tasks, several chunks and pipe buffers."""
    lines = ['[plan]', 'key = "big"', 'title = "大计划"', 'issued = 2022-01-01',
             'due = 2022-12-31', '', '[[sections]]', 'no = 1', 'title = "一"', '']
    for item in range(1, 61):
        lines += ['[[sections.items]]', f'no = {item}', f'title = "条目{item}"', '']
        for no in range(1, 101):
            lines += ['[[sections.items.tasks]]', f'no = {no}',
                      f'title = "任务{item}-{no}，一个相当长的标题让输出超过管道的缓冲区"',
                      f'owner = "科室{no % 7}"', '']
    plan = db_path.parent.parent / "big.toml"
    plan.parent.mkdir(parents=True, exist_ok=True)
    plan.write_text("\n".join(lines), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "jtdj", "import", str(plan)], env=_env(db_path),
                   check=True, capture_output=True)
    return db_path


@pytest.mark.parametrize("argv", [["list"], ["list", "--format", "json"],
                                  ["list", "--format", "csv"], ["history", "--format", "tsv"]],
                         ids=" ".join)
def test_a_piped_list_cut_short_by_head_ends_quietly(many, argv):
    """`jtdj list | head -1` through a real pipe: head's line, nothing on stderr (no traceback,
    no message), and the exit status a shell gives a command that SIGPIPE ended (141)."""
    jtdj = subprocess.Popen([sys.executable, "-m", "jtdj", *argv], env=_env(many),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.run(["head", "-1"], stdin=jtdj.stdout, capture_output=True, timeout=60)
    jtdj.stdout.close()
    stderr = jtdj.stderr.read().decode()
    assert jtdj.wait(timeout=60) == 141, stderr
    assert stderr == ""
    assert head.stdout.decode().count("\n") == 1


def test_a_piped_list_read_to_the_end_is_whole(many):
    out = subprocess.run([sys.executable, "-m", "jtdj", "list", "--format", "json"],
                         env=_env(many), capture_output=True, text=True, check=True).stdout
    assert len(json.loads(out)) == 6000
    tsv = subprocess.run([sys.executable, "-m", "jtdj", "list"], env=_env(many),
                         capture_output=True, text=True, check=True).stdout
    assert tsv.count("\n") == 6001


UNSAFE_ROWS = [{"a": f"t{n}", "b": n, "c": None} for n in range(2 * CHUNK_ROWS + 7)]
UNSAFE_ROWS[CHUNK_ROWS + 3] = {"a": "=1+1\x1b[2J\u202e", "b": [1, 2], "c": "x\ty\r\nz"}


def _at_once(name, rows, keys):
    """The writers as they were before streaming: the whole output in one string."""
    import csv
    import io
    import re

    from jtdj.render.json_text import _COMPACT_JSON
    from jtdj.render.records import _defuse, machine_value, _TSV_SAFE
    from jtdj.render.safe import UNSAFE, escape_raw, visible

    if name == "json":
        return escape_raw("[\n" + ",\n".join("  " + _COMPACT_JSON({k: r.get(k) for k in keys})
                                             for r in rows) + "\n]\n") if rows else "[]\n"
    if name == "csv":
        def write(cell):
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\r\n")
            w.writerow(keys)
            for r in rows:
                w.writerow([_defuse(cell(machine_value(r.get(k)))) for k in keys])
            return buf.getvalue()
        out = write(str)
        if re.search(UNSAFE, out.replace("\r\n", "\n")) is not None:
            out = write(visible)
        return "\ufeff" + out
    lines = ["\t".join(keys)]
    for r in rows:
        values = [machine_value(r.get(k)) for k in keys]
        line = "\t".join(values)
        if line.count("\t") != len(keys) - 1 or "\n" in line or "\r" in line:
            line = "\t".join(v.translate(_TSV_SAFE) for v in values)
        lines.append(line)
    return visible("\n".join(lines) + "\n")


@pytest.mark.parametrize("name", ["json", "csv", "tsv"])
@pytest.mark.parametrize("rows", [UNSAFE_ROWS, UNSAFE_ROWS[:5], []], ids=["chunks", "few", "none"])
def test_streamed_writers_write_the_bytes_written_at_once(name, rows):
    """Chunk by chunk from a stream (read once), the same text as the whole at once, an unsafe
    character in one chunk shown there and nowhere else changed."""
    keys = ("a", "b", "c")
    streamed = getattr(records, f"{name}_chunks")(iter(rows), keys)
    chunks = list(streamed)
    assert len(chunks) >= (3 if rows is UNSAFE_ROWS else 1)
    assert "".join(chunks) == _at_once(name, rows, keys)


def test_a_streamed_list_shows_the_same_bytes_as_the_list_read_whole(run, imported):
    """list in each machine format against the records read whole (select_tasks) and written
    at once; tests/test_output.py pins the exact bytes of the same outputs."""
    from datetime import date

    from jtdj.render.tasks import LIST_KEYS
    from jtdj.store import Store, TaskFilter

    store = Store.open(os.environ["JTDJ_DB"])
    # as `list` reads them: a recurring task as its occurrences begun by the day
    rows = store.select_tasks("2022", TaskFilter(status="all", occurrences=True), date.today())
    store.close()
    for name in ("json", "csv", "tsv"):
        shown = run("list", "--status", "all", "--format", name).stdout_bytes.decode()
        assert shown == _at_once(name, rows, LIST_KEYS)
