"""The 底数不清、措施不实 summary for 2026-11 (as of 30 November): every figure worked out by hand
from the records below, its list, the .xlsx, and the scope (a township sees only itself,
another township's list is 404, a lesser role 403)."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1, person_id
from doudi.care import services as care
from doudi.care.tests.conftest import PNG_BYTES
from doudi.cases.models import Case
from doudi.core.models import Region
from doudi.monitoring.models import ComparisonRun, Warning
from doudi.payments.models import PaymentLine, PayrollRun
from doudi.registry.models import Benefit, Household, Person
from doudi.reports import accountability
from doudi.reports.tests.test_festival import _run

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 2)
EXPECTED = {
    TOWNSHIP_A: {"visits": 1, "cases": 2, "warnings": 2, "late_runs": 1, "held": Decimal("300.00")},
    TOWNSHIP_B: {"visits": 0, "cases": 1, "warnings": 0, "late_runs": 0, "held": Decimal("200.00")},
}
_seq = iter(range(200, 999))


def _person(code, village, name):
    household = Household.objects.create(code=code, region_id=village, hukou="rural", address="x")
    person = Person.objects.create(
        id_number=person_id(COUNTY, "19500101", next(_seq)),
        name=name,
        sex="M",
        birth_date=dt.date(1950, 1, 1),
        household=household,
        relation="head",
    )
    Benefit.objects.create(household=household, category="dibao", since=dt.date(2024, 1, 1), monthly_amount=500)
    return person


def _case(village, due, decided=None, state="received"):
    return Case.objects.create(
        number=f"C{next(_seq)}",
        category="dibao",
        applicant_name="申请人",
        applicant_id_number=person_id(COUNTY, "19700101", next(_seq)),
        region_id=village,
        received_by_region_id=village[:9],
        channel="window",
        reason="因病",
        received_on=dt.date(2026, 9, 1),
        due=due,
        decided_on=decided,
        state=state,
    )


def _warning(person, deadline, closed=None):
    run = ComparisonRun.objects.create(as_of=dt.date(2026, 10, 1), engine="duckdb")
    return Warning.objects.create(
        rule="death",
        person=person,
        household=person.household,
        region_code=person.household.region_id,
        township_code=person.household.region_id[:9],
        level="red",
        fingerprint=f"f{next(_seq)}",
        deadline=deadline,
        status="confirmed" if closed else "open",
        closed_at=timezone.make_aware(dt.datetime.combine(closed, dt.time(10))) if closed else None,
        first_run=run,
        last_run=run,
    )


@pytest.fixture
def slips(users):
    a, b = _person("A001", VILLAGE_A1, "甲"), _person("B001", VILLAGE_B1, "乙")
    for person, day, key in ((a, dt.date(2026, 9, 1), "v1"), (b, dt.date(2026, 11, 25), "v2")):
        care.visit_record(
            user=users["staff"],
            person=person,
            visited_on=day,
            answers={1: True, 2: True, 3: True, 4: True},
            notes={},
            categories=[],
            health=[],
            visitor_signature=PNG_BYTES,
            person_signature=PNG_BYTES,
            client_key=key,
        )
    _case(VILLAGE_A1, dt.date(2026, 11, 20))  # open past its 办结期限
    _case(VILLAGE_A1, dt.date(2026, 11, 10), dt.date(2026, 11, 15), "approved")  # decided late in the month
    _case(VILLAGE_A1, dt.date(2026, 11, 25), dt.date(2026, 11, 20), "approved")  # on time
    _case(VILLAGE_A1, dt.date(2026, 12, 10))  # not due yet
    _case(VILLAGE_B1, dt.date(2026, 10, 1), dt.date(2026, 12, 1), "approved")  # still open on 30 Nov
    _warning(a, dt.date(2026, 11, 20))  # open past its deadline
    _warning(a, dt.date(2026, 11, 5), dt.date(2026, 11, 10))  # closed late in the month
    _warning(a, dt.date(2026, 11, 28), dt.date(2026, 11, 27))  # on time
    _warning(b, dt.date(2026, 12, 5))  # not due yet
    _run("regular", "dibao", "2026-11", dt.date(2026, 11, 10), dt.date(2026, 11, 14), [(VILLAGE_A1, "900")])  # late, A only
    _run("regular", "dibao", "2026-10", dt.date(2026, 10, 10), dt.date(2026, 10, 14), [(VILLAGE_B1, "900")])  # late, October
    held = PayrollRun.objects.create(
        kind="regular",
        item="tekun",
        period="2026-12",
        through="2026-12",
        region_id=COUNTY,
        due=dt.date(2026, 12, 10),
        state="approved",
    )
    for village, amount in ((VILLAGE_A1, "300"), (VILLAGE_B1, "200")):
        PaymentLine.objects.create(
            run=held,
            item="tekun",
            month="2026-12",
            holder_key=village,
            township=village[:9],
            village=village,
            payee="person",
            amount=amount,
            fund="tekun",
        )


def test_summary_counts_the_records(users, slips):
    period = accountability.Period("2026-11", TODAY)
    data = accountability.summary(users["staff"], Region.objects.get(code=COUNTY), period, TODAY)
    got = {r["code"]: {k: r[k] for k in accountability.FIGURES} for r in data["rows"]}
    assert got == EXPECTED
    assert data["total"] == {"visits": 1, "cases": 3, "warnings": 2, "late_runs": 1, "held": Decimal("500.00")}
    headers, rows = accountability.drill(users["staff"], "cases", Region.objects.get(code=TOWNSHIP_A), period, TODAY)
    assert len(rows) == 2 and headers[0] == "案件编号"
    own = accountability.summary(users["clerk_a"], Region.objects.get(code=TOWNSHIP_A), period, TODAY)
    assert [r["code"] for r in own["rows"]] == [TOWNSHIP_A] and own["rows"][0]["warnings"] == 2


def test_pages_export_and_scope(client, users, slips, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a: TODAY)
    client.force_login(users["staff"])
    page = client.get(reverse("reports:accountability"), {"period": "2026-11"}).content.decode()
    drill = reverse("reports:accountability_drill", args=[TOWNSHIP_A, "warnings"]) + "?period=2026-11"
    assert drill.replace("&", "&amp;") in page and "data-print" in page
    listing = client.get(drill).content.decode()
    assert listing.count('data-label="预警"') == 2 and "甲" in listing
    response = client.get(reverse("reports:accountability_export"), {"period": "2026-11"})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[2]][:3] == ["单位", "逾期未访（人）", "超期案件（件）"]
    assert [c.value for c in sheet[3]][1:6] == [1, 2, 2, 1, 300]
    assert [c.value for c in sheet[5]][0] == "合计"
    client.force_login(users["clerk_a"])
    assert client.get(reverse("reports:accountability_drill", args=[TOWNSHIP_B, "cases"])).status_code == 404
    assert client.get(reverse("reports:accountability"), {"region": COUNTY}).status_code == 404
    assert client.get(reverse("reports:accountability")).status_code == 200
    bad = client.get(reverse("reports:accountability"), {"period": "2026-13x"})
    assert bad.status_code == 400 and "格式" in bad.content.decode()
    client.force_login(users["finance"])
    assert client.get(reverse("reports:accountability")).status_code == 403
