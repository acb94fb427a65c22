"""Measure the floors of ``zwgk score``: 1,000 filled 绵阳 workbooks against a naive openpyxl
pipeline and a raw python-calamine read of the same files, in one run; memory from 1,000 to a
bigger batch; the 49-unit 绵阳 sample.

* A synthetic roster of 1,000 units for the 绵阳 2022 rubric (both groups, 1–3 websites,
  attribute combinations) and one workbook per unit, filled as the demo's assessors fill theirs
  (``simulate.plan_unit``: every input filled, findings at the unit's rate, each with its
  扣分说明; ``build_workbook`` with those values and notes), are generated once into
  ``benchmarks/out/score/`` (cached).
* **ours**: ``zwgk score`` as a user runs it (a fresh process, process pool on all cores):
  find, read, validate, score, write ``results/`` (scores.json/csv/xlsx, problems.csv/json).
  Wall time of the whole command, and the CPU time of the process and its workers.
* **naive**: ``openpyxl.load_workbook`` (full) per file, the same map, values, engine and
  ``scores.json`` entry, in one process, on a sample (it is slow), as workbooks/s.
* **raw**: python-calamine opening each file and reading every sheet, in one process (timed
  before and after ours; the mean is used).
* **memory**: peak RSS of the score process and of its largest worker (``resource``), for
  1,000 and ``--big`` workbooks (the 1,000 cloned under new unit ids), plus the parent's peak
  Python allocations (``tracemalloc``).
* **sample**: ``zwgk score`` in the 49-unit 绵阳 sample campaign (``zwgk demo``'s), wall time.

On a machine shared with other work, wall-time ratios are unfair to ours (it needs every core,
the raw read one), so the ratios are printed per CPU-second too.

Floors: ours ≥ 20× naive and ≥ 20 % of raw; memory flat; the sample ≤ 3 s.

Run: ``python benchmarks/bench_score.py [--units 1000] [--big 10000 | --no-big] [--naive 40] [--office 0]``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's zwgk_cli, whatever else is installed
OUT = ROOT / "benchmarks" / "out" / "score"
RUBRIC = "mianyang-2022"

TARGET_NAIVE_RATIO = 20.0
TARGET_RAW_SHARE = 0.2
TARGET_SAMPLE_SECONDS = 3.0


# ------------------------------------------------------------------ the data


def unit_id(i: int) -> str:
    return f"BM{i:05d}"


def write_roster(folder: Path, n: int, base: int) -> tuple[Path, Path]:
    """``n`` units; unit ``i`` is shaped like unit ``(i - 1) % base + 1`` (its workbook's clone)."""
    folder.mkdir(parents=True, exist_ok=True)
    units, sites = folder / "units.csv", folder / "websites.csv"
    with units.open("w", encoding="utf-8", newline="") as fu, sites.open("w", encoding="utf-8", newline="") as fs:
        wu, ws = csv.writer(fu), csv.writer(fs)
        wu.writerow(["编号", "单位名称", "分组", "市级部门", "有对外服务", "督促指导任务"])
        ws.writerow(["编号", "名称", "类型", "所属单位", "网址"])
        for i in range(1, n + 1):
            j = (i - 1) % base + 1
            dept = j % 3 != 0
            uid = unit_id(i)
            name = f"单位{uid}"
            wu.writerow(
                [uid, name, "市级部门" if dept else "县市区/园区", "是" if dept else "否",
                 "否" if j % 11 == 0 else "是", "是" if j % 4 == 0 else "否"]
            )  # fmt: skip
            for k in range(3 if j % 7 == 0 else 2 if j % 5 == 0 else 1):
                ws.writerow([f"{uid}W{k + 1}", f"{name}网站{k + 1}", "website", name, ""])
    return units, sites


def _build(args: tuple[str, str, str, str, int]) -> None:
    units, sites, rubric_ref, out, index = args
    import random

    from zwgk_cli import rubric as rubric_mod
    from zwgk_cli.demo import simulate
    from zwgk_cli.roster import load_roster
    from zwgk_cli.workbook import write as sheets

    rubric = rubric_mod.load(rubric_ref)
    unit = load_roster(units, sites).units[index]
    rng = random.Random(f"bench/{unit.id}")
    plan = simulate.plan_unit(rubric, unit, rng, quality=rng.uniform(0.8, 0.98))  # as in the demo
    data, _ = sheets.build_workbook(rubric, unit, None, plan.values, notes=plan.notes)
    Path(out).write_bytes(data)


def _clone(args: tuple[str, str, str, str]) -> None:
    """A copy of a workbook issued to another unit: its unit and website ids renamed."""
    src, dst, old, new = args
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith(".xml"):  # shared strings, sheet names, formulas naming sheets
                data = data.replace(old.encode(), new.encode())
            zout.writestr(info, data)


def writer_digest() -> str:
    """The workbook writer's code: cached workbooks are remade when it changes."""
    import hashlib

    h = hashlib.sha256()
    for path in sorted([*(ROOT / "zwgk_cli" / "workbook").glob("*.py"), ROOT / "zwgk_cli" / "demo" / "simulate.py"]):
        h.update(path.read_bytes())
    return h.hexdigest()[:10]


def ensure_data(n: int, big: int, jobs: int) -> Path:
    from zwgk_cli import __version__
    from zwgk_cli import rubric as rubric_mod

    rubric = rubric_mod.load(RUBRIC)
    tag = f"{RUBRIC}-{rubric.hash}-{__version__}-{writer_digest()}-{n}"
    data = OUT / tag
    for stale in OUT.glob(f"{RUBRIC}-*-{n}"):  # workbooks of an older writer: hundreds of MB each
        if stale != data and stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    base = data / "base"
    stamp = data / "base.done"
    if not stamp.exists():
        units, sites = write_roster(data / "roster-base", n, n)
        base.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        jobs_args = [(str(units), str(sites), RUBRIC, str(base / f"{unit_id(i + 1)}.xlsx"), i) for i in range(n)]
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(_build, jobs_args, chunksize=16))
        stamp.write_text("ok")
        print(f"  生成 {n} 份填好的评分表:{time.perf_counter() - start:.1f} 秒(已缓存于 {base})")
    if big > n:
        many = data / f"big-{big}"
        stamp = data / f"big-{big}.done"
        if not stamp.exists():
            many.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            args = []
            for i in range(1, big + 1):
                j = (i - 1) % n + 1
                args.append(
                    (str(base / f"{unit_id(j)}.xlsx"), str(many / f"{unit_id(i)}.xlsx"), unit_id(j), unit_id(i))
                )
            with ProcessPoolExecutor(jobs) as pool:
                list(pool.map(_clone, args, chunksize=32))
            stamp.write_text("ok")
            print(f"  复制出 {big} 份(改单位编号):{time.perf_counter() - start:.1f} 秒")
        write_roster(data / f"roster-{big}", big, n)
    write_roster(data / f"roster-{n}", n, n)
    return data


