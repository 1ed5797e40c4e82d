"""困境儿童 (issue 16 item 6): who looks after each child — a guardian or an entrusted carer
and their duty, or 兜底监护 by the civil-affairs bureau when nobody can — and 结对帮扶 with a
儿童主任 (a named person record: ChildDirector). Reads scoped; writes check role and scope
and leave an audit entry; nothing is deleted (an ended row keeps its date and reason)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from doudi.care import duties, groups
from doudi.care.agreements import PHONE, _audit
from doudi.care.models import ChildDirector, ChildGuardian, ChildPairing, PersonGroup
from doudi.care.services import CareError
from doudi.core import idnumber
from doudi.core.roles import MANAGE_CHILD_CARE, can
from doudi.core.scoping import in_scope, scope
from doudi.registry import selectors as registry
from doudi.registry.models import Benefit, Person

CHILD_AGE = 18
CHILD_BENEFITS = ("orphan", "unsupported_child")
BUREAU_NAME = "县民政局"


def child_max_age(region: str, day: dt.date) -> int:
    try:
        from doudi.rules.policy import parameter

        return int(parameter("child.max_age", (region or "")[:6], day).value)
    except Exception:  # noqa: BLE001 - no value for the region: the law's 18
        return CHILD_AGE


def _child_filter():
    flagged = PersonGroup.objects.filter(person_id=OuterRef("pk"), active=True, group__in=list(groups.CHILDREN))
    paid = Benefit.objects.filter(person_id=OuterRef("pk"), category__in=CHILD_BENEFITS, until__isnull=True)
    return Q(Exists(flagged)) | Q(Exists(paid))


def is_difficult_child(person: Person) -> bool:
    return Person.objects.filter(pk=person.pk).filter(_child_filter()).exists()


def child_people():
    """Every person flagged or paid as a 困境儿童 (any age: a visit stays a child's visit)."""
    return Person.objects.filter(_child_filter())


def is_child_now(person: Person, today: dt.date) -> bool:
    """A 困境儿童 under the age limit today: whom a 儿童主任 may visit."""
    return is_difficult_child(person) and duties.age_on(person.birth_date, today) < child_max_age(
        person.household.region_id, today
    )


def children_for(user, today: dt.date, region: str = ""):
    """困境儿童 in scope: flagged (孤儿、事实无人抚养、留守、其他) or paid a child's living allowance, under age."""
    people = registry.persons_for(user)
    if region:
        people = people.filter(household__region__code__startswith=region)
    oldest = duties.born_before(today, child_max_age(user.scope_code or "", today))
    return (
        people.filter(_child_filter(), birth_date__gt=oldest)
        .select_related("household", "household__region")
        .order_by("household__region_id", "household__code", "id")
    )


def child_rows(user, today: dt.date, region: str = "", missing: str = "") -> list[dict]:
    """Each child with their active guardians and pairing; `missing`: "guardian" (nobody
    responsible) or "pairing" (no 儿童主任) keeps only those."""
    children = list(children_for(user, today, region)[:5000])
    ids = [c.pk for c in children]
    guardians: dict[int, list] = {}
    for g in ChildGuardian.objects.filter(child_id__in=ids, ended_on__isnull=True):
        guardians.setdefault(g.child_id, []).append(g)
    pairings = {
        p.child_id: p for p in ChildPairing.objects.filter(child_id__in=ids, ended_on__isnull=True).select_related("director")
    }
    flags: dict[int, list] = {}
    for person_id, code in PersonGroup.objects.filter(
        person_id__in=ids, active=True, group__in=list(groups.CHILDREN)
    ).values_list("person_id", "group"):
        flags.setdefault(person_id, []).append(groups.label(code))
    rows = []
    for child in children:
        row = {
            "child": child,
            "age": duties.age_on(child.birth_date, today),
            "groups": flags.get(child.pk, []),
            "guardians": guardians.get(child.pk, []),
            "pairing": pairings.get(child.pk),
        }
        if missing == "guardian" and row["guardians"] or missing == "pairing" and row["pairing"]:
            continue
        rows.append(row)
    return rows


def guardians_of(child: Person):
    return ChildGuardian.objects.filter(child=child).order_by("ended_on", "kind", "id")


def pairings_of(child: Person):
    return ChildPairing.objects.filter(child=child).select_related("director").order_by("ended_on", "-since", "-id")


def guardian_get(user, pk: int) -> ChildGuardian:
    row = scope(ChildGuardian.objects.select_related("child", "child__household"), user, "region_code").filter(pk=pk).first()
    if row is None:
        raise Http404("没有找到该记录，或不在您的管辖范围内")
    return row


def pairing_get(user, pk: int) -> ChildPairing:
    row = (
        scope(ChildPairing.objects.select_related("child", "child__household", "director"), user, "region_code")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise Http404("没有找到该记录，或不在您的管辖范围内")
    return row


def directors_for(user):
    """儿童主任 and 儿童督导员 in the user's subtree (a helper sees their village's)."""
    return scope(ChildDirector.objects.all(), user, "region_code")


def directors_for_child(user, child: Person):
    """Those who may be paired with the child: in post, responsible for the child's village or its township."""
    village = child.household.region_id
    return directors_for(user).filter(active=True, region_code__in=[village, village[:9]])


# -- writes --------------------------------------------------------------------------------------
def _guard(user, child: Person, today: dt.date) -> str:
    village = child.household.region_id
    if not can(user, MANAGE_CHILD_CARE) or not in_scope(user, village):
        raise PermissionError("您的角色或管辖范围无权办理该儿童的监护和帮扶")
    if duties.age_on(child.birth_date, today) >= child_max_age(village, today):
        raise CareError("该人员已成年，不属于困境儿童")
    if not is_difficult_child(child):
        raise CareError("该儿童未登记为困境儿童（孤儿、事实无人抚养儿童、农村留守儿童或其他困境儿童），请先在特殊群体中设置")
    return village


def guardian_add(
    *,
    user,
    child: Person,
    kind: str,
    name: str = "",
    id_number: str = "",
    phone: str = "",
    relation: str = "",
    duty: str = "",
    reason: str = "",
    since: dt.date | None,
    today: dt.date,
) -> ChildGuardian:
    village = _guard(user, child, today)
    if kind not in ChildGuardian.Kind.values:
        raise CareError("请选择监护人、受委托照护人或民政部门兜底监护")
    if since is None or since > today:
        raise CareError("开始日期应为今天或以前的日期")
    name, phone, relation, duty, reason = (v.strip() for v in (name, phone, relation, duty, reason))
    if phone and not PHONE.fullmatch(phone):
        raise CareError(f"联系电话「{phone}」格式不对，应为 7–20 位数字")
    active = ChildGuardian.objects.filter(child=child, ended_on__isnull=True)
    if kind == ChildGuardian.Kind.BUREAU:
        if active.filter(kind=ChildGuardian.Kind.GUARDIAN).exists():
            raise CareError("该儿童已有监护人；监护人确实无法履行监护职责时，请先终止其监护（写明原因），再设为民政部门兜底监护")
        if active.filter(kind=ChildGuardian.Kind.BUREAU).exists():
            raise CareError("该儿童已由民政部门兜底监护")
        if not reason:
            raise CareError("民政部门兜底监护须写明无人监护的原因（如：父母双亡、父母服刑且无其他监护人）")
        name, number, relation = name or BUREAU_NAME, "", ""
        duty = duty or "兜底监护：保障基本生活、就医、就学，安排照护"
    else:
        if not name or not relation:
            raise CareError("请填写姓名和与儿童的关系")
        try:
            number = idnumber.normalize(id_number)
        except idnumber.InvalidIdNumber:
            raise CareError("身份证号不正确，请核对") from None
        if number == child.id_number:
            raise CareError("监护人或照护人不能是儿童本人")
        if not duty:
            raise CareError("请填写应履行的责任（如：日常生活照料、送医就学、安全看护）")
        if kind == ChildGuardian.Kind.GUARDIAN and active.filter(kind=ChildGuardian.Kind.BUREAU).exists():
            raise CareError("该儿童现由民政部门兜底监护；确定监护人后，请先终止兜底监护（写明原因）")
    with transaction.atomic():
        row = ChildGuardian.objects.create(
            child=child,
            region_code=village,
            kind=kind,
            name=name[:60],
            id_number=number,
            phone=phone,
            relation=relation[:16],
            duty=duty[:500],
            reason=reason[:500],
            since=since,
            created_by=user,
        )
        label = ChildGuardian.Kind(kind).label
        _audit(user, child, "create", {"困境儿童监护照护": ["", f"{label} {row.name}"]}, reason or f"登记{label}")
    return row


def guardian_end(*, user, row: ChildGuardian, reason: str, on: dt.date | None, today: dt.date) -> ChildGuardian:
    child = row.child
    village = child.household.region_id
    if not can(user, MANAGE_CHILD_CARE) or not in_scope(user, village):
        raise PermissionError("您的角色或管辖范围无权办理该儿童的监护和帮扶")
    if not (reason or "").strip():
        raise CareError("请写明终止原因")
    if on is None or on > today or on < row.since:
        raise CareError("终止日期应在开始日期和今天之间")
    with transaction.atomic():
        if not ChildGuardian.objects.filter(pk=row.pk, ended_on__isnull=True).update(
            ended_on=on, end_reason=reason.strip()[:500]
        ):
            raise CareError("该记录已终止")
        _audit(user, child, "end", {"困境儿童监护照护": [f"{row.get_kind_display()} {row.name}", ""]}, reason.strip())
    row.refresh_from_db()
    return row


def director_add(*, user, name: str, kind: str, region_code: str, phone: str = "") -> ChildDirector:
    if not can(user, MANAGE_CHILD_CARE):
        raise PermissionError("您的角色无权登记儿童主任")
    name, phone, region_code = name.strip(), phone.strip(), region_code.strip()
    if not name:
        raise CareError("请填写儿童主任姓名")
    if kind not in ChildDirector.Kind.values:
        raise CareError("请选择儿童主任或儿童督导员")
    from doudi.core.models import Region

    region = Region.objects.filter(code=region_code, level__in=(Region.Level.VILLAGE, Region.Level.TOWNSHIP)).first()
    if region is None or not in_scope(user, region_code):
        raise CareError("请选择您管辖范围内的村（社区）或乡镇")
    if kind == ChildDirector.Kind.DIRECTOR and region.level != Region.Level.VILLAGE:
        raise CareError("儿童主任负责村（社区），请选择村（社区）")
    if kind == ChildDirector.Kind.SUPERVISOR and region.level != Region.Level.TOWNSHIP:
        raise CareError("儿童督导员负责乡镇（街道），请选择乡镇")
    if phone and not PHONE.fullmatch(phone):
        raise CareError(f"联系电话「{phone}」格式不对，应为 7–20 位数字")
    return ChildDirector.objects.create(name=name[:32], kind=kind, region_code=region_code, phone=phone, created_by=user)


def pair(
    *, user, child: Person, director: ChildDirector, since: dt.date | None, today: dt.date, reason: str = ""
) -> ChildPairing:
    """结对帮扶: pairs the child with a 儿童主任 of the child's village (or the township's
    督导员); an earlier pairing ends that day, with the reason."""
    village = _guard(user, child, today)
    if not director.active or director.region_code not in (village, village[:9]):
        raise CareError("该儿童主任不负责这名儿童所在的村（社区）或不在岗")
    if since is None or since > today:
        raise CareError("结对日期应为今天或以前的日期")
    with transaction.atomic():
        previous = ChildPairing.objects.select_for_update().filter(child=child, ended_on__isnull=True).first()
        if previous is not None:
            if previous.director_id == director.pk:
                raise CareError("该儿童已与这位儿童主任结对")
            if not reason.strip():
                raise CareError("该儿童已有结对的儿童主任；更换时请写明原因")
            if since < previous.since:
                raise CareError("新的结对日期不能早于原结对日期")
            ChildPairing.objects.filter(pk=previous.pk).update(ended_on=since, end_reason=reason.strip()[:500])
        row = ChildPairing.objects.create(child=child, region_code=village, director=director, since=since, created_by=user)
        _audit(
            user,
            child,
            "update" if previous else "create",
            {"结对帮扶": [str(previous.director) if previous else "", str(director)]},
            reason.strip() or "结对帮扶",
        )
    return row
