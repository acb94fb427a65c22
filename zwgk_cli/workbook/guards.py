"""The guards a returned file passes before any value reader sees it.  Reads only.

1. **The file** (:func:`read_file`): its size and what its first bytes say it is (:func:`sniff`).
2. **The package** (:class:`Package`): declared sizes are capped before anything is inflated (zip
   bombs); macros and foreign packages are refused; every part is inflated with a hard output
   limit and checked against its declared size and CRC; parts with a DOCTYPE are refused (XML
   entity attacks) and the small structural parts are parsed with :mod:`defusedxml`.
3. **A zip of workbooks** (:func:`zip_members`, :func:`read_member`): the same guards; each
   workbook in it is inflated in memory (never to disk), then checked like a file.
4. **A sheet** (:func:`sheet_extent`): the grid a value reader would allocate, refused when too big.

A guard that refuses raises :class:`Refused`: one problem (the file name left to the caller).
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn

from zwgk_cli.files import InputFileError, read_input_file
from zwgk_cli.problems import Code, Problem, os_reason, problem
from zwgk_cli.workbook.layout import col_index

MAX_FILE_BYTES = 32 * 1024 * 1024  # a filled workbook is ~100 KB
MAX_TOTAL_UNCOMPRESSED = 128 * 1024 * 1024
MAX_PART_BYTES = 48 * 1024 * 1024
MAX_MEMBERS = 4000
MAX_ROWS = 20_000  # rows of a sheet the reader loads (a scoring sheet has a few hundred)
MAX_COLS = 256
MAX_CELLS = 400_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_MARK = "EncryptionInfo".encode("utf-16-le")


class Refused(Exception):
    """The file (or one sheet, :class:`SheetRefused`) cannot be used: one problem (code, parameters)."""

    def __init__(self, code: Code, **params: Any):
        super().__init__(code.code)
        self.code = code
        self.params = params


def _refuse(code: Code, **params: Any) -> NoReturn:
    raise Refused(code, **params)


def refusal(exc: Exception, file: str) -> Problem:
    """Why ``file`` could not be read (refused, or unforeseen): its one problem, never a traceback."""
    if isinstance(exc, Refused):
        return problem(exc.code, file=file, **exc.params)
    if isinstance(exc, MemoryError):
        return problem(Code.W_TOO_LARGE, file=file, detail="读取时内存不足", limit="可用内存")
    return problem(Code.W_UNEXPECTED, file=file, detail=f"{type(exc).__name__}: {str(exc)[:120]}")


# ------------------------------------------------------------------ 1. the file


_BINARY_HEADS: tuple[tuple[tuple[bytes, ...], str | None], ...] = (
    ((b"PK\x03\x04",), None),
    ((b"PK\x05\x06",), "空的压缩包"),
    ((b"%PDF",), "PDF 文档"),
    ((b"\x89PNG", b"\xff\xd8\xff", b"GIF8"), "图片"),
    ((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b"), "压缩包(RAR/7z/gz)"),
)
_TEXT_HEADS = (  # lower case, after a BOM and blanks
    ((b"<html", b"<!doctype html", b"<table", b"<meta"), "网页(HTML,常见于“导出为 Excel”的网页)"),
    ((b"<?xml",), "XML 文件(可能是 Excel 2003 XML 表格)"),
    ((b"{\\rtf",), "RTF 文档"),
)


def sniff(head: bytes) -> str | None:
    """What a non-zip file is, in words a user recognises (``None``: it looks like a zip)."""
    low = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for prefixes, what in _BINARY_HEADS:
        if head.startswith(prefixes):
            return what
    for prefixes, text in _TEXT_HEADS:
        if low.startswith(prefixes):
            return text
    try:
        head[:512].decode("utf-8")
        return "文本(如 CSV)"
    except UnicodeDecodeError:
        return "无法识别的二进制数据"


def read_file(path: Path) -> bytes:
    """The file's bytes, when it is not empty, not too big and looks like a zip package."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        _refuse(Code.W_UNREADABLE, detail=os_reason(exc))
    if size > MAX_FILE_BYTES:
        _refuse(Code.W_TOO_LARGE, detail=f"文件{_mb(size)}", limit=_mb(MAX_FILE_BYTES))
    try:  # the one bounded reader: a pipe or a device named .xlsx is refused without waiting on it
        data = read_input_file(path, MAX_FILE_BYTES)
    except InputFileError as exc:  # not a regular file, unreadable, or grown past the limit since
        _refuse(Code.W_UNREADABLE, detail=str(exc))
    return _looks_like_package(data)


