"""Submitted statutory reports (issue 18): the computed table frozen as JSON with who and
when. A version is never changed; a correction is the next version with its reason, so the
history of what was reported upward stays readable (DESIGN §1.4)."""
from __future__ import annotations

from django.db import models

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
