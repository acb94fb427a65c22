"""The 绵阳 2022 rubric as data: structure, sample roster, and hand-computed scenarios.

Every expected figure below was worked out by hand from the source text (the comment
next to it shows the sum), never by running the engine.  A scenario starts from a unit
whose every live input says "nothing found" (no deduction, no bonus earned) and
overrides a few inputs with findings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from decimal import Decimal, InvalidOperation

import pytest
from source_texts import MIANYANG_2022, source_text
from typer.testing import CliRunner

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.cli import app
from zwgk_cli.engine import score_unit, thresholds
from zwgk_cli.model import (
    NO,
    YES,
    Criterion,
    CriterionScore,
    Input,
    InputKind,
    NodeScore,
    PartKind,
    ReadingKey,
    Target,
    Unit,
    UnitScore,
    Value,
)
from zwgk_cli.resources import samples_dir
from zwgk_cli.roster import load_roster
from zwgk_cli.rubric import resolve, walk_with_path

RUBRIC = rubric_mod.load("mianyang-2022")
SAMPLE = samples_dir() / "mianyang-2022"
ROSTER = load_roster(SAMPLE / "units.csv", SAMPLE / "websites.csv")
D = Decimal


def unit(name: str) -> Unit:
    u = ROSTER.unit(name)
    assert u is not None, name
    return u


def _nothing_found(crit: Criterion, inp: Input) -> Value | None:
    """The value that costs nothing in a deduction item and earns nothing in a bonus item."""
    if inp.kind is InputKind.TEXT:
        return None
    if inp.id == "evidence":
        return YES
    if inp.kind is InputKind.YES_NO:
        return NO
    if inp.kind is InputKind.CHOICE:
        points = {opt: pts for t in crit.terms if t.inputs == (inp.id,) for opt, pts in t.choices}
        return min(points, key=lambda opt: points[opt])
    if inp.kind is InputKind.PERCENT:
        return D(100)
    return D(0)


def _value(v: object) -> Value:
    """Numbers (ints, or decimals written as strings such as "49.9") → Decimal; 是/否/options stay text."""
    if isinstance(v, int | Decimal):
        return D(v)
    assert isinstance(v, str), v
    try:
        return D(v)
    except InvalidOperation:
        return v


Findings = dict[str, dict[str, object]]  # criterion id → {input id: value}


class Sheet:
    """One unit's readings: every live input filled with "nothing found", then findings."""

    def __init__(self, u: Unit):
        self.unit = u
        self.variant = resolve(RUBRIC, u)
        self.values: dict[ReadingKey, Value | None] = {}
        for part, _chain, crit in walk_with_path(self.variant):
            targets = [t.id for t in u.targets_of(part.per_target)] if part.per_target else [""]
            for inp in crit.live_inputs():
                v = _nothing_found(crit, inp)
                for t in targets:
                    self.values[ReadingKey(t, crit.id, inp.id)] = v

    def site(self, name: str) -> str:
        return next(t.id for t in self.unit.targets if t.name == name)

    def set(self, findings: Findings, target: str = "") -> Sheet:
        """Override live inputs only: a finding on an input the unit does not have is a test bug."""
        for cid, inputs in findings.items():
            for iid, v in inputs.items():
                key = ReadingKey(target, cid, iid)
                assert key in self.values, f"not a live input: {key}"
                self.values[key] = _value(v)
        return self

    def set_site(self, name: str, findings: Findings) -> Sheet:
        return self.set(findings, self.site(name))

    def set_all_sites(self, findings: Findings) -> Sheet:
        for t in self.unit.targets_of("website"):
            self.set(findings, t.id)
        return self

    def score(self) -> UnitScore:
        return score_unit(RUBRIC, self.variant, self.unit, self.values)


def part_points(us: UnitScore, part_id: str) -> Decimal:
    return us.part(part_id).points


def crit_points(us: UnitScore, crit_id: str, target: str = "") -> Decimal | None:
    """The points of one criterion (of one website when ``target`` is given)."""

    def walk(nodes: Iterable[NodeScore]) -> Iterator[CriterionScore]:
        for n in nodes:
            yield from n.criteria
            yield from walk(n.children)

    found = []
    stack = list(us.parts)
    while stack:
        ps = stack.pop()
        stack.extend(ps.parts)
        node_sets = [t.nodes for t in ps.targets if t.target == target] if target else [ps.nodes]
        for nodes in node_sets:
            found += [cs.points for cs in walk(nodes) if cs.criterion == crit_id]
    assert len(found) == 1, (crit_id, target, found)
    return found[0]


