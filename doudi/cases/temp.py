"""临时救助 on the case model (issue 15; docs/domain.md §5; DEMANDS §4): receive at the place of the
emergency for anyone (急难发生地, no 户籍 condition), the rules' decision (doudi.rules.temp_assist),
approval by amount (乡镇 up to its limit, 县级 above, 一事一议 above the county's), 先行救助 (pay
now from the township reserve, complete the papers after), the same cause not paid twice
within the window, and cases opened from a 未参保失业人员 warning.

Every move goes through CASE_WORKFLOW (compare-and-set, append-only CaseStep). Every payment is
a reserve draw linked to the case (doudi.payments.reserve, which locks the township's balance
row: two draws at once can never overdraw it) or, from the county's fund, a line of the county's
临时救助县级发放 payroll run (doudi/cases/temp_pay.py: built by one person, checked by another);
a refused draw rolls the move back. Refusals are WorkflowError / ApplicationRefused, in Chinese,
with nothing changed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q

from doudi.cases import clock
from doudi.cases.models import Case, Conference, TempAssist
from doudi.cases.services import ApplicationRefused, _clean_application, case_receive
from doudi.cases.workflow import CASE_WORKFLOW, S, WorkflowError
from doudi.core import idnumber, months
from doudi.core.roles import PROCESS_CASES, can
from doudi.core.scoping import in_scope
from doudi.registry.models import Benefit, Person
from doudi.rules import temp_assist as rules
from doudi.rules.errors import RulesError
from doudi.rules.policy import parameter

CATEGORY = "temp_assist"
PAID_STATES = (S.GRANTED, S.ADVANCED)
IN_DIBAO = ("dibao", "dibao_single", "tekun")
MIN_ATTENDEES = 3


# ---- input -----------------------------------------------------------------------------
def _money(raw, label: str, errors: dict, key: str) -> Decimal | None:
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        value = Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        errors[key] = f"{label}“{raw}”不是数字"
        return None
    if value < 0 or value >= Decimal("1e9"):
        errors[key] = f"{label}应为不小于 0 的金额"
        return None
    return value


def _date(raw, day: dt.date, errors: dict) -> dt.date | None:
    if isinstance(raw, dt.date):
        value = raw
    else:
        try:
            value = dt.date.fromisoformat(str(raw or "").strip())
        except ValueError:
            errors["incident_on"] = "请填写急难发生日期（YYYY-MM-DD）"
            return None
    if value > day:
        errors["incident_on"] = "急难发生日期不能晚于今天"
    return value


def clean_temp(data: dict, day: dt.date) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    out: dict = {"cause": str(data.get("cause") or "").strip(), "tier": str(data.get("tier") or "general").strip()}
    if out["cause"] not in rules.CAUSES:
        errors["cause"] = "请选择救助事由（急难型：火灾、意外事件、突发重大疾病等；支出型：医疗、教育）"
    if out["tier"] not in rules.TIERS:
        errors["tier"] = "困难程度应为一般、较大或重大"
    out["incident_on"] = _date(data.get("incident_on") or day.isoformat(), day, errors)
    out["hukou_place"] = str(data.get("hukou_place") or "").strip()[:100]
    for key, label in (
        ("requested_amount", "申请金额"),
        ("expense", "必需支出金额"),
        ("household_income_12m", "家庭近12个月收入"),
        ("in_kind_value", "实物折价"),
    ):
        out[key] = _money(data.get(key), label, errors, key)
    level = str(data.get("education_level") or "").strip()
    if level and level not in rules.EDUCATION_LEVELS:
        errors["education_level"] = "教育阶段应为：" + "、".join(rules.EDUCATION_LEVELS.values())
    out["education_level"] = level
    out["self_chosen_school"] = bool(data.get("self_chosen_school"))
    raw_months = str(data.get("months_without_income") or "").strip()
    out["months_without_income"] = None
    if raw_months:
        if not raw_months.isdigit() or int(raw_months) > 240:
            errors["months_without_income"] = "连续无收入月数应为整数"
        else:
            out["months_without_income"] = int(raw_months)
    out["unemployment_insured"] = bool(data.get("unemployment_insured"))
    out["new_reason"] = str(data.get("new_reason") or "").strip()[:2000]
    out["in_kind"] = str(data.get("in_kind") or "").strip()[:200]
    return out, errors


# ---- the same cause --------------------------------------------------------------------
def window_start(region: str, day: dt.date) -> tuple[dt.date, int]:
    window = int(clock.value("temp_assist.same_cause_months", region, day))
    start = months.first_day(months.add(months.of(day), -window))
    return start.replace(day=min(day.day, 28)), window


def earlier_same_cause(id_number: str, cause: str, region: str, day: dt.date, exclude: int | None = None) -> TempAssist | None:
    """The last paid 临时救助 of this person for this cause within the window (any place)."""
    start, _window = window_start(region, day)
    found = TempAssist.objects.select_related("case", "case__region__parent").filter(
        case__applicant_id_number=id_number, cause=cause, case__state__in=PAID_STATES, paid_on__gte=start
    )
    if exclude:
        found = found.exclude(pk=exclude)
    return found.order_by("-paid_on", "-pk").first()


def _same_cause_message(earlier: TempAssist, window: int) -> str:
    where = earlier.case.region.parent.name if earlier.case.region.parent else earlier.case.region_id
    return (
        f"该申请人已于 {earlier.paid_on:%Y-%m-%d} 在{where}因同一事由（{earlier.cause_label}）获得临时救助"
        f"（案件编号 {earlier.case.number}，{earlier.amount} 元），{window} 个月内不重复救助；"
        "如有新的困难情况，请在“新的困难情况”中说明，案件将报县级审批"
    )


# ---- receiving -------------------------------------------------------------------------
def _in_dibao(person: Person | None, day: dt.date) -> bool:
    if person is None:
        return False
    return (
        Benefit.objects.filter(
            Q(person=person) | Q(household_id=person.household_id, person__isnull=True), category__in=IN_DIBAO, since__lte=day
        )
        .filter(Q(until__isnull=True) | Q(until__gte=day))
        .exists()
    )


def temp_receive(*, user, data: dict, today: dt.date | None = None, warning=None) -> Case:
    """受理 a 临时救助 application at the place of the emergency (the village given): anyone,
    resident or not, in the register or not. ApplicationRefused per field for bad input or
    the same cause within the window without a new reason; DuplicateApplication or
    WorkflowError as for any case."""
    day = today or clock.today()
    base = {**data, "category": CATEGORY}
    _base, errors = _clean_application(base)
    clean, temp_errors = clean_temp(data, day)
    errors = {**errors, **temp_errors}
    if errors:
        raise ApplicationRefused(errors)
    number = idnumber.normalize(str(data.get("id_number")))
    earlier = earlier_same_cause(number, clean["cause"], _base["village"].code, day)
    if earlier and not clean["new_reason"]:
        raise ApplicationRefused({"cause": _same_cause_message(earlier, window_start(_base["village"].code, day)[1])})
    with transaction.atomic():
        case = case_receive(user=user, data=base, today=day)
        person = case.person
        related = (
            Case.objects.filter(applicant_id_number=number, state__in=Case.OPEN_STATES)
            .exclude(category=CATEGORY)
            .order_by("-received_on")
            .first()
        )  # 低保 pending: 临时救助 meanwhile (渝民办〔2022〕220号 §一)
        TempAssist.objects.filter(pk=case.pk).update(
            kind=rules.CAUSES[clean["cause"]][1],
            cause=clean["cause"],
            tier=clean["tier"],
            incident_on=clean["incident_on"],
            hukou_place=clean["hukou_place"],
            requested_amount=clean["requested_amount"],
            expense=clean["expense"],
            household_income_12m=clean["household_income_12m"],
            education_level=clean["education_level"],
            self_chosen_school=clean["self_chosen_school"],
            months_without_income=clean["months_without_income"],
            unemployment_insured=clean["unemployment_insured"],
            in_dibao=_in_dibao(person, day),
            in_kind=clean["in_kind"],
            in_kind_value=clean["in_kind_value"] or 0,
            repeat_of=earlier.case if earlier else None,
            new_reason=clean["new_reason"],
            related_case=related,
            warning=warning,
        )
        if earlier:
            CASE_WORKFLOW.record(
                case,
                user,
                case.state,
                f"同一事由再次申请，前次救助 {earlier.case.number}；须报县级审批",
                {"repeat_of": earlier.case.number},
                from_state=case.state,
            ).save()
    return Case.objects.select_related("temp", "region", "region__parent").get(pk=case.pk)


# ---- the rules' decision ---------------------------------------------------------------
def _request(temp: TempAssist, amount: Decimal | None = None, tier: str | None = None) -> rules.Request:
    return rules.Request(
        township=temp.case.region_id[:9],
        cause=temp.cause,
        tier=tier or temp.tier,
        amount=amount,
        expense=temp.expense,
        household_income_12m=temp.household_income_12m,
        education_level=temp.education_level,
        self_chosen_school=temp.self_chosen_school,
        months_without_income=temp.months_without_income,
        unemployment_insured=temp.unemployment_insured,
        in_dibao=temp.in_dibao,
    )


def decide(case: Case, day: dt.date, amount: Decimal | None = None, tier: str | None = None) -> rules.Decision:
    try:
        return rules.decide(_request(case.temp, amount, tier), lambda name: parameter(name, case.region_id, day))
    except RulesError as exc:
        raise WorkflowError(str(exc)) from None


def rules_check(case: Case, day: dt.date) -> dict:
    """核对 for a 临时救助 case: the decision stored on the case like any rules check."""
    decision = decide(case, day, case.temp.requested_amount)
    lines = list(decision.lines)
    if case.temp.repeat_of_id:
        lines.append(f"同一事由在 {case.temp.repeat_of.number} 已救助，须报县级审批。")
    data = decision.as_dict()
    data["parameters"] = [f"{r['name']}：{r['value']}（{r['ref']}，{r['from']} 起）" for r in decision.refs]
    return {
        "eligible": decision.eligible,
        "amount": decision.suggested,
        "text": "".join(lines),
        "month": months.of(day),
        "data": data,
    }


# ---- who approves ----------------------------------------------------------------------
def level_of(user) -> str | None:
    scope = getattr(user, "scope_code", None) or ""
    if getattr(user, "is_superuser", False) or (scope and len(scope) <= 6):
        return "county"
    return "township" if len(scope) == 9 else None


def _amount(raw, label: str = "救助金额") -> Decimal:
    errors: dict = {}
    value = _money(raw, label, errors, "amount")
    if errors:
        raise WorkflowError(errors["amount"])
    if value is None:
        raise WorkflowError(f"请填写{label}")
    return value


def _needed(case: Case, decision: rules.Decision) -> str:
    need = decision.approval or "township"
    if case.temp.repeat_of_id and need == "township":
        return "county"  # the same cause again, with a new reason: the county decides
    return need


def _agreed_conference(case: Case, amount: Decimal) -> Conference | None:
    return case.conferences.filter(agreed=True, amount__gte=amount).order_by("-held_on", "-id").first()


def _check_level(user, case: Case, decision: rules.Decision, amount: Decimal, tier: str) -> str:
    level, need = level_of(user), _needed(case, decision)
    if level is None:
        raise WorkflowError("您的角色无权批准临时救助")
    if level == "township" and need != "township":
        why = (
            f"救助金额 {amount} 元超过乡镇审批额度 {decision.township_limit} 元"
            if decision.approval != "township"
            else "同一事由再次救助"
        )
        raise WorkflowError(f"{why}，请报县级审批")
    if need == "conference" and _agreed_conference(case, amount) is None:
        over = (
            f"超过县级审批额度 {decision.county_limit} 元"
            if amount > decision.county_limit
            else f"超过{rules.TIERS[tier]}的救助上限 {decision.ceiling} 元"
        )
        raise WorkflowError(f"救助金额 {amount} 元{over}，须先登记同意该金额的“一事一议”记录（参会人员、议定意见）")
    return need


def _pay(case: Case, user, amount: Decimal, day: dt.date, *, advance: bool, paid_by: str, step: str) -> dict:
    """The money: a draw on the township's reserve linked to the case; or the county's fund, which
    pays nothing here — the case waits for the county's 临时救助县级发放 run (temp_pay.py), and
    `paid_on` is the day it was granted (the same-cause window and the 台账 count from it)."""
    from doudi.payments import reserve

    fund = str(clock.value("fund.temp_assist", case.region_id, day))
    fields = {"paid_by": paid_by, "fund": fund, "paid_on": day}
    if amount <= 0 or paid_by != TempAssist.PaidBy.RESERVE:
        return fields
    try:
        reserve.reserve_draw(
            township=case.region_id[:9],
            amount=amount,
            on=day,
            recipient_name=case.applicant_name,
            recipient_id_number=case.applicant_id_number,
            cause_type=case.temp.kind,
            cause=f"{case.temp.cause_label}（案件 {case.number}）",
            advance=advance,
            fund=fund,
            user=user,
            token=f"case-{case.pk}-{step}",
            case=case,
        )
    except reserve.ReserveError as exc:
        raise WorkflowError(str(exc)) from None
    return fields


def _same_cause_again(case: Case, day: dt.date) -> None:
    earlier = earlier_same_cause(case.applicant_id_number, case.temp.cause, case.region_id, day, exclude=case.pk)
    if earlier and not case.temp.repeat_of_id:
        raise WorkflowError(_same_cause_message(earlier, window_start(case.region_id, day)[1]))


def _fresh(case: Case) -> Case:
    return Case.objects.select_related("temp", "region", "region__parent").get(pk=case.pk)


def _temp(case: Case) -> TempAssist:
    if case.category != CATEGORY or not hasattr(case, "temp"):
        raise WorkflowError("该案件不是临时救助案件")
    return case.temp


# ---- moves -----------------------------------------------------------------------------
def temp_grant(
    *,
    case: Case,
    user,
    amount,
    tier: str = "",
    paid_by: str = "",
    reason: str = "",
    in_kind: str = "",
    in_kind_value=None,
    bank_name: str = "",
    bank_account: str = "",
    today: dt.date | None = None,
) -> Case:
    """批准: the amount within the approver's level; paid from the township reserve (township
    approval, or the county's choice) at once, or from the county's fund by the county's next
    临时救助县级发放 run (to the card given here, else the applicant's card in the register)."""
    day = today or clock.today()
    temp = _temp(case)
    CASE_WORKFLOW.check(case, "grant", user, reason)
    amount = _amount(amount)
    tier = tier or temp.tier
    decision = decide(case, day, amount, tier)
    if not decision.eligible:
        raise WorkflowError("不符合临时救助条件：" + "；".join(decision.reasons) + "。如不予救助，请作出不予救助决定")
    _same_cause_again(case, day)
    need = _check_level(user, case, decision, amount, tier)
    if level_of(user) == "township":
        paid_by = TempAssist.PaidBy.RESERVE
    paid_by = paid_by or TempAssist.PaidBy.COUNTY
    if paid_by not in TempAssist.PaidBy.values:
        raise WorkflowError("支付方式应为乡镇备用金或县级临时救助资金")
    value = _money(in_kind_value, "实物折价", {}, "x") or temp.in_kind_value
    label = TempAssist.Approval(need).label
    card = {}
    if paid_by == TempAssist.PaidBy.COUNTY:
        from doudi.cases.temp_pay import clean_account

        name, account = clean_account(bank_name, bank_account)
        card = {"bank_name": name, "bank_account": account} if account else {}
        label += "，由县级临时救助资金经发放花名册发放"
    with transaction.atomic():
        moved = CASE_WORKFLOW.move(
            case,
            "grant",
            user,
            reason.strip() or f"批准临时救助 {amount} 元（{label}）",
            {"amount": str(amount), "approval": need, "paid_by": paid_by},
            decided_on=day,
        )
        fields = _pay(moved, user, amount, day, advance=False, paid_by=paid_by, step="grant")
        TempAssist.objects.filter(pk=case.pk).update(
            amount=amount,
            approval=need,
            tier=tier,
            decision=decision.as_dict(),
            in_kind=in_kind.strip()[:200] or temp.in_kind,
            in_kind_value=value,
            **fields,
            **card,
        )
    return _fresh(moved)


def temp_advance(*, case: Case, user, amount, reason: str = "", today: dt.date | None = None) -> Case:
    """先行救助: pay now from the township reserve, complete the papers within the parameter's
    working days; the case stays open (已先行救助，待补齐材料) until they are."""
    day = today or clock.today()
    _temp(case)  # refuses a case that is not 临时救助
    CASE_WORKFLOW.check(case, "advance", user, reason)
    amount = _amount(amount, "先行救助金额")
    if amount <= 0:
        raise WorkflowError("先行救助金额应大于 0 元")
    decision = decide(case, day, amount)
    _same_cause_again(case, day)
    level, need = level_of(user), _needed(case, decision)
    if level is None or (level == "township" and need != "township"):
        raise WorkflowError(f"先行救助金额 {amount} 元超过乡镇审批额度 {decision.township_limit} 元，请报县级审批")
    if need == "conference":
        raise WorkflowError(f"先行救助金额 {amount} 元超过县级审批额度或该档上限，须经“一事一议”后批准，不能先行支付")
    days = int(clock.value("temp_assist.advance_papers_days", case.region_id, day))
    due, _note = clock.add_workdays(day, days)
    with transaction.atomic():
        moved = CASE_WORKFLOW.move(
            case,
            "advance",
            user,
            reason.strip() or f"先行救助 {amount} 元，{days} 个工作日内补齐材料",
            {"amount": str(amount), "papers_due": due.isoformat() if due else None},
            decided_on=day,
        )
        fields = _pay(moved, user, amount, day, advance=True, paid_by=TempAssist.PaidBy.RESERVE, step="advance")
        TempAssist.objects.filter(pk=case.pk).update(
            amount=amount, approval=need, decision=decision.as_dict(), advance=True, papers_due=due, **fields
        )
    return _fresh(moved)


def temp_complete(*, case: Case, user, reason: str = "", today: dt.date | None = None) -> Case:
    """先行救助的材料补齐: the case is closed as granted."""
    day = today or clock.today()
    _temp(case)
    CASE_WORKFLOW.check(case, "complete", user, reason)
    if not case.documents.exists():
        raise WorkflowError("请先上传补齐的材料（申请书、身份证明、事由证明等），再办结先行救助")
    with transaction.atomic():
        moved = CASE_WORKFLOW.move(case, "complete", user, reason.strip() or "先行救助材料已补齐")
        TempAssist.objects.filter(pk=case.pk).update(papers_completed_on=day)
    return _fresh(moved)


def temp_refer(*, case: Case, user, reason: str = "") -> Case:
    _temp(case)
    return CASE_WORKFLOW.move(case, "refer", user, reason.strip() or "救助金额超过乡镇审批额度，报县级审批")


def conference_record(
    *, case: Case, user, held_on, attendees: str, decision: str, agreed: bool, amount=None, today: dt.date | None = None
) -> Conference:
    """一事一议 record (county): at least three attendees, the decision, the agreed amount."""
    day = today or clock.today()
    _temp(case)
    if not can(user, PROCESS_CASES) or not in_scope(user, case.region_id):
        raise WorkflowError("您的角色无权登记“一事一议”")
    if case.state not in (S.CHECKED, S.SURVEYED, S.REFERRED):
        raise WorkflowError(f"案件当前状态为“{case.get_state_display()}”，不能登记“一事一议”")
    if level_of(user) != "county":
        raise WorkflowError("“一事一议”由县级困难群众基本生活保障工作协调机制组织，须由县级人员登记")
    errors: dict = {}
    held = _date(held_on, day, errors)
    if errors or held is None:
        raise WorkflowError("请填写会议日期（不晚于今天）")
    names = [n for n in attendees.replace("，", "、").replace(",", "、").replace("\n", "、").split("、") if n.strip()]
    if len(names) < MIN_ATTENDEES:
        raise WorkflowError(f"请填写参会人员（至少 {MIN_ATTENDEES} 人，以顿号分隔）")
    if not decision.strip():
        raise WorkflowError("请填写议定意见")
    value = _amount(amount, "议定金额") if agreed else Decimal(0)
    if agreed and value <= 0:
        raise WorkflowError("同意救助须填写议定金额")
    with transaction.atomic():
        record = Conference.objects.create(
            case=case,
            held_on=held,
            attendees="、".join(n.strip() for n in names),
            decision=decision.strip()[:2000],
            agreed=agreed,
            amount=value,
            recorded_by=user,
        )
        CASE_WORKFLOW.record(
            case,
            user,
            case.state,
            f"一事一议（{held:%Y-%m-%d}）：{'同意' if agreed else '不同意'}{f'，议定 {value} 元' if agreed else ''}",
            {"conference": record.pk},
            from_state=case.state,
        ).save()
    return record


def case_from_warning(*, warning, user, today: dt.date | None = None) -> Case:
    """A 未参保失业人员 warning (missed_unemployed) becomes a 临时救助 case at the person's
    village; the warning is confirmed with outcome 纳入保障 naming the case."""
    from doudi.monitoring.services import warning_confirm

    day = today or clock.today()
    if warning.rule != "missed_unemployed":
        raise WorkflowError("只有“未参保失业人员”预警可以直接开立临时救助案件")
    if not warning.is_active:
        raise WorkflowError("该预警已办结")
    detail = warning.detail or {}
    person = warning.person
    data = {
        "id_number": person.id_number,
        "name": person.name,
        "region": warning.region_code,
        "channel": "window",
        "cause": "unemployed",
        "incident_on": day.isoformat(),
        "months_without_income": str(detail.get("months_registered") or ""),
        "reason": f"数据比对发现：失业登记 {detail.get('registered', '')} 起已满 {detail.get('months_registered', '')} 个月，"
        "未参加失业保险，未纳入低保（晋民发〔2022〕38号 §8）",
    }
    with transaction.atomic():
        case = temp_receive(user=user, data=data, today=day, warning=warning)
        try:
            warning_confirm(warning=warning, user=user, outcome="enrol", reason=f"开立临时救助案件 {case.number}")
        except PermissionError as exc:
            raise WorkflowError(str(exc)) from None
    return case


def temp_from_source(*, user, data: dict, key: str, origin: str, label: str, today: dt.date | None = None) -> Case:
    """A 临时救助 case opened from a finding of another app (a problem found on a care visit:
    key "care_problem:<id>"): received as temp_receive does, its source kept in CaseSource (the
    case page shows the label), so the same finding never opens two cases, even twice at once:
    DuplicateApplication names the case opened first."""
    from django.db import IntegrityError

    from doudi.cases.models import CaseSource
    from doudi.cases.services import DuplicateApplication

    earlier = CaseSource.objects.select_related("case").filter(key=key).first()
    if earlier is not None:
        raise DuplicateApplication(earlier.case.number)
    try:
        with transaction.atomic():
            case = temp_receive(user=user, data=data, today=today)
            CaseSource.objects.create(case=case, key=key, origin=origin, label=label[:200])
    except IntegrityError:
        earlier = CaseSource.objects.select_related("case").filter(key=key).first()
        if earlier is None:
            raise
        raise DuplicateApplication(earlier.case.number) from None
    return case
