"""Pages for institutions: the list (search, filters, Excel, print), one institution's page
with residents, inspections and findings, 应急预案 and duty roster, and the county-wide lists
of residents, open findings and the festival roster. Thin: reads through selectors (another
region is a 404), writes through services/institutions.py (a refusal is a Chinese message)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from doudi.core.exports import export_response, xlsx_response
from doudi.core.permissions import require
from doudi.core.roles import MANAGE_INSTITUTIONS, VIEW_INSTITUTIONS, can
from doudi.services import institutions as svc
from doudi.services import selectors
from doudi.services.common import ServiceError
from doudi.services.models import DutyShift, Finding, Inspection, Institution

PAGE_SIZE = 50


def _filters(request, *keys) -> dict:
    return {k: request.GET.get(k, "").strip()[:40] for k in keys}


def _date(raw: str):
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@require(VIEW_INSTITUTIONS)
def institution_list(request):
    f = _filters(request, "q", "kind", "township", "heating")
    rows = selectors.institution_search(request.user, **f)
    if request.GET.get("export") == "xlsx":
        headers = [
            "机构名称",
            "机构类型",
            "所在区划",
            "地址",
            "床位总数",
            "护理型床位",
            "冬季保障床位",
            "取暖方式",
            "在住人数",
            "待整改隐患",
            "负责人",
            "联系电话",
            "安全联络人",
            "联络人电话",
        ]
        return xlsx_response(
            "服务机构.xlsx",
            "特殊困难群众服务机构",
            headers,
            (
                [
                    i.name,
                    i.get_kind_display(),
                    i.region.name,
                    i.address,
                    i.beds,
                    i.nursing_beds,
                    i.winter_beds,
                    i.get_heating_display(),
                    i.resident_count,
                    i.open_findings,
                    i.head,
                    i.phone,
                    i.contact,
                    i.contact_phone,
                ]
                for i in rows.iterator(chunk_size=2000)
            ),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "services/institution_list.html",
        {
            "page": page,
            "f": f,
            "kinds": Institution.Kind.choices,
            "heatings": Institution.Heating.choices,
            "townships": selectors.townships_for(request.user),
            "may_manage": can(request.user, MANAGE_INSTITUTIONS),
        },
    )


def _form(request, institution=None, status=200):
    return render(
        request,
        "services/institution_form.html",
        {
            "institution": institution,
            "data": request.POST or (_initial(institution) if institution else {}),
            "kinds": Institution.Kind.choices,
            "heatings": Institution.Heating.choices,
            "regions": selectors.region_choices(request.user),
        },
        status=status,
    )


def _initial(i: Institution) -> dict:
    return {
        k: getattr(i, k)
        for k in (
            "name",
            "kind",
            "address",
            "beds",
            "nursing_beds",
            "winter_beds",
            "heating",
            "head",
            "phone",
            "contact",
            "contact_phone",
        )
    } | {"region": i.region_id}


@require(MANAGE_INSTITUTIONS)
def institution_new(request):
    if request.method == "POST":
        try:
            institution = svc.institution_save(user=request.user, data=request.POST)
        except ServiceError as exc:
            messages.error(request, str(exc))
            return _form(request, status=400)
        messages.success(request, f"已登记机构「{institution.name}」")
        return redirect("services:institution", pk=institution.pk)
    return _form(request)


@require(MANAGE_INSTITUTIONS)
def institution_edit(request, pk):
    institution = selectors.institution_get(request.user, pk)
    if request.method == "POST":
        try:
            svc.institution_save(user=request.user, data=request.POST, institution=institution)
        except ServiceError as exc:
            messages.error(request, str(exc))
            return _form(request, institution, status=400)
        messages.success(request, "已保存")
        return redirect("services:institution", pk=pk)
    return _form(request, institution)


@require(VIEW_INSTITUTIONS)
def institution_detail(request, pk):
    institution = selectors.institution_get(request.user, pk)
    inspections = list(institution.inspections.prefetch_related("findings").all()[:20])
    today = dt.date.today()
    return render(
        request,
        "services/institution_detail.html",
        {
            "i": institution,
            "residents": institution.residents.filter(until__isnull=True).select_related("person"),
            "inspections": inspections,
            "plans": institution.plans.select_related("uploaded_by")[:5],
            "shifts": institution.shifts.filter(on__gte=today - dt.timedelta(days=7))[:60],
            "may_manage": can(request.user, MANAGE_INSTITUTIONS),
            "today": today,
            "inspection_kinds": Inspection.Kind.choices,
            "areas": Finding.Area.choices,
            "posts": DutyShift.Post.choices,
        },
    )


def _post(request, pk, write, success: str):
    institution = selectors.institution_get(request.user, pk)
    try:
        write(institution)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("services:institution", pk=pk)


@require_POST
@require(MANAGE_INSTITUTIONS)
def resident_add(request, pk):
    return _post(request, pk, lambda i: svc.resident_add(user=request.user, institution=i, data=request.POST), "已登记入住")


@require_POST
@require(MANAGE_INSTITUTIONS)
def resident_leave(request, pk, rid):
    institution = selectors.institution_get(request.user, pk)
    resident = selectors.resident_get(request.user, institution, rid)
    return _post(request, pk, lambda i: svc.resident_leave(user=request.user, resident=resident, data=request.POST), "已登记离开")


@require_POST
@require(MANAGE_INSTITUTIONS)
def inspection_add(request, pk):
    return _post(request, pk, lambda i: svc.inspection_add(user=request.user, institution=i, data=request.POST), "已登记安全检查")


@require_POST
@require(MANAGE_INSTITUTIONS)
def finding_add(request, pk, iid):
    institution = selectors.institution_get(request.user, pk)
    inspection = institution.inspections.filter(pk=iid).first()
    if inspection is None:
        from django.http import Http404

        raise Http404("没有找到该检查")
    return _post(
        request, pk, lambda i: svc.finding_add(user=request.user, inspection=inspection, data=request.POST), "已登记隐患"
    )


@require_POST
@require(MANAGE_INSTITUTIONS)
def finding_fix(request, fid):
    finding = selectors.finding_get(request.user, fid)
    if str(finding.version) != request.POST.get("version", str(finding.version)):
        messages.error(request, "该隐患已被他人处理，请查看最新状态")
    else:
        try:
            svc.finding_fix(
                user=request.user,
                finding=finding,
                note=request.POST.get("fix_note", ""),
                fixed_on=request.POST.get("fixed_on", ""),
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已登记整改完成")
    if request.POST.get("next") == "list":
        return redirect("services:findings")
    return redirect("services:institution", pk=finding.institution_id)


@require_POST
@require(MANAGE_INSTITUTIONS)
def plan_upload(request, pk):
    return _post(
        request,
        pk,
        lambda i: svc.plan_upload(
            user=request.user, institution=i, upload=request.FILES.get("file"), title=request.POST.get("title", "")
        ),
        "已上传应急预案",
    )


@require(VIEW_INSTITUTIONS)
def plan_file(request, pk, plan):
    institution = selectors.institution_get(request.user, pk)
    item = selectors.plan_get(request.user, institution, plan)
    response = FileResponse(item.file.open("rb"), content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@require_POST
@require(MANAGE_INSTITUTIONS)
def duty_add(request, pk):
    return _post(request, pk, lambda i: svc.duty_add(user=request.user, institution=i, data=request.POST), "已登记值班")


@require(VIEW_INSTITUTIONS)
def resident_list(request):
    f = _filters(request, "q", "township")
    rows = selectors.residents_for(request.user, **f)
    if request.GET.get("export") == "xlsx":
        headers = ["机构", "所在区划", "姓名", "身份证号", "入住日期", "备注"]
        return export_response(
            request,
            "机构入住人员.xlsx",
            "服务机构入住人员（集中供养）",
            headers,
            lambda mask: (
                [
                    r.institution.name,
                    r.institution.region.name,
                    r.person.name,
                    mask.id(r.person.id_number),
                    r.since.isoformat(),
                    r.note,
                ]
                for r in rows.iterator(chunk_size=2000)
            ),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "services/resident_list.html", {"page": page, "f": f, "townships": selectors.townships_for(request.user)}
    )


@require(VIEW_INSTITUTIONS)
def finding_list(request):
    f = _filters(request, "q", "township", "area")
    f["state"] = request.GET.get("state", "open")
    rows = selectors.findings_for(request.user, **f)
    if request.GET.get("export") == "xlsx":
        headers = ["机构", "所在区划", "检查日期", "隐患类别", "隐患描述", "整改期限", "状态", "整改情况", "整改完成日期"]
        return xlsx_response(
            "安全隐患.xlsx",
            "服务机构安全隐患整改台账",
            headers,
            (
                [
                    x.institution.name,
                    x.institution.region.name,
                    x.inspection.on.isoformat(),
                    x.get_area_display(),
                    x.description,
                    x.due.isoformat() if x.due else "",
                    x.get_state_display(),
                    x.fix_note,
                    x.fixed_on.isoformat() if x.fixed_on else "",
                ]
                for x in rows.iterator(chunk_size=2000)
            ),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "services/finding_list.html",
        {
            "page": page,
            "f": f,
            "states": Finding.State.choices,
            "areas": Finding.Area.choices,
            "townships": selectors.townships_for(request.user),
            "may_manage": can(request.user, MANAGE_INSTITUTIONS),
            "today": dt.date.today(),
        },
    )


@require(VIEW_INSTITUTIONS)
def duty_list(request):
    f = _filters(request, "q", "township", "start", "end")
    rows = selectors.shifts_for(request.user, start=_date(f["start"]), end=_date(f["end"]), township=f["township"], q=f["q"])
    if request.GET.get("export") == "xlsx":
        headers = ["值班日期", "机构", "所在区划", "岗位", "值班人", "值班电话"]
        return xlsx_response(
            "值班值守表.xlsx",
            "节日期间值班值守安排表",
            headers,
            (
                [s.on.isoformat(), s.institution.name, s.institution.region.name, s.get_post_display(), s.person, s.phone]
                for s in rows.iterator(chunk_size=2000)
            ),
        )
    page = Paginator(rows, PAGE_SIZE * 4).get_page(request.GET.get("page"))
    return render(request, "services/duty_list.html", {"page": page, "f": f, "townships": selectors.townships_for(request.user)})
