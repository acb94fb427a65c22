"""``zwgk new``, ``zwgk init-sheets`` and ``zwgk inspect``: the campaign folder, one scoring
workbook per unit, and what a workbook is."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import string
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from zwgk_cli import rubric as rubric_mod
from zwgk_cli.campaign import CONFIG_NAME
from zwgk_cli.cli import app
from zwgk_cli.cli.common import (
    EXIT_PROBLEMS,
    CampaignOpt,
    console,
    load_campaign,
    load_rubric,
    load_units,
    print_json,
    print_problems,
    usage_error,
)
from zwgk_cli.files import atomic_write_bytes
from zwgk_cli.model import Rubric, Unit
from zwgk_cli.problems import Code, Problem, Severity, os_reason, problem
from zwgk_cli.resources import sample_roster
from zwgk_cli.workbook import layout as L

if TYPE_CHECKING:
    from zwgk_cli.workbook.write import CampaignInfo


def _say(text: str) -> None:
    """One plain line (no rich markup: names may contain brackets), never wrapped."""
    console.print(text, soft_wrap=True, markup=False, highlight=False)


# ------------------------------------------------------------------ zwgk new

# Sample settings, from the source documents where they say it (see /RUBRICS.md); the notice
# number, dates of the results notice and the return deadline are examples to be replaced.
SAMPLES: Mapping[str, Mapping[str, Any]] = {
    "mianyang-2022": {
        "year": 2022,
        "name": "绵阳市2022年政务公开工作检查考核",
        "office": "绵阳市人民政府办公室",
        "contact": "通过钉钉发送至市政府办公室政务公开科",
        "materials_deadline": "2022-11-25",
        "return_deadline": "2022-12-16",
        "notice_number": "绵府公开〔2023〕1号",
        "notice_date": "2023-01-10",
        "recipients": "各县(市、区)人民政府,科技城管委会,各园区管委会,市级有关部门",
        "rectify_deadline": "2023-02-28",
        "group_order": ["县市区/园区", "市级部门"],
    },
    "jingzhou-2021": {
        "year": 2021,
        "name": "荆州市2021年度政务公开考评",
        "office": "荆州市政务公开领导小组办公室",
        "contact": "ysqgk@jingzhou.gov.cn",
        "materials_deadline": "2022-01-10",
        "return_deadline": "2022-01-25",
        "notice_number": "荆政公开办〔2022〕1号",
        "notice_date": "2022-01-28",
        "recipients": "各县、市、区人民政府,荆州开发区、纪南文旅区、荆州高新区管委会,市政府各部门",
        "rectify_deadline": "2022-03-31",
        "group_order": ["县市区", "功能区", "市直部门"],
    },
}


def _toml(value: Any) -> str:
    """A value as TOML: strings as basic strings (JSON escapes are TOML escapes), lists, ints."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def campaign_toml(settings: Mapping[str, Any], generated_from: str, sample: bool) -> str:
    """``zwgk.toml`` text from the commented template, with ``settings`` filled in."""
    template = resources.files("zwgk_cli").joinpath("campaign_template.toml").read_text(encoding="utf-8")
    defaults: dict[str, Any] = {
        "rubric": "",
        "year": dt.date.today().year,
        "name": "",
        "office": "",
        "contact": "",
        "materials_deadline": "",
        "return_deadline": "",
        "units": "units.csv",
        "targets": "",
        "notice_number": "",
        "notice_date": "",
        "recipients": "",
        "rectify_deadline": "",
        "group_order": [],
    }
    values = {k: _toml(settings.get(k, v)) for k, v in defaults.items()}
    values["generated_from"] = f"(来源:{generated_from})" if generated_from else ""
    values["sample_note"] = "(示例值,正式发文前请修改)" if sample else ""
    return string.Template(template).substitute(values)


def _copy(src: Path, dest_dir: Path, name: str | None = None) -> str:
    dest = dest_dir / (name or src.name)
    if src.resolve() != dest.resolve():
        shutil.copyfile(src, dest)
    return dest.name


