"""A run's states, draft → checked → approved (finance) → sent → reconciled, each step by
its role, on the shared workflow primitive (`doudi.core.workflow`): compare-and-set moves,
an append-only RunTransition per step (who, role, from, to, why, when), and maker-checker:
whoever built a run cannot check it, whoever checked it cannot approve it.
"""

from __future__ import annotations

from doudi.core.roles import APPROVE_PAYROLL, BUILD_PAYROLL
from doudi.core.workflow import Log, Step, Workflow, WorkflowError
from doudi.payments.models import PayrollRun, RunTransition

S = PayrollRun.State
TransitionRefused = WorkflowError  # the name payments' callers and tests know

RUN_WORKFLOW = Workflow(
    noun="花名册",
    model=PayrollRun,
    steps={
        "check": Step((S.DRAFT,), S.CHECKED, BUILD_PAYROLL, "复核", not_by_who_entered=(S.DRAFT,)),
        "approve": Step((S.CHECKED,), S.APPROVED, APPROVE_PAYROLL, "审批", not_by_who_entered=(S.CHECKED,)),
        "return": Step((S.CHECKED,), S.DRAFT, APPROVE_PAYROLL, "退回", reason_required=True),
        "send": Step((S.APPROVED,), S.SENT, BUILD_PAYROLL, "报送银行"),
        "reconcile": Step((S.SENT,), S.RECONCILED, BUILD_PAYROLL, "对账"),
    },
    log=Log(RunTransition, "run"),
    region_of=lambda run: run.region_id,
    labels=lambda state: S(state).label,
    # A run is acted on by state alone: the bank-return import holds the run it sent.
    check_version=False,
    separate_duties=lambda run: _separate(run),
)
ACTIONS = RUN_WORKFLOW.steps


def _separate(run: PayrollRun) -> bool:
    """The county's `duties.separate` in force in the run's month (on unless switched off)."""
    from doudi.payments import months, params

    return bool(params.value("duties.separate", run.region_id, months.first_day(run.period)))


def run_transition(*, run: PayrollRun, action: str, user, reason: str = "") -> PayrollRun:
    """One step for one run; TransitionRefused (Chinese) when not allowed now."""
    from django.utils import timezone

    return RUN_WORKFLOW.move(run, action, user, reason, updated_at=timezone.now())


def runs_transition(*, runs: list[PayrollRun], action: str, user, reason: str = "") -> None:
    """One step for many runs at once (a province's month sent together): all move, or none."""
    from django.utils import timezone

    RUN_WORKFLOW.move_many(runs, action, user, reason, updated_at=timezone.now())
