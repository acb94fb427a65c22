"""The direct sheet reader: equal to python-calamine wherever it answers, and declining
(``Unsupported``) wherever it would have to interpret something."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.roster import load_roster
from zwgk_cli.workbook import xlsxscan
from zwgk_cli.workbook.read import Context, read_direct, read_general

CORPUS = Path(__file__).parent / "data" / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))

# the cases the direct reader leaves to python-calamine: a date, a moved or overwritten id
DECLINED = {"date_in_count.xlsx", "id_overwritten.xlsx", "row_deleted.xlsx", "row_inserted.xlsx"}


def test_direct_reader_equals_calamine_on_the_hostile_corpus() -> None:
    rubric = rubric_mod.load(str(CORPUS / MANIFEST["rubric"]))
    roster = load_roster(CORPUS / MANIFEST["units"], CORPUS / MANIFEST["targets"])
    ctx = Context(rubric, roster.units)
    declined = set()
    files = sorted(p for p in CORPUS.iterdir() if p.suffix in (".xlsx", ".xls", ".xlsm"))
    assert len(files) >= 30
    for path in files:
        fast = read_direct(path, ctx, path.name)
        if fast is None:
            declined.add(path.name)
            continue
        assert fast == read_general(path, ctx, path.name), path.name
    assert declined == DECLINED


# one input cell of good.xlsx (openpyxl's form), and shapes it may take in a file no office suite
# wrote: each is either read exactly as python-calamine reads it, or declined
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


@pytest.mark.parametrize("shape", sorted(ODD_CELLS))
def test_direct_reader_reads_an_odd_cell_like_calamine_or_declines(shape: str, tmp_path: Path) -> None:
    import zipfile

    rubric = rubric_mod.load(str(CORPUS / MANIFEST["rubric"]))
    roster = load_roster(CORPUS / MANIFEST["units"], CORPUS / MANIFEST["targets"])
    ctx = Context(rubric, roster.units)
    path = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(CORPUS / "good.xlsx") as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet3.xml":
                assert CELL in data
                data = data.replace(CELL, ODD_CELLS[shape])
            zout.writestr(info.filename, data)
    fast = read_direct(path, ctx, "odd.xlsx")
    if shape in ("plain", "spaced attributes", "exponent"):
        assert fast is not None  # the reader does not decline what it knows
    if fast is not None:
        assert fast == read_general(path, ctx, "odd.xlsx")


# whole-part edits of good.xlsx found by differential fuzzing (each once read differently by the
# two readers); the direct reader must read each exactly as python-calamine does, or decline
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
    import zipfile

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


@pytest.mark.parametrize("case", sorted(FUZZED))
def test_direct_reader_reads_fuzzed_parts_like_calamine_or_declines(case: str, tmp_path: Path) -> None:
    rubric = rubric_mod.load(str(CORPUS / MANIFEST["rubric"]))
    roster = load_roster(CORPUS / MANIFEST["units"], CORPUS / MANIFEST["targets"])
    ctx = Context(rubric, roster.units)
    path = _edited(tmp_path / "fuzzed.xlsx", FUZZED[case])
    fast = read_direct(path, ctx, "fuzzed.xlsx")  # the 20,000 reading guides took 25 s before
    if fast is not None:
        assert fast == read_general(path, ctx, "fuzzed.xlsx")


SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t xml:space="preserve"> a&amp;b </t>'
    b'</is></c><c r="C1"><v>3</v></c><c r="D1" t="b"><v>1</v></c><c r="E1" s="1"><v>0.05</v></c></row>'
    b'<row r="3"><c r="A3" s="2"/><c r="B3"><f>1+2</f><v>3</v></c><c r="C3" t="e"><v>#DIV/0!</v></c>'
    b'<c r="D3" t="s"><v>1</v></c></row>'
    b'</sheetData><mergeCells count="1"><mergeCell ref="F4:G5"/></mergeCells></worksheet>'
)
SST = (
    b'<sst><si><t>\xe6\x98\xaf</t></si><si><r><t xml:space="preserve">rich </t></r><r><rPr/><t>text</t></r>'
    b"<rPh><t>x</t></rPh></si></sst>"
)
STYLES = (
    b'<styleSheet><numFmts><numFmt numFmtId="164" formatCode="0&quot;\xe9\xa1\xb9&quot;"/>'
    b'<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    b'<cellXfs><xf numFmtId="0"/><xf numFmtId="9"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="14"/>'
    b"</cellXfs></styleSheet>"
)


def test_cells_values_and_facts() -> None:
    st = xlsxscan.styles(STYLES)
    assert st.plain == {0, 1, 2} and st.percent == {1}
    sh = xlsxscan.Sheet(SHEET, xlsxscan.SharedStrings(SST))
    assert sh.cell(0, 0).value == "是"
    assert sh.cell(0, 1).value == " a&b "
    assert sh.cell(0, 2).value == 3.0
    assert sh.cell(0, 3).value is True
    assert sh.cell(0, 4, st.plain).value == 0.05 and sh.cell(0, 4, st.plain).style == 1
    assert sh.cell(1, 0) is xlsxscan.EMPTY  # a row that is not written
    assert sh.cell(2, 0).value == "" and sh.cell(2, 0).style == 2
    assert sh.cell(2, 1).formula == "1+2"
    assert sh.cell(2, 2).error == "#DIV/0!"
    assert sh.cell(2, 3).value == "rich text"  # runs joined, the phonetic guide left out
    assert sh.cell(0, 9).value == ""
    assert sh.merged == [((3, 5), (4, 6))]
    with pytest.raises(xlsxscan.Unsupported):
        sh.rows()  # rows() reads sheets of text records; a formatted number is left to calamine


def test_rows_lay_out_a_text_sheet_like_calamine() -> None:
    xml = (
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>zwgk</t></is></c><c r="C1"><v>2</v></c></row>'
        b'<row r="3"><c r="B3" t="s"><v>0</v></c></row></sheetData>'
    )
    rows = xlsxscan.Sheet(xml, xlsxscan.SharedStrings(SST)).rows()
    assert rows == [["zwgk", "", 2.0], [], ["", "是"]]


def test_rows_of_plain_texts_read_in_one_pass_alike() -> None:
    """A sheet of plain inline texts (zwgk's records) takes the one-pass path; it lays the
    rows out exactly as the cell-by-cell path does for the same cells."""
    texts = (
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>zwgk</t></is></c>'
        b'<c r="C1" t="inlineStr"><is><t>a&amp;b</t></is></c></row>'
        b'<row r="3"><c r="B3" t="inlineStr"><is><t>[["x","y"]]</t></is></c></row></sheetData>'
    )
    mixed = texts.replace(b'<c r="B3" t="inlineStr"><is><t>[["x","y"]]</t></is></c>', b'<c r="B3" t="s"><v>0</v></c>')
    sst = xlsxscan.SharedStrings(b'<sst><si><t>[["x","y"]]</t></si></sst>')
    assert xlsxscan.Sheet(texts, sst).rows() == [["zwgk", "", "a&b"], [], ["", '[["x","y"]]']]
    assert xlsxscan.Sheet(mixed, sst).rows() == xlsxscan.Sheet(texts, sst).rows()
    with pytest.raises(xlsxscan.Unsupported):
        xlsxscan.Sheet(texts.replace(b"zwgk", b"a_x000D_b"), sst).rows()  # an escape: the general reader's


def test_rows_stop_at_a_column_a_text_inline_or_shared() -> None:
    """``stop`` drops the row whose first cell (column A) is that text, and all after it, whether
    the text is inline (as zwgk writes) or in the shared-string table (as an office suite saves),
    but only when nothing but the expected records follows (a record moved after it counts)."""
    inline = (
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>#result</t></is></c></row>'
        b'<row r="3"><c r="A3" t="inlineStr"><is><t>b</t></is></c></row></sheetData>'
    )
    sst = xlsxscan.SharedStrings(
        b'<sst><si><t>a</t></si><si><t xml:space="preserve">#result</t></si><si><t>b</t></si></sst>'
    )
    shared = (
        b'<sheetData><row r="1"><c r="A1" s="0" t="s"><v>0</v></c></row>'
        b'<row r="2"><c r="A2" s="0" t="s"><v>1</v></c></row>'
        b'<row r="3"><c r="A3" s="0" t="s"><v>2</v></c></row></sheetData>'
    )
    after = frozenset({"b"})  # what may follow the stop row
    assert xlsxscan.Sheet(inline, sst).rows(stop=b"#result", tail=after) == [["a"]]
    assert xlsxscan.Sheet(shared, sst).rows(stop=b"#result", tail=after) == [["a"]]
    everything = [["a"], ["#result"], ["b"]]  # a record that may not follow it: nothing is cut
    assert xlsxscan.Sheet(inline, sst).rows(stop=b"#result") == everything
    assert xlsxscan.Sheet(shared, sst).rows(stop=b"#result") == everything
    elsewhere = shared.replace(
        b'<c r="A2" s="0" t="s"><v>1</v></c>', b'<c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c>'
    )
    assert xlsxscan.Sheet(elsewhere, sst).rows(stop=b"#result", tail=after) == [["a"], ["a", "#result"], ["b"]]


@pytest.mark.parametrize(
    ("xml", "why"),
    [
        (b'<sheetData><row r="1"><c r="A1" s="3"><v>44562</v></c></row></sheetData>', "date format"),
        (b'<sheetData><row r="1"><c r="A1" t="d"><v>2022-01-01</v></c></row></sheetData>', "ISO date"),
        (b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a_x000D_b</t></is></c></row></sheetData>', "escape"),
        (b'<x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row></x:sheetData>', "prefixed"),
        (b'<sheetData><row r="1"><c s="1"><v>1</v></c></row></sheetData>', "no address"),
        (b'<sheetData><row r="1"><c s="1" r="A1"><v>1</v></c></row></sheetData>', "address not first"),
        (b'<sheetData><row r="1"><c\nr="A1"><v>1</v></c></row></sheetData>', "address after a newline"),
        (b'<sheetData><row r="1"><x:c r="A1"><x:v>1</x:v></x:c></row></sheetData>', "a prefixed cell"),
        (b'<sheetData><row><c r="B1"><v>1</v></c></row></sheetData>', "row without its number"),
        (b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><r><t>a</t></r></is></c></row></sheetData>', "rich"),
    ],
)
def test_declines_what_it_would_have_to_interpret(xml: bytes, why: str) -> None:
    st = xlsxscan.styles(STYLES)
    with pytest.raises(xlsxscan.Unsupported):
        xlsxscan.Sheet(xml, xlsxscan.SharedStrings(None)).cell(0, 0, st.plain)


def test_shared_strings_decline_escapes_and_foreign_markup() -> None:
    with pytest.raises(xlsxscan.Unsupported):
        xlsxscan.SharedStrings(b"<x:sst><x:si><x:t>a</x:t></x:si></x:sst>")
    sst = xlsxscan.SharedStrings(b"<sst><si><t>a_x000A_b</t></si><si><t/></si></sst>")
    with pytest.raises(xlsxscan.Unsupported):
        sst[0]
    assert sst[1] == ""
    with pytest.raises(xlsxscan.Unsupported):
        sst[2]


def test_shared_strings_decline_entries_a_split_would_skip() -> None:
    """``<si/>`` or ``<si …>`` would shift every later index: a misread, so the general reader's."""
    for xml in (
        b"<sst><si/><si><t>a</t></si></sst>",
        b'<sst><si x="1"><t>z</t></si><si><t>a</t></si></sst>',
        b"<sst><si><r><t>a</t></r><r><t><![CDATA[b]]></t></r></si></sst>",
        b"<sst><!-- <si><t>x</t></si> --><si><t>a</t></si></sst>",
    ):
        with pytest.raises(xlsxscan.Unsupported):
            xlsxscan.SharedStrings(xml)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"a &amp;lt; b", "a &lt; b"),
        (b"&lt;&gt;&quot;&apos;&amp;", "<>\"'&"),
        (b"&#x41;&#10;&#20013;&amp;#10;", "A\n中&#10;"),
        (b"&#x80;", "\x80"),  # XML's U+0080, not HTML's €
        ("无实体".encode(), "无实体"),
    ],
)
def test_text_resolves_xml_references(raw: bytes, expected: str) -> None:
    assert xlsxscan.text(raw) == expected


