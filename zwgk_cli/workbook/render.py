"""A :class:`~zwgk_cli.workbook.blueprint.WorkbookPlan` → ``.xlsx`` bytes, through xlsxwriter's public
API only.  Deterministic: fixed document dates (xlsxwriter also fixes the zip timestamps), so
the same plan gives byte-identical workbooks."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from zwgk_cli import __version__
from zwgk_cli.workbook.blueprint import Formula, SheetPlan, WorkbookPlan
from zwgk_cli.workbook.styles import CONDITIONAL, FONT, STYLES

# what every sheet lets the assessor do although it is protected
PROTECTION = {"format_columns": True, "format_rows": True, "select_locked_cells": True, "select_unlocked_cells": True}
OPTIONS = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}


def _number(value: Decimal | int) -> int | float:
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def _write_cells(ws: Worksheet, sp: SheetPlan, fmt: dict[str, Format], wb: xlsxwriter.Workbook) -> None:
    """Merges first (xlsxwriter fills a merged block with blank cells of its format), then every
    cell but the merged blanks: a value in a merged block's top-left cell overwrites its blank,
    as xlsxwriter's documentation suggests for values ``merge_range`` does not write itself.
    Formats are made as first used (one per style name)."""

    def style(name: str) -> Format:
        if name not in fmt:
            fmt[name] = wb.add_format(STYLES[name])
        return fmt[name]

    merged: set[tuple[int, int]] = set()
    for r1, c1, r2, c2 in sp.merges:
        ws.merge_range(r1, c1, r2, c2, "", style(sp.cells[(r1, c1)][1]))
        merged.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    for (r, c), (value, name) in sp.cells.items():  # insertion order: deterministic
        if value is None:
            if (r, c) not in merged:
                ws.write_blank(r, c, None, style(name))
        elif isinstance(value, Formula):
            cached = value.cached  # "" makes xlsxwriter store an empty result (the text case)
            ws.write_formula(r, c, value.text, style(name), _number(cached) if isinstance(cached, Decimal) else cached)
        elif isinstance(value, str):
            ws.write_string(r, c, value, style(name))
        elif isinstance(value, dt.date):
            ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), style(name))
        else:
            ws.write_number(r, c, _number(value), style(name))
    for r, row in enumerate(sp.records or ()):
        for c, text in enumerate(row):
            if text:
                ws.write_string(r, c, text)


def _page_setup(ws: Worksheet, sp: SheetPlan) -> None:
    if sp.freeze_row:
        ws.freeze_panes(sp.freeze_row, 0)
    if sp.repeat_rows:
        ws.repeat_rows(*sp.repeat_rows)
    if sp.print_area:
        ws.print_area(*sp.print_area)
    if sp.page_breaks:
        ws.set_h_pagebreaks(sp.page_breaks)
    ws.set_paper(9)  # A4
    if sp.landscape:  # else portrait, the default
        ws.set_landscape()
    if sp.print_scale:  # with manual page breaks (spreadsheets ignore them on a sheet fitted to pages)
        ws.set_print_scale(sp.print_scale)
    else:
        ws.fit_to_pages(1, sp.fit_height)
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    if sp.header:
        ws.set_header(sp.header)
    if sp.footer:
        ws.set_footer(sp.footer)


def render_xlsx(plan: WorkbookPlan) -> bytes:
    """Write the plan with xlsxwriter; returns the workbook's bytes (deterministic)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {**OPTIONS, "default_format_properties": {"font_name": FONT, "font_size": 10}})
    comments = f"由 zwgk {__version__} 生成"
    about = {"title": plan.title, "subject": plan.subject, "author": "zwgk", "company": plan.company}
    wb.set_properties({**about, "comments": comments, "created": plan.created})
    wb.set_calc_mode("auto")
    conditional = {name: wb.add_format(props) for name, props in CONDITIONAL.items()}
    formats: dict[str, Format] = {}
    for sp in plan.sheets:
        ws = wb.add_worksheet(sp.name)
        for c, w in enumerate(sp.widths):
            ws.set_column(c, c, w, None, {"hidden": True} if c in sp.hidden_cols else None)
        for r, h in sorted(sp.heights.items()):
            ws.set_row(r, h)
        _write_cells(ws, sp, formats, wb)
        for r, c, opts in sp.validations:
            ws.data_validation(r, c, r, c, opts)
        for rng, opts in sp.conditional:
            ws.conditional_format(rng, {**opts, "format": conditional[opts["format"]]})
        _page_setup(ws, sp)
        ws.protect(plan.password, PROTECTION)
        if sp.hidden == 1:
            ws.hide()
        elif sp.hidden == 2:
            ws.very_hidden()
    wb.worksheets()[0].activate()
    for name, target in sorted(plan.names):
        wb.define_name(name, target)
    wb.close()
    return buf.getvalue()
