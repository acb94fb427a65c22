"""The results folder: ``scores.json``, ``scores.xlsx``, ``scores.csv``, ``problems.csv``,
``problems.json``.  Deterministic, atomic, formula-injection-safe.

Rendering is split from writing so that a process pool can render each unit while it is
scored (:func:`render_unit` → :class:`Rendered`, plain strings) and the parent only streams
the pieces into files, in roster order, holding one unit at a time:

* ``scores.json`` — :func:`zwgk_cli.results.document.document` with its ``units`` list streamed in,
  one unit (:func:`zwgk_cli.results.document.unit_to_dict`) per line;
* ``scores.csv`` (UTF-8 with BOM) and the 汇总 sheet — one row per unit: identity, status,
  total, tier, vetoes, then one column per part and per indicator (headers show maxima);
* the 明细 sheet — one row per unit × criterion (× target);
* the 问题 sheet, ``problems.csv`` (UTF-8 with BOM) and ``problems.json`` — every problem.

Text that came from a workbook is neutralised before it reaches a CSV cell (a leading
``= + - @`` gets a ``'``) and is written to XLSX as a string cell with the quote-prefix
style, so no spreadsheet ever evaluates it.  The XLSX package is written directly (it is
a handful of XML parts): fixed zip timestamps and document properties make it
byte-identical from run to run, and it streams any number of rows in constant memory.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from zwgk_cli import __version__
from zwgk_cli.files import atomic_open
from zwgk_cli.model import Indicator, Part, PartKind, Rubric, fmt_points
from zwgk_cli.problems import SEVERITY_LABELS, Problem, sort_key
from zwgk_cli.results.document import STATUS_LABELS, dumps
from zwgk_cli.workbook.layout import col_letter

Cell = str | int | float | Decimal | None

# ------------------------------------------------------------------ formula injection

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralise(text: str) -> str:
    """Text safe to put in a CSV cell: a leading formula trigger gets a ``'`` in front."""
    return "'" + text if text.startswith(TRIGGERS) else text


# ------------------------------------------------------------------ columns of the summary (汇总 / scores.csv)


@dataclass(frozen=True)
class Column:
    header: str
    kind: str  # field | part | indicator | targets
    key: str  # field name, part id, "part id/indicator id/…"
    width: float = 12


FIELD_COLUMNS: tuple[Column, ...] = (
    Column("单位编号", "field", "unit_id", 10),
    Column("单位名称", "field", "unit", 24),
    Column("分组", "field", "group", 12),
    Column("状态", "field", "status", 10),
    Column("总分", "field", "total", 8),
    Column("满分", "field", "max", 6),
    Column("等次", "field", "tier", 10),
    Column("绩效系数", "field", "coefficient", 8),
    Column("否决", "field", "vetoed", 6),
    Column("否决原因", "field", "vetoes", 30),
    Column("加分是否计入", "field", "bonus_counted", 10),
    Column("扣分(通报曝光等)", "field", "penalties", 10),
    Column("未达合格线", "field", "thresholds", 24),
)
TAIL_COLUMNS: tuple[Column, ...] = (
    Column("错误数", "field", "errors", 6),
    Column("提示数", "field", "warnings", 6),
    Column("评分表文件", "field", "files", 30),
)


def _max_text(part: Part | Indicator, kind: PartKind) -> str:
    if part.max is None:
        return "(扣分)" if kind is PartKind.PENALTY else ""
    prefix = "加分,最高" if kind is PartKind.BONUS and isinstance(part, Part) else ""
    return f"({prefix}{fmt_points(part.max)}分)"


