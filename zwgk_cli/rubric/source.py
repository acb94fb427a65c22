"""Rubric YAML text → plain data (dicts, lists, Decimals, text) with the line of every YAML
path; where a rubric comes from (a bundled id or a file); its content hash.

The reading is guarded against hostile or mistaken input: a file larger than
:data:`MAX_BYTES` is not parsed, and building the data stops once it has made
:data:`MAX_NODES` values or gone :data:`MAX_DEPTH` levels deep.  YAML aliases (``*name``)
are expanded as the data is built, so the node budget is what stops an alias bomb ("billion
laughs") or a self-referencing anchor long before memory runs out; each case is one located
``R018`` problem.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from zwgk_cli.problems import Code, Problem, os_reason, problem

BUNDLED_PACKAGE = "zwgk_cli.rubric.bundled"

# The largest bundled rubric is 85 KB with under 3,000 values, 13 levels deep: the limits leave
# a wide margin for a city's own rubric and stop a hostile file long before memory runs out.
MAX_BYTES = 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64


class RubricError(Exception):
    """Raised with every problem found when a rubric cannot be built."""

    def __init__(self, problems: Sequence[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)

    @classmethod
    def of(cls, code: Code, **params: Any) -> RubricError:
        """The error of one problem."""
        return cls([problem(code, **params)])


def _too_large(file: str, detail: str, limit: str, line: int | None = None) -> RubricError:
    return RubricError.of(Code.R_TOO_LARGE, file=file, line=line, detail=detail, limit=limit)


class _Builder:
    """YAML nodes → plain data, recording the line of each YAML path, within the limits.

    An alias shares its anchor's node, so a node that starts before the point the reading has
    reached was reached through an alias: ``via`` carries the line of the outermost such
    alias, which is where a problem of expansion is reported.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[str, int] = {}
        self.nodes = 0

    def build(self, node: yaml.Node, path: str, depth: int = 0, via: int | None = None) -> Any:
        line = node.start_mark.line + 1
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _too_large(self.file, "的数据项过多(锚点别名“*”按展开后计)", f"{MAX_NODES:,}项", via or line)
        if depth > MAX_DEPTH:
            raise _too_large(self.file, "的嵌套层数过深(或锚点别名引用了自身)", f"{MAX_DEPTH}层", via or line)
        self.lines[path] = line
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                at = via or _alias_line(value_node, key_node.end_mark)
                if key == "<<":  # merge key: copy the anchored mapping's entries
                    merged = self.build(value_node, path, depth + 1, at)
                    self.lines[path] = line
                    for m in merged if isinstance(merged, list) else [merged]:
                        if not isinstance(m, dict):
                            where = {"path": f"{path}.<<" if path else "<<", "line": key_node.start_mark.line + 1}
                            expected = "锚点别名(*名称)引用的键值对(mapping)"
                            bad = {"field": "<<", "value": str(m)[:40], "expected": expected}
                            raise RubricError.of(Code.R_TYPE, file=self.file, **where, **bad)
                        for k, v in m.items():
                            out.setdefault(k, v)
                    continue
                out[key] = self.build(value_node, f"{path}.{key}" if path else key, depth + 1, at)
            return out
        if isinstance(node, yaml.SequenceNode):
            items = []
            reached = node.start_mark
            for i, v in enumerate(node.value):
                at = via or _alias_line(v, reached)
                items.append(self.build(v, f"{path}[{i}]", depth + 1, at))
                if at is None:
                    reached = v.end_mark
            return items
        assert isinstance(node, yaml.ScalarNode)
        return _scalar(node)


def _alias_line(node: yaml.Node, reached: Any) -> int | None:
    """The line of the alias that brought ``node`` in, when it did (a YAML mark: ``index``
    counts characters from the start of the text, ``line`` from 0)."""
    return reached.line + 1 if node.start_mark.index < reached.index else None


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    if tag.endswith((":int", ":float")):
        try:
            return Decimal(node.value.replace("_", ""))
        except InvalidOperation:
            return node.value
    if tag.endswith(":bool"):
        # Only true/false are booleans: YAML 1.1's yes/no/on/off stay text (``input: no`` is an id).
        low = node.value.lower()
        return low == "true" if low in ("true", "false") else node.value
    if tag.endswith(":null"):
        return None
    return node.value


