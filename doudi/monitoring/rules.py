"""The comparison rules of docs/interfaces.md §6 (数据比对), each written once as DuckDB-dialect SQL.

Every rule reads the tables described in `doudi/monitoring/inputs.py` (registry snapshot,
department datasets with the linked registry person, per-county parameters) and returns
one row per piece of evidence: `person_id, household_id, level` plus the rule's evidence
and fact columns. The runner (`runner.py`) groups rows per person into one warning. The
same text runs on DuckDB and, transpiled by SQLGlot in doudi.batch, on Spark (docs/design.md §1.1,
§1.3). Thresholds, exemptions and levels are the dated `compare.*` parameters
(doudi/rules/schema.py), never numbers in this file.

Governing notices: 沁政办发〔2021〕7号 (部门数据比对，主动发现)，武政办发电〔2021〕10号
(动态管理监测预警，低收入人口信息库)，晋民发〔2022〕38号 (低收入人口数据库和比对，
整治“人情保”“关系保”)，渝民办〔2022〕220号 (主动发现，监测预警)，民发〔2021〕57号
(低保家庭经济状况：财产和收入)。

What the rules package decides is not restated here: labour capacity is the rules' own
`no_labour_capacity` field (doudi/rules/definitions.py, written out in SQL by
doudi.batch.rules.field_sql), a household's income is the rules' own income (inputs.py
evaluates it with the pension added), and which categories are paid, covered or means-
tested, which vehicle kinds are exempt, which words name them, which pension schemes
count and which business statuses are live are the dated parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from doudi.batch.rules import field_sql

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


# Households holding a category whose economic check applies (compare.means_tested_categories):
# a household benefit, or a person's benefit, counts for the whole household.
MEANS_HOUSEHOLDS = """SELECT DISTINCT b.household_id FROM benefits b
  JOIN (SELECT DISTINCT household_id, county FROM persons) h ON h.household_id = b.household_id
  JOIN param_items pi ON pi.county = h.county AND pi.name = 'means_tested' AND pi.item = b.category"""

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
    # Already covered (compare.covered_categories): not "missed" by the 漏保 rules.
    "covered_persons": """SELECT DISTINCT r.person_id FROM recipients r
  JOIN param_items pi ON pi.county = r.county AND pi.name = 'covered' AND pi.item = r.category""",
    "means_households": MEANS_HOUSEHOLDS,
}

# The person's pension that counts as income (compare.pension.schemes: the scheme's name holds
# one of the words, `*` any), for members of households whose economic check applies; one row
# per person. inputs.pension_incomes adds it to the register's income and runs the rules.
PENSION_COUNTED = f"""SELECT x.person_id, p.household_id, SUM(x.monthly) AS pension FROM
  (SELECT DISTINCT d.person_id, d.scheme, d.monthly FROM ds_pension d JOIN persons p ON p.person_id = d.person_id
   JOIN param_words w ON w.county = p.county AND w.name = 'pension_scheme'
     AND (w.word = '*' OR STRPOS(COALESCE(d.scheme, ''), w.word) > 0)) x
  JOIN persons p ON p.person_id = x.person_id
  JOIN ({MEANS_HOUSEHOLDS}) m ON m.household_id = p.household_id
  GROUP BY x.person_id, p.household_id"""

# Labour capacity exactly as the rules decide it (age on the month's first or last day by
# age.reference_day, tekun ages and disability list), over columns month_year, month_m,
# birth_y/m/d, dis_kind, dis_level and the rules' parameter columns p_* (inputs.rule_params).
NO_LABOUR_CAPACITY = field_sql("no_labour_capacity")
AGE = field_sql("age")

DECEASED = Rule(
    "deceased",
    "死亡人员仍在享受待遇",
    "公安、卫健、殡葬部门记录已死亡的人员，比对日仍在享受有资金发放的保障类别；"
    "计算死亡次月起至比对月多发的月数和金额（户类别按人均份额计）。依据沁政办发〔2021〕7号、晋民发〔2022〕38号。",
    ("沁政办发〔2021〕7号", "晋民发〔2022〕38号"),
    ("compare.paid_categories",),
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
    ("death_date",),
    ("months_overpaid", "overpaid_amount"),
    ("death",),
    single=True,
)

VEHICLE = Rule(
    "vehicle",
    "家庭拥有非豁免机动车",
    "经济状况核对类别的家庭成员在公安交管部门登记有机动车，且车辆类型不在豁免范围（车辆类型文字按参数对应到机动车种类，"
    "摩托车、残疾人专用车、农用车等按参数豁免）；非豁免车辆达到参数数量为红色。依据民发〔2021〕57号、沁政办发〔2021〕7号。",
    ("民发〔2021〕57号", "沁政办发〔2021〕7号"),
    ("compare.means_tested_categories", "compare.vehicle.type_kinds", "assets.vehicle_exempt_kinds", "compare.vehicle.red_count"),
    (
        """v AS (SELECT DISTINCT person_id, plate, vehicle_type, registered FROM ds_vehicle
  WHERE person_id IS NOT NULL AND (registered IS NULL OR registered <= DATE '{as_of}'))""",
        # The kind is that of the first word (in the parameter's order) the vehicle type holds.
        """typed AS (SELECT v.person_id, p.household_id, p.county, v.plate, v.vehicle_type, v.registered, MIN(w.pos) AS pos
  FROM v JOIN persons p ON p.person_id = v.person_id JOIN means_households m ON m.household_id = p.household_id
  LEFT JOIN param_words w ON w.county = p.county AND w.name = 'vehicle_kind'
    AND (w.word = '*' OR STRPOS(COALESCE(v.vehicle_type, ''), w.word) > 0)
  GROUP BY v.person_id, p.household_id, p.county, v.plate, v.vehicle_type, v.registered)""",
        """owned AS (SELECT t.person_id, t.household_id, t.county, t.plate, t.vehicle_type, t.registered FROM typed t
  LEFT JOIN param_words w ON w.county = t.county AND w.name = 'vehicle_kind' AND w.pos = t.pos
  LEFT JOIN param_items ex ON ex.county = t.county AND ex.name = 'vehicle_exempt' AND ex.item = w.kind
  WHERE ex.item IS NULL)""",
        """counted AS (SELECT household_id, COUNT(DISTINCT plate) AS n FROM owned GROUP BY household_id)""",
    ),
    """SELECT o.person_id, o.household_id, CASE WHEN c.n >= pr.vehicle_red_count THEN 'red' ELSE 'orange' END AS level,
  o.plate, o.vehicle_type, o.registered, c.n AS household_vehicles