def summary_columns(rubric: Rubric) -> list[Column]:
    """One column per part and per indicator of every variant (headers show the maxima)."""
    cols: list[Column] = list(FIELD_COLUMNS)
    seen: set[tuple[str, str, str]] = set()
    kinds = {k.id: k.title for k in rubric.target_kinds}

    def add(col: Column) -> None:
        ident = (col.kind, col.key, col.header)
        if ident not in seen:
            seen.add(ident)
            cols.append(col)

    def walk_ind(part: Part, ind: Indicator, path: str, kind: PartKind) -> None:
        key = f"{path}/{ind.id}"
        add(Column(f"{part.title}/{ind.title}{_max_text(ind, kind)}", "indicator", key, 14))
        for sub in ind.indicators:
            walk_ind(part, sub, key, kind)

    def walk_part(part: Part) -> None:
        add(Column(f"{part.title}{_max_text(part, part.kind)}", "part", part.id, 12))
        if part.per_target:
            title = kinds.get(part.per_target, part.per_target)
            add(Column(f"{part.title}:各{title}得分", "targets", part.id, 30))
        else:
            for ind in part.indicators:
                walk_ind(part, ind, part.id, part.kind)
        for sub in part.parts:
            walk_part(sub)

    for v in rubric.variants:
        for p in v.parts:
            walk_part(p)
    cols.extend(TAIL_COLUMNS)
    return cols


def _flat_parts(parts: Mapping[str, Any], out: dict[str, Any]) -> None:
    for pid, pd in parts.items():
        out[pid] = pd
        if "parts" in pd:
            _flat_parts(pd["parts"], out)


def _flat_indicators(nodes: Mapping[str, Any], path: str, out: dict[str, Any]) -> None:
    for nid, nd in nodes.items():
        key = f"{path}/{nid}"
        out[key] = nd.get("points")
        if "indicators" in nd:
            _flat_indicators(nd["indicators"], key, out)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _failed_thresholds(unit: Mapping[str, Any], titles: Mapping[str, str]) -> str:
    """“网站(绵阳市…网站):不合格” for every part or target below its pass line."""
    names = {t.get("target"): t.get("name", "") for t in unit.get("targets") or []}
    out = []
    for key, verdict in (unit.get("thresholds") or {}).items():
        if verdict == "合格":
            continue
        part, _, target = key.partition("/")
        where = titles.get(part, part) + (f"({names.get(target) or target})" if target else "")
        out.append(f"{where}:{verdict}")
    return "；".join(out)


def summary_cells(
    unit: Mapping[str, Any], columns: Sequence[Column], titles: Mapping[str, str] | None = None
) -> list[Cell]:
    """A unit's row of the summary (a ``scores.json`` unit entry in, cells out)."""
    parts: dict[str, Any] = {}
    _flat_parts(unit.get("parts") or {}, parts)
    inds: dict[str, Any] = {}
    for pid, pd in parts.items():
        _flat_indicators(pd.get("indicators") or {}, pid, inds)
    vetoes = unit.get("vetoes") or []
    problems = unit.get("problems") or {}
    fields: dict[str, Cell] = {
        "unit_id": unit.get("unit_id", ""),
        "unit": unit.get("unit", ""),
        "group": unit.get("group", ""),
        "status": STATUS_LABELS.get(unit.get("status", ""), unit.get("status", "")),
        "total": unit.get("total"),
        "max": unit.get("max"),
        "tier": unit.get("tier") or "",
        "coefficient": unit.get("coefficient"),
        "vetoed": "否决" if unit.get("vetoed") else "",
        "vetoes": "；".join(
            (f"{v['target_name']}:" if v.get("target_name") else "") + str(v.get("reason", "")) for v in vetoes
        ),
        "bonus_counted": _yes_no(unit.get("bonus_counted")),
        "penalties": unit.get("penalties"),
        "thresholds": _failed_thresholds(unit, titles or {}),
        "errors": problems.get("error", 0),
        "warnings": problems.get("warning", 0),
        "files": "、".join(unit.get("files") or []),
    }
    out: list[Cell] = []
    for col in columns:
        if col.kind == "field":
            out.append(fields.get(col.key))
        elif col.kind == "part":
            pd = parts.get(col.key)
            out.append(None if pd is None else pd.get("points"))
        elif col.kind == "indicator":
            out.append(inds.get(col.key))
        else:
            pd = parts.get(col.key)
            targets = (pd or {}).get("targets") or []
            out.append("；".join(f"{t.get('name', '')} {_num_text(t.get('points'))}" for t in targets))
    return out


def _num_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ------------------------------------------------------------------ 明细: one row per unit × criterion

