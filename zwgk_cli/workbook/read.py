"""A returned workbook file → readings + problems.  Reads only; never writes a byte.

How a file is read, cheapest and safest checks first:

1. **Sniff** the first bytes: 0-byte files, OLE containers (legacy ``.xls``, or an
   encrypted ``.xlsx``), PDF/HTML/text renamed ``.xlsx`` each get one problem.
2. **Package** (:class:`Package`): the zip directory is read with :mod:`zipfile`; the
   declared sizes are capped before anything is decompressed (zip bombs), macros and
   foreign packages (ODS, XLSB, Word) are refused, and every XML part the reader needs is
   inflated here with a hard output limit and checked against its declared size and
   CRC, so no later parser can be handed a part that lies about its size.  Parts with a
   DOCTYPE are refused (XML entity attacks); the small structural parts are parsed with
   :mod:`defusedxml`.
3. **Sheet guard**: each sheet the map names is scanned (regex over its XML) for the
   cells it really holds, so a sheet claiming a million rows is refused before a value
   reader allocates a grid for it; the same scan finds formulas, error values and the
   number format of the input cells.
4. **Values** are read directly from the sheet XML (:mod:`xlsxscan`: the few hundred cells
   the map names, found by address), only the hidden ``_zwgk`` sheet and the sheets the
   map names.  A workbook holding anything that reader would have to interpret (a date
   format on an input, an escaped or rich string it cannot read plainly, a moved row, a
   namespaced sheet…) is read again from the start with python-calamine, which gives the
   same answers everywhere the direct reader answers (a test holds both to that).
   Cached formula values are never read: the engine recomputes every score from the inputs.
5. **Identity and map**: the hidden sheet says which rubric (id + hash) and which unit the
   workbook was issued for; each input's visible id cell must still say the input's id,
   so a moved, inserted or deleted row is found (and, when the id is found elsewhere on
   the sheet, read from where it went).  Each value is normalised by :mod:`values`
   against the *rubric's* input definition, never the workbook's copy of it.

Every problem is located (file, sheet, A1 cell, unit, indicator).  An unforeseen failure
becomes one problem for that file, never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
import html
import io
import re
import signal
import struct
import threading
import time
import zipfile
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple, NoReturn

from zwgk_cli.model import (
    Criterion,
    Input,
    ReadingKey,
    Rubric,
    Source,
    Unit,
    Value,
    Variant,
)
from zwgk_cli.problems import Code, Problem, os_reason, problem
from zwgk_cli.rubric import RubricError, all_indicators, resolve, walk_with_path
from zwgk_cli.workbook import layout, xlsxscan
from zwgk_cli.workbook.values import describe, expected, normalize

# ------------------------------------------------------------------ limits

MAX_FILE_BYTES = 32 * 1024 * 1024  # a filled workbook is ~100 KB
MAX_TOTAL_UNCOMPRESSED = 128 * 1024 * 1024
MAX_PART_BYTES = 48 * 1024 * 1024
MAX_MEMBERS = 4000
MAX_ROWS = 20_000  # rows of a sheet the reader loads (a scoring sheet has a few hundred)
MAX_COLS = 256
MAX_CELLS = 400_000
MAX_READ_SECONDS = 60.0  # per reading of one file (a workbook takes milliseconds; a big one seconds)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".et", ".ods")


class _Stop(Exception):
    """The workbook cannot be used; the problem has been recorded."""


class _Overtime(Exception):
    """Reading one file took longer than :data:`MAX_READ_SECONDS`."""


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`_Overtime` in the block once ``seconds`` have passed: whatever a file holds,
    it never stalls the batch (a signal timer, so on Unix and in the main thread only; an
    enclosing timer is put back with what is left of it)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    armed = [True]

    def expired(signum: int, frame: Any) -> None:
        if armed[0]:  # not once the block is over (a timer firing as it ends must not break the clean-up)
            raise _Overtime

    start = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expired)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - start), 0.001))


# ------------------------------------------------------------------ what a read returns


@dataclass
class WorkbookRead:
    """Everything read from one file.  ``usable`` is False when the file could not be used
    at all (then ``unit_id`` may still be known, e.g. a workbook of another rubric version)."""

    file: str
    usable: bool = True
    unit_id: str = ""
    unit_name: str = ""  # as the workbook says
    rubric_id: str = ""
    rubric_hash: str = ""
    values: dict[ReadingKey, Value | None] = field(default_factory=dict)
    sources: dict[ReadingKey, Source] = field(default_factory=dict)
    notes: dict[tuple[str, str], str] = field(default_factory=dict)
    note_sources: dict[tuple[str, str], Source] = field(default_factory=dict)
    note_formulas: set[tuple[str, str]] = field(default_factory=set)  # notes that were formulas (V018)
    problems: list[Problem] = field(default_factory=list)
    lines: dict[Any, int] = field(default_factory=dict)  # findings table: key or (target, criterion) → row


# ------------------------------------------------------------------ the campaign side: what to check against


@dataclass(frozen=True)
class UnitPlan:
    """What a unit's workbook must hold: its resolved variant, every live input by key."""

    unit: Unit
    variant: Variant
    inputs: Mapping[ReadingKey, tuple[Criterion, Input]]
    indicator: Mapping[str, str]  # criterion id → "一级/二级" titles
    criteria: Mapping[tuple[str, str], Criterion]  # (target, criterion id)


class _OwnStep(NamedTuple):
    """A run of criteria not scored per target: the plan's entries, ready to copy."""

    inputs: dict[ReadingKey, tuple[Criterion, Input]]
    criteria: dict[tuple[str, str], Criterion]


class _TargetStep(NamedTuple):
    """A criterion scored per target: its entries are made per unit, target by target."""

    kind: str
    criterion: Criterion
    live: tuple[tuple[str, tuple[Criterion, Input]], ...]  # (input id, (criterion, input))


@dataclass(frozen=True)
class _Shape:
    """What every unit resolved to the same variant shares: criteria in order, titles, and the
    steps of its plan in walk order."""

    rows: tuple[tuple[str | None, Criterion, tuple[Input, ...]], ...]  # (per-target kind, criterion, live inputs)
    titles: Mapping[str, str]
    steps: tuple[_OwnStep | _TargetStep, ...]


def _shape(variant: Variant) -> _Shape:
    rows = []
    titles: dict[str, str] = {}
    steps: list[_OwnStep | _TargetStep] = []
    for part, chain, crit in walk_with_path(variant):
        names = [i.title for i in chain]
        if crit.title and crit.title != names[-1]:
            names.append(crit.title)
        titles[crit.id] = "/".join(names)
        live = crit.live_inputs()
        rows.append((part.per_target, crit, live))
        if part.per_target:
            steps.append(_TargetStep(part.per_target, crit, tuple((i.id, (crit, i)) for i in live)))
            continue
        last = steps[-1] if steps else None
        if not isinstance(last, _OwnStep):
            last = _OwnStep({}, {})
            steps.append(last)
        last.criteria[("", crit.id)] = crit
        for inp in live:
            last.inputs[ReadingKey("", crit.id, inp.id)] = (crit, inp)
    return _Shape(tuple(rows), titles, tuple(steps))


def plan_unit(rubric: Rubric, unit: Unit, variant: Variant | None = None, shape: _Shape | None = None) -> UnitPlan:
    variant = variant if variant is not None else resolve(rubric, unit)
    shape = shape if shape is not None else _shape(variant)
    inputs: dict[ReadingKey, tuple[Criterion, Input]] = {}
    criteria: dict[tuple[str, str], Criterion] = {}
    targets: dict[str, list[str]] = {}
    for step in shape.steps:
        if isinstance(step, _OwnStep):
            inputs.update(step.inputs)
            criteria.update(step.criteria)
            continue
        tids = targets.get(step.kind)
        if tids is None:
            tids = targets[step.kind] = [t.id for t in unit.targets_of(step.kind)]
        crit = step.criterion
        cid = crit.id
        for tid in tids:
            criteria[(tid, cid)] = crit
            for iid, spec in step.live:
                inputs[ReadingKey(tid, cid, iid)] = spec
    return UnitPlan(unit, variant, inputs, shape.titles, criteria)


