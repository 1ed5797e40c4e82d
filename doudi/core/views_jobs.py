"""The page of one background job: a progress bar that htmx refreshes until it ends."""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from doudi.core.jobs import fail_stale_jobs, may_see
from doudi.core.models import Job


def _visible_job(user, pk: int) -> Job:
    """A job the user may see (jobs.may_see); any other is a 404, like one that does not exist."""
    fail_stale_jobs()  # a job whose process died shows 失败, not a progress bar forever
    job = Job.objects.select_related("created_by").filter(pk=pk).first()
    if job is None or not may_see(user, job):
        raise Http404("没有找到这个任务，或您无权查看")
    return job


@login_required
def job_detail(request, pk: int):
    return render(request, "core/job_detail.html", {"job": _visible_job(request.user, pk)})


@login_required
def job_progress(request, pk: int):
    return render(request, "core/_job_progress.html", {"job": _visible_job(request.user, pk)})
