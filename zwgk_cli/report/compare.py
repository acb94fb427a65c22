"""``zwgk report --compare PATH``: this year's results beside last year's.

Last year's ``scores.json`` is read with this year's checks (:func:`load_previous`, a located
P011) and ranked by the same rules.  Units are matched (:func:`match`) by 编号, else by name or
roster alias, one to one; a name that fits several units matches none (P014).  Rubrics change
between years, so totals compare as 得分率 (总分 ÷ 满分, percent, half-up to two decimals; the
change is in 个百分点), tiers by their labels, and a part only when its id, title and maximum
are the same in both years.  A few hundred units at most: plain Python on the exact Decimals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from zwgk_cli.model import ZERO, round2
from zwgk_cli.problems import Code, Problem, problem
from zwgk_cli.report.docx import Table
from zwgk_cli.report.ranking import Entry, Ranking, mean, rank
from zwgk_cli.report.text import join_names, pts, short_title, zh
from zwgk_cli.results import model as results_model
from zwgk_cli.results.model import Column, Scores

HOW_ID, HOW_NAME, HOW_ALIAS = "编号", "名称", "别名"


class CompareError(Exception):
    """Last year's results cannot be used: one located problem (P011, P012)."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.message)
        self.problem = found


def previous_file(path: Path) -> Path:
    """The scores file ``--compare`` names: the file itself, or in a folder its
    ``results/scores.json`` (a campaign folder) or its ``scores.json`` (a results folder)."""
    if not path.is_dir():
        return path
    for candidate in (path / "results" / "scores.json", path / "scores.json"):
        if candidate.is_file():
            return candidate
    detail = f"{path} 是一个目录,其中没有 results/scores.json(也没有 scores.json)"
    raise CompareError(problem(Code.P_PREVIOUS, file=str(path), detail=detail))


def load_previous(path: Path) -> Scores:
    """Last year's scores document, or :class:`CompareError` with a located P011."""
    file = previous_file(path)
    try:
        return results_model.load(file)
    except results_model.ScoresError as exc:
        raise CompareError(problem(Code.P_PREVIOUS, file=str(file), detail=str(exc))) from None


@dataclass(frozen=True)
class Previous:
    """What ``--compare`` brings: last year's document, the file it came from (for messages
    only: no path is printed in an output), and this year's roster aliases (unit id → names)."""

    doc: Scores
    source: str
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Pair:
    now: Entry | None  # this year's unit (None: gone)
    then: Entry | None  # last year's unit (None: new)
    how: str = ""  # 编号 | 名称 | 别名


def match(
    now: Sequence[Entry], then: Sequence[Entry], aliases: Mapping[str, Sequence[str]]
) -> tuple[list[Pair], list[Problem]]:
    """This year's and last year's units paired: by 编号, else by name or alias, one to one.

    Returns a pair for every unit of either year (``then`` None: new; ``now`` None: gone), in
    this year's order then last year's, and a P014 for each name that fits several units."""
    pairs: dict[str, Pair] = {}  # this year's unit id → its pair
    then_ids = {e.unit_id: e for e in then}
    matched_then: set[str] = set()
    for e in now:
        old = then_ids.get(e.unit_id)
        if old is not None:
            pairs[e.unit_id] = Pair(e, old, HOW_ID)
            matched_then.add(old.unit_id)
    # Names (and aliases) of this year's units still free; a name may fit several units.
    by_name: dict[str, list[tuple[Entry, str]]] = {}
    for e in now:
        if e.unit_id in pairs:
            continue
        by_name.setdefault(e.unit, []).append((e, HOW_NAME))
        for a in aliases.get(e.unit_id, ()):
            if a != e.unit:
                by_name.setdefault(a, []).append((e, HOW_ALIAS))
    problems: list[Problem] = []
    claims: dict[str, tuple[Entry, list[tuple[Entry, str]]]] = {}  # this year's id → it, last year's claiming it
    for old in then:
        if old.unit_id in matched_then:
            continue
        fits = {e.unit_id: (e, how) for e, how in by_name.get(old.unit, [])}
        if len(fits) > 1:
            names = join_names([e.unit for e, _ in fits.values()])
            problems.append(problem(Code.P_PREVIOUS_AMBIGUOUS, unit=old.unit, candidates=names))
        elif fits:
            ((e, how),) = fits.values()
            claims.setdefault(e.unit_id, (e, []))[1].append((old, how))
    for e, olds in claims.values():
        if len(olds) == 1:
            old, how = olds[0]
            pairs[e.unit_id] = Pair(e, old, how)
            matched_then.add(old.unit_id)
        else:
            problems += [problem(Code.P_PREVIOUS_AMBIGUOUS, unit=old.unit, candidates=e.unit) for old, _ in olds]
    out = [pairs.get(e.unit_id, Pair(e, None)) for e in now]
    out += [Pair(None, old) for old in then if old.unit_id not in matched_then]
    return out, problems


