"""Reads of the public side. Cases are read through the cases app's own selector where one
exists (selectors.public_case: a case only with its number and the applicant's ID number);
the 公示 list has no selector there, so it is a read-only query on the cases models here.
The 明白卡 reads the register through its scoped selectors (another township is a 404).
Nothing here writes any table but this app's own token."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from django.db import IntegrityError, transaction
from django.http import Http404

from doudi.cases import clock
from doudi.cases import selectors as case_selectors
from doudi.cases.models import Case
from doudi.core import codes
from doudi.core.models import Region
from doudi.public.masking import is_minor, mask_id, mask_name
from doudi.public.models import HouseholdToken
from doudi.registry import selectors as registry_selectors
from doudi.registry.models import Benefit, Household

# Above this many villages the apply form asks for the township first (a province's tree).
VILLAGES_AT_ONCE = 1500


def townships() -> list[Region]:
    return list(Region.objects.filter(level=Region.Level.TOWNSHIP).select_related("parent").order_by("code"))


def villages(township: str = "") -> list[Region]:
    rows = Region.objects.filter(level=Region.Level.VILLAGE).select_related("parent", "parent__parent")
    if township:
        rows = rows.filter(code__startswith=township)
    elif rows.count() > VILLAGES_AT_ONCE:
        return []
    return list(rows.order_by("code"))


def village_groups(villages_: list[Region]) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(乡镇 label, [(village code, village name)])] for a <select> with one <optgroup> per township."""
    groups: OrderedDict[str, list] = OrderedDict()
    for v in villages_:
        township = v.parent
        county = township.parent if township else None
        label = f"{county.name if county else ''} {township.name if township else ''}".strip()
        groups.setdefault(label, []).append((v.code, v.name))
    return list(groups.items())


def region_name(code: str) -> str:
    region = Region.objects.filter(code=code).select_related("parent").first()
    if region is None:
        return ""
    return f"{region.parent.name if region.parent else ''}{region.name}"


# ---- 进度查询 --------------------------------------------------------------------------------
def track(number: str, id_number: str) -> dict | None:
    """Status, steps with dates, current deadline and refusal reasons of the applicant's own
    case; None unless the number and the ID number both match (as for an unknown number)."""
    case = case_selectors.public_case(number or "", id_number or "")
    if case is None:
        return None
    states = dict(Case.State.choices)
    from django.utils import timezone

    steps = [{"label": states.get(s.to_state, s.to_state), "date": timezone.localdate(s.at)} for s in case.steps.order_by("id")]
    return {
        "number": case.number,
        "category": case.get_category_display(),
        "state": case.state,
        "state_label": case.get_state_display(),
        "channel": case.get_channel_display(),
        "received_on": case.received_on,
        "steps": steps,
        "open": case.is_open,
        "deadline": case.due if case.is_open else None,
        "clock": clock.status(case)["text"],
        "publicity": (case.publicity_start, case.publicity_end) if case.publicity_start else None,
        "refusal_reasons": case.refusal_reasons if case.state == Case.State.REFUSED else "",
        "decided_on": case.decided_on,
    }


# ---- 网上公示 --------------------------------------------------------------------------------
def _publicity_cases(day: dt.date, village: str = ""):
    """Cases in their 公示 step whose 公示 period covers `day` (after its last day it is
    withdrawn by itself: nobody has to take it down)."""
    rows = Case.objects.filter(state=Case.State.PUBLICITY, publicity_start__lte=day, publicity_end__gte=day)
    if village:
        rows = rows.filter(region_id=village)
    return rows.select_related("region", "region__parent").order_by("region_id", "publicity_start", "id")


def publicity_villages(day: dt.date) -> list[dict]:
    """Villages with a 公示 running today: [{code, name, township, count}] (minors not counted)."""
    out: OrderedDict[str, dict] = OrderedDict()
    for case in _publicity_cases(day).only("region", "applicant_id_number", "region__name", "region__parent__name"):
        if is_minor(case.applicant_id_number, day):
            continue
        row = out.setdefault(
            case.region_id,
            {
                "code": case.region_id,
                "name": case.region.name,
                "township": case.region.parent.name if case.region.parent else "",
                "count": 0,
            },
        )
        row["count"] += 1
    return list(out.values())


