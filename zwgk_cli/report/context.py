"""Scores + ranking → the one context every template and writer uses: the notice's settings
(:class:`NoticeInfo`), its tables and charts, and a page per unit (:class:`UnitPage`, its
整改清单)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from zwgk_cli import __version__
from zwgk_cli.campaign import Campaign
from zwgk_cli.files import unique_file_names
from zwgk_cli.model import ZERO, fmt_points
from zwgk_cli.report.charts import histogram_svg, parts_svg
from zwgk_cli.report.compare import Comparison, Previous, compare
from zwgk_cli.report.compare import context as compare_context
from zwgk_cli.report.docx import Table
from zwgk_cli.report.findings import ProblemRow, problem_rows
from zwgk_cli.report.ranking import Entry, Ranking, fmt_percent, rank
from zwgk_cli.report.tables import (
    losses_table,
    not_returned,
    pending_reason,
    pending_table,
    ranking_table,
    returned_pending,
    stats_table,
    status_label,
    tiers_table,
    unit_table,
    vetoed_table,
)
from zwgk_cli.report.targets import targets_context, ties
from zwgk_cli.report.text import date_cn, join_names, parse_date, pts, short_title, zh
from zwgk_cli.results.model import Scores

TOP_LOSSES = 10
PLACEHOLDER = "〔待填写〕"


@dataclass(frozen=True)
class NoticeInfo:
    """What the notice says about itself: from ``zwgk.toml``, else the scores file."""

    name: str
    year: str
    office: str
    number: str
    date: str  # as printed: 2022年1月20日
    date_iso: str
    recipients: str
    deadline: str
    contact: str
    basis: str
    cc: str  # 抄送机关 (版记)
    printer: str  # 印发机关 (版记)
    print_date: str  # 印发日期 as printed (版记)
    missing: tuple[tuple[str, str], ...]  # (setting, 中文 label) not set

    @property
    def stamp(self) -> datetime:
        d = parse_date(self.date_iso)
        return datetime(d.year, d.month, d.day, tzinfo=UTC) if d else datetime(2000, 1, 1, tzinfo=UTC)


def notice_info(doc: Scores, campaign: Campaign | None) -> NoticeInfo:
    def get(key: str) -> str:
        value = getattr(campaign, key, "") if campaign is not None else ""
        if value in ("", 0, None):
            value = doc.campaign.get(key, "")
        return str(value or "").strip()

    year = get("year")
    name = get("name") or (f"{year}年度政务公开考评" if year else "")
    labels = {
        "name": "考评名称",
        "office": "发文机关",
        "notice_number": "发文字号",
        "notice_date": "成文日期",
        "recipients": "主送机关",
        "rectify_deadline": "整改期限",
        "cc": "抄送机关",
        "printer": "印发机关",
        "print_date": "印发日期",
    }
    given = {key: name if key == "name" else get(key) for key in labels}
    values = {key: value or PLACEHOLDER for key, value in given.items()}
    return NoticeInfo(
        name=values["name"],
        year=year,
        office=values["office"],
        number=values["notice_number"],
        date=date_cn(values["notice_date"]),
        date_iso=values["notice_date"],
        recipients=values["recipients"],
        deadline=date_cn(values["rectify_deadline"]),
        contact=get("contact"),
        basis=doc.rubric_title,
        cc=values["cc"],
        printer=values["printer"],
        print_date=date_cn(values["print_date"]),
        missing=tuple((key, label) for key, label in labels.items() if not given[key]),
    )


@dataclass(frozen=True)
class UnitPage:
    """One unit as the notice's attachment and its 整改清单 show it (text ready to print)."""

    no: int
    unit: str
    group: str
    status: str  # 中文: 已评分, 未完成 …
    scored: bool
    total: str
    max: str
    rank: str
    tier: str
    vetoed: bool
    veto_reasons: str
    count: int  # criteria that lost points
    lost: str
    table: str  # its table in ``Report.tables``
    file: str  # its 整改清单's file name without suffix: safe and unique
    rows: tuple[ProblemRow, ...]
    entry: Entry
    pending_reason: str

    @property
    def listed(self) -> bool:
        """Whether the unit has something to rectify: scored with a finding (a veto is one).
        Only these units are in the notice's attachment and get a 整改清单."""
        return self.scored and bool(self.rows)


