"""政策测算: change parameters, run the county as a background job, read the effect by
township × category, chart it and export it. The computing lives in services.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from doudi.assessment.forms import ChangeFormSet, SimulationForm
from doudi.assessment.labels import MONTHLY_CATEGORIES, value_label
from doudi.core.jobs import job_start
from doudi.core.models import Job, Region
from doudi.core.permissions import require
from doudi.core.roles import SIMULATE_POLICY
from doudi.core.scoping import scope
from doudi.rules.schema import PARAMETERS

JOB_KIND = "simulation"
JOB_TARGET = "doudi.assessment.views_simulate:simulation_page_job"


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
    if (
        job is None
        or scope_code is None
        or (starter and starter.pk != user.pk and not (starter.region_id or "").startswith(scope_code))
    ):
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
            job = job_start(
                kind=JOB_KIND,
                label=f"{region.name} {form.cleaned_data['month']} 政策测算",
                target=JOB_TARGET,
                user=request.user,
                params={
                    "region_code": region.code,
                    "month": form.cleaned_data["month"],
                    "changes": rows,
                    "categories": form.cleaned_data["categories"] or None,
                    "user_id": request.user.pk,
                },
            )
            return redirect("job_detail", pk=job.pk)
        changes._non_form_errors = changes.error_class(["请至少填写一项参数调整"])
    return render(
        request,
        "assessment/simulate.html",
        {
            "form": form,
            "changes": changes,
            "jobs": _recent(request.user),
        },
        status=400 if data is not None else 200,
    )


def simulation_page_job(progress, **params) -> dict:
    """The service's job (services.simulation_job) plus what the job page shows when it ends."""
    from doudi.assessment.services import simulation_job

    result = simulation_job(progress, **params)
    totals = result["totals"]
    summary = (
        f"调整前 {totals['persons_before']} 人次、每月 {totals['budget_before']} 元；调整后 {totals['persons_after']} 人次、"
        f"每月 {totals['budget_after']} 元（新增 {totals['entering']}，退出 {totals['leaving']}）。"
    )
    return {**result, "summary": summary, "url": reverse("assessment:simulation_result", args=[progress.job_id])}


@require(SIMULATE_POLICY)
def simulate_row(request):
    """One blank change row (htmx)."""
    try:
        index = max(0, int(request.GET.get("changes-TOTAL_FORMS", "0")))
    except ValueError:
        index = 0
    formset = ChangeFormSet(prefix="changes")
    form = formset.form(
        prefix=formset.add_prefix(index),
        auto_id=formset.auto_id,
        use_required_attribute=False,
        initial={"how": "percent", "start": request.GET.get("month") or next_month()},
    )
    return render(
        request,
        "assessment/_row_added.html",
        {"kind": "changes", "form": form, "total": index + 1, "row_template": "assessment/_changes_row.html"},
    )


@require(SIMULATE_POLICY)
def simulation_result(request, pk: int):
    job = scoped_job(request.user, pk, JOB_KIND)
    if job.status != Job.Status.DONE:
        return redirect("job_detail", pk=job.pk)
    result = job.result
    if request.GET.get("export") == "xlsx":
        from doudi.assessment import services
        from doudi.core.exports import ExportMeta

        region = Region.objects.filter(code=result["region_code"]).first()
        changes = "；".join(
            f"{c['label']}{c['text']}（{c['from']}起）" for c in map(describe_change, job.params.get("changes", []))
        )
        meta = ExportMeta(
            unit="元；人",
            user=request.user,
            total=False,  # the table has its own 合计 row
            filters=[
                ("测算区划", region.name if region else result["region_code"]),
                ("测算月份", result["month"]),
                ("参数调整", changes),
            ],
        )
        return services.simulation_xlsx(result, meta)
    table = simulation_table(result)
    return render(
        request,
        "assessment/simulation_result.html",
        {"job": job, "result": result, "changes": [describe_change(c) for c in job.params.get("changes", [])], **table},
    )


def describe_change(change: dict) -> dict:
    """{"label": 农村低保标准…, "text": 提高 5% / 改为 700 元, "from": 2025-02-01}."""
    spec = PARAMETERS.get(change["parameter"])
    if change.get("percent") is not None:
        percent = Decimal(str(change["percent"]))
        text = f"{'提高' if percent >= 0 else '降低'} {abs(percent)}%"
    else:
        text = f"改为 {value_label(Decimal(str(change['value'])), spec.unit if spec else None)}"
    return {"label": spec.zh if spec else change["parameter"], "text": text, "from": change["from"]}


COUNTS = ("persons_before", "persons_after", "entering", "leaving")
MONEY = ("budget_before", "budget_after")


def _total(rows: list[dict], **label) -> dict:
    total = {key: sum(int(r[key]) for r in rows) for key in COUNTS}
    total.update({key: sum((Decimal(str(r[key])) for r in rows), Decimal(0)) for key in MONEY})
    return {**label, **total, "budget_change": total["budget_after"] - total["budget_before"]}


def simulation_table(result: dict) -> dict:
    """Rows by township × category, subtotals per category, the grand total and chart data."""
    order = list(MONTHLY_CATEGORIES)
    rows = sorted(
        result.get("rows", []), key=lambda r: (r["township"], order.index(r["category"]) if r["category"] in order else 99)
    )
    shown = [
        _total(
            [r],
            township=r["township"],
            township_name=r.get("township_name") or r["township"],
            category=MONTHLY_CATEGORIES.get(r["category"], r["category"]),
        )
        for r in rows
    ]
    by_category = [
        _total([r for r in rows if r["category"] == c], category=label)
        for c, label in MONTHLY_CATEGORIES.items()
        if any(r["category"] == c for r in rows)
    ]
    townships = {}
    for row in shown:
        townships.setdefault(row["township"], []).append(row)
    chart = {
        "labels": [rs[0]["township_name"] for rs in townships.values()],
        "before": [float(sum(r["budget_before"] for r in rs)) for rs in townships.values()],
        "after": [float(sum(r["budget_after"] for r in rs)) for rs in townships.values()],
    }
    return {"rows": shown, "by_category": by_category, "total": _total(rows, category="合计"), "chart": chart}
