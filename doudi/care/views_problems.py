"""Problems found on visits (急难愁盼): the list with its export, and one problem's page
where the township or county gives it to its 责任单位 and closes it with what was done."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from doudi.care import groups, selectors, services
from doudi.care.forms import AssignForm, SolveForm
from doudi.care.models import Problem
from doudi.core.exports import ExportMask, export_response
from doudi.core.permissions import require
from doudi.core.roles import HANDLE_PROBLEMS, VIEW_CARE, VIEW_CASES, can
from doudi.core.workflow import WorkflowError

PAGE_SIZE = 50
EXPORT_HEADERS = [
    "编号",
    "发现日期",
    "乡镇(街道)",
    "村(社区)",
    "姓名",
    "身份证号",
    "排查事项",
    "问题",
    "责任单位",
    "状态",
    "办结期限",
    "是否逾期",
    "解决日期",
    "办理结果",
]


@require(VIEW_CARE)
def problem_list(request):
    state = request.GET.get("state", "active")
    township = request.GET.get("township", "").strip()
    problems = selectors.problem_search(request.user, state=state, township=township)
    if request.GET.get("export") == "xlsx":
        return export_response(
            request, "走访发现问题.xlsx", "走访发现问题（急难愁盼）", EXPORT_HEADERS, lambda mask: _export_rows(problems, mask)
        )
    page = Paginator(problems, PAGE_SIZE).get_page(request.GET.get("page"))
    names = selectors.region_names({p.region_code for p in page})
    for problem in page:
        problem.village_name = names.get(problem.region_code, "")
    return render(
        request,
        "care/problem_list.html",
        {
            "page": page,
            "state": state,
            "township": township,
            "states": Problem.State.choices,
            "townships": selectors.townships_for(request.user),
        },
    )


def _export_rows(problems, mask: ExportMask):
    names = selectors.region_names(None)
    for p in problems.iterator(chunk_size=2000):
        yield [
            p.pk,
            p.found_on.isoformat(),
            names.get(p.township_code, p.township_code),
            names.get(p.region_code, p.region_code),
            p.person.name,
            mask.id(p.person.id_number),
            groups.SHORT_QUESTIONS[p.question],
            mask.values(p.description),
            p.get_owner_display(),
            p.get_state_display(),
            p.deadline.isoformat() if p.deadline else "待定",
            "是" if p.is_overdue else "",
            p.solved_on.isoformat() if p.solved_on else "",
            mask.values(p.outcome),
        ]


@require(VIEW_CARE)
def problem_detail(request, pk, assign_form=None, solve_form=None, status=200, case_errors=(), case_values=None):
    problem = selectors.problem_get(request.user, pk)
    from doudi.care import casework

    allowed = services.PROBLEM_WORKFLOW.allowed(problem, request.user)
    names = selectors.region_names([problem.region_code, problem.township_code])
    return render(
        request,
        "care/problem_detail.html",
        {
            "problem": problem,
            "history": [
                (t, Problem.State(t.to_state).label) for t in services.PROBLEM_WORKFLOW.history(problem).select_related("user")
            ],
            "can_assign": "assign" in allowed,
            "can_solve": "solve" in allowed,
            "assign_form": assign_form or AssignForm(initial={"owner": problem.owner}),
            "solve_form": solve_form or SolveForm(initial={"solved_on": timezone.localdate()}),
            "village": names.get(problem.region_code, ""),
            "township": names.get(problem.township_code, ""),
            "question": groups.QUESTIONS[problem.question],
            # 由问题发起案件 (care/casework.py): once per problem
            "can_start_case": not problem.case_number and casework.may_start_case(request.user),
            "case_kinds": casework.KINDS,
            "case_label": casework.KINDS.get(problem.case_category, ""),
            "causes": casework.temp_causes(),
            "case_errors": case_errors,
            "case_values": case_values or {},
            "can_view_cases": can(request.user, VIEW_CASES),
        },
        status=status,
    )


@require(HANDLE_PROBLEMS)
@require_POST
def problem_assign(request, pk):
    problem = selectors.problem_get(request.user, pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            services.problem_assign(
                user=request.user, problem=problem, owner=form.cleaned_data["owner"], note=form.cleaned_data["note"]
            )
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已交办{problem.get_owner_display()}")
            return redirect("care:problem", pk=pk)
    return problem_detail(request, pk, assign_form=form, status=400)


@require(HANDLE_PROBLEMS)
@require_POST
def problem_solve(request, pk):
    problem = selectors.problem_get(request.user, pk)
    form = SolveForm(request.POST)
    if form.is_valid():
        try:
            services.problem_solve(
                user=request.user, problem=problem, outcome=form.cleaned_data["outcome"], solved_on=form.cleaned_data["solved_on"]
            )
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "问题已办结")
            return redirect("care:problem", pk=pk)
    return problem_detail(request, pk, solve_form=form, status=400)
