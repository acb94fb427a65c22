"""``zwgk status``: where a campaign stands, per group; the same reading as ``zwgk score``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import write_mini_roster
from typer.testing import CliRunner

from zwgk_cli import rubric as rubric_mod
from zwgk_cli import rules
from zwgk_cli.cli import app
from zwgk_cli.demo import fill
from zwgk_cli.model import EVIDENCE_INPUT, YES, InputKind, ReadingKey, Rubric, Target, Unit, Value
from zwgk_cli.scoring import status as st
from zwgk_cli.workbook.issue import issued_workbooks
from zwgk_cli.workbook.write import build_workbook

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def _unit(uid: str, name: str, group: str, site: str) -> Unit:
    return Unit(uid, name, group, {"督促指导任务": "否"}, (Target(f"W{uid}", "website", site),))


UNITS = [
    _unit("U1", "甲县", "县区", "甲县政府网"),  # complete
    _unit("U2", "乙局", "部门", "乙局网站"),  # complete
    _unit("U3", "丙区", "县区", "丙区政府网"),  # three required inputs left empty
    _unit("U4", "丁局", "部门", "丁局网站"),  # everything filled, one value wrong
    _unit("U5", "戊县", "县区", "戊县政府网"),  # returned broken
    _unit("U6", "己局", "部门", "己局网站"),  # missing
    _unit("U7", "庚县", "县区", "庚县政府网"),  # missing
    _unit("U8", "辛局", "部门", "辛局网站"),  # missing, and never issued
]


def new_campaign(root: Path, units: list[Unit]) -> Rubric:
    """A campaign folder on the mini rubric with ``units`` in its roster; nothing issued yet."""
    root.mkdir()
    shutil.copyfile(DATA / "mini.yaml", root / "rubric.yaml")
    (root / "zwgk.toml").write_text(
        '[campaign]\nrubric = "rubric.yaml"\nname = "测试考评"\nyear = 2024\n'
        '[paths]\nunits = "units.csv"\ntargets = "websites.csv"\n',
        encoding="utf-8",
    )
    write_mini_roster(root, units)
    return rubric_mod.load(str(root / "rubric.yaml"))


def full_values(rubric: Rubric, unit: Unit) -> dict[ReadingKey, Value]:
    vals = fill.random_values(rubric, unit, seed=7)
    for k in list(vals):
        if k.input == EVIDENCE_INPUT.id:
            vals[k] = YES
    return vals


def required_keys(rubric: Rubric, unit: Unit) -> list[ReadingKey]:
    return [k for k, inp in fill.unit_inputs(rubric, unit) if rules.is_required(inp)]


def status_json(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> dict[str, Any]:
    monkeypatch.chdir(root)
    res = runner.invoke(app, ["status", "--json", *args], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    out: dict[str, Any] = json.loads(res.stdout)
    return out


@pytest.fixture
def campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    root = tmp_path / "考评"
    rubric = new_campaign(root, UNITS)
    monkeypatch.chdir(root)
    assert runner.invoke(app, ["init-sheets"]).exit_code == 0
    sheets = root / "sheets"
    (sheets / "辛局.xlsx").unlink()  # never issued
    (sheets / "甲县.xlsx").rename(sheets / "甲县(已发).xlsx")  # renamed by the office: still issued
    returned = root / "returned"
    returned.mkdir()
    by_id = {u.id: u for u in UNITS}

    def give_back(uid: str, values: dict[ReadingKey, Value]) -> None:
        u = by_id[uid]
        data, _ = build_workbook(rubric, u, None, values)
        (returned / f"{u.name}.xlsx").write_bytes(data)

    give_back("U1", full_values(rubric, by_id["U1"]))
    give_back("U2", full_values(rubric, by_id["U2"]))
    partial = full_values(rubric, by_id["U3"])
    emptied = required_keys(rubric, by_id["U3"])[:3]
    for k in emptied:
        partial.pop(k, None)
    give_back("U3", partial)
    give_back("U4", full_values(rubric, by_id["U4"]))
    count_key = next(k for k, inp in fill.unit_inputs(rubric, by_id["U4"]) if inp.kind is InputKind.COUNT)
    fill.fill_workbook(returned / "丁局.xlsx", returned / "丁局.xlsx", {count_key: "很多"})  # as typed in Excel
    (returned / "戊县.xlsx").write_bytes(b"PK\x03\x04 cut short in the mail")
    (returned / "~$甲县.xlsx").write_bytes(b"lock")  # Excel's lock file: skipped
    other, _ = build_workbook(rubric, Unit("X9", "外单位", "部门", {"督促指导任务": "否"}, ()), None)
    (returned / "外单位.xlsx").write_bytes(other)  # a unit not in the roster
    return {"root": root, "rubric": rubric, "emptied": emptied}


def test_status_counts_each_group(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root = campaign["root"]
    before = {p.name: p.read_bytes() for p in (root / "returned").iterdir()}
    out = status_json(root, monkeypatch)
    groups = {g["group"]: g for g in out["groups"]}
    assert [g["group"] for g in out["groups"]] == ["县区", "部门"]
    assert all(g["team"] == "" for g in out["groups"])
    assert groups["县区"] == {
        "team": "",
        "group": "县区",
        "units": 4,
        "issued": 4,
        "returned": 3,
        "complete": 1,
        "incomplete": 1,
        "unfilled": 3,
        "incomplete_errors": 0,
        "unusable": 1,
        "unusable_errors": 1,
        "missing": 1,
    }
    assert groups["部门"] == {
        "team": "",
        "group": "部门",
        "units": 4,
        "issued": 3,
        "returned": 2,
        "complete": 1,
        "incomplete": 1,
        "unfilled": 0,
        "incomplete_errors": 1,
        "unusable": 0,
        "unusable_errors": 0,
        "missing": 2,
    }
    total = out["total"]
    assert (total["units"], total["issued"], total["returned"], total["missing"]) == (8, 7, 5, 3)
    states = {u["unit"]: u["state"] for u in out["units"]}
    assert states == {
        "甲县": "complete",
        "乙局": "complete",
        "丙区": "incomplete",
        "丁局": "incomplete",
        "戊县": "unusable",
        "己局": "missing",
        "庚县": "missing",
        "辛局": "missing",
    }
    broken = next(u for u in out["units"] if u["unit"] == "戊县")
    assert broken["by_file_name"] and broken["files"] == ["returned/戊县.xlsx"] and "损坏" in broken["reason"]
    (stray,) = out["other_files"]
    assert stray["file"] == "returned/外单位.xlsx" and stray["problem"]["code"] == "W013"
    assert out["skipped_lock_files"] == 1
    assert {p.name: p.read_bytes() for p in (root / "returned").iterdir()} == before, "status only reads"
    assert not (root / "results").exists()


def test_status_agrees_with_score(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """已完成 / 未完成 are score's 已评分 / 未完成; a broken file's unit is score's 未交回."""
    root = campaign["root"]
    out = status_json(root, monkeypatch)
    res = runner.invoke(app, ["score", "--json"], catch_exceptions=False)
    scores = json.loads((root / "results" / "scores.json").read_text(encoding="utf-8"))
    by_unit = {u["unit"]: u for u in scores["units"]}
    said = {"complete": "scored", "incomplete": "incomplete", "unusable": "invalid", "missing": "missing"}
    for u in out["units"]:
        expected = "missing" if u["by_file_name"] else said[u["state"]]
        assert by_unit[u["unit"]]["status"] == expected, u["unit"]
    # 丙区: the engine misses the three emptied inputs, and status calls them unfilled
    assert len(by_unit["丙区"]["missing"]) == 3 == next(u["unfilled"] for u in out["units"] if u["unit"] == "丙区")
    # 丁局: the engine misses the wrong value too, but it was filled: an error, not unfilled
    dl = next(u for u in out["units"] if u["unit"] == "丁局")
    assert len(by_unit["丁局"]["missing"]) == 1 and (dl["unfilled"], dl["errors"]) == (0, 1)
    assert res.exit_code == 1


