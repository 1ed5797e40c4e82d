"""Services fixtures: register persons in both townships, an institution in each, and
working-day dates the calendar knows."""

import datetime as dt

import pytest

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A1, VILLAGE_B1, person_id
from doudi.registry.models import Benefit, Household, Person
from doudi.services import institutions
from doudi.services.models import Institution

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 50


def _person(household, name, birth, seq):
    return Person.objects.create(
        id_number=person_id(COUNTY, birth, seq),
        name=name,
        sex="M",
        birth_date=dt.date.fromisoformat(f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"),
        household=household,
        relation="head",
    )


@pytest.fixture
def people(users):
    ha = Household.objects.create(code="S001", region_id=VILLAGE_A1, hukou="rural")
    hb = Household.objects.create(code="S002", region_id=VILLAGE_B1, hukou="rural")
    old = _person(ha, "刘老汉", "19400101", 1)
    Benefit.objects.create(
        household=ha,
        person=old,
        person_key=old.id_number,
        category="tekun",
        since=dt.date(2023, 1, 1),
        monthly_amount=1280,
        support_mode="centralized",
    )
    return {"a": old, "b": _person(hb, "陈大娘", "19420202", 2)}


def institution_data(**changes):
    data = {
        "name": "龙港镇敬老院",
        "kind": "rural",
        "region": TOWNSHIP_A,
        "address": "龙港镇北街1号",
        "beds": "40",
        "nursing_beds": "10",
        "winter_beds": "5",
        "heating": "coal",
        "head": "王院长",
        "phone": "0356-1234567",
        "contact": "李安全",
        "contact_phone": "13800000001",
    }
    data.update(changes)
    return data


@pytest.fixture
def homes(users):
    a = institutions.institution_save(user=users["clerk_a"], data=institution_data())
    b = institutions.institution_save(user=users["clerk_b"], data=institution_data(name="中村镇敬老院", region=TOWNSHIP_B))
    return {"a": a, "b": b}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


__all__ = ["COUNTY", "TOWNSHIP_A", "TOWNSHIP_B", "VILLAGE_A1", "VILLAGE_B1", "Institution"]