DETAIL_COLUMNS: tuple[tuple[str, float], ...] = (
    ("单位编号", 10),
    ("单位名称", 22),
    ("分组", 10),
    ("对象", 20),
    ("部分", 18),
    ("指标", 28),
    ("细则编号", 14),
    ("评分细则", 50),
    ("分值", 6),
    ("得分", 6),
    ("扣分", 6),
    ("情况", 12),
    ("填写内容", 36),
    ("扣分说明", 30),
    ("否决", 20),
    ("计分过程", 50),
)


def _found_text(row: Mapping[str, Any]) -> str:
    labels = row.get("inputs") or {}
    bits = []
    for iid, value in (row.get("found") or {}).items():
        if value is None or value == "":
            continue
        bits.append(f"{labels.get(iid, iid)}:{_num_text(value)}")
    return "；".join(bits)


def _state(row: Mapping[str, Any]) -> str:
    if not row.get("applicable", True):
        return "不适用"
    if row.get("evidence_missing"):
        return "未提供佐证材料"
    if row.get("missing") or row.get("points") is None:
        return "未填完"
    return ""


DETAIL_OWN = 4  # 明细 columns naming the unit and target; the others are the row's findings


def detail_rows(unit: Mapping[str, Any], part_titles: Mapping[str, str]) -> list[list[Cell]]:
    head: list[Cell] = [unit.get("unit_id", ""), unit.get("unit", ""), unit.get("group", "")]
    return [
        [*head, row.get("target_name") or "", *_detail_tail(row, part_titles)] for row in unit.get("criteria") or []
    ]


def _detail_tail(row: Mapping[str, Any], part_titles: Mapping[str, str]) -> list[Cell]:
    """A 明细 row from its fifth column on: what the criterion's findings say, whoever had them."""
    return [
        part_titles.get(row.get("part", ""), row.get("part", "")),
        "/".join(row.get("indicator_titles") or []),
        row.get("criterion", ""),
        row.get("text") or row.get("title") or "",
        row.get("max"),
        row.get("points"),
        row.get("lost"),
        _state(row),
        _found_text(row),
        row.get("note") or "",
        "；".join(row.get("vetoes") or []),
        "；".join(row.get("trace") or []),
    ]


_TAILS: dict[tuple[int, int, int], tuple[object, object, object, str]] = {}
_TAILS_KEPT = 8192


def detail_xml(unit: Mapping[str, Any], part_titles: Mapping[str, str], table: TextTable | None = None) -> str:
    """The unit's 明细 rows (:func:`detail_rows` as :func:`xlsx_row`), joined by :data:`ROW_SEP`;
    the findings' cells of a row sharing them with others (:class:`~zwgk_cli.results.document.CriterionRow`)
    are rendered once."""
    head: list[Cell] = [unit.get("unit_id", ""), unit.get("unit", ""), unit.get("group", "")]
    out: list[str] = []
    for row in unit.get("criteria") or []:
        own = xlsx_cells([*head, row.get("target_name") or ""], 0, table)
        shared = getattr(row, "shared", None)
        if shared is None:
            tail = xlsx_cells(_detail_tail(row, part_titles), 0, table, DETAIL_OWN)
        else:
            key = (id(shared), id(part_titles), id(table))
            hit = _TAILS.get(key)
            if hit is not None and hit[0] is shared and hit[1] is part_titles and hit[2] is table:
                tail = hit[3]
            else:
                tail = xlsx_cells(_detail_tail(shared, part_titles), 0, table, DETAIL_OWN)
                if len(_TAILS) >= _TAILS_KEPT:
                    _TAILS.clear()
                _TAILS[key] = (shared, part_titles, table, tail)  # held: their ids are not reused meanwhile
        out.append(_ROW_OPEN + own + tail + "</row>")
    return ROW_SEP.join(out)


def part_titles(rubric: Rubric) -> dict[str, str]:
    return {p.id: p.title for v in rubric.variants for p in v.walk_parts()}


# ------------------------------------------------------------------ problems

PROBLEM_COLUMNS: tuple[tuple[str, float], ...] = (
    ("级别", 6),
    ("代码", 6),
    ("文件", 30),
    ("工作表", 18),
    ("单元格", 8),
    ("单位", 20),
    ("指标", 28),
    ("问题", 60),
    ("怎么办", 50),
)


def problem_cells(p: Problem) -> list[str]:
    where = p.cell or (p.path if p.path else (f"第{p.line}行" if p.line is not None else ""))
    return [SEVERITY_LABELS[p.severity], p.code, p.file, p.sheet, where, p.unit, p.indicator, p.message, p.hint]


