"""The results folder's tables: ``scores.csv`` and the 汇总 sheet (a row per unit), the 明细 sheet
(unit × criterion × target), ``problems.csv`` and the 问题 sheet.  Rows are written one at a time
(xlsxwriter's ``constant_memory``), so any length takes constant memory; text never becomes a
formula (a leading ``= + - @`` gets a ``'`` in CSV, the quote-prefix style in XLSX).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from math import ceil
from pathlib import Path
from typing import IO, Any

import xlsxwriter

from zwgk_cli import __version__
from zwgk_cli.files import atomic_open
from zwgk_cli.model import Indicator, Part, PartKind, Rubric, fmt_points
from zwgk_cli.problems import SEVERITY_LABELS, XML_ILLEGAL, Problem
from zwgk_cli.results.document import STATUS_LABELS, number_text

Cell = str | int | float | Decimal | None

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str  # field | part | indicator | targets
    key: str  # field name, part id, "part id/indicator id/…"
    width: float = 12


FIELD_COLUMNS: tuple[Column, ...] = (
    Column("单位编号", "field", "unit_id", 10),
    Column("单位名称", "field", "unit", 24),
    Column("分组", "field", "group", 12),
    Column("状态", "field", "status", 10),
    Column("总分", "field", "total", 8),
    Column("满分", "field", "max", 6),
    Column("等次", "field", "tier", 10),
    Column("绩效系数", "field", "coefficient", 8),
    Column("否决", "field", "vetoed", 6),
    Column("否决原因", "field", "vetoes", 30),
    Column("加分是否计入", "field", "bonus_counted", 10),
    Column("扣分(通报曝光等)", "field", "penalties", 10),
    Column("未达合格线", "field", "thresholds", 24),
)
TAIL_COLUMNS: tuple[Column, ...] = (
    Column("错误数", "field", "errors", 6),
    Column("提示数", "field", "warnings", 6),
    Column("评分表文件", "field", "files", 30),
)


def _max_text(part: Part | Indicator, kind: PartKind) -> str:
    if part.max is None:
        return "(扣分)" if kind is PartKind.PENALTY else ""
    prefix = "加分,最高" if kind is PartKind.BONUS and isinstance(part, Part) else ""
    return f"({prefix}{fmt_points(part.max)}分)"


def summary_columns(rubric: Rubric) -> list[Column]:
    """One column per part and per indicator of every variant (headers show the maxima)."""
    cols: list[Column] = list(FIELD_COLUMNS)
    seen: set[tuple[str, str, str]] = set()
    kinds = {k.id: k.title for k in rubric.target_kinds}

    def add(col: Column) -> None:
        ident = (col.kind, col.key, col.header)
        if ident not in seen:
            seen.add(ident)
            cols.append(col)

    def walk_ind(part: Part, ind: Indicator, path: str, kind: PartKind) -> None:
        key = f"{path}/{ind.id}"
        add(Column(f"{part.title}/{ind.title}{_max_text(ind, kind)}", "indicator", key, 14))
        for sub in ind.indicators:
            walk_ind(part, sub, key, kind)

    def walk_part(part: Part) -> None:
        add(Column(f"{part.title}{_max_text(part, part.kind)}", "part", part.id, 12))
        if part.per_target:
            title = kinds.get(part.per_target, part.per_target)
            add(Column(f"{part.title}:各{title}得分", "targets", part.id, 30))
        else:
            for ind in part.indicators:
                walk_ind(part, ind, part.id, part.kind)
        for sub in part.parts:
            walk_part(sub)

    for v in rubric.variants:
        for p in v.parts:
            walk_part(p)
    cols.extend(TAIL_COLUMNS)
    return cols


def _flat_parts(parts: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for pid, pd in parts.items():
        yield pid, pd
        yield from _flat_parts(pd.get("parts") or {})


def _flat_indicators(nodes: Mapping[str, Any], path: str) -> Iterator[tuple[str, Any]]:
    """(``part/indicator/…`` path, points) of an ``indicators`` tree."""
    for nid, nd in nodes.items():
        yield f"{path}/{nid}", nd.get("points")
        yield from _flat_indicators(nd.get("indicators") or {}, f"{path}/{nid}")


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _failed_thresholds(unit: Mapping[str, Any], titles: Mapping[str, str]) -> str:
    """“网站(绵阳市…网站):不合格” for every part or target below its pass line."""
    names = {t.get("target"): t.get("name", "") for t in unit.get("targets") or []}
    out = []
    for key, verdict in (unit.get("thresholds") or {}).items():
        if verdict == "合格":
            continue
        part, _, target = key.partition("/")
        where = titles.get(part, part) + (f"({names.get(target) or target})" if target else "")
        out.append(f"{where}:{verdict}")
    return "；".join(out)


def summary_cells(
    unit: Mapping[str, Any], columns: Sequence[Column], titles: Mapping[str, str] | None = None
) -> list[Cell]:
    """A unit's row of the summary (a ``scores.json`` unit entry in, cells out)."""
    parts = dict(_flat_parts(unit.get("parts") or {}))
    inds = {key: pts for pid, pd in parts.items() for key, pts in _flat_indicators(pd.get("indicators") or {}, pid)}
    vetoes = unit.get("vetoes") or []
    problems = unit.get("problems") or {}
    fields: dict[str, Cell] = {k: unit.get(k, "") for k in ("unit_id", "unit", "group")}
    fields.update({k: unit.get(k) for k in ("total", "max", "coefficient", "penalties")})
    fields.update(
        status=STATUS_LABELS.get(unit.get("status", ""), unit.get("status", "")),
        tier=unit.get("tier") or "",
        vetoed="否决" if unit.get("vetoed") else "",
        vetoes="；".join(
            (f"{v['target_name']}:" if v.get("target_name") else "") + str(v.get("reason", "")) for v in vetoes
        ),
        bonus_counted=_yes_no(unit.get("bonus_counted")),
        thresholds=_failed_thresholds(unit, titles or {}),
        errors=problems.get("error", 0),
        warnings=problems.get("warning", 0),
        files="、".join(unit.get("files") or []),
    )
    out: list[Cell] = []
    for col in columns:
        if col.kind == "field":
            out.append(fields.get(col.key))
        elif col.kind == "part":
            pd = parts.get(col.key)
            out.append(None if pd is None else pd.get("points"))
        elif col.kind == "indicator":
            out.append(inds.get(col.key))
        else:
            pd = parts.get(col.key)
            targets = (pd or {}).get("targets") or []
            out.append("；".join(f"{t.get('name', '')} {number_text(t.get('points'))}" for t in targets))
    return out


