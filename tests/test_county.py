"""A county office borrowing the city's rubric, with groups of its own (乡镇 / 县直部门).

The walk-through of docs/编写评分细则.md, end to end: the bundled 荆州 rubric exported to a
workbook, a campaign created with it and the county's roster, ``group_map`` in zwgk.toml, then
init-sheets → (assessors fill) → score → report.  Sheets, results and the notice speak of the
county's groups; the rubric's own group names appear nowhere as groups.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.campaign import load as load_campaign
from zwgk_cli.demo.fill import fill_workbook, random_values
from zwgk_cli.roster import load_roster

ROSTER = """编号,单位名称,分组
X01,甲镇,乡镇
X02,乙镇,乡镇
X03,丙乡,乡镇
D01,县发展和改革局,县直部门
D02,县财政局,县直部门
D03,县教育局,县直部门
"""
GROUP_MAP = 'group_map = {"乡镇" = "县市区", "县直部门" = "市直部门"}\n'


def _run(args: list[str]) -> str:
    res = CliRunner().invoke(app_(), args)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert res.exit_code in (0, 1), res.output
    return res.output


def app_():  # type: ignore[no-untyped-def]
    from zwgk_cli.cli import app

    return app


def test_a_county_runs_the_city_rubric_under_its_own_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "units.csv").write_text(ROSTER, encoding="utf-8")
    _run(["rubric", "export", "jingzhou-2021", "--xlsx", "细则.xlsx"])
    _run(["new", "县考评", "--rubric", "细则.xlsx", "--roster", "units.csv"])
    root = tmp_path / "县考评"
    toml = (root / "zwgk.toml").read_text(encoding="utf-8")
    (root / "zwgk.toml").write_text(toml.replace("[campaign]\n", "[campaign]\n" + GROUP_MAP, 1), encoding="utf-8")

    monkeypatch.chdir(root)
    out = _run(["init-sheets"])
    assert "L004" not in out
    sheets = sorted((root / "sheets").glob("*.xlsx"))
    assert len(sheets) == 6

    camp = load_campaign(root)
    assert dict(camp.group_map) == {"乡镇": "县市区", "县直部门": "市直部门"}
    r = rubric_mod.map_groups(rubric_mod.load(str(root / "细则.xlsx")), dict(camp.group_map))
    assert r.hash == rubric_mod.load("jingzhou-2021").hash  # the mapping is the campaign's, not the rubric's
    units = load_roster(root / "units.csv").units
    (root / "returned").mkdir(exist_ok=True)
    for u in units:
        src = next(p for p in sheets if p.stem == u.name)
        fill_workbook(src, root / "returned" / src.name, random_values(r, u, seed=u.id))
        info = load_workbook(src, read_only=True)["汇总"]
        assert any(u.group in str(c.value) for row in info.iter_rows(max_row=4) for c in row if c.value)

    _run(["score", "-j", "1"])
    doc = json.loads((root / "results" / "scores.json").read_text(encoding="utf-8"))
    by_group = {u["group"]: u["variant"] for u in doc["units"]}
    assert set(by_group) == {"乡镇", "县直部门"}
    variants = {u["unit_id"]: u["variant"] for u in doc["units"]}
    assert variants["X01"] != variants["D01"]  # each group scored on its own variant
    assert all(u["status"] in ("scored", "incomplete") for u in doc["units"])
    assert "县市区" not in doc["groups"] and "市直部门" not in doc["groups"]

    _run(["report", "-f", "md,xlsx"])
    notice = (root / "report" / "通报.md").read_text(encoding="utf-8")
    assert "乡镇" in notice and "县直部门" in notice
    assert "县市区共" not in notice and "市直部门共" not in notice
    assert "功能区" not in notice  # a rubric group with no units of this campaign is not a group of its notice


def test_group_map_onto_a_group_the_rubric_lacks_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "units.csv").write_text(ROSTER, encoding="utf-8")
    _run(["new", "县考评", "--rubric", "jingzhou-2021", "--roster", "units.csv"])
    root = tmp_path / "县考评"
    toml = (root / "zwgk.toml").read_text(encoding="utf-8")
    bad = 'group_map = {"乡镇" = "县区", "县直部门" = "市直部门"}\n'
    (root / "zwgk.toml").write_text(toml.replace("[campaign]\n", "[campaign]\n" + bad, 1), encoding="utf-8")
    monkeypatch.chdir(root)
    res = CliRunner().invoke(app_(), ["init-sheets"])
    assert res.exit_code == 2
    assert "group_map" in res.output and "县区" in res.output