def problem_dict(p: Problem) -> dict[str, Any]:
    """A problem as JSON data (the fields of :meth:`Problem.to_dict`, without its deep copies)."""
    return {
        "code": p.code,
        "severity": str(p.severity),
        "message": p.message,
        "hint": p.hint,
        "file": p.file,
        "sheet": p.sheet,
        "cell": p.cell,
        "path": p.path,
        "line": p.line,
        "unit": p.unit,
        "indicator": p.indicator,
    }


# ------------------------------------------------------------------ CSV


def csv_line(cells: Sequence[Cell]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow([_csv_cell(c) for c in cells])
    return buf.getvalue()


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ------------------------------------------------------------------ XLSX rows

ROW_MARK = "\x1f"  # stands for the row number until the row's place is known
ROW_SEP = "\x1e"  # separates pre-rendered rows (neither can occur in XML text)
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
STYLE_HEADER = 1
STYLE_QUOTED = 2
MAX_CELL_TEXT = 32767


_COLS = [col_letter(i) for i in range(702)]  # A … ZZ; _col() goes on beyond


def _col(i: int) -> str:
    return _COLS[i] if i < len(_COLS) else col_letter(i)


def xml_text(text: str) -> str:
    text = _XML_BAD.sub("", text)[:MAX_CELL_TEXT]
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell_xml(col: int, value: str | int | float | Decimal, style: int) -> str:
    ref = f"{_col(col)}{ROW_MARK}"
    if isinstance(value, str):
        s = style or (STYLE_QUOTED if value.startswith(TRIGGERS) else 0)
        attr = f' s="{s}"' if s else ""
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'<c r="{ref}"{attr} t="inlineStr"><is><t{space}>{xml_text(value)}</t></is></c>'
    number = int(value) if isinstance(value, float) and value.is_integer() else value
    attr = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{attr}><v>{number}</v></c>'


_CELL_CACHE: dict[tuple[int, type, object, int], str] = {}
_CELL_CACHE_MAX = 20_000  # rubric texts, titles, points recur in every unit (and come first); bounded


class TextTable:
    """The texts every unit's rows repeat (the rubric's criteria, titles and paths; the roster's
    units and websites), written once as the workbook's shared strings: a row then refers to
    them by number.  Built in a fixed order from the rubric and roster, so every process of a
    batch numbers them the same way."""

    def __init__(self, texts: Iterable[str]):
        self.strings: list[str] = []
        self.index: dict[str, int] = {}
        for t in texts:
            if t and t not in self.index:
                self.index[t] = len(self.strings)
                self.strings.append(t)
        self.cells: dict[tuple[int, int, int], str] = {}  # (column, text, style) → the cell's XML

    def cell(self, col: int, index: int, style: int) -> str:
        key = (col, index, style)
        hit = self.cells.get(key)
        if hit is None:
            text = self.strings[index]
            s = style or (STYLE_QUOTED if text.startswith(TRIGGERS) else 0)
            attr = f' s="{s}"' if s else ""
            hit = f'<c r="{_col(col)}{ROW_MARK}"{attr} t="s"><v>{index}</v></c>'
            if len(self.cells) < _CELL_CACHE_MAX * 5:
                self.cells[key] = hit
        return hit

    def xml(self) -> str:
        preserve = ' xml:space="preserve"'
        items = "".join(f"<si><t{preserve if t != t.strip() else ''}>{xml_text(t)}</t></si>" for t in self.strings)
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'uniqueCount="{len(self.strings)}">{items}</sst>'
        )


def text_table(rubric: Rubric, units: Iterable[Any]) -> TextTable:
    """The texts of the 汇总, 明细 and 问题 rows that recur from unit to unit."""
    from zwgk_cli.problems import Code
    from zwgk_cli.results.document import static_rows

    titles = part_titles(rubric)
    texts: list[str] = [*STATUS_LABELS.values(), *SEVERITY_LABELS.values()]
    for code in Code:
        texts.append(code.code)
        if "{" not in code.hint_template:
            texts.append(code.hint_template)
    for v in rubric.variants:
        for row in static_rows(v):
            head, crit = row[2], row[1]
            texts.append(str(titles.get(head["part"], head["part"])))
            path = list(head["indicator_titles"])
            texts.append("/".join(path))
            if crit.title and crit.title != path[-1]:
                texts.append("/".join([*path, crit.title]))  # how a problem names its indicator
            texts.append(head["text"] or head["title"] or "")
    for u in units:
        texts.extend((u.id, u.name, u.group))
        texts.extend(t.name for t in u.targets)
    return TextTable(texts)


