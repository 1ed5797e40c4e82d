"""The registry's extracts for other apps: the register → assess-format households and the
batch input tables, in chunks, with plain SQL. The registry is the only reader of its tables
(docs/architecture.md); batch, assessment and synth take what this module hands them.

A province never becomes ORM objects: households are read by keyset pages of `chunk`
rows, their members and benefits with one query each per page, and every household is
turned into the docs/interfaces.md §3 input dict that `doudi.rules.assess` accepts, then flattened by
`doudi.rules.inputs.household_rows` — the same validation and meaning as a single
assess. What the register does not hold directly is derived, and documented in
docs/rules.md §7:

- vehicles: `vehicle_count` cars sharing `vehicle_value` equally (kind unknown → `car`);
- `orphan` / `unsupported_child`: the person holds that benefit now;
- `support_mode`: the mode of the person's tekun or orphan benefit;
- `poverty_monitoring`: the household holds `low_income` now (the register's marker
  for 防返贫监测 and the other 低收入人口 groups);
- `current`: benefits not ended before the month starts.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterator

import pyarrow as pa
from django.db import connection

H_COLS = (
    "id",
    "code",
    "region_id",
    "hukou",
    "financial_assets",
    "vehicle_count",
    "vehicle_value",
    "property_count",
    "business_count",
    "medical_expense_12m",
    "education_expense_12m",
)
P_COLS = (
    "household_id",
    "id",
    "id_number",
    "name",
    "relation",
    "disability_kind",
    "disability_level",
    "serious_illness",
    "self_care",
    "employed",
    "income_wage",
    "income_business",
    "income_property",
    "income_transfer",
    "income_exempt",
    "capable_supporter",
)
B_COLS = ("household_id", "person_key", "category", "since", "monthly_amount", "support_mode")
CENT = Decimal("0.01")


def _dec(value) -> Decimal:
    # SQLite hands back DECIMAL columns as int/float/str depending on the value.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _vehicles(count: int, value) -> list[dict]:
    if not count:
        return []
    each = (_dec(value) / count).quantize(CENT, ROUND_HALF_UP)
    return [{"kind": "car", "value": each} for _ in range(count)]


def _member(row: dict, held: dict) -> dict:
    modes = [held[c]["mode"] for c in ("tekun", "orphan") if c in held and held[c]["mode"]]
    member = {
        "id_number": row["id_number"],
        "name": row["name"],
        "relation": row["relation"],
        "serious_illness": bool(row["serious_illness"]),
        "self_care": row["self_care"],
        "employed": bool(row["employed"]),
        "capable_supporter": bool(row["capable_supporter"]),
        "income_monthly": {part: _dec(row[f"income_{part}"]) for part in ("wage", "business", "property", "transfer", "exempt")},
        "orphan": "orphan" in held,
        "unsupported_child": "unsupported_child" in held,
        "support_mode": modes[0] if modes else None,
    }
    if row["disability_kind"]:
        member["disability"] = {"kind": row["disability_kind"], "level": row["disability_level"]}
    return member


def assess_household(row: dict, members: list[dict], benefits: list[dict]) -> dict:
    held: dict[str, dict] = {}
    current = []
    for b in benefits:
        person = b["person_key"] or None
        current.append(
            {
                "category": b["category"],
                "person": person,
                "since": str(b["since"]),
                "monthly_amount": _dec(b["monthly_amount"]),
                "mode": b["support_mode"] or None,
            }
        )
        held.setdefault(person or "", {})[b["category"]] = {"mode": b["support_mode"] or None}
    return {
        "id": row["code"],
        "region": row["region_id"],
        "hukou": row["hukou"],
        "assets": {
            "financial": _dec(row["financial_assets"]),
            "vehicles": _vehicles(row["vehicle_count"], row["vehicle_value"]),
            "properties": row["property_count"],
            "businesses": row["business_count"],
        },
        "expenses_12m": {"medical": _dec(row["medical_expense_12m"]), "education": _dec(row["education_expense_12m"])},
        "poverty_monitoring": "low_income" in held.get("", {}),
        "members": [_member(m, held.get(m["id_number"], {})) for m in members],
        "current": current,
    }


def _fetch(cursor, sql: str, params, columns) -> list[dict]:
    cursor.execute(sql, params)
    return [dict(zip(columns, r)) for r in cursor.fetchall()]


def _grouped(rows: list[dict]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for row in rows:
        out.setdefault(row["household_id"], []).append(row)
    return out


def _page(cursor, ids: list[int], day: dt.date) -> tuple[list[dict], dict[int, list[dict]], dict[int, list[dict]]]:
    """Households `ids` (by id), their members and their benefits not ended before `day`."""
    h, p, b = (connection.ops.quote_name(t) for t in ("registry_household", "registry_person", "registry_benefit"))
    marks = ", ".join(["%s"] * len(ids))
    houses = _fetch(cursor, f"SELECT {', '.join(H_COLS)} FROM {h} WHERE id IN ({marks}) ORDER BY id", ids, H_COLS)
    members = _grouped(
        _fetch(
            cursor, f"SELECT {', '.join(P_COLS)} FROM {p} WHERE household_id IN ({marks}) ORDER BY household_id, id", ids, P_COLS
        )
    )
    benefits = _grouped(
        _fetch(
            cursor,
            f"SELECT {', '.join(B_COLS)} FROM {b} WHERE household_id IN ({marks}) "
            f"AND (until IS NULL OR until >= %s) ORDER BY household_id, id",
            ids + [day],
            B_COLS,
        )
    )
    return houses, members, benefits


def registry_households(region_code: str, month_start: dt.date, *, chunk: int = 2000) -> Iterator[list[dict]]:
    """Pages of assess-format households in `region_code`'s subtree, ordered by id."""
    h = connection.ops.quote_name("registry_household")
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id FROM {h} WHERE region_id LIKE %s AND id > %s ORDER BY id LIMIT {int(chunk)}",
                [f"{region_code}%", last],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return
            last = ids[-1]
            houses, members, benefits = _page(cursor, ids, month_start)
            yield [assess_household(x, members.get(x["id"], []), benefits.get(x["id"], [])) for x in houses]


