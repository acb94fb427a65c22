"""The report: golden notices (Markdown, HTML), the 公文 DOCX, the ranking workbook, the
整改清单, the PDF through LibreOffice, template overrides, determinism, and ``zwgk report``."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import zipfile
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
    assert "| 2 | 乙县 |" in md and "| 2 | 丙县 |" in md and "乙县、丙县得分均为98.5分，并列第2名" in md
    assert "| 4 | 己县 | 34.5 | 38.25 | 26.25 | 12 | 0 | 2 | -2 | 72.75 | 第三等次 |" in md
    assert "| 6 | 市七局 |" in md and "59.5 | 不合格 |" in md
    assert "| 1 | 丁县 | 县市区 | 97 | 不合格 | 丁县人民政府网站：空白栏目超过（含）5个 |" in md
    assert "未交回评分表的1家：市四局。" in md and "| 市四局 |" not in md  # named once, no table row
    assert "| 1 | 戊县 | 县市区 | 未完成 | 1项未填写或填写有误；补正后重新计分 |" in md
    assert "合格率81.82%" in md and "已完成评分的11家单位中" in md
    assert "于2025年3月31日前完成整改" in md
    assert "未进入加分环节（加分指标不计入总分）：市三局、市二局、市六局、市七局。" in md
    assert "1.重点领域公开。累计失分48分，涉及5家单位" in md  # most points lost first
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
    assert [r.cells[0].text for r in table.rows[2:]] == ["1", "2", "2", "4"]  # the note names the tie
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
    # notice ×3, 排名.xlsx, a 整改清单 (xlsx + html) per unit with findings (10 of 13), the list of the others
    assert len(first) == 4 + 10 * 2 + 1
    for rel in first:
        assert (written / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel
    assert not [p for p in tmp_path.rglob("*.tmp")]


# ------------------------------------------------------------------ XLSX


def test_ranking_workbook_reads_back(written: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(written / "排名.xlsx")
    assert wb.sheetnames == ["总体情况", "得分统计", "县市区", "市级部门", "主要问题"]
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
    assert problems["C4"].value == "重点领域公开" and problems["D4"].value == 48 and problems["E4"].value == 5


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
    # 整改清单 only for units with something to rectify; the others in one plain list
    assert not (folder / "市一局.xlsx").exists() and not (folder / "戊县.xlsx").exists()
    assert not (folder / "市四局.xlsx").exists() and not (folder / "市四局.html").exists()
    others = (folder / "没有整改清单的单位.txt").read_text(encoding="utf-8-sig").splitlines()
    assert "市一局（市级部门）：未发现失分问题" in others and "市四局（市级部门）：未交回评分表" in others
    assert "戊县（县市区）：1项未填写或填写有误；补正后重新计分" in others
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


@pytest.mark.parametrize("name", ["政务服务&大数据局", "某" * 300])
def test_a_page_header_holds_any_unit_name(raw: dict[str, Any], tmp_path: Path, name: str) -> None:
    """``&`` starts a code in an Excel page header (a broken one makes Excel repair the file), and
    Excel takes 255 characters in all: the 整改清单's header escapes and cuts the unit's name."""
    edited = json.loads(json.dumps(raw))
    edited["units"][0]["unit"] = name
    write_report(parse(edited), tmp_path / "r", formats=("xlsx",))
    (book,) = [p for p in (tmp_path / "r" / "整改清单").glob("*.xlsx") if p.stem.startswith(name[:8])]
    with zipfile.ZipFile(book) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    header = html.unescape(re.search(r"<oddHeader>(.*?)</oddHeader>", xml).group(1))  # type: ignore[union-attr]
    assert len(header) <= 255
    assert ("政务服务&&大数据局" in header) if "&" in name else ("…" in header)


@pytest.mark.parametrize("top", [-1, 0, 9e11])
def test_the_charts_of_a_hand_edited_maximum_stay_drawn(raw: dict[str, Any], tmp_path: Path, top: float) -> None:
    """A maximum of 0 or less (was an IndexError) or of hundreds of billions (an OverflowError, or
    a grid line every 20 points) still gives both charts, with a few bands and grid lines."""
    edited = json.loads(json.dumps(raw))
    edited["variants"]["default"]["max"] = top
    write_report(parse(edited), tmp_path / "r", formats=("html",))
    html = (tmp_path / "r" / "通报.html").read_text(encoding="utf-8")
    assert html.count('class="chart"') >= 2
    assert html.count('class="grid"') < 200


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("@title {{ notice.nmae }}", "不存在的变量"),
        ("@title {% if %}", "notice.j2"),
        ("@bogus 文字", "未知的块类型"),
        ("@table nonesuch", "nonesuch"),
        ("@title 通报\n@para {{ 1 / 0 }}", "ZeroDivisionError"),  # any error while it runs: was a traceback
        ("@title 通报\n@para {{ notice.title | round }}", "TypeError"),
        (b"@title \xcd\xa8\xb1\xa8", "UTF-8"),  # saved in GBK: was a traceback
    ],
)
def test_a_broken_template_is_located_and_nothing_is_written(
    doc: Scores, tmp_path: Path, text: str | bytes, detail: str
) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    raw = text if isinstance(text, bytes) else text.encode("utf-8")
    (tpl / "notice.j2").write_bytes(raw + b"\n")
    out = tmp_path / "out"
    with pytest.raises(ReportError) as err:
        write_report(doc, out, formats=("html", "md", "docx", "xlsx"), template_dir=tpl)
    p = err.value.problems[0]
    assert p.code == "P004"
    assert detail in p.message
    assert p.file.endswith("notice.j2")
    if "{{" in str(text):  # an error while it runs: at the template's line
        assert p.line == str(text).count("\n") + 1
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
    assert missing == {"notice_number", "recipients", "rectify_deadline", "cc", "printer", "print_date"}
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
    assert widths[1] >= 7.5  # a unit name does not wrap while there is room


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
    assert [p["code"] for p in summary["problems"]] == ["S009", "P002"]  # S009: scores of no round, unchecked

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
        (lambda d: d.pop("units"), "units 缺失"),  # a notice of 0 units, "可以印发", it was
        (lambda d: d["units"][2].update(total="98.5"), "units[2].total 应为数字"),
        (lambda d: d["units"][0].update(status="done"), "units[0].status"),
        (lambda d: d["units"][1].pop("unit"), "units[1].unit 缺失"),
        (lambda d: d["units"][1].update(unit_id="G01"), "units[1].unit_id"),
        (lambda d: d["units"][0]["criteria"][0].update(vetoes="否决"), "units[0].criteria[0].vetoes 应为列表"),
        (lambda d: d["units"][0]["criteria"][0]["found"].update(blank=[1]), "units[0].criteria[0].found.blank"),
        (lambda d: d["tiers"][0].update(min=True), "tiers[0].min 应为数字"),
        (lambda d: d["units"][0].update(total=1e30), "units[0].total 超出合理范围"),  # a 28-digit overflow later
        (lambda d: d["variants"]["default"].update(max=float("nan")), "variants.default.max 超出合理范围"),
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
    assert len(names) == 10  # the units with findings
    assert "甲_乙局.xlsx" in names and "甲_乙局_G02.xlsx" in names and "_CON.xlsx" in names
    import openpyxl

    assert openpyxl.load_workbook(tmp_path / "整改清单" / "甲_乙局_G02.xlsx").active["A1"].value.startswith("甲:乙局")
    assert (tmp_path / "整改清单" / "甲_乙局_G02.html").read_text(encoding="utf-8").count("甲:乙局") >= 2


# ------------------------------------------------------------------ issuable as it comes out


def _body_items(d: Any) -> list[Any]:
    """The document body's paragraphs and tables, in order (python-docx objects)."""
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    out: list[Any] = []
    for el in d.element.body.iterchildren():
        if el.tag.endswith("}p"):
            out.append(Paragraph(el, d))
        elif el.tag.endswith("}tbl"):
            out.append(DocxTable(el, d))
    return out


