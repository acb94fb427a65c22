"""The rubric workbook (评分细则.xlsx) → the same plain data a rubric YAML file gives, with the
cell of every data path, so that :class:`~zwgk_cli.rubric.reader.Reader` validates it and every
problem names its sheet and cell (``评分细则 F12``).  Read with python-calamine, within limits
(:data:`MAX_XLSX_BYTES`, :data:`MAX_UNZIPPED`, :data:`~zwgk_cli.rubric.source.MAX_NODES` cells)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from zwgk_cli.problems import Code, Problem, problem
from zwgk_cli.rubric import xlsx_schema as S
from zwgk_cli.rubric.reader import Reader
from zwgk_cli.rubric.source import MAX_BYTES, MAX_NODES, RubricError, load_yaml, read_at_most

ZIP_MAGIC = b"PK\x03\x04"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")  # .xls: to say it must be saved as .xlsx
# A workbook of the largest bundled rubric is about 120 KB: the limits leave a wide margin.
MAX_XLSX_BYTES = 4 * MAX_BYTES
MAX_UNZIPPED = 64 * MAX_BYTES
MAX_MEMBERS = 500

_ABSENT = object()
_PLACE_KEYS = ("variant", "level", "owner", "role")  # where a row goes, not data of its own
Where = tuple[str, str]  # (sheet, cell)
Node = tuple[dict[str, Any], str]  # a mapping of the data and its path
SHEETS = (S.SHEET_INFO, *S.TABLES, S.SHEET_TREE, S.SHEET_RULES)


def is_workbook(path: Path) -> bool:
    """A rubric file that is a workbook: by its suffix, or by its first bytes (a zip)."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return True
    if path.suffix.lower() in (".yaml", ".yml") or not path.is_file():
        return False
    try:
        with path.open("rb") as f:
            return f.read(4) == ZIP_MAGIC
    except OSError:
        return False


def read_bytes(path: Path) -> bytes:
    raw = read_at_most(path, MAX_XLSX_BYTES)
    if len(raw) > MAX_XLSX_BYTES:
        limit = f"{MAX_XLSX_BYTES // 1024 // 1024} MB"
        raise RubricError.of(Code.R_TOO_LARGE, file=str(path), detail="大于4 MB", limit=limit)
    return raw


def _grids(raw: bytes, file: str) -> dict[str, list[list[Any]]]:
    """Every sheet's cells (row 0 = Excel row 1), after the zip is checked against the limits."""
    if not raw.startswith(ZIP_MAGIC):
        old = raw.startswith(b"\xd0\xcf\x11\xe0")
        what = "旧版 Excel(.xls)文件,请用 Excel/WPS 另存为 .xlsx" if old else "不是 Excel 工作簿(.xlsx)"
        raise RubricError.of(Code.R_FILE, file=file, detail=what)
    try:
        infos = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise RubricError.of(Code.R_FILE, file=file, detail=f"工作簿已损坏({exc})") from None
    unzipped = sum(i.file_size for i in infos)
    if len(infos) > MAX_MEMBERS or unzipped > MAX_UNZIPPED:
        detail = f"解压后{unzipped / 1024 / 1024:.0f} MB、{len(infos)}个内部文件"
        limit = f"{MAX_UNZIPPED // 1024 // 1024} MB、{MAX_MEMBERS}个"
        raise RubricError.of(Code.R_TOO_LARGE, file=file, detail=detail, limit=limit)
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        grids = {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names if n in SHEETS}
    except Exception as exc:  # calamine raises its own error types for broken files
        raise RubricError.of(Code.R_FILE, file=file, detail=f"工作簿无法读取({exc})") from None
    if sum(1 for grid in grids.values() for row in grid for v in row if v not in ("", None)) > MAX_NODES:
        raise RubricError.of(Code.R_TOO_LARGE, file=file, detail="的数据过多", limit=f"{MAX_NODES:,}个单元格")
    return grids


