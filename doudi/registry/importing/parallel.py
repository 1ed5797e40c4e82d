"""Parses a large registry on both cores: the 家庭 and 保障 tables in a forked child while
this process parses 成员 (about two thirds of the cells of a province file).

Only for large CSV folders: forking costs more than it saves on a county file, and the
child inherits everything it needs (tables not yet read, parsers) without pickling them.
The child never touches the database; it leaves through os._exit (multiprocessing), so
the parent's inherited connection is not closed under it.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from doudi.registry.importing.errors import ErrorList
from doudi.registry.importing.reader import Table

PARALLEL_MIN_BYTES = 20 * 1024 * 1024

_TABLES: list[Table] = []  # set before the fork; the child reads them from its copy


def worth_forking(tables: list[Table]) -> bool:
    if os.name != "posix" or any(t.sheet for t in tables):  # .xlsx sheets: calamine handles
        return False
    sizes = [Path(t.file).stat().st_size for t in tables if Path(t.file).exists()]
    return len(sizes) == len(tables) and sum(sizes) >= PARALLEL_MIN_BYTES


def _parse_in_child(index: int):
    from doudi.registry.importing.parse import parse_rows

    errors = ErrorList()
    records = parse_rows(_TABLES[index], errors)
    return records, errors.items, errors.total


def parse_in_parallel(tables: list[Table], errors: ErrorList) -> dict[str, list]:
    """Records per sheet; errors are merged in sheet order, as a serial parse gives them."""
    from doudi.registry.importing.parse import parse_rows

    _TABLES[:] = tables
    local = ErrorList()
    by_sheet, outcomes = {}, {}
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {t.sheet_name: pool.submit(_parse_in_child, i) for i, t in enumerate(tables) if t.sheet_name != "成员"}
        members = next(t for t in tables if t.sheet_name == "成员")
        by_sheet["成员"] = parse_rows(members, local)
        outcomes["成员"] = (local.items, local.total)
        for name, future in futures.items():
            by_sheet[name], items, total = future.result()
            outcomes[name] = (items, total)
    _TABLES.clear()
    for table in tables:
        items, total = outcomes[table.sheet_name]
        for error in items:
            errors.add(error)
        errors.total += total - len(items)
    return by_sheet
