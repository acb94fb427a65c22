"""What a sheet's XML says about a cell beyond its value — the one place zwgk reads cell XML itself.

python-calamine reports a value only: not that a cell holds a formula (V011, V018 in a note) or
an error value (V010), nor its number format (85% typed into a percent cell comes back as 0.85).
So the cells the map names are found by address in the sheet XML and their ``<f>``, ``t="e"``
and ``s=`` read.  Dates need nothing here: python-calamine returns them as dates.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any, NamedTuple


class Cell(NamedTuple):
    """One cell as the reader sees it: python-calamine's value (``None`` from :func:`scan_cells`)
    and what the XML says beyond it."""

    value: Any = None  # str, float, bool, a date or time, "" for an empty cell
    formula: str | None = None  # the formula text ("" for a shared formula without text)
    error: str | None = None  # an error value (#DIV/0!)
    style: int = 0  # the cell format (``s=``)
    controls: int = 0  # control characters taken out of a text value (see ``values.clean_text``)


_ATTR_S = re.compile(rb'\bs="([0-9]+)"')
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_ANY_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([^"]*)"')
_FORMULA_AT = re.compile(rb"\s*<(?:\w+:)?f\b([^>]*?)(/?)>(?:(.*?)</(?:\w+:)?f>)?", re.S)
_VALUE_AT = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)


def scan_cells(xml: bytes, wanted: Mapping[str, tuple[int, int]]) -> dict[str, Cell]:
    """Formula, error value and format of each ``wanted`` cell (A1, upper case → its 0-based
    row and column) that has one.  Cells are found by their ``<c r="…"`` tag in sheet order from
    the last one found; one not found so (namespaced, reordered) in an index of every cell of the
    part, made once when first needed (a search of the whole part for each would take minutes)."""
    info: dict[str, Cell] = {}
    pos = 0
    index: dict[bytes, int] | None = None
    for ref in sorted(wanted, key=wanted.__getitem__):
        tag = b'<c r="' + ref.encode() + b'"'
        i = xml.find(tag, pos)
        if i < 0:
            if index is None:
                index = {}
                for m in _ANY_CELL.finditer(xml):
                    index.setdefault(m.group(1), m.start())  # the first, as a search from the start finds
            i = index.get(ref.encode(), -1)
            if i < 0:
                continue
        pos = i
        close = xml.find(b">", i)
        if close < 0:
            continue
        attrs = xml[i:close]
        formula: str | None = None
        error: str | None = None
        if not attrs.endswith(b"/"):  # not self-closing: it may hold a formula and a value, up to its end
            end = _CELL_END.search(xml, close + 1)
            stop = end.start() if end is not None else len(xml)
            nxt = xml.find(b"<", close + 1, min(close + 64, stop))
            if nxt >= 0 and xml.startswith((b"<f", b"<x:f"), nxt):
                f = _FORMULA_AT.match(xml, close + 1, stop)
                if f is not None:
                    formula = "" if f.group(2) else html.unescape((f.group(3) or b"").decode("utf-8", "replace"))
            if b't="e"' in attrs:
                v = _VALUE_AT.search(xml, close + 1, stop)
                error = v.group(1).decode("utf-8", "replace") if v else "#ERROR"
        s = _ATTR_S.search(attrs) if b"s=" in attrs else None
        if formula is not None or error is not None or s is not None:
            info[ref] = Cell(None, formula, error, int(s.group(1)) if s else 0)
    return info


_NUMFMT = re.compile(rb'<(?:\w+:)?numFmt\b[^>]*?numFmtId="([0-9]+)"[^>]*?formatCode="([^"]*)"')
_CELLXFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)")
_XF_NUMFMT = re.compile(rb'\bnumFmtId="([0-9]+)"')
PERCENT_BUILTIN = frozenset({9, 10})  # 0%, 0.00%
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')  # literal text, escapes, [colours], spaces, fills
_ELAPSED = re.compile(r"\[(?:h+|m+|s+)\]", re.I)
_DATE_PART = re.compile(r"[yYmMdDhHsSeEgGbBaApP年月日时分秒]")  # a/p: A/P, AM/PM


def _percent_code(code: str) -> bool:
    """Whether a format code shows a number as a percentage (a date or time format never does)."""
    if _ELAPSED.search(code):  # [h]:mm, [mm]:ss: a duration
        return False
    bare = _QUOTED.sub("", code)
    if _DATE_PART.search(bare.replace("General", "")):
        return False
    return "%" in bare


def percent_styles(styles_xml: bytes) -> set[int]:
    """The cell formats (``s=``) that show numbers as percentages (a custom code overrides a built-in id)."""
    codes = {
        int(m.group(1)): html.unescape(m.group(2).decode("utf-8", "replace")) for m in _NUMFMT.finditer(styles_xml)
    }
    xfs = _CELLXFS.search(styles_xml)
    if xfs is None:
        return set()
    out = set()
    for i, m in enumerate(_XF.finditer(xfs.group(1))):
        f = _XF_NUMFMT.search(m.group(1))
        fid = int(f.group(1)) if f else 0
        code = codes.get(fid)
        if _percent_code(code) if code is not None else fid in PERCENT_BUILTIN:
            out.add(i)
    return out
