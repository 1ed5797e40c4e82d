"""Background jobs with progress: batch evaluation, comparison, payroll builds started
from the web.

Where a job runs (settings.DOUDI_JOBS): "worker" (production's default) — job_start only
queues the Job row and a separate `doudi worker` process claims it; "thread" (the demo
and development) — a thread of the web process runs it, so the demo needs no second
process. In tests (settings.DOUDI_JOBS_SYNC) jobs run inline. Every way runs the same
run_job(); the job row is the contract (status, progress, result).

Claiming is a compare-and-set on the row (queued → running in one UPDATE ... WHERE
status='queued'): of two workers, or a worker and a thread, exactly one runs a job.
We use this small claim loop over our own Job table rather than the django-tasks
database backend: django-tasks 0.12 no longer ships that backend (it became the separate
django-tasks-db package, with its own result table and worker), and our Job row already
carries what the pages need — progress, heartbeat, Chinese errors, who may see it.

A running job's row is touched by a heartbeat thread every HEARTBEAT_SECONDS. A row
left untouched for Job.STALE_AFTER_SECONDS belongs to a process that is gone (a crash, a
restart, a killed worker): fail_stale_jobs() marks it failed, so it does not show 运行中
forever, and job_restart() queues a new job with the same arguments.

Who may open a job's page: its starter, and users holding the permission that starts
that kind of job (KIND_PERMISSIONS) whose region covers the job's region.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import socket
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
STALE_ERROR = (
    "任务已中断：运行它的进程已停止（可能是服务或后台任务进程重启、故障），超过10分钟没有响应。请点「重新运行」或重新发起。"
)
MODES = ("thread", "worker")
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


def jobs_mode() -> str:
    """ "sync" (tests), "thread" or "worker" (settings.DOUDI_JOBS)."""
    if getattr(settings, "DOUDI_JOBS_SYNC", False):
        return "sync"
    return getattr(settings, "DOUDI_JOBS", "thread")


def job_start(*, kind: str, label: str, target: str, params: dict, user, message: str = "") -> Job:
    """Queue `target` ("module:function") to run as function(progress, **params)."""
    fail_stale_jobs()
    job = Job.objects.create(kind=kind, label=label, target=target, params=params, created_by=user, message=message[:200])
    mode = jobs_mode()
    if mode == "sync":
        run_job(job.pk)
        job.refresh_from_db()
        return job
    if mode == "worker":
        return job  # queued: a `doudi worker` process claims it
    thread = threading.Thread(target=_run_in_thread, args=(job.pk,), name=f"job-{job.pk}", daemon=True)
    transaction.on_commit(thread.start)
    return job


def job_restart(job: Job, user) -> Job:
    """A new job with the same kind, target and arguments as a failed one, started by `user`."""
    return job_start(
        kind=job.kind, label=job.label, target=job.target, params=job.params, user=user, message=f"重新运行第 {job.pk} 号任务"
    )


def may_restart(user, job: Job) -> bool:
    """A failed job may be run again by whoever may start that kind of job over its
    region (a kind without a permission: its starter)."""
    if job.status != Job.Status.FAILED or not may_see(user, job):
        return False
    permission = KIND_PERMISSIONS.get(job.kind)
    if permission is None:
        return job.created_by_id == user.pk
    return roles.can(user, permission)


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run_job(job_id)
    finally:
        connections.close_all()  # the thread ends: its connections must not linger


def claim_job(job_id: int, by: str = "") -> bool:
    """Queued → running, only if still queued: True for the one caller that got it."""
    now = timezone.now()
    fields = {"status": Job.Status.RUNNING, "started_at": now, "updated_at": now}
    if by:
        fields["message"] = f"由 {by} 运行"[:200]
    return Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(**fields) == 1


def run_job(job_id: int, *, claimed: bool = False) -> bool:
    """Runs a queued job (claiming it first unless the caller did); False if another
    process had already claimed it."""
    if not claimed and not claim_job(job_id):
        return False
    job = Job.objects.get(pk=job_id)
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
    return True


class Worker:
    """`doudi worker`: claims queued jobs oldest first and runs them one at a time in this
    process. Several workers may run side by side (the claim is a compare-and-set).
    SIGTERM/SIGINT let the current job finish, then the loop ends."""

    def __init__(self, *, poll_seconds: float = 2.0, stdout=None):
        self.poll_seconds, self.stdout = poll_seconds, stdout
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()

    def stop(self, *_args) -> None:
        self._stop.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def _say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text)
            self.stdout.flush()

    def run_queued(self) -> int:
        """Runs every job queued now (and any queued meanwhile); returns how many it ran."""
        ran = 0
        while not self._stop.is_set():
            fail_stale_jobs()
            claimed = None
            for job_id in Job.objects.filter(status=Job.Status.QUEUED).order_by("id").values_list("id", flat=True)[:20]:
                if claim_job(job_id, by=f"后台任务进程 {self.name}"):
                    claimed = job_id
                    break
            if claimed is None:
                return ran
            self._say(f"[任务] 开始第 {claimed} 号任务")
            run_job(claimed, claimed=True)
            status = Job.objects.filter(pk=claimed).values_list("status", flat=True).first()
            self._say(f"[任务] 第 {claimed} 号任务结束：{Job.Status(status).label if status else '已删除'}")
            ran += 1
        return ran

    def run_forever(self) -> None:
        self._say(f"后台任务进程 {self.name} 已启动，每 {self.poll_seconds:g} 秒查看一次任务队列（Ctrl+C 停止）")
        while not self._stop.is_set():
            try:
                close_old_connections()  # a connection the server dropped while idle is reopened
                self.run_queued()
            except Exception:  # noqa: BLE001 - a lost database connection must not end the worker
                log.exception("worker loop failed; retrying")
                connections.close_all()
            self._stop.wait(self.poll_seconds)
        connections.close_all()
        self._say(f"后台任务进程 {self.name} 已停止")


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
    return Job.objects.filter(status=Job.Status.RUNNING, updated_at__lt=limit).update(
        status=Job.Status.FAILED, error=STALE_ERROR, finished_at=now, updated_at=now
    )


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
