"""Rubric + unit → one self-describing scoring workbook (``.xlsx`` bytes).  Writes only.

Building a workbook is two steps:

1. :func:`plan_workbook` lays the workbook out as plain data (:class:`WorkbookPlan`: cells
   with values or formulas and their cached results, merges, validation, print settings,
   the hidden meta sheet), following :mod:`zwgk_cli.layout`.  Every formula comes from
   :mod:`zwgk_cli.rules`; every cached result is what :func:`zwgk_cli.engine.score_unit`
   computes for the values written (none, for a blank workbook), so a spreadsheet that
   does not recalculate on load still shows the right numbers.
2. :func:`render_xlsx` writes the plan with xlsxwriter, deterministically (fixed document
   dates, zip timestamps), so the same inputs give byte-identical workbooks.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from zwgk_cli import __version__, rules
from zwgk_cli.campaign import Campaign
from zwgk_cli.engine import score_unit
from zwgk_cli.model import (
    EVIDENCE_INPUT,
    NO,
    YES,
    Criterion,
    Indicator,
    Input,
    InputKind,
    Part,
    PartKind,
    ReadingKey,
    Rubric,
    Target,
    Unit,
    Value,
    Variant,
    VetoEffect,
    fmt_points,
)
from zwgk_cli.rubric import is_flat, resolve
from zwgk_cli.workbook import layout as L

# ------------------------------------------------------------------ the plan


class _EmptyText(str):
    """A cached formula result that is the empty text.

    xlsxwriter writes a cached ``""`` without ``t="str"`` (a blank number); Excel itself
    writes ``t="str"`` with an empty ``<v>``.  This str compares unequal to ``""`` so that
    xlsxwriter takes its text branch and writes what Excel writes.
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and type(other) is not str and str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return 0


EMPTY_TEXT = _EmptyText("")


@dataclass(frozen=True)
class Formula:
    text: str  # with the leading "="
    cached: Decimal | str


CellValue = str | Decimal | int | Formula | dt.date | None


@dataclass
class SheetPlan:
    name: str
    role: str
    part: str = ""
    target: str = ""
    cells: dict[tuple[int, int], tuple[CellValue, str]] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)
    validations: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)
    conditional: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    freeze_row: int = 0
    repeat_rows: tuple[int, int] | None = None
    print_area: tuple[int, int, int, int] | None = None
    header: str = ""
    footer: str = ""
    landscape: bool = True
    fit_height: int = 0  # pages tall when printed (0: as many as needed)
    hidden: int = 0  # 0 visible, 1 hidden, 2 very hidden
    inputs: int = 0
    covered: set[tuple[int, int]] = field(default_factory=set)  # merged cells but the top-left one
    records: list[list[str]] | None = None  # a sheet of text records only (the meta sheet)

    def put(self, row: int, col: int, value: CellValue, style: str) -> None:
        self.cells[(row, col)] = (value, style)

    def merge(self, r1: int, c1: int, r2: int, c2: int, value: CellValue, style: str) -> None:
        """Merge the block (when larger than one cell) and put ``value`` in its top-left cell;
        every cell of the block gets ``style`` (borders, fill)."""
        self.cells[(r1, c1)] = (value, style)
        if r1 != r2 or c1 != c2:
            self.merges.append((r1, c1, r2, c2))
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        self.cells[(r, c)] = (None, style)
                        self.covered.add((r, c))


@dataclass
class WorkbookPlan:
    sheets: list[SheetPlan]
    names: list[tuple[str, str]]
    title: str
    subject: str
    company: str
    created: dt.datetime
    password: str
    layout: L.Layout


@dataclass(frozen=True)
class CampaignInfo:
    """What the cover says about the campaign (from ``zwgk.toml``)."""

    year: int | None = None
    name: str = ""
    office: str = ""
    contact: str = ""
    materials_deadline: str = ""
    return_deadline: str = ""

    @classmethod
    def from_campaign(cls, camp: Campaign) -> CampaignInfo:
        return cls(
            year=camp.year or None,
            name=camp.name,
            office=camp.office,
            contact=camp.contact,
            materials_deadline=camp.materials_deadline,
            return_deadline=camp.return_deadline,
        )


# ------------------------------------------------------------------ styles

FONT = "宋体"
HEAD_FONT = "黑体"
BORDER = {"border": 1, "border_color": "#808080"}
INPUT_FILL = "#FFF2CC"
NOTE_FILL = "#FFFBEA"
NA_FILL = "#E7E6E6"
SUB_FILL = "#F2F2F2"
TOTAL_FILL = "#DDEBF7"
HEAD_FILL = "#D9E1F2"
SCORE_FMT = "0.00"
VETO_FMT = '"否决";"否决";""'
GATE_FMT = '"达到";"达到";"未达到"'

STYLES: dict[str, dict[str, Any]] = {
    "title": {"font_name": HEAD_FONT, "font_size": 14, "bold": True, "align": "center", "valign": "vcenter"},
    "info": {"font_size": 10, "align": "left", "valign": "vcenter", "text_wrap": True},
    "head": {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "bg_color": HEAD_FILL, **BORDER},
    "level": {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, **BORDER},
    "text": {"align": "left", "valign": "vcenter", "text_wrap": True, **BORDER},
    "max": {"align": "center", "valign": "vcenter", **BORDER},
    "label": {"align": "left", "valign": "vcenter", "text_wrap": True, **BORDER},
    "input": {"align": "center", "valign": "vcenter", "locked": False, "bg_color": INPUT_FILL, **BORDER},
    "input_text": {
        "align": "left",
        "valign": "vcenter",
        "text_wrap": True,
        "locked": False,
        "bg_color": INPUT_FILL,
        **BORDER,
    },
    "input_date": {"align": "left", "locked": False, "bg_color": INPUT_FILL, "num_format": "yyyy-mm-dd", **BORDER},
    "score": {"align": "center", "valign": "vcenter", "num_format": SCORE_FMT, **BORDER},
    "veto": {
        "align": "center",
        "valign": "vcenter",
        "font_color": "#C00000",
        "bold": True,
        "num_format": VETO_FMT,
        **BORDER,
    },
    "note": {"align": "left", "valign": "vcenter", "text_wrap": True, "locked": False, "bg_color": NOTE_FILL, **BORDER},
    "id": {"font_size": 8, "font_color": "#808080", "align": "left", "valign": "vcenter", **BORDER},
    "na": {"align": "center", "valign": "vcenter", "font_color": "#808080", "bg_color": NA_FILL, **BORDER},
    "na_text": {
        "align": "left",
        "valign": "vcenter",
        "text_wrap": True,
        "font_color": "#808080",
        "bg_color": NA_FILL,
        **BORDER,
    },
    "na_score": {
        "align": "center",
        "valign": "vcenter",
        "font_color": "#808080",
        "bg_color": NA_FILL,
        "num_format": SCORE_FMT,
        **BORDER,
    },
    "sub_label": {
        "bold": True,
        "align": "right",
        "valign": "vcenter",
        "text_wrap": True,
        "bg_color": SUB_FILL,
        **BORDER,
    },
    "sub_max": {"bold": True, "align": "center", "valign": "vcenter", "bg_color": SUB_FILL, **BORDER},
    "sub_score": {
        "bold": True,
        "align": "center",
        "valign": "vcenter",
        "bg_color": SUB_FILL,
        "num_format": SCORE_FMT,
        **BORDER,
    },
    "sub_blank": {"bg_color": SUB_FILL, **BORDER},
    "tot_label": {
        "bold": True,
        "align": "right",
        "valign": "vcenter",
        "text_wrap": True,
        "bg_color": TOTAL_FILL,
        **BORDER,
    },
    "tot_max": {"bold": True, "align": "center", "valign": "vcenter", "bg_color": TOTAL_FILL, **BORDER},
    "tot_score": {
        "bold": True,
        "align": "center",
        "valign": "vcenter",
        "bg_color": TOTAL_FILL,
        "num_format": SCORE_FMT,
        **BORDER,
    },
    "tot_count": {
        "bold": True,
        "align": "center",
        "valign": "vcenter",
        "bg_color": TOTAL_FILL,
        "num_format": '0"项"',
        **BORDER,
    },
    "tot_int": {
        "bold": True,
        "align": "center",
        "valign": "vcenter",
        "bg_color": TOTAL_FILL,
        "num_format": "0",
        **BORDER,
    },
    "tot_text": {"bold": True, "align": "center", "valign": "vcenter", "bg_color": TOTAL_FILL, **BORDER},
    "tot_blank": {"bg_color": TOTAL_FILL, **BORDER},
    "sum_item": {"align": "left", "valign": "vcenter", "text_wrap": True, "indent": 0, **BORDER},
    "sum_item1": {"align": "left", "valign": "vcenter", "text_wrap": True, "indent": 1, **BORDER},
    "sum_item2": {"align": "left", "valign": "vcenter", "text_wrap": True, "indent": 2, **BORDER},
    "sum_count": {"align": "center", "valign": "vcenter", "num_format": '0"项";0"项";""', **BORDER},
    "sum_text": {"align": "center", "valign": "vcenter", "text_wrap": True, **BORDER},
    "sum_pct": {"align": "center", "valign": "vcenter", "num_format": "0%", **BORDER},
    "sum_int": {"align": "center", "valign": "vcenter", "num_format": "0", **BORDER},
    "cover_key": {"bold": True, "align": "right", "valign": "vcenter", "bg_color": SUB_FILL, **BORDER},
    "cover_val": {"align": "left", "valign": "vcenter", "text_wrap": True, **BORDER},
    "cover_text": {"align": "left", "valign": "top", "text_wrap": True},
    "cover_head": {"font_name": HEAD_FONT, "bold": True, "font_size": 12, "align": "left", "valign": "vcenter"},
    "gate": {"align": "center", "valign": "vcenter", "num_format": GATE_FMT, "bold": True, **BORDER},
    "meta": {},
}


