"""Rubric YAML → :class:`Rubric`, with every schema error located (file, YAML path, line).

Also: resolution of a rubric for one unit (its variant, its own criteria sets, what does
not apply to it), ``check`` (maxima add up, ids unique, rules reach their 分值, the text
agrees with the 分值, aliases resolve against a roster) and the JSON export that
``zwgk rubric show --json`` prints (a documented contract, see README).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from zwgk_cli.model import (
    ALWAYS,
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
    Rubric,
    Style,
    TargetKind,
    Term,
    TermKind,
    Threshold,
    Tier,
    Unit,
    UnitSet,
    Variant,
    Veto,
    VetoEffect,
    fmt_points,
)
from zwgk_cli.problems import Code, Problem, problem

_T = TypeVar("_T")
BUNDLED_PACKAGE = "zwgk_cli.rubric.bundled"
ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class RubricError(Exception):
    """Raised with every problem found when a rubric cannot be built."""

    def __init__(self, problems: Sequence[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)


# ------------------------------------------------------------------ YAML with line numbers


def _build(node: yaml.Node, path: str, lines: dict[str, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key == "<<":  # merge key: copy the anchored mapping's entries
                merged = _build(value_node, path, lines)
                for m in merged if isinstance(merged, list) else [merged]:
                    for k, v in m.items():
                        out.setdefault(k, v)
                continue
            out[key] = _build(value_node, f"{path}.{key}" if path else key, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(v, f"{path}[{i}]", lines) for i, v in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    tag = node.tag
    if tag.endswith(":int") or tag.endswith(":float"):
        try:
            return Decimal(node.value.replace("_", ""))
        except InvalidOperation:
            return node.value
    if tag.endswith(":bool"):
        # Only true/false are booleans: YAML 1.1's yes/no/on/off stay text (``input: no`` is an id).
        low = node.value.lower()
        return low == "true" if low in ("true", "false") else node.value
    if tag.endswith(":null"):
        return None
    return node.value


# libyaml's loader when PyYAML has it (its wheels do): ten times faster, the same nodes and marks
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, file: str) -> tuple[Any, dict[str, int]]:
    lines: dict[str, int] = {}
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise RubricError([problem(Code.R_YAML, file=file, line=line, detail=str(exc).split("\n")[0])]) from None
    if node is None:
        raise RubricError([problem(Code.R_MISSING, file=file, field="id")])
    return _build(node, "", lines), lines


def content_hash(data: Any) -> str:
    def default(o: Any) -> str:
        return str(o)

    canon = json.dumps(data, sort_keys=True, ensure_ascii=False, default=default)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]


# ------------------------------------------------------------------ the reader


class _Reader:
    """Turns the plain YAML data into model objects, collecting located problems."""

    def __init__(self, file: str, lines: Mapping[str, int]):
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def err(self, code: Code, path: str, **params: Any) -> None:
        line = self.lines.get(path)
        if line is None and "." in path:
            line = self.lines.get(path.rsplit(".", 1)[0])
        self.problems.append(problem(code, file=self.file, path=path, line=line, **params))

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
        st = Style(self.enum(d, "style", path, [s.value for s in Style], style.value))
        crit = _CritBuilder()
        for j, spec in enumerate(self.listof(d, "inputs", path)):
            sp = f"{path}.inputs[{j}]"
            self.input_def(self.keys(spec, sp, self.INPUT_KEYS), sp, "id", crit)
        terms = _some(self.term(x, f"{path}.terms[{j}]", crit) for j, x in enumerate(self.listof(d, "terms", path)))
        vetoes = _some(
            self.veto(x, f"{path}.vetoes[{j}]", crit, j) for j, x in enumerate(self.listof(d, "vetoes", path))
        )
        mx = self.dec(d, "max", path, default=parent_max)
        if mx is None and st is not Style.PENALTY:
            self.err(Code.R_MISSING, path, field="max")
        if not terms and not vetoes:
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
            self.ident(d, "id", path),
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
    )

    def part(self, d: Any, path: str, style: Style) -> Part | None:
        d = self.keys(d, path, self.PART_KEYS)
        if not d:
            return None
        kind = PartKind(self.enum(d, "kind", path, [k.value for k in PartKind], "normal"))
        default_style = Style.PENALTY if kind is PartKind.PENALTY else style
        st = Style(self.enum(d, "style", path, [s.value for s in Style], default_style.value))
        ev = self.flag(d, "evidence", path, False)
        threshold = gate = None
        if (t := d.get("threshold")) is not None:
            tp = f"{path}.threshold"
            t = self.keys(t, tp, ("min", "label"))
            threshold = Threshold(
                self.dec(t, "min", tp, True, ZERO) or ZERO, self.text(t, "label", tp, required=False, default="不合格")
            )
        if (g := d.get("gate")) is not None:
            gp = f"{path}.gate"
            g = self.keys(g, gp, ("part", "min", "label"))
            gate = Gate(
                self.text(g, "part", gp),
                self.dec(g, "min", gp, True, ZERO) or ZERO,
                self.text(g, "label", gp, required=False, default="未进入加分环节"),
            )
        return Part(
            id=self.ident(d, "id", path),
            title=self.text(d, "title", path),
            max=self.dec(d, "max", path, required=kind is not PartKind.PENALTY),
            kind=kind,
            parts=_some(self.part(x, f"{path}.parts[{j}]", st) for j, x in enumerate(self.listof(d, "parts", path))),
            indicators=_some(
                self.indicator(x, f"{path}.indicators[{j}]", st, ev, 1)
                for j, x in enumerate(self.listof(d, "indicators", path))
            ),
            per_target=d.get("per_target"),
            threshold=threshold,
            gate=gate,
            veto_effect=VetoEffect(self.enum(d, "veto_effect", path, [v.value for v in VetoEffect], "none")),
            note=self.text(d, "note", path, required=False),
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
        "notes",
        "variants",
        "parts",
        "definitions",
    )

    def rubric(self, d: Any) -> Rubric:
        d = self.keys(d, "", self.TOP_KEYS)
        style = Style(self.enum(d, "style", "", [s.value for s in Style], "award"))
        variants: list[Variant] = []
        raw_variants = self.listof(d, "variants", "")
        if raw_variants:
            for j, v in enumerate(raw_variants):
                vp = f"variants[{j}]"
                v = self.keys(v, vp, ("id", "title", "groups", "max", "parts", "style"))
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
        kinds = []
        for j, k in enumerate(self.listof(d, "target_kinds", "")):
            kp = f"target_kinds[{j}]"
            k = self.keys(k, kp, ("id", "title"))
            kinds.append(TargetKind(self.ident(k, "id", kp), self.text(k, "title", kp)))
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
        year = self.dec(d, "year", "", True, ZERO)
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
        )

    def _variant(self, v: Mapping[str, Any], vp: str, style: Style) -> Variant:
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
        return Variant(vid, str(v.get("title", "")), groups, parts, reach)


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


def _ratio_label(crit: _CritBuilder, ids: tuple[str, ...]) -> str:
    labels = [crit.inputs[i].label for i in ids if i in crit.inputs]
    return "/".join(labels)


# ------------------------------------------------------------------ public API


def bundled_ids() -> list[str]:
    root = resources.files(BUNDLED_PACKAGE)
    return sorted(p.name[: -len(".yaml")] for p in root.iterdir() if p.name.endswith(".yaml"))


def locate(ref: str) -> tuple[str, str]:
    """A bundled rubric id or a file path → (display name, YAML text)."""
    path = Path(ref)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        try:
            return str(path), path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise RubricError([problem(Code.R_FILE, file=str(path), detail=str(exc))]) from None
    if ref in bundled_ids():
        res = resources.files(BUNDLED_PACKAGE).joinpath(f"{ref}.yaml")
        return f"{ref}.yaml", res.read_text(encoding="utf-8")
    raise RubricError([problem(Code.R_FILE, detail=f"{ref}(内置细则有:{'、'.join(bundled_ids())})")])


def parse(text: str, file: str = "<rubric>") -> Rubric:
    data, lines = load_yaml(text, file)
    reader = _Reader(file, lines)
    rubric = reader.rubric(data)
    reader.problems.extend(structural_problems(rubric, file, lines))
    if reader.problems:
        raise RubricError(reader.problems)
    return replace(rubric, hash=content_hash(data), path=file)


def load(ref: str) -> Rubric:
    name, text = locate(ref)
    return parse(text, name)


def structural_problems(rubric: Rubric, file: str, lines: Mapping[str, int]) -> list[Problem]:
    """Errors that make a rubric unusable: duplicate ids, dangling references, bad tiers."""
    out: list[Problem] = []
    for v in rubric.variants:
        seen: dict[str, str] = {}
        for kind, node_id, where in _all_ids(v):
            key = f"{kind}:{node_id}"
            if key in seen:
                out.append(problem(Code.R_DUP_ID, file=file, path=where, id=node_id, other=seen[key]))
            else:
                seen[key] = where
        part_ids = {p.id for p in v.walk_parts()}
        kinds = {k.id for k in rubric.target_kinds}
        for p in v.walk_parts():
            if p.gate is not None and p.gate.part not in part_ids:
                out.append(
                    problem(
                        Code.R_REF,
                        file=file,
                        path=f"{p.id}.gate.part",
                        ref=p.gate.part,
                        hint="gate.part 应为本细则中某一部分的 id。",
                    )
                )
            if p.per_target is not None and p.per_target not in kinds:
                out.append(
                    problem(
                        Code.R_REF,
                        file=file,
                        path=f"{p.id}.per_target",
                        ref=p.per_target,
                        hint="在 target_kinds 中声明该对象类型(如 website)。",
                    )
                )
    floors = [t.min for t in rubric.tiers if t.min is not None]
    if rubric.tiers and (len(set(floors)) != len(floors) or sum(1 for t in rubric.tiers if t.min is None) > 1):
        out.append(
            problem(
                Code.R_TIERS, file=file, path="tiers", line=lines.get("tiers"), detail="下限重复,或不止一个等次没有下限"
            )
        )
    labels = {t.label for t in rubric.tiers}
    if rubric.tiers and rubric.veto_tier not in labels:
        out.append(
            problem(
                Code.R_TIERS,
                file=file,
                path="veto_tier",
                line=lines.get("veto_tier"),
                detail=f"veto_tier“{rubric.veto_tier}”不是任何等次的名称",
            )
        )
    return out


def _all_ids(v: Variant) -> Iterable[tuple[str, str, str]]:
    def walk_ind(ind: Indicator, where: str) -> Iterable[tuple[str, str, str]]:
        here = f"{where}/{ind.id}"
        if not (len(ind.criteria) == 1 and ind.criteria[0].id == ind.id and not ind.indicators):
            yield "node", ind.id, here
        for c in ind.criteria:
            yield "criterion", c.id, f"{here}/{c.id}"
        for s in ind.by_unit:
            for c in s.criteria:
                yield "criterion", c.id, f"{here}/{c.id}"
        for sub in ind.indicators:
            yield from walk_ind(sub, here)

    for p in v.walk_parts():
        yield "node", p.id, f"{v.id}/{p.id}"
        for ind in p.indicators:
            yield from walk_ind(ind, f"{v.id}/{p.id}")


# ------------------------------------------------------------------ resolution


def unit_matches(name: str, unit: Unit, aliases: Mapping[str, str]) -> bool:
    return name == unit.name or aliases.get(name) == unit.name or name in unit.aliases


def sets_naming(ind: Indicator, unit: Unit, aliases: Mapping[str, str]) -> tuple[list[UnitSet], list[UnitSet]]:
    """The unit-specific sets that name ``unit``: (its own sets, generic sets that also name it)."""
    naming = [s for s in ind.by_unit if any(unit_matches(n, unit, aliases) for n in s.names)]
    return [s for s in naming if not s.default], [s for s in naming if s.default]


def pick_unit_set(ind: Indicator, unit: Unit, aliases: Mapping[str, str]) -> UnitSet | None:
    """A unit's own set wins; then a generic set that names it; then the generic set."""
    own, named_default = sets_naming(ind, unit, aliases)
    if own or named_default:
        return (own or named_default)[0]
    return next((s for s in ind.by_unit if s.default), None)


