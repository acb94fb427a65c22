"""A unit's findings: every criterion where it lost points or a veto fired, as the 整改清单 and
the notice's attachment print them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from zwgk_cli.model import ZERO, fmt_points
from zwgk_cli.report.text import short_title, zh
from zwgk_cli.results.model import CriterionRow, UnitResult


@dataclass(frozen=True)
class ProblemRow:
    no: int
    part: str
    indicator: str
    criterion: str
    target: str
    text: str
    found: str
    trace: str
    max: Decimal | None
    points: Decimal | None
    lost: Decimal
    vetoes: tuple[str, ...]
    source: CriterionRow = field(compare=False, repr=False)  # the row of scores.json
    team: str = ""  # the 检查组 whose workbook the finding came from (a campaign with teams)

    @property
    def where(self) -> str:
        return f"{self.indicator}({self.target})" if self.target else self.indicator

    @property
    def summary(self) -> str:
        """What the notice's attachment says: the finding, and any veto."""
        bits = [self.found or "未得分"]
        bits += [f"触发否决:{v}" for v in self.vetoes]
        return zh(";".join(b for b in bits if b))


def _found_text(row: CriterionRow) -> str:
    """What was found, as the 整改清单 and the notice's attachment say it: the assessor's
    扣分说明, then for deduction and penalty items the engine's account of each deduction
    (“空白栏目:2处×1分,扣2分”), for award items the inputs that did not earn their points."""
    style = row.style
    bits: list[str] = []
    if row.note:
        bits.append(f"扣分说明:{row.note}")
    if row.evidence_missing:
        bits.append("未按时提供佐证材料,视为无相关工作内容")
    elif style in ("deduct", "penalty") and row.trace:
        bits.extend(row.trace)
    else:
        for key, label in row.inputs:
            value = row.found.get(key)
            if key == "evidence" or (style == "award" and value == "是"):
                continue
            if style != "award" and value in ("否", 0, None):
                continue
            text = "未填写" if value is None else fmt_points(value) if isinstance(value, Decimal) else value
            bits.append(f"{label}:{text}")
    return zh(";".join(bits))


def problem_rows(unit: UnitResult, part_titles: Mapping[str, str]) -> list[ProblemRow]:
    """Every criterion where the unit lost points or a veto fired, in rubric order."""
    out: list[ProblemRow] = []
    for row in unit.criteria:
        if not row.is_finding:
            continue
        lost = row.lost or ZERO
        titles = list(row.indicator_titles)
        if row.title and (not titles or titles[-1] != row.title):
            titles.append(row.title)
        out.append(
            ProblemRow(
                no=len(out) + 1,
                part=short_title(part_titles.get(row.part, "")),
                indicator="—".join(titles),
                criterion=row.title,
                target=row.target_name,
                text=zh(row.text),
                found=_found_text(row),
                trace=zh(";".join(row.trace)),
                max=row.max,
                points=row.points,
                lost=lost,
                vetoes=row.vetoes,
                source=row,
                team=row.team,
            )
        )
    return out
