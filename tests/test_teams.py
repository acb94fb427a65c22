"""检查组: ``[[teams]]`` in zwgk.toml, one workbook per unit per team, merged at scoring.

A 绵阳 campaign with two teams — 网站检查组 (第二部分: websites and new media) and 市政务公开办
(the rest) — and a monitoring company's findings table for some website inputs: the merged
scores equal scoring the same values in one full workbook; a value given twice differently is a
located conflict naming both places; the same value twice is fine; a team that sent nothing is
named; the 明细, problems and 整改清单 say which team.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import TEAMS_TOML, load_sample
from typer.testing import CliRunner

from zwgk_cli import campaign as campaign_mod
from zwgk_cli import office
from zwgk_cli.campaign import Team
from zwgk_cli.cli import app
from zwgk_cli.demo import fill
from zwgk_cli.engine import score_unit
from zwgk_cli.model import ReadingKey, Rubric, Unit, Value
from zwgk_cli.rubric import resolve
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook import write as sheets
from zwgk_cli.workbook.teams import Teams, resolve_teams

UNITS = ("涪城区", "市发展改革委")  # one website, two websites
WEB, OFFICE = "网站检查组", "市政务公开办"


def _run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(app, args, catch_exceptions=False)


def _new(tmp: Path, name: str, teams: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    res = _run(["new", name, "--sample", "mianyang-2022"], tmp, monkeypatch)
    assert res.exit_code == 0, res.output
    root = tmp / name
    with (root / "zwgk.toml").open("a", encoding="utf-8") as fh:
        fh.write(teams)
    (root / "returned").mkdir(exist_ok=True)
    return root


def _teams(rubric: Rubric) -> Teams:
    teams, problems = resolve_teams(rubric, [Team(WEB, ("p2",)), Team(OFFICE, ("p1", "p3", "p4"))])
    assert teams is not None and not problems
    return teams


def _layout(path: Path) -> L.Layout:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return L.read_layout(wb.get_sheet_by_name(L.META_SHEET).to_python(skip_empty_area=False))


def _units(names: tuple[str, ...] = UNITS) -> tuple[Rubric, list[Unit]]:
    rubric, units = load_sample("mianyang-2022")
    return rubric, [next(u for u in units if u.name == n) for n in names]


def _scores(root: Path) -> dict[str, Any]:
    doc = json.loads((root / "results" / "scores.json").read_text(encoding="utf-8"))
    return {u["unit"]: u for u in doc["units"]}


def _problems(root: Path) -> list[dict[str, Any]]:
    doc = json.loads((root / "results" / "problems.json").read_text(encoding="utf-8"))
    return list(doc["problems"])


def _fill_team_books(root: Path, values: Mapping[str, Mapping[ReadingKey, Value]], skip: set[ReadingKey]) -> None:
    """Fill each issued team workbook with the unit's values it has a cell for (but ``skip``)."""
    for team in (WEB, OFFICE):
        for src in sorted((root / "sheets" / team).glob("*.xlsx")):
            lay = _layout(src)
            keys = {m.key for m in lay.inputs}
            mine = {k: v for k, v in values[lay.meta.unit_name].items() if k in keys and k not in skip}
            fill.fill_workbook(src, root / "returned" / src.name, mine, assessor="张三")


