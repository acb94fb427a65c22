"""``通报.pdf``: the DOCX through headless LibreOffice (with CJK font substitutes where the 公文
fonts are missing), its dates and document id fixed so that the same DOCX gives the same bytes."""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from zwgk_cli.files import atomic_write_bytes, temp_prefix
from zwgk_cli.names import NOTICE_NAME
from zwgk_cli.problems import Code, Problem, problem

SERIF_FAMILIES = (
    "Times New Roman",
    "仿宋",
    "仿宋_GB2312",
    "FangSong",
    "宋体",
    "SimSun",
    "方正小标宋简体",
    "楷体",
    "楷体_GB2312",
    "KaiTi",
)
SANS_FAMILIES = ("黑体", "SimHei")


def cjk_fontconfig(folder: Path) -> Path | None:
    """A fontconfig file that lets LibreOffice print 仿宋/宋体/楷体/黑体 with the CJK fonts that
    are installed (Noto CJK, Source Han …) when the 公文 fonts themselves are missing, as on
    most Linux machines.  The aliases only *accept* a substitute: an installed 仿宋 still wins.
    ``None`` where fontconfig is not used (Windows, macOS) or no CJK font is installed."""
    if sys.platform in ("win32", "darwin") or shutil.which("fc-list") is None:
        return None
    listed = _fc(["list", ":lang=zh", "family"])
    families = sorted({f.strip() for line in listed.splitlines() for f in line.split(",") if f.strip()})

    def pick(words: Sequence[str]) -> str | None:
        return next((f for w in words for f in families if w in f), None)

    serif = pick(("Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif SC", "AR PL UMing", "Serif CJK"))
    sans = pick(("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi", "Sans CJK")) or serif
    serif = serif or sans
    if serif is None or sans is None:
        return None
    base = os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
    aliases = [(f, serif) for f in SERIF_FAMILIES] + [(f, sans) for f in SANS_FAMILIES]
    body = "".join(
        f'  <alias binding="same"><family>{html.escape(a)}</family><accept><family>{html.escape(b)}</family>'
        "</accept></alias>\n"
        for a, b in aliases
    )
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">{html.escape(base)}</include>\n{body}</fontconfig>\n',
        encoding="utf-8",
    )
    return conf


def _fc(args: Sequence[str], conf: Path | None = None) -> str:
    env = dict(os.environ)
    if conf is not None:
        env["FONTCONFIG_FILE"] = str(conf)
    try:
        return subprocess.run(
            ["fc-list" if args[0] == "list" else "fc-match", *args[1:]],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env=env,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def missing_fonts(families: Sequence[str]) -> list[tuple[str, str]]:
    """The fonts of the notice that this machine lacks, each with the font LibreOffice prints
    instead (``fc-list`` / ``fc-match``, through the substitutes of :func:`cjk_fontconfig`).
    Empty where fontconfig is not used (Windows, macOS): nothing can be said there."""
    if sys.platform in ("win32", "darwin") or shutil.which("fc-list") is None or shutil.which("fc-match") is None:
        return []
    out: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix=temp_prefix("fonts")) as tmp:
        conf = cjk_fontconfig(Path(tmp))
        for family in dict.fromkeys(families):
            if _fc(["list", f":family={family}", "family"]).strip():
                continue
            instead = _fc(["match", "-f", "%{family[0]}", family], conf).strip()
            out.append((family, instead or "?"))
    return out


def write_pdf(docx_bytes: bytes, out_dir: Path, convert: Callable[[Path, Path], Path] | None) -> Path | Problem:
    """``通报.pdf`` from the notice's DOCX: the file written, or the problem that prevented it
    (no LibreOffice: P003; a failing converter: P007).  ``convert(docx, out_dir) → pdf``
    defaults to LibreOffice (office.py)."""
    target = out_dir / f"{NOTICE_NAME}.pdf"
    with tempfile.TemporaryDirectory(prefix=temp_prefix("pdf")) as tmp:
        if convert is None:
            from zwgk_cli import office

            if office.find_soffice() is None:
                return problem(Code.P_NO_PDF)
            conf = cjk_fontconfig(Path(tmp))

            def convert(src: Path, dst_dir: Path) -> Path:
                saved = os.environ.get("FONTCONFIG_FILE")
                if conf is not None:
                    os.environ["FONTCONFIG_FILE"] = str(conf)
                try:
                    return office.to_pdf([src], dst_dir)[0]
                finally:
                    if saved is None:
                        os.environ.pop("FONTCONFIG_FILE", None)
                    else:
                        os.environ["FONTCONFIG_FILE"] = saved

        src = Path(tmp) / f"{NOTICE_NAME}.docx"
        src.write_bytes(docx_bytes)
        try:
            data = convert(src, Path(tmp) / "out").read_bytes()
        except Exception as exc:  # any converter failure is reported, never raised
            return problem(Code.P_PDF, detail=str(exc)[:300])
    atomic_write_bytes(target, stable_pdf(data))
    return target


_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\()([^)]*)(\))")
_PDF_ID = re.compile(rb"(/ID\s*\[\s*<)([0-9A-Fa-f]+)(>\s*<)([0-9A-Fa-f]+)(>)")
_PDF_CHECKSUM = re.compile(rb"(/DocChecksum\s*/)([0-9A-Fa-f]+)")
_XMP_DATE = re.compile(rb"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)([^<]*)(</xmp:)")


def stable_pdf(data: bytes) -> bytes:
    """The PDF with its dates and document id fixed, same lengths (so xref offsets hold):
    the same DOCX gives the same PDF bytes."""

    def same_length(fixed: bytes, old: bytes) -> bytes:
        return (fixed + b" " * len(old))[: len(old)] if len(old) >= len(fixed) else fixed[: len(old)]

    data = _PDF_DATE.sub(lambda m: m.group(1) + same_length(b"D:20000101000000Z", m.group(2)) + m.group(3), data)
    data = _XMP_DATE.sub(lambda m: m.group(1) + same_length(b"2000-01-01T00:00:00Z", m.group(2)) + m.group(3), data)
    data = _PDF_CHECKSUM.sub(lambda m: m.group(1) + b"0" * len(m.group(2)), data)
    digest = hashlib.sha256(_PDF_ID.sub(b"", data)).hexdigest().upper().encode()

    def fix_id(m: re.Match[bytes]) -> bytes:
        a = (digest * 4)[: len(m.group(2))]
        b = (digest * 4)[: len(m.group(4))]
        return m.group(1) + a + m.group(3) + b + m.group(5)

    return _PDF_ID.sub(fix_id, data)
