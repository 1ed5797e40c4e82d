"""Pages of 督办任务 (doudi/reports/tasks.py) and of 到期提醒 (doudi/reports/reminders.py): the
task list with its filters and the county's form to assign one; the user's reports, findings
and tasks due soon or overdue. One task's page is the finding page (same workflow)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from doudi.core.permissions import require
from doudi.core.roles import INSPECT, VIEW_REPORTS, VIEW_SUPERVISION, can
from doudi.registry import selectors as registry
from doudi.reports import reminders, selectors, supervision, tasks
from doudi.reports.supervision import SupervisionError
from doudi.reports.views_common import refused


@require(VIEW_SUPERVISION)
def index(request):
    today = timezone.localdate()
    code = selectors.default_region(request.user)
    if not code:
        raise Http404("您的账号没有管辖区划")
    state, due = request.GET.get("state", ""), request.GET.get("due", "")
    rows = tasks.tasks_for(request.user)
    if state in supervision.S.values:
        rows = rows.filter(state=state)
    rows = rows.filter(tasks.due_filter(due, today, reminders.soon_until(code, today)))
    return render(
        request,
        "reports/tasks.html",
        {
            "tasks": rows[:500],
            "state": state,
            "due": due,
            "states": supervision.S.choices,
            "today": today,
            "can_assign": can(request.user, INSPECT) and len(request.user.scope_code or "") <= 6,
            "townships": registry.townships_for(request.user),
            "code": code,
        },
    )


@require_POST
@require(INSPECT)
def task_new(request):
    post = request.POST
    try:
        task = tasks.task_create(
            user=request.user,
            region=post.get("unit", ""),
            office=post.get("office", ""),
            description=post.get("description", ""),
            deadline=post.get("deadline", ""),
        )
    except SupervisionError as exc:
        return refused(request, str(exc), 403 if "只有县民政局" in str(exc) else 400)
    messages.success(request, "已交办督办任务")
    return redirect("reports:finding", pk=task.pk)


@require(VIEW_REPORTS)
def due(request):
    """The user's reminders: what falls due within the reminder period, and what is overdue."""
    today = timezone.localdate()
    items = reminders.for_user(request.user, today)
    code = selectors.default_region(request.user) or ""
    return render(
        request,
        "reports/due.html",
        {
            "overdue": [d for d in items if d.overdue],
            "soon": [d for d in items if not d.overdue],
            "days": reminders.remind_days(code, today),
            "today": today,
        },
    )
