"""The comparison rules of SPEC §6 (数据比对), each written once as DuckDB-dialect SQL.

Every rule reads the tables described in `doudi/monitoring/inputs.py` (registry snapshot,
department datasets with the linked registry person, per-county parameters) and returns
one row per piece of evidence: `person_id, household_id, level` plus the rule's evidence
and fact columns. The runner (`runner.py`) groups rows per person into one warning. The
same text runs on DuckDB and, transpiled by SQLGlot in doudi.batch, on Spark (DESIGN §1.1,
§1.3). Thresholds, exemptions and levels are the dated `compare.*` parameters
(doudi/rules/schema.py), never numbers in this file.

Governing notices: 沁政办发〔2021〕7号 (部门数据比对，主动发现)，武政办发电〔2021〕10号
(动态管理监测预警，低收入人口信息库)，晋民发〔2022〕38号 (低收入人口数据库和比对，
整治“人情保”“关系保”)，渝民办〔2022〕220号 (主动发现，监测预警)，民发〔2021〕57号
(低保家庭经济状况：财产和收入)。
"""
from __future__ import annotations

from dataclasses import dataclass

LEVELS = {"red": "红色", "orange": "橙色", "yellow": "黄色"}
LEVEL_ORDER = ("yellow", "orange", "red")  # ascending severity


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    description: str
    refs: tuple[str, ...]
    parameters: tuple[str, ...]
    ctes: tuple[str, ...]
    select: str
    evidence: tuple[str, ...]  # per evidence row; changes here bring a dismissed warning back
    facts: tuple[str, ...] = ()  # per person; shown, never part of the fingerprint
    datasets: tuple[str, ...] = ()
    single: bool = False  # at most one row per person: detail is flat, not a list of items


# Shared tables, computed once per run before the rules. `recipients`: one row per person
# and benefit in force on the as-of date (a household benefit counts for every member, with
# the member's share of the amount).
COMMON_TABLES = {
    "recipients": """SELECT p.person_id, p.household_id, p.county, b.category, b.since, b.share
  FROM benefits b JOIN persons p ON p.person_id = b.person_id
  UNION ALL
  SELECT p.person_id, p.household_id, p.county, b.category, b.since, b.share
  FROM benefits b JOIN persons p ON p.household_id = b.household_id
  WHERE b.person_id IS NULL""",
    "paid_persons": """SELECT DISTINCT r.person_id, r.household_id, r.county FROM recipients r
  JOIN param_items pi ON pi.county = r.county AND pi.name = 'paid' AND pi.item = r.category""",
    "means_persons": """SELECT DISTINCT r.person_id FROM recipients r
  JOIN param_items pi ON pi.county = r.county AND pi.name = 'means_tested' AND pi.item = r.category""",
    "means_households": """SELECT DISTINCT r.household_id FROM recipients r
  JOIN param_items pi ON pi.county = r.county AND pi.name = 'means_tested' AND pi.item = r.category""",
}

_VEHICLE_KIND = """CASE WHEN vehicle_type LIKE '%残疾%' THEN 'disability_vehicle'
       WHEN vehicle_type LIKE '%摩托%' THEN 'motorcycle'
       WHEN vehicle_type LIKE '%拖拉机%' OR vehicle_type LIKE '%农用%' THEN 'farm_machine'
       WHEN vehicle_type LIKE '%三轮%' THEN 'tricycle'
       WHEN vehicle_type LIKE '%货%' THEN 'truck' ELSE 'car' END"""

DECEASED = Rule(
    "deceased", "死亡人员仍在享受待遇",
    "公安、卫健、殡葬部门记录已死亡的人员，比对日仍在享受有资金发放的保障类别；"
    "计算死亡次月起至比对月多发的月数和金额（户类别按人均份额计）。依据沁政办发〔2021〕7号、晋民发〔2022〕38号。",
    ("沁政办发〔2021〕7号", "晋民发〔2022〕38号"), ("compare.paid_categories",),
    (
        """death AS (SELECT person_id, MIN(death_date) AS death_date FROM ds_death
  WHERE person_id IS NOT NULL AND death_date <= DATE '{as_of}' GROUP BY person_id)""",
        """held AS (SELECT r.person_id, r.household_id, d.death_date, r.share,
  {as_of_month} - GREATEST(YEAR(d.death_date) * 12 + MONTH(d.death_date), YEAR(r.since) * 12 + MONTH(r.since) - 1) AS months
  FROM recipients r JOIN death d ON d.person_id = r.person_id
  JOIN param_items pi ON pi.county = r.county AND pi.name = 'paid' AND pi.item = r.category)""",
    ),
    """SELECT person_id, MIN(household_id) AS household_id, 'red' AS level, MIN(death_date) AS death_date,
  MAX(months) AS months_overpaid, SUM(share * months) AS overpaid_amount
FROM held GROUP BY person_id""",
    ("death_date",), ("months_overpaid", "overpaid_amount"), ("death",), single=True,
)

