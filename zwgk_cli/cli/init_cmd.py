"""``zwgk init-sheets``: one scoring workbook per unit of the roster."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from zwgk_cli.cli import Interrupted, app
from zwgk_cli.cli.common import (
    EXIT_PROBLEMS,
    CampaignOpt,
    console,
    load_campaign,
    load_rubric,
    load_teams,
    load_units,
    print_json,
    print_problems,
    usage_error,
)
from zwgk_cli.files import safe_file_stem
from zwgk_cli.model import Unit
from zwgk_cli.problems import Code, Problem, Severity, problem
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook.blueprint import CampaignInfo
from zwgk_cli.workbook.issue import Written, file_state, issued_since, write_workbooks
from zwgk_cli.workbook.teams import team_jobs


def _say(text: str) -> None:
    """One plain line (no rich markup: names may contain brackets), never wrapped."""
    console.print(text, soft_wrap=True, markup=False, highlight=False)


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
        usage_error(f"名单中没有单位:{'、'.join(unknown)}(请用单位名称、编号或别名,如:{sample}……)")
    return picked


@app.command("init-sheets")
def init_sheets_cmd(
    rubric: Annotated[
        str | None, typer.Option("--rubric", help="评分细则:内置编号或 YAML 文件;考评目录中可省略。")
    ] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help="单位名单(CSV/XLSX);考评目录中可省略。")] = None,
    targets: Annotated[Path | None, typer.Option("--targets", help="网站名单(CSV/XLSX)。")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="输出目录,默认为考评目录中的 sheets/。")] = None,
    units: Annotated[
        list[str] | None, typer.Option("--units", "-u", help="只生成这些单位(名称、编号或别名;可重复,或用顿号分隔)。")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的评分表(其中已填写的内容会丢失)。")] = False,
    password: Annotated[str | None, typer.Option("--password", help="工作表保护密码;默认不设密码(仍然保护)。")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="并行进程数;0 表示自动。", min=0)] = 0,
    json_out: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果。")] = False,
    campaign: CampaignOpt = None,
) -> None:
    """为名单中的每个单位生成一个 Excel 评分表(文件名为单位名称)。

    评分表只含该单位适用的细则;填写单元格带下拉列表和输入提示,其余内容锁定;得分、小计、
    总分和等次由公式实时计算;隐藏的标识工作表记录细则、单位和每个填写单元格的位置,供 zwgk score 读回。
    已存在的评分表不会被覆盖,除非加 --force。

    示例:zwgk init-sheets

    示例:zwgk init-sheets --rubric mianyang-2022 --roster 单位.csv --targets 网站.csv --out 评分表 --units 涪城区
    """
    camp = load_campaign(campaign)
    r = load_rubric(rubric, camp)
    teams = load_teams(r, camp)
    ros = load_units(r, roster, targets, camp)
    problems: list[Problem] = list(ros.problems)
    chosen = _pick_units(ros.units, units or [])
    out_dir = out if out is not None else camp.path(camp.sheets_dir or "sheets")
    names = L.workbook_filenames(ros.units)
    blocked = {p.unit for p in problems if p.severity is Severity.ERROR and p.unit}
    jobs_list: list[tuple[Unit, Path] | tuple[Unit, Path, str]] = []
    for u in chosen:
        reason = ""
        if u.name in blocked:
            reason = "名单有错误"
        elif r.variant_for_group(u.group) is None:
            reason = f"分组“{u.group}”不适用于细则的任何版本"
        if reason:
            problems.append(problem(Code.S_UNIT_SKIPPED, unit=u.name, detail=reason))
            continue
        jobs_list.append((u, out_dir / names[u.id]))
    if teams is not None:  # one workbook per unit per 检查组, in a folder per team
        jobs_list = [
            (j.unit, j.path, j.team) for j in team_jobs(r, teams, [j[0] for j in jobs_list], ros.units, out_dir)
        ]
    existing = [j[1] for j in jobs_list if j[1].exists()]
    if existing and not force:
        shown = "、".join(p.name for p in existing[:10]) + (f" 等 {len(existing)} 个" if len(existing) > 10 else "")
        problems.append(problem(Code.S_EXISTS, file=str(out_dir), files=shown))
        _report_init(json_out, out_dir, [], problems)
        raise typer.Exit(EXIT_PROBLEMS)
    info = CampaignInfo.from_campaign(camp)
    pw = password if password is not None else camp.password
    before = {j[1]: file_state(j[1]) for j in jobs_list}
    try:
        results = write_workbooks(r, jobs_list, info, pw, jobs, teams=teams)
    except Interrupted as exc:
        for note in _interrupted_state(before, out_dir):
            exc.add_note(note)
        raise
    written = [w for w in results if not w.error]
    for w in results:
        if w.error:
            problems.append(problem(Code.S_WRITE, file=w.file, unit=w.name, detail=w.error))
    _report_init(json_out, out_dir, written, problems)
    if any(p.severity is Severity.ERROR for p in problems):
        raise typer.Exit(EXIT_PROBLEMS)


def _names(paths: Sequence[Path]) -> str:
    shown = "、".join(p.name for p in paths[:10])
    return shown + (f" 等 {len(paths)} 个" if len(paths) > 10 else "")


def _interrupted_state(before: dict[Path, tuple[int, int] | None], out_dir: Path) -> list[str]:
    """What an interrupted init-sheets left in ``out_dir``: each workbook is whole, either
    issued by this run or as it was."""
    issued = issued_since(before)
    new = [p for p in before if p in issued and before[p] is None]
    again = [p for p in before if p in issued and before[p] is not None]
    old = [p for p in before if p not in issued and before[p] is not None]
    none = [p for p in before if p not in issued and before[p] is None]
    notes = [f"评分表目录 {out_dir}:每个评分表都是完整的(本次生成的或原有的),没有写了一半的文件。"]
    if new:
        notes.append(f"本次新生成 {len(new)} 个:{_names(new)}")
    if again:
        notes.append(f"本次重新生成(覆盖原有)的 {len(again)} 个:{_names(again)}")
    if old:
        notes.append(f"仍是原有的旧评分表 {len(old)} 个:{_names(old)}")
    if none:
        notes.append(f"尚未生成 {len(none)} 个:{_names(none)}")
    if old or none:
        notes.append("重新运行本命令(需要覆盖时加 --force)即可补齐。")
    return notes


def _report_init(json_out: bool, out_dir: Path, written: Sequence[Written], problems: Sequence[Problem]) -> None:
    if json_out:
        print_json(
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
                        **({"team": w.team} if w.team else {}),
                    }
                    for w in written
                ],
                "problems": [p.to_dict() for p in problems],
            }
        )
        return
    print_problems(problems, "生成评分表时发现的问题")
    if not written:
        return
    groups: dict[str, int] = {}
    for w in written:
        groups[w.group] = groups.get(w.group, 0) + 1
    by_group = "、".join(f"{g} {n} 个" for g, n in groups.items())
    inputs = sum(w.inputs for w in written)
    _say(f"已生成 {len(written)} 个评分表({by_group}),共 {inputs} 个填写项 → {out_dir}")
    teams: dict[str, int] = {}
    for w in written:
        if w.team:
            teams[w.team] = teams.get(w.team, 0) + 1
    if teams:
        _say("按检查组:" + "、".join(f"{t} {n} 个(子目录 {safe_file_stem(t)})" for t, n in teams.items()))
    _say("分发给评估人员填写;交回后放入 returned/ 目录,运行 zwgk score。用 zwgk inspect 查看评分表。")
