"""Special groups: set by hand with an audit entry; suggested from the register on a review list."""

import datetime as dt

import pytest
from django.urls import reverse

from doudi.care import selectors
from doudi.care.models import PersonGroup
from doudi.core.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 1, 15)


def test_set_by_hand_is_audited(client, care_county, users):
    person = care_county["王妻"]
    client.force_login(users["clerk_a"])
    url = reverse("care:person_groups", args=[person.pk])
    assert client.post(url, {"groups": ["elderly_empty_nest", "mental_disorder"], "note": "村委会核实"}).status_code == 302
    assert set(PersonGroup.objects.filter(active=True).values_list("group", flat=True)) == {
        "elderly_empty_nest",
        "mental_disorder",
    }
    client.post(url, {"groups": ["mental_disorder"], "note": "子女已返乡"})
    entries = AuditEntry.objects.filter(entity="person", entity_key=person.id_number).order_by("id")
    assert [e.changes["特殊群体"] for e in entries] == [
        ["", "空巢老年人"],
        ["", "精神障碍患者"],
        ["空巢老年人", "（不属于）空巢老年人"],
    ]
    assert entries.last().reason == "子女已返乡" and entries.last().user == users["clerk_a"]
    page = client.get(reverse("care:person", args=[person.pk])).content.decode()
    assert "精神障碍患者" in page


def test_suggestions_from_register_then_decided(client, care_county, users):
    found = {(s["person"].name, s["group"]) for s in selectors.suggestions(users["clerk_a"], today=TODAY)}
    # 老张 (77, alone), 李奶奶 (74, alone, 全失能, 二级残疾); 王 household has two members, 西关人 is 64 and alone.
    assert found == {
        ("老张", "elderly_alone"),
        ("李奶奶", "elderly_alone"),
        ("李奶奶", "elderly_disabled"),
        ("李奶奶", "elderly_severe_disability"),
        ("西关人", "elderly_alone"),
    }
    assert all(s["person"].name != "中村人" for s in selectors.suggestions(users["clerk_a"], today=TODAY))
    client.force_login(users["clerk_a"])
    page = client.get(reverse("care:groups")).content.decode()
    assert "李奶奶" in page and "自理能力为全失能" in page
    client.post(
        reverse("care:suggestion_decide"), {"person": care_county["李奶奶"].pk, "group": "elderly_disabled", "decision": "accept"}
    )
    client.post(
        reverse("care:suggestion_decide"), {"person": care_county["老张"].pk, "group": "elderly_alone", "decision": "refuse"}
    )
    left = {(s["person"].name, s["group"]) for s in selectors.suggestions(users["clerk_a"], today=TODAY)}
    assert ("李奶奶", "elderly_disabled") not in left and ("老张", "elderly_alone") not in left
    assert PersonGroup.objects.get(group="elderly_disabled").active
    assert not PersonGroup.objects.get(group="elderly_alone").active


def test_out_of_scope_flag_refused(client, care_county, users):
    client.force_login(users["clerk_b"])
    response = client.post(
        reverse("care:suggestion_decide"), {"person": care_county["老张"].pk, "group": "elderly_alone", "decision": "accept"}
    )
    assert response.status_code == 404 and not PersonGroup.objects.exists()
