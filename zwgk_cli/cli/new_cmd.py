"""``zwgk new``: a campaign folder with its settings and roster (:mod:`zwgk_cli.new_campaign`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.campaign import CONFIG_NAME
from zwgk_cli.cli import app, common
from zwgk_cli.new_campaign import SAMPLES as SAMPLES
from zwgk_cli.new_campaign import NewCampaignError, create
from zwgk_cli.problems import has_errors, os_reason


@app.command("new")
def new_cmd(
    folder: Annotated[Path, typer.Argument(help="要创建的考评目录。")],
    sample: Annotated[
        str | None, typer.Option("--sample", help="用内置示例创建:mianyang-2022 或 jingzhou-2021。")
    ] = None,
    rubric: Annotated[str | None, typer.Option("--rubric", help="评分细则:内置编号、YAML 或 .xlsx 文件。")] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help="单位名单(CSV/XLSX)。")] = None,
    targets: Annotated[Path | None, typer.Option("--targets", help="网站名单(CSV/XLSX),按网站评分的细则需要。")] = None,
    force: Annotated[bool, typer.Option("--force", help="目录中已有 zwgk.toml 时覆盖。")] = False,
) -> None:
    """创建考评目录:zwgk.toml(每项设置都有中文注释)和单位名单。

    示例:zwgk new 2022考评 --sample mianyang-2022

    示例:zwgk new 2025考评 --rubric 我市细则.yaml --roster 单位.csv --targets 网站.csv
    """
    try:
        made = create(folder, sample=sample, rubric=rubric, roster=roster, targets=targets, force=force)
    except NewCampaignError as exc:
        if exc.problems:
            common.print_problems(exc.problems)
            raise typer.Exit(common.EXIT_PROBLEMS) from None
        common.usage_error(exc.message)
    except rubric_mod.RubricError as exc:
        common.problems_error(exc.problems)
    except OSError as exc:  # a folder that cannot be made, a full disk: nothing is left behind
        common.usage_error(f"无法创建考评目录 {folder}:{os_reason(exc, writing=True)}。请换一个有写入权限的位置。")
    camp, r = made.campaign, made.rubric
    ros = common.load_units(r, None, None, camp)
    common.print_problems(ros.problems, "名单检查发现的问题")
    common.say(
        f"已创建考评目录 {folder}:{CONFIG_NAME}、{'、'.join(made.files)}、{camp.returned_dir}/(存放交回的评分表)"
    )
    common.say(f"细则:{r.title}({r.id});名单:{len(ros.units)} 个单位。")
    common.say(f"下一步:检查并修改 {folder / CONFIG_NAME} 中的设置,然后在该目录中运行 zwgk init-sheets。")
    if has_errors(ros.problems):
        raise typer.Exit(common.EXIT_PROBLEMS)
