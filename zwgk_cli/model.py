"""The data model: frozen dataclasses shared by every module.

Points are always :class:`decimal.Decimal`; nothing here is a float.  The tree is
``Rubric → Variant → Part (→ Part …) → Indicator (→ Indicator …) → Criterion``; a
criterion is one scoring row of the source text (one 评分细则 or one 三级指标) with
one or more inputs, the terms that turn inputs into points, and the vetoes that
may fire on them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

ZERO = Decimal("0")
CENT = Decimal("0.01")


def round2(value: Decimal) -> Decimal:
    """Round half-up to 2 decimals, exactly as Excel's ``ROUND(x, 2)`` does for x ≥ 0, for a
    finite value of any size (beyond 28 digits with as much precision as it needs)."""
    try:
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        if not value.is_finite():
            raise
        return value.quantize(CENT, rounding=ROUND_HALF_UP, context=Context(prec=value.adjusted() + 3))


def fmt_points(value: Decimal | None) -> str:
    """Points as people write them: ``2``, ``1.5``, ``0.25`` (never ``2.00`` or ``1E+1``)."""
    if value is None:
        return ""
    text = f"{round2(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class InputKind(StrEnum):
    COUNT = "count"  # whole number ≥ 0 (findings, or compliant samples up to ``max``)
    YES_NO = "yes_no"  # 是 / 否
    CHOICE = "choice"  # one of ``options``
    NUMBER = "number"  # a number ≥ 0 (粉丝量)
    PERCENT = "percent"  # 0..100
    POINTS = "points"  # points awarded, 0..max on ``step``
    TEXT = "text"  # free text (names an account, a note)


INPUT_KIND_LABELS: Mapping[InputKind, str] = {
    InputKind.COUNT: "个数",
    InputKind.YES_NO: "是/否",
    InputKind.CHOICE: "选项",
    InputKind.NUMBER: "数值",
    InputKind.PERCENT: "百分比",
    InputKind.POINTS: "得分",
    InputKind.TEXT: "文字",
}

YES = "是"
NO = "否"
GROUP_ATTRIBUTES = ("group", "分组")  # a condition on these reads the unit's group, not a roster column
NAME_ATTRIBUTES = ("name", "单位名称")  # … and on these its name
POINTS_STEP = Decimal("0.5")  # a points input's step when the rubric gives none
YES_WORDS = frozenset({"是", "有", "y", "yes", "true", "1", "√"})  # what a roster or rubric may write for 是
NO_WORDS = frozenset({"否", "无", "n", "no", "false", "0", ""})


def yes_no(text: str) -> str | None:
    """:data:`YES` or :data:`NO` for a word written for them (有/无, yes/no, √, 1/0…); else ``None``."""
    low = text.strip().lower()
    return YES if low in YES_WORDS else NO if low in NO_WORDS else None


class Style(StrEnum):
    AWARD = "award"  # 得分: starts at 0, terms add, capped at 分值
    DEDUCT = "deduct"  # 扣分: starts at 分值, terms subtract, floor 0
    PENALTY = "penalty"  # 通报曝光: terms subtract from the total, no cap of their own


class TermKind(StrEnum):
    PER = "per"  # count × points (compliant samples, or findings)
    FLAG = "flag"  # 是 → points
    CHOICE = "choice"  # option → points
    BANDS = "bands"  # first band whose condition holds on a number/percent/count
    RATIO = "ratio"  # bands on num/den in percent; den = 0 → no points
    ENTERED = "entered"  # points entered by the assessor (酌情赋分)


class PartKind(StrEnum):
    NORMAL = "normal"
    BONUS = "bonus"
    PENALTY = "penalty"


class VetoEffect(StrEnum):
    NONE = "none"  # points stand; the unit is 否决 / 不合格
    ZERO = "zero"  # the part (or target) scores 0
    STOP = "stop"  # 不再对其他指标进行评分: the target (or the unit) is not scored any further and scores 0


OPS = (">", ">=", "<", "<=", "==")
LINE_OPS = (">=", ">")  # a pass line or a gate is reached at (>=) or above (>) its minimum


@dataclass(frozen=True)
class Condition:
    """``attribute`` of the unit (``group`` included) is one of ``values``."""

    attribute: str
    values: tuple[str, ...]

    def holds(self, attributes: Mapping[str, str]) -> bool:
        value = attributes.get(self.attribute, "")
        if value in self.values:
            return True
        # a roster column of yes/no words is read as 是/否, and so are the values a condition
        # names for it: {有对外服务: 有} holds for a unit whose roster says 有, 是 or √
        return value in (YES, NO) and any(yes_no(v) == value for v in self.values)

    def describe(self) -> str:
        return f"{self.attribute}为{'或'.join(self.values)}"


@dataclass(frozen=True)
class Applicability:
    """A criterion or term applies when every ``only_if`` holds and no ``not_if`` holds."""

    only_if: tuple[Condition, ...] = ()
    not_if: tuple[Condition, ...] = ()

    def applies(self, attributes: Mapping[str, str]) -> bool:
        return all(c.holds(attributes) for c in self.only_if) and not any(c.holds(attributes) for c in self.not_if)

    @property
    def always(self) -> bool:
        return not self.only_if and not self.not_if


ALWAYS = Applicability()


@dataclass(frozen=True)
class Input:
    id: str
    label: str
    kind: InputKind
    max: Decimal | None = None  # counts of samples, points
    step: Decimal | None = None  # points
    options: tuple[str, ...] = ()  # choice
    required: bool = True
    hint: str = ""


@dataclass(frozen=True)
class Band:
    op: str
    value: Decimal
    points: Decimal


@dataclass(frozen=True)
class Term:
    kind: TermKind
    inputs: tuple[str, ...]  # input ids: one, or (num, den) for RATIO
    points: Decimal = ZERO  # PER: per unit; FLAG: when 是
    cap: Decimal | None = None  # cap on this term's own contribution
    choices: tuple[tuple[str, Decimal], ...] = ()
    bands: tuple[Band, ...] = ()
    applies: Applicability = ALWAYS
    label: str = ""  # what the trace says
    applicable: bool = True  # set by resolution


@dataclass(frozen=True)
class Veto:
    id: str
    reason: str
    inputs: tuple[str, ...]  # one input, or (num, den) for a ratio veto
    op: str = ">="  # for count / number / ratio (percent); a yes_no input vetoes on 是
    value: Decimal = ZERO
    ratio: bool = False
    applies: Applicability = ALWAYS
    applicable: bool = True


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    text: str
    max: Decimal | None  # None only for penalty criteria
    style: Style
    inputs: tuple[Input, ...]
    terms: tuple[Term, ...]
    vetoes: tuple[Veto, ...] = ()
    applies: Applicability = ALWAYS
    evidence: bool = False
    na_points: str = "full"  # full | zero
    note: str = ""
    applicable: bool = True  # set by resolution

    def input(self, input_id: str) -> Input:
        for inp in self.inputs:
            if inp.id == input_id:
                return inp
        raise KeyError(input_id)

    def live_inputs(self) -> tuple[Input, ...]:
        """Inputs the assessor must fill for this unit (not-applicable ones dropped).

        Computed once per (frozen, resolved) criterion: scoring a batch asks hundreds of times
        per unit.  The cache is not a field, so equality, hashing and ``replace`` ignore it."""
        cached: tuple[Input, ...] | None = self.__dict__.get("_live_inputs")
        if cached is not None or not self.applicable:
            return cached or ()
        used = {i for t in self.terms if t.applicable for i in t.inputs}
        used |= {i for v in self.vetoes if v.applicable for i in v.inputs}
        out = [i for i in self.inputs if i.id in used or i.kind is InputKind.TEXT]
        result = (*out, EVIDENCE_INPUT) if self.evidence else tuple(out)
        object.__setattr__(self, "_live_inputs", result)
        return result


EVIDENCE_INPUT = Input(
    id="evidence",
    label="佐证材料按时提供",
    kind=InputKind.YES_NO,
    hint="未按时提供佐证材料的,该项视为无相关工作内容,不得分",
)


@dataclass(frozen=True)
class UnitSet:
    """One unit-specific criteria set (荆州 市直部门 重点领域信息公开)."""

    names: tuple[str, ...]  # as written in the source (short names, resolved through aliases)
    criteria: tuple[Criterion, ...]
    default: bool = False


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    max: Decimal | None
    level: int  # 1 = 一级, 2 = 二级
    indicators: tuple[Indicator, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    by_unit: tuple[UnitSet, ...] = ()
    note: str = ""

    def walk(self) -> Iterator[Criterion]:
        yield from self.criteria
        for i in self.indicators:
            yield from i.walk()


@dataclass(frozen=True)
class Threshold:
    min: Decimal
    label: str = "不合格"  # below min
    op: str = ">="  # passed when points ``op`` min


@dataclass(frozen=True)
class Gate:
    part: str  # the part whose points must reach ``min``
    min: Decimal
    label: str = "未进入加分环节"
    op: str = ">="  # open when the part's points ``op`` min (高于80分: ">")


@dataclass(frozen=True)
class Rescale:
    """A part scored on what applies to the unit, then brought back to its full 分值
    (按75分计算扣分,最终得分乘以4/3).  ``factor`` None: 分值 / the maximum of what applies."""

    factor: Fraction | None = None
    round: str = "after"  # after: ROUND(raw × factor, places); before: ROUND(ROUND(raw, places) × factor, 2)
    places: int = 2


@dataclass(frozen=True)
class Part:
    id: str
    title: str
    max: Decimal | None
    kind: PartKind = PartKind.NORMAL
    parts: tuple[Part, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    per_target: str | None = None  # target kind scored one sheet each, averaged
    threshold: Threshold | None = None
    gate: Gate | None = None
    veto_effect: VetoEffect = VetoEffect.NONE
    note: str = ""
    rescale: Rescale | None = None

    def walk(self) -> Iterator[Criterion]:
        for i in self.indicators:
            yield from i.walk()
        for p in self.parts:
            yield from p.walk()

    def walk_parts(self) -> Iterator[Part]:
        yield self
        for p in self.parts:
            yield from p.walk_parts()


@dataclass(frozen=True)
class Tier:
    label: str
    min: Decimal | None  # None: everything below the others
    coefficient: Decimal | None = None


@dataclass(frozen=True)
class Variant:
    id: str
    title: str
    groups: tuple[str, ...]
    parts: tuple[Part, ...]
    max: Decimal  # highest possible total, bonus included
    when: tuple[Condition, ...] = ()  # roster attributes a unit must have for this variant

    def walk(self) -> Iterator[Criterion]:
        for p in self.parts:
            yield from p.walk()

    def walk_parts(self) -> Iterator[Part]:
        for p in self.parts:
            yield from p.walk_parts()

    def part(self, part_id: str) -> Part:
        for p in self.walk_parts():
            if p.id == part_id:
                return p
        raise KeyError(part_id)


@dataclass(frozen=True)
class Note:
    id: str
    text: str
    kind: str = "reading"  # reading | typo | source


@dataclass(frozen=True)
class TargetKind:
    id: str
    title: str  # 政府网站
    assessed: bool = False  # each target is scored, ranked and published in its own right
    threshold: Threshold | None = None  # pass line of a target's total over its kind's parts


@dataclass(frozen=True)
class Rubric:
    id: str
    title: str
    year: int
    version: str
    source: str
    variants: tuple[Variant, ...]
    tiers: tuple[Tier, ...] = ()
    veto_tier: str = "不合格"
    veto_label: str = "否决"
    aliases: Mapping[str, str] = field(default_factory=dict)
    target_kinds: tuple[TargetKind, ...] = ()
    notes: tuple[Note, ...] = ()
    hash: str = ""
    path: str = ""
    declared_max: Decimal | None = None
    pass_line: Threshold | None = None  # on the total: below it the unit is 不合格
    rank_units: bool = True  # False: only the assessed target kinds are ranked (国办 19号)

    @property
    def assessed_kinds(self) -> tuple[TargetKind, ...]:
        return tuple(k for k in self.target_kinds if k.assessed)

    @property
    def max(self) -> Decimal:
        return max((v.max for v in self.variants), default=ZERO)

    def variant(self, variant_id: str) -> Variant:
        for v in self.variants:
            if v.id == variant_id:
                return v
        raise KeyError(variant_id)

    def variant_for_group(self, group: str, attributes: Mapping[str, str] | None = None) -> Variant | None:
        """The first variant that claims ``group`` (a variant without groups claims every group)
        and whose ``when`` holds on ``attributes`` (``None``: any variant of the group, ``when``
        not looked at).  A rubric's only variant, without groups, takes every unit."""
        if len(self.variants) == 1 and not self.variants[0].groups and not self.variants[0].when:
            return self.variants[0]
        attrs = {**(attributes or {}), "group": group, "分组": group}
        for v in self.variants:
            if v.groups and group not in v.groups:
                continue
            if not v.groups and not v.when:
                continue
            if attributes is not None and not all(c.holds(attrs) for c in v.when):
                continue
            return v
        return None

    def variant_for(self, unit: Unit) -> Variant | None:
        """The variant ``unit`` is scored on: by its group and its roster attributes."""
        return self.variant_for_group(unit.group, unit.attrs())

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(g for v in self.variants for g in v.groups)

    def tier_for(self, total: Decimal, vetoed: bool) -> Tier | None:
        """The tier of a unit's total (:func:`zwgk_cli.rules.tier_for`, beside its Excel formula)."""
        from zwgk_cli.rules import tier_for  # rules imports this module

        return tier_for(self.tiers, self.veto_tier, total, vetoed)


