"""Rubric revisions during a campaign: workbooks issued under revision A of the rubric, the
rubric edited to revision B, the workbooks returned.  Compatible edits (notes, points, texts)
are read with a W040 warning naming both revisions and scored under B; incompatible ones
(an input removed, retyped, added or moved) are refused with W041 naming the change;
``zwgk rubric diff A B`` says the same."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, MINI_UNITS, mini_campaign
from typer.testing import CliRunner

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.cli import app
from zwgk_cli.demo import fill
from zwgk_cli.engine import score_unit
from zwgk_cli.model import EVIDENCE_INPUT, YES, ReadingKey, Rubric, Unit, Value
from zwgk_cli.workbook.read import Context, read_workbook
from zwgk_cli.workbook.revision import compare_layouts, issued_layout, rubric_compatibility
from zwgk_cli.workbook.write import build_workbook

UNITS = list(MINI_UNITS[:3])
MINI = (DATA / "mini.yaml").read_text(encoding="utf-8")

A1 = """\
          - id: a1
            title: 栏目
            max: 4
            text: 1.未开设扣1分。2.每发现一处空白扣0.5分。
            terms:
              - {input: none, label: 未开设, kind: yes_no, points: 1}
              - {input: blank, label: 空白栏目, kind: count, per: 0.5}
            vetoes:
              - {input: blank, op: ">=", value: 5, reason: 空白栏目超过(含)5个}
"""
A2 = """\
          - id: a2
            title: 依申请
            max: 3
            text: 纠错率高于15%扣1分;诉讼纠正率高于5%扣2分。
            terms:
              - kind: ratio
                label: 行政复议纠错率
                inputs: [{id: fix, label: 纠错数}, {id: apps, label: 申请总数}]
                bands: [{op: ">", value: 15, points: 1}]
              - kind: ratio
                label: 诉讼纠正率
                inputs: [{id: lost, label: 纠正数}, {id: suits, label: 诉讼总数}]
                bands: [{op: ">", value: 5, points: 2}]
"""
NONE_TERM = "              - {input: none, label: 未开设, kind: yes_no, points: 1}\n"
CITY_TERM = "          - {input: city, label: 市通报次数, kind: count, per: 2}\n"
SPEED_OPTIONS = "options: {3个工作日内: 2, 5个工作日内: 1, 超过5个工作日: 0}"

# name → (old text, new text) of an edit of mini.yaml
COMPATIBLE = {
    "note": ("text: 测试用。", "text: 测试用(第二稿修订了笔误)。"),
    "points": (
        "{input: blank, label: 空白栏目, kind: count, per: 0.5}",
        "{input: blank, label: 空白栏目, kind: count, per: 1}",
    ),
    "text": ("text: 每发现一个未更新栏目扣0.3分。", "text: 每发现一个未更新栏目扣0.3分(以首页及一级栏目为准)。"),
    "label": ("label: 粉丝量", "label: 粉丝数量(万)"),
}
INCOMPATIBLE = {
    "input removed": (NONE_TERM, ""),
    "input retyped": (NONE_TERM, "              - {input: none, label: 未开设, kind: count, per: 1}\n"),
    "input added": (CITY_TERM, CITY_TERM + "          - {input: prov, label: 省通报次数, kind: count, per: 5}\n"),
    "options changed": (
        SPEED_OPTIONS,
        "options: {3个工作日内: 2, 5个工作日内: 1, 10个工作日内: 0.5, 超过10个工作日: 0}",
    ),
    "rows moved": (A1 + A2, A2 + A1),
}


def _edit(name: str) -> str:
    old, new = {**COMPATIBLE, **INCOMPATIBLE}[name]
    assert MINI.count(old) == 1, name
    return MINI.replace(old, new)


def _values(rubric: Rubric, unit: Unit) -> dict[ReadingKey, Value]:
    vals = fill.random_values(rubric, unit, seed=5)
    for k in list(vals):
        if k.input == EVIDENCE_INPUT.id:
            vals[k] = YES
    vals[ReadingKey("", "a1", "blank")] = Decimal(2)  # what the points edit changes
    vals[ReadingKey("", "a1", "none")] = YES
    return vals


@pytest.fixture
def issued(tmp_path: Path) -> dict[str, Any]:
    """A campaign on the mini rubric (revision A): every unit's workbook filled and returned."""
    root = mini_campaign(tmp_path / "考评", UNITS)
    rubric = rubric_mod.load(str(root / "rubric.yaml"))
    values = {}
    for u in UNITS:
        values[u.id] = _values(rubric, u)
        data, _ = build_workbook(rubric, u, None, values[u.id])
        (root / "returned" / f"{u.name}.xlsx").write_bytes(data)
    shutil.copyfile(root / "rubric.yaml", root / "rubric-A.yaml")
    return {"root": root, "rubric": rubric, "values": values}


