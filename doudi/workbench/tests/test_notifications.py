"""Notifications for hand-overs: to a user, or to a role in a region; read per user."""

import pytest
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP_A
from doudi.payments.tests.conftest import money_county  # noqa: F401 - fixture
from doudi.workbench.models import Notification
from doudi.workbench.notifications import notify, unread_for

pytestmark = pytest.mark.django_db


def test_role_and_region_reach_only_their_users(users):
    notify("沁水县2025年1月低保花名册已复核，等待财政审批", "/payments/runs/1/", role="finance", region=COUNTY)
    notify("龙港镇有一条预警交办到乡镇", "/monitoring/warnings/1/", role="township_clerk", region=TOWNSHIP_A)
    assert [n.text[:3] for n in unread_for(users["finance"])] == ["沁水县"]
    assert [n.text[:3] for n in unread_for(users["clerk_a"])] == ["龙港镇"]
    assert not unread_for(users["clerk_b"]).exists() and not unread_for(users["staff"]).exists()
    assert not unread_for(users["helper_a1"]).exists()


def test_refuses_no_recipient_and_outside_links(users):
    with pytest.raises(ValueError):
        notify("无人接收")
    with pytest.raises(ValueError):
        notify("外部链接", "https://example.com/", user=users["clerk_a"])
    with pytest.raises(ValueError):
        notify("外部链接", "//example.com/x", user=users["clerk_a"])


def test_home_shows_unread_and_marks_read_per_user(client, users):
    note = notify("花名册等待审批", "/payments/runs/", role="county_staff", region=COUNTY)
    client.force_login(users["staff"])
    assert "花名册等待审批" in client.get(reverse("home")).content.decode()
    response = client.post(reverse("notification_open", args=[note.pk]), {"go": "1", "next": "home"})
    assert response.status_code == 302 and response.url == "/payments/runs/"
    assert "花名册等待审批" not in client.get(reverse("home")).content.decode()
    assert unread_for(users["staff2"]).count() == 1  # a colleague has not read it yet
    client.force_login(users["clerk_a"])
    assert client.post(reverse("notification_open", args=[note.pk])).url == reverse("notifications")
    assert not note.read_by.filter(pk=users["clerk_a"].pk).exists()  # not theirs: nothing marked


def test_read_all(client, users):
    for n in range(3):
        notify(f"第{n}条", user=users["clerk_a"])
    client.force_login(users["clerk_a"])
    client.post(reverse("notifications_read_all"))
    assert not unread_for(users["clerk_a"]).exists()
    page = client.get(reverse("notifications")).content.decode()
    assert "第0条" in page and "未读</span>" not in page
    assert Notification.objects.count() == 3


def test_a_checked_run_is_handed_to_finance_and_a_returned_one_to_its_builder(client, users, money_county):
    from doudi.payments.models import PayrollRun
    from doudi.payments.payroll import payroll_build
    from doudi.payments.workflow import run_transition

    payroll_build(period="2025-01", category="dibao", user=users["staff"])
    run = PayrollRun.objects.get()
    run_transition(run=run, action="check", user=users["staff2"])
    [note] = unread_for(users["finance"])
    assert "已复核，等待财政审批" in note.text and note.link == reverse("payroll_detail", args=[run.pk])
    assert not unread_for(users["clerk_a"]).exists()
    client.force_login(users["finance"])
    assert "等待财政审批" in client.get(reverse("home")).content.decode()
    run_transition(run=run, action="return", user=users["finance"], reason="人数与上月相差过大")
    assert "被财政退回：人数与上月相差过大" in unread_for(users["staff"]).get().text
    assert not unread_for(users["staff2"]).exists()
