"""The known parameters: name → unit, item kind, Chinese description.

A parameter file may only set names listed here, with the unit listed here; the national
root must set every one of them (so a rule never meets a missing value). Which notice
governs each value is recorded per value in the YAML files (`ref`, the 文号).
"""

from dataclasses import dataclass

UNITS = ("yuan", "ratio", "months", "count", "years", "bool", "list", "choice")

# Allowed items for list-valued parameters.
ITEM_KINDS = {
    "income_component": ("wage", "business", "property", "transfer", "exempt"),
    "expense_kind": ("medical", "education"),
    "vehicle_kind": ("car", "truck", "motorcycle", "tricycle", "disability_vehicle", "farm_machine"),
    "category": (
        "dibao",
        "dibao_single",
        "dibao_edge",
        "tekun",
        "orphan",
        "unsupported_child",
        "disability_living",
        "disability_care",
        "elderly_age",
        "elderly_care",
        "low_income",
    ),
    # "kind:level" with kind from docs/interfaces.md §2 or "any", level 1-4 or a range "1-3".
    "disability": (),
}
ROUNDING_MODES = ("yuan_half_up", "yuan_ceiling", "yuan_floor", "jiao_half_up", "fen_half_up")


@dataclass(frozen=True)
class Spec:
    unit: str
    zh: str
    items: str | None = None  # item kind for unit "list"
    choices: tuple = ()  # allowed values for unit "choice"
    high: int | None = None  # largest allowed whole number (months, count), e.g. backpay.months ≤ 36
    nonempty: bool = False  # a list that must name at least one item


def _p(unit, zh, items=None, choices=()):
    return Spec(unit, zh, items, choices)


