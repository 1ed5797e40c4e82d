"""`{% if user|may:"assess" %}`: lets other apps' templates link to 测算 only for roles that may use it."""

from django import template

from doudi.core.roles import can

register = template.Library()


@register.filter
def may(user, permission: str) -> bool:
    return can(user, permission)
