"""Fund ledger (docs/domain.md §6: every yuan has a fund source) and overpayments.

A line carries a fund code; the dated `fund_shares.<code>` parameter splits it between
sources (central, province, city, county, unemployment fund, donations), so a report by
source is the lines' sums per fund times the shares in force in the line's month.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Q, Sum

from doudi.core.models import AuditEntry, Region
from doudi.payments import months, params
from doudi.payments.models import Overpayment, PaymentLine, Recovery
from doudi.payments.runs import CENT, PayrollError

# Money gone: paid, or in a bank file that went to the bank and has no answer yet.
SPENT = Q(status=PaymentLine.Status.PAID) | Q(status=PaymentLine.Status.PENDING, run__state__in=("sent", "reconciled"))


def control_totals(lines) -> list[dict]:
    """Per township and fund: holders, people, amount (failed lines that were re-issued
    elsewhere still count here: this is the run as built)."""
    names = dict(Region.objects.filter(level=Region.Level.TOWNSHIP).values_list("code", "name"))
    per_holder = lines.values("township", "fund", "holder_key").annotate(p=Max("people"), amount=Sum("amount")).order_by()
    table: dict[tuple, dict] = {}
    for row in per_holder.iterator(chunk_size=20000):
        key = (row["township"], row["fund"])
        entry = table.setdefault(
            key,
            {
                "township": row["township"],
                "township_name": names.get(row["township"], ""),
                "fund": row["fund"],
                "fund_label": params.FUND_LABELS.get(row["fund"], row["fund"]),
                "holders": 0,
                "people": 0,
                "amount": Decimal(0),
            },
        )
        entry["holders"] += 1
        entry["people"] += row["p"]
        entry["amount"] += row["amount"]
    for entry in table.values():
        entry["amount"] = entry["amount"].quantize(CENT)
    return [table[k] for k in sorted(table)]


def spending(lines, *, by: tuple[str, ...] = ("source", "item", "township", "month"), draws=None) -> list[dict]:
    """Money spent (sent to the bank or paid), by fund source and any of item, township, month.
    `draws`: 临时救助备用金 entries (ReserveEntry) to count too, as item `temp_assist`
    (confirmed draws and their confirmed reversals; allocations only move money into the
    reserve, and an entry 待复核 or 已退回 has moved nothing)."""
    grouped = list(
        lines.filter(SPENT).values("fund", "item", "township", "month").annotate(amount=Sum("amount"), n=Count("id")).order_by()
    )
    if draws is not None:
        grouped += [
            dict(row, item="temp_assist", township=row["township_id"])
            for row in draws.filter(kind="draw", state="confirmed")
            .values("fund", "month", "township_id")
            .annotate(amount=Sum("amount"))
            .order_by()
        ]
    out: dict[tuple, Decimal] = defaultdict(Decimal)
    for row in grouped:
        shares = params.fund_shares(row["fund"], months.first_day(row["month"]), row["township"] or params.NATIONAL)
        for source, share in shares.items():
            values = {"source": source, "item": row["item"], "township": row["township"], "month": row["month"]}
            out[tuple(values[k] for k in by)] += row["amount"] * share
    return [dict(zip(by, key), amount=amount.quantize(CENT)) for key, amount in sorted(out.items())]


def overpayment_record(
    *, person, category: str, from_month: str, reason: str, user, through_month: str | None = None, monthly=None, members: int = 1
) -> Overpayment:
    """Records money paid for `person`'s `category` from `from_month` on (a stop found late,
    e.g. a death). Each month counts what doudi sent to the bank for it; with `through_month`
    and `monthly`, a month doudi has no line for (paid before doudi, or by another system)
    counts the benefit's monthly amount, so the record says what the warning said. A household
    benefit counts the person's share (`members`: the household's size, as the comparison
    splits it). Calling it again for the same stop refreshes the amount, never a second record."""
    try:
        from_month = months.parse(from_month, "起始月份")
        through_month = months.parse(through_month, "截止月份") if through_month else None
    except months.BadMonth as exc:
        raise PayrollError(str(exc)) from None
    if not reason.strip():
        raise PayrollError("登记多发须说明原因")
    holder = person.household.code if category in _household_items() else person.id_number
    paid = dict(
        PaymentLine.objects.filter(SPENT, item=category, holder_key=holder, month__gte=from_month)
        .values("month")
        .annotate(s=Sum("amount"))
        .values_list("month", "s")
    )
    counted = months.span(from_month, through_month) if through_month else sorted(paid)
    fallback = Decimal(str(monthly)) if monthly is not None else Decimal(0)
    amount = sum(((paid.get(m, fallback) / max(members, 1)).quantize(CENT) for m in counted), Decimal(0))
    with transaction.atomic():
        record, created = Overpayment.objects.select_for_update().get_or_create(
            person=person,
            category=category,
            from_month=from_month,
            defaults={"reason": reason[:200], "amount": amount, "township": person.household.region_id[:9], "created_by": user},
        )
        before = None if created else str(record.amount)
        if not created and record.amount != amount:
            record.amount = amount
            record.state = _state(record)
            record.save(update_fields=["amount", "state"])
        # Pairs (old → new), as every change-log entry: the household's log renders them.
        changes = {"amount": [before, str(amount)]}
        if created:
            changes.update(category=[None, category], from_month=[None, from_month])
        overpayment_audit(record, user, changes, reason, action="create" if created else "update")
    return record


def overpayment_audit(record: Overpayment, user, changes: dict, reason: str, action: str = "update") -> None:
    """One entry on the household's change log for an overpayment (created, recovered, written
    off): `changes` as old → new pairs, which the log renders."""
    AuditEntry.objects.create(
        user=user if getattr(user, "pk", None) else None,
        role=getattr(user, "role", ""),
        action=action,
        entity="overpayment",
        entity_key=str(record.pk),
        household_code=record.person.household.code,
        changes=changes,
        reason=reason[:200],
    )


def _household_items() -> frozenset:
    from doudi.core.codes import HOUSEHOLD_CATEGORIES

    return HOUSEHOLD_CATEGORIES


def _state(record: Overpayment) -> str:
    """From the sums: 待追回, 部分追回, 已追回, 已核销 (something written off and nothing open).
    A write-off waiting for approval stays so while anything is open (writeoff.py)."""
    S = Overpayment.State
    covered = record.recovered + record.written_off
    if covered >= record.amount and record.amount > 0:
        return S.WAIVED if record.written_off > 0 else S.RECOVERED
    if record.state == S.WRITE_OFF:
        return S.WRITE_OFF
    return S.PARTIAL if covered > 0 else S.OPEN


def recovery_record(*, overpayment: Overpayment, amount, user, note: str = "") -> Overpayment:
    """追回 part or all of what is open (neither recovered nor written off). A recovery that
    clears an overpayment waiting for write-off approval ends the proposal (recorded)."""
    amount = Decimal(str(amount)).quantize(CENT)
    with transaction.atomic():
        record = Overpayment.objects.select_for_update().get(pk=overpayment.pk)
        open_amount = record.amount - record.recovered - record.written_off
        if record.state == Overpayment.State.WAIVED:
            raise PayrollError("该多发款项已核销，不能再登记追回")
        if amount <= 0 or amount > open_amount:
            raise PayrollError(f"追回金额应大于 0 且不超过未追回的 {open_amount} 元")
        Recovery.objects.create(overpayment=record, amount=amount, user=user, note=note[:200])
        before = record.state
        record.recovered += amount
        record.state = _state(record)
        record.save(update_fields=["recovered", "state"])
        if before == Overpayment.State.WRITE_OFF and record.state != before:
            from doudi.payments.writeoff import WRITE_OFF_WORKFLOW

            WRITE_OFF_WORKFLOW.record(
                record, user, record.state, "已全部追回，核销申请不再办理", {"recovered": str(amount)}, from_state=before
            ).save()
        overpayment_audit(record, user, {"recovered": [str(record.recovered - amount), str(record.recovered)]}, note)
    return record
