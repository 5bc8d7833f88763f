"""The documents that cite tests cite tests that exist: every `file.py::test_name` (or
`file.py::test_prefix_*`) on docs/reliability.md names a file in tests/ that defines such a test."""

from __future__ import annotations

import ast
import re
from fnmatch import fnmatchcase
from pathlib import Path

from conftest import ROOT

TESTS = ROOT / "tests"
RELIABILITY = ROOT / "docs" / "reliability.md"

# `test_backup.py::test_restore_refuses_*`: a file in tests/, then a test name or a glob of names
CITATION = re.compile(r"`([\w./-]+\.py)::([\w*?\[\]-]+)`")
# `test_plan_errors.py`: a whole test file cited on its own
WHOLE_FILE = re.compile(r"`(test_[\w-]+\.py)`")


def citations(text: str) -> list[tuple[str, str]]:
    return CITATION.findall(text)


def defined_tests(path: Path) -> set[str]:
    """Names of the test functions pytest collects from ``path``: module level, and methods of
    classes named Test*."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    names = {node.name for node in tree.body if isinstance(node, functions)}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            names |= {f.name for f in node.body if isinstance(f, functions)}
    return {name for name in names if name.startswith("test")}


def wrong_citations(text: str) -> list[str]:
    """Each citation in ``text`` with no test behind it, and why."""
    wrong = []
    for file, pattern in citations(text):
        path = TESTS / file
        if not path.is_file():
            wrong.append(f"{file}::{pattern}: no such file in tests/")
        elif not any(fnmatchcase(name, pattern) for name in defined_tests(path)):
            wrong.append(f"{file}::{pattern}: no such test in {file}")
    for file in WHOLE_FILE.findall(text):
        if not (TESTS / file).is_file():
            wrong.append(f"{file}: no such file in tests/")
    return wrong


def test_every_test_the_reliability_page_cites_exists():
    text = RELIABILITY.read_text(encoding="utf-8")
    found = citations(text)
    assert found, "no citation found: has their form changed?"
    assert len(found) == text.count("::"), "a citation this test cannot read"
    wrong = wrong_citations(text)
    assert wrong == [], "\n".join(wrong)


def test_a_wrong_citation_is_caught():
    good = ("`test_backup.py::test_restore_refuses_*`, "
            "`test_undo.py::test_undo_is_recorded_in_the_history`, `test_plan_errors.py`")
    assert wrong_citations(good) == []
    assert wrong_citations("`test_backup.py::test_restore_refuses_nothing_*`") == [
        "test_backup.py::test_restore_refuses_nothing_*: no such test in test_backup.py"]
    assert wrong_citations("`test_undo.py::test_undo_is_recorded`") == [
        "test_undo.py::test_undo_is_recorded: no such test in test_undo.py"]
    assert wrong_citations("`test_nowhere.py::test_anything`") == [
        "test_nowhere.py::test_anything: no such file in tests/"]
    assert wrong_citations("`test_nowhere.py`") == ["test_nowhere.py: no such file in tests/"]
    # a helper or a fixture is not a test
    assert wrong_citations("`test_undo.py::task`") == [
        "test_undo.py::task: no such test in test_undo.py"]