def resolve(rubric: Rubric, unit: Unit) -> Variant:
    """The variant a unit is scored on, with its own criteria and applicability decided."""
    variant = rubric.variant_for_group(unit.group)
    if variant is None:
        raise RubricError(
            [
                problem(
                    Code.R_NO_VARIANT, unit=unit.name, group=unit.group, groups="、".join(rubric.groups) or "(未设分组)"
                )
            ]
        )
    attrs = unit.attrs()

    def fix_crit(c: Criterion) -> Criterion:
        return replace(
            c,
            applicable=c.applies.applies(attrs),
            terms=tuple(replace(t, applicable=t.applies.applies(attrs)) for t in c.terms),
            vetoes=tuple(replace(v, applicable=v.applies.applies(attrs)) for v in c.vetoes),
        )

    def fix_ind(ind: Indicator) -> Indicator:
        crits = ind.criteria
        if ind.by_unit:
            chosen = pick_unit_set(ind, unit, rubric.aliases)
            crits = crits + (chosen.criteria if chosen else ())
        return replace(
            ind,
            criteria=tuple(fix_crit(c) for c in crits),
            indicators=tuple(fix_ind(i) for i in ind.indicators),
            by_unit=(),
        )

    def fix_part(p: Part) -> Part:
        return replace(p, parts=tuple(fix_part(x) for x in p.parts), indicators=tuple(fix_ind(i) for i in p.indicators))

    return replace(variant, parts=tuple(fix_part(p) for p in variant.parts))