@app.command("new")
def new_cmd(
    folder: Annotated[Path, typer.Argument(help="要创建的考评目录。")],
    sample: Annotated[
        str | None, typer.Option("--sample", help="用内置示例创建:mianyang-2022 或 jingzhou-2021。")
    ] = None,
    rubric: Annotated[str | None, typer.Option("--rubric", help="评分细则:内置编号或 YAML 文件。")] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help="单位名单(CSV/XLSX)。")] = None,
    targets: Annotated[Path | None, typer.Option("--targets", help="网站名单(CSV/XLSX),按网站评分的细则需要。")] = None,
    force: Annotated[bool, typer.Option("--force", help="目录中已有 zwgk.toml 时覆盖。")] = False,
) -> None:
    """创建考评目录:zwgk.toml(每项设置都有中文注释)和单位名单。

    示例:zwgk new 2022考评 --sample mianyang-2022

    示例:zwgk new 2025考评 --rubric 我市细则.yaml --roster 单位.csv --targets 网站.csv
    """
    if sample and (rubric or roster):
        usage_error("--sample 与 --rubric/--roster 不能同时使用。")
    if not sample and not (rubric and roster):
        usage_error("请用 --sample 选择内置示例,或同时给出 --rubric 和 --roster。")
    if folder.exists() and not folder.is_dir():
        usage_error(f"{folder} 已存在且不是目录。")
    if (folder / CONFIG_NAME).exists() and not force:
        print_problems([problem(Code.S_CAMPAIGN_EXISTS, file=str(folder / CONFIG_NAME), dir=str(folder))])
        raise typer.Exit(EXIT_PROBLEMS)
    settings: dict[str, Any] = {}
    copies: list[tuple[Path, str | None]] = []
    if sample:
        if sample not in SAMPLES or sample_roster(sample) is None:
            usage_error(f"没有示例“{sample}”(可用:{'、'.join(SAMPLES)})。")
        found = sample_roster(sample)
        assert found is not None
        units_src, targets_src = found
        r = load_rubric(sample)
        settings.update(SAMPLES[sample])
        settings["rubric"] = sample
        copies.append((units_src, "units.csv"))
        settings["units"] = "units.csv"
        if targets_src is not None:
            copies.append((targets_src, "websites.csv"))
            settings["targets"] = "websites.csv"
        origin = f"内置示例 {sample}"
    else:
        assert rubric is not None and roster is not None
        r = load_rubric(rubric)
        if not roster.is_file():
            usage_error(f"名单文件不存在:{roster}")
        if targets is not None and not targets.is_file():
            usage_error(f"网站名单文件不存在:{targets}")
        rubric_path = Path(rubric)
        if rubric_path.is_file():
            copies.append((rubric_path, None))
            settings["rubric"] = rubric_path.name
        else:
            settings["rubric"] = r.id
        copies.append((roster, None))
        settings["units"] = roster.name
        if targets is not None:
            copies.append((targets, None))
            settings["targets"] = targets.name
        settings["year"] = r.year
        settings["group_order"] = list(r.groups)
        origin = f"细则 {r.id}"
    names = [name or src.name for src, name in copies]
    if len(set(names)) != len(names):
        usage_error("细则、单位名单和网站名单的文件名不能相同。")
    folder.mkdir(parents=True, exist_ok=True)
    for src, name in copies:
        _copy(src, folder, name)
    text = campaign_toml(settings, origin, bool(sample))
    atomic_write_bytes(folder / CONFIG_NAME, text.encode("utf-8"))
    camp = load_campaign(folder)
    camp.path(camp.returned_dir).mkdir(parents=True, exist_ok=True)  # where returned workbooks go
    ros = load_units(r, None, None, camp)
    print_problems(ros.problems, "名单检查发现的问题")
    _say(f"已创建考评目录 {folder}:{CONFIG_NAME}、{'、'.join(names)}、{camp.returned_dir}/(存放交回的评分表)")
    _say(f"细则:{r.title}({r.id});名单:{len(ros.units)} 个单位。")
    _say(f"下一步:检查并修改 {folder / CONFIG_NAME} 中的设置,然后在该目录中运行 zwgk init-sheets。")
    if any(p.severity is Severity.ERROR for p in ros.problems):
        raise typer.Exit(EXIT_PROBLEMS)