def _found_text(row: Mapping[str, Any]) -> str:
    labels = row.get("inputs") or {}
    found = (row.get("found") or {}).items()
    return "；".join(f"{labels.get(i, i)}:{number_text(v)}" for i, v in found if v is not None and v != "")


def _state(row: Mapping[str, Any]) -> str:
    if not row.get("applicable", True):
        return "不适用"
    if row.get("evidence_missing"):
        return "未提供佐证材料"
    if row.get("missing") or row.get("points") is None:
        return "未填完"
    return ""


def detail_rows(unit: Mapping[str, Any], part_titles: Mapping[str, str], teams: bool = False) -> list[list[Cell]]:
    """A unit's 明细 rows; ``teams``: with the 检查组 column (:func:`detail_columns`)."""
    rows = []
    for row in unit.get("criteria") or []:
        cells = [cell(unit, row, part_titles) for _, _, cell in _DETAIL_SHEET]
        if teams:
            cells.insert(DETAIL_TEAM_AT, row.get("team") or "")
        rows.append(cells)
    return rows


_DetailCell = Callable[[Mapping[str, Any], Mapping[str, Any], Mapping[str, str]], Cell]  # (unit, row, part titles)
_DETAIL_SHEET: tuple[tuple[str, float, _DetailCell], ...] = (
    ("单位编号", 10, lambda u, r, t: u.get("unit_id", "")),
    ("单位名称", 22, lambda u, r, t: u.get("unit", "")),
    ("分组", 10, lambda u, r, t: u.get("group", "")),
    ("对象", 20, lambda u, r, t: r.get("target_name") or ""),
    ("部分", 18, lambda u, r, t: t.get(r.get("part", ""), r.get("part", ""))),
    ("指标", 28, lambda u, r, t: "/".join(r.get("indicator_titles") or [])),
    ("细则编号", 14, lambda u, r, t: r.get("criterion", "")),
    ("评分细则", 50, lambda u, r, t: r.get("text") or r.get("title") or ""),
    ("分值", 6, lambda u, r, t: r.get("max")),
    ("得分", 6, lambda u, r, t: r.get("points")),
    ("扣分", 6, lambda u, r, t: r.get("lost")),
    ("情况", 12, lambda u, r, t: _state(r)),
    ("填写内容", 36, lambda u, r, t: _found_text(r)),
    ("扣分说明", 30, lambda u, r, t: r.get("note") or ""),
    ("否决", 20, lambda u, r, t: "；".join(r.get("vetoes") or [])),
    ("计分过程", 50, lambda u, r, t: "；".join(r.get("trace") or [])),
)
DETAIL_COLUMNS = tuple((header, width) for header, width, _ in _DETAIL_SHEET)


