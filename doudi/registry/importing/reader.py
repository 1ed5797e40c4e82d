"""Opens what the clerk handed us (one .xlsx, a folder of three CSVs, or three CSV
paths) as tables of text cells. Excel is read with python-calamine."""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from doudi.registry.importing.errors import ImportRejected, RowError

SHEET_NAMES = ("家庭", "成员", "保障")


@dataclass
class Table:
    file: str
    sheet: str  # "" for a CSV file
    sheet_name: str  # which of SHEET_NAMES it holds
    rows: Iterable[list[str]]  # the header row first


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


def _csv_rows(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        try:
            yield from csv.reader(handle)
        except UnicodeDecodeError:
            raise _fail(path.name, "文件不是 UTF-8 编码的 CSV，请另存为“CSV UTF-8”后重试") from None
        except csv.Error as exc:
            raise _fail(path.name, f"CSV 格式错误：{exc}") from None


def _xlsx_tables(path: Path) -> list[Table]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception:  # calamine raises several types for a damaged file
        raise _fail(path.name, "无法读取 Excel 文件：文件已损坏或不是 .xlsx 格式") from None
    missing = [name for name in SHEET_NAMES if name not in book.sheet_names]
    if missing:
        raise _fail(path.name, f"缺少工作表「{'」「'.join(missing)}」；应包含工作表：家庭、成员、保障")

    def rows(name: str) -> Iterator[list[str]]:
        for row in book.get_sheet_by_name(name).iter_rows():
            yield [_cell_text(cell) for cell in row]

    return [Table(path.name, name, name, rows(name)) for name in SHEET_NAMES]


def _csv_tables(paths: list[Path], label: str = "") -> list[Table]:
    by_name: dict[str, Path] = {}
    for path in paths:
        if path.stem not in SHEET_NAMES:
            raise _fail(path.name, "CSV 文件名应为 家庭.csv、成员.csv 或 保障.csv")
        by_name[path.stem] = path
    missing = [name for name in SHEET_NAMES if name not in by_name]
    if missing:
        raise _fail(label or ", ".join(p.name for p in paths), f"缺少文件 {'、'.join(m + '.csv' for m in missing)}")
    return [Table(by_name[name].name, "", name, _csv_rows(by_name[name])) for name in SHEET_NAMES]


def open_registry(paths: list[str | Path]) -> list[Table]:
    """The three tables, in the order 家庭, 成员, 保障."""
    resolved = [Path(p) for p in paths]
    for path in resolved:
        if not path.exists():
            raise _fail(str(path), "文件或文件夹不存在")
    if len(resolved) == 1 and resolved[0].is_dir():
        folder = resolved[0]
        found = [folder / f"{name}.csv" for name in SHEET_NAMES if (folder / f"{name}.csv").exists()]
        return _csv_tables(found, label=f"文件夹 {folder.name}")
    if len(resolved) == 1 and resolved[0].suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        return _xlsx_tables(resolved[0])
    if all(p.suffix.lower() == ".csv" for p in resolved):
        return _csv_tables(resolved)
    raise _fail(", ".join(p.name for p in resolved), "应为一个 .xlsx 文件、一个含三个 CSV 的文件夹，或三个 CSV 文件")
