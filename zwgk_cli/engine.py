"""Pure scoring: a resolved variant + a unit + its readings → :class:`UnitScore`.

Order of operations (the same as the summary sheet's formulas):

0. a veto in a part whose ``veto_effect`` is ``stop`` stops the scoring of its target (every
   part scored per that kind of target) or, in a part not scored per target, of the unit:
   those criteria are not scored (nothing is missing, nothing is deducted) and the parts
   score 0 (:func:`stopped_scopes`);
1. each criterion: its rule, clamped to [0, 分值] and rounded (rules.evaluate);
2. each indicator: the sum of its children clamped to [0, 分值];
3. each part: the sum of its indicators and sub-parts clamped to [0, 分值], rescaled to its
   分值 where the rubric says so and something does not apply (rules.rescaled); a part scored
   per target is scored once per target and averaged (ROUND half-up to 2 places);
   a part whose ``veto_effect`` is ``zero`` or ``stop`` scores 0 when a veto fired inside it;
4. pass thresholds (per target where the part is per target) are reported;
5. a gated part (bonus) counts only when its gate part reaches the minimum (``>=`` or ``>``);
6. total = normal parts + counted bonus − penalties, never below 0;
7. tier: any veto → the rubric's veto tier; else the highest tier whose floor is reached;
8. verdict (合格 / 不合格) where the rubric defines 合格 (rules.unit_passes).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from zwgk_cli import rules
from zwgk_cli.model import (
    ZERO,
    Criterion,
    CriterionScore,
    Indicator,
    InputKind,
    NodeScore,
    Part,
    PartKind,
    PartScore,
    ReadingKey,
    Rubric,
    TargetScore,
    TraceLine,
    Unit,
    UnitScore,
    Value,
    Variant,
    VetoEffect,
    VetoHit,
    round2,
)
from zwgk_cli.rubric import resolve

Values = Mapping[ReadingKey, Value | None]
Stops = frozenset[tuple[str, str]]  # (target kind, target id) whose scoring stopped; ("", "") the unit


@dataclass
class _Acc:
    """What scoring one unit collects on the way."""

    vetoes: list[VetoHit] = field(default_factory=list)
    missing: list[ReadingKey] = field(default_factory=list)
    trace: list[TraceLine] = field(default_factory=list)


def _named(hits: tuple[VetoHit, ...], c: Criterion, vals: Mapping[str, Value | None]) -> list[VetoHit]:
    """A veto's reason names what the criterion's text inputs say (绵阳: the account concerned)."""
    named = [f"{i.label}:{vals[i.id]}" for i in c.inputs if i.kind is InputKind.TEXT and vals.get(i.id)]
    if not named:
        return list(hits)
    return [replace(h, reason=f"{h.reason}({';'.join(named)})") for h in hits]


def _scopes(part: Part, unit: Unit) -> list[str]:
    """The targets a part is scored for, or ``[""]`` (the unit) for a part not scored per target."""
    return [t.id for t in unit.targets_of(part.per_target)] if part.per_target else [""]


def _is_stopped(stops: Stops, part: Part, target: str) -> bool:
    return ("", "") in stops or (target != "" and (part.per_target, target) in stops)


def _score_indicator(
    ind: Indicator, values: Values, target: str, target_name: str, part: str, acc: _Acc, stopped: bool
) -> NodeScore:
    crit_scores: list[CriterionScore] = []
    for c in ind.criteria:
        vals = {i.id: values.get(ReadingKey(target, c.id, i.id)) for i in c.live_inputs()}
        cs = rules.evaluate(c, vals, target, target_name, part)
        if stopped:
            cs = rules.stopped_score(cs)
        crit_scores.append(cs)
        if cs.vetoes:
            acc.vetoes.extend(_named(cs.vetoes, c, vals))
        acc.missing.extend(ReadingKey(target, c.id, i) for i in cs.missing)
        acc.trace.extend(cs.trace)
    kids = tuple(_score_indicator(i, values, target, target_name, part, acc, stopped) for i in ind.indicators)
    pts = [cs.points for cs in crit_scores if cs.points is not None] + [k.points for k in kids]
    complete = all(cs.points is not None or cs.stopped for cs in crit_scores) and all(k.complete for k in kids)
    return NodeScore(ind.id, ind.title, ind.max, rules.clamp_sum(pts, ind.max), complete, kids, tuple(crit_scores))


def _score_tree(
    part: Part, values: Values, target: str, target_name: str, acc: _Acc, unit: Unit, stops: Stops
) -> PartScore:
    """A part for one target ("" = the unit itself), sub-parts included."""
    before = len(acc.vetoes)
    stopped = _is_stopped(stops, part, target)
    nodes = tuple(_score_indicator(i, values, target, target_name, part.id, acc, stopped) for i in part.indicators)
    subs = tuple(score_part(p, values, unit, acc, stops) for p in part.parts)
    if part.kind is PartKind.PENALTY:
        raw = round2(sum((n.points for n in nodes), ZERO))
    else:
        raw = rules.rescaled(rules.clamp_sum([n.points for n in nodes] + [s.points for s in subs], part.max), part)
    fired = len(acc.vetoes) - before
    pts = rules.after_stop(rules.after_veto(raw, fired, part.veto_effect), stopped)
    complete = all(n.complete for n in nodes) and all(s.complete for s in subs)
    return PartScore(
        part.id, part.title, part.kind, part.max, pts, raw, complete, nodes, subs, vetoed=fired > 0, stopped=stopped
    )


def _passes(part: Part, points: Decimal, vetoed: bool) -> bool | None:
    th = part.threshold
    return None if th is None else rules.passes(points, int(vetoed), th.min, th.op)


def score_part(part: Part, values: Values, unit: Unit, acc: _Acc, stops: Stops = frozenset()) -> PartScore:
    if part.per_target is None:
        ps = _score_tree(part, values, "", "", acc, unit, stops)
        return replace(ps, passed=_passes(part, ps.points, ps.vetoed))
    scored: list[TargetScore] = []
    for t in unit.targets_of(part.per_target):
        ts = _score_tree(part, values, t.id, t.name, acc, unit, stops)
        passed = _passes(part, ts.points, ts.vetoed)
        scored.append(
            TargetScore(t.id, t.name, ts.points, ts.raw, ts.complete, ts.nodes, passed, ts.vetoed, ts.stopped)
        )
    pts = rules.mean([s.points for s in scored])
    # The unit's line is judged on the mean (绵阳: 政府网站得分取本单位所有网站的平均得分), and any
    # veto in any target fails it; each target keeps its own verdict above.
    vetoed = any(s.vetoed for s in scored)
    passed = _passes(part, pts, vetoed)
    return PartScore(
        part.id,
        part.title,
        part.kind,
        part.max,
        pts,
        rules.mean([s.raw for s in scored]),
        all(s.complete for s in scored) and bool(scored),
        targets=tuple(scored),
        passed=passed and bool(scored) if passed is not None else None,
        vetoed=vetoed,
        stopped=("", "") in stops,
    )


def stopped_scopes(variant: Variant, unit: Unit, values: Values) -> Stops:
    """The targets, as (kind, id), and ``("", "")`` for the unit, whose scoring a veto stopped:
    a veto fired in a part whose ``veto_effect`` is ``stop`` (for that target where the part is
    scored per target; every part scored per that kind of target stops for it)."""
    out: set[tuple[str, str]] = set()
    for p in variant.walk_parts():
        if p.veto_effect is not VetoEffect.STOP:
            continue
        for scope in _scopes(p, unit):
            if any(
                rules.fired(c, {i.id: values.get(ReadingKey(scope, c.id, i.id)) for i in c.live_inputs()})
                for ind in p.indicators
                for c in ind.walk()
            ):
                out.add((p.per_target or "", scope))
    return frozenset(out)


def _walk(parts: Iterable[PartScore]) -> Iterator[PartScore]:
    """Every part score, each before its sub-parts'."""
    for ps in parts:
        yield ps
        yield from _walk(ps.parts)


