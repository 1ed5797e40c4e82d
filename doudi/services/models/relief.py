"""Disaster relief (冬春救助, 受灾群众; DIS-1…8, 临民发【2024】22号 四, 沁政办发〔2021〕7号 三): a disaster
event (kind, date, area, response level) declared by the county; the affected households (from
the register or new) with their losses, placement and needs — the 受灾群众 register and 救助台账;
relief money and 过渡期房屋租住补助 paid through the 一卡通 bank file as relief payroll runs
(doudi/payments/relief.py) before the Spring Festival deadline; a household still in hardship
referred to 临时救助 (a case); households not yet back home visited."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from doudi.core.models import AppendOnly, Region, User
from doudi.registry.models import Household

MONEY = {"max_digits": 12, "decimal_places": 2, "default": 0}
NEEDS = {"food": "口粮", "clothing": "衣被", "heating": "取暖", "housing": "住房"}


class Disaster(models.Model):
    class Kind(models.TextChoices):
        FLOOD = "flood", "洪涝"
        DROUGHT = "drought", "干旱"
        EARTHQUAKE = "earthquake", "地震"
        FREEZE = "freeze", "低温冷冻和雪灾"
        HAIL = "hail", "风雹"
        GEOLOGICAL = "geological", "地质灾害"
        FIRE = "fire", "火灾"
        OTHER = "other", "其他"

    class Level(models.TextChoices):
        NONE = "none", "未启动应急响应"
        L1 = "1", "Ⅰ级响应"
        L2 = "2", "Ⅱ级响应"
        L3 = "3", "Ⅲ级响应"
        L4 = "4", "Ⅳ级响应"

    name = models.CharField("灾害名称", max_length=100)
    kind = models.CharField("灾害种类", max_length=12, choices=Kind.choices)
    on = models.DateField("发生日期")
    county = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="县（区）")
    areas = models.ManyToManyField(Region, related_name="+", verbose_name="受灾区域（乡镇、村）")
    level = models.CharField("应急响应级别", max_length=4, choices=Level.choices, default=Level.NONE)
    description = models.TextField("灾情描述", blank=True)
    # 冬春救助 money out before the Spring Festival (DIS-2): the default due date of its relief runs.
    due = models.DateField("救助资金发放截止日期（春节前）")
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "灾害事件"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def month(self) -> str:
        """The month its relief money is booked to: one live line per household (never paid twice)."""
        return f"{self.on:%Y-%m}"


class Affected(models.Model):
    """One affected household of one event (受灾户): the 户主 (payee) and the family's losses."""

    class House(models.TextChoices):
        NONE = "none", "无房屋损坏"
        COLLAPSED = "collapsed", "房屋倒塌"
        SEVERE = "severe", "房屋严重损坏"
        GENERAL = "general", "房屋一般损坏"

    class Placement(models.TextChoices):
        HOME = "home", "已返家"
        AWAY = "away", "在外安置"

    disaster = models.ForeignKey(Disaster, on_delete=models.PROTECT, related_name="households", verbose_name="灾害事件")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="台账家庭"
    )
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="村（社区）")
    name = models.CharField("户主姓名", max_length=32)
    id_number = models.CharField("户主身份证号", max_length=18)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    bank_name = models.CharField("开户银行", max_length=40, blank=True)
    bank_account = models.CharField("银行账号", max_length=32, blank=True)
    persons = models.PositiveIntegerField("受灾人数", default=1)
    house = models.CharField("房屋损失", max_length=10, choices=House.choices, default=House.NONE)
    crop_loss = models.DecimalField("农作物损失（元）", **MONEY)
    livestock_loss = models.DecimalField("牲畜损失（元）", **MONEY)
    other_loss = models.DecimalField("其他损失（元）", **MONEY)
    other_note = models.CharField("其他损失说明", max_length=200, blank=True)
    placement = models.CharField("安置情况", max_length=6, choices=Placement.choices, default=Placement.HOME)
    placement_note = models.CharField("安置方式（投亲靠友、自行租房、借住公房等）", max_length=200, blank=True)
    returned_on = models.DateField("返家日期", null=True, blank=True)
    needs = models.JSONField("生活需求", default=list)  # codes of NEEDS
    relief_amount = models.DecimalField("核定救助金额（元）", **MONEY)
    # 过渡期房屋租住补助 (DIS-4): months from–to at a monthly amount (parameter relief.rent_monthly
    # in force when granted), paid month by month in the event's relief runs.
    rent_from = models.CharField("租住补助起始月", max_length=7, blank=True)
    rent_to = models.CharField("租住补助截止月", max_length=7, blank=True)
    rent_monthly = models.DecimalField("租住补助月标准（元）", **MONEY)
    # Still in hardship after relief (DIS-3): the 临时救助 case opened through doudi.cases.
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="转入的临时救助"
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "受灾户"
        ordering = ["village_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["disaster", "id_number"], name="affected_once_per_disaster"),
            models.UniqueConstraint(
                fields=["disaster", "household"], condition=Q(household__isnull=False), name="affected_household_once"
            ),
            models.CheckConstraint(condition=Q(relief_amount__gte=0) & Q(rent_monthly__gte=0), name="affected_amounts"),
        ]
        indexes = [models.Index(fields=["disaster", "placement"], name="affected_placement")]

    @property
    def losses(self):
        return self.crop_loss + self.livestock_loss + self.other_loss

    @property
    def needs_label(self) -> str:
        return "、".join(NEEDS[n] for n in self.needs if n in NEEDS)


class ReliefVisit(AppendOnly):
    """A visit to an affected household not yet back home (DIS-5: 逐一走访到位). Households in the
    register are also visited on the 附件1 form (doudi.care); this note covers every household."""

    affected = models.ForeignKey(Affected, on_delete=models.PROTECT, related_name="visits", verbose_name="受灾户")
    on = models.DateField("走访日期")
    note = models.CharField("走访情况（生活状况、实际困难、帮扶措施）", max_length=500)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="走访人")
    role = models.CharField("角色", max_length=20, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "受灾户走访"
        ordering = ["-on", "-id"]
