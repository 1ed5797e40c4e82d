"""The reports demo step on a small county: the 附件2 table of the season's first week
submitted by the county and corrected as version 2 (a visit recorded late), last week
submitted by clerk1's township and due for the county, so the calendars show 待报送 and
逾期未报; running it twice adds nothing."""

import io

import pytest

from conftest import COUNTY, TOWNSHIP_A
from doudi.cases.tests.test_demo import DAY, demo_county  # noqa: F401  (the shared small county)

pytestmark = pytest.mark.django_db


def test_reports_demo_twice_is_once(demo_county):  # noqa: F811
    from doudi.care.demo import build_demo as care_demo
    from doudi.core.models import Region, User
    from doudi.reports import selectors
    from doudi.reports.demo import build_demo
    from doudi.reports.models import ReportVersion

    care_demo(seed=2026, stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    build_demo(seed=2026, stdout=out, stderr=io.StringIO())
    assert "统计报表演示数据已就绪" in out.getvalue()
    first, second = ReportVersion.objects.filter(kind="winter-weekly", period="2026-W47", region_id=COUNTY).order_by("version")
    assert (first.version, second.version) == (1, 2) and second.reason and not first.reason
    assert second.data["total"]["found"] == first.data["total"]["found"] + 1
    assert ReportVersion.objects.filter(period="2026-W48", region_id=TOWNSHIP_A, version=1).exists()
    assert not ReportVersion.objects.filter(period="2026-W48", region_id=COUNTY).exists()
    county = {
        row["week"].code: row["status"]
        for row in selectors.calendar(User.objects.get(username="staff"), Region.objects.get(code=COUNTY), DAY)
    }
    township = {
        row["week"].code: row["status"]
        for row in selectors.calendar(User.objects.get(username="clerk1"), Region.objects.get(code=TOWNSHIP_A), DAY)
    }
    assert county["2026-W48"] == "待报送" and county["2026-W49"] == "未结束"
    assert township["2026-W47"] == "逾期未报" and township["2026-W48"] == "已报送"
    from doudi.reports.models import Finding, FindingEvidence
    from doudi.reports.reminders import for_user

    assert set(Finding.objects.filter(inspection__isnull=False).values_list("state", flat=True)) == {"open", "reported", "closed"}
    assert Finding.objects.filter(inspection__isnull=True).count() == 2 and FindingEvidence.objects.count() == 4
    assert ReportVersion.objects.filter(kind="festival", region_id=COUNTY).count() == 1
    assert any(d.kind == "task" and not d.overdue for d in for_user(User.objects.get(username="clerk1"), DAY))
    assert any(d.kind == "finding" and d.overdue for d in for_user(User.objects.get(username="staff"), DAY))
    before = ReportVersion.objects.count(), Finding.objects.count()
    again = io.StringIO()
    build_demo(seed=2026, stdout=again, stderr=io.StringIO())
    assert (ReportVersion.objects.count(), Finding.objects.count()) == before and "未重复生成" in again.getvalue()
