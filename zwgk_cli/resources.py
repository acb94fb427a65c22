"""Files shipped beside the code: ``templates/`` and ``sample_data/``.

In a wheel they are packaged as ``zwgk_cli/_templates`` and ``zwgk_cli/_samples``
(hatchling ``force-include``); in a source checkout (editable install, tests) they are the
top-level folders of the repository.  Never looked up from the working directory.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent


def templates_dir() -> Path:
    packaged = _PACKAGE / "_templates"
    return packaged if packaged.is_dir() else _REPO / "templates"


def samples_dir() -> Path:
    packaged = _PACKAGE / "_samples"
    return packaged if packaged.is_dir() else _REPO / "sample_data"


def sample_roster(rubric_id: str) -> tuple[Path, Path | None] | None:
    """The sample roster of a bundled rubric: ``sample_data/<rubric id>/units.csv`` (+ ``websites.csv``)."""
    base = samples_dir() / rubric_id
    units = base / "units.csv"
    if not units.is_file():
        return None
    targets = base / "websites.csv"
    return units, (targets if targets.is_file() else None)
