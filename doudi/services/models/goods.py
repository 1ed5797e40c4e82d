"""In-kind goods (INS-8, 附件2 其他救助方式): stock received per township and kind, handed out
to named people, never beyond stock. `GoodsBalance` is the row every write locks (as the
备用金's ReserveBalance); `GoodsEntry` rows are the record (append-only)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from doudi.core.models import AppendOnly, Region, User
from doudi.registry.models import Person

# code: (label, unit). The first five are 附件2 备注2's kinds (doudi/reports/winter.py INKIND).
GOODS_KINDS = {
    "stove": ("取暖炉具", "台"),
    "coal": ("取暖煤", "吨"),
    "clothing": ("棉衣（御寒衣物）", "件"),
    "quilt": ("棉被", "床"),
    "blanket": ("电热毯", "条"),
    "rice": ("大米", "袋"),
    "flour": ("面粉", "袋"),
    "oil": ("食用油", "桶"),
    "mask": ("口罩", "个"),
    "other": ("其他物资", "件"),
}
QTY = {"max_digits": 12, "decimal_places": 2}


class GoodsBalance(models.Model):
    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    kind = models.CharField("物资", max_length=10, choices=[(k, v[0]) for k, v in GOODS_KINDS.items()])
    received = models.DecimalField("累计入库", default=0, **QTY)
    issued = models.DecimalField("累计发放", default=0, **QTY)

    class Meta:
        verbose_name = verbose_name_plural = "物资库存"
        ordering = ["township_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["township", "kind"], name="goods_balance_unique"),
            models.CheckConstraint(condition=Q(issued__lte=models.F("received")), name="goods_not_overissued"),
        ]

    @property
    def stock(self):
        return self.received - self.issued

    @property
    def unit(self) -> str:
        return GOODS_KINDS[self.kind][1]


class GoodsEntry(AppendOnly):
    class Direction(models.TextChoices):
        IN = "in", "入库"
        OUT = "out", "发放"

    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    kind = models.CharField("物资", max_length=10, choices=[(k, v[0]) for k, v in GOODS_KINDS.items()])
    direction = models.CharField("类型", max_length=3, choices=Direction.choices)
    quantity = models.DecimalField("数量", **QTY)
    on = models.DateField("日期")
    source = models.CharField("来源（采购、调拨、捐赠）", max_length=200, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="台账人员")
    recipient_name = models.CharField("领取人", max_length=32, blank=True)
    recipient_id_number = models.CharField("领取人身份证号", max_length=18, blank=True)
    # The recipient's village when known (a register person's), else the township: the weekly table counts by township.
    region_code = models.CharField("所在村（乡镇）", max_length=12, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    token = models.CharField(max_length=40, null=True, blank=True, unique=True)  # one form, one entry
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="经办人")
    role = models.CharField("角色", max_length=20, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "物资出入库"
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["township", "direction", "on"], name="goods_township_dir_on")]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="goods_quantity_positive")]

    @property
    def unit(self) -> str:
        return GOODS_KINDS[self.kind][1]
