"""What a workbook is and how far it is filled: the ``zwgk inspect --json`` contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.problems import Code, os_reason, problem
from zwgk_cli.workbook import layout as L

if TYPE_CHECKING:
    pass


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
    return {"file": str(path), "ok": False, "problem": p.to_dict()}


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


def _content_kind(head: bytes) -> str:
    if head.startswith(b"%PDF"):
        return "PDF 文件"
    if head.lstrip().startswith((b"<html", b"<!DOCTYPE", b"<!doctype")):
        return "网页(HTML)"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head[:-1].decode("utf-8")
        except UnicodeDecodeError:
            return "其他格式的数据"
    return "文本"


def inspect_file(path: Path) -> dict[str, Any]:
    """What a workbook is and how far it is filled, as the ``zwgk inspect --json`` contract."""
    from python_calamine import CalamineWorkbook

    try:
        with path.open("rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        return _fail(path, Code.W_UNREADABLE, detail=os_reason(exc))
    if not head:
        return _fail(path, Code.W_EMPTY_FILE)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _fail(path, Code.W_LEGACY_XLS)
    if not head.startswith(b"PK\x03\x04"):
        return _fail(path, Code.W_NOT_XLSX, found=_content_kind(head))
    try:
        wb = CalamineWorkbook.from_path(str(path))
        if L.META_SHEET not in wb.sheet_names:
            return _fail(path, Code.W_NOT_ZWGK, sheet_name=L.META_SHEET, detail="")
        lay = L.read_layout(wb.get_sheet_by_name(L.META_SHEET).to_python(skip_empty_area=False))
        grids: dict[str, list[list[Any]]] = {}
        missing: dict[str, int] = {}
        for m in lay.inputs:
            if m.sheet not in wb.sheet_names:
                missing[m.sheet] = missing.get(m.sheet, 0) + 1
            elif m.sheet not in grids:
                grids[m.sheet] = wb.get_sheet_by_name(m.sheet).to_python(skip_empty_area=False)
    except L.LayoutError as exc:
        if exc.not_zwgk:
            return _fail(path, Code.W_NOT_ZWGK, sheet_name=L.META_SHEET, detail=f":{exc.reason}")
        return _fail(path, Code.W_BAD_META, detail=exc.reason)
    except Exception as exc:  # calamine raises its own error types for broken files
        return _fail(path, Code.W_BROKEN_ZIP, detail=str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
    meta = lay.meta
    entries = []
    filled_by_sheet: dict[str, int] = {}
    moved = 0
    for m in lay.inputs:
        grid = grids.get(m.sheet, [])
        value = _json_value(L.value_at(grid, m.cell))
        id_ok = m.sheet in grids and L.cell_text(L.value_at(grid, m.id_cell)) == m.id
        moved += not id_ok
        if value is not None:
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
                "value": value,
                "id_ok": id_ok,
            }
        )
    bundled = _bundled(meta.rubric_id)
    return {
        "file": str(path),
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
                "inputs": sum(1 for m in lay.inputs if m.sheet == s.name),
                "filled": filled_by_sheet.get(s.name, 0),
            }
            for s in lay.sheets
            if s.role in (L.ROLE_PART, L.ROLE_TARGET)
        ],
        "inputs": len(lay.inputs),
        "filled": sum(filled_by_sheet.values()),
        "moved": moved,
        "problems": [
            problem(Code.W_SHEET_MISSING, file=str(path), sheet=name, sheet_name=name, count=n).to_dict()
            for name, n in missing.items()
        ],
        "map": entries,
    }