# ------------------------------------------------------------------ text helpers

KIND_SUFFIX = {
    InputKind.COUNT: "(个)",
    InputKind.YES_NO: "(是/否)",
    InputKind.CHOICE: "(选择)",
    InputKind.NUMBER: "(数值)",
    InputKind.PERCENT: "(%)",
    InputKind.POINTS: "(分)",
    InputKind.TEXT: "(文字)",
}


def _char_width(ch: str) -> float:
    return 2.0 if ord(ch) > 0x2E7F else 1.1


@functools.lru_cache(maxsize=8192)
def text_lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (CJK count 2)."""
    usable = max(width - 1.5, 4.0)
    lines = 0
    for para in str(text).split("\n"):
        w = sum(_char_width(ch) for ch in para)
        lines += max(1, math.ceil(w / usable))
    return lines


LINE_PT = 13.5


def _height(lines: int) -> float:
    return round(max(1, lines) * LINE_PT + 4, 1)


def _hf(text: str) -> str:
    """Text for a page header/footer (``&`` is a control character there)."""
    return text.replace("&", "&&")


ROW_PT = LINE_PT + 4  # the least height of a row


def fit_rows(sh: SheetPlan) -> None:
    """Give every row the height its wrapped text needs (spreadsheets do not grow rows for
    merged cells by themselves); a merged block's extra height is spread over its rows."""
    anchors = {(m[0], m[1]): (m[2], m[3]) for m in sh.merges}
    for r, _c in sh.cells:
        sh.heights.setdefault(r, ROW_PT)
    blocks: list[tuple[int, int, float]] = []
    for (r, c), (value, style) in sh.cells.items():
        if not isinstance(value, str) or not STYLES.get(style, {}).get("text_wrap"):
            continue
        r2, c2 = anchors.get((r, c), (r, c))
        width = sum(sh.widths[k] if k < len(sh.widths) else 8.43 for k in range(c, c2 + 1))
        width -= 2 * STYLES[style].get("indent", 0)
        need = _height(text_lines(value, width))
        if r2 == r:
            sh.heights[r] = max(sh.heights[r], need)
        else:
            blocks.append((r, r2, need))
    for r1, r2, need in sorted(blocks):
        have = sum(sh.heights[r] for r in range(r1, r2 + 1))
        if need > have:
            extra = (need - have) / (r2 - r1 + 1)
            for r in range(r1, r2 + 1):
                sh.heights[r] = round(sh.heights[r] + extra, 1)


def _dec(value: Decimal) -> Decimal:
    return value.normalize() if value == value.to_integral_value() else value


def _cached(value: L.ResultValue | None) -> Decimal | str:
    if value is None:
        return EMPTY_TEXT
    if isinstance(value, str):
        return EMPTY_TEXT if value == "" else value
    return value


# ------------------------------------------------------------------ validation


def _validation(inp: Input, list_name: str) -> dict[str, Any]:
    hint = inp.hint.strip()
    label = inp.label
    if inp.kind is InputKind.COUNT:
        if inp.max is not None:
            v: dict[str, Any] = {"validate": "integer", "criteria": "between", "minimum": 0, "maximum": int(inp.max)}
            what = f"填写整数(0—{fmt_points(inp.max)})"
        else:
            v = {"validate": "integer", "criteria": ">=", "value": 0}
            what = "填写不小于0的整数"
        msg = f"{what}。没有发现请填0,不要留空(留空表示尚未评分)。"
    elif inp.kind in (InputKind.YES_NO,):
        v = {"validate": "list", "source": [YES, NO]}
        msg = "从下拉列表选择“是”或“否”。"
    elif inp.kind is InputKind.CHOICE:
        v = {"validate": "list", "source": f"={list_name}" if list_name else list(inp.options)}
        msg = "从下拉列表选择:" + "、".join(inp.options)
    elif inp.kind is InputKind.PERCENT:
        v = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100}
        msg = "填写百分数的数值(0—100),如 85 表示 85%。"
    elif inp.kind is InputKind.POINTS:
        top = inp.max if inp.max is not None else Decimal(100)
        v = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": float(top)}
        step = inp.step if inp.step is not None else Decimal("0.5")
        msg = (
            f"填写赋分:0—{fmt_points(top)}分,以{fmt_points(step)}分为一档"
            f"(如 0、{fmt_points(step)}、{fmt_points(step * 2)}…)。"
        )
    elif inp.kind is InputKind.NUMBER:
        v = {"validate": "decimal", "criteria": ">=", "value": 0}
        msg = "填写不小于0的数值。"
    else:
        v = {"validate": "length", "criteria": "<=", "value": 2000}
        msg = "填写文字(不超过2000字)。"
    if hint:
        msg = f"{msg}{hint}"
    v["input_title"] = _clip(label, 32)
    v["input_message"] = _clip(msg, 255)
    v["error_title"] = "填写内容不符合要求"
    v["error_message"] = _clip(f"“{label}”:{msg}", 255)
    v["error_type"] = "stop"
    v["ignore_blank"] = True
    return v


def input_bounds(inp: Input) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(min, max, step) an input's cell accepts (``None``: no such bound)."""
    if inp.kind is InputKind.COUNT:
        return Decimal(0), inp.max, Decimal(1)
    if inp.kind is InputKind.POINTS:
        return Decimal(0), inp.max if inp.max is not None else Decimal(100), inp.step or Decimal("0.5")
    if inp.kind is InputKind.PERCENT:
        return Decimal(0), Decimal(100), None
    if inp.kind is InputKind.NUMBER:
        return Decimal(0), None, None
    return None, None, None


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


INLINE_LIST_MAX = 60  # characters; longer choice lists go to the hidden list sheet


def _needs_list_sheet(options: Sequence[str]) -> bool:
    return sum(len(o) + 1 for o in options) > INLINE_LIST_MAX or any("," in o or '"' in o for o in options)


# ------------------------------------------------------------------ building


