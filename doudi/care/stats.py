"""Counts for the township and county: problems found vs solved per township and week (they
feed 附件2's 发现/解决急难愁盼问题数, reported weekly), and special-group flags per group."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from doudi.care import groups
from doudi.care.models import PersonGroup
from doudi.care.selectors import problems_for, townships_for
from doudi.core.scoping import scope

WEEKS = 8


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def found_solved(user, *, today: dt.date, township: str = "", weeks: int = WEEKS) -> dict:
    """{"weeks": [monday, …] newest first, "rows": [{township, name, cells: [(found, solved)…], found, solved}]}.
    Weeks run Monday to Sunday; a problem counts as found in the week of its visit and as
    solved in the week it was solved."""
    first = week_start(today) - dt.timedelta(weeks=weeks - 1)
    mondays = [week_start(today) - dt.timedelta(weeks=i) for i in range(weeks)]
    problems = problems_for(user).filter(township_code__startswith=township) if township else problems_for(user)
    found = problems.filter(found_on__gte=first, found_on__lte=today).values_list("township_code", "found_on")
    solved = problems.filter(solved_on__gte=first, solved_on__lte=today).values_list("township_code", "solved_on")
    table: dict[str, dict] = {}
    for kind, rows in (("found", found), ("solved", solved)):
        for code, day in rows.iterator():
            cell = table.setdefault(code, {}).setdefault(week_start(day), {"found": 0, "solved": 0})
            cell[kind] += 1
    names = dict(townships_for(user))
    out = []
    for code in sorted(set(table) | ({township} if township else set(names))):
        cells = [table.get(code, {}).get(monday, {"found": 0, "solved": 0}) for monday in mondays]
        out.append(
            {
                "township": code,
                "name": names.get(code, code),
                "cells": cells,
                "found": sum(c["found"] for c in cells),
                "solved": sum(c["solved"] for c in cells),
            }
        )
    return {"weeks": mondays, "rows": out}


def group_counts(user) -> list[tuple[str, int]]:
    flags = scope(PersonGroup.objects.filter(active=True), user, "person__household__region__code")
    counts = dict(flags.values_list("group").annotate(n=Count("id")))
    return [(label, counts.get(code, 0)) for code, label in groups.SPECIAL.items()]
