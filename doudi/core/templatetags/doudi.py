"""Template filters: masking and code labels."""

from django import template

from doudi.core import codes, idnumber

register = template.Library()


@register.filter
def mask_id(value: str) -> str:
    return idnumber.mask(value or "")


@register.filter
def mask_account(value: str) -> str:
    return idnumber.mask_account(value or "")


@register.filter
def mask_ids(value) -> str:
    """Free text with every ID-like number (15–19 digits) masked."""
    return idnumber.mask_text("" if value is None else str(value))


@register.filter
def change_value(value, field: str = ""):
    """One side of a change-log entry (old or new). An account or ID number is masked for
    every role, as on the person page: there the full value is one logged click away, here
    it would be an unlogged view (docs/design.md §1.5). Other text has ID-like numbers masked."""
    if value is None:
        return None
    return idnumber.mask_values(str(value), field)


@register.filter
def category_label(code: str) -> str:
    return codes.CATEGORY_SHORT.get(code, code)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagers and sorting)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return "?" + params.urlencode()
