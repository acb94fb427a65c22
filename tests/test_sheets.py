"""The generated workbook: structure for every sample unit, the hidden-sheet contract,
names, determinism, cached values, and the summary-sheet rule helpers."""

from __future__ import annotations

import io
import random
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import load_sample, long_list_rubric, mini_units, require_soffice

from zwgk_cli import rules
from zwgk_cli.demo import fill
from zwgk_cli.engine import score_unit
from zwgk_cli.model import NO, YES, ZERO, InputKind, Rubric, Tier, Unit, VetoEffect
from zwgk_cli.rubric import resolve, walk_with_path
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook import validation
from zwgk_cli.workbook import write as sheets

# ------------------------------------------------------------------ structure, every sample unit


def _summarize(data: bytes) -> dict[str, Any]:
    """Everything the structure test looks at, read with openpyxl once (runs in a worker)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    out: dict[str, Any] = {
        "sheets": [(ws.title, ws.sheet_state) for ws in wb.worksheets],
        "names": sorted(wb.defined_names),
    }
    meta_rows = [list(r) for r in wb[L.META_SHEET].iter_rows(values_only=True)]
    out["meta_rows"] = meta_rows
    per_sheet: dict[str, Any] = {}
    for ws in wb.worksheets:
        if ws.title in (L.META_SHEET, L.LISTS_SHEET):
            per_sheet[ws.title] = {"protected": bool(ws.protection.sheet)}
            continue
        unlocked = set()
        values: dict[str, Any] = {}
        for row in ws.iter_rows():
            for c in row:
                if c.protection is not None and not c.protection.locked:
                    unlocked.add(c.coordinate)
                if c.value is not None:
                    values[c.coordinate] = c.value
        validations: dict[str, tuple[str, str]] = {}
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                for cells in rng.cells:
                    validations[L.a1(cells[0] - 1, cells[1] - 1)] = (dv.type, dv.formula1 or "", dv.prompt or "")
        per_sheet[ws.title] = {
            "protected": bool(ws.protection.sheet),
            "unlocked": unlocked,
            "values": values,
            "validations": validations,
            "freeze": ws.freeze_panes,
            "titles": ws.print_title_rows,
            "orientation": ws.page_setup.orientation,
            "scale": ws.page_setup.scale,
            "paper": ws.page_setup.paperSize,
            "fit": (
                bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage),
                ws.page_setup.fitToWidth in (None, 1),
                ws.page_setup.fitToHeight,
            ),
            "header": (ws.oddHeader.left.text or "") + (ws.oddHeader.center.text or ""),
        }
    out["per_sheet"] = per_sheet
    return out


def _build(args: tuple[Rubric, Unit]) -> tuple[bytes, L.Layout]:
    return sheets.build_workbook(args[0], args[1], sheets.CampaignInfo(year=2022, name="测试考评"))


def _sample_jobs() -> list[tuple[Rubric, Unit]]:
    jobs: list[tuple[Rubric, Unit]] = []
    for rid in ("mianyang-2022", "jingzhou-2021"):
        rubric, units = load_sample(rid)
        jobs.extend((rubric, u) for u in units)
    return jobs


@pytest.fixture(scope="module")
def sample_books() -> list[tuple[Rubric, Unit, L.Layout, dict[str, Any]]]:
    jobs = _sample_jobs()
    with ProcessPoolExecutor(max_workers=2) as pool:
        built = list(pool.map(_build, jobs, chunksize=8))
        summaries = list(pool.map(_summarize, [b for b, _ in built], chunksize=4))
    return [(r, u, lay, s) for (r, u), (_, lay), s in zip(jobs, built, summaries, strict=True)]


def _expected_scoring_sheets(rubric: Rubric, unit: Unit) -> list[tuple[str, str]]:
    """(part id, target id) of every scoring sheet, in order."""
    out = []
    for p in resolve(rubric, unit).walk_parts():
        if not p.indicators:
            continue
        if p.per_target:
            out.extend((p.id, t.id) for t in unit.targets_of(p.per_target))
        else:
            out.append((p.id, ""))
    return out


def test_sample_rosters_cover_both_rubrics(sample_books: list[Any]) -> None:
    by_rubric: dict[str, int] = {}
    for rubric, _u, _l, _s in sample_books:
        by_rubric[rubric.id] = by_rubric.get(rubric.id, 0) + 1
    assert by_rubric == {"mianyang-2022": 49, "jingzhou-2021": 43}
    multi = [u.name for r, u, _l, _s in sample_books if len(u.targets) >= 3]
    assert "市人力资源社会保障局" in multi


def test_every_sample_workbook_has_the_right_sheets(sample_books: list[Any]) -> None:
    for rubric, unit, lay, summ in sample_books:
        names = [n for n, _ in summ["sheets"]]
        states = dict(summ["sheets"])
        assert names[:2] == [L.COVER_SHEET, L.SUMMARY_SHEET], unit.name
        assert names[-1] == L.META_SHEET and states[L.META_SHEET] == "veryHidden", unit.name
        scoring = [(s.part, s.target) for s in lay.sheets if s.role in (L.ROLE_PART, L.ROLE_TARGET)]
        assert scoring == _expected_scoring_sheets(rubric, unit), unit.name
        visible = [n for n, st in summ["sheets"] if st == "visible"]
        assert visible == [
            L.COVER_SHEET,
            L.SUMMARY_SHEET,
            *(s.name for s in lay.sheets if s.role in ("part", "target")),
        ]
        for s in lay.sheets:
            if s.role == L.ROLE_TARGET:
                target = next(t for t in unit.targets if t.id == s.target)
                assert s.name == L.safe_sheet_name(target.name, []) or s.name.startswith(target.name[:20])
        for n in names:
            assert len(n) <= 31 and not set(n) & set("[]:*?/\\")


def test_every_criterion_once_per_target_and_inputs_as_live(sample_books: list[Any]) -> None:
    for rubric, unit, lay, summ in sample_books:
        variant = resolve(rubric, unit)
        want: list[tuple[str, str]] = []
        live: dict[tuple[str, str], list[str]] = {}
        for part, _chain, crit in walk_with_path(variant):
            for t in [t.id for t in unit.targets_of(part.per_target)] if part.per_target else [""]:
                want.append((t, crit.id))
                live[(t, crit.id)] = [i.id for i in crit.live_inputs()]
        got = [(r.target, r.key) for r in lay.results if r.role == "criterion"]
        assert sorted(got) == sorted(want), unit.name
        assert len(got) == len(set(got)), unit.name
        mapped: dict[tuple[str, str], list[str]] = {}
        for m in lay.inputs:
            mapped.setdefault((m.target, m.criterion), []).append(m.input)
        assert mapped == {k: v for k, v in live.items() if v}, unit.name
        # the map read back from the workbook is the one the writer kept
        assert L.read_layout(summ["meta_rows"]) == lay


def test_map_covers_every_input_cell_with_validation_and_locks(sample_books: list[Any]) -> None:
    for _rubric, unit, lay, summ in sample_books:
        by_sheet: dict[str, list[L.MapRow]] = {}
        for m in lay.inputs:
            by_sheet.setdefault(m.sheet, []).append(m)
        for s in lay.sheets:
            info = summ["per_sheet"][s.name]
            assert info["protected"], (unit.name, s.name)
            if s.role not in (L.ROLE_PART, L.ROLE_TARGET):
                continue
            rows = by_sheet.get(s.name, [])
            note_col = L.col_letter(L.COL_NOTE)
            notes = {c for c in info["unlocked"] if c.rstrip("0123456789") == note_col}
            inputs = {m.cell for m in rows}
            # every unlocked cell is an input or (in the note column) a note; inputs are validated
            assert info["unlocked"] - notes == inputs, (unit.name, s.name)
            assert {m.note_cell for m in rows} <= notes
            assert set(info["validations"]) == inputs, (unit.name, s.name)
            for m in rows:
                assert info["values"].get(m.id_cell) == m.id
                assert m.cell not in info["values"], "a blank workbook has empty inputs (unfilled is not zero)"
                kind, formula1, prompt = info["validations"][m.cell]
                assert prompt, "every input carries an input message"
                if m.kind in ("yes_no", "choice"):
                    assert kind == "list"
                    if m.list:
                        assert formula1 == m.list
                    else:
                        assert len(formula1) <= 255 and formula1.strip('"').split(",") == list(m.options)
                elif m.kind == "count":
                    assert kind == "whole"
                elif m.kind in ("points", "percent", "number"):
                    assert kind == "decimal"
            assert info["freeze"] == "A4"
            assert info["titles"] == "$3:$3"
            # a fixed scale with manual breaks (a criterion's rows kept on one page), not fitted
            assert info["orientation"] == "landscape" and info["paper"] == 9 and info["fit"][0] is False
            assert 10 <= info["scale"] <= 100
            assert unit.name in info["header"]


def test_summary_names_and_formulas(sample_books: list[Any]) -> None:
    for rubric, unit, lay, summ in sample_books:
        variant = resolve(rubric, unit)
        names = set(summ["names"])
        assert {L.NAME_TOTAL, L.NAME_TIER, L.NAME_VETOES, L.NAME_FILLED} <= names
        assert {L.part_name(p.id) for p in variant.walk_parts()} <= names
        values = summ["per_sheet"][L.SUMMARY_SHEET]["values"]
        for r in lay.results:
            if r.sheet == L.SUMMARY_SHEET:
                assert str(values[r.cell]).startswith("="), (unit.name, r)
        # every criterion cell is a formula, or the 不适用 constant next to a 不适用 label
        for r in lay.results:
            if r.role != "criterion":
                continue
            v = summ["per_sheet"][r.sheet]["values"][r.cell]
            if not (isinstance(v, str) and v.startswith("=")):
                row = L.parse_a1(r.cell)[0]
                assert summ["per_sheet"][r.sheet]["values"][L.a1(row, L.COL_LABEL)] == "不适用"


def test_jingzhou_department_carries_its_own_key_area_criteria(sample_books: list[Any]) -> None:
    crits = {}
    for rubric, unit, lay, _s in sample_books:
        if rubric.id == "jingzhou-2021" and unit.group == "市直部门":
            crits[unit.name] = {r.key for r in lay.results if r.role == "criterion"}
    assert len(crits) == 32
    assert len({frozenset(c) for c in crits.values()}) > 5, "departments get different 重点领域 sets"


# ------------------------------------------------------------------ the hidden sheet contract


def test_meta_rows_round_trip_and_tolerate_added_columns(mini: Rubric) -> None:
    unit = mini_units()[0]
    _data, lay = sheets.build_workbook(mini, unit)
    rows = L.meta_rows(lay.meta, lay.sheets, lay.inputs, lay.results)
    assert L.read_layout(rows) == lay
    assert L.read_layout(rows).meta == lay.meta and L.read_layout(rows).inputs == lay.inputs
    # a later format may add columns at the end and new record kinds: still readable
    widened = [([*r, "extra"] if r and r[0] in ("input", "#input") else r) for r in rows]
    widened.append(["future", "x"])
    assert L.read_layout(widened).inputs == lay.inputs
    # floats as calamine gives numbers, blank padding rows
    padded = [[*r, None] for r in rows] + [[None, None]]
    assert L.read_layout(padded) == lay


@pytest.mark.parametrize(
    ("rows", "not_zwgk"),
    [
        ([], True),
        ([["something else"]], True),
        ([[L.MAGIC, "x"]], False),
        ([[L.MAGIC, str(L.FORMAT_VERSION + 1)]], False),
        ([[L.MAGIC, "1"], ["meta", "unit_id", "U1"]], False),
    ],
)
def test_broken_meta_sheets_raise_layout_errors(rows: list[list[str]], not_zwgk: bool) -> None:
    with pytest.raises(L.LayoutError) as err:
        L.read_layout(rows)
    assert err.value.not_zwgk is not_zwgk
    assert err.value.reason


def test_a1_helpers() -> None:
    assert L.a1(0, 0) == "A1" and L.a1(9, 27) == "AB10" and L.a1(2, 3, absolute=True) == "$D$3"
    for r, c in ((0, 0), (99, 25), (4, 26), (1000, 700)):
        assert L.parse_a1(L.a1(r, c)) == (r, c)
    with pytest.raises(ValueError):
        L.parse_a1("1A")
    assert L.value_at([[1, 2], [3]], "B2") is None and L.value_at([[1, 2]], "B1") == 2
    assert L.quote_sheet("它's") == "'它''s'"


def test_sheet_and_file_names_are_safe_unique_and_keep_chinese() -> None:
    name = L.safe_sheet_name("绵阳市[政务]:服务*中心?/网站\\", [])
    assert name == "绵阳市［政务］：服务＊中心？／网站＼"
    long = "很" * 40
    first = L.safe_sheet_name(long, [])
    second = L.safe_sheet_name(long, [first])
    assert len(first) == 31 and len(second) == 31 and first != second and second.endswith("(2)")
    assert L.safe_sheet_name("汇总", L.RESERVED_SHEETS) == "汇总(2)"
    assert L.safe_sheet_name("'引号'", []) == "引号"
    units = [
        Unit("A1", "市发展和改革委员会", "g"),
        Unit("A2", 'a/b\\c:d*e?f"g<h>i|j', "g"),
        Unit("A3", "a_b_c_d_e_f_g_h_i_j", "g"),
        Unit("A4", "CON", "g"),
        Unit("A5", "  点结尾.  ", "g"),
    ]
    names = L.workbook_filenames(units)
    assert names["A1"] == "市发展和改革委员会.xlsx"
    assert names["A2"] == "a_b_c_d_e_f_g_h_i_j.xlsx"
    assert names["A3"] == "a_b_c_d_e_f_g_h_i_j_A3.xlsx"
    assert names["A4"] == "_CON.xlsx"
    assert names["A5"] == "点结尾.xlsx"
    assert len(set(names.values())) == len(units)


# ------------------------------------------------------------------ bytes, caches, values


# the functions every spreadsheet knows (newer ones need an _xlfn. prefix and are shown as
# #NAME? by older versions)
CLASSIC_FUNCTIONS = frozenset({"IF", "OR", "AND", "ROUND", "MIN", "MAX", "SUM", "COUNTA"})


def test_formulas_use_only_classic_functions_and_are_written_as_planned(mini: Rubric) -> None:
    import re
    import zipfile

    rubric, units = load_sample("mianyang-2022")
    for r, unit in ((mini, mini_units()[2]), (rubric, next(u for u in units if len(u.targets) == 3))):
        plan = sheets.plan_workbook(r, unit)
        texts = [v.text for sp in plan.sheets for v, _ in sp.cells.values() if isinstance(v, sheets.Formula)]
        used = {name for t in texts for name in re.findall(r"([A-Z][A-Z0-9.]*)\(", t)}
        assert used <= CLASSIC_FUNCTIONS, used - CLASSIC_FUNCTIONS
        data = sheets.render_xlsx(plan)
        xml = "".join(
            zipfile.ZipFile(io.BytesIO(data)).read(n).decode()
            for n in zipfile.ZipFile(io.BytesIO(data)).namelist()
            if n.startswith("xl/worksheets/")
        )
        assert "_xlfn" not in xml and xml.count("<f>") == len(texts)


def test_same_inputs_give_byte_identical_workbooks(mini: Rubric) -> None:
    unit = mini_units()[2]
    a, _ = sheets.build_workbook(mini, unit, sheets.CampaignInfo(year=2024, name="测试"))
    b, _ = sheets.build_workbook(mini, unit, sheets.CampaignInfo(year=2024, name="测试"))
    assert a == b
    c, _ = sheets.build_workbook(mini, unit, sheets.CampaignInfo(year=2025, name="测试"))
    assert c != a


def _cached_values(data: bytes, lay: L.Layout) -> dict[L.ResultCell, Any]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    grids: dict[str, Any] = {}
    out = {}
    for r in lay.results:
        if r.sheet not in grids:
            grids[r.sheet] = wb.get_sheet_by_name(r.sheet).to_python(skip_empty_area=False)
        out[r] = L.value_at(grids[r.sheet], r.cell)
    return out


def _same(actual: Any, expected: Decimal | str) -> bool:
    if isinstance(expected, str):
        return actual == expected
    return isinstance(actual, (int, float)) and not isinstance(actual, bool) and float(actual) == float(expected)


@pytest.mark.parametrize("fill_ratio", [0.0, 0.6, 1.0])
def test_cached_results_are_what_the_engine_computes(mini: Rubric, fill_ratio: float) -> None:
    """A workbook opened as issued (no recalculation) shows the engine's numbers."""
    for k, unit in enumerate(mini_units()):
        values = fill.random_values(mini, unit, seed=k, fill=fill_ratio) if fill_ratio else {}
        data, lay = sheets.build_workbook(mini, unit, values=values)
        variant = resolve(mini, unit)
        expected = L.expected_values(lay, score_unit(mini, variant, unit, values), variant, values)
        assert len(expected) == len(lay.results)
        cached = _cached_values(data, lay)
        bad = {r: (cached[r], e) for r, e in expected.items() if not _same(cached[r], e)}
        assert not bad


