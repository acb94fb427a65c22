"""A scoring workbook as plain data (:class:`WorkbookPlan`: a :class:`SheetPlan` per sheet, cells
with style names from :mod:`~zwgk_cli.workbook.styles`), which :mod:`~zwgk_cli.workbook.render`
writes; and :class:`PlanContext`, what the sheet builders of one workbook share."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from zwgk_cli.campaign import Campaign
from zwgk_cli.model import ReadingKey, Rubric, Unit, Value, Variant
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook.styles import FONT, STYLES
from zwgk_cli.workbook.teams import TeamSheet
from zwgk_cli.workbook.validation import needs_list_sheet


@dataclass(frozen=True)
class Formula:
    text: str  # with the leading "="
    cached: Decimal | str  # the result a spreadsheet shows before it recalculates ("": empty text)


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
    required: int = 0  # of the inputs, those that count as 应填 (rules.is_required)
    hidden_cols: tuple[int, ...] = ()  # helper columns outside the print area
    page_breaks: list[int] = field(default_factory=list)  # manual breaks: a page starts at each row
    keep: list[tuple[int, int]] = field(default_factory=list)  # row blocks printed on one page
    print_scale: int = 0  # percent; 0: fit to the page width instead
    records: list[list[str]] | None = None  # a sheet of unstyled text records only (the meta sheet)

    def put(self, row: int, col: int, value: CellValue, style: str) -> None:
        self.cells[(row, col)] = (value, style)

    def width(self, col: int) -> float:
        return self.widths[col] if col < len(self.widths) else 8.43  # a spreadsheet's default

    def fail_when(self, cell: str, label: str) -> None:
        """Red when ``cell`` shows ``label`` (不合格, 未达到, …)."""
        self.conditional.append((cell, {"type": "cell", "criteria": "==", "value": f'"{label}"', "format": "fail"}))

    def merge(self, r1: int, c1: int, r2: int, c2: int, value: CellValue, style: str) -> None:
        """Merge the block (when larger than one cell) and put ``value`` in its top-left cell;
        every cell of the block gets ``style`` (borders, fill)."""
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))
        self.cells.update({(r, c): (None, style) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)})
        self.cells[(r1, c1)] = (value, style)


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
        same = {f.name: getattr(camp, f.name) for f in fields(cls)}
        return cls(**same | {"year": camp.year or None})


# ------------------------------------------------------------------ row heights

LINE_PT = 13.5
ROW_PT = LINE_PT + 4  # the least height of a row


def text_lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (CJK count 2)."""
    usable = max(width - 1.5, 4.0)
    widths = (sum(2.0 if ord(ch) > 0x2E7F else 1.1 for ch in para) for para in str(text).split("\n"))
    return sum(max(1, math.ceil(w / usable)) for w in widths)


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
        width = sum(sh.width(k) for k in range(c, c2 + 1)) - 2 * STYLES[style].get("indent", 0)
        need = round(text_lines(value, width) * LINE_PT + 4, 1)
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


# ------------------------------------------------------------------ printing: keep a criterion's rows on one page

# A4 in points, less the margins render.py sets (0.5" left and right, 0.75" top and bottom).
PRINT_WIDTH_PT = 842 - 72
PRINT_HEIGHT_PT = 595 - 108
PAGE_SLACK = 0.95  # room for spreadsheets that lay rows out a little taller than planned


def _column_pt(width: float) -> float:
    """A column ``width`` characters wide, in points at 100 %: as LibreOffice lays out the CJK font
    it puts for 宋体 (about 6.35 pt a character, padding included; Excel's are narrower, so the
    page is then a little wider than the print area, never narrower)."""
    return (width + 0.72) * 6.4


def paginate(sh: SheetPlan) -> None:
    """Print ``sh`` at a fixed scale that fits its print area to the page width, with manual
    page breaks so that no block of :attr:`SheetPlan.keep` (a criterion's rows, a merged 否决 row)
    straddles two pages.  xlsxwriter has no keep-together and spreadsheets ignore manual breaks
    when a sheet is fitted to pages, hence the scale; the breaks come from the row heights
    :func:`fit_rows` gave every row, with some slack."""
    if not sh.keep or sh.print_area is None:
        return
    _r1, c1, r2, c2 = sh.print_area
    wide = sum(_column_pt(sh.width(c)) for c in range(c1, c2 + 1))
    sh.print_scale = max(10, min(100, math.floor(PRINT_WIDTH_PT / wide * 100) - 1))
    room = PRINT_HEIGHT_PT * 100 / sh.print_scale * PAGE_SLACK
    first = sh.freeze_row
    top, bottom = sh.repeat_rows or (0, -1)
    repeat = sum(sh.heights.get(r, ROW_PT) for r in range(top, bottom + 1))
    used = sum(sh.heights.get(r, ROW_PT) for r in range(first))
    block_end = {a: b for a, b in sh.keep}
    r = first
    breaks: list[int] = []
    while r <= r2:
        end = max(r, block_end.get(r, r))
        tall = sum(sh.heights.get(k, ROW_PT) for k in range(r, end + 1))
        if used + tall > room and used > repeat:
            breaks.append(r)
            used = repeat
        used += tall
        r = end + 1
    sh.page_breaks = breaks


