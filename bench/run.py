"""Whole-process benchmark of jtdj at 13 items (the bundled plan), 1,000, 10,000 and 100,000 tasks.

    python bench/run.py                  # builds a venv with a non-editable install, runs all
    python bench/run.py --jtdj PATH      # time an already installed jtdj executable instead
    python bench/run.py --sizes 13,10000 --runs 5
    python bench/run.py --sizes 1000,10000 --cases xlsx   # only the cases whose name has "xlsx"
    python bench/run.py --quick          # 13 items and 10,000 tasks, 3 runs: everyday use

Each figure is the median wall time of N runs (after one warm-up) of a fresh process, and the
largest peak RSS of those runs (os.wait4's ru_maxrss, so no extra tool is needed). The floors —
`python -c pass` and `python -c "import typer"` in the same venv — are timed in the same run, and
each jtdj figure is also given as a ratio to the typer floor. Results: a Markdown table on stdout
and in bench/results/<date>.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import peers

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("党建", "品牌", "阵地", "学习", "教育", "培训", "督查", "宣传", "组织", "考核", "廉政",
         "队伍", "思政", "调研", "活动", "制度", "机制", "支部", "党员", "干部", "课题", "实践")
OWNERS = [f"{name}{n}" for n in range(1, 5) for name in ("组织科", "宣传科", "办公室", "人事科", "纪检组")]


AS_OF = date(2022, 7, 1)
KEYWORD = "关键词"  # planted in about 1 title in 500, so `--search 关键词` finds a page, not half
PAST = "2022-04-01"  # a past day, replayed from the event log (`--as-of`)
# one item in a hundred handed to each of these units (every task then has three shares), and
# in another item in a hundred one recurring monthly task of theirs (its occurrences)
UNITS = ("甲校", "乙校", "丙校")


def make_plan(path: Path, tasks: int, seed: int = 2022) -> None:
    """A plan file of about ``tasks`` tasks: 10 sections, 100-task items, Chinese titles, owners.

    Items fall due through the year in order (item k of n within days k*365/n .. +30), the way
    a plan's work is spread; `prepare` later checks off most of what fell due before AS_OF.
    """
    rnd = random.Random(seed)
    per_item = 100
    items = max(1, tasks // per_item)
    per_section = max(1, -(-items // 10))
    start = date(2022, 1, 1)
    out = ['[plan]', f'key = "bench{tasks}"', f'title = "基准测试计划（{tasks} 项任务）"',
           'issued = 2022-01-01', 'due = 2022-12-31', '']
    item_no = 0
    for s in range(1, 11):
        out += ['[[sections]]', f'no = {s}', f'title = "第{s}部分 基准测试"', '']
        for _ in range(per_section):
            item_no += 1
            if item_no > items:
                break
            first = start + timedelta(days=(item_no - 1) * 330 // items)
            out += ['[[sections.items]]', f'no = {item_no}', f'title = "条目{item_no}"',
                    f'text = "条目{item_no}。' + "，".join(rnd.sample(WORDS, 6)) + '。"', '']
            each = 'each = ["' + '", "'.join(UNITS) + '"]'
            for k in range(1, per_item + 1):
                title = "".join(rnd.sample(WORDS, 5)) + f"工作{item_no}-{k}"
                if rnd.random() < 0.002:
                    title = KEYWORD + title
                due = first + timedelta(days=rnd.randrange(30))
                if item_no % 100 == 75 and k == 1:
                    out += ['[[sections.items.tasks]]', f'no = {k}', f'title = "{title}（每月）"',
                            'every = "month"', each, '']
                    continue
                out += ['[[sections.items.tasks]]', f'no = {k}', f'title = "{title}"',
                        f'due = {due.isoformat()}', f'owner = "{rnd.choice(OWNERS)}"']
                out += [each, ''] if item_no % 100 == 50 else ['']
    path.write_text("\n".join(out), encoding="utf-8")


def items_to_check_off(items: int) -> dict[str, list[str]]:
    """Items whose tasks all fell due before AS_OF, except every tenth (left overdue), by the
    day they are checked off: the Sunday of the week their last task fell due, the way an
    office ticks off its work week by week."""
    by_day: dict[str, list[str]] = {}
    for item_no in range(1, items + 1):
        first = date(2022, 1, 1) + timedelta(days=(item_no - 1) * 330 // items)
        last_due = first + timedelta(days=29)
        if last_due < AS_OF and item_no % 10:
            sunday = min(last_due + timedelta(days=6 - last_due.weekday()), AS_OF)
            by_day.setdefault(sunday.isoformat(), []).append(str(item_no))
    return by_day


def timed(argv: list[str], env: dict, stdin=None) -> tuple[float, int, int]:
    """(seconds, peak RSS in KiB, exit status) of one fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=stdin)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss, proc.returncode


PAIRED: list[str] = []  # the typer floor's argv, once the venv is known (see run)
LONG_S = 5.0  # a case whose warm-up run takes longer gets 3 timed runs


