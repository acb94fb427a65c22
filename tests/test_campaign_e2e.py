"""A campaign from start to finish, as the office runs it (issue #15's done-when test).

A small 绵阳 campaign with two 检查组 — 网站检查组 (第二部分: websites and new media) and 市政务公开办
(the rest) — and a monitoring company's findings table for some website inputs.  A unit is added
to the roster midway (init-sheets issues only its workbooks, the others stay byte for byte);
``status`` counts per team and group; ``score`` runs, a unit appeals and one value of its
returned team workbook is corrected; ``report`` refuses the now stale scores; ``score`` runs again
(round 02); ``diff`` names the appeal's input, file, sheet, cell and the total's change and writes
复核记录.xlsx; ``report --draft`` writes the 初评结果反馈; ``report --compare`` sets last year's
results (the same campaign scored with other values under 2021) beside this year's.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import TEAMS_TOML, load_sample
from typer.testing import CliRunner

from zwgk_cli.cli import app
from zwgk_cli.demo import fill
from zwgk_cli.engine import score_unit
from zwgk_cli.model import ReadingKey, Rubric, Unit, Value
from zwgk_cli.rubric import resolve
from zwgk_cli.scoring import status as st
from zwgk_cli.workbook import layout as L

WEB, OFFICE = "网站检查组", "市政务公开办"
FIRST = ("涪城区", "游仙区", "市发展改革委")  # the roster when the workbooks are first issued
ADDED = "市经信局"  # added to the roster midway
APPELLANT = "游仙区"  # its office workbook is corrected after the first round
COUNTIES, DEPTS = "县市区/园区", "市级部门"


def _run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(app, args, catch_exceptions=False)


def _json(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, code: int = 0) -> Any:
    res = _run([*args, "--json"], cwd, monkeypatch)
    assert res.exit_code == code, res.output
    return json.loads(res.stdout)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_roster(root: Path, sample: Path, names: tuple[str, ...]) -> None:
    """The sample's units.csv and websites.csv cut down to ``names``."""
    for file, column in (("units.csv", "单位名称"), ("websites.csv", "所属单位")):
        with (sample / file).open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        with (root / file).open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(r for r in rows if r[column] in names)


def _new(tmp: Path, name: str, monkeypatch: pytest.MonkeyPatch, extra: str = "", year: int = 2022) -> Path:
    res = _run(["new", name, "--sample", "mianyang-2022"], tmp, monkeypatch)
    assert res.exit_code == 0, res.output
    root = tmp / name
    cfg = root / "zwgk.toml"
    text = cfg.read_text(encoding="utf-8").replace("year = 2022", f"year = {year}", 1)
    text = text.replace("[notice]\n", '[notice]\nfeedback_deadline = "2023-01-06"\n', 1)
    cfg.write_text(text + extra, encoding="utf-8")
    (root / "returned").mkdir(exist_ok=True)
    return root


def _layout(path: Path) -> L.Layout:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return L.read_layout(wb.get_sheet_by_name(L.META_SHEET).to_python(skip_empty_area=False))


def _return(root: Path, team: str, unit: str, values: dict[ReadingKey, Value], skip: set[ReadingKey]) -> Path:
    """The unit's workbook of ``team``, filled with the values it has a cell for, into returned/."""
    src = root / "sheets" / team / f"{unit}-{team}.xlsx"
    keys = {m.key for m in _layout(src).inputs}
    mine = {k: v for k, v in values.items() if k in keys and k not in skip}
    dest = root / "returned" / src.name
    fill.fill_workbook(src, dest, mine, assessor="张三")
    return dest


def _appeal(rubric: Rubric, unit: Unit, values: dict[ReadingKey, Value], office_keys: set[ReadingKey]) -> ReadingKey:
    """An input of the office's workbook whose flipped yes/no answer changes the unit's total."""
    variant = resolve(rubric, unit)
    before = score_unit(rubric, variant, unit, values).total
    for k in sorted(office_keys, key=str):
        if values.get(k) in ("是", "否"):
            changed = {**values, k: "否" if values[k] == "是" else "是"}
            if score_unit(rubric, variant, unit, changed).total != before:
                return k
    raise AssertionError("no yes/no input of the office changes the total")


def _scores(root: Path) -> dict[str, Any]:
    doc = json.loads((root / "results" / "scores.json").read_text(encoding="utf-8"))
    return {u["unit"]: u for u in doc["units"]} | {"": doc}