PARAMETERS: dict[str, Spec] = {
    "rounding.mode": _p("choice", "金额取整方式", choices=ROUNDING_MODES),
    # Income (收入核算)
    "income.exempt_components": _p("list", "不计入家庭收入的收入项", "income_component"),
    "income.employment_deduction.enabled": _p("bool", "是否实行就业成本扣减"),
    "income.employment_deduction.ratio": _p("ratio", "就业成本扣减比例（占工资性收入）"),
    "income.employment_deduction.cap": _p("yuan", "就业成本扣减每人每月上限（0为不设上限）"),
    "income.rigid_deduction.enabled": _p("bool", "是否实行刚性支出扣减"),
    "income.rigid_deduction.kinds": _p("list", "可扣减的刚性支出种类", "expense_kind"),
    "income.rigid_deduction.cap": _p("yuan", "刚性支出扣减每户每月上限（0为不设上限）"),
    # Assets (财产状况)
    "assets.financial_months": _p("months", "人均金融资产上限（相当于几个月低保标准）"),
    "assets.vehicle_exempt_kinds": _p("list", "不计入的机动车种类", "vehicle_kind"),
    "assets.vehicle_value_exempt_max": _p("yuan", "价值不超过此数的机动车不计入"),
    "assets.property_max": _p("count", "允许拥有的房产套数上限"),
    "assets.business_max": _p("count", "允许拥有的市场主体数量上限"),
    # 低保
    "dibao.standard.urban": _p("yuan", "城市低保标准（元/人·月）"),
    "dibao.standard.rural": _p("yuan", "农村低保标准（元/人·月）"),
    "dibao.increment.disability_list": _p("list", "分类施保：重度残疾加发范围", "disability"),
    "dibao.increment.severe_disability": _p("yuan", "分类施保：重度残疾每人每月加发"),
    "dibao.increment.elderly_age": _p("years", "分类施保：老年人加发起始年龄"),
    "dibao.increment.elderly": _p("yuan", "分类施保：老年人每人每月加发"),
    "dibao.increment.minor_age": _p("years", "分类施保：未成年人年龄上限（不含）"),
    "dibao.increment.minor": _p("yuan", "分类施保：未成年人每人每月加发"),
    "dibao.taper.months": _p("months", "低保渐退期（月，0为不实行渐退）"),
    "dibao_single.disability_list": _p("list", "单人保：残疾类别和等级", "disability"),
    "dibao_single.serious_illness": _p("bool", "单人保：是否包括重病患者"),
    "dibao_edge.ratio": _p("ratio", "低保边缘：人均收入低于低保标准的倍数"),
    # 特困
    "tekun.elderly_age": _p("years", "特困：视为无劳动能力的年龄下限"),
    "tekun.minor_age": _p("years", "特困：未成年人年龄上限（不含）"),
    "tekun.disability_list": _p("list", "特困：视为无劳动能力的残疾类别和等级", "disability"),
    "tekun.basic_ratio": _p("ratio", "特困基本生活标准相当于低保标准的倍数"),
    "tekun.care.full": _p("yuan", "特困照料护理标准：全自理"),
    "tekun.care.partial": _p("yuan", "特困照料护理标准：半失能"),
    "tekun.care.none": _p("yuan", "特困照料护理标准：全失能"),
    # 孤儿、事实无人抚养儿童
    "child.max_age": _p("years", "儿童年龄上限（不含）"),
    "orphan.centralized": _p("yuan", "孤儿基本生活费：集中养育"),
    "orphan.dispersed": _p("yuan", "孤儿基本生活费：散居（事实无人抚养儿童参照）"),
    # 残疾人两项补贴
    "disability_living.amount": _p("yuan", "困难残疾人生活补贴（元/人·月）"),
    "disability_living.include_edge": _p("bool", "困难残疾人生活补贴是否扩大到低保边缘家庭"),
    "disability_care.disability_list": _p("list", "重度残疾人护理补贴范围", "disability"),
    "disability_care.amount": _p("yuan", "重度残疾人护理补贴（元/人·月）"),
    # 老年人
    "elderly_age.tier1_age": _p("years", "高龄津贴第一档起始年龄"),
    "elderly_age.tier1_amount": _p("yuan", "高龄津贴第一档（元/人·月）"),
    "elderly_age.tier2_age": _p("years", "高龄津贴第二档起始年龄"),
    "elderly_age.tier2_amount": _p("yuan", "高龄津贴第二档（元/人·月）"),
    "elderly_age.tier3_age": _p("years", "高龄津贴第三档起始年龄"),
    "elderly_age.tier3_amount": _p("yuan", "高龄津贴第三档（元/人·月）"),
    "elderly_care.min_age": _p("years", "失能老年人补贴起始年龄"),
    "elderly_care.partial": _p("yuan", "经济困难失能老年人补贴：半失能"),
    "elderly_care.none": _p("yuan", "经济困难失能老年人补贴：全失能"),
    "elderly_care.include_edge": _p("bool", "失能老年人补贴是否包括低保边缘家庭"),
    # 低收入人口
    "low_income.ratio": _p("ratio", "低收入人口：人均收入低于低保标准的倍数"),
    "low_income.rigid_share": _p("ratio", "刚性支出困难：近12月刚性支出不低于家庭年收入的比例"),
    # 重叠与排斥
    "overlap.tekun_excludes": _p("list", "特困人员不再享受的类别", "category"),
    "overlap.orphan_excludes": _p("list", "孤儿不再享受的类别", "category"),
    # 数据比对与预警 (doudi/monitoring/rules.py; docs/monitoring.md)
    "compare.paid_categories": _p("list", "比对：视为“在享受待遇”的类别（死亡、服刑、重复享受、人情保）", "category"),
    "compare.means_tested_categories": _p(
        "list", "比对：经济状况核对的类别（车辆、市场主体、财政供养、养老金、房产）", "category"
    ),
    "compare.missed_categories": _p("list", "比对：漏保排查的家庭类别（低保边缘、低收入）", "category"),
    "compare.vehicle.red_count": _p("count", "比对：非豁免车辆达到此数量为红色预警"),
    "compare.business.capital_exempt_max": _p("yuan", "比对：注册资本不超过此数（元）的市场主体不预警（0为不豁免）"),
    "compare.business.red_capital": _p("yuan", "比对：注册资本达到此数（元）为红色预警"),
    "compare.pension.ratio": _p("ratio", "比对：含养老金的人均月收入高于低保标准的倍数时预警"),
    "compare.pension.red_ratio": _p("ratio", "比对：含养老金的人均月收入高于低保标准的倍数时为红色预警"),
    "compare.real_estate.red_excess": _p("count", "比对：房产超出允许套数达到此数为红色预警"),
    "compare.high_medical.categories": _p("list", "比对：大额医疗自付排查的家庭类别", "category"),
    "compare.high_medical.months": _p("months", "比对：医疗自付累计的月数"),
    "compare.high_medical.self_pay_min": _p("yuan", "比对：家庭医疗自付累计达到此数预警"),
    "compare.high_medical.red_min": _p("yuan", "比对：家庭医疗自付累计达到此数为红色预警"),
    "compare.deadline_days.red": _p("count", "预警核查期限（天）：红色"),
    "compare.deadline_days.orange": _p("count", "预警核查期限（天）：橙色"),
    "compare.deadline_days.yellow": _p("count", "预警核查期限（天）：黄色"),
}