@dataclass
class Report:
    """Everything the templates and writers need."""

    doc: Scores
    ranking: Ranking
    info: NoticeInfo
    context: dict[str, Any]
    tables: dict[str, Table]
    charts: dict[str, Markup]
    units: list[UnitPage] = field(default_factory=list)
    compare: Comparison | None = None  # with last year's results (--compare)


def _tier_text(counts: Sequence[tuple[str, int]]) -> str:
    return "、".join(f"{label}{n}家" for label, n in counts if n)


def _tier_ranges(ranking: Ranking) -> list[dict[str, str]]:
    """Each tier's range of totals (those with a floor, highest first, then the one without)."""
    floors = sorted((t for t in ranking.tiers if t.min is not None), key=lambda t: t.min or ZERO, reverse=True)
    out = []
    upper: Decimal | None = None
    for t in [*floors, *(t for t in ranking.tiers if t.min is None)]:
        if t.min is None:
            rng = f"{fmt_points(upper)}分以下" if upper is not None else ""
        else:
            rng = (
                f"{fmt_points(t.min)}分及以上" if upper is None else f"{fmt_points(t.min)}分(含)至{fmt_points(upper)}分"
            )
            upper = t.min
        out.append({"label": t.label, "range": rng, "coefficient": pts(t.coefficient * 100 if t.coefficient else None)})
    return out


