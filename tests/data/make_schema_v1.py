"""How tests/data/schema-v1.db was made: the 2022 plan, as the first released schema stored it.

The file must come from the code of schema 1 (only ``m001_initial``), not from today's code, so
this script runs the jtdj of a given git commit (default: 366d132, the last commit before
``m002``) from a temporary checkout, through its command line:

    python tests/data/make_schema_v1.py [COMMIT]

It imports the bundled 2022 plan, marks a few tasks done, starts, assigns and drops some, adds
notes and a task, then checks ``PRAGMA user_version`` = 1 and compacts the file.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "schema-v1.db"

STEPS = [
    ["import"],
    ["done", "1.1", "1.2", "--on", "2022-06-01", "--note", "学习会已开"],
    ["done", "8.5", "--on", "2022-07-01"],
    ["start", "2.1", "--on", "2022-05-20"],
    ["assign", "5", "--to", "组织科", "--with", "宣传科"],
    ["assign", "3.2", "--to", "宣传科"],
    ["drop", "13.1", "--reason", "并入其他工作", "--on", "2022-06-20"],
    ["note", "2.1", "已完成一半", "--percent", "50"],
    ["note", "5", "各校已报送名单"],
    ["note", "8.5", "七一表彰大会 6 月 30 日召开"],
    ["due", "3.2", "2022-09-30"],
    ["add", "4", "新增：暑期师德专题培训", "--due", "2022-08-31", "--owner", "教师科"],
]


def main(commit: str = "366d132") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        archive = Path(tmp) / "src.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), commit], check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(src)
        db = Path(tmp) / "jtdj.db"
        env = {**os.environ, "PYTHONPATH": str(src), "JTDJ_DB": str(db), "JTDJ_TODAY": "2022-07-01",
               "JTDJ_USER": "办公室", "JTDJ_LANG": "zh", "JTDJ_CONFIG": str(Path(tmp) / "none.toml")}
        for argv in STEPS:
            subprocess.run([sys.executable, "-m", "jtdj", *argv], env=env, check=True, cwd=tmp)
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert [r[0] for r in conn.execute("SELECT name FROM migrations")] == ["m001_initial"]
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("VACUUM")
        conn.close()
        OUT.write_bytes(db.read_bytes())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:])