# ------------------------------------------------------------------ small shared pieces


def dec(value: Decimal | None, missing: str | None = None) -> Decimal | str | None:
    """A maximum as written: ``10`` not ``10.00``; ``missing`` when there is none."""
    if value is None:
        return missing
    return value.normalize() if value == value.to_integral_value() else value


HEADER_TEXT_MAX = 60  # characters of one text in a page header: Excel takes 255 in all, codes included


def header_text(text: str) -> str:
    """``text`` as a page header or footer shows it: ``&`` starts a control code there (a name
    like “政务服务&大数据局” would be a broken code), and a long name is cut short."""
    if len(text) > HEADER_TEXT_MAX:
        text = text[: HEADER_TEXT_MAX - 1] + "…"
    return text.replace("&", "&&")


PAGE_FOOTER = f'&C&"{FONT}"&9第 &P 页,共 &N 页'
VETO_HIT = {"type": "cell", "criteria": ">", "value": 0, "format": "veto_hit"}  # conditional format: a veto counted


def kind_title(rubric: Rubric, kind: str) -> str:
    title = next((k.title for k in rubric.target_kinds if k.id == kind), kind)
    return title[2:] if title.startswith("政府") and len(title) > 2 else title


@dataclass
class PlanContext:
    """What the sheet builders of one workbook share."""

    rubric: Rubric
    variant: Variant
    unit: Unit
    index: dict[tuple[str, str, str], L.ResultValue]  # the engine's results, by (role, target, key)
    values: Mapping[ReadingKey, Value | None]
    year: str
    unfilled: frozenset[tuple[str, str, str]] = frozenset()  # layout.unfilled_results
    lists: dict[tuple[str, ...], str] = field(default_factory=dict)  # long choice lists → defined name
    inputs: list[L.MapRow] = field(default_factory=list)
    results: list[L.ResultCell] = field(default_factory=list)
    names: list[tuple[str, str]] = field(default_factory=list)
    team: TeamSheet | None = None  # a 检查组's workbook: what it says of the team (workbook/teams.py)
    notes: Mapping[tuple[str, str], str] = field(default_factory=dict)  # pre-filled 扣分说明, (target, criterion)

    @property
    def of_team(self) -> str:  # what follows a title of a team's workbook: ``(网站检查组)``
        return f"({self.team.name})" if self.team else ""

    def cached(self, role: str, target: str, key: str, sheet: str = L.SUMMARY_SHEET) -> Decimal | str:
        """The engine's result for a formula cell on ``sheet`` as it shows it (未填写 where
        :func:`~zwgk_cli.workbook.layout.shown_value` says; "" when it has none: not yet scored)."""
        value = self.index.get((role, target, key))
        return "" if value is None else L.shown_value(value, sheet, role, target, key, self.unfilled)

    def result(
        self, sh: SheetPlan, row: int, col: int, role: str, target: str, key: str, expr: str, style: str, name: str = ""
    ) -> str:
        """Put a formula whose value the engine also computes (``name``: a defined name for its
        cell); returns its sheet-qualified A1."""
        text = expr if expr.startswith("=") else "=" + expr
        sh.put(row, col, Formula(text, self.cached(role, target, key, sh.name)), style)
        cell = L.a1(row, col)
        self.results.append(L.ResultCell(role, target, key, sh.name, cell))
        if name:
            self.names.append((name, "=" + L.ref(sh.name, L.a1(row, col, absolute=True))))
        return L.ref(sh.name, cell)

    def open_sheet(self, sh: SheetPlan, title: str, info: str, last: int, head_height: float) -> None:
        """The title and info rows (over columns 0 to ``last``) of the summary or a scoring sheet,
        and its page settings: frozen and printed on every page down to the header row."""
        sh.merge(L.TITLE_ROW, 0, L.TITLE_ROW, last, title, "title")
        sh.heights[L.TITLE_ROW] = 26
        sh.merge(L.INFO_ROW, 0, L.INFO_ROW, last, info, "info")
        sh.heights[L.HEADER_ROW] = head_height
        sh.freeze_row = L.FIRST_DATA_ROW
        sh.repeat_rows = (L.HEADER_ROW, L.HEADER_ROW)
        font, unit = f'&"{FONT}"&9', header_text(self.unit.name)
        sh.header = f'&L{font}{unit}&C&"{FONT},Bold"&11{header_text(sh.name)}&R{font}{header_text(self.rubric.title)}'
        sh.footer = PAGE_FOOTER

    def list_name(self, options: tuple[str, ...]) -> str:
        """The defined name of a long choice list on the hidden list sheet ("" for a short one)."""
        if not needs_list_sheet(options):
            return ""
        if options not in self.lists:
            self.lists[options] = f"{L.NAME_LIST_PREFIX}{len(self.lists) + 1}"
        return self.lists[options]