def test_docx_has_the_imprint_between_thick_and_thin_lines(written: Path) -> None:
    import docx
    from docx.oxml.ns import qn

    d = docx.Document(str(written / "通报.docx"))
    last = d.tables[-1]
    assert next(c.text for c in last.rows[0].cells) == "抄送：市委办公室，市人大常委会办公室，市政协办公室。"
    assert [c.text for c in last.rows[1].cells] == ["示例市政务公开领导小组办公室", "2025年1月20日印发"]
    borders = last._tbl.tblPr.find(qn("w:tblBorders"))
    sizes = {b.tag.split("}")[1]: b.get(qn("w:sz")) for b in borders}
    assert sizes["top"] == sizes["bottom"] == "8"  # 1 pt ≈ 0.35 mm: first and last line thick
    assert sizes["insideH"] == "6"  # ≈ 0.25 mm: the line between thin
    runs = [r for row in last.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    assert {r.font.size.pt for r in runs} == {14} and {r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in runs} == {"仿宋"}
    assert _body_items(d)[-1] is not None and d.element.body.index(last._tbl) > d.element.body.index(
        next(p for p in d.paragraphs if p.text == "附件")._p
    )  # after the attachment: the 版记 ends the document


def test_docx_tables_keep_their_caption_repeat_headers_and_print_at_gongwen_sizes(written: Path) -> None:
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table as DocxTable

    d = docx.Document(str(written / "通报.docx"))
    items = _body_items(d)
    tables = [(i, t) for i, t in enumerate(items) if isinstance(t, DocxTable) and t is not items[-1]]
    assert len(tables) > 10
    for i, t in tables:
        before = items[i - 1]
        assert before.paragraph_format.keep_with_next, f"the text before table {i} may end a page alone"
        assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
        assert all(c.paragraphs[0].paragraph_format.keep_with_next for c in t.rows[0].cells)
        sizes = {r.font.size.pt for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs}
        assert sizes <= {14.0, 12.0}, sizes  # 四号, or 小四 for wide tables
    captions = [p for p in d.paragraphs if p.text.endswith("统计（单位：分；否决单位计入，评分未完成的单位不计入）：")]
    assert captions and all(p.paragraph_format.keep_with_next for p in captions)
    assert all(p.runs[0].font.size.pt == 14 for p in captions)
    wide = next(t for _, t in tables if t.rows[0].cells[0].text == "排名")
    assert wide.rows[2].cells[1].paragraphs[0].runs[0].font.size.pt == 12  # ten columns: 小四
    narrow = next(t for _, t in tables if t.rows[0].cells[0].text == "序号" and t.rows[0].cells[1].text == "指标")
    assert narrow.rows[1].cells[2].paragraphs[0].runs[0].font.size.pt == 14


def test_attachment_lists_units_with_findings_and_the_unfinished_once(written: Path) -> None:
    md = (written / "通报.md").read_text(encoding="utf-8")
    attachment = md[md.index("**附件**") :]
    heads = [line for line in attachment.splitlines() if line.startswith("#### ")]
    assert len(heads) == 10 and not any("市一局" in h or "戊县" in h or "市四局" in h for h in heads)
    assert "暂无问题清单" not in attachment.replace("评分未完成的2家单位（名单见正文）暂无问题清单", "")
    assert "未发现失分问题的单位：市一局。" in attachment
    assert md.count("市四局") == 1  # named once, in the body


def test_main_problems_rank_by_points_lost_with_the_units_beside(written: Path) -> None:
    md = (written / "通报.md").read_text(encoding="utf-8")
    import re

    lost = [float(m.group(1)) for m in re.finditer(r"^\d+\.[^\n]*?累计失分([\d.]+)分", md, re.M)]
    assert len(lost) >= 5 and lost == sorted(lost, reverse=True)


def test_html_title_breaks_only_at_a_phrase_boundary(written: Path) -> None:
    html = (written / "通报.html").read_text(encoding="utf-8")
    assert '<h1 class="title">关于示例市2024年度政务公开考评<wbr>结果的通报</h1>' in html
    css = (templates_dir() / "notice.css").read_text(encoding="utf-8")
    assert ".title { word-break: keep-all;" in css
    assert '<div class="imprint">' in html and "2025年1月20日印发" in html


def _variant(raw: dict[str, Any], **changes: Any) -> Scores:
    data = json.loads(json.dumps(raw))
    data.update(changes)
    return parse(data)


def _missing(u: dict[str, Any]) -> dict[str, Any]:
    return dict(
        u, status="missing", total=None, parts={}, criteria=[], vetoes=[], vetoed=False, thresholds={},
        tier=None, coefficient=None, bonus_counted=None, missing=[], files=[], problems={"error": 1, "warning": 0},
    )  # fmt: skip


def test_nothing_returned_is_said_once_and_plainly(raw: dict[str, Any], tmp_path: Path) -> None:
    none = _variant(raw, units=[_missing(u) for u in raw["units"]])
    write_report(none, tmp_path, formats=("md", "docx", "xlsx", "html"))
    md = (tmp_path / "通报.md").read_text(encoding="utf-8")
    assert "各单位均未交回评分表，暂不排名。" in md
    assert "县市区共6家单位，均未交回评分表，暂不排名。" in md
    assert "0家参加排名" not in md and "读取评分表发现" not in md and "错误" not in md
    assert "以下13家单位评分未完成" in md and "未交回评分表的13家：甲区、乙县" in md
    assert md.count("甲区") == 1  # named once
    assert "**附件**" not in md and "附件" not in md  # no attachment, and no reference to one
    assert "| 县市区 | 0 |" not in md  # no table of zeros
    assert [p.name for p in (tmp_path / "整改清单").iterdir()] == ["没有整改清单的单位.txt"]


def test_a_blank_returned_workbook_is_not_filled_in_not_failed(raw: dict[str, Any], tmp_path: Path) -> None:
    import openpyxl

    data = json.loads(json.dumps(raw))
    u = next(x for x in data["units"] if x["unit"] == "戊县")
    for row in u["criteria"]:
        row["found"] = {k: None for k in row["found"]}
        row["note"] = ""
    u.update(bonus_counted=False, thresholds={"p2": "不合格"}, tier="不合格")
    write_report(parse(data), tmp_path, formats=("md", "xlsx"))
    md = (tmp_path / "通报.md").read_text(encoding="utf-8")
    assert "| 1 | 戊县 | 县市区 | 未填写 | 交回的评分表未填写，填写后重新计分 |" in md
    ws = openpyxl.load_workbook(tmp_path / "排名.xlsx")["县市区"]
    row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] == "戊县")
    assert "未填写" in row and not any(isinstance(v, str) and ("不合格" in v or "加分环节" in v) for v in row)


