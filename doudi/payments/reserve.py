"""Writes to a township's 临时救助备用金 (docs/domain.md §5: each township holds a reserve that is
drawn down and replenished; 国发〔2014〕47号 临时救助, 先行救助 paid first at the place of
the emergency).

Every entry (下拨/补充, 支取, 冲销) is recorded 待复核 and moves the balance only when a second
person confirms it (reserve_check.py: maker-checker on core.workflow, the balance row locked
and changed with a conditional UPDATE, so confirmations can never overdraw). Recording checks
the confirmed balance already (a draw larger than it is refused at once), so a clerk learns of
a shortfall when typing, not only when the checker confirms.

A draw paid by a 临时救助 case's decision (doudi/cases/temp.py passes `case`) counts as checked
at once when a different person did the case's 核对, 入户调查 or 报县级审批: that person prepared
the file, the one approving it pays — two people. Otherwise it waits for a checker like any
other draw. A form's token is unique among entries: the same form submitted twice records once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from doudi.core import idnumber
from doudi.core.models import Region
from doudi.core.roles import ALLOCATE_RESERVE, DRAW_RESERVE, can
from doudi.core.scoping import in_scope
from doudi.payments import months, params
from doudi.payments.models import ReserveEntry
from doudi.payments.reserve_check import (
    CASE_CHECK_STEPS,
    ReserveError,
    audit,
    balance_of,
    move_balance,
    record_steps,
    refusal,
    reserve_confirm,
    reserve_reject,
)
from doudi.payments.runs import CENT
from doudi.rules.errors import RulesError

ITEM = "temp_assist"  # the fund ledger's item for draws (docs/glossary.md)
__all__ = [
    "ReserveError",
    "balance_of",
    "reserve_allocate",
    "reserve_confirm",
    "reserve_draw",
    "reserve_reject",
    "reserve_reverse",
]


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


def _existing(token: str | None) -> ReserveEntry | None:
    return ReserveEntry.objects.filter(token=token).first() if token else None


def _checked_by_case(case, user) -> str:
    """Why a draw paid by `case`'s decision needs no further check, or "" when it does: a
    different person (a user, not the system) took one of the case's checking steps."""
    if case is None:
        return ""
    other = (
        case.steps.filter(to_state__in=CASE_CHECK_STEPS, user__isnull=False)
        .exclude(user_id=getattr(user, "pk", None))
        .select_related("user")
        .order_by("id")
        .first()
    )
    if other is None:
        return ""
    return f"临时救助案件 {case.number} 已由{other.user.display_name()}经办，随案件审批复核"


def _record(
    township: Region, *, token: str | None, user, reason: str, audit_reason: str = "", case=None, **fields
) -> tuple[ReserveEntry, bool]:
    """Writes one entry 待复核 with its first transition row, atomically; (entry, created).
    A draw its case has checked is confirmed in the same transaction (the balance moves now)."""
    found = _existing(token)
    if found is not None:
        return found, False
    entry = ReserveEntry(
        township=township, token=token or None, created_by=user, role=getattr(user, "role", ""), case=case, **fields
    )
    # The confirmed balance must cover a draw (or an allocation's reversal) already now.
    takes = entry.amount if entry.kind == ReserveEntry.Kind.DRAW else -entry.amount
    if takes > 0 and balance_of(township.code) < takes:
        raise ReserveError(refusal(entry))
    # Only a new draw rides on its case's check; a reversal always waits for a checker.
    fresh_draw = entry.kind == ReserveEntry.Kind.DRAW and entry.reverses_id is None
    checked = _checked_by_case(case, user) if fresh_draw else ""
    try:
        with transaction.atomic():
            if checked:
                if not move_balance(township, drawn=entry.amount):
                    raise ReserveError(refusal(entry))
                entry.state, entry.checked_by, entry.checked_at = ReserveEntry.State.CONFIRMED, user, timezone.now()
                entry.check_note = checked[:200]
            entry.save()
            record_steps(entry, user, reason, checked)
            changes = {k: str(getattr(v, "pk", v)) for k, v in fields.items() if v not in ("", None, False)}
            audit(entry, user, "create", changes | {"state": entry.state}, audit_reason or checked)
    except IntegrityError:
        found = _existing(token)  # the same form, submitted twice at once: the other submission won
        if found is None:
            raise
        return found, False
    return entry, True


def reserve_allocate(
    *, township: str, amount, on: dt.date, ref: str, user, token: str | None = None
) -> tuple[ReserveEntry, bool]:
    """下拨或补充备用金 (county roles), recorded 待复核: the balance moves when another county user confirms."""
    region = _township(township, user, ALLOCATE_RESERVE)
    amount = _amount(amount)
    if not ref.strip():
        raise ReserveError("请填写下拨文号或说明")
    return _record(
        region,
        token=token,
        user=user,
        reason="登记下拨",
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
    """支取备用金 for one 临时救助 (township clerk of that township, or county staff), recorded
    待复核 unless its case has checked it (module docstring). The recipient is named by ID
    number; they may live outside the registry (急难发生地). `case`: the 临时救助 case the
    draw pays (doudi/cases/temp.py), linked on the entry."""
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
    return _record(
        region,
        token=token,
        user=user,
        reason="登记支取",
        case=case,
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
    )


def reserve_reverse(*, entry: ReserveEntry, reason: str, user, on: dt.date | None = None) -> ReserveEntry:
    """冲销 a confirmed entry: a new entry of the same kind with the opposite amount, in the month
    of the correction (红字冲销), 待复核 like any entry. Reversing an allocation is refused if
    the money was drawn. An entry still 待复核 is not reversed: the checker returns it."""
    permission = ALLOCATE_RESERVE if entry.kind == ReserveEntry.Kind.ALLOCATION else DRAW_RESERVE
    region = _township(entry.township_id, user, permission)
    if not reason.strip():
        raise ReserveError("冲销须写明原因")
    if entry.reverses_id is not None:
        raise ReserveError("冲销记录不能再冲销")
    if entry.state != ReserveEntry.State.CONFIRMED:
        raise ReserveError(f"该记录{entry.get_state_display()}，未计入余额，不能冲销")
    if entry.reversals.exclude(state=ReserveEntry.State.REJECTED).exists():
        raise ReserveError("该记录已冲销（或冲销待复核）")
    on = on or dt.date.today()
    fields = {
        k: getattr(entry, k)
        for k in ("kind", "recipient_name", "recipient_id_number", "cause_type", "cause", "advance", "fund", "case")
    }
    try:
        reversal, _ = _record(
            region,
            token=None,
            user=user,
            reason=f"登记冲销：{reason.strip()}",
            audit_reason=reason,
            on=on,
            month=months.of(on),
            amount=-entry.amount,
            ref=f"冲销：{reason.strip()}"[:200],
            reverses=entry,
            **fields,
        )
    except IntegrityError:
        raise ReserveError("该记录已冲销（或冲销待复核）") from None
    return reversal
