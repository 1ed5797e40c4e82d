"""A problem found on a visit starts a case (issue 16 item 4): a 临时救助 case (cases.temp
temp_from_source) or a 低保/特困 application (cases.bulk.open_cases, the path warnings take),
through the cases app's public functions only. The case's source (CaseSource, key
"care_problem:<id>") names the problem, the problem keeps the case number; the same problem
never starts two cases (the problem row is locked, and the source key is unique)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from doudi.care.models import Problem
from doudi.care.services import PROBLEM_WORKFLOW, CareError
from doudi.core.roles import HANDLE_PROBLEMS, RECEIVE_CASES, can
from doudi.core.scoping import in_scope

KINDS = {"temp_assist": "临时救助", "dibao": "低保申请", "tekun": "特困人员救助供养申请"}
ORIGIN = "care_problems"


def may_start_case(user) -> bool:
    return can(user, HANDLE_PROBLEMS) and can(user, RECEIVE_CASES)


def source_key(problem: Problem) -> str:
    return f"care_problem:{problem.pk}"


def _label(problem: Problem) -> str:
    from doudi.care import groups

    return f"走访发现问题（{problem.found_on:%Y-%m-%d}，{groups.SHORT_QUESTIONS[problem.question]}）：{problem.description}"[:200]


def problem_start_case(*, user, problem: Problem, category: str, cause: str = "", reason: str = "", amount: str = "") -> str:
    """Starts the case; returns its number. CareError (Chinese) for bad input, a problem that
    already started one, or a refusal by the cases app (its message passed on)."""
    from doudi.cases import bulk, temp
    from doudi.cases.services import ApplicationRefused, DuplicateApplication
    from doudi.cases.workflow import WorkflowError

    if not may_start_case(user) or not in_scope(user, problem.region_code):
        raise PermissionError("您的角色或管辖范围无权由该问题发起案件")
    if category not in KINDS:
        raise CareError("请选择发起的案件类别（临时救助、低保或特困）")
    reason = (reason or "").strip() or problem.description
    with transaction.atomic():
        problem = Problem.objects.select_for_update().get(pk=problem.pk)
        if problem.case_number:
            raise CareError(f"该问题已发起案件 {problem.case_number}，不能重复发起")
        person = problem.person
        try:
            if category == "temp_assist":
                data = {
                    "id_number": person.id_number,
                    "name": person.name,
                    "region": problem.region_code,
                    "channel": "village",
                    "phone": person.phone or "",
                    "cause": cause,
                    "incident_on": problem.found_on.isoformat(),
                    "requested_amount": amount,
                    "reason": reason,
                }
                number = temp.temp_from_source(
                    user=user, data=data, key=source_key(problem), origin=ORIGIN, label=_label(problem)
                ).number
            else:
                finding = bulk.Finding(
                    key=source_key(problem),
                    label=_label(problem),
                    household=person.household,
                    category=category,
                    kind="apply",
                    person=person,
                )
                result = bulk.open_cases(user=user, findings=[finding], origin=ORIGIN)
                if not result.opened:
                    raise CareError(f"该人员已有{KINDS[category]}正在办理（或该问题已发起过案件），未重复开立")
                number = result.opened[0].number
        except ApplicationRefused as exc:
            raise CareError("；".join(exc.errors.values())) from None
        except (DuplicateApplication, WorkflowError) as exc:
            raise CareError(str(exc)) from None
        problem.case_number, problem.case_category = number, category
        problem.case_started_by, problem.case_started_at = user, timezone.now()
        problem.save(update_fields=["case_number", "case_category", "case_started_by", "case_started_at"])
        PROBLEM_WORKFLOW.record(
            problem, user, problem.state, f"发起{KINDS[category]}案件 {number}", {"case": number}, from_state=problem.state
        ).save()
    return number


def temp_causes() -> list[tuple[str, str]]:
    from doudi.rules import temp_assist

    return [(code, label) for code, (label, _kind) in temp_assist.CAUSES.items()]
