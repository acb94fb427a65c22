"""``排名.xlsx`` and each unit's ``整改清单/<单位>.xlsx``, written with xlsxwriter in memory
(deterministic: fixed properties and zip entry dates); the sheet helpers the 初评结果反馈 shares."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal
from math import ceil
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from zwgk_cli import __version__
from zwgk_cli.files import normalize_zip
from zwgk_cli.report.context import PLACEHOLDER, NoticeInfo, Report, UnitPage
from zwgk_cli.report.findings import ProblemRow
from zwgk_cli.report.ranking import GATE_LABEL
from zwgk_cli.report.tables import pending_reason, status_label, with_max
from zwgk_cli.report.targets import KindRanking, name_header, rank_kinds
from zwgk_cli.report.text import pts, short_title, zh
from zwgk_cli.results.tables import Fit, text_width
from zwgk_cli.workbook.blueprint import header_text

PLAN_HEADERS = ("整改措施(单位填写)", "责任科室及责任人", "完成时限")
FINDING_HEADERS = ("序号", "分项", "指标", "检查对象", "评分细则", "检查发现", "分值", "得分", "失分", "否决")
RECTIFY_WIDTHS = (5, 10, 16, 12, 36, 36, 5, 5, 5, 12, 30, 12, 10)
LETTER_FONT = {"font_name": "宋体", "font_size": 10}
TIER_COLOURS = ("#C6EFCE", "#DDEBF7", "#FFF2CC", "#FCE4D6", "#EDE7F6", "#E2EFDA")
FAIL_COLOUR = "#FFC7CE"


def sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "、", name)[:31] or "表"
    out, n = base, 2
    while out in used:
        suffix = f"({n})"
        out = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(out)
    return out


def workbook(buf: io.BytesIO, info: NoticeInfo, title: str) -> Any:
    import xlsxwriter

    # Text from rosters and workbooks is never a formula or a link, whatever it starts with.
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    wb = xlsxwriter.Workbook(buf, options)
    office = info.office if info.office != PLACEHOLDER else ""
    created = info.stamp.replace(tzinfo=None)
    wb.set_properties(
        {
            "title": title,
            "author": office,
            "company": office,
            "created": created,
            "comments": f"由 zwgk {__version__} 生成",
        }
    )
    return wb


def excel_number(value: Decimal | int) -> int | float:
    """A Decimal as an Excel number (exact to the cent: the value has ≤ 2 decimals)."""
    return int(value) if value == int(value) else float(value)


def write_points(ws: Any, r: int, c: int, value: Decimal | int | None, fmt: Any) -> None:
    if value is None:
        ws.write_blank(r, c, None, fmt)
    else:
        ws.write_number(r, c, excel_number(value), fmt)


def print_setup(ws: Any, repeat: int | None = None) -> None:
    """A4 landscape, one page wide; ``repeat``: the header row printed on every page."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    if repeat is not None:
        ws.repeat_rows(repeat)


def letter_formats(wb: Any) -> dict[str, Any]:
    """The formats of a sheet sent to a unit (整改清单, 初评结果反馈); ``fill``: cells it fills;
    ``mark`` and ``section``: the draft's 初评 mark and its section headings."""
    head = {**LETTER_FONT, "bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"}
    cell = {**LETTER_FONT, "border": 1, "text_wrap": True, "valign": "top"}
    big = {**LETTER_FONT, "bold": True, "align": "center", "valign": "vcenter"}
    return {
        "title": wb.add_format({**big, "font_size": 16}),
        "info": wb.add_format({**LETTER_FONT, "text_wrap": True, "valign": "vcenter"}),
        "head": wb.add_format({**head, "bg_color": "#D9D9D9"}),
        "fill_head": wb.add_format({**head, "bg_color": "#FFE699"}),
        "cell": wb.add_format(cell),
        "num": wb.add_format({**LETTER_FONT, "border": 1, "align": "center", "valign": "top"}),
        "veto": wb.add_format({**cell, "font_color": "#C00000"}),
        "fill": wb.add_format({**cell, "locked": False, "bg_color": "#FFF9E5"}),
        "mark": wb.add_format({**big, "font_color": "#C00000"}),
        "section": wb.add_format({**LETTER_FONT, "bold": True, "font_size": 12}),
    }


