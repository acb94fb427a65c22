"""Generate ``tests/data/corpus/``: broken, hostile and flawed workbooks for ``zwgk score``.

Run ``python tests/make_corpus.py`` (from the repository root) to regenerate.  The corpus is
self-contained: ``rubric.yaml`` (a copy of ``tests/data/mini.yaml``), ``units.csv`` and
``websites.csv`` are written next to the workbooks, so the workbooks' rubric hash stays
valid whatever happens to the bundled rubrics.  ``manifest.json`` lists every file with
the problem codes (and sheet/cell) reading it must report, and the status of its unit.

Every case is built from a real generated workbook (``sheets.build_workbook``, filled with
``fill.fill_workbook``), then damaged the way people and other programs damage them:
typed values of every wrong kind, moved rows, merged cells, formulas, renamed sheets,
a workbook of another rubric version, of an unknown unit, or twice for one unit — and
files that are not what they claim (empty, truncated, legacy, encrypted, macros, zip bombs,
XML entity attacks, a sheet claiming a million rows, other formats renamed).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import struct
import sys
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from zwgk_cli import rubric as rubric_mod  # noqa: E402
from zwgk_cli.demo import fill  # noqa: E402
from zwgk_cli.model import EVIDENCE_INPUT, YES, ReadingKey, Rubric, Target, Unit, Value  # noqa: E402
from zwgk_cli.workbook import layout as L  # noqa: E402
from zwgk_cli.workbook.write import build_workbook  # noqa: E402

OUT = ROOT / "tests" / "data" / "corpus"
SOURCE_RUBRIC = ROOT / "tests" / "data" / "mini.yaml"


@dataclass
class Case:
    file: str
    what: str  # 中文: what is wrong with it
    unit: str | None  # the unit id it belongs to (None: cannot be told)
    status: str | None  # the unit's expected status
    expect: list[dict[str, str]] = field(default_factory=list)  # {code, sheet?, cell?}
    only: bool = False  # these are the file's only problems


class Corpus:
    def __init__(self, out: Path):
        self.out = out
        self.cases: list[Case] = []
        self.units: list[Unit] = []
        self.rubric: Rubric
        self.tmp = Path(tempfile.mkdtemp(prefix="zwgk-corpus-"))

    # -- units and workbooks
    def unit(
        self, uid: str, group: str = "县区", sites: int = 1, roster: bool = True, task: str = "否", name: str = ""
    ) -> Unit:
        targets = tuple(Target(f"{uid}W{i}", "website", f"{uid}网站{i}") for i in range(1, sites + 1))
        u = Unit(uid, name or f"单位{uid}", group, {"督促指导任务": task}, targets)
        if roster:
            self.units.append(u)
        return u

    def values(self, u: Unit, rubric: Rubric | None = None) -> dict[ReadingKey, Value]:
        vals = fill.random_values(rubric or self.rubric, u, seed="corpus")
        for k in list(vals):
            if k.input == EVIDENCE_INPUT.id:
                vals[k] = YES
        return vals

    def workbook(
        self,
        u: Unit,
        values: Mapping[ReadingKey, Value | None] | None = None,
        notes: bool = True,
        rubric: Rubric | None = None,
    ) -> tuple[bytes, L.Layout]:
        """A filled workbook (written by the sheets writer, filled through openpyxl like an assessor)."""
        r = rubric or self.rubric
        vals = dict(values if values is not None else self.values(u, r))
        blank, lay = build_workbook(r, u)
        src = self.tmp / f"{u.id}-blank.xlsx"
        dst = self.tmp / f"{u.id}-filled.xlsx"
        src.write_bytes(blank)
        note_map: dict[ReadingKey, str] = {}
        if notes:
            for m in lay.inputs:
                if m.note_cell and (m.target, m.criterion) not in {(k.target, k.criterion) for k in note_map}:
                    note_map[m.key] = "检查记录第3页"
        fill.fill_workbook(src, dst, vals, notes=note_map)
        return dst.read_bytes(), lay

    def edit(self, data: bytes, fn: Callable[[Any], None]) -> bytes:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data))
        fn(wb)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    def add(self, name: str, data: bytes, case: Case) -> None:
        (self.out / name).write_bytes(data)
        case.file = name
        self.cases.append(case)


def find(lay: L.Layout, criterion: str, input_id: str, target: str | None = None) -> L.MapRow:
    for m in lay.inputs:
        if m.criterion == criterion and m.input == input_id and (target is None or m.target == target):
            return m
    raise KeyError((criterion, input_id))


def zip_replace(data: bytes, changes: Mapping[str, bytes | None], add: Mapping[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename in changes:
                new = changes[info.filename]
                if new is not None:
                    out.writestr(info, new)
                continue
            out.writestr(info, src.read(info.filename))
        for name, blob in (add or {}).items():
            out.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), blob)
    return buf.getvalue()


def sheet_part(data: bytes, sheet: str) -> str:
    """The zip member holding ``sheet``."""
    import re

    z = zipfile.ZipFile(io.BytesIO(data))
    wb = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(r'<sheet [^>]*name="' + re.escape(sheet) + r'"[^>]*r:id="([^"]+)"', wb)
    assert rid, sheet
    target = re.search(r'Id="' + rid.group(1) + r'"[^>]*Target="([^"]+)"', rels) or re.search(
        r'Target="([^"]+)"[^>]*Id="' + rid.group(1) + r'"', rels
    )
    assert target
    t = target.group(1).lstrip("/")
    return t if t.startswith("xl/") else f"xl/{t}"


def ole_file(streams: list[str]) -> bytes:
    """A minimal Compound File Binary header + directory naming ``streams`` (enough to be
    recognised as what it is; nothing reads further)."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[24:26] = struct.pack("<H", 0x3E)
    header[26:28] = struct.pack("<H", 3)
    header[28:30] = struct.pack("<H", 0xFFFE)
    header[30:32] = struct.pack("<H", 9)
    header[32:34] = struct.pack("<H", 6)
    directory = bytearray()
    for name in ["Root Entry", *streams]:
        entry = bytearray(128)
        raw = name.encode("utf-16-le")
        entry[: len(raw)] = raw
        entry[64:66] = struct.pack("<H", len(raw) + 2)
        entry[66] = 5 if name == "Root Entry" else 2
        directory += entry
    return bytes(header) + bytes(directory) + b"\x00" * 512


