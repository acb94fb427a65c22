"""Formulas = engine: generated workbooks filled with random valid inputs, recalculated by
headless LibreOffice, compared cell by cell with the Python engine.  Also: what LibreOffice
shows without recalculating, what survives a LibreOffice save, and printing."""

from __future__ import annotations

import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import load_sample, long_list_rubric, mini_units
from test_rubric_mianyang import SITE_20_9, hr_sites

from zwgk_cli import office, rules
from zwgk_cli import rubric as rubric_mod
from zwgk_cli.demo import fill
from zwgk_cli.engine import score_unit
from zwgk_cli.model import ReadingKey, Rubric, Unit, Value, VetoEffect
from zwgk_cli.rubric import resolve, walk_with_path
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook import write as sheets

pytestmark = pytest.mark.libreoffice

DATA = Path(__file__).parent / "data"


@dataclass
class Case:
    rubric: Rubric
    unit: Unit
    values: dict[ReadingKey, Value]
    layout: L.Layout
    filled: Path
    recalculated: Path | None = None


def _grid_values(path: Path, cells: list[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    grids: dict[str, Any] = {}
    out = {}
    for sheet, cell in cells:
        if sheet not in grids:
            grids[sheet] = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        out[(sheet, cell)] = L.value_at(grids[sheet], cell)
    return out


def _same(actual: Any, expected: Decimal | str) -> bool:
    if isinstance(expected, str):
        return actual == expected
    return isinstance(actual, (int, float)) and not isinstance(actual, bool) and float(actual) == float(expected)


def _mismatches(case: Case, path: Path) -> list[str]:
    variant = resolve(case.rubric, case.unit)
    us = score_unit(case.rubric, variant, case.unit, case.values)
    expected = L.expected_values(case.layout, us, variant, case.values)
    assert len(expected) == len(case.layout.results)
    got = _grid_values(path, [(r.sheet, r.cell) for r in expected])
    return [
        f"{case.unit.name} {r.sheet}!{r.cell} {r.role}/{r.target}/{r.key}: "
        f"LibreOffice {got[(r.sheet, r.cell)]!r}, 引擎 {e!r}"
        for r, e in expected.items()
        if not _same(got[(r.sheet, r.cell)], e)
    ]


def _cases(tmp: Path) -> list[Case]:
    mini = rubric_mod.load(str(DATA / "mini.yaml"))
    my, my_units = load_sample("mianyang-2022")
    jz, jz_units = load_sample("jingzhou-2021")
    picks: list[tuple[Rubric, Unit]] = [(mini, u) for u in mini_units()] * 2
    picks += [(long_list_rubric(), u) for u in mini_units()[:2]]
    wanted_my = ["市人力资源社会保障局", "市发展改革委", "市政务服务监管局", "涪城区", "高新区", "科技城管委会"]
    wanted_my += ["市教体局", "市审计局", "市机关事务管理局", "市民政局", "北川羌族自治县", "市统计局"]
    picks += [(my, next(u for u in my_units if u.name == n)) for n in wanted_my]
    picks += [(my, next(u for u in my_units if u.name == "市人力资源社会保障局"))]
    wanted_jz = ["荆州区", "监利市", "荆州开发区", "纪南文旅区", "市发展和改革委员会", "市医疗保障局"]
    wanted_jz += ["市经济和信息化局", "荆州住房公积金中心", "市人力资源和社会保障局", "市审计局", "市教育局", "洪湖市"]
    picks += [(jz, next(u for u in jz_units if u.name == n)) for n in wanted_jz]
    cases = []
    for k, (rubric, unit) in enumerate(picks):
        data, lay = sheets.build_workbook(rubric, unit)
        src = tmp / "blank" / f"b{k:02d}.xlsx"
        src.parent.mkdir(exist_ok=True)
        src.write_bytes(data)
        ratio = 1.0 if k % 3 else 0.7  # every third workbook partly filled
        # every other workbook has few findings: units that are not vetoed reach the other tiers
        values = fill.random_values(rubric, unit, seed=100 + k, fill=ratio, mild=k % 2 == 1)
        dest = tmp / "filled" / f"f{k:02d}.xlsx"
        fill.fill_workbook(src, dest, values)
        cases.append(Case(rubric, unit, values, lay, dest))
    # as issued (未填写 everywhere), one part filled (the others 未填写), and a unit whose websites
    # score 22, 22 and 20.9: the 21-point line is judged on their mean (21.63: 合格)
    hr = next(u for u in my_units if u.name == "市人力资源社会保障局")
    p1 = {c.id for part, _chain, c in walk_with_path(resolve(my, hr)) if part.id == "p1"}
    full = fill.random_values(my, hr, seed=7, fill=1.0)
    means = {k: v for k, v in hr_sites(SITE_20_9).values.items() if v is not None}
    for k, (rubric, unit, values) in enumerate(
        [
            (my, hr, {}),
            (mini, mini_units()[0], {}),
            (my, hr, {key: v for key, v in full.items() if key.criterion in p1}),
            (my, hr, means),
        ]
    ):
        data, lay = sheets.build_workbook(rubric, unit)
        src = tmp / "blank" / f"x{k:02d}.xlsx"
        src.write_bytes(data)
        dest = tmp / "filled" / f"x{k:02d}.xlsx"
        fill.fill_workbook(src, dest, values)
        cases.append(Case(rubric, unit, values, lay, dest))
    return cases


@pytest.fixture(scope="module")
def recalculated(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    tmp = tmp_path_factory.mktemp("lo")
    cases = _cases(tmp)
    batches = [cases[0::2], cases[1::2]]  # two LibreOffice runs side by side, many files each
    with ThreadPoolExecutor(max_workers=2) as pool:
        outs = list(
            pool.map(lambda b: office.recalculate([c.filled for c in b[1]], tmp / f"calc{b[0]}"), enumerate(batches))
        )
    for batch, paths in zip(batches, outs, strict=True):
        for case, path in zip(batch, paths, strict=True):
            case.recalculated = path
    return cases


def test_every_formula_agrees_with_the_engine(recalculated: list[Case]) -> None:
    assert len(recalculated) >= 30
    assert any(len(c.unit.targets) >= 3 for c in recalculated)
    assert any(len(c.values) < len(fill.unit_inputs(c.rubric, c.unit)) for c in recalculated), "partly filled too"
    assert {c.rubric.id for c in recalculated} == {"mini", "mianyang-2022", "jingzhou-2021"}
    assert any(m.list for c in recalculated for m in c.layout.inputs), "a long list through a defined name too"
    tiers = {
        score_unit(c.rubric, resolve(c.rubric, c.unit), c.unit, c.values).tier
        for c in recalculated
        if c.rubric.id == "mianyang-2022"
    }
    assert tiers - {"不合格"}, f"units that are not vetoed too, scored into another tier: {tiers}"
    bad: list[str] = []
    compared = 0
    outcomes = {"vetoed": 0, "gate_closed": 0, "incomplete": 0}
    for case in recalculated:
        assert case.recalculated is not None
        bad += _mismatches(case, case.recalculated)
        compared += len(case.layout.results)
        us = score_unit(case.rubric, resolve(case.rubric, case.unit), case.unit, case.values)
        outcomes["vetoed"] += us.vetoed
        outcomes["gate_closed"] += us.bonus_counted is False
        outcomes["incomplete"] += not us.complete
    assert not bad, "\n".join(bad[:40])
    blank_hr, blank_mini, _one_part, means = recalculated[-4:]
    for case in (blank_hr, blank_mini):
        assert not case.values and case.recalculated is not None
        cells = [(r.sheet, r.cell) for r in case.layout.results if r.role in ("total", "tier", "part_pass")]
        assert set(_grid_values(case.recalculated, cells).values()) <= {rules.UNFILLED, ""}, "as issued: 未填写"
    assert means.recalculated is not None
    line = next(r for r in means.layout.results if (r.role, r.key) == ("part_pass", "p2w"))
    assert _grid_values(means.recalculated, [(line.sheet, line.cell)]) == {(line.sheet, line.cell): "合格"}
    assert compared > 3500
    assert all(outcomes.values()), outcomes


def test_a_libreoffice_save_keeps_hidden_sheet_map_validation_and_protection(recalculated: list[Case]) -> None:
    import openpyxl

    case = next(c for c in recalculated if len(c.unit.targets) >= 3)
    assert case.recalculated is not None
    wb = openpyxl.load_workbook(case.recalculated)
    assert wb[L.META_SHEET].sheet_state in ("hidden", "veryHidden")
    rows = [list(r) for r in wb[L.META_SHEET].iter_rows(values_only=True)]
    assert L.read_layout(rows) == case.layout
    validated: set[tuple[str, str]] = set()
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                validated.update((ws.title, L.a1(r - 1, c - 1)) for r, c in rng.cells)
    for m in case.layout.inputs:
        assert (m.sheet, m.cell) in validated
        assert wb[m.sheet][m.cell].protection.locked is False
    assert {L.NAME_TOTAL, L.NAME_TIER} <= set(wb.defined_names)


def test_opened_as_issued_libreoffice_shows_the_engine_values(soffice: str, tmp_path: Path) -> None:
    """With LibreOffice's default settings (no recalculation on load) a blank or pre-filled
    workbook already shows the engine's values; recalculating changes nothing."""
    rubric, units = load_sample("mianyang-2022")
    unit = next(u for u in units if u.name == "市发展改革委")
    values = fill.random_values(rubric, unit, seed=9, fill=0.8)
    cases = []
    for name, vals in (("blank", {}), ("prefilled", values)):
        data, lay = sheets.build_workbook(rubric, unit, values=vals)
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(data)
        cases.append(Case(rubric, unit, dict(vals), lay, path))
    as_is = office.convert([c.filled for c in cases], tmp_path / "as_is", "xlsx", recalc=False)
    again = office.convert([c.filled for c in cases], tmp_path / "recalc", "xlsx", recalc=True)
    for case, p1, p2 in zip(cases, as_is, again, strict=True):
        assert not _mismatches(case, p1)
        assert not _mismatches(case, p2)


def test_summary_rule_formulas_agree_with_their_python_twins(soffice: str, tmp_path: Path) -> None:
    """tier / pass / gate / total / after_veto formulas, evaluated by LibreOffice on edge values."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    rubric = rubric_mod.load("mianyang-2022")
    d = Decimal
    totals = [d(x) for x in ("0", "59.99", "60", "69.99", "70", "89.99", "90", "109.99", "110", "130")]
    path = tmp_path / "rules.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("t")
    expected: list[Any] = []
    row = 0
    for total in totals:
        for vetoes in (0, 1):
            ws.write_number(row, 0, float(total))
            ws.write_number(row, 1, vetoes)
            ws.write_formula(row, 2, "=" + rules.tier_formula(rubric, f"A{row + 1}", f"B{row + 1}"))
            tier = rubric.tier_for(total, bool(vetoes))
            expected.append(tier.label if tier else "")
            ws.write_formula(row, 3, "=" + rules.pass_formula(f"A{row + 1}", f"B{row + 1}", d(60)))
            expected.append("合格" if rules.passes(total, vetoes, d(60)) else "不合格")
            ws.write_formula(row, 4, "=" + rules.gate_open_formula(f"A{row + 1}", d(90)))
            expected.append(1 if rules.gate_open(total, d(90)) else 0)
            ws.write_formula(row, 5, "=" + rules.gated_formula("7.5", f"E{row + 1}"))
            expected.append(float(rules.gated(d("7.5"), rules.gate_open(total, d(90)))))
            ws.write_formula(row, 6, "=" + rules.total_formula([f"A{row + 1}", "10.005"], ["45.5"]))
            expected.append(float(rules.unit_total([total, d("10.005")], [d("45.5")])))
            ws.write_formula(row, 7, "=" + rules.after_veto_formula(f"A{row + 1}", f"B{row + 1}", VetoEffect.ZERO))
            expected.append(float(rules.after_veto(total, vetoes, VetoEffect.ZERO)))
            row += 1
    for k, filled in enumerate((0, 1, 3)):  # rules.shown: 未填写 while nothing of the scope is filled
        ws.write_number(k, 8, filled)
        ws.write_formula(k, 9, "=" + rules.shown_formula(f"I{k + 1}", '"不合格"'))
    wb.close()
    (out,) = office.recalculate([path], tmp_path / "out")
    grid = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("t").to_python(skip_empty_area=False)
    got = [grid[r][c] for r in range(row) for c in range(2, 8)]
    assert [float(g) if isinstance(g, (int, float)) else g for g in got] == [
        float(e) if isinstance(e, (int, float)) else e for e in expected
    ]
    assert [grid[k][9] for k in range(3)] == [rules.shown("不合格", bool(n)) for n in (0, 1, 3)]
    assert grid[0][9] == "未填写"


def test_a_workbook_prints_on_a4_with_the_unit_in_the_header(soffice: str, tmp_path: Path) -> None:
    rubric, units = load_sample("mianyang-2022")
    unit = next(u for u in units if u.name == "市人力资源社会保障局")
    data, lay = sheets.build_workbook(rubric, unit, sheets.CampaignInfo(year=2022, materials_deadline="2022-11-25"))
    path = tmp_path / "hr.xlsx"
    path.write_bytes(data)
    (pdf,) = office.to_pdf([path], tmp_path / "pdf")
    assert pdf.stat().st_size > 10_000
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    pages = text.split("\f")
    assert 5 <= len([p for p in pages if p.strip()]) <= 40
    assert all(unit.name in p for p in pages if p.strip())
    assert "第 1 页" in text and "2022-11-25" in text
    assert "编号(勿改)" not in text, "the id column is outside the print area"
    for s in lay.sheets:
        if s.role == L.ROLE_TARGET:
            assert s.name in text


def test_office_reports_missing_soffice_and_failures_in_chinese(tmp_path: Path) -> None:
    missing = tmp_path / "none.xlsx"
    with pytest.raises(office.OfficeError) as err:
        office.convert([missing], tmp_path / "o", soffice=str(tmp_path / "no-soffice"))
    assert "LibreOffice" in str(err.value)
    with pytest.raises(office.OfficeError):
        office.convert([tmp_path / "a" / "x.xlsx", tmp_path / "b" / "x.xlsx"], tmp_path / "o")
    assert office.convert([], tmp_path / "o") == []
