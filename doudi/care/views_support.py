"""Pages for 照料服务协议, 困境儿童 and 集中供养 demand (issue 16 items 5–7). Thin: reads are
the modules' scoped selectors (404 outside the user's region), writes their services (403
for a role without the right); a refused form comes back with a Chinese message and what
was typed, nothing saved."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from doudi.care import agreements, children, duties, placement, selectors
from doudi.care.forms_support import (
    AgreementForm,
    DecideForm,
    DirectorForm,
    EndForm,
    GuardianForm,
    PairForm,
    ReplaceForm,
    WishForm,
)
from doudi.care.models import PlacementWish
from doudi.care.services import CareError
from doudi.core.exports import ExportMask, export_response
from doudi.core.permissions import require
from doudi.core.roles import (
    MANAGE_AGREEMENTS,
    MANAGE_CHILD_CARE,
    MANAGE_PLACEMENT,
    RECORD_CHILD_VISIT,
    VIEW_CARE,
    VIEW_CHILDREN,
    can,
)
from doudi.registry import selectors as registry

PAGE_SIZE = 50


def _village_filter(request) -> tuple[str, list]:
    villages = list(registry.villages_for(request.user).values_list("code", "name"))
    village = request.GET.get("village", "").strip()
    return (village if village in {c for c, _ in villages} else ""), villages


# -- 照料服务协议 --------------------------------------------------------------------------------
AGREEMENT_TABS = {"expiring": "即将到期", "missing": "缺少有效协议", "current": "有效协议"}
EXPORT_HEADERS = {
    "expiring": [
        "村(社区)",
        "姓名",
        "身份证号",
        "照料方式",
        "照料人或服务机构",
        "每月服务时长（小时）",
        "协议开始日期",
        "协议终止日期",
    ],
    "current": [
        "村(社区)",
        "姓名",
        "身份证号",
        "照料方式",
        "照料人或服务机构",
        "每月服务时长（小时）",
        "协议开始日期",
        "协议终止日期",
    ],
    "missing": ["村(社区)", "户编号", "姓名", "身份证号"],
}


def _apply(form, write):
    """(what the service returned, errors): the form's errors, else the service's refusal
    (CareError, Chinese) with nothing written; a PermissionError is a 403, not a form error."""
    if not form.is_valid():
        return None, [m for errors in form.errors.values() for m in errors]
    try:
        return write(form.cleaned_data), []
    except CareError as exc:
        return None, [str(exc)]
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from None


@require(VIEW_CARE)
def agreement_list(request):
    today = timezone.localdate()
    village, villages = _village_filter(request)
    tab = request.GET.get("tab", "expiring")
    tab = tab if tab in AGREEMENT_TABS else "expiring"
    days = agreements.remind_days(request.user.scope_code or "", today)
    if (asked := request.GET.get("days", "")).isdigit() and 1 <= int(asked) <= 365:
        days = int(asked)
    lists = {
        "expiring": agreements.expiring(request.user, today, days, village),
        "missing": agreements.without_agreement(request.user, today, village),
        "current": agreements.current(request.user, today, village),
    }
    rows = lists[tab]
    if request.GET.get("export") == "xlsx":
        return export_response(
            request,
            f"照料服务协议-{AGREEMENT_TABS[tab]}.xlsx",
            f"分散供养特困人员照料服务协议（{AGREEMENT_TABS[tab]}）",
            EXPORT_HEADERS[tab],
            lambda mask: _agreement_rows(tab, rows, mask),
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    names = selectors.region_names({getattr(r, "region_code", None) or r.household.region_id for r in page})
    for row in page:
        row.village_name = names.get(getattr(row, "region_code", None) or row.household.region_id, "")
    return render(
        request,
        "care/agreement_list.html",
        {
            "page": page,
            "tab": tab,
            "tabs": AGREEMENT_TABS,
            "counts": {k: v.count() for k, v in lists.items()},
            "days": days,
            "village": village,
            "villages": villages,
            "today": today,
            "can_manage": can(request.user, MANAGE_AGREEMENTS),
        },
    )


def _agreement_rows(tab, rows, mask: ExportMask):
    names = selectors.region_names(None)
    for row in rows.iterator(chunk_size=2000):
        if tab == "missing":
            yield [names.get(row.household.region_id, ""), row.household.code, row.name, mask.id(row.id_number)]
        else:
            yield [
                names.get(row.region_code, ""),
                row.person.name,
                mask.id(row.person.id_number),
                row.get_kind_display(),
                row.carer_label,
                float(row.hours_per_month) if row.hours_per_month is not None else "",
                row.starts_on.isoformat(),
                row.ends_on.isoformat(),
            ]


def _agreement_input(data) -> agreements.AgreementInput:
    return agreements.AgreementInput(
        kind=data["kind"],
        duties=data["duties"],
        starts_on=data.get("starts_on"),
        ends_on=data["ends_on"],
        carer_name=data["carer_name"],
        carer_id_number=data["carer_id_number"],
        carer_phone=data["carer_phone"],
        carer_relation=data["carer_relation"],
        provider=data["provider"],
        hours_per_month=data["hours_per_month"],
    )


@require(MANAGE_AGREEMENTS)
def agreement_new(request, pk):
    person = selectors.person_get(request.user, pk)
    errors = []
    if request.method == "POST":
        form = AgreementForm(request.POST, request.FILES)
        agreement, errors = _apply(
            form,
            lambda data: agreements.agreement_sign(
                user=request.user, person=person, data=_agreement_input(data), signed_copy=data["signed_copy"]
            ),
        )
        if not errors:
            messages.success(request, f"已登记 {person.name} 的照料服务协议")
            return redirect("care:agreement", pk=agreement.pk)
    else:
        form = AgreementForm()
    return render(
        request,
        "care/agreement_form.html",
        {
            "person": person,
            "form": form,
            "errors": errors,
            "replacing": None,
            "dispersed": agreements.is_dispersed_tekun(person),
        },
        status=400 if errors else 200,
    )


@require(VIEW_CARE)
def agreement_detail(request, pk):
    agreement = agreements.agreement_get(request.user, pk)
    today = timezone.localdate()
    return render(
        request,
        "care/agreement_detail.html",
        {
            "agreement": agreement,
            "state": agreement.state_label(today),
            "today": today,
            "history": agreements.person_agreements(request.user, agreement.person),
            "can_replace": can(request.user, MANAGE_AGREEMENTS) and agreement.ended_on is None and agreement.ends_on >= today,
            "replaces": getattr(agreement, "replaces", None),  # the agreement this one took over from
        },
    )


@require(MANAGE_AGREEMENTS)
def agreement_replace(request, pk):
    agreement = agreements.agreement_get(request.user, pk)
    errors = []
    if request.method == "POST":
        form = ReplaceForm(request.POST, request.FILES)
        new, errors = _apply(
            form,
            lambda data: agreements.agreement_replace(
                user=request.user,
                agreement=agreement,
                on=data["replace_on"],
                reason=data["end_reason"],
                note=data["end_note"],
                data=_agreement_input(data),
                signed_copy=data["signed_copy"],
            ),
        )
        if not errors:
            messages.success(request, f"已更换照料人：{new.carer_label}")
            return redirect("care:agreement", pk=new.pk)
    else:
        form = ReplaceForm(
            initial={
                "replace_on": timezone.localdate(),
                "ends_on": agreement.ends_on,
                "duties": agreement.duties,
                "kind": agreement.kind,
            }
        )
    return render(
        request,
        "care/agreement_form.html",
        {
            "person": agreement.person,
            "form": form,
            "errors": errors,
            "replacing": agreement,
            "dispersed": True,
        },
        status=400 if errors else 200,
    )


@require(VIEW_CARE)
def agreement_copy(request, pk):
    agreement = agreements.agreement_get(request.user, pk)  # 404 outside the user's region
    response = FileResponse(agreement.signed_copy.open("rb"), content_type=agreement.signed_copy_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- 困境儿童 ------------------------------------------------------------------------------------
@require(VIEW_CHILDREN)
def child_list(request):
    today = timezone.localdate()
    village, villages = _village_filter(request)
    missing = request.GET.get("missing", "")
    missing = missing if missing in ("guardian", "pairing") else ""
    rows = children.child_rows(request.user, today, village, missing)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/child_list.html",
        {
            "page": page,
            "missing": missing,
            "village": village,
            "villages": villages,
        },
    )


def _child_page(request, child, *, guardian_form=None, pair_form=None, end_forms=None, errors=(), status=200):
    today = timezone.localdate()
    directors = children.directors_for_child(request.user, child)
    return render(
        request,
        "care/child.html",
        {
            "child": child,
            "age": duties.age_on(child.birth_date, today),
            "today": today,
            "guardians": children.guardians_of(child),
            "pairings": children.pairings_of(child),
            "guardian_form": guardian_form or GuardianForm(initial={"since": today}),
            "pair_form": pair_form or PairForm(directors=directors, initial={"since": today}),
            "end_form": EndForm(initial={"ended_on": today}),
            "errors": errors,
            "can_manage": can(request.user, MANAGE_CHILD_CARE),
            "can_care": can(request.user, VIEW_CARE),  # the person's whole care page (not for 儿童主任)
            "can_visit": can(request.user, RECORD_CHILD_VISIT),
            "is_child": children.is_child_now(child, today),
        },
        status=status,
    )


@require(VIEW_CHILDREN)
def child_detail(request, pk):
    return _child_page(request, selectors.person_get(request.user, pk))


@require(MANAGE_CHILD_CARE)
@require_POST
def guardian_add(request, pk):
    child = selectors.person_get(request.user, pk)
    form = GuardianForm(request.POST)
    _, errors = _apply(
        form, lambda data: children.guardian_add(user=request.user, child=child, today=timezone.localdate(), **data)
    )
    if errors:
        return _child_page(request, child, guardian_form=form, errors=errors, status=400)
    messages.success(request, "已登记")
    return redirect("care:child", pk=child.pk)


@require(MANAGE_CHILD_CARE)
@require_POST
def guardian_end(request, pk):
    row = children.guardian_get(request.user, pk)
    form = EndForm(request.POST)
    _, errors = _apply(
        form,
        lambda data: children.guardian_end(
            user=request.user, row=row, reason=data["reason"], on=data["ended_on"], today=timezone.localdate()
        ),
    )
    if errors:
        return _child_page(request, row.child, errors=errors, status=400)
    messages.success(request, "已终止")
    return redirect("care:child", pk=row.child_id)


@require(MANAGE_CHILD_CARE)
@require_POST
def child_pair(request, pk):
    child = selectors.person_get(request.user, pk)
    form = PairForm(request.POST, directors=children.directors_for_child(request.user, child))
    _, errors = _apply(
        form,
        lambda data: children.pair(
            user=request.user,
            child=child,
            director=data["director"],
            since=data["since"],
            reason=data["reason"],
            today=timezone.localdate(),
        ),
    )
    if errors:
        return _child_page(request, child, pair_form=form, errors=errors, status=400)
    messages.success(request, "已结对帮扶")
    return redirect("care:child", pk=child.pk)


def _director_regions(user) -> list[tuple[str, str]]:
    townships = selectors.townships_for(user)
    villages = list(registry.villages_for(user).values_list("code", "name"))
    return [(code, f"{name}（乡镇，儿童督导员）") for code, name in townships] + [(code, name) for code, name in villages]


@require(VIEW_CHILDREN)
def director_list(request):
    form, errors, status = None, [], 200
    if request.method == "POST":
        if not can(request.user, MANAGE_CHILD_CARE):
            raise PermissionDenied("您的角色无权登记儿童主任")
        form = DirectorForm(request.POST, regions=_director_regions(request.user))
        errors = [m for e in form.errors.values() for m in e] if not form.is_valid() else []
        if not errors:
            try:
                children.director_add(user=request.user, **form.cleaned_data)
            except CareError as exc:
                errors.append(str(exc))
            else:
                messages.success(request, "已登记")
                return redirect("care:directors")
        status = 400
    directors = list(children.directors_for(request.user).filter(active=True))
    names = selectors.region_names({d.region_code for d in directors})
    for director in directors:
        director.region_name = names.get(director.region_code, director.region_code)
    return render(
        request,
        "care/directors.html",
        {
            "directors": directors,
            "form": form or DirectorForm(regions=_director_regions(request.user)),
            "errors": errors,
            "can_manage": can(request.user, MANAGE_CHILD_CARE),
        },
        status=status,
    )


# -- 集中供养需求 -------------------------------------------------------------------------------
@require(VIEW_CARE)
def placement_list(request):
    return _placement_page(request)


def _placement_page(request, *, tab=None, failed=None, wish_form=None, decide_form=None, errors=(), status=200):
    village, villages = _village_filter(request)
    tab = tab or request.GET.get("tab", "waiting")
    tab = tab if tab in ("waiting", "unasked", "done") else "waiting"
    rows = {
        "waiting": placement.waiting(request.user, village),
        "unasked": placement.unasked(request.user, village),
        "done": placement.wishes_for(request.user)
        .exclude(state=PlacementWish.State.WAITING)
        .select_related("person")
        .order_by("-outcome_on", "-id"),
    }
    if village and tab == "done":
        rows["done"] = rows["done"].filter(region_code__startswith=village)
    page = Paginator(rows[tab], PAGE_SIZE).get_page(request.GET.get("page"))
    names = selectors.region_names({getattr(r, "region_code", None) or r.household.region_id for r in page})
    for row in page:
        row.village_name = names.get(getattr(row, "region_code", None) or row.household.region_id, "")
    return render(
        request,
        "care/placement.html",
        {
            "page": page,
            "tab": tab,
            "counts": {k: v.count() for k, v in rows.items()},
            "village": village,
            "villages": villages,
            "today": timezone.localdate(),
            "errors": errors,
            "wish_form": wish_form or WishForm(initial={"wished_on": timezone.localdate()}),
            "decide_form": decide_form or DecideForm(initial={"outcome_on": timezone.localdate()}),
            "can_manage": can(request.user, MANAGE_PLACEMENT),
            "failed": failed,
        },
        status=status,
    )


@require(MANAGE_PLACEMENT)
@require_POST
def placement_wish(request, pk):
    person = selectors.person_get(request.user, pk)
    form = WishForm(request.POST)
    _, errors = _apply(
        form,
        lambda data: placement.wish_record(
            user=request.user, person=person, wished_on=data["wished_on"], note=data["note"], today=timezone.localdate()
        ),
    )
    if errors:
        return _placement_page(
            request, tab="unasked", failed=person.pk, wish_form=form, errors=[f"{person.name}：{e}" for e in errors], status=400
        )
    messages.success(request, f"已登记 {person.name} 的集中供养意愿")
    return redirect("care:placement")


@require(MANAGE_PLACEMENT)
@require_POST
def placement_decide(request, pk):
    wish = placement.wish_get(request.user, pk)
    form = DecideForm(request.POST)
    _, errors = _apply(
        form,
        lambda data: placement.wish_decide(
            user=request.user,
            wish=wish,
            state=data["state"],
            on=data["outcome_on"],
            institution=data["institution"],
            outcome=data["outcome"],
            today=timezone.localdate(),
        ),
    )
    if errors:
        return _placement_page(
            request,
            tab="waiting",
            failed=wish.pk,
            decide_form=form,
            errors=[f"{wish.person.name}：{e}" for e in errors],
            status=400,
        )
    messages.success(request, f"{wish.person.name}：{wish.get_state_display()}")
    return redirect("care:placement")
