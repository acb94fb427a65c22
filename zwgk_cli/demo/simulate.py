"""A deterministic simulator of plausible findings for ``zwgk demo`` and the tests (it knows rule
kinds, no particular rubric).  Per criterion: the *ideal* values (the best score without a veto),
then, at the unit's rate, one finding that costs points but fires no veto.  A :class:`Scenario`
adds a veto in each of the two largest groups, a unit below the bonus gate, a tie, and the unit
with the most websites (their mean).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from zwgk_cli import rules
from zwgk_cli.engine import score_unit
from zwgk_cli.model import (
    EVIDENCE_INPUT,
    NO,
    POINTS_STEP,
    YES,
    ZERO,
    Criterion,
    Input,
    InputKind,
    Part,
    PartKind,
    ReadingKey,
    Rubric,
    Style,
    TermKind,
    Unit,
    Value,
    Variant,
    Veto,
    fmt_points,
)
from zwgk_cli.rubric import resolve, walk_with_path

Values = dict[ReadingKey, Value | None]
Notes = dict[tuple[str, str], str]

# Typical column names an assessor writes in a 扣分说明 (栏目 findings).
COLUMN_NAMES = (
    "通知公告",
    "政策解读",
    "人事信息",
    "财政预决算",
    "规划计划",
    "统计数据",
    "应急管理",
    "建议提案办理",
    "重大决策预公开",
    "政府信息公开年报",
    "双随机一公开",
    "稳岗就业",
)


@dataclass
class UnitPlan:
    """What the simulator decided for one unit."""

    values: Values = field(default_factory=dict)
    notes: Notes = field(default_factory=dict)


@dataclass
class Scenario:
    """The units the demo's scenario picked (unit ids), and what each shows."""

    vetoed: dict[str, str] = field(default_factory=dict)  # unit id → the veto's reason
    below_gate: str = ""
    tie: tuple[str, str] | None = None
    most_targets: str = ""

    def busy(self) -> set[str]:
        """The units the scenario uses (kept clear of the demo's other events)."""
        return set(self.vetoed) | {self.below_gate, self.most_targets, *(self.tie or ())}


def by_group(units: Sequence[Unit]) -> dict[str, list[Unit]]:
    groups: dict[str, list[Unit]] = {}
    for u in units:
        groups.setdefault(u.group, []).append(u)
    return groups


def largest_group(units: Sequence[Unit]) -> list[Unit]:
    return max(by_group(units).values(), key=len)


def _candidates(inp: Input) -> list[Value]:
    """Plausible values of one input, the benign ones first."""
    if inp.kind is InputKind.COUNT:
        return [Decimal(n) for n in (range(int(inp.max) + 1) if inp.max is not None else (0, 1, 2, 3, 6, 11))]
    if inp.kind is InputKind.YES_NO:
        return [NO, YES]
    if inp.kind is InputKind.CHOICE:
        return list(inp.options)
    if inp.kind is InputKind.PERCENT:
        return [Decimal(n) for n in (100, 90, 75, 60, 40, 20, 0)]
    if inp.kind is InputKind.NUMBER:
        return [Decimal(n) for n in (0, 3, 20, 60, 120, 5000, 80000, 120000, 160000, 250000)]
    if inp.kind is InputKind.POINTS:
        ceiling = inp.max or Decimal(1)
        step = inp.step or POINTS_STEP
        return [step * k for k in range(int(ceiling / step), -1, -1)]
    return [""]


def _plausible(c: Criterion, vals: Mapping[str, Value | None]) -> bool:
    """Numerators never exceed their denominators (纠错数 ≤ 申请总数)."""
    pairs = [t.inputs[:2] for t in c.terms if t.kind is TermKind.RATIO and t.applicable]
    pairs += [v.inputs[:2] for v in c.vetoes if v.ratio and v.applicable]
    for n, d in pairs:
        nv, dv = vals.get(n), vals.get(d)
        if isinstance(nv, Decimal) and isinstance(dv, Decimal) and nv > dv:
            return False
    return True


def _score(c: Criterion, vals: Mapping[str, Value | None]) -> tuple[Decimal, bool]:
    """(points, a veto fired); penalties count as negative points."""
    cs = rules.evaluate(c, vals)
    pts = cs.points or ZERO
    if c.style is Style.PENALTY:
        pts = -pts
    return pts, bool(cs.vetoes)


