"""Visits (issue #16): a county's heating-season visit plan, and a helper's visit list.

doudi: `care.plan.season_plan(county, first, 16)` — every visit duty of the county over 16 weeks
from the heating season's start (20 Nov): persons and groups read in bulk (care selectors), the
last visit per person in one grouped query, the frequency re-read on each due day.
Baseline (same run, same database): the per-person ORM loop — for each person of the county,
their flags, own benefits, household benefits (for the head) and last visit read one query each,
then the same due-date walk; timed on the first `--baseline-persons` persons and extrapolated.

Helper's list: GET /care/ (走访任务, today's and overdue visits of one village) as the village
helper of the largest village, through Django's test client (view, queries and template),
`--requests` times; p50/p95. Baseline: the per-person ORM loop for that village's persons.

Data: doudi.synth (benefits only) imported with `registry_import` into a fresh PostgreSQL
database, then special-group flags (独居 for one-person households aged 60+) and past visits
(one in three duty persons, 1–40 days before the season) added in bulk.

    python -m bench.care_bench [--scale county|province] [--persons N] [--reuse] [--baseline-persons 3000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

from bench.common import PG_URL, django_on, fresh_postgres, save, synth, timed

SEASON = dt.date(2024, 11, 20)  # the synthetic data's as-of date is 2025-01-01
WEEKS = 16


def load(scale: str, persons: int, reuse: bool, result: dict) -> None:
    name = f"doudi_care_bench_{scale}"
    if reuse:
        django_on(PG_URL.rsplit("/", 1)[0] + "/" + name)
        return
    folder = synth(scale, persons)
    django_on(fresh_postgres(name))
    from django.db import connection

    from doudi.core.services import regions_load
    from doudi.registry.services import registry_import

    regions_load(path=folder / "区划.csv")
    with timed(result, f"{scale}_import_seconds"):
        registry_import(paths=[folder])
    with timed(result, f"{scale}_care_data_seconds"):
        _care_data(result, scale)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _care_data(result: dict, scale: str) -> None:
    from django.db.models import Count

    from doudi.care import selectors
    from doudi.care.models import PersonGroup, Visit
    from doudi.core.models import User
    from doudi.core.roles import Role
    from doudi.registry.models import Person

    sizes = dict(Person.objects.values("household_id").annotate(n=Count("id")).values_list("household_id", "n"))
    old = Person.objects.filter(birth_date__lte=dt.date(1964, 11, 20)).values_list("id", "household_id")
    PersonGroup.objects.bulk_create(
        [PersonGroup(person_id=pk, group="elderly_alone", source="import") for pk, h in old if sizes.get(h) == 1], batch_size=5000
    )
    visitor = User.objects.create(username="bench_visitor", role=Role.COUNTY_STAFF)
    rng = random.Random(7)
    rows = selectors.candidate_rows("")
    visits = []
    for p in rows[::3]:
        day = SEASON - dt.timedelta(days=rng.randint(1, 40))
        visits.append(
            Visit(
                person_id=p["id"], region_code=p["household__region_id"], township_code=p["household__region_id"][:9],
                visited_on=day, visitor=visitor, name=p["name"], sex=p["sex"], age=70, q1=False, q2=True, q3=False, q4=False,
                visitor_signature="bench.png", person_signature="bench.png", client_key=f"bench-{p['id']}",
            )
        )  # fmt: skip
    Visit.objects.bulk_create(visits, batch_size=5000)
    result[f"{scale}_flags"] = PersonGroup.objects.count()
    result[f"{scale}_visits"] = len(visits)


def naive_person(person, first: dt.date, last_day: dt.date) -> int:
    """The baseline for one person: one query per fact, then the same due-date walk."""
    from django.db.models import Max

    from doudi.care import duties, selectors
    from doudi.care.models import PersonGroup, Visit
    from doudi.registry.models import Benefit

    held = set(PersonGroup.objects.filter(person=person, active=True).values_list("group", flat=True))
    for category, mode in Benefit.objects.filter(person=person, until__isnull=True).values_list("category", "support_mode"):
        selectors._add({0: held}, 0, category, mode)
    if person.relation == "head":
        for category, mode in Benefit.objects.filter(
            household_id=person.household_id, person__isnull=True, until__isnull=True
        ).values_list("category", "support_mode"):
            selectors._add({0: held}, 0, category, mode)
    if not held:
        return 0
    last = Visit.objects.filter(person=person, visited_on__lt=first).aggregate(m=Max("visited_on"))["m"]
    county = person.household.region_id[:6]
    frequency = duties.duty_rule(county, first).frequency(held, first)
    day, count = (duties.next_due(last, frequency, first) if frequency else first), 0
    while day <= last_day:
        day = max(day, first)
        frequency = duties.duty_rule(county, day).frequency(held, day)
        if frequency is None:
            day += dt.timedelta(days=7)
            continue
        count += 1
        day = duties.next_due(day, frequency, day)
    return count


def measure(args, result: dict) -> None:
    scale = args.scale
    load(scale, args.persons or (30_000 if scale == "county" else 400_000), args.reuse, result)
    from django.conf import settings
    from django.test import Client

    from doudi.care.plan import season_plan
    from doudi.core.models import Region, User
    from doudi.core.roles import Role
    from doudi.registry.models import Person

    county = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
    result[f"{scale}_persons"] = Person.objects.count()
    result["county"] = f"{county.name}（{county.code}）"
    result["county_persons"] = Person.objects.filter(household__region__code__startswith=county.code).count()
    times = []
    for _ in range(3):
        started = time.perf_counter()
        plan = season_plan(county.code, SEASON, WEEKS)
        times.append(time.perf_counter() - started)
    result["plan_seconds"] = round(statistics.median(times), 3)
    result["plan"] = {"persons": plan["persons"], "visits": plan["visits"], "per_week": plan["per_week"]}
    people = list(
        Person.objects.filter(household__region__code__startswith=county.code).select_related("household").order_by("id")
    )
    sample = people[: args.baseline_persons]
    last_day = SEASON + dt.timedelta(weeks=WEEKS) - dt.timedelta(days=1)
    started = time.perf_counter()
    naive_visits = sum(naive_person(p, SEASON, last_day) for p in sample)
    spent = time.perf_counter() - started
    result["plan_baseline_persons_timed"] = len(sample)
    result["plan_baseline_visits_in_sample"] = naive_visits
    result["plan_baseline_seconds"] = round(spent / max(len(sample), 1) * len(people), 3)
    result["plan_ratio"] = round(result["plan_baseline_seconds"] / result["plan_seconds"], 1)
    if len(sample) == len(people) and naive_visits != plan["visits"]:
        raise SystemExit(f"baseline and doudi disagree: {naive_visits} vs {plan['visits']}")

    # the helper's list
    settings.ALLOWED_HOSTS = ["*"]
    from django.db.models import Count

    village = (
        Person.objects.values("household__region_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("household__region_id", "n")
    )[0]
    helper, _ = User.objects.get_or_create(
        username="bench_helper", defaults={"role": Role.VILLAGE_HELPER, "region_id": village[0]}
    )
    client = Client()
    client.force_login(helper)
    assert client.get("/care/").status_code == 200
    samples = []
    for _ in range(args.requests):
        started = time.perf_counter()
        response = client.get("/care/")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    samples.sort()
    result["helper_village_persons"] = village[1]
    result["helper_list_p50_ms"] = round(statistics.median(samples), 1)
    result["helper_list_p95_ms"] = round(samples[int(len(samples) * 0.95) - 1], 1)
    village_people = list(Person.objects.filter(household__region_id=village[0]).select_related("household"))
    started = time.perf_counter()
    for p in village_people:
        naive_person(p, dt.date(2025, 1, 1), dt.date(2025, 1, 1))
    result["helper_list_baseline_ms"] = round((time.perf_counter() - started) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=["county", "province"], default="county")
    parser.add_argument("--persons", type=int, default=None)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--baseline-persons", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    result: dict = {"season_start": SEASON.isoformat(), "weeks": WEEKS}
    measure(args, result)
    save(f"care_{args.scale}", result)


if __name__ == "__main__":
    main()