VEHICLE = Rule(
    "vehicle", "家庭拥有非豁免机动车",
    "经济状况核对类别的家庭成员在公安交管部门登记有机动车，且车辆类型不在豁免范围（摩托车、残疾人专用车、农用机械等按参数豁免）；"
    "非豁免车辆达到参数数量为红色。依据民发〔2021〕57号、沁政办发〔2021〕7号。",
    ("民发〔2021〕57号", "沁政办发〔2021〕7号"),
    ("compare.means_tested_categories", "assets.vehicle_exempt_kinds", "compare.vehicle.red_count"),
    (
        f"""v AS (SELECT DISTINCT person_id, plate, vehicle_type, registered, {_VEHICLE_KIND} AS kind FROM ds_vehicle
  WHERE person_id IS NOT NULL AND (registered IS NULL OR registered <= DATE '{{as_of}}'))""",
        """owned AS (SELECT p.person_id, p.household_id, p.county, v.plate, v.vehicle_type, v.registered
  FROM v JOIN persons p ON p.person_id = v.person_id JOIN means_households m ON m.household_id = p.household_id
  LEFT JOIN param_items ex ON ex.county = p.county AND ex.name = 'vehicle_exempt' AND ex.item = v.kind
  WHERE ex.item IS NULL)""",
        """counted AS (SELECT household_id, COUNT(DISTINCT plate) AS n FROM owned GROUP BY household_id)""",
    ),
    """SELECT o.person_id, o.household_id, CASE WHEN c.n >= pr.vehicle_red_count THEN 'red' ELSE 'orange' END AS level,
  o.plate, o.vehicle_type, o.registered, c.n AS household_vehicles
FROM owned o JOIN counted c ON c.household_id = o.household_id JOIN params pr ON pr.county = o.county""",
    ("plate", "vehicle_type"), ("household_vehicles",), ("vehicle",),
)

BUSINESS = Rule(
    "business", "家庭成员经营或持有存续市场主体",
    "经济状况核对类别的家庭成员在市场监管部门登记为存续市场主体的法定代表人、股东或经营者，数量超过允许数；"
    "注册资本不超过豁免额的不预警，达到红色门槛为红色。依据民发〔2021〕57号、晋民发〔2022〕38号。",
    ("民发〔2021〕57号", "晋民发〔2022〕38号"),
    ("compare.means_tested_categories", "assets.business_max", "compare.business.capital_exempt_max",
     "compare.business.red_capital"),
    (
        """b AS (SELECT DISTINCT person_id, entity_name, role, capital, founded FROM ds_business
  WHERE person_id IS NOT NULL AND (founded IS NULL OR founded <= DATE '{as_of}')
  AND status IN ('存续', '在业', '开业', '正常', '在营'))""",
        """held AS (SELECT p.person_id, p.household_id, p.county, b.entity_name, b.role, b.capital, b.founded
  FROM b JOIN persons p ON p.person_id = b.person_id JOIN means_households m ON m.household_id = p.household_id
  JOIN params pr ON pr.county = p.county
  WHERE b.capital IS NULL OR pr.business_capital_exempt_max = 0 OR b.capital > pr.business_capital_exempt_max)""",
        """counted AS (SELECT household_id, COUNT(DISTINCT entity_name) AS n FROM held GROUP BY household_id)""",
    ),
    """SELECT h.person_id, h.household_id,
  CASE WHEN h.capital >= pr.business_red_capital THEN 'red' ELSE 'orange' END AS level,
  h.entity_name, h.role, h.capital, h.founded, c.n AS household_businesses
FROM held h JOIN counted c ON c.household_id = h.household_id JOIN params pr ON pr.county = h.county
WHERE c.n > pr.business_max""",
    ("entity_name", "role"), ("household_businesses",), ("business",),
)

