"""The notice as blocks, and blocks → a 公文-style DOCX (GB/T 9704-2012 as far as python-docx allows).

The ``notice.j2`` template gives one block per line, ``@kind text``; a line that does not start
with ``@`` continues the block above.  The same blocks go to HTML and Markdown by templates, and
to DOCX here: A4, margins 37/35/28/26 mm (the 版心 156 × 225 mm, 22 lines of 29 pt); a red
发文机关标志 and separator; title 二号 22 pt, body 仿宋 三号 16 pt; headings 一、（一）1. as
Word's Heading 1–3 (the navigation pane shows them); page numbers “— 1 —” outside on odd and
even pages; signature and date per 7.3.5.2; tables in 四号, or 小四 when their columns cannot
fit at 四号 (header rows repeated, rows never split, captions kept with their table); the 版记
(7.4) between a thick, a thin and a thick line.  ``@style`` blocks change the fonts.  The file
is deterministic: fixed core properties and zip entry dates.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import Any

from zwgk_cli.files import normalize_zip
from zwgk_cli.results.tables import text_width

BLOCK_KINDS = (
    "style",
    "letterhead",
    "number",
    "title",
    "recipients",
    "p",
    "h1",
    "h2",
    "h3",
    "table",
    "chart",
    "note",
    "attachments",
    "signature",
    "date",
    "pagebreak",
    "attachment",
    "attachment-title",
    "cc",
    "printer",
    "print-date",
)
IMPRINT_KINDS = ("cc", "printer", "print-date")  # the 版记, written once at the first of them

DEFAULT_STYLE: dict[str, str] = {
    "title_font": "方正小标宋简体",
    "body_font": "仿宋",
    "h1_font": "黑体",
    "h2_font": "楷体",
    "h3_font": "仿宋",
    "table_font": "仿宋",
    "table_header_font": "黑体",
    "latin_font": "Times New Roman",
    "page_number_font": "宋体",
    "letterhead_color": "FF0000",
    "body_size": "16",
    "title_size": "22",
    "table_size": "14",
    "table_size_wide": "12",
    "imprint_size": "14",
    "line_pitch": "29",
}


@dataclass(frozen=True)
class Block:
    kind: str
    text: str = ""
    line: int = 0


@dataclass(frozen=True)
class Table:
    """A table shared by every format: header cells, rows of text, alignment per column."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: str = ""  # one letter per column: l(eft), c(entre), r(ight), n (left, never wrapped: names)
    row_classes: tuple[str, ...] = ()  # css class per row (tiers, vetoes) for HTML
    empty: str = "无。"
    subheader: tuple[str, ...] = ()  # a second header row (the maxima: 分值 15 55 …)

    def align_of(self, col: int) -> str:
        return self.align[col] if col < len(self.align) else "c"


class BlockError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def parse_blocks(text: str) -> list[Block]:
    """``@kind text`` lines → blocks; other non-blank lines continue the previous block."""
    blocks: list[Block] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("@") and not line.startswith("@@"):
            kind, _, rest = line[1:].partition(" ")
            if kind not in BLOCK_KINDS:
                raise BlockError(n, f"第{n}行:未知的块类型“@{kind}”(可用:{'、'.join('@' + k for k in BLOCK_KINDS)})")
            blocks.append(Block(kind, rest.strip(), n))
            continue
        if line.startswith("@@"):
            line = line[1:]
        if not blocks:
            raise BlockError(n, f"第{n}行:正文须以“@类型”开头的块开始")
        last = blocks[-1]
        blocks[-1] = Block(last.kind, last.text + line, last.line)
    return blocks


def styles_of(blocks: Sequence[Block]) -> dict[str, str]:
    out = dict(DEFAULT_STYLE)
    for b in blocks:
        if b.kind == "style":
            key, _, value = b.text.partition(" ")
            if key not in DEFAULT_STYLE:
                raise BlockError(b.line, f"第{b.line}行:未知的样式“{key}”(可用:{'、'.join(DEFAULT_STYLE)})")
            out[key] = value.strip()
    return out


def notice_fonts(blocks: Sequence[Block]) -> list[str]:
    """The East-Asian fonts the DOCX names (title, body, headings, tables, page numbers)."""
    style = styles_of(blocks)
    keys = ("title_font", "body_font", "h1_font", "h2_font", "h3_font", "table_font", "table_header_font")
    return list(dict.fromkeys([*(style[k] for k in keys), style["page_number_font"]]))


