"""Where a campaign stands (``zwgk status``): per (检查组, group), how many workbooks are issued,
returned, complete, incomplete, unusable and missing, and which units they are.

Issued: a workbook whose hidden sheet names the unit (never guessed from a file name).  Returned:
each file is read and scored exactly as ``zwgk score`` does, so *complete* is its 已评分,
*incomplete* its 未完成 and *unusable* its 评分表无效.  A file whose unit cannot be read (a
broken file) is matched to the unit whose workbook ``init-sheets`` named that way; other files of
no roster unit are listed apart.  With 检查组 each (unit, team) is a line of its own; a whole
workbook (of no team) stands for each team of its unit that sent none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from zwgk_cli.engine import score_unit
from zwgk_cli.model import Rubric, Unit
from zwgk_cli.problems import Code, Problem, Severity
from zwgk_cli.scoring.batch import PARALLEL_MIN, pooled
from zwgk_cli.scoring.discover import FileRef
from zwgk_cli.workbook.issue import Issued
from zwgk_cli.workbook.read import Context, UnitPlan, WorkbookRead, read_workbook
from zwgk_cli.workbook.teams import Teams

COMPLETE = "complete"
INCOMPLETE = "incomplete"
UNUSABLE = "unusable"
MISSING = "missing"

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
    team: str = ""  # a 检查组's workbook: its team


def file_state(read: WorkbookRead, ctx: Context) -> FileState:
    """One file read by :func:`read_workbook`, counted: a usable one is scored by the engine;
    its unfilled inputs are the required inputs the engine misses whose cell holds nothing (a
    value in error is an error, not unfilled)."""
    errors = [p for p in read.problems if p.severity is Severity.ERROR]
    other = [p for p in errors if p.code not in _UNFILLED_CODES]
    first = errors[0] if errors else None
    if not read.usable:
        return FileState(read.file, read.unit_id, False, errors=len(errors), first=first, team=read.team)
    plan = ctx.plan(read.unit_id, read.team)
    assert isinstance(plan, UnitPlan)  # a usable read has a plan
    us = score_unit(ctx.rubric, plan.variant, plan.unit, read.values)
    bad = {(p.sheet, p.cell) for p in other}
    unfilled = sum(
        1 for k in us.missing if (src := read.sources.get(k)) is not None and (src.sheet, src.cell) not in bad
    )
    complete = us.complete and not errors
    return FileState(read.file, read.unit_id, True, complete, unfilled, len(other), first, read.team)


def _reader(rubric: Rubric, units: Sequence[Unit], teams: Teams | None) -> Callable[[FileRef], FileState]:
    ctx = Context(rubric, units, teams)
    return lambda ref: file_state(read_workbook(ref.path, ctx, ref.name, ref.member), ctx)


def read_returned(
    rubric: Rubric, units: Sequence[Unit], refs: Sequence[FileRef], jobs: int = 0, teams: Teams | None = None
) -> list[FileState]:
    """Every returned file, in file order; in a process pool of ``jobs`` (0: automatic) when many."""
    return list(pooled(_reader, (rubric, list(units), teams), refs, jobs, PARALLEL_MIN, len(refs)))


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
        setattr(self, s.state, getattr(self, s.state) + 1)  # each state is a count of its own
        if s.state == INCOMPLETE:
            self.unfilled += s.unfilled
            self.incomplete_errors += s.errors
        elif s.state == UNUSABLE:
            self.unusable_errors += s.errors


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

    def total(self, team: str | None = None) -> Tally:
        """All units' counts, or one 检查组's."""
        t = Tally(team or "", "")
        for s in self.units:
            if team is None or s.team == team:
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
    names: Mapping[tuple[str, str], str],
    teams_of: Callable[[Unit], Sequence[str]] | None = None,
    skipped: int = 0,
) -> Status:
    """Where each roster unit stands (each of its teams' workbooks, with 检查组).  ``names``:
    (unit id, team) → the file name init-sheets gave that workbook (to match a broken returned
    file to its unit); ``teams_of``: the teams that owe a workbook of the unit (default: none)."""
    owed = teams_of or (lambda _u: ("",))
    known = {u.id for u in units}
    issued_keys = {(i.who.unit_id, i.who.team) for i in issued if i.who.problem is None}
    lines = [(u, t) for u in units for t in owed(u)]
    known_keys = {(u.id, t) for u, t in lines}
    mine: dict[tuple[str, str], list[FileState]] = {}
    loose: list[FileState] = []
    for f in files:
        if f.unit_id in known:  # a team that owes nothing of the unit (T007): as a whole workbook, every team's
            mine.setdefault((f.unit_id, f.team if (f.unit_id, f.team) in known_keys else ""), []).append(f)
        else:
            loose.append(f)
    by_file_name = {name.lower(): key for key, name in names.items() if key in known_keys}
    guessed: dict[tuple[str, str], FileState] = {}
    others: list[FileState] = []
    for f in loose:
        key = by_file_name.get(PurePosixPath(f.file).name.lower()) if not f.unit_id else None
        if key is not None and key not in mine and key not in guessed:
            guessed[key] = f
        else:
            others.append(f)

    def state(u: Unit, t: str) -> UnitState:
        sent = mine.get((u.id, t)) or (mine.get((u.id, ""), []) if t else [])  # a whole workbook: each team's
        issued_ = (u.id, t) in issued_keys or (u.id, "") in issued_keys
        guess, by_name = guessed.get((u.id, t)), False
        if not sent and guess is not None:  # a broken file, never usable: it names no unit
            sent, by_name = [guess], True
        names = tuple(f.file for f in sent)
        if len(sent) != 1:
            reason = f"交回了 {len(sent)} 份,均未采用" if sent else ""
            return UnitState(u, t, issued_, UNUSABLE if sent else MISSING, names, reason=reason)
        f = sent[0]
        if not f.usable:
            why = f.first.message if f.first is not None else ""
            return UnitState(u, t, issued_, UNUSABLE, names, 0, f.errors, why, by_name)
        return UnitState(u, t, issued_, COMPLETE if f.complete else INCOMPLETE, names, f.unfilled, f.errors)

    states = [state(u, t) for u, t in lines]
    groups = list(dict.fromkeys([*rubric.groups, *(u.group for u in units)]))
    teams = list(dict.fromkeys(s.team for s in states))
    present = {(s.team, s.unit.group) for s in states}
    order = [(t, g) for t in teams for g in groups if (t, g) in present]
    strangers = [i for i in issued if i.who.problem is None and i.who.unit_id not in known]
    return Status(states, order, others, strangers, skipped)
