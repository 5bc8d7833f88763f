"""Command-line usage errors in the interface language.

The parser typer uses writes its messages in English only ("No such option: --x"). The clerk
works in Chinese, so the CLI edge asks here for the message instead: the error's kind and its
option or value come from the exception, the words from the catalogue. A message we do not
recognise is passed through unchanged rather than guessed at.
"""

from __future__ import annotations

import re

from jtdj.i18n import t

_BAD_VALUE = re.compile(r"^(?P<value>'[^']*'|\"[^\"]*\"|\S+) is not ")
_NO_SUCH_COMMAND = re.compile(  # typer adds its own "Did you mean"; ours replaces it
    r"^No such command (?P<q>['\"])(?P<name>.*?)(?P=q)\.(?: Did you mean .*)?$", re.S)
_EXTRA_ARGS = re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)$", re.S)


def message(exc) -> str:
    """The message for a click/typer UsageError (or subclass), in the current language."""
    kinds = {cls.__name__ for cls in type(exc).__mro__}
    if "NoSuchOption" in kinds:
        possible = sorted(getattr(exc, "possibilities", None) or [])
        hint = t("usage.did_you_mean", names=t("list.sep").join(possible)) if possible else ""
        return t("usage.no_such_option", name=exc.option_name, hint=hint)
    if "BadOptionUsage" in kinds:
        key = "usage.takes_no_value" if "does not take" in exc.message else "usage.needs_value"
        return t(key, name=exc.option_name)
    if "MissingParameter" in kinds:
        param = exc.param
        kind = "option" if getattr(param, "param_type_name", "") == "option" else "argument"
        return t(f"usage.missing_{kind}", name=_name(exc))
    if "BadParameter" in kinds:
        value = _BAD_VALUE.match(exc.message)  # the parser quotes the value it refused
        if value:
            return t("usage.bad_value", name=_name(exc), value=value["value"],
                     reason=_reason(exc))
        return t("usage.bad_param", name=_name(exc), reason=_reason(exc))
    match = _NO_SUCH_COMMAND.match(exc.message)
    if match:
        return _no_such_command(exc, match["name"])
    if exc.message == "Missing command.":
        return t("usage.missing_command")
    match = _EXTRA_ARGS.match(exc.message)
    if match:
        return t("usage.extra_args", args=match["args"])
    return exc.format_message()


def _no_such_command(exc, name: str) -> str:
    """No such command, with the closest one (difflib) when there is one close enough."""
    import difflib

    group, ctx = getattr(exc.ctx, "command", None), exc.ctx
    names = group.list_commands(ctx) if hasattr(group, "list_commands") else []
    close = difflib.get_close_matches(name, names, n=1)
    hint = t("usage.did_you_mean_command", name=t("usage.quoted", name=close[0])) if close else ""
    return t("usage.no_such_command", name=t("usage.quoted", name=name), hint=hint)


def _name(exc) -> str:
    """How the parameter reads on the command line: --status, or the argument's metavar in the
    interface language (编号 for 编号... or [编号])."""
    param = getattr(exc, "param", None)
    if param is None:
        return str(getattr(exc, "param_hint", None) or "")
    if getattr(param, "param_type_name", "") == "option":
        return "/".join(param.opts)
    name = param.human_readable_name
    return name.strip("[]{}").removesuffix("...").removesuffix("…") or name


def _reason(exc) -> str:
    param_type = getattr(getattr(exc, "param", None), "type", None)
    kind = type(param_type).__name__
    if getattr(param_type, "choices", None):
        return t("usage.choose", choices="|".join(str(getattr(c, "value", c))
                                                  for c in param_type.choices))
    if "is not a valid" in exc.message and ("Int" in kind or "Float" in kind):
        return t("usage.number")
    if kind in ("IntRange", "FloatRange"):
        low, high = param_type.min, param_type.max
        if low is not None and high is not None:
            return t("usage.between", min=low, max=high)
        if low is not None:
            return t("usage.at_least", min=low)
        return t("usage.at_most", max=high)
    return exc.message
