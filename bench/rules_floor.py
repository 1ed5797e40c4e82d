"""The floor of bench/rules_bench.py: the dibao rule written by hand as one DuckDB query.

`FLOOR` computes doudi's dibao decision (docs/domain.md §3) for every household — the rule as
doudi applies it, so the bench can check the two agree household by household:

- member income after exempt components and the employment-cost deduction;
- 特困 and 孤儿/事实无人抚养儿童 precedence: a member who qualifies for tekun (no labour
  capacity by age or disability list, income below the standard, no capable supporter, not
  an eligible orphan or unsupported child) or is an eligible orphan leaves the dibao
  household when the county's overlap parameters say so, with their income and increments;
- rigid-expenditure deduction (12-month total ÷ 12, half-up to the fen, capped);
- the four asset tests; 渐退 (a held household above the line keeps its amount for N months);
- 补差 (standard × members − income) plus per-person increments, rounded by the county's mode.

`FLOOR_SIMPLE` is the query sessions 1–3 compared against: income, assets and increments
only (no precedence, no 渐退, rounding to the yuan). It decides a different, larger set of
households, so it is reported for reference, not as the target.

List parameters are ',a,b,' text (doudi.batch.tables.list_text), hence `has`.
"""

from __future__ import annotations

from bench.rules_openfisca import has

_COMPONENTS = ("wage", "business", "property", "transfer", "exempt")
_EXEMPTED = " + ".join(f"CASE WHEN {has('p_income_exempt_components', repr(k))} THEN m.inc_{k} ELSE 0 END" for k in _COMPONENTS)
_EMPLOYMENT = (
    f"CASE WHEN p_income_employment_deduction_enabled AND m.employed AND NOT "
    f"{has('p_income_exempt_components', repr('wage'))} THEN CASE WHEN p_income_employment_deduction_cap > 0 "
    "THEN LEAST(m.inc_wage * p_income_employment_deduction_ratio, p_income_employment_deduction_cap) "
    "ELSE m.inc_wage * p_income_employment_deduction_ratio END ELSE 0 END"
)
_AGE = (
    "hp.month_year - m.birth_y - CASE WHEN m.birth_m > hp.month_m OR (m.birth_m = hp.month_m AND m.birth_d > 1) THEN 1 ELSE 0 END"
)
_INCREMENTS = (
    f"CASE WHEN {has('p_dibao_increment_disability_list', 'dis')} THEN p_dibao_increment_severe_disability ELSE 0 END"
    " + CASE WHEN age >= p_dibao_increment_elderly_age THEN p_dibao_increment_elderly ELSE 0 END"
    " + CASE WHEN age < p_dibao_increment_minor_age THEN p_dibao_increment_minor ELSE 0 END"
)
# ROUND(x / 12, 2) half-up, exactly: a whole number of fen over 12 is a tie only at k + ½,
# which DOUBLE division represents exactly.
_RIGID = "CAST(CAST(ROUND(CAST(100 * ({x}) AS BIGINT) / 12) AS BIGINT) AS DECIMAL(18, 0)) * 0.01"
_CARS = f"""cars AS (
  SELECT v.household_id, COUNT(*) AS cars FROM vehicles v JOIN hp ON v.household_id = hp.household_id
  WHERE NOT {has("p_assets_vehicle_exempt_kinds", "v.vehicle_kind")} AND v.vehicle_value > p_assets_vehicle_value_exempt_max
  GROUP BY v.household_id),"""
_ROUNDED = (
    "CASE p_rounding_mode WHEN 'yuan_half_up' THEN ROUND({x}, 0) WHEN 'yuan_ceiling' THEN CEIL({x}) "
    "WHEN 'yuan_floor' THEN FLOOR({x}) WHEN 'jiao_half_up' THEN ROUND({x}, 1) ELSE ROUND({x}, 2) END"
)

