"""Scores + ranking → one context → the notice and its companions.

``write_report`` reads nothing but the ``scores.json`` document and the campaign settings,
ranks it (:mod:`zwgk_cli.ranking`), builds one context of ready-to-print text and writes:

* ``通报.docx`` — the blocks of the ``notice.j2`` template rendered as a 公文 (docx_notice);
* ``通报.html`` — the same blocks through ``notice.html.j2``: one self-contained file, inline
  CSS (``notice.css``) and inline SVG charts, no JavaScript, no network;
* ``通报.md`` — the same blocks through ``notice.md.j2``;
* ``通报.pdf`` — the DOCX converted by headless LibreOffice, when it is installed;
* ``排名.xlsx`` — rankings per group, tier colours, a native bar chart, statistics;
* ``整改清单/<单位>.xlsx`` and ``.html`` — every criterion where a unit lost points, with a
  column for its rectification plan.

Templates are jinja2 files in ``templates/`` (autoescaped when HTML, ``StrictUndefined``);
a ``--template-dir`` folder overrides any of them by name.  Every file is written atomically
and is byte-identical when re-run on the same inputs.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from xlsxwriter.utility import xl_col_to_name

from zwgk_cli import __version__
from zwgk_cli.campaign import Campaign
from zwgk_cli.files import atomic_write_bytes, safe_file_stem
from zwgk_cli.model import ZERO, fmt_points
from zwgk_cli.names import FORMATS, NOTICE_NAME, RANKING_NAME, RECTIFY_DIR
from zwgk_cli.problems import Code, Problem, problem
from zwgk_cli.report.docx import Block, BlockError, Table, normalize_zip, parse_blocks, write_docx
from zwgk_cli.report.ranking import (
    GATE_LABEL,
    Column,
    Entry,
    GroupRanking,
    Loss,
    Ranking,
    Stat,
    dec,
    fmt_percent,
    rank,
)
from zwgk_cli.resources import templates_dir
from zwgk_cli.results.document import STATUS_LABELS

TOP_LOSSES = 10
TEMPLATE_NAMES = (
    "notice.j2",
    "notice.html.j2",
    "notice.md.j2",
    "notice.css",
    "rectify.html.j2",
    "rectify.css",
)
PLACEHOLDER = "〔待填写〕"
PLAN_HEADERS = ("整改措施(单位填写)", "责任科室及责任人", "完成时限")


class ReportError(Exception):
    """A template (or the scores file) cannot be used: the problems say where."""

    def __init__(self, problems: Sequence[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)


# ------------------------------------------------------------------ text helpers

_CJK = "\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’"
_PUNCT = {",": "\uff0c", ";": "\uff1b", ":": "\uff1a", "?": "\uff1f", "!": "\uff01"}


def zh(text: str) -> str:
    """Half-width punctuation inside Chinese text as full-width (，；：（）), as a 公文 writes it.

    Only marks next to a Chinese character change; numbers such as ``1,000`` or ``3:1`` and
    parentheses around numbers only, such as ``(1)``, stay as they are.
    """
    if not text:
        return text
    out = re.sub(
        rf"(?<=[{_CJK}])([,;:?!])|([,;:?!])(?=[{_CJK}])",
        lambda m: _PUNCT[m.group(1) or m.group(2)],
        text,
    )
    chars = list(out)
    stack: list[int] = []
    for i, c in enumerate(chars):
        if c == "(":
            stack.append(i)
        elif c == ")" and stack:
            j = stack.pop()
            inner = "".join(chars[j + 1 : i])
            if re.search(rf"[{_CJK}]", inner):
                chars[j], chars[i] = "\uff08", "\uff09"
    return "".join(chars)


def date_cn(value: str) -> str:
    """``2022-01-20`` (or ``2022/1/20``, ``20220120``) → ``2022年1月20日``; other text unchanged."""
    v = value.strip()
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", v) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", v)
    if not m:
        return v
    y, mo, d = (int(x) for x in m.groups())
    return f"{y}年{mo}月{d}日"


def parse_date(value: str) -> date | None:
    m = re.fullmatch(r"(\d{4})\D(\d{1,2})\D(\d{1,2})\D?", value.strip()) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", value.strip()
    )
    if not m:
        return None
    try:
        return date(*(int(x) for x in m.groups()))
    except ValueError:
        return None


def short_title(title: str) -> str:
    """A part's title without its “第一部分” prefix (table headers)."""
    rest = re.sub(r"^第[一二三四五六七八九十]+部分\s*[:、]?\s*", "", title).strip()
    return rest or title


_DIGITS = "〇一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (headings 一、（一）)."""
    if n <= 0 or n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def pts(value: Decimal | None, empty: str = "—") -> str:
    return empty if value is None else fmt_points(value)


def sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "、", name)[:31] or "表"
    out, n = base, 2
    while out in used:
        suffix = f"({n})"
        out = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(out)
    return out


def join_names(names: Sequence[str], limit: int = 0) -> str:
    if limit and len(names) > limit:
        return "、".join(names[:limit]) + f"等{len(names)}家"
    return "、".join(names)


# ------------------------------------------------------------------ settings


@dataclass(frozen=True)
class NoticeInfo:
    """What the notice says about itself: from ``zwgk.toml``, else the scores file."""

    name: str
    year: str
    office: str
    number: str
    date: str  # as printed: 2022年1月20日
    date_iso: str
    recipients: str
    deadline: str
    contact: str
    basis: str
    missing: tuple[tuple[str, str], ...]  # (setting, 中文 label) not set

    @property
    def stamp(self) -> datetime:
        d = parse_date(self.date_iso)
        return datetime(d.year, d.month, d.day, tzinfo=UTC) if d else datetime(2000, 1, 1, tzinfo=UTC)


def notice_info(doc: Mapping[str, Any], campaign: Campaign | None) -> NoticeInfo:
    from_doc = doc.get("campaign") or {}

    def get(key: str) -> str:
        value = getattr(campaign, key, "") if campaign is not None else ""
        if value in ("", 0, None):
            value = from_doc.get(key, "")
        return str(value or "").strip()

    year = get("year")
    name = get("name") or (f"{year}年度政务公开考评" if year else "")
    missing: list[tuple[str, str]] = []
    labels = {
        "name": "考评名称",
        "office": "发文机关",
        "notice_number": "发文字号",
        "notice_date": "成文日期",
        "recipients": "主送机关",
        "rectify_deadline": "整改期限",
    }
    values: dict[str, str] = {}
    for key, label in labels.items():
        v = name if key == "name" else get(key)
        if not v:
            missing.append((key, label))
            v = PLACEHOLDER
        values[key] = v
    return NoticeInfo(
        name=values["name"],
        year=year,
        office=values["office"],
        number=values["notice_number"],
        date=date_cn(values["notice_date"]),
        date_iso=values["notice_date"],
        recipients=values["recipients"],
        deadline=date_cn(values["rectify_deadline"]),
        contact=get("contact"),
        basis=str(doc.get("rubric_title", "")),
        missing=tuple(missing),
    )


# ------------------------------------------------------------------ per-unit problem rows


