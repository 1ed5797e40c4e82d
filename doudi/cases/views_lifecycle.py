"""Pages of the enrolment lifecycle (doudi/cases/lifecycle.py, doudi/cases/bulk.py):

- 批量开案 from an evaluation run's differences and from confirmed warnings (county users,
  scoped: another county's run is a 404, a township clerk or lesser role a 403), with the
  count opened and skipped;
- 定期核查: the reviews due this month per township, and opening them as review cases;
- the case page's 在保复核 actions (继续保障, 调整金额, 渐退, 停保, 恢复保障);
- the county's emergency switch (应急期间暂缓退出、延长定期核查), turned on and off by the
  county administrator and shown to everyone with cases.
Thin: reads scoped, writes through the services (a refused move is a Chinese message)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from doudi.cases import bulk, clock, lifecycle, selectors
from doudi.cases.models import Case, CaseSource, EmergencySwitch
from doudi.cases.workflow import CASE_WORKFLOW, LIFE_ACTIONS, WorkflowError
from doudi.core import months
from doudi.core.permissions import require
from doudi.core.roles import MANAGE_PARAMETERS, PROCESS_CASES, VIEW_CASES, can


def _county_only(user) -> None:
    if not bulk.may_open_bulk(user):
        raise PermissionDenied("批量开案由县级民政部门办理")


def _report(request, result: bulk.Result) -> None:
    text = f"已开案 {len(result.opened)} 件，跳过 {result.skipped} 件（已开过案或该户已有同类在办案件）"
    if result.unusable:
        text += f"，{result.unusable} 条无需开案（待遇已终止、人员不在台账或核查已顺延）"
    messages.success(request, text)


@require(PROCESS_CASES)
def bulk_evaluation(request, pk):
    """The run's differences in the user's county, opened as cases in bulk."""
    from doudi.assessment.models import EvaluationRun
    from doudi.assessment.selectors import difference_summary, run_get

    _county_only(request.user)
    try:
        run = run_get(request.user, pk)
    except EvaluationRun.DoesNotExist:
        raise Http404("没有找到该批量评估，或不在您的管辖范围内") from None
    origin = f"evaluation:{run.pk}"
    if request.method == "POST":
        changes = [c for c in request.POST.getlist("change") if c in ("start", "stop", "change_amount")]
        if not changes:
            messages.error(request, "请至少选择一类差异（应新增、应停止、应调整金额）")
        else:
            found, unusable = bulk.from_evaluation(
                request.user, run, changes=changes, township=request.POST.get("township", "").strip()
            )
            try:
                result = bulk.open_cases(user=request.user, findings=found, origin=origin)
            except WorkflowError as exc:
                messages.error(request, str(exc))
            else:
                result.unusable += unusable
                _report(request, result)
        return redirect("cases:bulk_evaluation", pk=run.pk)
    counts: dict[str, int] = {}
    for row in difference_summary(request.user, run):
        counts[row["change"]] = counts.get(row["change"], 0) + row["n"]
    return render(
        request,
        "cases/bulk.html",
        {
            "title": f"{run.month} 批量评估：批量开案",
            "run": run,
            "counts": counts,
            "opened": CaseSource.objects.filter(origin=origin).count(),
            "townships": selectors.townships_for(request.user),
            "recent": _recent(origin),
            "kind": "evaluation",
        },
    )


@require(PROCESS_CASES)
def bulk_warnings(request):
    """Confirmed warnings (纳入保障, 调整待遇) in the user's county, opened as cases in bulk."""
    _county_only(request.user)
    if request.method == "POST":
        found, unusable = bulk.from_warnings(request.user, township=request.POST.get("township", "").strip())
        try:
            result = bulk.open_cases(user=request.user, findings=found, origin="warnings")
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            result.unusable += unusable
            _report(request, result)
        return redirect("cases:bulk_warnings")
    rows = bulk.warnings_to_open(request.user)
    counts = {"enrol": rows.filter(outcome="enrol").count(), "adjust": rows.filter(outcome="adjust").count()}
    return render(
        request,
        "cases/bulk.html",
        {
            "title": "已确认预警：批量开案",
            "counts": counts,
            "kind": "warnings",
            "opened": CaseSource.objects.filter(origin="warnings", key__startswith="warning:")
            .filter(case__region__code__startswith=request.user.scope_code or "")
            .count(),
            "townships": selectors.townships_for(request.user),
            "recent": _recent("warnings", request.user),
        },
    )


def _recent(origin: str, user=None):
    rows = CaseSource.objects.filter(origin=origin).select_related("case", "case__region__parent")
    if user is not None:
        rows = rows.filter(case__region__code__startswith=user.scope_code or "")
    return rows.order_by("-id")[:50]


@require(VIEW_CASES)
def reviews(request):
    """定期核查: reviews due by the end of the month, per township (scoped)."""
    today = clock.today()
    try:
        month = months.parse(request.GET.get("month") or months.of(today))
    except months.BadMonth as exc:
        messages.error(request, str(exc))
        month = months.of(today)
    township = request.GET.get("township", "").strip()
    rows = lifecycle.reviews_due(request.user, month=month, township=township, day=today)
    by_township: dict[str, dict] = {}
    names = {t.code: t.name for t in selectors.townships_for(request.user)}
    for r in rows:
        t = by_township.setdefault(
            r.township_code, {"name": names.get(r.township_code, r.township_code), "due": 0, "extended": 0, "opened": 0}
        )
        t["extended" if r.extended else "due"] += 1
        t["opened"] += bool(r.open_case)
    switch = lifecycle.emergency_for(request.user.scope_code or "", today) if len(request.user.scope_code or "") >= 6 else None
    return render(
        request,
        "cases/reviews.html",
        {
            "rows": rows,
            "month": month,
            "township": township,
            "townships": selectors.townships_for(request.user),
            "summary": by_township,
            "emergency": switch,
            "emergency_text": lifecycle.emergency_text(switch) if switch else "",
            "may_open": can(request.user, PROCESS_CASES),
        },
    )


