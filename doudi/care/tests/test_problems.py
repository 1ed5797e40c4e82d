"""Problems to closure on the workflow primitive: open → assigned → solved, what was done
required; found vs solved per township and week."""

import datetime as dt

import pytest
from django.urls import reverse

from doudi.care import services, stats
from doudi.care.models import Problem
from doudi.care.tests.conftest import PNG_BYTES
from doudi.core.workflow import WorkflowError

pytestmark = pytest.mark.django_db


def _problem(users, person, day=dt.date(2025, 1, 6), key="p"):
    visit, _ = services.visit_record(
        user=users["helper_a1"],
        person=person,
        visited_on=day,
        answers={1: False, 2: True, 3: True, 4: False},
        notes={3: "房顶积雪"},
        categories=[],
        health=[],
        visitor_signature=PNG_BYTES,
        person_signature=PNG_BYTES,
        client_key=key,
    )
    return visit.problems.get()


def test_deadline_in_working_days(care_county, users):
    problem = _problem(users, care_county["老张"], dt.date(2025, 1, 24))  # before the 2025 Spring Festival
    # 10 working days after Fri 24 Jan 2025: 26 Jan (Sun) and 8 Feb (Sat) are 调休 workdays, 28 Jan–4 Feb are off:
    # 26, 27 Jan, 5, 6, 7, 8, 10, 11, 12, 13 Feb.
    assert problem.deadline == dt.date(2025, 2, 13)


def test_assign_then_solve_with_outcome(care_county, users):
    problem = _problem(users, care_county["老张"])
    clerk = users["clerk_a"]
    with pytest.raises(WorkflowError, match="不能办结"):
        services.problem_solve(user=clerk, problem=problem, outcome="已清理")  # not yet assigned
    with pytest.raises(WorkflowError, match="无权交办"):
        services.problem_assign(user=users["helper_a1"], problem=problem, owner="township")
    services.problem_assign(user=clerk, problem=problem, owner="elderly")
    assert (problem.state, problem.owner) == ("assigned", "elderly")
    with pytest.raises(WorkflowError, match="办理结果"):
        services.problem_solve(user=clerk, problem=problem, outcome="  ")
    services.problem_solve(user=clerk, problem=problem, outcome="组织志愿者清理房顶积雪", solved_on=dt.date(2025, 1, 8))
    problem.refresh_from_db()
    assert (problem.state, problem.solved_on) == ("solved", dt.date(2025, 1, 8))
    assert [t.to_state for t in problem.transitions.all()] == ["open", "assigned", "solved"]


def test_close_without_outcome_over_http_keeps_state(client, care_county, users):
    problem = _problem(users, care_county["老张"])
    client.force_login(users["clerk_a"])
    client.post(reverse("care:problem_assign", args=[problem.pk]), {"owner": "township"})
    response = client.post(reverse("care:problem_solve", args=[problem.pk]), {"outcome": "", "solved_on": "2025-01-08"})
    assert response.status_code == 400 and "办结问题须填写办理结果" in response.content.decode()
    assert Problem.objects.get().state == "assigned"
    response = client.post(reverse("care:problem_solve", args=[problem.pk]), {"outcome": "已疏通烟囱", "solved_on": "2025-01-08"})
    assert response.status_code == 302 and Problem.objects.get().state == "solved"
    page = client.get(reverse("care:problem", args=[problem.pk])).content.decode()
    assert "已解决" in page and "已疏通烟囱" in page and "solved" not in page.split("<main>")[1]


def test_found_and_solved_per_township_and_week(care_county, users):
    first = _problem(users, care_county["老张"], dt.date(2025, 1, 6), "w1")
    _problem(users, care_county["王户主"], dt.date(2025, 1, 14), "w2")
    services.problem_assign(user=users["clerk_a"], problem=first, owner="township")
    services.problem_solve(user=users["clerk_a"], problem=first, outcome="已解决", solved_on=dt.date(2025, 1, 15))
    table = stats.found_solved(users["admin"], today=dt.date(2025, 1, 19), weeks=3)
    assert table["weeks"] == [dt.date(2025, 1, 13), dt.date(2025, 1, 6), dt.date(2024, 12, 30)]
    rows = {r["name"]: r for r in table["rows"]}
    assert [(c["found"], c["solved"]) for c in rows["龙港镇"]["cells"]] == [(1, 1), (1, 0), (0, 0)]
    assert rows["中村镇"]["found"] == 0
