"""Odd cells and odd parts, as the one reader reads them: python-calamine for values, plus
:mod:`zwgk_cli.workbook.cells` for what it does not report (a formula, an error value, a format).

zwgk once had a second, hand-written reader; these are the shapes of a cell, a shared string or a
style that made the two disagree (found by fuzzing) or that the hand-written one declined.  Each
is now pinned: the value the reader uses for the input and the problems it reports there.
"""

from __future__ import annotations

import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.model import ReadingKey, Value
from zwgk_cli.roster import load_roster
from zwgk_cli.workbook.read import Context, WorkbookRead, read_workbook

CORPUS = Path(__file__).parent / "data" / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
SHEET = "第一部分"
# the inputs of 第一部分 in good.xlsx, by cell
KEYS = {
    "F4": ReadingKey("", "a1", "none"),  # 是/否: 是
    "F5": ReadingKey("", "a1", "blank"),  # a count: 1
    "F6": ReadingKey("", "a2", "fix"),  # a count: 1
    "F10": ReadingKey("", "a3", "rate"),  # a percentage: 99.6
}
NOTE = ("", "a1")  # the 扣分说明 in I4: 检查记录第3页


@pytest.fixture(scope="module")
def ctx() -> Context:
    rubric = rubric_mod.load(str(CORPUS / MANIFEST["rubric"]))
    roster = load_roster(CORPUS / MANIFEST["units"], CORPUS / MANIFEST["targets"])
    return Context(rubric, roster.units)


CELL = b'<c r="F5" s="25" t="n"><v>1</v></c>'
ODD_CELLS = {
    "plain": b'<c r="F5" s="25" t="n"><v>2</v></c>',
    "spaced attributes": b'<c r="F5"  s="25"\tt="n" ><v>2</v></c>',
    "exponent": b'<c r="F5" s="25" t="n"><v>2E0</v></c>',
    "underscore": b'<c r="F5" s="25" t="n"><v>1_0</v></c>',  # Python's float() reads 10
    "padded number": b'<c r="F5" s="25" t="n"><v> 2 </v></c>',
    "commented value": b'<c r="F5" s="25" t="n"><!-- <v>9</v> --><v>2</v></c>',
    "commented cell": b'<!-- <c r="F5" s="25" t="n"><v>9</v></c> --><c r="F5" s="25" t="n"><v>2</v></c>',
    "instruction": b'<?x <c r="F5"><v>9</v></c>?><c r="F5" s="25" t="n"><v>2</v></c>',
    "CDATA": b'<c r="F5" s="25" t="n"><v><![CDATA[2]]></v></c>',
    "two values": b'<c r="F5" s="25" t="n"><v>2</v><v>3</v></c>',
    "cell twice": b'<c r="F5" s="25" t="n"><v>2</v></c><c r="F5" s="25" t="n"><v>3</v></c>',
    "formula after value": b'<c r="F5" s="25" t="n"><v>2</v><f>1+1</f></c>',
    "lower-case address": b'<c r="f5" s="25" t="n"><v>2</v></c>',
    "zero-padded address": b'<c r="F05" s="25" t="n"><v>2</v></c>',
    "single quotes": b"<c r='F5' s='25' t='n'><v>2</v></c>",
    "character reference": b'<c r="F5" s="25" t="n"><v>&#50;</v></c>',
}


# whole-part edits of good.xlsx found by differential fuzzing (each once read differently by the
# hand-written reader zwgk had and python-calamine)
S3, S8 = "xl/worksheets/sheet3.xml", "xl/worksheets/sheet8.xml"  # 第一部分 (F4 是/否, F5… counts, F10 %), _zwgk
F4 = b'<c r="F4" s="25" t="inlineStr"><is><t>&#26159;</t></is></c>'
I4 = b'<c r="I4" s="27" t="inlineStr"><is><t>&#26816;&#26597;&#35760;&#24405;&#31532;3&#39029;</t></is></c>'
F10 = b'<c r="F10" s="25" t="n"><v>99.59999999999999</v></c>'
RELS = "xl/_rels/workbook.xml.rels"
SST_REL = (
    b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    b'Target="sharedStrings.xml" Id="rIdS"/></Relationships>'
)


def _sst(*entries: bytes) -> dict[str, Any]:
    table = b"<sst>" + b"".join(b"<si>" + e + b"</si>" for e in entries) + b"</sst>"
    return {"xl/sharedStrings.xml": table, RELS: [(b"</Relationships>", SST_REL)]}


