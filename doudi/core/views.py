"""The county administrator's list of locked logins, and the Chinese 400 page. The home
page lives in doudi/workbench (core imports no app above it)."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from doudi.core.models import AuditEntry, User
from doudi.core.permissions import require
from doudi.core.roles import MANAGE_USERS
from doudi.core.scoping import scope


def _locked_attempts(user):
    """Locked (username, address) pairs of users in the admin's region: axes counts the
    failures of each pair within the cool-off time (settings.AXES_*)."""
    from axes.models import AccessAttempt

    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    names = scope(User.objects.all(), user).values("username")
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since, username__in=names
    ).order_by("-attempt_time")


@require(MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def login_locks(request):
    if request.method == "POST":
        username, address = request.POST.get("username", ""), request.POST.get("ip_address", "")
        removed = _locked_attempts(request.user).filter(username=username, ip_address=address or None)
        if removed.exists():
            removed.delete()
            AuditEntry.objects.create(
                user=request.user,
                role=request.user.role,
                action="update",
                entity="登录锁定",
                entity_key=username,
                changes={"登录锁定": ["已锁定", "已解除"], "来源地址": [address, address]},
                reason="县民政局管理员解除登录锁定",
            )
            messages.success(request, f"已解除 {username}（来源地址 {address}）的登录锁定。")
        else:
            messages.info(request, "没有找到这条锁定，可能已经解除或已过锁定时间。")
        return redirect("login_locks")
    return render(
        request,
        "core/login_locks.html",
        {
            "attempts": _locked_attempts(request.user)[:200],
            "limit": settings.AXES_FAILURE_LIMIT,
            "hours": settings.AXES_COOLOFF_TIME,
        },
    )


def bad_request(request, exception=None):
    """Error 400 in Chinese. Rendered without the request: a refused host name is caught
    before the user is known, and the menu's context processor needs the user."""
    return HttpResponseBadRequest(loader.get_template("400.html").render())