FROM owned o JOIN counted c ON c.household_id = o.household_id JOIN params pr ON pr.county = o.county""",
    ("plate", "vehicle_type"),
    ("household_vehicles",),
    ("vehicle",),
)

BUSINESS = Rule(
    "business",
    "家庭成员经营或持有存续市场主体",
    "经济状况核对类别的家庭成员在市场监管部门登记为存续市场主体（登记状态按参数）的法定代表人、股东或经营者，数量超过允许数；"
    "注册资本不超过豁免额的不预警，达到红色门槛为红色。依据民发〔2021〕57号、晋民发〔2022〕38号。",
    ("民发〔2021〕57号", "晋民发〔2022〕38号"),
    (
        "compare.means_tested_categories",
        "compare.business.live_statuses",
        "assets.business_max",
        "compare.business.capital_exempt_max",
        "compare.business.red_capital",
    ),
    (
        """b AS (SELECT DISTINCT d.person_id, d.entity_name, d.role, d.capital, d.founded FROM ds_business d
  JOIN persons p ON p.person_id = d.person_id
  JOIN param_words ls ON ls.county = p.county AND ls.name = 'live_status' AND ls.word = d.status
  WHERE d.founded IS NULL OR d.founded <= DATE '{as_of}')""",
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
    ("entity_name", "role"),
    ("household_businesses",),
    ("business",),
)

PUBLIC_EMPLOYEE = Rule(
    "public_employee",
    "家庭成员为财政供养人员",
    "经济状况核对类别的家庭成员在财政供养人员名单中（机关事业单位在编在岗）。依据民发〔2021〕57号、晋民发〔2022〕38号。",
    ("民发〔2021〕57号", "晋民发〔2022〕38号"),
    ("compare.means_tested_categories",),
    (),
    """SELECT DISTINCT p.person_id, p.household_id, 'red' AS level, e.employer, e.hired
