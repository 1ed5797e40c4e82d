"""政策测算: change parameters, run the county as a background job, read the effect by
township × category, chart it and export it. The computing lives in services.py."""
from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import redirect, render

from doudi.assessment.forms import ChangeFormSet, SimulationForm
from doudi.assessment.labels import MONTHLY_CATEGORIES
from doudi.core.jobs import job_start
from doudi.core.models import Job, Region
from doudi.core.permissions import require
from doudi.core.roles import SIMULATE_POLICY
from doudi.core.scoping import scope

JOB_KIND = "simulation"
JOB_TARGET = "doudi.assessment.services:simulation_job"


def _regions(user) -> list[Region]:
    """Counties in the user's scope, or the user's own region when it lies below a county."""
    counties = list(scope(Region.objects.filter(level=Region.Level.COUNTY), user, "code").order_by("code"))
    if counties or not user.scope_code:
        return counties
    return list(Region.objects.filter(code=user.scope_code))


def next_month() -> str:
    today = dt.date.today()
    return f"{today.year + today.month // 12}-{today.month % 12 + 1:02d}"


def scoped_job(user, pk: int, kind: str) -> Job:
    """A job of this kind started by the user or by someone inside the user's scope."""
    job = Job.objects.select_related("created_by").filter(pk=pk, kind=kind).first()
    starter = job.created_by if job else None
    scope_code = getattr(user, "scope_code", None)
    if job is None or scope_code is None or (starter and starter.pk != user.pk
                                             and not (starter.region_id or "").startswith(scope_code)):
        raise Http404("没有找到该测算任务，或不在您的管辖范围内")
    return job


def _recent(user):
    jobs = Job.objects.filter(kind=JOB_KIND).select_related("created_by")
    if user.scope_code:
        jobs = jobs.filter(created_by__region__code__startswith=user.scope_code)
    return jobs[:10]


@require(SIMULATE_POLICY)
def simulate(request):
    regions = _regions(request.user)
    data = request.POST if request.method == "POST" else None
    month = next_month()
    form = SimulationForm(data, regions=regions, initial={"month": month})
    changes = ChangeFormSet(data, prefix="changes", initial=[{"how": "percent", "start": month}])
    if data is not None and form.is_valid() & changes.is_valid():
        rows = [f.change() for f in changes.forms if f.cleaned_data]
        if rows:
            region = next(r for r in regions if r.code == form.cleaned_data["region"])
            job = job_start(kind=JOB_KIND, label=f"{region.name} {form.cleaned_data['month']} 政策测算",
                            target=JOB_TARGET, user=request.user,
                            params={"region_code": region.code, "month": form.cleaned_data["month"], "changes": rows})
            return redirect("job_detail", pk=job.pk)
        changes._non_form_errors = changes.error_class(["请至少填写一项参数调整"])
    return render(request, "assessment/simulate.html", {
        "form": form, "changes": changes, "jobs": _recent(request.user),
    }, status=400 if data is not None else 200)


@require(SIMULATE_POLICY)
def simulate_row(request):
    """One blank change row (htmx)."""
    try:
        index = max(0, int(request.GET.get("changes-TOTAL_FORMS", "0")))
    except ValueError:
        index = 0
    formset = ChangeFormSet(prefix="changes")
    form = formset.form(prefix=formset.add_prefix(index), auto_id=formset.auto_id, use_required_attribute=False,
                        initial={"how": "percent", "start": request.GET.get("month") or next_month()})
    return render(request, "assessment/_row_added.html", {"kind": "changes", "form": form, "total": index + 1,
                                                           "row_template": "assessment/_changes_row.html"})


@require(SIMULATE_POLICY)
def simulation_result(request, pk: int):
    job = scoped_job(request.user, pk, JOB_KIND)
    if job.status != Job.Status.DONE:
        return redirect("job_detail", pk=job.pk)
    from doudi.assessment import services

    result = job.result
    if request.GET.get("export") == "xlsx":
        return services.simulation_xlsx(result)
    return render(request, "assessment/simulation_result.html", {
        "job": job, "result": result, "categories": MONTHLY_CATEGORIES,
    })