def _identity_matters(variant: Variant) -> bool:
    """Whether resolving a unit on ``variant`` reads more than its group and attributes: its own
    criteria sets (by name or alias), or a condition on its name."""

    def conds(a: Any) -> Iterable[Any]:
        return (*a.only_if, *a.not_if)

    indicators = list(all_indicators(variant))
    if any(ind.by_unit for ind in indicators):
        return True
    for ind in indicators:
        for crit in ind.criteria:
            for applies in (crit.applies, *(t.applies for t in crit.terms), *(v.applies for v in crit.vetoes)):
                if any(c.attribute in ("name", "单位名称") for c in conds(applies)):
                    return True
    return False


PLANS_KEPT = 64


class Context:
    """The rubric and roster a batch is read against; plans are made once per unit, and a
    unit's resolved variant is shared with every unit of the same group and attributes
    (resolution reads nothing else unless the variant has per-unit criteria)."""

    def __init__(self, rubric: Rubric, units: Sequence[Unit]):
        self.rubric = rubric
        self.units = {u.id: u for u in units}
        self._plans: dict[str, UnitPlan | list[Problem]] = {}
        self._resolved: dict[tuple[Any, ...], tuple[Variant, _Shape]] = {}
        self._identity: dict[str, bool] = {}

    def _resolve(self, unit: Unit) -> tuple[Variant, _Shape]:
        base = self.rubric.variant_for_group(unit.group)
        key: tuple[Any, ...] = (unit.group, tuple(sorted(unit.attributes.items())))
        if base is not None:
            if base.id not in self._identity:
                self._identity[base.id] = _identity_matters(base)
            if self._identity[base.id]:
                key = (*key, unit.name, unit.aliases)
        hit = self._resolved.get(key)
        if hit is None:
            variant = resolve(self.rubric, unit)
            hit = self._resolved[key] = (variant, _shape(variant))
        return hit

    def plan(self, unit_id: str) -> UnitPlan | list[Problem]:
        """The unit's plan; the last few are kept (a file asks twice, a batch once per unit, so
        keeping them all would make a worker's memory grow with the batch)."""
        hit = self._plans.get(unit_id)
        if hit is None:
            unit = self.units[unit_id]
            try:
                variant, shape = self._resolve(unit)
                hit = plan_unit(self.rubric, unit, variant, shape)
            except RubricError as exc:
                hit = list(exc.problems)
            if len(self._plans) >= PLANS_KEPT:
                del self._plans[next(iter(self._plans))]
            self._plans[unit_id] = hit
        return hit

    def rubric_label(self) -> str:
        return rubric_label(self.rubric.id, self.rubric.version, self.rubric.hash)


def rubric_label(rid: str, version: str, rhash: str) -> str:
    bits = [b for b in (f"版本{version}" if version else "", rhash) if b]
    return f"{rid}({','.join(bits)})" if bits else rid


# ------------------------------------------------------------------ step 1: sniffing


def sniff(head: bytes) -> str | None:
    """What a non-zip file is, in words a user recognises (``None``: it looks like a zip)."""
    if head.startswith(b"PK\x03\x04"):
        return None
    if head.startswith(b"PK\x05\x06"):
        return "空的压缩包"
    if head.startswith(b"%PDF"):
        return "PDF 文档"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "图片"
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return "压缩包(RAR/7z/gz)"
    low = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")):
        return "网页(HTML,常见于“导出为 Excel”的网页)"
    if low.startswith(b"<?xml"):
        return "XML 文件(可能是 Excel 2003 XML 表格)"
    if low.startswith(b"{\\rtf"):
        return "RTF 文档"
    try:
        head[:512].decode("utf-8")
        return "文本(如 CSV)"
    except UnicodeDecodeError:
        return "无法识别的二进制数据"


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_MARK = "EncryptionInfo".encode("utf-16-le")


# ------------------------------------------------------------------ step 2: the package


