"""A direct reader for the worksheets zwgk issues, as they come back from Excel, WPS and
LibreOffice: values of the cells the reader asks for, straight from the sheet XML.

It reads the plain, common shape of a worksheet part (``<c r="F12" s="3" t="s"><v>7</v></c>``)
and nothing else: whenever a part holds anything it does not fully understand — a namespace
prefix, a cell without its address or with an unusual one (``f5``), a date or time format on a
number, a rich or escaped string it would have to interpret, a comment or processing
instruction (a tag inside one is not a tag), a cell written twice, a number only Python would
read (``1_000``) — it raises :class:`Unsupported`, and the caller reads the workbook with
python-calamine instead.  So, for well-formed parts, its answers are either
exactly what the general reader would give or not given at all (``tests/test_xlsxscan.py`` and
``tests/test_roundtrip.py`` hold both readers to that on the hostile corpus and on openpyxl-,
LibreOffice- and Excel-style workbooks).  It does not check the markup it does not read: a part
broken outside the cells asked for goes unnoticed here where calamine might refuse the sheet.

Why it exists: a returned workbook is read for a few hundred cells.  Parsing every part of it
with a general reader costs more than the whole rest of scoring; scanning the bytes of the few
parts that matter with compiled regular expressions is several times cheaper.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, NamedTuple


class Unsupported(Exception):
    """Something this reader does not interpret; read the workbook with the general reader."""


# ------------------------------------------------------------------ shared strings

_FOREIGN_SST = re.compile(rb"<\w+:(?:si|t|r)\b")
_FOREIGN_HINT = re.compile(rb":(?:si|t|r)[\s>/]")  # in every prefixed tag above; a literal scan, ~3× cheaper
_SIMPLE_SI = re.compile(rb"<t(\s[^>]*)?>([^<]*)</t>\s*</si>|<t(?:\s[^>]*)?/>\s*</si>")
_RUN_TEXT = re.compile(rb"<t(\s[^>]*)?>([^<]*)</t>|<t(?:\s[^>]*)?/>")
_PHONETIC_PR = re.compile(rb"<phoneticPr\b[^>]*/>")
_ESCAPED = re.compile(rb"_x[0-9A-Fa-f]{4}_")


_NAMED = ((b"&lt;", b"<"), (b"&gt;", b">"), (b"&quot;", b'"'), (b"&apos;", b"'"))
_REFERENCE = re.compile(rb"&(?:#x([0-9A-Fa-f]{1,6})|#([0-9]{1,7})|(amp|lt|gt|quot|apos));")
_PREDEFINED = {b"amp": b"&", b"lt": b"<", b"gt": b">", b"quot": b'"', b"apos": b"'"}


def _reference(m: re.Match[bytes]) -> bytes:
    hexa, dec, name = m.groups()
    if name is not None:
        return _PREDEFINED[name]
    code = int(hexa, 16) if hexa is not None else int(dec)
    if not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0xFFFF < code <= 0x10FFFF):
        raise Unsupported("character reference")  # not a character XML allows
    return chr(code).encode("utf-8")


def unescape(raw: bytes) -> bytes:
    """XML's five predefined entities and character references, resolved in the bytes (they are
    ASCII, so this is exact and much cheaper than on text); any other ``&`` — an entity only a
    DTD could define, or a bare ampersand — is left to the general reader."""
    if b"&#" in raw:
        out, found = _REFERENCE.subn(_reference, raw)
        if found != raw.count(b"&"):
            raise Unsupported("entity")
        return out
    total, found = raw.count(b"&"), raw.count(b"&amp;")
    for ref, char in _NAMED:  # ``&amp;`` last: ``&amp;lt;`` is the text "&lt;"
        n = raw.count(ref)
        if n:
            raw = raw.replace(ref, char)
            found += n
    if found != total:
        raise Unsupported("entity")
    return raw.replace(b"&amp;", b"&") if b"&amp;" in raw else raw


def text(raw: bytes) -> str:
    """XML character data → text: line ends normalised as XML parsers do (``\r\n`` and ``\r`` →
    ``\n``, before references, so ``&#13;`` stays), references resolved; an OOXML ``_xHHHH_``
    escape or a byte that is not UTF-8 is left to the general reader."""
    if b"_x" in raw and _ESCAPED.search(raw) is not None:
        raise Unsupported("escaped character")
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"&" in raw:
        raw = unescape(raw)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Unsupported("not UTF-8") from None


_EDGE = b" \t\r\n&;"  # bytes a text with whitespace at an end may start or end with (``&#32;``)


def bare_text(raw: bytes) -> str:
    """:func:`text` of a ``<t>`` without ``xml:space="preserve"``: the general reader trims such a
    text, so one with whitespace at either end is left to it."""
    out = text(raw)
    if out and (out[0] in " \t\n\r" or out[-1] in " \t\n\r"):
        raise Unsupported("whitespace at the ends of a text")
    return out


def _runs_text(body: bytes) -> str:
    """The text of a rich string's runs (its reading guides already removed), decoded as one."""
    runs = _RUN_TEXT.findall(body)
    if b"<t>" in body or b'space="default"' in body:  # LibreOffice writes xml:space="preserve" on every run
        for attrs, raw in runs:
            if raw and (raw[:1] in _EDGE or raw[-1:] in _EDGE) and b"preserve" not in attrs:
                bare_text(raw)  # raises when it is whitespace that the general reader would trim
    return text(b"".join(raw for _, raw in runs))


def _drop_phonetic(body: bytes) -> bytes:
    """Excel's reading guides (``<rPh>…</rPh>``, ``<rPh …/>``, ``<phoneticPr …/>``) removed, in
    one pass (a pattern matching up to the next ``</rPh>`` is quadratic on many of them)."""
    out: list[bytes] = []
    pos = 0
    while True:
        i = body.find(b"<rPh", pos)
        if i < 0:
            break
        close = body.find(b">", i)
        if close < 0:
            raise Unsupported("shared string")
        out.append(body[pos:i])
        if body[close - 1] == 0x2F:  # <rPh …/>
            pos = close + 1
            continue
        end = body.find(b"</rPh>", close)
        if end < 0:
            raise Unsupported("shared string")
        pos = end + 6
    out.append(body[pos:])
    joined = b"".join(out)
    return _PHONETIC_PR.sub(b"", joined) if b"<phoneticPr" in joined else joined


def check_markup(xml: bytes) -> None:
    """A part this reader finds things in by their tags holds no comment, CDATA section,
    document type or processing instruction (past the XML declaration): a tag inside one of
    those is not markup, and would be found as if it were.  ``!`` and ``?`` are rare bytes, so
    this costs a couple of microseconds a part."""
    for mark in (b"!", b"?"):
        i = xml.find(mark)
        while i >= 0:
            if i and xml[i - 1] == 0x3C and not (mark == b"?" and i - 1 in (0, 3) and xml.startswith(b"xml", i + 1)):
                raise Unsupported("comment, CDATA or processing instruction")
            i = xml.find(mark, i + 1)


def _t_text(attrs: bytes | None, raw: bytes | None) -> str:
    """The text of one ``<t>`` (its attributes and character data as matched)."""
    if not raw:
        return ""
    if b"preserve" not in (attrs or b"") and (raw[:1] in _EDGE or raw[-1:] in _EDGE):
        return bare_text(raw)
    return text(raw)


class SharedStrings:
    """The shared-string table, split once and decoded entry by entry as cells ask for them."""

    def __init__(self, xml: bytes | None):
        if xml is None:
            self._raw: list[bytes] = []
        else:
            check_markup(xml)
            if _FOREIGN_HINT.search(xml) is not None and _FOREIGN_SST.search(xml) is not None:
                raise Unsupported("shared strings")
            self._raw = xml.split(b"<si>")[1:]
            if xml.count(b"<si") != len(self._raw):  # an entry written <si/> or <si …>: the split would skip it
                raise Unsupported("shared strings")
        self._done: dict[int, str] = {}

    def index_of(self, plain: bytes) -> int | None:
        """The index of the entry that is exactly ``plain`` (an XML text without markup or references)."""
        for entry in (b"<t>" + plain + b"</t></si>", b'<t xml:space="preserve">' + plain + b"</t></si>"):
            try:
                return self._raw.index(entry)
            except ValueError:
                continue
        return None

    def __getitem__(self, index: int) -> str:
        hit = self._done.get(index)
        if hit is not None:
            return hit
        if not 0 <= index < len(self._raw):
            raise Unsupported("shared string index")
        entry = self._raw[index]
        if entry[:3] == b"<t>" and entry[-9:] == b"</t></si>" and b"<" not in entry[3:-9]:  # the plain shape
            out = _t_text(None, entry[3:-9])
            self._done[index] = out
            return out
        m = _SIMPLE_SI.match(entry)
        if m is not None:
            out = _t_text(m.group(1), m.group(2))
        else:
            end = entry.find(b"</si>")
            if end < 0:
                raise Unsupported("shared string")
            body = entry[:end]
            if b"<rPh" in body or b"<phoneticPr" in body:
                body = _drop_phonetic(body)
            if b"<r>" not in body and b"<r " not in body:
                m = _SIMPLE_SI.match(body + b"</si>")
                if m is None:
                    raise Unsupported("shared string")
                out = _t_text(m.group(1), m.group(2))
            else:
                out = _runs_text(body)
        self._done[index] = out
        return out


# ------------------------------------------------------------------ number formats

_NUMFMT = re.compile(rb'<(?:\w+:)?numFmt\b[^>]*?numFmtId="([0-9]+)"[^>]*?formatCode="([^"]*)"')
_CELLXFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)")
_XF_NUMFMT = re.compile(rb'\bnumFmtId="([0-9]+)"')
# built-in formats that show a number as a number (General, 0, 0.00, #,##0, %, 0.00E+00, fractions,
# accounting, text): a value in any other format may be a date or time to the general reader
PLAIN_BUILTIN = frozenset({0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 37, 38, 39, 40, 48, 49})
PERCENT_BUILTIN = frozenset({9, 10})
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_ELAPSED = re.compile(r"\[(?:h+|m+|s+)\]", re.I)


