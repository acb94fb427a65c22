"""A rubric's plain data → the rubric workbook (评分细则.xlsx), and the blank workbook with its
填写说明; the sheets and columns are :mod:`.xlsx_schema`'s.

The bytes are a function of the data alone (fixed document properties; xlsxwriter stamps every
zip member with the same date), so a rubric read from a workbook and written again gives the
same file.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import yaml

from zwgk_cli.problems import Code
from zwgk_cli.rubric import xlsx_schema as S
from zwgk_cli.rubric.source import RubricError, load_yaml

Cell = str | Decimal | None
Row = list[Cell]

FIXED_DATE = dt.datetime(2000, 1, 1)


def _get(d: Mapping[str, Any], key: str) -> Any:
    for k in key.split("."):
        if not isinstance(d, Mapping):
            return None
        d = d.get(k)  # type: ignore[assignment]
    return d


def encode(col: S.Col, value: Any) -> Cell:
    """A value of the data → the cell that stands for it (Decimal: a number cell)."""
    if value is None:
        return None
    c = col.codec
    if c in ("num", "factor") and isinstance(value, Decimal):
        return value
    if c == "factor" and value == S.AUTO[1]:
        return S.AUTO[0]
    if c == "flag" and isinstance(value, bool):
        return S.YES if value else S.NO
    if c == "enum":
        return next((label for label, v in col.choices if v == value), str(value))
    if c == "list" and isinstance(value, list):
        return "、".join(S.attr_value_text(v) for v in value)
    if c == "conds" and isinstance(value, Mapping):
        lines = []
        for attr, v in value.items():
            name = S.GROUP_ATTR[0] if attr == S.GROUP_ATTR[1] else str(attr)
            vals = v if isinstance(v, list) else [v]
            lines.append(f"{name}:" + "、".join(S.attr_value_text(x) for x in vals))
        return "\n".join(lines)
    if c == "options" and isinstance(value, Mapping):
        return "\n".join(f"{k}:{S.attr_value_text(v)}" for k, v in value.items())
    if c == "options" and isinstance(value, list):
        return "\n".join(S.attr_value_text(v) for v in value)
    if c == "bands" and isinstance(value, list):
        return "\n".join(_band_text(b) for b in value)
    if c == "yaml":
        return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return S.attr_value_text(value)


def _band_text(b: Any) -> str:
    return f"{_cond_text(b)}:{S.attr_value_text(b.get('points', ''))}" if isinstance(b, Mapping) else str(b)


def _cond_text(d: Mapping[str, Any]) -> str:
    """A condition as a cell writes it: ``大于5``."""
    op = next((w for o, w in S.OPS if o == d["op"]), str(d["op"])) if "op" in d else ""
    return op + S.attr_value_text(d.get("value", ""))


class _Dumper(yaml.SafeDumper):
    """YAML for 共用定义: a Decimal as the plain number it was read from."""


def _represent_decimal(dumper: yaml.SafeDumper, d: Decimal) -> yaml.Node:
    tag = "tag:yaml.org,2002:int" if d == d.to_integral_value() and "." not in str(d) else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, str(d))


_Dumper.add_representer(Decimal, _represent_decimal)


def _row(cols: Sequence[S.Col], values: Mapping[str, Any]) -> Row:
    return [encode(c, _get(values, c.key)) for c in cols]


def _unexportable(what: str) -> RubricError:
    expected = "不超过两层的部分(部分、子部分)与不超过六级的指标"
    return RubricError.of(Code.R_TYPE, field="parts", value=what, expected=expected)


def _items(d: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    v = d.get(key)
    return [x for x in v if isinstance(x, Mapping)] if isinstance(v, list) else []


def tree_rows(data: Mapping[str, Any]) -> tuple[list[Row], list[Row]]:
    """The 评分细则 and 计分规则 rows of a rubric's tree, in outline order."""
    tree: list[Row] = []
    rules: list[Row] = []

    def node(variant: str, level: str, d: Mapping[str, Any], scored: bool = False) -> None:
        tree.append(_row(S.TREE, {**d, "variant": variant or None, "level": level}))
        place = {"variant": variant or None, "owner": d.get("id")}
        for role, key in ((S.INPUT, "inputs"), (S.TERM, "terms"), (S.VETO, "vetoes")) if scored else ():
            for x in _items(d, key):
                values = {**x, **place, "role": role, "cond": _cond_text(x) if "op" in x or "value" in x else None}
                if role == S.INPUT:
                    values["input"] = x.get("id")
                if role == S.VETO and x.get("ratio") is True:
                    values["kind"] = "ratio"
                rules.append(_row(S.RULES, values))
                for j, spec in enumerate(_items(x, "inputs") if key != "inputs" else ()):
                    sub = {**spec, **place, "role": S.NUMER if j == 0 else S.DENOM, "input": spec.get("id")}
                    rules.append(_row(S.RULES, sub))

    def part(variant: str, d: Mapping[str, Any], depth: int) -> None:
        if depth > 1:
            raise _unexportable(f"{d.get('title', '')}(第{depth + 1}层部分)")
        node(variant, S.PART if depth == 0 else S.SUB_PART, d)
        for ind in _items(d, "indicators"):
            indicator(variant, ind, 1)
        for sub in _items(d, "parts"):
            part(variant, sub, depth + 1)

    def indicator(variant: str, d: Mapping[str, Any], level: int) -> None:
        if level > len(S.IND_LEVELS):
            raise _unexportable(f"{d.get('title', '')}(第{level}级指标)")
        flat = "text" in d and "criteria" not in d and "indicators" not in d
        node(variant, S.IND_LEVELS[level - 1], d, scored=flat)  # a flat indicator is its criterion
        if flat:
            return
        for c in _items(d, "criteria"):
            node(variant, S.CRITERION, c, scored=True)
        for s in _items(d, "by_unit"):
            node(variant, S.UNIT_SET, s)
            for c in _items(s, "criteria"):
                node(variant, S.CRITERION, c, scored=True)
        for sub in _items(d, "indicators"):
            indicator(variant, sub, level + 1)

    for v in _items(data, "variants") if data.get("variants") else [{"parts": data.get("parts")}]:
        for p in _items(v, "parts"):
            part(str(v.get("id", "")), p, 0)
    return tree, rules


