"""Reads for care and visits, already scoped to the user's region subtree (core.scoping):
a person, visit or problem outside it is a 404, like one that does not exist."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.http import Http404

from doudi.care import duties, groups
from doudi.care.models import PersonGroup, Problem, Visit
from doudi.core.models import Region
from doudi.core.scoping import scope
from doudi.registry import selectors as registry
from doudi.registry.models import Benefit, Person


def person_get(user, pk: int) -> Person:
    return registry.person_get(user, pk)


def visits_for(user):
    """Visits in scope; for a role that reads children's records only (儿童主任, 儿童督导员,
    core/roles.py) the visits to 困境儿童."""
    from doudi.core.roles import VIEW_CARE, can

    visits = scope(Visit.objects.all(), user, "region_code")
    if not can(user, VIEW_CARE):
        from doudi.care.children import child_people

        visits = visits.filter(person__in=child_people())
    return visits


def visit_get(user, pk: int) -> Visit:
    visit = visits_for(user).select_related("person", "visitor").filter(pk=pk).first()
    if visit is None:
        raise Http404("没有找到该走访记录，或不在您的管辖范围内")
    return visit


def problems_for(user):
    return scope(Problem.objects.all(), user, "region_code")


def problem_get(user, pk: int) -> Problem:
    problem = problems_for(user).select_related("person", "visit").filter(pk=pk).first()
    if problem is None:
        raise Http404("没有找到该问题，或不在您的管辖范围内")
    return problem


def problem_search(user, *, state: str = "", township: str = "") -> list:
    rows = problems_for(user).select_related("person")
    if state == "active":
        rows = rows.exclude(state=Problem.State.SOLVED)
    elif state in Problem.State.values:
        rows = rows.filter(state=state)
    if township:
        rows = rows.filter(township_code=township)
    return rows.order_by("state", "deadline", "id")


# -- groups ------------------------------------------------------------------------------
def groups_of(person_ids) -> dict[int, set[str]]:
    """person → the duty groups they are in: benefits held now (a household benefit counts
    for the household head, the one visited for the household) and special-group flags."""
    out: dict[int, set[str]] = defaultdict(set)
    ids = list(person_ids)
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        for person_id, group in PersonGroup.objects.filter(person_id__in=chunk, active=True).values_list("person_id", "group"):
            out[person_id].add(group)
        current = Benefit.objects.filter(until__isnull=True)
        for person_id, category, mode in current.filter(person_id__in=chunk).values_list("person_id", "category", "support_mode"):
            _add(out, person_id, category, mode)
        heads = dict(Person.objects.filter(pk__in=chunk, relation="head").values_list("household_id", "id"))
        for household_id, category, mode in current.filter(person__isnull=True, household_id__in=list(heads)).values_list(
            "household_id", "category", "support_mode"
        ):
            _add(out, heads[household_id], category, mode)
    return out


def _add(out, person_id: int, category: str, mode: str) -> None:
    if category == "tekun":
        if mode != "centralized":  # 集中供养: the institution cares for them
            out[person_id].add("tekun_dispersed")
    elif category in groups.REGISTERED:
        out[person_id].add(category)


def candidates(user, region: str = "") -> list[dict]:
    """Persons in scope (and under `region`) who hold a benefit or a special-group flag."""
    return _with_duty(registry.persons_for(user), region)


def candidate_rows(region: str) -> list[dict]:
    """candidates() for a whole region, unscoped: the caller checked the user (a county's
    campaign, care/campaigns.py; the benchmark)."""
    return _with_duty(Person.objects.all(), region)


def _with_duty(people, region: str) -> list[dict]:
    if region:
        people = people.filter(household__region__code__startswith=region)
    own = Benefit.objects.filter(person_id=OuterRef("pk"), until__isnull=True)
    household = Benefit.objects.filter(household_id=OuterRef("household_id"), person__isnull=True, until__isnull=True)
    flagged = PersonGroup.objects.filter(person_id=OuterRef("pk"), active=True)
    people = people.filter(Q(Exists(flagged)) | Q(Exists(own)) | Q(Q(relation="head"), Exists(household)))
    return list(
        people.values("id", "name", "sex", "birth_date", "household__code", "household__region_id").order_by(
            "household__region_id", "household__code", "id"
        )
    )


@dataclass
class Duty:
    person_id: int
    name: str
    sex: str
    age: int
    village: str
    household: str
    groups: list[str]
    frequency: str
    last_visit: dt.date | None
    due: dt.date
    status: str
    group_labels: list[str] = field(default_factory=list)

    @property
    def frequency_label(self) -> str:
        return duties.FREQUENCY_LABELS[self.frequency]

    @property
    def status_label(self) -> str:
        return duties.STATUS_LABELS[self.status]


def duty_list(user, *, region: str = "", today: dt.date) -> list[Duty]:
    """Everyone in scope with a visit duty on `today`, with the last visit and when the next is due."""
    people = candidates(user, region)
    prefix = region or (user.scope_code or "")
    member_groups = groups_of([p["id"] for p in people])
    last = dict(
        visits_for(user)
        .filter(region_code__startswith=prefix)
        .values("person_id")
        .annotate(last=Max("visited_on"))
        .values_list("person_id", "last")
    )
    out = []
    for p in people:
        held = sorted(member_groups.get(p["id"], ()), key=list(groups.DUTY_GROUPS).index)
        village = p["household__region_id"]
        frequency = duties.duty_rule(village[:6], today).frequency(held, today)
        if frequency is None:
            continue
        due = duties.next_due(last.get(p["id"]), frequency, today)
        out.append(
            Duty(
                p["id"],
                p["name"],
                p["sex"],
                duties.age_on(p["birth_date"], today),
                village,
                p["household__code"],
                held,
                frequency,
                last.get(p["id"]),
                due,
                duties.status(due, today),
                [groups.label(g) for g in held],
            )
        )
    return out


def coverage(user, *, today: dt.date, township: str = "") -> list[dict]:
    """Per village: persons with a duty, how many are visited within their interval, how many are late."""
    rows: dict[str, dict] = {}
    for duty in duty_list(user, region=township, today=today):
        row = rows.setdefault(duty.village, {"village": duty.village, "total": 0, "done": 0, "due": 0, "overdue": 0})
        row["total"] += 1
        row[duty.status] += 1
    names = dict(Region.objects.filter(code__in={c for r in rows for c in (r, r[:9])}).values_list("code", "name"))
    for code, row in rows.items():
        row["village_name"], row["township_name"] = names.get(code, code), names.get(code[:9], code[:9])
        row["percent"] = round(100 * row["done"] / row["total"]) if row["total"] else 0
    return sorted(rows.values(), key=lambda r: r["village"])


def townships_for(user) -> list[tuple[str, str]]:
    return list(scope(Region.objects.filter(level=Region.Level.TOWNSHIP), user, "code").values_list("code", "name"))


# -- suggestions from the register --------------------------------------------------------
SUGGEST_AGE = 60


def suggestions(user, *, today: dt.date, limit: int = 500) -> list[dict]:
    """特殊困难老年人 the register points at (aged 60 or more): living alone (a one-person
    household) → 独居; unable to care for oneself → 失能; disability level 1–2 → 重残. A
    suggestion once decided (accepted or refused) has a PersonGroup row and is not shown again."""
    size = Person.objects.filter(household_id=OuterRef("household_id")).values("household_id").annotate(n=Count("id")).values("n")
    old = (
        registry.persons_for(user)
        .filter(birth_date__lte=duties.born_before(today, SUGGEST_AGE))
        .annotate(size=Subquery(size))
        .filter(Q(size=1) | Q(self_care="none") | Q(disability_level__in=(1, 2)))
        .select_related("household", "household__region")
        .order_by("household__region_id", "id")[: limit * 2]
    )
    old = list(old)
    decided = set(PersonGroup.objects.filter(person_id__in=[p.pk for p in old]).values_list("person_id", "group"))
    out = []
    for person in old:
        reasons = [
            (code, why)
            for code, why, hit in (
                ("elderly_alone", "一人户", person.size == 1),
                ("elderly_disabled", "自理能力为全失能", person.self_care == "none"),
                ("elderly_severe_disability", f"残疾等级{person.disability_level}级", person.disability_level in (1, 2)),
            )
            if hit and (person.pk, code) not in decided
        ]
        for code, why in reasons:
            out.append(
                {
                    "person": person,
                    "group": code,
                    "label": groups.label(code),
                    "why": why,
                    "age": duties.age_on(person.birth_date, today),
                }
            )
    return out[:limit]


def person_groups(person: Person) -> list[PersonGroup]:
    return list(PersonGroup.objects.filter(person=person).select_related("set_by").order_by("group"))


def persons_in_scope(user, person: Person) -> bool:
    return registry.persons_for(user).filter(pk=person.pk).exists()


def age_today(person: Person) -> int:
    from django.utils import timezone

    return duties.age_on(person.birth_date, timezone.localdate())


def region_names(codes) -> dict[str, str]:
    """code → name for the given codes, or for every township and village when None."""
    rows = Region.objects.filter(level__in=(Region.Level.TOWNSHIP, Region.Level.VILLAGE))
    if codes is not None:
        rows = rows.filter(code__in=list(codes))
    return dict(rows.values_list("code", "name"))


def family_contacts(person: Person):
    from doudi.care.models import FamilyContact

    return FamilyContact.objects.filter(person=person, active=True)


def family_contact_get(user, pk: int):
    from doudi.care.models import FamilyContact

    contact = (
        scope(FamilyContact.objects.select_related("person", "person__household"), user, "person__household__region__code")
        .filter(pk=pk, active=True)
        .first()
    )
    if contact is None:
        raise Http404("没有找到该家庭成员，或不在您的管辖范围内")
    return contact


# -- reports (issue 18, 附件2) -------------------------------------------------------------
# Not scoped: the report checks the region against the user (or runs from the command).
def persons_flagged_on(region_code: str, group_codes, day: dt.date):
    """Persons under `region_code` holding an active flag of `group_codes` set on or before
    `day`. A flag removed since is not seen (no history is kept for removals): a submitted
    report keeps what it counted."""
    from django.utils import timezone

    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    flags = PersonGroup.objects.filter(person_id=OuterRef("pk"), active=True, group__in=list(group_codes), set_at__lt=end)
    return Person.objects.filter(household__region__code__startswith=region_code).filter(Exists(flags))


def problems_found_between(region_code: str, first: dt.date, last: dt.date):
    return Problem.objects.filter(region_code__startswith=region_code, found_on__gte=first, found_on__lte=last)


def problems_solved_between(region_code: str, first: dt.date, last: dt.date):
    return Problem.objects.filter(
        region_code__startswith=region_code, state=Problem.State.SOLVED, solved_on__gte=first, solved_on__lte=last
    )


def visits_between(region_code: str, first: dt.date, last: dt.date, recorded_before: dt.datetime | None = None):
    """Visits dated `first`…`last` under `region_code`; with `recorded_before`, only those
    entered before that moment (a past report does not change when a late visit is typed in).
    Not scoped: the caller checks the region (reports, issue 18)."""
    rows = Visit.objects.filter(region_code__startswith=region_code, visited_on__gte=first, visited_on__lte=last)
    if recorded_before is not None:
        rows = rows.filter(created_at__lt=recorded_before)
    return rows


def campaign_totals(region_code: str, first: dt.date, last: dt.date, recorded_before: dt.datetime | None = None) -> dict:
    """集中走访慰问 handed out under `region_code` at visits dated `first`…`last` (care/campaigns.py):
    {"visits": campaign visits, "persons": distinct persons, "money": 慰问金 given at the visit
    (Decimal, a figure only: bank-paid festival subsidies are payments runs), "goods": {kind: count}}.
    With `recorded_before`, only what was entered before that moment. Not scoped: the caller
    checks the region (the reports' festival table)."""
    from decimal import Decimal

    from doudi.care.models import CampaignVisit

    rows = CampaignVisit.objects.filter(region_code__startswith=region_code, visited_on__gte=first, visited_on__lte=last)
    if recorded_before is not None:
        rows = rows.filter(created_at__lt=recorded_before)
    out = {"visits": 0, "persons": 0, "money": Decimal("0"), "goods": {}}
    persons = set()
    for person_id, money, goods in rows.values_list("target__person_id", "money", "goods").iterator():
        out["visits"] += 1
        persons.add(person_id)
        out["money"] += money
        for kind, n in goods.items():
            out["goods"][kind] = out["goods"].get(kind, 0) + n
    out["persons"] = len(persons)
    return out