# Bonus findings that earn every indicator's 分值:
# 数据发布 2+1+1 → cap 2; 解读回应 3; 实时互动 3+2 → cap 3; 调查征集 2+1; 粉丝量 3;
# 智能搜索 1+1+2; 用户空间 1; 创新发展 6+2 → cap 6; 信息采用 2×2+1 → cap 5.  Sum 30.
FULL_BONUS: Findings = {
    "b_data": {"column": "3个月内有更新", "charts": YES, "datasets": YES},
    "b_interp": {"forms": 3},
    "b_realtime": {"quick": YES, "bot": YES},
    "b_survey": {"events": 6, "feedback": YES},
    "b_fans": {"fans": 300000},
    "b_smart_search": {"fuzzy": YES, "service": YES, "found": 2},
    "b_user_space": {"history": YES},
    "b_innovation": {"national": YES, "leaders": 2},
    "b_adoption": {"province": 2, "city": 1},
}
# 创新发展 国省肯定 6 + 信息采用 2 条省采用 2×2 = 10.
BONUS_10: Findings = {"b_innovation": {"national": YES}, "b_adoption": {"province": 2}}
# 日常工作 all 30 points lost: 2+3+2+3+1+1+5+3+10.
DAILY_ALL_LOST: Findings = {
    "d_redhead": {"done": 0},
    "d_column": {"none": YES},
    "d_summary": {"neither": YES},
    "d_push": {"done": 0},
    "d_documents": {"fetch": "存在未领取"},
    "d_meetings": {"issues": 2},
    "d_supervise": {"unfixed": 5},
    "d_errata": {"done": 0},
    "d_notices": {"province": 1},
}
# 第一部分 10 points lost: 被通报 5 + 4 个领域未集中公开 4 + 重大决策 5 处 × 0.2 = 1.
PART1_MINUS_10: Findings = {"p1_1": {"notified": YES}, "p1_2": {"areas": 4}, "p1_3": {"missing": 5}}
# One site loses 0.1: one content page without labels.
MINUS_0_1: Findings = {"w_tags": {"content": 1}}


def ten_site_unit() -> Unit:
    """A hypothetical 县 with ten websites.

    Every website score in this rubric is a multiple of 0.1, so with the sample roster
    (at most three websites per unit) a total's hundredths digit can only be 0, 3 or 7
    (104.9 / 3 = 34.966… → 34.97).  Totals such as 109.99 need a mean over ten sites:
    nine at 35 and one at 34.9 average exactly 34.99.
    """
    base = unit("涪城区")
    return replace(base, targets=tuple(Target(f"T{i:02d}", "website", f"假设网站{i}") for i in range(1, 11)))


# ---------------------------------------------------------------- structure


def test_maxima_add_up() -> None:
    (v,) = RUBRIC.variants
    assert RUBRIC.max == v.max == D(130)
    top = {p.id: p.max for p in v.parts}
    assert top == {"p1": 15, "p2": 55, "p3": 30, "p4": 30}
    assert {p.id: p.max for p in v.part("p2").parts} == {"p2w": 35, "p2m": 20}
    bonus_part, web_part, media_part = v.part("p4"), v.part("p2w"), v.part("p2m")
    assert bonus_part.kind is PartKind.BONUS
    assert bonus_part.gate is not None and (bonus_part.gate.part, bonus_part.gate.min) == ("p2", 44)
    assert web_part.per_target == "website"
    assert web_part.threshold is not None and web_part.threshold.min == 21
    assert media_part.threshold is not None and media_part.threshold.min == 12
    # 一级指标 maxima as the source states them.
    p1 = {ind.title: ind.max for ind in v.part("p1").indicators}
    assert p1 == {"深化政务公开促进基层政府治理能力提升工作": 5, "重大领域公开": 4, "重大决策公开": 3, "依申请公开": 3}
    web = {ind.title: ind.max for ind in v.part("p2w").indicators}
    assert web == {"信息公开": 6, "发布解读": 10, "办事服务": 3, "互动交流": 6, "功能设计": 10, "单项否决": 0}
    media = {ind.title: ind.max for ind in v.part("p2m").indicators}
    assert media == {
        "账号开设": 5,
        "账号规范": 4,
        "账号注销": 4,
        "发布审核": 3,
        "信息转载": 3,
        "一致性": 1,
        "单项否决": 0,
    }
    bonus = {ind.title: ind.max for ind in v.part("p4").indicators}
    assert bonus == {"信息发布": 5, "互动交流": 6, "政务新媒体传播力": 3, "功能设计": 5, "创新发展": 6, "工作保障": 5}
    # Every indicator's children add up to its 分值 (deduction parts exactly, bonus too here).
    for p in v.walk_parts():
        for ind in p.indicators:
            stack = [ind]
            while stack:
                node = stack.pop()
                kids = [c.max for c in node.criteria] + [i.max for i in node.indicators]
                assert sum(k or 0 for k in kids) == node.max, node.title
                stack.extend(node.indicators)


