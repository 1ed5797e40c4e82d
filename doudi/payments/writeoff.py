"""核销 of an overpayment (issue 12 B: writes of money need a second person): money paid after a
benefit should have stopped that cannot be recovered (the person died without an estate, the
household cannot repay …) is written off — proposed by one person with a reason (and, if there
is one, the 文号 of the approving document), approved by a different county-level user.

On the shared workflow primitive (doudi.core.workflow): 待追回/部分追回 → 待核销审批 → 已核销,
or returned to where it was with a reason; compare-and-set moves, an append-only
OverpaymentTransition per step, maker-checker by the county's `duties.separate`. What is
written off is the open amount (amount − recovered) at the moment of approval, read under the
row lock a recovery also takes; an overpayment already recovered or written off is refused.
Every step writes an AuditEntry on the household's log.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from doudi.core.roles import BUILD_PAYROLL
from doudi.core.workflow import Log, Step, Workflow, WorkflowError
from doudi.payments.ledger import overpayment_audit
from doudi.payments.models import Overpayment, OverpaymentTransition

S = Overpayment.State


def _separate(record: Overpayment) -> bool:
    """The county's `duties.separate` in force today (on unless switched off)."""
    from doudi.payments import params

    return bool(params.value("duties.separate", record.township, dt.date.today()))


WRITE_OFF_WORKFLOW = Workflow(
    noun="多发款项",
    model=Overpayment,
    steps={
        "propose": Step((S.OPEN, S.PARTIAL), S.WRITE_OFF, BUILD_PAYROLL, "申请核销", reason_required=True),
        "approve": Step((S.WRITE_OFF,), S.WAIVED, BUILD_PAYROLL, "审批核销", not_by_who_entered=(S.WRITE_OFF,)),
        # Back to where the proposal found it: 待追回 if nothing was recovered, else 部分追回.
        "return_open": Step((S.WRITE_OFF,), S.OPEN, BUILD_PAYROLL, "退回核销", reason_required=True),
        "return_partial": Step((S.WRITE_OFF,), S.PARTIAL, BUILD_PAYROLL, "退回核销", reason_required=True),
    },
    log=Log(OverpaymentTransition, "overpayment"),
    region_of=lambda record: record.township,
    versioned=False,
    labels=lambda state: S(state).label,
    separate_duties=_separate,
)


def open_amount(record: Overpayment) -> Decimal:
    """What is neither recovered nor written off."""
    return record.amount - record.recovered - record.written_off


def _county_level(user, verb: str) -> None:
    code = getattr(user, "scope_code", None)
    if code is None or len(code) > 6:
        raise WorkflowError(f"{verb}须由县级民政部门办理")


def _locked(record: Overpayment) -> Overpayment:
    return Overpayment.objects.select_for_update().select_related("person__household").get(pk=record.pk)


def writeoff_propose(*, overpayment: Overpayment, user, reason: str, ref: str = "") -> Overpayment:
    """申请核销 the open amount; WorkflowError (Chinese) when not allowed, nothing changed."""
    with transaction.atomic():
        record = _locked(overpayment)
        WRITE_OFF_WORKFLOW.check(record, "propose", user, reason)
        amount = open_amount(record)
        if amount <= 0:
            raise WorkflowError("该多发款项已全部追回或核销，没有可核销的金额")
        data, before = {"open": str(amount), "ref": ref.strip()[:100]}, record.state
        moved = WRITE_OFF_WORKFLOW.move(record, "propose", user, reason, data)  # refreshes `record` too
        overpayment_audit(moved, user, {"state": [before, moved.state], "writeoff_proposed": [None, str(amount)]}, reason)
    return moved


def writeoff_approve(*, overpayment: Overpayment, user, note: str = "", ref: str = "") -> Overpayment:
    """审批核销: the open amount at this moment is written off, by a second county-level person."""
    with transaction.atomic():
        record = _locked(overpayment)
        WRITE_OFF_WORKFLOW.check(record, "approve", user)
        _county_level(user, "审批核销")
        amount = open_amount(record)
        if amount <= 0:
            raise WorkflowError("该多发款项已全部追回，无需核销")
        before, total = (record.state, record.written_off), record.written_off + amount
        data = {"written_off": str(amount), "ref": ref.strip()[:100]}
        reason = note.strip() or f"同意核销 {amount} 元"
        moved = WRITE_OFF_WORKFLOW.move(record, "approve", user, reason, data, written_off=total)
        overpayment_audit(moved, user, {"state": [before[0], moved.state], "written_off": [str(before[1]), str(total)]}, reason)
    return moved


def writeoff_return(*, overpayment: Overpayment, user, reason: str) -> Overpayment:
    """退回核销申请 with a reason: back to 待追回 or 部分追回."""
    with transaction.atomic():
        record = _locked(overpayment)
        action = "return_partial" if record.recovered > 0 or record.written_off > 0 else "return_open"
        before = record.state
        moved = WRITE_OFF_WORKFLOW.move(record, action, user, reason)
        overpayment_audit(moved, user, {"state": [before, moved.state]}, reason)
    return moved


def actions_for(record: Overpayment, user) -> list[str]:
    """The write-off steps this user may take now (for the page's buttons): propose, approve, return."""
    allowed = WRITE_OFF_WORKFLOW.allowed(record, user)
    out = [a for a in ("propose", "approve") if a in allowed]
    if "return_open" in allowed or "return_partial" in allowed:
        out.append("return")
    return out


__all__ = ["WRITE_OFF_WORKFLOW", "WorkflowError", "writeoff_propose", "writeoff_approve", "writeoff_return", "open_amount"]
