"""``zwgk report --draft``: each unit's 初评结果反馈 (DOCX and XLSX), read back."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import mini_campaign
from docx import Document
from typer.testing import CliRunner

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.campaign import CampaignError
from zwgk_cli.campaign import load as load_campaign
from zwgk_cli.cli import app
from zwgk_cli.demo import fill
from zwgk_cli.model import EVIDENCE_INPUT, NO, YES, ReadingKey, Target, Unit, Value
from zwgk_cli.report.draft import DRAFT_DIR, UNLISTED_NAME, cell_ranges
from zwgk_cli.report.text import zh
from zwgk_cli.workbook.write import build_workbook

DATA = Path(__file__).parent / "data"
UNITS = [
    Unit("U1", "甲县", "县区", {"督促指导任务": "否"}, (Target("W1", "website", "甲县政府网"),)),
    Unit("U2", "乙局", "部门", {"督促指导任务": "是"}, (Target("W3", "website", "乙局网站"),)),
    Unit("U3", "丙区", "县区", {"督促指导任务": "否"}, (Target("W4", "website", "丙区政府网"),)),
    Unit("U4", "丁局", "部门", {"督促指导任务": "否"}, (Target("W5", "website", "丁局网站"),)),
]
TOML = (
    '[campaign]\nrubric = "rubric.yaml"\nname = "测试考评"\nyear = 2024\noffice = "测试办"\n'
    '[paths]\nunits = "units.csv"\ntargets = "websites.csv"\n'
    '[notice]\nfeedback_deadline = "2025-01-06"\n'
)


def _values(rubric: rubric_mod.Rubric, unit: Unit, evidence_missing: bool) -> dict[ReadingKey, Value]:
    vals = fill.random_values(rubric, unit, seed=7)
    first = True
    for k in list(vals):
        if k.input == EVIDENCE_INPUT.id:
            vals[k] = NO if evidence_missing and first else YES
            first = False
    return vals


@pytest.fixture
def scored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A campaign on the mini rubric, scored: 甲县 lost the points of an item for want of
    evidence; 丁局 returned nothing."""
    root = mini_campaign(tmp_path / "考评", UNITS, TOML)
    rubric = rubric_mod.load(str(root / "rubric.yaml"))
    for u in UNITS[:3]:
        data, _ = build_workbook(rubric, u, None, _values(rubric, u, u.id == "U1"))
        (root / "returned" / f"{u.name}.xlsx").write_bytes(data)
    monkeypatch.chdir(root)
    assert CliRunner().invoke(app, ["score"]).exit_code in (0, 1)
    return root


def _draft(root: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["report", "--draft", *args], catch_exceptions=False)


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_every_deduction_is_listed_with_its_cell_in_both_files(scored: Path) -> None:
    res = _draft(scored)
    assert res.exit_code == 1, res.output  # 丁局 is unfinished (P002); nothing else to complete
    assert "P002" in res.output and "P010" not in res.output
    out = scored / "report" / DRAFT_DIR
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["甲县.docx", "甲县.xlsx", "乙局.docx", "乙局.xlsx", "丙区.docx", "丙区.xlsx", UNLISTED_NAME]
    )
    assert "丁局" in (out / UNLISTED_NAME).read_text(encoding="utf-8-sig")
    assert not (scored / "report" / "通报.docx").exists()  # a draft run writes no notice
    doc = json.loads((scored / "results" / "scores.json").read_text(encoding="utf-8"))
    for u in doc["units"][:3]:
        lost = [r for r in u["criteria"] if r["applicable"] and ((r["lost"] or 0) > 0 or r["vetoes"])]
        assert lost, u["unit"]
        # --- the workbook: one row per deduction, its sheet and cells, the feedback cell unlocked
        wb = openpyxl.load_workbook(out / f"{u['unit']}.xlsx")
        ws = wb["初评结果反馈"]
        assert ws.protection.sheet and not ws.protection.password
        cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
        assert "初评结果（征求意见）：本表为初评结果，不是最终考评结果，以正式印发的通报为准" in cells
        assert any("请于2025年1月6日前反馈测试办" in v for v in cells)
        header = next(c for v, c in cells.items() if v.startswith("反馈意见"))
        heads = {ws.cell(header.row, j).value: j for j in range(1, header.column + 1)}
        assert {"评分细则", "检查发现", "失分", "评分表文件", "工作表", "单元格"} <= set(heads)
        listed = [r for r in range(header.row + 1, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, int)]
        assert len(listed) == len(lost)
        for r, row in zip(listed, lost, strict=True):
            assert ws.cell(r, heads["评分细则"]).value == zh(row["text"])
            assert ws.cell(r, heads["失分"]).value == row["lost"]
            assert ws.cell(r, heads["评分表文件"]).value == u["files"][0]
            sheets = {c["sheet"] for c in row["cells"].values()}
            assert ws.cell(r, heads["工作表"]).value in sheets
            shown = ws.cell(r, heads["单元格"]).value
            if row["evidence_missing"]:
                assert shown == row["cells"]["evidence"]["cell"]
            else:
                assert shown == cell_ranges([c["cell"] for c in row["cells"].values()])
            assert ws.cell(r, header.column).protection.locked is False  # the unit writes here
            assert ws.cell(r, heads["检查发现"]).protection.locked is True
        # --- the letter: the same deductions, their sheet and cells, a 反馈意见 column
        d = Document(str(out / f"{u['unit']}.docx"))
        text = "\n".join(p.text for p in d.paragraphs)
        assert "初评结果（征求意见）" in text and "初评结果反馈" in text and "请于2025年1月6日前反馈" in text
        losses = next(t for t in d.tables if t.rows[0].cells[-1].text == "反馈意见")
        assert [c.text for c in losses.rows[0].cells] == [
            "序号",
            "指标及评分细则",
            "检查发现",
            "失分",
            "评分表位置",
            "反馈意见",
        ]
        body = losses.rows[1:]
        assert len(body) == len(lost)
        for tr, row in zip(body, lost, strict=True):
            where = tr.cells[4].text
            assert next(iter(row["cells"].values()))["sheet"] in where
            first = (
                row["cells"]["evidence"]["cell"]
                if row["evidence_missing"]
                else next(iter(row["cells"].values()))["cell"]
            )
            assert first in where
            assert tr.cells[3].text == str(row["lost"]).removesuffix(".0")
        scores = d.tables[0]
        assert scores.rows[-1].cells[0].text == "总分" and scores.rows[-1].cells[2].text == str(
            u["total"]
        ).removesuffix(".0")
    assert any(r["evidence_missing"] for r in doc["units"][0]["criteria"])  # the evidence case was exercised


