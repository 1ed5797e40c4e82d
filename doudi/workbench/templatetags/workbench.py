"""{% load workbench %}: whether the header shows the search box (roles that may see the register)."""

from django import template

from doudi.core.roles import VIEW_REGISTRY, can

register = template.Library()


@register.filter
def may_search(user) -> bool:
    return can(user, VIEW_REGISTRY)


@register.filter
def may_unmask_bank(user) -> bool:
    from doudi.core.roles import UNMASK_BANK

    return can(user, UNMASK_BANK)


@register.inclusion_tag("workbench/_saved_filters.html", takes_context=True)
def saved_filters(context):
    """The user's saved filters of this list, and a form to save the current ones."""
    from doudi.workbench.saved_filters import clean_query, saved_for

    request = context["request"]
    return {
        "saved": list(saved_for(request.user, request.path)),
        "path": request.path,
        "query": clean_query(request.META.get("QUERY_STRING", "")),
        "csrf_token": context.get("csrf_token"),
    }
