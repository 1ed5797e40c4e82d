"""Visit duties by group and season (临民发【2024】22号), the helper's list and the township's coverage."""

import datetime as dt

import pytest

from doudi.care import duties, selectors, services
from doudi.care.tests.conftest import PNG_BYTES

pytestmark = pytest.mark.django_db
WINTER, SUMMER = dt.date(2025, 1, 15), dt.date(2025, 7, 15)


def test_heating_season_spans_new_year():
    rule = duties.duty_rule("140521", WINTER)
    assert rule.in_heating_season(dt.date(2024, 11, 20)) and rule.in_heating_season(dt.date(2025, 3, 15))
    assert not rule.in_heating_season(dt.date(2024, 11, 19)) and not rule.in_heating_season(dt.date(2025, 3, 16))
    assert rule.frequency({"tekun_dispersed"}, WINTER) == duties.WEEKLY
    assert rule.frequency({"tekun_dispersed"}, SUMMER) == duties.MONTHLY
    assert rule.frequency({"elderly_alone"}, WINTER) == duties.WEEKLY
    assert rule.frequency({"dibao"}, WINTER) == duties.MONTHLY
    assert rule.frequency(set(), WINTER) is None


def test_next_due_by_interval():
    assert duties.next_due(None, duties.WEEKLY, WINTER) == WINTER
    assert duties.next_due(dt.date(2025, 1, 8), duties.WEEKLY, WINTER) == dt.date(2025, 1, 15)
    assert duties.next_due(dt.date(2025, 1, 31), duties.MONTHLY, WINTER) == dt.date(2025, 2, 28)


def _visit(user, person, day, key):
    return services.visit_record(
        user=user,
        person=person,
        visited_on=day,
        answers={1: False, 2: True, 3: False, 4: False},
        notes={},
        categories=[],
        health=[],
        visitor_signature=PNG_BYTES,
        person_signature=PNG_BYTES,
        client_key=key,
    )[0]


def test_helper_list_today_and_overdue(care_county, users):
    helper = users["helper_a1"]
    rows = {d.name: d for d in selectors.duty_list(helper, today=WINTER)}
    # Only the helper's village; the household head stands for the 低保 household; 李奶奶 holds nothing yet.
    assert set(rows) == {"老张", "王户主"}
    assert rows["老张"].frequency == duties.WEEKLY and rows["王户主"].frequency == duties.MONTHLY
    assert rows["老张"].status == duties.DUE  # never visited: due today
    _visit(helper, care_county["老张"], dt.date(2025, 1, 6), "a")
    _visit(helper, care_county["王户主"], dt.date(2025, 1, 6), "b")
    rows = {d.name: d for d in selectors.duty_list(helper, today=WINTER)}
    assert rows["老张"].status == duties.OVERDUE and rows["老张"].due == dt.date(2025, 1, 13)  # weekly in winter
    assert rows["王户主"].status == duties.DONE and rows["王户主"].due == dt.date(2025, 2, 6)
    # Out of the heating season the 特困 person is visited monthly: a visit 14 days ago covers him.
    _visit(helper, care_county["老张"], dt.date(2025, 7, 1), "s")
    rows = {d.name: d for d in selectors.duty_list(helper, today=SUMMER)}
    assert rows["老张"].frequency == duties.MONTHLY and rows["老张"].status == duties.DONE


def test_special_group_flag_creates_a_duty(care_county, users):
    services.group_set(user=users["clerk_a"], person=care_county["李奶奶"], group="elderly_disabled", active=True)
    rows = {d.name: d for d in selectors.duty_list(users["helper_a1"], today=WINTER)}
    assert rows["李奶奶"].frequency == duties.WEEKLY and "失能老年人" in rows["李奶奶"].group_labels


def test_township_coverage_per_village(care_county, users):
    _visit(users["helper_a1"], care_county["王户主"], dt.date(2025, 1, 10), "c")
    rows = {r["village_name"]: r for r in selectors.coverage(users["clerk_a"], today=WINTER)}
    assert set(rows) == {"东关村", "西关村"}  # not 中村村, another township
    assert (rows["东关村"]["total"], rows["东关村"]["done"], rows["东关村"]["percent"]) == (2, 1, 50)
    assert rows["西关村"]["done"] == 0
    county = {r["village_name"] for r in selectors.coverage(users["admin"], today=WINTER)}
    assert county == {"东关村", "西关村", "中村村"}
