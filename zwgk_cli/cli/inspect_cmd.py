"""``zwgk inspect``: what a workbook is and how far it is filled."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from zwgk_cli.cli import app, common
from zwgk_cli.problems import Problem, Severity
from zwgk_cli.workbook.inspect import inspect_file


@app.command("inspect")
def inspect_cmd(
    workbooks: Annotated[list[Path], typer.Argument(help="要查看的评分表(可以多个)。")],
    json_out: Annotated[bool, typer.Option("--json", help="以 JSON 输出,含每个填写单元格的位置和当前值。")] = False,
) -> None:
    """查看评分表:属于哪个细则(编号、版本、hash)、哪个单位和网站、每个工作表填了多少。

    --json 输出完整的填写单元格清单(格式见 docs/workbook.md)。不是 zwgk 评分表或文件损坏时退出码为 1。

    示例:zwgk inspect sheets/涪城区.xlsx

    示例:zwgk inspect returned/*.xlsx --json
    """
    reports = [inspect_file(p) for p in workbooks]
    if json_out:
        common.print_json(reports)
    else:
        for rep in reports:
            _print_inspect(rep)
    if any(not rep["ok"] or rep["problems"] for rep in reports):
        raise typer.Exit(common.EXIT_PROBLEMS)


def _problem_of(p: Mapping[str, Any]) -> Problem:
    return Problem(p["code"], Severity(p["severity"]), p["message"], p["hint"], file=p["file"], sheet=p["sheet"])


def _print_inspect(rep: Mapping[str, Any]) -> None:
    if not rep["ok"]:
        common.print_problems([_problem_of(rep["problem"])])
        return
    rb, unit = rep["rubric"], rep["unit"]
    same = "" if rb["bundled_hash"] is None else ",与内置细则一致"
    if rb["bundled_hash"] not in (None, rb["hash"]):
        same = f",与当前内置细则(hash {rb['bundled_hash']})不一致"
    common.console.print(f"[bold]{escape(rep['file'])}[/]", soft_wrap=True)
    common.say(f"  细则:{rb['title']}({rb['id']},版本 {rb['version']},hash {rb['hash']}{same})")
    common.say(f"  单位:{unit['name']}(编号 {unit['id']},分组 {unit['group']});考评年度 {rep['campaign']['year']}")
    if rep["targets"]:
        common.say("  考评对象:" + "、".join(f"{t['name']}({t['id']})" for t in rep["targets"]))
    table = Table(show_header=True, box=None, padding=(0, 2))
    table.add_column("工作表")
    table.add_column("已填", justify="right")
    table.add_column("应填", justify="right")
    for s in rep["sheets"]:
        filled = f"[green]{s['filled']}[/]" if s["filled"] == s["inputs"] else str(s["filled"])
        table.add_row(escape(s["name"]), filled, str(s["inputs"]))
    table.add_row("[bold]合计[/]", f"[bold]{rep['filled']}[/]", f"[bold]{rep['inputs']}[/]")
    common.console.print(table)
    common.print_problems([_problem_of(p) for p in rep["problems"]])
    if rep["moved"]:
        common.console.print(
            f"  [red]有 {rep['moved']} 个填写行的编号与标识不符:行可能被移动、插入或删除过。[/]", soft_wrap=True
        )
