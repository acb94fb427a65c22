"""Workbooks issued under an earlier revision of the rubric (same id, another content hash), and
the one notion of *compatible* that ``zwgk score`` and ``zwgk rubric diff`` share.

Offices fix typos, notes and points after the workbooks are out.  Such a workbook is read when
its input map is compatible with the map the current rubric would issue for the same unit (same
targets): the same inputs (target, criterion id, input id) in the same places (part's sheet,
cell), of the same kinds (a choice with the same options, in any order), on the same variant.
Everything else may change: values are read by the map and scored under the current rubric.
A compatible workbook gets one warning naming both revisions (W040), an incompatible one is
refused naming each change (W041).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import NamedTuple

from zwgk_cli.model import (
    GROUP_ATTRIBUTES,
    INPUT_KIND_LABELS,
    NAME_ATTRIBUTES,
    InputKind,
    Rubric,
    Target,
    Unit,
    Variant,
)
from zwgk_cli.problems import Code, Problem, problem
from zwgk_cli.rubric import RubricError, all_indicators, conditions, resolve
from zwgk_cli.rubric.diff import rubric_label
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook.plan import Context, UnitPlan, plan_unit
from zwgk_cli.workbook.write import plan_workbook

ADDED = "added"
REMOVED = "removed"
MOVED = "moved"
RETYPED = "retyped"
VARIANT = "variant"
CHANGE_ORDER = (VARIANT, REMOVED, ADDED, MOVED, RETYPED)
_TEXTS = {  # each change as one Chinese phrase
    VARIANT: "适用的细则类别由“{before}”变为“{after}”",
    ADDED: "新增{what},{cell}{more})",
    REMOVED: "删除了{what},原在{cell}{more})",
    MOVED: "{what})由{before}移到{after}{more}",
    RETYPED: "{what},{cell}{more})的类型由“{before}”改为“{after}”",
}
SHOWN_IN_PROBLEM = 5  # changes named in a W041 message (then "等共N处")


@dataclass(frozen=True)
class InputChange:
    """One incompatible change of an input (or of the variant) between two workbook maps:
    ``cell`` where the input is (was, when removed: ``第一部分!F7``); ``before``/``after`` the
    old and new cells, kinds or variant ids; ``sheets`` how many scoring sheets show it."""

    change: str
    criterion: str = ""
    input: str = ""
    label: str = ""
    title: str = ""
    cell: str = ""
    before: str = ""
    after: str = ""
    sheets: int = 1

    def text(self) -> str:
        more = f"等{self.sheets}张表" if self.sheets > 1 else ""
        what = f"填写项“{self.label}”({self.criterion}.{self.input}" + (f" {self.title}" if self.title else "")
        return _TEXTS[self.change].format(what=what, cell=self.cell, more=more, before=self.before, after=self.after)

    def to_dict(self) -> dict[str, str | int]:
        """The change in ``zwgk rubric diff --json``."""
        out: dict[str, str | int] = {"change": self.change}
        if self.change != VARIANT:
            out.update(criterion=self.criterion, input=self.input, label=self.label, title=self.title, cell=self.cell)
        if self.before or self.after:
            out.update(before=self.before, after=self.after)
        out["text"] = self.text()
        return out


class _Slot(NamedTuple):
    place: tuple[str, str]  # (the part of its sheet, or the sheet's name; the cell)
    shown: str  # 第一部分!F7
    kind: str  # kind as written, with the options of a choice
    kind_key: tuple[str, frozenset[str]]
    label: str


def _slots(lay: L.Layout) -> dict[tuple[str, str, str], _Slot]:
    parts = {s.name: s.part for s in lay.sheets if s.part}
    out: dict[tuple[str, str, str], _Slot] = {}
    for m in lay.inputs:
        cell = m.cell.upper().replace("$", "")
        options = m.options if m.kind == InputKind.CHOICE.value else ()
        known = m.kind in {k.value for k in InputKind}
        text = INPUT_KIND_LABELS[InputKind(m.kind)] if known else m.kind
        out[(m.target, m.criterion, m.input)] = _Slot(
            (parts.get(m.sheet, m.sheet), cell),
            f"{m.sheet}!{cell}",
            f"{text}({'/'.join(options)})" if options else text,
            (m.kind, frozenset(options)),
            m.label or m.input,
        )
    return out


def compare_layouts(old: L.Layout, new: L.Layout, titles: Mapping[str, str] | None = None) -> list[InputChange]:
    """What makes a workbook laid out as ``old`` unreadable as one laid out as ``new`` (both
    for the same unit and targets); empty when compatible.  ``titles``: criterion id → the
    titles shown beside it.  A change on several targets' sheets is named once."""
    before, after = _slots(old), _slots(new)
    titles = titles or {}
    found: dict[tuple[str, ...], InputChange] = {}

    def add(change: InputChange, key: tuple[str, ...]) -> None:
        have = found.get(key)
        found[key] = change if have is None else replace(have, sheets=have.sheets + 1)

    if old.meta.variant and new.meta.variant and old.meta.variant != new.meta.variant:
        add(InputChange(VARIANT, before=old.meta.variant, after=new.meta.variant), (VARIANT,))
    for key, s in before.items():
        _, crit, inp = key
        title = titles.get(crit, "")
        n = after.get(key)
        if n is None:
            add(InputChange(REMOVED, crit, inp, s.label, title, s.shown), (REMOVED, crit, inp, *s.place))
            continue
        if n.place != s.place:
            change = InputChange(MOVED, crit, inp, n.label, title, n.shown, before=s.shown, after=n.shown)
            add(change, (MOVED, crit, inp, *s.place, *n.place))
        if n.kind_key != s.kind_key:
            change = InputChange(RETYPED, crit, inp, n.label, title, n.shown, before=s.kind, after=n.kind)
            add(change, (RETYPED, crit, inp, *n.place, s.kind, n.kind))
    for key, n in after.items():
        if key not in before:
            _, crit, inp = key
            change = InputChange(ADDED, crit, inp, n.label, titles.get(crit, ""), n.shown)
            add(change, (ADDED, crit, inp, *n.place))
    return sorted(found.values(), key=lambda c: CHANGE_ORDER.index(c.change))


