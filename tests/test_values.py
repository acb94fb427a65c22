"""values.normalize: every raw cell value gets one clear outcome."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zwgk_cli.model import Input, InputKind
from zwgk_cli.problems import Code, Severity
from zwgk_cli.workbook.values import Outcome, cn_number, expected, normalize

COUNT = Input("blank", "空白栏目", InputKind.COUNT)
SAMPLES = Input("ok", "符合要求的样本", InputKind.COUNT, max=Decimal(3))
NUMBER = Input("fans", "粉丝量", InputKind.NUMBER)
PERCENT = Input("rate", "清理完成比例", InputKind.PERCENT)
POINTS = Input("extra", "酌情加分", InputKind.POINTS, max=Decimal(2), step=Decimal("0.5"))
POINTS_NO_MAX = Input("pts", "酌情赋分", InputKind.POINTS, step=Decimal("0.5"))
YESNO = Input("down", "站点无法访问", InputKind.YES_NO)
CHOICE = Input("speed", "答复时限", InputKind.CHOICE, options=("3个工作日内", "5个工作日内", "超过5个工作日"))
TEXT = Input("note", "扣分说明", InputKind.TEXT, required=False)
OPTIONAL = Input("opt", "可选个数", InputKind.COUNT, required=False)


def ok(out: Outcome, value: object) -> None:
    assert out.code is None, out
    assert out.value == value


def warned(out: Outcome, value: object, code: Code = Code.V_NORMALISED) -> None:
    assert out.code is code, out
    assert out.code.severity is Severity.WARNING
    assert out.value == value


def failed(out: Outcome, code: Code) -> None:
    assert out.code is code, out
    assert out.error
    assert out.value is None


# ------------------------------------------------------------------ plain values


@pytest.mark.parametrize(
    ("inp", "raw", "value"),
    [
        (COUNT, 3.0, Decimal(3)),
        (COUNT, 0.0, Decimal(0)),
        (COUNT, 7, Decimal(7)),
        (SAMPLES, 3.0, Decimal(3)),
        (NUMBER, 150000.0, Decimal(150000)),
        (NUMBER, 2.5, Decimal("2.5")),
        (PERCENT, 85.0, Decimal(85)),
        (PERCENT, 0.0, Decimal(0)),
        (PERCENT, 100.0, Decimal(100)),
        (POINTS, 1.5, Decimal("1.5")),
        (POINTS, 2.0, Decimal(2)),
        (YESNO, "是", "是"),
        (YESNO, "否", "否"),
        (CHOICE, "5个工作日内", "5个工作日内"),
        (TEXT, "首页“通知公告”栏目空白", "首页“通知公告”栏目空白"),
    ],
)
def test_clean_values_pass_unchanged(inp: Input, raw: object, value: object) -> None:
    ok(normalize(raw, inp), value)


def test_floats_become_exact_decimals() -> None:
    out = normalize(0.1, NUMBER)
    assert out.value == Decimal("0.1")  # never Decimal(0.1) = 0.1000000000000000055…
    assert isinstance(out.value, Decimal)
    out = normalize(2.5, POINTS)
    assert out.value == Decimal("2.5") or out.code is Code.V_RANGE


# ------------------------------------------------------------------ empty


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_empty_required_input_is_an_error_not_zero(raw: object) -> None:
    out = normalize(raw, COUNT)
    failed(out, Code.V_EMPTY)
    assert out.params["zero_hint"] == ";没有发现问题时填0"


def test_empty_optional_and_text_inputs_are_none_without_problem() -> None:
    assert normalize(None, OPTIONAL) == Outcome(None)
    assert normalize("", TEXT) == Outcome(None)


# ------------------------------------------------------------------ safe normalisations (warnings)


@pytest.mark.parametrize(
    ("inp", "raw", "value", "why"),
    [
        (COUNT, "3", Decimal(3), "数字以文本形式存储"),
        (COUNT, "３", Decimal(3), "全角字符已转为半角"),
        (COUNT, "3 ", Decimal(3), "已去掉首尾空格"),
        (COUNT, "3处", Decimal(3), "去掉了单位“处”"),
        (COUNT, "3 个", Decimal(3), "去掉了单位“个”"),
        (COUNT, "三", Decimal(3), "中文数字已转为阿拉伯数字"),
        (COUNT, "十二处", Decimal(12), "中文数字已转为阿拉伯数字"),
        (NUMBER, "20万", Decimal(200000), "“万”按10000换算"),
        (NUMBER, "200,000", Decimal(200000), "去掉了千分位逗号"),
        (PERCENT, "85%", Decimal(85), "去掉了%号"),
        (PERCENT, "85％", Decimal(85), "去掉了%号"),
        (POINTS, "1.5分", Decimal("1.5"), "去掉了单位“分”"),
        (YESNO, "是 ", "是", "已去掉首尾空格"),
        (YESNO, True, "是", "逻辑值"),
        (YESNO, False, "否", "逻辑值"),
        (CHOICE, " 3个工作日内", "3个工作日内", "已去掉首尾空格"),
        (CHOICE, "3 个工作日内", "3个工作日内", "去掉了多余的空格"),
    ],
)
def test_safe_normalisations_are_warnings_naming_what_was_found(
    inp: Input, raw: object, value: object, why: str
) -> None:
    out = normalize(raw, inp)
    warned(out, value)
    assert why in out.params["why"]
    assert out.params["label"] == inp.label
    assert out.params["found"]


def test_text_numbers_from_a_findings_table_are_not_warned() -> None:
    ok(normalize("3", COUNT, text_source=True), Decimal(3))
    ok(normalize("0.5", POINTS, text_source=True), Decimal("0.5"))
    warned(normalize("3处", COUNT, text_source=True), Decimal(3))


def test_percent_formatted_cell_reads_as_displayed() -> None:
    out = normalize(0.85, PERCENT, percent_format=True)
    warned(out, Decimal(85))
    assert out.params["found"] == "85%"
    assert "百分比格式" in out.params["why"]


def test_fraction_in_a_plain_percent_cell_is_kept_with_a_warning() -> None:
    out = normalize(0.85, PERCENT)
    warned(out, Decimal("0.85"), Code.V_PERCENT_FRACTION)
    assert out.params["as_percent"] == "85"


# ------------------------------------------------------------------ errors: say what was found and what is expected


@pytest.mark.parametrize(
    ("inp", "raw", "code"),
    [
        (COUNT, "无", Code.V_NOT_NUMBER),
        (COUNT, "3分", Code.V_NOT_NUMBER),  # points written into a count: not guessed
        (COUNT, "约3处", Code.V_NOT_NUMBER),
        (COUNT, "1e3", Code.V_NOT_NUMBER),
        (COUNT, 2.5, Code.V_NOT_WHOLE),
        (COUNT, "2.5", Code.V_NOT_WHOLE),
        (COUNT, -1.0, Code.V_NEGATIVE),
        (COUNT, "-1", Code.V_NEGATIVE),
        (SAMPLES, 4.0, Code.V_RANGE),
        (PERCENT, 120.0, Code.V_RANGE),
        (PERCENT, "120%", Code.V_RANGE),
        (POINTS, 2.5, Code.V_RANGE),
        (POINTS, 0.3, Code.V_STEP),
        (POINTS, "0.25", Code.V_STEP),
        (NUMBER, -3.0, Code.V_NEGATIVE),
        (COUNT, True, Code.V_BOOL),
        (POINTS, False, Code.V_BOOL),
        (COUNT, dt.datetime(1900, 1, 3), Code.V_DATE),
        (COUNT, dt.date(2024, 3, 1), Code.V_DATE),
        (PERCENT, dt.time(3, 0), Code.V_DATE),
        (NUMBER, dt.timedelta(days=1), Code.V_DATE),
        (COUNT, "#DIV/0!", Code.V_ERROR_VALUE),
        (YESNO, "#N/A", Code.V_ERROR_VALUE),
        (YESNO, "有", Code.V_OPTION),
        (YESNO, 1.0, Code.V_OPTION),
        (CHOICE, "4个工作日内", Code.V_OPTION),
        (CHOICE, 3.0, Code.V_OPTION),
        (COUNT, float("nan"), Code.V_NOT_NUMBER),
    ],
)
def test_errors_name_what_was_found_and_what_is_expected(inp: Input, raw: object, code: Code) -> None:
    out = normalize(raw, inp)
    failed(out, code)
    assert out.params["label"] == inp.label
    assert out.params["found"]
    assert out.params["expected"] == expected(inp)


def test_messages_are_located_sentences() -> None:
    from zwgk_cli.problems import problem

    out = normalize("3分", COUNT)
    assert out.code is not None
    p = problem(out.code, file="a.xlsx", sheet="网站", cell="F7", **out.params)
    assert p.message == "“空白栏目”填写的是“3分”,不是数字"
    assert p.hint == "改为不小于0的整数。"
    out = normalize(dt.date(2024, 3, 1), PERCENT)
    assert out.code is not None
    p = problem(out.code, **out.params)
    assert "2024-03-01" in p.message and "0到100之间的数" in p.message


def test_points_limit_comes_from_the_criterion_when_the_input_has_no_max() -> None:
    failed(normalize(3.0, POINTS_NO_MAX, limit=Decimal(2)), Code.V_RANGE)
    ok(normalize(2.0, POINTS_NO_MAX, limit=Decimal(2)), Decimal(2))
    assert expected(POINTS_NO_MAX, Decimal(2)) == "0到2之间、以0.5分为单位的分数"


def test_long_text_is_cut_with_a_warning() -> None:
    out = normalize("长" * 2500, TEXT)
    assert out.code is Code.V_TEXT_TOO_LONG
    assert isinstance(out.value, str) and len(out.value) == 2000


def test_text_input_accepts_numbers_as_text() -> None:
    ok(normalize(3.0, TEXT), "3")


@pytest.mark.parametrize(
    ("text", "value"),
    [("零", 0), ("一", 1), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105), ("两千", 2000)],
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert cn_number(text) == value


@pytest.mark.parametrize("text", ["", "一二", "十十", "百十百", "三处", "abc"])
def test_not_chinese_numerals(text: str) -> None:
    assert cn_number(text) is None


@given(st.integers(min_value=0, max_value=10**9))
def test_whole_numbers_round_trip_in_every_spelling(n: int) -> None:
    for raw in (float(n), str(n), f"{n:,}"):
        out = normalize(raw, COUNT)
        assert out.value == Decimal(n)
        assert not out.error


@given(st.integers(min_value=0, max_value=4))
def test_points_on_step_are_accepted(halves: int) -> None:
    raw = halves / 2
    out = normalize(raw, POINTS)
    assert out.value == Decimal(halves) / 2
    assert out.code is None


def test_the_criterion_limit_applies_to_points_only() -> None:
    ok(normalize(6.0, COUNT, limit=Decimal(2)), Decimal(6))
    ok(normalize(150000.0, NUMBER, limit=Decimal(3)), Decimal(150000))
    assert expected(COUNT, Decimal(2)) == "不小于0的整数"


# ------------------------------------------------------------------ any value, however large, small or long

ALL_NUMERIC = (COUNT, SAMPLES, NUMBER, PERCENT, POINTS, POINTS_NO_MAX, OPTIONAL)
PERCENT_CELL = object()  # marks a raw value read from a percent-formatted cell


@pytest.mark.parametrize(
    "raw",
    [
        1e26,
        1e300,
        -1e300,
        1e-30,
        5e-324,
        "9" * 5001,
        "-" + "9" * 5001,
        "0." + "0" * 5000 + "1",
        "1" + "0" * 30,
        "1,000,000,000,000,000,000,000,000",
        "1" + "0" * 30 + "万",
        "1e400",
        "1E+26",
        "inf",
        "-inf",
        "nan",
        "Infinity",
        "-0",
        "-0.0",
        float("inf"),
        float("-inf"),
        float("nan"),
        -0.0,
    ],
)
@pytest.mark.parametrize("inp", ALL_NUMERIC, ids=lambda i: i.id)
@pytest.mark.parametrize("percent_format", [False, True])
def test_any_value_is_one_outcome_at_worst(inp: Input, raw: object, percent_format: bool) -> None:
    """Nothing a cell holds raises, and a kept number is in the sane range, so the engine's
    rounding (28 digits) can never overflow on it and no message is thousands of digits long."""
    from zwgk_cli.model import round2
    from zwgk_cli.problems import problem
    from zwgk_cli.workbook.values import MAX_DECIMALS, MAX_INT_DIGITS

    out = normalize(raw, inp, limit=Decimal(5), percent_format=percent_format)
    if isinstance(out.value, Decimal):
        assert out.value.is_finite() and abs(out.value) < Decimal(10) ** MAX_INT_DIGITS
        assert out.value == 0 or out.value.as_tuple().exponent >= -MAX_DECIMALS  # type: ignore[operator]
        round2(out.value * 1000)
    else:
        assert out.value is None and out.error
    if out.code is not None:
        p = problem(out.code, file="a.xlsx", **out.params)
        assert len(p.message) < 200 and "{" not in p.message + p.hint


@pytest.mark.parametrize(
    ("inp", "raw", "code"),
    [
        (NUMBER, 1e26, Code.V_ABSURD),
        (COUNT, "9" * 5001, Code.V_ABSURD),
        (NUMBER, 1e-30, Code.V_ABSURD),
        (POINTS_NO_MAX, 1e26, Code.V_ABSURD),
        (SAMPLES, 1e26, Code.V_RANGE),  # an input with a maximum says so
        (PERCENT, 1e26, Code.V_RANGE),
        (COUNT, 1e-30, Code.V_NOT_WHOLE),
        (COUNT, -1e300, Code.V_NEGATIVE),
        (NUMBER, "1e400", Code.V_NOT_NUMBER),
    ],
)
def test_numbers_out_of_the_sane_range_are_located_problems(inp: Input, raw: object, code: Code) -> None:
    out = normalize(raw, inp)
    failed(out, code)


def test_a_huge_number_is_shown_as_excel_shows_it() -> None:
    from zwgk_cli.problems import problem

    out = normalize(1e26, NUMBER)
    assert out.code is not None
    assert "1E+26" in problem(out.code, **out.params).message
    out = normalize("9" * 5001, NUMBER)
    assert out.code is not None
    assert len(problem(out.code, **out.params).message) < 120


def test_the_sane_range_keeps_every_real_value() -> None:
    ok(normalize(999_999_999_999.0, NUMBER), Decimal(999_999_999_999))
    ok(normalize(0.30000000000000004, NUMBER), Decimal("0.30000000000000004"))
    ok(normalize(66.66666666666667, PERCENT), Decimal("66.66666666666667"))
    warned(normalize("1.50000000000000000000000000", NUMBER), Decimal("1.5"))  # trailing zeros say nothing
    failed(normalize(1e12, NUMBER), Code.V_ABSURD)


def test_rounding_never_overflows() -> None:
    from zwgk_cli.model import round2

    assert round2(Decimal("1e26")) == Decimal("1e26")
    assert round2(Decimal("123456789012345678901234567890.125")) == Decimal("123456789012345678901234567890.13")
    assert round2(Decimal("2.345")) == Decimal("2.35")


# ------------------------------------------------------------------ control characters


@pytest.mark.parametrize(
    ("raw", "text", "count"),
    [
        ("空白栏目\x0b政务动态", "空白栏目\n政务动态", 1),  # a line break pasted out of Word (_x000B_)
        ("a\x01b\x0cc\x00", "ab\nc", 3),
        ("tab\tline\nreturn\r", "tab\tline\nreturn\r", 0),
        ("\ufffe\uffff", "", 2),
    ],
)
def test_control_characters_are_taken_out_of_text(raw: str, text: str, count: int) -> None:
    from zwgk_cli.workbook.values import clean_text

    assert clean_text(raw) == (text, count)
