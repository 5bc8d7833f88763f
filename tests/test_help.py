"""Guard tests that keep the command-line surface honest: help with an example for every command,
help for every option, `python -m jtdj`, `--version`; help pages that fit 80 columns in the
interface language, and usage errors in it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from jtdj import __version__
from jtdj.cli import COMMAND_MODULES


def _commands():
    import typer

    from jtdj.cli import full_app

    group = typer.main.get_command(full_app())
    return group, group.commands


def test_there_are_commands():
    _, commands = _commands()
    assert {"import", "list", "tree", "show", "done", "export"} <= set(commands)


def test_every_command_has_help_with_an_example():
    _, commands = _commands()
    missing = [name for name, cmd in commands.items()
               if not (cmd.help or "").strip() or not any(w in cmd.help for w in ("示例", "Example"))]
    assert missing == []


def test_every_option_and_argument_has_help():
    group, commands = _commands()
    missing = []
    for name, cmd in [("(global)", group), *commands.items()]:
        for param in cmd.params:
            if param.param_type_name == "option" and param.hidden:
                continue
            if not (getattr(param, "help", None) or "").strip():
                missing.append(f"{name} {param.name}")
    assert missing == []


def test_every_command_help_page_renders(run):
    _, commands = _commands()
    for name in commands:
        result = run(name, "--help")
        assert result.exit_code == 0, (name, result.output)
        assert name in result.stdout


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JTDJ_", "LC_", "LANG"))}
    env.update(extra)
    return env


@pytest.mark.slow
def test_python_dash_m_jtdj_help(tmp_path):
    result = subprocess.run([sys.executable, "-m", "jtdj", "--help"], capture_output=True,
                            text=True, encoding="utf-8", env=_env(JTDJ_DB=str(tmp_path / "x.db")),
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "export" in result.stdout and "示例" in result.stdout
    assert not (tmp_path / "x.db").exists()  # help never touches the database


@pytest.mark.slow
def test_help_in_english_from_the_environment(tmp_path):
    result = subprocess.run([sys.executable, "-m", "jtdj", "export", "--help"],
                            capture_output=True, text=True, encoding="utf-8",
                            env=_env(JTDJ_LANG="en", JTDJ_DB=str(tmp_path / "x.db")), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Example" in result.stdout and "示例" not in result.stdout


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"jtdj {__version__}"


# --- help and usage errors in the interface language, at 80 columns ---------------------------

WIDTH = 80
# literal names a Chinese help page may hold besides options, choices and examples: file formats
# and protocols, programs, a folder, a default host
LITERALS = {"jtdj", "TOML", "SMTP", "HTML", "ISO", "RFC", "CSV", "sendmail", "openpyxl", "backups",
            "LibreOffice", "xls", "et",
            "localhost"}


@pytest.fixture(scope="module")
def help_pages(tmp_path_factory) -> dict[str, dict[str, str]]:
    """Every help page (the top one as "(top)") as `python -m jtdj … --help` prints it at
    COLUMNS=80, by language."""
    _, commands = _commands()
    tmp = tmp_path_factory.mktemp("help")
    pages: dict[str, dict[str, str]] = {"zh": {}, "en": {}}
    for lang, name in [(lang, name) for lang in pages for name in ["", *commands]]:
        argv = [name, "--help"] if name else ["--help"]
        result = subprocess.run([sys.executable, "-m", "jtdj", *argv], capture_output=True,
                                text=True, encoding="utf-8", timeout=60,
                                env=_env(JTDJ_LANG=lang, COLUMNS=str(WIDTH),
                                         JTDJ_DB=str(tmp / "x.db"),
                                         JTDJ_CONFIG=str(tmp / "config.toml")))
        assert result.returncode == 0, (lang, name, result.stderr)
        pages[lang][name or "(top)"] = result.stdout
    assert not (tmp / "x.db").exists()  # help never touches the database
    return pages


def _entries(page: str) -> list[str]:
    """The page's entries, each on one line: the usage line, a heading, a paragraph of text, one
    row of a list (an option or a command with its wrapped help)."""
    entries: list[str] = [""]
    in_list = False
    for line in page.splitlines():
        body, indent = line.strip(), len(line) - len(line.lstrip())
        if not body:
            entries.append("")
            continue
        if indent == 0:
            in_list = not body.startswith(("用法", "Usage"))
        if indent == 0 or (in_list and indent == 2) or not entries[-1]:
            entries.append(body)
        else:
            entries[-1] += " " + body
    return [e for e in entries if e]


def _english_words(page: str, allowed: set[str]) -> list[str]:
    """English words a person reads on the page, leaving out what is typed as written: option
    names, choice lists (<table|json>, none|starttls|ssl), examples (after 示例：or 例如),
    JTDJ_* variables, config keys ([smtp] host), and the ``allowed`` names."""
    found = []
    for entry in _entries(page):
        entry = re.split("示例：|例如", entry)[0]
        entry = re.sub(r"(?<![\w-])--?[A-Za-z][\w-]*", " ", entry)
        entry = re.sub(r"[<\[{]?[\w.-]+(?:\|[\w.-]+)+[>\]}]?", " ", entry)
        entry = re.sub(r"\bJTDJ_\w+|\[\w+\]\s+\w+", " ", entry)
        found += [w for w in re.findall(r"[A-Za-z][A-Za-z_']*[A-Za-z]", entry) if w not in allowed]
    return found


def _typed_names() -> set[str]:
    """Command names and every choice value: the words a clerk types, in any language."""
    group, commands = _commands()
    names = set(commands) | {"zh", "en"}
    for cmd in commands.values():  # a command's subcommands (`units add`)
        names |= set(getattr(cmd, "commands", {}))
    for cmd in [group, *commands.values()]:
        for param in cmd.params:
            names |= {str(getattr(c, "value", c)) for c in getattr(param.type, "choices", None) or []}
    return names


def _width(line: str) -> int:
    from jtdj.render.text import display_width

    return display_width(line)


@pytest.mark.slow
def test_every_help_page_fits_80_columns_without_a_broken_word(help_pages):
    """In both languages: no line wider than the terminal (a Chinese character takes two
    columns), every option name whole, the usage line first."""
    group, commands = _commands()
    problems = []
    for lang, name, page in [(lang, n, p) for lang in help_pages
                             for n, p in help_pages[lang].items()]:
        problems += [f"{lang} {name}: {_width(line)} columns: {line}"
                     for line in page.splitlines() if _width(line) > WIDTH]
        cmd = commands.get(name, group)
        options = [opt for param in cmd.params for opt in param.opts if opt.startswith("--")]
        problems += [f"{lang} {name}: {opt} is cut" for opt in [*options, "--help"]
                     if not re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", page)]
        usage = ("用法：jtdj" if lang == "zh" else "Usage: jtdj") + (f" {name}" if cmd is not group else "")
        if not page.startswith(usage + " "):
            problems.append(f"{lang} {name}: usage line {page.splitlines()[0]!r}")
    assert problems == []


@pytest.mark.slow
def test_help_speaks_the_interface_language(help_pages):
    """Under zh click's framing words (用法、参数、选项、命令、[必填]、[默认：…]) and the argument
    names (编号, 日期, 文字 …) are Chinese; what stays in ASCII is what the clerk types. Under en
    they are click's own."""
    allowed = LITERALS | _typed_names()
    pages = help_pages["zh"]
    leaks = {name: words for name, page in pages.items()
             if (words := _english_words(page, allowed))}
    assert leaks == {}
    assert "选项：" in pages["list"] and "显示此帮助并退出" in pages["list"]
    assert "[必填]" in pages["use"] and "[默认：0]" in pages["(top)"]
    assert "用法：jtdj show [选项] {编号...}" in pages["show"]
    assert "用法：jtdj [选项] 命令 [参数]..." in pages["(top)"]
    pages = help_pages["en"]
    assert pages["show"].startswith("Usage: jtdj show [OPTIONS] {ID...}\n")
    assert "Options:" in pages["list"] and "Show this message and exit." in pages["list"]
    assert "[required]" in pages["use"] and "[default: 0]" in pages["(top)"]
    assert "Commands:" in pages["(top)"] and "命令" not in pages["(top)"]


