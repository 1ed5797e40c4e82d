"""Care around the person, beyond visits (issue 16 items 5–7):

- 照料服务协议 for every 分散供养特困 person: a carer (a person, or a provider the government
  buys the service from: 政府购买服务, with hours), the duties, the term and the signed copy;
  a carer who cannot serve (疫情, illness …) is replaced with a reason, the old agreement
  ended and kept;
- 困境儿童: guardians and entrusted carers with their duty, 兜底监护 by the civil-affairs
  bureau when nobody can, and 结对帮扶 with a 儿童主任 (a named person record);
- 集中供养 demand: dispersed 特困 who cannot care for themselves and wish to be placed,
  listed until placed (or withdrawn).

Nothing here is deleted: an ended row keeps its dates and reason (history)."""

from __future__ import annotations

import datetime as dt

from django.db import models

from doudi.core.models import User
from doudi.registry.models import Person


class CareAgreement(models.Model):
    class Kind(models.TextChoices):
        CARER = "carer", "个人照料（亲属、邻居等）"
        PROVIDER = "provider", "政府购买服务"

    class EndReason(models.TextChoices):
        EPIDEMIC = "epidemic", "疫情"
        ILLNESS = "illness", "照料人患病"
        AWAY = "away", "照料人外出"
        DECEASED = "deceased", "照料人去世"
        UNFIT = "unfit", "照料不到位"
        OTHER = "other", "其他"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="care_agreements", verbose_name="特困人员")
    region_code = models.CharField("村(社区)", max_length=12, db_index=True)
    township_code = models.CharField("乡镇(街道)", max_length=9)
    kind = models.CharField("照料方式", max_length=10, choices=Kind.choices, default=Kind.CARER)
    carer_name = models.CharField("照料人", max_length=60, blank=True)
    carer_id_number = models.CharField("照料人身份证号", max_length=18, blank=True)
    carer_phone = models.CharField("照料人电话", max_length=20, blank=True)
    carer_relation = models.CharField("与特困人员关系", max_length=16, blank=True)
    provider = models.CharField("服务机构", max_length=100, blank=True)
    hours_per_month = models.DecimalField("每月服务时长（小时）", max_digits=6, decimal_places=1, null=True, blank=True)
    duties = models.TextField("照料内容")
    starts_on = models.DateField("协议开始日期")
    ends_on = models.DateField("协议终止日期")
    signed_copy = models.FileField("签字协议", upload_to="care/agreements/%Y/%m/")
    signed_copy_type = models.CharField("文件类型", max_length=40)
    # Set when the carer cannot serve any more (replaced) or the agreement is stopped early:
    # the agreement is valid up to the day before.
    ended_on = models.DateField("提前终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=10, choices=EndReason.choices, blank=True)
    end_note = models.CharField("终止说明", max_length=500, blank=True)
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces", verbose_name="接替协议"
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "照料服务协议"
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["person", "starts_on"]), models.Index(fields=["ends_on"])]

    def __str__(self):
        return f"{self.carer_label}（{self.starts_on}—{self.ends_on}）"

    @property
    def carer_label(self) -> str:
        return self.provider if self.kind == self.Kind.PROVIDER else self.carer_name

    @property
    def last_day(self) -> dt.date:
        """The last day the agreement covers (the day before an early end)."""
        if self.ended_on is not None:
            return min(self.ends_on, self.ended_on - dt.timedelta(days=1))
        return self.ends_on

    def valid_on(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.last_day

    def state_label(self, today: dt.date) -> str:
        if self.ended_on is not None and self.ended_on <= today:
            return "已更换" if self.replaced_by_id else "已终止"
        if self.starts_on > today:
            return "未开始"
        return "有效" if self.ends_on >= today else "已到期"


class ChildGuardian(models.Model):
    """Who is responsible for a 困境儿童: a guardian (监护人), a carer the guardian entrusted
    (受委托照护人), or the civil-affairs bureau when nobody can (民政部门兜底监护)."""

    class Kind(models.TextChoices):
        GUARDIAN = "guardian", "监护人"
        ENTRUSTED = "entrusted", "受委托照护人"
        BUREAU = "bureau", "民政部门兜底监护"

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="child_guardians", verbose_name="儿童")
    region_code = models.CharField("村(社区)", max_length=12, db_index=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("姓名或单位", max_length=60)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    relation = models.CharField("与儿童关系", max_length=16, blank=True)
    duty = models.CharField("应履行的责任", max_length=500)
    reason = models.CharField("说明（兜底监护须写明无人监护的原因）", max_length=500, blank=True)
    since = models.DateField("开始日期")
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=500, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "困境儿童监护照护"
        ordering = ["ended_on", "kind", "id"]

    @property
    def active(self) -> bool:
        return self.ended_on is None


class ChildDirector(models.Model):
    """A 儿童主任 (village) or 儿童督导员 (township): a named person record, not a user account."""

    class Kind(models.TextChoices):
        DIRECTOR = "director", "儿童主任"
        SUPERVISOR = "supervisor", "儿童督导员"

    name = models.CharField("姓名", max_length=32)
    kind = models.CharField("职务", max_length=10, choices=Kind.choices, default=Kind.DIRECTOR)
    region_code = models.CharField("负责的村(社区)或乡镇", max_length=12, db_index=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    active = models.BooleanField("在岗", default=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "儿童主任"
        ordering = ["region_code", "name", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.name}"


class ChildPairing(models.Model):
    """结对帮扶: a 儿童主任 paired with a 困境儿童; one active pairing per child."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="child_pairings", verbose_name="儿童")
    region_code = models.CharField("村(社区)", max_length=12, db_index=True)
    director = models.ForeignKey(ChildDirector, on_delete=models.PROTECT, related_name="pairings", verbose_name="儿童主任")
    since = models.DateField("结对日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=500, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "结对帮扶"
        ordering = ["ended_on", "-since", "-id"]


class PlacementWish(models.Model):
    """A dispersed 特困 person who cannot care for themselves and wishes 集中供养: listed
    until placed (or the wish withdrawn), with the date and outcome."""

    class State(models.TextChoices):
        WAITING = "waiting", "待安置"
        PLACED = "placed", "已集中供养"
        WITHDRAWN = "withdrawn", "不再安置"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="placement_wishes", verbose_name="特困人员")
    region_code = models.CharField("村(社区)", max_length=12, db_index=True)
    township_code = models.CharField("乡镇(街道)", max_length=9)
    self_care = models.CharField("登记时自理能力", max_length=8)
    wished_on = models.DateField("提出意愿日期")
    note = models.CharField("说明", max_length=500, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.WAITING)
    outcome_on = models.DateField("结果日期", null=True, blank=True)
    institution = models.CharField("供养机构", max_length=100, blank=True)
    outcome = models.CharField("结果说明", max_length=500, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="办理人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "集中供养意愿"
        ordering = ["wished_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(state="waiting"), name="care_one_waiting_wish_per_person"
            )
        ]
