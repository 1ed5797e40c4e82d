"""参数管理: every parameter in force for a county on a date (rules and payments), with its
Chinese name, value, unit, dates, 文号 and the file it comes from; the county administrator
adds a dated value with its 文号, written to the county's file in DOUDI_POLICY_DIR after
the loader's own validation, and recorded in the audit log. Other roles are refused; a
county outside the administrator's region is a 404 like one that does not exist."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from doudi.assessment import parameter_text
from doudi.core.models import AuditEntry, Region
from doudi.core.roles import MANAGE_PARAMETERS, can
from doudi.core.scoping import in_scope
from doudi.rules.editing import NEEDS_FOLDER, add_value
from doudi.rules.errors import RulesError
from doudi.rules.parameters import COUNTY, ENV, NATIONAL, ROOT, load_tree, policy_dir, tree_problem
from doudi.rules.policy import Policy, provenance
from doudi.rules.schema import PARAMETERS, PAYMENT_PARAMETERS, spec_for

SECTIONS = (("rules", "保障资格和金额"), ("compare", "数据比对与预警"), ("payments", "资金发放"))


class EditForm(forms.Form):
    region = forms.CharField(widget=forms.HiddenInput)
    parameter = forms.CharField(label="参数", max_length=80)
    start = forms.DateField(label="生效日期", error_messages={"invalid": "生效日期应为有效日期，格式 YYYY-MM-DD"})
    until = forms.DateField(
        label="截止日期（可选）", required=False, error_messages={"invalid": "截止日期应为有效日期，格式 YYYY-MM-DD"}
    )
    value = forms.CharField(label="新的值", max_length=500, required=False)
    ref = forms.CharField(label="文号", max_length=200, required=False)
    note = forms.CharField(label="说明（可选）", max_length=200, required=False)


_PATH = re.compile(r"(?:[A-Za-z]:)?[/\\][^\s，：；（）]*[/\\]([^/\\\s，：；（）]+\.yaml)")


def _clean(text: str) -> str:
    """A message as the page shows it: file names, never a server path."""
    text = _PATH.sub(r"\1", str(text))
    for folder, name in ((os.environ.get(ENV, "").strip(), "县参数目录"), (str(ROOT), "随附参数目录")):
        text = text.replace(folder, name) if folder else text
    return text


def _may_manage(user) -> bool:
    return can(user, MANAGE_PARAMETERS)


def _county(user, code: str | None) -> Region:
    """The county shown: the one asked for, else the user's own; outside the scope is a 404."""
    scope = user.scope_code
    code = (code or (scope or "")[:6]).strip()
    if not code:
        first = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
        code = first.code if first else ""
    county = Region.objects.filter(code=code, level=Region.Level.COUNTY).first()
    if county is None or not in_scope(user, county.code):
        raise Http404("没有这个县，或不在您的管辖范围内")
    return county


