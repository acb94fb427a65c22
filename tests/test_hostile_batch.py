"""Everything at once, as a user runs it: the whole hostile corpus, plus what a returned folder
can hold besides workbooks (a file name in GBK, links pointing at each other, a pipe, PDF and
Word files), in one `zwgk score` and one `zwgk report`, each a process of its own.

Every valid unit is scored exactly as when it is scored alone, nothing prints a traceback, no
input is modified, and the output folders hold one complete run and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_campaign

MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
VALID = [c for c in MANIFEST["cases"] if c["status"] == "scored" and c.get("only") and not c["expect"]]


def _zwgk(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run(
        [sys.executable, "-m", "zwgk_cli", *args], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _totals(root: Path) -> dict[str, object]:
    doc = json.loads((root / "results" / "scores.json").read_text(encoding="utf-8"))
    return {u["unit_id"]: (u["status"], u["total"]) for u in doc["units"]}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_batch_of_everything_scores_every_valid_unit_exactly(tmp_path: Path) -> None:
    assert len(VALID) >= 2
    cases = [c["file"] for c in MANIFEST["cases"]]
    root = corpus_campaign(tmp_path / "全部", tuple(cases))
    returned = root / "returned"
    with open(os.fsencode(returned) + b"/" + "单位G01副本.xlsx".encode("gbk"), "wb") as fh:
        fh.write(b"not a workbook")
    (returned / "a.xlsx").symlink_to(returned / "b.xlsx")
    (returned / "b.xlsx").symlink_to(returned / "a.xlsx")
    os.mkfifo(returned / "pipe.xlsx")
    (returned / "佐证材料.pdf").write_bytes(b"%PDF-1.4")
    (returned / "说明.docx").write_bytes(b"PK")
    before = _hashes(returned)

    score = _zwgk(root, "score", "--json")
    assert score.returncode == 1, score.stderr  # problems found, results written
    assert "Traceback" not in score.stderr + score.stdout
    problems = json.loads((root / "results" / "problems.json").read_text(encoding="utf-8"))["problems"]
    assert not [p for p in problems if p["code"] == "W031"]  # nothing unforeseen
    named = {p["file"] for p in problems}
    assert {"returned/a.xlsx", "returned/b.xlsx", "returned/佐证材料.pdf", "returned/说明.docx"} <= named
    assert "returned/单位G01副本.xlsx" in named, sorted(n for n in named if not n.isascii())  # the GBK name, readable
    report = _zwgk(root, "report", "-f", "docx,html,md,xlsx")
    assert report.returncode in (0, 1), report.stderr
    assert "Traceback" not in report.stderr + report.stdout
    assert _hashes(returned) == before  # no returned file touched

    mixed = _totals(root)
    for case in VALID:  # each valid unit alone gives the same score
        alone = corpus_campaign(tmp_path / case["file"], (case["file"],))
        assert _zwgk(alone, "score").returncode in (0, 1)
        assert _totals(alone)[case["unit"]] == mixed[case["unit"]], case["file"]

    for folder in (root / "results", root / "report"):  # one complete run, no leftovers
        names = [p.name for p in folder.rglob("*")]
        assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")], names
    assert {p.name for p in (root / "results").iterdir()} == {
        "scores.json",
        "scores.csv",
        "scores.xlsx",
        "problems.csv",
        "problems.json",
        "rounds",  # the run kept as round 01
    }
    shutil.rmtree(tmp_path, ignore_errors=True)
