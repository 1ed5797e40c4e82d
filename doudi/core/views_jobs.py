"""The page of one background job: a progress bar that htmx refreshes until it ends."""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from doudi.core.models import Job


def _visible_job(user, pk: int) -> Job:
    """The starter sees a job; so does anyone whose region scope covers the starter's."""
    job = Job.objects.select_related("created_by").filter(pk=pk).first()
    scope = user.scope_code
    if job is None or scope is None:
        raise Http404
    starter = job.created_by
    if starter and starter.pk != user.pk and not (starter.region_id or "").startswith(scope):
        raise Http404
    return job


@login_required
def job_detail(request, pk: int):
    return render(request, "core/job_detail.html", {"job": _visible_job(request.user, pk)})


@login_required
def job_progress(request, pk: int):
    return render(request, "core/_job_progress.html", {"job": _visible_job(request.user, pk)})
