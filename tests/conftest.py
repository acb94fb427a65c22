"""Shared fixtures: headless LibreOffice, the bundled rubrics and their sample rosters."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.model import Rubric, Target, Unit
from zwgk_cli.resources import sample_roster
from zwgk_cli.roster import load_roster

DATA = Path(__file__).parent / "data"


def require_soffice() -> str:
    """The LibreOffice executable.  Skips when it is missing on a developer machine; fails
    when ``CI=true``: CI must run the LibreOffice tests, never skip them."""
    from zwgk_cli import office

    exe = office.find_soffice()
    if exe is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI 环境必须安装 LibreOffice(soffice):公式与引擎一致性测试不能跳过。")
        pytest.skip("LibreOffice (soffice) is not installed")
    return exe


@pytest.fixture(scope="session")
def soffice() -> str:
    """Use in every test marked ``libreoffice`` (see :func:`require_soffice`)."""
    return require_soffice()


def load_sample(rubric_id: str) -> tuple[Rubric, list[Unit]]:
    """A bundled rubric and the units of its sample roster (targets included)."""
    rubric = rubric_mod.load(rubric_id)
    found = sample_roster(rubric_id)
    assert found is not None, f"no sample roster for {rubric_id}"
    units, targets = found
    kinds = [(k.id, k.title) for k in rubric.target_kinds] or [("website", "政府网站")]
    roster = load_roster(units, targets, kinds)
    assert not roster.problems, roster.problems
    return rubric, roster.units


LONG_OPTIONS = (
    "options: {3个工作日内(含当日答复、电话答复并记录在案的情形): 2, "
    "5个工作日内(含补正材料后重新计算的期限): 1, 超过5个工作日或未答复: 0}"
)


def long_list_rubric() -> Rubric:
    """The mini rubric with a choice whose options are too long for an inline list."""
    text = (DATA / "mini.yaml").read_text(encoding="utf-8")
    short = "options: {3个工作日内: 2, 5个工作日内: 1, 超过5个工作日: 0}"
    assert short in text
    return rubric_mod.parse(text.replace(short, LONG_OPTIONS), "mini-long-list.yaml")


@pytest.fixture(scope="session")
def mini() -> Rubric:
    return rubric_mod.load(str(DATA / "mini.yaml"))


def mini_units() -> list[Unit]:
    """Units of the mini rubric covering both groups, attributes and 1–3 websites."""
    return [
        Unit(
            "U1", "甲县", "县区", {}, (Target("W1", "website", "甲县人民政府"), Target("W2", "website", "甲县教育网"))
        ),
        Unit("U2", "乙局", "部门", {"督促指导任务": "是"}, (Target("W3", "website", "乙局网站"),)),
        Unit(
            "U3",
            "丙/区:[试点]",
            "县区",
            {"督促指导任务": "否"},
            (
                Target("W4", "website", "丙区政府门户网站/主站"),
                Target("W5", "website", "丙区政府门户网站/主站"),
                Target("W6", "website", "丙区*第三个网站?名字特别特别特别特别特别长以至于超过三十一个字"),
            ),
        ),
    ]


CORPUS = Path(__file__).parent / "data" / "corpus"
CORPUS_TOML = (
    '[campaign]\nrubric = "rubric.yaml"\nname = "测试考评"\nyear = 2024\n'
    '[paths]\nunits = "units.csv"\ntargets = "websites.csv"\n'
)


def corpus_campaign(
    root: Path, returned: tuple[str, ...], copy: tuple[str, ...] = ("units.csv", "websites.csv")
) -> Path:
    """A campaign folder on the hostile corpus's rubric and roster, with ``returned`` corpus
    workbooks in ``returned/`` (the roster files in ``copy`` are copied; write others yourself)."""
    import shutil

    (root / "returned").mkdir(parents=True)
    for name in ("rubric.yaml", *copy):
        shutil.copyfile(CORPUS / name, root / name)
    (root / "zwgk.toml").write_text(CORPUS_TOML, encoding="utf-8")
    for name in returned:
        shutil.copyfile(CORPUS / name, root / "returned" / name)
    return root


# Four units of the mini rubric for campaign tests (both groups, the 督促指导任务 attribute, one
# unit with two websites), and a campaign folder on it: rubric, roster, websites, zwgk.toml.
MINI_UNITS = (
    Unit(
        "U1",
        "甲县",
        "县区",
        {"督促指导任务": "否"},
        (Target("W1", "website", "甲县政府网"), Target("W2", "website", "甲县教育网")),
    ),
    Unit("U2", "乙局", "部门", {"督促指导任务": "是"}, (Target("W3", "website", "乙局网站"),)),
    Unit("U3", "丙区", "县区", {"督促指导任务": "否"}, (Target("W4", "website", "丙区政府网"),)),
    Unit("U4", "丁局", "部门", {"督促指导任务": "否"}, (Target("W5", "website", "丁局网站"),)),
)


# the 绵阳 sample split between two 检查组 (as the demo does)
TEAMS_TOML = """
[[teams]]
name = "网站检查组"
parts = ["第二部分 政府网站和政府系统政务新媒体"]

[[teams]]
name = "市政务公开办"
parts = ["p1", "日常工作", "p4"]
"""


def write_mini_roster(folder: Path, units: Sequence[Unit]) -> None:
    """``units.csv`` and ``websites.csv`` of ``units`` in ``folder``."""
    rows = ["编号,单位名称,分组,督促指导任务"] + [
        f"{u.id},{u.name},{u.group},{u.attributes['督促指导任务']}" for u in units
    ]
    sites = ["编号,名称,类型,所属单位"] + [f"{t.id},{t.name},website,{u.name}" for u in units for t in u.targets]
    (folder / "units.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "websites.csv").write_text("\n".join(sites) + "\n", encoding="utf-8")


def mini_campaign(root: Path, units: Sequence[Unit] = MINI_UNITS, toml: str = CORPUS_TOML) -> Path:
    """A campaign folder on ``tests/data/mini.yaml`` (as ``rubric.yaml``) with the roster of
    ``units``, ``toml`` as its ``zwgk.toml`` and an empty ``returned/``."""
    root.mkdir(parents=True)
    (root / "rubric.yaml").write_bytes((DATA / "mini.yaml").read_bytes())
    (root / "zwgk.toml").write_text(toml, encoding="utf-8")
    write_mini_roster(root, units)
    (root / "returned").mkdir()
    return root


# A short inline rubric for the rubric tests: HEAD then ONE_PART (one part, one flat indicator
# worth 10, on lines 4–14 of the file).
HEAD = """\
id: t
title: 测试细则
year: 2024
"""

ONE_PART = """\
parts:
  - id: p1
    title: 第一部分
    max: 10
    indicators:
      - id: a1
        title: 公开
        max: 10
        text: 按要求公开得10分。
        terms:
          - {input: ok, label: 已公开, kind: yes_no, points: 10}
"""