def test_every_source_row_is_encoded() -> None:
    crits = list(RUBRIC.variants[0].walk())
    by_part: dict[str, int] = {}
    for part, _chain, c in walk_with_path(RUBRIC.variants[0]):
        by_part[part.id] = by_part.get(part.id, 0) + 1
        assert c.text and c.max is not None
    # 4 items; 26 website rows + 6 veto rows; 9 new-media rows + 3 veto rows; 9 daily rows; 9 bonus rows.
    assert by_part == {"p1": 4, "p2w": 32, "p2m": 12, "p3": 9, "p4": 9}
    assert len(crits) == 66
    titles = {c.title for c in crits}
    assert "网民留言办理" in titles  # the nameless 功能设计 row
    handling = next(c for c in crits if c.id == "w_msg_handling")
    assert "没有二级指标名称" in handling.note


def test_texts_are_verbatim() -> None:
    source = source_text(MIANYANG_2022)
    for c in RUBRIC.variants[0].walk():
        for line in c.text.split("\n"):
            assert line in source, (c.id, line[:40])


def test_sample_roster() -> None:
    assert ROSTER.problems == []
    assert [u.id for u in ROSTER.units] == [f"MY{i:02d}" for i in range(1, 50)]
    groups = [u.group for u in ROSTER.units]
    assert groups == ["县市区/园区"] * 14 + ["市级部门"] * 35
    assert ROSTER.units[0].name == "涪城区" and ROSTER.units[13].name == "科技城管委会"
    sites = [t for u in ROSTER.units for t in u.targets]
    assert len(sites) == 53
    assert sorted(t.id for t in sites) == [f"W{i:02d}" for i in range(1, 54)]
    assert all(u.targets for u in ROSTER.units)
    multi = {u.name: [t.name for t in u.targets] for u in ROSTER.units if len(u.targets) > 1}
    assert multi == {
        "市发展改革委": ["绵阳市发展和改革委员会", "信用中国(四川绵阳)"],
        "市人力资源社会保障局": ["绵阳市人力资源和社会保障局", "绵阳市社会保险事务中心", "绵阳市就业创业促进中心"],
        "市政务服务监管局": ["绵阳市政务服务监督管理局", "绵阳市公共资源交易服务中心"],
    }
    assert [t.name for t in unit("市民宗局").targets] == ["中共绵阳市委统战部(绵阳市民族宗教事务局)"]
    assert [t.name for t in unit("科技城管委会").targets] == ["中国(绵阳)科技城管理委员会"]
    assert unit("市机关事务管理局").attributes["有对外服务"] == NO
    assert unit("市教体局").attributes["督促指导任务"] == YES
    assert unit("涪城区").attributes["市级部门"] == NO and unit("市审计局").attributes["市级部门"] == YES


def test_check_with_sample_roster_is_clean() -> None:
    assert rubric_mod.check(RUBRIC, ROSTER.units) == []


def test_cli_check_and_show() -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["rubric", "check", "mianyang-2022"]).exit_code == 0
    out = runner.invoke(app, ["rubric", "show", "mianyang-2022", "--json"])
    assert out.exit_code == 0
    data = json.loads(out.stdout)
    assert data["max"] == 130
    assert [p["max"] for p in data["parts"]] == [15, 55, 30, 30]
    assert [t["label"] for t in data["tiers"]] == ["第一等次", "第二等次", "第三等次", "第四等次", "不合格"]


# ---------------------------------------------------------------- scenarios


def test_nothing_found_scores_100_and_full_bonus_130() -> None:
    us = Sheet(unit("市教体局")).score()
    assert us.complete and not us.missing
    assert (us.total, us.tier, us.coefficient, us.bonus_counted) == (D(100), "第二等次", D(1), True)
    us = Sheet(unit("市教体局")).set(FULL_BONUS).score()
    assert part_points(us, "p4") == D(30)
    assert (us.total, us.tier) == (D(130), "第一等次")


@pytest.mark.parametrize(
    ("site_minus", "findings", "total", "tier", "coefficient"),
    [
        # 15 + 34.99 + 20 + 30 + 10 = 109.99: the source's "90—109分之间" read half-open.
        (True, BONUS_10, "109.99", "第二等次", "1"),
        (False, BONUS_10, "110", "第一等次", "1"),
        # 100 − 10 (省上通报) − 0.01
        (True, {"d_notices": {"province": 1}}, "89.99", "第三等次", "0.95"),
        (False, {"d_notices": {"province": 1}}, "90", "第二等次", "1"),
        # 100 − 30 (日常工作 all lost)
        (True, DAILY_ALL_LOST, "69.99", "第四等次", "0.9"),
        (False, DAILY_ALL_LOST, "70", "第三等次", "0.95"),
        # 100 − 30 − 10 (第一部分)
        (True, DAILY_ALL_LOST | PART1_MINUS_10, "59.99", "不合格", "0.85"),
        (False, DAILY_ALL_LOST | PART1_MINUS_10, "60", "第四等次", "0.9"),
    ],
)
def test_tier_edges(site_minus: bool, findings: Findings, total: str, tier: str, coefficient: str) -> None:
    sheet = Sheet(ten_site_unit()).set(findings)
    if site_minus:
        sheet.set(MINUS_0_1, "T10")  # nine sites 35 + one 34.9 → mean 349.9 / 10 = 34.99
    us = sheet.score()
    assert part_points(us, "p2w") == (D("34.99") if site_minus else D(35))
    assert (us.total, us.tier, us.coefficient) == (D(total), tier, D(coefficient))
    assert not us.vetoed