def issued_layout(rubric: Rubric, unit: Unit, variant: Variant | None = None) -> L.Layout:
    """The map of the workbook ``rubric`` issues for ``unit`` (what ``init-sheets`` writes)."""
    return plan_workbook(rubric, unit, variant=variant).layout


# ------------------------------------------------------------------ a returned workbook


def read_revised(lay: L.Layout, ctx: Context, file: str) -> list[Problem] | None:
    """A returned workbook whose rubric hash is not the current rubric's: ``None`` when it was
    issued under another rubric (another id: W012 stands); else a W040 warning when its map is
    compatible with the workbook the current rubric would issue for its unit, or a W041 error
    naming what changed.  An unknown unit or unusable plan gives ``[]`` (the reader reports
    those itself)."""
    meta = lay.meta
    rubric = ctx.rubric
    if meta.rubric_id != rubric.id:
        return None
    unit = ctx.units.get(meta.unit_id)
    plan = ctx.plan(meta.unit_id) if unit is not None else None
    if unit is None or not isinstance(plan, UnitPlan):
        return []
    as_issued = replace(unit, targets=meta.targets)  # roster changes are the reader's (W020, W029)
    changes = compare_layouts(lay, issued_layout(rubric, as_issued, plan.variant), plan.indicator)
    found = rubric_label(meta.rubric_id, meta.rubric_version, meta.rubric_hash)
    where = {"file": file, "unit": unit.name, "found": found, "expected": ctx.rubric_label()}
    if not changes:
        return [problem(Code.W_RUBRIC_REVISED, **where)]
    text = "；".join(c.text() for c in changes[:SHOWN_IN_PROBLEM])
    text += f"；等共{len(changes)}处" if len(changes) > SHOWN_IN_PROBLEM else ""
    return [problem(Code.W_RUBRIC_INCOMPATIBLE, unit_id=unit.id, changes=text, **where)]


