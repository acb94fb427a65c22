"""A findings table (``zwgk score --inputs``): a CSV of the values a team recorded outside the
workbooks, read into the same :class:`~zwgk_cli.workbook.plan.WorkbookRead` a workbook gives."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from zwgk_cli.engine import excused
from zwgk_cli.model import ReadingKey, Source, Unit
from zwgk_cli.problems import Code, Problem, os_reason, problem, readable
from zwgk_cli.roster import Unreadable, csv_rows
from zwgk_cli.rubric import walk_with_path
from zwgk_cli.workbook.plan import Context, UnitPlan, WorkbookRead, add_note
from zwgk_cli.workbook.values import clean_text, normalize

FINDINGS_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "unit": ("unit", "单位", "单位名称", "单位编号"),
    "target": ("target", "对象", "对象编号", "网站", "网站编号"),
    "indicator": ("indicator", "指标", "指标编号"),
    "criterion": ("criterion", "细则", "细则编号"),
    "input": ("input", "填写项", "填写项编号"),
    "value": ("value", "值", "填写", "填写内容"),
    "note": ("note", "扣分说明"),
}
FINDINGS_REQUIRED = ("unit", "criterion", "input", "value")
MAX_TABLE_BYTES = 64 * 1024 * 1024


def read_findings(
    path: Path, ctx: Context, name: str | None = None, *, partial: bool = False
) -> tuple[list[WorkbookRead], list[Problem]]:
    """A findings table (CSV: ``unit, target, indicator, criterion, input, value[, note]``)
    → one :class:`WorkbookRead` per unit it names, plus the table's own problems.

    Ids are those of ``zwgk inspect --json``; ``unit`` may be the unit's id or name.  Values
    go through the same normalisation as workbook cells (numbers are text by nature here).
    An input a named unit needs but the table leaves out is unfilled, never zero; unless
    ``partial`` (the table is one source among others, merged with the 检查组's workbooks):
    then it holds only the inputs it gives.
    """
    file = readable(name or str(path))

    def refused(detail: str, **at: Any) -> tuple[list[WorkbookRead], list[Problem]]:
        return [], [problem(Code.W_INPUTS_FILE, file=file, detail=detail, columns="、".join(FINDINGS_COLUMNS), **at)]

    try:
        raw = path.read_bytes()[: MAX_TABLE_BYTES + 1]
        if len(raw) > MAX_TABLE_BYTES:
            return refused("文件过大")
        rows, _ = csv_rows(raw)  # as the roster: UTF-8 or the GBK Chinese Excel and WPS save
    except OSError as exc:
        return refused(os_reason(exc))
    except Unreadable as exc:
        return refused(str(exc), line=exc.line)
    header = [h.strip().lower() for h in rows[0]]
    index = {
        key: next((i for i, h in enumerate(header) if h in names), None) for key, names in FINDINGS_COLUMNS.items()
    }
    lacking = [k for k in FINDINGS_REQUIRED if index[k] is None]
    if lacking:
        return refused("缺少列“" + "”“".join(lacking) + "”", line=1)
    return _Findings(ctx, file, index).read(rows[1:], partial)


class _Findings:
    def __init__(self, ctx: Context, file: str, index: Mapping[str, int | None]):
        self.ctx, self.file, self.index = ctx, file, index
        self.problems: list[Problem] = []
        self.reads: dict[str, WorkbookRead] = {}
        self.seen: dict[tuple[str, ReadingKey], int] = {}
        self.dups: set[tuple[str, ReadingKey]] = set()
        self.by_name: dict[str, Unit] = {}
        for u in ctx.units.values():
            for n in (u.name, *u.aliases):
                self.by_name.setdefault(n, u)

    def add(self, code: Code, **params: Any) -> None:
        self.problems.append(problem(code, file=self.file, **params))

    def cell(self, row: Sequence[str], key: str) -> str:
        i = self.index.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    def _text(self, row: Sequence[str], key: str, label: str, line: int, where: Mapping[str, str]) -> str:
        """A cell of the table without the control characters no document may hold (warned)."""
        text, controls = clean_text(self.cell(row, key))
        if controls:
            self.add(Code.V_CONTROL_CHARS, line=line, label=label, count=str(controls), **where)
        return text

    def row_problem(self, line: int, detail: str, **where: Any) -> None:
        self.add(Code.W_INPUTS_ROW, line=line, detail=detail, **where)

    def read(self, rows: Sequence[Sequence[str]], partial: bool = False) -> tuple[list[WorkbookRead], list[Problem]]:
        for line, row in enumerate(rows, start=2):
            if any(c.strip() for c in row):
                self.row(line, row)
        for uid, key in self.dups:
            self.reads[uid].values[key] = None
        for uid, read in self.reads.items():
            plan = self.ctx.plan(uid)
            assert isinstance(plan, UnitPlan)
            stopped = excused(plan.variant, plan.unit, read.values)  # a veto stopped their scoring
            for key, (crit, inp) in plan.inputs.items():
                if key in read.values or partial:
                    continue
                read.values[key] = None
                outcome = normalize(None, inp, limit=crit.max, text_source=True)
                if key not in stopped and outcome.code is not None:
                    indicator = plan.indicator.get(crit.id, crit.id)
                    self.add(outcome.code, unit=plan.unit.name, indicator=indicator, **outcome.params)
            read.problems = [p for p in self.problems if p.unit == plan.unit.name]
        loose = [p for p in self.problems if not p.unit or p.unit not in {r.unit_name for r in self.reads.values()}]
        return [self.reads[uid] for uid in self.ctx.units if uid in self.reads], loose

    def row(self, line: int, row: Sequence[str]) -> None:
        unit_key = self.cell(row, "unit")
        unit = self.ctx.units.get(unit_key) or self.by_name.get(unit_key)
        if unit is None:
            self.row_problem(line, f"单位“{unit_key}”不在单位名单中(应为名单中的单位编号或名称)")
            return
        plan = self.ctx.plan(unit.id)
        if isinstance(plan, list):
            for p in plan:
                self.row_problem(line, p.message, unit=unit.name)
            return
        target, crit_id, input_id = self.cell(row, "target"), self.cell(row, "criterion"), self.cell(row, "input")
        key = ReadingKey(target, crit_id, input_id)
        spec = plan.inputs.get(key)
        if spec is None:
            self._unknown(line, plan, key, self.cell(row, "value"))
            return
        crit, inp = spec
        indicator = self.cell(row, "indicator")
        where = {"unit": unit.name, "indicator": plan.indicator.get(crit.id, crit.id)}
        if indicator and indicator not in _indicator_ids(plan, crit.id):
            self.row_problem(line, f"指标“{indicator}”与细则“{crit_id}”不对应", **where)
            return
        read = self.reads.get(unit.id)
        if read is None:
            read = self.reads[unit.id] = WorkbookRead(self.file, unit_id=unit.id, unit_name=unit.name)
            read.rubric_id, read.rubric_hash = self.ctx.rubric.id, self.ctx.rubric.hash
        seen_key = (unit.id, key)
        if seen_key in self.seen:
            self.dups.add(seen_key)
            self.add(Code.W_INPUTS_DUP, line=line, other=str(self.seen[seen_key]), label=inp.label, **where)
            return
        self.seen[seen_key] = line
        read.sources[key] = Source(self.file, "", "")
        read.lines[key] = line
        nk = (target, crit_id)
        read.lines.setdefault(nk, line)
        note = self._text(row, "note", "扣分说明", line, where)
        if note:
            add_note(read.notes, nk, note)
        outcome = normalize(self._text(row, "value", inp.label, line, where), inp, limit=crit.max, text_source=True)
        read.values[key] = outcome.value
        if outcome.code is not None:
            self.add(outcome.code, line=line, **where, **outcome.params)

    def _unknown(self, line: int, plan: UnitPlan, key: ReadingKey, value: str) -> None:
        unit = plan.unit
        where: dict[str, Any] = {"unit": unit.name}
        crit = next((c for _, _, c in walk_with_path(plan.variant) if c.id == key.criterion), None)
        target_ids = {t.id for t in unit.targets}
        if crit is None:
            self.row_problem(line, f"细则“{key.criterion}”不在该单位适用的细则({plan.variant.id})中", **where)
            return
        where["indicator"] = plan.indicator.get(crit.id, crit.id)
        if key.target and key.target not in target_ids:
            known = "、".join(sorted(target_ids)) or "无"
            self.row_problem(line, f"对象“{key.target}”不是该单位的对象(可用:{known})", **where)
        elif any(k.criterion == key.criterion and k.target == key.target for k in plan.inputs):
            known = "、".join(i.id for i in crit.live_inputs())
            self.row_problem(line, f"细则“{key.criterion}”没有填写项“{key.input}”(可用:{known})", **where)
        elif crit.applicable and not key.target and target_ids:
            self.row_problem(line, f"细则“{key.criterion}”按对象评分,需填写对象编号", **where)
        elif crit.applicable and key.target:
            self.row_problem(line, f"细则“{key.criterion}”不按对象评分,对象一栏应留空", **where)
        elif value:
            self.add(Code.V_NOT_APPLICABLE, line=line, label=crit.title, found=value, **where)


def _indicator_ids(plan: UnitPlan, criterion: str) -> set[str]:
    for part, chain, crit in walk_with_path(plan.variant):
        if crit.id == criterion:
            return {part.id, crit.id, *(i.id for i in chain)}
    return set()
