"""Pure ranking: a ``scores.json`` document → groups, ranks (并列), tiers, statistics.

Everything here is computed on exact decimals read from the document with
``Decimal(str(x))``; nothing is written and nothing is printed.

Decisions (documented in ``docs/report.md``):

* Units are ranked within their roster group only.  Equal totals (to the cent) share a rank
  and the next rank is skipped: 1, 2, 2, 4 (the tied ranks are marked 并列).  Within a tie,
  units keep the roster order of the scores file.
* Vetoed units (一票否决 / 单项否决) are **listed apart**, as published notices do: they are
  not given a rank; their tier is the rubric's veto tier (绵阳: 不合格); a rubric without
  tiers (荆州) marks them with its veto label (否决).
* Units whose scoring is not finished (status incomplete, invalid or missing) are listed apart
  as 未完成评分 and never ranked as zero; they count neither in 合格率 nor in the statistics.
* A unit is 合格 when it is scored, not vetoed and, where the rubric has tiers, its tier is
  not the veto tier.  合格率 = 合格 units / assessed units (scored, vetoed included).
* Tiers are half-open ranges on the total: the highest tier whose floor the total reaches;
  a tier without a floor takes everything below; any veto → the veto tier.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from zwgk_cli.model import ZERO, fmt_points, round2

STATUS_SCORED = "scored"
GATE_LABEL = "未进入加分环节"
TIE_LABEL = "并列"


def dec(value: Any) -> Decimal | None:
    """A JSON number (≤ 2 decimals) as an exact Decimal; ``None`` stays ``None``."""
    if value is None or isinstance(value, bool):
        return None
    return Decimal(str(value))


def percent(part: int, whole: int) -> Decimal | None:
    """``part / whole`` in percent, rounded half-up to 2 decimals; ``None`` when ``whole`` is 0."""
    if whole == 0:
        return None
    return round2(Decimal(part) * 100 / Decimal(whole))


def fmt_percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{fmt_points(value)}%"


# ------------------------------------------------------------------ data


@dataclass(frozen=True)
class TierDef:
    label: str
    min: Decimal | None
    coefficient: Decimal | None


@dataclass(frozen=True)
class Column:
    """A part (or sub-part) column of a ranking table."""

    id: str
    title: str
    max: Decimal | None
    kind: str  # normal | bonus | penalty
    depth: int

    @property
    def header(self) -> str:
        if self.kind == "penalty":
            return f"{self.title}(扣分)"
        return f"{self.title}({fmt_points(self.max)}分)" if self.max is not None else self.title


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
    tier: str | None = None
    coefficient: Decimal | None = None
    recorded_tier: str | None = None
    rank: int | None = None
    tied: bool = False
    problems: Mapping[str, int] = field(default_factory=dict)
    veto_tier: str = "不合格"
    data: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def scored(self) -> bool:
        return self.status == STATUS_SCORED

    @property
    def passed(self) -> bool | None:
        """合格 (None for units not finished)."""
        if not self.scored:
            return None
        return not self.vetoed and (self.tier is None or self.tier != self.veto_tier)

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
        return len(self.ranked) + len(self.vetoed) + len(self.pending)


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
    tiers: tuple[TierDef, ...]
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


# ------------------------------------------------------------------ tiers


def tier_defs(doc: Mapping[str, Any]) -> tuple[TierDef, ...]:
    return tuple(TierDef(str(t["label"]), dec(t.get("min")), dec(t.get("coefficient"))) for t in doc.get("tiers") or ())


def tier_for(total: Decimal, vetoed: bool, tiers: Sequence[TierDef], veto_tier: str) -> TierDef | None:
    """The tier of a total: any veto → the veto tier; else the highest floor reached (half-open)."""
    if not tiers:
        return None
    if vetoed:
        return next((t for t in tiers if t.label == veto_tier), None)
    floored = sorted((t for t in tiers if t.min is not None), key=lambda t: t.min or ZERO, reverse=True)
    for t in floored:
        assert t.min is not None
        if total >= t.min:
            return t
    return next((t for t in tiers if t.min is None), None)


# ------------------------------------------------------------------ ranks


def competition_ranks(totals: Sequence[Decimal]) -> list[tuple[int, bool]]:
    """Ranks of totals already sorted high to low: ties share a rank, the next is skipped.

    Returns ``(rank, tied)`` for each position: ``[10, 9, 9, 8]`` → 1, 2 并列, 2 并列, 4.
    """
    out: list[tuple[int, bool]] = []
    for i, t in enumerate(totals):
        rank = out[i - 1][0] if i and totals[i - 1] == t else i + 1
        tied = (i > 0 and totals[i - 1] == t) or (i + 1 < len(totals) and totals[i + 1] == t)
        out.append((rank, tied))
    return out


def median(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    s = sorted(values)
    mid = len(s) // 2
    if len(s) % 2:
        return round2(s[mid])
    return round2((s[mid - 1] + s[mid]) / 2)


def mean(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, ZERO) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _stat(column: Column, entries: Sequence[Entry], get: Any) -> Stat:
    pairs = [(e.unit, v) for e in entries if (v := get(e)) is not None]
    values = [v for _, v in pairs]
    if not values:
        return Stat(column, 0, None, None, None, None)
    hi, lo = max(values), min(values)
    return Stat(
        column,
        len(values),
        mean(values),
        median(values),
        hi,
        lo,
        tuple(u for u, v in pairs if v == hi),
        tuple(u for u, v in pairs if v == lo),
    )


# ------------------------------------------------------------------ building


def _flat_parts(parts: Mapping[str, Any]) -> dict[str, Decimal | None]:
    out: dict[str, Decimal | None] = {}
    for pid, p in parts.items():
        out[pid] = dec(p.get("points"))
        out.update(_flat_parts(p.get("parts") or {}))
    return out


def _veto_reasons(unit: Mapping[str, Any]) -> tuple[str, ...]:
    seen: list[str] = []
    for v in unit.get("vetoes") or ():
        name = v.get("target_name") or ""
        text = f"{name}:{v['reason']}" if name else str(v["reason"])
        if text not in seen:
            seen.append(text)
    return tuple(seen)


def _failed_thresholds(unit: Mapping[str, Any]) -> tuple[str, ...]:
    """Parts (and websites) below their pass threshold, as 中文 labels."""
    out: list[str] = []
    parts = unit.get("parts") or {}
    flat: dict[str, Mapping[str, Any]] = {}

    def walk(ps: Mapping[str, Any]) -> None:
        for pid, p in ps.items():
            flat[pid] = p
            walk(p.get("parts") or {})

    walk(parts)
    for key, verdict in sorted((unit.get("thresholds") or {}).items()):
        if verdict != "不合格":
            continue
        pid, _, target = key.partition("/")
        part = flat.get(pid, {})
        if target:
            name = next((t.get("name", target) for t in part.get("targets") or () if t.get("target") == target), target)
            out.append(f"{part.get('title', pid)}“{name}”")
        elif not part.get("targets"):
            out.append(str(part.get("title", pid)))
        elif len(part.get("targets") or ()) > 1:
            out.append(f"{part.get('title', pid)}平均分")
    return tuple(out)


def entry(unit: Mapping[str, Any], index: int, veto_tier: str) -> Entry:
    return Entry(
        index=index,
        unit=str(unit["unit"]),
        unit_id=str(unit.get("unit_id", "")),
        group=str(unit.get("group", "")),
        variant=str(unit.get("variant", "")),
        status=str(unit.get("status", "")),
        total=dec(unit.get("total")),
        max=dec(unit.get("max")),
        parts=_flat_parts(unit.get("parts") or {}),
        vetoed=bool(unit.get("vetoed")),
        veto_reasons=_veto_reasons(unit),
        bonus_counted=unit.get("bonus_counted"),
        penalties=dec(unit.get("penalties")),
        failed_thresholds=_failed_thresholds(unit),
        recorded_tier=unit.get("tier"),
        problems=dict(unit.get("problems") or {}),
        veto_tier=veto_tier,
        data=unit,
    )


def group_order(doc: Mapping[str, Any], preferred: Sequence[str] = ()) -> list[str]:
    """``preferred`` (zwgk.toml group_order) first, then the document's groups, then any other."""
    order: list[str] = []
    for g in [*preferred, *(doc.get("groups") or ()), *(u.get("group", "") for u in doc.get("units") or ())]:
        if g and g not in order:
            order.append(str(g))
    return order


