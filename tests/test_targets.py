"""Targets assessed in their own right (国办 19号: websites and accounts are ranked, not units).

A campaign on ``tests/data/targets.yaml`` (two target kinds, each with its own parts, a veto
and a pass line; ``rank_units: false``) through the commands: init-sheets → (assessors fill the
workbooks) → score → report.  The results carry each target's total, verdict and rank within
its kind; the notice ranks each kind; 排名.xlsx has a sheet per kind; the 整改清单 stays per
unit.  The rubric's fields in YAML and in the rubric workbook, and their problems, too.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import HEAD, ONE_PART
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.cli import app
from zwgk_cli.demo.fill import fill_workbook
from zwgk_cli.model import NO, YES, ReadingKey
from zwgk_cli.results.model import load as load_scores
from zwgk_cli.results.targets import competition_ranks

DATA = Path(__file__).parent / "data"

UNITS = "编号,单位名称,分组\nU1,甲县,县区\nU2,乙局,部门\nU3,丙区,县区\nU4,丁局,部门\n"
SITES = """编号,名称,类型,所属单位,网址
W1,甲县人民政府网,政府网站,甲县,http://jia.example
W2,甲县教育网,政府网站,甲县,
A1,甲县发布,政务新媒体,甲县,
W3,乙局网站,政府网站,乙局,
A2,乙局微信,政务新媒体,乙局,
W4,丙区人民政府网,政府网站,丙区,
W6,丙区文旅网,政府网站,丙区,
A3,丙区发布,政务新媒体,丙区,
W5,丁局网站,政府网站,丁局,
A4,丁局微博,政务新媒体,丁局,
"""
SETTINGS = """[campaign]
rubric = "targets.yaml"
name = "2024年度政府网站与政务新媒体检查"
year = 2024

[paths]
units = "units.csv"
targets = "sites.csv"

[notice]
office = "测试市政务公开办公室"
notice_number = "测公开办〔2025〕3号"
notice_date = "2025-01-10"
recipients = "各县区政府、市直各部门"
rectify_deadline = "2025-02-28"
"""


def _web(stale: int, unanswered: int, nosearch: bool, down: bool = False) -> dict[tuple[str, str], Any]:
    return {
        ("w1", "stale"): Decimal(stale),
        ("w1", "down"): YES if down else NO,
        ("w2", "unanswered"): Decimal(unanswered),
        ("x1", "nosearch"): YES if nosearch else NO,
    }


def _acct(idle: bool, typos: int) -> dict[tuple[str, str], Any]:
    return {("a1", "idle"): YES if idle else NO, ("a1", "typos"): Decimal(typos)}


# What the assessors find, target by target (丁局 returns nothing).
FINDINGS = {
    "U1": {"W1": _web(1, 0, False), "W2": _web(0, 2, False), "A1": _acct(False, 0)},  # 14, 14, 10
    "U2": {"W3": _web(0, 0, False), "A2": _acct(True, 1)},  # 15, 5 (below the part's line)
    "U3": {"W4": _web(0, 0, False, down=True), "W6": _web(3, 0, True), "A3": _acct(False, 5)},  # veto, 7, veto
}


def _run(args: list[str]) -> str:
    res = CliRunner().invoke(app, args)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert res.exit_code in (0, 1), res.output
    assert "Traceback" not in res.output
    return res.output


def _campaign(root: Path, rubric_text: str, formats: str) -> Path:
    """A campaign on ``rubric_text`` and the roster above, filled with :data:`FINDINGS`, scored
    and reported in ``formats``, through the commands."""
    import os

    root.mkdir()
    (root / "targets.yaml").write_text(rubric_text, encoding="utf-8")
    (root / "units.csv").write_text(UNITS, encoding="utf-8")
    (root / "sites.csv").write_text(SITES, encoding="utf-8")
    (root / "zwgk.toml").write_text(SETTINGS, encoding="utf-8")
    here = os.getcwd()
    os.chdir(root)
    try:
        _run(["init-sheets"])
        sheets = {p.stem: p for p in (root / "sheets").glob("*.xlsx")}
        names = {"U1": "甲县", "U2": "乙局", "U3": "丙区"}
        for uid, targets in FINDINGS.items():
            values = {ReadingKey(t, c, i): v for t, found in targets.items() for (c, i), v in found.items()}
            src = sheets[names[uid]]
            fill_workbook(src, root / "returned" / src.name, values)
        _run(["score", "-j", "1"])
        _run(["report", "-f", formats])
    finally:
        os.chdir(here)
    return root


@pytest.fixture(scope="module")
def camp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The campaign, scored and reported (docx, md, html, xlsx)."""
    text = (DATA / "targets.yaml").read_text(encoding="utf-8")
    return _campaign(tmp_path_factory.mktemp("targets") / "检查", text, "docx,md,html,xlsx")


