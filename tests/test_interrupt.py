"""Ctrl-C at any moment: exit 130 within 2 s with "已中断", no traceback, no process left, and
every output folder holding one whole run; leftovers of killed runs swept; Windows' ways
(spawned workers, no SIGALRM)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import load_sample

from zwgk_cli import files, pool
from zwgk_cli.workbook.issue import file_state

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
# A Ctrl-C ends a command within about a second (pool.GRACE_SECONDS for a busy worker); the bound
# allows for a loaded machine (the suite runs beside other work) and still catches an exit that
# waits for the batch to finish.
EXIT_WITHIN = pool.GRACE_SECONDS + 4.0

COMMANDS: dict[str, tuple[list[str], str]] = {
    "init-sheets": (["init-sheets", "--force"], "sheets"),
    "score": (["score"], "results"),
    "report": (["report", "-f", "docx,html,md,xlsx"], "report"),
}

linux_only = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc to find processes")


# ------------------------------------------------------------------ helpers


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _marked(marker: str) -> list[int]:
    """The processes whose environment carries ``marker`` (a command and everything it started)."""
    found = []
    needle = f"ZWGK_INTERRUPT_TEST={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def _start(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    marker = uuid.uuid4().hex
    full = dict(os.environ, ZWGK_INTERRUPT_TEST=marker, PYTHONPATH=str(ROOT), COLUMNS="120", **(env or {}))
    proc = subprocess.Popen(
        [PY, "-m", "zwgk_cli", *args],
        cwd=cwd,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: Ctrl-C goes to the group, as in a terminal
    )
    return proc, marker


def _interrupt(proc: subprocess.Popen[bytes], marker: str, delay: float) -> tuple[int, str, float]:
    """Ctrl-C after ``delay`` seconds; the exit code, stderr, and how long the exit took."""
    time.sleep(delay)
    sent = time.monotonic()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError(f"did not exit after Ctrl-C ({delay:.2f} s in)") from None
    took = time.monotonic() - sent if proc.returncode == 130 else 0.0
    deadline = time.monotonic() + 2
    while _marked(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = _marked(marker)
    if left:
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        raise AssertionError(f"processes left after Ctrl-C at {delay:.2f} s: {left}")
    return proc.returncode, err.decode("utf-8", "replace"), took


def _check_folder(name: str, folder: Path, reference: dict[str, str], before: dict[Path, Any], err: str) -> None:
    if name == "init-sheets":  # workbooks carry their time of issue: each whole, issued or old
        assert sorted(p.name for p in folder.iterdir()) == sorted(reference), "a hidden or missing file"
        for p in folder.iterdir():
            with zipfile.ZipFile(p) as z:
                assert z.testzip() is None
        changed = sum(1 for p, was in before.items() if file_state(p) != was)
        m = re.search(r"重新生成\(覆盖原有\)的 (\d+) 个", err)
        assert (int(m.group(1)) if m else 0) == changed, err
        return
    assert _hashes(folder) == reference, f"{folder.name}/ holds a mix or a leftover"


# ------------------------------------------------------------------ the campaign


SPANS: dict[str, float] = {}  # how long each command takes here, uninterrupted


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 绵阳 sample (49 units: both pools at work), its blank workbooks returned as they are."""
    folder = tmp_path_factory.mktemp("interrupt") / "mianyang"
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def run(*args: str) -> float:
        t0 = time.monotonic()
        done = subprocess.run([PY, "-m", "zwgk_cli", *args], cwd=folder.parent, env=env, capture_output=True)
        assert done.returncode in (0, 1) and b"Traceback" not in done.stderr, done.stderr.decode()
        return time.monotonic() - t0

    SPANS["start"] = run("--version")
    run("new", str(folder), "--sample", "mianyang-2022")
    for name, (args, sub) in COMMANDS.items():
        SPANS[name] = _timed(folder, args, env)
        if name == "init-sheets":
            shutil.copytree(folder / sub, folder / "returned", dirs_exist_ok=True)
    return folder


def _timed(folder: Path, args: list[str], env: dict[str, str]) -> float:
    t0 = time.monotonic()
    done = subprocess.run([PY, "-m", "zwgk_cli", *args], cwd=folder, env=env, capture_output=True)
    assert done.returncode in (0, 1) and b"Traceback" not in done.stderr, done.stderr.decode()
    return time.monotonic() - t0


