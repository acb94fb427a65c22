"""Issuing workbooks: one scoring workbook per unit, written atomically, in a process pool for
large batches."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zwgk_cli.files import atomic_write_bytes
from zwgk_cli.model import Rubric, Unit
from zwgk_cli.problems import os_reason
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook.blueprint import CampaignInfo

PARALLEL_FROM = 40  # units; below this, one process is faster than starting a pool

_worker: dict[str, Any] = {}  # what every job of a process needs: set once per process


def _init_worker(rubric: Rubric, info: CampaignInfo, password: str) -> None:
    _worker.update(rubric=rubric, info=info, password=password)


@dataclass(frozen=True)
class Written:
    unit: str
    name: str
    group: str
    file: str
    sheets: int
    inputs: int
    error: str = ""  # why the file could not be written


def _write_one(job: tuple[Unit, str]) -> Written:
    from zwgk_cli.workbook.write import build_workbook  # the writer (xlsxwriter) only when writing

    unit, path = job
    data, lay = build_workbook(_worker["rubric"], unit, _worker["info"], password=_worker["password"])
    visible = sum(1 for s in lay.sheets if s.role not in (L.ROLE_META, L.ROLE_LISTS))
    try:
        atomic_write_bytes(Path(path), data)
    except OSError as exc:
        return Written(unit.id, unit.name, unit.group, path, visible, len(lay.inputs), os_reason(exc, writing=True))
    return Written(unit.id, unit.name, unit.group, path, visible, len(lay.inputs))


def write_workbooks(
    rubric: Rubric, jobs: Sequence[tuple[Unit, Path]], info: CampaignInfo, password: str = "", processes: int = 0
) -> list[Written]:
    """Write one workbook per (unit, path); in a process pool for large batches.  The output
    does not depend on the number of processes."""
    work = [(u, str(p)) for u, p in jobs]
    n = processes or (min(os.cpu_count() or 1, 8) if len(work) >= PARALLEL_FROM else 1)
    if n <= 1:
        _init_worker(rubric, info, password)
        return [_write_one(j) for j in work]
    with ProcessPoolExecutor(max_workers=n, initializer=_init_worker, initargs=(rubric, info, password)) as pool:
        return list(pool.map(_write_one, work, chunksize=max(1, len(work) // (n * 8))))
