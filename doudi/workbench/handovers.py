"""Hand-overs written as notifications without the other apps calling us: the workbench
listens to the payroll run's transition rows (one per step, doudi.core.workflow).

- a run checked (已复核) → finance of the run's region: waiting for approval;
- a run returned by finance (已复核 → 草稿) → whoever built it: to correct and check again.

Steps moved together (`move_many`, bulk-created rows) send no signal and so no notification."""

from __future__ import annotations

import logging

from django.db.models.signals import post_save
from django.urls import reverse

log = logging.getLogger(__name__)


def run_step(sender, instance, created, **kwargs):
    """A notification never stops the payroll step that triggered it: a failure is logged."""
    if not created:
        return
    try:
        _run_step(instance)
    except Exception:  # noqa: BLE001
        log.exception("hand-over notification for run transition %s failed", instance.pk)


def _run_step(instance) -> None:
    from doudi.core.roles import Role
    from doudi.workbench.notifications import notify

    run = instance.run
    name = f"{run.period} {run.region.name}发放花名册"
    link = reverse("payroll_detail", args=[run.pk])
    if instance.to_state == "checked":
        notify(f"{name}已复核，等待财政审批", link, role=Role.FINANCE, region=run.region_id)
    elif instance.from_state == "checked" and instance.to_state == "draft" and run.created_by_id:
        notify(f"{name}被财政退回：{instance.reason}", link, user=run.created_by)


def connect() -> None:
    post_save.connect(run_step, sender="payments.RunTransition", dispatch_uid="workbench.run_step")