@dataclass(frozen=True)
class Target:
    id: str  # stable ASCII-ish id from the roster
    kind: str  # a TargetKind id (website)
    name: str
    url: str = ""


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    group: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    aliases: tuple[str, ...] = ()

    def attrs(self) -> dict[str, str]:
        """Attributes as conditions see them: its group and name included (:data:`GROUP_ATTRIBUTES`,
        :data:`NAME_ATTRIBUTES`)."""
        return {
            **self.attributes,
            **dict.fromkeys(GROUP_ATTRIBUTES, self.group),
            **dict.fromkeys(NAME_ATTRIBUTES, self.name),
        }

    def targets_of(self, kind: str) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if t.kind == kind)


# ---------------------------------------------------------------- readings and scores

Value = Decimal | str


class Source(NamedTuple):
    """Where a value came from: a workbook cell, or a row of a findings table."""

    file: str = ""
    sheet: str = ""
    cell: str = ""


NO_SOURCE = Source()


class ReadingKey(NamedTuple):
    """Which input a value is for.  A named tuple: keys are hashed and compared hundreds of
    times per workbook, and a tuple does both in C."""

    target: str  # "" for parts not scored per target
    criterion: str
    input: str


@dataclass(frozen=True)
class Reading:
    key: ReadingKey
    value: Value | None
    source: Source = NO_SOURCE


