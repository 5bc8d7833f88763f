"""The one message function: every word a person reads goes through ``t()``.

Catalogues are TOML files in ``jtdj/locales/`` (``zh.toml``, ``en.toml``): tables of
``key = "text"`` with ``{name}`` placeholders; ``[error] bad_id`` is the key ``error.bad_id``.
A third language is one more file. JSON/CSV keys, ids and exit codes never go through here:
they are a contract, not words.

The TOML files are the source. ``python -m jtdj.i18n`` compiles each into a flat
``<lang>.json`` beside it (as gettext compiles .po to .mo), which is read on every run instead
of parsing TOML (bench/README.md). A test keeps the two in step.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LANG = "zh"

_current = DEFAULT_LANG


def available_languages() -> list[str]:
    return sorted(p.stem for p in LOCALES_DIR.glob("*.toml"))


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    compiled = LOCALES_DIR / f"{lang}.json"
    if compiled.exists():
        import json

        with open(compiled, encoding="utf-8") as fh:
            return json.load(fh)
    return source_catalogue(lang)


def source_catalogue(lang: str) -> dict[str, str]:
    """The catalogue read from its TOML source."""
    import tomli

    with open(LOCALES_DIR / f"{lang}.toml", "rb") as fh:
        return dict(_flatten(tomli.load(fh)))


def compile_catalogues() -> list[Path]:
    """Write ``<lang>.json`` for every ``<lang>.toml``; run after editing a catalogue."""
    import json

    written = []
    for lang in available_languages():
        target = LOCALES_DIR / f"{lang}.json"
        text = json.dumps(source_catalogue(lang), ensure_ascii=False, indent=0, sort_keys=True)
        target.write_text(text + "\n", encoding="utf-8")
        written.append(target)
    catalogue.cache_clear()
    return written


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


if __name__ == "__main__":
    for path in compile_catalogues():
        print(path)
