"""Region tree, users with a role and a region scope, and the append-only audit trail."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from doudi.core.roles import Role
from doudi.core.unmasking import UnmaskReason


class Region(models.Model):
    """One node of the 行政区划 tree; its code is a prefix of every code below it."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "县"
        TOWNSHIP = "township", "乡镇"
        VILLAGE = "village", "村"

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class User(AbstractUser):
    """A staff member: one role, one region whose subtree is everything they may see."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.VILLAGE_HELPER)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name="管辖区划")
    full_name = models.CharField("姓名", max_length=32, blank=True)
    # Set when the county administrator creates the user or resets the password: the one-time
    # password was seen by someone else, so the user sets their own before anything else
    # (core/middleware.py PasswordChangeRequiredMiddleware). Cleared by their own change.
    must_change_password = models.BooleanField("须修改密码", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    @property
    def scope_code(self) -> str | None:
        """Prefix of every region code this user may see; None means nothing."""
        if self.is_superuser:
            return ""
        return self.region_id if self.region_id else None

    def display_name(self) -> str:
        return self.full_name or self.username


class AppendOnly(models.Model):
    """Rows that are written once and never changed or removed."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计记录只能追加，不能删除")


class AuditEntry(AppendOnly):
    """Who changed what, from what to what, and why (docs/design.md §1.4)."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, verbose_name="操作人")
    role = models.CharField("角色", max_length=20, blank=True)
    ACTIONS = [("create", "新建"), ("update", "修改"), ("move", "迁移"), ("end", "终止"), ("delete", "删除")]
    action = models.CharField("动作", max_length=16, choices=ACTIONS)
    entity = models.CharField("对象类型", max_length=16)
    entity_key = models.CharField("对象", max_length=64)
    household_code = models.CharField("户编号", max_length=32, blank=True)
    changes = models.JSONField("变更", default=dict)
    reason = models.CharField("原因", max_length=200, blank=True)
    batch = models.CharField("批次", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "变更记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["household_code"])]


class UnmaskLog(AppendOnly):
    """Every view of an unmasked ID number or bank account (个人信息保护法): who, whose, which
    number, when, from where and why (core/unmasking.py; rows older than the reason say
    （未记录）)."""

    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, verbose_name="查看人")
    role = models.CharField("角色", max_length=20)
    person_id_number = models.CharField("对象身份证号", max_length=18, db_index=True)
    field = models.CharField("字段", max_length=16)
    ip = models.GenericIPAddressField("来源地址", null=True)
    reason = models.CharField("原因", max_length=16, choices=UnmaskReason.choices, db_index=True)
    note = models.CharField("原因说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "敏感信息查看记录"
        ordering = ["-at"]


class Job(models.Model):
    """A background job started by a user (core/jobs.py runs it)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "运行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=32)
    label = models.CharField("名称", max_length=120)
    target = models.CharField("执行函数", max_length=120)
    params = models.JSONField("参数", default=dict)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveBigIntegerField("已完成", default=0)
    total = models.PositiveBigIntegerField("总量", null=True, blank=True)
    message = models.CharField("进度说明", max_length=200, blank=True)
    result = models.JSONField("结果", default=dict)
    error = models.CharField("错误", max_length=500, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, verbose_name="发起人")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    updated_at = models.DateTimeField("最近更新", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "后台任务"
        ordering = ["-id"]

    # A running job whose thread died (server restart) stops updating; say so instead of
    # showing a progress bar forever.
    STALE_AFTER_SECONDS = 600

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))

    @property
    def is_stale(self) -> bool:
        if self.status not in (self.Status.QUEUED, self.Status.RUNNING):
            return False
        last = self.updated_at or self.created_at
        from django.utils import timezone

        return (timezone.now() - last).total_seconds() > self.STALE_AFTER_SECONDS