# ------------------------------------------------------------------ zwgk init-sheets

PARALLEL_FROM = 40  # units; below this, one process is faster than starting a pool

_worker: dict[str, Any] = {}


def _init_worker(rubric: Rubric, info: CampaignInfo, password: str) -> None:
    _worker.update(rubric=rubric, info=info, password=password)


@dataclass(frozen=True)
class Written:
    unit: str
    name: str
    group: str
    file: str
    sheets: int
    inputs: int
    error: str = ""  # why the file could not be written


def _write_one(job: tuple[Unit, str]) -> Written:
    from zwgk_cli.workbook.write import build_workbook  # the writer (xlsxwriter) only when writing

    unit, path = job
    data, lay = build_workbook(_worker["rubric"], unit, _worker["info"], password=_worker["password"])
    visible = sum(1 for s in lay.sheets if s.role not in (L.ROLE_META, L.ROLE_LISTS))
    try:
        atomic_write_bytes(Path(path), data)
    except OSError as exc:
        return Written(unit.id, unit.name, unit.group, path, visible, len(lay.inputs), os_reason(exc, writing=True))
    return Written(unit.id, unit.name, unit.group, path, visible, len(lay.inputs))


def write_workbooks(
    rubric: Rubric, jobs: Sequence[tuple[Unit, Path]], info: CampaignInfo, password: str = "", processes: int = 0
) -> list[Written]:
    """Write one workbook per (unit, path); in a process pool for large batches.  The output
    does not depend on the number of processes."""
    work = [(u, str(p)) for u, p in jobs]
    n = processes or (min(os.cpu_count() or 1, 8) if len(work) >= PARALLEL_FROM else 1)
    if n <= 1:
        _init_worker(rubric, info, password)
        return [_write_one(j) for j in work]
    with ProcessPoolExecutor(max_workers=n, initializer=_init_worker, initargs=(rubric, info, password)) as pool:
        return list(pool.map(_write_one, work, chunksize=max(1, len(work) // (n * 8))))


def _pick_units(units: Sequence[Unit], wanted: Sequence[str]) -> list[Unit]:
    names = [w.strip() for item in wanted for w in item.replace(",", "、").replace(",", "、").split("、") if w.strip()]
    if not names:
        return list(units)
    picked: list[Unit] = []
    unknown: list[str] = []
    for name in names:
        u = next((x for x in units if name in (x.id, x.name) or name in x.aliases), None)
        if u is None:
            unknown.append(name)
        elif u not in picked:
            picked.append(u)
    if unknown:
        sample = "、".join(u.name for u in units[:5])
        usage_error(f"名单中没有单位:{'、'.join(unknown)}(请用单位名称、编号或别名,如:{sample}……)")
    return picked


@app.command("init-sheets")
def init_sheets_cmd(
    rubric: Annotated[
        str | None, typer.Option("--rubric", help="评分细则:内置编号或 YAML 文件;考评目录中可省略。")
    ] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help="单位名单(CSV/XLSX);考评目录中可省略。")] = None,
    targets: Annotated[Path | None, typer.Option("--targets", help="网站名单(CSV/XLSX)。")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="输出目录,默认为考评目录中的 sheets/。")] = None,
    units: Annotated[
        list[str] | None, typer.Option("--units", "-u", help="只生成这些单位(名称、编号或别名;可重复,或用顿号分隔)。")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的评分表(其中已填写的内容会丢失)。")] = False,
    password: Annotated[str | None, typer.Option("--password", help="工作表保护密码;默认不设密码(仍然保护)。")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="并行进程数;0 表示自动。", min=0)] = 0,
    json_out: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果。")] = False,
    campaign: CampaignOpt = None,
) -> None:
    """为名单中的每个单位生成一个 Excel 评分表(文件名为单位名称)。

    评分表只含该单位适用的细则;填写单元格带下拉列表和输入提示,其余内容锁定;得分、小计、
    总分和等次由公式实时计算;隐藏的标识工作表记录细则、单位和每个填写单元格的位置,供 zwgk score 读回。
    已存在的评分表不会被覆盖,除非加 --force。

    示例:zwgk init-sheets

    示例:zwgk init-sheets --rubric mianyang-2022 --roster 单位.csv --targets 网站.csv --out 评分表 --units 涪城区
    """
    camp = load_campaign(campaign)
    r = load_rubric(rubric, camp)
    ros = load_units(r, roster, targets, camp)
    problems: list[Problem] = list(ros.problems)
    chosen = _pick_units(ros.units, units or [])
    out_dir = out if out is not None else camp.path(camp.sheets_dir or "sheets")
    names = L.workbook_filenames(ros.units)
    blocked = {p.unit for p in problems if p.severity is Severity.ERROR and p.unit}
    jobs_list: list[tuple[Unit, Path]] = []
    for u in chosen:
        reason = ""
        if u.name in blocked:
            reason = "名单有错误"
        elif r.variant_for_group(u.group) is None:
            reason = f"分组“{u.group}”不适用于细则的任何版本"
        if reason:
            problems.append(problem(Code.S_UNIT_SKIPPED, unit=u.name, detail=reason))
            continue
        jobs_list.append((u, out_dir / names[u.id]))
    existing = [p for _, p in jobs_list if p.exists()]
    if existing and not force:
        shown = "、".join(p.name for p in existing[:10]) + (f" 等 {len(existing)} 个" if len(existing) > 10 else "")
        problems.append(problem(Code.S_EXISTS, file=str(out_dir), files=shown))
        _report_init(json_out, out_dir, [], problems)
        raise typer.Exit(EXIT_PROBLEMS)
    from zwgk_cli.workbook.write import CampaignInfo

    info = CampaignInfo.from_campaign(camp)
    pw = password if password is not None else camp.password
    results = write_workbooks(r, jobs_list, info, pw, jobs)
    written = [w for w in results if not w.error]
    for w in results:
        if w.error:
            problems.append(problem(Code.S_WRITE, file=w.file, unit=w.name, detail=w.error))
    _report_init(json_out, out_dir, written, problems)
    if any(p.severity is Severity.ERROR for p in problems):
        raise typer.Exit(EXIT_PROBLEMS)


