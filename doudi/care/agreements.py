"""照料服务协议 for dispersed 特困 persons (issue 16 item 5): sign, replace a carer who cannot
serve (the old agreement ends with the reason, both kept), the list of those expiring within
the reminder period and of dispersed 特困 without a valid agreement. Reads are scoped to the
user's region subtree (core.scoping); writes check role and scope and leave an audit entry."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from doudi.care.models import CareAgreement
from doudi.care.services import CareError
from doudi.core import idnumber, uploads
from doudi.core.models import AuditEntry
from doudi.core.roles import MANAGE_AGREEMENTS, can
from doudi.core.scoping import in_scope, scope
from doudi.registry import selectors as registry
from doudi.registry.models import Benefit, Person

MAX_COPY_BYTES = 10 * 1024 * 1024
PHONE = re.compile(r"[0-9\-+ ]{7,20}")


def remind_days(region: str, day: dt.date) -> int:
    """Days before the end at which an agreement is listed as expiring: the dated parameter
    care.agreement.remind_days of the county (the national default for a user above counties)."""
    from doudi.rules.policy import parameter

    return int(parameter("care.agreement.remind_days", (region or "")[:6] or "national", day).value)


# -- who needs one ---------------------------------------------------------------------------
def _dispersed_tekun():
    return Benefit.objects.filter(person_id=OuterRef("pk"), category="tekun", until__isnull=True).exclude(
        support_mode="centralized"
    )


def is_dispersed_tekun(person: Person) -> bool:
    return (
        Benefit.objects.filter(person=person, category="tekun", until__isnull=True).exclude(support_mode="centralized").exists()
    )


def valid_on(day: dt.date):
    """Agreements covering `day` (started, not past their end, not ended early by then)."""
    return Q(starts_on__lte=day, ends_on__gte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


# -- reads (scoped) ------------------------------------------------------------------------------
def agreements_for(user):
    return scope(CareAgreement.objects.all(), user, "region_code")


def agreement_get(user, pk: int) -> CareAgreement:
    agreement = agreements_for(user).select_related("person", "person__household", "replaced_by").filter(pk=pk).first()
    if agreement is None:
        raise Http404("没有找到该照料服务协议，或不在您的管辖范围内")
    return agreement


def person_agreements(user, person: Person):
    return agreements_for(user).filter(person=person).select_related("replaced_by", "created_by").order_by("-starts_on", "-id")


def without_agreement(user, today: dt.date, region: str = ""):
    """Dispersed 特困 persons in scope with no agreement valid today."""
    people = registry.persons_for(user)
    if region:
        people = people.filter(household__region__code__startswith=region)
    covered = CareAgreement.objects.filter(valid_on(today), person_id=OuterRef("pk"))
    return (
        people.filter(Exists(_dispersed_tekun()))
        .exclude(Exists(covered))
        .select_related("household", "household__region")
        .order_by("household__region_id", "household__code", "id")
    )


def expiring(user, today: dt.date, days: int | None = None, region: str = ""):
    """Agreements valid today that end within `days` (the reminder period) and have no
    successor signed yet (a renewal starting later)."""
    days = remind_days(user.scope_code or "", today) if days is None else days
    successor = CareAgreement.objects.filter(
        person_id=OuterRef("person_id"), starts_on__gt=OuterRef("starts_on"), ended_on__isnull=True
    )
    rows = agreements_for(user).filter(valid_on(today), ended_on__isnull=True, ends_on__lte=today + dt.timedelta(days=days))
    if region:
        rows = rows.filter(region_code__startswith=region)
    return rows.exclude(Exists(successor)).select_related("person").order_by("ends_on", "id")


def current(user, today: dt.date, region: str = ""):
    rows = agreements_for(user).filter(valid_on(today))
    if region:
        rows = rows.filter(region_code__startswith=region)
    return rows.select_related("person").order_by("region_code", "ends_on", "id")


# -- writes --------------------------------------------------------------------------------------
@dataclass
class AgreementInput:
    kind: str
    duties: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    carer_name: str = ""
    carer_id_number: str = ""
    carer_phone: str = ""
    carer_relation: str = ""
    provider: str = ""
    hours_per_month: str | Decimal | None = None


def _copy_type(upload) -> str:
    if upload is None:
        raise CareError("请上传签字的协议（PDF、JPEG 或 PNG）")
    try:
        return uploads.sniff(upload, allowed=(uploads.JPEG, uploads.PNG, uploads.PDF), max_bytes=MAX_COPY_BYTES, what="协议文件")[
            0
        ]
    except uploads.UploadRefused as exc:
        raise CareError(str(exc)) from None


def _checked(data: AgreementInput) -> dict:
    """The agreement's fields, or CareError naming the first problem (Chinese)."""
    if data.kind not in CareAgreement.Kind.values:
        raise CareError("请选择照料方式（个人照料或政府购买服务）")
    if data.starts_on is None or data.ends_on is None:
        raise CareError("请填写协议开始日期和终止日期")
    if data.ends_on < data.starts_on:
        raise CareError("协议终止日期不能早于开始日期")
    if data.ends_on > data.starts_on + dt.timedelta(days=366 * 5):
        raise CareError("协议期限不能超过 5 年")
    duties = (data.duties or "").strip()
    if not duties:
        raise CareError("请填写照料内容（如：日常起居、做饭洗衣、就医陪护）")
    phone = (data.carer_phone or "").strip()
    if phone and not PHONE.fullmatch(phone):
        raise CareError(f"联系电话「{phone}」格式不对，应为 7–20 位数字")
    fields = {
        "kind": data.kind,
        "duties": duties[:2000],
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "carer_phone": phone,
        "carer_name": (data.carer_name or "").strip()[:60],
        "carer_relation": (data.carer_relation or "").strip()[:16],
        "carer_id_number": "",
        "provider": "",
        "hours_per_month": None,
    }
    if data.kind == CareAgreement.Kind.CARER:
        if not fields["carer_name"] or not fields["carer_relation"]:
            raise CareError("个人照料须填写照料人姓名和与特困人员的关系")
        try:
            fields["carer_id_number"] = idnumber.normalize(data.carer_id_number or "")
        except idnumber.InvalidIdNumber:
            raise CareError("照料人身份证号不正确，请核对") from None
        if not phone:
            raise CareError("请填写照料人联系电话")
    else:
        provider = (data.provider or "").strip()
        if not provider:
            raise CareError("政府购买服务须填写服务机构")
        try:
            hours = Decimal(str(data.hours_per_month).strip())
        except (InvalidOperation, TypeError, ValueError):
            raise CareError("请填写每月服务时长（小时），应为数字") from None
        if not hours.is_finite() or hours <= 0 or hours > 744:
            raise CareError("每月服务时长应大于 0、不超过 744 小时")
        fields.update(provider=provider[:100], hours_per_month=hours.quantize(Decimal("0.1")))
    return fields