# ------------------------------------------------------------------ check

_AWARD_TEXT = re.compile(r"得(\d+(?:\.\d+)?)分")


def term_reach(term: Term, crit: Criterion) -> Decimal | None:
    """The most a term can contribute (None: unbounded)."""
    if term.kind is TermKind.FLAG:
        out: Decimal | None = term.points
    elif term.kind in (TermKind.CHOICE,):
        out = max((p for _, p in term.choices), default=ZERO)
    elif term.kind in (TermKind.BANDS, TermKind.RATIO):
        out = max((b.points for b in term.bands), default=ZERO)
    elif term.kind is TermKind.ENTERED:
        out = crit.input(term.inputs[0]).max
    else:
        n = crit.input(term.inputs[0]).max
        out = None if n is None else n * term.points
    if term.cap is not None:
        out = term.cap if out is None else min(out, term.cap)
    return out


def _check_criterion(c: Criterion, file: str, where: str) -> list[Problem]:
    out: list[Problem] = []
    if c.style is Style.AWARD and c.max is not None:
        reach: Decimal | None = ZERO
        for t in c.terms:
            r = term_reach(t, c)
            reach = None if reach is None or r is None else reach + r
        if reach is not None and reach < c.max:
            out.append(
                problem(
                    Code.R_UNREACHABLE,
                    file=file,
                    path=where,
                    title=c.title,
                    reach=fmt_points(reach),
                    max=fmt_points(c.max),
                )
            )
        said = _AWARD_TEXT.findall(c.text)
        if len(said) == 1 and Decimal(said[0]) > c.max and "最高" not in c.text and "每" not in c.text:
            out.append(
                problem(
                    Code.R_TEXT_MAX, file=file, path=where, title=c.title, said=f"得{said[0]}分", max=fmt_points(c.max)
                )
            )
    return out