def household_pages(ids: list[int], day: dt.date, *, chunk: int = 2000) -> Iterator[tuple[dict, list[dict], list[dict]]]:
    """(household, members, benefits not ended before `day`) for the given household ids, in
    register columns (H_COLS, P_COLS, B_COLS) — for callers that adjust them before
    `assess_household` (the pension comparison adds a department's pension)."""
    with connection.cursor() as cursor:
        for start in range(0, len(ids), chunk):
            houses, members, benefits = _page(cursor, ids[start : start + chunk], day)
            for house in houses:
                yield house, members.get(house["id"], []), benefits.get(house["id"], [])


# The comparison's view of the register (doudi.monitoring.inputs): one row per person with
# their household's region, hukou and code; benefits in force on a day.
PERSON_ROW_COLUMNS = (
    "id",
    "id_number",
    "name",
    "household_id",
    "region_id",
    "hukou",
    "birth_date",
    "disability_kind",
    "disability_level",
    "own_income",
    "household_code",
)
_PERSON_ROWS = (
    "SELECT p.id, p.id_number, p.name, p.household_id, h.region_id, h.hukou, p.birth_date, p.disability_kind, "
    "p.disability_level, p.income_wage + p.income_business + p.income_property, h.code FROM registry_person p "
    "JOIN registry_household h ON h.id = p.household_id WHERE h.region_id LIKE %s"
)
# The registry's tables, for the set-wise SQL of other apps (payments builds a province's
# payroll lines in one INSERT … SELECT joining them): named here and nowhere else.
BENEFITS, HOUSEHOLDS, PERSONS = "registry_benefit", "registry_household", "registry_person"


def in_force_sql(alias: str = "b", first: str = "%s", last: str = "%s") -> str:
    """ "A benefit in force", written once as SQL: started by `last` and not ended before
    `first` (one day: both the same; a month: its first and last day). The ORM twin is
    `Benefit.objects.in_force` (registry/models.py)."""
    return f"{alias}.since <= {last} AND ({alias}.until IS NULL OR {alias}.until >= {first})"


# On one day: parameters (day, day).
IN_FORCE = in_force_sql()


def person_row_chunks(region_code: str = "", chunk: int = 50_000) -> Iterator[list[tuple]]:
    """Every person of `region_code`'s subtree as PERSON_ROW_COLUMNS tuples, a chunk at a time."""
    with connection.cursor() as cursor:
        cursor.execute(_PERSON_ROWS, [f"{region_code}%"])
        while rows := cursor.fetchmany(chunk):
            yield rows


