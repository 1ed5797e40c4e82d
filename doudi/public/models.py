"""The public side stores one thing: the unguessable token behind a household's 明白卡 QR
code, which opens its masked status page (/public/s/<token>/). Nothing else the public
side shows is stored here: applications are the cases app's, benefits the register's."""

from __future__ import annotations

import secrets

from django.db import models

from doudi.registry.models import Household


def new_token() -> str:
    return secrets.token_urlsafe(18)  # 24 URL-safe characters, 144 random bits


class HouseholdToken(models.Model):
    household = models.OneToOneField(Household, on_delete=models.CASCADE, related_name="+", verbose_name="家庭")
    token = models.CharField("查询码", max_length=40, default=new_token)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "明白卡查询码"
        constraints = [models.UniqueConstraint(fields=["token"], name="public_household_token_unique")]

    def __str__(self) -> str:
        return f"{self.household_id}"