class Package:
    """A zip package with every part it hands out inflated under limits and verified."""

    def __init__(self, data: bytes, where: Mapping[str, str], problems: list[Problem] | None = None):
        self.data = data
        self.where = dict(where)
        self.problems: list[Problem] = problems if problems is not None else []
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error) as exc:
            self._fail(Code.W_BROKEN_ZIP, detail=_zip_detail(exc))
        if len(infos) > MAX_MEMBERS:
            self._fail(Code.W_TOO_LARGE, detail=f"含{len(infos)}个内部文件", limit=f"{MAX_MEMBERS}个")
        self.infos = {i.filename: i for i in infos}
        self.names_lower = {n.lower(): n for n in self.infos}
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_UNCOMPRESSED:
            self._fail(Code.W_TOO_LARGE, detail=_mb(total), limit=_mb(MAX_TOTAL_UNCOMPRESSED))
        self._parts: dict[str, bytes] = {}

    def _fail(self, code: Code, **params: str) -> NoReturn:
        self.problems.append(problem(code, **self.where, **params))
        raise _Stop

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
            self._fail(Code.W_TOO_LARGE, detail=f"“{real}”{_mb(info.file_size)}", limit=_mb(MAX_PART_BYTES))
        if info.flag_bits & 0x1:
            self._fail(Code.W_ENCRYPTED)
        raw = self._raw(info)
        if info.compress_type == zipfile.ZIP_STORED:
            out = raw
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            d = zlib.decompressobj(-15)
            try:
                out = d.decompress(raw, info.file_size + 1)
            except zlib.error as exc:
                self._fail(Code.W_BROKEN_ZIP, detail=f"内部文件“{real}”无法解压({exc})")
            if len(out) > info.file_size or d.unconsumed_tail:
                self._fail(Code.W_SIZE_FORGED, part=real, declared=_mb(info.file_size))
        else:
            self._fail(Code.W_BROKEN_ZIP, detail=f"内部文件“{real}”使用了不支持的压缩方式({info.compress_type})")
        if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
            self._fail(Code.W_BROKEN_ZIP, detail=f"内部文件“{real}”不完整或校验失败(文件可能被截断)")
        head = out[:1024]
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            self._fail(Code.W_XML_ENTITY, part=real)
        self._parts[real] = out
        return out

    def _raw(self, info: zipfile.ZipInfo) -> bytes:
        off = info.header_offset
        header = self.data[off : off + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            self._fail(Code.W_BROKEN_ZIP, detail=f"内部文件“{info.filename}”的位置信息有误(文件可能被截断)")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        start = off + 30 + name_len + extra_len
        raw = self.data[start : start + info.compress_size]
        if len(raw) != info.compress_size:
            self._fail(Code.W_BROKEN_ZIP, detail=f"内部文件“{info.filename}”不完整(文件可能被截断)")
        return raw

    def xml(self, name: str) -> Any:
        """A small structural part parsed with defusedxml (entity declarations refused)."""
        from defusedxml import DefusedXmlException
        from defusedxml.ElementTree import ParseError, fromstring

        data = self.part(name)
        try:
            return fromstring(data)
        except DefusedXmlException:
            self._fail(Code.W_XML_ENTITY, part=name)
        except ParseError as exc:
            self._fail(Code.W_BROKEN_ZIP, detail=f"内部文件“{name}”不是有效的 XML({exc})")


def _zip_detail(exc: BaseException) -> str:
    text = str(exc)
    if "File is not a zip file" in text or "Truncated" in text or isinstance(exc, EOFError | struct.error):
        return "压缩结构不完整(文件可能未传完或被截断)"
    return f"压缩结构损坏({text[:80]})"


def _mb(n: int) -> str:
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


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


_RELS: dict[bytes, tuple[tuple[str, str, str], ...]] = {}


def _rels(pkg: Package, name: str) -> tuple[tuple[str, str, str], ...]:
    """A relationships part as (id, type, target); remembered by content, since workbooks
    issued together share them."""
    data = pkg.part(name)
    hit = _RELS.get(data)
    if hit is None:
        hit = tuple(
            (rel.get("Id", ""), rel.get("Type", ""), rel.get("Target", ""))
            for rel in pkg.xml(name).iter(f"{_NS_PKG_REL}Relationship")
        )
        if len(_RELS) >= 64:
            _RELS.clear()
        _RELS[data] = hit
    return hit


def _workbook_part(pkg: Package) -> str:
    if pkg.has("_rels/.rels"):
        for _, kind, target in _rels(pkg, "_rels/.rels"):
            if kind.endswith("/officeDocument"):
                return _resolve_target("", target)
    return "xl/workbook.xml"


_SHEET_TAG = re.compile(rb"<sheet\s([^>]*?)/?>")
_SHEET_NAME = re.compile(rb'\sname="([^"]*)"')
_SHEET_RID = re.compile(rb'\sr:id="([^"]*)"')


def _sheets(pkg: Package, wb_part: str) -> list[tuple[str, str]]:
    """(name, relationship id) of every sheet in the workbook part, in order."""
    data = pkg.part(wb_part)
    found = _SHEET_TAG.findall(data)
    if found and len(found) == data.count(b"<sheet ") and b":sheet " not in data:  # the plain shape
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
    wb_part = _workbook_part(pkg)
    if not pkg.has(wb_part):
        pkg._fail(Code.W_BROKEN_ZIP, detail="缺少工作簿主体(xl/workbook.xml)")
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


# ------------------------------------------------------------------ step 3: the sheet guard and cell scan

_ATTR_S = re.compile(rb'\bs="([0-9]+)"')
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_ANY_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([^"]*)"')
_FORMULA_AT = re.compile(rb"\s*<(?:\w+:)?f\b([^>]*?)(/?)>(?:(.*?)</(?:\w+:)?f>)?", re.S)
_VALUE_AT = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)


@dataclass(frozen=True)
class CellInfo:
    """What the XML says about one cell beyond its value."""

    formula: str | None = None  # the formula text ("" for a shared formula without text)
    error: str | None = None  # an error value (#DIV/0!)
    style: int = 0


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _ref_order(ref: str) -> tuple[int, int]:
    try:
        return _pos(ref)
    except ValueError:
        return (0, 0)


_SUSPICIOUS_REF = re.compile(rb' r="(?:[A-Z]{2,3}[0-9]|[A-Z]{0,3}[0-9]{5})')
_ANY_REF = re.compile(rb' r="([A-Z]{0,3})([0-9]+)"')
_UNNUMBERED_ROW = re.compile(rb"<row(?![^>]*\sr=)[\s>/]")


def sheet_extent(xml: bytes) -> tuple[int, int]:
    """(rows, columns) a value reader would allocate for this sheet, as an upper bound.

    A scoring sheet uses a few hundred rows and columns up to S, so one cheap pass looks for
    a reference with a five-digit row or a two-letter column; only a sheet that has one is
    measured exactly.  Rows written without numbers are counted when the sheet is big
    enough to hold that many.
    """
    rows, cols = 0, 26
    if len(xml) > MAX_ROWS * 6 and (_UNNUMBERED_ROW.search(xml) is not None or b":row" in xml):
        rows = xml.count(b"<row") + xml.count(b":row ")
    if _SUSPICIOUS_REF.search(xml) is not None:
        for letters, digits in _ANY_REF.findall(xml):
            rows = max(rows, int(digits))
            if letters:
                cols = max(cols, _col_number(letters))
    return rows, cols


def scan_cells(xml: bytes, wanted: Iterable[str]) -> dict[str, CellInfo]:
    """Formula, error value and style of each ``wanted`` cell (cells absent from the XML are empty).

    Cells are found by their ``<c r="…"`` tag, in sheet order from where the last one was
    found, so a well-ordered sheet is walked once; a cell not found so (empty, namespaced,
    reordered) is looked up in an index of every cell of the part, made in one pass the first
    time one is needed (searching the whole part for each would take minutes on a big one).
    """
    info: dict[str, CellInfo] = {}
    pos = 0
    index: dict[bytes, int] | None = None
    for ref in sorted(wanted, key=_ref_order):
        tag = b'<c r="' + ref.encode() + b'"'
        i = xml.find(tag, pos)
        if i < 0:
            if index is None:
                index = {}
                for m in _ANY_CELL.finditer(xml):
                    index.setdefault(m.group(1), m.start())  # the first, as a search from the start finds
            i = index.get(ref.encode(), -1)
            if i < 0:
                continue
        pos = i
        close = xml.find(b">", i)
        if close < 0:
            continue
        attrs = xml[i:close]
        formula: str | None = None
        error: str | None = None
        if not attrs.endswith(b"/"):  # not self-closing: it may hold a formula and a value, up to its end
            end = _CELL_END.search(xml, close + 1)
            stop = end.start() if end is not None else len(xml)
            nxt = xml.find(b"<", close + 1, min(close + 64, stop))
            if nxt >= 0 and xml.startswith((b"<f", b"<x:f"), nxt):
                f = _FORMULA_AT.match(xml, close + 1, stop)
                if f is not None:
                    formula = "" if f.group(2) else html.unescape((f.group(3) or b"").decode("utf-8", "replace"))
            if b't="e"' in attrs:
                v = _VALUE_AT.search(xml, close + 1, stop)
                error = v.group(1).decode("utf-8", "replace") if v else "#ERROR"
        s = _ATTR_S.search(attrs) if b"s=" in attrs else None
        if formula is not None or error is not None or s is not None:
            info[ref] = CellInfo(formula, error, int(s.group(1)) if s else 0)
    return info


def percent_styles(styles_xml: bytes) -> set[int]:
    """Indices of the cell formats (``s=``) that display numbers as percentages."""
    codes, ids = xlsxscan.number_formats(styles_xml)
    return {i for i, fid in enumerate(ids or ()) if xlsxscan.format_kind(fid, codes) == "percent"}


# ------------------------------------------------------------------ step 4: values with calamine


_RESULT_RECORDS = ("result", "results")
_RESULT_TAGS = frozenset(_RESULT_RECORDS)  # what may follow the #result row of the hidden sheet


def _meta_rows(rows: list[list[Any]]) -> list[list[Any]]:
    """The meta sheet's rows without the result records (the reader recomputes, never reads
    results) and without the empty cells padding each row to the sheet's width."""
    out = []
    for row in rows:
        if not row or row[0] in _RESULT_RECORDS:
            continue
        n = len(row)
        while n and row[n - 1] == "":
            n -= 1
        out.append(row[:n])
    return out


@functools.lru_cache(maxsize=8192)
def _pos(ref: str) -> tuple[int, int]:
    """A1 → 0-based (row, col); cached, the same cells recur in every workbook of a rubric."""
    return layout.parse_a1(ref)


_MERGED_AT: dict[tuple[int, tuple[str, ...]], tuple[object, dict[tuple[int, int], str]]] = {}


def _merged_inputs(
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]], rows: Sequence[layout.MapRow]
) -> Mapping[tuple[int, int], str]:
    """Input cells (as the map places them) that lie inside a merged range → the range;
    remembered for the direct reader's shared range lists (sheets of one shape)."""
    key = (id(merged), tuple(m.cell for m in rows))
    hit = _MERGED_AT.get(key)
    if hit is not None and hit[0] is merged:
        return hit[1]
    out = _find_merged_inputs(merged, rows)
    if len(_MERGED_AT) >= 256:
        _MERGED_AT.clear()
    _MERGED_AT[key] = (merged, out)
    return out


