"""The scoring sheets: one per part (and per target of a part scored per target), a row per
input of each criterion, with subtotals per indicator and the part's totals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from zwgk_cli import rules
from zwgk_cli.model import (
    EVIDENCE_INPUT,
    NO,
    YES,
    Criterion,
    Indicator,
    Input,
    InputKind,
    Part,
    PartKind,
    ReadingKey,
    Target,
    VetoEffect,
    fmt_points,
)
from zwgk_cli.rubric import is_flat
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook.blueprint import VETO_HIT, PlanContext, SheetPlan, dec, kind_title
from zwgk_cli.workbook.validation import input_bounds, input_validation

KIND_SUFFIX = {
    InputKind.COUNT: "(个)",
    InputKind.YES_NO: "(是/否)",
    InputKind.CHOICE: "(选择)",
    InputKind.NUMBER: "(数值)",
    InputKind.PERCENT: "(%)",
    InputKind.POINTS: "(分)",
    InputKind.TEXT: "(文字)",
}


class _Row(NamedTuple):
    chain: tuple[Indicator, ...]
    criterion: Criterion | None = None  # None: the subtotal of chain[-1]
    inp: Input | None = None  # None: a criterion not applicable, or with nothing to fill
    first: int = 0  # 0-based index (in the row list) of its criterion's first row


def _rows_for(ind: Indicator, chain: tuple[Indicator, ...], start: int) -> list[_Row]:
    chain = (*chain, ind)
    rows: list[_Row] = []
    for c in ind.criteria:
        here = start + len(rows)
        live = c.live_inputs() if c.applicable else ()
        rows.extend(_Row(chain, c, inp, here) for inp in live or [None])
    for sub in ind.indicators:
        rows.extend(_rows_for(sub, chain, start + len(rows)))
    if not is_flat(ind):
        rows.append(_Row(chain))
    return rows


def _level_text(ind: Indicator) -> str:
    return ind.title + (f"\n({fmt_points(ind.max)}分)" if ind.max is not None else "")


def _place_levels(sh: SheetPlan, rows: Sequence[_Row], single_level: bool) -> None:
    """Columns A and B: the indicator chain of each row, merged over its rows."""
    r = L.FIRST_DATA_ROW
    for _, same_top in groupby(rows, key=lambda x: x.chain[0].id):
        block = list(same_top)
        top, end = block[0].chain[0], r + len(block) - 1
        if single_level or not top.indicators:
            sh.merge(r, L.COL_L1, end, L.COL_L2, _level_text(top), "level")
            r = end + 1
            continue
        sh.merge(r, L.COL_L1, end, L.COL_L1, _level_text(top), "level")
        for below, same_chain in groupby(block, key=lambda x: tuple(i.id for i in x.chain[1:])):
            run = list(same_chain)
            chain = run[0].chain[1:]
            if below:
                text = " / ".join(_level_text(x) if x is chain[-1] else x.title for x in chain)
                sh.merge(r, L.COL_L2, r + len(run) - 1, L.COL_L2, text, "level")
            else:  # rows of the top indicator itself: column B bordered, blank
                for q, row in enumerate(run, start=r):
                    if row.criterion is not None:
                        sh.put(q, L.COL_L2, None, "level")
            r += len(run)


@dataclass
class Totals:
    """Sheet-qualified references to a scoring sheet's totals, for the summary's formulas."""

    raw: str = ""
    vetoes: str = ""
    own_vetoes: str = ""
    points: str = ""
    passed: str = ""
    filled: str = ""  # COUNTA(...) of the input cells, or "0"


class ScoreSheet:
    """One part's indicators for one target ("" when the part is not scored per target)."""

    def __init__(self, ctx: PlanContext, sh: SheetPlan, part: Part, target: Target | None, stop: str = ""):
        """``stop``: the summary cells that count the vetoes stopping the scoring of this sheet's
        target or unit ("" when none can)."""
        self.ctx, self.sh, self.part, self.target, self.stop = ctx, sh, part, target, stop
        self.tid = target.id if target else ""
        self.scores: dict[str, str] = {}  # criterion or flat indicator id → local A1 of its points
        self.subtotals: dict[str, str] = {}  # indicator id → local A1 of its subtotal
        self.input_rows: list[tuple[int, bool]] = []  # (row, required)

    def build(self, subs: Sequence[tuple[str, str]]) -> Totals:
        """Lay the sheet out.  ``subs``: the (points, vetoes) cells of the part's sub-parts on the
        summary sheet, which count into this part's totals."""
        sh = self.sh
        rows: list[_Row] = []
        for ind in self.part.indicators:
            rows.extend(_rows_for(ind, (), len(rows)))
        single_level = all(len(r.chain) == 1 for r in rows)
        self.ctx.open_sheet(sh, self._title(), self._info(), L.COL_NOTE, 30)
        for c, (head, _) in enumerate(L.COLUMNS):
            sh.put(L.HEADER_ROW, c, head, "head")
        if single_level:
            sh.merge(L.HEADER_ROW, L.COL_L1, L.HEADER_ROW, L.COL_L2, "指标", "head")
        sh.widths = [w for _, w in L.COLUMNS]
        _place_levels(sh, rows, single_level)
        r0 = L.FIRST_DATA_ROW
        for i, row in enumerate(rows):
            if row.criterion is None:
                self._subtotal(r0 + i, row.chain, single_level)
            elif not row.criterion.applicable:
                self._not_applicable(r0 + i, row.criterion)
            elif row.first == i:
                self._criterion(r0 + i, row.criterion)
            if row.inp is not None:
                self._input(r0 + i, row, r0 + row.first)
        return self._totals(r0 + len(rows), subs, max(1, len(rows)))

    def _title(self) -> str:
        part, unit = self.part, self.ctx.unit
        if self.target is not None:
            return L.sheet_title(unit.name, f"{part.title}:{self.target.name}")
        max_text = f"({fmt_points(part.max)}分)" if part.max is not None else ""
        return L.sheet_title(unit.name, f"{part.title}{max_text}")

    def _info(self) -> str:
        part, unit, target = self.part, self.ctx.unit, self.target
        bits = [L.sheet_info(unit.name, unit.group)]
        if target is not None:
            bits.append(f"考评对象:{target.name}" + (f"({target.url})" if target.url else ""))
        if part.kind is PartKind.PENALTY:
            bits.append("扣分项:按次数扣分,从总分中扣减,不设上限")
        if part.threshold is not None:
            bits.append(f"低于{fmt_points(part.threshold.min)}分或触发否决项的评定为{part.threshold.label}")
        if part.veto_effect is VetoEffect.ZERO:
            bits.append("触发否决项的本部分计0分")
        if part.veto_effect is VetoEffect.STOP:
            whose = f"该{kind_title(self.ctx.rubric, part.per_target)}" if part.per_target else "本单位"
            bits.append(f"触发单项否决项的,{whose}其余指标不再评分、无需填写,计0分")
        factor = rules.rescale_factor(part)
        if factor is not None and part.max is not None:
            bits.append(
                f"本单位按适用项{fmt_points(rules.applicable_max(part))}分评分,"
                f"得分乘以{factor.numerator}/{factor.denominator}折算为{fmt_points(part.max)}分制"
            )
        bits.append("只在浅黄色单元格填写,得分由公式自动计算")
        return ";".join(bits) + "。"

    def _subtotal(self, r: int, chain: tuple[Indicator, ...], single_level: bool) -> None:
        ind = chain[-1]
        own_col_b = not single_level and len(chain) == 1 and bool(chain[0].indicators)
        label = f"{ind.title} 小计" + ("(以分值为限)" if ind.max is not None else "")
        self._band(r, label, ind.max, L.COL_L2 if own_col_b else L.COL_TEXT, "sub")
        refs = [self.scores[c.id] for c in ind.criteria] + [self._node_ref(x) for x in ind.indicators]
        expr = rules.clamp_sum_formula(refs, ind.max)
        self.ctx.result(self.sh, r, L.COL_SCORE, "indicator", self.tid, ind.id, expr, "sub_score")
        self.subtotals[ind.id] = L.a1(r, L.COL_SCORE)

    def _band(self, r: int, label: str, max_value: Decimal | None, first: int = L.COL_L1, kind: str = "tot") -> None:
        """A subtotal (``kind`` sub) or total (tot) row but its score: label, 分值, blanks."""
        sh = self.sh
        sh.merge(r, first, r, L.COL_TEXT, label, f"{kind}_label")
        sh.put(r, L.COL_MAX, dec(max_value), f"{kind}_max")
        sh.merge(r, L.COL_LABEL, r, L.COL_INPUT, None, f"{kind}_blank")
        for col in (L.COL_VETO, L.COL_NOTE, L.COL_ID):
            sh.put(r, col, None, f"{kind}_blank")

    def _node_ref(self, ind: Indicator) -> str:
        return self.scores[ind.id] if is_flat(ind) else self.subtotals[ind.id]

    def _not_applicable(self, r: int, c: Criterion) -> None:
        sh = self.sh
        sh.put(r, L.COL_TEXT, c.text, "na_text")
        sh.put(r, L.COL_MAX, dec(c.max), "na")
        sh.merge(r, L.COL_LABEL, r, L.COL_INPUT, "不适用", "na")
        pts = rules.na_points(c)
        sh.put(r, L.COL_SCORE, dec(pts), "na_score")
        self.ctx.results.append(L.ResultCell("criterion", self.tid, c.id, sh.name, L.a1(r, L.COL_SCORE)))
        sh.put(r, L.COL_VETO, None, "na")
        sh.put(r, L.COL_NOTE, "本单位不适用,不扣分" if pts else "本单位不适用", "na_text")
        sh.put(r, L.COL_ID, None, "na")
        self.scores[c.id] = L.a1(r, L.COL_SCORE)

    def _criterion(self, r: int, c: Criterion) -> None:
        ctx, sh = self.ctx, self.sh
        live = c.live_inputs()
        end = r + max(1, len(live)) - 1
        refs = {inp.id: L.a1(r + k, L.COL_INPUT) for k, inp in enumerate(live)}
        sh.merge(r, L.COL_TEXT, end, L.COL_TEXT, c.text, "text")
        sh.merge(r, L.COL_MAX, end, L.COL_MAX, dec(c.max, "扣分"), "max")
        sh.merge(r, L.COL_SCORE, end, L.COL_SCORE, None, "score")
        formula = rules.criterion_formula(c, refs, self.stop)
        ctx.result(sh, r, L.COL_SCORE, "criterion", self.tid, c.id, formula, "score")
        self.scores[c.id] = L.a1(r, L.COL_SCORE)
        sh.merge(r, L.COL_VETO, end, L.COL_VETO, None, "veto")
        vetoes = [v for v in c.vetoes if v.applicable]
        if vetoes:
            kinds = {i.id: i.kind for i in c.inputs} | {EVIDENCE_INPUT.id: EVIDENCE_INPUT.kind}
            expr = "+".join(rules.veto_formula(v, refs, kinds) for v in vetoes)
            ctx.result(sh, r, L.COL_VETO, "criterion_veto", self.tid, c.id, expr, "veto")
        sh.merge(r, L.COL_NOTE, end, L.COL_NOTE, ctx.notes.get((self.tid, c.id)), "note")
        if not live:
            sh.merge(r, L.COL_LABEL, r, L.COL_INPUT, "本单位无需填写", "na")
            sh.put(r, L.COL_ID, None, "id")
        if end > r:
            sh.keep.append((r, end))

    def _input(self, r: int, row: _Row, crit_row: int) -> None:
        ctx, sh, c, inp = self.ctx, self.sh, row.criterion, row.inp
        assert c is not None and inp is not None
        required = rules.is_required(inp)
        sh.put(r, L.COL_LABEL, inp.label + KIND_SUFFIX[inp.kind], "label")
        value = ctx.values.get(ReadingKey(self.tid, c.id, inp.id))
        sh.put(r, L.COL_INPUT, value, "input_text" if inp.kind is InputKind.TEXT else "input")
        id_text = L.input_id_text(self.tid, c.id, inp.id)
        sh.put(r, L.COL_ID, id_text, "id")
        list_name = ctx.list_name(inp.options) if inp.kind is InputKind.CHOICE else ""
        sh.validations.append((r, L.COL_INPUT, input_validation(inp, list_name)))
        lo, hi, step = input_bounds(inp)
        ctx.inputs.append(
            L.MapRow(
                sheet=sh.name,
                cell=L.a1(r, L.COL_INPUT),
                id_cell=L.a1(r, L.COL_ID),
                id=id_text,
                target=self.tid,
                indicator=row.chain[-1].id,
                criterion=c.id,
                input=inp.id,
                kind=inp.kind.value,
                label=inp.label,
                required=required,
                min=lo,
                max=hi,
                step=step,
                options=(YES, NO) if inp.kind is InputKind.YES_NO else inp.options,
                list=list_name,
                score_cell=L.a1(crit_row, L.COL_SCORE),
                note_cell=L.a1(crit_row, L.COL_NOTE),
            )
        )
        sh.inputs += 1
        sh.required += required
        self.input_rows.append((r, required))

    def _filled(self, qualified: bool) -> str:
        """COUNTA of the sheet's required input cells ("0" without any): runs of rows between
        optional inputs (the rows between inputs hold nothing in the input column)."""
        runs = [[r for r, _ in rows] for required, rows in groupby(self.input_rows, key=itemgetter(1)) if required]
        if not runs:
            return "0"
        refs = []
        for rows in runs:
            rng = L.a1(rows[0], L.COL_INPUT) + (f":{L.a1(rows[-1], L.COL_INPUT)}" if len(rows) > 1 else "")
            refs.append(L.ref(self.sh.name, rng) if qualified else rng)
        # a function takes at most 255 arguments
        return "+".join(f"COUNTA({','.join(refs[k : k + 200])})" for k in range(0, len(refs), 200))

    def _totals(self, r: int, subs: Sequence[tuple[str, str]], n_rows: int) -> Totals:
        ctx, sh, part, target, tid = self.ctx, self.sh, self.part, self.target, self.tid
        out = Totals()
        out.filled = self._filled(qualified=True)
        node_refs = [self._node_ref(ind) for ind in part.indicators] + [p for p, _ in subs]
        top = part.max if part.kind is not PartKind.PENALTY else None
        role_raw, role_vetoes = ("target_raw", "target_vetoes") if target else ("part_raw", "part_vetoes")
        if target is not None:
            label = f"本{kind_title(ctx.rubric, target.kind)}得分(以分值为限,未计否决)"
        elif part.kind is PartKind.PENALTY:
            label = "本部分扣分合计(从总分中扣减)"
        else:
            label = "本部分合计(以分值为限)"
        raw = rules.clamp_sum_formula(node_refs, top)
        if part.kind is not PartKind.PENALTY and rules.rescale_factor(part) is not None:
            raw = rules.rescale_formula(raw, part)
            label = label.replace("(以分值为限", "(按适用项折算,以分值为限")
        first_total = r
        self._band(r, label, top)
        out.raw = ctx.result(sh, r, L.COL_SCORE, role_raw, tid, part.id, raw, "tot_score")
        r += 1
        self._band(r, "触发否决项个数", None)
        veto_range = f"{L.a1(L.FIRST_DATA_ROW, L.COL_VETO)}:{L.a1(L.FIRST_DATA_ROW + n_rows - 1, L.COL_VETO)}"
        out.own_vetoes = f"SUM({L.ref(sh.name, veto_range)})"
        expr = f"SUM({veto_range})" + "".join(f"+{v}" for _, v in subs)
        out.vetoes = ctx.result(sh, r, L.COL_SCORE, role_vetoes, tid, part.id, expr, "tot_count")
        sh.conditional.append((veto_range, VETO_HIT))
        r += 1
        if target is not None:
            label = f"本{kind_title(ctx.rubric, target.kind)}计入得分"
            if part.veto_effect is VetoEffect.ZERO:
                label += "(触发否决项的计0分)"
            elif part.veto_effect is VetoEffect.STOP or self.stop:
                label += "(单项否决的计0分)"
            self._band(r, label, top)
            expr = rules.after_stop_formula(rules.after_veto_formula(out.raw, out.vetoes, part.veto_effect), self.stop)
            out.points = ctx.result(sh, r, L.COL_SCORE, "target", tid, part.id, expr, "tot_score")
            r += 1
            if part.threshold is not None:
                th = part.threshold
                below = "低于" if th.op == ">=" else "未超过"
                self._band(r, f"是否合格({below}{fmt_points(th.min)}分或触发否决项的为{th.label})", None)
                expr = rules.pass_formula(out.points, out.vetoes, th.min, L.PASS, th.label, th.op)
                # 未填写 while nothing required on the sheet is filled (rules.shown: the target's scope)
                filled = self._filled(qualified=False) if self.sh.required else L.NAME_FILLED
                expr = rules.shown_formula(filled, expr)
                out.passed = ctx.result(sh, r, L.COL_SCORE, "target_pass", tid, part.id, expr, "tot_text")
                sh.fail_when(L.a1(r, L.COL_SCORE), th.label)
                r += 1
        sh.print_area = (0, 0, r - 1, L.COL_NOTE)
        sh.keep.append((first_total, r - 1))  # the totals print together
        return out
