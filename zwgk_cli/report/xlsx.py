"""``排名.xlsx`` and each unit's ``整改清单/<单位>.xlsx``, written with xlsxwriter in memory
(deterministic: fixed properties and zip entry dates)."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal
from math import ceil
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from zwgk_cli import __version__
from zwgk_cli.report.context import PLACEHOLDER, NoticeInfo, Report, UnitPage
from zwgk_cli.report.docx import normalize_zip, text_width
from zwgk_cli.report.ranking import GATE_LABEL
from zwgk_cli.report.tables import pending_reason, status_label, with_max
from zwgk_cli.report.targets import KindRanking, name_header, rank_kinds
from zwgk_cli.report.text import pts, short_title, zh

PLAN_HEADERS = ("整改措施(单位填写)", "责任科室及责任人", "完成时限")


def sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "、", name)[:31] or "表"
    out, n = base, 2
    while out in used:
        suffix = f"({n})"
        out = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(out)
    return out


def _workbook(buf: io.BytesIO, info: NoticeInfo, title: str) -> Any:
    import xlsxwriter

    # Text from rosters and workbooks is never a formula or a link, whatever it starts with.
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    wb = xlsxwriter.Workbook(buf, options)
    wb.set_properties(
        {
            "title": title,
            "author": info.office if info.office != PLACEHOLDER else "",
            "company": info.office if info.office != PLACEHOLDER else "",
            "created": info.stamp.replace(tzinfo=None),
            "comments": f"由 zwgk {__version__} 生成",
        }
    )
    return wb


TIER_COLOURS = ("#C6EFCE", "#DDEBF7", "#FFF2CC", "#FCE4D6", "#EDE7F6", "#E2EFDA")
FAIL_COLOUR = "#FFC7CE"


def _num(value: Decimal | None) -> Any:
    """A Decimal as an Excel number (exact to the cent: the value has ≤ 2 decimals)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class _Fit:
    """Column widths and row heights from what a sheet holds: each column as wide as its
    widest cell (within bounds), and a row of wrapped text as tall as its most wrapped cell."""

    def __init__(self) -> None:
        self.widths: dict[int, float] = {}
        self.wrapped: dict[int, list[tuple[int, str]]] = {}

    def cell(self, r: int, c: int, text: str, *, wrap: bool = False, limit: float = 40) -> None:
        width = min(limit, excel_width(text))
        self.widths[c] = max(self.widths.get(c, 0.0), width)
        if wrap:
            self.wrapped.setdefault(r, []).append((c, text))

    def apply(self, ws: Any, minimum: float = 6, font_pt: float = 11) -> None:
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
                ws.set_row(r, round(font_pt * 1.35 * lines + 3, 1))


def excel_width(text: str) -> float:
    """Excel's column width (characters of the default font) that shows ``text`` whole: a
    Chinese character takes about two."""
    longest = max((text_width(line) for line in text.split("\n")), default=0.0)
    return round(longest * 2.05 + 2, 1)


