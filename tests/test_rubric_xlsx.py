"""The rubric workbook (评分细则.xlsx): every bundled rubric survives export → read with the
same content hash, a workbook read and written again is the same bytes, every mistake in a
workbook is reported by its sheet and cell (pyxform style: a small workbook with one mistake),
and the ``rubric export`` / ``rubric new`` / ``rubric check`` commands."""

from __future__ import annotations

import io
import re
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import HEAD, ONE_PART
from typer.testing import CliRunner

from zwgk_cli import rubric
from zwgk_cli.cli import app
from zwgk_cli.problems import Problem
from zwgk_cli.resources import sample_roster
from zwgk_cli.rubric import xlsx_read, xlsx_schema, xlsx_write
from zwgk_cli.rubric.source import load_yaml

MINI = Path(__file__).parent / "data" / "mini.yaml"
RUBRICS = [*rubric.bundled_ids(), str(MINI)]

# ONE_PART as a workbook: 评分细则 row 2 is the 部分 p1, row 3 the indicator a1 (one scoring
# item); 计分规则 row 2 its rule.  Columns: see xlsx_schema.TREE / RULES.


def col(cols: tuple[xlsx_schema.Col, ...], header: str) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[next(i for i, c in enumerate(cols) if c.header == header)]


def tree(header: str) -> str:
    return col(xlsx_schema.TREE, header)


def rules(header: str) -> str:
    return col(xlsx_schema.RULES, header)


def workbook(tmp_path: Path, yaml_text: str = ONE_PART, edits: dict[str, dict[str, Any]] | None = None) -> Path:
    """HEAD + ``yaml_text`` exported as a workbook, then ``edits`` ({sheet: {cell: value}})."""
    data, _ = load_yaml(HEAD + textwrap.dedent(yaml_text), "inline.yaml")
    raw = xlsx_write.workbook_bytes(data)
    path = tmp_path / "inline.xlsx"
    if edits:
        wb = openpyxl.load_workbook(io.BytesIO(raw))
        for sheet, cells in edits.items():
            for ref, value in cells.items():
                wb[sheet][ref] = value
        wb.save(path)
    else:
        path.write_bytes(raw)
    return path


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(rubric.RubricError) as exc:
        rubric.load(str(path))
    return exc.value.problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [(p.code, p.where, p.message) for p in problems]
    return problems[0]


# ------------------------------------------------------------------ round trip


@pytest.mark.parametrize("ref", RUBRICS)
def test_export_then_read_keeps_the_content_hash(ref: str, tmp_path: Path) -> None:
    r = rubric.load(ref)
    raw = xlsx_write.workbook_bytes(rubric.source_data(ref))
    path = tmp_path / "r.xlsx"
    path.write_bytes(raw)
    back = rubric.load(str(path))
    assert back.hash == r.hash
    assert replace(back, path=r.path) == r  # the same rubric, not only the same hash
    assert rubric.check(back) == [replace(p, file=str(path)) for p in rubric.check(r)]


EMPTY_WRITTEN = {  # MINI with an empty list or mapping written, or its tiers left out: pattern, replacement
    "no tiers key": (r"tiers:\n(  - .*\n)+", ""),
    "notes: []": (r"notes:\n(  - .*\n)+", "notes: []\n"),
    "aliases: {}": (r"\nnotes:", "\naliases: {}\nnotes:"),
    "only_if: {} on a criterion": (r"(\n +)vetoes:", r"\1only_if: {}\1vetoes:"),
}


@pytest.mark.parametrize("case", EMPTY_WRITTEN)
def test_an_empty_list_or_mapping_hashes_as_not_written(case: str, tmp_path: Path) -> None:
    """A rubric workbook cannot say "an empty list": a YAML rubric that writes one (or leaves out
    its tiers) keeps its hash as a workbook, so its returned workbooks are not W040."""
    pattern, replacement = EMPTY_WRITTEN[case]
    text, n = re.subn(pattern, replacement, MINI.read_text(encoding="utf-8"), count=1)
    assert n == 1
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    r = rubric.load(str(path))
    (tmp_path / "r.xlsx").write_bytes(xlsx_write.workbook_bytes(rubric.source_data(str(path))))
    assert rubric.load(str(tmp_path / "r.xlsx")).hash == r.hash


@pytest.mark.parametrize("ref", RUBRICS)
def test_a_workbook_read_and_written_again_is_the_same_bytes(ref: str) -> None:
    raw = xlsx_write.workbook_bytes(rubric.source_data(ref))
    data, _ = xlsx_read.read_data(raw, "r.xlsx")
    assert xlsx_write.workbook_bytes(data) == raw
    assert xlsx_write.workbook_bytes(rubric.source_data(ref)) == raw  # no date or clock in the bytes


