"""Reading returned workbooks: the hostile corpus, and the reader's guards one by one."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import time
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.demo import fill
from zwgk_cli.engine import score_unit
from zwgk_cli.model import EVIDENCE_INPUT, YES, Rubric, Unit
from zwgk_cli.problems import Code, Severity
from zwgk_cli.results.document import STATUS_SCORED
from zwgk_cli.roster import load_roster
from zwgk_cli.scoring import batch
from zwgk_cli.scoring.unit import after_scoring
from zwgk_cli.workbook.cells import percent_styles, scan_cells
from zwgk_cli.workbook.guards import Package, Refused, sheet_extent
from zwgk_cli.workbook.read import Context, UnitPlan, read_findings, read_workbook, sniff
from zwgk_cli.workbook.write import build_workbook

CORPUS = Path(__file__).parent / "data" / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def corpus_rubric() -> Rubric:
    return rubric_mod.load(str(CORPUS / MANIFEST["rubric"]))


@pytest.fixture(scope="module")
def corpus_units() -> list[Unit]:
    roster = load_roster(CORPUS / MANIFEST["units"], CORPUS / MANIFEST["targets"])
    assert not roster.problems
    return roster.units


@pytest.fixture(scope="module")
def corpus_batch(corpus_rubric: Rubric, corpus_units: list[Unit]) -> Any:
    before = _hashes(CORPUS)
    found = batch.discover([CORPUS], CORPUS)
    refs, skipped = found.refs, found.skipped
    start = time.perf_counter()
    with batch.run(corpus_rubric, corpus_units, refs, jobs=1, skipped=skipped) as b:
        elapsed = time.perf_counter() - start
        yield {"batch": b, "elapsed": elapsed, "skipped": skipped, "refs": refs}
    assert _hashes(CORPUS) == before, "reading must never modify a returned workbook"


def test_corpus_is_big_enough_and_every_case_has_an_expectation() -> None:
    cases = MANIFEST["cases"]
    broken = [c for c in cases if c["status"] != STATUS_SCORED or any(e["code"] != "V012" for e in c["expect"])]
    assert len(cases) >= 30
    assert len(broken) >= 30
    assert all(c["expect"] or c.get("only") for c in cases)
    on_disk = {p.name for p in CORPUS.iterdir()} - {"manifest.json", "rubric.yaml", "units.csv", "websites.csv"}
    assert on_disk == {c["file"] for c in cases} | set(MANIFEST["skipped"])


@pytest.mark.parametrize("case", MANIFEST["cases"], ids=[c["file"] for c in MANIFEST["cases"]])
def test_corpus_case(case: dict[str, Any], corpus_batch: dict[str, Any]) -> None:
    b = corpus_batch["batch"]
    mine = [p for p in b.problems if p.file == case["file"]]
    for e in case["expect"]:
        hits = [
            p
            for p in mine
            if p.code == e["code"]
            and (not e.get("sheet") or p.sheet == e["sheet"])
            and (not e.get("cell") or p.cell == e["cell"])
        ]
        assert hits, f"{case['file']}: expected {e}, got {[(p.code, p.sheet, p.cell) for p in mine]}"
    if case.get("only"):
        assert {p.code for p in mine} == {e["code"] for e in case["expect"]}
    if case["unit"]:
        outcome = next(o for o in b.outcomes if o.unit.id == case["unit"])
        assert outcome.status == case["status"]
        assert case["file"] in outcome.files
    for p in mine:
        assert p.message and "{" not in p.message and "{" not in p.hint
        assert p.severity in (Severity.ERROR, Severity.WARNING)


def test_corpus_never_crashes_and_stays_bounded(corpus_batch: dict[str, Any]) -> None:
    b = corpus_batch["batch"]
    assert not [p for p in b.problems if p.code == Code.W_UNEXPECTED.code]
    assert len(b.files) == len(MANIFEST["cases"])  # every file read, none dropped
    assert corpus_batch["skipped"] == len(MANIFEST["skipped"])  # the lock file, quietly
    assert all(p.file for p in b.problems if p.code != Code.W_NO_WORKBOOK.code)
    assert corpus_batch["elapsed"] < 20


READ_EVERY_FILE = """
import resource, sys, tracemalloc
from pathlib import Path
from zwgk_cli import rubric as rubric_mod
from zwgk_cli.roster import load_roster
from zwgk_cli.workbook.read import Context, read_workbook
corpus = Path(sys.argv[1])
roster = load_roster(corpus / "units.csv", corpus / "websites.csv")
ctx = Context(rubric_mod.load(str(corpus / "rubric.yaml")), roster.units)
read_workbook(corpus / "good.xlsx", ctx)  # everything imported and warm
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
for path in sorted(corpus.iterdir()):
    if path.suffix in (".xlsx", ".xls", ".xlsm"):
        read_workbook(path, ctx)
