"""The vectorised path of the dataset parser, for CSV files (a province's department
files run to tens of millions of rows; row-by-row Python manages ~30k rows/s).

Rows whose every cell is plainly fine — a clean 18-character number that passes the
check digit, region and birth date checks, a name, typed cells that parse — are
converted column-wise with pyarrow, each distinct cell value parsed once by the same
parser the row path uses (kinds.py). Every other row is handed back as its cells for
RowParser.parse, the one place that words row issues. Rows come out in file order, so
duplicates and issues are the row path's exactly (tests/test_fastparse.py).

Row numbers must equal the row path's (record number + 1): files with blank lines or
quoted cells spanning lines take the row path.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from doudi.core import idnumber
from doudi.core.tabular.reader import detect_encoding
from doudi.datasets import storage
from doudi.datasets.kinds import CellError
from doudi.datasets.parsing import RowParser, _name

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_FAILED = object()


def suitable(path: Path) -> bool:
    """A CSV whose records are its lines: no blank lines (pyarrow skips them, the row
    path counts them) and no quoted cell running over a line end. Byte checks hold for
    GB18030 too: its multi-byte characters never contain a quote or a line end."""
    if path.suffix.lower() != ".csv":
        return False
    with path.open("rb") as handle:
        data = handle.read()
    if b"\n\n" in data or b"\r" in data:
        return False
    return b'"' not in data or all(line.count(b'"') % 2 == 0 for line in data.split(b"\n"))


def batches(path: Path, parser: RowParser, width: int, seen: dict) -> Iterator[tuple[pa.Table, list, list]]:
    """Per block of the file: (storage table of the plainly fine rows, [(row_no, cells)]
    of the others, [(row_no, earlier row_no)] of exact duplicates). `seen` maps each
    row's stripped cells to its row number, across blocks, so the first of identical
    rows is kept as on the row path."""
    names = [f"c{i}" for i in range(width)]
    # Arrow reads UTF-8 itself (a BOM is skipped); GB18030 it transcodes with Python's codec.
    encoding = "utf8" if detect_encoding(path) == "utf-8-sig" else "gb18030"
    reader = pacsv.open_csv(
        str(path),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=32 << 20, encoding=encoding),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    first = 2
    for batch in reader:
        table = pa.Table.from_batches([batch])
        yield _batch(table, parser, first, seen)
        first += table.num_rows


def _batch(table: pa.Table, parser: RowParser, first: int, seen: dict):
    ids = table.column(parser.id_at)
    ok = pc.fill_null(clean_ids(ids), False)
    ok = pc.and_(ok, pc.not_equal(pc.utf8_length(pc.utf8_trim_whitespace(table.column(parser.name_at))), 0))
    typed = {}
    for index, column, parse in parser.columns:
        typed[column.field], good = _typed(table.column(index), column, parse)
        ok = pc.and_(ok, good)
    keys = pc.binary_join_element_wise(*[pc.utf8_trim_whitespace(c) for c in table.columns], "\x1f").to_pylist()
    fast, slow, duplicates = [], [], []
    for row, (key, fine) in enumerate(zip(keys, ok.to_pylist())):
        earlier = seen.get(key)
        if earlier is not None:
            duplicates.append((first + row, earlier))
            continue
        seen[key] = first + row
        if fine:
            fast.append(row)
        else:
            slow.append((first + row, [table.column(i)[row].as_py() for i in range(table.num_columns)]))
    return _fast_table(parser, table, typed, pa.array(fast, pa.int64()), first), slow, duplicates


def _fast_table(parser: RowParser, table: pa.Table, typed: dict, rows: pa.Array, first: int) -> pa.Table:
    number = pc.take(table.column(parser.id_at), rows)
    clean, key = _names(pc.take(table.column(parser.name_at), rows))
    birth = pc.cast(pc.strptime(pc.utf8_slice_codeunits(number, 6, 14), format="%Y%m%d", unit="s"), pa.date32())
    schema = storage.schema(parser.kind)
    columns = {
        "row_no": pc.cast(pc.add(rows, first), pa.int32()),
        "id_number": number,
        "id_raw": number,
        "id_clean": number,
        "id_status": pa.array(["valid"] * len(rows), pa.string()),
        "name": clean,
        "name_key": key,
        "birth_date": birth,
        "region_code": pc.take(typed["region_code"], rows) if "region_code" in typed else pa.nulls(len(rows), pa.string()),
    }
    for field in schema.names[len(columns) :]:
        columns[field] = pc.take(typed[field], rows)
    return pa.table([columns[n] for n in schema.names], schema=schema)


def clean_ids(ids) -> pa.ChunkedArray:
    """True where the cell is already a valid canonical number (idnumber.normalize would
    return it unchanged); anything else is left to the row path."""
    shaped = pc.match_substring_regex(ids, r"^[0-9]{17}[0-9X]$")
    padded = pc.if_else(shaped, ids, pa.scalar("11010119000101000X"))
    total = pc.multiply(pc.cast(pc.utf8_slice_codeunits(padded, 0, 1), pa.int32()), _WEIGHTS[0])
    for k, weight in enumerate(_WEIGHTS[1:], start=1):
        total = pc.add(total, pc.multiply(pc.cast(pc.utf8_slice_codeunits(padded, k, k + 1), pa.int32()), weight))
    remainder = pc.subtract(total, pc.multiply(pc.divide(total, 11), 11))
    expected = pc.take(pa.array(list("10X98765432")), remainder)
    good = pc.and_(shaped, pc.equal(pc.utf8_slice_codeunits(padded, 17, 18), expected))
    births = pc.strptime(pc.utf8_slice_codeunits(padded, 6, 14), format="%Y%m%d", unit="s", error_is_null=True)
    today = pa.scalar(dt.datetime.combine(dt.date.today(), dt.time()), pa.timestamp("s"))
    earliest = pa.scalar(dt.datetime(1880, 1, 1), pa.timestamp("s"))
    in_range = pc.and_(pc.less_equal(births, today), pc.greater_equal(births, earliest))
    good = pc.and_(good, pc.fill_null(in_range, False))
    prefixes = pc.utf8_slice_codeunits(padded, 0, 6)
    known = [p for p in pc.unique(prefixes).to_pylist() if idnumber._known_region(p)]
    return pc.and_(good, pc.is_in(prefixes, value_set=pa.array(known, pa.string())))


def _distinct(column: pa.ChunkedArray) -> tuple[list, pa.Array]:
    encoded = pc.dictionary_encode(column).combine_chunks()
    return encoded.dictionary.to_pylist(), encoded.indices


def _names(column) -> tuple[pa.Array, pa.Array]:
    """(cleaned names, pinyin keys)."""
    values, indices = _distinct(column)
    pairs = [_name(v) for v in values]
    return (
        pc.take(pa.array([p[0] for p in pairs], pa.string()), indices),
        pc.take(pa.array([p[1] for p in pairs], pa.string()), indices),
    )


def _typed(column, spec, parse) -> tuple[pa.Array, pa.Array]:
    """(parsed values, ok mask) for one typed column; each distinct cell parsed once."""

    def one(raw: str):
        text = raw.strip()
        if not text:
            return _FAILED if spec.required else None
        try:
            return parse(text)
        except CellError:
            return _FAILED

    values, indices = _distinct(column)
    parsed = [one(v) for v in values]
    good = pa.array([p is not _FAILED for p in parsed], pa.bool_())
    typed = pa.array([None if p is _FAILED else p for p in parsed], storage.field_type(spec))
    return pc.take(typed, indices), pc.take(good, indices)
