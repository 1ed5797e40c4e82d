"""Pages: start a comparison, warnings list and detail with the check workflow, the
low-income population database with each household's assistance chain, the 人情保 register."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from doudi.core import codes, idnumber
from doudi.core.exports import ExportMask, ExportMeta, export_response, list_page
from doudi.core.jobs import job_start
from doudi.core.permissions import require
from doudi.core.roles import HANDLE_WARNINGS, RUN_COMPARISON, VIEW_CADRE_REGISTER, VIEW_REGISTRY, VIEW_WARNINGS, can
from doudi.monitoring import selectors, services
from doudi.monitoring.forms import CompareForm, ConfirmForm, DismissForm, VisitForm
from doudi.monitoring.models import VisitPhoto, Warning
from doudi.monitoring.rules import LEVELS, RULES
from doudi.registry import selectors as registry_selectors

PAGE_SIZE = 50
FILTERS = ("rule", "township", "level", "status", "age", "sort")
EXPORT_HEADERS = [
    "预警编号",
    "规则",
    "等级",
    "状态",
    "姓名",
    "身份证号",
    "户编号",
    "责任乡镇",
    "核查期限",
    "是否逾期",
    "详情",
    "处理说明",
]


def may_choose_engine(user) -> bool:
    """The DuckDB/Spark choice is the county's setting, not a clerk's: offered to the county
    admin and the superuser only; everyone else runs the default (DuckDB)."""
    from doudi.core.roles import Role

    return bool(user.is_superuser or getattr(user, "role", "") == Role.COUNTY_ADMIN)


def _rule_rows():
    """The comparison rules in words: name, description and the parameters by their Chinese names."""
    from doudi.rules.schema import PARAMETERS

    for rule in RULES.values():
        labels = [PARAMETERS[p].zh.removeprefix("比对：") if p in PARAMETERS else "" for p in rule.parameters]
        yield {"name": rule.name, "description": rule.description, "parameters": [x for x in labels if x]}


@require(RUN_COMPARISON)
def compare_start(request):
    form = CompareForm(request.POST or None, initial={"engine": "duckdb", "as_of": _today()})
    choose = may_choose_engine(request.user)
    if not choose:
        del form.fields["engine"]
    if request.method == "POST" and form.is_valid():
        as_of, engine = form.cleaned_data["as_of"], form.cleaned_data.get("engine") or "duckdb"
        job = job_start(
            kind="comparison",
            label=f"部门数据比对（截至 {as_of}）",
            target="doudi.monitoring.jobs:compare_job",
            params={
                "as_of": as_of.isoformat(),
                "engine": engine,
                "region_code": request.user.scope_code or "",
                "user_id": request.user.pk,
            },
            user=request.user,
        )
        return redirect("job_detail", pk=job.pk)
    return render(
        request,
        "monitoring/compare_start.html",
        {"form": form, "runs": selectors.recent_runs(request.user), "rules": list(_rule_rows()), "choose_engine": choose},
    )


@require(VIEW_WARNINGS)
def warning_list(request):
    filters = {key: request.GET.get(key, "").strip() for key in FILTERS}
    filters["status"] = request.GET.get("status", "active")
    warnings = selectors.warning_search(request.user, **filters)
    townships = selectors.townships_for(request.user)
    meta = ExportMeta(unit="条", user=request.user, filters=_warning_filter_words(filters, townships))
    if request.GET.get("export") == "xlsx":
        return export_response(
            request, "预警清单.xlsx", "数据比对预警", EXPORT_HEADERS, lambda mask: _export_rows(warnings, mask), meta
        )
    page = list_page(request, warnings, PAGE_SIZE)
    return render(
        request,
        "monitoring/warning_list.html",
        {
            "page": page,
            "filters": filters,
            "rules": RULES,
            "levels": LEVELS,
            "statuses": Warning.Status.choices,
            "ages": selectors.AGES,
            "townships": townships,
            "summary": selectors.counts_by_township(request.user),
            "overdue": selectors.overdue_count(request.user),
            "meta": meta,
            "print_title": "数据比对预警清单",
            "may_handle": can(request.user, HANDLE_WARNINGS),
            "bulk_actions": services.BULK_ACTIONS,
            "count_unit": "条",
        },
    )


def _warning_filter_words(filters: dict, townships) -> list[tuple[str, str]]:
    """The warning filters in the words of the page (rule and township names, not codes)."""
    statuses = dict(Warning.Status.choices)
    rule = RULES.get(filters["rule"])
    return [
        ("规则", rule.name if rule else filters["rule"]),
        ("乡镇", next((t.name for t in townships if t.code == filters["township"]), filters["township"])),
        ("等级", LEVELS.get(filters["level"], filters["level"])),
        ("状态", "待处理" if filters["status"] == "active" else statuses.get(filters["status"], filters["status"])),
        ("期限", selectors.AGES.get(filters["age"], filters["age"])),
    ]


def _export_rows(warnings, mask: ExportMask):
    # The evidence holds other people's numbers too (the cadre's, in 人情保): masked like the person's.
    for w in warnings.iterator(chunk_size=2000):
        yield [
            w.pk,
            w.get_rule_display(),
            w.get_level_display(),
            w.get_status_display(),
            w.person.name,
            mask.id(w.person.id_number),
            w.household.code,
            w.township_name or w.township_code,
            w.deadline.isoformat(),
            "是" if w.is_overdue else "",
            _detail_text(mask.values(w.detail)),
            mask.values(w.outcome_note),
        ]


def _detail_text(detail: dict) -> str:
    """The evidence in the words of the warning page (labels, not the evidence's keys)."""
    from doudi.monitoring.templatetags.monitoring_tags import detail_facts, detail_items

    facts = "；".join(f"{label}：{value}" for label, value in detail_facts(detail))
    listed = "；".join("，".join(f"{label}：{value}" for label, value in item) for item in detail_items(detail))
    return "；".join(x for x in (facts, listed) if x)


@require(VIEW_WARNINGS)
def warning_detail(request, pk):
    warning = selectors.warning_get(request.user, pk)
    transitions, visits = selectors.warning_history(warning)
    benefits = list(selectors.benefits_in_force(warning))
    detail = idnumber.mask_values(warning.detail)  # as every ID on a page: masked for every role
    return render(
        request,
        "monitoring/warning_detail.html",
        {
            "warning": warning,
            "rule": RULES[warning.rule],
            "transitions": transitions,
            "visits": visits,
            "can_handle": can(request.user, HANDLE_WARNINGS) and warning.is_active,
            "visit_form": VisitForm(initial={"visited_on": _today()}),
            "confirm_form": ConfirmForm(benefits=benefits),
            "dismiss_form": DismissForm(),
            "detail": detail,
            "detail_text": _detail_text(detail),
        },
    )


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _handle(request, pk, action):
    """Runs one workflow action; its Chinese refusal is shown on the warning's page."""
    warning = selectors.warning_get(request.user, pk)
    try:
        message = action(warning)
    except (services.WorkflowError, PermissionError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, message)
    return redirect("warning_detail", pk=warning.pk)


def _form_error(form) -> services.WorkflowError:
    return services.WorkflowError(
        "；".join(f"{form.fields[f].label if f in form.fields else ''}{' '.join(e)}" for f, e in form.errors.items())
    )


@require_POST
@require(HANDLE_WARNINGS)
def warning_visit(request, pk):
    def action(warning):
        form = VisitForm(request.POST, request.FILES)
        if not form.is_valid():
            raise _form_error(form)
        services.warning_visit_record(
            warning=warning,
            user=request.user,
            visited_on=form.cleaned_data["visited_on"],
            notes=form.cleaned_data["notes"],
            photos=form.cleaned_data["photos"],
        )
        return "已登记入户核查"

    return _handle(request, pk, action)


@require_POST
@require(HANDLE_WARNINGS)
def warning_confirm(request, pk):
    def action(warning):
        form = ConfirmForm(request.POST, benefits=list(selectors.benefits_in_force(warning)))
        if not form.is_valid():
            raise _form_error(form)
        services.warning_confirm(
            warning=warning,
            user=request.user,
            outcome=form.cleaned_data["outcome"],
            reason=form.cleaned_data["reason"],
            benefits=form.chosen_benefits(),
            stop_on=form.cleaned_data["stop_on"],
        )
        return "预警已确认并办结"

    return _handle(request, pk, action)


@require_POST
@require(HANDLE_WARNINGS)
def warning_dismiss(request, pk):
    def action(warning):
        form = DismissForm(request.POST)
        if not form.is_valid():
            raise services.WorkflowError("排除预警必须填写原因")
        services.warning_dismiss(warning=warning, user=request.user, reason=form.cleaned_data["reason"])
        return "预警已排除"

    return _handle(request, pk, action)


@require_POST
@require(HANDLE_WARNINGS)
def warnings_bulk(request):
    """批量处理 from the list: back to the same filtered list with the result."""
    back = request.POST.get("back", "")
    back = back if back.startswith("?") else ""
    try:
        moved = services.warnings_bulk(
            user=request.user,
            ids=request.POST.getlist("warning"),
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
        )
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from None
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        label = services.BULK_ACTIONS[request.POST["action"]].split("（")[0]
        messages.success(request, f"已批量{label} {moved} 条预警")
    return redirect(reverse("warning_list") + back)


@require(VIEW_WARNINGS)
def visit_photo(request, pk):
    photo = VisitPhoto.objects.select_related("visit__warning").filter(pk=pk).first()
    if photo is None:
        raise Http404
    selectors.warning_get(request.user, photo.visit.warning_id)  # scope check: 404 outside the region
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


@require(VIEW_REGISTRY)
def low_income_list(request):
    filters = {key: request.GET.get(key, "").strip() for key in ("q", "category", "township")}
    households = selectors.low_income_households(request.user, **filters)
    if request.GET.get("export") == "xlsx":
        townships = selectors.townships_for(request.user)
        meta = ExportMeta(
            unit="户",
            user=request.user,
            sums=("人数",),
            filters=[
                ("查询", filters["q"]),
                ("保障类别", codes.CATEGORY_SHORT.get(filters["category"], filters["category"])),
                ("乡镇", next((t.name for t in townships if t.code == filters["township"]), filters["township"])),
            ],
        )
        return export_response(
            request,
            "低收入人口库.xlsx",
            "低收入人口库",
            LOW_INCOME_HEADERS,
            lambda mask: _low_income_rows(households, mask),
            meta,
        )
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/low_income_list.html",
        {
            "page": page,
            "filters": filters,
            "categories": codes.CATEGORY_SHORT,
            "townships": selectors.townships_for(request.user),
            "rows": registry_selectors.household_rows(page.object_list),
        },
    )


