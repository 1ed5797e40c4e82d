"""The enrolment lifecycle after 纳入保障, on the same cases and the same workflow
(docs/domain.md §4.3–§4.5; issue 14 item 4):

- reviews (定期核查) scheduled by class: every `cases.review.months` (yearly), or every
  `cases.review.months_irregular` (six-monthly) for a household with irregular income and a
  member able to work (民发〔2021〕57号); a review or change case is received, checked
  (核对) and surveyed like an application, then ends in one of
  continue (继续保障) · adjust (调整保障金额) · taper (渐退, start month recorded,
  `cases.taper.months` months) · stop (停保, with its reason), each through the registry's
  benefit_start / benefit_stop (audited), never an import; a stop may be undone (恢复保障);
- the county-wide emergency switch (沁政办发〔2021〕7号 §五 暂停低保退出、延长定期核查): while it
  is on, 停保 and 渐退 are refused with a message (a death still ends the benefit: nobody is
  paid after death), and reviews falling due in the period move to the month after it.

Every move is a CASE_WORKFLOW step (compare-and-set, append-only CaseStep with who, role,
why, when); a refused move raises WorkflowError and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from doudi.cases import clock, overpaid
from doudi.cases.decisions import _amount, _may_confirm
from doudi.cases.models import Case, EmergencySwitch
from doudi.cases.workflow import CASE_WORKFLOW, WorkflowError
from doudi.core import months
from doudi.core.models import AuditEntry
from doudi.core.roles import MANAGE_PARAMETERS, can
from doudi.core.scoping import scope
from doudi.registry.models import Benefit, Household, Person
from doudi.registry.services import benefit_start, benefit_stop

S = Case.State
REVIEW_KINDS = (Case.Kind.REVIEW, Case.Kind.CHANGE)
REVIEWED = (S.CONTINUED, S.ADJUSTED)  # a review that keeps the benefit restarts its cycle
HELD_BANNER = "应急期间暂缓退出"


# ---- the emergency switch ------------------------------------------------------------------
def emergency_for(region_code: str, day: dt.date) -> EmergencySwitch | None:
    """The county's switch in force on `day`, if any."""
    for switch in EmergencySwitch.objects.filter(county=region_code[:6], start__lte=day).order_by("-start", "-id"):
        if switch.covers(day):
            return switch
    return None


def emergency_text(switch: EmergencySwitch) -> str:
    return (
        f"{HELD_BANNER}：本县应急开关开启（{switch.start:%Y-%m-%d} 至 {switch.last_day:%Y-%m-%d}，"
        f"原因：{switch.reason}），暂停停保和渐退，定期核查顺延至 {extended_to(switch):%Y-%m-%d} 以后"
    )


def extended_to(switch: EmergencySwitch) -> dt.date:
    """Reviews falling due while the switch is on move to the first day after its month."""
    return months.first_day(months.add(months.of(switch.last_day), 1))


def _county_admin(user) -> str:
    code = getattr(user, "scope_code", None)
    if not can(user, MANAGE_PARAMETERS) or code is None or (len(code) != 6 and not user.is_superuser):
        raise PermissionError("只有县民政局管理员可以开启或关闭应急开关")
    return code


def emergency_on(*, user, start: dt.date, end: dt.date, reason: str, county: str = "") -> EmergencySwitch:
    """Turns the switch on for start…end with a reason; audited. PermissionError for anyone but
    the county administrator; WorkflowError (Chinese) for a bad period or an overlapping one."""
    code = _county_admin(user) or county
    if not reason.strip():
        raise WorkflowError("开启应急开关须写明原因（如疫情、自然灾害及文件文号）")
    if start is None or end is None or end < start:
        raise WorkflowError("请填写应急期间：结束日期不能早于开始日期")
    with transaction.atomic():
        for other in EmergencySwitch.objects.select_for_update().filter(county=code, start__lte=end):
            if other.last_day >= start:
                raise WorkflowError(f"本县已有应急期间 {other.start:%Y-%m-%d} 至 {other.last_day:%Y-%m-%d}，与所填期间重叠")
        switch = EmergencySwitch.objects.create(county=code, start=start, end=end, reason=reason.strip()[:500], on_by=user)
        AuditEntry.objects.create(
            user=user,
            role=user.role,
            action="create",
            entity="emergency",
            entity_key=code,
            changes={"开始": [None, start.isoformat()], "结束": [None, end.isoformat()]},
            reason=f"开启应急开关（暂缓退出、延长定期核查）：{reason.strip()}"[:200],
        )
    return switch


