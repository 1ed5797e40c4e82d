"""Fund ledger by source, and overpayments with recovery."""

from decimal import Decimal

import pytest

from doudi.payments import bankfiles, ledger
from doudi.payments.campaigns import campaign_build
from doudi.payments.models import Overpayment, PaymentLine, PayrollRun
from doudi.payments.payroll import payroll_build
from doudi.payments.runs import PayrollError
from doudi.payments.workflow import run_transition
from doudi.registry.models import Person

pytestmark = pytest.mark.django_db


def send(item, users):
    run = PayrollRun.objects.get(item=item)
    run_transition(run=run, action="check", user=users["staff"])
    run_transition(run=run, action="approve", user=users["finance"])
    bankfiles.bank_send(run=run, user=users["staff"])
    return run


def test_spending_split_by_source(money_county, users):
    campaign_build(code="jmf2022_38_subsidy")
    send("jmf2022_38_subsidy", users)
    by_source = {r["source"]: r["amount"] for r in ledger.spending(PaymentLine.objects.all(), by=("source",))}
    # 13 persons × 300, less 特困乙 who has no card (failed at sending, not spent): 3600 split 6:4.
    assert PaymentLine.objects.get(name="特困乙").failure == bankfiles.ACCOUNT_FAILURE
    assert by_source == {"province": Decimal("2160.00"), "county": Decimal("1440.00")}
    by_town = ledger.spending(PaymentLine.objects.all(), by=("township", "source"))
    assert sum(r["amount"] for r in by_town) == Decimal("3600.00")


def test_control_totals_by_township_and_fund(money_county):
    payroll_build(period="2025-01", category="dibao")
    totals = ledger.control_totals(PaymentLine.objects.all())
    assert [(t["township"], t["fund"], t["holders"], t["people"]) for t in totals] == [
        ("140521100", "assistance", 4, 7),
        ("140521101", "assistance", 2, 4),
    ]


def test_overpayment_after_a_death_found_late_and_recovery(money_county, users):
    for period in ("2025-01", "2025-02"):
        payroll_build(period=period, category="dibao")
        run = PayrollRun.objects.get(item="dibao", period=period)
        run_transition(run=run, action="check", user=users["staff"])
        run_transition(run=run, action="approve", user=users["finance"])
        bankfiles.bank_send(run=run, user=users["staff"])
    head = Person.objects.get(name="户主3")
    record = ledger.overpayment_record(
        person=head, category="dibao", from_month="2025-01", reason="死亡（2024-12-20）", user=users["staff"]
    )
    assert record.amount == Decimal("1060.00") and record.state == "open"
    again = ledger.overpayment_record(person=head, category="dibao", from_month="2025-01", reason="死亡", user=users["staff"])
    assert again.pk == record.pk and Overpayment.objects.count() == 1
    ledger.recovery_record(overpayment=record, amount="500", user=users["staff"], note="家属退回")
    with pytest.raises(PayrollError, match="不超过未追回的 560.00"):
        ledger.recovery_record(overpayment=record, amount="600", user=users["staff"])
    assert Overpayment.objects.get().state == "partial"
    with pytest.raises(PayrollError, match="起始月份"):
        ledger.overpayment_record(person=head, category="dibao", from_month="2025", reason="x", user=users["staff"])


def test_recovery_from_the_web(money_county, users, client):
    payroll_build(period="2025-01", category="dibao")
    send("dibao", users)
    record = ledger.overpayment_record(
        person=Person.objects.get(name="户主1"), category="dibao", from_month="2025-01", reason="死亡", user=users["staff"]
    )
    url = f"/payments/overpayments/{record.pk}/recover/"
    client.force_login(users["finance"])  # reads the ledger, does not record recoveries
    assert client.post(url, {"amount": "100"}).status_code == 403
    client.force_login(users["staff"])
    assert client.post(f"/payments/overpayments/{record.pk + 1}/recover/", {"amount": "100"}).status_code == 404
    page = client.post(url, {"amount": "0"}, follow=True).content.decode()
    assert "追回金额应大于 0" in page
    assert client.post(url, {"amount": "100", "note": "家属退回"}).status_code == 302
    record.refresh_from_db()
    assert record.state == "partial" and record.recovered == Decimal("100.00")
