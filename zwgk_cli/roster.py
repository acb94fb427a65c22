"""Roster files → units (with groups, attributes and targets), every problem located.

A roster is a table of units and, optionally, a table of targets (websites…):

* units: ``编号, 单位名称, 分组`` plus any attribute columns (``市级部门``, ``有对外服务``,
  ``督促指导任务`` … with 是/否 or text) and an optional ``别名`` column (names the rubric
  may use for the unit, separated by ``、``);
* targets: ``编号, 名称, 类型, 所属单位`` and optionally ``网址``; ``类型`` is a target kind
  of the rubric (``website`` or its title ``政府网站``); ``所属单位`` is a unit's name or id.

Either table is CSV or a spreadsheet: XLSX, XLS or ODS (first sheet, or sheets named ``单位``
and ``网站``/``对象`` in one workbook).  A CSV may be UTF-8 (with or without BOM), UTF-16 with a
BOM, or GB18030/GBK (what Chinese Excel and WPS save as “CSV(逗号分隔)”; a warning says so).
A file that is not a regular file or is over :data:`MAX_ROSTER_BYTES` is a problem, never read.
English headers (id, name, group, aliases, kind, unit, url) are accepted too.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from zwgk_cli.files import InputFileError, read_input_file
from zwgk_cli.model import GROUP_ATTRIBUTES, NAME_ATTRIBUTES, NO, Target, Unit, yes_no
from zwgk_cli.problems import XML_ILLEGAL, Code, Problem, problem

UNIT_COLUMNS = {
    "id": ("编号", "id", "单位编号"),
    "name": ("单位名称", "name", "单位", "名称"),
    "group": ("分组", "group", "类别"),
    "aliases": ("别名", "aliases", "简称"),
}
TARGET_COLUMNS = {
    "id": ("编号", "id", "网站编号"),
    "name": ("名称", "name", "网站名称"),
    "kind": ("类型", "kind"),
    "unit": ("所属单位", "unit", "单位"),
    "url": ("网址", "url"),
}
TARGET_SHEETS = ("网站", "对象", "targets", "websites")
UNIT_SHEETS = ("单位", "units")


@dataclass
class Roster:
    units: list[Unit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    bool_columns: tuple[str, ...] = ()
    lines: dict[str, int] = field(default_factory=dict)  # unit id → its row in the units table

    def unit(self, key: str) -> Unit | None:
        """The first unit whose id, name or an alias is ``key``."""
        return next((u for u in self.units if key in (u.id, u.name, *u.aliases)), None)

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(u.group for u in self.units))


Table = list[tuple[int, dict[str, str]]]  # (row number as the user sees it, row)
MAX_ROSTER_BYTES = 20 * 1024 * 1024  # a roster of 10,000 units is about 1 MB
_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # XLSX/ODS (zip), XLS (OLE)
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
GB18030 = "GB18030(GBK)"


class Unreadable(Exception):
    """A roster (or other table) file that cannot be read; the reason in Chinese, and the line when known."""

    def __init__(self, detail: str, line: int | None = None) -> None:
        super().__init__(detail)
        self.line = line


@dataclass(frozen=True)
class _Read:
    header: list[str]
    table: Table
    encoding: str = ""  # a CSV's encoding when it was not UTF-8


def decode_text(data: bytes) -> tuple[str, str]:
    """A text file's bytes → (text, encoding): UTF-8 (with or without BOM), UTF-16 with a BOM,
    else GB18030 (which covers GBK and GB2312: what Chinese Excel and WPS save as CSV)."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8"
        except UnicodeDecodeError as exc:
            raise Unreadable("文件标明是 UTF-8 编码,但含有不是 UTF-8 的字节", _line_of(data, exc.start)) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise Unreadable("文件标明是 UTF-16 编码,但内容不完整") from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), GB18030
    except UnicodeDecodeError as exc:
        raise Unreadable("不是文本文件,或编码既不是 UTF-8 也不是 GBK/GB18030", _line_of(data, exc.start)) from None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def csv_rows(data: bytes) -> tuple[list[list[str]], str]:
    """A CSV file's bytes as Excel or WPS saved them → (rows, encoding): UTF-8, UTF-16 or
    GBK (:func:`decode_text`), comma- or tab-separated; :class:`Unreadable` when it is none."""
    text, encoding = decode_text(data)
    if not text.strip():
        raise Unreadable("文件是空的")
    if "\x00" in text:
        raise Unreadable("含有空字符(NUL):不是文本文件,或编码不对", text.count("\n", 0, text.index("\x00")) + 1)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","  # Excel's “Unicode 文本” is tab-separated
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        n = len(rows) + 1  # the record as Excel numbers its rows
        why = "单元格内容过长" if "limit" in str(exc) else "引号不成对(英文双引号要成对使用)"
        raise Unreadable(f"第{n}行无法按 CSV 读取:{why}", n) from None
    return rows, encoding