@dataclass(frozen=True)
class Styles:
    """Which cell formats (``s=``) show numbers as plain numbers, and which as percentages."""

    plain: frozenset[int]
    percent: frozenset[int]


def _format_kind(code: str) -> str:
    """``date`` (anything the general reader may take for a date or a time, generously: then the
    value is its to read), ``percent`` or ``plain``."""
    if _ELAPSED.search(code):  # [h]:mm, [mm]:ss: a duration
        return "date"
    bare = _QUOTED.sub("", code)
    if re.search(r"[yYmMdDhHsSeEgGbBaApP年月日时分秒]", bare.replace("General", "")):  # a/p: A/P, AM/PM
        return "date"
    return "percent" if "%" in bare else "plain"


def format_kind(fid: int, codes: dict[int, str]) -> str:
    """The kind of number format ``fid`` (a custom code overrides a built-in id)."""
    code = codes.get(fid)
    if code is not None:
        return _format_kind(code)
    if fid in PERCENT_BUILTIN:
        return "percent"
    return "plain" if fid in PLAIN_BUILTIN else "date"


def number_formats(xml: bytes) -> tuple[dict[int, str], list[int] | None]:
    """A styles part's custom format codes by id, and each cell format's (``s=``) format id
    (``None``: the part has no cell formats)."""
    codes = {int(m.group(1)): html.unescape(m.group(2).decode("utf-8", "replace")) for m in _NUMFMT.finditer(xml)}
    xfs = _CELLXFS.search(xml)
    if xfs is None:
        return codes, None
    ids = []
    for m in _XF.finditer(xfs.group(1)):
        f = _XF_NUMFMT.search(m.group(1))
        ids.append(int(f.group(1)) if f else 0)
    return codes, ids


