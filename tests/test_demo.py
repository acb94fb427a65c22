"""``zwgk demo`` end to end for both samples (marked ``demo``: ``pytest -m demo``), the
simulator's scenario, and the folder guard (only a folder the demo created is ever removed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import load_sample
from typer.testing import CliRunner

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.cli import app
from zwgk_cli.demo import run as demo_mod
from zwgk_cli.demo.simulate import ideal, simulate
from zwgk_cli.engine import score_unit
from zwgk_cli.model import ReadingKey
from zwgk_cli.report.ranking import rank
from zwgk_cli.results import model as results_model

# ------------------------------------------------------------------ the simulator


@pytest.mark.parametrize("sample", ["mianyang-2022", "jingzhou-2021"])
def test_simulator_is_deterministic_and_lays_out_its_scenario(sample: str) -> None:
    r, units = load_sample(sample)
    plans, scenario = simulate(r, units, 7)
    again, scenario2 = simulate(r, units, 7)
    assert scenario == scenario2
    assert all(plans[u.id].values == again[u.id].values for u in units)
    scores = {u.id: score_unit(r, rubric_mod.resolve(r, u), u, plans[u.id].values) for u in units}
    # every input of every unit is filled: the simulator never leaves a gap
    assert all(s.complete for s in scores.values())
    # the planned vetoes fire, and only those
    assert {uid for uid, s in scores.items() if s.vetoed} == set(scenario.vetoed)
    assert len(scenario.vetoed) == 2
    for uid, reason in scenario.vetoed.items():
        assert reason in {v.reason for v in scores[uid].vetoes}
    # the tie is a real tie of two clean units in the same group
    assert scenario.tie is not None
    a, b = scenario.tie
    assert scores[a].total == scores[b].total and not scores[a].vetoed
    assert next(u for u in units if u.id == a).group == next(u for u in units if u.id == b).group
    if sample == "mianyang-2022":
        assert scores[scenario.below_gate].bonus_counted is False and not scores[scenario.below_gate].vetoed
        most = next(u for u in units if u.id == scenario.most_targets)
        assert len(most.targets) == 3  # 市人力资源社会保障局 and its two centres
    else:
        assert scenario.below_gate == ""  # 荆州 has no bonus gate
    # findings are plausible: most units lose a few points, nobody is perfect everywhere
    totals = sorted(s.total for s in scores.values())
    assert totals[0] < totals[-1]
    assert sum(1 for u in units if plans[u.id].notes) > len(units) // 2


def test_ideal_values_score_full_marks_on_a_deduction_item() -> None:
    import random

    r = rubric_mod.load("mianyang-2022")
    crit = next(c for c in r.variants[0].walk() if c.vetoes)
    vals = ideal(crit, random.Random(1))
    from zwgk_cli import rules

    cs = rules.evaluate(crit, vals)
    assert cs.points == crit.max and not cs.vetoes


# ------------------------------------------------------------------ the folder guard


def test_demo_refuses_a_folder_it_did_not_create(tmp_path: Path) -> None:
    mine = tmp_path / "工作"
    mine.mkdir()
    (mine / "重要.txt").write_text("不能删", encoding="utf-8")
    with pytest.raises(demo_mod.DemoError):
        demo_mod.prepare(mine)
    assert (mine / "重要.txt").read_text(encoding="utf-8") == "不能删"
    result = CliRunner().invoke(app, ["demo", "--sample", "jingzhou-2021", str(mine)])
    assert result.exit_code == 2 and (mine / "重要.txt").exists()
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(demo_mod.DemoError):
        demo_mod.prepare(a_file)


def test_demo_recreates_only_its_own_folder(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    demo_mod.prepare(folder)
    (folder / "旧文件.txt").write_text("上次演示留下的", encoding="utf-8")
    demo_mod.prepare(folder)
    assert not (folder / "旧文件.txt").exists() and (folder / demo_mod.MARKER).is_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    demo_mod.prepare(empty)
    assert (empty / demo_mod.MARKER).is_file()


def test_demo_rejects_unknown_samples_and_formats(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--sample", "nowhere-2020", str(tmp_path / "d")]).exit_code == 2
    assert runner.invoke(app, ["demo", "--formats", "odt", str(tmp_path / "d")]).exit_code == 2
    assert not (tmp_path / "d").exists()


# ------------------------------------------------------------------ end to end


@pytest.mark.demo
@pytest.mark.slow
def test_demo_end_to_end_both_samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["demo", "--formats", "docx,html,md,xlsx"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for sample, units, groups, teams in (
        ("mianyang-2022", 49, ["县市区/园区", "市级部门"], ["网站检查组", "市政务公开办"]),
        ("jingzhou-2021", 43, ["县市区", "功能区", "市直部门"], []),
    ):
        folder = tmp_path / "demo" / sample
        assert (folder / demo_mod.MARKER).is_file()
        books = units * max(1, len(teams))  # with 检查组: one workbook per unit per team, a folder per team
        assert len(list((folder / "sheets").rglob("*.xlsx"))) == books
        if teams:
            assert sorted(p.name for p in (folder / "sheets").iterdir()) == sorted(teams)
        assert len(list((folder / "returned").glob("*.xlsx"))) == books + 1  # one unit returned twice
        problems = json.loads((folder / "results" / "problems.json").read_text(encoding="utf-8"))
        codes = {p["code"] for p in (problems["problems"] if isinstance(problems, dict) else problems)}
        twice = "T008" if teams else "W014"  # two workbooks of one team / two whole workbooks
        assert {"V001", "V002", twice} <= codes  # empty input, text in a number cell, duplicate
        rounds = sorted(p.name for p in (folder / "results" / "rounds").iterdir())
        scores = json.loads((folder / "results" / "scores.json").read_text(encoding="utf-8"))
        assert scores["round"] == len(rounds)
        assert f"demo/{sample}/results/rounds/" in out
        doc = results_model.load(folder / "results" / "scores.json")
        ranking = rank(doc, groups)
        assert [g.group for g in ranking.groups] == groups
        assert len(ranking.pending) == 3 and len(ranking.vetoed) == 2
        assert any(e.tied for g in ranking.groups for e in g.ranked)
        report = folder / "report"
        for name in ("通报.docx", "通报.html", "通报.md", "排名.xlsx"):
            assert (report / name).stat().st_size > 1000, name
        # a 整改清单 for each unit with findings; the others listed, one a line, in the .txt
        others = (report / "整改清单" / "没有整改清单的单位.txt").read_text(encoding="utf-8-sig").splitlines()[2:]
        assert len(others) >= len(ranking.pending)
        assert len(list((report / "整改清单").glob("*.xlsx"))) + len(others) == units
        md = (report / "通报.md").read_text(encoding="utf-8")
        assert "并列第" in md and "否决情况" in md and "评分未完成的单位" in md
        assert f"demo/{sample}/report/通报.docx" in out
    assert "评估人员的错误" in out and "各组前 3 名" in out and "并列" in out
    # 绵阳: two 检查组 and a round of 复核 (one answer corrected after round 01); 荆州: one round
    mianyang, jingzhou = tmp_path / "demo" / "mianyang-2022", tmp_path / "demo" / "jingzhou-2021"
    assert sorted(p.name for p in (mianyang / "results" / "rounds").iterdir()) == ["01", "02"]
    assert sorted(p.name for p in (jingzhou / "results" / "rounds").iterdir()) == ["01"]
    assert not (jingzhou / "results" / "复核记录.xlsx").exists()
    import openpyxl

    review = openpyxl.load_workbook(mianyang / "results" / "复核记录.xlsx")
    changed = list(review["变更明细"].iter_rows(values_only=True))
    assert len(changed) == 2  # the header and the one corrected answer
    row = dict(zip(changed[0], changed[1], strict=True))
    assert str(row["评分表文件"]).endswith("-市政务公开办.xlsx") and row["单元格"]
    assert {str(v) for v in row.values()} >= {"是", "否"}
    first, second = (
        json.loads((mianyang / "results" / "rounds" / n / "scores.json").read_text(encoding="utf-8"))
        for n in ("01", "02")
    )
    who = str(row["单位"])
    totals = [next(u["total"] for u in doc["units"] if u["unit"] in who) for doc in (first, second)]
    assert totals[0] < totals[1]  # the appeal raised the unit's total
    assert "申诉复核" in out and "demo/mianyang-2022/results/复核记录.xlsx" in out
    assert "检查组:网站检查组、市政务公开办" in out
    # the demo's rounds are recorded as zwgk score records them: the report finds them current
    monkeypatch.chdir(mianyang)
    current = runner.invoke(app, ["report", "--formats", "md"])
    assert "评分结果不是最新的" not in current.output and "通报依据第2轮评分结果" in current.output, current.output
    assert (mianyang / "report" / "通报.md").is_file()
    monkeypatch.chdir(tmp_path)
    # re-runnable: the same command again succeeds and gives the same notice
    before = (tmp_path / "demo" / "jingzhou-2021" / "report" / "通报.docx").read_bytes()
    again = runner.invoke(app, ["demo", "--sample", "jingzhou-2021", "--formats", "docx"])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "demo" / "jingzhou-2021" / "report" / "通报.docx").read_bytes() == before
    assert not (tmp_path / "demo" / "jingzhou-2021" / "report" / "通报.html").exists()  # folder rebuilt


def test_fill_mistakes_hit_units_outside_the_scenario() -> None:
    import random

    r, units = load_sample("jingzhou-2021")
    plans, scenario = simulate(r, units, demo_mod.DEFAULT_SEED)
    picked = demo_mod._pick_mistakes(units, scenario, plans, random.Random(1))
    assert [k for _, k in picked] == ["text", "empty", "duplicate"]
    busy = set(scenario.vetoed) | set(scenario.tie or ())
    assert not busy & {u.id for u, _ in picked}
    key = demo_mod._count_key(r, picked[0][0], plans[picked[0][0].id].values)
    assert isinstance(key, ReadingKey)


# ------------------------------------------------------------------ creating the campaign folder


def test_new_campaign_creates_the_folder_as_zwgk_new_does(tmp_path: Path) -> None:
    from zwgk_cli.campaign import CONFIG_NAME
    from zwgk_cli.new_campaign import NewCampaignError, create

    made = create(tmp_path / "考评" / "2022", sample="mianyang-2022")
    folder = tmp_path / "考评" / "2022"
    assert made.files == ("units.csv", "websites.csv") and made.rubric.id == "mianyang-2022"
    assert sorted(p.name for p in folder.iterdir()) == sorted([CONFIG_NAME, "units.csv", "websites.csv", "returned"])
    assert made.campaign.office == "绵阳市人民政府办公室" and made.campaign.group_order == ("县市区/园区", "市级部门")
    with pytest.raises(NewCampaignError) as err:
        create(folder, sample="mianyang-2022")
    assert [p.code for p in err.value.problems] == ["S003"]
    with pytest.raises(NewCampaignError, match="没有示例"):
        create(tmp_path / "x", sample="nowhere-2020")
    assert not (tmp_path / "x").exists()


def test_new_campaign_leaves_nothing_behind_when_it_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from zwgk_cli import new_campaign

    def broken(*_: object) -> str:
        raise OSError("磁盘已满")

    monkeypatch.setattr(new_campaign, "campaign_toml", broken)
    with pytest.raises(OSError):
        new_campaign.create(tmp_path / "新" / "考评", sample="jingzhou-2021")
    assert list(tmp_path.iterdir()) == []  # the folders it made are gone too
    mine = tmp_path / "已有"
    mine.mkdir()
    (mine / "说明.txt").write_text("我的文件", encoding="utf-8")
    with pytest.raises(OSError):
        new_campaign.create(mine, sample="jingzhou-2021")
    assert [p.name for p in mine.iterdir()] == ["说明.txt"]  # only what it added is removed


def test_zwgk_new_reports_a_failure_as_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["new", str(tmp_path / "d"), "--rubric", "mianyang-2022", "--roster", "无.csv"])
    assert result.exit_code == 2 and "名单文件不存在" in result.output
    assert not (tmp_path / "d").exists()


def test_the_sample_names_the_command_line_offers_are_the_samples_it_can_create() -> None:
    from zwgk_cli.names import SAMPLES
    from zwgk_cli.new_campaign import SAMPLES as SETTINGS

    assert tuple(SETTINGS) == SAMPLES