def test_tier_edge_with_the_real_three_site_unit() -> None:
    # 市人力资源社会保障局: 35 + 35 + 34.9 = 104.9 → 34.966… → 34.97; 15 + 34.97 + 20 + 30 + 10 = 109.97.
    us = Sheet(unit("市人力资源社会保障局")).set(BONUS_10).set_site("绵阳市就业创业促进中心", MINUS_0_1).score()
    assert (us.total, us.tier) == (D("109.97"), "第二等次")


def test_veto_overrides_a_115_total() -> None:
    # 市发展改革委, bonus 6 (国省肯定) + 4 (省采用 2 条) + 3 (解读回应) + 2 (粉丝 160000) = 15 → 115.
    bonus: Findings = {
        "b_innovation": {"national": YES},
        "b_adoption": {"province": 2},
        "b_interp": {"forms": 3},
        "b_fans": {"fans": 160000},
    }
    clean = Sheet(unit("市发展改革委")).set(bonus).score()
    assert (clean.total, clean.tier, clean.coefficient) == (D(115), "第一等次", D(1))
    sheet = Sheet(unit("市发展改革委")).set(bonus)
    sheet.set_site("信用中国(四川绵阳)", {"wv_security": {"secrets": YES}})
    us = sheet.score()
    assert us.total == D(115)  # points stand
    assert (us.tier, us.coefficient) == ("不合格", D("0.85"))
    (hit,) = us.vetoes
    assert (hit.reason, hit.target_name, hit.part) == ("泄露国家秘密", "信用中国(四川绵阳)", "p2w")
    p2w = us.part("p2w")
    assert p2w.vetoed and p2w.points == D(35)
    verdicts = thresholds(us)
    assert verdicts[f"p2w/{sheet.site('信用中国(四川绵阳)')}"] == "不合格"
    assert verdicts[f"p2w/{sheet.site('绵阳市发展和改革委员会')}"] == "合格"


# A site at 32: 动态要闻 not opened (−3).  New media at 12: 3 accounts not filed (−3),
# 2 accounts missing from the system (−2), 15 important posts not reposted (15 × 0.2 = −3).
# (Not a serious error on 文字错漏: that row's 3 points would already be gone, and one more
# minor typo on it would then cost nothing.)
SITE_32: Findings = {"w_news": {"none": YES}}
MEDIA_12: Findings = {
    "m_open_filing": {"accounts": 3},
    "m_open_system": {"accounts": 2},
    "m_repost_key": {"missing": 15},
}
ONE_TYPO: Findings = {"m_typos": {"minor": 1}}  # −0.1


def test_bonus_gate_at_43_99_and_44() -> None:
    # Ten sites: nine at 32 and one at 31.9 → 319.9 / 10 = 31.99; + 12 = 43.99 < 44.
    sheet = Sheet(ten_site_unit()).set_all_sites(SITE_32).set(MEDIA_12).set(FULL_BONUS)
    sheet.set(MINUS_0_1, "T01")
    us = sheet.score()
    assert part_points(us, "p2") == D("43.99")
    assert us.bonus_counted is False
    p4 = us.part("p4")
    assert (p4.counted, p4.points, p4.raw) == (False, D(0), D(30))
    assert us.total == D("88.99")  # 15 + 43.99 + 30 + 0
    assert us.tier == "第三等次"
    # All ten at 32 → 32 + 12 = 44: the bonus counts; 15 + 44 + 30 + 30 = 119.
    us = Sheet(ten_site_unit()).set_all_sites(SITE_32).set(MEDIA_12).set(FULL_BONUS).score()
    assert part_points(us, "p2") == D(44)
    assert us.bonus_counted is True and us.part("p4").points == D(30)
    assert (us.total, us.tier) == (D(119), "第一等次")


def test_bonus_gate_with_a_real_unit() -> None:
    # 涪城区: site 32 + media 12 = 44 → counted; one minor typo → 43.9 → not counted.
    base = Sheet(unit("涪城区")).set_all_sites(SITE_32).set(MEDIA_12).set(BONUS_10)
    assert (base.score().bonus_counted, base.score().total) == (True, D(99))  # 15 + 44 + 30 + 10
    below = base.set(ONE_TYPO).score()
    assert below.bonus_counted is False
    assert below.total == D("88.9")  # 15 + 43.9 + 30 + 0


