"""Layout helpers for templates: the grouped menu and money with thousands separators."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

from doudi.core.navigation import menu_groups as _menu_groups

register = template.Library()


@register.filter
def money(value) -> str:
    """1234567.5 → "1,234,567.50"; None or "" → ""; text that is not a number is returned as is."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


@register.simple_tag
def menu_groups(entries, path: str = ""):
    """{% menu_groups nav_entries request.path as menu %}: see navigation.menu_groups."""
    return _menu_groups(entries or [], path or "")