def _find_merged_inputs(
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]], rows: Sequence[layout.MapRow]
) -> dict[tuple[int, int], str]:
    out: dict[tuple[int, int], str] = {}
    if not merged:
        return out
    cells: set[tuple[int, int]] = set()
    cols: set[int] = set()
    for m in rows:
        try:
            rc = _pos(m.cell)
        except ValueError:
            continue
        cells.add(rc)
        cols.add(rc[1])
    lo, hi = min(cols, default=0), max(cols, default=-1)
    for (r0, c0), (r1, c1) in merged:
        if c1 < lo or c0 > hi or (r1 == r0 and c1 == c0):
            continue
        for r, c in cells:
            if r0 <= r <= r1 and c0 <= c <= c1:
                out[(r, c)] = f"{layout.a1(r0, c0)}:{layout.a1(r1, c1)}"
    return out


_Prepared = tuple[ReadingKey, tuple[int, int], "tuple[int, int] | None", str, "tuple[int, int] | None", str]
_PREPARED: dict[int, tuple[layout.MapRow, _Prepared | None]] = {}


def _prepared(m: layout.MapRow) -> _Prepared | None:
    """What the reader works out from a map row before looking at any cell: its reading key,
    the input's and its id's positions, the input's A1 address, the note's position and
    address (``None`` when an address cannot be placed).  Remembered for the map rows every
    workbook of a variant shares (:func:`zwgk_cli.workbook.layout.read_layout` hands out the same objects)."""
    hit = _PREPARED.get(id(m))
    if hit is not None and hit[0] is m:
        return hit[1]
    try:
        pos = _pos(m.cell)
        id_pos = _pos(m.id_cell) if m.id_cell else None
    except ValueError:
        prep: _Prepared | None = None
    else:
        try:
            note_at: tuple[int, int] | None = _note_pos(m)
        except ValueError:
            note_at = None
        note_ref = layout.a1(*note_at) if note_at is not None else ""
        prep = (ReadingKey(m.target, m.criterion, m.input), pos, id_pos, m.cell.upper(), note_at, note_ref)
    if not m.target:  # a website's rows are its workbook's own: not worth remembering
        if len(_PREPARED) >= 16384:
            _PREPARED.clear()
        _PREPARED[id(m)] = (m, prep)  # holds ``m``: its id is not reused while remembered
    return prep


def _note_pos(m: layout.MapRow) -> tuple[int, int]:
    """Where the input's 扣分说明 is (0-based), as the map places it."""
    return _pos(m.note_cell) if m.note_cell else (_pos(m.cell)[0], layout.COL_NOTE)


def _merged_range(merged: Sequence[tuple[tuple[int, int], tuple[int, int]]], row: int, col: int) -> str | None:
    for (r0, c0), (r1, c1) in merged:
        if r0 <= row <= r1 and c0 <= col <= c1 and (r1 > r0 or c1 > c0):
            return f"{layout.a1(r0, c0)}:{layout.a1(r1, c1)}"
    return None


def _at(grid: Sequence[Sequence[Any]], row: int, col: int) -> Any:
    if row < 0 or col < 0 or row >= len(grid):
        return None
    r = grid[row]
    return r[col] if col < len(r) else None


# ------------------------------------------------------------------ the reader


def read_workbook(path: Path, ctx: Context, name: str | None = None) -> WorkbookRead:
    """Read one returned workbook.  Never raises for anything in the file.

    The sheets are first read directly (:mod:`xlsxscan`); a workbook holding anything that
    reader does not interpret is read again, from the start, with python-calamine."""
    out = read_direct(path, ctx, name)
    return out if out is not None else read_general(path, ctx, name)


def read_direct(path: Path, ctx: Context, name: str | None = None) -> WorkbookRead | None:
    """The workbook read with :mod:`xlsxscan` (``None``: it holds something that reader leaves
    to python-calamine)."""
    out = WorkbookRead(file=name or str(path))
    return out if _attempt(_Reader(path, ctx, out, direct=True)) else None


def read_general(path: Path, ctx: Context, name: str | None = None) -> WorkbookRead:
    """The workbook read with python-calamine (what :func:`read_workbook` falls back to)."""
    out = WorkbookRead(file=name or str(path))
    _attempt(_Reader(path, ctx, out, direct=False))
    return out


def _attempt(reader: _Reader) -> bool:
    """Run ``reader``; ``False`` when the direct reader gave up (nothing it found counts)."""
    out = reader.out
    try:
        with _deadline(MAX_READ_SECONDS):
            reader.run()
    except xlsxscan.Unsupported:
        return False
    except _Stop:
        out.usable = False
    except _Overtime:
        out.usable = False
        out.problems.append(problem(Code.W_OVERTIME, file=out.file, limit=f"{MAX_READ_SECONDS:g}"))
    except MemoryError:
        out.usable = False
        out.problems.append(problem(Code.W_TOO_LARGE, file=out.file, detail="读取时内存不足", limit="可用内存"))
    except Exception as exc:  # an unforeseen file: one located problem, never a traceback
        out.usable = False
        detail = f"{type(exc).__name__}: {str(exc)[:120]}"
        out.problems.append(problem(Code.W_UNEXPECTED, file=out.file, detail=detail))
    return True


