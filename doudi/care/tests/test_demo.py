"""The care demo step on a small county: special-group flags, visits with both signatures,
photos and a hazard in helper1's village, problems open, with their owner and solved,
duties done and overdue; running it twice adds nothing."""

import io

import pytest

from doudi.cases.tests.test_demo import DAY, demo_county  # noqa: F401  (the shared small county)

pytestmark = pytest.mark.django_db


def _counts():
    from doudi.care.models import FamilyContact, PersonGroup, Problem, ProblemTransition, Visit, VisitPhoto

    return [m.objects.count() for m in (PersonGroup, FamilyContact, Visit, VisitPhoto, Problem, ProblemTransition)]


def test_care_demo_twice_is_once(demo_county):  # noqa: F811
    from doudi.care import selectors
    from doudi.care.demo import build_demo
    from doudi.care.models import PersonGroup, Problem, Visit
    from doudi.core.models import User

    out = io.StringIO()
    build_demo(seed=2026, stdout=out, stderr=io.StringIO())
    assert "走访关爱演示数据已就绪" in out.getvalue()
    flagged = set(PersonGroup.objects.filter(active=True).values_list("group", flat=True))
    assert {"elderly_alone", "elderly_disabled", "child_orphan", "child_left_behind"} <= flagged
    helper = User.objects.get(username="helper1")
    visits = Visit.objects.filter(region_code=helper.region_id, visitor=helper)
    assert visits.exists() and all(
        v.visitor_signature.read().startswith(b"\x89PNG") and v.person_signature.size > 0 for v in visits
    )
    assert visits.filter(q3=True, photos__isnull=False).exists() and all(v.visited_on <= DAY for v in visits)
    states = set(Problem.objects.values_list("state", flat=True))
    assert states == {"open", "assigned", "solved"}
    assert all(p.outcome and p.solved_on for p in Problem.objects.filter(state="solved"))
    assert any(p.is_overdue for p in Problem.objects.exclude(state="solved"))
    statuses = {d.status for d in selectors.duty_list(helper, today=DAY)}
    assert {"overdue", "done"} <= statuses
    before = _counts()
    build_demo(seed=2026, stdout=io.StringIO(), stderr=io.StringIO())
    assert _counts() == before
