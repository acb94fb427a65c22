"""Roster files → units (with groups, attributes and targets), every problem located.

A roster is a table of units and, optionally, a table of targets (websites…):

* units: ``编号, 单位名称, 分组`` plus any attribute columns (``市级部门``, ``有对外服务``,
  ``督促指导任务`` … with 是/否 or text) and an optional ``别名`` column (names the rubric
  may use for the unit, separated by ``、``);
* targets: ``编号, 名称, 类型, 所属单位`` and optionally ``网址``; ``类型`` is a target kind
  of the rubric (``website`` or its title ``政府网站``); ``所属单位`` is a unit's name or id.

Either table is CSV (UTF-8, with or without BOM) or XLSX (first sheet, or sheets named
``单位`` and ``网站``/``对象`` in one workbook).  English headers (id, name, group, aliases,
kind, unit, url) are accepted too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from zwgk_cli.model import NO, YES, Target, Unit
from zwgk_cli.problems import Code, Problem, problem

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
YES_WORDS = {"是", "有", "y", "yes", "true", "1", "√"}
NO_WORDS = {"否", "无", "n", "no", "false", "0", ""}
TARGET_SHEETS = ("网站", "对象", "targets", "websites")
UNIT_SHEETS = ("单位", "units")


@dataclass
class Roster:
    units: list[Unit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    bool_columns: tuple[str, ...] = ()
    _index: tuple[list[Unit], int, dict[str, Unit]] | None = field(default=None, repr=False, compare=False)

    def unit(self, key: str) -> Unit | None:
        """The first unit whose id, name or an alias is ``key``."""
        units = self.units
        index = self._index
        if index is None or index[0] is not units or index[1] != len(units):
            by_key: dict[str, Unit] = {}
            for u in units:
                for k in (u.id, u.name, *u.aliases):
                    by_key.setdefault(k, u)
            index = self._index = (units, len(units), by_key)  # a websites list of 10,000 units: one pass
        return index[2].get(key)

    @property
    def groups(self) -> list[str]:
        seen: list[str] = []
        for u in self.units:
            if u.group not in seen:
                seen.append(u.group)
        return seen


Table = list[tuple[int, dict[str, str]]]  # (row number as the user sees it, row)


def _read_csv(path: Path) -> tuple[list[str], Table]:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        return [], []
    header = [h.strip() for h in rows[0]]
    table: Table = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        table.append((n, {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header) if h}))
    return header, table


def _read_xlsx(path: Path, names: Sequence[str], first: bool) -> tuple[list[str], Table] | None:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    sheet = next((s for s in wb.sheet_names if s in names), None)
    if sheet is None:
        if not first:
            return None
        sheet = wb.sheet_names[0]
    rows = wb.get_sheet_by_name(sheet).to_python()
    if not rows:
        return [], []
    header = [_cell_text(h) for h in rows[0]]
    table: Table = []
    for n, row in enumerate(rows[1:], start=2):
        values = [_cell_text(c) for c in row]
        if not any(values):
            continue
        table.append((n, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h}))
    return header, table


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _column(header: Sequence[str], names: Sequence[str]) -> str | None:
    return next((h for h in header if h in names), None)


def _read(path: Path, sheet_names: Sequence[str], first: bool) -> tuple[list[str], Table] | None:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet_names, first)
    return _read_csv(path)


def load_roster(
    units_path: str | Path,
    targets_path: str | Path | None = None,
    target_kinds: Sequence[tuple[str, str]] = (("website", "政府网站"),),
) -> Roster:
    """Read the units (and targets) tables. Never raises for bad content: problems are returned."""
    roster = Roster()
    upath = Path(units_path)
    roster.files.append(str(upath))
    try:
        got = _read(upath, UNIT_SHEETS, True)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
        roster.problems.append(problem(Code.L_FILE, file=str(upath), detail=str(exc)))
        return roster
    assert got is not None
    header, table = got
    cols = {k: _column(header, v) for k, v in UNIT_COLUMNS.items()}
    for key in ("id", "name", "group"):
        if cols[key] is None:
            roster.problems.append(problem(Code.L_COLUMN, file=str(upath), column=UNIT_COLUMNS[key][0]))
    if any(cols[k] is None for k in ("id", "name", "group")):
        return roster
    known = {c for c in cols.values() if c}
    attr_cols = [h for h in header if h and h not in known]
    bool_cols = [h for h in attr_cols if all(r.get(h, "").lower() in YES_WORDS | NO_WORDS for _, r in table)]
    roster.bool_columns = tuple(bool_cols)
    seen: dict[str, int] = {}
    for n, row in table:
        uid, name, group = (row.get(cols[k] or "", "") for k in ("id", "name", "group"))
        bad = False
        for key, val in (("id", uid), ("name", name), ("group", group)):
            if not val:
                roster.problems.append(
                    problem(Code.L_EMPTY, file=str(upath), line=n, row=n, column=UNIT_COLUMNS[key][0])
                )
                bad = True
        for val in (uid, name):
            if val and val in seen:
                roster.problems.append(problem(Code.L_DUP, file=str(upath), line=n, value=val, other=seen[val]))
                bad = True
        if bad:
            continue
        seen[uid] = seen[name] = n
        attrs: dict[str, str] = {}
        for h in attr_cols:
            v = row.get(h, "")
            if h in bool_cols:
                attrs[h] = YES if v.lower() in YES_WORDS else NO
            else:
                attrs[h] = v
        aliases = tuple(
            a.strip() for a in row.get(cols["aliases"] or "", "").replace(",", "、").split("、") if a.strip()
        )
        roster.units.append(Unit(uid, name, group, attrs, (), aliases))
    if targets_path is not None:
        _load_targets(roster, Path(targets_path), target_kinds, first=True)
    elif upath.suffix.lower() in (".xlsx", ".xlsm"):
        _load_targets(roster, upath, target_kinds, first=False)
    return roster


def _load_targets(roster: Roster, path: Path, target_kinds: Sequence[tuple[str, str]], first: bool) -> None:
    if str(path) not in roster.files:
        roster.files.append(str(path))
    try:
        got = _read(path, TARGET_SHEETS, first)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
        roster.problems.append(problem(Code.L_FILE, file=str(path), detail=str(exc)))
        return
    if got is None:
        return
    header, table = got
    cols = {k: _column(header, v) for k, v in TARGET_COLUMNS.items()}
    for key in ("id", "name", "unit"):
        if cols[key] is None:
            roster.problems.append(problem(Code.L_COLUMN, file=str(path), column=TARGET_COLUMNS[key][0]))
    if any(cols[k] is None for k in ("id", "name", "unit")):
        return
    kind_ids = {title: kid for kid, title in target_kinds} | {kid: kid for kid, _ in target_kinds}
    default_kind = target_kinds[0][0] if target_kinds else "website"
    by_unit: dict[str, list[Target]] = {}
    seen: dict[str, int] = {}
    for n, row in table:
        tid, name, owner = (row.get(cols[k] or "", "") for k in ("id", "name", "unit"))
        kind = row.get(cols["kind"] or "", "") or default_kind
        if not tid or not name or not owner:
            col = "编号" if not tid else "名称" if not name else "所属单位"
            roster.problems.append(problem(Code.L_EMPTY, file=str(path), line=n, row=n, column=col))
            continue
        if tid in seen:
            roster.problems.append(problem(Code.L_DUP_TARGET, file=str(path), line=n, target=tid, other=seen[tid]))
            continue
        seen[tid] = n
        unit = roster.unit(owner)
        if unit is None:
            roster.problems.append(problem(Code.L_TARGET_UNIT, file=str(path), line=n, target=name, unit=owner))
            continue
        target = Target(tid, kind_ids.get(kind, kind), name, row.get(cols["url"] or "", ""))
        by_unit.setdefault(unit.id, []).append(target)
    roster.units = [replace(u, targets=u.targets + tuple(by_unit.get(u.id, ()))) for u in roster.units]


def check_against(roster: Roster, groups: Sequence[str]) -> list[Problem]:
    """Roster problems that depend on the rubric: units in groups the rubric does not know."""
    out: list[Problem] = []
    file = roster.files[0] if roster.files else ""
    for u in roster.units:
        if groups and u.group not in groups:
            out.append(problem(Code.L_GROUP, file=file, unit=u.name, group=u.group, groups="、".join(groups)))
    return out


def check_targets(roster: Roster, unit_needs: Sequence[tuple[Unit, str, str]]) -> list[Problem]:
    """``unit_needs``: (unit, target kind id, kind title) for every per-target part a unit has."""
    file = roster.files[-1] if roster.files else ""
    return [
        problem(Code.L_NO_TARGET, file=file, unit=u.name, kind=title)
        for u, kind, title in unit_needs
        if not u.targets_of(kind)
    ]
