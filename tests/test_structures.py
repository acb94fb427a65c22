"""The structures of the national standard (国办秘函〔2019〕19号) as rubric data, in the engine,
in the workbook's formulas (LibreOffice recalculating) and through score → report:

a) a veto stops the scoring of its target (``veto_effect: stop``): nothing else is required;
b) a part rescaled for what does not apply (按75分计算扣分,最终得分乘以4/3);
c) ``op`` on gates and pass lines (高于80分 is ``>``);
d) a 合格 / 不合格 verdict per unit and per target where the rubric defines 合格;
e) variants chosen by any roster attribute (``when``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import HEAD, ONE_PART
from test_formulas_libreoffice import Case, _grid_values, _mismatches
from typer.testing import CliRunner

from zwgk_cli import office
from zwgk_cli import rubric as rubric_mod
from zwgk_cli.demo import fill
from zwgk_cli.engine import criterion_scores, excused, score
from zwgk_cli.model import ReadingKey, Rubric, Target, Unit, Value
from zwgk_cli.problems import Code
from zwgk_cli.rubric import RubricError, resolve, xlsx_read, xlsx_write
from zwgk_cli.rules import STOPPED, rescaled
from zwgk_cli.workbook import write as sheets
from zwgk_cli.workbook.plan import Context
from zwgk_cli.workbook.read import read_workbook

GUOBAN = Path(__file__).parent / "data" / "guoban-2019.yaml"
K = ReadingKey
D = Decimal


def guoban() -> Rubric:
    return rubric_mod.load(str(GUOBAN))


def guoban_fine() -> Rubric:
    """The test rubric with a deduction of 0.01 per broken link, so that totals reach any cent."""
    text = GUOBAN.read_text(encoding="utf-8")
    old = "{input: broken, label: 不可用链接数, kind: count, per: 0.5}"
    assert old in text
    return rubric_mod.parse(text.replace(old, old.replace("0.5", "0.01")), "guoban-fine.yaml")


def service_unit(has_service: bool = True, uid: str = "G1", name: str = "甲局") -> Unit:
    attrs = {"有对外服务": "是" if has_service else "否"}
    return Unit(
        uid,
        name,
        "部门",
        attrs,
        (Target(f"{uid}W", "website", f"{name}网站"), Target(f"{uid}A", "account", f"{name}微信")),
    )


def clean(unit: Unit, rubric: Rubric, **found: int | str) -> dict[ReadingKey, Value]:
    """Every input of the unit filled: no veto, no finding, then ``found`` (input id → value)."""
    out: dict[ReadingKey, Value] = {}
    for key, inp in fill.unit_inputs(rubric, unit):
        if inp.kind.value == "yes_no":
            out[key] = "否"
        elif inp.kind.value == "text":
            continue
        elif key.input == "visits":
            out[key] = D(100)
        else:
            out[key] = D(0)
    for key in list(out):
        if key.input in found:
            v = found[key.input]
            out[key] = v if isinstance(v, str) else D(v)
    return out


# ------------------------------------------------------------------ the rubric itself


def test_the_test_rubric_is_sound_and_says_what_is_known() -> None:
    r = guoban()
    assert rubric_mod.check(r) == []
    text = " ".join(n.text for n in r.notes)
    assert "按75分计算扣分" in text and "未能核实" in text
    site = r.variants[0].part("site")
    assert site.veto_effect.value == "stop" and site.threshold is not None and site.threshold.op == ">="
    assert site.rescale is not None and str(site.rescale.factor) == "4/3"
    bonus = r.variants[0].part("site_bonus")
    assert bonus.gate is not None and bonus.gate.op == ">" and bonus.gate.min == 80


@pytest.mark.parametrize("ref", [str(GUOBAN), "jingzhou-2021", "mianyang-2022"])
def test_the_workbook_form_keeps_the_hash(ref: str) -> None:
    before = rubric_mod.load(ref)
    raw = xlsx_write.workbook_bytes(rubric_mod.source_data(ref))
    after = rubric_mod.parse_workbook(raw, "r.xlsx")
    assert after.hash == before.hash
    assert after.variants == before.variants and after.pass_line == before.pass_line
    data, _ = xlsx_read.read_data(raw, "r.xlsx")
    assert xlsx_write.workbook_bytes(data) == raw


def test_bundled_hashes_did_not_move() -> None:
    # defaults (op >=, no rescale, no when, no pass line) are not written, so not hashed
    assert rubric_mod.load("jingzhou-2021").hash == "f63f7083c8a56807"
    assert rubric_mod.load("mianyang-2022").hash == "196df03b5d24b318"


# ------------------------------------------------------------------ a) a veto stops the scoring


def test_a_veto_with_everything_else_empty_stops_the_target() -> None:
    r, u = guoban(), service_unit()
    w = f"{u.id}W"
    values = {K(w, "v_stale", "stale"): "是"}
    us = score(r, u, values)
    site = us.part("site")
    (t,) = site.targets
    assert t.stopped and t.vetoed and t.points == 0 and t.passed is False
    assert us.part("site_bonus").targets[0].points == 0, "the bonus of a stopped website is not scored either"
    assert not [k for k in us.missing if k.target == w], "nothing else of the website is required"
    assert {k.target for k in us.missing} == {f"{u.id}A"}, "the account still is"
    rows = [cs for cs in criterion_scores(us) if cs.target == w and cs.applicable]
    assert rows and all(cs.points is None and cs.stopped and not cs.trace for cs in rows)
    assert excused(resolve(r, u), u, values) >= {K(w, "fb_home", "late"), K(w, "jf_innovate", "innovate")}
    # filled in anyway: the raw deductions count nowhere
    full = clean(u, r, stale="是", late=7, broken=3)
    us2 = score(r, u, full)
    assert us2.complete and us2.part("site").points == 0 and us2.passed is False
    assert not [t for t in us2.trace if t.target == w]


def test_a_veto_in_a_part_not_scored_per_target_stops_the_unit() -> None:
    text = HEAD + ONE_PART.replace(
        "    max: 10\n    indicators:", "    max: 10\n    veto_effect: stop\n    indicators:", 1
    )
    text = text.replace(
        "          - {input: ok, label: 已公开, kind: yes_no, points: 10}\n",
        "          - {input: ok, label: 已公开, kind: yes_no, points: 10}\n"
        "        vetoes:\n          - {input: bad, label: 严重错误, kind: yes_no, reason: 严重错误}\n",
    )
    text += """  - id: p2
    title: 第二部分
    max: 5
    indicators:
      - {id: b1, title: 其他, max: 5, text: 做了得5分。, terms: [{input: done, label: 已做, kind: yes_no, points: 5}]}
