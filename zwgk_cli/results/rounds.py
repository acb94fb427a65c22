"""Rounds: every ``zwgk score`` run kept as ``results/rounds/01/``, ``02/`` … (``results/`` as that
run wrote it) with ``manifest.json`` (``zwgk-round/1``: the SHA-256 of every input by its name
relative to the campaign folder, the rubric's id and content hash) and ``sources.json``
(``zwgk-sources/1``: where each input of each unit was read, a unit a line).  A run with the last
round's manifest and outputs makes no new round (a PDF added to ``returned/`` changes only the
outputs); ``scores.json`` names its round, so ``zwgk report`` can check its inputs (:func:`changes`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zwgk_cli import __version__
from zwgk_cli.model import ReadingKey, Rubric, Source
from zwgk_cli.problems import Code, Problem, problem, readable

MANIFEST_FORMAT = "zwgk-round/1"
SOURCES_FORMAT = "zwgk-sources/1"
ROUNDS_DIR = "rounds"
MANIFEST_NAME = "manifest.json"
SOURCES_NAME = "sources.json"

if TYPE_CHECKING:
    from zwgk_cli.campaign import Campaign


class RoundError(ValueError):
    """A round that cannot be used; the message says which and why, in Chinese."""


@dataclass(frozen=True)
class RunInputs:
    """What a score run read: the files to hash and the names to record them by."""

    root: Path  # the campaign folder: every name is relative to it
    rubric_id: str
    rubric_hash: str
    rubric_file: Path | None = None  # None for a bundled rubric (its id says which)
    settings: Path | None = None  # zwgk.toml, when there is one
    roster: Path | None = None
    targets: Path | None = None
    findings: Path | None = None  # zwgk score --inputs
    scanned: tuple[Path, ...] = ()  # the files and folders score was given (new workbooks appear there)
    workbooks: tuple[tuple[str, Path], ...] = ()  # (name as problems show it, path)


def run_inputs(
    camp: Campaign,
    r: Rubric,
    roster: Path | None = None,
    targets: Path | None = None,
    *,
    findings: Path | None = None,
    scanned: Sequence[Path] = (),
    workbooks: Iterable[tuple[str, Path]] = (),
) -> RunInputs:
    """What a score run in ``camp`` reads: ``roster`` and ``targets`` as given, else the
    campaign's (as ``load_units`` chooses them)."""
    from zwgk_cli.campaign import CONFIG_NAME

    if roster is None and camp.units:
        roster = camp.path(camp.units)
        targets = targets if targets is not None or not camp.targets else camp.path(camp.targets)
    rubric_file = Path(r.path) if r.path and Path(r.path).is_file() else None
    settings = camp.root / CONFIG_NAME if camp.found else None
    return RunInputs(
        camp.root, r.id, r.hash, rubric_file, settings, roster, targets, findings, tuple(scanned), tuple(workbooks)
    )


def name_in(root: Path, path: Path) -> str:
    """``path`` relative to ``root`` with ``/`` (``../名单.csv`` for a file beside the campaign);
    on another drive (Windows), the path as given.  A name that is not UTF-8 is made readable
    (:func:`zwgk_cli.problems.readable`), as problems show it."""
    try:
        return readable(os.path.relpath(os.path.abspath(path), os.path.abspath(root)).replace(os.sep, "/"))
    except ValueError:
        return readable(path.as_posix())


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, or ``""`` when it cannot be read (a broken link)."""
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except (OSError, ValueError):
        return ""


def _file(root: Path, path: Path | None, digest: Callable[[Path], str] = sha256_of) -> dict[str, str] | None:
    return None if path is None else {"file": name_in(root, path), "sha256": digest(path)}


SCORING_SETTINGS = ("rubric", "group_map", "units", "targets", "returned_dir", "teams")


def settings_digest(path: Path) -> str:
    """The SHA-256 of the settings in ``zwgk.toml`` that change scores (:data:`SCORING_SETTINGS`:
    the rubric, the roster, the group map, where workbooks come back, the 检查组), so that the
    notice's settings (文号, 日期, 抄送 …), set after scoring, do not make the scores stale.  A
    file that does not load now is hashed whole: any difference counts."""
    from zwgk_cli import campaign

    try:
        camp = campaign.load(path)
    except campaign.CampaignError:
        return sha256_of(path)
    data = {key: repr(getattr(camp, key)) for key in SCORING_SETTINGS if key != "teams"}
    data["teams"] = repr([(t.name, t.parts, t.targets) for t in camp.teams])  # not where each is written
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def manifest(inputs: RunInputs) -> dict[str, Any]:
    """The manifest of a run (without its round number): what :func:`same_inputs` compares."""
    root = inputs.root
    return {
        "format": MANIFEST_FORMAT,
        "tool_version": __version__,
        "settings": _file(root, inputs.settings, settings_digest),
        "rubric": {
            "id": inputs.rubric_id,
            "hash": inputs.rubric_hash,
            "file": None if inputs.rubric_file is None else name_in(root, inputs.rubric_file),
        },
        **{key: _file(root, getattr(inputs, key)) for key in ("roster", "targets", "findings")},
        "scanned": sorted({name_in(root, p) for p in inputs.scanned}),
        "workbooks": {readable(name): sha256_of(path) for name, path in sorted(inputs.workbooks)},
    }


def numbered(m: Mapping[str, Any], number: int) -> dict[str, Any]:
    """The manifest as a round records it: its number after the format."""
    return {"format": m["format"], "round": number, **{k: v for k, v in m.items() if k not in ("format", "round")}}


def same_inputs(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return {k: v for k, v in a.items() if k != "round"} == {k: v for k, v in b.items() if k != "round"}


# ------------------------------------------------------------------ the rounds of a results folder


def round_name(number: int) -> str:
    return f"{number:02d}"


def round_dir(results_dir: Path, number: int) -> Path:
    return results_dir / ROUNDS_DIR / round_name(number)


def numbers(results_dir: Path) -> list[int]:
    """The rounds kept in ``results_dir``, in order."""
    try:
        entries = list(os.scandir(results_dir / ROUNDS_DIR))
    except OSError:
        return []
    return sorted(int(e.name) for e in entries if e.name.isdigit() and int(e.name) > 0 and e.is_dir())


def read_manifest(path: Path) -> dict[str, Any]:
    """A round's manifest; :class:`RoundError` when it is missing or not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RoundError(f"找不到 {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise RoundError(f"{path} 无法读取或已损坏") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT or not isinstance(data.get("round"), int):
        raise RoundError(f"{path} 不是 zwgk 的轮次记录(应为 {MANIFEST_FORMAT} 格式)")
    return data


