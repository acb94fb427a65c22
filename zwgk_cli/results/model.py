"""``scores.json`` (``zwgk-scores/1``, written by :mod:`zwgk_cli.results.document`) read back into
frozen dataclasses.  :func:`load` and :func:`parse` check every field as its dataclass type says and
raise :class:`ScoresError`, a Chinese message naming the field (``units[3].total``).  Numbers become
exact Decimals; what nobody reads back (``indicators`` trees, ``trace``) is skipped, and missing
optional fields take their empty value, so a file of an older zwgk still loads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from zwgk_cli.model import ZERO, Tier, fmt_points
from zwgk_cli.results.document import FORMAT, STATUS_LABELS, STATUS_SCORED
from zwgk_cli.workbook.values import absurd

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Found = Decimal | str | None  # what the assessor entered for one input


class ScoresError(ValueError):
    """The file is not a usable ``scores.json``: the message says where and why, in Chinese."""


# ------------------------------------------------------------------ the contract


@dataclass(frozen=True)
class Column:
    """A part (or sub-part) of a variant, as a column of the ranking tables."""

    id: str
    title: str
    max: Decimal | None
    kind: str  # normal | bonus | penalty (a synthetic "total" column in the ranking)
    depth: int  # 0 = top-level part
    per_target: str | None = None

    @property
    def header(self) -> str:
        if self.kind == "penalty":
            return f"{self.title}(扣分)"
        return f"{self.title}({fmt_points(self.max)}分)" if self.max is not None else self.title


@dataclass(frozen=True)
class VariantInfo:
    id: str
    title: str
    groups: tuple[str, ...]
    max: Decimal | None


@dataclass(frozen=True)
class PartTarget:
    """One website (or account) of a part scored per target."""

    target: str
    name: str
    points: Decimal | None
    passed: bool | None
    vetoed: bool


@dataclass(frozen=True)
class PartResult:
    id: str
    title: str
    max: Decimal | None
    points: Decimal | None
    raw: Decimal | None
    kind: str
    counted: bool | None
    passed: bool | None
    vetoed: bool
    parts: tuple[PartResult, ...]
    targets: tuple[PartTarget, ...]

    def walk(self) -> tuple[PartResult, ...]:
        """This part and its sub-parts, in tree order."""
        return (self, *(p for sub in self.parts for p in sub.walk()))


@dataclass(frozen=True)
class UnitTarget(PartTarget):
    """A website of the unit with its points in the part it belongs to."""

    part: str


@dataclass(frozen=True)
class VetoRecord:
    target: str
    target_name: str
    part: str
    indicator: str
    criterion: str
    reason: str


@dataclass(frozen=True)
class MissingInput:
    target: str
    criterion: str
    input: str


@dataclass(frozen=True)
class CriterionRow:
    """One (target, criterion) row of a unit: what was found and what it cost."""

    target: str
    target_name: str
    part: str
    indicators: tuple[str, ...]
    indicator_titles: tuple[str, ...]
    criterion: str
    title: str
    text: str
    style: str  # deduct | award | penalty | …
    max: Decimal | None
    points: Decimal | None
    lost: Decimal | None
    applicable: bool
    evidence_missing: bool
    inputs: tuple[tuple[str, str], ...]  # (input id, label), in rubric order
    found: Mapping[str, Found]  # input id → value
    note: str  # the assessor's 扣分说明
    vetoes: tuple[str, ...]
    trace: tuple[str, ...]
    cells: tuple[tuple[str, str, str], ...] = ()  # (input id, sheet, cell) where each input was read
    file: str = ""  # the file its inputs were read from, when the unit was merged from several (检查组)

    def cells_of(self, inputs: tuple[str, ...] | None = None) -> tuple[tuple[str, str], ...]:
        """``(sheet, cell)`` of the given inputs (all when ``None``), in rubric order."""
        return tuple((s, c) for i, s, c in self.cells if inputs is None or i in inputs)

    team: str = ""  # the 检查组 that checks it (a campaign with teams)

    @property
    def is_finding(self) -> bool:
        """Whether the unit lost points here or a veto fired: a line of its 整改清单."""
        return self.applicable and ((self.lost or ZERO) > 0 or bool(self.vetoes))


@dataclass(frozen=True)
class UnitResult:
    unit: str
    unit_id: str
    group: str
    variant: str
    status: str  # scored | incomplete | invalid | missing
    total: Decimal | None
    max: Decimal | None
    parts: tuple[PartResult, ...]  # top-level parts, in rubric order
    targets: tuple[UnitTarget, ...]
    vetoes: tuple[VetoRecord, ...]
    vetoed: bool
    bonus_counted: bool | None
    thresholds: tuple[tuple[str, str], ...]  # (part id or part/target, 合格 | 不合格)
    tier: str | None
    coefficient: Decimal | None
    penalties: Decimal | None
    missing: tuple[MissingInput, ...]
    criteria: tuple[CriterionRow, ...]
    files: tuple[str, ...]
    errors: int
    warnings: int
    passed: bool | None = None  # 合格 / 不合格 as scored, where the rubric defines 合格

    @property
    def scored(self) -> bool:
        return self.status == STATUS_SCORED

    def all_parts(self) -> tuple[PartResult, ...]:
        """Every part and sub-part, in tree order."""
        return tuple(p for top in self.parts for p in top.walk())


@dataclass(frozen=True)
class TargetKindInfo:
    """A target kind assessed in its own right (政府网站, 政务新媒体)."""

    id: str
    title: str
    threshold: Decimal | None  # the pass line of a target's total
    fail_label: str  # the word below it (不合格)
    verdict: bool  # the rubric defines 合格/不合格 for these targets
    max: Mapping[str, Decimal | None]  # variant id → a target's highest total


@dataclass(frozen=True)
class TargetResult:
    """One target of an assessed kind, with its owning unit, total, verdict and rank."""

    kind: str
    target: str
    name: str
    url: str
    unit: str
    unit_id: str
    group: str
    status: str  # its unit's: scored | incomplete | invalid | missing
    points: Decimal | None
    max: Decimal | None
    passed: bool | None
    vetoed: bool
    complete: bool
    reasons: tuple[str, ...]  # veto reasons
    below: tuple[str, ...]  # parts below their pass line
    rank: int | None
    tied: bool

    @property
    def assessed(self) -> bool:
        """Its unit's scoring is finished: it has a total and a verdict (vetoed included)."""
        return self.status == STATUS_SCORED and self.complete and self.points is not None