def share(e: Entry | None) -> Decimal | None:
    """得分率: total ÷ maximum in percent, rounded half-up to 2 decimals (assessed units only)."""
    if e is None or not e.scored or e.total is None or not e.max:
        return None
    return round2(e.total * 100 / e.max)


def fmt_share(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def fmt_change(value: Decimal | None) -> str:
    """+2.50 / −1.25 / 0.00 (个百分点)."""
    return "—" if value is None else f"+{value:.2f}" if value > 0 else f"{value:.2f}"


@dataclass(frozen=True)
class Change:
    """One unit in both years (or one of them), ready to print."""

    pair: Pair
    share: Decimal | None
    prev_share: Decimal | None
    change: Decimal | None  # percentage points: the difference of the two printed shares
    tier_move: str  # 上升 | 下降 | 持平 | "" (tiers not comparable)
    rank_move: int | None  # last year's rank − this year's (positive: moved up), same group only

    @property
    def unit(self) -> str:
        e = self.pair.now or self.pair.then
        assert e is not None
        return e.unit


def _rank_text(e: Entry | None, veto_label: str) -> str:
    if e is None:
        return ""
    if e.vetoed and e.scored:
        return veto_label
    if not e.scored:
        return "未完成"
    return str(e.rank) if e.rank is not None else ""  # ties share the rank, as in the ranking tables


def _tier_move(now: Entry | None, then: Entry | None, order: Sequence[str] | None) -> str:
    if not order or now is None or then is None or not now.scored or not then.scored:
        return ""
    if now.tier not in order or then.tier not in order:
        return ""
    a, b = order.index(now.tier), order.index(then.tier)
    return "持平" if a == b else ("上升" if a < b else "下降")


@dataclass
class Comparison:
    year: str
    prev_year: str
    changes: list[Change]
    problems: list[Problem]
    tiers_comparable: bool
    now: Ranking
    then: Ranking
    columns: dict[str, tuple[list[Column], list[Column]]]  # this year's group → (compared, not)

    def of_group(self, group: str) -> list[Change]:
        return [c for c in self.changes if c.pair.now is not None and c.pair.now.group == group]

    @property
    def gone(self) -> list[Change]:
        return [c for c in self.changes if c.pair.now is None]

    @property
    def new(self) -> list[Change]:
        return [c for c in self.changes if c.pair.then is None]


def compare(doc: Scores, now: Ranking, previous: Previous) -> Comparison:
    """This year's ranking beside last year's; P012 (:class:`CompareError`) when no unit matches."""
    prev = previous.doc
    then = rank(prev)
    now_entries = list(now.entries)
    then_entries = sorted(then.entries, key=lambda e: e.index)
    pairs, problems = match(now_entries, then_entries, previous.aliases)
    if now_entries and then_entries and all(p.now is None or p.then is None for p in pairs):
        raise CompareError(problem(Code.P_PREVIOUS_FOREIGN, file=previous.source))
    year, prev_year = doc.campaign.get("year", ""), prev.campaign.get("year", "")
    if year.isdigit() and prev_year.isdigit() and int(prev_year) >= int(year):
        problems.append(problem(Code.P_PREVIOUS_YEAR, file=previous.source, previous=prev_year, current=year))
    labels_now = [t.label for t in now.tiers]
    tiers_comparable = bool(labels_now) and labels_now == [t.label for t in then.tiers]
    changes = []
    for p in pairs:
        s_now, s_then = share(p.now), share(p.then)
        change = s_now - s_then if s_now is not None and s_then is not None else None
        rank_move = None
        if p.now is not None and p.then is not None and p.now.group == p.then.group:
            rank_move = None if p.now.rank is None or p.then.rank is None else p.then.rank - p.now.rank
        move = _tier_move(p.now, p.then, labels_now if tiers_comparable else None)
        changes.append(Change(p, s_now, s_then, change, move, rank_move))
    columns: dict[str, tuple[list[Column], list[Column]]] = {}
    for g in now.groups:
        # parts compared: those whose id, title and maximum are the same last year
        old = next((p.then.variant for p in pairs if p.now and p.then and p.now.group == g.group), None)
        same = {(c.id, c.title, c.max) for c in (prev.columns_of(old) if old is not None else ())}
        kept = [c for c in g.columns if (c.id, c.title, c.max) in same]
        columns[g.group] = (kept, [c for c in g.columns if c not in kept])
    return Comparison(year, prev_year, changes, problems, tiers_comparable, now, then, columns)


def group_table(cmp: Comparison, group: str) -> Table:
    """排名 | 单位 | 得分率 | 等次 | 上年排名 | 上年总分 | 上年得分率 | 上年等次 | 得分率变化."""
    tiers = cmp.now.has_tiers
    # This year's totals are in the ranking table above: the shares are what compares.
    headers = ["排名", "单位", "得分率", *(["等次"] if tiers else [])]
    prev_tier = ["上年等次"] if cmp.then.has_tiers else []
    headers += ["上年排名", "上年总分", "上年得分率", *prev_tier, "得分率变化（个百分点）"]
    rows = []
    for c in cmp.of_group(group):
        e, old = c.pair.now, c.pair.then
        assert e is not None
        row = [_rank_text(e, cmp.now.veto_label), e.unit, fmt_share(c.share)]
        if tiers:
            row.append((e.tier or "") if e.scored else "—")
        if old is None:
            row += ["新增", "—", "—", *(["—"] if cmp.then.has_tiers else []), "—"]
        else:
            prev_rank = _rank_text(old, cmp.then.veto_label)
            if old.group != e.group and old.rank is not None:
                prev_rank += f"（{old.group}）"
            row += [prev_rank, pts(old.total) if old.scored else "—", fmt_share(c.prev_share)]
            if cmp.then.has_tiers:
                row.append((old.tier or "") if old.scored else "—")
            row.append(fmt_change(c.change))
        rows.append(tuple(zh(x) for x in row))
    return Table(tuple(headers), tuple(rows), "cn" + "c" * (len(headers) - 2), empty="本组没有可比较的单位。")


def parts_table(cmp: Comparison, group: str) -> Table | None:
    """Mean points of the comparable parts, this year and last, over the units of the group
    assessed in both years; None when no part is comparable."""
    same, _ = cmp.columns[group]
    both = [c for c in cmp.of_group(group) if c.change is not None]
    if not same or not both:
        return None
    rows = []
    for col in same:
        now = [v for c in both if c.pair.now is not None and (v := c.pair.now.points(col.id)) is not None]
        then = [v for c in both if c.pair.then is not None and (v := c.pair.then.points(col.id)) is not None]
        m_now, m_then = mean(now), mean(then)
        diff = m_now - m_then if m_now is not None and m_then is not None else None
        change = "—" if diff is None else ("+" if diff > 0 else "") + pts(diff)  # +0.2 / -1.5 / 0
        title = ("其中：" if col.depth else "") + short_title(col.title)
        rows.append((zh(title), pts(col.max) if col.kind != "penalty" else "扣分", pts(m_now), pts(m_then), change))
    return Table(("项目", "分值", "本年平均分", "上年平均分", "变化（分）"), tuple(rows), "lcccc")


def context(cmp: Comparison, tables: dict[str, Table]) -> dict[str, Any]:
    """The ``compare`` variable of the templates; registers its tables in ``tables``."""
    groups = []
    for i, g in enumerate(cmp.now.groups, start=1):
        tables[f"compare-{i}"] = group_table(cmp, g.group)
        pt = parts_table(cmp, g.group)
        if pt is not None:
            tables[f"compare-parts-{i}"] = pt
        both = [c for c in cmp.of_group(g.group) if c.change is not None]
        m_now = mean([c.share for c in both if c.share is not None])
        m_then = mean([c.prev_share for c in both if c.prev_share is not None])
        _, changed = cmp.columns[g.group]
        groups.append(
            {
                "name": g.group,
                "table": f"compare-{i}",
                "parts_table": f"compare-parts-{i}" if pt is not None else "",
                "both": len(both),
                "mean": fmt_share(m_now),
                "prev_mean": fmt_share(m_then),
                "change": fmt_change(m_now - m_then if m_now is not None and m_then is not None else None),
                "not_compared": "、".join(short_title(c.title) for c in changed if c.depth == 0),
            }
        )
    both = [c for c in cmp.changes if c.change is not None]  # assessed in both years
    renamed = [
        (c.pair.now, c.pair.then)
        for c in cmp.changes
        if c.pair.now is not None and c.pair.then is not None and c.pair.now.unit != c.pair.then.unit
    ]
    return {
        "year": cmp.year,
        "prev_year": cmp.prev_year,
        "both": len(both),
        "up": sum(1 for c in both if c.change is not None and c.change > ZERO),
        "down": sum(1 for c in both if c.change is not None and c.change < ZERO),
        "flat": sum(1 for c in both if c.change == ZERO),
        "tiers_comparable": cmp.tiers_comparable,
        "tier_up": sum(1 for c in cmp.changes if c.tier_move == "上升"),
        "tier_down": sum(1 for c in cmp.changes if c.tier_move == "下降"),
        "new": join_names([c.unit for c in cmp.new]),
        "new_count": len(cmp.new),
        "gone": join_names([c.unit for c in cmp.gone]),
        "gone_count": len(cmp.gone),
        "renamed": "、".join(f"{n.unit}（上年为{t.unit}）" for n, t in renamed),
        "groups": groups,
    }


Cell = str | int | Decimal | None
SHARE_HEADERS = ("本年得分率", "上年得分率")
CHANGE_HEADER = "得分率变化（个百分点）"


def _rank_cell(e: Entry | None, veto_label: str) -> Cell:
    if e is None:
        return None
    return e.rank if e.rank is not None else _rank_text(e, veto_label)


def sheet_blocks(cmp: Comparison) -> list[tuple[str, list[str], list[list[Cell]]]]:
    """The “与上年比较” sheet of 排名.xlsx: per group (title, headers, rows), then the units
    of last year only.  Shares are fractions (formatted as percentages), changes in points."""
    out = []
    base = ["单位", "上年名称", "对应方式", "本年排名", "上年排名", "名次变化", "本年总分", "本年满分", "上年总分"]
    base += ["上年满分", *SHARE_HEADERS, CHANGE_HEADER, "本年等次", "上年等次", "等次变化"]
    for g in cmp.now.groups:
        same, _ = cmp.columns[g.group]
        headers = [*base]
        for col in same:
            title = short_title(col.title)
            headers += [f"{title}（本年）", f"{title}（上年）"]
        headers.append("备注")
        out.append((f"{g.group}与上年比较", headers, [_unit_row(cmp, c, same) for c in cmp.of_group(g.group)]))
    if cmp.gone:
        rows = [_unit_row(cmp, c, []) for c in cmp.gone]
        out.append(("上年参加考评、本年未列入的单位", [*base, "备注"], rows))
    return out


def _unit_row(cmp: Comparison, c: Change, parts: Sequence[Column]) -> list[Cell]:
    e, old = c.pair.now, c.pair.then
    now_scored = e is not None and e.scored
    then_scored = old is not None and old.scored
    row: list[Cell] = [
        c.unit,
        old.unit if old is not None and e is not None and old.unit != e.unit else "",
        c.pair.how,
        _rank_cell(e, cmp.now.veto_label),
        _rank_cell(old, cmp.then.veto_label),
        c.rank_move,
        e.total if now_scored and e is not None else None,
        e.max if e is not None else None,
        old.total if then_scored and old is not None else None,
        old.max if old is not None else None,
        None if c.share is None else c.share / 100,  # the fraction Excel formats with 0.00%
        None if c.prev_share is None else c.prev_share / 100,
        c.change,
        (e.tier or "") if now_scored and e is not None else "",
        (old.tier or "") if then_scored and old is not None else "",
        c.tier_move,
    ]
    for col in parts:
        row.append(e.points(col.id) if now_scored and e is not None and c.change is not None else None)
        row.append(old.points(col.id) if then_scored and old is not None and c.change is not None else None)
    if old is None:
        row.append("本年新增")
    elif e is None:
        row.append(zh(f"本年未列入考评(上年分组:{old.group})"))
    else:
        row.append(zh(f"上年分组:{old.group}") if old.group != e.group else "")
    return row
