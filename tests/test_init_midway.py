"""``zwgk init-sheets`` mid-campaign: a unit added to the roster gets its workbook, issued ones are
left alone (identified by their hidden sheet, not their file name), ``--force`` re-issues."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import write_mini_roster
from test_status import UNITS, full_values, new_campaign
from typer.testing import CliRunner

from zwgk_cli.cli import app
from zwgk_cli.demo import fill
from zwgk_cli.model import Target, Unit

runner = CliRunner()
NEW = Unit("U9", "壬县", "县区", {"督促指导任务": "否"}, (Target("WU9", "website", "壬县政府网"),))


def _init(*args: str) -> Any:
    return runner.invoke(app, ["init-sheets", *args], catch_exceptions=False)


def _state(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Each file's bytes, modification time and inode: a rewritten file changes at least one."""
    out = {}
    for p in sorted(folder.iterdir()):
        st = p.stat()
        out[p.name] = (p.read_bytes(), st.st_mtime_ns, st.st_ino)
    return out


@pytest.fixture
def issued(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A campaign of four units, every workbook issued, one of them already filled in place."""
    root = tmp_path / "考评"
    rubric = new_campaign(root, UNITS[:4])
    monkeypatch.chdir(root)
    first = _init()
    assert first.exit_code == 0, first.output
    assert "已生成 4 个评分表" in first.output
    sheets = root / "sheets"
    jia = sheets / "甲县.xlsx"  # the assessor works in the issued copy itself
    fill.fill_workbook(jia, jia, full_values(rubric, UNITS[0]))
    return {"root": root, "sheets": sheets, "rubric": rubric}


def test_a_unit_added_to_the_roster_gets_its_workbook_only(issued: dict[str, Any]) -> None:
    root, sheets = issued["root"], issued["sheets"]
    before = _state(sheets)
    write_mini_roster(root, [*UNITS[:4], NEW])
    res = _init()
    assert res.exit_code == 0, res.output
    assert "已发放 4 份(未改动),新发放 1 份:壬县" in res.output
    after = _state(sheets)
    assert set(after) == {*before, "壬县.xlsx"}
    for name, was in before.items():
        assert after[name] == was, f"{name} was rewritten"  # bytes, mtime and inode untouched
    assert not [p for p in sheets.iterdir() if p.name.startswith(".")], "no temporary file left"
    again = _init("--json")  # nothing left to issue
    assert again.exit_code == 0
    rep = json.loads(again.stdout)
    assert rep["workbooks"] == [] and not rep["problems"]
    assert sorted(u["unit"] for u in rep["unchanged"]) == sorted(["甲县", "乙局", "丙区", "丁局", "壬县"])
    assert _state(sheets) == after
    plain = _init()
    assert "已发放 5 份(未改动),没有需要新发放的评分表" in plain.output and "--force" in plain.output


def test_force_reissues_all_or_the_units_named(issued: dict[str, Any]) -> None:
    sheets = issued["sheets"]
    before = _state(sheets)
    one = _init("--units", "乙局", "--force", "--json")
    assert one.exit_code == 0, one.output
    rep = json.loads(one.stdout)
    assert [(w["unit"], w["replaced"]) for w in rep["workbooks"]] == [("乙局", True)]
    after = _state(sheets)
    assert after["乙局.xlsx"][1:] != before["乙局.xlsx"][1:], "re-issued"
    assert after["乙局.xlsx"][0] == before["乙局.xlsx"][0], "the same inputs give the same bytes"
    assert {n: s for n, s in after.items() if n != "乙局.xlsx"} == {n: s for n, s in before.items() if n != "乙局.xlsx"}
    every = _init("--force")
    assert every.exit_code == 0, every.output
    assert "重新生成 4 份(覆盖原有" in every.output
    final = _state(sheets)
    assert all(final[n][1:] != after[n][1:] for n in after), "every workbook re-issued"
    assert final["丙区.xlsx"][0] == before["丙区.xlsx"][0]
    assert final["甲县.xlsx"][0] != before["甲县.xlsx"][0], "the filled copy was replaced by a blank one"


def test_a_unit_named_without_force_is_refused(issued: dict[str, Any]) -> None:
    before = _state(issued["sheets"])
    res = _init("--units", "甲县")
    assert res.exit_code == 1
    assert "S001" in res.output and "甲县.xlsx" in res.output and "--force" in res.output
    assert _state(issued["sheets"]) == before


def test_a_workbook_renamed_by_the_office_is_still_issued(issued: dict[str, Any]) -> None:
    sheets = issued["sheets"]
    (sheets / "乙局.xlsx").rename(sheets / "乙局-已发.xlsx")
    before = _state(sheets)
    res = _init("--json")
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert rep["workbooks"] == []
    assert {u["unit"]: Path(u["file"]).name for u in rep["unchanged"]}["乙局"] == "乙局-已发.xlsx"
    assert _state(sheets) == before
    forced = json.loads(_init("--units", "乙局", "--force", "--json").stdout)
    assert [Path(w["file"]).name for w in forced["workbooks"]] == ["乙局-已发.xlsx"], "re-issued in its place"
    assert not (sheets / "乙局.xlsx").exists()


def test_units_no_longer_in_the_roster_are_named_not_deleted(issued: dict[str, Any]) -> None:
    root, sheets = issued["root"], issued["sheets"]
    before = _state(sheets)
    write_mini_roster(root, UNITS[1:4])  # 甲县 leaves the roster
    res = _init("--json")
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    (gone,) = [p for p in rep["problems"] if p["code"] == "S010"]
    assert "甲县" in gone["message"] and gone["file"].endswith("甲县.xlsx") and gone["severity"] == "warning"
    assert _state(sheets) == before
    text = _init()
    assert "S010" in text.output and "未删除" in text.output


def test_a_file_in_the_way_is_never_overwritten_silently(issued: dict[str, Any]) -> None:
    root, sheets = issued["root"], issued["sheets"]
    write_mini_roster(root, [*UNITS[:4], NEW])
    (sheets / "壬县.xlsx").write_bytes(b"not a workbook")
    res = _init("--json")
    assert res.exit_code == 1
    rep = json.loads(res.stdout)
    assert [p["code"] for p in rep["problems"]] == ["S011"]
    assert "壬县.xlsx" in rep["problems"][0]["message"] and "不是可识别的评分表" in rep["problems"][0]["message"]
    assert (sheets / "壬县.xlsx").read_bytes() == b"not a workbook"
    forced = _init("--units", "壬县", "--force")
    assert forced.exit_code == 0, forced.output
    assert (sheets / "壬县.xlsx").read_bytes()[:2] == b"PK"
    # another unit's workbook under the new unit's name: kept even with --force
    (sheets / "壬县.xlsx").unlink()
    os.replace(sheets / "丁局.xlsx", sheets / "壬县.xlsx")
    held = _init("--units", "壬县", "--force", "--json")
    assert held.exit_code == 1
    (taken,) = json.loads(held.stdout)["problems"]
    assert taken["code"] == "S011" and "丁局" in taken["message"]


def test_a_broken_file_elsewhere_and_another_rubric_version_are_warned_about(
    issued: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, sheets = issued["root"], issued["sheets"]
    (sheets / "说明.xlsx").write_bytes(b"")
    rubric_file = root / "rubric.yaml"
    rubric_file.write_text(rubric_file.read_text(encoding="utf-8").replace("title: 测试细则", "title: 测试细则(修订)"))
    before = _state(sheets)
    res = _init("--json")
    assert res.exit_code == 0, res.output
    codes = sorted(p["code"] for p in json.loads(res.stdout)["problems"])
    assert codes == ["S012", "S013", "S013", "S013", "S013"]
    assert _state(sheets) == before
