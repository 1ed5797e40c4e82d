"""The season's visit plan (care/plan.py): the due days of every person with a duty, the
frequency read again on each due day, so a weekly 特困 person turns monthly when the heating
season ends on 15 March; a visit before the period moves the first due day."""

import datetime as dt

import pytest

from conftest import VILLAGE_A1
from doudi.care.plan import season_plan
from doudi.care.tests.test_duties import _visit

pytestmark = pytest.mark.django_db


def test_plan_follows_the_season_and_the_last_visit(care_county, users):
    first = dt.date(2025, 3, 3)  # a Monday, two weeks before the heating season ends
    plan = season_plan(VILLAGE_A1, first, weeks=4)
    # 老张 (分散特困, never visited): 3-03 and 3-10 weekly, 3-17 due once more, then monthly (4-17, after
    # the period). 王户主 (低保 household, never visited): 3-03, then 4-03.
    assert plan["persons"] == 2 and plan["per_week"] == [2, 1, 1, 0] and plan["visits"] == 4
    assert plan["per_village"] == {VILLAGE_A1: 4}
    _visit(users["helper_a1"], care_county["王户主"], dt.date(2025, 2, 20), "before")
    moved = season_plan(VILLAGE_A1, first, weeks=4)
    assert moved["per_week"] == [1, 1, 2, 0]  # 王户主 next due 3-20, a month after the visit
