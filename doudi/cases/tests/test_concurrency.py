"""Two approvals of the same case at once: exactly one wins (compare-and-set on state and
version), the other gets a clear message, and the benefit starts once. Threads with their
own connections; on PostgreSQL the loser waits on the row lock and then finds it moved."""

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection

from doudi.cases import decisions, services
from doudi.cases.models import Case, CaseStep
from doudi.cases.tests.conftest import DAY, application
from doudi.core.workflow import WorkflowError
from doudi.registry.models import Benefit

pytestmark = pytest.mark.django_db(transaction=True)


def _race(calls):
    results, barrier = [None] * len(calls), threading.Barrier(len(calls))

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 — the loser's exception is the result
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_approvals_one_wins(register, users, today):
    clerk = users["clerk_a"]
    case = services.case_receive(user=clerk, data=application(register["sun"]), today=DAY)
    case = services.case_check(case=case, user=clerk, today=DAY)
    case = services.case_survey(case=case, user=clerk, notes="入户")
    case = services.case_publicize(case=case, user=clerk, today=DAY)
    later = dt.date(2026, 6, 20)
    results = _race(
        [
            lambda: decisions.case_approve(case=Case.objects.get(pk=case.pk), user=users["staff"], today=later),
            lambda: decisions.case_approve(case=Case.objects.get(pk=case.pk), user=users["staff2"], today=later),
        ]
    )
    wins = [r for r in results if isinstance(r, Case)]
    assert len(wins) == 1, results
    if connection.vendor == "postgresql":  # the loser waits on the row lock, then finds the case moved on
        loss = next(r for r in results if not isinstance(r, Case))
        assert isinstance(loss, WorkflowError) and ("已被他人处理" in str(loss) or "不能审核确认" in str(loss)), results
    assert Benefit.objects.filter(household=case.household, category="dibao").count() == 1
    assert CaseStep.objects.filter(case=case, to_state="enrolled").count() == 1


def test_stale_second_approval_gets_clear_message(register, users, today):
    """The same race, one after the other (deterministic on SQLite too): the second
    approver's copy is stale, the compare-and-set finds nothing to update."""
    clerk = users["clerk_a"]
    case = services.case_receive(user=clerk, data=application(register["sun"]), today=DAY)
    case = services.case_publicize(
        case=services.case_survey(case=services.case_check(case=case, user=clerk, today=DAY), user=clerk, notes="入户"),
        user=clerk,
        today=DAY,
    )
    first, second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    later = dt.date(2026, 6, 20)
    decisions.case_approve(case=first, user=users["staff"], today=later)
    with pytest.raises(WorkflowError, match="请刷新页面"):
        decisions.case_approve(case=second, user=users["staff2"], today=later)
    assert Benefit.objects.filter(household=case.household, category="dibao").count() == 1


def test_two_submissions_one_case(register, users, today):
    data = application(register["sun"])
    results = _race([lambda: services.case_receive(user=None, data=dict(data), today=DAY) for _ in range(2)])
    assert sum(isinstance(r, Case) for r in results) == 1, results
    if connection.vendor == "postgresql":  # SQLite may instead fail the waiting writer: never a second case
        assert sum(isinstance(r, services.DuplicateApplication) for r in results) == 1, results
    assert Case.objects.count() == 1


def test_two_bulk_openings_open_each_finding_once(register, users, today):
    """Two county clerks open the same evaluation's differences at once: one case per finding."""
    from doudi.assessment.models import Difference, EvaluationRun
    from doudi.cases import bulk
    from doudi.cases.models import CaseSource
    from doudi.registry.models import Household

    run = EvaluationRun.objects.create(month="2026-06", region_code="140521", policy="140521", status="done")
    for code in ("H010", "H011", "H012"):
        h = Household.objects.get(code=code)
        Difference.objects.create(
            run=run,
            household=h,
            household_code=code,
            region_code=h.region_id,
            township_code=h.region_id[:9],
            category="dibao",
            change="start",
        )

    def opening(user):
        return lambda: bulk.open_cases(user=user, findings=bulk.from_evaluation(user, run)[0], origin="race", today=DAY)

    results = _race([opening(users["staff"]), opening(users["staff2"])])
    if connection.vendor == "postgresql":  # the second waits on the first, then skips what it opened
        assert all(isinstance(r, bulk.Result) for r in results), results
        assert sum(len(r.opened) + r.skipped for r in results) == 6
    # SQLite may instead fail the waiting writer ("table is locked"): never a second case either way.
    done = [r for r in results if isinstance(r, bulk.Result)]
    assert done and sum(len(r.opened) for r in done) == 3, results
    assert Case.objects.count() == 3 == CaseSource.objects.count()
    assert CaseStep.objects.count() == 3