def emergency_off(*, user, switch: EmergencySwitch, reason: str, today: dt.date | None = None) -> EmergencySwitch:
    """Ends the switch early (from today exits are allowed again); audited."""
    code = _county_admin(user)
    day = today or clock.today()
    if not switch.county.startswith(code) and not code.startswith(switch.county):
        raise PermissionError("该应急开关不在您的管辖范围内")
    if not reason.strip():
        raise WorkflowError("关闭应急开关须写明原因")
    with transaction.atomic():
        locked = EmergencySwitch.objects.select_for_update().get(pk=switch.pk)
        if locked.off_on is not None or locked.last_day < day:
            raise WorkflowError("该应急期间已经结束")
        off_on = max(day, locked.start)
        EmergencySwitch.objects.filter(pk=locked.pk).update(off_on=off_on, off_by=user, off_reason=reason.strip()[:500])
        AuditEntry.objects.create(
            user=user,
            role=user.role,
            action="end",
            entity="emergency",
            entity_key=locked.county,
            changes={"结束": [locked.end.isoformat(), (off_on - dt.timedelta(days=1)).isoformat()]},
            reason=f"关闭应急开关：{reason.strip()}"[:200],
        )
    switch.refresh_from_db()
    return switch


def _no_exit_now(case: Case, day: dt.date, what: str) -> None:
    switch = emergency_for(case.region_id, day)
    if switch is not None:
        raise WorkflowError(
            f"{HELD_BANNER}：本县应急开关开启（{switch.start:%Y-%m-%d} 至 {switch.last_day:%Y-%m-%d}，"
            f"原因：{switch.reason}），期间暂停{what}；可作出继续保障或调整金额的结论，应急期间结束后再办理"
        )


# ---- review outcomes -----------------------------------------------------------------------
def _held(case: Case) -> Benefit:
    if case.kind not in REVIEW_KINDS:
        raise WorkflowError("只有定期核查或变更核查案件可以作出该结论")
    benefit = Benefit.objects.filter(pk=case.benefit_id).first() if case.benefit_id else None
    if benefit is None or benefit.until is not None:
        raise WorkflowError("该户此项待遇已经终止，无需再作停保、渐退或调整")
    return benefit


def _first_paid_month(case: Case, day: dt.date) -> str:
    return months.add(months.of(day), int(clock.value("cases.start_months_after", case.region_id, day)))


def case_continue(*, case: Case, user, reason: str = "", today: dt.date | None = None) -> Case:
    """复核结论：继续保障 (the benefit unchanged; the next review counts from today)."""
    day = today or clock.today()
    _held(case)
    return CASE_WORKFLOW.move(case, "continue", user, reason or "经复核，家庭情况无明显变化，继续保障", decided_on=day)


def case_adjust(*, case: Case, user, monthly_amount, reason: str, today: dt.date | None = None) -> Case:
    """调整保障金额 from the month after the decision: the old benefit ends the month before,
    the new amount starts (both through the registry service, audited)."""
    day = today or clock.today()
    _may_confirm(user, case, day)
    CASE_WORKFLOW.check(case, "adjust", user, reason)
    benefit = _held(case)
    amount = _amount(monthly_amount, case.rules_amount)
    if amount == benefit.monthly_amount:
        raise WorkflowError(f"核定金额 {amount} 元与现享受金额相同，请作出继续保障的结论")
    if amount <= 0:
        raise WorkflowError("核定金额为 0 时请作出渐退或停保的结论")
    first = _first_paid_month(case, day)
    since = months.first_day(first)
    why = f"案件 {case.number} 复核调整金额 {benefit.monthly_amount} → {amount} 元（自 {first} 起）"
    try:
        with transaction.atomic():
            moved = CASE_WORKFLOW.move(
                case,
                "adjust",
                user,
                reason,
                {"from": str(benefit.monthly_amount), "to": str(amount), "since": since.isoformat()},
                decided_on=day,
                monthly_amount=amount,
            )
            benefit_stop(benefit=benefit, until=since - dt.timedelta(days=1), reason=why, user=user)
            new = benefit_start(
                household=benefit.household,
                person=benefit.person,
                category=benefit.category,
                since=since,
                monthly_amount=amount,
                support_mode=benefit.support_mode,
                reason=why,
                user=user,
            )
            Case.objects.filter(pk=case.pk).update(benefit=new)
    except ValueError as exc:
        raise WorkflowError(str(exc)) from None
    moved.refresh_from_db()
    return moved