@dataclass(frozen=True)
class ProblemRow:
    no: int
    part: str
    indicator: str
    criterion: str
    target: str
    text: str
    found: str
    trace: str
    max: Decimal | None
    points: Decimal | None
    lost: Decimal
    vetoes: tuple[str, ...]
    evidence_missing: bool

    @property
    def where(self) -> str:
        return f"{self.indicator}({self.target})" if self.target else self.indicator

    @property
    def summary(self) -> str:
        """What the notice's attachment says: the finding, and any veto."""
        bits = [self.found or "未得分"]
        bits += [f"触发否决:{v}" for v in self.vetoes]
        return zh(";".join(b for b in bits if b))


def _value_text(value: Any) -> str:
    if value is None:
        return "未填写"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return fmt_points(Decimal(str(value)))
    return str(value)


def _found_text(row: Mapping[str, Any]) -> str:
    """What was found, as the 整改清单 and the notice's attachment say it: the assessor's
    扣分说明, then for deduction and penalty items the engine's account of each deduction
    (“空白栏目:2处×1分,扣2分”), for award items the inputs that did not earn their points."""
    style = row.get("style", "")
    bits: list[str] = []
    if row.get("note"):
        bits.append(f"扣分说明:{row['note']}")
    if row.get("evidence_missing"):
        bits.append("未按时提供佐证材料,视为无相关工作内容")
    elif style in ("deduct", "penalty") and row.get("trace"):
        bits.extend(str(t) for t in row["trace"])
    else:
        for key, label in (row.get("inputs") or {}).items():
            value = (row.get("found") or {}).get(key)
            if key == "evidence" or (style == "award" and value == "是"):
                continue
            if style != "award" and value in ("否", 0, None):
                continue
            bits.append(f"{label}:{_value_text(value)}")
    return zh(";".join(bits))


def problem_rows(unit: Mapping[str, Any], part_titles: Mapping[str, str]) -> list[ProblemRow]:
    """Every criterion where the unit lost points or a veto fired, in rubric order."""
    out: list[ProblemRow] = []
    for row in unit.get("criteria") or ():
        lost = dec(row.get("lost")) or ZERO
        vetoes = tuple(str(v) for v in row.get("vetoes") or ())
        if not row.get("applicable", True) or (lost <= 0 and not vetoes):
            continue
        titles = [str(t) for t in row.get("indicator_titles") or ()]
        title = str(row.get("title", ""))
        if title and (not titles or titles[-1] != title):
            titles.append(title)
        out.append(
            ProblemRow(
                no=len(out) + 1,
                part=short_title(part_titles.get(str(row.get("part", "")), "")),
                indicator="—".join(titles),
                criterion=title,
                target=str(row.get("target_name", "")),
                text=zh(str(row.get("text", ""))),
                found=_found_text(row),
                trace=zh(";".join(str(t) for t in row.get("trace") or ())),
                max=dec(row.get("max")),
                points=dec(row.get("points")),
                lost=lost,
                vetoes=vetoes,
                evidence_missing=bool(row.get("evidence_missing")),
            )
        )
    return out


# ------------------------------------------------------------------ tables


def _tier_class(ranking: Ranking, tier: str | None, vetoed: bool = False) -> str:
    if vetoed:
        return "vetoed"
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
    rows = []
    classes = []
    for e in g.ranked:
        row = [e.rank_text, e.unit, *[_part_cell(e, c) for c in g.columns], pts(e.total)]
        if ranking.has_tiers:
            row.append(e.tier or "")
        rows.append(tuple(row))
        classes.append(_tier_class(ranking, e.tier))
    align = "cn" + "c" * (len(headers) - 2)
    return Table(
        tuple(headers), tuple(rows), align, tuple(classes), empty="本组没有参加排名的单位。", subheader=tuple(maxima)
    )


def _with_max(header: str, c: Column, sep: str = "\n") -> str:
    """A column header with the part's maximum on its own line: “日常工作\n（30分）”."""
    if c.kind == "penalty":
        return f"{header}{sep}(扣分)"
    return f"{header}{sep}({pts(c.max)}分)" if c.max is not None else header


def vetoed_table(ranking: Ranking) -> Table:
    label = ranking.veto_tier if ranking.has_tiers else ranking.veto_label
    rows = tuple(
        (str(i), e.unit, e.group, pts(e.total), label, zh(";".join(e.veto_reasons)))
        for i, e in enumerate(ranking.vetoed, start=1)
    )
    return Table(
        ("序号", "单位", "分组", "得分", "等次" if ranking.has_tiers else "结果", "否决原因"),
        rows,
        "cnnccl",
        tuple("vetoed" for _ in rows),
    )


def pending_table(ranking: Ranking) -> Table:
    rows = tuple(
        (str(i), e.unit, e.group, STATUS_LABELS.get(e.status, e.status), _pending_reason(e))
        for i, e in enumerate(ranking.pending, start=1)
    )
    return Table(("序号", "单位", "分组", "状况", "说明"), rows, "cnncl", tuple("pending" for _ in rows))


def _pending_reason(e: Entry) -> str:
    missing = len(e.data.get("missing") or ())
    errors = int(e.problems.get("error", 0))
    bits = []
    if e.status == "missing":
        bits.append("未交回评分表")
    elif e.status == "invalid":
        bits.append("评分表无法使用")
    if missing:
        bits.append(f"{missing}项未填写或填写有误")
    if errors:
        bits.append(f"读取评分表发现{errors}个错误")
    if e.vetoed:
        bits.append("已触发否决:" + ";".join(e.veto_reasons))
    bits.append("补正后重新计分")
    return zh(";".join(bits))


def tiers_table(ranking: Ranking) -> Table:
    labels = [label for label, _ in ranking.tier_counts] if ranking.has_tiers else ["合格", ranking.veto_label]
    headers = ("分组", "参评单位", *labels, "合格率", "未完成评分")
    rows = []
    for g in ranking.groups:
        counts = [str(n) for _, n in g.tier_counts] if ranking.has_tiers else [str(g.passed), str(len(g.vetoed))]
        rows.append((g.group, str(g.assessed), *counts, fmt_percent(g.pass_rate), str(len(g.pending))))
    if ranking.has_tiers:
        total_counts = [str(n) for _, n in ranking.tier_counts]
    else:
        total_counts = [str(ranking.passed), str(len(ranking.vetoed))]
    rows.append(
        ("合计", str(ranking.assessed), *total_counts, fmt_percent(ranking.pass_rate), str(len(ranking.pending)))
    )
    n = len(headers)
    return Table(headers, tuple(rows), "l" + "c" * (n - 1))


def stats_table(g: GroupRanking) -> Table:
    def row(title: str, s: Stat) -> tuple[str, ...]:
        return (
            title,
            pts(s.column.max) if s.column.kind != "penalty" else "—",
            pts(s.mean),
            pts(s.median),
            pts(s.max),
            pts(s.min),
        )

    rows = [row(("其中:" if s.column.depth else "") + short_title(s.column.title), s) for s in g.stats]
    rows.append(row("总分", g.total_stat))
    return Table(("项目", "满分", "平均分", "中位数", "最高分", "最低分"), tuple(rows), "lccccc")


