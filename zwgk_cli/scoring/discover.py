"""Finding the returned workbooks: files as given, folders recursively, in a fixed order.

Office lock files are skipped quietly (and counted); the results folder is left out; a file
reached twice (two paths, a link) is listed once.  Names are what problems and outputs show.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from zwgk_cli.workbook.read import WORKBOOK_SUFFIXES

LOCK_PREFIXES = ("~$", ".~lock.", "._")  # Excel/WPS, LibreOffice, macOS resource forks


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
            elif os.path.splitext(e.name)[1].lower() in WORKBOOK_SUFFIXES and _file_or_broken_link(e, e_abs):
                out.append((folder / e.name, e_abs))
    out.sort(key=lambda item: item[1].split(os.sep))
    return out


def _file_or_broken_link(e: os.DirEntry[str], e_abs: str) -> bool:
    """A file, or a link that leads nowhere (broken, or a loop: ``ELOOP``): listed, so that
    reading it names the problem (W001) instead of the batch ending on it."""
    try:
        return e.is_file() or (e.is_symlink() and not os.path.exists(e_abs))
    except OSError:
        return e.is_symlink()


def other_files(paths: Sequence[Path], base: Path | None = None, exclude: Sequence[Path] = ()) -> list[str]:
    """The names of the regular files under the folders in ``paths`` that are not workbooks
    (PDF evidence, Word files, a zip of workbooks…), sorted: named once each, never read.
    Lock files and hidden files (``.DS_Store``) are left out, as are the ``exclude`` folders."""
    skip = [os.path.abspath(x) for x in exclude]
    names: list[str] = []
    for p in paths:
        if not p.is_dir():
            continue
        p_abs = os.path.abspath(p)
        base_abs = os.path.abspath(base) if base is not None else None
        root = base_abs if base_abs is not None and _inside(p_abs, base_abs) else os.path.dirname(p_abs)
        for folder, dirs, files in os.walk(p):
            folder_abs = os.path.abspath(folder)
            dirs[:] = sorted(d for d in dirs if not any(_inside(os.path.join(folder_abs, d), x) for x in skip))
            for f in files:
                f_abs = os.path.join(folder_abs, f)
                if f.startswith(".") or is_lock_file(Path(f)) or os.path.splitext(f)[1].lower() in WORKBOOK_SUFFIXES:
                    continue
                if os.path.isfile(f_abs) and not os.path.islink(f_abs):
                    inner = _inside(f_abs, root)
                    names.append(f_abs[len(root) :].lstrip(os.sep).replace(os.sep, "/") if inner else f_abs)
    return sorted(set(names))


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
