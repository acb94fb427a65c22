"""The JSON export of a rubric: what ``zwgk rubric show --json`` prints (a documented contract,
see README)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from zwgk_cli.model import Criterion, Gate, Indicator, Input, Part, Rubric, Term, TermKind, Threshold, Unit, Variant


def json_number(x: Decimal | None) -> float | int | None:
    """Points in JSON: a whole number as an int, else a float (None stays null)."""
    if x is None:
        return None
    return int(x) if x == x.to_integral_value() else float(x)


def input_to_dict(i: Input) -> dict[str, Any]:
    out: dict[str, Any] = {"id": i.id, "label": i.label, "kind": i.kind.value}
    out |= {k: json_number(x) for k, x in (("max", i.max), ("step", i.step)) if x is not None}
    if i.options:
        out["options"] = list(i.options)
    return out | {"required": i.required}


def _rule(t: Term) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": t.kind.value, "inputs": list(t.inputs), "applicable": t.applicable}
    if t.kind in (TermKind.PER, TermKind.FLAG):
        out["points"] = json_number(t.points)
    if t.cap is not None:
        out["cap"] = json_number(t.cap)
    if t.choices:
        out["choices"] = {k: json_number(v) for k, v in t.choices}
    if t.bands:
        out["bands"] = [{"op": b.op, "value": json_number(b.value), "points": json_number(b.points)} for b in t.bands]
    return out


def criterion_to_dict(c: Criterion) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "text": c.text,
        "max": json_number(c.max),
        "style": c.style.value,
        "applicable": c.applicable,
        "evidence": c.evidence,
        "inputs": [input_to_dict(i) for i in (c.live_inputs() if c.applicable else c.inputs)],
        "rules": [_rule(t) for t in c.terms],
        "vetoes": [
            {
                "id": v.id,
                "reason": v.reason,
                "inputs": list(v.inputs),
                "op": v.op,
                "value": json_number(v.value),
                "ratio": v.ratio,
                "applicable": v.applicable,
            }
            for v in c.vetoes
        ],
        "note": c.note,
    }


def indicator_to_dict(ind: Indicator) -> dict[str, Any]:
    out: dict[str, Any] = {"id": ind.id, "title": ind.title, "max": json_number(ind.max), "level": ind.level}
    out["inputs"] = [input_to_dict(i) for c in ind.walk() for i in (c.live_inputs() if c.applicable else ())]
    out["criteria"] = [criterion_to_dict(c) for c in ind.criteria]
    if ind.by_unit:
        out["by_unit"] = [
            {"units": list(s.names), "default": s.default, "criteria": [criterion_to_dict(c) for c in s.criteria]}
            for s in ind.by_unit
        ]
    if ind.indicators:
        out["indicators"] = [indicator_to_dict(i) for i in ind.indicators]
    if ind.note:
        out["note"] = ind.note
    return out


def _line(t: Threshold | Gate | None, op: bool = True) -> dict[str, Any] | None:
    """A pass line (or a gate's): its ``min``, ``op`` and ``label``."""
    if t is None:
        return None
    return {"min": json_number(t.min), **({"op": t.op} if op else {}), "label": t.label}


def part_to_dict(p: Part) -> dict[str, Any]:
    out: dict[str, Any] = {"id": p.id, "title": p.title, "max": json_number(p.max), "kind": p.kind.value}
    if p.per_target:
        out["per_target"] = p.per_target
    if p.threshold:
        out["threshold"] = _line(p.threshold)
    if p.gate:
        out["gate"] = {"part": p.gate.part, **(_line(p.gate) or {})}
    out["veto_effect"] = p.veto_effect.value
    if p.rescale:
        r = p.rescale
        factor = None if r.factor is None else f"{r.factor.numerator}/{r.factor.denominator}"
        out["rescale"] = {"factor": factor, "round": r.round, "places": r.places}
    if p.indicators:
        out["indicators"] = [indicator_to_dict(i) for i in p.indicators]
    if p.parts:
        out["parts"] = [part_to_dict(x) for x in p.parts]
    if p.note:
        out["note"] = p.note
    return out


def rubric_to_dict(rubric: Rubric, variant: Variant | None = None, unit: Unit | None = None) -> dict[str, Any]:
    """The JSON contract of ``zwgk rubric show --json``."""
    variants = [variant] if variant is not None else list(rubric.variants)
    out: dict[str, Any] = {
        "id": rubric.id,
        "title": rubric.title,
        "year": rubric.year,
        "version": rubric.version,
        "hash": rubric.hash,
        "max": json_number(max(v.max for v in variants)),
        "tiers": [
            {"label": t.label, "min": json_number(t.min), "coefficient": json_number(t.coefficient)}
            for t in rubric.tiers
        ],
        "veto_tier": rubric.veto_tier,
        "pass_line": _line(rubric.pass_line),
        "notes": [{"id": n.id, "kind": n.kind, "text": n.text} for n in rubric.notes],
    }
    if rubric.assessed_kinds:  # targets ranked in their own right (国办 19号)
        out["rank_units"] = rubric.rank_units
        out["target_kinds"] = [
            {"id": k.id, "title": k.title, "assessed": k.assessed, "threshold": _line(k.threshold, op=False)}
            for k in rubric.target_kinds
        ]
    if unit is not None:
        out["unit"] = {"id": unit.id, "name": unit.name, "group": unit.group}
    shown = [
        {"id": v.id, "title": v.title, "groups": list(v.groups), "when": {c.attribute: list(c.values) for c in v.when}}
        for v in variants
    ]
    if len(variants) == 1:
        out["variant"] = shown[0]
        out["parts"] = [part_to_dict(p) for p in variants[0].parts]
    else:
        out["variants"] = [
            {**d, "max": json_number(v.max), "parts": [part_to_dict(p) for p in v.parts]}
            for d, v in zip(shown, variants, strict=True)
        ]
        out["parts"] = out["variants"][0]["parts"]
    return out