def letter_top(ws: Any, f: dict[str, Any], last: int, title: str, lines: Sequence[tuple[str, Any]]) -> None:
    """A letter sheet's title and the (text, format) lines under it, merged up to column ``last``."""
    ws.merge_range(0, 0, 0, last, title, f["title"])
    ws.set_row(0, 30)
    for r, (text, fmt) in enumerate(lines, start=1):
        ws.merge_range(r, 0, r, last, text, fmt)
        ws.set_row(r, 20)


def letter_close(wb: Any, buf: io.BytesIO, widths: Sequence[float], head: int, header: str, autofilter: bool) -> bytes:
    """A letter sheet finished: column widths, the rows down to ``head`` (the table's header)
    frozen and printed on every page, only the unlocked cells editable; the workbook's bytes."""
    ws = wb.worksheets()[0]
    for j, width in enumerate(widths):
        ws.set_column(j, j, width)
    ws.freeze_panes(head + 1, 0)
    ws.protect("", {"autofilter": autofilter, "sort": False, "format_rows": True, "format_columns": True})
    print_setup(ws, head)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header(f'&C&"宋体"{header_text(header)}')
    ws.set_footer("&C第 &P 页,共 &N 页")
    wb.close()
    return normalize_zip(buf.getvalue())


def row_height(cells: Sequence[str], widths: Sequence[float]) -> float:
    """Points for a row of wrapped text: the tallest cell's lines at 10 pt (Excel widths count
    narrow characters; a Chinese character takes about two)."""
    lines = 1
    for text, width in zip(cells, widths, strict=False):
        if text:
            lines = max(lines, ceil(text_width(text) * 1.9 / max(1.0, width - 1)))
    return 13.0 * lines + 4


def write_finding(
    ws: Any, r: int, f: dict[str, Any], pr: ProblemRow, more: Sequence[str], widths: Sequence[float], found: str = ""
) -> None:
    """A finding under :data:`FINDING_HEADERS` (``found``: its 检查发现 when not the row's own),
    then the texts of any further columns."""
    vetoes = zh(";".join(pr.vetoes))
    texts = (str(pr.no), pr.part, zh(pr.indicator), pr.target, pr.text, found or pr.found, "", "", "", vetoes, *more)
    ws.set_row(r, row_height(texts, widths))
    ws.write_number(r, 0, pr.no, f["num"])
    for j in range(1, 6):
        ws.write_string(r, j, texts[j], f["cell"])
    for j, v in ((6, pr.max), (7, pr.points), (8, pr.lost)):
        write_points(ws, r, j, v, f["num"])
    ws.write_string(r, 9, texts[9], f["veto"])
    for j in range(10, len(texts)):
        ws.write_string(r, j, texts[j], f["cell"])


def _highlight(ws: Any, last: int, ncols: int, col: int, label: str, fmt: Any) -> None:
    """Rows 4…``last`` in ``fmt`` where column ``col`` says ``label``."""
    rule = f'=${xl_col_to_name(col)}4="{label}"'
    ws.conditional_format(3, 0, last, ncols - 1, {"type": "formula", "criteria": rule, "format": fmt})


def _bar_chart(wb: Any, ws: Any, title: str, name: str, n: int, col: int, top: Decimal | None, at: int) -> None:
    """The ``n`` ranked values of column ``col`` (from row 4) as bars, under the table at row
    ``at``: the sheet still prints one page wide."""
    chart = wb.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": name,
            "categories": [ws.name, 3, 1, 3 + n - 1, 1],
            "values": [ws.name, 3, col, 3 + n - 1, col],
            "data_labels": {"value": True, "num_format": "General"},
            "fill": {"color": "#4472C4"},
            "gap": 60,
        }
    )
    chart.set_title({"name": title})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
    most = None if top is None else excel_number(top)
    chart.set_x_axis({"min": 0, "max": most, "major_gridlines": {"visible": True}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 620, "height": max(300, 24 * n + 90)})
    ws.insert_chart(at, 1, chart)


Styled = tuple[str | Decimal | int | None, str]  # a value and the name of its format