def _inputs(c: Criterion) -> list[Input]:
    return [i for i in c.live_inputs() if i.id != EVIDENCE_INPUT.id]


def _tries(
    c: Criterion, vals: Mapping[str, Value | None], inp: Input
) -> Iterable[tuple[dict[str, Value | None], Decimal]]:
    """``vals`` with each plausible value of ``inp`` that fires no veto, and its points."""
    if inp.kind is InputKind.TEXT:
        return
    for cand in _candidates(inp):
        trial = dict(vals, **{inp.id: cand})
        if _plausible(c, trial):
            pts, vetoed = _score(c, trial)
            if not vetoed:
                yield trial, pts


def ideal(c: Criterion, rng: random.Random) -> dict[str, Value | None]:
    """The best-scoring plausible values that fire no veto (coordinate search, benign first)."""
    vals: dict[str, Value | None] = {i.id: _candidates(i)[0] for i in _inputs(c)}
    if c.evidence:
        vals[EVIDENCE_INPUT.id] = YES
    for _ in range(2):
        for inp in _inputs(c):
            best: tuple[dict[str, Value | None], Decimal] | None = None
            for trial, pts in _tries(c, vals, inp):
                if best is None or pts > best[1]:
                    best = (trial, pts)
            if best is not None:
                vals = best[0]
    return vals


def finding(c: Criterion, base: Mapping[str, Value | None], rng: random.Random) -> dict[str, Value | None] | None:
    """The ideal values with one plausible problem: loses points, fires no veto (None if none)."""
    best_pts, _ = _score(c, base)
    options = [trial for inp in _inputs(c) for trial, pts in _tries(c, base, inp) if pts < best_pts]
    if not options:
        return None
    # Small problems are more common than large ones: prefer the first options of each input.
    weights = [1.0 / (1 + k % 4) for k in range(len(options))]
    return rng.choices(options, weights=weights, k=1)[0]


def veto_values(c: Criterion, base: Mapping[str, Value | None]) -> dict[str, Value | None] | None:
    """The ideal values changed so that one of the criterion's vetoes fires."""
    kinds = {i.id: i.kind for i in c.inputs}
    for v in c.vetoes:
        if not v.applicable:
            continue
        vals = dict(base)
        if v.ratio:
            n, d = v.inputs
            vals[d] = Decimal(20)
            need = (v.value * 20 / 100).to_integral_value(rounding="ROUND_CEILING")
            vals[n] = min(Decimal(20), need + (1 if v.op == ">" and need * 100 == v.value * 20 else 0))
        elif kinds.get(v.inputs[0]) is InputKind.YES_NO:
            vals[v.inputs[0]] = YES
        else:
            vals[v.inputs[0]] = v.value + (1 if v.op == ">" else 0)
        if rules.evaluate(c, vals).vetoes:
            return vals
    return None


def note_for(
    c: Criterion, vals: Mapping[str, Value | None], base: Mapping[str, Value | None], rng: random.Random
) -> str:
    """A short 扣分说明 in an assessor's words for the inputs that differ from the ideal: the
    columns concerned for 栏目 findings, otherwise where the evidence of the finding is."""
    bits: list[str] = []
    for inp in c.live_inputs():
        v = vals.get(inp.id)
        if inp.id == EVIDENCE_INPUT.id:
            if v == NO:
                bits.append("佐证材料逾期未报送")
            continue
        if v == base.get(inp.id) or inp.kind is InputKind.TEXT:
            continue
        if inp.kind is InputKind.COUNT and isinstance(v, Decimal) and "栏目" in inp.label and v > 0:
            names = rng.sample(COLUMN_NAMES, k=min(int(v), 3))
            more = "等" if v > len(names) else ""
            bits.append("、".join(f"“{n}”" for n in names) + more + "栏目")
        elif inp.kind is InputKind.COUNT and isinstance(v, Decimal) and v > 0:
            bits.append(f"发现{fmt_points(v)}处,截图见检查记录第{rng.randint(2, 30)}页")
        elif inp.kind in (InputKind.PERCENT, InputKind.NUMBER) and isinstance(v, Decimal):
            bits.append(f"经核实为{fmt_points(v)}{'%' if inp.kind is InputKind.PERCENT else ''}")
        elif inp.kind is InputKind.CHOICE:
            bits.append(f"模拟咨询实测:{v}")
        elif v == YES and c.style is not Style.AWARD:
            bits.append("经核查属实")
        elif v == NO and c.style is Style.AWARD:
            bits.append("未见相关内容")
    return ";".join(dict.fromkeys(bits))


