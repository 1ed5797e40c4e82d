"""Disaster relief at the same moment: the same household added to one event by two clerks (one wins,
the other is told it is already registered), and the event's relief run built by two county staff at
once (one run, each household's relief once). Threads with their own connections: run on PostgreSQL
(DATABASE_URL=postgres://…) for the real race; SQLite runs one writer at a time."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from doudi.payments.models import PaymentLine, PayrollRun
from doudi.services import relief, relief_pay
from doudi.services.common import ServiceError
from doudi.services.models import Affected
from doudi.services.tests.test_concurrency import _race
from doudi.services.tests.test_relief import new_household

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def disaster(users):
    return relief.disaster_create(
        user=users["staff"],
        data={
            "name": "低温雨雪冰冻",
            "kind": "freeze",
            "on": "2026-11-18",
            "level": "4",
            "due": "2027-02-04",
            "areas": ["140521100"],
        },
    )


def test_same_household_added_twice_at_once(users, disaster):
    results = _race(
        [
            lambda: relief.affected_add(user=users["clerk_a"], disaster=disaster, data=new_household()),
            lambda: relief.affected_add(user=users["staff"], disaster=disaster, data=new_household(relief_amount="900")),
        ]
    )
    won = [r for r in results if isinstance(r, Affected)]
    assert len(won) == 1, results
    if connection.vendor == "postgresql":  # SQLite's second writer may simply find the table locked
        lost = next(r for r in results if not isinstance(r, Affected))
        assert isinstance(lost, ServiceError) and "不能重复登记" in str(lost), results
    assert Affected.objects.count() == 1


def test_relief_run_built_twice_at_once_pays_once(users, disaster):
    relief.affected_add(user=users["clerk_a"], disaster=disaster, data=new_household())
    results = _race(
        [
            lambda: relief_pay.relief_run_build(user=users["staff"], disaster=disaster, data={"period": "2026-12"}),
            lambda: relief_pay.relief_run_build(user=users["admin"], disaster=disaster, data={"period": "2026-12"}),
        ]
    )
    if connection.vendor == "postgresql":  # the item's advisory lock: the second build waits, then rebuilds the draft
        assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, ServiceError)], results
    assert PayrollRun.objects.filter(kind="relief").count() == 1
    lines = PaymentLine.objects.filter(item__startswith="relief_")
    assert lines.count() == 1 and lines.get().amount == Decimal("1500.00")
    assert PayrollRun.objects.get().due == dt.date(2027, 2, 4)
