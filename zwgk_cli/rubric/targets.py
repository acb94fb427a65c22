"""Targets assessed in their own right (国办秘函〔2019〕19号 ranks websites and new-media
accounts, not units): a kind with ``assessed: true`` is scored, ranked and published target by
target; its total is the sum of its points in the kind's outermost ``per_target`` parts, and it
is 不合格 when a veto fired there or it is below a part's or the kind's pass line.  The unit
still receives the workbook and the 整改清单."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from zwgk_cli.model import ZERO, Part, PartKind, Rubric, TargetKind, Variant, fmt_points
from zwgk_cli.problems import Code, Problem, problem


def kind_parts(variant: Variant, kind: str) -> tuple[Part, ...]:
    """The parts of ``variant`` scored once per target of ``kind`` (outermost ones only: a
    part's sub-parts are in its points already)."""

    def walk(parts: tuple[Part, ...]) -> Iterator[Part]:
        for p in parts:
            yield from [p] if p.per_target == kind else walk(p.parts)

    return tuple(walk(variant.parts))


def kind_max(variant: Variant, kind: str) -> Decimal:
    """The highest total a target of ``kind`` can reach in ``variant`` (penalties not counted)."""
    return sum((p.max or ZERO for p in kind_parts(variant, kind) if p.kind is not PartKind.PENALTY), ZERO)


def defines_verdict(rubric: Rubric, kind: TargetKind) -> bool:
    """Whether a target of ``kind`` is 合格 or 不合格: the kind has a pass line, or one of its
    parts has one or holds a veto."""
    parts = [p for v in rubric.variants for p in kind_parts(v, kind.id)]
    return kind.threshold is not None or any(p.threshold is not None or any(c.vetoes for c in p.walk()) for p in parts)


def check_targets(rubric: Rubric) -> list[Problem]:
    """A pass line no target can reach (R035)."""
    out: list[Problem] = []
    for j, k in enumerate(rubric.target_kinds):
        if not k.assessed or k.threshold is None:
            continue
        for v in rubric.variants:
            top = kind_max(v, k.id)
            if kind_parts(v, k.id) and k.threshold.min > top:
                at = {"file": rubric.path, "path": f"target_kinds[{j}].threshold.min", "variant": v.title or v.id}
                lo, hi = fmt_points(k.threshold.min), fmt_points(top)
                out.append(problem(Code.R_KIND_THRESHOLD, **at, title=k.title, min=lo, max=hi))
    return out
