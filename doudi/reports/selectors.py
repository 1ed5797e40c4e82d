"""Reads for reports, scoped to the user's region subtree: a region outside it is a 404,
exactly like one that does not exist (codes cannot be probed)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404

from doudi.core.models import Region
from doudi.core.scoping import in_scope, scope
from doudi.reports import periods, winter
from doudi.reports.models import ReportVersion

LIST_KINDS = {
    **{key: "persons" for key in winter.PERSON_FIGURES},
    "assist_times": "draws",
    "amount": "draws",
    "found": "problems",
    "solved": "problems",
    "inkind_times": "goods",
}


def region_for(user, code: str) -> Region:
    region = Region.objects.filter(code=str(code or "").strip()).first()
    if region is None or not in_scope(user, region.code):
        raise Http404("没有找到该区划，或不在您的管辖范围内")
    return region


def default_region(user) -> str | None:
    """The region a user reports for: their own; a village scope reports through its township."""
    code = getattr(user, "scope_code", None)
    if code is None:
        return None
    if code == "":
        return Region.objects.filter(level=Region.Level.COUNTY).order_by("code").values_list("code", flat=True).first()
    return code[:9]


def versions(kind: str, period: str, region: Region) -> list[ReportVersion]:
    return list(
        ReportVersion.objects.filter(kind=kind, period=period, region=region).select_related("submitted_by").order_by("-version")
    )


def version_get(user, kind: str, period: str, region: Region, number) -> ReportVersion:
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise Http404("没有这一版报表") from None
    found = scope(
        ReportVersion.objects.filter(kind=kind, period=period, region=region, version=number), user, "region__code"
    ).first()
    if found is None:
        raise Http404("没有这一版报表")
    return found


def drill(figure: str, unit: Region, week: periods.Week):
    """(what, rows) behind one figure of one unit: persons, draws or problems, as of the week."""
    what = LIST_KINDS.get(figure)
    if what is None:
        raise Http404("没有这一统计项")
    if what == "persons":
        rows = winter.persons(figure, unit.code, week.last).select_related("household", "household__region")
        return what, rows.order_by("household__region_id", "household__code", "id")
    if what == "draws":
        return what, winter.draws(unit.code, week).order_by("on", "id")
    if what == "problems":
        return what, winter.problems(figure, unit.code, week).select_related("person").order_by("found_on", "id")
    if what == "goods":
        return what, winter.inkind_rows(unit.code, week).order_by("on", "id")
    return what, []


def calendar(user, region: Region, today: dt.date) -> list[dict]:
    """The heating season's weeks for `region`: period, due date (the Wednesday after),
    and whether it is submitted, due, late or overdue."""
    submitted: dict[str, ReportVersion] = {}
    for version in ReportVersion.objects.filter(kind=winter.KIND, region=region).order_by("version"):
        submitted[version.period] = version
    out = []
    for week in periods.season_weeks(today):
        version = submitted.get(week.code)
        out.append({"week": week, "version": version, "status": status(week, version, today)})
    return out


def status(week: periods.Week, version: ReportVersion | None, today: dt.date) -> str:
    if version is not None:
        return "逾期报送" if version.late else "已报送"
    if not week.ended(today):
        return "未结束"
    return "逾期未报" if today > week.due else "待报送"


def units_status(user, region: Region, week: periods.Week, today: dt.date) -> list[dict]:
    """For a county (or higher): each unit's submission of `week` — the county sees who is overdue."""
    if region.level == Region.Level.TOWNSHIP:
        return []
    latest: dict[str, ReportVersion] = {}
    for version in ReportVersion.objects.filter(
        kind=winter.KIND, period=week.code, region__code__startswith=region.code
    ).order_by("version"):
        latest[version.region_id] = version
    return [
        {"code": code, "name": name, "version": latest.get(code), "status": status(week, latest.get(code), today)}
        for code, name in winter.units(region)
        if in_scope(user, code)
    ]
