"""Every rule kind, on exact decimals, plus hypothesis properties of the engine."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zwgk_cli import rules
from zwgk_cli.model import (
    EVIDENCE_INPUT,
    Band,
    Criterion,
    Input,
    InputKind,
    Style,
    Term,
    TermKind,
    Veto,
    fmt_points,
    round2,
)


def crit(
    terms: list[Term],
    inputs: list[Input],
    style: Style = Style.DEDUCT,
    mx: str | None = "2",
    vetoes: tuple[Veto, ...] = (),
    evidence: bool = False,
    applicable: bool = True,
) -> Criterion:
    return Criterion(
        id="c",
        title="测试",
        text="",
        max=None if mx is None else D(mx),
        style=style,
        inputs=tuple(inputs),
        terms=tuple(terms),
        vetoes=vetoes,
        evidence=evidence,
        applicable=applicable,
    )


COUNT = Input("n", "空白栏目", InputKind.COUNT)
FLAG = Input("f", "未开设", InputKind.YES_NO)


def per(points: str, cap: str | None = None, inp: str = "n") -> Term:
    return Term(TermKind.PER, (inp,), points=D(points), cap=None if cap is None else D(cap), label="空白栏目")


# ------------------------------------------------------------------ each kind


def test_per_deduction_clamps_at_zero() -> None:
    c = crit([per("1")], [COUNT])
    assert rules.evaluate(c, {"n": D(1)}).points == D("1")
    assert rules.evaluate(c, {"n": D(2)}).points == D("0")
    assert rules.evaluate(c, {"n": D(9)}).points == D("0")  # 扣完为止


def test_per_award_compliant_samples() -> None:
    samples = Input("k", "符合要求的抽查样本", InputKind.COUNT, max=D(3))
    c = crit([Term(TermKind.PER, ("k",), points=D(1))], [samples], Style.AWARD, "3")
    assert [rules.evaluate(c, {"k": D(k)}).points for k in range(4)] == [D(0), D(1), D(2), D(3)]


def test_flag_and_fixed_deduction() -> None:
    c = crit([Term(TermKind.FLAG, ("f",), points=D(1)), per("0.5")], [FLAG, COUNT], mx="1")
    assert rules.evaluate(c, {"f": "否", "n": D(0)}).points == D(1)
    assert rules.evaluate(c, {"f": "是", "n": D(0)}).points == D(0)
    assert rules.evaluate(c, {"f": "否", "n": D(1)}).points == D("0.5")


def test_choice() -> None:
    speed = Input("s", "答复时限", InputKind.CHOICE, options=("3个工作日内", "5个工作日内", "其他"))
    t = Term(TermKind.CHOICE, ("s",), choices=(("3个工作日内", D(2)), ("5个工作日内", D(1)), ("其他", D(0))))
    c = crit([t], [speed], Style.AWARD)
    assert rules.evaluate(c, {"s": "3个工作日内"}).points == D(2)
    assert rules.evaluate(c, {"s": "5个工作日内"}).points == D(1)
    assert rules.evaluate(c, {"s": "其他"}).points == D(0)


def test_bands_on_a_number_first_match_wins() -> None:
    fans = Input("x", "粉丝量", InputKind.NUMBER)
    bands = (Band(">", D(200000), D(3)), Band(">", D(150000), D(2)), Band(">", D(100000), D(1)))
    c = crit([Term(TermKind.BANDS, ("x",), bands=bands)], [fans], Style.AWARD, "3")
    got = {n: rules.evaluate(c, {"x": D(n)}).points for n in (100000, 100001, 150000, 150001, 200001)}
    assert got == {100000: D(0), 100001: D(1), 150000: D(1), 150001: D(2), 200001: D(3)}


def test_bands_on_a_percentage_deduction() -> None:
    rate = Input("r", "清理完成比例", InputKind.PERCENT)
    bands = (Band("==", D(0), D(2)), Band("<", D(50), D(1)), Band("<", D(80), D("0.5")))
    c = crit([Term(TermKind.BANDS, ("r",), bands=bands)], [rate])
    got = {r: rules.evaluate(c, {"r": D(r)}).points for r in ("0", "49.9", "50", "79.99", "80", "100")}
    assert got == {"0": D(0), "49.9": D(1), "50": D("1.5"), "79.99": D("1.5"), "80": D(2), "100": D(2)}


def test_ratio_bands_zero_denominator_and_exact_edge() -> None:
    num = Input("a", "纠错数", InputKind.COUNT)
    den = Input("b", "申请总数", InputKind.COUNT)
    t = Term(TermKind.RATIO, ("a", "b"), bands=(Band(">", D(15), D(1)),))
    c = crit([t], [num, den], mx="3")
    assert rules.evaluate(c, {"a": D(5), "b": D(0)}).points == D(3)  # no denominator: nothing deducted
    assert rules.evaluate(c, {"a": D(3), "b": D(20)}).points == D(3)  # exactly 15%: not above
    assert rules.evaluate(c, {"a": D(4), "b": D(20)}).points == D(2)


def test_entered_points_and_cap() -> None:
    pts = Input("p", "酌情赋分", InputKind.POINTS, max=D(4), step=D("0.5"))
    c = crit([Term(TermKind.ENTERED, ("p",))], [pts], Style.AWARD, "4")
    assert rules.evaluate(c, {"p": D("2.5")}).points == D("2.5")
    cnt = Input("k", "批示次数", InputKind.COUNT)
    capped = crit([Term(TermKind.PER, ("k",), points=D(2), cap=D(4))], [cnt], Style.AWARD, "4")
    assert rules.evaluate(capped, {"k": D(5)}).points == D(4)


def test_sum_of_terms_is_clamped_to_the_max() -> None:
    a = Input("a", "数据发布栏目", InputKind.YES_NO)
    b = Input("b", "可视化", InputKind.YES_NO)
    c = crit(
        [Term(TermKind.FLAG, ("a",), points=D(2)), Term(TermKind.FLAG, ("b",), points=D(1))],
        [a, b],
        Style.AWARD,
        "2",
    )
    sc = rules.evaluate(c, {"a": "是", "b": "是"})
    assert sc.points == D(2)
    assert any("为限" in t.text for t in sc.trace)


def test_penalty_is_uncapped() -> None:
    c = crit([per("10")], [COUNT], Style.PENALTY, mx=None)
    assert rules.evaluate(c, {"n": D(3)}).points == D(30)


def test_missing_inputs_are_reported_not_zero() -> None:
    c = crit([Term(TermKind.FLAG, ("f",), points=D(1)), per("0.5")], [FLAG, COUNT])
    sc = rules.evaluate(c, {"f": "否", "n": None})
    assert sc.points is None
    assert sc.missing == ("n",)


def test_not_applicable_keeps_the_points_in_a_deduction_rubric() -> None:
    c = crit([per("1")], [COUNT], applicable=False)
    sc = rules.evaluate(c, {})
    assert sc.points == D(2)
    assert not sc.applicable


def test_evidence_missing_zeroes_the_item_even_if_other_inputs_are_blank() -> None:
    pts = Input("p", "酌情赋分", InputKind.POINTS, max=D(4), step=D("0.5"))
    c = crit([Term(TermKind.ENTERED, ("p",))], [pts], Style.AWARD, "4", evidence=True)
    assert rules.evaluate(c, {"p": D(4), "evidence": "是"}).points == D(4)
    sc = rules.evaluate(c, {"p": None, "evidence": "否"})
    assert sc.points == D(0) and sc.evidence_missing
    assert EVIDENCE_INPUT in c.live_inputs()


def test_vetoes_strict_and_inclusive_operators() -> None:
    strict = Veto("v1", "空白栏目超过5个", ("n",), ">", D(5))
    incl = Veto("v2", "空白栏目超过(含)5个", ("n",), ">=", D(5))
    kinds = {"n": InputKind.COUNT}
    assert not rules.veto_fires(strict, {"n": D(5)}, kinds)
    assert rules.veto_fires(strict, {"n": D(6)}, kinds)
    assert rules.veto_fires(incl, {"n": D(5)}, kinds)
    assert not rules.veto_fires(incl, {"n": None}, kinds)  # unfilled never vetoes


def test_ratio_veto_at_exactly_five_percent() -> None:
    v = Veto("v1", "站点无法访问", ("a", "b"), ">=", D(5), ratio=True)
    kinds = {"a": InputKind.COUNT, "b": InputKind.COUNT}
    assert rules.veto_fires(v, {"a": D(7), "b": D(140)}, kinds)  # exactly 5%
    assert not rules.veto_fires(v, {"a": D(6), "b": D(140)}, kinds)
    assert not rules.veto_fires(v, {"a": D(0), "b": D(0)}, kinds)


def test_yes_no_veto() -> None:
    v = Veto("v1", "泄露国家秘密", ("f",))
    kinds = {"f": InputKind.YES_NO}
    assert rules.veto_fires(v, {"f": "是"}, kinds)
    assert not rules.veto_fires(v, {"f": "否"}, kinds)


def test_mean_rounds_half_up_in_hundredths() -> None:
    assert rules.mean([D("30.15"), D("30.20")]) == D("30.18")  # 30.175 → 30.18, not banker's 30.18/30.17
    assert rules.mean([D("1"), D("2"), D("2")]) == D("1.67")
    assert rules.mean([]) == D(0)


def test_formula_text_is_exact_and_rounded() -> None:
    c = crit([Term(TermKind.FLAG, ("f",), points=D(1)), per("0.5")], [FLAG, COUNT])
    f = rules.criterion_formula(c, {"f": "E5", "n": "E6"})
    assert f == '=IF(OR(E5="",E6=""),"",ROUND(MAX(0,MIN(2,2-(IF(E5="是",1,0)+E6*0.5))),2))'
    assert rules.mean_formula(["A1", "B1"]) == "ROUND(ROUND(SUM(A1,B1)*100,0)/2,0)/100"
    r = Term(TermKind.RATIO, ("a", "b"), bands=(Band(">", D(15), D(1)),))
    assert rules.term_formula(r, {"a": "E1", "b": "E2"}) == "IF(E2=0,0,IF(E1*100>15*E2,1,0))"


def test_fmt_points_has_no_float_noise() -> None:
    assert fmt_points(D("0.1") + D("0.2")) == "0.3"
    assert fmt_points(D("2.00")) == "2"
    assert fmt_points(D("10")) == "10"
    assert round2(D("2.675")) == D("2.68")


# ------------------------------------------------------------------ properties

counts = st.integers(min_value=0, max_value=60).map(D)
pers = st.sampled_from(["0.1", "0.2", "0.3", "0.5", "1", "2", "3"]).map(D)
maxima = st.sampled_from(["0.5", "1", "2", "3", "5", "10"])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(pers, counts), min_size=1, max_size=4),
    maxima,
    st.sampled_from([Style.AWARD, Style.DEDUCT]),
)
def test_points_stay_within_zero_and_max(terms: list[tuple[D, D]], mx: str, style: Style) -> None:
    inputs = [Input(f"i{k}", f"项{k}", InputKind.COUNT) for k in range(len(terms))]
    ts = [Term(TermKind.PER, (f"i{k}",), points=p) for k, (p, _) in enumerate(terms)]
    c = crit(ts, inputs, style, mx)
    sc = rules.evaluate(c, {f"i{k}": n for k, (_, n) in enumerate(terms)})
    assert sc.points is not None
    assert D(0) <= sc.points <= D(mx)
    assert sc.points == round2(sc.points)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(pers, counts), min_size=1, max_size=4), maxima, st.data())
def test_more_findings_never_raise_a_deduction_score(terms: list[tuple[D, D]], mx: str, data: st.DataObject) -> None:
    inputs = [Input(f"i{k}", f"项{k}", InputKind.COUNT) for k in range(len(terms))]
    ts = [Term(TermKind.PER, (f"i{k}",), points=p) for k, (p, _) in enumerate(terms)]
    c = crit(ts, inputs, Style.DEDUCT, mx)
    before = {f"i{k}": n for k, (_, n) in enumerate(terms)}
    k = data.draw(st.integers(min_value=0, max_value=len(terms) - 1))
    extra = data.draw(st.integers(min_value=1, max_value=20))
    after = dict(before) | {f"i{k}": before[f"i{k}"] + extra}
    p0, p1 = rules.evaluate(c, before).points, rules.evaluate(c, after).points
    assert p0 is not None and p1 is not None and p1 <= p0


@settings(max_examples=200, deadline=None)
@given(counts, st.integers(min_value=0, max_value=2000).map(D), st.sampled_from(["5", "15", "50"]))
def test_ratio_rule_never_deducts_on_a_zero_denominator_and_matches_exact_arithmetic(n: D, d: D, pct: str) -> None:
    t = Term(TermKind.RATIO, ("a", "b"), bands=(Band(">", D(pct), D(1)),))
    c = crit([t], [Input("a", "分子", InputKind.COUNT), Input("b", "分母", InputKind.COUNT)], mx="2")
    got = rules.evaluate(c, {"a": n, "b": d}).points
    expected = D(2) if d == 0 or n / d * 100 <= D(pct) else D(1)
    assert got == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=35, places=2), min_size=1, max_size=5))
def test_mean_is_the_exact_half_up_mean(values: list[D]) -> None:
    exact = sum(values, D(0)) / len(values)
    assert rules.mean(values) == round2(exact)


@pytest.mark.parametrize("op,value,ok", [(">", 5, [6]), (">=", 5, [5, 6]), ("<", 5, [4]), ("<=", 5, [4, 5])])
def test_compare_operators(op: str, value: int, ok: list[int]) -> None:
    for x in (4, 5, 6):
        assert rules.compare(D(x), op, D(value)) is (x in ok)
