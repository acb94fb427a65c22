"""Creating a campaign folder (``zwgk new``, ``zwgk demo``): ``zwgk.toml`` with every setting
commented in Chinese, the rubric file (when it is not bundled), the roster, and ``returned/``.
:func:`create` creates everything or, when it fails, removes what it created (a roster copied
over a file of the same name with ``force`` is not restored).
"""

from __future__ import annotations

import datetime as dt
import shutil
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from zwgk_cli import campaign as campaign_mod
from zwgk_cli import rubric as rubric_mod
from zwgk_cli.campaign import CONFIG_NAME, Campaign
from zwgk_cli.files import atomic_write_bytes
from zwgk_cli.model import Rubric
from zwgk_cli.problems import Code, Problem, problem
from zwgk_cli.resources import sample_roster
from zwgk_cli.roster import Roster, check_against, check_attributes, check_targets, load_roster

# Sample settings, from the source documents where they say it (the bundled rubrics cite them); the notice
# number, dates of the results notice and the return deadline are examples to be replaced.
SAMPLES: Mapping[str, Mapping[str, Any]] = {
    "mianyang-2022": {
        "year": 2022,
        "name": "绵阳市2022年政务公开工作检查考核",
        "office": "绵阳市人民政府办公室",
        "contact": "通过钉钉发送至市政府办公室政务公开科",
        "materials_deadline": "2022-11-25",
        "return_deadline": "2022-12-16",
        "notice_number": "绵府公开〔2023〕1号",
        "notice_date": "2023-01-10",
        "recipients": "各县(市、区)人民政府,科技城管委会,各园区管委会,市级有关部门",
        "rectify_deadline": "2023-02-28",
        "cc": "市委办公室,市人大常委会办公室,市政协办公室",
        "printer": "绵阳市人民政府办公室",
        "print_date": "2023-01-10",
        "group_order": ["县市区/园区", "市级部门"],
    },
    "jingzhou-2021": {
        "year": 2021,
        "name": "荆州市2021年度政务公开考评",
        "office": "荆州市政务公开领导小组办公室",
        "contact": "ysqgk@jingzhou.gov.cn",
        "materials_deadline": "2022-01-10",
        "return_deadline": "2022-01-25",
        "notice_number": "荆政公开办〔2022〕1号",
        "notice_date": "2022-01-28",
        "recipients": "各县、市、区人民政府,荆州开发区、纪南文旅区、荆州高新区管委会,市政府各部门",
        "rectify_deadline": "2022-03-31",
        "cc": "市委办公室,市人大常委会办公室,市政协办公室",
        "printer": "荆州市政务公开领导小组办公室",
        "print_date": "2022-01-28",
        "group_order": ["县市区", "功能区", "市直部门"],
    },
}