peak = tracemalloc.get_traced_memory()[1]
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024, peak / 1024 / 1024)
"""


def test_reading_the_hostile_corpus_stays_small_in_memory() -> None:
    """160 MB bombs and a million-row sheet are never expanded: measured in a fresh process (the
    peak RSS of this one says nothing after heavier tests), both its whole growth (python-calamine
    allocates outside Python) and Python's own peak."""
    res = subprocess.run(
        [sys.executable, "-c", READ_EVERY_FILE, str(CORPUS)], capture_output=True, text=True, check=True
    )
    rss_mb, python_mb = map(float, res.stdout.split())
    assert rss_mb < 100, res.stdout
    assert python_mb < 64, res.stdout  # the biggest part the package guard inflates is 48 MB


def test_each_fatal_file_gets_exactly_one_problem(corpus_batch: dict[str, Any]) -> None:
    b = corpus_batch["batch"]
    by_file: dict[str, list[str]] = defaultdict(list)
    for p in b.problems:
        by_file[p.file].append(p.code)
    for case in MANIFEST["cases"]:
        if case.get("only") and case["status"] in (None, "invalid") and case["expect"][0]["code"] != "W014":
            assert len(by_file[case["file"]]) == 1, (case["file"], by_file[case["file"]])


def test_good_workbook_in_the_hostile_batch_is_scored_exactly(
    corpus_batch: dict[str, Any], corpus_rubric: Rubric, corpus_units: list[Unit]
) -> None:
    b = corpus_batch["batch"]
    for uid in ("G01", "G02"):
        unit = next(u for u in corpus_units if u.id == uid)
        outcome = next(o for o in b.outcomes if o.unit.id == uid)
        assert outcome.status == STATUS_SCORED
        values = fill.random_values(corpus_rubric, unit, seed="corpus")
        for k in list(values):
            if k.input == EVIDENCE_INPUT.id:
                values[k] = YES
        expected = score_unit(corpus_rubric, rubric_mod.resolve(corpus_rubric, unit), unit, values)
        assert expected.complete
        assert outcome.result is not None
        assert Decimal(str(outcome.result.total)) == expected.total