PUBLIC_EMPLOYEE = Rule(
    "public_employee", "家庭成员为财政供养人员",
    "经济状况核对类别的家庭成员在财政供养人员名单中（机关事业单位在编在岗）。依据民发〔2021〕57号、晋民发〔2022〕38号。",
    ("民发〔2021〕57号", "晋民发〔2022〕38号"), ("compare.means_tested_categories",),
    (),
    """SELECT DISTINCT p.person_id, p.household_id, 'red' AS level, e.employer, e.hired
FROM ds_public_employee e JOIN persons p ON p.person_id = e.person_id
JOIN means_households m ON m.household_id = p.household_id
WHERE e.hired IS NULL OR e.hired <= DATE '{as_of}'""",
    ("employer",), (), ("public_employee",),
)

PENSION_INCOME = Rule(
    "pension_income", "养老金使家庭人均收入超过标准",
    "把人社部门的养老保险月待遇计入家庭收入（台账工资、经营、财产性收入加养老金），人均月收入高于低保标准乘以参数倍数；"
    "超过红色倍数为红色。依据民发〔2021〕57号、沁政办发〔2021〕7号。",
    ("民发〔2021〕57号", "沁政办发〔2021〕7号"),
    ("compare.means_tested_categories", "dibao.standard.urban", "dibao.standard.rural", "compare.pension.ratio",
     "compare.pension.red_ratio"),
    (
        """pen AS (SELECT person_id, SUM(monthly) AS monthly FROM
  (SELECT DISTINCT person_id, scheme, monthly FROM ds_pension WHERE person_id IS NOT NULL) x GROUP BY person_id)""",
        """hh AS (SELECT p.household_id, MIN(p.county) AS county, MIN(p.hukou) AS hukou, COUNT(*) AS members,
  SUM(p.income) + SUM(COALESCE(pen.monthly, 0)) AS income
  FROM persons p JOIN means_households m ON m.household_id = p.household_id
  LEFT JOIN pen ON pen.person_id = p.person_id GROUP BY p.household_id)""",
        """judged AS (SELECT hh.*, CASE WHEN hh.hukou = 'urban' THEN pr.dibao_standard_urban ELSE pr.dibao_standard_rural END AS standard,
  pr.pension_ratio, pr.pension_red_ratio FROM hh JOIN params pr ON pr.county = hh.county)""",
    ),
    """SELECT p.person_id, j.household_id,
  CASE WHEN j.income > j.standard * j.pension_red_ratio * j.members THEN 'red' ELSE 'orange' END AS level,
  pen.monthly AS pension, j.income AS household_income, j.members, j.standard
FROM judged j JOIN persons p ON p.household_id = j.household_id JOIN pen ON pen.person_id = p.person_id
WHERE j.income > j.standard * j.pension_ratio * j.members""",
    ("pension",), ("household_income", "members", "standard"), ("pension",), single=True,
)

PRISONER = Rule(
    "prisoner", "享受待遇人员正在服刑",
    "司法部门服刑人员名单中的人员，比对日在监服刑（入监日期不晚于比对日、刑满日期不早于比对日），仍在享受有资金发放的保障类别。"
    "依据沁政办发〔2021〕7号、晋民发〔2022〕38号。",
    ("沁政办发〔2021〕7号", "晋民发〔2022〕38号"), ("compare.paid_categories",),
    (),
    """SELECT DISTINCT pp.person_id, pp.household_id, 'red' AS level, d.admitted, d.released
FROM ds_prisoner d JOIN paid_persons pp ON pp.person_id = d.person_id
WHERE d.admitted <= DATE '{as_of}' AND (d.released IS NULL OR d.released >= DATE '{as_of}')""",
    ("admitted", "released"), (), ("prisoner",),
)

