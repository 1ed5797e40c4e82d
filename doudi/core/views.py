"""Home page: counts by category and township for the user's region."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from doudi.core.roles import VIEW_REGISTRY, VIEW_WARNINGS, can
from doudi.registry import selectors


@login_required
def home(request):
    context = {}
    if can(request.user, VIEW_REGISTRY):
        context = {
            "categories": selectors.counts_by_category(request.user),
            "townships": selectors.counts_by_township(request.user),
        }
    if can(request.user, VIEW_WARNINGS):
        from doudi.monitoring.selectors import overdue_count

        context["overdue_warnings"] = overdue_count(request.user)
    return render(request, "core/home.html", context)
