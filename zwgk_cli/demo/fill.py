"""Filling issued workbooks as an assessor would (tests, the demo): valid random values for a unit's
inputs (:func:`random_values`) written through the map in the hidden sheet with openpyxl
(:func:`fill_workbook`), which drops cached formula results (recalculate before reading formulas:
:mod:`zwgk_cli.office`).  Dates are fixed: the same fill gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from zwgk_cli.demo.simulate import unit_criteria
from zwgk_cli.files import atomic_write_bytes, normalize_zip
from zwgk_cli.model import (
    EVIDENCE_INPUT,
    NO,
    POINTS_STEP,
    YES,
    Input,
    InputKind,
    ReadingKey,
    Rubric,
    Unit,
    Value,
    Variant,
)
from zwgk_cli.results.document import plain
from zwgk_cli.results.tables import FIXED_TIME
from zwgk_cli.rubric import resolve
from zwgk_cli.workbook import layout as L


def unit_inputs(rubric: Rubric, unit: Unit, variant: Variant | None = None) -> list[tuple[ReadingKey, Input]]:
    """Every input the assessor fills for ``unit``, in workbook order: within a part (its rows come
    together), target by target in the order they first come."""
    crits = unit_criteria(variant or resolve(rubric, unit), unit)
    rows = [(part.id, ReadingKey(t, crit.id, inp.id), inp) for part, t, crit in crits for inp in crit.live_inputs()]
    order = {pt: n for n, pt in enumerate(dict.fromkeys((pid, k.target) for pid, k, _ in rows))}
    rows.sort(key=lambda r: order[(r[0], r[1].target)])
    return [(k, inp) for _, k, inp in rows]


_NUMBERS = (0, 1000, 50000, 99999, 100000, 100001, 150000, 150001, 199999, 200000, 200001, 350000)
_PERCENTS = ("0", "0", "15", "30", "49.9", "50", "66.5", "79.9", "80", "95", "100")
_TEXTS = ("", "见佐证材料", "抽查3篇,2篇符合要求", "无")


def random_value(inp: Input, rng: random.Random, mild: bool = False) -> Value:
    """One valid value for ``inp``: counts mostly small (so deductions, caps and vetoes all
    happen), yes/no, an option, points on the step, a percent, a number near the bands.
    ``mild``: few findings (counts 0–2, 是 rarely), so vetoes are rare and every tier occurs."""
    kind = inp.kind
    if kind is InputKind.COUNT:
        roll = rng.random()
        if mild:
            n = 0 if roll < 0.7 else rng.randint(1, 2)
        else:
            n = 0 if roll < 0.4 else rng.randint(1, 3) if roll < 0.75 else rng.randint(4, 12)
        if inp.max is not None:
            n = min(n, int(inp.max)) if rng.random() < 0.8 else rng.randint(0, int(inp.max))
        return Decimal(n)
    if kind is InputKind.YES_NO:
        p_yes = 0.85 if inp.id == EVIDENCE_INPUT.id else 0.01 if mild else 0.3
        return YES if rng.random() < p_yes else NO
    if kind is InputKind.CHOICE:
        return rng.choice(inp.options)
    if kind is InputKind.POINTS:
        step = inp.step or POINTS_STEP
        top = inp.max if inp.max is not None else Decimal(10)
        return step * rng.randint(0, int(top / step))
    if kind is InputKind.PERCENT:
        return Decimal(rng.choice(_PERCENTS)) if rng.random() < 0.8 else Decimal(rng.randint(0, 1000)) / 10
    if kind is InputKind.NUMBER:
        return Decimal(rng.choice(_NUMBERS)) if rng.random() < 0.8 else Decimal(rng.randint(0, 400000))
    return rng.choice(_TEXTS)


def random_values(
    rubric: Rubric,
    unit: Unit,
    seed: int | str = 0,
    fill: float = 1.0,
    variant: Variant | None = None,
    mild: bool = False,
) -> dict[ReadingKey, Value]:
    """Valid values for every live input of ``unit``, the same for the same arguments; ``fill`` < 1
    leaves inputs out at random (as do empty texts).  Findings are frequent (a 绵阳 unit, with dozens
    of veto conditions, is nearly always vetoed); ``mild`` gives units that reach the other tiers."""
    rng = random.Random(f"{seed}/{unit.id}")
    out: dict[ReadingKey, Value] = {}
    for key, inp in unit_inputs(rubric, unit, variant):
        value = random_value(inp, rng, mild)
        if not (fill < 1 and rng.random() >= fill) and value != "":
            out[key] = value
    return out


def fill_workbook(
    source: Path,
    dest: Path,
    values: Mapping[ReadingKey, Value | None],
    assessor: str | None = None,
    date: dt.date | None = None,
    notes: Mapping[ReadingKey, str] | None = None,
) -> L.Layout:
    """Write ``values`` into the input cells of the workbook ``source`` and save it as
    ``dest`` (``None`` clears a cell).  ``notes`` fills the criteria's 扣分说明 cells.
    Keys the workbook has no cell for raise ``KeyError``.  Returns the workbook's layout."""
    import openpyxl
    from openpyxl.writer.excel import ExcelWriter

    wb = openpyxl.load_workbook(source)
    if L.META_SHEET not in wb.sheetnames:
        raise ValueError(f"{source} 不是 zwgk 评分表(缺少隐藏工作表 {L.META_SHEET})")
    rows = [list(r) for r in wb[L.META_SHEET].iter_rows(values_only=True)]
    layout = L.read_layout(rows)
    where = {m.key: m for m in layout.inputs}
    for key, value in values.items():
        wb[where[key].sheet][where[key].cell].value = plain(value)
    for key, text in (notes or {}).items():
        wb[where[key].sheet][where[key].note_cell].value = text
    when = dt.datetime(date.year, date.month, date.day) if date is not None else None
    for at, signed in ((layout.meta.assessor_cell, assessor), (layout.meta.date_cell, when)):
        if signed is not None and at:
            sheet, cell = at.split("!")
            wb[sheet][cell].value = signed
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()  # what wb.save does, without stamping the time
    atomic_write_bytes(dest, normalize_zip(buf.getvalue()))
    return layout
