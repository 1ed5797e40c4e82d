"""多发 on 停保: when a stop takes effect for months already paid (a payroll sent before the
decision, e.g. 特困 paid for the quarter in advance, or a stop dated back to a death), what
was paid for the months after the stop's last month is recorded as an overpayment through
the payments app's own service (doudi.payments.ledger.overpayment_record, as a confirmed
death warning does), never by writing its rows here. The amount is exactly what the
payrolls sent for those months; nothing is recorded when nothing was paid.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from doudi.core import codes, months
from doudi.core.workflow import WorkflowError


def paid_after(user, benefit, last_month: str) -> dict[str, Decimal]:
    """{month: amount} sent to the bank or paid for this benefit's holder and category for
    months after `last_month` (payments' lines in the user's scope, payments.selectors)."""
    from doudi.payments.ledger import SPENT
    from doudi.payments.selectors import lines_for

    holder = benefit.household.code if benefit.category in codes.HOUSEHOLD_CATEGORIES else benefit.person.id_number
    rows = (
        lines_for(user)
        .filter(SPENT, item=benefit.category, holder_key=holder, month__gt=last_month)
        .values("month")
        .annotate(s=Sum("amount"))
        .order_by("month")
    )
    return {r["month"]: r["s"] for r in rows}


def record_after_stop(*, case, benefit, last_month: str, user, reason: str) -> dict | None:
    """The overpayment of a stopped benefit (None when no month after `last_month` was paid):
    {"overpayment": pk, "from": month, "amount": "…", "months": [...]}."""
    from doudi.payments.ledger import overpayment_record
    from doudi.payments.runs import PayrollError

    paid = paid_after(user, benefit, last_month)
    if not paid:
        return None
    person = benefit.person or case.person
    if person is None:
        return None
    try:
        record = overpayment_record(
            person=person,
            category=benefit.category,
            from_month=months.add(last_month, 1),
            reason=f"案件 {case.number} 停保：{reason}"[:200],
            user=user,
        )
    except PayrollError as exc:
        raise WorkflowError(str(exc)) from None
    return {"overpayment": record.pk, "from": record.from_month, "amount": str(record.amount), "months": sorted(paid)}
