"""Pages for the helper's visit list, a township's coverage, special groups and a person's
care page. Thin: the reads are selectors, the writes services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from doudi.care import campaigns, duties, groups, selectors, services, stats
from doudi.care.models import FamilyContact
from doudi.core.permissions import require
from doudi.core.roles import MANAGE_GROUPS, RECORD_VISIT, VIEW_CARE, VIEW_COVERAGE, can
from doudi.registry import selectors as registry

PAGE_SIZE = 50


def _today(request) -> dt.date:
    return timezone.localdate()


@require(RECORD_VISIT)
def duty_list(request):
    """今日应访和逾期未访 for the user's villages (a helper has one); 全部 shows every duty."""
    today = _today(request)
    village = request.GET.get("village", "").strip()
    villages = list(registry.villages_for(request.user).values_list("code", "name"))
    if village not in {code for code, _ in villages}:
        village = ""
    show = request.GET.get("show", "todo")
    rows = selectors.duty_list(request.user, region=village, today=today)
    counts = {status: sum(1 for r in rows if r.status == status) for status in duties.STATUS_LABELS}
    if show != "all":
        rows = [r for r in rows if r.status != duties.DONE]
    rows.sort(key=lambda r: (r.due, r.village, r.name))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/duty_list.html",
        {
            "page": page,
            "counts": counts,
            "show": show,
            "village": village,
            "villages": villages,
            "today": today,
            "heating": _heating(request.user, today),
            "campaign_todo": campaigns.todo(request.user, today=today, village=village),
        },
    )


@require(VIEW_COVERAGE)
def coverage(request):
    today = _today(request)
    townships = selectors.townships_for(request.user)
    township = request.GET.get("township", "").strip()
    if township not in {code for code, _ in townships}:
        township = ""
    rows = selectors.coverage(request.user, today=today, township=township)
    total = {key: sum(r[key] for r in rows) for key in ("total", "done", "due", "overdue")}
    total["percent"] = round(100 * total["done"] / total["total"]) if total["total"] else 0
    weeks = stats.found_solved(request.user, today=today, township=township)
    return render(
        request,
        "care/coverage.html",
        {
            "rows": rows,
            "total": total,
            "townships": townships,
            "township": township,
            "today": today,
            "weeks": weeks,
        },
    )


@require(MANAGE_GROUPS)
def group_review(request):
    today = _today(request)
    rows = selectors.suggestions(request.user, today=today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "care/group_review.html", {"page": page, "counts": stats.group_counts(request.user)})


@require(MANAGE_GROUPS)
@require_POST
def suggestion_decide(request):
    person = selectors.person_get(request.user, _int(request.POST.get("person")))
    group, accept = request.POST.get("group", ""), request.POST.get("decision") == "accept"
    try:
        services.group_set(
            user=request.user, person=person, group=group, active=accept, note="采纳台账提示" if accept else "台账提示不采纳"
        )
    except services.CareError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{person.name}：{'已标记为' if accept else '不标记为'}{groups.label(group)}")
    return redirect("care:groups")


def _heating(user, today: dt.date) -> bool | None:
    """Whether the heating season's weekly duties apply (known only below the province)."""
    code = user.scope_code or ""
    return duties.duty_rule(code[:6], today).in_heating_season(today) if len(code) >= 6 else None


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@require(VIEW_CARE)
def person_care(request, pk):
    person = selectors.person_get(request.user, pk)
    flags = {f.group: f for f in selectors.person_groups(person)}
    held = selectors.groups_of([person.pk]).get(person.pk, set())
    return render(
        request,
        "care/person.html",
        {
            "person": person,
            "families": [
                (name, [(code, label, flags.get(code)) for code, label in members.items()]) for name, members in groups.FAMILIES
            ],
            "held": [groups.label(g) for g in groups.DUTY_GROUPS if g in held],
            "visits": selectors.visits_for(request.user).filter(person=person)[:50],
            "problems": selectors.problems_for(request.user).filter(person=person).order_by("-found_on", "-id")[:50],
            "can_manage": can(request.user, MANAGE_GROUPS),
            "can_visit": can(request.user, RECORD_VISIT),
            "age": duties.age_on(person.birth_date, _today(request)),
            "family": selectors.family_contacts(person),
            "duties": FamilyContact.Duty.choices,
            **_support_context(request.user, person),
        },
    )


def _support_context(user, person) -> dict:
    """照料服务协议, 困境儿童 and 集中供养 on the person's care page (issue 16 items 5–7)."""
    from doudi.care import agreements, children, placement
    from doudi.core.roles import MANAGE_AGREEMENTS, MANAGE_PLACEMENT

    dispersed = agreements.is_dispersed_tekun(person)
    return {
        "dispersed": dispersed,
        "agreements": agreements.person_agreements(user, person)[:10] if dispersed else [],
        "is_child": children.is_difficult_child(person),
        "wishes": placement.wishes_for(user).filter(person=person).order_by("-wished_on", "-id")[:5],
        "can_agree": can(user, MANAGE_AGREEMENTS),
        "can_place": can(user, MANAGE_PLACEMENT),
        "today": _today(None),
    }


@require(MANAGE_GROUPS)
@require_POST
def person_groups_save(request, pk):
    person = selectors.person_get(request.user, pk)
    chosen = set(request.POST.getlist("groups"))
    note = request.POST.get("note", "").strip()
    current = {f.group for f in selectors.person_groups(person) if f.active}
    try:
        for code in groups.SPECIAL:
            if (code in chosen) != (code in current):
                services.group_set(user=request.user, person=person, group=code, active=code in chosen, note=note)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from None
    messages.success(request, "特殊群体已保存")
    return redirect("care:person", pk=person.pk)


@require(RECORD_VISIT)
@require_POST
def family_add(request, pk):
    person = selectors.person_get(request.user, pk)
    data = request.POST
    try:
        services.family_contact_add(
            user=request.user,
            person=person,
            name=data.get("name", ""),
            relation=data.get("relation", ""),
            duty=data.get("duty", ""),
            phone=data.get("phone", ""),
            address=data.get("address", ""),
        )
    except services.CareError as exc:
        messages.error(request, str(exc))
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from None
    else:
        messages.success(request, "已登记分开居住的家庭成员")
    return redirect("care:person", pk=person.pk)


@require(RECORD_VISIT)
@require_POST
def family_end(request, pk):
    contact = selectors.family_contact_get(request.user, pk)
    try:
        services.family_contact_end(user=request.user, contact=contact, reason=request.POST.get("reason", ""))
    except services.CareError as exc:
        messages.error(request, str(exc))
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from None
    return redirect("care:person", pk=contact.person_id)