def _sum_problem(
    title: str, declared: Decimal | None, children: Sequence[Decimal | None], file: str, where: str, exact: bool
) -> list[Problem]:
    if declared is None or not children or any(x is None for x in children):
        return []
    actual = sum((x for x in children if x is not None), ZERO)
    bad = actual != declared if exact else actual < declared
    if bad:
        return [
            problem(
                Code.R_SUM, file=file, path=where, title=title, declared=fmt_points(declared), actual=fmt_points(actual)
            )
        ]
    return []


def check(rubric: Rubric, units: Sequence[Unit] = ()) -> list[Problem]:
    """Soundness of a parsed rubric, and of the rubric against a roster when given."""
    file = rubric.path
    out: list[Problem] = []

    def check_ind(ind: Indicator, where: str, bonus: bool) -> None:
        here = f"{where}/{ind.id}"
        kids: list[Decimal | None] = [i.max for i in ind.indicators] + [c.max for c in ind.criteria]
        out.extend(_sum_problem(ind.title, ind.max, kids, file, here, exact=not bonus))
        for c in ind.criteria:
            out.extend(_check_criterion(c, file, f"{here}/{c.id}"))
        for s in ind.by_unit:
            out.extend(
                _sum_problem(
                    f"{ind.title}({'、'.join(s.names[:2])}…)",
                    ind.max,
                    [c.max for c in s.criteria],
                    file,
                    here,
                    exact=True,
                )
            )
            for c in s.criteria:
                out.extend(_check_criterion(c, file, f"{here}/{c.id}"))
        for sub in ind.indicators:
            check_ind(sub, here, bonus)

    for v in rubric.variants:
        for p in v.walk_parts():
            where = f"{v.id}/{p.id}"
            if p.kind is PartKind.PENALTY:
                continue
            kids = [x.max for x in p.parts] + [i.max for i in p.indicators]
            out.extend(_sum_problem(p.title, p.max, kids, file, where, exact=p.kind is not PartKind.BONUS))
            for ind in p.indicators:
                check_ind(ind, where, p.kind is PartKind.BONUS)
        if rubric.declared_max is not None and len(rubric.variants) == 1 and v.max != rubric.declared_max:
            out.append(
                problem(
                    Code.R_SUM,
                    file=file,
                    path="max",
                    title=rubric.title,
                    declared=fmt_points(rubric.declared_max),
                    actual=fmt_points(v.max),
                )
            )
    if units:
        out.extend(check_units(rubric, units))
    return out


