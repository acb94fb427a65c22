"""Every problem the rubric loader and checker can raise (R001–R018), each on a short inline
rubric: the code, the Chinese message, and where it is (YAML path and line)."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest
from conftest import HEAD, ONE_PART  # one part, one flat indicator worth 10: lines 4–14

from zwgk_cli import rubric
from zwgk_cli.model import Rubric, Unit
from zwgk_cli.problems import Problem, Severity
from zwgk_cli.rubric import source


def write(tmp_path: Path, yaml_text: str) -> Path:
    path = tmp_path / "inline.yaml"
    path.write_text(HEAD + textwrap.dedent(yaml_text), encoding="utf-8")
    return path


def load_inline(tmp_path: Path, yaml_text: str) -> Rubric:
    """HEAD + ``yaml_text`` written to a file and loaded as a user's rubric is."""
    return rubric.load(str(write(tmp_path, yaml_text)))


def load_problems(tmp_path: Path, yaml_text: str) -> list[Problem]:
    with pytest.raises(rubric.RubricError) as exc:
        load_inline(tmp_path, yaml_text)
    return exc.value.problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [(p.code, p.message) for p in problems]
    return problems[0]


def test_the_inline_base_rubric_is_sound(tmp_path: Path) -> None:
    r = load_inline(tmp_path, ONE_PART)
    assert r.max == 10 and rubric.check(r) == []


# ------------------------------------------------------------------ loading (schema)


def test_r001_yaml_syntax(tmp_path: Path) -> None:
    p = only(load_problems(tmp_path, "parts: [unclosed\nnotes: []\n"))
    assert p.code == "R001" and p.line == 5 and p.file.endswith("inline.yaml")
    assert p.message == "评分细则文件无法解析:方括号“[”没有配对的“]”,或列表的各项之间缺逗号"


def test_r001_tab_indentation(tmp_path: Path) -> None:
    p = only(load_problems(tmp_path, "parts:\n\t- id: p1\n"))
    assert p.code == "R001" and p.line == 5
    assert p.message == "评分细则文件无法解析:有不能出现在此处的字符(如制表符 Tab:缩进只能用空格)"


def test_r002_unknown_bundled_id() -> None:
    with pytest.raises(rubric.RubricError) as exc:
        rubric.load("no-such-rubric")
    p = only(exc.value.problems)
    assert p.code == "R002"
    assert p.message == "找不到评分细则:no-such-rubric(内置细则有:jingzhou-2021、mianyang-2022)"


def test_r002_missing_file(tmp_path: Path) -> None:
    with pytest.raises(rubric.RubricError) as exc:
        rubric.load(str(tmp_path / "none.yaml"))
    p = only(exc.value.problems)
    assert p.code == "R002" and p.file == str(tmp_path / "none.yaml")
    assert p.message == "找不到评分细则:文件不存在(可能是失效的快捷方式或链接)"


def test_r002_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes((HEAD + ONE_PART).encode("gbk"))
    with pytest.raises(rubric.RubricError) as exc:
        rubric.load(str(path))
    p = only(exc.value.problems)
    assert p.code == "R002" and p.message == "找不到评分细则:文件不是 UTF-8 编码的文本(请另存为 UTF-8 编码)"


def test_r003_missing_field(tmp_path: Path) -> None:
    p = only(load_problems(tmp_path, ONE_PART.replace("        max: 10\n", "")))
    assert (p.code, p.path, p.line) == ("R003", "parts[0].indicators[0]", 9)
    assert p.message == "缺少必填字段“max”" and p.hint == "在该位置补上“max”。"


def test_r003_a_criterion_without_rules(tmp_path: Path) -> None:
    text = ONE_PART.replace("        terms:\n          - {input: ok, label: 已公开, kind: yes_no, points: 10}\n", "")
    p = only(load_problems(tmp_path, text))
    assert (p.code, p.path, p.line, p.message) == ("R003", "parts[0].indicators[0]", 9, "缺少必填字段“terms”")