@dataclass
class _Ctx:
    rubric: Rubric
    variant: Variant
    unit: Unit
    index: dict[tuple[str, str, str], L.ResultValue]
    values: Mapping[ReadingKey, Value | None]
    year: str
    lists: dict[tuple[str, ...], str] = field(default_factory=dict)
    inputs: list[L.MapRow] = field(default_factory=list)
    results: list[L.ResultCell] = field(default_factory=list)
    names: list[tuple[str, str]] = field(default_factory=list)

    def cached(self, role: str, target: str, key: str) -> Decimal | str:
        return _cached(self.index.get((role, target, key)))

    def result(self, sh: SheetPlan, row: int, col: int, role: str, target: str, key: str, expr: str, style: str) -> str:
        """Put a formula whose value the engine also computes; returns its sheet-qualified A1."""
        text = expr if expr.startswith("=") else "=" + expr
        sh.put(row, col, Formula(text, self.cached(role, target, key)), style)
        cell = L.a1(row, col)
        self.results.append(L.ResultCell(role, target, key, sh.name, cell))
        return L.ref(sh.name, cell)

    def name(self, name: str, sh: SheetPlan, row: int, col: int) -> None:
        self.names.append((name, "=" + L.ref(sh.name, L.a1(row, col, absolute=True))))

    def list_name(self, options: tuple[str, ...]) -> str:
        if not _needs_list_sheet(options):
            return ""
        if options not in self.lists:
            self.lists[options] = f"{L.NAME_LIST_PREFIX}{len(self.lists) + 1}"
        return self.lists[options]


# ------------------------------------------------------------------ scoring sheets

WIDTHS = [w for _, w in L.COLUMNS]


@dataclass
class _Row:
    kind: str  # input | na | none (applies, nothing to fill) | sub (an indicator's subtotal)
    chain: tuple[Indicator, ...]
    criterion: Criterion | None = None
    inp: Input | None = None
    first: int = 0  # 0-based index (in the row list) of its criterion's first row
    span: int = 1  # rows of its criterion


def _rows_for(ind: Indicator, chain: tuple[Indicator, ...], start: int) -> list[_Row]:
    chain = (*chain, ind)
    rows: list[_Row] = []
    for c in ind.criteria:
        here = start + len(rows)
        live = c.live_inputs() if c.applicable else ()
        if not c.applicable:
            rows.append(_Row("na", chain, c, first=here))
        elif not live:
            rows.append(_Row("none", chain, c, first=here))
        else:
            rows.extend(_Row("input", chain, c, inp, first=here, span=len(live)) for inp in live)
    for sub in ind.indicators:
        rows.extend(_rows_for(sub, chain, start + len(rows)))
    if not is_flat(ind):
        rows.append(_Row("sub", chain))
    return rows


def _level_text(ind: Indicator) -> str:
    return ind.title + (f"\n({fmt_points(ind.max)}分)" if ind.max is not None else "")


def _sheet_header(sh: SheetPlan, title: str, info: str, single_level: bool, unit: Unit, rubric: Rubric) -> None:
    last = L.COL_NOTE
    sh.merge(L.TITLE_ROW, 0, L.TITLE_ROW, last, title, "title")
    sh.heights[L.TITLE_ROW] = 26
    sh.merge(L.INFO_ROW, 0, L.INFO_ROW, last, info, "info")
    heads = [h for h, _ in L.COLUMNS]
    if single_level:
        sh.merge(L.HEADER_ROW, L.COL_L1, L.HEADER_ROW, L.COL_L2, "指标", "head")
    else:
        sh.put(L.HEADER_ROW, L.COL_L1, heads[L.COL_L1], "head")
        sh.put(L.HEADER_ROW, L.COL_L2, heads[L.COL_L2], "head")
    for c in range(L.COL_TEXT, len(heads)):
        sh.put(L.HEADER_ROW, c, heads[c], "head")
    sh.heights[L.HEADER_ROW] = 30
    sh.widths = list(WIDTHS)
    sh.freeze_row = L.FIRST_DATA_ROW
    sh.repeat_rows = (L.HEADER_ROW, L.HEADER_ROW)
    sh.header = f'&L&"{FONT}"&9{_hf(unit.name)}&C&"{FONT},Bold"&11{_hf(sh.name)}&R&"{FONT}"&9{_hf(rubric.title)}'
    sh.footer = f'&C&"{FONT}"&9第 &P 页,共 &N 页'


def _place_levels(sh: SheetPlan, rows: Sequence[_Row], single_level: bool) -> None:
    """Columns A and B: the indicator chain of each row, merged over its rows."""
    r0, n = L.FIRST_DATA_ROW, len(rows)
    i = 0
    while i < n:
        top = rows[i].chain[0]
        j = i
        while j + 1 < n and rows[j + 1].chain[0].id == top.id:
            j += 1
        if single_level or not top.indicators:
            sh.merge(r0 + i, L.COL_L1, r0 + j, L.COL_L2, _level_text(top), "level")
        else:
            sh.merge(r0 + i, L.COL_L1, r0 + j, L.COL_L1, _level_text(top), "level")
            k = i
            while k <= j:
                key = tuple(x.id for x in rows[k].chain[1:])
                m = k
                while m + 1 <= j and tuple(x.id for x in rows[m + 1].chain[1:]) == key:
                    m += 1
                if key:
                    chain = rows[k].chain[1:]
                    text = " / ".join(_level_text(x) if x is chain[-1] else x.title for x in chain)
                    sh.merge(r0 + k, L.COL_L2, r0 + m, L.COL_L2, text, "level")
                else:
                    for q in range(k, m + 1):
                        if rows[q].kind != "sub":
                            sh.put(r0 + q, L.COL_L2, None, "level")
                k = m + 1
        i = j + 1


@dataclass
class _Totals:
    raw: str = ""
    vetoes: str = ""
    own_vetoes: str = ""
    points: str = ""
    passed: str = ""
    filled: str = ""  # COUNTA(...) of the input cells, or "0"


