"""One typed value against its input kind → a value the engine can use, or a problem.

Every cell value (numbers as floats, text, booleans, dates and times, empty cells, error values)
gets exactly one outcome: the value unchanged; the value after a *safe* normalisation ("３" → 3,
"3处" → 3, "三" → 3, "20万" → 200000, a percent-formatted 0.85 → 85), reported as a warning
naming what was found and how it was read; or ``None`` with an error saying what is expected.
Unsafe readings are never guessed ("3分" in a count of findings could be points; booleans in a
number, dates, error values stay errors).  Numbers become exact Decimals via their shortest repr.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from zwgk_cli.model import NO, YES, ZERO, Input, InputKind, Value, fmt_points
from zwgk_cli.problems import XML_ILLEGAL, Code, Severity

TEXT_LIMIT = 2000  # characters kept of a free-text input (扣分说明 …)

# The sane range of any number typed in: below 10**12 (even 粉丝量 stays far below), at most 20
# decimals (an Excel float has at most 17).  Beyond is a typing slip or a hostile file: one problem
# (V019), not a number the engine would have to round (10**26 overflows a 28-digit quantize).
MAX_INT_DIGITS = 12
MAX_DECIMALS = 20

# Unit words accepted after a number, per kind: "3处" in a count of findings is 3 findings,
# but "3分" there could be points deducted, so it is not accepted.
_COUNT_UNITS = ("处", "个", "条", "次", "项", "家", "篇", "件", "人", "天", "栏", "栏目", "期", "份", "则")
_UNITS: Mapping[InputKind, tuple[str, ...]] = {
    InputKind.COUNT: _COUNT_UNITS,
    InputKind.NUMBER: (*_COUNT_UNITS, "人次"),
    InputKind.PERCENT: ("%",),
    InputKind.POINTS: ("分",),
}
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_CN_DIGITS = {
    ch: n for n, chars in enumerate(("零〇", "一", "二两", "三", "四", "五", "六", "七", "八", "九")) for ch in chars
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_SPACES = " \t\r\n\u3000\u00a0\u200b\ufeff"
_ERROR_VALUES = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA", "#SPILL!")


@dataclass(frozen=True)
class Outcome:
    """The value to use (``None``: nothing usable) and at most one problem about it."""

    value: Value | None
    code: Code | None = None
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def error(self) -> bool:
        return self.code is not None and self.code.severity is Severity.ERROR


def _top(inp: Input, limit: Decimal | None) -> Decimal | None:
    """The upper bound: the input's ``max``; for points without one, the criterion's 分值 (``limit``)."""
    return inp.max if inp.max is not None or inp.kind is not InputKind.POINTS else limit


def expected(inp: Input, limit: Decimal | None = None) -> str:
    """What the input expects, as a phrase that completes “改为…/应为…”."""
    top = _top(inp, limit)
    if inp.kind is InputKind.COUNT:
        return f"0到{fmt_points(top)}之间的整数" if top is not None else "不小于0的整数"
    if inp.kind is InputKind.NUMBER:
        return "不小于0的数"
    if inp.kind is InputKind.PERCENT:
        return "0到100之间的数(百分比,不带%号)"
    if inp.kind is InputKind.POINTS:
        step = f"、以{fmt_points(inp.step)}分为单位" if inp.step else ""
        return f"0到{fmt_points(top)}之间{step}的分数" if top is not None else f"不小于0{step}的分数"
    if inp.kind is InputKind.YES_NO:
        return f"“{YES}”或“{NO}”"
    if inp.kind is InputKind.CHOICE:
        return "下列之一:" + "、".join(f"“{o}”" for o in inp.options)
    return "文字"


_ZERO_HINTS = {InputKind.COUNT: ";没有发现问题时填0", InputKind.POINTS: ";不得分时填0"}


def describe(raw: object) -> str:
    """A raw cell value as the user would see it."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and math.isfinite(raw):
        return _show(_float_dec(raw))
    if isinstance(raw, dt.datetime):
        return raw.strftime("%Y-%m-%d %H:%M" if raw.hour or raw.minute else "%Y-%m-%d")
    if isinstance(raw, dt.date | dt.time):
        return raw.strftime("%Y-%m-%d" if isinstance(raw, dt.date) else "%H:%M")
    if isinstance(raw, float | int | dt.timedelta):
        return str(raw)
    text = str(raw)
    return text if len(text) <= 40 else text[:38] + "…"


