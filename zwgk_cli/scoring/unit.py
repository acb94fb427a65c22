"""One returned workbook (or one unit of a findings table) → its score, its problems and its rows.

:class:`Scorer` reads a file, scores it, adds the problems only a score reveals (a deduction
without a 扣分说明, an item scored 0 for want of evidence) and makes the unit's ``scores.json``
entry, 汇总 row and 明细 rows.  The rows and problems are pickled and compressed into the batch's
temporary folder (:func:`pack`), so the parent's memory does not grow with the batch (a province
scores 10,000 workbooks).
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zwgk_cli import rules
from zwgk_cli.engine import criterion_scores, score_unit
from zwgk_cli.model import (
    EVIDENCE_INPUT,
    YES,
    InputKind,
    ReadingKey,
    Rubric,
    Source,
    Style,
    Unit,
    UnitScore,
    fmt_points,
)
from zwgk_cli.problems import Code, Problem, Severity, problem, sort_key
from zwgk_cli.results.document import STATUS_INCOMPLETE, STATUS_INVALID, STATUS_SCORED, unit_to_dict
from zwgk_cli.results.rounds import unit_sources
from zwgk_cli.results.tables import Cell, detail_rows, part_titles, summary_cells, summary_columns
from zwgk_cli.results.targets import unit_targets
from zwgk_cli.scoring.discover import FileRef
from zwgk_cli.workbook.read import Context, UnitPlan, WorkbookRead, read_workbook
from zwgk_cli.workbook.teams import Teams, criterion_teams, tag_problems

HEAD = 200  # problems of each severity kept unpacked for the terminal (the files have them all)


def pack(data: Any, folder: str) -> str:
    """``data`` pickled and compressed into a new file in ``folder``; its path."""
    fd, path = tempfile.mkstemp(suffix=".pickle", dir=folder)
    with os.fdopen(fd, "wb") as fh:
        fh.write(zlib.compress(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL), 1))
    return path


def unpack(path: str) -> Any:
    return pickle.loads(zlib.decompress(Path(path).read_bytes()))


@dataclass(frozen=True)
class UnitRows:
    """What a scored unit contributes to the results."""

    json: str  # its scores.json entry: json.dumps of it, one line
    summary: list[Cell]  # its 汇总 / scores.csv row
    detail: list[list[Cell]]  # its 明细 rows
    sources: str = ""  # its sources.json line: where each input was read (a round keeps it)


@dataclass
class FileResult:
    """What a batch keeps of one file (or one unit of a findings table): ``head``, the first
    problems of each severity; ``codes``, how many of each code; ``examples``, the first of each."""

    file: str
    unit_id: str
    unit_name: str
    usable: bool
    status: str
    total: Any = None
    rows: str | None = None  # the file of its packed UnitRows, when the file was usable
    problems: str = ""  # the file of its packed problems, sorted by problems.sort_key
    errors: int = 0
    warnings: int = 0
    head: list[Problem] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)
    examples: dict[str, Problem] = field(default_factory=dict)
    targets: list[dict[str, Any]] = field(default_factory=list)  # assessed targets (results.targets)
    # a campaign with 检查组 merges a unit's sources before scoring: each file keeps what it read
    read: str | None = None  # the file of its packed WorkbookRead, when usable
    team: str = ""  # the team whose workbook it is ("" for a whole workbook or a findings table)
    table: bool = False  # a findings table (one unit of it), not a workbook

    def note(self, problems: Sequence[Problem], folder: str) -> FileResult:
        ordered = sorted(problems, key=sort_key)
        errors = [p for p in ordered if p.severity is Severity.ERROR]
        warnings = [p for p in ordered if p.severity is not Severity.ERROR]
        self.errors, self.warnings = len(errors), len(warnings)
        self.head = errors[:HEAD] + warnings[:HEAD]
        self.problems = pack(ordered, folder)
        for p in ordered:
            self.codes[p.code] = self.codes.get(p.code, 0) + 1
            self.examples.setdefault(p.code, p)
        return self

    def workbook_read(self) -> WorkbookRead | None:
        return unpack(self.read) if self.read is not None else None

    def unit_rows(self) -> UnitRows | None:
        return unpack(self.rows) if self.rows is not None else None

    def all_problems(self) -> list[Problem]:
        return list(unpack(self.problems)) if self.problems else []


@dataclass
class UnitOutcome:
    """What a batch decided for a roster unit: ``result``, the one usable (or merged) file's."""

    unit: Unit
    status: str
    result: FileResult | None
    files: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0


