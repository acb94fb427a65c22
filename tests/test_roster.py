"""Roster files: CSV in the encodings Chinese Excel and WPS save (said in a warning), and every
file that cannot be a roster (pipe, device, folder, too big, broken, not text) one located
problem in Chinese, never a hang, an unbounded read or a traceback."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import xlsxwriter
from typer.testing import CliRunner

from zwgk_cli.cli import app
from zwgk_cli.problems import Problem, Severity
from zwgk_cli.roster import MAX_ROSTER_BYTES, Roster, load_roster

DATA = Path(__file__).parent / "data"
runner = CliRunner()

UNITS_CSV = "编号,单位名称,分组,督促指导任务\r\nU1,甲县,县区,否\r\nU2,乙局,部门,是\r\n"
SITES_CSV = "编号,名称,类型,所属单位\r\nW1,甲县政府网,website,甲县\r\nW2,乙局网站,website,乙局\r\n"


def _only(problems: list[Problem], code: str) -> Problem:
    found = [p for p in problems if p.code == code]
    assert len(found) == 1 and len(problems) == 1, problems
    return found[0]


def _names(roster: Roster) -> list[str]:
    return [u.name for u in roster.units]


# ------------------------------------------------------------------ encodings


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "gb2312"])
def test_a_csv_saved_by_chinese_excel_or_wps_is_read_and_the_encoding_said(tmp_path: Path, encoding: str) -> None:
    units = tmp_path / "单位.csv"
    units.write_bytes(UNITS_CSV.encode(encoding))
    sites = tmp_path / "网站.csv"
    sites.write_bytes(SITES_CSV.encode(encoding))
    roster = load_roster(units, sites)
    assert _names(roster) == ["甲县", "乙局"] and roster.units[1].attributes["督促指导任务"] == "是"
    assert [t.name for t in roster.units[0].targets] == ["甲县政府网"]
    warnings = [p for p in roster.problems if p.code == "L010"]
    assert {p.file for p in warnings} == {str(units), str(sites)} and len(roster.problems) == 2
    assert all(p.severity is Severity.WARNING and "GB18030" in p.message and p.hint for p in warnings)


def test_characters_only_gb18030_has_are_read(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_bytes("编号,单位名称,分组\nU1,䶮𠀀县,县区\n".encode("gb18030"))
    roster = load_roster(units)
    assert _names(roster) == ["䶮𠀀县"] and _only(roster.problems, "L010")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (UNITS_CSV.encode("utf-8"), "no BOM"),
        (b"\xef\xbb\xbf" + UNITS_CSV.encode("utf-8"), "BOM"),
        (UNITS_CSV.replace(",", "\t").encode("utf-16"), "Excel Unicode text"),
    ],
)
def test_unicode_rosters_are_read_without_a_warning(tmp_path: Path, data: bytes, name: str) -> None:
    units = tmp_path / "units.csv"
    units.write_bytes(data)
    roster = load_roster(units)
    assert _names(roster) == ["甲县", "乙局"] and roster.problems == [], name


def test_a_file_in_no_known_encoding_is_one_problem_in_chinese(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_bytes("编号,单位名称,分组\n".encode() + b"U1,\xff\xfe\x80\x81,A\n")
    p = _only(load_roster(units).problems, "L001")
    assert p.file == str(units) and p.line == 2 and "GBK" in p.message and "codec" not in p.message
    assert p.hint


def test_a_utf8_file_with_a_bom_and_broken_bytes_is_one_problem(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_bytes(b"\xef\xbb\xbf" + "编号,单位名称,分组\n".encode() + "U1,甲县,县区\n".encode("gbk"))
    p = _only(load_roster(units).problems, "L001")
    assert p.line == 2 and "UTF-8" in p.message


def test_gbk_roster_through_init_sheets(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_bytes(UNITS_CSV.encode("gbk"))
    sites = tmp_path / "sites.csv"
    sites.write_bytes(SITES_CSV.encode("gbk"))
    out = tmp_path / "评分表"
    args = ["init-sheets", "--rubric", str(DATA / "mini.yaml"), "--roster", str(units), "--targets", str(sites)]
    res = runner.invoke(app, [*args, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["乙局.xlsx", "甲县.xlsx"]
    assert "L010" in res.output and "GB18030" in res.output


# ------------------------------------------------------------------ the columns the rubric's conditions read


def _checked(tmp_path: Path, units_csv: str) -> Roster:
    """``units_csv`` (units U1–U3, each with its website) read and checked against
    tests/data/mini.yaml, whose 督导 item applies only to units with 督促指导任务 = 是."""
    from zwgk_cli import rubric as rubric_mod
    from zwgk_cli.new_campaign import checked_roster

    (tmp_path / "units.csv").write_text(units_csv, encoding="utf-8")
    sites = SITES_CSV + ("W3,丙局网站,website,丙局\r\n" if ",丙局," in units_csv else "")
    (tmp_path / "sites.csv").write_text(sites, encoding="utf-8")
    return checked_roster(rubric_mod.load(str(DATA / "mini.yaml")), tmp_path / "units.csv", tmp_path / "sites.csv")


def test_a_roster_with_the_columns_the_conditions_read_has_no_problem(tmp_path: Path) -> None:
    assert _checked(tmp_path, UNITS_CSV).problems == []


def test_a_yes_no_column_with_another_value_is_l007_at_the_unit_s_row(tmp_path: Path) -> None:
    """A typo in a 是/否 column made the whole column text, and the unit silently a 否."""
    roster = _checked(tmp_path, UNITS_CSV + "U3,丙局,部门,部分\r\n")
    p = _only(roster.problems, "L007")
    assert p.severity is Severity.ERROR and p.unit == "丙局" and p.line == 4
    assert p.message == "属性“督促指导任务”的值“部分”无法识别,应为“是”或“否”"
    assert "当作“否”" in p.hint


def test_a_column_the_conditions_read_missing_from_the_roster_is_l011(tmp_path: Path) -> None:
    roster = _checked(tmp_path, "编号,单位名称,分组\r\nU1,甲县,县区\r\nU2,乙局,部门\r\n")
    p = _only(roster.problems, "L011")
    assert p.severity is Severity.WARNING and p.file.endswith("units.csv")
    assert p.message == "细则的适用条件用到名单列“督促指导任务”,但名单没有这一列:每个单位都按不具备“督促指导任务”计分"


@pytest.mark.parametrize("written", ["有", "yes", "√", "true"])
@pytest.mark.parametrize("roster_says", ["是", "有", "√"])
def test_a_condition_may_write_yes_as_the_roster_may(tmp_path: Path, written: str, roster_says: str) -> None:
    """A roster's 是/否 column is read as 是/否 whatever word it uses (有/无, √, yes…); a condition
    naming 有 (or yes, √) held for no unit at all, silently."""
    from zwgk_cli import rubric as rubric_mod
    from zwgk_cli.new_campaign import checked_roster

    text = (DATA / "mini.yaml").read_text(encoding="utf-8")
    assert "only_if: {督促指导任务: true}" in text
    (tmp_path / "r.yaml").write_text(text.replace("{督促指导任务: true}", f"{{督促指导任务: {written}}}"), "utf-8")
    rubric = rubric_mod.load(str(tmp_path / "r.yaml"))
    (tmp_path / "units.csv").write_text(UNITS_CSV.replace("部门,是", f"部门,{roster_says}"), encoding="utf-8")
    (tmp_path / "sites.csv").write_text(SITES_CSV, encoding="utf-8")
    roster = checked_roster(rubric, tmp_path / "units.csv", tmp_path / "sites.csv")
    assert roster.problems == []
    a4 = {
        u.name: next(c for _, _, c in rubric_mod.walk_with_path(rubric_mod.resolve(rubric, u)) if c.id == "a4")
        for u in roster.units
    }
    assert {name: c.applicable for name, c in a4.items()} == {"甲县": False, "乙局": True}


def test_targets_of_a_type_the_rubric_does_not_know_are_one_warning_per_type(tmp_path: Path) -> None:
    """A website typed 网战 (a typo) was kept and silently never assessed."""
    sites = SITES_CSV + "W3,甲县二号网站,网战,甲县\r\nW4,乙局二号网站,网战,乙局\r\nW5,乙局三号网站,政府网站,乙局\r\n"
    (tmp_path / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    (tmp_path / "sites.csv").write_text(sites, encoding="utf-8")
    roster = load_roster(tmp_path / "units.csv", tmp_path / "sites.csv")
    p = _only(roster.problems, "L012")
    assert p.severity is Severity.WARNING and p.file.endswith("sites.csv") and p.line == 4
    assert p.message == "对象表中2个对象的类型“网战”不是细则的对象类型(政府网站),不参加评分:第4行、第5行"
    kinds = {t.name: t.kind for u in roster.units for t in u.targets}
    assert kinds["乙局三号网站"] == "website"  # a kind's title is as good as its id


@pytest.mark.parametrize("attribute", ["name", "单位名称", "group", "分组"])
def test_a_condition_on_the_unit_s_name_or_group_reads_no_column(tmp_path: Path, attribute: str) -> None:
    """单位名称 names the unit as ``name`` does: the workbook planner already took it so, while the
    condition itself held for no unit."""
    from zwgk_cli.model import Condition, Unit

    unit = Unit("U2", "乙局", "部门")
    value = "乙局" if attribute in ("name", "单位名称") else "部门"
    assert Condition(attribute, (value,)).holds(unit.attrs())
    assert not Condition(attribute, ("别的",)).holds(unit.attrs())


def test_init_sheets_issues_no_workbook_to_a_unit_whose_yes_no_value_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "units.csv").write_text(UNITS_CSV + "U3,丙局,部门,部分\r\n", encoding="utf-8")
    (tmp_path / "sites.csv").write_text(SITES_CSV + "W3,丙局网站,website,丙局\r\n", encoding="utf-8")
    out = tmp_path / "评分表"
    args = ["init-sheets", "--rubric", str(DATA / "mini.yaml"), "--roster", str(tmp_path / "units.csv")]
    res = runner.invoke(app, [*args, "--targets", str(tmp_path / "sites.csv"), "--out", str(out)])
    assert sorted(p.name for p in out.iterdir()) == ["乙局.xlsx", "甲县.xlsx"]
    assert "L007" in res.output and "丙局" in res.output


# ------------------------------------------------------------------ files that cannot be rosters


def _returns_within(seconds: float, call: Callable[[], Roster]) -> Roster:
    box: list[Roster] = []
    worker = threading.Thread(target=lambda: box.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    if not box:
        pytest.fail("blocked")
    return box[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_one_problem_not_a_hang(tmp_path: Path) -> None:
    pipe = tmp_path / "units.csv"
    os.mkfifo(pipe)
    try:
        roster = _returns_within(10, lambda: load_roster(pipe))
    finally:  # a reader still waiting on the pipe gets an end of file
        with contextlib.suppress(OSError):
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
    p = _only(roster.problems, "L001")
    assert p.file == str(pipe) and "不是普通文件" in p.message


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_named_in_the_settings_is_one_problem_not_an_unbounded_read(tmp_path: Path) -> None:
    root = tmp_path / "c"
    root.mkdir()
    shutil.copy(DATA / "mini.yaml", root / "mini.yaml")
    (root / "zwgk.toml").write_text(
        '[campaign]\nrubric = "mini.yaml"\n[paths]\nunits = "/dev/zero"\n', encoding="utf-8"
    )
    res = runner.invoke(app, ["score", "--campaign", str(root)])
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    assert "L001" in res.output and "单位名单中没有可用的单位" in res.output
    res = runner.invoke(app, ["init-sheets", "--campaign", str(root), "--json"])
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit), res.output
    [p] = json.loads(res.stdout)["problems"]
    assert p["code"] == "L001" and p["file"] == "/dev/zero" and "不是普通文件" in p["message"]


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    with units.open("wb") as fh:
        fh.write(UNITS_CSV.encode())
        fh.truncate(MAX_ROSTER_BYTES + 1)  # sparse: costs no disk
    p = _only(load_roster(units).problems, "L001")
    assert "过大" in p.message and "20.0 MB" in p.message


def test_a_folder_is_one_problem(tmp_path: Path) -> None:
    p = _only(load_roster(tmp_path).problems, "L001")
    assert p.file == str(tmp_path) and "文件夹" in p.message


def test_a_missing_file_is_one_problem(tmp_path: Path) -> None:
    p = _only(load_roster(tmp_path / "无.csv").problems, "L001")
    assert "不存在" in p.message


def test_an_empty_file_is_one_problem(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_bytes(b"\xef\xbb\xbf\r\n")
    p = _only(load_roster(units).problems, "L001")
    assert "空" in p.message


@pytest.mark.parametrize(
    ("text", "line", "why"),
    [
        ('编号,单位名称,分组\nU1,"甲县,县区\n', 2, "CSV"),
        ("编号,单位名称,分组\nU1,甲县,县区\nU2,乙\x00局,部门\n", 3, "空字符"),
    ],
)
def test_a_broken_csv_is_one_problem_with_its_line(tmp_path: Path, text: str, line: int, why: str) -> None:
    units = tmp_path / "units.csv"
    units.write_text(text, encoding="utf-8")
    p = _only(load_roster(units).problems, "L001")
    assert p.line == line and why in p.message and "Error" not in p.message


def test_a_text_file_named_xlsx_is_one_problem_in_chinese(tmp_path: Path) -> None:
    units = tmp_path / "units.xlsx"
    units.write_text(UNITS_CSV, encoding="utf-8")
    p = _only(load_roster(units).problems, "L001")
    assert ".xlsx" in p.message and "不是 Excel" in p.message


def test_a_broken_workbook_is_one_problem_in_chinese(tmp_path: Path) -> None:
    units = tmp_path / "units.xlsx"
    units.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    p = _only(load_roster(units).problems, "L001")
    assert "损坏" in p.message


# ------------------------------------------------------------------ spreadsheets


def _workbook(path: Path, sheets: dict[str, list[list[str]]]) -> None:
    with xlsxwriter.Workbook(str(path)) as wb:
        for name, rows in sheets.items():
            ws = wb.add_worksheet(name)
            for r, row in enumerate(rows):
                ws.write_row(r, 0, row)


def test_an_xlsx_roster_with_units_and_websites_sheets(tmp_path: Path) -> None:
    book = tmp_path / "名单.xlsx"
    units = [line.split(",") for line in UNITS_CSV.split("\r\n") if line]
    sites = [line.split(",") for line in SITES_CSV.split("\r\n") if line]
    _workbook(book, {"单位": units, "网站": sites})
    roster = load_roster(book)
    assert _names(roster) == ["甲县", "乙局"] and roster.problems == []
    assert [t.name for u in roster.units for t in u.targets] == ["甲县政府网", "乙局网站"]


def test_a_workbook_named_csv_is_read_as_a_workbook(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with xlsxwriter.Workbook(buf, {"in_memory": True}) as wb:
        ws = wb.add_worksheet("单位")
        for r, line in enumerate(UNITS_CSV.split("\r\n")[:3]):
            ws.write_row(r, 0, line.split(","))
    units = tmp_path / "units.csv"
    units.write_bytes(buf.getvalue())
    assert _names(load_roster(units)) == ["甲县", "乙局"]


def test_control_characters_in_a_roster_never_reach_the_outputs(tmp_path: Path) -> None:
    """A unit name pasted out of Word carries a vertical tab; python-docx refuses such text, so
    the report of every unit used to end in a traceback.  The roster reader drops them."""
    csv_file = tmp_path / "units.csv"
    csv_file.write_text("编号,单位名称,分组\nA1,市\x0b财政局\x01,部门\n", encoding="utf-8")
    book = tmp_path / "units.xlsx"
    wb = xlsxwriter.Workbook(str(book))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["编号", "单位名称", "分组"])
    ws.write_row(1, 0, ["A1", "市\x0b财政局", "部门"])
    wb.close()
    for f in (csv_file, book):
        (unit,) = load_roster(f).units
        assert unit.name == "市财政局", f.name
