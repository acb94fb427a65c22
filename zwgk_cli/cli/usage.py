"""The command line in Chinese: click's usage errors answered once, here (what is wrong, the
usage line, where the help is; exit 2), and the words of ``--help`` that are click's and typer's.

click's exceptions are recognised by their class names (``NoSuchOption``, ``BadParameter``…), public
whether click is a package of its own or carried inside typer, and read through their public
attributes only; an error of a kind not known here still gets a Chinese line, never click's English.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from typing import Any

import typer
from rich.text import Text

OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."

# What typer's rich help prints itself (its panel titles, the default and required marks).
HELP_WORDS = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "DEFAULT_STRING": "[默认:{}]",
    "REQUIRED_LONG_STRING": "[必填]",
    "ENVVAR_STRING": "[环境变量:{}]",
    "DEPRECATED_STRING": "(已弃用)",
    "ABORTED_TEXT": "已取消。",
}

# The kinds of click's usage errors, most specific first.
_KINDS = (
    "NoArgsIsHelpError",
    "NoSuchOption",
    "MissingParameter",
    "BadParameter",
    "BadOptionUsage",
    "BadArgumentUsage",
    "UsageError",
)


_HelpFormatter: Any = typer.Context.formatter_class


class _Formatter(_HelpFormatter):  # type: ignore[misc]
    """click's help formatter, with 用法: instead of "Usage: " before the usage line."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法:" if prefix is None else prefix)


class ChineseContext(typer.Context):
    formatter_class = _Formatter


def chinese_help(command: Any) -> None:
    """``command`` and every command under it print their usage line and help words in Chinese."""
    from typer import rich_utils

    for name, words in HELP_WORDS.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, words)
    for cmd in _walk(command):
        cmd.context_class = ChineseContext
        if getattr(cmd, "options_metavar", None):
            cmd.options_metavar = OPTIONS_METAVAR
        if getattr(cmd, "subcommand_metavar", None):
            cmd.subcommand_metavar = SUBCOMMAND_METAVAR


def _walk(command: Any) -> Iterator[Any]:
    yield command
    for sub in (getattr(command, "commands", None) or {}).values():
        yield from _walk(sub)


def command_path(command: Any, args: Sequence[str]) -> list[str]:
    """The command names at the start of ``args`` (``["rubric", "check"]``), found in ``command``'s
    tree; options before them are passed over."""
    path: list[str] = []
    for token in args:
        subs = getattr(command, "commands", None)
        if not subs:
            break
        if token.startswith("-"):
            continue
        if token not in subs:
            break
        path.append(token)
        command = subs[token]
    return path


def kind_of(exc: BaseException) -> str | None:
    """The kind of click usage error ``exc`` is (a name from :data:`_KINDS`), or ``None``."""
    names = [c.__name__ for c in type(exc).__mro__]
    if "UsageError" not in names:
        return None
    return next(n for n in _KINDS if n in names)


def show_usage_error(exc: BaseException, root: Any, args: Sequence[str], prog: str = "zwgk") -> None:
    """Print ``exc`` (a click usage error) in Chinese on stderr: what is wrong, the usage line
    and where the help is."""
    from zwgk_cli.cli.common import err_console

    if kind_of(exc) == "NoArgsIsHelpError":  # the help has been printed already
        return
    ctx = getattr(exc, "ctx", None)
    if ctx is None:  # an error found while the command line is split up: a context made from the command names
        ctx, command = ChineseContext(root, info_name=prog), root
        for name in command_path(root, args):
            command = command.commands[name]
            ctx = ChineseContext(command, info_name=name, parent=ctx)
    err_console.print(Text("错误:", style="bold red") + Text(explain(exc, args)), soft_wrap=True)
    usage = " ".join([ctx.command_path, *ctx.command.collect_usage_pieces(ctx)])
    err_console.print(Text(f"用法:{usage}"), soft_wrap=True)
    err_console.print(Text(f"运行 {ctx.command_path} --help 查看用法。"), soft_wrap=True)