WIDTH_MM = 156.0  # the 版心


@dataclass
class _Ctx:
    style: dict[str, str]
    doc: Any

    def size(self, key: str) -> float:
        return float(self.style[key])


def _el(tag: str, attrs: Mapping[str, str] | None = None, text: str | None = None, *children: Any) -> Any:
    """An OOXML element with its attributes (in this order), text and children."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(tag)
    for key, value in (attrs or {}).items():
        el.set(qn(key), value)
    if text is not None:
        el.text = text
    el.extend(children)
    return el


def _set_fonts(rpr_owner: Any, east_asia: str, latin: str) -> None:
    from docx.oxml.ns import qn

    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)  # a theme font would win over the names below
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def _run(paragraph: Any, text: str, ctx: _Ctx, font: str, size: float, bold: bool = False, color: str = "") -> Any:
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    _set_fonts(run._r, font, ctx.style["latin_font"])
    return run


def _para(
    ctx: _Ctx,
    text: str = "",
    *,
    font: str | None = None,
    size: float | None = None,
    align: str = "justify",
    indent_chars: float = 2,
    color: str = "",
    style: str | None = None,
    exact: float | None = None,
    right_chars: float = 0,
    left_chars: float = 0,
    keep_next: bool = False,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    p = ctx.doc.add_paragraph(style=style) if style else ctx.doc.add_paragraph()
    fmt = p.paragraph_format
    body = ctx.size("body_size")
    fmt.alignment = getattr(WD_ALIGN_PARAGRAPH, align.upper())
    fmt.first_line_indent = Pt(body * indent_chars)
    fmt.left_indent = Pt(body * left_chars)
    fmt.right_indent = Pt(body * right_chars)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(exact if exact is not None else ctx.size("line_pitch"))
    fmt.widow_control = True
    fmt.keep_with_next = keep_next
    if text:
        _run(p, text, ctx, font or ctx.style["body_font"], size or body, color=color)
    return p


def _keep_last_with_next(ctx: _Ctx) -> None:
    paragraphs = ctx.doc.paragraphs
    if paragraphs:
        paragraphs[-1].paragraph_format.keep_with_next = True


def _blank(ctx: _Ctx) -> None:
    _para(ctx, "", indent_chars=0)


def _page_number(paragraph: Any, ctx: _Ctx, align: str) -> None:
    """“— 1 —” in 四号, one character in from the edge."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    size = 14.0  # 四号
    fmt = paragraph.paragraph_format
    if align == "right":
        fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt(size)
    else:
        fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
        fmt.left_indent = Pt(size)
    font = ctx.style["page_number_font"]
    _run(paragraph, "— ", ctx, font, size)
    for el in (
        _el("w:fldChar", {"w:fldCharType": "begin"}),
        _el("w:instrText", {"xml:space": "preserve"}, " PAGE "),
        _el("w:fldChar", {"w:fldCharType": "separate"}),
        _el("w:t", {}, "1"),
        _el("w:fldChar", {"w:fldCharType": "end"}),
    ):
        _run(paragraph, "", ctx, font, size)._r.append(el)
    _run(paragraph, " —", ctx, font, size)


def _border_bottom(paragraph: Any, color: str) -> None:

    bdr = _el("w:pBdr", {}, None, _el("w:bottom", {"w:val": "single", "w:sz": "12", "w:space": "8", "w:color": color}))
    # pBdr goes before spacing/ind/jc in CT_PPr's sequence
    _insert(
        paragraph._p.get_or_add_pPr(), bdr, ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc")
    )


def _insert(parent: Any, el: Any, before: Sequence[str]) -> None:
    """``el`` into ``parent`` before the first of the ``before`` tags there, else last: OOXML's
    element order (Word rejects elements out of order)."""
    from docx.oxml.ns import qn

    anchor = next((x for tag in before if (x := parent.find(qn(tag))) is not None), None)
    if anchor is not None:
        anchor.addprevious(el)
    else:
        parent.append(el)


