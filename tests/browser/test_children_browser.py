"""Issue 16's children roles in a browser, at 1366×900 and 390×844: a 儿童主任 signs in, finds
only 困境儿童 and 走访记录 in the menu, opens the child of their village and the visit form from
the child's page; nothing sideways on a phone."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import VILLAGE_A1
from doudi.care import services
from doudi.care.tests.conftest import _person
from doudi.core.roles import Role
from doudi.core.services import user_create
from doudi.registry.models import Household
from tests.browser.conftest import login, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", list(SIZES))
def test_child_director_reaches_the_child_and_the_visit_form(browser, live_server, users, size):
    home = Household.objects.create(code="K001", region_id=VILLAGE_A1, hukou="rural", address="东关村1号")
    birth = (timezone.localdate() - dt.timedelta(days=365 * 9)).strftime("%Y%m%d")
    kid = _person(home, "小明", birth, 61)
    services.group_set(user=users["clerk_a"], person=kid, group="child_left_behind", active=True, note="父母外出务工")
    user_create(username="childdir", password="pass-childdir", role=Role.CHILD_DIRECTOR, region_code=VILLAGE_A1)
    context = browser.new_context(locale="zh-CN", viewport=SIZES[size], device_scale_factor=1)
    context.set_default_timeout(15000)
    page = context.new_page()
    base = live_server.url
    login(page, base, "childdir", "pass-childdir")
    links = page.eval_on_selector_all("#site-menu nav a", "links => links.map(a => a.getAttribute('href'))")
    assert set(links) - {"/"} == {reverse("care:children"), reverse("care:visits")}, links
    page.goto(f"{base}{reverse('care:children')}")
    page.click("#child-table >> text=小明")
    page.wait_for_url(f"{base}{reverse('care:child', args=[kid.pk])}")
    assert kid.id_number not in page.content()
    page.click("#child-visit")
    page.wait_for_selector("#visit-form")
    width = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    shoot(page, f"{size}-child-director-visit")
    context.close()
