"""The services demo step on the small county: one disaster event, its households (from the register
and new, in both townships), the month's relief run reconciled from a bank return before the
festival deadline, rent aid, a referral to 临时救助, visits; running it twice adds nothing."""

import io

import pytest

from doudi.cases.tests.test_demo import demo_county  # noqa: F401  (the shared small county)

pytestmark = pytest.mark.django_db


def test_relief_demo_paid_before_the_festival_and_twice_is_once(demo_county):  # noqa: F811
    from doudi.payments.models import PaymentLine, PayrollRun
    from doudi.services.demo import build_demo
    from doudi.services.models import Affected, Disaster, ReliefVisit

    out = io.StringIO()
    build_demo(seed=2026, stdout=out, stderr=io.StringIO())
    assert "已通过一卡通发放到账" in out.getvalue()
    event = Disaster.objects.get()
    households = Affected.objects.filter(disaster=event)
    assert households.filter(household__isnull=True).count() == 6 and households.filter(household__isnull=False).exists()
    assert {a.village_id[:9] for a in households} == {"140521100", "140521101"}
    run = PayrollRun.objects.get(kind="relief")
    assert run.state == "reconciled" and run.due == event.due
    assert not PaymentLine.objects.filter(run=run).exclude(status="paid").exists()
    assert households.exclude(rent_from="").count() == 2 and households.filter(case__isnull=False).count() == 1
    assert ReliefVisit.objects.exists()
    counts = [Disaster.objects.count(), Affected.objects.count(), PaymentLine.objects.count(), ReliefVisit.objects.count()]
    build_demo(seed=2026, stdout=io.StringIO(), stderr=io.StringIO())
    assert [
        Disaster.objects.count(),
        Affected.objects.count(),
        PaymentLine.objects.count(),
        ReliefVisit.objects.count(),
    ] == counts