REAL_ESTATE = Rule(
    "real_estate", "家庭房产超过允许套数",
    "经济状况核对类别的家庭成员在不动产登记中的房产（按坐落去重）超过允许套数；超出达到参数套数为红色。"
    "依据民发〔2021〕57号、沁政办发〔2021〕7号。",
    ("民发〔2021〕57号", "沁政办发〔2021〕7号"),
    ("compare.means_tested_categories", "assets.property_max", "compare.real_estate.red_excess"),
    (
        """re AS (SELECT DISTINCT person_id, location, area, registered FROM ds_real_estate
  WHERE person_id IS NOT NULL AND (registered IS NULL OR registered <= DATE '{as_of}'))""",
        """held AS (SELECT p.person_id, p.household_id, p.county, re.location, re.area, re.registered
  FROM re JOIN persons p ON p.person_id = re.person_id JOIN means_households m ON m.household_id = p.household_id)""",
        """counted AS (SELECT household_id, COUNT(DISTINCT location) AS n FROM held GROUP BY household_id)""",
    ),
    """SELECT h.person_id, h.household_id,
  CASE WHEN c.n >= pr.property_max + pr.real_estate_red_excess THEN 'red' ELSE 'orange' END AS level,
  h.location, h.area, h.registered, c.n AS household_properties
FROM held h JOIN counted c ON c.household_id = h.household_id JOIN params pr ON pr.county = h.county
WHERE c.n > pr.property_max""",
    ("location",), ("household_properties",), ("real_estate",),
)

DUPLICATE_BENEFIT = Rule(
    "duplicate_benefit", "在外地重复享受救助",
    "全省救助对象名单中，本地享受有资金发放类别的人员同时在其他县（区）享受有资金发放的类别，且比对日在有效期内。"
    "依据晋民发〔2022〕38号（省级核对平台、低收入人口数据库）。",
    ("晋民发〔2022〕38号",), ("compare.paid_categories",),
    (),
    """SELECT DISTINCT pp.person_id, pp.household_id, 'red' AS level, e.category, e.region, e.start_date, e.end_date
FROM ds_recipients_elsewhere e JOIN paid_persons pp ON pp.person_id = e.person_id
JOIN param_items pi ON pi.county = pp.county AND pi.name = 'paid' AND pi.item = e.category
WHERE SUBSTRING(e.region, 1, 6) <> pp.county
  AND (e.start_date IS NULL OR e.start_date <= DATE '{as_of}') AND (e.end_date IS NULL OR e.end_date >= DATE '{as_of}')""",
    ("category", "region", "start_date"), (), ("recipients_elsewhere",),
)

CADRE_RELATIVE = Rule(
    "cadre_relative", "村（社区）干部、经办人员及其近亲属享受待遇",
    "享受有资金发放类别的人员本人是村（社区）干部或经办人员，或是其近亲属，应当备案并复核；"
    "干部任职区划覆盖该户所在村的为红色，其他为橙色。依据晋民发〔2022〕38号（整治“人情保”“关系保”）。",
    ("晋民发〔2022〕38号",), ("compare.paid_categories",),
    (
        """links AS (
  SELECT c.person_id, 'self' AS relation, c.cadre_id_number, c.cadre_name, c.cadre_region, c.post
  FROM ds_cadre c WHERE c.person_id IS NOT NULL
  UNION ALL
  SELECT p.person_id, 'relative' AS relation, c.cadre_id_number, c.cadre_name, c.cadre_region, c.post
  FROM ds_cadre_relative r JOIN ds_cadre c ON c.import_id = r.import_id AND c.row_no = r.row_no JOIN persons p ON p.id_number = r.relative_id_number)""",
    ),
    """SELECT DISTINCT pp.person_id, pp.household_id,
  CASE WHEN p.village LIKE CONCAT(l.cadre_region, '%') THEN 'red' ELSE 'orange' END AS level,
  l.relation, l.cadre_id_number, l.cadre_name, l.cadre_region, l.post
FROM links l JOIN paid_persons pp ON pp.person_id = l.person_id JOIN persons p ON p.person_id = pp.person_id""",
    ("relation", "cadre_id_number", "post"), (), ("cadre",),
)