def build(doc: Scores, campaign: Campaign | None = None, previous: Previous | None = None) -> Report:
    """Rank the document and build the context every template and writer uses (with
    ``previous``, last year's results beside this year's: ``compare``)."""
    order = campaign.group_order if campaign is not None else ()
    ranking = rank(doc, order)
    info = notice_info(doc, campaign)
    tables: dict[str, Table] = {}
    charts: dict[str, Markup] = {}
    groups_ctx = []
    for i, g in enumerate(ranking.groups, start=1):
        tables[f"ranking-{i}"] = ranking_table(g, ranking)
        tables[f"stats-{i}"] = stats_table(g)
        charts[f"histogram-{i}"] = histogram_svg(g, f"{g.group}得分分布")
        charts[f"parts-{i}"] = parts_svg(g, f"{g.group}各单位分项得分")
        ts = g.total_stat
        groups_ctx.append(
            {
                "name": g.group,
                "variant": g.variant_title,
                "max": pts(g.max),
                "count": g.count,
                "assessed": g.assessed,
                "ranked": len(g.ranked),
                "vetoed": len(g.vetoed),
                "pending": len(g.pending),
                "not_returned": sum(1 for e in g.pending if e.status == "missing"),
                "passed": g.passed,
                "pass_rate": fmt_percent(g.pass_rate),
                "tiers": _tier_text(g.tier_counts),
                "mean": pts(ts.mean),
                "median": pts(ts.median),
                "top": pts(ts.max),
                "top_units": join_names(ts.max_units),
                "bottom": pts(ts.min),
                "bottom_units": join_names(ts.min_units),
                "first": join_names([e.unit for e in g.ranked if e.rank == 1]),
                "leaders": [
                    {"rank": e.rank_text, "unit": e.unit, "total": pts(e.total), "tier": e.tier or ""}
                    for e in g.ranked
                    if e.rank is not None and e.rank <= 3
                ],
                "ties": ties([(e.rank, e.tied, e.unit, e.total) for e in g.ranked], "units"),
                "not_in_bonus": join_names([e.unit for e in (*g.ranked, *g.vetoed) if e.bonus_counted is False]),
                "below_threshold": [
                    {"unit": e.unit, "parts": zh("、".join(e.failed_thresholds))}
                    for e in (*g.ranked, *g.vetoed)
                    if e.failed_thresholds
                ],
                "ranking_table": f"ranking-{i}",
                "stats_table": f"stats-{i}",
                "histogram": f"histogram-{i}",
                "parts_chart": f"parts-{i}",
            }
        )
    tables["tiers"] = tiers_table(ranking)
    tables["vetoed"] = vetoed_table(ranking)
    tables["pending"] = pending_table(ranking)
    top = ranking.losses[:TOP_LOSSES]
    tables["losses"] = losses_table(top)
    units_ctx: list[UnitPage] = []
    # Files named after units: safe on every system and never shared (“甲/乙局” and “甲:乙局”).
    files = unique_file_names(((e.unit_id, e.unit) for e in ranking.entries), "")
    for n, e in enumerate(ranking.entries, start=1):
        rows = tuple(problem_rows(e.result, {c.id: c.title for c in doc.columns_of(e.variant)}))
        key = f"unit-{n}"
        tables[key] = unit_table(rows, e)
        units_ctx.append(
            UnitPage(
                no=n,
                unit=e.unit,
                group=e.group,
                status=status_label(e),
                scored=e.scored,
                total=pts(e.total),
                max=pts(e.max),
                rank=e.rank_text,
                tier=e.tier or (ranking.veto_label if e.vetoed else ""),
                vetoed=e.vetoed,
                veto_reasons=zh(";".join(e.veto_reasons)),
                count=len(rows),
                lost=pts(sum((r.lost for r in rows), ZERO)),
                table=key,
                file=files[e.unit_id],
                rows=rows,
                entry=e,
                pending_reason="" if e.scored else pending_reason(e),
            )
        )
    first_variant = next(iter(doc.columns.values()), ())
    columns_text = "、".join(short_title(c.title) for c in first_variant if c.depth == 0 and c.kind == "normal")
    context: dict[str, Any] = {
        "notice": info,
        "rubric": {
            "id": doc.rubric,
            "title": doc.rubric_title,
            "version": doc.rubric_version,
            "hash": doc.rubric_hash,
        },
        "tool": f"zwgk {__version__}",
        "round": doc.round,  # the round of zwgk score the scores are (None: not recorded)
        "has_tiers": ranking.has_tiers,
        "defines_pass": ranking.defines_pass,
        "veto_label": ranking.veto_label,
        "veto_tier": ranking.veto_tier,
        "tiers": _tier_ranges(ranking),
        "coefficients": "、".join(
            f"{t.label}{fmt_points(t.coefficient * 100)}%" for t in ranking.tiers if t.coefficient is not None
        ),
        "scope": columns_text,
        "overall": {
            "units": ranking.units,
            "assessed": ranking.assessed,
            "ranked": sum(len(g.ranked) for g in ranking.groups),
            "passed": ranking.passed,
            "failed": ranking.assessed - ranking.passed,
            "pass_rate": fmt_percent(ranking.pass_rate),
            "vetoed": len(ranking.vetoed),
            "pending": len(ranking.pending),
            "not_returned": len(not_returned(ranking)),
            "returned_pending": len(returned_pending(ranking)),
            "tiers": _tier_text(ranking.tier_counts),
            "groups": "、".join(f"{g.group}{g.count}家" for g in ranking.groups),
        },
        "groups": groups_ctx,
        "vetoed": [
            {"unit": e.unit, "group": e.group, "total": pts(e.total), "reasons": zh(";".join(e.veto_reasons))}
            for e in ranking.vetoed
        ],
        "pending": [
            {"unit": e.unit, "group": e.group, "status": status_label(e), "reason": pending_reason(e)}
            for e in returned_pending(ranking)
        ],
        "not_returned": [{"unit": e.unit, "group": e.group} for e in not_returned(ranking)],
        "not_returned_names": join_names([e.unit for e in not_returned(ranking)]),
        "listed_units": [u for u in units_ctx if u.listed],
        "clean_units": join_names([u.unit for u in units_ctx if u.scored and not u.rows]),
        "pending_units": join_names([u.unit for u in units_ctx if not u.scored]),
        "losses": [
            {
                "no": i,
                "label": zh(x.label),
                "part": short_title(x.part_title),
                "text": zh(x.text),
                "count": x.count,
                "units": join_names(x.unit_names),
                "units_short": join_names(x.unit_names, 8),
                "lost": pts(x.lost),
                "vetoes": x.vetoes,
            }
            for i, x in enumerate(top, start=1)
        ],
        "units": units_ctx,
        "tables": tables,
        "charts": charts,
    }
    kinds_ctx, kinds_tables = targets_context(doc)  # targets assessed in their own right
    context.update(kinds_ctx)
    tables.update(kinds_tables)
    cmp = compare(doc, ranking, previous) if previous is not None else None
    context["compare"] = compare_context(cmp, tables) if cmp is not None else None
    return Report(doc, ranking, info, context, tables, charts, units_ctx, cmp)
