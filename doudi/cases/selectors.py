"""Reads of cases, already scoped to the user's region subtree (doudi.core.scoping): a case
outside the scope is a 404 exactly like one that does not exist."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404

from doudi.cases import clock
from doudi.cases.models import Case, CaseDocument
from doudi.core import idnumber
from doudi.core.models import Region
from doudi.core.roles import APPROVE_CASES, PROCESS_CASES, can
from doudi.core.scoping import scope

S = Case.State
TABS = {"open": "全部在办", "new": "新受理", "soon": "即将到期", "overdue": "已逾期", "mine": "待我办理", "closed": "已办结"}


def cases_for(user) -> QuerySet:
    return scope(Case.objects.all(), user, "region__code")


def case_get(user, number: str) -> Case:
    case = (
        cases_for(user)
        .select_related("region", "region__parent", "received_by_region", "household")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise Http404("没有找到该案件，或不在您的管辖范围内")
    return case


def document_get(user, number: str, pk: int) -> CaseDocument:
    case = case_get(user, number)
    document = CaseDocument.objects.filter(case=case, pk=pk).first()
    if document is None:
        raise Http404("没有找到该材料")
    return document


def _waiting_for(user, day: dt.date) -> Q:
    """The states in which this user's role has the next move."""
    if not can(user, PROCESS_CASES):  # a village helper: the applications they collected
        return Q(created_by=user)
    wanted = Q(pk__in=[])
    if can(user, PROCESS_CASES):
        wanted |= Q(state__in=(S.RECEIVED, S.CHECKED, S.SURVEYED, S.DELIBERATED, S.RETURNED))
    if can(user, APPROVE_CASES) and _confirms(user, day):
        wanted |= Q(state=S.PUBLICITY, publicity_end__lt=day)
    return wanted


def _confirms(user, day: dt.date) -> bool:
    """County users confirm; a township where the county delegates it (cases.township_confirms)."""
    code = getattr(user, "scope_code", None) or ""
    if getattr(user, "is_superuser", False) or len(code) <= 6:
        return True
    return len(code) == 9 and bool(clock.value("cases.township_confirms", code, day))


def tab_filter(tab: str, user, day: dt.date) -> Q:
    running = Q(state__in=(S.RECEIVED, S.CHECKED, S.SURVEYED, S.DELIBERATED, S.PUBLICITY))  # the clock runs (not paused)
    if tab == "new":
        return Q(state=S.RECEIVED)
    if tab == "soon":
        limit = clock.soon_limit(day)
        return running & Q(due__gte=day) & (Q(due__lte=limit) if limit else Q())
    if tab == "overdue":
        return running & Q(due__lt=day)
    if tab == "mine":
        return _waiting_for(user, day)
    if tab == "closed":
        return ~Q(state__in=Case.OPEN_STATES)
    return Q(state__in=Case.OPEN_STATES)


def _search(q: str) -> Q:
    q = q.strip()
    number, _ = idnumber.try_normalize(q)
    if number:
        return Q(applicant_id_number=number)
    if q[:1].isdigit():
        return Q(number__startswith=q)
    return Q(applicant_name__startswith=q)


def queue(
    user, *, tab: str = "open", q: str = "", category: str = "", state: str = "", township: str = "", day: dt.date | None = None
) -> QuerySet:
    day = day or clock.today()
    cases = (
        cases_for(user).filter(tab_filter(tab if tab in TABS else "open", user, day)).select_related("region", "region__parent")
    )
    if q.strip():
        cases = cases.filter(_search(q))
    if category:
        cases = cases.filter(category=category)
    if state in S.values:
        cases = cases.filter(state=state)
    if township:
        cases = cases.filter(region__code__startswith=township)
    order = ["due", "id"] if tab in ("soon", "overdue", "mine") else ["-received_on", "-id"]
    return cases.order_by(*order)


def tab_counts(user, day: dt.date | None = None) -> dict[str, int]:
    day = day or clock.today()
    base = cases_for(user)
    return {tab: base.filter(tab_filter(tab, user, day)).count() for tab in TABS if tab != "closed"}


def townships_for(user) -> QuerySet:
    return scope(Region.objects.filter(level=Region.Level.TOWNSHIP), user, "code")


def overrides_for(user) -> QuerySet:
    return cases_for(user).filter(override=True).select_related("region", "region__parent").order_by("-decided_on", "-id")


def public_case(number: str, id_number: str) -> Case | None:
    """The public side: a case only with its number and the applicant's own ID number."""
    normal, _ = idnumber.try_normalize(id_number)
    if not normal:
        return None
    return Case.objects.filter(number=number.strip(), applicant_id_number=normal).first()


