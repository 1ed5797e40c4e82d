"""The batch's input tables: households, members, vehicles and per-county parameters.

Rows are exactly what `doudi.rules.inputs.household_rows` produces for `assess` (same
names, same meaning); this module only fixes their Arrow types so DuckDB and Spark see
the same DECIMAL widths, and resolves the parameters once per (county, month) through
`doudi.rules.policy` instead of once per household.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from doudi.rules.errors import RulesError
from doudi.rules.inputs import INCOME
from doudi.rules.schema import PARAMETERS

MONEY = pa.decimal128(14, 2)
INT = pa.int32()
TEXT, FLAG = pa.string(), pa.bool_()
UNIT_TYPES = {
    "yuan": MONEY,
    "ratio": pa.decimal128(10, 4),
    "months": INT,
    "count": INT,
    "years": INT,
    "bool": FLAG,
    "list": TEXT,
    "choice": TEXT,
}


def list_text(items) -> str:
    """A list parameter as ',a,b,' text: membership is a substring test, far cheaper for
    the engines than a list value repeated on every joined row (see rules.rewrite)."""
    return "," + "".join(f"{item}," for item in items)


INPUT_SCHEMAS = {
    "households": pa.schema(
        [
            ("household_id", TEXT),
            ("region", TEXT),
            ("county", TEXT),
            ("hukou", TEXT),
            ("fin_assets", MONEY),
            ("properties", INT),
            ("businesses", INT),
            ("exp_medical", MONEY),
            ("exp_education", MONEY),
            ("poverty_monitoring", FLAG),
            ("poverty_alleviated", FLAG),
            ("month_year", INT),
            ("month_m", INT),
            ("month_index", INT),
            ("held_dibao", FLAG),
            ("held_dibao_amount", MONEY),
            ("taper_start_index", INT),
        ]
    ),
    "members": pa.schema(
        [
            ("household_id", TEXT),
            ("member_index", INT),
            ("person", TEXT),
            ("name", TEXT),
            ("birth_y", INT),
            ("birth_m", INT),
            ("birth_d", INT),
            ("dis_kind", TEXT),
            ("dis_level", INT),
            ("serious_illness", FLAG),
            ("self_care", TEXT),
            ("employed", FLAG),
            ("capable_supporter", FLAG),
            ("orphan", FLAG),
            ("unsupported_child", FLAG),
            ("support_mode", TEXT),
            ("held_tekun", FLAG),
            *[(f"inc_{part}", MONEY) for part in INCOME],
        ]
    ),
    "vehicles": pa.schema([("household_id", TEXT), ("vehicle_kind", TEXT), ("vehicle_value", MONEY)]),
    "params": pa.schema([("county", TEXT)] + [("p_" + n.replace(".", "_"), UNIT_TYPES[s.unit]) for n, s in PARAMETERS.items()]),
}
INT_COLUMNS = {name for schema in INPUT_SCHEMAS.values() for name in schema.names if schema.field(name).type == INT}


def empty_tables() -> dict[str, pa.Table]:
    return {name: schema.empty_table() for name, schema in INPUT_SCHEMAS.items()}


class RowsBuilder:
    """Accumulates flattened households column by column (cheap: no per-row dicts kept)."""

    def __init__(self):
        self.columns = {name: {c: [] for c in INPUT_SCHEMAS[name].names} for name in ("households", "members", "vehicles")}

    def __len__(self) -> int:
        return len(self.columns["households"]["household_id"])

    def add(self, household: dict, members: list[dict], vehicles: list[dict]) -> None:
        hid = household["household_id"]
        self._append("households", {**household, "county": household["region"][:6]})
        for index, member in enumerate(members):
            self._append("members", {**member, "household_id": hid, "member_index": index})
        for vehicle in vehicles:
            self._append("vehicles", {**vehicle, "household_id": hid})

    def _append(self, table: str, row: dict) -> None:
        for column, values in self.columns[table].items():
            value = row.get(column)
            values.append(int(value) if column in INT_COLUMNS and value is not None else value)

    def tables(self) -> dict[str, pa.Table]:
        return {name: _table(name, cols) for name, cols in self.columns.items()}


def _table(name: str, columns: dict[str, list]) -> pa.Table:
    schema = INPUT_SCHEMAS[name]
    arrays = []
    for column, values in columns.items():
        try:
            arrays.append(pa.array(values, type=schema.field(column).type))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            bad = next((v for v in values if isinstance(v, Decimal) and v.as_tuple().exponent < -2), None)
            raise RulesError(f"字段 {column}：金额 {bad} 超过两位小数（批量评估按分计算）") from None
    return pa.Table.from_arrays(arrays, schema=schema)


def params_table(policy, day: dt.date, counties) -> pa.Table:
    """One row per county: every parameter in force on `day` for that county's chain."""
    rows: dict[str, list] = {name: [] for name in INPUT_SCHEMAS["params"].names}
    for county in sorted(set(counties)):
        resolved = policy.resolve(county, day)
        rows["county"].append(county)
        for name in PARAMETERS:
            value = resolved[name].value
            rows["p_" + name.replace(".", "_")].append(list_text(value) if isinstance(value, tuple) else value)
    schema = INPUT_SCHEMAS["params"]
    arrays = []
    for column, values in rows.items():
        try:
            arrays.append(pa.array(values, type=schema.field(column).type))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            raise RulesError(f"参数 {column[2:]} 的取值 {values} 小数位过多，批量评估无法精确计算") from None
    return pa.Table.from_arrays(arrays, schema=schema)
