"""A returned workbook opened through the guards and read with python-calamine (``zwgk score`` and
``zwgk inspect``).  Cached formula results are never trusted: the engine recomputes every score.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from zwgk_cli.problems import Code
from zwgk_cli.workbook import layout
from zwgk_cli.workbook.cells import Cell, percent_styles, scan_cells
from zwgk_cli.workbook.guards import Refused, SheetRefused, open_package, sheet_xml, workbook_parts
from zwgk_cli.workbook.values import clean_text

Range = tuple[tuple[int, int], tuple[int, int]]  # a merged range: 0-based (row, col) of its corners

_RESULT_RECORDS = ("result", "results")


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


class Sheet:
    """python-calamine's grid of values, the merged ranges, the XML's facts of the cells asked for."""

    def __init__(self, grid: list[list[Any]], facts: dict[str, Cell], merged: Sequence[Range], percent: set[int]):
        self.grid, self.facts, self.merged, self.percent = grid, facts, merged, percent
        self._where: dict[str, list[tuple[int, int]]] | None = None

    def value(self, row: int, col: int) -> Any:
        """The value at 0-based (row, col); ``None`` off the sheet's grid."""
        if row < 0 or col < 0 or row >= len(self.grid):
            return None
        line = self.grid[row]
        return line[col] if col < len(line) else None

    def cell(self, row: int, col: int, ref: str) -> Cell:
        """The cell at ``ref`` (one asked for); a text without the control characters no document may hold."""
        value = self.value(row, col)
        controls = 0
        if isinstance(value, str):
            value, controls = clean_text(value)
        return (self.facts.get(ref) or Cell())._replace(value=value, controls=controls)

    def find(self, text: str) -> list[tuple[int, int]]:
        """Where a text (an input's id) is on the sheet."""
        if self._where is None:
            self._where = {}
            for r, line in enumerate(self.grid):
                for c, v in enumerate(line):
                    if isinstance(v, str) and v:
                        self._where.setdefault(v.strip(), []).append((r, c))
        return self._where.get(text, [])

    def merged_at(self, cells: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
        """Those of ``cells`` that lie inside a merged range → the range (``F6:F7``, the first that
        holds it), in one pass over the ranges (a sheet merges hundreds of title cells)."""
        out: dict[tuple[int, int], str] = {}
        cells = set(cells)
        if not self.merged or not cells:
            return out
        lo, hi = min(c for _, c in cells), max(c for _, c in cells)
        for (r0, c0), (r1, c1) in self.merged:
            if c1 < lo or c0 > hi or (r1 == r0 and c1 == c0):
                continue
            for r, c in cells:
                if r0 <= r <= r1 and c0 <= c <= c1:
                    out.setdefault((r, c), f"{layout.a1(r0, c0)}:{layout.a1(r1, c1)}")
        return out


class Book:
    """A workbook that passed the file and package guards and holds zwgk's hidden sheet (else
    :class:`~zwgk_cli.workbook.guards.Refused`).  Every part python-calamine will parse is inflated
    and checked by the package guard first."""

    def __init__(self, data: bytes):
        from python_calamine import CalamineError, CalamineWorkbook, PasswordError

        self.pkg = pkg = open_package(data)
        self.parts, others = workbook_parts(pkg)
        if layout.META_SHEET not in self.parts:
            visible = "、".join(list(self.parts)[:5])
            raise Refused(
                Code.W_NOT_ZWGK, sheet_name=layout.META_SHEET, detail=f";其中的工作表:{visible}" if visible else ""
            )
        sheet_xml(pkg, self.parts[layout.META_SHEET], layout.META_SHEET)  # its refusal is the file's
        for name in pkg.names_lower.values():
            low = name.lower()
            if low.startswith("xl/") and low.count("/") == 1 and low.endswith(".xml"):
                pkg.part(name)  # shared strings, styles, workbook: what python-calamine parses on opening
        self._styles = others.get("styles")
        try:
            self.wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except PasswordError:
            raise Refused(Code.W_ENCRYPTED) from None
        except CalamineError as exc:
            raise Refused(Code.W_BROKEN_ZIP, detail=f"无法解析工作簿({str(exc)[:100]})") from None
        try:
            grid = self.wb.get_sheet_by_name(layout.META_SHEET).to_python(skip_empty_area=False)
        except CalamineError as exc:
            raise Refused(Code.W_CELL_ERROR, sheet_name=layout.META_SHEET, detail=str(exc)[:100]) from None
        rows = _meta_rows(grid)
        head = rows[0] if rows else []
        if len(head) > 1 and head[0] == layout.MAGIC:
            fmt = layout.cell_text(head[1])
            if fmt.isdigit() and int(fmt) > layout.FORMAT_VERSION:
                raise Refused(Code.W_FORMAT_VERSION, found=fmt, expected=str(layout.FORMAT_VERSION))
        try:
            self.layout = layout.read_layout(rows)
        except layout.LayoutError as exc:
            if exc.not_zwgk:
                raise Refused(Code.W_NOT_ZWGK, sheet_name=layout.META_SHEET, detail=f":{exc.reason}") from None
            raise Refused(Code.W_BAD_META, detail=exc.reason) from None

    def sheet(
        self, name: str, wanted: Mapping[str, tuple[int, int]], count: int
    ) -> tuple[Sheet | None, SheetRefused | None]:
        """A scoring sheet with the facts of the ``wanted`` cells (A1, upper case → 0-based row,
        column), and why its ``count`` inputs cannot be read: it cannot be read safely, or its
        title names another unit (copied in from that unit's workbook; given all the same)."""
        from python_calamine import CalamineError

        try:
            facts = scan_cells(sheet_xml(self.pkg, self.parts[name], name), wanted)
            sh = self.wb.get_sheet_by_name(name)
            grid = sh.to_python(skip_empty_area=False)
            merged = list(sh.merged_cell_ranges or [])
        except SheetRefused as refused:
            return None, refused
        except CalamineError as exc:
            return None, SheetRefused(Code.W_CELL_ERROR, sheet=name, sheet_name=name, detail=str(exc)[:100])
        view = Sheet(grid, facts, merged, self._percent if any(i.style for i in facts.values()) else set())
        unit = self.layout.meta.unit_name
        other = layout.sheet_names_other_unit(view.value(layout.TITLE_ROW, 0), view.value(layout.INFO_ROW, 0), unit)
        if other is None:
            return view, None
        at = {"sheet": name, "cell": layout.a1(layout.TITLE_ROW, 0), "sheet_name": name, "count": str(count)}
        return view, SheetRefused(Code.W_SHEET_OTHER_UNIT, **at, found=other, expected=unit)

    @functools.cached_property
    def _percent(self) -> set[int]:
        """The cell formats that show numbers as percentages (read once, when a cell has a format)."""
        styles = self._styles
        return percent_styles(self.pkg.part(styles)) if styles and self.pkg.has(styles) else set()
