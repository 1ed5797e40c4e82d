"""测算: assess one household typed in (or brought in from the register) and explain the
decision. Read-only: nothing here writes to the register."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from doudi.assessment import explanation
from doudi.assessment.forms import FORMSETS, HouseholdForm, IdNumberMixin, this_month
from doudi.assessment.household_input import from_registry, names_by_id, to_assess_input
from doudi.core.permissions import require
from doudi.core.roles import ASSESS
from doudi.registry import selectors
from doudi.rules import RulesError, explain


def _resolver(user):
    def resolve(pk):
        try:
            return selectors.persons_for(user).filter(pk=int(pk)).values_list("id_number", flat=True).first()
        except (TypeError, ValueError):
            return None

    return resolve


def _forms(request, initial: dict | None = None):
    villages = list(selectors.villages_for(request.user))
    data = request.POST if request.method == "POST" else None
    kwargs = {"resolve_person": _resolver(request.user)}
    household = HouseholdForm(data, villages=villages, initial=(initial or {}).get("household"))
    formsets = {
        name: cls(
            data,
            prefix=name,
            initial=(initial or {}).get(name),
            form_kwargs=kwargs if issubclass(cls.form, IdNumberMixin) else {},
        )
        for name, cls in FORMSETS.items()
    }
    return household, formsets


def _blank_initial(request) -> dict:
    villages = selectors.villages_for(request.user).values_list("code", flat=True)[:2]
    only = list(villages)
    return {"household": {"month": this_month(), "region": only[0] if len(only) == 1 else ""}, "members": [{"relation": "head"}]}


def _prefill(request, code: str) -> tuple[dict, object]:
    household = selectors.household_get(request.user, code)  # 404 outside the scope
    members = sorted(
        selectors.persons_for(request.user).filter(household=household), key=lambda m: (m.relation != "head", m.birth_date)
    )
    benefits = selectors.benefits_for(request.user).filter(household=household)
    return from_registry(household, members, benefits, request.GET.get("month") or this_month()), household


def _cross_check(formsets) -> list[str]:
    members = formsets["members"].rows()
    errors = [] if members else ["至少要有一名家庭成员"]
    ids = [m["id_number"] for m in members]
    errors += [f"身份证号 {n[:6]}…{n[-4:]} 在成员中重复出现" for n in sorted(set(ids)) if ids.count(n) > 1]
    for index, row in enumerate(formsets["current"].rows()):
        if row.get("person") and row["person"] not in ids:
            errors.append(f"第{index + 1}项保障待遇的享受人不在家庭成员中")
    return errors


def _run(household, formsets) -> dict:
    members = formsets["members"].rows()
    data = to_assess_input(household.cleaned_data, members, formsets["vehicles"].rows(), formsets["current"].rows())
    month = household.cleaned_data["month"]
    explained = explain(data, household.cleaned_data["region"][:6], month)
    names = names_by_id(members)
    return {
        "month": month,
        "decision": explanation.decision(explained["result"], names),
        "inputs": explanation.inputs_summary(
            household.cleaned_data, members, formsets["vehicles"].rows(), dict(household.fields["region"].choices)
        ),
        "sections": explanation.sections(explained, names),
        "files": _parameter_sources(explained["parameter_files"]),
    }


def _parameter_sources(files) -> list[str]:
    """Whose parameters decided, nearest first, by region name: never the server's file paths."""
    from pathlib import PurePath

    from doudi.core.models import Region

    stems = [PurePath(str(f)).stem for f in files]
    names = dict(Region.objects.filter(code__in=[s for s in stems if s.isdigit()]).values_list("code", "name"))
    return [("国家" if stem == "national" else names.get(stem, "本地区")) + "政策参数" for stem in stems]


@require(ASSESS)
def assess_page(request):
    initial, source = None, None
    if request.method != "POST" and request.GET.get("household"):
        initial, source = _prefill(request, request.GET["household"].strip())
    household, formsets = _forms(request, initial or _blank_initial(request))
    errors, result = [], None
    if request.method == "POST":
        valid = household.is_valid() & all([fs.is_valid() for fs in formsets.values()])
        if valid:
            errors = _cross_check(formsets)
        if valid and not errors:
            try:
                result = _run(household, formsets)
            except RulesError as exc:
                errors = exc.messages
        else:
            errors = errors or ["表单有错误，请按红色提示修改后重新测算。"]
    status = 400 if request.method == "POST" and result is None else 200
    return render(
        request,
        "assessment/assess.html",
        {
            "form": household,
            "formsets": formsets,
            "errors": errors,
            "result": result,
            "source": source,
            "source_code": request.POST.get("source") if request.method == "POST" else (source.code if source else ""),
        },
        status=status,
    )


@require(ASSESS)
def assess_row(request, kind: str):
    """One blank row for a formset (htmx), and the formset's new TOTAL_FORMS (out of band)."""
    if kind not in FORMSETS:
        raise Http404("没有这种表格行")
    try:
        index = max(0, int(request.GET.get(f"{kind}-TOTAL_FORMS", "0")))
    except ValueError:
        index = 0
    formset = FORMSETS[kind](prefix=kind)
    form = formset.form(prefix=formset.add_prefix(index), auto_id=formset.auto_id, use_required_attribute=False)
    return render(
        request,
        "assessment/_row_added.html",
        {"kind": kind, "form": form, "total": index + 1, "row_template": f"assessment/_{kind}_row.html"},
    )