def check_units(rubric: Rubric, units: Sequence[Unit]) -> list[Problem]:
    file = rubric.path
    out: list[Problem] = []
    used_names = {n for v in rubric.variants for ind in all_indicators(v) for s in ind.by_unit for n in s.names}
    for alias in sorted(used_names | set(rubric.aliases)):
        hits = [u.name for u in units if unit_matches(alias, u, rubric.aliases)]
        if len(hits) > 1:
            out.append(problem(Code.R_ALIAS_MANY, file=file, path="aliases", alias=alias, units="、".join(hits)))
        elif not hits and alias in used_names:
            out.append(problem(Code.R_ALIAS_NONE, file=file, path="aliases", alias=alias))
    for u in units:
        variant = rubric.variant_for_group(u.group)
        if variant is None:
            out.append(
                problem(Code.R_NO_VARIANT, file=file, unit=u.name, group=u.group, groups="、".join(rubric.groups))
            )
            continue
        for ind in all_indicators(variant):
            if not ind.by_unit:
                continue
            own, named_default = sets_naming(ind, u, rubric.aliases)
            if own and named_default:
                out.append(
                    problem(
                        Code.R_UNIT_TWICE, file=file, unit=u.name, title=ind.title, chosen="、".join(own[0].names[:1])
                    )
                )
            elif not own and not named_default:
                if any(s.default for s in ind.by_unit):
                    out.append(problem(Code.R_UNIT_DEFAULT, file=file, unit=u.name, title=ind.title))
                else:
                    out.append(problem(Code.R_UNIT_NONE, file=file, unit=u.name, title=ind.title))
    return out


def all_indicators(v: Variant) -> Iterable[Indicator]:
    """Every indicator of a variant, at every level, in tree order."""

    def walk(ind: Indicator) -> Iterable[Indicator]:
        yield ind
        for sub in ind.indicators:
            yield from walk(sub)

    for p in v.walk_parts():
        for ind in p.indicators:
            yield from walk(ind)


# ------------------------------------------------------------------ JSON export (contract)


def _d(x: Decimal | None) -> float | int | None:
    if x is None:
        return None
    return int(x) if x == x.to_integral_value() else float(x)


def input_to_dict(i: Input) -> dict[str, Any]:
    out: dict[str, Any] = {"id": i.id, "label": i.label, "kind": i.kind.value}
    if i.max is not None:
        out["max"] = _d(i.max)
    if i.step is not None:
        out["step"] = _d(i.step)
    if i.options:
        out["options"] = list(i.options)
    out["required"] = i.required
    return out


def criterion_to_dict(c: Criterion) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "text": c.text,
        "max": _d(c.max),
        "style": c.style.value,
        "applicable": c.applicable,
        "evidence": c.evidence,
        "inputs": [input_to_dict(i) for i in (c.live_inputs() if c.applicable else c.inputs)],
        "rules": [
            {
                "kind": t.kind.value,
                "inputs": list(t.inputs),
                "applicable": t.applicable,
                **({"points": _d(t.points)} if t.kind in (TermKind.PER, TermKind.FLAG) else {}),
                **({"cap": _d(t.cap)} if t.cap is not None else {}),
                **({"choices": {k: _d(v) for k, v in t.choices}} if t.choices else {}),
                **(
                    {"bands": [{"op": b.op, "value": _d(b.value), "points": _d(b.points)} for b in t.bands]}
                    if t.bands
                    else {}
                ),
            }
            for t in c.terms
        ],
        "vetoes": [
            {
                "id": v.id,
                "reason": v.reason,
                "inputs": list(v.inputs),
                "op": v.op,
                "value": _d(v.value),
                "ratio": v.ratio,
                "applicable": v.applicable,
            }
            for v in c.vetoes
        ],
        "note": c.note,
    }


