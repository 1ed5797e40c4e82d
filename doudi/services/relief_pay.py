"""Relief money out through the 一卡通 bank file (DIS-2, DIS-4; 临民发【2024】22号 四（一）“严格执行资金拨付
‘一卡通’要求，确保……春节前全部发放到受灾群众手中”): a disaster event's relief run for a month is built
from its affected households — each household's 核定救助金额 once per event, and its 过渡期房屋租住补助
for every granted month up to the run's month — by doudi.payments.relief on the generic run
builder. The run then goes through the payroll pages like every run: 复核 (not by who built it),
财政审批, 报送银行 and the bank file, the bank's return file. Its due date is the event's Spring
Festival deadline unless given; what is not paid by then is shown late."""

from __future__ import annotations

import datetime as dt

from doudi.core import months
from doudi.core.roles import BUILD_PAYROLL
from doudi.payments import params
from doudi.payments import relief as pay
from doudi.payments.runs import PayrollError
from doudi.services.common import ServiceError, audit, day, guard
from doudi.services.models import Affected, Disaster


def _wants(disaster: Disaster, through: str) -> tuple[list[pay.Want], int]:
    """Every line the event owes up to `through`, and how many households lack a bank account."""
    wants, no_account = [], 0
    rows = Affected.objects.filter(disaster=disaster).select_related("village").order_by("village_id", "pk")
    for a in rows:
        owed = []
        if a.relief_amount > 0:
            owed.append((pay.item_for(disaster.pk), disaster.month, a.relief_amount, pay.RELIEF_GROUP))
        if a.rent_from and a.rent_monthly > 0 and a.rent_from <= through:
            for month in months.span(a.rent_from, min(a.rent_to, through)):
                owed.append((pay.item_for(disaster.pk, rent=True), month, a.rent_monthly, pay.RENT_GROUP))
        if owed and not a.bank_account:
            no_account += 1
            continue
        for item, month, amount, group in owed:
            wants.append(
                pay.Want(
                    item=item,
                    month=month,
                    holder_key=a.id_number,
                    name=a.name,
                    township=a.village_id[:9],
                    village=a.village_id,
                    payee_name=a.name,
                    payee_id_number=a.id_number,
                    bank_name=a.bank_name,
                    bank_account=a.bank_account,
                    people=a.persons,
                    amount=amount,
                    group=group,
                    household_id=a.household_id,
                )
            )
    return wants, no_account


def relief_run_build(*, user, disaster: Disaster, data) -> tuple[object, int]:
    """(the run, households skipped for want of a bank account). ServiceError when there is
    nothing left to pay or the input is wrong; nothing is written then."""
    guard(user, BUILD_PAYROLL, disaster.county_id, "生成救灾资金花名册", "灾害事件")
    try:
        period = months.parse(str(data.get("period") or "").strip(), "发放月份")
    except months.BadMonth as exc:
        raise ServiceError(str(exc)) from None
    if period < disaster.month:
        raise ServiceError("发放月份不能早于灾害发生的月份")
    due = day(data, "due", "发放截止日期", required=False) or disaster.due
    fund = str(data.get("fund") or "").strip() or str(params.value("fund.relief", disaster.county_id, months.first_day(period)))
    if fund not in params.fund_codes():
        raise ServiceError(f"请选择资金来源（未知的资金「{fund[:24]}」）")
    wants, no_account = _wants(disaster, period)
    if not wants:
        raise ServiceError("没有需要发放的受灾户：请先核定救助金额或登记租住补助" + _no_account_note(no_account))
    try:
        run = pay.relief_run_build(
            disaster=disaster.pk, period=period, county=disaster.county_id, due=due, fund=fund, wants=wants, user=user
        )
    except PayrollError as exc:
        raise ServiceError(str(exc)) from None
    if run is None:
        raise ServiceError("本次灾害的救助资金已全部发放或已报送银行，没有新的发放" + _no_account_note(no_account))
    if run.state != run.State.DRAFT:
        raise ServiceError(f"{period}的救灾资金花名册已{run.get_state_display()}，不能重新生成；下月再发放新增的受灾户")
    audit(user, "relief_run", run.pk, {"灾害": disaster.name, "期次": period, "金额": run.amount}, "生成救灾资金花名册")
    return run, no_account


def _no_account_note(no_account: int) -> str:
    return f"（另有 {no_account} 户没有银行账号，未纳入）" if no_account else ""


def relief_progress(disaster: Disaster, today: dt.date) -> dict:
    """Paid against the deadline: households owed relief, paid, late (not paid by the due date)."""
    owed = list(Affected.objects.filter(disaster=disaster, relief_amount__gt=0).values_list("id_number", flat=True))
    status = holder_status(disaster)
    paid = sum(1 for n in owed if status.get(n, {}).get("relief") == "paid")
    return {
        "owed": len(owed),
        "paid": paid,
        "late": today > disaster.due and paid < len(owed),
        "days_left": (disaster.due - today).days,
        "percent": round(paid * 100 / len(owed)) if owed else 0,
    }


def holder_status(disaster: Disaster) -> dict[str, dict]:
    """ID number → {"relief": paid | pending | failed | draft, "rent_paid": n months paid, "run": id}."""
    out: dict[str, dict] = {}
    states = {r.pk: r.state for r in pay.runs_of(disaster.pk)}
    for line in pay.lines_of(disaster.pk).values("holder_key", "item", "status", "run_id"):
        row = out.setdefault(line["holder_key"], {"relief": "", "rent_paid": 0, "run": None})
        if line["item"] == pay.item_for(disaster.pk):
            if not row["relief"]:  # newest first: a re-issue wins over the failure it re-pays
                draft = states.get(line["run_id"]) == "draft" and line["status"] == "pending"
                row["relief"], row["run"] = ("draft" if draft else line["status"]), line["run_id"]
        elif line["status"] == "paid":
            row["rent_paid"] += 1
    return out
