"""``zwgk report``: scores.json → the notice (DOCX, PDF, HTML, Markdown), 排名.xlsx, 整改清单."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from zwgk_cli import names
from zwgk_cli import rubric as rubric_mod
from zwgk_cli.campaign import Campaign
from zwgk_cli.cli import app, common, on_interrupt
from zwgk_cli.problems import Code, Problem, has_errors, os_reason, problem
from zwgk_cli.results import model as results_model
from zwgk_cli.results import rounds
from zwgk_cli.results.model import Scores
from zwgk_cli.roster import load_roster
from zwgk_cli.scoring.discover import discover

if TYPE_CHECKING:
    from zwgk_cli.report.build import Outcome
    from zwgk_cli.report.compare import Previous

# Problems that leave the notice usable as it is (exit 0): LibreOffice is simply not installed,
# or the PDF preview was printed with substitute fonts (the DOCX is the one to print).
INFORMATIONAL = {Code.P_NO_PDF.code, Code.P_FONTS.code}


def load_scores(path: Path) -> Scores:
    """The scores document, checked, or a located P001 problem (exit 2)."""
    try:
        return results_model.load(path)
    except results_model.ScoresError as exc:
        common.problems_error([problem(Code.P_SCORES, file=str(path), detail=str(exc))], "无法生成通报")


def template_dir_of(option: Path | None, camp: Campaign) -> Path | None:
    """``--template-dir``, else ``template_dir`` in zwgk.toml ([notice]), relative to the campaign."""
    chosen = camp.path(camp.template_dir) if option is None and camp.found and camp.template_dir else option
    if chosen is not None and not chosen.is_dir():
        common.usage_error(f"模板目录不存在:{chosen}")
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
    for f in files:
        if f.name in labels:
            table.add_row(escape(f.name), labels[f.name])
    rectify = [f for f in files if f.parent.name == names.RECTIFY_DIR and f.suffix in (".xlsx", ".html")]
    if rectify:
        units = len({f.stem for f in rectify})
        suffixes = {f.suffix for f in rectify}
        kinds = "与".join(k for k, suffix in (("Excel", ".xlsx"), ("网页", ".html")) if suffix in suffixes)
        table.add_row(f"{names.RECTIFY_DIR}/", f"各单位整改清单({units}个单位,{kinds})")
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
    stale_ok: Annotated[
        bool,
        typer.Option("--stale-ok", help="评分后交回的评分表、名单、细则或设置有改动时,仍然使用旧的评分结果生成通报。"),
    ] = False,
    campaign: common.CampaignOpt = None,
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

    评分后交回的评分表、名单、细则或 zwgk.toml 有改动时,列出改动并停止(退出码 1),
    请先重新运行 zwgk score;确需使用旧的评分结果时加 --stale-ok。

    示例:zwgk report --formats docx,pdf
    """
    camp = common.load_campaign(campaign)
    try:
        wanted = names.parse_formats(formats)
    except ValueError as exc:
        common.usage_error(str(exc))
    if not wanted:
        common.usage_error("--formats 至少给出一种格式(html、md、docx、xlsx、pdf)。")
    if scores is None:
        common.needs_campaign(camp)
    path = scores or camp.path(camp.results_dir) / "scores.json"
    if draft and compare is not None:
        common.usage_error("--draft 与 --compare 不能同时使用:初评结果反馈不与上年比较。")
    doc = load_scores(path)
    out_dir = out or camp.path(camp.report_dir)
    unchanged = f"通报目录 {out_dir} 未改动(仍是上次生成的文件)。"
    with on_interrupt(unchanged):
        stale = stale_check(doc, path, camp)
    if _stop_for(stale, doc, stale_ok, json_out):
        raise typer.Exit(common.EXIT_PROBLEMS)
    if draft:
        _draft(doc, out_dir, camp, wanted, json_out)
    previous = _previous(compare, camp, doc, json_out) if compare is not None else None
    tpl = template_dir_of(template_dir, camp)
    from zwgk_cli.report import build as report_mod  # imported when used: templates

    try:
        with on_interrupt(unchanged):
            outcome = report_mod.write_report(
                doc, out_dir, campaign=camp if camp.found else None, formats=wanted, template_dir=tpl, previous=previous
            )
    except OSError as exc:  # a read-only folder, a full disk, report_dir naming a file: nothing was moved in
        common.usage_error(f"无法写入通报目录 {out_dir}:{os_reason(exc, writing=True)}(已有的通报文件未改动)")
    except report_mod.ReportError as exc:
        _refuse(exc.problems, "模板有误,未生成任何文件", json_out)
    with on_interrupt(f"通报及其附件已全部写出 → {out_dir}"):
        _show(outcome, out_dir, json_out, doc.round, stale)


def _json(ok: bool, files: Sequence[Path], problems: Sequence[Problem], **more: object) -> None:
    """What ``--json`` prints, whatever the outcome: ``more`` (the folder, the round) after ``ok``."""
    common.print_json({"ok": ok, **more, "files": [str(f) for f in files], "problems": [p.to_dict() for p in problems]})


def _show(outcome: Outcome, out_dir: Path, json_out: bool, round_no: int | None, stale: Sequence[Problem]) -> None:
    blocking: list[Problem] = [p for p in outcome.problems if p.code not in INFORMATIONAL]
    if json_out:
        _json(not blocking, outcome.files, [*stale, *outcome.problems], out=str(out_dir), round=round_no)
    else:
        common.print_problems(outcome.problems, "通报待补正之处")
        common.console.print(_summary_table(outcome.files, out_dir))
        verdict = "[green]可以印发[/]" if not blocking else f"[yellow]{len(blocking)} 处待补正[/]"
        common.console.print(f"通报已写入 {escape(str(out_dir))}:{verdict}")
        later = ",其后的改动未计入" if has_errors(stale) else ""
        said = "通报依据的评分结果没有记录轮次。" if round_no is None else f"通报依据第{round_no}轮评分结果{later}。"
        common.say(said)
    raise typer.Exit(common.EXIT_PROBLEMS if blocking else common.EXIT_OK)