def _findings(path: Path, rows: list[tuple[Unit, ReadingKey, Value]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["unit", "target", "criterion", "input", "value"])
        for u, k, v in rows:
            w.writerow([u.name, k.target, k.criterion, k.input, str(v)])


# ------------------------------------------------------------------ the settings


def test_teams_are_checked_against_the_rubric_with_located_problems(tmp_path: Path) -> None:
    rubric, _ = _units()
    wrong = [
        Team(WEB, ("第二部分 政府网站和政府系统政务新媒体", "p9"), ("account",), line=3),
        Team(OFFICE, ("p1", "p2m", "p3"), (), line=8),
    ]
    _, problems = resolve_teams(rubric, wrong, "zwgk.toml")
    got = {(p.code, p.path, p.line): p.message for p in problems}
    assert got[("T001", "[[teams]] 网站检查组", 3)] == "检查组“网站检查组”的部分“p9”在细则中找不到"
    assert (
        got[("T002", "[[teams]] 网站检查组", 3)]
        == "检查组“网站检查组”的对象类型“account”在细则中没有按它逐个评分的部分"
    )
    assert got[("T004", "[[teams]]", 3)] == "部分“第四部分 加分指标”没有分给任何检查组"
    # the nearest naming wins: p2m named by the office, its parent p2 by the website team
    assert "T003" not in {p.code for p in problems}
    _, twice = resolve_teams(rubric, [Team(WEB, ("p2",), ("website",)), Team(OFFICE, ("p1", "p3", "p4", "政府网站"))])
    assert [(p.code, p.message) for p in twice] == [
        ("T003", "部分“政府网站”同时分给了检查组“网站检查组”、“市政务公开办”")
    ]
    assert resolve_teams(rubric, []) == (None, [])


def test_teams_in_zwgk_toml_are_read_with_their_lines_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _new(tmp_path, "考评", TEAMS_TOML, monkeypatch)
    camp = campaign_mod.load(root)
    assert [(t.name, t.parts, t.targets) for t in camp.teams] == [
        (WEB, ("第二部分 政府网站和政府系统政务新媒体",), ()),
        (OFFICE, ("p1", "日常工作", "p4"), ()),
    ]
    lines = (root / "zwgk.toml").read_text(encoding="utf-8").splitlines()
    assert [lines[t.line - 1] for t in camp.teams if t.line] == ["[[teams]]", "[[teams]]"]
    cfg = root / "zwgk.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + '\n[[teams]]\nname = "网站检查组"\nmembers = ["张三"]\n', "utf-8")
    with pytest.raises(campaign_mod.CampaignError) as info:
        campaign_mod.load(root)
    (bad,) = info.value.problems
    assert bad.code == "C007" and bad.path == "teams" and "members" in bad.hint
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(TEAMS_TOML, "").split("\n[[teams]]")[0], "utf-8")
    with cfg.open("a", encoding="utf-8") as fh:
        fh.write('\n[[teams]]\nname = "网站检查组"\nparts = ["p2", "p5"]\n')
    res = _run(["init-sheets"], root, monkeypatch)
    assert res.exit_code == 2
    assert "T001" in res.output and "p5" in res.output and "T004" in res.output


# ------------------------------------------------------------------ issuing


def test_init_sheets_issues_one_workbook_per_unit_per_team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _new(tmp_path, "考评", TEAMS_TOML, monkeypatch)
    res = _run(["init-sheets", "--units", "涪城区、市发展改革委"], root, monkeypatch)
    assert res.exit_code == 0, res.output
    books = sorted(str(p.relative_to(root / "sheets")) for p in (root / "sheets").rglob("*.xlsx"))
    assert books == [
        "市政务公开办/市发展改革委-市政务公开办.xlsx",
        "市政务公开办/涪城区-市政务公开办.xlsx",
        "网站检查组/市发展改革委-网站检查组.xlsx",
        "网站检查组/涪城区-网站检查组.xlsx",
    ]
    web = _layout(root / "sheets" / WEB / "市发展改革委-网站检查组.xlsx")
    assert web.meta.extra == {"team": WEB, "team_parts": "p2w,p2m"}
    parts = {s.part for s in web.sheets if s.role in (L.ROLE_PART, L.ROLE_TARGET)}
    assert parts == {"p2w", "p2m"}
    assert {m.key.criterion[:1] for m in web.inputs} <= {"w", "m"}  # 网站 and 新媒体 criteria only
    office_book = _layout(root / "sheets" / OFFICE / "涪城区-市政务公开办.xlsx")
    assert {s.part for s in office_book.sheets if s.role == L.ROLE_PART} == {"p1", "p3", "p4"}
    # the two halves hold every input of the unit's full workbook, once
    rubric, (fucheng, _) = _units()
    _, full = sheets.build_workbook(rubric, fucheng)
    web_f = _layout(root / "sheets" / WEB / "涪城区-网站检查组.xlsx")
    halves = [m.key for m in web_f.inputs] + [m.key for m in office_book.inputs]
    assert sorted(halves) == sorted(m.key for m in full.inputs)

    import openpyxl

    wb = openpyxl.load_workbook(root / "sheets" / WEB / "涪城区-网站检查组.xlsx")
    cover = " ".join(str(c.value) for row in wb["封面"].iter_rows() for c in row if c.value)
    assert "检查组 网站检查组" in cover and "本表评分部分 政府网站、政务新媒体(本表满分 55 分)" in cover
    assert "第一部分 政务公开、政府信息公开、第三部分 日常工作、第四部分 加分指标由市政务公开办评分" in cover
    summary = [[c.value for c in row] for row in wb["汇总"].iter_rows()]
    labels = [row[0] for row in summary]
    assert "本组合计" in labels and "总分" not in labels
    tier = next(row for row in summary if row[0] == "等次")
    assert tier[4] == "合并后评定"
    assert "本表是网站检查组的评分表" in str(summary[1][0])
    # the office's bonus part: its gate (第二部分 ≥ 44) is judged once merged
    wb2 = openpyxl.load_workbook(root / "sheets" / OFFICE / "涪城区-市政务公开办.xlsx")
    cover2 = " ".join(str(c.value) for row in wb2["封面"].iter_rows() for c in row if c.value)
    assert "合并时判定 第四部分 加分指标的加分门槛(第二部分 政府网站和政府系统政务新媒体达到44分)" in cover2


