"""Pure scoring: a resolved variant + a unit + its readings → :class:`UnitScore`.

Order of operations (the same as the summary sheet's formulas):

1. each criterion: its rule, clamped to [0, 分值] and rounded (rules.evaluate);
2. each indicator: the sum of its children clamped to [0, 分值];
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
from dataclasses import replace
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


class _Acc:
    """What scoring one unit collects on the way: vetoes, missing inputs, trace."""

    def __init__(self) -> None:
        self.vetoes: list[VetoHit] = []
        self.missing: list[ReadingKey] = []
        self.trace: list[TraceLine] = []


def _named(hits: tuple[VetoHit, ...], c: Criterion, vals: Mapping[str, Value | None]) -> list[VetoHit]:
    """A veto's reason names what the criterion's text inputs say (绵阳: the account concerned)."""
    named = [f"{i.label}:{vals[i.id]}" for i in c.inputs if i.kind is InputKind.TEXT and vals.get(i.id)]
    if not named:
        return list(hits)
    return [replace(h, reason=f"{h.reason}({';'.join(named)})") for h in hits]


def own_keys(c: Criterion) -> tuple[ReadingKey, ...]:
    """The reading keys of a criterion's live inputs for the unit itself (target ``""``)."""
    return tuple(ReadingKey("", c.id, i.id) for i in c.live_inputs())


def _score_indicator(
    ind: Indicator, values: Values, target: str, target_name: str, part: str, acc: _Acc, stopped: bool = False
) -> NodeScore:
    crit_scores: list[CriterionScore] = []
    pts: list[Decimal] = []
    complete = True
    get = values.get
    for c in ind.criteria:
        vals = {i.id: get(ReadingKey(target, c.id, i.id)) for i in c.live_inputs()}
        cs = rules.evaluate(c, vals, target, target_name, part)
        if stopped:
            cs = rules.stopped_score(cs)
        crit_scores.append(cs)
        if cs.points is not None:
            pts.append(cs.points)
        elif not cs.stopped:
            complete = False
        if cs.vetoes:
            acc.vetoes.extend(_named(cs.vetoes, c, vals))
        if cs.missing:
            acc.missing.extend(ReadingKey(target, c.id, i) for i in cs.missing)
        if cs.trace:
            acc.trace.extend(cs.trace)
    kids: tuple[NodeScore, ...] = ()
    if ind.indicators:
        kids = tuple(_score_indicator(i, values, target, target_name, part, acc, stopped) for i in ind.indicators)
        for k in kids:
            pts.append(k.points)
            complete = complete and k.complete
    return NodeScore(ind.id, ind.title, ind.max, rules.clamp_sum(pts, ind.max), complete, kids, tuple(crit_scores))


def _score_tree(
    part: Part, values: Values, target: str, target_name: str, acc: _Acc, unit: Unit, stops: Stops
) -> PartScore:
    """A part for one target ("" = the unit itself), sub-parts included."""
    before = len(acc.vetoes)
    stopped = ("", "") in stops or (target != "" and (part.per_target, target) in stops)
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
    targets = unit.targets_of(part.per_target)
    scored: list[TargetScore] = []
    for t in targets:
        ts = _score_tree(part, values, t.id, t.name, acc, unit, stops)
        passed = _passes(part, ts.points, ts.vetoed)
        scored.append(
            TargetScore(t.id, t.name, ts.points, ts.raw, ts.complete, ts.nodes, passed, ts.vetoed, ts.stopped)
        )
    pts = rules.mean([s.points for s in scored])
    raw = rules.mean([s.raw for s in scored])
    # The unit's line is judged on the mean (绵阳: 政府网站得分取本单位所有网站的平均得分), and any
    # veto in any target fails it; each target keeps its own verdict above.
    vetoed = any(s.vetoed for s in scored)
    passed = _passes(part, pts, vetoed)
    passed = passed and bool(scored) if passed is not None else None
    return PartScore(
        part.id,
        part.title,
        part.kind,
        part.max,
        pts,
        raw,
        all(s.complete for s in scored) and bool(scored),
        (),
        (),
        tuple(scored),
        passed,
        vetoed=vetoed,
        stopped=("", "") in stops,
    )


def stopped_scopes(variant: Variant, unit: Unit, values: Values) -> Stops:
    """The targets, as (kind, id), and ``("", "")`` for the unit, whose scoring a veto stopped:
    a veto fired in a part whose ``veto_effect`` is ``stop`` (for that target where the part is
    scored per target; every part scored per that kind of target stops for it)."""
    out: set[tuple[str, str]] = set()
    get = values.get
    for p in variant.walk_parts():
        if p.veto_effect is not VetoEffect.STOP:
            continue
        scopes = [t.id for t in unit.targets_of(p.per_target)] if p.per_target else [""]
        for scope in scopes:
            for ind in p.indicators:
                if any(
                    rules.fired(c, {i.id: get(ReadingKey(scope, c.id, i.id)) for i in c.live_inputs()})
                    for c in ind.walk()
                ):
                    out.add((p.per_target or "", scope))
                    break
    return frozenset(out)


