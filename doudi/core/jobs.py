"""Background jobs with progress: batch evaluation, comparison, payroll builds started
from the web.

A job runs in a thread of the web process: the demo and a county run as one process
with no worker to start, and every job we have is I/O- and DuckDB-bound. The job row is
the contract (status, progress, result); a worker process can take over `run_job` later
without touching callers. In tests (settings.DOUDI_JOBS_SYNC) jobs run inline.

A running job's row is touched by a heartbeat thread every HEARTBEAT_SECONDS. A row
left untouched for Job.STALE_AFTER_SECONDS belongs to a process that is gone (a crash, a
restart): fail_stale_jobs() marks it failed, so it does not show 运行中 forever.

Who may open a job's page: its starter, and users holding the permission that starts
that kind of job (KIND_PERMISSIONS) whose region covers the job's region.
"""
from __future__ import annotations

import importlib
import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from doudi.core import roles
from doudi.core.models import Job

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 60
STALE_ERROR = "任务已中断：运行它的服务进程已停止（可能是服务重启或故障），超过10分钟没有响应。请重新发起。"
# The permission that starts each kind of job (the views that call job_start); a kind
# missing here is seen by its starter only.
KIND_PERMISSIONS = {
    "evaluation": roles.RUN_EVALUATION,
    "simulation": roles.SIMULATE_POLICY,
    "comparison": roles.RUN_COMPARISON,
    "payroll": roles.BUILD_PAYROLL,
}


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
    fail_stale_jobs()
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
    heartbeat = Heartbeat(job_id, HEARTBEAT_SECONDS)
    heartbeat.start()
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
    finally:
        heartbeat.stop()


def _finish(job_id: int, status: str, *, result: dict | None = None, error: str = "") -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(status=status, result=result or {}, error=error, finished_at=now, updated_at=now)


class Heartbeat:
    """Touches a running job's row every `interval` seconds from its own thread: a step
    may report no progress for long (one big DuckDB query), yet its job is alive."""

    def __init__(self, job_id: int, interval: float):
        self.job_id, self.interval = job_id, interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job_id}-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        try:
            while not self._stopped.wait(self.interval):
                Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(updated_at=timezone.now())
        except Exception:  # noqa: BLE001 - a missed beat must not kill the job; staleness has a wide margin
            log.warning("heartbeat of job %s stopped", self.job_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only


def fail_stale_jobs() -> int:
    """Marks failed every running job whose row nobody touched for STALE_AFTER_SECONDS.
    Queued jobs are left alone: a queue may wait (a worker process, later)."""
    now = timezone.now()
    limit = now - timedelta(seconds=Job.STALE_AFTER_SECONDS)
    return (Job.objects.filter(status=Job.Status.RUNNING, updated_at__lt=limit)
            .update(status=Job.Status.FAILED, error=STALE_ERROR, finished_at=now, updated_at=now))


def may_see(user, job: Job) -> bool:
    """The starter; or a user allowed to start this kind of job over the job's region."""
    if job.created_by_id is not None and job.created_by_id == user.pk:
        return True
    permission = KIND_PERMISSIONS.get(job.kind)
    if permission is None or not roles.can(user, permission):
        return False
    scope = getattr(user, "scope_code", None)
    return scope is not None and job_region(job).startswith(scope)


def job_region(job: Job) -> str:
    """The region the job works on: its parameter, else its starter's region. A job over
    everything ("") is seen only by users whose scope is everything."""
    params = job.params if isinstance(job.params, dict) else {}
    for key in ("region_code", "region"):
        if isinstance(params.get(key), str):
            return params[key]
    starter = job.created_by
    return (starter.region_id or "") if starter else ""
