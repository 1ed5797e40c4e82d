"""Confirming a death records what was overpaid, as the warning said, and the household's
change log reads old → new (issue: 多发 120 元 was recorded as 0.00 元, plus a 0.00 one for
低收入人口, and the log showed "保障类别：l → o")."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from doudi.core.models import AuditEntry
from doudi.monitoring.models import Warning
from doudi.monitoring.services import comparison_run, warning_confirm
from doudi.payments.models import Overpayment
from doudi.registry.models import Benefit

pytestmark = pytest.mark.django_db


def test_death_confirmed_records_the_amount_the_warning_shows(planted, users, client):
    comparison_run(as_of=planted["as_of"])
    death = Warning.objects.select_related("person").get(rule="deceased")
    dibao = Benefit.objects.get(household=death.household, category="dibao")
    unpaid = Benefit.objects.create(
        household=death.household,
        person=death.person,
        person_key=death.person.id_number,
        category="low_income",
        since=dt.date(2023, 4, 1),
        monthly_amount=0,
    )
    said = Decimal(str(death.detail["overpaid_amount"]))
    assert said > 0
    as_of_month_end = dt.date(2025, 6, 30)  # the comparison's month: what the warning counted
    warning_confirm(
        warning=death,
        user=users["clerk_a"],
        outcome="stop",
        reason="户主已死亡",
        benefits=[dibao, unpaid],
        stop_on=as_of_month_end,
    )
    records = list(Overpayment.objects.filter(person=death.person))
    assert [(r.category, r.amount) for r in records] == [("dibao", said)]  # nothing for an unpaid category
    entry = AuditEntry.objects.get(entity="overpayment")
    assert entry.changes["amount"] == [None, str(said)] and entry.changes["category"] == [None, "dibao"]
    client.force_login(users["clerk_a"])
    page = client.get(reverse("household_detail", args=[death.household.code])).content.decode()
    assert "l → o" not in page and f"— → {said}" in page
