"""Problems are data: a stable code (:mod:`zwgk_cli.codes`, the catalogue), a severity, where
(file, sheet, cell or YAML path / row), and a Chinese message that says what is wrong and what
to do.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any

from zwgk_cli.codes import SEVERITY_LABELS as SEVERITY_LABELS
from zwgk_cli.codes import Code as Code
from zwgk_cli.codes import Severity as Severity

# Characters XML 1.0 does not allow (so no DOCX, XLSX or HTML writer accepts them): C0 controls
# other than tab, line feed and carriage return, U+FFFE/U+FFFF, and lone surrogates (a file
# name that is not UTF-8 arrives in Python as surrogate escapes).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def readable(text: str) -> str:
    """``text`` (a file name, a sheet name, a message) safe to print, JSON-encode and write
    into any document.

    A file name that is not UTF-8 — a zip made on Chinese Windows keeps its names in GBK, and
    unpacked on Linux they reach Python as surrogate escapes — is decoded part by part (each
    ``/``-separated name was made by one program): as GB18030 when it is that, else with
    U+FFFD for the undecodable bytes.  Control characters XML does not allow become a space.
    """
    if XML_ILLEGAL.search(text) is None:
        return text
    parts = text.split("/")
    for n, part in enumerate(parts):
        if _ESCAPED_BYTE.search(part) is not None:
            raw = re.sub("[\ud800-\udc7f\udd00-\udfff]", "\ufffd", part).encode("utf-8", "surrogateescape")
            try:
                parts[n] = raw.decode("gb18030")
            except UnicodeDecodeError:
                parts[n] = raw.decode("utf-8", "replace")
    return XML_ILLEGAL.sub(" ", "/".join(parts))


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


_WHERE = ("file", "sheet", "cell", "path", "line", "unit", "indicator", "team")


@dataclass(frozen=True)
class Problem:
    code: str
    severity: Severity
    message: str
    hint: str = ""
    file: str = ""
    sheet: str = ""
    cell: str = ""
    path: str = ""  # YAML path or "第N行" in a table
    line: int | None = None
    unit: str = ""
    indicator: str = ""
    team: str = ""  # the 检查组 whose workbook (or part) it concerns; only when teams are declared

    def __post_init__(self) -> None:
        # Every text of a problem may come from a file (a name, a typed value, a sheet name):
        # made safe here once, so no printer, JSON encoder or document writer ever fails on it.
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str) and XML_ILLEGAL.search(value) is not None:
                object.__setattr__(self, f.name, readable(value))

    @property
    def where(self) -> str:
        bits = [b for b in (self.file, self.sheet, self.cell, self.path) if b]
        if self.line is not None:
            bits.append(f"第{self.line}行")
        return " ".join(bits)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["severity"] = str(self.severity)
        if not self.team:
            del d["team"]  # campaigns without teams see what they always saw
        return d


def problem(code: Code, /, **where_and_params: Any) -> Problem:
    """Build a problem from a code; location keywords go to their fields, the rest fill the
    message template."""
    params = _SafeDict(where_and_params)  # a location (unit) may also be named in the message
    hint = code.hint_template
    return Problem(
        code.code,
        code.severity,
        code.template.format_map(params),
        hint.format_map(params) if "{" in hint else hint,
        **{k: v for k, v in where_and_params.items() if k in _WHERE},
    )


def os_reason(exc: OSError, writing: bool = False) -> str:
    """An operating-system error on a file being read (or ``writing``) in Chinese; the
    system's own text only for rare ones."""
    verb = "写入" if writing else "读取"
    words = {
        errno.ENOENT: "路径中的文件夹不存在" if writing else "文件不存在(可能是失效的快捷方式或链接)",
        errno.EACCES: f"没有{verb}权限",
        errno.EPERM: f"没有{verb}权限",
        errno.EISDIR: "这是一个文件夹",
        errno.ELOOP: "链接指向自身(循环链接)",
        errno.EIO: f"{verb}磁盘出错",
        errno.ENOSPC: "磁盘空间不足",
        errno.EROFS: "磁盘为只读",
        errno.ENOTDIR: "路径中有同名文件",
        errno.EEXIST: "路径中有同名文件",
    }
    if exc.errno in words:
        return words[exc.errno]
    return f"系统错误:{exc.strerror}" if exc.strerror else str(exc)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


def sort_key(p: Problem) -> tuple[str, int, str, str, str]:
    """Grouped by file, most serious first, then in sheet/cell order."""
    return (p.file, 0 if p.severity is Severity.ERROR else 1, p.sheet, p.cell, p.code)