def benefits_in_force(day: dt.date, region_code: str = "", chunk: int = 50_000) -> Iterator[tuple]:
    """(household_id, person_id or None, category, since, monthly_amount) of every benefit in
    force on `day` in `region_code`'s subtree."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT b.household_id, b.person_id, b.category, b.since, b.monthly_amount FROM registry_benefit b "
            f"JOIN registry_household h ON h.id = b.household_id WHERE h.region_id LIKE %s AND {IN_FORCE}",
            [f"{region_code}%", day, day],
        )
        while rows := cursor.fetchmany(chunk):
            yield from rows


def person_link_chunks(region_code: str = "", chunk: int = 100_000) -> Iterator[list[tuple]]:
    """(id_number, name, birth_date, region_id, household_code) of every person of
    `region_code`'s subtree, by keyset pages of `chunk` rows (the record linkage's view of
    the register, doudi/datasets/selectors.py)."""
    sql = (
        f"SELECT p.id, p.id_number, p.name, p.birth_date, h.region_id, h.code FROM {PERSONS} p "
        f"JOIN {HOUSEHOLDS} h ON h.id = p.household_id WHERE h.region_id LIKE %s AND p.id > %s ORDER BY p.id LIMIT %s"
    )
    last = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [f"{region_code}%", last, chunk])
            rows = cursor.fetchall()
            if not rows:
                return
            last = rows[-1][0]
            # SQLite hands dates back as text.
            yield [(r[1], r[2], dt.date.fromisoformat(r[3]) if isinstance(r[3], str) else r[3], r[4], r[5]) for r in rows]


def registered_id_numbers(numbers: list[str]) -> set[str]:
    """Which of `numbers` belong to a person in the register (anywhere)."""
    found: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(numbers), 1000):
            part = numbers[start : start + 1000]
            cursor.execute(f"SELECT id_number FROM registry_person WHERE id_number IN ({', '.join(['%s'] * len(part))})", part)
            found.update(n for (n,) in cursor.fetchall())
    return found


class HeldBuilder:
    """Benefits held in the month, for the categories the monthly rules decide."""

    def __init__(self, day: dt.date):
        import calendar

        from doudi.rules.definitions import CATEGORIES

        self.last = day.replace(day=calendar.monthrange(day.year, day.month)[1]).isoformat()
        self.decided = set(CATEGORIES)
        self.rows: dict[str, list] = {"household_id": [], "person": [], "category": [], "amount": []}

    def add(self, page: list[dict]) -> None:
        for house in page:
            for item in house["current"]:
                if item["category"] in self.decided and item["since"] <= self.last:
                    for key, value in (
                        ("household_id", house["id"]),
                        ("person", item["person"] or ""),
                        ("category", item["category"]),
                        ("amount", item["monthly_amount"]),
                    ):
                        self.rows[key].append(value)

    def table(self):
        from doudi.batch.differences import HELD_SCHEMA

        return pa.Table.from_pydict(self.rows, schema=HELD_SCHEMA)


def tables_from_registry(region_code: str, month: str, policy=None, *, chunk: int = 2000, progress=None):
    """(input tables, month start, policy) for every household under `region_code`.

    `policy` defaults to the shipped parameters of the region's province; each household
    uses its own county's chain, exactly as `assess` does. RulesError on bad input."""
    from doudi.batch.tables import RowsBuilder, params_table
    from doudi.rules.engine import _prepare
    from doudi.rules.errors import RulesError
    from doudi.rules.inputs import month_start
    from doudi.rules.parameters import load_tree
    from doudi.rules.policy import Policy, load_policy

    try:
        day = month_start(month)
    except ValueError as exc:
        raise RulesError(str(exc)) from None
    if policy is None:  # the whole register: every household on its own province's chain
        policy = load_policy(region_code[:2]) if region_code else Policy("", load_tree())
    rows, held = RowsBuilder(), HeldBuilder(day)
    for page in registry_households(region_code, day, chunk=chunk):
        for household, members, vehicles in _prepare({"households": page}, policy, day):
            rows.add(household, members, vehicles)
        held.add(page)
        if progress:
            progress(len(rows))
    tables = rows.tables()
    tables["params"] = params_table(policy, day, tables["households"].column("county").to_pylist())
    tables["held"] = held.table()
    return tables, day, policy
