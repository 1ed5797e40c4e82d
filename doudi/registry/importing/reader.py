"""Opens what the clerk handed us for the registry (one .xlsx, a folder of three CSVs, or
three CSV paths) as the tables 家庭, 成员, 保障, with the shared reader (doudi.core.tabular)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from doudi.core.tabular.reader import (  # noqa: F401  (the registry importer's reader API)
    ENCODING_LABELS,
    Table,
    _cell_text,
    _fail,
    check_zip_size,
    csv_rows,
    detect_encoding,
    encoding_note,
    open_workbook,
)
from doudi.core.tabular.reader import csv_encodings as _file_encodings

SHEET_NAMES = ("家庭", "成员", "保障")


def _xlsx_tables(path: Path) -> list[Table]:
    book = open_workbook(path)
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
    encodings = {name: detect_encoding(by_name[name]) for name in SHEET_NAMES}
    return [
        Table(by_name[name].name, "", name, csv_rows(by_name[name], encodings[name]), encodings[name]) for name in SHEET_NAMES
    ]


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


def csv_encodings(paths: list[str | Path]) -> dict[str, str]:
    """File name → encoding label of each CSV among `paths` (a folder: its three files)."""
    files = []
    for path in map(Path, paths):
        files += [path / f"{name}.csv" for name in SHEET_NAMES] if path.is_dir() else [path]
    return _file_encodings(files)
