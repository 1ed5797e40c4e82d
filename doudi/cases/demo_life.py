"""Demo data for the life after 纳入保障 and the checks around it (idempotent, through the
services only, called by doudi/cases/demo.py):

- this month's 定期核查 opened for the first township (clerk1's): a few continued, one
  amount adjusted, some in 渐退, one stopped — the rest wait on the queue;
- 审批权限下放: last month, new applicants (not in the register) received and surveyed by the
  county, 民主评议, 公示, confirmed by the township clerks (their households created in the
  register), then the county's spot-check sample of that month drawn, one found 无误 and one
  有误 (a change case opened);
- 转办 of a few households to 医疗、教育、住房、就业救助, some answered.

Twice is once: review cases are keyed by their finding (CaseSource), new applicants by ID
number, the spot-check sample is the same draw, referrals are made only for cases without any.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from doudi.cases import bulk, clock, decisions, deliberation, lifecycle, referrals, services, spotcheck
from doudi.cases.models import Case, Referral, SpotCheck
from doudi.core import idnumber, months, workdays
from doudi.core.workflow import WorkflowError

DEMO_COUNTY = "140521"
REFERRALS = [
    ("medical", "县医疗保障局", "家庭成员患慢性病，门诊费用负担重，请核定医疗救助", "已纳入医疗救助对象，门诊慢特病按规定报销"),
    ("education", "县教育局", "子女就读高中，请落实教育资助", "已列入普通高中国家助学金名单"),
    ("housing", "县住房和城乡建设局", "现住房屋年久失修，请评估是否纳入农村危房改造", ""),
    ("employment", "县人力资源和社会保障局", "户主有劳动能力，请提供就业援助和公益性岗位", "已推荐至村保洁公益性岗位"),
    ("other", "县残疾人联合会", "家庭成员残疾证到期，请协助换证并评估辅具需求", ""),
    ("medical", "县医疗保障局", "住院自付费用较高，请核定大病医疗救助", ""),
]


def _workday(day: dt.date, forward: bool = True) -> dt.date:
    step = dt.timedelta(days=1 if forward else -1)
    while not workdays.is_workday(day):
        day += step
    return day


def build_life(*, users: dict, today: dt.date, last_receipt: dt.date, stdout, stderr) -> None:
    """`last_receipt`: the last day a case may be opened on with a computable deadline (demo.Days)."""
    notes = []
    for part in (_reviews, _township_confirmed, _referrals):
        try:
            notes.append(part(users, today, last_receipt) if part is not _referrals else part(users, today))
        except (WorkflowError, ValueError, PermissionError) as exc:
            stderr.write(f"[演示] 未能办理：{exc}\n")
    shown = "；".join(n for n in notes if n)
    stdout.write(f"在保复核、抽查和转办演示数据已就绪{'：' + shown if shown else '（已生成过，未重复生成）'}。\n")


# ---- 定期核查 and its outcomes ---------------------------------------------------------------
def _reviews(users: dict, today: dt.date, last_receipt: dt.date) -> str:
    clerk, county = users["clerk1"], users["staff2"]
    month = months.of(today)
    rows = [r for r in lifecycle.reviews_due(clerk, month=month, day=today) if not r.open_case][:40]
    found, _unusable = bulk.from_reviews(rows, month)
    day = _workday(min(today, last_receipt), forward=False)  # its 30 working days end in a known year
    opened = bulk.open_cases(user=clerk, findings=found, origin=f"review:{month}", today=day).opened
    if not opened:
        return ""
    plan = ["taper", "continue", "taper", "adjust", "continue", "taper", "stop", "taper", "continue"]
    handled = opened[: min(len(plan), len(opened) - max(1, len(opened) // 4))]  # the rest wait on the queue
    done: dict[str, int] = {}
    for case, outcome in zip(handled, plan):
        with transaction.atomic():
            case = services.case_check(case=case, user=clerk, today=day, findings="已比对部门数据。")
            case = services.case_survey(case=case, user=clerk, notes="入户复核家庭收入和生活状况。")
            if outcome == "continue":
                lifecycle.case_continue(case=case, user=clerk, today=day)
            elif outcome == "adjust":
                amount = (case.benefit.monthly_amount or 0) + 50
                lifecycle.case_adjust(
                    case=case, user=county, monthly_amount=str(amount), reason="家庭成员患病，收入减少", today=day
                )
            elif outcome == "taper":
                lifecycle.case_taper(case=case, user=county, reason="家庭成员稳定就业，人均收入超过低保标准", today=day)
            else:
                lifecycle.case_stop(case=case, user=county, stop_reason="moved", reason="全家迁往外县居住", today=day)
        done[outcome] = done.get(outcome, 0) + 1
    labels = {"taper": "渐退", "continue": "继续保障", "adjust": "调整金额", "stop": "停保"}
    return f"本月定期核查开案 {len(opened)} 件（" + "，".join(f"{labels[k]} {n}" for k, n in done.items()) + "）"


# ---- 审批权限下放: township confirmations and the county's spot-check ---------------------------
def _township_confirmed(users: dict, today: dt.date, last_receipt: dt.date) -> str:
    month = months.add(months.of(today), -1)
    first, last = months.first_day(month), months.last_day(month)
    if not clock.value("cases.township_confirms", DEMO_COUNTY, first):
        return ""
    staff = users["staff"]
    made = 0
    for n in range(9):
        clerk = users["clerk1"] if n < 6 else users["clerk2"]
        village = _village(clerk.region_id, n)
        number = idnumber.with_check_digit(f"{DEMO_COUNTY}19{62 + n}0{1 + n % 9}1{n}{950 + n:03d}")
        if village is None or Case.objects.filter(applicant_id_number=number).exists():
            continue
        received = _workday(first + dt.timedelta(days=1 + n % 3))
        data = {
            "category": "dibao",
            "id_number": number,
            "name": "新申请" + "甲乙丙丁戊己庚辛壬"[n],
            "region": village,
            "reason": "家庭成员因病失去劳动能力，无稳定收入，申请低保（新申请人，尚未建档）",
            "channel": "window",
            "hukou": "rural",
            "members": [
                {
                    "name": "家属" + "甲乙丙丁戊己庚辛壬"[n],
                    "id_number": idnumber.with_check_digit(f"{DEMO_COUNTY}19{64 + n}0{1 + n % 9}2{n}{960 + n:03d}"),
                    "relation": "spouse",
                }
            ],
        }
        try:
            _confirm_new(staff, clerk, data, received, last, n)
        except (WorkflowError, services.ApplicationRefused, services.DuplicateApplication):
            continue
        made += 1
    drawn_new, size = spotcheck.spot_check_draw(user=staff, month=month, today=today)
    checks = list(SpotCheck.objects.filter(county=DEMO_COUNTY, month=month).order_by("rank"))
    if len(checks) >= 2 and all(c.state == "drawn" for c in checks):
        day = _workday(min(today, last_receipt), forward=False)  # the change case's deadline in a known year
        spotcheck.spot_check_record(user=staff, check=checks[0], result="correct", note="", today=day)
        spotcheck.spot_check_record(
            user=staff, check=checks[1], result="wrong", note="入户调查未核实子女赡养能力，需重新核查", today=day
        )
    if not made and not drawn_new:
        return ""
    return f"{month} 乡镇审核确认新申请 {made} 件，县级抽查样本 {size} 件"


def _confirm_new(staff, clerk, data: dict, received: dt.date, last: dt.date, n: int) -> Case:
    """受理 and survey by the county, 民主评议 and 公示, 审核确认 by the township clerk."""
    with transaction.atomic():
        case = services.case_receive(user=staff, data=data, today=received)
        case = services.case_check(case=case, user=staff, today=received, findings="部门数据未见财产和收入。")
        case = services.case_survey(case=case, user=staff, notes="入户核实两口之家，户主患病，无劳动收入。")
        start = _workday(received + dt.timedelta(days=2))
        if deliberation.in_use(case, start):
            case = deliberation.case_deliberate(
                case=case,
                user=staff,
                held_on=start,
                participants=9,
                result="agree",
                minutes="村民代表 7 人、村“两委”2 人参加评议，一致同意。",
                today=start,
            )
        case = services.case_publicize(case=case, user=staff, today=start)
        decided = min(_workday(case.publicity_end + dt.timedelta(days=1 + n % 4)), last)
        return decisions.case_approve(case=case, user=clerk, monthly_amount=str(560 + 20 * n), today=decided)


def _village(township: str, n: int) -> str | None:
    from doudi.core.models import Region

    villages = list(Region.objects.filter(parent_id=township).order_by("code").values_list("code", flat=True))
    return villages[n % len(villages)] if villages else None


# ---- 转办 ------------------------------------------------------------------------------------------
def _referrals(users: dict, today: dt.date) -> str:
    cases = list(
        Case.objects.filter(
            region__code__startswith=DEMO_COUNTY, kind=Case.Kind.APPLY, state__in=("enrolled", "publicity", "surveyed")
        )
        .exclude(category="temp_assist")
        .exclude(pk__in=Referral.objects.values("case_id"))
        .order_by("id")[: len(REFERRALS)]
    )
    if Referral.objects.filter(case__region__code__startswith=DEMO_COUNTY).exists():
        return ""
    for n, (case, (kind, department, request, answer)) in enumerate(zip(cases, REFERRALS)):
        clerk = users["clerk1"] if case.region_id.startswith(users["clerk1"].region_id) else users["staff"]
        sent_on = max(_workday(today - dt.timedelta(days=4 + 7 * n), forward=False), case.received_on)
        referral = referrals.referral_send(
            case=case, user=clerk, kind=kind, department=department, request=request, sent_on=sent_on, today=today
        )
        if answer:
            referrals.referral_answer(
                referral=referral, user=clerk, answer=answer, answered_on=min(sent_on + dt.timedelta(days=5), today), today=today
            )
    return f"转办 {len(cases)} 件"
