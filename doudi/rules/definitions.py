"""The rules, once: named SQL expressions evaluated stage by stage (docs/domain.md §3).

Each field is (name, SQL expression, Chinese description). Household ('h'), member ('m')
and vehicle ('v') stages run in the order below; a member or vehicle field may read the
household's fields, a household field may aggregate child fields with SUM/COUNT/MAX over
`m.` or `v.` columns. `PARAM('name')` reads the dated parameter in force; `ROUND_MONEY(x)`
rounds by `rounding.mode`. The Python evaluator (expr.py) and the batch engine (SQLGlot →
DuckDB/Spark) both read exactly these strings.

Governing notices: 民发〔2021〕57号 (低保审核确认), 民发〔2021〕43号 (特困人员认定),
晋民发〔2022〕38号 (单人保 and 特困 disability lists, Shanxi), 渝民办〔2022〕220号 /
渝民〔2022〕239号 (渐退, 单人保, 就业成本扣减, 刚性支出扣减, Chongqing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from doudi.rules.reasons import REASONS


@dataclass
class Category:
    code: str
    grain: str  # 'h' household or 'm' member
    reasons: list[str]
    extras: dict[str, str] = field(default_factory=dict)  # output key → field name


STAGES: list[tuple[str, list[tuple[str, str, str]]]] = []
CATEGORIES: dict[str, Category] = {}


def category(code, grain, reasons, amount, candidate="TRUE", extras=None):
    """Fields for one category: candidate, one failure flag per reason, eligible, amount.
    Every category first fails where the region has switched it off (categories.disabled)."""
    fields = [(f"{code}_candidate", candidate, f"是否作为「{code}」的候选对象审查")]
    reasons = [("category_not_in_force", _has("categories.disabled", repr(code)))] + list(reasons)
    for reason, sql in reasons:
        fields.append((f"{code}_fail_{reason}", f"COALESCE({sql}, FALSE)", REASONS[reason][0]))
    fails = " OR ".join(f"{code}_fail_{r}" for r, _ in reasons) or "FALSE"
    fields.append((f"{code}_eligible", f"{code}_candidate AND NOT ({fails})", f"是否符合「{code}」"))
    fields.append((f"{code}_amount", f"ROUND_MONEY({amount})", f"「{code}」月保障金额（取整后）"))
    extras = extras or {}
    CATEGORIES[code] = Category(code, grain, [r for r, _ in reasons], extras)
    return fields


def _has(list_param: str, item: str) -> str:
    return f"COALESCE(ARRAY_CONTAINS(PARAM('{list_param}'), {item}), FALSE)"


def _exempt(component: str) -> str:
    return f"CASE WHEN {_has('income.exempt_components', repr(component))} THEN inc_{component} ELSE 0 END"


ASSET_REASONS = [
    ("financial_assets_above_limit", "assets_fail_financial"),
    ("vehicle_not_exempt", "assets_fail_vehicle"),
    ("property_above_limit", "assets_fail_property"),
    ("business_above_limit", "assets_fail_business"),
]
NO_MEMBERS = [
    ("tekun_takes_precedence", "dibao_members = 0 AND tekun_members > 0"),
    ("orphan_takes_precedence", "dibao_members = 0 AND tekun_members = 0"),
]

STAGES.append(
    (
        "h",
        [
            (
                "dibao_standard",
                "CASE WHEN hukou = 'urban' THEN PARAM('dibao.standard.urban') ELSE PARAM('dibao.standard.rural') END",
                "适用的低保标准（按户籍性质取城市或农村标准）",
            ),
        ],
    )
)

STAGES.append(
    (
        "v",
        [
            (
                "vehicle_countable",
                f"NOT {_has('assets.vehicle_exempt_kinds', 'vehicle_kind')} "
                "AND vehicle_value > PARAM('assets.vehicle_value_exempt_max')",
                "该机动车是否计入家庭财产",
            ),
        ],
    )
)

STAGES.append(
    (
        "m",
        [
            # Age on the first day of the assessed month, or on its last day (a birthday anywhere in
            # the month counts) where the region says so; parameters are always read on the first day.
            (
                "age",
                "month_year - birth_y - CASE WHEN birth_m > month_m OR (birth_m = month_m AND birth_d > 1 "
                "AND PARAM('age.reference_day') = 'first_day') THEN 1 ELSE 0 END",
                "周岁年龄（按评估月1日或月末计算，见 age.reference_day）",
            ),
            (
                "disability_code",
                "CASE WHEN dis_kind IS NULL THEN NULL ELSE dis_kind || ':' || CAST(dis_level AS VARCHAR) END",
                "残疾类别:等级",
            ),
            ("income_gross", "inc_wage + inc_business + inc_property + inc_transfer + inc_exempt", "月收入合计（扣减前）"),
            (
                "income_exempted",
                " + ".join(_exempt(c) for c in ("wage", "business", "property", "transfer", "exempt")),
                "不计入家庭收入的部分",
            ),
            (
                "employment_deduction",
                "CASE WHEN PARAM('income.employment_deduction.enabled') AND employed "
                f"AND NOT {_has('income.exempt_components', chr(39) + 'wage' + chr(39))} THEN "
                "CASE WHEN PARAM('income.employment_deduction.cap') > 0 "
                "THEN LEAST(inc_wage * PARAM('income.employment_deduction.ratio'), PARAM('income.employment_deduction.cap')) "
                "ELSE inc_wage * PARAM('income.employment_deduction.ratio') END ELSE 0 END",
                "就业成本扣减（就业成员工资性收入 × 比例，不超过上限）",
            ),
            ("income_counted", "GREATEST(income_gross - income_exempted - employment_deduction, 0)", "计入家庭收入的月收入"),
            (
                "own_income",
                "CASE WHEN PARAM('income.employment_deduction.scope') = 'household_only' "
                "THEN GREATEST(income_gross - income_exempted, 0) ELSE income_counted END",
                "本人月收入（特困、单人保审查用；是否扣减就业成本见 income.employment_deduction.scope）",
            ),
            (
                "no_labour_capacity",
                "age >= PARAM('tekun.elderly_age') OR age < PARAM('tekun.minor_age') OR "
                + _has("tekun.disability_list", "disability_code"),
                "无劳动能力（年龄或残疾类别等级）",
            ),
            *category(
                "orphan",
                "m",
                [("age_above_child_limit", "age >= PARAM('child.max_age')")],
                "CASE WHEN support_mode = 'centralized' THEN PARAM('orphan.centralized') ELSE PARAM('orphan.dispersed') END",
                candidate="orphan",
                extras={"mode": "support_mode"},
            ),
            *category(
                "unsupported_child",
                "m",
                [
                    ("orphan_takes_precedence", "orphan_eligible"),
                    ("age_above_child_limit", "age >= PARAM('child.max_age')"),
                ],
                "PARAM('orphan.dispersed')",
                candidate="unsupported_child",
            ),
            *category(
                "tekun",
                "m",
                [
                    ("has_labour_capacity", "NOT no_labour_capacity"),
                    ("has_income_source", "own_income >= dibao_standard"),
                    ("has_capable_supporter", "capable_supporter"),
                    ("orphan_takes_precedence", "orphan_eligible OR unsupported_child_eligible"),
                ],
                "dibao_standard * PARAM('tekun.basic_ratio') + CASE WHEN self_care = 'none' THEN PARAM('tekun.care.none') "
                "WHEN self_care = 'partial' THEN PARAM('tekun.care.partial') ELSE PARAM('tekun.care.full') END",
                candidate="no_labour_capacity OR held_tekun",
                extras={"mode": "support_mode"},
            ),
            (
                "excluded_from_dibao",
                f"(tekun_eligible AND {_has('overlap.tekun_excludes', repr('dibao'))}) OR "
                f"(orphan_eligible AND {_has('overlap.orphan_excludes', repr('dibao'))})",
                "是否因特困/孤儿身份不计入低保家庭",
            ),
            (
                "dibao_increment",
                "CASE WHEN excluded_from_dibao THEN 0 ELSE "
                f"CASE WHEN {_has('dibao.increment.disability_list', 'disability_code')} "
                "THEN PARAM('dibao.increment.severe_disability') ELSE 0 END + "
                "CASE WHEN age >= PARAM('dibao.increment.elderly_age') THEN PARAM('dibao.increment.elderly') ELSE 0 END + "
                "CASE WHEN age < PARAM('dibao.increment.minor_age') THEN PARAM('dibao.increment.minor') ELSE 0 END END",
                "分类施保加发（重度残疾、老年人、未成年人，可叠加）",
            ),
            (
                "single_qualifies",
                f"{_has('dibao_single.disability_list', 'disability_code')} OR "
                "(serious_illness AND PARAM('dibao_single.serious_illness'))",
                "是否属于单人保对象（残疾类别等级或重病）",
            ),
        ],
    )
)

STAGES.append(
    (
        "h",
        [
            ("members_total", "COUNT(m.person)", "家庭成员人数"),
            ("dibao_members", "SUM(CASE WHEN m.excluded_from_dibao THEN 0 ELSE 1 END)", "计入低保的家庭成员人数"),
            ("tekun_members", "SUM(CASE WHEN m.tekun_eligible THEN 1 ELSE 0 END)", "本户特困人员人数"),
            (
                "income_members",
                "SUM(CASE WHEN m.excluded_from_dibao THEN 0 ELSE m.income_counted END)",
                "计入低保成员的月收入合计",
            ),
            ("income_all", "SUM(m.income_counted)", "全部成员月收入合计"),
            ("increments_total", "SUM(m.dibao_increment)", "分类施保加发合计"),
            ("vehicles_countable", "COALESCE(SUM(CASE WHEN v.vehicle_countable THEN 1 ELSE 0 END), 0)", "计入财产的机动车数量"),
            (
                "rigid_expenses",
                f"CASE WHEN {_has('income.rigid_deduction.kinds', repr('medical'))} THEN exp_medical ELSE 0 END + "
                f"CASE WHEN {_has('income.rigid_deduction.kinds', repr('education'))} THEN exp_education ELSE 0 END",
                "近12月可扣减的刚性支出",
            ),
            (
                "rigid_deduction",
                "CASE WHEN PARAM('income.rigid_deduction.enabled') THEN CASE WHEN "
                "PARAM('income.rigid_deduction.cap') > 0 THEN LEAST(ROUND(rigid_expenses / 12, 2), PARAM('income.rigid_deduction.cap')) "
                "ELSE ROUND(rigid_expenses / 12, 2) END ELSE 0 END",
                "刚性支出扣减（近12月支出 ÷ 12，不超过上限）",
            ),
            ("dibao_income", "GREATEST(income_members - rigid_deduction, 0)", "低保家庭月收入（扣减后）"),
            ("dibao_line", "dibao_standard * dibao_members", "低保标准 × 计入人数"),
            ("edge_line", "dibao_line * PARAM('dibao_edge.ratio')", "低保边缘认定线（低保标准 × 计入人数 × 倍数）"),
            (
                "per_capita_income",
                "CASE WHEN dibao_members > 0 THEN ROUND(dibao_income / dibao_members, 2) "
                "ELSE ROUND(income_all / members_total, 2) END",
                "家庭月人均收入",
            ),
            (
                "assets_fail_financial",
                "fin_assets > dibao_standard * PARAM('assets.financial_months') * members_total",
                "人均金融资产超过低保标准的规定月数",
            ),
            ("assets_fail_vehicle", "vehicles_countable > 0", "拥有不予豁免的机动车"),
            ("assets_fail_property", "properties > PARAM('assets.property_max')", "房产超过规定套数"),
            ("assets_fail_business", "businesses > PARAM('assets.business_max')", "拥有市场主体超过规定数量"),
            (
                "assets_ok",
                "NOT (assets_fail_financial OR assets_fail_vehicle OR assets_fail_property OR assets_fail_business)",
                "财产状况符合规定",
            ),
            ("income_below_line", "dibao_members > 0 AND dibao_income < dibao_line", "人均收入低于低保标准"),
            ("taper_elapsed", "month_index - COALESCE(taper_start_index, month_index)", "已处于渐退期的月数"),
            (
                "taper_active",
                "held_dibao AND assets_ok AND dibao_members > 0 AND NOT income_below_line "
                "AND taper_elapsed < PARAM('dibao.taper.months')",
                "收入超过标准但仍在渐退期内",
            ),
            *category(
                "dibao",
                "h",
                NO_MEMBERS
                + [
                    ("income_above_standard", "dibao_members > 0 AND NOT income_below_line AND NOT taper_active"),
                    (
                        "taper_ended",
                        "held_dibao AND dibao_members > 0 AND NOT income_below_line AND NOT taper_active "
                        "AND assets_ok AND PARAM('dibao.taper.months') > 0",
                    ),
                ]
                + ASSET_REASONS,
                "CASE WHEN taper_active THEN held_dibao_amount ELSE dibao_line - dibao_income + increments_total END",
                extras={"members": "dibao_members", "taper_month": "taper_month", "taper_months": "taper_months"},
            ),
            ("taper_month", "CASE WHEN taper_active THEN taper_elapsed + 1 ELSE NULL END", "渐退第几个月"),
            ("taper_months", "CASE WHEN taper_active THEN PARAM('dibao.taper.months') ELSE NULL END", "渐退期月数"),
            *category(
                "dibao_edge",
                "h",
                NO_MEMBERS
                + [
                    ("eligible_for_dibao", "dibao_eligible"),
                    ("income_above_edge_line", "dibao_members > 0 AND NOT dibao_eligible AND dibao_income >= edge_line"),
                ]
                + ASSET_REASONS,
                "0",
            ),
            (
                "rigid_hardship",
                "exp_medical + exp_education > 0 AND "
                "exp_medical + exp_education >= PARAM('low_income.rigid_share') * 12 * income_all",
                "刚性支出困难",
            ),
            *category(
                "low_income",
                "h",
                NO_MEMBERS
                + [
                    ("eligible_for_dibao", "dibao_eligible"),
                    ("eligible_for_dibao_edge", "dibao_edge_eligible"),
                    # Only the first applicable reason family is listed: covered by dibao/edge says it all.
                    (
                        "income_above_low_income_line",
                        "dibao_members > 0 AND NOT dibao_eligible AND NOT dibao_edge_eligible "
                        "AND dibao_income >= dibao_line * PARAM('low_income.ratio')",
                    ),
                    (
                        "no_low_income_marker",
                        "dibao_members > 0 AND NOT dibao_eligible AND NOT dibao_edge_eligible "
                        "AND NOT (poverty_monitoring OR poverty_alleviated OR rigid_hardship)",
                    ),
                ],
                "0",
            ),
        ],
    )
)

_COVERED = "(in_assistance OR (PARAM('{p}') AND dibao_edge_eligible))"


def _excluded_by(cat: str) -> list[tuple[str, str]]:
    return [
        ("tekun_takes_precedence", f"tekun_eligible AND {_has('overlap.tekun_excludes', repr(cat))}"),
        ("orphan_takes_precedence", f"orphan_eligible AND {_has('overlap.orphan_excludes', repr(cat))}"),
    ]


STAGES.append(
    (
        "m",
        [
            *category(
                "dibao_single",
                "m",
                [
                    ("household_eligible_for_dibao", "dibao_eligible"),
                    ("household_not_edge", "NOT dibao_eligible AND NOT dibao_edge_eligible"),
                    ("single_income_not_below_standard", "own_income >= dibao_standard"),
                ],
                "dibao_standard - own_income + dibao_increment",
                candidate="single_qualifies AND NOT excluded_from_dibao",
            ),
            (
                "in_assistance",
                "(dibao_eligible AND NOT excluded_from_dibao) OR dibao_single_eligible OR tekun_eligible",
                "本人是否为低保（含单人保）或特困对象",
            ),
            *category(
                "disability_living",
                "m",
                _excluded_by("disability_living")
                + [
                    (
                        "single_not_covered",
                        "dibao_single_eligible AND NOT PARAM('disability_living.include_single') "
                        "AND NOT (PARAM('disability_living.include_edge') AND dibao_edge_eligible)",
                    ),
                    ("household_not_covered", "NOT " + _COVERED.format(p="disability_living.include_edge")),
                ],
                "PARAM('disability_living.amount')",
                candidate="disability_code IS NOT NULL",
            ),
            *category(
                "disability_care",
                "m",
                _excluded_by("disability_care")
                + [
                    ("disability_level_not_covered", f"NOT {_has('disability_care.disability_list', 'disability_code')}"),
                ],
                "PARAM('disability_care.amount')",
                candidate="disability_code IS NOT NULL",
            ),
            *category(
                "elderly_age",
                "m",
                _excluded_by("elderly_age"),
                "CASE WHEN age >= PARAM('elderly_age.tier3_age') THEN PARAM('elderly_age.tier3_amount') "
                "WHEN age >= PARAM('elderly_age.tier2_age') THEN PARAM('elderly_age.tier2_amount') "
                "ELSE PARAM('elderly_age.tier1_amount') END",
                candidate="age >= PARAM('elderly_age.tier1_age')",
            ),
            *category(
                "elderly_care",
                "m",
                _excluded_by("elderly_care")
                + [
                    ("household_not_covered", "NOT " + _COVERED.format(p="elderly_care.include_edge")),
                ],
                "CASE WHEN self_care = 'none' THEN PARAM('elderly_care.none') ELSE PARAM('elderly_care.partial') END",
                candidate="age >= PARAM('elderly_care.min_age') AND self_care IN ('partial', 'none')",
            ),
        ],
    )
)
