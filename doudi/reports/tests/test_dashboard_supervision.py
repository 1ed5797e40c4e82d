# ruff: noqa: F811 - festival_county is a fixture imported from test_festival
"""The dashboard's JSON (scoped, every chart), its .xlsx exports, and 督导检查 to 整改清零:
evidence required, maker-checker, another township 404, a lesser role 403; 容错纠错; runs paid
late and money held back."""

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1
from doudi.core.workflow import WorkflowError
from doudi.payments.models import PayrollRun
from doudi.reports import supervision
from doudi.reports.models import Finding
from doudi.reports.tests.test_festival import _run, festival_county  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def test_dashboard_json_every_chart_scoped(client, festival_county, users):
    client.force_login(users["staff"])
    data = client.get(reverse("reports:dashboard_data"), {"region": COUNTY}).json()
    ids = [c["id"] for c in data["charts"]]
    assert ids == ["people", "people_township", "money", "warnings", "cases", "coverage", "problems", "temp"]
    people = next(c for c in data["charts"] if c["id"] == "people")
    assert len(people["x"]) == 12 and people["series"][1]["name"] == "特困" and people["series"][1]["data"][-1] == 3
    client.force_login(users["clerk_a"])
    own = client.get(reverse("reports:dashboard_data")).json()
    assert own["region"]["code"] == TOWNSHIP_A and "people_township" not in [c["id"] for c in own["charts"]]
    assert client.get(reverse("reports:dashboard_data"), {"region": TOWNSHIP_B}).status_code == 404
    assert client.get(reverse("reports:dashboard_data"), {"region": COUNTY}).status_code == 404
    client.force_login(users["helper_a1"])
    assert client.get(reverse("reports:dashboard_data")).status_code == 403
    client.force_login(users["finance"])
    assert client.get(reverse("reports:dashboard")).status_code == 403


def test_dashboard_page_has_no_inline_script_and_exports(client, festival_county, users):
    client.force_login(users["staff"])
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert "vendor/echarts.min.js" in page and "reports/dashboard.js" in page
    assert "<script>" not in page and "http://" not in page.split("<main>")[1] and "https://" not in page.split("<main>")[1]
    response = client.get(reverse("reports:dashboard_export", args=["people"]), {"region": COUNTY})
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(row=2, column=1).value == "月份" and sheet.cell(row=2, column=3).value == "特困"
    assert client.get(reverse("reports:dashboard_export", args=["nope"])).status_code == 404


def _finding(users, township=TOWNSHIP_A):
    inspection = supervision.inspection_create(
        user=users["staff"], region=COUNTY, held_on=dt.date(2026, 11, 20), inspectors="王科长、李干事", subject="低保动态管理"
    )
    return supervision.finding_create(
        user=users["staff"],
        inspection=inspection,
        region=township,
        description="东关村3户低保未按期复核",
        deadline=dt.date(2026, 12, 20),
    )


def test_finding_handed_over_followed_to_zero(client, users, regions):
    finding = _finding(users)
    with pytest.raises(WorkflowError, match="不能整改清零"):
        supervision.finding_close(user=users["staff2"], finding=finding)  # still open
    client.force_login(users["clerk_a"])
    refused = client.post(reverse("reports:finding_action", args=[finding.pk, "report"]), {"evidence": "  "})
    assert refused.status_code == 400 and "佐证" in refused.content.decode()
    client.post(reverse("reports:finding_action", args=[finding.pk, "report"]), {"evidence": "3户已复核，附复核表"})
    finding.refresh_from_db()
    assert finding.state == "reported"
    assert client.post(reverse("reports:finding_action", args=[finding.pk, "close"])).status_code == 403  # not the county
    client.force_login(users["staff"])
    client.post(reverse("reports:finding_action", args=[finding.pk, "close"]))
    finding.refresh_from_db()
    assert finding.state == "closed" and finding.closed_on is not None
    states = list(supervision.FINDING_WORKFLOW.history(finding).values_list("to_state", flat=True))
    assert states == ["open", "reported", "closed"]