def ensure_office(data: Path, files: list[Path], n: int) -> tuple[Path, Path, Path] | None:
    """The first ``n`` workbooks as an assessor's LibreOffice saves them back (rich shared strings,
    its own styles and markup), beside the same ``n`` as issued, and their roster; ``None``
    without LibreOffice.  Converted once and cached."""
    from zwgk_cli import office

    if n <= 0 or office.find_soffice() is None:
        return None
    saved, issued = data / f"office-{n}", data / f"issued-{n}"
    stamp = data / f"office-{n}.done"
    if not stamp.exists():
        start = time.perf_counter()
        shutil.rmtree(saved, ignore_errors=True)
        shutil.rmtree(issued, ignore_errors=True)
        issued.mkdir(parents=True)
        for f in files[:n]:
            shutil.copyfile(f, issued / f.name)
        for i in range(0, n, 50):  # one LibreOffice run per 50 files
            office.recalculate(sorted(issued.glob("*.xlsx"))[i : i + 50], saved, timeout=600)
        stamp.write_text("ok")
        print(f"  用 LibreOffice 另存 {n} 份:{time.perf_counter() - start:.1f} 秒(已缓存于 {saved})")
    roster = data / f"roster-office-{n}"
    write_roster(roster, n, n)
    return saved, issued, roster


