"""Correction forms for a person's and a household's record: a reason is required, and
the version the clerk started from travels with the form."""
from django import forms
from django.core.validators import MinValueValidator

from doudi.registry.models import Household, Person
from doudi.registry.services import EDITABLE_HOUSEHOLD_FIELDS, EDITABLE_PERSON_FIELDS


class CorrectionForm(forms.ModelForm):
    reason = forms.CharField(label="修改原因", max_length=200, help_text="例如：入户核查发现收入变化")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = "此项不能为空"
            field.error_messages["min_value"] = "不能小于 %(limit_value)s"


class HouseholdCorrectionForm(CorrectionForm):
    class Meta:
        model = Household
        fields = EDITABLE_HOUSEHOLD_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField):  # amounts of money and expenditure: never negative
                field.validators.append(MinValueValidator(0))


class PersonCorrectionForm(CorrectionForm):
    class Meta:
        model = Person
        fields = EDITABLE_PERSON_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disability_level"].required = False

    def clean(self):
        data = super().clean()
        kind, level = data.get("disability_kind"), data.get("disability_level")
        if bool(kind) != bool(level):
            raise forms.ValidationError("残疾类别和残疾等级须同时填写或同时留空")
        return data