def unit_criteria(variant: Variant, unit: Unit) -> Iterable[tuple[Part, str, Criterion]]:
    """Every applicable criterion of ``unit`` with each target it is scored for (``""``: the unit)."""
    for part, _, crit in walk_with_path(variant):
        if crit.applicable:
            for tid in [t.id for t in unit.targets_of(part.per_target)] if part.per_target else [""]:
                yield part, tid, crit


def plan_unit(
    rubric: Rubric, unit: Unit, rng: random.Random, quality: float, harsh_parts: Sequence[str] = ()
) -> UnitPlan:
    """Values for one unit: ideal values, with findings at the rate ``1 - quality``."""
    variant = resolve(rubric, unit)
    plan = UnitPlan()
    for part, tid, crit in unit_criteria(variant, unit):
        base = ideal(crit, rng)
        vals = dict(base)
        chance = 1 - quality
        bonus = part.kind is PartKind.BONUS
        if bonus:
            chance = min(0.9, chance + 0.6)  # bonus points are hard to earn
        elif part.kind is PartKind.PENALTY:
            chance = chance * 0.25  # notices from above are rare
        if part.id in harsh_parts:
            chance = 0.85
        if rng.random() < chance:
            found = finding(crit, base, rng)
            if found is not None:
                vals = found
                if part.id in harsh_parts or bonus:
                    vals = finding(crit, vals, rng) or vals
        if crit.evidence and rng.random() < 0.03:
            vals[EVIDENCE_INPUT.id] = NO
        plan.values.update({ReadingKey(tid, crit.id, iid): v for iid, v in vals.items()})
        if vals != base and (note := note_for(crit, vals, base, rng)):
            plan.notes[(tid, crit.id)] = note
    return plan


def _total(rubric: Rubric, unit: Unit, values: Mapping[ReadingKey, Value | None]) -> tuple[Decimal, bool, bool | None]:
    us = score_unit(rubric, resolve(rubric, unit), unit, values)
    return us.total, us.vetoed, us.bonus_counted


def _gate(variant: Variant) -> str | None:
    """The part the bonus gate looks at, if the variant has a gate."""
    return next((p.gate.part for p in variant.walk_parts() if p.gate is not None), None)


def _gate_parts(variant: Variant) -> list[str]:
    """The gate part and its sub-parts (where the findings must go)."""
    gate_part = _gate(variant)
    found = [[x.id for x in p.walk_parts()] for p in variant.walk_parts() if p.id == gate_part]
    return found[-1] if found else []


def _counts(c: Criterion, v: Veto) -> bool:
    """A veto on a single count input (preferred when the demo makes a veto fire)."""
    return not v.ratio and len(v.inputs) == 1 and c.input(v.inputs[0]).kind is InputKind.COUNT


