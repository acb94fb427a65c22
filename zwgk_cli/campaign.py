"""Campaign settings: ``zwgk.toml`` in a campaign folder.

Every command run inside a campaign folder (or with ``--campaign DIR``) reads it; command
line flags override it.  Paths in the file are relative to the folder.

The settings are a typed schema (:data:`SETTINGS`): each key has its home section, its meaning
and a check that turns the TOML value into the value kept or says what was expected.  Loading
checks every key, then the paths against each other, and reports every problem at once
(:class:`CampaignError`), each located to the file, the key and its line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from functools import partial
from pathlib import Path
from typing import Any

from zwgk_cli.files import InputFileError, read_input_file
from zwgk_cli.problems import Code, Problem, problem

CONFIG_NAME = "zwgk.toml"
MAX_CONFIG_BYTES = 1024 * 1024  # a settings file is a few KB


@dataclass(frozen=True)
class Team:
    """A 检查组 of ``[[teams]]``: the parts (ids or titles) and target kinds it checks.  Whether
    these name real parts and cover the rubric once is checked against the rubric
    (:func:`zwgk_cli.workbook.teams.resolve_teams`); ``line`` is where its table starts."""

    name: str
    parts: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    line: int | None = None


class CampaignError(Exception):
    """``zwgk.toml`` cannot be used; ``problems`` says where and why, every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(";".join(f"{p.where}:{p.message}" for p in problems))
        self.problems = problems


# ------------------------------------------------------------------ the value checks


class _Bad(Exception):
    """A value that does not pass its check; the message says what would (in Chinese)."""


_TEXT = '文字(用英文双引号括起来,如 "绵阳市人民政府办公室")'
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Bad(_TEXT)
    if _CONTROL.search(value):
        raise _Bad("不含控制字符的" + _TEXT)
    return value


def _path(value: Any) -> str:
    """A file or folder path, relative to the campaign folder; ``""`` for none."""
    if not isinstance(value, str) or _CONTROL.search(value) or "\n" in value or "\t" in value:
        raise _Bad('文件路径(用英文双引号括起来,相对于考评目录,如 "units.csv"),不能换行')
    return value


def _folder(value: Any) -> str:
    if not _path(value).strip():
        raise _Bad('目录名(用英文双引号括起来,相对于考评目录,如 "results"),不能为空')
    return str(value)


