"""Department dataset imports (docs/interfaces.md §5): one versioned row per accepted file, and the
row-level issues found in it. The accepted rows themselves live in a Parquet file per
import (storage.py), read by the comparison batch; the database holds what people look
at and what the audit needs."""

from __future__ import annotations

from django.db import models

from doudi.core.models import User
from doudi.datasets.kinds import KINDS

KIND_CHOICES = [(code, kind.label) for code, kind in KINDS.items()]


class DatasetImport(models.Model):
    """One department file accepted as the snapshot of `kind` as of `as_of`.

    A later import of the same kind (and region) replaces it for as-of dates on or after
    its own: imports are full snapshots, not increments. Never edited after creation."""

    kind = models.CharField("数据类型", max_length=32, choices=KIND_CHOICES)
    version = models.PositiveIntegerField("版本")
    as_of = models.DateField("数据截至日期")
    # The region the data covers: the uploader's scope ("" = the whole database, for
    # imports from the command line or by a province-level account).
    region_code = models.CharField("覆盖区划", max_length=12, blank=True, default="")
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("文件摘要", max_length=64)
    rows = models.PositiveIntegerField("接收行数", default=0)
    rejected = models.PositiveIntegerField("拒收行数", default=0)
    invalid_ids = models.PositiveIntegerField("身份证号无法规范化行数", default=0)
    legacy_ids = models.PositiveIntegerField("15位身份证号行数", default=0)
    duplicates = models.PositiveIntegerField("重复行数", default=0)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, verbose_name="导入人")
    role = models.CharField("角色", max_length=20, blank=True)
    channel = models.CharField("渠道", max_length=8, choices=[("cli", "命令行"), ("web", "网页"), ("api", "接口")])
    at = models.DateTimeField("导入时间", auto_now_add=True)
    storage = models.CharField("数据文件", max_length=255)

    class Meta:
        verbose_name = verbose_name_plural = "部门数据导入"
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="dataset_kind_version_unique"),
            models.UniqueConstraint(fields=["kind", "region_code", "sha256"], name="dataset_same_file_once"),
        ]
        indexes = [models.Index(fields=["kind", "as_of"])]

    def __str__(self) -> str:
        return f"{self.kind_label} 第{self.version}版（截至{self.as_of}）"

    @property
    def kind_label(self) -> str:
        kind = KINDS.get(self.kind)
        return kind.label if kind else self.kind


class DatasetRowIssue(models.Model):
    """A problem with one row: rejected (kept=False, not in the Parquet) or kept and
    reported (kept=True: an ID number that cannot be normalised, a duplicate row)."""

    dataset_import = models.ForeignKey(DatasetImport, on_delete=models.CASCADE, related_name="issues")
    row_no = models.PositiveIntegerField("行号")  # spreadsheet row, header = 1
    column = models.CharField("列", max_length=40, blank=True)
    value = models.CharField("值", max_length=100, blank=True)
    message = models.CharField("问题", max_length=200)
    kept = models.BooleanField("仍保留", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "部门数据问题行"
        ordering = ["dataset_import", "row_no", "id"]


class ApiToken(models.Model):
    """A department system's key for POST /api/datasets/{kind}. Only its SHA-256 is
    stored; the key is shown once when created (`doudi dataset_token USERNAME`). The
    token acts as its user: same role, same region scope."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="dataset_tokens", verbose_name="用户")
    label = models.CharField("用途", max_length=60, blank=True)
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked = models.BooleanField("已停用", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "接口令牌"