FLOOR = f"""
WITH hp AS (
  SELECT h.household_id, h.hukou, h.fin_assets, h.properties, h.businesses, h.exp_medical, h.exp_education,
    h.month_year, h.month_m, h.month_index, h.held_dibao, h.held_dibao_amount, h.taper_start_index, p.*,
    CASE WHEN h.hukou = 'urban' THEN p.p_dibao_standard_urban ELSE p.p_dibao_standard_rural END AS standard
  FROM households h JOIN params p ON h.county = p.county),
mi AS (
  SELECT m.household_id, hp.standard, p_dibao_increment_disability_list, p_dibao_increment_severe_disability,
    p_dibao_increment_elderly_age, p_dibao_increment_elderly, p_dibao_increment_minor_age, p_dibao_increment_minor,
    p_tekun_elderly_age, p_tekun_minor_age, p_tekun_disability_list, p_child_max_age,
    p_overlap_tekun_excludes, p_overlap_orphan_excludes, m.orphan, m.unsupported_child, m.capable_supporter,
    GREATEST(m.inc_wage + m.inc_business + m.inc_property + m.inc_transfer + m.inc_exempt
             - ({_EXEMPTED}) - ({_EMPLOYMENT}), 0) AS income,
    {_AGE} AS age,
    m.dis_kind || ':' || CAST(m.dis_level AS VARCHAR) AS dis
  FROM members m JOIN hp ON m.household_id = hp.household_id),
mc AS (
  SELECT *, orphan AND NOT COALESCE(age >= p_child_max_age, FALSE) AS orphan_ok
  FROM mi),
mt AS (
  SELECT *, (age >= p_tekun_elderly_age OR age < p_tekun_minor_age OR {has("p_tekun_disability_list", "dis")})
      AND income < standard AND NOT COALESCE(capable_supporter, FALSE) AND NOT orphan_ok
      AND NOT (unsupported_child AND NOT COALESCE(age >= p_child_max_age, FALSE)) AS tekun_ok
  FROM mc),
mx AS (
  SELECT household_id, income, age, dis, p_dibao_increment_disability_list, p_dibao_increment_severe_disability,
    p_dibao_increment_elderly_age, p_dibao_increment_elderly, p_dibao_increment_minor_age, p_dibao_increment_minor,
    (tekun_ok AND {has("p_overlap_tekun_excludes", repr("dibao"))})
      OR (orphan_ok AND {has("p_overlap_orphan_excludes", repr("dibao"))}) AS excluded
  FROM mt),
agg AS (
  SELECT household_id, COUNT(*) AS n, SUM(CASE WHEN excluded THEN 0 ELSE 1 END) AS n_dibao,
    SUM(CASE WHEN excluded THEN 0 ELSE income END) AS income,
    SUM(CASE WHEN excluded THEN 0 ELSE {_INCREMENTS} END) AS increments
  FROM mx GROUP BY household_id),
{_CARS}
d AS (
  SELECT hp.household_id, hp.held_dibao, hp.held_dibao_amount, p_rounding_mode, agg.n_dibao, agg.increments,
    hp.standard * agg.n_dibao AS line,
    fin_assets <= hp.standard * p_assets_financial_months * agg.n AND COALESCE(cars.cars, 0) = 0
      AND properties <= p_assets_property_max AND businesses <= p_assets_business_max AS assets_ok,
    month_index - COALESCE(taper_start_index, month_index) < p_dibao_taper_months AS in_taper_window,
    GREATEST(agg.income - CASE WHEN p_income_rigid_deduction_enabled THEN LEAST(
      {
    _RIGID.format(
        x=f"CASE WHEN {has('p_income_rigid_deduction_kinds', repr('medical'))} THEN exp_medical ELSE 0 END "
        f"+ CASE WHEN {has('p_income_rigid_deduction_kinds', repr('education'))} THEN exp_education ELSE 0 END"
    )
},
      CASE WHEN p_income_rigid_deduction_cap > 0 THEN p_income_rigid_deduction_cap ELSE 1e12 END) ELSE 0 END, 0) AS income
  FROM hp JOIN agg ON agg.household_id = hp.household_id LEFT JOIN cars ON cars.household_id = hp.household_id),
t AS (
  SELECT *, n_dibao > 0 AND income < line AS below,
    held_dibao AND assets_ok AND n_dibao > 0 AND income >= line AND in_taper_window AS taper
  FROM d)
SELECT household_id, n_dibao > 0 AND assets_ok AND (below OR taper) AS eligible,
  CASE WHEN n_dibao > 0 AND assets_ok AND (below OR taper) THEN CAST(
    {_ROUNDED.format(x="CASE WHEN taper THEN held_dibao_amount ELSE line - income + increments END")} AS DECIMAL(18, 2))
  END AS amount
FROM t
"""

FLOOR_SIMPLE = f"""
WITH hp AS (SELECT h.*, p.* EXCLUDE (county) FROM households h JOIN params p ON h.county = p.county),
mi AS (
  SELECT m.household_id,
    m.inc_wage + m.inc_business + m.inc_property + m.inc_transfer + m.inc_exempt - ({_EXEMPTED}) - ({_EMPLOYMENT}) AS income,
    {_AGE} AS age,
    m.dis_kind || ':' || CAST(m.dis_level AS VARCHAR) AS dis,
    p_dibao_increment_disability_list, p_dibao_increment_severe_disability, p_dibao_increment_elderly_age,
    p_dibao_increment_elderly, p_dibao_increment_minor_age, p_dibao_increment_minor
  FROM members m JOIN hp ON m.household_id = hp.household_id),
agg AS (
  SELECT household_id, COUNT(*) AS n, SUM(GREATEST(income, 0)) AS income, SUM({_INCREMENTS}) AS increments
  FROM mi GROUP BY household_id),
{_CARS}
d AS (
  SELECT hp.household_id, CASE WHEN hukou = 'urban' THEN p_dibao_standard_urban ELSE p_dibao_standard_rural END AS standard,
    agg.n, agg.increments, COALESCE(cars.cars, 0) AS cars, hp.fin_assets, hp.properties, hp.businesses,
    p_assets_financial_months, p_assets_property_max, p_assets_business_max,
    GREATEST(agg.income - CASE WHEN p_income_rigid_deduction_enabled THEN
      LEAST(ROUND(CAST(({has("p_income_rigid_deduction_kinds", "'medical'")})::INT * exp_medical
                  + ({has("p_income_rigid_deduction_kinds", "'education'")})::INT * exp_education AS DECIMAL(18, 2)) / 12, 2),
            CASE WHEN p_income_rigid_deduction_cap > 0 THEN p_income_rigid_deduction_cap ELSE 1e12 END) ELSE 0 END, 0) AS income
  FROM hp JOIN agg ON agg.household_id = hp.household_id LEFT JOIN cars ON cars.household_id = hp.household_id)
SELECT household_id,
  income < standard * n AND fin_assets <= standard * p_assets_financial_months * n AND cars = 0
    AND properties <= p_assets_property_max AND businesses <= p_assets_business_max AS eligible,
  ROUND(standard * n - income + increments, 0) AS amount
FROM d
"""

# Households where the floor and doudi's dibao-only run disagree (eligibility or amount).
DISAGREEMENTS = """
SELECT COUNT(*) FROM read_parquet('{floor}') f FULL JOIN
  (SELECT household_id, eligible, amount FROM read_parquet('{doudi}') WHERE category = 'dibao') d
  ON d.household_id = f.household_id
WHERE d.household_id IS NULL OR f.household_id IS NULL OR f.eligible <> d.eligible
  OR f.amount IS DISTINCT FROM CAST(d.amount AS DECIMAL(18, 2))
"""
