"""``zwgk.toml``: every wrong value, unknown key, syntax error, unreadable file and clash of
folders is a located problem in Chinese (file, key, line, what was found, what to do), never a
traceback and never silently ignored; ``zwgk new`` writes settings that pass."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from zwgk_cli import campaign as campaign_mod
from zwgk_cli.campaign import CampaignError
from zwgk_cli.cli import app
from zwgk_cli.cli.new_cmd import SAMPLES
from zwgk_cli.problems import Problem, Severity

DATA = Path(__file__).parent / "data"
runner = CliRunner()

SETTINGS = """\
# 测试考评
[campaign]
rubric = "mini.yaml"
year = 2024
name = "测试考评"
materials_deadline = "2024-11-25"

[paths]
units = "units.csv"
targets = "sites.csv"
returned_dir = "returned"
results_dir = "results"

[notice]
notice_number = "测公开办〔2025〕1号"
notice_date = "2025-01-10"
group_order = ["县区", "部门"]
"""


@pytest.fixture
def camp(tmp_path: Path) -> Path:
    """A campaign folder on the mini rubric with a good ``zwgk.toml``."""
    root = tmp_path / "考评"
    root.mkdir()
    shutil.copy(DATA / "mini.yaml", root / "mini.yaml")
    units = "编号,单位名称,分组,督促指导任务\nU1,甲县,县区,否\nU2,乙局,部门,是\n"
    (root / "units.csv").write_text(units, encoding="utf-8")
    sites = "编号,名称,类型,所属单位\nW1,甲县网,website,甲县\nW2,乙局网,website,乙局\n"
    (root / "sites.csv").write_text(sites, encoding="utf-8")
    (root / "returned").mkdir()
    (root / "zwgk.toml").write_text(SETTINGS, encoding="utf-8")
    return root


def _set(root: Path, old: str, new: str) -> None:
    """Replace the line starting with ``old`` (a key, ``[section]``) by ``new``."""
    cfg = root / "zwgk.toml"
    lines = cfg.read_text(encoding="utf-8").splitlines()
    hits = [i for i, line in enumerate(lines) if line.startswith(old)]
    assert len(hits) == 1, old
    lines[hits[0]] = new
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _problems(root: Path) -> list[Problem]:
    with pytest.raises(CampaignError) as info:
        campaign_mod.load(root)
    assert info.value.problems
    return info.value.problems


def _refused(res: Result) -> str:
    """A command that stopped on a usage problem (exit 2), without a traceback."""
    assert res.exit_code == 2, res.output
    assert isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    return res.output


def _line_of(root: Path, start: str) -> int:
    lines = (root / "zwgk.toml").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.startswith(start))


# ------------------------------------------------------------------ wrong values, one key each

BAD_VALUES = [
    ("year", 'year = "二〇二二"', '"二〇二二"', "4位阿拉伯数字的年份"),
    ("year", "year = 1e400", "inf", "4位阿拉伯数字的年份"),
    ("year", "year = nan", "nan", "4位阿拉伯数字的年份"),
    ("year", "year = [2022]", "[2022]", "4位阿拉伯数字的年份"),
    ("year", "year = 2024.5", "2024.5", "4位阿拉伯数字的年份"),
    ("year", "year = true", "true", "4位阿拉伯数字的年份"),
    ("group_order", "group_order = 5", "5", "分组名称的列表"),
    ("group_order", 'group_order = "市级部门"', '"市级部门"', "只有一个分组也要加方括号"),
    ("group_order", 'group_order = ["县区", "县区"]', '["县区", "县区"]', "每个分组只写一次"),
    ("group_order", 'group_order = ["县区", 3]', '["县区", 3]', "分组名称的列表"),
    ("notice_date", 'notice_date = "2023-13-45"', '"2023-13-45"', "真实存在的日期"),
    ("notice_date", 'notice_date = "2023-02-29"', '"2023-02-29"', "真实存在的日期"),
    ("notice_date", 'notice_date = "下周一"', '"下周一"', "日期"),
    ("notice_date", "notice_date = 2023-01-10T09:00:00", "2023-01-10 09:00:00", "日期"),
    ("materials_deadline", 'materials_deadline = "2024-11-25 25:00"', '"2024-11-25 25:00"', "真实存在的日期"),
    ("name", "name = 2024", "2024", "用英文双引号括起来"),
    ("name", 'name = "测试\\u0007考评"', '"测试\\u0007考评"', "不含控制字符"),
    ("units", "units = 5", "5", "文件路径"),
    ("units", 'units = "a\\u0000.csv"', '"a\\u0000.csv"', "文件路径"),
    ("results_dir", 'results_dir = ""', '""', "不能为空"),
]


@pytest.mark.parametrize(("key", "line", "found", "expected"), BAD_VALUES, ids=[c[1] for c in BAD_VALUES])
def test_a_wrong_value_is_located_to_its_key_and_says_what_is_expected(
    camp: Path, key: str, line: str, found: str, expected: str
) -> None:
    _set(camp, f"{key} = ", line)
    [p] = _problems(camp)
    assert p.code == "C007" and p.severity is Severity.ERROR
    assert p.file == str(camp / "zwgk.toml") and p.path.endswith(key) and p.line == _line_of(camp, line)
    assert f"“{key}”" in p.message and found in p.message
    assert expected in p.hint
    for cmd in ("score", "init-sheets"):
        out = _refused(runner.invoke(app, [cmd, "--campaign", str(camp)]))
        assert "C007" in out and key in out and expected in out


def test_a_string_group_order_is_not_split_into_characters(camp: Path) -> None:
    _set(camp, "group_order = ", 'group_order = "市级部门"')
    [p] = _problems(camp)
    assert p.code == "C007" and "group_order" in p.path


def test_every_wrong_value_is_reported_at_once(camp: Path) -> None:
    _set(camp, "year = ", 'year = "二〇二二"')
    _set(camp, "notice_date = ", 'notice_date = "2023-13-45"')
    _set(camp, "group_order = ", "group_order = 5")
    paths = sorted(p.path for p in _problems(camp))
    assert paths == ["[campaign] year", "[notice] group_order", "[notice] notice_date"]


# ------------------------------------------------------------------ good values of every accepted form


@pytest.mark.parametrize(
    ("line", "attr", "value"),
    [
        ('year = "2023"', "year", 2023),
        ("notice_date = 2025-01-10", "notice_date", "2025-01-10"),
        ('notice_date = "2025年1月10日"', "notice_date", "2025年1月10日"),
        ('notice_date = "2025/1/10"', "notice_date", "2025/1/10"),
        ('notice_date = "20250110"', "notice_date", "20250110"),
        ('notice_date = ""', "notice_date", ""),
        ('materials_deadline = "2024-11-25 17:00"', "materials_deadline", "2024-11-25 17:00"),
        ("materials_deadline = 2024-11-25T17:00:00", "materials_deadline", "2024-11-25 17:00:00"),
        ("group_order = []", "group_order", ()),
        ('group_order = ["部门"]', "group_order", ("部门",)),
        ('results_dir = "D:/考评/结果"', "results_dir", "D:/考评/结果"),
    ],
)
def test_values_in_every_accepted_form_are_kept(camp: Path, line: str, attr: str, value: object) -> None:
    _set(camp, f"{attr} = ", line)
    assert getattr(campaign_mod.load(camp), attr) == value


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_the_settings_zwgk_new_writes_pass(tmp_path: Path, sample: str) -> None:
    folder = tmp_path / "c"
    assert runner.invoke(app, ["new", str(folder), "--sample", sample]).exit_code == 0
    camp = campaign_mod.load(folder)
    assert camp.year == SAMPLES[sample]["year"] and camp.group_order == tuple(SAMPLES[sample]["group_order"])
    assert camp.notice_date == SAMPLES[sample]["notice_date"] and camp.root == folder.resolve()


def test_the_settings_zwgk_new_writes_for_an_own_rubric_pass(tmp_path: Path, camp: Path) -> None:
    folder = tmp_path / "own"
    args = ["new", str(folder), "--rubric", str(camp / "mini.yaml"), "--roster", str(camp / "units.csv")]
    res = runner.invoke(app, [*args, "--targets", str(camp / "sites.csv")])
    assert res.exit_code == 0, res.output
    loaded = campaign_mod.load(folder)
    assert loaded.notice_date == "" and loaded.units == "units.csv" and loaded.group_order == ("县区", "部门")


def test_the_campaign_option_may_name_the_settings_file_itself(camp: Path) -> None:
    assert campaign_mod.load(camp / "zwgk.toml").name == "测试考评"


# ------------------------------------------------------------------ unknown keys and sections, keys twice


def test_an_unknown_key_is_an_error_that_suggests_the_nearest_known_key(camp: Path) -> None:
    _set(camp, "notice_number = ", 'notice_numbr = "测公开办〔2025〕1号"')
    [p] = _problems(camp)
    assert p.code == "C005" and p.path == "[notice] notice_numbr" and p.line == _line_of(camp, "notice_numbr")
    assert "“notice_numbr”" in p.message and "“notice_number”" in p.message
    out = _refused(runner.invoke(app, ["score", "--campaign", str(camp)]))
    assert "C005" in out and "notice_number" in out


def test_an_unknown_key_without_a_near_one_lists_the_keys_of_its_section(camp: Path) -> None:
    _set(camp, "notice_number = ", 'colour = "red"')
    [p] = _problems(camp)
    assert p.code == "C005" and "是不是" not in p.message and "notice_date" in p.hint


def test_an_unknown_section_suggests_the_nearest(camp: Path) -> None:
    _set(camp, "[notice]", "[noticee]")
    [p] = _problems(camp)
    assert p.code == "C006" and "“notice”" in p.message and p.line == _line_of(camp, "[noticee]")


def test_a_key_in_two_sections_is_an_error(camp: Path) -> None:
    _set(camp, "# 测试考评", 'name = "另一个名称"')
    [p] = _problems(camp)
    assert p.code == "C008" and "name" in p.message and "[campaign] name" in p.path


# ------------------------------------------------------------------ TOML syntax errors in Chinese


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("name = ", "name = 测试考评", "英文双引号"),
        ("units = ", 'units = "D:\\考评\\units.csv"', "反斜杠"),
        ("name = ", 'name = "测试考评', "引号没有配对"),
        ("group_order = ", 'group_order = ["县区", "部门"', "右方括号"),
        ("year = ", "year 2024", "缺少“=”"),
        ("[paths]", "[paths", "右方括号"),
        ("year = ", "年度 = 2024", "设置名"),
    ],
)
def test_a_syntax_error_is_reported_in_chinese_with_line_and_column(camp: Path, old: str, new: str, words: str) -> None:
    _set(camp, old, new)
    [p] = _problems(camp)
    assert p.code == "C004" and p.line == _line_of(camp, new)
    assert re.search(rf"第{p.line}行第\d+列", p.message) and words in p.message + p.hint
    assert not re.search(r"[A-Za-z]{4,}", p.message), p.message  # no raw “Invalid value (at line…)”
    out = _refused(runner.invoke(app, ["init-sheets", "--campaign", str(camp)]))
    assert "C004" in out and "Invalid" not in out and "line" not in out


def test_a_settings_file_not_in_utf8_is_a_problem(camp: Path) -> None:
    (camp / "zwgk.toml").write_bytes(SETTINGS.encode("gbk"))
    [p] = _problems(camp)
    assert p.code == "C003" and "UTF-8" in p.hint


# ------------------------------------------------------------------ the settings file itself


def test_a_folder_without_settings_is_a_located_problem(tmp_path: Path) -> None:
    [p] = _problems(tmp_path)
    assert p.code == "C002" and "zwgk new" in p.hint
    out = _refused(runner.invoke(app, ["score", "--campaign", str(tmp_path)]))
    assert "C002" in out


def test_a_huge_settings_file_is_refused_unread(camp: Path) -> None:
    with (camp / "zwgk.toml").open("a", encoding="utf-8") as fh:
        fh.write(("# " + "很长的注释" * 100 + "\n") * 1000)  # 1.5 MB of comments: valid TOML
    [p] = _problems(camp)
    assert p.code == "C001" and "过大" in p.message


def _returns_within(seconds: float, call: Callable[[], object]) -> object:
    """``call()``'s result; fails (instead of hanging the tests) when it blocks."""
    box: list[object] = []
    worker = threading.Thread(target=lambda: box.append(_catching(call)), daemon=True)
    worker.start()
    worker.join(seconds)
    return box[0] if box else pytest.fail("blocked")


