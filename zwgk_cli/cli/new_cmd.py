"""``zwgk new``: a campaign folder with its settings and roster."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import string
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from zwgk_cli.campaign import CONFIG_NAME
from zwgk_cli.cli import app
from zwgk_cli.cli.common import (
    EXIT_PROBLEMS,
    console,
    load_campaign,
    load_rubric,
    load_units,
    print_problems,
    usage_error,
)
from zwgk_cli.files import atomic_write_bytes
from zwgk_cli.problems import Code, Severity, problem
from zwgk_cli.resources import sample_roster

if TYPE_CHECKING:
    pass


def _say(text: str) -> None:
    """One plain line (no rich markup: names may contain brackets), never wrapped."""
    console.print(text, soft_wrap=True, markup=False, highlight=False)


# ------------------------------------------------------------------ zwgk new

# Sample settings, from the source documents where they say it (see /RUBRICS.md); the notice
# number, dates of the results notice and the return deadline are examples to be replaced.
SAMPLES: Mapping[str, Mapping[str, Any]] = {
    "mianyang-2022": {
        "year": 2022,
        "name": "绵阳市2022年政务公开工作检查考核",
        "office": "绵阳市人民政府办公室",
        "contact": "通过钉钉发送至市政府办公室政务公开科",
        "materials_deadline": "2022-11-25",
        "return_deadline": "2022-12-16",
        "notice_number": "绵府公开〔2023〕1号",
        "notice_date": "2023-01-10",
        "recipients": "各县(市、区)人民政府,科技城管委会,各园区管委会,市级有关部门",
        "rectify_deadline": "2023-02-28",
        "group_order": ["县市区/园区", "市级部门"],
    },
    "jingzhou-2021": {
        "year": 2021,
        "name": "荆州市2021年度政务公开考评",
        "office": "荆州市政务公开领导小组办公室",
        "contact": "ysqgk@jingzhou.gov.cn",
        "materials_deadline": "2022-01-10",
        "return_deadline": "2022-01-25",
        "notice_number": "荆政公开办〔2022〕1号",
        "notice_date": "2022-01-28",
        "recipients": "各县、市、区人民政府,荆州开发区、纪南文旅区、荆州高新区管委会,市政府各部门",
        "rectify_deadline": "2022-03-31",
        "group_order": ["县市区", "功能区", "市直部门"],
    },
}


def _toml(value: Any) -> str:
    """A value as TOML: strings as basic strings (JSON escapes are TOML escapes), lists, ints."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def campaign_toml(settings: Mapping[str, Any], generated_from: str, sample: bool) -> str:
    """``zwgk.toml`` text from the commented template, with ``settings`` filled in."""
    template = resources.files("zwgk_cli").joinpath("campaign_template.toml").read_text(encoding="utf-8")
    defaults: dict[str, Any] = {
        "rubric": "",
        "year": dt.date.today().year,
        "name": "",
        "office": "",
        "contact": "",
        "materials_deadline": "",
        "return_deadline": "",
        "units": "units.csv",
        "targets": "",
        "notice_number": "",
        "notice_date": "",
        "recipients": "",
        "rectify_deadline": "",
        "group_order": [],
    }
    values = {k: _toml(settings.get(k, v)) for k, v in defaults.items()}
    values["generated_from"] = f"(来源:{generated_from})" if generated_from else ""
    values["sample_note"] = "(示例值,正式发文前请修改)" if sample else ""
    return string.Template(template).substitute(values)


def _copy(src: Path, dest_dir: Path, name: str | None = None) -> str:
    dest = dest_dir / (name or src.name)
    if src.resolve() != dest.resolve():
        shutil.copyfile(src, dest)
    return dest.name