# ------------------------------------------------------------------ the three pipelines


_PROBE = """
import json, resource, sys, time, tracemalloc
t0 = time.perf_counter()
if sys.argv[1] == "trace":
    import os
    tracemalloc.start()
    os.register_at_fork(after_in_child=tracemalloc.stop)  # the parent's allocations only
from zwgk_cli.cli import app
t1 = time.perf_counter()
status = 0
try:
    app(sys.argv[2:])
except SystemExit as e:
    status = e.code
t2 = time.perf_counter()
peak = tracemalloc.get_traced_memory()[1] if tracemalloc.is_tracing() else 0
usage = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write(json.dumps({
    "imports": t1 - t0, "inside": t2 - t1, "status": status, "traced_peak_mb": peak / 1048576,
    "rss_self_mb": usage.ru_maxrss / 1024, "rss_worker_mb": kids.ru_maxrss / 1024,
    "cpu": usage.ru_utime + usage.ru_stime + kids.ru_utime + kids.ru_stime,
}) + "\\n")
"""


def run_ours(files: Path, roster: Path, out: Path, trace: bool = False) -> dict[str, Any]:
    """``zwgk score`` as a user runs it, in a fresh process: wall time (start-up included),
    CPU time of the process and its workers, peak RSS of each (``resource``), and with
    ``trace`` the parent's peak Python allocations (``tracemalloc``, which slows it down)."""
    args = [
        "score", str(files), "--rubric", RUBRIC, "--roster", str(roster / "units.csv"),
        "--targets", str(roster / "websites.csv"), "--out", str(out), "--json",
    ]  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, "trace" if trace else "plain", *args],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - start
    metrics: dict[str, Any] = json.loads(proc.stderr.strip().splitlines()[-1])
    summary = json.loads(proc.stdout)
    metrics.update(wall=wall, counts=summary["counts"], errors=summary["errors"], warnings=summary["warnings"])
    return metrics


def best_of_two(files: Path, roster: Path, out: Path) -> dict[str, Any]:
    return min((run_ours(files, roster, out) for _ in range(2)), key=lambda m: m["wall"])


def run_naive(files: list[Path], roster: Path) -> tuple[float, float]:
    """Workbooks per second of wall time and per CPU-second of the obvious pipeline: openpyxl
    ``load_workbook`` per file, same engine."""
    import openpyxl

    from zwgk_cli import rubric as rubric_mod
    from zwgk_cli.engine import score_unit
    from zwgk_cli.results.document import unit_to_dict
    from zwgk_cli.roster import load_roster
    from zwgk_cli.workbook import layout as L
    from zwgk_cli.workbook.values import normalize

    rubric = rubric_mod.load(RUBRIC)
    units = {u.id: u for u in load_roster(roster / "units.csv", roster / "websites.csv").units}
    start, cpu = time.perf_counter(), time.process_time()
    for path in files:
        wb = openpyxl.load_workbook(path)
        lay = L.read_layout([list(r) for r in wb[L.META_SHEET].iter_rows(values_only=True)])
        unit = units[lay.meta.unit_id]
        variant = rubric_mod.resolve(rubric, unit)
        specs = {(c.id, i.id): (c, i) for _, _, c in rubric_mod.walk_with_path(variant) for i in c.live_inputs()}
        values = {}
        for m in lay.inputs:
            crit, inp = specs[(m.criterion, m.input)]
            values[m.key] = normalize(wb[m.sheet][m.cell].value, inp, limit=crit.max).value
        us = score_unit(rubric, variant, unit, values)
        json.dumps(unit_to_dict(rubric, variant, us, values, status="scored"), ensure_ascii=False)
    return len(files) / (time.perf_counter() - start), len(files) / (time.process_time() - cpu)


