import datetime as dt

import pytest
from django.urls import reverse

from doudi.core.models import Job
from doudi.monitoring.models import Warning
from doudi.monitoring.services import comparison_run
from doudi.monitoring.tests.conftest import EXPECTED
from doudi.registry.models import Benefit

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _login(client, users, name):
    client.force_login(users[name])
    return client


def test_web_comparison_runs_as_a_job_and_lists_by_township(client, planted, users):
    staff = _login(client, users, "staff")
    response = staff.post(reverse("compare_start"), {"as_of": "2025-06-15", "engine": "duckdb"})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("job_detail", args=[job.pk])
    assert job.status == "done" and job.result["new"] == len(EXPECTED) and job.result["url"] == reverse("warning_list")
    page = staff.get(reverse("warning_list")).content.decode()
    assert "龙港镇" in page and "中村镇" in page and "死亡人员仍在享受待遇" in page
    filtered = staff.get(reverse("warning_list"), {"rule": "vehicle"}).content.decode()
    assert "家庭拥有非豁免机动车" in filtered and "死亡人员仍在享受待遇</td>" not in filtered
    export = staff.get(reverse("warning_list"), {"export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_future_date_and_clerk_are_refused(client, planted, users):
    staff = _login(client, users, "staff")
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert "不能晚于今天" in staff.post(reverse("compare_start"), {"as_of": future, "engine": "duckdb"}).content.decode()
    assert _login(client, users, "clerk_a").get(reverse("compare_start")).status_code == 403


def test_clerk_sees_only_own_township_and_cannot_act_elsewhere(client, planted, users):
    comparison_run(as_of=planted["as_of"])
    death = Warning.objects.get(rule="deceased")  # township A
    clerk_b = _login(client, users, "clerk_b")
    assert "张三" not in clerk_b.get(reverse("warning_list"), {"status": ""}).content.decode()
    assert clerk_b.get(reverse("warning_detail", args=[death.pk])).status_code == 404
    assert clerk_b.post(reverse("warning_dismiss", args=[death.pk]), {"reason": "越权"}).status_code == 404
    assert clerk_b.get(reverse("household_chain", args=["H001"])).status_code == 404
    assert Warning.objects.get(pk=death.pk).status == "open"


def test_clerk_checks_confirms_and_dismisses(client, planted, users):
    comparison_run(as_of=planted["as_of"])
    death, estate = Warning.objects.get(rule="deceased"), Warning.objects.get(rule="real_estate")
    clerk = _login(client, users, "clerk_a")
    assert "张三" in clerk.get(reverse("warning_detail", args=[death.pk])).content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    clerk.post(
        reverse("warning_visit", args=[death.pk]),
        {"visited_on": dt.date.today().isoformat(), "notes": "邻居证实已去世", "photos": [SimpleUploadedFile("a.png", PNG)]},
    )
    dibao = Benefit.objects.get(household=death.household, category="dibao")
    clerk.post(
        reverse("warning_confirm", args=[death.pk]),
        {"outcome": "stop", "reason": "户主已死亡", "benefits": [dibao.pk], "stop_on": "2025-06-30"},
    )
    death.refresh_from_db()
    dibao.refresh_from_db()
    assert death.status == "confirmed" and dibao.until == dt.date(2025, 6, 30)
    photo = death.visits.get().photos.get()
    assert clerk.get(reverse("visit_photo", args=[photo.pk])).status_code == 200
    assert _login(client, users, "clerk_b").get(reverse("visit_photo", args=[photo.pk])).status_code == 404
    clerk = _login(client, users, "clerk_a")
    page = clerk.post(reverse("warning_dismiss", args=[estate.pk]), {"reason": ""}, follow=True).content.decode()
    assert "排除预警必须填写原因" in page and Warning.objects.get(pk=estate.pk).status == "open"
    clerk.post(reverse("warning_dismiss", args=[estate.pk]), {"reason": "第二套为已拆迁房屋"})
    assert Warning.objects.get(pk=estate.pk).status == "dismissed"
    chain = clerk.get(reverse("household_chain", args=["H001"])).content.decode()
    assert "邻居证实已去世" in chain and "已确认" in chain and "低保终止" in chain


def test_overdue_alert_low_income_list_and_cadre_register(client, planted, users):
    comparison_run(as_of=planted["as_of"])
    Warning.objects.filter(rule="cadre_relative").update(deadline=dt.date.today() - dt.timedelta(days=1))
    staff = _login(client, users, "staff")
    assert "有 1 条预警已超过核查期限" in staff.get(reverse("warning_list")).content.decode()
    listing = staff.get(reverse("low_income_list"), {"category": "dibao_edge"}).content.decode()
    assert "H003" in listing and "H001" not in listing
    register = _login(client, users, "supervisor").get(reverse("cadre_register")).content.decode()
    assert "郑一" in register and "冯二" in register and "待备案" in register
    assert _login(client, users, "clerk_a").get(reverse("cadre_register")).status_code == 403


def test_home_shows_overdue_warnings_in_scope(client, planted, users):
    comparison_run(as_of=planted["as_of"])
    Warning.objects.filter(rule="deceased").update(deadline=dt.date.today() - dt.timedelta(days=3))  # township A
    assert "有 1 条数据比对预警已超过核查期限" in _login(client, users, "clerk_a").get(reverse("home")).content.decode()
    assert "超过核查期限" not in _login(client, users, "clerk_b").get(reverse("home")).content.decode()
