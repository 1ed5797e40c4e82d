"""首页 (a to-do list per role), the header search, and notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from doudi.core.permissions import require
from doudi.core.roles import VIEW_REGISTRY
from doudi.workbench import notifications, selectors

PAGE_SIZE = 50


@login_required
def home(request):
    now = timezone.localtime()
    context = selectors.home(request.user, now.date())
    return render(request, "workbench/home.html", {**context, "as_of": now})


@require(VIEW_REGISTRY)
def search(request):
    from doudi.registry.selectors import townships_for

    q = request.GET.get("q", "").strip()[:64]
    found = selectors.search(request.user, q, region=request.GET.get("region", "").strip()) if q else {"rows": [], "region": ""}
    page = Paginator(found["rows"], PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workbench/search.html",
        {
            "q": q,
            "page": page,
            "refused": found.get("refused", ""),
            "region": found["region"],
            "townships": townships_for(request.user),
            "count": len(found["rows"]),
        },
    )


@login_required
def notification_list(request):
    rows = notifications.notifications_for(request.user).prefetch_related("read_by")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.is_read = any(u.pk == request.user.pk for u in row.read_by.all())
    return render(request, "workbench/notifications.html", {"page": page})


@require_POST
@login_required
def notification_open(request, pk: int):
    """Mark one read and go where it points (or back to the list)."""
    row = notifications.notifications_for(request.user).filter(pk=pk).first()
    if row is None:
        messages.info(request, "没有找到该通知。")
        return redirect("notifications")
    notifications.mark_read(request.user, pk)
    if request.POST.get("go") and row.link:
        return redirect(row.link)
    return redirect("home" if request.POST.get("next") == "home" else "notifications")


@require_POST
@login_required
def notifications_read_all(request):
    count = notifications.mark_read(request.user)
    messages.success(request, f"已将 {count} 条通知标为已读。" if count else "没有未读通知。")
    return redirect("home" if request.POST.get("next") == "home" else "notifications")


@login_required
@require_POST
def saved_filter_save(request):
    from doudi.workbench.saved_filters import SavedFilterError
    from doudi.workbench.saved_filters import saved_filter_save as save

    path, query = request.POST.get("path", ""), request.POST.get("query", "")
    try:
        found = save(user=request.user, path=path, name=request.POST.get("name", ""), query=query)
    except SavedFilterError as exc:
        messages.error(request, str(exc))
        return redirect(_back(path, query))
    messages.success(request, f"已保存常用筛选「{found.name}」")
    return redirect(found.url)


@login_required
@require_POST
def saved_filter_delete(request, pk: int):
    from doudi.workbench.saved_filters import SavedFilterError
    from doudi.workbench.saved_filters import saved_filter_delete as delete

    try:
        path = delete(user=request.user, pk=pk)
    except SavedFilterError as exc:
        messages.error(request, str(exc))
        return redirect("home")
    messages.success(request, "已删除该常用筛选")
    return redirect(path)


def _back(path: str, query: str) -> str:
    """Back to the list the form came from, never to another site."""
    from django.utils.http import url_has_allowed_host_and_scheme

    if not (path.startswith("/") and url_has_allowed_host_and_scheme(path, allowed_hosts=None)):
        return "/"
    return f"{path}?{query}" if query else path