# ---- 地区差异与比对用词 (issue 11; docs/rules.md §2, docs/monitoring.md §2) ---------------------
# Choices counties make differently, and the department's own words the comparison reads.
class _Words(tuple):
    """Items that are a department's own words: any non-empty text without a comma (a list
    parameter travels as ',a,b,' text in the batch); `*` stands for any text. The tuple
    itself only names what may be written, for the loader's error message."""

    def __contains__(self, item) -> bool:
        return isinstance(item, str) and item == item.strip() and item != "" and "," not in item


class _WordKinds(_Words):
    """'词:kind' pairs: a word (or `*`) of the department's text and the kind it means."""

    def __new__(cls, kinds):
        made = super().__new__(cls, tuple(f"词:{k}" for k in kinds))
        made.kinds = tuple(kinds)
        return made

    def __contains__(self, item) -> bool:
        word, sep, kind = item.rpartition(":") if isinstance(item, str) else ("", "", "")
        return bool(sep) and _Words.__contains__(self, word) and kind in self.kinds


ITEM_KINDS.update(
    {
        "pension_scheme": _Words(("险种名称中的词（不含逗号）", "*")),
        "business_status": _Words(("登记状态原文（不含逗号）",)),
        "vehicle_type_kind": _WordKinds(ITEM_KINDS["vehicle_kind"]),
    }
)
AGE_DAYS = ("first_day", "last_day")
EMPLOYMENT_DEDUCTION_SCOPES = ("household_and_own", "household_only")
PARAMETERS.update(
    {
        "age.reference_day": _p(
            "choice", "年龄计算日：评估月1日（first_day），或评估月最后一天（last_day，当月内过生日即算满岁）", choices=AGE_DAYS
        ),
        "income.employment_deduction.scope": _p(
            "choice",
            "就业成本扣减范围：家庭收入和特困、单人保的本人收入（household_and_own），或只用于家庭收入（household_only）",
            choices=EMPLOYMENT_DEDUCTION_SCOPES,
        ),
        "disability_living.include_single": _p("bool", "困难残疾人生活补贴是否包括低保边缘家庭中的单人保对象"),
        "categories.disabled": _p("list", "本地区不实行的保障类别（单户测算和批量评估都不给予）", "category"),
        "compare.covered_categories": _p("list", "比对：视为“已纳入保障”的类别（残疾漏保、监测对象漏保）", "category"),
        "compare.pension.schemes": _p(
            "list", "比对：计入收入的养老保险险种（险种名称含其中任一词即计入，* 为全部险种）", "pension_scheme"
        ),
        "compare.vehicle.type_kinds": _p(
            "list",
            "比对：车辆类型文字对应的机动车种类（词:种类，按顺序取第一个匹配的，* 匹配任何文字；都不匹配的不豁免）",
            "vehicle_type_kind",
        ),
        "compare.business.live_statuses": _p(
            "list", "比对：视为存续的市场主体登记状态（与部门数据的登记状态原文相同）", "business_status"
        ),
    }
)


# ---- 资金发放参数 (doudi/payments, docs/payments.md §8) ---------------------------------------
# The same region files, loader, validation and inheritance as the rule parameters above. They
# are not rule inputs, so they are kept out of PARAMETERS (each name there is a column of the
# batch's parameter table); `spec_for(name)` knows both, and `fund_shares.<资金代码>` for any code.
PAYMENT_UNITS = ("percent", "schedule", "deadline", "fund", "shares")
PAID_CATEGORIES = (
    "dibao",
    "dibao_single",
    "tekun",
    "orphan",
    "unsupported_child",
    "disability_living",
    "disability_care",
    "elderly_age",
    "elderly_care",
)
REGISTRY_GROUPS = ("dibao", "dibao_single", "tekun", "orphan", "unsupported_child", "dibao_edge")
EXTERNAL_GROUPS = {"youfu": "优抚对象", "unemployment": "失业保险金领取人员", "unemployment_aid": "失业补助金领取人员"}
PRICE_GROUPS = REGISTRY_GROUPS + tuple(EXTERNAL_GROUPS)
ITEM_KINDS["price_group"] = PRICE_GROUPS
SOURCES = {
    "central": "中央",
    "province": "省级",
    "city": "市级",
    "county": "县级",
    "unemployment_fund": "失业保险基金",
    "donation": "社会捐赠",
}
# Display names of the shipped fund codes; a code added in a parameter file shows as itself.
FUND_LABELS = {
    "assistance": "困难群众基本生活救助补助资金",
    "disability": "残疾人两项补贴资金",
    "county": "县级财政资金",
    "province6_county4": "省、县按6:4分担",
    "unemployment": "失业保险基金",
    "youfu_province": "省级资金（县级垫付）",
    "donation": "社会捐赠资金",
    "temp_assist": "临时救助资金",
    "relief_central": "中央自然灾害救灾资金",
    "relief_local": "地方自然灾害救灾资金",
}
_PAID_ZH = {
    "dibao": "低保",
    "dibao_single": "单人保",
    "tekun": "特困人员",
    "orphan": "孤儿",
    "unsupported_child": "事实无人抚养儿童",
    "disability_living": "困难残疾人生活补贴",
    "disability_care": "重度残疾人护理补贴",
    "elderly_age": "高龄津贴",
    "elderly_care": "失能老年人补贴",
}

