"""The application form (受理申请); field names are the API's (SPEC §8), so one service
checks both."""
from django import forms

from doudi.cases.models import CATEGORY_CHOICES, Case


class ApplyForm(forms.Form):
    category = forms.ChoiceField(label="申请类别", choices=CATEGORY_CHOICES)
    id_number = forms.CharField(label="申请人身份证号", max_length=24,
                                help_text="已在台账中的申请人，受理后自动关联其家庭")
    name = forms.CharField(label="申请人姓名", max_length=32)
    region = forms.ChoiceField(label="所在村（居）")
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    channel = forms.ChoiceField(label="申请渠道", choices=Case.Channel.choices, initial=Case.Channel.WINDOW)
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    promise = forms.BooleanField(label="以告知承诺书代替部分证明材料", required=False)
    special = forms.BooleanField(label="情况特殊，办理时限延长至45个工作日", required=False)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "请选择")] + [
            (v.code, f"{v.parent.name if v.parent else ''} {v.name}") for v in villages]