def test_status_on_screen_lists_the_missing_compactly(
    campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(campaign["root"])
    res = runner.invoke(app, ["status"], catch_exceptions=False)
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert "测试考评:评分表进度" in lines[0]
    table = [line.split() for line in lines if line.split()[:1] in (["县区"], ["部门"], ["合计"])]
    assert table[:3] == [
        ["县区", "4", "4", "3", "1", "1", "3", "1", "1"],
        ["部门", "4", "3", "2", "1", "1", "0", "0", "2"],
        ["合计", "8", "7", "5", "2", "2", "3", "1", "3"],
    ]
    assert "县区 缺 1:庚县" in lines
    assert "部门 缺 2:己局、辛局" in lines
    assert "县区 未完成 1:丙区(未填 3 项)" in lines
    assert "部门 未完成 1:丁局(错误 1 处)" in lines
    assert any(line.startswith("县区 无法使用 1:戊县(returned/戊县.xlsx:工作簿已损坏") for line in lines)
    assert any(
        line.startswith("交回目录中另有 1 个文件不属于名单中的任何单位:returned/外单位.xlsx(W013") for line in lines
    )
    assert "合计:应交 8 份,已发放 7 份;已交回 5 份(已完成 2、未完成 2、无法使用 1);未交回 3 份。" in lines
    assert "Traceback" not in res.output


def test_two_workbooks_for_one_unit_and_a_pool(campaign: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root = campaign["root"]
    shutil.copyfile(root / "returned" / "甲县.xlsx", root / "returned" / "甲县(2).xlsx")
    serial = status_json(root, monkeypatch, "--jobs", "1")
    jia = next(u for u in serial["units"] if u["unit"] == "甲县")
    assert jia["state"] == "unusable" and jia["files"] == ["returned/甲县(2).xlsx", "returned/甲县.xlsx"]
    assert "交回了 2 份" in jia["reason"]
    monkeypatch.setattr(st, "PARALLEL_MIN", 1)
    assert status_json(root, monkeypatch, "--jobs", "2") == serial, "the same whatever the number of processes"


def test_nothing_issued_nothing_returned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "新考评"
    new_campaign(root, UNITS[:3])
    out = status_json(root, monkeypatch)
    assert out["total"] == {
        "units": 3,
        "issued": 0,
        "returned": 0,
        "complete": 0,
        "incomplete": 0,
        "unfilled": 0,
        "incomplete_errors": 0,
        "unusable": 0,
        "unusable_errors": 0,
        "missing": 3,
    }
    res = runner.invoke(app, ["status"], catch_exceptions=False)
    assert res.exit_code == 0 and "县区 缺 2:甲县、丙区" in res.stdout.splitlines()


def test_a_team_dimension_slots_in(campaign: dict[str, Any]) -> None:
    """Counts are kept per (team, group): with teams, each team's groups are lines of their own."""
    root, rubric = campaign["root"], campaign["rubric"]
    teams = {"U1": "第一组", "U2": "第一组", "U3": "第二组", "U4": "第二组"}
    status = st.collect(
        rubric, UNITS, issued_workbooks(root / "sheets"), [], {}, teams_of=lambda u: [teams.get(u.id, "第一组")]
    )
    assert status.order == [("第一组", "县区"), ("第一组", "部门"), ("第二组", "县区"), ("第二组", "部门")]
    assert [(t.team, t.group, t.units, t.issued, t.missing) for t in status.rows()] == [
        ("第一组", "县区", 3, 3, 3),
        ("第一组", "部门", 3, 2, 3),
        ("第二组", "县区", 1, 1, 1),
        ("第二组", "部门", 1, 1, 1),
    ]


def test_status_of_49_blank_workbooks_counts_each_unfilled_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "绵阳"
    assert runner.invoke(app, ["new", str(root), "--sample", "mianyang-2022"]).exit_code == 0
    monkeypatch.chdir(root)
    assert runner.invoke(app, ["init-sheets"]).exit_code == 0
    for p in (root / "sheets").iterdir():  # returned blank: incomplete, every required input unfilled
        shutil.copyfile(p, root / "returned" / p.name)
    out = status_json(root, monkeypatch, "--jobs", "1")
    assert out["total"]["incomplete"] == out["total"]["issued"] == 49
    inspected = json.loads(runner.invoke(app, ["inspect", "--json", *map(str, (root / "sheets").iterdir())]).stdout)
    assert out["total"]["unfilled"] == sum(w["inputs"] for w in inspected)


def test_status_help_is_chinese_with_an_example() -> None:
    res = runner.invoke(app, ["status", "--help"])
    assert res.exit_code == 0 and "示例" in res.output and "zwgk status" in res.output and "考评进度" in res.output
