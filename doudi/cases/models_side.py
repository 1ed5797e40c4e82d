"""Records beside a case (issue 14, the remaining part): 民主评议 (a step between 入户调查 and
公示 where the county uses it), the county's spot-check of cases its townships confirmed
(审批权限下放), and referrals (转办) to other assistance with the department's answer.

A spot-check and a referral each have a tiny workflow on doudi.core.workflow (their own
append-only step tables); a 民主评议 is one append-only row written with the case's move.
"""

from __future__ import annotations

from django.db import models

from doudi.core.models import AppendOnly, User


class Deliberation(AppendOnly):
    """民主评议: held on a date, with so many participants, its result and minutes."""

    class Result(models.TextChoices):
        AGREE = "agree", "同意"
        DISAGREE = "disagree", "不同意"
        DEFER = "defer", "暂缓"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="deliberations", verbose_name="案件")
    held_on = models.DateField("评议日期")
    participants = models.PositiveSmallIntegerField("参加人数")
    result = models.CharField("评议结果", max_length=8, choices=Result.choices)
    minutes = models.TextField("评议记录")
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="记录人")
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "民主评议记录"
        ordering = ["held_on", "id"]


class SpotCheck(models.Model):
    """One case of the county's monthly sample of township confirmations: drawn, then found
    correct (无误) or wrong (有误: a change case is opened for the household)."""

    class State(models.TextChoices):
        DRAWN = "drawn", "待抽查"
        CORRECT = "correct", "无误"
        WRONG = "wrong", "有误"

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="spot_check", verbose_name="案件")
    county = models.CharField("县", max_length=6)
    township = models.CharField("乡镇", max_length=9)
    month = models.CharField("审核确认月份", max_length=7)
    rank = models.CharField("抽样序", max_length=64)
    rate = models.DecimalField("抽查比例", max_digits=5, decimal_places=4)
    state = models.CharField("抽查结果", max_length=8, choices=State.choices, default=State.DRAWN)
    version = models.PositiveIntegerField("版本", default=1)
    note = models.CharField("抽查说明", max_length=500, blank=True)
    checked_on = models.DateField("抽查日期", null=True, blank=True)
    checked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="抽查人")
    review_case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="开立的核查案件"
    )
    drawn_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="抽取人")
    drawn_at = models.DateTimeField("抽取时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "县级抽查"
        ordering = ["-month", "township", "rank"]
        indexes = [models.Index(fields=["county", "month"], name="spotcheck_county_month")]


class SpotCheckStep(AppendOnly):
    spot_check = models.ForeignKey(SpotCheck, on_delete=models.PROTECT, related_name="steps")
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, verbose_name="办理人")
    role = models.CharField("角色", max_length=20, blank=True)
    from_state = models.CharField("原状态", max_length=8, blank=True)
    to_state = models.CharField("新状态", max_length=8)
    reason = models.CharField("说明", max_length=500, blank=True)
    data = models.JSONField("附加信息", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "抽查记录"
        ordering = ["at", "id"]


class Referral(models.Model):
    """转办: a case's household referred to another assistance (专项救助) with the receiving
    department, what was asked, and later the department's answer. Not a state of the case:
    a case may have several."""

    class Kind(models.TextChoices):
        MEDICAL = "medical", "医疗救助"
        EDUCATION = "education", "教育救助"
        HOUSING = "housing", "住房救助"
        EMPLOYMENT = "employment", "就业救助"
        OTHER = "other", "其他"

    class State(models.TextChoices):
        SENT = "sent", "已转办，待答复"
        ANSWERED = "answered", "已答复"

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals", verbose_name="案件")
    kind = models.CharField("转办事项", max_length=12, choices=Kind.choices)
    department = models.CharField("承办部门", max_length=60)
    sent_on = models.DateField("转办日期")
    request = models.CharField("转办内容", max_length=500)
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.SENT)
    version = models.PositiveIntegerField("版本", default=1)
    answer = models.CharField("部门答复", max_length=500, blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="转办人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "转办"
        ordering = ["sent_on", "id"]
        indexes = [models.Index(fields=["state", "sent_on"], name="referral_state_sent")]


class ReferralStep(AppendOnly):
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="steps")
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, verbose_name="办理人")
    role = models.CharField("角色", max_length=20, blank=True)
    from_state = models.CharField("原状态", max_length=8, blank=True)
    to_state = models.CharField("新状态", max_length=8)
    reason = models.CharField("说明", max_length=500, blank=True)
    data = models.JSONField("附加信息", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "转办记录"
        ordering = ["at", "id"]