def _revise(issued: dict[str, Any], name: str) -> Rubric:
    """Edit the campaign's rubric in place (revision B)."""
    root: Path = issued["root"]
    (root / "rubric.yaml").write_text(_edit(name), encoding="utf-8")
    new = rubric_mod.load(str(root / "rubric.yaml"))
    assert new.id == issued["rubric"].id and new.hash != issued["rubric"].hash
    return new


def _score(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict[str, Any]]:
    monkeypatch.chdir(root)
    res = CliRunner().invoke(app, ["score", "--json"], catch_exceptions=False)
    return res.exit_code, json.loads(res.stdout)


def _label(r: Rubric) -> str:
    return f"{r.id}(版本{r.version},{r.hash})"


# ------------------------------------------------------------------ zwgk score


@pytest.mark.parametrize("edit", list(COMPATIBLE))
def test_compatible_revision_is_read_with_a_warning_and_scored_under_the_new_rubric(
    issued: dict[str, Any], edit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = issued["rubric"]
    new = _revise(issued, edit)
    code, summary = _score(issued["root"], monkeypatch)
    assert code == 0, summary["problems"]
    assert summary["counts"] == {"scored": 3, "incomplete": 0, "invalid": 0, "missing": 0}
    warned = [p for p in summary["problems"] if p["code"] == "W040"]
    assert sorted(p["file"] for p in warned) == sorted(f"returned/{u.name}.xlsx" for u in UNITS)
    for p in warned:
        assert p["severity"] == "warning"
        assert f"评分表按细则“{_label(old)}”生成" in p["message"]
        assert f"已修订为“{_label(new)}”" in p["message"]
        assert "zwgk rubric diff" in p["hint"]
    assert not [p for p in summary["problems"] if p["severity"] == "error"]

    doc = json.loads((issued["root"] / "results" / "scores.json").read_text(encoding="utf-8"))
    assert doc["rubric_hash"] == new.hash
    for u in UNITS:
        got = next(x for x in doc["units"] if x["unit_id"] == u.id)
        want = score_unit(new, rubric_mod.resolve(new, u), u, issued["values"][u.id]).total
        assert Decimal(str(got["total"])) == want
    a1 = {x["unit_id"]: next(c for c in x["criteria"] if c["criterion"] == "a1") for x in doc["units"]}
    # a1 (4 points, deduct): 未开设 −1 and 2 blank columns at 0.5 (revision A) or at 1 (the points edit)
    assert {uid: row["points"] for uid, row in a1.items()} == {u.id: 1 if edit == "points" else 2 for u in UNITS}


EXPECTED_REFUSAL = {
    "input removed": [
        "删除了填写项“未开设”(a1.none 基础/栏目,原在第一部分!F4)",
        "(a1.blank 基础/栏目)由第一部分!F5移到第一部分!F4",
    ],
    "input retyped": ["填写项“未开设”(a1.none 基础/栏目,第一部分!F4)的类型由“是/否”改为“个数”"],
    "input added": ["新增填写项“省通报次数”(x1.prov 通报,通报曝光!F6)"],
    "options changed": [
        "(b2.speed 采用,加分!F6)的类型由“选项(3个工作日内/5个工作日内/超过5个工作日)”"
        "改为“选项(3个工作日内/5个工作日内/10个工作日内/超过10个工作日)”"
    ],
    "rows moved": [
        "填写项“未开设”(a1.none 基础/栏目)由第一部分!F4移到第一部分!F8",
        "填写项“纠错数”(a2.fix 基础/依申请)由第一部分!F6移到第一部分!F4",
    ],
}


@pytest.mark.parametrize("edit", list(INCOMPATIBLE))
def test_incompatible_revision_is_refused_naming_what_changed(
    issued: dict[str, Any], edit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = issued["rubric"]
    new = _revise(issued, edit)
    code, summary = _score(issued["root"], monkeypatch)
    assert code == 1
    refused = [p for p in summary["problems"] if p["code"] == "W041"]
    assert sorted(p["file"] for p in refused) == sorted(f"returned/{u.name}.xlsx" for u in UNITS)
    assert summary["counts"]["invalid"] == 3 and summary["counts"]["scored"] == 0
    assert not [p for p in summary["problems"] if p["code"] in ("W012", "W040")]
    for p in refused:
        assert p["severity"] == "error"
        assert f"评分表按细则“{_label(old)}”生成" in p["message"] and _label(new) in p["message"]
        for phrase in EXPECTED_REFUSAL[edit]:
            assert phrase in p["message"], (phrase, p["message"])
        unit = next(u for u in UNITS if u.name == p["unit"])
        assert f"zwgk init-sheets --force --units {unit.id}" in p["hint"]
        assert "改回生成评分表时的细则" in p["hint"]


def test_a_change_on_every_website_sheet_is_named_once() -> None:
    old = rubric_mod.parse(MINI, "a.yaml")
    new = rubric_mod.parse(
        MINI.replace("label: 站点无法访问, kind: yes_no,", "label: 站点无法访问, kind: count, value: 1,"),
        "b.yaml",
    )
    u = UNITS[0]  # two websites: two sheets of part 网站
    changes = compare_layouts(issued_layout(old, u), issued_layout(new, u))
    assert len(changes) == 1
    c = changes[0]
    assert (c.change, c.criterion, c.input, c.sheets) == ("retyped", "w1", "down", 2)
    assert c.text() == "填写项“站点无法访问”(w1.down,甲县政府网!F5等2张表)的类型由“是/否”改为“个数”"


def test_another_rubric_is_still_w012(issued: dict[str, Any]) -> None:
    other = rubric_mod.parse(MINI.replace("id: mini", "id: mini2"), "other.yaml")
    got = read_workbook(issued["root"] / "returned" / "甲县.xlsx", Context(other, UNITS))
    assert not got.usable
    assert [p.code for p in got.problems] == ["W012"]
    assert not rubric_compatibility(issued["rubric"], other).compatible


def test_the_same_revision_gives_no_warning(issued: dict[str, Any]) -> None:
    got = read_workbook(issued["root"] / "returned" / "甲县.xlsx", Context(issued["rubric"], UNITS))
    assert got.usable and not [p for p in got.problems if p.code in ("W040", "W041")]


def test_a_findings_table_is_read_by_ids_under_the_current_revision(
    issued: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A findings table records no rubric revision: its rows name inputs by id and are read
    under the current rubric; an id the revision removed is reported on its row."""
    root: Path = issued["root"]
    new = _revise(issued, "input removed")
    lines = ["unit,target,criterion,input,value"]
    for uid, vals in issued["values"].items():
        for k, v in vals.items():
            lines.append(f"{uid},{k.target},{k.criterion},{k.input},{format(v, 'f') if isinstance(v, Decimal) else v}")
    (root / "findings.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(root)
    res = CliRunner().invoke(app, ["score", "--inputs", "findings.csv", "--json"], catch_exceptions=False)
    summary = json.loads(res.stdout)
    assert not [p for p in summary["problems"] if p["code"] in ("W040", "W041", "W012")]
    gone = [p for p in summary["problems"] if p["code"] == "W025"]
    assert len(gone) == 3 and all("没有填写项“none”" in p["message"] for p in gone)
    doc = json.loads((root / "results" / "scores.json").read_text(encoding="utf-8"))
    for u in UNITS:
        vals = {k: v for k, v in issued["values"][u.id].items() if k.input != "none"}
        got = next(x for x in doc["units"] if x["unit_id"] == u.id)
        assert Decimal(str(got["total"])) == score_unit(new, rubric_mod.resolve(new, u), u, vals).total


# ------------------------------------------------------------------ zwgk rubric diff


def _diff(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(app, ["rubric", "diff", *args], catch_exceptions=False)


DIFF_LINES = {
    "note": ["【读法说明】", "修改 读法说明 n1 · 内容:测试用。 → 测试用(第二稿修订了笔误)。"],
    "points": ["修改 评分细则 a1 栏目 · 计分规则:空白栏目 每个0.5分 → 空白栏目 每个1分"],  # the rule that changed
    "text": [
        "修改 评分细则 w1 更新 · 原文:每发现一个未更新栏目扣0.3分。 → "
        "每发现一个未更新栏目扣0.3分(以首页及一级栏目为准)。"
    ],
    "label": ["修改 填写项 b1.fans 粉丝数量(万) · 名称:粉丝量 → 粉丝数量(万)"],
    "input removed": ["删除 填写项 a1.none 未开设(原为:是/否)"],
    "input retyped": [
        "修改 评分细则 a1 栏目 · 计分规则:未开设 为“是” 1分 → 未开设 每个1分",
        "修改 填写项 a1.none 未开设 · 类型:是/否 → 个数",
    ],
    "input added": ["新增 填写项 x1.prov 省通报次数:个数"],
    "options changed": ["修改 填写项 b2.speed 答复时限 · 类型:"],
    "rows moved": ["修改 指标 a 基础 · 下级次序:a1、a2、a3、a4 → a2、a1、a3、a4"],
}


@pytest.mark.parametrize("edit", [*COMPATIBLE, *INCOMPATIBLE])
def test_rubric_diff_lists_the_changes_and_the_same_verdict_as_score(
    issued: dict[str, Any], edit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = issued["rubric"]
    new = _revise(issued, edit)
    res = _diff(["rubric-A.yaml", "rubric.yaml"], issued["root"], monkeypatch)
    out = res.output
    assert f"修订前:测试细则 {_label(old)}" in out and f"修订后:测试细则 {_label(new)}" in out
    for line in DIFF_LINES[edit]:
        assert line in out, (line, out)
    if edit in COMPATIBLE:
        assert res.exit_code == 0, out
        assert "兼容:" in out and "不兼容" not in out
    else:
        assert res.exit_code == 1, out
        assert "不兼容:" in out and "zwgk init-sheets --force" in out
        for phrase in EXPECTED_REFUSAL[edit]:
            assert phrase.split(",")[0] in out  # the same change as W041 names
    js = _diff(["rubric-A.yaml", "rubric.yaml", "--json"], issued["root"], monkeypatch)
    assert js.exit_code == res.exit_code
    data = json.loads(js.stdout)
    assert data["old"]["hash"] == old.hash and data["new"]["hash"] == new.hash
    assert data["identical"] is False and data["changes"]
    assert data["compatible"] is (edit in COMPATIBLE)
    assert bool(data["incompatible"]) is (edit in INCOMPATIBLE)
    assert [c["text"] for c in data["changes"]] == [
        line.strip() for line in out.splitlines() if line.startswith("  ") and not line.startswith("  · ")
    ]


def test_rows_moved_diff_names_each_moved_input(issued: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    _revise(issued, "rows moved")
    data = json.loads(_diff(["rubric-A.yaml", "rubric.yaml", "--json"], issued["root"], monkeypatch).stdout)
    moved = {(c["criterion"], c["input"]): (c["before"], c["after"]) for c in data["incompatible"]}
    assert moved[("a1", "none")] == ("第一部分!F4", "第一部分!F8")
    assert moved[("a2", "suits")] == ("第一部分!F9", "第一部分!F7")
    assert {c["change"] for c in data["incompatible"]} == {"moved"}
    assert [(c["section"], c["id"], c["field"]) for c in data["changes"]] == [("指标", "a", "下级次序")]


@pytest.mark.parametrize("rid", rubric_mod.bundled_ids())
def test_a_bundled_rubric_against_itself_is_identical(
    rid: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    res = _diff([rid, rid], tmp_path, monkeypatch)
    assert res.exit_code == 0, res.output
    assert "两版细则完全相同。" in res.output and "【" not in res.output
    data = json.loads(_diff([rid, rid, "--json"], tmp_path, monkeypatch).stdout)
    assert data["identical"] is True and data["compatible"] is True
    assert data["changes"] == [] and data["incompatible"] == []


def test_diff_against_a_rubric_workbook_and_another_rubric(
    issued: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root: Path = issued["root"]
    monkeypatch.chdir(root)
    res = CliRunner().invoke(app, ["rubric", "export", "rubric-A.yaml", "--xlsx", "A.xlsx"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    res = _diff(["rubric-A.yaml", "A.xlsx"], root, monkeypatch)  # the same rubric written as a workbook
    assert res.exit_code == 0, res.output
    assert "不兼容" not in res.output
    (root / "other.yaml").write_text(MINI.replace("id: mini", "id: mini-2025"), encoding="utf-8")
    res = _diff(["rubric-A.yaml", "other.yaml"], root, monkeypatch)
    assert res.exit_code == 1
    assert "修改 基本信息 细则 · 编号:mini → mini-2025" in res.output
    assert "细则编号不同(mini → mini-2025)" in res.output


def test_sample_units_cover_groups_attributes_and_unit_sets() -> None:
    """The diff's verdict holds for units a condition tells apart: a criterion only some units
    fill (督导, only_if 督促指导任务) removed is incompatible even though most units never see it."""
    old = rubric_mod.parse(MINI, "a.yaml")
    a4 = MINI[MINI.index("          - id: a4") : MINI.index("  - id: web")]
    new = rubric_mod.parse(MINI.replace(a4, ""), "b.yaml")
    verdict = rubric_compatibility(old, new)
    assert not verdict.compatible
    assert [(c.change, c.criterion, c.input) for c in verdict.changes] == [("removed", "a4", "no")]


def test_a_change_in_one_variant_of_a_bundled_rubric_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zwgk_cli.rubric.source import locate

    _, text = locate("jingzhou-2021")
    old = "text: 3.将政务公开工作纳入政府目标绩效考核,得2分。"
    assert text.count(old) == 1
    (tmp_path / "jz.yaml").write_text(text.replace(old, old.replace("考核,", "考核的,")), encoding="utf-8")
    res = _diff(["jingzhou-2021", "jz.yaml"], tmp_path, monkeypatch)
    assert res.exit_code == 0, res.output
    lines = [line.strip() for line in res.output.splitlines() if line.startswith("  ")]
    assert lines == [
        "修改 评分细则 rcgz_tjls_3 纳入绩效考核(类别:县市区) · 原文:"
        "3.将政务公开工作纳入政府目标绩效考核,得2分。 → 3.将政务公开工作纳入政府目标绩效考核的,得2分。"
    ]
    assert "兼容:" in res.output


def test_diff_names_the_national_structures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Gates' and pass lines' operators, veto effects, rescaling, pass lines and assessed kinds."""
    old = DATA / "guoban-2019.yaml"
    text = old.read_text(encoding="utf-8")
    new = tmp_path / "new.yaml"
    new.write_text(
        text.replace('op: ">", min: 80', "min: 80")
        .replace("veto_effect: stop\n    threshold: {min: 60", "veto_effect: zero\n    threshold: {min: 60", 1)
        .replace(
            'rescale: {factor: "4/3", round: after, places: 2}', "rescale: {factor: auto, round: before, places: 1}"
        )
        .replace("{id: account, title: 政务新媒体, assessed: true}", "{id: account, title: 政务新媒体}"),
        encoding="utf-8",
    )
    res = _diff([str(old), str(new)], tmp_path, monkeypatch)
    assert res.exit_code == 0, res.output  # the workbooks' inputs are the same: compatible
    out = res.output
    assert "加分门槛:site超过80分(未进入加分指标评分环节) → site达到80分(未进入加分指标评分环节)" in out
    assert "否决效果:停止评分(该对象或单位其余各项不再评分) → 该部分得0分" in out
    assert "折算:乘以4/3,折算后保留2位小数 → 按适用部分折算到满分,折算前保留1位小数" in out
    assert "单独排名的对象:政府网站(合格线:无)、政务新媒体(合格线:无) → 政府网站(合格线:无)" in out
