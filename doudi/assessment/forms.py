"""The 测算 form: one household as docs/interfaces.md §3 describes it, split into a household form and
three row formsets (members, vehicles, benefits held) that htmx grows and shrinks.

Rows removed in the browser simply do not post; a row that posts anything is validated in
full, so a half-filled row is reported rather than silently dropped. ID numbers shown
masked (prefilled from the register) come back with the person's key and are resolved on
the server inside the user's scope, so the full number never reaches the page.
"""

from __future__ import annotations

from django import forms

from doudi.assessment.labels import MONTHLY_CATEGORIES, VEHICLE_KINDS
from doudi.core import codes, idnumber, months

INCOME_FIELDS = {
    "wage": "月工资性收入",
    "business": "月经营净收入",
    "property": "月财产性收入",
    "transfer": "月转移性收入",
    "exempt": "月豁免收入",
}
MEMBER_FLAGS = {
    "serious_illness": "重病",
    "employed": "就业",
    "capable_supporter": "有履行能力的法定义务人",
    "orphan": "孤儿",
    "unsupported_child": "事实无人抚养儿童",
}


def _blank(table: dict, empty: str = "—") -> list[tuple]:
    return [("", empty), *table.items()]


def money(label: str, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "invalid": "请输入金额（元），如 600 或 600.50",
            "min_value": "金额不能为负数",
            "max_decimal_places": "金额最多保留两位小数",
            "required": "请填写金额",
        },
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "class": "money"}),
    )


def count(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        error_messages={"invalid": "请输入非负整数", "min_value": "不能为负数"},
        widget=forms.NumberInput(attrs={"min": "0", "class": "count"}),
    )


def month_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2025-01"}),
        error_messages={"required": "请选择月份"},
    )


def clean_month(value: str) -> str:
    try:
        return months.parse(value)
    except months.BadMonth as exc:
        raise forms.ValidationError(str(exc)) from None


this_month = months.this_month


class HouseholdForm(forms.Form):
    region = forms.ChoiceField(
        label="所在村(社区)",
        error_messages={"required": "请选择所在村(社区)", "invalid_choice": "所选村(社区)不在您的管辖范围内"},
    )
    hukou = forms.ChoiceField(label="户籍性质", choices=list(codes.HUKOU.items()), initial="rural")
    month = month_field("测算月份")
    financial = money("金融资产（元）")
    properties = count("房产套数")
    businesses = count("市场主体数量")
    medical = money("近12月医疗自付（元）")
    education = money("近12月教育支出（元）")
    poverty_monitoring = forms.BooleanField(label="防返贫监测对象", required=False)
    poverty_alleviated = forms.BooleanField(label="已脱贫人口", required=False)

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "请选择"), *((v.code, f"{v.parent.name} {v.name}") for v in villages)]

    def clean_month(self):
        return clean_month(self.cleaned_data["month"])


class RowForm(forms.Form):
    """A formset row; `absent` when the browser removed it (no field of it was posted)."""

    absent = False

    def has_changed(self):
        return not self.absent and super().has_changed()


