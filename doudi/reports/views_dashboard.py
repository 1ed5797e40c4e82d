"""The leaders' dashboard (doudi/reports/dashboard.py): a page that holds only the chart boxes
and loads its numbers as JSON from a scoped view; static/reports/dashboard.js draws them with
the locally served ECharts. Each chart's numbers download as .xlsx."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from doudi.core.exports import xlsx_response
from doudi.core.models import Region
from doudi.core.permissions import require
from doudi.core.roles import VIEW_DASHBOARD
from doudi.core.scoping import scope
from doudi.reports import dashboard, selectors


def _region(request) -> Region:
    code = request.GET.get("region", "").strip() or selectors.default_region(request.user)
    if not code:
        raise Http404("您的账号没有管辖区划")
    region = selectors.region_for(request.user, code)
    if region.level == Region.Level.VILLAGE:
        raise Http404("驾驶舱按县或乡镇（街道）查看")
    return region


@require(VIEW_DASHBOARD)
def page(request):
    region = _region(request)
    townships = scope(
        Region.objects.filter(level=Region.Level.TOWNSHIP, code__startswith=region.code[:6]), request.user, "code"
    ).order_by("code")
    return render(request, "reports/dashboard.html", {"region": region, "townships": townships, "charts": dashboard.CHARTS})


@require(VIEW_DASHBOARD)
def data(request):
    region = _region(request)
    return JsonResponse(dashboard.compute(request.user, region, timezone.localdate()))


@require(VIEW_DASHBOARD)
def export(request, chart):
    if chart not in dashboard.CHARTS:
        raise Http404("没有这一图表")
    region = _region(request)
    found = dashboard.chart(request.user, region, chart, timezone.localdate())
    if found is None:
        raise Http404("没有这一图表")
    title = f"{region.name} · {found['title']}"
    return xlsx_response(f"驾驶舱_{region.name}_{found['title']}.xlsx", title, found["headers"], found["rows"])