# ---- 临时救助 (doudi/cases/temp.py) --------------------------------------------------------
def temp_for(user):
    from doudi.cases.models import TempAssist

    return scope(TempAssist.objects.select_related("case", "case__region", "case__region__parent"), user, "case__region__code")


def temp_paid(user, *, township: str = "", start: dt.date | None = None, end: dt.date | None = None):
    """The township's 临时救助台账: every case paid (granted or paid first), by payment date."""
    rows = temp_for(user).filter(case__state__in=(S.GRANTED, S.ADVANCED), paid_on__isnull=False)
    if township:
        rows = rows.filter(case__region__code__startswith=township)
    if start:
        rows = rows.filter(paid_on__gte=start)
    if end:
        rows = rows.filter(paid_on__lte=end)
    return rows.order_by("-paid_on", "-case_id")


def temp_summary(rows) -> list[dict]:
    """Person-times and amounts by cause and tier (人次、金额), with the total."""
    from django.db.models import Count, Sum

    from doudi.rules import temp_assist as ta

    found = {
        (r["cause"], r["tier"]): r
        for r in rows.order_by()
        .values("cause", "tier")
        .annotate(times=Count("case_id"), amount=Sum("amount"), in_kind=Sum("in_kind_value"))
    }
    out = []
    for cause, (label, kind) in ta.CAUSES.items():
        for tier, tier_label in ta.TIERS.items():
            r = found.get((cause, tier))
            if r:
                out.append(
                    {
                        "kind": ta.KINDS[kind],
                        "cause": label,
                        "tier": tier_label,
                        "times": r["times"],
                        "amount": r["amount"] or 0,
                        "in_kind": r["in_kind"] or 0,
                    }
                )
    return out


def temp_advances_missing(user):
    """先行救助 paid, papers still missing: the supervisor's list, oldest deadline first."""
    return (
        temp_for(user)
        .filter(advance=True, papers_completed_on__isnull=True, case__state=S.ADVANCED)
        .order_by("papers_due", "case_id")
    )


def conferences_for(user):
    from doudi.cases.models import Conference

    return scope(
        Conference.objects.select_related("case", "case__region__parent", "recorded_by"), user, "case__region__code"
    ).order_by("-held_on", "-id")


def unemployed_warnings(user):
    """Open 未参保失业人员 warnings (missed_unemployed) a 临时救助 case can be opened from."""
    from doudi.monitoring.models import Warning

    return (
        scope(Warning.objects.select_related("person"), user, "region_code")
        .filter(rule="missed_unemployed", status__in=Warning.ACTIVE)
        .order_by("deadline", "id")
    )


# -- reports (issue 18) ---------------------------------------------------------------------
def temp_paid_between(region_code: str, first: dt.date, last: dt.date):
    """临时救助 cases paid (granted or paid first) on `first`…`last` where the emergency
    happened under `region_code`. Not scoped: the caller checks the region (reports)."""
    from doudi.cases.models import TempAssist

    return TempAssist.objects.filter(
        case__state__in=(S.GRANTED, S.ADVANCED), paid_on__gte=first, paid_on__lte=last, case__region__code__startswith=region_code
    ).select_related("case", "case__region")


def cases_under(region_code: str) -> QuerySet:
    """Cases of villages under `region_code`. Not scoped: the caller checks the region (reports)."""
    return Case.objects.filter(region__code__startswith=region_code)


def timeline(case: Case) -> list:
    """The case's steps, with its referrals' and spot-check's steps in time order (the case has
    been read through `case_get`, which scopes it)."""
    from doudi.cases.models import Referral, ReferralStep, SpotCheckStep
    from doudi.cases.workflow import CASE_WORKFLOW
    from doudi.core.roles import Role

    roles, states = dict(Role.choices) | {"superuser": "系统管理员"}, dict(Case.State.choices)
    steps = list(CASE_WORKFLOW.history(case).select_related("user"))
    for step in steps:
        step.role_label, step.state_label = roles.get(step.role, step.role), states.get(step.to_state, step.to_state)
    kinds = dict(Referral.Kind.choices)
    for step in ReferralStep.objects.filter(referral__case=case).select_related("user", "referral"):
        what = f"转办{kinds.get(step.referral.kind, '')}" if step.to_state == "sent" else "转办答复"
        step.role_label, step.state_label = roles.get(step.role, step.role), f"{what}（{step.referral.department}）"
        steps.append(step)
    for step in SpotCheckStep.objects.filter(spot_check__case=case).select_related("user"):
        label = {"drawn": "列入县级抽查", "correct": "县级抽查：无误", "wrong": "县级抽查：有误"}.get(step.to_state, "")
        step.role_label, step.state_label = roles.get(step.role, step.role), label
        steps.append(step)
    return sorted(steps, key=lambda s: s.at)
