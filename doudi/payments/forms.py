"""Forms of the payment screens; validation messages in Chinese."""
from django import forms

from doudi.payments import bankfiles, params
from doudi.core.codes import CATEGORY_SHORT

MONTH = {"pattern": r"\d{4}-\d{2}", "placeholder": "YYYY-MM"}


class BuildForm(forms.Form):
    period = forms.RegexField(label="期次", regex=r"^\d{4}-(0[1-9]|1[0-2])$", widget=forms.TextInput(attrs=MONTH),
                              error_messages={"invalid": "期次应为 YYYY-MM", "required": "请填写期次"})
    category = forms.ChoiceField(label="保障类别", required=False,
                                 choices=[("", "全部")] + [(c, CATEGORY_SHORT[c]) for c in params.PAID_CATEGORIES])
    through = forms.RegexField(label="提前发放至（可选）", required=False, regex=r"^\d{4}-(0[1-9]|1[0-2])$",
                               widget=forms.TextInput(attrs=MONTH), error_messages={"invalid": "月份应为 YYYY-MM"})


class ReturnForm(forms.Form):
    layout = forms.ChoiceField(label="文件格式")
    file = forms.FileField(label="银行回盘文件", error_messages={"required": "请选择回盘文件"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["layout"].choices = [(code, layout.name) for code, layout in bankfiles.layouts().items()]


class PriceIndexForm(forms.Form):
    month = forms.RegexField(label="指数月份", regex=r"^\d{4}-(0[1-9]|1[0-2])$", widget=forms.TextInput(attrs=MONTH),
                             error_messages={"invalid": "月份应为 YYYY-MM", "required": "请填写月份"})
    cpi = forms.DecimalField(label="CPI 同比涨幅(%)", max_digits=5, decimal_places=2, min_value=-50, max_value=50)
    food = forms.DecimalField(label="食品 CPI 同比涨幅(%)", max_digits=5, decimal_places=2, min_value=-50, max_value=50)
    released = forms.DateField(label="发布日期（可选）", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class RecoveryForm(forms.Form):
    amount = forms.DecimalField(label="追回金额", max_digits=12, decimal_places=2, min_value=0.01)
    note = forms.CharField(label="说明", max_length=200, required=False)