class _Reader:
    def __init__(self, path: Path, ctx: Context, out: WorkbookRead, direct: bool = False):
        self.path = path
        self.ctx = ctx
        self.out = out
        self.file = out.file
        self.direct = direct  # read the sheets with xlsxscan (else python-calamine)
        self._merged: Sequence[tuple[tuple[int, int], tuple[int, int]]] = []
        self._notes_read: set[tuple[str, int, int]] = set()
        self._strings: xlsxscan.SharedStrings | None = None
        self._styles: xlsxscan.Styles | None = None
        self._wb: Any = None

    # -- problems
    def add(self, code: Code, **params: Any) -> None:
        self.out.problems.append(problem(code, file=self.file, **params))

    def stop(self, code: Code, **params: Any) -> NoReturn:
        self.add(code, **params)
        raise _Stop

    # -- steps
    def run(self) -> None:
        data = self._bytes()
        pkg = self._package(data)
        parts, others = workbook_parts(pkg)
        if layout.META_SHEET not in parts:
            visible = "、".join(list(parts)[:5])
            self.stop(
                Code.W_NOT_ZWGK,
                sheet_name=layout.META_SHEET,
                detail=f";其中的工作表:{visible}" if visible else "",
            )
        meta_xml = self._guard(pkg, parts, layout.META_SHEET)
        for name in pkg.names_lower.values():
            low = name.lower()
            if low.startswith("xl/") and low.count("/") == 1 and low.endswith(".xml"):
                pkg.part(name)  # shared strings, styles, workbook: what the value reader parses on opening
        if self.direct:
            sst, st = others.get("sharedStrings"), others.get("styles")
            self._strings = xlsxscan.SharedStrings(pkg.part(sst) if sst and pkg.has(sst) else None)
            self._styles = _styles(pkg.part(st) if st and pkg.has(st) else None)
            sheet = xlsxscan.Sheet(meta_xml or b"", self._strings)
            meta_rows = _meta_rows(sheet.rows(stop=b"#result", tail=_RESULT_TAGS))  # the results are never read back
        else:
            meta_rows = self._calamine_meta(data)
        head = meta_rows[0] if meta_rows else []
        if len(head) > 1 and head[0] == layout.MAGIC:
            fmt = layout.cell_text(head[1])
            if fmt.isdigit() and int(fmt) > layout.FORMAT_VERSION:
                self.stop(Code.W_FORMAT_VERSION, found=fmt, expected=str(layout.FORMAT_VERSION))
        try:
            lay = layout.read_layout(meta_rows)
        except layout.LayoutError as exc:
            if exc.not_zwgk:
                self.stop(Code.W_NOT_ZWGK, sheet_name=layout.META_SHEET, detail=f":{exc.reason}")
            self.stop(Code.W_BAD_META, detail=exc.reason)
        del meta_rows
        plan = self._identity(lay)
        self._inputs(lay, plan, pkg, parts)

    def _calamine_meta(self, data: bytes) -> list[list[Any]]:
        from python_calamine import CalamineError, CalamineWorkbook, PasswordError

        try:
            self._wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except PasswordError:
            self.stop(Code.W_ENCRYPTED)
        except CalamineError as exc:
            self.stop(Code.W_BROKEN_ZIP, detail=f"无法解析工作簿({str(exc)[:100]})")
        try:
            return _meta_rows(self._wb.get_sheet_by_name(layout.META_SHEET).to_python(skip_empty_area=False))
        except CalamineError as exc:
            self.stop(Code.W_CELL_ERROR, sheet_name=layout.META_SHEET, detail=str(exc)[:100])

    def _bytes(self) -> bytes:
        try:
            size = self.path.stat().st_size
            if size == 0:
                self.stop(Code.W_EMPTY_FILE)
            if size > MAX_FILE_BYTES:
                self.stop(Code.W_TOO_LARGE, detail=f"文件{_mb(size)}", limit=_mb(MAX_FILE_BYTES))
            with self.path.open("rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            self.stop(Code.W_UNREADABLE, detail=os_reason(exc))
        if not data:
            self.stop(Code.W_EMPTY_FILE)
        if data.startswith(OLE_MAGIC):
            if _ENCRYPTION_MARK in data:
                self.stop(Code.W_ENCRYPTED)
            self.stop(Code.W_LEGACY_XLS)
        found = sniff(data[:1024])
        if found is not None:
            self.stop(Code.W_NOT_XLSX, found=found)
        return data

    def _package(self, data: bytes) -> Package:
        pkg = Package(data, {"file": self.file}, self.out.problems)
        names = set(pkg.names_lower)
        if "xl/vbaproject.bin" in names or any(n.endswith("vbaproject.bin") for n in names):
            self.stop(Code.W_MACROS)
        if "encryptioninfo" in names or "encryptedpackage" in names:
            self.stop(Code.W_ENCRYPTED)
        if "content.xml" in names and "mimetype" in names:
            self.stop(Code.W_OTHER_FORMAT, found="OpenDocument 表格文件(.ods)")
        if "xl/workbook.bin" in names:
            self.stop(Code.W_OTHER_FORMAT, found="Excel 二进制工作簿(.xlsb)")
        if "word/document.xml" in names:
            self.stop(Code.W_OTHER_FORMAT, found="Word 文档")
        if "ppt/presentation.xml" in names:
            self.stop(Code.W_OTHER_FORMAT, found="PowerPoint 演示文稿")
        if not any(n.startswith("xl/") for n in names):
            self.stop(Code.W_NOT_XLSX, found="压缩包(不含 Excel 工作簿)")
        return pkg

    def _guard(self, pkg: Package, parts: Mapping[str, str], sheet: str, unit: str = "") -> bytes | None:
        """The sheet's XML, or ``None`` (with a problem) when it cannot be read safely: a
        sheet claiming a million rows is refused before any reader allocates a grid for it.
        A bad meta sheet stops the workbook; a bad scoring sheet only its inputs."""
        part = parts[sheet]
        problems: list[tuple[Code, dict[str, str]]] = []
        if not pkg.has(part):
            problems.append((Code.W_CELL_ERROR, {"detail": f"缺少内部文件“{part}”"}))
        else:
            xml = pkg.part(part)
            rows, cols = sheet_extent(xml)
            if rows > MAX_ROWS or cols > MAX_COLS or rows * cols > MAX_CELLS:
                problems.append((Code.W_SHEET_TOO_BIG, {"rows": str(rows), "cols": str(cols)}))
            else:
                return xml
        code, params = problems[0]
        where = {"unit": unit} if unit else {}
        if sheet == layout.META_SHEET:
            self.stop(code, sheet=sheet, sheet_name=sheet, **where, **params)
        self.add(code, sheet=sheet, sheet_name=sheet, **where, **params)
        return None

    def _identity(self, lay: layout.Layout) -> UnitPlan:
        meta = lay.meta
        out = self.out
        out.unit_id, out.unit_name = meta.unit_id, meta.unit_name
        out.rubric_id, out.rubric_hash = meta.rubric_id, meta.rubric_hash
        rubric = self.ctx.rubric
        unit_label = meta.unit_name or meta.unit_id
        if meta.rubric_id != rubric.id or meta.rubric_hash != rubric.hash:
            self.stop(
                Code.W_RUBRIC_VERSION,
                unit=unit_label,
                found=rubric_label(meta.rubric_id, meta.rubric_version, meta.rubric_hash),
                expected=self.ctx.rubric_label(),
            )
        unit = self.ctx.units.get(meta.unit_id)
        if unit is None:
            self.stop(Code.W_UNKNOWN_UNIT, unit=unit_label, found=unit_label, unit_id=meta.unit_id)
        if meta.unit_name and meta.unit_name != unit.name:
            self.add(
                Code.W_WORKBOOK_UNIT_CHANGED,
                unit=unit.name,
                found=meta.unit_name,
                expected=unit.name,
                unit_id=unit.id,
            )
        plan = self.ctx.plan(unit.id)
        if isinstance(plan, list):
            for p in plan:
                self.out.problems.append(problem(Code.W_BAD_META, file=self.file, unit=unit.name, detail=p.message))
            raise _Stop
        if meta.variant and meta.variant != plan.variant.id:
            self.stop(
                Code.W_VARIANT_CHANGED,
                unit=unit.name,
                found=meta.variant,
                expected=plan.variant.id,
                group=unit.group,
            )
        return plan

    def _inputs(self, lay: layout.Layout, plan: UnitPlan, pkg: Package, parts: Mapping[str, str]) -> None:
        unit = plan.unit
        out = self.out
        roster_targets = {t.id: t for t in unit.targets}
        book_targets = {t.id: t for t in lay.meta.targets}
        kind_titles = {k.id: k.title for k in self.ctx.rubric.target_kinds}
        for t in unit.targets:
            if t.id not in book_targets and any(k.target == t.id for k in plan.inputs):
                self.add(
                    Code.W_TARGETS_CHANGED,
                    unit=unit.name,
                    kind=kind_titles.get(t.kind, t.kind),
                    target=t.name,
                    detail="在单位名单中,但评分表中没有它的工作表,其各项无法评分",
                )
        for t in lay.meta.targets:
            if t.id not in roster_targets:
                self.add(
                    Code.W_TARGET_EXTRA,
                    unit=unit.name,
                    kind=kind_titles.get(t.kind, t.kind),
                    target=t.name,
                )

        by_sheet: dict[str, list[layout.MapRow]] = {}
        for m in lay.inputs:
            by_sheet.setdefault(m.sheet, []).append(m)
        seen: set[ReadingKey] = set()
        for sheet, rows in by_sheet.items():
            if sheet not in parts:
                live = [m for m in rows if m.key in plan.inputs]
                self.add(Code.W_SHEET_MISSING, sheet=sheet, unit=unit.name, sheet_name=sheet, count=str(len(live)))
                seen.update(m.key for m in rows)
                continue
            xml = self._guard(pkg, parts, sheet, unit.name)
            view = self._view(pkg, sheet, xml, rows, unit.name) if xml is not None else None
            if view is None:
                for m in rows:
                    seen.add(m.key)
                    if m.key in plan.inputs and xml is None:
                        out.values[m.key] = None
                continue
            merged_at = _merged_inputs(view.merged, rows)
            self._merged = view.merged
            if isinstance(view, _ScanView):
                self._plain_rows(rows, plan, view, merged_at, seen)
                continue
            for m in rows:
                key = m.key
                seen.add(key)
                self._one(m, key, plan, view, merged_at)
        for key, (crit, inp) in plan.inputs.items():
            if key in seen or key.target not in ("", *book_targets):
                continue
            out.values[key] = None
            self.add(
                Code.W_INPUT_ABSENT,
                unit=unit.name,
                indicator=plan.indicator.get(crit.id, crit.id),
                label=inp.label,
            )
        self._nothing_filled(plan)

    def _view(self, pkg: Package, sheet: str, xml: bytes, rows: Sequence[layout.MapRow], unit: str) -> _View | None:
        """The sheet's cells, read directly or through python-calamine (``None``: unreadable)."""
        if self.direct:
            assert self._strings is not None and self._styles is not None
            return _ScanView(xlsxscan.Sheet(xml, self._strings), self._styles)
        from python_calamine import CalamineError

        wanted = {m.cell.upper() for m in rows}
        for m in rows:
            with contextlib.suppress(ValueError):
                wanted.add(layout.a1(*_note_pos(m)))
        info = scan_cells(xml, wanted)
        try:
            sh = self._wb.get_sheet_by_name(sheet)
            grid = sh.to_python(skip_empty_area=False)
            merged = list(sh.merged_cell_ranges or [])
        except CalamineError as exc:
            self.add(Code.W_CELL_ERROR, sheet=sheet, unit=unit, sheet_name=sheet, detail=str(exc)[:100])
            return None
        pct: set[int] = set()
        if any(i.style for i in info.values()) and pkg.has("xl/styles.xml"):
            pct = percent_styles(pkg.part("xl/styles.xml"))
        return _GridView(grid, info, merged, pct)

    def _nothing_filled(self, plan: UnitPlan) -> None:
        """A workbook returned blank: one problem instead of one per input."""
        out = self.out
        empty = [p for p in out.problems if p.code == Code.V_EMPTY.code]
        if len(empty) < 2 or any(v is not None for v in out.values.values()):
            return
        out.problems = [p for p in out.problems if p.code != Code.V_EMPTY.code]
        self.add(Code.W_NOTHING_FILLED, unit=plan.unit.name, count=str(len(empty)))

    def _plain_rows(
        self,
        rows: Sequence[layout.MapRow],
        plan: UnitPlan,
        view: _ScanView,
        merged_at: Mapping[tuple[int, int], str],
        seen: set[ReadingKey],
    ) -> None:
        """:meth:`_one` for a sheet read directly, its common case in one tight loop (the id in
        place, a value typed in an unmerged cell); any other row is handed to :meth:`_one`
        before anything of it is recorded."""
        inputs = plan.inputs
        out = self.out
        sources, values = out.sources, out.values
        cell_at = view.sheet.cell
        plain, percent = view.plain, view.percent
        file = self.file
        notes_read = self._notes_read
        for m in rows:
            prep = _prepared(m)
            if prep is None:  # an address the reader cannot place
                key = ReadingKey(m.target, m.criterion, m.input)
                seen.add(key)
                self._one(m, key, plan, view, merged_at)
                continue
            key, pos, id_pos, cell, note_at, note_ref = prep
            seen.add(key)
            spec = inputs.get(key)
            if spec is None or pos in merged_at:
                self._one(m, key, plan, view, merged_at)
                continue
            if id_pos is not None:
                found = cell_at(id_pos[0], id_pos[1], plain).value
                if found != m.id and layout.cell_text(found) != m.id:
                    self._one(m, key, plan, view, merged_at)
                    continue
            c = cell_at(pos[0], pos[1], plain)
            if c.formula is not None or c.error is not None:
                self._one(m, key, plan, view, merged_at)
                continue
            crit, inp = spec
            sources[key] = Source(file, m.sheet, cell)
            if note_at is not None and (m.sheet, *note_at) not in notes_read:
                self._note(key, m, 0, 0, view, plan, note_at, note_ref)
            outcome = normalize(c.value, inp, limit=crit.max, percent_format=bool(c.style) and c.style in percent)
            values[key] = outcome.value
            if outcome.code is not None:
                self._problem(outcome.code, m, plan, crit, cell, **outcome.params)

    def _store(
        self,
        key: ReadingKey,
        m: layout.MapRow,
        plan: UnitPlan,
        crit: Criterion,
        inp: Input,
        cell: str,
        c: xlsxscan.Cell,
        percent: Collection[int],
    ) -> None:
        """A plain value, normalised against the rubric's input (a problem when it is not clean)."""
        outcome = normalize(c.value, inp, limit=crit.max, percent_format=bool(c.style) and c.style in percent)
        self.out.values[key] = outcome.value
        if outcome.code is not None:
            self._problem(outcome.code, m, plan, crit, cell, **outcome.params)

    def _one(
        self,
        m: layout.MapRow,
        key: ReadingKey,
        plan: UnitPlan,
        view: _View,
        merged_at: Mapping[tuple[int, int], str],
    ) -> None:
        spec = plan.inputs.get(key)
        if spec is None:
            self._not_live(m, plan, view)
            return
        crit, inp = spec
        out = self.out
        try:
            row, col = _pos(m.cell)
            id_row, id_col = _pos(m.id_cell) if m.id_cell else (row, col)
        except ValueError:
            self.add(Code.W_BAD_META, unit=plan.unit.name, detail=f"单元格地址“{m.cell}”无法识别")
            out.values[key] = None
            return
        cell = m.cell.upper()
        dr = dc = 0
        if m.id_cell:
            found = view.value(id_row, id_col)
            if found != m.id and layout.cell_text(found) != m.id:
                at = view.find(m.id)
                if len(at) == 1 and (row + at[0][0] - id_row < 0 or col + at[0][1] - id_col < 0):
                    at = []  # moved so far up or left that its input would be off the sheet
                    moved = "；该编号已移到别处,按它推算出的填写单元格不在表内"
                else:
                    moved = "；该编号在表中出现了多次" if at else "；表中已找不到该编号(所在行可能被删除)"
                if len(at) != 1:
                    self._problem(
                        Code.W_ROW_MOVED,
                        m,
                        plan,
                        crit,
                        m.id_cell.upper(),
                        label=inp.label,
                        row=str(id_row + 1),
                        found=layout.cell_text(found) or "(空)",
                        expected=m.id,
                        moved=moved,
                    )
                    out.values[key] = None
                    return
                dr, dc = at[0][0] - id_row, at[0][1] - id_col
                new_cell = layout.a1(row + dr, col + dc)
                self._problem(
                    Code.W_ROW_RELOCATED, m, plan, crit, new_cell, label=inp.label, old=cell, new=new_cell, id=m.id
                )
                row, col, cell = row + dr, col + dc, new_cell
        out.sources[key] = Source(self.file, m.sheet, cell)
        self._note(key, m, dr, dc, view, plan)
        rng = merged_at.get((row, col)) if not (dr or dc) else _merged_range(self._merged, row, col)
        if rng is not None:
            self._problem(Code.W_MERGED_INPUT, m, plan, crit, cell, range=rng)
            out.values[key] = None
            return
        c = view.cell(row, col, cell)
        if c.formula is not None or c.error is not None:
            exp = expected(inp, crit.max)
            if c.formula is not None:
                shown = "=" + c.formula if c.formula else "(共享公式)"
                self._problem(Code.V_FORMULA, m, plan, crit, cell, label=inp.label, found=shown[:60], expected=exp)
            else:
                self._problem(Code.V_ERROR_VALUE, m, plan, crit, cell, label=inp.label, found=c.error, expected=exp)
            out.values[key] = None
            return
        self._store(key, m, plan, crit, inp, cell, c, view.percent)

    def _problem(self, code: Code, m: layout.MapRow, plan: UnitPlan, crit: Criterion, cell: str, **params: Any) -> None:
        self.add(
            code,
            sheet=m.sheet,
            cell=cell,
            unit=plan.unit.name,
            indicator=plan.indicator.get(crit.id, crit.id),
            **params,
        )

    def _not_live(self, m: layout.MapRow, plan: UnitPlan, view: _View) -> None:
        """A map row the rubric does not ask for (any more): a filled value is reported, not used."""
        try:
            row, col = _pos(m.cell)
        except ValueError:
            return
        raw = view.value(row, col)
        if raw in (None, "") or m.target not in {t.id for t in plan.unit.targets} | {""}:
            return
        self.add(
            Code.V_NOT_APPLICABLE,
            sheet=m.sheet,
            cell=m.cell.upper(),
            unit=plan.unit.name,
            indicator=plan.indicator.get(m.criterion, m.criterion),
            label=m.label or m.input,
            found=describe(raw),
        )

    def _note(
        self,
        key: ReadingKey,
        m: layout.MapRow,
        dr: int,
        dc: int,
        view: _View,
        plan: UnitPlan,
        at: tuple[int, int] | None = None,
        ref: str = "",
    ) -> None:
        """The criterion's 扣分说明 (shared by its inputs), shifted like its input when rows moved;
        a formula there is reported and not read (its cached result is never trusted).
        ``at``/``ref``: where the map places it, when already known."""
        if at is None:
            try:
                at = _note_pos(m)
            except ValueError:
                return
        r, c = at[0] + dr, at[1] + dc
        if r < 0 or c < 0:  # its input moved, and this cell would be off the sheet
            return
        where = (m.sheet, r, c)
        if where in self._notes_read:  # the criterion's other inputs share its note cell
            return
        self._notes_read.add(where)
        nk = (key.target, key.criterion)
        out = self.out
        if not ref or dr or dc:
            ref = layout.a1(r, c)
        if nk not in out.note_sources:
            out.note_sources[nk] = Source(self.file, m.sheet, ref)
        cell = view.cell(r, c, ref)
        if cell.formula is not None:
            shown = "=" + cell.formula if cell.formula else "(共享公式)"
            self.add(
                Code.V_NOTE_FORMULA,
                sheet=m.sheet,
                cell=ref,
                unit=plan.unit.name,
                indicator=plan.indicator.get(key.criterion, key.criterion),
                found=shown[:60],
            )
            out.note_formulas.add(nk)
            return
        raw = cell.value
        if raw is None or raw == "":
            return
        text = raw.strip() if isinstance(raw, str) else describe(raw)
        if not text:
            return
        have = out.notes.get(nk)
        if have is None:
            out.notes[nk] = text
        elif text not in have.split("；"):
            out.notes[nk] = f"{have}；{text}"


class _View:
    """One scoring sheet's cells as the reader sees them."""

    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]]
    percent: Collection[int]  # cell formats showing numbers as percentages

    def value(self, row: int, col: int) -> Any:
        raise NotImplementedError

    def cell(self, row: int, col: int, ref: str) -> xlsxscan.Cell:
        """The cell's value, formula, error value and format (``ref``: its A1 address)."""
        raise NotImplementedError

    def find(self, text: str) -> list[tuple[int, int]]:
        raise NotImplementedError


