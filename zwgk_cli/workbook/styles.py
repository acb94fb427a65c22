"""The named cell styles of a scoring workbook (xlsxwriter format properties); render makes one format each."""

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
GREY = "#808080"


def _cell(align: str = "", wrap: bool = False, **props: Any) -> dict[str, Any]:
    """A bordered cell, vertically centred when ``align`` (left, center, right) is given."""
    out: dict[str, Any] = {"align": align, "valign": "vcenter"} if align else {}
    return {**out, **({"text_wrap": True} if wrap else {}), **props, **BORDER}


STYLES: dict[str, dict[str, Any]] = {
    "title": {"font_name": HEAD_FONT, "font_size": 14, "bold": True, "align": "center", "valign": "vcenter"},
    "info": {"font_size": 10, "align": "left", "valign": "vcenter", "text_wrap": True},
    "head": _cell("center", True, bold=True, bg_color=HEAD_FILL),
    "level": _cell("center", True, bold=True),
    "text": _cell("left", True),
    "max": _cell("center"),
    "label": _cell("left", True),
    "input": _cell("center", locked=False, bg_color=INPUT_FILL),
    "input_text": _cell("left", True, locked=False, bg_color=INPUT_FILL),
    "input_date": {"align": "left", "locked": False, "bg_color": INPUT_FILL, "num_format": "yyyy-mm-dd", **BORDER},
    "score": _cell("center", num_format=SCORE_FMT),
    "veto": _cell("center", font_color="#C00000", bold=True, num_format=VETO_FMT),
    "note": _cell("left", True, locked=False, bg_color=NOTE_FILL),
    "id": _cell("left", font_size=8, font_color=GREY),
    "na": _cell("center", font_color=GREY, bg_color=NA_FILL),
    "na_text": _cell("left", True, font_color=GREY, bg_color=NA_FILL),
    "na_score": _cell("center", font_color=GREY, bg_color=NA_FILL, num_format=SCORE_FMT),
    "sum_item": _cell("left", True, indent=0),
    "sum_item1": _cell("left", True, indent=1),
    "sum_item2": _cell("left", True, indent=2),
    "sum_count": _cell("center", num_format='0"项";0"项";""'),
    "sum_text": _cell("center", True),
    "sum_pct": _cell("center", num_format="0%"),
    "sum_int": _cell("center", num_format="0"),
    "cover_key": _cell("right", bold=True, bg_color=SUB_FILL),
    "cover_val": _cell("left", True),
    "cover_text": {"align": "left", "valign": "top", "text_wrap": True},
    "cover_head": {"font_name": HEAD_FONT, "bold": True, "font_size": 12, "align": "left", "valign": "vcenter"},
    "gate": _cell("center", num_format=GATE_FMT, bold=True),
    "meta": {},
    "calc": {"font_color": GREY},  # the summary's hidden helper column
}
# subtotal (sub_…) and total (tot_…) rows: the same styles on their own fill
for _prefix, _fill in (("sub", SUB_FILL), ("tot", TOTAL_FILL)):
    STYLES[f"{_prefix}_label"] = _cell("right", True, bold=True, bg_color=_fill)
    STYLES[f"{_prefix}_max"] = _cell("center", bold=True, bg_color=_fill)
    STYLES[f"{_prefix}_score"] = _cell("center", bold=True, bg_color=_fill, num_format=SCORE_FMT)
    STYLES[f"{_prefix}_blank"] = _cell(bg_color=_fill)
STYLES["tot_count"] = _cell("center", bold=True, bg_color=TOTAL_FILL, num_format='0"项"')
STYLES["tot_int"] = _cell("center", bold=True, bg_color=TOTAL_FILL, num_format="0")
STYLES["tot_text"] = _cell("center", bold=True, bg_color=TOTAL_FILL)

# the formats of conditional formatting (a rule names one of these)
CONDITIONAL: dict[str, dict[str, Any]] = {
    "veto_hit": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "fail": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
}