# ------------------------------------------------------------------ two rubrics


@dataclass(frozen=True)
class Compatibility:
    """Whether workbooks issued under one rubric are read under another (:func:`compare_layouts`
    for every kind of unit): ``reason`` says why not when the rubric ids differ."""

    compatible: bool
    changes: tuple[InputChange, ...] = ()
    reason: str = ""
    units: int = 0  # kinds of unit compared


def sample_units(old: Rubric, new: Rubric) -> list[Unit]:
    """Units of every kind the two rubrics tell apart, as far as one attribute at a time goes:
    per group of ``old`` (whose workbooks are out), a plain unit, one with each value of each
    attribute a condition names, and one named after each unit of a unit-specific criteria set;
    each with one target of each target kind."""
    kinds = dict.fromkeys(k.id for r in (old, new) for k in r.target_kinds)
    targets = tuple(Target(f"T{i}", kind, f"{kind}{i}") for i, kind in enumerate(kinds, start=1))
    groups = list(dict.fromkeys(g for v in old.variants for g in (v.groups or ("",))))
    attrs: list[dict[str, str]] = [{}]
    names = ["某单位"]
    every = (c for r in (old, new) for v in r.variants for c in conditions(v))
    for attribute, values in dict.fromkeys((c.attribute, c.values) for c in every):
        if attribute in NAME_ATTRIBUTES:
            names.extend(values)
        elif attribute not in GROUP_ATTRIBUTES:
            attrs.extend({attribute: value} for value in values)
    for r in (old, new):
        for v in r.variants:
            for ind in all_indicators(v):
                names.extend(r.aliases.get(n, n) for s in ind.by_unit for n in s.names)
    units: list[Unit] = []
    for group in groups:
        for a in list(dict.fromkeys(tuple(sorted(x.items())) for x in attrs)):
            units.append(Unit(f"U{len(units) + 1}", names[0], group, dict(a), targets))
        for name in list(dict.fromkeys(names))[1:]:
            units.append(Unit(f"U{len(units) + 1}", name, group, {}, targets))
    return units


def rubric_compatibility(old: Rubric, new: Rubric) -> Compatibility:
    """Whether every workbook issued under ``old`` is read under ``new`` (the test
    :func:`read_revised` makes of each returned workbook, made for :func:`sample_units`)."""
    if old.id != new.id:
        reason = f"细则编号不同({old.id} → {new.id}):按“{old.id}”生成的评分表一律不予读取(W012)"
        return Compatibility(False, reason=reason)
    if old.hash == new.hash:
        return Compatibility(True)
    seen: set[tuple[Variant, Variant]] = set()
    found: dict[tuple[str, ...], InputChange] = {}  # one per input and change, whatever its cell
    for unit in sample_units(old, new):
        try:
            va = resolve(old, unit)
        except RubricError:
            continue  # no workbook of this kind was issued
        try:
            vb = resolve(new, unit)
        except RubricError:
            lost = InputChange(VARIANT, before=va.id, after=f"分组“{unit.group}”已无适用类别")
            found.setdefault((VARIANT, unit.group), lost)
            continue
        if (va, vb) in seen:
            continue
        seen.add((va, vb))
        titles = {**plan_unit(old, unit, va).indicator, **plan_unit(new, unit, vb).indicator}
        changes = compare_layouts(issued_layout(old, unit, va), issued_layout(new, unit, vb), titles)
        for c in changes:
            kinds = (c.before, c.after) if c.change in (RETYPED, VARIANT) else ()
            found.setdefault((c.change, c.criterion, c.input, *kinds), replace(c, sheets=1))
    ordered = tuple(sorted(found.values(), key=lambda c: CHANGE_ORDER.index(c.change)))
    return Compatibility(not ordered, ordered, units=len(seen))
