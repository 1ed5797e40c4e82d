"""Job pages: only the starter and the roles that may run that kind of job over its
region see them (issue 12, A11); a job cut off by a crash does not stay 运行中."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import TOWNSHIP_A, TOWNSHIP_B
from doudi.core.jobs import fail_stale_jobs, run_job
from doudi.core.models import Job


def job(user, kind, **params):
    return Job.objects.create(
        kind=kind,
        label="任务",
        target="doudi.core.tests.test_jobs:count_to",
        params=params,
        created_by=user,
        status=Job.Status.DONE,
    )


def seen_by(client, users, record, names):
    shown = set()
    for name in names:
        client.force_login(users[name])
        status = client.get(reverse("job_detail", args=[record.pk])).status_code
        assert status in (200, 404), (name, status)
        if status == 200:
            shown.add(name)
    return shown


ALL = ("admin", "staff", "clerk_a", "clerk_b", "helper_a1", "finance", "supervisor", "uploader")


@pytest.mark.django_db
def test_evaluation_job_seen_by_starter_and_county_evaluators_only(client, users):
    record = job(users["staff"], "evaluation", region_code=TOWNSHIP_A, month="2025-01")
    assert seen_by(client, users, record, ALL) == {"staff", "admin"}


@pytest.mark.django_db
def test_payroll_job_hidden_from_finance_supervisor_and_uploader(client, users):
    record = job(users["admin"], "payroll", region=TOWNSHIP_B, period="2025-01")
    assert seen_by(client, users, record, ALL) == {"admin", "staff"}


@pytest.mark.django_db
def test_comparison_job_of_the_county_not_shown_to_a_township(client, users):
    record = job(users["staff"], "comparison", region_code="140521", as_of="2025-01-01")
    assert seen_by(client, users, record, ALL) == {"staff", "admin"}


@pytest.mark.django_db
def test_unknown_kind_is_the_starters_only(client, users):
    record = job(users["clerk_a"], "something-new")
    assert seen_by(client, users, record, ALL) == {"clerk_a"}


@pytest.mark.django_db
def test_progress_fragment_follows_the_same_rule(client, users):
    record = job(users["staff"], "evaluation", region_code=TOWNSHIP_A)
    client.force_login(users["finance"])
    assert client.get(reverse("job_progress", args=[record.pk])).status_code == 404


def running(user, minutes_ago):
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    record = Job.objects.create(
        kind="evaluation", label="中断的任务", target="x:y", params={}, created_by=user, status=Job.Status.RUNNING, started_at=at
    )
    Job.objects.filter(pk=record.pk).update(updated_at=at, created_at=at)
    return record


@pytest.mark.django_db
def test_a_job_cut_off_by_a_crash_is_marked_failed(client, users):
    dead, alive = running(users["staff"], 30), running(users["staff"], 1)
    client.force_login(users["staff"])
    page = client.get(reverse("job_detail", args=[dead.pk])).content.decode()
    dead.refresh_from_db(), alive.refresh_from_db()
    assert dead.status == Job.Status.FAILED and "中断" in dead.error and dead.finished_at is not None
    assert "失败" in page and "中断" in page
    assert alive.status == Job.Status.RUNNING
    assert fail_stale_jobs() == 0


@pytest.mark.django_db(transaction=True)
def test_a_running_job_has_a_heartbeat(users):
    """A step may report no progress for a long time: the heartbeat keeps its row fresh,
    so only a job whose process is gone goes stale."""
    import time

    from doudi.core.jobs import Heartbeat

    record = running(users["staff"], 5)
    before = Job.objects.get(pk=record.pk).updated_at
    beat = Heartbeat(record.pk, interval=0.05)
    beat.start()
    time.sleep(0.4)  # the test only waits: SQLite's test database dislikes two threads at once
    beat.stop()
    assert Job.objects.get(pk=record.pk).updated_at > before


@pytest.mark.django_db
def test_run_job_beats_while_the_job_runs(users, monkeypatch):
    import doudi.core.jobs as jobs

    seen = []

    class Recorder:
        def __init__(self, job_id, interval):
            seen.append(("new", job_id))

        def start(self):
            seen.append("start")

        def stop(self):
            seen.append("stop")

    monkeypatch.setattr(jobs, "Heartbeat", Recorder)
    record = Job.objects.create(
        kind="test", label="任务", target="doudi.core.tests.test_jobs:count_to", params={"n": 1}, created_by=users["staff"]
    )
    run_job(record.pk)
    assert seen == [("new", record.pk), "start", "stop"]
