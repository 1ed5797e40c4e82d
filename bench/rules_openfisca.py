"""The dibao rule of bench/rules_floor.py in OpenFisca (openfisca-core, vectorised numpy): the
named baseline a rules engine is usually compared with. The same rule as the floor and
doudi — income, 特困/孤儿 precedence, assets, 渐退, 补差 plus increments — in float, rounded
to the yuan (the counties of the bench data round half up to the yuan).

Inputs are arranged by DuckDB from the same Parquet files the batch reads, inside the timed
block: age, list memberships (list parameters are ',a,b,' text, doudi.batch.tables.list_text,
hence `has`) and the per-person increments are computed there.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.common import timed


def has(param: str, item: str) -> str:
    """SQL: list parameter `param` (',a,b,' text) contains `item`."""
    return f"COALESCE(strpos({param}, ',' || {item} || ',') > 0, FALSE)"


def _openfisca_system():
    from openfisca_core.entities import build_entity
    from openfisca_core.periods import MONTH
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    person = build_entity(key="person", plural="persons", label="个人", is_person=True)
    household = build_entity(
        key="household", plural="households", label="家庭", roles=[{"key": "member", "plural": "members", "label": "成员"}]
    )

    def var(name, entity, kind=float, formula=None):
        attrs = {"value_type": kind, "entity": entity, "definition_period": MONTH, "label": name}
        if formula:
            attrs["formula"] = formula
        return type(name, (Variable,), attrs)

    inputs = [var(n, person) for n in ("inc_wage", "inc_other", "inc_exempted", "increment", "age")]
    inputs += [var(n, person, bool) for n in ("employed", "tekun_disability", "orphan", "unsupported_child", "capable_supporter")]
    inputs += [
        var(n, household)
        for n in (
            "standard",
            "fin_assets",
            "rigid",
            "ded_ratio",
            "ded_cap",
            "months",
            "properties",
            "businesses",
            "property_max",
            "business_max",
            "cars",
            "held_amount",
            "tekun_elderly_age",
            "tekun_minor_age",
            "child_max_age",
        )
    ]
    inputs += [
        var(n, household, bool) for n in ("ded_on", "held", "taper_window", "tekun_excludes_dibao", "orphan_excludes_dibao")
    ]

    def income_counted(p, period):
        ratio, cap, on = (p.household(n, period) for n in ("ded_ratio", "ded_cap", "ded_on"))
        wage = p("inc_wage", period)
        ded = on * p("employed", period) * _least(wage * ratio, cap)
        return (wage + p("inc_other", period) - p("inc_exempted", period) - ded).clip(min=0)

    def counted_for_dibao(p, period):
        """Not an eligible tekun or orphan member that the overlap parameters take out of dibao."""
        age, h = p("age", period), p.household
        child = age < h("child_max_age", period)
        orphan = p("orphan", period) * child
        no_labour = (age >= h("tekun_elderly_age", period)) + (age < h("tekun_minor_age", period)) + p("tekun_disability", period)
        tekun = (
            no_labour
            * (p("income_counted", period) < h("standard", period))
            * ~p("capable_supporter", period)
            * ~orphan
            * ~(p("unsupported_child", period) * child)
        )
        return ~((tekun * h("tekun_excludes_dibao", period)) + (orphan * h("orphan_excludes_dibao", period)))

    def dibao_members(h, period):
        return h.sum(h.members("counted_for_dibao", period) * 1)

    def dibao_income(h, period):
        counted = h.members("counted_for_dibao", period)
        return (h.sum(h.members("income_counted", period) * counted) - h("rigid", period)).clip(min=0)

    def dibao_line(h, period):
        return h("standard", period) * h("dibao_members", period)

    def dibao_assets_ok(h, period):
        return (
            (h("fin_assets", period) <= h("standard", period) * h("months", period) * h.nb_persons())
            * (h("cars", period) == 0)
            * (h("properties", period) <= h("property_max", period))
            * (h("businesses", period) <= h("business_max", period))
        )

    def dibao_taper(h, period):
        return (
            h("held", period)
            * h("dibao_assets_ok", period)
            * (h("dibao_members", period) > 0)
            * (h("dibao_income", period) >= h("dibao_line", period))
            * h("taper_window", period)
        )

    def dibao_eligible(h, period):
        below = h("dibao_income", period) < h("dibao_line", period)
        return (h("dibao_members", period) > 0) * h("dibao_assets_ok", period) * (below + h("dibao_taper", period))

    def dibao_amount(h, period):
        import numpy as np

        counted = h.members("counted_for_dibao", period)
        gap = h("dibao_line", period) - h("dibao_income", period) + h.sum(h.members("increment", period) * counted)
        amount = np.where(h("dibao_taper", period), h("held_amount", period), np.floor(gap + 0.5))
        return np.where(h("dibao_eligible", period), amount, 0)

    system = TaxBenefitSystem([person, household])
    formulas = [
        var("income_counted", person, float, income_counted),
        var("counted_for_dibao", person, bool, counted_for_dibao),
        var("dibao_members", household, float, dibao_members),
        var("dibao_income", household, float, dibao_income),
        var("dibao_line", household, float, dibao_line),
        var("dibao_assets_ok", household, bool, dibao_assets_ok),
        var("dibao_taper", household, bool, dibao_taper),
        var("dibao_eligible", household, bool, dibao_eligible),
        var("dibao_amount", household, float, dibao_amount),
    ]
    for v in inputs + formulas:
        system.add_variable(v)
    return system


def _least(a, b):
    import numpy as np

    return np.where(b > 0, np.minimum(a, b), a)


OF_PERSONS = f"""
SELECT m.household_id, m.inc_wage::DOUBLE AS inc_wage,
  (m.inc_business + m.inc_property + m.inc_transfer + m.inc_exempt)::DOUBLE AS inc_other,
  ({
    " + ".join(
        f"CASE WHEN {has('p_income_exempt_components', repr(k))} THEN m.inc_{k} ELSE 0 END"
        for k in ("wage", "business", "property", "transfer", "exempt")
    )
})::DOUBLE AS inc_exempted,
  m.employed AND NOT {has("p_income_exempt_components", "'wage'")} AS employed,
  (CASE WHEN {has("p_dibao_increment_disability_list", "m.dis_kind || ':' || CAST(m.dis_level AS VARCHAR)")}
     THEN p_dibao_increment_severe_disability ELSE 0 END
   + CASE WHEN age >= p_dibao_increment_elderly_age THEN p_dibao_increment_elderly ELSE 0 END
   + CASE WHEN age < p_dibao_increment_minor_age THEN p_dibao_increment_minor ELSE 0 END)::DOUBLE AS increment,
  age::DOUBLE AS age, {has("p_tekun_disability_list", "m.dis_kind || ':' || CAST(m.dis_level AS VARCHAR)")} AS tekun_disability,
  m.orphan, m.unsupported_child, COALESCE(m.capable_supporter, FALSE) AS capable_supporter
