"""Forms of the payment screens; validation messages in Chinese."""

from django import forms
from django.utils import timezone

from doudi.core.codes import CATEGORY_SHORT
from doudi.payments import bankfiles, params

MONTH = {"pattern": r"\d{4}-\d{2}", "placeholder": "YYYY-MM"}


def this_month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def last_month() -> str:
    today = timezone.localdate()
    return f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}"


class BuildForm(forms.Form):
    period = forms.RegexField(
        label="期次",
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        widget=forms.TextInput(attrs=MONTH),
        initial=this_month,
        error_messages={"invalid": "期次应为 YYYY-MM", "required": "请填写期次"},
    )
    category = forms.ChoiceField(
        label="保障类别", required=False, choices=[("", "全部")] + [(c, CATEGORY_SHORT[c]) for c in params.PAID_CATEGORIES]
    )
    through = forms.RegexField(
        label="提前发放至（可选）",
        required=False,
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        widget=forms.TextInput(attrs=MONTH),
        error_messages={"invalid": "月份应为 YYYY-MM"},
    )


class ReturnForm(forms.Form):
    layout = forms.ChoiceField(label="文件格式")
    file = forms.FileField(label="银行回盘文件", error_messages={"required": "请选择回盘文件"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["layout"].choices = [(code, layout.name) for code, layout in bankfiles.layouts().items()]


class PriceIndexForm(forms.Form):
    month = forms.RegexField(
        label="指数月份",
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        widget=forms.TextInput(attrs=MONTH),
        initial=last_month,
        error_messages={"invalid": "月份应为 YYYY-MM", "required": "请填写月份"},
    )
    cpi = forms.DecimalField(label="CPI 同比涨幅(%)", max_digits=5, decimal_places=2, min_value=-50, max_value=50)
    food = forms.DecimalField(label="食品 CPI 同比涨幅(%)", max_digits=5, decimal_places=2, min_value=-50, max_value=50)
    released = forms.DateField(
        label="发布日期（可选）", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


class RecoveryForm(forms.Form):
    amount = forms.DecimalField(label="追回金额", max_digits=12, decimal_places=2, min_value=0.01)
    note = forms.CharField(label="说明", max_length=200, required=False)


class ReserveDrawForm(forms.Form):
    """支取备用金. The township list is the user's own townships (set by the view)."""

    token = forms.CharField(widget=forms.HiddenInput)
    township = forms.ChoiceField(
        label="乡镇", error_messages={"invalid_choice": "该乡镇不在您的管辖范围内", "required": "请选择乡镇"}
    )
    on = forms.DateField(
        label="支取日期",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        initial=timezone.localdate,
        error_messages={"required": "请填写支取日期", "invalid": "日期格式应为 YYYY-MM-DD"},
    )
    recipient_name = forms.CharField(label="收款人姓名", max_length=100, error_messages={"required": "请填写收款人姓名"})
    recipient_id_number = forms.CharField(
        label="收款人身份证号", max_length=24, error_messages={"required": "请填写收款人身份证号"}
    )
    amount = forms.DecimalField(
        label="金额（元）",
        max_digits=12,
        decimal_places=2,
        min_value=0.01,
        error_messages={"required": "请填写金额", "min_value": "金额应大于 0 元", "invalid": "金额应为数字"},
    )
    cause_type = forms.ChoiceField(label="救助类型", choices=[("emergency", "急难型"), ("expense", "支出型")])
    cause = forms.CharField(label="事由", max_length=200, error_messages={"required": "请填写救助事由"})
    advance = forms.BooleanField(label="先行救助", required=False)
    fund = forms.ChoiceField(label="资金来源", required=False)
    note = forms.CharField(label="说明（可选）", max_length=200, required=False)

    def __init__(self, *args, townships=(), funds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = list(townships)
        self.fields["fund"].choices = [("", "默认（临时救助资金）")] + list(funds)


class ReserveAllocationForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    township = forms.ChoiceField(
        label="乡镇", error_messages={"invalid_choice": "该乡镇不在您的管辖范围内", "required": "请选择乡镇"}
    )
    on = forms.DateField(
        label="下拨日期",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        initial=timezone.localdate,
        error_messages={"required": "请填写下拨日期", "invalid": "日期格式应为 YYYY-MM-DD"},
    )
    amount = forms.DecimalField(
        label="金额（元）",
        max_digits=12,
        decimal_places=2,
        min_value=0.01,
        error_messages={"required": "请填写金额", "min_value": "金额应大于 0 元", "invalid": "金额应为数字"},
    )
    ref = forms.CharField(label="文号或说明", max_length=200, error_messages={"required": "请填写下拨文号或说明"})

    def __init__(self, *args, townships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = list(townships)


class ReserveReverseForm(forms.Form):
    reason = forms.CharField(label="冲销原因", max_length=180, error_messages={"required": "冲销须写明原因"})


class ReserveCheckForm(forms.Form):
    """复核 (note optional) or 退回 (reason required, checked by the workflow) of a reserve entry."""

    note = forms.CharField(label="复核意见", max_length=180, required=False)


class WriteOffProposeForm(forms.Form):
    reason = forms.CharField(label="核销原因", max_length=180, error_messages={"required": "申请核销须写明原因"})
    ref = forms.CharField(label="批准文件或文号（可选）", max_length=100, required=False)


class WriteOffDecideForm(forms.Form):
    """审批核销 (note and 文号 optional) or 退回 (reason required, checked by the workflow)."""

    note = forms.CharField(label="审批意见", max_length=180, required=False)
    ref = forms.CharField(label="批准文件或文号（可选）", max_length=100, required=False)
