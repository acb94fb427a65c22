"""What every command shares: consoles, exit codes, loading the campaign, rubric and roster,
printing problems."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from zwgk_cli import campaign as campaign_mod
from zwgk_cli import rubric as rubric_mod
from zwgk_cli.model import Rubric
from zwgk_cli.new_campaign import checked_roster
from zwgk_cli.problems import SEVERITY_LABELS, Code, Problem, Severity, problem, sort_key
from zwgk_cli.resources import sample_roster
from zwgk_cli.roster import Roster
from zwgk_cli.workbook.teams import Teams, resolve_teams

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
CONFIG_PROBLEMS = "考评设置(zwgk.toml)的问题"

# The command being run (``["rubric", "check"]``), set by :func:`zwgk_cli.cli.invoke` (and by
# the root callback when the app is run another way); the advice of a problem names it.
COMMAND: list[str] = []

# Options several commands share (the others say something of their own in --help)
CampaignOpt = Annotated[Path | None, typer.Option("--campaign", "-C", help="考评目录(含 zwgk.toml),默认自动查找。")]
JsonOpt = Annotated[bool, typer.Option("--json", help="以 JSON 输出(供程序读取)。")]
RubricOpt = Annotated[str | None, typer.Option("--rubric", help="细则编号或 YAML 文件;默认用考评目录的设置。")]
RosterOpt = Annotated[Path | None, typer.Option("--roster", help="单位名单(CSV/XLSX);默认用考评目录的设置。")]
TargetsOpt = Annotated[Path | None, typer.Option("--targets", help="网站名单(CSV/XLSX)。")]
JobsOpt = Annotated[int, typer.Option("--jobs", "-j", min=0, help="并行读取的进程数;0 表示自动(CPU核数)。")]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def say(text: str) -> None:
    """One plain line (no rich markup: names may contain brackets), never wrapped."""
    console.print(text, soft_wrap=True, markup=False, highlight=False)


def listed(names: Sequence[str], limit: int) -> str:
    """``names`` joined with 、, the first ``limit`` of them and how many there are in all."""
    return "、".join(names[:limit]) + (f" 等 {len(names)} 个" if len(names) > limit else "")


def shown_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def usage_error(message: str) -> NoReturn:
    err_console.print(Text("错误:", style="bold red") + Text(message), soft_wrap=True)
    raise typer.Exit(EXIT_USAGE)


def problems_error(problems: Sequence[Problem], title: str = "发现的问题") -> NoReturn:
    """Problems that stop the command before it does anything: listed, exit 2."""
    print_problems(problems, title)
    raise typer.Exit(EXIT_USAGE)


# How each command is given directly what it would take from a campaign folder.
_WITHOUT_CAMPAIGN = {
    "score": "或直接给出细则、单位名单和评分表:zwgk score 评分表目录 --rubric 细则 --roster 单位名单.csv",
    "init-sheets": "或直接给出细则和单位名单:zwgk init-sheets --rubric 细则 --roster 单位名单.csv",
    "report": "或直接给出评分结果文件:zwgk report 结果目录/scores.json",
    "rubric": "或直接给出细则:{command} mianyang-2022(内置编号、YAML 或 .xlsx 文件)",
}


def needs_campaign(camp: campaign_mod.Campaign | None) -> None:
    """Outside a campaign folder, what the command would take from ``zwgk.toml`` cannot be
    found: say how to find one, and how to give it directly (C011, exit 2)."""
    if camp is None or camp.found:
        return
    command = " ".join(["zwgk", *COMMAND]) if COMMAND else "zwgk 命令"
    alt = _WITHOUT_CAMPAIGN.get(COMMAND[0] if COMMAND else "", "").format(command=command)
    found = problem(Code.C_NO_CAMPAIGN, file=str(Path.cwd()), command=command, alt=f";{alt}" if alt else "")
    problems_error([found], "找不到考评目录")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def load_campaign(path: Path | None) -> campaign_mod.Campaign:
    """The campaign's settings; any problem in ``zwgk.toml`` → every one listed, exit 2."""
    try:
        return campaign_mod.load(path)
    except campaign_mod.CampaignError as exc:
        problems_error(exc.problems, CONFIG_PROBLEMS)


def load_teams(rubric: Rubric, camp: campaign_mod.Campaign) -> Teams | None:
    """The campaign's 检查组 against the rubric (``None`` without any); problems → exit 2."""
    teams, problems = resolve_teams(rubric, camp.teams, str(camp.root / campaign_mod.CONFIG_NAME))
    if problems:
        problems_error(problems, "考评设置(zwgk.toml)中检查组的问题")
    return teams


def rubric_ref(ref: str | None, camp: campaign_mod.Campaign | None) -> str:
    """The rubric as given, else the campaign's (a file relative to the campaign folder, or an id)."""
    if not ref and camp is not None and camp.rubric:
        p = camp.path(camp.rubric)
        ref = str(p) if p.suffix.lower() in (".yaml", ".yml", ".xlsx") else camp.rubric
    if not ref:
        needs_campaign(camp)
        how = (
            "给出细则编号、YAML 文件或细则工作簿" if COMMAND[:1] == ["rubric"] else "用 --rubric 给出细则编号或细则文件"
        )
        usage_error(f"未指定评分细则:{how},或在考评目录(含 zwgk.toml)中运行。")
    return ref


