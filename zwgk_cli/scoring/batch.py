"""A batch of returned workbooks → every unit scored, every problem collected.

1. :func:`discover` finds the files (folders recursively; office lock files skipped quietly)
   in a fixed order.
2. Each file is read (:func:`zwgk_cli.workbook.read.read_workbook`), scored
   (:func:`zwgk_cli.engine.score_unit`) and rendered for every output
   (:func:`zwgk_cli.results.tables.render_unit`) by :class:`Scorer` — in a process pool for big
   batches.  What a unit contributes to the outputs is spooled to a temporary file by the
   process that made it, so the parent holds only a small record per file and memory stays
   flat however many workbooks there are.
3. :func:`run` then decides per roster unit: one usable workbook → its score (status
   ``scored`` or ``incomplete``); a workbook that cannot be used → ``invalid``; two or
   more workbooks for one unit → a problem naming them all and ``invalid`` (neither is
   chosen); none → ``missing``.  A bad file never stops the others.
4. :func:`write_results` streams the results folder (:mod:`zwgk_cli.outputs`).

The same :class:`Scorer` scores a findings table (``--inputs``), so both paths share the
validation and the engine.
"""

from __future__ import annotations

import gc
import io
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from zwgk_cli import rules
from zwgk_cli.engine import criterion_scores, score_unit
from zwgk_cli.model import (
    EVIDENCE_INPUT,
    YES,
    Criterion,
    InputKind,
    ReadingKey,
    Rubric,
    Style,
    Unit,
    UnitScore,
    fmt_points,
)
from zwgk_cli.problems import Code, Problem, Severity, problem, sort_key
from zwgk_cli.results import tables as outputs
from zwgk_cli.results.document import (
    STATUS_INCOMPLETE,
    STATUS_INVALID,
    STATUS_MISSING,
    STATUS_SCORED,
    absent_unit,
    document,
    unit_to_dict,
)
from zwgk_cli.workbook.read import WORKBOOK_SUFFIXES, Context, UnitPlan, WorkbookRead, read_workbook

PARALLEL_MIN = 24  # files; below this a pool costs more than it saves
CHUNK = 8
LOCK_PREFIXES = ("~$", ".~lock.", "._")  # Excel/WPS, LibreOffice, macOS resource forks


# ------------------------------------------------------------------ finding the files


@dataclass(frozen=True)
class FileRef:
    path: Path
    name: str  # as problems and outputs show it


def is_lock_file(path: Path) -> bool:
    return path.name.startswith(LOCK_PREFIXES) or path.name.endswith("#")


def discover(
    paths: Sequence[Path], base: Path | None = None, exclude: Sequence[Path] = ()
) -> tuple[list[FileRef], int]:
    """Workbook files under ``paths`` (files as given, folders recursively, except under the
    ``exclude`` folders: the results folder), sorted by name, and how many lock files were
    skipped.  Names are relative to ``base`` (the campaign folder) when inside it, else to
    the folder given (``returned/县区/a.xlsx``).  A file reached twice (two paths, a link)
    is listed once."""
    found: dict[object, FileRef] = {}
    skipped = 0
    skip = [os.path.abspath(x) for x in exclude]
    base_abs = os.path.abspath(base) if base is not None else None
    for p in paths:
        p_abs = os.path.abspath(p)
        candidates = _walk(p, p_abs, skip) if p.is_dir() else [(p, p_abs)]
        root = base_abs if base_abs is not None and _inside(p_abs, base_abs) else os.path.dirname(p_abs)
        for f, f_abs in candidates:
            if is_lock_file(f):
                skipped += 1
                continue
            try:
                st = os.stat(f_abs)
                key: object = (st.st_dev, st.st_ino) if st.st_ino else os.path.realpath(f_abs)
            except OSError:  # a broken link: listed, and reported when read
                key = f_abs
            if key not in found:
                inner = _inside(f_abs, root)
                found[key] = FileRef(
                    f, f_abs[len(root) :].lstrip(os.sep).replace(os.sep, "/") if inner else f.as_posix()
                )
    refs = sorted(found.values(), key=lambda r: (r.name, str(r.path)))
    return refs, skipped


