"""The one message function: every word a person reads goes through ``t()``.

Catalogues are TOML files in ``jtdj/locales/`` (``zh.toml``, ``en.toml``): tables of
``key = "text"`` with ``{name}`` placeholders; ``[error] bad_id`` is the key ``error.bad_id``. A third language is one more file. JSON/CSV keys, ids and
exit codes never go through here: they are a contract, not words.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import tomli

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LANG = "zh"

_current = DEFAULT_LANG


def available_languages() -> list[str]:
    return sorted(p.stem for p in LOCALES_DIR.glob("*.toml"))


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    with open(LOCALES_DIR / f"{lang}.toml", "rb") as fh:
        return dict(_flatten(tomli.load(fh)))


def _flatten(table: dict, prefix: str = ""):
    """``[error] bad_id = "…"`` in the file is the key ``error.bad_id`` in code."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def set_language(lang: str | None) -> str:
    """Make ``lang`` the interface language (unknown or empty: the default, Chinese)."""
    global _current
    lang = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    _current = lang if lang and (LOCALES_DIR / f"{lang}.toml").exists() else DEFAULT_LANG
    return _current


def language() -> str:
    return _current


def language_from_environment(flag: str | None, config_lang: str | None) -> str:
    """--lang, else JTDJ_LANG, else the config file, else a locale starting with "en", else zh."""
    for candidate in (flag, os.environ.get("JTDJ_LANG"), config_lang):
        if candidate:
            return candidate
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "en" if value.lower().startswith("en") else DEFAULT_LANG
    return DEFAULT_LANG


def t(key: str, /, **values: object) -> str:
    """The text for ``key`` in the current language, with ``{name}`` placeholders filled."""
    text = catalogue(_current).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANG).get(key, key)
    return text.format(**values) if values else text
