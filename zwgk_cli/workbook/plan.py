"""What a returned workbook is checked against (:class:`UnitPlan`, made by :class:`Context`), and
what reading one gives (:class:`WorkbookRead`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zwgk_cli.model import NAME_ATTRIBUTES, Criterion, Input, ReadingKey, Rubric, Source, Unit, Value, Variant
from zwgk_cli.problems import Problem
from zwgk_cli.rubric import RubricError, all_indicators, conditions, resolve, walk_with_path
from zwgk_cli.rubric.diff import rubric_label as rubric_label  # re-exported: read.py names it
from zwgk_cli.workbook.teams import Teams


@dataclass
class WorkbookRead:
    """Everything read from one file.  ``usable`` is False when the file could not be used
    at all (then ``unit_id`` may still be known, e.g. a workbook of another rubric version)."""

    file: str
    usable: bool = True
    unit_id: str = ""
    unit_name: str = ""  # as the workbook says
    rubric_id: str = ""
    rubric_hash: str = ""
    values: dict[ReadingKey, Value | None] = field(default_factory=dict)
    sources: dict[ReadingKey, Source] = field(default_factory=dict)
    notes: dict[tuple[str, str], str] = field(default_factory=dict)
    note_sources: dict[tuple[str, str], Source] = field(default_factory=dict)
    note_formulas: set[tuple[str, str]] = field(default_factory=set)  # notes that were formulas (V018)
    problems: list[Problem] = field(default_factory=list)
    lines: dict[Any, int] = field(default_factory=dict)  # findings table: key or (target, criterion) → row
    team: str = ""  # a 检查组's workbook: the team (it holds only the team's parts)


# ------------------------------------------------------------------ the campaign side: what to check against


@dataclass(frozen=True)
class UnitPlan:
    """What a unit's workbook must hold: its resolved variant, every live input by key."""

    unit: Unit
    variant: Variant
    inputs: Mapping[ReadingKey, tuple[Criterion, Input]]
    indicator: Mapping[str, str]  # criterion id → "一级/二级" titles
    criteria: Mapping[tuple[str, str], Criterion]  # (target, criterion id)


def plan_unit(rubric: Rubric, unit: Unit, variant: Variant | None = None) -> UnitPlan:
    """The unit's plan (``variant``: the unit's resolved variant, when already known)."""
    variant = variant if variant is not None else resolve(rubric, unit)
    inputs: dict[ReadingKey, tuple[Criterion, Input]] = {}
    criteria: dict[tuple[str, str], Criterion] = {}
    titles: dict[str, str] = {}
    for part, chain, crit in walk_with_path(variant):
        names = [i.title for i in chain]
        if crit.title and crit.title != names[-1]:
            names.append(crit.title)
        titles[crit.id] = "/".join(names)
        live = crit.live_inputs()
        for tid in [t.id for t in unit.targets_of(part.per_target)] if part.per_target else [""]:
            criteria[(tid, crit.id)] = crit
            for inp in live:
                inputs[ReadingKey(tid, crit.id, inp.id)] = (crit, inp)
    return UnitPlan(unit, variant, inputs, titles, criteria)


def _identity_matters(variant: Variant) -> bool:
    """Whether resolving a unit on ``variant`` reads more than its group and attributes: its own
    criteria sets (by name or alias), or a condition on its name."""
    if any(ind.by_unit for ind in all_indicators(variant)):
        return True
    return any(c.attribute in NAME_ATTRIBUTES for c in conditions(variant))


PLANS_KEPT = 64


class Context:
    """The rubric and roster a batch is read against; plans are made once per unit, and a
    unit's resolved variant is shared with every unit of the same group and attributes
    (resolution reads nothing else unless the variant has per-unit criteria)."""

    def __init__(self, rubric: Rubric, units: Sequence[Unit], teams: Teams | None = None):
        self.rubric = rubric
        self.units = {u.id: u for u in units}
        self.teams = teams  # the campaign's 检查组, when it has any
        self._plans: dict[tuple[str, str], UnitPlan | list[Problem]] = {}
        self._resolved: dict[tuple[Any, ...], Variant] = {}
        self._identity = {v.id: _identity_matters(v) for v in rubric.variants}

    def _resolve(self, unit: Unit) -> Variant:
        base = self.rubric.variant_for_group(unit.group)
        key: tuple[Any, ...] = (unit.group, tuple(sorted(unit.attributes.items())))
        if base is not None and self._identity[base.id]:
            key = (*key, unit.name, unit.aliases)
        hit = self._resolved.get(key)
        if hit is None:
            hit = self._resolved[key] = resolve(self.rubric, unit)
        return hit

    def plan(self, unit_id: str, team: str = "") -> UnitPlan | list[Problem]:
        """The unit's plan (of ``team``'s workbook: only the team's parts); the last few are kept
        (a file asks twice, a batch once per unit, so keeping them all would make a worker's
        memory grow with the batch)."""
        hit = self._plans.get((unit_id, team))
        if hit is None:
            unit = self.units[unit_id]
            try:
                variant = self._resolve(unit)
                view = self.teams.view(variant, team) if team and self.teams is not None else variant
                hit = plan_unit(self.rubric, unit, view) if view is not None else []
            except RubricError as exc:
                hit = list(exc.problems)
            if len(self._plans) >= PLANS_KEPT:
                del self._plans[next(iter(self._plans))]
            self._plans[(unit_id, team)] = hit
        return hit

    def rubric_label(self) -> str:
        return rubric_label(self.rubric.id, self.rubric.version, self.rubric.hash)


def add_note(notes: dict[tuple[str, str], str], nk: tuple[str, str], text: str) -> None:
    """``text`` added to a criterion's 扣分说明 (shared by its inputs and sources) unless already there."""
    have = notes.get(nk)
    if have is None:
        notes[nk] = text
    elif text not in have.split("；"):
        notes[nk] = f"{have}；{text}"
