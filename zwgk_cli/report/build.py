"""Scores + ranking → one context → the notice and its companions.

``write_report`` ranks the ``scores.json`` document, builds one context of ready-to-print text
(:mod:`~zwgk_cli.report.context`) and writes 通报.docx (:mod:`~zwgk_cli.report.docx`), .html and
.md (templates of the same blocks, :mod:`~zwgk_cli.report.render`), .pdf (the DOCX through
LibreOffice when installed), 排名.xlsx and each unit's 整改清单 (:mod:`~zwgk_cli.report.xlsx`),
the units without one listed in ``整改清单/没有整改清单的单位.txt``.  Nothing is written unless
every template renders; the files replace the earlier run's together
(:func:`zwgk_cli.files.run_outputs`) and are byte-identical when re-run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from zwgk_cli.campaign import Campaign
from zwgk_cli.files import atomic_write_bytes, run_outputs
from zwgk_cli.names import FORMATS, NOTICE_NAME, RANKING_NAME, RECTIFY_DIR
from zwgk_cli.problems import Code, Problem, problem
from zwgk_cli.report.compare import Previous
from zwgk_cli.report.context import PLACEHOLDER, Report, build
from zwgk_cli.report.docx import Block, BlockError, notice_fonts, write_docx
from zwgk_cli.report.pdf import missing_fonts, write_pdf
from zwgk_cli.report.render import ReportError, environment, notice_blocks, render, template_error, title_of, zh_table
from zwgk_cli.report.targets import target_problems
from zwgk_cli.report.text import join_names, zh
from zwgk_cli.report.xlsx import ranking_xlsx, rectify_xlsx
from zwgk_cli.results.model import Scores

__all__ = ["Outcome", "ReportError", "write_report"]

UNLISTED_NAME = "没有整改清单的单位.txt"


def is_report_file(rel: str) -> bool:
    """Whether ``rel`` (relative to the report folder, ``/``-separated) is a file of zwgk's naming."""
    if "/" not in rel:
        return rel == RANKING_NAME or rel in {f"{NOTICE_NAME}.{s}" for s in ("docx", "pdf", "html", "md")}
    folder, name = rel.split("/", 1)
    return folder == RECTIFY_DIR and "/" not in name and (name.endswith((".xlsx", ".html")) or name == UNLISTED_NAME)


def unlisted_bytes(heading: str, lines: Iterable[str]) -> bytes:
    """The units without a 整改清单 (or a draft), one a line with the reason.  Windows line
    ends: Notepad shows it as it is."""
    return "\r\n".join([heading, "", *lines, ""]).encode("utf-8-sig")


def ranking_problems(report: Report, *, targets: bool = False) -> list[Problem]:
    """Units left unranked (P002), with ``targets`` the targets left unranked (P015, P016),
    tiers recorded otherwise than recomputed (P005)."""
    names = [e.unit for e in report.ranking.pending]
    out = [problem(Code.P_PENDING, count=len(names), units=join_names(names, 10))] if names else []
    if targets:
        out += target_problems(report.doc)
    return out + [
        problem(Code.P_TIER, unit=m.unit, recorded=m.recorded, computed=m.computed) for m in report.ranking.mismatches
    ]


@dataclass
class Outcome:
    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def write_report(
    doc: Scores,
    out_dir: Path,
    *,
    campaign: Campaign | None = None,
    formats: Sequence[str] = FORMATS,
    template_dir: Path | None = None,
    convert_pdf: Callable[[Path, Path], Path] | None = None,
    previous: Previous | None = None,
) -> Outcome:
    """Write every requested output into ``out_dir``; return the files and the problems.
    ``convert_pdf(docx, out_dir) → pdf`` defaults to LibreOffice (a missing one: a P003 note);
    ``previous`` (``--compare``): last year's results, shown beside this year's."""
    report = build(doc, campaign, previous=previous)
    env = environment(template_dir)
    outcome = Outcome(problems=list(report.compare.problems) if report.compare is not None else [])
    outcome.problems += [
        problem(Code.P_SETTING, field=k, label=v, placeholder=PLACEHOLDER) for k, v in report.info.missing
    ]
    outcome.problems += ranking_problems(report, targets=True)

    blocks = [Block(b.kind, zh(b.text), b.line) for b in notice_blocks(env, report)]
    tables = {k: zh_table(t) for k, t in report.tables.items()}
    ctx = dict(report.context, blocks=blocks, tables=tables, title=title_of(blocks))
    rendered: dict[str, bytes] = {}
    for fmt in ("html", "md"):
        if fmt in formats:
            rendered[f"{NOTICE_NAME}.{fmt}"] = render(env, f"notice.{fmt}.j2", **ctx).encode("utf-8")
    if "docx" in formats or "pdf" in formats:
        try:
            rendered[f"{NOTICE_NAME}.docx"] = write_docx(
                blocks, tables, title=title_of(blocks), author=report.info.office, created=report.info.stamp
            )
        except BlockError as exc:
            raise template_error(exc.message) from None
    listed = [u for u in report.units if u.listed]
    if "xlsx" in formats:
        rendered[RANKING_NAME] = ranking_xlsx(report)
        for u in listed:
            rendered[f"{RECTIFY_DIR}/{u.file}.xlsx"] = rectify_xlsx(report, u)
    if "html" in formats:
        for u in listed:
            page = render(env, "rectify.html.j2", **dict(report.context, u=u))
            rendered[f"{RECTIFY_DIR}/{u.file}.html"] = page.encode("utf-8")
    if ("xlsx" in formats or "html" in formats) and len(listed) < len(report.units):
        reasons = ((u, u.pending_reason if not u.scored else "未发现失分问题") for u in report.units if not u.listed)
        lines = (f"{u.unit}（{u.group}）：{reason}" for u, reason in reasons)
        rendered[f"{RECTIFY_DIR}/{UNLISTED_NAME}"] = unlisted_bytes(f"{report.info.name}：以下单位没有整改清单", lines)
    # Rendering done: nothing is written before every template has succeeded.
    with run_outputs(out_dir, is_report_file) as tmp:
        for rel, data in rendered.items():
            if not rel.endswith(".docx") or "docx" in formats:
                atomic_write_bytes(tmp / rel, data)
                outcome.files.append(out_dir / rel)
        pdf = write_pdf(rendered[f"{NOTICE_NAME}.docx"], tmp, convert_pdf) if "pdf" in formats else None
        if isinstance(pdf, Path):
            outcome.files.append(out_dir / pdf.relative_to(tmp))
            # LibreOffice substitutes missing fonts silently: say which
            lacking = missing_fonts(notice_fonts(blocks)) if convert_pdf is None else []
            if lacking:
                fonts, instead = "、".join(f for f, _ in lacking), "、".join(sorted({i for _, i in lacking}))
                outcome.problems.append(problem(Code.P_FONTS, fonts=fonts, instead=instead))
        elif pdf is not None:
            outcome.problems.append(pdf)
    return outcome
