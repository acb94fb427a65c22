"""The report: golden notices (Markdown, HTML), the 公文 DOCX, the ranking workbook, the
整改清单, the PDF through LibreOffice, template overrides, determinism, and ``zwgk report``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from zwgk_cli.campaign import Campaign
from zwgk_cli.report.build import ReportError, write_report
from zwgk_cli.report.docx import Block, BlockError, Table, column_widths, parse_blocks, title_lines
from zwgk_cli.report.text import cn_number, date_cn, zh
from zwgk_cli.resources import templates_dir
from zwgk_cli.results.model import Scores, parse

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("ZWGK_REGEN_GOLDEN") == "1"
TITLE = "关于示例市2024年度政务公开考评结果的通报"


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / "scores.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def doc(raw: dict[str, Any]) -> Scores:
    return parse(raw)


@pytest.fixture(scope="module")
def written(doc: Scores, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    outcome = write_report(doc, out, formats=("docx", "html", "md", "xlsx"))
    assert [p.code for p in outcome.problems] == ["P002"]  # 戊县 and 市四局 are not finished
    return out


# ------------------------------------------------------------------ golden files


@pytest.mark.parametrize("name", ["通报.md", "通报.html"])
def test_golden_notice(written: Path, name: str) -> None:
    got = (written / name).read_text(encoding="utf-8")
    expected = GOLDEN / name
    if REGEN:
        expected.write_text(got, encoding="utf-8")
    assert expected.exists(), f"run `make golden` to create {expected}"
    assert got == expected.read_text(encoding="utf-8"), f"{name} differs from {expected}: run `make golden` if intended"


def test_golden_notice_content_is_right(written: Path) -> None:
    md = (written / "通报.md").read_text(encoding="utf-8")
    assert f"# {TITLE}" in md
    assert "| 2（并列） | 乙县 |" in md and "| 2（并列） | 丙县 |" in md
    assert "| 4 | 己县 | 34.5 | 38.25 | 26.25 | 12 | 0 | 2 | -2 | 72.75 | 第三等次 |" in md
    assert "| 6 | 市七局 |" in md and "59.5 | 不合格 |" in md
    assert "| 1 | 丁县 | 县市区 | 97 | 不合格 | 丁县人民政府网站：空白栏目超过（含）5个 |" in md
    assert "| 2 | 市四局 | 市级部门 | 未交回 |" in md
    assert "合格率81.82%" in md and "已完成评分的11家单位中" in md
    assert "于2025年3月31日前完成整改" in md
    assert "未进入加分环节（加分指标不计入总分）：市三局、市二局、市六局、市七局。" in md
    assert "1.日常更新。涉及9家单位" in md
    assert "| 其中：政府网站 | 30 | 27.45 | 28 | 29 | 25 |" in md  # mean, median, max, min of a part
    assert "| 总分 | 110 | 80.92 | 81 | 110 | 59.5 |" in md
    html = (written / "通报.html").read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert html.count("<svg") == 4 and "@page" in html and "size: A4" in html
    assert '<tr class="tier-1">' in html and '<tr class="fail">' in html


# ------------------------------------------------------------------ DOCX


def test_docx_is_a_gongwen(written: Path) -> None:
    import docx
    from docx.oxml.ns import qn

    d = docx.Document(str(written / "通报.docx"))
    sec = d.sections[0]
    mm = [round(x.mm) for x in (sec.page_width, sec.page_height)]
    margins = [round(x.mm) for x in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)]
    assert (mm, margins) == ([210, 297], [37, 35, 28, 26])
    heads = [p.text for p in d.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    for h in (
        "一、总体情况",
        "二、考评结果",
        "（一）县市区",
        "（二）市级部门",
        "（三）否决情况",
        "三、主要问题",
        "四、整改要求",
    ):
        assert h in heads
    assert any(h.startswith("5.丁县（县市区；总分97分，不合格）") for h in heads)
    title = next(p for p in d.paragraphs if p.style is not None and p.style.name == "Title")
    assert title.text.replace("\n", "") == TITLE
    run = title.runs[0]
    assert run.font.size.pt == 22
    assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    body = next(p for p in d.paragraphs if p.text.startswith("本次考评对象共13家单位"))
    assert body.runs[0].font.size.pt == 16 and body.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    assert body.paragraph_format.first_line_indent.pt == 32
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == "示例市政务公开领导小组办公室" and "示公开办〔2025〕3号" in texts
    assert "各县（市、区）人民政府，市政府各部门：" in texts
    assert "附件：各单位问题清单" in texts and "2025年1月20日" in texts
    # the ranking table of 县市区: header, 分值 row, four ranked units
    table = next(t for t in d.tables if t.rows[0].cells[0].text == "排名" and t.rows[2].cells[1].text == "甲区")
    assert [c.text for c in table.rows[1].cells][:4] == ["", "分值", "40", "45"]
    assert [r.cells[0].text for r in table.rows[2:]] == ["1", "2（并列）", "2（并列）", "4"]
    assert [r.cells[-2].text for r in table.rows[2:]] == ["104.5", "98.5", "98.5", "72.75"]
    footer = sec.footer._element.xml
    assert "PAGE" in footer and "fldChar" in footer
    assert d.settings.odd_and_even_pages_header_footer
    assert d.core_properties.author == "示例市政务公开领导小组办公室"
    assert d.core_properties.created.year == 2025


def test_every_output_is_byte_identical_when_rerun(doc: Scores, written: Path, tmp_path: Path) -> None:
    write_report(doc, tmp_path, formats=("docx", "html", "md", "xlsx"))
    first = sorted(p.relative_to(written) for p in written.rglob("*") if p.is_file())
    second = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert first == second
    assert len(first) == 4 + 13 * 2  # notice ×3, 排名.xlsx, a 整改清单 (xlsx + html) per unit
    for rel in first:
        assert (written / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel
    assert not [p for p in tmp_path.rglob("*.tmp")]


# ------------------------------------------------------------------ XLSX


def test_ranking_workbook_reads_back(written: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(written / "排名.xlsx")
    assert wb.sheetnames == ["总体情况", "县市区", "市级部门", "主要问题"]
    ws = wb["县市区"]
    header = [c.value for c in ws[3]]
    assert header[:3] == ["排名", "单位", "政务公开\n(40分)"] and "等次" in header
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4, max_row=9)]
    assert [(r[0], r[1]) for r in rows] == [
        (1, "甲区"),
        (2, "乙县"),
        (2, "丙县"),
        (4, "己县"),
        (None, "丁县"),
        (None, "戊县"),
    ]
    total = header.index("总分(110分)")
    tier = header.index("等次")
    assert [r[total] for r in rows[:5]] == [104.5, 98.5, 98.5, 72.75, 97]
    assert rows[4][tier] == "不合格" and "否决" in rows[4][-1]
    assert rows[5][total] is None and rows[5][header.index("状态")] == "未完成"
    assert ws.freeze_panes == "C4"
    assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A3")
    assert len(ws.conditional_formatting) >= 1
    assert len(ws._charts) == 1
    dept = wb["市级部门"]
    names = [dept.cell(row=r, column=2).value for r in range(4, 11)]
    assert names == ["市一局", "市五局", "市三局", "市二局", "市六局", "市七局", "市四局"]
    coef = header.index("绩效系数")
    assert [dept.cell(row=r, column=coef + 1).value for r in range(4, 10)] == [1, 1, 1, 0.95, 0.9, 0.85]
    problems = wb["主要问题"]
    assert problems["C4"].value == "日常更新" and problems["D4"].value == 9


def test_rectify_lists_read_back(written: Path) -> None:
    import openpyxl

    folder = written / "整改清单"
    assert sorted(p.name for p in folder.glob("*.xlsx"))[:3] == ["丁县.xlsx", "丙县.xlsx", "乙县.xlsx"]
    wb = openpyxl.load_workbook(folder / "己县.xlsx")
    ws = wb.active
    assert ws.title == "整改清单"
    assert ws["A1"].value == "己县问题整改清单(示例市2024年度政务公开考评)"
    header = [c.value for c in ws[5]]
    assert header[:6] == ["序号", "分项", "指标", "检查对象", "评分细则", "检查发现"]
    assert header[-3:] == ["整改措施(单位填写)", "责任科室及责任人", "完成时限"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=6, max_row=ws.max_row)]
    assert [r[2] for r in rows] == ["重点领域公开", "日常更新", "办事服务", "内容更新", "工作落实", "通报曝光"]
    assert [r[8] for r in rows] == [5.5, 3.5, 4, 3, 15, 2]
    assert rows[1][3] == "己县投资促进网" and "“政策解读”“规划计划”栏目空白" in rows[1][5]
    assert "未按时提供佐证材料" in rows[4][5]
    assert ws.protection.sheet
    plan = header.index("整改措施(单位填写)") + 1
    assert ws.cell(row=6, column=plan).protection.locked is False
    assert ws.cell(row=6, column=1).protection.locked is not False
    veto = openpyxl.load_workbook(folder / "丁县.xlsx").active
    assert veto.cell(row=6, column=10).value == "空白栏目超过（含）5个"
    clean = openpyxl.load_workbook(folder / "市一局.xlsx").active
    assert clean["A6"].value == "未发现失分问题。"
    page = (folder / "己县.html").read_text(encoding="utf-8")
    assert page.count('<td class="no">') == 6 and "己县投资促进网" in page and "2025年3月31日" in page


# ------------------------------------------------------------------ PDF


@pytest.mark.libreoffice
def test_pdf_through_libreoffice(doc: Scores, tmp_path: Path, soffice: str) -> None:
    outcome = write_report(doc, tmp_path, formats=("pdf",))
    pdf = tmp_path / "通报.pdf"
    assert pdf in outcome.files and not (tmp_path / "通报.docx").exists()
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    flat = "".join(text.split())
    assert TITLE in flat and "甲区" in flat and "市七局" in flat and "各单位问题清单" in flat
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 2000
    first = pdf.read_bytes()
    write_report(doc, tmp_path, formats=("pdf",))
    assert pdf.read_bytes() == first  # dates and ids fixed: the same DOCX gives the same PDF


def test_missing_libreoffice_is_a_note(doc: Scores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zwgk_cli import office

    monkeypatch.setattr(office, "find_soffice", lambda: None)
    outcome = write_report(doc, tmp_path, formats=("pdf", "md"))
    assert "P003" in [p.code for p in outcome.problems]
    assert not (tmp_path / "通报.pdf").exists() and (tmp_path / "通报.md").exists()


def test_a_failing_converter_is_reported(doc: Scores, tmp_path: Path) -> None:
    def broken(src: Path, out: Path) -> Path:
        raise RuntimeError("转换器崩溃")

    outcome = write_report(doc, tmp_path, formats=("pdf",), convert_pdf=broken)
    assert [p.code for p in outcome.problems if p.code == "P007"] == ["P007"]
    assert "转换器崩溃" in next(p.message for p in outcome.problems if p.code == "P007")


# ------------------------------------------------------------------ templates and settings


def test_template_dir_overrides_any_template(doc: Scores, tmp_path: Path) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    original = (templates_dir() / "notice.j2").read_text(encoding="utf-8")
    (tpl / "notice.j2").write_text(
        original.replace("@title 关于{{ notice.name }}结果的通报", "@title {{ notice.office }}关于考评情况的通报"),
        encoding="utf-8",
    )
    (tpl / "notice.css").write_text("body { color: #123456; }\n", encoding="utf-8")
    out = tmp_path / "out"
    write_report(doc, out, formats=("html", "md", "docx"), template_dir=tpl)
    md = (out / "通报.md").read_text(encoding="utf-8")
    assert "# 示例市政务公开领导小组办公室关于考评情况的通报" in md
    html = (out / "通报.html").read_text(encoding="utf-8")
    assert "color: #123456" in html and "size: A4" not in html
    import docx

    d = docx.Document(str(out / "通报.docx"))
    assert any("关于考评情况的通报" in p.text.replace("\n", "") for p in d.paragraphs)


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("@title {{ notice.nmae }}", "不存在的变量"),
        ("@title {% if %}", "notice.j2"),
        ("@bogus 文字", "未知的块类型"),
        ("@table nonesuch", "nonesuch"),
    ],
)
def test_a_broken_template_is_located_and_nothing_is_written(
    doc: Scores, tmp_path: Path, text: str, detail: str
) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "notice.j2").write_text(text + "\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(ReportError) as err:
        write_report(doc, out, formats=("html", "md", "docx", "xlsx"), template_dir=tpl)
    assert err.value.problems[0].code == "P004"
    assert detail in err.value.problems[0].message
    assert not out.exists()


def test_campaign_settings_override_the_scores_file_and_missing_ones_are_flagged(
    raw: dict[str, Any], tmp_path: Path
) -> None:
    camp = Campaign(root=tmp_path, office="另一个办公室", notice_date="2025-02-03", group_order=("市级部门",))
    bare = parse(dict(raw, campaign={"name": "考评", "year": 2024}))
    outcome = write_report(bare, tmp_path, campaign=camp, formats=("md",))
    md = (tmp_path / "通报.md").read_text(encoding="utf-8")
    assert "**另一个办公室**" in md and "2025年2月3日" in md
    assert md.index("### （一）市级部门") < md.index("### （二）县市区")
    missing = {p.message.split("“")[1].split("”")[0] for p in outcome.problems if p.code == "P006"}
    assert missing == {"notice_number", "recipients", "rectify_deadline"}
    assert "于〔待填写〕前完成整改" in md


def test_html_escapes_what_it_prints(raw: dict[str, Any], tmp_path: Path) -> None:
    evil = json.loads(json.dumps(raw))
    evil["units"][0]["unit"] = "<b>甲区</b>"
    write_report(parse(evil), tmp_path, formats=("html",))
    html = (tmp_path / "通报.html").read_text(encoding="utf-8")
    assert "<b>甲区</b>" not in html and "&lt;b&gt;甲区&lt;/b&gt;" in html


# ------------------------------------------------------------------ helpers


def test_zh_punctuation() -> None:
    assert zh("空白栏目:2处×1分,扣2分;(含)") == "空白栏目：2处×1分，扣2分；（含）"
    assert zh("1,000 与 3:1、(1)未制定") == "1,000 与 3:1、(1)未制定"
    assert zh("信用中国(四川绵阳)") == "信用中国（四川绵阳）"


def test_dates_and_numbers() -> None:
    assert date_cn("2022-01-10") == "2022年1月10日"
    assert date_cn("2022/1/5") == "2022年1月5日"
    assert date_cn("2022年1月5日") == "2022年1月5日"
    assert date_cn("另行通知") == "另行通知"
    assert [cn_number(n) for n in (1, 4, 10, 11, 20, 23)] == ["一", "四", "十", "十一", "二十", "二十三"]


def test_blocks_and_table_geometry() -> None:
    blocks = parse_blocks("@p 第一行\n接着写\n\n@@不是块\n@h1 一、标题\n")
    assert blocks == [Block("p", "第一行接着写@不是块", 1), Block("h1", "一、标题", 5)]
    with pytest.raises(BlockError):
        parse_blocks("开头没有块")
    assert title_lines("关于绵阳市2022年政务公开工作检查考核结果的通报", 20) == [
        "关于绵阳市2022年政务公开工作检查考核",
        "结果的通报",
    ]
    assert title_lines("关于考评结果的通报", 20) == ["关于考评结果的通报"]
    table = Table(("排名", "单位", "存在问题"), (("1", "北川羌族自治县", "很长的问题描述" * 8),))
    widths = column_widths(table, 42)
    assert round(sum(widths), 6) == 42 and widths[2] > widths[1] > widths[0]
    assert widths[1] >= 8  # a unit name never wraps


# ------------------------------------------------------------------ the command


def test_report_command(doc: Scores, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zwgk_cli.cli import app

    camp = tmp_path / "camp"
    (camp / "results").mkdir(parents=True)
    shutil.copy(GOLDEN / "scores.json", camp / "results" / "scores.json")
    (camp / "zwgk.toml").write_text(
        '[campaign]\nrubric = "mianyang-2022"\nname = "示例市2024年度政务公开考评"\noffice = "示例市政务公开办"\n'
        '[notice]\nnotice_number = "示公开办〔2025〕9号"\nnotice_date = "2025-01-21"\nrecipients = "各单位"\n'
        'rectify_deadline = "2025-04-01"\ngroup_order = ["市级部门", "县市区"]\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(app, ["report", "--campaign", str(camp), "--formats", "md,xlsx", "--json"])
    assert result.exit_code == 1, result.output  # written, but 戊县 and 市四局 are not finished
    summary = json.loads(result.stdout)
    assert summary["ok"] is False
    assert {Path(f).name for f in summary["files"]} >= {"通报.md", "排名.xlsx"}
    md = (camp / "report" / "通报.md").read_text(encoding="utf-8")
    assert "示公开办〔2025〕9号" in md and md.index("市级部门") < md.index("### （二）县市区")
    assert [p["code"] for p in summary["problems"]] == ["P002"]

    finished = json.loads((GOLDEN / "scores.json").read_text(encoding="utf-8"))
    finished["units"] = [u for u in finished["units"] if u["status"] == "scored"]
    (camp / "results" / "scores.json").write_text(json.dumps(finished, ensure_ascii=False), encoding="utf-8")
    clean = runner.invoke(app, ["report", "--campaign", str(camp), "--formats", "md,html"])
    assert clean.exit_code == 0, clean.output
    assert "可以印发" in clean.output and "通报.html" in clean.output and "整改清单" in clean.output

    # a template folder named in zwgk.toml ([notice] template_dir) replaces built-in templates
    (camp / "模板").mkdir()
    (camp / "模板" / "notice.md.j2").write_text("自定义:{{ notice.office }}\n", encoding="utf-8")
    toml = (camp / "zwgk.toml").read_text(encoding="utf-8")
    (camp / "zwgk.toml").write_text(toml.replace("[notice]\n", '[notice]\ntemplate_dir = "模板"\n'), encoding="utf-8")
    styled = runner.invoke(app, ["report", "--campaign", str(camp), "--formats", "md"])
    assert styled.exit_code == 0, styled.output
    assert (camp / "report" / "通报.md").read_text(encoding="utf-8") == "自定义:示例市政务公开办\n"
    missing_dir = runner.invoke(app, ["report", "--campaign", str(camp), "--template-dir", str(tmp_path / "无")])
    assert missing_dir.exit_code == 2

    bad = runner.invoke(app, ["report", str(tmp_path / "nope.json"), "--out", str(tmp_path / "o")])
    assert bad.exit_code == 2 and "P001" in bad.output
    wrong = runner.invoke(app, ["report", "--campaign", str(camp), "--formats", "md,odt"])
    assert wrong.exit_code == 2 and "odt" in wrong.output


# ------------------------------------------------------------------ the scores file as typed data


def test_scores_load_as_exact_typed_data(doc: Scores) -> None:
    from decimal import Decimal

    u = next(x for x in doc.units if x.unit == "己县")
    assert u.total == Decimal("72.75") and isinstance(u.total, Decimal)
    assert [t.name for t in u.targets] == ["己县人民政府网站", "己县投资促进网"]
    assert {p.id for p in u.all_parts()} >= {"web"}
    row = next(r for r in u.criteria if r.criterion == "update" and r.target_name == "己县投资促进网")
    assert row.lost == Decimal("3.5") and all(isinstance(v, Decimal | str) for v in row.found.values())
    assert doc.tiers[0].label == "第一等次" and doc.tiers[-1].min is None
    assert doc.campaign["year"] == "2024"
    assert next(x for x in doc.units if x.unit == "市四局").total is None


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.update(format="zwgk-scores/0"), "zwgk-scores/1"),
        (lambda d: d.update(units={}), "units 应为列表"),
        (lambda d: d["units"][2].update(total="98.5"), "units[2].total 应为数字"),
        (lambda d: d["units"][0].update(status="done"), "units[0].status"),
        (lambda d: d["units"][1].pop("unit"), "units[1].unit 缺失"),
        (lambda d: d["units"][1].update(unit_id="G01"), "units[1].unit_id"),
        (lambda d: d["units"][0]["criteria"][0].update(vetoes="否决"), "units[0].criteria[0].vetoes 应为列表"),
        (lambda d: d["units"][0]["criteria"][0]["found"].update(blank=[1]), "units[0].criteria[0].found.blank"),
        (lambda d: d["tiers"][0].update(min=True), "tiers[0].min 应为数字"),
    ],
)
def test_a_wrong_scores_file_is_a_clear_chinese_error(raw: dict[str, Any], change: Any, where: str) -> None:
    from zwgk_cli.results.model import ScoresError

    bad = json.loads(json.dumps(raw))
    change(bad)
    with pytest.raises(ScoresError) as err:
        parse(bad, "results/scores.json")
    assert where in str(err.value) and "results/scores.json" in str(err.value)


def test_load_reports_unreadable_files(tmp_path: Path) -> None:
    from zwgk_cli.results.model import ScoresError, load

    with pytest.raises(ScoresError, match="不存在"):
        load(tmp_path / "无.json")
    broken = tmp_path / "scores.json"
    broken.write_text('{"format": "zwgk-scores/1", "units": [', encoding="utf-8")
    with pytest.raises(ScoresError, match="不是有效的 JSON"):
        load(broken)
    broken.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ScoresError, match="UTF-8"):
        load(broken)


def test_report_command_on_a_wrong_file_says_so_without_a_traceback(raw: dict[str, Any], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zwgk_cli.cli import app

    bad = json.loads(json.dumps(raw))
    bad["units"][3]["vetoed"] = "是"
    path = tmp_path / "scores.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["report", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "P001" in result.output and "units[3].vetoed" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)  # a clean exit 2
    assert not (tmp_path / "o").exists()


def test_rectify_lists_of_units_with_clashing_names_never_share_a_file(raw: dict[str, Any], tmp_path: Path) -> None:
    clash = json.loads(json.dumps(raw))
    clash["units"][0]["unit"] = "甲/乙局"  # G01
    clash["units"][1]["unit"] = "甲:乙局"  # G02
    clash["units"][2]["unit"] = "CON"  # a reserved device name on Windows
    write_report(parse(clash), tmp_path, formats=("xlsx", "html"))
    names = sorted(p.name for p in (tmp_path / "整改清单").glob("*.xlsx"))
    assert len(names) == 13
    assert "甲_乙局.xlsx" in names and "甲_乙局_G02.xlsx" in names and "_CON.xlsx" in names
    import openpyxl

    assert openpyxl.load_workbook(tmp_path / "整改清单" / "甲_乙局_G02.xlsx").active["A1"].value.startswith("甲:乙局")
    assert (tmp_path / "整改清单" / "甲_乙局_G02.html").read_text(encoding="utf-8").count("甲:乙局") >= 2
