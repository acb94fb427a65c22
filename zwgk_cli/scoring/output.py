"""Writing a scored :class:`~zwgk_cli.scoring.batch.Batch`: the results folder and the ``--json`` summary.

The results folder holds ``scores.json`` (:func:`zwgk_cli.results.document.document`, one unit a
line), ``scores.csv``, ``scores.xlsx`` (汇总, 明细, 问题), ``problems.csv`` and ``problems.json``.
Units go in roster order, problems in display order (:meth:`Batch.problem_groups`); each is
written as it comes, a unit or a file's problems at a time, into a temporary folder moved into
place at the end (:func:`zwgk_cli.files.run_outputs`): the folder holds this run's results or the
previous run's, never a mix.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from zwgk_cli.files import run_outputs
from zwgk_cli.results.document import absent_unit, document, list_document, write_list_document
from zwgk_cli.results.tables import (
    Column,
    CsvTable,
    Sheet,
    Workbook,
    detail_columns,
    detail_rows,
    part_titles,
    problem_cells,
    problem_columns,
    problem_dict,
    summary_cells,
    summary_columns,
)
from zwgk_cli.scoring.batch import Batch, UnitOutcome
from zwgk_cli.scoring.unit import UnitRows

PROBLEMS_FORMAT = "zwgk-problems/1"
CAMPAIGN_FIELDS = (
    "name",
    "year",
    "office",
    "contact",
    "notice_number",
    "notice_date",
    "recipients",
    "rectify_deadline",
    "materials_deadline",
    "return_deadline",
)


def campaign_fields(camp: Any) -> dict[str, Any]:
    """What ``scores.json`` records of the campaign (settings the report reads; no paths)."""
    return {
        k: getattr(camp, k) for k in CAMPAIGN_FIELDS if camp is not None and getattr(camp, k, None) not in (None, "", 0)
    }


@dataclass(frozen=True)
class Written:
    scores: tuple[Path, ...]
    problems: tuple[Path, ...]


def _unit_rows(batch: Batch, o: UnitOutcome, columns: Sequence[Column], titles: Mapping[str, str]) -> UnitRows:
    """The rows of a roster unit: its file's, or those of a unit without a usable workbook."""
    rows = o.result.unit_rows() if o.result is not None else None
    if rows is not None:
        return rows
    teams = bool(batch.teams)
    entry = absent_unit(
        o.unit.name,
        o.unit.id,
        o.unit.group,
        batch.rubric.variant_for_group(o.unit.group),
        o.status,
        files=o.files,
        problem_counts={"error": o.errors, "warning": o.warnings},
    )
    detail = detail_rows(entry, titles, teams)
    return UnitRows(json.dumps(entry, ensure_ascii=False), summary_cells(entry, columns), detail)


def _unit_items(batch: Batch, table: CsvTable, summary: Sheet, detail: Sheet) -> Iterator[str]:
    """Every roster unit's ``scores.json`` entry, in roster order; on the way, its row of
    ``scores.csv`` and of the 汇总 sheet, and its 明细 rows."""
    columns, titles = summary_columns(batch.rubric), part_titles(batch.rubric)
    for o in batch.outcomes:
        rows = _unit_rows(batch, o, columns, titles)
        table.append(rows.summary)
        summary.append(rows.summary)
        for row in rows.detail:
            detail.append(row)
        yield rows.json


def _problem_items(batch: Batch, table: CsvTable, sheet: Sheet | None) -> Iterator[str]:
    """Every problem as a ``problems.json`` item, in display order; on the way, its row of
    ``problems.csv`` and of the 问题 sheet."""
    for group in batch.problem_groups():
        for p in group:
            cells = problem_cells(p, bool(batch.teams))
            table.append(cells)
            if sheet is not None:
                sheet.append(cells)
            yield json.dumps(problem_dict(p, bool(batch.teams)), ensure_ascii=False)


def write_results(batch: Batch, results_dir: Path, campaign: Mapping[str, Any], *, scores: bool = True) -> Written:
    """Write the results folder; ``scores=False`` writes only the problem lists (``--strict``;
    the scores of an earlier run stay)."""
    with run_outputs(results_dir) as tmp:
        _write(batch, tmp, campaign, scores)
    names = SCORE_NAMES if scores else ()
    return Written(tuple(results_dir / n for n in names), tuple(results_dir / n for n in PROBLEM_NAMES))


SCORE_NAMES = ("scores.json", "scores.csv", "scores.xlsx")
PROBLEM_NAMES = ("problems.csv", "problems.json")


def _write(batch: Batch, folder: Path, campaign: Mapping[str, Any], scores: bool) -> None:
    score_paths = tuple(folder / n for n in SCORE_NAMES)
    problem_paths = tuple(folder / n for n in PROBLEM_NAMES)
    problem_cols = problem_columns(bool(batch.teams))
    problem_header = [h for h, _ in problem_cols]
    with ExitStack() as stack:
        problem_sheet: Sheet | None = None
        if scores:
            columns = summary_columns(batch.rubric)
            book = stack.enter_context(Workbook(score_paths[2]))
            summary = book.sheet("汇总", [c.header for c in columns], [c.width for c in columns])
            detail_cols = detail_columns(bool(batch.teams))
            detail = book.sheet("明细", [h for h, _ in detail_cols], [w for _, w in detail_cols])
            problem_sheet = book.sheet("问题", problem_header, [w for _, w in problem_cols])
            with CsvTable(score_paths[1], [c.header for c in columns]) as table:
                write_list_document(
                    score_paths[0],
                    document(batch.rubric, [], campaign, batch.groups()),
                    "units",
                    _unit_items(batch, table, summary, detail),
                )
        with CsvTable(problem_paths[0], problem_header) as table:
            write_list_document(
                problem_paths[1],
                {
                    "format": PROBLEMS_FORMAT,
                    "counts": {"error": batch.errors, "warning": batch.warnings},
                    "problems": [],
                },
                "problems",
                _problem_items(batch, table, problem_sheet),
            )


def summary_header(batch: Batch, written: Written | None = None) -> dict[str, Any]:
    """The ``--json`` summary without its problem list: counts per status, files, outputs."""
    return {
        "rubric": batch.rubric.id,
        "rubric_hash": batch.rubric.hash,
        "ok": batch.errors == 0,
        "units": len(batch.units),
        "counts": batch.counts,
        "files": len(batch.files),
        "skipped_lock_files": batch.skipped,
        "errors": batch.errors,
        "warnings": batch.warnings,
        "outputs": [str(p) for p in (written.scores + written.problems)] if written else [],
        "problems": [],
    }


def write_summary(batch: Batch, written: Written | None, out: IO[str]) -> None:
    """The ``--json`` summary to ``out``: one line, the problems in display order last."""
    items = (
        json.dumps(problem_dict(p, bool(batch.teams)), ensure_ascii=False) for g in batch.problem_groups() for p in g
    )
    for piece in list_document(summary_header(batch, written), "problems", items, None):
        out.write(piece)
    out.write("\n")