class TraceLine(NamedTuple):  # the score types made per criterion are named tuples: cheap to make
    target: str
    criterion: str
    input: str  # "" for criterion-level lines
    text: str  # 中文: what was found and what it cost or earned
    points: Decimal  # signed: + earned, − lost


@dataclass(frozen=True)
class VetoHit:
    target: str
    target_name: str
    part: str
    criterion: str
    veto: str
    reason: str


class CriterionScore(NamedTuple):
    criterion: str
    target: str
    max: Decimal | None
    points: Decimal | None  # None: inputs missing
    applicable: bool
    missing: tuple[str, ...]
    trace: tuple[TraceLine, ...]
    vetoes: tuple[VetoHit, ...]
    evidence_missing: bool = False
    stopped: bool = False  # not scored: a veto stopped the scoring of its target or unit


class NodeScore(NamedTuple):
    id: str
    title: str
    max: Decimal | None
    points: Decimal
    complete: bool
    children: tuple[NodeScore, ...] = ()
    criteria: tuple[CriterionScore, ...] = ()


@dataclass(frozen=True)
class PartScore:
    id: str
    title: str
    kind: PartKind
    max: Decimal | None
    points: Decimal  # what the part contributes (after veto effect, gate, mean)
    raw: Decimal  # before veto effect and gate
    complete: bool
    nodes: tuple[NodeScore, ...] = ()  # indicators (for non-per-target parts)
    parts: tuple[PartScore, ...] = ()
    targets: tuple[TargetScore, ...] = ()
    passed: bool | None = None  # threshold outcome; None when the part has no threshold
    counted: bool = True  # gate outcome
    vetoed: bool = False
    stopped: bool = False  # the unit's scoring was stopped by a veto (veto_effect: stop)


@dataclass(frozen=True)
class TargetScore:
    target: str
    name: str
    points: Decimal
    raw: Decimal
    complete: bool
    nodes: tuple[NodeScore, ...]
    passed: bool | None = None
    vetoed: bool = False
    stopped: bool = False  # a veto stopped the scoring of this target (veto_effect: stop)


@dataclass(frozen=True)
class UnitScore:
    unit: Unit
    variant: str
    total: Decimal
    parts: tuple[PartScore, ...]
    vetoes: tuple[VetoHit, ...]
    penalties: Decimal
    bonus_counted: bool | None  # None: no gated part
    tier: str | None
    coefficient: Decimal | None
    complete: bool
    missing: tuple[ReadingKey, ...]
    trace: tuple[TraceLine, ...]
    passed: bool | None = None  # 合格 / 不合格 where the rubric defines 合格 (rules.defines_pass)
    stopped: tuple[str, ...] = ()  # targets ("" = the unit) whose scoring a veto stopped

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)

    def part(self, part_id: str) -> PartScore:
        stack = list(self.parts)
        while stack:
            p = stack.pop(0)
            if p.id == part_id:
                return p
            stack.extend(p.parts)
        raise KeyError(part_id)
