"""Headless LibreOffice: recalculate workbooks, print documents to PDF.

Every run gets its own temporary user profile (``-env:UserInstallation``), so runs never
collide with each other or with a LibreOffice the user has open, and the profile forces
formulas to be recalculated on load (``OOXMLRecalcMode`` / ``ODFRecalcMode`` = 0,
"always"): by default LibreOffice trusts the cached results stored in an ``.xlsx``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from zwgk_cli.files import temp_prefix

_CANDIDATES = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)

# Filters by target extension: the output keeps the input's stem.
FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "pdf": "pdf",
}

REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse">\
<value>false</value></prop></item>
</oor:items>
"""


_FLAGS = ("--headless", "--invisible", "--norestore", "--nolockcheck", "--nodefault", "--nofirststartwizard")


class OfficeError(Exception):
    """LibreOffice is missing, failed, or timed out; the message is Chinese and says what to do."""


def find_soffice() -> str | None:
    """The LibreOffice executable: ``$ZWGK_SOFFICE``, then ``soffice``/``libreoffice`` on PATH,
    then the usual install locations."""
    env = os.environ.get("ZWGK_SOFFICE")
    if env and Path(env).is_file():
        return env
    found = shutil.which("soffice") or shutil.which("libreoffice")
    return found or next((c for c in _CANDIDATES if Path(c).is_file()), None)


def convert(
    files: Sequence[Path],
    out_dir: Path,
    to: str = "xlsx",
    timeout: float = 300.0,
    soffice: str | None = None,
    recalc: bool = True,
) -> list[Path]:
    """Convert ``files`` (in one LibreOffice run) into ``out_dir`` as ``to`` (``xlsx``: the same
    workbook recalculated; ``pdf``: printed).  Returns the output paths, in input order.

    Raises :class:`OfficeError` when LibreOffice is missing, fails, times out, or an output
    is missing.  Inputs with the same stem would overwrite each other: pass distinct stems.
    ``recalc=False`` keeps LibreOffice's default of trusting the cached results.
    """
    if not files:
        return []
    exe = soffice or find_soffice()
    if exe is None:
        raise OfficeError("找不到 LibreOffice(soffice):请安装 LibreOffice,或用环境变量 ZWGK_SOFFICE 指定其路径。")
    if to not in FILTERS:
        raise OfficeError(f"不支持转换为 {to}(可用:{'、'.join(FILTERS)})")
    stems = [f.stem for f in files]
    if len(set(stems)) != len(stems):
        raise OfficeError("同一批转换的文件名(不含扩展名)不能重复。")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=temp_prefix("lo")) as tmp:
        # A fresh user profile; without the registry LibreOffice keeps its defaults, as a user's would.
        profile = Path(tmp) / "profile"
        (profile / "user").mkdir(parents=True)
        if recalc:
            (profile / "user" / "registrymodifications.xcu").write_text(REGISTRY, encoding="utf-8")
        cmd = [exe, f"-env:UserInstallation={profile.resolve().as_uri()}", *_FLAGS, "--convert-to", FILTERS[to]]
        cmd += ["--outdir", str(out_dir.resolve()), *(str(f.resolve()) for f in files)]
        env = {"HOME": tmp, **os.environ}
        try:
            proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True
            )
        except OSError as exc:
            raise OfficeError(f"无法启动 LibreOffice({exe}):{exc.strerror or exc}") from None
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise OfficeError(f"LibreOffice 转换超时({timeout:g} 秒):请关闭其他 LibreOffice 窗口后重试。") from None
        except BaseException:  # interrupted: LibreOffice runs in its own session, Ctrl-C does not reach it
            _kill(proc)
            raise
    outputs = [out_dir / f"{f.stem}.{to}" for f in files]
    missing = [p for p in outputs if not p.is_file()]
    if proc.returncode != 0 or missing:
        detail = (stderr or stdout).decode("utf-8", "replace").strip()[-500:]
        names = "、".join(p.name for p in missing) or "(无)"
        raise OfficeError(f"LibreOffice 转换失败(退出码 {proc.returncode},未生成:{names}):{detail}")
    return outputs


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """End the conversion we started, and its children (its own process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.communicate()


def recalculate(files: Sequence[Path], out_dir: Path, timeout: float = 300.0) -> list[Path]:
    """Open each workbook in LibreOffice, recalculate every formula, save it as ``.xlsx`` in ``out_dir``."""
    return convert(files, out_dir, "xlsx", timeout)


def to_pdf(files: Sequence[Path], out_dir: Path, timeout: float = 300.0) -> list[Path]:
    """Print workbooks or documents (``.xlsx``, ``.docx`` …) to PDF in ``out_dir``."""
    return convert(files, out_dir, "pdf", timeout)
