import datetime as dt

import pytest

from doudi.monitoring.models import ComparisonRun, Warning
from doudi.monitoring.rules import RULES
from doudi.payments.tests.conftest import money_county  # noqa: F401 - fixture
from doudi.registry.models import Person


def plant_warning(person: Person, deadline: dt.date, fingerprint: str) -> Warning:
    run = ComparisonRun.objects.first() or ComparisonRun.objects.create(as_of=dt.date(2025, 1, 31), engine="duckdb")
    region = person.household.region_id
    return Warning.objects.create(
        rule=next(iter(RULES)),
        person=person,
        household=person.household,
        region_code=region,
        township_code=region[:9],
        level="red",
        fingerprint=fingerprint,
        deadline=deadline,
        first_run=run,
        last_run=run,
    )


@pytest.fixture
def county(money_county, users):
    """money_county (H101, H102, H103 in township A; H104, H105 in B) with an overdue warning
    in each township."""
    plant_warning(Person.objects.get(name="户主1"), dt.date(2020, 1, 1), "a")  # township A
    plant_warning(Person.objects.get(name="户主4"), dt.date(2020, 1, 1), "b")  # township B
    return money_county
