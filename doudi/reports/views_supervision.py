"""Pages of 督导检查 (doudi/reports/supervision.py): the list of findings by state with the
runs paid late and the money held back, a new inspection with its findings handed over on
the spot, one finding with its actions (报送整改 with evidence, 核验清零, 退回), 容错纠错."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from doudi.core.permissions import require
from doudi.core.roles import INSPECT, VIEW_SUPERVISION, can
from doudi.core.workflow import WorkflowError
from doudi.registry import selectors as registry
from doudi.reports import evidence, reminders, selectors, supervision, tasks
from doudi.reports.supervision import SupervisionError


def _refused(request, message: str, status: int = 400):
    return render(request, "reports/refused.html", {"message": message}, status=status)


@require(VIEW_SUPERVISION)
def index(request):
    today = timezone.localdate()
    code = selectors.default_region(request.user)
    if not code:
        raise Http404("您的账号没有管辖区划")
    state, due = request.GET.get("state", ""), request.GET.get("due", "")
    findings = supervision.findings_for(request.user).filter(inspection__isnull=False)
    if state in supervision.S.values:
        findings = findings.filter(state=state)
    findings = findings.filter(tasks.due_filter(due, today, reminders.soon_until(code, today)))
    return render(
        request,
        "reports/supervision.html",
        {
            "findings": findings[:500],
            "state": state,
            "due": due,
            "states": supervision.S.choices,
            "today": today,
            "inspections": supervision.inspections_for(request.user)[:50],
            "late": supervision.late_runs(code, today),
            "held": supervision.held_back(code, today),
            "wrong": supervision.wrong_inclusions_for(request.user)[:200],
            "can_inspect": can(request.user, INSPECT),
            "townships": registry.townships_for(request.user),
            "code": code,
        },
    )


@require_POST
@require(INSPECT)
def inspection_new(request):
    post = request.POST
    try:
        inspection = supervision.inspection_create(
            user=request.user,
            region=post.get("region", ""),
            held_on=post.get("held_on", ""),
            inspectors=post.get("inspectors", ""),
            subject=post.get("subject", ""),
        )
        supervision.finding_create(
            user=request.user,
            inspection=inspection,
            region=post.get("unit", ""),
            office=post.get("office", ""),
            description=post.get("description", ""),
            deadline=post.get("deadline", ""),
        )
    except SupervisionError as exc:
        return _refused(request, str(exc))
    messages.success(request, "已登记督导检查，问题已现场交办")
    return redirect("reports:supervision")


@require(VIEW_SUPERVISION)
def finding(request, pk):
    item = supervision.finding_get(request.user, pk)
    flow = supervision.workflow_of(item)
    history = list(flow.history(item).select_related("user").prefetch_related("files"))
    for row in history:
        row.state_label = flow.labels(row.to_state)
    return render(
        request,
        "reports/finding.html",
        {
            "f": item,
            "history": history,
            "allowed": flow.allowed(item, request.user),
            "files": item.files.all(),
            "today": timezone.localdate(),
        },
    )


@require_POST
@require(VIEW_SUPERVISION)
def finding_action(request, pk, action):
    item = supervision.finding_get(request.user, pk)
    files = request.FILES.getlist("files")
    try:
        if action == "progress":
            supervision.finding_progress(user=request.user, finding=item, text=request.POST.get("text", ""), files=files)
        elif action == "report":
            supervision.finding_report(user=request.user, finding=item, evidence=request.POST.get("evidence", ""), files=files)
        elif action == "close":
            supervision.finding_close(user=request.user, finding=item, reason=request.POST.get("reason", ""))
        elif action == "reject":
            supervision.finding_reject(user=request.user, finding=item, reason=request.POST.get("reason", ""))
        else:
            raise Http404("未知操作")
    except WorkflowError as exc:
        status = 403 if "无权" in str(exc) else 400
        return _refused(request, str(exc), status)
    messages.success(request, "已办理")
    return redirect("reports:finding", pk=item.pk)


@require(VIEW_SUPERVISION)
def evidence_file(request, pk, file_pk):
    """One evidence file, only through its finding's scoped lookup (another township: 404)."""
    item = evidence.evidence_get(supervision.finding_get(request.user, pk), file_pk)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@require_POST
@require(INSPECT)
def wrong_new(request):
    post = request.POST
    try:
        person = registry.person_get(request.user, int(post.get("person", "0") or 0))
    except (ValueError, Http404):
        return _refused(request, "没有找到该人员，或不在您的管辖范围内", 404)
    try:
        supervision.wrong_inclusion_record(
            user=request.user,
            person=person,
            found_on=post.get("found_on", ""),
            description=post.get("description", ""),
            unintentional=post.get("unintentional") == "1",
            corrected_on=post.get("corrected_on") or None,
        )
    except SupervisionError as exc:
        return _refused(request, str(exc))
    messages.success(request, "已登记容错纠错")
    return redirect("reports:supervision")