def test_r004_wrong_type(tmp_path: Path) -> None:
    p = only(load_problems(tmp_path, ONE_PART.replace("    max: 10\n    indicators", "    max: 十\n    indicators")))
    assert (p.code, p.path, p.line) == ("R004", "parts[0].max", 7)
    assert p.message == "字段“max”的值“十”不合要求:数字" and p.hint == "改为数字。"


def test_r004_groups_not_a_list(tmp_path: Path) -> None:
    """``groups: true`` was a TypeError traceback; it is R004 at the top-level field."""
    p = only(load_problems(tmp_path, "groups: true\n" + ONE_PART))
    assert (p.code, p.path, p.line) == ("R004", "groups", 4)
    assert p.message == "字段“groups”的值“True”不合要求:列表"


def test_one_group_written_alone_is_a_list_of_one(tmp_path: Path) -> None:
    """``groups: 县区`` is the group 县区, not the groups 县 and 区."""
    r = load_inline(tmp_path, "groups: 县区\n" + ONE_PART)
    assert r.variants[0].groups == ("县区",)


def test_r004_a_step_of_zero(tmp_path: Path) -> None:
    """A points input moves in steps of ``step``: 0 would be no step (the sheet said “以0分为一档”)."""
    term = "{input: ok, label: 已公开, kind: yes_no, points: 10}"
    p = only(load_problems(tmp_path, ONE_PART.replace(term, "{input: ok, label: 赋分, kind: points, step: 0}")))
    assert (p.code, p.path) == ("R004", "parts[0].indicators[0].terms[0].step")
    assert p.message == "字段“step”的值“0”不合要求:大于0的数字"


def test_r004_merge_key_of_a_scalar(tmp_path: Path) -> None:
    p = only(load_problems(tmp_path, "definitions:\n  one: &one 1\nnotes: {<<: *one}\n"))
    assert (p.code, p.path, p.line) == ("R004", "notes.<<", 6)
    assert p.message == "字段“<<”的值“1”不合要求:锚点别名(*名称)引用的键值对(mapping)"


def test_r005_unknown_field(tmp_path: Path) -> None:
    p = only(
        load_problems(
            tmp_path, ONE_PART.replace("    max: 10\n    indicators", "    maxx: 10\n    max: 10\n    indicators")
        )
    )
    assert (p.code, p.path, p.line) == ("R005", "parts[0].maxx", 7)
    assert p.message == "未知字段“maxx”"
    assert p.hint.startswith("删除该字段,或检查拼写(可用字段:id、title、max、")


def test_r006_duplicate_id_names_both_places(tmp_path: Path) -> None:
    text = (
        ONE_PART
        + """\
      - id: a1
        title: 又一个
        max: 0
        text: 无。
        terms:
          - {input: ok, label: 已公开, kind: yes_no, points: 0}
"""
    )
    p = only(load_problems(tmp_path, text))
    assert (p.code, p.path, p.line) == ("R006", "parts[0].indicators[1].id", 15)
    assert p.message == "编号“a1”重复(另见 parts[0].indicators[0] 第9行)"


def test_r006_duplicate_input_in_one_criterion(tmp_path: Path) -> None:
    text = ONE_PART + "          - {input: ok, label: 又一个, kind: yes_no, points: 0}\n"
    p = only(load_problems(tmp_path, text))
    assert (p.code, p.path, p.line) == ("R006", "parts[0].indicators[0].terms[1].input", 15)
    assert p.message == "编号“ok”重复(另见 同一条细则)"


def test_r007_declared_total_is_not_the_sum_of_the_parts(tmp_path: Path) -> None:
    p = only(load_problems(tmp_path, "max: 12\n" + ONE_PART))
    assert (p.code, p.path, p.line) == ("R007", "max", 4)
    assert p.message == "“测试细则”的分值12与下级分值合计10不一致"