def test_regenerating_the_corpus_gives_the_committed_manifest(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", Path(__file__).parent / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    module.generate(tmp_path / "corpus")
    fresh = json.loads((tmp_path / "corpus" / "manifest.json").read_text(encoding="utf-8"))
    assert fresh == MANIFEST


# ------------------------------------------------------------------ the guards, one by one


@pytest.mark.parametrize(
    ("head", "found"),
    [
        (b"PK\x03\x04rest", None),
        (b"%PDF-1.4", "PDF 文档"),
        (b"<html><body>", "网页(HTML,常见于“导出为 Excel”的网页)"),
        (b"\xef\xbb\xbf<?xml version='1.0'?><Workbook>", "XML 文件(可能是 Excel 2003 XML 表格)"),
        ("单位,得分\n".encode(), "文本(如 CSV)"),
        (b"PK\x05\x06" + b"\x00" * 18, "空的压缩包"),
        (b"\x89PNG\r\n", "图片"),
    ],
)
def test_sniff_names_what_a_file_really_is(head: bytes, found: str | None) -> None:
    assert sniff(head) == found


def test_sheet_extent_finds_far_cells_cheaply() -> None:
    assert sheet_extent(b'<row r="3"><c r="B3"/></row>') == (0, 26)
    assert sheet_extent(b'<row r="1048576"><c r="A1048576" t="s"><v>0</v></c></row>')[0] == 1048576
    assert sheet_extent(b'<c r="XFD7"><v>1</v></c>')[1] == 16384
    many_rows = b"<row/>" * 30_000
    assert sheet_extent(many_rows)[0] == 30_000


def test_scan_cells_reports_formulas_errors_and_styles() -> None:
    xml = (
        b'<sheetData><row r="4"><c r="F4" s="3"><f>1+2</f><v>3</v></c><c r="G4"><f>F4*2</f><v>6</v></c></row>'
        b'<row r="5"><c r="F5" t="e"><v>#DIV/0!</v></c></row><row r="6"><c r="F6" s="9"><v>0.5</v></c></row>'
        b'<row r="7"><c r="F7" s="1"><f t="shared" si="0"/><v>1</v></c></row></sheetData>'
    )
    wanted = {ref: (int(ref[1:]) - 1, 5) for ref in ("F4", "F5", "F6", "F7", "F8")}
    info = scan_cells(xml, wanted)
    assert info["F4"].formula == "1+2" and info["F4"].style == 3
    assert info["F5"].error == "#DIV/0!" and info["F5"].formula is None
    assert info["F6"].formula is None and info["F6"].style == 9
    assert info["F7"].formula == ""
    assert "F8" not in info and "G4" not in info
    odd = xml.replace(b'<c r="F6" s="9">', b'<x:c s="9" r="F6">').replace(
        b'</v></c></row><row r="7"', b'</v></x:c></row><row r="7"'
    )
    assert scan_cells(odd, {"F6": (5, 5), "F8": (7, 5)}) == {"F6": info["F6"]}  # found through the index of every cell


def test_percent_styles() -> None:
    styles = (
        b'<styleSheet><numFmts><numFmt numFmtId="164" formatCode="0.0%"/>'
        b'<numFmt numFmtId="165" formatCode="&quot;%&quot;0"/></numFmts>'
        b'<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="9"/><xf numFmtId="164"/><xf numFmtId="165"/>'
        b"</cellXfs></styleSheet>"
    )
    assert percent_styles(styles) == {1, 2}


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_package_refuses_a_part_that_lies_about_its_size() -> None:
    data = bytearray(_zip({"xl/a.xml": b"<a>" + b" " * 100_000 + b"</a>"}))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/a.xml")
    # claim 10 bytes in both headers
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    data[info.header_offset + 22 : info.header_offset + 26] = (10).to_bytes(4, "little")
    pkg = Package(bytes(data))
    with pytest.raises(Refused) as refused:
        pkg.part("xl/a.xml")
    assert refused.value.code is Code.W_SIZE_FORGED


def test_package_refuses_doctype_and_reads_clean_parts() -> None:
    pkg = Package(_zip({"xl/ok.xml": b"<a/>", "xl/bad.xml": b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'}))
    assert pkg.part("xl/ok.xml") == b"<a/>"
    with pytest.raises(Refused) as refused:
        pkg.part("xl/bad.xml")
    assert refused.value.code is Code.W_XML_ENTITY


def test_a_workbook_is_identified_by_its_hidden_sheet_not_its_name(
    tmp_path: Path, corpus_rubric: Rubric, corpus_units: list[Unit]
) -> None:
    unit = next(u for u in corpus_units if u.id == "G02")
    data, _ = build_workbook(corpus_rubric, unit, None, fill.random_values(corpus_rubric, unit, seed=3))
    path = tmp_path / "单位G01-别人的名字.xlsx"
    path.write_bytes(data)
    read = read_workbook(path, Context(corpus_rubric, corpus_units))
    assert read.usable and read.unit_id == "G02"


def test_findings_table_problems_are_located_by_row(
    tmp_path: Path, corpus_rubric: Rubric, corpus_units: list[Unit]
) -> None:
    table = tmp_path / "findings.csv"
    table.write_text(
        "unit,target,indicator,criterion,input,value\n"
        "G02,,a1,a1,blank,3处\n"
        "无此单位,,a1,a1,blank,1\n"
        "G02,,a1,a1,blank,2\n"
        "G02,,a1,zz,blank,1\n"
        "G02,G02W1,w1,w1,stale,abc\n"
        "G02,,,a1,nope,1\n"
        "G02,,b,a1,none,是\n",
        encoding="utf-8",
    )
    reads, loose = read_findings(table, Context(corpus_rubric, corpus_units), "findings.csv")
    assert [r.unit_id for r in reads] == ["G02"]
    problems = reads[0].problems + loose
    got = {(p.code, p.line) for p in problems}
    assert (Code.V_NORMALISED.code, 2) in got
    assert (Code.W_INPUTS_ROW.code, 3) in got  # unknown unit
    assert (Code.W_INPUTS_DUP.code, 4) in got  # the same input twice: neither row is used
    assert (Code.W_INPUTS_ROW.code, 5) in got  # unknown criterion
    assert (Code.V_NOT_NUMBER.code, 6) in got
    assert (Code.W_INPUTS_ROW.code, 7) in got  # unknown input
    assert (Code.W_INPUTS_ROW.code, 8) in got  # indicator does not match the criterion
    assert reads[0].values[next(k for k in reads[0].values if k.criterion == "a1" and k.input == "blank")] is None
    assert any(p.code == Code.V_EMPTY.code and p.line is None for p in problems)  # inputs never given


def test_findings_table_file_problems(tmp_path: Path, corpus_rubric: Rubric, corpus_units: list[Unit]) -> None:
    ctx = Context(corpus_rubric, corpus_units)
    bad = tmp_path / "bad.csv"
    bad.write_bytes("单位,值\n".encode("gbk"))
    assert read_findings(bad, ctx)[1][0].code == Code.W_INPUTS_FILE.code
    bad.write_text("unit,value\nG01,1\n", encoding="utf-8")
    assert "criterion" in read_findings(bad, ctx)[1][0].message


@pytest.mark.parametrize("rubric_id", ["jingzhou-2021", "mianyang-2022"])
def test_shared_resolution_equals_resolving_each_unit(rubric_id: str) -> None:
    """Units of the same group and attributes share a resolved variant, unless the variant
    has per-unit criteria (荆州 市直部门 重点领域): then every unit gets its own."""
    from conftest import load_sample

    rubric, units = load_sample(rubric_id)
    ctx = Context(rubric, units)
    for unit in units:
        plan = ctx.plan(unit.id)
        assert not isinstance(plan, list)
        assert plan.variant == rubric_mod.resolve(rubric, unit), unit.name


def test_a_formula_in_a_note_is_reported_once_and_not_read(corpus_batch: dict[str, Any]) -> None:
    case = next(c for c in MANIFEST["cases"] if c["file"] == "note_formula.xlsx")
    where = (case["expect"][0]["sheet"], case["expect"][0]["cell"])
    problems = [
        p for p in corpus_batch["batch"].problems if p.file == "note_formula.xlsx" and (p.sheet, p.cell) == where
    ]
    assert [p.code for p in problems] == ["V018"]  # not also V013 (no 扣分说明): V018 already says what to do
    assert "CONCATENATE" in problems[0].message


def test_a_workbook_issued_for_another_variant_is_one_located_problem(tmp_path: Path) -> None:
    """A county's workbook, but the roster now puts the unit among the departments (W032)."""
    rubric = rubric_mod.load("jingzhou-2021")
    issued = Unit("J01", "某县", "县市区")
    now = Unit("J01", "某县", "市直部门")
    data, _ = build_workbook(rubric, issued, None, fill.random_values(rubric, issued, seed=5))
    path = tmp_path / "某县.xlsx"
    path.write_bytes(data)
    read = read_workbook(path, Context(rubric, [now]))
    assert not read.usable
    assert [(p.code, p.unit) for p in read.problems] == [("W032", "某县")]
    assert "county" in read.problems[0].message and "dept" in read.problems[0].message


def test_an_id_moved_up_or_left_past_its_input_is_one_problem(
    tmp_path: Path, corpus_rubric: Rubric, corpus_units: list[Unit]
) -> None:
    """An input's id pasted far to the left in its row: following it would put the input left
    of column A.  That used to loop for ever (one such workbook stalled the whole batch)."""
    import signal

    import openpyxl
    from openpyxl.cell.cell import MergedCell

    from zwgk_cli.workbook import layout

    wb = openpyxl.load_workbook(CORPUS / "good.xlsx")
    lay = layout.read_layout([list(r) for r in wb[layout.META_SHEET].iter_rows(values_only=True)])

    def far_left(m: layout.MapRow) -> Any:
        """A cell of the id's row so far left that the input, moved alike, is off the sheet."""
        (row, id_col), (_, col) = layout.parse_a1(m.id_cell), layout.parse_a1(m.cell)
        for c in range(id_col - col):
            cell = wb[m.sheet].cell(row + 1, c + 1)
            if not isinstance(cell, MergedCell):
                return cell
        return None

    m = next(m for m in lay.inputs if m.id_cell and far_left(m) is not None)
    far_left(m).value, wb[m.sheet][m.id_cell].value = wb[m.sheet][m.id_cell].value, None
    path = tmp_path / "moved.xlsx"
    wb.save(path)

    def stalled(*_: object) -> None:
        raise TimeoutError("reading the workbook did not finish")

    signal.signal(signal.SIGALRM, stalled)
    signal.alarm(30)
    try:
        read = read_workbook(path, Context(corpus_rubric, corpus_units), "moved.xlsx")
    finally:
        signal.alarm(0)
    found = [p for p in read.problems if p.code == "W017" and p.cell == m.id_cell.upper()]
    assert read.usable and len(found) == 1
    assert "不在表内" in found[0].message


def test_reading_one_file_is_stopped_in_bounded_time(
    tmp_path: Path, corpus_rubric: Rubric, corpus_units: list[Unit], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a file holds, a reader that never finishes gets one located problem (W035)."""
    from zwgk_cli.workbook import read as readback

    def forever(self: Any) -> None:
        while True:
            pass

    monkeypatch.setattr(readback, "MAX_READ_SECONDS", 0.2)
    monkeypatch.setattr(readback._Reader, "run", forever)
    start = time.perf_counter()
    read = read_workbook(CORPUS / "good.xlsx", Context(corpus_rubric, corpus_units), "good.xlsx")
    assert time.perf_counter() - start < 5
    assert not read.usable and [(p.code, p.file) for p in read.problems] == [("W035", "good.xlsx")]
    assert "0.2秒" in read.problems[0].message


def test_a_findings_table_bounds_numbers_and_cleans_text(
    tmp_path: Path, corpus_rubric: Rubric, corpus_units: list[Unit]
) -> None:
    """``--inputs`` reads values as workbooks do: 1E+26 or 5,001 digits is one located problem
    (it used to reach the engine and end the batch in a traceback), and control characters are
    taken out of notes and values with a warning on their row."""
    table = tmp_path / "findings.csv"
    table.write_text(
        "unit,target,indicator,criterion,input,value,note\n"
        f"G02,,x1,x1,national,{'1' + '0' * 26},\n"
        f"G02,,b1,b1,fans,{'9' * 5001},\n"
        "G02,,a1,a1,blank,2,空白栏目\x0b政务动态\x01\n",
        encoding="utf-8",
    )
    reads, loose = read_findings(table, Context(corpus_rubric, corpus_units), "findings.csv")
    problems = reads[0].problems + loose
    got = {(p.code, p.line) for p in problems}
    assert {(Code.V_ABSURD.code, 2), (Code.V_ABSURD.code, 3), (Code.V_CONTROL_CHARS.code, 4)} <= got
    values = {k.input: v for k, v in reads[0].values.items()}
    assert values["national"] is None and values["fans"] is None and values["blank"] == Decimal(2)
    assert list(reads[0].notes.values()) == ["空白栏目\n政务动态"]
    unit = next(u for u in corpus_units if u.id == "G02")
    score_unit(corpus_rubric, rubric_mod.resolve(corpus_rubric, unit), unit, reads[0].values)  # does not raise


def test_a_findings_table_gives_a_criterion_note_once(
    tmp_path: Path, corpus_rubric: Rubric, corpus_units: list[Unit]
) -> None:
    """A criterion's 扣分说明 is shared by its inputs: the same note on each input's row is said
    once (as a workbook's one note cell is), other notes are joined."""
    table = tmp_path / "findings.csv"
    table.write_text(
        "unit,target,indicator,criterion,input,value,note\n"
        "G02,,a2,a2,fix,1,未及时整改\n"
        "G02,,a2,a2,apps,1,未及时整改\n"
        "G02,,a2,a2,lost,1,链接失效\n"
        "G02,,a2,a2,suits,0,链接失效\n",
        encoding="utf-8",
    )
    reads, _ = read_findings(table, Context(corpus_rubric, corpus_units), "findings.csv")
    assert reads[0].notes[("", "a2")] == "未及时整改；链接失效"


def test_an_empty_far_row_is_not_an_oversized_sheet() -> None:
    """LibreOffice writes an empty ``<row r="1048576">`` (formats only) once a row was deleted."""
    empty = b'<row r="1048576" s="0" customFormat="false" ht="12.8" hidden="false"></row>'
    styled = b'<row r="1048576"><c r="A1048576" s="3"/><c r="F1048576" s="3"></c><c r="XFD1048576" s="1"/></row>'
    assert sheet_extent(b'<row r="4"><c r="F4"><v>1</v></c></row>' + empty + styled) == (4, 26)  # the real cells
    assert sheet_extent(b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t></t></is></c></row>')[0] == 1048576
    assert sheet_extent(b'<row r="1048576"><x:c r="B1048576"><x:v>1</x:v></x:c></row>')[0] == 1048576
    assert sheet_extent(b'<row r="1048576"><c r="B1048576">')[0] == 1048576  # cut off: counted


@pytest.mark.parametrize(
    ("title", "info", "other"),
    [
        ("单位甲 — 第一部分(10分)", "被考评单位:单位甲(县区);只在浅黄色单元格填写", None),
        ("单位乙 — 第一部分(10分)", "被考评单位:单位乙(县区);只在浅黄色单元格填写", "单位乙"),
        ("", "被考评单位:单位乙(更名后)(县区);只在浅黄色单元格填写", "单位乙(更名后)"),
        ("单位乙 — 网站:乙网站", "", "单位乙"),
        ("", "", None),  # cleared: nothing to go by
        ("第一部分", "随便写的说明", None),
        ("单位甲 — 第一部分", "被考评单位:单位乙(县区)", None),  # either row naming this unit will do
    ],
)
def test_a_scoring_sheet_names_its_unit_in_its_title_rows(title: str, info: str, other: str | None) -> None:
    from zwgk_cli.workbook.layout import sheet_names_other_unit

    assert sheet_names_other_unit(title, info, "单位甲") == other


def test_a_sheet_from_another_unit_is_named_by_both_units(corpus_batch: dict[str, Any]) -> None:
    found = [p for p in corpus_batch["batch"].problems if p.file == "sheet_from_other_unit.xlsx"]
    assert [p.code for p in found] == ["W036"]
    assert "单位C55" in found[0].message and "单位C54" in found[0].message
    from zwgk_cli.workbook.inspect import inspect_file

    shown = inspect_file(CORPUS / "sheet_from_other_unit.xlsx")["problems"]
    assert [(p["code"], p["sheet"], p["cell"]) for p in shown] == [("W036", found[0].sheet, "A1")]


def test_a_file_name_that_is_not_utf8_is_read_and_reported_readably(
    tmp_path: Path, corpus_rubric: Rubric, corpus_units: list[Unit]
) -> None:
    """A zip made on Chinese Windows unpacks on Linux with GBK names: Python sees surrogate
    escapes.  The file is read, and its problems print, JSON-encode and go into documents."""
    import os

    folder = os.fsencode(tmp_path)
    good = folder + b"/" + "单位G01评分表.xlsx".encode("gbk")
    bad = folder + b"/" + "坏文件.xlsx".encode("gbk")
    with open(good, "wb") as fh:
        fh.write((CORPUS / "good.xlsx").read_bytes())
    with open(bad, "wb") as fh:
        fh.write(b"\x00not a zip")
    ctx = Context(corpus_rubric, corpus_units)
    read = read_workbook(Path(os.fsdecode(good)), ctx)
    assert read.usable and read.unit_id == "G01"
    broken = read_workbook(Path(os.fsdecode(bad)), ctx)
    assert [p.code for p in broken.problems] == ["W003"]
    p = broken.problems[0]
    assert p.file.endswith("/坏文件.xlsx")
    json.dumps(p.to_dict(), ensure_ascii=False).encode("utf-8")
    print(p.where, p.message)


def test_prefilled_notes_are_read_back_as_the_assessor_s(
    tmp_path: Path, corpus_rubric: Rubric, corpus_units: list[Unit]
) -> None:
    """``build_workbook(notes=…)`` fills 扣分说明 cells: the reader finds each note where it was put,
    and a deduction with its note gets no "没有填写扣分说明" warning (one without still does)."""
    unit = next(u for u in corpus_units if u.id == "G02")
    values = fill.random_values(corpus_rubric, unit, seed=3)
    keys = sorted({(k.target, k.criterion) for k in values})
    notes = {k: f"抽查发现问题{n}处" for n, k in enumerate(keys[::2], start=1)}
    data, _ = build_workbook(corpus_rubric, unit, None, values, notes=notes)
    path = tmp_path / "G02.xlsx"
    path.write_bytes(data)
    ctx = Context(corpus_rubric, corpus_units)
    read = read_workbook(path, ctx)
    assert read.usable and read.notes == notes
    plan = ctx.plan(unit.id)
    assert isinstance(plan, UnitPlan)
    us = score_unit(corpus_rubric, plan.variant, unit, read.values)
    unnoted = {(p.sheet, p.cell) for p in after_scoring(read, plan, us) if p.code == Code.V_NO_NOTE.code}
    noted = {(read.note_sources[k].sheet, read.note_sources[k].cell) for k in notes}
    assert unnoted and not unnoted & noted


@pytest.mark.parametrize("tag", ["#meta", "#target", "#sheet"])
def test_a_hidden_header_that_lost_its_key_column_is_never_a_crash(
    tmp_path: Path, corpus_rubric: Rubric, corpus_units: list[Unit], tag: str
) -> None:
    """A hand-edited hidden sheet whose ``#meta``/``#target``/``#sheet`` header row lost its first
    column name (once a KeyError, W031): without the ``#meta`` keys the workbook is one W011 that
    names what is missing (the rubric id, the targets' ids); the sheet list is not needed to read
    the inputs."""
    import openpyxl

    from zwgk_cli.workbook import layout

    ctx = Context(corpus_rubric, corpus_units)
    wb = openpyxl.load_workbook(CORPUS / "good.xlsx")
    header = next(row for row in wb[layout.META_SHEET].iter_rows() if row[0].value == tag)
    header[1].value = "被改掉的列名"
    path = tmp_path / "damaged.xlsx"
    wb.save(path)
    read = read_workbook(path, ctx)
    if tag in ("#meta", "#target"):
        assert not read.usable
        assert [p.code for p in read.problems] == [Code.W_BAD_META.code]
        assert ("rubric_id" if tag == "#meta" else "对象记录缺少“id”") in read.problems[0].message
    else:
        good = read_workbook(CORPUS / "good.xlsx", ctx)
        assert read.usable and read.values == good.values
        assert [p.code for p in read.problems] == [p.code for p in good.problems]
