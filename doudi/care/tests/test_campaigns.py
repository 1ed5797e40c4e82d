"""集中走访慰问: a county starts it (groups, period, 慰问金/品), the persons to visit are fixed per
village, a 附件1 visit in the period is marked with what was handed out; coverage and totals
checked against the records; scope and role refused on every new URL; bad input refused in
Chinese with the form kept."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from doudi.care import campaigns, selectors, services
from doudi.care.models import Campaign, CampaignTarget, CampaignVisit
from doudi.care.tests.conftest import PNG_BYTES

pytestmark = pytest.mark.django_db
FIRST, LAST = dt.date(2025, 1, 2), dt.date(2025, 1, 27)


def _start(users, groups=("dibao", "tekun_dispersed"), **extra):
    data = {"name": "2025年春节走访慰问", "group_codes": list(groups), "starts_on": FIRST, "ends_on": LAST}
    data.update({"money": "500", "goods": "米面油、棉被"} | extra)
    return campaigns.campaign_start(user=users["staff"], **data)


def _visit(user, person, day=dt.date(2025, 1, 6), key="v"):
    visit, _ = services.visit_record(
        user=user,
        person=person,
        visited_on=day,
        answers={1: False, 2: True, 3: False, 4: False},
        notes={},
        categories=[],
        health=[],
        visitor_signature=PNG_BYTES,
        person_signature=PNG_BYTES,
        client_key=key,
    )
    return visit


def test_start_fixes_persons_per_village_from_groups(care_county, users):
    campaign = _start(users)
    targets = {(t.person.name, t.region_code) for t in CampaignTarget.objects.filter(campaign=campaign)}
    # 老张 (分散特困) and the 低保 household heads; 王妻 is not the head, 李奶奶 holds nothing.
    assert targets == {("老张", VILLAGE_A1), ("王户主", VILLAGE_A1), ("西关人", VILLAGE_A2), ("中村人", VILLAGE_B1)}
    assert campaign.targets_count == 4 and campaign.county_code == "140521"
    only = _start(users, groups=["tekun_dispersed"], money="", goods="棉被")
    assert list(CampaignTarget.objects.filter(campaign=only).values_list("person__name", flat=True)) == ["老张"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_on": "2025-01-01"}, "结束日期不能早于开始日期"),
        ({"money": "", "goods": ""}, "请填写慰问金标准或慰问品"),
        ({"money": "abc"}, "不是金额"),
        ({"group_codes": []}, "请选择走访对象"),
        ({"ends_on": "2025-06-30"}, "不超过 92 天"),
    ],
)
def test_bad_start_refused_in_chinese_form_kept(client, care_county, users, changes, message):
    client.force_login(users["staff"])
    data = {"name": "春节走访慰问X", "group_codes": ["dibao"], "starts_on": "2025-01-02", "ends_on": "2025-01-27"}
    data.update({"money": "500", "goods": "米面油"} | changes)
    response = client.post(reverse("care:campaign_new"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "春节走访慰问X" in page
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("who", ["clerk_a", "helper_a1", "supervisor"])
def test_only_the_county_starts(client, care_county, users, who):
    client.force_login(users[who])
    data = {"name": "春节", "group_codes": ["dibao"], "starts_on": "2025-01-02", "ends_on": "2025-01-27", "money": "100"}
    assert client.post(reverse("care:campaign_new"), data).status_code == 403
    assert not Campaign.objects.exists()
    with pytest.raises(PermissionError):
        campaigns.campaign_start(user=users[who], name="x", group_codes=["dibao"], starts_on=FIRST, ends_on=LAST, money="1")


def test_mark_visits_then_coverage_and_totals_match_records(client, care_county, users):
    campaign = _start(users)
    helper = users["helper_a1"]
    v1 = _visit(helper, care_county["老张"], key="a")
    v2 = _visit(helper, care_county["王户主"], dt.date(2025, 1, 8), key="b")
    client.force_login(helper)
    page = client.get(reverse("care:visit", args=[v1.pk])).content.decode()
    assert "campaign-mark-form" in page and "2025年春节走访慰问" in page
    response = client.post(
        reverse("care:visit_campaign", args=[v1.pk]), {"campaign": campaign.pk, "money": "500", "goods_0": "1", "goods_1": "2"}
    )
    assert response.status_code == 302
    campaigns.campaign_visit_mark(user=helper, visit=v2, campaign=campaign, money="300", goods={"米面油": "1"})
    # the records
    rows = CampaignVisit.objects.filter(campaign=campaign)
    assert rows.count() == 2
    assert sum(r.money for r in rows) == Decimal("800")
    cover = campaigns.coverage(users["staff"], campaign)
    villages = {r["code"]: (r["due"], r["visited"], r["money"]) for r in cover["villages"]}
    assert villages == {VILLAGE_A1: (2, 2, Decimal("800")), VILLAGE_A2: (1, 0, 0), VILLAGE_B1: (1, 0, 0)}
    towns = {r["code"]: (r["due"], r["visited"], r["percent"]) for r in cover["townships"]}
    assert towns == {"140521100": (3, 2, 67), "140521101": (1, 0, 0)}
    assert (cover["total"]["due"], cover["total"]["visited"]) == (4, 2)
    assert dict(cover["total"]["goods_list"]) == {"米面油": 2, "棉被": 2}
    totals = selectors.campaign_totals("140521", FIRST, LAST)
    assert totals == {"visits": 2, "persons": 2, "money": Decimal("800"), "goods": {"米面油": 2, "棉被": 2}}
    assert selectors.campaign_totals("140521101", FIRST, LAST)["visits"] == 0
    assert selectors.campaign_totals("140521", FIRST, dt.date(2025, 1, 7))["money"] == Decimal("500")
    # the township sees its own villages only, the page shows the figures
    client.force_login(users["clerk_b"])
    page = client.get(reverse("care:campaign", args=[campaign.pk])).content.decode()
    assert "中村" in page and VILLAGE_A1 not in page
    client.force_login(users["staff"])
    page = client.get(reverse("care:campaign", args=[campaign.pk]), {"village": VILLAGE_A1}).content.decode()
    assert "2 / 4" in page and "800" in page and "老张" in page


def test_helper_list_shows_campaign_persons_until_visited(client, care_county, users, monkeypatch):
    campaign = _start(users)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: dt.date(2025, 1, 10))
    client.force_login(users["helper_a1"])
    page = client.get(reverse("care:duties")).content.decode()
    assert "campaign-todo" in page and "老张" in page and "王户主" in page and "西关人" not in page
    visit = _visit(users["helper_a1"], care_county["老张"], dt.date(2025, 1, 9), key="t")
    campaigns.campaign_visit_mark(user=users["helper_a1"], visit=visit, campaign=campaign, money="500")
    rows = campaigns.todo(users["helper_a1"], today=dt.date(2025, 1, 10))
    assert [r["person"].name for r in rows] == ["王户主"]
    assert campaigns.todo(users["helper_a1"], today=dt.date(2025, 2, 1)) == []  # the campaign is over


@pytest.mark.parametrize(
    ("day", "person", "post", "message"),
    [
        (dt.date(2025, 1, 1), "老张", {"money": "500"}, "不在活动期间"),
        (dt.date(2025, 1, 6), "李奶奶", {"money": "500"}, "不在本次活动的走访对象名单中"),
        (dt.date(2025, 1, 6), "老张", {"money": "600"}, "不能超过活动标准 500.00 元"),
        (dt.date(2025, 1, 6), "老张", {"money": "0", "goods_0": ""}, "请填写发放的慰问金或慰问品"),
        (dt.date(2025, 1, 6), "老张", {"money": "", "goods_1": "x"}, "数量应为"),
    ],
)
def test_bad_mark_refused_in_chinese(client, care_county, users, day, person, post, message):
    campaign = _start(users)
    visit = _visit(users["helper_a1"], care_county[person], day)
    client.force_login(users["helper_a1"])
    if day < FIRST or person == "李奶奶":  # the form is not offered; the service says why
        with pytest.raises(services.CareError, match=message):
            campaigns.campaign_visit_mark(user=users["helper_a1"], visit=visit, campaign=campaign, **{"money": post["money"]})
        return
    response = client.post(reverse("care:visit_campaign", args=[visit.pk]), {"campaign": campaign.pk, **post})
    assert response.status_code == 400 and message in response.content.decode()
    assert not CampaignVisit.objects.exists()


def test_mark_once_per_person(care_county, users):
    campaign = _start(users)
    helper = users["helper_a1"]
    first = _visit(helper, care_county["老张"], key="1")
    second = _visit(helper, care_county["老张"], dt.date(2025, 1, 7), key="2")
    campaigns.campaign_visit_mark(user=helper, visit=first, campaign=campaign, money="500")
    assert campaigns.open_for_visit(second) == []
    with pytest.raises(services.CareError, match="不能重复登记"):
        campaigns.campaign_visit_mark(user=helper, visit=second, campaign=campaign, money="500")
    assert CampaignVisit.objects.count() == 1


def test_scope_and_role_on_every_url(client, care_county, users):
    campaign = _start(users)
    elsewhere = Campaign.objects.create(name="外县", county_code="140522", groups=["dibao"], starts_on=FIRST, ends_on=LAST)
    visit_b = _visit(users["clerk_b"], care_county["中村人"], key="b1")
    visit_a = _visit(users["helper_a1"], care_county["老张"], key="a1")
    # another county's campaign: not found
    client.force_login(users["staff"])
    assert client.get(reverse("care:campaign", args=[elsewhere.pk])).status_code == 404
    # another village's visit: not found for the helper
    client.force_login(users["helper_a1"])
    url = reverse("care:visit_campaign", args=[visit_b.pk])
    assert client.post(url, {"campaign": campaign.pk, "money": "500"}).status_code == 404
    # a lesser role: the supervisor reads, never marks; the finance and uploader roles see nothing
    client.force_login(users["supervisor"])
    assert client.get(reverse("care:campaign", args=[campaign.pk])).status_code == 200
    assert client.post(reverse("care:visit_campaign", args=[visit_a.pk]), {"campaign": campaign.pk}).status_code == 403
    for who in ("finance", "uploader"):
        client.force_login(users[who])
        assert client.get(reverse("care:campaigns")).status_code == 403
        assert client.get(reverse("care:campaign", args=[campaign.pk])).status_code == 403
    assert not CampaignVisit.objects.exists()
    # the list offers the start form to the county only
    client.force_login(users["clerk_a"])
    page = client.get(reverse("care:campaigns")).content.decode()
    assert "2025年春节走访慰问" in page and "campaign-form" not in page