def losses_table(losses: Sequence[Loss]) -> Table:
    rows = tuple(
        (str(i), zh(x.label), str(x.count), join_names(x.unit_names), pts(x.lost))
        for i, x in enumerate(losses, start=1)
    )
    return Table(("序号", "问题(指标)", "涉及单位数", "涉及单位", "累计失分"), rows, "clccc")


def unit_table(rows: Sequence[ProblemRow], e: Entry) -> Table:
    body = tuple((str(r.no), zh(r.where), r.summary, pts(r.lost)) for r in rows)
    if e.scored:
        empty = "未发现失分问题。"
    elif e.status in ("missing", "invalid"):
        empty = "评分表未交回或无法使用,暂无问题清单。"
    else:
        empty = "已读取的部分未发现失分问题;补正评分表后重新列出。"
    return Table(("序号", "指标", "存在问题", "失分"), body, "cllc", empty=empty)


# ------------------------------------------------------------------ charts (inline SVG)


# Presentation attributes (notice.css may restyle them: CSS wins over attributes).
COLOURS = {"bar": "#4472c4", "bar-vetoed": "#d9534f"}
SVG_FONTS = "Noto Sans CJK SC, Source Han Sans SC, 黑体, SimHei, sans-serif"
SEGMENTS = ("#4472c4", "#70ad47", "#ffc000", "#ed7d31", "#7f6bb3", "#5fb7c9", "#a5a5a5", "#9e480e")


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _n(x: Decimal | float | int) -> str:
    """An SVG coordinate with at most one decimal."""
    d = Decimal(str(x)).quantize(Decimal("0.1"))
    s = f"{d:f}"
    return s[:-2] if s.endswith(".0") else s