def plan(results_dir: Path, m: Mapping[str, Any]) -> tuple[int, bool]:
    """The round a run with manifest ``m`` makes: ``(number, new)``.  The same inputs as the last
    round → that round, nothing new (unless the outputs differ: the caller checks); otherwise the
    next number (an existing folder is never reused, even one whose manifest is damaged)."""
    kept = numbers(results_dir)
    if not kept:
        return 1, True
    last = kept[-1]
    try:
        if same_inputs(read_manifest(round_dir(results_dir, last) / MANIFEST_NAME), m):
            return last, False
    except RoundError:
        pass
    return last + 1, True


# ------------------------------------------------------------------ where each input was read


def unit_sources(
    file: str,
    unit_id: str,
    unit_name: str,
    sources: Mapping[ReadingKey, Source],
    note_sources: Mapping[tuple[str, str], Source],
    lines: Mapping[Any, int],
) -> str:
    """One unit's line of ``sources.json`` (``json.dumps``): every input's and 扣分说明's place,
    sorted; a findings table's rows as ``第N行``.  A place read from a file other than ``file``
    (a unit's values merged from its 检查组's workbooks and a findings table, ``file`` naming them
    all) ends with that file."""

    def own(src: Source) -> list[str]:
        return [src.file] if src.file and src.file != file else []

    def cell(src: Source, key: Any) -> str:
        if src.sheet or src.cell:
            return src.cell
        line = lines.get(key)
        return f"第{line}行" if line is not None else ""

    inputs = sorted([k.target, k.criterion, k.input, s.sheet, cell(s, k), *own(s)] for k, s in sources.items())
    notes = sorted([t, c, s.sheet, cell(s, (t, c)), *own(s)] for (t, c), s in note_sources.items())
    notes += sorted(  # a findings table's 扣分说明: the row of its criterion
        [k[0], k[1], "", f"第{n}行"]
        for k, n in lines.items()
        if not isinstance(k, ReadingKey) and len(k) == 2 and k not in note_sources
    )
    return json.dumps(
        {"unit_id": unit_id, "unit": unit_name, "file": file, "inputs": inputs, "notes": notes}, ensure_ascii=False
    )


@dataclass(frozen=True)
class Place:
    file: str
    sheet: str
    cell: str


@dataclass(frozen=True)
class UnitPlaces:
    """Where a unit's inputs were read in one round: (target, criterion, input) → place; a
    扣分说明 is the input ``""``."""

    file: str
    places: Mapping[tuple[str, str, str], Place]


def read_sources(path: Path) -> dict[str, UnitPlaces]:
    """A round's ``sources.json``: unit id → its places.  Missing → empty (a round of an
    older zwgk); damaged → :class:`RoundError`."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        out: dict[str, UnitPlaces] = {}
        for u in data["units"]:
            file = str(u["file"])
            rows = [*u["inputs"], *([t, c, "", *rest] for t, c, *rest in u["notes"])]  # a note is the input ""
            places = {(t, c, i): Place(f or file, sh, ce) for t, c, i, sh, ce, f in map(_place, rows)}
            out[str(u["unit_id"])] = UnitPlaces(file, places)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise RoundError(f"{path} 无法读取或已损坏") from None
    return out


def _place(row: Sequence[Any]) -> tuple[str, str, str, str, str, str]:
    """A row of ``sources.json``'s inputs: target, criterion, input, sheet, cell and the file
    when it is not the unit's (``""``)."""
    t, c, i, sh, ce, *f = row
    if len(f) > 1:
        raise ValueError("too many fields")
    return str(t), str(c), str(i), str(sh), str(ce), str(f[0]) if f else ""