PAYMENT_PARAMETERS: dict[str, Spec] = {
    **{f"schedule.{c}": Spec("schedule", f"发放周期：{_PAID_ZH[c]}") for c in PAID_CATEGORIES},
    **{f"fund.{c}": Spec("fund", f"资金来源：{_PAID_ZH[c]}") for c in PAID_CATEGORIES},
    "fund.temp_assist": Spec("fund", "资金来源：临时救助备用金支取"),
    "backpay.months": Spec("months", "补发月数（最多往前追溯的月数，0为不自动补发）", high=36),
    "price_subsidy.trigger.cpi": Spec("percent", "价格临时补贴启动条件：居民消费价格指数同比涨幅（0为不作启动条件）"),
    "price_subsidy.trigger.food": Spec("percent", "价格临时补贴启动条件：食品价格同比涨幅（0为不作启动条件）"),
    "price_subsidy.groups": Spec("list", "价格临时补贴发放对象", items="price_group", nonempty=True),
    "price_subsidy.deadline": Spec("deadline", "价格临时补贴发放期限"),
    "price_subsidy.rounding": Spec("choice", "价格临时补贴金额取整方式", choices=ROUNDING_MODES),
    "price_subsidy.fund.assistance_groups": Spec("fund", "价格临时补贴资金来源：台账内救助对象"),
    **{f"price_subsidy.fund.{g}": Spec("fund", f"价格临时补贴资金来源：{zh}") for g, zh in EXTERNAL_GROUPS.items()},
}
FUND_SHARES = "fund_shares."  # fund_shares.<资金代码>: {来源: 比例} summing to 1


# ---- 案件办理时限 (doudi/cases, docs/cases.md) ------------------------------------------------
# Clocks of an application (docs/domain.md §4, 民发〔2021〕57号) and who confirms it. Not rule inputs,
# so kept with the payment parameters (each name in PARAMETERS is a batch column).
PAYMENT_PARAMETERS.update(
    {
        "cases.survey_start_days": Spec("count", "受理后开始入户调查的期限（工作日）"),
        "cases.total_days": Spec("count", "审核确认全过程期限（工作日）"),
        "cases.total_days_special": Spec("count", "情况特殊的审核确认全过程期限（工作日）"),
        "cases.refusal_notice_days": Spec("count", "不予保障的书面告知期限（工作日）"),
        "cases.publicity_days": Spec("count", "公示天数（自然日）"),
        "cases.township_confirms": Spec("bool", "审核确认权限是否下放至乡镇（街道）"),
        "cases.start_months_after": Spec("months", "审核确认后从第几个月起发放（1为次月）"),
        # 民主评议 between 入户调查 and 公示 where the county uses it; the county's spot-check
        # share of the cases its townships confirmed in a month (审批权限下放, docs/cases.md §11, §12).
        "cases.democratic_review": Spec("bool", "入户调查后是否组织民主评议"),
        "cases.spot_check_rate": Spec("ratio", "县级抽查乡镇审核确认案件的比例（0至1，如0.1为10%）"),
    }
)


# ---- 不相容岗位分离 (docs/payments.md) ------------------------------------------------------------
# Money needs a second person: who builds a payroll run does not check it, who checks it does
# not approve it. On by default; a county may switch it off (a one-person office) by parameter.
PAYMENT_PARAMETERS["duties.separate"] = Spec("bool", "资金业务经办与审核分离（生成人不能复核，复核人不能审批）")