class Cells:
    """The cell of each data path, and problems located by it."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.at: dict[str, Where] = {}
        self.headers: dict[Where, str] = {}  # the column (or setting) each cell is under
        self.problems: list[Problem] = []

    def find(self, path: str, field: str | None = None) -> Where | None:
        if field:
            hit = self.at.get(f"{path}.{field}" if path else field)
            if hit:
                return hit
        p = path
        while True:
            if p in self.at:
                return self.at[p]
            if not p:
                return None
            cut = max(p.rfind("."), p.rfind("["))
            p = p[:cut] if cut > 0 else ""

    def err(self, code: Code, where: Where | None, **params: Any) -> None:
        sheet, cell = where or ("", "")
        self.problems.append(problem(code, file=self.file, sheet=sheet, cell=cell, **params))

    def relocate(self, p: Problem) -> Problem:
        """A problem located by a YAML path and line → by its sheet and cell."""
        where = self.find(p.path)
        return replace(p, sheet=where[0], cell=where[1], path="", line=None) if where else p


class XlsxReader(Reader):
    """The schema reader with problems located by cell and fields named as the workbook names them."""

    def __init__(self, cells: Cells) -> None:
        super().__init__(cells.file, {})
        self.cells = cells

    def err(self, code: Code, path: str, **params: Any) -> None:
        field = params.get("field")
        where = self.cells.find(path, field)
        if field is not None:
            own = self.cells.at.get(f"{path}.{field}" if path else field)
            if own is None and (path == field or path.endswith(f".{field}")):
                own = self.cells.at.get(path)
            params["field"] = self.cells.headers.get(own) if own else None
            params["field"] = params["field"] or S.FIELD_NAMES.get(field, field)
        sheet, cell = where or ("", "")
        self.problems.append(problem(code, file=self.file, sheet=sheet, cell=cell, **params))

    def place(self, path: str) -> str:
        where = self.cells.find(path, "id")
        return f"{where[0]} {where[1]}" if where else path


def decode(col: S.Col, raw: Any, where: Where, cells: Cells) -> Any:
    """A cell → the value of the data it stands for (``_ABSENT`` when empty or wrong, the
    problem then recorded)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return _ABSENT
    c = col.codec

    def bad(expected: str) -> Any:
        cells.err(Code.R_TYPE, where, field=col.header, value=str(raw)[:40], expected=expected)
        return _ABSENT

    if isinstance(raw, bool):
        if c == "flag":
            return raw
        raw = S.YES if raw else S.NO
    if isinstance(raw, int | float):
        num = S.cell_number(raw)
        if c in ("num", "text", "id", "ref", "factor"):
            return num
        raw = S.num_text(num)
    if not isinstance(raw, str):  # a date or time: no rubric value is one
        return bad("文字或数字(不是日期)")
    text = raw.strip()
    if c == "text":
        return raw
    if c == "factor":
        return S.AUTO[1] if text in S.AUTO else text
    if c in ("id", "ref", "level", "role"):
        allowed = {"level": S.LEVELS, "role": S.ROLES}.get(c)
        return bad("、".join(allowed) + "之一") if allowed and text not in allowed else text
    if c == "num":
        d = S.to_decimal(text)
        return d if d is not None else bad("数字")
    if c == "flag":
        flag = {S.YES: True, "true": True, S.NO: False, "false": False}.get(text.lower())
        return bad("“是”或“否”") if flag is None else flag
    if c == "enum":
        hit = next((v for label, v in col.choices if text in (label, v)), None)
        return hit if hit is not None else bad("、".join(label for label, _ in col.choices) + "之一")
    if c == "list":
        return S.split_list(text)
    if c == "conds":
        out: dict[str, Any] = {}
        for line in S.split_lines(text):
            pair = S.split_pair(line)
            if pair is None or not pair[0] or not pair[1]:
                return bad("每行一个“属性:值”,如“分组:县市区”")
            attr = S.GROUP_ATTR[1] if pair[0] == S.GROUP_ATTR[0] else pair[0]
            vals = [{S.YES: True, S.NO: False}.get(v, v) for v in S.split_list(pair[1])]
            out[attr] = vals[0] if len(vals) == 1 else vals
        return out
    if c == "options":
        pairs = [S.split_pair(line) for line in S.split_lines(text)]
        points = [S.to_decimal(p[1]) if p else None for p in pairs]
        if all(pt is not None for pt in points):
            return {p[0]: pt for p, pt in zip(pairs, points, strict=True) if p}
        if all(pt is None for pt in points):
            return S.split_lines(text)
        return bad("每行一个“选项:分值”(每个选项都写分值,或都不写)")
    if c == "bands":
        bands = []
        for line in S.split_lines(text):
            pair = S.split_pair(line)
            op, rest = S.parse_op(pair[0]) if pair else (None, "")
            value, pts = S.to_decimal(rest), S.to_decimal(pair[1]) if pair else None
            if pair is None or value is None or pts is None:
                return bad("每行一个“大于15:1”(条件:分值)")
            bands.append({**({"op": op} if op else {}), "value": value, "points": pts})
        return bands
    if c == "cond":
        op, rest = S.parse_op(text)
        value = S.to_decimal(rest) if rest else None
        if rest and value is None:
            return bad("“大于5”之类的条件")
        return {**({"op": op} if op else {}), **({"value": value} if value is not None else {})}
    if c == "yaml":
        try:
            data, _ = load_yaml(raw, f"{cells.file} {where[0]} {where[1]}")
        except RubricError as exc:
            cells.problems.extend(replace(p, sheet=where[0], cell=where[1]) for p in exc.problems)
            return _ABSENT
        return data
    return raw


