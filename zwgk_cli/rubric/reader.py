"""Plain rubric data (:mod:`.source`) → model objects, collecting every schema error located by
its YAML path and line: unknown or missing fields, values of the wrong type, inputs used before
they are defined, references (``gate.part``, ``per_target``) to nothing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

from zwgk_cli.model import (
    ALWAYS,
    LINE_OPS,
    OPS,
    POINTS_STEP,
    YES,
    ZERO,
    Applicability,
    Band,
    Condition,
    Criterion,
    Gate,
    Indicator,
    Input,
    InputKind,
    Note,
    Part,
    PartKind,
    Rescale,
    Rubric,
    Style,
    TargetKind,
    Term,
    TermKind,
    Threshold,
    Tier,
    UnitSet,
    Variant,
    Veto,
    VetoEffect,
    fmt_points,
)
from zwgk_cli.problems import Code, Problem, problem

_T = TypeVar("_T")
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
Inputs = dict[str, Input]  # the inputs a criterion has defined so far, by id
Data = Mapping[str, Any]  # a mapping of the plain data
Num = Decimal | None

# The fields each mapping may have, in the order an error message lists them.
INPUT_KEYS = ("id", "input", "label", "kind", "max", "step", "options", "required", "hint")
TERM_KEYS = (*INPUT_KEYS, "inputs", "points", "per", "cap", "bands", "only_if", "not_if")
VETO_KEYS = (*INPUT_KEYS, "inputs", "op", "value", "reason", "ratio", "only_if", "not_if", "vid")
CRIT_KEYS = (
    "id",
    "title",
    "text",
    "max",
    "style",
    "terms",
    "vetoes",
    "inputs",
    "only_if",
    "not_if",
    "evidence",
    "na_points",
    "note",
)
IND_KEYS = ("id", "title", "max", "indicators", "criteria", "by_unit", "note", "style", "evidence", "level")
PART_KEYS = (
    "id",
    "title",
    "max",
    "kind",
    "parts",
    "indicators",
    "per_target",
    "threshold",
    "gate",
    "veto_effect",
    "note",
    "style",
    "evidence",
    "rescale",
)
TOP_KEYS = (
    "id",
    "title",
    "year",
    "version",
    "source",
    "max",
    "style",
    "groups",
    "tiers",
    "veto_tier",
    "veto_label",
    "aliases",
    "target_kinds",
    "rank_units",
    "notes",
    "variants",
    "parts",
    "definitions",
    "pass_line",
)


class Reader:
    """Turns the plain YAML data into model objects, collecting located problems."""

    def __init__(self, file: str, lines: Mapping[str, int]):
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []
        # references checked once what they may name is known: (name, YAML path)
        self.gates: list[tuple[str, str]] = []  # gate.part → a part of the same variant
        self.per_targets: list[tuple[str, str]] = []  # per_target → one of target_kinds
        self.ids: dict[str, str] = {}  # "node:id" / "criterion:id" → YAML path, in the current variant

    def err(self, code: Code, path: str, **params: Any) -> None:
        line = self.lines.get(path)
        if line is None and "." in path:
            line = self.lines.get(path.rsplit(".", 1)[0])
        self.problems.append(problem(code, file=self.file, path=path, line=line, **params))

    def wrong(self, path: str, key: str, value: str, expected: str) -> None:
        self.err(Code.R_TYPE, f"{path}.{key}" if path else key, field=key, value=value, expected=expected)

    def place(self, path: str) -> str:
        """Where a node is, as a message names it (the other place of a duplicate id)."""
        line = self.lines.get(path)
        return f"{path or '(根)'}" + (f" 第{line}行" if line is not None else "")

    def unique(self, kind: str, node_id: str, path: str) -> None:
        """Ids are unique within a variant: one namespace for parts and indicators, one for
        criteria (a one-criterion indicator written flat is its criterion)."""
        if not node_id:
            return
        first = self.ids.setdefault(f"{kind}:{node_id}", path)
        if first != path:
            self.err(Code.R_DUP_ID, f"{path}.id", id=node_id, other=self.place(first))

    # -- scalar helpers
    def keys(self, d: Any, path: str, allowed: Sequence[str]) -> dict[str, Any]:
        if not isinstance(d, dict):
            field = path.rsplit(".", 1)[-1] or "(根)"
            self.err(Code.R_TYPE, path, field=field, value=str(d)[:40], expected="键值对(mapping)")
            return {}
        for k in d:
            if k not in allowed:
                self.err(Code.R_UNKNOWN, f"{path}.{k}" if path else k, field=k, allowed="、".join(allowed))
        return d

    def req(self, d: Data, key: str, path: str) -> Any:
        if d.get(key) is None:
            self.err(Code.R_MISSING, path, field=key)
        return d.get(key)

    def text(self, d: Data, key: str, path: str, required: bool = True, default: str = "") -> str:
        v = self.req(d, key, path) if required else d.get(key, default)
        if v is None:
            return default
        if isinstance(v, Decimal):
            return fmt_points(v) if v == v.to_integral_value() else str(v)
        if not isinstance(v, str):
            self.wrong(path, key, str(v)[:40], "文字")
            return default
        return v

    def ident(self, d: Data, key: str, path: str) -> str:
        v = self.text(d, key, path)
        if v and not ID_RE.match(v):
            self.wrong(path, key, v, "以英文字母开头、只含英文字母数字和下划线的编号")
        return v

    def dec(self, d: Data, key: str, path: str, required: bool = False, default: Num = None, least: Num = ZERO) -> Num:
        v = self.req(d, key, path) if required else d.get(key)
        if v is None:
            return default
        if isinstance(v, bool) or not isinstance(v, Decimal):
            self.wrong(path, key, str(v)[:40], "数字")
            return default
        if least is not None and v < least:
            self.wrong(path, key, str(v), f"不小于{least}的数字")
        return v

    def flag(self, d: Data, key: str, path: str, default: bool) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            self.wrong(path, key, str(v), "true 或 false")
            return default
        return v

    def listof(self, d: Data, key: str, path: str) -> list[Any]:
        v = d.get(key)
        if v is not None and not isinstance(v, list):
            self.wrong(path, key, str(v)[:40], "列表")
        return v if isinstance(v, list) else []

    def names(self, d: Data, key: str, path: str) -> list[Any]:
        """A list of names; one name written alone (``groups: 县市区``) is a list of one."""
        v = d.get(key)
        return [v] if isinstance(v, str) and v else self.listof(d, key, path)

    def each(self, d: Data, key: str, path: str) -> list[tuple[Any, str]]:
        """The items of the list ``key`` with their YAML paths."""
        return [(x, f"{path}.{key}[{j}]" if path else f"{key}[{j}]") for j, x in enumerate(self.listof(d, key, path))]

    def enum(self, d: Data, key: str, path: str, allowed: Sequence[str], default: str) -> str:
        v = d.get(key, default)
        if v not in allowed:
            self.wrong(path, key, str(v), "、".join(allowed) + "之一")
            return default
        return str(v)

    def style(self, d: Data, path: str, default: Style) -> Style:
        return Style(self.enum(d, "style", path, [s.value for s in Style], default.value))

    def conditions(self, d: Any, path: str) -> tuple[Condition, ...]:
        if d is None:
            return ()
        if not isinstance(d, dict):
            field = path.rsplit(".", 1)[-1]
            self.err(Code.R_TYPE, path, field=field, value=str(d)[:40], expected="{属性: 值} 或 {属性: [值, …]}")
            return ()
        return tuple(
            Condition(str(attr), tuple(_attr_value(v) for v in (val if isinstance(val, list) else [val])))
            for attr, val in d.items()
        )

    def applicability(self, d: Data, path: str) -> Applicability:
        only = self.conditions(d.get("only_if"), f"{path}.only_if")
        nots = self.conditions(d.get("not_if"), f"{path}.not_if")
        return Applicability(only, nots) if only or nots else ALWAYS

    # -- inputs, terms, vetoes
    def input_def(self, d: Data, path: str, id_key: str, crit: Inputs) -> str:
        """Define (or reference) one input; returns its id."""
        iid = self.text(d, id_key, path)
        if not iid:
            return ""
        if not ID_RE.match(iid):
            self.wrong(path, id_key, iid, "英文编号")
        if "kind" not in d and "label" not in d:
            if iid not in crit:
                hint = "先在前面的 terms/vetoes/inputs 中定义该输入(给出 label 与 kind)。"
                self.err(Code.R_REF, path, ref=iid, hint=hint)
            return iid
        if iid in crit:
            self.err(Code.R_DUP_ID, f"{path}.{id_key}", id=iid, other="同一条细则")
            return iid
        kind = InputKind(self.enum(d, "kind", path, [k.value for k in InputKind], "count"))
        raw_opts = d.get("options")
        options = tuple(str(o) for o in raw_opts) if isinstance(raw_opts, dict | list) else ()
        if kind is InputKind.CHOICE and not options:
            self.err(Code.R_MISSING, path, field="options")
        step = self.dec(d, "step", path)
        if step == 0:  # a points input moves in steps of ``step``: 0 would be no step at all
            self.wrong(path, "step", "0", "大于0的数字")
            step = None
        crit[iid] = Input(
            id=iid,
            label=self.text(d, "label", path),
            kind=kind,
            max=self.dec(d, "max", path),
            step=POINTS_STEP if kind is InputKind.POINTS and step is None else step,
            options=options,
            required=self.flag(d, "required", path, kind is not InputKind.TEXT),
            hint=self.text(d, "hint", path, required=False),
        )
        return iid

    def bands(self, d: Data, path: str) -> tuple[Band, ...]:
        out = []
        for b, bp in self.each(d, "bands", path):
            b = self.keys(b, bp, ("op", "value", "points"))
            op = self.enum(b, "op", bp, OPS, ">=")
            value = self.dec(b, "value", bp, True, ZERO, None) or ZERO
            out.append(Band(op, value, self.dec(b, "points", bp, True, ZERO) or ZERO))
        if not out:
            self.err(Code.R_MISSING, path, field="bands")
        return tuple(out)

    def term(self, d: Any, path: str, crit: Inputs) -> Term | None:
        d = self.keys(d, path, TERM_KEYS)
        if not d:
            return None
        at: dict[str, Any] = {"applies": self.applicability(d, path), "cap": self.dec(d, "cap", path)}
        if d.get("kind") == "ratio":
            ids = self._ratio_inputs(d, path, crit)
            bands = self.bands(d, path)
            label = self.text(d, "label", path, required=False) or "/".join(crit[i].label for i in ids if i in crit)
            return Term(TermKind.RATIO, ids, bands=bands, label=label, **at)
        iid = self.input_def(d, path, "input", crit)
        inp = crit.get(iid)
        if inp is None:
            return None
        at["label"] = inp.label
        if inp.kind is InputKind.YES_NO:
            return Term(TermKind.FLAG, (iid,), points=self.dec(d, "points", path, True, ZERO) or ZERO, **at)
        if inp.kind is InputKind.CHOICE:
            raw = d.get("options")
            if not isinstance(raw, dict):
                self.wrong(path, "options", str(raw)[:40], "{选项: 分数} 的映射")
                return None
            choices = tuple((str(k), v if isinstance(v, Decimal) else ZERO) for k, v in raw.items())
            return Term(TermKind.CHOICE, (iid,), choices=choices, **at)
        if inp.kind is InputKind.POINTS:
            return Term(TermKind.ENTERED, (iid,), **at)
        if inp.kind is InputKind.TEXT:
            self.wrong(path, "kind", "text", "可计分的输入类型")
            return None
        if "bands" in d:
            return Term(TermKind.BANDS, (iid,), bands=self.bands(d, path), **at)
        return Term(TermKind.PER, (iid,), points=self.dec(d, "per", path, True, ZERO) or ZERO, **at)

    def _ratio_inputs(self, d: Data, path: str, crit: Inputs) -> tuple[str, ...]:
        raw = self.each(d, "inputs", path)
        if len(raw) != 2:
            self.wrong(path, "inputs", str(len(raw)), "两个输入(分子、分母)")
            return ("", "")
        ids = []
        for spec, sp in raw:
            spec = dict(self.keys(spec, sp, INPUT_KEYS))
            if "label" in spec:
                spec.setdefault("kind", "count")
            ids.append(self.input_def(spec, sp, "id", crit))
        return tuple(ids)

    def veto(self, d: Any, path: str, crit: Inputs, n: int) -> Veto | None:
        d = self.keys(d, path, VETO_KEYS)
        if not d:
            return None
        reason = self.text(d, "reason", path)
        applies = self.applicability(d, path)
        op = self.enum(d, "op", path, OPS, ">=")
        value = self.dec(d, "value", path, default=ZERO) or ZERO
        vid = f"v{n + 1}"
        if self.flag(d, "ratio", path, False):
            return Veto(vid, reason, self._ratio_inputs(d, path, crit), op, value, True, applies)
        iid = self.input_def(d, path, "input", crit)
        if iid not in crit:
            return None
        kind = crit[iid].kind
        if kind not in (InputKind.YES_NO, InputKind.COUNT, InputKind.NUMBER, InputKind.PERCENT):
            self.wrong(path, "kind", kind.value, "yes_no、count、number 或 percent")
        if kind is not InputKind.YES_NO and "value" not in d:
            self.err(Code.R_MISSING, path, field="value")
        return Veto(vid, reason, (iid,), op, value, False, applies)

    # -- tree
    def criterion(
        self, d: Any, path: str, style: Style, evidence: bool, parent_title: str, parent_max: Decimal | None = None
    ) -> Criterion | None:
        d = self.keys(d, path, (*CRIT_KEYS, "indicators", "criteria", "by_unit", "level"))
        if not d:
            return None
        cid = self.ident(d, "id", path)
        self.unique("criterion", cid, path)
        st = self.style(d, path, style)
        crit: Inputs = {}
        for spec, sp in self.each(d, "inputs", path):
            self.input_def(self.keys(spec, sp, INPUT_KEYS), sp, "id", crit)
        terms = _some(self.term(x, xp, crit) for x, xp in self.each(d, "terms", path))
        vetoes = _some(self.veto(x, xp, crit, j) for j, (x, xp) in enumerate(self.each(d, "vetoes", path)))
        for iid in sorted({i for t in terms for i in t.inputs}):  # an empty one would leave no points
            inp = crit.get(iid)
            if inp is not None and not inp.required and inp.kind is not InputKind.TEXT:
                self.err(Code.R_OPTIONAL_SCORED, path, label=inp.label, id=iid)
        mx = self.dec(d, "max", path, default=parent_max)
        if mx is None and st is not Style.PENALTY:
            self.err(Code.R_MISSING, path, field="max")
        if not d.get("terms") and not d.get("vetoes"):  # written but broken: reported where they are
            self.err(Code.R_MISSING, path, field="terms")
        return Criterion(
            id=cid,
            title=self.text(d, "title", path, required=False) or parent_title,
            text=self.text(d, "text", path),
            max=mx,
            style=st,
            inputs=tuple(
                replace(i, max=mx) if i.kind is InputKind.POINTS and i.max is None else i for i in crit.values()
            ),
            terms=terms,
            vetoes=vetoes,
            applies=self.applicability(d, path),
            evidence=self.flag(d, "evidence", path, evidence),
            na_points=self.enum(d, "na_points", path, ("full", "zero"), "full"),
            note=self.text(d, "note", path, required=False),
        )

    def indicator(self, d: Any, path: str, style: Style, evidence: bool, level: int) -> Indicator | None:
        if isinstance(d, dict) and "text" in d and "criteria" not in d and "indicators" not in d:
            # A one-criterion indicator written flat: the criterion takes the indicator's id.
            c = self.criterion(d, path, style, evidence, self.text(d, "title", path))
            return None if c is None else Indicator(c.id, c.title, c.max, level, criteria=(c,), note=c.note)
        d = self.keys(d, path, IND_KEYS)
        if not d:
            return None
        iid = self.ident(d, "id", path)
        self.unique("node", iid, path)
        st = self.style(d, path, style)
        ev = self.flag(d, "evidence", path, evidence)
        title = self.text(d, "title", path)
        mx = self.dec(d, "max", path, required=st is not Style.PENALTY)
        inds = _some(self.indicator(x, xp, st, ev, level + 1) for x, xp in self.each(d, "indicators", path))
        crits = _some(self.criterion(x, xp, st, ev, title) for x, xp in self.each(d, "criteria", path))
        sets = []
        for x, sp in self.each(d, "by_unit", path):
            x = self.keys(x, sp, ("units", "default", "criteria"))
            names = tuple(str(n) for n in self.listof(x, "units", sp))
            cs = _some(self.criterion(y, yp, st, ev, title, mx) for y, yp in self.each(x, "criteria", sp))
            sets.append(UnitSet(names, cs, self.flag(x, "default", sp, False)))
        if not inds and not crits and not sets:
            self.err(Code.R_MISSING, path, field="criteria")
        return Indicator(iid, title, mx, level, inds, crits, tuple(sets), self.text(d, "note", path, required=False))

    def line(self, d: Any, path: str, extra: tuple[str, ...], default_label: str) -> tuple[dict[str, Any], Threshold]:
        """A pass line or a gate: ``min``, ``op`` (``>=`` by default, or ``>``), ``label``."""
        d = self.keys(d, path, ("min", "op", "label", *extra))
        line = Threshold(
            self.dec(d, "min", path, True, ZERO) or ZERO,
            self.text(d, "label", path, required=False, default=default_label),
            self.enum(d, "op", path, LINE_OPS, ">="),
        )
        return d, line

    def pass_line(self, d: Data, key: str, path: str) -> Threshold | None:
        """The pass line ``key`` of ``d``, when it has one."""
        return None if d.get(key) is None else self.line(d[key], f"{path}.{key}" if path else key, (), "不合格")[1]

    def rescale(self, raw: Any, path: str) -> Rescale | None:
        d = self.keys(raw, path, ("factor", "round", "places"))
        if not isinstance(raw, dict):
            return None
        factor: Fraction | None = None
        raw = d.get("factor", "auto")
        if raw != "auto":
            factor = _fraction(raw)
            if factor is None or factor <= 0:
                self.wrong(path, "factor", str(raw)[:40], "auto、正数或分数(如 4/3)")
        places = self.dec(d, "places", path, default=Decimal(2))
        if places is None or places not in (0, 1, 2):
            self.wrong(path, "places", str(places), "0、1 或 2")
            places = Decimal(2)
        return Rescale(factor, self.enum(d, "round", path, ("after", "before"), "after"), int(places))

    def part(self, d: Any, path: str, style: Style) -> Part | None:
        d = self.keys(d, path, PART_KEYS)
        if not d:
            return None
        pid = self.ident(d, "id", path)
        self.unique("node", pid, path)
        kind = PartKind(self.enum(d, "kind", path, [k.value for k in PartKind], "normal"))
        st = self.style(d, path, Style.PENALTY if kind is PartKind.PENALTY else style)
        ev = self.flag(d, "evidence", path, False)
        threshold, gate = self.pass_line(d, "threshold", path), None
        if (g := d.get("gate")) is not None:
            gp = f"{path}.gate"
            g, opened = self.line(g, gp, ("part",), "未进入加分环节")
            gate = Gate(self.text(g, "part", gp), opened.min, opened.label, opened.op)
            if gate.part:
                self.gates.append((gate.part, f"{gp}.part"))
        per_target = self.text(d, "per_target", path, required=False) or None
        if per_target is not None:
            self.per_targets.append((per_target, f"{path}.per_target"))
        effect = VetoEffect(self.enum(d, "veto_effect", path, [v.value for v in VetoEffect], "none"))
        if effect is VetoEffect.STOP and d.get("parts"):
            self.err(Code.R_STOP_SUBPARTS, f"{path}.veto_effect", title=str(d.get("title", pid)))
        rescale = self.rescale(d["rescale"], f"{path}.rescale") if d.get("rescale") is not None else None
        return Part(
            id=pid,
            title=self.text(d, "title", path),
            max=self.dec(d, "max", path, required=kind is not PartKind.PENALTY),
            kind=kind,
            parts=_some(self.part(x, xp, st) for x, xp in self.each(d, "parts", path)),
            indicators=_some(self.indicator(x, xp, st, ev, 1) for x, xp in self.each(d, "indicators", path)),
            per_target=per_target,
            threshold=threshold,
            gate=gate,
            veto_effect=effect,
            note=self.text(d, "note", path, required=False),
            rescale=rescale,
        )

    def rubric(self, d: Any) -> Rubric:
        d = self.keys(d, "", TOP_KEYS)
        style = self.style(d, "", Style.AWARD)
        variants: list[Variant] = []
        for v, vp in self.each(d, "variants", ""):
            v = self.keys(v, vp, ("id", "title", "groups", "when", "max", "parts", "style"))
            variants.append(self._variant(v, vp, self.style(v, vp, style)))
        if not variants:
            top = {"id": "default", "title": d.get("title", ""), "groups": d.get("groups", [])}
            variants.append(self._variant({**top, "max": d.get("max"), "parts": d.get("parts")}, "", style))
        tiers = []
        for t, tp in self.each(d, "tiers", ""):
            t = self.keys(t, tp, ("label", "min", "coefficient"))
            tiers.append(Tier(self.text(t, "label", tp), self.dec(t, "min", tp), self.dec(t, "coefficient", tp)))
        kinds = [self.target_kind(k, kp) for k, kp in self.each(d, "target_kinds", "")]
        notes = []
        for n, np_ in self.each(d, "notes", ""):
            n = self.keys(n, np_, ("id", "kind", "text"))
            nid, text = self.text(n, "id", np_), self.text(n, "text", np_)
            notes.append(Note(nid, text, self.enum(n, "kind", np_, ("reading", "typo", "source"), "reading")))
        aliases = d.get("aliases") or {}
        if not isinstance(aliases, dict):
            self.err(Code.R_TYPE, "aliases", field="aliases", value=str(aliases)[:40], expected="{简称: 全称}")
            aliases = {}
        kind_ids = {k.id for k in kinds}
        for ref, where in self.per_targets:
            if ref not in kind_ids:
                self.err(Code.R_REF, where, ref=ref, hint="在 target_kinds 中声明该对象类型(如 website)。")
        rank_units = self.flag(d, "rank_units", "", True)
        self.assessed_problems(kinds, rank_units)
        year = self.dec(d, "year", "", True, ZERO)
        pass_line = self.pass_line(d, "pass_line", "")
        return Rubric(
            id=self.text(d, "id", ""),
            title=self.text(d, "title", ""),
            year=int(year or 0),
            version=self.text(d, "version", "", required=False, default="1"),
            source=self.text(d, "source", "", required=False),
            variants=tuple(variants),
            tiers=tuple(tiers),
            veto_tier=self.text(d, "veto_tier", "", required=False, default="不合格"),
            veto_label=self.text(d, "veto_label", "", required=False, default="否决"),
            aliases={str(k): str(v) for k, v in aliases.items()},
            target_kinds=tuple(kinds),
            notes=tuple(notes),
            declared_max=self.dec(d, "max", ""),
            pass_line=pass_line,
            rank_units=rank_units,
        )

    def target_kind(self, k: Any, kp: str) -> TargetKind:
        """A kind of target; ``assessed``: each one ranked in its own right, ``threshold``: the
        pass line of its total (see :mod:`zwgk_cli.results.targets`)."""
        k = self.keys(k, kp, ("id", "title", "assessed", "threshold"))
        threshold = self.pass_line(k, "threshold", kp)
        assessed = self.flag(k, "assessed", kp, False)
        return TargetKind(self.ident(k, "id", kp), self.text(k, "title", kp), assessed, threshold)

    def assessed_problems(self, kinds: Sequence[TargetKind], rank_units: bool) -> None:
        """Nothing to rank (R033); a kind ranked that no part scores (R034)."""
        if not rank_units and not any(k.assessed for k in kinds):
            self.err(Code.R_NOTHING_RANKED, "rank_units")
        used = {ref for ref, _ in self.per_targets}
        for j, k in enumerate(kinds):
            if k.assessed and k.id and k.id not in used:
                self.err(Code.R_KIND_UNSCORED, f"target_kinds[{j}].assessed", title=k.title or k.id, id=k.id)

    def _variant(self, v: Data, vp: str, style: Style) -> Variant:
        self.gates = []
        self.ids = {}
        parts = _some(self.part(x, xp, style) for x, xp in self.each(v, "parts", vp))
        if not parts:
            self.err(Code.R_MISSING, vp, field="parts")
        reach = sum((p.max or ZERO for p in parts if p.kind is not PartKind.PENALTY), ZERO)
        declared = self.dec(v, "max", vp)
        if declared is not None and declared != reach:
            said, got, title = fmt_points(declared), fmt_points(reach), str(v.get("title", ""))
            self.err(Code.R_SUM, f"{vp}.max" if vp else "max", title=title, declared=said, actual=got)
        when = self.conditions(v.get("when"), f"{vp}.when")
        groups = tuple(str(g) for g in self.names(v, "groups", vp))
        variant = Variant(str(v.get("id", "default")), str(v.get("title", "")), groups, parts, reach, when)
        part_ids = {p.id for p in variant.walk_parts()}
        for ref, where in self.gates:
            if ref not in part_ids:
                self.err(Code.R_REF, where, ref=ref, hint="gate.part 应为本细则中某一部分的 id。")
        return variant


def _some(items: Iterable[_T | None]) -> tuple[_T, ...]:
    return tuple(x for x in items if x is not None)


def _attr_value(v: Any) -> str:
    if isinstance(v, bool):
        return YES if v else "否"
    if isinstance(v, Decimal):
        return fmt_points(v)
    return str(v)


def _fraction(v: Any) -> Fraction | None:
    """A factor as written: a number (1.25) or a fraction (``4/3``)."""
    if isinstance(v, Decimal):
        return Fraction(v) if v.is_finite() else None
    if isinstance(v, str):
        try:
            return Fraction(v.replace(" ", "").replace("／", "/"))
        except (ValueError, ZeroDivisionError):
            return None
    return None