class _ScoreSheet:
    """One part's indicators for one target ("" when the part is not scored per target)."""

    def __init__(self, ctx: _Ctx, sh: SheetPlan, part: Part, target: Target | None):
        self.ctx, self.sh, self.part, self.target = ctx, sh, part, target
        self.tid = target.id if target else ""
        self.scores: dict[str, str] = {}  # criterion or flat indicator id → local A1 of its points
        self.subtotals: dict[str, str] = {}  # indicator id → local A1 of its subtotal
        self.input_rows: list[int] = []

    def build(self, subs: Sequence[tuple[str, str]]) -> _Totals:
        ctx, sh, part = self.ctx, self.sh, self.part
        rows: list[_Row] = []
        for ind in part.indicators:
            rows.extend(_rows_for(ind, (), len(rows)))
        single_level = all(len(r.chain) == 1 for r in rows)
        _sheet_header(sh, self._title(), self._info(), single_level, ctx.unit, ctx.rubric)
        _place_levels(sh, rows, single_level)
        r0 = L.FIRST_DATA_ROW
        for i, row in enumerate(rows):
            if row.kind == "sub":
                self._subtotal(r0 + i, row.chain, single_level)
            elif row.kind == "na":
                assert row.criterion is not None
                self._not_applicable(r0 + i, row.criterion)
            else:
                assert row.criterion is not None
                if row.first == i:
                    self._criterion(r0 + i, row.criterion, row.kind == "none")
                if row.kind == "input":
                    assert row.inp is not None
                    self._input(r0 + i, row, r0 + row.first)
        return self._totals(r0 + len(rows), subs, max(1, len(rows)))

    def _title(self) -> str:
        part, unit = self.part, self.ctx.unit
        if self.target is not None:
            return f"{unit.name} — {part.title}:{self.target.name}"
        max_text = f"({fmt_points(part.max)}分)" if part.max is not None else ""
        return f"{unit.name} — {part.title}{max_text}"

    def _info(self) -> str:
        part, unit, target = self.part, self.ctx.unit, self.target
        bits = [f"被考评单位:{unit.name}({unit.group})"]
        if target is not None:
            bits.append(f"考评对象:{target.name}" + (f"({target.url})" if target.url else ""))
        if part.kind is PartKind.PENALTY:
            bits.append("扣分项:按次数扣分,从总分中扣减,不设上限")
        if part.threshold is not None:
            bits.append(f"低于{fmt_points(part.threshold.min)}分或触发否决项的评定为{part.threshold.label}")
        if part.veto_effect is VetoEffect.ZERO:
            bits.append("触发否决项的本部分计0分")
        bits.append("只在浅黄色单元格填写,得分由公式自动计算")
        return ";".join(bits) + "。"

    def _subtotal(self, r: int, chain: tuple[Indicator, ...], single_level: bool) -> None:
        ctx, sh, ind = self.ctx, self.sh, chain[-1]
        own_col_b = not single_level and len(chain) == 1 and bool(chain[0].indicators)
        label = f"{ind.title} 小计" + ("(以分值为限)" if ind.max is not None else "")
        sh.merge(r, L.COL_L2 if own_col_b else L.COL_TEXT, r, L.COL_TEXT, label, "sub_label")
        sh.put(r, L.COL_MAX, _dec(ind.max) if ind.max is not None else None, "sub_max")
        sh.merge(r, L.COL_LABEL, r, L.COL_INPUT, None, "sub_blank")
        refs = [self.scores[c.id] for c in ind.criteria] + [self._node_ref(x) for x in ind.indicators]
        expr = rules.clamp_sum_formula(refs, ind.max)
        ctx.result(sh, r, L.COL_SCORE, "indicator", self.tid, ind.id, expr, "sub_score")
        self.subtotals[ind.id] = L.a1(r, L.COL_SCORE)
        for col in (L.COL_VETO, L.COL_NOTE, L.COL_ID):
            sh.put(r, col, None, "sub_blank")

    def _node_ref(self, ind: Indicator) -> str:
        return self.scores[ind.id] if is_flat(ind) else self.subtotals[ind.id]

    def _not_applicable(self, r: int, c: Criterion) -> None:
        sh = self.sh
        sh.put(r, L.COL_TEXT, c.text, "na_text")
        sh.put(r, L.COL_MAX, _dec(c.max) if c.max is not None else None, "na")
        sh.merge(r, L.COL_LABEL, r, L.COL_INPUT, "不适用", "na")
        pts = rules.na_points(c)
        sh.put(r, L.COL_SCORE, _dec(pts), "na_score")
        self.ctx.results.append(L.ResultCell("criterion", self.tid, c.id, sh.name, L.a1(r, L.COL_SCORE)))
        sh.put(r, L.COL_VETO, None, "na")
        sh.put(r, L.COL_NOTE, "本单位不适用,不扣分" if pts else "本单位不适用", "na_text")
        sh.put(r, L.COL_ID, None, "na")
        self.scores[c.id] = L.a1(r, L.COL_SCORE)

    def _criterion(self, r: int, c: Criterion, nothing_to_fill: bool) -> None:
        ctx, sh = self.ctx, self.sh
        live = c.live_inputs()
        span = max(1, len(live))
        end = r + span - 1
        refs = {inp.id: L.a1(r + k, L.COL_INPUT) for k, inp in enumerate(live)}
        sh.merge(r, L.COL_TEXT, end, L.COL_TEXT, c.text, "text")
        sh.merge(r, L.COL_MAX, end, L.COL_MAX, _dec(c.max) if c.max is not None else "扣分", "max")
        sh.merge(r, L.COL_SCORE, end, L.COL_SCORE, None, "score")
        ctx.result(sh, r, L.COL_SCORE, "criterion", self.tid, c.id, rules.criterion_formula(c, refs), "score")
        self.scores[c.id] = L.a1(r, L.COL_SCORE)
        sh.merge(r, L.COL_VETO, end, L.COL_VETO, None, "veto")
        vetoes = [v for v in c.vetoes if v.applicable]
        if vetoes:
            kinds = {i.id: i.kind for i in c.inputs}
            kinds[EVIDENCE_INPUT.id] = EVIDENCE_INPUT.kind
            expr = "+".join(rules.veto_formula(v, refs, kinds) for v in vetoes)
            ctx.result(sh, r, L.COL_VETO, "criterion_veto", self.tid, c.id, expr, "veto")
        sh.merge(r, L.COL_NOTE, end, L.COL_NOTE, None, "note")
        if nothing_to_fill:
            sh.merge(r, L.COL_LABEL, r, L.COL_INPUT, "本单位无需填写", "na")
            sh.put(r, L.COL_ID, None, "id")

    def _input(self, r: int, row: _Row, crit_row: int) -> None:
        ctx, sh, c, inp = self.ctx, self.sh, row.criterion, row.inp
        assert c is not None and inp is not None
        sh.put(r, L.COL_LABEL, inp.label + KIND_SUFFIX[inp.kind], "label")
        value = ctx.values.get(ReadingKey(self.tid, c.id, inp.id))
        sh.put(r, L.COL_INPUT, value, "input_text" if inp.kind is InputKind.TEXT else "input")
        id_text = L.input_id_text(self.tid, c.id, inp.id)
        sh.put(r, L.COL_ID, id_text, "id")
        list_name = ctx.list_name(inp.options) if inp.kind is InputKind.CHOICE else ""
        sh.validations.append((r, L.COL_INPUT, _validation(inp, list_name)))
        lo, hi, step = input_bounds(inp)
        ctx.inputs.append(
            L.MapRow(
                sheet=sh.name,
                cell=L.a1(r, L.COL_INPUT),
                id_cell=L.a1(r, L.COL_ID),
                id=id_text,
                target=self.tid,
                indicator=row.chain[-1].id,
                criterion=c.id,
                input=inp.id,
                kind=inp.kind.value,
                label=inp.label,
                required=inp.required and inp.kind is not InputKind.TEXT,
                min=lo,
                max=hi,
                step=step,
                options=(YES, NO) if inp.kind is InputKind.YES_NO else inp.options,
                list=list_name,
                score_cell=L.a1(crit_row, L.COL_SCORE),
                note_cell=L.a1(crit_row, L.COL_NOTE),
            )
        )
        sh.inputs += 1
        self.input_rows.append(r)

    def _total_row(self, r: int, label: str, max_value: Decimal | None) -> None:
        sh = self.sh
        sh.merge(r, L.COL_L1, r, L.COL_TEXT, label, "tot_label")
        sh.put(r, L.COL_MAX, _dec(max_value) if max_value is not None else None, "tot_max")
        sh.merge(r, L.COL_LABEL, r, L.COL_INPUT, None, "tot_blank")
        for col in (L.COL_VETO, L.COL_NOTE, L.COL_ID):
            sh.put(r, col, None, "tot_blank")

    def _totals(self, r: int, subs: Sequence[tuple[str, str]], n_rows: int) -> _Totals:
        ctx, sh, part, target, tid = self.ctx, self.sh, self.part, self.target, self.tid
        out = _Totals()
        node_refs = [self._node_ref(ind) for ind in part.indicators] + [p for p, _ in subs]
        top = part.max if part.kind is not PartKind.PENALTY else None
        role_raw, role_vetoes = ("target_raw", "target_vetoes") if target else ("part_raw", "part_vetoes")
        if target is not None:
            label = f"本{_kind_title(ctx.rubric, target.kind)}得分(以分值为限,未计否决)"
        elif part.kind is PartKind.PENALTY:
            label = "本部分扣分合计(从总分中扣减)"
        else:
            label = "本部分合计(以分值为限)"
        self._total_row(r, label, top)
        out.raw = ctx.result(
            sh, r, L.COL_SCORE, role_raw, tid, part.id, rules.clamp_sum_formula(node_refs, top), "tot_score"
        )
        r += 1
        self._total_row(r, "触发否决项个数", None)
        veto_range = f"{L.a1(L.FIRST_DATA_ROW, L.COL_VETO)}:{L.a1(L.FIRST_DATA_ROW + n_rows - 1, L.COL_VETO)}"
        out.own_vetoes = f"SUM({L.ref(sh.name, veto_range)})"
        expr = f"SUM({veto_range})" + "".join(f"+{v}" for _, v in subs)
        out.vetoes = ctx.result(sh, r, L.COL_SCORE, role_vetoes, tid, part.id, expr, "tot_count")
        sh.conditional.append((veto_range, {"type": "cell", "criteria": ">", "value": 0, "format": "veto_hit"}))
        r += 1
        if target is not None:
            label = f"本{_kind_title(ctx.rubric, target.kind)}计入得分"
            if part.veto_effect is VetoEffect.ZERO:
                label += "(触发否决项的计0分)"
            self._total_row(r, label, top)
            expr = rules.after_veto_formula(out.raw, out.vetoes, part.veto_effect)
            out.points = ctx.result(sh, r, L.COL_SCORE, "target", tid, part.id, expr, "tot_score")
            r += 1
            if part.threshold is not None:
                th = part.threshold
                self._total_row(r, f"是否合格(低于{fmt_points(th.min)}分或触发否决项的为{th.label})", None)
                expr = rules.pass_formula(out.points, out.vetoes, th.min, L.PASS, th.label)
                out.passed = ctx.result(sh, r, L.COL_SCORE, "target_pass", tid, part.id, expr, "tot_text")
                sh.conditional.append((L.a1(r, L.COL_SCORE), _fail_format(th.label)))
                r += 1
        if self.input_rows:
            rng = f"{L.a1(self.input_rows[0], L.COL_INPUT)}:{L.a1(self.input_rows[-1], L.COL_INPUT)}"
            out.filled = f"COUNTA({L.ref(sh.name, rng)})"
        else:
            out.filled = "0"
        sh.print_area = (0, 0, r - 1, L.COL_NOTE)
        return out


