"""Background jobs with progress: batch evaluation, comparison, payroll builds started
from the web.

A job runs in a thread of the web process: the demo and a county run as one process
with no worker to start, and every job we have is I/O- and DuckDB-bound. The job row is
the contract (status, progress, result); a worker process can take over `run_job` later
without touching callers. In tests (settings.DOUDI_JOBS_SYNC) jobs run inline.
"""
from __future__ import annotations

import importlib
import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from doudi.core.models import Job

log = logging.getLogger(__name__)


class JobFailed(Exception):
    """A failure whose Chinese message is meant for the person who started the job."""


class JobProgress:
    """What a job target reports; writes are throttled so progress costs nothing."""

    def __init__(self, job_id: int, min_interval: float = 0.5):
        self.job_id, self.min_interval, self._last = job_id, min_interval, 0.0

    def update(self, done: int, total: int | None = None, message: str = "") -> None:
        now = time.monotonic()
        if now - self._last < self.min_interval and (total is None or done < total):
            return
        self._last = now
        fields = {"done": done, "message": message[:200], "updated_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        Job.objects.filter(pk=self.job_id).update(**fields)


def job_start(*, kind: str, label: str, target: str, params: dict, user) -> Job:
    """Queue `target` ("module:function") to run as function(progress, **params)."""
    job = Job.objects.create(kind=kind, label=label, target=target, params=params, created_by=user)
    if getattr(settings, "DOUDI_JOBS_SYNC", False):
        run_job(job.pk)
        job.refresh_from_db()
        return job
    thread = threading.Thread(target=_run_in_thread, args=(job.pk,), name=f"job-{job.pk}", daemon=True)
    transaction.on_commit(thread.start)
    return job


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run_job(job_id)
    finally:
        connections.close_all()  # the thread ends: its connections must not linger


def run_job(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING, started_at=timezone.now(), updated_at=timezone.now())
    module_name, function_name = job.target.split(":")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
        result = function(JobProgress(job_id), **job.params) or {}
    except JobFailed as failure:
        _finish(job_id, Job.Status.FAILED, error=str(failure))
    except Exception:  # noqa: BLE001 - any other failure is ours, not the user's: log it
        log.exception("job %s (%s) failed", job_id, job.target)
        _finish(job_id, Job.Status.FAILED, error=f"任务执行出错（任务编号 {job_id}），已记录日志，请联系系统管理员。")
    else:
        _finish(job_id, Job.Status.DONE, result=result)


def _finish(job_id: int, status: str, *, result: dict | None = None, error: str = "") -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(status=status, result=result or {}, error=error, finished_at=now, updated_at=now)