def _report_init(json_out: bool, out_dir: Path, written: Sequence[Written], problems: Sequence[Problem]) -> None:
    if json_out:
        print_json(
            {
                "out": str(out_dir),
                "workbooks": [
                    {
                        "unit_id": w.unit,
                        "unit": w.name,
                        "group": w.group,
                        "file": w.file,
                        "sheets": w.sheets,
                        "inputs": w.inputs,
                    }
                    for w in written
                ],
                "problems": [p.to_dict() for p in problems],
            }
        )
        return
    print_problems(problems, "生成评分表时发现的问题")
    if not written:
        return
    groups: dict[str, int] = {}
    for w in written:
        groups[w.group] = groups.get(w.group, 0) + 1
    by_group = "、".join(f"{g} {n} 个" for g, n in groups.items())
    inputs = sum(w.inputs for w in written)
    _say(f"已生成 {len(written)} 个评分表({by_group}),共 {inputs} 个填写项 → {out_dir}")
    _say("分发给评估人员填写;交回后放入 returned/ 目录,运行 zwgk score。用 zwgk inspect 查看评分表。")


# ------------------------------------------------------------------ zwgk inspect


def _json_value(value: object) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, (int, str)):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return str(value)
    return str(value)


def _fail(path: Path, code: Code, **params: Any) -> dict[str, Any]:
    p = problem(code, file=str(path), **params)
    return {"file": str(path), "ok": False, "problem": p.to_dict()}


