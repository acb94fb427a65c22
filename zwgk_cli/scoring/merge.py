"""A campaign with 检查组: a unit's sources merged, then scored once.

Each file (a team's workbook, a whole workbook, a findings table) is read on its own
(:meth:`~zwgk_cli.scoring.unit.Scorer.keep_read`); :func:`merge_units` then decides per unit:

* values combine input by input: filled in one source, taken from there; the same value in two,
  taken once; different values, a conflict (T005, naming both places) and neither is used;
* an input left empty in one source but filled in another is not reported unfilled;
* two whole workbooks (W014) or two of the same team (T008): none is used, the unit is ``invalid``;
* a team that sent nothing while some of its required inputs have no value is named (T006);
* then the merged values are scored on the unit's whole variant, as one full workbook would be.

Every problem says which team's workbook (or part) it concerns (``Problem.team``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from zwgk_cli import rules
from zwgk_cli.model import ReadingKey, Source, Unit, Value
from zwgk_cli.problems import Code, Problem, Severity, problem
from zwgk_cli.results.document import STATUS_INVALID
from zwgk_cli.scoring.unit import FileResult, Scorer, UnitOutcome
from zwgk_cli.workbook.plan import UnitPlan, WorkbookRead, add_note
from zwgk_cli.workbook.teams import Teams, criterion_teams
from zwgk_cli.workbook.values import describe


def merge_units(
    scorer: Scorer, teams: Teams, units: Sequence[Unit], results: Sequence[FileResult]
) -> tuple[list[FileResult], dict[str, UnitOutcome], list[Problem]]:
    """Every unit's sources merged and scored: the files' results (without the problems another
    source settles), the decision per unit that sent anything, and the problems of units as a
    whole (conflicts, duplicates, missing teams, what the score reveals)."""
    files = list(results)
    by_unit: dict[str, list[int]] = {}
    known = {u.id for u in units}
    for i, r in enumerate(files):
        if r.unit_id in known:
            by_unit.setdefault(r.unit_id, []).append(i)
    decided: dict[str, UnitOutcome] = {}
    extra: list[Problem] = []
    for u in units:
        mine = by_unit.get(u.id)
        if mine:
            decided[u.id] = _unit(scorer, teams, u, files, mine, extra)
    return files, decided, extra


def _unit(
    scorer: Scorer, teams: Teams, unit: Unit, files: list[FileResult], mine: list[int], extra: list[Problem]
) -> UnitOutcome:
    sources = [files[i] for i in mine]
    names = [r.file for r in sources]
    same: dict[str, list[FileResult]] = {}  # the whole workbooks (team ""), each team's
    for r in sources:
        if r.usable and (r.team or not r.table):
            same.setdefault(r.team, []).append(r)
    found: list[Problem] = []
    for team, twice in same.items():  # as without teams: none is chosen
        if len(twice) > 1:
            code, shown = Code.T_TEAM_TWICE if team else Code.W_DUPLICATE, "、".join(r.file for r in twice)
            found += [
                problem(code, file=r.file, unit=unit.name, team=team, unit_name=unit.name, files=shown) for r in twice
            ]
    usable = [i for i in mine if files[i].usable]
    plan = scorer.ctx.plan(unit.id)
    if found or not usable or not isinstance(plan, UnitPlan):
        return _done(UnitOutcome(unit, STATUS_INVALID, None, names), sources, found, extra)

    reads = [(i, files[i].workbook_read()) for i in usable]
    of_crit = criterion_teams(teams, plan.variant)
    merged, conflicts, provided = _combine([r for _, r in reads if r is not None], plan, unit, of_crit)
    found.extend(conflicts)
    for i, read in reads:  # an input one source left empty and another filled is not unfilled
        if read is not None:
            files[i] = _settled(scorer, files[i], read, provided)
            merged.problems.extend(files[i].all_problems())
    found.extend(_missing_teams(teams, plan, unit, sources, merged))
    found = [p if p.team else replace(p, team=_team_at(p, merged, sources, of_crit)) for p in found]
    used = [files[i].file for i in usable]
    result, after = scorer.score(merged, plan, [*merged.problems, *found], used)
    found.extend(p if p.team else replace(p, team=_team_at(p, merged, sources, of_crit)) for p in after)
    return _done(UnitOutcome(unit, result.status, result, names), [files[i] for i in mine], found, extra)


def _done(m: UnitOutcome, sources: Sequence[FileResult], found: list[Problem], extra: list[Problem]) -> UnitOutcome:
    extra.extend(found)
    m.errors = sum(r.errors for r in sources) + sum(p.severity is Severity.ERROR for p in found)
    m.warnings = sum(r.warnings for r in sources) + sum(p.severity is not Severity.ERROR for p in found)
    return m


def _where(read: WorkbookRead, key: Any) -> tuple[str, dict[str, Any]]:
    """How a problem and a message name the place of ``key`` in ``read``."""
    src = read.sources.get(key)
    line = read.lines.get(key)
    if src is not None and src.cell:
        return f"{read.file} {src.sheet}!{src.cell}", {"file": read.file, "sheet": src.sheet, "cell": src.cell}
    if line is not None:
        return f"{read.file} 第{line}行", {"file": read.file, "line": line}
    return read.file, {"file": read.file}


def _combine(
    reads: Sequence[WorkbookRead], plan: UnitPlan, unit: Unit, of_crit: Mapping[str, str]
) -> tuple[WorkbookRead, list[Problem], set[ReadingKey]]:
    """The sources' values input by input; the conflicts; the inputs some source gave a value."""
    out = WorkbookRead("、".join(r.file for r in reads), unit_id=unit.id, unit_name=unit.name)
    out.rubric_id, out.rubric_hash = reads[0].rubric_id, reads[0].rubric_hash
    chosen: dict[ReadingKey, tuple[Value, WorkbookRead]] = {}
    conflicts: list[Problem] = []
    clashed: set[ReadingKey] = set()
    for read in reads:
        for key, value in read.values.items():
            if key not in plan.inputs:
                continue
            if value is None:
                out.values.setdefault(key, None)
                continue
            have = chosen.get(key)
            if have is None:
                chosen[key] = (value, read)
                out.values[key] = value
                out.sources[key] = read.sources.get(key, Source(read.file))
                if key in read.lines:
                    out.lines[key] = read.lines[key]
            elif have[0] != value and key not in clashed:
                clashed.add(key)
                crit, inp = plan.inputs[key]
                there, _ = _where(have[1], key)
                here, loc = _where(read, key)
                loc.update(
                    unit=unit.name, indicator=plan.indicator.get(crit.id, crit.id), team=of_crit.get(crit.id, "")
                )
                both = {
                    "first": there,
                    "first_value": describe(have[0]),
                    "second": here,
                    "second_value": describe(value),
                }
                conflicts.append(problem(Code.T_CONFLICT, **loc, label=inp.label, **both))
    for key in clashed:
        out.values[key] = None
    for read in reads:
        for nk, text in read.notes.items():
            add_note(out.notes, nk, text)
        for nk, src in read.note_sources.items():
            out.note_sources.setdefault(nk, src)
        out.note_formulas |= read.note_formulas
        for k, line in read.lines.items():
            if not isinstance(k, ReadingKey):
                out.lines.setdefault(k, line)
    provided = {k for k in chosen if k not in clashed}
    return out, conflicts, provided