def _ranked_sheet(
    ws: Any, f: dict[str, Any], title: str, headers: Sequence[str], rows: Sequence[Sequence[Styled]], note: str
) -> int:
    """A ranking sheet: title, headers (row 3), the rows of (value, format name) cells (text
    in ``wrap`` wrapped), filter, printing and the note under the table; returns the table's
    last row."""
    last = max(3, 2 + len(rows))
    ws.write(0, 0, title, f["title"])
    ws.write_row(2, 0, headers, f["head"])
    ws.freeze_panes(3, 2)
    ws.autofilter(2, 0, last, len(headers) - 1)
    print_setup(ws, 2)
    fit = Fit()
    fit.row(2, headers, wrap=True, limit=14)
    for r, cells in enumerate(rows, start=3):
        for j, (v, fmt) in enumerate(cells):
            if isinstance(v, str):
                ws.write_string(r, j, v, f[fmt])
                fit.cell(r, j, v, wrap=fmt == "wrap", limit=50 if fmt == "wrap" else 40)
            else:
                write_points(ws, r, j, v, f[fmt])
    fit.cell(2, 0, "排名", limit=8)
    fit.apply(ws, minimum=8)
    ws.write(last + 2, 0, note, f["note"])  # after the rows: the shared strings keep their order
    return last


def ranking_xlsx(report: Report) -> bytes:
    """``排名.xlsx``: one sheet per group (ranked, vetoed, pending), statistics, main problems."""
    ranking = report.ranking
    buf = io.BytesIO()
    wb = workbook(buf, report.info, f"{report.info.name}排名")
    box = {"border": 1, "valign": "vcenter"}
    f = {
        "title": wb.add_format({"bold": True, "font_size": 14, "font_name": "宋体"}),
        "head": wb.add_format({"bold": True, "bg_color": "#D9D9D9", **box, "text_wrap": True, "align": "center"}),
        "cell": wb.add_format(box),
        "wrap": wb.add_format({**box, "text_wrap": True}),
        # Points in the General format: the values have at most two decimals, shown as written (98.5, 110).
        "num": wb.add_format({**box, "align": "center"}),
        "pct": wb.add_format({**box, "num_format": "0%"}),
        "note": wb.add_format({"italic": True, "font_color": "#595959"}),
        "fail": wb.add_format({"bg_color": FAIL_COLOUR, "font_color": "#9C0006"}),
    }
    tier_fmts = [wb.add_format({"bg_color": c}) for c in TIER_COLOURS]
    used: set[str] = set()
    rank_units = bool(report.context.get("rank_units", True))

    overview = wb.add_worksheet(sheet_name("总体情况", used))
    stats_ws = wb.add_worksheet(sheet_name("得分统计", used)) if rank_units else None
    for g in ranking.groups if rank_units else ():
        ws = wb.add_worksheet(sheet_name(g.group, used))
        parts = [with_max(("其中:" if c.depth else "") + short_title(c.title), c) for c in g.columns]
        headers = ["排名", "单位", *parts, f"总分({pts(g.max)}分)", "等次", "绩效系数", "状态", "备注"]
        rows = []
        for e in g.entries:
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
            points = [e.points(c.id) if e.scored else None for c in g.columns]
            row: list[Styled] = [(e.rank, "cell"), (e.unit, "cell")]
            row += [(-v if c.kind == "penalty" and v else v, "num") for v, c in zip(points, g.columns, strict=True)]
            row += [(e.total if e.scored else None, "num"), (tier, "cell"), (e.coefficient, "pct")]
            rows.append([*row, (status_label(e), "cell"), (zh(";".join(remarks)), "wrap")])
        note = "说明:得分相同的单位排名相同(并列),其后名次顺延;否决单位与未完成评分的单位不参加排名,列于表末。"
        last = _ranked_sheet(ws, f, f"{g.group}考评排名", headers, rows, note)
        k = 2 + len(g.columns)  # 总分
        if g.entries and ranking.has_tiers:
            for i, t in enumerate(ranking.tiers):
                fmt = f["fail"] if t.label == ranking.veto_tier else tier_fmts[i % len(tier_fmts)]
                _highlight(ws, last, len(headers), k + 1, t.label, fmt)
        elif g.entries:
            _highlight(ws, last, len(headers), k + 1, ranking.veto_label, f["fail"])
        if g.ranked:
            _bar_chart(wb, ws, f"{g.group}总分排名", "总分", len(g.ranked), k, g.max, last + 4)

    for kr in rank_kinds(report.doc):
        _kind_sheet(wb, wb.add_worksheet(sheet_name(kr.kind.title, used)), kr, f)

    # 总体情况: tiers per group (or the targets per kind)
    ws = overview
    fit = Fit()
    ws.write(0, 0, f"{report.info.name}总体情况", f["title"])
    tt = report.tables["tiers" if rank_units else "targets-overview"]
    ws.write_row(2, 0, list(tt.headers), f["head"])
    fit.row(2, tt.headers, limit=12)
    for i, cells in enumerate(tt.rows, start=3):
        for j, text in enumerate(cells):
            if j > 0 and text.isdigit():
                ws.write_number(i, j, int(text), f["num"])
            else:
                ws.write_string(i, j, text, f["cell"] if j == 0 else f["num"])
                fit.cell(i, j, text)
    fit.apply(ws, minimum=9)
    print_setup(ws)
    # The part statistics on a sheet of their own: their columns of unit names would widen the
    # tier counts above them.
    if stats_ws is not None:
        _stats_sheet(stats_ws, report, f)

    ws = wb.add_worksheet(sheet_name("主要问题", used))
    ws.write(0, 0, "失分较多的指标(按累计失分排序)", f["title"])
    heads = ["序号", "分项", "指标", "累计失分", "涉及单位数", "否决次数", "涉及单位"]
    ws.write_row(2, 0, heads, f["head"])
    fit = Fit()
    fit.row(2, heads)
    for i, x in enumerate(ranking.losses, start=1):
        at = 2 + i
        for j, number in ((0, i), (3, x.lost), (4, x.count), (5, x.vetoes)):
            write_points(ws, at, j, number, f["num"])
        for j, text, limit in (
            (1, short_title(x.part_title), 24),
            (2, zh(x.label), 40),
            (6, "、".join(x.unit_names), 60),
        ):
            ws.write_string(at, j, text, f["wrap"])
            fit.cell(at, j, text, wrap=True, limit=limit)
    ws.freeze_panes(3, 0)
    if ranking.losses:
        ws.autofilter(2, 0, 2 + len(ranking.losses), 6)
    fit.apply(ws, minimum=8)
    print_setup(ws, 2)
    if report.compare is not None:
        _compare_sheet(wb, sheet_name("与上年比较", used), report, f)
    wb.close()
    return normalize_zip(buf.getvalue())