def test_r009_input_used_before_it_is_defined(tmp_path: Path) -> None:
    text = ONE_PART.replace("{input: ok, label: 已公开, kind: yes_no, points: 10}", "{input: ghost, points: 10}")
    p = only(load_problems(tmp_path, text))
    assert (p.code, p.path, p.line) == ("R009", "parts[0].indicators[0].terms[0]", 14)
    assert p.message == "引用的“ghost”不存在"
    assert p.hint == "先在前面的 terms/vetoes/inputs 中定义该输入(给出 label 与 kind)。"


BONUS = """\
  - id: bonus
    title: 加分
    max: 2
    kind: bonus
    gate: {part: p9, min: 8}
    indicators:
      - id: b1
        title: 创新
        max: 2
        text: 有创新得2分。
        terms:
          - {input: new, label: 有创新, kind: yes_no, points: 2}
"""


def test_r009_gate_names_no_part_and_is_located(tmp_path: Path) -> None:
    p = only(load_problems(tmp_path, ONE_PART + BONUS))
    assert (p.code, p.path, p.line) == ("R009", "parts[1].gate.part", 19)
    assert p.message == "引用的“p9”不存在" and p.hint == "gate.part 应为本细则中某一部分的 id。"


def test_r009_per_target_names_no_target_kind_and_is_located(tmp_path: Path) -> None:
    text = ONE_PART + BONUS.replace("    gate: {part: p9, min: 8}\n", "    per_target: weibo\n")
    p = only(load_problems(tmp_path, text))
    assert (p.code, p.path, p.line) == ("R009", "parts[1].per_target", 19)
    assert p.message == "引用的“weibo”不存在" and p.hint == "在 target_kinds 中声明该对象类型(如 website)。"


def test_r017_tier_floors(tmp_path: Path) -> None:
    text = "tiers:\n  - {label: 好, min: 8}\n  - {label: 中, min: 8}\n  - {label: 差}\nveto_tier: 差\n" + ONE_PART
    p = only(load_problems(tmp_path, text))
    assert (p.code, p.path, p.line) == ("R017", "tiers", 5)
    assert p.message == "等次设置有误:下限重复,或不止一个等次没有下限"


def test_r017_veto_tier_is_no_tier(tmp_path: Path) -> None:
    text = "tiers:\n  - {label: 好, min: 8}\n  - {label: 差}\nveto_tier: 否决\n" + ONE_PART
    p = only(load_problems(tmp_path, text))
    assert (p.code, p.path, p.line) == ("R017", "veto_tier", 7)
    assert p.message == "等次设置有误:veto_tier“否决”不是任何等次的名称"


# ------------------------------------------------------------------ hostile files (R018)

R018_HINT = "确认给出的是评分细则 YAML 文件;锚点(&)与别名(*)只用于共用少量重复内容,不要层层嵌套引用。"


def test_r018_alias_bomb_stops_at_the_node_budget(tmp_path: Path) -> None:
    """ "Billion laughs": nine levels of nine aliases each would expand to 9⁹ values."""
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"{c}: &{c} [{', '.join(['*' + prev] * 9)}]" for prev, c in zip("abcdefgh", "bcdefghi", strict=True)]
    start = time.monotonic()
    p = only(load_problems(tmp_path, "definitions:\n" + textwrap.indent("\n".join(lines), "  ") + "\n" + ONE_PART))
    assert time.monotonic() - start < 10
    # 9⁶ values under f (line 10) are the first to go over the budget
    assert (p.code, p.line, p.severity) == ("R018", 10, Severity.ERROR)
    assert (
        p.message == "评分细则文件的数据项过多(锚点别名“*”按展开后计),超过上限200,000项,疑似恶意构造或选错了文件,未读取"
    )
    assert p.hint == R018_HINT


def test_r018_an_anchor_that_contains_itself(tmp_path: Path) -> None:
    p = only(load_problems(tmp_path, "definitions: &loop\n  - *loop\n" + ONE_PART))
    assert (p.code, p.line) == ("R018", 4)
    assert p.message == "评分细则文件的嵌套层数过深(或锚点别名引用了自身),超过上限64层,疑似恶意构造或选错了文件,未读取"