def _format(code: bytes) -> dict[str, Any]:
    """Cell format 56 with the custom number format ``code``."""
    return {
        "xl/styles.xml": [
            (b"</cellXfs>", b'<xf numFmtId="300" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'),
            (b'<numFmts count="5">', b'<numFmts count="6"><numFmt numFmtId="300" formatCode="' + code + b'"/>'),
        ]
    }


FUZZED: dict[str, dict[str, Any]] = {
    "run text with a trailing space": {
        S3: [(CELL, b'<c r="F5" s="25" t="s"><v>0</v></c>')],
        **_sst(b"<r><t>1 </t></r><r><t>0</t></r>"),
    },
    "inline text with a trailing space": {S3: [(F4, F4.replace(b"</t>", b" </t>"))]},
    "CR LF in a note": {S3: [(I4, b'<c r="I4" s="27" t="inlineStr"><is><t>line1\r\nline2</t></is></c>')]},
    "t in single quotes": {S3: [(CELL, b'<c r="F5" s="25" t=\'s\'><v>0</v></c>')], **_sst(b"<t>7</t>")},
    "spaces around =": {S3: [(F4, b'<c r="F4" s="25" t = "b"><v>1</v></c>')]},
    "s in single quotes": {S3: [(CELL, b'<c r="F5" s=\'5\' t="n"><v>45000</v></c>')]},
    "empty t": {S3: [(CELL, b'<c r="F5" s="25" t=""><v>1</v></c>')]},
    "a tab before s": {S3: [(F10, b'<c r="F10"\ts="22" t="n"><v>0.85</v></c>')]},
    "error without a value": {S3: [(b'<c r="F6" s="25" t="n"><v>1</v></c>', b'<c r="F6" s="25" t="e"></c>')]},
    "error without a value, spaced": {S3: [(b'<c r="F6" s="25" t="n"><v>1</v></c>', b'<c r="F6" s="25" t="e">\n</c>')]},
    "shared-string index with a space": {
        S3: [(F4, b'<c r="F4" s="25" t="s"><v> 1</v></c>')],
        **_sst(b"<t>x</t>", "<t>是</t>".encode()),
    },
    "elapsed hours": {**_format(b"[h]"), S3: [(CELL, b'<c r="F5" s="56" t="n"><v>3</v></c>')]},
    "A/P": {**_format(b"0 A/P"), S3: [(CELL, b'<c r="F5" s="56" t="n"><v>3</v></c>')]},
    "built-in 9 redefined": {
        "xl/styles.xml": [(b'<numFmts count="5">', b'<numFmts count="6"><numFmt numFmtId="9" formatCode="yyyy"/>')],
        S3: [(CELL, b'<c r="F5" s="22" t="n"><v>3</v></c>')],
    },
    "a space the width of %": {**_format(b"0_%"), S3: [(F10, b'<c r="F10" s="56" t="n"><v>85</v></c>')]},
    "shared formula": {S3: [(CELL, b'<c r="F5" s="25"><f t="shared" si="0"/><v>1</v></c>')]},
    "self-closing reading guide": {
        S3: [(CELL, b'<c r="F5" s="25" t="s"><v>0</v></c>')],
        **_sst(b'<r><t>1</t></r><rPh sb="0" eb="1"/><r><t>0</t></r><rPh sb="0" eb="1"><t>x</t></rPh>'),
    },
    "merged range after a newline": {
        S3: [(b'<mergeCells count="22">', b'<mergeCells count="22"><mergeCell\nref="f5:f6"/>')]
    },
    "not UTF-8 in a note": {S3: [(I4, b'<c r="I4" s="27" t="inlineStr"><is><t>caf\xe9</t></is></c>')]},
    "a record after the results": {
        S8: [
            (
                b"</sheetData>",
                b'<row r="108"><c r="A108" t="inlineStr"><is><t>meta</t></is></c><c r="B108" t="inlineStr"><is>'
                b'<t>unit_id</t></is></c><c r="C108" t="inlineStr"><is><t>G02</t></is></c></row></sheetData>',
            )
        ]
    },
    "20,000 reading guides": {
        S3: [(CELL, b'<c r="F5" s="25" t="s"><v>0</v></c>')],
        **_sst(b"<r><t>1</t></r>" + b'<rPh sb="0" eb="1"/>' * 20000),
    },
}