def _stats_sheet(ws: Any, report: Report, f: dict[str, Any]) -> None:
    """Each group's part statistics, one table under the other."""
    fit = Fit()
    r = 0
    for g in report.ranking.groups:
        ws.write(r, 0, f"{g.group}各部分得分统计", f["title"])
        heads = ["项目", "满分", "平均分", "中位数", "最高分", "最低分", "最高分单位", "最低分单位"]
        ws.write_row(r + 1, 0, heads, f["head"])
        fit.row(r + 1, heads)
        r += 2
        for s in (*g.stats, g.total_stat):
            c = s.column
            name = "总分" if c.id == "total" else ("其中:" if c.depth else "") + short_title(c.title)
            for j, v in enumerate((c.max if c.kind != "penalty" else None, s.mean, s.median, s.max, s.min), start=1):
                write_points(ws, r, j, v, f["num"])
            for j, text, limit in ((0, name, 30), (6, "、".join(s.max_units), 40), (7, "、".join(s.min_units), 40)):
                ws.write_string(r, j, text, f["wrap"])
                fit.cell(r, j, text, wrap=True, limit=limit)
            r += 1
        r += 1
    fit.apply(ws, minimum=9)
    print_setup(ws)


def _kind_sheet(wb: Any, ws: Any, k: KindRanking, f: dict[str, Any]) -> None:
    """A target kind's ranking: ranked, then vetoed, then those whose unit is unfinished; a
    bar chart of the ranked totals under the table."""
    maxima = "、".join(pts(m) for m in sorted({m for m in k.kind.max.values() if m is not None}))
    headers = ["排名", name_header(k.kind.title), "网址", "主办单位", "分组", f"得分({maxima}分)" if maxima else "得分"]
    headers += ["结论", "状态", "备注"]
    targets = (*k.ranked, *k.vetoed, *k.pending)
    rows = []
    for t in targets:
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
        row: list[Styled] = [(t.rank, "num"), *((x, "cell") for x in (t.name, t.url, t.unit, t.group))]
        row += [(t.points if t.assessed else None, "num"), (k.verdict(t), "cell")]
        rows.append([*row, ("已评分" if t.assessed else "未完成", "cell"), (zh(";".join(remarks)), "wrap")])
    note = "说明:得分相同的排名相同(并列),其后名次顺延;触发单项否决与所属单位评分未完成的不参加排名,列于表末。"
    last = _ranked_sheet(ws, f, f"{k.kind.title}检查排名", headers, rows, note)
    if targets:
        _highlight(ws, last, len(headers), 6, k.kind.fail_label, f["fail"])
    if k.ranked:
        top = max((m for m in k.kind.max.values() if m is not None), default=None)
        _bar_chart(wb, ws, f"{k.kind.title}得分排名", "得分", len(k.ranked), 5, top, last + 4)


