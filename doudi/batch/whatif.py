"""政策测算 (what-if): change dated parameters, evaluate the register twice, compare.

A change sets a parameter to a value, or raises/lowers it by a percent of the value in
force on its start date, from that date on. The changes become one what-if RegionFile
placed on top of the region's parameter chain (doudi.rules.policy supports exactly this)
— the same mechanism as `doudi assess --policy whatif.yaml`; no rule is touched. The
register is read once; the batch runs with the shipped parameters and with the what-if
ones, and the two decision sets are compared by township × category.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pyarrow as pa

from doudi.batch.engines import open_engine
from doudi.batch.evaluate import evaluate_tables
from doudi.batch.tables import params_table
from doudi.rules.errors import RulesError
from doudi.rules.parameters import Entry, RegionFile, coerce, load_tree
from doudi.rules.policy import Policy
from doudi.rules.schema import PARAMETERS

SOURCE = "政策测算"
NUMERIC = {"yuan": Decimal("0.01"), "ratio": Decimal("0.0001"), "months": Decimal(1), "count": Decimal(1), "years": Decimal(1)}


class SimulationError(Exception):
    """A bad change; the Chinese message names the parameter."""


def _decimal(raw, label: str, name: str) -> Decimal:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise SimulationError(f"参数 {name}：{label} {raw!r} 不是数字") from None
    if not value.is_finite():
        raise SimulationError(f"参数 {name}：{label} {raw!r} 不是数字")
    return value


def _value(change: dict, base: Policy, county: str) -> tuple[str, dt.date, object]:
    name = str(change.get("parameter") or "")
    spec = PARAMETERS.get(name)
    if spec is None:
        raise SimulationError(f"未知参数 {name!r}（见 docs/rules.md 参数一览）")
    try:
        start = dt.date.fromisoformat(str(change.get("from")))
    except ValueError:
        raise SimulationError(f"参数 {name}：生效日期 {change.get('from')!r} 应为 YYYY-MM-DD") from None
    if spec.unit not in NUMERIC:
        raise SimulationError(f"参数 {name}（{spec.zh}）单位为 {spec.unit}，政策测算只支持调整数值参数")
    value, percent = change.get("value"), change.get("percent")
    if (value is None) == (percent is None):
        raise SimulationError(f"参数 {name}：请给出新的值或调整百分比（二者取一）")
    if percent is not None:
        pct = _decimal(percent, "调整百分比", name)
        if pct <= -100:
            raise SimulationError(f"参数 {name}：下调幅度不能达到或超过 100%")
        current = base.resolve(county, start)[name].value
        raw = (current * (1 + pct / 100)).quantize(NUMERIC[spec.unit], ROUND_HALF_UP)
    else:
        raw = _decimal(value, "新的值", name)
    try:
        return name, start, coerce(format(raw, "f"), spec, SOURCE, name)
    except RulesError as exc:
        raise SimulationError(str(exc)) from None


def whatif_policy(region_code: str, changes: list[dict]) -> tuple[Policy, Policy]:
    """(baseline, what-if) policies for a region; percent changes need one county."""
    tree = load_tree()
    area = region_code[:6] if len(region_code) >= 6 else region_code
    base = Policy(region_code[:2], tree)
    if not changes:
        raise SimulationError("请至少填写一项参数调整")
    if any(c.get("percent") is not None for c in changes) and len(area) < 6:
        raise SimulationError("按百分比调整以县的现行标准为基数，请选择一个县（或其下的乡镇）测算")
    entries: dict[str, list[Entry]] = {}
    for change in changes:
        name, start, value = _value(change, base, area)
        if any(e.start == start for e in entries.get(name, [])):
            raise SimulationError(f"参数 {name}：同一生效日期调整了两次")
        entries.setdefault(name, []).append(Entry(name, value, start, None, f"{SOURCE}（模拟）", area, SOURCE))
    dated = {}
    for name, items in entries.items():
        items.sort(key=lambda e: e.start)
        ends = [after.start - dt.timedelta(days=1) for after in items[1:]] + [None]
        dated[name] = tuple(Entry(e.name, e.value, e.start, end, e.ref, e.region, e.file) for e, end in zip(items, ends))
    return base, Policy(region_code[:2], tree, RegionFile(area, SOURCE, SOURCE, dated))


COMPARE = """
SELECT COALESCE(b.township, a.township) AS township, COALESCE(b.category, a.category) AS category,
  CAST(SUM(COALESCE(b.persons, 0)) AS BIGINT) AS persons_before,
  CAST(SUM(COALESCE(a.persons, 0)) AS BIGINT) AS persons_after,
  CAST(SUM(CASE WHEN b.household_id IS NULL THEN a.persons ELSE 0 END) AS BIGINT) AS entering,
  CAST(SUM(CASE WHEN a.household_id IS NULL THEN b.persons ELSE 0 END) AS BIGINT) AS leaving,
  CAST(SUM(COALESCE(b.amount, 0)) AS DECIMAL(18, 2)) AS budget_before,
  CAST(SUM(COALESCE(a.amount, 0)) AS DECIMAL(18, 2)) AS budget_after
FROM before b FULL OUTER JOIN after a
  ON a.household_id = b.household_id AND a.person = b.person AND a.category = b.category
GROUP BY 1, 2 ORDER BY 1, 2
"""


def compare(before: pa.Table, after: pa.Table, members: pa.Table) -> list[dict]:
    """Rows by township × category: persons before/after, entering, leaving, budget before/after."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register("db", before)
        con.register("da", after)
        con.register("m", members)
        sizes = "(SELECT household_id, COUNT(*) AS size FROM m GROUP BY household_id)"
        pick = (
            "SELECT d.household_id, COALESCE(d.person, '') AS person, d.category, SUBSTR(d.region, 1, 9) AS township, "
            "d.amount, CASE WHEN d.person IS NOT NULL THEN 1 ELSE COALESCE(d.members, n.size) END AS persons "
            f"FROM {{t}} d JOIN {sizes} n ON n.household_id = d.household_id WHERE d.eligible"
        )
        sql = f"WITH before AS ({pick.format(t='db')}), after AS ({pick.format(t='da')}) {COMPARE}"
        return con.sql(sql).to_arrow_table().to_pylist()
    finally:
        con.close()


def run_both(
    tables: dict,
    day: dt.date,
    base: Policy,
    whatif: Policy,
    engine: str = "duckdb",
    spark_session=None,
    progress=None,
    categories=None,
) -> list[dict]:
    """Compared rows for every category, or only `categories` (then only the fields those
    categories depend on are computed: asking about dibao alone costs dibao's work alone)."""
    counties = tables["households"].column("county").to_pylist()
    decisions = []
    with open_engine(engine, spark_session=spark_session) as runner:
        for step, policy in enumerate((base, whatif)):
            try:
                run_tables = {**tables, "params": params_table(policy, day, counties)}
            except RulesError as exc:
                raise SimulationError(str(exc)) from None
            decisions.append(evaluate_tables(runner, run_tables, categories=categories)["decisions"])
            if progress:
                progress.update(step + 1, 2, "已完成现行政策测算" if step == 0 else "已完成调整后测算")
    return compare(decisions[0], decisions[1], tables["members"])
