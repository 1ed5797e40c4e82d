"""Stable reason codes of `not_eligible[].reasons` (docs/interfaces.md §3): code → (中文, English).

Codes are part of the contract: never rename one; add new ones. docs/rules.md lists them.
"""

REASONS: dict[str, tuple[str, str]] = {
    "tekun_takes_precedence": ("本人已纳入特困供养，特困优先，不再享受此项", "covered by tekun, which takes precedence"),
    "orphan_takes_precedence": (
        "本人已享受孤儿或事实无人抚养儿童基本生活保障，优先适用，不再享受此项",
        "covered by the orphan / unsupported-child allowance, which takes precedence",
    ),
    "income_above_standard": ("家庭月人均收入不低于低保标准", "per-capita income is not below the dibao standard"),
    "taper_ended": ("收入已超过低保标准且渐退期已满", "income above the standard and the taper period has ended"),
    "financial_assets_above_limit": ("人均金融资产超过规定上限", "financial assets per capita above the limit"),
    "vehicle_not_exempt": ("拥有不予豁免的机动车", "owns a vehicle that is not exempt"),
    "property_above_limit": ("房产超过规定套数", "more properties than allowed"),
    "business_above_limit": ("拥有市场主体超过规定数量", "more businesses than allowed"),
    "eligible_for_dibao": ("家庭符合低保条件，按低保保障", "the household qualifies for dibao instead"),
    "eligible_for_dibao_edge": ("家庭符合低保边缘条件，按低保边缘管理", "the household is a dibao-edge household instead"),
    "income_above_edge_line": (
        "家庭月人均收入不低于低保边缘标准（低保标准的倍数）",
        "per-capita income is not below the edge line (multiple of the standard)",
    ),
    "income_above_low_income_line": (
        "家庭月人均收入不低于低收入人口认定线",
        "per-capita income is not below the low-income line",
    ),
    "no_low_income_marker": (
        "不属于防返贫监测对象、已脱贫人口或刚性支出困难家庭",
        "not monitored, not formerly poor and no rigid-expenditure hardship",
    ),
    "household_eligible_for_dibao": ("家庭已整户符合低保，无需单人保", "the whole household qualifies for dibao"),
    "household_not_edge": ("家庭不属于低保边缘家庭", "the household is not a dibao-edge household"),
    "single_income_not_below_standard": ("本人月收入不低于低保标准", "own income is not below the dibao standard"),
    "has_labour_capacity": (
        "本人有劳动能力（年龄和残疾类别等级均不符合）",
        "has labour capacity (neither age nor disability qualifies)",
    ),
    "has_income_source": ("本人月收入不低于低保标准，视为有收入来源", "own income is not below the standard"),
    "has_capable_supporter": ("有具备履行能力的法定赡养、抚养、扶养义务人", "has a legal supporter able to support"),
    "age_above_child_limit": ("已超过儿童年龄上限", "above the child age limit"),
    "household_not_covered": ("本人不是低保（含单人保）或特困对象", "not a dibao, single-dibao or tekun recipient"),
    "disability_level_not_covered": ("残疾类别和等级不在补贴范围内", "disability kind and level not covered"),
    "category_not_in_force": ("本地区未实行此项保障（categories.disabled）", "the category is switched off in this region"),
    "single_not_covered": (
        "本地区困难残疾人生活补贴不包括单人保对象",
        "in this region 单人保 holders do not receive this subsidy",
    ),
}
