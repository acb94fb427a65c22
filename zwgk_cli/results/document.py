"""``results/scores.json`` (``zwgk-scores/1``, see docs/score.md) as data, written atomically and
deterministically: numbers with at most 2 decimals (whole ones without a point), a fixed order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from zwgk_cli import __version__
from zwgk_cli.engine import criterion_scores, parts_by_id, thresholds
from zwgk_cli.files import atomic_open, atomic_write_bytes
from zwgk_cli.model import (
    Criterion,
    NodeScore,
    Part,
    PartKind,
    PartScore,
    ReadingKey,
    Rubric,
    Source,
    UnitScore,
    Value,
    Variant,
    round2,
)
from zwgk_cli.rubric import walk_with_path

FORMAT = "zwgk-scores/1"

STATUS_SCORED = "scored"  # every input read, no errors
STATUS_INCOMPLETE = "incomplete"  # scored as far as possible: inputs missing or in error
STATUS_INVALID = "invalid"  # the workbook could not be used at all
STATUS_MISSING = "missing"  # no workbook returned for a roster unit
STATUS_LABELS = {
    STATUS_SCORED: "已评分",
    STATUS_INCOMPLETE: "未完成",
    STATUS_INVALID: "评分表无效",
    STATUS_MISSING: "未交回",
}


def num(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number with at most 2 decimals (an int when whole)."""
    if value is None:
        return None
    r = round2(value)
    return int(r) if r == r.to_integral_value() else float(r)


def number_text(value: Any) -> str:
    """A number of ``scores.json`` as text in a cell or a sentence ("" for none; 5.0 as "5")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def plain(v: Value | None) -> Any:
    """An input's value as JSON (or a cell) takes it: a Decimal as an int when whole, else a float."""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def part_columns(variant: Variant) -> list[dict[str, Any]]:
    """Every part and sub-part in tree order, with its depth (0 = top level)."""

    def walk(p: Part, depth: int) -> Iterator[dict[str, Any]]:
        yield dict(id=p.id, title=p.title, max=num(p.max), kind=p.kind.value, depth=depth, per_target=p.per_target)
        yield from (c for sub in p.parts for c in walk(sub, depth + 1))

    return [c for p in variant.parts for c in walk(p, 0)]


def _node_dict(n: NodeScore) -> dict[str, Any]:
    out: dict[str, Any] = {"title": n.title, "max": num(n.max), "points": num(n.points)}
    if n.children:
        out["indicators"] = {c.id: _node_dict(c) for c in n.children}
    return out


def _part_dict(ps: PartScore) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": ps.title,
        "max": num(ps.max),
        "points": num(ps.points),
        "raw": num(ps.raw),
        "kind": ps.kind.value,
        "counted": ps.counted,
        "passed": ps.passed,
        "vetoed": ps.vetoed,
        "complete": ps.complete,
    }
    if ps.nodes:
        out["indicators"] = {n.id: _node_dict(n) for n in ps.nodes}
    if ps.parts:
        out["parts"] = {sub.id: _part_dict(sub) for sub in ps.parts}
    if ps.targets:
        out["targets"] = [
            {
                "target": t.target,
                "name": t.name,
                "points": num(t.points),
                "raw": num(t.raw),
                "passed": t.passed,
                "vetoed": t.vetoed,
                "complete": t.complete,
                "indicators": {n.id: _node_dict(n) for n in t.nodes},
            }
            for t in ps.targets
        ]
    return out


def _criterion_rows(
    static: Sequence[StaticRow],
    us: UnitScore,
    values: Mapping[ReadingKey, Value | None],
    notes: Mapping[tuple[str, str], str],
    sources: Mapping[ReadingKey, Source],
    source_file: str = "",
) -> list[dict[str, Any]]:
    """One row per (target, criterion): the 明细 and the 整改清单 are built from these."""
    scores = {(cs.target, cs.criterion): cs for cs in criterion_scores(us)}
    target_names = {t.id: t.name for t in us.unit.targets}
    rows: list[dict[str, Any]] = []
    for per_target, crit, head, labels, live, bonus in static:
        for tid in [""] if per_target is None else [t.id for t in us.unit.targets_of(per_target)]:
            cs = scores.get((tid, crit.id))
            if cs is None:
                continue
            lost = None
            if cs.points is not None and crit.max is not None and not bonus:
                lost = num(crit.max - cs.points)
            elif cs.points is not None and crit.max is None:
                lost = num(cs.points)  # penalty criteria: the points are what is subtracted
            row = {
                "target": tid,
                "target_name": target_names.get(tid, ""),
                **head,
                "points": num(cs.points),
                "lost": lost,
                "applicable": cs.applicable,
                "evidence_missing": cs.evidence_missing,
                "missing": list(cs.missing),
                "inputs": dict(labels),
                "found": {i: plain(values.get(ReadingKey(tid, crit.id, i))) for i in live},
                "note": notes.get((tid, crit.id), ""),
                "vetoes": [v.reason for v in cs.vetoes],
                "trace": [t.text for t in cs.trace],
            }
            if sources:
                row["cells"] = _cells(sources, tid, crit.id, live, source_file)
            rows.append(row)
    return rows