def _fail_format(label: str) -> dict[str, Any]:
    return {"type": "cell", "criteria": "==", "value": f'"{label}"', "format": "fail"}


def _kind_title(rubric: Rubric, kind: str) -> str:
    title = next((k.title for k in rubric.target_kinds if k.id == kind), kind)
    return title[2:] if title.startswith("政府") and len(title) > 2 else title


# ------------------------------------------------------------------ cover


def _instructions(camp: CampaignInfo) -> list[str]:
    lines = [
        "只在浅黄色单元格中填写:各评分表的“填写”列和“扣分说明/佐证材料”列,以及本页的评估人员和评估日期。",
        "按单元格提示填写:个数填不小于0的整数,没有发现问题请填 0;“是/否”和选项从下拉列表中选择;"
        "百分比填 0—100 的数值;赋分按提示的档次填写。",
        "留空表示尚未评分(不是0分)。全部填完后,“汇总”页的填写进度应为 100%。",
        "灰色“不适用”的细则不适用于本单位,无需填写,按细则规定计分。",
        "得分、小计、合计、否决项、总分和等次均由公式自动计算,请勿改动;不要插入或删除行列、"
        "不要改动工作表的名称和顺序、不要删除隐藏的工作表,否则评分表无法读回。",
        "每个填写行最右侧的“编号”用于读回时核对,请勿改动。",
    ]
    if camp.materials_deadline:
        lines.append(f"佐证材料截止时间:{camp.materials_deadline};逾期未提供的,按细则视为无相关工作内容。")
    send = "保存为原文件名(.xlsx 格式)"
    if camp.return_deadline:
        send += f",于 {camp.return_deadline} 前"
    send += f"发送至 {camp.contact}" if camp.contact else ",按考评办公室要求报送"
    lines.append(f"填写完成后,{send}。")
    return [f"{k}. {line}" for k, line in enumerate(lines, start=1)]


def _cover(ctx: _Ctx, sh: SheetPlan, camp: CampaignInfo, year: str, sheet_names: Sequence[str]) -> tuple[str, str]:
    """The cover sheet; returns the cells of the assessor's name and the date."""
    rubric, variant, unit = ctx.rubric, ctx.variant, ctx.unit
    sh.widths = [18, 72]
    heading = camp.name or f"{year}年度政务公开考评"
    sh.merge(0, 0, 0, 1, f"{heading}评分表", "title")
    sh.heights[0] = 34
    facts: list[tuple[str, str]] = [
        ("被考评单位", unit.name),
        ("单位编号", unit.id),
        ("分组", unit.group),
        ("评分细则", f"{rubric.title}(版本 {rubric.version})"),
    ]
    if len(rubric.variants) > 1:
        facts.append(("适用细则", f"{variant.title}({'、'.join(variant.groups)})"))
    facts.append(("考评年度", year))
    facts.append(("满分", f"{fmt_points(variant.max)}分"))
    if unit.targets:
        facts.append(("考评对象", "\n".join(t.name + (f"({t.url})" if t.url else "") for t in unit.targets)))
    if camp.office:
        facts.append(("组织单位", camp.office))
    if camp.materials_deadline:
        facts.append(("佐证材料截止", camp.materials_deadline))
    if camp.return_deadline:
        facts.append(("评分表报送截止", camp.return_deadline))
    if camp.contact:
        facts.append(("报送方式", camp.contact))
    r = 2
    for k, v in facts:
        sh.put(r, 0, k, "cover_key")
        sh.put(r, 1, v, "cover_val")
        r += 1
    sh.put(r, 0, "评估人员", "cover_key")
    sh.put(r, 1, None, "input_text")
    sh.validations.append((r, 1, {
        "validate": "length", "criteria": "between", "minimum": 1, "maximum": 100,
        "input_title": "评估人员", "input_message": "填写评估人员姓名(多人用顿号分隔)。",
        "error_title": "填写内容不符合要求", "error_message": "评估人员姓名不超过100字。", "ignore_blank": True,
    }))  # fmt: skip
    assessor = L.a1(r, 1)
    sh.heights[r] = 24
    r += 1
    sh.put(r, 0, "评估日期", "cover_key")
    sh.put(r, 1, None, "input_date")
    sh.validations.append((r, 1, {
        "validate": "date", "criteria": ">=", "value": dt.date(2000, 1, 1),
        "input_title": "评估日期", "input_message": "填写日期,如 2022-12-01。",
        "error_title": "填写内容不符合要求", "error_message": "请填写日期,如 2022-12-01。", "ignore_blank": True,
    }))  # fmt: skip
    date_cell = L.a1(r, 1)
    sh.heights[r] = 24
    r += 2
    sh.merge(r, 0, r, 1, "填表说明", "cover_head")
    sh.heights[r] = 24
    r += 1
    for line in _instructions(camp):
        sh.merge(r, 0, r, 1, line, "cover_text")
        r += 1
    r += 1
    contents = "本评分表包括:" + "、".join(sheet_names) + "。"
    sh.merge(r, 0, r, 1, contents, "cover_text")
    sh.print_area = (0, 0, r, 1)
    sh.landscape = False
    sh.header = f'&C&"{FONT}"&9{_hf(unit.name)}'
    sh.footer = f'&C&"{FONT}"&9第 &P 页,共 &N 页'
    return assessor, date_cell


# ------------------------------------------------------------------ summary

SUMMARY_COLUMNS: tuple[tuple[str, float], ...] = (
    ("项目", 40),
    ("分值", 8),
    ("计算得分", 10),
    ("否决项", 8),
    ("计入得分", 10),
    ("说明", 42),
)
S_ITEM, S_MAX, S_RAW, S_VETO, S_POINTS, S_NOTE = range(6)
S_WIDTHS = [w for _, w in SUMMARY_COLUMNS]


