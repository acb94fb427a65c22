"""Targets assessed in their own right (each website / account of an ``assessed`` kind): total,
verdict and rank within the kind, as JSON records for ``scores.json``, ``scores.xlsx`` and the
summary.  Ranked like units: when their unit is scored and they are not vetoed (listed apart).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from zwgk_cli import rules
from zwgk_cli.engine import parts_by_id
from zwgk_cli.model import ZERO, PartKind, Rubric, Unit, UnitScore, Variant, round2
from zwgk_cli.results.document import STATUS_LABELS, STATUS_SCORED, num, number_text
from zwgk_cli.rubric.targets import defines_verdict, kind_max, kind_parts

PASS = "合格"
TIE_LABEL = "并列"


def competition_ranks(totals: Sequence[Decimal]) -> list[tuple[int, bool]]:
    """``(rank, tied)`` of totals sorted high to low: ties share a rank, the next is skipped
    (``[10, 9, 9, 8]`` → 1, 2 并列, 2 并列, 4)."""
    out: list[tuple[int, bool]] = []
    for i, t in enumerate(totals):
        rank = out[i - 1][0] if i and totals[i - 1] == t else i + 1
        tied = (i > 0 and totals[i - 1] == t) or (i + 1 < len(totals) and totals[i + 1] == t)
        out.append((rank, tied))
    return out


def _record(kind: str, unit: Unit, target_id: str, status: str, variant: Variant, **result: Any) -> dict[str, Any]:
    """A target's record: who it is, then ``result`` (a target without a result: none, never 0)."""
    target = next((t for t in unit.targets if t.id == target_id), None)
    result = result or {"points": None, "passed": None, "vetoed": False, "complete": False, "reasons": [], "below": []}
    return {
        "kind": kind,
        "target": target_id,
        "name": target.name if target is not None else target_id,
        "url": target.url if target is not None else "",
        "unit": unit.name,
        "unit_id": unit.id,
        "group": unit.group,
        "status": status,
        "points": result.pop("points"),
        "max": num(kind_max(variant, kind)),
        **result,
    }


def unit_targets(rubric: Rubric, variant: Variant, us: UnitScore, status: str) -> list[dict[str, Any]]:
    """The unit's targets of every assessed kind: total over the kind's parts, veto reasons,
    parts below their pass line, verdict (``passed``: None where the rubric defines none)."""
    out: list[dict[str, Any]] = []
    scored = parts_by_id(us.parts)
    for kind in rubric.assessed_kinds:
        parts = [p for p in kind_parts(variant, kind.id) if p.id in scored]
        if not parts:
            continue
        verdict = defines_verdict(rubric, kind)
        for t in us.unit.targets_of(kind.id):
            total, complete, vetoed, below = ZERO, True, False, []
            for p in parts:
                ps = scored[p.id]
                ts = next((x for x in ps.targets if x.target == t.id), None)
                if ts is None:
                    complete = False
                    continue
                points = ts.points if ps.counted else ZERO
                total += -points if p.kind is PartKind.PENALTY else points
                complete = complete and ts.complete
                vetoed = vetoed or ts.vetoed
                if ts.passed is False and not ts.vetoed:
                    below.append(p.title)
            total = round2(max(total, ZERO))
            reasons = list(dict.fromkeys(v.reason for v in us.vetoes if v.target == t.id))
            passed: bool | None = None
            if verdict:
                line = kind.threshold
                passed = not vetoed and not below and (line is None or rules.compare(total, line.op, line.min))
            result = {"passed": passed, "vetoed": vetoed, "complete": complete, "reasons": reasons, "below": below}
            out.append(_record(kind.id, us.unit, t.id, status, variant, points=num(total), **result))
    return out


def absent_targets(rubric: Rubric, variant: Variant | None, unit: Unit, status: str) -> list[dict[str, Any]]:
    """The targets of a unit without a usable workbook: listed, never ranked as zero."""
    return [
        _record(kind.id, unit, t.id, status, variant)
        for kind in rubric.assessed_kinds
        if variant is not None and kind_parts(variant, kind.id)
        for t in unit.targets_of(kind.id)
    ]


def rankable(record: Mapping[str, Any]) -> bool:
    """Scored (its unit's scoring finished) and not vetoed: it takes a rank."""
    return is_assessed(record) and not record.get("vetoed")


def is_assessed(record: Mapping[str, Any]) -> bool:
    """Its unit's scoring is finished: it has a total and a verdict (vetoed ones included)."""
    return record.get("status") == STATUS_SCORED and bool(record.get("complete")) and record.get("points") is not None