def measure(argvs, env, runs: int, setup=None, floor: list[str] | None = None) -> dict:
    """Median wall and max RSS over ``runs`` runs after one warm-up; argvs(i) gives run i's argv.

    Each timed run is paired with a run of the typer floor (or of ``floor``) just after it, and
    the ratio taken per pair (``ratio``: the median of those), because the load of a shared
    machine drifts within a run more than between two neighbouring processes."""
    floor = floor or PAIRED
    samples, peaks, ratios = [], [], []
    i = 0
    while i <= runs:
        if setup:
            setup(i)
        seconds, rss, code = timed(argvs(i), env)
        if code not in (0, 3):
            again = subprocess.run(argvs(i), env=env, capture_output=True, text=True)
            raise SystemExit(f"benchmark command failed ({code}): {' '.join(argvs(i))}\n"
                             f"{again.stderr.strip()}")
        if i == 0 and seconds > LONG_S:
            runs = min(runs, 3)
        if i:  # the first run warms the caches
            samples.append(seconds)
            peaks.append(rss)
            if floor:
                ratios.append(seconds / timed(floor, env)[0])
        i += 1
    return {"median": statistics.median(samples), "rss_mib": max(peaks) / 1024,
            "samples": samples, "ratio": statistics.median(ratios) if ratios else None}


def build_venv(where: Path) -> Path:
    """A fresh venv with jtdj installed non-editable from this checkout."""
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    # with the excel extra: the ledger case needs openpyxl
    subprocess.run([str(pip), "install", "-q", "--disable-pip-version-check", f"{ROOT}[excel]"],
                   check=True)
    return venv / "bin" / "jtdj"


