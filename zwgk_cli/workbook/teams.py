"""检查组 (teams): which team scores which part, and what a team's workbook holds.

A campaign may split the checking between teams (``[[teams]]`` in ``zwgk.toml``): each team names
parts (by id or title) and/or target kinds (a part scored per website belongs to the team naming
``website``).  The nearest naming wins (the part's own, else its closest ancestor's); every part
with indicators of its own must so belong to exactly one team (:func:`resolve_teams`, T001–T004).

A team's workbook is the ordinary workbook of a *view* of the unit's variant (:meth:`Teams.view`):
the same ids, only the team's parts.  A part split between teams keeps only the team's sub-parts,
without its threshold and gate (judged on the whole when the workbooks are merged at scoring), and
so does a gate on a part the team does not check whole.  So every formula of a team's workbook
agrees with the engine run on the view, and the merged values scored on the whole variant give
what one full workbook would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from zwgk_cli.campaign import CONFIG_NAME, Team
from zwgk_cli.files import safe_file_stem, unique_file_names
from zwgk_cli.model import ZERO, Part, PartKind, ReadingKey, Rubric, Source, Unit, Variant, fmt_points
from zwgk_cli.problems import Code, Problem, problem
from zwgk_cli.rubric import walk_with_path
from zwgk_cli.workbook import layout as L

# The meta sheet's extra records of a team's workbook (layout.WorkbookMeta.extra)
META_TEAM = "team"
META_TEAM_PARTS = "team_parts"  # the parts whose own indicators it holds, ids joined by ","


@dataclass(frozen=True)
class Teams:
    """The campaign's teams resolved against the rubric."""

    names: tuple[str, ...]  # in the order declared
    owner: Mapping[tuple[str, str], str]  # (variant id, part id) → team, for each part with indicators

    def of_variant(self, variant: Variant) -> list[str]:
        """The teams that check something of ``variant``, in the order declared."""
        used = {self.owner.get((variant.id, p.id)) for p in variant.walk_parts()}
        return [t for t in self.names if t in used]

    def own_parts(self, variant: Variant, team: str) -> list[Part]:
        """The parts whose own indicators ``team`` checks, in tree order."""
        return [p for p in variant.walk_parts() if p.indicators and self.owner.get((variant.id, p.id)) == team]

    def parts_text(self, variant: Variant, team: str) -> str:
        return "、".join(p.title for p in self.own_parts(variant, team)) or "无"

    def view(self, variant: Variant, team: str) -> Variant | None:
        """``variant`` as ``team``'s workbook holds it (see above); ``None`` if it checks nothing of it."""
        vid = variant.id

        def whole(p: Part) -> bool:
            own = not p.indicators or self.owner.get((vid, p.id)) == team
            return own and all(whole(x) for x in p.parts)

        complete = {p.id for p in variant.walk_parts() if whole(p)}

        def cut(p: Part) -> Part | None:
            if p.id in complete and (p.indicators or p.parts):
                kept = p
            else:
                subs = tuple(x for x in (cut(s) for s in p.parts) if x is not None)
                inds = p.indicators if self.owner.get((vid, p.id)) == team else ()
                if not subs and not inds:
                    return None
                pieces = [s.max for s in subs] + [i.max for i in inds]
                reach = sum((m for m in pieces if m is not None), ZERO)
                top = min(p.max, reach) if p.max is not None else None
                kept = replace(p, parts=subs, indicators=inds, max=top, threshold=None, gate=None)
            if kept.gate is not None and kept.gate.part not in complete:
                kept = replace(kept, gate=None)  # judged on the merged workbooks
            return kept

        parts = tuple(x for x in (cut(p) for p in variant.parts) if x is not None)
        if not parts:
            return None
        top = sum((p.max or ZERO for p in parts if p.kind is not PartKind.PENALTY), ZERO)
        return replace(variant, parts=parts, max=top)


def _names_of(part: Part) -> set[str]:
    title = part.title.strip()
    return {part.id, title, "".join(title.split()), title.split(maxsplit=1)[-1]}


