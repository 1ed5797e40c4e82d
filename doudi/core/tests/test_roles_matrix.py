"""Every role × every page of the menu (core/navigation.py, filled by each app's AppConfig.ready):
a role opens exactly the pages its menu shows, and every other menu page answers 403 — the
menu and the views' guards read the same table (core/roles.py). New roles are covered by
being in Role; a page added to the menu is covered by being in the menu."""

import pytest
from django.urls import reverse

from conftest import COUNTY, TOWNSHIP_A, VILLAGE_A1
from doudi.core import navigation
from doudi.core.roles import Role, can
from doudi.core.services import user_create
from doudi.core.services_users import ROLE_LEVELS

pytestmark = pytest.mark.django_db
REGION_OF_LEVEL = {"county": COUNTY, "township": TOWNSHIP_A, "village": VILLAGE_A1}


def _user(role: str):
    level = sorted(ROLE_LEVELS[role])[0]
    return user_create(username=f"m_{role}", password="pass-matrix", role=role, region_code=REGION_OF_LEVEL[level])


def test_every_role_has_a_region_level():
    assert set(ROLE_LEVELS) == set(Role.values)


@pytest.mark.parametrize("role", Role.values)
def test_role_opens_its_menu_and_is_refused_the_rest(client, regions, role):
    user = _user(role)
    client.force_login(user)
    home = client.get(reverse("home"))
    assert home.status_code == 200, role
    menu = home.content.decode()
    for entry in sorted(navigation._MENU.values(), key=lambda e: e.order):
        url = reverse(entry.url_name)
        allowed = entry.permission is None or can(user, entry.permission)
        assert (f'href="{url}"' in menu) is allowed, (role, entry.label)
        status = client.get(url).status_code
        if allowed:
            assert status == 200, (role, entry.label, url, status)
        else:
            assert status == 403, (role, entry.label, url, status)


@pytest.mark.parametrize("role", [Role.CHILD_DIRECTOR, Role.CHILD_SUPERVISOR])
def test_children_roles_menu_is_the_childrens_pages(client, regions, role):
    user = _user(role)
    visible = {e.url_name for e in navigation._MENU.values() if e.permission is None or can(user, e.permission)}
    assert visible - {"home", "password_change"} <= {"care:children", "care:visits"}, visible
    assert {"care:children", "care:visits"} <= visible