def test_blank_criteria_cache_an_empty_result(mini: Rubric) -> None:
    """A formula whose result is "" is stored with an empty cached value, which reads as "" (not 0)."""
    import zipfile

    data, lay = sheets.build_workbook(mini, mini_units()[0])
    first = next(r for r in lay.results if r.role == "criterion" and r.sheet != L.SUMMARY_SHEET)
    sheet_index = [s.name for s in lay.sheets].index(first.sheet) + 1
    xml = zipfile.ZipFile(io.BytesIO(data)).read(f"xl/worksheets/sheet{sheet_index}.xml").decode()
    cell = xml.split(f'r="{first.cell}"', 1)[1].split("</c>", 1)[0]
    assert "<f>" in cell and cell.endswith("<v></v>")
    assert _cached_values(data, lay)[first] == ""


def test_prefilled_inputs_are_written_and_the_password_is_set(mini: Rubric) -> None:
    import openpyxl

    unit = mini_units()[1]
    values = fill.random_values(mini, unit, seed=3)
    data, lay = sheets.build_workbook(mini, unit, values=values, password="秘密")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for m in lay.inputs:
        v = values.get(m.key)
        got = wb[m.sheet][m.cell].value
        assert (got is None) if v is None else (str(got) == str(v) or Decimal(str(got)) == v)
    assert all(ws.protection.password for ws in wb.worksheets)


