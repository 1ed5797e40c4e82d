"""转办 to other assistance (专项救助: 医疗、教育、住房、就业救助, and others): from a case, the
receiving department, the date and what was asked; later the department's answer and its
date. A referral is not a state of the case (a case may have several); its own tiny workflow
on doudi.core.workflow is sent → answered, each move a ReferralStep (who, role, when), shown
on the case's timeline. The open ones are listed per township with the days waiting.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet

from doudi.cases import clock
from doudi.cases.models import Case, Referral, ReferralStep
from doudi.core.roles import PROCESS_CASES, can
from doudi.core.scoping import in_scope, scope
from doudi.core.workflow import Log, Step, Workflow, WorkflowError

R = Referral.State
REFERRAL_WORKFLOW = Workflow(
    noun="转办",
    model=Referral,
    steps={"answer": Step((R.SENT,), R.ANSWERED, PROCESS_CASES, "登记部门答复", reason_required=True)},
    log=Log(ReferralStep, "referral", reason_max=500),
    region_of=lambda referral: referral.case.region_id,
    labels=lambda state: R(state).label,
)


def _date(value, day: dt.date, what: str) -> dt.date:
    if isinstance(value, dt.date):
        out = value
    else:
        try:
            out = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise WorkflowError(f"请填写{what}（如 2026-10-12）") from None
    if out > day:
        raise WorkflowError(f"{what} {out:%Y-%m-%d} 晚于今天，请核对")
    return out


def referral_send(
    *, case: Case, user, kind: str, department: str, request: str, sent_on=None, today: dt.date | None = None
) -> Referral:
    """Records a referral of the case's household; WorkflowError (Chinese) for bad input, a role
    or region without the right, or the same referral still waiting for its answer."""
    day = today or clock.today()
    if not can(user, PROCESS_CASES):
        raise WorkflowError("您的角色无权办理转办")
    if not in_scope(user, case.region_id):
        raise WorkflowError("该案件不在您的管辖范围内")
    if kind not in Referral.Kind.values:
        raise WorkflowError("请选择转办事项（医疗救助、教育救助、住房救助、就业救助或其他）")
    department, request = str(department or "").strip(), str(request or "").strip()
    if not department or len(department) > 60:
        raise WorkflowError("请填写承办部门（不超过60个字），如 县医疗保障局")
    if not request:
        raise WorkflowError("请填写转办内容（请对方办理的事项）")
    sent = _date(sent_on or day, day, "转办日期")
    if sent < case.received_on:
        raise WorkflowError(f"转办日期不能早于受理日期 {case.received_on:%Y-%m-%d}")
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()  # one referral at a time per case
        waiting = Referral.objects.filter(case=case, kind=kind, department=department, state=R.SENT).first()
        if waiting is not None:
            raise WorkflowError(
                f"已于 {waiting.sent_on:%Y-%m-%d} 向{department}转办{waiting.get_kind_display()}，尚未答复，不能重复转办"
            )
        referral = Referral.objects.create(
            case=case, kind=kind, department=department, sent_on=sent, request=request[:500], created_by=user
        )
        REFERRAL_WORKFLOW.record(
            referral,
            user,
            R.SENT,
            f"转办{referral.get_kind_display()}至{department}：{request}"[:500],
            {"sent_on": sent.isoformat()},
        ).save()
    return referral


def referral_answer(*, referral: Referral, user, answer: str, answered_on=None, today: dt.date | None = None) -> Referral:
    """The department's answer; answering twice (or two at once) is refused."""
    day = today or clock.today()
    answer = str(answer or "").strip()
    if not answer:
        raise WorkflowError("请填写部门答复内容")
    when = _date(answered_on or day, day, "答复日期")
    if when < referral.sent_on:
        raise WorkflowError(f"答复日期不能早于转办日期 {referral.sent_on:%Y-%m-%d}")
    return REFERRAL_WORKFLOW.move(
        referral,
        "answer",
        user,
        f"{referral.department}答复：{answer}"[:500],
        {"answered_on": when.isoformat()},
        answer=answer[:500],
        answered_on=when,
    )


# ---- reads ---------------------------------------------------------------------------------
def referrals_for(user) -> QuerySet:
    return scope(
        Referral.objects.select_related("case", "case__region", "case__region__parent", "created_by"), user, "case__region__code"
    )


def referral_get(user, number: str, pk) -> Referral:
    from django.http import Http404

    referral = referrals_for(user).filter(case__number=number, pk=pk).first()
    if referral is None:
        raise Http404("没有找到该转办记录，或不在您的管辖范围内")
    return referral


def open_referrals(user, *, township: str = "", kind: str = "", q: str = "", day: dt.date | None = None) -> list[Referral]:
    """Referrals waiting for an answer, oldest first, each with `.waiting` (calendar days)."""
    day = day or clock.today()
    rows = referrals_for(user).filter(state=R.SENT)
    if township:
        rows = rows.filter(case__region__code__startswith=township)
    if kind in Referral.Kind.values:
        rows = rows.filter(kind=kind)
    if q.strip():
        rows = rows.filter(case__applicant_name__startswith=q.strip()) | rows.filter(case__number__startswith=q.strip())
    out = list(rows.order_by("sent_on", "id"))
    for r in out:
        r.waiting = (day - r.sent_on).days
    return out
