"""What a workbook is and how far it is filled: the ``zwgk inspect --json`` contract."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.problems import Code, Problem, problem, readable
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook.book import Book, Sheet
from zwgk_cli.workbook.guards import read_file, refusal
from zwgk_cli.workbook.teams import META_TEAM

MAP_KEYS = ("sheet", "cell", "target", "indicator", "criterion", "input", "kind", "label", "required")


def _json_value(value: object) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value if isinstance(value, (bool, int, str)) else str(value)


@dataclass(frozen=True)
class Identity:
    """Whose workbook a file is, as its hidden sheet says; ``problem`` when that cannot be told."""

    file: str
    unit_id: str = ""
    unit_name: str = ""
    unit_group: str = ""
    rubric_id: str = ""
    rubric_hash: str = ""
    rubric_version: str = ""
    problem: Problem | None = None
    team: str = ""  # a 检查组's workbook: the team its hidden sheet names


def identify(path: Path, name: str | None = None) -> Identity:
    """Whose workbook ``path`` is, from its hidden sheet alone (milliseconds), opened through the
    guards as ``zwgk score`` opens it.  Never raises for anything in the file."""
    file = readable(name or str(path))
    try:
        m = Book(read_file(path)).layout.meta
    except Exception as exc:  # a refused or unforeseen file: its one located problem
        return Identity(file, problem=refusal(exc, file))
    team = m.extra.get(META_TEAM, "")
    return Identity(file, m.unit_id, m.unit_name, m.unit_group, m.rubric_id, m.rubric_hash, m.rubric_version, team=team)


@functools.cache
def _bundled(rubric_id: str) -> str | None:
    try:
        return rubric_mod.load(rubric_id).hash if rubric_id in rubric_mod.bundled_ids() else None
    except rubric_mod.RubricError:
        return None


def _text_at(sheet: Sheet, ref: str) -> str:
    try:
        return L.cell_text(sheet.value(*L.parse_a1(ref)))
    except ValueError:
        return ""


def inspect_file(path: Path) -> dict[str, Any]:
    """What a workbook is and how far it is filled, as the ``zwgk inspect --json`` contract.

    The workbook is opened as ``zwgk score`` opens it (:class:`~zwgk_cli.workbook.book.Book`),
    through the same guards: a file score refuses gets the same problem here, and a scoring
    sheet score cannot read (too big, missing) is listed in ``problems`` with its inputs empty."""
    file = readable(str(path))  # a name that is not UTF-8 decoded
    sheets: dict[str, Sheet] = {}
    problems = []
    try:
        book = Book(read_file(path))
        lay = book.layout
        unit = lay.meta.unit_name or lay.meta.unit_id
        for name, n in Counter(m.sheet for m in lay.inputs).items():
            where = {"file": file, "sheet": name, "unit": unit, "sheet_name": name, "count": n}
            if name not in book.parts:
                problems.append(problem(Code.W_SHEET_MISSING, **where))
                continue
            view, lost = book.sheet(name, {}, n)
            if view is not None:  # a sheet of another unit too (its inputs are not read by score)
                sheets[name] = view
            if lost is not None:
                problems.append(problem(lost.code, file=file, unit=unit, **lost.params))
    except Exception as exc:  # a refused or unforeseen file: one located problem, never a traceback
        p = refusal(exc, str(path))
        return {"file": p.file, "ok": False, "problem": p.to_dict()}
    meta = lay.meta
    entries = []
    filled: Counter[str] = Counter()
    moved = 0
    for m in lay.inputs:
        sheet = sheets.get(m.sheet)
        value = _json_value(sheet.value(*L.parse_a1(m.cell))) if sheet is not None else None
        id_ok = sheet is not None and (not m.id_cell or _text_at(sheet, m.id_cell) == m.id)
        moved += not id_ok
        if value is not None and m.required:  # progress counts required inputs only (应填)
            filled[m.sheet] += 1
        entries.append({**{k: getattr(m, k) for k in MAP_KEYS}, "value": value, "id_ok": id_ok})
    required = Counter(m.sheet for m in lay.inputs if m.required)
    optional = Counter(m.sheet for m in lay.inputs if not m.required)
    rubric = {k: getattr(meta, f"rubric_{k}") for k in ("id", "hash", "version", "title", "year")}
    return {
        "file": file,
        "ok": True,
        "format": meta.format,
        "rubric": {**rubric, "variant": meta.variant, "bundled_hash": _bundled(meta.rubric_id)},
        "tool_version": meta.tool_version,
        "campaign": {"year": meta.campaign_year, "name": meta.campaign_name},
        "unit": {"id": meta.unit_id, "name": meta.unit_name, "group": meta.unit_group},
        "targets": [{"id": t.id, "kind": t.kind, "name": t.name, "url": t.url} for t in meta.targets],
        "sheets": [
            {"name": s.name, "role": s.role, "part": s.part, "target": s.target}
            | {"inputs": required[s.name], "optional": optional[s.name], "filled": filled[s.name]}
            for s in lay.sheets
            if s.role in (L.ROLE_PART, L.ROLE_TARGET)
        ],
        "inputs": required.total(),
        "optional": optional.total(),
        "filled": filled.total(),
        "moved": moved,
        "problems": [p.to_dict() for p in problems],
        "map": entries,
    }
