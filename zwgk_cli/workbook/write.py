"""Rubric + unit → one self-describing scoring workbook (``.xlsx`` bytes).  Writes only.

:func:`plan_workbook` lays it out as plain data (:mod:`~zwgk_cli.workbook.blueprint`): cover,
summary, scoring sheets, the hidden list and map sheets.  Every formula comes from
:mod:`zwgk_cli.rules`; every cached result is what :func:`zwgk_cli.engine.score_unit` computes for
the values written, so a spreadsheet that does not recalculate on load still shows the right
numbers.  :func:`~zwgk_cli.workbook.render.render_xlsx` then writes it, byte-identical every time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from zwgk_cli import __version__
from zwgk_cli.engine import score_unit
from zwgk_cli.model import Part, ReadingKey, Rubric, Target, Unit, Value, Variant
from zwgk_cli.rubric import resolve
from zwgk_cli.workbook import layout as L
from zwgk_cli.workbook.blueprint import CampaignInfo, Formula, PlanContext, SheetPlan, WorkbookPlan, fit_rows, paginate
from zwgk_cli.workbook.cover import plan_cover
from zwgk_cli.workbook.render import render_xlsx
from zwgk_cli.workbook.scoresheet import ScoreSheet, Totals
from zwgk_cli.workbook.summary import Summary
from zwgk_cli.workbook.teams import Teams, team_sheet

__all__ = ["CampaignInfo", "Formula", "SheetPlan", "WorkbookPlan", "build_workbook", "plan_workbook", "render_xlsx"]


def plan_workbook(
    rubric: Rubric,
    unit: Unit,
    campaign: CampaignInfo | None = None,
    values: Mapping[ReadingKey, Value | None] | None = None,
    password: str = "",
    variant: Variant | None = None,
    team: tuple[Teams, str] | None = None,
    notes: Mapping[tuple[str, str], str] | None = None,
) -> WorkbookPlan:
    """Lay out the workbook for ``unit`` (see the module docstring).  ``values`` pre-fills
    input cells (the cached results then agree with them), ``notes`` the 扣分说明 cells (by target
    and criterion).  ``team`` (the campaign's teams, a team's name) lays out that team's
    workbook: only its parts (:meth:`Teams.view`)."""
    camp = campaign or CampaignInfo()
    variant = variant or resolve(rubric, unit)
    sheet_of_team = None
    if team is not None:
        sheet_of_team = team_sheet(team[0], variant, team[1])
        view = team[0].view(variant, team[1])
        if view is None:
            raise ValueError(f"team {team[1]} checks nothing of variant {variant.id}")
        variant = view
    vals = dict(values or {})
    year = str(camp.year or rubric.year)
    score = score_unit(rubric, variant, unit, vals)
    unfilled = L.unfilled_results(score, variant, vals)
    ctx = PlanContext(
        rubric, variant, unit, L.result_index(score), vals, year, unfilled, team=sheet_of_team, notes=notes or {}
    )

    cover = SheetPlan(L.COVER_SHEET, L.ROLE_COVER)
    summary = SheetPlan(L.SUMMARY_SHEET, L.ROLE_SUMMARY)
    summ = Summary(ctx, summary)
    taken: list[str] = list(L.RESERVED_SHEETS)
    built: list[tuple[Part, Target | None, SheetPlan, Totals]] = []
    for p in (p for p in variant.walk_parts() if p.indicators):
        targets: list[Target | None] = list(unit.targets_of(p.per_target)) if p.per_target else [None]
        for t in targets:
            taken.append(L.safe_sheet_name(t.name if t else p.title, taken))
            sp = SheetPlan(taken[-1], L.ROLE_TARGET if t else L.ROLE_PART, p.id, t.id if t else "")
            subs = [(summ.points_ref(x.id), summ.vetoes_ref(x.id)) for x in p.parts]
            built.append((p, t, sp, ScoreSheet(ctx, sp, p, t, summ.stop_ref(p, t)).build(subs)))
    summ.build(built)
    visible = [cover, summary, *(sp for _, _, sp, _ in built)]
    assessor, date_cell = plan_cover(ctx, cover, camp, [s.name for s in visible])

    for sp in visible:
        fit_rows(sp)
        paginate(sp)
    sheets = list(visible)
    if ctx.lists:
        lists = SheetPlan(L.LISTS_SHEET, L.ROLE_LISTS, hidden=2)
        for col, (options, list_name) in enumerate(sorted(ctx.lists.items(), key=lambda kv: kv[1])):
            lists.put(0, col, list_name, "meta")
            for k, option in enumerate(options):
                lists.put(k + 1, col, option, "meta")
            span = f"{L.a1(1, col, absolute=True)}:{L.a1(len(options), col, absolute=True)}"
            ctx.names.append((list_name, "=" + L.ref(L.LISTS_SHEET, span)))
        sheets.append(lists)
    meta = L.WorkbookMeta(
        format=L.FORMAT_VERSION,
        rubric_id=rubric.id,
        rubric_hash=rubric.hash,
        rubric_version=rubric.version,
        rubric_title=rubric.title,
        rubric_year=str(rubric.year),
        variant=variant.id,
        tool_version=__version__,
        campaign_year=year,
        campaign_name=camp.name,
        unit_id=unit.id,
        unit_name=unit.name,
        unit_group=unit.group,
        assessor_cell=f"{L.COVER_SHEET}!{assessor}",
        date_cell=f"{L.COVER_SHEET}!{date_cell}",
        targets=unit.targets,
        extra=dict(sheet_of_team.extra) if sheet_of_team is not None else {},
    )
    meta_sheet = SheetPlan(L.META_SHEET, L.ROLE_META, hidden=2, widths=[10, 16, 16, 12, 14, 12, 12, 12, 12, 10, 30])
    sheets.append(meta_sheet)
    infos = [L.SheetInfo(s.name, s.role, s.part, s.target, s.inputs) for s in sheets]
    meta_sheet.records = L.meta_rows(meta, infos, ctx.inputs, ctx.results)
    created = dt.datetime(int(year), 1, 1) if year.isdigit() and 1900 < int(year) < 10000 else dt.datetime(2000, 1, 1)
    return WorkbookPlan(
        sheets=sheets,
        names=ctx.names,
        title=f"{unit.name} {year}年度政务公开考评评分表{ctx.of_team}",
        subject=rubric.title,
        company=camp.office,
        created=created,
        password=password,
        layout=L.Layout(meta, tuple(infos), tuple(ctx.inputs), tuple(ctx.results)),
    )


def build_workbook(
    rubric: Rubric,
    unit: Unit,
    campaign: CampaignInfo | None = None,
    values: Mapping[ReadingKey, Value | None] | None = None,
    password: str = "",
    team: tuple[Teams, str] | None = None,
    notes: Mapping[tuple[str, str], str] | None = None,
) -> tuple[bytes, L.Layout]:
    """The workbook for ``unit`` (or ``team``'s workbook for it) as bytes, and its layout."""
    plan = plan_workbook(rubric, unit, campaign, values, password, team=team, notes=notes)
    return render_xlsx(plan), plan.layout
