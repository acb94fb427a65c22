"""Two revisions of a rubric side by side (``zwgk rubric diff A B``): what changed, in Chinese.

:func:`diff` compares the rubrics as read (comments and layout do not count) and gives one
:class:`Entry` per difference, in the order of :data:`SECTIONS`: 基本信息 (with aliases and
target kinds), 等次 by label, 类别 by id, then every 部分 / 指标 / 评分细则 by id (added, removed,
or changed field by field; per variant, an entry every variant shares named once), the 填写项 of
each criterion by id, 读法说明 by id.  Whether workbooks issued under A are still read under B is
:func:`zwgk_cli.workbook.revision.rubric_compatibility`'s question.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import NamedTuple

from zwgk_cli.model import (
    INPUT_KIND_LABELS,
    Applicability,
    Criterion,
    Gate,
    Indicator,
    Input,
    InputKind,
    Part,
    PartKind,
    Rubric,
    Style,
    Term,
    TermKind,
    Threshold,
    Tier,
    Variant,
    fmt_points,
)
from zwgk_cli.rubric.resolve import is_flat
from zwgk_cli.rules import OP_TEXT, num

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
CHANGE_LABELS = {ADDED: "新增", REMOVED: "删除", CHANGED: "修改"}
SECTIONS = ("基本信息", "等次", "类别", "部分", "指标", "评分细则", "填写项", "读法说明")
META, TIERS, VARIANTS, PART, INDICATOR, CRITERION, INPUT, NOTES = SECTIONS

STYLE_LABELS = {Style.AWARD: "得分", Style.DEDUCT: "扣分", Style.PENALTY: "通报扣分"}
LIST_SEP = "\n"  # between the rules (vetoes) of a criterion's field: compared one by one
PART_KIND_LABELS = {PartKind.NORMAL: "一般", PartKind.BONUS: "加分", PartKind.PENALTY: "扣分(不设上限)"}


@dataclass(frozen=True)
class Entry:
    """One difference: in ``section``, ``id`` (titled ``title``) was added, removed, or had
    ``field`` changed from ``before`` to ``after``; ``variants`` names the variants it concerns
    when the rubric has several and not all of them share it."""

    section: str
    change: str
    id: str
    title: str = ""
    field: str = ""
    before: str = ""
    after: str = ""
    variants: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        """What changed: ``评分细则 a1 栏目 · 分值``."""
        bits = [self.section, self.id, *([self.title] if self.title and self.title != self.id else [])]
        text = " ".join(bits) + (f"(类别:{'、'.join(self.variants)})" if self.variants else "")
        return f"{text} · {self.field}" if self.field else text

    def text(self) -> str:
        """The entry as one plain line."""
        head = f"{CHANGE_LABELS[self.change]} {self.subject}"
        if self.change == ADDED:
            return f"{head}:{self.after}" if self.after else head
        if self.change == REMOVED:
            return f"{head}(原为:{self.before})" if self.before else head
        return f"{head}:{self.before or '(无)'} → {self.after or '(无)'}"

    def to_dict(self) -> dict[str, object]:
        """The fields (``field`` and ``variants`` only when set), then :meth:`text`."""
        d = asdict(self) | {"variants": list(self.variants), "text": self.text()}
        return {k: v for k, v in d.items() if v or k not in ("field", "variants")}


@dataclass(frozen=True)
class RubricDiff:
    old: Rubric
    new: Rubric
    entries: tuple[Entry, ...]

    @property
    def identical(self) -> bool:
        """The same content (the same hash): nothing at all changed."""
        return self.old.hash == self.new.hash and not self.entries


def rubric_label(rid: str, version: str, rhash: str) -> str:
    """A revision of a rubric as every message names it: ``mini(版本1,8ba087b8bdcfd4c6)``."""
    bits = [b for b in (f"版本{version}" if version else "", rhash) if b]
    return f"{rid}({','.join(bits)})" if bits else rid


def label(r: Rubric) -> str:
    """The revision ``r`` is (:func:`rubric_label`)."""
    return rubric_label(r.id, r.version, r.hash)


def applicability_text(a: Applicability) -> str:
    """``仅当 督促指导任务为是;不适用于 分组为部门`` (empty: always)."""
    bits = (("仅当", "且", a.only_if), ("不适用于", "或", a.not_if))
    return ";".join(head + sep.join(c.describe() for c in conds) for head, sep, conds in bits if conds)


def input_text(i: Input) -> str:
    """An input's kind and bounds: ``个数,上限3`` / ``选项(甲/乙)``."""
    text = INPUT_KIND_LABELS[i.kind]
    if i.kind is InputKind.CHOICE and i.options:
        text += f"({'/'.join(i.options)})"
    bits = [text, *(f"{word}{num(x)}" for word, x in (("上限", i.max), ("步长", i.step)) if x is not None)]
    return ",".join(bits if i.required else [*bits, "选填"])


