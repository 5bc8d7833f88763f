"""On Linux the user folders follow the XDG rule without importing platformdirs; they must be
the folders platformdirs gives, or an upgrade would lose the user's config and database."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from jtdj import config

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux rule")


@pytest.mark.parametrize("xdg", ["set", "blank", "unset"])
def test_linux_user_dirs_are_those_of_platformdirs(monkeypatch, tmp_path, xdg):
    import platformdirs

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        if xdg == "set":
            monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
        elif xdg == "blank":
            monkeypatch.setenv(variable, "  ")
        else:
            monkeypatch.delenv(variable, raising=False)
    assert config._user_config_dir() == Path(platformdirs.user_config_dir("jtdj", appauthor=False))
    assert config._user_data_dir() == Path(platformdirs.user_data_dir("jtdj", appauthor=False))
