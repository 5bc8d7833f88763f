"""The same operations in Taskwarrior, on the same data, for a side-by-side comparison.

A comparison, not a target: `bench/run.py` prints these rows under jtdj's own when `task`
(Debian's `taskwarrior` package) is installed, and says in one line that it skipped them when it
is not. The plan file bench/run.py generated is turned into Taskwarrior's JSON import format:
each task with its title as description, its item as project, its due date and its owner (a
user-defined attribute), and the items jtdj checks off marked completed on the same days.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

KEYWORD = "关键词"


def version() -> str | None:
    """Taskwarrior's version, or None when it is not installed."""
    task = shutil.which("task")
    if task is None:
        return None
    out = subprocess.run([task, "--version"], capture_output=True, text=True)
    return out.stdout.strip() or None


def _stamp(day: str) -> str:
    return day.replace("-", "") + "T000000Z"


def export_plan(plan: Path, by_day: dict[str, list[str]], target: Path) -> int:
    """Write ``plan``'s tasks as a Taskwarrior import file; return how many."""
    data = tomllib.loads(plan.read_text(encoding="utf-8"))
    done_on = {item: day for day, items in by_day.items() for item in items}
    tasks = []
    for section in data["sections"]:
        for item in section.get("items", []):
            finished = done_on.get(str(item["no"]))
            for task in item.get("tasks", []):
                entry = {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{item['no']}.{task['no']}")),
                         "description": task["title"], "project": f"i{item['no']}",
                         "entry": "20220101T000000Z", "status": "pending"}
                # a recurring task (no due date, no owner: its units' own) is one plain task
                # there, and a task handed to units one task: Taskwarrior has no shares
                if "due" in task:
                    entry["due"] = _stamp(task["due"].isoformat())
                if "owner" in task:
                    entry["owner"] = task["owner"]
                if finished:
                    entry.update(status="completed", end=_stamp(finished))
                tasks.append(entry)
    target.write_text("\n".join(json.dumps(t, ensure_ascii=False) for t in tasks) + "\n",
                      encoding="utf-8")
    return len(tasks)


def taskwarrior(label: str, plan: Path, by_day: dict[str, list[str]], owner: str, work: Path,
                env: dict, runs: int, measure) -> list[tuple]:
    """Rows (label, operation, figures) for Taskwarrior; ``measure`` is bench/run.py's."""
    task = shutil.which("task")
    data, saved = work / "tw-data", work / "tw-saved"
    rc = work / "taskrc"
    rc.write_text(f"data.location={data}\nuda.owner.type=string\nuda.owner.label=Owner\n"
                  "confirmation=off\nverbose=nothing\nhooks=off\nnews.version=2.6.2\n",
                  encoding="utf-8")
    e = dict(env, TASKRC=str(rc), TASKDATA=str(data))
    source = work / "tw-import.json"
    # in a child, as the plans are made: the benchmark's own memory would otherwise show up in
    # the peak RSS of every process it starts after (a forked child starts from its parent's)
    subprocess.run([sys.executable, __file__, str(plan), json.dumps(by_day), str(source)],
                   check=True)

    def empty(_i):
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir()

    rows = [(label, "task import FILE", measure(lambda i: [task, "import", str(source)], e,
                                                max(1, runs // 2), setup=empty))]
    shutil.rmtree(saved, ignore_errors=True)
    shutil.copytree(data, saved)

    def restore(_i):
        shutil.rmtree(data, ignore_errors=True)
        shutil.copytree(saved, data)

    cases = [(f"task owner:{owner} list", [task, f"owner:{owner}", "list"]),
             (f"task /{KEYWORD}/ list", [task, f"/{KEYWORD}/", "list"]),
             ("task summary", [task, "summary"]),
             ("task list (piped)", [task, "list"]),
             ("task export", [task, "export"])]
    for name, argv in cases:
        rows.append((label, name, measure(lambda i, a=argv: a, e, runs)))
    rows.append((label, "task 1 done", measure(lambda i: [task, "1", "done"], e, runs,
                                               setup=restore)))
    return rows


if __name__ == "__main__":  # bench/peers.py PLAN BY_DAY_JSON TARGET: the import file, made apart
    export_plan(Path(sys.argv[1]), json.loads(sys.argv[2]), Path(sys.argv[3]))
