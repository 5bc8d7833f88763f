"""Help pages measured by display width and written in the interface language.

click lays out help with ``len``: a Chinese character takes two columns, so lines ran past
the terminal and words were cut in the middle (``jtdj lis|t``, ``[requir|ed]``). Here:

- ``HelpFormatter`` measures with ``render.text.display_width`` and wraps at spaces and between
  Chinese characters, never inside an ASCII word (an option, an id, a date) unless the word alone
  is wider than the line, nor before closing or after opening punctuation. It also writes
  click's and typer's own words (Usage, Options, [required], [default: 0], the --help line)
  from the catalogue.
- ``Group`` is the app's click class (``APP_SETTINGS["cls"]``): it hands itself and each command
  the ``Context`` that makes this formatter, writes [OPTIONS] and COMMAND in the interface
  language, gives a parameter declared without a metavar one from the catalogue, and lists the
  commands in lines that fit.

Importing this module costs a few class statements: what measures text is imported when a help
page is formatted.
"""

from __future__ import annotations

import re

try:  # typer 0.2x parses with its own copy of click
    from typer import _click as click
except ImportError:  # older typer uses the click package
    import click
from typer.core import TyperGroup

from jtdj.i18n import t

# The patterns below are kept as text: re compiles one when it is first used, so a command that
# shows no help does not pay for them.

# Chinese line breaking: these never start a line, those never end one.
_NO_START = set("，。、；：？！）」』”’》〉】〕｝,.;:?!)]}…—·%％")
_NO_END = set("（「『“‘《〈【〔｛([{")
# a run of spaces, a short bracketed note ([必填], [默认：id]) kept whole, an ASCII word, or one
# other character
_UNIT = r"(?s)\s+|\[[^\[\]\s]{1,16}\]|[!-~]+|."

# click's and typer's own words, as they reach the formatter, and their catalogue keys
_HEADINGS = {"Arguments": "help.arguments", "Options": "help.options",
             "Commands": "help.commands"}
_SENTENCES = {
    "Show this message and exit.": "help.help_option",
    "Install completion for the current shell.": "help.install_completion",
    "Show completion for the current shell, to copy it or customize the installation.":
        "help.show_completion",
}
_EXTRA = r"(?s)^(?P<help>.*?)(?:  )?\[(?P<extra>[^\[\]]+)\]$"
_RANGES = [(r"^x>=(?P<min>\S+)$", "help.range_min"), (r"^x<=(?P<max>\S+)$", "help.range_max"),
           (r"^(?P<min>[^<>=x]+)<=x<=(?P<max>\S+)$", "help.range_between")]
# the metavar of a parameter declared without one, by its type's name (typer's click, click)
_TYPE_METAVARS = {"int": "metavar.integer", "integer": "metavar.integer",
                  "int range": "metavar.integer", "integer range": "metavar.integer",
                  "text": "metavar.text", "str": "metavar.text", "path": "metavar.path",
                  "filename": "metavar.path"}
_SENTENCE_END = r"[。！？]|[.!?](?=\s)"


def _width(text: str) -> int:
    from jtdj.render.text import display_width

    return display_width(text)


# --- wrapping by display width ---------------------------------------------------------------