def test_long_choice_lists_go_to_a_hidden_list_sheet(mini: Rubric) -> None:
    import openpyxl

    from zwgk_cli.model import Input

    long_input = Input("c", "很长的选项", InputKind.CHOICE, options=tuple(f"第{i}种情况,含逗号" for i in range(12)))
    assert validation.needs_list_sheet(long_input.options)
    assert not validation.needs_list_sheet(("3个工作日内", "5个工作日内"))
    v = validation.input_validation(long_input, "ZWGK_LIST_1")
    assert v["source"] == "=ZWGK_LIST_1"
    assert len(v["input_message"]) <= 255 and len(v["input_title"]) <= 32
    # the mini rubric's short choice stays inline, and a workbook with a long list carries the sheet
    data, lay = sheets.build_workbook(mini, mini_units()[0])
    assert all(not m.list for m in lay.inputs)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert L.LISTS_SHEET not in wb.sheetnames


def test_a_long_choice_list_goes_through_a_defined_name_on_a_very_hidden_sheet() -> None:
    import openpyxl

    rubric = long_list_rubric()
    unit = mini_units()[0]
    data, lay = sheets.build_workbook(rubric, unit)
    listed = [m for m in lay.inputs if m.list]
    assert [m.input for m in listed] == ["speed"] and listed[0].list == "ZWGK_LIST_1"
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb[L.LISTS_SHEET].sheet_state == "veryHidden" and wb[L.LISTS_SHEET].protection.sheet
    assert wb.defined_names["ZWGK_LIST_1"].attr_text == "'_lists'!$A$2:$A$4"
    assert [wb[L.LISTS_SHEET].cell(row=r, column=1).value for r in (2, 3, 4)] == list(listed[0].options)
    dvs = wb[listed[0].sheet].data_validations.dataValidation
    dv = next(d for d in dvs if listed[0].cell in str(d.sqref))
    assert dv.type == "list" and dv.formula1 == "ZWGK_LIST_1"
    assert ("lists", L.LISTS_SHEET) in {(s.role, s.name) for s in lay.sheets}


