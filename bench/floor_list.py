"""The floor a full piped `jtdj list` is measured against: plain Python and sqlite3 doing the
same SELECT (the open tasks of the plan, in id order) and writing the same TSV columns.

    python bench/floor_list.py DATABASE PLAN_KEY
"""

import sqlite3
import sys

COLUMNS = ("id", "item", "section", "title", "status", "owner", "support", "due", "start",
           "timing", "done_on", "percent", "tags")


def main() -> None:
    db, plan = sys.argv[1], sys.argv[2]
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    write = sys.stdout.write
    write("\t".join(COLUMNS) + "\tlight\n")
    for row in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM tasks WHERE plan = ? AND"
                            " archived = 0 AND status IN ('todo', 'doing') ORDER BY item, no",
                            (plan,)):
        write("\t".join("" if v is None else str(v) for v in row) + "\t\n")


if __name__ == "__main__":
    main()
