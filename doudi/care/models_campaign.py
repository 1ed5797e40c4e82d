"""集中走访慰问 (the pre-festival campaign, issue 16 item 2): a county starts it with the groups to
visit, its period and what is handed out; the persons to visit are fixed when it starts
(CampaignTarget, per village), and a visit on the 附件1 form within the period is marked as the
campaign visit with what was handed out (CampaignVisit).

慰问金 handed over at the visit is recorded here only as a figure: money paid through the bank
(a festival subsidy) is a payments campaign run, never a care record (docs/care.md §14)."""

from __future__ import annotations

from django.db import models

from doudi.core.models import User
from doudi.registry.models import Person


class Campaign(models.Model):
    name = models.CharField("活动名称", max_length=60)
    county_code = models.CharField("县(市、区)", max_length=6, db_index=True)
    groups = models.JSONField("走访对象", default=list)  # care.groups.DUTY_GROUPS codes
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    money = models.DecimalField("慰问金标准（元/人）", max_digits=8, decimal_places=2, null=True, blank=True)
    goods = models.JSONField("慰问品", default=list)  # kinds, e.g. ["米面油", "棉被"]
    note = models.CharField("说明", max_length=500, blank=True)
    targets_count = models.PositiveIntegerField("走访对象人数", default=0)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="发起人")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "集中走访慰问"
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return self.name

    def covers(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on


class CampaignTarget(models.Model):
    """One person to visit in a campaign, fixed when it starts (the register may change later)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="targets")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="走访对象")
    region_code = models.CharField("村(社区)", max_length=12)
    groups = models.JSONField("所属群体", default=list)

    class Meta:
        verbose_name = verbose_name_plural = "集中走访慰问对象"
        constraints = [models.UniqueConstraint(fields=["campaign", "person"], name="care_campaign_one_target_per_person")]
        indexes = [models.Index(fields=["campaign", "region_code"])]


class CampaignVisit(models.Model):
    """A 附件1 visit marked as the campaign visit, with what was handed out (once per person)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="visits")
    target = models.OneToOneField(CampaignTarget, on_delete=models.PROTECT, related_name="visit")
    visit = models.OneToOneField("care.Visit", on_delete=models.PROTECT, related_name="campaign_visit")
    region_code = models.CharField("村(社区)", max_length=12, db_index=True)
    visited_on = models.DateField("走访时间")
    money = models.DecimalField("慰问金（元）", max_digits=8, decimal_places=2, default=0)
    goods = models.JSONField("慰问品", default=dict)  # kind → count
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "集中走访慰问记录"
        indexes = [models.Index(fields=["campaign", "region_code"])]