def ranking_xlsx(report: Report) -> bytes:
    """``排名.xlsx``: one sheet per group (ranked, vetoed, pending), statistics, main problems."""
    ranking = report.ranking
    buf = io.BytesIO()
    wb = _workbook(buf, report.info, f"{report.info.name}排名")
    title_f = wb.add_format({"bold": True, "font_size": 14, "font_name": "宋体"})
    head_f = wb.add_format(
        {"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"}
    )
    cell_f = wb.add_format({"border": 1, "valign": "vcenter"})
    wrap_f = wb.add_format({"border": 1, "valign": "vcenter", "text_wrap": True})
    # Points in the General format: the values have at most two decimals, shown as written (98.5, 110).
    num_f = wb.add_format({"border": 1, "valign": "vcenter", "align": "center"})
    pct_f = wb.add_format({"border": 1, "num_format": "0%", "valign": "vcenter"})
    note_f = wb.add_format({"italic": True, "font_color": "#595959"})
    tier_fmts = [wb.add_format({"bg_color": c}) for c in TIER_COLOURS]
    fail_f = wb.add_format({"bg_color": FAIL_COLOUR, "font_color": "#9C0006"})
    used: set[str] = set()
    rank_units = bool(report.context.get("rank_units", True))

    overview = wb.add_worksheet(sheet_name("总体情况", used))
    stats_ws = wb.add_worksheet(sheet_name("得分统计", used)) if rank_units else None
    for g in ranking.groups if rank_units else ():
        ws = wb.add_worksheet(sheet_name(g.group, used))
        headers = [
            "排名",
            "单位",
            *[with_max(("其中:" if c.depth else "") + short_title(c.title), c) for c in g.columns],
            f"总分({pts(g.max)}分)",
            "等次",
            "绩效系数",
            "状态",
            "备注",
        ]
        ws.write(0, 0, f"{g.group}考评排名", title_f)
        ws.write_row(2, 0, headers, head_f)
        fit = _Fit()
        for j, h in enumerate(headers):
            fit.cell(2, j, h, wrap=True, limit=14)
        r = 3
        entries = [*g.ranked, *g.vetoed, *g.pending]
        for e in entries:
            tier = e.tier or (ranking.veto_label if e.vetoed else "")
            remarks = []
            if e.tied:
                remarks.append("并列")
            if e.vetoed:
                remarks.append("否决:" + ";".join(e.veto_reasons))
            if e.scored and e.bonus_counted is False:
                remarks.append(GATE_LABEL)
            if e.scored and e.failed_thresholds:
                remarks.append("低于合格线:" + "、".join(e.failed_thresholds))
            if not e.scored:
                remarks.append(pending_reason(e))
            ws.write_number(r, 0, e.rank, cell_f) if e.rank is not None else ws.write_blank(r, 0, None, cell_f)
            ws.write_string(r, 1, e.unit, cell_f)
            fit.cell(r, 1, e.unit)
            for j, c in enumerate(g.columns):
                v = e.points(c.id)
                if v is None or not e.scored:
                    ws.write_blank(r, 2 + j, None, num_f)
                else:
                    ws.write_number(r, 2 + j, _num(-v if c.kind == "penalty" and v else v), num_f)
            k = 2 + len(g.columns)
            if e.total is not None and e.scored:
                ws.write_number(r, k, _num(e.total), num_f)
            else:
                ws.write_blank(r, k, None, num_f)
            ws.write_string(r, k + 1, tier, cell_f)
            fit.cell(r, k + 1, tier)
            if e.coefficient is not None:
                ws.write_number(r, k + 2, _num(e.coefficient), pct_f)
            else:
                ws.write_blank(r, k + 2, None, pct_f)
            status = status_label(e)
            ws.write_string(r, k + 3, status, cell_f)
            fit.cell(r, k + 3, status)
            remark = zh(";".join(remarks))
            ws.write_string(r, k + 4, remark, wrap_f)
            fit.cell(r, k + 4, remark, wrap=True, limit=50)
            r += 1
        last = max(3, r - 1)
        ncols = len(headers)
        tier_col = 2 + len(g.columns) + 1
        ws.freeze_panes(3, 2)
        ws.autofilter(2, 0, last, ncols - 1)
        fit.cell(2, 0, "排名", limit=8)
        fit.apply(ws, minimum=8)
        if entries:
            labels = [t.label for t in ranking.tiers] if ranking.has_tiers else []
            for i, label in enumerate(labels):
                fmt = fail_f if label == ranking.veto_tier else tier_fmts[i % len(tier_fmts)]
                ws.conditional_format(
                    3,
                    0,
                    last,
                    ncols - 1,
                    {"type": "formula", "criteria": f'=${xl_col_to_name(tier_col)}4="{label}"', "format": fmt},
                )
            if not ranking.has_tiers:
                veto_rule = f'=${xl_col_to_name(tier_col)}4="{ranking.veto_label}"'
                ws.conditional_format(
                    3,
                    0,
                    last,
                    ncols - 1,
                    {"type": "formula", "criteria": veto_rule, "format": fail_f},
                )
        if g.ranked:
            chart = wb.add_chart({"type": "bar"})
            n = len(g.ranked)
            total_col = 2 + len(g.columns)
            chart.add_series(
                {
                    "name": "总分",
                    "categories": [ws.name, 3, 1, 3 + n - 1, 1],
                    "values": [ws.name, 3, total_col, 3 + n - 1, total_col],
                    "data_labels": {"value": True, "num_format": "General"},
                    "fill": {"color": "#4472C4"},
                    "gap": 60,
                }
            )
            chart.set_title({"name": f"{g.group}总分排名"})
            chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
            chart.set_x_axis({"min": 0, "max": _num(g.max), "major_gridlines": {"visible": True}})
            chart.set_legend({"none": True})
            chart.set_size({"width": 620, "height": max(300, 24 * n + 90)})
            ws.insert_chart(last + 4, 1, chart)  # under the table: the sheet still prints one page wide
        ws.write(
            last + 2,
            0,
            "说明:得分相同的单位排名相同(并列),其后名次顺延;否决单位与未完成评分的单位不参加排名,列于表末。",
            note_f,
        )
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(2)

    fmts = {"title": title_f, "head": head_f, "cell": cell_f, "wrap": wrap_f, "num": num_f, "note": note_f}
    for kr in rank_kinds(report.doc):
        _kind_sheet(wb, wb.add_worksheet(sheet_name(kr.kind.title, used)), kr, fmts, fail_f)

    # 总体情况: tiers per group (or the targets per kind), part statistics per group
    ws = overview
    fit = _Fit()
    ws.write(0, 0, f"{report.info.name}总体情况", title_f)
    tt = report.tables["tiers" if rank_units else "targets-overview"]
    ws.write_row(2, 0, list(tt.headers), head_f)
    for j, h in enumerate(tt.headers):
        fit.cell(2, j, h, limit=12)
    for i, cells in enumerate(tt.rows, start=3):
        for j, text in enumerate(cells):
            if j > 0 and text.isdigit():
                ws.write_number(i, j, int(text), num_f)
            else:
                ws.write_string(i, j, text, cell_f if j == 0 else num_f)
                fit.cell(i, j, text)
    fit.apply(ws, minimum=9)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    # The part statistics on a sheet of their own: their columns of unit names would widen the
    # tier counts above them.
    if stats_ws is not None:
        ws = stats_ws
        fit = _Fit()
        r = 0
        for g in ranking.groups:
            ws.write(r, 0, f"{g.group}各部分得分统计", title_f)
            r += 1
            heads = ["项目", "满分", "平均分", "中位数", "最高分", "最低分", "最高分单位", "最低分单位"]
            ws.write_row(r, 0, heads, head_f)
            for j, h in enumerate(heads):
                fit.cell(r, j, h)
            r += 1
            for s in (*g.stats, g.total_stat):
                name = (
                    "总分"
                    if s.column.id == "total"
                    else ("其中:" if s.column.depth else "") + short_title(s.column.title)
                )
                ws.write_string(r, 0, name, wrap_f)
                fit.cell(r, 0, name, wrap=True, limit=30)
                for j, v in enumerate(
                    (s.column.max if s.column.kind != "penalty" else None, s.mean, s.median, s.max, s.min)
                ):
                    if v is None:
                        ws.write_blank(r, 1 + j, None, num_f)
                    else:
                        ws.write_number(r, 1 + j, _num(v), num_f)
                for j, names in ((6, s.max_units), (7, s.min_units)):
                    text = "、".join(names)
                    ws.write_string(r, j, text, wrap_f)
                    fit.cell(r, j, text, wrap=True, limit=40)
                r += 1
            r += 1
        fit.apply(ws, minimum=9)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)

    ws = wb.add_worksheet(sheet_name("主要问题", used))
    ws.write(0, 0, "失分较多的指标(按累计失分排序)", title_f)
    heads = ["序号", "分项", "指标", "累计失分", "涉及单位数", "否决次数", "涉及单位"]
    ws.write_row(2, 0, heads, head_f)
    fit = _Fit()
    for j, h in enumerate(heads):
        fit.cell(2, j, h)
    for i, x in enumerate(ranking.losses, start=1):
        at = 2 + i
        part, label, units = short_title(x.part_title), zh(x.label), "、".join(x.unit_names)
        ws.write_number(at, 0, i, num_f)
        ws.write_string(at, 1, part, wrap_f)
        ws.write_string(at, 2, label, wrap_f)
        ws.write_number(at, 3, _num(x.lost), num_f)
        ws.write_number(at, 4, x.count, num_f)
        ws.write_number(at, 5, x.vetoes, num_f)
        ws.write_string(at, 6, units, wrap_f)
        fit.cell(at, 1, part, wrap=True, limit=24)
        fit.cell(at, 2, label, wrap=True, limit=40)
        fit.cell(at, 6, units, wrap=True, limit=60)
    ws.freeze_panes(3, 0)
    if ranking.losses:
        ws.autofilter(2, 0, 2 + len(ranking.losses), 6)
    fit.apply(ws, minimum=8)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(2)
    if report.compare is not None:
        _compare_sheet(wb, sheet_name("与上年比较", used), report, title_f, head_f, cell_f, num_f)
    wb.close()
    return normalize_zip(buf.getvalue())


