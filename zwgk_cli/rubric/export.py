"""The JSON export of a rubric: what ``zwgk rubric show --json`` prints (a documented contract,
see README)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from zwgk_cli.model import Criterion, Indicator, Input, Part, Rubric, TermKind, Unit, Variant


def _d(x: Decimal | None) -> float | int | None:
    if x is None:
        return None
    return int(x) if x == x.to_integral_value() else float(x)


def input_to_dict(i: Input) -> dict[str, Any]:
    out: dict[str, Any] = {"id": i.id, "label": i.label, "kind": i.kind.value}
    if i.max is not None:
        out["max"] = _d(i.max)
    if i.step is not None:
        out["step"] = _d(i.step)
    if i.options:
        out["options"] = list(i.options)
    out["required"] = i.required
    return out


def criterion_to_dict(c: Criterion) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "text": c.text,
        "max": _d(c.max),
        "style": c.style.value,
        "applicable": c.applicable,
        "evidence": c.evidence,
        "inputs": [input_to_dict(i) for i in (c.live_inputs() if c.applicable else c.inputs)],
        "rules": [
            {
                "kind": t.kind.value,
                "inputs": list(t.inputs),
                "applicable": t.applicable,
                **({"points": _d(t.points)} if t.kind in (TermKind.PER, TermKind.FLAG) else {}),
                **({"cap": _d(t.cap)} if t.cap is not None else {}),
                **({"choices": {k: _d(v) for k, v in t.choices}} if t.choices else {}),
                **(
                    {"bands": [{"op": b.op, "value": _d(b.value), "points": _d(b.points)} for b in t.bands]}
                    if t.bands
                    else {}
                ),
            }
            for t in c.terms
        ],
        "vetoes": [
            {
                "id": v.id,
                "reason": v.reason,
                "inputs": list(v.inputs),
                "op": v.op,
                "value": _d(v.value),
                "ratio": v.ratio,
                "applicable": v.applicable,
            }
            for v in c.vetoes
        ],
        "note": c.note,
    }


def indicator_to_dict(ind: Indicator) -> dict[str, Any]:
    out: dict[str, Any] = {"id": ind.id, "title": ind.title, "max": _d(ind.max), "level": ind.level}
    inputs = [input_to_dict(i) for c in ind.walk() for i in (c.live_inputs() if c.applicable else ())]
    out["inputs"] = inputs
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


def part_to_dict(p: Part) -> dict[str, Any]:
    out: dict[str, Any] = {"id": p.id, "title": p.title, "max": _d(p.max), "kind": p.kind.value}
    if p.per_target:
        out["per_target"] = p.per_target
    if p.threshold:
        out["threshold"] = {"min": _d(p.threshold.min), "label": p.threshold.label}
    if p.gate:
        out["gate"] = {"part": p.gate.part, "min": _d(p.gate.min), "label": p.gate.label}
    out["veto_effect"] = p.veto_effect.value
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
        "max": _d(max(v.max for v in variants)),
        "tiers": [{"label": t.label, "min": _d(t.min), "coefficient": _d(t.coefficient)} for t in rubric.tiers],
        "veto_tier": rubric.veto_tier,
        "notes": [{"id": n.id, "kind": n.kind, "text": n.text} for n in rubric.notes],
    }
    if unit is not None:
        out["unit"] = {"id": unit.id, "name": unit.name, "group": unit.group}
    if len(variants) == 1:
        v = variants[0]
        out["variant"] = {"id": v.id, "title": v.title, "groups": list(v.groups)}
        out["parts"] = [part_to_dict(p) for p in v.parts]
    else:
        out["variants"] = [
            {
                "id": v.id,
                "title": v.title,
                "groups": list(v.groups),
                "max": _d(v.max),
                "parts": [part_to_dict(p) for p in v.parts],
            }
            for v in variants
        ]
        out["parts"] = out["variants"][0]["parts"]
    return out
