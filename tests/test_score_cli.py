"""``zwgk score`` end to end with CliRunner: defaults, outputs, exit codes, --json, --strict,
--inputs, determinism, immutability, formula injection."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import MINI_UNITS, mini_campaign
from typer.testing import CliRunner

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.cli import app
from zwgk_cli.demo import fill
from zwgk_cli.engine import score_unit
from zwgk_cli.model import EVIDENCE_INPUT, YES, ReadingKey, Rubric, Unit, Value
from zwgk_cli.results.document import list_document, unit_to_dict
from zwgk_cli.scoring import batch
from zwgk_cli.scoring.discover import discover
from zwgk_cli.workbook.write import build_workbook

DATA = Path(__file__).parent / "data"
RESULT_FILES = ("scores.json", "scores.csv", "scores.xlsx", "problems.csv", "problems.json")

UNITS = list(MINI_UNITS)


def _values(rubric: Rubric, unit: Unit, seed: int = 11) -> dict[ReadingKey, Value]:
    vals = fill.random_values(rubric, unit, seed=seed)
    for k in list(vals):
        if k.input == EVIDENCE_INPUT.id:
            vals[k] = YES
    return vals


@pytest.fixture
def campaign(tmp_path: Path) -> dict[str, Any]:
    """A campaign folder on the mini rubric: 4 units, 3 workbooks returned, 1 missing."""
    root = mini_campaign(tmp_path / "考评", UNITS)
    rubric = rubric_mod.load(str(root / "rubric.yaml"))
    returned = root / "returned"
    values = {}
    for u in UNITS[:3]:
        values[u.id] = _values(rubric, u)
        data, _ = build_workbook(rubric, u, None, values[u.id])
        (returned / f"{u.name}.xlsx").write_bytes(data)
    return {"root": root, "rubric": rubric, "values": values, "returned": returned}


def _run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(app, args, catch_exceptions=False)


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _engine_entry(rubric: Rubric, unit: Unit, values: Mapping[ReadingKey, Value | None]) -> dict[str, Any]:
    variant = rubric_mod.resolve(rubric, unit)
    us = score_unit(rubric, variant, unit, values)
    entry = unit_to_dict(rubric, variant, us, values, status="scored")
    return json.loads(json.dumps(entry, ensure_ascii=False))


def _comparable(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The entry without what only a read workbook knows (its file, problems, the cells read)."""
    out = {k: v for k, v in entry.items() if k not in ("files", "problems", "status")}
    out["criteria"] = [{k: v for k, v in row.items() if k != "cells"} for row in entry["criteria"]]
    return out


# ------------------------------------------------------------------ defaults and outputs