def histogram_svg(g: GroupRanking, title: str) -> Markup:
    """Units per 10-point band of the total, one bar per band; vetoed units counted in red."""
    top = g.max or Decimal(100)
    step = Decimal(10)
    nbins = int((top / step).to_integral_value(rounding="ROUND_CEILING"))
    counts = [0] * nbins
    vetoes = [0] * nbins
    for e in (*g.ranked, *g.vetoed):
        if e.total is None:
            continue
        i = min(nbins - 1, int(e.total // step))
        counts[i] += 1
        if e.vetoed:
            vetoes[i] += 1
    w, h, left, bottom, topm = 640, 200, 36, 34, 24
    plot_w, plot_h = w - left - 10, h - bottom - topm
    peak = max([*counts, 1])
    bw = Decimal(plot_w) / nbins
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'role="img" aria-label="{_esc(title)}" font-size="11" font-family="{SVG_FONTS}">',
        f'<text class="chart-title" x="{w // 2}" y="15" text-anchor="middle" font-size="14" font-weight="bold">'
        f"{_esc(title)}</text>",
    ]
    for k in range(peak + 1):
        y = Decimal(topm + plot_h) - Decimal(plot_h) * k / peak
        if peak <= 10 or k % 2 == 0:
            parts.append(f'<line class="grid" stroke="#ddd" x1="{left}" x2="{w - 10}" y1="{_n(y)}" y2="{_n(y)}"/>')
            parts.append(f'<text class="axis" x="{left - 6}" y="{_n(y + 4)}" text-anchor="end">{k}</text>')
    for i in range(nbins):
        x = Decimal(left) + bw * i
        lo = step * i
        label = f"{fmt_points(lo)}–" if i < nbins - 1 else f"≥{fmt_points(lo)}"
        parts.append(
            f'<text class="axis" x="{_n(x + bw / 2)}" y="{h - bottom + 14}" text-anchor="middle">{_esc(label)}</text>'
        )
        for n, cls in ((counts[i], "bar"), (vetoes[i], "bar-vetoed")):
            if not n:
                continue
            bh = Decimal(plot_h) * n / peak
            parts.append(
                f'<rect class="{cls}" fill="{COLOURS[cls]}" x="{_n(x + 3)}" y="{_n(Decimal(topm + plot_h) - bh)}" '
                f'width="{_n(bw - 6)}" height="{_n(bh)}"><title>{_esc(label)}分：{n}家</title></rect>'
            )
        if counts[i]:
            y = Decimal(topm + plot_h) - Decimal(plot_h) * counts[i] / peak - 4
            parts.append(
                f'<text class="value" x="{_n(x + bw / 2)}" y="{_n(y)}" text-anchor="middle">{counts[i]}</text>'
            )
    parts.append(
        f'<text class="axis" x="{w // 2}" y="{h - 4}" text-anchor="middle">总分区间（分），纵轴为单位数</text>'
    )
    if any(vetoes):
        parts.append(
            f'<rect class="bar-vetoed" fill="{COLOURS["bar-vetoed"]}" x="{left + 6}" y="6" width="10" height="10"/>'
        )
        parts.append(f'<text class="axis" x="{left + 20}" y="15">其中否决单位</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def parts_svg(g: GroupRanking, title: str) -> Markup:
    """One stacked bar per unit (ranked, then vetoed): each top-level part's points."""
    cols = [c for c in g.columns if c.depth == 0 and c.kind != "penalty"]
    entries = [*g.ranked, *g.vetoed]
    top = g.max or Decimal(100)
    row_h, label_w, w = 18, 150, 640
    # Legend items flow left to right and wrap (long part titles: 政府网站和政府系统政务新媒体).
    legend: list[tuple[int, int, int, str]] = []
    lx, ly = 10, 26
    for i, c in enumerate(cols):
        name = short_title(c.title)
        width = 14 + 12 * len(name) + 14
        if lx + width > w - 10 and lx > 10:
            lx, ly = 10, ly + 16
        legend.append((i, lx, ly, name))
        lx += width
    legend_h = ly - 26 + 20
    h = 30 + legend_h + row_h * len(entries) + 24
    plot_w = w - label_w - 90
    scale = Decimal(plot_w) / top
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'role="img" aria-label="{_esc(title)}" font-size="11" font-family="{SVG_FONTS}">',
        f'<text class="chart-title" x="{w // 2}" y="15" text-anchor="middle" font-size="14" font-weight="bold">'
        f"{_esc(title)}</text>",
    ]
    for i, x0, y, name in legend:
        out.append(f'<rect class="seg-{i % 8}" fill="{SEGMENTS[i % 8]}" x="{x0}" y="{y}" width="10" height="10"/>')
        out.append(f'<text class="axis" x="{x0 + 14}" y="{y + 9}">{_esc(name)}</text>')
    y0 = 30 + legend_h
    for k in range(0, int(top) + 1, 10 if top <= 100 else 20):
        x = Decimal(label_w) + scale * k
        out.append(
            f'<line class="grid" stroke="#ddd" x1="{_n(x)}" x2="{_n(x)}" '
            f'y1="{y0 - 4}" y2="{y0 + row_h * len(entries)}"/>'
        )
        out.append(
            f'<text class="axis" x="{_n(x)}" y="{y0 + row_h * len(entries) + 14}" text-anchor="middle">{k}</text>'
        )
    for r, e in enumerate(entries):
        y = y0 + row_h * r
        cls = "label-vetoed" if e.vetoed else "label"
        red = f' fill="{COLOURS["bar-vetoed"]}"' if e.vetoed else ""
        name = e.unit if len(e.unit) <= 11 else e.unit[:10] + "…"
        out.append(
            f'<text class="{cls}" x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12"{red}>'
            f"{_esc(name)}</text>"
        )
        x = Decimal(label_w)
        for i, c in enumerate(cols):
            v = e.points(c.id) or ZERO
            if v <= 0:
                continue
            bw = scale * v
            out.append(
                f'<rect class="seg-{i % 8}" fill="{SEGMENTS[i % 8]}" x="{_n(x)}" y="{y + 3}" '
                f'width="{_n(bw)}" height="{row_h - 6}">'
                f"<title>{_esc(e.unit)} {_esc(short_title(c.title))}：{fmt_points(v)}分</title></rect>"
            )
            x += bw
        total = pts(e.total) + ("（否决）" if e.vetoed else "")
        if e.penalties:
            total += f"（含扣分{fmt_points(e.penalties)}分）"
        out.append(f'<text class="value" x="{_n(x + 4)}" y="{y + 13}">{_esc(total)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


# ------------------------------------------------------------------ the context


@dataclass
class Report:
    """Everything the templates and writers need."""

    doc: Mapping[str, Any]
    ranking: Ranking
    info: NoticeInfo
    context: dict[str, Any]
    tables: dict[str, Table]
    charts: dict[str, Markup]
    units: list[dict[str, Any]] = field(default_factory=list)


def _tier_text(ranking: Ranking, counts: Sequence[tuple[str, int]]) -> str:
    return "、".join(f"{label}{n}家" for label, n in counts if n)


def _part_titles(doc: Mapping[str, Any], variant: str) -> dict[str, str]:
    return {str(c["id"]): str(c["title"]) for c in (doc.get("columns") or {}).get(variant) or ()}


def _coefficients_text(ranking: Ranking) -> str:
    bits = []
    for t in ranking.tiers:
        if t.coefficient is None:
            continue
        bits.append(f"{t.label}{fmt_points(t.coefficient * 100)}%")
    return "、".join(bits)


def _tier_ranges(ranking: Ranking) -> list[dict[str, str]]:
    floors = sorted((t for t in ranking.tiers if t.min is not None), key=lambda t: t.min or ZERO, reverse=True)
    out = []
    upper: Decimal | None = None
    for t in floors:
        assert t.min is not None
        rng = f"{fmt_points(t.min)}分及以上" if upper is None else f"{fmt_points(t.min)}分(含)至{fmt_points(upper)}分"
        out.append({"label": t.label, "range": rng, "coefficient": pts(t.coefficient * 100 if t.coefficient else None)})
        upper = t.min
    for t in ranking.tiers:
        if t.min is None:
            rng = f"{fmt_points(upper)}分以下" if upper is not None else ""
            out.append(
                {"label": t.label, "range": rng, "coefficient": pts(t.coefficient * 100 if t.coefficient else None)}
            )
    return out


def build(doc: Mapping[str, Any], campaign: Campaign | None = None, top_losses: int = TOP_LOSSES) -> Report:
    """Rank the document and build the context every template and writer uses."""
    order = campaign.group_order if campaign is not None else ()
    ranking = rank(doc, order)
    info = notice_info(doc, campaign)
    tables: dict[str, Table] = {}
    charts: dict[str, Markup] = {}
    has_tiers = ranking.has_tiers
    groups_ctx = []
    for i, g in enumerate(ranking.groups, start=1):
        tables[f"ranking-{i}"] = ranking_table(g, ranking)
        tables[f"stats-{i}"] = stats_table(g)
        charts[f"histogram-{i}"] = histogram_svg(g, f"{g.group}得分分布")
        charts[f"parts-{i}"] = parts_svg(g, f"{g.group}各单位分项得分")
        ts = g.total_stat
        groups_ctx.append(
            {
                "name": g.group,
                "variant": g.variant_title,
                "max": pts(g.max),
                "count": g.count,
                "assessed": g.assessed,
                "ranked": len(g.ranked),
                "vetoed": len(g.vetoed),
                "pending": len(g.pending),
                "passed": g.passed,
                "pass_rate": fmt_percent(g.pass_rate),
                "tiers": _tier_text(ranking, g.tier_counts),
                "mean": pts(ts.mean),
                "median": pts(ts.median),
                "top": pts(ts.max),
                "top_units": join_names(ts.max_units),
                "bottom": pts(ts.min),
                "bottom_units": join_names(ts.min_units),
                "first": join_names([e.unit for e in g.ranked if e.rank == 1]),
                "leaders": [
                    {"rank": e.rank_text, "unit": e.unit, "total": pts(e.total), "tier": e.tier or ""}
                    for e in g.ranked
                    if e.rank is not None and e.rank <= 3
                ],
                "ties": [
                    {
                        "rank": str(r),
                        "units": join_names([e.unit for e in g.ranked if e.rank == r]),
                        "total": pts(next(e.total for e in g.ranked if e.rank == r)),
                    }
                    for r in sorted({e.rank for e in g.ranked if e.tied and e.rank is not None})
                ],
                "not_in_bonus": join_names([e.unit for e in (*g.ranked, *g.vetoed) if e.bonus_counted is False]),
                "below_threshold": [
                    {"unit": e.unit, "parts": zh("、".join(e.failed_thresholds))}
                    for e in (*g.ranked, *g.vetoed)
                    if e.failed_thresholds
                ],
                "ranking_table": f"ranking-{i}",
                "stats_table": f"stats-{i}",
                "histogram": f"histogram-{i}",
                "parts_chart": f"parts-{i}",
            }
        )
    tables["tiers"] = tiers_table(ranking)
    tables["vetoed"] = vetoed_table(ranking)
    tables["pending"] = pending_table(ranking)
    top = [x for x in ranking.losses][:top_losses]
    tables["losses"] = losses_table(top)
    units_ctx: list[dict[str, Any]] = []
    n = 0
    for g in ranking.groups:
        for e in (*g.ranked, *g.vetoed, *g.pending):
            rows = problem_rows(e.data, _part_titles(doc, e.variant))
            n += 1
            key = f"unit-{n}"
            tables[key] = unit_table(rows, e)
            units_ctx.append(
                {
                    "no": n,
                    "unit": e.unit,
                    "group": e.group,
                    "status": STATUS_LABELS.get(e.status, e.status),
                    "scored": e.scored,
                    "total": pts(e.total),
                    "max": pts(e.max),
                    "rank": e.rank_text,
                    "tier": e.tier or (ranking.veto_label if e.vetoed else ""),
                    "vetoed": e.vetoed,
                    "veto_reasons": zh(";".join(e.veto_reasons)),
                    "count": len(rows),
                    "lost": pts(sum((r.lost for r in rows), ZERO)),
                    "table": key,
                    "file": safe_file_stem(e.unit),
                    "rows": rows,
                    "entry": e,
                    "pending_reason": "" if e.scored else _pending_reason(e),
                }
            )
    first_variant: Sequence[Mapping[str, Any]] = next(iter((doc.get("columns") or {}).values()), [])
    columns_text = "、".join(
        short_title(str(c["title"])) for c in first_variant if c.get("depth", 0) == 0 and c.get("kind") == "normal"
    )
    context: dict[str, Any] = {
        "notice": info,
        "rubric": {
            "id": doc.get("rubric", ""),
            "title": doc.get("rubric_title", ""),
            "version": doc.get("rubric_version", ""),
            "hash": doc.get("rubric_hash", ""),
        },
        "tool": f"zwgk {__version__}",
        "has_tiers": has_tiers,
        "veto_label": ranking.veto_label,
        "veto_tier": ranking.veto_tier,
        "tiers": _tier_ranges(ranking),
        "coefficients": _coefficients_text(ranking),
        "scope": columns_text,
        "overall": {
            "units": ranking.units,
            "assessed": ranking.assessed,
            "passed": ranking.passed,
            "failed": ranking.assessed - ranking.passed,
            "pass_rate": fmt_percent(ranking.pass_rate),
            "vetoed": len(ranking.vetoed),
            "pending": len(ranking.pending),
            "tiers": _tier_text(ranking, ranking.tier_counts),
            "groups": "、".join(f"{g.group}{g.count}家" for g in ranking.groups),
        },
        "groups": groups_ctx,
        "vetoed": [
            {"unit": e.unit, "group": e.group, "total": pts(e.total), "reasons": zh(";".join(e.veto_reasons))}
            for e in ranking.vetoed
        ],
        "pending": [
            {
                "unit": e.unit,
                "group": e.group,
                "status": STATUS_LABELS.get(e.status, e.status),
                "reason": _pending_reason(e),
            }
            for e in ranking.pending
        ],
        "losses": [
            {
                "no": i,
                "label": zh(x.label),
                "part": short_title(x.part_title),
                "text": zh(x.text),
                "count": x.count,
                "units": join_names(x.unit_names),
                "units_short": join_names(x.unit_names, 8),
                "lost": pts(x.lost),
                "vetoes": x.vetoes,
            }
            for i, x in enumerate(top, start=1)
        ],
        "units": units_ctx,
        "tables": tables,
        "charts": charts,
    }
    return Report(doc, ranking, info, context, tables, charts, units_ctx)


# ------------------------------------------------------------------ templates


def _autoescape(name: str | None) -> bool:
    return bool(name) and (str(name).endswith(".html.j2") or str(name).endswith(".html"))


def environment(template_dir: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(template_dir)))
    loaders.append(jinja2.FileSystemLoader(str(templates_dir())))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pts"] = lambda v: pts(dec(v) if not isinstance(v, Decimal) else v)
    env.filters["zh"] = zh
    env.filters["date_cn"] = date_cn
    env.filters["md_cell"] = md_cell
    env.filters["cn"] = cn_number
    env.filters["br"] = line_breaks
    return env


def line_breaks(text: Any) -> Markup:
    """Text with its line ends as ``<br>`` (the rest escaped)."""
    return Markup("<br>").join(Markup.escape(line) for line in str(text).split("\n"))


def md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render a template; any template error becomes a located P004 problem."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name or name} 第{exc.lineno}行"
        raise ReportError(
            [
                problem(
                    Code.P_TEMPLATE,
                    file=exc.filename or name,
                    line=exc.lineno,
                    name=name,
                    detail=f"{where}:{exc.message}",
                )
            ]
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise ReportError([problem(Code.P_TEMPLATE, name=name, detail=f"找不到模板 {exc.name}")]) from None
    except jinja2.UndefinedError as exc:
        raise ReportError(
            [problem(Code.P_TEMPLATE, name=name, detail=f"模板用到了不存在的变量:{exc.message}")]
        ) from None


def notice_blocks(env: jinja2.Environment, report: Report) -> list[Block]:
    # Block tags keep their line ends here: a line ending in {% endif %} must not swallow the
    # next block's line (blank lines are ignored by the block parser anyway).
    text = render(env.overlay(trim_blocks=False), "notice.j2", **report.context)
    try:
        blocks = parse_blocks(text)
    except BlockError as exc:
        raise ReportError([problem(Code.P_TEMPLATE, name="notice.j2", detail=exc.message)]) from None
    for b in blocks:
        if b.kind == "table" and b.text not in report.tables:
            raise ReportError(
                [problem(Code.P_TEMPLATE, name="notice.j2", detail=f"块“@table {b.text}”引用的表格不存在")]
            )
        if b.kind == "chart" and b.text not in report.charts:
            raise ReportError(
                [problem(Code.P_TEMPLATE, name="notice.j2", detail=f"块“@chart {b.text}”引用的图表不存在")]
            )
    return blocks


def zh_table(t: Table) -> Table:
    """The notice's tables in 公文 punctuation (see :func:`zh`)."""
    return Table(
        tuple(zh(h) for h in t.headers),
        tuple(tuple(zh(c) for c in row) for row in t.rows),
        t.align,
        t.row_classes,
        zh(t.empty),
        tuple(zh(h) for h in t.subheader),
    )


def _title(blocks: Sequence[Block]) -> str:
    return next((b.text for b in blocks if b.kind == "title"), NOTICE_NAME)


# ------------------------------------------------------------------ xlsx


def _workbook(buf: io.BytesIO, info: NoticeInfo, title: str) -> Any:
    import xlsxwriter

    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    wb.set_properties(
        {
            "title": title,
            "author": info.office if info.office != PLACEHOLDER else "",
            "company": info.office if info.office != PLACEHOLDER else "",
            "created": info.stamp.replace(tzinfo=None),
            "comments": f"由 zwgk {__version__} 生成",
        }
    )
    return wb


TIER_COLOURS = ("#C6EFCE", "#DDEBF7", "#FFF2CC", "#FCE4D6", "#EDE7F6", "#E2EFDA")
FAIL_COLOUR = "#FFC7CE"


def _num(value: Decimal | None) -> Any:
    """A Decimal as an Excel number (exact to the cent: the value has ≤ 2 decimals)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def ranking_xlsx(report: Report) -> bytes:
    """``排名.xlsx``: one sheet per group (ranked, vetoed, pending), statistics, main problems."""
    ranking = report.ranking
    buf = io.BytesIO()
    wb = _workbook(buf, report.info, f"{report.info.name}排名")
    title_f = wb.add_format({"bold": True, "font_size": 14, "font_name": "宋体"})
    head_f = wb.add_format(
        {"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"}
    )
    cell_f = wb.add_format({"border": 1, "valign": "vcenter"})
    wrap_f = wb.add_format({"border": 1, "valign": "vcenter", "text_wrap": True})
    # Points in the General format: the values have at most two decimals, shown as written (98.5, 110).
    num_f = wb.add_format({"border": 1, "valign": "vcenter", "align": "center"})
    pct_f = wb.add_format({"border": 1, "num_format": "0%", "valign": "vcenter"})
    note_f = wb.add_format({"italic": True, "font_color": "#595959"})
    tier_fmts = [wb.add_format({"bg_color": c}) for c in TIER_COLOURS]
    fail_f = wb.add_format({"bg_color": FAIL_COLOUR, "font_color": "#9C0006"})
    used: set[str] = set()

    overview = wb.add_worksheet(sheet_name("总体情况", used))
    for g in ranking.groups:
        ws = wb.add_worksheet(sheet_name(g.group, used))
        headers = [
            "排名",
            "单位",
            *[_with_max(("其中:" if c.depth else "") + short_title(c.title), c) for c in g.columns],
            f"总分({pts(g.max)}分)",
            "等次",
            "绩效系数",
            "状态",
            "备注",
        ]
        ws.write(0, 0, f"{g.group}考评排名", title_f)
        ws.write_row(2, 0, headers, head_f)
        ws.set_row(2, 45)
        r = 3
        entries = [*g.ranked, *g.vetoed, *g.pending]
        for e in entries:
            tier = e.tier or (ranking.veto_label if e.vetoed else "")
            remarks = []
            if e.tied:
                remarks.append("并列")
            if e.vetoed:
                remarks.append("否决:" + ";".join(e.veto_reasons))
            if e.bonus_counted is False:
                remarks.append(GATE_LABEL)
            if e.failed_thresholds:
                remarks.append("不合格项:" + "、".join(e.failed_thresholds))
            if not e.scored:
                remarks.append(_pending_reason(e))
            ws.write_number(r, 0, e.rank, cell_f) if e.rank is not None else ws.write_blank(r, 0, None, cell_f)
            ws.write_string(r, 1, e.unit, cell_f)
            for j, c in enumerate(g.columns):
                v = e.points(c.id)
                if v is None or not e.scored:
                    ws.write_blank(r, 2 + j, None, num_f)
                else:
                    ws.write_number(r, 2 + j, _num(-v if c.kind == "penalty" and v else v), num_f)
            k = 2 + len(g.columns)
            if e.total is not None and e.scored:
                ws.write_number(r, k, _num(e.total), num_f)
            else:
                ws.write_blank(r, k, None, num_f)
            ws.write_string(r, k + 1, tier, cell_f)
            if e.coefficient is not None:
                ws.write_number(r, k + 2, _num(e.coefficient), pct_f)
            else:
                ws.write_blank(r, k + 2, None, pct_f)
            ws.write_string(r, k + 3, STATUS_LABELS.get(e.status, e.status), cell_f)
            ws.write_string(r, k + 4, zh(";".join(remarks)), wrap_f)
            r += 1
        last = max(3, r - 1)
        ncols = len(headers)
        tier_col = 2 + len(g.columns) + 1
        ws.freeze_panes(3, 2)
        ws.autofilter(2, 0, last, ncols - 1)
        ws.set_column(0, 0, 6)
        ws.set_column(1, 1, 24)
        ws.set_column(2, 1 + len(g.columns), 12)
        ws.set_column(tier_col - 1, tier_col - 1, 11)
        ws.set_column(tier_col, tier_col + 2, 11)
        ws.set_column(ncols - 1, ncols - 1, 48)
        if entries:
            labels = [t.label for t in ranking.tiers] if ranking.has_tiers else []
            for i, label in enumerate(labels):
                fmt = fail_f if label == ranking.veto_tier else tier_fmts[i % len(tier_fmts)]
                ws.conditional_format(
                    3,
                    0,
                    last,
                    ncols - 1,
                    {"type": "formula", "criteria": f'=${xl_col_to_name(tier_col)}4="{label}"', "format": fmt},
                )
            if not ranking.has_tiers:
                veto_rule = f'=${xl_col_to_name(tier_col)}4="{ranking.veto_label}"'
                ws.conditional_format(
                    3,
                    0,
                    last,
                    ncols - 1,
                    {"type": "formula", "criteria": veto_rule, "format": fail_f},
                )
        if g.ranked:
            chart = wb.add_chart({"type": "bar"})
            n = len(g.ranked)
            total_col = 2 + len(g.columns)
            chart.add_series(
                {
                    "name": "总分",
                    "categories": [ws.name, 3, 1, 3 + n - 1, 1],
                    "values": [ws.name, 3, total_col, 3 + n - 1, total_col],
                    "data_labels": {"value": True, "num_format": "General"},
                    "fill": {"color": "#4472C4"},
                    "gap": 60,
                }
            )
            chart.set_title({"name": f"{g.group}总分排名"})
            chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
            chart.set_x_axis({"min": 0, "max": _num(g.max), "major_gridlines": {"visible": True}})
            chart.set_legend({"none": True})
            chart.set_size({"width": 620, "height": max(300, 24 * n + 90)})
            ws.insert_chart(last + 4, 1, chart)  # under the table: the sheet still prints one page wide
        ws.write(
            last + 2,
            0,
            "说明:得分相同的单位排名相同(并列),其后名次顺延;否决单位与未完成评分的单位不参加排名,列于表末。",
            note_f,
        )
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(2)

    # 总体情况: tiers per group, part statistics per group
    ws = overview
    ws.write(0, 0, f"{report.info.name}总体情况", title_f)
    tt = report.tables["tiers"]
    ws.write_row(2, 0, list(tt.headers), head_f)
    for i, cells in enumerate(tt.rows, start=3):
        for j, text in enumerate(cells):
            if j > 0 and text.isdigit():
                ws.write_number(i, j, int(text), cell_f)
            else:
                ws.write_string(i, j, text, cell_f)
    r = 3 + len(tt.rows) + 1
    for g in ranking.groups:
        ws.write(r, 0, f"{g.group}各部分得分统计", title_f)
        r += 1
        ws.write_row(r, 0, ["项目", "满分", "平均分", "中位数", "最高分", "最低分", "最高分单位", "最低分单位"], head_f)
        r += 1
        for s in (*g.stats, g.total_stat):
            name = (
                "总分" if s.column.id == "total" else ("其中:" if s.column.depth else "") + short_title(s.column.title)
            )
            ws.write_string(r, 0, name, cell_f)
            for j, v in enumerate(
                (s.column.max if s.column.kind != "penalty" else None, s.mean, s.median, s.max, s.min)
            ):
                if v is None:
                    ws.write_blank(r, 1 + j, None, num_f)
                else:
                    ws.write_number(r, 1 + j, _num(v), num_f)
            ws.write_string(r, 6, "、".join(s.max_units), wrap_f)
            ws.write_string(r, 7, "、".join(s.min_units), wrap_f)
            r += 1
        r += 1
    ws.set_column(0, 0, 30)
    ws.set_column(1, 5, 11)
    ws.set_column(6, 7, 40)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)

    ws = wb.add_worksheet(sheet_name("主要问题", used))
    ws.write(0, 0, "失分较多的指标(按涉及单位数、累计失分排序)", title_f)
    ws.write_row(2, 0, ["序号", "分项", "指标", "涉及单位数", "累计失分", "否决次数", "涉及单位"], head_f)
    for i, x in enumerate(ranking.losses, start=1):
        at = 2 + i
        ws.write_number(at, 0, i, cell_f)
        ws.write_string(at, 1, short_title(x.part_title), cell_f)
        ws.write_string(at, 2, zh(x.label), wrap_f)
        ws.write_number(at, 3, x.count, cell_f)
        ws.write_number(at, 4, _num(x.lost), num_f)
        ws.write_number(at, 5, x.vetoes, cell_f)
        ws.write_string(at, 6, "、".join(x.unit_names), wrap_f)
    ws.freeze_panes(3, 0)
    if ranking.losses:
        ws.autofilter(2, 0, 2 + len(ranking.losses), 6)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 40)
    ws.set_column(3, 5, 11)
    ws.set_column(6, 6, 60)
    wb.close()
    return normalize_zip(buf.getvalue())


RECTIFY_HEADERS = ("序号", "分项", "指标", "检查对象", "评分细则", "检查发现", "分值", "得分", "失分", "否决")
RECTIFY_WIDTHS = (5, 10, 16, 12, 36, 36, 5, 5, 5, 12, 30, 12, 10)
RECTIFY_FONT = 10


def _row_height(cells: Sequence[str], widths: Sequence[float]) -> float:
    """Points for a row of wrapped text: the tallest cell's lines at 10 pt (Excel widths count
    narrow characters; a Chinese character takes about two)."""
    from math import ceil

    from zwgk_cli.report.docx import text_width

    lines = 1
    for text, width in zip(cells, widths, strict=False):
        if text:
            lines = max(lines, ceil(text_width(text) * 1.9 / max(1.0, width - 1)))
    return 13.0 * lines + 4


def rectify_xlsx(report: Report, unit: Mapping[str, Any]) -> bytes:
    """One unit's 整改清单: what lost points, and columns for the unit's plan (unlocked)."""
    info = report.info
    buf = io.BytesIO()
    wb = _workbook(buf, info, f"{unit['unit']}问题整改清单")
    base = {"font_name": "宋体", "font_size": RECTIFY_FONT}
    title_f = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    info_f = wb.add_format({**base, "text_wrap": True, "valign": "vcenter"})
    head = {**base, "bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"}
    head_f = wb.add_format({**head, "bg_color": "#D9D9D9"})
    plan_head_f = wb.add_format({**head, "bg_color": "#FFE699"})
    cell_f = wb.add_format({**base, "border": 1, "text_wrap": True, "valign": "top"})
    center_f = wb.add_format({**base, "border": 1, "align": "center", "valign": "top"})
    num_f = wb.add_format({**base, "border": 1, "align": "center", "valign": "top"})
    veto_f = wb.add_format({**base, "border": 1, "text_wrap": True, "valign": "top", "font_color": "#C00000"})
    plan_f = wb.add_format({**base, "border": 1, "text_wrap": True, "valign": "top", "locked": False})
    plan_f.set_bg_color("#FFF9E5")
    ws = wb.add_worksheet("整改清单")
    headers = [*RECTIFY_HEADERS, *PLAN_HEADERS]
    n = len(headers)
    ws.merge_range(0, 0, 0, n - 1, f"{unit['unit']}问题整改清单({info.name})", title_f)
    ws.set_row(0, 30)
    e: Entry = unit["entry"]
    facts = [f"分组:{unit['group']}"]
    if e.scored:
        facts.append(f"总分:{unit['total']}分(满分{unit['max']}分)")
        if unit["rank"]:
            facts.append(f"组内排名:第{unit['rank']}名")
        if unit["tier"]:
            facts.append(f"等次:{unit['tier']}")
    else:
        facts.append(f"评分状况:{unit['status']}({unit['pending_reason']})")
    if unit["vetoed"]:
        facts.append(f"否决原因:{unit['veto_reasons']}")
    facts.append(f"失分项:{unit['count']}项,合计失分{unit['lost']}分")
    ws.merge_range(1, 0, 1, n - 1, zh(";".join(facts)), info_f)
    ask = f"请于{info.deadline}前在黄色栏目中填写整改措施、责任科室及责任人、完成时限,报送{info.office}。"
    ws.merge_range(2, 0, 2, n - 1, zh(ask), info_f)
    ws.set_row(1, 20)
    ws.set_row(2, 20)
    ws.write_row(4, 0, list(RECTIFY_HEADERS), head_f)
    ws.write_row(4, len(RECTIFY_HEADERS), list(PLAN_HEADERS), plan_head_f)
    ws.set_row(4, 30)
    rows: Sequence[ProblemRow] = unit["rows"]
    for i, pr in enumerate(rows):
        r = 5 + i
        texts = (
            str(pr.no),
            pr.part,
            zh(pr.indicator),
            pr.target,
            pr.text,
            pr.found,
            "",
            "",
            "",
            zh(";".join(pr.vetoes)),
        )
        ws.set_row(r, _row_height(texts, RECTIFY_WIDTHS))
        ws.write_number(r, 0, pr.no, center_f)
        for j in (1, 2, 3, 4, 5):
            ws.write_string(r, j, texts[j], cell_f)
        for j, v in ((6, pr.max), (7, pr.points)):
            if v is None:
                ws.write_blank(r, j, None, num_f)
            else:
                ws.write_number(r, j, _num(v), num_f)
        ws.write_number(r, 8, _num(pr.lost), num_f)
        ws.write_string(r, 9, texts[9], veto_f)
        for j in range(len(PLAN_HEADERS)):
            ws.write_blank(r, len(RECTIFY_HEADERS) + j, None, plan_f)
    if not rows:
        ws.merge_range(5, 0, 5, n - 1, "未发现失分问题。" if e.scored else "评分未完成,补正评分表后重新生成。", cell_f)
    for j, wdt in enumerate(RECTIFY_WIDTHS):
        ws.set_column(j, j, wdt)
    ws.freeze_panes(5, 0)
    if rows:
        ws.autofilter(4, 0, 4 + len(rows), n - 1)
    ws.protect("", {"autofilter": True, "sort": False, "format_rows": True, "format_columns": True})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(4)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header(f'&C&"宋体"{unit["unit"]}问题整改清单')
    ws.set_footer("&C第 &P 页,共 &N 页")
    wb.close()
    return normalize_zip(buf.getvalue())


# ------------------------------------------------------------------ writing


@dataclass
class Outcome:
    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def write_file(path: Path, data: bytes) -> None:
    """Atomic write (temporary file, then rename), readable as the user's umask allows."""
    atomic_write_bytes(path, data)


def write_report(
    doc: Mapping[str, Any],
    out_dir: Path,
    *,
    campaign: Campaign | None = None,
    formats: Sequence[str] = FORMATS,
    template_dir: Path | None = None,
    convert_pdf: Callable[[Path, Path], Path] | None = None,
) -> Outcome:
    """Write every requested output into ``out_dir``; return the files and the problems.

    ``convert_pdf(docx, out_dir) → pdf`` defaults to LibreOffice (office.py); a missing
    LibreOffice is a P003 note, not an error.
    """
    report = build(doc, campaign)
    env = environment(template_dir)
    outcome = Outcome()
    for key, label in report.info.missing:
        outcome.problems.append(problem(Code.P_SETTING, field=key, label=label, placeholder=PLACEHOLDER))
    if report.ranking.pending:
        names = [e.unit for e in report.ranking.pending]
        outcome.problems.append(problem(Code.P_PENDING, count=len(names), units=join_names(names, 10)))
    for m in report.ranking.mismatches:
        outcome.problems.append(problem(Code.P_TIER, unit=m.unit, recorded=m.recorded, computed=m.computed))

    blocks = [Block(b.kind, zh(b.text), b.line) for b in notice_blocks(env, report)]
    tables = {k: zh_table(t) for k, t in report.tables.items()}
    ctx = dict(report.context, blocks=blocks, tables=tables, title=_title(blocks))
    rendered: dict[str, bytes] = {}
    if "html" in formats:
        rendered[f"{NOTICE_NAME}.html"] = render(env, "notice.html.j2", **ctx).encode("utf-8")
    if "md" in formats:
        rendered[f"{NOTICE_NAME}.md"] = render(env, "notice.md.j2", **ctx).encode("utf-8")
    if "docx" in formats or "pdf" in formats:
        try:
            rendered[f"{NOTICE_NAME}.docx"] = write_docx(
                blocks, tables, title=_title(blocks), author=report.info.office, created=report.info.stamp
            )
        except BlockError as exc:
            raise ReportError([problem(Code.P_TEMPLATE, name="notice.j2", detail=exc.message)]) from None
    if "xlsx" in formats:
        rendered[RANKING_NAME] = ranking_xlsx(report)
        for u in report.units:
            base = f"{RECTIFY_DIR}/{u['file']}"
            rendered[f"{base}.xlsx"] = rectify_xlsx(report, u)
    if "html" in formats:
        for u in report.units:
            page = render(env, "rectify.html.j2", **dict(report.context, u=u))
            rendered[f"{RECTIFY_DIR}/{u['file']}.html"] = page.encode("utf-8")
    # Rendering done: nothing is written before every template has succeeded.
    for rel, data in rendered.items():
        if rel.endswith(".docx") and "docx" not in formats:
            continue
        path = out_dir / rel
        write_file(path, data)
        outcome.files.append(path)
    if "pdf" in formats:
        _write_pdf(rendered[f"{NOTICE_NAME}.docx"], out_dir, outcome, convert_pdf)
    return outcome


SERIF_FAMILIES = (
    "Times New Roman",
    "仿宋",
    "仿宋_GB2312",
    "FangSong",
    "宋体",
    "SimSun",
    "方正小标宋简体",
    "楷体",
    "楷体_GB2312",
    "KaiTi",
)
SANS_FAMILIES = ("黑体", "SimHei")


def cjk_fontconfig(folder: Path) -> Path | None:
    """A fontconfig file that lets LibreOffice print 仿宋/宋体/楷体/黑体 with the CJK fonts that
    are installed (Noto CJK, Source Han …) when the 公文 fonts themselves are missing, as on
    most Linux machines.  The aliases only *accept* a substitute: an installed 仿宋 still wins.
    ``None`` where fontconfig is not used (Windows, macOS) or no CJK font is installed."""
    import shutil
    import subprocess
    import sys

    if sys.platform in ("win32", "darwin") or shutil.which("fc-list") is None:
        return None
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families = sorted({f.strip() for line in listed.splitlines() for f in line.split(",") if f.strip()})

    def pick(words: Sequence[str]) -> str | None:
        for w in words:
            for f in families:
                if w in f:
                    return f
        return None

    serif = pick(("Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif SC", "AR PL UMing", "Serif CJK"))
    sans = pick(("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi", "Sans CJK")) or serif
    serif = serif or sans
    if serif is None or sans is None:
        return None
    import os

    base = os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
    aliases = [(f, serif) for f in SERIF_FAMILIES] + [(f, sans) for f in SANS_FAMILIES]
    body = "".join(
        f'  <alias binding="same"><family>{html.escape(a)}</family><accept><family>{html.escape(b)}</family>'
        "</accept></alias>\n"
        for a, b in aliases
    )
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">{html.escape(base)}</include>\n{body}</fontconfig>\n',
        encoding="utf-8",
    )
    return conf


