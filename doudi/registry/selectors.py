"""Reads of the register, already scoped to the user's region subtree."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Length
from django.http import Http404
from django.utils import timezone

from doudi.core import codes, idnumber
from doudi.core.models import AuditEntry, Region
from doudi.core.scoping import scope
from doudi.registry.models import Benefit, Household, PendingBenefitChange, Person

SORTS = {"code": "code", "-code": "-code", "region": "region_id", "-region": "-region_id", "updated": "updated_at", "-updated": "-updated_at"}


def households_for(user) -> QuerySet:
    return scope(Household.objects.all(), user)


def persons_for(user) -> QuerySet:
    return scope(Person.objects.all(), user, "household__region__code")


def benefits_for(user) -> QuerySet:
    return scope(Benefit.objects.filter(until__isnull=True), user, "household__region__code")


def _person_match(q: str) -> Q:
    """ID number (exact, after normalisation), name prefix, or pinyin initials prefix."""
    number, _ = idnumber.try_normalize(q)
    if number:
        return Q(id_number=number)
    if q.isascii() and q.isalpha():
        return Q(name_initials__startswith=q.lower())
    return Q(name__startswith=q)


def household_search(user, *, q: str = "", region: str = "", category: str = "", sort: str = "code") -> QuerySet:
    households = households_for(user).select_related("region")
    if region:
        households = households.filter(region__code__startswith=region)
    if category in codes.CATEGORIES:
        households = households.filter(Exists(Benefit.objects.filter(household=OuterRef("pk"), category=category, until__isnull=True)))
    q = q.strip()
    if q and households.filter(code=q).exists():
        households = households.filter(code=q)
    elif q:
        households = households.filter(pk__in=Person.objects.filter(_person_match(q)).values("household_id"))
    return households.order_by(SORTS.get(sort, "code"))


def person_search(user, *, q: str) -> QuerySet:
    q = q.strip()
    if not q:
        return persons_for(user).none()
    # Shortest names first puts an exact match above longer ones; it also keeps PostgreSQL
    # from walking the whole name index in order when it misjudges a common prefix.
    return (persons_for(user).filter(_person_match(q)).select_related("household", "household__region")
            .order_by(Length("name"), "name", "id"))


def household_get(user, code: str) -> Household:
    """Out-of-scope and missing look the same (404), so codes cannot be probed."""
    household = households_for(user).select_related("region", "region__parent").filter(code=code).first()
    if household is None:
        raise Http404("没有找到该家庭，或不在您的管辖范围内")
    return household


def person_get(user, pk: int) -> Person:
    person = persons_for(user).select_related("household", "household__region").filter(pk=pk).first()
    if person is None:
        raise Http404("没有找到该人员，或不在您的管辖范围内")
    return person


def household_history(household: Household) -> QuerySet:
    return AuditEntry.objects.filter(household_code=household.code).select_related("user")


def counts_by_category(user) -> list[dict]:
    """Active holdings per category: households and persons covered."""
    rows = benefits_for(user).values("category").annotate(households=Count("household_id", distinct=True), holdings=Count("id"))
    by_code = {r["category"]: r for r in rows}
    persons = dict(
        persons_for(user).filter(household__benefits__category__in=codes.HOUSEHOLD_CATEGORIES, household__benefits__until__isnull=True)
        .values_list("household__benefits__category").annotate(n=Count("id", distinct=True))
    )
    result = []
    for code, label in codes.CATEGORY_SHORT.items():
        row = by_code.get(code)
        if row:
            people = persons.get(code, 0) if code in codes.HOUSEHOLD_CATEGORIES else row["holdings"]
            result.append({"code": code, "label": label, "households": row["households"], "persons": people})
    return result


def counts_by_township(user) -> list[dict]:
    townships = scope(Region.objects.filter(level=Region.Level.TOWNSHIP), user, "code")
    if getattr(user, "scope_code", None) and len(user.scope_code) > 9:
        townships = Region.objects.filter(code=user.scope_code[:9])
    names = dict(townships.values_list("code", "name"))
    result = {code: {"code": code, "name": name, "households": 0, "persons": 0} for code, name in names.items()}
    for household in households_for(user).values("region_id").annotate(n=Count("id", distinct=True), p=Count("members")):
        row = result.get(household["region_id"][:9])
        if row:
            row["households"] += household["n"]
            row["persons"] += household["p"]
    return sorted(result.values(), key=lambda r: r["code"])


def villages_for(user) -> QuerySet:
    return scope(Region.objects.filter(level=Region.Level.VILLAGE), user, "code").select_related("parent")


def household_rows(households, chunk: int = 500):
    """Households with head, size, categories and township name, fetched per chunk."""
    township_names = {}
    batch = []
    for household in households:
        batch.append(household)
        if len(batch) >= chunk:
            yield from _decorate(batch, township_names)
            batch = []
    if batch:
        yield from _decorate(batch, township_names)


def _decorate(batch, township_names):
    ids = [h.pk for h in batch]
    heads = {p.household_id: p for p in Person.objects.filter(household_id__in=ids, relation="head")}
    sizes = dict(Person.objects.filter(household_id__in=ids).values_list("household_id").annotate(n=Count("id")))
    categories: dict[int, list[str]] = {}
    for household_id, category in Benefit.objects.filter(household_id__in=ids, until__isnull=True).values_list("household_id", "category").distinct():
        categories.setdefault(household_id, []).append(category)
    missing = {h.region_id[:9] for h in batch} - township_names.keys()
    township_names.update(Region.objects.filter(code__in=missing).values_list("code", "name"))
    for h in batch:
        yield {"household": h, "head": heads.get(h.pk), "size": sizes.get(h.pk, 0),
               "categories": sorted(categories.get(h.pk, []), key=list(codes.CATEGORIES).index),
               "township": township_names.get(h.region_id[:9], "")}


def pending_benefits_for(user) -> QuerySet:
    """Benefit requests from imports below the county, in the user's subtree."""
    return (scope(PendingBenefitChange.objects.all(), user, "household__region__code")
            .select_related("household", "person", "requested_by", "decided_by"))


