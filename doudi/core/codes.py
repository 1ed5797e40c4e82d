"""Stable codes of SPEC §2 with their Chinese labels. Framework-free: the rules package,
the importer, the screens and the exports all read these tables."""

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
