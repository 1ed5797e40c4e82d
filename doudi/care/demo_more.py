"""More demo care (idempotent), after the visits of care/demo.py, through the care services only:

- 照料服务协议 for the dispersed 特困 of clerk1's township (all but three: the 缺少有效协议 list),
  three of them ending within the reminder window (即将到期);
- 困境儿童 of clerk1's township with a guardian (an adult of the household: 监护人, or 受委托照护人
  for a 留守 child) or 民政部门兜底监护 when nobody is there, paired (结对帮扶) with the 儿童主任 of
  helper1's village (the demo login childdir1 is that 儿童主任) or the township's 儿童督导员;
- a pre-festival campaign (集中走访慰问) running now with some visits marked (慰问金 and 慰问品);
- one problem in helper1's village that started a 临时救助 case.
Twice is once: each step looks for what it made before."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from doudi.care import agreements, campaigns, casework, children, duties
from doudi.care.models import CareAgreement, ChildDirector, ChildGuardian, ChildPairing, Problem, Visit
from doudi.care.services import CareError
from doudi.registry.models import Person

AGREEMENTS_MAX = 60
LEFT_WITHOUT = 3
EXPIRING = 3
CHILDREN_MAX = 24
CAMPAIGN = "春节前集中走访慰问（演示）"
CARERS = ["邻居", "侄子", "村护理员", "外甥女"]


def build_more(*, users: dict, today: dt.date, png) -> dict:
    return {
        "agreements": _agreements(users, today, png),
        "children": _children(users, today),
        "campaign_visits": _campaign(users, today),
        "cases": _problem_case(users),
    }


def _agreements(users: dict, today: dt.date, png) -> int:
    clerk = users["clerk1"]
    people = list(agreements.without_agreement(clerk, today)[: AGREEMENTS_MAX + LEFT_WITHOUT])
    if CareAgreement.objects.filter(region_code__startswith=clerk.region_id).exists():
        return 0
    window = agreements.remind_days(clerk.region_id, today)
    made = 0
    left = min(LEFT_WITHOUT, len(people) // 3)  # a few stay without one (缺少有效协议)
    for n, person in enumerate(people[: len(people) - left]):
        ends = today + dt.timedelta(days=5 + n * 7) if n < EXPIRING else today + dt.timedelta(days=window + 60 + n * 3)
        starts = ends.replace(year=ends.year - 1) + dt.timedelta(days=1) if not (ends.month == 2 and ends.day == 29) else ends
        provider = n % 5 == 4
        data = agreements.AgreementInput(
            kind=CareAgreement.Kind.PROVIDER if provider else CareAgreement.Kind.CARER,
            duties="日常生活照料、代购生活用品、陪同就医，冬季检查取暖和用煤安全",
            starts_on=min(starts, today),
            ends_on=ends,
            carer_name="" if provider else person.name[0] + "守义",
            carer_id_number="" if provider else _adult_id(person),
            carer_phone="" if provider else f"1350355{n:04d}",
            carer_relation="" if provider else CARERS[n % len(CARERS)],
            provider="县颐养居家养老服务中心" if provider else "",
            hours_per_month="20" if provider else None,
        )
        copy = SimpleUploadedFile("照料服务协议.png", png(f"agreement-{person.pk}"))
        try:
            agreements.agreement_sign(user=clerk, person=person, data=data, signed_copy=copy)
        except CareError:
            continue
        made += 1
    return made


def _adult_id(person: Person) -> str:
    """A valid ID number for a demo carer (a neighbour born 1975 in the same county)."""
    from doudi.core import idnumber

    return idnumber.with_check_digit(
        f"{person.household.region_id[:6]}19750{(person.pk % 9) + 1:01d}15{person.pk % 900 + 100:03d}"
    )


def _children(users: dict, today: dt.date) -> int:
    clerk, helper = users["clerk1"], users["helper1"]
    director = _director(clerk, "director", helper.region_id, _display(users.get("childdir1"), "王春梅"), "13903550101")
    supervisor = _director(clerk, "supervisor", clerk.region_id, _display(users.get("childsup1"), "李红霞"), "13903550102")
    made = 0
    for child in list(children.children_for(clerk, today)[:CHILDREN_MAX]):
        if ChildGuardian.objects.filter(child=child).exists() or ChildPairing.objects.filter(child=child).exists():
            continue
        try:
            _guardian(clerk, child, today)
            helper_village = child.household.region_id == helper.region_id
            children.pair(user=clerk, child=child, director=director if helper_village else supervisor, since=today, today=today)
        except CareError:
            continue
        made += 1
    return made


def _display(user, fallback: str) -> str:
    name = user.display_name() if user is not None else ""
    return name if name and name != getattr(user, "username", "") else fallback


def _director(clerk, kind: str, region: str, name: str, phone: str) -> ChildDirector:
    found = ChildDirector.objects.filter(kind=kind, region_code=region, active=True).first()
    return found or children.director_add(user=clerk, name=name, kind=kind, region_code=region, phone=phone)


def _guardian(clerk, child: Person, today: dt.date) -> None:
    left_behind = child.care_groups.filter(group="child_left_behind", active=True).exists()
    adults = [
        p
        for p in Person.objects.filter(household_id=child.household_id).exclude(pk=child.pk).order_by("birth_date")
        if duties.age_on(p.birth_date, today) >= 18
    ]
    since = today - dt.timedelta(days=200)
    if adults:
        adult = adults[0]
        children.guardian_add(
            user=clerk,
            child=child,
            kind="entrusted" if left_behind else "guardian",
            name=adult.name,
            id_number=adult.id_number,
            relation="祖父母" if adult.relation in ("head", "spouse") and left_behind else "亲属",
            duty="日常生活照料、接送上学、安全看护" if left_behind else "监护：生活照料、就医、就学",
            since=since,
            today=today,
        )
    else:
        children.guardian_add(
            user=clerk, child=child, kind="bureau", reason="父母双亡，无其他有监护能力的亲属", since=since, today=today
        )


def _campaign(users: dict, today: dt.date) -> int:
    staff, helper = users["staff"], users["helper1"]
    campaign = campaigns.campaigns_for(staff).filter(name=CAMPAIGN).first()
    if campaign is None:
        campaign = campaigns.campaign_start(
            user=staff,
            name=CAMPAIGN,
            group_codes=["tekun_dispersed", "dibao", "elderly_alone", "child_orphan"],
            starts_on=today - dt.timedelta(days=6),
            ends_on=today + dt.timedelta(days=20),
            money="300",
            goods="米面油、棉被",
            note="春节前对困难群众集中走访慰问；慰问金当面发放，只记数额",
        )
    made = 0
    visits = Visit.objects.filter(visited_on__gte=campaign.starts_on, visited_on__lte=campaign.ends_on).order_by("id")
    for n, visit in enumerate(visits.filter(region_code__startswith=staff.scope_code)):
        if n % 3 == 2 or campaign not in campaigns.open_for_visit(visit):
            continue  # every third visit is a routine one, not yet the campaign's
        who = helper if visit.region_code == helper.region_id else visit.visitor
        try:
            campaigns.campaign_visit_mark(
                user=who,
                visit=visit,
                campaign=campaign,
                money="300" if n % 2 == 0 else "",
                goods={"米面油": "1", "棉被": "1" if n % 4 == 0 else ""},
            )
        except (CareError, PermissionError):
            continue
        made += 1
    return made


def _problem_case(users: dict) -> int:
    clerk = users["clerk1"]
    # helper1's township: a hardship (question 1) first, else any problem not yet solved
    problems = Problem.objects.filter(township_code=clerk.region_id).exclude(state=Problem.State.SOLVED)
    if Problem.objects.exclude(case_number="").filter(township_code=clerk.region_id).exists():
        return 0
    for problem in problems.order_by("question", "id")[:5]:
        try:
            casework.problem_start_case(
                user=clerk, problem=problem, category="temp_assist", cause="other_emergency", amount="600", reason=""
            )
        except CareError:
            continue
        return 1
    return 0