@pytest.mark.parametrize(
    ("sites", "mean"),
    [
        # 35 + 35 + 34.9 = 104.9 → 34.9666… rounds up to 34.97
        ({"绵阳市就业创业促进中心": MINUS_0_1}, "34.97"),
        # 35 + 34.9 + 34.9 = 104.8 → 34.9333… rounds down to 34.93
        ({"绵阳市社会保险事务中心": MINUS_0_1, "绵阳市就业创业促进中心": {"w_links": {"other": 1}}}, "34.93"),
    ],
)
def test_three_websites_are_averaged(sites: dict[str, Findings], mean: str) -> None:
    """ROUND(AVERAGE(…), 2) of a three-site unit.  Site scores are multiples of 0.1 here, so a
    three-site mean is never an exact x.xx5: it is always rounded from x.xx33… or x.xx66…"""
    sheet = Sheet(unit("市人力资源社会保障局"))
    for name, findings in sites.items():
        sheet.set_site(name, findings)
    us = sheet.score()
    assert len(us.part("p2w").targets) == 3
    assert part_points(us, "p2w") == D(mean)
    assert us.total == D(65) + D(mean)  # 15 + 20 + 30 + mean, no bonus


def test_three_site_scores_one_by_one() -> None:
    # 就业创业促进中心: IPv6 not done −1 (support 100%: no band), one browser type −0.5, one column
    # page without labels −0.1 → 35 − 1 − 0.5 − 0.1 = 33.4.  人社局: one inaccurate 机构职能 −0.5.
    sheet = Sheet(unit("市人力资源社会保障局"))
    employment = sheet.site("绵阳市就业创业促进中心")
    sheet.set({"w_ipv6": {"none": YES}, "w_compat": {"browsers": 1}, "w_tags": {"column": 1}}, employment)
    sheet.set_site("绵阳市人力资源和社会保障局", {"w_org": {"wrong": 1}})  # 34.5
    us = sheet.score()
    by_site = {t.name: t.points for t in us.part("p2w").targets}
    assert by_site == {
        "绵阳市人力资源和社会保障局": D("34.5"),
        "绵阳市社会保险事务中心": D(35),
        "绵阳市就业创业促进中心": D("33.4"),
    }
    # (34.5 + 35 + 33.4) / 3 = 102.9 / 3 = 34.3
    assert part_points(us, "p2w") == D("34.3")


@pytest.mark.parametrize(
    ("inputs", "p1_4"),
    [
        ({"review_fixed": 0, "applications": 0, "suits_lost": 0, "suits": 0}, "3"),  # zero denominators
        ({"review_fixed": 2, "applications": 0, "suits_lost": 1, "suits": 0}, "3"),  # den 0 deducts nothing
        ({"review_fixed": 3, "applications": 20}, "3"),  # exactly 15%: not 高于
        ({"review_fixed": 4, "applications": 20}, "2"),  # 20% > 15%: −1
        ({"review_fixed": 3, "applications": 19}, "2"),  # 15.79%: −1
        ({"suits_lost": 1, "suits": 20}, "3"),  # exactly 5%
        ({"suits_lost": 2, "suits": 20}, "1"),  # 10%: −2
        ({"review_fixed": 4, "applications": 20, "suits_lost": 2, "suits": 20}, "0"),  # −3
        ({"review_fixed": 4, "applications": 20, "suits_lost": 2, "suits": 20, "no_guide": YES}, "0"),  # floor 0
        ({"no_guide": YES, "elements": 2, "complaints": 1}, "1"),  # 4 times × 0.5 = −2
    ],
)
def test_application_rates(inputs: dict[str, object], p1_4: str) -> None:
    us = Sheet(unit("涪城区")).set({"p1_4": inputs}).score()
    assert crit_points(us, "p1_4") == D(p1_4)
    assert part_points(us, "p1") == D(12) + D(p1_4)


@pytest.mark.parametrize(
    ("fans", "points"),
    [(100000, 0), (100001, 1), (150000, 1), (150001, 2), (200000, 2), (200001, 3)],
)
def test_fan_bands(fans: int, points: int) -> None:
    us = Sheet(unit("市民政局")).set({"b_fans": {"fans": fans}}).score()
    assert part_points(us, "p4") == D(points)
    assert us.total == D(100 + points)


def test_website_below_21_fails_while_the_unit_keeps_its_tier() -> None:
    # 信用中国: 动态要闻 3 + 政策文件 3 + 政策解读 3 (none opened) + 留言公开 2 + 办理答复 2
    # (one late reply) + 事项公开 1 + 一个内容页无标签 0.1 = 14.1 → 20.9.
    low: Findings = {
        "w_news": {"none": YES},
        "w_policy": {"none": YES},
        "w_interp": {"none": YES},
        "w_msg_public": {"none": YES},
        "w_reply": {"late": 1},
        "w_items": {"none": YES},
        "w_tags": {"content": 1},
    }
    sheet = Sheet(unit("市发展改革委")).set_site("信用中国(四川绵阳)", low)
    us = sheet.score()
    credit = sheet.site("信用中国(四川绵阳)")
    by_site = {t.target: t for t in us.part("p2w").targets}
    assert by_site[credit].points == D("20.9") and by_site[credit].passed is False
    assert by_site[sheet.site("绵阳市发展和改革委员会")].passed is True
    assert part_points(us, "p2w") == D("27.95")  # (35 + 20.9) / 2
    # the unit's 21-point line is judged on the mean (27.95): 合格; the site keeps its 不合格
    assert us.part("p2w").passed is True
    assert thresholds(us)["p2w"] == "合格" and thresholds(us)[f"p2w/{credit}"] == "不合格"
    # 15 + 27.95 + 20 + 30 = 92.95: still 第二等次, not vetoed; p2 = 47.95 ≥ 44.
    assert (us.total, us.tier, us.vetoed, us.bonus_counted) == (D("92.95"), "第二等次", False, True)
    # Without the label finding the site is exactly 21 and passes.
    at_21 = Sheet(unit("市发展改革委")).set_site("信用中国(四川绵阳)", low | {"w_tags": {"content": 0}}).score()
    assert all(t.passed for t in at_21.part("p2w").targets)


