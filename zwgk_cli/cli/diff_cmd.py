"""``zwgk diff``: two rounds of ``zwgk score`` side by side, unit by unit, and 复核记录.xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from zwgk_cli.cli import app, common, on_interrupt
from zwgk_cli.problems import os_reason
from zwgk_cli.results import rounds

if TYPE_CHECKING:  # imported when the command runs: the other commands do not load them
    from zwgk_cli.results.diff import ResultChange, RoundDiff


@app.command("diff")
def diff_cmd(
    first: Annotated[int | None, typer.Argument(help="较早的一轮(轮次号);默认为倒数第二轮。", min=1)] = None,
    second: Annotated[int | None, typer.Argument(help="较晚的一轮;默认为最后一轮。", min=1)] = None,
    results: Annotated[Path | None, typer.Option("--results", help="结果目录;默认为考评目录的 results/。")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="复核记录文件;默认为结果目录中的 复核记录.xlsx。")
    ] = None,
    campaign: common.CampaignOpt = None,
) -> None:
    """比较两轮评分结果:逐单位列出改动的填写内容(原值 → 新值,含文件、工作表、单元格)
    和各部分得分、总分、名次、等次、否决的变化,并写出 复核记录.xlsx。

    每次 zwgk score 的结果都存为一轮(results/rounds/01、02……);单位申诉复核后重新评分,
    即可用本命令核对两轮之间改了什么。

    示例:zwgk diff          (最后两轮)
          zwgk diff 1 3      (第1轮与第3轮)
    """
    from zwgk_cli.report.ranking import round_diff
    from zwgk_cli.results.review import REVIEW_NAME, write_review

    camp = common.load_campaign(campaign)
    results_dir = results if results is not None else camp.path(camp.results_dir)
    try:
        d = round_diff(results_dir, first, second)
    except rounds.RoundError as exc:
        common.usage_error(f"{exc}。")
    target = out if out is not None else results_dir / REVIEW_NAME
    try:
        with on_interrupt(f"{target} 未改动。"):
            write_review(d, target)
    except OSError as exc:
        common.usage_error(f"无法写入 {target}:{os_reason(exc, writing=True)}")
    for line in summary_lines(d):
        common.say(line)
    common.say(f"复核记录已写出 → {target}")
    raise typer.Exit(common.EXIT_OK)


def _standing_changes(r: ResultChange) -> list[str]:
    from zwgk_cli.results.diff import points_text

    a, b = r.old, r.new
    if a is None or b is None:
        which = "本轮名单中没有该单位" if b is None else "上一轮名单中没有该单位"
        shown = b or a
        assert shown is not None
        return [f"{which};{shown.status},总分 {points_text(shown.total)}"]
    out = []
    if a.status != b.status:
        out.append(f"状态 {a.status} → {b.status}")
    if a.total != b.total:
        delta = r.delta
        sign = "" if delta is None else f"({'+' if delta > 0 else ''}{points_text(delta)})"
        out.append(f"总分 {points_text(a.total)} → {points_text(b.total)}{sign}")
    out.extend(
        f"{label} {x or '—'} → {y or '—'}"
        for label, x, y in (("名次", a.rank, b.rank), ("等次", a.tier, b.tier))
        if x != y
    )
    if a.veto_text != b.veto_text:
        out.append(f"否决 {a.veto_text} → {b.veto_text}")
    out.extend(f"{title} {points_text(x)} → {points_text(y)}" for title, x, y in r.parts)
    return out


def summary_lines(d: RoundDiff) -> list[str]:
    """The diff printed compactly: the inputs that changed, then unit by unit."""
    lines = [f"第{d.old}轮 → 第{d.new}轮"]
    if d.files:
        lines.append("输入文件的变化:" + ";".join(c.text for c in d.files))
    for uid in d.units:
        inputs = [c for c in d.inputs if c.unit_id == uid]
        results = [r for r in d.results if r.unit_id == uid]
        name = inputs[0].unit if inputs else results[0].unit if results else uid
        lines.append(f"{name}({uid})")
        for c in inputs:
            where = " ".join(x for x in (c.file, c.sheet, c.cell) if x)
            what = " ".join(x for x in (c.target, c.indicator, f"“{c.label}”") if x)
            lines.append(f"  填写 {what}:{c.old} → {c.new}  [{where}]")
        for r in results:
            lines.append("  结果 " + ";".join(_standing_changes(r)))
    if not d.inputs and not d.results:
        lines.append("两轮之间没有单位的填写内容或评分结果变化。")
    else:
        lines.append(f"共 {len(d.inputs)} 处填写内容有变化,{len(d.results)} 个单位的评分结果有变化。")
    return lines
