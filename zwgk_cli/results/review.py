"""``复核记录.xlsx``, the audit trail of a :class:`~zwgk_cli.results.diff.RoundDiff` (初评 → 复核):
**变更明细** (a row per changed input, its value in each round) and **得分变化** (a row per unit
whose result changed).  A4 landscape, one page wide, headers repeated and frozen with the unit
column; text stays text; the document's dates are fixed (the same rounds give the same bytes).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from zwgk_cli import __version__
from zwgk_cli.files import atomic_open
from zwgk_cli.results.diff import ABSENT, ResultChange, RoundDiff, Standing, points_text
from zwgk_cli.results.tables import FIXED_TIME, HEADER_FORMAT, TRIGGERS, XLSX_OPTIONS, Fit, xlsx_text
from zwgk_cli.workbook.blueprint import header_text

REVIEW_NAME = "复核记录.xlsx"
A4 = 9
WIDEST = 48.0  # characters: a longer text wraps
NARROWEST = 6.0

Cell = str | Decimal | None


def input_rows(d: RoundDiff) -> tuple[list[str], list[list[Cell]]]:
    header = ["单位", "评分表文件", "工作表", "单元格", "对象", "指标", "填写项", f"第{d.old}轮", f"第{d.new}轮"]
    rows: list[list[Cell]] = [
        [c.unit, c.file, c.sheet, c.cell, c.target, c.indicator, c.label, c.old, c.new] for c in d.inputs
    ]
    return header, rows


def _part_text(r: ResultChange) -> str:
    return "\n".join(f"{title}:{points_text(a)} → {points_text(b)}" for title, a, b in r.parts)


def _of(s: Standing | None, field: str) -> Cell:
    if s is None:
        return ABSENT if field == "status" else None
    if field == "veto":
        return s.veto_text
    value: Cell = getattr(s, field)
    return value if value != "" else None


def result_rows(d: RoundDiff) -> tuple[list[str], list[list[Cell]]]:
    a, b = f"第{d.old}轮", f"第{d.new}轮"
    header = [
        "单位", "分组", f"状态({a})", f"状态({b})", f"总分({a})", f"总分({b})", "增减",
        f"名次({a})", f"名次({b})", f"等次({a})", f"等次({b})", f"否决({a})", f"否决({b})", "得分有变化的部分",
    ]  # fmt: skip
    rows: list[list[Cell]] = [
        [
            r.unit, r.group, _of(r.old, "status"), _of(r.new, "status"), _of(r.old, "total"),
            _of(r.new, "total"), r.delta, _of(r.old, "rank"), _of(r.new, "rank"), _of(r.old, "tier"),
            _of(r.new, "tier"), _of(r.old, "veto"), _of(r.new, "veto"), _part_text(r) or None,
        ]
        for r in d.results
    ]  # fmt: skip
    return header, rows


def _sheet(
    book: Any, f: dict[str, Any], name: str, title: str, table: tuple[list[str], list[list[Cell]]], empty: str
) -> None:
    header, rows = table
    ws = book.add_worksheet(name)
    ws.set_landscape()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
    ws.set_header(f"&C{header_text(title)}")
    ws.set_footer("&C第 &P 页,共 &N 页")
    ws.freeze_panes(1, 1)
    texts = [[_text(v) for v in row] for row in rows]
    fit = Fit()
    fit.row(0, header, limit=WIDEST)
    for r, shown in enumerate(texts, start=1):
        fit.row(r, shown, wrap=True, limit=WIDEST)  # a wrapped row as tall as its most wrapped cell
    fit.apply(ws, NARROWEST)
    for c, h in enumerate(header):
        ws.write_string(0, c, h, f["header"])
    if not rows:
        ws.write_string(1, 0, empty, f["text"])
    for r, (row, shown) in enumerate(zip(rows, texts, strict=True), start=1):
        for c, value in enumerate(row):
            if isinstance(value, Decimal):
                ws.write_number(r, c, value, f["delta"] if header[c] == "增减" else f["number"])
            elif value is not None:
                ws.write_string(r, c, shown[c], f["quoted"] if shown[c].startswith(TRIGGERS) else f["text"])
    if rows:
        ws.autofilter(0, 0, len(rows), len(header) - 1)


def _text(value: Cell) -> str:
    if value is None:
        return ""
    return points_text(value) if isinstance(value, Decimal) else xlsx_text(value)


def write_review(d: RoundDiff, path: Path) -> None:
    """Write ``复核记录.xlsx`` for ``d`` to ``path``, atomically."""
    options = {**XLSX_OPTIONS, "constant_memory": False}  # column widths are known only at the end
    with atomic_open(path) as fh:
        book = xlsxwriter.Workbook(fh, options)
        title = f"复核记录:第{d.old}轮 → 第{d.new}轮"
        book.set_properties({"title": title, "author": f"zwgk {__version__}", "created": FIXED_TIME})
        cell = {"valign": "top", "text_wrap": True, "border": 1, "border_color": "#BFBFBF"}
        formats = {
            "header": book.add_format(HEADER_FORMAT),
            "text": book.add_format(cell),
            "quoted": book.add_format({**cell, "quote_prefix": True}),
            "number": book.add_format(cell),
            "delta": book.add_format({**cell, "num_format": "+General;-General;0"}),
        }
        _sheet(book, formats, "变更明细", title, input_rows(d), "两轮之间没有填写内容的变化。")
        _sheet(book, formats, "得分变化", title, result_rows(d), "两轮之间没有单位的评分结果变化。")
        book.close()
