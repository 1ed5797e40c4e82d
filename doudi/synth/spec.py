"""The docs/interfaces.md §4 registry import headers, in file order. They are a contract with county
staff and outside tools, so they are spelled out here literally (not derived from the
importer) and a test checks the importer agrees."""

HOUSEHOLD_HEADERS = (
    "户编号",
    "行政区划代码",
    "户籍性质(城镇/农村)",
    "详细地址",
    "金融资产",
    "机动车数量",
    "机动车价值",
    "房产套数",
    "市场主体数量",
    "近12月医疗自付",
    "近12月教育支出",
)
MEMBER_HEADERS = (
    "户编号",
    "姓名",
    "身份证号",
    "与户主关系",
    "残疾类别",
    "残疾等级",
    "是否重病",
    "自理能力",
    "是否就业",
    "在校阶段",
    "月工资性收入",
    "月经营净收入",
    "月财产性收入",
    "月转移性收入",
    "月豁免收入",
    "有履行能力的法定义务人(是/否)",
    "联系电话",
    "开户银行",
    "银行账号",
)
BENEFIT_HEADERS = (
    "户编号",
    "身份证号(个人类别填写)",
    "保障类别",
    "开始日期",
    "月保障金额",
    "供养方式(分散/集中)",
    "供养机构",
)
SHEETS = {"家庭": HOUSEHOLD_HEADERS, "成员": MEMBER_HEADERS, "保障": BENEFIT_HEADERS}

# Columns holding money: written as exact decimals, numbers in Excel.
MONEY_HEADERS = frozenset(
    {
        "金融资产",
        "机动车价值",
        "近12月医疗自付",
        "近12月教育支出",
        "月工资性收入",
        "月经营净收入",
        "月财产性收入",
        "月转移性收入",
        "月豁免收入",
        "月保障金额",
    }
)
COUNT_HEADERS = frozenset({"机动车数量", "房产套数", "市场主体数量"})
