"""What a workbook is and how far it is filled: the ``zwgk inspect --json`` contract."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.problems import Code, Problem, problem, readable
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook.book import Book, Sheet
from zwgk_cli.workbook.guards import Refused, SheetRefused, read_file
from zwgk_cli.workbook.teams import META_TEAM


def _json_value(value: object) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, (int, str)):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return str(value)
    return str(value)


def _fail(path: Path, code: Code, **params: Any) -> dict[str, Any]:
    p = problem(code, file=str(path), **params)
    return {"file": p.file, "ok": False, "problem": p.to_dict()}


def _why(exc: Exception) -> tuple[Code, dict[str, Any]]:
    """Why a file could not be opened, as the code and parameters of its one problem."""
    if isinstance(exc, Refused):
        return exc.code, dict(exc.params)
    if isinstance(exc, MemoryError):
        return Code.W_TOO_LARGE, {"detail": "读取时内存不足", "limit": "可用内存"}
    return Code.W_UNEXPECTED, {"detail": f"{type(exc).__name__}: {str(exc)[:120]}"}


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
    """Whose workbook ``path`` is (``name``: the file as problems name it), from its hidden sheet
    alone, opened through the guards as ``zwgk score`` opens it; no scoring sheet is read, so
    this takes milliseconds.  Never raises for anything in the file."""
    file = readable(name or str(path))
    try:
        meta = Book(read_file(path)).layout.meta
    except Exception as exc:  # a refused or unforeseen file: its one located problem
        code, params = _why(exc)
        return Identity(file, problem=problem(code, file=file, **params))
    return Identity(
        file,
        meta.unit_id,
        meta.unit_name,
        meta.unit_group,
        meta.rubric_id,
        meta.rubric_hash,
        meta.rubric_version,
        team=meta.extra.get(META_TEAM, ""),
    )


_bundled_hash: dict[str, str | None] = {}


def _bundled(rubric_id: str) -> str | None:
    if rubric_id not in _bundled_hash:
        try:
            _bundled_hash[rubric_id] = (
                rubric_mod.load(rubric_id).hash if rubric_id in rubric_mod.bundled_ids() else None
            )
        except rubric_mod.RubricError:
            _bundled_hash[rubric_id] = None
    return _bundled_hash[rubric_id]


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
    try:
        book = Book(read_file(path))
        lay = book.layout
        unit = lay.meta.unit_name or lay.meta.unit_id
        sheets: dict[str, Sheet] = {}
        problems = []
        on_sheet: dict[str, int] = {}
        for m in lay.inputs:
            on_sheet[m.sheet] = on_sheet.get(m.sheet, 0) + 1
        for name, n in on_sheet.items():
            if name not in book.parts:
                problems.append(
                    problem(Code.W_SHEET_MISSING, file=file, sheet=name, unit=unit, sheet_name=name, count=n)
                )
                continue
            try:
                sheets[name] = view = book.sheet(name, {})
            except SheetRefused as refused:
                problems.append(problem(refused.code, file=file, unit=unit, **refused.params))
                continue
            other = L.sheet_names_other_unit(view.value(L.TITLE_ROW, 0), view.value(L.INFO_ROW, 0), lay.meta.unit_name)
            if other is not None:  # as score reports it (its inputs are not read there)
                problems.append(
                    problem(
                        Code.W_SHEET_OTHER_UNIT,
                        file=file,
                        sheet=name,
                        cell=L.a1(L.TITLE_ROW, 0),
                        unit=unit,
                        sheet_name=name,
                        found=other,
                        expected=lay.meta.unit_name,
                        count=n,
                    )
                )
    except Exception as exc:  # a refused or unforeseen file: one located problem, never a traceback
        code, params = _why(exc)
        return _fail(path, code, **params)
    meta = lay.meta
    entries = []
    filled_by_sheet: dict[str, int] = {}
    moved = 0
    for m in lay.inputs:
        sheet = sheets.get(m.sheet)
        value = _json_value(sheet.value(*L.parse_a1(m.cell))) if sheet is not None else None
        id_ok = sheet is not None and (not m.id_cell or _text_at(sheet, m.id_cell) == m.id)
        moved += not id_ok
        if value is not None and m.required:  # progress counts required inputs only (应填)
            filled_by_sheet[m.sheet] = filled_by_sheet.get(m.sheet, 0) + 1
        entries.append(
            {
                "sheet": m.sheet,
                "cell": m.cell,
                "target": m.target,
                "indicator": m.indicator,
                "criterion": m.criterion,
                "input": m.input,
                "kind": m.kind,
                "label": m.label,
                "required": m.required,
                "value": value,
                "id_ok": id_ok,
            }
        )
    bundled = _bundled(meta.rubric_id)
    return {
        "file": file,
        "ok": True,
        "format": meta.format,
        "rubric": {
            "id": meta.rubric_id,
            "hash": meta.rubric_hash,
            "version": meta.rubric_version,
            "title": meta.rubric_title,
            "year": meta.rubric_year,
            "variant": meta.variant,
            "bundled_hash": bundled,
        },
        "tool_version": meta.tool_version,
        "campaign": {"year": meta.campaign_year, "name": meta.campaign_name},
        "unit": {"id": meta.unit_id, "name": meta.unit_name, "group": meta.unit_group},
        "targets": [{"id": t.id, "kind": t.kind, "name": t.name, "url": t.url} for t in meta.targets],
        "sheets": [
            {
                "name": s.name,
                "role": s.role,
                "part": s.part,
                "target": s.target,
                "inputs": sum(1 for m in lay.inputs if m.sheet == s.name and m.required),
                "optional": sum(1 for m in lay.inputs if m.sheet == s.name and not m.required),
                "filled": filled_by_sheet.get(s.name, 0),
            }
            for s in lay.sheets
            if s.role in (L.ROLE_PART, L.ROLE_TARGET)
        ],
        "inputs": sum(1 for m in lay.inputs if m.required),
        "optional": sum(1 for m in lay.inputs if not m.required),
        "filled": sum(filled_by_sheet.values()),
        "moved": moved,
        "problems": [p.to_dict() for p in problems],
        "map": entries,
    }
