"""Background jobs: results, failures in Chinese, progress, visibility by region scope."""

import threading

import pytest
from django.urls import reverse

from doudi.core.jobs import JobFailed, job_start
from doudi.core.models import Job


def count_to(progress, *, n):
    for i in range(1, n + 1):
        progress.update(i, n, message=f"第{i}步")
    return {"summary": f"共{n}步", "url": "/households/"}


def refuse(progress, *, why):
    raise JobFailed(why)


def crash(progress):
    return 1 / 0


def start(user, target, **params):
    return job_start(kind="test", label="测试任务", target=f"{__name__}:{target}", params=params, user=user)


@pytest.mark.django_db
def test_job_result_and_progress_shown(client, users):
    job = start(users["clerk_a"], "count_to", n=3)
    assert (job.status, job.done, job.total, job.result["summary"]) == ("done", 3, 3, "共3步")
    client.force_login(users["clerk_a"])
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "共3步" in page and 'href="/households/"' in page and "已完成" in page


@pytest.mark.django_db
def test_failures_are_reported_in_chinese(users):
    refused = start(users["clerk_a"], "refuse", why="没有可比对的部门数据")
    crashed = start(users["clerk_a"], "crash")
    assert (refused.status, refused.error) == ("failed", "没有可比对的部门数据")
    assert crashed.status == "failed" and f"任务编号 {crashed.pk}" in crashed.error and "ZeroDivision" not in crashed.error


@pytest.mark.django_db
def test_job_visible_to_starter_and_wider_scope_only(client, users):
    # A kind of job the county staff may run (core.jobs.KIND_PERMISSIONS); more in test_security_jobs.
    job = job_start(kind="evaluation", label="测试任务", target=f"{__name__}:count_to", params={"n": 1}, user=users["clerk_a"])
    for name, status in (("clerk_a", 200), ("staff", 200), ("clerk_b", 404), ("helper_a1", 404)):
        client.force_login(users[name])
        assert client.get(reverse("job_progress", args=[job.pk])).status_code == status, name


@pytest.mark.django_db(transaction=True)
def test_job_runs_in_background_thread(settings, users):
    settings.DOUDI_JOBS_SYNC = False
    job = start(users["clerk_a"], "count_to", n=2)
    # Join the job's thread rather than poll: SQLite's shared-cache test database
    # reports "table is locked" when two connections touch core_job at once.
    for thread in threading.enumerate():
        if thread.name == f"job-{job.pk}":  # absent when it already finished
            thread.join(timeout=30)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result["summary"] == "共2步"