def term_text(t: Term, labels: Mapping[str, str]) -> str:
    """One rule: ``空白栏目 每个0.5分`` / ``行政复议纠错率 超过15% → 1分``."""
    names = [labels.get(i, i) for i in t.inputs]
    what = t.label or "/".join(names)
    if t.kind is TermKind.PER:
        text = f"{what} 每个{num(t.points)}分"
    elif t.kind is TermKind.FLAG:
        text = f"{what} 为“是” {num(t.points)}分"
    elif t.kind is TermKind.CHOICE:
        text = f"{what} " + "、".join(f"{k} {num(v)}分" for k, v in t.choices)
    elif t.kind is TermKind.ENTERED:
        text = f"{what} 评估人员赋分"
    else:
        pct = "%" if t.kind is TermKind.RATIO else ""
        text = f"{what} " + "、".join(f"{OP_TEXT[b.op]}{num(b.value)}{pct} {num(b.points)}分" for b in t.bands)
    if t.cap is not None:
        text += f"(最多{num(t.cap)}分)"
    cond = applicability_text(t.applies)
    return f"{text}({cond})" if cond else text


def _veto_texts(c: Criterion) -> list[str]:
    labels = {i.id: i.label for i in c.inputs}
    out = []
    for v in c.vetoes:
        what = "/".join(labels.get(i, i) for i in v.inputs)
        if v.ratio:
            cond = f"比例{OP_TEXT[v.op]}{num(v.value)}%"
        elif any(i.id == v.inputs[0] and i.kind is InputKind.YES_NO for i in c.inputs):
            cond = "为“是”"
        else:
            cond = f"{OP_TEXT[v.op]}{num(v.value)}"
        extra = applicability_text(v.applies)
        out.append(f"{v.reason}({what}{cond}{';' + extra if extra else ''})")
    return out


def _criterion_fields(c: Criterion, place: str) -> dict[str, str]:
    labels = {i.id: i.label for i in c.inputs}
    return {
        "名称": c.title,
        "分值": fmt_points(c.max),
        "原文": c.text,
        "计分方式": STYLE_LABELS[c.style],
        "计分规则": LIST_SEP.join(term_text(t, labels) for t in c.terms),
        "否决项": LIST_SEP.join(_veto_texts(c)),
        "适用条件": applicability_text(c.applies),
        "佐证材料": "需要" if c.evidence else "",
        "不适用时": "得0分" if c.na_points == "zero" else "得满分",
        "说明": c.note,
        "位置": place,
    }


def _indicator_fields(ind: Indicator, place: str) -> dict[str, str]:
    return {
        "名称": ind.title,
        "分值": fmt_points(ind.max),
        "专属细则": "；".join("、".join(s.names) + ("(通用)" if s.default else "") for s in ind.by_unit),
        "说明": ind.note,
        "位置": place,
    }


VETO_EFFECTS = {"none": "不影响得分", "zero": "该部分得0分", "stop": "停止评分(该对象或单位其余各项不再评分)"}


def _line(t: Threshold | Gate | None) -> str:
    """A pass line as the diff shows it: 达到60分(不合格), 超过80分 …"""
    return f"{'超过' if t.op == '>' else '达到'}{num(t.min)}分({t.label})" if t is not None else ""


def _rescale(p: Part) -> str:
    r = p.rescale
    if r is None:
        return ""
    factor = "按适用部分折算到满分" if r.factor is None else f"乘以{r.factor}"
    return f"{factor},{'折算后' if r.round == 'after' else '折算前'}保留{r.places}位小数"


def _part_fields(p: Part, place: str, kinds: Mapping[str, str]) -> dict[str, str]:
    return {
        "名称": p.title,
        "分值": fmt_points(p.max),
        "类型": PART_KIND_LABELS[p.kind],
        "按对象评分": kinds.get(p.per_target, p.per_target) if p.per_target else "",
        "合格线": _line(p.threshold),
        "加分门槛": f"{p.gate.part}{_line(p.gate)}" if p.gate else "",
        "否决效果": VETO_EFFECTS.get(p.veto_effect.value, p.veto_effect.value),
        "折算": _rescale(p),
        "说明": p.note,
        "位置": place,
    }


