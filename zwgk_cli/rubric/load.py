"""A rubric by id or file → :class:`Rubric`: the YAML read (:mod:`.source`), turned into model
objects (:mod:`.reader`), then the errors of the whole rubric (bad tiers); every
problem is collected and raised at once as :class:`RubricError`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from zwgk_cli.model import Rubric
from zwgk_cli.problems import Code, Problem, problem
from zwgk_cli.rubric.reader import Reader
from zwgk_cli.rubric.source import RubricError, content_hash, load_yaml, locate


def parse(text: str, file: str = "<rubric>") -> Rubric:
    data, lines = load_yaml(text, file)
    reader = Reader(file, lines)
    rubric = reader.rubric(data)
    reader.problems.extend(structural_problems(rubric, file, lines))
    if reader.problems:
        raise RubricError(reader.problems)
    return replace(rubric, hash=content_hash(data), path=file)


def load(ref: str) -> Rubric:
    name, text = locate(ref)
    return parse(text, name)


def structural_problems(rubric: Rubric, file: str, lines: Mapping[str, int]) -> list[Problem]:
    """Errors of the whole rubric that make it unusable: bad tiers."""
    out: list[Problem] = []
    floors = [t.min for t in rubric.tiers if t.min is not None]
    if rubric.tiers and (len(set(floors)) != len(floors) or sum(1 for t in rubric.tiers if t.min is None) > 1):
        out.append(
            problem(
                Code.R_TIERS, file=file, path="tiers", line=lines.get("tiers"), detail="下限重复,或不止一个等次没有下限"
            )
        )
    labels = {t.label for t in rubric.tiers}
    if rubric.tiers and rubric.veto_tier not in labels:
        out.append(
            problem(
                Code.R_TIERS,
                file=file,
                path="veto_tier",
                line=lines.get("veto_tier", lines.get("tiers")),
                detail=f"veto_tier“{rubric.veto_tier}”不是任何等次的名称",
            )
        )
    return out
