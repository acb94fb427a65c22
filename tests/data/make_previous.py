"""Write tests/data/previous-scores.json: “last year” for ``zwgk report --compare`` tests.

Last year is the golden campaign (tests/golden/make_scores.py) scored under last year's data:
the rubric of 2023 gave 第三部分 日常工作 25 points instead of 15 (so its maximum is 110, and
that part is not comparable with 2024's), and the units differ:

* 甲区 (G01) lost more points last year (late=3, stale=4): matched by 编号;
* 乙县 was 乙县旧名 under another id (X02): matched through this year's roster alias;
* 丙县 had the id X03: matched by name;
* 市一局 (D01) was not assessed last year: new this year;
* 市四局 (D04) was scored last year and returned nothing this year;
* 市八局 (D08) was assessed last year only: gone this year.

Run ``python tests/data/make_previous.py`` when the scores.json contract changes.
"""

from __future__ import annotations

import importlib.util
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from zwgk_cli import rubric
from zwgk_cli.engine import score_unit
from zwgk_cli.results import document as results

HERE = Path(__file__).resolve().parent
GOLDEN = HERE.parent / "golden"


def _golden() -> Any:
    spec = importlib.util.spec_from_file_location("make_scores", GOLDEN / "make_scores.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def last_years_rubric() -> rubric.Rubric:
    text = (GOLDEN / "rubric.yaml").read_text(encoding="utf-8")
    for old, new in (
        ("year: 2024", "year: 2023"),
        ("2024年", "2023年"),
        ("    title: 第三部分 日常工作\n    max: 15", "    title: 第三部分 日常工作\n    max: 25"),
        ("        title: 工作落实\n        max: 15", "        title: 工作落实\n        max: 25"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rubric.yaml"
        path.write_text(text, encoding="utf-8")
        return rubric.load(str(path))


def document() -> dict[str, Any]:
    golden = _golden()
    r = last_years_rubric()
    docs: list[dict[str, Any]] = []
    for unit, values, status, notes, problems in golden.units():
        if unit.id == "D01":
            continue  # 市一局: new this year
        if unit.id == "G01":
            values = golden.unit_values(late=3, sites={"G01-W1": golden.site(stale=4)}, adopted=3)
        elif unit.id == "G02":
            unit = replace(unit, id="X02", name="乙县旧名")
        elif unit.id == "G03":
            unit = replace(unit, id="X03")
        variant = rubric.resolve(r, unit)
        us = score_unit(r, variant, unit, values)
        docs.append(
            results.unit_to_dict(
                r,
                variant,
                us,
                values,
                status=status,
                notes=notes,
                files=[f"returned/{unit.name}.xlsx"],
                problem_counts=problems,
            )
        )
    d04 = replace(golden.units()[8][0], id="D04", name="市四局")  # returned nothing this year
    values = golden.unit_values(sites={d04.targets[0].id: golden.site(stale=1)})
    variant = rubric.resolve(r, d04)
    docs.append(
        results.unit_to_dict(
            r, variant, score_unit(r, variant, d04, values), values, status="scored", files=["returned/市四局.xlsx"]
        )
    )
    gone = replace(golden.units()[6][0], id="D08", name="市八局")
    values = golden.unit_values(sites={gone.targets[0].id: golden.site(stale=2)}, adopted=1)
    variant = rubric.resolve(r, gone)
    docs.append(
        results.unit_to_dict(
            r,
            variant,
            score_unit(r, variant, gone, values),
            values,
            status="scored",
            files=["returned/市八局.xlsx"],
        )
    )
    campaign = dict(golden.CAMPAIGN, year=2023, name="示例市2023年度政务公开考评")
    doc = results.document(r, docs, campaign, list(r.groups))
    doc["rubric_hash"] = "previous"
    doc["tool_version"] = "golden"
    return doc


if __name__ == "__main__":
    results.write_json(HERE / "previous-scores.json", document())
    print(HERE / "previous-scores.json")