class NewCampaignError(Exception):
    """The folder cannot be created as asked: a Chinese message, or located problems (an
    existing ``zwgk.toml``)."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


@dataclass(frozen=True)
class Created:
    folder: Path
    campaign: Campaign
    rubric: Rubric
    files: tuple[str, ...]  # the rubric and roster files copied in, by name


def campaign_toml(settings: Mapping[str, Any], generated_from: str, sample: bool) -> str:
    """``zwgk.toml`` text from the commented template, with ``settings`` filled in."""
    template = string.Template(
        resources.files("zwgk_cli").joinpath("campaign_template.toml").read_text(encoding="utf-8")
    )
    defaults: dict[str, Any] = {"year": dt.date.today().year, "units": "units.csv", "group_order": []}
    values = {k: campaign_mod.toml_value(settings.get(k, defaults.get(k, ""))) for k in template.get_identifiers()}
    values["generated_from"] = f"(来源:{generated_from})" if generated_from else ""
    values["sample_note"] = "(示例值,正式发文前请修改)" if sample else ""
    return template.substitute(values)


def _plan(
    sample: str | None, rubric: str | None, roster: Path | None, targets: Path | None
) -> tuple[Rubric, dict[str, Any], list[tuple[Path, str]], str]:
    """The rubric, the settings, the files to copy (source, name) and where it all comes from."""
    if sample:
        found = sample_roster(sample) if sample in SAMPLES else None
        if found is None:
            raise NewCampaignError(f"没有示例“{sample}”(可用:{'、'.join(SAMPLES)})。")
        units_src, targets_src = found
        settings: dict[str, Any] = {**SAMPLES[sample], "rubric": sample, "units": "units.csv"}
        copies = [(units_src, "units.csv")]
        if targets_src is not None:
            copies.append((targets_src, "websites.csv"))
            settings["targets"] = "websites.csv"
        return rubric_mod.load(sample), settings, copies, f"内置示例 {sample}"
    assert rubric is not None and roster is not None
    r = rubric_mod.load(rubric)
    if not roster.is_file():
        raise NewCampaignError(f"名单文件不存在:{roster}")
    if targets is not None and not targets.is_file():
        raise NewCampaignError(f"网站名单文件不存在:{targets}")
    rubric_path = Path(rubric)
    copies = [(rubric_path, rubric_path.name)] if rubric_path.is_file() else []
    settings = {"rubric": rubric_path.name if copies else r.id, "units": roster.name}
    copies.append((roster, roster.name))
    if targets is not None:
        copies.append((targets, targets.name))
        settings["targets"] = targets.name
    settings |= {"year": r.year, "group_order": list(r.groups)}
    return r, settings, copies, f"细则 {r.id}"


def create(
    folder: Path,
    *,
    sample: str | None = None,
    rubric: str | None = None,
    roster: Path | None = None,
    targets: Path | None = None,
    force: bool = False,
) -> Created:
    """Create a campaign folder from a bundled sample, or from a rubric (id or YAML file) and a
    roster.  Raises :class:`NewCampaignError` (a usage problem, or an existing ``zwgk.toml``
    without ``force``) or :class:`zwgk_cli.rubric.RubricError`; nothing is left behind then."""
    if sample and (rubric or roster):
        raise NewCampaignError("--sample 与 --rubric/--roster 不能同时使用。")
    if not sample and not (rubric and roster):
        raise NewCampaignError("请用 --sample 选择内置示例,或同时给出 --rubric 和 --roster。")
    if folder.exists() and not folder.is_dir():
        raise NewCampaignError(f"{folder} 已存在且不是目录。")
    if (folder / CONFIG_NAME).exists() and not force:
        found = problem(Code.S_CAMPAIGN_EXISTS, file=str(folder / CONFIG_NAME), dir=str(folder))
        raise NewCampaignError(found.message, [found])
    r, settings, copies, origin = _plan(sample, rubric, roster, targets)
    names = [name for _, name in copies]
    if len(set(names)) != len(names):
        raise NewCampaignError("细则、单位名单和网站名单的文件名不能相同。")
    made: list[Path] = []  # what did not exist before, removed again on failure (last first)
    top = next((p for p in reversed((folder, *folder.parents)) if not p.exists()), None)
    if top is not None:
        made.append(top)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for src, name in copies:
            dest = folder / name
            if src.resolve() != dest.resolve():
                if not dest.exists():
                    made.append(dest)
                atomic_write_bytes(dest, src.read_bytes())
        config = folder / CONFIG_NAME
        if not config.exists():
            made.append(config)
        atomic_write_bytes(config, campaign_toml(settings, origin, bool(sample)).encode("utf-8"))
        camp = campaign_mod.load(folder)
        returned = camp.path(camp.returned_dir)  # where returned workbooks go
        if not returned.exists():
            made.append(returned)
        returned.mkdir(parents=True, exist_ok=True)
    except BaseException:
        for path in reversed(made):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        raise
    return Created(folder, camp, r, tuple(names))


def checked_roster(rubric: Rubric, roster: Path, targets: Path | None) -> Roster:
    """The roster read and checked against the rubric (its groups, the columns and 是/否 values its
    conditions read, a target for every per-target part), as every command and the demo read it."""
    kinds = [(k.id, k.title) for k in rubric.target_kinds] or [("website", "政府网站")]
    r = load_roster(roster, targets, kinds)
    r.problems.extend(check_against(r, rubric.groups))
    tested: dict[str, set[str]] = {}
    for variant in rubric.variants:
        for c in (*variant.when, *rubric_mod.conditions(variant)):
            tested.setdefault(c.attribute, set()).update(c.values)
    r.problems.extend(check_attributes(r, tested))
    titles = {k.id: k.title for k in rubric.target_kinds}
    needs = [
        (u, p.per_target, titles.get(p.per_target, p.per_target))
        for u in r.units
        if (v := rubric.variant_for(u)) is not None
        for p in v.walk_parts()
        if p.per_target
    ]
    r.problems.extend(check_targets(r, needs))
    return r
