"""Issuing workbooks: one scoring workbook per unit, written atomically, in a process pool for
large batches.

Each workbook appears whole or not at all; an interrupted batch leaves some workbooks issued
and the others as they were (:func:`issued_since` tells which), and no temporary file."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zwgk_cli.files import atomic_write_bytes, sweep_partial
from zwgk_cli.model import Rubric, Unit
from zwgk_cli.pool import process_pool, starting_workers
from zwgk_cli.problems import os_reason
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook.blueprint import CampaignInfo
from zwgk_cli.workbook.teams import Teams

PARALLEL_FROM = 40  # units; below this, one process is faster than starting a pool

_worker: dict[str, Any] = {}  # what every job of a process needs: set once per process


def _init_worker(rubric: Rubric, info: CampaignInfo, password: str, teams: Teams | None = None) -> None:
    _worker.update(rubric=rubric, info=info, password=password, teams=teams)


@dataclass(frozen=True)
class Written:
    unit: str
    name: str
    group: str
    file: str
    sheets: int
    inputs: int
    error: str = ""  # why the file could not be written
    team: str = ""  # the 检查组 whose workbook it is ("" for a whole workbook)


def _write_one(job: tuple[Unit, str, str]) -> Written:
    from zwgk_cli.workbook.write import build_workbook  # the writer (xlsxwriter) only when writing

    unit, path, team = job
    teams = _worker.get("teams")
    of_team = (teams, team) if team and teams is not None else None
    data, lay = build_workbook(_worker["rubric"], unit, _worker["info"], password=_worker["password"], team=of_team)
    visible = sum(1 for s in lay.sheets if s.role not in (L.ROLE_META, L.ROLE_LISTS))
    try:
        atomic_write_bytes(Path(path), data)
    except OSError as exc:
        reason = os_reason(exc, writing=True)
        return Written(unit.id, unit.name, unit.group, path, visible, len(lay.inputs), reason, team)
    return Written(unit.id, unit.name, unit.group, path, visible, len(lay.inputs), team=team)


def write_workbooks(
    rubric: Rubric,
    jobs: Sequence[tuple[Unit, Path] | tuple[Unit, Path, str]],
    info: CampaignInfo,
    password: str = "",
    processes: int = 0,
    done: Callable[[Written], None] | None = None,
    teams: Teams | None = None,
) -> list[Written]:
    """Write one workbook per (unit, path[, team]); in a process pool for large batches.  The
    output does not depend on the number of processes.  ``done`` is told of each workbook as it
    is written, in job order.  A job naming a team writes that team's workbook (``teams``)."""
    work = [(job[0], str(job[1]), str(job[2]) if len(job) > 2 else "") for job in jobs]
    folders = {Path(p).parent for _, p, _ in work}
    for folder in folders:
        sweep_partial(folder)
    n = processes or (min(os.cpu_count() or 1, 8) if len(work) >= PARALLEL_FROM else 1)
    out: list[Written] = []
    try:
        if n <= 1:
            _init_worker(rubric, info, password, teams)
            _collect(map(_write_one, work), out, done)
            return out
        with process_pool(n, _init_worker, (rubric, info, password, teams)) as pool:
            with starting_workers():
                results = pool.map(_write_one, work, chunksize=max(1, len(work) // (n * 8)))
            _collect(results, out, done)
        return out
    except BaseException:
        for folder in folders:  # a worker ended mid-write leaves its temporary file
            sweep_partial(folder)
        raise


def _collect(results: Iterable[Written], out: list[Written], done: Callable[[Written], None] | None) -> None:
    for w in results:
        out.append(w)
        if done is not None:
            done(w)


def file_state(path: Path) -> tuple[int, int] | None:
    """What identifies one version of a file (an atomic write makes a new one), or ``None``."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def issued_since(before: dict[Path, tuple[int, int] | None]) -> set[Path]:
    """Of the paths whose :func:`file_state` was taken before a run, those written since."""
    return {p for p, was in before.items() if (now := file_state(p)) is not None and now != was}
