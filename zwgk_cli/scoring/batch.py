"""A batch of returned workbooks → every unit scored, every problem collected.

Each file (or unit of a findings table) is read and scored by a :class:`~zwgk_cli.scoring.unit.Scorer`
(in a process pool for big batches; results in file order).  :func:`run` then decides per roster
unit: one usable workbook → its score; one that cannot be used → ``invalid``; two or more → a
problem naming them all and ``invalid`` (neither is chosen); none → ``missing``.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, TypeVar

from zwgk_cli.files import temp_prefix
from zwgk_cli.model import Rubric, Unit
from zwgk_cli.pool import process_pool, starting_workers
from zwgk_cli.problems import Code, Problem, Severity, problem, sort_key
from zwgk_cli.results.document import STATUS_INCOMPLETE, STATUS_INVALID, STATUS_MISSING, STATUS_SCORED
from zwgk_cli.scoring.discover import FileRef, Found, discover, display_name
from zwgk_cli.scoring.merge import merge_units
from zwgk_cli.scoring.unit import HEAD, FileResult, Scorer, UnitOutcome
from zwgk_cli.workbook.read import WorkbookRead
from zwgk_cli.workbook.teams import Teams

__all__ = ["Batch", "FileRef", "FileResult", "Found", "UnitOutcome", "default_jobs", "discover", "display_name", "run"]

PARALLEL_MIN = 24  # files; below this a pool costs more than it saves
CHUNK = 8

Progress = Callable[[int, int], None]
T = TypeVar("T")
R = TypeVar("R")


_WORKER: Callable[[Any], Any] | None = None  # a pool worker's, made by :func:`pooled`'s ``make``


def _start(make: Callable[..., Callable[[Any], Any]], *args: Any) -> None:
    global _WORKER
    _WORKER = make(*args)


def _work(item: Any) -> Any:
    assert _WORKER is not None
    return _WORKER(item)


def _scorer(rubric: Rubric, units: Sequence[Unit], folder: str, teams: Teams | None) -> Callable[[FileRef], FileResult]:
    return Scorer(rubric, units, folder, teams).process


def default_jobs() -> int:
    affinity = getattr(os, "sched_getaffinity", None)  # Linux only
    return max(1, len(affinity(0)) if affinity is not None else os.cpu_count() or 1)


def pooled(
    make: Callable[..., Callable[[T], R]],
    args: tuple[Any, ...],
    items: Sequence[T],
    jobs: int | None,
    few: int,
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> Iterator[R]:
    """``make(*args)`` over ``items`` in order: here for fewer than ``few`` items or one job, else in a
    pool of ``jobs`` workers (0 or ``None``: one per core; each makes its own), ``chunk`` items at most a time."""
    total = len(items)
    jobs = jobs or default_jobs()
    with ExitStack() as stack:
        if jobs <= 1 or total < few:
            results: Iterable[R] = map(make(*args), items)
        else:
            pool = stack.enter_context(process_pool(jobs, _start, (make, *args)))
            with starting_workers():
                results = pool.map(_work, items, chunksize=max(1, min(chunk, total // (jobs * 4) or 1)))
        for i, res in enumerate(results, start=1):
            yield res
            if progress:
                progress(i, total)


@dataclass
class Batch:
    rubric: Rubric
    units: list[Unit]
    files: list[FileResult]  # in file order
    outcomes: list[UnitOutcome]  # in roster order
    extra: list[Problem] = field(default_factory=list)  # found for the batch as a whole (duplicates, missing)
    examples: dict[str, Problem] = field(default_factory=dict)  # the first problem of each code
    skipped: int = 0
    teams: tuple[str, ...] = ()  # the campaign's 检查组 (problems and 明细 then say which)

    kept: tempfile.TemporaryDirectory[str] | None = None  # every file's packed rows and problems

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.kept is not None:  # (else removed when the batch is collected)
            self.kept.cleanup()

    @property
    def counts(self) -> dict[str, int]:
        return {
            s: sum(o.status == s for o in self.outcomes)
            for s in (STATUS_SCORED, STATUS_INCOMPLETE, STATUS_INVALID, STATUS_MISSING)
        }

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.files) + sum(p.severity is Severity.ERROR for p in self.extra)

    @property
    def warnings(self) -> int:
        return sum(r.warnings for r in self.files) + sum(p.severity is not Severity.ERROR for p in self.extra)

    def problem_groups(self) -> Iterator[list[Problem]]:
        """Every problem in display order, a group at a time: file by file in name order, the batch's
        problems of the file (a duplicate) first, then its own (each group in ``sort_key`` order)."""
        by_name: dict[str, list[FileResult]] = {}
        for r in self.files:
            by_name.setdefault(r.file, []).append(r)
        extra: dict[str, list[Problem]] = {}
        for p in self.extra:
            extra.setdefault(p.file, []).append(p)
        for name in sorted(set(by_name) | set(extra)):
            if name in extra:
                yield sorted(extra[name], key=sort_key)
            for r in by_name.get(name, []):
                yield r.all_problems()

    @property
    def problems(self) -> list[Problem]:
        """Every problem, in display order (the writers take them a file at a time instead)."""
        return [p for group in self.problem_groups() for p in group]

    def head(self, limit: int = HEAD) -> list[Problem]:
        """The first ``limit`` problems, errors before warnings, each group in display order."""
        found = [*self.extra, *(p for r in self.files for p in r.head)]
        return sorted(found, key=lambda p: (p.severity is not Severity.ERROR, sort_key(p)))[:limit]

    def by_code(self) -> dict[str, tuple[int, int, Problem]]:
        """code → (how many, in how many files, the first one)."""
        count = Counter(p.code for p in self.extra)
        files: dict[str, set[str]] = {}
        first = dict(self.examples)
        for p in self.extra:
            first.setdefault(p.code, p)
            if p.file:
                files.setdefault(p.code, set()).add(p.file)
        for r in self.files:
            count.update(r.codes)
            for code in r.codes:
                files.setdefault(code, set()).add(r.file)
        return {code: (n, len(files.get(code, ())), first[code]) for code, n in count.items()}

    def groups(self) -> list[str]:
        """The rubric's groups, then any other group of the roster, each once."""
        return list(dict.fromkeys([*self.rubric.groups, *(u.group for u in self.units)]))