def _set(d: dict[str, Any], key: str, value: Any) -> None:
    *outer, last = key.split(".")
    for k in outer:
        d = d.setdefault(k, {})
    d[last] = value


class _Sheet:
    """One table sheet: its columns found by header, its filled rows."""

    def __init__(self, name: str, cols: Sequence[S.Col], grid: list[list[Any]], cells: Cells):
        self.name, self.cells = name, cells
        self.by_col: dict[int, S.Col] = {}
        head = grid[0] if grid else []
        known = {c.header: c for c in cols}
        for i, h in enumerate(head):
            h = str(h).strip() if h is not None else ""
            if h in known:
                self.by_col[i] = known[h]
            elif h:
                cells.err(Code.R_UNKNOWN, self.where(0, i), field=h, allowed="、".join(known))
        self.rows = [(r, row) for r, row in enumerate(grid[1:], start=1) if any(v not in ("", None) for v in row)]

    def where(self, r: int, c: int) -> Where:
        return (self.name, xl_rowcol_to_cell(r, c))

    def col(self, key: str) -> int | None:
        return next((c for c, x in self.by_col.items() if x.key == key), None)

    def col_where(self, r: int, key: str) -> Where:
        return self.where(r, self.col(key) or 0)

    def cell(self, row: Sequence[Any], key: str, numbers: bool = False) -> str | None:
        """The text of column ``key`` in ``row``, stripped (None: empty); a number as its text
        when ``numbers``."""
        c = self.col(key)
        raw = row[c] if c is not None and c < len(row) else None
        if numbers and isinstance(raw, int | float) and not isinstance(raw, bool):
            return S.num_text(S.cell_number(raw))
        return raw.strip() if isinstance(raw, str) and raw.strip() else None

    def record(self, r: int, row: Sequence[Any], path: str, allowed: Sequence[str] | None = None) -> dict[str, Any]:
        """The row as a mapping of data keys (only those ``allowed``, the rest reported); every
        column's cell recorded under ``path.key``."""
        out: dict[str, Any] = {}
        self.cells.at.setdefault(path, self.where(r, 0))
        for c, col in self.by_col.items():
            self.cells.at[f"{path}.{col.key}" if path else col.key] = self.where(r, c)
            self.cells.headers[self.where(r, c)] = col.header
            v = decode(col, row[c] if c < len(row) else None, self.where(r, c), self.cells)
            if v is _ABSENT or col.key in _PLACE_KEYS:
                continue
            if allowed is not None and col.key not in allowed:
                headers = "、".join(x.header for x in self.by_col.values() if x.key in allowed)
                self.cells.err(Code.R_UNKNOWN, self.where(r, c), field=col.header, allowed=headers)
                continue
            _set(out, col.key, v)
        return out


