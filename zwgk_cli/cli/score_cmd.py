"""``zwgk score``: read the returned workbooks (or a findings table), find every problem,
total every unit, write the results folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from zwgk_cli.cli import app, common, on_interrupt, score_view
from zwgk_cli.problems import Problem, os_reason
from zwgk_cli.results import rounds
from zwgk_cli.scoring import batch as batch_mod
from zwgk_cli.scoring.discover import Found, discover, display_name
from zwgk_cli.scoring.output import campaign_fields, write_results, write_summary
from zwgk_cli.workbook.read import Context, WorkbookRead, read_findings


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[batch_mod.Progress | None]:
    if not enabled or total < 2:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("读取评分表"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=common.err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("score", total=total)

        def advance(done: int, _total: int) -> None:
            bar.update(task, completed=done)

        yield advance


@app.command("score")
def score_cmd(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="评分表文件或文件夹(递归查找);默认为考评目录的交回目录(returned/)。", show_default=False),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="结果目录;默认为考评目录的 results/。")] = None,
    inputs: Annotated[
        Path | None,
        typer.Option("--inputs", help="改为读取填写数据表(CSV:unit,target,indicator,criterion,input,value[,note])。"),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="向标准输出打印 JSON 摘要(各状态单位数与全部问题)。")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="有任何错误即退出码 1,且不写评分结果(只写问题清单)。")
    ] = False,
    rubric: common.RubricOpt = None,
    roster: common.RosterOpt = None,
    targets: common.TargetsOpt = None,
    jobs: common.JobsOpt = 0,
    campaign: common.CampaignOpt = None,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="逐条列出问题(表格,最多200条),不按代码归并。"),
    ] = False,
) -> None:
    """读取交回的评分表,逐项校验并计分,写出 results/ 下的评分结果与问题清单。

    每个问题都给出文件、工作表、单元格、单位、指标与处理办法;一个坏文件不影响其他单位计分。
    退出码:0 没有错误;1 发现错误(结果仍写出,--strict 时不写评分结果);2 用法错误。

    示例:zwgk score              (在考评目录中,读取 returned/ 写到 results/)
          zwgk score 县区/ 部门/a.xlsx --out 结果 --json
          zwgk score --inputs 监测导出.csv
    """
    camp = common.load_campaign(campaign)
    r = common.load_rubric(rubric, camp)
    teams = common.load_teams(r, camp)
    roster, targets = common.roster_files(roster, targets, camp)  # as load_units chooses them, for the round's record
    ros = common.load_units(r, roster, targets, camp)
    if not ros.units:
        common.print_problems(ros.problems, "单位名单的问题")
        common.usage_error("单位名单中没有可用的单位。")
    if inputs is not None and paths and teams is None:
        common.usage_error("--inputs 与评分表路径不能同时使用(设置了检查组的考评才合并二者)。")
    results_dir = out if out is not None else camp.path(camp.results_dir)
    unchanged = f"结果目录 {results_dir} 未改动(仍是上次的评分结果)。"
    reads: list[WorkbookRead] = []
    loose: list[Problem] = []
    with on_interrupt(unchanged):
        # a findings table: alone, or (with 检查组) merged per unit with the returned workbooks
        if inputs is not None:
            if not inputs.is_file():
                common.usage_error(f"填写数据表不存在:{inputs}")
            ctx = Context(r, ros.units, teams)
            reads, loose = read_findings(inputs, ctx, display_name(inputs, camp.root), partial=teams is not None)
        if not paths and (inputs is None or teams is not None):
            if inputs is None:
                common.needs_campaign(camp)
            default = camp.path(camp.returned_dir)
            if not default.is_dir() and inputs is None:
                common.usage_error(f"交回目录不存在:{default}。请给出评分表文件或文件夹,或在考评目录中运行。")
            paths = [default] if default.is_dir() else []
        for p in paths or ():
            if not p.exists():
                common.usage_error(f"路径不存在:{p}")
        found = discover(paths, camp.root, exclude=[results_dir]) if paths else Found()
        workbooks = ((ref.name, ref.path) for ref in found.refs)
        run = rounds.run_inputs(camp, r, roster, targets, findings=inputs, scanned=paths or (), workbooks=workbooks)
        manifest = rounds.manifest(run)
        with _progress(not json_out and common.err_console.is_terminal, len(found.refs)) as progress:
            batch = batch_mod.run(
                r,
                ros.units,
                found.refs,
                jobs=jobs,
                progress=progress,
                skipped=found.skipped,
                reads=reads if inputs is not None else None,
                extra_problems=[*ros.problems, *found.problems, *loose],
                teams=teams,
            )

    with batch:
        blocked = strict and batch.errors > 0
        try:
            with on_interrupt(unchanged):
                written = write_results(
                    batch, results_dir, campaign_fields(camp), scores=not blocked, manifest=manifest
                )
        except OSError as exc:
            common.usage_error(f"无法写入结果目录 {results_dir}:{os_reason(exc, writing=True)}")
        with on_interrupt(f"评分结果已全部写出 → {results_dir}"):
            if json_out:
                write_summary(batch, written, sys.stdout)
            else:
                score_view.show(batch, written, blocked, verbose)
    raise typer.Exit(common.EXIT_PROBLEMS if batch.errors else common.EXIT_OK)