@require_POST
@require(PROCESS_CASES)
def reviews_open(request):
    """Opens the month's reviews due (in the user's scope; a township clerk their own township)."""
    month = request.POST.get("month") or months.of(clock.today())
    try:
        month = months.parse(month)
    except months.BadMonth as exc:
        messages.error(request, str(exc))
        return redirect("cases:reviews")
    township = request.POST.get("township", "").strip()
    rows = [r for r in lifecycle.reviews_due(request.user, month=month, township=township) if not r.open_case]
    found, unusable = bulk.from_reviews(rows, month)
    result = bulk.open_cases(user=request.user, findings=found, origin=f"review:{month}")
    result.unusable += unusable
    _report(request, result)
    return redirect(f"{reverse('cases:reviews')}?month={month}&township={township}")


def _life(action: str, case: Case, user, post) -> Case:
    reason = post.get("reason", "")
    runs = {
        "continue": lambda: lifecycle.case_continue(case=case, user=user, reason=reason),
        "adjust": lambda: lifecycle.case_adjust(
            case=case, user=user, monthly_amount=post.get("monthly_amount") or None, reason=reason
        ),
        "taper": lambda: lifecycle.case_taper(case=case, user=user, reason=reason),
        "stop": lambda: lifecycle.case_stop(
            case=case, user=user, stop_reason=post.get("stop_reason", ""), reason=reason, last_month=post.get("last_month", "")
        ),
        "restore": lambda: lifecycle.case_restore(case=case, user=user, reason=reason),
    }
    if action not in runs:
        raise Http404("未知操作")
    return runs[action]()


@require_POST
@require(PROCESS_CASES)
def life_act(request, number, action):
    case = selectors.case_get(request.user, number)
    if str(case.version) != request.POST.get("version", str(case.version)):
        messages.error(request, "该案件已被他人处理（当前状态可能已变），请查看最新状态后再操作")
        return redirect("cases:detail", number=number)
    try:
        case = _life(action, case, request.user, request.POST)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{LIFE_ACTIONS[action]}，当前状态：{case.get_state_display()}")
    return redirect("cases:detail", number=number)


def life_context(case: Case, user) -> dict:
    """The case page's 在保复核 panel: the emergency notice, the sources, the outcome buttons."""
    from doudi.cases import decisions

    context = lifecycle.case_context(case)
    allowed = [a for a in CASE_WORKFLOW.allowed(case, user) if a in LIFE_ACTIONS] if case.kind != "apply" else []
    if allowed and not decisions.may_confirm(user, case):
        allowed = [a for a in allowed if a == "continue"]
    context["life_actions"] = [(a, LIFE_ACTIONS[a]) for a in allowed]
    context["stop_reasons"] = Case.StopReason.choices
    stop = case.steps.filter(to_state=Case.State.STOPPED).order_by("-id").first() if case.state == Case.State.STOPPED else None
    context["overpayment"] = (stop.data or {}).get("overpayment") if stop else None
    context["taper_months"] = clock.value("cases.taper.months", case.region_id, clock.today()) if "taper" in allowed else None
    return context


@require(VIEW_CASES)
def emergency(request):
    """The county's emergency switch: its state and history; the county admin turns it on/off."""
    code = request.user.scope_code or ""
    county = code[:6]
    may_switch = can(request.user, MANAGE_PARAMETERS) and len(code) == 6
    if request.method == "POST":
        if not may_switch:
            raise PermissionDenied("只有县民政局管理员可以开启或关闭应急开关")
        try:
            if request.POST.get("do") == "off":
                switch = EmergencySwitch.objects.filter(county=county, pk=request.POST.get("pk") or 0).first()
                if switch is None:
                    raise Http404("没有找到该应急期间")
                lifecycle.emergency_off(user=request.user, switch=switch, reason=request.POST.get("reason", ""))
                messages.success(request, "应急开关已关闭，停保和渐退恢复办理")
            else:
                start, end = _date(request.POST.get("start")), _date(request.POST.get("end"))
                lifecycle.emergency_on(user=request.user, start=start, end=end, reason=request.POST.get("reason", ""))
                messages.success(request, f"应急开关已开启：{start:%Y-%m-%d} 至 {end:%Y-%m-%d} 暂缓退出、延长定期核查")
        except (WorkflowError, PermissionError) as exc:
            messages.error(request, str(exc))
        return redirect("cases:emergency")
    today = clock.today()
    switches = (
        EmergencySwitch.objects.filter(county__startswith=county).select_related("on_by", "off_by")
        if county
        else EmergencySwitch.objects.none()
    )
    current = lifecycle.emergency_for(county, today) if county else None
    affected = (
        selectors.cases_for(request.user).filter(kind__in=lifecycle.REVIEW_KINDS, state__in=Case.OPEN_STATES).count()
        if current
        else 0
    )
    return render(
        request,
        "cases/emergency.html",
        {
            "switches": switches,
            "current": current,
            "current_text": lifecycle.emergency_text(current) if current else "",
            "affected": affected,
            "may_switch": may_switch,
            "today": today,
        },
    )


def _date(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text or "").strip())
    except ValueError:
        return None
