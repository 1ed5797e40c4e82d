"""Issue #15's browser test at 390×844: a township clerk receives a non-resident's fire
emergency where it happened, pays it first from the township reserve, uploads the papers
and completes the case."""

import datetime as dt
from decimal import Decimal

import pytest

from conftest import TOWNSHIP_A, person_id
from doudi.cases.models import Case
from doudi.cases.tests.conftest import DAY, today  # noqa: F401 — fixture
from doudi.payments import reserve
from doudi.payments.models import ReserveEntry
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_advance_payment_on_a_phone(browser, live_server, today, users, tmp_path):  # noqa: F811
    allocation, _ = reserve.reserve_allocate(
        township=TOWNSHIP_A, amount="5000", on=dt.date(2026, 1, 5), ref="沁民发〔2026〕1号", user=users["staff"]
    )
    reserve.reserve_confirm(entry=allocation, user=users["staff2"])  # money needs a second person
    base = live_server.url
    page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    login(page, base, "clerk_a", "pass-clerk_a")
    page.goto(f"{base}/cases/temp/apply/")
    page.fill("#id_id_number", person_id("140522", "19750305", 2))
    page.fill("#id_name", "外地务工人员")
    page.select_option("#id_region", "140521100201")
    page.fill("#id_hukou_place", "阳城县")
    page.select_option("#id_cause", "fire")
    page.fill("#id_incident_on", "2026-05-31")
    page.fill("#id_reason", "租住房屋失火，衣物被褥全部烧毁")
    page.click("#temp-apply-form button[type=submit]")
    assert "非本县台账人员" in page.inner_text("#temp-facts")
    page.fill("#advance-amount", "800")
    page.click("#temp-form-advance button[type=submit]")
    assert page.inner_text("#case-state") == "已先行救助，待补齐材料"
    assert "请于 2026-06-15 前补齐材料" in page.inner_text("#papers-reminder")
    case = Case.objects.get()
    assert ReserveEntry.objects.get(case=case).amount == Decimal("800.00")
    shoot(page, "temp-advance-phone")
    paper = tmp_path / "申请书.pdf"
    paper.write_bytes(PDF)
    page.fill("#doc-title", "临时救助申请书")
    page.set_input_files("#doc-file", str(paper))
    page.click("#upload-form button[type=submit]")
    page.click("#temp-form-complete button[type=submit]")
    assert page.inner_text("#case-state") == "已批准临时救助"
    page.goto(f"{base}/cases/temp/")
    assert "火灾" in page.inner_text("#temp-summary") and page.inner_text("#temp-total-amount") == "800.00"
    shoot(page, "temp-register-phone")