def _kind_sheet(wb: Any, ws: Any, k: KindRanking, f: dict[str, Any], fail_f: Any) -> None:
    """A target kind's ranking: ranked, then vetoed, then those whose unit is unfinished; a
    bar chart of the ranked totals under the table."""
    maxima = "、".join(pts(m) for m in sorted({m for m in k.kind.max.values() if m is not None}))
    headers = ["排名", name_header(k.kind.title), "网址", "主办单位", "分组", f"得分({maxima}分)" if maxima else "得分"]
    headers += ["结论", "状态", "备注"]
    ws.write(0, 0, f"{k.kind.title}检查排名", f["title"])
    ws.write_row(2, 0, headers, f["head"])
    fit = _Fit()
    for j, h in enumerate(headers):
        fit.cell(2, j, h, wrap=True, limit=14)
    r = 3
    for t in (*k.ranked, *k.vetoed, *k.pending):
        remarks = []
        if t.tied:
            remarks.append("并列")
        if t.vetoed:
            remarks.append("单项否决:" + ";".join(t.reasons))
        if t.below:
            remarks.append("低于合格线:" + "、".join(t.below))
        elif t.passed is False and not t.vetoed and k.kind.threshold is not None:
            remarks.append(f"低于合格线({pts(k.kind.threshold)}分)")
        if not t.assessed:
            remarks.append("所属单位未交回评分表" if t.status == "missing" else "所属单位评分未完成")
        if t.rank is not None:
            ws.write_number(r, 0, t.rank, f["num"])
        else:
            ws.write_blank(r, 0, None, f["num"])
        for j, text in ((1, t.name), (2, t.url), (3, t.unit), (4, t.group)):
            ws.write_string(r, j, text, f["cell"])
            fit.cell(r, j, text)
        if t.assessed and t.points is not None:
            ws.write_number(r, 5, _num(t.points), f["num"])
        else:
            ws.write_blank(r, 5, None, f["num"])
        status = "已评分" if t.assessed else "未完成"
        for j, text in ((6, k.verdict(t)), (7, status)):
            ws.write_string(r, j, text, f["cell"])
            fit.cell(r, j, text)
        remark = zh(";".join(remarks))
        ws.write_string(r, 8, remark, f["wrap"])
        fit.cell(r, 8, remark, wrap=True, limit=50)
        r += 1
    last = max(3, r - 1)
    ws.freeze_panes(3, 2)
    ws.autofilter(2, 0, last, len(headers) - 1)
    fit.cell(2, 0, "排名", limit=8)
    fit.apply(ws, minimum=8)
    if r > 3:
        rule = f'=$G4="{k.kind.fail_label}"'
        ws.conditional_format(3, 0, last, len(headers) - 1, {"type": "formula", "criteria": rule, "format": fail_f})
    ws.write(
        last + 2,
        0,
        "说明:得分相同的排名相同(并列),其后名次顺延;触发单项否决与所属单位评分未完成的不参加排名,列于表末。",
        f["note"],
    )
    if k.ranked:
        chart = wb.add_chart({"type": "bar"})
        n = len(k.ranked)
        chart.add_series(
            {
                "name": "得分",
                "categories": [ws.name, 3, 1, 3 + n - 1, 1],
                "values": [ws.name, 3, 5, 3 + n - 1, 5],
                "data_labels": {"value": True, "num_format": "General"},
                "fill": {"color": "#4472C4"},
                "gap": 60,
            }
        )
        chart.set_title({"name": f"{k.kind.title}得分排名"})
        chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
        top = max((m for m in k.kind.max.values() if m is not None), default=None)
        chart.set_x_axis({"min": 0, "max": _num(top), "major_gridlines": {"visible": True}})
        chart.set_legend({"none": True})
        chart.set_size({"width": 620, "height": max(300, 24 * n + 90)})
        ws.insert_chart(last + 4, 1, chart)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(2)