def _cells(
    sources: Mapping[ReadingKey, Source], target: str, criterion: str, live: Sequence[str], own: str = ""
) -> dict[str, Any]:
    """Where each input of a row was read: ``{input: {sheet, cell}}`` (not from a findings table),
    with ``file`` when it is not ``own`` (a unit merged from its 检查组's workbooks)."""
    out: dict[str, Any] = {}
    for i in live:
        src = sources.get(ReadingKey(target, criterion, i))
        if src is not None and src.cell:
            out[i] = {"sheet": src.sheet, "cell": src.cell}
            if src.file and src.file != own:
                out[i]["file"] = src.file
    return out


StaticRow = tuple[str | None, Criterion, dict[str, Any], dict[str, str], tuple[str, ...], bool]


def static_rows(variant: Variant) -> list[StaticRow]:
    """What a criterion row says whatever the unit scored:
    (per-target kind, criterion, the row's fixed fields, input labels, live input ids, bonus)."""
    out: list[StaticRow] = []
    for part, chain, crit in walk_with_path(variant):
        head = {
            "part": part.id,
            "indicators": [i.id for i in chain],
            "indicator_titles": [i.title for i in chain],
            "criterion": crit.id,
            "title": crit.title,
            "text": crit.text,
            "style": crit.style.value,
            "max": num(crit.max),
        }
        labels = {i.id: i.label for i in crit.live_inputs()}  # none when not applicable
        out.append((part.per_target, crit, head, labels, tuple(labels), part.kind is PartKind.BONUS))
    return out


def unit_to_dict(
    rubric: Rubric,
    variant: Variant,
    us: UnitScore,
    values: Mapping[ReadingKey, Value | None],
    *,
    status: str,
    notes: Mapping[tuple[str, str], str] | None = None,
    files: Sequence[str] = (),
    problem_counts: Mapping[str, int] | None = None,
    sources: Mapping[ReadingKey, Source] | None = None,
    source_file: str = "",
) -> dict[str, Any]:
    """One unit's entry in ``scores.json`` (``variant``: as resolved for the unit); with
    ``sources``, each criterion row says where its inputs were read (``cells``; ``file`` too
    when it is not ``source_file``, the file the unit was read from)."""
    static = static_rows(variant)
    heads = {crit.id: head for _, crit, head, *_ in static}  # where a veto's criterion sits
    return {
        "unit": us.unit.name,
        "unit_id": us.unit.id,
        "group": us.unit.group,
        "variant": us.variant,
        "status": status,
        "total": num(us.total),
        "max": num(variant.max),
        "parts": {ps.id: _part_dict(ps) for ps in us.parts},
        "targets": [
            {
                "target": t.target,
                "name": t.name,
                "part": ps.id,
                "points": num(t.points),
                "passed": t.passed,
                "vetoed": t.vetoed,
            }
            for ps in parts_by_id(us.parts).values()
            for t in ps.targets
        ],
        "vetoes": [
            {
                "target": v.target,
                "target_name": v.target_name,
                "part": v.part or (heads[v.criterion]["part"] if v.criterion in heads else ""),
                "indicator": heads[v.criterion]["indicators"][-1] if v.criterion in heads else v.criterion,
                "criterion": v.criterion,
                "reason": v.reason,
            }
            for v in us.vetoes
        ],
        "vetoed": us.vetoed,
        "bonus_counted": us.bonus_counted,
        "thresholds": thresholds(us),
        "passed": us.passed,
        "tier": us.tier,
        "coefficient": num(us.coefficient),
        "penalties": num(us.penalties),
        "missing": [{"target": k.target, "criterion": k.criterion, "input": k.input} for k in us.missing],
        "criteria": _criterion_rows(static, us, values, notes or {}, sources or {}, source_file),
        "trace": [
            {"target": t.target, "criterion": t.criterion, "input": t.input, "text": t.text, "points": num(t.points)}
            for t in us.trace
        ],
        "files": list(files),
        "problems": dict(problem_counts or {"error": 0, "warning": 0}),
    }


