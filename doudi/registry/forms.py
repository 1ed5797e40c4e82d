"""Correction forms for a person's and a household's record: a reason is required, and
the version the clerk started from travels with the form."""

from django import forms
from django.core.validators import MinValueValidator

from doudi.core import idnumber
from doudi.core.exports import account_problem
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
        # The page never shows a full account (the person page unmasks it with a logged
        # click): the form starts from the masked value, and sending it back unchanged
        # keeps the stored account.
        self.stored_account = self.instance.bank_account if self.instance.pk else ""
        self.initial["bank_account"] = idnumber.mask_account(self.stored_account)
        self.fields["bank_account"].help_text = "显示为脱敏账号；不修改则保留原账号，更换时输入完整的新账号"

    def clean_bank_account(self) -> str:
        typed = (self.cleaned_data.get("bank_account") or "").strip()
        if typed == idnumber.mask_account(self.stored_account):
            return self.stored_account
        if "*" in typed:
            raise forms.ValidationError("请保留原显示的脱敏账号，或输入完整的新账号")
        problem = account_problem(typed)
        if problem:
            raise forms.ValidationError(problem)
        return typed

    def clean(self):
        data = super().clean()
        kind, level = data.get("disability_kind"), data.get("disability_level")
        if bool(kind) != bool(level):
            raise forms.ValidationError("残疾类别和残疾等级须同时填写或同时留空")
        return data
