"""A non-editable install in a fresh virtualenv, run outside the checkout, finds the bundled plan.

The wheel is built from this checkout and installed without its dependencies (no network); the
new environment borrows the dependencies already installed for the tests through a .pth file.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import tomli

from conftest import PLAN_2022, ROOT

pytestmark = pytest.mark.slow


def _run(args, cwd, env, timeout=180):
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin directory, clean environment) of a venv holding only the built wheel of jtdj."""
    base = tmp_path_factory.mktemp("install")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
           and not k.startswith("JTDJ_")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"

    wheels = base / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, ROOT]
    if importlib.util.find_spec("hatchling") is not None:
        build.insert(4, "--no-build-isolation")  # offline: use the installed backend
    _run(build, cwd=base, env=env)
    [wheel] = wheels.glob("jtdj-*.whl")

    venv = base / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=base, env=env)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    _run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel], cwd=base,
         env=env)

    # the dependencies, borrowed from the test environment: a .pth line adds a directory to
    # sys.path (after the venv's own site-packages) but does not run that directory's own .pth
    # files, so an editable jtdj installed there stays out of sight
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=base, env=env).stdout.strip())
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "zz_borrowed_deps.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    return bin_dir, python, env, base


def test_installed_jtdj_lists_the_bundled_plan_outside_the_checkout(installed, tmp_path):
    bin_dir, python, env, _base = installed
    env = {**env, "JTDJ_DB": str(tmp_path / "db" / "jtdj.db"), "JTDJ_TODAY": "2022-07-01",
           "JTDJ_CONFIG": str(tmp_path / "config.toml")}
    where = _run([python, "-c", "import jtdj, jtdj.importer as i;"
                  " print(jtdj.__file__); print(i.bundled_plan_path())"], cwd=tmp_path, env=env)
    module_file, plan_file = (Path(line) for line in where.stdout.splitlines())
    assert ROOT not in module_file.parents, "the checkout is importable: the test proves nothing"
    assert bin_dir.parent in module_file.parents
    assert bin_dir.parent in plan_file.parents and plan_file.is_file()

    script = bin_dir / ("jtdj.exe" if os.name == "nt" else "jtdj")
    listed = _run([script, "list", "--status", "all", "--format", "json"], cwd=tmp_path, env=env)
    with PLAN_2022.open("rb") as fh:
        plan = tomli.load(fh)
    # in the file's order; a recurring task (4.5 and its family) as its occurrences begun by
    # 07-01, the plan issued 05-09: 4.5@2022-Q2 and -Q3, 4.11@2022-05 to -07, 4.13@2022-Y …
    begun = {"quarter": ["2022-Q2", "2022-Q3"], "month": ["2022-05", "2022-06", "2022-07"],
             "year": ["2022-Y"]}
    assert str(plan["plan"]["issued"]) == "2022-05-09"
    expected = [f"{i['no']}.{t['no']}" + (f"@{period}" if period else "")
                for s in plan["sections"] for i in s["items"] for t in i["tasks"]
                for period in (begun[t["every"]] if "every" in t else [None])]
    assert [r["id"] for r in json.loads(listed.stdout)] == expected
    assert "2022" in listed.stderr  # the first-run import says so

    helped = _run([python, "-m", "jtdj", "--help"], cwd=tmp_path, env=env)
    assert "import" in helped.stdout