def test_a_campaign_with_teams_rounds_an_appeal_and_last_year(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rubric, all_units = load_sample("mianyang-2022")
    units = {u.name: u for u in all_units if u.name in (*FIRST, ADDED)}
    values = {n: fill.random_values(rubric, u, seed=15, mild=True) for n, u in units.items()}
    root = _new(tmp_path, "2022年考评", monkeypatch, TEAMS_TOML)
    sample = root  # `new` wrote the whole sample roster: cut it down, keeping the full one aside
    full = tmp_path / "样例名单"
    full.mkdir()
    for f in ("units.csv", "websites.csv"):
        (full / f).write_bytes((sample / f).read_bytes())
    _write_roster(root, full, FIRST)

    # ---- issuing: one workbook per unit per team; a unit added midway gets only its own
    res = _run(["init-sheets"], root, monkeypatch)
    assert res.exit_code == 0, res.output
    books = sorted(str(p.relative_to(root / "sheets")) for p in (root / "sheets").rglob("*.xlsx"))
    assert books == sorted(f"{t}/{u}-{t}.xlsx" for t in (WEB, OFFICE) for u in FIRST)
    before = {p: _sha(p) for p in (root / "sheets").rglob("*.xlsx")}
    _write_roster(root, full, (*FIRST, ADDED))
    res = _run(["init-sheets"], root, monkeypatch)
    assert res.exit_code == 0, res.output
    assert "已发放 6 份(未改动),新发放 2 份" in res.stdout
    after = {p: _sha(p) for p in (root / "sheets").rglob("*.xlsx")}
    assert sorted(set(after) - set(before)) == [root / "sheets" / t / f"{ADDED}-{t}.xlsx" for t in (OFFICE, WEB)]
    assert all(after[p] == h for p, h in before.items())  # the issued ones byte for byte

    # ---- status before anything is returned: every team's workbook of every unit is owed
    out = _json(["status"], root, monkeypatch)
    lines = [(g["team"], g["group"], g["units"], g["issued"], g["missing"]) for g in out["groups"]]
    assert lines == [
        (WEB, COUNTIES, 2, 2, 2),
        (WEB, DEPTS, 2, 2, 2),
        (OFFICE, COUNTIES, 2, 2, 2),
        (OFFICE, DEPTS, 2, 2, 2),
    ]
    assert out["total"]["units"] == out["total"]["missing"] == 8

    # ---- the teams return their workbooks; the monitor's table gives five website inputs of 涪城区
    web_keys = [k for k in values["涪城区"] if k.target][:5]
    table = root / "监测导出.csv"
    with table.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["unit", "target", "criterion", "input", "value"])
        w.writerows(["涪城区", k.target, k.criterion, k.input, str(values["涪城区"][k])] for k in web_keys)
    for name in units:
        _return(root, OFFICE, name, values[name], set())
        if name != ADDED:  # the website team is late with the new unit
            _return(root, WEB, name, values[name], set(web_keys) if name == "涪城区" else set())
    (root / "returned" / f"涪城区-{OFFICE}.xlsx").unlink()  # the office's 涪城区 comes later, zipped
    import zipfile

    with zipfile.ZipFile(root / "returned" / "补交.zip", "w") as z:
        src = root / "sheets" / OFFICE / f"涪城区-{OFFICE}.xlsx"
        scratch = tmp_path / src.name
        office_keys = {m.key for m in _layout(src).inputs}
        fill.fill_workbook(src, scratch, {k: v for k, v in values["涪城区"].items() if k in office_keys}, "张三")
        z.write(scratch, src.name)

    out = _json(["status"], root, monkeypatch)
    by = {(g["team"], g["group"]): g for g in out["groups"]}
    assert (by[(WEB, DEPTS)]["complete"], by[(WEB, DEPTS)]["missing"]) == (1, 1)
    # status reads the returned folder only: the inputs left to the monitor's table are unfilled
    assert (by[(WEB, COUNTIES)]["complete"], by[(WEB, COUNTIES)]["incomplete"]) == (1, 1)
    assert (by[(OFFICE, COUNTIES)]["complete"], by[(OFFICE, DEPTS)]["complete"]) == (2, 2)
    state = {(u["unit"], u["team"]): u["state"] for u in out["units"]}
    assert state[(ADDED, WEB)] == "missing" and state[(ADDED, OFFICE)] == "complete"
    assert state[("涪城区", WEB)] == "incomplete" and state[("涪城区", OFFICE)] == "complete"  # from the zip
    res = _run(["status"], root, monkeypatch)
    assert res.exit_code == 0 and "检查组 / 分组" in res.stdout
    shown = [line.split() for line in res.stdout.splitlines()]
    assert next(r for r in shown if r[:1] == [WEB]) == [WEB, "4", "4", "3", "2", "1", "5", "0", "1"]  # its total
    assert next(r for r in shown if r[:1] == [DEPTS]) == [DEPTS, "2", "2", "1", "1", "0", "0", "0", "1"]  # below it
    assert f"{WEB} · {DEPTS} 缺 1:{ADDED}" in res.stdout.splitlines()

    _return(root, WEB, ADDED, values[ADDED], set())
    assert _json(["status"], root, monkeypatch)["total"]["complete"] == 7

    # ---- round 01
    s1 = _json(["score", "--inputs", str(table)], root, monkeypatch)
    assert s1["round"] == 1 and s1["new_round"] is True
    first = _scores(root)
    assert all(first[n]["status"] == "scored" for n in units)
    assert first[""]["round"] == 1

    # ---- the appeal: 游仙区's office workbook is corrected (one yes/no answer flipped)
    appellant = units[APPELLANT]
    src = root / "sheets" / OFFICE / f"{APPELLANT}-{OFFICE}.xlsx"
    lay = _layout(src)
    key = _appeal(rubric, appellant, values[APPELLANT], {m.key for m in lay.inputs})
    cell = next(m for m in lay.inputs if m.key == key)
    old, new = values[APPELLANT][key], "否" if values[APPELLANT][key] == "是" else "是"
    corrected = {**values[APPELLANT], key: new}
    returned_book = _return(root, OFFICE, APPELLANT, corrected, set())

    # the scores are stale now: the report stops, naming the workbook
    res = _run(["report", "--formats", "md"], root, monkeypatch)
    assert res.exit_code == 1, res.output
    assert f"{APPELLANT}-{OFFICE}.xlsx" in res.output and "zwgk score" in res.output
    assert not (root / "report" / "通报.md").exists()

    # ---- round 02
    s2 = _json(["score", "--inputs", str(table)], root, monkeypatch)
    assert s2["round"] == 2 and s2["new_round"] is True
    second = _scores(root)
    assert sorted(p.name for p in (root / "results" / "rounds").iterdir()) == ["01", "02"]
    assert json.loads((root / "results" / "rounds" / "01" / "scores.json").read_text(encoding="utf-8"))["round"] == 1
    t1, t2 = Decimal(str(first[APPELLANT]["total"])), Decimal(str(second[APPELLANT]["total"]))
    assert t1 != t2
    assert all(first[n]["total"] == second[n]["total"] for n in units if n != APPELLANT)
    # scoring the same inputs again adds no round
    assert _json(["score", "--inputs", str(table)], root, monkeypatch)["new_round"] is False

    # ---- diff: the appeal's input, where it was read, and the total's change
    res = _run(["diff"], root, monkeypatch)
    assert res.exit_code == 0, res.output
    text = res.stdout
    assert "第1轮 → 第2轮" in text
    where = f"[returned/{returned_book.name} {cell.sheet} {cell.cell}]"
    assert f"{old} → {new}  {where}" in text, text
    change = t2 - t1
    sign = "+" if change > 0 else ""
    total = rf"总分 {t1.normalize()} → {t2.normalize()}[(（]{re.escape(sign)}{change.normalize()}[)）]"
    assert re.search(total, text), text
    assert "共 1 处填写内容有变化" in text
    wb = openpyxl.load_workbook(root / "results" / "复核记录.xlsx")
    assert wb.sheetnames == ["变更明细", "得分变化"]
    rows = [[c for c in r] for r in wb["变更明细"].iter_rows(values_only=True)]
    head, body = rows[0], rows[1:]
    assert len(body) == 1
    row = dict(zip(head, body[0], strict=True))
    assert APPELLANT in str(row["单位"])
    assert (row["评分表文件"], row["工作表"], row["单元格"]) == (
        f"returned/{returned_book.name}",
        cell.sheet,
        cell.cell,
    )
    assert {str(v) for v in row.values()} >= {old, new}
    scores = [[c for c in r] for r in wb["得分变化"].iter_rows(values_only=True)]
    changed = [dict(zip(scores[0], r, strict=True)) for r in scores[1:]]
    mine = next(r for r in changed if APPELLANT in str(r["单位"]))
    assert Decimal(str(mine["增减"])) == change

    # ---- the report is current again
    res = _run(["report", "--formats", "md,xlsx"], root, monkeypatch)
    assert res.exit_code == 0, res.output
    assert "第2轮" in res.output

    # ---- 初评结果反馈: one DOCX and one XLSX per scored unit
    res = _run(["report", "--draft"], root, monkeypatch)
    assert res.exit_code == 0, res.output
    assert "已为 4 个单位生成初评结果反馈" in res.output
    drafts = root / "report" / "初评结果反馈"
    assert sorted(p.name for p in drafts.iterdir() if p.suffix in (".docx", ".xlsx")) == sorted(
        f"{n}{ext}" for n in units for ext in (".docx", ".xlsx")
    )
    fb = openpyxl.load_workbook(drafts / f"{APPELLANT}.xlsx")
    cells = " ".join(str(c.value) for ws in fb.worksheets for r in ws.iter_rows() for c in r if c.value is not None)
    assert "初评" in cells and str(t2.normalize()) in cells and "2023年1月6日前" in cells
    # each deduction names the team workbook it was read from
    grid = [list(r) for r in fb.worksheets[0].iter_rows(values_only=True)]
    head_at = next(i for i, r in enumerate(grid) if "评分表文件" in r)
    lost = [dict(zip(grid[head_at], r, strict=True)) for r in grid[head_at + 1 :] if isinstance(r[0], int)]
    web_parts = {"政府网站", "政务新媒体"}
    assert {r["分项"] in web_parts for r in lost} == {True, False}  # deductions of both teams
    for r in lost:
        team = WEB if r["分项"] in web_parts else OFFICE
        assert r["评分表文件"] == f"returned/{APPELLANT}-{team}.xlsx", r

    # ---- last year: the same campaign (no teams, whole workbooks) with other values, under 2021
    last = _new(tmp_path, "2021年考评", monkeypatch, year=2021)
    _write_roster(last, full, FIRST)
    assert _run(["init-sheets"], last, monkeypatch).exit_code == 0
    for name in FIRST:
        src = last / "sheets" / f"{name}.xlsx"
        fill.fill_workbook(src, last / "returned" / src.name, fill.random_values(rubric, units[name], seed=2021))
    assert _run(["score"], last, monkeypatch).exit_code == 0
    previous = _scores(last)

    res = _run(["report", "--formats", "md,xlsx", "--compare", str(last)], root, monkeypatch)
    assert res.exit_code == 0, res.output
    notice = (root / "report" / "通报.md").read_text(encoding="utf-8")
    assert "与上年比较" in notice and ADDED in notice.split("与上年比较", 1)[1]  # named as new
    ranking = openpyxl.load_workbook(root / "report" / "排名.xlsx")
    assert "与上年比较" in ranking.sheetnames
    grid = [list(r) for r in ranking["与上年比较"].iter_rows(values_only=True)]
    flat = [str(v) for r in grid for v in r if v is not None]
    for name in FIRST:  # last year's total stands in the unit's row
        row = next(r for r in grid if name in [str(v) for v in r])
        assert any(v is not None and str(v) == str(previous[name]["total"]) for v in row), (name, row)
    assert any(ADDED in v for v in flat)