"""
    r = rubric_mod.parse(text, "stop.yaml")
    u = Unit("U1", "甲", "", {})
    us = score(r, u, {K("", "a1", "bad"): "是"})
    assert us.stopped == ("",) and us.complete and us.total == 0 and not us.missing


def test_stop_on_a_part_with_sub_parts_is_refused() -> None:
    text = (
        HEAD
        + """parts:
  - id: p1
    title: 第一部分
    max: 10
    veto_effect: stop
    parts:
      - id: p11
        title: 子部分
        max: 10
        indicators:
          - id: a1
            title: 公开
            max: 10
            text: 公开得10分。
            terms: [{input: ok, label: 已公开, kind: yes_no, points: 10}]
"""
    )
    with pytest.raises(RubricError) as err:
        rubric_mod.parse(text, "bad.yaml")
    (p,) = err.value.problems
    assert p.code == Code.R_STOP_SUBPARTS.code and "第一部分" in p.message and p.line == 8


# ------------------------------------------------------------------ b) rescaling, c) gates, d) pass lines


def test_75_points_times_4_3() -> None:
    r = guoban()
    u = service_unit(has_service=False)
    w = f"{u.id}W"
    # 15 deducted of 75: 60 → 80.00 (not above 80: no bonus)
    us = score(r, u, clean(u, r, late=15, innovate=10))
    assert us.part("site").targets[0].raw == D("80.00") and us.bonus_counted is False
    # 14.5 deducted: 60.5 × 4/3 = 80.666… → 80.67 (rounding after scaling), above 80: bonus counts
    us = score(r, u, clean(u, r, late=14, broken=1, innovate=10))
    assert us.part("site").targets[0].points == D("80.67") and us.bonus_counted is True
    assert us.part("site_bonus").points == 10 and us.total == D("80.67") + 10 + 100
    # a department with outside-facing service is not rescaled
    s = service_unit(has_service=True)
    assert score(r, s, clean(s, r, late=15)).part("site").points == 85
    assert not [k for k in score(r, u, {}).missing if k.criterion.startswith("bs_")], "办事服务 is not asked"
    assert w


def test_rounding_before_scaling_is_data_too() -> None:
    text = GUOBAN.read_text(encoding="utf-8").replace(
        'rescale: {factor: "4/3", round: after, places: 2}', "rescale: {factor: auto, round: before, places: 0}"
    )
    r = rubric_mod.parse(text, "before.yaml")
    u = service_unit(has_service=False)
    # 60.5 rounds to 61 first; 61 × 100/75 = 81.333… → 81.33
    assert score(r, u, clean(u, r, late=14, broken=1)).part("site").points == D("81.33")
    part = resolve(r, u).part("site")
    assert rescaled(D("60.49"), part) == D("80.00")


@pytest.mark.parametrize(("broken", "site", "bonus"), [(1500, "80.00", False), (1499, "80.01", True)])
def test_the_gate_is_strictly_above_80(broken: int, site: str, bonus: bool) -> None:
    r = guoban_fine()
    u = service_unit()
    us = score(r, u, clean(u, r, late=5, broken=broken, innovate=4))
    assert us.part("site").points == D(site)
    assert us.bonus_counted is bonus and us.part("site_bonus").points == (4 if bonus else 0)


@pytest.mark.parametrize(("broken", "site", "verdict"), [(1401, "59.99", False), (1400, "60.00", True)])
def test_the_pass_line_at_60(broken: int, site: str, verdict: bool) -> None:
    r = guoban_fine()
    u = service_unit()
    us = score(r, u, clean(u, r, late=20, slow=6, broken=broken))
    (t,) = us.part("site").targets
    assert t.points == D(site) and t.passed is verdict and us.passed is verdict


def test_a_pass_line_on_the_total_with_its_operator() -> None:
    text = (
        HEAD
        + 'pass_line: {min: 6, op: ">"}\n'
        + ONE_PART.replace(
            "- {input: ok, label: 已公开, kind: yes_no, points: 10}", "- {input: n, label: 条数, kind: count, per: 1}"
        )
    )
    r = rubric_mod.parse(text, "line.yaml")
    u = Unit("U1", "甲", "", {})
    assert [score(r, u, {K("", "a1", "n"): D(n)}).passed for n in (6, 7)] == [False, True]
    assert score(rubric_mod.load("jingzhou-2021"), Unit("J", "荆州区", "县市区"), {}).passed is None


# ------------------------------------------------------------------ e) variants by roster attribute


VARIANTS = (
    HEAD
    + """style: deduct
