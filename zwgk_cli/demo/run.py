"""``zwgk demo``: the whole pipeline on a bundled sample in a folder of its own: ``new --sample`` →
``init-sheets`` → workbooks filled by :mod:`~zwgk_cli.demo.simulate` with three assessor mistakes →
``score`` → ``report`` (绵阳: two 检查组 and a round of 复核, :mod:`~zwgk_cli.demo.appeal`).  Each
step calls what its command calls.  The demo only deletes a folder holding its marker file.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from zwgk_cli import campaign as campaign_mod
from zwgk_cli import rubric as rubric_mod
from zwgk_cli.campaign import CONFIG_NAME, Campaign
from zwgk_cli.demo.appeal import APPEALS, TEAMS, Appeal, inputs_of, pick_appeal, score_round
from zwgk_cli.demo.fill import fill_workbook
from zwgk_cli.demo.simulate import Scenario, UnitPlan, largest_group, simulate
from zwgk_cli.model import Input, InputKind, ReadingKey, Rubric, Unit, Value
from zwgk_cli.names import DEFAULT_SEED, FORMATS, SAMPLES
from zwgk_cli.new_campaign import NewCampaignError, checked_roster, create
from zwgk_cli.problems import Problem
from zwgk_cli.report import build as report_mod
from zwgk_cli.report.ranking import Ranking, rank, round_diff
from zwgk_cli.report.text import parse_date
from zwgk_cli.results import model as results_model
from zwgk_cli.results.review import REVIEW_NAME, write_review
from zwgk_cli.workbook import layout
from zwgk_cli.workbook.issue import write_workbooks
from zwgk_cli.workbook.teams import Teams, resolve_teams, team_jobs

MARKER = ".zwgk-demo"
ASSESSORS = ("王晓明", "李娜", "陈静", "张磊", "刘洋", "赵敏", "孙悦", "周涛")
COPY_SUFFIX = " - 副本"


class DemoError(Exception):
    """The demo cannot run (its folder belongs to someone else, a step failed)."""


@dataclass
class Mistake:
    unit: str
    what: str  # 中文: what the assessor did


@dataclass
class DemoResult:
    sample: str
    folder: Path
    ranking: Ranking
    scenario: Scenario
    mistakes: list[Mistake]
    counts: Mapping[str, int]  # units per status (scored, incomplete, invalid, missing)
    problems: list[Problem]  # what zwgk score found, in display order
    report: report_mod.Outcome
    teams: tuple[str, ...] = ()  # the campaign's 检查组, when it has any
    appeal: Appeal | None = None  # the correction scored as round 02
    review: Path | None = None  # 复核记录.xlsx, when there was a round of 复核


def prepare(folder: Path) -> None:
    """Make ``folder`` empty and ours: remove it only when our marker is in it."""
    if folder.exists():
        if not folder.is_dir():
            raise DemoError(f"{folder} 已存在且不是目录。请换一个目录。")
        if (folder / MARKER).is_file():
            shutil.rmtree(folder)
        elif any(folder.iterdir()):
            raise DemoError(
                f"{folder} 已存在且不是 zwgk demo 创建的目录(没有标记文件 {MARKER}):为免误删,演示不会使用它。"
                "请换一个目录,或先自行清空。"
            )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("此目录由 zwgk demo 创建;再次运行 zwgk demo 时会整个删除并重建。\n", encoding="utf-8")


def _notes(plan: UnitPlan, values: Mapping[ReadingKey, Value | None]) -> dict[ReadingKey, str]:
    """The plan's 扣分说明, each at the first input of its criterion in ``values``."""
    first: dict[tuple[str, str], ReadingKey] = {}
    for k in values:
        first.setdefault((k.target, k.criterion), k)
    return {first[k]: text for k, text in plan.notes.items() if k in first}


def _pick_mistakes(
    units: Sequence[Unit], scenario: Scenario, plans: Mapping[str, UnitPlan], rng: random.Random
) -> list[tuple[Unit, str]]:
    """Three units of the largest group, away from the scenario, for the assessors' mistakes."""
    free = [u for u in largest_group(units) if u.id not in scenario.busy() and plans[u.id].values]
    picked = rng.sample(free, k=min(3, len(free)))
    return list(zip(picked, ("text", "empty", "duplicate"), strict=False))


def _unit_inputs(rubric: Rubric, unit: Unit) -> dict[tuple[str, str], Input]:
    """(criterion, input) → input, as the unit's own variant has them."""
    return {(c.id, i.id): i for c in rubric_mod.resolve(rubric, unit).walk() for i in c.inputs}


def _count_key(rubric: Rubric, unit: Unit, values: Mapping[ReadingKey, Value | None]) -> ReadingKey | None:
    """A count input of ``unit``, one with a finding if there is one."""
    inputs = _unit_inputs(rubric, unit)
    counts = [k for k in values if (i := inputs.get((k.criterion, k.input))) and i.kind is InputKind.COUNT]
    found = [k for k in counts if isinstance(v := values[k], Decimal) and v > 0]
    return next(iter(found or counts), None)


