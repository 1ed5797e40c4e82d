"""Writes to a township's 临时救助备用金 (docs/domain.md §5: each township holds a reserve that is
drawn down and replenished; 国发〔2014〕47号 临时救助, 先行救助 paid first at the place of
the emergency).

Every write locks the township's `ReserveBalance` row and changes it with a conditional
UPDATE (`… WHERE allocated - drawn >= amount`), so two draws at once can never overdraw:
on PostgreSQL the second waits on the row lock and re-checks the condition; SQLite runs
one writer at a time (`transaction_mode: IMMEDIATE`). The database check constraint
`reserve_not_overdrawn` stands behind both. A form's token is unique among entries: the
same form submitted twice records once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F

from doudi.core import idnumber
from doudi.core.models import AuditEntry, Region
from doudi.core.roles import ALLOCATE_RESERVE, DRAW_RESERVE, can
from doudi.core.scoping import in_scope
from doudi.payments import months, params
from doudi.payments.models import ReserveBalance, ReserveEntry
from doudi.payments.runs import CENT
from doudi.rules.errors import RulesError

ITEM = "temp_assist"  # the fund ledger's item for draws (docs/glossary.md)


class ReserveError(Exception):
    """A refused write to the reserve; the message is for the user (Chinese)."""


def _amount(raw) -> Decimal:
    try:
        amount = Decimal(str(raw).strip()).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise ReserveError(f"金额 {raw!r} 不是有效的数字") from None
    if amount <= 0 or amount >= Decimal("1e10"):
        raise ReserveError("金额应大于 0 元")
    return amount


def _township(code: str, user, permission: str) -> Region:
    if not can(user, permission):
        raise ReserveError("您的角色不能办理此项备用金业务")
    township = Region.objects.filter(code=code, level=Region.Level.TOWNSHIP).first()
    if township is None:
        raise ReserveError(f"乡镇代码 {code!r} 不存在")
    if not in_scope(user, township.code):
        raise ReserveError(f"{township.name}不在您的管辖范围内")
    return township


def _audit(entry: ReserveEntry, user, changes: dict, reason: str = "") -> None:
    AuditEntry.objects.create(
        user=user,
        role=getattr(user, "role", ""),
        action="create",
        entity="reserve_entry",
        entity_key=str(entry.pk),
        changes=changes,
        reason=reason[:200],
    )


def _move(township: Region, *, allocated: Decimal = Decimal(0), drawn: Decimal = Decimal(0)) -> bool:
    """Change the township's totals unless the balance would go below zero; False if refused."""
    ReserveBalance.objects.get_or_create(township=township)
    locked = ReserveBalance.objects.select_for_update().filter(township=township)
    locked.get()  # hold the row lock for the rest of the transaction (PostgreSQL)
    return bool(
        locked.filter(allocated__gte=F("drawn") + drawn - allocated).update(
            allocated=F("allocated") + allocated, drawn=F("drawn") + drawn
        )
    )


def _existing(token: str | None) -> ReserveEntry | None:
    return ReserveEntry.objects.filter(token=token).first() if token else None


def _record(
    township: Region,
    *,
    allocated=Decimal(0),
    drawn=Decimal(0),
    refusal: str,
    token: str | None,
    user,
    audit_reason: str = "",
    **fields,
) -> tuple[ReserveEntry, bool]:
    """Writes one entry and moves the balance, atomically; (entry, created)."""
    found = _existing(token)
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            if not _move(township, allocated=allocated, drawn=drawn):
                raise ReserveError(refusal.format(balance=balance_of(township.code)))
            entry = ReserveEntry.objects.create(
                township=township, token=token or None, created_by=user, role=getattr(user, "role", ""), **fields
            )
            _audit(entry, user, {k: str(v) for k, v in fields.items() if v not in ("", None, False)}, audit_reason)
    except IntegrityError:
        found = _existing(token)  # the same form, submitted twice at once: the other submission won
        if found is None:
            raise
        return found, False
    return entry, True


def balance_of(township_code: str) -> Decimal:
    row = ReserveBalance.objects.filter(township_id=township_code).first()
    return row.balance if row else Decimal("0.00")