@dataclass(frozen=True)
class Scores:
    """The whole ``scores.json`` document."""

    format: str
    tool_version: str
    rubric: str
    rubric_title: str
    rubric_version: str
    rubric_hash: str
    campaign: Mapping[str, str]  # the campaign settings recorded by zwgk score, as text
    groups: tuple[str, ...]
    tiers: tuple[Tier, ...]
    veto_tier: str
    veto_label: str
    columns: Mapping[str, tuple[Column, ...]]  # variant id → its part columns
    variants: Mapping[str, VariantInfo]
    units: tuple[UnitResult, ...]
    rank_units: bool = True  # False: only the assessed target kinds are ranked
    target_kinds: tuple[TargetKindInfo, ...] = ()
    targets: tuple[TargetResult, ...] = ()  # kind by kind, as ranked
    round: int | None = None  # the round of zwgk score it is (None: written before rounds were kept)

    def columns_of(self, variant: str) -> tuple[Column, ...]:
        return self.columns.get(variant, ())


# ------------------------------------------------------------------ reading


def dec(value: Any) -> Decimal | None:
    """A JSON number (≤ 2 decimals) as an exact Decimal; ``None`` stays ``None``."""
    if value is None or isinstance(value, bool):
        return None
    return Decimal(str(value))


_KINDS = {dict: "对象", list: "列表", str: "文字", bool: "true/false", int: "数字", float: "数字"}