def part_titles(rubric: Rubric) -> dict[str, str]:
    return {p.id: p.title for v in rubric.variants for p in v.walk_parts()}


PROBLEM_COLUMNS: tuple[tuple[str, float], ...] = (
    ("级别", 6),
    ("代码", 6),
    ("文件", 30),
    ("工作表", 18),
    ("单元格", 8),
    ("单位", 20),
    ("指标", 28),
    ("问题", 60),
    ("怎么办", 50),
)


def problem_cells(p: Problem, teams: bool = False) -> list[str]:
    where = p.cell or (p.path if p.path else (f"第{p.line}行" if p.line is not None else ""))
    cells = [SEVERITY_LABELS[p.severity], p.code, p.file, p.sheet, where, p.unit, p.indicator, p.message, p.hint]
    if teams:
        cells.insert(PROBLEM_TEAM_AT, p.team)
    return cells


TEAM_COLUMN = ("检查组", 14.0)  # 明细 and problems, when a campaign declares teams
DETAIL_TEAM_AT = 5  # after 部分
PROBLEM_TEAM_AT = 6  # after 单位


def _with_team(cols: tuple[tuple[str, float], ...], at: int, teams: bool) -> tuple[tuple[str, float], ...]:
    return (*cols[:at], TEAM_COLUMN, *cols[at:]) if teams else cols


def detail_columns(teams: bool = False) -> tuple[tuple[str, float], ...]:
    return _with_team(DETAIL_COLUMNS, DETAIL_TEAM_AT, teams)


def problem_columns(teams: bool = False) -> tuple[tuple[str, float], ...]:
    return _with_team(PROBLEM_COLUMNS, PROBLEM_TEAM_AT, teams)


PROBLEM_FIELDS = ("code", "severity", "message", "hint", "file", "sheet", "cell", "path", "line", "unit", "indicator")


def problem_dict(p: Problem, teams: bool = False) -> dict[str, Any]:
    """A problem as JSON data (the fields of :meth:`Problem.to_dict`, without its deep copies;
    ``team`` only when the campaign declares teams)."""
    out = {k: getattr(p, k) for k in (*PROBLEM_FIELDS, "team") if teams or k != "team"}
    out["severity"] = str(p.severity)
    return out


def _csv_cell(value: Cell) -> str:
    """A cell's CSV text: a leading formula trigger gets a ``'`` in front."""
    if not isinstance(value, str):
        return number_text(value)
    return "'" + value if value.startswith(TRIGGERS) else value


class CsvTable:
    """A CSV file (UTF-8 with BOM, CRLF) written a row at a time; it appears at ``path``, atomically,
    when the ``with`` block ends without an error."""

    def __init__(self, path: Path, header: Sequence[str]):
        self.path = path
        self.header = list(header)
        self._stack = ExitStack()
        self._fh: IO[bytes] | None = None

    def __enter__(self) -> CsvTable:
        self._fh = self._stack.enter_context(atomic_open(self.path))
        self._fh.write(b"\xef\xbb\xbf")
        self.append(self.header)
        return self

    def append(self, cells: Sequence[Cell]) -> None:
        assert self._fh is not None
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow([_csv_cell(c) for c in cells])
        self._fh.write(buf.getvalue().encode("utf-8"))

    def __exit__(self, *exc: Any) -> None:
        self._stack.__exit__(*exc)


XLSX_OPTIONS = {
    "constant_memory": True,  # rows go to disk as they are written: tables of any length
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "default_format_properties": {"font_name": "宋体", "font_size": 11},
}
HEADER_FORMAT = {
    "bold": True,
    "bg_color": "#D9E1F2",
    "border": 1,
    "border_color": "#808080",
    "align": "center",
    "valign": "vcenter",
    "text_wrap": True,
}
MAX_CELL_TEXT = 32767
FIXED_TIME = datetime(2000, 1, 1)  # the document's dates: the same bytes from run to run