def _settled(scorer: Scorer, r: FileResult, read: WorkbookRead, provided: set[ReadingKey]) -> FileResult:
    """``r`` without the 未填写 (V001) of inputs another source gave a value."""
    empty_at: set[tuple[str, str, Any]] = set()
    for key, value in read.values.items():
        if value is None and key in provided:
            src = read.sources.get(key)
            if src is not None and src.cell:
                empty_at.add((src.sheet, src.cell, None))
            if key in read.lines:
                empty_at.add(("", "", read.lines[key]))
    problems = r.all_problems()
    kept = [p for p in problems if p.code != Code.V_EMPTY.code or (p.sheet, p.cell, p.line) not in empty_at]
    if len(kept) == len(problems):
        return r
    again = FileResult(r.file, r.unit_id, r.unit_name, r.usable, r.status, read=r.read, team=r.team, table=r.table)
    return again.note(kept, scorer.folder)


def _missing_teams(
    teams: Teams, plan: UnitPlan, unit: Unit, sources: Sequence[FileResult], merged: WorkbookRead
) -> list[Problem]:
    """T006: a team that sent nothing for the unit while some of its required inputs have no value."""
    if any(r.usable and not r.team and not r.table for r in sources):
        return []  # a whole workbook covers every team
    if any(not r.usable and not r.team for r in sources):
        return []  # a file that could not be read may be that team's: its own problem says so
    sent = {r.team for r in sources if r.team}
    of_crit = criterion_teams(teams, plan.variant)
    lacking: dict[str, int] = {}
    for key, (crit, inp) in plan.inputs.items():
        team = of_crit.get(crit.id, "")
        if team and team not in sent and rules.is_required(inp) and merged.values.get(key) is None:
            lacking[team] = lacking.get(team, 0) + 1
    parts = teams.parts_text
    return [
        problem(Code.T_TEAM_MISSING, unit=unit.name, team=team, unit_name=unit.name, parts=parts(plan.variant, team))
        for team in teams.of_variant(plan.variant)
        if team in lacking
    ]


def _team_at(p: Problem, merged: WorkbookRead, sources: Sequence[FileResult], of_crit: Mapping[str, str]) -> str:
    """The team of a merge problem: the team workbook it is in, else the team of its input."""
    for r in sources:
        if r.file == p.file and r.team:
            return r.team
    for key, src in merged.sources.items():
        if (src.file, src.sheet, src.cell) == (p.file, p.sheet, p.cell) and p.cell:
            return of_crit.get(key.criterion, "")
    if p.line is not None:
        for key, src in merged.sources.items():
            if src.file == p.file and merged.lines.get(key) == p.line:
                return of_crit.get(key.criterion, "")
    return ""