def xlsx_row(cells: Sequence[Cell], style: int = 0, table: TextTable | None = None) -> str:
    """One ``<row>`` with :data:`ROW_MARK` where its number goes (a cell's XML does not depend
    on its row, so the cells that recur from unit to unit are rendered once); texts of
    ``table`` are written as references to it."""
    return _ROW_OPEN + xlsx_cells(cells, style, table) + "</row>"


def xlsx_cells(cells: Sequence[Cell], style: int = 0, table: TextTable | None = None, start: int = 0) -> str:
    """The cells of :func:`xlsx_row`, the first in column ``start`` (0 = A)."""
    parts: list[str] = []
    cache = _CELL_CACHE
    index = table.index if table is not None else _NO_INDEX
    shared = table.cells if table is not None else _NO_INDEX
    for i, value in enumerate(cells, start):
        if value is None or value == "":
            continue
        if value.__class__ is str:
            at = index.get(value)
            if at is not None:
                xml = shared.get((i, at, style))
                parts.append(xml if xml is not None else table.cell(i, at, style))  # type: ignore[union-attr]
                continue
        key = (i, value.__class__, value, style)
        xml = cache.get(key)
        if xml is None:
            xml = _cell_xml(i, value, style)
            if len(cache) < _CELL_CACHE_MAX:
                cache[key] = xml
        parts.append(xml)
    return "".join(parts)


_ROW_OPEN = f'<row r="{ROW_MARK}">'
_NO_INDEX: dict[Any, Any] = {}


# ------------------------------------------------------------------ one unit, pre-rendered


@dataclass(frozen=True)
class Rendered:
    """A unit's contribution to every output, as text (cheap to pickle and to spool)."""

    json: str  # the unit's scores.json entry, one line
    csv: str  # its scores.csv line
    summary: str  # its 汇总 row
    detail: str  # its 明细 rows, joined by ROW_SEP


_HOLE = "\x00criteria"
_HOLE_JSON = '"criteria": "\\u0000criteria"'  # how json.dumps writes the key holding _HOLE
_ROW_JSON: dict[int, tuple[object, str]] = {}
_ROW_JSON_KEPT = 8192


def unit_json(unit: Mapping[str, Any]) -> str:
    """The unit's ``scores.json`` entry, one line: ``json.dumps`` of it, byte for byte, with each
    shared part of its criterion rows (:class:`~zwgk_cli.results.document.CriterionRow`) encoded once."""
    rows = unit.get("criteria")
    if not rows or not any(hasattr(r, "shared") for r in rows):
        return json.dumps(unit, ensure_ascii=False)
    text = json.dumps({**unit, "criteria": _HOLE}, ensure_ascii=False)
    at = text.index(_HOLE_JSON)  # the key itself: a text value would have its quotes escaped
    named: dict[tuple[str, str], str] = {}
    items = []
    for row in rows:
        shared = getattr(row, "shared", None)
        if shared is None:
            items.append(json.dumps(row, ensure_ascii=False))
            continue
        hit = _ROW_JSON.get(id(shared))
        if hit is not None and hit[0] is shared:
            tail = hit[1]
        else:
            tail = json.dumps(shared, ensure_ascii=False)[1:]
            if len(_ROW_JSON) >= _ROW_JSON_KEPT:
                _ROW_JSON.clear()
            _ROW_JSON[id(shared)] = (shared, tail)
        target = (row["target"], row["target_name"])
        lead = named.get(target)
        if lead is None:
            lead = named[target] = (
                '{"target": ' + json.dumps(target[0], ensure_ascii=False) + ', "target_name": '
                + json.dumps(target[1], ensure_ascii=False) + ", "
            )  # fmt: skip
        items.append(lead + tail)
    return text[:at] + '"criteria": [' + ", ".join(items) + "]" + text[at + len(_HOLE_JSON) :]


