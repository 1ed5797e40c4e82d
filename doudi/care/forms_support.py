"""Forms of the agreement, 困境儿童 and 集中供养 pages. They only read what was typed (dates,
choices); the rules (end before start, who may be paired …) are the services' (Chinese
CareError), so a refused form comes back with what was typed."""

from __future__ import annotations

from django import forms

from doudi.care.models import CareAgreement, ChildDirector, ChildGuardian, PlacementWish

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def _date(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        **DATE,
        error_messages={"required": f"请填写{label}", "invalid": f"{label}格式不对，应为 年-月-日"},
    )


class AgreementForm(forms.Form):
    kind = forms.ChoiceField(
        label="照料方式",
        choices=CareAgreement.Kind.choices,
        widget=forms.RadioSelect,
        initial=CareAgreement.Kind.CARER,
        error_messages={"required": "请选择照料方式"},
    )
    carer_name = forms.CharField(label="照料人姓名", required=False, max_length=60)
    carer_id_number = forms.CharField(label="照料人身份证号", required=False, max_length=24)
    carer_phone = forms.CharField(
        label="联系电话", required=False, max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    carer_relation = forms.CharField(
        label="与特困人员关系", required=False, max_length=16, widget=forms.TextInput(attrs={"placeholder": "如：侄子、邻居"})
    )
    provider = forms.CharField(label="服务机构（政府购买服务）", required=False, max_length=100)
    hours_per_month = forms.CharField(
        label="每月服务时长（小时）", required=False, max_length=8, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    duties = forms.CharField(
        label="照料内容",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写照料内容（如：日常起居、做饭洗衣、就医陪护）"},
    )
    starts_on = _date("协议开始日期")
    ends_on = _date("协议终止日期")
    signed_copy = forms.FileField(
        label="签字协议（PDF、JPEG 或 PNG，不超过 10MB）",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
        error_messages={"required": "请上传签字的协议（PDF、JPEG 或 PNG）"},
    )

    def messages(self) -> list[str]:
        return [m for errors in self.errors.values() for m in errors]


class ReplaceForm(AgreementForm):
    replace_on = _date("更换日期")
    end_reason = forms.ChoiceField(
        label="原照料人不能继续照料的原因",
        choices=[("", "请选择")] + CareAgreement.EndReason.choices,
        error_messages={"required": "请选择更换照料人的原因"},
    )
    end_note = forms.CharField(label="情况说明", required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["starts_on"]  # the new agreement starts on the replacement day
        self.order_fields(["replace_on", "end_reason", "end_note"])


class GuardianForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=ChildGuardian.Kind.choices, error_messages={"required": "请选择类型"})
    name = forms.CharField(label="姓名（兜底监护可留空，默认县民政局）", required=False, max_length=60)
    id_number = forms.CharField(label="身份证号", required=False, max_length=24)
    phone = forms.CharField(label="联系电话", required=False, max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    relation = forms.CharField(label="与儿童关系", required=False, max_length=16)
    duty = forms.CharField(label="应履行的责任", required=False, max_length=500)
    reason = forms.CharField(label="说明（兜底监护须写明无人监护的原因）", required=False, max_length=500)
    since = _date("开始日期")


class EndForm(forms.Form):
    reason = forms.CharField(label="终止原因", max_length=500, error_messages={"required": "请写明终止原因"})
    ended_on = _date("终止日期")


class PairForm(forms.Form):
    director = forms.ModelChoiceField(
        label="儿童主任",
        queryset=ChildDirector.objects.none(),
        error_messages={"required": "请选择儿童主任", "invalid_choice": "请选择负责本村的儿童主任"},
    )
    since = _date("结对日期")
    reason = forms.CharField(label="更换原因（已有结对时填写）", required=False, max_length=500)

    def __init__(self, *args, directors=None, **kwargs):
        super().__init__(*args, **kwargs)
        if directors is not None:
            self.fields["director"].queryset = directors


class DirectorForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=32, error_messages={"required": "请填写儿童主任姓名"})
    kind = forms.ChoiceField(label="职务", choices=ChildDirector.Kind.choices)
    region_code = forms.ChoiceField(label="负责的村（社区）或乡镇", choices=[])
    phone = forms.CharField(label="联系电话", required=False, max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"}))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [("", "请选择")] + list(regions)
        self.fields["region_code"].error_messages = {
            "required": "请选择负责的村（社区）或乡镇",
            "invalid_choice": "请选择您管辖范围内的村（社区）或乡镇",
        }


class WishForm(forms.Form):
    wished_on = _date("提出意愿日期")
    note = forms.CharField(label="说明", required=False, max_length=500)


class DecideForm(forms.Form):
    state = forms.ChoiceField(
        label="结果",
        choices=[(PlacementWish.State.PLACED, "已集中供养"), (PlacementWish.State.WITHDRAWN, "不再安置")],
        error_messages={"required": "请选择结果"},
    )
    outcome_on = _date("结果日期")
    institution = forms.CharField(label="供养机构", required=False, max_length=100)
    outcome = forms.CharField(label="结果说明", required=False, max_length=500)
