"""审核确认 and the moves around it: approve (the benefit starts through the registry
service), refuse with written reasons, return for documents (the clock pauses), resume,
withdraw, reopen. A decision against the rules' decision needs its own written reason and
flags the case for the supervisor (改判清单).

审核确认 is the county's; a township confirms only where the county's parameter delegates
it (cases.township_confirms; 沁水 §五 审批权限下放).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from doudi.cases import clock
from doudi.cases.models import Case
from doudi.cases.services import _link_register
from doudi.cases.workflow import CASE_WORKFLOW, RETURNABLE, WorkflowError
from doudi.core import codes, months
from doudi.registry.intake import NewHouseholdRefused, household_create
from doudi.registry.services import benefit_start


def _may_confirm(user, case: Case | None, day: dt.date) -> None:
    if case is not None and case.category == "temp_assist":
        return  # 临时救助: 县、乡两级审批 by amount (doudi/cases/temp.py); the township may refuse
    scope = getattr(user, "scope_code", None) or ""
    if getattr(user, "is_superuser", False) or len(scope) <= 6:
        return
    # Without a case (the queue's batch form), the user's own township's parameter.
    if not clock.value("cases.township_confirms", case.region_id if case else scope, day):
        raise WorkflowError("审核确认由县级民政部门办理（本县未将审核确认权限下放至乡镇）")


def may_confirm(user, case: Case | None, day: dt.date | None = None) -> bool:
    """For the case page's buttons: whether this user's level may confirm this case now."""
    try:
        _may_confirm(user, case, day or clock.today())
    except WorkflowError:
        return False
    return True


def _override(case: Case, approving: bool, reason: str) -> tuple[bool, str]:
    """Whether this decision goes against the rules' decision, and its written reason."""
    against = case.rules_eligible is not None and case.rules_eligible != approving
    if against and not reason.strip():
        rules = "符合" if case.rules_eligible else "不符合"
        raise WorkflowError(f"规则测算结论为“{rules}”，作出相反决定须书面说明理由")
    return against, reason.strip()[:500] if against else ""


