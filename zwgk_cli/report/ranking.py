"""Pure ranking: the ``scores.json`` document → groups, ranks (并列), tiers, statistics, on the
exact decimals of the document.  The decisions (docs/report.md):

* Units are ranked within their roster group: equal totals share a rank and the next is
  skipped (1, 2, 2, 4); within a tie, roster order.
* Vetoed units are listed apart, without a rank, as published notices do; their tier is the
  veto tier (a rubric without tiers: its veto label).
* Units whose scoring is unfinished are listed apart, never ranked as zero, and count neither
  in 合格率 nor in the statistics.
* 合格 exists only where the rubric defines it (:func:`defines_pass`); 合格率 = 合格 units /
  assessed units (scored, vetoed included).
* Tiers are recomputed by :func:`zwgk_cli.rules.tier_for`, the engine's and the workbooks' rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from zwgk_cli.model import ZERO, Tier, fmt_points, round2
from zwgk_cli.results import rounds
from zwgk_cli.results.diff import RoundDiff, compare, load_round, pick
from zwgk_cli.results.document import STATUS_SCORED
from zwgk_cli.results.model import Column, CriterionRow, PartResult, Scores, UnitResult
from zwgk_cli.results.targets import competition_ranks as competition_ranks  # one rule for units and targets
from zwgk_cli.rules import tier_for

GATE_LABEL = "未进入加分环节"
TIE_LABEL = "并列"


def percent(part: int, whole: int) -> Decimal | None:
    """``part / whole`` in percent, rounded half-up to 2 decimals; ``None`` when ``whole`` is 0."""
    return None if whole == 0 else round2(Decimal(part) * 100 / Decimal(whole))


def fmt_percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{fmt_points(value)}%"


@dataclass(frozen=True)
class Entry:
    """One unit as the report shows it."""

    index: int  # position in the scores file (roster order)
    unit: str
    unit_id: str
    group: str
    variant: str
    status: str
    total: Decimal | None
    max: Decimal | None
    parts: Mapping[str, Decimal | None]
    vetoed: bool
    veto_reasons: tuple[str, ...]
    bonus_counted: bool | None
    penalties: Decimal | None
    failed_thresholds: tuple[str, ...]
    result: UnitResult = field(compare=False, repr=False)  # the unit as scores.json has it
    tier: str | None = None
    coefficient: Decimal | None = None
    recorded_tier: str | None = None
    rank: int | None = None
    tied: bool = False
    veto_tier: str = "不合格"
    has_tiers: bool = True

    @property
    def scored(self) -> bool:
        return self.status == STATUS_SCORED

    @property
    def blank(self) -> bool:
        """A workbook returned with nothing filled in (未填写): every input and note empty."""
        u = self.result
        if u.scored or not u.files or not u.criteria:
            return False
        return all(v is None for row in u.criteria for v in row.found.values()) and not any(r.note for r in u.criteria)

    @property
    def passed(self) -> bool | None:
        """合格 (None for units not finished)."""
        if not self.scored:
            return None
        if self.vetoed:
            return False
        if self.result.passed is not None:  # the engine's verdict (rules.unit_passes)
            return self.result.passed
        if self.has_tiers:
            return self.tier is None or self.tier != self.veto_tier
        return not self.failed_thresholds

    @property
    def rank_text(self) -> str:
        if self.rank is None:
            return ""
        return f"{self.rank}({TIE_LABEL})" if self.tied else str(self.rank)

    def points(self, column_id: str) -> Decimal | None:
        return self.parts.get(column_id)


@dataclass(frozen=True)
class Stat:
    """mean / median / max / min of one column over the assessed units of a group."""

    column: Column
    n: int
    mean: Decimal | None
    median: Decimal | None
    max: Decimal | None
    min: Decimal | None
    max_units: tuple[str, ...] = ()
    min_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupRanking:
    group: str
    variant: str
    variant_title: str
    max: Decimal | None
    columns: tuple[Column, ...]
    ranked: tuple[Entry, ...]
    vetoed: tuple[Entry, ...]
    pending: tuple[Entry, ...]
    tier_counts: tuple[tuple[str, int], ...]
    assessed: int
    passed: int
    pass_rate: Decimal | None
    stats: tuple[Stat, ...]
    total_stat: Stat

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self.ranked + self.vetoed + self.pending

    @property
    def count(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class LossUnit:
    unit: str
    group: str
    lost: Decimal
    targets: tuple[str, ...]  # websites / accounts the finding is on ("" for the unit)


@dataclass(frozen=True)
class Loss:
    """One criterion that cost points, across units."""

    variant: str
    criterion: str
    part: str
    part_title: str
    indicator_titles: tuple[str, ...]
    title: str
    text: str
    units: tuple[LossUnit, ...]
    lost: Decimal
    vetoes: int

    @property
    def count(self) -> int:
        return len(self.units)

    @property
    def label(self) -> str:
        """“网站建设—日常更新” (the criterion title appended when it adds something)."""
        names = list(self.indicator_titles)
        if self.title and (not names or self.title != names[-1]):
            names.append(self.title)
        return "—".join(n for n in names if n) or self.criterion

    @property
    def unit_names(self) -> tuple[str, ...]:
        return tuple(u.unit for u in self.units)


@dataclass(frozen=True)
class Mismatch:
    unit: str
    recorded: str
    computed: str


@dataclass(frozen=True)
class Ranking:
    groups: tuple[GroupRanking, ...]
    defines_pass: bool  # the rubric defines 合格 (see :func:`defines_pass`): 合格率 is printed
    tiers: tuple[Tier, ...]
    veto_tier: str
    veto_label: str
    tier_counts: tuple[tuple[str, int], ...]
    units: int
    assessed: int
    passed: int
    pass_rate: Decimal | None
    vetoed: tuple[Entry, ...]
    pending: tuple[Entry, ...]
    losses: tuple[Loss, ...]
    mismatches: tuple[Mismatch, ...]

    @property
    def has_tiers(self) -> bool:
        return bool(self.tiers)

    def group(self, name: str) -> GroupRanking:
        for g in self.groups:
            if g.group == name:
                return g
        raise KeyError(name)

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(e for g in self.groups for e in g.entries)


def median(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    s, mid = sorted(values), len(values) // 2
    return round2(s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2)


def mean(values: Sequence[Decimal]) -> Decimal | None:
    return round2(sum(values, ZERO) / len(values)) if values else None


def _stat(column: Column, values_of: Sequence[tuple[str, Decimal | None]]) -> Stat:
    """``values_of``: (unit, value) of the assessed units, roster order."""
    pairs = [(u, v) for u, v in values_of if v is not None]
    values = [v for _, v in pairs]
    if not values:
        return Stat(column, 0, None, None, None, None)
    hi, lo = max(values), min(values)
    top, bottom = (tuple(u for u, v in pairs if v == x) for x in (hi, lo))
    return Stat(column, len(values), mean(values), median(values), hi, lo, top, bottom)


def _failed_thresholds(unit: UnitResult) -> tuple[str, ...]:
    """Parts (and websites) below their pass threshold, as 中文 labels."""
    out: list[str] = []
    flat: dict[str, PartResult] = {p.id: p for p in unit.all_parts()}
    for key, verdict in sorted(unit.thresholds):
        if verdict != "不合格":
            continue
        pid, _, target = key.partition("/")
        part = flat.get(pid)
        title = part.title if part is not None and part.title else pid
        targets = part.targets if part is not None else ()
        if target:
            name = next((t.name for t in targets if t.target == target), target)
            out.append(f"{title}“{name}”")
        elif not targets:
            out.append(title)
        elif len(targets) > 1:
            out.append(f"{title}平均分")
    return tuple(out)


def defines_pass(doc: Scores) -> bool:
    """Whether the rubric defines 合格, as ``scores.json`` carries it: a failing tier (the veto
    tier is one of the tiers: 绵阳's 不合格) or a pass line of a part (``thresholds`` recorded
    for the units).  Tiers that are all passing grades, or a bare veto label (荆州's 否决),
    define none: such a notice prints no 合格率."""
    if any(t.label == doc.veto_tier for t in doc.tiers):
        return True
    return any(u.thresholds or u.passed is not None for u in doc.units)


def entry(unit: UnitResult, index: int, veto_tier: str, has_tiers: bool) -> Entry:
    return Entry(
        index=index,
        unit=unit.unit,
        unit_id=unit.unit_id,
        group=unit.group,
        variant=unit.variant,
        status=unit.status,
        total=unit.total,
        max=unit.max,
        parts={p.id: p.points for p in unit.all_parts()},
        vetoed=unit.vetoed,
        veto_reasons=tuple(
            dict.fromkeys(f"{v.target_name}:{v.reason}" if v.target_name else v.reason for v in unit.vetoes)
        ),
        bonus_counted=unit.bonus_counted,
        penalties=unit.penalties,
        failed_thresholds=_failed_thresholds(unit),
        result=unit,
        recorded_tier=unit.tier,
        veto_tier=veto_tier,
        has_tiers=has_tiers,
    )


def group_order(doc: Scores, preferred: Sequence[str] = ()) -> list[str]:
    """``preferred`` (zwgk.toml group_order) first, then the document's groups, then any other."""
    return list(dict.fromkeys(g for g in [*preferred, *doc.groups, *(u.group for u in doc.units)] if g))


def _rank_group(group: str, entries: Sequence[Entry], doc: Scores, pass_defined: bool) -> GroupRanking:
    variant = next((e.variant for e in entries if e.variant), "")
    info = doc.variants.get(variant)
    variant_max = info.max if info is not None else None
    columns = doc.columns_of(variant)
    done: list[Entry] = []
    for e in entries:
        if e.scored and e.total is not None:
            t = tier_for(doc.tiers, doc.veto_tier, e.total, e.vetoed)
            done.append(replace(e, tier=t.label if t else None, coefficient=t.coefficient if t else None))
    vetoed = tuple(e for e in done if e.vetoed)
    clean = sorted((e for e in done if not e.vetoed), key=lambda e: (-(e.total or ZERO), e.index))
    ranks = competition_ranks([e.total or ZERO for e in clean])
    ranked = tuple(replace(e, rank=r, tied=tied) for e, (r, tied) in zip(clean, ranks, strict=True))
    pending = tuple(e for e in entries if not (e.scored and e.total is not None))
    assessed = [*ranked, *vetoed]
    passed = sum(1 for e in assessed if e.passed)
    counts = Counter({t.label: 0 for t in doc.tiers})  # the tiers in order, even those nobody got
    counts.update(e.tier for e in assessed if e.tier is not None)
    assessed_by_index = sorted(assessed, key=lambda e: e.index)
    stats = tuple(_stat(c, [(e.unit, e.points(c.id)) for e in assessed_by_index]) for c in columns)
    total_col = Column("total", "总分", variant_max, "total", 0)
    return GroupRanking(
        group=group,
        variant=variant,
        variant_title=info.title if info is not None else variant,
        max=variant_max,
        columns=columns,
        ranked=ranked,
        vetoed=vetoed,
        pending=pending,
        tier_counts=tuple(counts.items()),
        assessed=len(assessed),
        passed=passed,
        pass_rate=percent(passed, len(assessed)) if pass_defined else None,
        stats=stats,
        total_stat=_stat(total_col, [(e.unit, e.total) for e in assessed_by_index]),
    )


@dataclass
class _LossAcc:
    """A criterion's losses being summed up over units (see :func:`losses`)."""

    first: CriterionRow  # the first row seen: its titles and texts
    units: dict[str, tuple[str, list[Decimal], list[str]]] = field(default_factory=dict)  # unit → group, lost, targets
    vetoes: int = 0


def losses(doc: Scores, units: Iterable[UnitResult]) -> tuple[Loss, ...]:
    """Criteria that cost points, across units: most points lost first, then most units.

    A criterion counts for a unit when it lost points there (分值 − 得分 > 0 for scored and
    award items, the points for a penalty item) or when one of its vetoes fired.  Bonus
    items never count (not earning a bonus is no deduction).  A unit with several websites
    counts once; its lost points are summed over its websites.
    """
    acc: dict[tuple[str, str], _LossAcc] = {}
    part_titles = {(variant, c.id): c.title for variant, cols in doc.columns.items() for c in cols}
    for u in units:
        for row in u.criteria:
            if not row.is_finding:
                continue
            lost = row.lost or ZERO
            item = acc.setdefault((u.variant, row.criterion), _LossAcc(row))
            _, lost_parts, targets = item.units.setdefault(u.unit, (u.group, [], []))
            lost_parts.append(lost)
            if row.target_name:
                targets.append(row.target_name)
            item.vetoes += len(row.vetoes)
    out: list[Loss] = []
    for (variant, crit), item in acc.items():
        row = item.first
        units_ = tuple(
            LossUnit(name, group, round2(sum(lost, ZERO)), tuple(targets))
            for name, (group, lost, targets) in item.units.items()
        )
        out.append(
            Loss(
                variant=variant,
                criterion=crit,
                part=row.part,
                part_title=part_titles.get((variant, row.part), ""),
                indicator_titles=row.indicator_titles,
                title=row.title,
                text=row.text,
                units=units_,
                lost=round2(sum((x.lost for x in units_), ZERO)),
                vetoes=item.vetoes,
            )
        )
    out.sort(key=lambda x: (-x.lost, -x.count, x.variant, x.criterion))
    return tuple(out)


def rank(doc: Scores, preferred_order: Sequence[str] = ()) -> Ranking:
    """Rank every group of a ``scores.json`` document."""
    entries = [entry(u, i, doc.veto_tier, bool(doc.tiers)) for i, u in enumerate(doc.units)]
    pass_defined = defines_pass(doc)
    groups: list[GroupRanking] = []
    for name in group_order(doc, preferred_order):
        members = [e for e in entries if e.group == name]
        if members:
            groups.append(_rank_group(name, members, doc, pass_defined))
    assessed = sum(g.assessed for g in groups)
    passed = sum(g.passed for g in groups)
    counts = Counter({t.label: 0 for t in doc.tiers})
    for g in groups:
        counts.update(dict(g.tier_counts))
    mismatches = tuple(
        Mismatch(e.unit, str(e.recorded_tier), str(e.tier))
        for g in groups
        for e in (*g.ranked, *g.vetoed)
        if e.recorded_tier is not None and e.tier is not None and e.recorded_tier != e.tier
    )
    return Ranking(
        groups=tuple(groups),
        defines_pass=pass_defined,
        tiers=doc.tiers,
        veto_tier=doc.veto_tier,
        veto_label=doc.veto_label,
        tier_counts=tuple(counts.items()),
        units=len(doc.units),
        assessed=assessed,
        passed=passed,
        pass_rate=percent(passed, assessed) if pass_defined else None,
        vetoed=tuple(sorted((e for g in groups for e in g.vetoed), key=lambda e: e.index)),
        pending=tuple(sorted((e for g in groups for e in g.pending), key=lambda e: e.index)),
        losses=losses(doc, [u for u in doc.units if u.scored]),
        mismatches=mismatches,
    )


def round_diff(results_dir: Path, first: int | None, second: int | None) -> RoundDiff:
    """Two rounds of ``results_dir`` compared, with the report's ranks (并列); raises
    :class:`zwgk_cli.results.rounds.RoundError` when they cannot be read."""
    a, b = pick(rounds.numbers(results_dir), first, second)
    old, new = load_round(results_dir, a), load_round(results_dir, b)
    return compare(
        old,
        new,
        {e.unit_id: e.rank_text for e in rank(old.scores).entries},
        {e.unit_id: e.rank_text for e in rank(new.scores).entries},
    )
