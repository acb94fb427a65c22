"""CLI: ``zwgk new``, ``zwgk init-sheets``, ``zwgk inspect`` (typer's CliRunner)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import load_sample
from typer.testing import CliRunner

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.cli import app
from zwgk_cli.cli.new_cmd import SAMPLES
from zwgk_cli.demo import fill
from zwgk_cli.model import Unit
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook import write as sheets
from zwgk_cli.workbook.issue import write_workbooks

DATA = Path(__file__).parent / "data"
runner = CliRunner()


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_new_from_a_sample_writes_a_commented_campaign(tmp_path: Path, sample: str) -> None:
    folder = tmp_path / "考评"
    res = runner.invoke(app, ["new", str(folder), "--sample", sample])
    assert res.exit_code == 0, res.output
    text = (folder / "zwgk.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    flat = {k: v for section in data.values() for k, v in section.items()}
    for key in ("rubric", "units", "targets", "year", "name", "office", "contact", "materials_deadline"):
        assert key in flat
    for key in ("return_deadline", "notice_number", "notice_date", "recipients", "rectify_deadline", "group_order"):
        assert flat[key], key
    assert flat["rubric"] == sample and (folder / flat["units"]).is_file()
    assert text.count("\n# ") >= 15, "every setting carries a Chinese comment"
    if sample == "mianyang-2022":
        assert flat["materials_deadline"] == "2022-11-25" and flat["targets"] == "websites.csv"
        assert (folder / "websites.csv").is_file()
    else:
        assert flat["office"] == "荆州市政务公开领导小组办公室"
        assert flat["group_order"] == ["县市区", "功能区", "市直部门"]
        assert flat["materials_deadline"] == "2022-01-10"
    # a second run refuses, --force overwrites
    again = runner.invoke(app, ["new", str(folder), "--sample", sample])
    assert again.exit_code == 1 and "S003" in again.output
    assert runner.invoke(app, ["new", str(folder), "--sample", sample, "--force"]).exit_code == 0


def test_new_with_own_rubric_and_roster(tmp_path: Path) -> None:
    roster = tmp_path / "名单.csv"
    roster.write_text("编号,单位名称,分组,督促指导任务\nU1,甲县,县区,否\nU2,乙局,部门,是\n", encoding="utf-8")
    sites = tmp_path / "网站.csv"
    sites.write_text(
        "编号,名称,类型,所属单位\nW1,甲县政府网,website,甲县\nW2,乙局网站,website,乙局\n", encoding="utf-8"
    )
    folder = tmp_path / "c"
    res = runner.invoke(
        app, ["new", str(folder), "--rubric", str(DATA / "mini.yaml"), "--roster", str(roster), "--targets", str(sites)]
    )
    assert res.exit_code == 0, res.output
    data = tomllib.loads((folder / "zwgk.toml").read_text(encoding="utf-8"))
    assert data["campaign"]["rubric"] == "mini.yaml" and (folder / "mini.yaml").is_file()
    assert data["paths"]["units"] == "名单.csv" and data["paths"]["targets"] == "网站.csv"
    assert data["notice"]["group_order"] == ["县区", "部门"]
    res = runner.invoke(app, ["init-sheets", "--campaign", str(folder)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (folder / "sheets").iterdir()) == ["乙局.xlsx", "甲县.xlsx"]


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--sample", "nowhere-2020"],
        ["--sample", "mianyang-2022", "--rubric", "x.yaml"],
        ["--rubric", "mini"],
    ],
)
def test_new_refuses_bad_usage(tmp_path: Path, args: list[str]) -> None:
    res = runner.invoke(app, ["new", str(tmp_path / "c"), *args])
    assert res.exit_code == 2
    assert not (tmp_path / "c" / "zwgk.toml").exists()


@pytest.fixture
def campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "绵阳2022"
    assert runner.invoke(app, ["new", str(folder), "--sample", "mianyang-2022"]).exit_code == 0
    monkeypatch.chdir(folder)
    return folder


def test_init_sheets_in_a_campaign_folder_then_refuses_then_forces(campaign: Path) -> None:
    res = runner.invoke(app, ["init-sheets", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert len(out["workbooks"]) == 49 and not out["problems"]
    files = sorted((campaign / "sheets").glob("*.xlsx"))
    assert len(files) == 49 and (campaign / "sheets" / "市人力资源社会保障局.xlsx") in files
    assert not list((campaign / "sheets").glob(".*")), "no temporary files left behind"
    before = {f.name: f.read_bytes() for f in files}
    again = runner.invoke(app, ["init-sheets"])  # issued workbooks are left alone (tests/test_init_midway.py)
    assert again.exit_code == 0 and "已发放 49 份(未改动)" in again.output and "--force" in again.output
    refused = runner.invoke(app, ["init-sheets", "--units", "涪城区"])
    assert refused.exit_code == 1
    assert "S001" in refused.output and "涪城区.xlsx" in refused.output and "--force" in refused.output
    forced = runner.invoke(app, ["init-sheets", "--force", "--jobs", "1"])
    assert forced.exit_code == 0, forced.output
    after = {f.name: f.read_bytes() for f in sorted((campaign / "sheets").glob("*.xlsx"))}
    assert after == before, "the same inputs give byte-identical workbooks, serial or in a pool"


def test_init_sheets_selected_units_out_dir_and_password(campaign: Path) -> None:
    res = runner.invoke(
        app, ["init-sheets", "--units", "涪城区", "--units", "MY20、市教体局", "--out", "选中", "--password", "pw"]
    )
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in (campaign / "选中").iterdir())
    assert names == sorted(["涪城区.xlsx", "市人力资源社会保障局.xlsx", "市教体局.xlsx"])
    import openpyxl

    wb = openpyxl.load_workbook(campaign / "选中" / "涪城区.xlsx")
    assert all(ws.protection.password for ws in wb.worksheets)


def test_init_sheets_refuses_unknown_units_and_bad_rubrics(campaign: Path) -> None:
    res = runner.invoke(app, ["init-sheets", "--units", "涪城区、不存在的局"])
    assert res.exit_code == 2 and "不存在的局" in res.output
    assert not (campaign / "sheets").exists()
    res = runner.invoke(app, ["init-sheets", "--rubric", str(campaign / "nope.yaml")])
    assert res.exit_code == 2 and "R002" in res.output
    res = runner.invoke(app, ["init-sheets", "--roster", str(campaign / "nope.csv")])
    assert res.exit_code == 2 and "名单文件不存在" in res.output


def test_init_sheets_outside_a_campaign_needs_a_roster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["init-sheets", "--rubric", "mianyang-2022"])
    assert res.exit_code == 2 and "单位名单" in res.output


def test_init_sheets_names_files_after_units_safely(tmp_path: Path) -> None:
    roster = tmp_path / "units.csv"
    roster.write_text(
        "编号,单位名称,分组,督促指导任务\nA,荆州市/沙市区:试点*?,县区,否\nB,荆州市_沙市区_试点__,部门,是\nC,市发展和改革委员会,部门,否\n",
        encoding="utf-8",
    )
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "编号,名称,类型,所属单位\nW1,主站,website,A\nW2,分站[一],website,A\nW3,部门站,website,B\nW4,发改委网站,website,C\n",
        encoding="utf-8",
    )
    out = tmp_path / "输出"
    args = ["--rubric", str(DATA / "mini.yaml"), "--roster", str(roster), "--targets", str(sites), "--out", str(out)]
    res = runner.invoke(app, ["init-sheets", *args])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["荆州市_沙市区_试点__.xlsx", "荆州市_沙市区_试点___B.xlsx", "市发展和改革委员会.xlsx"])
    res = runner.invoke(app, ["inspect", str(out / "荆州市_沙市区_试点__.xlsx"), "--json"])
    rep = json.loads(res.stdout)[0]
    assert rep["unit"]["name"] == "荆州市/沙市区:试点*?"
    assert [s["name"] for s in rep["sheets"] if s["role"] == "target"] == ["主站", "分站［一］"]


def test_init_sheets_skips_units_with_roster_errors(tmp_path: Path) -> None:
    roster = tmp_path / "units.csv"
    roster.write_text("编号,单位名称,分组\nA,甲县,县区\nB,乙局,部门\n", encoding="utf-8")
    sites = tmp_path / "sites.csv"
    sites.write_text("编号,名称,类型,所属单位\nW1,甲县网,website,甲县\n", encoding="utf-8")
    out = tmp_path / "o"
    res = runner.invoke(
        app,
        ["init-sheets", "--rubric", str(DATA / "mini.yaml"), "--roster", str(roster), "--targets", str(sites),
         "--out", str(out), "--json"],
    )  # fmt: skip
    assert res.exit_code == 1
    rep = json.loads(res.stdout)
    assert [w["unit"] for w in rep["workbooks"]] == ["甲县"]
    codes = {p["code"] for p in rep["problems"]}
    assert {"L008", "S002"} <= codes


def test_inspect_says_what_a_workbook_is_and_how_far_it_is_filled(tmp_path: Path) -> None:
    rubric, units = load_sample("mianyang-2022")
    unit = next(u for u in units if u.name == "市人力资源社会保障局")
    data, lay = sheets.build_workbook(rubric, unit, sheets.CampaignInfo(year=2022, name="绵阳市2022年考核"))
    blank = tmp_path / "人社局.xlsx"
    blank.write_bytes(data)
    values = fill.random_values(rubric, unit, seed=1, fill=0.5)
    optional = next(m for m in lay.inputs if not m.required)
    values[optional.key] = "某政务新媒体账号"
    filled = tmp_path / "人社局-已填.xlsx"
    fill.fill_workbook(blank, filled, values)

    res = runner.invoke(app, ["inspect", str(blank), str(filled)])
    assert res.exit_code == 0, res.output
    assert "mianyang-2022" in res.output and rubric.hash in res.output and "市人力资源社会保障局" in res.output
    assert "与内置细则一致" in res.output and "绵阳市社会保险事务中心" in res.output
    required = [m for m in lay.inputs if m.required]
    assert 0 < len(required) < len(lay.inputs), "绵阳's 涉及账号 text inputs are optional"
    assert str(len(required)) in res.output

    res = runner.invoke(app, ["inspect", str(filled), "--json"])
    assert res.exit_code == 0
    (rep,) = json.loads(res.stdout)
    assert rep["ok"] and rep["rubric"]["id"] == "mianyang-2022" and rep["rubric"]["hash"] == rubric.hash
    assert rep["unit"] == {"id": unit.id, "name": unit.name, "group": unit.group}
    assert [t["id"] for t in rep["targets"]] == [t.id for t in unit.targets]
    # progress counts required inputs only: the optional text inputs are not 应填
    assert rep["inputs"] == len(required) and rep["optional"] == len(lay.inputs) - len(required)
    assert rep["filled"] == sum(1 for m in required if values.get(m.key) is not None)
    assert rep["filled"] < len(values), "an optional input is filled too, and not counted"
    assert len(rep["map"]) == len(lay.inputs)
    for entry, m in zip(rep["map"], lay.inputs, strict=True):
        assert set(entry) >= {"sheet", "cell", "target", "indicator", "criterion", "input", "kind", "value"}
        assert (entry["sheet"], entry["cell"], entry["criterion"], entry["input"]) == (
            m.sheet,
            m.cell,
            m.criterion,
            m.input,
        )
        want = values.get(m.key)
        if want is None:
            assert entry["value"] is None
        elif isinstance(want, str):
            assert entry["value"] == want
        else:
            assert str(entry["value"]) == str(want) or float(entry["value"]) == float(want)
        assert entry["id_ok"] and entry["required"] == m.required
    assert sum(s["filled"] for s in rep["sheets"]) == rep["filled"]
    assert sum(s["inputs"] for s in rep["sheets"]) == rep["inputs"]


def test_inspect_refuses_non_zwgk_and_broken_files_in_chinese(tmp_path: Path) -> None:
    import openpyxl

    text = tmp_path / "说明.xlsx"
    text.write_text("这不是工作簿", encoding="utf-8")
    plain = tmp_path / "普通表.xlsx"
    openpyxl.Workbook().save(plain)
    broken = tmp_path / "损坏.xlsx"
    data, _ = sheets.build_workbook(rubric_mod.load(str(DATA / "mini.yaml")), Unit("U", "甲", "县区"))
    broken.write_bytes(data[: len(data) // 2])
    empty = tmp_path / "空.xlsx"
    empty.write_bytes(b"")
    res = runner.invoke(app, ["inspect", str(text), str(plain), str(broken), str(empty), str(tmp_path / "无.xlsx")])
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    for code in ("W003", "W010", "W004", "W002", "W001"):
        assert code in res.output
    assert "不是 zwgk 生成的评分表" in res.output and "文件不存在" in res.output
    res = runner.invoke(app, ["inspect", str(plain), "--json"])
    assert res.exit_code == 1
    (rep,) = json.loads(res.stdout)
    assert rep["ok"] is False and rep["problem"]["code"] == "W010"


def test_inspect_flags_moved_rows(tmp_path: Path) -> None:
    import openpyxl

    rubric = rubric_mod.load(str(DATA / "mini.yaml"))
    data, lay = sheets.build_workbook(rubric, Unit("U", "甲", "县区"))
    path = tmp_path / "甲.xlsx"
    path.write_bytes(data)
    wb = openpyxl.load_workbook(path)
    first = lay.inputs[0]
    wb[first.sheet].insert_rows(L.parse_a1(first.cell)[0] + 1)
    wb.save(path)
    res = runner.invoke(app, ["inspect", str(path), "--json"])
    (rep,) = json.loads(res.stdout)
    assert rep["moved"] > 0 and not rep["map"][0]["id_ok"]
    assert res.exit_code == 0 and rep["problems"] == []
    # a deleted sheet: the identity still reads, its inputs are reported missing
    wb = openpyxl.load_workbook(path)
    del wb[first.sheet]
    wb.save(path)
    res = runner.invoke(app, ["inspect", str(path), "--json"])
    assert res.exit_code == 1
    (rep,) = json.loads(res.stdout)
    assert rep["ok"] and [p["code"] for p in rep["problems"]] == ["W016"]
    assert all(e["value"] is None and not e["id_ok"] for e in rep["map"] if e["sheet"] == first.sheet)
    res = runner.invoke(app, ["inspect", str(path)])
    assert res.exit_code == 1 and "W016" in res.output and "Traceback" not in res.output


CORPUS = DATA / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
# what the guards refuse, the file or one sheet, whatever roster it is read against
GUARDED = {
    "W002",
    "W003",
    "W004",
    "W005",
    "W006",
    "W007",
    "W008",
    "W009",
    "W010",
    "W011",
    "W018",
    "W021",
    "W022",
    "W033",
}


@pytest.mark.parametrize(
    "case",
    [c for c in MANIFEST["cases"] if c["expect"] and c["expect"][0]["code"] in GUARDED],
    ids=lambda c: c["file"],
)
def test_inspect_reads_through_the_guards_of_score(case: dict[str, Any]) -> None:
    """``zwgk inspect`` opens a workbook as ``zwgk score`` does: a hostile file gets at once the
    problem score gives it, located alike (a sheet claiming a million rows used to take inspect
    10 s and 1.2 GB)."""
    import time

    from zwgk_cli.problems import Severity
    from zwgk_cli.roster import load_roster
    from zwgk_cli.workbook.inspect import inspect_file
    from zwgk_cli.workbook.read import Context, read_workbook

    path = CORPUS / case["file"]
    start = time.perf_counter()
    rep = inspect_file(path)
    assert time.perf_counter() - start < 1
    found = rep["problems"] if rep["ok"] else [rep["problem"]]
    where = {(p["code"], p["sheet"], p["cell"]) for p in found}
    expect = case["expect"][0]
    assert any(c == expect["code"] and s == expect.get("sheet", s) for c, s, _ in where), where
    roster = load_roster(CORPUS / MANIFEST["units"], CORPUS / MANIFEST["targets"])
    ctx = Context(rubric_mod.load(str(CORPUS / MANIFEST["rubric"])), roster.units)
    scored = read_workbook(path, ctx, str(path))
    errors = {(p.code, p.sheet, p.cell) for p in scored.problems if p.severity is Severity.ERROR}
    assert where <= errors
    assert rep["ok"] is scored.usable


INSPECT_BIG_SHEETS = """
import resource, sys
from pathlib import Path
from zwgk_cli.workbook.inspect import inspect_file
corpus = Path(sys.argv[1])
inspect_file(corpus / "good.xlsx")  # everything imported and warm
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for name in ("million_rows.xlsx", "wide_sheet.xlsx", "zip_bomb.xlsx"):
    inspect_file(corpus / name)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
