"""The ``zwgk`` command: a thin Typer layer over the library.

Each command group lives in its own module and registers itself on :data:`app`.
Exit codes: 0 all clean; 1 problems found (results still written for what was valid);
2 usage error.
"""

from __future__ import annotations

import typer

from zwgk_cli import __version__

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
    version: bool = typer.Option(False, "--version", help="显示版本号并退出。", callback=_version, is_eager=True),
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
