"""Task and item ids as users type them: ``5.2`` a task, ``5`` an item.

Full-width digits and the ``。``/``．`` separators of a Chinese input method are accepted.
A malformed id is a usage error (exit 2); whether it exists is the store's business.
"""

from __future__ import annotations

import difflib
import re
from typing import NamedTuple

from jtdj.dates import normalise
from jtdj.errors import UsageError
from jtdj.i18n import t

_ID = re.compile(r"^(\d{1,6})(?:\.(\d{1,6}))?$")


class Ref(NamedTuple):
    """A parsed id: an item (``task is None``) or one task of an item."""

    item: int
    task: int | None = None

    @property
    def is_item(self) -> bool:
        return self.task is None

    def __str__(self) -> str:
        return str(self.item) if self.task is None else f"{self.item}.{self.task}"


def parse_ref(text: str) -> Ref:
    cleaned = normalise(text).replace("。", ".").replace("、", ".")
    m = _ID.match(cleaned)
    if not m or int(m[1]) == 0 or (m[2] is not None and int(m[2]) == 0):
        raise UsageError(t("error.bad_id", value=text))
    return Ref(int(m[1]), int(m[2]) if m[2] is not None else None)


def parse_refs(texts: list[str]) -> list[Ref]:
    """Parse all ids first so that one bad id changes nothing."""
    bad = []
    refs = []
    for text in texts:
        try:
            refs.append(parse_ref(text))
        except UsageError:
            bad.append(text)
    if bad:
        raise UsageError(t("error.bad_ids", values=", ".join(bad)))
    return refs


def natural_key(task_id: str) -> tuple[int, ...]:
    """Sort key so that 2.10 comes after 2.9."""
    return tuple(int(part) for part in task_id.split("."))


def closest(wanted: str, existing: list[str], n: int = 3) -> list[str]:
    """The existing ids nearest to ``wanted``: same item first, then by spelling."""
    item = wanted.split(".")[0]
    same_item = [e for e in existing if e.split(".")[0] == item and e != item]
    if same_item and "." in wanted:
        want_no = int(wanted.split(".")[1])
        same_item.sort(key=lambda e: abs(int(e.split(".")[1]) - want_no))
        return same_item[:n]
    return difflib.get_close_matches(wanted, existing, n=n, cutoff=0.0)
