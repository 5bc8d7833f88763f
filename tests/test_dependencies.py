"""Everything the package imports is either the standard library or a declared dependency.

A fresh `pip install .` only brings what pyproject.toml declares; an import that the test
environment happens to have (say typing_extensions) would break a real install.
"""

import ast
import sys

import tomli

from conftest import ROOT

# distribution name -> the module it provides, where they differ
MODULE_OF = {"sqlite-utils": "sqlite_utils", "python-docx": "docx"}
# click: only imported by cli.main's fallback for typer versions that parse with the click package
TOLERATED = {"click"}


def declared_modules() -> set[str]:
    project = tomli.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    specs = (list(project["dependencies"]) + list(extras["excel"]) + list(extras["web"])
             + list(extras["draft"]))
    names = {spec.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip() for spec in specs}
    return {MODULE_OF.get(n, n.replace("-", "_")) for n in names}


def imported_modules() -> dict[str, str]:
    found = {}
    for path in sorted((ROOT / "jtdj").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], path.name)
    return found


def test_every_third_party_import_is_a_declared_dependency():
    declared = declared_modules() | TOLERATED
    undeclared = {module: where for module, where in imported_modules().items()
                  if module not in sys.stdlib_module_names and module != "jtdj"
                  and module not in declared}
    assert undeclared == {}, f"imported but not in pyproject dependencies: {undeclared}"


def test_the_check_sees_the_real_dependencies():
    imported = imported_modules()
    assert {"typer", "rich", "sqlite_utils", "tomli", "platformdirs"} <= set(imported)


def test_the_check_sees_the_draft_readers_of_the_draft_extra():
    imported = imported_modules()
    assert {"docx", "pdfplumber"} <= set(imported)
    assert {"docx", "pdfplumber"} <= declared_modules()