def indicator_to_dict(ind: Indicator) -> dict[str, Any]:
    out: dict[str, Any] = {"id": ind.id, "title": ind.title, "max": _d(ind.max), "level": ind.level}
    inputs = [input_to_dict(i) for c in ind.walk() for i in (c.live_inputs() if c.applicable else ())]
    out["inputs"] = inputs
    out["criteria"] = [criterion_to_dict(c) for c in ind.criteria]
    if ind.by_unit:
        out["by_unit"] = [
            {"units": list(s.names), "default": s.default, "criteria": [criterion_to_dict(c) for c in s.criteria]}
            for s in ind.by_unit
        ]
    if ind.indicators:
        out["indicators"] = [indicator_to_dict(i) for i in ind.indicators]
    if ind.note:
        out["note"] = ind.note
    return out


def part_to_dict(p: Part) -> dict[str, Any]:
    out: dict[str, Any] = {"id": p.id, "title": p.title, "max": _d(p.max), "kind": p.kind.value}
    if p.per_target:
        out["per_target"] = p.per_target
    if p.threshold:
        out["threshold"] = {"min": _d(p.threshold.min), "label": p.threshold.label}
    if p.gate:
        out["gate"] = {"part": p.gate.part, "min": _d(p.gate.min), "label": p.gate.label}
    out["veto_effect"] = p.veto_effect.value
    if p.indicators:
        out["indicators"] = [indicator_to_dict(i) for i in p.indicators]
    if p.parts:
        out["parts"] = [part_to_dict(x) for x in p.parts]
    if p.note:
        out["note"] = p.note
    return out


def rubric_to_dict(rubric: Rubric, variant: Variant | None = None, unit: Unit | None = None) -> dict[str, Any]:
    """The JSON contract of ``zwgk rubric show --json``."""
    variants = [variant] if variant is not None else list(rubric.variants)
    out: dict[str, Any] = {
        "id": rubric.id,
        "title": rubric.title,
        "year": rubric.year,
        "version": rubric.version,
        "hash": rubric.hash,
        "max": _d(max(v.max for v in variants)),
        "tiers": [{"label": t.label, "min": _d(t.min), "coefficient": _d(t.coefficient)} for t in rubric.tiers],
        "veto_tier": rubric.veto_tier,
        "notes": [{"id": n.id, "kind": n.kind, "text": n.text} for n in rubric.notes],
    }
    if unit is not None:
        out["unit"] = {"id": unit.id, "name": unit.name, "group": unit.group}
    if len(variants) == 1:
        v = variants[0]
        out["variant"] = {"id": v.id, "title": v.title, "groups": list(v.groups)}
        out["parts"] = [part_to_dict(p) for p in v.parts]
    else:
        out["variants"] = [
            {
                "id": v.id,
                "title": v.title,
                "groups": list(v.groups),
                "max": _d(v.max),
                "parts": [part_to_dict(p) for p in v.parts],
            }
            for v in variants
        ]
        out["parts"] = out["variants"][0]["parts"]
    return out


def maxima(v: Variant) -> dict[str, Decimal | None]:
    return {p.id: p.max for p in v.walk_parts()}


def is_flat(ind: Indicator) -> bool:
    """A one-criterion indicator written flat (the criterion is the indicator)."""
    return len(ind.criteria) == 1 and ind.criteria[0].id == ind.id and not ind.indicators


def walk_with_path(v: Variant) -> Iterable[tuple[Part, tuple[Indicator, ...], Criterion]]:
    """Every criterion with the part it sits in and its chain of indicators."""

    def walk(
        p: Part, ind: Indicator, chain: tuple[Indicator, ...]
    ) -> Iterable[tuple[Part, tuple[Indicator, ...], Criterion]]:
        chain = (*chain, ind)
        for c in ind.criteria:
            yield p, chain, c
        for sub in ind.indicators:
            yield from walk(p, sub, chain)

    for part in v.walk_parts():
        for ind in part.indicators:
            yield from walk(part, ind, ())