def _show(d: Decimal) -> str:
    """A number as people write it; one outside the sane range as Excel shows it (1E+26)."""
    if not d.is_finite() or absurd(d):
        return format(d, ".6g").upper()
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def absurd(value: Decimal) -> bool:
    """Whether a finite number is outside the sane range (:data:`MAX_INT_DIGITS`,
    :data:`MAX_DECIMALS`); counted on its digits, so no arithmetic can overflow."""
    if not value:
        return False
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    zeros = len(digits) - len(bytes(digits).rstrip(b"\x00"))  # trailing zeros say nothing
    return value.adjusted() >= MAX_INT_DIGITS or -(exponent + zeros) > MAX_DECIMALS


def clean_text(text: str) -> tuple[str, int]:
    """A cell's text without the characters XML does not allow (how many there were).  A line
    break pasted out of Word arrives as a vertical tab (``_x000B_``) and a page break as a form
    feed: both become a line break; other control characters are dropped."""
    found = XML_ILLEGAL.findall(text)
    if not found:
        return text, 0
    return XML_ILLEGAL.sub(lambda m: "\n" if m.group() in "\x0b\x0c" else "", text), len(found)


def _float_dec(x: float) -> Decimal:
    if x.is_integer() and abs(x) < 1e15:
        return Decimal(int(x))
    return Decimal(repr(x))


