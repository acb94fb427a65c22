"""What ``zwgk score`` prints: short enough to stay in view, the summary last.

Problems of one code are one line (how many, in how many files, their message's shape and a few
examples); units without a workbook one line per group; then the counts and where the results
and the full problem list are.  ``--verbose``: the problem table (200 rows, then a count per code).
"""

from __future__ import annotations

import os
import re

from rich.table import Table
from rich.text import Text

from zwgk_cli.cli.common import console, err_console, problem_line, problems_table, say, severity_text, shown_path
from zwgk_cli.problems import SEVERITY_LABELS, Code, Problem, Severity, sort_key
from zwgk_cli.results.document import STATUS_LABELS, STATUS_MISSING
from zwgk_cli.results.rounds import round_line
from zwgk_cli.scoring import batch as batch_mod
from zwgk_cli.scoring.output import Written

TABLE_LIMIT = 200  # rows of the --verbose table; the files have every problem
LINES = 12  # kinds of problems shown in the compact view
EXAMPLES = 3  # places named per kind; a kind with this many problems or fewer is shown in full
NAMES = 5  # units named per group of units without a workbook

_CODES = {c.code: c for c in Code}
_FIELD = re.compile(r"\{[^{}]*\}")


def show(batch: batch_mod.Batch, written: Written, blocked: bool, verbose: bool) -> None:
    problems_file = shown_path(written.problems[0]) if written.problems else "problems.csv"
    if batch.errors + batch.warnings:
        if verbose:
            _table(batch)
        else:
            _compact(batch, problems_file)
    _summary(batch, written, blocked, problems_file)


def _compact(batch: batch_mod.Batch, problems_file: str) -> None:
    head: dict[str, list[Problem]] = {}
    for p in batch.head(2 * TABLE_LIMIT):
        head.setdefault(p.code, []).append(p)
    kinds = _by_severity(batch)
    for code, (n, files, first) in kinds[:LINES]:
        if code == Code.W_NO_WORKBOOK.code:
            _missing(batch, problems_file)
        elif n <= EXAMPLES and len(head.get(code, [])) == n:
            for p in sorted(head[code], key=sort_key):
                _line(p.severity, problem_line(p))
        else:
            _kind(code, n, files, first, head.get(code, []))
    rest = kinds[LINES:]
    if rest:
        more = sum(n for _, (n, _, _) in rest)
        err_console.print(f"另有 {len(rest)} 类问题共 {more} 条未列出,见 {problems_file}。", markup=False)


def _by_severity(batch: batch_mod.Batch) -> list[tuple[str, tuple[int, int, Problem]]]:
    """Each code's (count, files, first problem), errors first, by code."""
    return sorted(batch.by_code().items(), key=lambda kv: (kv[1][2].severity is not Severity.ERROR, kv[0]))


def _line(severity: Severity, text: str) -> None:
    """``text`` begins with the severity's label: that in colour."""
    err_console.print(severity_text(severity) + Text(text.removeprefix(SEVERITY_LABELS[severity])), soft_wrap=True)


def _kind(code: str, n: int, files: int, first: Problem, some: list[Problem]) -> None:
    """One line for the ``n`` problems of ``code``, and a line of examples."""
    known = _CODES.get(code)
    message = _FIELD.sub("…", known.template) if known is not None else first.message  # its blanks as …
    hint = known.hint_template if known is not None else first.hint
    where = f"{n} 处" + (f",{files} 个文件" if files > 1 else "")
    text = f"{SEVERITY_LABELS[first.severity]} {code}({where}):{message}"
    if hint and not _FIELD.search(hint):
        text += f" —— {hint}"
    _line(first.severity, text)
    places = [p.where or p.unit for p in _examples(some or [first])]
    if places:
        err_console.print(Text("    例:" + ";".join(places) + (" 等" if n > len(places) else "")), soft_wrap=True)


def _examples(some: list[Problem]) -> list[Problem]:
    """A few of ``some``, from as many files as there are, in display order."""
    ordered = sorted(some, key=sort_key)
    picked: list[Problem] = []
    files: set[str] = set()
    for p in ordered:  # the first of each file first
        if p.file not in files:
            files.add(p.file)
            picked.append(p)
    picked += [p for p in ordered if p not in picked]
    return sorted(picked[:EXAMPLES], key=sort_key)


def _missing(batch: batch_mod.Batch, problems_file: str) -> None:
    """The units without a workbook: one line per group."""
    by_group: dict[str, list[str]] = {}
    for o in batch.outcomes:
        if o.status == STATUS_MISSING:
            by_group.setdefault(o.unit.group, []).append(o.unit.name)
    total = sum(len(v) for v in by_group.values())
    code = Code.W_NO_WORKBOOK
    label = SEVERITY_LABELS[code.severity]
    _line(code.severity, f"{label} {code.code}:{total} 个单位没有交回评分表 —— {code.hint_template}")
    for group in batch.groups():
        names = by_group.get(group)
        if not names:
            continue
        listed = "、".join(names[:NAMES]) + ("…" if len(names) > NAMES else "")
        text = f"    {group or '未分组'}:缺 {len(names)} 个单位({listed})"
        if len(names) > NAMES:
            text += f",名单见 {problems_file}"
        err_console.print(Text(text), soft_wrap=True)


def _summary(batch: batch_mod.Batch, written: Written, blocked: bool, problems_file: str) -> None:
    errors, warnings = batch.errors, batch.warnings
    parts = "、".join(f"{STATUS_LABELS[s]} {n}" for s, n in batch.counts.items() if n)
    skipped = f"(跳过锁定文件 {batch.skipped} 个)" if batch.skipped else ""
    console.print(f"共 {len(batch.units)} 个单位:{parts};读取文件 {len(batch.files)} 个{skipped}。", markup=False)
    if errors + warnings:
        console.print(
            Text(f"{errors} 个错误", style="red" if errors else "")
            + Text("、")
            + Text(f"{warnings} 条提示", style="yellow" if warnings else "")
            + Text(f";完整清单(每条的位置和怎么办)见 {problems_file}。")
        )
    if blocked:
        console.print("[red]--strict:存在错误,未写入评分结果[/](已有的评分结果未更新)。")
    files = [*written.scores, *written.problems]
    if files:
        names = "、".join(f.name for f in files)
        say(f"结果已写入 {shown_path(files[0].parent)}{os.sep}:{names}")
    if written.round is not None:
        say(round_line(written.round, written.new_round))


def _table(batch: batch_mod.Batch) -> None:
    total = batch.errors + batch.warnings
    shown = sorted(batch.head(TABLE_LIMIT), key=sort_key)
    title = "发现的问题(按文件分组,错误在前)"
    if total > len(shown):
        title += f":显示其中{len(shown)}条(错误优先),全部{total}条见 problems.csv"
    err_console.print(problems_table(shown, title))
    if total > len(shown):
        err_console.print(_by_code(batch))


def _by_code(batch: batch_mod.Batch) -> Table:
    """How many problems of each code, in how many files, with one example."""
    table = Table(title="问题按代码统计")
    for col in ("代码", "级别", "条数", "文件数"):
        table.add_column(col, no_wrap=True)
    table.add_column("示例", overflow="fold")
    for code, (n, files, first) in _by_severity(batch):
        table.add_row(code, severity_text(first.severity), str(n), str(files), Text(first.message))  # never markup
    return table
