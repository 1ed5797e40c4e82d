"""Comparison runs, the warnings they raise and how each warning is handled (入户核查,
confirmed or dismissed). docs/domain.md §7; 武政办发电〔2021〕10号 (动态监测预警),
晋民发〔2022〕38号 (低收入人口数据库和比对，人情保/关系保)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from doudi.core.models import AppendOnly, User
from doudi.monitoring.rules import LEVELS, RULES
from doudi.registry.models import Household, Person

RULE_CHOICES = [(code, rule.name) for code, rule in RULES.items()]
LEVEL_CHOICES = list(LEVELS.items())


class ComparisonRun(models.Model):
    """One run of every rule for an as-of date: who, which engine, what it found."""

    as_of = models.DateField("比对日期")
    engine = models.CharField("计算引擎", max_length=10)
    region_code = models.CharField("比对范围", max_length=12, blank=True, default="")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, verbose_name="发起人")
    started_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # rule → {"found", "new", "open", "suppressed"}; datasets → imports read per kind
    counts = models.JSONField("各规则数量", default=dict)
    inputs = models.JSONField("使用的数据", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "比对批次"
        ordering = ["-id"]


class Warning(models.Model):  # noqa: A001 - the domain word (预警); never shadows builtins in use here
    class Status(models.TextChoices):
        OPEN = "open", "待核查"
        CHECKING = "checking", "核查中"
        CONFIRMED = "confirmed", "已确认"
        DISMISSED = "dismissed", "已排除"

    class Outcome(models.TextChoices):
        STOP = "stop", "停发待遇"
        ADJUST = "adjust", "调整待遇"
        ENROL = "enrol", "纳入保障"
        FILE = "file", "备案保留"

    rule = models.CharField("规则", max_length=24, choices=RULE_CHOICES)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="warnings", verbose_name="人员")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="warnings", verbose_name="家庭")
    region_code = models.CharField("所在村(社区)", max_length=12, db_index=True)
    township_code = models.CharField("责任乡镇", max_length=9)
    level = models.CharField("等级", max_length=8, choices=LEVEL_CHOICES)
    detail = models.JSONField("详情", default=dict)
    fingerprint = models.CharField("证据指纹", max_length=40)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    deadline = models.DateField("核查期限")
    outcome = models.CharField("处理结果", max_length=8, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField("处理说明", max_length=500, blank=True)
    first_run = models.ForeignKey(ComparisonRun, on_delete=models.PROTECT, related_name="+", verbose_name="首次发现")
    last_run = models.ForeignKey(ComparisonRun, on_delete=models.PROTECT, related_name="+", verbose_name="最近发现")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    ACTIVE = (Status.OPEN, Status.CHECKING)

    class Meta:
        verbose_name = verbose_name_plural = "预警"
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["person", "rule"]),
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["township_code", "status"]),
        ]
        # Two comparisons running at once must not open the same warning twice.
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "person"],
                condition=models.Q(status__in=["open", "checking"]),
                name="one_active_warning_per_rule_and_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}：{self.person.name}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_overdue(self) -> bool:
        return self.is_active and self.deadline < timezone.localdate()

    @property
    def rule_def(self):
        return RULES[self.rule]


class WarningTransition(AppendOnly):
    """Every status change of a warning: who, role, from, to, why, when (docs/design.md §1.4)."""

    warning = models.ForeignKey(Warning, on_delete=models.PROTECT, related_name="transitions")
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, verbose_name="操作人")
    role = models.CharField("角色", max_length=20, blank=True)
    from_status = models.CharField("原状态", max_length=10, blank=True)
    to_status = models.CharField("新状态", max_length=10)
    reason = models.CharField("原因", max_length=500, blank=True)
    data = models.JSONField("附加信息", default=dict)

    class Meta:
        verbose_name = verbose_name_plural = "预警处理记录"
        ordering = ["at", "id"]


class WarningVisit(AppendOnly):
    """A door-to-door check (入户核查) of one warning, with notes and photos."""

    warning = models.ForeignKey(Warning, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("核查日期")
    visitor = models.ForeignKey(User, on_delete=models.PROTECT, verbose_name="核查人")
    role = models.CharField("角色", max_length=20, blank=True)
    notes = models.TextField("核查情况")
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "入户核查记录"
        ordering = ["visited_on", "id"]


class VisitPhoto(AppendOnly):
    visit = models.ForeignKey(WarningVisit, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField("照片", upload_to="monitoring/visits/%Y/%m/")
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")

    class Meta:
        verbose_name = verbose_name_plural = "核查照片"
