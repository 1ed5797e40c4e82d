"""The dibao rule of bench/rules_bench.py in OpenFisca (openfisca-core, vectorised numpy): the
named baseline a rules engine is usually compared with. Inputs are arranged by DuckDB from
the same Parquet files the batch reads; list parameters are ',a,b,' text there
(doudi.batch.tables.list_text), hence `_in`.
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
    household = build_entity(key="household", plural="households", label="家庭",
                             roles=[{"key": "member", "plural": "members", "label": "成员"}])

    def var(name, entity, kind=float, formula=None):
        attrs = {"value_type": kind, "entity": entity, "definition_period": MONTH, "label": name}
        if formula:
            attrs["formula"] = formula
        return type(name, (Variable,), attrs)

    inputs = [var(n, person) for n in ("inc_wage", "inc_other", "inc_exempted", "increment")] + [var("employed", person, bool)]
    inputs += [var(n, household) for n in ("standard", "fin_assets", "rigid", "ded_ratio", "ded_cap", "months", "properties",
                                           "businesses", "property_max", "business_max", "cars")]
    inputs += [var("ded_on", household, bool)]

    def income_counted(p, period):
        ratio, cap, on = (p.household(n, period) for n in ("ded_ratio", "ded_cap", "ded_on"))
        wage = p("inc_wage", period)
        ded = on * p("employed", period) * _least(wage * ratio, cap)
        return (wage + p("inc_other", period) - p("inc_exempted", period) - ded).clip(min=0)

    def dibao_income(h, period):
        return (h.sum(h.members("income_counted", period)) - h("rigid", period)).clip(min=0)

    def dibao_line(h, period):
        return h("standard", period) * h.nb_persons()

    def dibao_eligible(h, period):
        n = h.nb_persons()
        return ((h("dibao_income", period) < h("dibao_line", period))
                * (h("fin_assets", period) <= h("standard", period) * h("months", period) * n)
                * (h("cars", period) == 0) * (h("properties", period) <= h("property_max", period))
                * (h("businesses", period) <= h("business_max", period)))

    def dibao_amount(h, period):
        import numpy as np

        gap = h("dibao_line", period) - h("dibao_income", period) + h.sum(h.members("increment", period))
        return np.where(h("dibao_eligible", period), np.floor(gap + 0.5), 0)

    system = TaxBenefitSystem([person, household])
    for v in inputs + [var("income_counted", person, float, income_counted), var("dibao_income", household, float, dibao_income),
                       var("dibao_line", household, float, dibao_line), var("dibao_eligible", household, bool, dibao_eligible),
                       var("dibao_amount", household, float, dibao_amount)]:
        system.add_variable(v)
    return system


def _least(a, b):
    import numpy as np

    return np.where(b > 0, np.minimum(a, b), a)


OF_PERSONS = f"""
SELECT m.household_id, m.inc_wage::DOUBLE AS inc_wage,
  (m.inc_business + m.inc_property + m.inc_transfer + m.inc_exempt)::DOUBLE AS inc_other,
  ({' + '.join(f"CASE WHEN {has('p_income_exempt_components', repr(k))} THEN m.inc_{k} ELSE 0 END"
               for k in ("wage", "business", "property", "transfer", "exempt"))})::DOUBLE AS inc_exempted,
  m.employed AND NOT {has('p_income_exempt_components', "'wage'")} AS employed,
  (CASE WHEN {has('p_dibao_increment_disability_list', "m.dis_kind || ':' || CAST(m.dis_level AS VARCHAR)")}
     THEN p_dibao_increment_severe_disability ELSE 0 END
   + CASE WHEN age >= p_dibao_increment_elderly_age THEN p_dibao_increment_elderly ELSE 0 END
   + CASE WHEN age < p_dibao_increment_minor_age THEN p_dibao_increment_minor ELSE 0 END)::DOUBLE AS increment
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
     ({has('p_income_rigid_deduction_kinds', "'medical'")})::INT * exp_medical
     + ({has('p_income_rigid_deduction_kinds', "'education'")})::INT * exp_education, 2) / 12,
     CASE WHEN p_income_rigid_deduction_cap > 0 THEN p_income_rigid_deduction_cap ELSE 1e12 END) ELSE 0 END)::DOUBLE AS rigid,
  (SELECT COUNT(*) FROM vehicles v WHERE v.household_id = h.household_id
     AND NOT {has('p_assets_vehicle_exempt_kinds', 'v.vehicle_kind')}
     AND v.vehicle_value > p_assets_vehicle_value_exempt_max)::DOUBLE AS cars
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
