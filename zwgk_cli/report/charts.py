"""Inline SVG charts for the HTML notice: the distribution of totals and each unit's part points.
No JavaScript, no fonts fetched: the file stays self-contained."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from math import ceil

from markupsafe import Markup

from zwgk_cli.model import ZERO, fmt_points
from zwgk_cli.report.ranking import GroupRanking
from zwgk_cli.report.text import pts, short_title

# Presentation attributes (notice.css may restyle them: CSS wins over attributes).
COLOURS = {"bar": "#4472c4", "bar-vetoed": "#d9534f"}
SVG_FONTS = "Noto Sans CJK SC, Source Han Sans SC, 黑体, SimHei, sans-serif"
SEGMENTS = ("#4472c4", "#70ad47", "#ffc000", "#ed7d31", "#7f6bb3", "#5fb7c9", "#a5a5a5", "#9e480e")


def _n(x: Decimal | float | int) -> str:
    """An SVG coordinate with at most one decimal."""
    d = Decimal(str(x)).quantize(Decimal("0.1"))
    s = f"{d:f}"
    return s[:-2] if s.endswith(".0") else s


def _svg(w: int, h: int, title: str) -> list[str]:
    """The opening of a chart: the ``svg`` element and its title."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'role="img" aria-label="{escape(title)}" font-size="11" font-family="{SVG_FONTS}">',
        f'<text class="chart-title" x="{w // 2}" y="15" text-anchor="middle" font-size="14" font-weight="bold">'
        f"{escape(title)}</text>",
    ]


def _top(g: GroupRanking) -> Decimal:
    """The top of a chart's scale: the group's maximum (100 where it has none, or a hand-edited
    scores file gives it as 0 or less)."""
    return g.max if g.max is not None and g.max > 0 else Decimal(100)


def _step(top: Decimal, most: int) -> Decimal:
    """Steps of 10 points, or of a multiple of 10 where ``most`` steps would not reach ``top``."""
    return Decimal(10) * max(1, ceil(top / (10 * most)))


def histogram_svg(g: GroupRanking, title: str) -> Markup:
    """Units per 10-point band of the total, one bar per band; vetoed units counted in red."""
    top = _top(g)
    step = _step(top, 20)
    nbins = ceil(top / step)
    counts = [0] * nbins
    vetoes = [0] * nbins
    for e in (*g.ranked, *g.vetoed):
        if e.total is None:
            continue
        i = max(0, min(nbins - 1, int(e.total // step)))
        counts[i] += 1
        if e.vetoed:
            vetoes[i] += 1
    w, h, left, bottom, topm = 640, 200, 36, 34, 24
    plot_w, plot_h = w - left - 10, h - bottom - topm
    peak = max([*counts, 1])
    bw = Decimal(plot_w) / nbins
    parts = _svg(w, h, title)
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
            f'<text class="axis" x="{_n(x + bw / 2)}" y="{h - bottom + 14}" text-anchor="middle">{escape(label)}</text>'
        )
        for n, cls in ((counts[i], "bar"), (vetoes[i], "bar-vetoed")):
            if not n:
                continue
            bh = Decimal(plot_h) * n / peak
            parts.append(
                f'<rect class="{cls}" fill="{COLOURS[cls]}" x="{_n(x + 3)}" y="{_n(Decimal(topm + plot_h) - bh)}" '
                f'width="{_n(bw - 6)}" height="{_n(bh)}"><title>{escape(label)}分：{n}家</title></rect>'
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
    top = _top(g)
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
    out = _svg(w, h, title)
    for i, x0, y, name in legend:
        out.append(f'<rect class="seg-{i % 8}" fill="{SEGMENTS[i % 8]}" x="{x0}" y="{y}" width="10" height="10"/>')
        out.append(f'<text class="axis" x="{x0 + 14}" y="{y + 9}">{escape(name)}</text>')
    y0 = 30 + legend_h
    for k in range(0, int(top) + 1, int(_step(top, 10))):
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
            f"{escape(name)}</text>"
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
                f"<title>{escape(e.unit)} {escape(short_title(c.title))}：{fmt_points(v)}分</title></rect>"
            )
            x += bw
        total = pts(e.total) + ("（否决）" if e.vetoed else "")
        if e.penalties:
            total += f"（含扣分{fmt_points(e.penalties)}分）"
        out.append(f'<text class="value" x="{_n(x + 4)}" y="{y + 13}">{escape(total)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