def test_status_matches_each_team_its_own_workbook_and_a_whole_one_to_the_teams_without() -> None:
    rubric, all_units = load_sample("mianyang-2022")
    units = [u for u in all_units if u.name in FIRST]
    fucheng, youxian, fagai = (next(u for u in units if u.name == n) for n in FIRST)
    files = [
        st.FileState("returned/涪城区-网站检查组.xlsx", fucheng.id, True, True, team=WEB),
        st.FileState("returned/涪城区.xlsx", fucheng.id, True, False, unfilled=3),  # a whole workbook
        st.FileState("returned/游仙区.xlsx", youxian.id, True, True),
        st.FileState("returned/旧检查组.xlsx", fagai.id, False, errors=1, team="旧检查组"),  # T007
    ]
    status = st.collect(rubric, units, [], files, {}, teams_of=lambda _u: [WEB, OFFICE])
    got = {(s.unit.name, s.team): (s.state, s.files) for s in status.units}
    assert got == {
        ("涪城区", WEB): (st.COMPLETE, ("returned/涪城区-网站检查组.xlsx",)),
        ("涪城区", OFFICE): (st.INCOMPLETE, ("returned/涪城区.xlsx",)),
        ("游仙区", WEB): (st.COMPLETE, ("returned/游仙区.xlsx",)),
        ("游仙区", OFFICE): (st.COMPLETE, ("returned/游仙区.xlsx",)),
        ("市发展改革委", WEB): (st.UNUSABLE, ("returned/旧检查组.xlsx",)),
        ("市发展改革委", OFFICE): (st.UNUSABLE, ("returned/旧检查组.xlsx",)),
    }
    assert [(t.team, t.group, t.units) for t in status.rows()] == [
        (WEB, COUNTIES, 2),
        (WEB, DEPTS, 1),
        (OFFICE, COUNTIES, 2),
        (OFFICE, DEPTS, 1),
    ]
    assert (status.total(WEB).complete, status.total(OFFICE).complete, status.total().units) == (2, 1, 6)
