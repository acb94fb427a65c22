"""The notice's tables (:class:`~zwgk_cli.report.docx.Table`: the same text for DOCX, HTML and
Markdown): rankings, vetoes, unfinished units, tiers, statistics, main problems, per-unit lists."""

from __future__ import annotations

from collections.abc import Sequence

from zwgk_cli.report.docx import Table
from zwgk_cli.report.findings import ProblemRow
from zwgk_cli.report.ranking import Entry, GroupRanking, Loss, Ranking, fmt_percent
from zwgk_cli.report.text import join_names, pts, short_title, zh
from zwgk_cli.results.document import STATUS_LABELS
from zwgk_cli.results.model import Column

BLANK_LABEL = "未填写"


def _tier_class(ranking: Ranking, tier: str | None) -> str:
    for i, t in enumerate(ranking.tiers, start=1):
        if t.label == tier:
            return "fail" if t.label == ranking.veto_tier else f"tier-{i}"
    return ""


def _part_cell(e: Entry, c: Column) -> str:
    v = e.points(c.id)
    if c.kind == "penalty":
        return pts(-v) if v else "0"
    return pts(v)


def ranking_table(g: GroupRanking, ranking: Ranking) -> Table:
    """排名 | 单位 | each part | 总分 | 等次, with a second header row of maxima (分值)."""
    headers = ["排名", "单位", *[("其中:" if c.depth else "") + short_title(c.title) for c in g.columns], "总分"]
    maxima = ["", "分值", *[("扣分" if c.kind == "penalty" else pts(c.max, "")) for c in g.columns], pts(g.max, "")]
    if ranking.has_tiers:
        headers.append("等次")
        maxima.append("")
    rows, classes = [], []
    for e in g.ranked:
        # Ties show the shared rank; the note under the table names them (并列第2名).
        row = [str(e.rank), e.unit, *[_part_cell(e, c) for c in g.columns], pts(e.total)]
        if ranking.has_tiers:
            row.append(e.tier or "")
        rows.append(tuple(row))
        classes.append(_tier_class(ranking, e.tier))
    empty = "本组没有参加排名的单位。"
    return Table(tuple(headers), tuple(rows), "cn" + "c" * (len(headers) - 2), tuple(classes), empty, tuple(maxima))


def with_max(header: str, c: Column) -> str:
    """A column header with the part's maximum on its own line: “日常工作\n（30分）”."""
    if c.kind == "penalty":
        return f"{header}\n(扣分)"
    return f"{header}\n({pts(c.max)}分)" if c.max is not None else header


def vetoed_table(ranking: Ranking) -> Table:
    label = ranking.veto_tier if ranking.has_tiers else ranking.veto_label
    rows = tuple(
        (str(i), e.unit, e.group, pts(e.total), label, zh(";".join(e.veto_reasons)))
        for i, e in enumerate(ranking.vetoed, start=1)
    )
    headers = ("序号", "单位", "分组", "得分", "等次" if ranking.has_tiers else "结果", "否决原因")
    return Table(headers, rows, "cnnccl", ("vetoed",) * len(rows))


def status_label(e: Entry) -> str:
    """The unit's scoring status as printed: 已评分, 未交回, 未填写 (a blank workbook), 未完成 …"""
    if e.blank:
        return BLANK_LABEL
    return STATUS_LABELS.get(e.status, e.status)


def pending_table(ranking: Ranking) -> Table:
    """The units that returned a workbook whose scoring is unfinished (those that returned
    nothing are named once, in a sentence: they have nothing more to say)."""
    rows = tuple(
        (str(i), e.unit, e.group, status_label(e), pending_reason(e))
        for i, e in enumerate(returned_pending(ranking), start=1)
    )
    return Table(("序号", "单位", "分组", "状况", "说明"), rows, "cnncl", ("pending",) * len(rows))


def not_returned(ranking: Ranking) -> tuple[Entry, ...]:
    """Units that returned no workbook, roster order."""
    return tuple(e for e in ranking.pending if e.status == "missing")