@pytest.mark.parametrize("raw", [b"&nbsp;", b"a & b", b"&#0;", b"&#xD800;", b"&#x110000;", b"&#10;&copy;"])
def test_text_leaves_other_references_to_the_general_reader(raw: bytes) -> None:
    with pytest.raises(xlsxscan.Unsupported):
        xlsxscan.text(raw)


def test_rich_shared_string_runs_read_as_one_text() -> None:
    """LibreOffice splits a text into runs wherever the script (font) changes."""
    sst = xlsxscan.SharedStrings(
        b'<sst><si><r><rPr><rFont val="A"/></rPr><t xml:space="preserve">[[&quot;p1</t></r>'
        b'<r><rPr><sz val="10"/></rPr><t>\xe4\xb8\xad&quot;,&quot;</t></r><r><t/></r>'
        b"<r><t>x&amp;y&quot;]]</t></r></si></sst>"
    )
    assert sst[0] == '[["p1中","x&y"]]'


def _excel_style(src: Path, dst: Path) -> None:
    """``src`` as Excel (Chinese locale) would write it back: a reading guide on every shared
    string, rows with Excel's extra attributes and an extension list after the cells."""
    import re
    import zipfile

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
def test_direct_reader_reads_excel_style_workbooks(name: str, tmp_path: Path) -> None:
    rubric = rubric_mod.load(str(CORPUS / MANIFEST["rubric"]))
    roster = load_roster(CORPUS / MANIFEST["units"], CORPUS / MANIFEST["targets"])
    ctx = Context(rubric, roster.units)
    path = tmp_path / name
    _excel_style(CORPUS / name, path)
    fast = read_direct(path, ctx, name)
    assert fast is not None  # Excel's usual extras do not send a workbook to the general reader
    assert fast == read_general(path, ctx, name)
    assert fast == read_direct(CORPUS / name, ctx, name)  # and it reads what the original holds
