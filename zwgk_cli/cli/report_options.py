"""The two other modes of ``zwgk report``: ``--draft`` (各单位初评结果反馈) and ``--compare``
(last year's results beside this year's).  Imported only when one is asked for."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer
from rich.markup import escape

from zwgk_cli.campaign import Campaign
from zwgk_cli.cli import Interrupted
from zwgk_cli.cli.common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, console, print_json, print_problems, usage_error
from zwgk_cli.problems import os_reason
from zwgk_cli.report.compare import CompareError, Previous, compare
from zwgk_cli.report.compare import load_previous as read_previous
from zwgk_cli.report.ranking import rank
from zwgk_cli.results.model import Scores


def run_draft(doc: Scores, out_dir: Path, camp: Campaign, formats: Sequence[str], json_out: bool) -> None:
    """Write the 初评结果反馈 and exit: 0, 1 (something to complete) or 2."""
    from zwgk_cli.report.draft import DRAFT_DIR, DRAFT_FORMATS, write_drafts

    wanted = [f for f in formats if f in DRAFT_FORMATS]
    if not wanted:
        usage_error("初评结果反馈只有 docx 和 xlsx 两种格式:--formats 至少给出其中一种。")
    try:
        outcome = write_drafts(doc, out_dir, campaign=camp if camp.found else None, formats=wanted)
    except Interrupted as exc:
        exc.add_note(f"{out_dir / DRAFT_DIR} 未改动(仍是上次生成的文件)。")
        raise
    except OSError as exc:
        usage_error(f"无法写入通报目录 {out_dir}:{os_reason(exc, writing=True)}(已有的文件未改动)")
    if json_out:
        print_json(
            {
                "ok": not outcome.problems,
                "out": str(out_dir / DRAFT_DIR),
                "files": [str(f) for f in outcome.files],
                "problems": [p.to_dict() for p in outcome.problems],
            }
        )
    else:
        print_problems(outcome.problems, "初评结果反馈待补正之处")
        kinds = "、".join({"docx": "Word", "xlsx": "Excel"}[f] for f in wanted)
        console.print(f"已为 {outcome.units} 个单位生成初评结果反馈({kinds})→ {escape(str(out_dir / DRAFT_DIR))}")
        if outcome.problems:
            console.print(f"[yellow]{len(outcome.problems)} 处待补正[/],补正后重新运行 zwgk report --draft。")
    raise typer.Exit(EXIT_PROBLEMS if outcome.problems else EXIT_OK)


def _aliases(camp: Campaign) -> dict[str, tuple[str, ...]]:
    """This year's roster aliases (unit id → names), when the campaign names a roster that
    can be read; matching then also knows the units' former names."""
    if not camp.found or not camp.units:
        return {}
    path = camp.path(camp.units)
    if not path.is_file():
        return {}
    from zwgk_cli.roster import load_roster

    roster = load_roster(path)
    return {u.id: u.aliases for u in roster.units if u.aliases}


def load_previous(path: Path, camp: Campaign, doc: Scores, json_out: bool) -> Previous:
    """Last year's results for ``--compare``; a located P011/P012 and exit 2 when they cannot be
    used (nothing is written)."""
    try:
        prev = read_previous(path)
        previous = Previous(prev, str(path), _aliases(camp))
        order = camp.group_order if camp.found else ()
        compare(doc, rank(doc, order), previous)  # no unit in common: P012, before anything is written
    except CompareError as exc:
        if json_out:
            print_json({"ok": False, "files": [], "problems": [exc.problem.to_dict()]})
        else:
            print_problems([exc.problem], "无法与上年比较,未生成任何文件")
        raise typer.Exit(EXIT_USAGE) from None
    return previous
