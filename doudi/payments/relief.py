"""Relief runs (救灾资金发放, `PayrollRun.Kind.RELIEF`): the money of one disaster event — each affected
household's relief (冬春救助、受灾群众生活救助) and its 过渡期房屋租住补助 month by month — paid through
the 一卡通 bank file like every run, on the generic builder (runs.run_build): one run per event,
month and county, then the same review, finance approval, bank file and bank return.

The services app (doudi/services/relief_pay.py) says who is to be paid what (`Want`); this module
writes the lines. A household's relief is booked to the event's month under the item
`relief_<event>`, each rent month to its own month under `relief_<event>_rent`: the partial unique
index on (item, holder, month) over lines that have not failed makes "never the same household's
relief twice for one event, never a rent month twice" a property of the database. Whatever is
already paid or waiting at the bank is skipped when a run is (re)built; a failed line is paid again
(re-issue) in the event's next run, to the account the household has then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from django.db.models import Q

from doudi.payments.models import PaymentLine, PayrollRun
from doudi.payments.runs import run_build

PREFIX = "relief_"
RENT = "_rent"
RELIEF_GROUP, RENT_GROUP = "relief", "rent"
_namer: Callable[[int], str | None] | None = None


def item_for(disaster: int, *, rent: bool = False) -> str:
    return f"{PREFIX}{int(disaster)}{RENT if rent else ''}"


def disaster_of(item: str) -> int | None:
    """The event id of a relief item (relief_12, relief_12_rent), else None."""
    if not item.startswith(PREFIX):
        return None
    core = item[len(PREFIX) :].removesuffix(RENT)
    return int(core) if core.isdigit() else None


def register_namer(namer: Callable[[int], str | None]) -> None:
    """The services app names its events (AppConfig.ready); payments does not read their table."""
    global _namer
    _namer = namer


def label(item: str) -> str:
    """A relief item as shown on pages, exports and the bank file: 救灾资金发放（<event>）."""
    pk = disaster_of(item)
    name = _namer(pk) if (_namer is not None and pk is not None) else None
    kind = "过渡期房屋租住补助" if item.endswith(RENT) else "救灾资金发放"
    return f"{kind}（{name}）" if name else kind


@dataclass(frozen=True)
class Want:
    """One month of money for one affected household."""

    item: str
    month: str
    holder_key: str  # the 户主's ID number
    name: str
    township: str
    village: str
    payee_name: str
    payee_id_number: str
    bank_name: str
    bank_account: str
    people: int
    amount: Decimal
    group: str  # RELIEF_GROUP or RENT_GROUP
    household_id: int | None = None
    person_id: int | None = None


def live(items: list[str], holders: list[str]) -> set[tuple[str, str, str]]:
    """(item, holder, month) already paid or at the bank (lines that have not failed)."""
    found = PaymentLine.objects.filter(item__in=items, holder_key__in=holders).exclude(status=PaymentLine.Status.FAILED)
    return set(found.values_list("item", "holder_key", "month"))


def _failed_unreissued(items: list[str], holders: list[str]) -> dict[tuple[str, str, str], int]:
    rows = (
        PaymentLine.objects.filter(item__in=items, holder_key__in=holders, status=PaymentLine.Status.FAILED)
        .filter(~Q(pk__in=PaymentLine.objects.filter(reissue_of__isnull=False).values("reissue_of_id")))
        .values_list("item", "holder_key", "month", "pk")
    )
    return {(i, h, m): pk for i, h, m, pk in rows}


def _fill(run: PayrollRun, wants: list[Want], fund: str) -> None:
    items = sorted({w.item for w in wants})
    holders = sorted({w.holder_key for w in wants})
    paid = live(items, holders)  # this run's own old lines are gone already (a draft is rebuilt)
    failed = _failed_unreissued(items, holders)
    PaymentLine.objects.bulk_create(
        [
            PaymentLine(
                run=run,
                item=w.item,
                month=w.month,
                holder_key=w.holder_key,
                household_id=w.household_id,
                person_id=w.person_id,
                name=w.name,
                township=w.township,
                village=w.village,
                payee=PaymentLine.Payee.HEAD,
                payee_name=w.payee_name,
                bank_name=w.bank_name,
                bank_account=w.bank_account,
                payee_id_number=w.payee_id_number,
                people=w.people,
                amount=w.amount,
                fund=fund,
                group_code=w.group,
                status=PaymentLine.Status.PENDING,
                bank_ref=f"{run.pk}-{w.holder_key}",
                reissue_of_id=failed.get((w.item, w.holder_key, w.month)),
            )
            for w in wants
            if (w.item, w.holder_key, w.month) not in paid
        ],
        ignore_conflicts=True,  # the unique index decides, should another build have won meanwhile
    )


def relief_run_build(
    *, disaster: int, period: str, county: str, due: dt.date, fund: str, wants: list[Want], user
) -> PayrollRun | None:
    """Builds (or rebuilds, while in draft) the event's run for `period` in `county`: every
    wanted line not already paid or at the bank. None when there is nothing left to pay."""
    through = max([period, *(w.month for w in wants)])
    return run_build(
        kind=PayrollRun.Kind.RELIEF,
        item=item_for(disaster),
        period=period,
        through=through,
        region=county,
        due=due,
        user=user,
        fill=lambda run: _fill(run, wants, fund),
    )


def runs_of(disaster: int):
    """The event's relief runs (not scoped: the caller has checked the event is the user's)."""
    return PayrollRun.objects.filter(kind=PayrollRun.Kind.RELIEF, item=item_for(disaster)).order_by("period", "region_id")


def lines_of(disaster: int):
    """Every line of the event (relief and rent), newest first per holder."""
    return PaymentLine.objects.filter(item__in=[item_for(disaster), item_for(disaster, rent=True)]).order_by("-pk")


def lines_of_many(disasters: list[int]):
    items = [i for d in disasters for i in (item_for(d), item_for(d, rent=True))]
    return PaymentLine.objects.filter(item__in=items)