def _walk(top: Path, top_abs: str, skip: Sequence[str]) -> list[tuple[Path, str]]:
    """Workbook files (and broken links named like one) under ``top``, in path order; links to
    folders are not followed, unreadable folders and the ``skip`` folders are left out."""
    out: list[tuple[Path, str]] = []
    stack = [(top, top_abs)]
    while stack:
        folder, folder_abs = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except PermissionError:
            continue
        for e in entries:
            e_abs = os.path.join(folder_abs, e.name)
            if any(_inside(e_abs, x) for x in skip):
                continue
            try:
                is_dir = e.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                stack.append((folder / e.name, e_abs))
            elif os.path.splitext(e.name)[1].lower() in WORKBOOK_SUFFIXES and (
                e.is_file() or (e.is_symlink() and not os.path.exists(e_abs))
            ):
                out.append((folder / e.name, e_abs))
    out.sort(key=lambda item: item[1].split(os.sep))
    return out


def _inside(path: str, base: str) -> bool:
    """``path`` is ``base`` or under it (absolute, normalised paths)."""
    return path == base or path.startswith(base if base.endswith(os.sep) else base + os.sep)


def display_name(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return path.absolute().relative_to(base.absolute()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


# ------------------------------------------------------------------ the spool


# What a file's slot holds, in order.
P_JSON, P_CSV, P_SUMMARY, P_DETAIL, P_PROBLEMS_CSV, P_PROBLEMS_JSON, P_PROBLEMS_XLSX = range(7)


class Spool:
    """An append-only temporary file per process: a file's rendered outputs go in, a
    :class:`Slot` comes back.  Opened lazily so that forked workers each get their own."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._fh: Any = None
        self._pid = 0
        self._path = ""

    def __getstate__(self) -> dict[str, Any]:  # sent to spawned workers: never an open file
        return {"folder": self.folder, "_fh": None, "_pid": 0, "_path": ""}

    def put(self, pieces: Sequence[str]) -> Slot:
        if self._fh is None or self._pid != os.getpid():
            self._pid = os.getpid()
            self._path = str(self.folder / f"spool-{self._pid}.bin")
            self._fh = open(self._path, "ab")  # noqa: SIM115 - kept open for the life of the worker
        data = [piece.encode("utf-8") for piece in pieces]
        offset = self._fh.tell()
        self._fh.write(b"".join(data))
        self._fh.flush()
        return Slot(self._path, offset, tuple(len(x) for x in data))


@dataclass(frozen=True, slots=True)
class Slot:
    path: str
    offset: int
    sizes: tuple[int, ...]  # of each piece, see P_JSON …

    def read(self, which: int, handles: dict[str, Any]) -> str:
        if not self.sizes[which]:
            return ""
        fh = handles.get(self.path)
        if fh is None:
            fh = handles[self.path] = open(self.path, "rb")  # noqa: SIM115 - closed by the reader
        fh.seek(self.offset + sum(self.sizes[:which]))
        return str(fh.read(self.sizes[which]).decode("utf-8"))


# ------------------------------------------------------------------ scoring one read


@dataclass(slots=True)
class FileResult:
    """What the parent keeps of one file (or one unit of a findings table): small, whatever
    the file held.  Its problems live in the spool; ``head`` keeps the first few of each
    severity for the terminal, ``codes`` how many of each code (with one example)."""

    file: str
    unit_id: str
    unit_name: str
    usable: bool
    status: str
    slot: Slot | None = None
    total: Any = None
    errors: int = 0
    warnings: int = 0
    head: list[Problem] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)
    examples: dict[str, Problem] = field(default_factory=dict)  # the first problem of each code

    def note(self, problems: Sequence[Problem]) -> FileResult:
        ordered = sorted(problems, key=sort_key)
        errors = [p for p in ordered if p.severity is Severity.ERROR]
        warnings = [p for p in ordered if p.severity is not Severity.ERROR]
        self.errors, self.warnings = len(errors), len(warnings)
        self.head = errors[:HEAD] + warnings[:HEAD]
        for p in ordered:
            self.codes[p.code] = self.codes.get(p.code, 0) + 1
            self.examples.setdefault(p.code, p)
        return self


HEAD = 200  # problems of each severity kept in memory for the terminal (the files have them all)


class Scorer:
    """Reads, scores and renders; one per process (a pool's workers inherit it by fork)."""

    def __init__(self, rubric: Rubric, units: Sequence[Unit], spool_dir: Path):
        self.rubric = rubric
        self.ctx = Context(rubric, units)
        self.columns = outputs.summary_columns(rubric)
        self.titles = outputs.part_titles(rubric)
        self.table = outputs.text_table(rubric, units)
        self.spool = Spool(spool_dir)

    def process(self, ref: FileRef) -> FileResult:
        return self.score_read(read_workbook(ref.path, self.ctx, ref.name))

    def score_read(self, read: WorkbookRead) -> FileResult:
        if not read.usable:
            slot = self._spool(None, read.problems)
            return FileResult(read.file, read.unit_id, read.unit_name, False, STATUS_INVALID, slot).note(read.problems)
        plan = self.ctx.plan(read.unit_id)
        assert isinstance(plan, UnitPlan)  # a usable read has a plan
        us = score_unit(self.rubric, plan.variant, plan.unit, read.values)
        problems = list(read.problems)
        problems.extend(self._after_scoring(read, plan, us))
        errors = sum(1 for p in problems if p.severity is Severity.ERROR)
        status = STATUS_SCORED if us.complete and not errors else STATUS_INCOMPLETE
        entry = unit_to_dict(
            self.rubric,
            plan.variant,
            us,
            read.values,
            status=status,
            notes=read.notes,
            files=[read.file],
            problem_counts={"error": errors, "warning": len(problems) - errors},
        )
        slot = self._spool(entry, problems)
        result = FileResult(read.file, plan.unit.id, plan.unit.name, True, status, slot, entry["total"])
        return result.note(problems)

    def _spool(self, entry: Mapping[str, Any] | None, problems: Sequence[Problem]) -> Slot:
        unit = outputs.render_unit(entry, self.columns, self.titles, self.table) if entry is not None else None
        probs = outputs.render_problems(problems, self.table)
        pieces = [unit.json, unit.csv, unit.summary, unit.detail] if unit is not None else ["", "", "", ""]
        return self.spool.put([*pieces, probs.csv, probs.json, probs.xlsx])

    def _after_scoring(self, read: WorkbookRead, plan: UnitPlan, us: UnitScore) -> list[Problem]:
        """Deductions without a 扣分说明; evidence-required items scored 0 for want of evidence."""
        out: list[Problem] = []
        unit = plan.unit.name
        notes, formulas, values = read.notes, read.note_formulas, read.values
        for cs in criterion_scores(us):
            if not cs.applicable or cs.points is None:
                continue
            crit = plan.criteria.get((cs.target, cs.criterion))
            if crit is None:
                continue
            if cs.evidence_missing:
                key = ReadingKey(cs.target, crit.id, EVIDENCE_INPUT.id)
                vals = {i.id: values.get(ReadingKey(cs.target, crit.id, i.id)) for i in crit.live_inputs()}
                vals[EVIDENCE_INPUT.id] = YES
                would = rules.evaluate(crit, vals).points
                out.append(
                    problem(
                        Code.V_NO_EVIDENCE,
                        **_loc(read, key),
                        unit=unit,
                        indicator=plan.indicator.get(crit.id, crit.id),
                        would=fmt_points(would) if would is not None else "—",
                        label=EVIDENCE_INPUT.label,
                    )
                )
                continue
            if crit.style is Style.PENALTY:
                lost = cs.points
            elif crit.style is Style.DEDUCT and crit.max is not None:
                lost = crit.max - cs.points
            else:
                continue
            if lost <= 0:
                continue
            nk = (cs.target, crit.id)
            if notes.get(nk) or nk in formulas:  # a formula there is reported already (V018)
                continue
            if any(
                isinstance(t, str) and t.strip()
                for t in (values.get(ReadingKey(cs.target, crit.id, i)) for i in _text_inputs(crit))
            ):
                continue
            src = read.note_sources.get(nk)
            loc = {"file": read.file}
            if src is not None:
                loc.update(sheet=src.sheet, cell=src.cell)
            out.append(
                problem(
                    Code.V_NO_NOTE,
                    **loc,
                    unit=unit,
                    indicator=plan.indicator.get(crit.id, crit.id),
                    line=read.lines.get(nk),
                    lost=fmt_points(lost),
                )
            )
        return out


_TEXT_INPUTS: dict[int, tuple[Criterion, tuple[str, ...]]] = {}


def _text_inputs(crit: Criterion) -> tuple[str, ...]:
    """The criterion's free-text inputs (a note of its own, an account named), remembered."""
    hit = _TEXT_INPUTS.get(id(crit))
    if hit is None or hit[0] is not crit:
        hit = (crit, tuple(i.id for i in crit.inputs if i.kind is InputKind.TEXT))
        if len(_TEXT_INPUTS) >= 4096:
            _TEXT_INPUTS.clear()
        _TEXT_INPUTS[id(crit)] = hit
    return hit[1]


def _loc(read: WorkbookRead, key: ReadingKey) -> dict[str, Any]:
    src = read.sources.get(key)
    loc: dict[str, Any] = {"file": read.file}
    if src is not None:
        loc.update(sheet=src.sheet, cell=src.cell)
    line = read.lines.get(key)
    if line is not None:
        loc["line"] = line
    return loc


# ------------------------------------------------------------------ the worker side of the pool

_WORKER: Scorer | None = None


def _init_worker(scorer: Scorer) -> None:
    global _WORKER
    _WORKER = scorer


def _work(ref: FileRef) -> FileResult:
    assert _WORKER is not None
    return _WORKER.process(ref)


# ------------------------------------------------------------------ the batch


@dataclass
class UnitOutcome:
    unit: Unit
    status: str
    result: FileResult | None  # the one usable file, when there is one
    files: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0


@dataclass
class Batch:
    rubric: Rubric
    units: list[Unit]
    files: list[FileResult]
    outcomes: list[UnitOutcome]
    extra: list[Problem] = field(default_factory=list)  # found for the batch as a whole (duplicates, missing)
    examples: dict[str, Problem] = field(default_factory=dict)  # the first problem of each code
    skipped: int = 0
    workdir: Path | None = None
    table: outputs.TextTable | None = None  # the shared strings the rendered rows refer to

    @property
    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in (STATUS_SCORED, STATUS_INCOMPLETE, STATUS_INVALID, STATUS_MISSING)}
        for o in self.outcomes:
            out[o.status] += 1
        return out

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.files) + sum(1 for p in self.extra if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(r.warnings for r in self.files) + sum(1 for p in self.extra if p.severity is not Severity.ERROR)

    @property
    def problems(self) -> list[Problem]:
        """Every problem, in display order (read back from the spool: for small batches and tests;
        the writers stream them instead)."""
        handles: dict[str, Any] = {}
        try:
            return [_problem(json.loads(line)) for line in _rows(_problem_blocks(self, P_PROBLEMS_JSON, handles), "\n")]
        finally:
            for fh in handles.values():
                fh.close()

    def head(self, limit: int = HEAD) -> list[Problem]:
        """The first ``limit`` problems, errors before warnings, each group in display order."""
        errors = [p for p in self.extra if p.severity is Severity.ERROR]
        warnings = [p for p in self.extra if p.severity is not Severity.ERROR]
        for r in self.files:
            errors.extend(p for p in r.head if p.severity is Severity.ERROR)
            warnings.extend(p for p in r.head if p.severity is not Severity.ERROR)
        errors.sort(key=sort_key)
        warnings.sort(key=sort_key)
        return (errors + warnings)[:limit]

    def by_code(self) -> dict[str, tuple[int, int, Problem]]:
        """code → (how many, in how many files, the first one)."""
        count: dict[str, int] = {}
        files: dict[str, set[str]] = {}
        first = dict(self.examples)
        for p in self.extra:
            count[p.code] = count.get(p.code, 0) + 1
            first.setdefault(p.code, p)
            if p.file:
                files.setdefault(p.code, set()).add(p.file)
        for r in self.files:
            for code, n in r.codes.items():
                count[code] = count.get(code, 0) + n
                files.setdefault(code, set()).add(r.file)
        return {code: (n, len(files.get(code, ())), first[code]) for code, n in count.items()}

    def close(self) -> None:
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _problem(d: Mapping[str, Any]) -> Problem:
    return Problem(**{**d, "severity": Severity(d["severity"])})


Progress = Callable[[int, int], None]


def _map(scorer: Scorer, refs: Sequence[FileRef], jobs: int | None, progress: Progress | None) -> Iterator[FileResult]:
    total = len(refs)
    jobs = jobs or default_jobs()
    if jobs <= 1 or total < PARALLEL_MIN:
        for i, ref in enumerate(refs, start=1):
            yield scorer.process(ref)
            if progress:
                progress(i, total)
        return
    # fork on Linux (workers inherit the scorer); elsewhere the scorer is pickled to each worker
    ctx = multiprocessing.get_context("fork") if _can_fork() else multiprocessing.get_context()
    chunk = max(1, min(CHUNK, total // (jobs * 4) or 1))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(scorer,)) as pool:
        for i, res in enumerate(pool.map(_work, refs, chunksize=chunk), start=1):
            yield res
            if progress:
                progress(i, total)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


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
) -> Batch:
    """Score a batch: workbook files (``refs``), or already-read units (``reads``, from a
    findings table).  The returned :class:`Batch` owns a temporary folder: close it."""
    workdir = Path(tempfile.mkdtemp(prefix="zwgk-score-"))
    try:
        scorer = Scorer(rubric, units, workdir)
        source = (scorer.score_read(r) for r in reads) if reads is not None else _map(scorer, refs, jobs, progress)
        with _few_collections():
            results, examples = _keep(source)
        batch = _assemble(rubric, units, results, extra_problems)
        batch.table = scorer.table
        batch.examples = examples
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    batch.skipped = skipped
    batch.workdir = workdir
    return batch


@contextmanager
def _few_collections() -> Iterator[None]:
    """Scoring a workbook makes tens of thousands of short-lived objects, freed as they go out of
    use; the cycle collector's default pace (every 700 allocations, re-walking the rubric and the
    roster each time) costs as much as the scoring.  For the batch: what exists now is frozen
    out of the collector's walks (workers forked from here inherit that), and it runs less often."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _keep(results: Iterable[FileResult]) -> tuple[list[FileResult], dict[str, Problem]]:
    """Collect results in display order, keeping in memory only the first :data:`HEAD` errors
    and warnings of the whole batch and one example per code: memory stays flat."""
    kept: list[FileResult] = []
    examples: dict[str, Problem] = {}
    errors = warnings = 0
    for r in results:
        head = []
        for p in r.head:
            if p.severity is Severity.ERROR:
                if errors < HEAD:
                    head.append(p)
                    errors += 1
            elif warnings < HEAD:
                head.append(p)
                warnings += 1
        for code, p in r.examples.items():
            examples.setdefault(code, p)
        r.head, r.examples = head, {}
        kept.append(r)
    return kept, examples


def _assemble(rubric: Rubric, units: Sequence[Unit], results: Sequence[FileResult], extra: Sequence[Problem]) -> Batch:
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
        errors = sum(r.errors for r in mine)
        warnings = sum(r.warnings for r in mine)
        if not mine:
            batch_level.append(problem(Code.W_NO_WORKBOOK, unit=u.name, unit_name=u.name))
            errors += 1
            outcome = UnitOutcome(u, STATUS_MISSING, None, files)
        elif len(mine) > 1:
            for f in files:  # one per file, so that each file's problems say it
                batch_level.append(
                    problem(Code.W_DUPLICATE, file=f, unit=u.name, unit_name=u.name, files="、".join(files))
                )
                errors += 1
            outcome = UnitOutcome(u, STATUS_INVALID, None, files)
        elif not mine[0].usable:
            outcome = UnitOutcome(u, STATUS_INVALID, None, files)
        else:
            outcome = UnitOutcome(u, mine[0].status, mine[0], files)
        outcome.errors, outcome.warnings = errors, warnings
        outcomes.append(outcome)
    batch_level.sort(key=sort_key)
    return Batch(rubric, list(units), list(results), outcomes, batch_level)


# ------------------------------------------------------------------ writing the results folder


def campaign_fields(camp: Any) -> dict[str, Any]:
    """What ``scores.json`` records of the campaign (settings the report reads; no paths)."""
    keys = (
        "name",
        "year",
        "office",
        "contact",
        "notice_number",
        "notice_date",
        "recipients",
        "rectify_deadline",
        "materials_deadline",
        "return_deadline",
    )
    return {k: getattr(camp, k) for k in keys if camp is not None and getattr(camp, k, None) not in (None, "", 0)}


def _absent(batch: Batch, o: UnitOutcome) -> dict[str, Any]:
    variant = batch.rubric.variant_for_group(o.unit.group)
    return absent_unit(
        o.unit.name,
        o.unit.id,
        o.unit.group,
        variant,
        o.status,
        files=o.files,
        problem_counts={"error": o.errors, "warning": o.warnings},
    )


def _pieces(batch: Batch, which: int, handles: dict[str, Any]) -> Iterator[str]:
    """Each roster unit's rendered piece (json, csv, summary or detail), in roster order."""
    columns = outputs.summary_columns(batch.rubric)
    for o in batch.outcomes:
        if o.result is not None and o.result.slot is not None:
            yield o.result.slot.read(which, handles)
            continue
        entry = _absent(batch, o)
        if which == P_JSON:
            yield outputs.unit_json(entry)
        elif which == P_CSV:
            yield outputs.csv_line(outputs.summary_cells(entry, columns))
        elif which == P_SUMMARY:
            yield outputs.xlsx_row(outputs.summary_cells(entry, columns), 0, batch.table)
        else:
            yield ""


def _rows(blocks: Iterable[str], sep: str) -> Iterator[str]:
    for text in blocks:
        if text:
            yield from text.split(sep)


def _problem_blocks(batch: Batch, which: int, handles: dict[str, Any]) -> Iterator[str]:
    """Rendered problems in display order: file by file in name order; for each file, the
    problems found for the batch as a whole (a duplicate) first, then its own problems as the
    worker rendered them (in :func:`zwgk_cli.problems.sort_key` order)."""
    by_name: dict[str, list[FileResult]] = {}
    for r in batch.files:
        by_name.setdefault(r.file, []).append(r)
    extra: dict[str, list[Problem]] = {}
    for p in batch.extra:
        extra.setdefault(p.file, []).append(p)
    for name in sorted(set(by_name) | set(extra)):
        if name in extra:
            probs = outputs.render_problems(extra[name], batch.table)
            yield {P_PROBLEMS_CSV: probs.csv, P_PROBLEMS_JSON: probs.json, P_PROBLEMS_XLSX: probs.xlsx}[which]
        for r in by_name.get(name, []):
            if r.slot is not None:
                yield r.slot.read(which, handles)


@dataclass(frozen=True)
class Written:
    scores: tuple[Path, ...]
    problems: tuple[Path, ...]


def _write_xlsx(batch: Batch, path: Path) -> None:
    handles: dict[str, Any] = {}
    columns = outputs.summary_columns(batch.rubric)
    try:
        outputs.write_xlsx(
            path,
            [
                outputs.SheetSpec(
                    "汇总",
                    [c.header for c in columns],
                    [c.width for c in columns],
                    lambda: _pieces(batch, P_SUMMARY, handles),
                ),
                outputs.SheetSpec(
                    "明细",
                    [h for h, _ in outputs.DETAIL_COLUMNS],
                    [w for _, w in outputs.DETAIL_COLUMNS],
                    lambda: _rows(_pieces(batch, P_DETAIL, handles), outputs.ROW_SEP),
                ),
                outputs.SheetSpec(
                    "问题",
                    [h for h, _ in outputs.PROBLEM_COLUMNS],
                    [w for _, w in outputs.PROBLEM_COLUMNS],
                    lambda: _rows(_problem_blocks(batch, P_PROBLEMS_XLSX, handles), outputs.ROW_SEP),
                ),
            ],
            table=batch.table,
        )
    finally:
        for fh in handles.values():
            fh.close()


def _xlsx_child(batch: Batch, path: Path, conn: Any) -> None:
    try:
        _write_xlsx(batch, path)
        conn.send("")
    except BaseException as exc:  # reported by the parent, which owns the exit code
        conn.send(f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()


def write_results(
    batch: Batch,
    results_dir: Path,
    campaign: Mapping[str, Any],
    *,
    scores: bool = True,
    meanwhile: Callable[[Written], None] | None = None,
) -> Written:
    """Write the results folder; ``scores=False`` writes only the problem lists (``--strict``).

    On Linux ``scores.xlsx`` is written by a forked child while this process writes the
    rest, and then runs ``meanwhile`` (given what is being written: the ``--json`` summary
    is made while the workbook is finished); every file appears atomically and the bytes do
    not depend on who wrote them."""
    written: list[Path] = []
    handles: dict[str, Any] = {}
    child = None
    try:
        if scores:
            results_dir.mkdir(parents=True, exist_ok=True)
            xlsx = results_dir / "scores.xlsx"
            if _can_fork():
                ctx = multiprocessing.get_context("fork")
                parent_end, child_end = ctx.Pipe(duplex=False)
                child = (ctx.Process(target=_xlsx_child, args=(batch, xlsx, child_end)), parent_end)
                child[0].start()
                child_end.close()
            header = document(batch.rubric, [], campaign, _groups(batch))
            path = results_dir / "scores.json"
            outputs.write_scores_json(path, header, _pieces(batch, P_JSON, handles))
            written.append(path)
            columns = outputs.summary_columns(batch.rubric)
            path = results_dir / "scores.csv"
            outputs.write_csv(path, [c.header for c in columns], _pieces(batch, P_CSV, handles))
            written.append(path)
            if child is None:
                _write_xlsx(batch, xlsx)
        counts = {"error": batch.errors, "warning": batch.warnings}
        problem_paths = outputs.write_problems(
            results_dir,
            counts,
            _problem_blocks(batch, P_PROBLEMS_CSV, handles),
            _rows(_problem_blocks(batch, P_PROBLEMS_JSON, handles), "\n"),
        )
        if scores:
            written.append(results_dir / "scores.xlsx")
        if meanwhile is not None:
            meanwhile(Written(tuple(written), problem_paths))
    finally:
        for fh in handles.values():
            fh.close()
        if child is not None:
            process, conn = child
            error = conn.recv() if conn.poll(None) else "写入进程意外退出"
            process.join()
            if error or process.exitcode:
                raise OSError(f"写入 scores.xlsx 失败:{error or process.exitcode}")
    return Written(tuple(written), problem_paths)


def _can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _groups(batch: Batch) -> list[str]:
    seen: list[str] = []
    for g in [*batch.rubric.groups, *(u.group for u in batch.units)]:
        if g not in seen:
            seen.append(g)
    return seen


def summary_header(batch: Batch, written: Written | None = None) -> dict[str, Any]:
    """The ``--json`` summary without its problem list: counts per status, files, outputs."""
    return {
        "rubric": batch.rubric.id,
        "rubric_hash": batch.rubric.hash,
        "ok": batch.errors == 0,
        "units": len(batch.units),
        "counts": batch.counts,
        "files": len(batch.files),
        "skipped_lock_files": batch.skipped,
        "errors": batch.errors,
        "warnings": batch.warnings,
        "outputs": [str(p) for p in (written.scores + written.problems)] if written else [],
        "problems": [],
    }


def write_summary(batch: Batch, written: Written | None, out: IO[str]) -> None:
    """The ``--json`` summary to ``out``: one line, the problems in display order last."""
    text = json.dumps(summary_header(batch, written), ensure_ascii=False)
    assert text.endswith('"problems": []}')
    out.write(text[: -len("[]}")] + "[")
    handles: dict[str, Any] = {}
    try:
        first = True
        for item in _rows(_problem_blocks(batch, P_PROBLEMS_JSON, handles), "\n"):
            out.write(item if first else ", " + item)
            first = False
    finally:
        for fh in handles.values():
            fh.close()
    out.write("]}\n")


def summary(batch: Batch, written: Written | None = None) -> dict[str, Any]:
    """The ``--json`` summary as data."""
    buf = io.StringIO()
    write_summary(batch, written, buf)
    return dict(json.loads(buf.getvalue()))
