"""The closed set of rule kinds.

Each term kind is defined once here, twice over: :func:`term_points` evaluates it on
exact decimals, :func:`term_formula` renders the same rule as an Excel formula.  The
criterion-level wrappers (:func:`evaluate` and :func:`criterion_formula`) apply the
same clamp, rounding, evidence and missing-input rules on both sides, so a generated
workbook and the Python engine agree to the cent (the LibreOffice tests prove it).

Excel-side exactness: every points cell is ``ROUND(…, 2)``; ratios are compared by
cross-multiplication (``num*100 >= 5*den``), never by a floating division; means are
taken in integer hundredths (see :func:`mean_formula`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from zwgk_cli.model import (
    EVIDENCE_INPUT,
    NO,
    YES,
    ZERO,
    Criterion,
    CriterionScore,
    Indicator,
    Input,
    InputKind,
    Part,
    Rubric,
    Style,
    Term,
    TermKind,
    Tier,
    TraceLine,
    Value,
    Veto,
    VetoEffect,
    VetoHit,
    fmt_points,
    round2,
)


def num(value: Decimal) -> str:
    """A decimal as a formula literal: ``0.5``, ``10``, ``99.5`` (never exponent notation)."""
    return format(value.normalize(), "f")


_COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
}


def compare(left: Decimal, op: str, right: Decimal) -> bool:
    return _COMPARE[op](left, right)


OP_TEXT = {">": "超过", ">=": "达到(含)", "<": "低于", "<=": "不超过", "==": "等于"}


def _xl_op(op: str) -> str:
    return "=" if op == "==" else op


def _dec(value: Value | None) -> Decimal:
    if isinstance(value, Decimal):
        return value
    raise TypeError(f"expected a number, got {value!r}")


def _blank(cells: Sequence[str]) -> str:
    return "OR(" + ",".join(f'{c}=""' for c in cells) + ")"


# ------------------------------------------------------------------ terms


def term_points(term: Term, values: Mapping[str, Value | None]) -> Decimal:
    """The term's contribution (≥ 0) to its criterion, before the criterion's clamp."""
    if not term.applicable:
        return ZERO
    ref = term.inputs[0]
    out: Decimal
    if term.kind is TermKind.PER:
        out = _dec(values[ref]) * term.points
    elif term.kind is TermKind.FLAG:
        out = term.points if values[ref] == YES else ZERO
    elif term.kind is TermKind.CHOICE:
        out = dict(term.choices).get(str(values[ref]), ZERO)
    elif term.kind is TermKind.ENTERED:
        out = _dec(values[ref])
    elif term.kind is TermKind.BANDS:
        x = _dec(values[ref])
        out = next((b.points for b in term.bands if compare(x, b.op, b.value)), ZERO)
    elif term.kind is TermKind.RATIO:
        n, d = (_dec(values[i]) for i in term.inputs)
        out = ZERO if d == 0 else next((b.points for b in term.bands if compare(n * 100, b.op, b.value * d)), ZERO)
    else:  # pragma: no cover - the enum is closed
        raise ValueError(term.kind)
    if term.cap is not None and out > term.cap:
        out = term.cap
    return out


def _first_of(cases: Sequence[tuple[str, str]], default: str = "0") -> str:
    """Nested IFs: the value of the first ``(condition, value)`` that holds, else ``default``."""
    expr = default
    for cond, value in reversed(cases):
        expr = f"IF({cond},{value},{expr})"
    return expr


def term_formula(term: Term, refs: Mapping[str, str]) -> str:
    """The same rule as :func:`term_points`, as an Excel expression."""
    ref = refs[term.inputs[0]]
    expr: str
    if term.kind is TermKind.PER:
        expr = f"{ref}*{num(term.points)}"
    elif term.kind is TermKind.FLAG:
        expr = f'IF({ref}="{YES}",{num(term.points)},0)'
    elif term.kind is TermKind.CHOICE:
        expr = _first_of([(f'{ref}="{option}"', num(pts)) for option, pts in term.choices])
    elif term.kind is TermKind.ENTERED:
        expr = ref
    elif term.kind is TermKind.BANDS:
        expr = _first_of([(f"{ref}{_xl_op(b.op)}{num(b.value)}", num(b.points)) for b in term.bands])
    elif term.kind is TermKind.RATIO:
        n, d = refs[term.inputs[0]], refs[term.inputs[1]]
        cases = [(f"{n}*100{_xl_op(b.op)}{num(b.value)}*{d}", num(b.points)) for b in term.bands]
        expr = f"IF({d}=0,0,{_first_of(cases)})"
    else:  # pragma: no cover
        raise ValueError(term.kind)
    if term.cap is not None:
        expr = f"MIN({num(term.cap)},{expr})"
    return expr


def _term_text(term: Term, values: Mapping[str, Value | None], pts: Decimal, style: Style) -> str:
    verb = "得" if style is Style.AWARD else "扣"
    label = term.label
    v = values[term.inputs[0]]
    if term.kind is TermKind.PER:
        shown = f"{label}:{fmt_points(_dec(v))}处×{num(term.points)}分"
    elif term.kind is TermKind.RATIO:
        n, d = _dec(values[term.inputs[0]]), _dec(values[term.inputs[1]])
        pct = round2(n * 100 / d) if d else ZERO
        shown = f"{label}:{fmt_points(n)}/{fmt_points(d)}={fmt_points(pct)}%"
    elif term.kind is TermKind.ENTERED:
        shown = f"{label}:评估人员赋分"
    else:
        shown = f"{label}:{v if isinstance(v, str) else fmt_points(_dec(v))}"
    capped = "(以该项上限为限)" if term.cap is not None and pts == term.cap else ""
    return f"{shown},{verb}{fmt_points(pts)}分{capped}"


# ------------------------------------------------------------------ vetoes


def veto_fires(veto: Veto, values: Mapping[str, Value | None], kinds: Mapping[str, InputKind]) -> bool:
    if not veto.applicable or any(values.get(i) is None for i in veto.inputs):
        return False
    first = veto.inputs[0]
    if veto.ratio:
        n, d = _dec(values[veto.inputs[0]]), _dec(values[veto.inputs[1]])
        return d != 0 and compare(n * 100, veto.op, veto.value * d)
    if kinds[first] is InputKind.YES_NO:
        return values[first] == YES
    return compare(_dec(values[first]), veto.op, veto.value)


def veto_formula(veto: Veto, refs: Mapping[str, str], kinds: Mapping[str, InputKind]) -> str:
    """1 when the veto fires, 0 otherwise (0 while an input is empty)."""
    cells = [refs[i] for i in veto.inputs]
    if veto.ratio:
        n, d = cells
        cond = f"AND({d}>0,{n}*100{_xl_op(veto.op)}{num(veto.value)}*{d})"
    elif kinds[veto.inputs[0]] is InputKind.YES_NO:
        cond = f'{cells[0]}="{YES}"'
    else:
        cond = f"{cells[0]}{_xl_op(veto.op)}{num(veto.value)}"
    return f"IF({_blank(cells)},0,IF({cond},1,0))"


# ------------------------------------------------------------------ criteria


def _kinds(criterion: Criterion) -> dict[str, InputKind]:
    return {**{i.id: i.kind for i in criterion.inputs}, EVIDENCE_INPUT.id: EVIDENCE_INPUT.kind}


def is_required(inp: Input) -> bool:
    """An input that must be filled before its criterion scores (and that counts as 应填 in the
    workbook's 填写进度): text inputs (the account a veto concerns, …) never are."""
    return inp.required and inp.kind is not InputKind.TEXT


def required_inputs(criterion: Criterion) -> tuple[Input, ...]:
    """The criterion's live inputs that :func:`is_required` (none when it does not apply)."""
    return tuple(i for i in criterion.live_inputs() if is_required(i))


def na_points(criterion: Criterion) -> Decimal:
    """Points of a criterion that does not apply to the unit (扣分项不扣分)."""
    if criterion.style is Style.PENALTY or criterion.max is None:
        return ZERO
    return criterion.max if criterion.na_points == "full" else ZERO


def evaluate(
    criterion: Criterion,
    values: Mapping[str, Value | None],
    target: str = "",
    target_name: str = "",
    part: str = "",
) -> CriterionScore:
    """Score one criterion for one target from its input values (``None`` = not filled)."""
    cid = criterion.id
    if not criterion.applicable:
        pts = na_points(criterion)
        line = TraceLine(target, cid, "", "不适用,不扣分" if pts else "不适用", ZERO)
        return CriterionScore(cid, target, criterion.max, pts, False, (), (line,), ())

    missing = tuple(i.id for i in required_inputs(criterion) if values.get(i.id) is None)
    kinds = _kinds(criterion)
    hits = tuple(
        VetoHit(target, target_name, part, cid, v.id, v.reason)
        for v in criterion.vetoes
        if veto_fires(v, values, kinds)
    )
    if criterion.evidence and values.get(EVIDENCE_INPUT.id) == NO:
        # 视为无相关工作内容: the item scores 0 whatever else was entered.
        text = "未按时提供佐证材料,视为无相关工作内容,不得分"
        line = TraceLine(target, cid, EVIDENCE_INPUT.id, text, -(criterion.max or ZERO))
        return CriterionScore(cid, target, criterion.max, ZERO, True, (), (line,), hits, True)
    if missing:
        return CriterionScore(cid, target, criterion.max, None, True, missing, (), hits)

    trace: list[TraceLine] = []
    total = ZERO
    for term in criterion.terms:
        if not term.applicable:
            continue
        pts = term_points(term, values)
        total += pts
        if pts:
            sign = pts if criterion.style is Style.AWARD else -pts
            trace.append(TraceLine(target, cid, term.inputs[0], _term_text(term, values, pts, criterion.style), sign))
    if criterion.style is Style.PENALTY:
        return CriterionScore(cid, target, None, round2(total), True, (), tuple(trace), hits)

    top = criterion.max or ZERO
    raw = total if criterion.style is Style.AWARD else top - total
    points = round2(min(top, max(ZERO, raw)))
    if raw != points:
        award = criterion.style is Style.AWARD
        text = f"得分以分值{fmt_points(top)}分为限" if award else f"扣分以分值{fmt_points(top)}分为限(扣完为止)"
        trace.append(TraceLine(target, cid, "", text, points - raw))
    return CriterionScore(cid, target, criterion.max, points, True, (), tuple(trace), hits)


def criterion_formula(criterion: Criterion, refs: Mapping[str, str], stop_ref: str = "") -> str:
    """The criterion's points as an Excel formula (with ``=``); empty text while unfilled.
    ``refs``: every live input id (and ``evidence``) → its A1 reference; ``stop_ref`` counts the
    vetoes that stop the scoring of its target or unit: above 0 the cell says :data:`STOPPED`."""
    parts = [term_formula(t, refs) for t in criterion.terms if t.applicable]
    total = "+".join(parts) if parts else "0"
    if criterion.style is Style.PENALTY:
        body = f"ROUND({total},2)"
    else:
        top = num(criterion.max or ZERO)
        if criterion.style is Style.AWARD:
            body = f"ROUND(MAX(0,MIN({top},{total})),2)"
        else:
            body = f"ROUND(MAX(0,MIN({top},{top}-({total}))),2)"
    required = [refs[i.id] for i in required_inputs(criterion)]
    if required:
        body = f'IF({_blank(required)},"",{body})'
    if criterion.evidence:
        body = f'IF({refs[EVIDENCE_INPUT.id]}="{NO}",0,{body})'
    if stop_ref:
        body = f'IF({stop_ref}>0,"{STOPPED}",{body})'
    return "=" + body


STOPPED = "已单项否决,无需填写"


def fired(criterion: Criterion, values: Mapping[str, Value | None]) -> int:
    """How many of an applicable criterion's vetoes fire on ``values`` (the veto column of its
    row adds up the same)."""
    if not criterion.applicable:
        return 0
    kinds = _kinds(criterion)
    return sum(1 for v in criterion.vetoes if veto_fires(v, values, kinds))


def stopped_score(cs: CriterionScore) -> CriterionScore:
    """A criterion of a target (or unit) whose scoring a veto stopped: not scored, nothing
    missing, no deductions; its vetoes stand.  A criterion that does not apply keeps its
    points (the sheet writes them as a constant)."""
    if not cs.applicable:
        return cs
    return cs._replace(points=None, missing=(), trace=(), evidence_missing=False, stopped=True)


# ------------------------------------------------------------------ aggregation helpers


def clamp_sum(values: Sequence[Decimal], top: Decimal | None) -> Decimal:
    total = sum(values, ZERO)
    if top is not None:
        total = min(top, total)
    return round2(max(ZERO, total))


def clamp_sum_formula(refs: Sequence[str], top: Decimal | None) -> str:
    inner = f"SUM({','.join(refs)})" if refs else "0"
    if top is not None:
        inner = f"MIN({num(top)},{inner})"
    return f"ROUND(MAX(0,{inner}),2)"


def mean(values: Sequence[Decimal]) -> Decimal:
    """Mean rounded half-up to 2 decimals (绵阳: a unit's websites)."""
    if not values:
        return ZERO
    hundredths = sum((round2(v) * 100 for v in values), ZERO)
    return (hundredths / len(values)).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 100


def mean_formula(refs: Sequence[str]) -> str:
    """``ROUND(AVERAGE(…),2)`` computed in integer hundredths so that x.xx5 rounds up in
    every spreadsheet: the numerator is an exact integer, so a half is exactly ``.5``."""
    if not refs:
        return "0"
    return f"ROUND(ROUND(SUM({','.join(refs)})*100,0)/{len(refs)},0)/100"


# ------------------------------------------------------------------ parts and the unit (the summary sheet)
# Each step of engine.score_part / score_unit, with the summary-sheet formula beside it.


def after_veto(raw: Decimal, vetoes: int, effect: VetoEffect) -> Decimal:
    """A part's points once its vetoes are applied (``zero`` and ``stop``: a fired veto scores
    the part, or the target, 0)."""
    return ZERO if vetoes and effect is not VetoEffect.NONE else raw


def after_veto_formula(raw_ref: str, vetoes_ref: str, effect: VetoEffect) -> str:
    return f"IF({vetoes_ref}>0,0,{raw_ref})" if effect is not VetoEffect.NONE else raw_ref


def after_stop(points: Decimal, stopped: bool) -> Decimal:
    """A part of a target (or unit) whose scoring a veto stopped scores 0, whatever its effect."""
    return ZERO if stopped else points


def after_stop_formula(expr: str, stop_ref: str) -> str:
    """:func:`after_stop`: ``stop_ref`` counts the stopping vetoes ("" when nothing can stop)."""
    return f"IF({stop_ref}>0,0,{expr})" if stop_ref else expr


def reached(points: Decimal, op: str, minimum: Decimal) -> bool:
    """A pass line or a gate: ``>=`` reached at the minimum (the default), ``>`` only above it
    (高于80分)."""
    return compare(points, op, minimum)


def passes(points: Decimal, vetoes: int, minimum: Decimal, op: str = ">=") -> bool:
    """A pass threshold: the points reach ``minimum`` (by ``op``) and no veto fired."""
    return reached(points, op, minimum) and not vetoes


def pass_formula(
    points_ref: str, vetoes_ref: str, minimum: Decimal, yes: str = "合格", no: str = "不合格", op: str = ">="
) -> str:
    return f'IF(AND({points_ref}{_xl_op(op)}{num(minimum)},{vetoes_ref}=0),"{yes}","{no}")'


# ------------------------------------------------------------------ rescaling what applies (按75分计算,乘以4/3)


def _reach(ind: Indicator) -> Decimal:
    crits = sum((c.max or ZERO if c.applicable else na_points(c) for c in ind.criteria), ZERO)
    total = crits + sum((_reach(i) for i in ind.indicators), ZERO)
    return total if ind.max is None else min(ind.max, total)


def applicable_max(part: Part) -> Decimal:
    """The most a (resolved) part can score for its unit: criteria that do not apply count
    what they give (:func:`na_points`), each level clamped to its 分值."""
    total = sum((_reach(i) for i in part.indicators), ZERO) + sum((p.max or ZERO for p in part.parts), ZERO)
    return total if part.max is None else min(part.max, total)


def rescale_factor(part: Part) -> Fraction | None:
    """The factor a part with ``rescale`` is multiplied by for its unit: ``None`` when it is not
    rescaled (no ``rescale``, or everything applies), the stated factor, else 分值 / what
    applies (0 when nothing does)."""
    if part.rescale is None or part.max is None:
        return None
    reach = applicable_max(part)
    if reach >= part.max:
        return None
    if part.rescale.factor is not None:
        return part.rescale.factor
    return Fraction(part.max) / Fraction(reach) if reach > 0 else Fraction(0)


def _half_up(q: Fraction) -> int:
    return int((q + Fraction(1, 2)) // 1)


def rescaled(raw: Decimal, part: Part) -> Decimal:
    """The part's points brought back to its full 分值 (see :class:`~zwgk_cli.model.Rescale`):
    exact fractions, rounded half-up where the rubric says, clamped to [0, 分值]."""
    factor = rescale_factor(part)
    if factor is None or part.rescale is None:
        return raw
    places = part.rescale.places
    value = Fraction(round2(raw))
    if part.rescale.round == "before":
        value = Fraction(_half_up(value * 10**places), 10**places)
        places = 2
    out = Decimal(_half_up(value * factor * 10**places)).scaleb(-places)
    return round2(max(ZERO, min(part.max or ZERO, out)))


def rescale_formula(raw_ref: str, part: Part) -> str:
    """:func:`rescaled` in Excel, in integer hundredths so that a half rounds up exactly:
    ``ROUND(ROUND(raw*100,0)*num/den,0)/100``."""
    factor = rescale_factor(part)
    if factor is None or part.rescale is None:
        return raw_ref
    places = part.rescale.places
    cents = f"ROUND({raw_ref}*100,0)"
    if part.rescale.round == "before":
        cents = f"ROUND({cents}/{10 ** (2 - places)},0)*{10 ** (2 - places)}"
        places = 2
    scaled = f"ROUND({cents}*{factor.numerator}/{factor.denominator * 10 ** (2 - places)},0)/{10**places}"
    return f"ROUND(MAX(0,MIN({num(part.max or ZERO)},{scaled})),2)"


UNFILLED = "未填写"


def shown(value: Decimal | str, started: bool) -> Decimal | str:
    """What a summary cell (points, verdict, gate, total, tier) shows: its value once a required
    input of its scope is filled (:func:`zwgk_cli.engine.started`), else 未填写: a blank workbook
    states no verdict."""
    return value if started else UNFILLED


def shown_formula(filled_ref: str, expr: str) -> str:
    """:func:`shown` as a formula: ``filled_ref`` counts the scope's filled required inputs."""
    return f'IF({filled_ref}=0,"{UNFILLED}",{expr})'


def gate_open(gate_points: Decimal, minimum: Decimal, op: str = ">=") -> bool:
    """A gated (bonus) part counts only when the gate part's points reach ``minimum`` (by ``op``)."""
    return reached(gate_points, op, minimum)


def gate_open_formula(gate_ref: str, minimum: Decimal, op: str = ">=") -> str:
    """1 when the gate is open, 0 otherwise."""
    return f"IF({gate_ref}{_xl_op(op)}{num(minimum)},1,0)"


def gated(points: Decimal, is_open: bool) -> Decimal:
    return points if is_open else ZERO


def gated_formula(points_ref: str, open_ref: str) -> str:
    return f"IF({open_ref}=1,{points_ref},0)"


def unit_total(normal: Sequence[Decimal], penalties: Sequence[Decimal]) -> Decimal:
    """Normal parts (bonus included once counted) minus penalties, never below 0, to the cent."""
    return round2(max(ZERO, sum(normal, ZERO) - sum(penalties, ZERO)))


def total_formula(normal_refs: Sequence[str], penalty_refs: Sequence[str]) -> str:
    plus = f"SUM({','.join(normal_refs)})" if normal_refs else "0"
    minus = f"-SUM({','.join(penalty_refs)})" if penalty_refs else ""
    return f"ROUND(MAX(0,{plus}{minus}),2)"


def _failing_tier(rubric: Rubric) -> bool:
    """Whether the veto tier is one of the tiers (a tier that fails the unit)."""
    return any(t.label == rubric.veto_tier for t in rubric.tiers)


def defines_pass(rubric: Rubric) -> bool:
    """Whether the rubric defines 合格: a pass line on the total, a failing tier, or a pass line
    (threshold) of a part.  Vetoes alone (荆州's 否决) and tiers that are all passing grades
    define none: no 合格 / 合格率 is stated then."""
    if rubric.pass_line is not None or _failing_tier(rubric):
        return True
    return any(p.threshold is not None for v in rubric.variants for p in v.walk_parts())


def unit_passes(rubric: Rubric, total: Decimal, vetoed: bool, tier: str | None, lines_passed: bool) -> bool | None:
    """The unit's 合格 / 不合格 (None where the rubric defines none, :func:`defines_pass`): never
    with a veto; then the total's pass line, and the tier where the veto tier is a tier; a
    rubric with neither judges by its parts' pass lines (``lines_passed``: every part and
    target reached its own)."""
    if not defines_pass(rubric):
        return None
    line = rubric.pass_line
    if vetoed or (line is not None and not reached(total, line.op, line.min)):
        return False
    if _failing_tier(rubric):
        return tier != rubric.veto_tier
    return line is not None or lines_passed


def unit_pass_formula(rubric: Rubric, total_ref: str, vetoes_ref: str, tier_ref: str, lines_ref: str) -> str:
    """:func:`unit_passes` as a formula ("" where the rubric defines no 合格); ``lines_ref``
    counts the parts and targets below their pass lines."""
    if not defines_pass(rubric):
        return '""'
    conds = [f"{vetoes_ref}=0"]
    line = rubric.pass_line
    if line is not None:
        conds.append(f"{total_ref}{_xl_op(line.op)}{num(line.min)}")
    if _failing_tier(rubric):
        conds.append(f'{tier_ref}<>"{rubric.veto_tier}"')
    elif line is None:
        conds.append(f"{lines_ref}=0")
    return f'IF(AND({",".join(conds)}),"合格","不合格")'


def _floored(tiers: Sequence[Tier]) -> list[tuple[Decimal, Tier]]:
    """The tiers that have a floor, highest floor first."""
    return sorted(((t.min, t) for t in tiers if t.min is not None), key=lambda mt: mt[0], reverse=True)


def tier_for(tiers: Sequence[Tier], veto_tier: str, total: Decimal, vetoed: bool) -> Tier | None:
    """The tier of a total (tiers: the rubric's, or those recorded in ``scores.json``): any veto →
    the veto tier; else the highest tier whose floor the total reaches (a total equal to a floor
    is in that tier); else the tier without a floor; ``None`` without tiers."""
    vetoing = [t for t in tiers if vetoed and t.label == veto_tier]
    reached_ = [t for floor, t in _floored(tiers) if total >= floor]
    return next(iter(vetoing + reached_ + [t for t in tiers if t.min is None]), None)


def tier_formula(rubric: Rubric, total_ref: str, vetoes_ref: str) -> str:
    """:func:`tier_for` as a formula."""
    floorless = next((f'"{t.label}"' for t in rubric.tiers if t.min is None), '""')
    cases = [(f"{total_ref}>={num(floor)}", f'"{t.label}"') for floor, t in _floored(rubric.tiers)]
    if _failing_tier(rubric):
        cases.insert(0, (f"{vetoes_ref}>0", f'"{rubric.veto_tier}"'))
    return _first_of(cases, floorless) if rubric.tiers else '""'
