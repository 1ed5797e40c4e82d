"""儿童主任 (village) and 儿童督导员 (township) log in with their own role (issue 16, core/roles.py):
a 儿童主任 sees the 困境儿童 of their village and records visits to them only; a 儿童督导员 sees
the township's children and the visits the 儿童主任 made. Neither reaches payments, the
register's pages or edit forms, full numbers, or the rest of the care records; another
village's or township's child is a 404 like a missing one."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1
from doudi.care import services
from doudi.care.models import Visit
from doudi.care.tests.conftest import _person, visit_post
from doudi.core.models import UnmaskLog
from doudi.core.roles import Role
from doudi.core.services import user_create
from doudi.registry.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def kids(care_county, users):
    birth = (timezone.localdate() - dt.timedelta(days=365 * 9)).strftime("%Y%m%d")
    made = {}
    for seq, (name, village) in enumerate((("小明", VILLAGE_A1), ("小红", VILLAGE_A2), ("小刚", VILLAGE_B1)), start=1):
        home = Household.objects.create(code=f"K{seq:03d}", region_id=village, hukou="rural", address=f"{name}家")
        made[name] = _person(home, name, birth, 60 + seq * 2)
        clerk = users["clerk_b"] if village == VILLAGE_B1 else users["clerk_a"]
        services.group_set(user=clerk, person=made[name], group="child_left_behind", active=True, note="父母外出务工")
    return made | {"老张": care_county["老张"]}


@pytest.fixture
def childdir(regions):
    return user_create(username="childdir", password="pass-childdir", role=Role.CHILD_DIRECTOR, region_code=VILLAGE_A1)


@pytest.fixture
def childsup(regions):
    return user_create(username="childsup", password="pass-childsup", role=Role.CHILD_SUPERVISOR, region_code="140521100")


def _visit(client, person, key="1"):
    today = timezone.localdate().isoformat()
    return client.post(reverse("care:visit_new", args=[person.pk]), visit_post(key=key, visited_on=today, categories=["child"]))


def _refused_everywhere_else(client, kids):
    """Payments, the register (pages, edit forms, full numbers) and the rest of care: 403."""
    kid = kids["小明"]
    for url in (
        reverse("payroll_list"),
        reverse("fund_ledger"),
        reverse("household_list"),
        reverse("household_detail", args=[kid.household.code]),
        reverse("person_detail", args=[kid.pk]),
        reverse("person_edit", args=[kid.pk]),
        reverse("care:person", args=[kid.pk]),
        reverse("care:agreements"),
        reverse("care:problems"),
        reverse("care:duties"),
        reverse("unmask_log"),
        reverse("user_list"),
    ):
        assert client.get(url).status_code == 403, url
    unmask = client.post(reverse("person_unmask", args=[kid.pk, "id_number"]), {"reason": "identity"})
    assert unmask.status_code == 403 and not UnmaskLog.objects.exists()
    assert client.post(reverse("care:guardian_add", args=[kid.pk]), {"kind": "guardian"}).status_code == 403


def test_child_director_sees_and_visits_the_children_of_their_village_only(client, kids, childdir):
    client.force_login(childdir)
    listing = client.get(reverse("care:children")).content.decode()
    assert "小明" in listing and "小红" not in listing and "小刚" not in listing
    assert kids["小明"].id_number not in listing  # masked
    page = client.get(reverse("care:child", args=[kids["小明"].pk])).content.decode()
    assert reverse("care:visit_new", args=[kids["小明"].pk]) in page
    assert f'href="{reverse("care:person", args=[kids["小明"].pk])}"' not in page  # not the whole care page
    for other in ("小红", "小刚"):  # another village, another township: not found
        assert client.get(reverse("care:child", args=[kids[other].pk])).status_code == 404
        assert client.get(reverse("care:visit_new", args=[kids[other].pk])).status_code == 404
    assert client.get(reverse("care:directors")).status_code == 200

    assert client.get(reverse("care:visit_new", args=[kids["小明"].pk])).status_code == 200
    response = _visit(client, kids["小明"])
    visit = Visit.objects.get(person=kids["小明"])
    assert response.status_code == 302 and visit.visitor == childdir
    assert client.get(reverse("care:visit", args=[visit.pk])).status_code == 200
    # An adult of the same village (a 特困 old man) is not theirs to visit.
    assert client.get(reverse("care:visit_new", args=[kids["老张"].pk])).status_code == 403
    refused = _visit(client, kids["老张"], key="2")
    assert refused.status_code == 400 and "只能为困境儿童登记走访" in refused.content.decode()
    assert not Visit.objects.filter(person=kids["老张"]).exists()
    _refused_everywhere_else(client, kids)


def test_child_supervisor_sees_the_townships_children_and_the_directors_visits(client, kids, childdir, childsup, users):
    client.force_login(childdir)
    _visit(client, kids["小明"])
    client.force_login(users["helper_a1"])  # a helper's visit to an old man stays out of their sight
    _visit(client, kids["老张"], key="3")
    client.force_login(childsup)
    listing = client.get(reverse("care:children")).content.decode()
    assert "小明" in listing and "小红" in listing and "小刚" not in listing
    visits = client.get(reverse("care:visits")).content.decode()
    assert "小明" in visits and "老张" not in visits
    mine = Visit.objects.get(person=kids["小明"])
    assert client.get(reverse("care:visit", args=[mine.pk])).status_code == 200
    old_man = Visit.objects.get(person=kids["老张"])
    assert client.get(reverse("care:visit", args=[old_man.pk])).status_code == 404
    assert client.get(reverse("care:child", args=[kids["小刚"].pk])).status_code == 404
    assert client.get(reverse("care:visit_new", args=[kids["小红"].pk])).status_code == 403  # reads, does not visit
    _refused_everywhere_else(client, kids)


def test_menu_of_the_children_roles(client, kids, childdir, childsup):
    for user in (childdir, childsup):
        client.force_login(user)
        home = client.get(reverse("home"))
        text = home.content.decode()
        assert home.status_code == 200 and reverse("care:children") in text and reverse("care:visits") in text
        assert reverse("household_list") not in text and reverse("payroll_list") not in text


@pytest.mark.parametrize(
    "role, region, ok",
    [
        (Role.CHILD_DIRECTOR, VILLAGE_A1, True),
        (Role.CHILD_DIRECTOR, "140521100", False),  # a 儿童主任 works for a village
        (Role.CHILD_SUPERVISOR, "140521100", True),
        (Role.CHILD_SUPERVISOR, VILLAGE_A1, False),  # a 儿童督导员 for a township
    ],
)
def test_county_admin_creates_the_children_roles(client, users, role, region, ok):
    client.force_login(users["admin"])
    response = client.post(reverse("user_create"), {"username": "newkid", "role": role, "region": region, "nonce": "c"})
    from doudi.core.models import User

    made = User.objects.filter(username="newkid").first()
    assert (made is not None) is ok, response.content.decode()[:2000]
    if ok:
        assert made.role == role and made.must_change_password
    else:
        assert "级" in response.content.decode()
