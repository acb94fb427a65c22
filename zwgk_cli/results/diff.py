"""Two rounds side by side (``zwgk diff``): per unit, every input that changed (with its file, sheet
and cell, from each round's ``sources.json``) and what its result became.  Plain dicts, no pandas
(half a second of imports); ranks are the report's business: the caller gives them by unit id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from zwgk_cli import rules
from zwgk_cli.model import fmt_points
from zwgk_cli.results import rounds
from zwgk_cli.results.document import STATUS_LABELS
from zwgk_cli.results.model import Found, Scores, ScoresError, UnitResult
from zwgk_cli.results.model import load as load_scores

WHOLE = "(整份评分表)"  # the input of a change that is a whole workbook (returned, withdrawn, unusable)
NOTE = "扣分说明"
ABSENT = "(名单中没有)"


@dataclass(frozen=True)
class Round:
    number: int
    scores: Scores
    places: Mapping[str, rounds.UnitPlaces]
    manifest: Mapping[str, Any]


def load_round(results_dir: Path, number: int) -> Round:
    """Round ``number`` of ``results_dir``; :class:`~zwgk_cli.results.rounds.RoundError` (in
    Chinese) when it is not there or damaged."""
    folder = rounds.round_dir(results_dir, number)
    if not folder.is_dir():
        raise rounds.RoundError(f"没有第{number}轮评分结果(应在 {folder})")
    try:
        manifest = rounds.read_manifest(folder / rounds.MANIFEST_NAME)
        scores = load_scores(folder / "scores.json")
        places = rounds.read_sources(folder / rounds.SOURCES_NAME)
    except (rounds.RoundError, ScoresError) as exc:
        what = str(exc).split("。")[0]  # the fault, without advice meant for a campaign's own scores
        raise rounds.RoundError(
            f"第{number}轮的评分记录已损坏:{what}。各轮的文件由 zwgk score 写出,不要手工改动;"
            "可以比较其他两轮(zwgk diff 轮次 轮次)"
        ) from None
    return Round(number, scores, places, manifest)


# ------------------------------------------------------------------ what a diff holds


@dataclass(frozen=True)
class InputChange:
    """One input whose value differs between the rounds."""

    unit: str
    unit_id: str
    file: str
    sheet: str
    cell: str
    target: str  # the website's (account's) name; "" for the unit itself
    indicator: str  # 一级/二级 indicator titles, then the criterion's title when it adds something
    label: str  # the input's label, 扣分说明, or (整份评分表)
    old: str
    new: str


@dataclass(frozen=True)
class Standing:
    """What a unit's result is in one round."""

    status: str  # as people read it (已评分, 未交回, …)
    total: Decimal | None
    rank: str  # "3", "2(并列)", "" when not ranked
    tier: str
    vetoes: tuple[str, ...] | None  # the reasons; None when not vetoed

    @property
    def veto_text(self) -> str:
        if self.vetoes is None:
            return "否"
        return "否决:" + ";".join(self.vetoes) if self.vetoes else "否决"


@dataclass(frozen=True)
class ResultChange:
    """A unit whose result changed: its standing in each round (None: not in that roster) and
    the parts whose points changed (title, old, new)."""

    unit: str
    unit_id: str
    group: str
    old: Standing | None
    new: Standing | None
    parts: tuple[tuple[str, Decimal | None, Decimal | None], ...]

    @property
    def delta(self) -> Decimal | None:
        if self.old is None or self.new is None or self.old.total is None or self.new.total is None:
            return None
        return self.new.total - self.old.total


@dataclass(frozen=True)
class RoundDiff:
    old: int
    new: int
    files: tuple[rounds.Change, ...]  # inputs of the round that differ (by their hashes)
    inputs: tuple[InputChange, ...]
    results: tuple[ResultChange, ...]
    units: tuple[str, ...] = ()  # the ids of the units with a change of either kind, in roster order


# ------------------------------------------------------------------ the comparison


def value_text(value: Found) -> str:
    """An input's value as the assessor typed it (``3``, ``85.5``, ``是``); ``(空)`` when unread."""
    if value is None or value == "":
        return "(空)"
    if isinstance(value, Decimal):
        return rules.num(value)
    return value


def points_text(value: Decimal | None) -> str:
    return fmt_points(value) if value is not None else "—"


_Key = tuple[str, str, str]


def _inputs(u: UnitResult) -> dict[_Key, tuple[str, str, str, Found]]:
    """(target, criterion, input) → (website name, indicator, label, value); a criterion's
    扣分说明 is the input ``""``."""
    out: dict[_Key, tuple[str, str, str, Found]] = {}
    for row in u.criteria:
        names = list(row.indicator_titles)
        if row.title and (not names or names[-1] != row.title):
            names.append(row.title)
        indicator = "/".join(n for n in names if n) or row.criterion
        labels = dict(row.inputs)
        for iid, value in row.found.items():
            out[(row.target, row.criterion, iid)] = (row.target_name, indicator, labels.get(iid, iid), value)
        out[(row.target, row.criterion, "")] = (row.target_name, indicator, NOTE, row.note or None)
    return out