class _Summary:
    """The 汇总 sheet: a row per part (and per target, and per gate), then vetoes, total,
    tier and 填写进度.  Rows are numbered first so that scoring sheets can refer to the
    points of sub-parts before the summary's formulas are written."""

    def __init__(self, ctx: _Ctx, sh: SheetPlan):
        self.ctx, self.sh = ctx, sh
        self.rows: list[tuple[str, Part, Target | None, int]] = []
        for p in ctx.variant.parts:
            self._walk(p, 0)
        self.row_of = {(k, p.id, t.id if t else ""): L.FIRST_DATA_ROW + i for i, (k, p, t, _) in enumerate(self.rows)}

    def _walk(self, p: Part, depth: int) -> None:
        self.rows.append(("part", p, None, depth))
        if p.per_target:
            for t in self.ctx.unit.targets_of(p.per_target):
                self.rows.append(("target", p, t, depth + 1))
        for sub in p.parts:
            self._walk(sub, depth + 1)
        if p.gate is not None:
            self.rows.append(("gate", p, None, depth + 1))

    def points_ref(self, part_id: str) -> str:
        return L.ref(self.sh.name, L.a1(self.row_of[("part", part_id, "")], S_POINTS, absolute=True))

    def vetoes_ref(self, part_id: str) -> str:
        return L.ref(self.sh.name, L.a1(self.row_of[("part", part_id, "")], S_VETO, absolute=True))

    def build(self, sheets: Sequence[tuple[Part, Target | None, SheetPlan, _Totals]]) -> None:
        ctx, sh = self.ctx, self.sh
        rubric, unit = ctx.rubric, ctx.unit
        sh.widths = list(S_WIDTHS)
        year = ctx.year
        sh.merge(L.TITLE_ROW, 0, L.TITLE_ROW, S_NOTE, f"{unit.name} {year}年度政务公开考评得分汇总", "title")
        sh.heights[L.TITLE_ROW] = 26
        info = (
            f"评分细则:{rubric.title}(版本 {rubric.version});满分 {fmt_points(ctx.variant.max)} 分;"
            f"分组:{unit.group}。本页由公式计算,随填写自动更新。"
        )
        sh.merge(L.INFO_ROW, 0, L.INFO_ROW, S_NOTE, info, "info")
        for c, (h, _) in enumerate(SUMMARY_COLUMNS):
            sh.put(L.HEADER_ROW, c, h, "head")
        sh.heights[L.HEADER_ROW] = 22
        totals = {(p.id, t.id if t else ""): tot for p, t, _, tot in sheets}
        gate_open: dict[str, str] = {}
        for kind, p, _t, depth in self.rows:
            if kind == "gate":
                gate_open[p.id] = self._gate(p, depth)
        for kind, p, t, depth in self.rows:
            if kind == "target":
                assert t is not None
                self._target(p, t, depth, totals[(p.id, t.id)])
            elif kind == "part":
                self._part(p, depth, totals, gate_open.get(p.id, ""))
        r = self._unit_lines(L.FIRST_DATA_ROW + len(self.rows))
        self._progress(r + 1, sheets)
        sh.freeze_row = L.FIRST_DATA_ROW
        sh.repeat_rows = (L.HEADER_ROW, L.HEADER_ROW)
        sh.header = f'&L&"{FONT}"&9{_hf(unit.name)}&C&"{FONT},Bold"&11{_hf(sh.name)}&R&"{FONT}"&9{_hf(rubric.title)}'
        sh.footer = f'&C&"{FONT}"&9第 &P 页,共 &N 页'

    def _item_style(self, depth: int) -> str:
        return "sum_item" if depth == 0 else f"sum_item{min(depth, 2)}"

    def _gate(self, p: Part, depth: int) -> str:
        ctx, sh = self.ctx, self.sh
        assert p.gate is not None
        r = self.row_of[("gate", p.id, "")]
        gate_part = ctx.variant.part(p.gate.part)
        label = f"加分门槛:{gate_part.title}达到{fmt_points(p.gate.min)}分(含)"
        sh.put(r, S_ITEM, label, self._item_style(depth))
        sh.put(r, S_MAX, _dec(p.gate.min), "max")
        sh.put(r, S_RAW, Formula("=" + self.points_ref(gate_part.id), ctx.cached("part", "", gate_part.id)), "score")
        sh.put(r, S_VETO, None, "sum_text")
        expr = rules.gate_open_formula(L.a1(r, S_RAW), p.gate.min)
        ctx.result(sh, r, S_POINTS, "part_gate", "", p.id, expr, "gate")
        sh.put(r, S_NOTE, f"未达到的,{p.title}计0分,注明“{p.gate.label}”", "sum_text")
        return L.a1(r, S_POINTS)

    def _target(self, p: Part, t: Target, depth: int, tot: _Totals) -> None:
        ctx, sh = self.ctx, self.sh
        r = self.row_of[("target", p.id, t.id)]
        sh.put(r, S_ITEM, t.name, self._item_style(depth))
        sh.put(r, S_MAX, _dec(p.max) if p.max is not None else None, "max")
        ctx.result(sh, r, S_RAW, "target_raw", t.id, p.id, "=" + tot.raw, "score")
        ctx.result(sh, r, S_VETO, "target_vetoes", t.id, p.id, "=" + tot.vetoes, "sum_count")
        ctx.result(sh, r, S_POINTS, "target", t.id, p.id, "=" + tot.points, "score")
        if tot.passed and p.threshold is not None:
            ctx.result(sh, r, S_NOTE, "target_pass", t.id, p.id, "=" + tot.passed, "sum_text")
            sh.conditional.append((L.a1(r, S_NOTE), _fail_format(p.threshold.label)))
        else:
            sh.put(r, S_NOTE, None, "sum_text")

    def _part(self, p: Part, depth: int, totals: Mapping[tuple[str, str], _Totals], gate_cell: str) -> None:
        ctx, sh = self.ctx, self.sh
        r = self.row_of[("part", p.id, "")]
        title = p.title + ("(扣分项)" if p.kind is PartKind.PENALTY else "")
        sh.put(r, S_ITEM, title, self._item_style(depth))
        sh.put(r, S_MAX, _dec(p.max) if p.max is not None else "—", "max")
        raw_cell, veto_cell = L.a1(r, S_RAW), L.a1(r, S_VETO)
        subs_vetoes = [self.vetoes_ref(x.id) for x in p.parts]
        if p.per_target:
            targets = [totals[(p.id, t.id)] for t in ctx.unit.targets_of(p.per_target)]
            raw = rules.mean_formula([t.raw for t in targets])
            vetoes = "+".join([t.own_vetoes for t in targets] + subs_vetoes) or "0"
            pre_gate = rules.mean_formula([t.points for t in targets])
        elif p.indicators:
            own = totals[(p.id, "")]
            raw, vetoes = "=" + own.raw, "=" + own.vetoes
            pre_gate = rules.after_veto_formula(raw_cell, veto_cell, p.veto_effect)
        else:
            top = p.max if p.kind is not PartKind.PENALTY else None
            raw = rules.clamp_sum_formula([self.points_ref(x.id) for x in p.parts], top)
            vetoes = "+".join(subs_vetoes) or "0"
            pre_gate = rules.after_veto_formula(raw_cell, veto_cell, p.veto_effect)
        ctx.result(sh, r, S_RAW, "part_raw", "", p.id, raw, "score")
        ctx.result(sh, r, S_VETO, "part_vetoes", "", p.id, vetoes, "sum_count")
        final = rules.gated_formula(pre_gate, gate_cell) if p.gate is not None else pre_gate
        ctx.result(sh, r, S_POINTS, "part", "", p.id, final, "tot_score" if depth == 0 else "score")
        ctx.name(L.part_name(p.id), sh, r, S_POINTS)
        if p.threshold is not None:
            if p.per_target:
                passes = [totals[(p.id, t.id)].passed for t in ctx.unit.targets_of(p.per_target)]
                expr = rules.all_pass_formula(passes, L.PASS, p.threshold.label)
            else:
                expr = rules.pass_formula(pre_gate, veto_cell, p.threshold.min, L.PASS, p.threshold.label)
            ctx.result(sh, r, S_NOTE, "part_pass", "", p.id, expr, "sum_text")
            sh.conditional.append((L.a1(r, S_NOTE), _fail_format(p.threshold.label)))
        else:
            notes = []
            if p.kind is PartKind.PENALTY:
                notes.append("从总分中扣减")
            if p.per_target:
                notes.append(f"各{_kind_title(ctx.rubric, p.per_target)}得分的平均值")
            if p.veto_effect is VetoEffect.ZERO:
                notes.append("触发否决项的本部分计0分")
            if p.gate is not None:
                notes.append("达到加分门槛方计入")
            sh.put(r, S_NOTE, ";".join(notes) or None, "sum_text")

    def _line(self, r: int, label: str, max_value: CellValue = None) -> None:
        sh = self.sh
        sh.put(r, S_ITEM, label, "tot_label")
        sh.put(r, S_MAX, max_value, "tot_max")
        for c in (S_RAW, S_VETO, S_POINTS, S_NOTE):
            sh.put(r, c, None, "tot_blank")
        sh.heights[r] = 24

    def _unit_lines(self, r: int) -> int:
        ctx, sh, rubric, variant = self.ctx, self.sh, self.ctx.rubric, self.ctx.variant
        top = list(variant.parts)
        self._line(r, "否决项合计")
        vetoes_cell = L.a1(r, S_POINTS)
        expr = "+".join(self.vetoes_ref(p.id) for p in top) or "0"
        ctx.result(sh, r, S_POINTS, "vetoes", "", "", expr, "tot_count")
        ctx.name(L.NAME_VETOES, sh, r, S_POINTS)
        if rubric.tiers:
            sh.put(r, S_NOTE, f"有否决项的,等次为“{rubric.veto_tier}”", "tot_text")
        sh.conditional.append((vetoes_cell, {"type": "cell", "criteria": ">", "value": 0, "format": "veto_hit"}))
        r += 1
        self._line(r, "总分", _dec(variant.max))
        normal = [self.points_ref(p.id) for p in top if p.kind is not PartKind.PENALTY]
        penalty = [self.points_ref(p.id) for p in top if p.kind is PartKind.PENALTY]
        total_cell = L.a1(r, S_POINTS)
        ctx.result(sh, r, S_POINTS, "total", "", "", rules.total_formula(normal, penalty), "tot_score")
        ctx.name(L.NAME_TOTAL, sh, r, S_POINTS)
        sh.put(r, S_NOTE, "各部分计入得分之和" + ("减扣分项" if penalty else "") + ",不低于0分", "tot_text")
        r += 1
        self._line(r, "等次")
        ctx.result(sh, r, S_POINTS, "tier", "", "", rules.tier_formula(rubric, total_cell, vetoes_cell), "tot_text")
        ctx.name(L.NAME_TIER, sh, r, S_POINTS)
        tiers = _tier_text(rubric) or "细则未设等次"
        sh.put(r, S_NOTE, tiers, "sum_text")
        if rubric.tiers:
            sh.conditional.append((L.a1(r, S_POINTS), _fail_format(rubric.veto_tier)))
        return r + 1

    def _progress(self, r: int, sheets: Sequence[tuple[Part, Target | None, SheetPlan, _Totals]]) -> None:
        ctx, sh = self.ctx, self.sh
        heads = {S_ITEM: "填写进度", S_MAX: "应填", S_RAW: "已填", S_VETO: "", S_POINTS: "完成", S_NOTE: "说明"}
        for c, h in heads.items():
            sh.put(r, c, h, "head")
        sh.heights[r] = 22
        r += 1
        first = r
        for _p, _t, sp, tot in sheets:
            filled = sum(1 for m in ctx.inputs if m.sheet == sp.name and _filled(ctx.values.get(m.key)))
            ctx.index[("filled", "", sp.name)] = Decimal(filled)
            sh.put(r, S_ITEM, sp.name, "sum_item1")
            sh.put(r, S_MAX, sp.inputs, "sum_int")
            ctx.result(sh, r, S_RAW, "filled", "", sp.name, tot.filled, "sum_int")
            sh.put(r, S_VETO, None, "sum_text")
            self._percent(r, filled, sp.inputs)
            sh.put(r, S_NOTE, None, "sum_text")
            sh.heights[r] = 20
            r += 1
        total_inputs = sum(sp.inputs for _, _, sp, _ in sheets)
        filled_all = sum(1 for m in ctx.inputs if _filled(ctx.values.get(m.key)))
        ctx.index[("filled", "", "")] = Decimal(filled_all)
        self._line(r, "合计", total_inputs)
        expr = f"SUM({L.a1(first, S_RAW)}:{L.a1(r - 1, S_RAW)})" if r > first else "0"
        ctx.result(sh, r, S_RAW, "filled", "", "", expr, "tot_int")
        ctx.name(L.NAME_FILLED, sh, r, S_RAW)
        self._percent(r, filled_all, total_inputs)
        n, m = L.a1(r, S_RAW), L.a1(r, S_MAX)
        left = total_inputs - filled_all
        text = f'=IF({n}>={m},"已全部填写","尚有"&({m}-{n})&"项未填写")'
        sh.put(r, S_NOTE, Formula(text, "已全部填写" if left <= 0 else f"尚有{left}项未填写"), "tot_text")
        sh.print_area = (0, 0, r, S_NOTE)
        sh.fit_height = 1 if r < 60 else 0

    def _percent(self, r: int, filled: int, total: int) -> None:
        n, m = L.a1(r, S_RAW), L.a1(r, S_MAX)
        cached = Decimal(1) if total == 0 else Decimal(filled) / Decimal(total)
        self.sh.put(r, S_POINTS, Formula(f"=IF({m}=0,1,{n}/{m})", cached), "sum_pct")


