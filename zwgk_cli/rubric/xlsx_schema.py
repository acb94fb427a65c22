"""The rubric workbook (评分细则.xlsx): its sheets, their columns and how a cell's text stands
for a value of the rubric's plain data, both ways.

The workbook holds exactly the plain data a rubric YAML file holds, so one reader validates
both and a rubric has one content hash whichever way it was written.  As in XLSForm: settings
on 基本信息, the tree one row per node on 评分细则 (an outline: 层级 says where a row hangs), the
inputs and their rules one row each on 计分规则, small lists on their own sheets.  A list or
small table in a cell is one item per line (选项与分值 ``3个工作日内:2``, 档次 ``大于15:1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from zwgk_cli.model import fmt_points

YES, NO = "是", "否"

# (Chinese label shown in the drop-down, value in the data)
STYLES = (("得分", "award"), ("扣分", "deduct"), ("通报扣分", "penalty"))
PART_KINDS = (("普通", "normal"), ("加分", "bonus"), ("通报扣分", "penalty"))
VETO_EFFECTS = (("分数不变", "none"), ("本部分记0分", "zero"), ("停止评分", "stop"))
LINE_OPS = (("达到(含)", ">="), ("超过", ">"))
ROUNDINGS = (("折算后四舍五入", "after"), ("折算前四舍五入", "before"))
AUTO = ("自动", "auto")  # 折算系数: 分值 / 适用项分值
NA_POINTS = (("得满分", "full"), ("得0分", "zero"))
NOTE_KINDS = (("读法", "reading"), ("原文笔误", "typo"), ("照录原文", "source"))
INPUT_KINDS = (
    ("个数", "count"),
    ("是否", "yes_no"),
    ("选项", "choice"),
    ("数值", "number"),
    ("百分比", "percent"),
    ("酌情赋分", "points"),
    ("文字", "text"),
    ("比例", "ratio"),
)
OPS = ((">=", "大于等于"), ("<=", "小于等于"), (">", "大于"), ("<", "小于"), ("==", "等于"))
# what a person may type for an operator; the longest spelling a text starts with is taken
_SPELLINGS = {
    ">=": "大于等于 不低于 不少于 >= ≥ ＞＝",
    "<=": "小于等于 不高于 不超过 <= ≤ ＜＝",
    ">": "大于 高于 超过 > ＞",
    "<": "小于 低于 少于 < ＜",
    "==": "等于 == ＝ =",
}
OP_SPELLINGS = sorted(((w, op) for op, words in _SPELLINGS.items() for w in words.split()), key=lambda p: -len(p[0]))

# The outline of 评分细则: a 部分 holds 子部分 and 一级指标; an N级指标 holds (N+1)级指标,
# 评分项 and 单位细则; a 单位细则 (criteria of named units) holds 评分项.
PART, SUB_PART, CRITERION, UNIT_SET = "部分", "子部分", "评分项", "单位细则"
IND_LEVELS = ("一级指标", "二级指标", "三级指标", "四级指标", "五级指标", "六级指标")
LEVELS = (PART, SUB_PART, *IND_LEVELS, CRITERION, UNIT_SET)

# The roles of a 计分规则 row: a term, a veto, an extra input of the item, the two inputs of a ratio
TERM, VETO, INPUT, NUMER, DENOM = "计分", "否决", "输入", "分子", "分母"
ROLES = (TERM, VETO, INPUT, NUMER, DENOM)

GROUP_ATTR = ("分组", "group")  # the roster attribute ``group`` in 适用条件

SHEET_HELP = "填写说明"
SHEET_INFO = "基本信息"
SHEET_TIERS = "等次"
SHEET_VARIANTS = "类别"
SHEET_TARGETS = "评价对象"
SHEET_ALIASES = "简称"
SHEET_NOTES = "读法说明"
SHEET_TREE = "评分细则"
SHEET_RULES = "计分规则"
SHEET_DEFS = "共用定义"

# Rows a drop-down or validation covers below the header (and the reference lists' reach).
LAST_ROW = 2000


@dataclass(frozen=True)
class Col:
    """One column: its header, the data key it holds (dotted for a nested mapping), how its
    text stands for the value (``codec``), its width and what the 填写说明 says of it."""

    header: str
    key: str
    codec: str  # text, id, num, flag, enum, list, conds, options, bands, cond, yaml, level, role, ref, factor
    width: float
    hint: str
    choices: tuple[tuple[str, str], ...] = ()


# 基本信息: one row per setting (项目 / 值 / 说明)
INFO = (
    Col("编号", "id", "text", 0, "细则的英文编号,如 jingzhou-2025(字母、数字、短横线)。"),
    Col("名称", "title", "text", 0, "细则的中文名称,印在每张评分表上。"),
    Col("年度", "year", "num", 0, "考评年度,如 2025。"),
    Col("版本", "version", "text", 0, "细则版本号,修改后递增(印在每张评分表上)。"),
    Col("来源", "source", "text", 0, "原文出处:发文机关、文号、日期、附件。"),
    Col("计分方式", "style", "enum", 0, "默认计分方式:得分(从0分加起)或扣分(从分值扣起)。", STYLES),
    Col("适用分组", "groups", "list", 0, "不分类别时,适用的单位分组(名单“分组”列的值),用顿号分隔。"),
    Col("满分", "max", "num", 0, "最高总分(含加分);填写后会核对各部分分值合计。"),
    Col("否决等次", "veto_tier", "text", 0, "被否决单位的等次名称(默认“不合格”)。"),
    Col("否决用语", "veto_label", "text", 0, "否决的说法(默认“否决”)。"),
    Col("合格线", "pass_line.min", "num", 0, "总分合格线:总分低于此分(或有否决项)的单位为不合格;不设时留空。"),
    Col("合格线比较", "pass_line.op", "enum", 0, "达到(含):总分≥合格线为合格(默认);超过:总分须高于合格线。", LINE_OPS),
    Col("不合格用语", "pass_line.label", "text", 0, "未达到总分合格线时的说法(默认“不合格”)。"),
    Col("单位排名", "rank_units", "flag", 0, "否:通报只对单独排名的评价对象(网站、账号)排名,不对单位排名(默认是)。"),
)
INFO_HEADERS = ("项目", "值", "说明")

TIERS = (
    Col("等次", "label", "text", 16, "等次名称,如“优秀”。"),
    Col("分数下限", "min", "num", 12, "总分达到(≥)此分即为该等次;有且只有一个等次不填(其余)。"),
    Col("系数", "coefficient", "num", 10, "等次系数(可不填)。"),
)
VARIANTS = (
    Col("编号", "id", "id", 14, "类别的英文编号,如 county、dept。"),
    Col("名称", "title", "text", 20, "类别名称,如“县市区”“市直部门”。"),
    Col("适用分组", "groups", "list", 24, "名单“分组”列中属于该类别的分组,用顿号分隔。"),
    Col("满分", "max", "num", 10, "该类别的满分(含加分),填写后核对。"),
    Col("计分方式", "style", "enum", 12, "该类别默认的计分方式。", STYLES),
    Col(
        "适用条件",
        "when",
        "conds",
        20,
        "按名单其他列选类别:每行一个“属性:值”,如“有对外服务:否”;全部成立的单位用本类别(先写的类别优先)。",
    ),
)
TARGETS = (
    Col("编号", "id", "id", 14, "逐个评分的对象类型的英文编号,如 website。"),
    Col("名称", "title", "text", 20, "对象类型名称,如“政府网站”。"),
    Col("单独排名", "assessed", "flag", 10, "是:每个对象单独计总分、排名、评定合格与否(如国办对政府网站的检查)。"),
    Col("合格线", "threshold.min", "num", 8, "单独排名时:对象总分低于此分为不合格;触发否决也为不合格。"),
    Col("不合格用语", "threshold.label", "text", 10, "低于合格线时的说法(默认“不合格”)。"),
    Col("合格线比较", "threshold.op", "enum", 10, "达到(含):总分≥合格线为合格(默认);超过:须高于合格线。", LINE_OPS),
)
ALIASES = (
    Col("简称", "key", "text", 24, "细则原文中使用的单位简称。"),
    Col("名单全称", "value", "text", 36, "该单位在名单中的全称。"),
)
NOTES = (
    Col("编号", "id", "text", 16, "说明的编号(英文)。"),
    Col("类型", "kind", "enum", 12, "读法:对原文的理解;原文笔误:原文的错漏;照录原文:保留原样的说明。", NOTE_KINDS),
    Col("内容", "text", "text", 90, "说明的内容。"),
)
TREE = (
    Col("类别", "variant", "ref", 10, "分类别评分时,本行所属的类别编号(见“类别”表);不分类别时留空。"),
    Col(
        "层级",
        "level",
        "level",
        10,
        "部分、子部分、一级指标…六级指标、评分项、单位细则;本行挂在上方最近的上一层级之下。",
    ),
    Col("编号", "id", "id", 16, "英文编号(字母开头,只含字母、数字、下划线),同一类别内不重复。"),
    Col("名称", "title", "text", 22, "部分或指标的名称;评分项可不填(沿用所属指标的名称)。"),
    Col("分值", "max", "num", 8, "该行的分值;通报扣分部分不填。"),
    Col("评分细则", "text", "text", 60, "原文评分细则,照录;填写后本行即为一个评分项(其计分规则在“计分规则”表)。"),
    Col("计分方式", "style", "enum", 10, "得分、扣分或通报扣分;不填则沿用上级。", STYLES),
    Col("部分类型", "kind", "enum", 10, "仅部分:普通、加分或通报扣分(从总分中扣除,不设上限)。", PART_KINDS),
    Col("佐证材料", "evidence", "flag", 10, "是:需提供佐证材料,未按时提供的该项得0分;下级沿用。"),
    Col("按对象评分", "per_target", "ref", 12, "仅部分:按对象(见“评价对象”表)逐个评分取平均。"),
    Col("合格线", "threshold.min", "num", 8, "仅部分:低于此分为不合格(只作标注,不改变等次)。"),
    Col("不合格用语", "threshold.label", "text", 10, "低于合格线时的说法(默认“不合格”)。"),
    Col("合格线比较", "threshold.op", "enum", 10, "达到(含):得分≥合格线为合格(默认);超过:须高于合格线。", LINE_OPS),
    Col("计入条件部分", "gate.part", "ref", 12, "仅部分:另一部分的编号,该部分达到下列分数时本部分才计入。"),
    Col("计入条件分数", "gate.min", "num", 10, "上列部分须达到的分数。"),
    Col("未计入用语", "gate.label", "text", 12, "未达到时的说法(默认“未进入加分环节”)。"),
    Col(
        "计入条件比较",
        "gate.op",
        "enum",
        10,
        "达到(含):≥计入条件分数(默认);超过:须高于该分数(如“高于80分”)。",
        LINE_OPS,
    ),
    Col(
        "否决后本部分",
        "veto_effect",
        "enum",
        12,
        "仅部分:其中出现否决时,本部分分数不变、记0分,或停止评分(该对象或单位其余指标不再评分、无需填写,记0分)。",
        VETO_EFFECTS,
    ),
    Col(
        "折算系数",
        "rescale.factor",
        "factor",
        10,
        "仅部分:有不适用的评分项时,按适用项评分后折算到本部分分值;“自动”= 分值 ÷ 适用项分值,或写明如 4/3。",
    ),
    Col("折算取舍", "rescale.round", "enum", 12, "折算后四舍五入(默认),或折算前先四舍五入。", ROUNDINGS),
    Col("折算小数位", "rescale.places", "num", 10, "四舍五入保留的小数位数:0、1 或 2(默认2)。"),
    Col("仅适用于", "only_if", "conds", 16, "仅对名单属性符合的单位适用,每行一个“属性:值”,如“分组:县市区”。"),
    Col("不适用于", "not_if", "conds", 16, "对名单属性符合的单位不适用,写法同上。"),
    Col("不适用时", "na_points", "enum", 10, "不适用的单位该项得满分或得0分(默认得满分)。", NA_POINTS),
    Col("适用单位", "units", "list", 30, "仅单位细则:适用的单位(名单全称或“简称”表中的简称),用顿号分隔。"),
    Col("通用条目", "default", "flag", 10, "仅单位细则:是 = 名单中未被其他单位细则列出的单位采用本条。"),
    Col("读法说明", "note", "text", 40, "对本行原文的理解(原文含糊或有误时写明采用的读法)。"),
)
RULES = (
    Col("类别", "variant", "ref", 10, "分类别评分时,评分项所属的类别编号;不分类别时留空。"),
    Col("评分项编号", "owner", "ref", 16, "本行规则所属评分项的编号(“评分细则”表中填了评分细则的行)。"),
    Col("用途", "role", "role", 8, "计分:一条计分规则;否决:否决条件;输入:只填写不计分;分子、分母:紧随比例规则之后。"),
    Col("输入编号", "input", "id", 14, "评估人员填写的格子的英文编号;再次使用同一格子时只填编号。"),
    Col("名称", "label", "text", 22, "格子的名称,如“空白栏目个数”。"),
    Col("类型", "kind", "enum", 10, "个数、是否、选项、数值、百分比、酌情赋分、文字、比例。", INPUT_KINDS),
    Col("每处分值", "per", "num", 10, "个数规则:每个(处)扣或得的分数。"),
    Col("固定分值", "points", "num", 10, "是否规则:填“是”时扣或得的分数。"),
    Col("封顶", "cap", "num", 8, "本条规则最多扣或得的分数。"),
    Col("选项与分值", "options", "options", 30, "选项规则:每行一个“选项:分值”。"),
    Col("档次", "bands", "bands", 24, "数值、百分比或比例的档次:每行一个“大于15:1”,从上到下取第一个成立的。"),
    Col("最大值", "max", "num", 8, "填写值的上限(个数、酌情赋分)。"),
    Col("步长", "step", "num", 8, "酌情赋分的步长(默认0.5)。"),
    Col("必填", "required", "flag", 8, "否:可以不填(文字默认否,其余默认是)。"),
    Col("填写提示", "hint", "text", 24, "评分表上给评估人员的提示。"),
    Col("否决条件", "cond", "cond", 12, "否决:填写值满足时否决,如“大于5”;是否类型不填(填“是”即否决)。"),
    Col("否决原因", "reason", "text", 30, "否决:通报中写明的否决原因。"),
    Col("仅适用于", "only_if", "conds", 16, "本条规则仅对名单属性符合的单位适用,每行一个“属性:值”。"),
    Col("不适用于", "not_if", "conds", 16, "本条规则对名单属性符合的单位不适用。"),
)
DEFS = (
    Col("名称", "key", "text", 20, "YAML 细则中用锚点共用的内容块的名称。"),
    Col("内容", "value", "yaml", 100, "该内容块(YAML);不参与计分,仅为与原 YAML 细则一致而保留。"),
)
TABLES = {  # the sheets of one list each: their columns and the data key they hold
    SHEET_TIERS: (TIERS, "tiers"),
    SHEET_VARIANTS: (VARIANTS, "variants"),
    SHEET_TARGETS: (TARGETS, "target_kinds"),
    SHEET_ALIASES: (ALIASES, "aliases"),
    SHEET_NOTES: (NOTES, "notes"),
    SHEET_DEFS: (DEFS, "definitions"),
}

# Which 评分细则 columns each 层级 may fill (the rest must stay empty).
_COMMON = ("id", "title", "max", "style", "evidence", "note")
_CRIT = ("text", "only_if", "not_if", "na_points")
_PART_ONLY = ("kind", "per_target", "threshold", "gate", "veto_effect", "rescale")
_PART = (*_COMMON, *(c.key for c in TREE if c.key.split(".")[0] in _PART_ONLY))
TREE_KEYS = {
    PART: _PART,
    SUB_PART: _PART,
    CRITERION: (*_COMMON, *_CRIT),
    UNIT_SET: ("units", "default"),
    **{lv: (*_COMMON, *_CRIT) for lv in IND_LEVELS},
}
_INPUT = ("input", "label", "kind", "max", "step", "options", "required", "hint")
RULE_KEYS = {
    TERM: (*_INPUT, "per", "points", "cap", "bands", "only_if", "not_if"),
    VETO: (*_INPUT, "cond", "reason", "only_if", "not_if"),
    INPUT: _INPUT,
    NUMER: _INPUT,
    DENOM: _INPUT,
}

# The data keys of the reader's error messages, as the workbook names them.
FIELD_NAMES = {
    **{c.key.split(".")[-1]: c.header for c in TREE},
    **{c.key: c.header for c in RULES},
    **{c.key: c.header for c in INFO},
    "terms": "计分规则(在“计分规则”表中为该项添加“计分”行)",
    "vetoes": "否决条件",
    "criteria": "评分项(下一层级的行)",
    "parts": "部分(“评分细则”表中层级为“部分”的行)",
    "bands": "档次",
    "inputs": "分子、分母(紧随比例规则的两行)",
    "value": "否决条件",
    "op": "否决条件",
    "part": "计入条件部分",
    "min": "分数下限",
    "label": "名称",
    "units": "适用单位",
}


def num_text(d: Decimal) -> str:
    """A number as written inside a cell's text (exact; an integer without a point)."""
    return fmt_points(d) if d == d.to_integral_value() and "E" not in str(d) else str(d)


