"""Special groups (特殊群体) and the groups a visit duty is written for.

临民发【2024】22号 (seed 004) (一)(四)(五) and its 附件1 name the people to visit: 低保, 特困,
特殊困难老年人 (独居、空巢、留守、失能、重残、计划生育特殊家庭), 困境儿童 (孤儿、事实无人抚养
儿童), other hardship; 武政办发电〔2021〕10号 adds 农村留守儿童 and 精神障碍患者. Codes are
English (glossary), labels Chinese. Framework-free."""

from __future__ import annotations

ELDERLY = {
    "elderly_alone": "独居老年人",
    "elderly_empty_nest": "空巢老年人",
    "elderly_left_behind": "留守老年人",
    "elderly_disabled": "失能老年人",
    "elderly_severe_disability": "重残老年人",
    "elderly_family_planning": "计划生育特殊家庭老年人",
}
CHILDREN = {
    "child_orphan": "孤儿",
    "child_unsupported": "事实无人抚养儿童",
    "child_left_behind": "农村留守儿童",
    "child_other": "其他困境儿童",
}
OTHER = {"mental_disorder": "精神障碍患者"}
# Flags set on a person by hand (or accepted from a suggestion).
SPECIAL = {**ELDERLY, **CHILDREN, **OTHER}
FAMILIES = (("特殊困难老年人", ELDERLY), ("困境儿童", CHILDREN), ("其他", OTHER))

# Groups that come from the register's benefits (who holds what now).
REGISTERED = {
    "dibao": "低保对象",
    "dibao_single": "单人保对象",
    "tekun_dispersed": "分散供养特困人员",
    "dibao_edge": "低保边缘家庭",
    "low_income": "低收入人口（监测对象等）",
    "orphan": "孤儿（领取基本生活费）",
    "unsupported_child": "事实无人抚养儿童（领取基本生活费）",
}
# Every group a visit-duty parameter may name (rules/schema.py item kind care_group).
DUTY_GROUPS = {**REGISTERED, **SPECIAL}

# Household categories: the duty falls on the household head (the one visited for the household).
HOUSEHOLD_BENEFITS = ("dibao", "dibao_edge", "low_income")

# 附件1 人员类别: the five ticks of the paper form, and which groups tick each.
FORM_CATEGORIES = {
    "dibao": "低保",
    "tekun": "特困",
    "elderly": "特殊困难老年人",
    "child": "困境儿童",
    "other": "其他困难群众",
}
_TICKS = {
    "dibao": "dibao",
    "dibao_single": "dibao",
    "tekun_dispersed": "tekun",
    "dibao_edge": "other",
    "low_income": "other",
    "orphan": "child",
    "unsupported_child": "child",
    "mental_disorder": "other",
    **{code: "elderly" for code in ELDERLY},
    **{code: "child" for code in CHILDREN},
}
HEALTH = {"healthy": "健康", "disabled": "残疾", "serious_illness": "大病", "chronic": "慢性病"}

# The four checks of 附件1 (走访排查情况), and the answer that needs action: question 2 asks
# whether the family keeps its support duty, so there "否" is the problem.
QUESTIONS = {
    1: "衣食住行医是否存在困难",
    2: "与困难群众分开居住的家庭成员是否履行赡养扶养义务，经常看望或者问候",
    3: "困难群众家中房屋和水电气暖设施设备是否存在积雪、覆冰、烟囱堵塞等安全隐患",
    4: "困难群众是否有生活照料、康复护理、精神慰藉、居家适老化改造等服务需求",
}
SHORT_QUESTIONS = {1: "生活困难", 2: "家庭成员未尽赡养扶养义务", 3: "房屋和水电气暖安全隐患", 4: "服务需求"}
ACTION_ANSWER = {1: True, 2: False, 3: True, 4: True}


def form_ticks(groups) -> list[str]:
    """The 附件1 category ticks implied by a person's groups, in the form's order."""
    ticked = {_TICKS[g] for g in groups if g in _TICKS}
    return [code for code in FORM_CATEGORIES if code in ticked]


def label(code: str) -> str:
    return DUTY_GROUPS.get(code, code)
