"""Where things sit in a zwgk workbook — the contract between the writer (``write``) and every
reader (``read``, ``inspect``, the tests).  Keep it stable: a workbook issued this year is read back
next month by the same rules.

The visible sheets, the scoring sheets' columns (:data:`COLUMNS`) and the very hidden meta sheet
``_zwgk`` (its records; format 2 packs the input and result records as JSON, format 1 wrote one
row each, readers accept both) are described in docs/workbook.md.  Readers get plain cell values
(a list of rows, as python-calamine or openpyxl give them) and call :func:`read_layout`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from zwgk_cli.engine import started
from zwgk_cli.files import unique_file_names
from zwgk_cli.model import NodeScore, PartScore, ReadingKey, Target, Unit, UnitScore, Variant
from zwgk_cli.rules import STOPPED, shown

FORMAT_VERSION = 2
PACKED = {"inputs": "input", "results": "result"}  # a packed record kind → the record kind
PACKED_CHARS = 30_000  # per cell, below Excel's limit of 32,767
MAGIC = "zwgk-workbook"

META_SHEET = "_zwgk"
LISTS_SHEET = "_lists"
COVER_SHEET = "封面"
SUMMARY_SHEET = "汇总"
RESERVED_SHEETS = (META_SHEET, LISTS_SHEET, COVER_SHEET, SUMMARY_SHEET)

NAME_TOTAL = "ZWGK_TOTAL"
NAME_TIER = "ZWGK_TIER"
NAME_VETOES = "ZWGK_VETOES"
NAME_FILLED = "ZWGK_FILLED"
NAME_PART_PREFIX = "ZWGK_PART_"
NAME_LIST_PREFIX = "ZWGK_LIST_"


def part_name(part_id: str) -> str:  # the defined name of a part's points on the summary sheet
    return f"{NAME_PART_PREFIX}{part_id}"


# ------------------------------------------------------------------ scoring sheet columns

COL_L1, COL_L2, COL_TEXT, COL_MAX, COL_LABEL, COL_INPUT, COL_SCORE, COL_VETO, COL_NOTE, COL_ID = range(10)
COLUMNS: tuple[tuple[str, float], ...] = (
    ("一级指标", 12),
    ("二级指标", 14),
    ("评分细则", 50),
    ("分值", 6),
    ("填写项", 22),
    ("填写", 12),
    ("得分", 8),
    ("否决", 6),
    ("扣分说明/佐证材料", 28),
    ("编号(勿改)", 16),
)
TITLE_ROW = 0  # 0-based rows
INFO_ROW = 1
HEADER_ROW = 2
FIRST_DATA_ROW = 3
# A scoring sheet names its unit in column A of both title rows: ``{unit} — {part}…`` in the
# title row and ``被考评单位:{unit}({group});…`` in the info row.  Readers check it, so a sheet
# copied in from another unit's workbook is found (:func:`sheet_names_other_unit`).
TITLE_SEP = " — "
INFO_UNIT = "被考评单位:"


def sheet_title(unit_name: str, rest: str) -> str:
    return f"{unit_name}{TITLE_SEP}{rest}"


def sheet_info(unit_name: str, group: str) -> str:
    """The head of column A of :data:`INFO_ROW` (the writer goes on after it with ``;``)."""
    return f"{INFO_UNIT}{unit_name}({group})"


def col_letter(col: int) -> str:
    """0-based column index → ``A``, ``B``, … ``AA``."""
    if col < 0:  # there is no such column (and the loop below would never end)
        raise ValueError(f"column {col}")
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1(row: int, col: int, absolute: bool = False) -> str:
    """0-based (row, col) → ``A1`` (``$A$1`` when ``absolute``)."""
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"


def col_index(letters: str) -> int:
    """``A``, ``B``, … ``AA`` → 0-based column index (upper-case letters)."""
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - 64)
    return col - 1


_A1_RE = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")


def parse_a1(ref: str) -> tuple[int, int]:
    """``B7`` → (6, 1), 0-based (row, col); raises ValueError for anything else."""
    m = _A1_RE.match(ref.strip().upper())
    if not m:
        raise ValueError(ref)
    return int(m.group(2)) - 1, col_index(m.group(1))


def quote_sheet(name: str) -> str:
    """A sheet name as formulas write it: ``'第一部分 政务公开'``."""
    return "'" + name.replace("'", "''") + "'"


def ref(sheet: str, cell: str) -> str:
    return f"{quote_sheet(sheet)}!{cell}"


def input_id_text(target: str, criterion: str, input_id: str) -> str:
    """The visible id next to an input: ``a1.blank`` (``W01/w1.stale`` on a target's sheet)."""
    base = f"{criterion}.{input_id}"
    return f"{target}/{base}" if target else base


# ------------------------------------------------------------------ names: sheets and files

_SHEET_BAD = {"[": "［", "]": "］", ":": "：", "*": "＊", "?": "？", "/": "／", "\\": "＼"}
SHEET_NAME_MAX = 31


def safe_sheet_name(name: str, taken: Iterable[str]) -> str:
    """A legal, unique (case-insensitively) sheet name of at most 31 characters: characters Excel
    refuses become their full-width twins, apostrophes around it go, a clash gets ``(2)``, ``(3)`` …"""
    text = "".join(_SHEET_BAD.get(ch, ch) for ch in name if unicodedata.category(ch)[0] != "C")
    text = " ".join(text.split()).strip("'") or "Sheet"
    if text.lower() == "history":
        text = "History_"
    used = {t.lower() for t in taken}
    candidate = text[:SHEET_NAME_MAX]
    n = 2
    while candidate.lower() in used:
        suffix = f"({n})"
        candidate = text[: SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    return candidate


WORKBOOK_SUFFIX = ".xlsx"


def workbook_filenames(units: Sequence[Unit]) -> dict[str, str]:
    """unit id → workbook file name, named after the unit, unique (case-insensitively)."""
    return unique_file_names(((u.id, u.name) for u in units), WORKBOOK_SUFFIX)


# ------------------------------------------------------------------ the meta sheet: records

ROLE_COVER = "cover"
ROLE_SUMMARY = "summary"
ROLE_PART = "part"
ROLE_TARGET = "target"
ROLE_LISTS = "lists"
ROLE_META = "meta"

RESULT_ROLES: Mapping[str, str] = {
    "criterion": "criterion 的得分(key = criterion id; 未填完为空文本,不适用为常数)",
    "criterion_veto": "criterion 触发的否决项个数(key = criterion id)",
    "indicator": "indicator 的得分,下级之和截在 [0, 分值](key = indicator id)",
    "target_raw": "某对象(网站)在该部分的得分,未计否决(key = part id)",
    "target_vetoes": "某对象在该部分触发的否决项个数(key = part id)",
    "target": "某对象在该部分的得分,已计否决(key = part id)",
    "target_pass": "某对象是否达到该部分的合格线:合格/不合格(key = part id)",
    "part_raw": "部分得分,未计否决与门槛(按对象评分的为各对象未计否决得分的平均)(key = part id)",
    "part_vetoes": "部分内触发的否决项个数(key = part id)",
    "part": "部分计入总分的得分(已计否决、平均与门槛)(key = part id)",
    "part_pass": "部分是否合格:合格/不合格(key = part id)",
    "part_gate": "门槛是否达到:进入加分环节/门槛的说明文字(key = part id)",
    "total": "总分,不低于0,保留两位小数",
    "vetoes": "全单位触发的否决项个数",
    "tier": "等次(有否决项时为否决等次;细则未设等次时为空文本)",
    "filled": "已填写的必填输入单元格个数(key = 工作表名,或空 = 全部)",
}

PASS = "合格"
FAIL = "不合格"


class MapRow(NamedTuple):
    """One input cell: where it is and what it feeds (a reader makes one per input of every workbook)."""

    sheet: str
    cell: str
    id_cell: str
    id: str
    target: str
    indicator: str
    criterion: str
    input: str
    kind: str
    label: str
    required: bool = True
    min: Decimal | None = None
    max: Decimal | None = None
    step: Decimal | None = None
    options: tuple[str, ...] = ()
    list: str = ""
    score_cell: str = ""
    note_cell: str = ""

    @property
    def key(self) -> ReadingKey:
        return ReadingKey(self.target, self.criterion, self.input)


@dataclass(frozen=True)
class ResultCell:
    role: str
    target: str
    key: str
    sheet: str
    cell: str


@dataclass(frozen=True)
class SheetInfo:
    name: str
    role: str
    part: str = ""
    target: str = ""
    inputs: int = 0


@dataclass(frozen=True)
class WorkbookMeta:
    format: int
    rubric_id: str
    rubric_hash: str
    rubric_version: str = ""
    rubric_title: str = ""
    rubric_year: str = ""
    variant: str = ""
    tool_version: str = ""
    campaign_year: str = ""
    campaign_name: str = ""
    unit_id: str = ""
    unit_name: str = ""
    unit_group: str = ""
    assessor_cell: str = ""
    date_cell: str = ""
    targets: tuple[Target, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict)


RESULT_COLUMNS = ("role", "target", "key", "sheet", "cell")
TARGET_COLUMNS = ("id", "kind", "name", "url")
SHEET_COLUMNS = ("name", "role", "part", "target", "inputs")
INPUT_COLUMNS = MapRow._fields
META_KEYS = tuple(f.name for f in fields(WorkbookMeta) if f.name not in ("format", "targets", "extra"))
RECORD_COLUMNS = {
    "meta": ("key", "value"),
    "target": TARGET_COLUMNS,
    "sheet": SHEET_COLUMNS,
    "input": INPUT_COLUMNS,
    "result": RESULT_COLUMNS,
}
Records = tuple[list[str], list[list[str]]]  # column names, records


@dataclass(frozen=True)
class Layout:
    """Everything the meta sheet says."""

    meta: WorkbookMeta
    sheets: tuple[SheetInfo, ...]
    inputs: tuple[MapRow, ...]
    results: tuple[ResultCell, ...]


class LayoutError(Exception):
    """The meta sheet is missing or cannot be read; ``reason`` is a Chinese sentence."""

    def __init__(self, reason: str, not_zwgk: bool = False):
        super().__init__(reason)
        self.reason, self.not_zwgk = reason, not_zwgk


# ------------------------------------------------------------------ writing the records


def _dec_text(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def meta_rows(
    meta: WorkbookMeta,
    sheets: Sequence[SheetInfo],
    inputs: Sequence[MapRow],
    results: Sequence[ResultCell],
) -> list[list[str]]:
    """The meta sheet's rows (all text), exactly as :func:`read_layout` reads them."""
    rows: list[list[str]] = [[MAGIC, str(meta.format)], ["#meta", "key", "value"]]
    rows.extend(["meta", key, str(getattr(meta, key))] for key in META_KEYS)
    rows.extend(["meta", k, v] for k, v in sorted(meta.extra.items()))
    rows.append(["#target", *TARGET_COLUMNS])
    rows.extend(["target", t.id, t.kind, t.name, t.url] for t in meta.targets)
    rows.append(["#sheet", *SHEET_COLUMNS])
    rows.extend(["sheet", s.name, s.role, s.part, s.target, str(s.inputs)] for s in sheets)
    rows.append(["#input", *INPUT_COLUMNS])
    rows.extend(["inputs", chunk] for chunk in _packed(_input_texts(m) for m in inputs))
    rows.append(["#result", *RESULT_COLUMNS])
    rows.extend(["results", chunk] for chunk in _packed([r.role, r.target, r.key, r.sheet, r.cell] for r in results))
    return rows


def _input_texts(m: MapRow) -> list[str]:
    options = json.dumps(list(m.options), ensure_ascii=False) if m.options else ""
    numbers = [_dec_text(d) for d in (m.min, m.max, m.step)]
    return [*m[:10], "是" if m.required else "否", *numbers, options, m.list, m.score_cell, m.note_cell]


def _packed(records: Iterable[list[str]]) -> list[str]:
    """Records as JSON arrays of records, each at most :data:`PACKED_CHARS` long."""
    batches: list[list[str]] = [[]]
    size = 2
    for rec in records:
        text = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
        if batches[-1] and size + len(text) + 1 > PACKED_CHARS:
            batches.append([])
            size = 2
        batches[-1].append(text)
        size += len(text) + 1
    return ["[" + ",".join(batch) + "]" for batch in batches if batch]


# ------------------------------------------------------------------ reading the records


def sheet_names_other_unit(title: object, info: object, unit_name: str) -> str | None:
    """The unit a scoring sheet's title rows name (column A of :data:`TITLE_ROW`, :data:`INFO_ROW`)
    when it is not ``unit_name``; ``None`` when they name it or no unit at all (nothing to go by)."""
    t, i = cell_text(title), cell_text(info)
    if not unit_name or t.startswith(unit_name + TITLE_SEP) or i.startswith(f"{INFO_UNIT}{unit_name}("):
        return None
    other = ""
    if TITLE_SEP in t:
        other = t.split(TITLE_SEP, 1)[0].strip()
    elif i.startswith(INFO_UNIT):
        head = i[len(INFO_UNIT) :].split(";", 1)[0]
        other = head[: head.rfind("(")] if head.endswith(")") and "(" in head else head
        other = other.strip()
    return other if other and other != unit_name else None


def cell_text(value: object) -> str:
    """A cell value as text the way the meta sheet means it (``2022.0`` → ``2022``)."""
    if value.__class__ is str:  # nearly every cell of the meta sheet: the fast path
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _unpack(tag: str, text: str) -> list[list[str]]:
    try:
        records = json.loads(text)
    except ValueError:
        records = None
    if not isinstance(records, list) or not all(isinstance(r, list) for r in records):
        raise LayoutError(f"隐藏工作表 {META_SHEET} 中的“{tag}”记录无法识别(评分表可能已损坏)")
    return [[v if v.__class__ is str else cell_text(v) for v in r] for r in records]


def _records(rows: Sequence[Sequence[object]]) -> tuple[int, dict[str, Records]]:
    """The format and, per record kind, (column names, records as lists of texts)."""
    texts = [[cell_text(c) for c in row] for row in rows]
    texts = [r for r in texts if any(r)]
    if not texts or texts[0][0] != MAGIC:
        raise LayoutError(f"缺少 zwgk 标记(隐藏工作表 {META_SHEET} 的 A1 应为 {MAGIC})", not_zwgk=True)
    try:
        fmt = int(texts[0][1]) if len(texts[0]) > 1 else 0
    except ValueError:
        fmt = 0
    if fmt < 1:
        raise LayoutError(f"隐藏工作表 {META_SHEET} 的格式版本“{texts[0][1:2]}”无法识别")
    if fmt > FORMAT_VERSION:
        raise LayoutError(f"评分表格式版本为 {fmt},本工具只认识到 {FORMAT_VERSION}:请升级 zwgk")
    out: dict[str, Records] = {kind: (list(names), []) for kind, names in RECORD_COLUMNS.items()}
    for row in texts[1:]:
        tag = row[0]
        if tag.startswith("#"):
            if tag[1:] in out:
                out[tag[1:]] = (row[1:], out[tag[1:]][1])
        elif tag in PACKED:
            out[PACKED[tag]][1].extend(_unpack(tag, row[1] if len(row) > 1 else ""))
        elif tag in out:
            out[tag][1].append(row[1:])
        # else: a record kind from a later format, ignored
    return fmt, out


def _columns(kind: Records, wanted: Sequence[str]) -> Iterator[tuple[str, ...]]:
    """Each record's values in the order of ``wanted`` (``""`` for a column it lacks)."""
    names, records = kind
    if list(names) == list(wanted):
        n = len(wanted)
        for v in records:
            yield tuple(v) if len(v) == n else tuple((v + [""] * n)[:n])
        return
    at = {name: i for i, name in reversed(list(enumerate(names))) if name}
    idx = [at.get(w, -1) for w in wanted]
    for v in records:
        yield tuple(v[i] if 0 <= i < len(v) else "" for i in idx)


def _unreadable(what: str, text: str) -> LayoutError:
    return LayoutError(f"隐藏工作表 {META_SHEET} 中的{what}“{text}”无法识别")


def _opt_dec(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        raise _unreadable("数值", text) from None


def _map_row(v: tuple[str, ...]) -> MapRow:
    try:
        parse_a1(v[1])
    except ValueError:
        raise _unreadable("单元格地址", v[1]) from None
    required, lo, hi, step, options = v[10:15]
    numbers = (_opt_dec(lo), _opt_dec(hi), _opt_dec(step))
    try:
        opts = tuple(str(o) for o in json.loads(options)) if options else ()
    except (ValueError, TypeError):
        raise _unreadable("选项", options) from None
    return MapRow._make([*v[:10], required != "否", *numbers, opts, *v[15:]])


def read_layout(rows: Sequence[Sequence[object]]) -> Layout:
    """Parse the meta sheet's cell values (rows of plain values); raises :class:`LayoutError`."""
    fmt, rec = _records(rows)
    kv = {k: v for k, v in _columns(rec["meta"], ("key", "value"))}
    for key in ("rubric_id", "rubric_hash", "unit_id"):
        if not kv.get(key):
            raise LayoutError(f"隐藏工作表 {META_SHEET} 缺少“{key}”")
    targets = tuple(Target(*v) for v in _columns(rec["target"], TARGET_COLUMNS))
    if any(not t.id for t in targets):  # a hand-damaged header: every target's sheets would look lost
        raise LayoutError(f"隐藏工作表 {META_SHEET} 的对象记录缺少“id”")
    extra = {k: v for k, v in kv.items() if k not in META_KEYS}
    meta = WorkbookMeta(format=fmt, targets=targets, extra=extra, **{k: kv.get(k, "") for k in META_KEYS})
    sheets = []
    for name, role, part, target, n_inputs in _columns(rec["sheet"], SHEET_COLUMNS):
        try:
            n = int(n_inputs or 0)
        except ValueError:
            n = 0
        sheets.append(SheetInfo(name, role, part, target, n))
    inputs = tuple(_map_row(v) for v in _columns(rec["input"], INPUT_COLUMNS))
    results = tuple(ResultCell(*v) for v in _columns(rec["result"], RESULT_COLUMNS))
    return Layout(meta, tuple(sheets), inputs, results)


def value_at(rows: Sequence[Sequence[object]], cell: str) -> object:
    """The value at an A1 cell in a grid of rows starting at A1 (``None`` beyond its edge)."""
    r, c = parse_a1(cell)
    if r >= len(rows):
        return None
    row = rows[r]
    return row[c] if c < len(row) else None


# ------------------------------------------------------------------ what the engine says each result cell holds

ResultValue = Decimal | str


def _walk(parts: Iterable[PartScore]) -> Iterator[PartScore]:
    for ps in parts:
        yield ps
        yield from _walk(ps.parts)


def result_index(score: UnitScore) -> dict[tuple[str, str, str], ResultValue]:
    """(role, target, key) → the engine's value for every result role but ``filled``."""
    out: dict[tuple[str, str, str], ResultValue] = {}
    hits = {(h.target, h.part, h.criterion, h.veto) for h in score.vetoes}

    def nodes(ns: Iterable[NodeScore], target: str) -> None:
        for n in ns:
            out[("indicator", target, n.id)] = n.points
            for cs in n.criteria:
                out[("criterion", target, cs.criterion)] = (
                    STOPPED if cs.stopped else "" if cs.points is None else cs.points
                )
                out[("criterion_veto", target, cs.criterion)] = Decimal(
                    sum(1 for h in hits if h[0] == target and h[2] == cs.criterion)
                )
            nodes(n.children, target)

    for ps in _walk(score.parts):
        sub_ids = {sub.id for sub in _walk(ps.parts)}
        ids = sub_ids | {ps.id}
        out[("part_raw", "", ps.id)] = ps.raw
        out[("part", "", ps.id)] = ps.points
        out[("part_vetoes", "", ps.id)] = Decimal(sum(1 for h in hits if h[1] in ids))
        out[("part_gate", "", ps.id)] = Decimal(1 if ps.counted else 0)
        if ps.passed is not None:
            out[("part_pass", "", ps.id)] = PASS if ps.passed else FAIL
        nodes(ps.nodes, "")
        for t in ps.targets:
            out[("target_raw", t.target, ps.id)] = t.raw
            out[("target", t.target, ps.id)] = t.points
            own = sum(1 for h in hits if h[1] == ps.id and h[0] == t.target)
            out[("target_vetoes", t.target, ps.id)] = Decimal(own + sum(1 for h in hits if h[1] in sub_ids))
            if t.passed is not None:
                out[("target_pass", t.target, ps.id)] = PASS if t.passed else FAIL
            nodes(t.nodes, t.target)
    out[("total", "", "")] = score.total
    out[("vetoes", "", "")] = Decimal(len(hits))
    out[("tier", "", "")] = score.tier or ""
    if score.passed is not None:
        out[("verdict", "", "")] = PASS if score.passed else FAIL
    return out


# What the summary shows as 未填写 while no required input of its scope is filled (rules.shown);
# on a scoring sheet only the verdict (its totals stay numbers: the summary's means add them up).
SHOWN_ON_SUMMARY = frozenset(
    {"part_raw", "part", "part_pass", "part_gate", "target_raw", "target", "target_pass", "total", "tier", "verdict"}
)
SHOWN_ON_SHEETS = frozenset({"target_pass"})


def unfilled_results(
    score: UnitScore, variant: Variant, values: Mapping[ReadingKey, object]
) -> frozenset[tuple[str, str, str]]:
    """The (role, target, key) of :data:`SHOWN_ON_SUMMARY` whose scope has no required input
    filled (:func:`zwgk_cli.engine.started`): where those cells show 未填写."""
    on = started(variant, score.unit, values)
    gate_of = {p.id: p.gate.part for p in variant.walk_parts() if p.gate is not None}
    out: set[tuple[str, str, str]] = set()
    if not on[("", "")]:
        out |= {("total", "", ""), ("tier", "", ""), ("verdict", "", "")}
    for p in variant.walk_parts():
        if not on[(p.id, "")]:
            out |= {("part_raw", "", p.id), ("part", "", p.id), ("part_pass", "", p.id)}
        if p.id in gate_of and not on[(gate_of[p.id], "")]:
            out.add(("part_gate", "", p.id))
        for t in score.unit.targets_of(p.per_target) if p.per_target else ():
            if not on[(p.id, t.id)]:
                out |= {("target_raw", t.id, p.id), ("target", t.id, p.id), ("target_pass", t.id, p.id)}
    return frozenset(out)


def shown_value(
    value: ResultValue, sheet: str, role: str, target: str, key: str, unfilled: frozenset[tuple[str, str, str]]
) -> ResultValue:
    """What a result cell on ``sheet`` shows for the engine's ``value`` (rules.shown)."""
    roles = SHOWN_ON_SUMMARY if sheet == SUMMARY_SHEET else SHOWN_ON_SHEETS
    return shown(value, not (role in roles and (role, target, key) in unfilled))


def expected_values(
    layout: Layout, score: UnitScore, variant: Variant, values: Mapping[ReadingKey, object] | None = None
) -> dict[ResultCell, ResultValue]:
    """What every result cell must show, according to the engine's :class:`UnitScore` on
    ``variant`` (and, for ``filled``, the input values: required inputs only).  Cells the engine
    knows nothing about are left out."""
    vals = values or {}
    index = result_index(score)
    unfilled = unfilled_results(score, variant, vals)
    filled = Counter(m.sheet for m in layout.inputs if m.required and vals.get(m.key) not in (None, ""))
    out: dict[ResultCell, ResultValue] = {}
    for r in layout.results:
        if r.role == "filled":
            out[r] = Decimal(filled[r.key] if r.key else filled.total())
        elif (got := index.get((r.role, r.target, r.key))) is not None:
            out[r] = shown_value(got, r.sheet, r.role, r.target, r.key, unfilled)
    return out