def read_data(raw: bytes, file: str) -> tuple[dict[str, Any], Cells]:
    """The plain data of a rubric workbook and the cell of every data path in it; problems
    of the cells themselves (a wrong value in a closed set, a row out of place) are in
    ``cells.problems``."""
    grids = _grids(raw, file)
    cells = Cells(file)
    data: dict[str, Any] = {}
    _info(grids.get(S.SHEET_INFO, []), data, cells)
    sheets = {n: _Sheet(n, cols, grids.get(n, []), cells) for n, (cols, _) in S.TABLES.items()}
    cells.at.setdefault("tiers", (S.SHEET_TIERS, "A2"))
    for name in (S.SHEET_TIERS, S.SHEET_VARIANTS, S.SHEET_TARGETS, S.SHEET_NOTES, S.SHEET_ALIASES, S.SHEET_DEFS):
        sheet, key = sheets[name], S.TABLES[name][1]
        if name in (S.SHEET_ALIASES, S.SHEET_DEFS):
            items: Any = _mapping(sheet, key)
        else:
            items = [sheet.record(r, row, f"{key}[{j}]") for j, (r, row) in enumerate(sheet.rows)]
        if items or key == "tiers":
            data[key] = items
    tree = _Sheet(S.SHEET_TREE, S.TREE, grids.get(S.SHEET_TREE, []), cells)
    rules = _Sheet(S.SHEET_RULES, S.RULES, grids.get(S.SHEET_RULES, []), cells)
    _TreeReader(data, tree, rules, cells).run()
    return data, cells


def _info(grid: list[list[Any]], data: dict[str, Any], cells: Cells) -> None:
    known = {c.header: c for c in S.INFO}
    for i, c in enumerate(S.INFO, start=1):  # a missing setting: where the blank workbook has it
        cells.at[c.key] = (S.SHEET_INFO, xl_rowcol_to_cell(i, 1))
    cells.at[""] = (S.SHEET_INFO, "A1")
    first: dict[str, Where] = {}
    for r, row in enumerate(grid[1:], start=1):
        label = str(row[0]).strip() if row and row[0] is not None else ""
        value = row[1] if len(row) > 1 else None
        head, where = (S.SHEET_INFO, xl_rowcol_to_cell(r, 0)), (S.SHEET_INFO, xl_rowcol_to_cell(r, 1))
        col = known.get(label)
        if not label:
            if value not in ("", None):
                cells.err(Code.R_MISSING, head, field="项目")
        elif col is None:
            cells.err(Code.R_UNKNOWN, head, field=label, allowed="、".join(known))
        elif label in first:
            cells.err(Code.R_DUP_ID, head, id=label, other=" ".join(first[label]))
        else:
            first[label] = head
            cells.at[col.key] = where
            cells.headers[where] = label
            v = decode(col, value, where, cells)
            if v is not _ABSENT:
                _set(data, col.key, v)


