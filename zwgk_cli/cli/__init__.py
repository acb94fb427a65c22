"""The ``zwgk`` command: a thin Typer layer over the library.

Each command group lives in its own module and registers itself on :data:`app`.
Exit codes: 0 all clean; 1 problems found (results still written for what was valid);
2 usage error.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
import typer.core

from zwgk_cli import __version__

HELP_TEXT = "显示本帮助并退出。"


def _chinese_help_option() -> None:
    """Typer's built-in ``--help`` says "Show this message and exit."; our users read Chinese."""
    for cls in (typer.core.TyperCommand, typer.core.TyperGroup):
        original = getattr(cls, "get_help_option", None)
        if original is None or getattr(original, "_zwgk", False):
            continue

        def get_help_option(self: Any, ctx: Any, _orig: Any = original) -> Any:
            opt = _orig(self, ctx)
            if opt is not None:
                opt.help = HELP_TEXT
            return opt

        get_help_option._zwgk = True  # type: ignore[attr-defined]
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
    version: Annotated[
        bool, typer.Option("--version", help="显示版本号并退出。", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """政务公开考评工具。"""


def _register() -> None:
    # Imported for their side effect: each module adds its commands to ``app``.
    import importlib
    import pkgutil

    for mod in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.endswith("_cmd")):
        importlib.import_module(f"{__name__}.{mod}")


_register()


def main() -> None:
    app()