FROM (SELECT m.*, h.month_year - m.birth_y - CASE WHEN m.birth_m > h.month_m OR (m.birth_m = h.month_m AND m.birth_d > 1)
        THEN 1 ELSE 0 END AS age, p.* EXCLUDE (county)
      FROM members m JOIN households h ON m.household_id = h.household_id JOIN params p ON p.county = h.county) m
ORDER BY m.household_id
"""
OF_HOUSEHOLDS = f"""
SELECT h.household_id, (CASE WHEN hukou = 'urban' THEN p_dibao_standard_urban ELSE p_dibao_standard_rural END)::DOUBLE AS standard,
  fin_assets::DOUBLE AS fin_assets, properties::DOUBLE AS properties, businesses::DOUBLE AS businesses,
  p_assets_property_max::DOUBLE AS property_max, p_assets_business_max::DOUBLE AS business_max,
  p_assets_financial_months::DOUBLE AS months, p_income_employment_deduction_ratio::DOUBLE AS ded_ratio,
  p_income_employment_deduction_cap::DOUBLE AS ded_cap, p_income_employment_deduction_enabled AS ded_on,
  (CASE WHEN p_income_rigid_deduction_enabled THEN LEAST(ROUND(
     (({has("p_income_rigid_deduction_kinds", "'medical'")})::INT * exp_medical
      + ({has("p_income_rigid_deduction_kinds", "'education'")})::INT * exp_education) / 12, 2),
     CASE WHEN p_income_rigid_deduction_cap > 0 THEN p_income_rigid_deduction_cap ELSE 1e12 END) ELSE 0 END)::DOUBLE AS rigid,
  (SELECT COUNT(*) FROM vehicles v WHERE v.household_id = h.household_id
     AND NOT {has("p_assets_vehicle_exempt_kinds", "v.vehicle_kind")}
     AND v.vehicle_value > p_assets_vehicle_value_exempt_max)::DOUBLE AS cars,
  held_dibao AS held, COALESCE(held_dibao_amount, 0)::DOUBLE AS held_amount,
  month_index - COALESCE(taper_start_index, month_index) < p_dibao_taper_months AS taper_window,
  {has("p_overlap_tekun_excludes", "'dibao'")} AS tekun_excludes_dibao,
  {has("p_overlap_orphan_excludes", "'dibao'")} AS orphan_excludes_dibao,
  p_tekun_elderly_age::DOUBLE AS tekun_elderly_age, p_tekun_minor_age::DOUBLE AS tekun_minor_age,
  p_child_max_age::DOUBLE AS child_max_age
FROM households h JOIN params p ON p.county = h.county ORDER BY h.household_id
"""


def run_openfisca(data: Path, result: dict, month: str) -> None:
    import duckdb
    import numpy as np
    from openfisca_core.simulation_builder import SimulationBuilder

    system = _openfisca_system()
    with timed(result, "openfisca_seconds"):
        con = duckdb.connect()
        for name in ("households", "members", "vehicles", "params"):
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{data / name}.parquet')")
        persons = con.execute(OF_PERSONS).fetchnumpy()
        houses = con.execute(OF_HOUSEHOLDS).fetchnumpy()
        started = time.perf_counter()
        builder = SimulationBuilder()
        builder.create_entities(system)
        builder.declare_person_entity("person", np.arange(len(persons["household_id"])))
        entity = builder.declare_entity("household", np.asarray(houses["household_id"]))
        index = np.searchsorted(np.asarray(houses["household_id"]), np.asarray(persons["household_id"]))
        builder.join_with_persons(entity, np.asarray(houses["household_id"])[index], np.array(["member"] * len(index)))
        sim = builder.build(system)
        for key, values in list(persons.items()) + list(houses.items()):
            if key != "household_id":
                sim.set_input(key, month, np.asarray(values))
        amount = sim.calculate("dibao_amount", month)
        result["openfisca_calculate_seconds"] = round(time.perf_counter() - started, 3)
    result["openfisca_dibao_households"] = int((amount > 0).sum())
    result["openfisca_dibao_amount"] = float(amount.sum())