def _columns(doc: Mapping[str, Any], variant: str) -> tuple[Column, ...]:
    cols = (doc.get("columns") or {}).get(variant) or ()
    return tuple(
        Column(str(c["id"]), str(c["title"]), dec(c.get("max")), str(c.get("kind", "normal")), int(c.get("depth", 0)))
        for c in cols
    )


def _rank_group(
    group: str, entries: Sequence[Entry], doc: Mapping[str, Any], tiers: Sequence[TierDef], veto_tier: str
) -> GroupRanking:
    variant = next((e.variant for e in entries if e.variant), "")
    info = (doc.get("variants") or {}).get(variant) or {}
    columns = _columns(doc, variant)
    done: list[Entry] = []
    for e in entries:
        if e.scored and e.total is not None:
            t = tier_for(e.total, e.vetoed, tiers, veto_tier)
            done.append(_with(e, tier=t.label if t else None, coefficient=t.coefficient if t else None))
    vetoed = tuple(e for e in done if e.vetoed)
    clean = sorted((e for e in done if not e.vetoed), key=lambda e: (-(e.total or ZERO), e.index))
    ranks = competition_ranks([e.total or ZERO for e in clean])
    ranked = tuple(_with(e, rank=r, tied=tied) for e, (r, tied) in zip(clean, ranks, strict=True))
    pending = tuple(e for e in entries if not (e.scored and e.total is not None))
    assessed = [*ranked, *vetoed]
    passed = sum(1 for e in assessed if e.passed)
    counts: dict[str, int] = {t.label: 0 for t in tiers}
    for e in assessed:
        if e.tier is not None:
            counts[e.tier] = counts.get(e.tier, 0) + 1
    assessed_by_index = sorted(assessed, key=lambda e: e.index)
    stats = tuple(_stat(c, assessed_by_index, lambda e, cid=c.id: e.points(cid)) for c in columns)
    total_col = Column("total", "总分", dec(info.get("max")), "total", 0)
    return GroupRanking(
        group=group,
        variant=variant,
        variant_title=str(info.get("title", variant)),
        max=dec(info.get("max")),
        columns=columns,
        ranked=ranked,
        vetoed=vetoed,
        pending=pending,
        tier_counts=tuple(counts.items()),
        assessed=len(assessed),
        passed=passed,
        pass_rate=percent(passed, len(assessed)),
        stats=stats,
        total_stat=_stat(total_col, assessed_by_index, lambda e: e.total),
    )


