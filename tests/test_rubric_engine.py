"""The rubric loader (located errors), check, resolution and scoring on the small test rubric."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zwgk_cli import engine as scoring
from zwgk_cli import rubric
from zwgk_cli.cli import app
from zwgk_cli.model import ReadingKey, Target, Unit, Value

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini.yaml"
K = ReadingKey


def mini_unit(group: str = "县区", supervises: str = "否", sites: int = 2) -> Unit:
    targets = tuple(Target(f"w{i}", "website", f"网站{i}") for i in range(1, sites + 1))
    return Unit("U1", "甲县", group, {"督促指导任务": supervises}, targets)


NOTHING_FOUND: dict[str, Value] = {"yes_no": "否", "count": D(0), "percent": D(100), "number": D(0)}


def perfect(unit: Unit) -> dict[ReadingKey, Value | None]:
    """Every input of the unit at its 'nothing found' value (and a full bonus)."""
    r = rubric.load(str(MINI))
    v = rubric.resolve(r, unit)
    out: dict[ReadingKey, Value | None] = {}
    for part, _, c in rubric.walk_with_path(v):
        targets = [t.id for t in unit.targets_of(part.per_target)] if part.per_target else [""]
        for t in targets:
            for i in c.live_inputs():
                out[K(t, c.id, i.id)] = NOTHING_FOUND.get(i.kind.value)
    out.update({K("", "b1", "evidence"): "是", K("", "b2", "evidence"): "是"})
    out.update({K("", "b1", "fans"): D(250000), K("", "b2", "speed"): "3个工作日内"})
    out.update({K("", "b2", "adopted"): D(0), K("", "b2", "extra"): D(0)})
    return out


def run(unit: Unit, **overrides: Value | None) -> scoring.UnitScore:
    r = rubric.load(str(MINI))
    vals = perfect(unit)
    for key, value in overrides.items():
        target, crit, inp = key.split("__")
        vals[K(target, crit, inp)] = value
    return scoring.score(r, unit, vals)


def test_full_marks() -> None:
    s = run(mini_unit())
    assert s.complete and not s.missing
    assert s.total == D(25) and s.tier == "优秀" and s.coefficient == D(1)
    assert s.bonus_counted is True


def test_per_target_mean_threshold_and_gate() -> None:
    # w1: 10 − 0.3×7 = 7.9; w2: 10 − 0.3×10 = 7 → mean 7.45: both pass (≥ 6) but the gate (8) is missed
    s = run(mini_unit(), w1__w1__stale=D(7), w2__w1__stale=D(10))
    web = s.part("web")
    assert [t.points for t in web.targets] == [D("7.90"), D("7.00")]
    assert web.points == D("7.45") and web.passed is True
    assert s.bonus_counted is False and s.part("bonus").points == 0
    assert s.total == D("17.45") and s.tier == "合格"


def test_one_website_below_threshold() -> None:
    s = run(mini_unit(), w2__w1__stale=D(20))  # 10 − 6 = 4 < 6
    assert [t.passed for t in s.part("web").targets] == [True, False]
    assert scoring.thresholds(s)["web/w2"] == "不合格"


def test_veto_overrides_the_tier() -> None:
    s = run(mini_unit(), w2__w1__down="是")
    assert s.total == D(25)
    assert s.tier == "不合格" and s.coefficient == D("0.8")
    assert [(v.target, v.reason) for v in s.vetoes] == [("w2", "站点无法访问")]


def test_same_findings_on_two_websites_are_each_their_own() -> None:
    """A criterion's evaluation is remembered by its values; each website still gets its own
    score, trace and veto (target id and name), exactly as evaluating it afresh would."""
    from zwgk_cli import rules

    s = run(mini_unit(), w1__w1__stale=D(3), w2__w1__stale=D(3), w1__w1__down="是", w2__w1__down="是")
    assert [(v.target, v.target_name, v.part, v.reason) for v in s.vetoes] == [
        ("w1", "网站1", "web", "站点无法访问"),
        ("w2", "网站2", "web", "站点无法访问"),
    ]
    crit = next(c for c in rubric.resolve(rubric.load(str(MINI)), mini_unit()).walk() if c.id == "w1")
    for ts, name in zip(s.part("web").targets, ("网站1", "网站2"), strict=True):
        (cs,) = ts.nodes[0].criteria
        assert cs == rules.evaluate(crit, {"stale": D(3), "down": "是"}, ts.target, name, "web")
        assert [t.target for t in cs.trace] == [ts.target] and cs.points == D("9.10")
    assert [(t.target, t.text) for t in s.trace if t.criterion == "w1"] == [
        ("w1", "未更新栏目:3处×0.3分,扣0.9分"),
        ("w2", "未更新栏目:3处×0.3分,扣0.9分"),
    ]


def test_penalties_and_the_floor_of_zero() -> None:
    s = run(mini_unit(), __x1__national=D(1), __x1__city=D(1))
    assert s.penalties == D(12) and s.total == D(13)
    s = run(mini_unit(), __x1__national=D(5))
    assert s.total == D(0)


def test_not_applicable_by_group_and_attribute() -> None:
    dept = mini_unit(group="部门", supervises="是")
    v = rubric.resolve(rubric.load(str(MINI)), dept)
    crits = {c.id: c for c in v.walk()}
    assert not crits["a3"].applicable and crits["a4"].applicable
    s = run(dept, __a3__rate=None, __a4__no="是")  # a3 not asked at all; a4 applies
    assert s.part("p1").points == D(9)
    assert s.complete


def test_tier_edges_are_half_open() -> None:
    r = rubric.load(str(MINI))
    assert r.tier_for(D("19.99"), False).label == "合格"  # type: ignore[union-attr]
    assert r.tier_for(D("20"), False).label == "优秀"  # type: ignore[union-attr]
    assert r.tier_for(D("14.99"), False).label == "不合格"  # type: ignore[union-attr]
    assert r.tier_for(D("25"), True).label == "不合格"  # type: ignore[union-attr]


def test_missing_inputs_make_the_unit_incomplete() -> None:
    s = run(mini_unit(), __a1__blank=None)
    assert not s.complete
    assert K("", "a1", "blank") in s.missing


def test_hash_ignores_comments_and_layout() -> None:
    text = MINI.read_text(encoding="utf-8")
    a = rubric.parse(text, "a.yaml")
    b = rubric.parse("# 注释\n" + text.replace("title: 测试细则", "title:   测试细则"), "b.yaml")
    assert a.hash == b.hash
    c = rubric.parse(text.replace("per: 0.3", "per: 0.4"), "c.yaml")
    assert c.hash != a.hash


# ------------------------------------------------------------------ located errors


def errors_of(text: str) -> list[tuple[str, str, int | None]]:
    with pytest.raises(rubric.RubricError) as exc:
        rubric.parse(text, "bad.yaml")
    return [(p.code, p.path, p.line) for p in exc.value.problems]


def test_yaml_syntax_error_is_located() -> None:
    [(code, _, line)] = errors_of("id: x\ntitle: [unclosed\nyear: 2024\n")
    assert code == "R001" and line is not None


def test_schema_errors_are_all_collected_with_path_and_line() -> None:
    text = MINI.read_text(encoding="utf-8")
    text = text.replace("max: 4\n", "max: 四\n", 1).replace("per: 0.5}", "pre: 0.5}", 1)
    errs = errors_of(text)
    codes = {c for c, _, _ in errs}
    assert {"R004", "R005"} <= codes
    for _, path, line in errs:
        assert path and line and line > 1


def test_duplicate_ids_and_bad_references() -> None:
    text = MINI.read_text(encoding="utf-8").replace("id: a2", "id: a1").replace("part: web", "part: nope")
    errs = errors_of(text)
    assert ("R006" in {c for c, _, _ in errs}) and ("R009" in {c for c, _, _ in errs})


def test_check_reports_maxima_that_do_not_add_up_and_unreachable_rules() -> None:
    text = MINI.read_text(encoding="utf-8").replace(
        "max: 10\n    indicators:\n      - id: a\n", "max: 12\n    indicators:\n      - id: a\n"
    )
    r = rubric.parse(text, "m.yaml")
    assert "R007" in {p.code for p in rubric.check(r)}
    text2 = MINI.read_text(encoding="utf-8").replace("max: 3\n        text: 超过20万", "max: 4\n        text: 超过20万")
    r2 = rubric.parse(text2, "m2.yaml")
    codes = {p.code for p in rubric.check(r2)}
    assert "R008" in codes


# ------------------------------------------------------------------ CLI

runner = CliRunner()


def test_cli_show_json_contract() -> None:
    res = runner.invoke(app, ["rubric", "show", str(MINI), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["id"] == "mini" and data["max"] == 25
    assert [(p["id"], p["max"]) for p in data["parts"]] == [("p1", 10), ("web", 10), ("bonus", 5), ("pen", None)]
    ind = data["parts"][0]["indicators"][0]
    assert {"id", "title", "max", "inputs", "criteria"} <= set(ind)
    assert all({"id", "label", "kind"} <= set(i) for i in ind["inputs"])


def test_cli_show_tree_and_check() -> None:
    res = runner.invoke(app, ["rubric", "show", str(MINI)])
    assert res.exit_code == 0 and "测试细则" in res.stdout
    res = runner.invoke(app, ["rubric", "check", str(MINI)])
    assert res.exit_code == 0, res.output


def test_cli_check_broken_rubric_exits_2_with_located_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINI.read_text(encoding="utf-8").replace("max: 4\n", "max: 四\n", 1), encoding="utf-8")
    res = runner.invoke(app, ["rubric", "check", str(bad)])
    assert res.exit_code == 2
    assert "R004" in res.output and "bad.yaml" in res.output


def test_cli_check_unsound_rubric_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "sum.yaml"
    text = MINI.read_text(encoding="utf-8").replace(
        "max: 10\n    indicators:\n      - id: a\n", "max: 12\n    indicators:\n      - id: a\n"
    )
    bad.write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["rubric", "check", str(bad), "--json"])
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data["ok"] is False and any(p["code"] == "R007" for p in data["problems"])


def test_cli_unknown_rubric_is_a_usage_error() -> None:
    res = runner.invoke(app, ["rubric", "show", "no-such-rubric"])
    assert res.exit_code == 2


def test_cli_list_json() -> None:
    res = runner.invoke(app, ["rubric", "list", "--json"])
    assert res.exit_code == 0
    assert isinstance(json.loads(res.stdout), list)


def test_a_new_media_veto_names_the_account() -> None:
    r = rubric.load("mianyang-2022")
    from zwgk_cli.resources import sample_roster
    from zwgk_cli.roster import load_roster

    paths = sample_roster("mianyang-2022")
    assert paths is not None
    unit = load_roster(*paths).unit("涪城区")
    assert unit is not None
    values: dict[ReadingKey, Value | None] = {
        K("", "mv_security", "account"): "微信公众号“涪城发布”",
        K("", "mv_security", "wording"): "是",
        K("", "mv_security", "secrets"): "否",
        K("", "mv_security", "harmful"): "否",
        K("", "mv_security", "opinion"): "否",
    }
    s = scoring.score(r, unit, values)
    assert [v.reason for v in s.vetoes] == ["出现严重表述错误(涉及账号:微信公众号“涪城发布”)"]
    assert s.tier == "不合格"


def test_atomic_writes_are_readable_as_the_umask_allows(tmp_path: Path) -> None:
    import os
    import stat

    from zwgk_cli.files import atomic_write_bytes

    old = os.umask(0o022)
    try:
        target = tmp_path / "sub" / "scores.json"
        atomic_write_bytes(target, b"{}")
        atomic_write_bytes(target, b"{}\n")  # replaced in place, no temporary file left behind
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert target.read_bytes() == b"{}\n"
    assert [p.name for p in target.parent.iterdir()] == ["scores.json"]
