"""`jtdj export --format json|csv` is written from the cursors in chunks: the same bytes as the
whole document built in memory and dumped at once, in memory that does not grow with the plan,
and into a file only once the last chunk is written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, ok

from jtdj.render.safe import escape_raw
from jtdj.store.history import events_of

TITLE = "\x1b[2J清屏\u202e反向 标题"
PAST = "2022-06-15"  # before the changes below: the as-of rows come from the event log


@pytest.fixture
def worked(run):
    """The 2022 plan after a few weeks' work: notes (of tasks and an item), check-offs with and
    without a note, a drop, a start, a moved due date, an added task with control characters
    in its title (and a note), all on 2022-07-01."""
    ok(run, "--as-of", "2022-06-01", "import")
    for args in (
        ("done", "5.2", "--note", "已下发通知 \"第1号\"", "--on", "2022-06-30",
         "--evidence", "docs/通知.pdf"),
        ("note", "5.3", "启动会已召开\n下一步：\\ 汇总", "--percent", "40"),
        ("note", "5.3", "第二次推进"),
        ("drop", "5.4", "--reason", "并入区级工作"),
        ("start", "5.1", "--on", "2022-06-20"),
        ("due", "5.5", "2022-09-30"),
        ("note", "5", "条目整体推进顺利"),
        ("add", "5", TITLE),
        ("done", "8.1", "--on", "2022-07-01"),
    ):
        ok(run, "--as-of", "2022-07-01", *args)
    ok(run, "--as-of", "2022-07-01", "note", "5.7", "新任务的进展")
    return run


def _reference(db_path: Path, as_of: date) -> tuple[str, str]:
    """The JSON and CSV as the export wrote them before it streamed: every task, note and event
    read into dicts, the document dumped whole with ``json.dumps(indent=2)``."""
    import csv
    import io

    from jtdj.render.records import machine_value
    from jtdj.render.safe import visible
    from jtdj.store import Store, TaskFilter
    from jtdj.store.bulk import all_task_rows
    from jtdj.store.tasks import decode_list
    from jtdj.views import NoteBook, event_record, note_record

    store = Store.open(db_path)
    try:
        plan = store.setting("current_plan")
        head = store.plan(plan)
        live = {}
        # archived or not; a recurring task's own row (4.5 and its family) and every occurrence
        # of its series, begun or not
        for r in store.select_tasks(plan, TaskFilter(status="all", archived=None,
                                                     occurrences=True), as_of):
            live[r["id"]] = r
        grouped: dict[int, list] = {}
        # in the file's order (a split's new parts beside the first: 2.14 after 2.7); a
        # recurring task's own row, then its series' occurrences by period (4.11@2022-05 …);
        # an occurrence out of its series (archived 3) is not written
        for row in sorted(all_task_rows(store, plan).values(),
                          key=lambda r: (r["item"], r["pos"], r["no"], r["period"] or "")):
            if row["archived"] in (0, 1, 2):
                grouped.setdefault(row["item"], []).append(row)
        book = NoteBook.read(store, plan)

        def task(row):
            now = live.get(row["id"], {})
            return {
                "id": row["id"], "no": row["no"], "title": row["title"], "kind": row["kind"] or "task", "when": row["timing"],
                "start": row["start"], "due": row["due"], "owner": row["owner"],
                "support": decode_list(row["support"]), "tags": decode_list(row["tags"]),
                "status": row["status"], "status_as_of": now.get("status"),
                "light": now.get("light"), "percent": row["percent"],
                "started_on": row["started_on"], "done_on": row["done_on"],
                "dropped_on": row["dropped_on"], "drop_reason": row["drop_reason"],
                "archived": row["archived"] == 1, "origin": row["origin"],
                "evidence": decode_list(row["evidence"]),
                "notes": [note_record(n) for n in book.task_notes(row["id"], row["status"])],
                "shares": []}  # a task handed to units: one record per share (none here)

        by_section: dict[int, list] = {}
        for it in store.items(plan):
            by_section.setdefault(it["section"], []).append({
                "id": str(it["no"]), "no": it["no"], "title": it["title"], "text": it["text"],
                "notes": [note_record(n) for n in book.notes.get(str(it["no"]), [])],
                "tasks": [task(row) for row in grouped.get(it["no"], [])]})
        document = {
            "format": 1, "as_of": as_of.isoformat(),
            "plan": {k: bool(head[k]) if k == "public" else head[k] for k in (
                "key", "title", "issuer", "doc_no", "issued", "notice_title", "addressee",
                "public", "printed_by", "printed_on", "due", "preamble")},
            "sections": [{"no": s["no"], "title": s["title"],
                          "items": by_section.get(s["no"], [])} for s in store.sections(plan)],
            "events": [event_record(e) for e in sorted(events_of(store, plan), key=lambda e: e["id"])],
        }
        as_json = escape_raw(json.dumps(document, ensure_ascii=False, indent=2) + "\n")

        keys = ("id", "section", "item", "title", "when", "start", "due", "owner", "support",
                "tags", "status", "light", "percent", "done_on", "dropped_on", "drop_reason",
                "progress", "evidence", "archived", "origin", "kind", "unit")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(keys)
        for item_tasks in grouped.values():
            for row in item_tasks:
                now = live[row["id"]]
                status = now["status"]
                candidates = [((n["on_date"], n["at"] or ""), n["text"])
                              for n in book.task_notes(row["id"], status)]
                if status == "dropped" and row["drop_reason"]:
                    candidates.append(((row["dropped_on"] or "", "\uffff"), row["drop_reason"]))
                record = {
                    "id": row["id"], "section": row["section"], "item": row["item"],
                    "title": row["title"], "when": row["timing"], "start": row["start"],
                    "due": row["due"], "owner": row["owner"],
                    "support": decode_list(row["support"]), "tags": decode_list(row["tags"]),
                    "status": status, "light": now["light"], "percent": now["percent"],
                    "done_on": now["done_on"],
                    "dropped_on": row["dropped_on"] if status == "dropped" else None,
                    "drop_reason": row["drop_reason"] if status == "dropped" else None,
                    "progress": max(candidates, key=lambda c: c[0])[1] if candidates else "",
                    "evidence": decode_list(row["evidence"]),
                    "archived": row["archived"] == 1, "origin": row["origin"],
                    "kind": row["kind"] or "task", "unit": None}
                cells = [visible(machine_value(record[k])) for k in keys]
                writer.writerow(["'" + c if c.startswith(("=", "+", "-", "@", "\t", "\r")) else c
                                 for c in cells])
        return as_json, "\ufeff" + out.getvalue()
    finally:
        store.close()


@pytest.mark.parametrize("as_of", ["2022-07-20", PAST])
def test_the_streamed_json_and_csv_are_byte_for_byte_what_the_whole_document_gave(
        worked, run, db_path, tmp_path, as_of):
    want_json, want_csv = _reference(db_path, date.fromisoformat(as_of))
    assert "\\u001b[2J清屏\\u202e反向" in want_json and "\\x1b[2J清屏<U+202E>反向" in want_csv
    assert '"text": "新任务的进展"' in want_json and "已下发通知" in want_json
    for fmt, want in (("json", want_json), ("csv", want_csv)):
        shown = ok(run, "--as-of", as_of, "export", "--format", fmt).stdout_bytes
        assert shown == want.encode("utf-8"), fmt
        path = tmp_path / f"out.{fmt}"
        ok(run, "--as-of", as_of, "export", "-o", path)
        assert path.read_bytes() == want.encode("utf-8"), fmt


def test_a_stream_that_fails_half_way_leaves_the_file_as_it_was(worked, run, tmp_path,
                                                               monkeypatch):
    from jtdj.errors import JtdjError
    from jtdj.render import exports

    path = tmp_path / "out.json"
    path.write_text("the export of last week\n", encoding="utf-8")
    real = exports.dump_json

    def failing(data):
        chunks = real(data)
        yield next(chunks)
        raise JtdjError("disk went away")

    monkeypatch.setattr(exports, "dump_json", failing)
    result = run("export", "-o", path)
    assert result.exit_code == 1
    assert path.read_text(encoding="utf-8") == "the export of last week\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.json")] == []


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    """Two databases of the benchmark's plan (bench/run.py): 2,000 and 20,000 tasks."""
    made = {}
    for size in (2000, 20000):
        folder = tmp_path_factory.mktemp(f"plan{size}")
        plan = folder / "plan.toml"
        subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--make-plan", str(plan),
                        str(size)], check=True)
        env = {**os.environ, "JTDJ_DB": str(folder / "jtdj.db"), "JTDJ_USER": "bench",
               "JTDJ_CONFIG": str(folder / "config.toml"), "JTDJ_LANG": "zh"}
        subprocess.run([sys.executable, "-m", "jtdj", "--as-of", "2022-06-01", "import",
                        str(plan)], env=env, check=True, capture_output=True)
        made[size] = env
    return made


def _peak_kib(env: dict, *argv: str) -> int:
    """The peak resident memory of one `jtdj` run (its own, from wait4), in KiB."""
    proc = subprocess.Popen([sys.executable, "-m", "jtdj", *argv], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, proc.stderr.read().decode()
    proc.stderr.close()
    return usage.ru_maxrss


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_export_of_ten_times_the_tasks_takes_no_more_memory(databases, fmt):
    argv = ("--as-of", "2022-07-01", "export", "--format", fmt)
    small = _peak_kib(databases[2000], *argv)
    large = _peak_kib(databases[20000], *argv)
    assert large - small <= 20 * 1024, f"{small} KiB for 2,000 tasks, {large} KiB for 20,000"
