"""A rubric by id or file → :class:`Rubric`: the YAML (:mod:`.source`) or the workbook
(:mod:`.xlsx_read`) read into plain data, turned into model objects (:mod:`.reader`), then the
errors of the whole rubric (bad tiers); every problem is raised at once as :class:`RubricError`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from zwgk_cli.model import Rubric
from zwgk_cli.problems import Code, Problem, problem
from zwgk_cli.rubric import xlsx_read
from zwgk_cli.rubric.reader import Reader
from zwgk_cli.rubric.source import RubricError, content_hash, load_yaml, locate


def _build(data: Any, reader: Reader, first: list[Problem], where: Callable[[Problem], Problem]) -> Rubric:
    rubric = reader.rubric(data)
    reader.problems.extend(where(p) for p in structural_problems(rubric, reader.file, reader.lines))
    # a row with a cell already reported (a value outside its list, left out) is not reported
    # again for what that value would have given it
    seen = {_row_of(p) for p in first if p.cell}
    problems = first + [p for p in reader.problems if not (p.cell and _row_of(p) in seen)]
    if problems:
        raise RubricError(problems)
    return replace(rubric, hash=content_hash(data), path=reader.file)


def _row_of(p: Problem) -> tuple[str, str]:
    return p.sheet, p.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def parse(text: str, file: str = "<rubric>") -> Rubric:
    data, lines = load_yaml(text, file)
    return _build(data, Reader(file, lines), [], lambda p: p)


def parse_workbook(raw: bytes, file: str = "<rubric>.xlsx") -> Rubric:
    """A rubric workbook's bytes → the rubric, every problem located by sheet and cell."""
    data, cells = xlsx_read.read_data(raw, file)
    return _build(data, xlsx_read.XlsxReader(cells), cells.problems, cells.relocate)


def load(ref: str) -> Rubric:
    """A bundled id, a YAML file or a rubric workbook (by its suffix or, failing that, its
    first bytes)."""
    path = Path(ref)
    if xlsx_read.is_workbook(path):
        return parse_workbook(xlsx_read.read_bytes(path), str(path))
    name, text = locate(ref)
    return parse(text, name)


def source_data(ref: str) -> Any:
    """The plain data of a rubric (as written: the hash is of this), by id or file."""
    path = Path(ref)
    if xlsx_read.is_workbook(path):
        return xlsx_read.read_workbook(path)[0]
    name, text = locate(ref)
    return load_yaml(text, name)[0]


def structural_problems(rubric: Rubric, file: str, lines: Mapping[str, int]) -> list[Problem]:
    """Errors of the whole rubric that make it unusable: bad tiers."""
    floors = [t.min for t in rubric.tiers if t.min is not None]
    bad = []
    if rubric.tiers and (len(set(floors)) != len(floors) or len(rubric.tiers) - len(floors) > 1):
        bad.append(("tiers", lines.get("tiers"), "下限重复,或不止一个等次没有下限"))
    if rubric.tiers and rubric.veto_tier not in {t.label for t in rubric.tiers}:
        line = lines.get("veto_tier", lines.get("tiers"))
        bad.append(("veto_tier", line, f"veto_tier“{rubric.veto_tier}”不是任何等次的名称"))
    return [problem(Code.R_TIERS, file=file, path=path, line=line, detail=detail) for path, line, detail in bad]
