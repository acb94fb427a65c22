"""What a returned folder can hold besides workbooks: file names that are not UTF-8 and links
that point at each other.  Neither may stop the batch; each is read or named in one problem."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import corpus_campaign
from typer.testing import CliRunner

from zwgk_cli.cli import app

CORPUS = Path(__file__).parent / "data" / "corpus"


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    """A campaign folder on the corpus rubric and roster, with one good workbook returned."""
    return corpus_campaign(tmp_path / "考评", ("good_dept.xlsx",))


def _score(root: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(root)
    return CliRunner().invoke(app, ["score", "--json", "-j", "1"])


def _gbk_file(folder: Path, name: str, data: bytes) -> None:
    with open(os.fsencode(folder) + b"/" + name.encode("gbk"), "wb") as fh:
        fh.write(data)


def test_a_returned_file_named_in_gbk_is_read_and_named_readably(
    campaign: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zip made on Chinese Windows unpacks on Linux with GBK names.  Their surrogate escapes
    used to reach the batch's spool, which ended the batch (UnicodeEncodeError); the reader now
    names every file readably (``problems.readable``)."""
    _gbk_file(campaign / "returned", "单位G01评分表.xlsx", (CORPUS / "good.xlsx").read_bytes())
    _gbk_file(campaign / "returned", "坏文件.xlsx", b"not a workbook")
    res = _score(campaign, monkeypatch)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    summary = json.loads(res.stdout)
    files = {p["file"] for p in summary["problems"]}
    assert "returned/坏文件.xlsx" in files
    assert summary["files"] == 3
    doc = json.loads((campaign / "results" / "scores.json").read_text(encoding="utf-8"))
    assert "G01" in json.dumps(doc, ensure_ascii=False)


def test_links_pointing_at_each_other_are_one_problem(campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    returned = campaign / "returned"
    (returned / "a.xlsx").symlink_to(returned / "b.xlsx")
    (returned / "b.xlsx").symlink_to(returned / "a.xlsx")
    res = _score(campaign, monkeypatch)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    summary = json.loads(res.stdout)
    by_file = {p["file"]: p["code"] for p in summary["problems"] if p["file"].endswith(("a.xlsx", "b.xlsx"))}
    assert by_file == {"returned/a.xlsx": "W001", "returned/b.xlsx": "W001"}
    assert summary["files"] == 3


def test_a_folder_link_loop_is_not_followed(campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (campaign / "returned" / "自身").symlink_to(campaign / "returned")
    res = _score(campaign, monkeypatch)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert json.loads(res.stdout)["files"] == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_pipe_named_like_a_workbook_is_one_problem_for_score_and_inspect(
    campaign: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FIFO named ``.xlsx`` must never be waited on: ``score`` passes it by (it lists regular
    files and links only) and scores the rest; ``inspect`` names it W001, '不是普通文件' (it used
    to call it an empty file, W002)."""
    os.mkfifo(campaign / "returned" / "pipe.xlsx")
    res = _score(campaign, monkeypatch)
    summary = json.loads(res.stdout)
    assert summary["files"] == 1
    assert not [p for p in summary["problems"] if p["file"] == "returned/pipe.xlsx"]
    res = CliRunner().invoke(app, ["inspect", "--json", "returned/pipe.xlsx"])
    report = json.loads(res.stdout)
    entry = report[0] if isinstance(report, list) else report
    assert entry["ok"] is False
    assert entry["problem"]["code"] == "W001"
    assert "不是普通文件" in entry["problem"]["message"]


def test_files_that_are_not_workbooks_are_named_not_read(campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PDF evidence and a Word file used to be passed by without a word."""
    returned = campaign / "returned"
    (returned / "佐证材料.pdf").write_bytes(b"%PDF-1.4")
    (returned / "说明.docx").write_bytes(b"PK")
    (returned / "三台县.xlsx.zip").write_bytes(b"PK")
    (returned / ".DS_Store").write_bytes(b"")
    (returned / "~$good_dept.xlsx").write_bytes(b"")
    res = _score(campaign, monkeypatch)
    summary = json.loads(res.stdout)
    named = sorted(p["file"] for p in summary["problems"] if p["code"] == "W037")
    assert named == ["returned/佐证材料.pdf", "returned/说明.docx"]
    # a zip is read as the workbooks in it (tests/test_zip_returned.py); this one is broken
    assert [p["file"] for p in summary["problems"] if p["code"] == "W046"] == ["returned/三台县.xlsx.zip"]
    assert summary["files"] == 1  # the one workbook is still read