def fill_all(
    rubric: Rubric,
    units: Sequence[Unit],
    plans: Mapping[str, UnitPlan],
    scenario: Scenario,
    books: Mapping[str, Sequence[Path]],
    returned: Path,
    seed: int,
    when: dt.date,
) -> list[Mistake]:
    """Fill every unit's workbooks (``books``: unit id → its issued workbooks, one per 检查组 or
    one whole) into ``returned``, with three assessor mistakes."""
    rng = random.Random(f"{seed}/mistakes")
    mistakes: list[Mistake] = []
    chosen = {u.id: kind for u, kind in _pick_mistakes(units, scenario, plans, rng)}
    jobs: list[FillJob] = []
    for n, u in enumerate(units):
        plan = plans[u.id]
        values: dict[ReadingKey, Value | None] = dict(plan.values)
        kind = chosen.get(u.id)
        inputs = _unit_inputs(rubric, u) if kind else {}
        key = _count_key(rubric, u, values) if kind == "text" else next(iter(values)) if kind == "empty" else None
        if key is not None:
            label = i.label if (i := inputs.get((key.criterion, key.input))) else key.input
            values[key] = "见扣分说明" if kind == "text" else None
            what = f"在数字单元格“{label}”中填了文字“见扣分说明”" if kind == "text" else f"漏填了必填项“{label}”"
            mistakes.append(Mistake(u.name, what))
        notes = _notes(plan, values)
        assessor = ASSESSORS[n % len(ASSESSORS)]
        for src in books[u.id]:
            # a team's workbook: the values it has a cell for
            keys = {m.key for m in inputs_of(src)} if len(books[u.id]) > 1 else values.keys()
            mine = {k: v for k, v in values.items() if k in keys}
            jobs.append((src, returned / src.name, mine, assessor, when, {k: t for k, t in notes.items() if k in keys}))
    _fill_jobs(jobs)
    for u in units:
        if chosen.get(u.id) == "duplicate":
            dest = returned / books[u.id][0].name
            copy = returned / f"{dest.stem}{COPY_SUFFIX}{layout.WORKBOOK_SUFFIX}"
            shutil.copyfile(dest, copy)
            mistakes.append(Mistake(u.name, f"交回了两份评分表({dest.name}、{copy.name})"))
    return mistakes


FillJob = tuple[Path, Path, dict[ReadingKey, Value | None], str, dt.date, dict[ReadingKey, str]]


def _fill_one(job: FillJob) -> None:
    src, dest, values, assessor, when, notes = job
    fill_workbook(src, dest, values, assessor=assessor, date=when, notes=notes)


