"""Reads the files clerks and departments hand us as rows of text cells: Excel with
python-calamine, after its zip has been checked for a decompression bomb; CSV in UTF-8
(with or without BOM) or GB18030, the superset of the GBK that Excel in China saves by
default. Shared by every import (registry, regions, department datasets)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from doudi.core.tabular.errors import ImportRejected, RowError


@dataclass
class Table:
    file: str
    sheet: str  # "" for a CSV file
    sheet_name: str  # which of the importer's sheets it holds
    rows: Iterable[list[str]]  # the header row first
    encoding: str = ""  # a CSV's Python codec (ENCODING_LABELS); "" for a workbook


def _fail(file: str, message: str, sheet: str = "") -> ImportRejected:
    return ImportRejected([RowError(file, sheet, None, "", "", message)])


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


# Python codec → what the clerk is told.
ENCODING_LABELS = {"utf-8-sig": "UTF-8", "gb18030": "GB18030"}
_SAMPLE = 1 << 16


def detect_encoding(path: Path) -> str:
    """ "utf-8-sig" (BOM or not) or "gb18030", judged on the first non-ASCII bytes;
    ImportRejected, naming the file, for anything that is not CSV text."""
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE)
        # An all-ASCII start says nothing; the next block starts on a character boundary.
        while sample.isascii() and (block := handle.read(_SAMPLE)):
            sample = block
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _fail(path.name, "文件是 UTF-16（Unicode 文本）编码，不是 CSV；请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重试")
    if sample.startswith(b"PK\x03\x04"):
        raise _fail(path.name, "这是一个 Excel 工作簿（.xlsx），扩展名却是 .csv；请改回 .xlsx 或另存为 CSV 后重试")
    if b"\x00" not in sample:
        for encoding in ("utf-8", "gb18030"):
            try:
                codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
            except UnicodeDecodeError:
                continue
            return "utf-8-sig" if encoding == "utf-8" else encoding
    raise _fail(
        path.name,
        "不是文本文件，无法按 CSV 读取（既不是 UTF-8 也不是 GBK/GB18030 编码）；请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重试",
    )


def csv_rows(path: Path, encoding: str | None = None) -> Iterator[list[str]]:
    """The rows of a CSV file as text cells, in its detected encoding."""
    encoding = encoding or detect_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        try:
            yield from csv.reader(handle)
        except UnicodeDecodeError:
            raise _fail(
                path.name,
                f"文件按 {ENCODING_LABELS[encoding]} 编码读取，但其中有无法识别的字节（文件可能已损坏或混用了编码）；"
                "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重试",
            ) from None
        except csv.Error as exc:
            raise _fail(path.name, f"CSV 格式错误：{exc}") from None


# An .xlsx is a zip; calamine reads a whole sheet before its first row comes out, so a
# small file that inflates to gigabytes would hold memory for tens of seconds. Ordinary
# workbooks inflate about 10× (a 4 MB county register: 36 MB); 512 MB is a register of
# some 400,000 people, past which a CSV is the better file anyway.
MAX_EXPANDED_BYTES = 512 << 20
MAX_RATIO = 100  # for members over RATIO_FROM bytes: only a crafted file compresses more
RATIO_FROM = 1 << 20


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def check_zip_size(path: Path, *, max_expanded: int = MAX_EXPANDED_BYTES, max_ratio: int = MAX_RATIO) -> None:
    """Refuses an .xlsx that would inflate beyond `max_expanded` bytes or that compresses
    suspiciously well, before anything reads it. The sizes a zip declares can lie, so the
    members are then inflated (streamed, never held) and counted: a member longer than
    declared fails its CRC check."""
    try:
        with zipfile.ZipFile(path) as book:
            members = book.infolist()
            expanded = sum(m.file_size for m in members)
            if expanded > max_expanded:
                raise _fail(
                    path.name, f"Excel 文件解压后共 {_mb(expanded)}，超过上限 {_mb(max_expanded)}；请拆分文件或改用 CSV 文件导入"
                )
            for member in members:
                if member.file_size > RATIO_FROM and member.file_size > max_ratio * max(member.compress_size, 1):
                    raise _fail(
                        path.name,
                        f"Excel 文件中的「{member.filename}」解压后 {_mb(member.file_size)}，是压缩后的 "
                        f"{member.file_size // max(member.compress_size, 1):,} 倍，不像正常的工作簿，已拒绝读取",
                    )
            for member in members:
                with book.open(member) as stream:
                    while stream.read(1 << 20):
                        pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError):
        raise _fail(path.name, "无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式") from None


def open_workbook(path: Path):
    """A calamine workbook, once the file has passed the size check (zip formats)."""
    from python_calamine import CalamineWorkbook

    if zipfile.is_zipfile(path):  # .xlsx, .xlsm, .ods; an old .xls is not a zip
        check_zip_size(path)
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception:  # calamine raises several types for a damaged file
        raise _fail(path.name, "无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式") from None


def csv_encodings(files) -> dict[str, str]:
    """File name → encoding label of each CSV among `files`."""
    files = [Path(f) for f in files]
    return {f.name: ENCODING_LABELS[detect_encoding(f)] for f in files if f.suffix.lower() == ".csv" and f.is_file()}


def encoding_note(encodings: dict[str, str]) -> str:
    """ "文件编码：GB18030（家庭.csv、成员.csv）" — what a clerk is told the files were read as."""
    by_label: dict[str, list[str]] = {}
    for file, label in encodings.items():
        by_label.setdefault(label, []).append(file)
    return "文件编码：" + "；".join(f"{label}（{'、'.join(files)}）" for label, files in by_label.items()) if by_label else ""