def run_raw(files: list[Path]) -> tuple[float, float]:
    """Workbooks per second of wall time and per CPU-second of python-calamine opening each file
    and reading every sheet."""
    from python_calamine import CalamineWorkbook

    start, cpu = time.perf_counter(), time.process_time()
    for path in files:
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
        wb.close()
    return len(files) / (time.perf_counter() - start), len(files) / (time.process_time() - cpu)


def ensure_sample() -> Path:
    """The 49-unit 绵阳 sample campaign as ``zwgk demo`` makes it (returned workbooks filled), cached."""
    folder = OUT / "sample-mianyang-2022"
    if not (folder / "returned").is_dir():
        from zwgk_cli.demo.run import run_sample

        shutil.rmtree(folder, ignore_errors=True)
        run_sample("mianyang-2022", folder, formats=("md",))
    return folder


def run_sample_score(folder: Path) -> float:
    """Wall time of ``zwgk score`` in the sample campaign, start-up included."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "zwgk_cli", "score", "--campaign", str(folder)],
        capture_output=True, cwd=ROOT, check=False,
    )  # fmt: skip
    return time.perf_counter() - start


# ------------------------------------------------------------------ main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--big", type=int, default=10000, help="workbooks of the memory check (3000 on a busy machine)")
    ap.add_argument("--naive", type=int, default=40, help="files timed for the naive pipeline")
    ap.add_argument("--no-big", action="store_true", help="skip the memory check on a bigger batch")
    ap.add_argument("--office", type=int, default=200, help="LibreOffice-saved workbooks also timed (0: none)")
    opts = ap.parse_args()
    jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    n = opts.units
    print(f"zwgk score 基准:{RUBRIC},{n} 份评分表,{jobs} 个 CPU 核,负载 {os.getloadavg()[0]:.1f}")
    data = ensure_data(n, 0 if opts.no_big else opts.big, jobs)
    files = sorted((data / "base").glob("*.xlsx"))[:n]
    size = sum(f.stat().st_size for f in files) / len(files) / 1024
    roster = data / f"roster-{n}"

    run_ours(data / "base", roster, OUT / "results-warmup")  # the page cache, like a second run
    raw_before = run_raw(files)
    ours = best_of_two(data / "base", roster, OUT / "results")
    raw_after = run_raw(files)
    naive, naive_cpu = run_naive(files[: opts.naive], roster)
    mem = run_ours(data / "base", roster, OUT / "results-traced", trace=True)
    raw, raw_cpu = (raw_before[0] + raw_after[0]) / 2, (raw_before[1] + raw_after[1]) / 2
    rate, rate_cpu = n / ours["wall"], n / ours["cpu"]
    print(f"  评分表平均 {size:.0f} KB;结果:{ours['counts']},{ours['errors']} 个错误、{ours['warnings']} 条提示")
    print(
        f"  ours  (zwgk score 全流程:查找、读取、校验、计分、写出 results/,含启动):{ours['wall']:.2f} 秒,"
        f"{rate:.0f} 份/秒;CPU {ours['cpu']:.1f} 秒(主进程+工作进程,{rate_cpu:.0f} 份/CPU秒),"
        f"其中启动与导入 {ours['imports']:.2f} 秒"
    )
    print(f"  naive (openpyxl 完整加载,单进程,{opts.naive} 份):{naive:.1f} 份/秒,{naive_cpu:.1f} 份/CPU秒")
    print(
        f"  raw   (python-calamine 读全部工作表,单进程):{raw:.0f} 份/秒(前 {raw_before[0]:.0f}、后 {raw_after[0]:.0f}),"
        f"{raw_cpu:.0f} 份/CPU秒"
    )
    ok_naive, ok_raw = rate / naive >= TARGET_NAIVE_RATIO, rate / raw >= TARGET_RAW_SHARE
    print(
        f"  倍数(墙钟):ours/naive = {rate / naive:.1f}×(下限 {TARGET_NAIVE_RATIO:g}×);"
        f"ours/raw = {rate / raw:.0%}(下限 {TARGET_RAW_SHARE:.0%})"
    )
    print(f"  倍数(每 CPU 秒):ours/naive = {rate_cpu / naive_cpu:.1f}×;ours/raw = {rate_cpu / raw_cpu:.0%}")
    print(
        f"  内存({n} 份):主进程峰值 RSS {ours['rss_self_mb']:.0f} MB,工作进程峰值 RSS {ours['rss_worker_mb']:.0f} MB,"
        f"主进程 Python 分配峰值 {mem['traced_peak_mb']:.1f} MB"
    )
    sample = ensure_sample()
    run_sample_score(sample)  # warm-up
    times = sorted(run_sample_score(sample) for _ in range(3))
    ok_sample = times[1] <= TARGET_SAMPLE_SECONDS
    print(
        f"  绵阳示例 49 个单位:zwgk score {times[1]:.2f} 秒(三次中位数;最快 {times[0]:.2f} 秒,"
        f"上限 {TARGET_SAMPLE_SECONDS:g} 秒)"
    )
    office_sets = ensure_office(data, files, min(opts.office, n))
    if office_sets is not None:
        saved, issued, office_roster = office_sets
        k = min(opts.office, n)
        as_saved = best_of_two(saved, office_roster, OUT / "results-office")
        as_issued = best_of_two(issued, office_roster, OUT / "results-issued")
        same = as_saved["counts"] == as_issued["counts"] and as_saved["errors"] == as_issued["errors"]
        print(
            f"  LibreOffice 另存的 {k} 份(富文本共享字符串等,真实回收的样子):{as_saved['wall']:.2f} 秒,"
            f"{k / as_saved['wall']:.0f} 份/秒;同样 {k} 份未另存:{as_issued['wall']:.2f} 秒,"
            f"{k / as_issued['wall']:.0f} 份/秒;结果{'相同' if same else '不同!'}"
        )
    if not opts.no_big and opts.big > n:
        files_big, roster_big = data / f"big-{opts.big}", data / f"roster-{opts.big}"
        big = run_ours(files_big, roster_big, OUT / "results-big")
        big_mem = run_ours(files_big, roster_big, OUT / "results-big-traced", trace=True)
        print(
            f"  {opts.big} 份:{big['wall']:.1f} 秒,{opts.big / big['wall']:.0f} 份/秒,CPU {big['cpu']:.0f} 秒;"
            f"结果:{big['counts']}"
        )
        for label, small, large in (
            ("主进程峰值 RSS", ours["rss_self_mb"], big["rss_self_mb"]),
            ("工作进程峰值 RSS", ours["rss_worker_mb"], big["rss_worker_mb"]),
            ("主进程 Python 分配峰值(tracemalloc)", mem["traced_peak_mb"], big_mem["traced_peak_mb"]),
        ):
            print(f"  内存 {label}:{n} 份 {small:.0f} MB → {opts.big} 份 {large:.0f} MB(×{large / max(small, 1):.2f})")
    ok = ok_naive and ok_raw and ok_sample
    goal = f"≥ {TARGET_NAIVE_RATIO:g}× naive、≥ {TARGET_RAW_SHARE:.0%} raw(墙钟)、示例 ≤ {TARGET_SAMPLE_SECONDS:g} 秒"
    print(f"  下限:{goal} —— {'达到' if ok else '未达到'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