class _Reader:
    """Typed access to the decoded JSON; every error names the field's path."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, what: str) -> ScoresError:
        return ScoresError(f"{self.source} 不是有效的评分结果文件:{where} {what}。请重新运行 zwgk score 生成。")

    def shown(self, value: Any) -> str:
        if value is None:
            return "null"
        kind = _KINDS.get(type(value))
        text = json.dumps(value, ensure_ascii=False)
        return f"{kind}{text[:40]}" if kind and not isinstance(value, dict | list) else (kind or type(value).__name__)

    def obj(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"应为对象,实为{self.shown(value)}")
        return value

    def typed(self, d: Mapping[str, Any], key: str, where: str, kind: Any, what: str, required: bool = False) -> Any:
        """``d[key]`` if it is a ``kind`` (not a bool), ``what`` in the message; ``None`` when absent."""
        value = d.get(key)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, kind):
            raise self.fail(_at(where, key), "缺失" if value is None else f"应为{what},实为{self.shown(value)}")
        return value

    def items(self, d: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> list[Any]:
        return self.typed(d, key, where, list, "列表", required) or []

    def mapping(self, d: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        return self.typed(d, key, where, dict, "对象") or {}

    def text_map(self, d: Mapping[str, Any], key: str, where: str) -> Mapping[str, str]:
        value = self.mapping(d, key, where)
        for k, v in value.items():
            if not isinstance(v, str):
                raise self.fail(f"{where}.{key}.{k}", "应为文字")
        return value

    def text(self, d: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
        return self.typed(d, key, where, str, "文字", required) or ""

    def opt_text(self, d: Mapping[str, Any], key: str, where: str) -> str | None:
        return self.text(d, key, where) if d.get(key) is not None else None

    def number(self, d: Mapping[str, Any], key: str, where: str) -> Decimal | None:
        value = dec(self.typed(d, key, where, int | float, "数字"))
        if value is not None and (not value.is_finite() or absurd(value)):  # beyond what any cell may hold (V019)
            raise self.fail(_at(where, key), f"超出合理范围,实为{self.shown(d[key])}")
        return value

    def count(self, d: Mapping[str, Any], key: str, where: str, *, least: int = 0, default: Any = 0) -> Any:
        """A whole number ≥ ``least`` (``default`` when absent)."""
        value = d.get(key, default)
        if value is default:  # absent (or null, where null is the default)
            return value
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise self.fail(_at(where, key), f"应为{'正' if least else '非负'}整数,实为{self.shown(value)}")
        return value

    def flag(self, d: Mapping[str, Any], key: str, where: str, default: bool = False) -> bool:
        value = d.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(_at(where, key), f"应为 true 或 false,实为{self.shown(value)}")
        return value

    def opt_flag(self, d: Mapping[str, Any], key: str, where: str) -> bool | None:
        return None if d.get(key) is None else self.flag(d, key, where)

    def texts(self, d: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        out = []
        for i, v in enumerate(self.items(d, key, where)):
            if not isinstance(v, str):
                raise self.fail(f"{_at(where, key)}[{i}]", f"应为文字,实为{self.shown(v)}")
            out.append(v)
        return tuple(out)

    def found(self, value: Any, where: str) -> Found:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"应为数字或文字,实为{self.shown(value)}")
        return Decimal(str(value))

    def objects(
        self, d: Mapping[str, Any], key: str, where: str, *, required: bool = False
    ) -> list[tuple[Mapping[str, Any], str]]:
        return [
            (self.obj(v, f"{_at(where, key)}[{i}]"), f"{_at(where, key)}[{i}]")
            for i, v in enumerate(self.items(d, key, where, required=required))
        ]

    def entries(self, d: Mapping[str, Any], key: str, where: str) -> Iterator[tuple[str, Mapping[str, Any], str]]:
        """``(id, object, its path)`` of an object of objects, each checked as it is reached."""
        for k, v in self.mapping(d, key, where).items():
            yield k, self.obj(v, f"{_at(where, key)}.{k}"), f"{_at(where, key)}.{k}"

    def status(self, d: Mapping[str, Any], where: str) -> str:
        status = self.text(d, "status", where, required=True)
        if status not in STATUS_LABELS:
            raise self.fail(f"{where}.status", f"应为 {'、'.join(STATUS_LABELS)} 之一,实为“{status}”")
        return status

    def record(self, cls: type[_T], d: Mapping[str, Any], where: str, **given: Any) -> _T:
        """A ``cls`` from the object ``d``, field by field in their order: as its type says
        (:data:`_BY_TYPE`), or as ``given`` (a value, or a function called in the field's turn)."""
        values = {}
        for f in fields(cls):
            if f.name in given:
                value = given[f.name]
                values[f.name] = value() if callable(value) else value
            else:
                values[f.name] = _BY_TYPE[f.type](self, d, f.name, where)
        return cls(**values)


_T = TypeVar("_T", bound="DataclassInstance")
_BY_TYPE: dict[Any, Callable[..., Any]] = {  # a field's type as written → how it is read
    "str": _Reader.text,
    "str | None": _Reader.opt_text,
    "Decimal | None": _Reader.number,
    "bool": _Reader.flag,
    "bool | None": _Reader.opt_flag,
    "tuple[str, ...]": _Reader.texts,
    "int": _Reader.count,
}


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _part(r: _Reader, pid: str, d: Mapping[str, Any], where: str) -> PartResult:
    return r.record(
        PartResult,
        d,
        where,
        id=pid,
        kind=lambda: r.text(d, "kind", where) or "normal",
        parts=lambda: tuple(_part(r, sid, sd, sw) for sid, sd, sw in r.entries(d, "parts", where)),
        targets=lambda: tuple(r.record(PartTarget, t, tw) for t, tw in r.objects(d, "targets", where)),
    )


def _criterion(r: _Reader, d: Mapping[str, Any], where: str) -> CriterionRow:
    inputs = r.text_map(d, "inputs", where)
    found = {k: r.found(v, f"{where}.found.{k}") for k, v in r.mapping(d, "found", where).items()}
    cells = [
        (k, r.text(c, "sheet", w), r.text(c, "cell", w), r.text(c, "file", w))
        for k, c, w in r.entries(d, "cells", where)
    ]
    return r.record(
        CriterionRow,
        d,
        where,
        criterion=lambda: r.text(d, "criterion", where, required=True),
        applicable=lambda: r.flag(d, "applicable", where, default=True),
        inputs=tuple(inputs.items()),
        found=found,
        cells=tuple(c[:3] for c in cells),
        file=next((c[3] for c in cells if c[3]), ""),
    )


def _unit(r: _Reader, d: Mapping[str, Any], where: str) -> UnitResult:
    status = r.status(d, where)
    thresholds = r.text_map(d, "thresholds", where)
    problems = r.mapping(d, "problems", where)

    def veto(v: Mapping[str, Any], vw: str) -> VetoRecord:
        return r.record(VetoRecord, v, vw, reason=lambda: r.text(v, "reason", vw, required=True))

    unit, unit_id = (r.text(d, key, where, required=True) for key in ("unit", "unit_id"))
    return r.record(
        UnitResult,
        d,
        where,
        unit=unit,
        unit_id=unit_id,
        status=status,
        parts=lambda: tuple(_part(r, pid, pd, pw) for pid, pd, pw in r.entries(d, "parts", where)),
        targets=lambda: tuple(r.record(UnitTarget, t, tw) for t, tw in r.objects(d, "targets", where)),
        vetoes=lambda: tuple(veto(v, vw) for v, vw in r.objects(d, "vetoes", where)),
        thresholds=tuple(thresholds.items()),
        missing=lambda: tuple(r.record(MissingInput, m, mw) for m, mw in r.objects(d, "missing", where)),
        criteria=lambda: tuple(_criterion(r, c, cw) for c, cw in r.objects(d, "criteria", where)),
        errors=lambda: r.count(problems, "error", f"{where}.problems"),
        warnings=lambda: r.count(problems, "warning", f"{where}.problems"),
    )


def _kind(r: _Reader, k: Mapping[str, Any], w: str) -> TargetKindInfo:
    line, maxima = r.mapping(k, "threshold", w), r.mapping(k, "max", w)
    return r.record(
        TargetKindInfo,
        k,
        w,
        id=lambda: r.text(k, "id", w, required=True),
        threshold=lambda: r.number(line, "min", f"{w}.threshold"),
        fail_label=lambda: r.text(line, "label", f"{w}.threshold") or "不合格",
        max=lambda: {vid: r.number(maxima, vid, f"{w}.max") for vid in maxima},
    )


def parse(data: Any, source: str = "scores.json") -> Scores:
    """A decoded ``scores.json`` document as :class:`Scores`; :class:`ScoresError` when it is
    not one (``source`` names the file in the message)."""
    r = _Reader(source)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ScoresError(
            f"{source} 不是 zwgk 评分结果文件(应为 {FORMAT} 格式)。请指定 zwgk score 生成的 scores.json。"
        )
    campaign: dict[str, str] = {}
    for k, v in r.mapping(data, "campaign", "").items():
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise r.fail(f"campaign.{k}", f"应为文字或数字,实为{r.shown(v)}")
        campaign[k] = "" if not isinstance(v, str) and v == 0 else str(v)  # 0 is an unset year

    def column(c: Mapping[str, Any], w: str) -> Column:
        cid = r.text(c, "id", w, required=True)
        return r.record(Column, c, w, id=cid, kind=lambda: r.text(c, "kind", w) or "normal")

    columns: dict[str, tuple[Column, ...]] = {}
    for vid, cols in r.mapping(data, "columns", "").items():
        if not isinstance(cols, list):
            raise r.fail(f"columns.{vid}", "应为列表")
        items = [(r.obj(c, f"columns.{vid}[{i}]"), f"columns.{vid}[{i}]") for i, c in enumerate(cols)]
        columns[vid] = tuple(column(c, w) for c, w in items)
    variants = {
        vid: r.record(VariantInfo, v, w, id=vid, title=r.text(v, "title", w) or vid)
        for vid, v, w in r.entries(data, "variants", "")
    }
    tiers = tuple(
        Tier(r.text(t, "label", w, required=True), r.number(t, "min", w), r.number(t, "coefficient", w))
        for t, w in r.objects(data, "tiers", "")
    )
    units = tuple(_unit(r, u, w) for u, w in r.objects(data, "units", "", required=True))
    seen: dict[str, int] = {}
    for i, u in enumerate(units):
        if u.unit_id in seen:
            raise r.fail(f"units[{i}].unit_id", f"“{u.unit_id}”与 units[{seen[u.unit_id]}] 重复(单位编号应唯一)")
        seen[u.unit_id] = i

    def target(t: Mapping[str, Any], w: str) -> TargetResult:
        status = r.status(t, w)
        rank = r.count(t, "rank", w, least=1, default=None)
        kind, target = (r.text(t, key, w, required=True) for key in ("kind", "target"))
        return r.record(TargetResult, t, w, status=status, rank=rank, kind=kind, target=target)

    return r.record(
        Scores,
        data,
        "",
        format=FORMAT,
        campaign=campaign,
        tiers=tiers,
        veto_tier=lambda: r.text(data, "veto_tier", "") or "不合格",
        veto_label=lambda: r.text(data, "veto_label", "") or "否决",
        columns=columns,
        variants=variants,
        units=units,
        rank_units=lambda: r.flag(data, "rank_units", "", default=True),
        target_kinds=lambda: tuple(_kind(r, k, w) for k, w in r.objects(data, "target_kinds", "")),
        targets=lambda: tuple(target(t, w) for t, w in r.objects(data, "targets", "")),
        round=lambda: r.count(data, "round", "", least=1, default=None),
    )


def load(path: Path) -> Scores:
    """Read and check ``scores.json``; :class:`ScoresError` (a Chinese message) when the file is
    missing, unreadable, not JSON or not a zwgk results file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScoresError(f"{path} 不存在。请先运行 zwgk score 生成评分结果,或指定 scores.json 的位置。") from None
    except IsADirectoryError:
        raise ScoresError(f"{path} 是一个目录,不是评分结果文件。") from None
    except UnicodeDecodeError:
        raise ScoresError(f"{path} 不是 UTF-8 编码的文本,不是 zwgk 评分结果文件。") from None
    except OSError as exc:
        from zwgk_cli.problems import os_reason

        raise ScoresError(f"无法读取 {path}:{os_reason(exc)}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScoresError(
            f"{path} 不是有效的 JSON(第{exc.lineno}行第{exc.colno}列格式有误,文件可能被改动过或未写完)"
        ) from None
    return parse(data, str(path))