def _edited(path: Path, edits: dict[str, Any]) -> Path:
    with zipfile.ZipFile(CORPUS / "good.xlsx") as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        names = [i.filename for i in zin.infolist()]
        for name in names + [n for n in edits if n not in names]:
            data = zin.read(name) if name in names else b""
            edit = edits.get(name)
            if isinstance(edit, bytes):
                data = edit
            for old, new in edit if isinstance(edit, list) else ():
                assert old in data, (name, old[:60])
                data = data.replace(old, new, 1)
            zout.writestr(name, data)
    return path


def _read(tmp_path: Path, ctx: Context, edits: dict[str, Any]) -> WorkbookRead:
    return read_workbook(_edited(tmp_path / "odd.xlsx", edits), ctx, "odd.xlsx")


def _outcome(read: WorkbookRead, cell: str) -> tuple[Value | None, list[str]]:
    """The value read for the input at ``cell`` of 第一部分, and the problems there (or on the sheet)."""
    codes = sorted(p.code for p in read.problems if p.sheet == SHEET and p.cell in ("", cell))
    return read.values[KEYS[cell]], codes


UNREADABLE: tuple[None, list[str]] = (None, ["W023"])  # python-calamine refuses the sheet: its inputs are lost

ODD_READ: dict[str, tuple[Value | None, list[str]]] = {
    "plain": (Decimal(2), []),
    "spaced attributes": (Decimal(2), []),
    "exponent": (Decimal(2), []),
    "underscore": UNREADABLE,
    "padded number": UNREADABLE,
    "commented value": (Decimal(2), []),
    "commented cell": (Decimal(2), []),
    "instruction": (Decimal(2), []),
    "CDATA": (None, ["V001"]),  # python-calamine reads no value in a CDATA section: empty
    "two values": (Decimal(3), []),  # the last one
    "cell twice": (Decimal(3), []),  # the last one
    "formula after value": (None, ["V001"]),
    "lower-case address": (Decimal(2), []),
    "zero-padded address": (Decimal(2), []),
    "single quotes": (Decimal(2), []),
    "character reference": (None, ["V001"]),  # not resolved in a <v>: empty
    # shapes the hand-written reader declined
    "date format": (None, ["V008"]),
    "ISO date": (None, ["V008"]),
    "no address": (Decimal(2), []),  # placed after the cell before it
    "address not first": (Decimal(2), []),
    "address after a newline": (Decimal(2), []),
    "a prefixed cell": (Decimal(2), []),
    "rich inline text": (Decimal(2), ["V012"]),  # a number stored as text
    # what python-calamine does not tell: cells.py does
    "formula": (None, ["V011"]),
    "error": (None, ["V010"]),
    "boolean": (None, ["V009"]),
}
ODD_CELLS.update(
    {
        "date format": b'<c r="F5" s="5"><v>44562</v></c>',
        "ISO date": b'<c r="F5" s="25" t="d"><v>2022-01-01</v></c>',
        "no address": b'<c s="25"><v>2</v></c>',
        "address not first": b'<c s="25" r="F5"><v>2</v></c>',
        "address after a newline": b'<c\nr="F5" s="25"><v>2</v></c>',
        "a prefixed cell": b'<x:c r="F5" s="25"><x:v>2</x:v></x:c>',
        "rich inline text": b'<c r="F5" s="25" t="inlineStr"><is><r><t>2</t></r></is></c>',
        "formula": b'<c r="F5" s="25"><f>1+1</f><v>2</v></c>',
        "error": b'<c r="F5" s="25" t="e"><v>#DIV/0!</v></c>',
        "boolean": b'<c r="F5" s="25" t="b"><v>1</v></c>',
    }
)


def test_every_odd_cell_has_its_outcome() -> None:
    assert set(ODD_READ) == set(ODD_CELLS)


@pytest.mark.parametrize("shape", sorted(ODD_CELLS))
def test_an_odd_cell_is_read_as_pinned(shape: str, tmp_path: Path, ctx: Context) -> None:
    read = _read(tmp_path, ctx, {S3: [(CELL, ODD_CELLS[shape])]})
    assert read.usable
    assert _outcome(read, "F5") == ODD_READ[shape]


