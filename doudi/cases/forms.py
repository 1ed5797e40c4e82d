"""The application form (受理申请); field names are the API's (docs/interfaces.md §8), so one service
checks both."""

from django import forms

from doudi.cases.models import CATEGORY_CHOICES, Case
from doudi.rules import temp_assist as _ta


class ApplyForm(forms.Form):
    category = forms.ChoiceField(label="申请类别", choices=CATEGORY_CHOICES)
    id_number = forms.CharField(label="申请人身份证号", max_length=24, help_text="已在台账中的申请人，受理后自动关联其家庭")
    name = forms.CharField(label="申请人姓名", max_length=32)
    region = forms.ChoiceField(label="所在村（居）")
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    channel = forms.ChoiceField(label="申请渠道", choices=Case.Channel.choices, initial=Case.Channel.WINDOW)
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    promise = forms.BooleanField(label="以告知承诺书代替部分证明材料", required=False)
    special = forms.BooleanField(label="情况特殊，办理时限延长至45个工作日", required=False)
    # A new applicant (not in the register): the household, created in the register when confirmed.
    hukou = forms.ChoiceField(
        label="户籍性质（新申请人填写）", choices=[("", "—"), ("rural", "农村"), ("urban", "城镇")], required=False
    )
    address = forms.CharField(label="详细地址（新申请人填写）", max_length=200, required=False)
    members = forms.CharField(
        label="其他家庭成员（新申请人填写，每行：姓名 身份证号 关系）",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "李秀英 140521198003030022 配偶"}),
        max_length=2000,
        required=False,
        help_text="关系填 配偶、子女、父母、孙子女、祖父母、兄弟姐妹 或 其他；申请人本人为户主，不必填写",
    )

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "请选择")] + [
            (v.code, f"{v.parent.name if v.parent else ''} {v.name}") for v in villages
        ]


class TempApplyForm(forms.Form):
    """受理临时救助 at the place of the emergency (急难发生地): anyone, whatever their 户籍."""

    id_number = forms.CharField(label="申请人身份证号", max_length=24, help_text="任何户籍均可申请，不在本县台账中也可受理")
    name = forms.CharField(label="申请人姓名", max_length=32)
    region = forms.ChoiceField(label="急难发生地（村、社区）")
    hukou_place = forms.CharField(label="户籍地", max_length=100, required=False, help_text="如 阳城县；不影响受理")
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    channel = forms.ChoiceField(label="申请渠道", choices=Case.Channel.choices, initial=Case.Channel.WINDOW)
    cause = forms.ChoiceField(label="救助事由", choices=[(k, f"{_ta.KINDS[v[1]]}：{v[0]}") for k, v in _ta.CAUSES.items()])
    tier = forms.ChoiceField(label="困难程度", choices=list(_ta.TIERS.items()), initial="general")
    incident_on = forms.DateField(label="急难发生日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    reason = forms.CharField(label="困难情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    requested_amount = forms.CharField(label="申请金额（元，可不填）", max_length=14, required=False)
    expense = forms.CharField(label="支出型：需自付的必需支出（元）", max_length=14, required=False)
    household_income_12m = forms.CharField(label="支出型：家庭近12个月收入（元）", max_length=14, required=False)
    education_level = forms.ChoiceField(
        label="教育支出：教育阶段", choices=[("", "—")] + list(_ta.EDUCATION_LEVELS.items()), required=False
    )
    self_chosen_school = forms.BooleanField(label="自费择校", required=False)
    months_without_income = forms.CharField(label="未参保失业人员：连续无收入月数", max_length=3, required=False)
    unemployment_insured = forms.BooleanField(label="已参加失业保险", required=False)
    in_kind = forms.CharField(label="实物救助（临时住宿、饮食、御寒衣物等）", max_length=200, required=False)
    in_kind_value = forms.CharField(label="实物折价（元）", max_length=14, required=False)
    new_reason = forms.CharField(
        label="新的困难情况（同一事由再次申请时填写，报县级审批）",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "请选择")] + [
            (v.code, f"{v.parent.name if v.parent else ''} {v.name}") for v in villages
        ]
