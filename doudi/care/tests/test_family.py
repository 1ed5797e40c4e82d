"""Family members living apart and their support duty (REG-7), shown for question 2 of 附件1."""

import pytest
from django.urls import reverse

from doudi.care.models import FamilyContact
from doudi.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_helper_records_family_member_shown_on_form(client, care_county, users):
    person = care_county["老张"]
    client.force_login(users["helper_a1"])
    url = reverse("care:family_add", args=[person.pk])
    client.post(url, {"name": "张小明", "relation": "儿子", "duty": "support", "phone": "13800000000", "address": "太原市"})
    contact = FamilyContact.objects.get()
    assert (contact.name, contact.get_duty_display()) == ("张小明", "赡养")
    assert AuditEntry.objects.filter(entity_key=person.id_number, changes__has_key="分开居住的家庭成员").exists()
    page = client.get(reverse("care:visit_new", args=[person.pk])).content.decode()
    assert "儿子 张小明（赡养，13800000000）" in page
    client.post(reverse("care:family_end", args=[contact.pk]), {"reason": ""})
    assert FamilyContact.objects.get().active
    client.post(reverse("care:family_end", args=[contact.pk]), {"reason": "已迁回同住"})
    assert not FamilyContact.objects.get().active


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "", "relation": "儿子", "duty": "support"}, "请填写家庭成员的姓名和关系"),
        ({"name": "甲", "relation": "儿子", "duty": "x"}, "请选择应履行的义务"),
        ({"name": "甲", "relation": "儿子", "duty": "support", "phone": "abc"}, "联系电话「abc」格式不对"),
    ],
)
def test_bad_family_member_refused(client, care_county, users, data, message):
    client.force_login(users["helper_a1"])
    response = client.post(reverse("care:family_add", args=[care_county["老张"].pk]), data, follow=True)
    assert message in response.content.decode() and not FamilyContact.objects.exists()


def test_other_township_refused(client, care_county, users):
    client.force_login(users["clerk_b"])
    response = client.post(
        reverse("care:family_add", args=[care_county["老张"].pk]), {"name": "甲", "relation": "儿子", "duty": "support"}
    )
    assert response.status_code == 404 and not FamilyContact.objects.exists()