# ------------------------------------------------------------------ scoring: merged = one full workbook


@pytest.fixture
def merged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Team workbooks filled, some website inputs left to a monitoring company's findings table;
    and, for comparison, a campaign without teams scoring full workbooks with the same values."""
    rubric, units = _units()
    values = {u.name: fill.random_values(rubric, u, seed=11, mild=True) for u in units}
    root = _new(tmp_path, "分组考评", TEAMS_TOML, monkeypatch)
    assert _run(["init-sheets", "--units", "、".join(UNITS)], root, monkeypatch).exit_code == 0
    web_keys = [k for k in values["涪城区"] if k.target][:5]  # five website inputs from the monitor
    _fill_team_books(root, values, set(web_keys))
    table = root / "监测导出.csv"
    _findings(table, [(units[0], k, values["涪城区"][k]) for k in web_keys])
    whole = _new(tmp_path, "整表考评", "", monkeypatch)
    assert _run(["init-sheets", "--units", "、".join(UNITS)], whole, monkeypatch).exit_code == 0
    for u in units:
        src = whole / "sheets" / f"{u.name}.xlsx"
        fill.fill_workbook(src, whole / "returned" / src.name, values[u.name], assessor="张三")
    assert _run(["score"], whole, monkeypatch).exit_code == 1  # the other units are missing
    return {
        "root": root,
        "whole": whole,
        "table": table,
        "values": values,
        "units": units,
        "rubric": rubric,
        "web_keys": web_keys,
    }


def _same_scores(a: Mapping[str, Any], b: Mapping[str, Any]) -> None:
    for key in ("status", "total", "tier", "parts", "vetoes", "bonus_counted", "thresholds", "targets"):
        assert a[key] == b[key], key
    # where each input was read (cells) differs by source: a team's workbook, the whole one, a table
    strip = [{k: v for k, v in row.items() if k not in ("team", "cells")} for row in a["criteria"]]
    assert strip == [{k: v for k, v in row.items() if k != "cells"} for row in b["criteria"]]


def test_merged_team_workbooks_and_findings_score_as_one_full_workbook(
    merged: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = merged["root"]
    res = _run(["score", "--inputs", "监测导出.csv"], root, monkeypatch)
    assert res.exit_code == 1  # 47 units missing
    got, want = _scores(root), _scores(merged["whole"])
    rubric = merged["rubric"]
    for u in merged["units"]:
        assert got[u.name]["status"] == "scored", [p for p in _problems(root) if p["unit"] == u.name]
        _same_scores(got[u.name], want[u.name])
        us = score_unit(rubric, resolve(rubric, u), u, merged["values"][u.name])
        assert Decimal(str(got[u.name]["total"])) == us.total
    files = got["涪城区"]["files"]
    assert files == ["returned/涪城区-市政务公开办.xlsx", "returned/涪城区-网站检查组.xlsx", "监测导出.csv"]
    teams = {row["criterion"]: row["team"] for row in got["涪城区"]["criteria"]}
    assert teams["p1_1"] == OFFICE and teams["w_org"] == WEB
    # no problem for the inputs the monitor gave and the website team left empty
    mine = [p for p in _problems(root) if p["unit"] in UNITS]
    assert not [p for p in mine if p["severity"] == "error"], mine
    # the 明细 has a 检查组 column
    import openpyxl

    detail = openpyxl.load_workbook(root / "results" / "scores.xlsx", read_only=True)["明细"]
    rows = [list(r) for r in detail.iter_rows(values_only=True)]
    assert rows[0][4:7] == ["部分", "检查组", "指标"]
    assert {r[5] for r in rows[1:] if r[1] == "涪城区"} == {WEB, OFFICE}
    # without teams the 明细 and problems have no such column
    whole_detail = openpyxl.load_workbook(merged["whole"] / "results" / "scores.xlsx", read_only=True)["明细"]
    assert "检查组" not in next(whole_detail.iter_rows(values_only=True))
    assert (
        "检查组" not in (merged["whole"] / "results" / "problems.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    )
    assert all("team" not in p for p in _problems(merged["whole"]))

    res = _run(["report", "-f", "xlsx"], root, monkeypatch)
    assert res.exit_code in (0, 1), res.output
    rect = openpyxl.load_workbook(root / "report" / "整改清单" / "涪城区.xlsx")["整改清单"]
    header = [c.value for c in rect[5]]
    assert header[10] == "检查组" and header[11] == "整改措施(单位填写)"
    found = {rect.cell(r, 11).value for r in range(6, rect.max_row + 1)}
    assert found <= {WEB, OFFICE} and found


def test_a_value_given_twice_differently_is_a_located_conflict_naming_both(
    merged: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, u = merged["root"], merged["units"][0]
    key = next(k for k in merged["values"]["涪城区"] if k.target and k not in merged["web_keys"])
    value = merged["values"]["涪城区"][key]
    other: Value = "否" if value == "是" else "是" if isinstance(value, str) else value + 1
    cell = next(m for m in _layout(root / "returned" / "涪城区-网站检查组.xlsx").inputs if m.key == key)
    # the table gives an input the website team filled too, with another value
    rows = [(u, k, merged["values"]["涪城区"][k]) for k in merged["web_keys"]]
    _findings(merged["table"], [*rows, (u, key, other)])
    res = _run(["score", "--inputs", "监测导出.csv"], root, monkeypatch)
    assert res.exit_code == 1
    conflicts = [p for p in _problems(root) if p["code"] == "T005"]
    assert len(conflicts) == 1, conflicts
    (c,) = conflicts
    assert c["file"] == "监测导出.csv" and c["line"] == len(rows) + 2 and c["team"] == WEB
    assert f"returned/涪城区-网站检查组.xlsx {cell.sheet}!{cell.cell}填“" in c["message"]
    assert f"监测导出.csv 第{len(rows) + 2}行填“" in c["message"] and "均未采用" in c["message"]
    assert _scores(root)["涪城区"]["status"] == "incomplete"
    assert _scores(root)["市发展改革委"]["status"] == "scored"


def test_the_same_value_in_a_workbook_and_the_table_is_fine(
    merged: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, u = merged["root"], merged["units"][0]
    vals = merged["values"]["涪城区"]
    key = next(k for k in vals if k.target and k not in merged["web_keys"])  # also in the workbook
    rows = [(u, k, vals[k]) for k in merged["web_keys"]] + [(u, key, vals[key])]
    _findings(merged["table"], rows)
    res = _run(["score", "--inputs", "监测导出.csv"], root, monkeypatch)
    assert res.exit_code == 1
    assert not [p for p in _problems(root) if p["unit"] == "涪城区" and p["severity"] == "error"]
    _same_scores(_scores(root)["涪城区"], _scores(merged["whole"])["涪城区"])


def test_a_missing_team_workbook_leaves_the_unit_incomplete_naming_the_team(
    merged: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = merged["root"]
    (root / "returned" / "市发展改革委-网站检查组.xlsx").unlink()
    res = _run(["score", "--inputs", "监测导出.csv"], root, monkeypatch)
    assert res.exit_code == 1
    missing = [p for p in _problems(root) if p["code"] == "T006"]
    assert [(p["unit"], p["team"], p["message"]) for p in missing] == [
        ("市发展改革委", WEB, "单位“市发展改革委”没有交回网站检查组的评分表(该组评分:政府网站、政务新媒体)")
    ]
    assert _scores(root)["市发展改革委"]["status"] == "incomplete"
    assert "T006" in (root / "results" / "problems.csv").read_text(encoding="utf-8-sig")
    header = (root / "results" / "problems.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "级别,代码,文件,工作表,单元格,单位,检查组,指标,问题,怎么办"


def test_two_workbooks_of_one_team_or_two_whole_workbooks_are_refused(
    merged: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = merged["root"]
    shutil.copyfile(root / "returned" / "涪城区-网站检查组.xlsx", root / "returned" / "涪城区-网站检查组(2).xlsx")
    whole = merged["whole"] / "returned" / "市发展改革委.xlsx"
    shutil.copyfile(whole, root / "returned" / "市发展改革委.xlsx")
    shutil.copyfile(whole, root / "returned" / "市发展改革委(副本).xlsx")
    res = _run(["score"], root, monkeypatch)
    assert res.exit_code == 1
    probs = _problems(root)
    twice = sorted(p["file"] for p in probs if p["code"] == "T008")
    assert twice == ["returned/涪城区-网站检查组(2).xlsx", "returned/涪城区-网站检查组.xlsx"]
    assert sorted(p["file"] for p in probs if p["code"] == "W014") == [
        "returned/市发展改革委(副本).xlsx",
        "returned/市发展改革委.xlsx",
    ]
    scores = _scores(root)
    assert scores["涪城区"]["status"] == scores["市发展改革委"]["status"] == "invalid"


def test_a_whole_workbook_alone_still_scores_in_a_campaign_with_teams(
    merged: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = merged["root"]
    for p in (root / "returned").glob("市发展改革委-*.xlsx"):
        p.unlink()
    shutil.copyfile(merged["whole"] / "returned" / "市发展改革委.xlsx", root / "returned" / "市发展改革委.xlsx")
    assert _run(["score"], root, monkeypatch).exit_code == 1
    _same_scores(_scores(root)["市发展改革委"], _scores(merged["whole"])["市发展改革委"])


def test_a_team_workbook_in_a_campaign_without_teams_is_refused(
    merged: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = merged["whole"]
    shutil.copyfile(
        merged["root"] / "returned" / "涪城区-网站检查组.xlsx", whole / "returned" / "涪城区-网站检查组.xlsx"
    )
    (whole / "returned" / "涪城区.xlsx").unlink()
    assert _run(["score"], whole, monkeypatch).exit_code == 1
    (p,) = [p for p in _problems(whole) if p["file"] == "returned/涪城区-网站检查组.xlsx"]
    assert p["code"] == "T007" and "zwgk.toml 中没有设置检查组" in p["message"]


# ------------------------------------------------------------------ formulas of a team's workbook


@pytest.mark.libreoffice
def test_a_team_workbook_recalculated_by_libreoffice_agrees_with_the_engine(soffice: str, tmp_path: Path) -> None:
    rubric, units = _units(("市发展改革委", "涪城区"))
    teams = _teams(rubric)
    cases = []
    for k, u in enumerate(units):
        variant = resolve(rubric, u)
        for team in teams.names:
            view = teams.view(variant, team)
            assert view is not None
            values = fill.random_values(rubric, u, seed=30 + k, fill=0.8 if k else 1.0, variant=view, mild=k == 0)
            data, lay = sheets.build_workbook(rubric, u, team=(teams, team))
            src = tmp_path / f"{u.id}-{len(cases)}.xlsx"
            src.write_bytes(data)
            dest = tmp_path / "filled" / src.name
            fill.fill_workbook(src, dest, values)
            cases.append((u, view, values, lay, dest))
    out = office.recalculate([c[4] for c in cases], tmp_path / "calc")
    from test_formulas_libreoffice import _grid_values, _same

    checked = 0
    for (u, view, values, lay, _), path in zip(cases, out, strict=True):
        us = score_unit(rubric, view, u, values)
        expected = L.expected_values(lay, us, view, values)
        assert len(expected) == len(lay.results)
        got = _grid_values(path, [(r.sheet, r.cell) for r in expected])
        bad = [
            f"{r.sheet}!{r.cell} {r.role}: {got[(r.sheet, r.cell)]!r} ≠ {e!r}"
            for r, e in expected.items()
            if not _same(got[(r.sheet, r.cell)], e)
        ]
        assert not bad, bad
        checked += len(expected)
        total = next(r for r in expected if r.role == "total")
        assert expected[total] == us.total  # 本组合计: the team's parts only
    assert checked > 300


def test_docs_list_every_team_code() -> None:
    from zwgk_cli.problems import SEVERITY_LABELS, Code

    doc = (Path(__file__).parent.parent / "docs" / "score.md").read_text(encoding="utf-8")
    codes = [c for c in Code if c.code.startswith("T")]
    assert len(codes) == 8
    for code in codes:
        row = f"| {code.code} | {SEVERITY_LABELS[code.severity]} | {code.template} | {code.hint_template} |"
        assert row in doc, code.code
