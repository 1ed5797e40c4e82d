"""The province-scale database for the web-load benchmark (issue 12, part D), in PostgreSQL.

    python -m bench.load_province                      # → postgres://doudi@127.0.0.1:54329/doudi_loadbench
    python -m bench.load_bench --database postgres://doudi@127.0.0.1:54329/doudi_loadbench --workers 1 2 4

Steps (each printed with its time):
1. `doudi.synth --scale province --persons 400000` (bench/out, reused when there): the whole
   Shanxi region tree (24,793 regions), households spread over every village.
2. Three more copies of its households, persons and benefits, written as registry files
   (household code `…-k0001`, ID numbers with another sequence number and a valid check
   digit, same village, birth date and sex): 4 × 400,000 ≈ 1.6M persons, the issue's
   province, in the villages the generator chose. The generator alone makes ~500 persons/s
   on this machine (1.6M: ~50 min); copying gives the same table sizes and per-village
   density in minutes. Names repeat four times; nothing in the scenario depends on them.
3. A fresh database `doudi_loadbench`: migrate, `regions_load`, `registry_import` (the
   product's own import) of the 1.6M persons.
4. The scenario's logins (password doudi2026, as the demo's): in the county with the most
   households, clerk1 and clerk2 for its two largest townships, staff, staff2, finance,
   supervisor and admin for the county.
5. Warnings at the demo county's rate (2.4% of persons, 13 rules, detail shaped as the
   comparison writes it) over the whole province, one comparison run; last month's 低保
   payroll of the county (`payroll_build`).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
import sys
import time
from pathlib import Path

from bench.common import OUT, django_on, fresh_postgres, synth

PASSWORD = "doudi2026"
WARNING_RATE = 0.024  # the demo county: 720 warnings on 30,000 persons
# One evidence shape per rule, as monitoring's comparison writes them (taken from the demo county).
WARNING_SHAPES = [
    ("business", "red", {"household_businesses": 1, "items": [{"capital": "770000.00", "entity_name": "张记商贸有限公司65", "founded": "2018-10-30", "role": "legal_rep"}]}),
    ("cadre_relative", "red", {"items": [{"cadre_id_number": "140521193609204905", "cadre_name": "陈凤娥", "cadre_region": "140521100206", "post": "村委会委员", "relation": "self"}]}),
    ("deceased", "red", {"death_date": "2024-11-12", "months_overpaid": 2, "overpaid_amount": "120.00"}),
    ("duplicate_benefit", "red", {"items": [{"category": "dibao", "end_date": "2025-04-01", "region": "140522100201", "start_date": "2023-06-12"}]}),
    ("high_medical", "yellow", {"household_self_pay": "28117.00", "self_pay": "28117.00", "settlements": 2}),
    ("missed_disability", "orange", {"items": [{"disability": "intellectual:3", "issued": "2017-11-30"}]}),
    ("missed_monitoring", "orange", {"monitor_type": "边缘易致贫户", "reason": "minor", "enrolled": "2023-06-14"}),
    ("missed_unemployed", "yellow", {"registered": "2024-04-10", "months_registered": 8}),
    ("pension_income", "red", {"pension": "3404.00", "basis": "低保家庭月收入", "household_income": "3731.00", "line": "1280.00", "members": 2, "standard": "640.00"}),
    ("prisoner", "red", {"items": [{"admitted": "2022-03-23", "released": "2028-07-26"}]}),
    ("public_employee", "red", {"items": [{"employer": "县自然资源局", "hired": "2019-12-29"}]}),
    ("real_estate", "orange", {"household_properties": 1, "items": [{"area": "129.50", "location": "1号院46号", "registered": "2016-01-22"}]}),
    ("vehicle", "orange", {"household_vehicles": 1, "items": [{"plate": "晋E71231", "registered": "2019-09-17", "vehicle_type": "小型轿车"}]}),
]  # fmt: skip


def step(name: str, started: float) -> None:
    print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, list(reader)


def copy_registry(source: Path, copies: int) -> Path:
    """`copies` copies of the registry in `source` (the original included), as one set of registry files."""
    from doudi.core import idnumber

    target = OUT / f"{source.name}-x{copies}"
    if (target / "保障.csv").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "区划.csv", target / "区划.csv")
    h_header, households = _read(source / "家庭.csv")
    m_header, members = _read(source / "成员.csv")
    b_header, benefits = _read(source / "保障.csv")
    id_column, b_id_column = m_header.index("身份证号"), b_header.index("身份证号(个人类别填写)")
    taken = {row[id_column] for row in members}

    def new_code(code: str, k: int) -> str:
        head, serial = code.rsplit("-", 1)
        return f"{head}-{k}{serial}"

    def new_id(number: str, k: int) -> str:
        # Another sequence number (digits 15–16; digit 17, the sex, kept), a valid check digit.
        base = int(number[14:16])
        for j in range(100):
            candidate = idnumber.with_check_digit(f"{number[:14]}{(base + 31 * k + 7 * j) % 100:02d}{number[16]}")
            if candidate not in taken:
                taken.add(candidate)
                return candidate
        raise RuntimeError(f"no free ID number near {number}")

    outputs = {name: (target / f"{name}.csv").open("w", encoding="utf-8", newline="") for name in ("家庭", "成员", "保障")}
    try:
        writers = {name: csv.writer(handle) for name, handle in outputs.items()}
        writers["家庭"].writerow(h_header)
        writers["成员"].writerow(m_header)
        writers["保障"].writerow(b_header)
        for k in range(copies):
            ids: dict[str, str] = {}
            for row in households:
                writers["家庭"].writerow([new_code(row[0], k) if k else row[0], *row[1:]])
            for row in members:
                row = list(row)
                if k:
                    row[0] = new_code(row[0], k)
                    ids[row[id_column]] = row[id_column] = new_id(row[id_column], k)
                writers["成员"].writerow(row)
            for row in benefits:
                row = list(row)
                if k:
                    row[0] = new_code(row[0], k)
                    if row[b_id_column]:
                        row[b_id_column] = ids[row[b_id_column]]
                writers["保障"].writerow(row)
    finally:
        for handle in outputs.values():
            handle.close()
    return target


def scenario_users() -> dict:
    """The logins of bench/load_bench.py in the county with most households."""
    from django.db.models import Count

    from doudi.core.models import Region
    from doudi.core.roles import Role
    from doudi.core.services import user_create
    from doudi.registry.models import Household

    by_township = (
        Household.objects.values("region__parent_id").annotate(n=Count("id")).order_by("-n").values_list("region__parent_id", "n")
    )
    townships: dict[str, int] = dict(by_township)
    by_county: dict[str, int] = {}
    for code, n in townships.items():
        by_county[code[:6]] = by_county.get(code[:6], 0) + n
    county = max(by_county, key=by_county.get)
    largest = sorted((c for c in townships if c.startswith(county)), key=lambda c: -townships[c])[:2]
    plan = [
        ("admin", Role.COUNTY_ADMIN, county),
        ("staff", Role.COUNTY_STAFF, county),
        ("staff2", Role.COUNTY_STAFF, county),
        ("finance", Role.FINANCE, county),
        ("supervisor", Role.SUPERVISOR, county),
        ("clerk1", Role.TOWNSHIP_CLERK, largest[0]),
        ("clerk2", Role.TOWNSHIP_CLERK, largest[1]),
    ]
    for username, role, region in plan:
        user_create(username=username, password=PASSWORD, role=role, region_code=region)
    names = dict(Region.objects.filter(code__in=[county, *largest]).values_list("code", "name"))
    return {
        "county": f"{names[county]}（{county}）",
        "county_households": by_county[county],
        "townships": {f"{names[c]}（{c}）": townships[c] for c in largest},
    }


def warnings(seed: int = 12) -> int:
    """Warnings on 2.4% of persons, spread over the province, most open, some closed."""
    from django.db import connection
    from django.utils import timezone

    from doudi.core.bulk import insert_rows
    from doudi.monitoring.models import ComparisonRun, Warning

    rng = random.Random(seed)
    today = timezone.localdate()
    run = ComparisonRun.objects.create(as_of=today, engine="duckdb", finished_at=timezone.now(), counts={}, inputs={})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id, p.household_id, h.region_id FROM registry_person p JOIN registry_household h ON h.id = p.household_id "
            "WHERE random() < %s",
            [WARNING_RATE],
        )
        picked = cursor.fetchall()
    statuses = ["open"] * 6 + ["checking", "confirmed", "dismissed"]
    now = timezone.now()

    def rows():
        for index, (person, household, village) in enumerate(picked):
            rule, level, detail = WARNING_SHAPES[index % len(WARNING_SHAPES)]
            status = rng.choice(statuses)
            closed = status in ("confirmed", "dismissed")
            yield (
                rule,
                person,
                household,
                village,
                village[:9],
                level,
                detail,
                f"{rng.getrandbits(80):020x}",
                status,
                today + dt.timedelta(days=rng.randint(-10, 30)),
                ("stop" if status == "confirmed" else "file") if closed else "",
                "",
                run.pk,
                run.pk,
                now,
                now if closed else None,
                1,
            )

    fields = [
        "rule",
        "person_id",
        "household_id",
        "region_code",
        "township_code",
        "level",
        "detail",
        "fingerprint",
        "status",
        "deadline",
        "outcome",
        "outcome_note",
        "first_run_id",
        "last_run_id",
        "created_at",
        "closed_at",
        "version",
    ]
    written = insert_rows(Warning, fields, rows())
    run.counts = {"warnings": written}
    run.save(update_fields=["counts"])
    return written


def payroll(county: str) -> list[dict]:
    from doudi.core.models import User
    from doudi.payments import months
    from doudi.payments.payroll import payroll_build

    last_month = months.add(months.of(dt.date.today()), -1)
    return payroll_build(period=last_month, category="dibao", region=county, user=User.objects.get(username="staff"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="doudi_loadbench", help="database name on the benchmark server (PG_URL)")
    parser.add_argument("--synth-persons", type=int, default=400_000, help="persons the generator makes")
    parser.add_argument("--copies", type=int, default=4, help="copies of the generated registry (1 = as generated)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    folder = synth("province", args.synth_persons)
    step("synth", started)
    started = time.perf_counter()
    folder = copy_registry(folder, args.copies) if args.copies > 1 else folder
    step(f"copies ({folder})", started)
    started = time.perf_counter()
    url = fresh_postgres(args.database)
    django_on(url)
    step("migrate", started)

    from doudi.core.services import regions_load
    from doudi.registry.services import registry_import

    started = time.perf_counter()
    regions_load(path=folder / "区划.csv")
    summary = registry_import(paths=[folder], label="load bench province")
    step(f"registry_import ({summary['households_new']} households, {summary['persons_new']} persons)", started)
    started = time.perf_counter()
    users = scenario_users()
    step(f"users {users}", started)
    started = time.perf_counter()
    written = warnings()
    step(f"warnings ({written})", started)
    started = time.perf_counter()
    county = users["county"].rsplit("（", 1)[1].rstrip("）")
    runs = payroll(county)
    step(f"payroll {county}: {[(r.get('region'), r.get('lines'), r.get('total')) for r in runs][:3]}", started)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"ready: {url}")
    print(f"python -m bench.load_bench --database {url} --workers 1 2 4")
    return 0


if __name__ == "__main__":
    sys.exit(main())