def reserve_allocate(
    *, township: str, amount, on: dt.date, ref: str, user, token: str | None = None
) -> tuple[ReserveEntry, bool]:
    """下拨或补充备用金 (county roles)."""
    region = _township(township, user, ALLOCATE_RESERVE)
    amount = _amount(amount)
    if not ref.strip():
        raise ReserveError("请填写下拨文号或说明")
    return _record(
        region,
        allocated=amount,
        refusal="",
        token=token,
        user=user,
        kind=ReserveEntry.Kind.ALLOCATION,
        on=on,
        month=months.of(on),
        amount=amount,
        ref=ref.strip()[:200],
    )


def reserve_draw(
    *,
    township: str,
    amount,
    on: dt.date,
    recipient_name: str,
    recipient_id_number: str,
    cause_type: str,
    cause: str,
    advance: bool = False,
    fund: str = "",
    note: str = "",
    user,
    token: str | None = None,
    case=None,
) -> tuple[ReserveEntry, bool]:
    """支取备用金 for one 临时救助 (township clerk of that township, or county staff).
    The recipient is named by ID number; they may live outside the registry (急难发生地).
    `case`: the 临时救助 case the draw pays (doudi/cases/temp.py), linked on the entry."""
    region = _township(township, user, DRAW_RESERVE)
    amount = _amount(amount)
    if not recipient_name.strip():
        raise ReserveError("请填写收款人姓名")
    try:
        number = idnumber.normalize(recipient_id_number)
    except idnumber.InvalidIdNumber as exc:
        raise ReserveError(f"收款人身份证号：{exc.message}") from None
    if cause_type not in ReserveEntry.Cause.values:
        raise ReserveError("请选择救助类型（急难型或支出型）")
    if not cause.strip():
        raise ReserveError("请填写救助事由")
    fund = fund or params.value("fund.temp_assist", region.code, on)
    try:
        params.fund_shares(fund, on, region.code)
    except RulesError:
        raise ReserveError(f"资金代码 {fund!r} 没有定义负担比例（fund_shares.{fund}）") from None
    refusal = f"{region.name}备用金余额 {{balance}} 元，不足支取 {amount} 元，请先申请下拨或补充"
    return _record(
        region,
        drawn=amount,
        refusal=refusal,
        token=token,
        user=user,
        kind=ReserveEntry.Kind.DRAW,
        on=on,
        month=months.of(on),
        amount=amount,
        recipient_name=recipient_name.strip()[:100],
        recipient_id_number=number,
        cause_type=cause_type,
        cause=cause.strip()[:200],
        advance=advance,
        fund=fund,
        ref=note.strip()[:200],
        case=case,
    )


def reserve_reverse(*, entry: ReserveEntry, reason: str, user, on: dt.date | None = None) -> ReserveEntry:
    """冲销 an entry: a new entry of the same kind with the opposite amount, in the month of
    the correction (红字冲销). Reversing an allocation is refused if the money was drawn."""
    permission = ALLOCATE_RESERVE if entry.kind == ReserveEntry.Kind.ALLOCATION else DRAW_RESERVE
    region = _township(entry.township_id, user, permission)
    if not reason.strip():
        raise ReserveError("冲销须写明原因")
    if entry.reverses_id is not None:
        raise ReserveError("冲销记录不能再冲销")
    if ReserveEntry.objects.filter(reverses=entry).exists():
        raise ReserveError("该记录已冲销")
    on = on or dt.date.today()
    delta = {"allocated": -entry.amount} if entry.kind == ReserveEntry.Kind.ALLOCATION else {"drawn": -entry.amount}
    fields = {
        k: getattr(entry, k)
        for k in ("kind", "recipient_name", "recipient_id_number", "cause_type", "cause", "advance", "fund", "case")
    }
    refusal = f"{region.name}备用金余额 {{balance}} 元，不足冲销该笔下拨 {entry.amount} 元"
    try:
        reversal, _ = _record(
            region,
            refusal=refusal,
            token=None,
            user=user,
            audit_reason=reason,
            on=on,
            month=months.of(on),
            amount=-entry.amount,
            ref=f"冲销：{reason.strip()}"[:200],
            reverses=entry,
            **delta,
            **fields,
        )
    except IntegrityError:
        raise ReserveError("该记录已冲销") from None
    return reversal