def spec_for(name: str) -> Spec | None:
    """The Spec of a rule or payment parameter name, or None for an unknown name."""
    spec = PARAMETERS.get(name) or PAYMENT_PARAMETERS.get(name)
    code = name[len(FUND_SHARES) :] if name.startswith(FUND_SHARES) else ""
    if spec is None and code.isidentifier():
        spec = Spec("shares", f"资金分担比例：{FUND_LABELS.get(code, code)}")
    return spec


# ---- 走访关爱 (doudi/care, docs/care.md) ------------------------------------------------------
# Who is visited how often, by group and season (临民发【2024】22号: the heating season
# 11-20 … 03-15), and the deadline of a problem found on a visit. Not rule inputs, so kept
# with the payment parameters like the case clocks above.
ITEM_KINDS["care_group"] = (
    "dibao",
    "dibao_single",
    "tekun_dispersed",
    "dibao_edge",
    "low_income",
    "orphan",
    "unsupported_child",
    "elderly_alone",
    "elderly_empty_nest",
    "elderly_left_behind",
    "elderly_disabled",
    "elderly_severe_disability",
    "elderly_family_planning",
    "child_orphan",
    "child_unsupported",
    "child_left_behind",
    "child_other",
    "mental_disorder",
)
MONTH_DAYS = tuple(
    f"{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, (29 if m == 2 else 30 if m in (4, 6, 9, 11) else 31) + 1)
)
PAYMENT_PARAMETERS.update(
    {
        "care.heating_season.start": Spec("choice", "采暖季开始日（月-日）", choices=MONTH_DAYS),
        "care.heating_season.end": Spec("choice", "采暖季结束日（月-日，含当日）", choices=MONTH_DAYS),
        "care.duty.weekly_heating": Spec("list", "走访：采暖季内每周走访一次的对象", items="care_group"),
        "care.duty.weekly": Spec("list", "走访：全年每周走访一次的对象", items="care_group"),
        "care.duty.monthly": Spec("list", "走访：每月走访一次的对象（不在每周名单内时）", items="care_group"),
        "care.problem.deadline_days": Spec("count", "走访发现问题的办结期限（工作日）", high=60),
        "care.agreement.remind_days": Spec("count", "照料服务协议到期前提醒天数", high=180),
    }
)


# ---- 临时救助 (doudi/rules/temp_assist.py, doudi/cases; docs/rules.md §9) ----------------------
# Amounts as multiples of the monthly 低保 standard by tier, the two approval limits (乡镇 up to
# one, 县级 up to the other, 一事一议 above: 沁政办发〔2021〕7号 §六, 晋民发〔2022〕38号 §7), the
# same-cause window, 支出型 capacity, 先行救助 papers, the 未参保失业人员 one-off (晋民发〔2022〕38号
# §8) and a county's raised limit for hard-hit townships (渝民办〔2022〕220号 §二). Not rule inputs
# of the monthly assessment, so kept with the payment parameters.
class _TownshipLimits(_Words):
    """'乡镇代码:倍数' items: a 9-digit township code and the multiple of the monthly standard
    up to which that township approves while the value is in force."""

    def __contains__(self, item) -> bool:
        code, sep, number = item.partition(":") if isinstance(item, str) else ("", "", "")
        if not (sep and len(code) == 9 and code.isdigit()):
            return False
        try:
            return 0 < float(number) <= 100
        except ValueError:
            return False


