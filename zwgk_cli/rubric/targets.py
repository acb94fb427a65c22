"""Targets assessed in their own right (国办秘函〔2019〕19号 ranks websites and new-media
accounts, not units): which parts make up a target kind's indicator set, its highest total,
whether its targets get a verdict, and the soundness of its pass line.

A target kind with ``assessed: true`` is scored, ranked and published target by target: a
target's total is the sum of its points in the kind's parts (the outermost parts scored
``per_target`` that kind; a penalty part subtracts, never below 0); it is 不合格 when a veto
fired in one of those parts, when it is below a part's pass line, or below the kind's own
``threshold``.  The unit still receives the workbook and the 整改清单.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from zwgk_cli.model import ZERO, Part, PartKind, Rubric, TargetKind, Variant, fmt_points
from zwgk_cli.problems import Code, Problem, problem


def kind_parts(variant: Variant, kind: str) -> tuple[Part, ...]:
    """The parts of ``variant`` scored once per target of ``kind`` (outermost ones only: a
    part's sub-parts are in its points already)."""
    out: list[Part] = []

    def walk(parts: tuple[Part, ...]) -> None:
        for p in parts:
            if p.per_target == kind:
                out.append(p)
            else:
                walk(p.parts)

    walk(variant.parts)
    return tuple(out)


def kind_max(variant: Variant, kind: str) -> Decimal:
    """The highest total a target of ``kind`` can reach in ``variant`` (penalties not counted)."""
    return sum((p.max or ZERO for p in kind_parts(variant, kind) if p.kind is not PartKind.PENALTY), ZERO)


def _has_veto(part: Part) -> bool:
    return any(c.vetoes for c in part.walk())


def defines_verdict(rubric: Rubric, kind: TargetKind) -> bool:
    """Whether a target of ``kind`` is 合格 or 不合格: the kind has a pass line, or one of its
    parts has one or holds a veto."""
    if kind.threshold is not None:
        return True
    return any(p.threshold is not None or _has_veto(p) for v in rubric.variants for p in kind_parts(v, kind.id))


def _kind_paths(rubric: Rubric) -> Iterator[tuple[int, TargetKind]]:
    for j, k in enumerate(rubric.target_kinds):
        if k.assessed:
            yield j, k


def check_targets(rubric: Rubric) -> list[Problem]:
    """A pass line no target can reach (R035)."""
    out: list[Problem] = []
    for j, k in _kind_paths(rubric):
        if k.threshold is None:
            continue
        for v in rubric.variants:
            if not kind_parts(v, k.id):
                continue
            top = kind_max(v, k.id)
            if k.threshold.min > top:
                out.append(
                    problem(
                        Code.R_KIND_THRESHOLD,
                        file=rubric.path,
                        path=f"target_kinds[{j}].threshold.min",
                        title=k.title,
                        min=fmt_points(k.threshold.min),
                        max=fmt_points(top),
                        variant=v.title or v.id,
                    )
                )
    return out