FROM ds_public_employee e JOIN persons p ON p.person_id = e.person_id
JOIN means_households m ON m.household_id = p.household_id
WHERE e.hired IS NULL OR e.hired <= DATE '{as_of}'""",
    ("employer",),
    (),
    ("public_employee",),
)

PENSION_INCOME = Rule(
    "pension_income",
    "养老金使家庭人均收入超过标准",
    "把人社部门的养老保险月待遇（按参数计入的险种）作为转移性收入计入，按低保规则的收入口径（豁免、扣减同单户测算）重算："
    "低保家庭的家庭月收入不低于低保标准×计入人数×参数倍数，低保边缘（含单人保）家庭的家庭月收入不低于低保边缘认定线×参数倍数，"
    "或单人保、特困对象本人月收入不低于低保标准×参数倍数；超过红色倍数为红色。低保边缘家庭收入本就高于低保标准，不因此预警。"
    "依据民发〔2021〕57号、沁政办发〔2021〕7号。",
    ("民发〔2021〕57号", "沁政办发〔2021〕7号"),
    (
        "compare.means_tested_categories",
        "compare.pension.schemes",
        "compare.pension.ratio",
        "compare.pension.red_ratio",
        "dibao.standard.urban",
        "dibao.standard.rural",
        "dibao_edge.ratio",
    ),
    (
        """held AS (SELECT DISTINCT b.household_id, b.person_id, b.category FROM benefits b
  JOIN (SELECT DISTINCT household_id, county FROM persons) h ON h.household_id = b.household_id
  JOIN param_items pi ON pi.county = h.county AND pi.name = 'means_tested' AND pi.item = b.category)""",
        # One test per category the household or person holds, with the line the rules use for it.
        """tests AS (
  SELECT i.person_id, i.household_id, i.county, i.pension, '低保家庭月收入' AS basis, 1 AS priority,
    i.household_income AS income, i.dibao_line AS line, i.dibao_members AS members, i.standard
  FROM pension_incomes i JOIN held h ON h.household_id = i.household_id AND h.person_id IS NULL AND h.category = 'dibao'
  WHERE i.in_dibao
  UNION ALL
  SELECT i.person_id, i.household_id, i.county, i.pension, '低保边缘家庭月收入' AS basis, 2 AS priority,
    i.household_income AS income, i.edge_line AS line, i.dibao_members AS members, i.standard
  FROM pension_incomes i JOIN held h ON h.household_id = i.household_id
    AND ((h.person_id IS NULL AND h.category = 'dibao_edge') OR h.category = 'dibao_single')
  WHERE i.in_dibao
  UNION ALL
  SELECT i.person_id, i.household_id, i.county, i.pension, '本人月收入' AS basis, 3 AS priority,
    i.own_income AS income, i.standard AS line, 1 AS members, i.standard
  FROM pension_incomes i JOIN held h ON h.person_id = i.person_id AND h.category IN ('dibao_single', 'tekun'))""",
        """judged AS (SELECT t.*, pr.pension_red_ratio,
  ROW_NUMBER() OVER (PARTITION BY t.person_id ORDER BY t.priority) AS rn
  FROM tests t JOIN params pr ON pr.county = t.county
  WHERE t.pension IS NOT NULL AND t.income >= t.line * pr.pension_ratio)""",
    ),
    """SELECT person_id, household_id, CASE WHEN income >= line * pension_red_ratio THEN 'red' ELSE 'orange' END AS level,
  pension, basis, income AS household_income, line, members, standard
FROM judged WHERE rn = 1""",
    ("pension",),
    ("basis", "household_income", "line", "members", "standard"),
    ("pension",),
    single=True,
)

PRISONER = Rule(
    "prisoner",
    "享受待遇人员正在服刑",
    "司法部门服刑人员名单中的人员，比对日在监服刑（入监日期不晚于比对日、刑满日期不早于比对日），仍在享受有资金发放的保障类别。"
    "依据沁政办发〔2021〕7号、晋民发〔2022〕38号。",
    ("沁政办发〔2021〕7号", "晋民发〔2022〕38号"),
    ("compare.paid_categories",),
    (),
    """SELECT DISTINCT pp.person_id, pp.household_id, 'red' AS level, d.admitted, d.released