# 动态要闻 3 + 政策文件 3 + 政策解读 3 (none opened) + 留言公开 2 + 办理答复 2 (one late reply) = 13 → 22
SITE_22: Findings = {
    "w_news": {"none": YES},
    "w_policy": {"none": YES},
    "w_interp": {"none": YES},
    "w_msg_public": {"none": YES},
    "w_reply": {"late": 1},
}
SITE_20_9: Findings = SITE_22 | {"w_items": {"none": YES}, "w_tags": {"content": 1}}  # 14.1 → 20.9


def hr_sites(third: Findings) -> Sheet:
    """市人力资源社会保障局 with its websites at 22, 22 and whatever ``third`` gives."""
    sheet = Sheet(unit("市人力资源社会保障局"))
    sheet.set_site("绵阳市人力资源和社会保障局", SITE_22).set_site("绵阳市社会保险事务中心", SITE_22)
    return sheet.set_site("绵阳市就业创业促进中心", third)


def test_the_21_point_line_of_a_unit_with_several_websites_is_judged_on_their_mean() -> None:
    """政府网站得分取本单位所有网站的平均得分: 22, 22 and 20.9 → 21.63 ≥ 21, the unit's line is
    合格 although one website alone is below 21 (that website is still 不合格)."""
    sheet = hr_sites(SITE_20_9)
    us = sheet.score()
    p2w = us.part("p2w")
    by_site = {t.target: t for t in p2w.targets}
    low = sheet.site("绵阳市就业创业促进中心")
    assert [by_site[t.id].points for t in sheet.unit.targets] == [D(22), D(22), D("20.9")]
    assert by_site[low].passed is False and all(by_site[t].passed for t in by_site if t != low)
    assert (p2w.points, p2w.passed) == (D("21.63"), True)
    assert thresholds(us)["p2w"] == "合格" and thresholds(us)[f"p2w/{low}"] == "不合格"
    # a mean below 21 fails the line: 22, 22 and 18.5 → 20.83
    worse = (
        hr_sites(SITE_20_9 | {"w_compat": {"browsers": 2}, "w_tags": {"content": 5}, "w_search": {"none": YES}})
        .score()
        .part("p2w")
    )
    assert (worse.points, worse.passed) == (D("20.83"), False)
    # a veto on any website fails the unit's line whatever the mean (任一网站触发单项否决,该单位即被否决)
    vetoed = hr_sites(SITE_22 | {"wv_home": {"stale": YES}}).score()
    assert vetoed.part("p2w").points >= 21 and vetoed.part("p2w").passed is False


def test_new_media_below_12() -> None:
    at_12 = Sheet(unit("安州区")).set(MEDIA_12).score()
    assert part_points(at_12, "p2m") == D(12) and at_12.part("p2m").passed is True
    below = Sheet(unit("安州区")).set(MEDIA_12).set(ONE_TYPO).score()
    p2m = below.part("p2m")
    assert (p2m.points, p2m.passed) == (D("11.9"), False)
    assert thresholds(below)["p2m"] == "不合格"
    # 15 + 35 + 11.9 + 30 = 91.9: the unit keeps 第二等次.
    assert (below.total, below.tier, below.vetoed) == (D("91.9"), "第二等次", False)


def test_not_applicable_rows_deduct_nothing() -> None:
    # Findings typed into 概况信息 and 统一登录 of a department's site are not its inputs:
    # the rows do not apply and keep their points.
    dept = Sheet(unit("市教体局"))
    site = dept.unit.targets[0].id
    assert ReadingKey(site, "w_profile", "none") not in dept.values
    assert ReadingKey(site, "w_unified_login", "none") not in dept.values
    dept.values[ReadingKey(site, "w_profile", "none")] = YES
    dept.values[ReadingKey(site, "w_unified_login", "none")] = YES
    us = dept.score()
    assert crit_points(us, "w_profile", site) == D(1)
    assert crit_points(us, "w_unified_login", site) == D(1)
    assert part_points(us, "p2w") == D(35)
    # The same findings on a county's site: −1 each → 33.
    county = Sheet(unit("梓潼县"))
    county.set_all_sites({"w_profile": {"none": YES}, "w_unified_login": {"none": YES}})
    assert part_points(county.score(), "p2w") == D(33)