@linux_only
def test_ctrl_c_at_random_moments(campaign: Path, tmp_path: Path) -> None:
    """54 interrupts of init-sheets, score and report at random moments, three campaigns at a time."""
    references = {name: _hashes(campaign / sub) for name, (_, sub) in COMMANDS.items()}
    references["init-sheets"] = {p.name: "" for p in (campaign / "sheets").iterdir()}
    copies = [tmp_path / f"copy{i}" for i in range(3)]
    for c in copies:
        shutil.copytree(campaign, c)

    failures: list[str] = []
    counts = {"interrupted": 0, "finished": 0}

    def loop(folder: Path, seed: int) -> None:
        rng = random.Random(seed)
        order = [name for name in COMMANDS for _ in range(6)]
        rng.shuffle(order)
        for name in order:
            args, sub = COMMANDS[name]
            out = folder / sub
            before = {p: file_state(p) for p in out.iterdir()} if name == "init-sheets" else {}
            delay = rng.uniform(SPANS["start"] * 0.5, SPANS[name] * 1.05)
            try:
                proc, marker = _start(args, folder)
                code, err, took = _interrupt(proc, marker, delay)
                assert "Traceback" not in err and "Exception" not in err, err
                if code == 130:
                    counts["interrupted"] += 1
                    assert "已中断" in err, err
                    assert took < EXIT_WITHIN, f"{name}: {took:.2f} s to exit"
                else:
                    counts["finished"] += 1
                    assert code in (0, 1), (code, err)
                _check_folder(name, out, references[name], before, err)
            except AssertionError as exc:
                failures.append(f"{name} at {delay:.2f} s: {exc}")

    threads = [threading.Thread(target=loop, args=(f, i)) for i, f in enumerate(copies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, "\n".join(failures[:5])
    assert counts["interrupted"] + counts["finished"] == 54
    assert counts["interrupted"] >= 27, counts


# ------------------------------------------------------------------ LibreOffice


def _fake_soffice(tmp_path: Path, body: str) -> str:
    exe = tmp_path / "soffice"
    exe.write_text(f"#!/bin/sh\n{body}\n")
    exe.chmod(0o755)
    return str(exe)


@linux_only
def test_ctrl_c_during_pdf_conversion_ends_libreoffice(campaign: Path, tmp_path: Path) -> None:
    before = _hashes(campaign / "report")
    started = tmp_path / "soffice-started"
    env = {"ZWGK_SOFFICE": _fake_soffice(tmp_path, f"touch '{started}'\nsleep 60")}
    proc, marker = _start(["report", "-f", "docx,pdf"], campaign, env)
    deadline = time.monotonic() + 60  # the conversion has begun, however loaded the machine
    while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started.exists(), "LibreOffice was never started"
    code, err, took = _interrupt(proc, marker, 0)
    assert code == 130 and "已中断" in err and "未改动" in err and "Traceback" not in err
    assert took < EXIT_WITHIN
    assert _hashes(campaign / "report") == before


def test_a_pdf_that_could_not_be_made_is_removed_not_left_stale(campaign: Path, tmp_path: Path) -> None:
    from zwgk_cli.report.build import write_report
    from zwgk_cli.results import model as results_model

    doc = results_model.load(campaign / "results" / "scores.json")
    out = tmp_path / "report"
    write_report(doc, out, formats=("docx", "pdf", "xlsx"), convert_pdf=lambda src, d: _copy_as_pdf(src, d))
    assert (out / "通报.pdf").is_file() and (out / "排名.xlsx").is_file()
    (out / "整改清单" / "已撤销的单位.xlsx").write_bytes(b"old")  # a unit that no longer has one
    (out / "我的笔记.txt").write_text("mine")  # not of zwgk's naming: kept

    def failing(src: Path, dst: Path) -> Path:
        raise RuntimeError("LibreOffice failed")

    outcome = write_report(doc, out, formats=("docx", "pdf"), convert_pdf=failing)
    assert [p.code for p in outcome.problems if p.code == "P007"] == ["P007"]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == ["我的笔记.txt", "通报.docx"]


def _copy_as_pdf(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    target = dst / f"{src.stem}.pdf"
    target.write_bytes(b"%PDF-1.4\n%%EOF\n")
    return target


# ------------------------------------------------------------------ run_outputs and leftovers


def test_run_outputs_is_all_or_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    with files.run_outputs(dest) as tmp:
        (tmp / "a.txt").write_text("1")
    with pytest.raises(RuntimeError), files.run_outputs(dest) as tmp:
        (tmp / "a.txt").write_text("2")
        (tmp / "b.txt").write_text("2")
        raise RuntimeError
    assert [p.name for p in dest.iterdir()] == ["a.txt"] and (dest / "a.txt").read_text() == "1"


def test_a_ctrl_c_while_outputs_move_into_place_waits_for_the_move(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    seen: list[str] = []

    def on_int(signum: int, frame: Any) -> None:
        seen.append(",".join(sorted(p.name for p in dest.iterdir() if not p.name.startswith("."))))
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGINT, on_int)
    try:
        real_replace = os.replace

        def replace(src: Any, dst: Any) -> None:
            real_replace(src, dst)
            if not seen:
                signal.raise_signal(signal.SIGINT)

        with pytest.raises(KeyboardInterrupt), pytest.MonkeyPatch.context() as mp:
            mp.setattr(os, "replace", replace)
            with files.run_outputs(dest) as tmp:
                for name in "abc":
                    (tmp / f"{name}.txt").write_text(name)
    finally:
        signal.signal(signal.SIGINT, old)
    assert seen == ["a.txt,b.txt,c.txt"]


def _dead_pid() -> int:
    proc = subprocess.Popen([PY, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_of_killed_runs_are_swept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dead, alive = _dead_pid(), os.getpid()
    (tmp_path / f".scores.json.zwgk{dead}.abc12345.tmp").write_text("partial")
    (tmp_path / f".run.zwgk{dead}.x1y2z3w4.tmp").mkdir()
    (tmp_path / f".scores.csv.zwgk{alive}.abc12345.tmp").write_text("being written")
    (tmp_path / ".notes.txt").write_text("the user's")
    files.sweep_partial(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".notes.txt", f".scores.csv.zwgk{alive}.abc12345.tmp"]

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(files.tempfile, "gettempdir", lambda: str(temp))
    (temp / f"zwgk-pdf-{dead}-abc").mkdir()
    (temp / f"zwgk-score-{alive}-abc").mkdir()
    (temp / "zwgk-lo-oldstyle").mkdir()
    (temp / "other-zwgk-pdf-1-x").mkdir()
    day_ago = time.time() - files.STALE_SECONDS - 60
    os.utime(temp / "zwgk-lo-oldstyle", (day_ago, day_ago))
    files.sweep_temp()
    assert sorted(p.name for p in temp.iterdir()) == ["other-zwgk-pdf-1-x", f"zwgk-score-{alive}-abc"]


# ------------------------------------------------------------------ Windows' ways


def test_workbooks_issued_by_spawned_workers_are_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows the pool spawns its workers; what they write does not depend on it."""
    from zwgk_cli.workbook import layout
    from zwgk_cli.workbook.blueprint import CampaignInfo
    from zwgk_cli.workbook.issue import write_workbooks

    r, units = load_sample("mianyang-2022")
    names = layout.workbook_filenames(units)
    units = units[:4]
    info = CampaignInfo(year=2022)
    one = write_workbooks(r, [(u, tmp_path / "one" / names[u.id]) for u in units], info, processes=1)
    monkeypatch.setattr(pool, "START_METHOD", "spawn")
    two = write_workbooks(r, [(u, tmp_path / "two" / names[u.id]) for u in units], info, processes=2)
    assert [(w.unit, w.sheets, w.inputs, w.error) for w in one] == [(w.unit, w.sheets, w.inputs, w.error) for w in two]
    for u in units:
        with zipfile.ZipFile(tmp_path / "one" / names[u.id]) as a, zipfile.ZipFile(tmp_path / "two" / names[u.id]) as b:
            assert sorted(a.namelist()) == sorted(b.namelist())
            for n in a.namelist():
                if n != "docProps/core.xml":  # the time of issue
                    assert a.read(n) == b.read(n), n


def test_the_read_time_limit_needs_no_sigalrm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no SIGALRM nor setitimer: W035 still stops a reader that never finishes, and a
    normal file reads as before."""
    from zwgk_cli.workbook import read as readback
    from zwgk_cli.workbook.read import Context, read_workbook

    r, units = _corpus()
    good = read_workbook(CORPUS / "good.xlsx", Context(r, units), "good.xlsx")
    for name in ("alarm", "SIGALRM", "setitimer", "ITIMER_REAL"):
        monkeypatch.delattr(signal, name, raising=False)

    def forever(self: Any) -> None:
        while True:
            pass

    again = read_workbook(CORPUS / "good.xlsx", Context(r, units), "good.xlsx")
    assert again.usable == good.usable and again.problems == good.problems
    monkeypatch.setattr(readback, "MAX_READ_SECONDS", 0.2)
    monkeypatch.setattr(readback._Reader, "run", forever)
    start = time.perf_counter()
    read = read_workbook(CORPUS / "good.xlsx", Context(r, units), "good.xlsx")
    assert time.perf_counter() - start < 5
    assert [(p.code, p.file) for p in read.problems] == [("W035", "good.xlsx")]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


CORPUS = Path(__file__).parent / "data" / "corpus"


def _corpus() -> tuple[Any, Any]:
    import json

    from zwgk_cli import rubric as rubric_mod
    from zwgk_cli.roster import load_roster

    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    roster = load_roster(CORPUS / manifest["units"], CORPUS / manifest["targets"])
    return rubric_mod.load(str(CORPUS / manifest["rubric"])), roster.units
