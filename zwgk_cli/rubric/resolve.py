"""A rubric for one unit: the variant of its group, its own criteria sets (by name, short
name or alias), and what applies to it; and the walks over a variant every later step uses."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import fields, is_dataclass, replace
from typing import Any

from zwgk_cli.model import Condition, Criterion, Indicator, Part, Rubric, Unit, UnitSet, Variant
from zwgk_cli.problems import Code
from zwgk_cli.rubric.source import RubricError

Chain = tuple[Indicator, ...]


def unit_matches(name: str, unit: Unit, aliases: Mapping[str, str]) -> bool:
    return name == unit.name or aliases.get(name) == unit.name or name in unit.aliases


def sets_naming(ind: Indicator, unit: Unit, aliases: Mapping[str, str]) -> tuple[list[UnitSet], list[UnitSet]]:
    """The unit-specific sets that name ``unit``: (its own sets, generic sets that also name it)."""
    naming = [s for s in ind.by_unit if any(unit_matches(n, unit, aliases) for n in s.names)]
    return [s for s in naming if not s.default], [s for s in naming if s.default]


def pick_unit_set(ind: Indicator, unit: Unit, aliases: Mapping[str, str]) -> UnitSet | None:
    """A unit's own set wins; then a generic set that names it; then the generic set."""
    own, named_default = sets_naming(ind, unit, aliases)
    return next(iter([*own, *named_default, *(s for s in ind.by_unit if s.default)]), None)


def resolve(rubric: Rubric, unit: Unit) -> Variant:
    """The variant a unit is scored on, with its own criteria and applicability decided."""
    variant = rubric.variant_for(unit)
    if variant is None:
        groups = "、".join(rubric.groups) or "(未设分组)"
        raise RubricError.of(Code.R_NO_VARIANT, file=rubric.path, unit=unit.name, group=unit.group, groups=groups)
    attrs = unit.attrs()

    def fix_crit(c: Criterion) -> Criterion:
        return replace(
            c,
            applicable=c.applies.applies(attrs),
            terms=tuple(replace(t, applicable=t.applies.applies(attrs)) for t in c.terms),
            vetoes=tuple(replace(v, applicable=v.applies.applies(attrs)) for v in c.vetoes),
        )

    def fix_ind(ind: Indicator) -> Indicator:
        chosen = pick_unit_set(ind, unit, rubric.aliases)
        crits = ind.criteria + (chosen.criteria if chosen else ())
        return replace(
            ind, criteria=tuple(map(fix_crit, crits)), indicators=tuple(map(fix_ind, ind.indicators)), by_unit=()
        )

    def fix_part(p: Part) -> Part:
        return replace(p, parts=tuple(fix_part(x) for x in p.parts), indicators=tuple(fix_ind(i) for i in p.indicators))

    return replace(variant, parts=tuple(fix_part(p) for p in variant.parts))


def _with_subs(ind: Indicator) -> Iterator[Indicator]:
    yield ind
    for sub in ind.indicators:
        yield from _with_subs(sub)


def all_indicators(v: Variant) -> Iterator[Indicator]:
    """Every indicator of a variant, at every level, in tree order."""
    return (i for p in v.walk_parts() for top in p.indicators for i in _with_subs(top))


def conditions(variant: Variant) -> Iterator[Condition]:
    """Every condition of ``variant``'s criteria, terms and vetoes (unit-specific sets too)."""
    for ind in all_indicators(variant):
        for c in [*ind.criteria, *(c for s in ind.by_unit for c in s.criteria)]:
            for a in (c.applies, *(t.applies for t in c.terms), *(x.applies for x in c.vetoes)):
                yield from (*a.only_if, *a.not_if)


def is_flat(ind: Indicator) -> bool:
    """A one-criterion indicator written flat (the criterion is the indicator)."""
    return len(ind.criteria) == 1 and ind.criteria[0].id == ind.id and not ind.indicators


def walk_with_path(v: Variant) -> Iterator[tuple[Part, Chain, Criterion]]:
    """Every criterion with the part it sits in and its chain of indicators."""

    def walk(p: Part, ind: Indicator, chain: tuple[Indicator, ...]) -> Iterator[tuple[Part, Chain, Criterion]]:
        chain = (*chain, ind)
        for c in ind.criteria:
            yield p, chain, c
        for sub in ind.indicators:
            yield from walk(p, sub, chain)

    return (x for part in v.walk_parts() for ind in part.indicators for x in walk(part, ind, ()))


def map_groups(rubric: Rubric, mapping: Mapping[str, str]) -> Rubric:
    """The rubric as a campaign names its groups: ``mapping`` is campaign group → rubric group
    (``group_map`` in zwgk.toml).  A variant claims the campaign groups mapped onto its groups
    instead of those (a group nobody maps onto stays); a condition on the group also holds for
    the groups mapped onto it.  The content hash stays the rubric's."""
    if not mapping:
        return rubric
    onto: dict[str, list[str]] = {}
    for mine, theirs in mapping.items():
        onto.setdefault(theirs, []).append(mine)

    def renamed(groups: Iterable[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m for g in groups for m in onto.get(g, [g])))

    def walk(obj: Any) -> Any:
        if isinstance(obj, Condition):
            if obj.attribute not in ("group", "分组"):
                return obj
            return replace(obj, values=tuple(dict.fromkeys([*obj.values, *renamed(obj.values)])))
        if isinstance(obj, Variant):
            return replace(obj, groups=renamed(obj.groups), parts=walk(obj.parts), when=walk(obj.when))
        if isinstance(obj, tuple):
            return tuple(walk(x) for x in obj)
        if is_dataclass(obj) and not isinstance(obj, type):
            return replace(obj, **{f.name: walk(getattr(obj, f.name)) for f in fields(obj) if f.init})
        return obj

    result: Rubric = walk(rubric)
    return result