class _GridView(_View):
    """python-calamine's grid of values, and the formulas, errors and formats found in the XML."""

    def __init__(
        self,
        grid: Sequence[Sequence[Any]],
        info: Mapping[str, CellInfo],
        merged: Sequence[tuple[tuple[int, int], tuple[int, int]]],
        percent: Collection[int],
    ):
        self.grid, self.info, self.merged, self.percent = grid, info, merged, percent
        self._locator = _Locator(grid)

    def value(self, row: int, col: int) -> Any:
        return _at(self.grid, row, col)

    def cell(self, row: int, col: int, ref: str) -> xlsxscan.Cell:
        info = self.info.get(ref)
        value = _at(self.grid, row, col)
        return xlsxscan.Cell(value, info.formula, info.error, info.style) if info else xlsxscan.Cell(value)

    def find(self, text: str) -> list[tuple[int, int]]:
        return self._locator.find(text)


class _ScanView(_View):
    """A sheet read directly; a row that moved is left to the general reader."""

    def __init__(self, sheet: xlsxscan.Sheet, styles: xlsxscan.Styles):
        self.sheet, self.plain, self.percent = sheet, styles.plain, styles.percent
        self.merged = sheet.merged

    def value(self, row: int, col: int) -> Any:
        if row < 0 or col < 0:
            return None
        return self.sheet.cell(row, col, self.plain).value

    def cell(self, row: int, col: int, ref: str) -> xlsxscan.Cell:
        return self.sheet.cell(row, col, self.plain)

    def find(self, text: str) -> list[tuple[int, int]]:
        raise xlsxscan.Unsupported("a row moved")