def absent_unit(
    unit_name: str,
    unit_id: str,
    group: str,
    variant: Variant | None,
    status: str,
    files: Sequence[str] = (),
    problem_counts: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """A roster unit with no usable workbook: listed, never ranked as zero."""
    return {
        "unit": unit_name,
        "unit_id": unit_id,
        "group": group,
        "variant": variant.id if variant else "",
        "status": status,
        "total": None,
        "max": num(variant.max) if variant else None,
        "parts": {},
        **{key: [] for key in ("targets", "vetoes")},
        "vetoed": False,
        "bonus_counted": None,
        "thresholds": {},
        **dict.fromkeys(("tier", "coefficient", "penalties")),
        **{key: [] for key in ("missing", "criteria", "trace")},
        "files": list(files),
        "problems": dict(problem_counts or {"error": 0, "warning": 0}),
    }


def document(
    rubric: Rubric,
    units: Sequence[dict[str, Any]],
    campaign: Mapping[str, Any],
    groups: Sequence[str],
    targets: Sequence[Mapping[str, Any]] = (),
    kinds: Mapping[str, Any] | None = None,
    round_no: int | None = None,
) -> dict[str, Any]:
    """The whole ``scores.json`` document; target kinds assessed in their own right add ``kinds``
    and the ranked ``targets`` before ``units``; ``round_no``: the round it is, when kept as one."""
    assessed: dict[str, Any] = {**kinds, "targets": list(targets)} if kinds else {}
    return {
        "format": FORMAT,
        "tool_version": __version__,
        **({"round": round_no} if round_no is not None else {}),
        "rubric": rubric.id,
        "rubric_title": rubric.title,
        "rubric_version": rubric.version,
        "rubric_hash": rubric.hash,
        "campaign": dict(campaign),
        "groups": list(groups),
        "tiers": [{"label": t.label, "min": num(t.min), "coefficient": num(t.coefficient)} for t in rubric.tiers],
        "veto_tier": rubric.veto_tier,
        "veto_label": rubric.veto_label,
        "columns": {v.id: part_columns(v) for v in rubric.variants},
        "variants": {v.id: {"title": v.title, "groups": list(v.groups), "max": num(v.max)} for v in rubric.variants},
        **assessed,
        "units": list(units),
    }


def list_document(header: Mapping[str, Any], key: str, items: Iterable[str], indent: int | None) -> Iterator[str]:
    """The JSON text of ``{**header, key: [...]}`` a piece at a time (``items``: the list's items,
    already encoded), as ``json.dumps(…, ensure_ascii=False, indent=indent)`` writes it, but with
    an indent each item stays on one line (``scores.json``: one unit a line, so a diff shows which)."""
    text = json.dumps({**header, key: []}, ensure_ascii=False, indent=indent)
    close = "}" if indent is None else "\n}"
    empty = json.dumps(key) + ": []" + close
    if not text.endswith(empty):  # pragma: no cover - the list is always the last key
        raise ValueError(f"{key} must be the document's last key")
    yield text[: -len(empty)] + json.dumps(key) + ": ["
    if indent is None:
        first, between, end = "", ", ", "]"
    else:
        inner = " " * (2 * indent)
        first, between, end = "\n" + inner, ",\n" + inner, "\n" + " " * indent + "]"
    sep = first
    for item in items:
        yield sep + item
        sep = between
    yield (end if sep is between else "]") + close


def write_list_document(path: Path, header: Mapping[str, Any], key: str, items: Iterable[str]) -> None:
    """:func:`list_document` with an indent of 2 (and a final newline) to ``path``, atomically."""
    with atomic_open(path) as fh:
        for piece in list_document(header, key, items, 2):
            fh.write(piece.encode("utf-8"))
        fh.write(b"\n")


def write_json(path: Path, data: Any) -> None:
    atomic_write_bytes(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