def test_guidance_term_only_for_departments_with_the_task() -> None:
    # 市教体局 has a 督促指导 task: −1 → p1 14.  市审计局 has none: the input is not asked.
    us = Sheet(unit("市教体局")).set({"p1_1": {"guidance": YES}}).score()
    assert part_points(us, "p1") == D(14)
    audit = Sheet(unit("市审计局"))
    assert ReadingKey("", "p1_1", "guidance") not in audit.values
    audit.values[ReadingKey("", "p1_1", "guidance")] = YES
    assert part_points(audit.score(), "p1") == D(15)


@pytest.mark.parametrize(
    ("fails", "visits", "vetoed"),
    [(7, 140, True), (6, 140, False), (8, 140, True), (0, 0, False), (1, 20, True)],
)
def test_site_unreachable_veto_at_5_percent(fails: int, visits: int, vetoed: bool) -> None:
    # 7 / 140 = 5% exactly: 超过(含)5% → veto.  6 / 140 = 4.29%: none.
    us = Sheet(unit("盐亭县")).set_all_sites({"wv_down": {"fails": fails, "visits": visits}}).score()
    assert us.vetoed is vetoed
    assert us.total == D(100)  # a veto never changes points
    assert us.tier == ("不合格" if vetoed else "第二等次")
    if vetoed:
        assert us.vetoes[0].reason.startswith("站点无法访问")


def test_service_veto_skips_units_without_outside_service() -> None:
    idle = Sheet(unit("市机关事务管理局"))
    site = idle.unit.targets[0].id
    assert ReadingKey(site, "wv_service", "no_service") not in idle.values
    idle.values[ReadingKey(site, "wv_service", "no_service")] = YES
    assert not idle.score().vetoed
    busy = Sheet(unit("市教体局")).set_all_sites({"wv_service": {"no_service": YES}}).score()
    assert [v.reason for v in busy.vetoes] == ["未提供办事服务"]
    four = Sheet(unit("市教体局")).set_all_sites({"wv_service": {"poor_guides": 4}}).score()
    five = Sheet(unit("市教体局")).set_all_sites({"wv_service": {"poor_guides": 5}}).score()
    assert (four.vetoed, five.vetoed) == (False, True)


@pytest.mark.parametrize(
    ("inputs", "reason"),
    [
        ({"stale_key": 5}, "动态要闻及通知公告、政策文件类栏目累计超过(含)5个未更新"),
        ({"stale_long": 10}, "应更新但长期未更新的栏目超过(含)10个"),
        ({"blank": 5}, "空白栏目超过(含)5个"),
        ({"stale_key": 4, "stale_long": 9, "blank": 4}, None),
    ],
)
def test_column_vetoes_use_at_least(inputs: dict[str, object], reason: str | None) -> None:
    us = Sheet(unit("平武县")).set_all_sites({"wv_columns": inputs}).score()
    assert [v.reason for v in us.vetoes] == ([reason] if reason else [])


def test_new_media_veto_names_the_account() -> None:
    sheet = Sheet(unit("北川羌族自治县")).set({"mv_security": {"wording": YES}})
    sheet.values[ReadingKey("", "mv_security", "account")] = "北川发布(微信公众号)"
    us = sheet.score()
    (hit,) = us.vetoes
    assert (hit.part, hit.criterion, hit.reason) == (
        "p2m",
        "mv_security",
        "出现严重表述错误(涉及账号:北川发布(微信公众号))",
    )
    crit = next(c for c in resolve(RUBRIC, sheet.unit).walk() if c.id == hit.criterion)
    assert [i.label for i in crit.live_inputs() if i.kind is InputKind.TEXT] == ["涉及账号"]
    assert us.part("p2m").vetoed and us.part("p2m").passed is False
    assert (us.total, us.tier) == (D(100), "不合格")


