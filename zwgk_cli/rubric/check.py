"""Soundness of a parsed rubric: maxima add up, award rules can reach their 分值, the source
text agrees with the 分值; and against a roster: every short name names exactly one unit, every
unit has a variant and a criteria set."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from zwgk_cli.model import (
    ZERO,
    Condition,
    Criterion,
    Indicator,
    PartKind,
    Rubric,
    Style,
    Term,
    TermKind,
    Unit,
    Variant,
    fmt_points,
    yes_no,
)
from zwgk_cli.problems import Code, Problem, problem
from zwgk_cli.rubric.resolve import all_indicators, sets_naming, unit_matches
from zwgk_cli.rubric.targets import check_targets

_AWARD_TEXT = re.compile(r"得(\d+(?:\.\d+)?)分")


def term_reach(term: Term, crit: Criterion) -> Decimal | None:
    """The most a term can contribute (None: unbounded)."""
    out: Decimal | None
    if term.kind is TermKind.FLAG:
        out = term.points
    elif term.kind is TermKind.CHOICE:
        out = max((p for _, p in term.choices), default=ZERO)
    elif term.kind in (TermKind.BANDS, TermKind.RATIO):
        out = max((b.points for b in term.bands), default=ZERO)
    else:
        n = crit.input(term.inputs[0]).max
        out = n if term.kind is TermKind.ENTERED or n is None else n * term.points
    if term.cap is not None:
        out = term.cap if out is None else min(out, term.cap)
    return out


def _check_criterion(c: Criterion, file: str, where: str) -> list[Problem]:
    if c.style is not Style.AWARD or c.max is None:
        return []
    out: list[Problem] = []
    reaches = [term_reach(t, c) for t in c.terms]
    reach = None if None in reaches else sum((r for r in reaches if r is not None), ZERO)
    at = {"file": file, "path": where, "title": c.title, "max": fmt_points(c.max)}
    if reach is not None and reach < c.max:
        out.append(problem(Code.R_UNREACHABLE, **at, reach=fmt_points(reach)))
    said = _AWARD_TEXT.findall(c.text)
    if len(said) == 1 and Decimal(said[0]) > c.max and "最高" not in c.text and "每" not in c.text:
        out.append(problem(Code.R_TEXT_MAX, **at, said=f"得{said[0]}分"))
    return out


def _sum_problem(
    title: str, declared: Decimal | None, children: Sequence[Decimal | None], file: str, where: str, exact: bool = True
) -> list[Problem]:
    if declared is None or not children or None in children:
        return []
    actual = sum((x for x in children if x is not None), ZERO)
    if actual == declared or (actual > declared and not exact):
        return []
    said, got = fmt_points(declared), fmt_points(actual)
    return [problem(Code.R_SUM, file=file, path=where, title=title, declared=said, actual=got)]


def check(rubric: Rubric, units: Sequence[Unit] = ()) -> list[Problem]:
    """Soundness of a parsed rubric, and of the rubric against a roster when given."""
    file = rubric.path
    out: list[Problem] = []

    def check_ind(ind: Indicator, where: str, bonus: bool) -> None:
        here = f"{where}/{ind.id}"
        kids = [i.max for i in ind.indicators] + [c.max for c in ind.criteria]
        out.extend(_sum_problem(ind.title, ind.max, kids, file, here, exact=not bonus))
        out.extend(p for c in ind.criteria for p in _check_criterion(c, file, f"{here}/{c.id}"))
        for s in ind.by_unit:
            title = f"{ind.title}({'、'.join(s.names[:2])}…)"
            out.extend(_sum_problem(title, ind.max, [c.max for c in s.criteria], file, here))
            out.extend(p for c in s.criteria for p in _check_criterion(c, file, f"{here}/{c.id}"))
        for sub in ind.indicators:
            check_ind(sub, here, bonus)

    for v in rubric.variants:
        for p in v.walk_parts():
            if p.kind is PartKind.PENALTY:
                continue
            kids = [x.max for x in p.parts] + [i.max for i in p.indicators]
            out.extend(_sum_problem(p.title, p.max, kids, file, f"{v.id}/{p.id}", exact=p.kind is not PartKind.BONUS))
            for ind in p.indicators:
                check_ind(ind, f"{v.id}/{p.id}", p.kind is PartKind.BONUS)
        if rubric.declared_max is not None and len(rubric.variants) == 1:
            out.extend(_sum_problem(rubric.title, rubric.declared_max, [v.max], file, "max"))
    out.extend(_variant_problems(rubric))
    out.extend(check_targets(rubric))
    if units:
        out.extend(check_units(rubric, units))
    return out


def _variant_problems(rubric: Rubric) -> list[Problem]:
    """What only shows across variants, or in what a unit that an item does not apply to gets:
    a group claimed by two variants (the second never used), a part id that names different
    parts in different variants, free points for units an award item does not apply to."""
    out = _claim_problems(rubric)
    titles: dict[str, tuple[Variant, str]] = {}
    for v in rubric.variants:
        for p in v.walk_parts():
            first, title1 = titles.setdefault(p.id, (v, p.title))
            if title1 != p.title and first.id != v.id:
                names = {"first": first.title, "title1": title1, "second": v.title, "title2": p.title}
                out.append(problem(Code.R_PART_TITLES, file=rubric.path, path=f"{v.id}/{p.id}", id=p.id, **names))
            for ind in p.indicators:
                out.extend(_na_problems(ind, p.kind is PartKind.BONUS, rubric.path, f"{v.id}/{p.id}"))
    return out


def _claim_problems(rubric: Rubric) -> list[Problem]:
    """Variants that claim the same units: a group claimed twice without ``when`` (R019), a
    variant with ``when`` after one without it (R025: never used), two ``when`` that may both
    hold (R024).  A variant without groups claims every group; one with ``when`` after one
    without it is never reached, one without it after one with it takes the rest."""
    out: list[Problem] = []
    for j, v in enumerate(rubric.variants):
        if len(rubric.variants) > 1 and not v.groups and not v.when:
            continue  # claims nothing (Rubric.variant_for_group)
        for a in rubric.variants[:j]:
            if not a.groups and not a.when:
                continue
            shared = [g for g in v.groups if not a.groups or g in a.groups] if v.groups else list(a.groups)
            if not v.groups and not a.groups:
                shared = ["全部分组"]
            if not shared:
                continue
            if not a.when:
                code = Code.R_GROUP_TWICE if not v.when else Code.R_WHEN_SHADOWED
            elif v.when and not _disjoint(a.when, v.when):
                code = Code.R_WHEN_OVERLAP
            else:
                continue
            out.append(
                problem(code, file=rubric.path, path=f"{v.id}/groups", group=shared[0], first=a.title, second=v.title)
            )
            break
    return out


def _disjoint(first: Sequence[Condition], second: Sequence[Condition]) -> bool:
    """No unit can meet both sets of conditions: they ask one attribute for different values
    (yes/no words read as 是/否 when both ask for yes/no: 有 and 是 are the same)."""
    for a in first:
        for b in second:
            if a.attribute != b.attribute:
                continue
            yes_or_no = all(yes_no(v) for v in (*a.values, *b.values))
            if not _read_as(a, yes_or_no) & _read_as(b, yes_or_no):
                return True
    return False


def _read_as(c: Condition, yes_or_no: bool) -> set[str]:
    return {yes_no(v) or v for v in c.values} if yes_or_no else set(c.values)


def _na_problems(ind: Indicator, bonus: bool, file: str, where: str) -> list[Problem]:
    out: list[Problem] = []
    here = f"{where}/{ind.id}"
    for c in (*ind.criteria, *(c for s in ind.by_unit for c in s.criteria)):
        if not c.applies.always and c.na_points == "full" and c.max and (bonus or c.style is Style.AWARD):
            code = Code.R_NA_FULL_BONUS if bonus else Code.R_NA_FULL_AWARD
            out.append(problem(code, file=file, path=f"{here}/{c.id}", title=c.title, max=fmt_points(c.max)))
    for sub in ind.indicators:
        out.extend(_na_problems(sub, bonus, file, here))
    return out


def check_units(rubric: Rubric, units: Sequence[Unit]) -> list[Problem]:
    file = rubric.path
    out: list[Problem] = []
    used_names = {n for v in rubric.variants for ind in all_indicators(v) for s in ind.by_unit for n in s.names}
    for alias in sorted(used_names | set(rubric.aliases)):
        hits = [u.name for u in units if unit_matches(alias, u, rubric.aliases)]
        if len(hits) > 1:
            out.append(problem(Code.R_ALIAS_MANY, file=file, path="aliases", alias=alias, units="、".join(hits)))
        elif not hits and alias in used_names:
            out.append(problem(Code.R_ALIAS_NONE, file=file, path="aliases", alias=alias))
    for u in units:
        variant = rubric.variant_for(u)
        if variant is None:
            groups = "、".join(rubric.groups)
            out.append(problem(Code.R_NO_VARIANT, file=file, unit=u.name, group=u.group, groups=groups))
            continue
        for ind in all_indicators(variant):
            own, named_default = sets_naming(ind, u, rubric.aliases)
            if own and named_default:
                chosen = "、".join(own[0].names[:3]) + ("等" if len(own[0].names) > 3 else "")
                out.append(problem(Code.R_UNIT_TWICE, file=file, unit=u.name, title=ind.title, chosen=chosen))
            elif ind.by_unit and not own and not named_default:
                code = Code.R_UNIT_DEFAULT if any(s.default for s in ind.by_unit) else Code.R_UNIT_NONE
                out.append(problem(code, file=file, unit=u.name, title=ind.title))
    return out