MISSED_DISABILITY = Rule(
    "missed_disability", "重度残疾人可能漏保（单人保、特困）",
    "残联残疾人证显示的残疾类别和等级符合单人保或特困的残疾条件，本人在低保边缘或低收入家庭，尚未纳入低保、单人保或特困；"
    "符合特困残疾条件的为橙色，其余为黄色。依据晋民发〔2022〕38号（单人保、特困残疾条件；主动发现）。",
    ("晋民发〔2022〕38号",),
    ("compare.missed_categories", "compare.means_tested_categories", "dibao_single.disability_list",
     "tekun.disability_list"),
    (
        """dis AS (SELECT DISTINCT person_id, disability, issued FROM ds_disability
  WHERE person_id IS NOT NULL AND (issued IS NULL OR issued <= DATE '{as_of}'))""",
        """missed_households AS (SELECT DISTINCT r.household_id FROM recipients r
  JOIN param_items pi ON pi.county = r.county AND pi.name = 'missed' AND pi.item = r.category)""",
    ),
    """SELECT DISTINCT p.person_id, p.household_id, CASE WHEN tk.item IS NOT NULL THEN 'orange' ELSE 'yellow' END AS level,
  d.disability, d.issued
FROM dis d JOIN persons p ON p.person_id = d.person_id JOIN missed_households mh ON mh.household_id = p.household_id
LEFT JOIN param_items sg ON sg.county = p.county AND sg.name = 'single_disability' AND sg.item = d.disability
LEFT JOIN param_items tk ON tk.county = p.county AND tk.name = 'tekun_disability' AND tk.item = d.disability
LEFT JOIN means_persons mp ON mp.person_id = p.person_id
WHERE (sg.item IS NOT NULL OR tk.item IS NOT NULL) AND mp.person_id IS NULL""",
    ("disability",), (), ("disability",),
)

MISSED_MONITORING = Rule(
    "missed_monitoring", "防返贫监测对象无劳动能力但未纳入保障",
    "乡村振兴部门的防返贫监测对象，按特困条件无劳动能力（年满参数年龄、未满参数年龄，或残疾符合特困条件，"
    "残疾以台账或残联数据为准），尚未纳入低保、单人保或特困。依据晋民发〔2022〕38号、武政办发电〔2021〕10号。",
    ("晋民发〔2022〕38号", "武政办发电〔2021〕10号"),
    ("compare.means_tested_categories", "tekun.elderly_age", "tekun.minor_age", "tekun.disability_list"),
    (
        """mon AS (SELECT person_id, MIN(monitor_type) AS monitor_type, MIN(enrolled) AS enrolled FROM ds_poverty_monitoring
  WHERE person_id IS NOT NULL AND (enrolled IS NULL OR enrolled <= DATE '{as_of}') GROUP BY person_id)""",
        """dis AS (SELECT DISTINCT d.person_id FROM ds_disability d JOIN persons p ON p.person_id = d.person_id
  JOIN param_items tk ON tk.county = p.county AND tk.name = 'tekun_disability' AND tk.item = d.disability
  WHERE d.issued IS NULL OR d.issued <= DATE '{as_of}')""",
        """judged AS (SELECT p.person_id, p.household_id, m.monitor_type, m.enrolled,
  CASE WHEN p.birth_ymd + pr.tekun_elderly_age * 10000 <= {as_of_ymd} THEN 'elderly'
       WHEN p.birth_ymd + pr.tekun_minor_age * 10000 > {as_of_ymd} THEN 'minor'
       WHEN tk.item IS NOT NULL OR dis.person_id IS NOT NULL THEN 'disability' END AS reason
  FROM mon m JOIN persons p ON p.person_id = m.person_id JOIN params pr ON pr.county = p.county
  LEFT JOIN param_items tk ON tk.county = p.county AND tk.name = 'tekun_disability' AND tk.item = p.disability
  LEFT JOIN dis ON dis.person_id = p.person_id
  LEFT JOIN means_persons mp ON mp.person_id = p.person_id WHERE mp.person_id IS NULL)""",
    ),
    """SELECT person_id, household_id, 'orange' AS level, monitor_type, enrolled, reason FROM judged WHERE reason IS NOT NULL""",
    ("monitor_type", "reason"), ("enrolled",), ("poverty_monitoring",), single=True,
)