def _fill_jobs(jobs: Sequence[FillJob]) -> None:
    """openpyxl takes a moment per workbook: use the cores (the files do not depend on it)."""
    import os
    from concurrent.futures import ProcessPoolExecutor

    workers = min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(jobs) < 8:
        for job in jobs:
            _fill_one(job)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_fill_one, jobs, chunksize=max(1, len(jobs) // (workers * 4))))


def _issue(r: Rubric, camp: Campaign, units: Sequence[Unit], teams: Teams | None) -> dict[str, list[Path]]:
    """``zwgk init-sheets``: one blank workbook per unit in ``sheets/`` (with 检查组: one per unit
    per team, in a folder per team); unit id → its workbooks."""
    from zwgk_cli.workbook.write import CampaignInfo  # the writer only when writing

    out_dir = camp.path(camp.sheets_dir or "sheets")
    if teams is None:
        names = layout.workbook_filenames(units)
        jobs: list[tuple[Unit, Path] | tuple[Unit, Path, str]] = [(u, out_dir / names[u.id]) for u in units]
    else:
        jobs = [(j.unit, j.path, j.team) for j in team_jobs(r, teams, units, units, out_dir)]
    for folder in {job[1].parent for job in jobs}:
        folder.mkdir(parents=True, exist_ok=True)
    written = write_workbooks(r, jobs, CampaignInfo.from_campaign(camp), camp.password, teams=teams)
    failed = [w for w in written if w.error]
    if failed:
        raise DemoError("生成评分表失败:" + ";".join(f"{w.file}:{w.error}" for w in failed[:5]))
    books: dict[str, list[Path]] = {}
    for job in jobs:
        books.setdefault(job[0].id, []).append(job[1])
    return books


def _teams(r: Rubric, camp: Campaign, sample: str) -> tuple[Campaign, Teams | None]:
    """The sample's 检查组 written into its ``zwgk.toml`` (as a user would), read back and checked."""
    declared = TEAMS.get(sample)
    if declared is None:
        return camp, None
    cfg = camp.root / CONFIG_NAME
    cfg.write_text(cfg.read_text(encoding="utf-8") + declared, encoding="utf-8")
    try:
        camp = campaign_mod.load(camp.root)
    except campaign_mod.CampaignError as exc:
        raise DemoError("示例的检查组设置有问题:" + ";".join(p.message for p in exc.problems[:5])) from None
    teams, problems = resolve_teams(r, camp.teams, str(cfg))
    if problems or teams is None:
        raise DemoError("示例的检查组设置有问题:" + ";".join(p.message for p in problems[:5]))
    return camp, teams


def run_sample(
    sample: str,
    folder: Path,
    *,
    seed: int = DEFAULT_SEED,
    formats: Sequence[str] = FORMATS,
    echo: Callable[[str], None] = lambda _: None,
) -> DemoResult:
    """The whole pipeline for one bundled sample, in ``folder`` (created, or re-created if ours)."""
    if sample not in SAMPLES:
        raise DemoError(f"没有示例“{sample}”(可用:{'、'.join(SAMPLES)})。")
    prepare(folder)
    echo(f"zwgk new {folder} --sample {sample}")
    try:
        made = create(folder, sample=sample)
    except NewCampaignError as exc:
        raise DemoError(f"创建考评目录失败:{exc.message}") from None
    except rubric_mod.RubricError as exc:
        raise DemoError("示例细则有问题:" + ";".join(p.message for p in exc.problems[:5])) from None
    camp, r = made.campaign, made.rubric
    camp, teams = _teams(r, camp, sample)
    roster = checked_roster(r, camp.path(camp.units), camp.path(camp.targets) if camp.targets else None)
    if roster.problems:
        raise DemoError("示例名单有问题:" + ";".join(p.message for p in roster.problems[:5]))
    echo("zwgk init-sheets" + (f"(检查组:{'、'.join(teams.names)},每个单位每组一份)" if teams else ""))
    books = _issue(r, camp, roster.units, teams)
    echo("模拟评估人员填写评分表(含否决、加分门槛、并列和三处常见填写错误)")
    plans, scenario = simulate(r, roster.units, seed)
    returned = camp.path(camp.returned_dir)
    when = parse_date(camp.return_deadline) or dt.date(camp.year or 2000, 12, 1)
    mistakes = fill_all(r, roster.units, plans, scenario, books, returned, seed, when)
    echo("zwgk score")
    counts, problems = score_round(r, camp, roster, teams)
    results_dir = camp.path(camp.results_dir)
    appeal: Appeal | None = None
    review: Path | None = None
    if sample in APPEALS:
        appeal = _appeal(r, roster.units, plans, scenario, mistakes, books, returned, when, results_dir)
        if appeal is not None:
            echo(f"复核:{appeal.unit}申诉,更正评分表后重新计分(第2轮)")
            echo("zwgk score")
            counts, problems = score_round(r, camp, roster, teams)
            echo("zwgk diff")
            review = results_dir / REVIEW_NAME
            write_review(round_diff(results_dir, None, None), review)
    doc = results_model.load(results_dir / "scores.json")
    if appeal is not None:
        after = next((u.total for u in doc.units if u.unit_id == appeal.unit_id), None)
        appeal = replace(appeal, total_after=after)
    echo("zwgk report")
    outcome = report_mod.write_report(doc, camp.path(camp.report_dir), campaign=camp, formats=formats)
    ranking = rank(doc, camp.group_order)
    teams_names = teams.names if teams else ()
    return DemoResult(
        sample, folder, ranking, scenario, mistakes, counts, problems, outcome, teams_names, appeal, review
    )


def _appeal(
    r: Rubric,
    units: Sequence[Unit],
    plans: Mapping[str, UnitPlan],
    scenario: Scenario,
    mistakes: Sequence[Mistake],
    books: Mapping[str, Sequence[Path]],
    returned: Path,
    when: dt.date,
    results_dir: Path,
) -> Appeal | None:
    """After round 01: a clean unit's answer corrected in its returned workbook (the office's)."""
    busy = scenario.busy() | {u.id for u in units if u.name in {m.unit for m in mistakes}}
    first = results_model.load(results_dir / "scores.json")
    scored = {u.unit_id for u in first.units if u.status == "scored"}
    values = {u.id: plans[u.id].values for u in units}
    picked = pick_appeal(r, units, values, books, busy, scored)
    if picked is None:
        return None
    unit, book, m, new = picked
    keys = {x.key for x in inputs_of(book)}
    corrected = {k: v for k, v in values[unit.id].items() if k in keys} | {m.key: new}
    notes = {k: t for k, t in _notes(plans[unit.id], corrected).items() if k in keys}
    n = next(i for i, u in enumerate(units) if u.id == unit.id)
    dest = returned / book.name
    fill_workbook(book, dest, corrected, assessor=ASSESSORS[n % len(ASSESSORS)], date=when, notes=notes)
    before = next((u.total for u in first.units if u.unit_id == unit.id), None)
    old = values[unit.id][m.key]
    assert old is not None  # a yes/no answer was picked
    return Appeal(unit.name, unit.id, m.label, old, new, dest, m.sheet, m.cell, before, None)