def resolve_teams(rubric: Rubric, teams: Sequence[Team], file: str = CONFIG_NAME) -> tuple[Teams | None, list[Problem]]:
    """The teams of ``zwgk.toml`` against ``rubric``: each part with indicators of its own
    belongs to exactly one team.  ``(None, [])`` when no team is declared."""
    if not teams:
        return None, []
    problems: list[Problem] = []

    def where(team: Team | None) -> dict[str, object]:
        line = team.line if team is not None else next((t.line for t in teams), None)
        return {"file": file, "path": f"[[teams]] {team.name}" if team is not None else "[[teams]]", "line": line}

    every = [(v.id, p) for v in rubric.variants for p in v.walk_parts()]
    kinds = {k.id: k.id for k in rubric.target_kinds} | {k.title: k.id for k in rubric.target_kinds}
    scored_per = {p.per_target for _, p in every if p.per_target}
    named: dict[tuple[str, str], list[str]] = {}  # (variant, part) → the teams naming it
    for team in teams:
        for name in team.parts:
            hits = [(vid, p.id) for vid, p in every if name.strip() in _names_of(p)]
            if not hits:
                known = "、".join(dict.fromkeys(f"{p.id} {p.title}" for _, p in every))
                problems.append(problem(Code.T_PART_UNKNOWN, **where(team), team=team.name, part=name, known=known))
            for hit in hits:
                named.setdefault(hit, []).append(team.name)
        for name in team.targets:
            kind = kinds.get(name.strip(), name.strip())
            if kind not in scored_per:
                titles = {k.id: k.title for k in rubric.target_kinds}
                known = "、".join(f"{k} {titles.get(k, '')}".strip() for k in sorted(scored_per)) or "无"
                problems.append(problem(Code.T_KIND_UNKNOWN, **where(team), team=team.name, kind=name, known=known))
            for vid, p in every:
                if p.per_target == kind:
                    named.setdefault((vid, p.id), []).append(team.name)
    by_name = {t.name: t for t in teams}
    owner: dict[tuple[str, str], str] = {}
    reported: set[str] = set()
    for v in rubric.variants:

        def walk(p: Part, above: str, v: Variant = v) -> None:
            mine = list(dict.fromkeys(named.get((v.id, p.id), [])))
            if len(mine) > 1 and p.id not in reported:
                reported.add(p.id)
                teams_text = "、".join(f"“{t}”" for t in mine)
                problems.append(problem(Code.T_PART_TWICE, **where(by_name[mine[1]]), part=p.title, teams=teams_text))
            team = mine[0] if mine else above
            if p.indicators:
                if team:
                    owner[(v.id, p.id)] = team
                else:
                    vt = f"(适用于{v.title or v.id})" if len(rubric.variants) > 1 else ""
                    problems.append(problem(Code.T_PART_NONE, **where(None), part=p.title, variant=vt, part_id=p.id))
            for sub in p.parts:
                walk(sub, team)

        for p in v.parts:
            walk(p, "")
    if problems:
        return None, problems
    return Teams(tuple(t.name for t in teams), owner), []


# ------------------------------------------------------------------ issuing: which workbooks, where


@dataclass(frozen=True)
class TeamJob:
    unit: Unit
    team: str
    path: Path


def team_jobs(
    rubric: Rubric, teams: Teams, units: Iterable[Unit], all_units: Sequence[Unit], out_dir: Path
) -> list[TeamJob]:
    """One workbook per unit per team that checks something of its variant: in a folder per team
    (``sheets/网站检查组/北川县-网站检查组.xlsx``), names unique within it."""
    wanted = list(units)
    jobs: list[TeamJob] = []
    for team in teams.names:
        names = unique_file_names(((u.id, f"{u.name}-{team}") for u in all_units), L.WORKBOOK_SUFFIX)
        folder = out_dir / safe_file_stem(team)
        for u in wanted:
            variant = rubric.variant_for_group(u.group)
            if variant is not None and team in teams.of_variant(variant):
                jobs.append(TeamJob(u, team, folder / names[u.id]))
    return jobs