def test_help_in_process_fits_and_speaks_chinese(run):
    result = run("list", "--help")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "用法：jtdj list [选项]"
    assert max(_width(line) for line in lines) <= WIDTH
    assert "--owner 单位" in result.stdout and "--due-before 日期" in result.stdout
    assert "[默认：id]" in result.stdout and "[不小于 0]" in result.stdout


def test_wrapping_measures_display_width_and_keeps_words_whole():
    from jtdj.cli.help import fill

    text = ("以该日期为“今天”（也可用 JTDJ_TODAY），如 2022-07-01。示例：jtdj list --owner 组织科 "
            "--status open  [默认：id]")
    for width in range(18, 60):  # from where the longest word fits beside its punctuation
        lines = fill(text, width, "  ", "    ").splitlines()
        assert all(_width(line) <= width for line in lines), (width, lines)
        words = {w for line in lines for w in re.findall(r"[!-~]+", line)}
        assert {"JTDJ_TODAY", "2022-07-01", "--owner", "--status", "list"} <= words, (width, lines)
        assert not any(line.lstrip()[:1] in "，。）”：" for line in lines), (width, lines)
        assert not any(line.rstrip()[-1:] in "（“[" for line in lines), (width, lines)
        assert "".join(re.sub(r"\s", "", line) for line in lines) == re.sub(r"\s", "", text)