def _compare_sheet(wb: Any, name: str, report: Report, title_f: Any, head_f: Any, cell_f: Any, num_f: Any) -> None:
    """This year beside last year (``--compare``): one table per group, then last year's only."""
    from zwgk_cli.report.compare import CHANGE_HEADER, SHARE_HEADERS, sheet_blocks

    assert report.compare is not None
    pct_f = wb.add_format({"border": 1, "align": "center", "num_format": "0.00%"})
    change_f = wb.add_format({"border": 1, "align": "center", "num_format": "+0.00;-0.00;0.00"})
    ws = wb.add_worksheet(name)
    fit = _Fit()
    r = 0
    for title, headers, rows in sheet_blocks(report.compare):
        ws.write(r, 0, title, title_f)
        ws.write_row(r + 1, 0, headers, head_f)
        for j, h in enumerate(headers):
            fit.cell(r + 1, j, h, wrap=True, limit=12)
        r += 2
        for row in rows:
            for j, v in enumerate(row):
                fmt = pct_f if headers[j] in SHARE_HEADERS else change_f if headers[j] == CHANGE_HEADER else num_f
                if v is None:
                    ws.write_blank(r, j, None, fmt)
                elif isinstance(v, str):
                    ws.write_string(r, j, v, cell_f if j in (0, 1, len(row) - 1) else num_f)
                    fit.cell(r, j, v)
                else:
                    ws.write_number(r, j, _num(Decimal(v)) if headers[j] != CHANGE_HEADER else float(v), fmt)
            r += 1
        r += 1
    ws.write(r, 0, "说明:得分率=总分÷满分;两年评分细则不同的部分不列出。名次变化为正表示名次上升(同一分组内)。")
    fit.apply(ws, minimum=8)
    ws.freeze_panes(0, 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


RECTIFY_HEADERS = ("序号", "分项", "指标", "检查对象", "评分细则", "检查发现", "分值", "得分", "失分", "否决")
RECTIFY_WIDTHS = (5, 10, 16, 12, 36, 36, 5, 5, 5, 12, 30, 12, 10)
RECTIFY_FONT = 10


def _row_height(cells: Sequence[str], widths: Sequence[float]) -> float:
    """Points for a row of wrapped text: the tallest cell's lines at 10 pt (Excel widths count
    narrow characters; a Chinese character takes about two)."""
    lines = 1
    for text, width in zip(cells, widths, strict=False):
        if text:
            lines = max(lines, ceil(text_width(text) * 1.9 / max(1.0, width - 1)))
    return 13.0 * lines + 4


def rectify_xlsx(report: Report, unit: UnitPage) -> bytes:
    """One unit's 整改清单: what lost points, and columns for the unit's plan (unlocked)."""
    info = report.info
    buf = io.BytesIO()
    wb = _workbook(buf, info, f"{unit.unit}问题整改清单")
    base = {"font_name": "宋体", "font_size": RECTIFY_FONT}
    title_f = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    info_f = wb.add_format({**base, "text_wrap": True, "valign": "vcenter"})
    head = {**base, "bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"}
    head_f = wb.add_format({**head, "bg_color": "#D9D9D9"})
    plan_head_f = wb.add_format({**head, "bg_color": "#FFE699"})
    cell_f = wb.add_format({**base, "border": 1, "text_wrap": True, "valign": "top"})
    center_f = wb.add_format({**base, "border": 1, "align": "center", "valign": "top"})
    num_f = wb.add_format({**base, "border": 1, "align": "center", "valign": "top"})
    veto_f = wb.add_format({**base, "border": 1, "text_wrap": True, "valign": "top", "font_color": "#C00000"})
    plan_f = wb.add_format({**base, "border": 1, "text_wrap": True, "valign": "top", "locked": False})
    plan_f.set_bg_color("#FFF9E5")
    ws = wb.add_worksheet("整改清单")
    rows = unit.rows
    teams = any(pr.team for pr in rows)  # 检查组: a column after the findings' own
    main = (*RECTIFY_HEADERS, "检查组") if teams else RECTIFY_HEADERS
    widths = (
        (*RECTIFY_WIDTHS[: len(RECTIFY_HEADERS)], 12, *RECTIFY_WIDTHS[len(RECTIFY_HEADERS) :])
        if teams
        else RECTIFY_WIDTHS
    )
    headers = [*main, *PLAN_HEADERS]
    n = len(headers)
    ws.merge_range(0, 0, 0, n - 1, f"{unit.unit}问题整改清单({info.name})", title_f)
    ws.set_row(0, 30)
    e = unit.entry
    facts = [f"分组:{unit.group}"]
    rank_units = bool(report.context.get("rank_units", True))
    targets_text = report.context.get("unit_targets", {}).get(e.unit_id, "")
    if e.scored and not rank_units:
        facts.append(targets_text)
    elif e.scored:
        facts.append(f"总分:{unit.total}分(满分{unit.max}分)")
        if unit.rank:
            facts.append(f"组内排名:第{unit.rank}名")
        if unit.tier:
            facts.append(f"等次:{unit.tier}")
    else:
        facts.append(f"评分状况:{unit.status}({unit.pending_reason})")
    if e.scored and rank_units and targets_text:
        facts.append(targets_text)
    if unit.vetoed:
        facts.append(f"否决原因:{unit.veto_reasons}")
    facts.append(f"失分项:{unit.count}项,合计失分{unit.lost}分")
    ws.merge_range(1, 0, 1, n - 1, zh(";".join(facts)), info_f)
    ask = f"请于{info.deadline}前在黄色栏目中填写整改措施、责任科室及责任人、完成时限,报送{info.office}。"
    ws.merge_range(2, 0, 2, n - 1, zh(ask), info_f)
    ws.set_row(1, 20)
    ws.set_row(2, 20)
    ws.write_row(4, 0, list(main), head_f)
    ws.write_row(4, len(main), list(PLAN_HEADERS), plan_head_f)
    ws.set_row(4, 30)
    for i, pr in enumerate(rows):
        r = 5 + i
        texts = (
            str(pr.no),
            pr.part,
            zh(pr.indicator),
            pr.target,
            pr.text,
            pr.found,
            "",
            "",
            "",
            zh(";".join(pr.vetoes)),
        )
        ws.set_row(r, _row_height((*texts, pr.team) if teams else texts, widths))
        ws.write_number(r, 0, pr.no, center_f)
        for j in (1, 2, 3, 4, 5):
            ws.write_string(r, j, texts[j], cell_f)
        for j, v in ((6, pr.max), (7, pr.points)):
            if v is None:
                ws.write_blank(r, j, None, num_f)
            else:
                ws.write_number(r, j, _num(v), num_f)
        ws.write_number(r, 8, _num(pr.lost), num_f)
        ws.write_string(r, 9, texts[9], veto_f)
        if teams:
            ws.write_string(r, len(RECTIFY_HEADERS), pr.team, cell_f)
        for j in range(len(PLAN_HEADERS)):
            ws.write_blank(r, len(main) + j, None, plan_f)
    if not rows:
        ws.merge_range(5, 0, 5, n - 1, "未发现失分问题。" if e.scored else "评分未完成,补正评分表后重新生成。", cell_f)
    for j, wdt in enumerate(widths):
        ws.set_column(j, j, wdt)
    ws.freeze_panes(5, 0)
    if rows:
        ws.autofilter(4, 0, 4 + len(rows), n - 1)
    ws.protect("", {"autofilter": True, "sort": False, "format_rows": True, "format_columns": True})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(4)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header(f'&C&"宋体"{unit.unit}问题整改清单')
    ws.set_footer("&C第 &P 页,共 &N 页")
    wb.close()
    return normalize_zip(buf.getvalue())
