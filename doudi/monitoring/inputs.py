"""The tables the comparison rules read, built from the register, the department datasets
and the dated parameters, and loaded into a doudi.batch engine.

Registry snapshot (as of the comparison date):
  persons(person_id, id_number, name, household_id, village, county, household_code, hukou, birth_ymd,
          disability 'kind:level' or '', income, birth_y, birth_m, birth_d, dis_kind, dis_level)
          income = 工资+经营+财产性 monthly, Decimal; dis_kind/dis_level null without disability
  benefits(household_id, person_id | null, category, since, share)  in force on the date;
          share = the holder's monthly amount, a household benefit split per member
Parameters, one row per county present in the register:
  params(county, vehicle_red_count, business_max, …)   numbers (see PARAM_COLUMNS)
  param_items(county, name, item)                      list parameters (see LIST_PARAMS)
  param_words(county, name, pos, word, kind)           the department's words (see WORD_PARAMS), in order
  rule_params(county, p_…)                             every rule parameter as the batch reads it
                                                       (doudi.batch.tables), for rule fields written
                                                       out in SQL (rules.NO_LABOUR_CAPACITY)
Department data (doudi.datasets, newest snapshot per kind; linked to registry persons by
doudi.datasets.linkage, person_id null when unmatched or ambiguous):
  ds_<kind>(person_id, …)   renamed columns, see DATASET_VIEWS
  ds_cadre_relative(import_id, row_no, relative_id_number)  one row per listed close relative
Computed from these before the rules run:
  pension_incomes   the rules' own income of the households the pension comparison checks,
                    with each member's counted pension added (pension_incomes())
  outsiders         monitored people (防返贫监测) who are not in the register (outsiders())
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from doudi.datasets.names import clean_name, name_key
from doudi.datasets.selectors import PERSON_SCHEMA
from doudi.monitoring.linking import LINK_PERSONS, load_linked
from doudi.rules.inputs import Problems, id_birth
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
    "property_max": "assets.property_max",
    "real_estate_red_excess": "compare.real_estate.red_excess",
    "high_medical_months": "compare.high_medical.months",
    "high_medical_self_pay_min": "compare.high_medical.self_pay_min",
    "high_medical_red_min": "compare.high_medical.red_min",
    "unemployed_months": "compare.missed_unemployed.months",
}
# name in `param_items` → dated list parameter
LIST_PARAMS = {
    "paid": "compare.paid_categories",
    "means_tested": "compare.means_tested_categories",
    "covered": "compare.covered_categories",
    "missed": "compare.missed_categories",
    "high_medical": "compare.high_medical.categories",
    "vehicle_exempt": "assets.vehicle_exempt_kinds",
    "single_disability": "dibao_single.disability_list",
    "tekun_disability": "tekun.disability_list",
}
# name in `param_words` → dated list parameter of the department's words ('词:kind' pairs split)
WORD_PARAMS = {
    "vehicle_kind": "compare.vehicle.type_kinds",
    "pension_scheme": "compare.pension.schemes",
    "live_status": "compare.business.live_statuses",
}
PARAM_TYPE = pa.decimal128(18, 4)
# pension_incomes amounts: incomes after ratios carry up to 6 decimals; 18 digits keep every
# product with a PARAM_TYPE exact on Spark too (precision ≤ 38).
INCOME = pa.decimal128(18, 6)

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
    "disability": "CONCAT(disability_kind, ':', CAST(disability_level AS VARCHAR)) AS disability, "
    "disability_kind AS dis_kind, CAST(disability_level AS INTEGER) AS dis_level, issued_on AS issued",
    "poverty_monitoring": "monitoring_type AS monitor_type, since AS enrolled",
    "medical": "settled_on AS settled, total_cost AS total, self_pay",
    "real_estate": "location, floor_area AS area, registered_on AS registered",
    "recipients_elsewhere": "category, region_code AS region, since AS start_date, until AS end_date",
    "unemployment_registration": "registered_on AS registered, deregistered_on AS deregistered, insured",
}


def _decimal(value) -> Decimal:
    # SQLite hands NUMERIC back as float or int; PostgreSQL as Decimal.
    return value if isinstance(value, Decimal) else Decimal(str(value or 0)).quantize(CENT)


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


PERSON_FIELDS = [
    ("person_id", pa.int64()),
    ("id_number", pa.string()),
    ("name", pa.string()),
    ("household_id", pa.int64()),
    ("village", pa.string()),
    ("county", pa.string()),
    ("household_code", pa.string()),
    ("hukou", pa.string()),
    ("birth_ymd", pa.int32()),
    ("disability", pa.string()),
    ("income", MONEY),
    ("birth_y", pa.int32()),
    ("birth_m", pa.int32()),
    ("birth_d", pa.int32()),
    ("dis_kind", pa.string()),
    ("dis_level", pa.int32()),
]


def registry_tables(as_of: dt.date, region_code: str = "") -> dict[str, pa.Table]:
    """persons, benefits and the linkage's view of the persons (doudi.datasets.selectors.
    PERSON_SCHEMA), from one read of the register (optionally one region's subtree)."""
    from doudi.registry.extracts import person_row_chunks

    persons, linkable = [], []
    for rows in person_row_chunks(region_code):
        batch, link_batch = _person_batch(rows)
        persons.append(batch)
        linkable.append(link_batch)
    persons = pa.Table.from_batches(persons, schema=pa.schema(PERSON_FIELDS))
    sizes = persons.group_by("household_id").aggregate([("person_id", "count")])
    members = dict(zip(sizes.column("household_id").to_pylist(), sizes.column("person_id_count").to_pylist()))
    return {
        "persons": persons,
        "benefits": _benefits(as_of, region_code, members),
        "link_persons": pa.Table.from_batches(linkable, schema=PERSON_SCHEMA),
    }


def _person_batch(rows) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    ids, numbers, names, households, villages, hukou, births, kinds, levels, incomes, codes = zip(*rows)
    births = [_as_date(b) for b in births]
    cleaned = [clean_name(n) for n in names]
    persons = pa.record_batch(
        [
            ids,
            numbers,
            names,
            households,
            villages,
            [v[:6] for v in villages],
            codes,
            hukou,
            [b.year * 10000 + b.month * 100 + b.day for b in births],
            [f"{k}:{n}" if k and n else "" for k, n in zip(kinds, levels)],
            [_decimal(i) for i in incomes],
            [b.year for b in births],
            [b.month for b in births],
            [b.day for b in births],
            [k if k and n else None for k, n in zip(kinds, levels)],
            [int(n) if k and n else None for k, n in zip(kinds, levels)],
        ],
        schema=pa.schema(PERSON_FIELDS),
    )
    link = pa.record_batch([numbers, cleaned, [name_key(n) for n in cleaned], births, villages, codes], schema=PERSON_SCHEMA)
    return persons, link


def _benefits(as_of: dt.date, region_code: str, members: dict[int, int]) -> pa.Table:
    from doudi.registry.extracts import benefits_in_force

    columns: dict[str, list] = {k: [] for k in ("household_id", "person_id", "category", "since", "share")}
    for household_id, person_id, category, since, amount in benefits_in_force(as_of, region_code):
        amount = _decimal(amount)
        if person_id is None:  # the member's share of a household benefit
            amount = (amount / max(members.get(household_id, 1), 1)).quantize(CENT)
        for key, value in zip(
            ("household_id", "person_id", "category", "since"), (household_id, person_id, category, _as_date(since))
        ):
            columns[key].append(value)
        columns["share"].append(amount)
    return pa.table(
        {
            "household_id": pa.array(columns["household_id"], pa.int64()),
            "person_id": pa.array(columns["person_id"], pa.int64()),
            "category": pa.array(columns["category"], pa.string()),
            "since": pa.array(columns["since"], pa.date32()),
            "share": pa.array(columns["share"], MONEY),
        }
    )


def parameter_tables(counties, as_of: dt.date) -> dict[str, pa.Table]:
    """params, param_items and param_words for every county, with the values in force on
    `as_of`; rule_params with the rule parameters as the rules read them for the month
    (in force on its first day, like assess)."""
    from doudi.batch.tables import params_table

    policies: dict = {}
    rows: dict[str, list] = {"county": [], **{c: [] for c in PARAM_COLUMNS}}
    items: dict[str, list] = {"county": [], "name": [], "item": []}
    words: dict[str, list] = {"county": [], "name": [], "pos": [], "word": [], "kind": []}
    counties = sorted(set(counties))
    for county in counties:
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
        for short, name in WORD_PARAMS.items():
            for pos, item in enumerate(resolved[name].value):
                word, _sep, kind = item.rpartition(":") if short == "vehicle_kind" else (item, "", None)
                for key, value in zip(words, (county, short, pos, word, kind)):
                    words[key].append(value)
    params = pa.table(
        {"county": pa.array(rows["county"], pa.string()), **{c: pa.array(rows[c], PARAM_TYPE) for c in PARAM_COLUMNS}}
    )
    month = as_of.replace(day=1)
    rule_params = [params_table(policy, month, [c for c in counties if c[:2] == code]) for code, policy in policies.items()]
    return {
        "params": params,
        "param_items": pa.table({k: pa.array(v, pa.string()) for k, v in items.items()}),
        "param_words": pa.table(
            {
                "county": pa.array(words["county"], pa.string()),
                "name": pa.array(words["name"], pa.string()),
                "pos": pa.array(words["pos"], pa.int32()),
                "word": pa.array(words["word"], pa.string()),
                "kind": pa.array(words["kind"], pa.string()),
            }
        ),
        "rule_params": pa.concat_tables(rule_params) if rule_params else params_table(None, month, []),
    }


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
    engine.load(
        "ds_cadre_relative",
        _cadre_relatives(
            engine.query(
                "SELECT import_id, row_no, relative_ids FROM raw_cadre WHERE relative_ids IS NOT NULL AND relative_ids <> ''"
            )
        ),
    )
    progress("按低保规则重算含养老金的家庭收入")
    engine.load("pension_incomes", pension_incomes(engine, as_of=as_of))
    outside = outsiders(engine, as_of=as_of, region_code=region_code, counties=persons.column("county").to_pylist())
    engine.load("outsiders", outside)
    people = outside.select(persons.column_names).cast(persons.schema)
    return {"persons": pa.concat_tables([persons, people]) if people.num_rows else persons, "datasets": used}


def _cadre_relatives(rows: pa.Table) -> pa.Table:
    """One row per close relative listed by a cadre (the file holds them `;`-joined)."""
    keys: dict[str, list] = {"import_id": [], "row_no": [], "relative_id_number": []}
    for import_id, row_no, listed in zip(*(rows.column(c).to_pylist() for c in ("import_id", "row_no", "relative_ids"))):
        for number in listed.split(";"):
            if number:
                for key, value in zip(keys, (import_id, row_no, number)):
                    keys[key].append(value)
    return pa.table(
        {
            "import_id": pa.array(keys["import_id"], pa.int64()),
            "row_no": pa.array(keys["row_no"], pa.int32()),
            "relative_id_number": pa.array(keys["relative_id_number"], pa.string()),
        }
    )


PENSION_FIELDS = [
    ("person_id", pa.int64()),
    ("household_id", pa.int64()),
    ("county", pa.string()),
    ("pension", MONEY),
    ("in_dibao", pa.bool_()),
    ("household_income", INCOME),
    ("dibao_line", INCOME),
    ("edge_line", INCOME),
    ("dibao_members", pa.int64()),
    ("standard", INCOME),
    ("own_income", INCOME),
]
SIX = Decimal("0.000001")


def pension_incomes(engine, *, as_of: dt.date, chunk: int = 500) -> pa.Table:
    """The rules' own income (doudi.rules: exemptions, employment and rigid deductions,
    特困/孤儿 members outside the dibao household) of every household whose economic check
    applies and where someone draws a counted pension (rules.PENSION_COUNTED), with that
    pension taken as the member's 转移性收入: the larger of the two, since the register's
    transfer income may already hold it. One row per member; the month is the as-of
    date's, parameters those in force on its first day, as in assess."""
    # the register's mapping to rule inputs, the same the monthly batch uses
    from doudi.monitoring.rules import PENSION_COUNTED
    from doudi.registry.extracts import assess_household, household_pages
    from doudi.rules.engine import evaluate
    from doudi.rules.inputs import household_rows

    counted = engine.query(PENSION_COUNTED)
    pensions = dict(zip(counted.column("person_id").to_pylist(), counted.column("pension").to_pylist()))
    households = sorted(set(counted.column("household_id").to_pylist()))
    day = as_of.replace(day=1)
    out: dict[str, list] = {name: [] for name, _type in PENSION_FIELDS}
    policies: dict = {}
    for house, people, held in household_pages(households, day, chunk=chunk):
        raw = assess_household(house, people, held)
        for person, member in zip(people, raw["members"]):
            pension = pensions.get(person["id"])
            if pension is not None:
                income = member["income_monthly"]
                income["transfer"] = max(income["transfer"], _decimal(pension))
        problems = Problems()
        rows = household_rows(raw, 0, day, problems)
        if problems or not rows:  # the register refuses such rows on import; nothing to compare
            continue
        household, member_rows, vehicles = rows
        county = household["region"][:6]
        policy = policies.setdefault(county[:2], load_policy(county[:2]))
        env = evaluate(household, member_rows, vehicles, {n: e.value for n, e in policy.resolve(county, day).items()})
        for person, row in zip(people, env["__rows__"]["m"]):
            values = (
                person["id"],
                house["id"],
                county,
                pensions.get(person["id"]),
                not row["excluded_from_dibao"],
                env["dibao_income"],
                env["dibao_line"],
                env["edge_line"],
                int(env["dibao_members"]),
                env["dibao_standard"],
                row["own_income"],
            )
            for (name, kind), value in zip(PENSION_FIELDS, values):
                out[name].append(value.quantize(SIX) if kind == INCOME else value)
    return pa.table({name: pa.array(out[name], kind) for name, kind in PENSION_FIELDS})


# Monitored rows no registry person was found for (no match line: not matched, not ambiguous),
# with a usable ID number and a 所在区划代码 inside the comparison, one per person.
OUTSIDE_SQL = """SELECT r.id_number, MIN(r.name) AS name, MIN(r.region_code) AS region_code,
  MIN(r.monitoring_type) AS monitor_type, MIN(r.since) AS enrolled
FROM raw_poverty_monitoring r LEFT JOIN match_poverty_monitoring m ON m.import_id = r.import_id AND m.row_no = r.row_no
WHERE m.row_no IS NULL AND r.id_number IS NOT NULL AND LENGTH(r.region_code) >= 6 AND r.region_code LIKE '{scope}%'
  AND (r.since IS NULL OR r.since <= DATE '{as_of}')
GROUP BY r.id_number"""
OUTSIDER_FIELDS = PERSON_FIELDS + [("monitor_type", pa.string()), ("enrolled", pa.date32())]


def outsiders(engine, *, as_of: dt.date, region_code: str, counties) -> pa.Table:
    """防返贫监测 people who are not in the register at all (docs/interfaces.md §6, missed_monitoring): not
    matched to anyone in the comparison, and their number held by no registry person
    anywhere. Shaped like `persons` (household empty, village = the row's 所在区划代码, age
    from the ID number), plus monitor_type and enrolled. `person_id` is the negative of the
    number's first 17 digits: the same person gets the same id, and the evidence
    fingerprint, in every comparison. Counties outside the register have no parameters
    here and are left out."""
    scope = "".join(ch for ch in region_code if ch.isdigit())
    found = engine.query(OUTSIDE_SQL.format(scope=scope, as_of=as_of.isoformat())).to_pylist()
    known_counties = set(counties)
    found = [r for r in found if r["region_code"][:6] in known_counties]
    from doudi.registry.extracts import registered_id_numbers

    registered = registered_id_numbers([r["id_number"] for r in found])
    columns: dict[str, list] = {name: [] for name, _type in OUTSIDER_FIELDS}
    for row in sorted(found, key=lambda r: r["id_number"]):
        number, birth = id_birth(row["id_number"], "", Problems())
        if row["id_number"] in registered or birth is None:
            continue
        values = {
            "person_id": -int(number[:17]),
            "id_number": number,
            "name": row["name"] or "",
            "household_id": 0,
            "village": row["region_code"],
            "county": row["region_code"][:6],
            "household_code": "",
            "hukou": "",
            "birth_ymd": birth.year * 10000 + birth.month * 100 + birth.day,
            "disability": "",
            "income": Decimal(0),
            "birth_y": birth.year,
            "birth_m": birth.month,
            "birth_d": birth.day,
            "dis_kind": None,
            "dis_level": None,
            "monitor_type": row["monitor_type"],
            "enrolled": row["enrolled"],
        }
        for name in columns:
            columns[name].append(values[name])
    return pa.table({name: pa.array(columns[name], kind) for name, kind in OUTSIDER_FIELDS})
