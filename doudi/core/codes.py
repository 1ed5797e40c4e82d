"""Stable codes of docs/interfaces.md §2 with their Chinese labels. Framework-free: the rules package,
the importer, the screens and the exports all read these tables."""

import unicodedata

CATEGORIES = {
    "dibao": "城乡最低生活保障",
    "dibao_single": "单人保",
    "dibao_edge": "低保边缘家庭",
    "tekun": "特困人员救助供养",
    "orphan": "孤儿",
    "unsupported_child": "事实无人抚养儿童",
    "disability_living": "困难残疾人生活补贴",
    "disability_care": "重度残疾人护理补贴",
    "elderly_age": "高龄津贴",
    "elderly_care": "经济困难失能老年人补贴",
    "low_income": "低收入人口",
    "temp_assist": "临时救助",
    "price_subsidy": "价格临时补贴",
}
# Short names used on screens and in the 保障 sheet; both forms are accepted on import.
CATEGORY_SHORT = {
    "dibao": "低保",
    "dibao_single": "单人保",
    "dibao_edge": "低保边缘",
    "tekun": "特困",
    "orphan": "孤儿",
    "unsupported_child": "事实无人抚养儿童",
    "disability_living": "困难残疾人生活补贴",
    "disability_care": "重度残疾人护理补贴",
    "elderly_age": "高龄津贴",
    "elderly_care": "失能老年人补贴",
    "low_income": "低收入人口",
    "temp_assist": "临时救助",
    "price_subsidy": "价格临时补贴",
}
HOUSEHOLD_CATEGORIES = frozenset({"dibao", "dibao_edge", "low_income", "temp_assist"})
# Decided for the household and counted by person (docs/interfaces.md §2): a register holds one row per
# member, or one household row (empty ID number) meaning every member.
PER_PERSON_OR_HOUSEHOLD = frozenset({"low_income"})

DISABILITY_KINDS = {
    "visual": "视力",
    "hearing": "听力",
    "speech": "言语",
    "limb": "肢体",
    "intellectual": "智力",
    "mental": "精神",
    "multiple": "多重",
}
DISABILITY_LEVELS = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
SELF_CARE = {"full": "全自理", "partial": "半失能", "none": "全失能"}
RELATIONS = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "grandchild": "孙子女",
    "grandparent": "祖父母",
    "sibling": "兄弟姐妹",
    "other": "其他",
}
HUKOU = {"urban": "城镇", "rural": "农村"}
SUPPORT_MODES = {"dispersed": "分散", "centralized": "集中"}
SCHOOL_STAGES = {
    "preschool": "学前",
    "primary": "小学",
    "junior": "初中",
    "senior": "高中",
    "vocational": "中职",
    "college": "大专",
    "university": "本科及以上",
}


# Special groups of docs/domain.md §8, optional 成员 columns of docs/interfaces.md §4 (several per cell).
SPECIAL_ELDERLY = {
    "alone": "独居",
    "empty_nest": "空巢",
    "left_behind": "留守",
    "disabled": "失能",
    "severe_disability": "重残",
    "family_planning": "计生特殊",
}
DIFFICULT_CHILDREN = {"orphan": "孤儿", "unsupported_child": "事实无人抚养儿童", "left_behind_child": "留守儿童", "other": "其他"}

# Other words registers use for the same code: the 户口簿's relations, the 残疾人证's
# "肢体残疾", the 特困 assessment form's self-care wording, "农村低保". Accepted on import
# beside the code and the label (`parse`); the label above is what is shown.
CATEGORY_WORDS = {
    "城乡低保": "dibao",
    "城市低保": "dibao",
    "农村低保": "dibao",
    "最低生活保障": "dibao",
    "低保户": "dibao",
    "单独纳入低保": "dibao_single",
    "特困人员": "tekun",
    "特困供养": "tekun",
    "特困供养人员": "tekun",
    "低收入": "low_income",
    "低收入家庭": "low_income",
    "经济困难失能老年人补贴": "elderly_care",
}
DISABILITY_KIND_WORDS = {f"{label}残疾": code for code, label in DISABILITY_KINDS.items()}
SELF_CARE_WORDS = {
    "自理": "full",
    "完全自理": "full",
    "生活自理": "full",
    "具备生活自理能力": "full",
    "部分自理": "partial",
    "部分失能": "partial",
    "部分丧失生活自理能力": "partial",
    "失能": "none",
    "完全失能": "none",
    "不能自理": "none",
    "完全丧失生活自理能力": "none",
}
RELATION_WORDS = {
    "本人": "head",
    "户主本人": "head",
    "妻": "spouse",
    "妻子": "spouse",
    "夫": "spouse",
    "丈夫": "spouse",
    "子": "child",
    "女": "child",
    "儿子": "child",
    "女儿": "child",
    "长子": "child",
    "次子": "child",
    "长女": "child",
    "次女": "child",
    "父": "parent",
    "母": "parent",
    "父亲": "parent",
    "母亲": "parent",
    "孙子": "grandchild",
    "孙女": "grandchild",
    "外孙子": "grandchild",
    "外孙女": "grandchild",
    "祖父": "grandparent",
    "祖母": "grandparent",
    "外祖父": "grandparent",
    "外祖母": "grandparent",
    "兄": "sibling",
    "弟": "sibling",
    "姐": "sibling",
    "妹": "sibling",
    "哥哥": "sibling",
    "弟弟": "sibling",
    "姐姐": "sibling",
    "妹妹": "sibling",
    "兄弟": "sibling",
    "姐妹": "sibling",
}
HUKOU_WORDS = {
    "城市": "urban",
    "城镇户口": "urban",
    "非农业": "urban",
    "非农业户口": "urban",
    "农村户口": "rural",
    "农业": "rural",
    "农业户口": "rural",
}
SUPPORT_MODE_WORDS = {"分散供养": "dispersed", "集中供养": "centralized"}
SCHOOL_STAGE_WORDS = {
    "幼儿园": "preschool",
    "学龄前": "preschool",
    "中专": "vocational",
    "职高": "vocational",
    "技校": "vocational",
    "高职": "college",
    "本科": "university",
    "研究生": "university",
}
_LEVEL_NUMERALS = {1: "一壹Ⅰ", 2: "二贰Ⅱ", 3: "三叁Ⅲ", 4: "四肆Ⅳ"}
DISABILITY_LEVEL_WORDS = {
    word: number
    for number, numerals in _LEVEL_NUMERALS.items()
    for numeral in (str(number), *(unicodedata.normalize("NFKC", n) for n in numerals))  # Ⅱ → II, as parsed
    for word in (numeral, f"{numeral}级", f"{numeral}级残疾")
}


def lookup(table: dict, text: str, *extra: dict) -> str | None:
    """The code whose code or Chinese label equals `text` (after trimming)."""
    value = str(text).strip()
    for candidates in (table, *extra):
        if value in candidates:
            return value
        for code, label in candidates.items():
            if label == value:
                return code
    return None


def parse(table: dict, text: str, words: dict | None = None) -> str | None:
    """The code a cell means: the code itself, its label, or one of `words`; full-width
    forms and spaces (２级, 肢体 残疾) do not matter."""
    value = "".join(unicodedata.normalize("NFKC", str(text)).split())
    return lookup(table, value) or (words or {}).get(value)


def disability_level(text: str) -> int | None:
    """1–4 from 2, 二级, 贰级, ２级, 二级残疾; None if it is none of these."""
    return DISABILITY_LEVEL_WORDS.get("".join(unicodedata.normalize("NFKC", str(text)).split()))