def _compare_sheet(wb: Any, name: str, report: Report, f: dict[str, Any]) -> None:
    """This year beside last year (``--compare``): one table per group, then last year's only."""
    from zwgk_cli.report.compare import CHANGE_HEADER, SHARE_HEADERS, sheet_blocks

    assert report.compare is not None
    pct_f = wb.add_format({"border": 1, "align": "center", "num_format": "0.00%"})
    change_f = wb.add_format({"border": 1, "align": "center", "num_format": "+0.00;-0.00;0.00"})
    ws = wb.add_worksheet(name)
    fit = Fit()
    r = 0
    for title, headers, rows in sheet_blocks(report.compare):
        ws.write(r, 0, title, f["title"])
        ws.write_row(r + 1, 0, headers, f["head"])
        fit.row(r + 1, headers, wrap=True, limit=12)
        r += 2
        for row in rows:
            for j, v in enumerate(row):
                fmt = pct_f if headers[j] in SHARE_HEADERS else change_f if headers[j] == CHANGE_HEADER else f["num"]
                if v is None:
                    ws.write_blank(r, j, None, fmt)
                elif isinstance(v, str):
                    ws.write_string(r, j, v, f["cell"] if j in (0, 1, len(row) - 1) else f["num"])
                    fit.cell(r, j, v)
                else:
                    ws.write_number(r, j, excel_number(Decimal(v)) if headers[j] != CHANGE_HEADER else float(v), fmt)
            r += 1
        r += 1
    ws.write(r, 0, "说明:得分率=总分÷满分;两年评分细则不同的部分不列出。名次变化为正表示名次上升(同一分组内)。")
    fit.apply(ws, minimum=8)
    ws.freeze_panes(0, 1)
    print_setup(ws)


def rectify_xlsx(report: Report, unit: UnitPage) -> bytes:
    """One unit's 整改清单: what lost points, and columns for the unit's plan (unlocked)."""
    info = report.info
    buf = io.BytesIO()
    wb = workbook(buf, info, f"{unit.unit}问题整改清单")
    f = letter_formats(wb)
    ws = wb.add_worksheet("整改清单")
    rows = unit.rows
    teams = any(pr.team for pr in rows)  # 检查组: a column after the findings' own
    main = (*FINDING_HEADERS, "检查组") if teams else FINDING_HEADERS
    widths = (*RECTIFY_WIDTHS[:10], 12, *RECTIFY_WIDTHS[10:]) if teams else RECTIFY_WIDTHS
    n = len(main) + len(PLAN_HEADERS)
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
    ask = f"请于{info.deadline}前在黄色栏目中填写整改措施、责任科室及责任人、完成时限,报送{info.office}。"
    lines = [(zh(";".join(facts)), f["info"]), (zh(ask), f["info"])]
    letter_top(ws, f, n - 1, f"{unit.unit}问题整改清单({info.name})", lines)
    ws.write_row(4, 0, list(main), f["head"])
    ws.write_row(4, len(main), list(PLAN_HEADERS), f["fill_head"])
    ws.set_row(4, 30)
    for r, pr in enumerate(rows, start=5):
        write_finding(ws, r, f, pr, (pr.team,) if teams else (), widths)
        for j in range(len(main), n):
            ws.write_blank(r, j, None, f["fill"])
    if not rows:
        ws.merge_range(
            5, 0, 5, n - 1, "未发现失分问题。" if e.scored else "评分未完成,补正评分表后重新生成。", f["cell"]
        )
    if rows:
        ws.autofilter(4, 0, 4 + len(rows), n - 1)
    return letter_close(wb, buf, widths, 4, f"{unit.unit}问题整改清单", autofilter=True)
