"""Files zwgk writes: atomic writes, and the one way a unit's name becomes a file name.

Every output goes through :func:`atomic_open` (a temporary file in the same folder, renamed into
place), and every file named after a unit goes through :func:`unique_file_names`, so that names
are safe on Windows, macOS and Linux and two units never share a file.
"""

from __future__ import annotations

import os
import stat
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

TMP_SUFFIX = ".tmp"

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
    """``(key, name)`` pairs → key → a safe file name ending in ``suffix``, unique case-insensitively.

    A name that collides with an earlier one gets its key appended (``名称_编号``), then a number.
    """
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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; results are shared like any file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_open`)."""
    with atomic_open(path) as fh:
        fh.write(data)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


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
