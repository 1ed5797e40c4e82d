"""Two spends at once that together exceed the donation balance: exactly one wins, the other is
refused with the balance in its message; the balance never goes below zero (run on PostgreSQL:
DATABASE_URL=postgres://…; SQLite runs one writer at a time)."""

from decimal import Decimal

import pytest
from django.db import connection

from doudi.services import donations as svc
from doudi.services.common import ServiceError
from doudi.services.models import DonationBalance, DonationSpend
from doudi.services.tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from doudi.services.tests.test_concurrency import _race

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_spends_beyond_balance_one_wins(users, people):
    g, _ = svc.gift_record(
        user=users["staff"],
        data={
            "donor": "爱心人士",
            "donor_kind": "person",
            "item": "money",
            "amount": "1000",
            "purpose": "temp",
            "on": "2026-11-30",
        },
    )
    svc.gift_confirm(user=users["admin"], gift=g)

    def spend(user, person, township):
        return svc.spend_record(
            user=user,
            data={
                "township": township,
                "id_number": person.id_number,
                "item": "money",
                "amount": "600",
                "purpose": "temp",
                "given": "救助金 600 元",
                "reason": "突发困难",
                "on": "2026-12-01",
            },
        )

    results = _race(
        [lambda: spend(users["clerk_a"], people["a"], TOWNSHIP_A), lambda: spend(users["staff"], people["b"], TOWNSHIP_B)]
    )
    wins = [r for r in results if isinstance(r, tuple)]
    assert len(wins) == 1, results
    if connection.vendor == "postgresql":  # the loser waited on the row lock, then found 400 left
        loss = next(r for r in results if not isinstance(r, tuple))
        assert isinstance(loss, ServiceError) and "可用余额 400.00 元，不足支出 600.00 元" in str(loss), results
    row = DonationBalance.objects.get(county_id=COUNTY, purpose="temp", item="money")
    assert row.reserved == Decimal("600.00") and row.available == Decimal("400.00")
    assert DonationSpend.objects.count() == 1
