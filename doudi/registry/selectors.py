"""Reads of the register, already scoped to the user's region subtree."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Length
from django.http import Http404
from django.utils import timezone

from doudi.core import codes, idnumber
from doudi.core.models import AuditEntry, Region
from doudi.core.scoping import scope
from doudi.registry.models import Benefit, Household, PendingBenefitChange, Person

SORTS = {
    "code": "code",
    "-code": "-code",
    "region": "region_id",
    "-region": "-region_id",
    "updated": "updated_at",
    "-updated": "-updated_at",
}


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
        households = households.filter(
            Exists(Benefit.objects.filter(household=OuterRef("pk"), category=category, until__isnull=True))
        )
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
    return (
        persons_for(user)
        .filter(_person_match(q))
        .select_related("household", "household__region")
        .order_by(Length("name"), "name", "id")
    )


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
        persons_for(user)
        .filter(household__benefits__category__in=codes.HOUSEHOLD_CATEGORIES, household__benefits__until__isnull=True)
        .values_list("household__benefits__category")
        .annotate(n=Count("id", distinct=True))
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
    for household_id, category in (
        Benefit.objects.filter(household_id__in=ids, until__isnull=True).values_list("household_id", "category").distinct()
    ):
        categories.setdefault(household_id, []).append(category)
    missing = {h.region_id[:9] for h in batch} - township_names.keys()
    township_names.update(Region.objects.filter(code__in=missing).values_list("code", "name"))
    for h in batch:
        yield {
            "household": h,
            "head": heads.get(h.pk),
            "size": sizes.get(h.pk, 0),
            "categories": sorted(categories.get(h.pk, []), key=list(codes.CATEGORIES).index),
            "township": township_names.get(h.region_id[:9], ""),
        }


def pending_benefits_for(user) -> QuerySet:
    """Benefit requests from imports below the county, in the user's subtree."""
    return scope(PendingBenefitChange.objects.all(), user, "household__region__code").select_related(
        "household", "person", "requested_by", "decided_by"
    )


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
    entries = list(
        AuditEntry.objects.filter(
            at__gte=since,
            entity="person",
            action="update",
            changes__has_key="bank_account",
            household_code__in=households_for(user).values("code"),
        )
        .select_related("user")
        .order_by("-at", "-id")[:limit]
    )
    names = dict(Person.objects.filter(id_number__in={e.entity_key for e in entries}).values_list("id_number", "name"))
    return [
        {
            "entry": e,
            "name": names.get(e.entity_key, ""),
            "old": e.changes["bank_account"][0],
            "new": e.changes["bank_account"][1],
            "bank": e.changes.get("bank_name"),
        }
        for e in entries
    ]


def persons_covered_on(region_code: str, day: dt.date, categories) -> QuerySet:
    """Persons under `region_code` covered on `day` by a benefit of one of `categories`: a
    household benefit covers every member, a personal one its holder; a benefit is in force
    from `since` to `until` (its last day) inclusive. Not scoped: callers check the region
    against the user first (reports, issue 18). Membership is today's: moves are not replayed."""
    cats = list(categories)
    own = Benefit.objects.in_force(day).filter(person_id=OuterRef("pk"), category__in=cats)
    household = Benefit.objects.in_force(day).filter(
        household_id=OuterRef("household_id"), person__isnull=True, category__in=cats
    )
    return Person.objects.filter(household__region__code__startswith=region_code).filter(Q(Exists(own)) | Q(Exists(household)))


# -- search that finds (issue 13 item 3): the header search box of the workbench ----------
# One query, several readings of it, each a rank (best first): a whole ID number, a household
# code, a phone number or a bank account, a name, its pinyin (initials or in full), a birth
# date, and last the partial ones (the last 4–6 digits of an ID number, the start of a code).
SEARCH_LIMIT = 200
SEARCH_RANKS = {
    0: "身份证号",
    1: "户编号",
    2: "联系电话",
    3: "银行账号",
    4: "姓名",
    5: "姓名开头",
    6: "拼音",
    7: "出生日期",
    8: "身份证号后几位",
    9: "户编号开头",
}


def townships_for(user) -> QuerySet:
    """Townships in the user's subtree (a village helper: their own township)."""
    code = getattr(user, "scope_code", None)
    if code and len(code) > 9:
        return Region.objects.filter(code=code[:9])
    return scope(Region.objects.filter(level=Region.Level.TOWNSHIP), user, "code").order_by("code")


def search_clean(q: str) -> str:
    """The query without spaces; a birth date typed 1950-03-12 or 1950/3/12 becomes 19500312."""
    q = "".join((q or "").split())
    parts = q.replace("/", "-").replace(".", "-").split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4 and all(1 <= len(p) <= 2 for p in parts[1:]):
        return f"{parts[0]}{int(parts[1]):02d}{int(parts[2]):02d}"
    return q


