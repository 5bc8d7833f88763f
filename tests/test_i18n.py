"""Chinese (default) and English interface: what chooses the language, no words of the other
language leaking into either, and machine output that does not change with the language."""

from __future__ import annotations

import re
import string

import pytest
from conftest import PLAN_2022

from jtdj.i18n import LOCALES_DIR, available_languages, catalogue, source_catalogue

AS_OF = "2022-07-20"
PLAN_TEXT = PLAN_2022.read_text(encoding="utf-8")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _words(lang: str, prefixes=("status.", "light.", "col.")) -> list[str]:
    """Interface words of ``lang`` that the plan's own text does not contain."""
    words = [v for k, v in catalogue(lang).items() if k.startswith(prefixes)]
    return sorted({w for w in words if w not in PLAN_TEXT})


ZH_WORDS = _words("zh") + ["错误", "没有", "缺少", "无效", "运行"]
EN_WORDS = ["to do", "doing", "done", "dropped", "overdue", "due soon", "on track", "closed",
            "Error", "Task", "Owner", "Status", "Due", "Title", "Progress", "Usage", "Try",
            "No such", "no such", "Invalid", "invalid", "Missing", "missing", "not one of",
            "expected", "unknown field", "closest", "unexpected"]


def _leaks(text: str, words: list[str]) -> list[str]:
    found = []
    for w in words:
        pattern = re.escape(w) if CJK.search(w) else rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])"
        if re.search(pattern, text):
            found.append(w)
    return found


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# --- the catalogues ----------------------------------------------------------------------------

def test_every_language_has_exactly_the_same_keys_and_placeholders():
    languages = available_languages()
    assert {"zh", "en"} <= set(languages)
    zh = catalogue("zh")
    for lang in languages:
        other = catalogue(lang)
        assert sorted(set(zh) - set(other)) == [], f"missing in {lang}.toml"
        assert sorted(set(other) - set(zh)) == [], f"only in {lang}.toml"
        differing = {k: (_placeholders(zh[k]), _placeholders(other[k]))
                     for k in zh if _placeholders(zh[k]) != _placeholders(other[k])}
        assert differing == {}, f"placeholders differ in {lang}.toml"


def test_every_message_is_a_non_empty_string_in_its_own_language():
    for key, text in catalogue("en").items():
        assert isinstance(text, str) and text.strip(), key
    zh = catalogue("zh")
    # words for people (not sample commands or units) are written in Chinese
    for key in [k for k in zh if k.startswith(("status.", "light.", "col.", "error.", "export.col."))]:
        if key in ("error.os",):
            continue
        assert CJK.search(zh[key]), f"{key} = {zh[key]!r} has no Chinese"


# The compiled catalogues (jtdj/locales/*.json, read at run time) match their TOML sources.
# After editing a catalogue run `python -m jtdj.i18n` to compile it again.

def test_every_catalogue_is_compiled_and_up_to_date():
    languages = available_languages()
    assert {"zh", "en"} <= set(languages)
    for lang in languages:
        assert (LOCALES_DIR / f"{lang}.json").exists(), f"run: python -m jtdj.i18n ({lang})"
        catalogue.cache_clear()
        assert catalogue(lang) == source_catalogue(lang), f"run: python -m jtdj.i18n ({lang})"


# --- no leaks, both ways -----------------------------------------------------------------------

@pytest.fixture
def plan22_in_every_status(run, imported):
    """The bundled plan with a task done, one started, one dropped and an owner set (so every
    status and light word shows)."""
    for args in (("done", "5.2", "--on", "2022-06-30"), ("start", "5.3"),
                 ("drop", "5.4", "--reason", "merged"), ("assign", "--new-unit", "5.1", "--to", "Office")):
        assert run("--as-of", "2022-07-01", *args).exit_code == 0
    return run


READING = [("list", "-f", "table", "--status", "all"), ("show", "5.2", "-f", "table"),
           ("show", "5", "-f", "table"), ("tree", "-f", "table"), ("history", "-f", "table")]


@pytest.mark.parametrize("args", READING, ids=lambda a: " ".join(a))
def test_reading_commands_speak_one_language(plan22_in_every_status, run, args):
    en = run("--lang", "en", "--as-of", AS_OF, *args)
    assert en.exit_code == 0, en.output
    assert _leaks(en.output, ZH_WORDS) == []
    zh = run("--as-of", AS_OF, *args)  # Chinese is the default
    assert zh.exit_code == 0, zh.output
    assert _leaks(zh.output, EN_WORDS) == []
    assert en.output != zh.output


