"""Reads for warnings, the low-income population database and the 人情保 register,
already scoped to the user's region subtree."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from doudi.core import codes
from doudi.core.models import AuditEntry, Region
from doudi.core.scoping import scope
from doudi.monitoring.models import ComparisonRun, Warning, WarningTransition, WarningVisit
from doudi.registry.models import Benefit, Household, Person

SORTS = {
    "deadline": ("deadline", "id"),
    "-created": ("-created_at", "-id"),
    "level": ("level_rank", "deadline"),
    "township": ("township_code", "deadline"),
    "rule": ("rule", "deadline"),
}
AGES = {"overdue": "已逾期", "7": "7天内到期", "30": "生成超过30天"}


def warnings_for(user) -> QuerySet:
    return scope(Warning.objects.all(), user, "region_code")


def warning_search(user, *, rule="", township="", level="", status="active", age="", sort="deadline") -> QuerySet:
    from django.db.models import Case, IntegerField, Value, When

    warnings = warnings_for(user).select_related("person", "household")
    if rule:
        warnings = warnings.filter(rule=rule)
    if township:
        warnings = warnings.filter(township_code=township)
    if level:
        warnings = warnings.filter(level=level)
    if status == "active":
        warnings = warnings.filter(status__in=Warning.ACTIVE)
    elif status:
        warnings = warnings.filter(status=status)
    warnings = _by_age(warnings, age)
    rank = Case(
        When(level="red", then=Value(0)), When(level="orange", then=Value(1)), default=Value(2), output_field=IntegerField()
    )
    township_name = Subquery(Region.objects.filter(code=OuterRef("township_code")).values("name")[:1])
    return warnings.annotate(level_rank=rank, township_name=township_name).order_by(*SORTS.get(sort, SORTS["deadline"]))


def _by_age(warnings: QuerySet, age: str) -> QuerySet:
    today = timezone.localdate()
    if age == "overdue":
        return warnings.filter(status__in=Warning.ACTIVE, deadline__lt=today)
    if age == "7":
        return warnings.filter(status__in=Warning.ACTIVE, deadline__gte=today, deadline__lte=today + dt.timedelta(days=7))
    if age == "30":
        return warnings.filter(created_at__lt=timezone.now() - dt.timedelta(days=30))
    return warnings


def overdue_count(user) -> int:
    return warnings_for(user).filter(status__in=Warning.ACTIVE, deadline__lt=timezone.localdate()).count()


def counts_by_township(user) -> list[dict]:
    """Active warnings per township and level, with overdue counts (the list's summary)."""
    today = timezone.localdate()
    rows = (
        warnings_for(user)
        .filter(status__in=Warning.ACTIVE)
        .values("township_code")
        .annotate(total=Count("id"), red=Count("id", filter=Q(level="red")), overdue=Count("id", filter=Q(deadline__lt=today)))
        .order_by("township_code")
    )
    names = dict(Region.objects.filter(code__in=[r["township_code"] for r in rows]).values_list("code", "name"))
    return [{**r, "name": names.get(r["township_code"], r["township_code"])} for r in rows]


def townships_for(user) -> QuerySet:
    townships = scope(Region.objects.filter(level=Region.Level.TOWNSHIP), user, "code")
    code = getattr(user, "scope_code", None)
    if code and len(code) > 9:
        townships = Region.objects.filter(code=code[:9])
    return townships.order_by("code")


def warning_get(user, pk: int) -> Warning:
    warning = warnings_for(user).select_related("person", "household", "household__region").filter(pk=pk).first()
    if warning is None:
        raise Http404("没有找到该预警，或不在您的管辖范围内")
    return warning


def warning_history(warning: Warning):
    return (
        WarningTransition.objects.filter(warning=warning).select_related("user"),
        WarningVisit.objects.filter(warning=warning).select_related("visitor").prefetch_related("photos"),
    )


def benefits_in_force(warning: Warning) -> QuerySet:
    return Benefit.objects.in_force(timezone.localdate()).filter(household=warning.household).select_related("person")


def recent_runs(user, limit: int = 10) -> QuerySet:
    code = getattr(user, "scope_code", None) or ""
    return ComparisonRun.objects.filter(Q(region_code="") | Q(region_code__startswith=code)).select_related("user")[:limit]


def low_income_households(user, *, q="", category="", township="") -> QuerySet:
    """低收入人口库: households with any benefit in force (monitored groups hold `low_income`)."""
    active = Benefit.objects.in_force(timezone.localdate()).filter(household=OuterRef("pk"))
    if category in codes.CATEGORIES:
        active = active.filter(category=category)
    households = scope(Household.objects.filter(Exists(active)), user).select_related("region")
    if township:
        households = households.filter(region_id__startswith=township)
    q = q.strip()
    if q:
        households = households.filter(
            Q(code=q) | Q(pk__in=Person.objects.filter(Q(name__startswith=q) | Q(id_number=q)).values("household_id"))
        )
    return households.order_by("code")


def household_chain(household: Household) -> list[dict]:
    """一户一条救助链: every benefit start and end, audit entry, warning, check and outcome, newest first."""
    events = []
    for b in Benefit.objects.filter(household=household).select_related("person"):
        who = f"（{b.person.name}）" if b.person else ""
        events.append({"at": b.since, "kind": "保障", "text": f"开始享受{b.category_label}{who}，月{b.monthly_amount}元"})
        if b.until:
            events.append({"at": b.until, "kind": "保障", "text": f"{b.category_label}{who}终止"})
    for entry in AuditEntry.objects.filter(household_code=household.code).select_related("user")[:500]:
        events.append(
            {
                "at": entry.at,
                "kind": "台账变更",
                "text": f"{entry.get_action_display()}{entry.entity} {entry.entity_key}"
                + (f"：{entry.reason}" if entry.reason else ""),
                "who": entry.user,
            }
        )
    warnings = Warning.objects.filter(household=household).select_related("person")
    for step in WarningTransition.objects.filter(warning__in=warnings).select_related("warning", "warning__person", "user"):
        w = step.warning
        events.append(
            {
                "at": step.at,
                "kind": "预警",
                "warning": w,
                "who": step.user,
                "text": f"{w.get_rule_display()}（{w.person.name}）→ {Warning.Status(step.to_status).label}"
                + (f"：{step.reason}" if step.reason else ""),
            }
        )
    for visit in WarningVisit.objects.filter(warning__in=warnings).select_related("visitor", "warning"):
        events.append(
            {"at": visit.visited_on, "kind": "入户核查", "warning": visit.warning, "who": visit.visitor, "text": visit.notes}
        )
    return sorted(events, key=lambda e: _moment(e["at"]), reverse=True)


def _moment(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(dt.datetime.combine(value, dt.time.max))


def cadre_register(user, *, status="") -> QuerySet:
    """人情保/关系保 register: recipients found as cadres or their close relatives."""
    rows = warnings_for(user).filter(rule="cadre_relative").select_related("person", "household", "household__region")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("status", "township_code", "id")


FILING = {
    Warning.Status.OPEN: "待备案",
    Warning.Status.CHECKING: "核查中",
    Warning.Status.CONFIRMED: "已备案",
    Warning.Status.DISMISSED: "已排除",
}


# -- reports (issue 18): the leaders' dashboard and supervision ------------------------------
def warnings_under(region_code: str) -> QuerySet:
    """Warnings whose person lives under `region_code`. Not scoped: the caller checks the region."""
    return Warning.objects.filter(region_code__startswith=region_code)