def _place(key: _Key, u: UnitResult, *rs: Round) -> rounds.Place:
    """Where an input was read: in the newer round when it was read there, else in the older."""
    known = [p for r in rs if (p := r.places.get(u.unit_id)) is not None]
    place = next((p.places[key] for p in known if key in p.places), None)
    return place or rounds.Place(next((p.file for p in known), "") or (u.files[0] if u.files else ""), "", "")


def _status_text(u: UnitResult | None) -> str:
    if u is None:
        return ABSENT
    label = STATUS_LABELS.get(u.status, u.status)
    return f"{label}({'、'.join(u.files)})" if u.files else label


def _input_changes(old: Round, new: Round, a: UnitResult | None, b: UnitResult | None) -> Iterator[InputChange]:
    u = b if b is not None else a
    assert u is not None
    va = _inputs(a) if a is not None else {}
    vb = _inputs(b) if b is not None else {}
    if not va or not vb:  # a workbook returned, withdrawn or unusable in one round: one row
        if (va or vb) or (a is not None and b is not None and a.files != b.files):
            p = _place(("", "", ""), u, new, old)
            yield InputChange(u.unit, u.unit_id, p.file, "", "", "", "", WHOLE, _status_text(a), _status_text(b))
        return
    for key in dict.fromkeys([*vb, *va]):
        x, y = va.get(key), vb.get(key)
        old_value, new_value = (x[3] if x else None), (y[3] if y else None)
        if _same(old_value, new_value):
            continue
        target, indicator, label, _ = y or x  # type: ignore[misc]  # one of them is there
        p = _place(key, u, new, old)
        yield InputChange(
            u.unit, u.unit_id, p.file, p.sheet, p.cell, target, indicator, label,
            value_text(old_value), value_text(new_value),
        )  # fmt: skip


def _same(a: Found, b: Found) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    return type(a) is type(b) and a == b


def _standing(u: UnitResult | None, ranks: Mapping[str, str]) -> Standing | None:
    if u is None:
        return None
    vetoes = tuple(v.reason for v in u.vetoes) if u.vetoed else None
    return Standing(STATUS_LABELS.get(u.status, u.status), u.total, ranks.get(u.unit_id, ""), u.tier or "", vetoes)


def _parts(a: UnitResult | None, b: UnitResult | None) -> tuple[tuple[str, Decimal | None, Decimal | None], ...]:
    pa = {p.id: p for p in a.all_parts()} if a is not None else {}
    pb = {p.id: p for p in b.all_parts()} if b is not None else {}
    out = []
    for pid in dict.fromkeys([*pb, *pa]):
        x, y = pa.get(pid), pb.get(pid)
        old, new = (x.points if x else None), (y.points if y else None)
        if old != new:
            out.append(((y or x).title or pid, old, new))  # type: ignore[union-attr]  # one is there
    return tuple(out)


def compare(old: Round, new: Round, old_ranks: Mapping[str, str], new_ranks: Mapping[str, str]) -> RoundDiff:
    """Every changed input and every changed result, unit by unit in the newer roster's order
    (units only in the older roster last)."""
    a_units = {u.unit_id: u for u in old.scores.units}
    b_units = {u.unit_id: u for u in new.scores.units}
    inputs: list[InputChange] = []
    results: list[ResultChange] = []
    changed: list[str] = []
    for uid in dict.fromkeys([*b_units, *a_units]):
        a, b = a_units.get(uid), b_units.get(uid)
        before = len(inputs), len(results)
        inputs.extend(_input_changes(old, new, a, b))
        sa, sb = _standing(a, old_ranks), _standing(b, new_ranks)
        parts = _parts(a, b)
        if sa != sb or parts:
            u = b if b is not None else a
            assert u is not None
            results.append(ResultChange(u.unit, uid, u.group, sa, sb, parts))
        if (len(inputs), len(results)) != before:
            changed.append(uid)
    files = tuple(rounds.changes(old.manifest, new.manifest))
    return RoundDiff(old.number, new.number, files, tuple(inputs), tuple(results), tuple(changed))


def pick(available: Sequence[int], first: int | None, second: int | None) -> tuple[int, int]:
    """The two rounds to compare: as given, or the last two; :class:`RoundError` otherwise."""
    have = "、".join(str(n) for n in available) or "无"
    if first is None and second is None:
        if len(available) < 2:
            raise rounds.RoundError(f"结果目录中的评分结果不足两轮(已有:{have}),没有可比较的轮次")
        return available[-2], available[-1]
    if first is not None and second is None:
        later = [n for n in available if n > first]
        if not later:
            raise rounds.RoundError(f"第{first}轮之后没有评分结果(已有:{have})")
        second = later[-1]
    assert first is not None and second is not None
    for n in (first, second):
        if n not in available:
            raise rounds.RoundError(f"没有第{n}轮评分结果(已有:{have})")
    if first == second:
        raise rounds.RoundError("请给出两个不同的轮次")
    return first, second
