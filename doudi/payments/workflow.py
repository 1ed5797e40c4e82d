"""A run's states, draft → checked → approved (finance) → sent → reconciled, each step by
its role, each recorded as an append-only transition (who, role, from, to, why, when).

Every step is a conditional UPDATE … WHERE state = <from>: of two finance officers
approving at the same moment one succeeds and the other is told the run has moved on;
PostgreSQL makes the second wait for the first's row lock, then re-tests the condition.
"""
from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from doudi.core.roles import APPROVE_PAYROLL, BUILD_PAYROLL, can
from doudi.core.scoping import in_scope
from doudi.payments.models import PayrollRun, RunTransition

S = PayrollRun.State
# action → (from, to, permission, Chinese verb)
ACTIONS = {
    "check": (S.DRAFT, S.CHECKED, BUILD_PAYROLL, "复核"),
    "approve": (S.CHECKED, S.APPROVED, APPROVE_PAYROLL, "审批"),
    "return": (S.CHECKED, S.DRAFT, APPROVE_PAYROLL, "退回"),
    "send": (S.APPROVED, S.SENT, BUILD_PAYROLL, "报送银行"),
    "reconcile": (S.SENT, S.RECONCILED, BUILD_PAYROLL, "对账"),
}


class TransitionRefused(Exception):
    """The step is not allowed now (wrong state, role or region): a Chinese message."""


def run_transition(*, run: PayrollRun, action: str, user, reason: str = "") -> PayrollRun:
    if action not in ACTIONS:
        raise TransitionRefused(f"未知操作 {action!r}")
    from_state, to_state, permission, verb = ACTIONS[action]
    if not can(user, permission):
        raise TransitionRefused(f"您的角色无权{verb}花名册")
    if not in_scope(user, run.region_id):
        raise TransitionRefused("该花名册不在您的管辖范围内")
    if action == "return" and not reason.strip():
        raise TransitionRefused("退回花名册须说明原因")
    with transaction.atomic():
        moved = PayrollRun.objects.filter(pk=run.pk, state=from_state).update(
            state=to_state, version=F("version") + 1, updated_at=timezone.now())
        if not moved:
            current = PayrollRun.objects.get(pk=run.pk).get_state_display()
            raise TransitionRefused(f"花名册当前状态为“{current}”，不能{verb}（可能已由他人处理，请刷新页面）")
        RunTransition.objects.create(run=run, user=user, role=user.role if not user.is_superuser else "superuser",
                                     from_state=from_state, to_state=to_state, reason=reason.strip()[:200] or verb)
    run.refresh_from_db()
    return run


def runs_transition(*, runs: list[PayrollRun], action: str, user, reason: str = "") -> None:
    """One step for many runs at once (a province's month sent together): all move, or
    none (the caller's transaction rolls back on the refusal)."""
    if len(runs) == 1:
        run_transition(run=runs[0], action=action, user=user, reason=reason)
        return
    from_state, to_state, permission, verb = ACTIONS[action]
    if not can(user, permission):
        raise TransitionRefused(f"您的角色无权{verb}花名册")
    outside = [r.region_id for r in runs if not in_scope(user, r.region_id)]
    if outside:
        raise TransitionRefused(f"花名册（区划 {outside[0]}）不在您的管辖范围内")
    with transaction.atomic():
        ids = [r.pk for r in runs]
        moved = PayrollRun.objects.filter(pk__in=ids, state=from_state).update(
            state=to_state, version=F("version") + 1, updated_at=timezone.now())
        if moved != len(set(ids)):
            raise TransitionRefused(f"有 {len(set(ids)) - moved} 个花名册当前状态不能{verb}（可能已由他人处理，请刷新页面）")
        role = user.role if not user.is_superuser else "superuser"
        RunTransition.objects.bulk_create([RunTransition(run=r, user=user, role=role, from_state=from_state, to_state=to_state,
                                                         reason=reason.strip()[:200] or verb) for r in runs])
    for run in runs:
        run.state = to_state