@pytest.mark.parametrize("argv", [["--help"], [], ["-h", "list"], ["--by", "x", "--help", "units"]],
                         ids=" ".join)
@pytest.mark.parametrize("lang,columns", [("zh", "80"), ("en", "80"), ("en", "132")])
def test_the_apps_help_lists_every_command_as_the_full_app_does(tmp_path, argv, lang, columns):
    """`jtdj --help` is built from the commands' names and help lines alone
    (``cli._listing_app``, ``cli.COMMAND_HELP``): the same page as the full app's, every
    command in it, in the language asked for, whatever follows the flag. Each in a fresh
    interpreter, as the help lines are made in the language of the first import."""
    env = _env(COLUMNS=columns, JTDJ_LANG=lang, JTDJ_DB=str(tmp_path / "x.db"))

    def page(full: bool) -> subprocess.CompletedProcess:
        swap = "c._listing_app = c.full_app; " if full else ""
        code = f"import sys, jtdj.cli as c; {swap}sys.argv = ['jtdj', *sys.argv[1:]]; c.main()"
        return subprocess.run([sys.executable, "-c", code, *argv], capture_output=True,
                              text=True, encoding="utf-8", env=env, timeout=60)

    listed, full = page(False), page(True)
    assert listed.returncode == full.returncode == 0, listed.stderr + full.stderr
    assert listed.stdout == full.stdout
    assert all(f"\n  {name} " in listed.stdout for name in COMMAND_MODULES)
    assert ("Commands" if lang == "en" else "命令") in listed.stdout


def test_bare_jtdj_prints_the_help_and_succeeds(run):
    result = run()
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("用法：jtdj [选项] 命令 [参数]...")
    assert "命令：" in result.stdout and result.stderr == ""


@pytest.mark.slow
def test_bare_jtdj_exits_0_in_a_subprocess(tmp_path):
    result = subprocess.run([sys.executable, "-m", "jtdj"], capture_output=True, text=True,
                            encoding="utf-8", env=_env(JTDJ_DB=str(tmp_path / "x.db")), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "用法：" in result.stdout and "list" in result.stdout


def test_an_unknown_command_suggests_the_closest_one_in_chinese(run):
    result = run("lsit")
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：没有命令 “lsit”，是否要用 “list”？")
    far = run("xyzzy")
    assert far.exit_code == 2 and "没有命令 “xyzzy”" in far.stderr and "是否要用" not in far.stderr
    en = run("--lang", "en", "lsit")
    assert en.exit_code == 2 and "no such command 'lsit' (did you mean 'list'?)" in en.stderr


@pytest.mark.parametrize("args, name", [
    (("show",), "编号"), (("done",), "编号"), (("due",), "编号"), (("note", "5.2"), "文字"),
    (("add",), "条目"), (("add", "5"), "名称"), (("use",), "代号"), (("restore",), "路径"),
])
def test_a_missing_argument_is_named_in_chinese(run, args, name):
    result = run(*args)
    assert result.exit_code == 2
    message = result.stderr.splitlines()[0]
    assert f"缺少参数：{name} " in message, message
    assert not re.search(r"[A-Z]{2,}", message.split("（运行")[0]), message


def test_a_bracketed_note_is_never_broken(tmp_path):
    """[必填] moves to the next line whole rather than split as [必|填]."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    env = {**os.environ, "COLUMNS": "80", "JTDJ_LANG": "zh", "JTDJ_DB": str(tmp_path / "j.db")}
    page = subprocess.run([sys.executable, "-m", "jtdj", "done", "--help"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60).stdout
    assert "[必填]" in page and "[必" not in page.replace("[必填]", "")
