"""Forms of the public pages. The application form's field names are the API's (docs/interfaces.md §8), so
the cases service checks it exactly as it checks the API; the form only shapes the page."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from doudi.cases.models import CATEGORY_CHOICES
from doudi.core import codes
from doudi.core.models import Region
from doudi.public.calculator import Answers


def _village_choices(groups) -> list:
    return [("", "请选择所在村（居）")] + [(label, options) for label, options in groups]


def _region_field() -> forms.CharField:
    # A <select> grouped by township (server-rendered, no script); the value is checked by
    # the cases service (an unknown village gets its message), not by the list shown.
    return forms.CharField(
        label="所在村（居）", max_length=12, widget=forms.Select, error_messages={"required": "请选择所在村（居）"}
    )


class ApplyForm(forms.Form):
    category = forms.ChoiceField(label="申请救助类别", choices=[("", "请选择")] + list(CATEGORY_CHOICES))
    name = forms.CharField(label="申请人姓名", max_length=32)
    id_number = forms.CharField(
        label="申请人身份证号", max_length=24, widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"})
    )
    phone = forms.CharField(
        label="联系电话", max_length=20, widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"})
    )
    region = _region_field()
    reason = forms.CharField(label="申请理由（家庭困难情况）", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    promise = forms.BooleanField(
        label="本人承诺：所填情况真实；同意民政部门核对本人及家庭成员的收入和财产状况；以告知承诺书代替部分证明材料，"
        "如有不实，愿承担相应责任。",
        required=True,
        error_messages={"required": "请阅读并勾选告知承诺"},
    )

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.choices = _village_choices(groups)

    def clean_phone(self):
        phone = "".join(self.cleaned_data["phone"].split())
        if not phone.replace("-", "").isdigit() or not 7 <= len(phone.replace("-", "")) <= 12:
            raise forms.ValidationError("请填写正确的联系电话（手机或固定电话）")
        return phone


class TrackForm(forms.Form):
    number = forms.CharField(
        label="申请编号",
        max_length=24,
        widget=forms.TextInput(attrs={"placeholder": "如 140521-2026-000123", "autocomplete": "off"}),
    )
    id_number = forms.CharField(label="申请人身份证号", max_length=24, widget=forms.TextInput(attrs={"autocomplete": "off"}))


def _count(label: str, **kw):
    return forms.IntegerField(label=label, min_value=0, max_value=20, initial=0, **kw)


class CalculatorForm(forms.Form):
    region = _region_field()
    hukou = forms.ChoiceField(label="户籍性质", choices=list(codes.HUKOU.items()), initial="rural", widget=forms.RadioSelect)
    size = forms.IntegerField(label="共同生活的家庭人口（人）", min_value=1, max_value=20, initial=1)
    income = forms.DecimalField(
        label="全家每月收入合计（元）",
        min_value=Decimal(0),
        max_value=Decimal(10**7),
        decimal_places=2,
        initial=0,
        help_text="工资、经营、租金、养老金等，按近12个月平均",
    )
    assets = forms.DecimalField(
        label="全家存款、理财等金融资产（元）", min_value=Decimal(0), max_value=Decimal(10**9), decimal_places=2, initial=0
    )
    elderly = _count("其中60岁以上老人（人）")
    elderly80 = _count("其中80岁以上老人（人）", help_text="包括在上一项内")
    children = _count("其中未满18岁的孩子（人）")
    disabled_severe = _count("持一级、二级残疾证的（人）")
    disabled_other = _count("持三级、四级残疾证的（人）")
    bedridden = _count("生活完全不能自理的（人）")
    supporter = forms.BooleanField(label="老人、残疾人或孩子有具备赡养、抚养能力的子女或其他法定义务人", required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.choices = _village_choices(groups)

    def clean_region(self):
        code = self.cleaned_data["region"].strip()
        if not Region.objects.filter(code=code, level=Region.Level.VILLAGE).exists():
            raise forms.ValidationError(f"未知的村（居）：{code}，请从列表中选择")
        return code

    def clean(self):
        data = super().clean()
        size = data.get("size")
        if size is None or any(
            data.get(k) is None for k in ("elderly", "elderly80", "children", "disabled_severe", "disabled_other", "bedridden")
        ):
            return data
        if data["elderly80"] > data["elderly"]:
            self.add_error("elderly80", "80岁以上老人包括在60岁以上老人内，人数不能更多")
        if data["elderly"] + data["children"] > size:
            self.add_error("children", "老人和孩子的人数合计不能超过家庭人口")
        if data["disabled_severe"] + data["disabled_other"] > size:
            self.add_error("disabled_other", "残疾人数合计不能超过家庭人口")
        if data["bedridden"] > size:
            self.add_error("bedridden", "不能超过家庭人口")
        return data

    def answers(self) -> Answers:
        d = self.cleaned_data
        return Answers(
            region=d["region"],
            size=d["size"],
            hukou=d["hukou"],
            income=d["income"],
            assets=d["assets"],
            elderly=d["elderly"],
            elderly80=d["elderly80"],
            children=d["children"],
            disabled_severe=d["disabled_severe"],
            disabled_other=d["disabled_other"],
            supporter=d["supporter"],
            bedridden=d["bedridden"],
        )