class Scorer:
    """Reads, scores and renders; one per process."""

    def __init__(self, rubric: Rubric, units: Sequence[Unit], folder: str, teams: Teams | None = None):
        self.folder = folder  # where each file's packed rows and problems are kept
        self.rubric = rubric
        self.teams = teams  # with 检查组, files are read here and merged per unit before scoring
        self.ctx = Context(rubric, units, teams)
        self.columns = summary_columns(rubric)
        self.titles = part_titles(rubric)

    def process(self, ref: FileRef) -> FileResult:
        read = read_workbook(ref.path, self.ctx, ref.name, ref.member)
        return self.keep_read(read) if self.teams is not None else self.score_read(read)

    def keep_read(self, read: WorkbookRead, table: bool = False) -> FileResult:
        """A campaign with teams: what was read, kept for merging (:mod:`zwgk_cli.scoring.merge`);
        its problems say which team's workbook (or part) they concern."""
        plan = self.ctx.plan(read.unit_id) if read.unit_id in self.ctx.units else None
        variant = plan.variant if isinstance(plan, UnitPlan) else None
        problems = tag_problems(read.problems, read, self.teams, variant)
        result = FileResult(read.file, read.unit_id, read.unit_name, read.usable, "", team=read.team, table=table)
        if read.usable:
            read.problems = []  # kept with the file's result; the merged read gathers them again
            result.read = pack(read, self.folder)
        return result.note(problems, self.folder)

    def score_read(self, read: WorkbookRead) -> FileResult:
        if not read.usable:
            result = FileResult(read.file, read.unit_id, read.unit_name, False, STATUS_INVALID)
            return result.note(read.problems, self.folder)
        plan = self.ctx.plan(read.unit_id)
        assert isinstance(plan, UnitPlan)  # a usable read has a plan
        return self.score(read, plan, read.problems, [read.file])[0]

    def score(
        self, read: WorkbookRead, plan: UnitPlan, known: Sequence[Problem], files: Sequence[str]
    ) -> tuple[FileResult, list[Problem]]:
        """The unit's result (``known``: the problems found reading it) and those only the score reveals."""
        us = score_unit(self.rubric, plan.variant, plan.unit, read.values)
        after = after_scoring(read, plan, us)
        problems = [*known, *after]
        errors = sum(1 for p in problems if p.severity is Severity.ERROR)
        status = STATUS_SCORED if us.complete and not errors else STATUS_INCOMPLETE
        entry = unit_to_dict(
            self.rubric,
            plan.variant,
            us,
            read.values,
            status=status,
            notes=read.notes,
            files=list(files),
            problem_counts={"error": errors, "warning": len(problems) - errors},
            sources=read.sources,
            source_file=read.file,
        )
        if self.teams is not None:  # each criterion says which 检查组 checks it (明细, 整改清单)
            of_crit = criterion_teams(self.teams, plan.variant)
            for row in entry["criteria"]:
                row["team"] = of_crit.get(row["criterion"], "")
        rows = UnitRows(
            json.dumps(entry, ensure_ascii=False),
            summary_cells(entry, self.columns, self.titles),
            detail_rows(entry, self.titles, self.teams is not None),
            unit_sources(read.file, plan.unit.id, plan.unit.name, read.sources, read.note_sources, read.lines),
        )
        result = FileResult(
            read.file, plan.unit.id, plan.unit.name, True, status, entry["total"], pack(rows, self.folder)
        )
        if self.rubric.assessed_kinds:
            result.targets = unit_targets(self.rubric, plan.variant, us, status)
        return result.note(problems, self.folder), after


def after_scoring(read: WorkbookRead, plan: UnitPlan, us: UnitScore) -> list[Problem]:
    """Deductions without a 扣分说明; evidence-required items scored 0 for want of evidence."""
    out: list[Problem] = []
    values = read.values
    for cs in criterion_scores(us):
        crit = plan.criteria.get((cs.target, cs.criterion))
        if not cs.applicable or cs.points is None or crit is None:
            continue
        where = {"unit": plan.unit.name, "indicator": plan.indicator.get(crit.id, crit.id)}
        if cs.evidence_missing:
            key = ReadingKey(cs.target, crit.id, EVIDENCE_INPUT.id)
            vals = {i.id: values.get(ReadingKey(cs.target, crit.id, i.id)) for i in crit.live_inputs()}
            vals[EVIDENCE_INPUT.id] = YES
            would = rules.evaluate(crit, vals).points
            shown = fmt_points(would) if would is not None else "—"
            loc = _loc(read, read.sources, key)
            out.append(problem(Code.V_NO_EVIDENCE, **loc, **where, would=shown, label=EVIDENCE_INPUT.label))
            continue
        if crit.style is Style.PENALTY:
            lost = cs.points
        elif crit.style is Style.DEDUCT and crit.max is not None:
            lost = crit.max - cs.points
        else:
            continue
        nk = (cs.target, crit.id)
        if lost <= 0 or read.notes.get(nk) or nk in read.note_formulas:  # a formula there is reported already (V018)
            continue
        texts = (values.get(ReadingKey(cs.target, crit.id, i.id)) for i in crit.inputs if i.kind is InputKind.TEXT)
        if any(isinstance(t, str) and t.strip() for t in texts):  # a note of its own, an account named
            continue
        out.append(problem(Code.V_NO_NOTE, **_loc(read, read.note_sources, nk), **where, lost=fmt_points(lost)))
    return out


def _loc(read: WorkbookRead, sources: Mapping[Any, Source], key: Any) -> dict[str, Any]:
    """Where a problem is: its source (a merged read's sources are in several files) or line."""
    loc: dict[str, Any] = {"file": read.file}
    src, line = sources.get(key), read.lines.get(key)
    if src is not None:
        loc.update(file=src.file or read.file, sheet=src.sheet, cell=src.cell)
    if line is not None:
        loc["line"] = line
    return loc
