"""A season's visit plan for a region (issue 16, the benchmark's figure): for everyone with a visit
duty, the days a visit falls due over the coming weeks if each visit is made the day it is due,
the frequency read again on each due day (a monthly person turns weekly when the heating
season starts). Bulk reads only: the persons and their groups in chunks (care selectors), the
last visit per person in one grouped query, the duty rule once per county and day."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Max

from doudi.care import duties
from doudi.care.models import Visit
from doudi.care.selectors import candidate_rows, groups_of
from doudi.core.bulk import no_jit


def season_plan(region: str, first: dt.date, weeks: int = 16) -> dict:
    """{"persons": with a duty in the period, "visits": visits due, "per_week": [count per week],
    "per_village": {village: visits due}} from `first` for `weeks` weeks."""
    with no_jit():
        return _plan(region, first, weeks)


def _plan(region: str, first: dt.date, weeks: int) -> dict:
    last_day = first + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
    people = candidate_rows(region)
    held = groups_of([p["id"] for p in people])
    last = dict(
        Visit.objects.filter(region_code__startswith=region, visited_on__lt=first)
        .values("person_id")
        .annotate(last=Max("visited_on"))
        .values_list("person_id", "last")
    )
    per_week, per_village, persons = [0] * weeks, Counter(), 0
    rules: dict = {}

    def rule(county, day):
        key = (county, day)
        if key not in rules:
            rules[key] = duties.duty_rule(county, day)
        return rules[key]

    for p in people:
        groups = held.get(p["id"])
        if not groups:
            continue
        village = p["household__region_id"]
        county = village[:6]
        frequency = rule(county, first).frequency(groups, first)
        day = duties.next_due(last.get(p["id"]), frequency, first) if frequency else first
        counted = False
        while day <= last_day:
            day = max(day, first)
            frequency = rule(county, day).frequency(groups, day)
            if frequency is None:
                day += dt.timedelta(days=7)
                continue
            per_week[(day - first).days // 7] += 1
            per_village[village] += 1
            counted = True
            day = duties.next_due(day, frequency, day)
            if day == first:  # never visited and due today: the next one follows the interval
                day += dt.timedelta(days=1)
        persons += counted
    return {"persons": persons, "visits": sum(per_week), "per_week": per_week, "per_village": dict(per_village)}
