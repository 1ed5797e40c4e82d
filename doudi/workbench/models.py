"""Notifications inside the app for hand-overs (issue 13 item 2): a run waiting for finance,
a warning assigned to a township. Written by `notifications.notify()`; read on the home page."""

from __future__ import annotations

from django.db import models

from doudi.core.models import User
from doudi.core.roles import Role


class Notification(models.Model):
    """To one user, or to every user of a role whose region covers or lies inside `region_code`."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name="接收人")
    role = models.CharField("接收角色", max_length=20, blank=True, choices=Role.choices)
    region_code = models.CharField("接收区划", max_length=12, blank=True, db_index=True)
    text = models.CharField("内容", max_length=300)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    # Read per user: a role's notification stays unread for a colleague who has not seen it.
    read_by = models.ManyToManyField(User, blank=True, related_name="+", verbose_name="已读")

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["role", "region_code"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(user__isnull=False) | ~models.Q(role=""), name="notification_has_recipient")
        ]

    def __str__(self) -> str:
        return self.text


class SavedFilter(models.Model):
    """A list's filters saved under a name by one user (issue 13 item 3): the list's path and
    its query string without paging, export or print. Only the user who saved it sees it;
    opening it runs the list's own scoped query, so it can never show more than the list."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name="用户")
    path = models.CharField("页面", max_length=200)
    name = models.CharField("名称", max_length=40)
    query = models.CharField("筛选条件", max_length=500, blank=True)
    created_at = models.DateTimeField("保存时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "常用筛选"
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "path", "name"], name="saved_filter_name_once")]

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path
