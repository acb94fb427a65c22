"""Scores + ranking → one context → the notice and its companions.

``write_report`` reads nothing but the ``scores.json`` document (:class:`~zwgk_cli.results.model.Scores`)
and the campaign settings, ranks it (:mod:`~zwgk_cli.report.ranking`), builds one context of
ready-to-print text (:mod:`~zwgk_cli.report.context`) and writes:

* ``通报.docx`` — the blocks of the ``notice.j2`` template rendered as a 公文 (:mod:`~zwgk_cli.report.docx`);
* ``通报.html`` — the same blocks through ``notice.html.j2``: one self-contained file, inline
  CSS (``notice.css``) and inline SVG charts (:mod:`~zwgk_cli.report.charts`), no JavaScript, no network;
* ``通报.md`` — the same blocks through ``notice.md.j2``;
* ``通报.pdf`` — the DOCX converted by headless LibreOffice, when it is installed (:mod:`~zwgk_cli.report.pdf`);
* ``排名.xlsx`` — rankings per group, tier colours, a native bar chart, statistics (:mod:`~zwgk_cli.report.xlsx`);
* ``整改清单/<单位>.xlsx`` and ``.html`` — for each scored unit that lost points, every criterion
  where it did, with a column for its rectification plan; the file names are safe and unique
  (:func:`zwgk_cli.files.unique_file_names`); the units without one are listed, with the
  reason, in ``整改清单/没有整改清单的单位.txt``.

Templates are jinja2 files in ``templates/`` (autoescaped when HTML, ``StrictUndefined``);
a ``--template-dir`` folder overrides any of them by name (:mod:`~zwgk_cli.report.render`).
Every file is byte-identical when re-run on the same inputs.  The files are written into a
temporary folder and moved into ``out_dir`` together (:func:`zwgk_cli.files.run_outputs`), which
then holds this run's files and none of an earlier run's (a 通报.pdf that could not be made this
time, the 整改清单 of a unit that no longer has one, a format not asked for are removed), or, when
the run is interrupted or fails, the earlier run's files untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
from zwgk_cli.report.render import ReportError, environment, notice_blocks, render, title_of, zh_table
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


def unlisted_text(report: Report) -> str:
    """The units without a 整改清单, one a line with the reason: nothing returned, scoring
    unfinished, or nothing found.  Windows line ends: Notepad shows it as it is."""
    lines = [f"{report.info.name}：以下单位没有整改清单", ""]
    for u in report.units:
        if u.listed:
            continue
        reason = u.pending_reason if not u.scored else "未发现失分问题"
        lines.append(f"{u.unit}（{u.group}）：{reason}")
    return "\r\n".join(lines) + "\r\n"


@dataclass
class Outcome:
    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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

    Nothing is written unless every template renders.  ``convert_pdf(docx, out_dir) → pdf``
    defaults to LibreOffice (office.py); a missing LibreOffice is a P003 note, not an error.
    ``previous`` (``--compare``): last year's results, shown beside this year's.
    """
    report = build(doc, campaign, previous=previous)
    env = environment(template_dir)
    outcome = Outcome()
    if report.compare is not None:
        outcome.problems.extend(report.compare.problems)
    for key, label in report.info.missing:
        outcome.problems.append(problem(Code.P_SETTING, field=key, label=label, placeholder=PLACEHOLDER))
    if report.ranking.pending:
        names = [e.unit for e in report.ranking.pending]
        outcome.problems.append(problem(Code.P_PENDING, count=len(names), units=join_names(names, 10)))
    outcome.problems.extend(target_problems(doc))
    for m in report.ranking.mismatches:
        outcome.problems.append(problem(Code.P_TIER, unit=m.unit, recorded=m.recorded, computed=m.computed))

    blocks = [Block(b.kind, zh(b.text), b.line) for b in notice_blocks(env, report)]
    tables = {k: zh_table(t) for k, t in report.tables.items()}
    ctx = dict(report.context, blocks=blocks, tables=tables, title=title_of(blocks))
    rendered: dict[str, bytes] = {}
    if "html" in formats:
        rendered[f"{NOTICE_NAME}.html"] = render(env, "notice.html.j2", **ctx).encode("utf-8")
    if "md" in formats:
        rendered[f"{NOTICE_NAME}.md"] = render(env, "notice.md.j2", **ctx).encode("utf-8")
    if "docx" in formats or "pdf" in formats:
        try:
            rendered[f"{NOTICE_NAME}.docx"] = write_docx(
                blocks, tables, title=title_of(blocks), author=report.info.office, created=report.info.stamp
            )
        except BlockError as exc:
            raise ReportError([problem(Code.P_TEMPLATE, name="notice.j2", detail=exc.message)]) from None
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
        rendered[f"{RECTIFY_DIR}/{UNLISTED_NAME}"] = unlisted_text(report).encode("utf-8-sig")
    # Rendering done: nothing is written before every template has succeeded.
    with run_outputs(out_dir, is_report_file) as tmp:
        _write(rendered, tmp, out_dir, formats, blocks, convert_pdf, outcome)
    return outcome


def _write(
    rendered: dict[str, bytes],
    tmp: Path,
    out_dir: Path,
    formats: Sequence[str],
    blocks: list[Block],
    convert_pdf: Callable[[Path, Path], Path] | None,
    outcome: Outcome,
) -> None:
    """Write the files into ``tmp``; ``outcome.files`` names them where they will be (``out_dir``)."""
    for rel, data in rendered.items():
        if rel.endswith(".docx") and "docx" not in formats:
            continue
        atomic_write_bytes(tmp / rel, data)
        outcome.files.append(out_dir / rel)
    if "pdf" in formats:
        pdf = write_pdf(rendered[f"{NOTICE_NAME}.docx"], tmp, convert_pdf)
        if isinstance(pdf, Path):
            outcome.files.append(out_dir / pdf.relative_to(tmp))
            if convert_pdf is None:  # LibreOffice substitutes missing fonts silently: say which
                lacking = missing_fonts(notice_fonts(blocks))
                if lacking:
                    outcome.problems.append(
                        problem(
                            Code.P_FONTS,
                            fonts="、".join(f for f, _ in lacking),
                            instead="、".join(sorted({i for _, i in lacking})),
                        )
                    )
        else:
            outcome.problems.append(pdf)