FROM ds_prisoner d JOIN paid_persons pp ON pp.person_id = d.person_id
WHERE d.admitted <= DATE '{as_of}' AND (d.released IS NULL OR d.released >= DATE '{as_of}')""",
    ("admitted", "released"),
    (),
    ("prisoner",),
)

REAL_ESTATE = Rule(
    "real_estate",
    "家庭房产超过允许套数",
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
    ("location",),
    ("household_properties",),
    ("real_estate",),
)

DUPLICATE_BENEFIT = Rule(
    "duplicate_benefit",
    "在外地重复享受救助",
    "全省救助对象名单中，本地享受有资金发放类别的人员同时在其他县（区）享受有资金发放的类别，且比对日在有效期内。"
    "依据晋民发〔2022〕38号（省级核对平台、低收入人口数据库）。",
    ("晋民发〔2022〕38号",),
    ("compare.paid_categories",),
    (),
    """SELECT DISTINCT pp.person_id, pp.household_id, 'red' AS level, e.category, e.region, e.start_date, e.end_date
FROM ds_recipients_elsewhere e JOIN paid_persons pp ON pp.person_id = e.person_id
JOIN param_items pi ON pi.county = pp.county AND pi.name = 'paid' AND pi.item = e.category
WHERE SUBSTRING(e.region, 1, 6) <> pp.county
  AND (e.start_date IS NULL OR e.start_date <= DATE '{as_of}') AND (e.end_date IS NULL OR e.end_date >= DATE '{as_of}')""",
    ("category", "region", "start_date"),
    (),
    ("recipients_elsewhere",),
)

CADRE_RELATIVE = Rule(
    "cadre_relative",
    "村（社区）干部、经办人员及其近亲属享受待遇",
    "享受有资金发放类别的人员本人是村（社区）干部或经办人员，或是其近亲属，应当备案并复核；"
    "干部任职区划覆盖该户所在村的为红色，其他为橙色。依据晋民发〔2022〕38号（整治“人情保”“关系保”）。",
    ("晋民发〔2022〕38号",),
    ("compare.paid_categories",),
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
    ("relation", "cadre_id_number", "post"),
    (),
    ("cadre",),
)

MISSED_DISABILITY = Rule(
    "missed_disability",
    "重度残疾人可能漏保（单人保、特困）",
    "残联残疾人证显示的残疾类别和等级符合单人保或特困的残疾条件，本人在低保边缘或低收入家庭，尚未纳入保障（低保、单人保、特困，按参数）；"
    "符合特困残疾条件的为橙色，其余为黄色。依据晋民发〔2022〕38号（单人保、特困残疾条件；主动发现）。",
    ("晋民发〔2022〕38号",),
    ("compare.missed_categories", "compare.covered_categories", "dibao_single.disability_list", "tekun.disability_list"),
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
LEFT JOIN covered_persons cp ON cp.person_id = p.person_id
WHERE (sg.item IS NOT NULL OR tk.item IS NOT NULL) AND cp.person_id IS NULL""",
    ("disability",),
    (),
    ("disability",),
)

