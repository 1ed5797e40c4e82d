"""A benefit in 渐退 has an end date still ahead: it is still held, so a confirmed warning can
stop it earlier (a death during 渐退), and the change log records old → new end dates."""

import datetime as dt

import pytest

from doudi.core.models import AuditEntry
from doudi.monitoring import selectors
from doudi.monitoring.services import WorkflowError, warning_confirm
from doudi.payments.tests.conftest import money_county  # noqa: F401 - fixture
from doudi.registry.models import Benefit, Person
from doudi.workbench.tests.conftest import plant_warning

pytestmark = pytest.mark.django_db


def test_a_tapering_benefit_is_offered_and_its_end_brought_forward(money_county, users):  # noqa: F811
    head = Person.objects.get(name="户主1")
    benefit = Benefit.objects.get(household=head.household, category="dibao")
    later = dt.date.today() + dt.timedelta(days=90)
    Benefit.objects.filter(pk=benefit.pk).update(until=later)
    warning = plant_warning(head, dt.date.today() + dt.timedelta(days=10), "t")
    offered = list(selectors.benefits_in_force(warning))
    assert benefit.pk in [b.pk for b in offered]
    stop_on = dt.date.today()
    warning_confirm(
        warning=warning, user=users["clerk_a"], outcome="stop", reason="渐退期间核实", benefits=offered, stop_on=stop_on
    )
    benefit.refresh_from_db()
    assert benefit.until == stop_on
    entry = AuditEntry.objects.get(entity="benefit", action="end", household_code=head.household.code)
    assert entry.changes["until"] == [later.isoformat(), stop_on.isoformat()]


def test_an_end_already_passed_cannot_be_stopped_again(money_county, users):  # noqa: F811
    head = Person.objects.get(name="户主2")
    benefit = Benefit.objects.get(household=head.household, category="dibao")
    Benefit.objects.filter(pk=benefit.pk).update(until=dt.date.today() - dt.timedelta(days=1))
    benefit.refresh_from_db()
    warning = plant_warning(head, dt.date.today() + dt.timedelta(days=10), "u")
    with pytest.raises(WorkflowError, match="只能停发该户当前享受的待遇"):
        warning_confirm(warning=warning, user=users["clerk_a"], outcome="stop", reason="核实", benefits=[benefit])