def _read_csv(data: bytes) -> _Read:
    rows, encoding = csv_rows(data)
    header = [h.strip() for h in rows[0]] if rows else []
    # a row of blanks is left out (one whose only text is control characters is not blank)
    cells = [[_plain(c) for c in row] if any(c.strip() for c in row) else [] for row in rows[1:]]
    return _Read(header, _table(header, cells), "" if encoding.startswith("UTF") else encoding)


def _table(header: list[str], rows: list[list[str]]) -> Table:
    """The rows below the header (numbered as the user sees them, from 2) that are not empty."""
    return [
        (n, {h: (row[i] if i < len(row) else "") for i, h in enumerate(header) if h})
        for n, row in enumerate(rows, start=2)
        if any(row)
    ]


def _read_spreadsheet(data: bytes, names: Sequence[str], first: bool) -> _Read | None:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = next((s for s in wb.sheet_names if s in names), None)
        if sheet is None:
            if not first:
                return None
            if not wb.sheet_names:
                raise Unreadable("工作簿中没有工作表")
            sheet = wb.sheet_names[0]
        rows = wb.get_sheet_by_name(sheet).to_python()
    except CalamineError as exc:
        if type(exc).__name__ == "PasswordError":
            raise Unreadable("工作簿设置了打开密码,无法读取(请取消密码后保存)") from None
        raise Unreadable("工作簿已损坏或不是 Excel/WPS 能打开的表格") from None
    header = [_cell_text(h) for h in rows[0]] if rows else []
    return _Read(header, _table(header, [[_cell_text(c) for c in row] for row in rows[1:]]))


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else _plain(str(value))


def _plain(text: str) -> str:
    """A roster cell as text every writer accepts: control characters (pasted from Word, or
    ``_x000B_`` in a workbook) dropped, the ends trimmed."""
    return XML_ILLEGAL.sub("", text).strip()


def _columns(
    roster: Roster, path: Path, header: Sequence[str], spec: dict[str, tuple[str, ...]], required: Sequence[str]
) -> dict[str, str] | None:
    """Each column's header in the file (``""`` when absent); None, with a problem for each,
    when a ``required`` one is missing."""
    cols = {k: next((h for h in header if h in names), "") for k, names in spec.items()}
    missing = [k for k in required if not cols[k]]
    roster.problems += [problem(Code.L_COLUMN, file=str(path), column=spec[k][0]) for k in missing]
    return None if missing else cols


def _load_table(roster: Roster, path: Path, sheet_names: Sequence[str], first: bool) -> _Read | None:
    """A roster table from a regular file of at most :data:`MAX_ROSTER_BYTES`: a spreadsheet
    (by its content, whatever its name says) or CSV text; what cannot be read a problem in ``roster``."""
    try:
        data = read_input_file(path, MAX_ROSTER_BYTES)
        if data.startswith(_SPREADSHEET_MAGIC):
            got = _read_spreadsheet(data, sheet_names, first)
        elif not data.strip():
            raise Unreadable("文件是空的")
        elif path.suffix.lower() in _SPREADSHEET_SUFFIXES:
            raise Unreadable(f"文件名是 {path.suffix},但内容不是 Excel/WPS 表格(可能已损坏)")
        else:
            got = _read_csv(data)
    except (InputFileError, Unreadable) as exc:
        line = exc.line if isinstance(exc, Unreadable) else None
        roster.problems.append(problem(Code.L_FILE, file=str(path), line=line, detail=str(exc)))
        return None
    if got is not None and got.encoding:
        roster.problems.append(problem(Code.L_ENCODING, file=str(path), encoding=got.encoding))
    return got


def load_roster(
    units_path: str | Path,
    targets_path: str | Path | None = None,
    target_kinds: Sequence[tuple[str, str]] = (("website", "政府网站"),),
) -> Roster:
    """Read the units (and targets) tables. Never raises for bad content: problems are returned."""
    roster = Roster()
    upath = Path(units_path)
    roster.files.append(str(upath))
    got = _load_table(roster, upath, UNIT_SHEETS, True)
    if got is None:
        return roster
    header, table = got.header, got.table
    cols = _columns(roster, upath, header, UNIT_COLUMNS, ("id", "name", "group"))
    if cols is None:
        return roster
    attr_cols = [h for h in header if h and h not in cols.values()]
    bool_cols = [h for h in attr_cols if all(yes_no(r.get(h, "")) for _, r in table)]
    roster.bool_columns = tuple(bool_cols)
    seen: dict[str, int] = {}
    for n, row in table:
        given = {k: row.get(cols[k], "") for k in ("id", "name", "group")}
        uid, name, group = given.values()
        at = {"file": str(upath), "line": n}
        bad = [problem(Code.L_EMPTY, **at, row=n, column=UNIT_COLUMNS[k][0]) for k, v in given.items() if not v]
        bad += [problem(Code.L_DUP, **at, value=v, other=seen[v]) for v in (uid, name) if v and v in seen]
        roster.problems += bad
        if bad:
            continue
        seen[uid] = seen[name] = n
        roster.lines[uid] = n
        attrs = {h: row.get(h, "") for h in attr_cols}
        attrs.update({h: yes_no(attrs[h]) or NO for h in bool_cols})
        aliases = tuple(a.strip() for a in row.get(cols["aliases"], "").replace(",", "、").split("、") if a.strip())
        roster.units.append(Unit(uid, name, group, attrs, (), aliases))
    if targets_path is not None:
        _load_targets(roster, Path(targets_path), target_kinds, first=True)
    elif upath.suffix.lower() in _SPREADSHEET_SUFFIXES:
        _load_targets(roster, upath, target_kinds, first=False)
    return roster


