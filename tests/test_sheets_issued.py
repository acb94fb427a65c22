"""The workbooks as an office issues them: progress reaches 100 % when every required input is
filled, a blank workbook states no verdict, the cover's sending line, a criterion's rows kept on
one printed page, and title rows that name the unit the way the reader checks them."""

from __future__ import annotations

import io
import itertools
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from conftest import load_sample

from zwgk_cli import rules
from zwgk_cli.demo import fill
from zwgk_cli.engine import score_unit, started
from zwgk_cli.model import Rubric, Unit
from zwgk_cli.rubric import resolve, walk_with_path
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook import write as sheets
from zwgk_cli.workbook.blueprint import PAGE_SLACK, PRINT_HEIGHT_PT, ROW_PT


@pytest.fixture(scope="module")
def mianyang() -> tuple[Rubric, list[Unit]]:
    return load_sample("mianyang-2022")


def _unit(sample: tuple[Rubric, list[Unit]], name: str) -> Unit:
    return next(u for u in sample[1] if u.name == name)


def _cached(data: bytes) -> Any:
    """The workbook as a spreadsheet that does not recalculate shows it (cached results)."""
    return openpyxl.load_workbook(io.BytesIO(data), data_only=True)


def _summary_cell(wb: Any, lay: L.Layout, role: str, target: str = "", key: str = "") -> Any:
    cell = next(r for r in lay.results if (r.role, r.target, r.key) == (role, target, key) and r.sheet == "汇总")
    return wb[cell.sheet][cell.cell].value


# ------------------------------------------------------------------ 1. progress counts required inputs only


