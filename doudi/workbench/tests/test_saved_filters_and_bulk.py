"""Issue 13 item 3: saved filters per user, and bulk actions on warnings (the evaluation's
findings open cases in bulk on the cases side)."""

import datetime as dt

import pytest
from django.urls import reverse

from doudi.monitoring.models import Warning, WarningTransition
from doudi.registry.models import Person
from doudi.workbench.models import SavedFilter
from doudi.workbench.tests.conftest import plant_warning

WARNINGS = "/monitoring/warnings/"


def test_a_saved_filter_is_mine_opens_the_list_and_can_be_deleted(client, county, users):
    client.force_login(users["clerk_a"])
    query = "level=red&status=active&page=3&export=xlsx"
    response = client.post(reverse("saved_filter_save"), {"path": WARNINGS, "query": query, "name": " 红色  待处理 "})
    saved = SavedFilter.objects.get()
    assert saved.name == "红色 待处理" and saved.query == "level=red&status=active"  # no paging, no export
    assert response.status_code == 302 and response.url == f"{WARNINGS}?level=red&status=active"
    page = client.get(response.url).content.decode()
    assert "红色 待处理" in page and f'href="{WARNINGS}?level=red&amp;status=active"' in page
    # The same name again replaces it; another user neither sees nor deletes it.
    client.post(reverse("saved_filter_save"), {"path": WARNINGS, "query": "level=yellow", "name": "红色 待处理"}, follow=True)
    assert SavedFilter.objects.get().query == "level=yellow"
    client.force_login(users["clerk_b"])
    assert "红色 待处理" not in client.get(WARNINGS).content.decode()
    client.post(reverse("saved_filter_delete", args=[saved.pk]))
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    client.force_login(users["clerk_a"])
    assert client.post(reverse("saved_filter_delete", args=[saved.pk])).url == WARNINGS
    assert not SavedFilter.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"path": WARNINGS, "query": "level=red", "name": ""}, "请给这组筛选条件起个名称"),
        ({"path": WARNINGS, "query": "page=2", "name": "第二页"}, "当前没有任何筛选条件"),
        ({"path": "https://evil.example/", "query": "a=1", "name": "外站"}, "只能保存本系统列表页面"),
        ({"path": "//evil.example/", "query": "a=1", "name": "外站"}, "只能保存本系统列表页面"),
    ],
)
def test_bad_saved_filters_are_refused_in_chinese(client, county, users, data, message):
    client.force_login(users["clerk_a"])
    response = client.post(reverse("saved_filter_save"), data, follow=True)
    assert message in response.content.decode() and not SavedFilter.objects.exists()


def _bulk(client, warnings, action, reason=""):
    data = {"warning": [w.pk for w in warnings], "action": action, "reason": reason, "back": "?level=red"}
    return client.post(reverse("warnings_bulk"), data)


def test_bulk_dismiss_and_check_move_all_or_none(client, county, users):
    mine = [Warning.objects.get(fingerprint="a"), plant_warning(Person.objects.get(name="户主2"), dt.date(2030, 1, 1), "c")]
    client.force_login(users["clerk_a"])
    page = client.get(WARNINGS).content.decode()
    assert 'id="warning-bulk"' in page and 'data-check-all="warning"' in page
    # Dismissing needs a reason: nothing moves.
    response = client.post(reverse("warnings_bulk"), {"warning": [w.pk for w in mine], "action": "dismiss"}, follow=True)
    assert "批量排除预警必须填写原因" in response.content.decode()
    assert set(Warning.objects.filter(pk__in=[w.pk for w in mine]).values_list("status", flat=True)) == {"open"}
    response = _bulk(client, mine, "check")
    assert response.status_code == 302 and response.url == f"{WARNINGS}?level=red"
    assert set(Warning.objects.filter(pk__in=[w.pk for w in mine]).values_list("status", flat=True)) == {"checking"}
    # One already closed among the chosen: none moves, and the message says why.
    closed = mine[1]
    client.post(reverse("warning_dismiss", args=[closed.pk]), {"reason": "已核实"})
    response = client.post(
        reverse("warnings_bulk"), {"warning": [w.pk for w in mine], "action": "dismiss", "reason": "同批核实"}, follow=True
    )
    assert f"所选预警均未处理。编号 {closed.pk}：预警当前状态为“已排除”" in response.content.decode()
    assert Warning.objects.get(pk=mine[0].pk).status == "checking"
    _bulk(client, mine[:1], "dismiss", "同批核实无问题")
    first = Warning.objects.get(pk=mine[0].pk)
    assert first.status == "dismissed" and first.outcome_note == "同批核实无问题" and first.closed_at
    step = WarningTransition.objects.filter(warning=first).order_by("-id").first()
    assert step.user == users["clerk_a"] and step.reason == "同批核实无问题" and step.to_status == "dismissed"


def test_bulk_is_refused_outside_scope_and_for_lesser_roles(client, county, users):
    other = Warning.objects.get(fingerprint="b")  # township B
    client.force_login(users["clerk_a"])
    assert _bulk(client, [other], "check").status_code == 403
    for role in ("uploader", "finance"):
        client.force_login(users[role])
        assert _bulk(client, [other], "check").status_code == 403
    assert Warning.objects.get(pk=other.pk).status == "open"
    assert not WarningTransition.objects.filter(warning=other).exists()
