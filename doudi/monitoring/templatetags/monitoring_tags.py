"""Template helpers for warning details (labels from rules.DETAIL_LABELS)."""

from django import template

from doudi.core import codes
from doudi.monitoring.rules import DETAIL_LABELS

register = template.Library()
VALUE_LABELS = {
    "relation": {"self": "本人", "relative": "近亲属"},
    "reason": {"elderly": "年满特困年龄", "minor": "未成年", "disability": "残疾符合特困条件"},
    "role": {"legal_rep": "法定代表人", "shareholder": "股东", "operator": "经营者"},
    "category": codes.CATEGORY_SHORT,
}


def _value(key, value):
    if value is None or value == "":
        return "—"
    return VALUE_LABELS.get(key, {}).get(value, value)


@register.filter
def detail_facts(detail: dict) -> list:
    return [(DETAIL_LABELS.get(k, k), _value(k, v)) for k, v in detail.items() if k != "items"]


@register.filter
def detail_items(detail: dict) -> list:
    return [[(DETAIL_LABELS.get(k, k), _value(k, v)) for k, v in item.items()] for item in detail.get("items", [])]


@register.filter
def level_class(level: str) -> str:
    return {"red": "level-red", "orange": "level-orange"}.get(level, "level-yellow")


@register.filter
def status_label(code: str) -> str:
    from doudi.monitoring.models import Warning

    return Warning.Status(code).label if code in Warning.Status.values else (code or "—")
