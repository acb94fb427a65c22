"""The 汇总 sheet: a row per part (and per target, and per gate), then the unit's vetoes, total
and tier, and the 填写进度 (how many inputs of each scoring sheet are filled)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal

from zwgk_cli import rules
from zwgk_cli.model import Part, PartKind, Rubric, Target, VetoEffect, fmt_points
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook.blueprint import (
    VETO_HIT,
    Formula,
    PlanContext,
    SheetPlan,
    dec,
    kind_title,
)
from zwgk_cli.workbook.scoresheet import Totals

SUMMARY_COLUMNS = {"项目": 40, "分值": 8, "计算得分": 10, "否决项": 8, "计入得分": 10, "说明": 42, "计算值(勿改)": 10}
# S_CALC is a hidden helper column outside the print area: the numbers other formulas add up
# (a part's points, the gate, the total) while the visible cells show 未填写 (rules.shown).
S_ITEM, S_MAX, S_RAW, S_VETO, S_POINTS, S_NOTE, S_CALC = range(7)


class Summary:
    """Rows are numbered first so that scoring sheets can refer to the points of sub-parts
    before the summary's formulas are written."""

    def __init__(self, ctx: PlanContext, sh: SheetPlan):
        self.ctx, self.sh = ctx, sh
        self.rows: list[tuple[str, Part, Target | None, int]] = []
        for p in ctx.variant.parts:
            self._walk(p, 0)
        self.row_of = {(k, p.id, t.id if t else ""): L.FIRST_DATA_ROW + i for i, (k, p, t, _) in enumerate(self.rows)}
        self.pass_cells: list[str] = []  # the 合格/不合格 cells of parts and targets
        # a 是否合格 line where the rubric defines 合格 and the tier does not already say it
        rubric = ctx.rubric
        self.verdict = rules.defines_pass(rubric) and all(t.label != rubric.veto_tier for t in rubric.tiers)

    def _walk(self, p: Part, depth: int) -> None:
        self.rows.append(("part", p, None, depth))
        if p.per_target:
            for t in self.ctx.unit.targets_of(p.per_target):
                self.rows.append(("target", p, t, depth + 1))
        for sub in p.parts:
            self._walk(sub, depth + 1)
        if p.gate is not None:
            self.rows.append(("gate", p, None, depth + 1))

    def points_ref(self, part_id: str) -> str:
        """The part's points as a number (the hidden helper column), for other formulas."""
        return L.ref(self.sh.name, L.a1(self.row_of[("part", part_id, "")], S_CALC, absolute=True))

    def vetoes_ref(self, part_id: str) -> str:
        return L.ref(self.sh.name, L.a1(self.row_of[("part", part_id, "")], S_VETO, absolute=True))

    def stop_ref(self, part: Part, target: Target | None) -> str:
        """The vetoes that stop the scoring of ``part`` for ``target`` (None: the unit), as one
        expression ("" when no part of the rubric stops on a veto): those of every ``stop``
        part of the unit, and of every ``stop`` part scored per the same kind of target for
        that target (engine.stopped_scopes)."""
        cells = []
        for q in (q for q in self.ctx.variant.walk_parts() if q.veto_effect is VetoEffect.STOP):
            if q.per_target is None:
                cells.append(self.vetoes_ref(q.id))
            elif target is not None and q.per_target == part.per_target:
                row = self.row_of[("target", q.id, target.id)]
                cells.append(L.ref(self.sh.name, L.a1(row, S_VETO, absolute=True)))
        return f"({'+'.join(cells)})" if cells else ""

    def build(self, sheets: Sequence[tuple[Part, Target | None, SheetPlan, Totals]]) -> None:
        ctx, sh = self.ctx, self.sh
        rubric, unit = ctx.rubric, ctx.unit
        sh.widths = list(SUMMARY_COLUMNS.values())
        title = f"{unit.name} {ctx.year}年度政务公开考评得分汇总{ctx.of_team}"
        info = (
            f"评分细则:{rubric.title}(版本 {rubric.version});{'本表' if ctx.team else ''}满分 "
            f"{fmt_points(ctx.variant.max)} 分;分组:{unit.group}。本页由公式计算,随填写自动更新。"
        ) + (ctx.team.note() if ctx.team else "")
        ctx.open_sheet(sh, title, info, S_NOTE, 22)
        for c, h in enumerate(SUMMARY_COLUMNS):
            sh.put(L.HEADER_ROW, c, h, "head")
        totals = {(p.id, t.id if t else ""): tot for p, t, _, tot in sheets}
        self._filled_cells(sheets)
        rows = list(enumerate(self.rows, start=L.FIRST_DATA_ROW))
        gate_open = {p.id: self._gate(r, p, depth) for r, (kind, p, _t, depth) in rows if kind == "gate"}
        for r, (kind, p, t, depth) in rows:
            if kind == "target":
                assert t is not None
                self._target(r, p, t, depth, totals[(p.id, t.id)])
            elif kind == "part":
                self._part(r, p, depth, totals, gate_open.get(p.id, ""))
        r = self._unit_lines(L.FIRST_DATA_ROW + len(self.rows))
        assert r + 2 == self.progress_row
        self._progress(r + 1, sheets)
        sh.hidden_cols = (S_CALC,)

    def _filled_cells(self, sheets: Sequence[tuple[Part, Target | None, SheetPlan, Totals]]) -> None:
        """Where the 填写进度 rows will count each scope's filled required inputs: ``self.filled``
        maps (part id, target id) and ("", "") to an expression (rules.shown's scope, the same
        as engine.started: a scope without required inputs follows the whole workbook)."""
        # after the unit lines and a header
        self.progress_row = L.FIRST_DATA_ROW + len(self.rows) + 3 + self.verdict + 2
        unit = L.a1(self.progress_row + len(sheets), S_RAW)
        own: dict[tuple[str, str], list[str]] = {}  # scope → the 已填 cells of its sheets with required inputs
        for k, (p, t, sp, _) in enumerate(sheets):
            if sp.required:
                cell = L.a1(self.progress_row + k, S_RAW)
                own.setdefault((p.id, ""), []).append(cell)
                if t is not None:
                    own.setdefault((p.id, t.id), []).append(cell)

        def part(p: Part) -> list[str]:
            cells = own.get((p.id, ""), []) + [c for sub in p.parts for c in part(sub)]
            self.filled[(p.id, "")] = "+".join(cells) or unit
            for t in self.ctx.unit.targets_of(p.per_target) if p.per_target else ():
                self.filled[(p.id, t.id)] = "+".join(own.get((p.id, t.id), [])) or unit
            return cells

        self.filled: dict[tuple[str, str], str] = {("", ""): unit}
        for p in self.ctx.variant.parts:
            part(p)

    def _item_style(self, depth: int) -> str:
        return "sum_item" if depth == 0 else f"sum_item{min(depth, 2)}"

    def _gate(self, r: int, p: Part, depth: int) -> str:
        ctx, sh = self.ctx, self.sh
        assert p.gate is not None
        gate_part = ctx.variant.part(p.gate.part)
        reach = f"达到{fmt_points(p.gate.min)}分(含)" if p.gate.op == ">=" else f"高于{fmt_points(p.gate.min)}分"
        label = f"加分门槛:{gate_part.title}{reach}"
        sh.put(r, S_ITEM, label, self._item_style(depth))
        sh.put(r, S_MAX, dec(p.gate.min), "max")
        filled = self.filled[(gate_part.id, "")]
        shown = rules.shown_formula(filled, self.points_ref(gate_part.id))
        sh.put(r, S_RAW, Formula("=" + shown, ctx.cached("part", "", gate_part.id)), "score")
        sh.put(r, S_VETO, None, "sum_text")
        opened = rules.gate_open_formula(self.points_ref(gate_part.id), p.gate.min, p.gate.op)
        sh.put(r, S_CALC, Formula("=" + opened, ""), "calc")
        expr = rules.shown_formula(filled, L.a1(r, S_CALC))
        ctx.result(sh, r, S_POINTS, "part_gate", "", p.id, expr, "gate")
        sh.put(r, S_NOTE, f"未达到的,{p.title}计0分,注明“{p.gate.label}”", "sum_text")
        return L.a1(r, S_CALC)

    def _target(self, r: int, p: Part, t: Target, depth: int, tot: Totals) -> None:
        ctx, sh = self.ctx, self.sh
        sh.put(r, S_ITEM, t.name, self._item_style(depth))
        sh.put(r, S_MAX, dec(p.max), "max")
        filled = self.filled[(p.id, t.id)]
        ctx.result(sh, r, S_RAW, "target_raw", t.id, p.id, rules.shown_formula(filled, tot.raw), "score")
        ctx.result(sh, r, S_VETO, "target_vetoes", t.id, p.id, "=" + tot.vetoes, "sum_count")
        ctx.result(sh, r, S_POINTS, "target", t.id, p.id, rules.shown_formula(filled, tot.points), "score")
        if tot.passed and p.threshold is not None:
            self._pass_cell(r, "target_pass", t.id, p.id, "=" + tot.passed, p.threshold.label)
        else:
            sh.put(r, S_NOTE, None, "sum_text")

    def _part(self, r: int, p: Part, depth: int, totals: Mapping[tuple[str, str], Totals], gate_cell: str) -> None:
        ctx, sh = self.ctx, self.sh
        title = p.title + ("(扣分项)" if p.kind is PartKind.PENALTY else "")
        sh.put(r, S_ITEM, title, self._item_style(depth))
        sh.put(r, S_MAX, dec(p.max, "—"), "max")
        veto_cell, calc_cell = L.a1(r, S_VETO), L.a1(r, S_CALC)
        filled = self.filled[(p.id, "")]
        subs_vetoes = [self.vetoes_ref(x.id) for x in p.parts]
        if p.per_target:
            targets = [totals[(p.id, t.id)] for t in ctx.unit.targets_of(p.per_target)]
            raw = rules.mean_formula([t.raw for t in targets])
            vetoes = "+".join([t.own_vetoes for t in targets] + subs_vetoes) or "0"
            pre_gate = rules.mean_formula([t.points for t in targets])
        else:
            if p.indicators:
                own = totals[(p.id, "")]
                raw, vetoes = own.raw, own.vetoes
            else:
                top = p.max if p.kind is not PartKind.PENALTY else None
                raw = rules.clamp_sum_formula([self.points_ref(x.id) for x in p.parts], top)
                if p.kind is not PartKind.PENALTY:
                    raw = rules.rescale_formula(raw, p)
                vetoes = "+".join(subs_vetoes) or "0"
            pre_gate = rules.after_stop_formula(
                rules.after_veto_formula(raw, veto_cell, p.veto_effect), self.stop_ref(p, None)
            )
        ctx.result(sh, r, S_RAW, "part_raw", "", p.id, rules.shown_formula(filled, raw), "score")
        ctx.result(sh, r, S_VETO, "part_vetoes", "", p.id, vetoes, "sum_count")
        final = rules.gated_formula(pre_gate, gate_cell) if p.gate is not None else pre_gate
        sh.put(r, S_CALC, Formula("=" + final, ""), "calc")
        shown = rules.shown_formula(filled, calc_cell)
        style = "tot_score" if depth == 0 else "score"
        ctx.result(sh, r, S_POINTS, "part", "", p.id, shown, style, name=L.part_name(p.id))
        if p.threshold is not None:
            # per target too: the unit's line is judged on the mean (each target keeps its own verdict)
            th = p.threshold
            expr = rules.pass_formula(pre_gate, veto_cell, th.min, L.PASS, th.label, th.op)
            self._pass_cell(r, "part_pass", "", p.id, rules.shown_formula(filled, expr), th.label)
        else:
            notes = {
                "从总分中扣减": p.kind is PartKind.PENALTY,
                f"各{kind_title(ctx.rubric, p.per_target or '')}得分的平均值": bool(p.per_target),
                "触发否决项的本部分计0分": p.veto_effect is VetoEffect.ZERO,
                "触发单项否决项的不再评分,计0分": p.veto_effect is VetoEffect.STOP,
                "达到加分门槛方计入": p.gate is not None,
            }
            sh.put(r, S_NOTE, ";".join(note for note, holds in notes.items() if holds) or None, "sum_text")

    def _pass_cell(self, r: int, role: str, target: str, part: str, expr: str, label: str) -> None:
        """A part's or target's 合格/不合格 (``label``) cell, red when it fails."""
        self.ctx.result(self.sh, r, S_NOTE, role, target, part, expr, "sum_text")
        self.pass_cells.append(L.a1(r, S_NOTE))
        self.sh.fail_when(L.a1(r, S_NOTE), label)

    def _line(self, r: int, label: str, max_value: Decimal | str | int | None = None) -> None:
        sh = self.sh
        sh.put(r, S_ITEM, label, "tot_label")
        sh.put(r, S_MAX, max_value, "tot_max")
        for c in (S_RAW, S_VETO, S_POINTS, S_NOTE):
            sh.put(r, c, None, "tot_blank")
        sh.heights[r] = 24

    def _unit_lines(self, r: int) -> int:
        ctx, sh, rubric, variant = self.ctx, self.sh, self.ctx.rubric, self.ctx.variant
        top = list(variant.parts)
        self._line(r, "否决项合计")
        vetoes_cell = L.a1(r, S_POINTS)
        expr = "+".join(self.vetoes_ref(p.id) for p in top) or "0"
        ctx.result(sh, r, S_POINTS, "vetoes", "", "", expr, "tot_count", name=L.NAME_VETOES)
        if rubric.tiers:
            sh.put(r, S_NOTE, f"有否决项的,等次为“{rubric.veto_tier}”", "tot_text")
        sh.conditional.append((vetoes_cell, VETO_HIT))
        r += 1
        self._line(r, "本组合计" if ctx.team else "总分", dec(variant.max))
        normal = [self.points_ref(p.id) for p in top if p.kind is not PartKind.PENALTY]
        penalty = [self.points_ref(p.id) for p in top if p.kind is PartKind.PENALTY]
        total_cell = L.a1(r, S_CALC)
        sh.put(r, S_CALC, Formula("=" + rules.total_formula(normal, penalty), ""), "calc")
        filled = self.filled[("", "")]
        shown = rules.shown_formula(filled, total_cell)
        ctx.result(sh, r, S_POINTS, "total", "", "", shown, "tot_score", name=L.NAME_TOTAL)
        sh.put(r, S_NOTE, "各部分计入得分之和" + ("减扣分项" if penalty else "") + ",不低于0分", "tot_text")
        r += 1
        self._line(r, "等次")
        if ctx.team:  # a team's workbook holds only some parts: the tier is the merged workbooks'
            sh.put(r, S_POINTS, "合并后评定", "tot_text")
            sh.put(r, S_NOTE, "总分与等次由 zwgk score 合并各检查组的评分表后计算", "sum_text")
            return r + 1
        tier = rules.tier_formula(rubric, total_cell, vetoes_cell)
        ctx.result(sh, r, S_POINTS, "tier", "", "", rules.shown_formula(filled, tier), "tot_text", name=L.NAME_TIER)
        tiers = _tier_text(rubric) or "细则未设等次"
        sh.put(r, S_NOTE, tiers, "sum_text")
        if rubric.tiers:
            sh.fail_when(L.a1(r, S_POINTS), rubric.veto_tier)
        if not self.verdict:
            return r + 1
        tier_cell = L.a1(r, S_POINTS)
        r += 1
        self._line(r, "是否合格")
        lines = "+".join(f'IF({c}="{L.PASS}",0,1)' for c in self.pass_cells) or "0"
        verdict = rules.unit_pass_formula(rubric, total_cell, vetoes_cell, tier_cell, lines)
        ctx.result(sh, r, S_POINTS, "verdict", "", "", rules.shown_formula(filled, verdict), "tot_text")
        sh.put(r, S_NOTE, _verdict_text(rubric), "sum_text")
        sh.fail_when(L.a1(r, S_POINTS), L.FAIL)
        return r + 1

    def _progress(self, r: int, sheets: Sequence[tuple[Part, Target | None, SheetPlan, Totals]]) -> None:
        ctx, sh = self.ctx, self.sh
        heads = {S_ITEM: "填写进度", S_MAX: "应填", S_RAW: "已填", S_VETO: "", S_POINTS: "完成", S_NOTE: "说明"}
        for c, h in heads.items():
            sh.put(r, c, h, "head")
        sh.heights[r] = 22
        r += 1
        first = r
        done = Counter(m.sheet for m in ctx.inputs if m.required and ctx.values.get(m.key) not in (None, ""))
        for _p, _t, sp, tot in sheets:
            filled = done[sp.name]
            ctx.index[("filled", "", sp.name)] = Decimal(filled)
            sh.put(r, S_ITEM, sp.name, "sum_item1")
            sh.put(r, S_MAX, sp.required, "sum_int")
            ctx.result(sh, r, S_RAW, "filled", "", sp.name, tot.filled, "sum_int")
            sh.put(r, S_VETO, None, "sum_text")
            self._percent(r, filled, sp.required)
            optional = sp.inputs - sp.required
            sh.put(r, S_NOTE, f"另有{optional}项选填,不计入进度" if optional else None, "sum_text")
            sh.heights[r] = 20
            r += 1
        total_inputs = sum(sp.required for _, _, sp, _ in sheets)
        filled_all = done.total()
        ctx.index[("filled", "", "")] = Decimal(filled_all)
        self._line(r, "合计", total_inputs)
        expr = f"SUM({L.a1(first, S_RAW)}:{L.a1(r - 1, S_RAW)})" if r > first else "0"
        ctx.result(sh, r, S_RAW, "filled", "", "", expr, "tot_int", name=L.NAME_FILLED)
        self._percent(r, filled_all, total_inputs)
        n, m = L.a1(r, S_RAW), L.a1(r, S_MAX)
        left = total_inputs - filled_all
        text = f'=IF({n}>={m},"已全部填写","尚有"&({m}-{n})&"项未填写")'
        sh.put(r, S_NOTE, Formula(text, "已全部填写" if left <= 0 else f"尚有{left}项未填写"), "tot_text")
        sh.print_area = (0, 0, r, S_NOTE)
        sh.fit_height = 1 if r < 60 else 0

    def _percent(self, r: int, filled: int, total: int) -> None:
        n, m = L.a1(r, S_RAW), L.a1(r, S_MAX)
        cached = Decimal(1) if total == 0 else Decimal(filled) / Decimal(total)
        self.sh.put(r, S_POINTS, Formula(f"=IF({m}=0,1,{n}/{m})", cached), "sum_pct")


def _tier_text(rubric: Rubric) -> str:
    if not rubric.tiers:
        return ""
    ranked = sorted((t for t in rubric.tiers if t.min is not None), key=lambda t: t.min or 0, reverse=True)
    text = "、".join(f"{fmt_points(t.min)}分及以上{t.label}" for t in ranked)
    floorless = next((t.label for t in rubric.tiers if t.min is None), None)
    if floorless:
        text += f",其余{floorless}"
    return text + "(取所达到的最高等次)"


def _verdict_text(rubric: Rubric) -> str:
    line = rubric.pass_line
    if line is None:
        return "有否决项的不合格;有部分(或对象)未达到合格线的不合格"
    below = "低于" if line.op == ">=" else "未超过"
    return f"有否决项的不合格;总分{below}{fmt_points(line.min)}分的{line.label}"