def simulate(rubric: Rubric, units: Sequence[Unit], seed: int = 2022) -> tuple[dict[str, UnitPlan], Scenario]:
    """Plans for every unit (by unit id) and the scenario laid on top."""
    rng = random.Random(seed)
    scenario = Scenario()
    plans: dict[str, UnitPlan] = {}
    groups = by_group(units)

    # Vetoes: one unit in each of the two largest groups (never a group's first unit).
    veto_units: dict[str, Unit] = {}
    for members in sorted(groups.values(), key=len, reverse=True)[:2]:
        if len(members) >= 3:
            pick = members[rng.randrange(1, len(members))]
            veto_units[pick.id] = pick
    # A unit below the bonus gate, in the largest group, not a veto unit.
    largest = max(groups.values(), key=len) if groups else []
    gated = (u for u in largest[::-1] if u.id not in veto_units and _gate(resolve(rubric, u)) is not None)
    gate_unit = next(gated, None)
    # The unit with the most targets keeps them all (the mean over its websites).
    if units:
        most = max(units, key=lambda u: (len(u.targets), -units.index(u)))
        if len(most.targets) > 1:
            scenario.most_targets = most.id

    for u in units:
        quality = rng.uniform(0.8, 0.98)
        harsh = _gate_parts(resolve(rubric, u)) if u is gate_unit else []
        plans[u.id] = plan_unit(rubric, u, rng, quality, harsh)

    # The gate unit: add findings until its gated part is below the gate (bounded).
    if gate_unit is not None:
        plan = plans[gate_unit.id]
        for _ in range(6):
            _, vetoed, counted = _total(rubric, gate_unit, plan.values)
            if counted is False and not vetoed:
                scenario.below_gate = gate_unit.id
                break
            plan = plan_unit(rubric, gate_unit, rng, 0.3, _gate_parts(resolve(rubric, gate_unit)))
            plans[gate_unit.id] = plan

    # Vetoes: make one veto-bearing criterion fire (a website's, where there is one).
    for uid, u in veto_units.items():
        variant = resolve(rubric, u)
        plan = plans[uid]
        choices = [(tid, c) for _, tid, c in unit_criteria(variant, u) if any(v.applicable for v in c.vetoes)]
        pool = [(tid, c) for tid, c in choices if any(_counts(c, v) for v in c.vetoes)] or choices
        if not pool:
            continue
        tid, crit = pool[rng.randrange(len(pool))]
        current = {i.id: plan.values.get(ReadingKey(tid, crit.id, i.id)) for i in crit.live_inputs()}
        fired = veto_values(crit, current)
        if fired is None:
            continue
        plan.values.update({ReadingKey(tid, crit.id, iid): v for iid, v in fired.items()})
        plan.notes[(tid, crit.id)] = note_for(crit, fired, ideal(crit, rng), rng)
        scenario.vetoed[uid] = rules.evaluate(crit, fired).vetoes[0].reason

    # A tie: two clean units of the same group with the same shape get the same findings.
    taken = set(veto_units) | ({gate_unit.id} if gate_unit else set()) | {scenario.most_targets}
    for members in groups.values():
        pair = _tie_pair([u for u in members if u.id not in taken], rubric, plans)
        if pair is not None:
            a, b = pair
            plans[b.id] = _copy_plan(plans[a.id], a, b)
            scenario.tie = (a.id, b.id)
            break
    return plans, scenario


def _shape(rubric: Rubric, u: Unit) -> tuple[object, ...]:
    variant = resolve(rubric, u)
    return (
        variant.id,
        tuple(sorted((k, len(u.targets_of(k))) for k in {t.kind for t in u.targets})),
        tuple((c.id, c.applicable, tuple(t.applicable for t in c.terms)) for c in variant.walk()),
    )


def _tie_pair(members: Sequence[Unit], rubric: Rubric, plans: Mapping[str, UnitPlan]) -> tuple[Unit, Unit] | None:
    """The two units of the same shape whose totals are closest (the higher one is copied)."""
    shapes: dict[tuple[object, ...], list[Unit]] = {}
    for u in members:
        shapes.setdefault(_shape(rubric, u), []).append(u)
    best: tuple[Decimal, Unit, Unit] | None = None
    for same in shapes.values():
        totals = [(u, _total(rubric, u, plans[u.id].values)) for u in same]
        scored = [(total, u) for u, (total, vetoed, _) in totals if not vetoed]
        for a, b in combinations(scored, 2):
            gap = abs(a[0] - b[0])
            if best is None or gap < best[0]:
                hi, lo = (a, b) if a[0] >= b[0] else (b, a)
                best = (gap, hi[1], lo[1])
    return None if best is None else (best[1], best[2])


def _copy_plan(src: UnitPlan, a: Unit, b: Unit) -> UnitPlan:
    """``a``'s findings for ``b`` (targets matched in roster order)."""
    tmap = {"": "", **{ta.id: tb.id for ta, tb in zip(a.targets, b.targets, strict=False)}}
    values = {ReadingKey(tmap.get(k.target, k.target), k.criterion, k.input): v for k, v in src.values.items()}
    notes = {(tmap.get(t, t), c): n for (t, c), n in src.notes.items()}
    return UnitPlan(values, notes)
