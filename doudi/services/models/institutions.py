"""Institutions for the vulnerable (INS-1…8): the record, its residents from the register,
the pre-festival safety inspection with findings tracked to fixed, the 应急预案 on file and
the festival duty roster (值班值守)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from doudi.core.models import AppendOnly, Region, User
from doudi.registry.models import Person


class Institution(models.Model):
    class Kind(models.TextChoices):
        TEKUN = "tekun", "特困人员供养服务机构"
        ELDERLY = "elderly", "养老机构"
        WELFARE = "welfare", "社会福利院"
        CHILDREN = "children", "儿童福利院"
        MINORS = "minors", "未成年人救助保护机构"
        MENTAL = "mental", "精神卫生福利机构"
        RURAL = "rural", "农村敬老院"
        RESCUE = "rescue", "救助管理站"

    class Heating(models.TextChoices):
        CENTRAL = "central", "集中供暖"
        GAS = "gas", "燃气取暖"
        ELECTRIC = "electric", "电取暖"
        COAL = "coal", "燃煤取暖"
        OTHER = "other", "其他"

    name = models.CharField("机构名称", max_length=100)
    kind = models.CharField("机构类型", max_length=10, choices=Kind.choices)
    # The township the institution lies in (a county-run one: the county); scoping goes by it.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在区划")
    address = models.CharField("地址", max_length=200, blank=True)
    beds = models.PositiveIntegerField("床位总数", default=0)
    nursing_beds = models.PositiveIntegerField("护理型床位", default=0)
    winter_beds = models.PositiveIntegerField("冬季保障（临时）床位", default=0)
    heating = models.CharField("取暖方式", max_length=10, choices=Heating.choices)
    head = models.CharField("负责人", max_length=32, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    contact = models.CharField("安全联络人", max_length=32, blank=True)
    contact_phone = models.CharField("联络人电话", max_length=20, blank=True)
    active = models.BooleanField("运营中", default=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务机构"
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="institution_name_unique"),
            models.CheckConstraint(condition=Q(nursing_beds__lte=models.F("beds")), name="institution_nursing_le_beds"),
        ]

    def __str__(self) -> str:
        return self.name


class Resident(models.Model):
    """A person of the register living in the institution (集中供养), from `since` to `until`."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="residents", verbose_name="机构")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="人员")
    since = models.DateField("入住日期")
    until = models.DateField("离开日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = verbose_name_plural = "机构入住人员"
        ordering = ["institution_id", "since", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(until__isnull=True), name="resident_one_institution")
        ]


class Inspection(models.Model):
    """One safety inspection (节前安全隐患大排查 or the institution's own 安全自查)."""

    class Kind(models.TextChoices):
        FESTIVAL = "festival", "节前安全检查"
        SELF = "self", "机构安全自查"
        SPOT = "spot", "专项检查"

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="inspections", verbose_name="机构")
    kind = models.CharField("检查类型", max_length=10, choices=Kind.choices, default=Kind.FESTIVAL)
    on = models.DateField("检查日期")
    inspectors = models.CharField("检查人员", max_length=200)
    note = models.TextField("检查情况", blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "安全检查"
        ordering = ["-on", "-id"]


class Finding(models.Model):
    """A hazard found, tracked to fixed on the workflow primitive (open → fixed, with a note and date)."""

    class Area(models.TextChoices):
        FIRE = "fire", "消防安全"
        FOOD = "food", "食品卫生"
        GAS = "gas", "燃气/煤烟（一氧化碳）"
        HEATING = "heating", "取暖设施"
        POWER = "power", "用电安全"
        OTHER = "other", "其他"

    class State(models.TextChoices):
        OPEN = "open", "待整改"
        FIXED = "fixed", "已整改"

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings", verbose_name="检查")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="findings", verbose_name="机构")
    region_code = models.CharField("区划", max_length=12, db_index=True)  # the institution's, for scoping
    area = models.CharField("隐患类别", max_length=10, choices=Area.choices)
    description = models.CharField("隐患描述", max_length=500)
    due = models.DateField("整改期限", null=True, blank=True)
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.OPEN)
    fix_note = models.CharField("整改情况", max_length=500, blank=True)
    fixed_on = models.DateField("整改完成日期", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "安全隐患"
        ordering = ["state", "due", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="open") | (Q(fixed_on__isnull=False) & ~Q(fix_note="")), name="finding_fixed_has_note_and_date"
            )
        ]


class FindingStep(AppendOnly):
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="steps")
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, verbose_name="操作人")
    role = models.CharField("角色", max_length=20, blank=True)
    from_state = models.CharField("原状态", max_length=8, blank=True)
    to_state = models.CharField("新状态", max_length=8)
    reason = models.CharField("说明", max_length=500, blank=True)
    data = models.JSONField("附加信息", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "隐患整改记录"
        ordering = ["at", "id"]


def _plan_path(instance, filename: str) -> str:
    # A random name: never served directly, only through the scoped plan view.
    return f"services/plans/{uuid.uuid4().hex}.pdf"


class EmergencyPlan(AppendOnly):
    """应急预案 on file (a PDF); the newest one is the one in force."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="plans", verbose_name="机构")
    title = models.CharField("预案名称", max_length=100)
    file = models.FileField("文件", upload_to=_plan_path)
    name = models.CharField("原文件名", max_length=120)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="上传人")
    at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "应急预案"
        ordering = ["-at", "-id"]


class DutyShift(models.Model):
    """One day of the festival duty roster (值班值守): who, which phone."""

    class Post(models.TextChoices):
        LEADER = "leader", "带班领导"
        DUTY = "duty", "值班人员"

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="shifts", verbose_name="机构")
    on = models.DateField("值班日期")
    post = models.CharField("岗位", max_length=8, choices=Post.choices, default=Post.DUTY)
    person = models.CharField("值班人", max_length=32)
    phone = models.CharField("值班电话", max_length=20)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = verbose_name_plural = "值班值守"
        ordering = ["on", "post", "id"]
        constraints = [models.UniqueConstraint(fields=["institution", "on", "post", "person"], name="duty_shift_unique")]