LOW_INCOME_HEADERS = ["户编号", "乡镇", "村(社区)", "户主", "户主身份证号", "人数", "保障类别"]


def _low_income_rows(households, mask: ExportMask):
    for row in registry_selectors.household_rows(households.iterator(chunk_size=2000), chunk=2000):
        head = row["head"]
        yield [
            row["household"].code,
            row["township"],
            row["household"].region.name,
            head.name if head else "",
            mask.id(head.id_number) if head else "",
            row["size"],
            "、".join(codes.CATEGORY_SHORT[c] for c in row["categories"]),
        ]


# What an audit entry was about, in words (the 救助链 shows 台账变更 entries by it).
ENTITY_LABELS = {
    "benefit": "保障待遇",
    "household": "家庭信息",
    "person": "成员信息",
    "overpayment": "多发待追回",
    "pending_benefit": "待县级审批的待遇",
    "reserve_entry": "备用金",
    "bank_file": "一卡通代发文件",
    "export": "导出",
    "evaluation": "批量评估",
    "simulation": "政策测算",
    "parameter": "政策参数",
    "dataset": "部门数据",
    "report": "统计报表",
    "region": "区划",
    "user": "用户",
    "wrong_inclusion": "错保认定",
    "case": "案件",
    "visit": "走访",
}