_STYLES: dict[bytes, xlsxscan.Styles] = {}


def _styles(xml: bytes | None) -> xlsxscan.Styles:
    """The styles part's number formats, remembered: workbooks issued together share it."""
    key = xml or b""
    hit = _STYLES.get(key)
    if hit is None:
        if len(_STYLES) >= 16:
            _STYLES.clear()
        hit = _STYLES[key] = xlsxscan.styles(xml)
    return hit


class _Locator:
    """Finds where an id text is on a sheet (built on first use)."""

    def __init__(self, grid: Sequence[Sequence[Any]]):
        self.grid = grid
        self._index: dict[str, list[tuple[int, int]]] | None = None

    def find(self, text: str) -> list[tuple[int, int]]:
        if self._index is None:
            self._index = {}
            for r, row in enumerate(self.grid):
                for c, v in enumerate(row):
                    if isinstance(v, str) and v:
                        self._index.setdefault(v.strip(), []).append((r, c))
        return self._index.get(text, [])


# ------------------------------------------------------------------ a findings table (--inputs)

FINDINGS_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "unit": ("unit", "单位", "单位名称", "单位编号"),
    "target": ("target", "对象", "对象编号", "网站", "网站编号"),
    "indicator": ("indicator", "指标", "指标编号"),
    "criterion": ("criterion", "细则", "细则编号"),
    "input": ("input", "填写项", "填写项编号"),
    "value": ("value", "值", "填写", "填写内容"),
    "note": ("note", "扣分说明"),
}
FINDINGS_REQUIRED = ("unit", "criterion", "input", "value")
MAX_TABLE_BYTES = 64 * 1024 * 1024