def test_the_workbook_is_editable_and_prints(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_write.workbook_bytes(rubric.source_data("jingzhou-2021"))))
    ws = wb[xlsx_schema.SHEET_TREE]
    assert [c.value for c in ws[1]][:6] == ["类别", "层级", "编号", "名称", "分值", "评分细则"]
    assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage  # 1 page wide
    lists = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in ws.data_validations.dataValidation}
    assert lists[tree("层级")].type == "list" and "一级指标" in lists[tree("层级")].formula1
    assert lists[tree("计分方式")].formula1 == '"得分,扣分,通报扣分"'
    assert lists[tree("分值")].type == "decimal"
    assert lists[tree("类别")].formula1 == "类别!$A$2:$A$2001"
    rws = wb[xlsx_schema.SHEET_RULES]
    rlists = {str(dv.sqref)[0]: dv for dv in rws.data_validations.dataValidation}
    assert rlists[rules("用途")].formula1 == '"计分,否决,输入,分子,分母"'
    assert rlists[rules("评分项编号")].formula1 == "评分细则!$C$2:$C$2001"


def test_the_blank_workbook_explains_every_rule_kind_with_a_sound_example() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_write.workbook_bytes({})))
    assert wb.sheetnames[:2] == [xlsx_schema.SHEET_HELP, xlsx_schema.SHEET_INFO]
    help_text = [str(c.value) for row in wb[xlsx_schema.SHEET_HELP].iter_rows() for c in row if c.value]
    kinds = {v for v in help_text if v in {label for label, _ in xlsx_schema.INPUT_KINDS}}
    assert kinds >= {"个数", "是否", "选项", "数值", "百分比", "酌情赋分", "比例"}
    assert wb[xlsx_schema.SHEET_TREE].max_row == 1 and wb[xlsx_schema.SHEET_RULES].max_row == 1
    example = rubric.parse(xlsx_write.EXAMPLE_YAML, "example.yaml")
    assert rubric.check(example) == []


# ------------------------------------------------------------------ located problems


def test_the_base_workbook_is_sound(tmp_path: Path) -> None:
    r = rubric.load(str(workbook(tmp_path)))
    assert r.max == 10 and rubric.check(r) == []


def test_a_value_outside_its_list(tmp_path: Path) -> None:
    p = only(problems_of(workbook(tmp_path, edits={"评分细则": {f"{tree('计分方式')}3": "加分制"}})))
    assert (p.code, p.sheet, p.cell) == ("R004", "评分细则", "G3")
    assert p.message == "字段“计分方式”的值“加分制”不合要求:得分、扣分、通报扣分之一"
    assert p.where.endswith("inline.xlsx 评分细则 G3")


def test_a_word_where_a_number_belongs(tmp_path: Path) -> None:
    p = only(problems_of(workbook(tmp_path, edits={"评分细则": {f"{tree('分值')}2": "十"}})))
    assert (p.code, p.sheet, p.cell, p.message) == ("R004", "评分细则", "E2", "字段“分值”的值“十”不合要求:数字")


def test_a_missing_value_is_reported_in_its_cell(tmp_path: Path) -> None:
    p = only(problems_of(workbook(tmp_path, edits={"评分细则": {f"{tree('分值')}2": None}})))
    assert (p.code, p.sheet, p.cell, p.message) == ("R003", "评分细则", "E2", "缺少必填字段“分值”")


def test_a_scoring_item_without_rules(tmp_path: Path) -> None:
    p = only(
        problems_of(
            workbook(
                tmp_path,
                edits={
                    "计分规则": {f"{rules('用途')}2": None, "B2": None, "D2": None, "E2": None, "F2": None, "H2": None}
                },
            )
        )
    )
    assert (p.code, p.sheet, p.cell) == ("R003", "评分细则", "A3")
    assert p.message == "缺少必填字段“计分规则(在“计分规则”表中为该项添加“计分”行)”"


def test_a_rule_of_no_scoring_item(tmp_path: Path) -> None:
    problems = problems_of(workbook(tmp_path, edits={"计分规则": {f"{rules('评分项编号')}2": "a9"}}))
    p = problems[0]
    assert (p.code, p.sheet, p.cell, p.message) == ("R009", "计分规则", "B2", "引用的“a9”不存在")
    assert "评分细则" in p.hint


def test_a_row_out_of_the_outline(tmp_path: Path) -> None:
    p = only(problems_of(workbook(tmp_path, edits={"评分细则": {f"{tree('层级')}3": "二级指标"}})))
    assert (p.code, p.sheet, p.cell) == ("R004", "评分细则", "B3")
    assert p.message == "字段“层级”的值“二级指标”不合要求:“二级指标”须在某个“一级指标”之下"


def test_a_level_outside_its_list_is_a_located_problem(tmp_path: Path) -> None:
    # a typed level (not picked from the drop-down) once crashed the reader with a traceback
    p = only(problems_of(workbook(tmp_path, edits={"评分细则": {f"{tree('层级')}3": "指标x"}})))
    assert (p.code, p.sheet, p.cell) == ("R004", "评分细则", "B3")
    assert p.message.startswith("字段“层级”的值“指标x”不合要求:部分、子部分、一级指标")
    # on a 部分 row: that row first, then the rows it leaves without a place
    first = problems_of(workbook(tmp_path, edits={"评分细则": {f"{tree('层级')}2": "x"}}))[0]
    assert (first.code, first.cell) == ("R004", "B2")


