"""Writes for in-kind goods (御寒衣物, 米面油煤, 取暖炉具, 电热毯, 口罩 …): stock received per
township and kind, and hand-outs to named people (a register person, or a name with an ID
number), never beyond stock.

Every write locks the township's `GoodsBalance` row for the kind and changes it with a
conditional UPDATE (`… WHERE received - issued >= quantity`), like the 临时救助备用金
(payments/reserve.py): of two hand-outs at once that together exceed the stock, exactly one
wins (PostgreSQL: the second waits on the row lock and re-checks; SQLite runs one writer at a
time). The check constraint `goods_not_overissued` stands behind both. A form's token is unique
among entries, so the same form sent twice records once."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from doudi.core.roles import HANDLE_GOODS
from doudi.core.scoping import in_scope
from doudi.registry.models import Person
from doudi.services.common import ServiceError, choice, guard, id_number, quantity, text, township_of_county
from doudi.services.models import GOODS_KINDS, GoodsBalance, GoodsEntry

KIND_CHOICES = [(k, v[0]) for k, v in GOODS_KINDS.items()]


def _township(user, code: str):
    township = township_of_county(code, user)
    guard(user, HANDLE_GOODS, township.code, "办理物资出入库", "乡镇")
    return township


def _when(raw) -> dt.date:
    from doudi.services.common import day

    on = day({"d": raw}, "d", "日期")
    if on > timezone.localdate():
        raise ServiceError("日期不能晚于今天")
    return on


def _move(township, kind: str, *, received=0, issued=0) -> bool:
    GoodsBalance.objects.get_or_create(township=township, kind=kind)
    locked = GoodsBalance.objects.select_for_update().filter(township=township, kind=kind)
    locked.get()  # hold the row lock for the rest of the transaction (PostgreSQL)
    return bool(
        locked.filter(received__gte=F("issued") + issued - received).update(
            received=F("received") + received, issued=F("issued") + issued
        )
    )


def stock_of(township_code: str, kind: str):
    row = GoodsBalance.objects.filter(township_id=township_code, kind=kind).first()
    return row.stock if row else 0


def _record(township, kind, *, received=0, issued=0, refusal: str, token: str | None, **fields) -> tuple[GoodsEntry, bool]:
    if token:
        found = GoodsEntry.objects.filter(token=token).first()
        if found is not None:
            return found, False
    try:
        with transaction.atomic():
            if not _move(township, kind, received=received, issued=issued):
                raise ServiceError(refusal.format(stock=stock_of(township.code, kind)))
            return GoodsEntry.objects.create(township=township, kind=kind, token=token or None, **fields), True
    except IntegrityError:
        found = GoodsEntry.objects.filter(token=token).first() if token else None
        if found is None:
            raise
        return found, False


def goods_receive(*, user, data: dict, token: str | None = None) -> tuple[GoodsEntry, bool]:
    """入库: goods bought, allocated or donated arrive at the township."""
    township = _township(user, data.get("township"))
    kind = choice(data, "kind", "物资种类", KIND_CHOICES)
    amount = quantity(data.get("quantity"))
    return _record(
        township,
        kind,
        received=amount,
        refusal="",
        token=token,
        direction=GoodsEntry.Direction.IN,
        quantity=amount,
        on=_when(data.get("on")),
        source=text(data, "source", "物资来源"),
        note=text(data, "note", "备注", required=False),
        region_code=township.code,
        created_by=user,
        role=getattr(user, "role", ""),
    )


def goods_issue(*, user, data: dict, token: str | None = None) -> tuple[GoodsEntry, bool]:
    """发放 to one named person; refused beyond the township's stock of that kind."""
    township = _township(user, data.get("township"))
    kind = choice(data, "kind", "物资种类", KIND_CHOICES)
    amount = quantity(data.get("quantity"))
    number = id_number(str(data.get("id_number") or ""), "领取人身份证号")
    person = Person.objects.select_related("household").filter(id_number=number).first()
    if person is not None and not in_scope(user, person.household.region_id):
        person = None  # not the user's to see: recorded by the name and number typed, the register not shown
    name = person.name if person else text(data, "name", "领取人姓名", limit=32)
    label, unit = GOODS_KINDS[kind]
    refusal = f"{township.name}{label}库存 {{stock}} {unit}，不足发放 {amount} {unit}，请先入库"
    return _record(
        township,
        kind,
        issued=amount,
        refusal=refusal,
        token=token,
        direction=GoodsEntry.Direction.OUT,
        quantity=amount,
        on=_when(data.get("on")),
        person=person,
        recipient_name=name,
        recipient_id_number=number,
        region_code=person.household.region_id if person else township.code,
        note=text(data, "note", "备注", required=False),
        created_by=user,
        role=getattr(user, "role", ""),
    )
