"""``zwgk rubric list|show|check|export|new|diff``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.cli import app, common
from zwgk_cli.files import atomic_write_bytes
from zwgk_cli.model import Criterion, Indicator, Part, PartKind, Rubric, Variant, fmt_points
from zwgk_cli.problems import Problem, Severity, os_reason
from zwgk_cli.resources import sample_roster
from zwgk_cli.rubric import xlsx_read
from zwgk_cli.rubric.diff import CHANGE_LABELS, SECTIONS, RubricDiff, diff, label
from zwgk_cli.workbook.revision import Compatibility, rubric_compatibility

rubric_app = typer.Typer(
    help="评分细则:列出、查看、检查、导出为工作簿、新建空白工作簿、对比两个版本。", no_args_is_help=True
)
app.add_typer(rubric_app, name="rubric")

RubricArg = Annotated[
    str | None, typer.Argument(help="细则编号(如 mianyang-2022)、YAML 文件或细则工作簿(.xlsx);考评目录中可省略。")
]


def _max_text(v: Variant) -> str:
    bits = [f"{p.title.split()[0] if p.title else p.id} {fmt_points(p.max)}" for p in v.parts if p.max is not None]
    return f"{fmt_points(v.max)}(" + " + ".join(bits) + ")"


@rubric_app.command("list")
def list_cmd(json_out: common.JsonOpt = False) -> None:
    """列出内置的评分细则:编号、名称、年度、版本(适用分组)与满分。

    示例:zwgk rubric list
    """
    rubrics = [rubric_mod.load(rid) for rid in rubric_mod.bundled_ids()]
    if json_out:
        common.print_json(
            [
                {
                    "id": r.id,
                    "title": r.title,
                    "year": r.year,
                    "version": r.version,
                    "hash": r.hash,
                    "max": rubric_mod.json_number(r.max),
                    "variants": [
                        {"id": v.id, "title": v.title, "groups": list(v.groups), "max": rubric_mod.json_number(v.max)}
                        for v in r.variants
                    ],
                }
                for r in rubrics
            ]
        )
        return
    table = Table(title="内置评分细则")
    for col in ("编号", "名称", "年度", "版本(适用分组)", "满分"):
        table.add_column(col, overflow="fold")  # Chinese text has no spaces to wrap at: fold, never cut
    for r in rubrics:
        for i, v in enumerate(r.variants):
            first = (r.id, r.title, str(r.year)) if i == 0 else ("", "", "")
            table.add_row(*first, f"{v.title}({'、'.join(v.groups) or '全部单位'})", _max_text(v))
    common.console.print(table)


def _criterion_label(c: Criterion) -> str:
    mx = "" if c.max is None else f"[cyan]{fmt_points(c.max)}分[/]"
    na = "" if c.applicable else " [dim]不适用[/]"
    inputs = "、".join(escape(i.label) for i in c.live_inputs()) if c.applicable else ""
    veto = " [red]否决项[/]" if c.vetoes else ""
    text = escape(c.text if len(c.text) <= 60 else c.text[:58] + "…")
    return f"[dim]{c.id}[/] {text} {mx}{na}{veto}" + (f"\n   [green]填写:[/]{inputs}" if inputs else "")


def _indicator_tree(node: Tree, ind: Indicator) -> None:
    if rubric_mod.is_flat(ind):
        node.add(f"[bold]{escape(ind.title)}[/] " + _criterion_label(ind.criteria[0]))
        return
    branch = node.add(f"[bold]{escape(ind.title)}[/] [cyan]{fmt_points(ind.max)}分[/] [dim]{ind.id}[/]")
    for c in ind.criteria:
        branch.add(_criterion_label(c))
    for s in ind.by_unit:
        sub = branch.add(f"[magenta]{escape('、'.join(s.names))}{'(通用)' if s.default else ''}[/]")
        for c in s.criteria:
            sub.add(_criterion_label(c))
    for sub_ind in ind.indicators:
        _indicator_tree(branch, sub_ind)


_KIND_WORDS = {PartKind.BONUS: "加分", PartKind.PENALTY: "扣分(不设上限)"}


def _part_tree(node: Tree, p: Part, kinds: dict[str, str]) -> None:
    extra = [_KIND_WORDS[p.kind]] if p.kind in _KIND_WORDS else []
    if p.per_target:
        extra.append(f"按{escape(kinds.get(p.per_target, p.per_target))}逐个评分取平均")
    if p.threshold:
        extra.append(f"低于{fmt_points(p.threshold.min)}分{escape(p.threshold.label)}")
    if p.gate:
        extra.append(f"{p.gate.part}达到{fmt_points(p.gate.min)}分方计入")
    mx = "" if p.max is None else f" [cyan]{fmt_points(p.max)}分[/]"
    branch = node.add(f"[bold yellow]{escape(p.title)}[/]{mx} [dim]{p.id}[/] {'；'.join(extra)}")
    for ind in p.indicators:
        _indicator_tree(branch, ind)
    for sub in p.parts:
        _part_tree(branch, sub, kinds)


@rubric_app.command("show")
def show_cmd(
    rubric: RubricArg = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="按某单位展开(只显示该单位适用的细则)。")] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help="单位名单文件(配合 --unit)。")] = None,
    json_out: common.JsonOpt = False,
    campaign: common.CampaignOpt = None,
) -> None:
    """以树形显示评分细则;--json 输出完整结构(契约见 README)。

    示例:zwgk rubric show mianyang-2022 --unit 市发展改革委 --json
    """
    camp = common.load_campaign(campaign)
    r = common.load_rubric(rubric, camp)
    variant = u = None
    if unit:
        ros = common.load_units(r, roster, None, camp, use_sample=True)
        u = ros.unit(unit)
        if u is None:
            common.usage_error(f"名单中没有单位“{unit}”。")
        try:
            variant = rubric_mod.resolve(r, u)
        except rubric_mod.RubricError as exc:
            common.problems_error(exc.problems)
    if json_out:
        common.print_json(rubric_mod.rubric_to_dict(r, variant, u))
        return
    kinds = {k.id: k.title for k in r.target_kinds}
    for v in [variant] if variant is not None else r.variants:
        title = r.title + (f" · {v.title}" if len(r.variants) > 1 else "") + (f" · {u.name}" if u else "")
        tree = Tree(f"[bold]{escape(title)}[/] 满分 {_max_text(v)} [dim]{r.id} {r.hash}[/]")
        for p in v.parts:
            _part_tree(tree, p, kinds)
        common.console.print(tree)
    if r.notes and not unit:
        common.console.print("[bold]读法说明与原文笔误:[/]")
        for n in r.notes:
            common.console.print(f" · [dim]{n.id}[/] {escape(n.text)}")


@rubric_app.command("check")
def check_cmd(
    rubric: RubricArg = None,
    roster: Annotated[
        Path | None, typer.Option("--roster", help="单位名单(CSV/XLSX);内置细则默认用其示例名单。")
    ] = None,
    targets: common.TargetsOpt = None,
    json_out: common.JsonOpt = False,
    campaign: common.CampaignOpt = None,
) -> None:
    """检查评分细则:分值合计、编号唯一、规则能否得满分、原文与分值是否矛盾、简称能否对应名单。

    有错误时退出码为 1,只有提示时为 0。
    示例:zwgk rubric check jingzhou-2021
    """
    camp = common.load_campaign(campaign)
    r = common.load_rubric(rubric, camp)
    has_roster = roster or camp.units or sample_roster(r.id) is not None
    ros = common.load_units(r, roster, targets, camp, use_sample=True) if has_roster else None
    problems = list(ros.problems) if ros else []
    problems += _in_cells(r, rubric_mod.check(r, ros.units if ros else ()))
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if json_out:
        common.print_json(
            {
                "rubric": r.id,
                "hash": r.hash,
                "ok": not errors,
                "units": len(ros.units) if ros else 0,
                "problems": [p.to_dict() for p in problems],
            }
        )
    else:
        common.print_problems(problems, "细则检查发现的问题")
        n_units = f",对照名单 {len(ros.units)} 个单位" if ros else ""
        verdict = "[green]通过[/]" if not errors else f"[red]{len(errors)} 个错误[/]"
        warn = len(problems) - len(errors)
        common.console.print(
            f"{escape(r.title)}({r.id},{r.hash}){n_units}:{verdict}" + (f",{warn} 条提示" if warn else "")
        )
    if errors:
        raise typer.Exit(common.EXIT_PROBLEMS)


def _in_cells(r: Rubric, problems: list[Problem]) -> list[Problem]:
    """The problems of a rubric workbook located by sheet and cell (of a YAML rubric: as they are)."""
    path = Path(r.path)
    if not xlsx_read.is_workbook(path):
        return problems
    try:
        data, cells = xlsx_read.read_workbook(path)
    except rubric_mod.RubricError:
        return problems
    at = xlsx_read.check_cells(data, cells)
    return [replace(p, sheet=at[p.path][0], cell=at[p.path][1], path="") if p.path in at else p for p in problems]


def _write_new(path: Path, data: bytes, force: bool) -> None:
    if path.suffix.lower() != ".xlsx":
        common.usage_error(f"细则工作簿的文件名应以 .xlsx 结尾:{path}")
    if path.exists() and not force:
        common.usage_error(f"{path} 已存在;确认要覆盖时加 --force。")
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        common.usage_error(f"无法写入 {path}:{os_reason(exc, writing=True)}")


ForceOpt = Annotated[bool, typer.Option("--force", help="文件已存在时覆盖。")]


@rubric_app.command("export")
def export_cmd(
    rubric: RubricArg = None,
    xlsx: Annotated[Path, typer.Option("--xlsx", help="导出的细则工作簿(.xlsx)。")] = Path("评分细则.xlsx"),
    force: ForceOpt = False,
    campaign: common.CampaignOpt = None,
) -> None:
    """把评分细则导出为可编辑的 Excel 工作簿(每个指标、每条计分规则一行,带下拉列表)。

    改好后用 zwgk rubric check 工作簿.xlsx 检查;工作簿可在任何接受细则的地方使用。
    示例:zwgk rubric export jingzhou-2021 --xlsx 我县细则.xlsx
    """
    camp = common.load_campaign(campaign)
    ref = common.rubric_ref(rubric, camp)
    r = common.load_rubric(ref)
    try:
        data = rubric_mod.workbook_bytes(rubric_mod.source_data(ref))
    except rubric_mod.RubricError as exc:
        common.problems_error(exc.problems)
    _write_new(xlsx, data, force)
    common.console.print(f"已导出 {r.title}({r.id},{r.hash})到 {xlsx}", markup=False)


@rubric_app.command("new")
def new_cmd(file: Annotated[Path, typer.Argument(help="新建的细则工作簿(.xlsx)。")], force: ForceOpt = False) -> None:
    """新建空白的细则工作簿:含“填写说明”(每种计分规则一个示例)和各张待填写的表。

    示例:zwgk rubric new 我市2025细则.xlsx
    """
    _write_new(file, rubric_mod.workbook_bytes({}), force)
    common.console.print(f"已新建 {file}:按“填写说明”填写后,用 zwgk rubric check {file.name} 检查。")


@rubric_app.command("diff")
def diff_cmd(
    old: Annotated[str, typer.Argument(help="修订前的细则:细则编号、YAML 文件或细则工作簿(.xlsx)。")],
    new: Annotated[str, typer.Argument(help="修订后的细则:细则编号、YAML 文件或细则工作簿(.xlsx)。")],
    json_out: common.JsonOpt = False,
) -> None:
    """对比评分细则的两个版本:基本信息、等次、类别、每个部分/指标/细则(分值、原文、计分规则、
    否决项、适用条件)、填写项和读法说明的增删改;最后说明按修订前细则生成的评分表能否按修订后的细则读取。

    退出码:0 表示两版相同,或评分表仍可读取(兼容);1 表示不兼容(已发出的评分表会被拒收,
    需重新生成);2 表示细则无法读取或用法有误。
    示例:zwgk rubric diff 细则-旧.yaml 细则.yaml
    """
    a, b = common.load_rubric(old), common.load_rubric(new)
    d = diff(a, b)
    compat = rubric_compatibility(a, b)
    if json_out:
        common.print_json(
            {
                "old": {"id": a.id, "title": a.title, "version": a.version, "hash": a.hash},
                "new": {"id": b.id, "title": b.title, "version": b.version, "hash": b.hash},
                "identical": d.identical,
                "changes": [e.to_dict() for e in d.entries],
                "compatible": compat.compatible,
                "reason": compat.reason,
                "incompatible": [c.to_dict() for c in compat.changes],
            }
        )
    else:
        _print_diff(d, label(a), label(b))
        _print_verdict(d.identical, compat, label(a), label(b))
    if not compat.compatible:
        raise typer.Exit(common.EXIT_PROBLEMS)


def _print_diff(d: RubricDiff, a: str, b: str) -> None:
    """A table per section on a terminal (修订前 | 修订后 side by side); one plain line per
    change when piped."""
    common.console.print(Text(f"修订前:{d.old.title} {a}\n修订后:{d.new.title} {b}"), soft_wrap=True)
    if d.identical:
        return
    if not d.entries:
        common.console.print("两版内容有差别,但不涉及下列各项(如条目顺序)。")
    for section in SECTIONS:
        rows = [e for e in d.entries if e.section == section]
        if not rows:
            continue
        if not common.console.is_terminal:
            common.console.print(f"【{section}】", markup=False)
            for e in rows:
                common.say("  " + e.text())
            continue
        table = Table(title=section, title_justify="left", show_lines=True)
        table.add_column("变化", no_wrap=True)
        for col in ("项目", "修订前", "修订后"):
            table.add_column(col, overflow="fold")
        for e in rows:
            style = {"added": "green", "removed": "red"}.get(e.change, "yellow")
            table.add_row(Text(CHANGE_LABELS[e.change], style=style), Text(e.subject), Text(e.before), Text(e.after))
        common.console.print(table)


def _print_verdict(identical: bool, compat: Compatibility, a: str, b: str) -> None:
    if identical:
        said = [("两版细则完全相同。", "green")]
    elif compat.compatible:
        said = [
            (
                f"兼容:按 {a} 生成的评分表,填写项(编号、类型、选项、位置)均未变,可按 {b} 直接读取和评分"
                "(评分时每份评分表给出一条 W040 提示)。",
                "green",
            )
        ]
    else:
        said = [
            (f"不兼容:按 {a} 生成的评分表不能按 {b} 读取(W041)。", "bold red"),
            *([(compat.reason, "")] if compat.reason else []),
            *((f"  · {c.text()}", "") for c in compat.changes),
            (
                "怎么办:按新细则用 zwgk init-sheets --force --units 单位 重新生成受影响单位的评分表,"
                "把已填内容转录后交回;或本次考评继续使用修订前的细则。",
                "",
            ),
        ]
    for text, style in said:
        common.console.print(Text(text, style=style), soft_wrap=True)
