"""What an input cell accepts: its data validation (with the prompt an assessor reads) and its
bounds, and whether a choice list is long enough to live on the hidden list sheet."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from zwgk_cli.model import NO, POINTS_STEP, YES, Input, InputKind, fmt_points


def input_validation(inp: Input, list_name: str) -> dict[str, Any]:
    """xlsxwriter's ``data_validation`` options for an input cell, with the prompt an assessor
    reads (``list_name``: the defined name of a long choice list, "" for an inline one)."""
    label = inp.label
    if inp.kind is InputKind.COUNT:
        if inp.max is not None:
            v: dict[str, Any] = {"validate": "integer", "criteria": "between", "minimum": 0, "maximum": int(inp.max)}
            what = f"填写整数(0—{fmt_points(inp.max)})"
        else:
            v = {"validate": "integer", "criteria": ">=", "value": 0}
            what = "填写不小于0的整数"
        msg = f"{what}。没有发现请填0,不要留空(留空表示尚未评分)。"
    elif inp.kind is InputKind.YES_NO:
        v = {"validate": "list", "source": [YES, NO]}
        msg = "从下拉列表选择“是”或“否”。"
    elif inp.kind is InputKind.CHOICE:
        v = {"validate": "list", "source": f"={list_name}" if list_name else list(inp.options)}
        msg = "从下拉列表选择:" + "、".join(inp.options)
    elif inp.kind is InputKind.PERCENT:
        v = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100}
        msg = "填写百分数的数值(0—100),如 85 表示 85%。"
    elif inp.kind is InputKind.POINTS:
        top = inp.max if inp.max is not None else Decimal(100)
        v = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": float(top)}
        step = inp.step or POINTS_STEP
        msg = (
            f"填写赋分:0—{fmt_points(top)}分,以{fmt_points(step)}分为一档"
            f"(如 0、{fmt_points(step)}、{fmt_points(step * 2)}…)。"
        )
    elif inp.kind is InputKind.NUMBER:
        v = {"validate": "decimal", "criteria": ">=", "value": 0}
        msg = "填写不小于0的数值。"
    else:
        v = {"validate": "length", "criteria": "<=", "value": 2000}
        msg = "填写文字(不超过2000字)。"
    msg += inp.hint.strip()
    prompt = {"input_title": _clip(label, 32), "input_message": _clip(msg, 255), "error_title": "填写内容不符合要求"}
    return v | prompt | {"error_message": _clip(f"“{label}”:{msg}", 255), "error_type": "stop", "ignore_blank": True}


def input_bounds(inp: Input) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """(min, max, step) an input's cell accepts (``None``: no such bound)."""
    if inp.kind is InputKind.COUNT:
        return Decimal(0), inp.max, Decimal(1)
    if inp.kind is InputKind.POINTS:
        return Decimal(0), inp.max if inp.max is not None else Decimal(100), inp.step or POINTS_STEP
    if inp.kind is InputKind.PERCENT:
        return Decimal(0), Decimal(100), None
    if inp.kind is InputKind.NUMBER:
        return Decimal(0), None, None
    return None, None, None


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


INLINE_LIST_MAX = 60  # characters; longer choice lists go to the hidden list sheet


def needs_list_sheet(options: Sequence[str]) -> bool:
    return sum(len(o) + 1 for o in options) > INLINE_LIST_MAX or any("," in o or '"' in o for o in options)
