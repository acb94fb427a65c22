"""The 荆州 2021 rubric as data: maxima, check against its sample roster, per-unit resolution,
and hand-computed scenarios scored by the engine.

Every expected number below was worked out by hand from the source text (附件2 of the notice)
and the readings recorded in the rubric's `notes` and `note`s; the comment beside each scenario
shows the sum.
"""

from __future__ import annotations

import math
from collections import Counter
from decimal import Decimal as D
from pathlib import Path

import pytest
from source_texts import JINGZHOU_2021, source_text

from zwgk_cli import engine as scoring
from zwgk_cli import rubric
from zwgk_cli.model import (
    NO,
    YES,
    Criterion,
    Input,
    InputKind,
    NodeScore,
    ReadingKey,
    Rubric,
    Style,
    TermKind,
    Unit,
    UnitScore,
    Value,
    Variant,
)
from zwgk_cli.problems import Severity
from zwgk_cli.roster import Roster, load_roster

ROOT = Path(__file__).resolve().parent.parent
UNITS_CSV = ROOT / "sample_data" / "jingzhou-2021" / "units.csv"

Values = dict[ReadingKey, Value | None]


@pytest.fixture(scope="module")
def rub() -> Rubric:
    return rubric.load("jingzhou-2021")


@pytest.fixture(scope="module")
def roster() -> Roster:
    r = load_roster(UNITS_CSV)
    assert not r.problems
    return r


def unit(roster: Roster, name: str) -> Unit:
    u = roster.unit(name)
    assert u is not None, name
    return u


# ------------------------------------------------------------------ perfect values


def _perfect_value(c: Criterion, inp: Input) -> Value:
    """What a unit that did everything right (and was never 通报) enters for one input."""
    if inp.id == "evidence":
        return YES
    term = next(t for t in c.terms if inp.id in t.inputs)
    if c.style is not Style.AWARD:  # deduction and penalty: nothing found
        return NO if inp.kind is InputKind.YES_NO else D(0)
    if term.kind is TermKind.FLAG:
        return YES
    if term.kind is TermKind.CHOICE:
        return max(term.choices, key=lambda kv: kv[1])[0]
    if term.kind is TermKind.ENTERED:
        assert inp.max is not None
        return inp.max
    if term.kind is TermKind.BANDS:
        best = max(term.bands, key=lambda b: b.points)
        return best.value + 1 if best.op == ">" else best.value
    assert term.kind is TermKind.PER
    if inp.max is not None:
        return inp.max
    top = term.cap if term.cap is not None else c.max
    assert top is not None
    return D(math.ceil(top / term.points))


def perfect(variant: Variant) -> Values:
    """Every live input of a resolved variant filled with its full-marks value."""
    out: Values = {}
    for _, _, c in rubric.walk_with_path(variant):
        for inp in c.live_inputs():
            out[ReadingKey("", c.id, inp.id)] = _perfect_value(c, inp)
    return out


def run(rub: Rubric, u: Unit, overrides: dict[tuple[str, str], Value | None]) -> UnitScore:
    variant = rubric.resolve(rub, u)
    values = perfect(variant)
    for (crit, inp), value in overrides.items():
        key = ReadingKey("", crit, inp)
        assert key in values, f"no such live input: {crit}/{inp}"
        values[key] = value
    return scoring.score_unit(rub, variant, u, values)


def parts(s: UnitScore) -> dict[str, D]:
    return {p.id: p.points for p in s.parts}


def crit_points(s: UnitScore, cid: str) -> D | None:
    """The points of one criterion (``None``: inputs missing)."""
    found: dict[str, D | None] = {}

    def walk(nodes: tuple[NodeScore, ...]) -> None:
        for n in nodes:
            found.update((cs.criterion, cs.points) for cs in n.criteria)
            walk(n.children)

    for p in s.parts:
        walk(p.nodes)
    return found[cid]


# ------------------------------------------------------------------ maxima and structure


