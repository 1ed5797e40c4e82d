"""Turns each table's text rows into typed records, checking headers and every cell,
then checks the rows against each other (duplicates, one household per person, heads,
benefits that point at members)."""
from __future__ import annotations

from dataclasses import dataclass, field

from doudi.core import codes, idnumber, regions
from doudi.registry.importing.columns import HEADER_ALIASES, SHEETS, CellError, Column, canonical_header
from doudi.registry.importing.errors import ErrorList, RowError
from doudi.registry.importing.reader import Table


@dataclass
class Record:
    row: int
    values: dict


@dataclass
class ParsedRegistry:
    households: dict[str, Record] = field(default_factory=dict)
    members: dict[str, Record] = field(default_factory=dict)  # by normalised ID number
    benefits: list[Record] = field(default_factory=list)
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # sheet -> (file, sheet label)


def _map_headers(table: Table, header: list[str], errors: ErrorList) -> list[tuple[int, Column]] | None:
    columns = SHEETS[table.sheet_name]
    known = {c.header: c for c in columns}
    cleaned = [canonical_header(h) for h in header]
    positions: dict[str, int] = {}
    before = errors.total
    for index, name in enumerate(cleaned):
        name = name if name in known else HEADER_ALIASES.get(name, name)
        if not name:
            continue
        if name not in known:
            errors.add(RowError(table.file, table.sheet, 1, header[index], "", f"未知的列「{header[index]}」，工作表「{table.sheet_name}」应有的列：{'、'.join(known)}"))
        elif name in positions:
            errors.add(RowError(table.file, table.sheet, 1, header[index], "", "列名重复"))
        else:
            positions[name] = index
    missing = [c.header for c in columns if c.header not in positions]
    if missing:
        errors.add(RowError(table.file, table.sheet, 1, "", "", f"缺少列：{'、'.join(missing)}"))
    if missing or errors.total > before:
        return None
    return [(positions[c.header], c) for c in columns]


def parse_rows(table: Table, errors: ErrorList) -> list[Record]:
    rows = iter(table.rows)
    header = next(rows, None)
    if header is None or not any(cell.strip() for cell in header):
        errors.add(RowError(table.file, table.sheet, None, "", "", f"「{table.sheet_name}」为空：没有表头行"))
        return []
    mapping = _map_headers(table, header, errors)
    if mapping is None:
        return []
    # The hot loop of every import (a million rows at province scale): everything a cell
    # needs is bound once, outside it.
    plan = [(index, column.field, column.parse, column.required, column.header) for index, column in mapping]
    width = max(index for index, *_ in plan) + 1
    where = (table.file, table.sheet)
    records = []
    for row_number, cells in enumerate(rows, start=2):
        if len(cells) < width:
            cells = [*cells, *[""] * (width - len(cells))]
        if not "".join(cells).strip():
            continue
        values, ok = {}, True
        for index, name, parse, required, header in plan:
            raw = cells[index]
            if required and not raw.strip():
                errors.add(RowError(*where, row_number, header, "", "不能为空"))
                ok = False
                continue
            try:
                values[name] = parse(raw)
            except CellError as exc:
                errors.add(RowError(*where, row_number, header, raw.strip()[:60], str(exc)))
                ok = False
        if ok:
            records.append(Record(row_number, values))
    return records


def parse_tables(tables: list[Table], known_regions: set[str] | None, errors: ErrorList) -> ParsedRegistry:
    """Parses the three tables; known_regions=None skips the region check (dry read)."""
    parsed = ParsedRegistry()
    for table in tables:
        parsed.files[table.sheet_name] = (table.file, table.sheet)
    # One process: parsing 家庭 and 保障 in a forked child was tried and lost more to
    # sending 1.2M records back (pickling) than the second core won (16.5 s vs 15.4 s).
    by_sheet = {table.sheet_name: parse_rows(table, errors) for table in tables}
    _index_households(parsed, by_sheet["家庭"], known_regions, errors)
    _index_members(parsed, by_sheet["成员"], errors)
    parsed.benefits = by_sheet["保障"]
    if not by_sheet["家庭"] and not by_sheet["成员"] and not by_sheet["保障"] and not errors:
        file, sheet = parsed.files["家庭"]
        errors.add(RowError(file, sheet, None, "", "", "文件中没有任何数据行"))
    return parsed


def _index_households(parsed: ParsedRegistry, records: list[Record], known_regions, errors: ErrorList) -> None:
    file, sheet = parsed.files["家庭"]
    for record in records:
        code = record.values["code"]
        if code in parsed.households:
            errors.add(RowError(file, sheet, record.row, "户编号", code, f"户编号重复（与第{parsed.households[code].row}行相同）"))
            continue
        try:
            region = regions.normalize_code(record.values["region"])
        except regions.InvalidRegionCode as exc:
            errors.add(RowError(file, sheet, record.row, "行政区划代码", record.values["region"], str(exc)))
            continue
        if known_regions is not None and region not in known_regions:
            errors.add(RowError(file, sheet, record.row, "行政区划代码", region, "未知的行政区划代码（系统中没有这个村/社区）"))
            continue
        record.values["region"] = region
        parsed.households[code] = record


def _index_members(parsed: ParsedRegistry, records: list[Record], errors: ErrorList) -> None:
    file, sheet = parsed.files["成员"]
    for record in records:
        number = record.values["id_number"]
        earlier = parsed.members.get(number)
        if earlier is None:
            parsed.members[number] = record
        elif earlier.values["household"] == record.values["household"]:
            errors.add(RowError(file, sheet, record.row, "身份证号", number, f"身份证号重复（与第{earlier.row}行相同）"))
        else:
            errors.add(RowError(file, sheet, record.row, "身份证号", number,
                                f"同一人出现在两个家庭：第{earlier.row}行在户「{earlier.values['household']}」，本行在户「{record.values['household']}」"))


def check_benefit_holders(parsed: ParsedRegistry, errors: ErrorList) -> None:
    """Benefit rows: personal categories name a member, household ones do not; no twins."""
    file, sheet = parsed.files["保障"]
    seen: dict[tuple, int] = {}
    for record in parsed.benefits:
        values = record.values
        raw_id = values["id_number"]
        household_level = values["category"] in codes.HOUSEHOLD_CATEGORIES
        label = codes.CATEGORY_SHORT[values["category"]]
        if household_level and raw_id:
            errors.add(RowError(file, sheet, record.row, "身份证号(个人类别填写)", raw_id, f"「{label}」按户保障，身份证号应留空"))
            continue
        if not household_level and not raw_id:
            errors.add(RowError(file, sheet, record.row, "身份证号(个人类别填写)", "", f"「{label}」按人保障，须填写身份证号"))
            continue
        if raw_id:
            try:
                values["id_number"] = idnumber.normalize(raw_id)
            except idnumber.InvalidIdNumber as exc:
                errors.add(RowError(file, sheet, record.row, "身份证号(个人类别填写)", raw_id, exc.message))
                continue
        if values["category"] == "tekun" and values["support_mode"] == "centralized" and not values["institution"]:
            errors.add(RowError(file, sheet, record.row, "供养机构", "", "集中供养须填写供养机构"))
        key = (values["household"], values["id_number"], values["category"])
        if key in seen:
            errors.add(RowError(file, sheet, record.row, "保障类别", label, f"同一保障重复（与第{seen[key]}行相同）"))
        seen[key] = record.row
