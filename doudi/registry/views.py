"""Register pages: household list and search, household and person pages, unmasking."""

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from doudi.core import codes, idnumber
from doudi.core.exports import ExportMeta, list_page, xlsx_response
from doudi.core.middleware import client_address
from doudi.core.permissions import require
from doudi.core.roles import EDIT_REGISTRY, UNMASK_BANK, UNMASK_ID, VIEW_AUDIT, VIEW_REGISTRY, can
from doudi.core.unmasking import SELECTABLE as UNMASK_REASONS
from doudi.core.unmasking import ReasonMissing
from doudi.registry import selectors, services

PAGE_SIZE = 50
SORT_LABELS = {
    "code": "户编号",
    "-code": "户编号（倒序）",
    "region": "村(社区)",
    "-region": "村(社区)（倒序）",
    "-updated": "最近更新",
    "updated": "最早更新",
}
EXPORT_HEADERS = [
    "户编号",
    "乡镇",
    "村(社区)",
    "户籍性质",
    "户主",
    "户主身份证号",
    "人数",
    "保障类别",
    "月保障金额（元）",
    "详细地址",
]


def _filters(request) -> dict:
    return {key: request.GET.get(key, "").strip() for key in ("q", "region", "category", "sort")}


@require(VIEW_REGISTRY)
def household_list(request):
    filters = _filters(request)
    households = selectors.household_search(
        request.user, **{k: v for k, v in filters.items() if k != "sort"}, sort=filters["sort"] or "code"
    )
    regions = _region_options(request.user, filters["region"])
    meta = ExportMeta(
        unit="户；金额：元",
        user=request.user,
        sums=("人数",),
        filters=[
            ("查询", filters["q"]),
            ("区域", next((r["label"] for r in regions if r["code"] == filters["region"]), filters["region"])),
            ("保障类别", codes.CATEGORY_SHORT.get(filters["category"], filters["category"])),
        ],
    )
    if request.GET.get("export") == "xlsx":
        return xlsx_response("家庭台账.xlsx", "家庭台账", EXPORT_HEADERS, _export_rows(households), meta)
    page = list_page(request, households, PAGE_SIZE)
    return render(
        request,
        "registry/household_list.html",
        {
            "page": page,
            "filters": filters,
            "categories": codes.CATEGORY_SHORT,
            "regions": regions,
            "sorts": [(k, v) for k, v in SORT_LABELS.items() if k in ("code", "region", "-updated") or k == filters["sort"]],
            "rows": selectors.household_rows(page.object_list),
            "meta": meta,
            "print_title": "家庭台账",
            "count_unit": "户",
        },
    )


def _region_options(user, chosen: str) -> list[dict]:
    """The 区域 choices: each township (全镇) followed by its villages, so a township filter
    (from 首页's 按乡镇 table) stays selected and is sent again with the next search. A value
    that is none of them (a village beyond the list's limit) is kept as its own option."""
    villages: dict[str, list] = {}
    for village in selectors.villages_for(user).order_by("code")[:2000]:
        villages.setdefault(village.code[:9], []).append(village)
    options = []
    for township in selectors.townships_for(user):
        options.append({"code": township.code, "label": f"{township.name}（全镇）", "township": True})
        options.extend(
            {"code": v.code, "label": f"{township.name} {v.name}", "township": False} for v in villages.get(township.code, [])
        )
    if chosen and chosen not in {o["code"] for o in options}:
        options.append({"code": chosen, "label": "所选区域", "township": False})
    return options


def _export_rows(households):
    """The register as listed, with the monthly amount of the benefits each household holds
    today (household and member benefits together), a number so the 合计 adds up."""
    from django.db.models import Sum

    from doudi.registry.models import Benefit

    batch: list[dict] = []

    def flush():
        amounts = dict(
            Benefit.objects.filter(household_id__in=[r["household"].pk for r in batch], until__isnull=True)
            .values_list("household_id")
            .annotate(total=Sum("monthly_amount"))
        )
        for row in batch:
            head, household = row["head"], row["household"]
            amount = amounts.get(household.pk)
            yield [
                household.code,
                row["township"],
                household.region.name,
                codes.HUKOU.get(household.hukou, ""),
                head.name if head else "",
                idnumber.mask(head.id_number) if head else "",
                row["size"],
                "、".join(codes.CATEGORY_SHORT[c] for c in row["categories"]),
                Decimal(amount).quantize(Decimal("0.01")) if amount is not None else Decimal("0.00"),
                household.address,
            ]

    for row in selectors.household_rows(households.iterator(chunk_size=2000), chunk=2000):
        batch.append(row)
        if len(batch) >= 2000:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