def test_variant_maxima(rub: Rubric) -> None:
    county, dept = rub.variant("county"), rub.variant("dept")
    assert county.groups == ("县市区", "功能区") and dept.groups == ("市直部门",)
    assert county.max == D(120) and dept.max == D(100)
    assert [(p.id, p.title, p.max) for p in county.parts] == [
        ("rcgz", "日常工作", D(15)),
        ("zwgk", "政务公开", D(50)),
        ("wzjs", "网站建设", D(25)),
        ("zwxmt", "政务新媒体", D(10)),
        ("jf", "加分指标", D(20)),
        ("kfzb", "扣分指标", None),
    ]
    assert [(p.id, p.max) for p in dept.parts] == [
        ("rcgz", D(15)),
        ("zwgk", D(50)),
        ("wzjs", D(25)),
        ("zwxmt", D(10)),
        ("kfzb", None),
    ]
    assert county.part("jf").kind.value == "bonus" and county.part("kfzb").kind.value == "penalty"
    assert dept.part("kfzb").kind.value == "penalty"
    assert county.part("wzjs").veto_effect.value == "zero" and dept.part("wzjs").veto_effect.value == "zero"
    assert not rub.tiers and rub.veto_label == "否决"


def test_every_indicator_adds_up(rub: Rubric) -> None:
    for v in rub.variants:
        for p in v.walk_parts():
            if p.max is None:
                continue
            assert sum((i.max or D(0) for i in p.indicators), D(0)) == p.max, (v.id, p.id)
            for ind in p.indicators:
                assert ind.max is not None
                if ind.criteria:
                    assert sum((c.max or D(0) for c in ind.criteria), D(0)) == ind.max, (v.id, ind.id)
                for s in ind.by_unit:
                    assert sum((c.max or D(0) for c in s.criteria), D(0)) == ind.max, (v.id, ind.id, s.names)


def test_criterion_counts_and_unique_ids(rub: Rubric) -> None:
    def all_criteria(v: Variant) -> list[Criterion]:
        out: list[Criterion] = []
        for p in v.walk_parts():
            for ind in p.indicators:
                out.extend(ind.criteria)
                for s in ind.by_unit:
                    out.extend(s.criteria)
        return out

    county, dept = all_criteria(rub.variant("county")), all_criteria(rub.variant("dept"))
    # 县市区: 日常工作 6, 政务公开 39, 网站建设 16, 新媒体 5, 加分 5, 通报曝光 1
    assert len(county) == 72
    # 市直部门: 日常工作 3, 政务公开 25 + 重点领域 57 (21 own lines + the generic), 网站建设 14, 新媒体 5, 通报 1
    assert len(dept) == 105
    for crits in (county, dept):
        ids = [c.id for c in crits]
        assert len(ids) == len(set(ids))
    zdjc = next(i for i in rub.variant("county").part("zwgk").indicators if i.id == "zwgk_zdjc")
    assert [c.max for c in zdjc.criteria] == [D(1), D(2), D(3), D(1)]
    assert zdjc.criteria[3].text.startswith("3.设置政府会议栏目")  # the source's duplicated "3."


def test_evidence_on_daily_work_and_bonus(rub: Rubric) -> None:
    for v in rub.variants:
        for p in v.walk_parts():
            for c in p.walk():
                assert c.evidence is (p.id in ("rcgz", "jf")), (v.id, c.id)
    kinds = {n.kind for n in rub.notes}
    assert {"reading", "typo"} <= kinds
    typo_text = " ".join(n.text for n in rub.notes if n.kind == "typo")
    for needle in ("2022年1月10日", "得4分", "工作推进落实", "2020年", "3."):
        assert needle in typo_text


def test_texts_are_verbatim(rub: Rubric) -> None:
    source = source_text(JINGZHOU_2021)
    for v in rub.variants:
        for p in v.walk_parts():
            for ind in p.indicators:
                crits = list(ind.walk()) + [c for s in ind.by_unit for c in s.criteria]
                for c in crits:
                    assert c.text in source, (v.id, c.id)


# ------------------------------------------------------------------ check and roster