def _year(value: Any) -> int:
    if isinstance(value, str) and re.fullmatch(r"\d{4}", value.strip()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
        raise _Bad("4位阿拉伯数字的年份,如 2022(不加引号)")
    return value


_DATE = re.compile(r"(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日|(\d{2})(\d{2}))")
_TIME = re.compile(r"(?:\s*T|\s+)(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?")


def _date(value: Any, with_time: bool = False) -> str:
    what = '日期,用英文双引号括起来,如 "2023-01-10"'
    if with_time:
        what += '(可带时间,如 "2023-01-10 17:00")'
    if isinstance(value, dt.date) and (with_time or not isinstance(value, dt.datetime)):
        return str(value)  # a TOML date (or date-time) literal: a real one already
    if not isinstance(value, str):
        raise _Bad(what)
    text = value.strip()
    if not text:
        return value  # not set
    m = _DATE.match(text)
    rest = text[m.end() :] if m else text
    t = _TIME.fullmatch(rest) if with_time and rest else None
    if m is None or (rest and t is None):
        raise _Bad(what)
    month, day = (int(g) for g in m.groups()[1:] if g is not None)
    try:
        dt.date(int(m.group(1)), month, day)
        if t is not None:
            dt.time(int(t.group(1)), int(t.group(2)), int(t.group(3) or 0))
    except ValueError:
        raise _Bad("真实存在的" + what) from None
    return value


_deadline = partial(_date, with_time=True)


def _groups(value: Any) -> tuple[str, ...]:
    expected = '分组名称的列表,如 ["县市区", "市级部门"](只有一个分组也要加方括号)'
    if not isinstance(value, list) or not all(isinstance(g, str) and g.strip() for g in value):
        raise _Bad(expected)
    if len(set(value)) != len(value):
        raise _Bad(expected + ",每个分组只写一次")
    return tuple(value)


def _group_map(value: Any) -> tuple[tuple[str, str], ...]:
    expected = '本次考评的分组与细则分组的对应表,如 {"乡镇" = "县市区", "县直部门" = "市直部门"}(分组名称加引号)'
    if not isinstance(value, dict) or not value:
        raise _Bad(expected)
    if not all(isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip() for k, v in value.items()):
        raise _Bad(expected + ",两边都是分组名称")
    return tuple((k.strip(), v.strip()) for k, v in value.items())


TEAM_KEYS = ("name", "parts", "targets")
_TEAMS = (
    '每个检查组写一段 [[teams]],如 [[teams]] 换行 name = "网站检查组" 换行 parts = ["p2"] 换行 targets = ["website"]'
    "(parts 写部分的编号或名称,targets 写按对象评分的对象类型,至少写一项)"
)


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _Bad(_TEAMS)
    return tuple(v.strip() for v in value)


def _teams(value: Any) -> tuple[Team, ...]:
    """``[[teams]]``: a list of tables, each a unique name and the parts and/or target kinds it
    checks (whether they exist and cover the rubric is checked against the rubric)."""
    if not isinstance(value, list) or not value or not all(isinstance(t, dict) for t in value):
        raise _Bad(_TEAMS)
    out: list[Team] = []
    for k, t in enumerate(value, start=1):
        unknown = [key for key in t if key not in TEAM_KEYS]
        if unknown:
            raise _Bad(f"{_TEAMS};第{k}个检查组中的“{unknown[0]}”不是检查组的设置(可用:{'、'.join(TEAM_KEYS)})")
        name = t.get("name")
        if not isinstance(name, str) or not name.strip() or _CONTROL.search(name):
            raise _Bad(f"{_TEAMS};第{k}个检查组缺少名称 name")
        parts, targets = _names(t.get("parts", [])), _names(t.get("targets", []))
        if not parts and not targets:
            raise _Bad(f"{_TEAMS};检查组“{name.strip()}”既没有写 parts 也没有写 targets")
        if any(o.name == name.strip() for o in out):
            raise _Bad(f"{_TEAMS};检查组名称“{name.strip()}”写了两次,每个检查组的名称应各不相同")
        out.append(Team(name.strip(), parts, targets))
    return tuple(out)


@dataclass(frozen=True)
class Setting:
    section: str  # where ``zwgk new`` writes it; it is read from any section
    meaning: str
    check: Callable[[Any], Any]  # the TOML value → the value kept; raises _Bad


def _setting(section: str, meaning: str, check: Callable[[Any], Any], default: Any = "") -> Any:
    return field(default=default, metadata={"setting": Setting(section, meaning, check)})


@dataclass(frozen=True)
class Campaign:
    """The settings, in the order :data:`SETTINGS` lists them (and problems name them)."""

    root: Path
    rubric: str = _setting("campaign", "评分细则", _text)
    # campaign group → the rubric's group (乡镇 → 县市区)
    group_map: tuple[tuple[str, str], ...] = _setting("campaign", "分组对应", _group_map, ())
    year: int = _setting("campaign", "考评年度", _year, 0)
    name: str = _setting("campaign", "考评名称", _text)
    office: str = _setting("campaign", "发文机关", _text)  # 发文机关 / 考评办公室
    contact: str = _setting("campaign", "报送方式", _text)  # where assessors send workbooks back
    materials_deadline: str = _setting("campaign", "佐证材料截止日期", _deadline)
    return_deadline: str = _setting("campaign", "评分表回收截止日期", _deadline)
    units: str = _setting("paths", "单位名单", _path)
    targets: str = _setting("paths", "网站名单", _path)  # optional
    sheets_dir: str = _setting("paths", "评分表目录", _folder, "sheets")
    returned_dir: str = _setting("paths", "交回目录", _folder, "returned")
    results_dir: str = _setting("paths", "结果目录", _folder, "results")
    report_dir: str = _setting("paths", "通报目录", _folder, "report")
    notice_number: str = _setting("notice", "发文字号", _text)
    notice_date: str = _setting("notice", "成文日期", _date)
    recipients: str = _setting("notice", "主送机关", _text)
    rectify_deadline: str = _setting("notice", "整改期限", _date)
    feedback_deadline: str = _setting("notice", "初评结果反馈截止日期", _date)  # zwgk report --draft
    cc: str = _setting("notice", "抄送机关", _text)  # 版记
    printer: str = _setting("notice", "印发机关", _text)  # 版记
    print_date: str = _setting("notice", "印发日期", _date)  # 版记
    group_order: tuple[str, ...] = _setting("notice", "分组排列顺序", _groups, ())
    template_dir: str = _setting("notice", "通报模板目录", _path)  # replacing the built-in report templates
    password: str = _setting("sheets", "工作表保护密码", _text)
    # 检查组: empty when one workbook per unit holds everything
    teams: tuple[Team, ...] = _setting("teams", "检查组", _teams, ())

    def path(self, rel: str) -> Path:
        p = Path(rel)
        return p if p.is_absolute() else self.root / p

    @property
    def found(self) -> bool:
        return (self.root / CONFIG_NAME).exists()


SECTIONS = ("campaign", "paths", "notice", "sheets")
SETTINGS: dict[str, Setting] = {f.name: f.metadata["setting"] for f in fields(Campaign) if f.metadata}

# Folders that must stay out of the returned folder: (key, why, returned inside it is wrong too)
_APART_FROM_RETURNED = (
    ("results_dir", "两者必须分开:zwgk score 跳过结果目录中的一切文件,结果文件也不能混入交回的评分表", True),
    ("report_dir", "两者必须分开:zwgk score 会把通报目录中的 排名.xlsx 当作交回的评分表读取", False),
)


# ------------------------------------------------------------------ reading the file


def load(root: Path | None = None) -> Campaign:
    """Read ``zwgk.toml`` from ``root`` (or the nearest one above the working directory).

    Without one, an empty campaign rooted at the working directory is returned.  ``root`` may
    also name the ``zwgk.toml`` itself.  Raises :class:`CampaignError` with every problem found.
    """
    base = root
    if base is None:  # a folder named zwgk.toml is found too, and said to be one
        here = Path.cwd().resolve()
        base = next((d for d in (here, *here.parents) if (d / CONFIG_NAME).exists()), None)
        if base is None:
            return Campaign(root=Path.cwd())
    if base.name == CONFIG_NAME and not base.is_dir():
        base = base.parent
    cfg = base / CONFIG_NAME
    if not os.path.lexists(cfg):
        raise CampaignError([problem(Code.C_MISSING, file=str(cfg), dir=str(base))])
    try:
        text = read_input_file(cfg, MAX_CONFIG_BYTES).decode("utf-8-sig")
        data = tomllib.loads(text)
    except InputFileError as exc:
        raise CampaignError([problem(Code.C_FILE, file=str(cfg), detail=str(exc))]) from None
    except UnicodeDecodeError:
        raise CampaignError([problem(Code.C_ENCODING, file=str(cfg))]) from None
    except tomllib.TOMLDecodeError as exc:
        raise CampaignError([_syntax_problem(str(cfg), text, str(exc))]) from None
    lines = _key_lines(text)
    values, problems = _check(data, str(cfg), lines)
    root_dir = base.resolve()
    if not problems:
        problems = _check_folders(values, root_dir, str(cfg), lines)
    if problems:
        raise CampaignError(problems)
    if "teams" in values:  # where each team's table starts, for the problems found against the rubric
        values["teams"] = tuple(replace(t, line=lines.get(f"[[teams]]#{k}")) for k, t in enumerate(values["teams"]))
    return Campaign(root=root_dir, **values)


def _check(data: dict[str, Any], file: str, lines: dict[str, int]) -> tuple[dict[str, Any], list[Problem]]:
    """Every setting checked against :data:`SETTINGS`: the values kept and the problems."""
    entries: list[tuple[str, str, Any]] = []  # (section, key, value)
    problems: list[Problem] = []
    for name, value in data.items():
        if isinstance(value, dict) and name not in SETTINGS:
            if name in SECTIONS:
                entries.extend((name, k, v) for k, v in value.items())
            else:
                guess = _guess(name, SECTIONS)
                where = {"file": file, "path": f"[{name}]", "line": lines.get(f"[{name}]")}
                problems.append(problem(Code.C_UNKNOWN_SECTION, **where, section=name, guess=guess))
        else:
            entries.append(("", name, value))
    values: dict[str, Any] = {}
    seen: dict[str, str] = {}
    for section, key, value in entries:
        label = f"[{section}] {key}" if section else key
        where = {"file": file, "path": label, "line": lines.get(label)}
        setting = SETTINGS.get(key)
        if setting is None:
            known = [k for k, s in SETTINGS.items() if s.section == section] or list(SETTINGS)
            guess = _guess(key, list(SETTINGS))
            problems.append(problem(Code.C_UNKNOWN_KEY, **where, key=key, guess=guess, known="、".join(known)))
            continue
        if key in seen:
            other = seen[key] + (f" 第{lines[seen[key]]}行" if seen[key] in lines else "")
            problems.append(problem(Code.C_TWICE, **where, key=key, other=other))
            continue
        seen[key] = label
        try:
            values[key] = setting.check(value)
        except _Bad as bad:
            found = _show(value)
            problems.append(
                problem(Code.C_VALUE, **where, key=key, meaning=setting.meaning, found=found, expected=str(bad))
            )
    return values, problems


def _check_folders(values: dict[str, Any], root: Path, file: str, lines: dict[str, int]) -> list[Problem]:
    """The results and report folders must stay out of the returned folder."""
    defaults = Campaign(root=root)
    camp = replace(defaults, **values)

    def where(key: str) -> str:
        return os.path.normcase(os.path.realpath(root / str(getattr(camp, key))))

    returned = where("returned_dir")
    out: list[Problem] = []
    for key, why, both_ways in _APART_FROM_RETURNED:
        folder = where(key)
        if folder == returned:
            relation = "就是交回目录"
        elif _inside(folder, returned):
            relation = "位于交回目录之中"
        elif both_ways and _inside(returned, folder):
            relation = "包含了交回目录"
        else:
            continue
        label = next((lab for lab in lines if lab.split()[-1] == key), key)
        at = {"file": file, "path": label, "line": lines.get(label)}
        value, other, default = _show(getattr(camp, key)), _show(camp.returned_dir), _show(getattr(defaults, key))
        shown = {"value": value, "other": other, "default": default}
        out.append(problem(Code.C_OVERLAP, **at, key=key, relation=relation, why=why, **shown))
    return out


def _inside(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip(os.sep) + os.sep)


def _guess(word: str, choices: Any) -> str:
    near = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"(是不是“{near[0]}”?)" if near else ""


def toml_value(value: Any) -> str:
    """A value as TOML writes it (strings as basic strings: JSON escapes are TOML escapes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str | int):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _show(value: Any) -> str:
    """A value as the user wrote it, cut short."""
    text = toml_value(value)
    return text if len(text) <= 60 else text[:57] + "…"


# ------------------------------------------------------------------ where a key is written

_SECTION_LINE = re.compile(r"\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(?:#.*)?$")
_ARRAY_LINE = re.compile(r"\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]\s*(?:#.*)?$")
_KEY_LINE = re.compile(r'\s*"?([A-Za-z0-9_-]+)"?\s*=')


def _key_lines(text: str) -> dict[str, int]:
    """``"[section] key"`` (``"key"`` before any section, ``"[section]"`` for a header) → the
    line it is on.  tomllib gives no positions; a plain scan of the lines finds them."""
    out: dict[str, int] = {}
    section = ""
    tables: dict[str, int] = {}  # [[name]] → how many so far
    for n, line in enumerate(text.splitlines(), start=1):
        if m := _ARRAY_LINE.match(line):  # "[[teams]]" (the first), "[[teams]]#0", "[[teams]]#1"…
            name = m.group(1)
            k = tables[name] = tables.get(name, -1) + 1
            out.setdefault(name, n)
            out[f"[[{name}]]#{k}"] = n
            section = f"{name}#{k}"
        elif m := _SECTION_LINE.match(line):
            section = m.group(1)
            out.setdefault(f"[{section}]", n)
        elif m := _KEY_LINE.match(line):
            out.setdefault(f"[{section}] {m.group(1)}" if section else m.group(1), n)
    return out


# ------------------------------------------------------------------ TOML syntax errors in Chinese

_QUOTE_TEXT = '文字要用英文双引号括起来,如 name = "绵阳市2022年政务公开工作检查考核"'
_UNPAIRED = '在文字末尾补上英文双引号 "(不要用中文引号“”),一行文字不能分成两行'
_SYNTAX: tuple[tuple[str | tuple[str, ...], str, str], ...] = (  # tomllib's message starts with … → detail, hint
    ("Invalid value", "“=”右边的值写法不对", _QUOTE_TEXT + ';日期写作 "2023-01-10";列表写作 ["县市区", "市级部门"]'),
    (("Unterminated string", "Illegal character '\\n'"), "引号没有配对", _UNPAIRED),
    (
        ("Unescaped '\\'", "Invalid hex value", "Escaped character", "Found invalid character"),
        "文字中的反斜杠 \\ 写法不对",
        'Windows 路径中的反斜杠要写两次(如 "D:\\\\考评\\\\名单.csv"),或改用正斜杠(如 "D:/考评/名单.csv")',
    ),
    ("Illegal character", "文字中有不允许的字符(如换行或制表符)", "删除该字符;一行文字不能分成两行"),
    ("Expected '=' after a key", "设置名后面缺少“=”", "写作 设置名 = 值,设置名只用英文字母、数字和下划线"),
    ("Invalid initial character", "设置名含有不允许的字符", "设置名只用英文字母、数字和下划线(不要用中文或全角符号)"),
    ("Invalid statement", "这一行不是“设置名 = 值”的形式", "改为 设置名 = 值;说明文字前加 # 作为注释"),
    ("Expected newline", "值的后面还有多余的内容", "每行只写一个 设置名 = 值;说明文字前加 # 作为注释"),
    ("Unclosed array", "列表缺少右方括号“]”", '列表写作 ["县市区", "市级部门"],各项之间用英文逗号分隔'),
    ("Unclosed inline table", "缺少右花括号“}”", "补上“}”,或改用 [分组] 的写法"),
    ("Expected ']", "分组名缺少右方括号“]”", "分组写作 [campaign]、[paths]、[notice] 或 [sheets]"),
    ("Cannot overwrite a value", "同一设置写了两次", "只保留一处,删除另一行"),
    ("Cannot declare", "同一分组写了两次", "每个 [分组] 只写一次,把其中的设置合并到一处"),
    ("Invalid date or datetime", "日期写法不对", '日期写作 "2023-01-10"'),
)
_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def _syntax_problem(file: str, text: str, message: str) -> Problem:
    m = _AT.search(message)
    what = message[: m.start()] if m else message
    line = int(m.group(1)) if m and m.group(1) else len(text.splitlines()) or 1
    column = int(m.group(2)) if m and m.group(2) else 1
    detail, todo = next(
        ((d, t) for start, d, t in _SYNTAX if what.startswith(start)),
        ("写法不符合 TOML 格式", "对照 zwgk new 生成的 zwgk.toml 改正该行"),
    )
    return problem(Code.C_SYNTAX, file=file, line=line, column=column, detail=detail, todo=todo + "。")