def test_r018_nesting_too_deep(tmp_path: Path) -> None:
    p = only(load_problems(tmp_path, "definitions: " + "[" * 70 + "]" * 70 + "\n" + ONE_PART))
    assert (p.code, p.line) == ("R018", 4)
    assert "嵌套层数过深" in p.message


def test_r018_a_long_list_under_the_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The real budget fits under the size cap (a list of 200,000 values is 400 KB); a smaller
    # budget keeps the test quick.
    assert 2 * rubric.MAX_NODES < rubric.MAX_BYTES
    monkeypatch.setattr(source, "MAX_NODES", 1000)
    p = only(load_problems(tmp_path, "definitions: [" + ",".join(["1"] * 1010) + "]\n" + ONE_PART))
    assert (p.code, p.line) == ("R018", 4)
    assert (
        p.message == "评分细则文件的数据项过多(锚点别名“*”按展开后计),超过上限1,000项,疑似恶意构造或选错了文件,未读取"
    )


def test_r018_a_50_mb_file_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as f:
        f.write(b"id: t\ndefinitions: [")
        f.truncate(50 * 1024 * 1024)  # sparse: no 50 MB written, but the file says it has them
    with pytest.raises(rubric.RubricError) as exc:
        rubric.load(str(path))
    p = only(exc.value.problems)
    assert p.code == "R018" and p.file == str(path)
    assert p.message == "评分细则文件大小50.0 MB,超过上限1.0 MB,疑似恶意构造或选错了文件,未读取"
    assert p.hint == R018_HINT


def test_r018_text_given_directly_is_capped_too() -> None:
    with pytest.raises(rubric.RubricError) as exc:
        rubric.parse(HEAD + "notes: []\n" + "#" * rubric.MAX_BYTES, "big.yaml")
    p = only(exc.value.problems)
    assert p.code == "R018" and p.file == "big.yaml"
    assert p.message.startswith("评分细则文件有1,048,6")


def test_r018_in_the_cli_is_one_located_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zwgk_cli.cli import app

    path = write(tmp_path, "definitions: &loop\n  - *loop\n" + ONE_PART)
    res = CliRunner().invoke(app, ["rubric", "check", str(path)])
    assert res.exit_code == 2
    assert "R018" in res.output and "inline.yaml" in res.output and "第4行" in res.output
    assert "Traceback" not in res.output


# ------------------------------------------------------------------ checking (soundness)


def test_r007_children_do_not_add_up(tmp_path: Path) -> None:
    text = ONE_PART.replace(
        "        max: 10\n        text: 按要求公开得10分。", "        max: 8\n        text: 按要求公开得8分。"
    )
    text = text.replace("points: 10}", "points: 8}")
    p = only(rubric.check(load_inline(tmp_path, text)))
    assert (p.code, p.path) == ("R007", "default/p1")
    assert p.message == "“第一部分”的分值10与下级分值合计8不一致"


def test_r008_rules_cannot_reach_the_maximum(tmp_path: Path) -> None:
    p = only(rubric.check(load_inline(tmp_path, ONE_PART.replace("points: 10}", "points: 5}"))))
    assert (p.code, p.path, p.severity) == ("R008", "default/p1/a1/a1", Severity.ERROR)
    assert p.message == "“公开”的评分规则最多只能得到5分,达不到分值10分"


def test_r010_text_says_more_than_the_maximum(tmp_path: Path) -> None:
    p = only(rubric.check(load_inline(tmp_path, ONE_PART.replace("得10分", "得12分"))))
    assert (p.code, p.path, p.severity) == ("R010", "default/p1/a1/a1", Severity.WARNING)
    assert p.message == "“公开”原文写“得12分”,与分值10分不符(按分值10分计)"


BY_UNIT = """\
aliases: {住建局: 市住房和城乡建设局}
groups: [部门]
parts:
  - id: p1
    title: 第一部分
    max: 10
    indicators:
      - id: key
        title: 重点领域
        max: 10
        by_unit:
          - units: [住建局]
            criteria:
              - {id: k1, text: 公开住房信息得10分。, terms: [{input: ok, label: 已公开, kind: yes_no, points: 10}]}
          - units: [市医保局]
            default: true
            criteria:
              - {id: k2, text: 公开其他信息得10分。, terms: [{input: ok, label: 已公开, kind: yes_no, points: 10}]}
"""


