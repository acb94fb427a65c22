"""Issuing workbooks: one per unit, written atomically (an interrupted batch leaves some issued,
the others as they were, and no temporary file), in a process pool for large batches.

Mid-campaign the workbooks already in the folder are identified by their hidden sheet, never by
their file name: a unit added to the roster gets its workbook, every issued one is left alone."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zwgk_cli.files import atomic_write_bytes, sweep_partial
from zwgk_cli.model import Rubric, Unit
from zwgk_cli.pool import process_pool, starting_workers
from zwgk_cli.problems import Code, Problem, os_reason, problem
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook.blueprint import CampaignInfo
from zwgk_cli.workbook.inspect import Identity, identify
from zwgk_cli.workbook.plan import rubric_label
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
        error = ""
    except OSError as exc:
        error = os_reason(exc, writing=True)
    return Written(unit.id, unit.name, unit.group, path, visible, len(lay.inputs), error, team)


def write_workbooks(
    rubric: Rubric,
    jobs: Sequence[tuple[Unit, Path] | tuple[Unit, Path, str]],
    info: CampaignInfo,
    password: str = "",
    processes: int = 0,
    teams: Teams | None = None,
) -> list[Written]:
    """Write one workbook per (unit, path[, team]); in a process pool for large batches.  The
    output does not depend on the number of processes.  A job naming a team writes that team's
    workbook (``teams``)."""
    work = [(job[0], str(job[1]), str(job[2]) if len(job) > 2 else "") for job in jobs]
    folders = {Path(p).parent for _, p, _ in work}
    for folder in folders:
        sweep_partial(folder)
    n = processes or (min(os.cpu_count() or 1, 8) if len(work) >= PARALLEL_FROM else 1)
    try:
        if n <= 1:
            _init_worker(rubric, info, password, teams)
            return list(map(_write_one, work))
        with process_pool(n, _init_worker, (rubric, info, password, teams)) as pool:
            with starting_workers():
                results = pool.map(_write_one, work, chunksize=max(1, len(work) // (n * 8)))
            return list(results)
    except BaseException:
        for folder in folders:  # a worker ended mid-write leaves its temporary file
            sweep_partial(folder)
        raise


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


# ------------------------------------------------------------------ mid-campaign: what is issued


@dataclass(frozen=True)
class Issued:
    """A workbook file found in the folder of issued workbooks, and whose it is."""

    path: Path
    who: Identity


def issued_workbooks(folder: Path) -> list[Issued]:
    """The workbooks in ``folder`` (not its subfolders), in name order, each identified by its
    hidden sheet through the guards (milliseconds a file).  Hidden, temporary and lock files
    (``.…``, ``~$…``) are left out; a missing folder holds none."""
    try:
        with os.scandir(folder) as it:
            entries = sorted((e.name, e.path) for e in it if _workbook_entry(e))
    except OSError:
        return []
    return [Issued(Path(path), identify(Path(path), name)) for name, path in entries]


def _workbook_entry(e: os.DirEntry[str]) -> bool:
    if e.name.startswith((".", "~$")) or not e.name.lower().endswith(L.WORKBOOK_SUFFIX):
        return False
    try:
        return e.is_file()
    except OSError:
        return False


@dataclass
class IssuePlan:
    """What ``init-sheets`` does with each unit: ``write`` (issue, or re-issue when forced),
    ``kept`` (issued already, left alone), and what it found in the folder."""

    write: list[tuple[Unit, Path]] = field(default_factory=list)
    kept: list[tuple[Unit, Path]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def plan_issue(
    rubric: Rubric,
    units: Sequence[Unit],
    roster: Sequence[Unit],
    names: Mapping[str, str],
    folder: Path,
    issued: Sequence[Issued],
    force: bool = False,
) -> IssuePlan:
    """Which of ``units`` to write, and where (``names``: unit id → its file name).

    A unit with a workbook in the folder (by its hidden sheet) keeps it; with ``force`` it is
    re-issued in its place.  A unit without one gets a new workbook, unless its file name is taken
    by another unit's workbook (never overwritten: S011) or, without ``force``, by a file that is
    not a readable workbook (S011).  The folder's other findings are warnings: workbooks of
    units not in the ``roster`` (S010, named, never deleted), unreadable files (S012), kept
    workbooks of another rubric version (S013), a unit issued twice (S014)."""
    plan = IssuePlan()

    def add(code: Code, file: Path, **params: str) -> None:
        plan.problems.append(problem(code, file=str(file), **params))

    by_unit: dict[str, list[Issued]] = {}
    for i in issued:
        if i.who.problem is None:
            by_unit.setdefault(i.who.unit_id, []).append(i)
    by_name = {i.path.name.lower(): i for i in issued}
    named: set[Path] = set()  # files a problem already names
    for u in units:
        mine = by_unit.get(u.id, [])
        planned = folder / names[u.id]
        if mine:
            kept = next((i for i in mine if i.path.name == planned.name), mine[0])
            (plan.write if force else plan.kept).append((u, kept.path))
            who = kept.who
            if not force and (who.rubric_id != rubric.id or who.rubric_hash != rubric.hash):
                found = rubric_label(who.rubric_id, who.rubric_version, who.rubric_hash)
                expected = rubric_label(rubric.id, rubric.version, rubric.hash)
                add(Code.S_OTHER_RUBRIC, kept.path, unit=u.name, found=found, expected=expected)
            continue
        occupant = by_name.get(planned.name.lower())
        if occupant is not None and (occupant.who.problem is None or not force):
            why = occupant.who.problem
            if why is None:
                detail = f"是单位“{occupant.who.unit_name}”(编号{occupant.who.unit_id})的评分表,不会被覆盖"
            else:
                detail = f"不是可识别的评分表({why.message});确认无用时可加 --force 覆盖"
            named.add(occupant.path)
            add(Code.S_NAME_TAKEN, occupant.path, unit=u.name, file_name=planned.name, detail=detail)
            continue
        plan.write.append((u, planned))
    in_roster = {u.id: u for u in roster}
    writing = {p for _, p in plan.write}
    for i in issued:
        who = i.who
        if i.path in named or i.path in writing:
            continue
        if who.problem is not None:
            add(Code.S_UNREADABLE_ISSUED, i.path, detail=who.problem.message)
        elif who.unit_id not in in_roster:
            name = who.unit_name or who.unit_id
            add(Code.S_NOT_IN_ROSTER, i.path, unit=who.unit_name, unit_name=name, unit_id=who.unit_id)
    for uid, mine in by_unit.items():
        if len(mine) > 1 and uid in in_roster:
            add(Code.S_ISSUED_TWICE, folder, unit=in_roster[uid].name, files="、".join(i.path.name for i in mine))
    return plan