def _doc(camp: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((camp / "results" / "scores.json").read_text(encoding="utf-8"))
    return data


def test_competition_ranks_share_a_rank_and_skip_the_next() -> None:
    ranks = competition_ranks([Decimal(15), Decimal(14), Decimal(14), Decimal(7)])
    assert ranks == [(1, False), (2, True), (2, True), (4, False)]


def test_scores_json_ranks_each_target_within_its_kind(camp: Path) -> None:
    doc = _doc(camp)
    assert doc["rank_units"] is False
    assert [k["id"] for k in doc["target_kinds"]] == ["website", "account"]
    web = doc["target_kinds"][0]
    assert (
        web["threshold"] == {"min": 9, "op": ">=", "label": "不合格"}
        and web["verdict"] is True
        and web["max"] == {"default": 15}
    )
    rows = [(t["kind"], t["target"], t["unit"], t["points"], t["rank"], t["tied"], t["passed"]) for t in doc["targets"]]
    assert rows == [
        ("website", "W3", "乙局", 15, 1, False, True),
        ("website", "W1", "甲县", 14, 2, True, True),
        ("website", "W2", "甲县", 14, 2, True, True),
        ("website", "W6", "丙区", 7, 4, False, False),  # below the kind's pass line of 9
        ("website", "W4", "丙区", 15, None, False, False),  # vetoed: 不合格, listed apart
        ("website", "W5", "丁局", None, None, False, None),  # its unit returned nothing
        ("account", "A1", "甲县", 10, 1, False, True),
        ("account", "A2", "乙局", 5, 2, False, False),  # below its part's pass line of 6
        ("account", "A3", "丙区", 5, None, False, False),  # vetoed
        ("account", "A4", "丁局", None, None, False, None),
    ]
    by_id = {t["target"]: t for t in doc["targets"]}
    assert by_id["W4"]["reasons"] == ["站点无法访问"] and by_id["W4"]["vetoed"] is True
    assert by_id["A2"]["below"] == ["政务新媒体"]
    assert by_id["W1"]["url"] == "http://jia.example" and by_id["W1"]["max"] == 15
    assert by_id["W5"]["status"] == "missing"
    # the typed read-back the report uses
    scores = load_scores(camp / "results" / "scores.json")
    assert not scores.rank_units
    assert [k.title for k in scores.target_kinds] == ["政府网站", "政务新媒体"]
    w1 = next(t for t in scores.targets if t.target == "W1")
    assert (w1.points, w1.rank, w1.tied, w1.passed, w1.unit) == (Decimal(14), 2, True, True, "甲县")


def test_scores_csv_and_xlsx_carry_the_targets(camp: Path) -> None:
    text = (camp / "results" / "scores.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    head = rows[0]
    col = head.index("各政府网站得分、排名与结论")
    jia = next(r for r in rows if r[1] == "甲县")
    assert jia[col] == "甲县人民政府网 14分 并列第2名 合格；甲县教育网 14分 并列第2名 合格"
    ding = next(r for r in rows if r[1] == "丁局")
    assert ding[head.index("各政务新媒体得分、排名与结论")] == "丁局微博 未交回"
    book = load_workbook(camp / "results" / "scores.xlsx", read_only=True)
    assert book.sheetnames == ["汇总", "政府网站", "政务新媒体", "明细", "问题"]
    web = [list(r) for r in book["政府网站"].iter_rows(values_only=True)]
    assert web[0][:2] == ["排名", "名称"]
    assert [r[0] for r in web[1:]] == [1, 2, 2, 4, None, None]
    assert [r[1] for r in web[1:]][:3] == ["乙局网站", "甲县人民政府网", "甲县教育网"]
    assert [r[9] for r in web[1:]] == ["合格", "合格", "合格", "不合格", "不合格", None]
    assert web[5][10] == "站点无法访问"


def test_the_notice_ranks_each_kind_instead_of_the_units(camp: Path) -> None:
    doc = Document(str(camp / "report" / "通报.docx"))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    web = next(t for t in tables if t[0][:2] == ["排名", "网站名称"])
    assert web[0] == ["排名", "网站名称", "主办单位", "得分", "结论"]
    assert web[1:] == [
        ["1", "乙局网站", "乙局", "15", "合格"],
        ["2", "甲县人民政府网", "甲县", "14", "合格"],
        ["2", "甲县教育网", "甲县", "14", "合格"],
        ["4", "丙区文旅网", "丙区", "7", "不合格"],
        ["—", "丙区人民政府网", "丙区", "15", "不合格"],
    ]
    acct = next(t for t in tables if t[0][:2] == ["排名", "账号名称"])
    assert [r[1] for r in acct[1:]] == ["甲县发布", "乙局微信", "丙区发布"]
    assert [r[4] for r in acct[1:]] == ["合格", "不合格", "不合格"]
    overview = next(t for t in tables if t[0][0] == "类别")
    assert overview[1] == ["政府网站", "6", "5", "3", "2", "60%", "1"]
    assert not any(t[0][:2] == ["排名", "单位"] for t in tables)  # the units are not ranked
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "共检查政府网站6个，完成评分5个，合格3个，不合格2个（其中触发单项否决1个），合格率60%" in text
    assert "甲县人民政府网、甲县教育网得分均为14分，并列第2名" in text
    assert "丙区人民政府网（丙区），站点无法访问" in text
    assert "丁局网站（丁局）" in text  # its unit returned nothing: named apart, not ranked
    assert "4家单位的政府网站6个、政务新媒体4个" in text
    assert "甲县人民政府网14分（并列第2名，合格）" in text  # the attachment, per unit
    md = (camp / "report" / "通报.md").read_text(encoding="utf-8")
    assert "| 2 | 甲县教育网 | 甲县 | 14 | 合格 |" in md
    html = (camp / "report" / "通报.html").read_text(encoding="utf-8")
    assert "账号名称" in html and "各单位评定情况" not in html


def test_ranking_xlsx_has_a_sheet_per_kind_and_the_rectify_list_stays_per_unit(camp: Path) -> None:
    book = load_workbook(camp / "report" / "排名.xlsx")
    assert book.sheetnames == ["总体情况", "政府网站", "政务新媒体", "主要问题"]
    ws = book["政府网站"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=9)]
    assert rows[0][:7] == ["排名", "网站名称", "网址", "主办单位", "分组", "得分(15分)", "结论"]
    assert [(r[0], r[1], r[5], r[6]) for r in rows[1:]] == [
        (1, "乙局网站", 15, "合格"),
        (2, "甲县人民政府网", 14, "合格"),
        (2, "甲县教育网", 14, "合格"),
        (4, "丙区文旅网", 7, "不合格"),
        (None, "丙区人民政府网", 15, "不合格"),
        (None, "丁局网站", None, ""),
    ]
    assert rows[2][8] == "并列" and rows[4][8] == "低于合格线（9分）" and rows[5][8] == "单项否决：站点无法访问"
    assert rows[6][8] == "所属单位未交回评分表"
    assert book["总体情况"]["A3"].value == "类别"
    rect = sorted(p.name for p in (camp / "report" / "整改清单").glob("*.xlsx"))
    assert rect == ["丙区.xlsx", "乙局.xlsx", "甲县.xlsx"]
    ws = load_workbook(camp / "report" / "整改清单" / "丙区.xlsx")["整改清单"]
    assert "丙区人民政府网15分（触发单项否决，不合格）" in str(ws["A2"].value)
    targets = [ws.cell(r, 4).value for r in range(6, 10)]
    assert targets == ["丙区人民政府网", "丙区文旅网", "丙区文旅网", "丙区发布"]  # problems per target


def test_rubric_fields_round_trip_through_the_rubric_workbook(tmp_path: Path) -> None:
    r = rubric_mod.load(str(DATA / "targets.yaml"))
    assert not r.rank_units
    web, acct = r.target_kinds
    assert web.assessed and web.threshold is not None and web.threshold.min == 9 and acct.threshold is None
    book = tmp_path / "细则.xlsx"
    book.write_bytes(rubric_mod.workbook_bytes(rubric_mod.source_data(str(DATA / "targets.yaml"))))
    back = rubric_mod.load(str(book))
    # the same rubric (the hash differs only by the empty 等次 sheet read as ``tiers: []``)
    assert replace(back, hash=r.hash, path=r.path) == r and back.rank_units is False
    sheet = load_workbook(book)["评价对象"]
    assert [c.value for c in sheet[1]][:5] == ["编号", "名称", "单独排名", "合格线", "不合格用语"]
    assert [c.value for c in sheet[2]][:4] == ["website", "政府网站", "是", 9]


def _codes(text: str) -> list[tuple[str, str, str]]:
    try:
        r = rubric_mod.parse(text, "t.yaml")
    except rubric_mod.RubricError as exc:
        return [(p.code, p.path, p.message) for p in exc.problems]
    return [(p.code, p.path, p.message) for p in rubric_mod.check(r)]


WEB_PART = ONE_PART.replace("    max: 10\n    indicators:", "    max: 10\n    per_target: website\n    indicators:", 1)


def test_nothing_to_rank_is_an_error() -> None:
    got = _codes(HEAD + "rank_units: false\ntarget_kinds: [{id: website, title: 政府网站}]\n" + WEB_PART)
    assert [(c, p) for c, p, _ in got] == [("R033", "rank_units")]
    assert "没有哪类评价对象单独排名" in got[0][2]


def test_a_kind_ranked_that_no_part_scores_is_an_error() -> None:
    kinds = (
        "target_kinds:\n  - {id: website, title: 政府网站, assessed: true}\n"
        "  - {id: account, title: 政务新媒体, assessed: true}\n"
    )
    got = _codes(HEAD + kinds + WEB_PART)
    assert [(c, p) for c, p, _ in got] == [("R034", "target_kinds[1].assessed")]
    assert got[0][2] == "评价对象“政务新媒体”要求单独排名,但没有按该对象逐个评分的部分"


def test_a_pass_line_above_the_kind_maximum_is_an_error() -> None:
    kinds = "target_kinds: [{id: website, title: 政府网站, assessed: true, threshold: {min: 12}}]\n"
    got = _codes(HEAD + kinds + WEB_PART)
    assert [(c, p) for c, p, _ in got] == [("R035", "target_kinds[0].threshold.min")]
    assert "合格线12分高于其满分10分" in got[0][2]


def test_report_problems_name_the_unranked_targets(camp: Path) -> None:
    from zwgk_cli.report.targets import target_problems

    scores = load_scores(camp / "results" / "scores.json")
    got = [(p.code, p.message) for p in target_problems(scores)]
    assert got == [
        ("P015", "1个政府网站所属单位评分未完成,未参加政府网站排名:丁局网站(丁局)"),
        ("P015", "1个政务新媒体所属单位评分未完成,未参加政务新媒体排名:丁局微博(丁局)"),
    ]


def test_a_rubric_that_also_totals_units_ranks_both(tmp_path: Path) -> None:
    text = (DATA / "targets.yaml").read_text(encoding="utf-8").replace("rank_units: false\n", "")
    root = _campaign(tmp_path / "both", text, "md,xlsx")
    md = (root / "report" / "通报.md").read_text(encoding="utf-8")
    assert "| 排名 | 单位 |" in md  # the units' ranking …
    assert "| 排名 | 网站名称 | 主办单位 | 得分 | 结论 |" in md and "| 排名 | 账号名称 |" in md  # … beside the kinds'
    assert md.index("| 排名 | 单位 |") < md.index("| 排名 | 网站名称 |")
    assert md.index("本次考评对象共4家单位") < md.index("共检查政府网站6个") < md.index("## 二、考评结果")
    book = load_workbook(root / "report" / "排名.xlsx", read_only=True)
    assert book.sheetnames == ["总体情况", "得分统计", "县区", "部门", "政府网站", "政务新媒体", "主要问题"]
    doc = _doc(root)
    assert doc["rank_units"] is True and [t["rank"] for t in doc["targets"][:4]] == [1, 2, 2, 4]


def test_a_kind_with_no_target_in_the_scores_is_named(camp: Path) -> None:
    from zwgk_cli.report.targets import target_problems
    from zwgk_cli.results.model import parse

    doc = _doc(camp)
    doc["targets"] = [t for t in doc["targets"] if t["kind"] == "website"]
    got = [(p.code, p.message) for p in target_problems(parse(doc))]
    assert ("P016", "细则要求对政务新媒体单独排名,但评分结果中没有政务新媒体") in got
    bad = {**_doc(camp), "targets": [{**_doc(camp)["targets"][0], "rank": "一"}]}
    with pytest.raises(ValueError, match=r"targets\[0\]\.rank 应为正整数"):
        parse(bad)
