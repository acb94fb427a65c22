"""``scores.json`` as typed data: the results contract (format ``zwgk-scores/1``, see
:mod:`zwgk_cli.results.document` and docs/score.md) read back into frozen dataclasses.

:func:`load` reads a file, :func:`parse` a decoded document; both check the format and the type
of every field the report and the demo use, and raise :class:`ScoresError` with a Chinese
message that names the field (``units[3].total``) — never a ``KeyError`` or ``TypeError``.
Numbers become exact :class:`~decimal.Decimal` (``Decimal(str(x))``: the file holds at most two
decimals).  Fields of the contract nobody reads back (the per-indicator ``indicators`` trees, a
unit's ``trace``) are not loaded; missing optional fields take their empty value, so a file of
an older zwgk still loads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from zwgk_cli.model import Tier, fmt_points
from zwgk_cli.results.document import FORMAT, STATUS_LABELS, STATUS_SCORED

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
class UnitTarget:
    """A website of the unit with its points in the part it belongs to."""

    target: str
    name: str
    part: str
    points: Decimal | None
    passed: bool | None
    vetoed: bool


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

    def items(self, d: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> list[Any]:
        value = d.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise self.fail(_at(where, key), "缺失" if value is None else f"应为列表,实为{self.shown(value)}")
        return value

    def mapping(self, d: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        value = d.get(key)
        if value is None:
            return {}
        return self.obj(value, _at(where, key))

    def text(self, d: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
        value = d.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            raise self.fail(_at(where, key), "缺失" if value is None else f"应为文字,实为{self.shown(value)}")
        return value

    def opt_text(self, d: Mapping[str, Any], key: str, where: str) -> str | None:
        return self.text(d, key, where) if d.get(key) is not None else None

    def number(self, d: Mapping[str, Any], key: str, where: str) -> Decimal | None:
        value = d.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(_at(where, key), f"应为数字,实为{self.shown(value)}")
        return Decimal(str(value))

    def count(self, d: Mapping[str, Any], key: str, where: str) -> int:
        value = d.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(_at(where, key), f"应为非负整数,实为{self.shown(value)}")
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

    def objects(self, d: Mapping[str, Any], key: str, where: str) -> list[tuple[Mapping[str, Any], str]]:
        return [
            (self.obj(v, f"{_at(where, key)}[{i}]"), f"{_at(where, key)}[{i}]")
            for i, v in enumerate(self.items(d, key, where))
        ]


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _part(r: _Reader, pid: str, d: Mapping[str, Any], where: str) -> PartResult:
    return PartResult(
        id=pid,
        title=r.text(d, "title", where),
        max=r.number(d, "max", where),
        points=r.number(d, "points", where),
        raw=r.number(d, "raw", where),
        kind=r.text(d, "kind", where) or "normal",
        counted=r.opt_flag(d, "counted", where),
        passed=r.opt_flag(d, "passed", where),
        vetoed=r.flag(d, "vetoed", where),
        parts=tuple(
            _part(r, sid, r.obj(sd, f"{where}.parts.{sid}"), f"{where}.parts.{sid}")
            for sid, sd in r.mapping(d, "parts", where).items()
        ),
        targets=tuple(
            PartTarget(
                target=r.text(t, "target", tw),
                name=r.text(t, "name", tw),
                points=r.number(t, "points", tw),
                passed=r.opt_flag(t, "passed", tw),
                vetoed=r.flag(t, "vetoed", tw),
            )
            for t, tw in r.objects(d, "targets", where)
        ),
    )


def _criterion(r: _Reader, d: Mapping[str, Any], where: str) -> CriterionRow:
    inputs = r.mapping(d, "inputs", where)
    for k, v in inputs.items():
        if not isinstance(v, str):
            raise r.fail(f"{where}.inputs.{k}", "应为文字")
    found = {k: r.found(v, f"{where}.found.{k}") for k, v in r.mapping(d, "found", where).items()}
    cells = []
    files = []
    for k, v in r.mapping(d, "cells", where).items():
        c = r.obj(v, f"{where}.cells.{k}")
        cells.append((k, r.text(c, "sheet", f"{where}.cells.{k}"), r.text(c, "cell", f"{where}.cells.{k}")))
        files.append(r.text(c, "file", f"{where}.cells.{k}"))
    return CriterionRow(
        target=r.text(d, "target", where),
        target_name=r.text(d, "target_name", where),
        part=r.text(d, "part", where),
        indicators=r.texts(d, "indicators", where),
        indicator_titles=r.texts(d, "indicator_titles", where),
        criterion=r.text(d, "criterion", where, required=True),
        title=r.text(d, "title", where),
        text=r.text(d, "text", where),
        style=r.text(d, "style", where),
        max=r.number(d, "max", where),
        points=r.number(d, "points", where),
        lost=r.number(d, "lost", where),
        applicable=r.flag(d, "applicable", where, default=True),
        evidence_missing=r.flag(d, "evidence_missing", where),
        inputs=tuple(inputs.items()),
        found=found,
        note=r.text(d, "note", where),
        vetoes=r.texts(d, "vetoes", where),
        trace=r.texts(d, "trace", where),
        cells=tuple(cells),
        file=next((f for f in files if f), ""),
        team=r.text(d, "team", where),
    )


def _unit(r: _Reader, d: Mapping[str, Any], where: str) -> UnitResult:
    status = r.text(d, "status", where, required=True)
    if status not in STATUS_LABELS:
        raise r.fail(f"{where}.status", f"应为 {'、'.join(STATUS_LABELS)} 之一,实为“{status}”")
    thresholds = r.mapping(d, "thresholds", where)
    for k, v in thresholds.items():
        if not isinstance(v, str):
            raise r.fail(f"{where}.thresholds.{k}", "应为文字")
    problems = r.mapping(d, "problems", where)
    return UnitResult(
        unit=r.text(d, "unit", where, required=True),
        unit_id=r.text(d, "unit_id", where, required=True),
        group=r.text(d, "group", where),
        variant=r.text(d, "variant", where),
        status=status,
        total=r.number(d, "total", where),
        max=r.number(d, "max", where),
        parts=tuple(
            _part(r, pid, r.obj(pd, f"{where}.parts.{pid}"), f"{where}.parts.{pid}")
            for pid, pd in r.mapping(d, "parts", where).items()
        ),
        targets=tuple(
            UnitTarget(
                target=r.text(t, "target", tw),
                name=r.text(t, "name", tw),
                part=r.text(t, "part", tw),
                points=r.number(t, "points", tw),
                passed=r.opt_flag(t, "passed", tw),
                vetoed=r.flag(t, "vetoed", tw),
            )
            for t, tw in r.objects(d, "targets", where)
        ),
        vetoes=tuple(
            VetoRecord(
                target=r.text(v, "target", vw),
                target_name=r.text(v, "target_name", vw),
                part=r.text(v, "part", vw),
                indicator=r.text(v, "indicator", vw),
                criterion=r.text(v, "criterion", vw),
                reason=r.text(v, "reason", vw, required=True),
            )
            for v, vw in r.objects(d, "vetoes", where)
        ),
        vetoed=r.flag(d, "vetoed", where),
        bonus_counted=r.opt_flag(d, "bonus_counted", where),
        passed=r.opt_flag(d, "passed", where),
        thresholds=tuple(thresholds.items()),
        tier=r.opt_text(d, "tier", where),
        coefficient=r.number(d, "coefficient", where),
        penalties=r.number(d, "penalties", where),
        missing=tuple(
            MissingInput(r.text(m, "target", mw), r.text(m, "criterion", mw), r.text(m, "input", mw))
            for m, mw in r.objects(d, "missing", where)
        ),
        criteria=tuple(_criterion(r, c, cw) for c, cw in r.objects(d, "criteria", where)),
        files=r.texts(d, "files", where),
        errors=r.count(problems, "error", f"{where}.problems"),
        warnings=r.count(problems, "warning", f"{where}.problems"),
    )


def _kinds(r: _Reader, data: Mapping[str, Any]) -> tuple[TargetKindInfo, ...]:
    out = []
    for k, w in r.objects(data, "target_kinds", ""):
        line = r.mapping(k, "threshold", w)
        maxima = r.mapping(k, "max", w)
        out.append(
            TargetKindInfo(
                id=r.text(k, "id", w, required=True),
                title=r.text(k, "title", w),
                threshold=r.number(line, "min", f"{w}.threshold"),
                fail_label=r.text(line, "label", f"{w}.threshold") or "不合格",
                verdict=r.flag(k, "verdict", w),
                max={vid: r.number(maxima, vid, f"{w}.max") for vid in maxima},
            )
        )
    return tuple(out)


def _target(r: _Reader, t: Mapping[str, Any], w: str) -> TargetResult:
    status = r.text(t, "status", w, required=True)
    if status not in STATUS_LABELS:
        raise r.fail(f"{w}.status", f"应为 {'、'.join(STATUS_LABELS)} 之一,实为“{status}”")
    rank = t.get("rank")
    if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or rank < 1):
        raise r.fail(f"{w}.rank", f"应为正整数,实为{r.shown(rank)}")
    return TargetResult(
        kind=r.text(t, "kind", w, required=True),
        target=r.text(t, "target", w, required=True),
        name=r.text(t, "name", w),
        url=r.text(t, "url", w),
        unit=r.text(t, "unit", w),
        unit_id=r.text(t, "unit_id", w),
        group=r.text(t, "group", w),
        status=status,
        points=r.number(t, "points", w),
        max=r.number(t, "max", w),
        passed=r.opt_flag(t, "passed", w),
        vetoed=r.flag(t, "vetoed", w),
        complete=r.flag(t, "complete", w),
        reasons=r.texts(t, "reasons", w),
        below=r.texts(t, "below", w),
        rank=rank,
        tied=r.flag(t, "tied", w),
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
    columns: dict[str, tuple[Column, ...]] = {}
    for vid, cols in r.mapping(data, "columns", "").items():
        if not isinstance(cols, list):
            raise r.fail(f"columns.{vid}", "应为列表")
        items = [(r.obj(c, f"columns.{vid}[{i}]"), f"columns.{vid}[{i}]") for i, c in enumerate(cols)]
        columns[vid] = tuple(
            Column(
                id=r.text(c, "id", w, required=True),
                title=r.text(c, "title", w),
                max=r.number(c, "max", w),
                kind=r.text(c, "kind", w) or "normal",
                depth=r.count(c, "depth", w),
                per_target=r.opt_text(c, "per_target", w),
            )
            for c, w in items
        )
    variants = {
        vid: VariantInfo(
            id=vid,
            title=r.text(r.obj(v, f"variants.{vid}"), "title", f"variants.{vid}") or vid,
            groups=r.texts(v, "groups", f"variants.{vid}"),
            max=r.number(v, "max", f"variants.{vid}"),
        )
        for vid, v in r.mapping(data, "variants", "").items()
    }
    tiers = tuple(
        Tier(r.text(t, "label", w, required=True), r.number(t, "min", w), r.number(t, "coefficient", w))
        for t, w in r.objects(data, "tiers", "")
    )
    units = tuple(_unit(r, u, w) for u, w in r.objects(data, "units", ""))
    seen: dict[str, int] = {}
    for i, u in enumerate(units):
        if u.unit_id in seen:
            raise r.fail(f"units[{i}].unit_id", f"“{u.unit_id}”与 units[{seen[u.unit_id]}] 重复(单位编号应唯一)")
        seen[u.unit_id] = i
    return Scores(
        format=FORMAT,
        tool_version=r.text(data, "tool_version", ""),
        rubric=r.text(data, "rubric", ""),
        rubric_title=r.text(data, "rubric_title", ""),
        rubric_version=r.text(data, "rubric_version", ""),
        rubric_hash=r.text(data, "rubric_hash", ""),
        campaign=campaign,
        groups=r.texts(data, "groups", ""),
        tiers=tiers,
        veto_tier=r.text(data, "veto_tier", "") or "不合格",
        veto_label=r.text(data, "veto_label", "") or "否决",
        columns=columns,
        variants=variants,
        units=units,
        rank_units=r.flag(data, "rank_units", "", default=True),
        target_kinds=_kinds(r, data),
        targets=tuple(_target(r, t, w) for t, w in r.objects(data, "targets", "")),
        round=_round(r, data),
    )


def _round(r: _Reader, data: Mapping[str, Any]) -> int | None:
    value = data.get("round")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise r.fail("round", f"应为正整数,实为{r.shown(value)}")
    return value


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
