"""``zwgk init-sheets``: one scoring workbook per unit of the roster."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from zwgk_cli.cli import Interrupted, app, common
from zwgk_cli.files import safe_file_stem
from zwgk_cli.model import Unit
from zwgk_cli.problems import Code, Problem, Severity, has_errors, problem
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook.blueprint import CampaignInfo
from zwgk_cli.workbook.issue import (
    IssuePlan,
    Written,
    file_state,
    issued_since,
    issued_workbooks,
    plan_issue,
    write_workbooks,
)
from zwgk_cli.workbook.teams import TeamJob, team_jobs


def _pick_units(units: Sequence[Unit], wanted: Sequence[str]) -> list[Unit]:
    names = [w.strip() for item in wanted for w in item.replace(",", "、").replace(",", "、").split("、") if w.strip()]
    if not names:
        return list(units)
    picked: list[Unit] = []
    unknown: list[str] = []
    for name in names:
        u = next((x for x in units if name in (x.id, x.name) or name in x.aliases), None)
        if u is None:
            unknown.append(name)
        elif u not in picked:
            picked.append(u)
    if unknown:
        sample = "、".join(u.name for u in units[:5])
        common.usage_error(f"名单中没有单位:{'、'.join(unknown)}(请用单位名称、编号或别名,如:{sample}……)")
    return picked


@app.command("init-sheets")
def init_sheets_cmd(
    rubric: Annotated[
        str | None, typer.Option("--rubric", help="评分细则:内置编号或 YAML 文件;考评目录中可省略。")
    ] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help="单位名单(CSV/XLSX);考评目录中可省略。")] = None,
    targets: common.TargetsOpt = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="输出目录,默认为考评目录中的 sheets/。")] = None,
    units: Annotated[
        list[str] | None, typer.Option("--units", "-u", help="只生成这些单位(名称、编号或别名;可重复,或用顿号分隔)。")
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="重新生成已发放的评分表(全部,或 --units 指定的单位;其中已填写的内容会丢失)。"),
    ] = False,
    password: Annotated[str | None, typer.Option("--password", help="工作表保护密码;默认不设密码(仍然保护)。")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="并行进程数;0 表示自动。", min=0)] = 0,
    json_out: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果。")] = False,
    campaign: common.CampaignOpt = None,
) -> None:
    """为名单中的每个单位生成一个 Excel 评分表(文件名为单位名称)。

    评分表只含该单位适用的细则;填写单元格带下拉列表和输入提示,其余内容锁定;得分、小计、
    总分和等次由公式实时计算;隐藏的标识工作表记录细则、单位和每个填写单元格的位置,供 zwgk score 读回。
    已发放的评分表(按其隐藏的标识识别)不会被改动:名单中新增单位后再运行,只补发还没有评分表的单位;
    要重新生成已发放的评分表,加 --force。评分表目录中不在名单中的单位的评分表会列出,不会删除。

    示例:zwgk init-sheets

    示例:zwgk init-sheets --units 涪城区 --force      (重新生成一个单位的评分表)

    示例:zwgk init-sheets --rubric mianyang-2022 --roster 单位.csv --targets 网站.csv --out 评分表 --units 涪城区
    """
    camp = common.load_campaign(campaign)
    r = common.load_rubric(rubric, camp)
    teams = common.load_teams(r, camp)
    ros = common.load_units(r, roster, targets, camp)
    problems: list[Problem] = list(ros.problems)
    chosen = _pick_units(ros.units, units or [])
    out_dir = out if out is not None else camp.path(camp.sheets_dir or "sheets")
    blocked = {p.unit for p in problems if p.severity is Severity.ERROR and p.unit}
    jobs_list: list[Unit] = []
    for u in chosen:
        if u.name in blocked:
            problems.append(problem(Code.S_UNIT_SKIPPED, unit=u.name, detail="名单有错误"))
        elif r.variant_for_group(u.group) is None:
            detail = f"分组“{u.group}”不适用于细则的任何版本"
            problems.append(problem(Code.S_UNIT_SKIPPED, unit=u.name, detail=detail))
        else:
            jobs_list.append(u)
    # (team, its units, their file names, folder): one workbook per unit, or per unit per 检查组
    # in a folder per team, each folder planned alike
    if teams is None:
        batches = [("", jobs_list, L.workbook_filenames(ros.units), out_dir)]
    else:
        by_team: dict[str, list[TeamJob]] = {}
        for j in team_jobs(r, teams, jobs_list, ros.units, out_dir):
            by_team.setdefault(j.team, []).append(j)
        batches = [
            (t, [j.unit for j in js], {j.unit.id: j.path.name for j in js}, js[0].path.parent)
            for t, js in by_team.items()
        ]
    plan = IssuePlan()
    write: list[tuple[Unit, Path] | tuple[Unit, Path, str]] = []
    for team, units_t, names_t, folder in batches:
        p = plan_issue(r, units_t, ros.units, names_t, folder, issued_workbooks(folder), force)
        plan.kept.extend(p.kept)
        plan.problems.extend(p.problems)
        write.extend((u, path, team) if team else (u, path) for u, path in p.write)
    problems.extend(plan.problems)
    if units and plan.kept:  # named on the command line, and not re-issued: say so
        problems.append(problem(Code.S_EXISTS, file=str(out_dir), files=_names([p for _, p in plan.kept])))
    info = CampaignInfo.from_campaign(camp)
    pw = password if password is not None else camp.password
    before = {j[1]: file_state(j[1]) for j in write}
    try:
        results = write_workbooks(r, write, info, pw, jobs, teams=teams) if write else []
    except Interrupted as exc:
        for note in _interrupted_state(before, out_dir):
            exc.add_note(note)
        raise
    written = [w for w in results if not w.error]
    problems += [problem(Code.S_WRITE, file=w.file, unit=w.name, detail=w.error) for w in results if w.error]
    _report_init(json_out, out_dir, written, plan.kept, before, problems)
    if has_errors(problems):
        raise typer.Exit(common.EXIT_PROBLEMS)


def _names(items: Sequence[Path] | Sequence[Written]) -> str:
    return common.listed([x.name for x in items], 10)


def _interrupted_state(before: dict[Path, tuple[int, int] | None], out_dir: Path) -> list[str]:
    """What an interrupted init-sheets left in ``out_dir``: each workbook is whole, either
    issued by this run or as it was."""
    issued = issued_since(before)
    notes = [f"评分表目录 {out_dir}:每个评分表都是完整的(本次生成的或原有的),没有写了一半的文件。"]
    left = False
    for done, existed, said in (
        (True, False, "本次新生成"),
        (True, True, "本次重新生成(覆盖原有)的"),
        (False, True, "仍是原有的旧评分表"),
        (False, False, "尚未生成"),
    ):
        paths = [p for p in before if (p in issued) is done and (before[p] is not None) is existed]
        if paths:
            notes.append(f"{said} {len(paths)} 个:{_names(paths)}")
            left = left or not done
    if left:
        notes.append("重新运行本命令(需要覆盖时加 --force)即可补齐。")
    return notes


def _report_init(
    json_out: bool,
    out_dir: Path,
    written: Sequence[Written],
    kept: Sequence[tuple[Unit, Path]],
    before: dict[Path, tuple[int, int] | None],
    problems: Sequence[Problem],
) -> None:
    if json_out:
        common.print_json(
            {
                "out": str(out_dir),
                "workbooks": [
                    {
                        "unit_id": w.unit,
                        "unit": w.name,
                        "group": w.group,
                        "file": w.file,
                        "sheets": w.sheets,
                        "inputs": w.inputs,
                        "replaced": before.get(Path(w.file)) is not None,
                        **({"team": w.team} if w.team else {}),
                    }
                    for w in written
                ],
                "unchanged": [{"unit_id": u.id, "unit": u.name, "group": u.group, "file": str(p)} for u, p in kept],
                "problems": [p.to_dict() for p in problems],
            }
        )
        return
    common.print_problems(problems, "生成评分表时发现的问题")
    new = [w for w in written if before.get(Path(w.file)) is None]
    again = [w for w in written if before.get(Path(w.file)) is not None]
    if kept:
        said = f"已发放 {len(kept)} 份(未改动)"
        if new:
            common.say(f"{said},新发放 {len(new)} 份:{_names(new)} → {out_dir}")
        elif not again:
            common.say(f"{said},没有需要新发放的评分表 → {out_dir}")
            common.say("名单中新增单位后再运行本命令即可补发;要重新生成已发放的评分表,加 --force(已填写的内容会丢失)。")
            return
        else:
            common.say(f"{said}。")
    elif new and not again:
        by_group = "、".join(f"{g} {n} 个" for g, n in Counter(w.group for w in new).items())
        inputs = sum(w.inputs for w in new)
        common.say(f"已生成 {len(new)} 个评分表({by_group}),共 {inputs} 个填写项 → {out_dir}")
    elif new:
        common.say(f"新发放 {len(new)} 份:{_names(new)} → {out_dir}")
    if again:
        common.say(f"重新生成 {len(again)} 份(覆盖原有,原已填写的内容已不在其中):{_names(again)} → {out_dir}")
    teams = Counter(w.team for w in written if w.team)
    if teams:
        common.say("按检查组:" + "、".join(f"{t} {n} 个(子目录 {safe_file_stem(t)})" for t, n in teams.items()))
    if written:
        common.say("分发给评估人员填写;交回后放入 returned/ 目录,运行 zwgk score。")
        common.say("用 zwgk inspect 查看评分表,用 zwgk status 查看各单位交回与填写进度。")