def test_fill_workbook_keeps_hidden_sheet_validation_and_protection(mini: Rubric, tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    unit = mini_units()[0]
    data, lay = sheets.build_workbook(mini, unit)
    src = tmp_path / "甲县.xlsx"
    src.write_bytes(data)
    values = fill.random_values(mini, unit, seed=11)
    key = next(iter(values))
    got = fill.fill_workbook(
        src, tmp_path / "out" / "甲县.xlsx", values, assessor="张三", date=dt.date(2024, 12, 1), notes={key: "见截图"}
    )
    assert got == lay
    wb = openpyxl.load_workbook(tmp_path / "out" / "甲县.xlsx")
    assert wb[L.META_SHEET].sheet_state == "veryHidden"
    for m in lay.inputs:
        cell = wb[m.sheet][m.cell]
        assert cell.protection.locked is False
        if m.key in values:
            assert str(cell.value) == str(values[m.key]) or Decimal(str(cell.value)) == values[m.key]
    assert all(ws.protection.sheet for ws in wb.worksheets)
    assert sum(len(ws.data_validations.dataValidation) for ws in wb.worksheets) >= len(lay.inputs)
    m0 = next(m for m in lay.inputs if m.key == key)
    assert wb[m0.sheet][m0.note_cell].value == "见截图"
    sheet, cell = lay.meta.assessor_cell.split("!")
    assert wb[sheet][cell].value == "张三"
    with pytest.raises(KeyError):
        fill.fill_workbook(
            src, tmp_path / "x.xlsx", {L.MapRow("", "A1", "", "", "nope", "", "x", "y", "count", "").key: 1}
        )


def test_random_values_are_valid_seeded_and_cover_every_live_input(mini: Rubric) -> None:
    for unit in mini_units():
        inputs = fill.unit_inputs(mini, unit)
        a = fill.random_values(mini, unit, seed=5)
        assert a == fill.random_values(mini, unit, seed=5)
        assert a != fill.random_values(mini, unit, seed=6)
        assert set(a) == {k for k, i in inputs if i.kind is not InputKind.TEXT}
        for key, inp in inputs:
            v = a.get(key)
            if v is None:
                continue
            lo, hi, step = validation.input_bounds(inp)
            if inp.kind in (InputKind.YES_NO,):
                assert v in (YES, NO)
            elif inp.kind is InputKind.CHOICE:
                assert v in inp.options
            else:
                assert isinstance(v, Decimal)
                assert lo is None or v >= lo
                assert hi is None or v <= hi
                assert step is None or v % step == 0
        partial = fill.random_values(mini, unit, seed=5, fill=0.5)
        assert set(partial) < set(a)


def test_random_values_reach_vetoes_caps_and_gates() -> None:
    """Over the samples, the generator makes vetoes fire, bonuses gate and totals spread."""
    rubric, units = load_sample("mianyang-2022")
    vetoed = gated = 0
    totals = set()
    for seed in range(3):
        for unit in units:
            values = fill.random_values(rubric, unit, seed=seed)
            us = score_unit(rubric, resolve(rubric, unit), unit, values)
            vetoed += us.vetoed
            gated += us.bonus_counted is False
            totals.add(us.total)
    assert vetoed and gated and len(totals) > 20


def test_soffice_fixture_skips_locally_but_fails_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    from zwgk_cli import office

    monkeypatch.setattr(office, "find_soffice", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_soffice()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        require_soffice()
    monkeypatch.setattr(office, "find_soffice", lambda: "/opt/soffice")
    assert require_soffice() == "/opt/soffice"


# ------------------------------------------------------------------ rule helpers of the summary sheet


def test_summary_rule_helpers_python_halves() -> None:
    d = Decimal
    assert rules.after_veto(d(30), 1, VetoEffect.ZERO) == ZERO
    assert rules.after_veto(d(30), 1, VetoEffect.NONE) == d(30)
    assert rules.after_veto_formula("C5", "D5", VetoEffect.ZERO) == "IF(D5>0,0,C5)"
    assert rules.after_veto_formula("C5", "D5", VetoEffect.NONE) == "C5"
    assert (
        rules.passes(d(21), 0, d(21)) and not rules.passes(d("20.99"), 0, d(21)) and not rules.passes(d(35), 1, d(21))
    )
    assert rules.shown(d(2), False) == rules.UNFILLED == "未填写" and rules.shown("不合格", True) == "不合格"
    assert rules.shown_formula("C9", "G4") == 'IF(C9=0,"未填写",G4)'
    assert rules.gate_open(d(44), d(44)) and not rules.gate_open(d("43.99"), d(44))
    assert rules.gated(d(12), False) == ZERO and rules.gated(d(12), True) == d(12)
    assert rules.unit_total([d("100.5"), d(20)], [d(200)]) == ZERO
    assert rules.unit_total([d("60.125")], []) == d("60.13")
    assert rules.total_formula(["A1", "A2"], []) == "ROUND(MAX(0,SUM(A1,A2)),2)"
    assert rules.total_formula(["A1"], ["B1"]) == "ROUND(MAX(0,SUM(A1)-SUM(B1)),2)"


def _tier_eval(formula: str, total: Decimal, vetoes: int) -> str:
    """Evaluate an IF chain of tier_formula in Python (the LibreOffice test runs it for real)."""
    expr = formula.replace("T", str(total)).replace("V", str(vetoes))
    while expr.startswith("IF("):
        inner = expr[3:-1]
        cond, rest = inner.split(",", 1)
        then, other = rest.split(",", 1)
        left, right = cond.split(">=") if ">=" in cond else cond.split(">")
        holds = Decimal(left) >= Decimal(right) if ">=" in cond else Decimal(left) > Decimal(right)
        expr = then if holds else other
    return expr.strip('"')


def _tiers(values: Iterable[tuple[str, str | None]]) -> tuple[Tier, ...]:
    return tuple(Tier(label, Decimal(m) if m is not None else None) for label, m in values)


def test_tier_formula_agrees_with_tier_for(mini: Rubric) -> None:
    from dataclasses import replace

    cases = [
        mini,
        replace(mini, tiers=_tiers([("第一等次", "110"), ("第二等次", "90"), ("第三等次", "70"), ("不合格", None)])),
        replace(mini, tiers=_tiers([("好", "80"), ("中", "60")]), veto_tier="否决"),
        replace(mini, tiers=()),
    ]
    rng = random.Random(1)
    for rubric in cases:
        formula = rules.tier_formula(rubric, "T", "V")
        for total in [*(Decimal(x) for x in ("0", "59.99", "60", "89.99", "90", "109.99", "110", "130"))] + [
            Decimal(rng.randint(0, 13000)) / 100 for _ in range(50)
        ]:
            for vetoes in (0, 2):
                tier = rubric.tier_for(total, bool(vetoes))
                assert _tier_eval(formula, total, vetoes) == (tier.label if tier else ""), (rubric.tiers, total)
