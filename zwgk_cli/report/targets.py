"""Targets assessed in their own right (政府网站, 政务新媒体): each kind ranked, counted and tabled
by the units' rules (docs/report.md): ranks recomputed from the points; a vetoed target is
listed after the ranked ones without a rank; a target whose unit's scoring is unfinished is
named apart, never ranked as zero; 合格率 only where the rubric defines 合格 for the kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from zwgk_cli.model import ZERO
from zwgk_cli.problems import Code, Problem, problem
from zwgk_cli.report.docx import Table
from zwgk_cli.report.ranking import fmt_percent, mean, median, percent
from zwgk_cli.report.text import join_names, pts, zh
from zwgk_cli.results.model import Scores, TargetKindInfo, TargetResult
from zwgk_cli.results.targets import competition_ranks


def name_header(title: str) -> str:
    """The name column of a kind's table: 网站名称, 账号名称, else 〈kind〉名称."""
    if "网站" in title:
        return "网站名称"
    if "新媒体" in title or "账号" in title:
        return "账号名称"
    return f"{title}名称"


@dataclass(frozen=True)
class KindRanking:
    kind: TargetKindInfo
    ranked: tuple[TargetResult, ...]  # with ranks recomputed from the totals
    vetoed: tuple[TargetResult, ...]
    pending: tuple[TargetResult, ...]

    @property
    def assessed(self) -> tuple[TargetResult, ...]:
        return self.ranked + self.vetoed

    @property
    def count(self) -> int:
        return len(self.ranked) + len(self.vetoed) + len(self.pending)

    @property
    def passed(self) -> int:
        return sum(1 for t in self.assessed if t.passed)

    @property
    def pass_rate(self) -> Decimal | None:
        return percent(self.passed, len(self.assessed)) if self.kind.verdict else None

    def verdict(self, t: TargetResult) -> str:
        if not self.kind.verdict or t.passed is None or not t.assessed:
            return ""
        return "合格" if t.passed else self.kind.fail_label


def rank_kinds(doc: Scores) -> tuple[KindRanking, ...]:
    """Every assessed kind of the document, its targets ranked."""
    out = []
    for kind in doc.target_kinds:
        mine = [t for t in doc.targets if t.kind == kind.id]
        order = {t.target: i for i, t in enumerate(mine)}
        clean = sorted(
            (t for t in mine if t.assessed and not t.vetoed),
            key=lambda t: (-(t.points or ZERO), order[t.target]),
        )
        ranks = competition_ranks([t.points or ZERO for t in clean])
        ranked = tuple(replace(t, rank=r, tied=tied) for t, (r, tied) in zip(clean, ranks, strict=True))
        vetoed = tuple(replace(t, rank=None, tied=False) for t in mine if t.assessed and t.vetoed)
        pending = tuple(replace(t, rank=None, tied=False) for t in mine if not t.assessed)
        out.append(KindRanking(kind, ranked, vetoed, pending))
    return tuple(out)


def kind_table(k: KindRanking) -> Table:
    """排名 | 网站名称 | 主办单位 | 得分 | 结论: the ranked targets, then the vetoed ones (no rank)."""
    headers = ["排名", name_header(k.kind.title), "主办单位", "得分"]
    if k.kind.verdict:
        headers.append("结论")
    rows, classes = [], []
    for t in (*k.ranked, *k.vetoed):
        row = [str(t.rank) if t.rank is not None else "—", t.name, t.unit, pts(t.points)]
        if k.kind.verdict:
            row.append(k.verdict(t))
        rows.append(tuple(row))
        classes.append("vetoed" if t.vetoed else ("fail" if t.passed is False else ""))
    align = "cnnc" + "c" * (len(headers) - 4)
    return Table(tuple(headers), tuple(rows), align, tuple(classes), empty=f"没有完成评分的{k.kind.title}。")


def overview_table(kinds: Sequence[KindRanking]) -> Table:
    """Per kind: 检查数, 完成评分, 合格, 不合格, 合格率, 评分未完成."""
    verdict = any(k.kind.verdict for k in kinds)
    headers = ["类别", "检查数", "完成评分"]
    if verdict:
        headers += ["合格", "不合格", "合格率"]
    headers.append("评分未完成")
    rows = []
    for k in kinds:
        row = [k.kind.title, str(k.count), str(len(k.assessed))]
        if verdict:
            if k.kind.verdict:
                row += [str(k.passed), str(len(k.assessed) - k.passed), fmt_percent(k.pass_rate)]
            else:
                row += ["—", "—", "—"]
        row.append(str(len(k.pending)))
        rows.append(tuple(row))
    return Table(tuple(headers), tuple(rows), "l" + "c" * (len(headers) - 1))


