"""Output folders that cannot be written: a Chinese message, exit 2, no traceback, and the
previous outputs left as they were."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import corpus_campaign
from typer.testing import CliRunner

from zwgk_cli.cli import app


@pytest.fixture
def campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = corpus_campaign(tmp_path / "考评", ("no_note.xlsx",))
    monkeypatch.chdir(root)
    return root


def test_report_into_a_folder_that_is_a_file(campaign: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["score", "-j", "1"]).exit_code in (0, 1)
    (campaign / "report").write_text("not a folder", encoding="utf-8")
    res = runner.invoke(app, ["report", "-f", "md"])
    assert res.exit_code == 2
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "无法写入通报目录" in res.output and "Traceback" not in res.output
    assert (campaign / "report").read_text(encoding="utf-8") == "not a folder"


def test_score_into_a_folder_that_is_a_file(campaign: Path) -> None:
    (campaign / "results").write_text("not a folder", encoding="utf-8")
    res = CliRunner().invoke(app, ["score", "-j", "1"])
    assert res.exit_code == 2
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "无法写入结果目录" in res.output and "Errno" not in res.output
    assert (campaign / "results").read_text(encoding="utf-8") == "not a folder"
