"""Pages of the 重庆 元旦春节期间 统计表 (doudi/reports/festival.py): one reporting date's table
(live, or a submitted version) with its .xlsx, the submit/correct form, and the list behind
each figure. Same rules as 附件2: scoped (another region is a 404), a date not yet ended is
refused, a submission is frozen and corrected only as a new version."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from doudi.care.selectors import region_names
from doudi.core.permissions import require
from doudi.core.roles import SUBMIT_REPORTS, VIEW_REPORTS, can
from doudi.reports import festival, selectors, services
from doudi.reports.periods import PeriodError
from doudi.reports.views_common import refused, submit_version, xlsx_download
from doudi.reports.winter import ReportError

PAGE_SIZE = 50


def _day_and_region(request, period: str, region: str):
    unit = selectors.region_for(request.user, region)
    return services.report_check(kind=festival.KIND, period=period, region_code=unit.code)


def status(fest: festival.Festival, version, level: str, today) -> str:
    due = fest.due_for(level)
    if version is not None:
        return "逾期报送" if version.late else "已报送"
    if not fest.ended(today):
        return "未结束"
    return "逾期未报" if due and today > due else "待报送"


@require(VIEW_REPORTS)
def table(request, period, region):
    try:
        fest, unit = _day_and_region(request, period, region)
    except (ReportError, PeriodError) as exc:
        return refused(request, str(exc))
    number = request.GET.get("version")
    version = selectors.version_get(request.user, festival.KIND, fest.code, unit, number) if number else None
    data = version.data if version else festival.compute(unit, fest)
    if request.GET.get("export") == "xlsx":
        return xlsx_download(data, version, "元旦春节期间兜底保障统计表")
    history = selectors.versions(festival.KIND, fest.code, unit)
    today = timezone.localdate()
    groups: list[tuple[str, int]] = []
    for _key, group, _head, _kind in festival.COLUMNS:
        if groups and groups[-1][0] == group:
            groups[-1] = (group, groups[-1][1] + 1)
        else:
            groups.append((group, 1))
    return render(
        request,
        "reports/festival.html",
        {
            "data": data,
            "fest": fest,
            "region": unit,
            "version": version,
            "history": history,
            "groups": groups,
            "heads": [head for _k, _g, head, _kind in festival.COLUMNS],
            "rows": [_cells(row, fest, unit) for row in (*data["rows"], data["total"])],
            "can_submit": can(request.user, SUBMIT_REPORTS),
            "due": fest.due_for(unit.level),
            "status": status(fest, history[0] if history else None, unit.level, today),
            "notes": festival.NOTES,
        },
    )


def _cells(row: dict, fest, unit) -> dict:
    cells = []
    for (key, *_rest), value in zip(festival.COLUMNS, festival.cell_values(row), strict=True):
        cells.append(
            {
                "figure": key,
                "value": value,
                "yuan": row[key] if key in festival.MONEY else "",
                "url": reverse("reports:festival_drill", args=[fest.code, unit.code, row["code"], key]),
            }
        )
    return {"code": row["code"], "name": row["name"], "total": row["name"] == "合计", "cells": cells}


@require_POST
@require(SUBMIT_REPORTS)
def submit(request, period, region):
    return submit_version(request, festival.KIND, period, region, "reports:festival")


@require(VIEW_REPORTS)
def drill(request, period, region, unit, figure):
    try:
        fest, top = _day_and_region(request, period, region)
    except (ReportError, PeriodError) as exc:
        return refused(request, str(exc))
    part = selectors.region_for(request.user, unit)
    if not part.code.startswith(top.code):
        raise Http404("该单位不在本表范围内")
    if figure not in festival.FIGURES:
        raise Http404("没有这一统计项")
    what, rows = festival.drill(figure, part.code, fest)
    temp = rows if what == "temp" else None
    page = Paginator(rows if what != "temp" else [], PAGE_SIZE).get_page(request.GET.get("page"))
    if what == "tekun":
        names = region_names({c for p in page for c in (p.household.region_id, p.household.region_id[:9])})
        for person in page:
            person.township_name = names.get(person.household.region_id[:9], "")
    count = (len(temp["cases"]) + len(temp["draws"])) if temp else page.paginator.count
    return render(
        request,
        "reports/festival_drill.html",
        {
            "what": what,
            "page": page,
            "temp": temp,
            "count": count,
            "fest": fest,
            "region": top,
            "unit": part,
            "figure": figure,
            "label": festival.FIGURES[figure],
            "pending": festival.PENDING.get(figure, ""),
        },
    )


def calendar(user, region, today) -> list[dict]:
    """This season's festival reporting dates for `region`, with due date and state."""
    out = []
    for fest in festival.season(today):
        version = services.latest_version(festival.KIND, fest.code, region.code)
        out.append(
            {
                "fest": fest,
                "due": fest.due_for(region.level),
                "version": version,
                "status": status(fest, version, region.level, today),
            }
        )
    return out