def render_unit(
    unit: Mapping[str, Any], columns: Sequence[Column], titles: Mapping[str, str], table: TextTable | None = None
) -> Rendered:
    cells = summary_cells(unit, columns, titles)
    detail = detail_xml(unit, titles, table)
    return Rendered(unit_json(unit), csv_line(cells), xlsx_row(cells, 0, table), detail)


@dataclass(frozen=True)
class RenderedProblems:
    """Problems (in display order) for problems.csv, problems.json and the 问题 sheet."""

    csv: str  # CSV lines
    json: str  # one JSON text per problem, joined by newlines
    xlsx: str  # rows joined by ROW_SEP


def render_problems(problems: Sequence[Problem], table: TextTable | None = None) -> RenderedProblems:
    ordered = sorted(problems, key=sort_key)
    if not ordered:
        return RenderedProblems("", "", "")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    rows = []
    for p in ordered:
        cells = problem_cells(p)  # every cell a text
        writer.writerow(["'" + c if c.startswith(TRIGGERS) else c for c in cells])
        rows.append(xlsx_row(cells, 0, table))
    encode = _JSON.encode
    return RenderedProblems(buf.getvalue(), "\n".join(encode(problem_dict(p)) for p in ordered), ROW_SEP.join(rows))


_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(…, ensure_ascii=False), without its set-up per call


# ------------------------------------------------------------------ atomic streaming files


def write_json_list(path: Path, header: Mapping[str, Any], key: str, items: Iterable[str]) -> None:
    """A JSON document whose last key ``key`` is a list, streamed one item (a one-line JSON
    text) per line: the header is pretty-printed, the list never held in memory."""
    text = dumps(header)
    tail = f'"{key}": []\n}}\n'
    if not text.endswith(tail):  # pragma: no cover - the list is always the last key
        raise ValueError(f"{path.name}: {key} must be the document's last key")
    with atomic_open(path) as fh:
        fh.write(text[: -len(tail)].encode("utf-8"))
        fh.write(f'"{key}": ['.encode())
        first = True
        for line in items:
            fh.write(("\n    " if first else ",\n    ").encode("utf-8"))
            fh.write(line.encode("utf-8"))
            first = False
        fh.write(b"\n  ]\n}\n" if not first else b"]\n}\n")


def write_scores_json(path: Path, header: Mapping[str, Any], units: Iterable[str]) -> None:
    """``header`` is :func:`results.document` with an empty ``units`` list (its last key);
    ``units`` are the units' one-line JSON texts, in order."""
    write_json_list(path, header, "units", units)


def write_csv(path: Path, header: Sequence[str], lines: Iterable[str]) -> None:
    with atomic_open(path) as fh:
        fh.write(b"\xef\xbb\xbf")
        fh.write(csv_line(list(header)).encode("utf-8"))
        for line in lines:
            fh.write(line.encode("utf-8"))


# ------------------------------------------------------------------ the XLSX package

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_CONTENT_TYPES_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" '
    'Target="docProps/app.xml"/>'
    "</Relationships>"
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="宋体"/><family val="2"/><charset val="134"/></font>'
    '<font><b/><sz val="11"/><name val="宋体"/><family val="2"/><charset val="134"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/><bgColor indexed="64"/></patternFill></fill>'
    "</fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color rgb="FF808080"/></left><right style="thin"><color rgb="FF808080"/></right>'
    '<top style="thin"><color rgb="FF808080"/></top><bottom style="thin"><color rgb="FF808080"/></bottom>'
    "<diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" '
    'applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


@dataclass(frozen=True)
class SheetSpec:
    name: str
    header: Sequence[str]
    widths: Sequence[float]
    rows: Callable[[], Iterable[str]]  # pre-rendered rows (xlsx_row), produced when the sheet is written


