"""Pages beside the case workflow: 转办 (send from a case, record the answer, the open list per
township with days waiting) and the county's 抽查 of township confirmations (draw a month's
sample, record 无误/有误). Thin: reads scoped (another township's record is a 404), writes
through referrals.py and spotcheck.py (a refused write is a Chinese message, nothing changed)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from doudi.cases import clock, referrals, selectors, spotcheck
from doudi.cases.models import Referral, SpotCheck
from doudi.core import months
from doudi.core.exports import export_response
from doudi.core.permissions import require
from doudi.core.roles import APPROVE_CASES, PROCESS_CASES, VIEW_CASE_OVERRIDES, VIEW_CASES, can
from doudi.core.workflow import WorkflowError


def _may_read(user) -> None:
    # Clerks, county staff and supervisors; a village helper collects applications only.
    if not (can(user, PROCESS_CASES) or can(user, VIEW_CASE_OVERRIDES)):
        raise PermissionDenied("您的角色不能查看该清单")


# ---- 转办 -------------------------------------------------------------------------------------
@require_POST
@require(PROCESS_CASES)
def referral_add(request, number):
    case = selectors.case_get(request.user, number)
    try:
        referrals.referral_send(
            case=case,
            user=request.user,
            kind=request.POST.get("kind", ""),
            department=request.POST.get("department", ""),
            request=request.POST.get("request", ""),
            sent_on=request.POST.get("sent_on") or None,
        )
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已登记转办")
    return redirect(f"{reverse('cases:detail', args=[number])}#referrals")


@require_POST
@require(PROCESS_CASES)
def referral_answer(request, number, pk):
    referral = referrals.referral_get(request.user, number, pk)
    if str(referral.version) != request.POST.get("version", str(referral.version)):
        messages.error(request, "该转办已被他人处理，请查看最新状态")
        return redirect(f"{reverse('cases:detail', args=[number])}#referrals")
    try:
        referrals.referral_answer(
            referral=referral,
            user=request.user,
            answer=request.POST.get("answer", ""),
            answered_on=request.POST.get("answered_on") or None,
        )
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已登记部门答复")
    return redirect(f"{reverse('cases:detail', args=[number])}#referrals")


REFERRAL_HEADERS = ["乡镇", "案件编号", "姓名", "身份证号", "转办事项", "承办部门", "转办日期", "已等待（天）", "转办内容"]


@require(VIEW_CASES)
def referral_list(request):
    _may_read(request.user)
    filters = {k: request.GET.get(k, "").strip() for k in ("township", "kind", "q")}
    rows = referrals.open_referrals(request.user, **filters)
    if request.GET.get("export") == "xlsx":

        def lines(mask):
            for r in rows:
                yield [
                    r.case.region.parent.name,
                    r.case.number,
                    r.case.applicant_name,
                    mask.id(r.case.applicant_id_number),
                    r.get_kind_display(),
                    r.department,
                    r.sent_on.isoformat(),
                    r.waiting,
                    r.request,
                ]

        return export_response(request, "待答复转办.xlsx", "待答复的转办", REFERRAL_HEADERS, lines)
    per_township: dict[str, dict] = {}
    for r in rows:
        entry = per_township.setdefault(r.case.region.parent.name, {"n": 0, "longest": 0})
        entry["n"] += 1
        entry["longest"] = max(entry["longest"], r.waiting)
    return render(
        request,
        "cases/referrals.html",
        {
            "rows": rows,
            "per_township": per_township,
            "filters": filters,
            "kinds": Referral.Kind.choices,
            "townships": selectors.townships_for(request.user),
        },
    )


# ---- 县级抽查 ---------------------------------------------------------------------------------
SPOT_HEADERS = [
    "审核确认月份",
    "乡镇",
    "案件编号",
    "姓名",
    "身份证号",
    "申请类别",
    "审核确认日期",
    "抽查结果",
    "抽查说明",
    "抽查日期",
]


@require(VIEW_CASES)
def spot_checks(request):
    _may_read(request.user)
    county_user = can(request.user, APPROVE_CASES) and len(request.user.scope_code or "") == 6
    default = months.add(months.of(clock.today()), -1)
    if request.method == "POST":
        if not county_user:
            raise PermissionDenied("县级抽查由县民政部门办理")
        month = request.POST.get("month") or default
        try:
            new, size = spotcheck.spot_check_draw(user=request.user, month=month)
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{month} 抽查样本共 {size} 件（本次新抽取 {new} 件；同一月份再次抽取结果相同）")
        return redirect(f"{reverse('cases:spot_checks')}?month={month}")
    month = request.GET.get("month", "").strip()
    rows = spotcheck.spot_checks_for(request.user).order_by("-month", "township", "rank")
    if month:
        rows = rows.filter(month=month)
    if request.GET.get("township"):
        rows = rows.filter(township=request.GET["township"])
    if request.GET.get("state") in SpotCheck.State.values:
        rows = rows.filter(state=request.GET["state"])
    if request.GET.get("export") == "xlsx":

        def lines(mask):
            for r in rows:
                yield [
                    r.month,
                    r.case.region.parent.name,
                    r.case.number,
                    r.case.applicant_name,
                    mask.id(r.case.applicant_id_number),
                    r.case.category_label,
                    r.case.decided_on.isoformat() if r.case.decided_on else "",
                    r.get_state_display(),
                    r.note,
                    r.checked_on.isoformat() if r.checked_on else "",
                ]

        return export_response(request, "县级抽查.xlsx", "乡镇审核确认县级抽查", SPOT_HEADERS, lines)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/spot_checks.html",
        {
            "page": page,
            "summary": spotcheck.summary(rows),
            "month": month,
            "default_month": default,
            "county_user": county_user,
            "states": SpotCheck.State.choices,
            "townships": selectors.townships_for(request.user),
            "filters": {k: request.GET.get(k, "") for k in ("township", "state")},
        },
    )


@require_POST
@require(APPROVE_CASES)
def spot_check_record(request, pk):
    check = spotcheck.spot_check_get(request.user, pk)
    back = f"{reverse('cases:spot_checks')}?month={check.month}"
    if str(check.version) != request.POST.get("version", str(check.version)):
        messages.error(request, "该抽查结果已由他人登记，请查看最新状态")
        return redirect(back)
    try:
        check = spotcheck.spot_check_record(
            user=request.user, check=check, result=request.POST.get("result", ""), note=request.POST.get("note", "")
        )
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from None
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        text = f"{check.case.number} 抽查结果：{check.get_state_display()}"
        if check.review_case_id:
            text += f"，已开立变更核查案件 {check.review_case.number}"
        elif check.state == SpotCheck.State.WRONG:
            text += "（该户已有同类在办案件或待遇已终止，未另开案件）"
        messages.success(request, text)
    return redirect(back)