def cn_number(text: str) -> int | None:
    """Simple Chinese numerals: 三 → 3, 十二 → 12, 二十 → 20, 一百零五 → 105, 两千 → 2000."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    if all(ch in _CN_DIGITS for ch in text):  # "一二" is not a way people write 12
        return _CN_DIGITS[text] if len(text) == 1 else None
    total, digit, last_unit = 0, None, 10_000
    for ch in text:
        if ch in ("零", "〇"):
            continue  # a placeholder inside a number: 一百零五
        if ch in _CN_DIGITS:
            if digit is not None:
                return None
            digit = _CN_DIGITS[ch]
        else:
            unit = _CN_UNITS[ch]
            if unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    if digit is not None:
        total += digit
    return total


def _half_width_trimmed(raw: str) -> tuple[str, list[str]]:
    """NFKC (full-width → half-width) and surrounding blanks removed, with the reasons."""
    why: list[str] = []
    text = unicodedata.normalize("NFKC", raw)
    if text != raw:
        why.append("全角字符已转为半角")
    stripped = text.strip(_SPACES)
    if stripped != text:
        why.append("已去掉首尾空格")
    return stripped, why


def _parse_number(text: str, kind: InputKind) -> tuple[Decimal | None, list[str]]:
    """A number written as text: digits, grouped digits, a fitting unit word, 万, Chinese numerals."""
    why: list[str] = []
    body = text
    for unit in sorted(_UNITS.get(kind, ()), key=len, reverse=True):
        if body.endswith(unit) and len(body) > len(unit):
            body = body[: -len(unit)].rstrip(_SPACES)
            why.append("去掉了%号" if unit == "%" else f"去掉了单位“{unit}”")
            break
    scale = Decimal(1)
    if kind is InputKind.NUMBER and body.endswith("万") and len(body) > 1:
        body, scale = body[:-1].rstrip(_SPACES), Decimal(10_000)
        why.append("“万”按10000换算")
    if _GROUPED_RE.match(body):
        body = body.replace(",", "")
        why.append("去掉了千分位逗号")
    if _NUMBER_RE.match(body):
        try:
            return Decimal(body) * scale, why
        except InvalidOperation:  # pragma: no cover - the pattern excludes it
            return None, why
    cn = cn_number(body)
    if cn is not None:
        why.append("中文数字已转为阿拉伯数字")
        return Decimal(cn) * scale, why
    return None, why


def _check_number(value: Decimal, found: str, inp: Input, limit: Decimal | None, exp: str) -> Outcome | None:
    """Range, whole-number and step checks; ``None`` when the number is acceptable."""
    params = {"label": inp.label, "found": found, "expected": exp}
    if not value.is_finite():
        return Outcome(None, Code.V_NOT_NUMBER, params)
    if value < 0:
        return Outcome(None, Code.V_NEGATIVE, params)
    if inp.kind is InputKind.COUNT and value != value.to_integral_value():
        return Outcome(None, Code.V_NOT_WHOLE, params)
    top = Decimal(100) if inp.kind is InputKind.PERCENT else _top(inp, limit)
    if inp.kind in (InputKind.COUNT, InputKind.POINTS, InputKind.PERCENT) and top is not None and value > top:
        return Outcome(None, Code.V_RANGE, params)
    if absurd(value):
        return Outcome(None, Code.V_ABSURD, {**params, "digits": str(MAX_INT_DIGITS), "decimals": str(MAX_DECIMALS)})
    if inp.kind is InputKind.POINTS and inp.step and value % inp.step != 0:
        return Outcome(None, Code.V_STEP, {**params, "step": fmt_points(inp.step)})
    return None


def _choice(text: str, inp: Input) -> str | None:
    if text in inp.options:
        return text
    squeezed = re.sub(r"\s+", "", text)
    return next((o for o in inp.options if re.sub(r"\s+", "", unicodedata.normalize("NFKC", o)) == squeezed), None)


def normalize(
    raw: object,
    inp: Input,
    *,
    limit: Decimal | None = None,
    text_source: bool = False,
    percent_format: bool = False,
) -> Outcome:
    """Normalise one raw value for ``inp``.  ``limit``: the upper bound of a points input without
    its own ``max`` (the criterion's 分值).  ``text_source``: from a text table (CSV), where "3" is
    not worth a warning.  ``percent_format``: the cell shows 0.85 (as typed) as 85%."""
    label = inp.label
    exp = expected(inp, limit)
    base = {"label": label, "expected": exp}

    if raw is None or (isinstance(raw, str) and raw.strip(_SPACES) == ""):
        if inp.required and inp.kind is not InputKind.TEXT:
            return Outcome(None, Code.V_EMPTY, {**base, "zero_hint": _ZERO_HINTS.get(inp.kind, "")})
        return Outcome(None)

    if inp.kind is InputKind.TEXT:
        text = raw if isinstance(raw, str) else describe(raw)
        text = text.strip(_SPACES)
        if len(text) > TEXT_LIMIT:
            params = {"label": label, "length": str(len(text)), "limit": str(TEXT_LIMIT)}
            return Outcome(text[:TEXT_LIMIT], Code.V_TEXT_TOO_LONG, params)
        return Outcome(text)

    found = describe(raw)
    if isinstance(raw, bool):
        if inp.kind is InputKind.YES_NO:
            read = YES if raw else NO
            return Outcome(read, Code.V_NORMALISED, {**base, "found": found, "read": read, "why": "逻辑值"})
        return Outcome(None, Code.V_BOOL, {**base, "found": found})
    if isinstance(raw, dt.date | dt.time | dt.timedelta):
        return Outcome(None, Code.V_DATE, {**base, "found": found})

    if isinstance(raw, str):
        text, why = _half_width_trimmed(raw)
        if text.upper() in _ERROR_VALUES:
            return Outcome(None, Code.V_ERROR_VALUE, {**base, "found": text})
        if inp.kind is InputKind.YES_NO:
            if text in (YES, NO):
                return _maybe_warn(text, found, why, base)
            return Outcome(None, Code.V_OPTION, {**base, "found": found})
        if inp.kind is InputKind.CHOICE:
            option = _choice(text, inp)
            if option is None:
                return Outcome(None, Code.V_OPTION, {**base, "found": found})
            if option != text:
                why.append("去掉了多余的空格")
            return _maybe_warn(option, found, why, base)
        value, more = _parse_number(text, inp.kind)
        if value is None:
            return Outcome(None, Code.V_NOT_NUMBER, {**base, "found": found})
        why += more
        if not text_source:
            why.append("应只填数字" if more else "数字以文本形式存储")
        fraction = "%" not in text  # 0 < x < 1 may be meant as a fraction
    elif isinstance(raw, int | float | Decimal):
        if isinstance(raw, float) and not math.isfinite(raw):
            return Outcome(None, Code.V_NOT_NUMBER, {**base, "found": found})
        value = _float_dec(raw) if isinstance(raw, float) else Decimal(raw)
        if inp.kind in (InputKind.YES_NO, InputKind.CHOICE):
            return Outcome(None, Code.V_OPTION, {**base, "found": found})
        why = []
        if inp.kind is InputKind.PERCENT and percent_format:
            shown = value * 100
            if not absurd(shown) and shown == shown.to_integral_value():
                shown = shown.quantize(Decimal(1))
            why.append(f"单元格为百分比格式,显示为{_show(shown)}%")
            found = f"{_show(shown)}%"
            value = shown
        fraction = not percent_format
    else:  # pragma: no cover - unknown cell type
        return Outcome(None, Code.V_NOT_NUMBER, {**base, "found": found})
    bad = _check_number(value, found, inp, limit, exp)
    if bad is not None:
        return bad
    if inp.kind is InputKind.PERCENT and fraction and ZERO < value < 1:  # kept as x %, the other reading named
        return Outcome(
            value, Code.V_PERCENT_FRACTION, {"label": label, "found": found, "as_percent": _show(value * 100)}
        )
    return _maybe_warn(value, found, why, base)


def _maybe_warn(value: Value, found: str, why: list[str], base: Mapping[str, str]) -> Outcome:
    if not why:
        return Outcome(value)
    read = value if isinstance(value, str) else _show(value)
    return Outcome(value, Code.V_NORMALISED, {**base, "found": found, "read": read, "why": "；".join(why)})
