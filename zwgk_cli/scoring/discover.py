"""Finding the returned workbooks: files as given, folders recursively, in a fixed order.

Office lock files are skipped (and counted); the results folder is left out; a file reached twice
(two paths, a link) is listed once.  A zip is read as the workbooks in it (``第一检查组.zip/三台县.xlsx``),
never changed nor extracted: what else it holds is named (W037), a zip inside it is not opened
(W045), an unreadable zip is one problem (W046).  Other files that are not workbooks are named
once each (W037) and not read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from zwgk_cli.problems import Code, Problem, problem, readable
from zwgk_cli.workbook.guards import ZIP_SUFFIX, Refused, zip_members
from zwgk_cli.workbook.read import WORKBOOK_SUFFIXES

LOCK_PREFIXES = ("~$", ".~lock.", "._")  # Excel/WPS, LibreOffice, macOS resource forks


@dataclass(frozen=True)
class FileRef:
    path: Path
    name: str  # as problems and outputs show it
    member: str = ""  # the workbook inside the zip ``path``, as the zip stores its name


@dataclass
class Found:
    """What :func:`discover` found: the workbooks to read, the lock files skipped, and the
    problems of what is not read (files that are not workbooks, zips that cannot be opened)."""

    refs: list[FileRef] = field(default_factory=list)
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)


def is_lock_file(name: str) -> bool:
    return name.startswith(LOCK_PREFIXES) or name.endswith("#")


def is_workbook_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in WORKBOOK_SUFFIXES


def discover(paths: Sequence[Path], base: Path | None = None, exclude: Sequence[Path] = ()) -> Found:
    """Workbook files under ``paths`` (except under the ``exclude`` folders) and the workbooks in
    zips, sorted by name, each once.  Names are relative to ``base`` (the campaign folder) when
    inside it, else to the folder given (``returned/县区/a.xlsx``)."""
    found: dict[object, FileRef] = {}
    out = Found()
    others: set[str] = set()
    skip = [os.path.abspath(x) for x in exclude]
    base_abs = os.path.abspath(base) if base is not None else None
    for p in paths:
        p_abs = os.path.abspath(p)
        root = base_abs if base_abs is not None and _inside(p_abs, base_abs) else os.path.dirname(p_abs)
        if p.is_dir():
            candidates, other = _walk(p, p_abs, skip)
            others.update(_name(f_abs, root) for f_abs in other)
        else:
            candidates = [(p, p_abs)]
        for f, f_abs in candidates:
            if is_lock_file(f.name):
                out.skipped += 1
                continue
            try:
                st = os.stat(f_abs)
                key: object = (st.st_dev, st.st_ino) if st.st_ino else os.path.realpath(f_abs)
            except OSError:  # a broken link: listed, and reported when read
                key = f_abs
            if key in found:
                continue
            name = _name(f_abs, root) if _inside(f_abs, root) else f.as_posix()
            found[key] = FileRef(f, name)
    for key, ref in list(found.items()):
        if ref.name.lower().endswith(ZIP_SUFFIX):
            del found[key]
            for member in _unzip(ref, out.problems):
                found[(key, member.member)] = member
    out.refs = sorted(found.values(), key=lambda r: (r.name, str(r.path), r.member))
    out.problems.extend(problem(Code.W_NOT_A_WORKBOOK, file=f) for f in sorted(others))
    return out


def _unzip(ref: FileRef, problems: list[Problem]) -> list[FileRef]:
    """The workbooks in the zip ``ref``; what else it holds, or why it cannot be read, goes to
    ``problems``."""
    try:
        members = zip_members(ref.path)
    except Refused as refused:
        why = problem(refused.code, **refused.params).message
        if refused.code is Code.W_NOT_XLSX:  # said of a workbook: "不是 Excel 工作簿"
            why = f"文件内容是{refused.params['found']}"
        elif refused.code is Code.W_BROKEN_ZIP:
            why = str(refused.params["detail"])
        problems.append(problem(Code.W_ZIP_UNREADABLE, file=ref.name, why=why))
        return []
    if members is None:  # a workbook renamed .zip: read as the workbook it is
        return [ref]
    out = []
    for member, as_read in members:
        shown = f"{ref.name}/{readable(as_read)}"
        base = os.path.basename(as_read.rstrip("/"))
        if base.startswith(".") or is_lock_file(base):
            continue
        if is_workbook_name(base):
            out.append(FileRef(ref.path, shown, member))
        elif base.lower().endswith(ZIP_SUFFIX):
            problems.append(problem(Code.W_ZIP_NESTED, file=shown))
        else:
            problems.append(problem(Code.W_NOT_A_WORKBOOK, file=shown))
    return out


def _name(f_abs: str, root: str) -> str:
    if not _inside(f_abs, root):
        return f_abs
    return f_abs[len(root) :].lstrip(os.sep).replace(os.sep, "/")


def _walk(top: Path, top_abs: str, skip: Sequence[str]) -> tuple[list[tuple[Path, str]], list[str]]:
    """Under ``top``: the workbooks and zips (and broken links named so), in path order, and the
    other regular files (not hidden, not lock files); links to folders are not followed."""
    out: list[tuple[Path, str]] = []
    others: list[str] = []
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
            if _safely(e.is_dir, follow_symlinks=False):
                stack.append((folder / e.name, e_abs))
            elif is_workbook_name(e.name) or e.name.lower().endswith(ZIP_SUFFIX):
                if _file_or_broken_link(e, e_abs):
                    out.append((folder / e.name, e_abs))
            elif not e.name.startswith(".") and not is_lock_file(e.name) and _safely(e.is_file, follow_symlinks=False):
                others.append(e_abs)
    out.sort(key=lambda item: item[1].split(os.sep))
    return out, others


def _safely(test: Callable[..., bool], **how: bool) -> bool:
    """A DirEntry's ``is_dir`` or ``is_file``; False when the file system will not say."""
    try:
        return test(**how)
    except OSError:
        return False


def _file_or_broken_link(e: os.DirEntry[str], e_abs: str) -> bool:
    """A file, or a link that leads nowhere (broken, or a loop: ``ELOOP``): listed, so that
    reading it names the problem (W001) instead of the batch ending on it."""
    try:
        return e.is_file() or (e.is_symlink() and not os.path.exists(e_abs))
    except OSError:
        return e.is_symlink()


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
