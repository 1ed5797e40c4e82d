"""Street rescue of people living rough (RES-1…5; 临民发【2024】22号（八）, 沁政办发〔2021〕7号 二):
patrols, cold-weather periods (寒潮、低温、冰冻雨雪) during which a parameter asks for a minimum of
patrols a week, the people met with the help given and their placement, 寻亲公告 for people who
cannot say who they are, and returnees referred to apply for assistance at home."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from doudi.core.models import AppendOnly, Region, User


class ColdSpell(models.Model):
    """A cold-weather period (from the weather service's warning) for a county or one township."""

    class Kind(models.TextChoices):
        COLD_WAVE = "cold_wave", "寒潮"
        LOW_TEMP = "low_temp", "持续低温"
        FREEZE = "freeze", "冰冻雨雪"
        BLIZZARD = "blizzard", "暴雪"
        DROP = "drop", "气温骤降"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="区域（县或乡镇）")
    kind = models.CharField("天气", max_length=10, choices=Kind.choices)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    note = models.CharField("预警信息", max_length=200, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = verbose_name_plural = "恶劣天气时段"
        ordering = ["-start", "region_id"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="cold_spell_dates")]


class Patrol(models.Model):
    class Weather(models.TextChoices):
        FINE = "fine", "晴"
        CLOUDY = "cloudy", "阴"
        RAIN = "rain", "雨"
        SNOW = "snow", "雪"
        FREEZE = "freeze", "冰冻雨雪"
        WIND = "wind", "大风"
        COLD = "cold", "寒潮、严寒"

    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    started_at = models.DateTimeField("巡查开始时间")
    hours = models.DecimalField("时长（小时）", max_digits=4, decimal_places=1, null=True, blank=True)
    night = models.BooleanField("夜间巡查", default=False)
    area = models.CharField("巡查区域", max_length=200)
    weather = models.CharField("天气", max_length=8, choices=Weather.choices)
    temperature = models.SmallIntegerField("气温（℃）", null=True, blank=True)
    team = models.CharField("巡查人员", max_length=200)
    note = models.CharField("巡查情况", max_length=500, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "街面巡查"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["township", "started_at"], name="patrol_township_time")]


class Encounter(models.Model):
    """A person met on a patrol: who (if they can say), what help, where placed."""

    class Placement(models.TextChoices):
        STATION = "station", "护送至救助管理站"
        POINT = "point", "安置到临时救助点"
        HOSPITAL = "hospital", "送医救治"
        FAMILY = "family", "联系家属接回"
        HOME = "home", "护送（资助）返乡"
        LEFT = "left", "劝导后自行离开"
        REFUSED = "refused", "拒绝救助（已登记、提供御寒物品）"

    patrol = models.ForeignKey(Patrol, on_delete=models.PROTECT, related_name="encounters", verbose_name="巡查")
    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    name = models.CharField("姓名（自述）", max_length=32, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    identified = models.BooleanField("能说明身份", default=True)
    sex = models.CharField("性别", max_length=1, choices=[("M", "男"), ("F", "女"), ("", "不详")], blank=True)
    age = models.PositiveSmallIntegerField("年龄（约）", null=True, blank=True)
    place = models.CharField("发现地点", max_length=200)
    situation = models.CharField("情况", max_length=500, blank=True)
    food = models.BooleanField("提供食物、饮水", default=False)
    clothing = models.BooleanField("提供衣被", default=False)
    medical = models.BooleanField("医疗救治", default=False)
    ride = models.BooleanField("车辆护送至救助站", default=False)
    placement = models.CharField("安置去向", max_length=10, choices=Placement.choices)
    placement_note = models.CharField("安置说明", max_length=200, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "巡查发现人员"
        ordering = ["-id"]

    @property
    def help_labels(self) -> str:
        out = [
            label
            for flag, label in ((self.food, "食物"), (self.clothing, "衣被"), (self.medical, "医疗"), (self.ride, "护送至救助站"))
            if flag
        ]
        return "、".join(out)

    @property
    def display_name(self) -> str:
        return self.name or "身份不明人员"


def _photo_path(instance, filename: str) -> str:
    # A random name, never served directly: only through the scoped notice view.
    return f"services/notices/{uuid.uuid4().hex}"


class SearchNotice(models.Model):
    """寻亲公告 for a person who cannot say who they are: photo, features, where and when found,
    the publication dates, the check with 公安 (指纹、人像、DNA) and the outcome."""

    class Outcome(models.TextChoices):
        SEARCHING = "searching", "寻亲中"
        FOUND = "found", "已找到亲属（返家）"
        NOT_FOUND = "not_found", "公告期满未找到，转入长期安置"

    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇")
    encounter = models.ForeignKey(
        Encounter, null=True, blank=True, on_delete=models.PROTECT, related_name="notices", verbose_name="巡查发现记录"
    )
    title = models.CharField("称呼", max_length=32, default="无名氏")
    sex = models.CharField("性别", max_length=1, choices=[("M", "男"), ("F", "女"), ("", "不详")], blank=True)
    age = models.CharField("年龄（约）", max_length=20, blank=True)
    height = models.CharField("身高（约）", max_length=20, blank=True)
    features = models.TextField("体貌特征")
    found_on = models.DateField("发现日期")
    found_at = models.CharField("发现地点", max_length=200)
    shelter = models.CharField("现安置单位", max_length=100)
    contact = models.CharField("联系人、电话", max_length=100)
    photo = models.FileField("照片", upload_to=_photo_path, blank=True)
    photo_type = models.CharField("照片格式", max_length=20, blank=True)
    published_from = models.DateField("公告发布日期")
    published_until = models.DateField("公告截止日期")
    channels = models.CharField("发布渠道", max_length=200)
    police_checked_on = models.DateField("公安甄别日期", null=True, blank=True)
    police_result = models.CharField("公安甄别结果（指纹、人像、DNA）", max_length=500, blank=True)
    outcome = models.CharField("寻亲结果", max_length=10, choices=Outcome.choices, default=Outcome.SEARCHING)
    outcome_on = models.DateField("结果日期", null=True, blank=True)
    outcome_note = models.CharField("结果说明", max_length=500, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "寻亲公告"
        ordering = ["-published_from", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(features=""), name="notice_has_features"),
            models.CheckConstraint(condition=Q(published_until__gte=models.F("published_from")), name="notice_dates"),
            models.CheckConstraint(
                condition=Q(outcome="searching") | (Q(outcome_on__isnull=False) & ~Q(outcome_note="")),
                name="notice_outcome_has_date_and_note",
            ),
        ]

    @property
    def number(self) -> str:
        return f"XQ{self.published_from:%Y}{self.pk:04d}"


class Referral(AppendOnly):
    """A returnee referred to apply for assistance at home (源头稳固, 防止再次流浪)."""

    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="登记乡镇")
    encounter = models.ForeignKey(
        Encounter, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals", verbose_name="巡查发现记录"
    )
    name = models.CharField("姓名", max_length=32)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    home = models.CharField("接收地（户籍地乡镇、县）", max_length=100)
    home_code = models.CharField("接收地区划代码", max_length=12, blank=True)
    on = models.DateField("转介日期")
    note = models.CharField("转介说明（建议申请的救助、联系情况）", max_length=500)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "返乡人员转介"
        ordering = ["-on", "-id"]
