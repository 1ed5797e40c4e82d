"""Template filters: masking and code labels."""
from django import template

from doudi.core import codes, idnumber

register = template.Library()


@register.filter
def mask_id(value: str) -> str:
    return idnumber.mask(value or "")


@register.filter
def mask_account(value: str) -> str:
    value = value or ""
    return ("*" * max(len(value) - 4, 0)) + value[-4:] if value else ""


@register.filter
def category_label(code: str) -> str:
    return codes.CATEGORY_SHORT.get(code, code)


@register.filter
def field_label(name: str, entity: str = "") -> str:
    from doudi.registry.models import Benefit, Household, Person

    for model in (Person, Household, Benefit):
        try:
            return model._meta.get_field(name).verbose_name
        except Exception:
            continue
    return {"household": "所在家庭"}.get(name, name)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagers and sorting)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return "?" + params.urlencode()
