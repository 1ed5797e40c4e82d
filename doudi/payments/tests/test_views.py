"""Pages: build through a job, workflow buttons, scoping, exports."""

import pytest
from django.test import Client

from doudi.core.models import AuditEntry
from doudi.payments.models import PayrollRun
from doudi.payments.payroll import payroll_build

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _sync_jobs(settings):
    settings.DOUDI_JOBS_SYNC = True


def test_staff_builds_checks_finance_approves_and_file_is_audited(money_county, users):
    staff = client_for(users["staff"])
    response = staff.post("/payments/runs/build/", {"period": "2025-01", "category": "dibao"}, follow=True)
    assert "生成 1 个花名册" in response.content.decode()
    run = PayrollRun.objects.get(item="dibao")
    page = staff.get(f"/payments/runs/{run.pk}/").content.decode()
    # The builder may not check their own run (maker-checker): a second person does.
    assert "do-check" not in page and "须由另一人复核" in page and "龙港镇" in page and "财政审批通过" not in page
    refused = staff.post(f"/payments/runs/{run.pk}/action/check/", follow=True).content.decode()
    assert "须由另一人复核" in refused and PayrollRun.objects.get(pk=run.pk).state == "draft"
    checker = client_for(users["staff2"])
    assert "do-check" in checker.get(f"/payments/runs/{run.pk}/").content.decode()
    checker.post(f"/payments/runs/{run.pk}/action/check/")
    finance = client_for(users["finance"])
    assert "财政审批通过" in finance.get(f"/payments/runs/{run.pk}/").content.decode()
    finance.post(f"/payments/runs/{run.pk}/action/approve/")
    refused = staff.post(f"/payments/runs/{run.pk}/action/approve/", follow=True).content.decode()
    assert "无权审批" in refused
    staff.post(f"/payments/runs/{run.pk}/action/send/")
    download = staff.get(f"/payments/runs/{run.pk}/bank-file/generic/")
    assert download.status_code == 200 and "户主1".encode("utf-8") in b"".join(download.streaming_content)
    assert AuditEntry.objects.filter(entity="bank_file", entity_key=str(run.pk), user=users["staff"]).exists()
    assert staff.get(f"/payments/runs/{run.pk}/?export=xlsx")["Content-Type"].startswith("application/vnd.openxml")


def test_township_clerks_see_only_their_township(money_county, users):
    payroll_build(period="2025-01", category="dibao")
    payroll_build(period="2025-02", category="dibao", region="140521100")  # a township A run
    county_run = PayrollRun.objects.get(period="2025-01")
    township_run = PayrollRun.objects.get(period="2025-02")
    clerk_b = client_for(users["clerk_b"])
    page = clerk_b.get(f"/payments/runs/{county_run.pk}/").content.decode()
    assert "户主4" in page and "户主1" not in page and "复核通过" not in page
    assert clerk_b.get(f"/payments/runs/{township_run.pk}/").status_code == 404
    assert clerk_b.post(f"/payments/runs/{township_run.pk}/action/check/").status_code in (403, 404)
    listing = clerk_b.get("/payments/runs/").content.decode()
    assert "2025-01" in listing and "2025-02" not in listing
    clerk_a = client_for(users["clerk_a"])
    assert clerk_a.get(f"/payments/runs/{township_run.pk}/").status_code == 200


def test_price_screen_campaigns_ledger_pages(money_county, users):
    staff = client_for(users["staff"])
    staff.post("/payments/price-subsidy/", {"month": "2022-07", "cpi": "2.7", "food": "6.3", "released": "2022-08-10"})
    page = staff.get("/payments/price-subsidy/").content.decode()
    assert "已启动" in page and "2022-08-31" in page and "6.30" in page
    bad = staff.post("/payments/price-subsidy/", {"month": "2022/07", "cpi": "x", "food": "1"}).content.decode()
    assert "月份应为 YYYY-MM" in bad
    staff.post("/payments/campaigns/jmf2022_38_subsidy/build/")
    assert "2022年困难群众一次性生活补贴" in staff.get("/payments/campaigns/").content.decode()
    assert PayrollRun.objects.filter(item="jmf2022_38_subsidy").exists()
    assert staff.get("/payments/ledger/").status_code == 200
    assert client_for(users["helper_a1"]).get("/payments/runs/").status_code == 403


def test_return_upload_with_two_failures_then_reissued(money_county, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from doudi.payments import bankfiles
    from doudi.payments.models import PaymentLine
    from doudi.payments.workflow import run_transition

    payroll_build(period="2025-01", category="dibao")
    run = PayrollRun.objects.get(item="dibao")
    run_transition(run=run, action="check", user=users["staff"])
    run_transition(run=run, action="approve", user=users["finance"])
    bankfiles.bank_send(run=run, user=users["staff"])
    refs = list(PaymentLine.objects.filter(run=run).order_by("holder_key").values_list("bank_ref", flat=True))
    body = "流水号,处理结果,失败原因\n" + "".join(
        f"{ref},{'失败,卡已挂失' if i < 2 else '成功,'}\n" for i, ref in enumerate(refs)
    )
    upload = SimpleUploadedFile("回盘.csv", body.encode("utf-8"))
    clerk = client_for(users["clerk_a"])  # may look, may not act
    assert clerk.post(f"/payments/runs/{run.pk}/return/", {"layout": "generic", "file": upload}).status_code == 403
    upload.seek(0)
    page = (
        client_for(users["staff"])
        .post(f"/payments/runs/{run.pk}/return/", {"layout": "generic", "file": upload}, follow=True)
        .content.decode()
    )
    assert "成功 4 笔，失败 2 笔" in page and "已对账" in page
    payroll_build(period="2025-02", category="dibao")
    feb = PayrollRun.objects.get(period="2025-02")
    page = client_for(users["staff"]).get(f"/payments/runs/{feb.pk}/").content.decode()
    assert page.count("（补发）") == 2


def test_a_refused_build_form_keeps_what_was_typed(money_county, users):
    staff = client_for(users["staff"])
    response = staff.post("/payments/runs/build/", {"period": "2025-13", "category": "dibao", "through": "2025-3"})
    page = response.content.decode()
    assert response.status_code == 400 and "期次应为 YYYY-MM" in page and "月份应为 YYYY-MM" in page
    assert 'value="2025-13"' in page and 'value="2025-3"' in page and '<option value="dibao" selected>' in page
    assert not PayrollRun.objects.exists()