def _chain_words(events):
    for event in events:
        if event.get("kind") == "台账变更":
            head, _, rest = event["text"].partition(" ")
            for code, label in ENTITY_LABELS.items():
                if head.endswith(code):
                    head = head[: -len(code)] + label
                    break
            event["text"] = f"{head} {rest}" if rest else head
        yield event


@require(VIEW_REGISTRY)
def household_chain(request, code):
    household = registry_selectors.household_get(request.user, code)
    return render(
        request,
        "monitoring/household_chain.html",
        {
            "household": household,
            "events": list(_chain_words(selectors.household_chain(household))),
            "members": household.members.order_by("id"),
        },
    )


@require(VIEW_CADRE_REGISTER)
def cadre_register(request):
    status = request.GET.get("status", "")
    rows = selectors.cadre_register(request.user, status=status)
    if request.GET.get("export") == "xlsx":
        headers = ["姓名", "身份证号", "户编号", "关系", "干部姓名", "职务", "任职区划", "备案状态", "复核结果"]
        meta = ExportMeta(unit="人", user=request.user, filters=[("备案状态", dict(selectors.FILING).get(status, status))])
        return export_response(
            request,
            "人情保关系保备案.xlsx",
            "人情保关系保备案登记",
            headers,
            lambda mask: _cadre_rows(rows.iterator(), mask),
            meta,
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/cadre_register.html",
        {"page": page, "rows": list(_cadre_entries(page.object_list)), "status": status, "statuses": selectors.FILING},
    )


def _cadre_entries(warnings):
    for w in warnings:
        item = (w.detail.get("items") or [{}])[0]
        yield {
            "warning": w,
            "item": item,
            "relation": "本人" if item.get("relation") == "self" else "近亲属",
            "filing": selectors.FILING[w.status],
            "review": w.get_outcome_display() + (f"：{w.outcome_note}" if w.outcome_note else "")
            if w.outcome or w.outcome_note
            else "",
        }


def _cadre_rows(warnings, mask: ExportMask):
    for e in _cadre_entries(warnings):
        w, item = e["warning"], e["item"]
        yield [
            w.person.name,
            mask.id(w.person.id_number),
            w.household.code,
            e["relation"],
            item.get("cadre_name", ""),
            item.get("post", ""),
            item.get("cadre_region", ""),
            e["filing"],
            e["review"],
        ]
