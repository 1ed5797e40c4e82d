"""督办任务 (issue 18 item 6): a task the county assigns outside any inspection — to a 股室 of
the county (office named) or to a township — with a deadline and what is to be done; the
responsible unit reports progress and completion with evidence (text, photos, PDF); the county
closes it (not the one who reported) or sends it back; overdue ones are marked.

A task is a `Finding` without an inspection (docs/reports.md 第九节 says why): the same table,
the same workflow (supervision.FINDING_WORKFLOW, with 督办任务 in its messages), the same
evidence files, reminders and overdue lists — nothing written twice."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from doudi.core.models import Region
from doudi.core.roles import INSPECT, can
from doudi.reports.models import Finding
from doudi.reports.supervision import TASK_WORKFLOW, SupervisionError, _date, _unit, findings_for

S = Finding.State


def task_create(*, user, region: str, office: str = "", description: str, deadline, today: dt.date | None = None) -> Finding:
    """交办督办任务: the county (INSPECT) assigns it to a township or to a 股室 of the county."""
    if not can(user, INSPECT) or len(getattr(user, "scope_code", None) or "") > 6:
        raise SupervisionError("只有县民政局可以交办督办任务")
    unit = _unit(user, region)
    if unit.level == Region.Level.COUNTY and not office.strip():
        raise SupervisionError("交办给县民政局的任务须写明责任股室")
    if not description.strip():
        raise SupervisionError("请写明任务内容")
    due = _date(deadline, "完成期限")
    if due < (today or timezone.localdate()):
        raise SupervisionError("完成期限不能早于今天")
    with transaction.atomic():
        task = Finding.objects.create(
            inspection=None, region=unit, office=office.strip()[:40], description=description.strip()[:1000], deadline=due
        )
        TASK_WORKFLOW.record(task, user, S.OPEN, "交办督办任务", {"deadline": due.isoformat()}).save()
    return task


def tasks_for(user):
    return findings_for(user).filter(inspection__isnull=True)


def due_filter(due: str, today: dt.date, soon_until: dt.date | None = None) -> Q:
    """overdue: past the deadline and not cleared; soon: open, deadline from today to `soon_until`."""
    if due == "overdue":
        return Q(deadline__lt=today) & ~Q(state=S.CLOSED)
    if due == "soon" and soon_until is not None:
        return Q(state=S.OPEN, deadline__gte=today, deadline__lte=soon_until)
    return Q()
