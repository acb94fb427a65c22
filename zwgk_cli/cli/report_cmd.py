"""``zwgk report``: scores.json → the notice (DOCX, PDF, HTML, Markdown), 排名.xlsx, 整改清单."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from zwgk_cli import names
from zwgk_cli.campaign import Campaign
from zwgk_cli.cli import Interrupted, app
from zwgk_cli.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    console,
    load_campaign,
    needs_campaign,
    print_json,
    print_problems,
    usage_error,
)
from zwgk_cli.problems import Code, Problem, os_reason, problem
from zwgk_cli.results import model as results_model
from zwgk_cli.results.model import Scores

if TYPE_CHECKING:
    from zwgk_cli.report.build import Outcome

# Problems that leave the notice usable as it is (exit 0): LibreOffice is simply not installed,
# or the PDF preview was printed with substitute fonts (the DOCX is the one to print).
INFORMATIONAL = {Code.P_NO_PDF.code, Code.P_FONTS.code}


def load_scores(path: Path) -> Scores:
    """The scores document, checked, or a located P001 problem (exit 2)."""
    try:
        return results_model.load(path)
    except results_model.ScoresError as exc:
        print_problems([problem(Code.P_SCORES, file=str(path), detail=str(exc))], "无法生成通报")
        raise typer.Exit(EXIT_USAGE) from None


def template_dir_of(option: Path | None, camp: Campaign) -> Path | None:
    """``--template-dir``, else ``template_dir`` in zwgk.toml ([notice]), relative to the campaign."""
    chosen = option
    if chosen is None and camp.found and camp.template_dir:
        chosen = camp.path(camp.template_dir)
    if chosen is not None and not chosen.is_dir():
        usage_error(f"模板目录不存在:{chosen}")
    return chosen


def _summary_table(files: list[Path], out: Path) -> Table:
    table = Table(title=f"生成的文件(在 {out} 中)", show_header=True)
    table.add_column("文件")
    table.add_column("说明")
    labels = {
        "通报.docx": "通报(Word,公文格式)",
        "通报.pdf": "通报(PDF)",
        "通报.html": "通报(网页,可打印)",
        "通报.md": "通报(Markdown)",
        names.RANKING_NAME: "排名表(Excel)",
    }
    rectify = [f for f in files if f.parent.name == names.RECTIFY_DIR and f.suffix in (".xlsx", ".html")]
    for f in files:
        if f.name in labels:
            table.add_row(escape(f.name), labels[f.name])
    if rectify:
        units = len({f.stem for f in rectify})
        table.add_row(f"{names.RECTIFY_DIR}/", f"各单位整改清单({units}个单位,Excel 与网页)")
    return table


@app.command("report")
def report_cmd(
    scores: Annotated[
        Path | None,
        typer.Argument(help="评分结果文件(zwgk score 生成的 scores.json);默认为考评目录的 results/scores.json。"),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="输出目录;默认为考评目录的 report/。")] = None,
    formats: Annotated[
        str,
        typer.Option("--formats", "-f", help="输出格式,逗号分隔:html、md、docx、xlsx、pdf(pdf 需要 LibreOffice)。"),
    ] = ",".join(names.FORMATS),
    template_dir: Annotated[
        Path | None,
        typer.Option("--template-dir", help="自定义模板目录:其中的同名文件替换内置模板(见 docs/report.md)。"),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="以 JSON 输出生成的文件与问题(供程序读取)。")] = False,
    campaign: Annotated[
        Path | None, typer.Option("--campaign", "-C", help="考评目录(含 zwgk.toml),默认自动查找。")
    ] = None,
    draft: Annotated[
        bool,
        typer.Option(
            "--draft",
            help="只生成各单位的初评结果反馈(Word 与 Excel,写在通报目录的 初评结果反馈/ 中),不生成通报。",
        ),
    ] = False,
    compare: Annotated[
        Path | None,
        typer.Option(
            "--compare",
            help="与上年比较:上年的 scores.json,或含有 results/scores.json 的上年考评目录。"
            "通报和排名表中列出上年的排名、得分率和等次。",
        ),
    ] = None,
) -> None:
    """根据评分结果排名并生成通报(Word/PDF/网页/Markdown)、排名表和各单位整改清单。

    每个分组单独排名,得分相同的并列;否决单位和评分未完成的单位另行列出。

    发文机关、文号、成文日期、主送机关、整改期限和分组顺序取自 zwgk.toml。

    重复运行结果逐字节相同。通报有待补正之处(评分未完成的单位、缺少通报设置)时退出码为 1。

    示例:zwgk report --formats docx,pdf
    """
    camp = load_campaign(campaign)
    try:
        wanted = names.parse_formats(formats)
    except ValueError as exc:
        usage_error(str(exc))
    if not wanted:
        usage_error("--formats 至少给出一种格式(html、md、docx、xlsx、pdf)。")
    if scores is None:
        needs_campaign(camp)
    path = scores or camp.path(camp.results_dir) / "scores.json"
    if draft and compare is not None:
        usage_error("--draft 与 --compare 不能同时使用:初评结果反馈不与上年比较。")
    doc = load_scores(path)
    out_dir = out or camp.path(camp.report_dir)
    if draft:
        from zwgk_cli.cli import report_options

        report_options.run_draft(doc, out_dir, camp, wanted, json_out)
    previous = None
    if compare is not None:
        from zwgk_cli.cli import report_options

        previous = report_options.load_previous(compare, camp, doc, json_out)
    tpl = template_dir_of(template_dir, camp)
    from zwgk_cli.report import build as report_mod  # imported when used: templates

    try:
        outcome = report_mod.write_report(
            doc, out_dir, campaign=camp if camp.found else None, formats=wanted, template_dir=tpl, previous=previous
        )
    except Interrupted as exc:
        exc.add_note(f"通报目录 {out_dir} 未改动(仍是上次生成的文件)。")
        raise
    except OSError as exc:  # a read-only folder, a full disk, report_dir naming a file: nothing was moved in
        usage_error(f"无法写入通报目录 {out_dir}:{os_reason(exc, writing=True)}(已有的通报文件未改动)")
    except report_mod.ReportError as exc:
        if json_out:
            print_json({"ok": False, "files": [], "problems": [p.to_dict() for p in exc.problems]})
        else:
            print_problems(exc.problems, "模板有误,未生成任何文件")
        raise typer.Exit(EXIT_USAGE) from None
    try:
        _show(outcome, out_dir, json_out)
    except Interrupted as exc:
        exc.add_note(f"通报及其附件已全部写出 → {out_dir}")
        raise


def _show(outcome: Outcome, out_dir: Path, json_out: bool) -> None:
    blocking: list[Problem] = [p for p in outcome.problems if p.code not in INFORMATIONAL]
    if json_out:
        print_json(
            {
                "ok": not blocking,
                "out": str(out_dir),
                "files": [str(f) for f in outcome.files],
                "problems": [p.to_dict() for p in outcome.problems],
            }
        )
    else:
        print_problems(outcome.problems, "通报待补正之处")
        console.print(_summary_table(outcome.files, out_dir))
        verdict = "[green]可以印发[/]" if not blocking else f"[yellow]{len(blocking)} 处待补正[/]"
        console.print(f"通报已写入 {escape(str(out_dir))}:{verdict}")
    raise typer.Exit(EXIT_PROBLEMS if blocking else EXIT_OK)
