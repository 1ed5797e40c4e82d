"""`doudi worker` (issue 12 C1): with DOUDI_JOBS=worker the web only queues a job; a worker
process claims it (compare-and-set, so two workers never run the same job) and runs it
through the same run_job; a job whose worker died is marked failed and can be run again
from its page."""

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import threading

import pytest
from django.urls import reverse
from django.utils import timezone

from doudi.core.jobs import STALE_ERROR, Worker, claim_job, job_start, run_job
from doudi.core.models import Job

TARGET = "doudi.core.tests.test_jobs:count_to"


def count_in_region(progress, *, n, region_code):
    progress.update(n, n)
    return {"summary": f"{region_code} 共{n}步"}


@pytest.fixture
def worker_mode(settings):
    settings.DOUDI_JOBS_SYNC = False
    settings.DOUDI_JOBS = "worker"


def doudi(*args, env):
    return subprocess.run([sys.executable, "-m", "doudi.cli", *args], env=env, capture_output=True, text=True, timeout=300)


def test_worker_once_in_its_own_process_runs_a_queued_job(tmp_path):
    """A real second process on a database file: queue with one process, run with another."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite3'}",
        "DOUDI_DATA_DIR": str(tmp_path),
        "DOUDI_ENV": "development",
        "DOUDI_JOBS": "worker",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    assert doudi("migrate", "-v", "0", env=env).returncode == 0
    queue = doudi(
        "shell",
        "--no-imports",
        "-c",
        "from doudi.core.jobs import job_start; "
        f"print(job_start(kind='test', label='测试', target='{TARGET}', params={{'n': 4}}, user=None).status)",
        env=env,
    )
    assert queue.stdout.strip().splitlines()[-1] == "queued", queue.stderr
    ran = doudi("worker", "--once", env=env)
    assert ran.returncode == 0, ran.stderr
    assert "运行了 1 个任务" in ran.stdout
    with sqlite3.connect(tmp_path / "w.sqlite3") as db:
        status, done, total, result = db.execute("select status, done, total, result from core_job").fetchone()
    assert (status, done, total) == ("done", 4, 4) and json.loads(result)["summary"] == "共4步"


@pytest.mark.django_db
def test_job_start_only_queues_in_worker_mode(worker_mode, users):
    job = job_start(kind="evaluation", label="测试", target=TARGET, params={"n": 2}, user=users["staff"])
    assert job.status == Job.Status.QUEUED
    assert not [t for t in threading.enumerate() if t.name == f"job-{job.pk}"]
    assert Worker().run_queued() == 1
    job.refresh_from_db()
    assert (job.status, job.result["summary"], job.started_at is not None) == ("done", "共2步", True)


@pytest.mark.django_db
def test_claim_is_compare_and_set(worker_mode, users):
    job = job_start(kind="test", label="测试", target=TARGET, params={"n": 1}, user=users["staff"])
    assert claim_job(job.pk, by="甲") is True
    assert claim_job(job.pk, by="乙") is False
    assert run_job(job.pk) is False  # a second runner finds it claimed and leaves it
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.message == "由 甲 运行"


@pytest.mark.django_db
def test_worker_marks_a_job_with_a_stale_heartbeat_failed(worker_mode, users):
    at = timezone.now() - dt.timedelta(minutes=11)
    dead = Job.objects.create(
        kind="evaluation",
        label="中断的任务",
        target=TARGET,
        params={"n": 1},
        created_by=users["staff"],
        status=Job.Status.RUNNING,
        started_at=at,
    )
    Job.objects.filter(pk=dead.pk).update(updated_at=at)
    assert Worker().run_queued() == 0
    dead.refresh_from_db()
    assert dead.status == Job.Status.FAILED and dead.error == STALE_ERROR and "中断" in dead.error


def failed_job(user, kind="evaluation"):
    return Job.objects.create(
        kind=kind,
        label="月度批量评估",
        target=f"{__name__}:count_in_region",
        params={"n": 3, "region_code": "140521100"},
        created_by=user,
        status=Job.Status.FAILED,
        error=STALE_ERROR,
    )


@pytest.mark.django_db
def test_restart_queues_a_new_job_with_the_same_arguments(worker_mode, client, users):
    old = failed_job(users["staff"])
    client.force_login(users["staff2"])
    page = client.get(reverse("job_detail", args=[old.pk])).content.decode()
    assert 'value="restart"' in page
    response = client.post(reverse("job_detail", args=[old.pk]), {"action": "restart"})
    new = Job.objects.exclude(pk=old.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[new.pk])
    assert (new.status, new.kind, new.target, new.params, new.label) == ("queued", old.kind, old.target, old.params, old.label)
    assert new.created_by == users["staff2"] and f"第 {old.pk} 号" in new.message
    old.refresh_from_db()
    assert old.status == Job.Status.FAILED  # the failed job stays as it was
    Worker().run_queued()
    new.refresh_from_db()
    assert new.status == Job.Status.DONE and new.result["summary"] == "140521100 共3步"


@pytest.mark.django_db
def test_restart_only_for_permitted_users_and_failed_jobs(worker_mode, client, users):
    old = failed_job(users["staff"])
    for name, status in (("clerk_b", 404), ("finance", 404), ("clerk_a", 404)):
        client.force_login(users[name])
        assert client.post(reverse("job_detail", args=[old.pk]), {"action": "restart"}).status_code == status, name
    # Its starter sees it, but may no longer start that kind of job (the role changed).
    unpermitted = failed_job(users["clerk_a"])
    client.force_login(users["clerk_a"])
    assert 'value="restart"' not in client.get(reverse("job_detail", args=[unpermitted.pk])).content.decode()
    assert client.post(reverse("job_detail", args=[unpermitted.pk]), {"action": "restart"}).status_code == 403
    unpermitted.delete()
    client.force_login(users["staff"])
    Job.objects.filter(pk=old.pk).update(status=Job.Status.DONE)
    assert 'value="restart"' not in client.get(reverse("job_detail", args=[old.pk])).content.decode()
    assert client.post(reverse("job_detail", args=[old.pk]), {"action": "restart"}).status_code == 403
    assert Job.objects.count() == 1