def test_score_in_a_campaign_folder(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root = campaign["root"]
    before = _hashes(campaign["returned"])
    res = _run(["score"], root, monkeypatch)
    assert res.exit_code == 1, res.output  # 丁局 returned nothing: an error, results still written
    assert "已评分 3" in res.output and "未交回 1" in res.output
    for name in RESULT_FILES:
        assert (root / "results" / name).is_file()
    assert _hashes(campaign["returned"]) == before

    doc = json.loads((root / "results" / "scores.json").read_text(encoding="utf-8"))
    assert [u["unit_id"] for u in doc["units"]] == ["U1", "U2", "U3", "U4"]  # roster order, none dropped
    assert [u["status"] for u in doc["units"]] == ["scored", "scored", "scored", "missing"]
    assert doc["units"][3]["total"] is None  # missing is never zero
    assert doc["rubric_hash"] == campaign["rubric"].hash and doc["campaign"]["name"] == "测试考评"
    for u in UNITS[:3]:
        got = next(x for x in doc["units"] if x["unit_id"] == u.id)
        want = _engine_entry(campaign["rubric"], u, campaign["values"][u.id])
        assert _comparable(got) == _comparable(want)
        assert got["files"] == [f"returned/{u.name}.xlsx"]

    problems = json.loads((root / "results" / "problems.json").read_text(encoding="utf-8"))
    assert problems["counts"]["error"] == 1
    assert [p["code"] for p in problems["problems"] if p["severity"] == "error"] == ["W015"]
    raw = (root / "results" / "problems.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["级别", "代码", "文件", "工作表", "单元格", "单位", "指标", "问题", "怎么办"]
    assert len(rows) == 1 + len(problems["problems"])


def test_scores_csv_and_xlsx_tables(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    root = campaign["root"]
    _run(["score"], root, monkeypatch)
    raw = (root / "results" / "scores.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:5] == ["单位编号", "单位名称", "分组", "状态", "总分"]
    assert "第一部分(10分)" in header and "网站(10分)" in header and "加分(加分,最高5分)" in header
    assert "第一部分/基础(10分)" in header and "第一部分/栏目(4分)" in header
    assert len(rows) == 1 + len(UNITS)
    doc = json.loads((root / "results" / "scores.json").read_text(encoding="utf-8"))
    total = header.index("总分")
    for row, unit in zip(rows[1:], doc["units"], strict=True):
        assert row[0] == unit["unit_id"]
        assert row[total] == ("" if unit["total"] is None else f"{unit['total']:g}")

    wb = openpyxl.load_workbook(root / "results" / "scores.xlsx")
    assert wb.sheetnames == ["汇总", "明细", "问题"]
    assert [c.value for c in wb["汇总"][1]] == header
    detail = list(wb["明细"].iter_rows(values_only=True))
    assert sum(len(u["criteria"]) for u in doc["units"]) == len(detail) - 1
    assert detail[0][:4] == ("单位编号", "单位名称", "分组", "对象")
    want = [(u["unit_id"], u["unit"], c["text"] or c["title"]) for u in doc["units"] for c in u["criteria"]]
    assert [(r[0], r[1], r[7]) for r in detail[1:]] == want
    assert wb["问题"].max_row == 1 + len(json.loads((root / "results" / "problems.json").read_text())["problems"])


def test_json_summary(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    res = _run(["score", "--json"], campaign["root"], monkeypatch)
    assert res.exit_code == 1
    summary = json.loads(res.stdout)
    assert summary["counts"] == {"scored": 3, "incomplete": 0, "invalid": 0, "missing": 1}
    assert summary["ok"] is False and summary["errors"] == 1
    assert summary["problems"][0]["code"] == "W015"
    assert {Path(p).name for p in summary["outputs"]} == set(RESULT_FILES)


def test_clean_batch_exits_0(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root = campaign["root"]
    unit = UNITS[3]
    data, _ = build_workbook(campaign["rubric"], unit, None, _values(campaign["rubric"], unit))
    (campaign["returned"] / "丁局.xlsx").write_bytes(data)
    res = _run(["score", "--strict"], root, monkeypatch)
    assert res.exit_code == 0, res.output
    assert (root / "results" / "scores.json").is_file()


def test_strict_writes_no_scores_when_there_are_errors(
    campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = campaign["root"]
    res = _run(["score", "--strict"], root, monkeypatch)
    assert res.exit_code == 1
    assert not (root / "results" / "scores.json").exists()
    assert not (root / "results" / "scores.xlsx").exists()
    assert (root / "results" / "problems.csv").is_file()
    assert "未写入评分结果" in res.output


# ------------------------------------------------------------------ flawed batches


def test_a_bad_file_never_stops_the_others(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    returned = campaign["returned"]
    (returned / "坏文件.xlsx").write_bytes(b"not a workbook")
    (returned / "~$甲县.xlsx").write_bytes(b"\x00" * 165)  # lock file: skipped quietly
    (returned / "佐证材料.pdf").write_bytes(b"%PDF-1.4")  # not a workbook suffix: not read
    shutil.copyfile(returned / "乙局.xlsx", returned / "乙局(修改后).xlsx")
    res = _run(["score", "--json"], campaign["root"], monkeypatch)
    summary = json.loads(res.stdout)
    assert res.exit_code == 1
    assert summary["counts"] == {"scored": 2, "incomplete": 0, "invalid": 1, "missing": 1}
    assert summary["skipped_lock_files"] == 1 and summary["files"] == 5
    codes = {(p["code"], p["file"]) for p in summary["problems"]}
    assert ("W003", "returned/坏文件.xlsx") in codes
    assert ("W014", "returned/乙局.xlsx") in codes and ("W014", "returned/乙局(修改后).xlsx") in codes
    dup = next(p for p in summary["problems"] if p["code"] == "W014")
    assert "returned/乙局.xlsx" in dup["message"] and "returned/乙局(修改后).xlsx" in dup["message"]
    assert not any("甲县.xlsx" in p["file"] and "~$" in p["file"] for p in summary["problems"])
    doc = json.loads((campaign["root"] / "results" / "scores.json").read_text(encoding="utf-8"))
    yi = next(u for u in doc["units"] if u["unit_id"] == "U2")
    assert yi["status"] == "invalid" and yi["total"] is None and len(yi["files"]) == 2


def test_a_unit_with_errors_is_scored_as_far_as_it_can_be(
    campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    rubric, unit = campaign["rubric"], UNITS[0]
    values = dict(campaign["values"]["U1"])
    values[ReadingKey("W1", "w1", "stale")] = None  # left empty
    data, lay = build_workbook(rubric, unit, None, values)
    (campaign["returned"] / "甲县.xlsx").write_bytes(data)
    res = _run(["score", "--json"], campaign["root"], monkeypatch)
    summary = json.loads(res.stdout)
    empty = [p for p in summary["problems"] if p["code"] == "V001"]
    cell = next(m for m in lay.inputs if m.key == ReadingKey("W1", "w1", "stale"))
    assert [(p["sheet"], p["cell"], p["unit"]) for p in empty] == [(cell.sheet, cell.cell, "甲县")]
    doc = json.loads((campaign["root"] / "results" / "scores.json").read_text(encoding="utf-8"))
    jia = next(u for u in doc["units"] if u["unit_id"] == "U1")
    assert jia["status"] == "incomplete"
    assert jia["missing"] == [{"target": "W1", "criterion": "w1", "input": "stale"}]
    want = _engine_entry(rubric, unit, values)
    assert jia["total"] == want["total"] and jia["parts"] == want["parts"]


def test_paths_may_be_files_and_folders(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    returned = campaign["returned"]
    sub = returned / "县区"
    sub.mkdir()
    shutil.move(returned / "甲县.xlsx", sub / "甲县.xlsx")
    res = _run(
        ["score", "returned/县区", "returned/乙局.xlsx", "--out", "别处", "--json"], campaign["root"], monkeypatch
    )
    summary = json.loads(res.stdout)
    assert summary["counts"]["scored"] == 2 and summary["files"] == 2
    assert (campaign["root"] / "别处" / "scores.json").is_file()


# ------------------------------------------------------------------ determinism, immutability, the pool


def test_rerun_is_byte_identical_and_the_pool_changes_nothing(
    campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = campaign["root"]
    (campaign["returned"] / "坏文件.xlsx").write_bytes(b"PK\x03\x04broken")
    before = _hashes(campaign["returned"])
    _run(["score", "--out", "r1", "--jobs", "1"], root, monkeypatch)
    _run(["score", "--out", "r2", "--jobs", "1"], root, monkeypatch)
    monkeypatch.setattr(batch, "PARALLEL_MIN", 1)
    _run(["score", "--out", "r3", "--jobs", "2"], root, monkeypatch)
    one, two, three = (_hashes(root / d) for d in ("r1", "r2", "r3"))
    assert {n for n in one if not n.startswith("rounds/")} == set(RESULT_FILES)  # and the run kept as round 01
    assert one == two == three
    assert _hashes(campaign["returned"]) == before
    assert not list((root / "r1").glob(".*.tmp"))  # atomic writes leave nothing behind


# ------------------------------------------------------------------ --inputs


def _findings_csv(path: Path, values: Mapping[str, Mapping[ReadingKey, Value]], rubric: Rubric) -> None:
    lines = ["unit,target,indicator,criterion,input,value"]
    for uid, vals in values.items():
        unit = next(u for u in UNITS if u.id == uid)
        variant = rubric_mod.resolve(rubric, unit)
        ind = {c.id: chain[-1].id for _, chain, c in rubric_mod.walk_with_path(variant)}
        for k, v in vals.items():
            text = format(v, "f") if isinstance(v, Decimal) else str(v)
            lines.append(f"{uid},{k.target},{ind[k.criterion]},{k.criterion},{k.input},{text}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


def test_inputs_table_equals_the_workbooks(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root = campaign["root"]
    _findings_csv(root / "监测导出.csv", campaign["values"], campaign["rubric"])
    res_w = _run(["score", "--out", "rw"], root, monkeypatch)
    res_i = _run(["score", "--inputs", "监测导出.csv", "--out", "ri"], root, monkeypatch)
    assert res_w.exit_code == res_i.exit_code == 1  # 丁局 missing in both
    w = json.loads((root / "rw" / "scores.json").read_text(encoding="utf-8"))
    i = json.loads((root / "ri" / "scores.json").read_text(encoding="utf-8"))
    assert [_comparable(u) for u in w["units"]] == [_comparable(u) for u in i["units"]]
    assert [u["status"] for u in i["units"]] == ["scored", "scored", "scored", "missing"]
    assert i["units"][0]["files"] == ["监测导出.csv"]


def test_an_inputs_table_saved_by_chinese_excel_reads_as_its_utf8_twin(
    campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """“CSV(逗号分隔)” from Chinese Excel or WPS is GBK: read as the roster reads it (it was W024)."""
    root = campaign["root"]
    _findings_csv(root / "utf8.csv", campaign["values"], campaign["rubric"])
    text = (root / "utf8.csv").read_text(encoding="utf-8-sig")
    text = text.replace("unit,target,indicator,criterion,input,value", "单位,对象,指标,细则,填写项,值")
    for u in UNITS:  # units by their Chinese names: the encoding matters
        text = text.replace(f"\n{u.id},", f"\n{u.name},")
    (root / "gbk.csv").write_bytes(text.encode("gbk"))
    _run(["score", "--inputs", "utf8.csv", "--out", "ru"], root, monkeypatch)
    res = _run(["score", "--inputs", "gbk.csv", "--out", "rg", "--json"], root, monkeypatch)
    assert not [p for p in json.loads(res.stdout)["problems"] if p["code"] in ("W024", "W025")]
    u = json.loads((root / "ru" / "scores.json").read_text(encoding="utf-8"))
    g = json.loads((root / "rg" / "scores.json").read_text(encoding="utf-8"))
    assert [_comparable(x) for x in u["units"]] == [_comparable(x) for x in g["units"]]
    assert [x["status"] for x in g["units"]] == ["scored", "scored", "scored", "missing"]


def test_inputs_table_problems_carry_the_row(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root = campaign["root"]
    _findings_csv(root / "f.csv", {"U1": campaign["values"]["U1"]}, campaign["rubric"])
    with (root / "f.csv").open("a", encoding="utf-8") as fh:
        fh.write("U9,,a,a1,blank,1\n")
    res = _run(["score", "--inputs", "f.csv", "--json"], root, monkeypatch)
    summary = json.loads(res.stdout)
    bad = [p for p in summary["problems"] if p["code"] == "W025"]
    assert bad and bad[0]["file"] == "f.csv" and bad[0]["line"] is not None
    assert "U9" in bad[0]["message"]


# ------------------------------------------------------------------ formula injection


def test_text_from_workbooks_cannot_become_formulas(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    rubric, unit = campaign["rubric"], UNITS[0]
    data, lay = build_workbook(rubric, unit, None, campaign["values"]["U1"])
    evil = '=HYPERLINK("http://evil.example","点我")'
    first = next(m for m in lay.inputs if m.criterion == "a1")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cell = wb[first.sheet][first.note_cell]
    cell.value = evil
    cell.data_type = "s"  # typed as text (a leading apostrophe in Excel), not a formula
    wb.save(campaign["returned"] / "甲县.xlsx")
    _run(["score"], campaign["root"], monkeypatch)
    results = campaign["root"] / "results"
    doc = json.loads((results / "scores.json").read_text(encoding="utf-8"))
    row = next(r for r in doc["units"][0]["criteria"] if r["criterion"] == "a1")
    assert row["note"] == evil  # the data keeps what was written
    wb = openpyxl.load_workbook(results / "scores.xlsx")
    cells = [c for r in wb["明细"].iter_rows() for c in r if c.value == evil]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    text = (results / "scores.csv").read_text(encoding="utf-8-sig") + (results / "problems.csv").read_text(
        encoding="utf-8-sig"
    )
    for line in csv.reader(io.StringIO(text)):
        assert not any(cell.startswith(("=", "+", "@")) for cell in line)


# ------------------------------------------------------------------ usage errors


def test_usage_errors_exit_2(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    root = campaign["root"]
    assert _run(["score", "没有这个文件夹"], root, monkeypatch).exit_code == 2
    assert _run(["score", "returned", "--inputs", "x.csv"], root, monkeypatch).exit_code == 2
    assert _run(["score", "--inputs", "没有.csv"], root, monkeypatch).exit_code == 2
    (root / "占位文件").write_text("x", encoding="utf-8")
    res = _run(["score", "--out", "占位文件/结果"], root, monkeypatch)
    assert res.exit_code == 2 and "无法写入结果目录" in res.output
    outside = tmp_path / "空目录"
    outside.mkdir()
    assert _run(["score"], outside, monkeypatch).exit_code == 2
    shutil.rmtree(campaign["returned"])
    res = _run(["score"], root, monkeypatch)
    assert res.exit_code == 2 and "交回目录不存在" in res.output


def test_docs_list_every_read_back_code() -> None:
    from zwgk_cli.problems import SEVERITY_LABELS, Code

    doc = (Path(__file__).parent.parent / "docs" / "score.md").read_text(encoding="utf-8")
    for code in Code:
        if code.code[0] in "WV":
            row = f"| {code.code} | {SEVERITY_LABELS[code.severity]} | {code.template} | {code.hint_template} |"
            assert row in doc, code.code


def test_the_results_folder_and_broken_links_inside_the_inputs(
    campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = campaign["root"]
    (campaign["returned"] / "断开的链接.xlsx").symlink_to(root / "不存在.xlsx")
    _run(["score", ".", "--out", "returned/结果"], campaign["returned"], monkeypatch)
    res = _run(["score", ".", "--out", "returned/结果", "--json"], campaign["returned"], monkeypatch)
    summary = json.loads(res.stdout)
    assert summary["files"] == 4  # the three workbooks and the broken link; never the results
    assert [p["code"] for p in summary["problems"] if p["file"] == "returned/断开的链接.xlsx"] == ["W001"]


def test_spawned_workers_give_the_same_results(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows and macOS the pool spawns its workers (the rubric and roster are pickled to them)."""
    from zwgk_cli import pool

    root = campaign["root"]
    _run(["score", "--out", "r1", "--jobs", "1"], root, monkeypatch)
    monkeypatch.setattr(batch, "PARALLEL_MIN", 1)
    monkeypatch.setattr(pool, "START_METHOD", "spawn")
    _run(["score", "--out", "r2", "--jobs", "2"], root, monkeypatch)
    assert _hashes(root / "r1") == _hashes(root / "r2")


def test_results_keep_the_users_umask(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    old = os.umask(0o022)
    try:
        _run(["score"], campaign["root"], monkeypatch)
    finally:
        os.umask(old)
    for name in RESULT_FILES:
        assert (campaign["root"] / "results" / name).stat().st_mode & 0o777 == 0o644, name


def test_discover_walks_folders_once_per_file(tmp_path: Path) -> None:
    """Folders recursively, in name order; lock files counted and skipped; the results folder,
    links to folders and what is not a workbook left out; a file reached twice listed once;
    names relative to the campaign folder, or to the folder given."""
    camp = tmp_path / "考评"
    returned = camp / "returned"
    (returned / "县区" / "深").mkdir(parents=True)
    (returned / "results").mkdir()
    for rel in ("县区/甲.xlsx", "县区/深/乙.XLSX", "丙.xls", "results/scores.xlsx", "说明.docx", "~$甲.xlsx"):
        (returned / rel).write_bytes(b"x")
    (returned / "县区" / "甲的链接.xlsx").symlink_to(returned / "县区" / "甲.xlsx")
    (returned / "断开.xlsx").symlink_to(tmp_path / "不存在.xlsx")
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    (elsewhere / "丁.xlsx").write_bytes(b"x")
    (returned / "链接目录").symlink_to(elsewhere, target_is_directory=True)

    found = discover([returned, returned / "县区" / "甲.xlsx"], camp, exclude=[returned / "results"])
    refs, skipped = found.refs, found.skipped
    assert skipped == 1
    assert [(p.code, p.file) for p in found.problems] == [("W037", "returned/说明.docx")]
    assert [r.name for r in refs] == [
        "returned/丙.xls",
        "returned/县区/深/乙.XLSX",
        "returned/县区/甲.xlsx",
        "returned/断开.xlsx",
    ]
    assert refs[2].path == returned / "县区" / "甲.xlsx"  # not its link, found after it

    outside = discover([elsewhere / "丁.xlsx", returned / "县区"], camp / "另一个").refs
    assert [r.name for r in outside] == ["丁.xlsx", "县区/深/乙.XLSX", "县区/甲.xlsx"]


def test_scores_json_is_the_document_one_unit_a_line(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """scores.json is json.dumps(document, indent=2) but for the units: each is json.dumps(unit)
    on a line of its own; the --json summary is json.dumps of the summary, byte for byte."""
    root = campaign["root"]
    res = _run(["score", "--json"], root, monkeypatch)
    text = (root / "results" / "scores.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    units = doc["units"]
    assert len(units) == len(UNITS)
    head = json.dumps({**doc, "units": []}, ensure_ascii=False, indent=2)
    lines = [json.dumps(u, ensure_ascii=False) for u in units]
    assert text == head[: -len("]\n}")] + "\n    " + ",\n    ".join(lines) + "\n  ]\n}\n"
    summary = json.loads(res.stdout)
    assert res.stdout == json.dumps(summary, ensure_ascii=False) + "\n"
    problems = json.loads((root / "results" / "problems.json").read_text(encoding="utf-8"))
    assert summary["problems"] == problems["problems"] and summary["problems"]


def test_list_document_without_indent_is_json_dumps() -> None:
    header = {"a": 1, "b": {"c": [1, 2]}, "items": []}
    items = [{"x": "中文", "y": None}, {"z": [1.5, {"w": True}]}]
    encoded = [json.dumps(i, ensure_ascii=False) for i in items]
    assert "".join(list_document(header, "items", encoded, None)) == json.dumps(
        {**header, "items": items}, ensure_ascii=False
    )
    assert "".join(list_document(header, "items", [], None)) == json.dumps(header, ensure_ascii=False)
    assert "".join(list_document(header, "items", [], 2)) == json.dumps(header, ensure_ascii=False, indent=2)
    assert json.loads("".join(list_document(header, "items", encoded, 2))) == {**header, "items": items}


def test_jobs_0_means_automatic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import corpus_campaign

    root = corpus_campaign(tmp_path / "考评", ("good.xlsx",))
    monkeypatch.chdir(root)
    res = CliRunner().invoke(app, ["score", "-j", "0", "--json"])
    assert res.exit_code in (0, 1), res.output
    assert json.loads(res.stdout)["files"] == 1


def test_roster_problems_name_the_roster_as_the_office_sees_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outputs hold no machine path: a roster problem names ``units.csv`` of the campaign."""
    root = tmp_path / "考评"
    assert CliRunner().invoke(app, ["new", str(root), "--sample", "mianyang-2022"]).exit_code == 0
    units = root / "units.csv"
    lines = units.read_text(encoding="utf-8-sig").splitlines()
    units.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")  # a unit twice
    (root / "returned").mkdir(exist_ok=True)
    monkeypatch.chdir(root)
    CliRunner().invoke(app, ["score"])
    rows = list(csv.reader(io.StringIO((root / "results" / "problems.csv").read_text(encoding="utf-8-sig"))))
    roster_rows = [r for r in rows[1:] if r[1].startswith("L")]
    assert roster_rows and {r[2] for r in roster_rows} == {"units.csv"}
    assert str(tmp_path) not in (root / "results" / "problems.csv").read_text(encoding="utf-8-sig")