def _audit(user, person, action: str, changes: dict, reason: str) -> None:
    AuditEntry.objects.create(
        user=user,
        role=getattr(user, "role", ""),
        action=action,
        entity="person",
        entity_key=person.id_number,
        household_code=person.household.code,
        changes=changes,
        reason=reason[:200],
    )


def _guard(user, person) -> str:
    village = person.household.region_id
    if not can(user, MANAGE_AGREEMENTS) or not in_scope(user, village):
        raise PermissionError("您的角色或管辖范围无权办理该人员的照料服务协议")
    return village


def agreement_sign(*, user, person: Person, data: AgreementInput, signed_copy) -> CareAgreement:
    """Records a new agreement. Refused for a person who is not a dispersed 特困, and while
    another agreement covers the new term (a carer who cannot serve is replaced instead)."""
    village = _guard(user, person)
    if not is_dispersed_tekun(person):
        raise CareError("只有分散供养特困人员需要签订照料服务协议")
    fields = _checked(data)
    kind = _copy_type(signed_copy)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one signing at a time per person
        overlap = (
            CareAgreement.objects.filter(person=person, starts_on__lte=fields["ends_on"], ends_on__gte=fields["starts_on"])
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=fields["starts_on"]))
            .first()
        )
        if overlap is not None:
            raise CareError(
                f"该期间已有照料服务协议（{overlap.carer_label}，{overlap.starts_on}—{overlap.last_day}）；"
                "照料人不能继续照料时请用“更换照料人”"
            )
        agreement = CareAgreement(
            person=person, region_code=village, township_code=village[:9], created_by=user, signed_copy_type=kind, **fields
        )
        agreement.signed_copy.save(f"agreement-{person.pk}-{fields['starts_on']:%Y%m%d}{_suffix(kind)}", signed_copy, save=False)
        agreement.save()
        _audit(
            user,
            person,
            "create",
            {"照料服务协议": ["", f"{agreement.carer_label}（{agreement.starts_on}至{agreement.ends_on}）"]},
            "签订照料服务协议",
        )
    return agreement