def styles(xml: bytes | None) -> Styles:
    if xml is None:
        return Styles(frozenset({0}), frozenset())
    if re.search(rb"<\w+:(?:xf|numFmt|cellXfs)\b", xml) is not None:
        raise Unsupported("styles")
    codes, ids = number_formats(xml)
    plain: set[int] = set()
    percent: set[int] = set()
    for i, fid in enumerate(ids or ()):
        kind = format_kind(fid, codes)
        if kind == "percent":
            percent.add(i)
            plain.add(i)
        elif kind == "plain":
            plain.add(i)
    if ids is None:
        plain.add(0)
    return Styles(frozenset(plain), frozenset(percent))


# ------------------------------------------------------------------ worksheets

_TEXT_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})" t="inlineStr"><is><t>([^<]*)</t></is></c>')
_CELL_HEAD = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*?)(/?)>')
_FOREIGN_SHEET = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|row|sheetData|v|f|is|t|mergeCell)\b|<c>")
_ATTR_T = re.compile(rb'\bt="([a-zA-Z]+)"')
_ATTR_S = re.compile(rb'\bs="([0-9]+)"')
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')
_INLINE = re.compile(rb"<is>\s*<t(\s[^>]*)?>([^<]*)</t>\s*</is>|<is>\s*<t(?:\s[^>]*)?/>\s*</is>")
_LOOSE_ATTRIBUTE = re.compile(rb"'|\s=|=\s|\bt=(?!\"(?:n|s|str|inlineStr|b|e|d)\")|\bs=(?!\"[0-9]+\")")


