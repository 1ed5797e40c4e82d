"""附件2 weekly table (温暖过冬统计表) at county and province scale (issue #18).

doudi: `winter.compute(region, week)` — the whole table of one ISO week for a county (its
townships' rows) and for a province (its cities' rows), as the page, the .xlsx and a
submission compute it: grouped counts per figure over the registry (benefits in force on the
Sunday, special-group flags), the week's reserve draws, goods and visit problems.
Baseline (same run, same database): the naive per-township ORM count — for each township
and each person figure, the benefits in force read row by row and every household benefit's
members fetched with one query per household, persons collected in a Python set.

Data: the synthetic county (沁水县) or province (山西省) of doudi.synth imported with
`registry_import` into a fresh PostgreSQL database. The synthetic data hold benefits only
(no visits, draws or goods): the event figures are computed and are zero, so the timing is
of the person figures, which are the whole cost at scale.

    python -m bench.reports_bench [--scale county|province|both] [--persons N] [--reuse] [--baseline-townships K]
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.common import PG_URL, django_on, fresh_postgres, save, synth, timed

WEEK = "2025-W02"  # 6–12 January 2025: the synthetic data's as-of date is 2025-01-01


def load(scale: str, persons: int | None, reuse: bool, result: dict) -> str:
    name = f"doudi_reports_bench_{scale}"
    if reuse:
        django_on(PG_URL.rsplit("/", 1)[0] + "/" + name)
        return name
    folder = synth(scale, persons or (30_000 if scale == "county" else 1_600_000))
    django_on(fresh_postgres(name))
    from django.db import connection

    from doudi.core.services import regions_load
    from doudi.registry.services import registry_import

    regions_load(path=folder / "区划.csv")
    with timed(result, f"{scale}_import_seconds"):
        summary = registry_import(paths=[folder])
    result[f"{scale}_persons"] = summary["persons_new"]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return name


def doudi_table(region, week, repeats: int = 3) -> tuple[float, dict]:
    from doudi.reports import winter

    times, data = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        data = winter.compute(region, week)
        times.append(time.perf_counter() - started)
    return statistics.median(times), data


def naive_township(code: str, day) -> dict:
    """The baseline: what a first version would write — rows read one by one, a query per household."""
    from django.db.models import Q

    from doudi.registry.models import Benefit, Person
    from doudi.reports import winter

    in_force = Q(since__lte=day) & (Q(until__isnull=True) | Q(until__gte=day))
    out = {}
    for figure, cats in (("dibao", winter.DIBAO), ("tekun", ("tekun",)), ("other", winter.OTHER)):
        persons = set()
        for benefit in Benefit.objects.filter(in_force, category__in=cats, household__region__code__startswith=code):
            if benefit.person_id:
                persons.add(benefit.person_id)
            else:
                persons.update(Person.objects.filter(household_id=benefit.household_id).values_list("id", flat=True))
        out[figure] = len(persons)
    return out


def measure(scale: str, args, result: dict) -> None:
    load(scale, args.persons, args.reuse, result)
    from doudi.core.models import Region
    from doudi.reports import periods, winter

    level = Region.Level.COUNTY if scale == "county" else Region.Level.PROVINCE
    region = Region.objects.filter(level=level).order_by("code").first()
    week = periods.parse_week(WEEK)
    seconds, data = doudi_table(region, week)
    result[f"{scale}_region"] = f"{region.name}（{region.code}）"
    result[f"{scale}_doudi_seconds"] = round(seconds, 3)
    result[f"{scale}_total"] = {k: data["total"][k] for k in winter.PERSON_FIGURES}
    townships = list(Region.objects.filter(level=Region.Level.TOWNSHIP, code__startswith=region.code).order_by("code"))
    sample = townships[: args.baseline_townships] if scale == "province" else townships
    started = time.perf_counter()
    naive = {t.code: naive_township(t.code, week.last) for t in sample}
    spent = time.perf_counter() - started
    per_township = spent / max(len(sample), 1)
    result[f"{scale}_baseline_townships_timed"] = len(sample)
    result[f"{scale}_townships"] = len(townships)
    result[f"{scale}_baseline_seconds"] = round(per_township * len(townships), 3)  # measured, or extrapolated
    result[f"{scale}_ratio"] = round(result[f"{scale}_baseline_seconds"] / seconds, 1)
    if scale == "county":  # the two agree
        got = {row["code"]: {k: row[k] for k in ("dibao", "tekun", "other")} for row in data["rows"]}
        for code, counts in naive.items():
            if counts["dibao"] != got[code]["dibao"] or counts["tekun"] != got[code]["tekun"]:
                raise SystemExit(f"baseline and doudi disagree for {code}: {counts} vs {got[code]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=["county", "province", "both"], default="both")
    parser.add_argument("--persons", type=int, default=None)
    parser.add_argument("--reuse", action="store_true", help="reuse the loaded database")
    parser.add_argument("--baseline-townships", type=int, default=20, help="province: townships timed by the baseline")
    args = parser.parse_args()
    result: dict = {"week": WEEK}
    for scale in ("county", "province") if args.scale == "both" else (args.scale,):
        if scale == "province" and args.scale == "both":
            from django import db

            db.connections.close_all()
        measure(scale, args, result)
    save(f"reports_{args.scale}", result)


if __name__ == "__main__":
    main()