def parts_by_id(parts: Iterable[PartScore]) -> dict[str, PartScore]:
    """Every part score, sub-parts included, by its part's id."""
    return {ps.id: ps for ps in _walk(parts)}


def score_unit(rubric: Rubric, variant: Variant, unit: Unit, values: Values) -> UnitScore:
    """Score a unit on its resolved variant (see :func:`zwgk_cli.rubric.resolve`)."""
    acc = _Acc()
    stops = stopped_scopes(variant, unit, values)
    parts = [score_part(p, values, unit, acc, stops) for p in variant.parts]
    by_id = parts_by_id(parts)

    bonus_counted: bool | None = None
    final: list[PartScore] = []
    for p, ps in zip(variant.parts, parts, strict=True):
        if p.gate is not None:
            gate_part = by_id.get(p.gate.part)
            ok = gate_part is not None and rules.gate_open(gate_part.points, p.gate.min, p.gate.op)
            bonus_counted = ok if bonus_counted is None else bonus_counted and ok
            if not ok:
                ps = replace(ps, counted=False, points=rules.gated(ps.points, ok))
        final.append(ps)

    penalty_points = [ps.points for ps in final if ps.kind is PartKind.PENALTY]
    total = rules.unit_total([ps.points for ps in final if ps.kind is not PartKind.PENALTY], penalty_points)
    vetoes = tuple(acc.vetoes)
    tier = rubric.tier_for(total, bool(vetoes))
    verdicts = [v for ps in _walk(final) for v in (ps.passed, *(t.passed for t in ps.targets))]
    lines_passed = all(v for v in verdicts if v is not None)
    return UnitScore(
        unit=unit,
        variant=variant.id,
        total=total,
        parts=tuple(final),
        vetoes=vetoes,
        penalties=round2(sum(penalty_points, ZERO)),
        bonus_counted=bonus_counted,
        tier=tier.label if tier else None,
        coefficient=tier.coefficient if tier else None,
        complete=all(ps.complete for ps in final),
        missing=tuple(acc.missing),
        trace=tuple(acc.trace),
        passed=rules.unit_passes(rubric, total, bool(vetoes), tier.label if tier else None, lines_passed),
        stopped=tuple(sorted({t for _, t in stops})),
    )


