"""Writing a scored :class:`~zwgk_cli.scoring.batch.Batch`: the results folder and the ``--json`` summary.

``scores.json`` (one unit a line), ``scores.csv``, ``scores.xlsx`` (汇总, 明细, 问题), ``problems.csv``
and ``problems.json`` are written a unit or a file's problems at a time into a temporary folder
moved into place at the end (:func:`zwgk_cli.files.run_outputs`).  Given the run's manifest, the
run is also kept as a round (``rounds/NN/``, :mod:`zwgk_cli.results.rounds`), unless its inputs
and outputs are the last round's byte for byte.
"""

from __future__ import annotations

import filecmp
import json
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from zwgk_cli.files import run_outputs
from zwgk_cli.model import Rubric
from zwgk_cli.results import rounds
from zwgk_cli.results import targets as targets_mod
from zwgk_cli.results.document import absent_unit, document, list_document, write_json, write_list_document
from zwgk_cli.results.tables import (
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
from zwgk_cli.scoring.batch import Batch
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
    round: int | None = None  # the round these scores are (None: not kept as a round)
    new_round: bool = False  # False: the inputs were the last round's, no round was added


def _unit_items(
    batch: Batch, table: CsvTable, summary: Sheet, detail: Sheet, targets: Mapping[str, Sequence[Mapping[str, Any]]]
) -> Iterator[str]:
    """Every roster unit's ``scores.json`` entry; on the way, its rows of ``scores.csv``, 汇总 (with
    ``targets``: each unit's assessed targets, ranked) and 明细."""
    rubric = batch.rubric
    columns, titles = summary_columns(rubric), part_titles(rubric)
    for o in batch.outcomes:
        rows: UnitRows | None = o.result.unit_rows() if o.result is not None else None
        if rows is None:  # a unit without a usable workbook
            counts = {"error": o.errors, "warning": o.warnings}
            u = o.unit
            entry = absent_unit(
                u.name, u.id, u.group, rubric.variant_for(u), o.status, files=o.files, problem_counts=counts
            )
            detail_of = detail_rows(entry, titles, bool(batch.teams))
            rows = UnitRows(json.dumps(entry, ensure_ascii=False), summary_cells(entry, columns), detail_of)
        cells = rows.summary
        if rubric.assessed_kinds:
            cells = [*cells, *targets_mod.summary_cells(rubric, targets.get(o.unit.id, ()))]
        table.append(cells)
        summary.append(cells)
        for row in rows.detail:
            detail.append(row)
        yield rows.json


def _target_records(batch: Batch) -> list[dict[str, Any]]:
    """Every assessed target, roster order: a scored unit's as scored, others' never ranked as zero."""
    if not batch.rubric.assessed_kinds:
        return []
    out: list[dict[str, Any]] = []
    for o in batch.outcomes:
        if o.result is not None and o.result.usable:
            out.extend(o.result.targets)
        else:
            variant = batch.rubric.variant_for_group(o.unit.group)
            out.extend(targets_mod.absent_targets(batch.rubric, variant, o.unit, o.status))
    return out


def _kind_sheets(book: Workbook, rubric: Rubric, ranked: Sequence[Mapping[str, Any]]) -> None:
    """A sheet per assessed kind (政府网站, 政务新媒体): its targets as ranked."""
    used = {"汇总", "明细", "问题"}
    for kind in rubric.assessed_kinds:
        name = targets_mod.sheet_title(kind.title, used)
        sheet = book.sheet(name, targets_mod.KIND_COLUMNS)
        fail = kind.threshold.label if kind.threshold else "不合格"
        for r in ranked:
            if r.get("kind") == kind.id:
                sheet.append(targets_mod.kind_cells(r, fail))


def _problem_items(batch: Batch, table: CsvTable, sheet: Sheet | None) -> Iterator[str]:
    """Every problem as a ``problems.json`` item; on the way, its row of ``problems.csv`` and 问题."""
    for group in batch.problem_groups():
        for p in group:
            cells = problem_cells(p, bool(batch.teams))
            table.append(cells)
            if sheet is not None:
                sheet.append(cells)
            yield json.dumps(problem_dict(p, bool(batch.teams)), ensure_ascii=False)


def write_results(
    batch: Batch,
    results_dir: Path,
    campaign: Mapping[str, Any],
    *,
    scores: bool = True,
    manifest: Mapping[str, Any] | None = None,
) -> Written:
    """Write the results folder; ``scores=False``: only the problem lists (``--strict``).  With the
    run's ``manifest`` (made before the files were read) the scores are kept as a round too."""
    number, new = rounds.plan(results_dir, manifest) if scores and manifest is not None else (None, False)
    with run_outputs(results_dir) as tmp:
        _write(batch, tmp, campaign, scores, number)
        if number is not None and not new and not _same_files(tmp, rounds.round_dir(results_dir, number)):
            number, new = number + 1, True  # the same inputs, other outputs (a note on a PDF added, …)
            _write(batch, tmp, campaign, scores, number)
        if new and number is not None and manifest is not None:
            _keep_round(batch, tmp, rounds.round_dir(tmp, number), rounds.numbered(manifest, number))
    names = SCORE_NAMES if scores else ()
    return Written(tuple(results_dir / n for n in names), tuple(results_dir / n for n in PROBLEM_NAMES), number, new)


def _same_files(tmp: Path, folder: Path) -> bool:
    """Whether the outputs in ``tmp`` are those kept in the round ``folder``, byte for byte."""
    try:
        return all(filecmp.cmp(tmp / n, folder / n, shallow=False) for n in (*SCORE_NAMES, *PROBLEM_NAMES))
    except OSError:
        return False


def _keep_round(batch: Batch, tmp: Path, folder: Path, manifest: Mapping[str, Any]) -> None:
    """The round's folder: a copy of this run's outputs, its manifest and where each input was read."""
    folder.mkdir(parents=True)
    for name in (*SCORE_NAMES, *PROBLEM_NAMES):
        shutil.copyfile(tmp / name, folder / name)
    write_json(folder / rounds.MANIFEST_NAME, manifest)
    rows = (o.result.unit_rows() for o in batch.outcomes if o.result is not None)
    sources = (r.sources for r in rows if r is not None and r.sources)
    head = {"format": rounds.SOURCES_FORMAT, "round": manifest["round"], "units": []}
    write_list_document(folder / rounds.SOURCES_NAME, head, "units", sources)


SCORE_NAMES = ("scores.json", "scores.csv", "scores.xlsx")
PROBLEM_NAMES = ("problems.csv", "problems.json")


def _write(batch: Batch, folder: Path, campaign: Mapping[str, Any], scores: bool, number: int | None) -> None:
    score_paths = tuple(folder / n for n in SCORE_NAMES)
    problem_paths = tuple(folder / n for n in PROBLEM_NAMES)
    problem_cols = problem_columns(bool(batch.teams))
    problem_header = [h for h, _ in problem_cols]
    with ExitStack() as stack:
        problem_sheet: Sheet | None = None
        if scores:
            rubric = batch.rubric
            columns = [(c.header, c.width) for c in summary_columns(rubric)]
            columns += [(h, 40.0) for h in targets_mod.summary_headers(rubric)]
            headers = [h for h, _ in columns]
            records = _target_records(batch)
            ranked = targets_mod.rank_targets(rubric, records)
            book = stack.enter_context(Workbook(score_paths[2]))
            summary = book.sheet("汇总", columns)
            _kind_sheets(book, rubric, ranked)
            detail = book.sheet("明细", detail_columns(bool(batch.teams)))
            problem_sheet = book.sheet("问题", problem_cols)
            kinds = targets_mod.kinds_header(rubric) if rubric.assessed_kinds else None
            with CsvTable(score_paths[1], headers) as table:
                write_list_document(
                    score_paths[0],
                    document(rubric, [], campaign, batch.groups(), ranked, kinds, number),
                    "units",
                    _unit_items(batch, table, summary, detail, targets_mod.by_unit(records, ranked)),
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


def write_summary(batch: Batch, written: Written | None, out: IO[str]) -> None:
    """The ``--json`` summary to ``out``, one line, the problems in display order last."""
    head = {
        "rubric": batch.rubric.id,
        "rubric_hash": batch.rubric.hash,
        "ok": batch.errors == 0,
        "units": len(batch.units),
        "counts": batch.counts,
        "files": len(batch.files),
        "skipped_lock_files": batch.skipped,
        "errors": batch.errors,
        "warnings": batch.warnings,
        "round": written.round if written else None,
        "new_round": written.new_round if written else False,
        "outputs": [str(p) for p in (written.scores + written.problems)] if written else [],
        "problems": [],
    }
    items = (
        json.dumps(problem_dict(p, bool(batch.teams)), ensure_ascii=False) for g in batch.problem_groups() for p in g
    )
    for piece in list_document(head, "problems", items, None):
        out.write(piece)
    out.write("\n")
