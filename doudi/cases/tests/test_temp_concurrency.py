"""Two 先行救助 payments at once from one township reserve that together exceed its balance:
exactly one wins (the reserve's balance row is locked, the conditional UPDATE and the check
constraint reserve_not_overdrawn stand behind it), the other case is left unpaid and unmoved."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from conftest import TOWNSHIP_A, person_id
from doudi.cases import services, temp
from doudi.cases.models import Case
from doudi.cases.tests.conftest import DAY
from doudi.cases.tests.test_concurrency import _race
from doudi.cases.tests.test_temp_assist import temp_application
from doudi.core.models import User
from doudi.core.workflow import WorkflowError
from doudi.payments import reserve
from doudi.payments.models import ReserveEntry

pytestmark = pytest.mark.django_db(transaction=True)


def allocated(**fields):
    """A 下拨 by staff, confirmed by another county user (every reserve entry needs a second person)."""
    entry, _ = reserve.reserve_allocate(**fields)
    return reserve.reserve_confirm(entry=entry, user=User.objects.get(username="admin"))


def test_two_advances_exceeding_the_balance_one_wins(users, today):
    allocated(township=TOWNSHIP_A, amount="1500", on=dt.date(2026, 1, 5), ref="x", user=users["staff"])
    clerk = users["clerk_a"]
    first = temp.temp_receive(user=clerk, data=temp_application(), today=DAY)
    second = temp.temp_receive(
        user=clerk, data=temp_application(id_number=person_id("140522", "19800101", 5), name="乙"), today=DAY
    )
    first, second = (services.case_check(case=c, user=clerk, today=DAY) for c in (first, second))
    results = _race(
        [
            # Checked by the clerk, paid by someone else: each draw counts at once (a draw one person
            # makes alone waits for its checker, and an overdraw is refused there).
            lambda: temp.temp_advance(case=Case.objects.get(pk=first.pk), user=users["admin"], amount="1000", today=DAY),
            lambda: temp.temp_advance(case=Case.objects.get(pk=second.pk), user=users["staff"], amount="1000", today=DAY),
        ]
    )
    wins = [r for r in results if isinstance(r, Case)]
    assert len(wins) == 1, results
    loss = next(r for r in results if not isinstance(r, Case))
    if connection.vendor == "postgresql":  # SQLite may also report a locked database; PostgreSQL waits, then refuses
        assert isinstance(loss, WorkflowError) and "不足支取 1000.00 元" in str(loss), results
    assert ReserveEntry.objects.filter(kind="draw").count() == 1 and reserve.balance_of(TOWNSHIP_A) == Decimal("500.00")
    states = sorted(Case.objects.filter(pk__in=[first.pk, second.pk]).values_list("state", flat=True))
    assert states == ["advanced", "checked"]


def test_two_county_runs_built_at_once_pay_a_case_once(users, today):
    """Two county users build the month's 临时救助县级发放 run at the same moment: the builder's lock and
    the unique index on (item, case, month) leave one line for the case."""
    from doudi.cases import temp_pay
    from doudi.payments.models import PaymentLine, PayrollRun
    from doudi.payments.temp_assist import ITEM
    from doudi.payments.tests.conftest import card

    clerk = users["clerk_a"]
    case = temp.temp_receive(user=clerk, data=temp_application(tier="serious", requested_amount="2500"), today=DAY)
    case = temp.temp_refer(case=services.case_check(case=case, user=clerk, today=DAY), user=clerk)
    temp.temp_grant(
        case=case, user=users["staff"], amount="2500", paid_by="county", bank_name="信用社", bank_account=card(4), today=DAY
    )
    results = _race(
        [
            lambda: temp_pay.county_run_build(user=User.objects.get(username="staff"), period="2026-06"),
            lambda: temp_pay.county_run_build(user=User.objects.get(username="admin"), period="2026-06"),
        ]
    )
    assert any(isinstance(r, dict) and r["run"] is not None for r in results), results
    assert PayrollRun.objects.filter(kind="temp_assist").count() == 1
    assert PaymentLine.objects.filter(item=ITEM, holder_key=case.number).count() == 1
