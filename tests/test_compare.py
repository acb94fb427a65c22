"""``zwgk report --compare``: last year's results beside this year's (tests/data/make_previous.py
makes last year from the golden campaign: another rubric, changed values, a unit renamed to
an alias, one under another id, one new, one gone)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from zwgk_cli.cli import app
from zwgk_cli.report.compare import HOW_ALIAS, HOW_ID, HOW_NAME, Previous, fmt_change, fmt_share, share
from zwgk_cli.report.context import build
from zwgk_cli.results.model import Scores, load, parse

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "scores.json"
PREVIOUS = HERE / "data" / "previous-scores.json"
ALIASES = {"G02": ("乙县旧名",)}
ROSTER = "编号,单位名称,分组,别名\n" + "".join(
    f"{uid},{name},{group},{'乙县旧名' if uid == 'G02' else ''}\n"
    for uid, name, group in (
        ("G01", "甲区", "县市区"),
        ("G02", "乙县", "县市区"),
        ("G03", "丙县", "县市区"),
        ("G04", "丁县", "县市区"),
        ("G05", "戊县", "县市区"),
        ("G06", "己县", "县市区"),
        ("D01", "市一局", "市级部门"),
        ("D02", "市二局", "市级部门"),
        ("D03", "市三局", "市级部门"),
        ("D04", "市四局", "市级部门"),
        ("D05", "市五局", "市级部门"),
        ("D06", "市六局", "市级部门"),
        ("D07", "市七局", "市级部门"),
    )
)


def _now() -> Scores:
    return load(GOLDEN)


def _compare(aliases: dict[str, tuple[str, ...]] = ALIASES, prev: Scores | None = None) -> Any:
    report = build(_now(), previous=Previous(prev or load(PREVIOUS), "previous-scores.json", aliases))
    assert report.compare is not None
    return report


def test_the_fixture_is_last_years_campaign_scored() -> None:
    prev = load(PREVIOUS)
    assert prev.campaign["year"] == "2023" and _now().campaign["year"] == "2024"
    assert {u.unit for u in prev.units} >= {"乙县旧名", "市八局"} and "市一局" not in {u.unit for u in prev.units}
    assert prev.units[0].max == Decimal("120") and _now().units[0].max == Decimal("110")


def test_units_are_matched_by_id_then_name_then_alias() -> None:
    cmp = _compare().compare
    how = {c.unit: (c.pair.how, c.pair.then.unit if c.pair.then else None) for c in cmp.changes if c.pair.now}
    assert how["甲区"] == (HOW_ID, "甲区")
    assert how["乙县"] == (HOW_ALIAS, "乙县旧名")  # another id last year, this year's roster alias
    assert how["丙县"] == (HOW_NAME, "丙县")  # another id last year, the same name
    assert how["市四局"] == (HOW_ID, "市四局")  # returned nothing this year: matched, nothing compared
    assert how["市一局"] == ("", None)  # new
    assert [c.unit for c in cmp.new] == ["市一局"]
    assert [c.unit for c in cmp.gone] == ["市八局"]
    assert not cmp.problems
    # without the alias, 乙县 is new and 乙县旧名 is gone
    cmp = _compare({}).compare
    assert [c.unit for c in cmp.new] == ["乙县", "市一局"]
    assert [c.unit for c in cmp.gone] == ["乙县旧名", "市八局"]


def test_totals_are_compared_as_shares_of_each_years_maximum_exactly() -> None:
    cmp = _compare().compare
    by = {c.unit: c for c in cmp.changes}
    jia = by["甲区"]
    assert jia.pair.now.total == Decimal("104.5") and jia.pair.now.max == Decimal("110")
    assert jia.pair.then.total == Decimal("112.5") and jia.pair.then.max == Decimal("120")
    assert jia.share == Decimal("95.00") and jia.prev_share == Decimal("93.75") and jia.change == Decimal("1.25")
    assert (fmt_share(jia.share), fmt_share(jia.prev_share), fmt_change(jia.change)) == ("95.00%", "93.75%", "+1.25")
    yi = by["乙县"]  # 98.5/110 = 89.5454… → 89.55; 108.5/120 = 90.4166… → 90.42
    assert (yi.share, yi.prev_share, yi.change) == (Decimal("89.55"), Decimal("90.42"), Decimal("-0.87"))
    assert fmt_change(yi.change) == "-0.87" and fmt_change(Decimal("0.00")) == "0.00"
    for c in cmp.changes:  # every share is the total over the maximum, half-up to the hundredth
        for e, s in ((c.pair.now, c.share), (c.pair.then, c.prev_share)):
            if e is not None and e.scored:
                assert s == (e.total * 100 / e.max).quantize(Decimal("0.01"), "ROUND_HALF_UP")
                assert s == share(e)
            else:
                assert s is None
        assert c.change == (c.share - c.prev_share if c.share is not None and c.prev_share is not None else None)
    assert by["市四局"].change is None and by["市一局"].change is None
    assert by["丁县"].tier_move == "持平" and by["市五局"].tier_move == "下降"  # same tier labels both years


def test_parts_whose_rubric_changed_are_not_compared() -> None:
    report = _compare()
    same, changed = report.compare.columns["县市区"]
    assert [c.id for c in changed] == ["p3"]  # 第三部分 日常工作: 15 points this year, 25 last
    assert "p3" not in {c.id for c in same} and {"p1", "p2", "web", "bonus"} <= {c.id for c in same}
    parts = report.tables["compare-parts-1"]
    assert [r[0] for r in parts.rows] == [
        "政务公开",
        "网站和新媒体",
        "其中：政府网站",
        "其中：政务新媒体",
        "加分指标",
        "通报曝光",
    ]
    assert report.context["compare"]["groups"][0]["not_compared"] == "日常工作"
    # a part whose title changed is not comparable either, even with the same id and maximum
    prev = json.loads(PREVIOUS.read_text(encoding="utf-8"))
    for cols in prev["columns"].values():
        for c in cols:
            if c["id"] == "p1":
                c["title"] = "第一部分 政府信息公开"
    report = _compare(prev=parse(prev))
    assert "政务公开" not in [r[0] for r in report.tables["compare-parts-1"].rows]


def test_the_notice_and_the_ranking_workbook_show_last_year(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "今年"
    (root / "results").mkdir(parents=True)
    shutil.copy(GOLDEN, root / "results" / "scores.json")
    (root / "units.csv").write_text(ROSTER, encoding="utf-8")
    (root / "zwgk.toml").write_text('[paths]\nunits = "units.csv"\n', encoding="utf-8")
    last = tmp_path / "去年"
    (last / "results").mkdir(parents=True)
    shutil.copy(PREVIOUS, last / "results" / "scores.json")
    monkeypatch.chdir(root)
    res = CliRunner().invoke(app, ["report", "-f", "md,xlsx", "--compare", str(last)], catch_exceptions=False)
    assert res.exit_code == 1, res.output  # the golden campaign has unfinished units (P002)
    md = (root / "report" / "通报.md").read_text(encoding="utf-8")
    assert "与上年比较" in md and "本年新增考评单位1家：市一局" in md and "本年未列入的单位1家：市八局" in md
    assert "乙县（上年为乙县旧名）" in md
    assert "| 1 | 甲区 | 95.00% | 第一等次 | 1 | 112.5 | 93.75% | 第一等次 | +1.25 |" in md
    assert "| 1 | 市一局 | 100.00% | 第一等次 | 新增 |" in md
    assert "日常工作的评分细则有变化，不作比较" in md
    wb = openpyxl.load_workbook(root / "report" / "排名.xlsx")
    ws = wb["与上年比较"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    head = rows[1]
    jia = next(r for r in rows if r[0] == "甲区")
    got = dict(zip(head, jia, strict=False))
    assert got["对应方式"] == "编号" and got["本年总分"] == 104.5 and got["上年总分"] == 112.5
    assert got["本年得分率"] == pytest.approx(0.95) and got["上年得分率"] == pytest.approx(0.9375)
    assert got["得分率变化（个百分点）"] == pytest.approx(1.25) and got["上年满分"] == 120
    assert not any(str(h).startswith("日常工作") for h in head) and "政务公开（上年）" in head
    yi = dict(zip(head, next(r for r in rows if r[0] == "乙县"), strict=False))
    assert yi["上年名称"] == "乙县旧名" and yi["对应方式"] == "别名"
    assert any(r[0] == "市八局" and any("本年未列入考评" in str(v) for v in r) for r in rows)
    # without --compare the notice and workbook are as before
    res = CliRunner().invoke(app, ["report", "-f", "md,xlsx"], catch_exceptions=False)
    assert "与上年比较" not in (root / "report" / "通报.md").read_text(encoding="utf-8")
    assert "与上年比较" not in openpyxl.load_workbook(root / "report" / "排名.xlsx").sheetnames


def _bad(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: Path) -> dict[str, Any]:
    root = tmp_path / "今年"
    (root / "results").mkdir(parents=True, exist_ok=True)
    shutil.copy(GOLDEN, root / "results" / "scores.json")
    (root / "zwgk.toml").write_text('[paths]\nunits = "units.csv"\n', encoding="utf-8")
    monkeypatch.chdir(root)
    res = CliRunner().invoke(app, ["report", "--json", "--compare", str(target)], catch_exceptions=False)
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert not (root / "report").exists()  # nothing written
    (p,) = json.loads(res.stdout)["problems"]
    return p  # type: ignore[no-any-return]


def test_a_bad_path_is_a_located_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "没有.json"
    p = _bad(tmp_path, monkeypatch, missing)
    assert p["code"] == "P011" and p["file"] == str(missing) and "不存在" in p["message"]
    folder = tmp_path / "空目录"
    folder.mkdir()
    p = _bad(tmp_path, monkeypatch, folder)
    assert p["code"] == "P011" and p["file"] == str(folder) and "results/scores.json" in p["message"]
    cases = {
        "坏.json": b'{"format": "zwgk-scores/1", "units": [',  # cut short
        "别的.json": json.dumps({"format": "other/1"}).encode(),  # a JSON of something else
        "表.xlsx": (HERE / "data" / "corpus" / "manifest.json").read_bytes()[:0] + b"PK\x03\x04\x00\x00",
        "gbk.json": "{“格式”}".encode("gbk"),
    }
    for name, data in cases.items():
        f = tmp_path / name
        f.write_bytes(data)
        p = _bad(tmp_path, monkeypatch, f)
        assert p["code"] == "P011" and p["file"] == str(f), name
    broken = json.loads(PREVIOUS.read_text(encoding="utf-8"))
    broken["units"][2]["total"] = "高"
    f = tmp_path / "字段.json"
    f.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    p = _bad(tmp_path, monkeypatch, f)
    assert p["code"] == "P011" and "units[2].total" in p["message"]


def test_another_citys_results_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    foreign = json.loads(PREVIOUS.read_text(encoding="utf-8"))
    for i, u in enumerate(foreign["units"]):
        u["unit_id"], u["unit"] = f"Z{i}", f"外市{i}局"
    f = tmp_path / "外市.json"
    f.write_text(json.dumps(foreign, ensure_ascii=False), encoding="utf-8")
    p = _bad(tmp_path, monkeypatch, f)
    assert p["code"] == "P012" and p["file"] == str(f)


def test_same_year_and_ambiguous_names_are_warned() -> None:
    prev = load(PREVIOUS)
    same_year = replace(prev, campaign={**prev.campaign, "year": "2024"})
    codes = [p.code for p in _compare(prev=same_year).compare.problems]
    assert codes == ["P013"]
    # 乙县旧名 is also an alias of 丁县... but 丁县 matches by id; of 市一局 (new): two candidates
    cmp = _compare({"G02": ("乙县旧名",), "D01": ("乙县旧名",)}).compare
    (p,) = cmp.problems
    assert p.code == "P014" and "乙县旧名" in p.message and "乙县" in p.message and "市一局" in p.message
    assert "乙县旧名" in [c.unit for c in cmp.gone]
