"""The 填报表 round trip at office size: 60 units, each handed the 100 tasks of a plan (6,000
shares); `jtdj collect` writes the 60 forms, each unit fills every row (openpyxl, not timed),
and `jtdj merge` takes the 60 files back in one run. Targets: each command ≤ 10 s.

    python bench/forms.py                 # builds a venv with a non-editable install
    python bench/forms.py --jtdj PATH     # an installed jtdj instead
    python bench/forms.py --units 60 --tasks 100 --runs 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from run import build_venv, make_plan, timed

TARGET_S = 10.0


def fill_forms(folder: Path, python: Path) -> None:
    """Every row of every form: 推进中, a percent, a line of progress (in a child, so that the
    benchmark's figures are of jtdj alone)."""
    script = (
        "import sys, glob, datetime, openpyxl\n"
        "for path in glob.glob(sys.argv[1] + '/*.xlsx'):\n"
        "    book = openpyxl.load_workbook(path)\n"
        "    sheet = book.worksheets[0]\n"
        "    sheet['C3'] = datetime.date(2022, 7, 6)\n"
        "    for r in range(5, sheet.max_row + 1):\n"
        "        sheet.cell(r, 7, '推进中'); sheet.cell(r, 8, 10 + r % 80)\n"
        "        sheet.cell(r, 9, '已部署，正在推进第' + str(r) + '项')\n"
        "    book.save(path)\n")
    subprocess.run([str(python), "-c", script, str(folder)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jtdj")
    parser.add_argument("--units", type=int, default=60)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jtdj-forms-bench-"))
    jtdj = Path(args.jtdj) if args.jtdj else build_venv(work)
    python = jtdj.parent / "python"
    plan = work / "plan.toml"
    make_plan(plan, args.tasks)
    register = work / "units.csv"
    register.write_text("单位名称,分组\n" + "".join(
        f"第{n}学校党支部,各直属党组织\n" for n in range(1, args.units + 1)), encoding="utf-8")
    collect_s, merge_s, peaks = [], [], []
    for i in range(args.runs):
        db = work / f"forms-{i}.db"
        env = {k: v for k, v in os.environ.items() if not k.startswith("JTDJ_")}
        env.update(JTDJ_DB=str(db), JTDJ_USER="bench", JTDJ_TODAY="2022-07-01", NO_COLOR="1")
        quiet = dict(env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([str(jtdj), "import", str(plan)], **quiet)
        subprocess.run([str(jtdj), "units", "import", str(register)], **quiet)
        ids = subprocess.run([str(jtdj), "list", "--format", "json"], env=env, check=True,
                             capture_output=True, text=True).stdout
        items = sorted({row.split('"item": ')[1].split(",")[0] for row in ids.split("\n")
                        if '"item": ' in row})
        subprocess.run([str(jtdj), "assign", *items, "--each", "各直属党组织"], **quiet)
        folder = work / f"forms-{i}"
        seconds, rss, code = timed([str(jtdj), "collect", "-o", str(folder)], env)
        assert code == 0, "collect failed"
        collect_s.append(seconds)
        peaks.append(rss)
        fill_forms(folder, python)
        files = sorted(str(p) for p in folder.glob("*.xlsx"))
        env_later = dict(env, JTDJ_TODAY="2022-07-10")
        seconds, rss, code = timed([str(jtdj), "merge", *files, "--yes"], env_later)
        assert code == 0, "merge failed"
        merge_s.append(seconds)
        peaks.append(rss)
    shares = args.units * args.tasks
    lines = [f"jtdj forms benchmark, {dt.date.today().isoformat()}, {os.cpu_count()} cores, "
             f"Python {sys.version.split()[0]}, {args.units} units × {args.tasks} tasks "
             f"({shares:,} shares), {args.runs} runs (median)", "",
             "| command | median (s) | target (s) | peak RSS (MiB) |", "|---|---:|---:|---:|",
             f"| `collect` ({args.units} xlsx forms) | {statistics.median(collect_s):.2f} | "
             f"{TARGET_S:.0f} | {max(peaks[0::2]) / 1024:.0f} |",
             f"| `merge` ({args.units} filled forms, {shares:,} rows) | "
             f"{statistics.median(merge_s):.2f} | {TARGET_S:.0f} | {max(peaks[1::2]) / 1024:.0f} |"]
    print("\n".join(lines))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