def _with(e: Entry, **changes: Any) -> Entry:
    return replace(e, **changes)


def losses(doc: Mapping[str, Any], units: Iterable[Mapping[str, Any]]) -> tuple[Loss, ...]:
    """Criteria that cost points, across units: most units first, then most points lost.

    A criterion counts for a unit when it lost points there (分值 − 得分 > 0 for scored and
    award items, the points for a penalty item) or when one of its vetoes fired.  Bonus
    items never count (not earning a bonus is no deduction).  A unit with several websites
    counts once; its lost points are summed over its websites.
    """
    acc: dict[tuple[str, str], dict[str, Any]] = {}
    part_titles: dict[tuple[str, str], str] = {}
    for variant, cols in (doc.get("columns") or {}).items():
        for c in cols:
            part_titles[(variant, c["id"])] = c["title"]
    for u in units:
        for row in u.get("criteria") or ():
            lost = dec(row.get("lost")) or ZERO
            vetoes = row.get("vetoes") or []
            if not row.get("applicable", True) or (lost <= 0 and not vetoes):
                continue
            key = (str(u.get("variant", "")), str(row["criterion"]))
            item = acc.setdefault(
                key,
                {
                    "row": row,
                    "units": {},
                    "vetoes": 0,
                },
            )
            per_unit = item["units"].setdefault(u["unit"], {"group": u.get("group", ""), "lost": ZERO, "targets": []})
            per_unit["lost"] += lost
            if row.get("target_name"):
                per_unit["targets"].append(row["target_name"])
            item["vetoes"] += len(vetoes)
    out: list[Loss] = []
    for (variant, crit), item in acc.items():
        row = item["row"]
        units_ = tuple(
            LossUnit(name, str(v["group"]), round2(v["lost"]), tuple(v["targets"])) for name, v in item["units"].items()
        )
        out.append(
            Loss(
                variant=variant,
                criterion=crit,
                part=str(row.get("part", "")),
                part_title=part_titles.get((variant, str(row.get("part", ""))), ""),
                indicator_titles=tuple(row.get("indicator_titles") or ()),
                title=str(row.get("title", "")),
                text=str(row.get("text", "")),
                units=units_,
                lost=round2(sum((x.lost for x in units_), ZERO)),
                vetoes=int(item["vetoes"]),
            )
        )
    out.sort(key=lambda x: (-x.count, -x.lost, x.variant, x.criterion))
    return tuple(out)


def rank(doc: Mapping[str, Any], preferred_order: Sequence[str] = ()) -> Ranking:
    """Rank every group of a ``scores.json`` document."""
    tiers = tier_defs(doc)
    veto_tier = str(doc.get("veto_tier") or "不合格")
    veto_label = str(doc.get("veto_label") or "否决")
    units = list(doc.get("units") or ())
    entries = [entry(u, i, veto_tier) for i, u in enumerate(units)]
    groups: list[GroupRanking] = []
    for name in group_order(doc, preferred_order):
        members = [e for e in entries if e.group == name]
        if members:
            groups.append(_rank_group(name, members, doc, tiers, veto_tier))
    assessed = sum(g.assessed for g in groups)
    passed = sum(g.passed for g in groups)
    counts: dict[str, int] = {t.label: 0 for t in tiers}
    for g in groups:
        for label, n in g.tier_counts:
            counts[label] = counts.get(label, 0) + n
    mismatches = tuple(
        Mismatch(e.unit, str(e.recorded_tier), str(e.tier))
        for g in groups
        for e in (*g.ranked, *g.vetoed)
        if e.recorded_tier is not None and e.tier is not None and e.recorded_tier != e.tier
    )
    scored_units = [u for u in units if u.get("status") == STATUS_SCORED]
    return Ranking(
        groups=tuple(groups),
        tiers=tiers,
        veto_tier=veto_tier,
        veto_label=veto_label,
        tier_counts=tuple(counts.items()),
        units=len(units),
        assessed=assessed,
        passed=passed,
        pass_rate=percent(passed, assessed),
        vetoed=tuple(sorted((e for g in groups for e in g.vetoed), key=lambda e: e.index)),
        pending=tuple(sorted((e for g in groups for e in g.pending), key=lambda e: e.index)),
        losses=losses(doc, scored_units),
        mismatches=mismatches,
    )
