"""``zwgk status``: where the campaign stands, in one screen."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from zwgk_cli.cli import app, common, on_interrupt
from zwgk_cli.model import Rubric, Unit
from zwgk_cli.problems import Severity
from zwgk_cli.scoring import status as st
from zwgk_cli.scoring.discover import Found, discover
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook.issue import issued_workbooks
from zwgk_cli.workbook.teams import Teams, team_jobs

NAMES_SHOWN = 30  # units named on one line; --json lists them all


@app.command("status")
def status_cmd(
    jobs: common.JobsOpt = 0,
    json_out: common.JsonOpt = False,
    rubric: common.RubricOpt = None,
    roster: common.RosterOpt = None,
    targets: common.TargetsOpt = None,
    campaign: common.CampaignOpt = None,
) -> None:
    """考评进度:各分组已发放、已交回、已完成、未完成、无法使用和未交回的评分表数,以及还缺哪些单位。

    设置了检查组([[teams]])时,按检查组和分组分别统计各检查组的评分表。

    交回的评分表按 zwgk score 的方式读取和校验(不写任何文件):“已完成”即必填项全部填写且没有错误,
    “未完成”给出未填写的必填项数,“无法使用”给出错误数(文件损坏、不是本次细则的评分表、同一单位交回多份)。
    坏文件不影响其他单位。详细问题请运行 zwgk score 查看。

    示例:zwgk status

    示例:zwgk status --json
    """
    camp = common.load_campaign(campaign)
    r = common.load_rubric(rubric, camp)
    ros = common.load_units(r, roster, targets, camp)
    teams = common.load_teams(r, camp)
    sheets_dir = camp.path(camp.sheets_dir or "sheets")
    returned_dir = camp.path(camp.returned_dir)
    if teams is None:
        names = {(uid, ""): name for uid, name in L.workbook_filenames(ros.units).items()}
        folders = [sheets_dir]
    else:  # 检查组: one workbook per unit per team, in a folder per team
        jobs_t = team_jobs(r, teams, ros.units, ros.units, sheets_dir)
        names = {(j.unit.id, j.team): j.path.name for j in jobs_t}
        folders = list(dict.fromkeys([sheets_dir, *(j.path.parent for j in jobs_t)]))
    with on_interrupt("status 只读取,没有写任何文件。"):
        issued = [i for folder in folders for i in issued_workbooks(folder)]
        found = (
            discover([returned_dir], camp.root, exclude=[camp.path(camp.results_dir)])
            if returned_dir.is_dir()
            else Found()
        )
        files = st.read_returned(r, ros.units, found.refs, jobs, teams)
    status = st.collect(r, ros.units, issued, files, names, _teams_of(r, teams), found.skipped)
    roster_errors = sum(1 for p in ros.problems if p.severity is Severity.ERROR)
    if json_out:
        common.print_json(_json(status, roster_errors))
    else:
        _print(status, camp.name or r.title, roster_errors)


def _teams_of(r: Rubric, teams: Teams | None) -> Callable[[Unit], Sequence[str]] | None:
    """The teams that owe a workbook of a unit (those checking something of its variant)."""
    if teams is None:
        return None

    def owed(u: Unit) -> Sequence[str]:
        variant = r.variant_for_group(u.group)
        return teams.of_variant(variant) if variant is not None else []

    return owed


def _line_name(key: tuple[str, str]) -> str:
    team, group = key
    return f"{team} · {group}" if team else group


def _print(status: st.Status, title: str, roster_errors: int) -> None:
    rows = status.rows()
    total = status.total()
    teams = list(dict.fromkeys(t.team for t in rows if t.team))
    table = Table(
        title=f"{title}:评分表进度",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        collapse_padding=True,
        pad_edge=False,
    )
    table.add_column("检查组 / 分组" if teams else "分组", no_wrap=True)
    for head in ("单位", "已发放", "已交回", "已完成", "未完成", "未填项", "无法使用", "未交回"):
        table.add_column(head, justify="right", no_wrap=True)
    lines: list[tuple[st.Tally, str, bool]] = []  # (counts, label, bold)
    if teams:  # each 检查组's own total, its groups below it
        for team in teams:
            lines.append((status.total(team), team, True))
            lines.extend((t, f"  {t.group}", False) for t in rows if t.team == team)
    else:
        lines = [(t, t.group, False) for t in rows]
    lines.append((total, "合计", True))
    for n, (t, label, bold) in enumerate(lines):
        cells = [t.units, t.issued, t.returned, t.complete, t.incomplete, t.unfilled, t.unusable, t.missing]
        table.add_row(
            Text(label), *(str(x) for x in cells), end_section=n == len(lines) - 2, style="bold" if bold else None
        )
    common.console.print(table)
    for state, word in ((st.MISSING, "缺"), (st.INCOMPLETE, "未完成"), (st.UNUSABLE, "无法使用")):
        for key, units in status.by_line(state):
            said = [s.unit.name + _detail(s) for s in units]
            common.say(f"{_line_name(key)} {word} {len(units)}:{common.listed(said, NAMES_SHOWN)}")
    if status.others:
        said = [f"{f.file}({f.first.code} {f.first.message})" if f.first else f.file for f in status.others]
        common.say(
            f"交回目录中另有 {len(status.others)} 个文件不属于名单中的任何单位:{common.listed(said, NAMES_SHOWN)}"
        )
    if status.not_in_roster:
        said = [f"{i.path.name}({i.who.unit_name or i.who.unit_id})" for i in status.not_in_roster]
        common.say(f"评分表目录中有 {len(said)} 份评分表所属的单位不在名单中:{common.listed(said, NAMES_SHOWN)}")
    common.say(
        f"合计:应交 {total.units} 份,已发放 {total.issued} 份;已交回 {total.returned} 份"
        f"(已完成 {total.complete}、未完成 {total.incomplete}、无法使用 {total.unusable});"
        f"未交回 {total.missing} 份。"
    )
    if any(s.by_name for s in status.units):
        common.say("无法读取的文件按文件名对应到单位;zwgk score 把这些单位算作未交回,直到换成能读取的评分表。")
    if roster_errors:
        common.say(f"单位名单有 {roster_errors} 个错误,运行 zwgk init-sheets 或 zwgk score 查看。")
    if total.incomplete or total.unusable or status.others:
        common.say("每个问题的文件、工作表、单元格和改法:运行 zwgk score 查看。")


def _detail(s: st.UnitState) -> str:
    """What is wrong with a unit's workbook, after its name (nothing for one not returned)."""
    if s.state == st.INCOMPLETE:
        bits = ([f"未填 {s.unfilled} 项"] if s.unfilled else []) + ([f"错误 {s.errors} 处"] if s.errors else [])
        return f"({'、'.join(bits)})"
    if s.state == st.UNUSABLE:
        return f"({'、'.join(s.files)}:{s.reason}" + (f";共 {s.errors} 处错误" if s.errors > 1 else "") + ")"
    return ""


def _json(status: st.Status, roster_errors: int) -> dict[str, Any]:
    return {
        "total": {k: v for k, v in asdict(status.total()).items() if k not in ("team", "group")},
        "groups": [asdict(t) for t in status.rows()],
        "units": [
            {
                "unit_id": s.unit.id,
                "unit": s.unit.name,
                "group": s.unit.group,
                "team": s.team,
                "issued": s.issued,
                "state": s.state,
                "files": list(s.files),
                "unfilled": s.unfilled,
                "errors": s.errors,
                "reason": s.reason,
                "by_file_name": s.by_name,
            }
            for s in status.units
        ],
        "other_files": [
            {"file": f.file, "problem": f.first.to_dict() if f.first is not None else None} for f in status.others
        ],
        "not_in_roster": [
            {"file": i.path.name, "unit_id": i.who.unit_id, "unit": i.who.unit_name} for i in status.not_in_roster
        ],
        "skipped_lock_files": status.skipped,
        "roster_errors": roster_errors,
    }