def run(args) -> str:
    work = Path(tempfile.mkdtemp(prefix="jtdj-bench-"))
    jtdj = Path(args.jtdj) if args.jtdj else build_venv(work)
    python = jtdj.parent / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith("JTDJ_")}
    env.update(JTDJ_USER="bench", JTDJ_TODAY=AS_OF.isoformat(), NO_COLOR="1", COLUMNS="80")
    runs = args.runs
    rows = []
    skipped_peers: list[bool] = []

    def wanted(case: str) -> bool:
        return args.cases in case and not (args.skip and args.skip in case)
    floor_argvs = {"python -c pass": [str(python), "-c", "pass"],
                   "python -c 'import typer'": [str(python), "-c", "import typer"]}
    # the floors are timed first and again last, and each is the median of both sets: on a
    # shared machine the load drifts over a run, and every ratio rests on the typer floor
    floors = {name: measure(lambda i, a=argv: a, env, runs) for name, argv in floor_argvs.items()}
    PAIRED[:] = floor_argvs["python -c 'import typer'"]
    for size in args.sizes:
        db = work / f"bench-{size}.db"
        plan = work / f"plan-{size}.toml"
        if size <= 13:
            plan = None
        else:
            subprocess.run([sys.executable, __file__, "--make-plan", str(plan), str(size)],
                           check=True)
        e = dict(env, JTDJ_DB=str(db))
        plan_args = [str(plan)] if plan else []

        def fresh_db(_i):
            for suffix in ("", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
            shutil.rmtree(work / "backups", ignore_errors=True)

        label = "13 items" if size <= 13 else f"{size:,} tasks"
        if wanted("import (fresh)"):
            rows.append((label, "import (fresh)", measure(
                lambda i: [str(jtdj), "import", *plan_args], e,
                max(1, runs // 2 if size > 13 else runs), setup=fresh_db)))
        else:  # the data is still needed
            fresh_db(0)
            subprocess.run([str(jtdj), "import", *plan_args], env=e, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if wanted("import (unchanged re-import)"):
            rows.append((label, "import (unchanged re-import)", measure(
                lambda i: [str(jtdj), "import", *plan_args], e,
                max(1, runs // 2 if size > 13 else runs))))
        # work done through commands: most of what fell due before AS_OF, checked off week
        # by week (one `jtdj done --on SUNDAY` per week)
        n_items = 13 if size <= 13 else size // 100
        by_day = ({AS_OF.isoformat(): ["1", "2"]} if size <= 13
                  else items_to_check_off(n_items))
        for day, done_items in by_day.items():
            subprocess.run([str(jtdj), "--as-of", AS_OF.isoformat(), "done", *done_items,
                            "--on", day], env=e, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        owner = "组织科1"
        if size <= 13:
            subprocess.run([str(jtdj), "assign", "5", "--to", owner, "--new-unit"], env=e,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cases = [
            ("--help", [str(jtdj), "--help"]),
            ("list (piped)", [str(jtdj), "list"]),
            (f"list --owner {owner}", [str(jtdj), "list", "--owner", owner]),
            (f"list --search {KEYWORD}", [str(jtdj), "list", "--search", KEYWORD]),
            ("list --search 党建 (2 characters)", [str(jtdj), "list", "--search", "党建"]),
            ("summary", [str(jtdj), "summary"]),
            (f"summary --as-of {PAST} (a past day)", [str(jtdj), "--as-of", PAST, "summary"]),
            (f"list --as-of {PAST} (piped, a past day)", [str(jtdj), "--as-of", PAST, "list"]),
            ("report --format text", [str(jtdj), "report", "--format", "text"]),
            ("report --format html", [str(jtdj), "report", "--format", "html"]),
            ("report --format json", [str(jtdj), "report", "--format", "json"]),
            # half a year: every check-off of the plan so far lies in the period
            ("report --since 2022-01-01 (half a year)",
             [str(jtdj), "report", "--since", "2022-01-01", "--format", "text"]),
        ]
        if size <= 13:
            cases.append(("show 5.2", [str(jtdj), "show", "5.2"]))
        else:
            cases.append(("list --status all --format json", [str(jtdj), "list", "--status", "all",
                                                              "--format", "json"]))
        for name, argv in cases:
            if wanted(name):
                rows.append((label, name, measure(lambda i, a=argv: a, e, runs)))
        if size > 13 and wanted("list (piped)"):  # its floor: the same SELECT in plain Python
            floor_list = [str(python), str(ROOT / "bench" / "floor_list.py"), str(db),
                          f"bench{size}"]
            rows.append((label, "python + sqlite3: the same SELECT as TSV", measure(
                lambda i: floor_list, e, runs)))
            # the target's own ratio: each piped list paired with a run of its floor
            rows.append((label, "list (piped) ÷ the same SELECT in Python (paired; ratio to it)",
                         measure(lambda i: [str(jtdj), "list"], e, runs, floor=floor_list)))
        # the 工作台账, a new file each run (export does not overwrite unasked); 3 runs at
        # 100,000 tasks, where one takes most of a minute
        if wanted("export --format xlsx"):
            rows.append((label, "export --format xlsx -o FILE", measure(
                lambda i: [str(jtdj), "export", "--format", "xlsx", "-o",
                           str(work / f"ledger-{size}-{i}.xlsx")], e,
                min(runs, 3) if size >= 100000 else runs)))
        if size > 13 and wanted("export --format json"):
            rows.append((label, "export --format json", measure(
                lambda i: [str(jtdj), "export", "--format", "json"], e,
                min(runs, 3) if size >= 100000 else runs)))
        if size > 13 and wanted("task"):  # the same operations in Taskwarrior, when installed
            if peers.version():
                rows += peers.taskwarrior(f"{label} · Taskwarrior {peers.version()}", plan,
                                          by_day, owner, work, env, runs, measure)
            elif not skipped_peers:
                skipped_peers.append(True)
                print("Taskwarrior is not installed (Debian: apt install taskwarrior): "
                      "its comparison rows are skipped", file=sys.stderr)
        if not wanted("done ID"):
            continue
        # open tasks of the last item (due in December): a small answer keeps this process small
        listed = subprocess.run([str(jtdj), "list", "--format", "json"]
                                + ([] if size <= 13 else ["--item", str(n_items)]),
                                env=e, check=True, capture_output=True, text=True).stdout
        open_ids = [r["id"] for r in json.loads(listed)][-(runs + 1):]
        rows.append((label, "done ID", measure(
            lambda i: [str(jtdj), "done", open_ids[i]], e, runs)))
    PAIRED.clear()
    for name, argv in floor_argvs.items():
        again = measure(lambda i, a=argv: a, env, runs)
        both = floors[name]["samples"] + again["samples"]
        floors[name] = {"median": statistics.median(both), "samples": both,
                        "rss_mib": max(floors[name]["rss_mib"], again["rss_mib"])}
    typer_floor = floors["python -c 'import typer'"]["median"]
    rows = [("floor", name, m) for name, m in floors.items()] + rows
    table = ["| plan | command | median (ms) | × typer floor | peak RSS (MiB) |",
             "|---|---|---:|---:|---:|"]
    for label, name, m in rows:
        ratio = m.get("ratio") or m["median"] / typer_floor  # paired when it was timed so
        table.append(f"| {label} | `{name}` | {m['median'] * 1000:.0f} | {ratio:.2f} | "
                     f"{m['rss_mib']:.0f} |")
    header = (f"jtdj benchmark, {date.today().isoformat()}, {os.cpu_count()} cores, "
              f"Python {sys.version.split()[0]}, {runs} runs each (median), as of 2022-07-01\n\n")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return header + "\n".join(table) + "\n"


def main() -> None:
    if sys.argv[1:2] == ["--make-plan"]:
        make_plan(Path(sys.argv[2]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jtdj", help="an installed jtdj executable (default: build a fresh venv)")
    parser.add_argument("--sizes", default="13,1000,10000,100000",
                        help="plan sizes: 13 means the bundled plan; others are task counts")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--cases", default="",
                        help="only the cases whose name contains this text (the floors always)")
    parser.add_argument("--skip", default="",
                        help="leave out the cases whose name contains this text (task: Taskwarrior)")
    parser.add_argument("--quick", action="store_true",
                        help="everyday use: 13 items and 10,000 tasks, 3 runs each")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.runs = "13,10000", min(args.runs, 3)
    args.sizes = [int(s) for s in args.sizes.split(",")]
    text = run(args)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{date.today().isoformat()}.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