def read_findings(path: Path, ctx: Context, name: str | None = None) -> tuple[list[WorkbookRead], list[Problem]]:
    """A findings table (CSV: ``unit, target, indicator, criterion, input, value[, note]``)
    → one :class:`WorkbookRead` per unit it names, plus the table's own problems.

    Ids are those of ``zwgk inspect --json``; ``unit`` may be the unit's id or name.  Values
    go through the same normalisation as workbook cells (numbers are text by nature here).
    An input a named unit needs but the table leaves out is unfilled, never zero.
    """
    import csv

    file = name or str(path)
    columns = "、".join(FINDINGS_COLUMNS)
    try:
        raw = path.read_bytes()[: MAX_TABLE_BYTES + 1]
        if len(raw) > MAX_TABLE_BYTES:
            return [], [problem(Code.W_INPUTS_FILE, file=file, detail="文件过大", columns=columns)]
        text = raw.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
    except OSError as exc:
        return [], [problem(Code.W_INPUTS_FILE, file=file, detail=os_reason(exc), columns=columns)]
    except UnicodeDecodeError:
        return [], [problem(Code.W_INPUTS_FILE, file=file, detail="不是 UTF-8 编码", columns=columns)]
    except csv.Error as exc:
        return [], [problem(Code.W_INPUTS_FILE, file=file, detail=f"CSV 格式有误({exc})", columns=columns)]
    if not rows:
        return [], [problem(Code.W_INPUTS_FILE, file=file, detail="文件为空", columns=columns)]
    header = [h.strip().lower() for h in rows[0]]
    index: dict[str, int] = {}
    for key, names in FINDINGS_COLUMNS.items():
        for i, h in enumerate(header):
            if h in names:
                index.setdefault(key, i)
    lacking = [k for k in FINDINGS_REQUIRED if k not in index]
    if lacking:
        detail = "缺少列“" + "”“".join(lacking) + "”"
        return [], [problem(Code.W_INPUTS_FILE, file=file, line=1, detail=detail, columns=columns)]
    return _Findings(ctx, file, index).read(rows[1:])


class _Findings:
    def __init__(self, ctx: Context, file: str, index: Mapping[str, int]):
        self.ctx = ctx
        self.file = file
        self.index = index
        self.problems: list[Problem] = []
        self.reads: dict[str, WorkbookRead] = {}
        self.seen: dict[tuple[str, ReadingKey], int] = {}
        self.dups: set[tuple[str, ReadingKey]] = set()
        by_name: dict[str, Unit] = {}
        for u in ctx.units.values():
            for n in (u.name, *u.aliases):
                by_name.setdefault(n, u)
        self.by_name = by_name

    def cell(self, row: Sequence[str], key: str) -> str:
        i = self.index.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    def row_problem(self, line: int, detail: str, **where: Any) -> None:
        self.problems.append(problem(Code.W_INPUTS_ROW, file=self.file, line=line, detail=detail, **where))

    def read(self, rows: Sequence[Sequence[str]]) -> tuple[list[WorkbookRead], list[Problem]]:
        for line, row in enumerate(rows, start=2):
            if not any(c.strip() for c in row):
                continue
            self.row(line, row)
        for (uid, key), _ in sorted(self.seen.items(), key=lambda kv: kv[1]):
            if (uid, key) in self.dups:
                self.reads[uid].values[key] = None
        for uid, read in self.reads.items():
            plan = self.ctx.plan(uid)
            assert isinstance(plan, UnitPlan)
            for key, (crit, inp) in plan.inputs.items():
                if key in read.values:
                    continue
                read.values[key] = None
                outcome = normalize(None, inp, limit=crit.max, text_source=True)
                if outcome.code is not None:
                    self.problems.append(
                        problem(
                            outcome.code,
                            file=self.file,
                            unit=plan.unit.name,
                            indicator=plan.indicator.get(crit.id, crit.id),
                            **outcome.params,
                        )
                    )
            read.problems = [p for p in self.problems if p.unit == plan.unit.name]
        loose = [p for p in self.problems if not p.unit or p.unit not in {r.unit_name for r in self.reads.values()}]
        ordered = [self.reads[uid] for uid in self.ctx.units if uid in self.reads]
        return ordered, loose

    def row(self, line: int, row: Sequence[str]) -> None:
        unit_key = self.cell(row, "unit")
        unit = self.ctx.units.get(unit_key) or self.by_name.get(unit_key)
        if unit is None:
            self.row_problem(line, f"单位“{unit_key}”不在单位名单中(应为名单中的单位编号或名称)")
            return
        plan = self.ctx.plan(unit.id)
        if isinstance(plan, list):
            for p in plan:
                self.row_problem(line, p.message, unit=unit.name)
            return
        target, crit_id, input_id = self.cell(row, "target"), self.cell(row, "criterion"), self.cell(row, "input")
        key = ReadingKey(target, crit_id, input_id)
        spec = plan.inputs.get(key)
        if spec is None:
            self._unknown(line, plan, key, self.cell(row, "value"))
            return
        crit, inp = spec
        indicator = self.cell(row, "indicator")
        where = {"unit": unit.name, "indicator": plan.indicator.get(crit.id, crit.id)}
        if indicator and indicator not in _indicator_ids(plan, crit.id):
            self.row_problem(line, f"指标“{indicator}”与细则“{crit_id}”不对应", **where)
            return
        read = self.reads.get(unit.id)
        if read is None:
            read = self.reads[unit.id] = WorkbookRead(self.file, unit_id=unit.id, unit_name=unit.name)
            read.rubric_id, read.rubric_hash = self.ctx.rubric.id, self.ctx.rubric.hash
        seen_key = (unit.id, key)
        if seen_key in self.seen:
            self.dups.add(seen_key)
            self.problems.append(
                problem(
                    Code.W_INPUTS_DUP,
                    file=self.file,
                    line=line,
                    other=str(self.seen[seen_key]),
                    label=inp.label,
                    **where,
                )
            )
            return
        self.seen[seen_key] = line
        read.sources[key] = Source(self.file, "", "")
        read.lines[key] = line
        nk = (target, crit_id)
        read.lines.setdefault(nk, line)
        note = self.cell(row, "note")
        if note:
            have = read.notes.get(nk)
            read.notes[nk] = note if have is None else f"{have}；{note}"
        outcome = normalize(self.cell(row, "value"), inp, limit=crit.max, text_source=True)
        read.values[key] = outcome.value
        if outcome.code is not None:
            self.problems.append(problem(outcome.code, file=self.file, line=line, **where, **outcome.params))

    def _unknown(self, line: int, plan: UnitPlan, key: ReadingKey, value: str) -> None:
        unit = plan.unit
        where: dict[str, Any] = {"unit": unit.name}
        crit = next((c for _, _, c in walk_with_path(plan.variant) if c.id == key.criterion), None)
        target_ids = {t.id for t in unit.targets}
        if crit is None:
            self.row_problem(line, f"细则“{key.criterion}”不在该单位适用的细则({plan.variant.id})中", **where)
            return
        where["indicator"] = plan.indicator.get(crit.id, crit.id)
        if key.target and key.target not in target_ids:
            self.row_problem(
                line, f"对象“{key.target}”不是该单位的对象(可用:{'、'.join(sorted(target_ids)) or '无'})", **where
            )
            return
        if not any(k.criterion == key.criterion and k.target == key.target for k in plan.inputs):
            if crit.applicable and not key.target and target_ids:
                self.row_problem(line, f"细则“{key.criterion}”按对象评分,需填写对象编号", **where)
                return
            if crit.applicable and key.target:
                self.row_problem(line, f"细则“{key.criterion}”不按对象评分,对象一栏应留空", **where)
                return
            if value:
                self.problems.append(
                    problem(Code.V_NOT_APPLICABLE, file=self.file, line=line, label=crit.title, found=value, **where)
                )
            return
        known = "、".join(i.id for i in crit.live_inputs())
        self.row_problem(line, f"细则“{key.criterion}”没有填写项“{key.input}”(可用:{known})", **where)


def _indicator_ids(plan: UnitPlan, criterion: str) -> set[str]:
    for part, chain, crit in walk_with_path(plan.variant):
        if crit.id == criterion:
            return {part.id, crit.id, *(i.id for i in chain)}
    return set()