@require(VIEW_REGISTRY)
def household_detail(request, code):
    household = selectors.household_get(request.user, code)
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": sorted(household.members.all(), key=lambda m: (m.relation != "head", m.birth_date)),
            "benefits": selectors.benefits_for(request.user).filter(household=household).select_related("person"),
            "history": selectors.household_history(household)[:200] if can(request.user, VIEW_AUDIT) else None,
            "can_unmask": can(request.user, UNMASK_ID),
            "can_edit": can(request.user, EDIT_REGISTRY),
        },
    )


@require(VIEW_REGISTRY)
def person_detail(request, pk):
    person = selectors.person_get(request.user, pk)
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "benefits": person.benefits.filter(until__isnull=True),
            "can_unmask_id": can(request.user, UNMASK_ID),
            "can_unmask_bank": can(request.user, UNMASK_BANK),
            "unmask_reasons": UNMASK_REASONS,
            "can_edit": can(request.user, EDIT_REGISTRY),
            "moves": person.moves.select_related("from_household", "to_household").order_by("-at"),
        },
    )


@require_POST
@require(VIEW_REGISTRY)
def person_unmask(request, pk, field):
    """The full number for the page's 显示完整号码 form: a reason (and for 其他 a note) or a
    400 with the Chinese message, shown next to the form (HX-Retarget), nothing logged."""
    person = selectors.person_get(request.user, pk)
    if field not in ("id_number", "bank_account"):
        return HttpResponse(status=404)
    try:
        value = services.person_unmask(
            user=request.user,
            person=person,
            field=field,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            ip=client_address(request),
        )
    except PermissionError as exc:
        return HttpResponseForbidden(str(exc))
    except ReasonMissing as exc:
        message = format_html('<span class="msg error" role="alert">{}</span>', str(exc))
        return HttpResponse(message, status=400, headers={"HX-Retarget": f"#{field}-unmask-error"})
    return HttpResponse(format_html('<span class="unmasked">{}</span>', value))


@require(VIEW_REGISTRY)
def person_search(request):
    q = request.GET.get("q", "").strip()
    people = selectors.person_search(request.user, q=q)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/person_search.html", {"page": page, "q": q})


@require(EDIT_REGISTRY)
def person_edit(request, pk):
    from doudi.registry.forms import PersonCorrectionForm

    def save(person, changes, reason, version):
        return services.person_update(user=request.user, person=person, changes=changes, reason=reason, expected_version=version)

    return _correct(
        request,
        PersonCorrectionForm,
        lambda: selectors.person_get(request.user, pk),
        save,
        "person",
        services.EDITABLE_PERSON_FIELDS,
        "registry/person_edit.html",
        lambda p: redirect("person_detail", pk=p.pk),
    )


@require(EDIT_REGISTRY)
def household_edit(request, code):
    from doudi.registry.forms import HouseholdCorrectionForm

    def save(household, changes, reason, version):
        return services.household_update(
            user=request.user, household=household, changes=changes, reason=reason, expected_version=version
        )

    return _correct(
        request,
        HouseholdCorrectionForm,
        lambda: selectors.household_get(request.user, code),
        save,
        "household",
        services.EDITABLE_HOUSEHOLD_FIELDS,
        "registry/household_edit.html",
        lambda h: redirect("household_detail", code=h.code),
    )


def _correct(request, form_class, fetch, save, name, fields, template, done):
    """A correction page: the form starts from the saved record and its version; a rejected
    form keeps what was typed (a fresh copy is bound, `record` keeps the saved values)."""
    record = fetch()
    if request.method != "POST":
        form = form_class(instance=record, initial={"version": record.version})
        return render(request, template, {name: record, "form": form})
    form = form_class(request.POST, instance=fetch())
    if form.is_valid():
        changes = {f: form.cleaned_data[f] for f in fields}
        try:
            diff = save(record, changes, form.cleaned_data["reason"], form.cleaned_data["version"])
        except services.ConcurrentEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已保存，修改了 {len(diff)} 项。" if diff else "没有修改任何内容。")
            return done(record)
    return render(request, template, {name: record, "form": form}, status=400)
