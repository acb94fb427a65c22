"""The demo's 检查组 and round of 复核: 绵阳's campaign declares two 检查组 (:data:`TEAMS`, appended
to its ``zwgk.toml``); after round 01 a unit contests one yes/no answer (:func:`pick_appeal`),
``score`` runs again (round 02) and ``diff`` writes 复核记录.xlsx.  Each round records its manifest
as ``zwgk score`` does, so ``zwgk report`` finds the scores current.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.campaign import Campaign
from zwgk_cli.demo.simulate import largest_group
from zwgk_cli.engine import score_unit
from zwgk_cli.model import ReadingKey, Rubric, Unit, Value
from zwgk_cli.problems import Problem
from zwgk_cli.results import rounds
from zwgk_cli.roster import Roster
from zwgk_cli.scoring import batch as batch_mod
from zwgk_cli.scoring import output as output_mod
from zwgk_cli.workbook.book import Book
from zwgk_cli.workbook.guards import read_file
from zwgk_cli.workbook.layout import MapRow
from zwgk_cli.workbook.teams import Teams

# The 检查组 of a sample's demo campaign, as its zwgk.toml declares them (appended to the file)
TEAMS = {
    "mianyang-2022": """
# 演示:两个检查组分头检查(见 docs/workbook.md 的“检查组”)
[[teams]]
name = "网站检查组"
parts = ["第二部分 政府网站和政府系统政务新媒体"]

[[teams]]
name = "市政务公开办"
parts = ["p1", "日常工作", "p4"]
""",
}
APPEALS = frozenset({"mianyang-2022"})  # the samples whose demo has a round of 复核


@dataclass(frozen=True)
class Appeal:
    """The correction after round 01: which unit, which answer, where."""

    unit: str
    unit_id: str
    label: str
    old: Value
    new: Value
    book: Path  # the returned workbook corrected
    sheet: str
    cell: str
    total_before: Decimal | None
    total_after: Decimal | None


def score_round(r: Rubric, camp: Campaign, roster: Roster, teams: Teams | None) -> tuple[dict[str, int], list[Problem]]:
    """``zwgk score`` in the campaign folder, kept as a round (with the manifest ``zwgk score``
    records); the units per status and the problems."""
    returned = camp.path(camp.returned_dir)
    results_dir = camp.path(camp.results_dir)
    found = batch_mod.discover([returned], camp.root, exclude=[results_dir])
    workbooks = ((ref.name, ref.path) for ref in found.refs)
    manifest = rounds.manifest(rounds.run_inputs(camp, r, scanned=(returned,), workbooks=workbooks))
    problems = [*roster.problems, *found.problems]
    with batch_mod.run(
        r, roster.units, found.refs, skipped=found.skipped, extra_problems=problems, teams=teams
    ) as batch:
        output_mod.write_results(batch, results_dir, output_mod.campaign_fields(camp), manifest=manifest)
        return dict(batch.counts), list(batch.problems)


def inputs_of(book: Path) -> list[MapRow]:
    """The input cells of an issued workbook, as its hidden sheet lists them."""
    return list(Book(read_file(book)).layout.inputs)


def pick_appeal(
    r: Rubric,
    units: Sequence[Unit],
    values: Mapping[str, Mapping[ReadingKey, Value | None]],
    books: Mapping[str, Sequence[Path]],
    busy: set[str],
    scored: set[str],
) -> tuple[Unit, Path, MapRow, Value] | None:
    """The unit that appeals (the first scored unit of the largest group outside ``busy``), the
    workbook corrected (its last: the office's, with teams), the input and its corrected answer:
    the first yes/no answer whose correction raises the unit's total."""
    for u in largest_group(units):
        if u.id in busy or u.id not in scored or not books.get(u.id):
            continue
        mine = {k: v for k, v in values[u.id].items() if v is not None}
        variant = rubric_mod.resolve(r, u)
        before = score_unit(r, variant, u, mine).total
        book = books[u.id][-1]
        for m in inputs_of(book):
            old = mine.get(m.key)
            if old not in ("是", "否"):
                continue
            new = "否" if old == "是" else "是"
            after = score_unit(r, variant, u, {**mine, m.key: new}).total
            if before is not None and after is not None and after > before:
                return u, book, m, new
    return None