_bundled_hash: dict[str, str | None] = {}


def _bundled(rubric_id: str) -> str | None:
    if rubric_id not in _bundled_hash:
        try:
            _bundled_hash[rubric_id] = (
                rubric_mod.load(rubric_id).hash if rubric_id in rubric_mod.bundled_ids() else None
            )
        except rubric_mod.RubricError:
            _bundled_hash[rubric_id] = None
    return _bundled_hash[rubric_id]


def _content_kind(head: bytes) -> str:
    if head.startswith(b"%PDF"):
        return "PDF 文件"
    if head.lstrip().startswith((b"<html", b"<!DOCTYPE", b"<!doctype")):
        return "网页(HTML)"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head[:-1].decode("utf-8")
        except UnicodeDecodeError:
            return "其他格式的数据"
    return "文本"


def inspect_file(path: Path) -> dict[str, Any]:
    """What a workbook is and how far it is filled, as the ``zwgk inspect --json`` contract."""
    from python_calamine import CalamineWorkbook

    try:
        with path.open("rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        return _fail(path, Code.W_UNREADABLE, detail=os_reason(exc))
    if not head:
        return _fail(path, Code.W_EMPTY_FILE)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _fail(path, Code.W_LEGACY_XLS)
    if not head.startswith(b"PK\x03\x04"):
        return _fail(path, Code.W_NOT_XLSX, found=_content_kind(head))
    try:
        wb = CalamineWorkbook.from_path(str(path))
        if L.META_SHEET not in wb.sheet_names:
            return _fail(path, Code.W_NOT_ZWGK, sheet_name=L.META_SHEET, detail="")
        lay = L.read_layout(wb.get_sheet_by_name(L.META_SHEET).to_python(skip_empty_area=False))
        grids: dict[str, list[list[Any]]] = {}
        missing: dict[str, int] = {}
        for m in lay.inputs:
            if m.sheet not in wb.sheet_names:
                missing[m.sheet] = missing.get(m.sheet, 0) + 1
            elif m.sheet not in grids:
                grids[m.sheet] = wb.get_sheet_by_name(m.sheet).to_python(skip_empty_area=False)
    except L.LayoutError as exc:
        if exc.not_zwgk:
            return _fail(path, Code.W_NOT_ZWGK, sheet_name=L.META_SHEET, detail=f":{exc.reason}")
        return _fail(path, Code.W_BAD_META, detail=exc.reason)
    except Exception as exc:  # calamine raises its own error types for broken files
        return _fail(path, Code.W_BROKEN_ZIP, detail=str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
    meta = lay.meta
    entries = []
    filled_by_sheet: dict[str, int] = {}
    moved = 0
    for m in lay.inputs:
        grid = grids.get(m.sheet, [])
        value = _json_value(L.value_at(grid, m.cell))
        id_ok = m.sheet in grids and L.cell_text(L.value_at(grid, m.id_cell)) == m.id
        moved += not id_ok
        if value is not None:
            filled_by_sheet[m.sheet] = filled_by_sheet.get(m.sheet, 0) + 1
        entries.append(
            {
                "sheet": m.sheet,
                "cell": m.cell,
                "target": m.target,
                "indicator": m.indicator,
                "criterion": m.criterion,
                "input": m.input,
                "kind": m.kind,
                "label": m.label,
                "value": value,
                "id_ok": id_ok,
            }
        )
    bundled = _bundled(meta.rubric_id)
    return {
        "file": str(path),
        "ok": True,
        "format": meta.format,
        "rubric": {
            "id": meta.rubric_id,
            "hash": meta.rubric_hash,
            "version": meta.rubric_version,
            "title": meta.rubric_title,
            "year": meta.rubric_year,
            "variant": meta.variant,
            "bundled_hash": bundled,
        },
        "tool_version": meta.tool_version,
        "campaign": {"year": meta.campaign_year, "name": meta.campaign_name},
        "unit": {"id": meta.unit_id, "name": meta.unit_name, "group": meta.unit_group},
        "targets": [{"id": t.id, "kind": t.kind, "name": t.name, "url": t.url} for t in meta.targets],
        "sheets": [
            {
                "name": s.name,
                "role": s.role,
                "part": s.part,
                "target": s.target,
                "inputs": sum(1 for m in lay.inputs if m.sheet == s.name),
                "filled": filled_by_sheet.get(s.name, 0),
            }
            for s in lay.sheets
            if s.role in (L.ROLE_PART, L.ROLE_TARGET)
        ],
        "inputs": len(lay.inputs),
        "filled": sum(filled_by_sheet.values()),
        "moved": moved,
        "problems": [
            problem(Code.W_SHEET_MISSING, file=str(path), sheet=name, sheet_name=name, count=n).to_dict()
            for name, n in missing.items()
        ],
        "map": entries,
    }


@app.command("inspect")
def inspect_cmd(
    workbooks: Annotated[list[Path], typer.Argument(help="要查看的评分表(可以多个)。")],
    json_out: Annotated[bool, typer.Option("--json", help="以 JSON 输出,含每个填写单元格的位置和当前值。")] = False,
) -> None:
    """查看评分表:属于哪个细则(编号、版本、hash)、哪个单位和网站、每个工作表填了多少。

    --json 输出完整的填写单元格清单(格式见 docs/workbook.md)。不是 zwgk 评分表或文件损坏时退出码为 1。

    示例:zwgk inspect sheets/涪城区.xlsx

    示例:zwgk inspect returned/*.xlsx --json
    """
    reports = [inspect_file(p) for p in workbooks]
    if json_out:
        print_json(reports)
    else:
        for rep in reports:
            _print_inspect(rep)
    if any(not rep["ok"] or rep["problems"] for rep in reports):
        raise typer.Exit(EXIT_PROBLEMS)


def _problem_of(p: Mapping[str, Any]) -> Problem:
    return Problem(p["code"], Severity(p["severity"]), p["message"], p["hint"], file=p["file"], sheet=p["sheet"])


def _print_inspect(rep: Mapping[str, Any]) -> None:
    if not rep["ok"]:
        print_problems([_problem_of(rep["problem"])])
        return
    rb, unit = rep["rubric"], rep["unit"]
    if rb["bundled_hash"] is None:
        same = ""
    elif rb["bundled_hash"] == rb["hash"]:
        same = ",与内置细则一致"
    else:
        same = f",与当前内置细则(hash {rb['bundled_hash']})不一致"
    console.print(f"[bold]{escape(rep['file'])}[/]", soft_wrap=True)
    _say(f"  细则:{rb['title']}({rb['id']},版本 {rb['version']},hash {rb['hash']}{same})")
    _say(f"  单位:{unit['name']}(编号 {unit['id']},分组 {unit['group']});考评年度 {rep['campaign']['year']}")
    if rep["targets"]:
        _say("  考评对象:" + "、".join(f"{t['name']}({t['id']})" for t in rep["targets"]))
    table = Table(show_header=True, box=None, padding=(0, 2))
    table.add_column("工作表")
    table.add_column("已填", justify="right")
    table.add_column("应填", justify="right")
    for s in rep["sheets"]:
        style = "green" if s["filled"] == s["inputs"] else ""
        table.add_row(escape(s["name"]), f"[{style}]{s['filled']}[/]" if style else str(s["filled"]), str(s["inputs"]))
    table.add_row("[bold]合计[/]", f"[bold]{rep['filled']}[/]", f"[bold]{rep['inputs']}[/]")
    console.print(table)
    print_problems([_problem_of(p) for p in rep["problems"]])
    if rep["moved"]:
        console.print(
            f"  [red]有 {rep['moved']} 个填写行的编号与标识不符:行可能被移动、插入或删除过。[/]", soft_wrap=True
        )