def to_decimal(text: str) -> Decimal | None:
    try:
        d = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def cell_number(v: float | int) -> Decimal:
    """A number Excel stored (a binary double) → the Decimal it was written from."""
    if isinstance(v, int) or float(v).is_integer():
        return Decimal(int(v))
    return Decimal(repr(float(v)))


def split_lines(text: str) -> list[str]:
    return [s.strip() for s in text.replace("\r", "\n").replace(";", "\n").replace("；", "\n").split("\n") if s.strip()]


def split_list(text: str) -> list[str]:
    for sep in (",", "，", "\n", ";", "；"):
        text = text.replace(sep, "、")
    return [s.strip() for s in text.split("、") if s.strip()]


def split_pair(line: str) -> tuple[str, str] | None:
    """``left:right`` at the last colon (ASCII or full-width)."""
    at = max(line.rfind(":"), line.rfind("："))
    if at < 0:
        return None
    return line[:at].strip(), line[at + 1 :].strip()


def parse_op(text: str) -> tuple[str | None, str]:
    """The operator a text starts with (None: none) and the rest."""
    t = text.strip()
    for spelling, op in OP_SPELLINGS:
        if t.startswith(spelling):
            return op, t[len(spelling) :].strip()
    return None, t


def attr_value_text(v: Any) -> str:
    if isinstance(v, bool):
        return YES if v else NO
    if isinstance(v, Decimal):
        return num_text(v)
    return str(v)
