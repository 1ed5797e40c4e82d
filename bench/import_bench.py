"""Registry import at province scale (issue #2).

doudi: `registry_import` of a synthetic province file with N member rows into PostgreSQL.
Baseline (same run): a plain row-by-row Django ORM import (`Model.objects.create` per
row, cells parsed by the same column parsers) of the first 20,000 member rows.
Then lookups with 5M persons: household by ID number and person search by name, p95.

    python -m bench.import_bench [--persons 1000000] [--lookup-persons 5000000]
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import time

from bench.common import django_on, fresh_postgres, save, synth, timed

BASELINE_ROWS = 20_000


def run_doudi_import(folder, result):
    from doudi.core.services import regions_load
    from doudi.registry.services import registry_import

    regions_load(path=folder / "区划.csv")
    with timed(result, "doudi_import_seconds"):
        summary = registry_import(paths=[folder])
    result["doudi_members"] = summary["persons_new"]
    result["doudi_rows_per_second"] = round(summary["persons_new"] / result["doudi_import_seconds"])


def _rows(path, limit=None):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        for index, row in enumerate(reader):
            if limit is not None and index >= limit:
                return
            yield row


def run_orm_baseline(folder, result):
    """Row by row, the way a first version would be written."""
    from django.db import transaction

    from doudi.core import idnumber, pinyin
    from doudi.registry.importing.columns import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
    from doudi.registry.models import Household, Person

    members = list(_rows(folder / "成员.csv", BASELINE_ROWS))
    wanted = {m["户编号"] for m in members}
    started = time.perf_counter()
    with transaction.atomic():
        households = {}
        for row in _rows(folder / "家庭.csv"):
            if row["户编号"] not in wanted:
                continue
            values = {c.field: c.parse(row[c.header]) for c in HOUSEHOLD_COLUMNS}
            values["region_id"] = values.pop("region")
            households[values["code"]] = Household.objects.create(**values)
        for row in members:
            values = {c.field: c.parse(row[c.header]) for c in MEMBER_COLUMNS}
            facts = idnumber.facts(values["id_number"])
            values["household"] = households[values["household"]]
            Person.objects.create(
                **values, sex=facts.sex, birth_date=facts.birth_date, name_initials=pinyin.initials(values["name"])
            )
    result["baseline_seconds"] = round(time.perf_counter() - started, 3)
    result["baseline_rows"] = len(members)
    result["baseline_rows_per_second"] = round(len(members) / result["baseline_seconds"])


def grow_persons(target: int, result) -> None:
    """Adds persons (valid, unique IDs; names from the imported ones) until `target`."""
    from django.db import connection

    from doudi.core import idnumber
    from doudi.core.bulk import insert_rows
    from doudi.registry.models import Person

    existing = Person.objects.count()
    rng = random.Random(5)
    households = list(Person.objects.values_list("household_id", flat=True)[:200000])
    names = list(Person.objects.values_list("name", "name_initials")[:50000])
    taken = set(Person.objects.values_list("id_number", flat=True))
    fields = [
        "id_number",
        "name",
        "name_initials",
        "sex",
        "birth_date",
        "household_id",
        "relation",
        "self_care",
        "version",
        "serious_illness",
        "employed",
        "capable_supporter",
        "income_wage",
        "income_business",
        "income_property",
        "income_transfer",
        "income_exempt",
        "disability_kind",
        "school_stage",
        "phone",
        "bank_name",
        "bank_account",
    ]

    def rows():
        made = 0
        while made < target - existing:
            first17 = f"14{rng.randint(1, 11):02d}{rng.randint(21, 30):02d}19{rng.randint(30, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
            number = idnumber.with_check_digit(first17)
            if number in taken:
                continue
            taken.add(number)
            made += 1
            facts = idnumber.facts(number)
            name, initials = rng.choice(names)
            yield (
                number,
                name,
                initials,
                facts.sex,
                facts.birth_date,
                rng.choice(households),
                "other",
                "full",
                1,
                False,
                False,
                False,
                0,
                0,
                0,
                0,
                0,
                "",
                "",
                "",
                "",
                "",
            )

    with timed(result, "grow_seconds"):
        insert_rows(Person, fields, rows())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    result["lookup_persons"] = Person.objects.count()


def run_lookups(result, samples=1000):
    from doudi.core.models import User
    from doudi.registry import selectors
    from doudi.registry.models import Person

    user = User(username="bench", role="county_admin", region_id="14")
    rng = random.Random(11)
    # Random primary keys, not OFFSET: an OFFSET of millions scans millions of rows.
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    wanted = rng.sample(range(1, top + 1), samples * 2)
    picks = list(Person.objects.filter(pk__in=wanted).values_list("id_number", "name"))[:samples]
    by_id, by_name = [], []
    for number, name in picks:
        started = time.perf_counter()
        list(selectors.household_search(user, q=number)[:50])
        by_id.append(time.perf_counter() - started)
        started = time.perf_counter()
        list(selectors.person_search(user, q=name)[:50])
        by_name.append(time.perf_counter() - started)
    for key, values in (("lookup_by_id", by_id), ("search_by_name", by_name)):
        values.sort()
        result[f"{key}_p50_ms"] = round(statistics.median(values) * 1000, 2)
        result[f"{key}_p95_ms"] = round(values[int(len(values) * 0.95)] * 1000, 2)


def rerun_lookups() -> None:
    import json

    from bench.common import PG_URL, RESULTS

    django_on(PG_URL.rsplit("/", 1)[0] + "/doudi_bench")
    from doudi.registry.models import Person

    result = json.loads((RESULTS / "import.json").read_text())
    result["lookup_persons"] = Person.objects.count()
    run_lookups(result)
    save("import", result)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--lookup-persons", type=int, default=5_000_000)
    parser.add_argument("--lookups-only", action="store_true", help="rerun the lookups on the last run's database")
    args = parser.parse_args()
    if args.lookups_only:
        rerun_lookups()
        return
    result = {"persons": args.persons}
    folder = synth("province", args.persons)
    django_on(fresh_postgres("doudi_bench"))
    from django.db import connections

    run_doudi_import(folder, result)
    connections.close_all()
    django_on_baseline = fresh_postgres("doudi_bench_baseline")
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = "doudi_bench_baseline"
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from doudi.core.services import regions_load

    regions_load(path=folder / "区划.csv")
    run_orm_baseline(folder, result)
    result["speedup_vs_orm_rows_per_second"] = round(result["doudi_rows_per_second"] / result["baseline_rows_per_second"], 1)
    connections.close_all()
    settings.DATABASES["default"]["NAME"] = "doudi_bench"
    grow_persons(args.lookup_persons, result)
    run_lookups(result)
    del django_on_baseline
    save("import", result)


if __name__ == "__main__":
    main()
