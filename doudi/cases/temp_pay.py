"""The county's money for 临时救助 (docs/cases.md §7): a case granted from the county's fund is not
paid by the person who granted it. It waits for the county's 临时救助县级发放 payroll run
(doudi/payments/temp_assist.py): a county user builds the month's run, which picks up every such
case granted by the end of that month and not yet paid (one line per case, the case's amount and
fund source, to the applicant's card); another person checks it, finance approves it, the bank file
and the bank's return pay it — as every run (maker-checker in doudi/payments/workflow.py). The case
shows where its money is from the run's line, read through a payments selector; cases never touch
the payments tables themselves.

Refusals are WorkflowError in Chinese, with nothing written.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from doudi.cases import clock
from doudi.cases.models import Case, TempAssist
from doudi.cases.workflow import CASE_WORKFLOW, WorkflowError
from doudi.core import months
from doudi.core.roles import BUILD_PAYROLL, PROCESS_CASES, can
from doudi.core.scoping import in_scope
from doudi.registry.models import Person

S = Case.State


# ---- the card --------------------------------------------------------------------------
def clean_account(bank_name: str, bank_account: str) -> tuple[str, str]:
    """A card typed for a case: blank (the register's card is used), or 16–19 digits with a
    valid check digit, and the bank's name."""
    from doudi.payments.bankfiles import valid_account

    name = str(bank_name or "").strip()[:40]
    account = "".join(str(bank_account or "").split())
    if not account:
        if name:
            raise WorkflowError("填写了开户银行，请同时填写银行账号")
        return "", ""
    if not valid_account(account):
        raise WorkflowError(f"银行账号“{account}”无效：应为16–19位数字且校验位正确")
    if not name:
        raise WorkflowError("请填写收款开户银行")
    return name, account


def payee_of(case: Case) -> dict | None:
    """Whom the run pays: the card typed for the case, else the applicant's own card in the
    register, else the household head's card; None when there is none (the case waits)."""
    temp = case.temp
    if temp.bank_account:
        return _payee("person", case.applicant_name, case.applicant_id_number, temp.bank_name, temp.bank_account)
    person = case.person
    if person is None:
        return None
    if person.bank_account:
        return _payee("person", person.name, person.id_number, person.bank_name, person.bank_account)
    head = Person.objects.filter(household_id=person.household_id, relation="head").exclude(bank_account="").first()
    if head is None:
        return None
    return _payee("head", head.name, head.id_number, head.bank_name, head.bank_account)


def _payee(payee: str, name: str, id_number: str, bank_name: str, account: str) -> dict:
    return {"payee": payee, "payee_name": name, "payee_id_number": id_number, "bank_name": bank_name, "bank_account": account}


def account_set(*, case: Case, user, bank_name: str, bank_account: str, today: dt.date | None = None) -> Case:
    """补录收款账号 for a county-paid case not yet paid (or whose payment the bank failed): the
    next run pays to it. County staff only."""
    if not can(user, PROCESS_CASES) or not in_scope(user, case.region_id) or _level(user) != "county":
        raise WorkflowError("县级临时救助资金的收款账号由县级人员登记")
    temp = getattr(case, "temp", None)
    if temp is None or temp.paid_by != TempAssist.PaidBy.COUNTY or case.state != S.GRANTED:
        raise WorkflowError("只有已批准、由县级临时救助资金发放的案件需要登记收款账号")
    status = statuses([case]).get(case.number)
    if status and status["code"] in ("in_run", "sent", "paid"):
        raise WorkflowError(f"该案件{status['label']}，不能再更改收款账号")
    name, account = clean_account(bank_name, bank_account)
    if not account:
        raise WorkflowError("请填写银行账号")
    with transaction.atomic():
        TempAssist.objects.filter(pk=case.pk).update(bank_name=name, bank_account=account)
        CASE_WORKFLOW.record(
            case, user, case.state, f"登记收款账号（{name}，尾号 {account[-4:]}）", {}, from_state=case.state
        ).save()
    return Case.objects.select_related("temp").get(pk=case.pk)


# ---- the run ---------------------------------------------------------------------------
def _level(user) -> str | None:
    from doudi.cases.temp import level_of

    return level_of(user)


def owed(county: str, period: str):
    """County-paid cases granted in `county` by the end of `period` (paid or not: the run skips
    what is paid)."""
    return (
        TempAssist.objects.filter(
            paid_by=TempAssist.PaidBy.COUNTY,
            case__state=S.GRANTED,
            amount__gt=0,
            paid_on__lte=months.last_day(period),
            case__region__code__startswith=county,
        )
        .select_related("case", "case__person")
        .order_by("paid_on", "case_id")
    )


def county_run_build(*, user, period: str, county: str = "", today: dt.date | None = None) -> dict:
    """生成临时救助县级发放花名册 for `period` (YYYY-MM) in the user's county: {"run", "lines",
    "no_account": [case numbers skipped for want of a card]}. A county user with the right to
    build payrolls only; a month after the current one is refused."""
    from doudi.payments import temp_assist

    day = today or clock.today()
    if not can(user, BUILD_PAYROLL) or _level(user) != "county":
        raise WorkflowError("临时救助县级发放花名册由县民政局生成")
    county = county or (user.scope_code or "")
    if len(county) != 6 or not in_scope(user, county):
        raise WorkflowError("请选择您管辖的县")
    try:
        period = months.parse(period, "期次")
    except months.BadMonth as exc:
        raise WorkflowError(str(exc)) from None
    if period > months.of(day):
        raise WorkflowError(f"期次 {period} 晚于本月，不能生成")
    wants, missing = [], []
    for temp in owed(county, period):
        case = temp.case
        payee = payee_of(case)
        if payee is None:
            missing.append(case.number)
            continue
        wants.append(
            temp_assist.Want(
                case_number=case.number,
                month=months.of(temp.paid_on),
                name=case.applicant_name,
                township=case.region_id[:9],
                village=case.region_id,
                amount=temp.amount,
                fund=temp.fund or str(clock.value("fund.temp_assist", case.region_id, temp.paid_on)),
                person_id=case.person_id,
                household_id=case.household_id or (case.person.household_id if case.person else None),
                **payee,
            )
        )
    run = temp_assist.temp_assist_run_build(county=county, period=period, wants=wants, user=user)
    return {"run": run, "lines": run.lines if run else 0, "no_account": missing}


# ---- what the case shows ---------------------------------------------------------------
RUN_STATES = {"draft": "草稿", "checked": "已复核", "approved": "财政已审批"}


def statuses(cases) -> dict[str, dict]:
    """Where each county-paid case's money is, by case number: {"code", "label", "run_id"}.
    待纳入 (no line yet), 已纳入花名册 (run not sent), 已报送银行, 已到账, 发放失败 (to be paid again)."""
    from doudi.payments import selectors as payments

    numbers = [c.number for c in cases]
    lines = payments.temp_assist_lines(numbers) if numbers else {}
    out = {}
    for number in numbers:
        line = lines.get(number)
        if line is None:
            out[number] = {"code": "waiting", "label": "待纳入县级发放花名册", "run_id": None}
            continue
        run = line.run
        where = f"{run.period} 临时救助县级发放花名册"
        if line.status == "paid":
            out[number] = {"code": "paid", "label": f"已到账（{where}）", "run_id": run.pk}
        elif line.status == "failed":
            out[number] = {"code": "failed", "label": f"发放失败：{line.failure}（{where}），将在下期补发", "run_id": run.pk}
        elif run.state in ("sent", "reconciled"):
            out[number] = {"code": "sent", "label": f"已报送银行（{where}）", "run_id": run.pk}
        else:
            label = f"已纳入{where}（{RUN_STATES.get(run.state, run.get_state_display())}）"
            out[number] = {"code": "in_run", "label": label, "run_id": run.pk}
    return out
