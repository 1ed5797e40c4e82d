"""Reads one department file (a UTF-8 or GB18030 CSV, or the first sheet of an .xlsx) and turns its
rows into storage rows (storage.py) plus row issues. The ID number is normalised with
doudi.core.idnumber; a row whose ID cannot be normalised is kept (id_status "invalid")
and reported, so linkage can still match it by name + birth date + region."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from doudi.core import idnumber

# Shared with the registry importer: the same cell rendering and CSV error messages.
from doudi.core.tabular.errors import ImportRejected, RowError
from doudi.core.tabular.reader import _cell_text, csv_rows, open_workbook
from doudi.datasets.kinds import (
    KINDS,
    PARSERS,
    CellError,
    CellNote,
    Column,
    Kind,
    canonical_header,
    header_finder,
    kind_of_headers,
)
from doudi.datasets.names import clean_name, name_key


@dataclass(frozen=True)
class Issue:
    row_no: int
    column: str
    value: str
    message: str
    kept: bool


def _fail(file: str, message: str, row: int | None = None, column: str = "") -> ImportRejected:
    return ImportRejected([RowError(file, "", row, column, "", message)])


def open_rows(path: Path) -> Iterator[list[str]]:
    """Rows of text cells, header first. CSV in UTF-8 or GB18030 (reader.detect_encoding);
    an .xlsx passes the decompression-bomb check before calamine opens it."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return csv_rows(path)
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return _xlsx_rows(path)
    raise _fail(path.name, "部门数据应为 .csv 文件（UTF-8 或 GBK/GB18030 编码）或 .xlsx 文件")


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    book = open_workbook(path)
    try:
        sheet = book.get_sheet_by_index(0)
    except Exception:  # calamine raises several types for a damaged file
        raise _fail(path.name, "无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式") from None
    for row in sheet.iter_rows():
        yield [_cell_text(cell) for cell in row]


def map_header(kind: Kind, header: list[str], file: str) -> list[tuple[int, Column | str]]:
    """Positions of 身份证号, 姓名 and every column the file has; rejects any other header.
    A header may leave out its parenthesised note, or carry one (docs/interfaces.md §5)."""
    find = header_finder(kind)
    cleaned = [(find(h) or canonical_header(h)) if canonical_header(h) else "" for h in header]
    allowed = {c.header: c for c in kind.columns + kind.optional_columns}
    allowed.update({"身份证号": "id", "姓名": "name"})
    found = {h for h in cleaned if h}
    required = set(kind.headers)
    if not (required <= found <= set(allowed)) or len(found) != len([h for h in cleaned if h]):
        raise _fail(file, _header_problem(kind, header, cleaned, allowed), row=1)
    return [(index, allowed[name]) for index, name in enumerate(cleaned) if name]


def _header_problem(kind: Kind, header: list[str], cleaned: list[str], allowed: dict) -> str:
    other = kind_of_headers(header)
    if other is not None and other.code != kind.code:
        return f"这是「{other.label}」（{other.code}，{other.department}）的文件，不是「{kind.label}」（{kind.code}）"
    missing = [h for h in kind.headers if h not in cleaned]
    unknown = [h for h in cleaned if h and h not in allowed]
    duplicated = sorted({h for h in cleaned if h and cleaned.count(h) > 1})
    parts = []
    if missing:
        parts.append(f"缺少列：{'、'.join(missing)}")
    if unknown:
        parts.append(f"未知的列：{'、'.join(unknown)}")
    if duplicated:
        parts.append(f"列名重复：{'、'.join(duplicated)}")
    return f"表头与「{kind.label}」不符（{'；'.join(parts)}）。应有的列：{'、'.join(kind.headers)}"


def _clean_id(raw: str) -> str:
    text = "".join(unicodedata.normalize("NFKC", raw).split()).upper().removesuffix(".0")
    if len(text) == 15 and text.isdigit():
        return idnumber.with_check_digit(text[:6] + "19" + text[6:])
    return text


def _date_digits(clean: str) -> dt.date | None:
    if len(clean) != 18 or not clean[:17].isdigit():
        return None
    try:
        return dt.date(int(clean[6:10]), int(clean[10:12]), int(clean[12:14]))
    except ValueError:
        return None


def identity(raw_id: str, raw_name: str, given_birth: dt.date | None) -> tuple[dict, str | None]:
    """The base columns of a row and, when the ID is unusable, the reason."""
    name, key = _name(raw_name)
    values = {"id_raw": raw_id, "name": name, "name_key": key}
    if len(raw_id) == 18 and raw_id.isascii() and raw_id[:17].isdigit() and raw_id[17] in "0123456789X":  # clean: the common case
        clean, status = raw_id, "valid"
    else:
        clean = _clean_id(raw_id)
        status = "legacy15" if len(_digits(raw_id)) == 15 else "normalised"
    try:
        number = idnumber.normalize(clean)
    except idnumber.InvalidIdNumber as exc:
        values.update(id_number=None, id_clean=clean, id_status="invalid", birth_date=given_birth or _date_digits(clean))
        return values, exc.message
    values.update(
        id_number=number,
        id_status=status,
        id_clean=number,
        birth_date=dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
    )
    return values, None


@lru_cache(maxsize=200_000)  # names repeat a great deal in a province's files
def _name(raw: str) -> tuple[str, str]:
    name = clean_name(raw)
    return name, name_key(name)


def _digits(raw: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", raw) if c.isalnum())


class RowParser:
    """Parses the data rows of one file for one kind."""

    def __init__(self, kind: Kind, mapping: list[tuple[int, Column | str]]):
        self.kind = kind
        self.id_at = next(i for i, c in mapping if c == "id")
        self.name_at = next(i for i, c in mapping if c == "name")
        self.columns = [(i, c, c.parser or PARSERS[c.type]) for i, c in mapping if isinstance(c, Column)]

    def parse(self, row_no: int, cells: list[str]) -> tuple[dict | None, list[Issue]]:
        issues: list[Issue] = []
        values: dict = {"row_no": row_no}
        for index, column, parse in self.columns:
            raw = cells[index].strip() if index < len(cells) else ""
            if not raw:
                if column.required:
                    issues.append(Issue(row_no, column.header, "", "不能为空", False))
                values[column.field] = None
                continue
            try:
                values[column.field] = parse(raw)
            except CellNote as note:
                values[column.field] = note.value
                issues.append(Issue(row_no, column.header, raw[:60], str(note), True))
            except CellError as exc:
                issues.append(Issue(row_no, column.header, raw[:60], str(exc), False))
        raw_id = cells[self.id_at] if self.id_at < len(cells) else ""
        raw_name = cells[self.name_at] if self.name_at < len(cells) else ""
        base, id_problem = identity(raw_id, raw_name, values.pop("birth_date_given", None))
        values.update(base)
        if id_problem and not base["name"]:
            issues.append(Issue(row_no, "身份证号", raw_id.strip()[:60], f"{id_problem}，且姓名为空，无法比对", False))
        elif id_problem:
            issues.append(
                Issue(row_no, "身份证号", raw_id.strip()[:60], f"{id_problem}；已保留，将按姓名、出生日期和区划比对", True)
            )
        if any(not issue.kept for issue in issues):
            return None, issues
        return values, issues


def kind_or_fail(code: str) -> Kind:
    from doudi.datasets.kinds import unknown_kind_message

    if code not in KINDS:
        raise _fail(code, unknown_kind_message(code))
    return KINDS[code]
