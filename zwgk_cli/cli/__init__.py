"""The ``zwgk`` command: a thin Typer layer over the library; each ``*_cmd`` module adds its
commands to :data:`app`.  Exit codes: 0 all clean; 1 problems found (results still written for
what was valid); 2 usage error; 130 interrupted.

Ctrl-C ends a command within moments: :func:`main` turns SIGINT into :class:`Interrupted` (not
``KeyboardInterrupt``, which click would turn into "Aborted!"), ignores any further Ctrl-C while
the command cleans up, and says "已中断" with the notes the command added to the exception.
"""

from __future__ import annotations

import importlib
import pkgutil
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any

import typer
import typer.core
import typer.main

from zwgk_cli import __version__

HELP_TEXT = "显示本帮助并退出。"


def _chinese_help_option() -> None:
    """Typer's built-in ``--help`` says "Show this message and exit."; our users read Chinese."""
    for cls in (typer.core.TyperCommand, typer.core.TyperGroup):

        def get_help_option(self: Any, ctx: Any, _orig: Any = cls.get_help_option) -> Any:
            opt = _orig(self, ctx)
            if opt is not None:
                opt.help = HELP_TEXT
            return opt

        cls.get_help_option = get_help_option  # type: ignore[method-assign]


_chinese_help_option()

app = typer.Typer(
    name="zwgk",
    help="政务公开考评工具:按评分细则生成评分表、读回评分表计分、排名并生成通报。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"zwgk {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", help="显示版本号并退出。", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """政务公开考评工具。"""
    from zwgk_cli.cli import common

    # the command being run, for advice that names it (``invoke`` has the whole path already)
    if ctx.invoked_subcommand and common.COMMAND[:1] != [ctx.invoked_subcommand]:
        common.COMMAND[:] = [ctx.invoked_subcommand]


EXIT_INTERRUPTED = 130


class Interrupted(BaseException):
    """Ctrl-C.  A command adds what state it leaves with ``add_note`` (Chinese, one line each)."""


@contextmanager
def on_interrupt(note: str) -> Iterator[None]:
    """What the block leaves if Ctrl-C ends it: ``note`` added to the :class:`Interrupted`."""
    try:
        yield
    except Interrupted as exc:
        exc.add_note(note)
        raise


# Imported for their side effect: each module adds its commands to ``app``.
for _mod in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.endswith("_cmd")):
    importlib.import_module(f"{__name__}.{_mod}")


def _on_sigint(signum: int, frame: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
    raise Interrupted


PROG = "zwgk"


def invoke(args: Sequence[str] | None = None) -> int:
    """Run the command line ``args`` (default: the program's own) and return its exit code;
    click's usage errors and help words in Chinese (:mod:`zwgk_cli.cli.usage`)."""
    from zwgk_cli.cli import common, usage

    argv = list(sys.argv[1:] if args is None else args)
    command = typer.main.get_command(app)
    usage.chinese_help(command)
    common.COMMAND[:] = usage.command_path(command, argv)
    try:
        code = command.main(args=argv, prog_name=PROG, standalone_mode=False)
    except typer.Abort:
        common.err_console.print("已取消。")
        return 1
    except Exception as exc:
        if usage.kind_of(exc) is None:
            raise
        usage.show_usage_error(exc, command, argv, PROG)
        return int(getattr(exc, "exit_code", common.EXIT_USAGE))
    finally:
        common.COMMAND.clear()
    return code if isinstance(code, int) else 0


def main() -> None:
    from zwgk_cli.files import sweep_temp

    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread:
        signal.signal(signal.SIGINT, _on_sigint)
    try:
        sweep_temp()
        code = invoke()
    except Interrupted as exc:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # What the interrupted code leaves for the collector (a half-built zip, a pool's pipes)
        # may complain as the interpreter exits; after an interrupt that is noise, not news.
        sys.unraisablehook = lambda _: None
        notes = getattr(exc, "__notes__", [])
        sys.stderr.write("已中断" + ("。" if not notes else ":" + "".join(f"\n  {n}" for n in notes)) + "\n")
        sys.stderr.flush()
        sys.exit(EXIT_INTERRUPTED)
    finally:
        if main_thread:  # the work is done: a Ctrl-C as the interpreter exits changes nothing
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)
