"""A returned workbook file → readings + problems.  Reads only; never writes a byte.

Cheapest and safest checks first: the guards (:mod:`~zwgk_cli.workbook.guards`), the book
(:mod:`~zwgk_cli.workbook.book`: the hidden sheet ``_zwgk`` and the sheets its map names), the
identity (rubric id + hash, unit; an earlier compatible revision of the rubric is read,
:mod:`~zwgk_cli.workbook.revision`), then each input: its visible id cell must still say its id,
so a moved, inserted or deleted row is found (and followed when the id is found elsewhere); its
value is normalised against the *rubric's* input definition (:mod:`~zwgk_cli.workbook.values`).

Every problem is located (file, sheet, A1 cell, unit, indicator).  An unforeseen failure becomes
one problem for that file, never a traceback; no file takes longer than :data:`MAX_READ_SECONDS`.
"""

from __future__ import annotations

import _thread
import contextlib
import signal
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from zwgk_cli.engine import excused
from zwgk_cli.model import ReadingKey, Source
from zwgk_cli.problems import Code, has_errors, problem, readable
from zwgk_cli.workbook import layout
from zwgk_cli.workbook.book import Book, Sheet
from zwgk_cli.workbook.findings import read_findings
from zwgk_cli.workbook.guards import Refused, read_file, read_member, refusal, sniff
from zwgk_cli.workbook.plan import Context, UnitPlan, WorkbookRead, add_note, rubric_label
from zwgk_cli.workbook.revision import read_revised
from zwgk_cli.workbook.teams import check_team
from zwgk_cli.workbook.values import describe, expected, normalize

__all__ = ["Context", "UnitPlan", "WorkbookRead", "read_findings", "sniff"]

MAX_READ_SECONDS = 60.0  # per reading of one file (a workbook takes milliseconds; a big one seconds)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".et", ".ods")


class _Stop(Exception):
    """The workbook cannot be used; its problems have been recorded."""