def test_sample_roster(roster: Roster) -> None:
    assert len(roster.units) == 43
    assert Counter(u.group for u in roster.units) == {"县市区": 8, "功能区": 3, "市直部门": 32}
    assert [u.id for u in roster.units] == [f"JZ{i:02d}" for i in range(1, 44)]
    assert roster.units[0].name == "荆州区" and roster.units[8].name == "荆州开发区"
    assert roster.units[11].name == "市发展和改革委员会" and roster.units[-1].name == "市政务服务和大数据管理局"


def test_check_gives_exactly_the_expected_warnings(rub: Rubric, roster: Roster) -> None:
    problems = rubric.check(rub, roster.units)
    assert not [p for p in problems if p.severity is Severity.ERROR]
    assert Counter(p.code for p in problems) == {"R010": 1, "R013": 2, "R014": 1}
    r010 = next(p for p in problems if p.code == "R010")
    assert "rcgz_ysq" in r010.path and "依申请公开" in r010.message and "得4分" in r010.message
    assert {p.unit for p in problems if p.code == "R013"} == {"市经济和信息化局", "荆州住房公积金中心"}
    assert [p.unit for p in problems if p.code == "R014"] == ["市医疗保障局"]
    assert all(p.unit in p.message and "{" not in p.message for p in problems)


def test_every_alias_names_exactly_one_unit(rub: Rubric, roster: Roster) -> None:
    names = [u.name for u in roster.units]
    for short, full in rub.aliases.items():
        assert names.count(full) == 1, short


# ------------------------------------------------------------------ resolution


def _zdly(v: Variant) -> list[Criterion]:
    return list(next(i for i in v.part("zwgk").indicators if i.id == "zwgk_zdly").criteria)


def test_each_department_gets_its_own_key_area_set(rub: Rubric, roster: Roster) -> None:
    sets: dict[str, list[tuple[str, D | None]]] = {}
    for u in roster.units:
        v = rubric.resolve(rub, u)
        if u.group == "市直部门":
            assert v.id == "dept"
            crits = _zdly(v)
            assert sum((c.max or D(0) for c in crits), D(0)) == D(6)
            sets[u.name] = [(c.id, c.max) for c in crits]
        else:
            assert v.id == "county"
    assert sets["市发展和改革委员会"] == [
        ("zdly_fgw_1", D(1)),
        ("zdly_fgw_2", D(2)),
        ("zdly_fgw_3", D(2)),
        ("zdly_fgw_4", D(1)),
    ]
    assert sets["市医疗保障局"] == [("zdly_ybj_1", D(3)), ("zdly_ybj_2", D(3))]
    assert sets["市教育局"] == [("zdly_jyj_1", D(2)), ("zdly_jyj_2", D(2)), ("zdly_jyj_3", D(2))]
    assert sets["市人力资源和社会保障局"] == [
        ("zdly_rsj_1", D(2)),
        ("zdly_rsj_2", D(2)),
        ("zdly_rsj_3", D(1)),
        ("zdly_rsj_4", D(1)),
    ]
    generic = [("zdly_ty_1", D(6))]
    got_generic = sorted(name for name, s in sets.items() if s == generic)
    assert got_generic == sorted(
        [
            "市审计局",
            "市商务局",
            "市司法局",
            "市乡村振兴局",
            "市退役军人事务局",
            "市统计局",
            "市地方金融工作局",
            "市民族宗教事务委员会",
            "市政务服务和大数据管理局",
            "市经济和信息化局",
            "荆州住房公积金中心",
        ]
    )
    # the 21 departments with their own line each get a different set
    own = [tuple(s) for s in sets.values() if s != generic]
    assert len(own) == 21 and len(set(own)) == 21


def test_resolved_key_area_text(rub: Rubric, roster: Roster) -> None:
    crits = _zdly(rubric.resolve(rub, unit(roster, "市政府国有资产监督管理委员会")))
    assert crits[0].text == "公开出资企业主要经济效益指标,得2分"
    crits = _zdly(rubric.resolve(rub, unit(roster, "市经济和信息化局")))
    assert crits[0].text == "公开本部门相关领域信息,得6分"