ITEM_KINDS["township_limit"] = _TownshipLimits(("乡镇代码:倍数（如 140521100:6）",))
TEMP_ASSIST_BASES = ("rural", "urban")
PAYMENT_PARAMETERS.update(
    {
        "temp_assist.standard_basis": Spec(
            "choice", "临时救助：计算倍数所用的月标准（rural 农村低保标准，urban 城市低保标准）", choices=TEMP_ASSIST_BASES
        ),
        "temp_assist.tier.general": Spec("ratio", "临时救助：一般困难的救助上限（月标准的倍数）"),
        "temp_assist.tier.serious": Spec("ratio", "临时救助：较大困难的救助上限（月标准的倍数）"),
        "temp_assist.tier.major": Spec("ratio", "临时救助：重大困难的救助上限（月标准的倍数）"),
        "temp_assist.township_limit": Spec("ratio", "临时救助：乡镇（街道）审批额度（月标准的倍数，以上报县级审批）"),
        "temp_assist.county_limit": Spec("ratio", "临时救助：县级审批额度（月标准的倍数，以上须“一事一议”）"),
        "temp_assist.township_limit_raised": Spec(
            "list", "临时救助：县级提高审批额度的乡镇（乡镇代码:倍数，在生效期间内）", items="township_limit"
        ),
        "temp_assist.same_cause_months": Spec("months", "临时救助：同一事由不重复救助的期间（月）", high=60),
        "temp_assist.expense_share": Spec("ratio", "临时救助：支出型——刚性支出达到家庭近12个月收入的比例即超出承受能力"),
        "temp_assist.advance_papers_days": Spec("count", "临时救助：先行救助后补齐材料的期限（工作日）", high=60),
        "temp_assist.unemployed.multiple": Spec("ratio", "临时救助：未参保失业人员一次性救助金（农村低保月标准的倍数，不低于1）"),
        "temp_assist.unemployed.months": Spec("months", "临时救助：未参保失业人员连续无收入的月数", high=24),
    }
)
PARAMETERS.update(
    {
        "compare.missed_unemployed.months": _p(
            "months", "比对：失业登记满此月数、未参加失业保险、未纳入低保的人员预警（未参保失业人员）"
        ),
    }
)


# ---- 救助服务 (doudi/services, docs/services.md) ------------------------------------------------
# Hotline work orders (社会救助服务热线, 12345): the response and closure deadlines, counted on the
# working-day calendar (core.workdays; a working day counts as hotline.workday_hours hours).
# Not rule inputs, so kept with the payment parameters like the case clocks.
PAYMENT_PARAMETERS.update(
    {
        "hotline.response_hours": Spec("count", "热线工单答复期限（工作小时）", high=240),
        "hotline.close_days": Spec("count", "热线工单办结期限（工作日）", high=60),
        "hotline.workday_hours": Spec("count", "热线期限折算：每个工作日计几个工作小时", high=24),
    }
)


# Street rescue (流浪乞讨人员, docs/services.md): during a cold-weather period (寒潮、低温、冰冻雨雪)
# patrols are stepped up, at night too (沁政办发〔2021〕7号 二; 临民发【2024】22号（八）); a township
# with fewer patrols in a week of such a period is warned. Not rule inputs: kept with the payment parameters.
PAYMENT_PARAMETERS.update(
    {
        "rescue.cold_patrols_per_week": Spec("count", "恶劣天气时段每周街面巡查不少于（次）", high=50),
        "rescue.cold_night_patrols_per_week": Spec("count", "恶劣天气时段每周夜间巡查不少于（次）", high=50),
    }
)


# Disaster relief (冬春救助, 受灾群众, docs/services.md): the rent aid during rebuilding per household
# and month (过渡期房屋租住补助), how often a household not yet back home is visited, and the fund a
# relief run pays from by default. Not rule inputs: kept with the payment parameters.
PAYMENT_PARAMETERS.update(
    {
        "relief.rent_monthly": Spec("yuan", "过渡期房屋租住补助（元/户·月）"),
        "relief.visit_days": Spec("count", "在外安置受灾户走访间隔（天），超过即为逾期", high=365),
        "fund.relief": Spec("fund", "资金来源：冬春救助和受灾群众救助"),
    }
)


# ---- 在保对象的定期核查、渐退 (doudi/cases/lifecycle.py, docs/cases.md §8) --------------------------
# Reviews by class: every cases.review.months, or every cases.review.months_irregular for a
# household with irregular income and a member able to work (民发〔2021〕57号); 渐退 keeps the
# benefit for cases.taper.months months before it ends. Not rule inputs, so kept with the case clocks.
PAYMENT_PARAMETERS.update(
    {
        "cases.review.categories": Spec("list", "定期核查的保障类别", items="category"),
        "cases.review.months": Spec("months", "定期核查周期（月）：一般在保家庭", high=36),
        "cases.review.months_irregular": Spec("months", "定期核查周期（月）：收入来源不固定且有劳动能力成员的家庭", high=36),
        "cases.taper.months": Spec("months", "渐退期（月）：收入超过标准后继续发放的月数", high=24),
    }
)


# ---- 报表与督导的到期提醒 (doudi/reports/reminders.py, docs/reports.md 第十节) -------------------------
# How many working days before a report's due date, a supervision finding's or a task's deadline
# the responsible users are reminded (home to-do and an in-app notification, once a day).
PAYMENT_PARAMETERS.update(
    {
        "reports.remind_days": Spec("count", "报表应报日期、督导整改和督办任务期限前提醒的工作日数", high=30),
    }
)
