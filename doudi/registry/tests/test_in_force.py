""" "A benefit in force" is one definition with two spellings (ORM and SQL) that must agree,
including an end date still ahead (渐退, a stop from next month) and the month form."""

import datetime as dt

import pytest
from django.db import connection

from doudi.registry.extracts import BENEFITS, benefits_in_force, in_force_sql, person_link_chunks
from doudi.registry.models import Benefit, Household
from doudi.registry.services import registry_import

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def benefits(users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    household = Household.objects.get(code="H001")
    Benefit.objects.filter(household=household).delete()
    made = {
        "open": ("dibao", D(2026, 1, 1), None),
        "tapering": ("dibao_edge", D(2026, 1, 1), D(2026, 12, 31)),
        "ended": ("low_income", D(2025, 1, 1), D(2026, 5, 31)),
        "future": ("tekun", D(2026, 12, 1), None),
    }
    for _label, (category, since, until) in made.items():
        Benefit.objects.create(household=household, category=category, since=since, until=until, monthly_amount=100)
    return household


def _sql(household, first, last):
    with connection.cursor() as cursor:
        sql = f"SELECT category FROM {BENEFITS} b WHERE b.household_id = %s AND {in_force_sql('b')} ORDER BY category"
        cursor.execute(sql, [household.pk, last, first])
        return [c for (c,) in cursor.fetchall()]


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (D(2026, 11, 15), None, ["dibao", "dibao_edge"]),  # the tapering one is still in force
        (D(2026, 5, 31), None, ["dibao", "dibao_edge", "low_income"]),  # its last day counts
        (D(2026, 6, 1), None, ["dibao", "dibao_edge"]),
        (D(2026, 11, 1), D(2026, 12, 31), ["dibao", "dibao_edge", "tekun"]),  # a span: any day of it
        (D(2027, 1, 1), None, ["dibao", "tekun"]),
    ],
)
def test_orm_and_sql_agree(benefits, first, last, expected):
    orm = sorted(Benefit.objects.filter(household=benefits).in_force(first, last).values_list("category", flat=True))
    assert orm == expected
    assert _sql(benefits, first, last or first) == expected
    if last is None:
        assert sorted(c for h, _p, c, _s, _a in benefits_in_force(first, "") if h == benefits.pk) == expected


def test_person_link_chunks_pages_and_scopes(users, small_registry):
    registry_import(paths=[small_registry["folder"]])
    everyone = [row for page in person_link_chunks("", chunk=2) for row in page]
    assert len(everyone) == len({row[0] for row in everyone}) > 2
    assert all(isinstance(row[2], dt.date) or row[2] is None for row in everyone)
    household = Household.objects.get(code="H001")
    mine = [row for page in person_link_chunks(household.region_id) for row in page]
    assert mine and all(row[3].startswith(household.region_id) for row in mine)
