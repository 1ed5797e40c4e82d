"""A case's states and moves on the shared workflow primitive (doudi.core.workflow):
compare-and-set moves, an append-only CaseStep per move (who, role, from, to, why, when),
and maker-checker: whoever did the 入户调查 may not also confirm the case.

docs/domain.md §4: 受理 → 核对 → 入户调查 → (民主评议) → 公示 → 审核确认 → 纳入保障 / 不予保障; 退回补充材料 pauses
the clock and returns the case to the step it left (one resume action per step, so each
is still a fixed from → to move); 撤回 and 重新受理.
"""

from __future__ import annotations

from doudi.cases.models import Case, CaseStep
from doudi.core.roles import APPROVE_CASES, PROCESS_CASES
from doudi.core.workflow import Log, Step, Workflow, WorkflowError

S = Case.State
RETURNABLE = (S.RECEIVED, S.CHECKED, S.SURVEYED, S.DELIBERATED)
OPEN = tuple(Case.OPEN_STATES)
# A case paid first (先行救助) is not withdrawn: its papers are completed.
WITHDRAWABLE = tuple(s for s in OPEN if s != S.ADVANCED)
REVIEW_FROM = (S.CHECKED, S.SURVEYED)

CASE_WORKFLOW = Workflow(
    noun="案件",
    model=Case,
    steps={
        "check": Step((S.RECEIVED,), S.CHECKED, PROCESS_CASES, "核对家庭经济状况"),
        "survey": Step((S.CHECKED,), S.SURVEYED, PROCESS_CASES, "登记入户调查"),
        # 民主评议 where the county uses it (cases.democratic_review, checked in deliberation.py):
        # 公示 then starts from 已民主评议 (its result 同意), otherwise straight from 入户调查.
        "deliberate": Step((S.SURVEYED, S.DELIBERATED), S.DELIBERATED, PROCESS_CASES, "登记民主评议"),
        "publicize": Step((S.SURVEYED, S.DELIBERATED), S.PUBLICITY, PROCESS_CASES, "公示"),
        "approve": Step((S.PUBLICITY,), S.ENROLLED, APPROVE_CASES, "审核确认", not_by_who_entered=(S.SURVEYED,)),
        "refuse": Step(
            (S.CHECKED, S.SURVEYED, S.DELIBERATED, S.PUBLICITY, S.REFERRED),
            S.REFUSED,
            APPROVE_CASES,
            "作出不予保障决定",
            reason_required=True,
        ),
        "return": Step(RETURNABLE, S.RETURNED, PROCESS_CASES, "退回补充材料", reason_required=True),
        **{f"resume_{state}": Step((S.RETURNED,), state, PROCESS_CASES, "登记材料补齐") for state in RETURNABLE},
        "withdraw": Step(WITHDRAWABLE, S.WITHDRAWN, PROCESS_CASES, "撤回申请", reason_required=True),
        "reopen": Step((S.REFUSED, S.WITHDRAWN), S.RECEIVED, PROCESS_CASES, "重新受理", reason_required=True),
        # 临时救助 (doudi/cases/temp.py): the amount and its approval level are checked there.
        "advance": Step((S.RECEIVED, S.CHECKED, S.SURVEYED), S.ADVANCED, PROCESS_CASES, "先行救助"),
        "refer": Step((S.CHECKED, S.SURVEYED), S.REFERRED, PROCESS_CASES, "报县级审批"),
        "grant": Step(
            (S.CHECKED, S.SURVEYED, S.REFERRED), S.GRANTED, PROCESS_CASES, "批准临时救助", not_by_who_entered=(S.SURVEYED,)
        ),
        "complete": Step((S.ADVANCED,), S.GRANTED, PROCESS_CASES, "登记先行救助材料补齐"),
        # 定期核查 and 变更核查 of a benefit held (doudi/cases/lifecycle.py): after 核对 (and 入户调查)
        # the review ends in continue, a new amount, 渐退 or 停保; a stop may be undone (恢复保障).
        # Exits are paused while the county's emergency switch is on (checked in lifecycle.py).
        "continue": Step(REVIEW_FROM, S.CONTINUED, PROCESS_CASES, "作出继续保障的复核结论"),
        "adjust": Step(
            REVIEW_FROM, S.ADJUSTED, APPROVE_CASES, "调整保障金额", reason_required=True, not_by_who_entered=(S.SURVEYED,)
        ),
        "taper": Step(REVIEW_FROM, S.TAPERING, APPROVE_CASES, "实行渐退", reason_required=True, not_by_who_entered=(S.SURVEYED,)),
        "stop": Step(REVIEW_FROM, S.STOPPED, APPROVE_CASES, "停保", reason_required=True, not_by_who_entered=(S.SURVEYED,)),
        "restore": Step((S.STOPPED,), S.RESTORED, APPROVE_CASES, "恢复保障", reason_required=True),
    },
    log=Log(CaseStep, "case", reason_max=500),
    region_of=lambda case: case.region_id,
    labels=lambda state: S(state).label,
)

# What the case page offers, in this order (resume_* shown as one button).
ACTION_LABELS = {
    "check": "核对家庭经济状况",
    "survey": "登记入户调查",
    "deliberate": "登记民主评议",
    "publicize": "开始公示",
    "approve": "审核确认：纳入保障",
    "refuse": "不予保障",
    "return": "退回补充材料",
    "resume": "材料已补齐，恢复办理",
    "withdraw": "撤回申请",
    "reopen": "重新受理",
    "advance": "先行救助（立即从备用金支付）",
    "refer": "报县级审批",
    "grant": "批准临时救助",
    "complete": "材料已补齐，办结先行救助",
}
TEMP_ONLY = ("advance", "refer", "grant", "complete")
NOT_FOR_TEMP = ("deliberate", "publicize", "approve")
# A review or change case (kind review/change) ends in its own outcomes (LIFE_ACTIONS, shown on
# the case page's 在保复核 panel), never in 公示 and 审核确认 of an application.
NOT_FOR_REVIEW = ("deliberate", "publicize", "approve", "refuse", "reopen")
LIFE_ACTIONS = {"continue": "继续保障", "adjust": "调整保障金额", "taper": "渐退", "stop": "停保", "restore": "恢复保障"}

__all__ = ["CASE_WORKFLOW", "ACTION_LABELS", "WorkflowError", "S"]


def actions_for(case: Case, user) -> list[str]:
    """The actions this user may take now, resume_* folded into "resume"."""
    allowed = CASE_WORKFLOW.allowed(case, user)
    skip = NOT_FOR_TEMP if case.category == "temp_assist" else TEMP_ONLY
    if case.kind != "apply":
        skip = TEMP_ONLY + NOT_FOR_REVIEW
    out = [a for a in allowed if not a.startswith("resume_") and a not in skip]
    if f"resume_{case.returned_from}" in allowed:
        out.append("resume")
    return [a for a in ACTION_LABELS if a in out]
