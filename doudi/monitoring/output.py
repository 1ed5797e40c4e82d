"""docs/interfaces.md §6 output: one row per warning, `rule, id_number, name, household, township,
level, detail`, as CSV (UTF-8 with BOM, so Excel opens it) or JSON lines, by suffix."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

COLUMNS = ["rule", "id_number", "name", "household", "township", "level", "detail"]
SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl"}


class OutputError(Exception):
    pass


def output_format(path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise OutputError(f"输出文件「{path}」的扩展名应为 .csv（Excel 可直接打开）或 .jsonl（JSON Lines）")
    if not Path(path).resolve().parent.is_dir():
        raise OutputError(f"输出文件「{path}」所在的文件夹不存在")
    return SUFFIXES[suffix]


def rows(findings):
    for f in findings:
        yield {
            "rule": f.rule,
            "id_number": f.id_number,
            "name": f.name,
            "household": f.household_code,
            "township": f.township,
            "level": f.level,
            "detail": f.detail,
        }


def write_warnings(path, findings) -> int:
    """Writes beside the target and renames, so a reader never sees half a file."""
    path = Path(path)
    kind = output_format(path)
    temp = path.with_name(f".{path.name}.part")
    count = 0
    with temp.open("w", encoding="utf-8-sig" if kind == "csv" else "utf-8", newline="") as handle:
        writer = csv.writer(handle) if kind == "csv" else None
        if writer:
            writer.writerow(COLUMNS)
        for row in rows(findings):
            detail = json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)
            if writer:
                writer.writerow([row[c] for c in COLUMNS[:-1]] + [detail])
            else:
                handle.write(json.dumps({**row, "detail": row["detail"]}, ensure_ascii=False) + "\n")
            count += 1
    os.replace(temp, path)
    return count