def pending_benefit_get(user, pk: int) -> PendingBenefitChange:
    pending = pending_benefits_for(user).filter(pk=pk).first()
    if pending is None:
        raise Http404("没有找到该申请，或不在您的管辖范围内")
    return pending


def account_changes_for(user, days: int = 90, limit: int = 200) -> list[dict]:
    """Recent bank-account changes from the audit trail (imports and corrections), in the
    user's subtree, newest first, with the person's name; accounts are masked by the page.
    The window keeps the scan on the time index short: the JSON key cannot use an index."""
    since = timezone.now() - dt.timedelta(days=days)
    entries = list(AuditEntry.objects.filter(at__gte=since, entity="person", action="update", changes__has_key="bank_account",
                                             household_code__in=households_for(user).values("code"))
                   .select_related("user").order_by("-at", "-id")[:limit])
    names = dict(Person.objects.filter(id_number__in={e.entity_key for e in entries}).values_list("id_number", "name"))
    return [{"entry": e, "name": names.get(e.entity_key, ""), "old": e.changes["bank_account"][0], "new": e.changes["bank_account"][1],
             "bank": e.changes.get("bank_name")} for e in entries]


def persons_covered_on(region_code: str, day: dt.date, categories) -> QuerySet:
    """Persons under `region_code` covered on `day` by a benefit of one of `categories`: a
    household benefit covers every member, a personal one its holder; a benefit is in force
    from `since` to `until` (its last day) inclusive. Not scoped: callers check the region
    against the user first (reports, issue 18). Membership is today's: moves are not replayed."""
    cats = list(categories)
    in_force = Q(since__lte=day) & (Q(until__isnull=True) | Q(until__gte=day))
    own = Benefit.objects.filter(in_force, person_id=OuterRef("pk"), category__in=cats)
    household = Benefit.objects.filter(in_force, household_id=OuterRef("household_id"), person__isnull=True, category__in=cats)
    return Person.objects.filter(household__region__code__startswith=region_code).filter(Q(Exists(own)) | Q(Exists(household)))
