"""``zwgk report --draft``: the preliminary results (初评结果反馈) an office sends each unit
before the final notice, so that the unit can check them and object in time.

For every assessed unit (scored, vetoed included) ``<report>/初评结果反馈/`` gets ``<单位>.docx``
(a 公文-looking letter: scores, rank and tier marked 初评, every criterion that lost points with
the finding and where in the returned workbook it was entered, a 反馈意见 column, the
``feedback_deadline``) and ``<单位>.xlsx`` (the same for the unit to fill: only the 反馈意见
cells unlocked).  Units whose scoring is unfinished are named in ``没有初评结果反馈的单位.txt``.
This run's drafts replace the earlier ones together (:func:`zwgk_cli.files.run_outputs`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zwgk_cli.campaign import Campaign
from zwgk_cli.files import atomic_write_bytes, run_outputs
from zwgk_cli.model import ZERO
from zwgk_cli.problems import Code, Problem, problem
from zwgk_cli.report.build import Outcome, ranking_problems, unlisted_bytes
from zwgk_cli.report.context import PLACEHOLDER, Report, UnitPage, build
from zwgk_cli.report.docx import Block, Table, write_docx
from zwgk_cli.report.findings import ProblemRow
from zwgk_cli.report.text import date_cn, pts, short_title, zh
from zwgk_cli.report.xlsx import FINDING_HEADERS, letter_close, letter_formats, letter_top, workbook, write_finding
from zwgk_cli.results.model import CriterionRow, Scores

DRAFT_DIR = "初评结果反馈"
UNLISTED_NAME = "没有初评结果反馈的单位.txt"
DRAFT_FORMATS = ("docx", "xlsx")
MARK = "初评结果(征求意见)"  # printed where a notice has its 发文字号: this is not the notice
FEEDBACK_HEADER = "反馈意见(单位填写)"
# An empty column is as narrow as its header: the DOCX's 反馈意见 cells hold ideographic spaces
# so that the column keeps room to write in when printed.
FEEDBACK_ROOM = "\u3000" * 6


def is_draft_file(rel: str) -> bool:
    """Whether ``rel`` (relative to the report folder) is a file of an earlier ``--draft`` run."""
    folder, _, name = rel.partition("/")
    return folder == DRAFT_DIR and "/" not in name and (name.endswith((".docx", ".xlsx")) or name == UNLISTED_NAME)


@dataclass(frozen=True)
class LostRow:
    """One finding of the unit (the 整改清单's row) with the file, sheet and cells it was entered in."""

    row: ProblemRow
    file: str
    sheet: str
    cells: str  # F12、F13

    @property
    def where(self) -> str:
        """Sheet and cells, as the DOCX prints them: “第一部分…\nF12、F13”."""
        if not self.cells:
            return "—"
        return f"{self.sheet}\n{self.cells}" if self.sheet else self.cells


_A1 = re.compile(r"([A-Z]+)([0-9]+)")


def cell_ranges(cells: Sequence[str]) -> str:
    """``F13 F14 F15 G2`` → ``F13:F15、G2``: consecutive cells of a column as one range."""
    runs: list[tuple[str, int, int]] = []
    for cell in cells:
        m = _A1.fullmatch(cell)
        if m is None:
            runs.append((cell, 0, 0))
            continue
        col, row = m.group(1), int(m.group(2))
        if runs and runs[-1][0] == col and runs[-1][2] == row - 1:
            runs[-1] = (col, runs[-1][1], row)
        else:
            runs.append((col, row, row))
    return "、".join(c if not a else (f"{c}{a}" if a == b else f"{c}{a}:{c}{b}") for c, a, b in runs)


def _cells(row: CriterionRow) -> tuple[str, str]:
    """(sheet, “F13:F19”) where the criterion's inputs were entered: the evidence input when the
    item scored nothing for want of evidence, else every input of the row."""
    got = row.cells_of(("evidence",)) if row.evidence_missing else ()
    got = got or row.cells_of()
    if not got:
        return "", ""
    sheets = list(dict.fromkeys(s for s, _ in got))
    if len(sheets) == 1:
        return sheets[0], cell_ranges([c for _, c in got])
    return "", "、".join(f"{s}!{c}" for s, c in got)


def lost_rows(page: UnitPage) -> list[LostRow]:
    """The unit's findings (the 整改清单's rows) with the sheet and cells they came from."""
    files = page.entry.result.files
    # a 检查组's workbook: its own file
    return [LostRow(pr, pr.source.file or (files[0] if files else ""), *_cells(pr.source)) for pr in page.rows]


@dataclass(frozen=True)
class DraftInfo:
    name: str
    office: str
    deadline: str  # 2023年1月6日, or the placeholder
    contact: str
    basis: str

    @property
    def ask(self) -> str:
        contact = f"({self.contact})" if self.contact else ""
        return zh(
            f"对初评结果有异议的,请在“反馈意见”栏逐项写明理由并附佐证材料,请于{self.deadline}前反馈"
            f"{self.office}{contact};逾期未反馈的,视为对初评结果无异议。"
        )


def draft_info(report: Report, campaign: Campaign | None) -> tuple[DraftInfo, list[Problem]]:
    """The settings a draft prints, and a P010 for each one missing."""
    info = report.info
    deadline = campaign.feedback_deadline if campaign is not None else ""
    settings = (
        ("feedback_deadline", deadline or PLACEHOLDER, "初评结果反馈截止日期", 'feedback_deadline = "2023-01-06"'),
        ("name", info.name, "考评名称", 'name = "某市2023年政务公开考评"'),
        ("office", info.office, "发文机关", 'office = "某市人民政府办公室"'),
    )
    problems = [
        problem(Code.P_DRAFT_SETTING, field=key, label=label, placeholder=PLACEHOLDER, example=example)
        for key, value, label, example in settings
        if value == PLACEHOLDER
    ]
    deadline = date_cn(deadline) if deadline else PLACEHOLDER
    return DraftInfo(info.name, info.office, deadline, info.contact, info.basis), problems


def standing(report: Report, page: UnitPage) -> str:
    """The sentence on the unit's total, rank and tier, each said to be preliminary."""
    g = report.ranking.group(page.group)
    e = page.entry
    bits = [f"你单位初评总分{page.total}分(满分{page.max}分)"]
    if e.vetoed:
        label = report.ranking.veto_tier if report.ranking.has_tiers else report.ranking.veto_label
        bits.append(f"因触发否决指标({page.veto_reasons}),初评结果为{label},不参加排名")
    else:
        rank = str(e.rank) + ("(并列)" if e.tied else "")
        bits.append(f"在{g.group}{len(g.ranked)}家参加排名的单位中暂列第{rank}名")
        if report.ranking.has_tiers and page.tier:
            bits.append(f"初评等次为{page.tier}")
    return zh(",".join(bits) + "。")


def scores_table(report: Report, page: UnitPage) -> Table:
    """项目 | 分值 | 初评得分 | 失分, part by part, then the total."""
    g = report.ranking.group(page.group)
    e = page.entry
    rows = []
    for c in g.columns:
        v = e.points(c.id)
        title = ("其中:" if c.depth else "") + short_title(c.title)
        if c.kind == "penalty":
            rows.append((zh(title), "扣分项", pts(-v) if v else "0", pts(v) if v else "0"))
        elif c.kind == "bonus":
            rows.append((zh(title), zh(f"加分(最高{pts(c.max)}分)"), pts(v), "—"))
        else:
            lost = c.max - v if c.max is not None and v is not None else None
            rows.append((zh(title), pts(c.max), pts(v), pts(lost)))
    rows.append(("总分", pts(g.max), page.total, "—"))
    return Table(("项目", "分值", "初评得分", "失分"), tuple(rows), "lccc")


def losses_table(rows: Sequence[LostRow]) -> Table:
    body = []
    for r in rows:
        pr, vetoes = r.row, zh(";".join(r.row.vetoes))
        indicator = f"{zh(pr.indicator)}{'(' + pr.target + ')' if pr.target else ''}\n{pr.text}"
        found = (pr.found or "未得分") + (f";触发否决:{vetoes}" if vetoes else "")
        body.append((str(pr.no), indicator, found, pts(pr.lost), r.where, FEEDBACK_ROOM))
    return Table(
        ("序号", "指标及评分细则", "检查发现", "失分", "评分表位置", "反馈意见"),
        tuple(tuple(zh(c) for c in row) for row in body),
        "cllclc",
        empty="初评未发现失分问题。",
    )


def draft_blocks(report: Report, page: UnitPage, info: DraftInfo, rows: Sequence[LostRow]) -> list[Block]:
    file = rows[0].file if rows else ""
    lost_total = pts(sum((r.lost for r in page.rows), ZERO))
    intro = (
        f"根据《{info.basis}》,{info.office}组织开展了{info.name}。现将你单位的初评结果反馈如下,请认真核对。"
        "本反馈为初评结果,不是最终考评结果;最终得分、排名和等次以正式印发的通报为准。"
    )
    out = [
        Block("number", zh(MARK)),
        Block("title", f"{info.name}\n初评结果反馈"),
        Block("recipients", f"{page.unit}："),
        Block("p", zh(intro)),
        Block("h1", "一、初评得分"),
        Block("p", standing(report, page)),
        Block("note", "各部分初评得分（单位：分）："),
        Block("table", "scores"),
        Block("h1", "二、失分情况"),
    ]
    if rows:
        said = f"初评共{len(rows)}项失分,合计{lost_total}分。逐项列明评分细则、检查发现、失分和评分表中的位置"
        out.append(Block("p", zh(said + (f"(评分表:{file})" if file else "") + ":")))
    out += [
        Block("table", "losses"),
        Block("h1", "三、反馈要求"),
        Block("p", info.ask),
        Block("p", zh("没有异议的,也请在截止日期前回复“无异议”。同时发送的 Excel 表格内容与本文件相同,可在其中填写。")),
        Block("signature", info.office),
    ]
    return out


WHERE_HEADERS = ("评分表文件", "工作表", "单元格")
WIDTHS = (5, 10, 16, 12, 36, 30, 6, 6, 6, 10, 16, 16, 9, 36)


def draft_xlsx(report: Report, page: UnitPage, info: DraftInfo, rows: Sequence[LostRow]) -> bytes:
    """One unit's 初评结果反馈 as a workbook it fills: 反馈意见 cells unlocked, the rest protected."""
    buf = io.BytesIO()
    wb = workbook(buf, report.info, f"{page.unit}初评结果反馈")
    f = letter_formats(wb)
    ws = wb.add_worksheet("初评结果反馈")
    headers = [*FINDING_HEADERS, *WHERE_HEADERS]
    last = len(headers)  # 反馈意见
    mark = zh(f"{MARK}:本表为初评结果,不是最终考评结果,以正式印发的通报为准")
    lines = [(mark, f["mark"]), (zh(f"分组:{page.group}。") + standing(report, page), f["info"]), (info.ask, f["info"])]
    letter_top(ws, f, last, f"{page.unit}{info.name}初评结果反馈", lines)
    ws.write(5, 0, "一、初评得分", f["section"])
    r = 6
    st = scores_table(report, page)
    ws.write_string(r, 0, "序号", f["head"])
    ws.merge_range(r, 1, r, 5, st.headers[0], f["head"])
    ws.write_row(r, 6, st.headers[1:], f["head"])
    for i, row in enumerate(st.rows, start=1):
        r += 1
        ws.write_string(r, 0, str(i) if i < len(st.rows) else "", f["num"])
        ws.merge_range(r, 1, r, 5, row[0], f["cell"])
        ws.write_row(r, 6, row[1:], f["num"])
    r += 2
    ws.write(r, 0, "二、失分情况", f["section"])
    r += 1
    ws.write_row(r, 0, headers, f["head"])
    ws.write_string(r, last, FEEDBACK_HEADER, f["fill_head"])
    ws.set_row(r, 30)
    header_row = r
    for lr in rows:
        r += 1
        write_finding(ws, r, f, lr.row, (lr.file, lr.sheet, lr.cells), WIDTHS, found=lr.row.found or "未得分")
        ws.write_blank(r, last, None, f["fill"])
    if not rows:
        r += 1
        ws.merge_range(r, 0, r, last - 1, "初评未发现失分问题。", f["cell"])
        ws.write_blank(r, last, None, f["fill"])
    r += 2
    ws.merge_range(r, 0, r, last - 1, "对初评得分、排名或等次的其他意见(没有异议的请填写“无异议”):", f["info"])
    ws.write_blank(r, last, None, f["fill"])
    ws.set_row(r, 45)
    return letter_close(wb, buf, WIDTHS, header_row, f"{page.unit}初评结果反馈(初评,非最终结果)", autofilter=False)


@dataclass
class DraftOutcome(Outcome):
    units: int = 0


def write_drafts(
    doc: Scores,
    out_dir: Path,
    *,
    campaign: Campaign | None = None,
    formats: Sequence[str] = DRAFT_FORMATS,
) -> DraftOutcome:
    """Write each assessed unit's 初评结果反馈 into ``out_dir/初评结果反馈/``."""
    report = build(doc, campaign)
    info, problems = draft_info(report, campaign)
    outcome = DraftOutcome(problems=problems)
    outcome.problems += ranking_problems(report)
    rendered: dict[str, bytes] = {}
    for page in report.units:
        if not page.scored:
            continue
        rows = lost_rows(page)
        if "docx" in formats:
            tables = {"scores": scores_table(report, page), "losses": losses_table(rows)}
            blocks = draft_blocks(report, page, info, rows)
            title = f"{page.unit}{info.name}初评结果反馈"
            rendered[f"{DRAFT_DIR}/{page.file}.docx"] = write_docx(
                blocks, tables, title=title, author=report.info.office, created=report.info.stamp
            )
        if "xlsx" in formats:
            rendered[f"{DRAFT_DIR}/{page.file}.xlsx"] = draft_xlsx(report, page, info, rows)
        outcome.units += 1
    if any(not u.scored for u in report.units):
        lines = (f"{u.unit}（{u.group}）：{u.pending_reason}" for u in report.units if not u.scored)
        heading = f"{report.info.name}：以下单位评分未完成，没有初评结果反馈"
        rendered[f"{DRAFT_DIR}/{UNLISTED_NAME}"] = unlisted_bytes(heading, lines)
    with run_outputs(out_dir, is_draft_file) as tmp:
        for rel, data in rendered.items():
            atomic_write_bytes(tmp / rel, data)
            outcome.files.append(out_dir / rel)
    return outcome