# ------------------------------------------------------------------ scenarios

# (scenario, unit, findings, expected part points, expected total, vetoed)
S = tuple[str, str, dict[tuple[str, str], Value | None], dict[str, str], str, bool]

SCENARIOS: list[S] = [
    # full marks: 15 + 50 + 25 + 10 + 20 = 120 and 15 + 50 + 25 + 10 = 100
    ("full county", "沙市区", {}, {"rcgz": "15", "zwgk": "50", "wzjs": "25", "zwxmt": "10", "jf": "20"}, "120", False),
    ("full zone", "纪南文旅区", {}, {"jf": "20"}, "120", False),
    ("full dept", "市公安局", {}, {"rcgz": "15", "zwgk": "50", "wzjs": "25", "zwxmt": "10"}, "100", False),
    # 5 blank columns: 2 − 5×1 → 0 (扣完为止), not > 5 so no veto: 网站建设 25 − 2 = 23, total 118
    ("blank 5 county", "荆州区", {("wzjs_rcgx_1", "blank"): D(5)}, {"wzjs": "23"}, "118", False),
    # 6 blank columns: > 5 → 政府网站工作一票否决: 网站建设 0, total 120 − 25 = 95
    ("blank 6 county", "荆州区", {("wzjs_rcgx_1", "blank"): D(6)}, {"wzjs": "0"}, "95", True),
    # dept, 2 blank columns: 3 − 2 = 1 → 网站建设 23, total 98
    ("blank 2 dept", "市民政局", {("wzjs_rcgx_1", "blank"): D(2)}, {"wzjs": "23"}, "98", False),
    # dept, 10 stale columns: 3 − 10×0.5 → 0, not > 10: 网站建设 22, total 97
    ("stale 10 dept", "市财政局", {("wzjs_rcgx_2", "stale"): D(10)}, {"wzjs": "22"}, "97", False),
    # dept, 11 stale columns: > 10 → veto: 网站建设 0, total 75
    ("stale 11 dept", "市财政局", {("wzjs_rcgx_2", "stale"): D(11)}, {"wzjs": "0"}, "75", True),
    # county, 3 stale columns: 2 − 1.5 = 0.5 → 网站建设 23.5, total 118.5
    ("stale 3 county", "石首市", {("wzjs_rcgx_2", "stale"): D(3)}, {"wzjs": "23.5"}, "118.5", False),
    # 市发改委 own set 1+2+2+1: 收费目录 (2) and 历史规划 (1) missing → 3 of 6: 政务公开 47, total 97
    (
        "fgw own set",
        "市发展和改革委员会",
        {("zdly_fgw_2", "ok"): NO, ("zdly_fgw_4", "ok"): NO},
        {"zwgk": "47"},
        "97",
        False,
    ),
    # 市医疗保障局 scored on its own line (3+3), not the generic 6: 医保监管 missing → 3
    ("ybj own line", "市医疗保障局", {("zdly_ybj_1", "ok"): NO}, {"zwgk": "47"}, "97", False),
    # 市经济和信息化局 on the generic line: not published → 0 of 6: 政务公开 44, total 94
    ("generic line", "市经济和信息化局", {("zdly_ty_1", "ok"): NO}, {"zwgk": "44"}, "94", False),
    # 领导重视 3 批示 = 6 → capped at 4; 先进经验 荆州 1 + 湖北 1 = 5 → capped at 4: 加分 still 20
    (
        "bonus caps",
        "松滋市",
        {("jf_ldzs", "times"): D(3), ("jf_xjjy", "city"): D(1), ("jf_xjjy", "prov"): D(1), ("jf_xjjy", "nat"): D(0)},
        {"jf": "20"},
        "120",
        False,
    ),
    # 先进经验: one 湖北 publication = 3; 领导重视 1 = 2; 创新案例 2.5; 新技术 0; 优秀做法 4
    # 加分 = 2 + 2.5 + 0 + 4 + 3 = 11.5; total 100 + 11.5 = 111.5
    (
        "partial bonus",
        "公安县",
        {
            ("jf_ldzs", "times"): D(1),
            ("jf_cxal", "pts"): D("2.5"),
            ("jf_xjsyy", "pts"): D(0),
            ("jf_xjjy", "city"): D(0),
            ("jf_xjjy", "prov"): D(1),
            ("jf_xjjy", "nat"): D(0),
        },
        {"jf": "11.5"},
        "111.5",
        False,
    ),
    # 先进经验 national 2 = 8 → 4
    ("national capped", "监利市", {("jf_xjjy", "nat"): D(2)}, {"jf": "20"}, "120", False),
    # 通报曝光: website 国办 1 (10) + new media 市 3 个次 (1.5) = 11.5 → 120 − 11.5 = 108.5
    (
        "penalties",
        "洪湖市",
        {("tbbg", "web_gb"): D(1), ("tbbg", "xmt_sj"): D(3)},
        {"kfzb": "11.5"},
        "108.5",
        False,
    ),
    # 通报曝光 larger than the total: 国办 5 (50) + 省办 6 (30) + 纠错 12 (24) = 104 > 100 → total 0
    (
        "floor at 0",
        "市统计局",
        {("tbbg", "web_gb"): D(5), ("tbbg", "web_sb"): D(6), ("tbbg", "jcpt"): D(12)},
        {"kfzb": "104"},
        "0",
        False,
    ),
    # no evidence for 工作推进落实 item 1 (2) and 政务公开专区 (4): 日常工作 15 − 6 = 9; total 114
    (
        "evidence missing",
        "江陵县",
        {("rcgz_tjls_1", "evidence"): NO, ("rcgz_zq", "evidence"): NO},
        {"rcgz": "9"},
        "114",
        False,
    ),
    # no evidence for 创新案例: 加分 20 − 4 = 16; total 116
    ("bonus evidence missing", "荆州开发区", {("jf_cxal", "evidence"): NO}, {"jf": "16"}, "116", False),
    # dept 日常工作 all without evidence: 0; total 85
    (
        "dept evidence missing",
        "市商务局",
        {("rcgz_tjls", "evidence"): NO, ("rcgz_ysq", "evidence"): NO, ("rcgz_xmtjg", "evidence"): NO},
        {"rcgz": "0"},
        "85",
        False,
    ),
    # dept 工作推进落实 酌情 3.5 of 5: 日常工作 13.5; total 98.5
    ("discretion", "市司法局", {("rcgz_tjls", "pts"): D("3.5")}, {"rcgz": "13.5"}, "98.5", False),
    # dept 链接可用性: homepage 1 (−1) + other 3 (−0.6) = −1.6 → capped at 1: item 0 → 网站建设 24
    (
        "links capped",
        "市交通运输局",
        {("wzjs_ljky", "home"): D(1), ("wzjs_ljky", "other"): D(3)},
        {"wzjs": "24"},
        "99",
        False,
    ),
    # dept 链接可用性: other pages 3 → 1 − 0.6 = 0.4 → 网站建设 24.4; total 99.4
    ("links other", "市交通运输局", {("wzjs_ljky", "other"): D(3)}, {"wzjs": "24.4"}, "99.4", False),
    # 互动交流: 5 working days → 1 of 2; 征集调查 (dept) 4 次 → 1 of 2: 网站建设 23; total 98
    (
        "reply and survey",
        "市水利和湖泊局",
        {("wzjs_hdjl_2", "reply"): "5个工作日内准确答复", ("wzjs_zjdc_2", "times"): D(4)},
        {"wzjs": "23"},
        "98",
        False,
    ),
    # county 征集调查 5 次 → 0 of 1 (needs ≥ 6); 内容建设 an account idle 2 weeks → 0 of 2
    (
        "county survey and idle account",
        "荆州高新区",
        {("wzjs_zjdc_2", "times"): D(5), ("xmt_nrjs", "freq"): "辖内政务新媒体出现2周内无更新"},
        {"wzjs": "24", "zwxmt": "8"},
        "117",
        False,
    ),
    # county 内容建设 fortnightly → 1; 责任主体 1 problem → 1: 新媒体 10 − 1 − 1 = 8
    (
        "fortnightly and one issue",
        "沙市区",
        {("xmt_nrjs", "freq"): "每2周更新1次", ("xmt_zrzt", "issues"): D(1)},
        {"zwxmt": "8"},
        "118",
        False,
    ),
    # county samples: 征求意见 2 of 3 compliant (2), 文件完整性 1 of 3 (1), 解读形式 5 → capped 3,
    # 政策解读 item 1 not all interpreted (0 of 3): 政务公开 50 − 1 − 2 − 3 = 44; total 114
    (
        "samples",
        "监利市",
        {
            ("zwgk_zdjc_3", "good"): D(2),
            ("zwgk_zcwj_2", "good"): D(1),
            ("zwgk_zcjd_2", "forms"): D(5),
            ("zwgk_zcjd_1", "all"): NO,
        },
        {"zwgk": "44"},
        "114",
        False,
    ),
    # dept 发布解读 weekly once → 1 of 2; 协调联动 no 主题宣传 → 1 of 2: 新媒体 8; total 98
    (
        "dept new media",
        "市统计局",
        {("xmt_fbjd", "freq"): "每周更新1次", ("xmt_xtld", "theme"): NO},
        {"zwxmt": "8"},
        "98",
        False,
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_scenario(rub: Rubric, roster: Roster, scenario: S) -> None:
    _, name, findings, expected_parts, expected_total, vetoed = scenario
    s = run(rub, unit(roster, name), findings)
    assert s.complete and not s.missing
    got = parts(s)
    for part_id, pts in expected_parts.items():
        assert got[part_id] == D(pts), part_id
    assert s.total == D(expected_total)
    assert s.vetoed is vetoed


def test_blank_columns_veto_reason(rub: Rubric, roster: Roster) -> None:
    s = run(rub, unit(roster, "荆州区"), {("wzjs_rcgx_1", "blank"): D(6)})
    assert [(v.part, v.criterion, v.reason) for v in s.vetoes] == [
        ("wzjs", "wzjs_rcgx_1", "政府网站工作一票否决:空白栏目超过5个")
    ]
    wzjs = s.part("wzjs")
    assert wzjs.vetoed and wzjs.points == 0 and wzjs.raw == D(23)  # 25 − 2: the points the veto wiped out
    assert crit_points(s, "wzjs_rcgx_1") == 0


def test_stale_veto_and_blank_veto_together(rub: Rubric, roster: Roster) -> None:
    s = run(rub, unit(roster, "市卫生健康委员会"), {("wzjs_rcgx_1", "blank"): D(7), ("wzjs_rcgx_2", "stale"): D(12)})
    assert sorted(v.criterion for v in s.vetoes) == ["wzjs_rcgx_1", "wzjs_rcgx_2"]
    assert parts(s)["wzjs"] == 0 and s.total == D(75)


def test_yishenqing_capped_at_two(rub: Rubric, roster: Roster) -> None:
    s = run(rub, unit(roster, "荆州区"), {})
    assert crit_points(s, "rcgz_ysq") == D(2)  # text says 得4分; 分值 2
    s = run(rub, unit(roster, "荆州区"), {("rcgz_ysq", "ok"): NO})
    assert crit_points(s, "rcgz_ysq") == 0 and parts(s)["rcgz"] == D(13)


def test_missing_inputs_are_reported_not_zeroed(rub: Rubric, roster: Roster) -> None:
    s = run(
        rub,
        unit(roster, "市教育局"),
        {("zdly_jyj_2", "ok"): None, ("wzjs_ljky", "other"): None, ("rcgz_ysq", "evidence"): None},
    )
    assert not s.complete
    assert set(s.missing) == {
        ReadingKey("", "zdly_jyj_2", "ok"),
        ReadingKey("", "wzjs_ljky", "other"),
        ReadingKey("", "rcgz_ysq", "evidence"),
    }
    assert crit_points(s, "zdly_jyj_2") is None and crit_points(s, "wzjs_ljky") is None
    assert crit_points(s, "rcgz_ysq") is None
    # the missing items are left out of the sums, not scored 0 as findings would be
    assert parts(s)["zwgk"] == D(48) and parts(s)["wzjs"] == D(24) and parts(s)["rcgz"] == D(10)


def test_a_worked_county(rub: Rubric, roster: Roster) -> None:
    """A whole county worked through by hand, many findings at once.

    日常工作: 工作推进落实 1+0 +2 +0 = 3; 专区 4; 依申请 2; 新媒体工作落实 2.5 → 11.5
    政务公开: 重大决策 1+1+2+0 = 4; 政策文件 1+2+1 = 4; 解读 0+2+3 = 5; 解读回应 2; 规划 3; 财政 3;
              市场监管 2; 重点领域 9 − 2 = 7; 建议提案 1; 年报 2; 目录 3; 指南 1; 内容 0 → 37
    网站建设: 日常更新 (2 − 1) + (2 − 1.5) = 1.5; 概况 2; 动态 0; 数据 3; 互动 1 + 0 = 1;
              征集 1 + 1 = 2; 访谈 1; 链接 0; 平台 5; 规范 1 → 16.5
    新媒体: 渠道 1; 内容 1; 责任主体 2 − 2 = 0; 功能 2; 联动 0 → 4
    加分: 领导重视 2; 创新 1.5; 新技术 0; 优秀做法 0 (材料逾期); 先进经验 2 → 5.5
    通报曝光: 省办 1 (5) + 新媒体省办 2 个次 (2) = 7
    total = 11.5 + 37 + 16.5 + 4 + 5.5 − 7 = 67.5
    """
    findings: dict[tuple[str, str], Value | None] = {
        ("rcgz_tjls_1", "lead"): NO,
        ("rcgz_tjls_3", "ok"): NO,
        ("rcgz_xmt", "pts"): D("2.5"),
        ("zwgk_zdjc_2", "expl"): NO,
        ("zwgk_zdjc_3", "good"): D(2),
        ("zwgk_zdjc_4", "ok"): NO,
        ("zwgk_zcwj_2", "good"): D(2),
        ("zwgk_zcjd_1", "all"): NO,
        ("zwgk_zcjd_2", "forms"): D(2),
        ("zwgk_jdhy_2", "ok"): NO,
        ("zwgk_czxx_3", "ok"): NO,
        ("zwgk_zdly_4", "ok"): NO,
        ("zwgk_zdly_7", "ok"): NO,
        ("zwgk_nrbz", "ok"): NO,
        ("wzjs_rcgx_1", "blank"): D(1),
        ("wzjs_rcgx_2", "stale"): D(3),
        ("wzjs_dtyw", "ok"): NO,
        ("wzjs_sjfb_4", "ok"): NO,
        ("wzjs_hdjl_2", "reply"): "超过5个工作日或未准确答复",
        ("wzjs_zjdc_2", "times"): D(6),
        ("wzjs_ljky", "home"): D(2),
        ("xmt_qdjs", "matrix"): NO,
        ("xmt_nrjs", "freq"): "每2周更新1次",
        ("xmt_zrzt", "issues"): D(3),
        ("xmt_xtld", "all"): NO,
        ("jf_ldzs", "times"): D(1),
        ("jf_cxal", "pts"): D("1.5"),
        ("jf_xjsyy", "pts"): D(0),
        ("jf_yxzf", "evidence"): NO,
        ("jf_xjjy", "city"): D(1),
        ("jf_xjjy", "prov"): D(0),
        ("jf_xjjy", "nat"): D(0),
        ("tbbg", "web_sb"): D(1),
        ("tbbg", "xmt_sb"): D(2),
    }
    s = run(rub, unit(roster, "松滋市"), findings)
    assert s.complete
    assert parts(s) == {
        "rcgz": D("11.5"),
        "zwgk": D(37),
        "wzjs": D("16.5"),
        "zwxmt": D(4),
        "jf": D("5.5"),
        "kfzb": D(7),
    }
    assert s.penalties == D(7)
    assert s.total == D("67.5") and not s.vetoed and s.tier is None
