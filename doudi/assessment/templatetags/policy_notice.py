"""`{% load policy_notice %}{% policy_notice code %}`: the banner a page that decides or pays
shows when the county of `code` (a county, township or village code) has no parameter file of
its own — "本县未配置参数，使用晋城市（1405）的参数" (doudi.rules.policy.provenance). Empty
otherwise, and empty when the parameters cannot be read (the page reports that itself)."""

from django import template
from django.utils.html import format_html

from doudi.rules.errors import RulesError
from doudi.rules.policy import provenance

register = template.Library()


@register.simple_tag
def policy_notice(region_code) -> str:
    try:
        notice = provenance(str(region_code or ""))
    except RulesError:
        return ""
    return format_html('<div class="msg warning policy-notice">{}</div>', notice) if notice else ""
