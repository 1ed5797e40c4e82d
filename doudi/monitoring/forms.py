"""Forms for starting a comparison and handling a warning."""

import datetime as dt

from django import forms
from django.utils import timezone

from doudi.monitoring.models import Warning


class CompareForm(forms.Form):
    as_of = forms.DateField(label="比对日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    engine = forms.ChoiceField(label="计算引擎", choices=[("duckdb", "DuckDB（本机，默认）"), ("spark", "Spark（集群）")])

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"]
        if as_of > timezone.localdate():
            raise forms.ValidationError("比对日期不能晚于今天")
        return as_of


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class VisitForm(forms.Form):
    visited_on = forms.DateField(label="核查日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    notes = forms.CharField(label="核查情况", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    photos = MultipleFileField(label="现场照片（JPEG/PNG，可多张）", required=False)


class ConfirmForm(forms.Form):
    outcome = forms.ChoiceField(label="处理结果", choices=Warning.Outcome.choices)
    reason = forms.CharField(label="处理说明", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    benefits = forms.MultipleChoiceField(label="停发的待遇", required=False, widget=forms.CheckboxSelectMultiple)
    stop_on = forms.DateField(
        label="停发日期（最后一个享受日）", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def __init__(self, *args, benefits=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.benefit_objects = {str(b.pk): b for b in benefits}
        self.fields["benefits"].choices = [
            (str(b.pk), f"{b.category_label}{'（' + b.person.name + '）' if b.person else ''} 月{b.monthly_amount}元")
            for b in benefits
        ]
        self.fields["stop_on"].initial = dt.date.today()

    def chosen_benefits(self):
        return [self.benefit_objects[pk] for pk in self.cleaned_data.get("benefits", [])]


class DismissForm(forms.Form):
    reason = forms.CharField(label="排除原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