def dept(name: str, group: str = "部门", aliases: tuple[str, ...] = ()) -> Unit:
    return Unit(name, name, group, {}, (), aliases)


ROSTER = (dept("市住房和城乡建设局"), dept("市医保局"))


def test_by_unit_rubric_is_sound_against_its_roster(tmp_path: Path) -> None:
    assert rubric.check(load_inline(tmp_path, BY_UNIT), ROSTER) == []


def test_r011_a_short_name_matches_no_unit(tmp_path: Path) -> None:
    p = only(rubric.check(load_inline(tmp_path, BY_UNIT), [dept("市医保局")]))
    assert (p.code, p.path) == ("R011", "aliases")
    assert p.message == "单位简称“住建局”在名单中找不到对应单位"


def test_r012_a_short_name_matches_two_units(tmp_path: Path) -> None:
    units = [*ROSTER, dept("医保中心", aliases=("市医保局",))]
    problems = rubric.check(load_inline(tmp_path, BY_UNIT), units)
    p = only([p for p in problems if p.code == "R012"])
    assert p.message == "单位简称“市医保局”对应名单中多个单位:市医保局、医保中心"


def test_r013_a_unit_falls_back_to_the_generic_set(tmp_path: Path) -> None:
    p = only(rubric.check(load_inline(tmp_path, BY_UNIT), [*ROSTER, dept("市审计局")]))
    assert (p.code, p.unit, p.severity) == ("R013", "市审计局", Severity.WARNING)
    assert p.message == "单位“市审计局”在“重点领域”中没有专属细则,采用通用条目"


def test_r014_a_unit_named_in_its_own_and_the_generic_set(tmp_path: Path) -> None:
    text = BY_UNIT.replace("units: [住建局]", "units: [住建局, 市医保局]")
    p = only(rubric.check(load_inline(tmp_path, text), ROSTER))
    assert (p.code, p.unit, p.severity) == ("R014", "市医保局", Severity.WARNING)
    assert p.message == "单位“市医保局”在“重点领域”中出现于多个条目,采用专属条目“住建局、市医保局”"


def test_r015_a_unit_without_any_set(tmp_path: Path) -> None:
    text = BY_UNIT.replace("            default: true\n", "")
    p = only(rubric.check(load_inline(tmp_path, text), [*ROSTER, dept("市审计局")]))
    assert (p.code, p.unit, p.severity) == ("R015", "市审计局", Severity.ERROR)
    assert p.message == "单位“市审计局”在“重点领域”中既无专属细则也无通用条目"


def test_r016_a_group_without_a_variant(tmp_path: Path) -> None:
    r = load_inline(tmp_path, BY_UNIT)
    county = dept("甲县", group="县区")
    p = only(rubric.check(r, [*ROSTER, county]))
    assert (p.code, p.unit) == ("R016", "甲县")
    assert p.message == "单位“甲县”的分组“县区”不适用于任何细则版本(可用:部门)"
    with pytest.raises(rubric.RubricError) as exc:
        rubric.resolve(r, county)
    q = only(exc.value.problems)
    assert (q.code, q.message, q.file) == ("R016", p.message, r.path)


def test_r030_a_scored_input_cannot_be_optional(tmp_path: Path) -> None:
    """An optional input that a term scores would leave the criterion without points when blank
    (the engine) or count it as 0 (Excel): the rubric is refused instead, at the criterion."""
    text = ONE_PART.replace("kind: yes_no, points: 10}", "kind: yes_no, points: 10, required: false}")
    p = only(load_problems(tmp_path, text))
    assert p.code == "R030" and p.path == "parts[0].indicators[0]"
    assert p.message == "填写项“已公开”(ok)参与计分,却设为选填(required: false):留空时无法计分"
