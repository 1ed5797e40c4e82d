"""The tables the comparison rules read, built from the register, the department datasets
and the dated parameters, and loaded into a doudi.batch engine.

Registry snapshot (as of the comparison date):
  persons(person_id, id_number, name, household_id, village, county, household_code, hukou, birth_ymd,
          disability 'kind:level' or '', income)  income = 工资+经营+财产性 monthly, Decimal
  benefits(household_id, person_id | null, category, since, share)  in force on the date;
          share = the holder's monthly amount, a household benefit split per member
Parameters, one row per county present in the register:
  params(county, vehicle_red_count, business_max, …)   numbers (see PARAM_COLUMNS)
  param_items(county, name, item)                      list parameters (see LIST_PARAMS)
Department data (doudi.datasets, newest snapshot per kind; linked to registry persons by
doudi.datasets.linkage, person_id null when unmatched or ambiguous):
  ds_<kind>(person_id, …)   renamed columns, see DATASET_VIEWS
  ds_cadre_relative(import_id, row_no, relative_id_number)  one row per listed close relative
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
from django.db import connection

from doudi.datasets.names import clean_name, name_key
from doudi.datasets.selectors import PERSON_SCHEMA
from doudi.monitoring.linking import LINK_PERSONS, load_linked
from doudi.rules.policy import load_policy

MONEY = pa.decimal128(14, 2)
CENT = Decimal("0.01")

# column in `params` → dated parameter (numbers)
PARAM_COLUMNS = {
    "vehicle_red_count": "compare.vehicle.red_count",
    "business_max": "assets.business_max",
    "business_capital_exempt_max": "compare.business.capital_exempt_max",
    "business_red_capital": "compare.business.red_capital",
    "pension_ratio": "compare.pension.ratio",
    "pension_red_ratio": "compare.pension.red_ratio",
    "dibao_standard_urban": "dibao.standard.urban",
    "dibao_standard_rural": "dibao.standard.rural",
    "property_max": "assets.property_max",
    "real_estate_red_excess": "compare.real_estate.red_excess",
    "tekun_elderly_age": "tekun.elderly_age",
    "tekun_minor_age": "tekun.minor_age",
    "high_medical_months": "compare.high_medical.months",
    "high_medical_self_pay_min": "compare.high_medical.self_pay_min",
    "high_medical_red_min": "compare.high_medical.red_min",
}
# name in `param_items` → dated list parameter
LIST_PARAMS = {
    "paid": "compare.paid_categories",
    "means_tested": "compare.means_tested_categories",
    "missed": "compare.missed_categories",
    "high_medical": "compare.high_medical.categories",
    "vehicle_exempt": "assets.vehicle_exempt_kinds",
    "single_disability": "dibao_single.disability_list",
    "tekun_disability": "tekun.disability_list",
}
PARAM_TYPE = pa.decimal128(18, 4)

# ds_<kind>: the rule-facing names of each dataset's stored columns (doudi/datasets/storage.py).
DATASET_VIEWS = {
    "death": "death_date",
    "vehicle": "plate, vehicle_type, registered_on AS registered",
    "business": "business_name AS entity_name, business_role AS role, capital_10k * 10000 AS capital, "
                "founded_on AS founded, business_status AS status",
    "public_employee": "employer, hired_on AS hired",
    "pension": "pension_kind AS scheme, monthly_amount AS monthly",
    "prisoner": "prison_from AS admitted, prison_until AS released",
    "cadre": "import_id, row_no, id_number AS cadre_id_number, name AS cadre_name, region_code AS cadre_region, post",
    "disability": "CONCAT(disability_kind, ':', CAST(disability_level AS VARCHAR)) AS disability, issued_on AS issued",
    "poverty_monitoring": "monitoring_type AS monitor_type, since AS enrolled",
    "medical": "settled_on AS settled, total_cost AS total, self_pay",
    "real_estate": "location, floor_area AS area, registered_on AS registered",
    "recipients_elsewhere": "category, region_code AS region, since AS start_date, until AS end_date",
}


def _decimal(value) -> Decimal:
    # SQLite hands NUMERIC back as float or int; PostgreSQL as Decimal.
    return value if isinstance(value, Decimal) else Decimal(str(value or 0)).quantize(CENT)


def _fetch(sql: str, params: list, chunk: int = 50_000):  # rows, a chunk at a time
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            yield from rows


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


PERSON_SQL = ("SELECT p.id, p.id_number, p.name, p.household_id, h.region_id, h.hukou, p.birth_date, p.disability_kind, "
              "p.disability_level, p.income_wage + p.income_business + p.income_property, h.code FROM registry_person p "
              "JOIN registry_household h ON h.id = p.household_id WHERE h.region_id LIKE %s")
PERSON_FIELDS = [("person_id", pa.int64()), ("id_number", pa.string()), ("name", pa.string()), ("household_id", pa.int64()),
                 ("village", pa.string()), ("county", pa.string()), ("household_code", pa.string()), ("hukou", pa.string()),
                 ("birth_ymd", pa.int32()), ("disability", pa.string()), ("income", MONEY)]


def registry_tables(as_of: dt.date, region_code: str = "") -> dict[str, pa.Table]:
    """persons, benefits and the linkage's view of the persons (doudi.datasets.selectors.
    PERSON_SCHEMA), from one read of the register (optionally one region's subtree)."""
    like = [f"{region_code}%"]
    persons, linkable = [], []
    with connection.cursor() as cursor:
        cursor.execute(PERSON_SQL, like)
        while rows := cursor.fetchmany(50_000):
            batch, link_batch = _person_batch(rows)
            persons.append(batch)
            linkable.append(link_batch)
    persons = pa.Table.from_batches(persons, schema=pa.schema(PERSON_FIELDS))
    sizes = persons.group_by("household_id").aggregate([("person_id", "count")])
    members = dict(zip(sizes.column("household_id").to_pylist(), sizes.column("person_id_count").to_pylist()))
    return {"persons": persons, "benefits": _benefits(as_of, like, members),
            "link_persons": pa.Table.from_batches(linkable, schema=PERSON_SCHEMA)}


def _person_batch(rows) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    ids, numbers, names, households, villages, hukou, births, kinds, levels, incomes, codes = zip(*rows)
    births = [_as_date(b) for b in births]
    cleaned = [clean_name(n) for n in names]
    persons = pa.record_batch([
        ids, numbers, names, households, villages, [v[:6] for v in villages], codes, hukou,
        [b.year * 10000 + b.month * 100 + b.day for b in births],
        [f"{k}:{n}" if k and n else "" for k, n in zip(kinds, levels)], [_decimal(i) for i in incomes],
    ], schema=pa.schema(PERSON_FIELDS))
    link = pa.record_batch([numbers, cleaned, [name_key(n) for n in cleaned], births, villages, codes], schema=PERSON_SCHEMA)
    return persons, link


def _benefits(as_of: dt.date, like: list, members: dict[int, int]) -> pa.Table:
    columns: dict[str, list] = {k: [] for k in ("household_id", "person_id", "category", "since", "share")}
    for household_id, person_id, category, since, amount in _fetch(
        "SELECT b.household_id, b.person_id, b.category, b.since, b.monthly_amount FROM registry_benefit b "
        "JOIN registry_household h ON h.id = b.household_id WHERE h.region_id LIKE %s AND b.since <= %s "
        "AND (b.until IS NULL OR b.until >= %s)", like + [as_of, as_of]):
        amount = _decimal(amount)
        if person_id is None:  # the member's share of a household benefit
            amount = (amount / max(members.get(household_id, 1), 1)).quantize(CENT)
        for key, value in zip(("household_id", "person_id", "category", "since"),
                              (household_id, person_id, category, _as_date(since))):
            columns[key].append(value)
        columns["share"].append(amount)
    return pa.table({"household_id": pa.array(columns["household_id"], pa.int64()),
                     "person_id": pa.array(columns["person_id"], pa.int64()),
                     "category": pa.array(columns["category"], pa.string()),
                     "since": pa.array(columns["since"], pa.date32()),
                     "share": pa.array(columns["share"], MONEY)})


def parameter_tables(counties, as_of: dt.date) -> dict[str, pa.Table]:
    """params and param_items for every county, with the values in force on `as_of`."""
    policies: dict = {}
    rows: dict[str, list] = {"county": [], **{c: [] for c in PARAM_COLUMNS}}
    items: dict[str, list] = {"county": [], "name": [], "item": []}
    for county in sorted(set(counties)):
        policy = policies.setdefault(county[:2], load_policy(county[:2]))
        resolved = policy.resolve(county, as_of)
        rows["county"].append(county)
        for column, name in PARAM_COLUMNS.items():
            rows[column].append(Decimal(resolved[name].value))
        for short, name in LIST_PARAMS.items():
            for item in resolved[name].value:
                items["county"].append(county)
                items["name"].append(short)
                items["item"].append(item)
    params = pa.table({"county": pa.array(rows["county"], pa.string()),
                       **{c: pa.array(rows[c], PARAM_TYPE) for c in PARAM_COLUMNS}})
    return {"params": params, "param_items": pa.table({k: pa.array(v, pa.string()) for k, v in items.items()})}


def load_inputs(engine, *, as_of: dt.date, region_code: str = "", progress=None) -> dict:
    """Loads every table the rules read; returns what was used (imports per kind, sizes)."""
    progress = progress or (lambda message: None)
    progress("读取困难群众台账")
    registry = registry_tables(as_of, region_code)
    persons = registry["persons"]
    for name, table in registry.items():
        engine.load(LINK_PERSONS if name == "link_persons" else name, table)
    for name, table in parameter_tables(persons.column("county").to_pylist(), as_of).items():
        engine.load(name, table)
    used = {}
    for kind, columns in DATASET_VIEWS.items():
        progress(f"读取并匹配部门数据：{kind}")
        used[kind] = load_linked(engine, kind, columns, as_of=as_of, region_code=region_code)
    engine.load("ds_cadre_relative", _cadre_relatives(engine.query(
        "SELECT import_id, row_no, relative_ids FROM raw_cadre WHERE relative_ids IS NOT NULL AND relative_ids <> ''")))
    return {"persons": persons, "datasets": used}


def _cadre_relatives(rows: pa.Table) -> pa.Table:
    """One row per close relative listed by a cadre (the file holds them `;`-joined)."""
    keys: dict[str, list] = {"import_id": [], "row_no": [], "relative_id_number": []}
    for import_id, row_no, listed in zip(*(rows.column(c).to_pylist() for c in ("import_id", "row_no", "relative_ids"))):
        for number in listed.split(";"):
            if number:
                for key, value in zip(keys, (import_id, row_no, number)):
                    keys[key].append(value)
    return pa.table({"import_id": pa.array(keys["import_id"], pa.int64()), "row_no": pa.array(keys["row_no"], pa.int32()),
                     "relative_id_number": pa.array(keys["relative_id_number"], pa.string())})
