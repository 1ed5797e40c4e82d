"""The visit form (附件1) on a phone, its printable page, signatures and photos, and the
visit list with its export. The form answers a fetch() from static/care/visit.js with JSON
(so a draft on the phone survives a failed send), and a plain POST with a page."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from doudi.care import groups, selectors, services
from doudi.care.forms import VisitForm
from doudi.care.models import VisitPhoto
from doudi.core.exports import ExportMask, export_response
from doudi.core.permissions import require
from doudi.core.roles import RECORD_CHILD_VISIT, RECORD_VISIT, VIEW_CARE, VIEW_CHILD_VISITS, can
from doudi.registry.models import Person

PAGE_SIZE = 50
EXPORT_HEADERS = [
    "走访时间",
    "乡镇(街道)",
    "村(社区)",
    "姓名",
    "身份证号",
    "性别",
    "年龄",
    "人员类别",
    "身体健康状况",
    *[f"{n}、{t}" for n, t in groups.SHORT_QUESTIONS.items()],
    "探访记录",
    "存在问题",
    "解决措施及时限",
    "走访排查人",
]


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _initial(person, today) -> dict:
    held = selectors.groups_of([person.pk]).get(person.pk, set())
    health = [
        code for code, hit in (("disabled", bool(person.disability_level)), ("serious_illness", person.serious_illness)) if hit
    ]
    return {"visited_on": today, "categories": groups.form_ticks(held), "health": health, "client_key": uuid.uuid4().hex}


@require(RECORD_CHILD_VISIT)  # every role with RECORD_VISIT has it; services.may_visit says for whom
def visit_new(request, pk):
    if request.method != "POST":
        person = selectors.person_get(request.user, pk)  # 404 outside the user's villages
        if not services.may_visit(request.user, person, timezone.localdate()):
            raise PermissionDenied("您的角色只能为困境儿童登记走访")
        form = VisitForm(initial=_initial(person, timezone.localdate()))
        return _page(request, person, form)
    # The person is looked up unscoped only to show the same refusal for one outside the
    # user's villages and one that does not exist; nothing about them is shown.
    person = Person.objects.select_related("household", "household__region").filter(pk=pk).first()
    form = VisitForm(request.POST, request.FILES)
    errors = form.messages() if not form.is_valid() else []
    visit = None
    if person is None:
        errors.insert(0, "该人员不在您负责的村（社区），不能登记走访")
    elif not errors:
        try:
            visit, created = services.visit_record(user=request.user, person=person, **form.service_arguments())
        except services.CareError as exc:
            errors.append(str(exc))
    if errors:
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        shown = person if person is not None and selectors.persons_in_scope(request.user, person) else None
        return _page(request, shown, form, errors, status=400)
    url = reverse("care:visit", args=[visit.pk])
    if _wants_json(request):
        return JsonResponse({"ok": True, "url": url, "created": created})
    messages.success(
        request,
        f"已登记 {visit.name} 的走访记录" + (f"，发现 {visit.problems.count()} 个问题已转办" if visit.problems.exists() else ""),
    )
    return redirect(url)


def _page(request, person, form, errors=(), status=200):
    return render(
        request,
        "care/visit_form.html",
        {
            "person": person,
            "form": form,
            "errors": errors,
            "questions": form.questions(),
            "age": person and selectors.age_today(person),
            "family": selectors.family_contacts(person) if person else [],
        },
        status=status,
    )


@require(VIEW_CHILD_VISITS)  # VIEW_CARE roles have it; selectors.visits_for narrows the others to children
def visit_detail(request, pk, mark_errors=(), mark_values=None, status=200):
    visit = selectors.visit_get(request.user, pk)
    from doudi.care import campaigns

    marked = getattr(visit, "campaign_visit", None)
    names = selectors.region_names([visit.region_code, visit.township_code])
    return render(
        request,
        "care/visit_detail.html",
        {
            "visit": visit,
            "village": names.get(visit.region_code, ""),
            "township": names.get(visit.township_code, ""),
            "ticks": groups.FORM_CATEGORIES,
            "health": groups.HEALTH,
            "questions": [(n, text, visit.answer(n), visit.note(n)) for n, text in groups.QUESTIONS.items()],
            "photos": visit.photos.all(),
            "problems": visit.problems.all(),
            "can_care": can(request.user, VIEW_CARE),
            # 集中走访慰问: the campaign this visit counts for, or those it may be marked for.
            "campaign_visit": marked,
            "campaign_options": [] if marked or not can(request.user, RECORD_VISIT) else campaigns.open_for_visit(visit),
            "mark_errors": mark_errors,
            "mark_values": mark_values or {},
        },
        status=status,
    )


@require(VIEW_CHILD_VISITS)
def visit_signature(request, pk, who):
    visit = selectors.visit_get(request.user, pk)
    field = {"visitor": visit.visitor_signature, "person": visit.person_signature}.get(who)
    if not field:
        raise Http404
    return FileResponse(field.open("rb"), content_type="image/png")


@require(VIEW_CHILD_VISITS)
def visit_photo(request, pk):
    photo = VisitPhoto.objects.filter(pk=pk).first()
    if photo is None:
        raise Http404
    selectors.visit_get(request.user, photo.visit_id)  # scope check: 404 outside the region
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


@require(VIEW_CHILD_VISITS)
def visit_list(request):
    visits = selectors.visits_for(request.user).select_related("person", "visitor").order_by("-visited_on", "-id")
    village = request.GET.get("village", "").strip()
    if village.isdigit():
        visits = visits.filter(region_code__startswith=village)
    if request.GET.get("export") == "xlsx":
        return export_response(
            request, "走访排查记录.xlsx", "困难群众走访排查记录", EXPORT_HEADERS, lambda mask: _export_rows(visits, mask)
        )
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "care/visit_list.html", {"page": page, "village": village})


def _export_rows(visits, mask: ExportMask):
    names = selectors.region_names(None)
    for v in visits.iterator(chunk_size=2000):
        yield [
            v.visited_on.isoformat(),
            names.get(v.township_code, v.township_code),
            names.get(v.region_code, v.region_code),
            v.name,
            mask.id(v.person.id_number),
            {"M": "男", "F": "女"}.get(v.sex, v.sex),
            v.age,
            "、".join(groups.FORM_CATEGORIES[c] for c in v.categories),
            "、".join(groups.HEALTH[h] for h in v.health),
            *["是" if v.answer(n) else "否" for n in groups.QUESTIONS],
            mask.values(v.record),
            mask.values(v.problems_text),
            mask.values(v.measures),
            v.visitor.display_name(),
        ]