def case_taper(*, case: Case, user, reason: str, today: dt.date | None = None) -> Case:
    """渐退: paid `cases.taper.months` more months from the month after the decision (the start
    month recorded), then the benefit ends (its end date set now through the registry)."""
    day = today or clock.today()
    _may_confirm(user, case, day)
    CASE_WORKFLOW.check(case, "taper", user, reason)
    benefit = _held(case)
    _no_exit_now(case, day, "渐退")
    count = int(clock.value("cases.taper.months", case.region_id, day))
    first = _first_paid_month(case, day)
    last = months.add(first, max(count, 1) - 1)
    until = months.last_day(last)
    why = f"案件 {case.number} 渐退 {count} 个月（{first} 至 {last}）"
    try:
        with transaction.atomic():
            moved = CASE_WORKFLOW.move(
                case,
                "taper",
                user,
                reason,
                {"start": first, "months": count, "until": until.isoformat()},
                decided_on=day,
                taper_start=first,
                taper_months=count,
                benefit_until=until,
                stop_reason=Case.StopReason.INCOME,
            )
            benefit_stop(benefit=benefit, until=until, reason=why, user=user)
    except ValueError as exc:
        raise WorkflowError(str(exc)) from None
    return moved


def case_stop(*, case: Case, user, stop_reason: str, reason: str, last_month: str = "", today: dt.date | None = None) -> Case:
    """停保 with its reason: paid through `last_month` (the decision month by default; an earlier
    month for a stop found late, e.g. a death), ended through the registry. Months after it
    already paid are recorded as an overpayment through the payments service (overpaid.py)."""
    day = today or clock.today()
    _may_confirm(user, case, day)
    CASE_WORKFLOW.check(case, "stop", user, reason)
    if stop_reason not in Case.StopReason.values:
        raise WorkflowError("请选择停保原因（死亡、迁出本县、新增财产、收入超过标准或其他）")
    benefit = _held(case)
    if stop_reason != Case.StopReason.DEATH:
        _no_exit_now(case, day, "停保")
    last = _last_month(last_month, benefit, day)
    until = max(months.last_day(last), benefit.since)
    label = Case.StopReason(stop_reason).label
    try:
        with transaction.atomic():
            benefit_stop(benefit=benefit, until=until, reason=f"案件 {case.number} 停保（{label}）：{reason}", user=user)
            over = overpaid.record_after_stop(case=case, benefit=benefit, last_month=months.of(until), user=user, reason=label)
            moved = CASE_WORKFLOW.move(
                case,
                "stop",
                user,
                reason,
                {"stop_reason": stop_reason, "until": until.isoformat(), "overpayment": over},
                decided_on=day,
                stop_reason=stop_reason,
                benefit_until=until,
            )
    except ValueError as exc:
        raise WorkflowError(str(exc)) from None
    return moved


def _last_month(text: str, benefit: Benefit, day: dt.date) -> str:
    """The last month paid by right: the decision month, or an earlier one given (not before the benefit began)."""
    if not str(text or "").strip():
        return months.of(day)
    try:
        last = months.parse(str(text).strip())
    except months.BadMonth as exc:
        raise WorkflowError(str(exc)) from None
    if last > months.of(day):
        raise WorkflowError(f"最后发放月份 {last} 晚于本月，停保从决定当月发放后生效")
    if last < months.of(benefit.since):
        raise WorkflowError(f"最后发放月份 {last} 早于待遇开始月份 {months.of(benefit.since)}")
    return last


def case_restore(*, case: Case, user, reason: str, today: dt.date | None = None) -> Case:
    """恢复保障 after a stop found wrong: the same amount again from the month after the stop
    (or after today, whichever is later), a new benefit through the registry."""
    day = today or clock.today()
    _may_confirm(user, case, day)
    CASE_WORKFLOW.check(case, "restore", user, reason)
    if case.stop_reason == Case.StopReason.DEATH:
        raise WorkflowError("因死亡停保的不能恢复保障")
    old = Benefit.objects.filter(pk=case.benefit_id).first()
    if old is None or old.until is None:
        raise WorkflowError("该待遇未终止，无需恢复")
    after = max(old.until, day)
    since = (
        months.first_day(months.add(months.of(after), 1))
        if after == old.until
        else months.first_day(_first_paid_month(case, day))
    )
    try:
        with transaction.atomic():
            moved = CASE_WORKFLOW.move(
                case, "restore", user, reason, {"since": since.isoformat(), "amount": str(old.monthly_amount)}
            )
            new = benefit_start(
                household=old.household,
                person=old.person,
                category=old.category,
                since=since,
                monthly_amount=old.monthly_amount,
                support_mode=old.support_mode,
                user=user,
                reason=f"案件 {case.number} 恢复保障：{reason}",
            )
            Case.objects.filter(pk=case.pk).update(benefit=new)
    except ValueError as exc:
        raise WorkflowError(str(exc)) from None
    moved.refresh_from_db()
    return moved