def stale_check(doc: Scores, path: Path, camp: Campaign) -> list[Problem]:
    """S005–S008 for each input changed since the round ``doc`` is was scored (found again where
    score looked, hashed again); S009 when that cannot be checked."""
    if doc.round is None:
        return [problem(Code.S_UNCHECKED, file=str(path), detail="评分结果由旧版 zwgk 生成,没有记录所用的文件")]
    manifest = rounds.manifest_path(path, doc.round)
    try:
        recorded = rounds.read_manifest(manifest)
    except rounds.RoundError as exc:
        return [problem(Code.S_UNCHECKED, file=str(path), detail=str(exc))]
    root = camp.root
    folders = [root / s for s in rounds.scanned(recorded)]
    results_dir = manifest.parent.parent.parent
    refs = discover([p for p in folders if p.exists()], root, exclude=[results_dir]).refs
    rubric = recorded.get("rubric") or {}
    try:
        ref = str(root / rubric["file"]) if rubric.get("file") else str(rubric.get("id", ""))
        rubric_hash = rubric_mod.load(ref).hash
    except (rubric_mod.RubricError, OSError, ValueError):
        rubric_hash = ""
    now = rounds.current(recorded, root, rubric_hash, ((r.name, r.path) for r in refs))
    return rounds.stale_problems(rounds.changes(recorded, now), doc.round)


def _stop_for(stale: Sequence[Problem], doc: Scores, stale_ok: bool, json_out: bool) -> bool:
    """Say what changed since the scores were written; whether the report must stop there."""
    stop = has_errors(stale) and not stale_ok
    if stop and json_out:
        _json(False, [], stale, round=doc.round)
    elif stop:
        common.print_problems(stale, f"第{doc.round}轮评分结果生成后有以下改动,未生成通报")
        common.say("评分结果不是最新的:请先重新运行 zwgk score,或加 --stale-ok 仍然使用旧的评分结果。")
    elif stale and not json_out:
        title = "评分结果不是最新的(按 --stale-ok 仍然使用)" if doc.round is not None else "提示"
        common.print_problems(stale, title)
    return stop


def _draft(doc: Scores, out_dir: Path, camp: Campaign, formats: Sequence[str], json_out: bool) -> None:
    """``--draft``: write the 初评结果反馈 and exit: 0, 1 (something to complete) or 2."""
    from zwgk_cli.report.draft import DRAFT_DIR, DRAFT_FORMATS, write_drafts  # imported when used

    wanted = [f for f in formats if f in DRAFT_FORMATS]
    if not wanted:
        common.usage_error("初评结果反馈只有 docx 和 xlsx 两种格式:--formats 至少给出其中一种。")
    try:
        with on_interrupt(f"{out_dir / DRAFT_DIR} 未改动(仍是上次生成的文件)。"):
            outcome = write_drafts(doc, out_dir, campaign=camp if camp.found else None, formats=wanted)
    except OSError as exc:
        common.usage_error(f"无法写入通报目录 {out_dir}:{os_reason(exc, writing=True)}(已有的文件未改动)")
    if json_out:
        _json(not outcome.problems, outcome.files, outcome.problems, out=str(out_dir / DRAFT_DIR))
    else:
        common.print_problems(outcome.problems, "初评结果反馈待补正之处")
        kinds = "、".join({"docx": "Word", "xlsx": "Excel"}[f] for f in wanted)
        common.console.print(
            f"已为 {outcome.units} 个单位生成初评结果反馈({kinds})→ {escape(str(out_dir / DRAFT_DIR))}"
        )
        if outcome.problems:
            common.console.print(f"[yellow]{len(outcome.problems)} 处待补正[/],补正后重新运行 zwgk report --draft。")
    raise typer.Exit(common.EXIT_PROBLEMS if outcome.problems else common.EXIT_OK)


def _aliases(camp: Campaign) -> dict[str, tuple[str, ...]]:
    """This year's roster aliases (unit id → names), when the campaign names a roster that
    can be read; matching then also knows the units' former names."""
    path = camp.path(camp.units) if camp.found and camp.units else None
    if path is None or not path.is_file():
        return {}
    return {u.id: u.aliases for u in load_roster(path).units if u.aliases}


def _previous(path: Path, camp: Campaign, doc: Scores, json_out: bool) -> Previous:
    """``--compare``: last year's results; a located P011/P012 and exit 2 when they cannot be
    used (nothing is written)."""
    from zwgk_cli.report.compare import CompareError, Previous, compare, load_previous
    from zwgk_cli.report.ranking import rank

    try:
        previous = Previous(load_previous(path), str(path), _aliases(camp))
        compare(doc, rank(doc, camp.group_order if camp.found else ()), previous)  # no unit in common: P012
    except CompareError as exc:
        _refuse([exc.problem], "无法与上年比较,未生成任何文件", json_out)
    return previous


def _refuse(problems: Sequence[Problem], title: str, json_out: bool) -> NoReturn:
    """Nothing is written: the problems (as JSON with ``--json``), exit 2."""
    if json_out:
        _json(False, [], problems)
    else:
        common.print_problems(problems, title)
    raise typer.Exit(common.EXIT_USAGE)