def publicity_list(village: str, day: dt.date) -> list[dict]:
    """The village's 公示 list: masked name and ID number, category, the amount the rules
    measured, the 公示 period. No address; a minor applicant is never listed."""
    rows = []
    for case in _publicity_cases(day, village):
        if is_minor(case.applicant_id_number, day):
            continue
        rows.append(
            {
                "name": mask_name(case.applicant_name),
                "id_number": mask_id(case.applicant_id_number),
                "category": case.category_label,
                "amount": case.rules_amount,
                "start": case.publicity_start,
                "end": case.publicity_end,
            }
        )
    return rows


def village_get(code: str) -> Region:
    region = Region.objects.filter(code=code, level=Region.Level.VILLAGE).select_related("parent", "parent__parent").first()
    if region is None:
        raise Http404("没有找到该村（居）")
    return region


# ---- 救助明白卡 ------------------------------------------------------------------------------
def _benefit_rows(benefits) -> list[dict]:
    rows = []
    for b in benefits:
        rows.append(
            {
                "category": codes.CATEGORIES.get(b.category, b.category),
                "short": b.category_label,
                "amount": b.monthly_amount,
                "since": b.since,
                "person": b.person,
                "mode": b.get_support_mode_display() if b.support_mode else "",
            }
        )
    return rows


def card(user, code: str) -> dict:
    """The 明白卡 of a household in the user's region (404 otherwise, like a missing one)."""
    household = registry_selectors.household_get(user, code)
    benefits = (
        registry_selectors.benefits_for(user).filter(household=household).select_related("person").order_by("category", "id")
    )
    members = list(household.members.all())
    head = next((m for m in members if m.relation == "head"), members[0] if members else None)
    township = household.region.parent if household.region.level == Region.Level.VILLAGE else household.region
    return {
        "household": household,
        "head": head,
        "members": len(members),
        "benefits": _benefit_rows(benefits),
        "total": sum((b.monthly_amount for b in benefits), start=0),
        "township": township,
        "county": township.parent if township and township.parent else None,
    }


def token_for(household: Household) -> str:
    """The household's status-page token, made on first use (one per household)."""
    found = HouseholdToken.objects.filter(household=household).values_list("token", flat=True).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return HouseholdToken.objects.create(household=household).token
    except IntegrityError:  # made at the same moment by another request
        return HouseholdToken.objects.values_list("token", flat=True).get(household=household)


def token_renew(household: Household) -> str:
    """A new token for a lost or shared card: the old QR code stops working at once."""
    with transaction.atomic():
        HouseholdToken.objects.filter(household=household).delete()
        return HouseholdToken.objects.create(household=household).token


def token_status(token: str, day: dt.date) -> dict | None:
    """The masked status page behind the QR code: the head's masked name (no name at all
    for a minor), the categories and monthly amounts held now; None for an unknown token."""
    if not token or len(token) > 40:
        return None
    found = HouseholdToken.objects.filter(token=token).select_related("household").first()
    if found is None:
        return None
    household = found.household
    head = household.members.filter(relation="head").first() or household.members.order_by("id").first()
    if head is None:
        name = ""
    elif is_minor(head.id_number, day):
        name = "（未成年人，不显示姓名）"
    else:
        name = mask_name(head.name)
    benefits = Benefit.objects.in_force(day).filter(household=household).order_by("category", "id")
    rows = [
        {
            "category": codes.CATEGORIES.get(b.category, b.category),
            "amount": b.monthly_amount,
            "personal": b.person_id is not None,
        }
        for b in benefits
    ]
    return {
        "name": name,
        "benefits": rows,
        "total": sum((b["amount"] for b in rows), start=0),
        "township": household.region.parent.name if household.region.parent else household.region.name,
    }