MISSED_MONITORING = Rule(
    "missed_monitoring",
    "防返贫监测对象无劳动能力但未纳入保障",
    "乡村振兴部门的防返贫监测对象，按特困的无劳动能力条件（年龄或残疾，与单户测算同一条规则；残疾以台账或残联数据为准）"
    "无劳动能力，尚未纳入保障（低保、单人保、特困，按参数）；不在台账中的监测对象也预警（年龄按身份证号，乡镇按所在区划代码，户为空）。"
    "依据晋民发〔2022〕38号、武政办发电〔2021〕10号。",
    ("晋民发〔2022〕38号", "武政办发电〔2021〕10号"),
    ("compare.covered_categories", "age.reference_day", "tekun.elderly_age", "tekun.minor_age", "tekun.disability_list"),
    (
        """mon AS (SELECT person_id, MIN(monitor_type) AS monitor_type, MIN(enrolled) AS enrolled FROM ds_poverty_monitoring
  WHERE person_id IS NOT NULL AND (enrolled IS NULL OR enrolled <= DATE '{as_of}') GROUP BY person_id)""",
        # One row per monitored person and disability on record (register, 残联), and per
        # monitored person not in the register (inputs.outsiders).
        """cand AS (
  SELECT p.person_id, p.household_id, p.county, m.monitor_type, m.enrolled, p.birth_y, p.birth_m, p.birth_d,
    p.dis_kind, p.dis_level
  FROM mon m JOIN persons p ON p.person_id = m.person_id
  UNION ALL
  SELECT p.person_id, p.household_id, p.county, m.monitor_type, m.enrolled, p.birth_y, p.birth_m, p.birth_d,
    d.dis_kind, d.dis_level
  FROM mon m JOIN persons p ON p.person_id = m.person_id JOIN ds_disability d ON d.person_id = p.person_id
  WHERE d.issued IS NULL OR d.issued <= DATE '{as_of}'
  UNION ALL
  SELECT o.person_id, o.household_id, o.county, o.monitor_type, o.enrolled, o.birth_y, o.birth_m, o.birth_d,
    CAST(NULL AS VARCHAR) AS dis_kind, CAST(NULL AS INTEGER) AS dis_level
  FROM outsiders o)""",
        f"""aged AS (SELECT c.*, rp.p_tekun_elderly_age, rp.p_tekun_minor_age, {AGE} AS age, {NO_LABOUR_CAPACITY} AS no_capacity
  FROM (SELECT x.*, {{as_of_year}} AS month_year, {{as_of_m}} AS month_m FROM cand x) c
  JOIN rule_params rp ON rp.county = c.county)""",
        """judged AS (SELECT a.person_id, MIN(a.household_id) AS household_id, MIN(a.monitor_type) AS monitor_type,
  MIN(a.enrolled) AS enrolled,
  MAX(CASE WHEN NOT a.no_capacity THEN NULL WHEN a.age >= a.p_tekun_elderly_age THEN 'elderly'
           WHEN a.age < a.p_tekun_minor_age THEN 'minor' ELSE 'disability' END) AS reason
  FROM aged a LEFT JOIN covered_persons cp ON cp.person_id = a.person_id
  WHERE cp.person_id IS NULL GROUP BY a.person_id)""",
    ),
    """SELECT person_id, household_id, 'orange' AS level, monitor_type, enrolled, reason FROM judged WHERE reason IS NOT NULL""",
    ("monitor_type", "reason"),
    ("enrolled",),
    ("poverty_monitoring",),
    single=True,
)

HIGH_MEDICAL = Rule(
    "high_medical",
    "低收入家庭大额医疗自付（支出型救助对象）",
    "低保、低保边缘、低收入家庭近参数月数内医保结算的个人自付累计达到门槛，列为支出型临时救助对象；"
    "达到红色门槛为红色，其余为黄色。预警落在自付最多的成员。依据渝民办〔2022〕220号、晋民发〔2022〕38号。",
    ("渝民办〔2022〕220号", "晋民发〔2022〕38号"),
    (
        "compare.high_medical.categories",
        "compare.high_medical.months",
        "compare.high_medical.self_pay_min",
        "compare.high_medical.red_min",
    ),
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
    ("household_self_pay",),
    ("self_pay", "settlements"),
    ("medical",),
    single=True,
)

