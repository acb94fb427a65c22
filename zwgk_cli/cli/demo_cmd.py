"""``zwgk demo``: the whole pipeline on the bundled samples, with a short summary."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from zwgk_cli import names
from zwgk_cli.cli import app, common
from zwgk_cli.model import fmt_points
from zwgk_cli.problems import Problem, Severity, os_reason
from zwgk_cli.results.document import STATUS_LABELS

if TYPE_CHECKING:
    from zwgk_cli.demo.run import DemoResult
    from zwgk_cli.report.ranking import Entry

TOP = 3
PROBLEM_ROWS = 8


def _pts(value: Decimal | None) -> str:
    """Points as people write them; "—" when there are none."""
    return "—" if value is None else fmt_points(value)


def _entry(result: DemoResult, unit_id: str) -> Entry | None:
    return next((e for e in result.ranking.entries if e.unit_id == unit_id), None)


def _scenario_lines(result: DemoResult) -> list[str]:
    sc = result.scenario
    lines: list[str] = []
    veto_label = result.ranking.veto_tier if result.ranking.has_tiers else result.ranking.veto_label
    if result.ranking.vetoed:
        vetoed = ";".join(f"{e.unit}({'、'.join(e.veto_reasons)})" for e in result.ranking.vetoed)
        lines.append(f"否决({veto_label}):{vetoed}")
    gate = _entry(result, sc.below_gate) if sc.below_gate else None
    if gate is not None:
        lines.append(f"未进入加分环节:{gate.unit}(网站和新媒体得分未达到加分门槛,总分 {_pts(gate.total)} 分)")
    if sc.tie:
        a, b = (_entry(result, uid) for uid in sc.tie)
        if a is not None and b is not None and a.rank is not None:
            lines.append(f"并列:{a.unit}、{b.unit}(均为 {_pts(a.total)} 分,并列第 {a.rank} 名;其后名次顺延)")
    many = _entry(result, sc.most_targets) if sc.most_targets else None
    if many is not None:
        sites = [t for t in many.result.targets if t.points is not None]
        if sites:
            shown = "、".join(f"{t.name} {_pts(t.points)} 分" for t in sites)
            mean = many.parts.get(sites[0].part)
            lines.append(f"多网站单位:{many.unit}({len(sites)} 个网站:{shown};取平均 {_pts(mean)} 分)")
    lines += [f"评估人员的错误:{m.unit}{m.what}" for m in result.mistakes]
    ap = result.appeal
    if ap is not None:
        lines.append(
            f"申诉复核:{ap.unit}对初评提出异议,{ap.book.name} {ap.sheet} {ap.cell}"
            f"“{ap.label}”由“{ap.old}”更正为“{ap.new}”,"
            f"重新计分为第2轮,总分 {_pts(ap.total_before)} → {_pts(ap.total_after)} 分"
        )
    return lines


def _problems_table(problems: Sequence[Problem]) -> Table:
    errors = [p for p in problems if p.severity is Severity.ERROR]
    table = Table(title=f"zwgk score 发现 {len(errors)} 个错误、{len(problems) - len(errors)} 条提示(节选)")
    for col in ("代码", "单位", "位置", "问题"):
        table.add_column(col, overflow="fold")
    for p in sorted(problems, key=lambda p: p.severity is not Severity.ERROR)[:PROBLEM_ROWS]:
        cell = "!".join(x for x in (p.sheet, p.cell) if x)
        where = " ".join(x for x in (Path(p.file).name, cell) if x)
        style = "red" if p.severity is Severity.ERROR else "yellow"
        table.add_row(Text(p.code, style=style), Text(p.unit), Text(where), Text(p.message))
    return table


def _ranking_table(result: DemoResult) -> Table:
    r = result.ranking
    table = Table(title=f"各组前 {TOP} 名")
    for col in ("分组", "排名", "单位", "总分", "等次")[: 5 if r.has_tiers else 4]:
        table.add_column(col)
    for g in r.groups:
        for i, e in enumerate(x for x in g.ranked if x.rank is not None and x.rank <= TOP):
            row = [g.group if i == 0 else "", e.rank_text, e.unit, _pts(e.total), e.tier or ""]
            table.add_row(*row[: 5 if r.has_tiers else 4])
    return table


def _outputs(result: DemoResult) -> list[str]:
    folder, files = result.folder, result.report.files
    report_dir = next((f.parent for f in files if f.name.startswith(names.NOTICE_NAME)), folder / "report")
    lines = [common.shown_path(f) for f in files if f.parent.name != names.RECTIFY_DIR]
    rectify = [f for f in files if f.parent.name == names.RECTIFY_DIR]
    if rectify:
        units = len({f.stem for f in rectify})
        lines.append(f"{common.shown_path(report_dir / names.RECTIFY_DIR)}/ (整改清单:{units}个单位,各有.xlsx与.html)")
    results_dir = folder / "results"
    lines += [common.shown_path(p) for p in sorted(results_dir.glob("*")) if p.is_file() and p != result.review]
    rounds = sorted(p.name for p in (results_dir / "rounds").glob("*") if p.is_dir())
    if rounds:
        said = "初评" if len(rounds) == 1 else f"01 初评、{rounds[-1]} 复核后;通报按第{int(rounds[-1])}轮"
        lines.append(f"{common.shown_path(results_dir / 'rounds')}/ (每次评分存为一轮:{said})")
    if result.review is not None:
        lines.append(f"{common.shown_path(result.review)} (zwgk diff 写出的复核记录:两轮之间改了什么、得分怎样变化)")
    teams = f",按检查组分目录:{'、'.join(result.teams)}" if result.teams else ""
    lines.append(f"{common.shown_path(folder / 'sheets')}/ (init-sheets生成的空白评分表{teams})")
    lines.append(f"{common.shown_path(folder / 'returned')}/ (模拟填写后交回的评分表)")
    return lines


def print_summary(result: DemoResult) -> None:
    r = result.ranking
    common.console.rule(Text(result.sample, style="bold") + Text(f":{common.shown_path(result.folder)}"))
    status = "、".join(f"{STATUS_LABELS.get(k, k)} {n}" for k, n in result.counts.items() if n)
    common.console.print(f"共 {r.units} 个单位;{status}。")
    if result.teams:
        common.console.print(f"检查组:{'、'.join(result.teams)}(每个单位每组一份评分表,计分时合并)。", markup=False)
    common.console.print("[bold]模拟的情形[/]")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for line in _scenario_lines(result):
        grid.add_row("  ·", line)
    common.console.print(grid)
    common.console.print(_problems_table(result.problems))
    common.console.print("(计分发现错误时退出码为1;有错误的单位列为“评分未完成”,不参加排名——这正是演示要展示的。)")
    common.console.print(_ranking_table(result))
    if r.has_tiers:
        tiers = "等次:" + "、".join(f"{label}{n}家" for label, n in r.tier_counts if n)
    elif r.defines_pass:
        tiers = f"合格{r.passed}家、{r.veto_label}{len(r.vetoed)}家"
    else:  # the rubric defines no 合格 (荆州): say what happened, not a verdict it does not give
        tiers = f"参加排名{r.assessed - len(r.vetoed)}家、{r.veto_label}{len(r.vetoed)}家"
    rate = "" if r.pass_rate is None else f";合格率{fmt_points(r.pass_rate)}%"
    pending = f";评分未完成{len(r.pending)}家(另行列出)" if r.pending else ""
    common.console.print(f"{tiers}{rate}{pending}。")
    if r.losses:
        common.console.print(
            "失分最多的项:" + ";".join(f"{x.label}(失{fmt_points(x.lost)}分,{x.count}家)" for x in r.losses[:3]) + "。",
            markup=False,
        )
    for p in result.report.problems:
        if p.code == "P003":
            common.console.print(Text(p.message, style="yellow") + Text(f":{p.hint}"))
    common.console.print("[bold]生成的文件[/]")
    for line in _outputs(result):
        common.console.print(f"  {line}", markup=False)


@app.command("demo")
def demo_cmd(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="演示目录。默认 demo/:两个示例分别放在 demo/mianyang-2022 与 demo/jingzhou-2021;"
            "用 --sample 时为该示例的目录(默认 demo/<示例>)。",
        ),
    ] = None,
    sample: Annotated[
        str | None, typer.Option("--sample", help="只演示一个示例:mianyang-2022 或 jingzhou-2021。")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="模拟填写的随机种子;同一种子结果相同。")] = names.DEFAULT_SEED,
    formats: Annotated[str, typer.Option("--formats", "-f", help="通报的输出格式(同 zwgk report)。")] = ",".join(
        names.FORMATS
    ),
) -> None:
    """一条命令看完整个流程:建考评目录、生成评分表、模拟填写、计分、排名并生成通报。

    模拟填写是确定的(同一种子结果相同),安排了否决、未进入加分环节、并列和多网站单位。

    还有三种常见的填写错误:数字单元格填了文字、漏填必填项、同一单位交回两份评分表。

    绵阳示例由两个检查组分头评分;初评后一个单位申诉,更正评分表后重新计分(第2轮),并写出复核记录。

    zwgk score 会把它们一一找出来;计分发现问题时演示仍以 0 退出。

    演示目录中有标记文件 .zwgk-demo,再次运行时整个重建;不是演示创建的非空目录不会被使用。

    示例:zwgk demo

    示例:zwgk demo --sample jingzhou-2021 演示/荆州
    """
    try:
        wanted = names.parse_formats(formats)
    except ValueError as exc:
        common.usage_error(str(exc))
    if sample is not None and sample not in names.SAMPLES:
        common.usage_error(f"没有示例“{sample}”(可用:{'、'.join(names.SAMPLES)})。")
    base = folder or Path("demo")
    chosen = [sample] if sample is not None else list(names.SAMPLES)
    runs = [(s, folder if folder is not None and sample is not None else base / s) for s in chosen]

    def echo(step: str) -> None:
        common.err_console.print(Text(f"→ {step}", style="dim"))

    from zwgk_cli.demo import run as demo_mod  # imported when used: it brings the report machinery

    for name, target in runs:
        try:
            result = demo_mod.run_sample(name, target, seed=seed, formats=wanted, echo=echo)
        except demo_mod.DemoError as exc:
            common.usage_error(f" {exc}")
        except OSError as exc:
            common.usage_error(f"无法写入演示目录 {target}:{os_reason(exc, writing=True)}。请换一个有写入权限的位置。")
        print_summary(result)
    raise typer.Exit(common.EXIT_OK)