class IdNumberMixin:
    """An ID-number field that accepts the masked number of a known person (person_ref)."""

    def __init__(self, *args, resolve_person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resolve_person = resolve_person or (lambda pk: None)

    def resolve_id(self, raw: str, ref, *, required: bool) -> str | None:
        raw = (raw or "").strip()
        if not raw:
            if required:
                raise forms.ValidationError("请填写身份证号")
            return None
        if "*" in raw:
            number = self.resolve_person(ref) if ref else None
            if number is None or idnumber.mask(number) != raw:
                raise forms.ValidationError("带 * 的号码只能来自台账；请输入完整的18位身份证号")
            return number
        number, reason = idnumber.try_normalize(raw)
        if number is None:
            raise forms.ValidationError(f"{idnumber.REASONS[reason]}：{raw}")
        return number


class MemberForm(IdNumberMixin, RowForm):
    relation = forms.ChoiceField(label="与户主关系", choices=list(codes.RELATIONS.items()))
    name = forms.CharField(label="姓名", max_length=32, error_messages={"required": "请填写姓名"})
    id_number = forms.CharField(label="身份证号", max_length=24, required=False)
    person_ref = forms.IntegerField(required=False, widget=forms.HiddenInput)
    disability_kind = forms.ChoiceField(label="残疾类别", choices=_blank(codes.DISABILITY_KINDS, "无"), required=False)
    disability_level = forms.TypedChoiceField(
        label="残疾等级", choices=_blank(codes.DISABILITY_LEVELS), coerce=int, required=False, empty_value=None
    )
    self_care = forms.ChoiceField(label="自理能力", choices=list(codes.SELF_CARE.items()), initial="full")
    student = forms.ChoiceField(label="在校阶段", choices=_blank(codes.SCHOOL_STAGES, "不在校"), required=False)
    support_mode = forms.ChoiceField(label="供养（养育）方式", choices=_blank(codes.SUPPORT_MODES, "按现享待遇"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in MEMBER_FLAGS.items():
            self.fields[key] = forms.BooleanField(label=label, required=False)
        for key, label in INCOME_FIELDS.items():
            self.fields[f"income_{key}"] = money(label)

    @property
    def basic_fields(self):
        return [
            self[n]
            for n in (
                "relation",
                "name",
                "id_number",
                "disability_kind",
                "disability_level",
                "self_care",
                "student",
                "support_mode",
            )
        ]

    @property
    def income_fields(self):
        return [self[f"income_{key}"] for key in INCOME_FIELDS]

    @property
    def flag_fields(self):
        return [self[key] for key in MEMBER_FLAGS]

    def clean_id_number(self):
        return self.resolve_id(self.cleaned_data.get("id_number"), self.data.get(self.add_prefix("person_ref")), required=True)

    def clean(self):
        data = super().clean()
        if bool(data.get("disability_kind")) != bool(data.get("disability_level")):
            self.add_error(
                "disability_level" if data.get("disability_kind") else "disability_kind",
                "残疾类别和残疾等级要同时填写（无残疾则都不填）",
            )
        return data


class VehicleForm(RowForm):
    kind = forms.ChoiceField(label="车辆种类", choices=list(VEHICLE_KINDS.items()))
    value = money("车辆价值（元）", required=True)


class CurrentForm(IdNumberMixin, RowForm):
    category = forms.ChoiceField(label="保障类别", choices=list(MONTHLY_CATEGORIES.items()))
    person = forms.CharField(label="享受人身份证号（全户类别不填）", max_length=24, required=False)
    person_ref = forms.IntegerField(required=False, widget=forms.HiddenInput)
    since = forms.DateField(
        label="开始日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写开始日期", "invalid": "日期应为 YYYY-MM-DD"},
    )
    monthly_amount = money("月保障金额（元）", required=True)
    mode = forms.ChoiceField(label="供养方式", choices=_blank(codes.SUPPORT_MODES), required=False)
    taper_start = forms.CharField(label="渐退起始月份", required=False, widget=forms.TextInput(attrs={"type": "month"}))

    def clean_person(self):
        return self.resolve_id(self.cleaned_data.get("person"), self.data.get(self.add_prefix("person_ref")), required=False)

    def clean_taper_start(self):
        value = self.cleaned_data.get("taper_start")
        return clean_month(value) if value else None

    def clean(self):
        data = super().clean()
        cat = data.get("category")
        if cat and cat not in codes.HOUSEHOLD_CATEGORIES and not data.get("person") and "person" not in self.errors:
            self.add_error("person", f"{codes.CATEGORY_SHORT[cat]}是个人类别，请填写享受人身份证号")
        return data


class RowFormSet(forms.BaseFormSet):
    """Rows absent from the POST were removed in the browser: they are skipped, not errors."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.is_bound:
            prefix = form.prefix + "-"
            form.absent = form.empty_permitted = not any(key.startswith(prefix) for key in self.data)
        return form

    def rows(self) -> list[dict]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data]


def _formset(form, prefix):
    cls = forms.formset_factory(form, formset=RowFormSet, extra=0, max_num=200, absolute_max=200)
    cls.prefix_name = prefix
    return cls


MemberFormSet = _formset(MemberForm, "members")
VehicleFormSet = _formset(VehicleForm, "vehicles")
CurrentFormSet = _formset(CurrentForm, "current")
FORMSETS = {"members": MemberFormSet, "vehicles": VehicleFormSet, "current": CurrentFormSet}


# 政策测算 (what-if simulation) --------------------------------------------------------
NUMERIC_UNITS = ("yuan", "ratio", "months", "count", "years")
WHOLE_UNITS = ("months", "count", "years")


def simulation_parameters() -> list[tuple[str, str]]:
    from doudi.rules.schema import PARAMETERS

    return [(name, spec.zh) for name, spec in PARAMETERS.items() if spec.unit in NUMERIC_UNITS]  # names, never keys


class SimulationForm(forms.Form):
    region = forms.ChoiceField(label="测算范围", error_messages={"invalid_choice": "所选区划不在您的管辖范围内"})
    month = month_field("测算月份")
    categories = forms.MultipleChoiceField(
        label="只测算这些类别（不选为全部类别）",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "未知的保障类别：%(value)s"},
    )

    def __init__(self, *args, regions=(), **kwargs):
        from doudi.rules.definitions import CATEGORIES

        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(r.code, f"{r.name}（{r.code}）") for r in regions]
        # Fewer categories, less work: only the fields those decisions depend on are computed.
        self.fields["categories"].choices = [(code, codes.CATEGORY_SHORT.get(code, code)) for code in CATEGORIES]

    def clean_month(self):
        return clean_month(self.cleaned_data["month"])


class ChangeForm(RowForm):
    parameter = forms.ChoiceField(label="参数", error_messages={"invalid_choice": "未知参数", "required": "请选择参数"})
    how = forms.ChoiceField(label="调整方式", choices=[("percent", "按百分比调整（%）"), ("value", "改为新数值")])
    amount = forms.DecimalField(
        label="调整幅度或新数值",
        max_digits=12,
        decimal_places=4,
        error_messages={"invalid": "请输入数字，如 5 或 700", "required": "请填写调整幅度或新数值"},
    )
    start = month_field("生效月份")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parameter"].choices = [("", "请选择"), *simulation_parameters()]

    def clean_start(self):
        return clean_month(self.cleaned_data["start"])

    def clean(self):
        from doudi.rules.schema import PARAMETERS

        data = super().clean()
        spec = PARAMETERS.get(data.get("parameter"))
        amount = data.get("amount")
        if spec is None or amount is None:
            return data
        if data["how"] == "percent" and amount <= -100:
            self.add_error("amount", "下调幅度不能达到或超过 100%")
        elif data["how"] == "value" and amount < 0:
            self.add_error("amount", "新数值不能为负数")
        elif data["how"] == "value" and spec.unit in WHOLE_UNITS and amount != amount.to_integral_value():
            self.add_error("amount", f"{spec.zh}应为整数")
        elif data["how"] == "percent" and spec.unit in WHOLE_UNITS:
            self.add_error("how", f"{spec.zh}是整数（月数、个数或年龄），请直接填写新数值")
        return data

    def change(self) -> dict:
        """The service's change: {"parameter", "from": "YYYY-MM-01", "value", "percent"} (Decimal as text for JSON)."""
        data = self.cleaned_data
        amount = format(data["amount"].normalize(), "f")
        return {
            "parameter": data["parameter"],
            "from": f"{data['start']}-01",
            "value": amount if data["how"] == "value" else None,
            "percent": amount if data["how"] == "percent" else None,
        }


ChangeFormSet = _formset(ChangeForm, "changes")
