"""`jtdj serve` at scale: the first page and a faceted table page at 100,000 tasks.

    python3 bench/serve.py [TASKS]      # default 100000; uses the current Python's jtdj[web]

Builds a plan as bench/run.py does (Chinese titles, 20 owners, due dates over the year), imports
it, checks off most of what fell due before 2022-07-01 (every tenth item left overdue), starts
`jtdj serve` on a free port, and prints the time to the first answer (the first copy for the
web), then the median of 5 fetches of the first page and of the tasks table faceted by
责任单位, 状态, 部分 and 提示 and filtered by one owner. Targets: ≤ 1 s and ≤ 2 s.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import AS_OF, OWNERS, items_to_check_off, make_plan  # noqa: E402


def jtdj(env, *args):
    subprocess.run([sys.executable, "-m", "jtdj", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def fetch(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        r.read()
        assert r.status == 200
    return time.perf_counter() - start


def main() -> None:
    tasks = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    folder = Path(tempfile.mkdtemp(prefix="jtdj-bench-serve-"))
    env = {**os.environ, "JTDJ_DB": str(folder / "j.db"), "JTDJ_CONFIG": str(folder / "c.toml"),
           "JTDJ_USER": "bench"}
    plan = folder / "plan.toml"
    make_plan(plan, tasks)
    jtdj({**env, "JTDJ_TODAY": "2022-01-01"}, "import", str(plan))
    for day, items in sorted(items_to_check_off(max(1, tasks // 100)).items()):
        jtdj({**env, "JTDJ_TODAY": day}, "done", *items, "--on", day)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "jtdj", "--as-of", AS_OF.isoformat(), "serve",
                             "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=120).read()
                break
            except OSError:
                time.sleep(0.1)
        print(f"{tasks} tasks: serving after {time.perf_counter() - started:.2f} s")
        table = (base + "/jtdj/~E4~BB~BB~E5~8A~A1?" + urllib.parse.quote("责任单位") + "="
                 + urllib.parse.quote(OWNERS[0]))
        for name, url in (("first page", base + "/"), ("faceted table", table)):
            fetch(url)  # warm-up
            times = [fetch(url) for _ in range(5)]
            print(f"  {name}: median {statistics.median(times):.3f} s, max {max(times):.3f} s")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