def test_closing_without_evidence_refused(users, regions):
    finding = _finding(users)
    Finding.objects.filter(pk=finding.pk).update(state="reported", evidence="")
    finding.refresh_from_db()
    with pytest.raises(WorkflowError, match="没有整改佐证材料"):
        supervision.finding_close(user=users["staff2"], finding=finding)


def test_findings_least_privilege_and_bad_input(client, users, regions):
    finding = _finding(users, TOWNSHIP_B)
    client.force_login(users["clerk_a"])
    assert client.get(reverse("reports:finding", args=[finding.pk])).status_code == 404
    assert client.get(reverse("reports:supervision")).status_code == 200
    assert client.post(reverse("reports:inspection_new"), {}).status_code == 403
    client.force_login(users["helper_a1"])
    assert client.get(reverse("reports:supervision")).status_code == 403
    client.force_login(users["staff"])
    bad = client.post(
        reverse("reports:inspection_new"),
        {
            "region": COUNTY,
            "held_on": "2026-13-01",
            "inspectors": "王",
            "subject": "x",
            "unit": TOWNSHIP_A,
            "description": "y",
            "deadline": "2026-12-30",
        },
    )
    assert bad.status_code == 400 and "格式不对" in bad.content.decode()
    office = client.post(
        reverse("reports:inspection_new"),
        {
            "region": COUNTY,
            "held_on": "2026-11-30",
            "inspectors": "王",
            "subject": "x",
            "unit": COUNTY,
            "description": "y",
            "deadline": "2026-12-30",
        },
    )
    assert "责任股室" in office.content.decode()
    with pytest.raises(supervision.SupervisionError, match="不存在或不在"):
        supervision.finding_create(
            user=users["clerk_a"] if False else users["staff"],
            inspection=finding.inspection,
            region="999999999",
            description="x",
            deadline="2026-12-30",
        )


def test_wrong_inclusion_tolerated_only_when_unintentional_and_in_time(users, festival_county):
    person = festival_county["老李"]
    ok = supervision.wrong_inclusion_record(
        user=users["staff"],
        person=person,
        found_on="2026-10-01",
        description="收入核算漏计",
        unintentional=True,
        corrected_on="2026-10-15",
    )
    late = supervision.wrong_inclusion_record(
        user=users["staff"],
        person=person,
        found_on="2026-06-01",
        description="收入核算漏计",
        unintentional=True,
        corrected_on="2026-09-15",
    )
    meant = supervision.wrong_inclusion_record(
        user=users["staff"],
        person=person,
        found_on="2026-10-01",
        description="村干部亲属",
        unintentional=False,
        corrected_on="2026-10-02",
    )
    assert (ok.tolerated, late.tolerated, meant.tolerated) == (True, False, False)
    with pytest.raises(supervision.SupervisionError):
        supervision.wrong_inclusion_record(
            user=users["clerk_b"], person=person, found_on="2026-10-01", description="x", unintentional=True
        )


def test_runs_paid_late_and_money_held_back(client, festival_county, users):
    # festival_county's tekun run was due 2025-01-10 and sent that day (on time); one sent late:
    _run("regular", "dibao", "2025-03", dt.date(2025, 3, 10), dt.date(2025, 3, 14), [(VILLAGE_A1, "900")])
    held = PayrollRun.objects.create(
        kind="regular",
        item="tekun",
        period="2026-11",
        through="2026-11",
        region_id=COUNTY,
        due=dt.date(2026, 11, 10),
        state="approved",
        amount=800,
    )
    late = supervision.late_runs(COUNTY, dt.date(2026, 12, 2))
    assert [(r["run"].period, r["status"], r["days"]) for r in late] == [
        ("2025-03", "逾期发放", 4),
        ("2026-11", "逾期未发放", 22),
    ]
    assert [r["run"].pk for r in supervision.held_back(COUNTY, dt.date(2026, 12, 2))] == [held.pk]
    client.force_login(users["supervisor"])
    page = client.get(reverse("reports:supervision")).content.decode()
    assert "逾期发放" in page and 'id="held-back"' in page and 'id="inspection-form"' not in page
