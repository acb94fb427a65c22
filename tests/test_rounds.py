"""Rounds of ``zwgk score`` (初评 → 复核): every run kept as ``results/rounds/NN/`` with a manifest
of its inputs' hashes; identical re-runs add nothing; ``zwgk diff`` between two rounds and its
复核记录.xlsx; ``zwgk report`` refusing scores older than their inputs."""

from __future__ import annotations

import hashlib
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import mini_campaign
from typer.testing import CliRunner

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.cli import app
from zwgk_cli.demo import fill
from zwgk_cli.engine import score_unit
from zwgk_cli.model import EVIDENCE_INPUT, YES, ReadingKey, Rubric, Target, Unit, Value
from zwgk_cli.results import rounds
from zwgk_cli.workbook.write import build_workbook

DATA = Path(__file__).parent / "data"
RESULT_FILES = ("scores.json", "scores.csv", "scores.xlsx", "problems.csv", "problems.json")

UNITS = [
    Unit("U1", "甲县", "县区", {"督促指导任务": "否"}, (Target("W1", "website", "甲县政府网"),)),
    Unit("U2", "乙局", "部门", {"督促指导任务": "是"}, (Target("W3", "website", "乙局网站"),)),
    Unit("U3", "丙区", "县区", {"督促指导任务": "否"}, (Target("W4", "website", "丙区政府网"),)),
]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): _sha(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def _values(rubric: Rubric, unit: Unit) -> dict[ReadingKey, Value]:
    vals = fill.random_values(rubric, unit, seed=5)
    for k in list(vals):
        if k.input == EVIDENCE_INPUT.id:
            vals[k] = YES
    return vals


def _return(c: dict[str, Any], unit: Unit, values: dict[ReadingKey, Value], name: str | None = None) -> Path:
    data, _ = build_workbook(c["rubric"], unit, None, values)
    path = c["returned"] / f"{name or unit.name}.xlsx"
    path.write_bytes(data)
    return path


@pytest.fixture
def camp(tmp_path: Path) -> dict[str, Any]:
    """A campaign on the mini rubric: 3 units, 2 workbooks returned (丙区 has not returned one)."""
    root = mini_campaign(tmp_path / "考评", UNITS)
    rubric = rubric_mod.load(str(root / "rubric.yaml"))
    returned = root / "returned"
    c: dict[str, Any] = {"root": root, "rubric": rubric, "returned": returned, "results": root / "results"}
    c["values"] = {u.id: _values(rubric, u) for u in UNITS}
    for u in UNITS[:2]:
        _return(c, u, c["values"][u.id])
    return c


def _run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(app, args, catch_exceptions=False)


def _appeal(c: dict[str, Any]) -> tuple[ReadingKey, Decimal]:
    """甲县 appeals: one number it reported is corrected to 0 and its workbook returned again."""
    values = dict(c["values"]["U1"])
    unit, rubric = UNITS[0], c["rubric"]
    variant = rubric_mod.resolve(rubric, unit)
    before = score_unit(rubric, variant, unit, values).total
    key = next(  # a number whose correction changes the total
        k
        for k, v in values.items()
        if isinstance(v, Decimal)
        and v > 0
        and score_unit(rubric, variant, unit, {**values, k: Decimal(0)}).total != before
    )
    old = values[key]
    assert isinstance(old, Decimal)
    values[key] = Decimal(0)
    _return(c, UNITS[0], values)
    return key, old


def _doc(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ rounds


def test_an_appeal_makes_round_two_and_results_show_it(camp: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root, results = camp["root"], camp["results"]
    res = _run(["score"], root, monkeypatch)
    assert res.exit_code == 1, res.output  # 丙区 returned nothing
    assert "本次评分结果为第1轮" in res.output
    first = _hashes(results / "rounds" / "01")
    assert set(first) == {*RESULT_FILES, "manifest.json", "sources.json"}
    manifest = _doc(results / "rounds" / "01" / "manifest.json")
    assert manifest["round"] == 1 and manifest["format"] == "zwgk-round/1"
    assert manifest["workbooks"] == {
        f"returned/{u.name}.xlsx": _sha(camp["returned"] / f"{u.name}.xlsx") for u in UNITS[:2]
    }
    assert manifest["roster"] == {"file": "units.csv", "sha256": _sha(root / "units.csv")}
    assert manifest["targets"] == {"file": "websites.csv", "sha256": _sha(root / "websites.csv")}
    assert manifest["settings"] == {"file": "zwgk.toml", "sha256": rounds.settings_digest(root / "zwgk.toml")}
    assert manifest["rubric"] == {"id": "mini", "hash": camp["rubric"].hash, "file": "rubric.yaml"}
    assert manifest["scanned"] == ["returned"] and manifest["findings"] is None

    _appeal(camp)
    res = _run(["score"], root, monkeypatch)
    assert "本次评分结果为第2轮" in res.output
    assert sorted(p.name for p in (results / "rounds").iterdir()) == ["01", "02"]
    assert _hashes(results / "rounds" / "01") == first  # round 01 is kept as it was
    second = _doc(results / "rounds" / "02" / "manifest.json")
    assert second["round"] == 2
    assert second["workbooks"]["returned/甲县.xlsx"] == _sha(camp["returned"] / "甲县.xlsx")
    assert second["workbooks"]["returned/甲县.xlsx"] != manifest["workbooks"]["returned/甲县.xlsx"]
    assert second["workbooks"]["returned/乙局.xlsx"] == manifest["workbooks"]["returned/乙局.xlsx"]
    for name in RESULT_FILES:  # results/ shows the latest round, byte for byte
        assert _sha(results / name) == _sha(results / "rounds" / "02" / name), name
    assert _doc(results / "scores.json")["round"] == 2
    assert _doc(results / "rounds" / "01" / "scores.json")["round"] == 1
    summary = json.loads(_run(["score", "--json"], root, monkeypatch).stdout)
    assert summary["round"] == 2 and summary["new_round"] is False


def test_an_identical_rerun_adds_no_round_and_changes_no_byte(
    camp: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, results = camp["root"], camp["results"]
    _run(["score"], root, monkeypatch)
    before = _hashes(results)
    res = _run(["score"], root, monkeypatch)
    assert "与第1轮相同,未新建轮次" in res.output
    assert _hashes(results) == before
    assert sorted(p.name for p in (results / "rounds").iterdir()) == ["01"]
    # not an input, but named in the problems (W037): the same inputs, other outputs → round 02,
    # so that results/ is always a round
    (camp["returned"] / "佐证材料.pdf").write_bytes(b"%PDF-1.4")
    res = _run(["score"], root, monkeypatch)
    assert "本次评分结果为第2轮" in res.output
    two = results / "rounds" / "02"
    assert _doc(two / "manifest.json")["workbooks"] == _doc(results / "rounds" / "01" / "manifest.json")["workbooks"]
    assert all(_sha(results / n) == _sha(two / n) for n in RESULT_FILES)
    assert "W037" in (two / "problems.csv").read_text(encoding="utf-8-sig")
    assert _doc(results / "scores.json")["round"] == 2


def test_sources_say_where_every_input_was_read(camp: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    _run(["score"], camp["root"], monkeypatch)
    sources = _doc(camp["results"] / "rounds" / "01" / "sources.json")
    assert sources["format"] == "zwgk-sources/1"
    by_unit = {u["unit_id"]: u for u in sources["units"]}
    assert set(by_unit) == {"U1", "U2"}  # 丙区 returned nothing
    book = openpyxl.load_workbook(camp["returned"] / "甲县.xlsx")
    places = {(t, c, i): (sheet, cell) for t, c, i, sheet, cell in by_unit["U1"]["inputs"]}
    values = camp["values"]["U1"]
    assert set(places) == {(k.target, k.criterion, k.input) for k in values}
    for k, v in values.items():
        sheet, cell = places[(k.target, k.criterion, k.input)]
        got = book[sheet][cell].value
        assert (Decimal(str(got)) if isinstance(got, int | float) else got) == v, (k, sheet, cell)


def test_scores_of_a_findings_table_are_a_round_too(camp: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root = camp["root"]
    table = root / "监测导出.csv"
    lines = ["unit,target,indicator,criterion,input,value"]
    for k, v in camp["values"]["U1"].items():
        lines.append(f"U1,{k.target},,{k.criterion},{k.input},{v}")
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _run(["score", "--inputs", "监测导出.csv", "--out", "结果"], root, monkeypatch)
    manifest = _doc(root / "结果" / "rounds" / "01" / "manifest.json")
    assert manifest["findings"] == {"file": "监测导出.csv", "sha256": _sha(table)}
    assert manifest["workbooks"] == {} and manifest["scanned"] == []
    unit = _doc(root / "结果" / "rounds" / "01" / "sources.json")["units"][0]
    assert unit["file"] == "监测导出.csv"
    assert {cell for *_, sheet, cell in unit["inputs"]} == {f"第{n}行" for n in range(2, len(lines) + 1)}


# ------------------------------------------------------------------ zwgk diff and 复核记录.xlsx


def test_diff_lists_what_the_appeal_changed(camp: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root, results = camp["root"], camp["results"]
    _run(["score"], root, monkeypatch)
    res = _run(["diff"], root, monkeypatch)
    assert res.exit_code == 2 and "不足两轮" in res.output
    key, old = _appeal(camp)
    _run(["score"], root, monkeypatch)
    res = _run(["diff"], root, monkeypatch)
    assert res.exit_code == 0, res.output

    sources = _doc(results / "rounds" / "02" / "sources.json")["units"][0]
    sheet, cell = next((s, c) for t, cr, i, s, c in sources["inputs"] if (t, cr, i) == tuple(key))
    assert openpyxl.load_workbook(camp["returned"] / "甲县.xlsx")[sheet][cell].value == 0
    totals = [
        {u["unit_id"]: u["total"] for u in _doc(results / "rounds" / r / "scores.json")["units"]} for r in ("01", "02")
    ]
    out = res.output
    assert out.startswith("第1轮 → 第2轮")
    assert "输入文件的变化:评分表已修改:returned/甲县.xlsx" in out
    assert f":{old.normalize():f} → 0  [returned/甲县.xlsx {sheet} {cell}]" in out
    assert "乙局" not in out  # nothing of it changed
    assert totals[0]["U1"] != totals[1]["U1"]
    assert f"总分 {totals[0]['U1']} → {totals[1]['U1']}" in out
    assert _run(["diff", "2", "1"], root, monkeypatch).exit_code == 0  # any two rounds, either way
    res = _run(["diff", "1", "5"], root, monkeypatch)
    assert res.exit_code == 2 and "没有第5轮评分结果(已有:1、2)" in res.output

    _run(["diff", "1", "2"], root, monkeypatch)
    book = openpyxl.load_workbook(results / "复核记录.xlsx")
    assert book.sheetnames == ["变更明细", "得分变化"]
    ws = book["变更明细"]
    header = [c.value for c in ws[1]]
    assert header == ["单位", "评分表文件", "工作表", "单元格", "对象", "指标", "填写项", "第1轮", "第2轮"]
    assert all(c.font.b for c in ws[1])
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert len(rows) == 1
    assert rows[0][:4] == ["甲县", "returned/甲县.xlsx", sheet, cell]
    assert rows[0][7:] == [f"{old.normalize():f}", "0"]
    assert ws.freeze_panes == "B2"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.column_dimensions["C"].width >= len(sheet) * 2  # as wide as the sheet names in it
    scores = book["得分变化"]
    head = [c.value for c in scores[1]]
    assert head[:7] == ["单位", "分组", "状态(第1轮)", "状态(第2轮)", "总分(第1轮)", "总分(第2轮)", "增减"]
    changed = {r[0].value: [c.value for c in r] for r in scores.iter_rows(min_row=2)}
    row = changed["甲县"]
    assert row[4:7] == [totals[0]["U1"], totals[1]["U1"], pytest.approx(totals[1]["U1"] - totals[0]["U1"])]
    assert "丙区" not in changed  # missing in both rounds
    assert "乙局" not in changed  # another group: nothing of it moved
    before = _sha(results / "复核记录.xlsx")
    _run(["diff", "1", "2"], root, monkeypatch)
    assert _sha(results / "复核记录.xlsx") == before  # the same rounds, the same bytes


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda r: (r / "manifest.json").write_text("{", encoding="utf-8"), "manifest.json 无法读取或已损坏"),
        (lambda r: (r / "scores.json").unlink(), "scores.json 不存在"),
        (lambda r: (r / "scores.json").write_text('{"format": "zwgk-scores/1"}', encoding="utf-8"), "units 缺失"),
        (lambda r: (r / "sources.json").write_bytes(b"\xff\xfe"), "sources.json 无法读取或已损坏"),
    ],
)
def test_a_damaged_round_is_named_with_what_to_do(
    camp: dict[str, Any], monkeypatch: pytest.MonkeyPatch, damage: Any, said: str
) -> None:
    root, results = camp["root"], camp["results"]
    _run(["score"], root, monkeypatch)
    _appeal(camp)
    _run(["score"], root, monkeypatch)
    damage(results / "rounds" / "01")
    res = _run(["diff"], root, monkeypatch)
    assert res.exit_code == 2
    out = " ".join(res.output.split())
    assert "第1轮的评分记录已损坏" in out and said in out
    assert "不要手工改动" in out and "zwgk diff" in out  # what to do
    assert "。。" not in out and "请先运行 zwgk score" not in out  # not the advice for a campaign's own scores


def test_a_unit_returning_its_workbook_is_one_row(camp: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root, results = camp["root"], camp["results"]
    _run(["score"], root, monkeypatch)
    _return(camp, UNITS[2], camp["values"]["U3"])
    _run(["score"], root, monkeypatch)
    res = _run(["diff"], root, monkeypatch)
    assert "新增评分表:returned/丙区.xlsx" in res.output
    assert "填写 “(整份评分表)”:未交回 → 已评分(returned/丙区.xlsx)" in res.output
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(results / "复核记录.xlsx")["得分变化"].iter_rows()]
    row = next(r for r in rows if r[0] == "丙区")
    assert row[2:4] == ["未交回", "已评分"] and row[4] is None and isinstance(row[5], int | float)


# ------------------------------------------------------------------ report uses only current scores


def _report(root: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> Any:
    return _run(["report", "--formats", "md,html", *extra], root, monkeypatch)


CHANGES = {
    "workbook changed": (lambda c: _appeal(c), "S005", "returned/甲县.xlsx", "评分表已修改"),
    "workbook added": (lambda c: _return(c, UNITS[2], c["values"]["U3"]), "S006", "returned/丙区.xlsx", "新增了评分表"),
    "workbook removed": (
        lambda c: (c["returned"] / "乙局.xlsx").unlink(),
        "S007",
        "returned/乙局.xlsx",
        "评分表已删除",
    ),
    "roster changed": (
        lambda c: (c["root"] / "units.csv").write_text(
            (c["root"] / "units.csv").read_text(encoding="utf-8").replace("乙局,部门,是\n", ""), encoding="utf-8"
        ),
        "S005",
        "units.csv",
        "单位名单已修改",
    ),
    "rubric changed": (
        lambda c: (c["root"] / "rubric.yaml").write_text(
            (c["root"] / "rubric.yaml").read_text(encoding="utf-8").replace("title: 测试细则", "title: 测试细则(修订)"),
            encoding="utf-8",
        ),
        "S008",
        "rubric.yaml",
        "评分细则“rubric.yaml”的内容有变化",
    ),
    "settings changed": (  # a setting that changes scores: where the websites table is
        lambda c: (c["root"] / "zwgk.toml").write_text(
            (c["root"] / "zwgk.toml").read_text(encoding="utf-8").replace('"websites.csv"', '"./websites.csv"'),
            encoding="utf-8",
        ),
        "S005",
        "zwgk.toml",
        "考评设置中影响评分的项",
    ),
}


@pytest.mark.parametrize("case", list(CHANGES))
def test_report_stops_on_scores_older_than_their_inputs(
    case: str, camp: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = camp["root"]
    change, code, file, words = CHANGES[case]
    _run(["score"], root, monkeypatch)
    res = _report(root, monkeypatch)
    assert res.exit_code == 1 and "通报依据第1轮评分结果。" in res.output  # 丙区 is pending: exit 1 as before
    assert not [line for line in res.output.splitlines() if line.startswith("错误 S0")]
    shutil.rmtree(root / "report")

    change(camp)
    res = _report(root, monkeypatch)
    assert res.exit_code == 1
    line = next(line for line in res.output.splitlines() if f" {code} " in line)
    assert f"{code} {file}:第1轮评分结果生成后," in line and words in line, line
    assert "--stale-ok" in line and "评分结果不是最新的" in res.output
    assert not (root / "report").exists()  # nothing published

    res = _run(["report", "--formats", "md,html", "--json"], root, monkeypatch)
    data = json.loads(res.stdout)
    assert res.exit_code == 1 and data["ok"] is False and data["round"] == 1
    assert [(p["code"], p["file"]) for p in data["problems"]] == [(code, file)]

    res = _report(root, monkeypatch, "--stale-ok")
    assert res.exit_code == 1, res.output  # built; exit 1 only for the pending unit, as before
    assert "通报依据第1轮评分结果,其后的改动未计入。" in res.output
    html = (root / "report" / "通报.html").read_text(encoding="utf-8")
    assert "的第1轮评分结果生成。</footer>" in html

    _run(["score"], root, monkeypatch)  # scored again: a new round, and current
    res = _report(root, monkeypatch)
    assert "通报依据第2轮评分结果。" in res.output and "错误 S0" not in res.output


def test_a_comment_in_the_rubric_is_no_change(camp: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root = camp["root"]
    _run(["score"], root, monkeypatch)
    with (root / "rubric.yaml").open("a", encoding="utf-8") as fh:
        fh.write("# 复核时加的注释\n")
    res = _report(root, monkeypatch)
    assert "S008" not in res.output and "通报依据第1轮评分结果。" in res.output


def test_scores_of_an_older_zwgk_are_reported_unchecked(camp: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root, results = camp["root"], camp["results"]
    _run(["score"], root, monkeypatch)
    doc = _doc(results / "scores.json")
    del doc["round"]
    (results / "scores.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    res = _report(root, monkeypatch)
    assert "提示 S009" in res.output and "没有记录所用的文件" in res.output
    assert (root / "report" / "通报.html").is_file()  # a note, not a stop
    res = _run(["report", "--formats", "md", str(results / "rounds" / "01" / "scores.json")], root, monkeypatch)
    assert "通报依据第1轮评分结果。" in res.output  # a round's own scores, checked by its manifest


def test_notice_settings_set_after_scoring_do_not_make_the_scores_stale(
    camp: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = camp["root"]
    _run(["score"], root, monkeypatch)
    toml = root / "zwgk.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("测试考评", "测试考评(复核)")
        + '[notice]\nnotice_number = "测政公办〔2024〕3号"\n',
        encoding="utf-8",
    )
    res = _report(root, monkeypatch)
    assert res.exit_code == 1 and "通报依据第1轮评分结果。" in res.output  # 丙区 is pending, as before
    assert not [line for line in res.output.splitlines() if line.startswith("错误 S0")]
    assert "测政公办〔2024〕3号" in (root / "report" / "通报.md").read_text(encoding="utf-8")