# ------------------------------------------------------------------ what changed since a round


@dataclass(frozen=True)
class Change:
    """One input that differs between a recorded manifest and another (or the files now)."""

    what: str  # 评分表 | 填写数据表 | 单位名单 | 网站名单 | 考评设置 | 评分细则
    file: str  # its name (the rubric's id when bundled)
    how: str  # changed | added | removed
    detail: str = ""  # the rubric: what is known of the change

    @property
    def text(self) -> str:
        verb = {"changed": "已修改", "added": "新增", "removed": "已删除或移走"}[self.how]
        return f"{self.what}{verb}:{self.file}" if self.how != "added" else f"新增{self.what}:{self.file}"


FILE_INPUTS = (
    ("settings", "考评设置中影响评分的项(细则、名单、分组对应、交回目录、检查组)"),
    ("roster", "单位名单"),
    ("targets", "网站名单"),
    ("findings", "填写数据表"),
)


def changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """What differs from manifest ``old`` to manifest ``new``: settings, roster, rubric,
    findings table, then every workbook added, removed or changed (by name)."""
    out: list[Change] = []
    for key, what in FILE_INPUTS:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if a and b and a.get("file") == b.get("file"):
            out.append(Change(what, str(b["file"]), "changed"))
            continue
        if a:
            out.append(Change(what, str(a.get("file", "")), "removed"))
        if b:
            out.append(Change(what, str(b.get("file", "")), "added"))
    ra, rb = old.get("rubric") or {}, new.get("rubric") or {}
    if ra.get("hash") != rb.get("hash") or ra.get("id") != rb.get("id"):
        name = str(rb.get("file") or rb.get("id") or ra.get("file") or ra.get("id"))
        detail = "(现在无法读取)" if not rb.get("hash") else f"(内容哈希 {ra.get('hash')} → {rb['hash']})"
        out.append(Change("评分细则", name, "changed", detail))
    wa, wb = old.get("workbooks") or {}, new.get("workbooks") or {}
    for name in sorted(set(wa) | set(wb)):
        if name not in wb:
            out.append(Change("评分表", name, "removed"))
        elif name not in wa:
            out.append(Change("评分表", name, "added"))
        elif wa[name] != wb[name]:
            out.append(Change("评分表", name, "changed"))
    return out


def current(
    recorded: Mapping[str, Any],
    root: Path,
    rubric_hash: str,
    workbooks: Iterable[tuple[str, Path]],
) -> dict[str, Any]:
    """The manifest the files named in ``recorded`` have now: the same files hashed again, the
    workbooks found now where score looked (``workbooks``, by the caller), the rubric's content
    hash now (``rubric_hash``, ``""`` when it no longer loads)."""

    def path(key: str) -> Path | None:
        entry = recorded.get(key)
        return root / entry["file"] if isinstance(entry, dict) and isinstance(entry.get("file"), str) else None

    rubric = recorded.get("rubric") or {}
    file = rubric.get("file")
    return manifest(
        RunInputs(
            root=root,
            rubric_id=str(rubric.get("id", "")),
            rubric_hash=rubric_hash,
            rubric_file=root / file if isinstance(file, str) else None,
            **{key: path(key) for key, _ in FILE_INPUTS},
            scanned=tuple(root / s for s in scanned(recorded)),
            workbooks=tuple(workbooks),
        )
    )


def scanned(recorded: Mapping[str, Any]) -> Sequence[str]:
    value = recorded.get("scanned")
    return [s for s in value if isinstance(s, str)] if isinstance(value, list) else []


def round_line(number: int, new: bool) -> str:
    """What ``zwgk score`` says of the round it wrote."""
    where = f"{ROUNDS_DIR}/{round_name(number)}/"
    if new:
        return f"本次评分结果为第{number}轮,另存一份于结果目录的 {where}。"
    return f"交回的评分表、名单、细则和设置与第{number}轮相同,未新建轮次(结果与 {where} 中的相同)。"


# ------------------------------------------------------------------ zwgk report: are these the current scores?


def manifest_path(scores_path: Path, number: int) -> Path:
    """The manifest of the round a ``scores.json`` is: beside it (a file inside ``rounds/NN/``),
    else in the ``rounds/`` folder beside it (``results/scores.json``)."""
    beside = scores_path.parent / MANIFEST_NAME
    if scores_path.parent.name == round_name(number) and beside.exists():
        return beside
    return round_dir(scores_path.parent, number) / MANIFEST_NAME


def stale_problems(found: Sequence[Change], number: int) -> list[Problem]:
    """One located problem (S005–S008) for each input changed since round ``number``."""
    codes = {"changed": Code.S_STALE_CHANGED, "added": Code.S_STALE_ADDED, "removed": Code.S_STALE_REMOVED}
    return [
        problem(Code.S_STALE_RUBRIC, file=c.file, round=number, rubric=c.file, detail=c.detail)
        if c.what == "评分细则"
        else problem(codes[c.how], file=c.file, round=number, what=c.what)
        for c in found
    ]