def rank_targets(rubric: Rubric, records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every target, kind by kind (rubric order): the ranked ones high to low (ties in roster
    order), then the vetoed ones, then the unfinished ones (roster order), with ``rank`` and
    ``tied`` (``rank`` None when not ranked).  ``records`` come in roster order."""
    out: list[dict[str, Any]] = []
    for kind in rubric.assessed_kinds:
        mine = [r for r in records if r.get("kind") == kind.id]
        ranked = sorted((r for r in mine if rankable(r)), key=lambda r: -Decimal(str(r["points"])))
        ranks = competition_ranks([Decimal(str(r["points"])) for r in ranked])
        out.extend({**r, "rank": n, "tied": tied} for r, (n, tied) in zip(ranked, ranks, strict=True))
        out.extend({**r, "rank": None, "tied": False} for r in mine if is_assessed(r) and r.get("vetoed"))
        out.extend({**r, "rank": None, "tied": False} for r in mine if not is_assessed(r))
    return out


def kinds_header(rubric: Rubric) -> dict[str, Any]:
    """What ``scores.json`` says of the assessed kinds (only for a rubric that has some)."""
    kinds = [
        {
            "id": k.id,
            "title": k.title,
            "threshold": k.threshold
            and {"min": num(k.threshold.min), "op": k.threshold.op, "label": k.threshold.label},
            "verdict": defines_verdict(rubric, k),
            "max": {v.id: num(kind_max(v, k.id)) for v in rubric.variants if kind_parts(v, k.id)},
        }
        for k in rubric.assessed_kinds
    ]
    return {"rank_units": rubric.rank_units, "target_kinds": kinds}


# ------------------------------------------------------------------ tables


def verdict_text(record: Mapping[str, Any], fail: str = "不合格") -> str:
    passed = record.get("passed")
    return "" if passed is None or not is_assessed(record) else (PASS if passed else fail)


_KIND_SHEET: tuple[tuple[str, float, Callable[[Mapping[str, Any], str], str | int | float | None]], ...] = (
    ("排名", 6, lambda r, fail: r.get("rank")),
    ("名称", 30, lambda r, fail: r.get("name", "")),
    ("编号", 10, lambda r, fail: r.get("target", "")),
    ("网址", 24, lambda r, fail: r.get("url", "")),
    ("主办单位", 24, lambda r, fail: r.get("unit", "")),
    ("单位编号", 10, lambda r, fail: r.get("unit_id", "")),
    ("分组", 10, lambda r, fail: r.get("group", "")),
    ("得分", 8, lambda r, fail: r.get("points") if is_assessed(r) else None),
    ("满分", 6, lambda r, fail: r.get("max")),
    ("结论", 8, verdict_text),
    ("否决原因", 30, lambda r, fail: "；".join(r.get("reasons") or [])),
    ("低于合格线的部分", 24, lambda r, fail: "、".join(r.get("below") or [])),
    ("状态", 10, lambda r, fail: STATUS_LABELS.get(r.get("status", ""), r.get("status", ""))),
)
KIND_COLUMNS = tuple((header, width) for header, width, _ in _KIND_SHEET)


def kind_cells(record: Mapping[str, Any], fail: str = "不合格") -> list[str | int | float | None]:
    """A target's row of its kind's sheet in ``scores.xlsx``."""
    return [cell(record, fail) for _, _, cell in _KIND_SHEET]


def sheet_title(title: str, used: set[str]) -> str:
    """A sheet name for a kind: what Excel allows (≤ 31 characters, none of ``[]:*?/\\``),
    not yet ``used``."""
    base = "".join("、" if ch in "[]:*?/\\" else ch for ch in title)[:28] or "对象"
    name, n = base, 2
    while name in used:
        name, n = f"{base}({n})", n + 1
    used.add(name)
    return name


def summary_headers(rubric: Rubric) -> list[str]:
    """The unit summary's extra columns (汇总 / ``scores.csv``): one per assessed kind."""
    return [f"各{k.title}得分、排名与结论" for k in rubric.assessed_kinds]


def summary_cells(rubric: Rubric, records: Sequence[Mapping[str, Any]]) -> list[str]:
    """A unit's cells of those columns: “甲县政府网 14分 第2名(并列) 合格；…”."""
    fails = {k.id: (k.threshold.label if k.threshold else "不合格") for k in rubric.assessed_kinds}
    out = []
    for k in rubric.assessed_kinds:
        bits = []
        for r in records:
            if r.get("kind") != k.id:
                continue
            words = [str(r.get("name", ""))]
            if is_assessed(r):
                words.append(f"{number_text(r.get('points'))}分")
            if r.get("rank") is not None:
                words.append((TIE_LABEL if r.get("tied") else "") + f"第{r['rank']}名")
            words.append(verdict_text(r, fails[k.id]) or STATUS_LABELS.get(r.get("status", ""), ""))
            bits.append(" ".join(w for w in words if w))
        out.append("；".join(bits))
    return out


def by_unit(
    records: Iterable[Mapping[str, Any]], ranked: Iterable[Mapping[str, Any]]
) -> dict[str, list[Mapping[str, Any]]]:
    """unit id → its targets in roster order (``records``), as ranked (``ranked``)."""
    lookup = {(r.get("kind"), r.get("target")): r for r in ranked}
    out: dict[str, list[Mapping[str, Any]]] = {}
    for r in records:
        out.setdefault(str(r.get("unit_id", "")), []).append(lookup.get((r.get("kind"), r.get("target")), r))
    return out
