"""Least privilege: another village's helper and another township's clerk get a 404 for
persons, visits, problems, signatures and photos; a helper cannot see the township's
coverage or set flags; ID numbers are masked on every care page."""

import pytest
from django.urls import reverse

from doudi.care.models import Problem, Visit
from doudi.care.tests.conftest import photo, visit_post
from doudi.core.roles import Role
from doudi.core.services import user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(client, care_county, users):
    client.force_login(users["helper_a1"])
    client.post(
        reverse("care:visit_new", args=[care_county["老张"].pk]),
        visit_post(q3="yes", photos=[photo()]),
        HTTP_X_REQUESTED_WITH="fetch",
    )
    client.logout()
    visit = Visit.objects.get()
    return {"visit": visit, "problem": Problem.objects.get(), "photo": visit.photos.get(), "person": care_county["老张"]}


def _urls(r):
    return [
        reverse("care:person", args=[r["person"].pk]),
        reverse("care:visit_new", args=[r["person"].pk]),
        reverse("care:visit", args=[r["visit"].pk]),
        reverse("care:signature", args=[r["visit"].pk, "person"]),
        reverse("care:photo", args=[r["photo"].pk]),
        reverse("care:problem", args=[r["problem"].pk]),
    ]


def test_other_village_helper_and_other_township_clerk_get_404(client, recorded, users, regions):
    other_helper = user_create(
        username="helper_a2", password="pass-helper_a2", role=Role.VILLAGE_HELPER, region_code="140521100202"
    )
    for user in (other_helper, users["clerk_b"]):
        client.force_login(user)
        for url in _urls(recorded):
            assert client.get(url).status_code == 404, (user.username, url)
        assert client.post(
            reverse("care:problem_solve", args=[recorded["problem"].pk]), {"outcome": "x", "solved_on": "2025-01-08"}
        ).status_code in (403, 404)
        for listing in ("care:visits", "care:problems"):
            assert "老张" not in client.get(reverse(listing)).content.decode()
    client.force_login(users["clerk_a"])
    assert all(client.get(url).status_code == 200 for url in _urls(recorded))


def test_helper_cannot_see_coverage_or_set_groups(client, recorded, users):
    client.force_login(users["helper_a1"])
    assert client.get(reverse("care:coverage")).status_code == 403
    assert client.get(reverse("care:groups")).status_code == 403
    response = client.post(reverse("care:person_groups", args=[recorded["person"].pk]), {"groups": ["elderly_alone"]})
    assert response.status_code == 403
    client.force_login(users["finance"])
    assert client.get(reverse("care:duties")).status_code == 403
    client.force_login(users["supervisor"])
    assert client.get(reverse("care:coverage")).status_code == 200


def test_id_numbers_masked_on_every_page(client, recorded, users, care_county):
    client.force_login(users["clerk_a"])
    pages = _urls(recorded)[:3] + [
        reverse("care:problem", args=[recorded["problem"].pk]),
        reverse("care:visits"),
        reverse("care:problems"),
        reverse("care:groups"),
        reverse("care:duties") + "?show=all",
        reverse("care:coverage"),
    ]
    for url in pages:
        text = client.get(url).content.decode()
        for person in care_county.values():
            assert person.id_number not in text, url
