"""Files zwgk writes: atomic writes, a run's outputs as one, and the one way a unit's name
becomes a file name.

Every output goes through :func:`atomic_open` (a temporary file in the same folder, renamed into
place); a command's outputs are written together in :func:`run_outputs` (a temporary folder
moved into place in one step, so a folder holds one run's files, never a mix); every file named
after a unit goes through :func:`unique_file_names`, so that names are safe on Windows, macOS
and Linux and two units never share a file.

Temporary names carry ``zwgk<pid>``: what a killed run leaves behind (``kill -9``, a power cut)
is recognised as zwgk's own and removed by the next run once that process is gone
(:func:`sweep_partial`, :func:`sweep_temp`).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import sys
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from zwgk_cli.pool import deferred_sigint

TMP_SUFFIX = ".tmp"
STALE_SECONDS = 24 * 3600  # a leftover whose process cannot be checked is removed after a day
_PARTIAL = re.compile(r"^\..*\.zwgk(\d+)\.[^.]*\.tmp$")  # .<name>.zwgk<pid>.<random>.tmp (file or folder)
_OLD_PARTIAL = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")  # the same before the pid was in it
_TEMP = re.compile(r"^zwgk-[a-z]+-(\d+)-")  # zwgk-<kind>-<pid>-<random> in the system's temporary folder

_FILE_BAD = set('<>:"/\\|?*')
_WIN_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
# 255 bytes is the limit of a file name on Linux and macOS; a stem of at most 150 UTF-8 bytes leaves
# room for a suffix, a de-duplicating number and the temporary name ``.<name>.<random>.tmp``.
FILE_STEM_MAX_BYTES = 150


def safe_file_stem(name: str) -> str:
    """A file name stem safe on Windows, macOS and Linux; Chinese is kept as is.

    Path separators, characters Windows forbids, control and format characters (such as the
    right-to-left override) become ``_``; ``.``/``..`` and reserved device names (``CON``…) get a
    leading ``_``; the stem is cut to :data:`FILE_STEM_MAX_BYTES` bytes at a character boundary.
    """
    text = "".join("_" if ch in _FILE_BAD or unicodedata.category(ch)[0] == "C" else ch for ch in name)
    text = " ".join(text.split()).strip(" .")
    if not text or text.upper().split(".")[0] in _WIN_RESERVED:
        text = f"_{text}"
    text = text.encode("utf-8")[:FILE_STEM_MAX_BYTES].decode("utf-8", "ignore")
    return text.rstrip(" .") or "_"


def unique_file_names(items: Iterable[tuple[str, str]], suffix: str) -> dict[str, str]:
    """``(key, name)`` pairs → key → a safe file name ending in ``suffix``, unique case-insensitively:
    a name that collides with an earlier one gets its key appended (``名称_编号``), then a number."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for key, name in items:
        stem = safe_file_stem(name)
        if stem.lower() in used:
            stem = f"{stem}_{safe_file_stem(key)}"
        base, n = stem, 2
        while stem.lower() in used:
            stem = f"{base}_{n}"
            n += 1
        used.add(stem.lower())
        out[key] = stem + suffix
    return out