class _Overtime(Exception):
    """Reading one file took longer than :data:`MAX_READ_SECONDS`."""


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`_Overtime` in the block once ``seconds`` have passed.

    Works on Windows (no ``SIGALRM``) and in spawned workers: a timer thread simulates a Ctrl-C in
    the main thread, which the handler here turns into :class:`_Overtime`; a real Ctrl-C meanwhile
    goes to the previous handler.  It takes effect between two steps of Python code (not inside
    one call of python-calamine).  Outside the main thread nothing is enforced."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    lock = threading.Lock()
    state = {"armed": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["armed"]:
                state["fired"] = True
                _thread.interrupt_main(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        if state["fired"]:
            if state["armed"]:
                raise _Overtime
            return  # the timer's interrupt, arriving as the block ended: nothing to do
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["armed"] = False
        timer.cancel()
        if state["fired"]:
            _let_pending_handlers_run()
        signal.signal(signal.SIGINT, previous)


def _let_pending_handlers_run() -> None:
    """A Python function call: pending signal handlers (a late timer's) run before it."""


def read_workbook(path: Path, ctx: Context, name: str | None = None, member: str = "") -> WorkbookRead:
    """``name``: the file as problems name it; ``member``: the workbook in the zip ``path``."""
    out = WorkbookRead(file=readable(name or str(path)))  # a name that is not UTF-8 decoded
    reader = _Reader(path, ctx, out, member)
    try:
        with _deadline(MAX_READ_SECONDS):
            reader.run()
        return out
    except _Stop:
        pass
    except _Overtime:
        reader.add(Code.W_OVERTIME, limit=f"{MAX_READ_SECONDS:g}")
    except Exception as exc:  # a refused or unforeseen file: one located problem, never a traceback
        out.problems.append(refusal(exc, out.file))
    out.usable = False
    return out


def _formula_text(formula: str) -> str:
    return ("=" + formula if formula else "(共享公式)")[:60]


Pos = tuple[int, int]  # 0-based (row, col)


class _Reader:
    def __init__(self, path: Path, ctx: Context, out: WorkbookRead, member: str = ""):
        self.path, self.ctx, self.out, self.member = path, ctx, out, member
        self.file = out.file
        self._notes_read: set[tuple[str, int, int]] = set()

    def add(self, code: Code, **params: Any) -> None:
        self.out.problems.append(problem(code, file=self.file, **params))

    def at(self, code: Code, m: layout.MapRow, cell: str, **params: Any) -> None:
        """A problem at ``cell`` of ``m``'s sheet, naming its unit and indicator."""
        indicator = self.plan.indicator.get(m.criterion, m.criterion)
        self.add(code, sheet=m.sheet, cell=cell, unit=self.plan.unit.name, indicator=indicator, **params)

    def run(self) -> None:
        book = Book(read_member(self.path, self.member) if self.member else read_file(self.path))
        self.plan = self._identity(book.layout)
        self._inputs(book)

    def _identity(self, lay: layout.Layout) -> UnitPlan:
        meta = lay.meta
        out = self.out
        out.unit_id, out.unit_name = meta.unit_id, meta.unit_name
        out.rubric_id, out.rubric_hash = meta.rubric_id, meta.rubric_hash
        rubric = self.ctx.rubric
        unit_label = meta.unit_name or meta.unit_id
        if meta.rubric_id != rubric.id or meta.rubric_hash != rubric.hash:
            revised = read_revised(lay, self.ctx, self.file)  # another revision of the same rubric
            if revised is None:
                found = rubric_label(meta.rubric_id, meta.rubric_version, meta.rubric_hash)
                raise Refused(Code.W_RUBRIC_VERSION, unit=unit_label, found=found, expected=self.ctx.rubric_label())
            out.problems.extend(revised)
            if has_errors(revised):
                raise _Stop
        unit = self.ctx.units.get(meta.unit_id)
        if unit is None:
            raise Refused(Code.W_UNKNOWN_UNIT, unit=unit_label, found=unit_label, unit_id=meta.unit_id)
        if meta.unit_name and meta.unit_name != unit.name:
            changed = {"found": meta.unit_name, "expected": unit.name, "unit_id": unit.id}
            self.add(Code.W_WORKBOOK_UNIT_CHANGED, unit=unit.name, **changed)
        plan = self.ctx.plan(unit.id)
        if isinstance(plan, list):
            for p in plan:
                self.add(Code.W_BAD_META, unit=unit.name, detail=p.message)
            raise _Stop
        if meta.variant and meta.variant != plan.variant.id:
            found, group = meta.variant, unit.group
            raise Refused(Code.W_VARIANT_CHANGED, unit=unit.name, found=found, expected=plan.variant.id, group=group)
        out.team, wrong = check_team(self.ctx.teams, meta.extra, plan.variant)  # a 检查组's workbook
        if wrong is not None:
            raise Refused(Code.T_TEAM_UNKNOWN, unit=unit.name, team=out.team, **wrong)
        if out.team:
            plan = self.ctx.plan(unit.id, out.team)
            assert isinstance(plan, UnitPlan)  # the team checks something of the unit's variant
        return plan

    def _inputs(self, book: Book) -> None:
        lay, plan, out = book.layout, self.plan, self.out
        unit = plan.unit
        book_targets, roster_targets = {t.id for t in lay.meta.targets}, {t.id for t in unit.targets}
        kind_titles = {k.id: k.title for k in self.ctx.rubric.target_kinds}
        for t in unit.targets:
            if t.id not in book_targets and any(k.target == t.id for k in plan.inputs):
                detail = "在单位名单中,但评分表中没有它的工作表,其各项无法评分"
                kind = kind_titles.get(t.kind, t.kind)
                self.add(Code.W_TARGETS_CHANGED, unit=unit.name, kind=kind, target=t.name, detail=detail)
        for t in lay.meta.targets:
            if t.id not in roster_targets:
                self.add(Code.W_TARGET_EXTRA, unit=unit.name, kind=kind_titles.get(t.kind, t.kind), target=t.name)

        by_sheet: dict[str, list[layout.MapRow]] = {}
        for m in lay.inputs:
            by_sheet.setdefault(m.sheet, []).append(m)
        seen: set[ReadingKey] = set()
        for sheet, rows in by_sheet.items():
            seen.update(m.key for m in rows)
            live = [m for m in rows if m.key in plan.inputs]
            if sheet not in book.parts:
                self.add(Code.W_SHEET_MISSING, sheet=sheet, unit=unit.name, sheet_name=sheet, count=str(len(live)))
                continue
            placed: list[tuple[layout.MapRow, Pos, Pos | None]] = []  # each input's position, its note's
            wanted: dict[str, Pos] = {}  # cells whose formula, error, format count
            for m in rows:
                pos = layout.parse_a1(m.cell)  # read_layout has checked it
                try:  # where the map places its 扣分说明
                    note_at: Pos | None = layout.parse_a1(m.note_cell) if m.note_cell else (pos[0], layout.COL_NOTE)
                except ValueError:
                    note_at = None
                placed.append((m, pos, note_at))
                wanted[m.cell.upper()] = pos
                if note_at is not None:
                    wanted[layout.a1(*note_at)] = note_at
            view, lost = book.sheet(sheet, wanted, len(live))
            if lost is not None:  # only this sheet's inputs are lost
                self.add(lost.code, unit=unit.name, **lost.params)
                out.values.update((m.key, None) for m in live)
                continue
            assert view is not None
            merged_at = view.merged_at(pos for _, pos, _ in placed)
            for m, pos, note_at in placed:
                self._one(m, pos, note_at, view, merged_at)
        for key, (crit, inp) in plan.inputs.items():
            if key not in seen and key.target in ("", *book_targets):
                out.values[key] = None
                indicator = plan.indicator.get(crit.id, crit.id)
                self.add(Code.W_INPUT_ABSENT, unit=unit.name, indicator=indicator, label=inp.label)
        # inputs of a target (or unit) whose scoring a veto stopped need not be filled
        stopped = excused(plan.variant, unit, out.values)
        where = {(s.sheet, s.cell) for k in stopped if (s := out.sources.get(k)) is not None}
        empty = Code.V_EMPTY.code
        out.problems = [p for p in out.problems if p.code != empty or (p.sheet, p.cell) not in where]
        unfilled = sum(p.code == empty for p in out.problems)
        if unfilled >= 2 and all(v is None for v in out.values.values()):  # returned blank: one problem
            out.problems = [p for p in out.problems if p.code != empty]
            self.add(Code.W_NOTHING_FILLED, unit=unit.name, count=str(unfilled))

    def _one(self, m: layout.MapRow, pos: Pos, note_at: Pos | None, view: Sheet, merged_at: Mapping[Pos, str]) -> None:
        """One input: its id checked (and followed when its row moved), its note, its value."""
        key = m.key
        spec = self.plan.inputs.get(key)
        if spec is None:  # a map row the rubric does not ask for (any more): a value is reported, not used
            raw = view.value(*pos)
            if raw not in (None, "") and m.target in {t.id for t in self.plan.unit.targets} | {""}:
                self.at(Code.V_NOT_APPLICABLE, m, m.cell.upper(), label=m.label or m.input, found=describe(raw))
            return
        crit, inp = spec
        out = self.out
        row, col = pos
        try:
            id_row, id_col = layout.parse_a1(m.id_cell) if m.id_cell else pos
        except ValueError:
            self.add(Code.W_BAD_META, unit=self.plan.unit.name, detail=f"单元格地址“{m.cell}”无法识别")
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
                    shown = layout.cell_text(found) or "(空)"
                    where = {"row": str(id_row + 1), "found": shown, "expected": m.id, "moved": moved}
                    self.at(Code.W_ROW_MOVED, m, m.id_cell.upper(), label=inp.label, **where)
                    out.values[key] = None
                    return
                dr, dc = at[0][0] - id_row, at[0][1] - id_col
                new_cell = layout.a1(row + dr, col + dc)
                self.at(Code.W_ROW_RELOCATED, m, new_cell, label=inp.label, old=cell, new=new_cell, id=m.id)
                row, col, cell = row + dr, col + dc, new_cell
        out.sources[key] = Source(self.file, m.sheet, cell)
        if note_at is not None:
            self._note(m, note_at, dr, dc, view)
        rng = (merged_at if not (dr or dc) else view.merged_at([(row, col)])).get((row, col))
        if rng is not None:
            self.at(Code.W_MERGED_INPUT, m, cell, range=rng)
            out.values[key] = None
            return
        c = view.cell(row, col, cell)
        if c.formula is not None or c.error is not None:
            code = Code.V_FORMULA if c.formula is not None else Code.V_ERROR_VALUE
            what = _formula_text(c.formula) if c.formula is not None else c.error
            self.at(code, m, cell, label=inp.label, found=what, expected=expected(inp, crit.max))
            out.values[key] = None
            return
        if c.controls:
            self.at(Code.V_CONTROL_CHARS, m, cell, label=inp.label, count=str(c.controls))
        outcome = normalize(c.value, inp, limit=crit.max, percent_format=bool(c.style) and c.style in view.percent)
        out.values[key] = outcome.value
        if outcome.code is not None:
            self.at(outcome.code, m, cell, **outcome.params)

    def _note(self, m: layout.MapRow, at: Pos, dr: int, dc: int, view: Sheet) -> None:
        """The criterion's 扣分说明 (shared by its inputs) at ``at``, shifted like its input when
        rows moved; a formula there is reported and not read (its cached result is never trusted)."""
        r, c = at[0] + dr, at[1] + dc
        where = (m.sheet, r, c)
        if r < 0 or c < 0 or where in self._notes_read:  # off the sheet; or read for another input
            return
        self._notes_read.add(where)
        nk = (m.target, m.criterion)
        out = self.out
        ref = layout.a1(r, c)
        out.note_sources.setdefault(nk, Source(self.file, m.sheet, ref))
        cell = view.cell(r, c, ref)
        if cell.formula is not None:
            self.at(Code.V_NOTE_FORMULA, m, ref, found=_formula_text(cell.formula))
            out.note_formulas.add(nk)
            return
        if cell.controls:
            self.at(Code.V_CONTROL_CHARS, m, ref, label="扣分说明", count=str(cell.controls))
        raw = cell.value
        text = "" if raw is None or raw == "" else raw.strip() if isinstance(raw, str) else describe(raw)
        if text:
            add_note(out.notes, nk, text)