FUZZED_READ: dict[str, tuple[str, Value | None, list[str]]] = {
    "run text with a trailing space": ("F5", Decimal(10), ["V012"]),  # "1 0": a number with spaces
    "inline text with a trailing space": ("F4", "是", []),  # python-calamine trims it
    "t in single quotes": ("F5", Decimal(7), ["V012"]),
    "spaces around =": ("F4", "是", ["V012"]),  # TRUE
    "s in single quotes": ("F5", None, ["V008"]),  # format 5 is a date
    "empty t": ("F5", None, ["W023"]),
    "a tab before s": ("F10", Decimal(85), ["V012"]),  # 0.85 in a percent format
    "error without a value": ("F6", None, ["V010"]),
    "error without a value, spaced": ("F6", None, ["V010"]),
    "shared-string index with a space": ("F4", None, ["V007"]),  # "x", not 是
    "elapsed hours": ("F5", None, ["V008"]),
    "A/P": ("F5", None, ["V008"]),
    "built-in 9 redefined": ("F5", None, ["V008"]),
    "a space the width of %": ("F10", Decimal(85), []),  # not a percent format
    "shared formula": ("F5", None, ["V011"]),
    "self-closing reading guide": ("F5", Decimal(10), ["V012"]),  # runs "1", "0"; the guides left out
    "merged range after a newline": ("F5", None, ["W019"]),
    "not UTF-8 in a note": ("F5", None, ["W023"]),
    "20,000 reading guides": ("F5", Decimal(1), ["V012"]),
}


def test_every_fuzzed_part_has_its_outcome() -> None:
    assert set(FUZZED_READ) | {"CR LF in a note", "a record after the results"} == set(FUZZED)


@pytest.mark.parametrize("case", sorted(FUZZED_READ))
def test_a_fuzzed_part_is_read_as_pinned(case: str, tmp_path: Path, ctx: Context) -> None:
    cell, value, codes = FUZZED_READ[case]
    read = _read(tmp_path, ctx, FUZZED[case])  # the 20,000 reading guides once took 25 s
    assert _outcome(read, cell) == (value, codes)


def test_line_ends_in_a_note_are_normalised(tmp_path: Path, ctx: Context) -> None:
    assert _read(tmp_path, ctx, FUZZED["CR LF in a note"]).notes[NOTE] == "line1\nline2"


def test_a_record_after_the_results_is_read(tmp_path: Path, ctx: Context) -> None:
    """The hidden sheet's result records are skipped, not what follows them."""
    assert _read(tmp_path, ctx, FUZZED["a record after the results"]).unit_id == "G02"


def test_rows_written_without_their_numbers_are_placed_in_order(tmp_path: Path, ctx: Context) -> None:
    read = _read(tmp_path, ctx, {S3: [(b'<row r="5" ht=', b"<row ht=")]})
    assert _outcome(read, "F5") == (Decimal(1), [])


def test_a_sheet_in_a_namespace_prefix_reads_like_the_original(tmp_path: Path, ctx: Context) -> None:
    def prefixed(xml: bytes) -> bytes:
        xml = re.sub(rb"<(/?)(sheetData|row|c|v|is|t|f)([ >/])", rb"<\1x:\2\3", xml)
        return xml.replace(
            b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ', 1
        )

    with zipfile.ZipFile(CORPUS / "good.xlsx") as z:
        sheet = prefixed(z.read(S3))
    read = _read(tmp_path, ctx, {S3: sheet})
    good = read_workbook(CORPUS / "good.xlsx", ctx, "odd.xlsx")
    assert read.values == good.values and read.notes == good.notes and read.problems == good.problems


def _note(raw: bytes) -> dict[str, Any]:
    """The 扣分说明 I4 as an inline text of ``raw`` XML character data."""
    return {S3: [(I4, b'<c r="I4" s="27" t="inlineStr"><is><t>' + raw + b"</t></is></c>")]}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"a &amp;lt; b", "a &lt; b"),
        (b"&lt;&gt;&quot;&apos;&amp;", "<>\"'&"),
        (b"&#x41;&#10;&#20013;&amp;#10;", "A\n中&#10;"),
        (b"&#x80;", "\x80"),  # XML's U+0080, not HTML's €
        ("无实体".encode(), "无实体"),
        (b"a_x000D_b", "a\rb"),  # OOXML's escape of a control character
    ],
)
def test_a_text_resolves_xml_references(raw: bytes, expected: str, tmp_path: Path, ctx: Context) -> None:
    assert _read(tmp_path, ctx, _note(raw)).notes[NOTE] == expected


@pytest.mark.parametrize("raw", [b"&nbsp;", b"a & b", b"&#0;", b"&#xD800;", b"&#x110000;", b"&#10;&copy;"])
def test_a_reference_xml_does_not_know_makes_the_sheet_unreadable(raw: bytes, tmp_path: Path, ctx: Context) -> None:
    read = _read(tmp_path, ctx, _note(raw))
    assert NOTE not in read.notes and _outcome(read, "F5") == UNREADABLE