@contextmanager
def atomic_open(path: Path) -> Iterator[IO[bytes]]:
    """A binary file that appears at ``path`` only once fully written: a temporary file in the
    same folder, renamed into place, with the permissions the user's umask gives any new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.zwgk{os.getpid()}.", suffix=TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; results are shared like any file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_open(path) as fh:
        fh.write(data)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# ------------------------------------------------------------------ a run's outputs, and leftovers


@contextmanager
def run_outputs(dest: Path, stale: Callable[[str], bool] = lambda rel: False) -> Iterator[Path]:
    """A temporary folder (inside ``dest``) for a run's outputs, moved into ``dest`` once the
    block succeeds, in one step that a Ctrl-C does not cut (it takes effect right after).

    ``stale(rel)`` says which files already in ``dest`` (``rel``: the path relative to it, with
    ``/``) are zwgk's own outputs: those this run did not produce are removed in the same step, so
    ``dest`` holds this run's outputs and nothing of an earlier run.  When the block fails or is
    interrupted, ``dest`` is left as it was and the temporary folder is removed.
    """
    dest.mkdir(parents=True, exist_ok=True)
    sweep_partial(dest)
    tmp = Path(tempfile.mkdtemp(prefix=f".run.zwgk{os.getpid()}.", suffix=TMP_SUFFIX, dir=dest))
    try:
        yield tmp
        with deferred_sigint():
            produced: set[str] = set()
            for src in sorted(tmp.rglob("*")):
                if src.is_file():
                    rel = src.relative_to(tmp).as_posix()
                    target = dest / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(src, target)
                    produced.add(rel)
            for old in sorted(dest.rglob("*")):
                rel = old.relative_to(dest).as_posix()
                if rel not in produced and not old.is_relative_to(tmp) and old.is_file() and stale(rel):
                    old.unlink(missing_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def temp_prefix(kind: str) -> str:
    """The prefix of a folder in the system's temporary folder: ``zwgk-<kind>-<pid>-``."""
    return f"zwgk-{kind}-{os.getpid()}-"


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (never said on Windows, where it cannot be asked safely)."""
    if pid == os.getpid() or sys.platform == "win32":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        pass
    return False


def _old(path: Path) -> bool:
    try:
        return time.time() - path.lstat().st_mtime > STALE_SECONDS
    except OSError:
        return False


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def sweep_partial(folder: Path) -> None:
    """Remove what killed runs left in ``folder``: hidden temporary files and folders of zwgk's
    own naming whose process is gone (or, without a process id, older than a day)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        m = _PARTIAL.match(entry.name)
        path = Path(entry.path)
        if (m and _gone(int(m.group(1)))) or ((m or _OLD_PARTIAL.match(entry.name)) and _old(path)):
            _remove(path)


def sweep_temp() -> None:
    """Remove zwgk's folders in the system's temporary folder that killed runs left behind
    (``zwgk-<kind>-<pid>-…`` whose process is gone; any ``zwgk-…`` older than a day)."""
    base = Path(tempfile.gettempdir())
    try:
        entries = [e for e in os.scandir(base) if e.name.startswith("zwgk-")]
    except OSError:
        return
    for entry in entries:
        m = _TEMP.match(entry.name)
        path = Path(entry.path)
        try:
            mine = entry.stat(follow_symlinks=False).st_uid == os.getuid() if hasattr(os, "getuid") else True
        except OSError:
            continue
        if mine and ((m and _gone(int(m.group(1)))) or _old(path)):
            _remove(path)


# ------------------------------------------------------------------ files zwgk is given to read


class InputFileError(Exception):
    """A settings or roster file that cannot be read; the reason is in Chinese."""


def size_text(n: int) -> str:
    """A file size for people: ``512 字节``, ``3.2 KB``, ``20.0 MB``."""
    if n < 1024:
        return f"{n} 字节"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def read_input_file(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes.

    A pipe, a device or a socket is refused without waiting on it (it is opened non-blocking and
    checked before any read); at most ``limit + 1`` bytes are ever read, whatever the file claims.
    """
    from zwgk_cli.problems import os_reason

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        if os.path.isdir(path):  # Windows cannot open a folder at all
            raise InputFileError("这是一个文件夹,不是文件") from None
        raise InputFileError(os_reason(exc)) from None
    except ValueError:  # a NUL in the name
        raise InputFileError("路径中含有无效字符") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputFileError("这是一个文件夹,不是文件")
        if not stat.S_ISREG(mode):
            raise InputFileError("这不是普通文件(是管道、设备或套接字),无法作为文件读取")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputFileError(os_reason(exc)) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise InputFileError(f"文件过大(超过上限{size_text(limit)})")
    return data


ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def normalize_zip(data: bytes) -> bytes:
    """The same archive with every entry dated 1980-01-01 and no extra fields: byte-identical
    output for identical content (python-docx and openpyxl stamp entries with the current time)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fresh = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fresh.compress_type = zipfile.ZIP_DEFLATED
            fresh.external_attr = 0o600 << 16
            fresh.create_system = 0
            dst.writestr(fresh, src.read(info.filename))
    return out.getvalue()