def run(
    rubric: Rubric,
    units: Sequence[Unit],
    refs: Sequence[FileRef],
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
    skipped: int = 0,
    reads: Sequence[WorkbookRead] | None = None,
    extra_problems: Sequence[Problem] = (),
    teams: Teams | None = None,
) -> Batch:
    """Score a batch: workbook files (``refs``), or already-read units (``reads``, from a
    findings table).  With ``teams`` (检查组) both may come together: each unit's sources are
    merged before it is scored (:mod:`zwgk_cli.scoring.merge`)."""
    kept = tempfile.TemporaryDirectory(prefix=temp_prefix("score"))
    merged: dict[str, UnitOutcome] | None = None
    found: list[Problem] = []
    try:
        args = (rubric, list(units), kept.name, teams)
        source: Iterable[FileResult] = pooled(_scorer, args, refs, jobs, PARALLEL_MIN, progress=progress)
        if teams is not None:
            scorer = Scorer(rubric, units, kept.name, teams)
            read_files = list(source) if refs else []
            tables = [scorer.keep_read(r, table=True) for r in reads or ()]
            source, merged, found = merge_units(scorer, teams, units, [*read_files, *tables])
        elif reads is not None:
            scorer = Scorer(rubric, units, kept.name)
            source = (scorer.score_read(r) for r in reads)
        results, examples = _keep(source)
    except BaseException:
        kept.cleanup()
        raise
    batch = _decide(rubric, units, results, [*extra_problems, *found], merged)
    batch.kept, batch.examples, batch.skipped = kept, examples, skipped
    batch.teams = teams.names if teams is not None else ()
    return batch


def _keep(results: Iterable[FileResult]) -> tuple[list[FileResult], dict[str, Problem]]:
    """The results in file order, only the batch's first :data:`HEAD` errors and warnings kept unpacked."""
    kept: list[FileResult] = []
    examples: dict[str, Problem] = {}
    left = {True: HEAD, False: HEAD}  # errors, warnings
    for r in results:
        head = []
        for p in r.head:
            error = p.severity is Severity.ERROR
            if left[error]:
                head.append(p)
                left[error] -= 1
        for code, p in r.examples.items():
            examples.setdefault(code, p)
        r.head, r.examples = head, {}
        kept.append(r)
    return kept, examples


def _decide(
    rubric: Rubric,
    units: Sequence[Unit],
    results: Sequence[FileResult],
    extra: Sequence[Problem],
    merged: Mapping[str, UnitOutcome] | None = None,
) -> Batch:
    batch_level: list[Problem] = list(extra)
    by_unit: dict[str, list[FileResult]] = {}
    known = {u.id for u in units}
    for r in results:
        if r.unit_id and r.unit_id in known:
            by_unit.setdefault(r.unit_id, []).append(r)
    outcomes: list[UnitOutcome] = []
    for u in units:
        mine = by_unit.get(u.id, [])
        files = [r.file for r in mine]
        o = UnitOutcome(u, STATUS_INVALID, None, files, sum(r.errors for r in mine), sum(r.warnings for r in mine))
        if merged is not None and u.id in merged:  # 检查组: decided when its sources were merged
            o = merged[u.id]
        elif not mine:
            batch_level.append(problem(Code.W_NO_WORKBOOK, unit=u.name, unit_name=u.name))
            o.status, o.errors = STATUS_MISSING, o.errors + 1
        elif len(mine) > 1:  # one problem per file, so that each file's problems say it
            shown = "、".join(files)
            batch_level.extend(
                problem(Code.W_DUPLICATE, file=f, unit=u.name, unit_name=u.name, files=shown) for f in files
            )
            o.errors += len(files)
        elif mine[0].usable:
            o.status, o.result = mine[0].status, mine[0]
        outcomes.append(o)
    batch_level.sort(key=sort_key)
    return Batch(rubric, list(units), list(results), outcomes, batch_level)
