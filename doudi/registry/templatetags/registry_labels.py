"""Chinese names of the fields a household's change log shows (registry models first)."""

from django import template

register = template.Library()

# Fields of other records that write to a household's log (overpayments, pending changes).
OTHER_FIELDS = {"household": "所在家庭", "amount": "金额", "from_month": "起始月份", "name": "名称", "state": "状态"}


@register.filter
def field_label(name: str) -> str:
    from doudi.registry.models import Benefit, Household, Person

    for model in (Person, Household, Benefit):
        try:
            return model._meta.get_field(name).verbose_name
        except Exception:  # FieldDoesNotExist: try the next model
            continue
    return OTHER_FIELDS.get(name, name)