def test_a_column_that_does_not_apply_to_the_row(tmp_path: Path) -> None:
    p = only(problems_of(workbook(tmp_path, edits={"评分细则": {f"{tree('部分类型')}3": "加分"}})))
    assert (p.code, p.sheet, p.cell, p.message) == ("R005", "评分细则", "H3", "未知字段“部分类型”")


def test_a_bad_band_line(tmp_path: Path) -> None:
    text = ONE_PART.replace(
        "{input: ok, label: 已公开, kind: yes_no, points: 10}",
        "{input: n, label: 篇数, kind: count, bands: [{op: '>', value: 3, points: 10}]}",
    )
    assert rubric.load(str(workbook(tmp_path, text))).max == 10
    p = only(problems_of(workbook(tmp_path, text, {"计分规则": {f"{rules('档次')}2": "多于三篇得10分"}})))
    assert (p.code, p.sheet, p.cell) == ("R004", "计分规则", "K2")
    assert p.message == "字段“档次”的值“多于三篇得10分”不合要求:每行一个“大于15:1”(条件:分值)"


def test_a_duplicate_id_names_the_other_cell(tmp_path: Path) -> None:
    second = ONE_PART.replace("parts:\n", "").replace("p1", "p2").replace("a1", "a2")
    path = workbook(tmp_path, ONE_PART + second, {"评分细则": {f"{tree('编号')}4": "p1"}})
    p = only(problems_of(path))
    assert (p.code, p.sheet, p.cell, p.message) == ("R006", "评分细则", "C4", "编号“p1”重复(另见 评分细则 C2)")


def test_bad_tiers_are_located_on_their_sheet(tmp_path: Path) -> None:
    p = only(problems_of(workbook(tmp_path, edits={"等次": {"A2": "优秀", "B2": 8, "A3": "不合格", "B3": 8}})))
    assert (p.code, p.sheet, p.cell) == ("R017", "等次", "A2")


def test_an_unknown_setting(tmp_path: Path) -> None:
    p = only(problems_of(workbook(tmp_path, edits={"基本信息": {"A12": "主办单位", "B12": "市政府办"}})))
    assert (p.code, p.sheet, p.cell, p.message) == ("R005", "基本信息", "A12", "未知字段“主办单位”")


def test_not_a_workbook_and_too_large(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("编号,名称\n", encoding="utf-8")
    p = only(problems_of(fake))
    assert (p.code, p.message) == ("R002", "找不到评分细则:不是 Excel 工作簿(.xlsx)")
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    p = only(problems_of(legacy))
    assert (p.code, p.message) == ("R002", "找不到评分细则:旧版 Excel(.xls)文件,请用 Excel/WPS 另存为 .xlsx")
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK\x03\x04" + b"\0" * xlsx_read.MAX_XLSX_BYTES)
    assert only(problems_of(big)).code == "R018"


def test_a_workbook_is_known_by_its_bytes_whatever_its_name(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    renamed = tmp_path / "细则"
    renamed.write_bytes(path.read_bytes())
    assert rubric.load(str(renamed)).max == 10


# ------------------------------------------------------------------ commands


def test_cli_export_new_check(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "jz.xlsx"
    res = runner.invoke(app, ["rubric", "export", "jingzhou-2021", "--xlsx", str(out)])
    assert res.exit_code == 0, res.output
    assert "已导出" in res.output and out.read_bytes() == xlsx_write.workbook_bytes(rubric.source_data("jingzhou-2021"))
    res = runner.invoke(app, ["rubric", "export", "jingzhou-2021", "--xlsx", str(out)])
    assert res.exit_code == 2 and "已存在" in res.output
    res = runner.invoke(app, ["rubric", "check", str(out)])
    assert res.exit_code == 0, res.output
    assert rubric.load("jingzhou-2021").hash in res.output.replace("\n", "")
    assert "R010 " + str(out) + " 评分细则 C8:“依申请公开”原文写“得4分”" in res.output.replace("\n", "")
    blank = tmp_path / "blank.xlsx"
    res = runner.invoke(app, ["rubric", "new", str(blank)])
    assert res.exit_code == 0 and blank.is_file(), res.output
    res = runner.invoke(app, ["rubric", "check", str(blank)])
    assert res.exit_code == 2 and "基本信息 B2" in res.output and "缺少必填字段“编号”" in res.output


def test_a_campaign_with_a_workbook_rubric(tmp_path: Path) -> None:
    runner = CliRunner()
    book = tmp_path / "细则.xlsx"
    book.write_bytes(xlsx_write.workbook_bytes(rubric.source_data("jingzhou-2021")))
    found = sample_roster("jingzhou-2021")
    assert found is not None
    folder = tmp_path / "考评"
    res = runner.invoke(app, ["new", str(folder), "--rubric", str(book), "--roster", str(found[0])])
    assert res.exit_code == 0, res.output
    assert 'rubric = "细则.xlsx"' in (folder / "zwgk.toml").read_text(encoding="utf-8")
    res = runner.invoke(app, ["rubric", "show", "-C", str(folder), "--json"])
    assert res.exit_code == 0, res.output
    assert '"hash": "' + rubric.load("jingzhou-2021").hash in res.output
