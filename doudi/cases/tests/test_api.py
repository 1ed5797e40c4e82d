"""docs/interfaces.md §8 public applications API: 201, 409 with the existing number, 422 per field in
Chinese, tracking only with the matching ID number (404 otherwise), rate limit."""

import datetime as dt
import json

import pytest
from django.core.cache import cache

from doudi.cases import decisions, services
from doudi.cases.models import Case
from doudi.cases.tests.conftest import application


@pytest.fixture(autouse=True)
def _fresh_limit():
    cache.clear()
    yield
    cache.clear()


def _post(client, body):
    return client.post("/api/applications", json.dumps(body), content_type="application/json")


def test_apply_online_then_track(client, register, users, today):
    response = _post(client, application(register["sun"], channel="online", phone="13800000000"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "received" and body["number"].startswith("140521-2026-")
    case = Case.objects.get(number=body["number"])
    assert body["deadline"] == case.due.isoformat() and case.channel == "online" and case.created_by is None
    assert case.received_by_region_id == "140521100"
    duplicate = _post(client, application(register["sun"]))
    assert duplicate.status_code == 409 and duplicate.json()["number"] == body["number"]
    track = client.get(f"/api/applications/{body['number']}", {"id_number": register["sun"]})
    assert track.status_code == 200
    assert track.json()["status"] == "received" and track.json()["steps"][0]["step"] == "已受理，待核对"
    assert track.json()["deadline"] == case.due.isoformat()


def test_tracking_needs_the_matching_id_number(client, register, users, today):
    number = _post(client, application(register["sun"])).json()["number"]
    wrong = client.get(f"/api/applications/{number}", {"id_number": register["zhou"]})
    unknown = client.get("/api/applications/140521-2026-999999", {"id_number": register["sun"]})
    missing = client.get(f"/api/applications/{number}")
    assert wrong.status_code == unknown.status_code == missing.status_code == 404
    assert wrong.json() == unknown.json() == missing.json()


def test_refusal_reasons_are_tracked(client, register, users, today):
    number = _post(client, application(register["zhao"], name="赵六")).json()["number"]
    case = services.case_check(case=Case.objects.get(number=number), user=users["clerk_a"])
    decisions.case_refuse(case=case, user=users["staff"], reasons="家庭拥有两辆小汽车")
    body = client.get(f"/api/applications/{number}", {"id_number": register["zhao"]}).json()
    assert body["status"] == "refused" and body["refusal_reasons"] == "家庭拥有两辆小汽车"
    assert [s["status"] for s in body["steps"]] == ["received", "checked", "refused"]


def test_bad_input_422_in_chinese(client, register, users, today):
    response = _post(client, application("140521198001010311", region="140521100299"))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["id_number"] == "身份证号无效：身份证号校验位错误"
    assert errors["region"].startswith("未知的村（居）区划代码：140521100299")
    typed = _post(client, {"category": "dibao", "promise": {"x": 1}})
    assert typed.status_code == 422 and typed.json()["errors"]["promise"] == "告知承诺格式不正确"
    assert not Case.objects.exists()


def test_rate_limited(client, register, users, today, settings):
    settings.DOUDI_PUBLIC_API_PER_MINUTE = 3
    answers = [client.get("/api/applications/x", {"id_number": "1"}).status_code for _ in range(5)]
    assert answers == [404, 404, 404, 429, 429]
    assert _post(client, application(register["sun"])).status_code == 429
    assert not Case.objects.exists()


def test_deadline_past_calendar_is_explained(client, register, users, today):
    today(dt.date(2026, 12, 2))
    body = _post(client, application(register["sun"])).json()
    assert body["deadline"] is None and body["deadline_note"].startswith("无法计算期限")