def bomb(data: bytes, member: str, declared_honest: bool) -> bytes:
    """``data`` (a workbook) with ``member`` replaced by 160 MB of XML whitespace (deflate packs
    that into ~160 KB).  ``declared_honest``: the zip headers say 160 MB; otherwise they claim
    1 KB and lie, so that only a reader that limits what it inflates is safe."""
    size = 160 * 1024 * 1024
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != member:
                out.writestr(info, src.read(info.filename))
                continue
            target = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            target.compress_type = zipfile.ZIP_DEFLATED
            with out.open(target, "w") as fh:
                fh.write(b'<?xml version="1.0"?>\n')
                chunk = b" " * (1024 * 1024)
                for _ in range(size // len(chunk)):
                    fh.write(chunk)
    blob = bytearray(buf.getvalue())
    if not declared_honest:
        _claim_size(blob, member, 1024)
    return bytes(blob)


def _claim_size(blob: bytearray, member: str, claimed: int) -> None:
    """Patch ``member``'s uncompressed size in its local header and central directory record."""
    end = blob.rfind(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack("<II", blob[end + 12 : end + 20])
    pos = cd_offset
    name = member.encode()
    while pos < cd_offset + cd_size:
        n, m, k = struct.unpack("<HHH", blob[pos + 28 : pos + 34])
        if blob[pos + 46 : pos + 46 + n] == name:
            blob[pos + 24 : pos + 28] = struct.pack("<I", claimed)
            local = struct.unpack("<I", blob[pos + 42 : pos + 46])[0]
            blob[local + 22 : local + 26] = struct.pack("<I", claimed)
            return
        pos += 46 + n + m + k
    raise KeyError(member)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
)


def _body(xml: bytes) -> bytes:
    """An XML part without its declaration."""
    return xml.split(b"?>", 1)[1].lstrip() if xml.startswith(b"<?xml") else xml


def generate(out: Path = OUT) -> list[Case]:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copyfile(SOURCE_RUBRIC, out / "rubric.yaml")
    rubric = rubric_mod.load(str(out / "rubric.yaml"))
    c = Corpus(out)
    c.rubric = rubric
    p1 = "第一部分"
    try:
        _cases(c, p1)
    finally:
        shutil.rmtree(c.tmp, ignore_errors=True)
    _roster(out, c.units)
    (out / "~$good.xlsx").write_bytes(b"\x00" * 162)  # an Excel lock file: skipped quietly
    manifest = {
        "rubric": "rubric.yaml",
        "units": "units.csv",
        "targets": "websites.csv",
        "skipped": ["~$good.xlsx"],
        "cases": [
            {k: v for k, v in case.__dict__.items() if v not in (None, False) or k in ("unit", "status")}
            for case in sorted(c.cases, key=lambda x: x.file)
        ],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return c.cases


def _roster(out: Path, units: list[Unit]) -> None:
    rows = ["编号,单位名称,分组,督促指导任务"]
    sites = ["编号,名称,类型,所属单位"]
    for u in units:
        rows.append(f"{u.id},{u.name},{u.group},{u.attributes.get('督促指导任务', '否')}")
        for t in u.targets:
            sites.append(f"{t.id},{t.name},{t.kind},{u.name}")
    (out / "units.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (out / "websites.csv").write_text("\n".join(sites) + "\n", encoding="utf-8")


def _cases(c: Corpus, p1: str) -> None:
    # ---------------------------------------------------------------- good ones
    good = c.unit("G01", sites=2)
    data, lay = c.workbook(good)
    c.add("good.xlsx", data, Case("", "完好的评分表", "G01", "scored", only=True))
    dept = c.unit("G02", group="部门")
    data, lay = c.workbook(dept)
    c.add("good_dept.xlsx", data, Case("", "完好的评分表(部门)", "G02", "scored", only=True))

    # ---------------------------------------------------------------- files that are not what they claim
    def fatal(name: str, blob: bytes, what: str, code: str, unit: str | None = None) -> None:
        status = "invalid" if unit else None
        c.add(name, blob, Case("", what, unit, status, [{"code": code}], only=True))

    fatal("empty.xlsx", b"", "0字节的空文件", "W002")
    fatal("text_renamed.xlsx", "单位,得分\n甲,90\n".encode(), "改了扩展名的CSV文本", "W003")
    fatal("pdf_renamed.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "改了扩展名的PDF", "W003")
    fatal(
        "web_export.xls",
        "<html><head><meta charset='utf-8'></head><body><table><tr><td>得分</td></tr></table></body></html>".encode(),
        "网页导出的“Excel”",
        "W003",
    )
    u = c.unit("C01", roster=False)
    data, _ = c.workbook(u)
    fatal("truncated.xlsx", data[: len(data) // 2], "传输中截断的评分表", "W004")
    fatal("legacy.xls", ole_file(["Workbook", "\x05SummaryInformation"]), "旧版 .xls 格式", "W005")
    fatal("encrypted.xlsx", ole_file(["EncryptionInfo", "EncryptedPackage"]), "设置了打开密码的评分表", "W006")
    u = c.unit("C02", roster=False)
    data, _ = c.workbook(u)
    macro = zip_replace(data, {}, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 508})
    fatal("macros.xlsm", macro, "另存为含宏工作簿(.xlsm)", "W007")
    u = c.unit("C07", roster=False)
    data, _ = c.workbook(u)
    fatal("zip_bomb.xlsx", bomb(data, sheet_part(data, p1), True), "压缩炸弹(如实声明160MB)", "W008")
    u = c.unit("C19")
    data, _ = c.workbook(u)
    fatal("zip_bomb_lying.xlsx", bomb(data, sheet_part(data, p1), False), "压缩炸弹(谎报大小)", "W033", unit="C19")
    u = c.unit("C03", roster=False)
    data, _ = c.workbook(u)
    wb_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    evil = BILLION_LAUGHS + _body(wb_xml)
    fatal("xml_entities.xlsx", zip_replace(data, {"xl/workbook.xml": evil}), "XML 实体炸弹(workbook.xml)", "W009")
    u = c.unit("C04", roster=False)
    data, _ = build_workbook(c.rubric, u, None, c.values(u))  # the writer's own file: it has shared strings
    ss = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml")
    evil = BILLION_LAUGHS + _body(ss).replace(b"<t>", b"<t>&lol3;", 1)
    fatal(
        "xml_entities_strings.xlsx",
        zip_replace(data, {"xl/sharedStrings.xml": evil}),
        "XML 实体炸弹(共享字符串)",
        "W009",
    )

    u = c.unit("C05")
    data, lay = c.workbook(u)
    part = sheet_part(data, p1)
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
    huge = xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="Z1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )
    c.add(
        "million_rows.xlsx",
        zip_replace(data, {part: huge}),
        Case("", "工作表声明了一百万行", "C05", "incomplete", [{"code": "W018", "sheet": p1}]),
    )
    u = c.unit("C06")
    data, lay = c.workbook(u)
    part = sheet_part(data, p1)
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
    wide = xml.replace(b"</sheetData>", b'<row r="3000"><c r="XFD3000"><v>1</v></c></row></sheetData>')
    c.add(
        "wide_sheet.xlsx",
        zip_replace(data, {part: wide}),
        Case("", "工作表用到第16384列", "C06", "incomplete", [{"code": "W018", "sheet": p1}]),
    )

    import openpyxl

    other = openpyxl.Workbook()
    other.active.title = "得分表"
    other.active["A1"] = "单位"
    other.active["B1"] = "得分"
    other.active["A2"] = "单位C07"
    other.active["B2"] = 95
    buf = io.BytesIO()
    other.save(buf)
    fatal("other_tool.xlsx", buf.getvalue(), "其他软件做的表格(不是 zwgk 评分表)", "W010")
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    fatal("saved_as_ods.xlsx", ods.getvalue(), "另存为 ODS 后改了扩展名", "W021")
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    fatal("word_renamed.xlsx", docx.getvalue(), "改了扩展名的 Word 文档", "W021")
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("材料/说明.txt", "佐证材料")
    fatal("materials.xlsx", plain.getvalue(), "改了扩展名的压缩包(佐证材料)", "W003")

    u = c.unit("C08", roster=False)
    data, _ = c.workbook(u)

    def break_magic(wb: Any) -> None:
        wb[L.META_SHEET]["A1"] = "hello"

    fatal("meta_erased.xlsx", c.edit(data, break_magic), "隐藏标识被改写", "W010")
    u = c.unit("C09", roster=False)
    data, _ = c.workbook(u)

    def drop_hash(wb: Any) -> None:
        ws = wb[L.META_SHEET]
        for row in ws.iter_rows():
            if row[0].value == "meta" and row[1].value == "rubric_hash":
                row[2].value = ""

    fatal("meta_damaged.xlsx", c.edit(data, drop_hash), "隐藏标识缺少细则校验码", "W011", unit=None)

    # ---------------------------------------------------------------- identity
    u = c.unit("C10")
    text = (c.out / "rubric.yaml").read_text(encoding="utf-8")
    changed = rubric_mod.parse(text.replace("id: mini", "id: mini-2023"), "rubric-other.yaml")
    data, _ = c.workbook(u, rubric=changed)
    c.add(
        "old_rubric.xlsx",
        data,
        Case("", "按另一套细则(编号不同)生成的评分表", "C10", "invalid", [{"code": "W012"}], only=True),
    )
    u = c.unit("C60")
    retyped = text.replace("label: 未开设, kind: yes_no, points: 1", "label: 未开设, kind: count, per: 1")
    assert retyped != text
    data, _ = c.workbook(u, rubric=rubric_mod.parse(retyped, "rubric-v2.yaml"))
    c.add(
        "revised_rubric.xlsx",
        data,
        Case("", "按细则修订前的版本生成、填写项类型已改变的评分表", "C60", "invalid", [{"code": "W041"}], only=True),
    )
    stranger = c.unit("X99", roster=False)
    data, _ = c.workbook(stranger)
    c.add(
        "unknown_unit.xlsx",
        data,
        Case("", "名单中没有的单位", None, None, [{"code": "W013"}], only=True),
    )
    u = c.unit("C11")
    data, _ = c.workbook(u)
    c.add("dup_first.xlsx", data, Case("", "同一单位交回两份(之一)", "C11", "invalid", [{"code": "W014"}]))
    vals = c.values(u)
    data, _ = c.workbook(u, {k: v for k, v in vals.items()})
    c.add("dup_second.xlsx", data, Case("", "同一单位交回两份(之二)", "C11", "invalid", [{"code": "W014"}]))
    moved_group = c.unit("C12", group="部门")
    as_issued = Unit(moved_group.id, moved_group.name, "县区", moved_group.attributes, moved_group.targets)
    data, lay = c.workbook(as_issued)
    m = find(lay, "a3", "rate")
    c.add(
        "group_changed.xlsx",
        data,
        Case(
            "",
            "生成后名单中的分组改了(不适用项所填未计分)",
            "C12",
            "scored",
            [{"code": "V016", "sheet": m.sheet, "cell": m.cell}],
            only=True,
        ),
    )
    grown = c.unit("C13", sites=2)
    as_issued = Unit(grown.id, grown.name, grown.group, grown.attributes, grown.targets[:1])
    data, _ = c.workbook(as_issued)
    c.add(
        "website_added.xlsx",
        data,
        Case("", "生成后名单中新增了网站", "C13", "incomplete", [{"code": "W020"}]),
    )

    shrunk = c.unit("C42", sites=1)
    as_issued = Unit(
        shrunk.id,
        shrunk.name,
        shrunk.group,
        shrunk.attributes,
        (*shrunk.targets, Target("C42W9", "website", "已撤并网站")),
    )
    data, _ = c.workbook(as_issued)
    c.add(
        "website_removed.xlsx",
        data,
        Case("", "生成后名单中删去了一个网站(其填写内容不计分)", "C42", "scored", [{"code": "W029"}], only=True),
    )
    renamed = c.unit("C43", name="单位C43(更名后)")
    data, _ = c.workbook(Unit(renamed.id, "单位C43", renamed.group, renamed.attributes, renamed.targets))
    c.add(
        "unit_renamed.xlsx",
        data,
        Case("", "生成后名单中的单位名称改了(按编号对应)", "C43", "scored", [{"code": "W027"}], only=True),
    )
    tasked = c.unit("C44", task="是")
    data, _ = c.workbook(Unit(tasked.id, tasked.name, tasked.group, {"督促指导任务": "否"}, tasked.targets))
    c.add(
        "task_added.xlsx",
        data,
        Case("", "生成后名单属性改了,细则要求的填写项评分表中没有", "C44", "incomplete", [{"code": "W030"}], only=True),
    )
    blank = c.unit("C46")
    data, _ = build_workbook(c.rubric, blank)
    c.add(
        "returned_blank.xlsx",
        data,
        Case("", "交回的是未填写的空白评分表", "C46", "incomplete", [{"code": "W034"}], only=True),
    )
    u = c.unit("C45", roster=False)
    data, _ = c.workbook(u)

    def future(wb: Any) -> None:
        wb[L.META_SHEET]["B1"] = "9"

    fatal("future_format.xlsx", c.edit(data, future), "更高版本 zwgk 生成的评分表", "W022")

    # a sheet copied in from another unit's workbook (LibreOffice: delete the sheet, insert it from file)
    mine, theirs = c.unit("C54"), c.unit("C55", roster=False)
    data, _ = c.workbook(mine)
    other, _ = c.workbook(theirs, notes=False)
    part = sheet_part(data, p1)
    c.add(
        "sheet_from_other_unit.xlsx",
        zip_replace(data, {part: zipfile.ZipFile(io.BytesIO(other)).read(sheet_part(other, p1))}),
        Case(
            "",
            "评分工作表是从另一单位的评分表复制来的",
            "C54",
            "incomplete",
            [{"code": "W036", "sheet": p1, "cell": "A1"}],
            only=True,
        ),
    )

    # ---------------------------------------------------------------- structure edits
    u = c.unit("C14")
    data, lay = c.workbook(u)

    def rename(wb: Any) -> None:
        wb[p1].title = "改名了"

    c.add(
        "sheet_renamed.xlsx",
        c.edit(data, rename),
        Case("", "评分工作表被改名", "C14", "incomplete", [{"code": "W016", "sheet": p1}]),
    )
    u = c.unit("C15")
    data, lay = c.workbook(u)
    target = find(lay, "a2", "fix")
    row = L.parse_a1(target.cell)[0] + 1

    def insert(wb: Any) -> None:
        ws = wb[p1]
        ws.insert_rows(row)
        for rng in ws.merged_cells.ranges:  # a spreadsheet moves merged cells with the rows
            if rng.min_row >= row:
                rng.shift(row_shift=1)

    moved = L.a1(row, L.parse_a1(target.cell)[1])
    c.add(
        "row_inserted.xlsx",
        c.edit(data, insert),
        Case("", "评分表中插入了一行", "C15", "scored", [{"code": "W028", "sheet": p1, "cell": moved}]),
    )
    u = c.unit("C16")
    data, lay = c.workbook(u)
    target = find(lay, "a2", "fix")

    def delete(wb: Any) -> None:
        ws = wb[p1]
        gone = L.parse_a1(target.cell)[0] + 1
        ws.delete_rows(gone)
        for rng in ws.merged_cells.ranges:
            if rng.min_row > gone:
                rng.shift(row_shift=-1)

    c.add(
        "row_deleted.xlsx",
        c.edit(data, delete),
        Case("", "评分表中删除了一行", "C16", "incomplete", [{"code": "W017", "sheet": p1, "cell": target.id_cell}]),
    )
    # LibreOffice, once any row is deleted, saves an empty formatted row 1048576
    lo_far_row = (
        b'<row r="1048576" s="0" customFormat="false" ht="12.8" hidden="false" customHeight="false" '
        b'outlineLevel="0" collapsed="false"><c r="A1048576" s="0"/></row></sheetData>'
    )

    def libreoffice_saved(blob: bytes) -> bytes:
        part = sheet_part(blob, p1)
        xml = zipfile.ZipFile(io.BytesIO(blob)).read(part)
        return zip_replace(blob, {part: xml.replace(b"</sheetData>", lo_far_row)})

    u = c.unit("C52")
    data, lay = c.workbook(u)

    def delete_below(wb: Any) -> None:
        ws = wb[p1]
        ws.delete_rows(ws.max_row + 2)

    c.add(
        "lo_empty_row_deleted.xlsx",
        libreoffice_saved(c.edit(data, delete_below)),
        Case("", "LibreOffice 中删除了表下方的空行后保存(末尾多出第1048576行的空行)", "C52", "scored", only=True),
    )
    u = c.unit("C53")
    data, lay = c.workbook(u)
    target = find(lay, "a2", "fix")  # what ``delete`` deletes
    c.add(
        "lo_row_deleted.xlsx",
        libreoffice_saved(c.edit(data, delete)),
        Case(
            "",
            "LibreOffice 中删除了一行后保存",
            "C53",
            "incomplete",
            [{"code": "W017", "sheet": p1, "cell": target.id_cell}],
        ),
    )
    u = c.unit("C17")
    data, lay = c.workbook(u)
    target = find(lay, "a1", "blank")

    def overwrite(wb: Any) -> None:
        wb[p1][target.id_cell] = "a1.none"

    c.add(
        "id_overwritten.xlsx",
        c.edit(data, overwrite),
        Case("", "编号单元格被改写成另一项的编号", "C17", "incomplete", [{"code": "W017", "cell": target.id_cell}]),
    )
    u = c.unit("C18")
    data, lay = c.workbook(u)
    target = find(lay, "a2", "fix")
    r0, c0 = L.parse_a1(target.cell)

    def merge(wb: Any) -> None:
        wb[p1].merge_cells(f"{target.cell}:{L.a1(r0 + 1, c0)}")

    c.add(
        "merged_input.xlsx",
        c.edit(data, merge),
        Case("", "填写单元格被合并", "C18", "incomplete", [{"code": "W019", "sheet": p1, "cell": target.cell}]),
    )

    # ---------------------------------------------------------------- values typed wrong
    def value_case(
        uid: str,
        name: str,
        what: str,
        crit: str,
        inp: str,
        raw: Any,
        code: str,
        status: str,
        group: str = "县区",
        number_format: str | None = None,
        website: bool = False,
    ) -> None:
        u = c.unit(uid, group=group)
        data, lay = c.workbook(u)
        m = find(lay, crit, inp, u.targets[0].id if website else "")

        def put(wb: Any) -> None:
            cell = wb[m.sheet][m.cell]
            cell.value = raw
            if number_format:
                cell.number_format = number_format

        c.add(name, c.edit(data, put), Case("", what, uid, status, [{"code": code, "sheet": m.sheet, "cell": m.cell}]))

    value_case("C20", "formula_input.xlsx", "填写单元格中是公式", "a2", "fix", "=1+2", "V011", "incomplete")
    value_case("C21", "text_number.xlsx", "数字以文本形式存储", "a1", "blank", "3", "V012", "scored")
    value_case("C22", "fullwidth_digit.xlsx", "全角数字“３”", "a1", "blank", "３", "V012", "scored")
    value_case("C23", "count_with_unit.xlsx", "“3处”", "a2", "apps", "3处", "V012", "scored")
    value_case("C24", "points_in_count.xlsx", "个数一栏填了“3分”", "a2", "apps", "3分", "V002", "incomplete")
    value_case("C25", "chinese_numeral.xlsx", "中文数字“三”", "x1", "city", "三", "V012", "scored")
    value_case("C26", "bool_in_count.xlsx", "个数一栏是逻辑值TRUE", "a1", "blank", True, "V009", "incomplete")
    value_case(
        "C27", "date_in_count.xlsx", "个数一栏变成了日期", "a1", "blank", dt.datetime(1900, 1, 3), "V008", "incomplete"
    )
    value_case("C28", "empty_required.xlsx", "必填项为空", "x1", "national", None, "V001", "incomplete")
    value_case("C29", "percent_over.xlsx", "百分比填了120", "a3", "rate", 120, "V005", "incomplete")
    value_case("C30", "points_over.xlsx", "酌情加分超过上限", "b2", "extra", 3, "V005", "incomplete")
    value_case("C31", "points_step.xlsx", "酌情加分不是0.5的倍数", "b2", "extra", 0.3, "V006", "incomplete")
    value_case("C32", "bad_choice.xlsx", "选项不在列表中", "b2", "speed", "4个工作日内", "V007", "incomplete")
    value_case("C33", "negative.xlsx", "个数填了负数", "a2", "suits", -1, "V004", "incomplete")
    value_case("C34", "error_value.xlsx", "填写单元格是错误值", "a2", "lost", "#DIV/0!", "V010", "incomplete")
    value_case("C35", "yes_trailing_space.xlsx", "“是 ”带空格", "a1", "none", "是 ", "V012", "scored")
    value_case(
        "C36", "percent_format.xlsx", "百分比格式的0.85", "a3", "rate", 0.85, "V012", "scored", number_format="0%"
    )
    value_case("C37", "float_count.xlsx", "个数填了2.5", "w1", "stale", 2.5, "V003", "incomplete", website=True)
    value_case("C38", "yes_no_other.xlsx", "是否一栏填了“有”", "w1", "down", "有", "V007", "incomplete", website=True)
    value_case("C39", "number_text_wan.xlsx", "粉丝量“20万”", "b1", "fans", "20万", "V012", "scored")
    value_case("C48", "huge_count.xlsx", "个数一栏填了1E+26", "x1", "national", 1e26, "V019", "incomplete")
    value_case("C49", "long_number_text.xlsx", "5001位的数字文本", "b1", "fans", "9" * 5001, "V019", "incomplete")
    value_case("C50", "tiny_number.xlsx", "粉丝量填了1E-30", "b1", "fans", 1e-30, "V019", "incomplete")

    u = c.unit("C40")
    vals = c.values(u)
    for k in vals:
        if k.criterion == "b1" and k.input == EVIDENCE_INPUT.id:
            vals[k] = "否"
    data, lay = c.workbook(u, vals)
    m = find(lay, "b1", EVIDENCE_INPUT.id)
    c.add(
        "no_evidence.xlsx",
        data,
        Case("", "加分项未提供佐证材料", "C40", "scored", [{"code": "V014", "sheet": m.sheet, "cell": m.cell}]),
    )

    def deducted_without_note(uid: str) -> tuple[bytes, L.MapRow]:
        """A unit that loses 2 points on a1 (2 blank columns) with no 扣分说明 written."""
        vals = c.values(c.unit(uid))
        for k in list(vals):
            if k.criterion == "a2":
                vals[k] = Decimal(0)
        vals[ReadingKey("", "a1", "blank")] = Decimal(2)
        data, lay = c.workbook(c.units[-1], vals, notes=False)
        return data, find(lay, "a1", "blank")

    data, m = deducted_without_note("C41")
    c.add(
        "no_note.xlsx",
        data,
        Case("", "扣分没有写扣分说明", "C41", "scored", [{"code": "V013", "sheet": m.sheet, "cell": m.note_cell}]),
    )

    data, m = deducted_without_note("C47")

    def note_formula(wb: Any) -> None:
        wb[m.sheet][m.note_cell] = '=CONCATENATE("空白栏目",F5)'

    c.add(
        "note_formula.xlsx",
        c.edit(data, note_formula),
        Case("", "扣分说明中是公式", "C47", "scored", [{"code": "V018", "sheet": m.sheet, "cell": m.note_cell}]),
    )

    u = c.unit("C51")
    data, lay = c.workbook(u)
    m = find(lay, "a1", "blank")

    def pasted_from_word(wb: Any) -> None:
        # Excel stores the line break (vertical tab) of text pasted out of Word as _x000B_
        wb[m.sheet][m.note_cell] = "空白栏目:_x000B_政务动态_x0001_"

    c.add(
        "note_from_word.xlsx",
        c.edit(data, pasted_from_word),
        Case(
            "",
            "扣分说明是从 Word 粘贴的(含控制字符)",
            "C51",
            "scored",
            [{"code": "V020", "sheet": m.sheet, "cell": m.note_cell}],
            only=True,
        ),
    )


if __name__ == "__main__":
    cases = generate()
    print(f"{len(cases)} 个文件已写入 {OUT}")
