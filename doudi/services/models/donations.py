"""Donations (DON-1, DON-2; 临民发【2024】22号（二）“送温暖、献爱心”): gifts of money or goods into
the county's dedicated account (捐赠专户), spending on named people, the balance by purpose.

`DonationBalance` is the row every write of money locks (as GoodsBalance): per county, purpose
and item ("money" in yuan, or a GOODS_KINDS code in its unit). A gift counts once confirmed by a
second person; a spend reserves its amount when recorded (so two spends together can never
exceed what was received) and becomes spent when a second person confirms it, or is released
when refused. The check constraint `donation_not_overspent` stands behind the code."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from doudi.core.models import AppendOnly, Region, User
from doudi.registry.models import Person
from doudi.services.models.goods import GOODS_KINDS, QTY

MONEY = "money"
ITEMS = {MONEY: ("资金", "元"), **GOODS_KINDS}
ITEM_CHOICES = [(k, v[0]) for k, v in ITEMS.items()]


class Purpose(models.TextChoices):
    GENERAL = "general", "送温暖慰问（不限定用途）"
    WINTER = "winter", "御寒过冬"
    TEMP = "temp", "临时困难救助"
    MEDICAL = "medical", "助医"
    STUDY = "study", "助学"
    ELDERLY = "elderly", "老年人关爱"
    CHILDREN = "children", "困境儿童关爱"


class State(models.TextChoices):
    RECORDED = "recorded", "已登记，待复核"
    CONFIRMED = "confirmed", "已复核"
    REFUSED = "refused", "复核未通过"


class DonationBalance(models.Model):
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="县（专户）")
    purpose = models.CharField("用途", max_length=10, choices=Purpose.choices)
    item = models.CharField("资金或物资", max_length=10, choices=ITEM_CHOICES, default=MONEY)
    received = models.DecimalField("累计受赠（已复核）", default=0, **QTY)
    reserved = models.DecimalField("已登记待复核的支出", default=0, **QTY)
    spent = models.DecimalField("累计支出（已复核）", default=0, **QTY)

    class Meta:
        verbose_name = verbose_name_plural = "捐赠专户余额"
        ordering = ["county_id", "purpose", "item"]
        constraints = [
            models.UniqueConstraint(fields=["county", "purpose", "item"], name="donation_balance_unique"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0) & Q(spent__gte=0) & Q(received__gte=F("spent") + F("reserved")),
                name="donation_not_overspent",
            ),
        ]

    @property
    def available(self):
        return self.received - self.spent - self.reserved

    @property
    def balance(self):
        return self.received - self.spent

    @property
    def unit(self) -> str:
        return ITEMS[self.item][1]


class Donation(models.Model):
    """One gift, recorded by one person and confirmed (到账确认) by another."""

    class DonorKind(models.TextChoices):
        PERSON = "person", "个人"
        ORG = "org", "单位"

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="县（专户）")
    donor = models.CharField("捐赠人", max_length=100)
    donor_kind = models.CharField("捐赠人类别", max_length=8, choices=DonorKind.choices, default=DonorKind.PERSON)
    donor_phone = models.CharField("联系电话", max_length=20, blank=True)
    item = models.CharField("资金或物资", max_length=10, choices=ITEM_CHOICES, default=MONEY)
    amount = models.DecimalField("金额（元）或数量", **QTY)
    goods = models.CharField("物资说明", max_length=200, blank=True)
    purpose = models.CharField("用途", max_length=10, choices=Purpose.choices)
    on = models.DateField("捐赠日期")
    receipt = models.CharField("捐赠票据号", max_length=40, blank=True)
    thanks = models.BooleanField("同意公开致谢", default=False)
    show_amount = models.BooleanField("致谢名单显示金额", default=False)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.RECORDED)
    version = models.PositiveIntegerField("版本", default=1)
    token = models.CharField(max_length=40, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "捐赠"
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["county", "state", "on"], name="donation_county_state_on")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(condition=Q(thanks=True) | Q(show_amount=False), name="donation_amount_shown_only_if_thanked"),
        ]

    @property
    def number(self) -> str:
        return f"JZ{self.on:%Y}{self.pk:05d}"

    @property
    def unit(self) -> str:
        return ITEMS[self.item][1]


class DonationSpend(models.Model):
    """Money or goods of the account given to one named person (a register person, or a name and
    ID number), recorded by one person and confirmed by another."""

    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="县（专户）")
    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    region_code = models.CharField("区划", max_length=12, db_index=True)  # the recipient's village, else the township
    purpose = models.CharField("用途", max_length=10, choices=Purpose.choices)
    item = models.CharField("资金或物资", max_length=10, choices=ITEM_CHOICES, default=MONEY)
    amount = models.DecimalField("金额（元）或数量", **QTY)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="台账人员")
    recipient_name = models.CharField("受助人", max_length=32)
    recipient_id_number = models.CharField("受助人身份证号", max_length=18)
    given = models.CharField("发放内容", max_length=200)
    reason = models.CharField("救助事由", max_length=500)
    on = models.DateField("发放日期")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.RECORDED)
    version = models.PositiveIntegerField("版本", default=1)
    token = models.CharField(max_length=40, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="经办人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "捐赠支出"
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["county", "state", "on"], name="donspend_county_state_on")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="donspend_amount_positive")]

    @property
    def number(self) -> str:
        return f"JZZ{self.on:%Y}{self.pk:05d}"

    @property
    def unit(self) -> str:
        return ITEMS[self.item][1]


class DonationStep(AppendOnly):
    """The one log of both gifts and spends: who recorded, who confirmed or refused, when, why."""

    donation = models.ForeignKey(Donation, null=True, on_delete=models.PROTECT, related_name="steps")
    spend = models.ForeignKey(DonationSpend, null=True, on_delete=models.PROTECT, related_name="steps")
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, verbose_name="操作人")
    role = models.CharField("角色", max_length=20, blank=True)
    from_state = models.CharField("原状态", max_length=10, blank=True)
    to_state = models.CharField("新状态", max_length=10)
    reason = models.CharField("说明", max_length=500, blank=True)
    data = models.JSONField("附加信息", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "捐赠复核记录"
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(donation__isnull=True) & Q(spend__isnull=False))
                | (Q(donation__isnull=False) & Q(spend__isnull=True)),
                name="donation_step_one_target",
            )
        ]
