"""The cover sheet (封面): who is assessed under which rubric, the campaign's dates and contact,
the instructions, and the two cells the assessor fills (name and date)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from zwgk_cli.model import fmt_points
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook.blueprint import PAGE_FOOTER, CampaignInfo, PlanContext, SheetPlan, header_text
from zwgk_cli.workbook.styles import FONT
from zwgk_cli.workbook.teams import TeamSheet

NAMES = {"validate": "length", "criteria": "between", "minimum": 1, "maximum": 100}
DATES = {"validate": "date", "criteria": ">=", "value": dt.date(2000, 1, 1)}
# the cells the assessor fills: label, style, what the cell accepts, its prompt, its error message
ASSESSOR_CELLS: tuple[tuple[str, str, dict[str, Any], str, str], ...] = (
    ("评估人员", "input_text", NAMES, "填写评估人员姓名(多人用顿号分隔)。", "评估人员姓名不超过100字。"),
    ("评估日期", "input_date", DATES, "填写日期,如 2022-12-01。", "请填写日期,如 2022-12-01。"),
)


def _instructions(camp: CampaignInfo, team: TeamSheet | None) -> list[str]:
    lines = [
        "只在浅黄色单元格中填写:各评分表的“填写”列和“扣分说明/佐证材料”列,以及本页的评估人员和评估日期。",
        "按单元格提示填写:个数填不小于0的整数,没有发现问题请填 0;“是/否”和选项从下拉列表中选择;"
        "百分比填 0—100 的数值;赋分按提示的档次填写。",
        "留空表示尚未评分(不是0分)。全部填完后,“汇总”页的填写进度应为 100%。",
        "灰色“不适用”的细则不适用于本单位,无需填写,按细则规定计分。",
        "得分、小计、合计、否决项、总分和等次均由公式自动计算,请勿改动;不要插入或删除行列、"
        "不要改动工作表的名称和顺序、不要删除隐藏的工作表,否则评分表无法读回。",
        "每个填写行最右侧的“编号”用于读回时核对,请勿改动。",
    ]
    if team is not None:
        lines.append(
            f"本表只含{team.name}负责评分的部分({team.parts});其余部分由其他检查组的评分表评分,"
            "zwgk score 读回后按单位合并计分。同一填写项不要在两份评分表中填写不同的值。"
        )
    if camp.materials_deadline:
        lines.append(f"佐证材料截止时间:{camp.materials_deadline};逾期未提供的,按细则视为无相关工作内容。")
    # The contact setting says how to send (报送方式: a mailbox, 钉钉…); the line reads right
    # whatever it says, never "发送至 通过钉钉发送至…".
    send = "填写完成后,保存为原文件名(.xlsx 格式)"
    send += f",于 {camp.return_deadline} 前报送" if camp.return_deadline else ",按时报送"
    contact = re.sub(r"[。.;;]+$", "", camp.contact.strip())
    send += f"。报送方式:{contact}" if contact else ",按考评办公室要求报送"
    lines.append(send + "。")
    return [f"{k}. {line}" for k, line in enumerate(lines, start=1)]


def plan_cover(ctx: PlanContext, sh: SheetPlan, camp: CampaignInfo, sheet_names: Sequence[str]) -> tuple[str, str]:
    """The cover sheet; returns the cells of the assessor's name and the date."""
    rubric, variant, unit, team = ctx.rubric, ctx.variant, ctx.unit, ctx.team
    sh.widths = [18, 72]
    heading = camp.name or f"{ctx.year}年度政务公开考评"
    sh.merge(0, 0, 0, 1, f"{heading}评分表{ctx.of_team}", "title")
    sh.heights[0] = 34
    facts: list[tuple[str, str]] = [
        ("被考评单位", unit.name),
        ("单位编号", unit.id),
        ("分组", unit.group),
        ("评分细则", f"{rubric.title}(版本 {rubric.version})"),
    ]
    if len(rubric.variants) > 1:
        facts.append(("适用细则", f"{variant.title}({'、'.join(variant.groups)})"))
    facts.append(("考评年度", ctx.year))
    if team is not None:
        facts += [("检查组", team.name), ("本表评分部分", f"{team.parts}(本表满分 {fmt_points(variant.max)} 分)")]
        others = team.others and team.others + ";合并计分"
        facts += [(k, v) for k, v in (("其他部分", others), ("合并时判定", team.gates)) if v]
    else:
        facts.append(("满分", f"{fmt_points(variant.max)}分"))
    if unit.targets:
        facts.append(("考评对象", "\n".join(t.name + (f"({t.url})" if t.url else "") for t in unit.targets)))
    campaign = {"组织单位": camp.office, "佐证材料截止": camp.materials_deadline}
    campaign |= {"评分表报送截止": camp.return_deadline, "报送方式": camp.contact}
    facts += [(k, v) for k, v in campaign.items() if v]
    for r, (k, v) in enumerate(facts, start=2):
        sh.put(r, 0, k, "cover_key")
        sh.put(r, 1, v, "cover_val")
    r = 2 + len(facts)
    for label, style, accepts, prompt, error in ASSESSOR_CELLS:
        sh.put(r, 0, label, "cover_key")
        sh.put(r, 1, None, style)
        prompts = {"input_title": label, "input_message": prompt, "error_title": "填写内容不符合要求"}
        sh.validations.append((r, 1, {**accepts, **prompts, "error_message": error, "ignore_blank": True}))
        sh.heights[r] = 24
        r += 1
    r += 1
    sh.merge(r, 0, r, 1, "填表说明", "cover_head")
    sh.heights[r] = 24
    lines = _instructions(camp, team)
    for row, line in enumerate(lines, start=r + 1):
        sh.merge(row, 0, row, 1, line, "cover_text")
    r += len(lines) + 2
    sh.merge(r, 0, r, 1, "本评分表包括:" + "、".join(sheet_names) + "。", "cover_text")
    sh.print_area = (0, 0, r, 1)
    sh.landscape = False
    sh.header = f'&C&"{FONT}"&9{header_text(unit.name)}'
    sh.footer = PAGE_FOOTER
    n = 2 + len(facts)
    return L.a1(n, 1), L.a1(n + 1, 1)