def parts_by_id(parts: Iterable[PartScore]) -> dict[str, PartScore]:
    """Every part score, sub-parts included, by its part's id."""
    out: dict[str, PartScore] = {}
    stack = list(parts)
    while stack:
        ps = stack.pop()
        out[ps.id] = ps
        stack.extend(ps.parts)
    return out


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

    normal = [ps.points for ps in final if ps.kind is not PartKind.PENALTY]
    penalty_points = [ps.points for ps in final if ps.kind is PartKind.PENALTY]
    total = rules.unit_total(normal, penalty_points)
    penalties = sum(penalty_points, ZERO)
    vetoes = tuple(acc.vetoes)
    tier = rubric.tier_for(total, bool(vetoes))
    complete = all(ps.complete for ps in final)
    verdicts = [v for v in thresholds_of(final) if v is not None]
    passed = rules.unit_passes(rubric, total, bool(vetoes), tier.label if tier else None, all(verdicts))
    return UnitScore(
        unit=unit,
        variant=variant.id,
        total=total,
        parts=tuple(final),
        vetoes=vetoes,
        penalties=round2(penalties),
        bonus_counted=bonus_counted,
        tier=tier.label if tier else None,
        coefficient=tier.coefficient if tier else None,
        complete=complete,
        missing=tuple(acc.missing),
        trace=tuple(acc.trace),
        passed=passed,
        stopped=tuple(sorted({t for _, t in stops})),
    )


def thresholds_of(parts: Iterable[PartScore]) -> Iterator[bool | None]:
    """Every pass-line verdict of the parts and their targets (None: no pass line)."""
    for ps in parts:
        yield ps.passed
        for t in ps.targets:
            yield t.passed
        yield from thresholds_of(ps.parts)


def score(rubric: Rubric, unit: Unit, values: Values) -> UnitScore:
    """Resolve the rubric for ``unit`` and score it."""
    return score_unit(rubric, resolve(rubric, unit), unit, values)


def _required_keys(ind: Indicator, target: str) -> Iterator[ReadingKey]:
    for c in ind.criteria:
        for i in rules.required_inputs(c):
            yield ReadingKey(target, c.id, i.id)
    for sub in ind.indicators:
        yield from _required_keys(sub, target)


def excused(variant: Variant, unit: Unit, values: Mapping[ReadingKey, Value | None]) -> frozenset[ReadingKey]:
    """The required inputs that need not be filled: those of a target (or of the unit) whose
    scoring a veto stopped (:func:`stopped_scopes`); an empty one is no problem."""
    stops = stopped_scopes(variant, unit, values)
    if not stops:
        return frozenset()
    out: set[ReadingKey] = set()
    for p in variant.walk_parts():
        for scope in [t.id for t in unit.targets_of(p.per_target)] if p.per_target else [""]:
            if ("", "") in stops or (scope and (p.per_target, scope) in stops):
                for ind in p.indicators:
                    out.update(_required_keys(ind, scope))
    return frozenset(out)


def started(variant: Variant, unit: Unit, values: Mapping[ReadingKey, object]) -> dict[tuple[str, str], bool]:
    """Which scopes have a required input filled (:func:`rules.shown`): ``(part id, "")`` for a
    part (its own inputs, every target's and its sub-parts'), ``(part id, target id)`` for a
    target of a part scored per target, ``("", "")`` for the whole workbook.  A scope with no
    required input at all follows the whole workbook.  The workbook's summary computes the same
    from its 填写进度 counts."""
    counts: dict[tuple[str, str], tuple[int, int]] = {}  # scope → (required, filled)

    def tally(keys: Iterable[ReadingKey]) -> tuple[int, int]:
        n = filled = 0
        for k in keys:
            n += 1
            v = values.get(k)
            filled += v is not None and v != ""
        return n, filled

    def part(p: Part) -> tuple[int, int]:
        if p.per_target:
            own = [0, 0]
            for t in unit.targets_of(p.per_target):
                counts[(p.id, t.id)] = got = tally(k for ind in p.indicators for k in _required_keys(ind, t.id))
                own = [own[0] + got[0], own[1] + got[1]]
        else:
            n, f = tally(k for ind in p.indicators for k in _required_keys(ind, ""))
            own = [n, f]
        for sub in p.parts:
            n, f = part(sub)
            own = [own[0] + n, own[1] + f]
        counts[(p.id, "")] = (own[0], own[1])
        return own[0], own[1]

    whole = [0, 0]
    for p in variant.parts:
        n, f = part(p)
        whole = [whole[0] + n, whole[1] + f]
    anything = whole[1] > 0
    out = {scope: (f > 0 if n else anything) for scope, (n, f) in counts.items()}
    out[("", "")] = anything
    return out


def criterion_scores(us: UnitScore) -> list[CriterionScore]:
    """Every criterion score of the unit: part by part, each part's indicators (a node's own
    criteria before its children's), then its targets', then its sub-parts'."""
    out: list[CriterionScore] = []

    def nodes(ns: Iterable[NodeScore]) -> None:
        for n in ns:
            out.extend(n.criteria)
            if n.children:
                nodes(n.children)

    def parts(ps: Iterable[PartScore]) -> None:
        for p in ps:
            nodes(p.nodes)
            for t in p.targets:
                nodes(t.nodes)
            parts(p.parts)

    parts(us.parts)
    return out


def thresholds(us: UnitScore) -> dict[str, str]:
    """part id (and part id/target) → 合格/不合格, for parts with a pass threshold."""
    out: dict[str, str] = {}

    def walk(ps: PartScore) -> None:
        if ps.passed is not None:
            out[ps.id] = "合格" if ps.passed else "不合格"
            for t in ps.targets:
                if t.passed is not None:
                    out[f"{ps.id}/{t.target}"] = "合格" if t.passed else "不合格"
        for sub in ps.parts:
            walk(sub)

    for p in us.parts:
        walk(p)
    return out