HIGH_MEDICAL = Rule(
    "high_medical", "低收入家庭大额医疗自付（支出型救助对象）",
    "低保、低保边缘、低收入家庭近参数月数内医保结算的个人自付累计达到门槛，列为支出型临时救助对象；"
    "达到红色门槛为红色，其余为黄色。预警落在自付最多的成员。依据渝民办〔2022〕220号、晋民发〔2022〕38号。",
    ("渝民办〔2022〕220号", "晋民发〔2022〕38号"),
    ("compare.high_medical.categories", "compare.high_medical.months", "compare.high_medical.self_pay_min",
     "compare.high_medical.red_min"),
    (
        """hm AS (SELECT DISTINCT r.household_id FROM recipients r
  JOIN param_items pi ON pi.county = r.county AND pi.name = 'high_medical' AND pi.item = r.category)""",
        """med AS (SELECT DISTINCT person_id, settled, total, self_pay FROM ds_medical
  WHERE person_id IS NOT NULL AND settled <= DATE '{as_of}')""",
        """per_person AS (SELECT p.person_id, p.household_id, p.county, SUM(med.self_pay) AS self_pay, COUNT(*) AS settlements
  FROM med JOIN persons p ON p.person_id = med.person_id JOIN hm ON hm.household_id = p.household_id
  JOIN params pr ON pr.county = p.county
  WHERE YEAR(med.settled) * 12 + MONTH(med.settled) > {as_of_month} - pr.high_medical_months
  GROUP BY p.person_id, p.household_id, p.county)""",
        """ranked AS (SELECT x.*, SUM(x.self_pay) OVER (PARTITION BY x.household_id) AS household_self_pay,
  ROW_NUMBER() OVER (PARTITION BY x.household_id ORDER BY x.self_pay DESC, x.person_id) AS rn FROM per_person x)""",
    ),
    """SELECT r.person_id, r.household_id,
  CASE WHEN r.household_self_pay >= pr.high_medical_red_min THEN 'red' ELSE 'yellow' END AS level,
  r.household_self_pay, r.self_pay, r.settlements
FROM ranked r JOIN params pr ON pr.county = r.county
WHERE r.rn = 1 AND r.household_self_pay >= pr.high_medical_self_pay_min""",
    ("household_self_pay",), ("self_pay", "settlements"), ("medical",), single=True,
)

RULES: dict[str, Rule] = {r.code: r for r in (
    DECEASED, VEHICLE, BUSINESS, PUBLIC_EMPLOYEE, PENSION_INCOME, PRISONER, REAL_ESTATE, DUPLICATE_BENEFIT,
    CADRE_RELATIVE, MISSED_DISABILITY, MISSED_MONITORING, HIGH_MEDICAL,
)}


def rule_sql(rule: Rule, *, as_of, as_of_month: int, as_of_ymd: int) -> str:
    """The rule's full query (DuckDB dialect) for one as-of date."""
    values = {"as_of": as_of.isoformat(), "as_of_month": as_of_month, "as_of_ymd": as_of_ymd}
    body = rule.select.format(**values)
    if not rule.ctes:
        return body
    return "WITH " + ",\n".join(c.format(**values) for c in rule.ctes) + "\n" + body


# Chinese labels of the detail keys, for screens and exports.
DETAIL_LABELS = {
    "death_date": "死亡日期", "months_overpaid": "多发月数", "overpaid_amount": "多发金额（元）",
    "plate": "号牌号码", "vehicle_type": "车辆类型", "registered": "登记日期", "household_vehicles": "全户非豁免车辆数",
    "entity_name": "主体名称", "role": "身份", "capital": "注册资本（元）", "founded": "成立日期",
    "household_businesses": "全户市场主体数", "employer": "单位名称", "hired": "入职日期",
    "pension": "月养老金（元）", "household_income": "全户月收入（元）", "members": "家庭人数", "standard": "低保标准（元）",
    "admitted": "入监日期", "released": "刑满日期", "location": "坐落", "area": "建筑面积",
    "household_properties": "全户房产套数", "category": "外地保障类别", "region": "外地区划",
    "start_date": "开始日期", "end_date": "终止日期", "relation": "关系", "cadre_id_number": "干部身份证号",
    "cadre_name": "干部姓名", "cadre_region": "任职区划", "post": "职务", "disability": "残疾类别:等级",
    "issued": "发证日期", "monitor_type": "监测类型", "enrolled": "纳入日期", "reason": "无劳动能力原因",
    "household_self_pay": "全户医疗自付（元）", "self_pay": "本人医疗自付（元）", "settlements": "结算次数",
}
