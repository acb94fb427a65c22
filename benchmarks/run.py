"""``make bench``: run every ``benchmarks/bench_*.py`` in turn, each in its own process, and
let each print its own figures.  Exit status is non-zero if any benchmark fails."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if not scripts:
        print("没有找到 benchmarks/bench_*.py")
        return 1
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
        print(f"== {script.name}: {time.perf_counter() - start:.1f} s, exit {proc.returncode}\n", flush=True)
        if proc.returncode != 0:
            failed.append(script.name)
    if failed:
        print("失败:" + "、".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
