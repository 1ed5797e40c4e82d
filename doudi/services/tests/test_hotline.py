"""Hotline work orders: logged with a deadline in working hours, routed, answered, followed
up, closed (closing without an answer refused, nothing changed), response and closure times
per township, a call that becomes a 临时救助 case, complaints and 信访 the same way."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from doudi.cases.models import Case
from doudi.services import hotline, selectors
from doudi.services.common import ServiceError
from doudi.services.models import WorkOrder, WorkOrderStep
from doudi.services.tests.conftest import COUNTY, TOWNSHIP_A, VILLAGE_A1

pytestmark = pytest.mark.django_db
MONDAY_10 = timezone.make_aware(dt.datetime(2026, 6, 1, 10, 0))  # a Monday


def call(**changes):
    data = {
        "kind": "help",
        "channel": "hotline",
        "caller_name": "刘老汉",
        "caller_phone": "13900000001",
        "township": TOWNSHIP_A,
        "need": "家里没煤了，屋里很冷",
        "received_at": MONDAY_10,
    }
    data.update(changes)
    return data


def test_deadline_in_working_hours():
    respond_by, close_by, note = hotline.deadlines(TOWNSHIP_A, MONDAY_10)
    # 24 working hours at 8 a day → 3 working days: Thursday at the hour of the call.
    assert timezone.localtime(respond_by) == timezone.make_aware(dt.datetime(2026, 6, 4, 10, 0))
    assert close_by == dt.date(2026, 6, 8) and "24 个工作小时" in note
    before_holiday = timezone.make_aware(dt.datetime(2026, 9, 30, 16, 0))  # the eve of National Day
    respond_by, _, _ = hotline.deadlines(TOWNSHIP_A, before_holiday)
    # 1–7 October off; the 3rd working day after is Saturday 10 October (a 调休 working day).
    assert timezone.localtime(respond_by) == timezone.make_aware(dt.datetime(2026, 10, 10, 16, 0))
    late = timezone.make_aware(dt.datetime(2026, 12, 30, 9, 0))  # the calendar ends with 2026: said, not guessed
    respond_by, close_by, note = hotline.deadlines(TOWNSHIP_A, late)
    assert respond_by is None and close_by is None and "无法计算期限" in note


def test_route_answer_follow_close_and_times(client, users):
    staff, clerk = users["staff"], users["clerk_a"]
    order = hotline.order_create(user=staff, data=call())
    assert order.region_id == COUNTY and order.state == "received"
    client.force_login(clerk)
    assert client.get(reverse("services:order", args=[order.pk])).status_code == 404  # still the county's
    order = hotline.order_route(user=staff, order=order, target=TOWNSHIP_A, note="请核实")
    assert order.state == "routed" and order.region_id == TOWNSHIP_A
    # Closing without an answer: refused, nothing changed.
    response = client.post(reverse("services:order_act", args=[order.pk, "close"]), {"version": order.version}, follow=True)
    assert "尚未答复，不能办结" in response.content.decode()
    order.refresh_from_db()
    assert order.state == "routed" and order.closed_at is None
    with pytest.raises(ServiceError, match="请填写答复内容"):
        hotline.order_answer(user=clerk, order=order, answer="  ")
    client.post(
        reverse("services:order_act", args=[order.pk, "answer"]), {"version": order.version, "answer": "已联系村委送煤 0.5 吨"}
    )
    order.refresh_from_db()
    assert order.state == "answered" and order.answered_at is not None
    with pytest.raises(ServiceError, match="请选择群众是否满意"):
        hotline.order_follow(user=clerk, order=order, note="已回访", satisfied="")
    order = hotline.order_follow(user=clerk, order=order, note="已回访，煤已送到", satisfied="yes")
    order = hotline.order_close(user=clerk, order=order)
    assert order.state == "closed"
    assert list(WorkOrderStep.objects.filter(order=order).values_list("to_state", flat=True)) == [
        "received",
        "routed",
        "answered",
        "followed",
        "closed",
    ]
    table = selectors.order_times(staff, start=dt.date(2026, 6, 1), end=timezone.localdate())
    row = table["rows"][0]
    assert row["name"] == "龙港镇" and row["orders"] == 1 and row["answered"] == 1 and row["closed"] == 1
    assert row["avg_answer"] is not None and table["total"]["orders"] == 1
    page = client.get(reverse("services:order_times") + "?start=2026-06-01").content.decode()
    assert "龙港镇" in page and "合计" in page


def test_route_to_a_county_office_and_bad_input(users):
    staff = users["staff"]
    order = hotline.order_create(user=staff, data=call(kind="complaint"))
    order = hotline.order_route(user=staff, order=order, target="rescue_center")
    assert order.region_id == COUNTY and order.unit_label == "救助管理站（救助中心）"
    for bad, message in (
        (call(township="999"), "来电人所在乡镇"),
        (call(caller_name=""), "来电人姓名"),
        (call(channel="12345"), "12345 工单编号"),
        (call(caller_id_number="1234"), "来电人身份证号无效"),
        (call(received_at="2099-01-01T10:00"), "不能晚于现在"),
        (call(kind="x"), "诉求类型"),
        (call(need=""), "诉求内容"),
    ):
        with pytest.raises(ServiceError, match=message):
            hotline.order_create(user=staff, data=bad)
    from doudi.core.models import Region

    Region.objects.create(code="140522", name="阳城县", level="county", parent_id="1405")
    Region.objects.create(code="140522100", name="凤城镇", level="township", parent_id="140522")
    with pytest.raises(ServiceError, match="凤城镇不在本县"):
        hotline.order_route(user=staff, order=order, target="140522100")
    assert WorkOrder.objects.count() == 1
    petition = hotline.order_create(user=staff, data=call(kind="petition", channel="letter"))
    assert petition.get_kind_display() == "信访"


def test_the_database_refuses_a_closed_order_without_answer(users):
    from django.db import IntegrityError, transaction

    order = hotline.order_create(user=users["clerk_a"], data=call())
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrder.objects.filter(pk=order.pk).update(state="closed")


def test_a_call_becomes_a_temp_assist_case(client, users, people):
    clerk = users["clerk_a"]
    order = hotline.order_create(user=clerk, data=call(caller_id_number=people["a"].id_number))
    assert order.region_id == TOWNSHIP_A  # a township clerk's call stays with the township
    client.force_login(clerk)
    bad = client.post(reverse("services:order_case", args=[order.pk]), {"village": "", "name": "刘老汉"}, follow=True)
    assert "不能转入救助申请" in bad.content.decode() and Case.objects.count() == 0
    client.post(
        reverse("services:order_case", args=[order.pk]),
        {"village": VILLAGE_A1, "name": "刘老汉", "id_number": people["a"].id_number, "reason": "家中断煤"},
    )
    case = Case.objects.get()
    order.refresh_from_db()
    assert order.case == case and case.channel == "hotline" and case.category == "temp_assist"
    assert case.person == people["a"]
    with pytest.raises(ServiceError, match="已转入救助申请"):
        hotline.order_start_case(user=clerk, order=order, data={"village": VILLAGE_A1})
    page = client.get(reverse("services:order", args=[order.pk])).content.decode()
    assert case.number in page and people["a"].id_number not in page
    # The order still closes the usual way once answered.
    order = hotline.order_answer(user=clerk, order=order, answer=f"已受理临时救助申请 {case.number}")
    assert hotline.order_close(user=clerk, order=order).state == "closed"


def test_list_search_filters_overdue_export(client, users):
    staff = users["staff"]
    old = hotline.order_create(user=staff, data=call())
    hotline.order_create(user=staff, data=call(caller_name="张大姐", kind="complaint", received_at=timezone.now()))
    client.force_login(staff)
    text = client.get(reverse("services:orders") + "?q=张大姐").content.decode()
    assert "张大姐" in text and "刘老汉" not in text
    text = client.get(reverse("services:orders") + "?kind=complaint").content.decode()
    assert "张大姐" in text and "刘老汉" not in text
    text = client.get(reverse("services:orders") + "?overdue=1").content.decode()
    assert "刘老汉" in text and "张大姐" not in text and "逾期" in text
    assert selectors.order_search(staff, q=old.number).get() == old
    response = client.get(reverse("services:orders") + "?export=xlsx&state=all")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
