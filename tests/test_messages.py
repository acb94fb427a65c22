"""Messages a person understands: every command answers typical command-line mistakes, bad
paths and a missing campaign folder in Chinese — what is wrong, the usage line, where the help
is — with exit code 2, no traceback and none of click's or the system's English."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from conftest import corpus_campaign

from zwgk_cli.cli import app, invoke

ROOT = Path(__file__).parent.parent
CJK = re.compile("[\u4e00-\u9fff]")
ENGLISH = re.compile(
    r"No such|Invalid value|Missing (argument|option|parameter|command)|Usage:|Try '|Error|Got unexpected"
    r"|Possible options|Did you mean|requires an argument|does not take a value|Errno|Permission denied"
    r"|Is a directory|Not a directory|Expecting|Traceback|Input should|Options|Arguments|Commands|\[default"
)


def _run(args: list[str], where: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(where)
    code = invoke(args)
    out = capsys.readouterr()
    return code, out.out + out.err


def _chinese(code: int, text: str, expected: int = 2) -> None:
    assert code == expected, text
    assert CJK.search(text), text
    assert not ENGLISH.search(text), text


def _commands() -> list[list[str]]:
    """Every command of ``zwgk --help``, the groups' commands each."""
    out: list[list[str]] = []

    def walk(cmd: Any, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            out.append(path)

    walk(typer.main.get_command(app), [])
    return out


def test_every_command_is_listed() -> None:
    names = {" ".join(c) for c in _commands()}
    assert {"score", "report", "init-sheets", "inspect", "new", "demo", "rubric check", "rubric list"} <= names


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c))
def test_an_unknown_option_is_answered_in_chinese_for_every_command(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, text = _run([*command, "--no-such-option"], tmp_path, capsys, monkeypatch)
    _chinese(code, text)
    assert "没有选项 --no-such-option" in text
    assert f"用法:zwgk {' '.join(command)}" in text
    assert f"运行 zwgk {' '.join(command)} --help 查看用法" in text


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["score", "--stirct"], "你是不是想输入 --strict"),
        (["score", "--jobs", "abc"], "选项 --jobs(-j) 的值“abc”不合要求:应为整数"),
        (["score", "-jabc"], "的值“abc”不合要求"),
        (["score", "--jobs", "-1"], "应不小于 0"),
        (["init-sheets", "--jobs", "x"], "选项 --jobs(-j) 的值“x”"),
        (["demo", "--seed", "1.5"], "选项 --seed 的值“1.5”不合要求:应为整数"),
        (["score", "--jobs"], "选项 --jobs 后面要跟一个值"),
        (["score", "--strict=yes"], "选项 --strict 是开关"),
        (["report", "--format", "pdf"], "你是不是想输入 --formats"),
        (["inspect"], "缺少参数 workbooks:要查看的评分表"),
        (["new"], "缺少参数 folder"),
        (["rubric", "new"], "缺少参数 file"),
        (["rubric", "show", "a", "b"], "多余的参数:b"),
        (["scroe"], "没有命令“scroe”。你是不是想输入 score"),
        (["rubric", "chek"], "没有命令“chek”。你是不是想输入 check"),
        (["--verison"], "你是不是想输入 --version"),
    ],
)
def test_command_line_mistakes_are_answered_in_chinese(
    args: list[str], said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, text = _run(args, tmp_path, capsys, monkeypatch)
    _chinese(code, text)
    assert said in text
    assert "用法:zwgk" in text and "--help 查看用法" in text


@pytest.mark.parametrize(
    "args", [["score"], ["report"], ["init-sheets"], ["rubric", "check"], ["rubric", "show"], ["rubric", "export"]]
)
def test_outside_a_campaign_folder_each_command_says_how_to_find_one(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, text = _run(args, tmp_path, capsys, monkeypatch)
    _chinese(code, text)
    assert "C011" in text and "当前目录不是考评目录(没有 zwgk.toml)" in text
    assert f"zwgk {' '.join(args)} -C 2022考评" in text
    assert "cd 2022考评" in text
    assert "不存在" not in text  # not the advice of a campaign folder (…/scores.json 不存在 —— 先运行 zwgk score)


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["rubric", "check", "my.yaml"], 2, "找不到评分细则:文件不存在"),
        (["rubric", "check", "文件夹"], 2, "这是一个文件夹"),
        (["new", "x", "--rubric", "my.yaml", "--roster", "r.csv"], 2, "找不到评分细则"),
        (["inspect", "没有.xlsx"], 1, "文件不存在"),
        (["inspect", "文件夹"], 1, "这是一个文件夹"),
        (["report", "没有.json"], 2, "不存在"),
        (["report", "坏.json"], 2, "第1行第2列格式有误"),
        (["report", "文件夹"], 2, "是一个目录"),
        (["score", "-C", "没有"], 2, "没有设置文件 zwgk.toml"),
        (["new", "占用/新考评", "--sample", "mianyang-2022"], 2, "无法创建考评目录"),
        (["demo", "占用/演示", "--sample", "mianyang-2022"], 2, "无法写入演示目录"),
        (["rubric", "new", "占用/细则.xlsx"], 2, "无法写入"),
    ],
)
def test_bad_paths_are_located_chinese_problems(
    args: list[str],
    code: int,
    said: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "文件夹").mkdir()
    (tmp_path / "坏.json").write_text("{,", encoding="utf-8")
    (tmp_path / "占用").write_text("a file where a folder is wanted", encoding="utf-8")
    got, text = _run(args, tmp_path, capsys, monkeypatch)
    _chinese(got, text, code)
    assert said in text


