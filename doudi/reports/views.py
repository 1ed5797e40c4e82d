"""Pages of the statutory tables: the report calendar, one week's 附件2 table (live, or a
submitted version) with its .xlsx, the submit/correct form, and the list behind each figure."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from doudi.care import groups as care_groups
from doudi.care.selectors import region_names
from doudi.core.permissions import require
from doudi.core.roles import SUBMIT_REPORTS, VIEW_REPORTS, can
from doudi.reports import periods, selectors, services, views_festival, winter
from doudi.reports.periods import PeriodError
from doudi.reports.views_common import refused, submit_version, xlsx_download
from doudi.reports.winter import ReportError

PAGE_SIZE = 50


@require(VIEW_REPORTS)
def index(request):
    today = timezone.localdate()
    code = request.GET.get("region", "").strip() or selectors.default_region(request.user)
    if not code:
        raise Http404("您的账号没有管辖区划")
    region = selectors.region_for(request.user, code)
    if request.GET.get("festival"):
        return redirect("reports:festival", period=request.GET["festival"].strip(), region=region.code)
    if request.GET.get("period"):
        return redirect("reports:table", period=request.GET["period"].strip().upper(), region=region.code)
    weeks = selectors.calendar(request.user, region, today)
    ended = [w for w in weeks if w["week"].ended(today)]
    last = ended[-1]["week"] if ended else periods.week_of(today - dt.timedelta(days=7))
    return render(
        request,
        "reports/index.html",
        {
            "region": region,
            "weeks": weeks,
            "last": last,
            "today": today,
            "units": selectors.units_status(request.user, region, last, today),
            "festival": views_festival.calendar(request.user, region, today),
        },
    )


def _week_and_region(request, period: str, region: str):
    unit = selectors.region_for(request.user, region)
    week, unit = services.report_check(kind=winter.KIND, period=period, region_code=unit.code)
    return week, unit


@require(VIEW_REPORTS)
def table(request, period, region):
    try:
        week, unit = _week_and_region(request, period, region)
    except (ReportError, PeriodError) as exc:
        return refused(request, str(exc))
    number = request.GET.get("version")
    version = selectors.version_get(request.user, winter.KIND, week.code, unit, number) if number else None
    data = version.data if version else winter.compute(unit, week)
    if request.GET.get("export") == "xlsx":
        return xlsx_download(data, version)
    history = selectors.versions(winter.KIND, week.code, unit)
    return render(
        request,
        "reports/table.html",
        {
            "data": data,
            "week": week,
            "region": unit,
            "version": version,
            "history": history,
            "rows": [_cells(row, week, unit) for row in (*data["rows"], data["total"])],
            "can_submit": can(request.user, SUBMIT_REPORTS),
            "due": week.due,
            "today": timezone.localdate(),
            "status": selectors.status(week, history[0] if history else None, timezone.localdate()),
        },
    )


def _cells(row: dict, week, unit) -> dict:
    """One row as linked cells in 附件2's order: each figure opens the list behind it."""

    def link(figure):
        return reverse("reports:drill", args=[week.code, unit.code, row["code"], figure])

    figures = [(key, row[key]) for key in winter.PERSON_FIGURES] + [
        ("assist_times", row["assist_times"]),
        ("amount", winter.wan(row)),
    ]
    cells = [{"figure": key, "value": value, "url": link(key)} for key, value in figures]
    cells.append({"figure": "inkind_kinds", "value": row["inkind_kinds"] or "—", "url": link("inkind_times")})
    cells += [{"figure": key, "value": row[key], "url": link(key)} for key in ("inkind_times", "found", "solved")]
    return {
        "code": row["code"],
        "name": row["name"],
        "total": row["name"] == "合计",
        "cells": cells,
        "amount_yuan": row["amount_yuan"],
    }


@require_POST
@require(SUBMIT_REPORTS)
def submit(request, period, region):
    return submit_version(request, winter.KIND, period, region, "reports:table")


def _codes(what: str, page) -> set[str]:
    if what == "persons":
        return {c for p in page for c in (p.household.region_id, p.household.region_id[:9])}
    if what == "draws":
        return {e.township_id for e in page}
    if what == "problems":
        return {c for p in page for c in (p.region_code, p.township_code)}
    return set()


@require(VIEW_REPORTS)
def drill(request, period, region, unit, figure):
    try:
        week, top = _week_and_region(request, period, region)
    except (ReportError, PeriodError) as exc:
        return refused(request, str(exc))
    part = selectors.region_for(request.user, unit)
    if not part.code.startswith(top.code):
        raise Http404("该单位不在本表范围内")
    what, rows = selectors.drill(figure, part, week)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    names = region_names(_codes(what, page))
    for item in page if what in ("persons", "problems") else ():
        village = item.household.region_id if what == "persons" else item.region_code
        item.township_name, item.village_name = names.get(village[:9], ""), names.get(village, village)
    return render(
        request,
        "reports/drill.html",
        {
            "what": what,
            "page": page,
            "week": week,
            "region": top,
            "unit": part,
            "figure": figure,
            "label": winter.FIGURES[figure],
            "pending": winter.PENDING.get(figure, ""),
            "questions": care_groups.SHORT_QUESTIONS,
        },
    )
