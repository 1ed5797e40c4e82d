"""Submitted statutory reports (issue 18): the computed table frozen as JSON with who and
when. A version is never changed; a correction is the next version with its reason, so the
history of what was reported upward stays readable (docs/design.md §1.4)."""

from __future__ import annotations

from django.db import models

from doudi.core import uploads
from doudi.core.models import AppendOnly, Region, User


class ReportVersion(AppendOnly):
    kind = models.CharField("报表", max_length=32)
    period = models.CharField("统计周期", max_length=16)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="填报单位")
    version = models.PositiveIntegerField("版本")
    data = models.JSONField("报送数字")
    filler = models.CharField("填报人", max_length=32)
    phone = models.CharField("联系电话", max_length=20)
    reason = models.CharField("更正原因", max_length=200, blank=True)
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="报送人")
    role = models.CharField("角色", max_length=20, blank=True)
    submitted_at = models.DateTimeField("报送时间", auto_now_add=True)
    due = models.DateField("应报日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "已报送报表"
        ordering = ["kind", "-period", "region_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["kind", "period", "region", "version"], name="report_version_unique")]
        indexes = [models.Index(fields=["kind", "period"])]

    @property
    def late(self) -> bool:
        return self.due is not None and self.submitted_at.date() > self.due


# -- 督导检查 (issue 18 item 6, doudi/reports/supervision.py) ---------------------------------
class Inspection(models.Model):
    """One 督导检查: who inspected which unit when, and what they looked at."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="被检查单位")
    held_on = models.DateField("检查日期")
    inspectors = models.CharField("检查人员", max_length=100)
    subject = models.CharField("检查内容", max_length=200)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "督导检查"
        ordering = ["-held_on", "-id"]


class Finding(models.Model):
    """A problem found and handed over on the spot (现场交办) to a 责任单位 — a township, or a
    股室 of the county (region = the county, office named) — with a deadline, followed until
    整改清零 (closed by the county, on the rectification's evidence).

    Without an inspection it is a 督办任务: a task the county assigns outside any inspection,
    followed on the same workflow (doudi/reports/tasks.py; docs/reports.md 第九节)."""

    class State(models.TextChoices):
        OPEN = "open", "已交办，整改中"
        REPORTED = "reported", "已报整改，待核验"
        CLOSED = "closed", "已整改清零"

    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="findings", verbose_name="督导检查"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="责任单位")
    office = models.CharField("责任股室", max_length=40, blank=True)
    description = models.CharField("问题", max_length=1000)
    deadline = models.DateField("整改期限")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    evidence = models.TextField("整改情况及佐证", blank=True)
    reported_on = models.DateField("报送整改日期", null=True, blank=True)
    closed_on = models.DateField("清零日期", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("交办时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "督导问题"
        ordering = ["deadline", "id"]

    @property
    def is_task(self) -> bool:
        return self.inspection_id is None

    @property
    def noun(self) -> str:
        return "督办任务" if self.is_task else "督导问题"


class FindingTransition(AppendOnly):
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="transitions")
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="操作人")
    role = models.CharField("角色", max_length=20, blank=True)
    from_state = models.CharField("原状态", max_length=10, blank=True)
    to_state = models.CharField("新状态", max_length=10)
    reason = models.CharField("说明", max_length=500, blank=True)
    data = models.JSONField("附加信息", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "督导问题状态变更"
        ordering = ["id"]


def _evidence_path(instance, filename: str) -> str:
    return uploads.stored_name("reports/evidence", filename)


class FindingEvidence(AppendOnly):
    """A photo or PDF proving a rectification (or a task's progress), stored through Django's
    storage API under a random name and served only through the scoped view."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="files", verbose_name="督导问题")
    transition = models.ForeignKey(
        FindingTransition, null=True, on_delete=models.PROTECT, related_name="files", verbose_name="随附办理环节"
    )
    file = models.FileField("文件", upload_to=_evidence_path)
    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="上传人")
    at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "整改佐证材料"
        ordering = ["at", "id"]


class Reminder(models.Model):
    """One in-app reminder sent for one item (a report due, a finding's or a task's deadline)
    to one audience on one day: the unique key makes sending twice a day a no-op, whether the
    command or a page load sends it (doudi/reports/reminders.py)."""

    key = models.CharField("提醒事项", max_length=80)
    day = models.DateField("日期")
    notification = models.IntegerField("通知编号", null=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "到期提醒"
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="report_reminder_once_a_day")]


class WrongInclusion(AppendOnly):
    """容错纠错（三个区分开来）: a person found wrongly included, with whether it was unintentional
    and corrected in time — so the supervisor can tell an honest slip put right from 人情保."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name="错保对象")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="所在乡镇")
    found_on = models.DateField("发现日期")
    description = models.CharField("错保情况", max_length=500)
    unintentional = models.BooleanField("非主观故意")
    corrected_on = models.DateField("纠正日期", null=True, blank=True)
    in_time = models.BooleanField("及时纠正")
    tolerated = models.BooleanField("容错")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "容错纠错记录"
        ordering = ["-found_on", "-id"]