@app.command("new")
def new_cmd(
    folder: Annotated[Path, typer.Argument(help="要创建的考评目录。")],
    sample: Annotated[
        str | None, typer.Option("--sample", help="用内置示例创建:mianyang-2022 或 jingzhou-2021。")
    ] = None,
    rubric: Annotated[
        str | None, typer.Option("--rubric", help="评分细则:内置编号、YAML 或 .xlsx 文件。")
    ] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help="单位名单(CSV/XLSX)。")] = None,
    targets: Annotated[Path | None, typer.Option("--targets", help="网站名单(CSV/XLSX),按网站评分的细则需要。")] = None,
    force: Annotated[bool, typer.Option("--force", help="目录中已有 zwgk.toml 时覆盖。")] = False,
) -> None:
    """创建考评目录:zwgk.toml(每项设置都有中文注释)和单位名单。

    示例:zwgk new 2022考评 --sample mianyang-2022

    示例:zwgk new 2025考评 --rubric 我市细则.yaml --roster 单位.csv --targets 网站.csv
    """
    if sample and (rubric or roster):
        usage_error("--sample 与 --rubric/--roster 不能同时使用。")
    if not sample and not (rubric and roster):
        usage_error("请用 --sample 选择内置示例,或同时给出 --rubric 和 --roster。")
    if folder.exists() and not folder.is_dir():
        usage_error(f"{folder} 已存在且不是目录。")
    if (folder / CONFIG_NAME).exists() and not force:
        print_problems([problem(Code.S_CAMPAIGN_EXISTS, file=str(folder / CONFIG_NAME), dir=str(folder))])
        raise typer.Exit(EXIT_PROBLEMS)
    settings: dict[str, Any] = {}
    copies: list[tuple[Path, str | None]] = []
    if sample:
        if sample not in SAMPLES or sample_roster(sample) is None:
            usage_error(f"没有示例“{sample}”(可用:{'、'.join(SAMPLES)})。")
        found = sample_roster(sample)
        assert found is not None
        units_src, targets_src = found
        r = load_rubric(sample)
        settings.update(SAMPLES[sample])
        settings["rubric"] = sample
        copies.append((units_src, "units.csv"))
        settings["units"] = "units.csv"
        if targets_src is not None:
            copies.append((targets_src, "websites.csv"))
            settings["targets"] = "websites.csv"
        origin = f"内置示例 {sample}"
    else:
        assert rubric is not None and roster is not None
        r = load_rubric(rubric)
        if not roster.is_file():
            usage_error(f"名单文件不存在:{roster}")
        if targets is not None and not targets.is_file():
            usage_error(f"网站名单文件不存在:{targets}")
        rubric_path = Path(rubric)
        if rubric_path.is_file():
            copies.append((rubric_path, None))
            settings["rubric"] = rubric_path.name
        else:
            settings["rubric"] = r.id
        copies.append((roster, None))
        settings["units"] = roster.name
        if targets is not None:
            copies.append((targets, None))
            settings["targets"] = targets.name
        settings["year"] = r.year
        settings["group_order"] = list(r.groups)
        origin = f"细则 {r.id}"
    names = [name or src.name for src, name in copies]
    if len(set(names)) != len(names):
        usage_error("细则、单位名单和网站名单的文件名不能相同。")
    folder.mkdir(parents=True, exist_ok=True)
    for src, name in copies:
        _copy(src, folder, name)
    text = campaign_toml(settings, origin, bool(sample))
    atomic_write_bytes(folder / CONFIG_NAME, text.encode("utf-8"))
    camp = load_campaign(folder)
    camp.path(camp.returned_dir).mkdir(parents=True, exist_ok=True)  # where returned workbooks go
    ros = load_units(r, None, None, camp)
    print_problems(ros.problems, "名单检查发现的问题")
    _say(f"已创建考评目录 {folder}:{CONFIG_NAME}、{'、'.join(names)}、{camp.returned_dir}/(存放交回的评分表)")
    _say(f"细则:{r.title}({r.id});名单:{len(ros.units)} 个单位。")
    _say(f"下一步:检查并修改 {folder / CONFIG_NAME} 中的设置,然后在该目录中运行 zwgk init-sheets。")
    if any(p.severity is Severity.ERROR for p in ros.problems):
        raise typer.Exit(EXIT_PROBLEMS)