def _load_targets(roster: Roster, path: Path, target_kinds: Sequence[tuple[str, str]], first: bool) -> None:
    if str(path) not in roster.files:
        roster.files.append(str(path))
    got = _load_table(roster, path, TARGET_SHEETS, first)
    if got is None:
        return
    cols = _columns(roster, path, got.header, TARGET_COLUMNS, ("id", "name", "unit"))
    if cols is None:
        return
    kind_ids = {title: kid for kid, title in target_kinds} | {kid: kid for kid, _ in target_kinds}
    default_kind = target_kinds[0][0] if target_kinds else "website"
    by_unit: dict[str, list[Target]] = {}
    seen: dict[str, int] = {}
    unknown: dict[str, list[int]] = {}  # a type the rubric does not know → its rows
    owners: dict[str, Unit] = {}  # as Roster.unit finds them, in one pass for a list of 10,000 websites
    for u in roster.units:
        for k in (u.id, u.name, *u.aliases):
            owners.setdefault(k, u)
    for n, row in got.table:
        tid, name, owner = (row.get(cols[k], "") for k in ("id", "name", "unit"))
        kind = row.get(cols["kind"], "") or default_kind
        if not tid or not name or not owner:
            col = "编号" if not tid else "名称" if not name else "所属单位"
            roster.problems.append(problem(Code.L_EMPTY, file=str(path), line=n, row=n, column=col))
            continue
        if tid in seen:
            roster.problems.append(problem(Code.L_DUP_TARGET, file=str(path), line=n, target=tid, other=seen[tid]))
            continue
        seen[tid] = n
        unit = owners.get(owner)
        if unit is None:
            roster.problems.append(problem(Code.L_TARGET_UNIT, file=str(path), line=n, target=name, unit=owner))
            continue
        if kind not in kind_ids:
            unknown.setdefault(kind, []).append(n)
        target = Target(tid, kind_ids.get(kind, kind), name, row.get(cols["url"], ""))
        by_unit.setdefault(unit.id, []).append(target)
    roster.units = [replace(u, targets=u.targets + tuple(by_unit.get(u.id, ()))) for u in roster.units]
    titles = "、".join(title for _, title in target_kinds)
    for kind, lines in unknown.items():  # a typo (网战) or a kind the rubric does not assess: never scored
        rows = "、".join(f"第{n}行" for n in lines[:10]) + ("等" if len(lines) > 10 else "")
        at = {"file": str(path), "line": lines[0]}
        roster.problems.append(problem(Code.L_TARGET_KIND, **at, kind=kind, count=len(lines), kinds=titles, rows=rows))


def check_against(roster: Roster, groups: Sequence[str]) -> list[Problem]:
    """Roster problems that depend on the rubric: units in groups the rubric does not know."""
    file = roster.files[0] if roster.files else ""
    return [
        problem(Code.L_GROUP, file=file, unit=u.name, group=u.group, groups="、".join(groups))
        for u in roster.units
        if groups and u.group not in groups
    ]


def check_attributes(roster: Roster, tested: Mapping[str, set[str]]) -> list[Problem]:
    """Roster problems that depend on the rubric's conditions (``tested``: attribute → the values
    its conditions name): a column the conditions use that the roster lacks (every unit reads as
    not having it), and in a column tested only for 是/否, a value that is neither (the unit would
    silently count as 否)."""
    file = roster.files[0] if roster.files else ""
    columns = {k for u in roster.units for k in u.attributes}
    out = []
    for column, values in sorted(tested.items()):
        if column in (*GROUP_ATTRIBUTES, *NAME_ATTRIBUTES):  # read from no column
            continue
        if roster.units and column not in columns:
            out.append(problem(Code.L_CONDITION_COLUMN, file=file, column=column))
        elif column not in roster.bool_columns and all(yes_no(v) for v in values):
            for u in roster.units:
                value = u.attributes.get(column, "")
                if yes_no(value) is None:
                    at = {"file": file, "line": roster.lines.get(u.id), "unit": u.name}
                    out.append(problem(Code.L_ATTR, **at, column=column, value=value))
    return out


def check_targets(roster: Roster, unit_needs: Sequence[tuple[Unit, str, str]]) -> list[Problem]:
    """``unit_needs``: (unit, target kind id, kind title) for every per-target part a unit has."""
    file = roster.files[-1] if roster.files else ""
    return [
        problem(Code.L_NO_TARGET, file=file, unit=u.name, kind=title)
        for u, kind, title in unit_needs
        if not u.targets_of(kind)
    ]
