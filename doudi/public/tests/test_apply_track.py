"""Apply online (channel online, 告知承诺) and track progress: Chinese messages next to the
field with the typed form kept, the duplicate's number, "期限待定" past the calendar, CSRF
kept, rate limits, and nothing shown unless the number and the ID number both match."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from doudi.cases import decisions, services
from doudi.cases.models import Case
from doudi.public.tests.conftest import DAY, application

pytestmark = pytest.mark.django_db


def _form(id_number, **extra):
    return {
        "category": "dibao",
        "name": "孙七",
        "id_number": id_number,
        "phone": "13800000000",
        "region": "140521100201",
        "reason": "无固定收入，生活困难",
        "promise": "on",
        **extra,
    }


def test_apply_page_offers_villages_grouped_by_township(client, register, today):
    page = client.get(reverse("public:apply")).content.decode()
    assert '<optgroup label="沁水县 龙港镇">' in page and "东关村" in page and "中村村" in page
    assert 'data-draft="public-apply"' in page and "public/public.js" in page
    only_b = client.get(reverse("public:apply"), {"township": "140521101"}).content.decode()
    assert "中村村" in only_b and "东关村" not in only_b
    assert "菜单" not in page and "退出" not in page  # no staff menu


def test_apply_online_then_success_page(client, register, today):
    response = client.post(reverse("public:apply"), _form(register["sun"]))
    assert response.status_code == 302 and response["Location"] == reverse("public:applied")
    case = Case.objects.get()
    assert case.channel == "online" and case.promise and case.created_by is None and case.phone == "13800000000"
    assert case.received_by_region_id == "140521100" and case.steps.count() == 1
    page = client.get(reverse("public:applied")).content.decode()
    assert case.number in page and case.due.isoformat() in page and 'data-draft-clear="public-apply"' in page
    assert register["sun"] not in page


def test_deadline_unknown_past_the_calendar(client, register, today):
    from doudi.core import workdays

    today(dt.date(workdays.last_known_year() + 1, 3, 2))
    assert client.post(reverse("public:apply"), _form(register["sun"])).status_code == 302
    page = client.get(reverse("public:applied")).content.decode()
    assert "期限待定" in page and Case.objects.get().due is None


def test_csrf_is_kept(register, today):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("public:apply"), _form(register["sun"])).status_code == 403
    assert strict.post(reverse("public:track"), {"number": "x", "id_number": "y"}).status_code == 403
    assert not Case.objects.exists()


def test_bad_id_unknown_village_missing_promise_keep_the_form(client, register, today):
    bad = register["sun"][:-1] + ("0" if register["sun"][-1] != "0" else "1")
    page = client.post(reverse("public:apply"), _form(bad, name="孙小七")).content.decode()
    assert 'id="error-id_number"' in page and "身份证号无效：身份证号校验位错误" in page
    assert 'value="孙小七"' in page and "无固定收入，生活困难" in page
    page = client.post(reverse("public:apply"), _form(register["sun"], region="140521100299")).content.decode()
    assert 'id="error-region"' in page and "未知的村（居）区划代码：140521100299" in page
    page = client.post(reverse("public:apply"), _form(register["sun"], promise="")).content.decode()
    assert 'id="error-promise"' in page and "请阅读并勾选告知承诺" in page
    assert not Case.objects.exists()


def test_duplicate_shows_the_existing_number(client, register, users, today):
    first = services.case_receive(user=users["clerk_a"], data=application(register["sun"]), today=DAY)
    page = client.post(reverse("public:apply"), _form(register["sun"])).content.decode()
    assert 'id="error-category"' in page and first.number in page and Case.objects.count() == 1


def test_apply_is_rate_limited(client, register, today, settings):
    settings.DOUDI_PUBLIC_PAGES_PER_MINUTE = 2
    bad = _form("123")
    assert client.post(reverse("public:apply"), bad).status_code == 200
    assert client.post(reverse("public:apply"), bad).status_code == 200
    response = client.post(reverse("public:apply"), _form(register["sun"]))
    assert response.status_code == 429 and "请求过于频繁" in response.content.decode()
    assert not Case.objects.exists()


def test_track_needs_both_and_says_the_same_otherwise(client, register, users, today):
    case = services.case_receive(user=None, data=application(register["sun"], channel="online"), today=DAY)
    url = reverse("public:track")
    page = client.post(url, {"number": case.number, "id_number": register["sun"]}).content.decode()
    assert "已受理，待核对" in page and case.due.strftime("%Y-%m-%d") in page and "剩余" in page
    assert register["sun"] not in page.replace(f'value="{register["sun"]}"', "")
    answers = []
    for number, id_number in (
        (case.number, register["zhou"]),
        ("140521-2026-999999", register["sun"]),
        (case.number, ""),
        (case.number, "孙七"),
    ):
        page = client.post(url, {"number": number, "id_number": id_number}).content.decode()
        assert "已受理" not in page and "办理记录" not in page
        answers.append("没有找到该申请，请核对申请编号和身份证号" in page)
    assert answers == [True, True, False, True]  # an empty ID number is a form error, nothing looked up


def test_track_shows_refusal_reasons_and_steps(client, register, users, today):
    case = services.case_receive(user=None, data=application(register["zhao"], name="赵六", channel="online"), today=DAY)
    case = services.case_check(case=case, user=users["clerk_a"], today=DAY)
    decisions.case_refuse(case=case, user=users["staff"], reasons="家庭拥有两辆小汽车")
    page = client.post(reverse("public:track"), {"number": case.number, "id_number": register["zhao"]}).content.decode()
    assert "不予保障" in page and "家庭拥有两辆小汽车" in page and "已核对，待入户调查" in page
    assert "办结期限" not in page


def test_track_is_rate_limited(client, register, today, settings):
    settings.DOUDI_PUBLIC_PAGES_PER_MINUTE = 3
    codes = [
        client.post(reverse("public:track"), {"number": "140521-2026-000001", "id_number": register["sun"]}).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
