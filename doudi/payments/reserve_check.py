"""The second person on the 临时救助备用金 (issue 12 B, docs/design.md §1.4: writes of money need a
second person): every entry — 下拨/补充, 支取, 冲销 — is recorded 待复核 and moves the township's
balance only when a different user confirms it (复核); the checker may instead return it with
a reason (退回), and it never moves the balance.

On the shared workflow primitive (doudi.core.workflow), as the payroll runs are: one workflow
per kind (an allocation is confirmed by someone who may allocate, a draw by someone who may
draw, in the township's scope), a compare-and-set move per step, an append-only
ReserveTransition per step (who, role, from, to, why, when), maker-checker by the county's
`duties.separate` (off: the maker may confirm their own entry, still recorded as a step).

Confirmation locks the township's `ReserveBalance` row first and moves it with a conditional
UPDATE (`… WHERE allocated - drawn >= amount`), so two confirmations that together would
overdraw cannot both pass: on PostgreSQL the second waits on the row lock and re-tests the
condition, SQLite runs one writer at a time; the check constraint `reserve_not_overdrawn`
stands behind both. A refused confirmation leaves the entry 待复核 and nothing written.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from doudi.core.models import AuditEntry, Region
from doudi.core.roles import ALLOCATE_RESERVE, DRAW_RESERVE
from doudi.core.workflow import Log, Step, Workflow, WorkflowError
from doudi.payments.models import ReserveBalance, ReserveEntry, ReserveTransition

S = ReserveEntry.State
# The case steps after which a draw paid by the case's decision counts as checked when a
# different person took them (reserve.py, `_checked_by_case`; docs/payments.md).
CASE_CHECK_STEPS = ("checked", "surveyed", "referred")


class ReserveError(Exception):
    """A refused write to the reserve; the message is for the user (Chinese)."""


def _separate(entry: ReserveEntry) -> bool:
    """The county's `duties.separate` in force on the entry's date (on unless switched off)."""
    from doudi.payments import params

    return bool(params.value("duties.separate", entry.township_id, entry.on))


def _workflow(noun: str, permission: str) -> Workflow:
    return Workflow(
        noun=noun,
        model=ReserveEntry,
        steps={
            "confirm": Step((S.PENDING,), S.CONFIRMED, permission, "复核", not_by_who_entered=(S.PENDING,)),
            "reject": Step((S.PENDING,), S.REJECTED, permission, "退回", reason_required=True, not_by_who_entered=(S.PENDING,)),
        },
        log=Log(ReserveTransition, "entry"),
        region_of=lambda entry: entry.township_id,
        versioned=False,
        labels=lambda state: S(state).label,
        separate_duties=_separate,
    )


WORKFLOWS = {
    ReserveEntry.Kind.ALLOCATION: _workflow("备用金下拨记录", ALLOCATE_RESERVE),
    ReserveEntry.Kind.DRAW: _workflow("备用金支取记录", DRAW_RESERVE),
}


def workflow_for(entry: ReserveEntry) -> Workflow:
    return WORKFLOWS[entry.kind]


def delta(entry: ReserveEntry) -> dict[str, Decimal]:
    """What the entry does to the township's totals once confirmed (a reversal's amount is negative)."""
    return {"allocated": entry.amount} if entry.kind == ReserveEntry.Kind.ALLOCATION else {"drawn": entry.amount}


def move_balance(township: Region | str, *, allocated: Decimal = Decimal(0), drawn: Decimal = Decimal(0)) -> bool:
    """Change the township's totals unless the balance would go below zero; False if refused.
    Call inside a transaction: the row stays locked until it ends (PostgreSQL)."""
    code = getattr(township, "code", township)
    ReserveBalance.objects.get_or_create(township_id=code)
    locked = ReserveBalance.objects.select_for_update().filter(township_id=code)
    locked.get()  # hold the row lock for the rest of the transaction (PostgreSQL)
    return bool(
        locked.filter(allocated__gte=F("drawn") + drawn - allocated).update(
            allocated=F("allocated") + allocated, drawn=F("drawn") + drawn
        )
    )


def balance_of(township_code: str) -> Decimal:
    """The confirmed balance: what confirmed entries left in the township's reserve."""
    row = ReserveBalance.objects.filter(township_id=township_code).first()
    return row.balance if row else Decimal("0.00")


def refusal(entry: ReserveEntry) -> str:
    name = entry.township.name
    balance = balance_of(entry.township_id)
    if entry.kind == ReserveEntry.Kind.DRAW:
        return f"{name}备用金余额 {balance} 元，不足支取 {entry.amount} 元，请先申请下拨或补充"
    return f"{name}备用金余额 {balance} 元，不足冲销该笔下拨 {-entry.amount} 元"


def audit(entry: ReserveEntry, user, action: str, changes: dict, reason: str = "") -> None:
    AuditEntry.objects.create(
        user=user if getattr(user, "pk", None) else None,
        role=getattr(user, "role", ""),
        action=action,
        entity="reserve_entry",
        entity_key=str(entry.pk),
        changes=changes,
        reason=reason[:200],
    )


def record_steps(entry: ReserveEntry, user, reason: str, checked: str = "") -> None:
    """The transition rows of a new entry: 待复核 by its maker, and — for a draw that its case's
    decision has checked already — 已复核 with why."""
    flow = workflow_for(entry)
    flow.record(entry, user, S.PENDING, reason).save()
    if checked:
        flow.record(entry, user, S.CONFIRMED, checked, from_state=S.PENDING).save()


def reserve_confirm(*, entry: ReserveEntry, user, note: str = "") -> ReserveEntry:
    """复核: the entry moves the balance now (never below zero); WorkflowError or ReserveError
    (Chinese) when not allowed, with nothing changed."""
    flow = workflow_for(entry)
    flow.check(entry, "confirm", user)  # role, scope, state, second person — before any lock
    with transaction.atomic():
        if not move_balance(entry.township_id, **delta(entry)):
            raise ReserveError(refusal(entry))
        entry = flow.move(
            entry, "confirm", user, note.strip() or "复核无误", checked_by=user, checked_at=timezone.now(), check_note=note[:200]
        )
        audit(entry, user, "update", {"state": [S.PENDING, S.CONFIRMED]}, note.strip() or "复核")
    return entry


def reserve_reject(*, entry: ReserveEntry, user, reason: str) -> ReserveEntry:
    """退回: the entry stays as it was written and never moves the balance; the reason is required."""
    flow = workflow_for(entry)
    with transaction.atomic():
        entry = flow.move(
            entry, "reject", user, reason, checked_by=user, checked_at=timezone.now(), check_note=reason.strip()[:200]
        )
        audit(entry, user, "update", {"state": [S.PENDING, S.REJECTED]}, reason)
    return entry


def may_check(entry: ReserveEntry, user) -> list[str]:
    """The steps this user may take on the entry now (for its buttons)."""
    return workflow_for(entry).allowed(entry, user) if entry.state == S.PENDING else []


__all__ = ["ReserveError", "WorkflowError", "reserve_confirm", "reserve_reject", "balance_of", "may_check"]
