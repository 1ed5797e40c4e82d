"""临时救助县级发放 (`PayrollRun.Kind.TEMP_ASSIST`): the 临时救助 cases the county granted from its own
fund (above the township's limit, or the county's choice) paid through a payroll run like every
other payment — built by one person, checked by another, approved by finance, sent in the 一卡通
bank file, closed by the bank's return (docs/payments.md; writes of money need a second person).

The cases app says who is owed what (`Want`, one per granted case); this module writes the lines,
on the generic builder (runs.run_build): one run per county and month. A line's holder is the
case number and its month the month the case was granted, under the item `temp_assist_county`:
the partial unique index on (item, holder, month) over lines that have not failed makes "a case
is never paid twice" — on a rebuild, in the next month's run, or by two builders at once — a
property of the database. A line the bank failed is paid again (re-issue) in the next run, to the
account the case has then.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from doudi.payments.models import PaymentLine, PayrollRun
from doudi.payments.runs import run_build

ITEM = "temp_assist_county"
LABEL = "临时救助县级发放"


@dataclass(frozen=True)
class Want:
    """One granted county-paid 临时救助 case, to be paid once."""

    case_number: str
    month: str  # the month the case was granted (YYYY-MM)
    name: str
    township: str
    village: str
    payee: str  # PaymentLine.Payee.PERSON (own card) or HEAD (the household head's card)
    payee_name: str
    payee_id_number: str
    bank_name: str
    bank_account: str
    amount: Decimal
    fund: str
    person_id: int | None = None
    household_id: int | None = None


def live(numbers: list[str]) -> set[str]:
    """Cases with a line paid, waiting at the bank or in a run not yet sent (anything not failed)."""
    found = PaymentLine.objects.filter(item=ITEM, holder_key__in=numbers).exclude(status=PaymentLine.Status.FAILED)
    return set(found.values_list("holder_key", flat=True))


def _failed_unreissued(numbers: list[str]) -> dict[str, int]:
    rows = (
        PaymentLine.objects.filter(item=ITEM, holder_key__in=numbers, status=PaymentLine.Status.FAILED)
        .filter(~Q(pk__in=PaymentLine.objects.filter(reissue_of__isnull=False).values("reissue_of_id")))
        .values_list("holder_key", "pk")
    )
    return dict(rows)


def _fill(run: PayrollRun, wants: list[Want]) -> None:
    numbers = sorted({w.case_number for w in wants})
    paid = live(numbers)  # this run's own old lines are gone already (a draft is rebuilt)
    failed = _failed_unreissued(numbers)
    PaymentLine.objects.bulk_create(
        [
            PaymentLine(
                run=run,
                item=ITEM,
                month=w.month,
                holder_key=w.case_number,
                household_id=w.household_id,
                person_id=w.person_id,
                name=w.name,
                township=w.township,
                village=w.village,
                payee=w.payee,
                payee_name=w.payee_name,
                bank_name=w.bank_name,
                bank_account=w.bank_account,
                payee_id_number=w.payee_id_number,
                people=1,
                amount=w.amount,
                fund=w.fund,
                group_code="temp_assist",
                status=PaymentLine.Status.PENDING,
                bank_ref=f"{run.pk}-{w.case_number}",
                reissue_of_id=failed.get(w.case_number),
            )
            for w in wants
            if w.case_number not in paid
        ],
        ignore_conflicts=True,  # the unique index decides, should another build have won meanwhile
    )


def temp_assist_run_build(*, county: str, period: str, wants: list[Want], user, due=None) -> PayrollRun | None:
    """Builds (or rebuilds, while in draft) the county's 临时救助县级发放 run for `period`: every
    wanted case not already paid, at the bank or in another run. None when nothing is left to pay
    and no run of that month exists."""
    return run_build(
        kind=PayrollRun.Kind.TEMP_ASSIST,
        item=ITEM,
        period=period,
        through=period,
        region=county,
        due=due,
        user=user,
        fill=lambda run: _fill(run, wants),
    )
