"""Problems are data: a stable code, a severity, where (file, sheet, cell or YAML path / row),
and a Chinese message that says what is wrong and what to do.

Codes are grouped by the module that raises them: R rubric, L roster (名单), S sheets,
W workbook read-back, V values, C campaign/settings, P report.  A code's number never
changes once released; new problems get new codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import Enum, StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


SEVERITY_LABELS = {Severity.ERROR: "错误", Severity.WARNING: "提示"}

E = Severity.ERROR
W = Severity.WARNING


class Code(Enum):
    """(code, severity, message template, what to do)."""

    # --- rubric (R) -------------------------------------------------------------------
    R_YAML = ("R001", E, "评分细则文件无法解析:{detail}", "按YAML格式修正该行(注意缩进与冒号)。")
    R_FILE = ("R002", E, "找不到评分细则:{detail}", "用 zwgk rubric list 查看内置细则,或给出YAML文件路径。")
    R_MISSING = ("R003", E, "缺少必填字段“{field}”", "在该位置补上“{field}”。")
    R_TYPE = ("R004", E, "字段“{field}”的值“{value}”不合要求:{expected}", "改为{expected}。")
    R_UNKNOWN = ("R005", E, "未知字段“{field}”", "删除该字段,或检查拼写(可用字段:{allowed})。")
    R_DUP_ID = ("R006", E, "编号“{id}”重复(另见 {other})", "每个节点的 id 在同一细则内必须唯一。")
    R_SUM = ("R007", E, "“{title}”的分值{declared}与下级分值合计{actual}不一致", "核对原文分值,修正本级或下级的 max。")
    R_UNREACHABLE = (
        "R008",
        E,
        "“{title}”的评分规则最多只能得到{reach}分,达不到分值{max}分",
        "检查规则中的分数与分值是否一致。",
    )
    R_REF = ("R009", E, "引用的“{ref}”不存在", "{hint}")
    R_TEXT_MAX = (
        "R010",
        W,
        "“{title}”原文写“{said}”,与分值{max}分不符(按分值{max}分计)",
        "原文笔误时在 notes 中说明采用的读法;确认后可忽略本提示。",
    )
    R_ALIAS_NONE = ("R011", E, "单位简称“{alias}”在名单中找不到对应单位", "在 aliases 中把简称映射到名单中的全称。")
    R_ALIAS_MANY = ("R012", E, "单位简称“{alias}”对应名单中多个单位:{units}", "在 aliases 中写明全称。")
    R_UNIT_DEFAULT = (
        "R013",
        W,
        "单位“{unit}”在“{title}”中没有专属细则,采用通用条目",
        "如原文另有规定,请在细则中补上。",
    )
    R_UNIT_TWICE = (
        "R014",
        W,
        "单位“{unit}”在“{title}”中出现于多个条目,采用专属条目“{chosen}”",
        "原文重复列出时以专属条目为准;确认后可忽略本提示。",
    )
    R_UNIT_NONE = ("R015", E, "单位“{unit}”在“{title}”中既无专属细则也无通用条目", "补充该单位的细则或通用条目。")
    R_NO_VARIANT = (
        "R016",
        E,
        "单位“{unit}”的分组“{group}”不适用于任何细则版本(可用:{groups})",
        "在名单中改正分组,或在细则 variants 中加入该分组。",
    )
    R_TIERS = ("R017", E, "等次设置有误:{detail}", "等次下限应各不相同,且只有一个等次没有下限。")

    # --- roster (L) -------------------------------------------------------------------
    L_FILE = ("L001", E, "无法读取名单文件:{detail}", "名单应为 UTF-8 编码的 CSV 或 XLSX 文件。")
    L_COLUMN = ("L002", E, "名单缺少列“{column}”", "在表头加上“{column}”列(可用列见 README“名单格式”)。")
    L_DUP = ("L003", E, "单位编号或名称“{value}”重复(另见第{other}行)", "每个单位只能出现一次。")
    L_GROUP = ("L004", E, "单位“{unit}”的分组“{group}”不在细则的分组中({groups})", "改为细则中的分组之一。")
    L_TARGET_UNIT = ("L005", E, "网站“{target}”所属单位“{unit}”不在名单中", "改正所属单位名称,使其与单位名单一致。")
    L_EMPTY = ("L006", E, "第{row}行“{column}”为空", "补全该单元格。")
    L_ATTR = ("L007", E, "属性“{column}”的值“{value}”无法识别,应为“是”或“否”", "改为“是”或“否”。")
    L_NO_TARGET = ("L008", E, "单位“{unit}”没有{kind},但细则要求按{kind}逐个评分", "在网站名单中为该单位补上{kind}。")
    L_DUP_TARGET = ("L009", E, "网站“{target}”重复(另见第{other}行)", "每个网站只能出现一次。")

    @property
    def code(self) -> str:
        return self.value[0]

    @property
    def severity(self) -> Severity:
        return self.value[1]

    @property
    def template(self) -> str:
        return self.value[2]

    @property
    def hint_template(self) -> str:
        return self.value[3]


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Problem:
    code: str
    severity: Severity
    message: str
    hint: str = ""
    file: str = ""
    sheet: str = ""
    cell: str = ""
    path: str = ""  # YAML path or "第N行" in a table
    line: int | None = None
    unit: str = ""
    indicator: str = ""

    @property
    def where(self) -> str:
        bits = [b for b in (self.file, self.sheet, self.cell) if b]
        if self.path:
            bits.append(self.path)
        if self.line is not None:
            bits.append(f"第{self.line}行")
        return " ".join(bits)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["severity"] = str(self.severity)
        return d


def problem(code: Code, /, **where_and_params: Any) -> Problem:
    """Build a problem from a code; location keywords go to their fields, the rest fill the
    message template."""
    loc_keys = ("file", "sheet", "cell", "path", "line", "unit", "indicator")
    loc = {k: where_and_params.pop(k) for k in loc_keys if k in where_and_params}
    params = _SafeDict(where_and_params)
    return Problem(
        code=code.code,
        severity=code.severity,
        message=code.template.format_map(params),
        hint=code.hint_template.format_map(params),
        **loc,
    )


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


def sort_key(p: Problem) -> tuple[str, int, str, str, str]:
    """Grouped by file, most serious first, then in sheet/cell order."""
    return (p.file, 0 if p.severity is Severity.ERROR else 1, p.sheet, p.cell, p.code)