def test_a_toml_syntax_error_says_line_and_column_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "zwgk.toml").write_text('[campaign]\nname = "x"\nyear = 20 24\n', encoding="utf-8")
    code, text = _run(["score"], tmp_path, capsys, monkeypatch)
    _chinese(code, text)
    assert "第3行第11列" in text


def test_a_folder_named_zwgk_toml_is_said_to_be_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "zwgk.toml").mkdir()
    code, text = _run(["report"], tmp_path, capsys, monkeypatch)
    _chinese(code, text)
    assert "C001" in text and "这是一个文件夹" in text


def test_help_words_are_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for args in (["--help"], ["score", "--help"], ["rubric", "--help"], ["new", "--help"]):
        code, text = _run(args, tmp_path, capsys, monkeypatch)
        _chinese(code, text, 0)
        assert "用法:zwgk" in text and "[选项]" in text
    assert "[默认:0]" in _run(["score", "--help"], tmp_path, capsys, monkeypatch)[1]
    assert "命令 [参数]..." in _run(["rubric", "--help"], tmp_path, capsys, monkeypatch)[1]


def test_score_output_is_compact_with_the_summary_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The corpus roster has dozens of units; one workbook with a few warnings is returned:
    the terminal gets one line per kind of problem and one per group of missing units."""
    root = corpus_campaign(tmp_path / "考评", ("good.xlsx", "no_note.xlsx", "no_evidence.xlsx"))
    monkeypatch.chdir(root)
    code = invoke(["score", "-j", "1"])
    out = capsys.readouterr()
    text = out.out + out.err
    lines = text.strip().splitlines()
    assert code == 1
    assert len(lines) <= 16, text
    assert re.search(r"县区:缺 \d+ 个单位\(单位[^)]*…\),名单见 results/problems.csv", out.err), text
    # the problems first (stderr, printed before), the summary last (stdout), then the round
    summary = out.out.strip().splitlines()
    assert summary[-1] == "本次评分结果为第1轮,另存一份于结果目录的 rounds/01/。", summary
    assert summary[-2].startswith("结果已写入 results"), summary
    assert "完整清单(每条的位置和怎么办)见 results/problems.csv" in summary[-3]
    assert not ENGLISH.search(text), text
    csv = (root / "results" / "problems.csv").read_text(encoding="utf-8-sig")

    code, verbose = _run(["score", "-j", "1", "--verbose"], root, capsys, monkeypatch)
    assert code == 1 and "W015" in verbose and len(verbose.splitlines()) > len(lines)
    assert (root / "results" / "problems.csv").read_text(encoding="utf-8-sig") == csv


def _zwgk(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "zwgk_cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("args", [["score", "--stirct"], ["report"], ["inspect"], ["rubric", "check", "my.yaml"]])
def test_as_a_program_exit_2_in_chinese_without_a_traceback(args: list[str], tmp_path: Path) -> None:
    res = _zwgk(args, tmp_path)
    _chinese(res.returncode, res.stdout + res.stderr)


def test_formats_may_be_separated_as_chinese_is_typed() -> None:
    from zwgk_cli import names

    assert names.parse_formats("md，xlsx、pdf") == names.parse_formats("md,xlsx,pdf")
