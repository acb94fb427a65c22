"""Files named after a unit: safe on every system, unique, short enough, written atomically."""

from __future__ import annotations

from pathlib import Path

import pytest

from zwgk_cli.files import FILE_STEM_MAX_BYTES, atomic_write_bytes, safe_file_stem, unique_file_names
from zwgk_cli.model import Unit
from zwgk_cli.rubric import load
from zwgk_cli.workbook.issue import write_workbooks
from zwgk_cli.workbook.write import CampaignInfo

LONG = "市" + "很长的单位名称" * 15 + "局"  # 107 characters, 321 bytes in UTF-8


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("甲/乙局", "甲_乙局"),
        ("甲:乙局", "甲_乙局"),
        ("..", "_"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("市\u202e局", "市_局"),  # right-to-left override
        ("  市局. ", "市局"),
    ],
)
def test_a_name_becomes_a_safe_stem(name: str, stem: str) -> None:
    assert safe_file_stem(name) == stem


def test_names_that_collide_get_distinct_files() -> None:
    names = unique_file_names([("A1", "甲/乙局"), ("A2", "甲:乙局"), ("A3", "甲?乙局"), ("A4", "CON")], ".xlsx")
    assert names == {"A1": "甲_乙局.xlsx", "A2": "甲_乙局_A2.xlsx", "A3": "甲_乙局_A3.xlsx", "A4": "_CON.xlsx"}


def test_a_long_name_fits_a_file_name_with_its_temporary_form(tmp_path: Path) -> None:
    """79 or more Chinese characters used to exceed 255 bytes in the temporary name: init-sheets
    dropped the unit and report crashed with ENAMETOOLONG."""
    name = unique_file_names([("U1", LONG)], ".xlsx")["U1"]
    assert len(Path(name).stem.encode()) <= FILE_STEM_MAX_BYTES
    assert LONG.startswith(Path(name).stem)  # cut at a character boundary
    atomic_write_bytes(tmp_path / name, b"x")  # its temporary name fits too
    assert (tmp_path / name).read_bytes() == b"x"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_init_sheets_issues_a_workbook_for_a_unit_with_a_long_name(tmp_path: Path) -> None:
    rubric = load("jingzhou-2021")
    unit = Unit("U1", LONG, "市直部门")
    name = unique_file_names([(unit.id, unit.name)], ".xlsx")[unit.id]
    (written,) = write_workbooks(rubric, [(unit, tmp_path / name)], CampaignInfo(year=2021, name="测试"), processes=1)
    assert written.error == ""
    assert (tmp_path / name).stat().st_size > 0
