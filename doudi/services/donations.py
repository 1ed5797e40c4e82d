"""Writes for the donation account (捐赠专户; 临民发【2024】22号（二）“送温暖、献爱心”): gifts of
money or goods, spending on named people, both confirmed by a second person.

- A gift is recorded (登记) by county staff and counts in the balance only when another person
  confirms it (到账确认); a refused gift never counts.
- A spend is recorded for one named person (a register person in the user's scope, or a name and
  ID number) by county staff or the township clerk, and reserves its amount at once: the county's
  `DonationBalance` row for the purpose and item is locked and changed with a conditional UPDATE
  (`… WHERE received >= spent + reserved + amount`), as goods.py does. Of two spends at once that
  together exceed the balance exactly one wins (PostgreSQL: the second waits on the row lock, then
  finds too little left); the check constraint `donation_not_overspent` stands behind both.
  Another person (county staff) confirms it (reserved → spent) or refuses it (reserved released).
- Maker-checker is the workflow primitive's Step(not_by_who_entered=("recorded",)): whoever
  recorded a gift or a spend cannot confirm it.
A form's token is unique, so the same form sent twice records once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from doudi.core.models import Region
from doudi.core.roles import CONFIRM_DONATIONS, HANDLE_DONATIONS
from doudi.core.scoping import in_scope
from doudi.core.workflow import Log, Step, Workflow, WorkflowError
from doudi.registry.models import Person
from doudi.services.common import (
    ServiceError,
    audit,
    choice,
    day,
    guard,
    id_number,
    phone,
    quantity,
    text,
    township_of_county,
)
from doudi.services.models import Donation, DonationBalance, DonationSpend, DonationStep
from doudi.services.models.donations import ITEM_CHOICES, ITEMS, MONEY, Purpose, State

S = State
_STEPS = {
    "confirm": Step((S.RECORDED,), S.CONFIRMED, CONFIRM_DONATIONS, "复核确认", not_by_who_entered=(S.RECORDED,)),
    "refuse": Step(
        (S.RECORDED,), S.REFUSED, CONFIRM_DONATIONS, "复核退回", reason_required=True, not_by_who_entered=(S.RECORDED,)
    ),
}
GIFT_WORKFLOW = Workflow(
    noun="捐赠",
    model=Donation,
    steps=_STEPS,
    log=Log(DonationStep, "donation", reason_max=500),
    region_of=lambda d: d.county_id,
    labels=lambda s: S(s).label,
)
SPEND_WORKFLOW = Workflow(
    noun="捐赠支出",
    model=DonationSpend,
    steps=_STEPS,
    log=Log(DonationStep, "spend", reason_max=500),
    region_of=lambda s: s.region_code,
    labels=lambda s: S(s).label,
)


def fmt(amount: Decimal, item: str) -> str:
    unit = ITEMS[item][1]
    return f"{amount:,.2f} 元" if item == MONEY else f"{amount.normalize():f} {unit}"


def county_of(user) -> Region:
    """The county whose account the user works with (a township clerk: the township's county)."""
    scope = getattr(user, "scope_code", None)
    if scope is None or len(scope) < 6:
        raise ServiceError("请以县（区）或乡镇的账号办理捐赠专户")
    county = Region.objects.filter(code=scope[:6], level=Region.Level.COUNTY).first()
    if county is None:
        raise ServiceError("找不到您所在的县（区）")
    return county


def _date(data: dict, key: str, label: str) -> dt.date:
    on = day(data, key, label)
    if on > timezone.localdate():
        raise ServiceError(f"{label}不能晚于今天")
    return on


def _flag(data: dict, key: str) -> bool:
    return str(data.get(key) or "").strip().lower() in ("1", "on", "yes", "true")


def _balance(county, purpose: str, item: str):
    DonationBalance.objects.get_or_create(county=county, purpose=purpose, item=item)
    rows = DonationBalance.objects.select_for_update().filter(county=county, purpose=purpose, item=item)
    rows.get()  # hold the row lock for the rest of the transaction (PostgreSQL)
    return rows


def available(county_code: str, purpose: str, item: str = MONEY) -> Decimal:
    row = DonationBalance.objects.filter(county_id=county_code, purpose=purpose, item=item).first()
    return row.available if row else Decimal("0")


def _by_token(model, token):
    return model.objects.filter(token=token).first() if token else None


# -- gifts ------------------------------------------------------------------------------------
def gift_record(*, user, data: dict, token: str | None = None) -> tuple[Donation, bool]:
    """登记 a gift (money in yuan, or goods by kind and quantity); it counts once confirmed."""
    county = county_of(user)
    if not in_scope(user, county.code):
        raise ServiceError("捐赠专户由县民政局统一管理，捐赠请交县民政局登记")
    guard(user, HANDLE_DONATIONS, county.code, "登记捐赠", "专户")
    found = _by_token(Donation, token)
    if found is not None:
        return found, False
    item = choice(data, "item", "捐赠资金或物资种类", ITEM_CHOICES)
    amount = quantity(data.get("amount"), "捐赠金额" if item == MONEY else "捐赠数量")
    goods = text(data, "goods", "物资说明", required=item != MONEY)
    thanks = _flag(data, "thanks")
    fields = {
        "county": county,
        "donor": text(data, "donor", "捐赠人（单位）", limit=100),
        "donor_kind": choice(data, "donor_kind", "捐赠人类别", Donation.DonorKind.choices),
        "donor_phone": phone(data, "donor_phone", "联系电话"),
        "item": item,
        "amount": amount,
        "goods": goods,
        "purpose": choice(data, "purpose", "捐赠用途", Purpose.choices),
        "on": _date(data, "on", "捐赠日期"),
        "receipt": text(data, "receipt", "捐赠票据号", required=False, limit=40),
        "thanks": thanks,
        "show_amount": thanks and _flag(data, "show_amount"),
        "token": token or None,
        "created_by": user,
    }
    try:
        with transaction.atomic():
            gift = Donation.objects.create(**fields)
            GIFT_WORKFLOW.record(gift, user, S.RECORDED, f"登记捐赠 {fmt(amount, item)}（{gift.get_purpose_display()}）").save()
    except IntegrityError:
        found = _by_token(Donation, token)
        if found is None:
            raise
        return found, False
    return gift, True


def gift_confirm(*, user, gift: Donation, note: str = "") -> Donation:
    """到账确认 by a second person: the gift enters the balance of its purpose."""
    try:
        GIFT_WORKFLOW.check(gift, "confirm", user)
        with transaction.atomic():
            rows = _balance(gift.county, gift.purpose, gift.item)
            gift = GIFT_WORKFLOW.move(gift, "confirm", user, note.strip()[:500] or "到账确认")
            rows.update(received=F("received") + gift.amount)
    except WorkflowError as exc:
        raise ServiceError(str(exc)) from None
    audit(
        user, "donation", gift.pk, {"捐赠人": gift.donor, "金额": fmt(gift.amount, gift.item)}, "捐赠到账确认", action="confirm"
    )
    return gift


def gift_refuse(*, user, gift: Donation, reason: str) -> Donation:
    try:
        return GIFT_WORKFLOW.move(gift, "refuse", user, str(reason or ""))
    except WorkflowError as exc:
        raise ServiceError(str(exc)) from None


# -- spending ---------------------------------------------------------------------------------
def spend_record(*, user, data: dict, token: str | None = None) -> tuple[DonationSpend, bool]:
    """登记 a spend on one named person; reserves the amount, refused beyond what is available."""
    found = _by_token(DonationSpend, token)
    if found is not None:
        return found, False
    county = county_of(user)
    township = township_of_county(data.get("township"), user, "受助人所在乡镇")
    guard(user, HANDLE_DONATIONS, township.code, "登记捐赠支出", "乡镇")
    item = choice(data, "item", "支出资金或物资种类", ITEM_CHOICES)
    purpose = choice(data, "purpose", "支出用途（须与捐赠用途一致）", Purpose.choices)
    amount = quantity(data.get("amount"), "支出金额" if item == MONEY else "支出数量")
    number = id_number(str(data.get("id_number") or ""), "受助人身份证号")
    person = Person.objects.select_related("household").filter(id_number=number).first()
    if person is not None and not person.household.region_id.startswith(township.code):
        person = None  # registered elsewhere: recorded by the name and number typed
    if person is not None and not in_scope(user, person.household.region_id):
        person = None
    name = person.name if person else text(data, "name", "受助人姓名（台账外人员）", limit=32)
    fields = {
        "county": county,
        "township": township,
        "region_code": person.household.region_id if person else township.code,
        "purpose": purpose,
        "item": item,
        "amount": amount,
        "person": person,
        "recipient_name": name,
        "recipient_id_number": number,
        "given": text(data, "given", "发放内容（现金、物品及数量）"),
        "reason": text(data, "reason", "救助事由", limit=500),
        "on": _date(data, "on", "发放日期"),
        "token": token or None,
        "created_by": user,
    }
    label = f"{dict(Purpose.choices)[purpose]}{ITEMS[item][0]}"
    try:
        with transaction.atomic():
            rows = _balance(county, purpose, item)
            if not rows.filter(received__gte=F("spent") + F("reserved") + amount).update(reserved=F("reserved") + amount):
                raise ServiceError(
                    f"捐赠专户「{label}」可用余额 {fmt(available(county.code, purpose, item), item)}，"
                    f"不足支出 {fmt(amount, item)}：不能支出未收到的捐赠"
                )
            spend = DonationSpend.objects.create(**fields)
            SPEND_WORKFLOW.record(spend, user, S.RECORDED, f"登记支出 {fmt(amount, item)}，发给 {name}").save()
    except IntegrityError:
        found = _by_token(DonationSpend, token)
        if found is None:
            raise
        return found, False
    return spend, True


def spend_confirm(*, user, spend: DonationSpend, note: str = "") -> DonationSpend:
    """复核 by a second person: the reserved amount becomes spent."""
    try:
        SPEND_WORKFLOW.check(spend, "confirm", user)
        with transaction.atomic():
            rows = _balance(spend.county, spend.purpose, spend.item)
            spend = SPEND_WORKFLOW.move(spend, "confirm", user, note.strip()[:500] or "复核确认")
            rows.update(reserved=F("reserved") - spend.amount, spent=F("spent") + spend.amount)
    except WorkflowError as exc:
        raise ServiceError(str(exc)) from None
    audit(
        user,
        "donation_spend",
        spend.pk,
        {"受助人": spend.recipient_name, "金额": fmt(spend.amount, spend.item)},
        "捐赠支出复核确认",
        action="confirm",
    )
    return spend


def spend_refuse(*, user, spend: DonationSpend, reason: str) -> DonationSpend:
    """复核退回: the reserved amount is released."""
    try:
        SPEND_WORKFLOW.check(spend, "refuse", user, str(reason or ""))
        with transaction.atomic():
            rows = _balance(spend.county, spend.purpose, spend.item)
            spend = SPEND_WORKFLOW.move(spend, "refuse", user, str(reason))
            rows.update(reserved=F("reserved") - spend.amount)
    except WorkflowError as exc:
        raise ServiceError(str(exc)) from None
    return spend