def _write_pdf(
    docx_bytes: bytes, out_dir: Path, outcome: Outcome, convert: Callable[[Path, Path], Path] | None
) -> None:
    import os
    import tempfile

    target = out_dir / f"{NOTICE_NAME}.pdf"
    with tempfile.TemporaryDirectory(prefix="zwgk-pdf-") as tmp:
        if convert is None:
            from zwgk_cli import office

            if office.find_soffice() is None:
                outcome.problems.append(problem(Code.P_NO_PDF))
                return
            conf = cjk_fontconfig(Path(tmp))

            def convert(src: Path, dst_dir: Path) -> Path:
                saved = os.environ.get("FONTCONFIG_FILE")
                if conf is not None:
                    os.environ["FONTCONFIG_FILE"] = str(conf)
                try:
                    return office.to_pdf([src], dst_dir)[0]
                finally:
                    if saved is None:
                        os.environ.pop("FONTCONFIG_FILE", None)
                    else:
                        os.environ["FONTCONFIG_FILE"] = saved

        src = Path(tmp) / f"{NOTICE_NAME}.docx"
        src.write_bytes(docx_bytes)
        try:
            data = convert(src, Path(tmp) / "out").read_bytes()
        except Exception as exc:  # any converter failure is reported, never raised
            outcome.problems.append(problem(Code.P_PDF, detail=str(exc)[:300]))
            return
    write_file(target, stable_pdf(data))
    outcome.files.append(target)


