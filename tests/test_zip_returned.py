"""A zip in returned/ is read as the workbooks in it: each member like a file in returned/,
named ``第一检查组.zip/单位.xlsx``; the zip passes the workbook guards, is never changed and
never extracted; what else it holds is named, zips inside it are not opened."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import corpus_campaign
from typer.testing import CliRunner

from zwgk_cli.cli import app
from zwgk_cli.scoring.discover import discover
from zwgk_cli.workbook import guards

CORPUS = Path(__file__).parent / "data" / "corpus"


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    return corpus_campaign(tmp_path / "考评", ())


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _score(root: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(root)
    res = CliRunner().invoke(app, ["score", "--json", "-j", "1"])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return dict(json.loads(res.stdout))


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*")}


def _units(root: Path) -> dict[str, Any]:
    doc = json.loads((root / "results" / "scores.json").read_text(encoding="utf-8"))
    return {u["unit_id"]: u for u in doc["units"]}


def test_the_workbooks_in_a_zip_are_read_and_named_inside_it(campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    returned = campaign / "returned"
    nested = io.BytesIO()
    with zipfile.ZipFile(nested, "w") as z:
        z.writestr("单位C40.xlsx", (CORPUS / "no_evidence.xlsx").read_bytes())
    _zip(
        returned / "第一检查组.zip",
        {
            "一组/单位G01.xlsx": (CORPUS / "good.xlsx").read_bytes(),
            "一组/单位C41.xlsx": (CORPUS / "no_note.xlsx").read_bytes(),
            "一组/佐证.pdf": b"%PDF-1.4 evidence",
            "一组/~$单位G01.xlsx": b"lock",
            "__MACOSX/一组/._单位G01.xlsx": b"resource fork",
            "内层.zip": nested.getvalue(),
        },
    )
    _zip(returned / "单位G02.xlsx.zip", {"单位G02.xlsx": (CORPUS / "good_dept.xlsx").read_bytes()})
    before = _tree(returned)

    summary = _score(campaign, monkeypatch)

    assert _tree(returned) == before, "a zip is never changed nor extracted"
    units = _units(campaign)
    assert units["G01"]["status"] == "scored"
    assert units["G01"]["files"] == ["returned/第一检查组.zip/一组/单位G01.xlsx"]
    assert units["G02"]["files"] == ["returned/单位G02.xlsx.zip/单位G02.xlsx"]
    assert units["C41"]["status"] == "scored"
    assert units["C40"]["status"] == "missing", "a zip inside a zip is not opened"
    found = {(p["code"], p["file"]) for p in summary["problems"] if ".zip" in p["file"]}
    assert ("W037", "returned/第一检查组.zip/一组/佐证.pdf") in found
    assert ("W045", "returned/第一检查组.zip/内层.zip") in found
    # the V013 of the workbook in the zip is located in it, to the cell
    v013 = [p for p in summary["problems"] if p["code"] == "V013"]
    assert ("returned/第一检查组.zip/一组/单位C41.xlsx", "第一部分", "I4") in [
        (p["file"], p["sheet"], p["cell"]) for p in v013
    ]
    assert {p["file"] for p in v013} == {"returned/第一检查组.zip/一组/单位C41.xlsx"}
    assert not any("__MACOSX" in p["file"] or "~$" in p["file"] for p in summary["problems"])
    assert summary["files"] == 3


def test_a_member_name_stored_in_gbk_is_shown_decoded(campaign: Path) -> None:
    """Chinese Windows stores names in GBK without the UTF-8 flag; zipfile reads them as CP437."""
    name = "单位G01评分表.xlsx".encode("gbk")
    placeholder = "x" * (len(name) - 5) + ".xlsx"
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as z:
        z.writestr(placeholder, (CORPUS / "good.xlsx").read_bytes())
    raw = data.getvalue().replace(placeholder.encode("ascii"), name)
    (campaign / "returned" / "组.zip").write_bytes(raw)

    found = discover([campaign / "returned"], campaign)

    assert [r.name for r in found.refs] == ["returned/组.zip/单位G01评分表.xlsx"]
    assert guards.read_member(found.refs[0].path, found.refs[0].member)[:2] == b"PK"


def test_a_zip_that_cannot_be_read_is_one_problem_and_the_batch_goes_on(
    campaign: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    returned = campaign / "returned"
    whole = _zip(returned / "好.zip", {"单位G01.xlsx": (CORPUS / "good.xlsx").read_bytes()}).read_bytes()
    (returned / "截断.zip").write_bytes(whole[: len(whole) // 2])
    (returned / "其实是rar.zip").write_bytes(b"Rar!\x1a\x07\x00" + b"\0" * 64)

    summary = _score(campaign, monkeypatch)

    by_file = {p["file"]: p for p in summary["problems"] if p["code"] == "W046"}
    assert set(by_file) == {"returned/截断.zip", "returned/其实是rar.zip"}
    assert "压缩包(RAR/7z/gz)" in by_file["returned/其实是rar.zip"]["message"]
    assert "不是 Excel 工作簿" not in by_file["returned/其实是rar.zip"]["message"]
    assert _units(campaign)["G01"]["status"] == "scored"


def test_a_zip_passes_the_guards_a_workbook_passes(campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Member count and size limits hold for the zip, and each member is checked as a file is:
    a zip bomb inside the zip is refused as one located problem."""
    returned = campaign / "returned"
    _zip(returned / "很多.zip", {f"{i}.pdf": b"%PDF" for i in range(6)})
    _zip(returned / "炸弹.zip", {"单位Z.xlsx": (CORPUS / "zip_bomb.xlsx").read_bytes()})
    _zip(returned / "空.zip", {"单位E.xlsx": b""})
    monkeypatch.setattr(guards, "MAX_MEMBERS", 5)

    summary = _score(campaign, monkeypatch)

    codes = {p["file"]: p["code"] for p in summary["problems"] if ".zip" in p["file"]}
    assert codes["returned/很多.zip"] == "W046"
    assert codes["returned/炸弹.zip/单位Z.xlsx"] in ("W008", "W033")
    assert codes["returned/空.zip/单位E.xlsx"] == "W002"


def test_an_xlsx_renamed_zip_is_read_as_the_workbook_it_is(campaign: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (campaign / "returned" / "单位G01.zip").write_bytes((CORPUS / "good.xlsx").read_bytes())
    _score(campaign, monkeypatch)
    assert _units(campaign)["G01"]["files"] == ["returned/单位G01.zip"]