def _mapping(sheet: _Sheet, key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    first: dict[str, Where] = {}
    sheet.cells.at.setdefault(key, sheet.where(1, 0))
    for r, row in sheet.rows:
        d = sheet.record(r, row, f"{key}.{r}")
        k = d.get("key")
        if k is None:
            sheet.cells.err(Code.R_MISSING, sheet.where(r, 0), field=sheet.by_col.get(0, S.ALIASES[0]).header)
            continue
        k = S.num_text(k) if isinstance(k, Decimal) else str(k)
        if k in first:
            sheet.cells.err(Code.R_DUP_ID, sheet.where(r, 0), id=k, other=" ".join(first[k]))
            continue
        first[k] = sheet.where(r, 0)
        if "value" in d:
            out[k] = d["value"]
    return out


class _TreeReader:
    """评分细则 rows → the tree of parts, indicators, criteria (an outline), and 计分规则 rows →
    each criterion's inputs, terms and vetoes."""

    def __init__(self, data: dict[str, Any], tree: _Sheet, rules: _Sheet, cells: Cells):
        self.data, self.tree, self.rules, self.cells = data, tree, rules, cells
        self.variants: dict[str, Node] = {}
        for j, v in enumerate(data.get("variants", [])):
            if isinstance(v.get("id"), str):
                self.variants.setdefault(v["id"], (v, f"variants[{j}]"))
        self.crits: dict[tuple[str, str], Node] = {}
        self.dropped: set[str] = set()  # ids of rows left out (already reported): their rules too

    def run(self) -> None:
        cells = self.cells
        cells.at.setdefault("parts", (S.SHEET_TREE, "A2"))
        current: str | None = None  # the variant of the rows above
        above: dict[str, Node] = {}  # the rows above that later rows may still hang under, by level
        for r, row in self.tree.rows:
            level, vid = self.tree.cell(row, "level"), self.tree.cell(row, "variant")
            if not isinstance(level, str):
                cells.err(Code.R_MISSING, self.tree.col_where(r, "level"), field="层级")
                continue
            if level not in S.LEVELS:  # outside the drop-down list: the row cannot be placed
                self._misplaced(r, row, level[:40], "、".join(S.LEVELS) + "之一")
                continue
            owner = self._variant(r, vid)
            if owner is None:
                continue
            if vid != current and level != S.PART:
                self._misplaced(r, row, level, f"新的类别“{vid}”须从“部分”开始")
                continue
            current = vid
            parent, key, where = self._parent(level, above, owner)
            if parent is None:
                self._misplaced(r, row, level, where)
                continue
            items = parent[0].setdefault(key, [])
            path = f"{parent[1]}.{key}[{len(items)}]" if parent[1] else f"{key}[{len(items)}]"
            node = self.tree.record(r, row, path, S.TREE_KEYS[level])
            items.append(node)
            here = (node, path)
            if level != S.CRITERION:  # a row closes the rows of its level and below
                rank = S.LEVELS.index(level)
                above = {lv: n for lv, n in above.items() if S.LEVELS.index(lv) < rank} | {level: here}
            scoring = level == S.CRITERION or (level in S.IND_LEVELS and "text" in node)
            if scoring and isinstance(node.get("id"), str):
                self.crits.setdefault((vid or "", node["id"]), here)
        self._rules()

    def _variant(self, r: int, vid: str | None) -> Node | None:
        """Where this row's 部分 go: the top of the data, or its 类别's entry."""
        where = self.tree.col_where(r, "variant")
        if vid is None and not self.variants:
            return (self.data, "")
        if vid is None:
            self.cells.err(Code.R_MISSING, where, field="类别")
        elif not self.variants:
            hint = "不分类别时“类别”列留空;分类别时先在“类别”表中填写各类别。"
            self.cells.err(Code.R_REF, where, ref=vid, hint=hint)
        elif vid not in self.variants:
            self.cells.err(Code.R_REF, where, ref=vid, hint="“类别”应为“类别”表中的一个编号。")
        return self.variants.get(vid) if vid is not None else None

    @staticmethod
    def _parent(level: str, above: dict[str, Node], owner: Node) -> tuple[Node | None, str, str]:
        """The row a row of ``level`` hangs under, the list it goes in, and what it must be under."""
        ind = next((above[lv] for lv in reversed(S.IND_LEVELS) if lv in above), None)  # the innermost
        if level == S.PART:
            return owner, "parts", ""
        if level == S.SUB_PART:
            return above.get(S.PART), "parts", "“子部分”须在某个“部分”之下"
        if level == S.IND_LEVELS[0]:
            return above.get(S.SUB_PART, above.get(S.PART)), "indicators", "“一级指标”须在某个“部分”之下"
        if level in S.IND_LEVELS:
            up = S.IND_LEVELS[S.IND_LEVELS.index(level) - 1]
            return above.get(up), "indicators", f"“{level}”须在某个“{up}”之下"
        if level == S.UNIT_SET:
            return ind, "by_unit", "“单位细则”须在某个指标之下"
        return above.get(S.UNIT_SET, ind), "criteria", "“评分项”须在某个指标或单位细则之下"

    def _misplaced(self, r: int, row: Sequence[Any], level: str, why: str) -> None:
        c = self.tree.col("id")
        if c is not None and c < len(row) and isinstance(row[c], str):
            self.dropped.add(row[c].strip())
        self.cells.err(Code.R_TYPE, self.tree.col_where(r, "level"), field="层级", value=level, expected=why)

    def _rules(self) -> None:
        last: Node | None = None  # the rule a 分子/分母 row belongs to
        for r, row in self.rules.rows:
            role, owner_id = self.rules.cell(row, "role", True), self.rules.cell(row, "owner", True)
            vid = self.rules.cell(row, "variant", True) or ""
            if role not in S.ROLES:
                if role is None:
                    self.cells.err(Code.R_MISSING, self.rules.col_where(r, "role"), field="用途")
                else:
                    decode(S.RULES[2], role, self.rules.col_where(r, "role"), self.cells)
                continue
            hit = self.crits.get((vid, owner_id or ""))
            if hit is None and owner_id in self.dropped:
                continue
            if hit is None:
                where = self.rules.col_where(r, "owner")
                if owner_id is None:
                    self.cells.err(Code.R_MISSING, where, field="评分项编号")
                else:
                    hint = "“评分项编号”应为“评分细则”表中填了评分细则原文的一行的编号(分类别时连同“类别”)。"
                    self.cells.err(Code.R_REF, where, ref=f"{vid} {owner_id}".strip(), hint=hint)
                continue
            if role in (S.NUMER, S.DENOM):
                if last is None or not (last[0].get("kind") == "ratio" or last[0].get("ratio") is True):
                    where, expected = self.rules.col_where(r, "role"), "紧随类型为“比例”的计分或否决行之后"
                    self.cells.err(Code.R_TYPE, where, field="用途", value=role, expected=expected)
                    continue
                parent, key = last, "inputs"
            else:
                parent, key = hit, {S.TERM: "terms", S.VETO: "vetoes", S.INPUT: "inputs"}[role]
            items = parent[0].setdefault(key, [])
            path = f"{parent[1]}.{key}[{len(items)}]"
            d = self.rules.record(r, row, path, S.RULE_KEYS[role])
            if key == "inputs":  # the 输入编号 of an input defined on its own is its ``id`` (of a term, ``input``)
                if "input" in d:
                    d["id"] = d.pop("input")
                self.cells.at[f"{path}.id"] = self.cells.at[f"{path}.input"]
            if role == S.VETO and d.get("kind") == "ratio":
                del d["kind"]
                d["ratio"] = True
            d.update(d.pop("cond", {}))
            if role == S.VETO:
                for k in ("op", "value"):
                    self.cells.at[f"{path}.{k}"] = self.cells.at[f"{path}.cond"]
            items.append(d)
            if parent is hit:
                last = (d, path)


def read_workbook(path: Path) -> tuple[dict[str, Any], Cells]:
    return read_data(read_bytes(path), str(path))


def check_cells(data: Any, cells: Cells) -> dict[str, Where]:
    """The cell of each place :func:`~zwgk_cli.rubric.check.check` names (``variant/part/…/id``):
    the 编号 of that row, the 适用分组 of a variant."""
    out: dict[str, Where] = {}

    def put(key: str, path: str, field: str = "id") -> None:
        hit = cells.at.get(f"{path}.{field}")
        if hit:
            out.setdefault(key, hit)

    def items(d: Any, key: str, path: str) -> list[Node]:
        v = d.get(key) if isinstance(d, dict) else None
        return [
            (x, f"{path}.{key}[{j}]" if path else f"{key}[{j}]") for j, x in enumerate(v or []) if isinstance(x, dict)
        ]

    def walk(d: dict[str, Any], path: str, where: str, vid: str) -> None:
        """The rows under a part, an indicator or a unit set: a (sub-)part is named by its
        variant, an indicator or criterion by its parent, a unit set not at all."""
        for key in ("criteria", "by_unit", "indicators", "parts"):
            for x, xp in items(d, key, path):
                here = where if key == "by_unit" else f"{vid if key == 'parts' else where}/{x.get('id')}"
                if key != "by_unit":
                    put(here, xp)
                if key == "indicators" and "text" in x:  # a flat indicator is its criterion too
                    put(f"{here}/{x.get('id')}", xp)
                walk(x, xp, here, vid)

    variants = items(data, "variants", "")
    for v, vp in variants or [(data, "")]:
        vid = str(v.get("id", "default")) if variants else "default"
        put(f"{vid}/groups", vp, "groups")
        walk({"parts": v.get("parts")}, vp, vid, vid)
    return out
