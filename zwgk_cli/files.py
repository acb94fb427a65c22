"""Files zwgk writes: atomic writes, and the one way a unit's name becomes a file name.

Every output goes through :func:`atomic_open` (a temporary file in the same folder, renamed into
place), and every file named after a unit goes through :func:`unique_file_names`, so that names
are safe on Windows, macOS and Linux and two units never share a file.
"""

from __future__ import annotations

import os
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