variants:
  - id: noservice
    title: 无对外服务部门
    groups: [部门]
    when: {有对外服务: 否}
    parts:
      - id: p1
        title: 第一部分
        max: 75
        indicators:
          - {id: a1, title: 公开, max: 75, text: 每处扣1分。, terms: [{input: n, label: 问题数, kind: count, per: 1}]}
  - id: service
    title: 有对外服务部门
    groups: [部门]
    parts:
      - id: p1
        title: 第一部分
        max: 100
        indicators:
          - {id: a1, title: 公开, max: 100, text: 每处扣1分。, terms: [{input: n, label: 问题数, kind: count, per: 1}]}
"""
)


def test_a_variant_is_chosen_by_a_roster_attribute() -> None:
    r = rubric_mod.parse(VARIANTS, "v.yaml")
    assert rubric_mod.check(r) == []
    no = Unit("U1", "甲局", "部门", {"有对外服务": "否"})
    yes = Unit("U2", "乙局", "部门", {"有对外服务": "是"})
    assert resolve(r, no).max == 75 and resolve(r, yes).max == 100
    assert r.variant_for_group("部门") is not None  # by group alone: some variant of the group


def test_overlapping_or_unreachable_variants_are_reported() -> None:
    overlap = VARIANTS.replace(
        "    groups: [部门]\n    parts:", "    groups: [部门]\n    when: {市级部门: 是}\n    parts:"
    )
    (p,) = rubric_mod.check(rubric_mod.parse(overlap, "o.yaml"))
    assert p.code == Code.R_WHEN_OVERLAP.code and "无对外服务部门" in p.message and "部门" in p.message
    disjoint = VARIANTS.replace(
        "    groups: [部门]\n    parts:", "    groups: [部门]\n    when: {有对外服务: 是}\n    parts:"
    )
    assert rubric_mod.check(rubric_mod.parse(disjoint, "d.yaml")) == []
    said_otherwise = disjoint.replace("when: {有对外服务: 否}", "when: {有对外服务: 无}")  # still disjoint
    assert rubric_mod.check(rubric_mod.parse(said_otherwise, "d2.yaml")) == []
    same = disjoint.replace("when: {有对外服务: 否}", "when: {有对外服务: 有}")  # 有 is 是: both hold together
    (p,) = rubric_mod.check(rubric_mod.parse(same, "d3.yaml"))
    assert p.code == Code.R_WHEN_OVERLAP.code
    first, second = VARIANTS.split("  - id: service\n")
    swapped = first.split("variants:\n")[0] + "variants:\n  - id: service\n" + second + first.split("variants:\n")[1]
    (p,) = rubric_mod.check(rubric_mod.parse(swapped, "s.yaml"))
    assert p.code == Code.R_WHEN_SHADOWED.code and "无对外服务部门" in p.message


# ------------------------------------------------------------------ the workbook: read back, LibreOffice


def test_a_returned_workbook_with_only_the_veto_filled_has_no_missing_input_errors(tmp_path: Path) -> None:
    r, u = guoban(), service_unit()
    values = clean(u, r, stale="是")
    values = {k: v for k, v in values.items() if k.target != f"{u.id}W" or k.input == "stale"}
    data, _ = sheets.build_workbook(r, u)
    (tmp_path / "b.xlsx").write_bytes(data)
    fill.fill_workbook(tmp_path / "b.xlsx", tmp_path / "f.xlsx", values)
    read = read_workbook(tmp_path / "f.xlsx", Context(r, [u]))
    assert read.usable
    assert not [p for p in read.problems if p.code == Code.V_EMPTY.code], read.problems
    assert score(r, u, read.values).complete


def _edge_cases() -> list[tuple[Rubric, Unit, dict[ReadingKey, Value]]]:
    r, fine = guoban(), guoban_fine()
    no, yes = service_unit(False, "N1", "无服务局"), service_unit(True, "Y1", "有服务局")
    out: list[tuple[Rubric, Unit, dict[ReadingKey, Value]]] = []
    only_veto = {K(f"{yes.id}W", "v_stale", "stale"): "是"}
    out.append((r, yes, only_veto))  # a veto, everything else empty
    out.append((r, yes, clean(yes, r, blank=6, late=3)))  # a veto, the rest filled anyway
    out.append((r, no, clean(no, r, late=15, innovate=10)))  # 60 of 75 → 80.00, no bonus
    out.append((r, no, clean(no, r, late=14, broken=1, innovate=10)))  # 60.5 → 80.67, bonus
    out.append((fine, yes, clean(yes, fine, late=5, broken=1500, innovate=4)))  # 80.00: no bonus
    out.append((fine, yes, clean(yes, fine, late=5, broken=1499, innovate=4)))  # 80.01: bonus
    out.append((fine, yes, clean(yes, fine, late=20, slow=6, broken=1401)))  # 59.99: 不合格
    out.append((fine, yes, clean(yes, fine, late=20, slow=6, broken=1400)))  # 60.00: 合格
    out.append((r, no, {}))  # as issued
    return out


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_edge_cases_as_the_engine(soffice: str, tmp_path: Path) -> None:
    cases: list[Case] = []
    for k, (r, u, values) in enumerate(_edge_cases()):
        data, lay = sheets.build_workbook(r, u)
        src = tmp_path / f"b{k}.xlsx"
        src.write_bytes(data)
        dest = tmp_path / f"f{k}.xlsx"
        fill.fill_workbook(src, dest, values)
        cases.append(Case(r, u, values, lay, dest))
    out = office.recalculate([c.filled for c in cases], tmp_path / "calc")
    bad: list[str] = []
    for case, path in zip(cases, out, strict=True):
        bad += _mismatches(case, path)
    assert not bad, "\n".join(bad[:30])
    # what the cells say, beside the engine: stopped items, the verdicts, the gate
    stopped, scaled, _scaled_bonus, closed, opened, fail, ok = (
        cases[0],
        cases[2],
        cases[3],
        cases[4],
        cases[5],
        cases[6],
        cases[7],
    )

    def role(case: Case, name: str, key: str = "", target: str = "") -> object:
        cell = next(x for x in case.layout.results if (x.role, x.key, x.target) == (name, key, target))
        i = cases.index(case)
        return _grid_values(out[i], [(cell.sheet, cell.cell)])[(cell.sheet, cell.cell)]

    w = f"{stopped.unit.id}W"
    assert role(stopped, "criterion", "fb_home", w) == STOPPED
    assert role(stopped, "verdict") == "不合格"
    assert role(scaled, "target", "site", f"{scaled.unit.id}W") == 80
    assert role(closed, "part_gate", "site_bonus") == 0 and role(opened, "part_gate", "site_bonus") == 1
    assert role(fail, "target_pass", "site", f"{fail.unit.id}W") == "不合格" and role(fail, "verdict") == "不合格"
    assert role(ok, "target_pass", "site", f"{ok.unit.id}W") == "合格" and role(ok, "verdict") == "合格"


# ------------------------------------------------------------------ score → report


def _app():  # type: ignore[no-untyped-def]
    from zwgk_cli.cli import app

    return app


def test_score_and_report_carry_the_verdicts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "c"
    (root / "returned").mkdir(parents=True)
    rubric_text = GUOBAN.read_text(encoding="utf-8")
    old = "{input: broken, label: 不可用链接数, kind: count, per: 0.5}"
    (root / "rubric.yaml").write_text(rubric_text.replace(old, old.replace("0.5", "0.01")), encoding="utf-8")
    (root / "units.csv").write_text(
        "编号,单位名称,分组,有对外服务\nG1,甲局,部门,是\nG2,乙局,部门,是\nG3,丙局,部门,否\nG4,丁局,部门,是\n",
        encoding="utf-8",
    )
    targets = "编号,名称,类型,所属单位\n"
    for uid, name in (("G1", "甲局"), ("G2", "乙局"), ("G3", "丙局"), ("G4", "丁局")):
        targets += f"{uid}W,{name}网站,website,{name}\n{uid}A,{name}微信,account,{name}\n"
    (root / "targets.csv").write_text(targets, encoding="utf-8")
    (root / "zwgk.toml").write_text(
        '[campaign]\nrubric = "rubric.yaml"\nname = "测试检查"\nyear = 2019\n'
        '[paths]\nunits = "units.csv"\ntargets = "targets.csv"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(root)
    runner = CliRunner()
    res = runner.invoke(_app(), ["init-sheets"])
    assert res.exit_code == 0, res.output
    r = rubric_mod.load("rubric.yaml")
    units = {
        u.name: u
        for u in (
            service_unit(True, "G1", "甲局"),
            service_unit(True, "G2", "乙局"),
            service_unit(False, "G3", "丙局"),
            service_unit(True, "G4", "丁局"),
        )
    }
    cases = {
        "甲局": clean(units["甲局"], r, late=20, slow=6, broken=1401),  # 59.99: 不合格
        "乙局": clean(units["乙局"], r, late=20, slow=6, broken=1400),  # 60.00: 合格
        "丙局": clean(units["丙局"], r, late=15),  # 80.00: 合格
        "丁局": {
            k: v
            for k, v in clean(units["丁局"], r, stale="是", late=12).items()
            if k.target != "G4W" or k.input == "stale"
        },
    }
    for name, values in cases.items():
        (src,) = [p for p in (root / "sheets").glob("*.xlsx") if name in p.name]
        fill.fill_workbook(src, root / "returned" / src.name, values)
    res = runner.invoke(_app(), ["score"])
    assert res.exit_code == 0, res.output
    assert "V001" not in res.output
    import json

    doc = json.loads((root / "results" / "scores.json").read_text(encoding="utf-8"))
    by = {u["unit"]: u for u in doc["units"]}
    assert {n: (u["status"], u["passed"]) for n, u in by.items()} == {
        "甲局": ("scored", False),
        "乙局": ("scored", True),
        "丙局": ("scored", True),
        "丁局": ("scored", False),
    }
    assert by["丙局"]["parts"]["site"]["points"] == 80
    assert [t["passed"] for t in by["甲局"]["targets"] if t["part"] == "site"] == [False]
    dead = [c for c in by["丁局"]["criteria"] if c["target"] == "G4W" and c["criterion"] == "fb_home"]
    assert dead and dead[0]["points"] is None and dead[0]["lost"] is None
    res = runner.invoke(_app(), ["report", "-f", "md"])
    assert res.exit_code in (0, 1), res.output
    md = (root / "report" / "通报.md").read_text(encoding="utf-8")
    assert "合格率50%" in md, md[:2000]
    # 主要问题: 丁局's website was stopped, its raw deductions (12 × 首页栏目更新) count nowhere
    home = next(line for line in md.splitlines() if "首页栏目更新" in line and "累计失分" in line)
    assert "累计失分55分" in home and "丁局" not in home
    veto = next(line for line in md.splitlines() if "丁局" in line and "触发否决" in line)
    assert "失分0分" in veto
    # the assessed objects of 19号: each website ranked in its own right, the vetoed one apart
    sites = [t for t in doc["targets"] if t["kind"] == "website"]
    assert [(t["name"], t["points"], t["rank"], t["passed"]) for t in sites] == [
        ("丙局网站", 80, 1, True),
        ("乙局网站", 60, 2, True),
        ("甲局网站", 59.99, 3, False),
        ("丁局网站", 0, None, False),
    ]
    assert "共检查政府网站4个" in md and "共检查政务新媒体4个" in md