def _amount(text, fallback) -> Decimal:
    if text in (None, ""):
        if fallback is None:
            raise WorkflowError("请填写核定月保障金额")
        return fallback
    try:
        value = Decimal(str(text)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise WorkflowError(f"核定月保障金额“{text}”不是数字") from None
    if value < 0:
        raise WorkflowError("核定月保障金额不能为负数")
    return value


def _new_household(case: Case, given: dict | None) -> dict | None:
    """The household a new applicant entered (at intake, completed on the approval form), or
    None when the applicant is in the register; WorkflowError when it cannot be created."""
    if case.household_id is not None:
        return None
    entered = dict(case.new_household or {})
    for key, value in (given or {}).items():
        if value:
            entered[key] = value
    if not entered.get("members"):
        raise WorkflowError("申请人尚未在台账中建档，受理时也未登记其家庭，请先将其家庭录入台账，再审核确认")
    if entered.get("hukou") not in codes.HUKOU:
        raise WorkflowError("新申请人的家庭将在审核确认时建档：请选择户籍性质（城镇或农村）")
    return entered


def case_approve(
    *,
    case: Case,
    user,
    reason: str = "",
    override_reason: str = "",
    monthly_amount=None,
    new_household: dict | None = None,
    today: dt.date | None = None,
) -> Case:
    """纳入保障, paid from the month after approval (cases.start_months_after). A new
    applicant's household (case.new_household, `new_household` completing it) is created in
    the register in the same transaction (doudi.registry.intake)."""
    day = today or clock.today()
    _may_confirm(user, case, day)
    CASE_WORKFLOW.check(case, "approve", user, reason)
    if case.publicity_end is None or day <= case.publicity_end:
        end = f"{case.publicity_end:%Y-%m-%d}" if case.publicity_end else "—"
        raise WorkflowError(f"公示期至 {end} 尚未结束，公示期满后才能审核确认")
    _link_register(case)
    entered = _new_household(case, new_household)
    personal = case.category not in codes.HOUSEHOLD_CATEGORIES
    if personal and case.person is None and entered is None:
        raise WorkflowError("该类别按人保障，申请人须在台账中有个人信息")
    against, why = _override(case, True, override_reason)
    amount = _amount(monthly_amount, case.rules_amount)
    since = months.first_day(months.add(months.of(day), int(clock.value("cases.start_months_after", case.region_id, day))))
    township = len(getattr(user, "scope_code", None) or "") > 6 and not getattr(user, "is_superuser", False)
    with transaction.atomic():
        if entered is not None:  # 新申请人: the household enters the register now (a registry service)
            try:
                household = household_create(
                    village=case.region_id,
                    hukou=entered["hukou"],
                    address=entered.get("address", ""),
                    members=entered["members"],
                    reason=f"案件 {case.number} 审核确认，新申请人家庭建档",
                    user=user,
                )
            except NewHouseholdRefused as exc:
                raise WorkflowError(str(exc)) from None
            case.household = household
            case.person = household.members.get(id_number=case.applicant_id_number)
        moved = CASE_WORKFLOW.move(
            case,
            "approve",
            user,
            reason or "审核确认，同意纳入保障",
            {"since": since.isoformat(), "amount": str(amount), "override": against},
            decided_on=day,
            monthly_amount=amount,
            override=against,
            override_reason=why,
            person=case.person,
            household=case.household,
            decided_by_township=township,
        )
        try:
            benefit = benefit_start(
                household=case.household,
                person=case.person if personal else None,
                category=case.category,
                since=since,
                monthly_amount=amount,
                user=user,
                reason=f"案件 {case.number} 审核确认",
            )
        except ValueError as exc:
            raise WorkflowError(str(exc)) from None
        Case.objects.filter(pk=case.pk).update(benefit=benefit)
    moved.refresh_from_db()
    return moved


def case_refuse(*, case: Case, user, reasons: str, override_reason: str = "", today: dt.date | None = None) -> Case:
    """不予保障, with the written reasons the refusal notice prints (due in 3 working days)."""
    day = today or clock.today()
    _may_confirm(user, case, day)
    CASE_WORKFLOW.check(case, "refuse", user, reasons)
    against, why = _override(case, False, override_reason)
    notice_due, _note = clock.add_workdays(day, int(clock.value("cases.refusal_notice_days", case.region_id, day)))
    return CASE_WORKFLOW.move(
        case,
        "refuse",
        user,
        reasons.strip()[:500],
        {"override": against},
        decided_on=day,
        refusal_reasons=reasons.strip(),
        refusal_notice_due=notice_due,
        override=against,
        override_reason=why,
    )


def case_return(*, case: Case, user, reason: str, today: dt.date | None = None) -> Case:
    """退回补充材料: the clock stops until the documents arrive."""
    day = today or clock.today()
    return CASE_WORKFLOW.move(
        case, "return", user, reason, {"paused_since": day.isoformat()}, paused_since=day, returned_from=case.state
    )


def case_resume(*, case: Case, user, reason: str = "", today: dt.date | None = None) -> Case:
    """材料补齐: back to the step it left; the deadlines move by the working days paused."""
    day = today or clock.today()
    if case.state != Case.State.RETURNED or case.returned_from not in RETURNABLE:
        CASE_WORKFLOW.check(case, "resume_received", user)  # raises the usual "state is …" message
    paused, note = clock.paused_workdays(case.paused_since or day, day)
    total = case.paused_days + paused
    due = clock.deadlines(case.region_id, case.received_on, case.special, total)
    return CASE_WORKFLOW.move(
        case,
        f"resume_{case.returned_from}",
        user,
        reason or "材料已补齐",
        {"paused_days": paused},
        paused_days=total,
        paused_since=None,
        returned_from="",
        survey_due=due.survey_due,
        due=due.due,
        clock_note=due.note or note,
    )


def case_withdraw(*, case: Case, user, reason: str) -> Case:
    return CASE_WORKFLOW.move(case, "withdraw", user, reason)


def case_reopen(*, case: Case, user, reason: str, today: dt.date | None = None) -> Case:
    """重新受理: the clock starts again from today; the earlier steps stay in the timeline."""
    day = today or clock.today()
    due = clock.deadlines(case.region_id, day, case.special)
    try:
        with transaction.atomic():
            return CASE_WORKFLOW.move(
                case,
                "reopen",
                user,
                reason,
                received_on=day,
                survey_due=due.survey_due,
                due=due.due,
                clock_note=due.note,
                paused_days=0,
                paused_since=None,
                returned_from="",
                publicity_start=None,
                publicity_end=None,
                decided_on=None,
                refusal_reasons="",
                refusal_notice_due=None,
                override=False,
                override_reason="",
            )
    except IntegrityError:
        raise WorkflowError("该申请人已有同类申请正在办理，不能重新受理此案件") from None


def cases_approve_many(*, cases: list[Case], user, reason: str = "", today: dt.date | None = None) -> tuple[list, list]:
    """批量审核确认 of a township's ready cases, each with the rules' amount: each case is its
    own move (one refused case does not hold up the others), returns (approved, [(case, message)])."""
    done, refused = [], []
    for case in cases:
        try:
            done.append(case_approve(case=case, user=user, reason=reason or "批量审核确认", today=today))
        except WorkflowError as exc:
            refused.append((case, str(exc)))
    return done, refused
