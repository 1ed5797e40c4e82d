"""The rest of the care demo: care agreements (some expiring, a few dispersed 特困 without one),
困境儿童 with a guardian and a 儿童主任, a pre-festival campaign with visits marked, one problem
that started a 临时救助 case; running it twice adds nothing."""

import io

import pytest

from doudi.cases.tests.test_demo import DAY, demo_county  # noqa: F401  (the shared small county)

pytestmark = pytest.mark.django_db


def _counts():
    from doudi.care.models import CampaignVisit, CareAgreement, ChildGuardian, ChildPairing, Problem

    return [
        CareAgreement.objects.count(),
        ChildGuardian.objects.count(),
        ChildPairing.objects.count(),
        CampaignVisit.objects.count(),
        Problem.objects.exclude(case_number="").count(),
    ]


def test_demo_more_twice_is_once(demo_county):  # noqa: F811
    from doudi.care import agreements, campaigns
    from doudi.care.demo import build_demo
    from doudi.care.models import Campaign, ChildPairing, Problem
    from doudi.cases.models import CaseSource
    from doudi.core.models import User

    out = io.StringIO()
    build_demo(seed=2026, stdout=out, stderr=io.StringIO())
    clerk = User.objects.get(username="clerk1")
    assert agreements.expiring(clerk, DAY).exists()
    assert ChildPairing.objects.filter(ended_on__isnull=True).exists()
    campaign = Campaign.objects.get()
    cover = campaigns.coverage(User.objects.get(username="staff"), campaign)
    assert 0 < cover["total"]["visited"] < cover["total"]["due"]
    problem = Problem.objects.exclude(case_number="").get()
    assert CaseSource.objects.filter(key=f"care_problem:{problem.pk}", case__number=problem.case_number).exists()
    before = _counts()
    build_demo(seed=2026, stdout=io.StringIO(), stderr=io.StringIO())
    assert _counts() == before
