"""Time ``zwgk init-sheets``: the floor, and 1,000 units against a naive openpyxl generator.

* The floor: ``zwgk init-sheets`` on the 49-unit 绵阳 2022 sample campaign (``zwgk new … --sample
  mianyang-2022``) takes at most 3 s of wall time.
* A synthetic roster of 1,000 units for the 绵阳 2022 rubric (both groups, 1–3 websites
  each, every attribute combination) is written to a temporary folder.
* ``zwgk init-sheets`` (the real command, as a user runs it: process pool on all cores)
  writes the 1,000 workbooks; its wall time is measured.
* The naive generator writes the same content (the same :class:`~zwgk_cli.workbook.blueprint.WorkbookPlan`:
  cells, formulas, styles, merges, validation, names, protection, the hidden sheet) cell by
  cell with openpyxl in one process, for a sample of units; its per-workbook time is
  measured and compared with xlsxwriter in one process on the same units.

Run: ``python benchmarks/bench_init_sheets.py [--units 1000] [--sample 60]``
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.model import Unit
from zwgk_cli.roster import load_roster
from zwgk_cli.workbook import write as sheets
from zwgk_cli.workbook.styles import FONT, STYLES

ROOT = Path(__file__).resolve().parent.parent
FLOOR_SECONDS = 3.0  # init-sheets on the 49-unit 绵阳 sample


def synthetic_roster(folder: Path, n: int) -> tuple[Path, Path]:
    """``n`` units alternating groups and attributes; every 7th unit has 3 websites, every 5th 2."""
    units = folder / "units.csv"
    sites = folder / "websites.csv"
    with units.open("w", encoding="utf-8", newline="") as fu, sites.open("w", encoding="utf-8", newline="") as fs:
        wu, ws = csv.writer(fu), csv.writer(fs)
        wu.writerow(["编号", "单位名称", "分组", "市级部门", "有对外服务", "督促指导任务"])
        ws.writerow(["编号", "名称", "类型", "所属单位", "网址"])
        site = 0
        for i in range(1, n + 1):
            dept = i % 3 != 0
            name = f"合成{'部门' if dept else '县区'}{i:04d}"
            wu.writerow(
                [f"S{i:04d}", name, "市级部门" if dept else "县市区/园区", "是" if dept else "否",
                 "否" if i % 11 == 0 else "是", "是" if i % 4 == 0 else "否"]
            )  # fmt: skip
            for k in range(3 if i % 7 == 0 else 2 if i % 5 == 0 else 1):
                site += 1
                ws.writerow([f"W{site:05d}", f"{name}网站{k + 1}", "website", name, ""])
    return units, sites


# ------------------------------------------------------------------ the naive generator


def _openpyxl_style(style: str, cache: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The openpyxl style objects of a named style (made once per name)."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    if style not in cache:
        props = STYLES[style]
        side = Side(style="thin", color="FF808080") if props.get("border") else None
        cache[style] = {
            "font": Font(
                name=props.get("font_name", FONT),
                size=props.get("font_size", 10),
                bold=props.get("bold", False),
                color=("FF" + props["font_color"][1:]) if "font_color" in props else None,
            ),
            "fill": PatternFill("solid", fgColor="FF" + props["bg_color"][1:]) if "bg_color" in props else None,
            "border": Border(left=side, right=side, top=side, bottom=side) if side else None,
            "alignment": Alignment(
                horizontal=props.get("align"),
                vertical="center" if props.get("valign") == "vcenter" else props.get("valign"),
                wrap_text=props.get("text_wrap", False),
                indent=props.get("indent", 0),
            ),
            "protection": Protection(locked=props.get("locked", True)),
            "number_format": props.get("num_format", "General"),
        }
    return cache[style]


def naive_openpyxl(plan: sheets.WorkbookPlan) -> bytes:
    """The same workbook, written cell by cell with openpyxl (what one would write by hand)."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    cache: dict[str, dict[str, Any]] = {}
    red = {"fill": PatternFill("solid", fgColor="FFFFC7CE"), "font": Font(color="FF9C0006")}
    for sp in plan.sheets:
        ws = wb.create_sheet(sp.name)
        for c, w in enumerate(sp.widths):
            ws.column_dimensions[get_column_letter(c + 1)].width = w
        for r, h in sp.heights.items():
            ws.row_dimensions[r + 1].height = h
        for r, record in enumerate(sp.records or ()):
            for c, text in enumerate(record):
                if text:
                    ws.cell(row=r + 1, column=c + 1).value = text
        for (r, c), (value, style) in sorted(sp.cells.items()):
            cell = ws.cell(row=r + 1, column=c + 1)
            if isinstance(value, sheets.Formula):
                cell.value = value.text
            elif value is not None:
                cell.value = value
            st = _openpyxl_style(style, cache)
            cell.font = st["font"]
            if st["fill"] is not None:
                cell.fill = st["fill"]
            if st["border"] is not None:
                cell.border = st["border"]
            cell.alignment = st["alignment"]
            cell.protection = st["protection"]
            cell.number_format = st["number_format"]
        for r1, c1, r2, c2 in sp.merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        for r, c, opts in sp.validations:
            kind = {"integer": "whole", "length": "textLength"}.get(opts["validate"], opts["validate"])
            src = opts.get("source")
            f1 = (src if isinstance(src, str) else '"' + ",".join(src) + '"') if src is not None else None
            dv = DataValidation(
                type=kind,
                formula1=f1 if f1 is not None else str(opts.get("minimum", opts.get("value", 0))),
                formula2=str(opts["maximum"]) if "maximum" in opts else None,
                operator=None if kind == "list" else ("between" if "maximum" in opts else "greaterThanOrEqual"),
                allow_blank=True,
                showInputMessage=True,
                showErrorMessage=True,
                promptTitle=opts.get("input_title"),
                prompt=opts.get("input_message"),
                errorTitle=opts.get("error_title"),
                error=opts.get("error_message"),
            )
            dv.add(ws.cell(row=r + 1, column=c + 1))
            ws.add_data_validation(dv)
        for rng, opts in sp.conditional:
            operator = "greaterThan" if opts["criteria"] == ">" else "equal"
            ws.conditional_formatting.add(rng, CellIsRule(operator=operator, formula=[str(opts["value"])], **red))
        if sp.freeze_row:
            ws.freeze_panes = ws.cell(row=sp.freeze_row + 1, column=1)
        if sp.repeat_rows:
            ws.print_title_rows = f"{sp.repeat_rows[0] + 1}:{sp.repeat_rows[1] + 1}"
        ws.page_setup.paperSize = 9
        ws.page_setup.orientation = "landscape" if sp.landscape else "portrait"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToHeight = sp.fit_height
        ws.oddHeader.center.text = sp.name
        ws.oddFooter.center.text = "第 &P 页,共 &N 页"
        ws.protection.sheet = True
        if plan.password:
            ws.protection.password = plan.password
        ws.sheet_state = {0: "visible", 1: "hidden", 2: "veryHidden"}[sp.hidden]
    for name, target in plan.names:
        wb.defined_names[name] = DefinedName(name, attr_text=target.lstrip("="))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ the run


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--sample", type=int, default=60, help="units timed with both generators in one process")
    args = ap.parse_args()
    rubric = rubric_mod.load("mianyang-2022")
    tmp = Path(tempfile.mkdtemp(prefix="zwgk-bench-"))
    try:
        units_csv, sites_csv = synthetic_roster(tmp, args.units)
        roster = load_roster(units_csv, sites_csv)
        assert not roster.problems, roster.problems[:3]
        sample: list[Unit] = roster.units[: args.sample]
        inputs = [len(sheets.plan_workbook(rubric, u).layout.inputs) for u in sample]

        start = time.perf_counter()
        for u in sample:
            sheets.build_workbook(rubric, u)
        fast = (time.perf_counter() - start) / len(sample)
        start = time.perf_counter()
        for u in sample:
            naive_openpyxl(sheets.plan_workbook(rubric, u))
        slow = (time.perf_counter() - start) / len(sample)

        zwgk = [sys.executable, "-m", "zwgk_cli"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's code, from any folder
        sample_campaign = tmp / "mianyang"
        subprocess.run(
            [*zwgk, "new", str(sample_campaign), "--sample", "mianyang-2022"], check=True, capture_output=True, env=env
        )
        start = time.perf_counter()
        subprocess.run([*zwgk, "init-sheets"], check=True, capture_output=True, cwd=sample_campaign, env=env)
        floor_wall = time.perf_counter() - start
        floor_units = len(list((sample_campaign / "sheets").glob("*.xlsx")))

        out = tmp / "sheets"
        cmd = [
            *zwgk,
            "init-sheets",
            "--rubric",
            "mianyang-2022",
            "--roster",
            str(units_csv),
            "--targets",
            str(sites_csv),
        ]
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([*cmd, "--out", str(out)], check=True, capture_output=True, cwd=tmp, env=env)
        wall = time.perf_counter() - start
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        load = os.getloadavg()[0]
        written = len(list(out.glob("*.xlsx")))
        assert written == args.units, written

        naive_total = slow * args.units
        print(f"单位数 {args.units}(合成名单,绵阳2022细则),CPU {os.cpu_count()} 核")
        print(f"每个评分表平均填写项 {sum(inputs) / len(inputs):.0f} 个(抽样 {len(sample)} 个单位)")
        print(f"朴素 openpyxl 生成器(单进程,逐格):每个评分表 {slow * 1000:.1f} ms")
        print(f"xlsxwriter 生成器(单进程):        每个评分表 {fast * 1000:.1f} ms,快 {slow / fast:.1f} 倍")
        print(f"zwgk init-sheets 生成 {args.units} 个评分表:{wall:.1f} s(朴素生成器约需 {naive_total:.0f} s)")
        print(f"  其中 CPU 时间 {cpu:.1f} s(每个评分表 {cpu / args.units * 1000:.1f} ms),运行时系统负载 {load:.1f}")
        print(f"加速比(朴素单进程 ÷ init-sheets 实际用时):{naive_total / wall:.1f} 倍")
        ok = floor_wall <= FLOOR_SECONDS
        print(f"绵阳样例考评 {floor_units} 个单位:zwgk init-sheets {floor_wall:.2f} s")
        print(f"底线:样例考评 ≤ {FLOOR_SECONDS:g} s —— {'达到' if ok else '未达到'}")
        if not ok and load > (os.cpu_count() or 1):
            print("  (机器正忙:负载高于核数时用时不代表空闲机器上的结果,请在空闲时重测)")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