def _attributes(attrs: bytes) -> tuple[bytes, int]:
    """A cell's type and format from its attributes, as Excel, WPS and LibreOffice write them
    (``t="s" s="3"``); quoted otherwise, spaced around ``=`` or of an unknown type, they are
    left to the general reader (a ``t`` not matched would be taken for a number)."""
    if _LOOSE_ATTRIBUTE.search(attrs) is not None:
        raise Unsupported("cell attributes")
    m = _ATTR_T.search(attrs)
    s = _ATTR_S.search(attrs)
    return (m.group(1) if m else b"n", int(s.group(1)) if s else 0)


def _index(raw: bytes) -> int:
    """A shared-string index: ASCII digits only (``int`` would also take " 1", "+1", "1_0")."""
    if not raw.isdigit():
        raise Unsupported("shared string index")
    return int(raw)


_VALUE = re.compile(rb"<v>([^<]*)</v>")
_NUMBER = re.compile(rb"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_CANONICAL_REF = re.compile(rb'<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"')  # how Excel, WPS and LibreOffice write it
_CANONICAL_ROW = re.compile(rb'<row r="[1-9][0-9]{0,6}"')
_FORMULA = re.compile(rb"<f\b([^>]*?)(/?)>(?:(.*?)</f>)?", re.S)

_COLS: dict[bytes, int] = {}
_TAGS: dict[tuple[int, int], bytes] = {}  # (row, col) → b'<c r="F12"'
_ATTRS: dict[bytes, tuple[bytes, int]] = {}  # a cell's attributes → (type, format)
_MERGED: dict[bytes, list[tuple[tuple[int, int], tuple[int, int]]]] = {}  # the part after the cells → ranges
_LETTERS: dict[int, bytes] = {}


def col_letters(col: int) -> bytes:
    """0 → ``b"A"``."""
    hit = _LETTERS.get(col)
    if hit is None:
        if col < 0:  # there is no such column (and the loop below would never end)
            raise ValueError(f"column {col}")
        n, out = col + 1, b""
        while n:
            n, rem = divmod(n - 1, 26)
            out = bytes([65 + rem]) + out
        hit = _LETTERS[col] = out
    return hit


def col_index(letters: bytes) -> int:
    """``b"A"`` → 0."""
    hit = _COLS.get(letters)
    if hit is None:
        n = 0
        for ch in letters:
            n = n * 26 + (ch - 64)
        hit = _COLS[letters] = n - 1
    return hit


class Cell(NamedTuple):
    """One cell as the general reader would give it, plus what its XML says beyond the value."""

    value: Any  # str, float, bool or "" for an empty cell
    formula: str | None = None  # formula text ("" for a shared formula without text)
    error: str | None = None  # an error value (#DIV/0!)
    style: int = 0


EMPTY = Cell("")


def _place(rows: list[list[Any]], row: bytes, letters: bytes, value: Any) -> None:
    """``value`` at its cell in a grid laid out like the general reader's (gaps as ``""``)."""
    r, c = int(row) - 1, col_index(letters)
    while len(rows) <= r:
        rows.append([])
    line = rows[r]
    if len(line) <= c:
        line.extend([""] * (c + 1 - len(line)))
    line[c] = value


class Sheet:
    """One worksheet part, its cells found by address and decoded as they are asked for."""

    def __init__(self, xml: bytes, strings: SharedStrings):
        self.xml = xml
        self._strings = strings
        self._cells: dict[tuple[int, int], Cell] = {}
        self._rows: dict[int, tuple[int, int]] = {}
        self._pos = 0
        self._checked = False
        self._rows_checked: set[int] = set()
        check_markup(xml)
        end = xml.rfind(b"</sheetData>")
        if end < 0:
            if b"<sheetData/>" not in xml:
                raise Unsupported("worksheet")
            end = 0
        tail = xml[end:]
        lo, hi = tail.find(b"<mergeCells"), tail.find(b"</mergeCells>")
        tail = tail[lo:hi] if 0 <= lo < hi else tail
        merged = _MERGED.get(tail)
        if merged is None:  # sheets of the same shape end the same way: parsed once
            merged = [
                ((int(r0) - 1, col_index(c0)), (int(r1) - 1, col_index(c1))) for c0, r0, c1, r1 in _MERGE.findall(tail)
            ]
            if len(merged) != tail.count(b"<mergeCell") - tail.count(b"<mergeCells"):  # <mergeCell\nref=…
                raise Unsupported("merged cells")
            if len(_MERGED) >= 256:
                _MERGED.clear()
            _MERGED[tail] = merged
        self.merged = merged

    def _check_row(self, start: int, end: int) -> None:
        """Before saying a cell of a written row is absent: every cell of the row is written
        with its address first (``<c r="…"``), so one not found is not there.  Checked in the
        row alone (a whole sheet costs far more to scan), and only for rows with an empty cell;
        a tag that merely starts like a cell (``<color``, in a rich inline string) is taken as
        one, which sends the workbook to the general reader: cautious, and rare."""
        if start not in self._rows_checked:
            xml = self.xml
            if xml.count(b"<c", start, end) != len(_CANONICAL_REF.findall(xml, start, end)):  # "f5", "F05"
                raise Unsupported("worksheet")
            if xml.find(b":c", start, end) >= 0 and _FOREIGN_SHEET.search(xml, start, end) is not None:
                raise Unsupported("worksheet")
            self._rows_checked.add(start)

    def _check(self) -> None:
        """Before saying a row is absent: every row and cell of the part is written with its
        address (``<row r="…"``, ``<c r="…"``), so one not found is not there."""
        if not self._checked:
            xml = self.xml
            if b"<sheetData" not in xml or b"<c>" in xml or xml.count(b"<c ") != len(_CANONICAL_REF.findall(xml)):
                raise Unsupported("worksheet")
            if b"<row>" in xml or xml.count(b"<row ") != len(_CANONICAL_ROW.findall(xml)):
                raise Unsupported("rows without their numbers")
            if b":c " in xml and _FOREIGN_SHEET.search(xml) is not None:
                raise Unsupported("worksheet")
            self._checked = True

    def _row(self, row: int) -> tuple[int, int]:
        """Where the row's cells are in the XML (``(0, 0)``: the row is not written)."""
        hit = self._rows.get(row)
        if hit is None:
            xml = self.xml
            tag = b'<row r="' + str(row + 1).encode() + b'"'
            i = xml.find(tag, self._pos)
            if i < 0:
                i = xml.find(tag, 0, self._pos + len(tag))
            if i < 0:
                hit = (0, 0)
            else:
                self._pos = i
                close = xml.find(b">", i)
                if close < 0:
                    raise Unsupported("row")
                end = close if xml[close - 1] == 0x2F else xml.find(b"</row>", close)
                if end < 0:
                    raise Unsupported("row")
                hit = (close + 1, end)
            self._rows[row] = hit
        return hit

    def cell(self, row: int, col: int, plain: frozenset[int] | None = None) -> Cell:
        """The cell at 0-based (row, col); ``plain`` (the formats showing numbers as numbers) is
        required for a number with a format, which the general reader may turn into a date."""
        hit = self._cells.get((row, col))
        if hit is not None:
            return hit
        xml = self.xml
        start, end = self._row(row)
        tag = _TAGS.get((row, col))
        if tag is None:
            tag = b'<c r="' + col_letters(col) + str(row + 1).encode() + b'"'
            if len(_TAGS) < 65536:
                _TAGS[(row, col)] = tag
        i = xml.find(tag, start, end) if end > start else -1
        if i < 0:
            if end > start:
                self._check_row(start, end)
            else:
                self._check()
            out = EMPTY
        else:
            start = i + len(tag)
            if xml.find(tag, start, end) >= 0:  # the same cell written twice: which one counts is not ours to say
                raise Unsupported("cell")
            close = xml.find(b">", start, end)
            if close < 0:
                raise Unsupported("cell")
            if xml[close - 1] == 0x2F:  # "/>": no content
                out = self._decode(xml[start : close - 1], None, plain)
            else:
                stop = xml.find(b"</c>", close, end)
                if stop < 0:
                    raise Unsupported("cell")
                out = self._decode(xml[start:close], xml[close + 1 : stop], plain)
        self._cells[(row, col)] = out
        return out

    def _decode(self, attrs: bytes, inner: bytes | None, plain: frozenset[int] | None) -> Cell:
        hit = _ATTRS.get(attrs)
        if hit is None:
            hit = _attributes(attrs)
            if len(_ATTRS) < 4096:
                _ATTRS[attrs] = hit
        t, style = hit
        formula: str | None = None
        if not inner:
            if t == b"e":  # an error without its value: the general reader's to say
                raise Unsupported("error value")
            return Cell("", style=style) if style else EMPTY
        if inner.startswith(b"<f"):
            f = _FORMULA.match(inner)
            if f is None:
                raise Unsupported("formula")
            formula = "" if f.group(2) else unescape(f.group(3) or b"").decode("utf-8", "replace")
            inner = inner[f.end() :]
        if t == b"s" and inner[:3] == b"<v>" and inner[-4:] == b"</v>":  # the common case
            return Cell(self._strings[_index(inner[3:-4])], formula, None, style)
        if t == b"inlineStr":
            if inner[:7] == b"<is><t>" and inner[-9:] == b"</t></is>" and b"<" not in inner[7:-9]:
                return Cell(_t_text(None, inner[7:-9]), formula, None, style)
            m = _INLINE.search(inner)
            if m is None:
                raise Unsupported("inline string")
            return Cell(_t_text(m.group(1), m.group(2)), formula, None, style)
        if b"<f" in inner:  # a formula after the value, or a second one: not a cell this reader knows
            raise Unsupported("cell content")
        v = _VALUE.search(inner)
        if v is None:
            if t == b"e" or (inner.strip() and not inner.strip().startswith(b"<extLst")):
                raise Unsupported("cell content")
            return Cell("", formula, None, style)
        if inner.find(b"<v", v.end()) >= 0:
            raise Unsupported("cell content")
        body = v.group(1)
        if not body and t != b"str":
            if t == b"e":
                raise Unsupported("error value")
            return Cell("", formula, None, style)
        if t == b"s":
            return Cell(self._strings[_index(body)], formula, None, style)
        if t == b"n":
            if style and (plain is None or style not in plain):
                raise Unsupported("number format")
            if _NUMBER.fullmatch(body) is None:  # Python reads "1_000", " 3 ", "nan"; the general reader need not
                raise Unsupported("number")
            return Cell(float(body), formula, None, style)
        if t == b"b":
            if body not in (b"0", b"1"):
                raise Unsupported("boolean")
            return Cell(body == b"1", formula, None, style)
        if t == b"e":
            return Cell("", formula, text(body) or "#ERROR", style)
        if t == b"str" and formula is not None:
            return Cell(text(body), formula, None, style)
        raise Unsupported(f"cell type {t!r}")

    def _only(self, rest: bytes, tags: frozenset[str]) -> bool:
        """Whether every column-A cell of ``rest`` (rows of the sheet) holds one of ``tags``."""
        heads = list(_CELL_HEAD.finditer(rest))
        if len(heads) != rest.count(b"<c "):
            return False
        for m in heads:
            letters, _, attrs, closed = m.groups()
            if letters != b"A":
                continue
            inner = None if closed else rest[m.end() : rest.find(b"</c>", m.end())]
            if self._decode(attrs, inner, None).value not in tags:
                return False
        return True

    def rows(self, stop: bytes = b"", tail: frozenset[str] = frozenset()) -> list[list[Any]]:
        """Every row from the first, each from column A to its last cell (gaps as ``""``), the
        way the general reader lays a sheet out; a number with a format, or an error value, is
        left to the general reader (this is for sheets of text records).  ``stop``: the
        inline text of a column-A cell whose row and all after it are not wanted, provided every
        column-A text from there on is one of ``tail`` (else the whole sheet is laid out)."""
        xml = self.xml
        if b"<sheetData" not in xml:
            raise Unsupported("worksheet")
        if stop:
            at = xml.find(b"<is><t>" + stop + b"</t></is>")
            if at < 0:  # an office suite keeps texts in the shared-string table
                index = self._strings.index_of(stop)
                if index is not None:
                    m = re.search(rb'<c r="A[0-9]+"[^>]*? t="s"[^>]*><v>' + str(index).encode() + b"</v></c>", xml)
                    at = m.start() if m is not None else -1
            cut = xml.rfind(b"<row ", 0, at) if at >= 0 else -1
            first = xml.find(b">", cut) + 1
            in_a = cut >= 0 and xml.startswith(b'<c r="A', first) and xml.find(b"</c>", first) > at  # the 1st cell
            if in_a and self._only(xml[cut:], tail | {stop.decode()}):
                xml = xml[:cut]
        if b"<c>" in xml or (b":c " in xml and _FOREIGN_SHEET.search(xml) is not None):
            raise Unsupported("worksheet")
        out: list[list[Any]] = []
        cells = xml.count(b"<c ")
        simple = _TEXT_CELL.findall(xml)
        if len(simple) == cells:  # every cell a plain inline text, as zwgk writes its records: one pass
            for letters, row, raw in simple:
                _place(out, row, letters, text(raw))
            return out
        pos = found = 0
        while True:
            m = _CELL_HEAD.search(xml, pos)
            if m is None:
                break
            found += 1
            letters, row, attrs, closed = m.groups()
            if closed:
                inner, pos = None, m.end()
            else:
                end = xml.find(b"</c>", m.end())
                if end < 0:
                    raise Unsupported("cell")
                inner, pos = xml[m.end() : end], end + 4
            cell = self._decode(attrs, inner, None)
            if cell.error is not None:
                raise Unsupported("error value")
            _place(out, row, letters, cell.value)
        if found != cells:
            raise Unsupported("cells")
        return out
