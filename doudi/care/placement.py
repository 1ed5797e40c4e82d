"""集中供养 demand (issue 16 item 7): dispersed 特困 persons who cannot care for themselves
(自理能力 半失能 or 全失能) and wish to be placed in an institution. A wish is recorded with
its date and stays on the list until it has an outcome: placed (with the institution and
date) or withdrawn (with why). The persons who could need it but have no wish recorded are
listed too, so the township asks them. (Links to institutions when that issue lands.)"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.http import Http404

from doudi.care.agreements import _audit, is_dispersed_tekun
from doudi.care.models import PlacementWish
from doudi.care.services import CareError
from doudi.core.roles import MANAGE_PLACEMENT, can
from doudi.core.scoping import in_scope, scope
from doudi.registry import selectors as registry
from doudi.registry.models import Benefit, Person

NOT_SELF_CARING = ("partial", "none")


def wishes_for(user):
    return scope(PlacementWish.objects.all(), user, "region_code")


def wish_get(user, pk: int) -> PlacementWish:
    wish = wishes_for(user).select_related("person", "person__household").filter(pk=pk).first()
    if wish is None:
        raise Http404("没有找到该集中供养意愿，或不在您的管辖范围内")
    return wish


def waiting(user, region: str = ""):
    rows = wishes_for(user).filter(state=PlacementWish.State.WAITING)
    if region:
        rows = rows.filter(region_code__startswith=region)
    return rows.select_related("person").order_by("wished_on", "id")


def unasked(user, region: str = ""):
    """Dispersed 特困 in scope who cannot care for themselves and have no wish recorded yet."""
    people = registry.persons_for(user)
    if region:
        people = people.filter(household__region__code__startswith=region)
    tekun = Benefit.objects.filter(person_id=OuterRef("pk"), category="tekun", until__isnull=True).exclude(
        support_mode="centralized"
    )
    recorded = PlacementWish.objects.filter(person_id=OuterRef("pk"))
    return (
        people.filter(Exists(tekun), self_care__in=NOT_SELF_CARING)
        .exclude(Exists(recorded))
        .select_related("household", "household__region")
        .order_by("household__region_id", "id")
    )


def _guard(user, person: Person) -> str:
    village = person.household.region_id
    if not can(user, MANAGE_PLACEMENT) or not in_scope(user, village):
        raise PermissionError("您的角色或管辖范围无权办理该人员的集中供养")
    return village


def wish_record(*, user, person: Person, wished_on: dt.date | None, note: str, today: dt.date) -> PlacementWish:
    village = _guard(user, person)
    if not is_dispersed_tekun(person):
        raise CareError("只有分散供养的特困人员才登记集中供养意愿")
    if person.self_care not in NOT_SELF_CARING:
        raise CareError("该人员在台账中为生活能自理；自理能力评估为半失能或全失能后才列入集中供养需求")
    if wished_on is None or wished_on > today:
        raise CareError("提出意愿日期应为今天或以前的日期")
    try:
        with transaction.atomic():
            wish = PlacementWish.objects.create(
                person=person,
                region_code=village,
                township_code=village[:9],
                self_care=person.self_care,
                wished_on=wished_on,
                note=(note or "").strip()[:500],
                created_by=user,
            )
            _audit(user, person, "create", {"集中供养意愿": ["", f"{wished_on} 提出，待安置"]}, note or "登记集中供养意愿")
    except IntegrityError:
        raise CareError("该人员已有待安置的集中供养意愿") from None
    return wish


def wish_decide(
    *, user, wish: PlacementWish, state: str, on: dt.date | None, institution: str, outcome: str, today: dt.date
) -> PlacementWish:
    """Placed (with the institution) or withdrawn (with why): the wish leaves the list."""
    _guard(user, wish.person)
    if state not in (PlacementWish.State.PLACED, PlacementWish.State.WITHDRAWN):
        raise CareError("请选择结果：已集中供养或不再安置")
    if on is None or on > today or on < wish.wished_on:
        raise CareError("结果日期应在提出意愿日期和今天之间")
    institution, outcome = (institution or "").strip(), (outcome or "").strip()
    if state == PlacementWish.State.PLACED and not institution:
        raise CareError("已集中供养须填写供养机构")
    if state == PlacementWish.State.WITHDRAWN and not outcome:
        raise CareError("不再安置须写明原因（如：本人改变意愿、已去世）")
    with transaction.atomic():
        done = PlacementWish.objects.filter(pk=wish.pk, state=PlacementWish.State.WAITING).update(
            state=state, outcome_on=on, institution=institution[:100], outcome=outcome[:500], decided_by=user
        )
        if not done:
            raise CareError("该意愿已办理，请刷新页面")
        label = PlacementWish.State(state).label
        _audit(
            user,
            wish.person,
            "update",
            {"集中供养意愿": ["待安置", f"{label}" + (f"（{institution}）" if institution else "")]},
            outcome or label,
        )
    wish.refresh_from_db()
    return wish