def _day(raw: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw else dt.date.today()
    except ValueError:
        return dt.date.today()


def _section(name: str) -> str:
    if name in PARAMETERS:
        return "compare" if name.startswith("compare.") else "rules"
    return "payments"


def _source(region_file) -> str:
    where = "县参数目录" if region_file.origin == COUNTY else "随附"
    return f"{Path(region_file.file).name}（{where}）"


def _rows(county: str, day: dt.date) -> dict[str, list[dict]]:
    policy = Policy(county[:2], load_tree())
    out: dict[str, list[dict]] = {key: [] for key, _ in SECTIONS}
    for entry, region_file in policy.in_force(county, day):
        spec = spec_for(entry.name)
        out[_section(entry.name)].append(
            {
                "key": entry.name,
                "name": spec.zh,
                "value": parameter_text.display(spec, entry.value),
                "unit": parameter_text.UNITS.get(spec.unit, ""),
                "start": entry.start,
                "until": entry.until,
                "ref": entry.ref,
                "source": _source(region_file),
                "region": "全国默认" if region_file.region == NATIONAL else region_file.name,
                "edit": parameter_text.input_text(spec, entry.value),
            }
        )
    return out


def _choices() -> list[tuple[str, str]]:
    shares = sorted({n for f in load_tree().values() for n in f.entries} - set(PARAMETERS) - set(PAYMENT_PARAMETERS))
    return [(name, spec_for(name).zh) for name in (*PARAMETERS, *PAYMENT_PARAMETERS, *shares)]


def _save(request, county: Region, form: EditForm) -> list[str]:
    """Writes the value and its audit entry; the reasons it was refused otherwise."""
    data = form.cleaned_data
    spec = spec_for(data["parameter"])
    if spec is None:
        return [f"未知参数：{data['parameter']}"]
    try:
        with transaction.atomic():
            change = add_value(
                region=county.code,
                name=data["parameter"],
                start=data["start"],
                value=parameter_text.parse(spec, data["value"]),
                ref=data["ref"].strip(),
                note=data["note"].strip(),
                until=data["until"],
                region_name=county.name,
            )
            before = change.before
            AuditEntry.objects.create(
                user=request.user,
                role=request.user.role,
                action="create" if change.created else "update",
                entity="parameter",
                entity_key=f"{county.code}:{change.name}"[:64],
                reason=data["ref"].strip()[:200],
                changes={
                    spec.zh: [_plain(spec, before.value) if before else None, _plain(spec, change.after.value)],
                    "生效日期": [before.start.isoformat() if before else None, change.after.start.isoformat()],
                    "文号": [before.ref if before else None, change.after.ref],
                    "文件": [None, change.file],
                },
            )
    except RulesError as exc:
        return [f"{spec.zh}：{_clean(message)}" for message in exc.messages]
    messages.success(
        request,
        f"已保存：{spec.zh}自 {change.after.start} 起为 {parameter_text.display(spec, change.after.value)}"
        f"（{change.after.ref}），写入 {change.file}。",
    )
    return []


def _plain(spec, value) -> str:
    return parameter_text.input_text(spec, value)


@login_required
def parameters_page(request):
    if not _may_manage(request.user):
        raise PermissionDenied("只有县民政局管理员可以查看和修改参数")
    source = request.POST if request.method == "POST" else request.GET
    county = _county(request.user, source.get("region"))
    errors, status = [], 200
    try:
        folder = policy_dir()
    except RulesError as exc:
        folder, errors = None, [_clean(m) for m in exc.messages]
    form = EditForm(initial={"region": county.code, "start": _day(request.GET.get("date")).isoformat()})
    if request.method == "POST":
        form = EditForm(request.POST)
        if folder is None:
            errors = errors or [NEEDS_FOLDER]
        elif form.is_valid():
            errors = _save(request, county, form)
            if not errors:
                query = urlencode({"region": county.code, "date": form.cleaned_data["start"].isoformat()})
                return redirect(f"{reverse('assessment:parameters')}?{query}")
        else:
            errors = [e for errs in form.errors.values() for e in errs]
        status = 400
    day = _day(request.GET.get("date") if request.method != "POST" else request.POST.get("start"))
    try:
        rows, problem = _rows(county.code, day), tree_problem()
    except RulesError as exc:
        rows, problem = {}, "；".join(exc.messages)
    problem = _clean(problem) if problem else None
    chosen = next((r for rs in rows.values() for r in rs if r["key"] == request.GET.get("edit")), None)
    if request.method != "POST" and chosen:
        form = EditForm(
            initial={"region": county.code, "start": day.isoformat(), "parameter": chosen["key"], "value": chosen["edit"]}
        )
    return render(
        request,
        "assessment/parameters.html",
        {
            "county": county,
            "day": day,
            "sections": [(label, rows.get(key, [])) for key, label in SECTIONS],
            "counties": Region.objects.filter(level=Region.Level.COUNTY, code__startswith=request.user.scope_code or "").order_by(
                "code"
            ),
            "form": form,
            "choices": _choices(),
            "folder_set": folder is not None,
            "needs_folder": NEEDS_FOLDER,
            "notice": provenance(county.code) if rows else None,
            "problem": problem,
            "errors": errors,
            "chosen": chosen,
        },
        status=status,
    )
