"""Campaign settings: ``zwgk.toml`` in a campaign folder.

Every command run inside a campaign folder (or with ``--campaign DIR``) reads it; command
line flags override it.  Paths in the file are relative to the folder.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_NAME = "zwgk.toml"


@dataclass(frozen=True)
class Campaign:
    root: Path
    rubric: str = ""
    units: str = ""  # roster: units table
    targets: str = ""  # roster: targets table (websites), optional
    year: int = 0
    name: str = ""  # 考评名称
    office: str = ""  # 发文机关 / 考评办公室
    contact: str = ""  # where assessors send workbooks back
    materials_deadline: str = ""  # 佐证材料截止日期
    return_deadline: str = ""  # 评分表回收截止日期
    notice_number: str = ""  # 文号
    notice_date: str = ""  # 成文日期
    recipients: str = ""  # 主送
    rectify_deadline: str = ""  # 整改期限
    group_order: tuple[str, ...] = ()
    sheets_dir: str = "sheets"
    returned_dir: str = "returned"
    results_dir: str = "results"
    report_dir: str = "report"
    password: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def path(self, rel: str) -> Path:
        p = Path(rel)
        return p if p.is_absolute() else self.root / p

    @property
    def found(self) -> bool:
        return (self.root / CONFIG_NAME).exists()


class CampaignError(Exception):
    pass


_KEYS = {
    "rubric",
    "units",
    "targets",
    "year",
    "name",
    "office",
    "contact",
    "materials_deadline",
    "return_deadline",
    "notice_number",
    "notice_date",
    "recipients",
    "rectify_deadline",
    "group_order",
    "sheets_dir",
    "returned_dir",
    "results_dir",
    "report_dir",
    "password",
}


def find_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` holding a ``zwgk.toml``."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / CONFIG_NAME).is_file():
            return d
    return None


def load(root: Path | None = None) -> Campaign:
    """Read ``zwgk.toml`` from ``root`` (or the nearest one above the working directory).

    Without one, an empty campaign rooted at the working directory is returned.
    """
    base = root if root is not None else find_root()
    if base is None:
        return Campaign(root=Path.cwd())
    cfg = base / CONFIG_NAME
    if not cfg.is_file():
        raise CampaignError(f"{cfg} 不存在:请先用 zwgk new 创建考评目录,或用 --campaign 指定目录。")
    try:
        data = tomllib.loads(cfg.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CampaignError(f"{cfg} 格式有误:{exc}。请按 TOML 格式修正(字符串加英文双引号)。") from None
    flat: dict[str, Any] = {}
    for section in ("campaign", "paths", "notice", "sheets"):
        sec = data.get(section, {})
        if isinstance(sec, dict):
            flat.update(sec)
    flat.update({k: v for k, v in data.items() if not isinstance(v, dict)})
    known = {k: v for k, v in flat.items() if k in _KEYS}
    extra = {k: v for k, v in flat.items() if k not in _KEYS}
    if "group_order" in known:
        known["group_order"] = tuple(str(g) for g in known["group_order"])
    if "year" in known:
        known["year"] = int(known["year"])
    for k, v in list(known.items()):
        if k not in ("group_order", "year"):
            known[k] = str(v)
    return Campaign(root=base.resolve(), extra=extra, **known)
