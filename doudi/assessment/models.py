"""Monthly batch evaluations and the differences they find against benefits held.

Why two stores: an evaluation of a province produces millions of decision rows (one per
household or person and category reviewed) that nobody pages through; they are written
once, compactly, to Parquet under DATA_DIR/evaluations/<run id>.parquet and read back
with DuckDB when needed (export, simulation, audit). What people work through is the
differences — who should start, stop, or get a new amount — a few percent of the rows;
those live in the database so pages can filter, sort and paginate them by township,
scoped to the user's region like every other list.
"""

from __future__ import annotations

from django.db import models

from doudi.core import codes
from doudi.core.models import User
from doudi.registry.models import Household, Person


class EvaluationRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "运行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    month = models.CharField("评估月份", max_length=7)
    region_code = models.CharField("评估区划", max_length=12, db_index=True)
    engine = models.CharField("计算引擎", max_length=12, default="duckdb")
    policy = models.CharField("政策", max_length=200, help_text="参数区划代码，或政策模拟文件")
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, verbose_name="发起人")
    role = models.CharField("角色", max_length=20, blank=True)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RUNNING)
    counts = models.JSONField("统计", default=dict)
    decisions_file = models.CharField("测算结果文件", max_length=300, blank=True)
    error = models.TextField("错误信息", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "批量评估"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.month} {self.region_code} 批量评估"


class Difference(models.Model):
    """One change the rules call for compared with the register: start, stop or new amount."""

    class Change(models.TextChoices):
        START = "start", "应新增"
        STOP = "stop", "应停止"
        CHANGE_AMOUNT = "change_amount", "应调整金额"

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="differences")
    household = models.ForeignKey(Household, null=True, on_delete=models.SET_NULL, related_name="+")
    household_code = models.CharField("户编号", max_length=32)
    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    person_key = models.CharField("身份证号", max_length=18, blank=True)
    region_code = models.CharField("行政区划", max_length=12)
    township_code = models.CharField("乡镇", max_length=9)
    category = models.CharField("保障类别", max_length=24, choices=list(codes.CATEGORIES.items()))
    change = models.CharField("变化", max_length=16, choices=Change.choices)
    held_amount = models.DecimalField("现享受金额", max_digits=12, decimal_places=2, null=True)
    new_amount = models.DecimalField("测算金额", max_digits=12, decimal_places=2, null=True)
    reasons = models.CharField("原因代码", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评估差异"
        ordering = ["township_code", "household_code", "category"]
        indexes = [
            models.Index(fields=["run", "township_code"]),
            models.Index(fields=["run", "category", "change"]),
        ]

    @property
    def delta(self):
        return (self.new_amount or 0) - (self.held_amount or 0)

    @property
    def reason_list(self) -> list[str]:
        return [r for r in self.reasons.split(",") if r]