def test_re_runs_are_byte_identical_and_leave_the_notice_alone(scored: Path) -> None:
    assert CliRunner().invoke(app, ["report", "-f", "md"]).exit_code == 1
    notice = (scored / "report" / "通报.md").read_bytes()
    _draft(scored)
    first = _hashes(scored / "report" / DRAFT_DIR)
    _draft(scored)
    assert _hashes(scored / "report" / DRAFT_DIR) == first
    assert (scored / "report" / "通报.md").read_bytes() == notice
    # the final report keeps the drafts: they are not among its files
    assert CliRunner().invoke(app, ["report", "-f", "md"]).exit_code == 1
    assert _hashes(scored / "report" / DRAFT_DIR) == first


def test_formats_and_a_missing_deadline(scored: Path) -> None:
    res = _draft(scored, "-f", "html")
    assert res.exit_code == 2 and "docx 和 xlsx" in res.output
    res = _draft(scored, "-f", "xlsx")
    assert res.exit_code == 1
    assert {p.suffix for p in (scored / "report" / DRAFT_DIR).iterdir()} == {".xlsx", ".txt"}
    toml = scored / "zwgk.toml"
    toml.write_text(TOML.replace('feedback_deadline = "2025-01-06"\n', ""), encoding="utf-8")
    res = _draft(scored, "--json")  # the notice's settings do not make the scores stale
    assert "S005" not in res.output
    problems = json.loads(res.stdout)["problems"]
    missing = next(p for p in problems if p["code"] == "P010")
    assert "feedback_deadline" in missing["message"] and "〔待填写〕" in missing["message"]
    wb = openpyxl.load_workbook(scored / "report" / DRAFT_DIR / "甲县.xlsx")
    assert any("请于〔待填写〕前反馈" in str(c.value) for row in wb.active.iter_rows() for c in row)


def test_draft_and_compare_together_is_a_usage_error(scored: Path) -> None:
    res = CliRunner().invoke(app, ["report", "--draft", "--compare", "x.json"])
    assert res.exit_code == 2 and "不能同时使用" in res.output


def test_the_feedback_deadline_setting_is_checked_where_it_is(tmp_path: Path) -> None:
    (tmp_path / "zwgk.toml").write_text('[notice]\nfeedback_deadline = "2025-02-30"\n', encoding="utf-8")
    with pytest.raises(CampaignError) as err:
        load_campaign(tmp_path)
    (p,) = err.value.problems
    assert p.path == "[notice] feedback_deadline"
    assert p.line == 2 and "初评结果反馈截止日期" in p.message
    (tmp_path / "zwgk.toml").write_text('[notice]\nfeedback_deadline = "2025-01-06"\n', encoding="utf-8")
    assert load_campaign(tmp_path).feedback_deadline == "2025-01-06"


def test_cell_ranges() -> None:
    assert cell_ranges(["F13", "F14", "F15", "G2", "F16"]) == "F13:F15、G2、F16"
    assert cell_ranges(["F7"]) == "F7"
    assert cell_ranges(["F4", "F6"]) == "F4、F6"
