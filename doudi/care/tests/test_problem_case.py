"""A problem found on a visit starts a 临时救助 case or a 低保/特困 application through the cases
app's public functions, once: the problem shows the case, the case's source names the problem."""

import datetime as dt

import pytest
from django.urls import reverse

from doudi.care import casework, services
from doudi.care.models import Problem
from doudi.care.tests.conftest import PNG_BYTES
from doudi.cases.models import Case, CaseSource

pytestmark = pytest.mark.django_db


def _problem(users, person, key="p"):
    visit, _ = services.visit_record(
        user=users["helper_a1"],
        person=person,
        visited_on=dt.date(2025, 1, 6),
        answers={1: True, 2: True, 3: False, 4: False},
        notes={1: "冬季取暖煤不够，生活困难"},
        categories=[],
        health=[],
        visitor_signature=PNG_BYTES,
        person_signature=PNG_BYTES,
        client_key=key,
    )
    return visit.problems.get()


def test_temp_assist_once_linked_both_ways(client, care_county, users):
    problem = _problem(users, care_county["老张"])
    client.force_login(users["clerk_a"])
    url = reverse("care:problem_case", args=[problem.pk])
    response = client.post(url, {"category": "temp_assist", "cause": "other_emergency", "amount": "800"})
    assert response.status_code == 302
    problem.refresh_from_db()
    case = Case.objects.get(number=problem.case_number)
    assert (case.category, case.applicant_id_number, case.region_id) == (
        "temp_assist",
        problem.person.id_number,
        problem.region_code,
    )
    source = CaseSource.objects.get(case=case)
    assert source.key == f"care_problem:{problem.pk}" and "走访发现问题" in source.label and "取暖煤" in source.label
    page = client.get(reverse("care:problem", args=[problem.pk])).content.decode()
    assert case.number in page and 'id="case-form"' not in page
    case_page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "走访发现问题" in case_page
    # never twice: the page, the service
    again = client.post(url, {"category": "temp_assist", "cause": "other_emergency"})
    assert again.status_code == 400 and "已发起案件" in again.content.decode()
    with pytest.raises(services.CareError, match="不能重复发起"):
        casework.problem_start_case(user=users["staff"], problem=problem, category="dibao")
    assert Case.objects.count() == 1
    assert problem.transitions.filter(reason__contains=case.number).count() == 1


def test_dibao_application_from_problem(care_county, users):
    problem = _problem(users, care_county["老张"])
    number = casework.problem_start_case(user=users["clerk_a"], problem=problem, category="dibao")
    case = Case.objects.get(number=number)
    assert (case.category, case.kind, case.person_id) == ("dibao", "apply", care_county["老张"].pk)
    assert CaseSource.objects.filter(case=case, key=f"care_problem:{problem.pk}").exists()


def test_bad_input_refused_in_chinese_nothing_written(client, care_county, users):
    problem = _problem(users, care_county["老张"])
    client.force_login(users["clerk_a"])
    url = reverse("care:problem_case", args=[problem.pk])
    response = client.post(url, {"category": "temp_assist", "cause": "", "reason": "我写的理由"})
    page = response.content.decode()
    assert response.status_code == 400 and "救助事由" in page and "我写的理由" in page
    response = client.post(url, {"category": "nonsense"})
    assert response.status_code == 400 and "请选择发起的案件类别" in response.content.decode()
    assert not Case.objects.exists() and not Problem.objects.get(pk=problem.pk).case_number


def test_scope_and_role(client, care_county, users):
    problem = _problem(users, care_county["老张"])
    url = reverse("care:problem_case", args=[problem.pk])
    data = {"category": "dibao"}
    for who, status in (("clerk_b", 404), ("helper_a1", 403), ("supervisor", 403), ("finance", 403)):
        client.force_login(users[who])
        assert client.post(url, data).status_code == status, who
    assert not Case.objects.exists()
    client.force_login(users["supervisor"])
    assert 'id="case-form"' not in client.get(reverse("care:problem", args=[problem.pk])).content.decode()