def _tier_text(rubric: Rubric) -> str:
    if not rubric.tiers:
        return ""
    ranked = sorted((t for t in rubric.tiers if t.min is not None), key=lambda t: t.min or 0, reverse=True)
    text = "、".join(f"{fmt_points(t.min)}分及以上{t.label}" for t in ranked)
    floorless = next((t.label for t in rubric.tiers if t.min is None), None)
    if floorless:
        text += f",其余{floorless}"
    return text + "(取所达到的最高等次)"


def _filled(value: object) -> bool:
    return value is not None and value != ""


# ------------------------------------------------------------------ the whole workbook


def plan_workbook(
    rubric: Rubric,
    unit: Unit,
    campaign: CampaignInfo | None = None,
    values: Mapping[ReadingKey, Value | None] | None = None,
    password: str = "",
    variant: Variant | None = None,
) -> WorkbookPlan:
    """Lay out the workbook for ``unit`` (see the module docstring).  ``values`` pre-fills
    input cells (the cached results then agree with them)."""
    camp = campaign or CampaignInfo()
    variant = variant or resolve(rubric, unit)
    vals = dict(values or {})
    year = str(camp.year or rubric.year)
    ctx = _Ctx(rubric, variant, unit, L.result_index(score_unit(rubric, variant, unit, vals)), vals, year)

    taken: list[str] = list(L.RESERVED_SHEETS)
    scoring: list[tuple[Part, Target | None, SheetPlan]] = []
    for p in variant.walk_parts():
        if not p.indicators:
            continue
        targets: list[Target | None] = list(unit.targets_of(p.per_target)) if p.per_target else [None]
        for t in targets:
            name = L.safe_sheet_name(t.name if t else p.title, taken)
            taken.append(name)
            scoring.append((p, t, SheetPlan(name, L.ROLE_TARGET if t else L.ROLE_PART, p.id, t.id if t else "")))
    cover = SheetPlan(L.COVER_SHEET, L.ROLE_COVER)
    summary = SheetPlan(L.SUMMARY_SHEET, L.ROLE_SUMMARY)
    summ = _Summary(ctx, summary)
    built: list[tuple[Part, Target | None, SheetPlan, _Totals]] = []
    for p, t, sp in scoring:
        subs = [(summ.points_ref(x.id), summ.vetoes_ref(x.id)) for x in p.parts]
        built.append((p, t, sp, _ScoreSheet(ctx, sp, p, t).build(subs)))
    summ.build(built)
    visible = [cover, summary, *(sp for _, _, sp in scoring)]
    assessor, date_cell = _cover(ctx, cover, camp, year, [s.name for s in visible])

    for sp in visible:
        fit_rows(sp)
    sheets = list(visible)
    if ctx.lists:
        lists = SheetPlan(L.LISTS_SHEET, L.ROLE_LISTS, hidden=2)
        for col, (options, list_name) in enumerate(sorted(ctx.lists.items(), key=lambda kv: kv[1])):
            lists.put(0, col, list_name, "meta")
            for k, option in enumerate(options):
                lists.put(k + 1, col, option, "meta")
            span = f"{L.a1(1, col, absolute=True)}:{L.a1(len(options), col, absolute=True)}"
            ctx.names.append((list_name, "=" + L.ref(L.LISTS_SHEET, span)))
        sheets.append(lists)
    meta = L.WorkbookMeta(
        format=L.FORMAT_VERSION,
        rubric_id=rubric.id,
        rubric_hash=rubric.hash,
        rubric_version=rubric.version,
        rubric_title=rubric.title,
        rubric_year=str(rubric.year),
        variant=variant.id,
        tool_version=__version__,
        campaign_year=year,
        campaign_name=camp.name,
        unit_id=unit.id,
        unit_name=unit.name,
        unit_group=unit.group,
        assessor_cell=f"{L.COVER_SHEET}!{assessor}",
        date_cell=f"{L.COVER_SHEET}!{date_cell}",
        targets=unit.targets,
    )
    meta_sheet = SheetPlan(L.META_SHEET, L.ROLE_META, hidden=2)
    infos = [L.SheetInfo(s.name, s.role, s.part, s.target, s.inputs) for s in sheets]
    infos.append(L.SheetInfo(L.META_SHEET, L.ROLE_META))
    meta_sheet.records = L.meta_rows(meta, infos, ctx.inputs, ctx.results)
    meta_sheet.widths = [10, 16, 16, 12, 14, 12, 12, 12, 12, 10, 30]
    sheets.append(meta_sheet)
    created = dt.datetime(int(year), 1, 1) if year.isdigit() and 1900 < int(year) < 10000 else dt.datetime(2000, 1, 1)
    return WorkbookPlan(
        sheets=sheets,
        names=ctx.names,
        title=f"{unit.name} {year}年度政务公开考评评分表",
        subject=rubric.title,
        company=camp.office,
        created=created,
        password=password,
        layout=L.Layout(meta, tuple(infos), tuple(ctx.inputs), tuple(ctx.results)),
    )


