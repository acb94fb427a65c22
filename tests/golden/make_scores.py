"""Write tests/golden/scores.json: twelve units of the golden rubric, scored by the engine.

Run ``python tests/golden/make_scores.py`` only when the scores.json contract changes; the
golden notices (通报.md, 通报.html) are rendered from the committed file by the tests.

The units are chosen so that the report shows everything it must: a tie (乙县 and 丙县
with different findings, 98.5 each), a veto (丁县), an incomplete workbook (戊县), a
missing one (市四局), a unit with two websites whose mean is taken (己县), late evidence,
a unit below the bonus gate (市二局), a website and new media below their thresholds,
penalties (市五局), and the tier edges 60 (市六局, 第四等次) and 59.5 (市七局, 不合格).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from zwgk_cli import rubric
from zwgk_cli.engine import score_unit
from zwgk_cli.model import NO, YES, ReadingKey, Target, Unit, Value
from zwgk_cli.results import document as results

HERE = Path(__file__).resolve().parent

CAMPAIGN = {
    "name": "示例市2024年度政务公开考评",
    "year": 2024,
    "office": "示例市政务公开领导小组办公室",
    "notice_number": "示公开办〔2025〕3号",
    "notice_date": "2025-01-20",
    "recipients": "各县(市、区)人民政府,市政府各部门",
    "rectify_deadline": "2025-03-31",
    "contact": "zwgk@example.gov.cn",
    "cc": "市委办公室,市人大常委会办公室,市政协办公室",
    "printer": "示例市政务公开领导小组办公室",
    "print_date": "2025-01-20",
}


def _v(**kw: Any) -> dict[str, Value]:
    return {k: (Decimal(str(v)) if isinstance(v, int | float) else v) for k, v in kw.items()}


def site(blank: int = 0, stale: int = 0, guides: int = 0) -> dict[str, dict[str, Value]]:
    return {"update": _v(blank=blank, stale=stale), "service": _v(guides=guides)}


def unit_values(
    *,
    areas: int = 0,
    late: int = 0,
    unread: int = 0,
    poor: str = NO,
    sites: dict[str, dict[str, dict[str, Value]]],
    idle: int = 0,
    misses: int = 0,
    evidence: str = YES,
    adopted: int = 0,
    notices: int = 0,
    drop: tuple[ReadingKey, ...] = (),
) -> dict[ReadingKey, Value | None]:
    out: dict[ReadingKey, Value | None] = {}

    def put(target: str, criterion: str, values: dict[str, Value]) -> None:
        for k, v in values.items():
            out[ReadingKey(target, criterion, k)] = v

    put("", "major", _v(areas=areas, late=late))
    put("", "policy", _v(unread=unread, poor=poor))
    for tid, crits in sites.items():
        for cid, vals in crits.items():
            put(tid, cid, vals)
    put("", "post", _v(idle=idle))
    put("", "work", _v(misses=misses, evidence=evidence))
    put("", "adopt", _v(adopted=adopted))
    put("", "exposed", _v(notices=notices))
    for k in drop:
        out.pop(k, None)
    return out


def units() -> list[tuple[Unit, dict[ReadingKey, Value | None], str, dict[tuple[str, str], str], dict[str, int]]]:
    def u(uid: str, name: str, group: str, *sites: str) -> Unit:
        targets = tuple(Target(f"{uid}-W{i}", "website", s) for i, s in enumerate(sites, start=1))
        return Unit(uid, name, group, {}, targets)

    clean = {"error": 0, "warning": 0}
    rows = [
        (u("G01", "甲区", "县市区", "甲区人民政府网站"), dict(late=1, sites={"G01-W1": site(stale=2)}, adopted=3), {}),
        (
            u("G02", "乙县", "县市区", "乙县人民政府网站"),
            dict(areas=1, sites={"G02-W1": site(stale=4)}, misses=1, adopted=2),
            {("", "major"): "“乡村振兴”栏目未集中公开"},
        ),
        (
            u("G03", "丙县", "县市区", "丙县人民政府网站"),
            dict(unread=1, sites={"G03-W1": site(stale=2)}, misses=1, adopted=2),
            {("", "policy"): "《关于促进消费的若干措施》未解读"},
        ),
        (
            u("G04", "丁县", "县市区", "丁县人民政府网站"),
            dict(sites={"G04-W1": site(blank=5)}, adopted=1),
            {("G04-W1", "update"): "“通知公告”“人事信息”“财政资金”“统计数据”“应急管理”栏目空白"},
        ),
        (
            u("G05", "戊县", "县市区", "戊县人民政府网站"),
            dict(sites={"G05-W1": site(stale=1)}, drop=(ReadingKey("G05-W1", "service", "guides"),)),
            {},
        ),
        (
            u("G06", "己县", "县市区", "己县人民政府网站", "己县投资促进网"),
            dict(
                areas=2,
                late=3,
                sites={"G06-W1": site(), "G06-W2": site(blank=2, stale=3, guides=4)},
                idle=1,
                evidence=NO,
                adopted=1,
                notices=1,
            ),
            {("G06-W2", "update"): "“政策解读”“规划计划”栏目空白"},
        ),
        (u("D01", "市一局", "市级部门", "市一局网站"), dict(sites={"D01-W1": site()}, adopted=5), {}),
        (
            u("D02", "市二局", "市级部门", "市二局网站"),
            dict(unread=1, poor=YES, sites={"D02-W1": site(blank=3, stale=10, guides=3)}, idle=3, adopted=2),
            {},
        ),
        (u("D03", "市三局", "市级部门", "市三局网站"), dict(sites={"D03-W1": site(blank=4, stale=6, guides=6)}), {}),
        (u("D05", "市五局", "市级部门", "市五局网站"), dict(sites={"D05-W1": site()}, notices=3), {}),
        (
            u("D06", "市六局", "市级部门", "市六局网站"),
            dict(areas=10, unread=2, sites={"D06-W1": site(blank=4, stale=12, guides=4)}),
            {},
        ),
        (
            u("D07", "市七局", "市级部门", "市七局网站"),
            dict(areas=10, unread=2, sites={"D07-W1": site(blank=4, stale=10, guides=4)}, misses=1),
            {},
        ),
    ]
    out = []
    for unit, kw, notes in rows:
        values = unit_values(**kw)  # type: ignore[arg-type]
        status = "incomplete" if unit.id == "G05" else "scored"
        problems = {"error": 1, "warning": 0} if unit.id == "G05" else clean
        out.append((unit, values, status, notes, problems))
    return out


def document() -> dict[str, Any]:
    r = rubric.load(str(HERE / "rubric.yaml"))
    docs: list[dict[str, Any]] = []
    for unit, values, status, notes, problems in units():
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
        if unit.id == "D03":  # 市四局 never returned its workbook
            docs.append(
                results.absent_unit(
                    "市四局",
                    "D04",
                    "市级部门",
                    r.variants[0],
                    results.STATUS_MISSING,
                    problem_counts={"error": 1, "warning": 0},
                )
            )
    doc = results.document(r, docs, CAMPAIGN, list(r.groups))
    doc["rubric_hash"] = "golden"  # stable across rubric file edits that do not change scores
    doc["tool_version"] = "golden"
    return doc


if __name__ == "__main__":
    results.write_json(HERE / "scores.json", document())
    print(HERE / "scores.json")