class Node(NamedTuple):
    section: str
    id: str
    title: str
    fields: Mapping[str, str]
    inputs: Mapping[str, Input]
    children: tuple[str, ...]  # ids of its parts, indicators and criteria (of a criterion: its inputs)


def _nodes(v: Variant, kinds: Mapping[str, str]) -> dict[tuple[str, str], Node]:
    """Every part, indicator and criterion of a variant by (section, id), with the fields the
    diff compares; a flat indicator (one criterion written as the indicator) is one criterion."""
    out: dict[tuple[str, str], Node] = {}

    def crit(c: Criterion, place: str) -> None:
        inputs = {i.id: i for i in c.inputs}
        out[(CRITERION, c.id)] = Node(CRITERION, c.id, c.title, _criterion_fields(c, place), inputs, tuple(inputs))

    def ind(i: Indicator, place: str) -> None:
        if is_flat(i):
            crit(i.criteria[0], place)
            return
        children = (*(c.id for c in i.criteria), *(sub.id for sub in i.indicators))
        out[(INDICATOR, i.id)] = Node(INDICATOR, i.id, i.title, _indicator_fields(i, place), {}, children)
        for c in i.criteria:
            crit(c, i.id)
        for s in i.by_unit:
            for c in s.criteria:
                crit(c, f"{i.id}({'、'.join(s.names)})")
        for sub in i.indicators:
            ind(sub, i.id)

    def part(p: Part, place: str) -> None:
        children = (*(i.id for i in p.indicators), *(sub.id for sub in p.parts))
        out[(PART, p.id)] = Node(PART, p.id, p.title, _part_fields(p, place, kinds), {}, children)
        for i in p.indicators:
            ind(i, p.id)
        for sub in p.parts:
            part(sub, p.id)

    for p in v.parts:
        part(p, "")
    return out


def order_entry(section: str, nid: str, title: str, old: Sequence[str], new: Sequence[str]) -> Entry | None:
    """An entry when the children both revisions have come in another order (children added
    or removed are entries of their own)."""
    kept_old = [c for c in old if c in set(new)]
    kept_new = [c for c in new if c in set(old)]
    if kept_old == kept_new:
        return None
    field = "填写项次序" if section == CRITERION else "下级次序"
    return Entry(section, CHANGED, nid, title, field, "、".join(kept_old), "、".join(kept_new))


def _summary(fields: Mapping[str, str]) -> str:
    bits = [f"{k}{v}" if k == "分值" else v for k, v in fields.items() if k in ("名称", "分值") and v]
    return ",".join(bits)


def _node_entries(old: Mapping[tuple[str, str], Node], new: Mapping[tuple[str, str], Node]) -> list[Entry]:
    out: list[Entry] = []
    for key, (section, nid, title, fields, _, children) in old.items():
        if key not in new:
            out.append(Entry(section, REMOVED, nid, title, before=_summary(fields)))
            continue
        b = new[key]
        title = b.title or title
        for name, before in fields.items():
            if before != b.fields.get(name, ""):
                out.append(Entry(section, CHANGED, nid, title, name, *_changed_items(before, b.fields.get(name, ""))))
        out.extend(e for e in [order_entry(section, nid, title, children, b.children)] if e is not None)
    out.extend(Entry(n.section, ADDED, n.id, n.title, after=_summary(n.fields)) for k, n in new.items() if k not in old)
    for key in [*old, *(k for k in new if k not in old)]:  # the 填写项 (a section after these) of each
        out += _keyed(INPUT, _inputs(old.get(key)), _inputs(new.get(key)), lambda fields: fields["类型"])
    return out


def _inputs(n: Node | None) -> dict[str, dict[str, str]]:
    if n is None:
        return {}
    return {f"{n.id}.{i.id}": {"名称": i.label, "类型": input_text(i), "填写说明": i.hint} for i in n.inputs.values()}


def _changed_items(before: str, after: str) -> tuple[str, str]:
    """A field that lists rules (vetoes) one per line: only the rules that differ, each side
    joined by ``；`` (all of them when only their order changed)."""
    old, new = before.split(LIST_SEP), after.split(LIST_SEP)
    gone, came = [t for t in old if t not in new], [t for t in new if t not in old]
    if not gone and not came:
        gone, came = old, new
    return "；".join(t for t in gone if t), "；".join(t for t in came if t)


