"""Turns each table's text rows into typed records, checking headers and every cell,
then checks the rows against each other (duplicates, one household per person, heads,
benefits that point at members)."""

from __future__ import annotations

from dataclasses import dataclass, field

from doudi.core import codes, idnumber, regions
from doudi.core.tabular.errors import ErrorList, RowError
from doudi.registry.importing.columns import (
    OPTIONAL_COLUMNS,
    SHEETS,
    CellError,
    Column,
    canonical_header,
    header_finder,
)
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
    optional = OPTIONAL_COLUMNS[table.sheet_name]
    known = {c.header: c for c in (*columns, *optional)}
    find = header_finder(known)
    positions: dict[str, int] = {}
    before = errors.total
    for index, raw in enumerate(header):
        if not canonical_header(raw):
            continue
        name = find(raw)
        if name is None:
            expected = "、".join(c.header for c in columns)
            extra = f"；可选列：{'、'.join(c.header for c in optional)}" if optional else ""
            errors.add(
                RowError(
                    table.file,
                    table.sheet,
                    1,
                    raw,
                    "",
                    f"未知的列「{raw}」，工作表「{table.sheet_name}」应有的列：{expected}{extra}",
                )
            )
        elif name in positions:
            errors.add(RowError(table.file, table.sheet, 1, raw, "", "列名重复"))
        else:
            positions[name] = index
    missing = [c.header for c in columns if c.header not in positions]
    if missing:
        errors.add(RowError(table.file, table.sheet, 1, "", "", f"缺少列：{'、'.join(missing)}"))
    if missing or errors.total > before:
        return None
    return [(positions[c.header], c) for c in (*columns, *optional) if c.header in positions]


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
    unknown: list[tuple[int, str]] = []
    for record in records:
        code = record.values["code"]
        if code in parsed.households:
            errors.add(
                RowError(file, sheet, record.row, "户编号", code, f"户编号重复（与第{parsed.households[code].row}行相同）")
            )
            continue
        try:
            region = regions.normalize_code(record.values["region"])
        except regions.InvalidRegionCode as exc:
            errors.add(RowError(file, sheet, record.row, "行政区划代码", record.values["region"], str(exc)))
            continue
        if known_regions is not None and region not in known_regions:
            unknown.append((record.row, region))
            continue
        record.values["region"] = region
        parsed.households[code] = record
    if unknown:
        _unknown_regions(file, sheet, unknown, known_regions, errors)


REGIONS_FIRST = "请先导入行政区划：doudi import regions 区划.csv（表头：区划代码,名称,级别,上级区划代码；见《台账导入格式》）"


def _unknown_regions(file: str, sheet: str, unknown: list[tuple[int, str]], known_regions: set[str], errors: ErrorList) -> None:
    """One message saying what to do, first; then the rows, unless no village is known at
    all (every row would say the same thing)."""
    codes_seen = sorted({region for _row, region in unknown})
    sample = "、".join(codes_seen[:3]) + ("等" if len(codes_seen) > 3 else "")
    if not known_regions:
        errors.add_first(
            RowError(
                file,
                sheet,
                None,
                "行政区划代码",
                "",
                f"系统中还没有行政区划（村/社区），{len(unknown)}户无法落到村（如 {sample}）。{REGIONS_FIRST}",
            )
        )
        return
    errors.add_first(
        RowError(
            file, sheet, None, "行政区划代码", "", f"{len(unknown)}户的行政区划代码在系统中不存在（如 {sample}）。{REGIONS_FIRST}"
        )
    )
    for row, region in unknown:
        errors.add(RowError(file, sheet, row, "行政区划代码", region, "未知的行政区划代码（系统中没有这个村/社区）"))


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
            errors.add(
                RowError(
                    file,
                    sheet,
                    record.row,
                    "身份证号",
                    number,
                    f"同一人出现在两个家庭：第{earlier.row}行在户「{earlier.values['household']}」，本行在户「{record.values['household']}」",
                )
            )


def check_benefit_holders(parsed: ParsedRegistry, errors: ErrorList) -> None:
    """Benefit rows: personal categories name a member, household ones do not (低收入人口
    may do either, but not both in one household); no twins."""
    file, sheet = parsed.files["保障"]
    seen: dict[tuple, int] = {}
    either: dict[tuple, tuple[bool, int]] = {}  # (household, category) -> (per person?, first row)
    for record in parsed.benefits:
        values = record.values
        raw_id = values["id_number"]
        category = values["category"]
        household_level = category in codes.HOUSEHOLD_CATEGORIES and not (raw_id and category in codes.PER_PERSON_OR_HOUSEHOLD)
        label = codes.CATEGORY_SHORT[category]
        if household_level and raw_id:
            errors.add(
                RowError(file, sheet, record.row, "身份证号(个人类别填写)", raw_id, f"「{label}」按户保障，身份证号应留空")
            )
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
        if category in codes.PER_PERSON_OR_HOUSEHOLD and not _one_way(either, record, label, file, sheet, errors):
            continue
        if category == "tekun" and values["support_mode"] == "centralized" and not values["institution"]:
            errors.add(RowError(file, sheet, record.row, "供养机构", "", "集中供养须填写供养机构"))
        key = (values["household"], values["id_number"], category)
        if key in seen:
            errors.add(RowError(file, sheet, record.row, "保障类别", label, f"同一保障重复（与第{seen[key]}行相同）"))
        seen[key] = record.row


def _one_way(either: dict, record: Record, label: str, file: str, sheet: str, errors: ErrorList) -> bool:
    """A household's 低收入人口 is written per member or once for all, not both: both
    would count its members twice."""
    per_person = bool(record.values["id_number"])
    key = (record.values["household"], record.values["category"])
    first = either.setdefault(key, (per_person, record.row))
    if first[0] == per_person:
        return True
    how = "按人登记（逐人填写身份证号）" if first[0] else "已按户登记（身份证号留空表示全户成员）"
    errors.add(
        RowError(
            file,
            sheet,
            record.row,
            "身份证号(个人类别填写)",
            idnumber.mask(record.values["id_number"]) if per_person else "",
            f"户「{key[0]}」的「{label}」第{first[1]}行{how}，同一户只能用一种方式登记",
        )
    )
    return False
