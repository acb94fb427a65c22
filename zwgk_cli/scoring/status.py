"""Where a campaign stands (``zwgk status``): per (检查组, group), how many workbooks are issued,
returned, complete, incomplete, unusable and missing, and which units they are.

* **Issued**: a workbook in the folder of issued workbooks whose hidden sheet names the unit
  (:func:`zwgk_cli.workbook.issue.issued_workbooks`), never guessed from a file name.
* **Returned**: each file of the returned folder is read exactly as ``zwgk score`` reads it
  (:func:`zwgk_cli.workbook.read.read_workbook`: the guards, the identity checks, every value)
  and its values go through the engine, so *complete* is what ``score`` calls 已评分 (every
  required input read, no error), *incomplete* is its 未完成 and *unusable* its 评分表无效
  (unreadable, another rubric version, two workbooks for one unit).
* A returned file whose unit cannot be read from it (a broken file) is matched to the unit whose
  workbook ``init-sheets`` named that way, so the office sees who sent a broken file; ``score``
  reports that unit as missing until a readable workbook replaces it.  Any other file that
  belongs to no roster unit is listed apart.

Files are read in the process pool for big batches; the result does not depend on it.  A bad
file never stops the others.  The team of a unit is ``team_of(unit)`` (``""``: no teams), so
counts are kept per (team, group).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from zwgk_cli.engine import score_unit
from zwgk_cli.model import Rubric, Unit
from zwgk_cli.pool import process_pool, starting_workers
from zwgk_cli.problems import Code, Problem, Severity
from zwgk_cli.scoring.batch import PARALLEL_MIN, default_jobs
from zwgk_cli.scoring.discover import FileRef
from zwgk_cli.workbook.issue import Issued
from zwgk_cli.workbook.read import Context, UnitPlan, WorkbookRead, read_workbook

COMPLETE = "complete"
INCOMPLETE = "incomplete"
UNUSABLE = "unusable"
MISSING = "missing"
STATE_LABELS = {COMPLETE: "已完成", INCOMPLETE: "未完成", UNUSABLE: "无法使用", MISSING: "未交回"}

_UNFILLED_CODES = (Code.V_EMPTY.code, Code.W_NOTHING_FILLED.code)


@dataclass(frozen=True)
class FileState:
    """What status keeps of one returned file."""

    file: str
    unit_id: str  # as the file says; "" when it cannot be read
    usable: bool
    complete: bool = False
    unfilled: int = 0  # required inputs left empty
    errors: int = 0  # errors other than an empty input
    first: Problem | None = None  # the first error, to say why a file cannot be used


def file_state(read: WorkbookRead, ctx: Context) -> FileState:
    """One file read by :func:`read_workbook`, counted: a usable one is scored by the engine;
    its unfilled inputs are the required inputs the engine misses whose cell holds nothing (a
    value in error is an error, not unfilled)."""
    errors = [p for p in read.problems if p.severity is Severity.ERROR]
    other = [p for p in errors if p.code not in _UNFILLED_CODES]
    first = errors[0] if errors else None
    if not read.usable:
        return FileState(read.file, read.unit_id, False, errors=len(errors), first=first)
    plan = ctx.plan(read.unit_id)
    assert isinstance(plan, UnitPlan)  # a usable read has a plan
    us = score_unit(ctx.rubric, plan.variant, plan.unit, read.values)
    bad = {(p.sheet, p.cell) for p in other}
    unfilled = sum(
        1 for k in us.missing if (src := read.sources.get(k)) is not None and (src.sheet, src.cell) not in bad
    )
    return FileState(read.file, read.unit_id, True, us.complete and not errors, unfilled, len(other), first)


# ------------------------------------------------------------------ reading the returned files

_CTX: Context | None = None


def _init_worker(rubric: Rubric, units: Sequence[Unit]) -> None:
    global _CTX
    _CTX = Context(rubric, units)


def _work(ref: FileRef) -> FileState:
    assert _CTX is not None
    return file_state(read_workbook(ref.path, _CTX, ref.name), _CTX)


def read_returned(rubric: Rubric, units: Sequence[Unit], refs: Sequence[FileRef], jobs: int = 0) -> list[FileState]:
    """Every returned file, in file order; in a process pool of ``jobs`` (0: automatic) when
    there are many."""
    n = jobs or default_jobs()
    if n <= 1 or len(refs) < PARALLEL_MIN:
        _init_worker(rubric, units)
        return [_work(r) for r in refs]
    with process_pool(n, _init_worker, (rubric, list(units))) as pool:
        with starting_workers():
            results = pool.map(_work, refs, chunksize=max(1, len(refs) // (n * 4)))
        return list(results)


# ------------------------------------------------------------------ where each unit stands


@dataclass(frozen=True)
class UnitState:
    unit: Unit
    team: str
    issued: bool
    state: str  # COMPLETE, INCOMPLETE, UNUSABLE or MISSING
    files: tuple[str, ...] = ()
    unfilled: int = 0
    errors: int = 0
    reason: str = ""  # why its workbook cannot be used
    by_name: bool = False  # a broken file matched to the unit by its file name


@dataclass
class Tally:
    """One line of the table: the units of a (team, group), or of all."""

    team: str
    group: str
    units: int = 0
    issued: int = 0
    returned: int = 0
    complete: int = 0
    incomplete: int = 0
    unfilled: int = 0  # required inputs left empty in the incomplete workbooks
    incomplete_errors: int = 0
    unusable: int = 0
    unusable_errors: int = 0
    missing: int = 0

    def add(self, s: UnitState) -> None:
        self.units += 1
        self.issued += s.issued
        self.returned += s.state != MISSING
        if s.state == COMPLETE:
            self.complete += 1
        elif s.state == INCOMPLETE:
            self.incomplete += 1
            self.unfilled += s.unfilled
            self.incomplete_errors += s.errors
        elif s.state == UNUSABLE:
            self.unusable += 1
            self.unusable_errors += s.errors
        else:
            self.missing += 1


@dataclass
class Status:
    units: list[UnitState]  # in roster order
    order: list[tuple[str, str]]  # the (team, group) lines, in display order
    others: list[FileState] = field(default_factory=list)  # returned files of no roster unit
    not_in_roster: list[Issued] = field(default_factory=list)  # issued workbooks of units not in the roster
    skipped: int = 0  # lock files left out

    def rows(self) -> list[Tally]:
        tallies = {key: Tally(*key) for key in self.order}
        for s in self.units:
            tallies[(s.team, s.unit.group)].add(s)
        return [tallies[key] for key in self.order]

    def total(self) -> Tally:
        t = Tally("", "")
        for s in self.units:
            t.add(s)
        return t

    def by_line(self, state: str) -> Iterator[tuple[tuple[str, str], list[UnitState]]]:
        """The units in ``state``, per (team, group) line that has some."""
        for key in self.order:
            mine = [s for s in self.units if s.state == state and (s.team, s.unit.group) == key]
            if mine:
                yield key, mine


def collect(
    rubric: Rubric,
    units: Sequence[Unit],
    issued: Sequence[Issued],
    files: Sequence[FileState],
    names: Mapping[str, str],
    team_of: Callable[[Unit], str] | None = None,
    skipped: int = 0,
) -> Status:
    """Where each roster unit stands.  ``names``: unit id → the file name init-sheets gave its
    workbook (to match a broken returned file to its unit)."""
    team = team_of or (lambda _u: "")
    known = {u.id for u in units}
    issued_ids = {i.who.unit_id for i in issued if i.who.problem is None}
    mine: dict[str, list[FileState]] = {}
    loose: list[FileState] = []
    for f in files:
        if f.unit_id in known:
            mine.setdefault(f.unit_id, []).append(f)
        else:
            loose.append(f)
    by_file_name = {name.lower(): uid for uid, name in names.items() if uid in known}
    guessed: dict[str, FileState] = {}
    others: list[FileState] = []
    for f in loose:
        uid = by_file_name.get(PurePosixPath(f.file).name.lower()) if not f.unit_id else None
        if uid is not None and uid not in mine and uid not in guessed:
            guessed[uid] = f
        else:
            others.append(f)
    states = [_unit_state(u, team(u), u.id in issued_ids, mine.get(u.id, []), guessed.get(u.id)) for u in units]
    groups = list(dict.fromkeys([*rubric.groups, *(u.group for u in units)]))
    teams = list(dict.fromkeys(s.team for s in states))
    present = {(s.team, s.unit.group) for s in states}
    order = [(t, g) for t in teams for g in groups if (t, g) in present]
    strangers = [i for i in issued if i.who.problem is None and i.who.unit_id not in known]
    return Status(states, order, others, strangers, skipped)


def _unit_state(u: Unit, team: str, issued: bool, files: list[FileState], guessed: FileState | None) -> UnitState:
    if not files and guessed is not None:
        why = guessed.first.message if guessed.first is not None else ""
        return UnitState(u, team, issued, UNUSABLE, (guessed.file,), 0, guessed.errors, why, by_name=True)
    if not files:
        return UnitState(u, team, issued, MISSING)
    names = tuple(f.file for f in files)
    if len(files) > 1:
        return UnitState(u, team, issued, UNUSABLE, names, reason=f"交回了 {len(files)} 份,均未采用")
    f = files[0]
    if not f.usable:
        why = f.first.message if f.first is not None else ""
        return UnitState(u, team, issued, UNUSABLE, names, 0, f.errors, why)
    state = COMPLETE if f.complete else INCOMPLETE
    return UnitState(u, team, issued, state, names, f.unfilled, f.errors)