def test_status_and_light_words_appear_in_the_chosen_language(plan22_in_every_status, run):
    en = run("--lang", "en", "--as-of", AS_OF, "list", "-f", "table", "--status", "all").stdout
    assert all(w in en for w in ("to do", "doing", "done", "dropped", "overdue", "closed"))
    zh = run("--as-of", AS_OF, "list", "-f", "table", "--status", "all").stdout
    assert all(w in zh for w in ("未开始", "推进中", "已完成", "已调整", "逾期", "已结"))


ERRORS = [
    ("list", "--bogus"), ("list", "--stat", "x"), ("list", "--status", "someday"),
    ("note", "5.2", "x", "--percent", "200"), ("assign", "--new-unit", "5.2"), ("show", "5.2", "extra"),
    ("nosuchcommand",), ("done", "99.9"), ("done", "abc"), ("due", "5.2", "someday"),
    ("export", "--format", "xlsx"),
]


def _words_only(message: str) -> str:
    """The message without what the user may type: choices (todo|doing) and date examples."""
    message = re.sub(r"[a-z]+(\|[a-z]+)+", "", message)
    return re.sub(r"(\d+年)?\d+月\d+日", "", message)


@pytest.mark.parametrize("args", ERRORS, ids=lambda a: " ".join(a))
def test_errors_speak_one_language(plan22_in_every_status, run, args):
    en = run("--lang", "en", *args)
    zh = run(*args)
    assert en.exit_code == zh.exit_code != 0
    assert en.stderr.startswith("Error: ") and zh.stderr.startswith("错误：")
    assert CJK.findall(_words_only(en.stderr)) == [], en.stderr
    assert _leaks(_words_only(zh.stderr), EN_WORDS) == [], zh.stderr


def test_plan_file_errors_speak_one_language(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[plan]\nkey = "x y"\ntitel = "t"\n\n[[sections]]\nno = "one"\ntitle = "s"\n',
                   encoding="utf-8")
    en, zh = run("--lang", "en", "import", bad), run("import", bad)
    assert en.exit_code == zh.exit_code == 2
    assert "titel" in en.stderr and "titel" in zh.stderr
    assert CJK.findall(en.stderr) == [], en.stderr
    assert _leaks(zh.stderr, EN_WORDS) == [], zh.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text("[plan\n", encoding="utf-8")
    en = run("--lang", "en", "import", broken)
    assert en.exit_code == 2 and "line 1" in en.stderr
    zh = run("import", broken)
    assert zh.exit_code == 2 and "第 1 行" in zh.stderr.replace("第1行", "第 1 行")


# --- what chooses the language -----------------------------------------------------------------

def _status_line(run, *args, env=None):
    result = run("--as-of", AS_OF, *args, "list", "-f", "table", "--status", "done", env=env)
    assert result.exit_code == 0, result.output
    return "en" if "done" in result.stdout else "zh" if "已完成" in result.stdout else "?"


def test_language_sources_in_order(plan22_in_every_status, run, tmp_path, monkeypatch):
    assert _status_line(run) == "zh"  # no locale at all (cron): Chinese
    assert _status_line(run, env={"LANG": "en_US.UTF-8"}) == "en"
    assert _status_line(run, env={"LANG": "zh_CN.UTF-8"}) == "zh"
    assert _status_line(run, env={"LANG": "C.UTF-8"}) == "zh"
    assert _status_line(run, env={"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    config = tmp_path / "config.toml"
    config.write_text('lang = "en"\n', encoding="utf-8")
    assert _status_line(run) == "en"  # the config file
    assert _status_line(run, env={"LANG": "zh_CN.UTF-8"}) == "en"  # config beats the locale
    assert _status_line(run, env={"JTDJ_LANG": "zh"}) == "zh"  # JTDJ_LANG beats the config
    assert _status_line(run, env={"JTDJ_LANG": "en"}) == "en"
    assert _status_line(run, "--lang", "zh", env={"JTDJ_LANG": "en"}) == "zh"  # the flag wins
    config.write_text("", encoding="utf-8")
    assert _status_line(run, env={"JTDJ_LANG": "en"}) == "en"


# --- machine output is a contract --------------------------------------------------------------

MACHINE = [("list", "-f", "json", "--status", "all"), ("list", "-f", "tsv"),
           ("list", "-f", "csv"), ("show", "5.2", "-f", "json"), ("show", "5", "-f", "json"),
           ("tree", "-f", "json"), ("history", "-f", "json"), ("export", "-f", "json"),
           ("export", "-f", "csv"), ("export", "-f", "toml")]


@pytest.mark.parametrize("args", MACHINE, ids=lambda a: " ".join(a))
def test_machine_output_is_the_same_in_every_language(plan22_in_every_status, run, args):
    zh = run("--as-of", AS_OF, *args)
    en = run("--lang", "en", "--as-of", AS_OF, *args)
    assert zh.exit_code == en.exit_code == 0, en.output
    assert zh.stdout == en.stdout
