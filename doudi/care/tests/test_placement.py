"""集中供养 demand (issue 16 item 7): a dispersed 特困 who cannot care for themselves and wishes
to be placed stays listed until placed (institution, date) or withdrawn (why)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from doudi.care.models import PlacementWish
from doudi.registry.models import Person

pytestmark = pytest.mark.django_db


def _table(response):
    return response.content.decode().split('id="placement-table"')[1]


@pytest.fixture
def zhang(care_county):
    Person.objects.filter(pk=care_county["老张"].pk).update(self_care="partial")
    return Person.objects.get(pk=care_county["老张"].pk)


def test_wish_listed_until_placed(client, zhang, users):
    client.force_login(users["clerk_a"])
    assert "老张" in _table(client.get(reverse("care:placement") + "?tab=unasked"))
    today = timezone.localdate().isoformat()
    assert (
        client.post(reverse("care:placement_wish", args=[zhang.pk]), {"wished_on": today, "note": "本人愿意去敬老院"}).status_code
        == 302
    )
    wish = PlacementWish.objects.get()
    assert "老张" in _table(client.get(reverse("care:placement"))) and "老张" not in _table(
        client.get(reverse("care:placement") + "?tab=unasked")
    )
    again = client.post(reverse("care:placement_wish", args=[zhang.pk]), {"wished_on": today})
    assert again.status_code == 400 and "已有待安置的集中供养意愿" in again.content.decode()
    decide = reverse("care:placement_decide", args=[wish.pk])
    response = client.post(decide, {"state": "placed", "outcome_on": today, "institution": "", "outcome": ""})
    assert response.status_code == 400 and "已集中供养须填写供养机构" in response.content.decode()
    response = client.post(decide, {"state": "placed", "outcome_on": "2000-01-01", "institution": "县中心敬老院"})
    assert "结果日期应在提出意愿日期和今天之间" in response.content.decode()
    assert 'value="县中心敬老院"' in response.content.decode()  # typed value kept
    assert client.post(decide, {"state": "placed", "outcome_on": today, "institution": "县中心敬老院"}).status_code == 302
    wish.refresh_from_db()
    assert (wish.state, wish.institution) == ("placed", "县中心敬老院")
    assert "老张" not in _table(client.get(reverse("care:placement")))
    assert "县中心敬老院" in _table(client.get(reverse("care:placement") + "?tab=done"))


def test_self_caring_or_not_tekun_refused(client, care_county, users):
    client.force_login(users["clerk_a"])
    today = timezone.localdate().isoformat()
    response = client.post(reverse("care:placement_wish", args=[care_county["老张"].pk]), {"wished_on": today})
    assert response.status_code == 400 and "生活能自理" in response.content.decode()
    response = client.post(reverse("care:placement_wish", args=[care_county["李奶奶"].pk]), {"wished_on": today})
    assert "只有分散供养的特困人员" in response.content.decode()
    assert not PlacementWish.objects.exists()


def test_least_privilege(client, zhang, users):
    today = timezone.localdate().isoformat()
    client.force_login(users["clerk_b"])
    assert client.post(reverse("care:placement_wish", args=[zhang.pk]), {"wished_on": today}).status_code == 404
    client.force_login(users["helper_a1"])
    assert client.get(reverse("care:placement")).status_code == 200
    assert client.post(reverse("care:placement_wish", args=[zhang.pk]), {"wished_on": today}).status_code == 403
    client.force_login(users["clerk_a"])
    client.post(reverse("care:placement_wish", args=[zhang.pk]), {"wished_on": today})
    wish = PlacementWish.objects.get()
    page = client.get(reverse("care:placement")).content.decode()
    assert zhang.id_number not in page
    client.force_login(users["clerk_b"])
    assert (
        client.post(
            reverse("care:placement_decide", args=[wish.pk]), {"state": "withdrawn", "outcome_on": today, "outcome": "x"}
        ).status_code
        == 404
    )
    assert "老张" not in _table(client.get(reverse("care:placement")))
