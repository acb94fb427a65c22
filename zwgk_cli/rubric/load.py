"""A rubric by id or file → :class:`Rubric`: the YAML read (:mod:`.source`), turned into model
objects (:mod:`.reader`), then the errors of the whole tree (duplicate ids, bad tiers); every
problem is collected and raised at once as :class:`RubricError`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from zwgk_cli.model import Indicator, Rubric, Variant
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
    """Errors of the whole tree that make a rubric unusable: duplicate ids, bad tiers."""
    out: list[Problem] = []
    for v in rubric.variants:
        seen: dict[str, str] = {}
        for kind, node_id, where in _all_ids(v):
            key = f"{kind}:{node_id}"
            if key in seen:
                out.append(problem(Code.R_DUP_ID, file=file, path=where, id=node_id, other=seen[key]))
            else:
                seen[key] = where
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
                line=lines.get("veto_tier"),
                detail=f"veto_tier“{rubric.veto_tier}”不是任何等次的名称",
            )
        )
    return out


def _all_ids(v: Variant) -> Iterable[tuple[str, str, str]]:
    def walk_ind(ind: Indicator, where: str) -> Iterable[tuple[str, str, str]]:
        here = f"{where}/{ind.id}"
        if not (len(ind.criteria) == 1 and ind.criteria[0].id == ind.id and not ind.indicators):
            yield "node", ind.id, here
        for c in ind.criteria:
            yield "criterion", c.id, f"{here}/{c.id}"
        for s in ind.by_unit:
            for c in s.criteria:
                yield "criterion", c.id, f"{here}/{c.id}"
        for sub in ind.indicators:
            yield from walk_ind(sub, here)

    for p in v.walk_parts():
        yield "node", p.id, f"{v.id}/{p.id}"
        for ind in p.indicators:
            yield from walk_ind(ind, f"{v.id}/{p.id}")