def _restyle(ctx: _Ctx) -> None:
    """Normal, Heading 1–3 and Title restyled as 公文 text (no colours, no theme fonts)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    doc = ctx.doc
    body = ctx.size("body_size")
    normal = doc.styles["Normal"]
    normal.font.size = Pt(body)
    _set_fonts(normal.element, ctx.style["body_font"], ctx.style["latin_font"])
    normal.element.get_or_add_rPr().append(_el("w:lang", {"w:val": "en-US", "w:eastAsia": "zh-CN"}))
    for name, font, bold in (
        ("Heading 1", ctx.style["h1_font"], False),
        ("Heading 2", ctx.style["h2_font"], False),
        ("Heading 3", ctx.style["h3_font"], True),
        ("Title", ctx.style["title_font"], False),
    ):
        st = doc.styles[name]
        st.font.size = Pt(ctx.size("title_size") if name == "Title" else body)
        st.font.bold = bold
        st.font.italic = False
        st.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(st.element, font, ctx.style["latin_font"])
        st_rpr = st.element.get_or_add_rPr()
        for tag in ("w:u", "w:caps", "w:spacing", "w:kern"):
            for el in st_rpr.findall(qn(tag)):
                st_rpr.remove(el)
        ppr = st.element.get_or_add_pPr()
        for el in ppr.findall(qn("w:pBdr")):
            ppr.remove(el)
        st.paragraph_format.space_before = Pt(0)
        st.paragraph_format.space_after = Pt(0)


def _setup_page(ctx: _Ctx) -> None:
    from docx.shared import Mm

    section = ctx.doc.sections[0]
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(37)
    section.bottom_margin = Mm(35)
    section.left_margin = Mm(28)
    section.right_margin = Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(20)
    ctx.doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        _page_number(p, ctx, align)


def _cell_text(cell: Any, text: str, ctx: _Ctx, align: str, header: bool, size: float) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    fmt = p.paragraph_format
    fmt.alignment = {"l": WD_ALIGN_PARAGRAPH.LEFT, "n": WD_ALIGN_PARAGRAPH.LEFT, "r": WD_ALIGN_PARAGRAPH.RIGHT}.get(
        "c" if header else align, WD_ALIGN_PARAGRAPH.CENTER
    )
    fmt.first_line_indent = Pt(0)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(round(size * 1.45, 1))
    font = ctx.style["table_header_font"] if header else ctx.style["table_font"]
    _run(p, text, ctx, font, size)


CELL_MARGIN_TWIPS = 45  # 0.08 cm each side (Word's default is 0.19 cm)
CELL_PADDING = 0.8  # characters: the cell margins and some air (a substitute font may be wider)
_BREAK_BEFORE = re.compile(r"(?=[（(])")


def _is_cjk(text: str) -> bool:
    return any(ord(c) >= 0x2E80 for c in text)


def _narrowest(text: str) -> float:
    """The narrowest a short cell may be: a name or a tier (Chinese text) on two lines, a
    number never broken, “2（并列）” broken before its bracket as Word breaks it."""
    pieces = [x for x in _BREAK_BEFORE.split(text) if x]
    widest = max([text_width(x) for x in pieces] + [0.0])
    plain = [x for x in pieces if _is_cjk(x) and not any(c.isdigit() for c in x)]
    if plain and len(text) > 3:
        return max(max(ceil(text_width(x) / 2) for x in plain), *(text_width(x) for x in pieces if x not in plain), 0.0)
    return widest


def column_widths(table: Table, available: float) -> list[float]:
    """Column widths in characters of the table's font, filling ``available``.

    Each column starts as wide as its widest cell (long text at most 40) with its header on at
    most two lines.  When that is too wide, the room is taken in this order: long text
    columns (存在问题, 否决原因) down to eight characters and headers down to four lines; then
    unit names onto two lines.  Numbers, ranks and tiers never wrap.
    """
    levels = _width_levels(table)
    out = [w for w, _, _ in levels]
    for stage in (1, 2):
        over = sum(out) - available
        if over <= 0:
            break
        floor = [lv[stage] for lv in levels]
        extra = sum(w - f for w, f in zip(out, floor, strict=True))
        if extra > 0:
            cut = min(1.0, over / extra)
            out = [w - (w - f) * cut for w, f in zip(out, floor, strict=True)]
    total = sum(out)
    return [w * available / total for w in out]


def _width_levels(table: Table) -> list[tuple[float, float, float]]:
    """Per column: (wanted, with the data whole, narrowest) widths in characters."""
    out = []
    for j, head in enumerate(table.headers):
        cells = [row[j] for row in table.rows if j < len(row)] + list(table.subheader[j : j + 1])
        widest = max([text_width(c) for c in cells] + [1.0])
        long_text = widest > 12 and table.align_of(j) != "n"  # names wrap, at most onto two lines
        # Headers of one or two characters (序号, 失分) are never broken; longer ones take ≤ 4 lines.
        lines = [text_width(x) for x in head.split("\n")]
        short = max([x for x in lines if x <= 2] + [0.0])
        # A header line in brackets (the maximum: “（30分）”) is never broken; others take ≤ 4 lines.
        unbroken = max([text_width(x) for x in head.split("\n") if x[:1] in "(（"] + [0.0])
        if long_text:
            narrow = 8.0
        elif table.align_of(j) == "n":  # names: onto two lines when the table needs the room
            narrow = max([_narrowest(c) for c in cells] + [1.0])
        else:  # numbers, ranks, tiers: whole
            narrow = widest
        need = max(narrow, unbroken, short, max(lines) / 4) + CELL_PADDING
        whole = max(8.0 if long_text else widest, unbroken, short, max(lines) / 4) + CELL_PADDING
        want = max(min(widest, 40.0), max(lines) / 2, unbroken) + CELL_PADDING
        out.append((max(want, whole), max(whole, need), need))
    return out


def table_size(ctx: _Ctx, table: Table) -> float:
    """四号 (14 pt) when the table fits the 版心 at that size with its names, tiers and numbers
    whole, else 小四 (12 pt): the sizes a printed 公文's tables use (GB/T 9704 sets the body at
    三号; tables are commonly printed a size or two smaller, never below 小四)."""
    size = ctx.size("table_size")
    if sum(whole for _, whole, _ in _width_levels(table)) <= WIDTH_MM / (size * 25.4 / 72):
        return size
    return min(size, ctx.size("table_size_wide"))


def _cell_margins(twips: int) -> Any:
    sides = (_el(f"w:{side}", {"w:w": str(twips), "w:type": "dxa"}) for side in ("left", "right"))
    return _el("w:tblCellMar", {}, None, *sides)


def _table(ctx: _Ctx, table: Table) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    if not table.rows:
        _para(ctx, table.empty)
        return
    heads = [table.headers] + ([table.subheader] if table.subheader else [])
    t = ctx.doc.add_table(rows=len(heads) + len(table.rows), cols=len(table.headers))
    t.style = ctx.doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    size = table_size(ctx, table)
    chars = column_widths(table, WIDTH_MM / (size * 25.4 / 72))
    widths = [Mm(c * size * 25.4 / 72) for c in chars]
    # autofit=False already wrote <w:tblLayout w:type="fixed"/>; the cell margins follow it.
    _insert(t._tbl.tblPr, _cell_margins(CELL_MARGIN_TWIPS), ("w:tblLook",))
    for i, row in enumerate(t.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        header = i < len(heads)
        if header:
            tr_pr.append(OxmlElement("w:tblHeader"))
        values = heads[i] if header else table.rows[i - len(heads)]
        for j, cell in enumerate(row.cells):
            cell.width = widths[j]
            _cell_text(cell, values[j] if j < len(values) else "", ctx, table.align_of(j), header, size)
            if header:  # the header rows never end a page: they stay with the first row
                cell.paragraphs[0].paragraph_format.keep_with_next = True
    grid = t._tbl.tblGrid
    for j, col in enumerate(grid.findall(qn("w:gridCol"))):
        col.set(qn("w:w"), str(int(widths[j].twips)))


NOTE_SIZE = 14.0  # 四号: notes and captions of tables
NOTE_PITCH = 22.0
IMPRINT_THICK = 8  # eighths of a point: 1 pt ≈ 0.35 mm (GB/T 9704-2012 7.4.1: 首条、末条分隔线)
IMPRINT_THIN = 6  # 0.75 pt ≈ 0.26 mm (中间的分隔线, 0.25 mm)


def _imprint(ctx: _Ctx, parts: Mapping[str, str]) -> None:
    """The 版记 (GB/T 9704-2012 7.4): “抄送：…。” on its line, then the 印发机关 at the left and
    “…印发” at the right, each one character in from the edge, 仿宋 四号, between lines as
    wide as the 版心: first and last thick, the one between thin.  A table of two rows that
    is never split, so it stays whole on the last page."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    size = ctx.size("imprint_size")
    cc, printer, date = parts.get("cc", ""), parts.get("printer", ""), parts.get("print-date", "")
    rows = ([("抄送:" + cc.rstrip("。") + "。", "")] if cc else []) + [(printer, date + "印发" if date else "")]
    _para(ctx, "", indent_chars=0, keep_next=True)
    t = ctx.doc.add_table(rows=len(rows), cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    thick = {"w:val": "single", "w:sz": str(IMPRINT_THICK), "w:space": "0", "w:color": "000000"}
    thin, none = {**thick, "w:sz": str(IMPRINT_THIN)}, {"w:val": "nil"}
    sides = zip(
        ("top", "left", "bottom", "right", "insideH", "insideV"), (thick, none, thick, none, thin, none), strict=True
    )
    borders = _el("w:tblBorders", {}, None, *(_el(f"w:{side}", attrs) for side, attrs in sides))
    for el in (borders, _cell_margins(0)):
        _insert(t._tbl.tblPr, el, ("w:tblLook",))
    half = Mm(WIDTH_MM / 2)
    for i, (left, right) in enumerate(rows):
        row = t.rows[i]
        row._tr.get_or_add_trPr().append(_el("w:cantSplit"))
        a, b = row.cells
        cells = [(a, left, "left"), (b, right, "right")] if right else [(a.merge(b), left, "left")]
        for cell, text, align in cells:
            cell.width = half if right else Mm(WIDTH_MM)
            p = cell.paragraphs[0]
            fmt = p.paragraph_format
            # 回行时与冒号后的首字对齐 (GB/T 9704-2012 7.4.2): a hanging indent of 抄送：
            hanging = text.startswith("抄送:")
            fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT if align == "left" else WD_ALIGN_PARAGRAPH.RIGHT
            fmt.left_indent = Pt(size * 4 if hanging else size if align == "left" else 0)
            fmt.right_indent = Pt(size) if align == "right" or not right else Pt(0)
            fmt.first_line_indent = Pt(-size * 3 if hanging else 0)
            fmt.space_before = Pt(0)
            fmt.space_after = Pt(0)
            fmt.line_spacing = Pt(ctx.size("line_pitch"))
            fmt.keep_with_next = i < len(rows) - 1
            _run(p, text.replace("抄送:", "抄送："), ctx, ctx.style["body_font"], size)
    grid = t._tbl.tblGrid
    for col in grid.findall(qn("w:gridCol")):
        col.set(qn("w:w"), str(int(half.twips)))


TITLE_BREAKS = ("结果的通报", "情况的通报", "的通报", "通报")


def title_lines(title: str, capacity: float) -> list[str]:
    """A title too long for one line is broken before its 文种 (…结果的通报), so that no word
    is cut in two; otherwise it is left to the word processor.  Word processors put a little
    space between Chinese and Latin text (2021年): the line is taken as 5% shorter."""
    capacity *= 0.95
    if text_width(title) <= capacity:
        return [title]
    for tail in TITLE_BREAKS:
        at = title.rfind(tail)
        if at > 0 and text_width(title[:at]) <= capacity:
            return [title[:at], title[at:]]
    return [title]


def _date_width(text: str) -> float:
    """Width in body characters: digits and latin letters are half a character."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def write_docx(
    blocks: Sequence[Block], tables: Mapping[str, Table], *, title: str, author: str, created: datetime
) -> bytes:
    """Render blocks to DOCX bytes (deterministic)."""
    import docx
    from docx.enum.text import WD_BREAK

    style = styles_of(blocks)
    ctx = _Ctx(style, docx.Document())
    _restyle(ctx)
    _setup_page(ctx)
    body, title_size = ctx.size("body_size"), ctx.size("title_size")
    title_pitch = round(title_size * 1.6, 1)
    centred: dict[str, Any] = {"align": "center", "indent_chars": 0}
    signature = next((b.text for b in blocks if b.kind == "signature"), "")
    in_attachment = False
    imprinted = False
    for b in blocks:
        k = b.kind
        if k in ("style", "chart"):
            continue
        if k == "letterhead":
            if not b.text:
                continue
            size = max(22.0, min(36.0, (WIDTH_MM / 25.4 * 72) / max(1.0, _date_width(b.text)) * 0.92))
            color = style["letterhead_color"]
            _para(ctx, b.text, font=style["title_font"], size=size, color=color, exact=size * 1.5, **centred)
        elif k == "number":
            p = _para(ctx, b.text, **centred)
            _border_bottom(p, style["letterhead_color"])
        elif k == "title":
            text = title_lines(b.text, WIDTH_MM / 25.4 * 72 / title_size)
            p = _para(ctx, "", style="Title", exact=title_pitch, **centred)
            for n, line in enumerate(text):
                run = _run(p, line, ctx, style["title_font"], title_size)
                if n < len(text) - 1:
                    run.add_break()
        elif k == "recipients":
            _para(ctx, b.text, indent_chars=0)
        elif k == "p":
            # A sentence introducing what follows (ending in “：”) stays on the page of what follows.
            _para(ctx, b.text, keep_next=b.text.endswith(("：", ":")))
        elif k == "note":
            _para(ctx, b.text, size=NOTE_SIZE, exact=NOTE_PITCH)
        elif k in IMPRINT_KINDS:
            if not imprinted:
                _imprint(ctx, {x.kind: x.text for x in blocks if x.kind in IMPRINT_KINDS})
                imprinted = True
        elif k in ("h1", "h2", "h3"):
            level = int(k[1])
            font = style[f"{k}_font"]
            p = _para(ctx, "", style=f"Heading {level}", keep_next=True)
            _run(p, b.text, ctx, font, body, bold=level == 3)
        elif k == "table":
            tbl = tables.get(b.text)
            if tbl is None:
                raise BlockError(b.line, f"第{b.line}行:没有名为“{b.text}”的表格")
            if tbl.rows:
                _keep_last_with_next(ctx)  # a caption never ends a page whose table starts the next
            _table(ctx, tbl)
            _para(ctx, "", indent_chars=0, exact=12 if not in_attachment else 8)
        elif k == "attachments":
            _keep_last_with_next(ctx)
            _para(ctx, "", indent_chars=0, keep_next=True)
            _para(ctx, b.text, left_chars=2, indent_chars=0, keep_next=True)
        elif k == "signature":
            # GB/T 9704: the signature and date never stand alone on a page: the last lines
            # of the body (or the 附件说明) move with them.
            _keep_last_with_next(ctx)
            _para(ctx, "", indent_chars=0, keep_next=True)
            _para(ctx, "", indent_chars=0, keep_next=True)
            date = next((x.text for x in blocks if x.kind == "date"), "")
            sig_w, date_w = _date_width(b.text), _date_width(date)
            right = max(2.0, date_w + 2 - sig_w)
            _para(ctx, b.text, align="right", indent_chars=0, right_chars=right, keep_next=True)
        elif k == "date":
            sig_w, date_w = _date_width(signature), _date_width(b.text)
            right = max(0.0, sig_w - date_w) if signature else 4.0
            if signature and date_w + 2 - sig_w > 2:
                right = 0.0
            _para(ctx, b.text, align="right", indent_chars=0, right_chars=right)
        elif k in ("pagebreak", "attachment"):
            ctx.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        if k == "attachment":
            in_attachment = True
            _para(ctx, b.text, font=style["h1_font"], indent_chars=0, align="left")
        elif k == "attachment-title":
            _para(ctx, b.text, font=style["title_font"], size=title_size, exact=title_pitch, **centred)
        if k in ("letterhead", "number", "title", "attachment", "attachment-title"):
            _blank(ctx)  # a blank line after each
    props = ctx.doc.core_properties
    # set in core.xml's order
    for key, value in {"title": title, "author": author, "last_modified_by": author}.items():
        setattr(props, key, value)
    for key in ("created", "modified", "last_printed"):
        setattr(props, key, created)
    props.revision = 1
    for key, value in {"comments": "", "keywords": "", "subject": "", "category": "通报", "language": "zh-CN"}.items():
        setattr(props, key, value)
    buf = io.BytesIO()
    ctx.doc.save(buf)
    return normalize_zip(buf.getvalue())
