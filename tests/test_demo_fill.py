"""The demo's simulated assessors save byte-stable workbooks: the same fill gives the same bytes."""

from __future__ import annotations

import time
from pathlib import Path

from conftest import load_sample

from zwgk_cli.demo import fill
from zwgk_cli.workbook import write as sheets


def test_two_fills_of_the_same_workbook_are_byte_identical(tmp_path: Path) -> None:
    rubric, units = load_sample("mianyang-2022")
    unit = units[0]
    data, _ = sheets.build_workbook(rubric, unit, sheets.CampaignInfo(year=2022, name="绵阳市2022年考核"))
    blank = tmp_path / "空白.xlsx"
    blank.write_bytes(data)
    values = fill.random_values(rubric, unit, seed=3)
    first, second = tmp_path / "第一次.xlsx", tmp_path / "第二次.xlsx"
    fill.fill_workbook(blank, first, values, assessor="王晓明")
    time.sleep(2.1)  # past a second (the document's dates) and two (a ZIP entry's date)
    fill.fill_workbook(blank, second, values, assessor="王晓明")
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != blank.read_bytes()
