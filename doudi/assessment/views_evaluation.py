"""批量评估: start a monthly evaluation (background job), list the runs, and work through
the differences (who should start, stop, or get a new amount) by township and category.
The evaluation itself is services.evaluation_run; reads go through selectors (scoped)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from doudi.assessment import selectors
from doudi.assessment.forms import clean_month, month_field
from doudi.assessment.labels import MONTHLY_CATEGORIES
from doudi.assessment.models import Difference, EvaluationRun
from doudi.core import codes, idnumber
from doudi.core.exports import ExportMeta, list_page, xlsx_response
from doudi.core.jobs import job_start
from doudi.core.models import Region
from doudi.core.permissions import require
from doudi.core.roles import ASSESS, RUN_EVALUATION, can
from doudi.core.scoping import scope
from doudi.rules.reasons import REASONS

PAGE_SIZE = 50
SORTS = {
    "township": "乡镇",
    "household": "户编号",
    "category": "保障类别",
    "change": "变化",
    "-new_amount": "测算金额（高到低）",
    "-held_amount": "现享受金额（高到低）",
}
EXPORT_HEADERS = [
    "乡镇",
    "户编号",
    "姓名",
    "身份证号",
    "保障类别",
    "变化",
    "现享受金额（元）",
    "测算金额（元）",
    "增减（元）",
    "原因",
]


class EvaluationForm(forms.Form):
    region = forms.ChoiceField(label="评估范围", error_messages={"invalid_choice": "所选区划不在您的管辖范围内"})
    month = month_field("评估月份")

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, f"{r.name}（{r.code}）") for r in regions]

    def clean_month(self):
        return clean_month(self.cleaned_data["month"])


def _regions(user) -> list[Region]:
    """Counties and townships in the user's scope (or the user's own region)."""
    levels = (Region.Level.COUNTY, Region.Level.TOWNSHIP)
    found = list(scope(Region.objects.filter(level__in=levels), user, "code").order_by("code")[:500])
    return found or list(Region.objects.filter(code=user.scope_code or "-"))


def _start(request, regions):
    form = EvaluationForm(request.POST, regions=regions)
    if not form.is_valid():
        return form, None
    region = next(r for r in regions if r.code == form.cleaned_data["region"])
    month = form.cleaned_data["month"]
    job = job_start(
        kind="evaluation",
        label=f"{region.name} {month} 月度批量评估",
        target="doudi.assessment.services:evaluation_job",
        user=request.user,
        params={"month": month, "region_code": region.code, "user_id": request.user.pk},
    )
    return form, job


@require(ASSESS)
def evaluation_list(request):
    may_run = can(request.user, RUN_EVALUATION)
    regions = _regions(request.user) if may_run else []
    form = EvaluationForm(regions=regions, initial={"month": request.GET.get("month") or _this_month()}) if may_run else None
    status = 200
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied("您的角色无权发起批量评估")
        form, job = _start(request, regions)
        if job is not None:
            return redirect("job_detail", pk=job.pk)
        status = 400
    page = Paginator(selectors.runs_visible(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    names = _region_names({r.region_code for r in page.object_list})
    return render(
        request,
        "assessment/evaluation_list.html",
        {
            "form": form,
            "page": page,
            "rows": [(r, names.get(r.region_code, r.region_code)) for r in page.object_list],
        },
        status=status,
    )


def _this_month() -> str:
    from django.utils import timezone

    return timezone.localdate().strftime("%Y-%m")


def _region_names(region_codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(region_codes)).values_list("code", "name"))


def _filters(request) -> dict:
    values = {key: request.GET.get(key, "").strip() for key in ("township", "category", "change", "sort")}
    values["sort"] = values["sort"] if values["sort"] in SORTS else "township"
    return values


@require(ASSESS)
def evaluation_detail(request, pk: int):
    try:
        run = selectors.run_get(request.user, pk)
    except EvaluationRun.DoesNotExist:
        raise Http404("没有找到该批量评估，或不在您的管辖范围内") from None
    filters = _filters(request)
    rows = selectors.differences_for(
        request.user,
        run,
        township=filters["township"] or None,
        category=filters["category"] or None,
        change=filters["change"] or None,
        order=filters["sort"],
    ).select_related("person")
    summary = selectors.difference_summary(request.user, run)
    townships = _region_names({s["township_code"] for s in summary})
    region_name = _region_names([run.region_code]).get(run.region_code, run.region_code)
    meta = ExportMeta(
        unit="元",
        user=request.user,
        filters=[
            ("评估范围", region_name),
            ("评估月份", run.month),
            ("乡镇", townships.get(filters["township"], filters["township"])),
            ("保障类别", MONTHLY_CATEGORIES.get(filters["category"], filters["category"])),
            ("变化", dict(Difference.Change.choices).get(filters["change"], filters["change"])),
        ],
    )
    title = f"{region_name} {run.month} 批量评估差异"
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"批量评估差异-{run.month}-{run.region_code}.xlsx",
            f"{run.month} 批量评估差异",
            EXPORT_HEADERS,
            (_export_row(d, townships) for d in rows.iterator(chunk_size=2000)),
            meta,
        )
    page = list_page(request, rows, PAGE_SIZE)
    return render(
        request,
        "assessment/evaluation_detail.html",
        {
            "meta": meta,
            "print_title": title,
            "count_unit": "条",
            "run": run,
            "page": page,
            "filters": filters,
            "sorts": SORTS,
            "townships": townships,
            "categories": MONTHLY_CATEGORIES,
            "changes": Difference.Change.choices,
            "summary": _summary_table(summary, townships),
            "rows": [_row(d, townships) for d in page.object_list],
            "region_name": region_name,
        },
    )


def _summary_table(summary: list[dict], townships: dict) -> list[dict]:
    table: dict[str, dict] = {}
    for s in summary:
        row = table.setdefault(
            s["township_code"],
            {
                "name": townships.get(s["township_code"], s["township_code"]),
                "code": s["township_code"],
                "start": 0,
                "stop": 0,
                "change_amount": 0,
            },
        )
        row[s["change"]] = s["n"]
    return list(table.values())


def _row(d: Difference, townships: dict) -> dict:
    return {
        "township": townships.get(d.township_code, d.township_code),
        "household": d.household_code,
        "name": d.person.name if d.person else ("全户" if not d.person_key else ""),
        "id": idnumber.mask(d.person_key),
        "category": codes.CATEGORY_SHORT.get(d.category, d.category),
        "change": d.get_change_display(),
        "change_code": d.change,
        "held": d.held_amount,
        "new": d.new_amount,
        "delta": d.delta,
        "reasons": [REASONS[r][0] if r in REASONS else r for r in d.reason_list],
    }


def _export_row(d: Difference, townships: dict) -> list:
    r = _row(d, townships)
    # Decimal amounts become number cells with two decimals (core.exports): a delta of two
    # missing amounts is the int 0, written as 0.00 like the others.
    return [
        r["township"],
        r["household"],
        r["name"],
        r["id"],
        r["category"],
        r["change"],
        r["held"],
        r["new"],
        Decimal(r["delta"]).quantize(Decimal("0.01")),
        "；".join(r["reasons"]),
    ]
