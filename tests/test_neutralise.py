"""Text from a roster or a workbook is never a formula or a link in anything zwgk writes.

A unit named ``=1+1`` (or ``http://…``) used to become a formula in cell A1 of its 整改清单:
xlsxwriter's ``merge_range`` and ``write`` turn such strings into formulas and links unless told
not to.  Every XLSX zwgk writes keeps them as text, and every CSV puts a ``'`` before them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_campaign
from openpyxl import load_workbook
from typer.testing import CliRunner

from zwgk_cli.cli import app

HOSTILE = '=HYPERLINK("http://example.com","点我")'
LINK = "http://example.com/单位"


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    root = corpus_campaign(tmp_path / "考评", ("no_note.xlsx", "good_dept.xlsx"), copy=())  # C41 has a deduction
    renamed = {"单位C41": HOSTILE, "单位G02": LINK}
    for name in ("units.csv", "websites.csv"):  # both name the units
        with (CORPUS / name).open(encoding="utf-8", newline="") as fh:
            rows = [[renamed.get(v, v) for v in row] for row in csv.reader(fh)]
        with (root / name).open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    return root


def _texts(path: Path) -> list[tuple[str, str, object, str]]:
    wb = load_workbook(path)
    return [
        (ws.title, c.coordinate, c.value, c.data_type)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]


def test_unit_names_that_look_like_formulas_or_links_stay_text(campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(campaign)
    runner = CliRunner()
    res = runner.invoke(app, ["score", "-j", "1"])
    assert res.exit_code in (0, 1), res.output
    res = runner.invoke(app, ["report", "-f", "xlsx"])
    assert res.exit_code in (0, 1), res.output

    books = [campaign / "results" / "scores.xlsx", *sorted((campaign / "report").rglob("*.xlsx"))]
    assert len(books) >= 3  # scores.xlsx, 排名.xlsx and at least one 整改清单
    seen_hostile = seen_link = False
    for book in books:
        wb = load_workbook(book)
        links = [c.coordinate for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.hyperlink]
        assert not links, f"{book.name}: links at {links}"
        for sheet, cell, value, kind in _texts(book):
            text = str(value)
            assert not (kind == "f" and ("HYPERLINK" in text or "1+1" in text)), f"{book.name}!{sheet}!{cell}"
            seen_hostile |= HOSTILE in text
            seen_link |= LINK in text
    assert seen_hostile and seen_link  # the names are there, as text

    with (campaign / "results" / "scores.csv").open(encoding="utf-8-sig", newline="") as fh:
        names = [row["单位名称"] for row in csv.DictReader(fh)]
    assert "'" + HOSTILE in names


def test_problem_text_is_never_rich_markup() -> None:
    """A cell text such as ``[/]`` quoted in a problem crashed the terminal table, and
    ``[link=…]…[/link]`` became a clickable link in the organiser's terminal."""
    from io import StringIO

    from rich.console import Console

    from zwgk_cli.cli.common import problems_table
    from zwgk_cli.problems import Code, problem

    quoted = [
        problem(
            Code.V_NOT_NUMBER,
            file="returned/a.xlsx",
            sheet="第一部分",
            cell="F7",
            label="粉丝数",
            found=text,
            expected="整数",
        )
        for text in ("[/]", "[link=http://example.com]点我[/link]", "[bold red]x")
    ]
    out = StringIO()
    console = Console(file=out, force_terminal=True, width=200, color_system="truecolor")
    console.print(problems_table(quoted))
    shown = out.getvalue()
    assert "[/]" in shown and "[link=http://example.com]点我[/link]" in shown and "[bold red]x" in shown
    assert "\x1b]8;" not in shown  # no terminal hyperlink escape
