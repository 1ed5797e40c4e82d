"""The page of one background job: a progress bar that htmx refreshes until it ends, and
for a failed job a 「重新运行」 button (POST to the same page) for users allowed to start
that kind of job (core/jobs.py may_restart)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from doudi.core.jobs import fail_stale_jobs, job_restart, may_restart, may_see
from doudi.core.models import Job


def _visible_job(user, pk: int) -> Job:
    """A job the user may see (jobs.may_see); any other is a 404, like one that does not exist."""
    fail_stale_jobs()  # a job whose process died shows 失败, not a progress bar forever
    job = Job.objects.select_related("created_by").filter(pk=pk).first()
    if job is None or not may_see(user, job):
        raise Http404("没有找到这个任务，或您无权查看")
    return job


def _context(user, job: Job) -> dict:
    return {"job": job, "can_restart": may_restart(user, job)}


@login_required
def job_detail(request, pk: int):
    job = _visible_job(request.user, pk)
    if request.method == "POST":
        if request.POST.get("action") != "restart" or not may_restart(request.user, job):
            raise PermissionDenied("只有失败的任务可以重新运行，且须有发起这类任务的权限")
        new = job_restart(job, request.user)
        messages.success(request, f"已重新发起：第 {new.pk} 号任务（原第 {job.pk} 号任务的参数）")
        return redirect("job_detail", pk=new.pk)
    return render(request, "core/job_detail.html", _context(request.user, job))


@login_required
def job_progress(request, pk: int):
    job = _visible_job(request.user, pk)
    return render(request, "core/_job_progress.html", _context(request.user, job))
