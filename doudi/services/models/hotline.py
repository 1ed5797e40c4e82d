"""Hotline work orders (HOT-1…4): every call of the 社会救助服务热线 and every 12345 work order,
complaints (投诉) and 信访 alike, from 登记 to 办结 on the workflow primitive."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from doudi.core.models import AppendOnly, Region, User


class WorkOrder(models.Model):
    class Kind(models.TextChoices):
        HELP = "help", "求助"
        CONSULT = "consult", "咨询"
        COMPLAINT = "complaint", "投诉"
        PETITION = "petition", "信访"
        SUGGESTION = "suggestion", "意见建议"

    class Channel(models.TextChoices):
        HOTLINE = "hotline", "社会救助服务热线"
        GOV12345 = "12345", "12345政务服务便民热线"
        VISIT = "visit", "来访"
        LETTER = "letter", "来信/网上留言"

    class Office(models.TextChoices):
        # 股室 of the county bureau a work order may be given to (else: a township).
        SOCIAL = "social", "社会救助股"
        ELDERLY = "elderly", "养老服务股"
        RESCUE = "rescue_center", "救助管理站（救助中心）"
        CHILDREN = "children", "儿童福利股"
        OFFICE = "office", "办公室"

    class State(models.TextChoices):
        RECEIVED = "received", "已登记，待转办"
        ROUTED = "routed", "已转办，待答复"
        ANSWERED = "answered", "已答复，待回访"
        FOLLOWED = "followed", "已回访，待办结"
        CLOSED = "closed", "已办结"

    OPEN_STATES = ("received", "routed", "answered", "followed")

    kind = models.CharField("诉求类型", max_length=10, choices=Kind.choices, default=Kind.HELP)
    channel = models.CharField("来源渠道", max_length=8, choices=Channel.choices)
    external_ref = models.CharField("12345工单编号", max_length=40, blank=True)
    received_at = models.DateTimeField("来电（受理）时间")
    caller_name = models.CharField("来电人", max_length=32)
    caller_phone = models.CharField("联系电话", max_length=20, blank=True)
    caller_id_number = models.CharField("来电人身份证号", max_length=18, blank=True)
    # Where the caller lives (a township of the county), and who must respond: the township
    # itself or a 股室 of the county bureau. `region` is the responsible unit's region (the
    # township, or the county for a 股室): scoping goes by it, so a township sees its own orders.
    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在乡镇")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="承办单位区划")
    office = models.CharField("承办股室", max_length=16, choices=Office.choices, blank=True)
    need = models.TextField("诉求内容")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.RECEIVED)
    version = models.PositiveIntegerField("版本", default=1)
    respond_by = models.DateTimeField("答复期限", null=True, blank=True)
    close_by = models.DateField("办结期限", null=True, blank=True)
    deadline_note = models.CharField("期限说明", max_length=200, blank=True)
    routed_at = models.DateTimeField("转办时间", null=True, blank=True)
    answer = models.TextField("答复内容", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    follow_up = models.TextField("回访情况", blank=True)
    satisfied = models.BooleanField("群众满意", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="转入的救助申请"
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "热线工单"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["region", "state"], name="order_region_state"),
            models.Index(fields=["state", "respond_by"], name="order_state_due"),
            models.Index(fields=["township", "received_at"], name="order_township_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(state="closed") | ~Q(answer=""), name="order_closed_has_answer"),
        ]

    @property
    def number(self) -> str:
        return f"RX{self.received_at:%Y}{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def unit_label(self) -> str:
        return self.get_office_display() if self.office else self.region.name


class WorkOrderStep(AppendOnly):
    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="steps")
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, verbose_name="操作人")
    role = models.CharField("角色", max_length=20, blank=True)
    from_state = models.CharField("原状态", max_length=10, blank=True)
    to_state = models.CharField("新状态", max_length=10)
    reason = models.CharField("说明", max_length=500, blank=True)
    data = models.JSONField("附加信息", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "工单办理记录"
        ordering = ["at", "id"]
