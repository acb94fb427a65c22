"""Names the command line needs before it does any work: the report's formats and file names,
the demo's samples.  A module of its own so that ``zwgk score`` (or ``--help``) does not import
the report and demo machinery (templates, Word, charts) just to build its options."""

from __future__ import annotations

FORMATS = ("docx", "html", "md", "xlsx", "pdf")
NOTICE_NAME = "通报"
RANKING_NAME = "排名.xlsx"
RECTIFY_DIR = "整改清单"
SAMPLES = ("mianyang-2022", "jingzhou-2021")
DEFAULT_SEED = 2022


def parse_formats(text: str) -> tuple[str, ...]:
    """``html,md,docx`` → the formats, in canonical order; unknown names raise ValueError."""
    wanted = [f.strip().lower() for f in text.replace("\uff0c", ",").replace("\u3001", ",").split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ValueError(f"未知的输出格式:{'、'.join(unknown)}(可用:{','.join(FORMATS)})")
    return tuple(f for f in FORMATS if f in wanted)