def test_a_fully_filled_workbook_reaches_100_percent(mianyang: tuple[Rubric, list[Unit]]) -> None:
    rubric, unit = mianyang[0], _unit(mianyang, "市人力资源社会保障局")
    _blank, lay = sheets.build_workbook(rubric, unit)
    optional = [m for m in lay.inputs if not m.required]
    assert optional and all(m.kind == "text" for m in optional), "the 涉及账号 inputs are optional"
    values = fill.random_values(rubric, unit, seed=5, fill=1.0)
    values = {k: v for k, v in values.items() if k not in {m.key for m in optional}}  # optional left empty
    data, lay = sheets.build_workbook(rubric, unit, values=values)
    wb = _cached(data)
    ws = wb["汇总"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    head = next(i for i, r in enumerate(rows) if r[0] == "填写进度")
    total = next(r for r in rows[head:] if r[0] == "合计")
    required = sum(1 for m in lay.inputs if m.required)
    assert total[1] == required == total[2] and total[4] == 1 and total[5] == "已全部填写"
    media = next(r for r in rows[head:] if r[0] == "政务新媒体")
    assert media[5] == f"另有{len(optional)}项选填,不计入进度"
    assert _summary_cell(wb, lay, "filled") == required
    # the formula: COUNTA over the required cells only (an optional cell filled changes nothing)
    formula_wb = openpyxl.load_workbook(io.BytesIO(data))
    media_sheet = next(s for s in lay.sheets if s.part == "p2m")
    formulas = [r[2].value for r in formula_wb["汇总"].iter_rows() if r[0].value == media_sheet.name]
    assert any(isinstance(f, str) and f.startswith("=COUNTA(") for f in formulas)
    for m in optional:
        assert m.cell not in next(f for f in formulas if isinstance(f, str) and f.startswith("=COUNTA("))


# ------------------------------------------------------------------ 2. nothing is a verdict before something is filled


def test_a_blank_workbook_states_no_verdict(mianyang: tuple[Rubric, list[Unit]]) -> None:
    rubric, unit = mianyang[0], _unit(mianyang, "市人力资源社会保障局")
    data, lay = sheets.build_workbook(rubric, unit)
    wb = _cached(data)
    shown = {(r.role, r.target, r.key): wb[r.sheet][r.cell].value for r in lay.results if r.sheet == "汇总"}
    for role in ("part", "part_raw", "part_pass", "part_gate", "target", "target_raw", "target_pass"):
        got = {k: v for k, v in shown.items() if k[0] == role}
        assert got and set(got.values()) == {rules.UNFILLED}, role
    assert shown[("total", "", "")] == shown[("tier", "", "")] == rules.UNFILLED
    assert shown[("vetoes", "", "")] == 0
    everywhere = [wb[r.sheet][r.cell].value for r in lay.results]
    assert "不合格" not in everywhere and L.FAIL not in everywhere
    # the website sheets' own 是否合格 too
    passes = [r for r in lay.results if r.role == "target_pass" and r.sheet != "汇总"]
    assert passes and {wb[r.sheet][r.cell].value for r in passes} == {rules.UNFILLED}


def test_only_the_parts_something_was_filled_in_show_points(mianyang: tuple[Rubric, list[Unit]]) -> None:
    rubric, unit = mianyang[0], _unit(mianyang, "市人力资源社会保障局")
    variant = resolve(rubric, unit)
    p1 = {c.id for part, _chain, c in walk_with_path(variant) if part.id == "p1"}
    values = {k: v for k, v in fill.random_values(rubric, unit, seed=2, fill=1.0).items() if k.criterion in p1}
    assert values
    on = started(variant, unit, values)
    assert on[("", "")] and on[("p1", "")] and not on[("p2", "")] and not on[("p2w", unit.targets[0].id)]
    data, lay = sheets.build_workbook(rubric, unit, values=values)
    wb = _cached(data)
    assert isinstance(_summary_cell(wb, lay, "part", key="p1"), (int, float))
    assert _summary_cell(wb, lay, "part", key="p2w") == rules.UNFILLED
    assert _summary_cell(wb, lay, "part_pass", key="p2w") == rules.UNFILLED
    assert _summary_cell(wb, lay, "part_gate", key="p4") == rules.UNFILLED
    us = score_unit(rubric, variant, unit, values)
    assert _summary_cell(wb, lay, "total") == float(us.total)  # the engine's total (p2's 不适用 points too)
    assert _summary_cell(wb, lay, "tier") == us.tier


def test_a_scope_without_required_inputs_follows_the_workbook(mianyang: tuple[Rubric, list[Unit]]) -> None:
    rubric, unit = mianyang[0], _unit(mianyang, "涪城区")
    variant = resolve(rubric, unit)
    on = started(variant, unit, {})
    assert not any(on.values())
    first = next(m for m in sheets.build_workbook(rubric, unit)[1].inputs if m.required)
    on = started(variant, unit, {first.key: Decimal(0)})
    assert on[("", "")] and on[("p1", "")] and not on[("p3", "")]


# ------------------------------------------------------------------ 3. the cover's sending line


@pytest.mark.parametrize(
    ("contact", "want"),
    [
        (
            "通过钉钉发送至市政府办公室政务公开科",
            "于 2022-12-16 前报送。报送方式:通过钉钉发送至市政府办公室政务公开科。",
        ),
        ("ysqgk@jingzhou.gov.cn", "报送方式:ysqgk@jingzhou.gov.cn。"),
        ("发送至邮箱 a@b.cn。", "报送方式:发送至邮箱 a@b.cn。"),
        ("", "于 2022-12-16 前报送,按考评办公室要求报送。"),
    ],
)
def test_the_cover_says_how_to_send_whatever_the_setting_says(
    mianyang: tuple[Rubric, list[Unit]], contact: str, want: str
) -> None:
    rubric, unit = mianyang[0], _unit(mianyang, "涪城区")
    camp = sheets.CampaignInfo(year=2022, contact=contact, return_deadline="2022-12-16")
    data, _ = sheets.build_workbook(rubric, unit, camp)
    texts = [c.value for row in _cached(data)["封面"].iter_rows() for c in row if isinstance(c.value, str)]
    line = next(t for t in texts if t.split(". ", 1)[-1].startswith("填写完成后"))
    assert line.endswith(want), line
    assert "发送至 " not in line and "。。" not in line and "发送至通过" not in line


# ------------------------------------------------------------------ 4. a criterion's rows on one printed page


def test_a_criterion_never_straddles_a_page_break(mianyang: tuple[Rubric, list[Unit]]) -> None:
    rubric, unit = mianyang[0], _unit(mianyang, "市人力资源社会保障局")
    plan = sheets.plan_workbook(rubric, unit)
    broken = 0
    for sp in plan.sheets:
        if sp.role not in (L.ROLE_PART, L.ROLE_TARGET):
            continue
        assert sp.keep and sp.print_scale and sp.print_area is not None
        for a, b in sp.keep:
            assert not any(a < k <= b for k in sp.page_breaks), (sp.name, a, b)
        # every page holds what the breaks put on it
        room = PRINT_HEIGHT_PT * 100 / sp.print_scale
        edges = [0, *sp.page_breaks, sp.print_area[2] + 1]
        for k, (top, end) in enumerate(itertools.pairwise(edges)):
            rows = range(top, end)
            tall = sum(sp.heights.get(r, ROW_PT) for r in rows)
            if k:
                tall += sp.heights[L.HEADER_ROW]
            assert tall <= room * PAGE_SLACK or len(rows) == 1 or any((a, b) == (top, end - 1) for a, b in sp.keep)
        broken += len(sp.page_breaks)
    assert broken, "the website sheets take several pages"
    site = next(sp for sp in plan.sheets if sp.role == L.ROLE_TARGET)
    veto = next(r for (r, c), (v, _) in site.cells.items() if c == L.COL_TEXT and str(v).startswith("监测1周"))
    assert any(a == veto and b > a for a, b in site.keep), "站点无法访问 is kept together"
    # in the file: manual breaks at a fixed scale (spreadsheets ignore manual breaks when fitting)
    data = sheets.render_xlsx(plan)
    ws = openpyxl.load_workbook(io.BytesIO(data))[site.name]
    assert [b.id for b in ws.row_breaks.brk] == site.page_breaks
    assert ws.page_setup.scale == site.print_scale
    assert not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)


# ------------------------------------------------------------------ 5. title rows name the unit as the reader checks


def test_title_rows_name_the_unit_the_way_the_reader_checks(mianyang: tuple[Rubric, list[Unit]]) -> None:
    rubric, unit = mianyang[0], _unit(mianyang, "市发展改革委")
    data, lay = sheets.build_workbook(rubric, unit)
    wb = _cached(data)
    scoring = [s for s in lay.sheets if s.role in (L.ROLE_PART, L.ROLE_TARGET)]
    assert len(scoring) >= 5
    for s in scoring:
        ws = wb[s.name]
        title, info = ws.cell(L.TITLE_ROW + 1, 1).value, ws.cell(L.INFO_ROW + 1, 1).value
        assert title.startswith(L.sheet_title(unit.name, "")) and info.startswith(L.sheet_info(unit.name, unit.group))
        assert L.sheet_names_other_unit(title, info, unit.name) is None
        assert L.sheet_names_other_unit(title, info, "涪城区") == unit.name
        assert L.sheet_names_other_unit(None, info, "涪城区") == unit.name
