"""The named cell styles of a scoring workbook (xlsxwriter format properties).

:mod:`~zwgk_cli.workbook.blueprint` refers to styles by name; :mod:`~zwgk_cli.workbook.render` turns
each name into one xlsxwriter format.
"""

from __future__ import annotations

from typing import Any

FONT = "宋体"
HEAD_FONT = "黑体"
BORDER = {"border": 1, "border_color": "#808080"}
INPUT_FILL = "#FFF2CC"
NOTE_FILL = "#FFFBEA"
NA_FILL = "#E7E6E6"
SUB_FILL = "#F2F2F2"
TOTAL_FILL = "#DDEBF7"
HEAD_FILL = "#D9E1F2"
SCORE_FMT = "0.00"
VETO_FMT = '"否决";"否决";""'
GATE_FMT = '"达到";"达到";"未达到"'

STYLES: dict[str, dict[str, Any]] = {
    "title": {"font_name": HEAD_FONT, "font_size": 14, "bold": True, "align": "center", "valign": "vcenter"},
    "info": {"font_size": 10, "align": "left", "valign": "vcenter", "text_wrap": True},
    "head": {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "bg_color": HEAD_FILL, **BORDER},
    "level": {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, **BORDER},
    "text": {"align": "left", "valign": "vcenter", "text_wrap": True, **BORDER},
    "max": {"align": "center", "valign": "vcenter", **BORDER},
    "label": {"align": "left", "valign": "vcenter", "text_wrap": True, **BORDER},
    "input": {"align": "center", "valign": "vcenter", "locked": False, "bg_color": INPUT_FILL, **BORDER},
    "input_text": {
        "align": "left",
        "valign": "vcenter",
        "text_wrap": True,
        "locked": False,
        "bg_color": INPUT_FILL,
        **BORDER,
    },
    "input_date": {"align": "left", "locked": False, "bg_color": INPUT_FILL, "num_format": "yyyy-mm-dd", **BORDER},
    "score": {"align": "center", "valign": "vcenter", "num_format": SCORE_FMT, **BORDER},
    "veto": {
        "align": "center",
        "valign": "vcenter",
        "font_color": "#C00000",
        "bold": True,
        "num_format": VETO_FMT,
        **BORDER,
    },
    "note": {"align": "left", "valign": "vcenter", "text_wrap": True, "locked": False, "bg_color": NOTE_FILL, **BORDER},
    "id": {"font_size": 8, "font_color": "#808080", "align": "left", "valign": "vcenter", **BORDER},
    "na": {"align": "center", "valign": "vcenter", "font_color": "#808080", "bg_color": NA_FILL, **BORDER},
    "na_text": {
        "align": "left",
        "valign": "vcenter",
        "text_wrap": True,
        "font_color": "#808080",
        "bg_color": NA_FILL,
        **BORDER,
    },
    "na_score": {
        "align": "center",
        "valign": "vcenter",
        "font_color": "#808080",
        "bg_color": NA_FILL,
        "num_format": SCORE_FMT,
        **BORDER,
    },
    "sub_label": {
        "bold": True,
        "align": "right",
        "valign": "vcenter",
        "text_wrap": True,
        "bg_color": SUB_FILL,
        **BORDER,
    },
    "sub_max": {"bold": True, "align": "center", "valign": "vcenter", "bg_color": SUB_FILL, **BORDER},
    "sub_score": {
        "bold": True,
        "align": "center",
        "valign": "vcenter",
        "bg_color": SUB_FILL,
        "num_format": SCORE_FMT,
        **BORDER,
    },
    "sub_blank": {"bg_color": SUB_FILL, **BORDER},
    "tot_label": {
        "bold": True,
        "align": "right",
        "valign": "vcenter",
        "text_wrap": True,
        "bg_color": TOTAL_FILL,
        **BORDER,
    },
    "tot_max": {"bold": True, "align": "center", "valign": "vcenter", "bg_color": TOTAL_FILL, **BORDER},
    "tot_score": {
        "bold": True,
        "align": "center",
        "valign": "vcenter",
        "bg_color": TOTAL_FILL,
        "num_format": SCORE_FMT,
        **BORDER,
    },
    "tot_count": {
        "bold": True,
        "align": "center",
        "valign": "vcenter",
        "bg_color": TOTAL_FILL,
        "num_format": '0"项"',
        **BORDER,
    },
    "tot_int": {
        "bold": True,
        "align": "center",
        "valign": "vcenter",
        "bg_color": TOTAL_FILL,
        "num_format": "0",
        **BORDER,
    },
    "tot_text": {"bold": True, "align": "center", "valign": "vcenter", "bg_color": TOTAL_FILL, **BORDER},
    "tot_blank": {"bg_color": TOTAL_FILL, **BORDER},
    "sum_item": {"align": "left", "valign": "vcenter", "text_wrap": True, "indent": 0, **BORDER},
    "sum_item1": {"align": "left", "valign": "vcenter", "text_wrap": True, "indent": 1, **BORDER},
    "sum_item2": {"align": "left", "valign": "vcenter", "text_wrap": True, "indent": 2, **BORDER},
    "sum_count": {"align": "center", "valign": "vcenter", "num_format": '0"项";0"项";""', **BORDER},
    "sum_text": {"align": "center", "valign": "vcenter", "text_wrap": True, **BORDER},
    "sum_pct": {"align": "center", "valign": "vcenter", "num_format": "0%", **BORDER},
    "sum_int": {"align": "center", "valign": "vcenter", "num_format": "0", **BORDER},
    "cover_key": {"bold": True, "align": "right", "valign": "vcenter", "bg_color": SUB_FILL, **BORDER},
    "cover_val": {"align": "left", "valign": "vcenter", "text_wrap": True, **BORDER},
    "cover_text": {"align": "left", "valign": "top", "text_wrap": True},
    "cover_head": {"font_name": HEAD_FONT, "bold": True, "font_size": 12, "align": "left", "valign": "vcenter"},
    "gate": {"align": "center", "valign": "vcenter", "num_format": GATE_FMT, "bold": True, **BORDER},
    "meta": {},
    "calc": {"font_color": "#808080"},  # the summary's hidden helper column
}


# the formats of conditional formatting (a rule names one of these)
CONDITIONAL: dict[str, dict[str, Any]] = {
    "veto_hit": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "fail": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
}