"""


def test_inspect_of_huge_sheets_stays_small_in_memory() -> None:
    """Measured in a fresh process: wide_sheet.xlsx alone used to take inspect ~2 GB."""
    import subprocess
    import sys

    res = subprocess.run(
        [sys.executable, "-c", INSPECT_BIG_SHEETS, str(CORPUS)], capture_output=True, text=True, check=True
    )
    assert float(res.stdout) < 100, res.stdout


def test_write_workbooks_is_the_same_in_a_pool(tmp_path: Path) -> None:
    rubric = rubric_mod.load(str(DATA / "mini.yaml"))
    units = [Unit(f"U{i}", f"单位{i}", "县区" if i % 2 else "部门") for i in range(6)]
    info = sheets.CampaignInfo(year=2024)
    serial = write_workbooks(rubric, [(u, tmp_path / "a" / f"{u.id}.xlsx") for u in units], info, processes=1)
    pooled = write_workbooks(rubric, [(u, tmp_path / "b" / f"{u.id}.xlsx") for u in units], info, processes=2)
    assert [w.unit for w in serial] == [w.unit for w in pooled] == [u.id for u in units]
    for u in units:
        assert (tmp_path / "a" / f"{u.id}.xlsx").read_bytes() == (tmp_path / "b" / f"{u.id}.xlsx").read_bytes()


def test_help_texts_are_chinese_with_examples() -> None:
    for cmd in ("new", "init-sheets", "inspect"):
        res = runner.invoke(app, [cmd, "--help"])
        assert res.exit_code == 0
        assert "示例" in res.output and "zwgk " + cmd in res.output


def test_init_sheets_reports_workbooks_it_cannot_write(campaign: Path) -> None:
    blocker = campaign / "不是目录"
    blocker.write_text("x", encoding="utf-8")
    res = runner.invoke(app, ["init-sheets", "--units", "涪城区", "--out", str(blocker), "--json"])
    assert res.exit_code == 1
    rep = json.loads(res.stdout)
    assert rep["workbooks"] == [] and [p["code"] for p in rep["problems"]] == ["S004"]
    assert rep["problems"][0]["unit"] == "涪城区"


def test_a_write_error_is_explained_in_chinese(campaign: Path) -> None:
    """The system's own (English) text is not what a user reads: the reason is worded in Chinese."""
    blocker = campaign / "不是目录"
    blocker.write_text("x", encoding="utf-8")
    res = runner.invoke(app, ["init-sheets", "--units", "涪城区", "--out", str(blocker), "--json"])
    (found,) = json.loads(res.stdout)["problems"]
    assert "路径中有同名文件" in found["message"] and "directory" not in found["message"].lower()
