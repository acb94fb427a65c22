"""Round trip for both real rubrics: ``zwgk new`` → ``zwgk init-sheets`` → fill (openpyxl, as an
assessor would) and a LibreOffice-saved copy → ``zwgk score`` equals the engine on the same
inputs, unit by unit, field by field."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.cli import app
from zwgk_cli.demo import fill
from zwgk_cli.engine import score_unit
from zwgk_cli.model import ReadingKey, Rubric, Unit, Value
from zwgk_cli.results.document import unit_to_dict
from zwgk_cli.roster import load_roster
from zwgk_cli.workbook import layout as L

RUBRICS = ("jingzhou-2021", "mianyang-2022")
PARTIAL = 3  # units filled only in part: scored as far as they go, marked incomplete
SAMPLE = 12  # units returned per rubric (the rest of the roster is missing)


def _sample(units: list[Unit]) -> list[Unit]:
    """Every group, the units with the most websites, and the first few: a fair sample."""
    chosen: dict[str, Unit] = {}
    for u in units[:PARTIAL]:
        chosen[u.id] = u
    for u in sorted(units, key=lambda u: -len(u.targets))[:3]:
        chosen.setdefault(u.id, u)
    for group in dict.fromkeys(u.group for u in units):
        first = next(u for u in units if u.group == group and u.id not in chosen)
        chosen.setdefault(first.id, first)
    for u in units:
        if len(chosen) >= SAMPLE:
            break
        chosen.setdefault(u.id, u)
    return list(chosen.values())


def _invoke(args: list[str]) -> Any:
    res = CliRunner().invoke(app, args, catch_exceptions=False)
    return res


def _engine(rubric: Rubric, unit: Unit, values: dict[ReadingKey, Value], status: str) -> dict[str, Any]:
    variant = rubric_mod.resolve(rubric, unit)
    us = score_unit(rubric, variant, unit, values)
    entry = unit_to_dict(rubric, variant, us, values, status=status)
    return json.loads(json.dumps(entry, ensure_ascii=False))


def _same(got: dict[str, Any], want: dict[str, Any]) -> None:
    for key in want:
        if key in ("files", "problems"):
            continue
        if key == "criteria":  # a read workbook also says where each input was (cells): compared apart
            assert [{k: v for k, v in row.items() if k != "cells"} for row in got[key]] == want[key], got["unit"]
            assert all(set(row["cells"]) == set(row["found"]) for row in got[key]), got["unit"]
            continue
        assert got[key] == want[key], (got["unit"], key)


@pytest.fixture(scope="module", params=RUBRICS)
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A campaign of a real rubric with every unit's workbook generated, filled and returned."""
    rid = request.param
    base = tmp_path_factory.mktemp(rid)
    root = base / "考评"
    assert _invoke(["new", str(root), "--sample", rid]).exit_code == 0
    res = _invoke(["init-sheets", "--campaign", str(root)])
    assert res.exit_code == 0, res.output
    rubric = rubric_mod.load(rid)
    roster = load_roster(root / "units.csv", root / "websites.csv" if (root / "websites.csv").exists() else None)
    names = L.workbook_filenames(roster.units)
    returned = root / "returned"
    expected: dict[str, dict[str, Any]] = {}
    sample = _sample(roster.units)
    for i, unit in enumerate(sample):
        partial = i < PARTIAL
        values = fill.random_values(rubric, unit, seed=f"roundtrip-{rid}", fill=0.8 if partial else 1.0)
        fill.fill_workbook(root / "sheets" / names[unit.id], returned / names[unit.id], values)
        expected[unit.id] = _engine(rubric, unit, values, "incomplete" if partial else "scored")
    return {
        "root": root,
        "rubric": rubric,
        "roster": roster.units,
        "units": sample,
        "expected": expected,
        "names": names,
    }


def _score(root: Path, folder: Path, out: Path) -> dict[str, Any]:
    res = _invoke(["score", str(folder), "--campaign", str(root), "--out", str(out), "--json"])
    assert res.exit_code in (0, 1), res.output
    summary = json.loads(res.stdout)
    assert not [p for p in summary["problems"] if p["code"] == "W031"]
    return {"summary": summary, "doc": json.loads((out / "scores.json").read_text(encoding="utf-8"))}


def test_filled_with_openpyxl_scores_like_the_engine(filled: dict[str, Any]) -> None:
    root = filled["root"]
    got = _score(root, root / "returned", root / "results")
    doc, summary = got["doc"], got["summary"]
    assert summary["counts"] == {
        "scored": len(filled["units"]) - PARTIAL,
        "incomplete": PARTIAL,
        "invalid": 0,
        "missing": len(filled["roster"]) - len(filled["units"]),
    }
    errors = {p["code"] for p in summary["problems"] if p["severity"] == "error"}
    assert errors == {"V001", "W015"}  # the inputs the partial units left empty; the units not returned
    assert [u["unit_id"] for u in doc["units"]] == [u.id for u in filled["roster"]]
    for entry in doc["units"]:
        if entry["unit_id"] not in filled["expected"]:
            assert entry["status"] == "missing" and entry["total"] is None
            continue
        want = filled["expected"][entry["unit_id"]]
        assert entry["status"] == want["status"]
        _same(entry, want)
        if entry["status"] == "incomplete":
            assert entry["missing"] and entry["total"] is not None  # partial, never dropped nor zeroed


@pytest.mark.libreoffice
def test_libreoffice_saved_copies_score_like_the_engine(filled: dict[str, Any], soffice: str) -> None:
    from zwgk_cli import office

    root = filled["root"]
    pick = [u for u in filled["units"][PARTIAL:] if len(u.targets) > 1][:3] + filled["units"][PARTIAL : PARTIAL + 5]
    chosen = list({u.id: u for u in pick}.values())  # several websites, and both kinds of unit
    src = root / "lo-src"
    src.mkdir(exist_ok=True)
    for u in chosen:
        shutil.copyfile(root / "returned" / filled["names"][u.id], src / filled["names"][u.id])
    saved = root / "lo-saved"
    office.convert(sorted(src.iterdir()), saved, "xlsx", soffice=soffice)
    got = _score(root, saved, root / "results-lo")
    by_id = {u["unit_id"]: u for u in got["doc"]["units"]}
    for u in chosen:
        entry = by_id[u.id]
        assert entry["status"] == "scored", [p for p in got["summary"]["problems"] if p["unit"] == u.name][:3]
        _same(entry, filled["expected"][u.id])


def test_totals_are_exact_decimals(filled: dict[str, Any]) -> None:
    doc = json.loads((filled["root"] / "results" / "scores.json").read_text(encoding="utf-8"))
    for entry in doc["units"]:
        if entry["total"] is None:
            continue
        total = Decimal(str(entry["total"]))
        assert total == total.quantize(Decimal("0.01"))
