"""Writes generated households as docs/interfaces.md §4 registry files: three UTF-8 CSVs or one .xlsx.

Both writers consume the household stream as it comes, so a province never has to be in
memory. Money is `Decimal`, written with `str` (1234.50, never 1234.4999999); in Excel it
is a number shown with two decimals, while codes (ID numbers, accounts, phones, region
codes) are always text so Excel does not turn them into 1.40521E+17.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable

from doudi.synth.generate import SynthHousehold
from doudi.synth.spec import SHEETS

Progress = Callable[[int, int], None]  # (households, persons) written so far


class Counts(dict):
    """Rows written per sheet: {'家庭': n, '成员': n, '保障': n}."""


def _cell(value) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def write_registry_csv(
    folder: str | Path, households: Iterable[SynthHousehold], *, progress: Progress | None = None, every: int = 10_000
) -> Counts:
    """Writes 家庭.csv, 成员.csv and 保障.csv into `folder` (created if needed); header row
    is docs/interfaces.md §4's, in order. `progress` is called every `every` households and at the end."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    handles = {name: (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") for name in SHEETS}
    counts = Counts({name: 0 for name in SHEETS})
    try:
        writers = {name: csv.writer(handle, lineterminator="\n") for name, handle in handles.items()}
        for name, headers in SHEETS.items():
            writers[name].writerow(headers)
        house_w, member_w, benefit_w = writers["家庭"], writers["成员"], writers["保障"]
        for household in households:
            house_w.writerow([_cell(v) for v in household.household.values()])
            member_w.writerows([_cell(v) for v in m.values()] for m in household.members)
            benefit_w.writerows([_cell(v) for v in b.values()] for b in household.benefits)
            counts["家庭"] += 1
            counts["成员"] += len(household.members)
            counts["保障"] += len(household.benefits)
            if progress and counts["家庭"] % every == 0:
                progress(counts["家庭"], counts["成员"])
    finally:
        for handle in handles.values():
            handle.close()
    if progress:
        progress(counts["家庭"], counts["成员"])
    return counts


# A fixed creation time keeps the .xlsx byte-identical between runs of the same seed.
_FIXED_CREATED = dt.datetime(2025, 1, 1)


def write_registry_xlsx(
    path: str | Path, households: Iterable[SynthHousehold], *, progress: Progress | None = None, every: int = 10_000
) -> Counts:
    """One workbook with sheets 家庭, 成员, 保障 (xlsxwriter, constant-memory mode).
    Meant for small outputs: Excel stops at 1 048 576 rows per sheet."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    book.set_properties({"created": _FIXED_CREATED, "title": "困难群众登记名册（合成数据）"})
    money = book.add_format({"num_format": "0.00"})
    sheets = {name: book.add_worksheet(name) for name in SHEETS}
    rows = {name: 1 for name in SHEETS}
    for name, headers in SHEETS.items():
        sheets[name].write_row(0, 0, headers)
        sheets[name].freeze_panes(1, 0)
    counts = Counts({name: 0 for name in SHEETS})
    for household in households:
        for name, records in (("家庭", [household.household]), ("成员", household.members), ("保障", household.benefits)):
            for record in records:
                _write_record(sheets[name], rows[name], record, money)
                rows[name] += 1
            counts[name] += len(records)
        if progress and counts["家庭"] % every == 0:
            progress(counts["家庭"], counts["成员"])
    book.close()
    if progress:
        progress(counts["家庭"], counts["成员"])
    return counts


def _write_record(sheet, row: int, record: dict, money) -> None:
    # Constant-memory mode needs cells written left to right, row by row: we do.
    for column, value in enumerate(record.values()):
        if isinstance(value, Decimal):
            sheet.write_number(row, column, float(value), money)
        elif isinstance(value, int):
            sheet.write_number(row, column, value)
        elif value:
            sheet.write_string(row, column, value)