@pytest.mark.parametrize(
    ("findings", "p3"),
    [
        ({"d_redhead": {"done": 0}}, "28"),  # 未开展 −2
        ({"d_redhead": {"done": "49.9"}}, "29"),  # 未过半 −1
        ({"d_redhead": {"done": "49.99"}}, "29"),
        ({"d_redhead": {"done": 50}}, "29"),  # 过半 is more than half: exactly 50% is 未过半, −1
        ({"d_redhead": {"done": "50.01"}}, "29.5"),  # < 80 −0.5
        ({"d_redhead": {"done": "79.9"}}, "29.5"),
        ({"d_redhead": {"done": 80}}, "30"),
        ({"d_push": {"done": 0}}, "27"),  # 未开展 −3
        ({"d_push": {"done": 30}}, "29"),
        ({"d_push": {"done": "49.99"}}, "29"),  # 低于50% −1
        ({"d_push": {"done": 50}}, "29.5"),  # 50% is not 低于50%: −0.5
        ({"d_push": {"done": "50.01"}}, "29.5"),
        ({"d_push": {"done": 60}}, "29.5"),
        ({"d_errata": {"done": 0}}, "27"),  # −3
        ({"d_errata": {"done": 49}}, "28"),  # −2
        ({"d_errata": {"done": 50}}, "29.5"),  # −0.5
        ({"d_notices": {"province": 1, "city": 1}}, "20"),  # 10 + 3 → capped at 10
        ({"d_notices": {"city": 2, "no_report": 1}}, "23"),  # 3 + 3 + 1
        ({"d_meetings": {"issues": 1}}, "29.5"),  # each situation −0.5
        ({"d_meetings": {"issues": 3}}, "29"),  # capped at 1
        ({"d_supervise": {"unfixed": 1, "late": 2, "unreported": 1}}, "27.9"),  # 1 + 0.6 + 0.5
        ({"d_documents": {"fetch": "存在领取不及时"}}, "29.7"),
        ({"d_summary": {"issues": 1}, "d_column": {"incomplete": YES, "irregular": YES}}, "27.5"),
    ],
)
def test_daily_work_bands_and_caps(findings: Findings, p3: str) -> None:
    us = Sheet(unit("游仙区")).set(findings).score()
    assert part_points(us, "p3") == D(p3)


@pytest.mark.parametrize(
    ("findings", "site"),
    [
        ({"w_ipv6": {"support": 99}}, "35"),
        ({"w_ipv6": {"support": "98.9"}}, "34.8"),  # < 99: −0.2
        ({"w_ipv6": {"support": 95}}, "34.8"),
        ({"w_ipv6": {"support": "94.9"}}, "34.5"),  # < 95: −0.5, not −0.7
        ({"w_ipv6": {"none": YES, "support": 90}}, "34"),  # 1 + 0.5 → capped at 1
        ({"w_reply": {"late": 1}}, "33"),  # one reply late −2
        ({"w_reply": {"poor": 1}}, "34"),
        ({"w_interp_link": {"to_doc": 2, "to_interp": 1}}, "34.1"),  # 0.9
        ({"w_marks": {"missing": 6}}, "34"),  # 1.2 → capped at 1
        ({"w_stats": {"update": "1至3个月内有更新"}}, "34.5"),
        ({"w_other_cols": {"stale": 3}}, "34.7"),
        ({"w_msg_handling": {"late": 1}}, "34"),
    ],
)
def test_website_rows(findings: Findings, site: str) -> None:
    us = Sheet(unit("三台县")).set_all_sites(findings).score()
    assert part_points(us, "p2w") == D(site)


@pytest.mark.parametrize(
    ("findings", "p4"),
    [
        ({"b_innovation": {"leaders": 3}}, "2"),  # 领导肯定 up to 2
        ({"b_innovation": {"national": YES, "leaders": 1}}, "6"),  # capped at 6
        ({"b_adoption": {"province": 1, "city": 2}}, "4"),
        ({"b_adoption": {"province": 3}}, "5"),  # 6 → capped at 5
        ({"b_data": {"column": "3至6个月内有更新"}}, "1"),
        ({"b_data": {"column": "3至6个月内有更新", "charts": YES, "datasets": YES}}, "2"),  # 3 → cap 2
        ({"b_survey": {"events": 5, "feedback": YES}}, "1"),  # fewer than 6
        ({"b_survey": {"events": 6}}, "2"),  # 超过(含)6次
        ({"b_realtime": {"bot": YES}}, "2"),
        ({"b_smart_search": {"found": 2, "fuzzy": YES}}, "3"),
    ],
)
def test_bonus_caps(findings: Findings, p4: str) -> None:
    us = Sheet(unit("江油市")).set(findings).score()
    assert part_points(us, "p4") == D(p4)


def test_missing_evidence_counts_as_work_not_done() -> None:
    # 重大领域公开 without materials → 0 of 4; p1 = 11.  创新发展 without materials → 0.
    us = (
        Sheet(unit("经开区")).set({"p1_2": {"evidence": NO}, "b_innovation": {"national": YES, "evidence": NO}}).score()
    )
    assert crit_points(us, "p1_2") == D(0)
    assert part_points(us, "p1") == D(11)
    assert part_points(us, "p4") == D(0)
    evidence_rows = {c.id for c in RUBRIC.variants[0].walk() if c.evidence}
    assert evidence_rows == {"p1_1", "p1_2", "p1_3", "p1_4", "b_innovation"}


def test_part_one_item_one_terms() -> None:
    # (1) 3 situations × 0.5 + (2) 2 actions × 0.5 = 2.5 → 2.5 left of 5; 通报 −5 → 0.
    us = Sheet(unit("科技城新区")).set({"p1_1": {"basics": 3, "abilities": 2}}).score()
    assert crit_points(us, "p1_1") == D("2.5")
    us = Sheet(unit("科技城新区")).set({"p1_1": {"basics": 1, "notified": YES}}).score()
    assert crit_points(us, "p1_1") == D(0)
    assert part_points(us, "p1") == D(10)