# ---- reviews by class ----------------------------------------------------------------------
def able_to_work(person: Person, day: dt.date) -> bool:
    """Of working age (16–59), not severely disabled or seriously ill, caring for themself, not at school."""
    age = day.year - person.birth_date.year - ((day.month, day.day) < (person.birth_date.month, person.birth_date.day))
    return (
        16 <= age < 60
        and person.disability_level not in (1, 2)
        and not person.serious_illness
        and person.self_care == "full"
        and not person.school_stage
    )


def irregular(members: list[Person], day: dt.date) -> bool:
    """收入来源不固定、家庭成员有劳动能力: business income or wages without a steady job, and a
    member able to work."""
    unsteady = any(p.income_business > 0 or (p.income_wage > 0 and not p.employed) for p in members)
    return unsteady and any(able_to_work(p, day) for p in members)


@dataclass
class Due:
    benefit: Benefit
    household: Household
    due: dt.date  # when the review falls due (after any emergency extension)
    scheduled: dt.date  # by its class alone
    every: int  # months
    irregular: bool
    extended: bool
    open_case: str  # number of an open review/change case, or ""

    @property
    def township_code(self) -> str:
        return self.household.region_id[:9]


def reviews_due(user, *, month: str, township: str = "", day: dt.date | None = None) -> list[Due]:
    """Benefits (of the reviewed categories) whose review falls due by the end of `month`
    (earlier ones not yet reviewed included), in the user's scope, by township."""
    day = day or clock.today()
    last = months.last_day(month)
    held = scope(Benefit.objects.filter(until__isnull=True), user, "household__region__code").select_related(
        "household", "person"
    )
    if township:
        held = held.filter(household__region__code__startswith=township)
    counties: dict[str, tuple] = {}

    def settings_of(region: str):
        county = region[:6]
        if county not in counties:
            counties[county] = (
                set(clock.value("cases.review.categories", region, day)),
                int(clock.value("cases.review.months", region, day)),
                int(clock.value("cases.review.months_irregular", region, day)),
                emergency_for(region, day) or _emergency_in(region, months.first_day(month), last),
            )
        return counties[county]

    rows = [b for b in held if b.category in settings_of(b.household.region_id)[0]]
    households = {b.household_id for b in rows}
    reviewed_by = {
        (hh, cat): at
        for hh, cat, at in Case.objects.filter(household_id__in=households, kind__in=REVIEW_KINDS, state__in=REVIEWED)
        .values("household_id", "category")
        .annotate(at=Max("decided_on"))
        .values_list("household_id", "category", "at")
    }
    open_cases = {
        (hh, cat): number
        for hh, cat, number in Case.objects.filter(
            household_id__in=households, kind__in=REVIEW_KINDS, state__in=Case.OPEN_STATES
        ).values_list("household_id", "category", "number")
    }
    members: dict[int, list[Person]] = {}
    for p in Person.objects.filter(household_id__in=households):
        members.setdefault(p.household_id, []).append(p)
    out = []
    for b in rows:
        _cats, yearly, six, switch = settings_of(b.household.region_id)
        odd = irregular(members.get(b.household_id, []), day)
        every = six if odd else yearly
        base = reviewed_by.get((b.household_id, b.category)) or b.since
        scheduled = months.first_day(months.add(months.of(base), every))
        due, extended = scheduled, False
        if switch is not None and scheduled <= switch.last_day and scheduled <= last:
            due, extended = max(scheduled, extended_to(switch)), True
        if scheduled <= last:  # an extended one is listed too, marked 顺延
            out.append(
                Due(b, b.household, due, scheduled, every, odd, extended, open_cases.get((b.household_id, b.category), ""))
            )
    return sorted(out, key=lambda r: (r.township_code, r.due, r.household.code))


def _emergency_in(region: str, first: dt.date, last: dt.date) -> EmergencySwitch | None:
    """A switch covering any day of the month (a review due then is extended)."""
    for switch in EmergencySwitch.objects.filter(county=region[:6], start__lte=last).order_by("-start"):
        if switch.last_day >= first:
            return switch
    return None


def case_context(case: Case, day: dt.date | None = None) -> dict:
    """For the case page: the emergency notice on a case it affects (an open review or change
    case, or one in 渐退), and the finding(s) the case was opened from."""
    day = day or clock.today()
    switch = None
    if case.kind in REVIEW_KINDS and (case.is_open or case.state == S.TAPERING):
        switch = emergency_for(case.region_id, day)
    return {"emergency": switch, "emergency_text": emergency_text(switch) if switch else "", "sources": list(case.sources.all())}
