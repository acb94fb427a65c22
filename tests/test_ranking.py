"""Ranking: groups, ranks with ties (并列), vetoes and unfinished units listed apart, tiers and
coefficients at their edges, 合格率, statistics and the most frequent deductions."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.model import Tier
from zwgk_cli.report.ranking import (
    competition_ranks,
    group_order,
    mean,
    median,
    percent,
    rank,
)
from zwgk_cli.results import document as results_doc
from zwgk_cli.results.model import Scores, dec, parse
from zwgk_cli.rules import tier_for

GOLDEN = Path(__file__).parent / "golden" / "scores.json"
D = Decimal


@pytest.fixture(scope="module")
def golden() -> Scores:
    return parse(json.loads(GOLDEN.read_text(encoding="utf-8")))


def unit(name: str, group: str, total: float | None, **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "unit": name,
        "unit_id": name,
        "group": group,
        "variant": "v",
        "status": "scored" if total is not None else "missing",
        "total": total,
        "max": 100,
        "parts": {"p": {"title": "部分", "points": total}} if total is not None else {},
        "vetoes": [],
        "vetoed": False,
        "bonus_counted": None,
        "thresholds": {},
        "tier": None,
        "penalties": 0,
        "criteria": [],
        "problems": {"error": 0, "warning": 0},
    }
    out.update(kw)
    return out


def doc(units: list[dict[str, Any]], tiers: list[dict[str, Any]] | None = None, **kw: Any) -> Scores:
    out: dict[str, Any] = {
        "format": results_doc.FORMAT,
        "groups": ["甲组", "乙组"],
        "tiers": tiers or [],
        "veto_tier": "不合格",
        "veto_label": "否决",
        "columns": {"v": [{"id": "p", "title": "部分", "max": 100, "kind": "normal", "depth": 0}]},
        "variants": {"v": {"title": "版本", "groups": ["甲组", "乙组"], "max": 100}},
        "units": units,
    }
    out.update(kw)
    return parse(out)


MIANYANG_TIERS = [
    {"label": "第一等次", "min": 110, "coefficient": 1},
    {"label": "第二等次", "min": 90, "coefficient": 1},
    {"label": "第三等次", "min": 70, "coefficient": 0.95},
    {"label": "第四等次", "min": 60, "coefficient": 0.9},
    {"label": "不合格", "min": None, "coefficient": 0.85},
]


# ------------------------------------------------------------------ ranks


def test_competition_ranks_share_and_skip() -> None:
    totals = [D("98.5"), D("90"), D("90"), D("88.25"), D("88.25"), D("88.25"), D("10")]
    assert competition_ranks(totals) == [(1, False), (2, True), (2, True), (4, True), (4, True), (4, True), (7, False)]
    assert competition_ranks([]) == []
    assert competition_ranks([D(5)]) == [(1, False)]


def test_ties_are_exact_to_the_cent() -> None:
    d = doc([unit("甲", "甲组", 90.01), unit("乙", "甲组", 90), unit("丙", "甲组", 90.0)])
    g = rank(d).group("甲组")
    assert [(e.unit, e.rank, e.tied, e.rank_text) for e in g.ranked] == [
        ("甲", 1, False, "1"),
        ("乙", 2, True, "2(并列)"),
        ("丙", 2, True, "2(并列)"),
    ]


def test_golden_ranks_vetoes_and_unfinished_units_apart(golden: Scores) -> None:
    r = rank(golden)
    county = r.group("县市区")
    assert [(e.unit, e.rank_text, str(e.total), e.tier) for e in county.ranked] == [
        ("甲区", "1", "104.5", "第一等次"),
        ("乙县", "2(并列)", "98.5", "第一等次"),
        ("丙县", "2(并列)", "98.5", "第一等次"),
        ("己县", "4", "72.75", "第三等次"),
    ]
    assert [(e.unit, e.tier, e.veto_reasons) for e in county.vetoed] == [
        ("丁县", "不合格", ("丁县人民政府网站:空白栏目超过(含)5个",))
    ]
    # incomplete: listed apart, never ranked, never given a tier, whatever its partial total
    assert [(e.unit, e.rank, e.tier) for e in county.pending] == [("戊县", None, None)]
    dept = r.group("市级部门")
    assert [(e.unit, e.rank, str(e.total), e.tier, str(e.coefficient)) for e in dept.ranked] == [
        ("市一局", 1, "110", "第一等次", "1"),
        ("市五局", 2, "94", "第二等次", "1"),
        ("市三局", 3, "87", "第二等次", "1"),
        ("市二局", 4, "75", "第三等次", "0.95"),
        ("市六局", 5, "60", "第四等次", "0.9"),
        ("市七局", 6, "59.5", "不合格", "0.85"),
    ]
    assert [e.unit for e in dept.pending] == ["市四局"]
    assert dept.vetoed == ()
    assert [e.unit for e in r.pending] == ["戊县", "市四局"]
    assert not r.mismatches


def test_vetoed_unit_is_not_ranked_even_with_a_high_total() -> None:
    d = doc(
        [
            unit("甲", "甲组", 95, vetoed=True, vetoes=[{"target_name": "甲网站", "reason": "站点无法访问"}]),
            unit("乙", "甲组", 70),
        ],
        MIANYANG_TIERS,
    )
    g = rank(d).group("甲组")
    assert [e.unit for e in g.ranked] == ["乙"]
    assert g.ranked[0].rank == 1
    assert [(e.unit, e.tier, e.coefficient, e.veto_reasons) for e in g.vetoed] == [
        ("甲", "不合格", D("0.85"), ("甲网站:站点无法访问",))
    ]
    assert g.assessed == 2 and g.passed == 1 and g.pass_rate == D("50")


def test_without_tiers_vetoed_units_are_marked_by_the_veto_label() -> None:
    d = doc([unit("甲", "甲组", 95, vetoed=True, vetoes=[{"reason": "一票否决"}]), unit("乙", "甲组", 70)])
    r = rank(d)
    assert not r.has_tiers
    g = r.group("甲组")
    assert g.vetoed[0].tier is None and g.vetoed[0].veto_reasons == ("一票否决",)
    assert r.veto_label == "否决"
    assert g.ranked[0].passed is True and g.vetoed[0].passed is False


def test_incomplete_units_are_not_zero_and_not_counted_in_pass_rate() -> None:
    d = doc(
        [unit("甲", "甲组", 80), unit("乙", "甲组", 12, status="incomplete"), unit("丙", "甲组", None)],
        MIANYANG_TIERS,
    )
    g = rank(d).group("甲组")
    assert [e.unit for e in g.ranked] == ["甲"]
    assert [e.unit for e in g.pending] == ["乙", "丙"]
    assert g.assessed == 1 and g.pass_rate == D("100")
    assert g.total_stat.n == 1 and g.total_stat.min == D("80")


# ------------------------------------------------------------------ tiers


@pytest.mark.parametrize(
    ("total", "vetoed", "tier", "coefficient"),
    [
        ("130", False, "第一等次", "1"),
        ("110", False, "第一等次", "1"),
        ("109.99", False, "第二等次", "1"),
        ("90", False, "第二等次", "1"),
        ("89.99", False, "第三等次", "0.95"),
        ("70", False, "第三等次", "0.95"),
        ("69.99", False, "第四等次", "0.9"),
        ("60", False, "第四等次", "0.9"),
        ("59.99", False, "不合格", "0.85"),
        ("0", False, "不合格", "0.85"),
        ("125", True, "不合格", "0.85"),
    ],
)
def test_tier_edges_are_half_open(total: str, vetoed: bool, tier: str, coefficient: str) -> None:
    tiers = [Tier(t["label"], dec(t["min"]), dec(t["coefficient"])) for t in MIANYANG_TIERS]
    got = tier_for(tiers, "不合格", D(total), vetoed)
    assert got is not None and (got.label, got.coefficient) == (tier, D(coefficient))


def test_tiers_agree_with_the_engine_for_the_mianyang_rubric() -> None:
    # the report recomputes tiers from those recorded in scores.json: they survive the round trip
    r = rubric_mod.load("mianyang-2022")
    recorded = json.loads(json.dumps(results_doc.document(r, [], {}, [])))
    scores = parse(recorded)
    assert scores.tiers == r.tiers and scores.veto_tier == r.veto_tier
    for cents in range(0, 13001, 7):
        total = D(cents) / 100
        for vetoed in (False, True):
            ours = tier_for(scores.tiers, scores.veto_tier, total, vetoed)
            engine = r.tier_for(total, vetoed)
            assert ours is not None and engine is not None
            assert (ours.label, ours.coefficient) == (engine.label, engine.coefficient)


def test_a_recorded_tier_that_disagrees_is_reported() -> None:
    d = doc([unit("甲", "甲组", 95, tier="第一等次")], MIANYANG_TIERS)
    r = rank(d)
    assert [(m.unit, m.recorded, m.computed) for m in r.mismatches] == [("甲", "第一等次", "第二等次")]


# ------------------------------------------------------------------ statistics


def test_golden_tier_counts_and_pass_rates(golden: Scores) -> None:
    r = rank(golden)
    county, dept = r.group("县市区"), r.group("市级部门")
    assert dict(county.tier_counts) == {"第一等次": 3, "第二等次": 0, "第三等次": 1, "第四等次": 0, "不合格": 1}
    assert (county.assessed, county.passed, county.pass_rate) == (5, 4, D("80"))
    assert dict(dept.tier_counts) == {"第一等次": 1, "第二等次": 2, "第三等次": 1, "第四等次": 1, "不合格": 1}
    assert (dept.assessed, dept.passed, dept.pass_rate) == (6, 5, D("83.33"))
    assert (r.units, r.assessed, r.passed, r.pass_rate) == (13, 11, 9, D("81.82"))
    assert dict(r.tier_counts)["不合格"] == 2


def test_golden_part_statistics(golden: Scores) -> None:
    county = rank(golden).group("县市区")
    stats = {s.column.id: s for s in county.stats}
    web = stats["web"]  # 29, 28, 29, 25 (veto: points stand), 26.25 (mean of two websites)
    assert (web.n, web.mean, web.median, web.max, web.min) == (5, D("27.45"), D("28"), D("29"), D("25"))
    assert web.max_units == ("甲区", "丙县")
    total = county.total_stat  # 104.5, 98.5, 98.5, 97, 72.75
    assert (total.mean, total.median, total.max, total.min) == (D("94.25"), D("98.5"), D("104.5"), D("72.75"))
    assert total.min_units == ("己县",)


def test_mean_and_median_round_half_up() -> None:
    assert mean([D("1"), D("2"), D("2")]) == D("1.67")
    assert mean([D("0.005"), D("0")]) == D("0")  # 0.0025
    assert mean([D("0.01"), D("0")]) == D("0.01")  # 0.005 → 0.01
    assert median([D("1"), D("2")]) == D("1.5")
    assert median([D("1.01"), D("1.02")]) == D("1.02")  # 1.015 → 1.02
    assert median([D(3), D(1), D(2)]) == D(2)
    assert mean([]) is None and median([]) is None
    assert percent(2, 3) == D("66.67") and percent(0, 0) is None


def test_losses_count_units_once_and_name_them(golden: Scores) -> None:
    losses = {x.criterion: x for x in rank(golden).losses}
    update = losses["update"]
    # 日常更新 lost points at 甲区, 乙县, 丙县, 丁县 (veto), 己县 (one of two sites), 市二局, 市三局, 市六局, 市七局
    assert update.unit_names == ("甲区", "乙县", "丙县", "丁县", "己县", "市二局", "市三局", "市六局", "市七局")
    assert update.vetoes == 1
    by_unit = {u.unit: u for u in update.units}
    assert by_unit["己县"].lost == D("3.5") and by_unit["己县"].targets == ("己县投资促进网",)
    assert update.lost == D("1") + 2 + 1 + 5 + D("3.5") + 8 + 7 + 10 + 9
    assert losses["work"].unit_names == ("乙县", "丙县", "己县", "市七局")  # 己县: late evidence
    assert losses["exposed"].unit_names == ("己县", "市五局") and losses["exposed"].lost == D(8)
    assert "adopt" not in losses  # bonus items are never deductions
    ordered = [(x.lost, x.count) for x in rank(golden).losses]
    assert ordered == sorted(ordered, reverse=True)  # most points lost first, then most units
    assert "戊县" not in {n for x in losses.values() for n in x.unit_names}  # unfinished units are left out


def test_group_order_prefers_the_campaign_then_the_document() -> None:
    d = doc([unit("甲", "丙组", 1), unit("乙", "乙组", 1), unit("丙", "甲组", 1)])
    assert group_order(d) == ["甲组", "乙组", "丙组"]
    assert group_order(d, ["乙组"]) == ["乙组", "甲组", "丙组"]
    assert [g.group for g in rank(d, ["丙组"]).groups] == ["丙组", "甲组", "乙组"]


def test_thresholds_and_gate_are_reported(golden: Scores) -> None:
    r = rank(golden)
    dept = {e.unit: e for e in r.group("市级部门").ranked}
    assert dept["市二局"].failed_thresholds == ("政务新媒体",)
    assert dept["市三局"].failed_thresholds == ("政府网站“市三局网站”",)
    assert dept["市二局"].bonus_counted is False and dept["市一局"].bonus_counted is True


def test_pass_rate_only_where_the_rubric_defines_pass(golden: Scores) -> None:
    """合格 needs a failing tier or a pass line: 荆州 (no tiers, no thresholds) has no 合格率."""
    assert rank(golden).defines_pass and rank(golden).pass_rate is not None
    bare_units = tuple(replace(u, thresholds=()) for u in golden.units)
    no_pass = replace(golden, tiers=(), units=bare_units)
    r = rank(no_pass)
    assert not r.defines_pass and r.pass_rate is None
    assert all(g.pass_rate is None for g in r.groups)
    passing_tiers = tuple(t for t in golden.tiers if t.label != golden.veto_tier)
    assert not rank(replace(golden, tiers=passing_tiers, units=bare_units)).defines_pass
    # a pass line alone defines 合格: a unit below it is not 合格
    lines_only = rank(replace(golden, tiers=()))
    assert lines_only.defines_pass
    below = [e for g in lines_only.groups for e in g.ranked if e.failed_thresholds]
    assert below and all(e.passed is False for e in below)


def test_losses_rank_by_points_lost_not_by_units(golden: Scores) -> None:
    losses = rank(golden).losses
    assert losses[0].lost == max(x.lost for x in losses)
    small_but_wide = [x for x in losses if x.count > losses[0].count]
    assert all(x.lost <= losses[0].lost for x in small_but_wide)