def xlsx_text(text: str) -> str:
    """What of ``text`` a cell can hold: no characters XML forbids, at most 32,767 of them."""
    return XML_ILLEGAL.sub("", text)[:MAX_CELL_TEXT]


def text_width(text: str) -> float:
    """Width in characters of the font size: CJK and full-width marks 1, digits ½ (Times New
    Roman), a full stop ¼, other Latin text about 0.55."""
    return sum(1.0 if ord(c) >= 0x2E80 else 0.3 if c == "." else 0.55 for c in text)


def excel_width(text: str) -> float:
    """Excel's column width (characters of the default font) that shows ``text`` whole: a
    Chinese character takes about two."""
    longest = max((text_width(line) for line in text.split("\n")), default=0.0)
    return round(longest * 2.05 + 2, 1)


class Fit:
    """Column widths and row heights from what a sheet holds: each column as wide as its
    widest cell (within bounds), and a row of wrapped text as tall as its most wrapped cell."""

    def __init__(self) -> None:
        self.widths: dict[int, float] = {}
        self.wrapped: dict[int, list[tuple[int, str]]] = {}

    def cell(self, r: int, c: int, text: str, *, wrap: bool = False, limit: float = 40) -> None:
        self.widths[c] = max(self.widths.get(c, 0.0), min(limit, excel_width(text)))
        if wrap:
            self.wrapped.setdefault(r, []).append((c, text))

    def row(self, r: int, texts: Sequence[str], *, wrap: bool = False, limit: float = 40) -> None:
        for c, text in enumerate(texts):
            self.cell(r, c, text, wrap=wrap, limit=limit)

    def apply(self, ws: Any, minimum: float) -> None:
        for c, w in sorted(self.widths.items()):
            ws.set_column(c, c, max(minimum, w))
        for r, cells in sorted(self.wrapped.items()):
            lines = max(
                sum(
                    ceil(excel_width(part) / max(1.0, max(minimum, self.widths[c]) - 1)) or 1
                    for part in text.split("\n")
                )
                for c, text in cells
            )
            if lines > 1:
                ws.set_row(r, round(11 * 1.35 * lines + 3, 1))  # lines of Excel's 11 pt


class Sheet:
    """One data sheet of a :class:`Workbook`: a frozen, filtered header row, then rows appended
    in order (written to disk as they come)."""

    def __init__(self, book: Workbook, name: str, columns: Sequence[tuple[str, float]]):
        self._ws = book.xlsx.add_worksheet(name)
        self._quoted = book.quoted
        self._ncols = len(columns)
        self.rows = 0
        for i, (_, width) in enumerate(columns):
            self._ws.set_column(i, i, width)
        self._ws.freeze_panes(1, 0)
        for i, (text, _) in enumerate(columns):
            self._ws.write_string(0, i, text, book.header)

    def append(self, cells: Sequence[Cell]) -> None:
        self.rows += 1
        row, ws = self.rows, self._ws
        for col, value in enumerate(cells):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                ws.write_string(row, col, xlsx_text(value), self._quoted if value.startswith(TRIGGERS) else None)
            else:
                ws.write_number(row, col, value)

    def finish(self) -> None:
        if self._ncols:
            self._ws.autofilter(0, 0, self.rows, self._ncols - 1)


class Workbook:
    """``scores.xlsx``: plain data sheets written with xlsxwriter, row by row; it appears at
    ``path``, atomically, when the ``with`` block ends without an error."""

    def __init__(self, path: Path, title: str = "评分结果"):
        self.path = path
        self.title = title
        self._stack = ExitStack()
        self._sheets: list[Sheet] = []

    def __enter__(self) -> Workbook:
        fh = self._stack.enter_context(atomic_open(self.path))
        self.xlsx = xlsxwriter.Workbook(fh, XLSX_OPTIONS)
        self.xlsx.set_properties({"title": self.title, "author": f"zwgk {__version__}", "created": FIXED_TIME})
        self.header = self.xlsx.add_format(HEADER_FORMAT)
        self.quoted = self.xlsx.add_format({"quote_prefix": True})
        return self

    def sheet(self, name: str, columns: Sequence[tuple[str, float]]) -> Sheet:
        """A sheet of ``columns`` (header, width)."""
        sheet = Sheet(self, name, columns)
        self._sheets.append(sheet)
        return sheet

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        try:
            if exc_type is None:
                for sheet in self._sheets:
                    sheet.finish()
                self.xlsx.close()
        finally:
            self._stack.__exit__(exc_type, *rest)