@dataclass(frozen=True)
class TeamSheet:
    """What a team's workbook says about the team (cover, summary, hidden sheet)."""

    name: str
    parts: str  # the titles of the parts it checks
    others: str  # what the other teams check: "第一部分…(市政务公开办)、…"
    gates: str  # gates judged only once the workbooks are merged
    extra: Mapping[str, str]  # the hidden sheet's records

    def note(self) -> str:
        """One sentence for the summary: whose workbook this is and where the rest is scored."""
        text = f"本表是{self.name}的评分表,只含{self.parts}"
        if self.others:
            text += f";{self.others},见其评分表"
        if self.gates:
            text += f";{self.gates}在合并计分时判定"
        return text + "。总分与等次由 zwgk score 合并各检查组的评分表后计算。"


def team_sheet(teams: Teams, variant: Variant, team: str) -> TeamSheet:
    others: dict[str, list[str]] = {}
    for p in variant.walk_parts():
        owner = teams.owner.get((variant.id, p.id), "")
        if p.indicators and owner and owner != team:
            others.setdefault(owner, []).append(p.title)
    gates = []  # the gates of the team's parts that are judged only once the workbooks are merged
    view = teams.view(variant, team)
    mine = {p.id: p for p in view.walk_parts()} if view is not None else {}
    for p in variant.walk_parts():
        if p.gate is not None and p.id in mine and mine[p.id].gate is None:
            gate_part = variant.part(p.gate.part)
            gates.append(f"{p.title}的加分门槛({gate_part.title}达到{fmt_points(p.gate.min)}分)")
    own = ",".join(p.id for p in teams.own_parts(variant, team))
    return TeamSheet(
        team,
        teams.parts_text(variant, team),
        ";".join(f"{'、'.join(titles)}由{t}评分" for t, titles in others.items()),
        "、".join(gates),
        {META_TEAM: team, META_TEAM_PARTS: own},
    )


def check_team(teams: Teams | None, extra: Mapping[str, str], variant: Variant) -> tuple[str, dict[str, str] | None]:
    """The team a returned workbook's hidden sheet names (``""`` for a whole workbook) and, when
    it does not fit the campaign's teams now, the parameters of T007."""
    team = extra.get(META_TEAM, "")
    if not team:
        return "", None
    parts = extra.get(META_TEAM_PARTS, "")
    titles = {p.id: p.title for p in variant.walk_parts()}
    shown = "、".join(titles.get(pid, pid) for pid in parts.split(",") if pid) or "无"
    if teams is None:
        detail = "但 zwgk.toml 中没有设置检查组(只能读取完整的评分表)"
    elif team not in teams.names:
        detail = f"但 zwgk.toml 中没有这个检查组(现有:{'、'.join(teams.names)})"
    elif parts != ",".join(p.id for p in teams.own_parts(variant, team)):
        detail = f"但按 zwgk.toml 该组现在评分:{teams.parts_text(variant, team)}"
    else:
        return team, None
    return team, {"found": team, "parts": shown, "detail": detail}


# ------------------------------------------------------------------ which team a problem concerns


class _Read(Protocol):  # what tagging needs of a WorkbookRead (workbook/plan.py)
    file: str
    team: str
    sources: dict[ReadingKey, Source]
    lines: dict[Any, int]


def criterion_teams(teams: Teams, variant: Variant) -> dict[str, str]:
    """criterion id → the team that checks it."""
    return {crit.id: teams.owner.get((variant.id, part.id), "") for part, _chain, crit in walk_with_path(variant)}


def tag_problems(
    problems: Iterable[Problem], read: _Read, teams: Teams | None, variant: Variant | None
) -> list[Problem]:
    """``problems`` found in ``read``, each saying which team's workbook (or part) it concerns:
    a team's workbook's own team; in a whole workbook or a findings table, the team of the
    criterion at the problem's cell or row.  Unchanged without teams."""
    if teams is None:
        return list(problems)
    if read.team:
        return [p if p.team else replace(p, team=read.team) for p in problems]
    if variant is None:
        return list(problems)
    of_crit = criterion_teams(teams, variant)
    at_cell = {(s.file or read.file, s.sheet, s.cell): k.criterion for k, s in read.sources.items() if s.cell}
    at_line = {line: k[1] for k, line in read.lines.items() if isinstance(k, tuple) and len(k) >= 2}
    out = []
    for p in problems:
        crit = at_cell.get((p.file, p.sheet, p.cell)) if p.cell else at_line.get(p.line) if p.line else None
        team = of_crit.get(crit or "", "")
        out.append(replace(p, team=team) if team and not p.team else p)
    return out
