"""Monthly payroll at province scale (issue #5).

doudi: `payroll_build` of the 低保 and 特困 runs of one month for every county of a
synthetic province (≥ 1.6M paid persons), then each run sent (account check, lines
marked sent) and its 一卡通 bank file written, on PostgreSQL.
Baseline (same run, same database): a plain Django ORM loop building the same kind of
lines for 20,000 paid persons (a query per benefit for the head, the member count and
the "already paid?" check, `objects.create` per line). Reported as persons per second.

The province is the synthetic 1M-person province imported by `registry_import`, then
cloned set-wise (`--clones N`: new household codes, ID numbers and ids) to reach the size;
a fractional count clones that share of the households once more (`--clones 1.401` on the
1M province: 1.60M paid persons, the target scale).

    python -m bench.payroll_bench [--persons 1000000] [--clones 2] [--reuse] [--db NAME]
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from pathlib import Path

from bench.common import PG_URL, django_on, fresh_postgres, save, synth, timed

DB = "doudi_payroll_bench"
BASELINE_PERSONS = 20_000
PERIOD = "2025-01"


def load(folder: Path, clones: int, result: dict) -> None:
    from doudi.core.services import regions_load
    from doudi.registry.services import registry_import

    regions_load(path=folder / "区划.csv")
    with timed(result, "load_import_seconds"):
        registry_import(paths=[folder])
    ensure_clones(clones, result)


def ensure_clones(clones: float, result: dict) -> None:
    """Clones 1 … ceil(clones); the last one partial when `clones` has a fraction. A clone
    of the wrong size (an earlier run with another count) is dropped and made again, and
    clones beyond the count are dropped."""
    from django.db import connection

    with timed(result, "load_clone_seconds"):
        originals = _count("code NOT LIKE '%%~%%'")
        for n in range(1, math.ceil(clones) + 1):
            share = min(1.0, clones - (n - 1))
            wanted = round(originals * share)
            if _count("code LIKE %s", [f"%~{n}"]) != wanted:
                drop_clone(n)
                clone(n, share)
        n = math.ceil(clones) + 1
        while _count("code LIKE %s", [f"%~{n}"]):
            drop_clone(n)
            n += 1
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _count(where: str, params=None) -> int:
    from django.db import connection

    from doudi.registry.models import Household

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {Household._meta.db_table} WHERE {where}", params or [])
        return cursor.fetchone()[0]


def drop_clone(n: int) -> None:
    from django.db import connection, transaction

    from doudi.registry.models import Benefit, Household, Person

    H = Household._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        ids = f"(SELECT id FROM {H} WHERE code LIKE %s)"
        for model in (Benefit, Person):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE household_id IN {ids}", [f"%~{n}"])
        cursor.execute(f"DELETE FROM {H} WHERE code LIKE %s", [f"%~{n}"])


def clone(n: int, share: float = 1.0) -> None:
    """Copies every imported household (or the first `share` of them, by id), its persons
    and benefits once more, with fresh keys (clones are never cloned: their ID numbers
    would collide)."""
    from django.db import connection, transaction

    from doudi.registry.models import Benefit, Household, Person

    special = {
        Household: {"id": "id + %(h)s", "code": "code || '~%(n)s'"},
        Person: {"id": "id + %(p)s", "household_id": "household_id + %(h)s", "id_number": "'C%(n)s' || substr(id_number, 3)"},
        Benefit: {
            "id": "id + %(b)s",
            "household_id": "household_id + %(h)s",
            "person_id": "person_id + %(p)s",
            "person_key": "CASE WHEN person_key = '' THEN '' ELSE 'C%(n)s' || substr(person_key, 3) END",
        },
    }
    with transaction.atomic(), connection.cursor() as cursor:
        offsets = {"n": n}
        for key, model in (("h", Household), ("p", Person), ("b", Benefit)):
            cursor.execute(f"SELECT MAX(id) FROM {model._meta.db_table}")
            offsets[key] = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT id FROM {Household._meta.db_table} WHERE code NOT LIKE '%%~%%' ORDER BY id OFFSET %s LIMIT 1",
            [max(0, round(_count("code NOT LIKE '%%~%%'") * share) - 1)],
        )
        last_household = cursor.fetchone()[0]
        for model in (Household, Person, Benefit):
            columns = [f.column for f in model._meta.concrete_fields]
            values = [special[model].get(c, c) % offsets for c in columns]
            table = model._meta.db_table
            key = "id" if model is Household else "household_id"
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {table} WHERE {key} <= %s",
                [last_household],
            )
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def run_doudi(result: dict) -> None:
    from doudi.core.models import User
    from doudi.payments import bankfiles
    from doudi.payments.models import PayrollRun
    from doudi.payments.payroll import payroll_build
    from doudi.payments.workflow import run_transition

    staff = User.objects.create(username="bench-staff", role="county_staff", region_id="14")
    finance = User.objects.create(username="bench-finance", role="finance", region_id="14")
    out = Path(tempfile.mkdtemp(prefix="payroll-bench-"))
    with timed(result, "build_seconds"):
        runs = payroll_build(period=PERIOD, category="dibao") + payroll_build(period=PERIOD, category="tekun")
    result["runs"] = len(runs)
    result["paid_persons"] = sum(r["people"] for r in runs)
    result["households"] = sum(r["households"] for r in runs if r["category"] == "dibao")
    for run in PayrollRun.objects.filter(period=PERIOD):  # not timed: people's clicks
        run_transition(run=run, action="check", user=staff)
        run_transition(run=run, action="approve", user=finance)
    with timed(result, "send_and_bank_files_seconds"):
        rows = 0
        approved = list(PayrollRun.objects.filter(period=PERIOD))
        result["failed_account"] = bankfiles.bank_send_many(runs=approved, user=staff)["failed_account"]
        for run in PayrollRun.objects.filter(period=PERIOD):
            bankfiles.bank_file(run=run, layout="generic", target=out / f"{run.pk}.csv")
            rows += sum(1 for _ in open(out / f"{run.pk}.csv", encoding="utf-8-sig")) - 1
    result["bank_file_rows"] = rows
    result["doudi_seconds"] = round(result["build_seconds"] + result["send_and_bank_files_seconds"], 3)
    result["doudi_persons_per_second"] = round(result["paid_persons"] / result["doudi_seconds"])


def run_orm_baseline(result: dict) -> None:
    """Row by row, the way a first version would be written (build only)."""
    from django.db import transaction
    from django.db.models import Q

    from doudi.core.models import Region
    from doudi.payments.models import PaymentLine, PayrollRun
    from doudi.registry.models import Benefit, Person

    county = Region.objects.filter(level="county").order_by("code").first()
    run = PayrollRun.objects.create(item="baseline", period=PERIOD, through=PERIOD, region=county)
    benefits = (
        Benefit.objects.filter(category__in=["dibao", "tekun"], since__lte="2025-01-31")
        .filter(Q(until__isnull=True) | Q(until__gte="2025-01-01"))
        .order_by("id")
    )
    persons = 0
    started = time.perf_counter()
    with transaction.atomic():
        for benefit in benefits.iterator(chunk_size=2000):
            household = benefit.household
            if benefit.person_id:
                payee, key, people = benefit.person, benefit.person.id_number, 1
            else:
                payee = Person.objects.get(household=household, relation="head")
                key, people = household.code, Person.objects.filter(household=household).count()
            if PaymentLine.objects.filter(item="baseline", holder_key=key, month=PERIOD).exclude(status="failed").exists():
                continue
            PaymentLine.objects.create(
                run=run,
                item="baseline",
                month=PERIOD,
                holder_key=key,
                household=household,
                person=payee,
                name=payee.name,
                township=household.region_id[:9],
                village=household.region_id,
                payee="head" if not benefit.person_id else "person",
                payee_name=payee.name,
                bank_name=payee.bank_name,
                bank_account=payee.bank_account,
                people=people,
                amount=benefit.monthly_amount,
                fund="assistance",
            )
            persons += people
            if persons >= BASELINE_PERSONS:
                break
    result["baseline_seconds"] = round(time.perf_counter() - started, 3)
    result["baseline_persons"] = persons
    result["baseline_persons_per_second"] = round(persons / result["baseline_seconds"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--clones", type=float, default=2, help="copies of the province; 1.401 → 1.60M paid persons")
    parser.add_argument("--db", default=DB, help="database name on the benchmark server")
    parser.add_argument("--reuse", action="store_true", help="reuse the loaded province; drop earlier payroll rows")
    args = parser.parse_args()
    result = {"persons_imported": args.persons, "clones": args.clones, "period": PERIOD}
    if args.reuse:
        django_on(PG_URL.rsplit("/", 1)[0] + f"/{args.db}")
        reset_payments()
        ensure_clones(args.clones, result)
    else:
        folder = synth("province", args.persons)
        django_on(fresh_postgres(args.db))
        load(folder, args.clones, result)
    result["load_average"] = round(os.getloadavg()[0], 2)
    run_doudi(result)
    run_orm_baseline(result)
    result["speedup_vs_orm"] = round(result["doudi_persons_per_second"] / result["baseline_persons_per_second"], 1)
    save("payroll", result)


def reset_payments() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE payments_runtransition, payments_bankreturn, payments_paymentline, payments_payrollrun CASCADE")
        cursor.execute("DELETE FROM core_user WHERE username LIKE 'bench-%'")


if __name__ == "__main__":
    main()
