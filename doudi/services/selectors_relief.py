"""Reads for disaster relief, scoped to the user's region subtree (core.scoping): an event is the
user's when its county or one of its areas lies in their subtree; an affected household when its
village does. Outside the scope is a 404, like a record that does not exist.

`relief_figures` is the one unscoped read, for the reports app (the caller checks the region):
relief money and person-times by event and township."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Max, Q, QuerySet
from django.http import Http404

from doudi.core.models import Region
from doudi.core.scoping import scope
from doudi.payments import relief as pay
from doudi.payments.models import PaymentLine, PayrollRun
from doudi.rules.errors import RulesError
from doudi.rules.policy import parameter
from doudi.services.models import Affected, Disaster, ReliefVisit


def disasters_for(user) -> QuerySet:
    code = getattr(user, "scope_code", None) if getattr(user, "is_authenticated", False) else None
    if code is None:
        return Disaster.objects.none()
    rows = Disaster.objects.select_related("county")
    if code == "":
        return rows
    return rows.filter(Q(county__code__startswith=code) | Q(areas__code__startswith=code)).distinct()


def disaster_get(user, pk: int) -> Disaster:
    found = disasters_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404("没有找到该灾害事件，或不在您的管辖范围内")
    return found


def area_choices(user) -> list[Region]:
    """Townships and villages of the user's county that the user may name as a disaster's area."""
    rows = Region.objects.filter(level__in=(Region.Level.TOWNSHIP, Region.Level.VILLAGE))
    return list(scope(rows, user, "code").select_related("parent").order_by("code"))


def villages_of(user, disaster: Disaster) -> list[Region]:
    areas = [a.code for a in disaster.areas.all()]
    rows = scope(Region.objects.filter(level=Region.Level.VILLAGE), user, "code").order_by("code")
    return [v for v in rows if any(v.code.startswith(a) for a in areas)]


def affected_for(user) -> QuerySet:
    return scope(Affected.objects.select_related("village", "village__parent", "disaster", "case"), user, "village__code")


def affected_get(user, pk: int) -> Affected:
    found = affected_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404("没有找到该受灾户，或不在您的管辖范围内")
    return found


def affected_search(user, disaster: Disaster, *, q: str = "", township: str = "", placement: str = "") -> QuerySet:
    rows = affected_for(user).filter(disaster=disaster)
    q = q.strip()
    if q:
        rows = rows.filter(Q(name__startswith=q) | Q(id_number=q.upper()) | Q(phone=q))
    if township:
        rows = rows.filter(village__code__startswith=township)
    if placement in Affected.Placement.values:
        rows = rows.filter(placement=placement)
    return rows.order_by("village_id", "pk")


def relief_runs(disaster: Disaster) -> list[PayrollRun]:
    return list(pay.runs_of(disaster.pk).select_related("region"))


def visit_days(region: str, on: dt.date) -> int:
    try:
        return int(parameter("relief.visit_days", region, on).value)
    except RulesError:
        return 30


def last_visits(user, rows: list[Affected]) -> dict[int, dt.date]:
    """Each affected household's last visit: a relief visit, or a 附件1 visit (doudi.care) to a
    member of its register household."""
    from doudi.care import selectors as care
    from doudi.registry import selectors as registry

    ids = [a.pk for a in rows]
    out: dict[int, dt.date] = dict(
        ReliefVisit.objects.filter(affected_id__in=ids)
        .values("affected_id")
        .annotate(last=Max("on"))
        .values_list("affected_id", "last")
    )
    by_household = {a.household_id: a for a in rows if a.household_id}
    if by_household:
        members = registry.persons_for(user).filter(household_id__in=list(by_household)).values_list("pk", "household_id")
        household_of = dict(members)
        visits = (
            care.visits_for(user)
            .filter(person_id__in=list(household_of))
            .values("person_id")
            .annotate(last=Max("visited_on"))
            .values_list("person_id", "last")
        )
        for person, last in visits:
            affected = by_household[household_of[person]]
            if last >= affected.disaster.on and (affected.pk not in out or last > out[affected.pk]):
                out[affected.pk] = last
    return out


def away_list(user, *, today: dt.date, disaster: int | None = None, township: str = "") -> list[dict]:
    """Affected households not yet back home (在外安置), their last visit, and whether a visit is overdue."""
    rows = affected_for(user).filter(placement=Affected.Placement.AWAY)
    if disaster:
        rows = rows.filter(disaster_id=disaster)
    if township:
        rows = rows.filter(village__code__startswith=township)
    rows = list(rows.order_by("disaster_id", "village_id", "pk")[:2000])
    last = last_visits(user, rows)
    out = []
    for a in rows:
        seen = last.get(a.pk)
        every = visit_days(a.village_id, today)
        since = seen or a.disaster.on
        out.append({"a": a, "last": seen, "every": every, "overdue": (today - since).days > every})
    return out


def relief_figures(region_code: str, first: dt.date, last: dt.date) -> list[dict]:
    """Relief money actually paid (lines the bank confirmed) in relief runs of months `first`…`last`,
    by disaster event and township under `region_code`: {disaster, name, township, township_name,
    households, person_times, amount, rent_amount}. Person-times count each paid household's
    affected persons once per run. Not scoped: the caller (reports) checks the region."""
    lines = PaymentLine.objects.filter(
        status=PaymentLine.Status.PAID,
        item__startswith=pay.PREFIX,
        run__period__gte=f"{first:%Y-%m}",
        run__period__lte=f"{last:%Y-%m}",
        **({"village__startswith": region_code} if len(region_code) > 9 else {"township__startswith": region_code}),
    ).values("item", "township", "holder_key", "run_id", "people", "amount")
    acc: dict[tuple[int, str], dict] = {}
    holders: dict[tuple[int, str], set] = defaultdict(set)
    runs_seen: dict[tuple[int, str], set] = defaultdict(set)
    for line in lines.iterator(chunk_size=5000):
        event = pay.disaster_of(line["item"])
        key = (event, line["township"])
        row = acc.setdefault(key, {"amount": Decimal("0"), "rent_amount": Decimal("0"), "person_times": 0})
        row["amount"] += line["amount"]
        if line["item"].endswith(pay.RENT):
            row["rent_amount"] += line["amount"]
        holders[key].add(line["holder_key"])
        if (line["run_id"], line["holder_key"]) not in runs_seen[key]:
            runs_seen[key].add((line["run_id"], line["holder_key"]))
            row["person_times"] += line["people"]
    names = dict(Disaster.objects.filter(pk__in={k[0] for k in acc}).values_list("pk", "name"))
    townships = dict(Region.objects.filter(code__in={k[1] for k in acc}).values_list("code", "name"))
    return [
        {
            "disaster": event,
            "name": names.get(event, ""),
            "township": township,
            "township_name": townships.get(township, township),
            "households": len(holders[(event, township)]),
            **acc[(event, township)],
        }
        for event, township in sorted(acc)
    ]