def test_no_pass_rate_where_the_rubric_defines_no_pass(raw: dict[str, Any], tmp_path: Path) -> None:
    units = [dict(u, thresholds={}, tier=None, coefficient=None) for u in raw["units"]]
    jingzhou_like = _variant(raw, tiers=[], units=units)
    write_report(jingzhou_like, tmp_path, formats=("md", "xlsx"))
    md = (tmp_path / "通报.md").read_text(encoding="utf-8")
    assert "合格率" not in md and "合格" not in md.replace("不合格", "")
    assert "| 分组 | 参评单位 | 参加排名 | 否决 | 未完成评分 |" in md
    import openpyxl

    ws = openpyxl.load_workbook(tmp_path / "排名.xlsx")["总体情况"]
    assert "合格率" not in [c.value for c in ws[3]]


def test_ranking_workbook_columns_fit_their_content(written: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(written / "排名.xlsx")
    ws = wb["总体情况"]
    header = [c.value for c in ws[3]]
    for name in ("不合格", "合格率", "第一等次"):
        width = ws.column_dimensions[openpyxl.utils.get_column_letter(header.index(name) + 1)].width
        assert 8 <= width <= 16, (name, width)  # no more a 40-wide column with 合格率 against it
    group = wb["县市区"]
    remarks = [c.value or "" for c in group[openpyxl.utils.get_column_letter(group.max_column)]]
    long_rows = [i + 1 for i, text in enumerate(remarks) if len(text) > 30]
    assert long_rows and all((group.row_dimensions[r].height or 0) >= 30 for r in long_rows)  # wrapped text shows


def test_missing_fonts_are_named(tmp_path: Path) -> None:
    from zwgk_cli.report.pdf import missing_fonts

    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig not installed")
    lacking = dict(missing_fonts(["一个不存在的字体XYZ"]))
    assert list(lacking) == ["一个不存在的字体XYZ"] and lacking["一个不存在的字体XYZ"]


def test_new_campaign_writes_the_imprint_settings(tmp_path: Path) -> None:
    from zwgk_cli import campaign
    from zwgk_cli.new_campaign import create

    made = create(tmp_path / "x", sample="mianyang-2022")
    text = (tmp_path / "x" / "zwgk.toml").read_text(encoding="utf-8")
    assert "cc = " in text and "printer = " in text and "print_date = " in text
    camp = campaign.load(tmp_path / "x")
    assert camp.printer == "绵阳市人民政府办公室" and camp.print_date == "2023-01-10" and made.campaign.cc
