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