def _shared_note(index: bytes, table: bytes) -> dict[str, Any]:
    """The 扣分说明 I4 as shared string ``index`` of the table ``table``."""
    return {
        S3: [(I4, b'<c r="I4" s="27" t="s"><v>' + index + b"</v></c>")],
        "xl/sharedStrings.xml": table,
        RELS: [(b"</Relationships>", SST_REL)],
    }


def _table(*entries: bytes) -> bytes:
    return b"<sst>" + b"".join(b"<si>" + e + b"</si>" for e in entries) + b"</sst>"


@pytest.mark.parametrize(
    ("index", "table", "expected"),
    [
        (b"0", _table(b"<t>a_x000A_b</t>", b"<t/>"), "a\nb"),
        (
            b"0",
            _table(b'<r><t xml:space="preserve">rich </t></r><r><rPr/><t>text</t></r><rPh><t>x</t></rPh>'),
            "rich text",
        ),
        (  # LibreOffice splits a text into runs wherever the script (font) changes
            b"0",
            _table(
                b'<r><rPr><rFont val="A"/></rPr><t xml:space="preserve">[[&quot;p1</t></r>'
                b'<r><rPr><sz val="10"/></rPr><t>\xe4\xb8\xad&quot;,&quot;</t></r><r><t/></r>'
                b"<r><t>x&amp;y&quot;]]</t></r>"
            ),
            '[["p1中","x&y"]]',
        ),
        (b"1", b"<sst><si/><si><t>a</t></si></sst>", "a"),  # an empty entry still counts
        (b"1", b'<sst><si x="1"><t>z</t></si><si><t>a</t></si></sst>', "a"),
        (b"1", b"<sst><si><r><t>z</t></r><r><t><![CDATA[b]]></t></r></si><si><t>a</t></si></sst>", "a"),
        (b"1", b"<sst><!-- <si><t>x</t></si> --><si><t>z</t></si><si><t>a</t></si></sst>", "a"),
        (
            b"1",
            b'<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:si><x:t>z</x:t></x:si>'
            b"<x:si><x:t>a</x:t></x:si></x:sst>",
            "a",
        ),
    ],
)
def test_a_shared_string_is_read_as_pinned(
    index: bytes, table: bytes, expected: str, tmp_path: Path, ctx: Context
) -> None:
    assert _read(tmp_path, ctx, _shared_note(index, table)).notes[NOTE] == expected


def test_an_empty_shared_string_is_no_note_and_one_past_the_table_is_unreadable(tmp_path: Path, ctx: Context) -> None:
    table = _table(b"<t>a</t>", b"<t/>")
    assert NOTE not in _read(tmp_path, ctx, _shared_note(b"1", table)).notes
    read = _read(tmp_path, ctx, _shared_note(b"2", table))
    assert NOTE not in read.notes and _outcome(read, "F5") == UNREADABLE


def _excel_style(src: Path, dst: Path) -> None:
    """``src`` as Excel (Chinese locale) would write it back: a reading guide on every shared
    string, rows with Excel's extra attributes and an extension list after the cells."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith("sharedStrings.xml"):
                data = data.replace(b"</si>", b'<phoneticPr fontId="1" type="noConversion"/></si>')
            elif info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb"<row ([^>]*?)>", rb'<row \1 x14ac:dyDescent="0.25">', data)
                data = data.replace(
                    b"<worksheet ",
                    b'<worksheet xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" ',
                    1,
                )
                data = data.replace(
                    b"</worksheet>",
                    b"<extLst><ext><x14:dataValidations><x14:dataValidation><x14:formula1><xm:f>_lists!$A$1</xm:f>"
                    b"</x14:formula1><xm:sqref>F4</xm:sqref></x14:dataValidation></x14:dataValidations></ext>"
                    b"</extLst></worksheet>",
                )
            zout.writestr(info, data)


@pytest.mark.parametrize("name", ["good.xlsx", "good_dept.xlsx", "no_note.xlsx", "percent_format.xlsx"])
def test_excel_style_workbooks_read_like_the_original(name: str, tmp_path: Path, ctx: Context) -> None:
    path = tmp_path / name
    _excel_style(CORPUS / name, path)
    assert read_workbook(path, ctx, name) == read_workbook(CORPUS / name, ctx, name)