def _zinfo(name: str, level: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = level  # type: ignore[attr-defined]  # public as compress_level from 3.13
    info.external_attr = 0o644 << 16
    info.create_system = 3
    return info


def write_xlsx(
    path: Path, sheets: Sequence[SheetSpec], title: str = "评分结果", table: TextTable | None = None
) -> None:
    """A workbook of plain data sheets (header row frozen and filtered), written in one pass;
    ``table``: the shared strings the rows refer to (see :func:`xlsx_row`)."""
    with atomic_open(path) as fh, zipfile.ZipFile(fh, "w") as zf:
        types = _CONTENT_TYPES_HEAD + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        if table is not None:
            types += (
                '<Override PartName="/xl/sharedStrings.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            )
        zf.writestr(_zinfo("[Content_Types].xml", 6), types + "</Types>")
        zf.writestr(_zinfo("_rels/.rels", 6), _ROOT_RELS)
        zf.writestr(_zinfo("docProps/core.xml", 6), _core(title))
        zf.writestr(_zinfo("docProps/app.xml", 6), _app(sheets))
        zf.writestr(_zinfo("xl/workbook.xml", 6), _workbook(sheets))
        zf.writestr(_zinfo("xl/_rels/workbook.xml.rels", 6), _workbook_rels(len(sheets), table is not None))
        zf.writestr(_zinfo("xl/styles.xml", 6), _STYLES)
        if table is not None:
            zf.writestr(_zinfo("xl/sharedStrings.xml", 6), table.xml())
        for i, sheet in enumerate(sheets, start=1):
            with zf.open(_zinfo(f"xl/worksheets/sheet{i}.xml", 1), "w") as out:
                _write_sheet(out, sheet)


def _write_sheet(out: IO[bytes], sheet: SheetSpec) -> None:
    ncols = len(sheet.header)
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/><cols>'
        + "".join(
            f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>' for i, w in enumerate(sheet.widths, start=1)
        )
        + "</cols><sheetData>"
    )
    out.write(head.encode("utf-8"))
    out.write(xlsx_row(list(sheet.header), STYLE_HEADER).replace(ROW_MARK, "1").encode("utf-8"))
    n = 1
    buf: list[str] = []
    for row in sheet.rows():
        n += 1
        buf.append(row.replace(ROW_MARK, str(n)))
        if len(buf) >= 512:
            out.write("".join(buf).encode("utf-8"))
            buf.clear()
    if buf:
        out.write("".join(buf).encode("utf-8"))
    tail = "</sheetData>"
    if ncols:
        tail += f'<autoFilter ref="A1:{_col(ncols - 1)}{n}"/>'
    tail += '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
    out.write(tail.encode("utf-8"))


def _attr(text: str) -> str:
    return xml_text(text).replace('"', "&quot;")


def _workbook(sheets: Sequence[SheetSpec]) -> str:
    items = "".join(
        f'<sheet name="{_attr(s.name)}" sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sheets, start=1)
    )
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{_attr(_quote(s.name))}!$A$1:${_col(max(len(s.header), 1) - 1)}$1</definedName>"
        for i, s in enumerate(sheets)
        if s.header
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<bookViews><workbookView xWindow="0" yWindow="0" windowWidth="28800" windowHeight="15000"/></bookViews>'
        f"<sheets>{items}</sheets>" + (f"<definedNames>{names}</definedNames>" if names else "") + "</workbook>"
    )


def _quote(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _workbook_rels(n: int, shared: bool = False) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n + 1)
    )
    rels += (
        f'<Relationship Id="rId{n + 1}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    )
    if shared:
        rels += (
            f'<Relationship Id="rId{n + 2}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{rels}</Relationships>"
    )


def _core(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{xml_text(title)}</dc:title><dc:creator>zwgk {xml_text(__version__)}</dc:creator>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _app(sheets: Sequence[SheetSpec]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        f"<Application>zwgk {xml_text(__version__)}</Application></Properties>"
    )


def write_problems(
    results_dir: Path, counts: Mapping[str, int], csv_blocks: Iterable[str], json_items: Iterable[str]
) -> tuple[Path, Path]:
    """``problems.csv`` (UTF-8 with BOM) and ``problems.json`` from pre-rendered problems in
    display order (see :func:`render_problems`)."""
    csv_path = results_dir / "problems.csv"
    json_path = results_dir / "problems.json"
    write_csv(csv_path, [h for h, _ in PROBLEM_COLUMNS], csv_blocks)
    header = {"format": "zwgk-problems/1", "counts": dict(counts), "problems": []}
    write_json_list(json_path, header, "problems", json_items)
    return csv_path, json_path
