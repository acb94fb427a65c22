"""``rubric check`` across variants and for units an item does not apply to (R019–R022), each
on a short inline rubric: the code, the Chinese message and where."""

from __future__ import annotations

from pathlib import Path

from test_rubric_problems import load_inline, only

from zwgk_cli import rubric


def variant(vid: str, title: str, groups: str, part_id: str = "p1", part_title: str = "第一部分") -> str:
    return f"""\
  - id: {vid}
    title: {title}
    groups: [{groups}]
    parts:
      - id: {part_id}
        title: {part_title}
        max: 10
        indicators:
          - id: a1
            title: 公开
            max: 10
            text: 按要求公开得10分。
            terms:
              - {{input: ok, label: 已公开, kind: yes_no, points: 10}}
"""


def test_two_variants_sound(tmp_path: Path) -> None:
    r = load_inline(
        tmp_path, "variants:\n" + variant("county", "县市区", "县市区") + variant("dept", "部门", "市直部门")
    )
    assert rubric.check(r) == []


def test_r019_a_group_claimed_by_two_variants(tmp_path: Path) -> None:
    text = "variants:\n" + variant("county", "县市区", "县市区, 功能区") + variant("zone", "功能区", "功能区")
    p = only(rubric.check(load_inline(tmp_path, text)))
    assert (p.code, p.severity, p.path) == ("R019", "error", "zone/groups")
    assert (
        p.message
        == "分组“功能区”同时属于类别“县市区”和“功能区”,该分组的单位只会按“县市区”评分,“功能区”对它们永远用不上"
    )
    assert "删去“功能区”" in p.hint


def test_r022_a_part_id_naming_different_parts(tmp_path: Path) -> None:
    text = "variants:\n" + variant("county", "县市区", "县市区") + variant("dept", "部门", "市直部门", "p1", "日常工作")
    p = only(rubric.check(load_inline(tmp_path, text)))
    assert (p.code, p.severity, p.path) == ("R022", "error", "dept/p1")
    assert p.message == "部分编号“p1”在类别“县市区”中是“第一部分”,在类别“部门”中是“日常工作”"


BONUS = """\
style: deduct
parts:
  - id: p1
    title: 加分
    max: 4
    kind: bonus
    style: award
    indicators:
      - id: b1
        title: 创新
        max: 4
        text: 承担试点任务的,试点有成效加4分。
        only_if: {{试点任务: true}}{na}
        terms:
          - {{input: ok, label: 试点有成效, kind: yes_no, points: 4}}
"""


def test_r020_free_bonus_points_for_units_an_item_does_not_apply_to(tmp_path: Path) -> None:
    p = only(rubric.check(load_inline(tmp_path, BONUS.format(na=""))))
    assert (p.code, p.severity, p.path) == ("R020", "error", "default/p1/b1/b1")
    assert p.message == "加分项“创新”对不适用的单位给满分4分:这些单位不做工作也白得加分"
    assert "na_points: zero" in p.hint and "得0分" in p.hint
    assert rubric.check(load_inline(tmp_path, BONUS.format(na="\n        na_points: zero"))) == []


def test_r021_award_item_full_points_when_not_applicable_is_a_warning(tmp_path: Path) -> None:
    text = BONUS.format(na="").replace("    kind: bonus\n", "")
    p = only(rubric.check(load_inline(tmp_path, text)))
    assert (p.code, p.severity) == ("R021", "warning")
    assert p.message == "得分项“创新”对不适用的单位给满分4分"