def score(rubric: Rubric, unit: Unit, values: Values) -> UnitScore:
    """Resolve the rubric for ``unit`` and score it."""
    return score_unit(rubric, resolve(rubric, unit), unit, values)


def _required_keys(part: Part, target: str) -> list[ReadingKey]:
    """The reading keys of a part's own required inputs (not its sub-parts') for ``target``."""
    crits = (c for ind in part.indicators for c in ind.walk())
    return [ReadingKey(target, c.id, i.id) for c in crits for i in rules.required_inputs(c)]


def excused(variant: Variant, unit: Unit, values: Mapping[ReadingKey, Value | None]) -> frozenset[ReadingKey]:
    """The required inputs that need not be filled: those of a target (or of the unit) whose
    scoring a veto stopped (:func:`stopped_scopes`); an empty one is no problem."""
    stops = stopped_scopes(variant, unit, values)
    if not stops:
        return frozenset()
    return frozenset(
        key
        for p in variant.walk_parts()
        for scope in _scopes(p, unit)
        if _is_stopped(stops, p, scope)
        for key in _required_keys(p, scope)
    )


def started(variant: Variant, unit: Unit, values: Mapping[ReadingKey, object]) -> dict[tuple[str, str], bool]:
    """Which scopes have a required input filled (:func:`rules.shown`): ``(part id, "")`` for a
    part (its own inputs, every target's and its sub-parts'), ``(part id, target id)`` for a
    target of a part scored per target, ``("", "")`` for the whole workbook.  A scope with no
    required input at all follows the whole workbook.  The workbook's summary computes the same
    from its 填写进度 counts."""
    counts: dict[tuple[str, str], tuple[int, int]] = {}  # scope → (required, filled)

    def tally(p: Part, target: str) -> tuple[int, int]:
        keys = _required_keys(p, target)
        return len(keys), sum(1 for k in keys if values.get(k) not in (None, ""))

    def part(p: Part) -> tuple[int, int]:
        got = []
        for scope in _scopes(p, unit):
            got.append(tally(p, scope))
            if p.per_target:
                counts[(p.id, scope)] = got[-1]
        got += [part(sub) for sub in p.parts]
        counts[(p.id, "")] = (sum(n for n, _ in got), sum(f for _, f in got))
        return counts[(p.id, "")]

    totals = [part(p) for p in variant.parts]  # every part, so that ``counts`` has them all
    anything = any(f for _, f in totals)
    out = {scope: (f > 0 if n else anything) for scope, (n, f) in counts.items()}
    out[("", "")] = anything
    return out


def _criteria(nodes: Iterable[NodeScore]) -> Iterator[CriterionScore]:
    for n in nodes:
        yield from n.criteria
        yield from _criteria(n.children)


def criterion_scores(us: UnitScore) -> list[CriterionScore]:
    """Every criterion score of the unit: part by part, each part's indicators (a node's own
    criteria before its children's), then its targets', then its sub-parts'."""
    out: list[CriterionScore] = []
    for ps in _walk(us.parts):
        for nodes in (ps.nodes, *(t.nodes for t in ps.targets)):
            out.extend(_criteria(nodes))
    return out


def thresholds(us: UnitScore) -> dict[str, str]:
    """part id (and part id/target) → 合格/不合格, for parts with a pass threshold."""
    out: dict[str, str] = {}
    for ps in _walk(us.parts):
        if ps.passed is not None:
            out[ps.id] = "合格" if ps.passed else "不合格"
            for t in ps.targets:
                if t.passed is not None:
                    out[f"{ps.id}/{t.target}"] = "合格" if t.passed else "不合格"
    return out