def explain(exc: BaseException, args: Sequence[str]) -> str:
    """What is wrong, in Chinese, from the error's kind and its public attributes."""
    kind = kind_of(exc)
    message = str(getattr(exc, "message", "") or "")
    if kind == "NoSuchOption":
        close = list(getattr(exc, "possibilities", None) or [])[:3]
        said = f"没有选项 {getattr(exc, 'option_name', '') or ''}。"
        return said + (f"你是不是想输入 {' 或 '.join(close)}?" if close else "")
    param = getattr(exc, "param", None)
    what = "选项" if getattr(param, "param_type_name", "") == "option" else "参数"
    if kind == "MissingParameter":
        return f"缺少{what} {_label(param)}{_meaning(param, ':')}。"
    if kind == "BadParameter":
        value = _value(exc, param, args)
        shown = f"的值“{value}”" if value is not None else "的值"
        said = f"{what} {_label(param)} {shown}不合要求:{_reason(exc)}。"
        meaning = _meaning(param, f"{_label(param)}:")
        return said + (f"({meaning}。)" if meaning else "")
    if kind == "BadOptionUsage":
        name = str(getattr(exc, "option_name", "") or "")
        if "does not take a value" in message:
            return f"选项 {name} 是开关,后面不要跟值(写 {name} 即可)。"
        return f"选项 {name} 后面要跟一个值(例如 {name} 值)。"
    if message.startswith("No such command"):
        return _no_such_command(exc, message)
    extra = re.match(r"Got unexpected extra arguments? ?(?:\(s\))? ?\((.*)\)$", message)
    if extra:
        return f'多余的参数:{extra.group(1)}。(文件名中有空格时请加引号,例如 "我的 细则.yaml"。)'
    if message.startswith("Missing command"):
        return "缺少要运行的命令。"
    return "命令行的写法有误。"


def _no_such_command(exc: BaseException, message: str) -> str:
    found = re.match(r"No such command (['\"])(.*?)\1", message)
    name = found.group(2) if found else ""
    said = f"没有命令“{name}”。" if name else "没有这个命令。"
    ctx = getattr(exc, "ctx", None)
    subs = getattr(getattr(ctx, "command", None), "commands", None) or {}
    close = difflib.get_close_matches(name, list(subs), n=3) if name else []
    if close:
        said += f"你是不是想输入 {' 或 '.join(close)}?"
    elif subs:
        said += f"可用的命令:{'、'.join(subs)}。"
    return said


def _label(param: Any) -> str:
    if param is None:
        return ""
    opts = [str(o) for o in getattr(param, "opts", []) if str(o).startswith("-")]
    if opts:
        return opts[0] + (f"({'、'.join(opts[1:])})" if opts[1:] else "")
    return str(getattr(param, "name", "") or "")


def _meaning(param: Any, lead: str) -> str:
    """The parameter's own help text (Chinese), as what it is for."""
    text = str(getattr(param, "help", "") or "").strip().rstrip("。")
    return f"{lead}{text}" if text else ""


def _value(exc: BaseException, param: Any, args: Sequence[str]) -> str | None:
    """The value given: from the validation error typer raised it from, else from the command
    line (``--jobs abc``, ``--jobs=abc``, ``-jabc``)."""
    first = _first_error(exc)
    if "input" in first:
        return str(first["input"])
    opts = [o for o in getattr(param, "opts", []) if o.startswith("-")]
    for i, token in enumerate(args):
        for o in opts:
            if token == o and i + 1 < len(args):
                return args[i + 1]
            if o.startswith("--") and token.startswith(o + "="):
                return token[len(o) + 1 :]
            if not o.startswith("--") and token.startswith(o) and len(token) > len(o):
                return token[len(o) :]
    return None


# pydantic's error types (typer ≥ 0.2x checks values with pydantic) → what the value should be
_REASONS = {
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 是/否(true/false)",
    "date_parsing": "应为日期(如 2025-03-31)",
    "date_from_datetime_parsing": "应为日期(如 2025-03-31)",
    "string_too_short": "不能为空",
    "missing": "不能为空",
}


# pydantic's bounds → the limit's key in the error's context, and what the value should be
_BOUNDS = {
    "greater_than_equal": ("ge", "应不小于 {}"),
    "greater_than": ("gt", "应大于 {}"),
    "less_than_equal": ("le", "应不大于 {}"),
    "less_than": ("lt", "应小于 {}"),
}
# click's own messages (English) → what the value should be
_MESSAGES = (
    ("integer", "应为整数"),
    ("does not exist", "路径不存在"),
    ("is a directory", "这是一个文件夹,应为文件"),
    ("is a file", "这是一个文件,应为文件夹"),
    ("is not one of", "不是可选的值"),
    ("invalid choice", "不是可选的值"),
)


def _first_error(exc: BaseException) -> dict[str, Any]:
    """The first of the validation errors typer raised ``exc`` from (``{}`` if none)."""
    errors = getattr(exc.__cause__, "errors", None)
    try:
        first = errors()[0] if callable(errors) else None
    except (IndexError, KeyError, TypeError):
        first = None
    return first if isinstance(first, dict) else {}


def _reason(exc: BaseException) -> str:
    first = _first_error(exc)
    kind = str(first.get("type", ""))
    limits = first.get("ctx") or {}
    if kind in _BOUNDS:
        key, text = _BOUNDS[kind]
        return text.format(limits.get(key, ""))
    if kind in ("enum", "literal_error"):
        return f"可选:{limits.get('expected', '')}".rstrip(":")
    if kind in _REASONS:
        return _REASONS[kind]
    message = str(getattr(exc, "message", "") or "")
    return next((reason for words, reason in _MESSAGES if words in message), "写法不对")