def list_rows(cols: Sequence[S.Col], items: Any) -> list[Row]:
    if isinstance(items, Mapping):
        items = [{"key": k, "value": v} for k, v in items.items()]
    return [_row(cols, d) for d in items if isinstance(d, Mapping)] if isinstance(items, list) else []


class _Formats:
    def __init__(self, wb: Any) -> None:
        base = {"font_name": "宋体", "font_size": 10, "valign": "top", "text_wrap": True, "border": 1}
        self.head = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "align": "center", "valign": "vcenter"})
        self.cell = wb.add_format(base)
        self.num = wb.add_format({**base, "num_format": "General"})
        self.title = wb.add_format({"font_name": "宋体", "font_size": 14, "bold": True})
        self.section = wb.add_format({"font_name": "宋体", "font_size": 11, "bold": True, "font_color": "#1F4E79"})
        self.prose = wb.add_format({"font_name": "宋体", "font_size": 10})


def _print_setup(ws: Any, ncols: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.freeze_panes(1, 0)
    ws.set_footer("&C第 &P 页,共 &N 页")
    ws.print_area(0, 0, S.LAST_ROW, ncols - 1)


def _write_rows(ws: Any, fmt: _Formats, rows: Sequence[Row], first: int) -> None:
    for r, row in enumerate(rows, start=first):
        for c, v in enumerate(row):
            if isinstance(v, Decimal):
                ws.write_number(r, c, float(v), fmt.num)
            elif v is not None:
                ws.write_string(r, c, v, fmt.cell)


_REFS = {  # a reference column's drop-down: the 编号 column of the sheet it refers to
    "variant": f"={S.SHEET_VARIANTS}!$A$2:$A${S.LAST_ROW + 1}",
    "owner": f"={S.SHEET_TREE}!$C$2:$C${S.LAST_ROW + 1}",
    "per_target": f"={S.SHEET_TARGETS}!$A$2:$A${S.LAST_ROW + 1}",
    "gate.part": f"={S.SHEET_TREE}!$C$2:$C${S.LAST_ROW + 1}",
}


def _validate(ws: Any, col: int, col_def: S.Col) -> None:
    opts: dict[str, Any] = {"input_title": col_def.header[:32], "input_message": col_def.hint[:255]}
    c = col_def.codec
    lists = {"enum": [label for label, _ in col_def.choices], "flag": [S.YES, S.NO], "level": S.LEVELS, "role": S.ROLES}
    if c in lists:
        opts.update(validate="list", source=list(lists[c]), error_message="请从下拉列表中选择。")
    elif c == "num":
        opts.update(validate="decimal", criteria=">=", value=0, error_message="请填写不小于0的数字。")
    elif c == "ref" and col_def.key in _REFS:
        source = _REFS[col_def.key]
        opts.update(validate="list", source=source, error_type="warning", error_message="不在列表中:请核对编号。")
    else:
        opts["validate"] = "any"
    ws.data_validation(1, col, S.LAST_ROW, col, opts)


def _table_sheet(wb: Any, fmt: _Formats, name: str, cols: Sequence[S.Col], rows: Sequence[Row]) -> None:
    ws = wb.add_worksheet(name)
    for c, col in enumerate(cols):
        ws.set_column(c, c, col.width)
        ws.write_string(0, c, col.header, fmt.head)
        _validate(ws, c, col)
    _write_rows(ws, fmt, rows, 1)
    _print_setup(ws, len(cols))


def _info_sheet(wb: Any, fmt: _Formats, data: Mapping[str, Any]) -> None:
    ws = wb.add_worksheet(S.SHEET_INFO)
    for c, (h, w) in enumerate(zip(S.INFO_HEADERS, (14, 60, 60), strict=True)):
        ws.set_column(c, c, w)
        ws.write_string(0, c, h, fmt.head)
    for r, col in enumerate(S.INFO, start=1):
        _write_rows(ws, fmt, [[col.header, encode(col, _get(data, col.key)), col.hint]], r)
        if col.codec == "enum":
            ws.data_validation(r, 1, r, 1, {"validate": "list", "source": [label for label, _ in col.choices]})
        elif col.codec == "num":
            ws.data_validation(r, 1, r, 1, {"validate": "decimal", "criteria": ">=", "value": 0})
    ws.data_validation(1, 0, S.LAST_ROW, 0, {"validate": "list", "source": [c.header for c in S.INFO]})
    _print_setup(ws, 3)


EXAMPLE_YAML = """\
id: example-2025
title: 示例市2025年政务公开工作考评
year: 2025
style: deduct
groups: [县市区, 市直部门]
target_kinds: [{id: website, title: 政府网站}]
tiers: [{label: 优秀, min: 90}, {label: 良好, min: 80}, {label: 合格, min: 60}, {label: 不合格}]
parts:
  - id: p1
    title: 一、政务公开
    max: 20
    indicators:
      - id: gk
        title: 主动公开
        max: 20
        indicators:
          - id: gk_lm
            title: 栏目设置
            max: 4
            text: 未开设栏目扣1分;空白栏目每个扣0.5分,超过(含)5个的一票否决。
            terms:
              - {input: none, label: 未开设栏目, kind: yes_no, points: 1}
              - {input: blank, label: 空白栏目个数, kind: count, per: 0.5, cap: 3}
            vetoes:
              - {input: blank, op: ">=", value: 5, reason: 空白栏目超过(含)5个}
          - id: gk_ysq
            title: 依申请公开
            max: 3
            text: 行政复议纠错率高于15%扣1分。
            terms:
              - kind: ratio
                label: 行政复议纠错率
                inputs: [{id: fix, label: 被纠错件数}, {id: apps, label: 复议件数}]
                bands: [{op: ">", value: 15, points: 1}]
          - id: gk_qd
            title: 清单清理
            max: 2
            text: 未开展扣2分,完成率低于50%扣1分。
            not_if: {group: 市直部门}
            terms:
              - input: rate
                label: 清理完成比例
                kind: percent
                bands: [{op: "==", value: 0, points: 2}, {op: "<", value: 50, points: 1}]
          - id: gk_dy
            title: 答复时限
            max: 2
            text: 3个工作日内答复不扣分,5个工作日内扣1分,超过扣2分。
            terms:
              - {input: speed, label: 答复时限, kind: choice, options: {3日内: 0, 5日内: 1, 超过5日: 2}}
          - id: gk_fs
            title: 粉丝量
            max: 9
            text: 粉丝量低于1万扣3分。
            terms:
              - {input: fans, label: 粉丝量, kind: number, bands: [{op: "<", value: 10000, points: 3}]}
              - {input: err, label: 错误条数, kind: count, per: 1}
  - id: p2
    title: 二、加分
    max: 5
    kind: bonus
    style: award
    evidence: true
    indicators:
      - id: jf
        title: 经验推广
        max: 5
        text: 经验被刊登每次加1分;创新做法酌情加分。
        terms:
          - {input: kd, label: 刊登次数, kind: count, per: 1, max: 3}
          - {input: cx, label: 创新做法, kind: points, step: 0.5, max: 2}
"""

_HELP_TITLE = "评分细则工作簿 填写说明"
_HELP = {  # heading → its paragraphs ("": those under the title)
    "": (
        "本工作簿就是一份评分细则:填好后用“zwgk rubric check 文件名.xlsx”检查,"
        '再在 zwgk.toml 中写 rubric = "文件名.xlsx"。',
        "每张表第一行是表头,不要改动;灰色说明见各列的输入提示(选中单元格即显示)。有下拉列表的列请从列表中选择。",
        "一处填错时,检查结果会指出表名和单元格(如“评分细则 F12”)并说明怎样改。详细步骤见使用手册《编写评分细则》。",
    ),
    "各表的用途": (
        "基本信息:细则编号、名称、年度、版本、默认计分方式(得分或扣分)等,每行一项。",
        "等次:等次名称与分数下限(如 优秀 ≥90);不设等次时留空。",
        "类别:县市区、市直部门等分别评分时,每个类别一行;不分类别时留空,并在基本信息中填写适用分组。",
        "评价对象:逐个评分的对象类型(如 政府网站),供“按对象评分”的部分使用;"
        "“单独排名”填“是”时每个对象单独计总分、排名、评定合格与否。",
        "简称:细则原文中的单位简称与名单全称的对照。",
        "读法说明:对原文的理解与原文笔误的说明,印在检查结果中。",
        "评分细则:指标体系,每行一个部分、指标或评分项,按原文顺序从上到下填写;"
        "“层级”决定本行挂在哪里:一级指标挂在其上方最近的部分下,二级指标挂在上方最近的一级指标下,依此类推;"
        "评分项、单位细则挂在上方最近的指标下。填了“评分细则”原文的指标本身就是一个评分项。",
        "计分规则:评估人员要填写的每个格子一行,连同它的计分规则;“评分项编号”指向评分细则表中的评分项。",
        "共用定义:仅从 YAML 细则导出时出现,保留 YAML 中共用的内容块,不参与计分。",
    ),
    "计分规则的写法(每种一例,见下方示例)": (
        "是否扣分/得分:类型“是否”,填“固定分值”:评估人员填“是”时扣(得)该分。",
        "按个数:类型“个数”,填“每处分值”:个数 × 每处分值;“封顶”限制本条最多扣(得)多少;“最大值”限制可填的个数。",
        "选项:类型“选项”,在“选项与分值”中每行写一个“选项:分值”。",
        "档次:类型“数值”“百分比”或“个数”,在“档次”中每行写一个“大于15:1”(大于、大于等于、小于、小于等于、等于),从上到下取第一个成立的档次。",
        "比例:类型“比例”,紧接着两行用途为“分子”“分母”的输入;档次按百分数写(高于15%写“大于15:1”);分母为0时不计分。",
        "酌情赋分:类型“酌情赋分”,评估人员直接填分数,步长默认0.5,最大值默认为该项分值。",
        "否决:用途“否决”,引用已有输入编号或定义新输入,“否决条件”写“大于5”之类;是否类型的输入填“是”即否决。",
        "适用条件:“仅适用于”“不适用于”每行写一个“属性:值”(属性为名单中的列名,分组写“分组”),多个值用顿号分隔。",
        "佐证材料:部分或指标的“佐证材料”选“是”,每项增加“佐证材料按时提供 是/否”,填“否”的该项得0分。",
    ),
}


def _help_sheet(wb: Any, fmt: _Formats) -> None:
    ws = wb.add_worksheet(S.SHEET_HELP)
    ws.set_column(0, 0, 12)
    ws.set_column(1, len(S.RULES), 14)
    ws.write_string(0, 0, _HELP_TITLE, fmt.title)
    r = 2
    for heading, paragraphs in _HELP.items():
        for text, style in ((heading, fmt.section), *((t, fmt.prose) for t in paragraphs)):
            if text:
                ws.write_string(r, 0, text, style)
                r += 1
    example, _ = load_yaml(EXAMPLE_YAML, "example")
    tree, rules = tree_rows(example)
    for name, cols, rows in (("示例:评分细则表", S.TREE, tree), ("示例:计分规则表", S.RULES, rules)):
        r += 1
        ws.write_string(r, 0, name, fmt.section)
        r += 1
        for c, col in enumerate(cols):
            ws.write_string(r, c, col.header, fmt.head)
        _write_rows(ws, fmt, rows, r + 1)
        r += len(rows) + 1
    r += 1
    ws.write_string(r, 0, "各列说明", fmt.section)
    for sheet, cols in ((S.SHEET_TREE, S.TREE), (S.SHEET_RULES, S.RULES)):
        for col in cols:
            r += 1
            ws.write_string(r, 0, f"{sheet}·{col.header}", fmt.prose)
            ws.write_string(r, 2, col.hint, fmt.prose)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def workbook_bytes(data: Mapping[str, Any]) -> bytes:
    """The rubric workbook of a rubric's plain data (an empty mapping: the blank workbook)."""
    import xlsxwriter

    tree, rules = tree_rows(data)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    wb.set_properties(
        {"title": str(data.get("title", "评分细则")), "comments": "zwgk 评分细则工作簿", "created": FIXED_DATE}
    )
    fmt = _Formats(wb)
    _help_sheet(wb, fmt)
    _info_sheet(wb, fmt, data)
    lists = {name: (cols, list_rows(cols, data.get(key))) for name, (cols, key) in S.TABLES.items()}
    defs = lists.pop(S.SHEET_DEFS)
    for name, (cols, rows) in {**lists, S.SHEET_TREE: (S.TREE, tree), S.SHEET_RULES: (S.RULES, rules)}.items():
        _table_sheet(wb, fmt, name, cols, rows)
    if data.get("definitions"):
        _table_sheet(wb, fmt, S.SHEET_DEFS, *defs)
    wb.worksheets()[1].activate()
    wb.close()
    return buf.getvalue()