def ties(ranked: Sequence[tuple[int | None, bool, str, Decimal | None]], key: str) -> list[dict[str, str]]:
    """Each shared rank of (rank, tied, name, points), best first: its rank, names (``key``) and points."""
    shared = sorted({r for r, tied, _, _ in ranked if tied and r is not None})
    return [
        {
            "rank": str(r),
            key: join_names([name for x, _, name, _ in ranked if x == r]),
            "total": pts(next(p for x, _, _, p in ranked if x == r)),
        }
        for r in shared
    ]


def _kind_context(i: int, k: KindRanking) -> dict[str, Any]:
    values = [t.points for t in k.assessed if t.points is not None]
    top, bottom = max(values, default=None), min(values, default=None)
    maxima = sorted({m for m in k.kind.max.values() if m is not None})
    return {
        "title": k.kind.title,
        "name_header": name_header(k.kind.title),
        "table": f"targets-{i}",
        "max": "、".join(pts(m) for m in maxima),
        "threshold": pts(k.kind.threshold) if k.kind.threshold is not None else "",
        "fail_label": k.kind.fail_label,
        "verdict": k.kind.verdict,
        "count": k.count,
        "assessed": len(k.assessed),
        "ranked": len(k.ranked),
        "vetoed": len(k.vetoed),
        "pending": len(k.pending),
        "passed": k.passed,
        "failed": len(k.assessed) - k.passed,
        "pass_rate": fmt_percent(k.pass_rate),
        "mean": pts(mean(values)),
        "median": pts(median(values)),
        "top": pts(top),
        "top_names": join_names([t.name for t in k.assessed if t.points == top]),
        "bottom": pts(bottom),
        "bottom_names": join_names([t.name for t in k.assessed if t.points == bottom]),
        "ties": ties([(t.rank, t.tied, t.name, t.points) for t in k.ranked], "names"),
        "vetoed_list": [{"name": t.name, "unit": t.unit, "reasons": zh(";".join(t.reasons))} for t in k.vetoed],
        "below": [
            {"name": t.name, "unit": t.unit, "points": pts(t.points), "parts": zh("、".join(t.below))}
            for t in k.ranked
            if t.passed is False
        ],
        "pending_names": join_names([f"{t.name}（{t.unit}）" for t in k.pending]),
        "pending_short": join_names([f"{t.name}（{t.unit}）" for t in k.pending], 10, "个"),
    }


def unit_text(kinds: Sequence[KindRanking], unit_id: str) -> str:
    """What a unit's targets got, for its 整改清单 and its heading in the notice's attachment:
    “政府网站:甲县人民政府网14分(第2名,合格)、…”."""
    bits = []
    for k in kinds:
        mine = [t for t in (*k.ranked, *k.vetoed, *k.pending) if t.unit_id == unit_id]
        if not mine:
            continue
        items = []
        for t in mine:
            if not t.assessed:
                items.append(f"{t.name}(评分未完成)")
                continue
            words = []
            if t.rank is not None:
                words.append(("并列" if t.tied else "") + f"第{t.rank}名")
            elif t.vetoed:
                words.append("触发单项否决")
            if k.verdict(t):
                words.append(k.verdict(t))
            items.append(f"{t.name}{pts(t.points)}分" + (f"({','.join(words)})" if words else ""))
        bits.append(f"{k.kind.title}:" + "、".join(items))
    return zh(";".join(bits))


def targets_context(doc: Scores) -> tuple[dict[str, Any], dict[str, Table]]:
    """The notice's context of the assessed kinds (empty lists for a rubric without any) and
    their tables (``targets-1`` …, ``targets-overview``)."""
    kinds = rank_kinds(doc)
    tables: dict[str, Table] = {}
    ctx: list[dict[str, Any]] = []
    for i, k in enumerate(kinds, start=1):
        tables[f"targets-{i}"] = kind_table(k)
        ctx.append(_kind_context(i, k))
    if kinds:
        tables["targets-overview"] = overview_table(kinds)
    units = {u.unit_id for u in doc.units}
    context = {
        "rank_units": doc.rank_units or not kinds,
        "target_kinds": ctx,
        "target_kinds_text": "、".join(f"{k.kind.title}{k.count}个" for k in kinds),
        "targets_failed": "、".join(k.kind.title for k in kinds if len(k.assessed) > k.passed and k.kind.verdict),
        "unit_targets": {uid: unit_text(kinds, uid) for uid in sorted(units)} if kinds else {},
    }
    return context, tables


def target_problems(doc: Scores) -> list[Problem]:
    """Targets not ranked because their unit's scoring is unfinished (P015); a kind with no
    target at all (P016)."""
    out: list[Problem] = []
    for k in rank_kinds(doc):
        if not k.count:
            out.append(problem(Code.P_NO_TARGETS, kind=k.kind.title))
        elif k.pending:
            names = join_names([f"{t.name}({t.unit})" for t in k.pending], 10, "个")
            out.append(problem(Code.P_TARGETS_PENDING, count=len(k.pending), kind=k.kind.title, targets=names))
    return out