def _joined(fields: Mapping[str, str]) -> str:
    return ",".join(v for v in fields.values() if v)


def _keyed(
    section: str,
    old: Mapping[str, Mapping[str, str]],
    new: Mapping[str, Mapping[str, str]],
    summary: Callable[[Mapping[str, str]], str] = _joined,
) -> list[Entry]:
    """Entries for records keyed by id, each a mapping of field → text (titled by its 名称)."""
    out: list[Entry] = []
    for k, a in old.items():
        b = new.get(k)
        title = (b or a).get("名称", "")
        if b is None:
            out.append(Entry(section, REMOVED, k, title, before=summary(a)))
        else:
            out.extend(Entry(section, CHANGED, k, title, f, a[f], b.get(f, "")) for f in a if a[f] != b.get(f, ""))
    out.extend(Entry(section, ADDED, k, b.get("名称", ""), after=summary(b)) for k, b in new.items() if k not in old)
    return out


def _meta(r: Rubric) -> dict[str, str]:
    return {
        "编号": r.id,
        "名称": r.title,
        "年度": str(r.year),
        "版本": r.version,
        "来源": r.source,
        "满分": fmt_points(r.max),
        "否决等次": r.veto_tier,
        "否决标记": r.veto_label,
        "对象类型": "、".join(f"{k.id}({k.title})" for k in r.target_kinds),
        "单独排名的对象": "、".join(f"{k.title}(合格线:{_line(k.threshold) or '无'})" for k in r.assessed_kinds),
        "单位排名": "是" if r.rank_units else "否",
        "总分合格线": _line(r.pass_line),
    }


def diff(old: Rubric, new: Rubric) -> RubricDiff:
    """Every difference between two revisions of a rubric (see the module docstring)."""
    meta_a, meta_b = _meta(old), _meta(new)
    entries = [Entry(META, CHANGED, "细则", "", f, meta_a[f], meta_b[f]) for f in meta_a if meta_a[f] != meta_b[f]]

    keyed_a, keyed_b = _keyed_records(old), _keyed_records(new)
    for section in (META, TIERS, VARIANTS):
        entries += _keyed(section, keyed_a[section], keyed_b[section])
    kinds_a = {k.id: k.title for k in old.target_kinds}
    kinds_b = {k.id: k.title for k in new.target_kinds}
    several = len(old.variants) > 1 or len(new.variants) > 1
    shared = [v.id for v in old.variants if any(w.id == v.id for w in new.variants)]
    found: dict[Entry, list[str]] = {}
    for vid in shared:
        va, vb = old.variant(vid), new.variant(vid)
        moved = order_entry(VARIANTS, vid, vb.title, [p.id for p in va.parts], [p.id for p in vb.parts])
        for e in [*([moved] if moved else []), *_node_entries(_nodes(va, kinds_a), _nodes(vb, kinds_b))]:
            found.setdefault(e, []).append(vb.title or vid)
    nodes = [
        replace(e, variants=tuple(where)) if several and len(where) < len(shared) else e for e, where in found.items()
    ]
    entries += sorted(nodes, key=lambda e: SECTIONS.index(e.section))  # stable: tree order within
    entries += _keyed(NOTES, keyed_a[NOTES], keyed_b[NOTES])
    return RubricDiff(old, new, tuple(entries))


def _keyed_records(r: Rubric) -> dict[str, dict[str, dict[str, str]]]:
    """What is compared by key, section by section: aliases (in 基本信息), tiers, variants, notes."""
    return {
        META: {f"简称“{k}”": {"全称": v} for k, v in r.aliases.items()},
        TIERS: {t.label: _tier(t) for t in r.tiers},
        VARIANTS: {v.id: _variant(v) for v in r.variants},
        NOTES: {n.id: {"内容": n.text, "类型": n.kind} for n in r.notes},
    }


def _tier(t: Tier) -> dict[str, str]:
    return {
        "下限": "(其余)" if t.min is None else fmt_points(t.min),
        "系数": "" if t.coefficient is None else num(t.coefficient),
    }


def _variant(v: Variant) -> dict[str, str]:
    return {
        "名称": v.title,
        "适用分组": "、".join(v.groups) or "全部单位",
        "适用条件": "、".join(f"{c.attribute}={'/'.join(c.values)}" for c in v.when),
        "满分": fmt_points(v.max),
    }