def _birth_date(q: str) -> dt.date | None:
    if len(q) != 8 or not q.isdigit():
        return None
    try:
        day = dt.date(int(q[:4]), int(q[4:6]), int(q[6:]))
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2100 else None


def looks_like_account(q: str) -> bool:
    """12–32 digits that are not an ID number: what a bank account looks like."""
    q = search_clean(q)
    number, _ = idnumber.try_normalize(q)
    return q.isdigit() and 12 <= len(q) <= 32 and not number


def _search_queries(q: str, accounts: bool):
    """(rank, Q) in rank order for one cleaned query."""
    number, _ = idnumber.try_normalize(q)
    if number:
        yield 0, Q(id_number=number)
    yield 1, Q(household__code=q)
    digits = q.isdigit()
    if digits and 7 <= len(q) <= 20:
        yield 2, Q(phone=q)
    if accounts and looks_like_account(q):
        yield 3, Q(bank_account=q)
    if not q.isascii():
        yield 4, Q(name=q)
        yield 5, Q(name__startswith=q) & ~Q(name=q)
    elif q.isalpha():
        yield 6, Q(name_initials__startswith=q.lower())
    if _birth_date(q):
        yield 7, Q(birth_date=_birth_date(q))
    tail = q[:-1] if q[-1:] in "xX" else q
    if 4 <= len(q) <= 6 and tail.isdigit():
        yield 8, Q(id_number__endswith=q.upper())
    if len(q) >= 3 and not q.isalpha() and q.isascii():
        yield 9, Q(household__code__startswith=q) & ~Q(household__code=q)


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    every = {to_normal(p).replace("ü", "v") for value in pinyin_dict.values() for p in value.split(",")}
    return frozenset(s for s in every if s.isalpha() and set(s) & set("aeiouv"))  # not 嗯 n, 呣 m


def pinyin_initials(q: str, most: int = 8) -> list[str]:
    """Every way to read full pinyin as syllables, as initials: "zhangsan" → ["zs"]; the last
    syllable may be cut short ("zhangs" → "zs"). At most `most` readings, shortest first."""
    q = q.lower()
    syllables = _syllables()
    out: set[str] = set()

    def walk(rest: str, initials: str) -> None:
        if len(out) >= most:
            return
        if not rest:
            out.add(initials)
            return
        for end in range(min(6, len(rest)), 0, -1):
            if rest[:end] in syllables:
                walk(rest[end:], initials + rest[0])
        if len(rest) <= 5 and any(s.startswith(rest) for s in syllables):
            out.add(initials + rest[0])

    if q.isascii() and q.isalpha() and len(q) <= 40:
        walk(q, "")
    return sorted(out, key=len)[:most]


@lru_cache(maxsize=50000)
def full_pinyin(name: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name, errors="ignore")).lower()


def person_find(user, q: str, *, accounts: bool = False, region: str = "", limit: int = SEARCH_LIMIT) -> list[dict]:
    """Persons in the user's scope (and under `region`) matching q, best first:
    [{"person", "rank", "match"}]; each reading brings at most `limit` persons. A bank account
    is matched only when `accounts` (the caller checks the role's unmask_bank)."""
    q = search_clean(q)
    if not q:
        return []
    people = persons_for(user)
    if region:
        people = people.filter(household__region__code__startswith=region)
    order = (Length("name"), "name", "id")
    found: dict[int, int] = {}
    for rank, query in _search_queries(q, accounts):
        for pk in people.filter(query).order_by(*order).values_list("pk", flat=True)[:limit]:
            found.setdefault(pk, rank)
    if q.isascii() and q.isalpha() and len(q) > 1:
        wanted = Q(pk__in=[])
        for initials in pinyin_initials(q):
            wanted |= Q(name_initials__startswith=initials)
        hits = 0
        for pk, name in people.filter(wanted).order_by(*order).values_list("pk", "name")[: limit * 10]:
            if hits < limit and full_pinyin(name).startswith(q.lower()):
                found.setdefault(pk, 6)
                hits += 1
    persons = Person.objects.select_related("household", "household__region").in_bulk(list(found))
    rows = [{"person": persons[pk], "rank": rank, "match": SEARCH_RANKS[rank]} for pk, rank in found.items() if pk in persons]
    return sorted(
        rows,
        key=lambda r: (
            r["rank"],
            r["person"].household.code if r["rank"] == 1 else "",
            r["person"].relation != "head" if r["rank"] == 1 else False,
            len(r["person"].name),
            r["person"].name,
            r["person"].pk,
        ),
    )


def dispersed_tekun_on(region_code: str, day: dt.date) -> QuerySet:
    """分散供养特困人员 under `region_code` covered on `day` (a tekun benefit in force with
    support mode dispersed). Not scoped: the caller checks the region (reports, issue 18)."""
    own = Benefit.objects.in_force(day).filter(person_id=OuterRef("pk"), category="tekun", support_mode="dispersed")
    return Person.objects.filter(household__region__code__startswith=region_code).filter(Exists(own))
