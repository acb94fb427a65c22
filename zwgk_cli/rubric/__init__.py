"""Rubric (YAML or 评分细则.xlsx) → :class:`~zwgk_cli.model.Rubric`, every error located; a
rubric resolved for one unit; soundness checks; the JSON export.  One module per job:
:mod:`.source` (YAML → plain data, where a rubric comes from), :mod:`.reader` (plain data →
model), :mod:`.load`, :mod:`.resolve`, :mod:`.check`, :mod:`.export`, :mod:`.diff`,
:mod:`.targets` and the rubric workbook (:mod:`.xlsx_schema`, :mod:`.xlsx_write`, :mod:`.xlsx_read`).
"""

from __future__ import annotations

from zwgk_cli.rubric.check import check
from zwgk_cli.rubric.export import json_number, rubric_to_dict
from zwgk_cli.rubric.load import load, parse, parse_workbook, source_data
from zwgk_cli.rubric.resolve import all_indicators, conditions, is_flat, map_groups, resolve, walk_with_path
from zwgk_cli.rubric.source import MAX_BYTES, MAX_NODES, RubricError, bundled_ids
from zwgk_cli.rubric.xlsx_write import workbook_bytes

__all__ = [
    "MAX_BYTES",
    "MAX_NODES",
    "RubricError",
    "all_indicators",
    "bundled_ids",
    "check",
    "conditions",
    "is_flat",
    "json_number",
    "load",
    "map_groups",
    "parse",
    "parse_workbook",
    "resolve",
    "rubric_to_dict",
    "source_data",
    "walk_with_path",
    "workbook_bytes",
]
