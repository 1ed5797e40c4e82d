"""未参保失业人员 (issue 15; 晋民发〔2022〕38号 §8): the comparison finds the registered unemployed
person without insurance outside dibao; the township opens a 临时救助 case from the warning
(the warning is confirmed, outcome 纳入保障) and pays the one-off of at least the rural
monthly standard from its reserve; less than the standard is refused."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from conftest import TOWNSHIP_B
from doudi.cases import services, temp
from doudi.cases.models import Case
from doudi.core.workflow import WorkflowError
from doudi.monitoring.models import Warning
from doudi.monitoring.services import comparison_run
from doudi.payments import reserve
from doudi.payments.models import ReserveEntry

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 20)


def test_found_by_comparison_then_paid_the_one_off(planted, users):
    comparison_run(as_of=planted["as_of"], engine="duckdb", user=users["staff"])
    warning = Warning.objects.get(rule="missed_unemployed")
    assert warning.person.id_number == planted["ids"]["蒋六"] and warning.level == "yellow"
    assert warning.detail == {"registered": "2025-01-10", "months_registered": 5}
    client = Client()
    client.force_login(users["clerk_a"])  # another township: not listed, cannot open
    assert client.post(f"/cases/temp/from-warning/{warning.pk}/").status_code == 404
    client.force_login(users["clerk_b"])
    assert "开立临时救助案件" in client.get("/cases/temp/").content.decode()
    allocation, _ = reserve.reserve_allocate(
        township=TOWNSHIP_B, amount="2000", on=dt.date(2025, 1, 2), ref="x", user=users["staff"]
    )
    reserve.reserve_confirm(entry=allocation, user=users["staff2"])  # money needs a second person
    case = temp.case_from_warning(warning=warning, user=users["clerk_b"], today=DAY)
    warning.refresh_from_db()
    assert (warning.status, warning.outcome) == ("confirmed", "enrol") and case.number in warning.outcome_note
    assert case.temp.cause == "unemployed" and case.temp.months_without_income == 5 and case.temp.warning_id == warning.pk
    case = services.case_check(case=case, user=users["clerk_b"], today=DAY)
    assert case.rules_eligible and case.rules_amount == Decimal("640.00") and "晋民发〔2022〕38号 §8" in str(case.rules_data)
    with pytest.raises(WorkflowError, match="低于一次性救助金标准 640.00 元"):
        temp.temp_grant(case=case, user=users["clerk_b"], amount="600", today=DAY)
    case = temp.temp_grant(case=Case.objects.get(pk=case.pk), user=users["clerk_b"], amount="640", today=DAY)
    assert case.state == "granted" and ReserveEntry.objects.get(case=case).amount == Decimal("640.00")
    with pytest.raises(WorkflowError, match="预警已办结"):
        temp.case_from_warning(warning=warning, user=users["clerk_b"], today=DAY)
