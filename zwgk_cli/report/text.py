"""Text as a 公文 prints it: full-width punctuation in Chinese text, Chinese dates and numbers,
points and lists of names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from zwgk_cli.model import fmt_points

_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’"
_PUNCT = {",": "\uff0c", ";": "\uff1b", ":": "\uff1a", "?": "\uff1f", "!": "\uff01"}


def zh(text: str) -> str:
    """Half-width punctuation inside Chinese text as full-width (，；：（）), as a 公文 writes it.

    Only marks next to a Chinese character change; numbers such as ``1,000`` or ``3:1`` and
    parentheses around numbers only, such as ``(1)``, stay as they are.
    """
    if not text:
        return text
    out = re.sub(
        rf"(?<=[{_CJK}])([,;:?!])|([,;:?!])(?=[{_CJK}])",
        lambda m: _PUNCT[m.group(1) or m.group(2)],
        text,
    )
    chars = list(out)
    stack: list[int] = []
    for i, c in enumerate(chars):
        if c == "(":
            stack.append(i)
        elif c == ")" and stack:
            j = stack.pop()
            inner = "".join(chars[j + 1 : i])
            if re.search(rf"[{_CJK}]", inner):
                chars[j], chars[i] = "\uff08", "\uff09"
    return "".join(chars)


def date_cn(value: str) -> str:
    """``2022-01-20`` (or ``2022/1/20``, ``20220120``) → ``2022年1月20日``; other text unchanged."""
    v = value.strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", v) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", v)
    return f"{int(m[1])}年{int(m[2])}月{int(m[3])}日" if m else v


def parse_date(value: str) -> date | None:
    v = value.strip()
    m = re.fullmatch(r"(\d{4})\D(\d{1,2})\D(\d{1,2})\D?", v) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", v)
    try:
        return date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None


def short_title(title: str) -> str:
    """A part's title without its “第一部分” prefix (table headers)."""
    rest = re.sub(r"^第[一二三四五六七八九十]+部分\s*[:、]?\s*", "", title).strip()
    return rest or title


_DIGITS = "〇一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (headings 一、（一）)."""
    if n <= 0 or n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def pts(value: Decimal | None, empty: str = "—") -> str:
    return empty if value is None else fmt_points(value)


def join_names(names: Sequence[str], limit: int = 0, measure: str = "家") -> str:
    if limit and len(names) > limit:
        return "、".join(names[:limit]) + f"等{len(names)}{measure}"
    return "、".join(names)