# What PyYAML says (its ``problem``) → what it means, in words a rubric's author knows.
_YAML_REASONS = (
    ("expected ',' or ']'", "方括号“[”没有配对的“]”,或列表的各项之间缺逗号"),
    ("expected ',' or '}'", "花括号“{”没有配对的“}”,或各项之间缺逗号"),
    ("mapping values are not allowed", "此处不能出现“键: 值”:值里含“: ”时请给整个值加引号,或检查缩进"),
    ("cannot start any token", "有不能出现在此处的字符(如制表符 Tab:缩进只能用空格)"),
    ("undefined alias", "引用了未定义的锚点(“*名称”之前须先有“&名称”)"),
    ("duplicate anchor", "锚点名称(“&名称”)重复"),
    ("second occurrence", "锚点名称(“&名称”)重复"),
    ("expected '-' indicator", "列表项(“- ”)与“键: 值”混在同一层,检查缩进"),
    ("expected key", "缩进不一致:同一层的字段应左对齐"),
    ("could not find expected ':'", "缺少冒号“:”,或引号没有闭合"),
    ("unexpected end of stream", "引号或括号没有闭合"),
)


def yaml_reason(exc: yaml.YAMLError) -> str:
    said = str(getattr(exc, "problem", None) or str(exc).split("\n")[0])
    return next((ours for theirs, ours in _YAML_REASONS if theirs in said), f"格式有误({said})")


# libyaml's loader when PyYAML has it (its wheels do): ten times faster, the same nodes and marks
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, file: str) -> tuple[Any, dict[str, int]]:
    """The plain data of a rubric's YAML text and the line of each YAML path in it."""
    if len(text) > MAX_BYTES:
        raise _too_large(file, f"有{len(text):,}个字符", f"{MAX_BYTES:,}个字符")
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise RubricError.of(Code.R_YAML, file=file, line=line, detail=yaml_reason(exc)) from None
    except RecursionError:  # the pure-Python composer on deep nesting (libyaml stops it itself)
        raise _too_large(file, "的嵌套层数过深", f"{MAX_DEPTH}层") from None
    if node is None:
        raise RubricError.of(Code.R_MISSING, file=file, field="id")
    builder = _Builder(file)
    return builder.build(node, ""), builder.lines


def content_hash(data: Any) -> str:
    """The first 16 hex digits of the SHA-256 of the data as canonical JSON: comments and
    layout do not count, every value does (scores.json and each workbook carry it).

    An empty list or mapping counts as not written, and no ``tiers`` as ``tiers: []``: the
    reader takes them alike, and a rubric workbook cannot tell them apart, so a YAML rubric
    and its workbook have one hash.  (Empty ``tiers`` stay in, as the bundled 荆州 rubric
    writes them: the hash its issued workbooks carry does not move.)"""
    canon = json.dumps(_canonical(data), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()[:16]


def _canonical(data: Any, top: bool = True) -> Any:
    if isinstance(data, dict):
        out = {k: _canonical(v, False) for k, v in data.items() if not (isinstance(v, list | dict) and not v)}
        return {"tiers": [], **out} if top else out
    if isinstance(data, list):
        return [_canonical(v, False) for v in data]
    return data


def bundled_ids() -> list[str]:
    root = resources.files(BUNDLED_PACKAGE)
    return sorted(p.name[: -len(".yaml")] for p in root.iterdir() if p.name.endswith(".yaml"))


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def read_at_most(path: Path, limit: int) -> bytes:
    """A file's bytes, read no further than one past ``limit`` (so a longer file shows)."""
    try:
        with path.open("rb") as f:
            return f.read(limit + 1)
    except OSError as exc:
        raise RubricError.of(Code.R_FILE, file=str(path), detail=os_reason(exc)) from None


def read_file(path: Path) -> str:
    """A rubric file's text, read no further than :data:`MAX_BYTES`."""
    raw = read_at_most(path, MAX_BYTES)
    if len(raw) > MAX_BYTES:
        try:
            size = path.stat().st_size  # 0 for a device or pipe that never ends
        except OSError:
            size = 0
        raise _too_large(str(path), f"大小{_size(size)}" if size > MAX_BYTES else "过大", _size(MAX_BYTES))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        detail = "文件不是 UTF-8 编码的文本(请另存为 UTF-8 编码)"
        raise RubricError.of(Code.R_FILE, file=str(path), detail=detail) from None


def locate(ref: str) -> tuple[str, str]:
    """A bundled rubric id or a file path → (display name, YAML text)."""
    path = Path(ref)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return str(path), read_file(path)
    if ref in bundled_ids():
        res = resources.files(BUNDLED_PACKAGE).joinpath(f"{ref}.yaml")
        return f"{ref}.yaml", res.read_text(encoding="utf-8")
    raise RubricError.of(Code.R_FILE, detail=f"{ref}(内置细则有:{'、'.join(bundled_ids())})")
