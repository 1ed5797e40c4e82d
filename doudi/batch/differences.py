"""Decisions against benefits held: who should start, stop, or get a new amount.

Runs in DuckDB on the Arrow results whatever engine evaluated the rules: the decisions
are already in memory and the comparison is one join, small next to the rules.
"""

from __future__ import annotations

import pyarrow as pa

HELD_SCHEMA = pa.schema(
    [("household_id", pa.string()), ("person", pa.string()), ("category", pa.string()), ("amount", pa.decimal128(14, 2))]
)

SQL = """
WITH granted AS (
  SELECT household_id, COALESCE(person, '') AS person, category, amount FROM decisions WHERE eligible),
refused AS (
  SELECT household_id, COALESCE(person, '') AS person, category, reasons FROM decisions WHERE NOT eligible),
held_one AS (
  SELECT household_id, person, category, MAX(amount) AS amount FROM held GROUP BY household_id, person, category),
joined AS (
  SELECT COALESCE(g.household_id, o.household_id) AS household_id, COALESCE(g.person, o.person) AS person,
         COALESCE(g.category, o.category) AS category,
         CASE WHEN o.household_id IS NULL THEN 'start' WHEN g.household_id IS NULL THEN 'stop'
              ELSE 'change_amount' END AS change,
         CAST(o.amount AS DECIMAL(18, 2)) AS held_amount, CAST(g.amount AS DECIMAL(18, 2)) AS new_amount
  FROM granted g FULL OUTER JOIN held_one o
    ON g.household_id = o.household_id AND g.person = o.person AND g.category = o.category
  WHERE o.household_id IS NULL OR g.household_id IS NULL OR g.amount <> o.amount)
SELECT j.household_id, j.person, j.category, j.change, j.held_amount, j.new_amount, h.region,
       COALESCE(r.reasons, '') AS reasons
FROM joined j JOIN households h ON h.household_id = j.household_id
LEFT JOIN refused r ON r.household_id = j.household_id AND r.person = j.person AND r.category = j.category
ORDER BY h.region, j.household_id, j.category, j.person
"""


def differences(households: pa.Table, decisions: pa.Table, held: pa.Table) -> pa.Table:
    """household_id, person ('' for a household), category, change, held/new amount, region, reasons."""
    import duckdb

    con = duckdb.connect()
    try:
        for name, table in (("households", households), ("decisions", decisions), ("held", held)):
            con.register(name, table)
        return con.sql(SQL).to_arrow_table()
    finally:
        con.close()
