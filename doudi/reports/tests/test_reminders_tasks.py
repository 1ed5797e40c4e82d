"""Reminders before due dates (once a day, to the responsible users only; overdue to the
county), 督办任务 on the findings' workflow (another township, a lesser role and a close
without evidence refused) and evidence files (bad type refused, scoped download)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from doudi.care.tests.conftest import PNG_BYTES
from doudi.core import workdays
from doudi.core.models import Region
from doudi.core.workflow import WorkflowError
from doudi.reports import reminders, supervision, tasks
from doudi.reports.models import Finding, FindingEvidence, Reminder, ReportVersion
from doudi.workbench.models import Notification
from doudi.workbench.notifications import notifications_for, notify

pytestmark = pytest.mark.django_db
WED = dt.date(2026, 12, 2)  # 2026-W48 (23–29 Nov) is due today; W47 was due 25 Nov


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _task(users, township=TOWNSHIP_A, deadline=None, today=WED):
    return tasks.task_create(
        user=users["staff"],
        region=township,
        description="排查辖区内分散供养特困人员取暖设施",
        deadline=deadline or workdays.add(today, 1),
        today=today,
    )


def test_reminders_once_a_day_to_the_responsible_only(users, regions):
    # The county files 附件2 (it submitted the week before the season): its tables are reminded of.
    ReportVersion.objects.create(
        kind="winter-weekly",
        period="2026-W46",
        region_id=COUNTY,
        version=1,
        data={},
        filler="王",
        phone="1",
        submitted_by=users["staff"],
    )
    near = _task(users, TOWNSHIP_A)  # due tomorrow: township A is reminded
    far = _task(users, TOWNSHIP_B, deadline=WED + dt.timedelta(days=30))  # not yet
    late = _task(users, TOWNSHIP_B, deadline=WED + dt.timedelta(days=20))
    Finding.objects.filter(pk=late.pk).update(deadline=WED - dt.timedelta(days=3))  # overdue: the county sees it
    county = Region.objects.get(code=COUNTY)
    written = reminders.send(WED, notify, county)
    assert written > 0 and reminders.send(WED, notify, county) == 0  # twice the same day: nothing more
    assert Reminder.objects.count() == written == Notification.objects.count()

    clerk_a = [n.text for n in notifications_for(users["clerk_a"])]
    clerk_b = [n.text for n in notifications_for(users["clerk_b"])]
    staff = [n.text for n in notifications_for(users["staff"])]
    assert any("排查辖区" in t and "【到期提醒】" in t for t in clerk_a)
    assert not any("【到期提醒】" in t and "排查辖区" in t for t in clerk_b)  # B's task is a month away
    assert any("附件2" in t and "2026-W48" in t for t in staff)  # the county's own table due today
    assert any("【已逾期】" in t and "排查辖区" in t for t in staff)  # B's overdue task, to the county
    assert not any("finance" in t for t in staff)
    assert [n for n in notifications_for(users["finance"])] == []

    keys_a = {d.key for d in reminders.for_user(users["clerk_a"], WED)}
    assert f"finding:{near.pk}" in keys_a and f"finding:{late.pk}" not in keys_a and f"finding:{far.pk}" not in keys_a
    assert f"report:winter-weekly:2026-W48:{TOWNSHIP_A}" in keys_a and f"report:winter-weekly:2026-W48:{TOWNSHIP_B}" not in keys_a
    keys_staff = {d.key for d in reminders.for_user(users["staff"], WED)}
    assert f"finding:{late.pk}" in keys_staff and f"finding:{near.pk}" not in keys_staff
    assert f"report:winter-weekly:2026-W47:{TOWNSHIP_B}" in keys_staff  # townships' overdue tables, to the county
    assert reminders.for_user(users["helper_a1"], WED) == [] and reminders.for_user(users["finance"], WED) == []
    assert reminders.for_user(users["supervisor"], WED) == []  # read-only: nothing to do
    ReportVersion.objects.all().delete()  # a county that never filed 附件2 is not reminded of it
    assert not any(d.kind == "report" for d in reminders.collect(county, WED))
    # The next day the due-soon ones are notified again (once), the overdue ones are not.
    again = reminders.send(WED + dt.timedelta(days=1), notify, county)
    assert 0 < again < written


def test_home_page_shows_reminders_and_loading_twice_notifies_once(client, users, regions):
    today = timezone.localdate()
    _task(users, TOWNSHIP_A, deadline=today, today=today)
    client.force_login(users["clerk_a"])
    page = client.get(reverse("home")).content.decode()
    assert "即将到期的督导整改和督办任务" in page
    first = Notification.objects.count()
    client.get(reverse("home"))
    assert first > 0 and Notification.objects.count() == first
    client.force_login(users["clerk_b"])
    assert "即将到期的督导整改和督办任务" not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("reports:due")).status_code == 200
    client.force_login(users["helper_a1"])
    assert client.get(reverse("reports:due")).status_code == 403


def test_task_workflow_scope_roles_and_evidence(client, users, regions):
    task = _task(users, TOWNSHIP_A, deadline=timezone.localdate() + dt.timedelta(days=5), today=timezone.localdate())
    assert task.is_task and task.inspection is None
    # A township cannot assign tasks; nor the read-only supervisor.
    with pytest.raises(supervision.SupervisionError, match="只有县民政局"):
        tasks.task_create(user=users["clerk_a"], region=TOWNSHIP_A, description="x", deadline="2099-01-01")
    client.force_login(users["supervisor"])
    assert client.post(reverse("reports:task_new"), {"unit": TOWNSHIP_A}).status_code == 403
    # Another township: not found on the page, refused by the workflow.
    client.force_login(users["clerk_b"])
    assert client.get(reverse("reports:finding", args=[task.pk])).status_code == 404
    with pytest.raises(WorkflowError, match="不在您的管辖范围"):
        supervision.finding_progress(user=users["clerk_b"], finding=task, text="已排查")
    with pytest.raises(WorkflowError, match="无权报送整改督办任务"):
        supervision.finding_report(user=users["supervisor"], finding=task, evidence="完成")
    # Progress with a photo, then completion with a PDF only; a bad file refused, nothing written.
    client.force_login(users["clerk_a"])
    url = reverse("reports:finding_action", args=[task.pk, "progress"])
    photo = SimpleUploadedFile("张三家取暖炉.png", PNG_BYTES, content_type="image/png")
    assert client.post(url, {"text": "已排查 12 户", "files": [photo]}).status_code == 302
    fake = SimpleUploadedFile("整改报告.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    bad = client.post(reverse("reports:finding_action", args=[task.pk, "report"]), {"evidence": "", "files": [fake]})
    assert bad.status_code == 400 and "不是" in bad.content.decode()
    task.refresh_from_db()
    assert task.state == "open" and task.files.count() == 1
    pdf = SimpleUploadedFile("完成报告.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    client.post(reverse("reports:finding_action", args=[task.pk, "report"]), {"evidence": "", "files": [pdf]})
    task.refresh_from_db()
    assert task.state == "reported" and task.evidence == "" and task.files.count() == 2
    stored = FindingEvidence.objects.get(finding=task, name="完成报告.pdf")
    assert "完成报告" not in stored.file.name and stored.file.name.startswith("reports/evidence/")
    # The file: to the township and the county, not to another township.
    file_url = reverse("reports:evidence_file", args=[task.pk, stored.pk])
    response = client.get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(users["clerk_b"])
    assert client.get(file_url).status_code == 404
    # Only the county closes (the file is its evidence); the township cannot.
    with pytest.raises(WorkflowError, match="无权"):
        supervision.finding_close(user=users["clerk_a"], finding=task)
    client.force_login(users["staff"])
    client.post(reverse("reports:finding_action", args=[task.pk, "close"]))
    task.refresh_from_db()
    assert task.state == "closed"
    states = list(supervision.TASK_WORKFLOW.history(task).values_list("to_state", flat=True))
    assert states == ["open", "open", "reported", "closed"]
    page = client.get(reverse("reports:tasks")).content.decode()
    assert "排查辖区" in page and "已整改清零" in page


def test_close_without_evidence_refused_and_bad_task_input(users, regions):
    task = _task(users, TOWNSHIP_A)
    Finding.objects.filter(pk=task.pk).update(state="reported", evidence="")
    task.refresh_from_db()
    with pytest.raises(WorkflowError, match="没有整改佐证材料"):
        supervision.finding_close(user=users["staff2"], finding=task)
    with pytest.raises(WorkflowError, match="须写明"):
        supervision.finding_report(user=users["clerk_a"], finding=_task(users), evidence="  ")
    with pytest.raises(supervision.SupervisionError, match="责任股室"):
        tasks.task_create(user=users["staff"], region=COUNTY, description="x", deadline="2099-01-01")
    with pytest.raises(supervision.SupervisionError, match="不能早于今天"):
        tasks.task_create(user=users["staff"], region=TOWNSHIP_A, description="x", deadline="2020-01-01")
    with pytest.raises(supervision.SupervisionError, match="格式不对"):
        tasks.task_create(user=users["staff"], region=TOWNSHIP_A, description="x", deadline="明天")