# ------------------------------------------------------------------ rendering

FORMULA_FUNCTIONS = frozenset({"IF", "OR", "AND", "ROUND", "MIN", "MAX", "SUM", "COUNTA"})
_XML_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_XML_BAD = re.compile("[\x00-\x08\x0b-\x1f&<>]")
_XML_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")
_LETTERS = [L.col_letter(c) for c in range(64)]


def _xml_text(text: str) -> str:
    if not _XML_BAD.search(text):
        return text
    return _XML_CONTROL.sub("", text).translate(_XML_ESCAPE)


class _FastSheet(Worksheet):  # type: ignore[misc]
    """xlsxwriter's worksheet with two shortcuts, because init-sheets writes thousands of
    workbooks (the benchmark holds them to a time budget):

    * formulas are stored as given: xlsxwriter runs ~30 regular-expression substitutions
      per formula to add ``_xlfn.`` prefixes to newer functions, but ours only use the
      classic functions of :data:`FORMULA_FUNCTIONS` (a test checks every formula);
    * a sheet of plain text records (the meta sheet: thousands of cells) is written in one
      pass as inline strings instead of cell by cell.

    Both override private xlsxwriter methods.  :func:`shortcuts_work` checks once per process
    that they still do what they should, and a newer xlsxwriter that changed them gets the
    plain, slower path (a test fails on it, so the change is noticed).
    """

    records: list[list[str]] | None = None

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        return formula[1:] if formula.startswith("=") else formula

    def _write_sheet_data(self) -> None:
        if self.records is None:
            super()._write_sheet_data()
            return
        out = ["<sheetData>"]
        for r, row in enumerate(self.records, start=1):
            cells = []
            for c, text in enumerate(row):
                if text == "":
                    continue
                space = ' xml:space="preserve"' if text != text.strip() else ""
                ref = f"{_LETTERS[c]}{r}"
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>')
            if cells:
                out.append(f'<row r="{r}">' + "".join(cells) + "</row>")
        out.append("</sheetData>")
        self.fh.write("".join(out))


_SHORTCUTS: list[bool] = []  # the answer of shortcuts_work, once known


def shortcuts_work() -> bool:
    """Whether :class:`_FastSheet`'s overrides of xlsxwriter's private methods still write what
    they should, tried once per process on a tiny workbook.  Without this, an xlsxwriter that
    renamed one would silently issue workbooks with an empty hidden map (none of them could be
    scored) or with rewritten formulas."""
    if not _SHORTCUTS:
        ok = False
        try:
            buf = io.BytesIO()
            wb = xlsxwriter.Workbook(buf, {"in_memory": True})
            records = wb.add_worksheet("r", worksheet_class=_FastSheet)
            _write_records(records, [["zwgk", "a b"], ["", "x"]], [])
            wb.add_worksheet("f", worksheet_class=_FastSheet).write_formula(0, 0, "=SUM(1,2)", None, 3)
            wb.close()
            with zipfile.ZipFile(buf) as z:
                data, formula = z.read("xl/worksheets/sheet1.xml"), z.read("xl/worksheets/sheet2.xml")
            ok = (
                b'<c r="A1" t="inlineStr"><is><t>zwgk</t></is></c><c r="B1" t="inlineStr"><is><t>a b</t></is></c>'
                in data
                and b'<c r="B2" t="inlineStr"><is><t>x</t></is></c>' in data
                and data.count(b"<c ") == 3
                and b"<f>SUM(1,2)</f>" in formula
            )
        except Exception:  # any failure of the shortcuts is a reason not to use them
            ok = False
        _SHORTCUTS.append(ok)
    return _SHORTCUTS[0]


def _write_records(ws: Worksheet, rows: list[list[str]], widths: Sequence[float], fast: bool = True) -> None:
    """Give ``ws`` its text records (on the plain path, cell by cell); the two cells written
    normally set its dimensions."""
    if not fast:
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                if text != "":
                    ws.write_string(r, c, text)
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        return
    ws.records = rows
    last_row = len(rows) - 1
    last_col = max((len(r) for r in rows), default=1) - 1
    ws.write_string(0, 0, rows[0][0] if rows and rows[0] else "")
    ws.write_string(last_row, last_col, rows[last_row][last_col] if last_col < len(rows[last_row]) else " ")
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)


def _number(value: Decimal | int) -> int | float:
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def render_xlsx(plan: WorkbookPlan) -> bytes:
    """Write the plan with xlsxwriter; returns the workbook's bytes (deterministic)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_format_properties": {"font_name": FONT, "font_size": 10},
        },
    )
    wb.set_properties(
        {
            "title": plan.title,
            "subject": plan.subject,
            "author": "zwgk",
            "company": plan.company,
            "comments": f"由 zwgk {__version__} 生成",
            "created": plan.created,
        }
    )
    wb.set_calc_mode("auto")
    formats: dict[str, Any] = {}

    def fmt(name: str) -> Any:
        f = formats.get(name)
        if f is None:
            f = formats[name] = wb.add_format(STYLES[name])
        return f

    dxf = {
        "veto_hit": wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        "fail": wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
    }
    fast = shortcuts_work()
    for sp in plan.sheets:
        ws = wb.add_worksheet(sp.name, worksheet_class=_FastSheet if fast else Worksheet)
        if sp.records is not None:
            _write_records(ws, sp.records, sp.widths, fast)
        for c, w in enumerate(sp.widths if sp.records is None else ()):
            ws.set_column(c, c, w)
        for r, h in sorted(sp.heights.items()):
            ws.set_row(r, h)
        anchors = {(m[0], m[1]) for m in sp.merges}
        for r1, c1, r2, c2 in sp.merges:
            ws.merge_range(r1, c1, r2, c2, "", fmt(sp.cells[(r1, c1)][1]))
        for (r, c), (value, style) in sp.cells.items():  # insertion order: deterministic
            if value is None and ((r, c) in anchors or (r, c) in sp.covered):
                continue
            f = fmt(style)
            if value is None:
                ws.write_blank(r, c, None, f)
            elif isinstance(value, Formula):
                cached = value.cached
                ws.write_formula(r, c, value.text, f, _number(cached) if isinstance(cached, Decimal) else cached)
            elif isinstance(value, str):
                ws.write_string(r, c, value, f)
            elif isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), f)
            else:
                ws.write_number(r, c, _number(value), f)
        for r, c, opts in sp.validations:
            ws.data_validation(r, c, r, c, opts)
        for rng, opts in sp.conditional:
            o = dict(opts)
            o["format"] = dxf[o["format"]]
            ws.conditional_format(rng, o)
        if sp.freeze_row:
            ws.freeze_panes(sp.freeze_row, 0)
        if sp.repeat_rows:
            ws.repeat_rows(*sp.repeat_rows)
        if sp.print_area:
            ws.print_area(*sp.print_area)
        ws.set_paper(9)
        if sp.landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.fit_to_pages(1, sp.fit_height)
        ws.center_horizontally()
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        if sp.header:
            ws.set_header(sp.header)
        if sp.footer:
            ws.set_footer(sp.footer)
        ws.protect(
            plan.password,
            {"format_columns": True, "format_rows": True, "select_locked_cells": True, "select_unlocked_cells": True},
        )
        if sp.hidden == 1:
            ws.hide()
        elif sp.hidden == 2:
            ws.very_hidden()
    wb.worksheets()[0].activate()
    for name, target in sorted(plan.names):
        wb.define_name(name, target)
    wb.close()
    return buf.getvalue()


def build_workbook(
    rubric: Rubric,
    unit: Unit,
    campaign: CampaignInfo | None = None,
    values: Mapping[ReadingKey, Value | None] | None = None,
    password: str = "",
) -> tuple[bytes, L.Layout]:
    """The workbook for ``unit`` as bytes, and its layout (what the hidden sheet says)."""
    plan = plan_workbook(rubric, unit, campaign, values, password)
    return render_xlsx(plan), plan.layout