def load_rubric(ref: str | None, camp: campaign_mod.Campaign | None = None) -> Rubric:
    """A rubric by id or path; defaults to the campaign's. Schema errors → exit 2, located."""
    try:
        rubric = rubric_mod.load(rubric_ref(ref, camp))
    except rubric_mod.RubricError as exc:
        problems_error(exc.problems)
    if camp is not None and camp.group_map:
        unknown = [theirs for _, theirs in camp.group_map if theirs not in rubric.groups]
        if unknown:
            usage_error(
                f"zwgk.toml 的 group_map 把分组对应到“{'、'.join(unknown)}”,但评分细则“{rubric.title}”没有这个分组"
                f"(细则的分组:{'、'.join(rubric.groups) or '无'})。改正 group_map 右边的分组名称。"
            )
        rubric = rubric_mod.map_groups(rubric, dict(camp.group_map))
    return rubric


def load_units(
    rubric: Rubric,
    roster: Path | None,
    targets: Path | None,
    camp: campaign_mod.Campaign | None,
    use_sample: bool = False,
) -> Roster:
    """The roster from flags, the campaign, or (``use_sample``) the rubric's bundled sample."""
    roster, targets = roster_files(roster, targets, camp)
    if roster is None and use_sample:
        sample = sample_roster(rubric.id)
        if sample is not None:
            roster, targets = sample
    if roster is None:
        needs_campaign(camp)
        usage_error("未指定单位名单:用 --roster 给出名单文件,或在考评目录(含 zwgk.toml)中运行。")
    if not roster.exists():
        usage_error(f"名单文件不存在:{roster}。请检查 --roster 给出的路径。")
    if targets is not None and not targets.exists():
        usage_error(f"网站名单文件不存在:{targets}。请检查 --targets 给出的路径。")
    r = checked_roster(rubric, roster, targets)
    if camp is not None:  # outputs name the campaign's files as the office sees them, not by a machine path
        r.problems[:] = [_relative(p, camp.root) for p in r.problems]
    return r


def roster_files(
    roster: Path | None, targets: Path | None, camp: campaign_mod.Campaign | None
) -> tuple[Path | None, Path | None]:
    """The roster and targets files from the flags, else those named in ``zwgk.toml``."""
    if roster is None and camp is not None and camp.units:
        roster = _campaign_file(camp, "units")
        if targets is None and camp.targets:
            targets = _campaign_file(camp, "targets")
    return roster, targets


def _relative(p: Problem, root: Path) -> Problem:
    path = Path(p.file)
    if not p.file or not path.is_absolute() or not path.is_relative_to(root):  # outside the campaign: as given
        return p
    return dataclasses.replace(p, file=path.relative_to(root).as_posix())


def _campaign_file(camp: campaign_mod.Campaign, key: str) -> Path:
    """A roster file named in ``zwgk.toml``; a missing one → a problem located to its key, exit 2.
    (What is there but cannot be read is a roster problem: see :func:`load_roster`.)"""
    rel = str(getattr(camp, key))
    path = camp.path(rel)
    if not path.exists():
        detail = "文件不存在" if path.parent.is_dir() else "所在的文件夹不存在"
        meaning = campaign_mod.SETTINGS[key].meaning
        config = str(camp.root / campaign_mod.CONFIG_NAME)
        found = problem(Code.C_PATH, file=config, path=key, key=key, meaning=meaning, value=rel, detail=detail)
        problems_error([found], CONFIG_PROBLEMS)
    return path


def problems_table(problems: Sequence[Problem], title: str = "发现的问题") -> Table:
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("级别", no_wrap=True)
    table.add_column("代码", no_wrap=True)
    # Chinese text has no spaces to wrap at: fold it onto more lines rather than cut it short
    for col in ("位置", "问题", "怎么办"):
        table.add_column(col, overflow="fold")
    for p in sorted(problems, key=sort_key):
        # Text from workbooks and rosters is never read as rich markup: ``[/]`` would crash the
        # table and ``[link=…]`` would become a clickable link.
        table.add_row(severity_text(p.severity), *(Text(x) for x in (p.code, _where(p), p.message, p.hint)))
    return table


def severity_text(severity: Severity) -> Text:
    """错误 in red, 提示 in yellow."""
    return Text(SEVERITY_LABELS[severity], style="red" if severity is Severity.ERROR else "yellow")


def _where(p: Problem) -> str:
    """Where a problem is, and which 检查组's workbook (or part) it concerns, when it says."""
    where = p.where or p.unit
    return f"{where}({p.team})" if p.team else where


def problem_line(p: Problem) -> str:
    """One problem as one plain line: severity, code, where, what, what to do."""
    return f"{SEVERITY_LABELS[p.severity]} {p.code} {_where(p)}:{p.message} —— {p.hint}"


def print_problems(problems: Sequence[Problem], title: str = "发现的问题") -> None:
    """A table on a terminal; one plain line per problem when piped (logs, CI, scripts)."""
    if not problems:
        return
    if err_console.is_terminal:
        err_console.print(problems_table(problems, title))
        return
    for p in sorted(problems, key=sort_key):
        err_console.print(problem_line(p), soft_wrap=True, markup=False)