def _looks_like_package(data: bytes) -> bytes:
    """``data`` when it is not empty and its first bytes are a zip's."""
    if not data:
        _refuse(Code.W_EMPTY_FILE)
    if data.startswith(OLE_MAGIC):
        _refuse(Code.W_ENCRYPTED if _ENCRYPTION_MARK in data else Code.W_LEGACY_XLS)
    found = sniff(data[:1024])
    if found is not None:
        _refuse(Code.W_NOT_XLSX, found=found)
    return data


# ------------------------------------------------------------------ 2. the package


class Package:
    """A zip package; every part it hands out is inflated under limits and verified."""

    def __init__(self, data: bytes):
        self.data = data
        try:
            infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error) as exc:
            _refuse(Code.W_BROKEN_ZIP, detail=_zip_detail(exc))
        if len(infos) > MAX_MEMBERS:
            _refuse(Code.W_TOO_LARGE, detail=f"含{len(infos)}个内部文件", limit=f"{MAX_MEMBERS}个")
        self.infos = {i.filename: i for i in infos}
        self.names_lower = {n.lower(): n for n in self.infos}
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_UNCOMPRESSED:
            _refuse(Code.W_TOO_LARGE, detail=_mb(total), limit=_mb(MAX_TOTAL_UNCOMPRESSED))
        self._parts: dict[str, bytes] = {}

    def has(self, name: str) -> bool:
        return name.lower() in self.names_lower

    def part(self, name: str) -> bytes:
        """An inflated part; refused when it lies about its size, fails its CRC or is too big."""
        real = self.names_lower.get(name.lower().lstrip("/"))
        if real is None:
            raise KeyError(name)
        if real in self._parts:
            return self._parts[real]
        info = self.infos[real]
        if info.file_size > MAX_PART_BYTES:
            _refuse(Code.W_TOO_LARGE, detail=f"“{real}”{_mb(info.file_size)}", limit=_mb(MAX_PART_BYTES))
        if info.flag_bits & 0x1:
            _refuse(Code.W_ENCRYPTED)
        raw = self._raw(info)
        if info.compress_type == zipfile.ZIP_STORED:
            out = raw
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            d = zlib.decompressobj(-15)
            try:
                out = d.decompress(raw, info.file_size + 1)
            except zlib.error as exc:
                _refuse(Code.W_BROKEN_ZIP, detail=f"内部文件“{real}”无法解压({exc})")
            if len(out) > info.file_size or d.unconsumed_tail:
                _refuse(Code.W_SIZE_FORGED, part=real, declared=_mb(info.file_size))
        else:
            _refuse(Code.W_BROKEN_ZIP, detail=f"内部文件“{real}”使用了不支持的压缩方式({info.compress_type})")
        if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
            _refuse(Code.W_BROKEN_ZIP, detail=f"内部文件“{real}”不完整或校验失败(文件可能被截断)")
        head = out[:1024]
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            _refuse(Code.W_XML_ENTITY, part=real)
        self._parts[real] = out
        return out

    def _raw(self, info: zipfile.ZipInfo) -> bytes:
        off = info.header_offset
        header = self.data[off : off + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            _refuse(Code.W_BROKEN_ZIP, detail=f"内部文件“{info.filename}”的位置信息有误(文件可能被截断)")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        start = off + 30 + name_len + extra_len
        raw = self.data[start : start + info.compress_size]
        if len(raw) != info.compress_size:
            _refuse(Code.W_BROKEN_ZIP, detail=f"内部文件“{info.filename}”不完整(文件可能被截断)")
        return raw

    def xml(self, name: str) -> Any:
        """A small structural part parsed with defusedxml (entity declarations refused)."""
        from defusedxml import DefusedXmlException
        from defusedxml.ElementTree import ParseError, fromstring

        data = self.part(name)
        try:
            return fromstring(data)
        except DefusedXmlException:
            _refuse(Code.W_XML_ENTITY, part=name)
        except ParseError as exc:
            _refuse(Code.W_BROKEN_ZIP, detail=f"内部文件“{name}”不是有效的 XML({exc})")


_FOREIGN = (  # the parts that mark another format
    (("content.xml", "mimetype"), "OpenDocument 表格文件(.ods)"),
    (("xl/workbook.bin",), "Excel 二进制工作簿(.xlsb)"),
    (("word/document.xml",), "Word 文档"),
    (("ppt/presentation.xml",), "PowerPoint 演示文稿"),
)


def open_package(data: bytes) -> Package:
    """The package, when it is an Excel workbook without macros."""
    pkg = Package(data)
    names = set(pkg.names_lower)
    if any(n.endswith("vbaproject.bin") for n in names):
        _refuse(Code.W_MACROS)
    if "encryptioninfo" in names or "encryptedpackage" in names:
        _refuse(Code.W_ENCRYPTED)
    for marks, found in _FOREIGN:
        if names.issuperset(marks):
            _refuse(Code.W_OTHER_FORMAT, found=found)
    if not any(n.startswith("xl/") for n in names):
        _refuse(Code.W_NOT_XLSX, found="压缩包(不含 Excel 工作簿)")
    return pkg


# ------------------------------------------------------------------ 3. a zip of workbooks

ZIP_SUFFIX = ".zip"
_SKIPPED = ("__MACOSX/",)  # what macOS adds to every zip it makes


def zip_members(path: Path) -> list[tuple[str, str]] | None:
    """The files in the zip ``path`` (folders, macOS additions left out), in the zip's order, after
    the guards a workbook passes, each as (name the zip stores, name a person reads); ``None``
    when it is a workbook package (an ``.xlsx`` renamed)."""
    pkg = Package(read_file(path))
    names = set(pkg.names_lower)
    if "[content_types].xml" in names and any(n.startswith("xl/") for n in names):
        return None
    infos = pkg.infos.values()
    return [(i.filename, _member_name(i)) for i in infos if not i.is_dir() and not i.filename.startswith(_SKIPPED)]


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its maker wrote it: without the UTF-8 flag, :mod:`zipfile` reads it as
    CP437, while Chinese Windows wrote it in GBK."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def read_member(path: Path, member: str) -> bytes:
    """The bytes of the workbook ``member`` of the zip ``path``, inflated in memory under the
    package limits, then checked as a file is."""
    pkg = Package(read_file(path))
    info = pkg.infos.get(member)
    if info is None:
        _refuse(Code.W_UNREADABLE, detail="压缩包中已没有这个文件(压缩包在读取过程中被替换了)")
    if info.file_size > MAX_FILE_BYTES:
        _refuse(Code.W_TOO_LARGE, detail=f"文件{_mb(info.file_size)}", limit=_mb(MAX_FILE_BYTES))
    return _looks_like_package(pkg.part(member))


def _zip_detail(exc: BaseException) -> str:
    text = str(exc)
    if "File is not a zip file" in text or "Truncated" in text or isinstance(exc, EOFError | struct.error):
        return "压缩结构不完整(文件可能未传完或被截断)"
    return f"压缩结构损坏({text[:80]})"


def _mb(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _resolve_target(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for bit in PurePosixPath(base_dir, target).parts:
        if bit == "..":
            if parts:
                parts.pop()
        elif bit != ".":
            parts.append(bit)
    return "/".join(parts)


def _rels(pkg: Package, name: str) -> list[tuple[str, str, str]]:
    """A relationships part as (id, type, target)."""
    return [
        (rel.get("Id", ""), rel.get("Type", ""), rel.get("Target", ""))
        for rel in pkg.xml(name).iter(f"{_NS_PKG_REL}Relationship")
    ]


_SHEET_TAG = re.compile(rb"<sheet\s([^>]*?)/?>")
_SHEET_NAME = re.compile(rb'\sname="([^"]*)"')
_SHEET_RID = re.compile(rb'\sr:id="([^"]*)"')


def _sheets(pkg: Package, wb_part: str) -> list[tuple[str, str]]:
    """(name, relationship id) of every sheet in the workbook part, in order: read with a pattern
    in the plain shape every office suite writes, else parsed."""
    data = pkg.part(wb_part)
    found = _SHEET_TAG.findall(data)
    if found and len(found) == data.count(b"<sheet ") and b":sheet " not in data:
        out = []
        for attrs in found:
            name, rid = _SHEET_NAME.search(b" " + attrs), _SHEET_RID.search(b" " + attrs)
            if name is None or rid is None:
                break
            out.append((html.unescape(name.group(1).decode("utf-8")), rid.group(1).decode("utf-8")))
        else:
            return out
    return [(sh.get("name", ""), sh.get(_NS_REL_ID, "")) for sh in pkg.xml(wb_part).iter(f"{_NS_MAIN}sheet")]


def workbook_parts(pkg: Package) -> tuple[dict[str, str], dict[str, str]]:
    """(sheet name → part, other workbook relationship type → part), e.g. ``sharedStrings``."""
    roots = _rels(pkg, "_rels/.rels") if pkg.has("_rels/.rels") else []
    wb_part = next((_resolve_target("", t) for _, k, t in roots if k.endswith("/officeDocument")), "xl/workbook.xml")
    if not pkg.has(wb_part):
        _refuse(Code.W_BROKEN_ZIP, detail="缺少工作簿主体(xl/workbook.xml)")
    base = str(PurePosixPath(wb_part).parent)
    rels_name = f"{base}/_rels/{PurePosixPath(wb_part).name}.rels"
    targets: dict[str, str] = {}
    others: dict[str, str] = {}
    if pkg.has(rels_name):
        for rid, kind, target in _rels(pkg, rels_name):
            path = _resolve_target(base, target)
            targets[rid] = path
            others.setdefault(kind.rsplit("/", 1)[-1], path)
    out: dict[str, str] = {}
    for name, rid in _sheets(pkg, wb_part):
        if rid in targets:
            out[name] = targets[rid]
    return out, others


# ------------------------------------------------------------------ 4. a sheet

_SUSPICIOUS_REF = re.compile(rb' r="(?:[A-Z]{2,3}[0-9]|[A-Z]{0,3}[0-9]{5})')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})([0-9]+)"[^>]*?(/?)>')
_CELL_NEXT = re.compile(rb"<(/?)(?:\w+:)?(v|is|c)\b")  # what comes first: a value, the cell's end, the next cell
_UNNUMBERED_ROW = re.compile(rb"<row(?![^>]*\sr=)[\s>/]")


def sheet_extent(xml: bytes) -> tuple[int, int]:
    """(rows, columns) a value reader would allocate for this sheet, as an upper bound.

    Only cells that hold a value (``<v>`` or ``<is>``) count: LibreOffice, once a row has been
    deleted, saves an empty ``<row r="1048576" …>`` (formats only), and such a sheet is as small
    as it was.  One cheap pass looks for a reference with a five-digit row or a two-letter column
    (a scoring sheet has neither); only a sheet that has one is measured exactly.  Rows written
    without numbers are counted when the sheet is big enough to hold that many."""
    rows, cols = 0, 26
    if len(xml) > MAX_ROWS * 6 and (_UNNUMBERED_ROW.search(xml) is not None or b":row" in xml):
        rows = xml.count(b"<row") + xml.count(b":row ")
    if _SUSPICIOUS_REF.search(xml) is not None:
        for m in _CELL_REF.finditer(xml):
            row = int(m.group(2))
            col = col_index(m.group(1).decode()) + 1
            if (row <= rows and col <= cols) or m.group(3):  # inside the extent, or self-closing: no value
                continue
            nxt = _CELL_NEXT.search(xml, m.end())
            if nxt is not None and (nxt.group(1) or nxt.group(2) == b"c"):
                continue  # a cell with a format only
            rows, cols = max(rows, row), max(cols, col)
    return rows, cols


class SheetRefused(Refused):
    """One sheet cannot be read safely: a scoring sheet's inputs are lost, otherwise the file is refused."""


def sheet_xml(pkg: Package, part: str, sheet: str) -> bytes:
    """A sheet's XML, once it passes the sheet guard (W018: a grid too big to load)."""
    if not pkg.has(part):
        raise SheetRefused(Code.W_CELL_ERROR, sheet=sheet, sheet_name=sheet, detail=f"缺少内部文件“{part}”")
    xml = pkg.part(part)
    rows, cols = sheet_extent(xml)
    if rows > MAX_ROWS or cols > MAX_COLS or rows * cols > MAX_CELLS:
        raise SheetRefused(Code.W_SHEET_TOO_BIG, sheet=sheet, sheet_name=sheet, rows=str(rows), cols=str(cols))
    return xml