def returned_pending(ranking: Ranking) -> tuple[Entry, ...]:
    """Units that returned a workbook that could not be scored in full, roster order."""
    return tuple(e for e in ranking.pending if e.status != "missing")


def pending_reason(e: Entry) -> str:
    """What happened to an unfinished unit, said once: 未交回评分表 · 交回的评分表未填写 ·
    3项未填写或填写有误 · 评分表无法使用 …, and what to do when there is something to do."""
    if e.status == "missing":
        return "未交回评分表"
    if e.blank:
        return "交回的评分表未填写,填写后重新计分"
    bits = []
    missing = len(e.result.missing)
    if e.status == "invalid":
        bits.append(f"评分表无法使用(发现{e.result.errors}个错误)" if e.result.errors else "评分表无法使用")
    elif missing:
        bits.append(f"{missing}项未填写或填写有误")
    elif e.result.errors:
        bits.append(f"评分表有{e.result.errors}个错误")
    if e.vetoed:
        bits.append("已触发否决:" + ";".join(e.veto_reasons))
    bits.append("补正后重新计分")
    return zh(";".join(bits))


def tiers_table(ranking: Ranking) -> Table:
    """Units per tier (or 参加排名 / 否决 without tiers) and group; 合格率 only where the
    rubric defines 合格."""
    labels = [label for label, _ in ranking.tier_counts] if ranking.has_tiers else ["参加排名", ranking.veto_label]
    headers = ["分组", "参评单位", *labels]
    if ranking.defines_pass:
        headers.append("合格率")
    headers.append("未完成评分")
    rows = []
    lines: list[tuple[str, GroupRanking | Ranking, int, int]] = [
        (g.group, g, len(g.ranked), len(g.pending)) for g in ranking.groups
    ]
    lines.append(("合计", ranking, sum(len(g.ranked) for g in ranking.groups), len(ranking.pending)))
    for name, x, ranked, pending in lines:
        counts = [n for _, n in x.tier_counts] if ranking.has_tiers else [ranked, x.assessed - ranked]
        row = [name, str(x.assessed), *(str(n) for n in counts)]
        if ranking.defines_pass:
            row.append(fmt_percent(x.pass_rate))
        row.append(str(pending))
        rows.append(tuple(row))
    return Table(tuple(headers), tuple(rows), "l" + "c" * (len(headers) - 1))


def stats_table(g: GroupRanking) -> Table:
    rows = []
    for s in (*g.stats, g.total_stat):
        c = s.column
        title = "总分" if s is g.total_stat else ("其中:" if c.depth else "") + short_title(c.title)
        rows.append(
            (title, pts(c.max) if c.kind != "penalty" else "—", pts(s.mean), pts(s.median), pts(s.max), pts(s.min))
        )
    return Table(("项目", "满分", "平均分", "中位数", "最高分", "最低分"), tuple(rows), "lccccc")


def losses_table(losses: Sequence[Loss]) -> Table:
    """The main problems, most points lost first, with the units affected beside them."""
    rows = tuple(
        (str(i), zh(x.label), pts(x.lost), str(x.count), join_names(x.unit_names))
        for i, x in enumerate(losses, start=1)
    )
    return Table(("序号", "问题(指标)", "累计失分", "涉及单位数", "涉及单位"), rows, "clccl")


def unit_table(rows: Sequence[ProblemRow], e: Entry) -> Table:
    body = tuple((str(r.no), zh(r.where), r.summary, pts(r.lost)) for r in rows)
    if e.scored:
        empty = "未发现失分问题。"
    elif e.status in ("missing", "invalid"):
        empty = "评分表未交回或无法使用,暂无问题清单。"
    else:
        empty = "已读取的部分未发现失分问题;补正评分表后重新列出。"
    return Table(("序号", "指标", "存在问题", "失分"), body, "cllc", empty=empty)
