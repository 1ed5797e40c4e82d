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