def _suffix(kind: str) -> str:
    return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[kind]


def agreement_replace(
    *, user, agreement: CareAgreement, on: dt.date | None, reason: str, note: str, data: AgreementInput, signed_copy
) -> CareAgreement:
    """The carer cannot serve (疫情, illness …): the agreement ends on `on` (valid up to the
    day before) with the reason, and a new one with the new carer starts that day."""
    person = agreement.person
    village = _guard(user, person)
    if reason not in CareAgreement.EndReason.values:
        raise CareError("请选择更换照料人的原因")
    note = (note or "").strip()
    if reason == CareAgreement.EndReason.OTHER and not note:
        raise CareError("原因为“其他”时请写明情况")
    if on is None:
        raise CareError("请填写更换日期")
    if agreement.ended_on is not None:
        raise CareError("该协议已终止，不能再更换照料人")
    if not (agreement.starts_on < on <= agreement.ends_on):
        raise CareError(f"更换日期应在原协议期限内（{agreement.starts_on} 之后、{agreement.ends_on} 之前）")
    data.starts_on = on
    fields = _checked(data)
    kind = _copy_type(signed_copy)
    with transaction.atomic():
        ended = CareAgreement.objects.filter(pk=agreement.pk, ended_on__isnull=True).update(
            ended_on=on, end_reason=reason, end_note=note[:500]
        )
        if not ended:
            raise CareError("该协议刚被他人更换或终止，请刷新页面")
        later = (
            CareAgreement.objects.filter(person=person, starts_on__gte=on, ends_on__gte=on, ended_on__isnull=True)
            .exclude(pk=agreement.pk)
            .filter(starts_on__lte=fields["ends_on"])
            .first()
        )
        if later is not None:
            raise CareError(f"新协议与已签订的后续协议（{later.carer_label}，自 {later.starts_on}）期限重叠")
        new = CareAgreement(
            person=person, region_code=village, township_code=village[:9], created_by=user, signed_copy_type=kind, **fields
        )
        new.signed_copy.save(f"agreement-{person.pk}-{on:%Y%m%d}{_suffix(kind)}", signed_copy, save=False)
        new.save()
        CareAgreement.objects.filter(pk=agreement.pk).update(replaced_by=new)
        why = CareAgreement.EndReason(reason).label + (f"：{note}" if note else "")
        _audit(
            user,
            person,
            "update",
            {
                "照料服务协议": [
                    f"{agreement.carer_label}（至{agreement.ends_on}）",
                    f"{new.carer_label}（{new.starts_on}至{new.ends_on}）",
                ]
            },
            f"更换照料人：{why}",
        )
    agreement.refresh_from_db()
    return new


def reminders(user, today: dt.date) -> list[dict]:
    """What the home page's to-do should show for agreements, as plain data (label, count,
    url, urgent, hint) for a workbench source to wrap in todo.Item: care cannot register the
    source itself, since the workbench already imports care (an import cycle, forbidden by
    tests/test_architecture.py). Only for roles that sign agreements, inside their scope."""
    if not can(user, MANAGE_AGREEMENTS):
        return []
    from django.urls import reverse

    url = reverse("care:agreements")
    days = remind_days(user.scope_code or "", today)
    return [
        {
            "label": "缺少有效照料服务协议的分散供养特困人员",
            "count": without_agreement(user, today).count(),
            "url": f"{url}?tab=missing",
            "urgent": True,
            "hint": "请签订照料服务协议或更换照料人",
        },
        {
            "label": f"{days}天内到期的照料服务协议",
            "count": expiring(user, today, days).count(),
            "url": f"{url}?tab=expiring",
            "urgent": False,
            "hint": "请及时续签",
        },
    ]
