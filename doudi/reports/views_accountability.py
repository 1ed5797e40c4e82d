"""The 底数不清、措施不实 evidence page (doudi/reports/accountability.py): the county's townships
(a township sees itself), each figure linked to its list; printable; exported as .xlsx."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from doudi.core import months
from doudi.core.exports import ExportMeta, xlsx_response
from doudi.core.permissions import require
from doudi.core.roles import VIEW_SUPERVISION
from doudi.reports import accountability, selectors
from doudi.reports.views_common import refused


def _inputs(request, region: str | None = None):
    today = timezone.localdate()
    code = region or request.GET.get("region", "") or selectors.default_region(request.user)
    if not code:
        raise Http404("您的账号没有管辖区划")
    unit = selectors.region_for(request.user, code)
    if unit.level not in (unit.Level.COUNTY, unit.Level.TOWNSHIP):
        raise Http404("请选择县或乡镇（街道）")
    period = accountability.Period(request.GET.get("period", "") or months.of(today), today)
    return unit, period, today


@require(VIEW_SUPERVISION)
def page(request):
    try:
        unit, period, today = _inputs(request)
    except months.BadMonth as exc:
        return refused(request, str(exc))
    data = accountability.summary(request.user, unit, period, today)
    figures = accountability.FIGURES.items()
    for row in data["rows"]:
        row["cells"] = [(key, label, row[key]) for key, label in figures]
    return render(
        request,
        "reports/accountability.html",
        {
            "unit": unit,
            "period": period,
            "figures": accountability.FIGURES,
            "rows": data["rows"],
            "total_cells": [(key, label, data["total"][key]) for key, label in figures],
        },
    )


@require(VIEW_SUPERVISION)
def export(request):
    try:
        unit, period, today = _inputs(request)
    except months.BadMonth as exc:
        return refused(request, str(exc))
    data = accountability.summary(request.user, unit, period, today)
    headers = ["单位", *accountability.FIGURES.values()]
    rows = [[r["name"], *(r[k] for k in accountability.FIGURES)] for r in data["rows"]]
    rows.append(["合计", *(data["total"][k] for k in accountability.FIGURES)])
    meta = ExportMeta(
        unit="人、件、条、个、元", filters=[("统计期间", period.label)], user=request.user, as_of=period.as_of, total=False
    )
    return xlsx_response(
        f"底数不清措施不实情况_{unit.name}_{period.code}.xlsx", f"{unit.name}底数不清、措施不实情况汇总", headers, rows, meta
    )


@require(VIEW_SUPERVISION)
def drill(request, region, figure):
    if figure not in accountability.FIGURES:
        raise Http404("没有这一统计项")
    try:
        unit, period, today = _inputs(request, region)
    except months.BadMonth as exc:
        return refused(request, str(exc))
    headers, rows = accountability.drill(request.user, figure, unit, period, today)
    for row in rows:
        name, arg = row["url"]
        row["href"] = reverse(name, args=[arg])
        row["cells"] = list(zip(headers, row["cells"], strict=True))
    return render(
        request,
        "reports/accountability_drill.html",
        {"unit": unit, "period": period, "title": accountability.FIGURES[figure], "headers": headers, "rows": rows},
    )
