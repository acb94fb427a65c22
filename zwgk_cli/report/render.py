"""Templates: the jinja2 environment (built-in templates, overridden by name from a folder),
rendering with every template error as a located problem, and the notice's blocks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from zwgk_cli.names import NOTICE_NAME
from zwgk_cli.problems import Code, Problem, problem
from zwgk_cli.report.context import Report
from zwgk_cli.report.docx import TITLE_BREAKS, Block, BlockError, Table, parse_blocks
from zwgk_cli.report.text import cn_number, date_cn, pts, zh
from zwgk_cli.resources import templates_dir
from zwgk_cli.results.model import dec


class ReportError(Exception):
    """A template (or the scores file) cannot be used: the problems say where."""

    def __init__(self, problems: Sequence[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)


def environment(template_dir: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(template_dir)))
    loaders.append(jinja2.FileSystemLoader(str(templates_dir())))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=lambda name: bool(name) and str(name).endswith((".html.j2", ".html")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(zh=zh, date_cn=date_cn, md_cell=md_cell, cn=cn_number, br=line_breaks, phrases=phrase_breaks)
    env.filters["pts"] = lambda v: pts(dec(v) if not isinstance(v, Decimal) else v)
    return env


def phrase_breaks(text: Any) -> Markup:
    """A title with its one break opportunity, ``<wbr>``, before its 文种 (…考核<wbr>结果的通报),
    the rest escaped: with ``word-break: keep-all`` it breaks there or not at all."""
    value = str(text)
    for tail in TITLE_BREAKS:
        at = value.rfind(tail)
        if at > 0:
            return Markup.escape(value[:at]) + Markup("<wbr>") + Markup.escape(value[at:])
    return Markup.escape(value)


def line_breaks(text: Any) -> Markup:
    """Text with its line ends as ``<br>`` (the rest escaped)."""
    return Markup("<br>").join(Markup.escape(line) for line in str(text).split("\n"))


def md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render a template; any template error becomes a located P004 problem."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name or name} 第{exc.lineno}行"
        detail = f"{where}:{exc.message}"
        raise ReportError(
            [problem(Code.P_TEMPLATE, file=exc.filename or name, line=exc.lineno, name=name, detail=detail)]
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise template_error(f"找不到模板 {exc.name}", name) from None
    except UnicodeDecodeError:
        raise template_error("模板文件不是 UTF-8 编码的文本,请另存为 UTF-8 编码", name) from None
    except Exception as exc:  # an office's own template may fail any way while it runs
        if isinstance(exc, jinja2.UndefinedError):
            detail = f"模板用到了不存在的变量:{exc.message}"
        else:
            detail = f"运行时出错({type(exc).__name__}:{exc})"
        file, line = _failed_at(exc)
        raise ReportError([problem(Code.P_TEMPLATE, file=file or name, line=line, name=name, detail=detail)]) from None


def _failed_at(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line where ``exc`` was raised: jinja2 gives each template's frames
    the template's file name and line."""
    file, line, tb = None, None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            file, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return file, line


def template_error(detail: str, name: str = "notice.j2") -> ReportError:
    return ReportError([problem(Code.P_TEMPLATE, file=name, name=name, detail=detail)])


def notice_blocks(env: jinja2.Environment, report: Report) -> list[Block]:
    # Block tags keep their line ends here: a line ending in {% endif %} must not swallow the
    # next block's line (blank lines are ignored by the block parser anyway).
    text = render(env.overlay(trim_blocks=False), "notice.j2", **report.context)
    try:
        blocks = parse_blocks(text)
    except BlockError as exc:
        raise template_error(exc.message) from None
    for b in blocks:
        if b.kind == "table" and b.text not in report.tables:
            raise template_error(f"块“@table {b.text}”引用的表格不存在")
        if b.kind == "chart" and b.text not in report.charts:
            raise template_error(f"块“@chart {b.text}”引用的图表不存在")
    return blocks


def zh_table(t: Table) -> Table:
    """The notice's tables in 公文 punctuation (see :func:`zh`)."""
    rows = tuple(tuple(map(zh, row)) for row in t.rows)
    return replace(
        t, headers=tuple(map(zh, t.headers)), rows=rows, empty=zh(t.empty), subheader=tuple(map(zh, t.subheader))
    )


def title_of(blocks: Sequence[Block]) -> str:
    return next((b.text for b in blocks if b.kind == "title"), NOTICE_NAME)