def fill(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """``text`` as lines no wider than ``width`` columns (the indents included). Each unit is
    measured once and the line's width kept as a sum (a help page has some 40 paragraphs)."""
    lines: list[str] = []
    indent = initial_indent
    line: list[tuple[str, str]] = []  # the current line's units, each with the space before it
    sizes: list[int] = []  # each unit's width with its space
    used = _width(indent)
    space = ""
    for unit in re.findall(_UNIT, text):
        if unit.isspace():
            space = " " * len(unit.replace("\n", " "))
            continue
        line.append((space if line else "", unit))
        sizes.append(len(line[-1][0]) + _width(unit))
        used += sizes[-1]
        space = ""
        while len(line) > 1 and used > width:
            cut = _break(line)
            lines.append(indent + _join(line[:cut]))
            indent = subsequent_indent
            line = [("", line[cut][1]), *line[cut + 1:]]
            sizes = [_width(line[0][1]), *sizes[cut + 1:]]
            used = _width(indent) + sum(sizes)
        if used > width:  # one unit wider than a line: cut by character
            *parts, last = _fold(line[0][1], width - _width(indent))
            for part in parts:
                lines.append(indent + part)
                indent = subsequent_indent
            line, sizes = [("", last)], [_width(last)]
            used = _width(indent) + sizes[0]
    if not line:
        return "\n".join(lines)
    return "\n".join([*lines, indent + _join(line)])


def _break(line: list[tuple[str, str]]) -> int:
    """Where to break a line one unit too wide: before its last unit, or before an earlier one
    so that no line starts with closing punctuation nor ends with an opening one."""
    def bad(cut: int) -> bool:
        space, unit = line[cut]
        return (not space and unit[0] in _NO_START) or line[cut - 1][1][-1] in _NO_END

    cut = len(line) - 1
    while cut > 1 and bad(cut):
        cut -= 1
    return len(line) - 1 if bad(cut) else cut


def _join(units: list[tuple[str, str]]) -> str:
    return "".join(space + unit for space, unit in units)


def _fold(word: str, width: int) -> list[str]:
    parts, part = [], ""
    for ch in word:
        if part and _width(part + ch) > max(width, 1):
            parts.append(part)
            part = ""
        part += ch
    return [*parts, part]


def wrap_text(text: str, width: int = 78, initial_indent: str = "", subsequent_indent: str = "",
              preserve_paragraphs: bool = False) -> str:
    """click's ``wrap_text`` (paragraphs, their indents, the ``\\b`` no-rewrap marker), measured
    by display width."""
    text = text.expandtabs()
    if not preserve_paragraphs:
        return fill(text, width, initial_indent, subsequent_indent)
    paragraphs: list[tuple[int, bool, str]] = []
    buf: list[str] = []
    indent = None

    def flush() -> None:
        if buf:
            if buf[0].strip() == "\b":
                paragraphs.append((indent or 0, True, "\n".join(buf[1:])))
            else:
                paragraphs.append((indent or 0, False, " ".join(buf)))
            buf.clear()

    for line in text.splitlines():
        if not line:
            flush()
            indent = None
        else:
            if indent is None:
                indent = len(line) - len(line.lstrip())
                line = line.lstrip()
            buf.append(line)
    flush()
    out = []
    for extra, raw, body in paragraphs:
        first, rest = initial_indent + " " * extra, subsequent_indent + " " * extra
        if raw:
            out.append("\n".join((first if i == 0 else rest) + line
                                 for i, line in enumerate(body.splitlines())))
        else:
            out.append(fill(body, width, first, rest))
    return "\n\n".join(out)


# --- click's words in the interface language ---------------------------------------------------

def translate(help_text: str) -> str:
    """A parameter's help as click wrote it, with click's own words from the catalogue: the
    --help and completion lines, and the [default: …; required] after the help."""
    if help_text in _SENTENCES:
        return t(_SENTENCES[help_text])
    match = re.match(_EXTRA, help_text)
    if not match or (match["help"] and not help_text[match.end("help"):].startswith("  [")):
        return help_text
    parts = [_extra(part) for part in match["extra"].split("; ")]
    if None in parts:  # not click's: a help text that happens to end in brackets
        return help_text
    body = _SENTENCES.get(match["help"])
    head = t(body) if body else match["help"]
    extra = "[" + t("help.extra_sep").join(parts) + "]"
    return f"{head}  {extra}" if head else extra


def _extra(part: str) -> str | None:
    if part == "required":
        return t("help.required")
    if part.startswith("default: "):
        return t("help.default", value=part[len("default: "):])
    if part.startswith("env var: "):
        return t("help.env_var", var=part[len("env var: "):])
    for pattern, key in _RANGES:
        match = re.match(pattern, part)
        if match:
            return t(key, **match.groupdict())
    if re.fullmatch(r"\S*x\S*", part):  # an open range (x>0): no words to translate
        return part
    return None


class HelpFormatter(click.HelpFormatter):
    """click's help formatter, measuring by display width and speaking the interface language."""

    def __init__(self, indent_increment: int = 2, width: int | None = None,
                 max_width: int | None = None) -> None:
        if width is None:
            import shutil

            width = click.formatting.FORCED_WIDTH
            if width is None:  # click keeps at least 50 columns; a narrow terminal gets its own
                columns = shutil.get_terminal_size().columns
                width = max(min(columns, max_width or 80) - 2, 40)
        super().__init__(indent_increment=indent_increment, width=width, max_width=max_width)

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None or prefix == "Usage: ":
            prefix = t("help.usage")
        usage_prefix = f"{prefix:>{self.current_indent}}{prog} "
        text_width = self.width - self.current_indent
        if text_width >= _width(usage_prefix) + 20:
            self.write(wrap_text(args, text_width, initial_indent=usage_prefix,
                                 subsequent_indent=" " * _width(usage_prefix)))
        else:  # the prefix is too long: the arguments go on the next line
            self.write(usage_prefix + "\n")
            indent = " " * (max(self.current_indent, _width(prefix)) + 4)
            self.write(wrap_text(args, text_width, initial_indent=indent, subsequent_indent=indent))
        self.write("\n")

    def write_heading(self, heading: str) -> None:
        label = t(_HEADINGS[heading]) if heading in _HEADINGS else f"{heading}:"
        self.write(f"{'':>{self.current_indent}}{label}\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write(wrap_text(text, self.width, initial_indent=indent, subsequent_indent=indent,
                             preserve_paragraphs=True))
        self.write("\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(first, translate(second)) for first, second in rows]
        if not rows:
            return
        first_col = min(max(_width(first) for first, _ in rows), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if _width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - _width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            text_width = max(self.width - first_col - self.current_indent, 10)
            lines = wrap_text(second, text_width, preserve_paragraphs=True).splitlines() or [""]
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n" if line else "\n")


class Context(click.Context):
    """The context of the app and of each command: its help uses ``HelpFormatter``."""

    formatter_class = HelpFormatter


class Group(TyperGroup):
    """The app's click group: the ``Context`` above for itself and every command, usage words
    and default metavars from the catalogue, and a command list measured by display width."""

    context_class = Context

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.subcommand_metavar == "COMMAND [ARGS]...":
            self.subcommand_metavar = t("metavar.command")
        for command in [self, *self.commands.values()]:
            if command.context_class is click.Context:
                command.context_class = Context
            if command.options_metavar == "[OPTIONS]":
                command.options_metavar = t("metavar.options")
            for param in command.params:
                _default_metavar(param)

    def format_commands(self, ctx, formatter) -> None:
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        commands = [(name, cmd) for name, cmd in commands if cmd is not None and not cmd.hidden]
        if not commands:
            return
        first_col = min(max(_width(name) for name, _ in commands), 30) + 2
        with formatter.section("Commands"):
            limit = formatter.width - formatter.current_indent - first_col  # as write_dl has it
            formatter.write_dl([(name, short_help(cmd, limit)) for name, cmd in commands])


def _default_metavar(param) -> None:
    """A metavar from the catalogue for a parameter declared without one (not a flag, not a
    choice: typer shows those itself)."""
    if param.metavar is not None or getattr(param, "is_flag", False) \
            or getattr(param, "count", False) or getattr(param.type, "choices", None):
        return
    key = _TYPE_METAVARS.get(getattr(param.type, "name", ""))
    if key:
        param.metavar = t(key)


def short_help(command, limit: int) -> str:
    """A command's line in the command list: its whole help when it fits in ``limit``
    columns, else its first sentence."""
    if command.short_help or command.deprecated:
        return command.get_short_help_str(limit)
    text = " ".join((command.help or "").partition("\f")[0].split("\n\n")[0].split())
    if _width(text) <= limit:
        return text
    end = re.search(_SENTENCE_END, text)
    return text[:end.end()] if end else text