def _catching(call: Callable[[], object]) -> object:
    try:
        return call()
    except Exception as exc:
        return exc


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_as_settings_file_is_refused_without_waiting(camp: Path) -> None:
    cfg = camp / "zwgk.toml"
    cfg.unlink()
    os.mkfifo(cfg)
    try:
        got = _returns_within(10, lambda: campaign_mod.load(camp))
    finally:  # a reader still waiting on the pipe gets an end of file
        with contextlib.suppress(OSError):
            os.close(os.open(cfg, os.O_WRONLY | os.O_NONBLOCK))
    assert isinstance(got, CampaignError)
    [p] = got.problems
    assert p.code == "C001" and "不是普通文件" in p.message


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_as_settings_file_is_refused_unread(camp: Path) -> None:
    cfg = camp / "zwgk.toml"
    cfg.unlink()
    cfg.symlink_to("/dev/zero")
    [p] = _problems(camp)
    assert p.code == "C001" and "不是普通文件" in p.message


# ------------------------------------------------------------------ folders that must stay apart


@pytest.mark.parametrize(
    ("key", "line", "relation"),
    [
        ("results_dir", 'results_dir = "returned"', "就是交回目录"),
        ("results_dir", 'results_dir = "./returned/"', "就是交回目录"),
        ("results_dir", 'results_dir = "returned/结果"', "位于交回目录之中"),
        ("results_dir", 'results_dir = "."', "包含了交回目录"),
        ("report_dir", 'report_dir = "returned"', "就是交回目录"),
        ("report_dir", 'report_dir = "returned/通报"', "位于交回目录之中"),
    ],
)
def test_results_and_report_folders_must_stay_out_of_the_returned_folder(
    camp: Path, key: str, line: str, relation: str
) -> None:
    if key == "report_dir":
        _set(camp, "results_dir = ", f'results_dir = "results"\n{line}')
    else:
        _set(camp, "results_dir = ", line)
    [p] = _problems(camp)
    assert p.code == "C009" and p.path == f"[paths] {key}" and p.line == _line_of(camp, key)
    assert relation in p.message and "returned_dir" in p.message and key in p.hint
    out = _refused(runner.invoke(app, ["score", "--campaign", str(camp)]))
    assert "C009" in out


def test_the_returned_folder_inside_the_results_folder_is_refused(camp: Path) -> None:
    _set(camp, "returned_dir = ", 'returned_dir = "results/交回"')
    [p] = _problems(camp)
    assert p.code == "C009" and "包含了交回目录" in p.message


def test_a_roster_named_in_the_settings_that_is_missing_is_located_to_its_key(camp: Path) -> None:
    _set(camp, "units = ", 'units = "名单.csv"')
    out = _refused(runner.invoke(app, ["init-sheets", "--campaign", str(camp)]))
    assert "C010" in out and "units" in out and "名单.csv" in out and "文件不存在" in out


def test_a_good_campaign_still_scores(camp: Path) -> None:
    res = runner.invoke(app, ["score", "--campaign", str(camp), "--json"])
    assert res.exit_code == 1, res.output  # nothing returned: every unit is missing, no usage error
    assert (camp / "results" / "scores.json").is_file()
