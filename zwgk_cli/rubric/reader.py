"""Plain rubric data (from :mod:`zwgk_cli.rubric.source`) → model objects, collecting every
schema error located by its YAML path and line: unknown or missing fields, values of the wrong
type, inputs used before they are defined, references (``gate.part``, ``per_target``) to
nothing."""

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
    def keys(self, d: Any, path: str, allowed: Iterable[str]) -> dict[str, Any]:
        if not isinstance(d, dict):
            self.err(
                Code.R_TYPE,
                path,
                field=path.rsplit(".", 1)[-1] or "(根)",
                value=str(d)[:40],
                expected="键值对(mapping)",
            )
            return {}
        allowed = tuple(allowed)
        for k in d:
            if k not in allowed:
                self.err(Code.R_UNKNOWN, f"{path}.{k}" if path else k, field=k, allowed="、".join(allowed))
        return d

    def req(self, d: Mapping[str, Any], key: str, path: str) -> Any:
        if d.get(key) is None:
            self.err(Code.R_MISSING, path, field=key)
        return d.get(key)

    def text(self, d: Mapping[str, Any], key: str, path: str, required: bool = True, default: str = "") -> str:
        v = self.req(d, key, path) if required else d.get(key, default)
        if v is None:
            return default
        if isinstance(v, Decimal):
            return fmt_points(v) if v == v.to_integral_value() else str(v)
        if not isinstance(v, str):
            self.err(Code.R_TYPE, f"{path}.{key}", field=key, value=str(v)[:40], expected="文字")
            return default
        return v

    def ident(self, d: Mapping[str, Any], key: str, path: str) -> str:
        v = self.text(d, key, path)
        if v and not ID_RE.match(v):
            self.err(
                Code.R_TYPE,
                f"{path}.{key}",
                field=key,
                value=v,
                expected="以英文字母开头、只含英文字母数字和下划线的编号",
            )
        return v

    def dec(
        self,
        d: Mapping[str, Any],
        key: str,
        path: str,
        required: bool = False,
        default: Decimal | None = None,
        minimum: Decimal | None = ZERO,
    ) -> Decimal | None:
        v = self.req(d, key, path) if required else d.get(key)
        if v is None:
            return default
        if isinstance(v, bool) or not isinstance(v, Decimal):
            self.err(Code.R_TYPE, f"{path}.{key}", field=key, value=str(v)[:40], expected="数字")
            return default
        if minimum is not None and v < minimum:
            self.err(Code.R_TYPE, f"{path}.{key}", field=key, value=str(v), expected=f"不小于{minimum}的数字")
        return v

    def flag(self, d: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            self.err(Code.R_TYPE, f"{path}.{key}", field=key, value=str(v), expected="true 或 false")
            return default
        return v

    def listof(self, d: Mapping[str, Any], key: str, path: str) -> list[Any]:
        v = d.get(key)
        if v is None:
            return []
        if not isinstance(v, list):
            self.err(Code.R_TYPE, f"{path}.{key}", field=key, value=str(v)[:40], expected="列表")
            return []
        return v

    def enum(self, d: Mapping[str, Any], key: str, path: str, allowed: Sequence[str], default: str) -> str:
        v = d.get(key, default)
        if v not in allowed:
            self.err(Code.R_TYPE, f"{path}.{key}", field=key, value=str(v), expected="、".join(allowed) + "之一")
            return default
        return str(v)

    def conditions(self, d: Any, path: str) -> tuple[Condition, ...]:
        if d is None:
            return ()
        if not isinstance(d, dict):
            self.err(
                Code.R_TYPE,
                path,
                field=path.rsplit(".", 1)[-1],
                value=str(d)[:40],
                expected="{属性: 值} 或 {属性: [值, …]}",
            )
            return ()
        out = []
        for attr, val in d.items():
            vals = val if isinstance(val, list) else [val]
            out.append(Condition(str(attr), tuple(_attr_value(v) for v in vals)))
        return tuple(out)

    def applicability(self, d: Mapping[str, Any], path: str) -> Applicability:
        only = self.conditions(d.get("only_if"), f"{path}.only_if")
        nots = self.conditions(d.get("not_if"), f"{path}.not_if")
        return Applicability(only, nots) if only or nots else ALWAYS

    # -- inputs, terms, vetoes
    INPUT_KEYS = ("id", "input", "label", "kind", "max", "step", "options", "required", "hint")

    def input_def(self, d: Mapping[str, Any], path: str, id_key: str, crit: _CritBuilder) -> str:
        """Define (or reference) one input; returns its id."""
        iid = self.text(d, id_key, path)
        if not iid:
            return ""
        if not ID_RE.match(iid):
            self.err(Code.R_TYPE, f"{path}.{id_key}", field=id_key, value=iid, expected="英文编号")
        if "kind" not in d and "label" not in d:
            if iid not in crit.inputs:
                self.err(
                    Code.R_REF, path, ref=iid, hint="先在前面的 terms/vetoes/inputs 中定义该输入(给出 label 与 kind)。"
                )
            return iid
        if iid in crit.inputs:
            self.err(Code.R_DUP_ID, f"{path}.{id_key}", id=iid, other="同一条细则")
            return iid
        kind_s = self.enum(d, "kind", path, [k.value for k in InputKind], "count")
        kind = InputKind(kind_s)
        options: tuple[str, ...] = ()
        raw_opts = d.get("options")
        if isinstance(raw_opts, dict):
            options = tuple(str(k) for k in raw_opts)
        elif isinstance(raw_opts, list):
            options = tuple(str(o) for o in raw_opts)
        if kind is InputKind.CHOICE and not options:
            self.err(Code.R_MISSING, path, field="options")
        step = self.dec(d, "step", path)
        if kind is InputKind.POINTS and step is None:
            step = Decimal("0.5")
        crit.inputs[iid] = Input(
            id=iid,
            label=self.text(d, "label", path),
            kind=kind,
            max=self.dec(d, "max", path),
            step=step,
            options=options,
            required=self.flag(d, "required", path, kind is not InputKind.TEXT),
            hint=self.text(d, "hint", path, required=False),
        )
        return iid

    def bands(self, d: Mapping[str, Any], path: str) -> tuple[Band, ...]:
        out = []
        for j, b in enumerate(self.listof(d, "bands", path)):
            bp = f"{path}.bands[{j}]"
            b = self.keys(b, bp, ("op", "value", "points"))
            op = self.enum(b, "op", bp, OPS, ">=")
            out.append(
                Band(
                    op,
                    self.dec(b, "value", bp, True, ZERO, None) or ZERO,
                    self.dec(b, "points", bp, True, ZERO) or ZERO,
                )
            )
        if not out:
            self.err(Code.R_MISSING, path, field="bands")
        return tuple(out)

    TERM_KEYS = (*INPUT_KEYS, "inputs", "points", "per", "cap", "bands", "only_if", "not_if")

    def term(self, d: Any, path: str, crit: _CritBuilder) -> Term | None:
        d = self.keys(d, path, self.TERM_KEYS)
        if not d:
            return None
        applies = self.applicability(d, path)
        cap = self.dec(d, "cap", path)
        if d.get("kind") == "ratio":
            ids = self._ratio_inputs(d, path, crit)
            return Term(
                TermKind.RATIO,
                ids,
                bands=self.bands(d, path),
                cap=cap,
                applies=applies,
                label=self.text(d, "label", path, required=False) or _ratio_label(crit, ids),
            )
        iid = self.input_def(d, path, "input", crit)
        if not iid or iid not in crit.inputs:
            return None
        inp = crit.inputs[iid]
        label = inp.label
        if inp.kind is InputKind.YES_NO:
            pts = self.dec(d, "points", path, True, ZERO) or ZERO
            return Term(TermKind.FLAG, (iid,), points=pts, cap=cap, applies=applies, label=label)
        if inp.kind is InputKind.CHOICE:
            raw = d.get("options")
            if not isinstance(raw, dict):
                self.err(
                    Code.R_TYPE, f"{path}.options", field="options", value=str(raw)[:40], expected="{选项: 分数} 的映射"
                )
                return None
            choices = tuple((str(k), v if isinstance(v, Decimal) else ZERO) for k, v in raw.items())
            return Term(TermKind.CHOICE, (iid,), choices=choices, cap=cap, applies=applies, label=label)
        if inp.kind is InputKind.POINTS:
            return Term(TermKind.ENTERED, (iid,), cap=cap, applies=applies, label=label)
        if inp.kind is InputKind.TEXT:
            self.err(Code.R_TYPE, f"{path}.kind", field="kind", value="text", expected="可计分的输入类型")
            return None
        if "bands" in d:
            return Term(TermKind.BANDS, (iid,), bands=self.bands(d, path), cap=cap, applies=applies, label=label)
        per = self.dec(d, "per", path, True, ZERO)
        return Term(TermKind.PER, (iid,), points=per or ZERO, cap=cap, applies=applies, label=label)

    def _ratio_inputs(self, d: Mapping[str, Any], path: str, crit: _CritBuilder) -> tuple[str, ...]:
        raw = self.listof(d, "inputs", path)
        if len(raw) != 2:
            self.err(
                Code.R_TYPE, f"{path}.inputs", field="inputs", value=str(len(raw)), expected="两个输入(分子、分母)"
            )
            return ("", "")
        ids = []
        for j, spec in enumerate(raw):
            sp = f"{path}.inputs[{j}]"
            spec = self.keys(spec, sp, self.INPUT_KEYS)
            spec = dict(spec)
            if "label" in spec:
                spec.setdefault("kind", "count")
            ids.append(self.input_def(spec, sp, "id", crit))
        return tuple(ids)

    VETO_KEYS = (*INPUT_KEYS, "inputs", "op", "value", "reason", "ratio", "only_if", "not_if", "vid")

    def veto(self, d: Any, path: str, crit: _CritBuilder, n: int) -> Veto | None:
        d = self.keys(d, path, self.VETO_KEYS)
        if not d:
            return None
        reason = self.text(d, "reason", path)
        applies = self.applicability(d, path)
        op = self.enum(d, "op", path, OPS, ">=")
        value = self.dec(d, "value", path, default=ZERO) or ZERO
        vid = f"v{n + 1}"
        if self.flag(d, "ratio", path, False):
            ids = self._ratio_inputs(d, path, crit)
            return Veto(vid, reason, ids, op, value, True, applies)
        iid = self.input_def(d, path, "input", crit)
        if not iid or iid not in crit.inputs:
            return None
        kind = crit.inputs[iid].kind
        if kind not in (InputKind.YES_NO, InputKind.COUNT, InputKind.NUMBER, InputKind.PERCENT):
            self.err(
                Code.R_TYPE, f"{path}.kind", field="kind", value=kind.value, expected="yes_no、count、number 或 percent"
            )
        if kind is not InputKind.YES_NO and "value" not in d:
            self.err(Code.R_MISSING, path, field="value")
        return Veto(vid, reason, (iid,), op, value, False, applies)

    # -- tree
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

    def criterion(
        self, d: Any, path: str, style: Style, evidence: bool, parent_title: str, parent_max: Decimal | None = None
    ) -> Criterion | None:
        d = self.keys(d, path, (*self.CRIT_KEYS, "indicators", "criteria", "by_unit", "level"))
        if not d:
            return None
        cid = self.ident(d, "id", path)
        self.unique("criterion", cid, path)
        st = Style(self.enum(d, "style", path, [s.value for s in Style], style.value))
        crit = _CritBuilder()
        for j, spec in enumerate(self.listof(d, "inputs", path)):
            sp = f"{path}.inputs[{j}]"
            self.input_def(self.keys(spec, sp, self.INPUT_KEYS), sp, "id", crit)
        terms = _some(self.term(x, f"{path}.terms[{j}]", crit) for j, x in enumerate(self.listof(d, "terms", path)))
        vetoes = _some(
            self.veto(x, f"{path}.vetoes[{j}]", crit, j) for j, x in enumerate(self.listof(d, "vetoes", path))
        )
        for iid in sorted({i for t in terms for i in t.inputs}):  # an empty one would leave no points
            inp = crit.inputs.get(iid)
            if inp is not None and not inp.required and inp.kind is not InputKind.TEXT:
                self.err(Code.R_OPTIONAL_SCORED, path, label=inp.label, id=iid)
        mx = self.dec(d, "max", path, default=parent_max)
        if mx is None and st is not Style.PENALTY:
            self.err(Code.R_MISSING, path, field="max")
        if not d.get("terms") and not d.get("vetoes"):  # written but broken: reported where they are
            self.err(Code.R_MISSING, path, field="terms")
        inputs = tuple(crit.inputs.values())
        for i, inp in enumerate(inputs):
            if inp.kind is InputKind.POINTS and inp.max is None:
                inputs = (*inputs[:i], replace(inp, max=mx), *inputs[i + 1 :])
        return Criterion(
            id=cid,
            title=self.text(d, "title", path, required=False) or parent_title,
            text=self.text(d, "text", path),
            max=mx,
            style=st,
            inputs=inputs,
            terms=tuple(terms),
            vetoes=tuple(vetoes),
            applies=self.applicability(d, path),
            evidence=self.flag(d, "evidence", path, evidence),
            na_points=self.enum(d, "na_points", path, ("full", "zero"), "full"),
            note=self.text(d, "note", path, required=False),
        )

    IND_KEYS = ("id", "title", "max", "indicators", "criteria", "by_unit", "note", "style", "evidence", "level")

    def indicator(self, d: Any, path: str, style: Style, evidence: bool, level: int) -> Indicator | None:
        if isinstance(d, dict) and "text" in d and "criteria" not in d and "indicators" not in d:
            # A one-criterion indicator written flat: the criterion takes the indicator's id.
            c = self.criterion(d, path, style, evidence, self.text(d, "title", path))
            if c is None:
                return None
            return Indicator(c.id, c.title, c.max, level, criteria=(c,), note=c.note)
        d = self.keys(d, path, self.IND_KEYS)
        if not d:
            return None
        iid = self.ident(d, "id", path)
        self.unique("node", iid, path)
        st = Style(self.enum(d, "style", path, [s.value for s in Style], style.value))
        ev = self.flag(d, "evidence", path, evidence)
        title = self.text(d, "title", path)
        mx = self.dec(d, "max", path, required=st is not Style.PENALTY)
        inds = _some(
            self.indicator(x, f"{path}.indicators[{j}]", st, ev, level + 1)
            for j, x in enumerate(self.listof(d, "indicators", path))
        )
        crits = _some(
            self.criterion(x, f"{path}.criteria[{j}]", st, ev, title)
            for j, x in enumerate(self.listof(d, "criteria", path))
        )
        sets = []
        for j, x in enumerate(self.listof(d, "by_unit", path)):
            sp = f"{path}.by_unit[{j}]"
            x = self.keys(x, sp, ("units", "default", "criteria"))
            names = tuple(str(n) for n in self.listof(x, "units", sp))
            cs = _some(
                self.criterion(y, f"{sp}.criteria[{k}]", st, ev, title, mx)
                for k, y in enumerate(self.listof(x, "criteria", sp))
            )
            sets.append(UnitSet(names, cs, self.flag(x, "default", sp, False)))
        if not inds and not crits and not sets:
            self.err(Code.R_MISSING, path, field="criteria")
        return Indicator(
            iid,
            title,
            mx,
            level,
            inds,
            crits,
            tuple(sets),
            self.text(d, "note", path, required=False),
        )

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

    def line(self, d: Any, path: str, extra: tuple[str, ...], default_label: str) -> tuple[dict[str, Any], Threshold]:
        """A pass line or a gate: ``min``, ``op`` (``>=`` by default, or ``>``), ``label``."""
        d = self.keys(d, path, ("min", "op", "label", *extra))
        line = Threshold(
            self.dec(d, "min", path, True, ZERO) or ZERO,
            self.text(d, "label", path, required=False, default=default_label),
            self.enum(d, "op", path, LINE_OPS, ">="),
        )
        return d, line

    def rescale(self, raw: Any, path: str) -> Rescale | None:
        d = self.keys(raw, path, ("factor", "round", "places"))
        if not isinstance(raw, dict):
            return None
        factor: Fraction | None = None
        raw = d.get("factor", "auto")
        if raw != "auto":
            factor = _fraction(raw)
            if factor is None or factor <= 0:
                self.err(
                    Code.R_TYPE,
                    f"{path}.factor",
                    field="factor",
                    value=str(raw)[:40],
                    expected="auto、正数或分数(如 4/3)",
                )
        places = self.dec(d, "places", path, default=Decimal(2))
        if places is None or places not in (0, 1, 2):
            self.err(Code.R_TYPE, f"{path}.places", field="places", value=str(places), expected="0、1 或 2")
            places = Decimal(2)
        return Rescale(factor, self.enum(d, "round", path, ("after", "before"), "after"), int(places))

    def part(self, d: Any, path: str, style: Style) -> Part | None:
        d = self.keys(d, path, self.PART_KEYS)
        if not d:
            return None
        pid = self.ident(d, "id", path)
        self.unique("node", pid, path)
        kind = PartKind(self.enum(d, "kind", path, [k.value for k in PartKind], "normal"))
        default_style = Style.PENALTY if kind is PartKind.PENALTY else style
        st = Style(self.enum(d, "style", path, [s.value for s in Style], default_style.value))
        ev = self.flag(d, "evidence", path, False)
        threshold = gate = None
        if (t := d.get("threshold")) is not None:
            _, threshold = self.line(t, f"{path}.threshold", (), "不合格")
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
            parts=_some(self.part(x, f"{path}.parts[{j}]", st) for j, x in enumerate(self.listof(d, "parts", path))),
            indicators=_some(
                self.indicator(x, f"{path}.indicators[{j}]", st, ev, 1)
                for j, x in enumerate(self.listof(d, "indicators", path))
            ),
            per_target=per_target,
            threshold=threshold,
            gate=gate,
            veto_effect=effect,
            note=self.text(d, "note", path, required=False),
            rescale=rescale,
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

    def rubric(self, d: Any) -> Rubric:
        d = self.keys(d, "", self.TOP_KEYS)
        style = Style(self.enum(d, "style", "", [s.value for s in Style], "award"))
        variants: list[Variant] = []
        raw_variants = self.listof(d, "variants", "")
        if raw_variants:
            for j, v in enumerate(raw_variants):
                vp = f"variants[{j}]"
                v = self.keys(v, vp, ("id", "title", "groups", "when", "max", "parts", "style"))
                vst = Style(self.enum(v, "style", vp, [s.value for s in Style], style.value))
                variants.append(self._variant(v, vp, vst))
        else:
            variants.append(
                self._variant(
                    {
                        "id": "default",
                        "title": d.get("title", ""),
                        "groups": d.get("groups", []),
                        "max": d.get("max"),
                        "parts": d.get("parts"),
                    },
                    "",
                    style,
                )
            )
        tiers = []
        for j, t in enumerate(self.listof(d, "tiers", "")):
            tp = f"tiers[{j}]"
            t = self.keys(t, tp, ("label", "min", "coefficient"))
            tiers.append(Tier(self.text(t, "label", tp), self.dec(t, "min", tp), self.dec(t, "coefficient", tp)))
        kinds = [self.target_kind(k, f"target_kinds[{j}]") for j, k in enumerate(self.listof(d, "target_kinds", ""))]
        notes = []
        for j, n in enumerate(self.listof(d, "notes", "")):
            np_ = f"notes[{j}]"
            n = self.keys(n, np_, ("id", "kind", "text"))
            notes.append(
                Note(
                    self.text(n, "id", np_),
                    self.text(n, "text", np_),
                    self.enum(n, "kind", np_, ("reading", "typo", "source"), "reading"),
                )
            )
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
        pass_line = self.line(d["pass_line"], "pass_line", (), "不合格")[1] if d.get("pass_line") is not None else None
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
        threshold = None
        if (t := k.get("threshold")) is not None:
            _, threshold = self.line(t, f"{kp}.threshold", (), "不合格")
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

    def _variant(self, v: Mapping[str, Any], vp: str, style: Style) -> Variant:
        self.gates = []
        self.ids = {}
        parts = _some(
            self.part(x, f"{vp}.parts[{j}]" if vp else f"parts[{j}]", style)
            for j, x in enumerate(self.listof(v, "parts", vp))
        )
        if not parts:
            self.err(Code.R_MISSING, vp, field="parts")
        groups = tuple(str(g) for g in (v.get("groups") or []))
        reach = sum((p.max or ZERO for p in parts if p.kind is not PartKind.PENALTY), ZERO)
        declared = self.dec(v, "max", vp)
        if declared is not None and declared != reach:
            self.err(
                Code.R_SUM,
                f"{vp}.max" if vp else "max",
                title=str(v.get("title", "")),
                declared=fmt_points(declared),
                actual=fmt_points(reach),
            )
        vid = str(v.get("id", "default"))
        when = self.conditions(v.get("when"), f"{vp}.when")
        variant = Variant(vid, str(v.get("title", "")), groups, parts, reach, when)
        part_ids = {p.id for p in variant.walk_parts()}
        for ref, where in self.gates:
            if ref not in part_ids:
                self.err(Code.R_REF, where, ref=ref, hint="gate.part 应为本细则中某一部分的 id。")
        return variant


def _some(items: Iterable[_T | None]) -> tuple[_T, ...]:
    return tuple(x for x in items if x is not None)


class _CritBuilder:
    def __init__(self) -> None:
        self.inputs: dict[str, Input] = {}


def _attr_value(v: Any) -> str:
    if isinstance(v, bool):
        return YES if v else "否"
    if isinstance(v, Decimal):
        return fmt_points(v)
    return str(v)


def _fraction(v: Any) -> Fraction | None:
    """A factor as written: a number (1.25) or a fraction (``4/3``)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, Decimal):
        return Fraction(v) if v.is_finite() else None
    if isinstance(v, str):
        try:
            return Fraction(v.replace(" ", "").replace("／", "/"))
        except (ValueError, ZeroDivisionError):
            return None
    return None


def _ratio_label(crit: _CritBuilder, ids: tuple[str, ...]) -> str:
    labels = [crit.inputs[i].label for i in ids if i in crit.inputs]
    return "/".join(labels)