_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\()([^)]*)(\))")
_PDF_ID = re.compile(rb"(/ID\s*\[\s*<)([0-9A-Fa-f]+)(>\s*<)([0-9A-Fa-f]+)(>)")
_PDF_CHECKSUM = re.compile(rb"(/DocChecksum\s*/)([0-9A-Fa-f]+)")
_XMP_DATE = re.compile(rb"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)([^<]*)(</xmp:)")


def stable_pdf(data: bytes) -> bytes:
    """The PDF with its dates and document id fixed, same lengths (so xref offsets hold):
    the same DOCX gives the same PDF bytes."""
    import hashlib

    def same_length(fixed: bytes, old: bytes) -> bytes:
        return (fixed + b" " * len(old))[: len(old)] if len(old) >= len(fixed) else fixed[: len(old)]

    data = _PDF_DATE.sub(lambda m: m.group(1) + same_length(b"D:20000101000000Z", m.group(2)) + m.group(3), data)
    data = _XMP_DATE.sub(lambda m: m.group(1) + same_length(b"2000-01-01T00:00:00Z", m.group(2)) + m.group(3), data)
    data = _PDF_CHECKSUM.sub(lambda m: m.group(1) + b"0" * len(m.group(2)), data)
    digest = hashlib.sha256(_PDF_ID.sub(b"", data)).hexdigest().upper().encode()

    def fix_id(m: re.Match[bytes]) -> bytes:
        a = (digest * 4)[: len(m.group(2))]
        b = (digest * 4)[: len(m.group(4))]
        return m.group(1) + a + m.group(3) + b + m.group(5)

    return _PDF_ID.sub(fix_id, data)
