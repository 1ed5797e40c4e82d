"""The 附件1 form (走访排查记录表) as a Django form: the fields of the paper, no more.
The signatures arrive as PNG data URLs drawn on a <canvas> by static/care/visit.js."""

from __future__ import annotations

import base64
import binascii

from django import forms
from django.utils import timezone

from doudi.care import groups
from doudi.care.models import Problem

YES_NO = [("yes", "是"), ("no", "否")]
DATA_URL = "data:image/png;base64,"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label="走访时间",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写走访时间", "invalid": "走访时间格式不对，应为 年-月-日"},
    )
    categories = forms.MultipleChoiceField(
        label="人员类别", required=False, widget=forms.CheckboxSelectMultiple, choices=list(groups.FORM_CATEGORIES.items())
    )
    health = forms.MultipleChoiceField(
        label="身体健康状况", required=False, widget=forms.CheckboxSelectMultiple, choices=list(groups.HEALTH.items())
    )
    record = forms.CharField(label="探访记录", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    problems_text = forms.CharField(label="存在问题", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label="解决措施及时限", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    visitor_signature = forms.CharField(required=False, widget=forms.HiddenInput)
    person_signature = forms.CharField(required=False, widget=forms.HiddenInput)
    photos = MultipleFileField(
        label="照片（JPEG 或 PNG，每张不超过 8MB）",
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
    )
    client_key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, text in groups.QUESTIONS.items():
            self.fields[f"q{number}"] = forms.ChoiceField(
                label=f"{number}、{text}",
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": f"走访排查情况第 {number} 项请选择“是”或“否”"},
            )
            self.fields[f"q{number}_note"] = forms.CharField(label="情况说明", required=False, max_length=500)
        self.order_fields(["visited_on", "categories", "health", *[f for n in groups.QUESTIONS for f in (f"q{n}", f"q{n}_note")]])

    def questions(self):
        """(number, answer field, note field) for the template, in the form's order."""
        return [(n, self[f"q{n}"], self[f"q{n}_note"]) for n in groups.QUESTIONS]

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("走访时间不能晚于今天")
        return day

    def _png(self, name: str, who: str) -> bytes:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            raise forms.ValidationError(f"缺少{who}签字：请在签字框内签名")
        if not text.startswith(DATA_URL):
            raise forms.ValidationError(f"{who}签字格式不对，请清除后重签")
        try:
            return base64.b64decode(text[len(DATA_URL) :], validate=True)
        except (binascii.Error, ValueError):
            raise forms.ValidationError(f"{who}签字格式不对，请清除后重签") from None

    def clean_visitor_signature(self):
        return self._png("visitor_signature", "走访排查人")

    def clean_person_signature(self):
        return self._png("person_signature", "困难群众")

    def clean(self):
        data = super().clean()
        health = data.get("health") or []
        if "healthy" in health and len(health) > 1:
            self.add_error("health", "选了“健康”，就不能同时选残疾、大病或慢性病")
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "visited_on": data["visited_on"],
            "categories": data["categories"],
            "health": data["health"],
            "answers": {n: data[f"q{n}"] == "yes" for n in groups.QUESTIONS},
            "notes": {n: data[f"q{n}_note"] for n in groups.QUESTIONS},
            "record": data["record"],
            "problems_text": data["problems_text"],
            "measures": data["measures"],
            "visitor_signature": data["visitor_signature"],
            "person_signature": data["person_signature"],
            "photos": data["photos"],
            "client_key": data["client_key"],
        }

    def messages(self) -> list[str]:
        return [message for errors in self.errors.values() for message in errors]


class AssignForm(forms.Form):
    owner = forms.ChoiceField(label="责任单位", choices=Problem.Owner.choices)
    note = forms.CharField(label="交办说明", required=False, max_length=500)


class SolveForm(forms.Form):
    outcome = forms.CharField(
        label="办理结果（做了什么）",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "办结问题须填写办理结果（做了什么）"},
    )
    solved_on = forms.DateField(
        label="解决日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写解决日期", "invalid": "解决日期格式不对"},
    )