# ---- 未参保失业人员 (issue 15; 晋民发〔2022〕38号 §8, §12) ----------------------------------------
# Still registered unemployed on the as-of date (registered on or before it, not deregistered
# by it) for at least the parameter's whole months, no registration saying 参加失业保险, and not
# covered (compare.covered_categories: 低保, 单人保, 特困). One row per person: the earliest such
# registration. Its warning can open a 临时救助 case (doudi/cases/temp.py case_from_warning).
MISSED_UNEMPLOYED = Rule(
    "missed_unemployed",
    "未参保失业人员（一次性临时救助对象）",
    "人社部门失业登记显示比对日仍在失业登记中满参数月数（按整月计），未参加失业保险，本人及家庭未纳入低保、单人保、特困（按参数），"
    "列为未参保失业人员一次性临时救助的对象（不低于农村低保月标准）。依据晋民发〔2022〕38号 §8、§12。",
    ("晋民发〔2022〕38号",),
    ("compare.missed_unemployed.months", "compare.covered_categories"),
    (
        """reg AS (SELECT person_id, MIN(registered) AS registered,
  MAX(CASE WHEN insured = 'yes' THEN 1 ELSE 0 END) AS insured_any
  FROM ds_unemployment_registration
  WHERE person_id IS NOT NULL AND registered <= DATE '{as_of}'
    AND (deregistered IS NULL OR deregistered > DATE '{as_of}')
  GROUP BY person_id)""",
        """counted AS (SELECT p.person_id, p.household_id, p.county, r.registered,
  {as_of_month} - (YEAR(r.registered) * 12 + MONTH(r.registered))
    - CASE WHEN DAY(r.registered) > DAY(DATE '{as_of}') THEN 1 ELSE 0 END AS months_registered
  FROM reg r JOIN persons p ON p.person_id = r.person_id
  WHERE r.insured_any = 0)""",
    ),
    """SELECT c.person_id, c.household_id, 'yellow' AS level, c.registered, c.months_registered
FROM counted c JOIN params pr ON pr.county = c.county
LEFT JOIN covered_persons cp ON cp.person_id = c.person_id
WHERE cp.person_id IS NULL AND c.months_registered >= pr.unemployed_months""",
    ("registered",),
    ("months_registered",),
    ("unemployment_registration",),
    single=True,
)

RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        DECEASED,
        VEHICLE,
        BUSINESS,
        PUBLIC_EMPLOYEE,
        PENSION_INCOME,
        PRISONER,
        REAL_ESTATE,
        DUPLICATE_BENEFIT,
        CADRE_RELATIVE,
        MISSED_DISABILITY,
        MISSED_MONITORING,
        HIGH_MEDICAL,
        MISSED_UNEMPLOYED,
    )
}


def rule_sql(rule: Rule, *, as_of, as_of_month: int, as_of_ymd: int) -> str:
    """The rule's full query (DuckDB dialect) for one as-of date."""
    values = {
        "as_of": as_of.isoformat(),
        "as_of_month": as_of_month,
        "as_of_ymd": as_of_ymd,
        "as_of_year": as_of.year,
        "as_of_m": as_of.month,
    }
    body = rule.select.format(**values)
    if not rule.ctes:
        return body
    return "WITH " + ",\n".join(c.format(**values) for c in rule.ctes) + "\n" + body


# Chinese labels of the detail keys, for screens and exports.
DETAIL_LABELS = {
    "death_date": "死亡日期",
    "months_overpaid": "多发月数",
    "overpaid_amount": "多发金额（元）",
    "plate": "号牌号码",
    "vehicle_type": "车辆类型",
    "registered": "登记日期",
    "household_vehicles": "全户非豁免车辆数",
    "entity_name": "主体名称",
    "role": "身份",
    "capital": "注册资本（元）",
    "founded": "成立日期",
    "household_businesses": "全户市场主体数",
    "employer": "单位名称",
    "hired": "入职日期",
    "pension": "月养老金（元）",
    "basis": "比较口径",
    "household_income": "计入月收入（元）",
    "line": "比较标准线（元）",
    "members": "家庭人数",
    "standard": "低保标准（元）",
    "admitted": "入监日期",
    "released": "刑满日期",
    "location": "坐落",
    "area": "建筑面积",
    "household_properties": "全户房产套数",
    "category": "外地保障类别",
    "region": "外地区划",
    "start_date": "开始日期",
    "end_date": "终止日期",
    "relation": "关系",
    "cadre_id_number": "干部身份证号",
    "cadre_name": "干部姓名",
    "cadre_region": "任职区划",
    "post": "职务",
    "disability": "残疾类别:等级",
    "issued": "发证日期",
    "monitor_type": "监测类型",
    "enrolled": "纳入日期",
    "reason": "无劳动能力原因",
    "household_self_pay": "全户医疗自付（元）",
    "self_pay": "本人医疗自付（元）",
    "settlements": "结算次数",
    "months_registered": "失业登记月数",
}
