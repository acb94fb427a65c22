"""Rubric YAML → :class:`~zwgk_cli.model.Rubric`, with every schema error located (file, YAML
path, line); resolution of a rubric for one unit; soundness checks; the JSON export.

One module per job, all re-exported here (``from zwgk_cli import rubric; rubric.load(...)``):

- :mod:`.source`   YAML text → plain data with lines, guarded against hostile files; where a
  rubric comes from (bundled id or file); the content hash
- :mod:`.reader`   plain data → model objects, schema errors located
- :mod:`.load`     ``parse`` / ``load``: the above plus the errors of the whole tree
- :mod:`.resolve`  the variant, criteria sets and applicability of one unit; walks
- :mod:`.check`    maxima add up, rules reach their 分值, text agrees, aliases resolve
- :mod:`.export`   ``rubric_to_dict``, the contract of ``zwgk rubric show --json``
- :mod:`.xlsx_schema` / :mod:`.xlsx_write` / :mod:`.xlsx_read`  the rubric workbook
  (评分细则.xlsx): its sheets and columns; plain data → workbook; workbook → plain data with
  the cell of every value
"""

from __future__ import annotations

from zwgk_cli.rubric.check import check, check_units, term_reach
from zwgk_cli.rubric.export import (
    criterion_to_dict,
    indicator_to_dict,
    input_to_dict,
    json_number,
    part_to_dict,
    rubric_to_dict,
)
from zwgk_cli.rubric.load import load, parse, parse_workbook, source_data, structural_problems
from zwgk_cli.rubric.reader import ID_RE
from zwgk_cli.rubric.resolve import (
    all_indicators,
    is_flat,
    map_groups,
    maxima,
    pick_unit_set,
    resolve,
    sets_naming,
    unit_matches,
    walk_with_path,
)
from zwgk_cli.rubric.source import (
    BUNDLED_PACKAGE,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    RubricError,
    bundled_ids,
    content_hash,
    load_yaml,
    locate,
)
from zwgk_cli.rubric.xlsx_write import workbook_bytes

__all__ = [
    "BUNDLED_PACKAGE",
    "ID_RE",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "RubricError",
    "all_indicators",
    "bundled_ids",
    "check",
    "check_units",
    "content_hash",
    "criterion_to_dict",
    "indicator_to_dict",
    "input_to_dict",
    "is_flat",
    "json_number",
    "load",
    "load_yaml",
    "locate",
    "map_groups",
    "maxima",
    "parse",
    "parse_workbook",
    "part_to_dict",
    "pick_unit_set",
    "resolve",
    "rubric_to_dict",
    "sets_naming",
    "source_data",
    "structural_problems",
    "term_reach",
    "unit_matches",
    "walk_with_path",
    "workbook_bytes",
]
